from datdai.cleaning.findings import Severity, Target
from datdai.cleaning.rule import Rule, select


def query(p, d) -> str:
    names = d.join_distinct("s.ten_chu_sua", "; ")
    return select(
        ma_xa="b.ma_xa", so_to="b.so_to", so_thua="b.so_thua",
        mo_ta="concat('Tên chủ trên bản đồ \"', b.ten_chu_sua, '\" khác tên trong sổ: ', r.ten)",
        gia_tri_ban_do="b.ten_chu_sua", gia_tri_thuoc_tinh="r.ten", doi_tuong="'THUA_DAT'",
        nguon="'BAN_DO'", dong="b.row", truong="'ten_chu'",
    ) + (f" FROM ban_do b JOIN (SELECT s.ma_xa, s.so_to, s.so_thua, {names} AS ten"
         " FROM so_dc s WHERE s.ten_chu_khoa IS NOT NULL AND s.ten_chu_khoa <> ''"
         " GROUP BY s.ma_xa, s.so_to, s.so_thua) r"
         " ON r.ma_xa = b.ma_xa AND r.so_to = b.so_to AND r.so_thua = b.so_thua"
         " WHERE b.ten_chu_khoa IS NOT NULL AND b.ten_chu_khoa <> ''"
         " AND NOT EXISTS (SELECT 1 FROM so_dc s2 WHERE s2.ma_xa = b.ma_xa"
         " AND s2.so_to = b.so_to AND s2.so_thua = b.so_thua AND s2.ten_chu_khoa <> ''"
         " AND (s2.ten_chu_khoa = b.ten_chu_khoa"
         # a label naming several people: a whole name among its words (not "An" in "Anh")
         " OR instr(concat(' ', b.ten_chu_khoa, ' '), concat(' ', s2.ten_chu_khoa, ' ')) > 0"
         "))")


RULE = Rule(
    code="OWNER_MISMATCH", title="Tên chủ bản đồ khác sổ", target=Target.PARCEL,
    severity=Severity.ERROR, order=60, query=query,
    description="Tên chủ ghi trên bản đồ không khớp tên người sử dụng nào của thửa trong sổ, "
                "sau khi bỏ khác biệt về chữ hoa/thường, khoảng trắng, dấu, mã cũ (TCVN3, VNI) "
                "và danh xưng (Ông, Bà, Hộ ông…). Nhãn ghi nhiều người được coi là khớp khi "
                "chứa tên một người trong sổ. Không tự sửa.",
)
