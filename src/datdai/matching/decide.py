"""Decisions over the scored candidates: one outcome per owner row, its reasons and, per
candidate, what each field contributed.

A candidate's match weight ``w`` (bits) is the log Bayes factor of the model's fields. The
probability that candidate *c* is the owner weighs it against every other candidate of the row
and against the size of the register searched:

    P(c) = 2^w(c) / (2^w(c1) + … + 2^w(ck) + N·(1 − π)/π)

— N citizens in the register, π the share of owners (among those the ID stages left) who are in
it at all. π is estimated from the same weights, as the mixing weight of an EM (the mean over
the owners of the probability that one of their candidates is them, iterated to its fixed
point): an office whose remaining owners mostly have a strong candidate gets a higher π than
one where many are absent. A name and a birth year that would settle it among 5,000 citizens
do not among 5,000,000: the same evidence gives a lower probability in a larger register, and a
second candidate with nearly the same weight halves it. Nothing here is tuned on any data set:

* ``KHOP`` — P ≥ :data:`P_MATCH`, and none of the guards below;
* ``CAN_XAC_MINH`` — P ≥ :data:`P_REVIEW`, or a guard stopped a ``KHOP``;
* ``KHONG_KHOP`` — otherwise (the candidates are not listed).

Guards (each adds its reason code): a recorded ID number that is not the candidate's
(``ID_CONFLICT``); another citizen of the register with the candidate's name and birth year
while the pair agrees on nothing more specific — no full date, no ID number, no house or hamlet
(``NAMESAKE_SAME_YEAR``); one citizen given to owner rows whose names differ
(``SAME_CITIZEN_OTHER_NAME``, applied by :mod:`datdai.matching.match`).
"""

from __future__ import annotations

import math

import numpy as np

from datdai.matching.comparisons import FIELD_NAMES, reason_codes

P_MATCH = 0.95
P_REVIEW = 0.3
TOP_K = 5  # candidates per row kept for the result and the explanation
# levels that tell a person from a namesake born the same year
SPECIFIC = {"birth": ("date", "date_slip"), "id": ("exact", "typo"), "address": ("same",)}


PI_BOUNDS = (0.01, 0.99)


def prior_bits(n_citizens: int, pi: float) -> float:
    """log2 of N·(1 − π)/π of the module docstring."""
    return math.log2(max(n_citizens, 1) * (1.0 - pi) / pi)


def estimate_pi(lse: np.ndarray, n_owners: int, n_citizens: int, rounds: int = 100) -> float:
    """The share of owners present in the register: the fixed point of π = mean over the
    ``n_owners`` owners of P(present | π), where an owner with candidates whose weights sum to
    2^lse is present with probability 2^lse / (2^lse + N(1 − π)/π) (owners without
    candidates: 0)."""
    if n_owners == 0 or len(lse) == 0:
        return PI_BOUNDS[0]
    pi = 0.5
    for _ in range(rounds):
        r = prior_bits(n_citizens, pi)
        present = 1.0 / (1.0 + np.exp2(np.clip(r - lse, -60, 60)))
        new = float(np.clip(present.sum() / n_owners, *PI_BOUNDS))
        if abs(new - pi) < 1e-6:
            return new
        pi = new
    return pi


def reason_sql(prefix: str = "") -> str:
    """SQL building the ``;``-joined reason codes of a scored pair's levels."""
    parts = [f"(CASE WHEN {prefix}g_{name} = '{label}' THEN ';{code}' ELSE '' END)"
             for (name, label), code in reason_codes().items()]
    return f"substr({' || '.join(parts)}, 2)"


def specific_sql(prefix: str = "") -> str:
    return " OR ".join(
        f"{prefix}g_{name} IN ({', '.join(repr(x) for x in labels)})"
        for name, labels in SPECIFIC.items())


# name levels that say "not the citizen's name": another given name (a relative shares the
# surname), or nothing in common
FOREIGN_NAME = ("surname", "other")


def release_taken(con) -> int:
    """A citizen who is the best candidate of owner rows bearing different names belongs to the
    row that fits best — or to the owner row the ID stages gave it to: the other rows lose that
    candidate when their name is not the citizen's (a name level of :data:`FOREIGN_NAME`), and
    their next one then stands on its own evidence. Several parcels of one person share a name
    (or a slip of it), so those rows keep it. Deletes the released pairs from ``scored``;
    returns how many."""
    foreign = ", ".join(f"'{x}'" for x in FOREIGN_NAME)
    con.execute(f"""CREATE OR REPLACE TEMP TABLE top1 AS
        SELECT s.i, s.j, s.w, o.ten_khoa, s.g_name IN ({foreign}) AS foreign_name
        FROM (SELECT i, j, w FROM {_best(1)}) t JOIN scored s USING (i, j)
        JOIN o ON o.i = s.i""")
    con.execute("""CREATE OR REPLACE TEMP TABLE taken AS
        SELECT j, first(ten_khoa ORDER BY w DESC, ten_khoa) AS winner FROM (
            SELECT j, ten_khoa, w FROM top1
            UNION ALL
            SELECT x.j, o.ten_khoa, 1e9 AS w FROM id_pairs x JOIN o ON o.i = x.i
            WHERE NOT x.conflict AND x.n_ids = 1)
        WHERE ten_khoa IS NOT NULL
        GROUP BY j HAVING count(DISTINCT ten_khoa) > 1""")
    lost = con.execute("""SELECT count(*) FROM top1 t JOIN taken k ON k.j = t.j
        WHERE t.ten_khoa IS DISTINCT FROM k.winner AND t.foreign_name""").fetchall()[0][0]
    con.execute("""DELETE FROM scored WHERE (i, j) IN (
        SELECT t.i, t.j FROM top1 t JOIN taken k ON k.j = t.j
        WHERE t.ten_khoa IS DISTINCT FROM k.winner AND t.foreign_name)""")
    return int(lost)


def _best(k: int) -> str:
    """SQL: the ``k`` best pairs of ``scored`` per owner row (``i``, ``j``, ``w``, ``rk``), best
    first, ties by citizen. The window sorts only the three columns it needs; the pairs' other
    columns are joined back to the few kept."""
    return f"""(SELECT i, j, w, row_number() OVER (PARTITION BY i ORDER BY w DESC, j) AS rk
        FROM (SELECT i, j, w FROM scored) QUALIFY rk <= {k})"""


def rank_candidates(con, n_citizens: int, n_owners: int) -> float:
    """From table ``scored`` (``i``, ``j``, ``w``, ``g_<field>``, ``w_<field>``) and the
    citizens ``p`` (``j``, ``ten_khoa``, ``nam_sinh_nam``), create ``ranked``: the best
    :data:`TOP_K` candidates per owner row with their probability ``prob`` and rank ``rk``,
    and ``namesakes`` (citizens sharing the candidate's name and birth year). ``n_owners``:
    the owners the probabilistic stage looked for. Returns the estimated π."""
    con.execute("""CREATE OR REPLACE TEMP TABLE sums AS
        SELECT i, any_value(wmax) + log2(sum(pow(2.0, w - wmax))) AS lse
        FROM scored JOIN (SELECT i, max(w) AS wmax FROM scored GROUP BY i) m USING (i)
        GROUP BY i""")
    lse = con.sql("SELECT lse FROM sums").to_arrow_table()["lse"].to_numpy()
    pi = estimate_pi(lse, n_owners, n_citizens)
    bits = prior_bits(n_citizens, pi)
    con.execute(f"""CREATE OR REPLACE TEMP TABLE ranked AS
        SELECT s.*, t.rk, 1.0 / (pow(2.0, greatest(least(m.lse - s.w, 1000), -1000))
                                 + pow(2.0, greatest(least({bits} - s.w, 1000), -1000))) AS prob
        FROM (SELECT i, j, rk FROM {_best(TOP_K)}) t JOIN scored s USING (i, j)
        JOIN sums m USING (i)""")
    con.execute("""CREATE OR REPLACE TEMP TABLE namesakes AS
        SELECT r.i, r.j, count(*) - 1 AS n FROM ranked r
        JOIN p c ON c.j = r.j JOIN p x ON x.ten_khoa = c.ten_khoa
            AND x.nam_sinh_nam = c.nam_sinh_nam
        WHERE r.rk = 1 GROUP BY r.i, r.j""")
    return pi


def decide_probabilistic(con) -> None:
    """Create ``prob``: per owner row with candidates, the outcome of the probabilistic stage
    (``ket_qua``, ``j1`` the best, ``prob1``, ``close_js`` the candidates listed for review,
    ``why`` the reasons)."""
    con.execute(f"""CREATE OR REPLACE TEMP TABLE prob AS
        WITH best AS (SELECT r.*, coalesce(ns.n, 0) AS namesakes FROM ranked r
                LEFT JOIN namesakes ns ON ns.i = r.i AND ns.j = r.j WHERE r.rk = 1),
        flags AS (SELECT *,
                g_id = 'other' AS id_other,
                namesakes > 0 AND NOT ({specific_sql()}) AS namesake
            FROM best)
        SELECT f.i, f.j AS j1, f.prob AS prob1, f.w AS w1, f.g_name AS g_name1,
            {reason_sql('f.')}
                || CASE WHEN f.id_other AND NOT {reason_sql('f.')} LIKE '%ID_CONFLICT%'
                        THEN ';ID_CONFLICT' ELSE '' END
                || CASE WHEN f.namesake AND f.prob >= {P_MATCH} THEN ';NAMESAKE_SAME_YEAR'
                        ELSE '' END AS why,
            CASE WHEN f.prob >= {P_MATCH} AND NOT f.id_other AND NOT f.namesake THEN 'KHOP'
                 WHEN f.prob >= {P_REVIEW} THEN 'CAN_XAC_MINH'
                 ELSE 'KHONG_KHOP' END AS ket_qua,
            (SELECT list(r.j ORDER BY r.rk) FROM ranked r
             WHERE r.i = f.i AND (r.rk = 1 OR r.prob >= 0.01)) AS close_js,
            (SELECT count(*) FROM ranked r WHERE r.i = f.i AND r.rk > 1
                AND r.prob >= f.prob / 1000) AS rivals
        FROM flags f""")


def explanation_sql() -> str:
    """SELECT list of the explanation columns of ``ranked`` rows (per field: level, bits)."""
    cols = []
    for name in FIELD_NAMES:
        cols.append(f"r.g_{name}")
        cols.append(f"round(r.w_{name}, 2) AS w_{name}")
    return ", ".join(cols)
