"""The fields the probabilistic stage compares, their levels, and what each level means.

One catalog for the model (:mod:`datdai.matching.model`), the decisions and reason codes
(:mod:`datdai.matching.decide`) and the officer's explanation (per field: which level, how
many bits). Levels are written in SQL over the model tables' columns with Splink's ``_l``
(owner) and ``_r`` (citizen) suffixes, for DuckDB or Spark (:class:`Dialect`); each comparison
has a null level — a value missing on either side, or a column absent from a file, contributes
nothing and never stops a match.

The ``prior`` of a level is the m-probability the model starts from (generic values, the same
for any data: agreement is common among true matches, disagreement rare); expectation–
maximisation replaces them from the data. They are not tuned on any data set.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Dialect:
    """The SQL functions that differ between DuckDB and Spark."""

    name: str  # duckdb | spark
    jaro_winkler: str

    def jw(self, a: str, b: str) -> str:
        return f"{self.jaro_winkler}({a}, {b})"

    def edits(self, a: str, b: str) -> str:
        """Edit distance; a transposition counts one where the engine knows it (DuckDB)."""
        if self.name == "spark":
            return f"levenshtein({a}, {b})"
        return f"damerau_levenshtein({a}, {b})"

    @staticmethod
    def jaccard(a: str, b: str) -> str:
        """Share of words two word signatures have in common (null when one is null)."""
        return f"(bit_count({a} & {b}) / greatest(bit_count({a} | {b}), 1))"

    @staticmethod
    def shared(a: str, b: str) -> str:
        return f"bit_count({a} & {b})"


DUCKDB = Dialect("duckdb", "jaro_winkler_similarity")
SPARK = Dialect("spark", "jaro_winkler")  # Splink's Scala UDF, registered by SparkAPI


@dataclass(frozen=True)
class Level:
    label: str  # code, stable: stored with results and shown in explanations
    sql: str  # condition in the dialect's SQL
    prior: float  # starting m-probability
    # the key whose frequency in the register adjusts the weight: a level agreeing on a common
    # value (Nguyễn Văn Anh, 01/01/1960) is less evidence than on a rare one
    tf: tuple[str, ...] | None = None
    reason: str | None = None  # reason code written in ly_do when the best candidate has it
    text: str = ""  # what it means, for an officer


@dataclass(frozen=True)
class Field:
    name: str  # comparison name (Splink's output column)
    column: str  # the field's name in the explanation file and the store (ho_ten, ngay_sinh …)
    text: str  # Vietnamese, for the officer
    null_sql: str
    levels: tuple[Level, ...]  # most specific first


FUZZY_NAME = 0.92  # Jaro–Winkler of the folded full names: one or two typing slips
GIVEN_CLOSE = 0.85  # Jaro–Winkler of two given names: a variant or a slip (Hannah / Anna)
FULL = ("ten_khoa",)  # the key of the exact-name levels' frequency adjustment
ADDRESS_SAME = 0.8  # share of the local address words: the same house or hamlet
ADDRESS_NEAR = 0.4
ADDRESS_TEXT = 0.9  # Jaro–Winkler of the local words run together: slips, words split or joined


def _addr(d: Dialect, k: int, what: str) -> str:
    """The owner's address (a1) against the citizen's k-th address (1 permanent, 2 current)."""
    l_w, r_w = "a1_bits_l", f"a{k}_bits_r"
    jac = d.jaccard(l_w, r_w)
    admin_ok = f"coalesce(a1_xa_l = a{k}_xa_r, a1_tinh_l = a{k}_tinh_r, true)"
    return {
        "same": f"({admin_ok} AND {d.shared(l_w, r_w)} >= 2 AND {jac} >= {ADDRESS_SAME})",
        "commune_similar": f"(a1_xa_l = a{k}_xa_r AND {jac} >= {ADDRESS_NEAR})",
        "commune": f"(a1_xa_l = a{k}_xa_r)",
        "similar": f"({admin_ok} AND {jac} >= 0.5)",
        "text_close": f"({admin_ok} AND {d.jw('a1_txt_l', f'a{k}_txt_r')} >= {ADDRESS_TEXT})",
        "province": f"(a1_tinh_l = a{k}_tinh_r)",
    }[what]


def fields(d: Dialect) -> tuple[Field, ...]:
    jw = d.jw
    both = "coalesce({0}_l = {0}_r, false)"

    def addr(what: str) -> str:
        return f"coalesce({_addr(d, 1, what)}, false) OR coalesce({_addr(d, 2, what)}, false)"

    return (
        Field("name", "ho_ten", "Họ tên", "ten_khoa_l IS NULL OR ten_khoa_r IS NULL", (
            Level("exact_accent", "ten_dau_l = ten_dau_r", 0.70, FULL, "NAME_EXACT",
                  "trùng cả dấu"),
            Level("exact", "ten_khoa_l = ten_khoa_r AND (ten_dau_l IS NULL OR ten_dau_r IS NULL)",
                  0.15, FULL, "NAME_EXACT", "trùng (một bên không dấu)"),
            Level("accent_differs", "ten_khoa_l = ten_khoa_r", 0.02, FULL, "NAME_ACCENT",
                  "trùng chữ, khác dấu"),
            Level("order", "ten_sap_l = ten_sap_r", 0.02, ("ten_sap",), "NAME_ORDER",
                  "đủ các tiếng, khác thứ tự"),
            Level("middle_initial", f"{both.format('ho')} AND {both.format('ten')} AND "
                  "left(dem_l, 1) = left(dem_r, 1)", 0.02, ("ho", "ten"), "NAME_MIDDLE",
                  "trùng họ và tên, tên đệm viết tắt hoặc khác chút"),
            Level("middle", f"{both.format('ho')} AND {both.format('ten')}", 0.02, ("ho", "ten"),
                  "NAME_MIDDLE", "trùng họ và tên, khác tên đệm"),
            Level("typo", f"ten_l = ten_r AND {jw('ten_khoa_l', 'ten_khoa_r')} >= {FUZZY_NAME}",
                  0.03, None, "NAME_FUZZY", "gần giống (sai chính tả ở họ/đệm)"),
            Level("typo_given", f"{jw('ten_khoa_l', 'ten_khoa_r')} >= {FUZZY_NAME}", 0.02,
                  None, "NAME_FUZZY", "gần giống (khác ở tên)"),
            Level("given_close", f"ho_l = ho_r AND {jw('ten_l', 'ten_r')} >= {GIVEN_CLOSE}", 0.01,
                  ("ho",), "NAME_GIVEN_VARIANT", "trùng họ, tên gần giống"),
            Level("swapped", f"{jw('ho_l', 'ten_r')} >= {GIVEN_CLOSE} AND "
                  f"{jw('ten_l', 'ho_r')} >= {GIVEN_CLOSE}", 0.01, None, "NAME_ORDER",
                  "họ và tên viết đảo chỗ"),
            Level("given_elsewhere", f"{jw('ho_l', 'ten_r')} >= {FUZZY_NAME} OR "
                  f"{jw('ten_l', 'ho_r')} >= {FUZZY_NAME}", 0.01, None, "NAME_PARTIAL",
                  "tên của bên này ở chỗ khác của bên kia"),
            Level("surname", "ho_l = ho_r", 0.01, ("ho",), "NAME_SURNAME_ONLY", "chỉ trùng họ"),
            Level("given", "ten_l = ten_r", 0.01, ("ten",), "NAME_GIVEN_ONLY", "chỉ trùng tên"),
            Level("other", "true", 0.02, None, "NAME_CONFLICT", "khác"),
        )),
        Field("birth", "ngay_sinh", "Ngày sinh", "nam_l IS NULL OR nam_r IS NULL", (
            Level("date", "nam_l = nam_r AND thang_l = thang_r AND ngay_l = ngay_r", 0.60,
                  ("ns",), "BIRTH_DATE_MATCH", "trùng ngày sinh"),
            Level("date_slip", "(nam_l = nam_r AND thang_l = ngay_r AND ngay_l = thang_r) "
                  "OR levenshtein(ns_l, ns_r) = 1", 0.04, None, "BIRTH_DATE_NEAR",
                  "ngày sinh đảo ngày/tháng hoặc lệch một chữ số"),
            Level("year_only", "nam_l = nam_r AND (thang_l IS NULL OR thang_r IS NULL)", 0.25,
                  ("nam",), "BIRTH_YEAR_MATCH", "trùng năm sinh (một bên chỉ có năm)"),
            Level("year_month", "nam_l = nam_r AND thang_l = thang_r", 0.02, None,
                  "BIRTH_YEAR_MATCH", "trùng năm và tháng, khác ngày"),
            Level("year", "nam_l = nam_r", 0.02, None, "BIRTH_YEAR_MATCH",
                  "trùng năm, khác ngày tháng"),
            Level("near", "abs(nam_l - nam_r) = 1", 0.04, None, "BIRTH_YEAR_NEAR",
                  "năm sinh lệch một năm"),
            Level("other", "true", 0.03, None, "BIRTH_YEAR_CONFLICT", "khác"),
        )),
        Field("address", "dia_chi", "Địa chỉ",
              "(a1_bits_l IS NULL AND a1_tinh_l IS NULL) OR (a1_bits_r IS NULL AND a1_tinh_r IS"
              " NULL AND a2_bits_r IS NULL AND a2_tinh_r IS NULL)", (
            Level("same", addr("same"), 0.45, None, "ADDRESS_MATCH", "cùng số nhà/thôn, cùng xã"),
            Level("commune_similar", addr("commune_similar"), 0.15, None, "ADDRESS_MATCH",
                  "cùng xã, địa chỉ gần giống"),
            Level("commune", addr("commune"), 0.15, None, "COMMUNE_MATCH", "cùng xã"),
            Level("similar", addr("similar"), 0.05, None, "ADDRESS_SIMILAR",
                  "địa chỉ gần giống"),
            Level("text_close", addr("text_close"), 0.05, None, "ADDRESS_SIMILAR",
                  "địa chỉ gần giống (sai chính tả)"),
            Level("province", addr("province"), 0.10, None, "PROVINCE_MATCH", "cùng tỉnh"),
            Level("other", "true", 0.10, None, "ADDRESS_OTHER", "khác"),
        )),
        Field("gender", "gioi_tinh", "Giới tính", "gioi_tinh_l IS NULL OR gioi_tinh_r IS NULL", (
            Level("same", "gioi_tinh_l = gioi_tinh_r", 0.97, None, None, "trùng"),
            Level("other", "true", 0.03, None, "GENDER_CONFLICT", "khác"),
        )),
        Field("id", "giay_to", "Giấy tờ",
              "(cccd_l IS NULL OR cccd_r IS NULL) AND (cmnd_l IS NULL OR cmnd_r IS NULL)", (
            Level("exact", "cccd_l = cccd_r OR cmnd_l = cmnd_r", 0.80, None, "ID_EXACT",
                  "trùng số"),
            Level("typo", "coalesce(levenshtein(cccd_l, cccd_r) <= 2, false) "
                  "OR coalesce(levenshtein(cmnd_l, cmnd_r) <= 1, false)", 0.10, None,
                  "ID_TYPO", "số gần giống (sai một, hai chữ số)"),
            Level("other", "true", 0.10, None, "ID_CONFLICT", "khác số"),
        )),
    )


FIELD_NAMES = ("name", "birth", "address", "gender", "id")


def levels_of(name: str) -> tuple[str, ...]:
    """Level labels of a field, most specific first (Splink's gamma counts down to 0)."""
    field = next(f for f in fields(DUCKDB) if f.name == name)
    return tuple(lv.label for lv in field.levels)


def tf_families() -> dict[tuple[str, tuple[str, ...]], tuple[str, ...]]:
    """(field, key columns) → the levels adjusted by the frequency of that key."""
    out: dict[tuple[str, tuple[str, ...]], list[str]] = {}
    for f in fields(DUCKDB):
        for lv in f.levels:
            if lv.tf:
                out.setdefault((f.name, lv.tf), []).append(lv.label)
    return {k: tuple(v) for k, v in out.items()}


def reason_codes() -> dict[tuple[str, str], str]:
    return {(f.name, lv.label): lv.reason for f in fields(DUCKDB) for lv in f.levels
            if lv.reason}


def level_texts() -> dict[tuple[str, str], str]:
    out = {(f.name, lv.label): lv.text for f in fields(DUCKDB) for lv in f.levels}
    out.update({(f.name, "null"): "không có để so" for f in fields(DUCKDB)})
    return out


def field_texts() -> dict[str, str]:
    return {f.name: f.text for f in fields(DUCKDB)}


def field_columns() -> dict[str, str]:
    """Field name → its column name in the explanation file (ho_ten, ngay_sinh, …)."""
    return {f.name: f.column for f in fields(DUCKDB)}
