from datdai.cleaning.findings import Severity, Target
from datdai.cleaning.rule import Rule, select


def query(p, d) -> str:
    reg = d.join_distinct("s.loai_dat", "; ")
    return select(
        ma_xa="b.ma_xa", so_to="b.so_to", so_thua="b.so_thua",
        mo_ta="concat('Loại đất trên bản đồ ', b.loai_dat, ' khác loại đất trong sổ ', r.nhan)",
        gia_tri_ban_do="b.loai_dat", gia_tri_thuoc_tinh="r.nhan", doi_tuong="'THUA_DAT'",
        nguon="'BAN_DO'", dong="b.row", truong="'loai_dat'",
    ) + (" FROM ban_do b JOIN nhan_loai_dat bn ON bn.nhan = b.loai_dat"
         f" JOIN (SELECT s.ma_xa, s.so_to, s.so_thua, {reg} AS nhan,"
         " max(CASE WHEN sn.chuan IS NULL THEN 0 ELSE 1 END) AS has_code"
         " FROM so_dc s LEFT JOIN nhan_loai_dat sn ON sn.nhan = s.loai_dat"
         " GROUP BY s.ma_xa, s.so_to, s.so_thua) r"
         " ON r.ma_xa = b.ma_xa AND r.so_to = b.so_to AND r.so_thua = b.so_thua"
         " WHERE r.has_code = 1 AND NOT EXISTS (SELECT 1 FROM so_dc s2"
         " JOIN nhan_loai_dat n2 ON n2.nhan = s2.loai_dat"
         " WHERE s2.ma_xa = b.ma_xa AND s2.so_to = b.so_to AND s2.so_thua = b.so_thua"
         " AND n2.chuan = bn.chuan)")


RULE = Rule(
    code="LANDUSE_MISMATCH", title="Loại đất bản đồ khác sổ", target=Target.PARCEL,
    severity=Severity.ERROR, order=50, query=query,
    description="Mã loại đất ghi trên bản đồ khác mã trong sổ địa chính, sau khi chuẩn hóa "
                "(thứ tự, dấu phân cách) và quy đổi mã cũ sang mã mới một-một. "
                "Không tự sửa: người xử lý chọn giá trị đúng.",
)
