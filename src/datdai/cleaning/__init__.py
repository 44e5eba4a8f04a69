"""Cleaning (làm sạch): readers of deliveries (:mod:`datdai.cleaning.readers`), the quality rule
catalog (one rule per file in :mod:`datdai.cleaning.rules`), the runner and the findings
(docs/formats/loi-du-lieu.md), the import of a delivery into the store, fixes and progress."""
