"""Cells that a spreadsheet must not take for a formula (OWASP "CSV injection").

Excel, LibreOffice and Google Sheets evaluate a cell that begins with ``=``, ``+``, ``-`` or ``@``
(and, through some import paths, a tab or a carriage return) as a formula: a register name
``=HYPERLINK("http://…","Bấm vào đây")`` becomes a live link in the officer's sheet. Every CSV
the product writes passes its text cells through :func:`neutralise` (or :func:`neutralise_table`
for an Arrow table): such a value gets a leading single quote, which the spreadsheet shows as
text. Plain numbers (``-12,5``, ``+3``) are left as they are: they are no formula and a negative
weight must stay a number. The XLSX writers store texts as strings with Excel's quote prefix
(:func:`is_formula_like` tells which).

The mapping is reversible on what it produces: a value that already begins with quotes followed by
a trigger character gets one more quote, and :func:`restore` removes exactly one quote from a
value of the form ``'…'<trigger>…``. Our own readers of files we write (a reconciliation result, its
explanation, the owners export, the population extract) call :func:`restore`/:func:`restore_table`
so that the values round-trip.

CSVs are written with a UTF-8 byte order mark (:data:`CSV_ENCODING`) so that a Vietnamese Windows
Excel opens them as UTF-8; all our CSV readers accept the mark.
"""

from __future__ import annotations

import re

import pyarrow as pa
import pyarrow.compute as pc

TRIGGERS = "=+-@\t\r"
CSV_ENCODING = "utf-8-sig"  # UTF-8 with a byte order mark: what Excel on Windows needs
BOM = "\ufeff"

# RE2 (Arrow) and Python agree on these patterns
_RISKY = r"^'*[=+\-@\t\r]"
_QUOTED = r"^'+[=+\-@\t\r]"
_NUMBER = r"^[+-]?(?:[0-9]+(?:[.,][0-9]*)?|[.,][0-9]+)(?:[eE][+-]?[0-9]+)?$"
_RISKY_RE = re.compile(_RISKY)
_QUOTED_RE = re.compile(_QUOTED)
_NUMBER_RE = re.compile(_NUMBER)


def is_formula_like(value: object) -> bool:
    """Whether a text cell would be read as a formula by a spreadsheet (a plain number is not)."""
    return (isinstance(value, str) and bool(value) and value[0] in TRIGGERS
            and not _NUMBER_RE.match(value))


def neutralise(value):
    """``=1+1`` → ``'=1+1``; ``'=x`` → ``''=x`` (so that :func:`restore` gives it back);
    numbers, ``None`` and texts beginning otherwise unchanged."""
    if not isinstance(value, str) or not _RISKY_RE.match(value) or _NUMBER_RE.match(value):
        return value
    return "'" + value


def restore(value):
    """The inverse of :func:`neutralise` on its results: one leading quote removed from
    ``'=…``, ``''+…``; anything else unchanged."""
    if isinstance(value, str) and _QUOTED_RE.match(value):
        return value[1:]
    return value


def neutralise_row(row: dict) -> dict:
    return {k: neutralise(v) for k, v in row.items()}


def _is_text(t: pa.DataType) -> bool:
    return pa.types.is_string(t) or pa.types.is_large_string(t)


def neutralise_array(arr):
    """:func:`neutralise` over an Arrow string array or chunked array (others unchanged)."""
    if not _is_text(arr.type):
        return arr
    risky = pc.and_(pc.match_substring_regex(arr, _RISKY),
                    pc.invert(pc.match_substring_regex(arr, _NUMBER)))
    quoted = pc.binary_join_element_wise(pa.scalar("'", arr.type), arr, pa.scalar("", arr.type))
    return pc.if_else(risky, quoted, arr)


def restore_array(arr):
    """:func:`restore` over an Arrow string array or chunked array (others unchanged)."""
    if not _is_text(arr.type) or not pc.any(pc.starts_with(arr, "'")).as_py():
        return arr  # the common case: nothing quoted, nothing to scan
    return pc.if_else(pc.match_substring_regex(arr, _QUOTED), pc.utf8_slice_codeunits(arr, 1), arr)


def neutralise_table(table: pa.Table) -> pa.Table:
    """Every text column of ``table`` through :func:`neutralise_array`."""
    return pa.table({n: neutralise_array(table[n]) for n in table.column_names})


def restore_table(table: pa.Table) -> pa.Table:
    """Every text column of ``table`` through :func:`restore_array`."""
    return pa.table({n: restore_array(table[n]) for n in table.column_names})


__all__ = ["BOM", "CSV_ENCODING", "TRIGGERS", "is_formula_like", "neutralise", "neutralise_array",
           "neutralise_row", "neutralise_table", "restore", "restore_array", "restore_table"]
