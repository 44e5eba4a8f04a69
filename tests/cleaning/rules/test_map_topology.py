"""MAP_TOPOLOGY: a DGN sheet whose parcel boundaries are lines — the dangling lines, the faces
without a parcel number or with several — checked from the file like any delivery."""

from __future__ import annotations

from datdai.cleaning.check import check_delivery
from datdai.cleaning.config import CheckConfig
from tests.cleaning.readers._files import X0, Y0
from tests.cleaning.readers.test_dgn import _line_sheet

REGISTER = """ma_xa,so_to,so_thua,dien_tich,loai_dat,ten_chu,gioi_tinh,nam_sinh,loai_giay_to,so_giay_to
25195,7,12,345,ONT,Nguyễn Văn An,Nam,1970,CCCD,070070001234
25195,7,13,250.5,CLN,Trần Thị Bình,Nữ,1972,CCCD,070172001235
25195,7,14,120.5,ONT,Lê Văn Cường,Nam,1980,CCCD,070080001236
"""


def test_line_sheet_problems_become_findings(eng, tmp_path):
    sheet = _line_sheet(tmp_path / "25195_7.dgn")
    register = tmp_path / "so.csv"
    register.write_text(REGISTER, encoding="utf-8")
    result, _ = check_delivery(sheet, register, engine=eng, config=CheckConfig(srid=9212))
    found = [f for f in result.findings.to_pylist() if f["ma_loi"] == "MAP_TOPOLOGY"]
    kinds = {}
    for f in found:
        kinds.setdefault(f["mo_ta"].split("[")[1].split("]")[0], []).append(f)
    assert set(kinds) == {"TREO", "KHONG_NHAN", "NHIEU_NHAN"}
    # dangles: the divider overshooting both edges (element 7) and the open boundary (8–10)
    assert {f["dong"] for f in kinds["TREO"]} <= {7, 8, 9, 10} and 7 in {f["dong"] for f in kinds["TREO"]}
    assert any(f["gia_tri_ban_do"].startswith(f"{X0 + 100:.2f}") for f in kinds["TREO"])
    assert all(f["muc_do"] == "LOI" and f["so_thua"] is None and f["ma_xa"] == "25195" and f["so_to"] == "7"
               for f in kinds["TREO"])
    (unlabeled,) = kinds["KHONG_NHAN"]
    assert unlabeled["gia_tri_ban_do"] == f"{X0 + 50:.2f}, {Y0 + 10:.2f}" and unlabeled["muc_do"] == "LOI"
    (several,) = kinds["NHIEU_NHAN"]
    assert several["so_thua"] == "14" and several["muc_do"] == "CANH_BAO" and several["dong"] == 14
    assert all(f["doi_tuong"] == "THUA_DAT" and f["nguon"] == "BAN_DO" for f in found)
