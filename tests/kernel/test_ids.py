"""Identity document rules (REFERENCE.md §1): CCCD, CMND, passport, classify_id."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from datdai.kernel import ids
from datdai.kernel.ids import (
    CitizenId,
    IdClassification,
    InvalidId,
    OldIdCard,
    Passport,
    cccd_gender_digit,
    classify_id,
    clean_id_text,
    make_citizen_id,
)
from datdai.kernel.model import Gender
from datdai.kernel.provinces import old_provinces

PROVINCE_CODES = sorted(old_provinces())
NOT_PROVINCE_CODES = sorted({f"{i:03d}" for i in range(1000)} - set(PROVINCE_CODES))

provinces = st.sampled_from(PROVINCE_CODES)
genders = st.sampled_from([Gender.MALE, Gender.FEMALE])
years = st.integers(1900, 2099)
serials = st.integers(0, 999_999)


# --- clean_id_text --------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("079 203 012 345", "079203012345"),
        ("079.203.012.345", "079203012345"),
        ("079-203-012-345", "079203012345"),
        ("079_203_012_345", "079203012345"),
        ("  079203012345\t", "079203012345"),
        ("079\u00a0203\u2013012345", "079203012345"),  # no-break space, en dash
        ("'012345678", "012345678"),  # spreadsheet text marker
        ("b 1234567", "B1234567"),
        ("０７９２０３０１２３４５", "079203012345"),  # full-width digits
        ("0792/03", "0792/03"),  # other characters are kept, so the number stays invalid
        ("", ""),
    ],
)
def test_clean_id_text(text, expected):
    assert clean_id_text(text) == expected


@given(st.text())
def test_clean_id_text_is_idempotent(text):
    once = clean_id_text(text)
    assert clean_id_text(once) == once


@given(st.text(alphabet="0123456789abcXYZ .-_\t"))
def test_clean_id_text_keeps_only_letters_and_digits(text):
    out = clean_id_text(text)
    assert all(ch.isdigit() or ch.isupper() for ch in out)
    assert out == "".join(ch.upper() for ch in text if ch.isalnum())


# --- CitizenId ------------------------------------------------------------------------------
def test_parse_known_cccd():
    c = CitizenId.parse("079 2 03 012345")
    assert c.value == "079203012345"
    assert c.province_code == "079"
    assert c.province_name == "TP. Hồ Chí Minh"
    assert c.century == 2000
    assert c.birth_year == 2003
    assert c.gender is Gender.MALE
    assert c.serial == 12345
    assert str(c) == "079203012345"


@pytest.mark.parametrize("code", PROVINCE_CODES)
def test_every_old_province_code_is_accepted(code):
    c = CitizenId.parse(code + "185000001")
    assert c.province_code == code
    assert c.province_name == old_provinces()[code].name


def test_there_are_63_province_codes():
    assert len(PROVINCE_CODES) == 63
    assert {"001", "070", "079", "096"} <= set(PROVINCE_CODES)


@pytest.mark.parametrize("code", ["000", "003", "005", "099", "097", "100", "701", "999"])
def test_unknown_province_code_is_rejected(code):
    with pytest.raises(InvalidId) as err:
        CitizenId.parse(code + "085123456")
    assert err.value.reason == f"mã tỉnh {code} không tồn tại"
    assert err.value.text == code + "085123456"
    assert isinstance(err.value, ValueError)


@given(st.sampled_from(NOT_PROVINCE_CODES), st.from_regex(r"[0-9]{9}", fullmatch=True))
def test_any_code_outside_the_63_is_rejected(code, rest):
    with pytest.raises(InvalidId, match="mã tỉnh"):
        CitizenId(code + rest)


def test_extra_birth_place_codes_are_configurable(monkeypatch):
    with pytest.raises(InvalidId):
        CitizenId("999085123456")
    monkeypatch.setattr(ids, "EXTRA_BIRTH_PLACE_CODES", frozenset({"999"}))
    c = CitizenId("999085123456")
    assert c.province_code == "999"
    assert c.province_name is None
    assert c.birth_year == 1985
    assert make_citizen_id("999", 1985, Gender.MALE, 1).value == "999085000001"


def test_extra_birth_place_codes_empty_by_default():
    assert ids.EXTRA_BIRTH_PLACE_CODES == frozenset()


@pytest.mark.parametrize(
    ("digit", "century", "gender"),
    [
        (0, 1900, Gender.MALE), (1, 1900, Gender.FEMALE),
        (2, 2000, Gender.MALE), (3, 2000, Gender.FEMALE),
        (4, 2100, Gender.MALE), (5, 2100, Gender.FEMALE),
        (6, 2200, Gender.MALE), (7, 2200, Gender.FEMALE),
        (8, 2300, Gender.MALE), (9, 2300, Gender.FEMALE),
    ],
)
def test_century_and_gender_digit(digit, century, gender):
    c = CitizenId(f"001{digit}47123456")
    assert c.century == century
    assert c.gender is gender
    assert c.birth_year == century + 47
    assert cccd_gender_digit(century + 47, gender) == digit


@pytest.mark.parametrize(
    ("text", "year"),
    [("001000123456", 1900), ("001099123456", 1999), ("001100123456", 1900),
     ("001200123456", 2000), ("001305123456", 2005), ("001199123456", 1999)],
)
def test_birth_year_from_digits_5_and_6(text, year):
    assert CitizenId(text).birth_year == year


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("07920301234", "số CCCD phải có 12 chữ số, nhận được 11"),
        ("0792030123456", "số CCCD phải có 12 chữ số, nhận được 13"),
        ("07920301234X", "số CCCD chỉ được gồm chữ số"),
        ("", "số CCCD chỉ được gồm chữ số"),
        ("079/03012345", "số CCCD chỉ được gồm chữ số"),
    ],
)
def test_citizen_id_rejects_bad_text(text, reason):
    with pytest.raises(InvalidId) as err:
        CitizenId.parse(text)
    assert err.value.reason == reason


def test_citizen_id_rejects_non_ascii_digits():
    # Arabic-Indic digits are str.isdigit() but not a CCCD; NFKC does not map them to ASCII
    with pytest.raises(InvalidId):
        CitizenId("٠٧٩٢٠٣٠١٢٣٤٥")


def test_contradicts():
    c = CitizenId("079185123456")  # 1985, female
    assert c.contradicts(1985, Gender.FEMALE) == []
    assert c.contradicts(None, None) == []
    assert c.contradicts(1984, None) == ["BIRTH_YEAR"]
    assert c.contradicts(None, Gender.MALE) == ["GENDER"]
    assert c.contradicts(2085, Gender.MALE) == ["BIRTH_YEAR", "GENDER"]
    assert c.contradicts(1985, "Nữ") == []
    assert c.contradicts(1985, "nu") == []
    assert c.contradicts(1985, "NAM") == ["GENDER"]
    assert c.contradicts(1985, "không rõ") == []  # unknown gender text is unknown


@given(provinces, years, genders, serials)
def test_make_citizen_id_round_trip(code, year, gender, serial):
    c = make_citizen_id(code, year, gender, serial)
    parsed = CitizenId.parse(c.value)
    assert parsed == c
    assert parsed.province_code == code
    assert parsed.birth_year == year
    assert parsed.gender is gender
    assert parsed.serial == serial
    assert parsed.century == year // 100 * 100
    assert parsed.contradicts(year, gender) == []
    assert parsed.contradicts(year + 1, gender) == ["BIRTH_YEAR"]


def test_make_citizen_id_round_trip_exhaustive():
    """Every province, every year 1900–2099, both genders."""
    for code in PROVINCE_CODES:
        for year in range(1900, 2100):
            for gender in (Gender.MALE, Gender.FEMALE):
                c = CitizenId.parse(make_citizen_id(code, year, gender, year * 7).value)
                assert (c.province_code, c.birth_year, c.gender) == (code, year, gender)


def test_make_citizen_id_values_and_errors():
    assert make_citizen_id("070", 1985, Gender.FEMALE, 42).value == "070185000042"
    assert make_citizen_id("70", 2001, Gender.MALE, 999_999).value == "070201999999"
    with pytest.raises(ValueError, match="mã tỉnh 099"):
        make_citizen_id("099", 1985, Gender.MALE, 1)
    with pytest.raises(ValueError):
        make_citizen_id("070", 1985, Gender.MALE, 1_000_000)
    with pytest.raises(ValueError):
        make_citizen_id("070", 1985, Gender.MALE, -1)
    with pytest.raises(ValueError):
        make_citizen_id("070", 1899, Gender.MALE, 1)
    with pytest.raises(ValueError):
        make_citizen_id("070", 2400, Gender.MALE, 1)


def test_cccd_gender_digit_errors():
    assert cccd_gender_digit(2399, Gender.FEMALE) == 9
    with pytest.raises(ValueError):
        cccd_gender_digit(1899, Gender.MALE)
    with pytest.raises(ValueError):
        cccd_gender_digit(1990, None)  # type: ignore[arg-type]


@given(st.from_regex(r"[0-9]{12}", fullmatch=True))
def test_any_12_digit_string_parses_consistently_or_is_rejected(text):
    try:
        c = CitizenId.parse(text)
    except InvalidId as err:
        assert err.reason
        assert text[:3] not in old_provinces()
        assert err.reason == f"mã tỉnh {text[:3]} không tồn tại"
        return
    assert text[:3] in old_provinces()
    d = int(text[3])
    assert c.century == 1900 + 100 * (d // 2)
    assert c.birth_year == c.century + int(text[4:6])
    assert c.gender is (Gender.FEMALE if d % 2 else Gender.MALE)
    assert make_citizen_id(c.province_code, c.birth_year, c.gender, c.serial) == c


# --- OldIdCard, Passport --------------------------------------------------------------------
@pytest.mark.parametrize(("text", "value"), [
    ("012345678", "012345678"), ("012 345 678", "012345678"), ("123.456.789", "123456789"),
    ("079085001234", "079085001234"), ("099085001234", "099085001234"),
])
def test_old_id_card_valid(text, value):
    card = OldIdCard.parse(text)
    assert card.value == value
    assert card.length == len(value)


@pytest.mark.parametrize(("text", "reason"), [
    ("12345678", "số CMND phải có 9 hoặc 12 chữ số, nhận được 8"),
    ("1234567890", "số CMND phải có 9 hoặc 12 chữ số, nhận được 10"),
    ("12345678901", "số CMND phải có 9 hoặc 12 chữ số, nhận được 11"),
    ("1234567890123", "số CMND phải có 9 hoặc 12 chữ số, nhận được 13"),
    ("12345678A", "số CMND chỉ được gồm chữ số"),
    ("000000000", "số CMND giả định (toàn chữ số 0)"),
    ("111111111111", "số CMND giả định (toàn chữ số 1)"),
])
def test_old_id_card_invalid(text, reason):
    with pytest.raises(InvalidId) as err:
        OldIdCard.parse(text)
    assert err.value.reason == reason


@pytest.mark.parametrize("text", ["B1234567", "C7654321", "b 123 4567", "N-1234567"])
def test_passport_valid(text):
    assert Passport.parse(text).value == clean_id_text(text)


@pytest.mark.parametrize("text", ["12345678", "BB123456", "B123456", "B12345678", "Đ1234567", ""])
def test_passport_invalid(text):
    with pytest.raises(InvalidId, match="hộ chiếu"):
        Passport.parse(text)


def test_value_objects_are_frozen():
    c = CitizenId("079185123456")
    with pytest.raises(AttributeError):
        c.value = "001185123456"  # type: ignore[misc]


# --- classify_id ----------------------------------------------------------------------------
def k(result: IdClassification) -> tuple:
    return (result.kind, result.value, result.fixes)


@pytest.mark.parametrize("text", [None, "", "   ", "-", "0", "000000000", "NULL", "nan", "N/A",
                                  "không có", "Chưa có"])
def test_classify_missing(text):
    r = classify_id(text)
    assert (r.kind, r.value) == ("MISSING", None)


@pytest.mark.parametrize(("args", "expected"), [
    (("079185123456",), ("CCCD", "079185123456", ())),
    ((" 079185123456 ",), ("CCCD", "079185123456", ())),
    (("079 185 123 456",), ("CCCD", "079185123456", ("REMOVED_SEPARATORS",))),
    (("079.185.123.456", "CMND"), ("CCCD", "079185123456", ("REMOVED_SEPARATORS",))),
    (("099185123456", "CMND"), ("CMND", "099185123456", ())),
    (("099185123456", "Chứng minh nhân dân"), ("CMND", "099185123456", ())),
    (("012345678",), ("CMND", "012345678", ())),
    (("012345678", "CCCD"), ("CMND", "012345678", ())),
    (("012.345.678",), ("CMND", "012345678", ("REMOVED_SEPARATORS",))),
    (("123.456.789",), ("CMND", "123456789", ("REMOVED_SEPARATORS",))),
    (("B1234567", "HC"), ("HC", "B1234567", ())),
    (("b1234567",), ("HC", "B1234567", ("UPPER_CASED",))),
    (("B 1234567", "CCCD"), ("HC", "B1234567", ("REMOVED_SEPARATORS",))),
])
def test_classify_valid(args, expected):
    r = classify_id(*args)
    assert k(r) == expected
    assert r.reason is None
    assert r.is_valid


@pytest.mark.parametrize(("args", "reason_part"), [
    (("099185123456",), "mã tỉnh 099 không tồn tại"),
    (("099185123456", "CCCD"), "mã tỉnh 099 không tồn tại"),
    (("111111111",), "giả định"),
    (("111111111111", "CMND"), "giả định"),
    (("1234567",), "7 chữ số"),
    (("0791851234567",), "13 chữ số"),
    (("07918512345X",), "không phải chữ số"),
    (("BB123456", "HC"), "hộ chiếu"),
    (("079/185/123456",), "không phải chữ số"),
])
def test_classify_invalid(args, reason_part):
    r = classify_id(*args)
    assert r.kind == "INVALID"
    assert r.value is None
    assert reason_part in r.reason
    assert not r.is_valid


def test_a_contradicting_cccd_is_still_a_cccd():
    # the contradiction is rule ID_BIRTH_MISMATCH, decided by the caller
    r = classify_id("079185123456", birth_year=1990, gender=Gender.MALE)
    assert (r.kind, r.value) == ("CCCD", "079185123456")


# lost leading zero ---------------------------------------------------------------------------
def test_restores_one_zero_to_an_11_digit_cccd():
    r = classify_id("79185123456")
    assert k(r) == ("CCCD", "079185123456", ("RESTORED_LEADING_ZERO",))


def test_restores_when_consistent_with_birth_year_and_gender():
    r = classify_id("79185123456", "CCCD", birth_year=1985, gender=Gender.FEMALE)
    assert k(r) == ("CCCD", "079185123456", ("RESTORED_LEADING_ZERO",))
    r = classify_id(79185123456, "CMND", birth_year=1985, gender="Nữ")  # read as an integer
    assert k(r) == ("CCCD", "079185123456", ("RESTORED_LEADING_ZERO",))


def test_restores_with_separators_and_records_both_fixes():
    r = classify_id("79 185 123 456")
    assert k(r) == ("CCCD", "079185123456", ("REMOVED_SEPARATORS", "RESTORED_LEADING_ZERO"))


@pytest.mark.parametrize(("birth_year", "gender", "why"), [
    (1986, None, "năm sinh 1985≠1986"),
    (None, Gender.MALE, "giới tính Nữ≠Nam"),
    (1985, "Nam", "giới tính"),
])
def test_no_restoration_when_inconsistent(birth_year, gender, why):
    r = classify_id("79185123456", birth_year=birth_year, gender=gender)
    assert r.kind == "INVALID"
    assert r.value is None
    assert "RESTORED_LEADING_ZERO" not in r.fixes
    assert why in r.reason


def test_no_restoration_when_the_stored_digits_start_with_zero():
    # "01123456789" could be 001123456789 (Hà Nội, a zero lost) or 01123456789x (Điện Biên,
    # last digit lost): an integer reading never keeps a leading zero, so this is ambiguous.
    assert CitizenId("001123456789") and CitizenId("011234567890")
    r = classify_id("01123456789")
    assert r.kind == "INVALID"
    assert "bắt đầu bằng 0" in r.reason


def test_no_restoration_to_an_unknown_province():
    r = classify_id("99185123456")  # → 099…
    assert r.kind == "INVALID"
    assert "mã tỉnh 099 không tồn tại" in r.reason


def test_no_restoration_to_a_future_century():
    r = classify_id("79485123456")  # → 079 4 85 … = born 2185
    assert r.kind == "INVALID"
    assert "2185" in r.reason


@pytest.mark.parametrize("hint", ["HC", "Hộ chiếu"])
def test_no_restoration_against_the_hint(hint):
    assert classify_id("79185123456", hint).kind == "INVALID"
    assert classify_id("12345678", hint).kind == "INVALID"


def test_cccd_hint_blocks_cmnd_restoration():
    r = classify_id("12345678", "CCCD")
    assert r.kind == "INVALID"


def test_two_zeros_restored_only_with_a_confirming_birth_year():
    # Hà Nội 001…: an integer reading drops two zeros, leaving 10 digits.
    assert classify_id("1185123456").kind == "INVALID"  # could be a tax code
    r = classify_id("1185123456", birth_year=1985)
    assert k(r) == ("CCCD", "001185123456", ("RESTORED_LEADING_ZERO",))
    assert classify_id("1185123456", birth_year=1986).kind == "INVALID"
    assert classify_id("1185123456", birth_year=1985, gender=Gender.MALE).kind == "INVALID"
    assert classify_id("3185123456", birth_year=1985).kind == "INVALID"  # 003 is no province


def test_restores_one_zero_to_an_8_digit_cmnd():
    assert k(classify_id("12345678")) == ("CMND", "012345678", ("RESTORED_LEADING_ZERO",))
    assert k(classify_id("12345678", "CMND")) == ("CMND", "012345678", ("RESTORED_LEADING_ZERO",))
    assert k(classify_id(12345678)) == ("CMND", "012345678", ("RESTORED_LEADING_ZERO",))
    assert classify_id("02345678").kind == "INVALID"  # starts with 0: not an integer reading


def test_spreadsheet_float_rendering():
    r = classify_id("12345678.0")
    assert k(r) == ("CMND", "012345678", ("REMOVED_DECIMAL_SUFFIX", "RESTORED_LEADING_ZERO"))
    r = classify_id("79185123456.0")
    assert k(r) == ("CCCD", "079185123456", ("REMOVED_DECIMAL_SUFFIX", "RESTORED_LEADING_ZERO"))
    # without the rule, "12345678.0" would clean to "123456780", a well-formed (wrong) CMND
    assert clean_id_text("12345678.0") == "123456780"
    # thousands grouping is not a decimal suffix
    r = classify_id("123.456.000")
    assert k(r) == ("CMND", "123456000", ("REMOVED_SEPARATORS",))


@given(provinces, years, genders, serials)
@settings(max_examples=300)
def test_integer_reading_is_restored_when_birth_year_is_known(code, year, gender, serial):
    c = make_citizen_id(code, year, gender, serial)
    as_int = int(c.value)  # drops one zero, or two for 001–008
    r = classify_id(as_int, birth_year=year, gender=gender)
    assert k(r) == ("CCCD", c.value, ("RESTORED_LEADING_ZERO",))


@given(provinces, years, genders, serials, st.integers(1, 99))
@settings(max_examples=300)
def test_integer_reading_is_not_restored_against_the_birth_year(code, year, gender, serial, off):
    c = make_citizen_id(code, year, gender, serial)
    r = classify_id(str(int(c.value)), birth_year=year + off, gender=gender)
    assert r.kind == "INVALID"
    assert r.reason


@given(st.one_of(st.text(max_size=20), st.from_regex(r"[0-9 .\-]{0,16}", fullmatch=True)),
       st.sampled_from([None, "CCCD", "CMND", "HC", "GPKD", "KHAC", ""]),
       st.one_of(st.none(), st.integers(1900, 2030)),
       st.sampled_from([None, Gender.MALE, Gender.FEMALE]))
def test_classify_never_raises_and_results_are_coherent(text, hint, year, gender):
    r = classify_id(text, hint, year, gender)
    assert r.kind in {"CCCD", "CMND", "HC", "INVALID", "MISSING"}
    if r.kind == "CCCD":
        c = CitizenId(r.value)
        if "RESTORED_LEADING_ZERO" in r.fixes:
            assert c.contradicts(year, gender) == []
    elif r.kind == "CMND":
        OldIdCard(r.value)
    elif r.kind == "HC":
        Passport(r.value)
    elif r.kind == "INVALID":
        assert r.value is None and r.reason
    else:
        assert r.value is None
    if r.is_valid and "RESTORED_LEADING_ZERO" not in r.fixes and \
            "REMOVED_DECIMAL_SUFFIX" not in r.fixes:
        assert r.value == clean_id_text(text)


@given(st.from_regex(r"[1-9][0-9]{10}", fullmatch=True))
def test_11_digit_restoration_is_exactly_the_valid_cccd_reading(digits):
    r = classify_id(digits)
    try:
        c = CitizenId("0" + digits)
        expected = c.century in (1900, 2000)
    except InvalidId:
        expected = False
    assert (r.kind == "CCCD") == expected
    if expected:
        assert r.value == "0" + digits
