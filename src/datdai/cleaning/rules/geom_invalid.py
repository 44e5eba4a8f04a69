from datdai.cleaning.findings import Severity, Target
from datdai.cleaning.rule import Rule, select


def query(p, d) -> str:
    return select(
        ma_xa="ma_xa", so_to="so_to", so_thua="so_thua",
        mo_ta="concat('Hình thửa không hợp lệ: ', geom_loi)",
        gia_tri_ban_do="geom_loai", doi_tuong="'THUA_DAT'", nguon="'BAN_DO'", dong="row",
        truong="'geometry'",
    ) + " FROM ban_do WHERE geom_loi IS NOT NULL"


RULE = Rule(
    code="GEOM_INVALID", title="Hình thửa không hợp lệ", target=Target.PARCEL,
    severity=Severity.ERROR, order=10, query=query, spatial=True,
    description="Vùng tự cắt, vòng không khép, hình rỗng, diện tích 0, hoặc không phải vùng "
                "(điểm, đường). Không tự sửa: người biên tập bản đồ sửa hình.",
)
