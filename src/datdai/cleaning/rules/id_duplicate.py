from datdai.cleaning.findings import Severity, Target
from datdai.cleaning.rule import Rule, select


def query(p, d) -> str:
    who = "concat(s.ten_chu_khoa, '|', coalesce(CAST(s.nam_sinh_nam AS STRING), ''))"
    names = d.join_distinct("s.ten_chu_sua", "; ")
    return select(
        ma_xa="s.ma_xa", so_to="s.so_to", so_thua="s.so_thua",
        mo_ta="concat('Số giấy tờ ', s.id_so, ' được ghi cho ', CAST(g.n AS STRING), "
              "' người khác nhau: ', g.ten)",
        gia_tri_thuoc_tinh="s.so_giay_to", doi_tuong="'GIAY_TO'", nguon="'SO_DIA_CHINH'",
        dong="s.row", truong="'so_giay_to'",
    ) + (f" FROM so_dc s JOIN (SELECT s.id_so, count(DISTINCT s.ten_chu_khoa) AS n_names,"
         f" count(DISTINCT s.nam_sinh_nam) AS n_years, count(DISTINCT {who}) AS n, {names} AS ten"
         " FROM so_dc s WHERE s.la_nguoi AND s.id_loai IN ('CCCD', 'CMND', 'HC')"
         " GROUP BY s.id_so) g ON g.id_so = s.id_so"
         " WHERE s.la_nguoi AND s.id_loai IN ('CCCD', 'CMND', 'HC')"
         " AND (g.n_names > 1 OR g.n_years > 1)")


RULE = Rule(
    code="ID_DUPLICATE", title="Một số giấy tờ cho nhiều người", target=Target.DOCUMENT,
    severity=Severity.ERROR, order=74, query=query,
    description="Cùng một số giấy tờ (sau chuẩn hóa) được ghi cho những người khác tên (sau khi "
                "bỏ dấu, hoa/thường, danh xưng, mã cũ) hoặc khác năm sinh. Mọi dòng của các "
                "người đó được nêu. Không tự sửa.",
)
