"""Addresses as comparison keys: the 2025 admin unit where the address names one, and the words
of its local part (house number, street, hamlet) everywhere.

An address with a house number is nearly always distinct, so nothing here runs per address in
Python. The admin-unit parser (:func:`datdai.kernel.admin_units.address_key`, pure Python) only
ever sees the address's *admin tail* — the last comma-separated parts that do not start with a
number or a street/hamlet word ("Số 12 đường Lê Lợi, Phường Bến Thành, Quận 1, TP. HCM" →
"phường bến thành, quận 1, tp. hcm"; an address without commas is cut at its first admin-unit
word; " - " separates parts as a comma does) — and it runs once per distinct tail: at most a few per commune, however many addresses.

Columns per address (``<p>`` the prefix given):

* ``<p>_tinh``, ``<p>_xa`` — 2025 province and commune codes (null where the tail names none:
  a foreign address, or one too vague);
* ``<p>_bits`` — the folded words of the local part (the address before its tail when the tail
  was recognised, else all of it), without the generic words (số, đường, thôn, street, …), as a
  64-bit signature (:data:`SIGNATURE_BITS`) for a word-overlap comparison;
* ``<p>_so`` — the first of those words holding a digit (a house or street number);
* ``<p>_txt`` — those words run together ("266jaegercircuitkookaburravillage"), for a
  character-level comparison that survives typing slips and words split or joined.
* ``<p>_chu`` — the same without its digits ("jaegercircuitkookaburravillage"): a blocking key
  that a mistyped or changed house number does not hide.
"""

from __future__ import annotations

from functools import lru_cache

import duckdb
import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from datdai.cleaning.prepare import fold_sql, spread, table_per_distinct
from datdai.kernel.admin_units import address_key

# words that say what kind of place follows, not which (folded)
GENERIC_WORDS = (
    "so", "duong", "ngo", "hem", "kiet", "ngach", "thon", "ap", "to", "xom", "khu", "pho",
    "khom", "ban", "doi", "lang", "cum", "kp", "tdp", "dan", "nha", "can", "ho", "phong",
    "street", "st", "road", "rd", "avenue", "ave", "lane", "ln", "drive", "dr", "place", "pl",
    "court", "ct", "unit", "apt", "no",
)
# a part of an address that starts this way is local (folded first word), not an admin unit
# a part of an address that starts this way is local, not an admin unit (lower case, with
# and without diacritics)
LOCAL_START = ("số", "so", "đường", "duong", "ngõ", "ngo", "hẻm", "hem", "kiệt", "kiet", "ngách",
               "ngach", "thôn", "thon", "ấp", "ap", "tổ", "to", "xóm", "xom", "khu", "kp", "tdp",
               "khóm", "khom", "bản", "ban", "đội", "doi", "làng", "lang", "cụm", "cum", "phố",
               "pho", "lô", "lo", "block", "unit")
# admin-unit words: an address without commas is cut before the first of them
_ADMIN_WORD = (r"(^|\s)(xã|xa|phường|phuong|thị trấn|thi tran|huyện|huyen|quận|quan|thị xã|"
               r"thành phố|thanh pho|tỉnh|tinh|tp\.?|tx\.?|tt\.?|p\.|q\.|x\.|h\.)(\s|$)")
_SEPARATORS = r"(\s*[,;|\n]\s*|\s+-\s+)+"
# a dot and the spaces after it, and any other whitespace run, become one space; a single space
# is left alone (the same result as r"\.(\s*)|\s+", without a replacement per word: DuckDB's
# global replace costs per match)
_DOTS_AND_SPACES = r"\.(\s*)|\s\s+|[^\S ]"

ADDRESS_COLUMNS = ("tinh", "xa", "bits", "so", "txt", "chu")
# the local words as a set of bits (each word sets bit hash(word) mod 63): the share of words
# two addresses have in common is then a popcount, as fast in SQL as any number comparison; two
# of a handful of words seldom fall on the same bit
SIGNATURE_BITS = 63


def _is_local(part: str) -> str:
    """SQL: the (lower-case) part of an address is local — it starts with a number or a
    street/hamlet word, or holds a number that is not a ward's or district's ("Phường 12")."""
    return (f"(regexp_matches({part}, '^(\\d|({'|'.join(LOCAL_START)})(\\s|\\.|$))') OR "
            f"(regexp_matches({part}, '\\d') AND NOT regexp_matches({part}, "
            f"'^(phường|phuong|quận|quan|p|q|f)\\.?\\s*\\d+$')))")


def _list(words: tuple[str, ...]) -> str:
    return "[" + ", ".join(f"'{w}'" for w in words) + "]"


def address_keys(values: pa.Array, prefix: str) -> pa.Table:
    """The columns ``<prefix>_`` + :data:`ADDRESS_COLUMNS` of each address (computed once per
    distinct address: the members of a household share theirs)."""
    return table_per_distinct(values, lambda distinct: _address_keys(distinct, prefix))


def address_keys_of(columns: dict[str, pa.Array]) -> pa.Table:
    """:func:`address_keys` of several address columns of one file at once (``{prefix:
    values}``): a permanent and a current residence are mostly the same text, worked out once."""
    arrays = [v.combine_chunks() if isinstance(v, pa.ChunkedArray) else v
              for v in columns.values()]
    distinct, indices = _encode_alike(arrays)
    keys = _address_keys(distinct, "_")
    spread_out = {c: spread(keys[f"__{c}"], *indices) for c in ADDRESS_COLUMNS}
    return pa.table({f"{prefix}_{c}": spread_out[c][k]
                     for k, prefix in enumerate(columns) for c in ADDRESS_COLUMNS})


def _encode_alike(arrays: list[pa.Array]) -> tuple[pa.Array, list[pa.Array]]:
    """The distinct values of equally long ``arrays`` and each array's indices into them. A
    value equal to the first array's on the same row takes its index without being hashed
    again (four in five citizens live where they are registered): a third faster than
    dictionary-encoding the arrays end to end."""
    first = pc.dictionary_encode(arrays[0], null_encoding="encode")
    distinct, base = first.dictionary, first.indices
    out = [base]
    for values in arrays[1:]:
        other = pc.invert(pc.fill_null(pc.equal(values, arrays[0]), False))
        rest = pc.filter(values, other)
        pos = pc.index_in(rest, distinct, skip_nulls=False)
        unseen = pc.is_null(pos)
        new = pc.dictionary_encode(pc.filter(rest, unseen), null_encoding="encode")
        pos = pc.replace_with_mask(pos, unseen, pc.add(new.indices.cast(pa.int32()),
                                                       pa.scalar(len(distinct), pa.int32())))
        distinct = pa.concat_arrays([distinct, new.dictionary])
        out.append(pc.replace_with_mask(base, other, pos.cast(base.type)))
    return distinct, out


def _address_keys(values: pa.Array, prefix: str) -> pa.Table:
    con = duckdb.connect()
    try:
        con.register("v", pa.table({"k": np.arange(len(values), dtype=np.int64),
                                    "a": values}))
        # the admin tail: from the first of the last three parts that is not local; an address
        # without separators: from its first admin-unit word
        con.execute(f"""CREATE TEMP TABLE addr AS
            WITH s AS (SELECT k, string_split_regex(trim(regexp_replace(lower(a),
                    '{_DOTS_AND_SPACES}', ' ', 'g')), '{_SEPARATORS}') AS parts
                FROM v WHERE a IS NOT NULL),
            u AS (SELECT k, parts, len(parts) AS n,
                    CASE WHEN len(parts) <= 1 THEN NULL
                         WHEN len(parts) >= 3 AND NOT {_is_local('parts[len(parts) - 2]')}
                              THEN len(parts) - 2
                         WHEN NOT {_is_local('parts[len(parts) - 1]')} THEN len(parts) - 1
                         ELSE len(parts) END AS first_admin
                FROM s)
            SELECT k,
                CASE WHEN n = 1 THEN nullif(regexp_extract(parts[1], '{_ADMIN_WORD}.*$', 0), '')
                     ELSE array_to_string(parts[first_admin:], ', ') END AS tail,
                CASE WHEN n = 1 THEN regexp_replace(parts[1], '{_ADMIN_WORD}.*$', '')
                     ELSE array_to_string(parts[1:first_admin - 1], ' ') END AS local,
                array_to_string(parts, ' ') AS whole
            FROM u""")
        tails = con.sql("SELECT DISTINCT tail FROM addr WHERE tail IS NOT NULL").fetchall()
        keys = [_key(t) for (t,) in tails]
        con.register("tk", pa.table({
            "tail": pa.array([t for (t,) in tails], pa.string()),
            "tinh": pa.array([k[0] for k in keys], pa.string()),
            "xa": pa.array([k[1] for k in keys], pa.string())}))
        # the local part where the tail named a province, else the whole address: its words
        # without the generic ones, as a signature, the first number, the words run together
        out = con.sql(f"""WITH j AS (
                SELECT v.k, tk.tinh, tk.xa, string_split({fold_sql(
                    "CASE WHEN tk.tinh IS NOT NULL THEN addr.local ELSE addr.whole END")}, ' ')
                    AS w
                FROM v LEFT JOIN addr USING (k) LEFT JOIN tk USING (tail)),
            t AS (SELECT k, tinh, xa, list_filter(w, lambda x: x <> ''
                    AND NOT list_contains({_list(GENERIC_WORDS)}, x)) AS tu FROM j)
            SELECT tinh, xa,
                CASE WHEN len(tu) > 0 THEN list_reduce(list_transform(tu,
                        lambda w: (1::BIGINT << CAST(hash(w) % {SIGNATURE_BITS} AS INTEGER))),
                        lambda a, b: a | b) END AS bits,
                list_filter(tu, lambda w: regexp_matches(w, '\\d'))[1] AS so,
                nullif(array_to_string(tu, ''), '') AS txt,
                nullif(regexp_replace(array_to_string(tu, ''), '[0-9]+', '', 'g'), '') AS chu
            FROM t ORDER BY k""").to_arrow_table()
    finally:
        con.close()
    return pa.table({f"{prefix}_{c}": out[c].combine_chunks() for c in ADDRESS_COLUMNS})


@lru_cache(maxsize=1 << 18)
def _key(tail: str) -> tuple[str | None, str | None]:
    key = address_key(tail)
    if key is None:
        return None, None
    return key.new_province_code, key.new_commune_code
