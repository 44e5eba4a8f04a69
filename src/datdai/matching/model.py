"""The probabilistic stage of reconciliation as a Splink model (Fellegi–Sunter), trained on the
files themselves, without labels.

One model definition for both backends: Splink's DuckDB backend (``DuckDBAPI``) and its Spark
backend (``SparkAPI``); the comparisons are the catalog of :mod:`datdai.matching.comparisons`.

* **u** (how often each level occurs among non-matches) comes from Splink's random sampling of
  owner × citizen pairs: it measures the register actually searched. Exact-name levels are
  then adjusted by the name's own frequency in the register (:meth:`Model.name_frequency_sql`:
  Nguyễn Văn Anh is less evidence than Đinh Công Tráng).
* **m** (how often each level occurs among true matches) starts from generic priors
  (:mod:`~datdai.matching.comparisons`), then, when the ID stages found enough pairs, from those
  pairs (labels that cost nothing), and is then estimated by expectation–maximisation on
  training blocks in which pairs still vary on the other fields: pairs with the same name (for
  birth, address, gender, ID) and pairs with the same birth date, or the same birth year and
  commune (for the name). Files without a single ID number train the same way.
* **Guard**: the trained parameters are checked (:meth:`Model.check`): each field's agreement
  must speak for a match and its disagreement against it. A field whose training collapsed gets
  its starting values back and the run says so.
* A pair's weight is the sum of its fields' weights (a Bayes factor in bits, without Splink's
  prior); :mod:`datdai.matching.decide` weighs it against the size of the register.

Splink estimates the model; the candidate pairs (the union of the blocking rules of
:mod:`datdai.matching.blocking`) are then scored by one query of the same level SQL with the
trained weights (:meth:`Model.scoring_sql`): each pair's level and bits per field, nothing more
materialised — at a million owners, Splink's prediction table with its retained columns was the
run's largest.
"""

from __future__ import annotations

import logging
import math
from collections.abc import Callable
from dataclasses import dataclass, field

import splink.comparison_level_library as cll
import splink.comparison_library as cl
from splink import Linker, SettingsCreator

from datdai.matching.comparisons import DUCKDB, FIELD_NAMES, Dialect, fields, levels_of, tf_families

MIN_LABELS = 50  # ID-stage pairs worth starting m from
MIN_EM_PAIRS = 200  # fewer training pairs than this: EM is not attempted on that block
U_MAX_PAIRS = 400_000  # random owner × citizen pairs for the u-probabilities
EM_MAX_PAIRS = 600_000
EM_ITERATIONS = 12  # pairs per EM training block (records sampled beyond)
OWNERS, CITIZENS = "a_chu", "b_dan"  # source datasets; owners sort first, so they are `_l`

# the columns both sides give the model (owners have one address: a2_* are null there)
MODEL_COLUMNS = ("uid", "ten_khoa", "ten_dau", "ho", "dem", "ten", "ten_sap", "nam", "thang",
                 "ngay", "ns", "gioi_tinh", "a1_tinh", "a1_xa", "a1_bits", "a1_so", "a1_txt",
                 "a2_tinh", "a2_xa", "a2_bits", "a2_txt", "cccd", "cmnd")


def comparisons(dialect: Dialect) -> list[cl.CustomComparison]:
    out = []
    for f in fields(dialect):
        levels = [cll.CustomLevel(f.null_sql, "null", dialect.name).configure(is_null_level=True)]
        for lv in f.levels:
            levels.append(cll.CustomLevel(lv.sql, lv.label, dialect.name).configure(
                m_probability=lv.prior))
        out.append(cl.CustomComparison(output_column_name=f.name, comparison_levels=levels))
    return out


def settings(dialect: Dialect, n_citizens: int) -> SettingsCreator:
    """The model's settings; the prior ``probability_two_random_records_match`` is about one
    citizen per owner (EM starts from it; the decisions do not use it)."""
    return SettingsCreator(
        link_type="link_only",
        unique_id_column_name="uid",
        comparisons=comparisons(dialect),
        blocking_rules_to_generate_predictions=[],
        probability_two_random_records_match=1.0 / max(n_citizens, 2),
        retain_matching_columns=False,
        retain_intermediate_calculation_columns=False,
        # a level no true match reaches decays towards 0 at each iteration; past about ten the
        # estimates no longer move, and Splink refuses values below 1e-300
        max_iterations=EM_ITERATIONS,
    )


def gamma_level(name: str, gamma: int) -> str:
    """The level label of a comparison's gamma value (-1 is null)."""
    labels = levels_of(name)
    return "null" if gamma < 0 else labels[len(labels) - 1 - gamma]


@dataclass
class Training:
    """What training did, for the run's summary."""

    labels: int = 0
    sessions: list[dict] = field(default_factory=list)  # rule, pairs, fields estimated
    collapsed: list[str] = field(default_factory=list)  # fields given their priors back
    untrained: list[str] = field(default_factory=list)  # fields no session could estimate
    compared: list[str] = field(default_factory=list)  # fields both files fill (random pairs)
    notes: list[str] = field(default_factory=list)


M_FLOOR = 1e-4  # no level is impossible among true matches


def _mean(vectors: list[dict[str, float]]) -> dict[str, float]:
    return {k: sum(v.get(k, 0.0) for v in vectors) / len(vectors) for k in vectors[0]}


def _floored(m: dict[str, float]) -> dict[str, float]:
    """Each level at least :data:`M_FLOOR`, the whole summing to 1."""
    floored = {k: max(v if math.isfinite(v) else 0.0, M_FLOOR) for k, v in m.items()}
    total = sum(floored.values())
    return {k: v / total for k, v in floored.items()}


def _sane(m: dict[str, float], u: dict[str, float]) -> bool:
    """The guard against a collapsed training: the level most common among true matches must
    be an agreement (not the last level, "other") that speaks for a match, and the level most
    common among random pairs must speak against it."""
    top_m = max(m, key=m.get)
    top_u = max(u, key=u.get)
    return (top_m != list(m)[-1] and math.log2(m[top_m] / u[top_m]) > 0.0
            and (top_u == top_m or math.log2(m[top_u] / u[top_u]) < 0.0))


class Model:
    """A Splink linker over two registered tables of :data:`MODEL_COLUMNS` (owners, citizens)."""

    def __init__(self, db_api, owners_table: str, citizens_table: str, dialect: Dialect,
                 n_citizens: int, create_table: Callable[[str, str], None],
                 scalar: Callable[[str], object]) -> None:
        """``create_table(name, sql)`` materialises a query of the backend as ``name``;
        ``scalar(sql)`` runs a query giving one value."""
        logging.getLogger("splink").setLevel(logging.ERROR)
        self.db_api = db_api
        self.create_table = create_table
        self.scalar = scalar
        self.owners_table, self.citizens_table = owners_table, citizens_table
        self.tables = (db_api.register(owners_table, dataset_display_name=OWNERS),
                       db_api.register(citizens_table, dataset_display_name=CITIZENS))
        self.dialect = dialect
        self.n_citizens = n_citizens
        self.linker = self._linker()
        self.training = Training()

    def _linker(self) -> Linker:
        return Linker(list(self.tables), settings(self.dialect, self.n_citizens), log_level=None)

    # -- training ----------------------------------------------------------------------------

    def train(self, labels_table: str | None, n_labels: int, seed: int,
              em_rules: list[tuple[str, tuple[str, ...]]]) -> Training:
        """u by random sampling; m from the labels (``uid_l`` owner, ``uid_r`` citizen) when
        there are enough (as the starting point), then by EM on each ``(name, key columns)``
        of ``em_rules`` (pairs equal on those columns) whose pairs are numerous enough. Each
        field takes the mean of the m-vectors of the sessions that estimated it, floored at
        :data:`M_FLOOR`, and must pass :meth:`_sane`; otherwise the labels' estimate, otherwise
        the priors."""
        t = self.training
        training = self.linker.training
        training.estimate_u_using_random_sampling(max_pairs=U_MAX_PAIRS, seed=seed,
                                                  min_count_per_level=None, num_chunks=1)
        for _, _, level in self._levels():  # a level no random pair reached is rare
            if not isinstance(level._u_probability, float) or level._u_probability <= 0:
                level.u_probability = 0.5 / U_MAX_PAIRS
        t.labels = n_labels
        priors = {f.name: {lv.label: lv.prior for lv in f.levels} for f in fields(DUCKDB)}
        from_labels: dict[str, dict[str, float]] = {}
        if labels_table and n_labels >= MIN_LABELS:
            self.create_table("datdai_m_labels", f"""SELECT
                    '{OWNERS}' AS source_dataset_l, uid_l, '{CITIZENS}' AS source_dataset_r, uid_r
                FROM {labels_table}""")
            training.estimate_m_from_pairwise_labels("datdai_m_labels")
            from_labels = self._m_vectors()
        estimates: dict[str, list[dict[str, float]]] = {}
        for name, keys in em_rules:
            pairs = self._pair_count(keys)
            rule = " AND ".join(f"l.{k} = r.{k}" for k in keys)
            if pairs < MIN_EM_PAIRS:
                t.sessions.append({"rule": name, "pairs": pairs, "fields": []})
                continue
            try:
                session = self._em_session(rule, {n: _floored(_mean(v))
                                                  for n, v in estimates.items()})
            except ValueError as exc:  # an m-probability driven below 1e-300: nothing learnt
                t.sessions.append({"rule": name, "pairs": pairs, "fields": [],
                                   "loi": str(exc)[:200]})
                continue
            trained = session.core_model_settings
            names = sorted(c.output_column_name for c in trained.comparisons)
            lam = trained.probability_two_random_records_match
            t.sessions.append({"rule": name, "pairs": pairs, "fields": names,
                               "lambda": lam})
            if not 0.0 < lam < 0.95:  # every pair a match: the session learnt nothing
                continue
            for comparison in trained.comparisons:
                if comparison.output_column_name in estimates:
                    continue  # held at its earlier estimate in this session
                estimates.setdefault(comparison.output_column_name, []).append({
                    gamma_level(comparison.output_column_name, lv.comparison_vector_value):
                        lv.m_probability
                    for lv in comparison.comparison_levels if not lv.is_null_level})
        t.untrained = [n for n in FIELD_NAMES if n not in estimates]
        u = self._u_vectors()
        for name in FIELD_NAMES:
            chosen = None
            if name in estimates:
                chosen = _floored(_mean(estimates[name]))
                if not _sane(chosen, u[name]):
                    t.collapsed.append(name)
                    chosen = None
            if chosen is None and name in from_labels:
                labelled = _floored(from_labels[name])
                chosen = labelled if _sane(labelled, u[name]) else None
            self._set_m(name, chosen or priors[name])
        self._neutral_unseen()
        return t

    def _neutral_unseen(self) -> None:
        """A level seen neither among the random pairs nor among the true matches says nothing
        (weight 0), rather than the ratio of two floors; so does every level of a field that no
        random pair could compare (a column empty in one of the files)."""
        u_floor = 0.5 / U_MAX_PAIRS
        seen = {name for name, _, level in self._levels() if level.u_probability > u_floor}
        self.training.compared = [n for n in FIELD_NAMES if n in seen]
        for name, _, level in self._levels():
            if name not in seen or (level.u_probability <= u_floor
                                    and level.m_probability <= 1.5 * M_FLOOR):
                level.m_probability = level.u_probability

    def frequency_sql(self, n_citizens: int) -> dict[str, list[tuple[tuple[str, ...], str]]]:
        """Per field, the SQL terms that adjust a pair's weight by the frequency, in the
        register, of the value it agrees on: for a level family agreeing on key ``k`` (a full
        name, a surname and given name, a birth date), ``log2(U / f)`` — ``U`` the chance that
        a random pair falls in the family, ``f`` the share of citizens with the owner's value
        (``tf_<k>_n``, the owner's count looked up in table ``tf_<k>``; at least one).
        Returns {field: [(key columns, SQL term)]}."""
        out: dict[str, list[tuple[tuple[str, ...], str]]] = {}
        u = {(name, label): level.u_probability for name, label, level in self._levels()}
        for (field_name, key), labels in tf_families().items():
            total = sum(u[(field_name, lb)] for lb in labels)
            alias = "tf_" + "_".join(key)
            names = ", ".join(f"'{x}'" for x in labels)
            term = (f"CASE WHEN g_{field_name} IN ({names}) THEN log2(CAST({total!r} AS DOUBLE) * "
                    f"{max(n_citizens, 1)} / greatest(coalesce({alias}_n, 1), 1)) ELSE 0 END")
            out.setdefault(field_name, []).append((key, term))
        return out

    def _em_session(self, rule: str, known: dict[str, dict[str, float]]):
        """One EM session on its own linker, started from this model's u and m (floored), the
        fields ``known`` from earlier sessions held at their estimates: the session learns the
        fields still unknown, anchored by the rest (left free, a strong field such as gender can
        pull the mixture onto another split than match / non-match). A session leaves nothing
        behind in the others (Splink keeps each session's estimates and refuses, in the next,
        an m it drove below 1e-300)."""
        linker = self._linker()
        start = {(name, label): level for name, label, level in self._levels()}
        for comparison in linker._settings_obj.comparisons:
            name = comparison.output_column_name
            for level in comparison.comparison_levels:
                if level.is_null_level:
                    continue
                label = gamma_level(name, level.comparison_vector_value)
                level.u_probability = start[(name, label)].u_probability
                if name in known:
                    level.m_probability = known[name][label]
                    level._fix_m_probability = True
                else:
                    level.m_probability = max(start[(name, label)].m_probability, M_FLOOR)
        return linker.training.estimate_parameters_using_expectation_maximisation(
            rule, estimate_without_term_frequencies=True, max_pairs=EM_MAX_PAIRS,
            fix_u_probabilities=True)

    def _m_vectors(self) -> dict[str, dict[str, float]]:
        out: dict[str, dict[str, float]] = {}
        for name, label, level in self._levels():
            m = level._m_probability
            out.setdefault(name, {})[label] = m if isinstance(m, float) else 0.0
        return out

    def _u_vectors(self) -> dict[str, dict[str, float]]:
        out: dict[str, dict[str, float]] = {}
        for name, label, level in self._levels():
            out.setdefault(name, {})[label] = level.u_probability
        return out

    def _set_m(self, name: str, m: dict[str, float]) -> None:
        for field_name, label, level in self._levels():
            if field_name == name:
                level.m_probability = m[label]

    def _pair_count(self, keys: tuple[str, ...]) -> int:
        """Pairs equal on ``keys``: the product of the two sides' counts per key value."""
        cols = ", ".join(keys)
        where = " AND ".join(f"{k} IS NOT NULL" for k in keys)
        return int(self.scalar(f"""SELECT sum(CAST(a.n AS DOUBLE) * b.n) FROM
            (SELECT {cols}, count(*) AS n FROM {self.owners_table} WHERE {where}
             GROUP BY {cols}) a
            JOIN (SELECT {cols}, count(*) AS n FROM {self.citizens_table} WHERE {where}
                  GROUP BY {cols}) b USING ({cols})""") or 0)

    def _levels(self):
        for comparison in self.linker._settings_obj.comparisons:
            name = comparison.output_column_name
            for level in comparison.comparison_levels:
                if not level.is_null_level:
                    yield name, gamma_level(name, level.comparison_vector_value), level

    @staticmethod
    def _weight(level) -> float:
        return math.log2(level.m_probability / level.u_probability)

    def weights(self) -> dict[tuple[str, str], float]:
        """log2(m/u) per comparison level (before term-frequency adjustment), null levels 0."""
        out = {(name, "null"): 0.0 for name in FIELD_NAMES}
        for name, label, level in self._levels():
            out[(name, label)] = self._weight(level)
        return out

    def parameters(self) -> dict[str, dict[str, dict[str, float]]]:
        """m, u and weight per level, for the run's summary."""
        out: dict[str, dict[str, dict[str, float]]] = {}
        for name, label, level in self._levels():
            out.setdefault(name, {})[label] = {
                "m": level.m_probability, "u": level.u_probability,
                "trong_so": round(self._weight(level), 3)}
        return out

    # -- scoring -----------------------------------------------------------------------------

    def scoring_sql(self, pairs: str, owners: str, citizens: str, n_citizens: int,
                    frequency_tables: dict[tuple[str, ...], str],
                    dialect: Dialect | None = None) -> str:
        """One query scoring the pairs of ``pairs`` (``uid_l``, ``uid_r``) with the trained
        weights: per field its level (``g_<field>``) and bits (``w_<field>``, adjusted by the
        frequency tables ``{key columns: table}`` of :meth:`frequency_sql`), and the total
        ``w``. The same level SQL as the training (the catalog), no intermediate table, in
        ``dialect`` (default: the training's; the model may be trained where its samples are
        and score where the pairs are)."""
        weights = self.weights()
        cols = [c for c in MODEL_COLUMNS if c != "uid"]
        adjust = self.frequency_sql(n_citizens)
        # the register's frequency of each owner's values, looked up once per owner, not once
        # per pair (an owner has dozens of candidates)
        aliases = {key: "tf_" + "_".join(key)
                   for key in sorted({key for terms in adjust.values() for key, _ in terms})}
        counts = ", ".join(f"{a}.n AS {a}_n" for a in aliases.values())
        joins = " ".join(
            f"LEFT JOIN {frequency_tables[key]} {a} ON "
            + " AND ".join(f"{a}.{k} = o.{k}" for k in key) for key, a in aliases.items())
        tf_cols = [f"{a}_n" for a in aliases.values()]
        sides = ", ".join([f"l.{c} AS {c}_l" for c in cols] + [f"l.{c}" for c in tf_cols]
                          + [f"r.{c} AS {c}_r" for c in cols])
        dialect = dialect or self.dialect
        levels = []
        for f in fields(dialect):  # a similarity inside its level: computed only when reached
            cases = " ".join(f"WHEN {lv.sql} THEN '{lv.label}'" for lv in f.levels)
            levels.append(f"CASE WHEN {f.null_sql} THEN 'null' {cases} END AS g_{f.name}")
        per_field = []
        for name in FIELD_NAMES:
            mapped = " ".join(f"WHEN '{label}' THEN CAST({w!r} AS DOUBLE)"
                              for (n, label), w in weights.items() if n == name)
            terms = [f"(CASE g_{name} {mapped} ELSE 0.0 END)"]
            terms += [term for _key, term in adjust.get(name, [])]
            per_field.append(f"{' + '.join(terms)} AS w_{name}")
        total = " + ".join(f"w_{n}" for n in FIELD_NAMES)
        out = ", ".join(f"g_{n}, w_{n}" for n in FIELD_NAMES)
        return f"""WITH lt AS (SELECT o.*{', ' + counts if counts else ''}
                FROM (SELECT * FROM {owners} WHERE uid IN (SELECT uid_l FROM {pairs})) o
                {joins}),
            x AS (SELECT c.uid_l AS i, c.uid_r AS j, {sides}
                FROM {pairs} c JOIN lt l ON l.uid = c.uid_l
                JOIN {citizens} r ON r.uid = c.uid_r),
            g AS (SELECT i, j, {', '.join(tf_cols + levels)} FROM x),
            y AS (SELECT g.i, g.j, {', '.join(f'g.g_{n}' for n in FIELD_NAMES)},
                    {', '.join(per_field)} FROM g)
            SELECT i, j, {total} AS w, {out} FROM y"""
