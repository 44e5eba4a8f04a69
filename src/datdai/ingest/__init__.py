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

from datdai.ingest.errors import DeliveryError, Problem
from datdai.ingest.parcels import (
    PARCEL_SCHEMA,
    ParcelLayer,
    ParcelSource,
    iter_parcel_batches,
    read_parcels,
)
from datdai.ingest.register import (
    REGISTER_SCHEMA,
    RegisterSource,
    RegisterTable,
    iter_register_batches,
    read_register,
)
from datdai.ingest.text_repair import repair_column

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
