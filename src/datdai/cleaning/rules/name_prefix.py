from datdai.cleaning.findings import Severity, Target
from datdai.cleaning.rule import Rule, select


def query(p, d) -> str:
    rest = "ten_khong_danh_xung"
    return select(
        ma_xa="ma_xa", so_to="so_to", so_thua="so_thua",
        mo_ta=f"concat('Tên \"', ten_chu_chuan, '\" có danh xưng; tên người là \"', {rest}, '\"')",
        gia_tri_thuoc_tinh="ten_chu", de_xuat=rest, doi_tuong="'NGUOI_SU_DUNG'",
        nguon="'SO_DIA_CHINH'", dong="row", truong="'ten_chu'",
    ) + " FROM so_dc WHERE la_nguoi AND ten_khong_danh_xung IS NOT NULL"


RULE = Rule(
    code="NAME_PREFIX", title="Tên có danh xưng (Ông, Bà, Hộ ông…)", target=Target.PARTY,
    severity=Severity.WARNING, order=82, query=query,
    description="Tên người sử dụng ghi kèm danh xưng (Ông, Bà, Hộ ông, Hộ bà, Hộ gia đình…). "
                "Đề xuất tên không danh xưng nhưng không tự sửa: 'Hộ ông …' có thể cho biết "
                "người sử dụng là hộ gia đình, cần người xem xét.",
)
