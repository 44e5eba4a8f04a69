from datdai.cleaning.findings import Severity, Target
from datdai.cleaning.rule import Rule, select


def query(p, d) -> str:
    rows = d.join_distinct("CAST(row AS STRING)", ", ")
    return select(
        ma_xa="ma_xa", so_to="so_to", so_thua="so_thua",
        mo_ta="concat('Thửa số ', so_thua, ' tờ ', so_to, ' xuất hiện ', CAST(n AS STRING), "
              "' lần trên bản đồ (đối tượng ', rows_, ')')",
        gia_tri_ban_do="CAST(n AS STRING)", doi_tuong="'THUA_DAT'", nguon="'BAN_DO'",
        dong="first_row", truong="'so_thua'",
    ) + (f" FROM (SELECT ma_xa, so_to, so_thua, count(*) AS n, min(row) AS first_row, "
         f"{rows} AS rows_ FROM ban_do WHERE so_thua IS NOT NULL "
         f"GROUP BY ma_xa, so_to, so_thua HAVING count(*) > 1) t")


RULE = Rule(
    code="DUPLICATE_PARCEL", title="Trùng số thửa trên bản đồ", target=Target.PARCEL,
    severity=Severity.ERROR, order=20, query=query, spatial=True,
    description="Cùng (mã xã, số tờ, số thửa) xuất hiện nhiều lần trên lớp thửa đất.",
)
