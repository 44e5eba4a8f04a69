"""A contractor's corrected delivery for communes already in the store (re-delivery).

* :mod:`~datdai.cleaning.redelivery.plan` — the change, parcel by parcel, between the store and the new
  delivery (added, removed, geometry, attributes, holders; values a person corrected);
* :mod:`~datdai.cleaning.redelivery.plan_file` — the plan as a CSV (with a BOM, for Excel) or JSON file;
* :mod:`~datdai.cleaning.redelivery.apply` — the use case: read, check, plan, and on demand apply the plan
  as one audited batch with the findings re-checked; and its revert.
"""
