from datdai.cleaning.findings import Severity, Target
from datdai.cleaning.rule import Rule, select, txt


def query(p, d) -> str:
    restored = d.regex_match("coalesce(id_sua, '')", "RESTORED_LEADING_ZERO")
    return select(
        ma_xa="ma_xa", so_to="so_to", so_thua="so_thua",
        mo_ta=f"concat('Số giấy tờ ', {txt('so_giay_to')}, ' ghi sai định dạng (dấu cách, dấu "
              f"chấm, chữ thường…); chuẩn là ', id_so)",
        gia_tri_thuoc_tinh="so_giay_to", de_xuat="id_so", doi_tuong="'GIAY_TO'",
        nguon="'SO_DIA_CHINH'", dong="row", truong="'so_giay_to'", sua_tu_dong="'CO'",
    ) + (" FROM so_dc WHERE la_nguoi AND id_loai IN ('CCCD', 'CMND', 'HC') AND id_sua IS NOT NULL"
         f" AND NOT {restored}")


RULE = Rule(
    code="ID_FORMAT", title="Số giấy tờ sai định dạng", target=Target.DOCUMENT,
    severity=Severity.WARNING, order=72, query=query, auto_fix=True,
    description="Số giấy tờ hợp lệ nhưng ghi kèm dấu cách, dấu chấm, gạch, đuôi '.0' của bảng "
                "tính hoặc chữ thường. Tự sửa về dạng chuẩn.",
)
