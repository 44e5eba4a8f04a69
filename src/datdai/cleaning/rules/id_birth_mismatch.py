from datdai.cleaning.findings import Severity, Target
from datdai.cleaning.rule import Rule, select, txt


def query(p, d) -> str:
    return select(
        ma_xa="ma_xa", so_to="so_to", so_thua="so_thua",
        mo_ta=f"concat('Số CCCD ', id_so, ' của ', {txt('ten_chu_sua')}, ' mâu thuẫn: ', "
              "id_mau_thuan)",
        gia_tri_thuoc_tinh=f"concat(id_so, ' | ', {txt('nam_sinh')}, ' | ', {txt('gioi_tinh')})",
        doi_tuong="'GIAY_TO'", nguon="'SO_DIA_CHINH'", dong="row", truong="'so_giay_to'",
    ) + " FROM so_dc WHERE la_nguoi AND id_mau_thuan IS NOT NULL"


RULE = Rule(
    code="ID_BIRTH_MISMATCH", title="Số CCCD mâu thuẫn năm sinh/giới tính",
    target=Target.DOCUMENT, severity=Severity.ERROR, order=73, query=query,
    description="Chữ số thế kỷ/giới tính (số thứ 4) hoặc hai số năm sinh (số thứ 5–6) của số "
                "CCCD không khớp năm sinh hay giới tính ghi trong sổ. Không tự sửa.",
)
