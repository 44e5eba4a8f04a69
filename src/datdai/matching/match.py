"""Matching land users with citizens of the population register.

Stages, each with its reason code:

1. ``ID_EXACT`` — the owner's CCCD is a citizen's ``so_dinh_danh``;
2. ``CMND_TO_CCCD`` — the owner's old CMND is a citizen's ``so_cmnd``; ``CMND_TO_CCCD_QR`` —
   a scanned CCCD card QR links the owner's old CMND to the citizen's number
   (:mod:`datdai.matching.qr_evidence`);

   in both, another given name (beyond one slip; siblings share the rest of a name) or a birth
   year two or more years off makes the ID ``ID_BELONGS_TO_OTHER`` → ``CAN_XAC_MINH`` with that
   citizen as candidate (:func:`_id_stages`);
3. the other persons: candidates by several independent blocking keys
   (:mod:`datdai.matching.blocking`), scored by a Splink model trained on the files
   themselves (:mod:`datdai.matching.model`), decided by the probability of each candidate in
   the register searched (:mod:`datdai.matching.decide`).

Stages 1–3 run on DuckDB or on Spark (:mod:`datdai.matching.backends`); the decisions over the
best candidates of each owner row are then taken in DuckDB. A citizen given ``KHOP`` to owner
rows whose names differ sends all those rows to review. Organisations (``la_to_chuc``) never
match a citizen.

The result says what it could not do: notes on how the files were read, warnings when the model
could not be trained or the run linked far fewer rows than its candidates suggest
(:attr:`MatchResult.warnings`), never a silent empty result.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from datdai.kernel.text import vn_int, vn_percent
from datdai.matching import blocking
from datdai.matching.backends import backend
from datdai.matching.comparisons import DUCKDB, FIELD_NAMES, field_columns, tf_families
from datdai.matching.decide import (
    FOREIGN_NAME,
    P_MATCH,
    P_REVIEW,
    decide_probabilistic,
    explanation_sql,
    prior_bits,
    rank_candidates,
    release_taken,
)
from datdai.matching.model import Model, Training
from datdai.matching.names import align_name_order
from datdai.matching.qr_evidence import QR_SCHEMA

KHOP = "KHOP"
CAN_XAC_MINH = "CAN_XAC_MINH"
KHONG_KHOP = "KHONG_KHOP"

ID_NAME_SAME = 0.95  # Jaro–Winkler of the full names: one slip, the given name included
LABEL_SAMPLE = 50_000  # ID-stage pairs used as labels and to measure the blocking recall
TRAIN_OWNERS = 100_000  # owners and citizens the model learns from (samples beyond)
TRAIN_CITIZENS = 500_000

RESULT_COLUMNS = ("ma_dong", "ket_qua", "so_dinh_danh", "diem", "ly_do",
                  "ho_ten_chuan", "ngay_sinh_chuan", "gioi_tinh_chuan", "cccd_chuan")
# the explanation file (<result>.giai_thich.csv): per listed candidate, its probability, its
# weight in bits and each field's level and bits
EXPLANATION_COLUMNS = ("ma_dong", "hang", "so_dinh_danh", "xac_suat", "trong_so",
                       *(c for n in FIELD_NAMES
                         for c in (f"{field_columns()[n]}_muc", f"{field_columns()[n]}_diem")))

OWNER_COLS = ("ten_khoa", "ten_dau", "ho", "dem", "ten", "ten_sap", "nam_sinh_nam", "ns_thang",
              "ns_ngay", "id_loai", "id_so", "gioi_tinh_suy_ra", "dc_tinh", "dc_xa", "dc_bits",
              "dc_so", "dc_txt", "dc_chu", "la_to_chuc")
POP_COLS = ("so_dinh_danh", "ho_ten", "ten_khoa", "ten_dau", "ho", "dem", "ten",
            "ten_sap", "nam_sinh_nam", "ns_thang", "ns_ngay", "gioi_tinh_chuan", "cmnd_so",
            "tt_tinh", "tt_xa", "tt_bits", "tt_so", "tt_txt", "tt_chu", "ht_tinh", "ht_xa",
            "ht_bits", "ht_txt", "ht_chu")


@dataclass
class MatchResult:
    table: pa.Table  # RESULT_COLUMNS, one row per owners row, same order
    weights: dict[tuple[str, str], float] = field(default_factory=dict)
    counts: dict[str, int] = field(default_factory=dict)
    # (ma_dong, so_dinh_danh) of every blocked candidate pair, when asked (keep_pairs=True)
    pairs: pa.Table | None = None
    # per listed candidate: probability, weight and each field's level and bits
    explanations: pa.Table | None = None
    summary: dict = field(default_factory=dict)  # model, blocking, training: for the record
    notes: list[str] = field(default_factory=list)  # how the inputs were read
    warnings: list[str] = field(default_factory=list)  # what makes the result doubtful


def match(owners: pa.Table, population: pa.Table, *, seed: int = 0, keep_pairs: bool = False,
          engine: str = "duckdb", qr: pa.Table | None = None,
          notes: list[str] | None = None) -> MatchResult:
    """Match normalised owners (:func:`~datdai.matching.normalise.normalise_owners`) with a
    normalised population extract; the result has one row per owners row, in their order.
    ``engine`` is ``duckdb`` (this process) or ``spark`` (:mod:`datdai.matching.backends`);
    ``qr`` holds scanned CCCD QR codes (:func:`~datdai.matching.qr_evidence.read_qr_evidence`)
    whose CMND → CCCD links are the stage ``CMND_TO_CCCD_QR``. ``notes`` are the readers'
    notes, carried into the result."""
    notes = list(notes or [])
    population = align_name_order(owners, population, notes)
    be = backend(engine)
    try:
        summary = _candidates(be, owners, population, seed, qr)
        names = ("o", "p", "id_pairs", "scored", "given_counts") + (
            ("cand",) if keep_pairs else ())
        con = be.local(names)
        result = _decide(con, population.num_rows, summary)
        result.notes = notes
        result.warnings = _warnings(result, summary)
        if keep_pairs:
            result.pairs = con.sql("""SELECT o.ma_dong, p.so_dinh_danh FROM cand c
                JOIN o ON o.i = c.uid_l JOIN p ON p.j = c.uid_r""").to_arrow_table()
        return result
    finally:
        be.close()


def _model_tables(be, owners: pa.Table, population: pa.Table) -> None:
    """Tables ``o`` and ``p`` (the normalised rows with their index), the ID stages'
    ``id_pairs`` and the model's ``mo`` and ``mp`` (:data:`~datdai.matching.model.MODEL_COLUMNS`
    and the blocking keys; ``o`` and ``p`` are views over the Arrow tables, not copies)."""
    o_tab = owners.select(["ma_dong", *OWNER_COLS]).append_column(
        "i", pa.array(np.arange(owners.num_rows, dtype=np.int64)))
    p_tab = population.select(list(POP_COLS)).append_column(
        "j", pa.array(np.arange(population.num_rows, dtype=np.int64)))
    be.put("o", o_tab)
    be.put("p", p_tab)
    common = """ten_khoa, ten_dau, ho, dem, ten, ten_sap, nam_sinh_nam AS nam,
        ns_thang AS thang, ns_ngay AS ngay,
        CASE WHEN ns_thang IS NOT NULL THEN concat(CAST(nam_sinh_nam AS STRING),
             lpad(CAST(ns_thang AS STRING), 2, '0'), lpad(CAST(ns_ngay AS STRING), 2, '0'))
             END AS ns"""
    keys = """substr(cccd, 7, 6) AS cccd_duoi, substr(cccd, 1, 9) AS cccd_dau,
        substr(cmnd, length(cmnd) - 4, 5) AS cmnd_duoi, substr(cmnd, 1, 5) AS cmnd_dau,
        CASE WHEN length(a1_txt) >= 8 THEN substr(a1_txt, 1, 10) END AS a1_dau,
        CASE WHEN length(a2_txt) >= 8 THEN substr(a2_txt, 1, 10) END AS a2_dau,
        CASE WHEN length(a1_chu) >= 8 THEN substr(a1_chu, 1, 12) END AS a1_pho,
        CASE WHEN length(a2_chu) >= 8 THEN substr(a2_chu, 1, 12) END AS a2_pho"""
    be.create("mp", f"""SELECT * EXCEPT (a1_chu, a2_chu), {keys} FROM (SELECT j AS uid, {common},
            gioi_tinh_chuan AS gioi_tinh,
            tt_tinh AS a1_tinh, tt_xa AS a1_xa, tt_bits AS a1_bits, tt_so AS a1_so,
            tt_txt AS a1_txt, tt_chu AS a1_chu, ht_tinh AS a2_tinh, ht_xa AS a2_xa,
            ht_bits AS a2_bits, ht_txt AS a2_txt, ht_chu AS a2_chu, so_dinh_danh AS cccd,
            cmnd_so AS cmnd FROM p) x""")
    _name_genders(be)
    be.create("given_counts", """SELECT ten, count(*) AS n FROM p WHERE ten IS NOT NULL
        GROUP BY ten""")
    _id_stages(be)
    # an owner's recorded number that the ID stages found to be another person's (a relative's,
    # by name or birth year) is no evidence about the owner: not compared
    be.create("mo", f"""SELECT * EXCEPT (a1_chu, a2_chu), {keys} FROM (SELECT o.i AS uid,
            {common},
            coalesce(gioi_tinh_suy_ra, gt.gioi_tinh, gd.gioi_tinh) AS gioi_tinh,
            dc_tinh AS a1_tinh, dc_xa AS a1_xa, dc_bits AS a1_bits, dc_so AS a1_so,
            dc_txt AS a1_txt, dc_chu AS a1_chu, CAST(NULL AS STRING) AS a2_tinh,
            CAST(NULL AS STRING) AS a2_xa, CAST(NULL AS BIGINT) AS a2_bits,
            CAST(NULL AS STRING) AS a2_txt, CAST(NULL AS STRING) AS a2_chu,
            CASE WHEN id_loai = 'CCCD' AND x.i IS NULL THEN id_so END AS cccd,
            CASE WHEN id_loai = 'CMND' AND x.i IS NULL THEN id_so END AS cmnd
        FROM o LEFT JOIN gender_by_given gt ON gt.w = o.ten
        LEFT JOIN gender_by_middle gd ON gd.w = o.dem
        LEFT JOIN (SELECT i FROM id_pairs GROUP BY i HAVING bool_and(conflict)) x ON x.i = o.i
        WHERE NOT coalesce(o.la_to_chuc, false)) y""")


GENDER_SURE = 0.97  # share of one gender among the register's bearers of a name word
GENDER_MIN_BEARERS = 20


def _name_genders(be) -> None:
    """Tables ``gender_by_given`` and ``gender_by_middle`` (``w``, ``gioi_tinh``): the name
    words that, in this register, nearly always belong to one gender — an owner without a CCCD
    then has a gender to compare (Thị, Văn; Jerry, Jada), learned from the data, not a list."""
    for table, column in (("gender_by_given", "ten"), ("gender_by_middle", "dem")):
        be.create(table, f"""SELECT w, CASE WHEN f >= {GENDER_SURE} THEN 'Nữ' ELSE 'Nam' END
                AS gioi_tinh FROM (
            SELECT {column} AS w, count(*) AS n,
                avg(CASE WHEN gioi_tinh = 'Nữ' THEN 1.0 ELSE 0.0 END) AS f
            FROM mp WHERE {column} IS NOT NULL AND gioi_tinh IS NOT NULL GROUP BY {column}) x
            WHERE n >= {GENDER_MIN_BEARERS} AND (f >= {GENDER_SURE} OR f <= {1 - GENDER_SURE})""")


RARE_NAME = 3  # a given name borne by fewer citizens is read as a slip, not another name


def _typo_sql(d, a: str, b: str, count: str) -> str:
    """SQL: given name ``a`` is a slip for ``b`` — one edit away, and not a name the register
    knows (``count`` bearers: fewer than :data:`RARE_NAME`): "Duynê" for Duyên, but not Anh for
    An, which are two names."""
    return f"({d.edits(a, b)} <= 1 AND coalesce({count}, 0) < {RARE_NAME})"


def _id_stages(be) -> None:
    """Stages 1 and 2: table ``id_pairs`` (``i``, ``j``, ``stage``, ``conflict``, ``n_ids``).

    The number settles it unless the rest says another person holds it: a given name that
    is neither the citizen's nor a slip for it (:func:`_typo_sql`, with the same birth year),
    the words of the name not the same in another order, or a birth year two or more years
    off."""
    def typo(a: str, b: str, count: str) -> str:
        return _typo_sql(be.dialect, a, b, count)

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
                coalesce(NOT (o.ten = p.ten OR o.ten_sap = p.ten_sap OR
                    ({typo('o.ten', 'p.ten', 'gc.n')}
                     AND coalesce(o.nam_sinh_nam = p.nam_sinh_nam, true))), false)
                    AS name_conflict,
                coalesce(abs(o.nam_sinh_nam - p.nam_sinh_nam) >= 2, false) AS birth_conflict,
                count(*) OVER (PARTITION BY x.i) AS n_ids
            FROM pairs x JOIN o ON o.i = x.i JOIN p ON p.j = x.j
            LEFT JOIN given_counts gc ON gc.ten = o.ten)
        SELECT *, name_conflict OR birth_conflict AS conflict FROM flagged""")


def tf_families_keys() -> list[tuple[str, ...]]:
    return sorted({key for _, key in tf_families()})


def _em_rules(be) -> list[tuple[str, tuple[str, ...]]]:
    """Training blocks: pairs with the same surname and given name (to learn birth, address,
    gender, ID: the middle name may differ, an initial or missing), and
    pairs with the same birth date — or, where owners carry only the birth year, the same
    year and commune, or year and province — (to learn the name). A block is used only where
    enough owners and citizens fill its columns."""
    share = be.row("""SELECT avg(CASE WHEN thang IS NOT NULL THEN 1.0 ELSE 0.0 END),
            avg(CASE WHEN a1_xa IS NOT NULL THEN 1.0 ELSE 0.0 END),
            avg(CASE WHEN a1_tinh IS NOT NULL THEN 1.0 ELSE 0.0 END) FROM mo_t""")
    full, commune, province = (float(x or 0.0) for x in share)
    rules: list[tuple[str, tuple[str, ...]]] = [("ho_ten", ("ho", "ten"))]
    if full >= 0.2:
        rules.append(("ngay_sinh", ("nam", "thang", "ngay")))
    if commune >= 0.2:
        rules.append(("nam_sinh_xa", ("nam", "a1_xa")))
    elif province >= 0.2 and full < 0.2:
        rules.append(("nam_sinh_tinh", ("nam", "a1_tinh")))
    return rules


def _candidates(be, owners: pa.Table, population: pa.Table, seed: int,
                qr: pa.Table | None) -> dict:
    """Stages 1–2 (table ``id_pairs``) and the scored candidates of stage 3 (table
    ``scored``), on the backend; returns the run's summary (training, blocking, model)."""
    clock = Stopwatch()
    be.put("q", (qr if qr is not None else QR_SCHEMA.empty_table()).select(
        ["so_dinh_danh", "so_cmnd"]))
    _model_tables(be, owners, population)
    clock.lap("so_dinh_danh")

    # -- stage 3: the owners left, their candidates, the model ---------------------------------
    be.create("todo", """SELECT mo.* FROM mo
        WHERE uid NOT IN (SELECT i FROM id_pairs WHERE NOT conflict AND n_ids = 1)""")
    be.create("disputed", """SELECT i AS uid_l, j AS uid_r FROM id_pairs
        WHERE conflict OR n_ids > 1""")
    be.create("labels", f"""SELECT i AS uid_l, j AS uid_r FROM id_pairs
        WHERE NOT conflict AND n_ids = 1 ORDER BY hash(i) LIMIT {LABEL_SAMPLE}""")
    be.create("labelled", "SELECT mo.* FROM mo SEMI JOIN labels ON mo.uid = labels.uid_l")
    stats = blocking.block(be, "todo", "mp", extra="disputed", also="labelled")
    stats["do_phu_tren_cap_da_biet"] = blocking.label_recall(be, "labels", "mo", "mp")
    clock.lap("phan_khoi")
    if not stats["cap_ung_vien"]:
        # nobody left to look for (every person found by an ID number, or none at all): no model
        be.create("scored", "SELECT " + ", ".join(
            ["CAST(NULL AS BIGINT) AS i", "CAST(NULL AS BIGINT) AS j", "CAST(NULL AS DOUBLE) AS w"]
            + [f"CAST(NULL AS STRING) AS g_{n}, CAST(NULL AS DOUBLE) AS w_{n}"
               for n in FIELD_NAMES]) + " WHERE false")
        return {"thoi_gian": clock.laps, "khoi": stats, "huan_luyen": Training().__dict__,
                "tham_so": {}, "trong_so": {}, "so_cong_dan": population.num_rows,
                "so_dong": owners.num_rows}

    # the model learns from samples of both sides: the m- and u-probabilities are shares, which
    # samples estimate as well as the whole, at a cost that does not grow with the files
    be.create("mo_t", f"SELECT * FROM mo ORDER BY hash(uid) LIMIT {TRAIN_OWNERS}")
    be.create("labels_t", "SELECT x.* FROM labels x SEMI JOIN mo_t ON mo_t.uid = x.uid_l")
    be.create("mp_t", f"""SELECT * FROM mp WHERE uid IN (
            SELECT uid FROM (SELECT uid FROM mp ORDER BY hash(uid) LIMIT {TRAIN_CITIZENS})
            UNION SELECT uid_r FROM labels_t)""")
    n_train = int(be.scalar("SELECT count(*) FROM labels_t") or 0)
    # the samples are bounded: trained in this process whatever the engine
    trainer = be.trainer(("mo_t", "mp_t", "labels_t"))
    model = Model(trainer.splink_api(), "mo_t", "mp_t", trainer.dialect,
                  int(trainer.scalar("SELECT count(*) FROM mp_t") or 0), trainer.create,
                  trainer.scalar)
    training = model.train("labels_t", n_train, seed, _em_rules(trainer))
    clock.lap("huan_luyen")
    # agreement on a value weighed by the value's frequency in the register searched
    tables = {}
    for key in tf_families_keys():
        tables[key] = "tf_" + "_".join(key)
        cols = ", ".join(key)
        be.create(tables[key], f"""SELECT {cols}, count(*) AS n FROM mp
            WHERE {' AND '.join(f'{k} IS NOT NULL' for k in key)} GROUP BY {cols}""")
    be.create("scored", model.scoring_sql("cand", "mo", "mp", population.num_rows, tables,
                                          be.dialect))
    clock.lap("cham_diem")
    return {"thoi_gian": clock.laps, "khoi": stats, "huan_luyen": training.__dict__,
            "tham_so": model.parameters(),
            "trong_so": model.weights(), "so_cong_dan": population.num_rows,
            "so_dong": owners.num_rows}


class Stopwatch:
    """Seconds per step of a run, for its summary (``thoi_gian``)."""

    def __init__(self) -> None:
        self.laps: dict[str, float] = {}
        self._last = time.perf_counter()

    def lap(self, step: str) -> None:
        now = time.perf_counter()
        self.laps[step] = round(now - self._last, 2)
        self._last = now


def _decide(con, n_citizens: int, summary: dict) -> MatchResult:
    """The decisions, in DuckDB, from tables ``o``, ``p``, ``id_pairs`` and ``scored``."""
    clock = Stopwatch()
    summary["khoi"]["cap_bo_vi_da_co_chu"] = release_taken(con)
    pi = rank_candidates(con, n_citizens, summary["khoi"]["dong_can_tim"])
    decide_probabilistic(con)
    # the recorded number is a relative's (one holder, another name or birth year) and the model
    # finds the owner, someone else, beyond doubt: the owner's match, the number corrected
    other_id = ("(idd.i IS NOT NULL AND idd.conflict AND idd.n_ids = 1 "
                f"AND pr.ket_qua = '{KHOP}' AND NOT list_contains(idd.js, pr.j1))")
    con.execute(f"""CREATE TEMP TABLE decided AS
        WITH idd AS (SELECT i,
                min(j) AS j1, bool_or(conflict) AS conflict, max(n_ids) AS n_ids,
                any_value(stage) AS stage, list(j ORDER BY j) AS js
            FROM id_pairs GROUP BY i)
        SELECT o.i, pr.g_name1 AS g_name,
            CASE WHEN coalesce(o.la_to_chuc, false) THEN '{KHONG_KHOP}'
                 WHEN idd.i IS NOT NULL AND NOT idd.conflict AND idd.n_ids = 1 THEN '{KHOP}'
                 WHEN {other_id} THEN '{KHOP}'
                 WHEN idd.i IS NOT NULL THEN '{CAN_XAC_MINH}'
                 ELSE coalesce(pr.ket_qua, '{KHONG_KHOP}') END AS ket_qua,
            CASE WHEN idd.i IS NOT NULL AND NOT idd.conflict AND idd.n_ids = 1 THEN idd.j1
                 WHEN (idd.i IS NULL OR {other_id}) AND pr.ket_qua = '{KHOP}' THEN pr.j1
                 END AS j,
            CASE WHEN coalesce(o.la_to_chuc, false) THEN []::BIGINT[]
                 WHEN idd.i IS NOT NULL AND NOT idd.conflict AND idd.n_ids = 1 THEN [idd.j1]
                 WHEN {other_id} THEN [pr.j1]
                 -- the probabilistic candidates best first, then the ID's holders
                 WHEN idd.i IS NOT NULL THEN coalesce(pr.close_js, []::BIGINT[]) || list_filter(
                      idd.js, lambda x: NOT list_contains(coalesce(pr.close_js, []::BIGINT[]), x))
                 WHEN pr.ket_qua = '{CAN_XAC_MINH}' THEN pr.close_js
                 ELSE []::BIGINT[] END AS js,
            CASE WHEN coalesce(o.la_to_chuc, false) THEN 0.0
                 WHEN idd.i IS NOT NULL AND NOT idd.conflict AND idd.n_ids = 1 THEN 1.0
                 WHEN idd.i IS NOT NULL THEN coalesce(pr.prob1, 0.5)
                 ELSE coalesce(pr.prob1, 0.0) END AS diem,
            CASE WHEN coalesce(o.la_to_chuc, false) THEN 'ORGANISATION'
                 WHEN idd.i IS NOT NULL AND NOT idd.conflict AND idd.n_ids = 1 THEN idd.stage
                 WHEN idd.i IS NOT NULL AND idd.n_ids > 1 THEN idd.stage || ';MULTIPLE_CANDIDATES'
                 WHEN {other_id} THEN 'ID_OF_OTHER_PERSON;' || pr.why
                 WHEN idd.i IS NOT NULL THEN 'ID_BELONGS_TO_OTHER'
                 WHEN pr.ket_qua = '{KHOP}' THEN pr.why
                 WHEN pr.ket_qua = '{CAN_XAC_MINH}' AND pr.rivals > 0
                      THEN 'MULTIPLE_CANDIDATES;' || pr.why
                 WHEN pr.ket_qua = '{CAN_XAC_MINH}' THEN 'LOW_SCORE;' || pr.why
                 WHEN pr.i IS NOT NULL THEN 'NO_MATCH;' || pr.why
                 ELSE 'NO_CANDIDATE' END AS ly_do
        FROM o LEFT JOIN idd ON idd.i = o.i LEFT JOIN prob pr ON pr.i = o.i""")
    # the same citizen given to owner rows of which one does not bear the citizen's name — by
    # the model's name level, or, for the ID stages, the given name the same or a slip for it
    # and the surname the same or one slip apart: all of them to review
    typo = _typo_sql(DUCKDB, "o.ten", "c.ten", "gc.n")
    foreign = ", ".join(f"'{x}'" for x in FOREIGN_NAME)
    con.execute(f"""UPDATE decided SET ket_qua = '{CAN_XAC_MINH}', js = [decided.j], j = NULL,
            ly_do = ly_do || ';SAME_CITIZEN_OTHER_NAME'
        FROM (SELECT d.j FROM decided d JOIN o ON o.i = d.i JOIN p c ON c.j = d.j
              LEFT JOIN given_counts gc ON gc.ten = o.ten
              WHERE d.ket_qua = '{KHOP}' AND d.j IN (SELECT j FROM decided
                  WHERE ket_qua = '{KHOP}' GROUP BY j HAVING count(*) > 1)
              GROUP BY d.j HAVING count(DISTINCT o.ten_khoa) > 1 AND bool_or(
                  CASE WHEN d.g_name IS NOT NULL THEN d.g_name IN ({foreign})
                       ELSE NOT coalesce((o.ten = c.ten OR {typo})
                           AND (o.ho = c.ho OR damerau_levenshtein(o.ho, c.ho) <= 1), false)
                  END)) s
        WHERE decided.j = s.j AND decided.ket_qua = '{KHOP}'""")
    result = con.sql(f"""
        WITH listed AS (
            SELECT d.i, string_agg(pc.so_dinh_danh, ';' ORDER BY u.k) AS so_dinh_danh
            FROM (SELECT i, js FROM decided WHERE ket_qua = '{CAN_XAC_MINH}') d
            JOIN unnest(d.js) WITH ORDINALITY AS u(jj, k) ON true JOIN p pc ON pc.j = u.jj
            GROUP BY d.i)
        SELECT o.ma_dong, d.ket_qua,
            CASE WHEN d.ket_qua = '{KHOP}' THEN p.so_dinh_danh
                 WHEN d.ket_qua = '{CAN_XAC_MINH}' THEN coalesce(listed.so_dinh_danh, '')
                 ELSE '' END AS so_dinh_danh,
            round(d.diem, 4) AS diem, d.ly_do,
            CASE WHEN d.ket_qua = '{KHOP}' THEN p.ho_ten ELSE '' END AS ho_ten_chuan,
            -- the birth as read (whatever the extract's date order), written dd/mm/yyyy or yyyy
            CASE WHEN d.ket_qua = '{KHOP}' THEN coalesce(CASE
                WHEN p.ns_ngay IS NOT NULL AND p.ns_thang IS NOT NULL
                    THEN printf('%02d/%02d/%d', p.ns_ngay, p.ns_thang, p.nam_sinh_nam)
                ELSE CAST(p.nam_sinh_nam AS VARCHAR) END, '') ELSE '' END AS ngay_sinh_chuan,
            CASE WHEN d.ket_qua = '{KHOP}' THEN p.gioi_tinh_chuan ELSE '' END AS gioi_tinh_chuan,
            CASE WHEN d.ket_qua = '{KHOP}' THEN p.so_dinh_danh ELSE '' END AS cccd_chuan
        FROM o JOIN decided d ON d.i = o.i LEFT JOIN p ON p.j = d.j
        LEFT JOIN listed ON listed.i = d.i
        ORDER BY o.i""").to_arrow_table()
    # the listed candidates of every row that has some (KHOP found by the model, review)
    explanations = con.sql(f"""
        SELECT o.ma_dong, u.k AS hang, c.so_dinh_danh, round(r.prob, 6) AS xac_suat,
            round(r.w, 2) AS trong_so, {explanation_sql()}
        FROM (SELECT i, js FROM decided WHERE len(js) > 0
              AND NOT (ly_do IN ('ID_EXACT', 'CMND_TO_CCCD', 'CMND_TO_CCCD_QR'))) d
        JOIN o ON o.i = d.i
        JOIN unnest(d.js) WITH ORDINALITY AS u(jj, k) ON true
        JOIN p c ON c.j = u.jj
        LEFT JOIN ranked r ON r.i = d.i AND r.j = u.jj
        ORDER BY o.i, u.k""").to_arrow_table()
    explanations = explanations.rename_columns(list(EXPLANATION_COLUMNS))
    counts = dict(con.execute("SELECT ket_qua, count(*) FROM decided GROUP BY 1").fetchall())
    counts["cap_ung_vien"] = summary["khoi"]["cap_ung_vien"]
    counts["dong_co_ung_vien"] = (summary["khoi"]["dong_can_tim"]
                                  - summary["khoi"]["dong_khong_co_ung_vien"])
    counts["lien_ket_xac_suat"] = int(con.execute(
        f"SELECT count(*) FROM prob WHERE ket_qua <> '{KHONG_KHOP}'").fetchall()[0][0])
    clock.lap("quyet_dinh")
    summary["thoi_gian"].update(clock.laps)
    summary["nguong"] = {"khop": P_MATCH, "xac_minh": P_REVIEW, "ty_le_co_trong_csdl": pi,
                         "bit_quy_mo_so_dan_cu": round(prior_bits(n_citizens, pi), 2)}
    return MatchResult(table=result, weights=summary.pop("trong_so", {}), counts=counts,
                       explanations=explanations, summary=summary)


def _warnings(result: MatchResult, summary: dict) -> list[str]:
    """What makes the result doubtful, in words an officer can act on."""
    out = []
    training = summary["huan_luyen"]
    names = {"name": "họ tên", "birth": "ngày sinh", "address": "địa chỉ", "gender": "giới tính",
             "id": "giấy tờ"}
    if training["collapsed"]:
        fields = ", ".join(names[n] for n in training["collapsed"])
        out.append(f"Mô hình không học được từ dữ liệu cho trường {fields} (tham số huấn luyện "
                   "vô lý: sự trùng khớp không nói lên gì) — đã dùng tham số khởi đầu chung cho "
                   "các trường đó; kết quả của giai đoạn xác suất cần được kiểm tra / the model "
                   "could not be trained on these fields")
    scored = summary["khoi"]["cap_ung_vien"] > 0
    if scored and not any(s["fields"] for s in training["sessions"]) and training["labels"] < 50:
        out.append("Không đủ dữ liệu để huấn luyện mô hình (quá ít cặp cùng tên hoặc cùng ngày "
                   "sinh, không có cặp khớp theo số định danh): dùng tham số khởi đầu chung / "
                   "too little data to train the model")
    with_cand = result.counts.get("dong_co_ung_vien", 0)
    linked = result.counts.get("lien_ket_xac_suat", 0)
    if with_cand >= 50 and linked < 0.5 * with_cand:
        out.append(
            f"Chỉ liên kết được {vn_int(linked)} trong {vn_int(with_cand)} dòng có ứng viên "
            f"({vn_percent(100 * linked / with_cand)}) ở giai đoạn xác suất: nếu phần lớn chủ sử dụng "
            "có trong CSDL dân cư, hãy kiểm tra định dạng ngày sinh, thứ tự họ tên và cột địa "
            "chỉ của hai tệp / far fewer rows linked than had candidates")
    searched = summary["khoi"].get("dong_can_tim", 0)
    lonely = summary["khoi"].get("dong_khong_co_ung_vien", 0)
    if searched and lonely >= 0.5 * searched:
        out.append(
            f"{vn_int(lonely)} trong {vn_int(searched)} dòng cần tìm không có một ứng viên nào "
            f"trong CSDL dân cư ({vn_percent(100 * lonely / searched)}): bản trích có đúng địa "
            "bàn của các chủ sử dụng không, cột họ tên và ngày sinh có đúng không? / most rows "
            "have no candidate at all: is the extract for these owners' area?")
    recall = summary["khoi"].get("do_phu_tren_cap_da_biet")
    if recall and recall["cap_da_biet"] >= 100 and recall["do_phu"] < 0.95:
        out.append(f"Phân khối chỉ đề xuất {vn_percent(100 * recall['do_phu'])} cặp đã biết khớp "
                   "(theo số định danh): nhiều chủ sử dụng có thể không được tìm thấy / "
                   "blocking recall is low")
    if scored and not {"birth", "address"} & set(training["compared"]):
        out.append("Chỉ có họ tên để so khớp (không có ngày sinh, địa chỉ dùng được ở cả hai "
                   "tệp): kết quả xác suất không đủ tin cậy / only names can be compared")
    return out


def result_counts(result: MatchResult) -> dict[str, int]:
    return {k: int(pc.sum(pc.equal(result.table["ket_qua"], k)).as_py() or 0)
            for k in (KHOP, CAN_XAC_MINH, KHONG_KHOP)}
