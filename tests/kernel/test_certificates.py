"""Certificate (GCN) serials (REFERENCE.md §8)."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from datdai.kernel.certificates import classify_serial, normalise_serial
from datdai.kernel.model import CertificateForm


@pytest.mark.parametrize(("text", "form", "canonical"), [
    ("BV123456", CertificateForm.OLD, "BV123456"),
    ("BV 123456", CertificateForm.OLD, "BV123456"),
    ("bv 123 456", CertificateForm.OLD, "BV123456"),
    ("BV-123456", CertificateForm.OLD, "BV123456"),
    (" CS.012345 ", CertificateForm.OLD, "CS012345"),
    ("AA12345678", CertificateForm.NEW, "AA12345678"),
    ("AA 12345678", CertificateForm.NEW, "AA12345678"),
    ("aa 1234 5678", CertificateForm.NEW, "AA12345678"),
])
def test_valid_serials(text, form, canonical):
    assert classify_serial(text) is form
    assert normalise_serial(text) == canonical


@pytest.mark.parametrize("text", [
    "BV12345",  # 5 digits
    "BV1234567",  # 7 digits
    "BV123456789",  # 9 digits
    "B123456",  # one letter
    "BVA123456",  # three letters
    "12345678",
    "123456BV",
    "BĐ123456",  # not A–Z
    "",
    None,
])
def test_invalid_serials(text):
    assert classify_serial(text) is None


def test_normalise_does_not_validate():
    assert normalise_serial("x y-z") == "XYZ"
    assert normalise_serial(None) == ""


letters = st.from_regex(r"[A-Z]{2}", fullmatch=True)
separators = st.sampled_from(["", " ", "  ", "-", ".", " - "])


@given(letters, st.sampled_from([6, 8]), st.data(), separators, st.booleans())
def test_serial_property(prefix, n, data, sep, lower):
    digits = data.draw(st.from_regex(rf"[0-9]{{{n}}}", fullmatch=True))
    text = prefix + sep + digits[:3] + sep + digits[3:]
    if lower:
        text = text.lower()
    assert normalise_serial(text) == prefix + digits
    assert classify_serial(text) is (CertificateForm.OLD if n == 6 else CertificateForm.NEW)


@given(st.text(max_size=20))
def test_normalise_is_idempotent(text):
    once = normalise_serial(text)
    assert normalise_serial(once) == once
