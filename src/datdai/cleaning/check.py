"""Checking a delivery from its files: read, then run the rules (``datdai check``)."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

import pyarrow as pa
import pyarrow.compute as pc
from pyproj import CRS
from pyproj.exceptions import CRSError

from datdai.cleaning.config import CheckConfig, load_config
from datdai.cleaning.readers.parcels import PARCEL_SCHEMA, iter_parcel_batches, read_parcels
from datdai.cleaning.readers.register import iter_register_batches, read_register
from datdai.cleaning.readers.register_columns import REGISTER_SCHEMA
from datdai.cleaning.runner import (
    MAP_INPUT,
    REGISTER_INPUT,
    CheckResult,
    KeptResult,
    Progress,
    run_kept,
    run_loaded,
)
from datdai.compute.base import Engine
from datdai.kernel.admin_units import new_commune, old_commune


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


@cache
def _province_of(commune: str) -> str:
    unit = old_commune(commune) or new_commune(commune)
    code = getattr(unit, "province_code", None) if unit is not None else None
    return code or "00"  # not a known commune: its own folder; the rules report the code


def by_province_and_commune(t: pa.Table) -> dict[str, pa.Array]:
    """The storage keys of a delivery's rows: province (``tinh``, 2 digits, "00" when the
    commune code is unknown) and commune (``xa``, the code as written; "_" when empty)."""
    xa = t["ma_xa"].combine_chunks() if t.num_rows else pa.array([], pa.string())
    xa = pc.if_else(pc.equal(pc.fill_null(xa, ""), ""), "_", xa)
    enc = pc.dictionary_encode(xa)  # once per distinct code
    provinces = pa.array([_province_of(c) for c in enc.dictionary.to_pylist()], pa.string())
    return {"tinh": pc.take(provinces, enc.indices), "xa": xa.cast(pa.string())}


def geoparquet_schema(schema: pa.Schema, srid: int | None) -> pa.Schema:
    """The parcel schema with GeoParquet's ``geo`` metadata (WKB geometry in the zone's CRS)."""
    try:
        crs = CRS.from_epsg(int(srid)).to_json_dict() if srid else None
    except (CRSError, ValueError):
        crs = None  # a zone without an EPSG code: "unknown" rather than a wrong one
    geo = {"version": "1.1.0", "primary_column": "geometry",
           "columns": {"geometry": {"encoding": "WKB", "geometry_types": [], "crs": crs}}}
    return schema.with_metadata({b"geo": json.dumps(geo).encode()})


def load(engine: Engine, parcels: str | Path, register: str | Path,
         config: str | Path | CheckConfig | None = None) -> DeliveryStreamed:
    """Stream both files into the engine in batches (a file need not fit in memory); an engine
    with workers elsewhere stores them by province and commune (GeoParquet for the map)."""

    cfg = config if isinstance(config, CheckConfig) else load_config(config)
    pmeta, pbatches = iter_parcel_batches(parcels, srid=cfg.srid, ma_xa=cfg.ma_xa,
                                          so_to=cfg.so_to)
    engine.put_batches(MAP_INPUT, geoparquet_schema(PARCEL_SCHEMA, pmeta.srid), pbatches,
                       partition=by_province_and_commune)
    rmeta, rbatches = iter_register_batches(register)
    rschema = pa.schema([(n, REGISTER_SCHEMA.field(n).type if n in REGISTER_SCHEMA.names
                          else pa.string()) for n in rmeta.columns])
    engine.put_batches(REGISTER_INPUT, rschema, rbatches, partition=by_province_and_commune)
    return DeliveryStreamed(pmeta, rmeta, cfg, PARCEL_SCHEMA, rschema)


def check_delivery(parcels: str | Path, register: str | Path, *, engine: Engine,
                   config: str | Path | CheckConfig | None = None,
                   progress: Progress | None = None) -> tuple[CheckResult, DeliveryStreamed]:
    """Read (streaming) and check a delivery; the findings are the only thing kept whole."""
    d = load(engine, parcels, register, config)
    result = run_loaded(engine, d.map_schema, d.register_schema, config=d.config,
                        progress=progress, map_issues=d.parcels.issues)
    return result, d


def check_delivery_kept(parcels: str | Path, register: str | Path, *, engine: Engine,
                        config: str | Path | CheckConfig | None = None,
                        progress: Progress | None = None) -> tuple[KeptResult, DeliveryStreamed]:
    """:func:`check_delivery` with the findings left in the engine, to be written and counted
    there (``datdai check``: on Spark the executors write them)."""
    d = load(engine, parcels, register, config)
    result = run_kept(engine, d.map_schema, d.register_schema, config=d.config,
                      progress=progress, map_issues=d.parcels.issues)
    return result, d
