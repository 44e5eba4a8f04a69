from datdai.cleaning.findings import Severity, Target
from datdai.cleaning.rule import Rule, num, select


def query(p, d) -> str:
    return select(
        ma_xa="s.ma_xa", so_to="s.so_to", so_thua="s.so_thua",
        mo_ta=f"concat('Thửa có trong sổ địa chính', CASE WHEN s.dien_tich IS NULL THEN '' "
              f"ELSE concat(' (diện tích ', {num('s.dien_tich')}, ' m²)') END, "
              f"' nhưng không có trên bản đồ')",
        gia_tri_thuoc_tinh="s.loai_dat", doi_tuong="'THUA_DAT'", nguon="'SO_DIA_CHINH'",
        dong="s.first_row", truong="'so_thua'",
    ) + (" FROM (SELECT ma_xa, so_to, so_thua, min(row) AS first_row, max(dien_tich) AS "
         "dien_tich, max(loai_dat) AS loai_dat FROM so_dc GROUP BY ma_xa, so_to, so_thua) s "
         "WHERE NOT EXISTS (SELECT 1 FROM ban_do b WHERE b.ma_xa = s.ma_xa AND b.so_to = s.so_to "
         "AND b.so_thua = s.so_thua)")


RULE = Rule(
    code="MISSING_IN_MAP", title="Thiếu thửa trên bản đồ", target=Target.PARCEL,
    severity=Severity.ERROR, order=30, query=query, spatial=True,
    description="Thửa có dòng trong sổ địa chính nhưng không có hình trên bản đồ.",
)
