"""Per-commune figures of a check: parcels checked, findings by rule, percentage clean.

A parcel is *clean* when no error (``LOI``) finding names it; warnings (``CANH_BAO``: old land
use codes, name spelling, legacy encodings — mostly fixed automatically) do not count.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

import duckdb
import pyarrow as pa


@dataclass(slots=True)
class CommuneFigures:
    ma_xa: str
    parcels: int
    parcels_with_errors: int
    findings: int
    auto_fixable: int
    by_rule: dict[str, int] = field(default_factory=dict)

    @property
    def clean_pct(self) -> float:
        return 100.0 * (self.parcels - self.parcels_with_errors) / self.parcels if self.parcels else 0.0


def commune_figures(findings: pa.Table, parcels: pa.Table) -> list[CommuneFigures]:
    """Figures per commune from a check's findings and the delivery's parcel keys."""
    con = duckdb.connect()
    try:
        con.register("f", findings)
        con.register("p", parcels)
        return commune_figures_sql(lambda sql: con.sql(sql).fetchall(), "f", "p")
    finally:
        con.close()


def commune_figures_sql(rows: Callable[[str], list[tuple]], findings: str,
                        parcels: str) -> list[CommuneFigures]:
    """Figures per commune, computed where the tables ``findings`` and ``parcels`` (keys ma_xa,
    so_to, so_thua) are — SQL both DuckDB and Spark run; ``rows(sql)`` returns the result."""
    base = rows(
        "SELECT p.ma_xa, count(*) AS parcels,"
        " sum(CASE WHEN e.ma_xa IS NULL THEN 0 ELSE 1 END) AS with_errors"
        f" FROM {parcels} p LEFT JOIN (SELECT DISTINCT ma_xa, so_to, so_thua FROM {findings}"
        " WHERE muc_do = 'LOI') e ON e.ma_xa = p.ma_xa AND e.so_to = p.so_to"
        " AND (e.so_thua = p.so_thua OR (e.so_thua IS NULL AND p.so_thua IS NULL))"
        " GROUP BY p.ma_xa ORDER BY p.ma_xa")
    rules = rows(
        "SELECT ma_xa, ma_loi, count(*) AS n, sum(CASE WHEN sua_tu_dong = 'CO' THEN 1 ELSE 0 END)"
        f" FROM {findings} GROUP BY ma_xa, ma_loi ORDER BY ma_xa, ma_loi")
    out = {m: CommuneFigures(m, int(n), int(e or 0), 0, 0) for m, n, e in base}
    for m, rule, n, auto in rules:
        fig = out.setdefault(m, CommuneFigures(m, 0, 0, 0, 0))
        fig.by_rule[rule] = int(n)
        fig.findings += int(n)
        fig.auto_fixable += int(auto or 0)
    return [out[m] for m in sorted(out, key=lambda m: (m is None, m or ""))]
