"""Vietnamese personal names, generated in the right order (surname – middle – given).

Surname weights follow REFERENCE.md §2 (Nguyễn ≈ 38 %, Trần ≈ 12 %, Lê ≈ 9.5 %, …); the same
name written two ways (Hoàng/Huỳnh, Vũ/Võ) leans to Huỳnh/Võ in the south and Hoàng/Vũ in the
north. Three-word names ≈ 83 %, four-word ≈ 16 %, two-word ≈ 1 % (mostly S'tiêng names:
Điểu for men, Thị for women). Given names are drawn with a steep (Zipf-like) weighting so common
names repeat, as they do: namesakes are what makes matching hard.
"""

from __future__ import annotations

import random
import unicodedata
from dataclasses import dataclass
from itertools import accumulate

from datdai.kernel.model import Gender


def _n(items):
    return [unicodedata.normalize("NFC", s) for s in items]


# (surname, weight in the south, weight in the north)
_SURNAMES: list[tuple[str, float, float]] = [
    ("Nguyễn", 38.0, 38.0), ("Trần", 12.0, 12.0), ("Lê", 9.5, 9.5), ("Phạm", 7.0, 7.0),
    ("Huỳnh", 4.0, 0.3), ("Hoàng", 1.0, 4.7), ("Phan", 4.5, 4.5), ("Võ", 3.2, 0.8),
    ("Vũ", 0.8, 3.2), ("Đặng", 2.0, 2.0), ("Bùi", 2.0, 2.0), ("Đỗ", 1.5, 1.8),
    ("Hồ", 1.3, 1.2), ("Ngô", 1.3, 1.3), ("Dương", 1.0, 1.0), ("Lý", 0.6, 0.4),
    ("Trương", 1.0, 0.6), ("Đinh", 0.8, 0.9), ("Đoàn", 0.6, 0.6), ("Lâm", 0.5, 0.3),
    ("Mai", 0.5, 0.5), ("Hà", 0.4, 0.6), ("Cao", 0.4, 0.4), ("Lương", 0.4, 0.4),
    ("Châu", 0.3, 0.1), ("Tô", 0.3, 0.3), ("Thái", 0.3, 0.3), ("Lưu", 0.3, 0.3),
    ("Trịnh", 0.3, 0.5), ("Tạ", 0.2, 0.3), ("Quách", 0.2, 0.2), ("Kiều", 0.1, 0.2),
    ("Triệu", 0.2, 0.2), ("La", 0.2, 0.1), ("Phùng", 0.2, 0.3), ("Đào", 0.4, 0.6),
]
SURNAMES = _n(s for s, _, _ in _SURNAMES)
_SOUTH_CUM = list(accumulate(w for _, w, _ in _SURNAMES))
_NORTH_CUM = list(accumulate(w for _, _, w in _SURNAMES))

_MALE_MIDDLE_OLD = _n(["Văn"] * 12 + ["Đức", "Hữu", "Công", "Thanh", "Ngọc", "Xuân", "Đình",
                                        "Quang", "Minh", "Tấn", "Phước", "Thành", "Hồng"])
_MALE_MIDDLE_YOUNG = _n(["Văn"] * 4 + ["Minh", "Quốc", "Gia", "Hoàng", "Đức", "Anh", "Tuấn",
                                       "Thanh", "Nhật", "Bảo", "Trọng", "Duy", "Thành", "Hữu"])
_FEMALE_MIDDLE_OLD = _n(["Thị"] * 14 + ["Ngọc", "Thu", "Kim", "Thanh", "Hồng", "Bích", "Mỹ",
                                         "Xuân", "Minh"])
_FEMALE_MIDDLE_YOUNG = _n(["Thị"] * 5 + ["Ngọc", "Thu", "Thanh", "Mỹ", "Kim", "Thùy", "Phương",
                                         "Khánh", "Bảo", "Minh", "Hoài", "Diễm", "Tường", "Gia"])
# Second middle word of four-word names (the word before the given name)
_MALE_MIDDLE2 = _n(["Minh", "Quốc", "Thanh", "Hoàng", "Ngọc", "Tuấn", "Hữu", "Đức", "Trung",
                    "Nhật", "Bảo", "Anh", "Gia", "Thành"])
_FEMALE_MIDDLE2 = _n(["Thu", "Ngọc", "Thanh", "Kim", "Mỹ", "Bích", "Hồng", "Thùy", "Phương",
                      "Minh", "Hoài", "Tuyết", "Xuân", "Diễm"])

_MALE_GIVEN = _n([
    "Hùng", "Dũng", "Tuấn", "Minh", "Hải", "Nam", "Sơn", "Thành", "Hòa", "Long", "Phúc",
    "Quang", "Cường", "Hiếu", "Trung", "Tâm", "Thắng", "Đức", "Bình", "Vinh", "Toàn", "Tài",
    "Hưng", "Lộc", "Phát", "Tín", "Nhân", "Lợi", "Hậu", "Thịnh", "Trí", "Đạt", "Khánh",
    "Phong", "Huy", "Tùng", "Việt", "Kiên", "Mạnh", "Hiệp", "Thuận", "Nghĩa", "Thiện", "An",
    "Bảy", "Tư", "Năm", "Sáu", "Tám", "Chín", "Mười", "Ba", "Khang", "Bảo", "Phước", "Duy",
    "Lâm", "Quân", "Hoàng", "Khoa", "Thông", "Trọng", "Vũ", "Tiến", "Hạnh", "Chiến", "Thạch",
])
_FEMALE_GIVEN = _n([
    "Lan", "Hương", "Hoa", "Mai", "Hà", "Linh", "Trang", "Thủy", "Hằng", "Nga", "Hồng",
    "Phương", "Thảo", "Dung", "Yến", "Loan", "Hạnh", "Hiền", "Huyền", "Ngọc", "Nhung", "Vân",
    "Tuyết", "Thúy", "Xuân", "Liên", "Oanh", "Quyên", "Trâm", "Uyên", "My", "Nhi", "Anh",
    "Ánh", "Bích", "Châu", "Chi", "Duyên", "Giang", "Hường", "Ngân", "Quỳnh", "Thơm", "Tươi",
    "Lệ", "Nguyệt", "Út", "Hai", "Lài", "Lụa", "Mến", "Cúc", "Đào", "Hạnh", "Kiều", "Trinh",
])

# S'tiêng (the main minority of Bình Phước): two-word names, Điểu for men, Thị for women.
_STIENG_MALE = _n(["Xiêm", "Bré", "Lốp", "Khánh", "Điện", "Dũng", "Lên", "Sơn", "Minh", "Thanh",
                   "Brông", "Chơn", "K'Lang", "Nhiên"])
_STIENG_FEMALE = _n(["Rum", "Hơn", "Nhung", "Sen", "Bích", "Thương", "Lành", "Mai", "Hoa", "Kim",
                     "Blanh", "Rơi", "Đẹp"])


def _zipf_cum(n: int, s: float = 1.0, shift: float = 6.0) -> list[float]:
    return list(accumulate(1.0 / ((i + shift) ** s) for i in range(n)))


_MALE_GIVEN_CUM = _zipf_cum(len(_MALE_GIVEN))
_FEMALE_GIVEN_CUM = _zipf_cum(len(_FEMALE_GIVEN))


@dataclass(frozen=True, slots=True)
class Name:
    surname: str
    middle: str  # may hold two words, or be empty
    given: str

    @property
    def full(self) -> str:
        return " ".join(w for w in (self.surname, self.middle, self.given) if w)


class NameGenerator:
    """Draws names from a ``random.Random`` (fast scalar draws, reproducible for a seed)."""

    def __init__(self, rng: random.Random) -> None:
        self.rng = rng

    def surname(self, north: bool = False) -> str:
        cum = _NORTH_CUM if north else _SOUTH_CUM
        return self.rng.choices(SURNAMES, cum_weights=cum)[0]

    def name(
        self,
        gender: Gender,
        birth_year: int,
        surname: str | None = None,
        north: bool = False,
        ethnicity: str = "Kinh",
    ) -> Name:
        rng = self.rng
        male = gender == Gender.MALE
        if ethnicity == "S'tiêng":
            given = rng.choice(_STIENG_MALE if male else _STIENG_FEMALE)
            middle = "" if rng.random() < 0.15 else rng.choice(
                _MALE_MIDDLE2 if male else _FEMALE_MIDDLE2)
            return Name("Điểu" if male else "Thị", middle, given)
        sur = surname or self.surname(north)
        given = rng.choices(
            _MALE_GIVEN if male else _FEMALE_GIVEN,
            cum_weights=_MALE_GIVEN_CUM if male else _FEMALE_GIVEN_CUM,
        )[0]
        u = rng.random()
        if u < 0.003:  # two words (with the S'tiêng names: about 1 % in all)
            return Name(sur, "", given)
        young = birth_year >= 1985
        if male:
            middle = rng.choice(_MALE_MIDDLE_YOUNG if young else _MALE_MIDDLE_OLD)
        else:
            middle = rng.choice(_FEMALE_MIDDLE_YOUNG if young else _FEMALE_MIDDLE_OLD)
        if u < 0.18:  # four words (≈ 16 % in all)
            second = rng.choice(_MALE_MIDDLE2 if male else _FEMALE_MIDDLE2)
            if second != middle and second != given:
                middle = f"{middle} {second}"
        return Name(sur, middle, given)

    def full_name(self, gender: Gender, birth_year: int, north: bool = False) -> str:
        return self.name(gender, birth_year, north=north).full
