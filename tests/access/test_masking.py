"""The one masking of personal data (datdai.access.masking)."""

import datetime as dt

from datdai.access.masking import mask_birth, mask_id_numbers, mask_name, mask_number


def test_number_keeps_first_four_and_last_two():
    assert mask_number("070077613811") == "0700******11"
    assert mask_number("285123456") == "2851***56"
    assert mask_number("C1234567") == "C123**67"  # a passport is masked too
    assert mask_number("123456") == "****56"
    assert mask_number("12") == "**"
    assert mask_number(None) is None


def test_numbers_inside_a_text_are_masked_as_one_number_is():
    text = "Số 070077613811 và 285123456, 070 065 001 234"
    assert mask_id_numbers(text) == "Số 0700******11 và 2851***56, 0700******34"
    assert mask_id_numbers("diện tích 104.5 m², tờ 12") == "diện tích 104.5 m², tờ 12"
    assert mask_id_numbers(None) is None and mask_id_numbers("") == ""


def test_birth_shows_the_year_only():
    assert mask_birth("27/11/1971") == "1971"
    assert mask_birth(dt.date(1971, 11, 27)) == "1971"
    assert mask_birth("11/1971") == "1971"
    assert mask_birth("không rõ") == "****"
    assert mask_birth(None) is None


def test_mask_name():
    assert mask_name("Nguyễn Văn An") == "Nguyễn V. A."
    assert mask_name("Lê  Thị   Bình") == "Lê T. B."
    assert mask_name("An") == "A."
    assert mask_name("Trần Văn Cường 070065001234") == "Trần V. C. 0700******34"
    assert mask_name(None) is None and mask_name("") == ""
