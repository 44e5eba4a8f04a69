"""A small register for hand-made matching cases: a few thousand citizens with Vietnamese names,
births and addresses in two communes, so that the model has a register to learn from and the
cases a crowd to stand out of (deterministic, no generator of the project)."""

from __future__ import annotations

import random

import pyarrow as pa

from datdai.matching.inputs import OWNER_COLUMNS, POPULATION_COLUMNS
from datdai.matching.normalise import normalise_owners, normalise_population

SURNAMES = ["Nguyễn"] * 38 + ["Trần"] * 11 + ["Lê"] * 9 + ["Phạm"] * 7 + [
    "Hoàng", "Huỳnh", "Phan", "Vũ", "Võ", "Đặng", "Bùi", "Đỗ", "Hồ", "Ngô", "Dương", "Lý"] * 2
MIDDLE = {"Nam": ["Văn", "Văn", "Đức", "Minh", "Quang", "Hữu", "Thanh"],
          "Nữ": ["Thị", "Thị", "Thị", "Ngọc", "Thanh", "Kim", "Thu"]}
GIVEN = {"Nam": ["An", "Anh", "Bình", "Cường", "Dũng", "Hùng", "Hải", "Long", "Nam", "Phúc",
                 "Quân", "Sơn", "Thắng", "Tuấn", "Việt", "Khánh", "Lâm", "Trung"],
         "Nữ": ["Anh", "Bích", "Chi", "Dung", "Hà", "Hoa", "Hương", "Lan", "Linh", "Mai", "Nga",
                "Ngọc", "Phương", "Thảo", "Trang", "Yến", "Hạnh", "Vân"]}
COMMUNES = ["Xã Tân Hưng, Huyện Hớn Quản, Tỉnh Bình Phước",
            "Xã An Khương, Huyện Hớn Quản, Tỉnh Bình Phước"]


def register(n: int = 3000, seed: int = 5) -> list[dict]:
    rnd = random.Random(seed)
    out = []
    for k in range(n):
        gender = rnd.choice(["Nam", "Nữ"])
        year = rnd.randint(1940, 2005)
        name = f"{rnd.choice(SURNAMES)} {rnd.choice(MIDDLE[gender])} {rnd.choice(GIVEN[gender])}"
        address = f"Số {rnd.randint(1, 300)}, Ấp {rnd.randint(1, 9)}, {rnd.choice(COMMUNES)}"
        out.append({"so_dinh_danh": f"070{'0' if gender == 'Nam' else '1'}{year % 100:02d}"
                                    f"{500000 + k:06d}",
                    "ho_ten": name, "gioi_tinh": gender,
                    "ngay_sinh": f"{rnd.randint(1, 28):02d}/{rnd.randint(1, 12):02d}/{year}",
                    "thuong_tru": address, "noi_o_hien_tai": address})
    return out


def owners(*rows: dict) -> pa.Table:
    cols = {c: [r.get(c, "") for r in rows] for c in OWNER_COLUMNS}
    cols["ma_dong"] = [r.get("ma_dong", f"D{i}") for i, r in enumerate(rows)]
    return normalise_owners(pa.table({c: pa.array(v, pa.string()) for c, v in cols.items()}))


def citizens(*rows: dict) -> pa.Table:
    cols = {c: [r.get(c, "") for r in rows] for c in POPULATION_COLUMNS}
    return normalise_population(pa.table({c: pa.array(v, pa.string()) for c, v in cols.items()}))


def as_owner(citizen: dict, **changes) -> dict:
    """The owner row a land record would hold for ``citizen``: name, birth year, address."""
    row = {"ho_ten": citizen["ho_ten"], "nam_sinh": citizen["ngay_sinh"][-4:],
           "dia_chi_chu": citizen["thuong_tru"]}
    row.update(changes)
    return row
