from datdai.cleaning.findings import Severity, Target
from datdai.cleaning.rule import Rule, select, txt


def query(p, d) -> str:
    return select(
        ma_xa="ma_xa", so_to="so_to", so_thua="so_thua",
        mo_ta=f"concat('Người sử dụng đất ', {txt('ten_chu_sua')}, ' không có số giấy tờ tùy thân')",
        gia_tri_thuoc_tinh="ten_chu", doi_tuong="'NGUOI_SU_DUNG'", nguon="'SO_DIA_CHINH'",
        dong="row", truong="'so_giay_to'",
    ) + " FROM so_dc WHERE la_nguoi AND id_loai = 'MISSING'"


RULE = Rule(
    code="ID_MISSING", title="Thiếu số giấy tờ", target=Target.PARTY, severity=Severity.ERROR,
    order=70, query=query,
    description="Người sử dụng đất là cá nhân mà không có số giấy tờ tùy thân (ô trống, "
                "'không', '0', …). Tổ chức không xét ở quy tắc này.",
)
