from datdai.cleaning.findings import Severity, Target
from datdai.cleaning.rule import Param, Rule, num, select


def query(p, d) -> str:
    width_tol = f"({float(p['min_width_mm'])} / 1000.0 * greatest(coalesce(ta.ty_le, 0), coalesce(tb.ty_le, 0)))"
    pairs = (
        "SELECT a.ma_xa AS ma_xa, a.so_to AS so_to, a.so_thua AS so_thua, a.row AS row_,"
        " b.ma_xa AS ma_xa_b, b.so_to AS so_to_b, b.so_thua AS so_thua_b, c.dien_tich, c.be_rong"
        " FROM chong_lan c JOIN ban_do a ON a.row = c.row_a JOIN ban_do b ON b.row = c.row_b"
        " UNION ALL "
        "SELECT b.ma_xa, b.so_to, b.so_thua, b.row, a.ma_xa, a.so_to, a.so_thua, c.dien_tich,"
        " c.be_rong FROM chong_lan c JOIN ban_do a ON a.row = c.row_a"
        " JOIN ban_do b ON b.row = c.row_b"
    )
    return select(
        ma_xa="x.ma_xa", so_to="x.so_to", so_thua="x.so_thua",
        mo_ta=f"concat('Thửa chồng lấn thửa ', x.so_thua_b, ' tờ ', x.so_to_b, "
              f"CASE WHEN x.ma_xa_b <> x.ma_xa THEN concat(' xã ', x.ma_xa_b) ELSE '' END, "
              f"': phần chồng ', {num('x.dien_tich', 2)}, ' m², rộng trung bình ', "
              f"{num('x.be_rong', 2)}, ' m')",
        gia_tri_ban_do="concat(x.ma_xa_b, '/', x.so_to_b, '/', x.so_thua_b)",
        doi_tuong="'THUA_DAT'", nguon="'BAN_DO'", dong="x.row_", truong="'geometry'",
    ) + (f" FROM ({pairs}) x"
         " LEFT JOIN thua ta ON ta.ma_xa = x.ma_xa AND ta.so_to = x.so_to AND ta.so_thua = x.so_thua"
         " LEFT JOIN thua tb ON tb.ma_xa = x.ma_xa_b AND tb.so_to = x.so_to_b"
         " AND tb.so_thua = x.so_thua_b"
         f" WHERE x.dien_tich > {float(p['min_area'])} AND x.be_rong > {width_tol}")


RULE = Rule(
    code="OVERLAP", title="Thửa chồng lấn", target=Target.PARCEL, severity=Severity.ERROR,
    order=15, query=query, spatial=True,
    params=(
        Param("min_area", 1.0, "diện tích phần chồng tối thiểu để báo lỗi, m²"),
        Param("min_width_mm", 0.1, "bề rộng phần chồng tối thiểu, mm trên bản đồ (× mẫu số "
                                   "tỷ lệ): hẹp hơn là sai số số hóa (mảnh vụn), không báo"),
        Param("tile_size", 4000.0, "cạnh ô chia bản đồ khi tìm chồng lấn, m"),
    ),
    description="Hai thửa có phần trong giao nhau với diện tích lớn hơn min_area và bề rộng "
                "trung bình (2 × diện tích / chu vi phần chồng) lớn hơn min_width_mm × M / 1000 "
                "m: phân biệt chồng lấn thật với mảnh vụn do số hóa. Thửa trùng số (cùng mã xã, "
                "tờ, thửa) để cho DUPLICATE_PARCEL. Mỗi thửa của cặp được nêu.",
)
