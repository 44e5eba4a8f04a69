from datdai.cleaning.findings import Severity, Target
from datdai.cleaning.rule import Rule, select


def _side(side: str, table: str, field_side: str) -> str:
    bad = "n.ma_sai <> ''"
    return select(
        ma_xa="x.ma_xa", so_to="x.so_to", so_thua="x.so_thua",
        mo_ta=f"CASE WHEN {bad} THEN concat('Mã loại đất ', n.ma_sai, ' không có trong danh mục "
              "hiện hành hay danh mục cũ') ELSE concat('Mã loại đất cũ ', n.ma_cu, ' cần quy đổi"
              " theo danh mục hiện hành', CASE WHEN n.de_xuat IS NULL THEN ' (không quy đổi "
              "một-một: cần người xem xét)' ELSE concat(' thành ', n.de_xuat) END) END",
        muc_do=f"CASE WHEN {bad} THEN 'LOI' ELSE 'CANH_BAO' END",
        **{field_side: "x.loai_dat"},
        de_xuat=f"CASE WHEN {bad} THEN NULL ELSE n.de_xuat END",
        doi_tuong="'THUA_DAT'", nguon=f"'{side}'", dong="x.first_row", truong="'loai_dat'",
        sua_tu_dong=f"CASE WHEN NOT ({bad}) AND n.de_xuat IS NOT NULL THEN 'CO' END",
    ) + (f" FROM (SELECT ma_xa, so_to, so_thua, loai_dat, min(row) AS first_row FROM {table}"
         " WHERE loai_dat IS NOT NULL GROUP BY ma_xa, so_to, so_thua, loai_dat) x"
         " JOIN nhan_loai_dat n ON n.nhan = x.loai_dat WHERE n.ma_sai <> '' OR n.ma_cu <> ''")


def query(p, d) -> str:
    return (_side("BAN_DO", "ban_do", "gia_tri_ban_do") + " UNION ALL "
            + _side("SO_DIA_CHINH", "so_dc", "gia_tri_thuoc_tinh"))


RULE = Rule(
    code="LANDUSE_CODE_INVALID", title="Mã loại đất không hợp lệ hoặc mã cũ",
    target=Target.PARCEL, severity=Severity.ERROR, order=51, query=query, auto_fix=True,
    description="Mã không có trong danh mục loại đất hiện hành hay danh mục cũ (lỗi); mã của "
                "danh mục cũ (cảnh báo) kèm mã quy đổi — tự sửa khi quy đổi là một-một.",
)
