from datdai.cleaning.findings import Severity, Target
from datdai.cleaning.rule import Param, Rule, num, select


def query(p, d) -> str:
    tol = (f"({float(p['factor'])} * {float(p['error_per_scale'])} * t.ty_le * "
           f"sqrt(greatest(s.dien_tich, 0.0)))")
    map_area = "coalesce(b.dien_tich_tinh, b.dien_tich)"
    source = ("CASE WHEN b.dien_tich_tinh IS NOT NULL THEN 'tính từ hình thửa' "
              "ELSE 'ghi trên bản đồ' END")
    return select(
        ma_xa="s.ma_xa", so_to="s.so_to", so_thua="s.so_thua",
        mo_ta=f"concat('Diện tích sổ địa chính ', {num('s.dien_tich')}, ' m² khác diện tích ', "
              f"{source}, ' ', {num(map_area)}, ' m² (chênh ', "
              f"{num(f'abs(s.dien_tich - {map_area})')}, ' m², sai số cho phép ', {num(tol)}, "
              f"' m² ở tỷ lệ 1:', CAST(t.ty_le AS STRING), ')')",
        gia_tri_ban_do=num(map_area), gia_tri_thuoc_tinh=num("s.dien_tich"),
        doi_tuong="'THUA_DAT'", nguon="'SO_DIA_CHINH'", dong="s.first_row",
        truong="'dien_tich'",
    ) + (" FROM (SELECT ma_xa, so_to, so_thua, min(row) AS first_row, max(dien_tich) AS dien_tich"
         " FROM so_dc WHERE dien_tich IS NOT NULL GROUP BY ma_xa, so_to, so_thua) s"
         " JOIN (SELECT ma_xa, so_to, so_thua, max(dien_tich_tinh) AS dien_tich_tinh,"
         " max(dien_tich) AS dien_tich FROM ban_do GROUP BY ma_xa, so_to, so_thua) b"
         " ON b.ma_xa = s.ma_xa AND b.so_to = s.so_to AND b.so_thua = s.so_thua"
         " JOIN thua t ON t.ma_xa = s.ma_xa AND t.so_to = s.so_to AND t.so_thua = s.so_thua"
         f" WHERE {map_area} IS NOT NULL AND abs(s.dien_tich - {map_area}) > {tol}")


RULE = Rule(
    code="AREA_MISMATCH", title="Diện tích sổ khác bản đồ", target=Target.PARCEL,
    severity=Severity.ERROR, order=40, query=query,
    params=(
        Param("factor", 2.0, "hệ số k trong ΔP = k × m × M × √P"),
        Param("error_per_scale", 0.0002, "sai số m (m trên bản đồ) trong ΔP = k × m × M × √P"),
        Param("default_scale", 1000, "mẫu số tỷ lệ bản đồ khi sổ không ghi ty_le_ban_do"),
    ),
    description="Diện tích pháp lý trong sổ so với diện tích tính từ hình thửa (hoặc diện tích "
                "ghi trên bản đồ khi hình không hợp lệ) vượt sai số cho phép "
                "ΔP = 2 × 0,0002 × M × √P m² (M: mẫu số tỷ lệ bản đồ, P: diện tích). "
                "Không tự sửa: người xử lý chọn giá trị đúng.",
)
