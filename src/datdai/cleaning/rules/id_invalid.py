from datdai.cleaning.findings import Severity, Target
from datdai.cleaning.rule import Rule, select, txt

RESTORED = "RESTORED_LEADING_ZERO"


def query(p, d) -> str:
    restored = d.regex_match("coalesce(id_sua, '')", RESTORED)
    return select(
        ma_xa="ma_xa", so_to="so_to", so_thua="so_thua",
        mo_ta=f"CASE WHEN id_loai = 'INVALID' THEN concat('Số giấy tờ ', {txt('so_giay_to')}, "
              f"' không hợp lệ: ', {txt('id_ly_do')}) ELSE concat('Số giấy tờ ', "
              f"{txt('so_giay_to')}, ' bị mất số 0 ở đầu; số đúng là ', id_so) END",
        gia_tri_thuoc_tinh="so_giay_to",
        de_xuat="CASE WHEN id_loai = 'INVALID' THEN NULL ELSE id_so END",
        doi_tuong="'GIAY_TO'", nguon="'SO_DIA_CHINH'", dong="row", truong="'so_giay_to'",
        sua_tu_dong="CASE WHEN id_loai = 'INVALID' THEN NULL ELSE 'CO' END",
    ) + f" FROM so_dc WHERE la_nguoi AND (id_loai = 'INVALID' OR {restored})"


RULE = Rule(
    code="ID_INVALID", title="Số giấy tờ không hợp lệ", target=Target.DOCUMENT,
    severity=Severity.ERROR, order=71, query=query, auto_fix=True,
    description="Số không đúng dạng giấy tờ nào: CCCD 12 số có mã nơi đăng ký khai sinh hợp lệ, "
                "CMND 9 hoặc 12 số, hộ chiếu 1 chữ + 7 số. Số bị mất số 0 ở đầu (đọc như số "
                "nguyên) được đề xuất và tự sửa chỉ khi cách đọc là duy nhất, hợp lệ và khớp năm "
                "sinh, giới tính ghi nhận.",
)
