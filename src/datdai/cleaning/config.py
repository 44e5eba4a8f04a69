"""The configuration of a check (``--config FILE``, TOML).

```toml
[delivery]            # or [giao_nop]
province = "Bình Phước"   # the province's TM-3 zone, for files without a usable CRS
# srid = 9212             # or the zone's SRID directly
# ma_xa = "25195"         # DGN only: commune and sheet when the file name does not say
# so_to = "12"

[rules]               # or [quy_tac]
disabled = ["OWNER_MISMATCH"]

[rules.AREA_MISMATCH]
factor = 2.0
default_scale = 1000

[rules.OVERLAP]
min_area = 1.0
min_width_mm = 0.1
```
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from datdai.cleaning.readers.errors import DeliveryError
from datdai.cleaning.registry import all_rules
from datdai.kernel.crs import zone_for_province, zone_for_srid


@dataclass(slots=True)
class CheckConfig:
    srid: int | None = None
    ma_xa: str | None = None
    so_to: str | None = None
    disabled: set[str] = field(default_factory=set)
    rule_params: dict[str, dict[str, Any]] = field(default_factory=dict)
    path: Path | None = None

    def params_for(self, code: str) -> dict[str, Any]:
        return self.rule_params.get(code, {})


def _section(data: dict, *names: str) -> dict:
    for n in names:
        if n in data:
            if not isinstance(data[n], dict):
                raise ValueError(f"mục [{n}] phải là một bảng")
            return data[n]
    return {}


def load_config(path: str | Path | None) -> CheckConfig:
    """Read and validate a configuration file (None → defaults)."""

    if path is None:
        return CheckConfig()
    path = Path(path)
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError as exc:
        raise DeliveryError(path, "không tìm thấy tệp cấu hình / config file not found") from exc
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise DeliveryError(path, f"tệp cấu hình không đúng TOML: {exc}") from exc
    cfg = CheckConfig(path=path)
    try:
        delivery = _section(data, "delivery", "giao_nop")
        if "srid" in delivery:
            cfg.srid = zone_for_srid(int(delivery["srid"])).srid
        elif "province" in delivery or "tinh" in delivery:
            cfg.srid = zone_for_province(str(delivery.get("province", delivery.get("tinh")))).srid
        if delivery.get("ma_xa") is not None:
            cfg.ma_xa = str(delivery["ma_xa"]).strip().zfill(5)
        if delivery.get("so_to") is not None:
            cfg.so_to = str(delivery["so_to"]).strip()
        rules = _section(data, "rules", "quy_tac")
        known = {r.code: r for r in all_rules()}
        disabled = rules.get("disabled", rules.get("tat", []))
        for code in disabled:
            if code not in known:
                raise ValueError(f"không có quy tắc '{code}'")
            cfg.disabled.add(code)
        for code, params in rules.items():
            if code in ("disabled", "tat"):
                continue
            if code not in known:
                raise ValueError(f"không có quy tắc '{code}' (có: {', '.join(known)})")
            if not isinstance(params, dict):
                raise ValueError(f"[rules.{code}] phải là một bảng tham số")
            known[code].settings(params)  # validates names and types
            cfg.rule_params[code] = dict(params)
    except (ValueError, TypeError) as exc:
        raise DeliveryError(path, str(exc)) from exc
    return cfg
