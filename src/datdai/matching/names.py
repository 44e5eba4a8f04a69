"""Persons' names as comparison keys: folded, split into surname, middle and given name.

A Vietnamese name is written surname first ("Nguyễn Văn An": surname Nguyễn, middle Văn, given
An); other sources write the given name first. Within one file the split is positional (first
word, middle words, last word); :func:`align_name_order` then compares the two files' word
distributions and, when the population extract clearly uses the other order, reads its names the
other way round — said in a note. Rows written in another order than the rest of their file are
still found by the order-free key ``ten_sap`` (the words sorted).

Keys (lower case; DuckDB's ``strip_accents`` for the folding, as :func:`~datdai.cleaning.prepare.name_key`):

* ``ten_khoa`` — folded full name without courtesy prefixes (Ông, Bà, Hộ ông …), with the
  final i/y written one way (:func:`spelling_key`);
* ``ten_dau`` — the same with diacritics, only where the name carries any (a name written
  without them cannot tell Lan from Lân);
* ``ho``, ``dem``, ``ten`` — first word, middle words, last word of ``ten_khoa``;
* ``ten_sap`` — the words of ``ten_khoa`` sorted.
"""

from __future__ import annotations

import duckdb
import pyarrow as pa
import pyarrow.compute as pc

from datdai.cleaning.prepare import (
    NAME_PREFIX,
    name_key,
    nfc_column,
    per_distinct,
    table_per_distinct,
)

NAME_COLUMNS = (("ten_khoa", pa.string()), ("ten_dau", pa.string()), ("ho", pa.string()),
                ("dem", pa.string()), ("ten", pa.string()), ("ten_sap", pa.string()))
# a file's order is changed only when the other reading fits this much better
ORDER_MARGIN = 1.5


@per_distinct
def _accented(values: pa.Array) -> pa.Array:
    v = pc.utf8_lower(pc.utf8_trim_whitespace(nfc_column(values)))
    v = pc.replace_substring_regex(v, r"[^\p{L}\p{M}\p{N}]+", " ")
    v = pc.utf8_trim_whitespace(pc.replace_substring_regex(v, r"\s+", " "))
    v = pc.replace_substring_regex(v, NAME_PREFIX, "")
    plain = pc.match_substring_regex(v, r"^[\x00-\x7f]*$")
    return pc.if_else(pc.fill_null(plain, True), pa.scalar(None, pa.string()), v)


# courtesy prefixes as they read without diacritics ("Ba Pham Thi Suong", "Ho ong Bui Van Binh"):
# taken off only from names written without any diacritic, and only when a full name of three
# words or more remains (Hồ Bá, Ông are surnames too)
_FOLDED_PREFIX = r"^(?:ho gia dinh ong|ho gia dinh ba|ho gia dinh|ho ong|ho ba|ong|ba|cu) (\S+ \S+ \S+.*)$"


def _without_folded_prefix(names: pa.Array, keys: pa.Array) -> pa.Array:
    plain = pc.fill_null(pc.match_substring_regex(pc.fill_null(names, ""), r"^[\x00-\x7f]*$"),
                         False)
    stripped = pc.replace_substring_regex(keys, _FOLDED_PREFIX, r"\1")
    return pc.if_else(plain, stripped, keys)


@per_distinct
def spelling_key(folded: pa.Array) -> pa.Array:
    """Spellings of one name made one: the final i/y after a consonant (Sĩ/Sỹ, Mi/My, Kì/Kỳ,
    Lí/Lý: "si", "mi", "ki", "li") and qui/quy ("quy")."""
    v = pc.replace_substring_regex(folded, r"([bcdghklmnprstvx])y( |$)", r"\1i\2")
    return pc.replace_substring_regex(v, r"(^| )qui( |$)", r"\1quy\2")


def name_parts(names: pa.Array) -> pa.Table:
    """The keys of :data:`NAME_COLUMNS` for each name (null for a missing name), worked out once
    per distinct name."""
    return table_per_distinct(names, _name_parts)


def _name_parts(names: pa.Array) -> pa.Table:
    key = spelling_key(_without_folded_prefix(names, name_key(pc.fill_null(names, ""))))
    key = pc.if_else(pc.equal(key, ""), pa.scalar(None, pa.string()), key)
    con = duckdb.connect()
    try:
        con.register("v", pa.table({"k": key}))
        parts = con.sql("""
            WITH w AS (SELECT k, string_split(k, ' ') AS t FROM v)
            SELECT t[1] AS ho,
                   CASE WHEN len(t) > 2 THEN array_to_string(t[2:len(t) - 1], ' ') END AS dem,
                   CASE WHEN len(t) > 1 THEN t[len(t)] END AS ten,
                   array_to_string(list_sort(t), ' ') AS ten_sap
            FROM w""").to_arrow_table()
    finally:
        con.close()
    return pa.table({
        "ten_khoa": key, "ten_dau": _accented(names),
        "ho": parts["ho"].combine_chunks(), "dem": parts["dem"].combine_chunks(),
        # a one-word name is a given name (the person's surname is unknown)
        "ten": pc.coalesce(parts["ten"].combine_chunks(), parts["ho"].combine_chunks()),
        "ten_sap": parts["ten_sap"].combine_chunks(),
    }).cast(pa.schema(NAME_COLUMNS))


def _shares(values: pa.Array) -> dict[str, float]:
    counts = pc.value_counts(values.drop_null())
    total = sum(c.as_py() for c in counts.field("counts")) or 1
    return {v.as_py(): c.as_py() / total for v, c in zip(counts.field("values"),
                                                         counts.field("counts"))}


def _overlap(a: dict[str, float], b: dict[str, float]) -> float:
    """Histogram intersection of two word distributions (1: the same, 0: nothing shared)."""
    return sum(min(p, b.get(w, 0.0)) for w, p in a.items())


def name_order_fit(owners: pa.Table, population: pa.Table) -> tuple[float, float]:
    """(fit of the positional reading, fit with the population's order reversed): how much the
    first and last words of the two files' names look alike either way."""
    first_o, last_o = _shares(owners["ho"]), _shares(_last_words(owners))
    first_p, last_p = _shares(population["ho"]), _shares(_last_words(population))
    same = _overlap(first_o, first_p) + _overlap(last_o, last_p)
    swapped = _overlap(first_o, last_p) + _overlap(last_o, first_p)
    return same, swapped


def _last_words(table: pa.Table) -> pa.Array:
    # only names of two words or more have a distinct last word
    return pc.if_else(pc.equal(table["ho"], table["ten"]), pa.scalar(None, pa.string()),
                      table["ten"])


def reverse_order(table: pa.Table) -> pa.Table:
    """The name keys read given-name first: ``ho`` becomes the last word, ``ten`` the first,
    and the full keys are rewritten surname first ("james michael smith" → "smith michael
    james"), so that they compare with names written the Vietnamese way."""
    con = duckdb.connect()
    try:
        con.register("v", table.select(["ten_khoa", "ten_dau"]))
        flipped = con.sql(f"""SELECT {_surname_first('ten_khoa')} AS ten_khoa,
                {_surname_first('ten_dau')} AS ten_dau FROM v""").to_arrow_table()
    finally:
        con.close()
    ho, ten = table["ho"], table["ten"]
    single = pc.equal(ho, ten)
    new = {"ho": pc.if_else(single, ho, ten), "ten": ho,
           "ten_khoa": flipped["ten_khoa"], "ten_dau": flipped["ten_dau"]}
    for name, value in new.items():
        table = table.set_column(table.schema.get_field_index(name), name, value)
    return table


def _surname_first(column: str) -> str:
    t = f"string_split({column}, ' ')"
    return (f"CASE WHEN len({t}) < 2 THEN {column} ELSE array_to_string("
            f"list_concat([{t}[-1]], {t}[2:-2], [{t}[1]]), ' ') END")


def align_name_order(owners: pa.Table, population: pa.Table,
                     notes: list[str] | None = None) -> pa.Table:
    """The population table, with its names read the other way round when its word positions
    fit the owners' clearly better so (a note says it)."""
    same, swapped = name_order_fit(owners, population)
    if swapped > ORDER_MARGIN * same and swapped > 0.2:
        if notes is not None:
            notes.append(
                "ho_ten: tệp dân cư viết tên trước họ (khác tệp chủ sử dụng; độ trùng theo vị trí "
                f"{same:.2f}, đảo lại {swapped:.2f}) — đã đọc họ là từ cuối, tên là từ đầu / the "
                "population extract writes given names first: read accordingly")
        return reverse_order(population)
    return population
