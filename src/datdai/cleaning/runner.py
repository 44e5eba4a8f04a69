"""Running the rule catalog over a delivery on an engine.

1. prepare: per-row facts (geometry validity and area, repaired text, name keys, ID
   classification) — vectorised, batch-independent;
2. register the prepared tables with the engine (``ban_do``, ``so_dc``, ``nhan_loai_dat``,
   ``thua``) and compute the overlapping pairs per tile (``chong_lan``);
3. run every enabled rule's SQL; add its code and severity.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from functools import partial

import pyarrow as pa
import pyarrow.compute as pc

from datdai.cleaning.config import CheckConfig
from datdai.cleaning.findings import FINDING_COLUMNS, FINDING_SCHEMA, SORT_TIEBREAK, sort_findings
from datdai.cleaning.overlap import PAIR_SCHEMA, TILE_SCHEMA, overlap_pairs, tiles_for
from datdai.cleaning.prepare import (
    landuse_labels,
    map_schema,
    prepare_map,
    prepare_register,
    register_schema,
)
from datdai.cleaning.progress import commune_figures_sql
from datdai.cleaning.readers.parcel_batches import MAP_ISSUE_SCHEMA
from datdai.cleaning.registry import all_rules, get_rule
from datdai.cleaning.rule import Rule
from datdai.compute.base import Engine, sql_str

Progress = Callable[[str, int, int], None]


@dataclass(slots=True)
class CheckResult:
    findings: pa.Table
    parcels: pa.Table  # distinct parcel keys of the delivery: ma_xa, so_to, so_thua
    rules: list[Rule]
    timings: dict[str, float] = field(default_factory=dict)

    def count_by_rule(self) -> dict[str, int]:
        if self.findings.num_rows == 0:
            return {}
        t = self.findings.group_by("ma_loi").aggregate([([], "count_all")])
        return dict(sorted(zip(t["ma_loi"].to_pylist(), t["count_all"].to_pylist())))


def enabled_rules(config: CheckConfig) -> list[Rule]:
    return [r for r in all_rules() if r.code not in config.disabled]


MAP_INPUT = "giao_nop_ban_do"
REGISTER_INPUT = "giao_nop_so"
MAP_ISSUES = "loi_ban_do"  # the readers' problems of the drawing (MAP_ISSUE_SCHEMA), for MAP_TOPOLOGY


def run_rules(parcels: pa.Table, register: pa.Table, *, engine: Engine,
              config: CheckConfig | None = None, progress: Progress | None = None,
              map_issues: list[dict] | None = None) -> CheckResult:
    """Check a delivery given as the ingest tables (``PARCEL_SCHEMA``, ``REGISTER_SCHEMA``) and
    the reader's problems of the drawing (``MAP_ISSUE_SCHEMA`` rows)."""
    engine.put(MAP_INPUT, parcels)
    engine.put(REGISTER_INPUT, register)
    return run_loaded(engine, parcels.schema, register.schema, config=config, progress=progress,
                      map_issues=map_issues)


def _ticker(progress: Progress | None, steps: int) -> Callable[[int], None]:
    def tick(done: int) -> None:
        if progress:
            progress("Kiểm tra chất lượng / checking", done, steps)
    return tick


def prepare_tables(engine: Engine, map_input: pa.Schema, register_input: pa.Schema,
                   config: CheckConfig, rules: list[Rule], tick: Callable[[int], None]
                   ) -> dict[str, float]:
    """Steps 1–2: the prepared tables the rules query, left in the engine. Returns timings."""
    timings: dict[str, float] = {}
    t0 = time.perf_counter()
    tick(0)

    def map_side() -> None:
        # map features: geometry facts, then the overlapping pairs (GEOS releases the GIL)
        t = time.perf_counter()
        engine.map_batches(MAP_INPUT, prepare_map, map_schema(map_input), "ban_do_hinh")
        cols = ", ".join(n for n in map_schema(map_input).names if n != "geometry")
        engine.create("ban_do", f"SELECT {cols} FROM ban_do_hinh")
        engine.drop(MAP_INPUT)
        timings["prepare_map"] = time.perf_counter() - t
        t = time.perf_counter()
        if any(r.code == "OVERLAP" for r in rules):
            tile = float(get_rule("OVERLAP").settings(config.params_for("OVERLAP"))["tile_size"])
            engine.map_batches("ban_do_hinh", partial(tiles_for, tile_size=tile), TILE_SCHEMA,
                               "o_tiles")
            engine.map_groups("o_tiles", "tile", overlap_pairs, PAIR_SCHEMA, "chong_lan_o")
            engine.create("chong_lan", "SELECT row_a, row_b, max(dien_tich) AS dien_tich,"
                          " max(be_rong) AS be_rong FROM chong_lan_o GROUP BY row_a, row_b")
            engine.drop("o_tiles", "chong_lan_o")
        else:
            engine.put("chong_lan", PAIR_SCHEMA.empty_table())
        timings["overlap_pairs"] = time.perf_counter() - t

    def register_side() -> None:
        t = time.perf_counter()
        engine.map_batches(REGISTER_INPUT, prepare_register, register_schema(register_input),
                           "so_dc")
        engine.drop(REGISTER_INPUT)
        timings["prepare_register"] = time.perf_counter() - t

    # The map side is mostly GEOS, the register side mostly Python: run them side by side.
    with ThreadPoolExecutor(max_workers=2) as pool:
        for f in [pool.submit(map_side), pool.submit(register_side)]:
            f.result()
    timings["prepare+overlap"] = time.perf_counter() - t0
    tick(2)

    t0 = time.perf_counter()
    engine.put("nhan_loai_dat", landuse_labels(
        engine.query("SELECT DISTINCT loai_dat FROM ban_do")["loai_dat"],
        engine.query("SELECT DISTINCT loai_dat FROM so_dc")["loai_dat"]))
    default_scale = int(get_rule("AREA_MISMATCH").settings(
        config.params_for("AREA_MISMATCH"))["default_scale"])
    engine.create("thua", (
        "SELECT ma_xa, so_to, so_thua, coalesce(max(ty_le_ban_do), "
        f"{default_scale}) AS ty_le FROM (SELECT ma_xa, so_to, so_thua, NULL AS ty_le_ban_do"
        " FROM ban_do UNION ALL SELECT ma_xa, so_to, so_thua, ty_le_ban_do FROM so_dc) k"
        " GROUP BY ma_xa, so_to, so_thua"))
    engine.drop("ban_do_hinh")
    timings["keys"] = time.perf_counter() - t0
    tick(3)

    return timings


def run_loaded(engine: Engine, map_input: pa.Schema, register_input: pa.Schema, *,
               config: CheckConfig | None = None, progress: Progress | None = None,
               map_issues: list[dict] | None = None) -> CheckResult:
    """Check a delivery already loaded into the engine as :data:`MAP_INPUT` and
    :data:`REGISTER_INPUT` (e.g. streamed in batches by :func:`datdai.cleaning.check.load`);
    the findings come back to this process."""
    config = config or CheckConfig()
    engine.put(MAP_ISSUES, pa.Table.from_pylist(map_issues or [], schema=MAP_ISSUE_SCHEMA))
    rules = enabled_rules(config)
    tick = _ticker(progress, len(rules) + 3)
    timings = prepare_tables(engine, map_input, register_input, config, rules, tick)

    def run_rule(rule: Rule) -> pa.Table:
        t = time.perf_counter()
        sql = rule.query(rule.settings(config.params_for(rule.code)), engine.dialect)
        got = engine.query(sql)
        n = got.num_rows
        got = got.append_column("ma_loi", pa.array([rule.code] * n, pa.string()))
        sev = pc.fill_null(got["muc_do"], rule.severity.value)
        got = got.set_column(got.schema.get_field_index("muc_do"), "muc_do", sev)
        timings[rule.code] = time.perf_counter() - t
        return got.select(list(FINDING_COLUMNS)).cast(FINDING_SCHEMA)

    # Two rules at a time: each query is parallel inside, but not all of it.
    parts: list[pa.Table] = []
    with ThreadPoolExecutor(max_workers=2) as pool:
        for i, got in enumerate(pool.map(run_rule, rules)):
            parts.append(got)
            tick(4 + i)
    findings = pa.concat_tables(parts) if parts else FINDING_SCHEMA.empty_table()
    findings = sort_findings(findings)
    keys = engine.query("SELECT ma_xa, so_to, so_thua FROM thua")
    return CheckResult(findings=findings, parcels=keys, rules=rules, timings=timings)


FINDINGS_TABLE = "loi_du_lieu"


def rule_findings_sql(rule: Rule, config: CheckConfig, dialect) -> str:
    """A rule's query with its code and severity: the columns of :data:`FINDING_COLUMNS`."""
    sql = rule.query(rule.settings(config.params_for(rule.code)), dialect)
    cols = {c: c for c in FINDING_COLUMNS}
    cols["ma_loi"] = f"{sql_str(rule.code)}"
    cols["muc_do"] = f"coalesce(muc_do, {sql_str(rule.severity.value)})"
    return ("SELECT " + ", ".join(f"{e} AS {c}" for c, e in cols.items())
            + f" FROM ({sql}) q")


def findings_order_sql(dialect) -> str:
    """The ORDER BY of :func:`~datdai.cleaning.findings.sort_findings` in SQL (the same total
    order: parcel key numerically, rule, side, row, field, then every other column)."""
    def num(col: str) -> str:
        return (f"CASE WHEN {col} IS NULL THEN NULL WHEN "
                f"{dialect.regex_match(col, '^[0-9]{1,18}$')} THEN CAST({col} AS BIGINT)"
                " ELSE 0 END")
    keys = ["ma_xa", num("so_to"), num("so_thua"), *SORT_TIEBREAK]
    return " ORDER BY " + ", ".join(f"{k} ASC NULLS LAST" for k in keys)


@dataclass(slots=True)
class KeptResult:
    """A check whose findings stay in the engine as :data:`FINDINGS_TABLE` (with the parcel
    keys as ``thua``): written and counted there, never brought whole to this process."""

    engine: Engine
    rules: list[Rule]
    timings: dict[str, float] = field(default_factory=dict)

    def count_by_rule(self) -> dict[str, int]:
        t = self.engine.query(f"SELECT ma_loi, count(*) AS n FROM {FINDINGS_TABLE}"
                              " GROUP BY ma_loi")
        return dict(sorted(zip(t["ma_loi"].to_pylist(), t["n"].to_pylist())))

    def write_csv(self, path) -> None:
        cols = ", ".join(FINDING_COLUMNS)
        self.engine.write_csv(f"SELECT {cols} FROM {FINDINGS_TABLE}"
                              + findings_order_sql(self.engine.dialect), path)

    def commune_figures(self):
        def rows(sql: str) -> list[tuple]:
            t = self.engine.query(sql)
            return list(zip(*(c.to_pylist() for c in t.columns)))
        return commune_figures_sql(rows, FINDINGS_TABLE, "thua")


def run_kept(engine: Engine, map_input: pa.Schema, register_input: pa.Schema, *,
             config: CheckConfig | None = None, progress: Progress | None = None,
             map_issues: list[dict] | None = None) -> KeptResult:
    """:func:`run_loaded`, the findings kept in the engine (an engine with workers elsewhere
    computes, counts and writes them there)."""
    config = config or CheckConfig()
    engine.put(MAP_ISSUES, pa.Table.from_pylist(map_issues or [], schema=MAP_ISSUE_SCHEMA))
    rules = enabled_rules(config)
    tick = _ticker(progress, len(rules) + 3)
    timings = prepare_tables(engine, map_input, register_input, config, rules, tick)
    t = time.perf_counter()
    parts = [rule_findings_sql(r, config, engine.dialect) for r in rules]
    engine.create(FINDINGS_TABLE, " UNION ALL ".join(f"SELECT * FROM ({p}) r{i}"
                                                     for i, p in enumerate(parts))
                  if parts else "SELECT * FROM (SELECT "
                  + ", ".join(f"CAST(NULL AS {'BIGINT' if c == 'dong' else 'STRING'}) AS {c}"
                              for c in FINDING_COLUMNS) + ") e WHERE 1 = 0")
    timings["rules"] = time.perf_counter() - t
    tick(3 + len(rules))
    return KeptResult(engine, rules, timings)
