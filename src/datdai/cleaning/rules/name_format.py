from datdai.cleaning.findings import Severity, Target
from datdai.cleaning.rule import Rule, select


def query(p, d) -> str:
    return select(
        ma_xa="ma_xa", so_to="so_to", so_thua="so_thua",
        mo_ta="concat('Tên \"', ten_chu, '\" sai chữ hoa/thường hoặc khoảng trắng; chuẩn là \"',"
              " ten_chu_chuan, '\"')",
        gia_tri_thuoc_tinh="ten_chu", de_xuat="ten_chu_chuan", doi_tuong="'NGUOI_SU_DUNG'",
        nguon="'SO_DIA_CHINH'", dong="row", truong="'ten_chu'", sua_tu_dong="'CO'",
    ) + (" FROM so_dc WHERE la_nguoi AND ten_chu_ma IS NULL AND ten_chu IS NOT NULL"
         " AND ten_chu <> ten_chu_chuan")


RULE = Rule(
    code="NAME_FORMAT", title="Tên sai chữ hoa/thường, khoảng trắng", target=Target.PARTY,
    severity=Severity.WARNING, order=81, query=query, auto_fix=True,
    description="Tên cá nhân viết toàn chữ hoa, chữ thường, lẫn lộn, hoặc thừa khoảng trắng. "
                "Tự sửa: mỗi từ viết hoa chữ đầu, một khoảng trắng giữa các từ.",
)
