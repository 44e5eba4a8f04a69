"""Readers for contractor deliveries and extracts; text repair; CRS handling.

Public API::

    read_parcels(path, *, srid=None, ma_xa=None, so_to=None, layer=None) -> ParcelLayer
    iter_parcel_batches(path, *, …, batch_size=100_000) -> (ParcelSource, Iterator[RecordBatch])
    read_register(path) -> RegisterTable
    iter_register_batches(path, batch_size=200_000) -> (RegisterSource, Iterator[RecordBatch])
    repair_column(values, restore_case=False) -> (repaired, kind)

Every reader raises :class:`DeliveryError` (file, message, problems with row and field) for
input it cannot use.
"""

from importlib import import_module

from datdai.cleaning.readers.errors import DeliveryError, Problem

# The readers pull in GDAL, Arrow and shapely: imported on first use, so that every `datdai`
# command (which imports DeliveryError) does not pay for them at start-up.
_LAZY = {
    "PARCEL_SCHEMA": "parcels", "ParcelLayer": "parcels", "ParcelSource": "parcels",
    "iter_parcel_batches": "parcels", "read_parcels": "parcels",
    "REGISTER_SCHEMA": "register", "RegisterSource": "register", "RegisterTable": "register",
    "iter_register_batches": "register", "read_register": "register",
    "repair_column": "text_repair",
}


def __getattr__(name: str):
    if name in _LAZY:
        return getattr(import_module(f"datdai.cleaning.readers.{_LAZY[name]}"), name)
    raise AttributeError(f"module 'datdai.cleaning.readers' has no attribute {name!r}")


__all__ = [
    "PARCEL_SCHEMA",
    "REGISTER_SCHEMA",
    "DeliveryError",
    "ParcelLayer",
    "ParcelSource",
    "Problem",
    "RegisterSource",
    "RegisterTable",
    "iter_parcel_batches",
    "iter_register_batches",
    "read_parcels",
    "read_register",
    "repair_column",
]
