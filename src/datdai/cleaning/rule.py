"""A quality rule: stable code, target, severity, parameters, and how it runs.

Two kinds (FAO SOLA's "business rules as data", LADM-COL's one-rule-per-file catalog):

* ``sql`` rules return a query over the prepared tables (``ban_do`` — map features,
  ``so_dc`` — register rows, ``nhan_loai_dat`` — land use labels, ``thua`` — parcel keys with
  their map scale, ``chong_lan`` — overlapping pairs) written through the engine's
  :class:`~datdai.compute.base.Dialect`, so one text runs on DuckDB and on Spark;
* ``pairs`` is the one geometry rule that needs pairs of parcels (overlap): the runner
  computes the pairs per partition and the rule's SQL formats them.

Every query returns :data:`~datdai.cleaning.findings.RULE_OUTPUT_COLUMNS`; the runner adds the
rule's code and severity.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from datdai.cleaning.findings import RULE_OUTPUT_COLUMNS, Severity, Target
from datdai.compute.base import Dialect


@dataclass(frozen=True, slots=True)
class Param:
    name: str
    default: Any
    help: str  # Vietnamese


@dataclass(frozen=True, slots=True)
class Rule:
    code: str
    title: str  # Vietnamese, short
    target: Target
    severity: Severity
    description: str  # Vietnamese: what it finds and how
    query: Callable[[Mapping[str, Any], Dialect], str]
    params: tuple[Param, ...] = ()
    auto_fix: bool = False  # some of its findings carry a safe automatic fix
    # about the map's geometry or parcels (the report's spatial side), not the attribute data
    spatial: bool = False
    order: int = 100

    def settings(self, overrides: Mapping[str, Any] | None = None) -> dict[str, Any]:
        """Parameter values: defaults, then the configuration's overrides (unknown names refused)."""
        values = {p.name: p.default for p in self.params}
        for k, v in (overrides or {}).items():
            if k not in values:
                raise ValueError(
                    f"quy tắc {self.code} không có tham số '{k}' (có: {', '.join(values) or '—'})")
            default = values[k]
            if isinstance(default, bool) or default is None:
                values[k] = v
            elif isinstance(default, (int, float)):
                try:
                    values[k] = type(default)(v)
                except (TypeError, ValueError) as exc:
                    raise ValueError(f"quy tắc {self.code}: tham số '{k}' phải là số") from exc
            else:
                values[k] = v
        return values


def select(**exprs: str) -> str:
    """The SELECT list of a rule's query: every output column, NULL where not given."""

    unknown = set(exprs) - set(RULE_OUTPUT_COLUMNS) - {"muc_do"}
    if unknown:
        raise ValueError(f"cột không có trong kết quả: {sorted(unknown)}")
    cols = []
    for c in RULE_OUTPUT_COLUMNS + ("muc_do",):
        e = exprs.get(c, "NULL")
        typ = "BIGINT" if c == "dong" else "STRING"
        cols.append(f"CAST({e} AS {typ}) AS {c}")
    return "SELECT " + ", ".join(cols)


def txt(expr: str) -> str:
    """A nullable value inside concat(): empty when null (DuckDB and Spark differ on NULL)."""
    return f"coalesce(CAST({expr} AS STRING), '')"


def num(expr: str, digits: int = 1) -> str:
    return f"coalesce(printf('%.{digits}f', {expr}), '')"
