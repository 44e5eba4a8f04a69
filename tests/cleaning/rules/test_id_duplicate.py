"""ID_DUPLICATE: one document number recorded for two different persons (every row of
those persons is named)."""

from __future__ import annotations

from datdai.kernel.legacy import encode_tcvn3
from tests.cleaning.rules.builders import check, owner

RULE = "ID_DUPLICATE"
BINH = dict(ten_chu="Trần Văn Bình")


def _rows(found):
    return sorted(f["dong"] for f in found)


def test_two_people_with_one_number_both_rows(eng):
    found = check(eng, [], [owner("1"), owner("2", **BINH), owner("3", so_giay_to="070085099999")],
                  only=RULE)
    assert _rows(found) == [2, 3]
    for f in found:
        assert f["muc_do"] == "LOI" and f["doi_tuong"] == "GIAY_TO"
        assert "070085012345" in f["mo_ta"]
        assert "Nguyễn Văn An" in f["mo_ta"] and "Trần Văn Bình" in f["mo_ta"]
        assert f["gia_tri_thuoc_tinh"] == "070085012345"


def test_same_person_on_several_parcels_is_not_a_duplicate(eng):
    rows = [owner("1"), owner("2"), owner("3", ten_chu="NGUYỄN VĂN AN"),
            owner("4", ten_chu="Ông Nguyễn Văn An"), owner("5", ten_chu="Nguyen Van An"),
            owner("6", ten_chu=encode_tcvn3("Nguyễn Văn An")),
            owner("7", nam_sinh="12/03/1985")]
    assert check(eng, [], rows, only=RULE) == []


def test_same_person_with_and_without_birth_year(eng):
    assert check(eng, [], [owner("1"), owner("2", nam_sinh=None)], only=RULE) == []


def test_same_name_different_birth_years_are_two_people(eng):
    found = check(eng, [], [owner("1"), owner("2", nam_sinh="1990")], only=RULE)
    assert _rows(found) == [2, 3]


def test_number_written_differently_is_the_same_number(eng):
    found = check(eng, [], [owner("1", so_giay_to="070 085 012 345"), owner("2", **BINH)],
                  only=RULE)
    assert _rows(found) == [2, 3]
    assert {f["gia_tri_thuoc_tinh"] for f in found} == {"070 085 012 345", "070085012345"}


def test_all_rows_of_both_people(eng):
    rows = [owner("1"), owner("2"), owner("3", **BINH)]
    assert _rows(check(eng, [], rows, only=RULE)) == [2, 3, 4]


def test_organisations_and_invalid_numbers_are_not_checked(eng):
    org = dict(loai_giay_to="GPKD", so_giay_to="3700123456", gioi_tinh=None, nam_sinh=None)
    rows = [owner("1", ten_chu="Công ty TNHH A", **org),
            owner("2", ten_chu="Công ty TNHH B", **org),
            owner("3", so_giay_to="12345"), owner("4", so_giay_to="12345", **BINH),
            owner("5", so_giay_to=None), owner("6", so_giay_to=None, **BINH)]
    assert check(eng, [], rows, only=RULE) == []


def test_cmnd_and_passport_duplicates(eng):
    rows = [owner("1", so_giay_to="123456789", loai_giay_to="CMND"),
            owner("2", so_giay_to="123456789", loai_giay_to="CMND", **BINH),
            owner("3", so_giay_to="B1234567", loai_giay_to="HC"),
            owner("4", so_giay_to="B1234567", loai_giay_to="HC", **BINH)]
    assert _rows(check(eng, [], rows, only=RULE)) == [2, 3, 4, 5]
