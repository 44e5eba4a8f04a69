"""Checking a delivery from its files: read, then run the rules (``datdai check``)."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from datdai.engines.base import Engine
from datdai.quality.config import CheckConfig, load_config
from datdai.quality.runner import CheckResult, Progress, run_rules


@dataclass(slots=True)
class DeliveryRead:
    parcels: object  # ingest.parcels.ParcelLayer
    register: object  # ingest.register.RegisterTable
    config: CheckConfig
    warnings: list[str] = field(default_factory=list)


def read_delivery(parcels: str | Path, register: str | Path,
                  config: str | Path | CheckConfig | None = None) -> DeliveryRead:
    from datdai.ingest.parcels import read_parcels
    from datdai.ingest.register import read_register

    cfg = config if isinstance(config, CheckConfig) else load_config(config)
    layer = read_parcels(parcels, srid=cfg.srid, ma_xa=cfg.ma_xa, so_to=cfg.so_to)
    reg = read_register(register)
    return DeliveryRead(layer, reg, cfg, [*layer.warnings, *reg.warnings])


def check_delivery(parcels: str | Path, register: str | Path, *, engine: Engine,
                   config: str | Path | CheckConfig | None = None,
                   progress: Progress | None = None) -> tuple[CheckResult, DeliveryRead]:
    d = read_delivery(parcels, register, config)
    result = run_rules(d.parcels.table, d.register.table, engine=engine, config=d.config,
                       progress=progress)
    return result, d
