"""Names as keys: surname, middle and given name; order-free key; spellings of one name made one;
a population extract written given-name first is found out from the data and read so."""

from __future__ import annotations

import pyarrow as pa

from datdai.matching.names import align_name_order, name_parts


def _parts(*names):
    return name_parts(pa.array(list(names), pa.string())).to_pylist()


def test_parts_of_a_vietnamese_name():
    [p] = _parts("Ông NGUYỄN  Văn An")
    assert p == {"ten_khoa": "nguyen van an", "ten_dau": "nguyễn văn an", "ho": "nguyen",
                 "dem": "van", "ten": "an", "ten_sap": "an nguyen van"}


def test_missing_one_word_and_no_diacritics():
    none, one, plain = _parts(None, "An", "tran thi bich")
    assert none["ten_khoa"] is None and none["ten"] is None
    assert (one["ho"], one["ten"], one["dem"]) == ("an", "an", None)
    assert plain["ten_dau"] is None  # written without diacritics: cannot tell Lan from Lân


def test_final_i_y_and_qui_quy_are_one_spelling():
    keys = [p["ten_khoa"] for p in _parts("Nguyễn Văn Sỹ", "Nguyễn Văn Sĩ", "Phạm Duy Quí",
                                          "Phạm Duy Quý", "Trần Thị Thùy")]
    assert keys == ["nguyen van si", "nguyen van si", "pham duy quy", "pham duy quy",
                    "tran thi thuy"]


def test_courtesy_prefixes_without_diacritics():
    keys = [p["ten_khoa"] for p in _parts("Ba Pham Thi Suong", "Ho ong Bui Van Binh",
                                          "Ho Ba Tung", "Hồ Bá Tùng")]
    # taken off only when a full name of three words remains: Hồ Bá Tùng keeps his surname
    assert keys == ["pham thi suong", "bui van binh", "ho ba tung", "ho ba tung"]


def _table(names):
    return name_parts(pa.array(names, pa.string()))


def test_population_written_given_name_first_is_read_the_other_way():
    owners = _table(["smith john", "jones mary", "brown peter", "taylor anna", "smith mary",
                     "wilson james", "jones peter", "brown john"])
    population = _table(["john smith", "mary jones", "peter brown", "anna taylor",
                         "mary smith", "james wilson", "peter jones", "john brown", "emma white"])
    notes: list[str] = []
    aligned = align_name_order(owners, population, notes)
    assert aligned["ho"].to_pylist()[:3] == ["smith", "jones", "brown"]
    assert aligned["ten"].to_pylist()[:3] == ["john", "mari", "peter"]  # y/i spelt one way
    assert aligned["ten_khoa"].to_pylist()[0] == "smith john"
    assert len(notes) == 1 and "tên trước họ" in notes[0]


def test_same_order_is_left_alone():
    owners = _table(["Nguyễn Văn An", "Trần Thị Bích", "Lê Văn Cường"])
    population = _table(["Nguyễn Văn An", "Trần Thị Bích", "Lê Văn Cường", "Phạm Thị Dung"])
    notes: list[str] = []
    assert align_name_order(owners, population, notes).equals(population)
    assert notes == []
