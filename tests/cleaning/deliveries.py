"""A small hand-made delivery (ingest tables) with one case of each thing the store must handle.

Map features (row, key, label area, land use, owner):
 1 25195/1/1 400 ONT+CLN Nguyễn Văn An         | register rows 2, 3: An + Bình, serial "BV 123456"
 2 25195/1/2 395 ONT     Nguyễn Văn An         | row 4: "NGUYỄN  VĂN AN", "070 065 001 234", "BV123456"
 3 25195/1/3 300 HNK     UBND xã Tân Hưng      | row 5: organisation (GPKD), old code BHK
   25195/1/4 (no feature)                      | row 6: Lê Văn Cường 1970, no number (MISSING_IN_MAP)
 4 25195/1/5 200 BHK     Lê Văn Cường          | row 7: the same Cường (name + year + address)
 5 25195/1/6 200 ONT     Lê Văn Cường          | row 8: another Lê Văn Cường (born 1985)
 6 25195/1/7 150 ONT     "Mai V¨n C­êng" TCVN3 | row 9: TCVN3 name, CMND, serial "CH 900895"
 7 25198/2/1 500 LUC     Phạm Văn Dũng         | row 10: CCCD that lost its leading zero
 8 25198/2/2 100 ONT     Hoàng Thị Em          | row 11: register area 200 (AREA_MISMATCH)
"""

from __future__ import annotations

import functools
import math

import pyarrow as pa
import shapely

from datdai.cleaning.runner import CheckResult

SRID = 9212
X0, Y0 = 560000.0, 1300000.0

MAP = [  # row, ma_xa, so_to, so_thua, dien_tich, loai_dat, ten_chu
    (1, "25195", "1", "1", 400.0, "ONT+CLN", "Nguyễn Văn An"),
    (2, "25195", "1", "2", 395.0, "ONT", "Nguyễn Văn An"),
    (3, "25195", "1", "3", 300.0, "HNK", "UBND xã Tân Hưng"),
    (4, "25195", "1", "5", 200.0, "BHK", "Lê Văn Cường"),
    (5, "25195", "1", "6", 200.0, "ONT", "Lê Văn Cường"),
    (6, "25195", "1", "7", 150.0, "ONT", "Mai V¨n C\u00adêng"),
    (7, "25198", "2", "1", 500.0, "LUC", "Phạm Văn Dũng"),
    (8, "25198", "2", "2", 100.0, "ONT", "Hoàng Thị Em"),
]
REGISTER_COLUMNS = ("row", "ma_xa", "so_to", "so_thua", "dien_tich", "loai_dat", "ten_chu", "gioi_tinh",
                    "nam_sinh", "loai_giay_to", "so_giay_to", "dia_chi_chu", "so_seri_gcn", "dia_chi_thua",
                    "ty_le_ban_do", "hinh_thuc_su_dung")
REGISTER = [
    (2, "25195", "1", "1", 400.0, "ONT+CLN", "Nguyễn Văn An", "Nam", "1965", "CCCD", "070065001234",
     "Ấp 3, xã Tân Hưng", "BV 123456", "Ấp 3", 1000, "Sử dụng chung"),
    (3, "25195", "1", "1", 400.0, "ONT+CLN", "Trần Thị Bình", "Nữ", "02/03/1968", "CCCD", "070168009876",
     "Ấp 3, xã Tân Hưng", "BV 123456", "Ấp 3", 1000, "Sử dụng chung"),
    (4, "25195", "1", "2", 395.0, "ONT", "NGUYỄN  VĂN AN", "Nam", "1965", "CCCD", "070 065 001 234",
     "Ấp 3, xã Tân Hưng", "BV123456", "Ấp 3", 1000, "Sử dụng riêng"),
    (5, "25195", "1", "3", 300.0, "BHK", "UBND xã Tân Hưng", "", "", "GPKD", "3800123456",
     "Xã Tân Hưng", "", "Ấp 4", 1000, ""),
    (6, "25195", "1", "4", 120.0, "ONT", "Lê Văn Cường", "Nam", "1970", "", "", "Ấp 1", "", "Ấp 1", 1000, ""),
    (7, "25195", "1", "5", 200.0, "HNK", "Lê Văn Cường", "Nam", "1970", "", "", "Ấp 1", "", "Ấp 1", 1000, ""),
    (8, "25195", "1", "6", 200.0, "ONT", "Lê Văn Cường", "Nam", "1985", "", "", "Ấp 1", "", "Ấp 1", 1000, ""),
    (9, "25195", "1", "7", 150.0, "ONT", "Mai V¨n C\u00adêng", "Nam", "1980", "CMND", "285123456",
     "Ấp 2", "CH 900895", "Ấp 2", 1000, ""),
    (10, "25198", "2", "1", 500.0, "LUC", "Phạm Văn Dũng", "Nam", "1972", "CCCD", "70072001111",
     "Ấp 5", "", "Ấp 5", 1000, ""),
    (11, "25198", "2", "2", 200.0, "ONT", "Hoàng Thị Em", "Nữ", "1990", "CCCD", "070190001234",
     "Ấp 6", "", "Ấp 6", 1000, ""),
]

PARCEL_SCHEMA = pa.schema([
    ("row", pa.int64()), ("ma_xa", pa.string()), ("so_to", pa.string()), ("so_thua", pa.string()),
    ("dien_tich", pa.float64()), ("loai_dat", pa.string()), ("ten_chu", pa.string()),
    ("geometry", pa.binary()),
])
REGISTER_SCHEMA = pa.schema([(c, pa.int64() if c == "row" else pa.float64() if c == "dien_tich"
                              else pa.int32() if c == "ty_le_ban_do" else pa.string())
                             for c in REGISTER_COLUMNS])


def _square(i: int, area: float) -> bytes:
    side = math.sqrt(area)
    x, y = X0 + 100.0 * i, Y0
    return shapely.to_wkb(shapely.box(x, y, x + side, y + side))


def hand_parcels() -> pa.Table:
    rows = [(*r, _square(i, r[4])) for i, r in enumerate(MAP)]
    return pa.table({f.name: [r[j] for r in rows] for j, f in enumerate(PARCEL_SCHEMA)}, schema=PARCEL_SCHEMA)


def hand_register() -> pa.Table:
    cols = {c: [r[j] for r in REGISTER] for j, c in enumerate(REGISTER_COLUMNS)}
    for c, v in cols.items():
        if c not in ("row", "dien_tich", "ty_le_ban_do"):
            cols[c] = [x if x != "" else None for x in v]
    return pa.table(cols, schema=REGISTER_SCHEMA)


def check(parcels: pa.Table, register: pa.Table) -> CheckResult:
    from datdai.cleaning.runner import run_rules
    from datdai.compute import open_engine

    with open_engine("duckdb") as eng:
        return run_rules(parcels, register, engine=eng)


@functools.cache
def hand_check() -> CheckResult:
    """The check of the hand-made delivery (computed once per test process)."""
    return check(hand_parcels(), hand_register())


def store_hand_delivery(conn, *, fingerprint: str = "f" * 64, actor: str = "kiemtra", fixes: bool = True):
    """Load, record the check and (unless ``fixes`` is False) apply the automatic fixes."""
    from datdai.cleaning.delivery_import import store_delivery
    from datdai.cleaning.to_dataset import delivery_to_dataset

    parcels, register = hand_parcels(), hand_register()
    result = hand_check()
    dataset, links = delivery_to_dataset(parcels, register, SRID)
    return store_delivery(conn, dataset, links, result, fingerprint=fingerprint, parcel_source="thua_dat.gpkg",
                          register_source="so_dia_chinh.csv", actor=actor, auto_fix=fixes)
