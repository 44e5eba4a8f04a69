from datdai.cleaning.findings import Severity, Target
from datdai.cleaning.rule import Rule, select


def query(p, d) -> str:
    return select(
        ma_xa="ma_xa", so_to="so_to", so_thua="so_thua",
        mo_ta="concat(mo_ta, ' [', loai, '] tại x, y = ', vi_tri)",
        gia_tri_ban_do="vi_tri", doi_tuong="'THUA_DAT'", nguon="'BAN_DO'", dong="dong",
        truong="'geometry'",
        muc_do="CASE WHEN loai IN ('CAT', 'NHIEU_NHAN') THEN 'CANH_BAO' ELSE 'LOI' END",
    ) + " FROM loi_ban_do"


RULE = Rule(
    code="MAP_TOPOLOGY", title="Ranh giới thửa vẽ bằng đường không khép thành thửa", target=Target.PARCEL,
    severity=Severity.ERROR, order=12, query=query, spatial=True,
    description="Tờ bản đồ DGN vẽ ranh giới thửa bằng đường: đường treo, không khép kín (TREO: đầu "
                "mút tự do — ranh giới hở, vẽ thiếu hoặc thừa qua giao điểm), vòng không hợp lệ "
                "(VONG), vùng không có nhãn số thửa (KHONG_NHAN) là lỗi; đường không bao thửa nào "
                "(CAT) và vùng có nhiều nhãn số thửa (NHIEU_NHAN) là cảnh báo. `dong` là số phần "
                "tử trong tệp DGN, `gia_tri_ban_do` là tọa độ x, y (hệ VN-2000 của tờ) để tìm trên "
                "bản đồ. Không tự sửa: người biên tập bản đồ nối, cắt đường hoặc đặt nhãn.",
)
