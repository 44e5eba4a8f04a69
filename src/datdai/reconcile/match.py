"""Matching land users with citizens of the population register (issue 4).

Stages, each with its reason code:

1. ``ID_EXACT`` — the owner's CCCD is a citizen's ``so_dinh_danh``;
2. ``CMND_TO_CCCD`` — the owner's old CMND is a citizen's ``so_cmnd``; ``CMND_TO_CCCD_QR`` —
   a scanned CCCD card QR links the owner's old CMND to the citizen's number
   (:mod:`datdai.reconcile.qr_evidence`);

   in both, a name that clearly differs (Jaro–Winkler of the name keys below
   :data:`ID_NAME_MIN`, or of the given names below :data:`ID_GIVEN_MIN`) or a birth year two
   or more years off makes the ID ``ID_BELONGS_TO_OTHER`` → ``CAN_XAC_MINH`` with that citizen as
   candidate;
3. probabilistic matching of the other people with a Splink model
   (:mod:`datdai.reconcile.model`): candidates by the blocking rules of
   :data:`~datdai.reconcile.model.BLOCKS` (name key, given name, birth year or date, commune),
   scored on name key, given name, birth, address and gender, with m trained on the free labels
   of stages 1–2 and u on random pairs.

Stages 1–3 run on DuckDB or on Spark (:mod:`datdai.reconcile.backends`); the decisions over the
:data:`TOP_K` best candidates of each owner row are then taken in DuckDB by :func:`_decide`:
``KHOP`` needs :data:`T_MATCH` bits and a margin of :data:`MARGIN` bits over the second
candidate, and no recorded ID that contradicts the candidate (``ID_CONFLICT``). A citizen given
``KHOP`` to owner rows whose names differ sends all those rows to review. Organisations
(``la_to_chuc``) never match a citizen.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from datdai.reconcile.backends import backend
from datdai.reconcile.model import BLOCKS, LEVELS, Model, level_sql
from datdai.reconcile.qr_evidence import QR_SCHEMA

KHOP = "KHOP"
CAN_XAC_MINH = "CAN_XAC_MINH"
KHONG_KHOP = "KHONG_KHOP"

ID_NAME_MIN = 0.80  # below this Jaro–Winkler of name keys (and another given name): not the same
ID_GIVEN_MIN = 0.85  # …or a given name this far: another person (siblings share the rest)
T_MATCH = 12.0  # match weight (bits) for KHOP
T_REVIEW = 6.0  # match weight (bits) below which a best candidate is KHONG_KHOP
MARGIN = 6.0  # bits between the best and the second candidate for KHOP
ID_TYPO_EDITS = 3  # a recorded CCCD this far from a candidate's number is another person's
TOP_K = 5  # scored candidates per owner row kept for the decisions

RESULT_COLUMNS = ("ma_dong", "ket_qua", "so_dinh_danh", "diem", "ly_do",
                  "ho_ten_chuan", "ngay_sinh_chuan", "gioi_tinh_chuan", "cccd_chuan")

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


def match(owners: pa.Table, population: pa.Table, *, seed: int = 0,
          t_match: float = T_MATCH, t_review: float = T_REVIEW,
          margin: float = MARGIN, keep_pairs: bool = False,
          engine: str = "duckdb", qr: pa.Table | None = None) -> MatchResult:
    """Match normalised owners (:func:`~datdai.reconcile.normalise.normalise_owners`) with a
    normalised population extract; the result has one row per owners row, in their order.
    ``engine`` is ``duckdb`` (this process) or ``spark`` (:mod:`datdai.reconcile.backends`);
    ``qr`` holds scanned CCCD QR codes (:func:`~datdai.reconcile.qr_evidence.read_qr_evidence`)
    whose CMND → CCCD links are the stage ``CMND_TO_CCCD_QR``."""
    be = backend(engine)
    try:
        weights, n_todo, n_cand = _candidates(be, owners, population, seed, qr)
        names = ("id_pairs", "scored") + (("cand",) if keep_pairs else ())
        con = be.local(names)
        result = _decide(con, weights, n_todo, n_cand, t_match, t_review, margin)
        if keep_pairs:
            result.pairs = con.sql("""SELECT o.ma_dong, p.so_dinh_danh FROM cand c
                JOIN o ON o.i = c.uid_l JOIN p ON p.j = c.uid_r""").to_arrow_table()
        return result
    finally:
        be.close()


def _candidates(be, owners: pa.Table, population: pa.Table, seed: int,
                qr: pa.Table | None = None):
    """Stages 1–2 (table ``id_pairs``) and the scored candidates of stage 3, at most
    :data:`TOP_K` per owner row (table ``scored``), on the backend; returns the trained
    weights and the counts of owner rows left after stage 2 and of blocked pairs."""
    o_tab = owners.select(["ma_dong", *OWNER_COLS]).append_column(
        "i", pa.array(np.arange(owners.num_rows, dtype=np.int64))).append_column(
        "thon", _first_part(owners["dia_chi_chu"]))
    p_tab = population.select(list(POP_COLS)).append_column(
        "j", pa.array(np.arange(population.num_rows, dtype=np.int64))).append_column(
        "thon", _first_part(population["thuong_tru"])).append_column(
        "thon_hien_tai", _first_part(population["noi_o_hien_tai"]))
    be.put("o", o_tab)
    be.put("p", p_tab)
    be.put("q", (qr if qr is not None else QR_SCHEMA.empty_table()).select(
        ["so_dinh_danh", "so_cmnd"]))
    jw = be.jaro_winkler

    # -- stages 1 and 2: exact IDs -------------------------------------------------------------
    be.create("id_pairs", f"""
        WITH found AS (
            SELECT o.i, p.j, 'ID_EXACT' AS stage FROM o JOIN p ON o.id_so = p.so_dinh_danh
            WHERE o.id_loai = 'CCCD' AND NOT coalesce(o.la_to_chuc, false)
            UNION ALL
            SELECT o.i, p.j, 'CMND_TO_CCCD' AS stage FROM o JOIN p ON o.id_so = p.cmnd_so
            WHERE o.id_loai = 'CMND' AND NOT coalesce(o.la_to_chuc, false)
            UNION ALL
            SELECT o.i, p.j, 'CMND_TO_CCCD_QR' AS stage FROM o JOIN q ON o.id_so = q.so_cmnd
            JOIN p ON p.so_dinh_danh = q.so_dinh_danh
            WHERE o.id_loai = 'CMND' AND NOT coalesce(o.la_to_chuc, false)),
        -- the register's own link is named before the card's when both give the citizen
        pairs AS (SELECT i, j, min(stage) AS stage FROM found GROUP BY i, j),
        flagged AS (
            SELECT x.i, x.j, x.stage,
                coalesce(o.ten_khoa IS NOT NULL AND p.ten_khoa IS NOT NULL
                    AND ({jw}(o.ten_khoa, p.ten_khoa) < {ID_NAME_MIN}
                         OR {jw}(o.ten, p.ten) < {ID_GIVEN_MIN}), false) AS name_conflict,
                coalesce(abs(o.nam_sinh_nam - p.nam_sinh_nam) >= 2, false) AS birth_conflict,
                count(*) OVER (PARTITION BY x.i) AS n_ids
            FROM pairs x JOIN o ON o.i = x.i JOIN p ON p.j = x.j)
        SELECT *, name_conflict OR birth_conflict AS conflict FROM flagged""")

    # -- stage 3: blocking, then the Splink model ----------------------------------------------
    be.create("todo", """SELECT o.* FROM o
        WHERE NOT coalesce(la_to_chuc, false)
          AND i NOT IN (SELECT i FROM id_pairs WHERE NOT conflict AND n_ids = 1)""")
    be.create("cand", "\n        UNION\n        ".join(
        f"SELECT l.i AS uid_l, r.j AS uid_r FROM todo l JOIN p r ON {on}" for on in BLOCKS))
    be.create("model_o", """SELECT i AS uid, ten_khoa, ho, ten, nam_sinh_nam,
            ngay_sinh_day, gioi_tinh_suy_ra AS gioi_tinh, xa_moi, thon,
            CAST(NULL AS STRING) AS xa_moi_hien_tai, CAST(NULL AS STRING) AS thon_hien_tai
        FROM o WHERE NOT coalesce(la_to_chuc, false)""")
    be.create("model_p", """SELECT j AS uid, ten_khoa, ho, ten, nam_sinh_nam,
            ngay_sinh_day, gioi_tinh_chuan AS gioi_tinh, xa_moi, thon, xa_moi_hien_tai,
            thon_hien_tai FROM p""")
    be.create("labels", "SELECT i AS uid_l, j AS uid_r FROM id_pairs WHERE NOT conflict")
    n_labels = be.scalar("SELECT count(*) FROM labels")

    model = Model(be.splink_api(), "model_o", "model_p", be.create)
    model.train("labels", n_labels, seed)
    predictions = model.predict("cand").physical_name
    features = ",\n".join(f"{level_sql(name, 'gamma_' + name)} AS f_{name}" for name in LEVELS)
    be.create("scored", f"""SELECT * FROM (
        SELECT uid_l AS i, uid_r AS j, match_weight AS w, {features},
            row_number() OVER (PARTITION BY uid_l ORDER BY match_weight DESC, uid_r) AS rk
        FROM {predictions}) WHERE rk <= {TOP_K}""")
    n_todo = be.scalar("SELECT count(*) FROM todo")
    n_cand = be.scalar("SELECT count(*) FROM cand")
    return model.weights(), n_todo, n_cand


def _decide(con, weights, n_todo, n_cand, t_match, t_review, margin) -> MatchResult:
    """The decisions, in DuckDB, from tables ``o``, ``p``, ``id_pairs`` and ``scored``."""
    # prior odds of a match among blocked pairs: about one citizen per owner row
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
