"""Checking a delivery from its files: read, then run the rules (``datdai check``)."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import pyarrow as pa

from datdai.cleaning.config import CheckConfig, load_config
from datdai.cleaning.readers.parcels import PARCEL_SCHEMA, iter_parcel_batches, read_parcels
from datdai.cleaning.readers.register import iter_register_batches, read_register
from datdai.cleaning.readers.register_columns import REGISTER_SCHEMA
from datdai.cleaning.runner import MAP_INPUT, REGISTER_INPUT, CheckResult, Progress, run_loaded
from datdai.compute.base import Engine


@dataclass(slots=True)
class DeliveryRead:
    parcels: object  # ingest.parcels.ParcelLayer
    register: object  # ingest.register_columns.RegisterTable
    config: CheckConfig
    warnings: list[str] = field(default_factory=list)


def read_delivery(parcels: str | Path, register: str | Path,
                  config: str | Path | CheckConfig | None = None) -> DeliveryRead:
    cfg = config if isinstance(config, CheckConfig) else load_config(config)
    layer = read_parcels(parcels, srid=cfg.srid, ma_xa=cfg.ma_xa, so_to=cfg.so_to)
    reg = read_register(register)
    return DeliveryRead(layer, reg, cfg, [*layer.warnings, *reg.warnings])


@dataclass(slots=True)
class DeliveryStreamed:
    parcels: object  # ingest.parcels.ParcelSource (srid, driver, warnings)
    register: object  # ingest.register_columns.RegisterSource (encoding, header_row, columns)
    config: CheckConfig
    map_schema: pa.Schema
    register_schema: pa.Schema

    @property
    def warnings(self) -> list[str]:
        return [*self.parcels.warnings, *self.register.warnings]


def load(engine: Engine, parcels: str | Path, register: str | Path,
         config: str | Path | CheckConfig | None = None) -> DeliveryStreamed:
    """Stream both files into the engine in batches (a file need not fit in memory)."""

    cfg = config if isinstance(config, CheckConfig) else load_config(config)
    pmeta, pbatches = iter_parcel_batches(parcels, srid=cfg.srid, ma_xa=cfg.ma_xa,
                                          so_to=cfg.so_to)
    engine.put_batches(MAP_INPUT, PARCEL_SCHEMA, pbatches)
    rmeta, rbatches = iter_register_batches(register)
    rschema = pa.schema([(n, REGISTER_SCHEMA.field(n).type if n in REGISTER_SCHEMA.names
                          else pa.string()) for n in rmeta.columns])
    engine.put_batches(REGISTER_INPUT, rschema, rbatches)
    return DeliveryStreamed(pmeta, rmeta, cfg, PARCEL_SCHEMA, rschema)


def check_delivery(parcels: str | Path, register: str | Path, *, engine: Engine,
                   config: str | Path | CheckConfig | None = None,
                   progress: Progress | None = None) -> tuple[CheckResult, DeliveryStreamed]:
    """Read (streaming) and check a delivery; the findings are the only thing kept whole."""
    d = load(engine, parcels, register, config)
    result = run_loaded(engine, d.map_schema, d.register_schema, config=d.config,
                        progress=progress)
    return result, d
