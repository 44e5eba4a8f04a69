from datdai.cleaning.findings import Severity, Target
from datdai.cleaning.rule import Rule, select

_KIND = ("CASE {k} WHEN 'TCVN3' THEN 'mã TCVN3 (ABC)' WHEN 'VNI' THEN 'mã VNI-Windows' "
         "ELSE 'UTF-8 bị đọc nhầm thành Windows-1252' END")


def _one(table: str, side: str, field: str, proposal: str, what: str, value_col: str,
         target: str) -> str:
    k = f"{field}_ma"
    return select(
        ma_xa="ma_xa", so_to="so_to", so_thua="so_thua",
        mo_ta=f"concat('{what} ghi bằng ', {_KIND.format(k=k)}, ': \"', {field}, "
              f"'\" → \"', {proposal}, '\"')",
        **{value_col: field}, de_xuat=proposal, doi_tuong=f"'{target}'", nguon=f"'{side}'",
        dong="row", truong=f"'{field}'", sua_tu_dong="'CO'",
    ) + f" FROM {table} WHERE {k} IS NOT NULL"


def query(p, d) -> str:
    parts = [
        _one("ban_do", "BAN_DO", "ten_chu", "ten_chu_sua", "Tên chủ trên bản đồ",
             "gia_tri_ban_do", "THUA_DAT"),
        _one("so_dc", "SO_DIA_CHINH", "ten_chu", "ten_chu_chuan", "Tên người sử dụng",
             "gia_tri_thuoc_tinh", "NGUOI_SU_DUNG"),
        _one("so_dc", "SO_DIA_CHINH", "dia_chi_chu", "dia_chi_chu_sua", "Địa chỉ người sử dụng",
             "gia_tri_thuoc_tinh", "NGUOI_SU_DUNG"),
        _one("so_dc", "SO_DIA_CHINH", "dia_chi_thua", "dia_chi_thua_sua", "Địa chỉ thửa",
             "gia_tri_thuoc_tinh", "THUA_DAT"),
    ]
    return " UNION ALL ".join(parts)


RULE = Rule(
    code="LEGACY_ENCODING", title="Chữ mã cũ (TCVN3, VNI)", target=Target.PARTY,
    severity=Severity.WARNING, order=80, query=query, auto_fix=True,
    description="Chữ ghi bằng bảng mã TCVN3 (ABC) hay VNI-Windows, hoặc UTF-8 bị đọc nhầm "
                "(mojibake), trong tên chủ và địa chỉ. Đề xuất chữ Unicode dựng sẵn (NFC); tự sửa.",
)
