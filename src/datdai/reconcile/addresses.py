"""Addresses as comparison keys: the 2025 admin unit where the address names one, and the words
of its local part (house number, street, hamlet) everywhere.

An address with a house number is nearly always distinct, so nothing here runs per address in
Python. The admin-unit parser (:func:`datdai.refdata.admin_units.address_key`, pure Python) only
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
"""

from __future__ import annotations

import duckdb
import numpy as np
import pyarrow as pa

from datdai.quality.prepare import fold_column
from datdai.refdata.admin_units import address_key

# words that say what kind of place follows, not which (folded)
GENERIC_WORDS = (
    "so", "duong", "ngo", "hem", "kiet", "ngach", "thon", "ap", "to", "xom", "khu", "pho",
    "khom", "ban", "doi", "lang", "cum", "kp", "tdp", "dan", "nha", "can", "ho", "phong",
    "street", "st", "road", "rd", "avenue", "ave", "lane", "ln", "drive", "dr", "place", "pl",
    "court", "ct", "unit", "apt", "no",
)
# a part of an address that starts this way is local (folded first word), not an admin unit
LOCAL_START = ("so", "duong", "ngo", "hem", "kiet", "ngach", "thon", "ap", "to", "xom", "khu",
               "kp", "tdp", "khom", "ban", "doi", "lang", "cum", "pho", "lo", "block", "unit")
# admin-unit words: an address without commas is cut before the first of them
_ADMIN_WORD = (r"(^|\s)(xã|xa|phường|phuong|thị trấn|thi tran|huyện|huyen|quận|quan|thị xã|"
               r"thành phố|thanh pho|tỉnh|tinh|tp\.?|tx\.?|tt\.?|p\.|q\.|x\.|h\.)(\s|$)")

ADDRESS_COLUMNS = ("tinh", "xa", "bits", "so", "txt")
# the local words as a set of bits (each word sets bit hash(word) mod 63): the share of words
# two addresses have in common is then a popcount, as fast in SQL as any number comparison; two
# of a handful of words seldom fall on the same bit
SIGNATURE_BITS = 63


def _is_local(part: str) -> str:
    """SQL: the (lower-case) part of an address is local — it starts with a number or a
    street/hamlet word, or holds a number that is not a ward's or district's ("Phường 12")."""
    folded = f"strip_accents(replace({part}, 'đ', 'd'))"
    return (f"(regexp_matches({folded}, '^(\\d|({'|'.join(LOCAL_START)})(\\s|\\.|$))') OR "
            f"(regexp_matches({part}, '\\d') AND NOT regexp_matches({folded}, "
            f"'^(phuong|quan|p|q|f)\\.?\\s*\\d+$')))")


def _list(words: tuple[str, ...]) -> str:
    return "[" + ", ".join(f"'{w}'" for w in words) + "]"


def address_keys(values: pa.Array, prefix: str) -> pa.Table:
    """The columns ``<prefix>_`` + :data:`ADDRESS_COLUMNS` of each address."""
    if isinstance(values, pa.ChunkedArray):
        values = values.combine_chunks()
    con = duckdb.connect()
    try:
        con.register("v", pa.table({"k": np.arange(len(values), dtype=np.int64),
                                    "a": values}))
        # the admin tail: the last three comma-separated parts, less the local ones in front;
        # an address without commas: from its first admin-unit word
        con.execute(f"""CREATE TEMP TABLE addr AS
            WITH s AS (SELECT k, a,
                    list_filter(list_transform(string_split_regex(lower(trim(coalesce(a, ''))),
                                '(\\s*[,;|\\n]\\s*|\\s+-\\s+)+'), lambda x: trim(x)), lambda x: x <> '') AS parts
                FROM v),
            t AS (SELECT k, a, parts,
                    CASE WHEN len(parts) > 1 THEN parts[greatest(len(parts) - 2, 1):] END AS last3
                FROM s),
            u AS (SELECT k, a, parts, last3,
                    list_position(list_transform(last3, lambda x: NOT {_is_local('x')}), true)
                        AS first_admin
                FROM t)
            SELECT k, a,
                CASE WHEN len(parts) = 0 THEN NULL
                     WHEN len(parts) = 1 THEN nullif(regexp_extract(parts[1],
                         '{_ADMIN_WORD}.*$', 0), '')
                     WHEN first_admin IS NULL THEN NULL
                     ELSE array_to_string(last3[first_admin:], ', ') END AS tail,
                CASE WHEN len(parts) = 1 THEN regexp_replace(parts[1], '{_ADMIN_WORD}.*$', '')
                     WHEN first_admin IS NULL THEN array_to_string(parts, ' ')
                     ELSE array_to_string(parts[1:len(parts) - len(last3) + first_admin - 1], ' ')
                     END AS local,
                array_to_string(parts, ' ') AS whole
            FROM u""")
        tails = con.sql("SELECT DISTINCT tail FROM addr WHERE tail IS NOT NULL").fetchall()
        keys = [(t, *_key(t)) for (t,) in tails]
        con.execute("CREATE TEMP TABLE tk (tail VARCHAR, tinh VARCHAR, xa VARCHAR)")
        if keys:
            con.executemany("INSERT INTO tk VALUES (?, ?, ?)", keys)
        # the local part where the tail named a province, else the whole address
        joined = con.sql("""SELECT addr.k, tk.tinh, tk.xa,
                CASE WHEN tk.tinh IS NOT NULL THEN addr.local ELSE addr.whole END AS local
            FROM addr LEFT JOIN tk USING (tail) ORDER BY addr.k""").to_arrow_table()
        folded = fold_column(joined["local"])
        con.register("f", pa.table({"k": joined["k"], "f": folded}))
        words = con.sql(f"""WITH t AS (SELECT k, list_filter(string_split(f, ' '),
                    lambda x: x <> '' AND NOT list_contains({_list(GENERIC_WORDS)}, x)) AS tu
                FROM f)
            SELECT CASE WHEN len(tu) > 0 THEN list_reduce(list_transform(tu,
                        lambda w: (1::BIGINT << CAST(hash(w) % {SIGNATURE_BITS} AS INTEGER))),
                        lambda a, b: a | b) END AS bits,
                list_filter(tu, lambda w: regexp_matches(w, '\\d'))[1] AS so,
                nullif(array_to_string(tu, ''), '') AS txt
            FROM t ORDER BY k""").to_arrow_table()
    finally:
        con.close()
    return pa.table({f"{prefix}_tinh": joined["tinh"].combine_chunks(),
                     f"{prefix}_xa": joined["xa"].combine_chunks(),
                     f"{prefix}_bits": words["bits"].combine_chunks(),
                     f"{prefix}_txt": words["txt"].combine_chunks(),
                     f"{prefix}_so": words["so"].combine_chunks()})


def _key(tail: str) -> tuple[str | None, str | None]:
    key = address_key(tail)
    if key is None:
        return None, None
    return key.new_province_code, key.new_commune_code
