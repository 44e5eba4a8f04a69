"""Masking of personal data where a full value is not needed — the one place it is done.

* :func:`mask_number` — one identity number: ``070077613811`` → ``0700******11`` (the first
  four and last two characters kept); shorter values keep only their last two characters
  (``C1234567`` → ``C123**67``, ``123456`` → ``****56``).
* :func:`mask_id_numbers` — the identity numbers inside a text (any run of 8 to 12 digits,
  separators allowed), each as :func:`mask_number` shows it.
* :func:`mask_birth` — a birth date shown as its year only.
* :func:`mask_name` — a person's name as its family name and initials (``Nguyễn V. A.``), where
  the name comes with a record that is not about that person (a parcel's history).

Who may see full values is decided by the caller (its role and scope); these functions only
hide.
"""

from __future__ import annotations

import datetime as dt
import re

_ID_RUN = re.compile(r"(?<![\d])\d(?:[ .\-]?\d){7,11}(?![\d])")


def mask_number(value: str | None) -> str | None:
    """``070077613811`` → ``0700******11``; ``C1234567`` → ``C123**67``; ``123456`` →
    ``****56``; None stays None."""
    if value is None:
        return None
    s = str(value).strip()
    if len(s) >= 8:
        return s[:4] + "*" * (len(s) - 6) + s[-2:]
    if len(s) > 2:
        return "*" * (len(s) - 2) + s[-2:]
    return "*" * len(s)


def mask_id_numbers(text: str | None) -> str | None:
    """Hide identity numbers in a text shown to people: ``Số 070077613811`` →
    ``Số 0700******11`` (separators inside a number are dropped with it)."""
    if not text:
        return text
    return _ID_RUN.sub(lambda m: mask_number(re.sub(r"\D", "", m.group(0))) or "", text)


def mask_birth(value: dt.date | str | None) -> str | None:
    """A birth date shown as its year only: ``27/11/1971`` or ``date(1971, 11, 27)`` →
    ``1971``; a text not ending in a year → ``****``."""
    if value is None:
        return None
    if isinstance(value, dt.date):
        return f"{value.year:04d}"
    text = str(value)
    if not text:
        return text
    return text[-4:] if len(text) >= 4 and text[-4:].isdigit() else "****"


def mask_name(value: str | None) -> str | None:
    """``Nguyễn Văn An`` → ``Nguyễn V. A.``: the first word kept, every other word reduced to its
    first letter and a dot (a lone word: its first letter); identity numbers inside masked.
    None and "" stay as they are."""
    if not value:
        return value
    words = str(mask_id_numbers(value)).split()
    if len(words) <= 1:
        return (words[0][:1] + ".") if words else ""
    return " ".join([words[0], *(w[:1] + "." if w[:1].isalpha() else w for w in words[1:])])
