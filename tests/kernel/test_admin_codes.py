"""Administrative unit codes: GSO statistics codes (REFERENCE.md §6)."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from datdai.kernel.admin_codes import is_commune_code, validate_admin_code
from datdai.kernel.model import AdminLevel


@pytest.mark.parametrize(("code", "level"), [
    ("01", AdminLevel.PROVINCE), ("79", AdminLevel.PROVINCE),
    ("001", AdminLevel.DISTRICT), ("760", AdminLevel.DISTRICT),
    ("00004", AdminLevel.COMMUNE), ("26734", AdminLevel.COMMUNE),
])
def test_valid_codes(code, level):
    assert validate_admin_code(code, level) == code
    assert validate_admin_code(f" {code} ", level) == code


def test_level_may_be_given_by_value():
    assert validate_admin_code("79", "TINH") == "79"
    assert validate_admin_code("00004", "XA") == "00004"


@pytest.mark.parametrize(("code", "level", "message"), [
    ("1", AdminLevel.PROVINCE, "mã tỉnh '1' phải có 2 chữ số, nhận được 1"),
    ("079", AdminLevel.PROVINCE, "mã tỉnh '079' phải có 2 chữ số, nhận được 3"),
    ("01", AdminLevel.DISTRICT, "mã huyện '01' phải có 3 chữ số, nhận được 2"),
    ("4", AdminLevel.COMMUNE, "mã xã '4' phải có 5 chữ số, nhận được 1"),
    ("267341", AdminLevel.COMMUNE, "mã xã '267341' phải có 5 chữ số, nhận được 6"),
    ("2673A", AdminLevel.COMMUNE, "mã xã '2673A' phải gồm 5 chữ số (chỉ chữ số)"),
    ("", AdminLevel.COMMUNE, "mã xã '' phải gồm 5 chữ số (chỉ chữ số)"),
    ("00000", AdminLevel.COMMUNE, "mã xã '00000' không hợp lệ (toàn số 0)"),
    ("00", AdminLevel.PROVINCE, "mã tỉnh '00' không hợp lệ (toàn số 0)"),
])
def test_invalid_codes(code, level, message):
    with pytest.raises(ValueError) as err:
        validate_admin_code(code, level)
    assert str(err.value) == message


def test_tax_system_codes_are_named():
    with pytest.raises(ValueError, match="hệ thống thuế"):
        validate_admin_code("79760001", AdminLevel.COMMUNE)


def test_non_string_is_rejected():
    with pytest.raises(ValueError, match="mã xã"):
        validate_admin_code(26734, AdminLevel.COMMUNE)  # type: ignore[arg-type]


@pytest.mark.parametrize(("text", "ok"), [
    ("26734", True), (" 00004 ", True), ("2673", False), ("267341", False), ("79760001", False),
    ("2673a", False), ("00000", False), ("", False), (None, False), (26734, False),
    ("٢٦٧٣٤", False),  # non-ASCII digits
])
def test_is_commune_code(text, ok):
    assert is_commune_code(text) is ok


@given(st.from_regex(r"[0-9]{5}", fullmatch=True))
def test_any_five_digits_but_zeros_is_a_commune_code(text):
    assert is_commune_code(text) is (text != "00000")


@given(st.text(max_size=10))
def test_is_commune_code_agrees_with_validate(text):
    try:
        validate_admin_code(text, AdminLevel.COMMUNE)
        valid = True
    except ValueError:
        valid = False
    assert is_commune_code(text) is valid
    if valid:
        assert len(text.strip()) == 5
