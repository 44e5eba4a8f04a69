import pytest

from datdai.cleaning.readers.columns import (
    MAP_FIELDS,
    MAP_REQUIRED,
    REGISTER_COLUMNS,
    REGISTER_REQUIRED,
    fold_header,
    match_columns,
    require,
    snake_header,
)
from datdai.cleaning.readers.errors import DeliveryError


def test_fold_and_snake():
    assert fold_header("Số thửa") == fold_header("SO_THUA") == fold_header("sothua") == "sothua"
    assert snake_header("Hình thức sử dụng") == "hinh_thuc_su_dung"
    assert snake_header("Đất (m²)") == "dat_m"
    assert fold_header("Diện tích (m²)") == "dientichm"


def test_parenthesised_units_are_ignored():
    m = match_columns(["Diện tích (m²)", "Năm sinh (dd/mm/yyyy)", "Số thửa [mới]"], REGISTER_COLUMNS)
    assert m.header("dien_tich") == "Diện tích (m²)"
    assert m.header("nam_sinh") == "Năm sinh (dd/mm/yyyy)"
    assert m.header("so_thua") == "Số thửa [mới]"


def test_vietnamese_and_upper_case_headers():
    m = match_columns(["Mã xã", "Số tờ", "Số thửa", "Diện tích", "Loại đất", "Tên chủ"], MAP_FIELDS)
    assert m.columns == {c: i for i, c in enumerate(MAP_FIELDS)}
    m = match_columns(["MA_XA", "SO_TO", "SO_THUA", "DIEN_TICH", "LOAI_DAT", "TEN_CHU"], MAP_FIELDS)
    assert set(m.columns) == set(MAP_FIELDS)


def test_truncated_dbf_names_match_by_unique_prefix():
    headers = ["MA_XA", "SO_TO", "SO_THUA", "DIEN_TICH", "LOAI_DAT", "TEN_CHU", "TY_LE_BAN_",
               "DIA_CHI_TH", "LOAI_GIAY_", "SO_SERI_GC", "DIA_CHI_CH", "TEN_CHU_SU"]
    m = match_columns(headers[:-1], REGISTER_COLUMNS)
    assert m.header("ty_le_ban_do") == "TY_LE_BAN_"
    assert m.header("dia_chi_thua") == "DIA_CHI_TH"
    assert m.header("loai_giay_to") == "LOAI_GIAY_"
    assert m.header("so_seri_gcn") == "SO_SERI_GC"
    assert m.header("dia_chi_chu") == "DIA_CHI_CH"
    # "TEN_CHU_SU" is the start of the alias "ten chu su dung"
    m = match_columns(["MA_XA", "SO_TO", "SO_THUA", "TEN_CHU_SU"], MAP_FIELDS)
    assert m.header("ten_chu") == "TEN_CHU_SU"


def test_aliases():
    m = match_columns(["SHBANDO", "SHTHUA", "DT", "KYHIEUMDSD", "Chủ sử dụng", "maxa"], MAP_FIELDS)
    assert m.header("so_to") == "SHBANDO"
    assert m.header("so_thua") == "SHTHUA"
    assert m.header("dien_tich") == "DT"
    assert m.header("loai_dat") == "KYHIEUMDSD"
    assert m.header("ten_chu") == "Chủ sử dụng"
    m = match_columns(["Số CCCD", "Tỷ lệ", "Seri GCN"], REGISTER_COLUMNS)
    assert m.header("so_giay_to") == "Số CCCD"
    assert m.header("ty_le_ban_do") == "Tỷ lệ"
    assert m.header("so_seri_gcn") == "Seri GCN"


def test_extras_kept_under_snake_names():
    m = match_columns(["ma_xa", "Hình thức sử dụng", "", "ma_xa_cu"], REGISTER_COLUMNS)
    assert m.extras == [(1, "hinh_thuc_su_dung"), (2, "cot_3"), (3, "ma_xa_cu")]


def test_ambiguous_prefix_is_an_error():
    m = match_columns(["ma_xa", "so_to", "so_thua", "DIA_CHI"], REGISTER_COLUMNS)
    assert "DIA_CHI" in m.ambiguous
    with pytest.raises(DeliveryError) as e:
        require(m, REGISTER_REQUIRED, "x.csv")
    assert "DIA_CHI" in str(e.value) and "dia_chi_chu" in str(e.value)


def test_duplicates_are_an_error():
    m = match_columns(["ma_xa", "so_to", "so_thua", "Số thửa"], MAP_FIELDS)
    with pytest.raises(DeliveryError) as e:
        require(m, MAP_REQUIRED, "x.gpkg")
    assert "'so_thua'" in str(e.value) and "'Số thửa'" in str(e.value)


def test_missing_required_lists_missing_and_found():
    m = match_columns(["ma_xa", "so_to", "ghi_chu"], MAP_FIELDS)
    with pytest.raises(DeliveryError) as e:
        require(m, MAP_REQUIRED, "x.gpkg")
    msg = str(e.value)
    assert "so_thua" in msg and "'ghi_chu'" in msg and "x.gpkg" in msg


@pytest.mark.parametrize("name", REGISTER_COLUMNS)
def test_every_column_survives_dbf_truncation(name):
    cut = name.upper()[:10]
    assert match_columns([cut], REGISTER_COLUMNS).header(name) == cut
