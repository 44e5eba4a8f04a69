"""Matching land users with citizens of the population register (issue 4), in DuckDB SQL.

Stages, each with its reason code:

1. ``ID_EXACT`` — the owner's CCCD is a citizen's ``so_dinh_danh``;
2. ``CMND_TO_CCCD`` — the owner's old CMND is a citizen's ``so_cmnd``;

   in both, a name that clearly differs (Jaro–Winkler of the name keys below
   :data:`ID_NAME_MIN`, or of the given names below :data:`ID_GIVEN_MIN`) or a birth year two
   or more years off makes the ID ``ID_BELONGS_TO_OTHER`` → ``CAN_XAC_MINH`` with that citizen as candidate;
3. probabilistic matching (Fellegi–Sunter, computed here in SQL) of the other people: candidates
   by the blocking rules of :data:`BLOCKS` (name key, given name, birth year or date,
   commune); each pair gets comparison levels (name key, given name, birth, address, gender)
   whose log-likelihood
   ratios ``log2(m/u)`` are trained from the free labels of stage 1 (m) and random pairs (u).

A citizen given ``KHOP`` to owner rows whose names differ sends all those rows to review.
Organisations (``la_to_chuc``) never match a citizen.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import duckdb
import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

KHOP = "KHOP"
CAN_XAC_MINH = "CAN_XAC_MINH"
KHONG_KHOP = "KHONG_KHOP"

ID_NAME_MIN = 0.80  # below this Jaro–Winkler of name keys (and another given name): not the same
ID_GIVEN_MIN = 0.85  # …or a given name this far: another person (siblings share the rest)
FUZZY_NAME = 0.92
T_MATCH = 12.0  # match weight (bits) for KHOP
T_REVIEW = 6.0  # match weight (bits) below which a best candidate is KHONG_KHOP
MARGIN = 6.0  # bits between the best and the second candidate for KHOP
ID_TYPO_EDITS = 3  # a recorded CCCD this far from a candidate's number is another person's
U_SAMPLE = 200_000  # random pairs for the u-probabilities
MEMORY_LIMIT = "6GB"  # DuckDB's own; spills to disk beyond
MIN_LABELS = 200  # fewer exact-ID matches than this: the default weights below
# log2(m/u) trained on a synthetic province (seed 7), used when a file has too few labels
DEFAULT_WEIGHTS = {
    ("name", "exact"): 11.0, ("name", "fuzzy"): -4.0, ("name", "other"): -11.0,
    ("given", "same"): 6.0, ("given", "other"): -10.0,
    ("birth", "date"): 12.5, ("birth", "year"): 5.3, ("birth", "near"): -4.5,
    ("birth", "other"): -12.5,
    ("commune", "village"): 2.0, ("commune", "same"): 0.5, ("commune", "other"): -9.9,
    ("gender", "same"): 1.0, ("gender", "other"): -11.0,
}

# blocking rules of the probabilistic stage (t = owner, p = citizen); their union is compared.
# Given name with birth year or commune alone explodes on a province (Vietnamese given names
# and surnames are few: 113M pairs and 178 s on 1.44M owners × 2.67M citizens, against 4.2M
# pairs here at the same blocking recall): every rule pairs two keys, one of them selective.
BLOCKS = (
    "t.ten_khoa = p.ten_khoa AND t.nam_sinh_nam = p.nam_sinh_nam",
    "t.ten_khoa = p.ten_khoa AND t.xa_moi = p.xa_moi",
    "t.ten_khoa = p.ten_khoa AND t.xa_moi = p.xa_moi_hien_tai",
    "t.ten = p.ten AND t.nam_sinh_nam = p.nam_sinh_nam AND t.xa_moi = p.xa_moi",
    "t.ngay_sinh_day = p.ngay_sinh_day AND t.ten = p.ten",
    "t.ngay_sinh_day = p.ngay_sinh_day AND t.ho = p.ho",
)

RESULT_COLUMNS = ("ma_dong", "ket_qua", "so_dinh_danh", "diem", "ly_do",
                  "ho_ten_chuan", "ngay_sinh_chuan", "gioi_tinh_chuan", "cccd_chuan")

# comparison levels, as SQL over a pair (o = owner, p = citizen)
COMPARISONS = {
    "name": f"""CASE WHEN o.ten_khoa IS NULL OR p.ten_khoa IS NULL THEN 'null'
        WHEN o.ten_khoa = p.ten_khoa THEN 'exact'
        WHEN jaro_winkler_similarity(o.ten_khoa, p.ten_khoa) >= {FUZZY_NAME} THEN 'fuzzy'
        ELSE 'other' END""",
    "given": """CASE WHEN o.ten IS NULL OR p.ten IS NULL THEN 'null'
        WHEN o.ten = p.ten THEN 'same' ELSE 'other' END""",
    "birth": """CASE WHEN o.nam_sinh_nam IS NULL OR p.nam_sinh_nam IS NULL THEN 'null'
        WHEN o.ngay_sinh_day IS NOT NULL AND p.ngay_sinh_day IS NOT NULL
             AND o.ngay_sinh_day = p.ngay_sinh_day THEN 'date'
        WHEN o.nam_sinh_nam = p.nam_sinh_nam THEN 'year'
        WHEN abs(o.nam_sinh_nam - p.nam_sinh_nam) = 1 THEN 'near'
        ELSE 'other' END""",
    "commune": """CASE WHEN o.xa_moi IS NULL OR (p.xa_moi IS NULL AND p.xa_moi_hien_tai IS NULL)
             THEN 'null'
        WHEN (o.xa_moi = p.xa_moi AND o.thon = p.thon)
             OR (o.xa_moi = p.xa_moi_hien_tai AND o.thon = p.thon_hien_tai) THEN 'village'
        WHEN o.xa_moi = p.xa_moi OR o.xa_moi = p.xa_moi_hien_tai THEN 'same'
        ELSE 'other' END""",
    "gender": """CASE WHEN o.gioi_tinh_suy_ra IS NULL OR p.gioi_tinh_chuan IS NULL THEN 'null'
        WHEN o.gioi_tinh_suy_ra = p.gioi_tinh_chuan THEN 'same' ELSE 'other' END""",
}
LEVELS = {
    "name": ("exact", "fuzzy", "other"),
    "given": ("same", "other"),
    "birth": ("date", "year", "near", "other"),
    "commune": ("village", "same", "other"),
    "gender": ("same", "other"),
}
# reason codes of the levels that speak for a match (or against it)
REASONS = {
    ("name", "exact"): "NAME_EXACT", ("name", "fuzzy"): "NAME_FUZZY",
    ("birth", "date"): "BIRTH_DATE_MATCH", ("birth", "year"): "BIRTH_YEAR_MATCH",
    ("birth", "near"): "BIRTH_YEAR_NEAR", ("birth", "other"): "BIRTH_YEAR_CONFLICT",
    ("birth", "null"): "BIRTH_YEAR_MISSING", ("commune", "same"): "COMMUNE_MATCH",
    ("commune", "village"): "ADDRESS_MATCH",
}

OWNER_COLS = ("ten_khoa", "ho", "ten", "nam_sinh_nam", "ngay_sinh_day", "id_loai", "id_so",
              "gioi_tinh_suy_ra", "xa_moi", "la_to_chuc")
POP_COLS = ("so_dinh_danh", "ho_ten", "ngay_sinh", "ten_khoa", "ho", "ten", "nam_sinh_nam",
            "ngay_sinh_day", "gioi_tinh_chuan", "cmnd_so", "xa_moi", "xa_moi_hien_tai")


@dataclass
class MatchResult:
    table: pa.Table  # RESULT_COLUMNS, one row per owners row, same order
    weights: dict[tuple[str, str], float] = field(default_factory=dict)
    counts: dict[str, int] = field(default_factory=dict)
    # (ma_dong, so_dinh_danh) of every blocked candidate pair, when asked (keep_pairs=True)
    pairs: pa.Table | None = None


def _first_part(values) -> pa.Array:
    """The first part of an address (hamlet, house and street), diacritics and case folded:
    two namesakes of a commune seldom share it."""
    from datdai.quality.prepare import name_key

    first = pc.utf8_trim_whitespace(pc.list_element(pc.split_pattern(
        pc.fill_null(values.combine_chunks(), ""), ","), 0))
    key = name_key(first)
    return pc.if_else(pc.equal(first, ""), pa.scalar(None, pa.string()), key)


def _features_sql() -> str:
    return ",\n".join(f"({sql}) AS f_{name}" for name, sql in COMPARISONS.items())


def _train(con: duckdb.DuckDBPyConnection, seed: int) -> dict[tuple[str, str], float]:
    """log2(m/u) per comparison level: m from the stage-1 pairs (ID matches that agree), u from
    random owner × citizen pairs. ``null`` levels weigh 0."""
    feats = _features_sql()
    con.execute(f"""CREATE OR REPLACE TEMP TABLE m_pairs AS
        SELECT {feats} FROM id_pairs x JOIN o ON o.i = x.i JOIN p ON p.j = x.j
        WHERE NOT x.conflict""")
    n_o = con.execute("SELECT count(*) FROM o WHERE NOT coalesce(la_to_chuc, false)").fetchall()[0][0]
    n_p = con.execute("SELECT count(*) FROM p").fetchall()[0][0]
    rng = np.random.default_rng(seed)
    person_rows = np.array([r[0] for r in con.execute(
        "SELECT i FROM o WHERE NOT coalesce(la_to_chuc, false) ORDER BY i").fetchall()], dtype=np.int64)
    n_m = con.execute("SELECT count(*) FROM m_pairs").fetchall()[0][0]
    weights = dict(DEFAULT_WEIGHTS)
    weights.update({(name, "null"): 0.0 for name in LEVELS})
    if n_o == 0 or n_p == 0 or n_m < MIN_LABELS:
        return weights
    pairs = pa.table({"i": rng.choice(person_rows, U_SAMPLE),
                      "j": rng.integers(0, n_p, U_SAMPLE, dtype=np.int64)})
    con.register("u_idx", pairs)
    con.execute(f"""CREATE OR REPLACE TEMP TABLE u_pairs AS
        SELECT {feats} FROM u_idx x JOIN o ON o.i = x.i JOIN p ON p.j = x.j""")
    con.unregister("u_idx")
    for name, levels in LEVELS.items():
        m = dict(con.execute(f"SELECT f_{name}, count(*) FROM m_pairs WHERE f_{name} <> 'null' "
                             f"GROUP BY 1").fetchall())
        u = dict(con.execute(f"SELECT f_{name}, count(*) FROM u_pairs WHERE f_{name} <> 'null' "
                             f"GROUP BY 1").fetchall())
        m_n, u_n = sum(m.values()), sum(u.values())
        for level in levels:
            # Laplace smoothing: a level never seen among matches is not impossible
            pm = (m.get(level, 0) + 0.5) / (m_n + 0.5 * len(levels))
            pu = (u.get(level, 0) + 0.5) / (u_n + 0.5 * len(levels))
            weights[(name, level)] = math.log2(pm / pu)
        weights[(name, "null")] = 0.0
    return weights


def _weight_sql(weights: dict[tuple[str, str], float]) -> str:
    terms = []
    for name in LEVELS:
        cases = " ".join(f"WHEN '{lvl}' THEN {w!r}" for (n, lvl), w in weights.items() if n == name)
        terms.append(f"(CASE f_{name} {cases} ELSE 0.0 END)")
    return " + ".join(terms)


def match(owners: pa.Table, population: pa.Table, *, seed: int = 0,
          t_match: float = T_MATCH, t_review: float = T_REVIEW,
          margin: float = MARGIN, keep_pairs: bool = False) -> MatchResult:
    """Match normalised owners (:func:`~datdai.reconcile.normalise.normalise_owners`) with a
    normalised population extract; the result has one row per owners row, in their order."""
    con = duckdb.connect(config={"memory_limit": MEMORY_LIMIT,
                                 "preserve_insertion_order": False})
    try:
        result = _match(con, owners, population, seed, t_match, t_review, margin)
        if keep_pairs:
            result.pairs = con.sql("""SELECT o.ma_dong, p.so_dinh_danh FROM cand c
                JOIN o ON o.i = c.i JOIN p ON p.j = c.j""").to_arrow_table()
        return result
    finally:
        con.close()


def _match(con, owners, population, seed, t_match, t_review, margin) -> MatchResult:
    o_tab = owners.select(["ma_dong", *OWNER_COLS]).append_column(
        "i", pa.array(np.arange(owners.num_rows, dtype=np.int64))).append_column(
        "thon", _first_part(owners["dia_chi_chu"]))
    p_tab = population.select(list(POP_COLS)).append_column(
        "j", pa.array(np.arange(population.num_rows, dtype=np.int64))).append_column(
        "thon", _first_part(population["thuong_tru"])).append_column(
        "thon_hien_tai", _first_part(population["noi_o_hien_tai"]))
    con.register("o_arrow", o_tab)
    con.register("p_arrow", p_tab)
    con.execute("CREATE TEMP TABLE o AS SELECT * FROM o_arrow")
    con.execute("CREATE TEMP TABLE p AS SELECT * FROM p_arrow")
    con.unregister("o_arrow")
    con.unregister("p_arrow")

    # -- stages 1 and 2: exact IDs -------------------------------------------------------------
    con.execute(f"""CREATE TEMP TABLE id_pairs AS
        WITH pairs AS (
            SELECT o.i, p.j, 'ID_EXACT' AS stage FROM o JOIN p ON o.id_so = p.so_dinh_danh
            WHERE o.id_loai = 'CCCD' AND NOT coalesce(o.la_to_chuc, false)
            UNION ALL
            SELECT o.i, p.j, 'CMND_TO_CCCD' FROM o JOIN p ON o.id_so = p.cmnd_so
            WHERE o.id_loai = 'CMND' AND NOT coalesce(o.la_to_chuc, false))
        SELECT x.i, x.j, x.stage,
            (o.ten_khoa IS NOT NULL AND p.ten_khoa IS NOT NULL
             AND (jaro_winkler_similarity(o.ten_khoa, p.ten_khoa) < {ID_NAME_MIN}
                  OR jaro_winkler_similarity(o.ten, p.ten) < {ID_GIVEN_MIN})) AS name_conflict,
            coalesce(abs(o.nam_sinh_nam - p.nam_sinh_nam) >= 2, false) AS birth_conflict,
            name_conflict OR birth_conflict AS conflict,
            count(*) OVER (PARTITION BY x.i) AS n_ids
        FROM pairs x JOIN o ON o.i = x.i JOIN p ON p.j = x.j""")
    weights = _train(con, seed)
    wsql = _weight_sql(weights)

    # -- stage 3: blocking and scoring ---------------------------------------------------------
    con.execute("""CREATE TEMP TABLE todo AS SELECT o.* FROM o
        WHERE NOT coalesce(la_to_chuc, false)
          AND i NOT IN (SELECT i FROM id_pairs WHERE NOT conflict AND n_ids = 1)""")
    blocks = "\n        UNION\n        ".join(
        f"SELECT t.i, p.j FROM todo t JOIN p ON {on}" for on in BLOCKS)
    con.execute(f"""CREATE TEMP TABLE cand AS
        {blocks}""")
    con.execute(f"""CREATE TEMP TABLE scored AS
        WITH f AS (SELECT c.i, c.j, {_features_sql()} FROM cand c
                   JOIN todo o ON o.i = c.i JOIN p ON p.j = c.j)
        SELECT *, {wsql} AS w,
            row_number() OVER (PARTITION BY i ORDER BY {wsql} DESC, j) AS rk
        FROM f""")
    # prior odds of a match among blocked pairs: about one citizen per owner row
    n_todo, n_cand = con.execute("SELECT (SELECT count(*) FROM todo), (SELECT count(*) FROM cand)"
                                 ).fetchall()[0]
    prior = math.log2(max(n_todo, 1) / max(n_cand - n_todo, 1)) if n_cand > n_todo else 0.0
    reason_sql = " || ".join(
        f"(CASE WHEN f_{n} = '{lvl}' THEN ';{code}' ELSE '' END)" for (n, lvl), code in REASONS.items())
    con.execute(f"""CREATE TEMP TABLE prob AS
        WITH top AS (SELECT i,
                max(w) FILTER (WHERE rk = 1) AS w1,
                max(w) FILTER (WHERE rk = 2) AS w2,
                max(j) FILTER (WHERE rk = 1) AS j1,
                max(substr({reason_sql}, 2)) FILTER (WHERE rk = 1) AS why,
                list(j ORDER BY rk) FILTER (WHERE rk <= 5 AND w >= {t_review}) AS close_js
            FROM scored GROUP BY i)
        SELECT top.i, w1, w2, j1, close_js,
            -- a valid CCCD on record that is not the candidate's number (beyond a typo)
            coalesce(o.id_loai = 'CCCD'
                     AND levenshtein(o.id_so, p.so_dinh_danh) > {ID_TYPO_EDITS}, false)
            OR coalesce(o.id_loai = 'CMND'
                     AND levenshtein(o.id_so, p.cmnd_so) > {ID_TYPO_EDITS}, false) AS id_other,
            why || CASE WHEN id_other THEN ';ID_CONFLICT' ELSE '' END AS why,
            CASE WHEN w1 >= {t_match} AND (w2 IS NULL OR w2 <= w1 - {margin}) AND NOT id_other
                 THEN '{KHOP}'
                 WHEN w1 >= {t_review} THEN '{CAN_XAC_MINH}'
                 ELSE '{KHONG_KHOP}' END AS ket_qua,
            1.0 / (1.0 + pow(2.0, -(w1 + {prior}))) AS diem
        FROM top JOIN o ON o.i = top.i LEFT JOIN p ON p.j = top.j1""")

    # -- decisions -----------------------------------------------------------------------------
    con.execute(f"""CREATE TEMP TABLE decided AS
        WITH idd AS (SELECT i,
                min(j) AS j1, bool_or(conflict) AS conflict, max(n_ids) AS n_ids,
                any_value(stage) AS stage, list(j ORDER BY j) AS js
            FROM id_pairs GROUP BY i)
        SELECT o.i,
            CASE WHEN coalesce(o.la_to_chuc, false) THEN '{KHONG_KHOP}'
                 WHEN idd.i IS NOT NULL AND NOT idd.conflict AND idd.n_ids = 1 THEN '{KHOP}'
                 WHEN idd.i IS NOT NULL THEN '{CAN_XAC_MINH}'
                 ELSE coalesce(pr.ket_qua, '{KHONG_KHOP}') END AS ket_qua,
            CASE WHEN idd.i IS NOT NULL AND NOT idd.conflict AND idd.n_ids = 1 THEN idd.j1
                 WHEN idd.i IS NULL AND pr.ket_qua = '{KHOP}' THEN pr.j1 END AS j,
            CASE WHEN coalesce(o.la_to_chuc, false) THEN []::BIGINT[]
                 WHEN idd.i IS NOT NULL AND NOT idd.conflict AND idd.n_ids = 1 THEN [idd.j1]
                 -- the probabilistic candidates best first (close_js holds only those at
                 -- or above T_review), then the ID's holders
                 WHEN idd.i IS NOT NULL THEN coalesce(pr.close_js, []::BIGINT[]) || list_filter(
                      idd.js, lambda x: NOT list_contains(coalesce(pr.close_js, []::BIGINT[]), x))
                 WHEN pr.ket_qua = '{CAN_XAC_MINH}' THEN pr.close_js
                 ELSE []::BIGINT[] END AS js,
            CASE WHEN coalesce(o.la_to_chuc, false) THEN 0.0
                 WHEN idd.i IS NOT NULL AND NOT idd.conflict AND idd.n_ids = 1 THEN 1.0
                 WHEN idd.i IS NOT NULL THEN coalesce(pr.diem, 0.5)
                 ELSE coalesce(pr.diem, 0.0) END AS diem,
            CASE WHEN coalesce(o.la_to_chuc, false) THEN 'ORGANISATION'
                 WHEN idd.i IS NOT NULL AND NOT idd.conflict AND idd.n_ids = 1 THEN idd.stage
                 WHEN idd.i IS NOT NULL AND idd.n_ids > 1 THEN idd.stage || ';MULTIPLE_CANDIDATES'
                 WHEN idd.i IS NOT NULL THEN 'ID_BELONGS_TO_OTHER'
                 WHEN pr.ket_qua = '{KHOP}' THEN pr.why
                 WHEN pr.ket_qua = '{CAN_XAC_MINH}' AND pr.w2 > pr.w1 - {margin}
                      THEN 'MULTIPLE_CANDIDATES;' || pr.why
                 WHEN pr.ket_qua = '{CAN_XAC_MINH}' THEN 'LOW_SCORE;' || pr.why
                 ELSE 'NO_CANDIDATE' END AS ly_do
        FROM o LEFT JOIN idd ON idd.i = o.i LEFT JOIN prob pr ON pr.i = o.i""")
    # the same citizen given to owner rows whose names differ: all of them to review
    con.execute(f"""UPDATE decided SET ket_qua = '{CAN_XAC_MINH}', js = [decided.j], j = NULL,
            ly_do = ly_do || ';SAME_CITIZEN_OTHER_NAME'
        FROM (SELECT d.j FROM decided d JOIN o ON o.i = d.i WHERE d.ket_qua = '{KHOP}'
              GROUP BY d.j HAVING count(DISTINCT o.ten_khoa) > 1) s
        WHERE decided.j = s.j AND decided.ket_qua = '{KHOP}'""")
    result = con.sql(f"""
        SELECT o.ma_dong, d.ket_qua,
            CASE WHEN d.ket_qua = '{KHOP}' THEN p.so_dinh_danh
                 WHEN d.ket_qua = '{CAN_XAC_MINH}' THEN (
                    SELECT string_agg(pc.so_dinh_danh, ';' ORDER BY u.k)
                    FROM unnest(d.js) WITH ORDINALITY AS u(jj, k) JOIN p pc ON pc.j = u.jj)
                 ELSE '' END AS so_dinh_danh,
            round(d.diem, 4) AS diem, d.ly_do,
            CASE WHEN d.ket_qua = '{KHOP}' THEN p.ho_ten ELSE '' END AS ho_ten_chuan,
            CASE WHEN d.ket_qua = '{KHOP}' THEN p.ngay_sinh ELSE '' END AS ngay_sinh_chuan,
            CASE WHEN d.ket_qua = '{KHOP}' THEN p.gioi_tinh_chuan ELSE '' END AS gioi_tinh_chuan,
            CASE WHEN d.ket_qua = '{KHOP}' THEN p.so_dinh_danh ELSE '' END AS cccd_chuan
        FROM o JOIN decided d ON d.i = o.i LEFT JOIN p ON p.j = d.j
        ORDER BY o.i""").to_arrow_table()
    counts = dict(con.execute("SELECT ket_qua, count(*) FROM decided GROUP BY 1").fetchall())
    counts["cap_ung_vien"] = n_cand
    return MatchResult(table=result, weights=weights, counts=counts)
