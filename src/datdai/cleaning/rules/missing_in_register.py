from datdai.cleaning.findings import Severity, Target
from datdai.cleaning.rule import Rule, num, select


def query(p, d) -> str:
    return select(
        ma_xa="b.ma_xa", so_to="b.so_to", so_thua="b.so_thua",
        mo_ta=f"concat('Thửa có trên bản đồ (diện tích ', "
              f"{num('coalesce(b.dien_tich_tinh, b.dien_tich)')}, "
              f"' m²) nhưng không có trong sổ địa chính')",
        gia_tri_ban_do="b.loai_dat", doi_tuong="'THUA_DAT'", nguon="'BAN_DO'",
        dong="b.first_row", truong="'so_thua'",
    ) + (" FROM (SELECT ma_xa, so_to, so_thua, min(row) AS first_row, max(dien_tich) AS "
         "dien_tich, max(dien_tich_tinh) AS dien_tich_tinh, max(loai_dat) AS loai_dat "
         # an unnumbered feature is a parcel of its own: one finding per such feature
         "FROM ban_do GROUP BY ma_xa, so_to, so_thua, CASE WHEN so_thua IS NULL THEN row END) b "
         "WHERE NOT EXISTS (SELECT 1 FROM so_dc s WHERE b.ma_xa = s.ma_xa AND b.so_to = s.so_to "
         "AND b.so_thua = s.so_thua)")


RULE = Rule(
    code="MISSING_IN_REGISTER", title="Thiếu thửa trong sổ địa chính", target=Target.PARCEL,
    severity=Severity.ERROR, order=31, query=query,
    description="Thửa có hình trên bản đồ nhưng không có dòng nào trong sổ địa chính "
                "(kể cả thửa trên bản đồ không ghi số thửa).",
)
