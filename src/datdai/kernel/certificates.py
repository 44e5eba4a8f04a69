"""Certificate (GCN) serials — số phát hành (REFERENCE.md §8).

Old form: 2 letters + 6 digits (often written "BV 123456"); new form, from 1 August 2024
(Circular 10/2024): 2 letters + 8 digits.

Canonical form (:func:`normalise_serial`): letters upper-case, directly followed by the digits,
no space or other separator — "bv 123 456" → "BV123456". This is the form to store and to join on.
"""

from __future__ import annotations

import re
import unicodedata

from datdai.kernel.model import CertificateForm

_OLD = re.compile(r"[A-Z]{2}[0-9]{6}")
_NEW = re.compile(r"[A-Z]{2}[0-9]{8}")
_SEPARATORS = frozenset(".,-_'/\u2010\u2011\u2012\u2013\u2014\u2212")


def normalise_serial(text: str | None) -> str:
    """The canonical form: NFKC, separators (spaces, dots, dashes, slashes, underscores)
    removed, letters upper-cased. Does not validate: see :func:`classify_serial`. None → ""."""
    if text is None:
        return ""
    text = unicodedata.normalize("NFKC", str(text))
    kept = "".join(ch for ch in text if not (ch.isspace() or ch in _SEPARATORS))
    return unicodedata.normalize("NFKC", kept.upper())


def classify_serial(text: str | None) -> CertificateForm | None:
    """OLD for 2 letters + 6 digits, NEW for 2 letters + 8 digits, else None (after
    :func:`normalise_serial`; letters are ASCII A–Z)."""
    serial = normalise_serial(text)
    if _OLD.fullmatch(serial):
        return CertificateForm.OLD
    if _NEW.fullmatch(serial):
        return CertificateForm.NEW
    return None
