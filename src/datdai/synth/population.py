"""The people of the synthetic province: families, relatives, identity numbers.

Every human is one :class:`Human` with the truth about them (name, birth, gender, CCCD, CMND,
parents, spouse, household). Land users are chosen among them; the population extract is
rendered from them (minus those absent from it). Scalar draws use ``random.Random`` (fast and
reproducible for a seed).
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import date
from functools import cache

from datdai.kernel.admin_units import old_communes
from datdai.kernel.ids import make_citizen_id
from datdai.kernel.model import Gender
from datdai.kernel.provinces import old_provinces
from datdai.synth.config import REFERENCE_DATE
from datdai.synth.names import NameGenerator

REF_YEAR = REFERENCE_DATE.year

# Birth provinces of migrants to the south-east (3-digit CCCD codes) and their weights.
MIGRANT_ORIGINS: tuple[tuple[str, float], ...] = (
    ("040", 25), ("038", 20), ("034", 14), ("042", 10), ("036", 10), ("051", 6),
    ("001", 5), ("079", 5), ("074", 5),
)
_NORTHERN = frozenset({"001", "034", "036", "038", "040", "042"})
# First digits of 9-digit CMND numbers by issuing province (approximate; synthetic data).
CMND_PREFIX: dict[str, str] = {
    "070": "285", "074": "28", "075": "27", "072": "29", "040": "18", "042": "18", "038": "17",
    "034": "15", "036": "16", "051": "21", "001": "01", "079": "02",
}
ETHNICITIES: tuple[tuple[str, float], ...] = (
    ("Kinh", 84.0), ("S'tiêng", 5.0), ("Nùng", 3.0), ("Tày", 3.0), ("Khmer", 2.0),
    ("Hoa", 1.5), ("M'nông", 1.0), ("Dao", 0.5),
)
_ETHNIC_SURNAMES: dict[str, tuple[str, ...]] = {
    "Nùng": ("Nông", "Hoàng", "Lương", "Vi", "Lăng", "Mã"),
    "Tày": ("Hoàng", "Nông", "Hà", "Ma", "Lương", "Vi"),
    "Khmer": ("Thạch", "Danh", "Sơn", "Lâm", "Kim"),
    "Hoa": ("Lý", "Trương", "Lâm", "Quách", "Hứa", "Tăng"),
    "M'nông": ("Điểu", "Y"),
    "Dao": ("Triệu", "Bàn", "Đặng", "Lý"),
}
RELIGIONS: tuple[tuple[str, float], ...] = (
    ("Không", 68.0), ("Phật giáo", 14.0), ("Công giáo", 11.0), ("Tin lành", 4.0),
    ("Cao Đài", 2.0), ("Hòa Hảo", 1.0),
)
MARRIED, SINGLE, WIDOWED, DIVORCED = "Đã kết hôn", "Chưa kết hôn", "Góa", "Ly hôn"


@dataclass(slots=True)
class Place:
    """A commune as used in addresses."""

    code: str
    name: str  # "Xã Tân Hưng"
    district: str  # "Huyện Hớn Quản"
    province: str  # "Tỉnh Bình Phước"
    new_name: str = ""  # 2025 commune
    new_province: str = ""  # 2025 province
    villages: tuple[str, ...] = ()

    def old_address(self, village: str | None = None) -> str:
        parts = [village] if village else []
        return ", ".join(parts + [self.name, self.district, self.province])

    def new_address(self, village: str | None = None) -> str:
        parts = [village] if village else []
        return ", ".join(parts + [self.new_name or self.name, self.new_province or self.province])


@dataclass(slots=True)
class Human:
    idx: int
    name: str  # the true name, NFC
    surname: str
    gender: Gender
    birth: date
    ethnicity: str
    religion: str
    place: int  # index of the home commune (Population.places)
    village: str
    family: int
    birth_prov: str  # 3-digit code of the province of birth registration
    birth_place: str  # nơi đăng ký khai sinh
    origin: str  # quê quán
    cccd: str
    cmnd: str | None = None
    father: int | None = None
    mother: int | None = None
    spouse: int | None = None
    father_name: str | None = None  # when the father is not modelled
    mother_name: str | None = None
    divorced: bool = False
    year_only: bool = False  # the population register keeps the birth year only
    absent: str | None = None  # "deceased" / "abroad": not in the population extract
    relation: str | None = None  # for a same-name relative: son / father / cousin


@dataclass(slots=True)
class Family:
    idx: int
    place: int
    village: str
    head: int
    members: list[int] = field(default_factory=list)
    book_no: str | None = None  # số sổ hộ khẩu (legacy)
    north: bool = False
    owner: bool = False


@cache
def _other_places(code3: str) -> tuple[tuple[str, str, str], ...]:
    """(commune, district, province) names of an old province, for places of birth/origin."""

    name = old_provinces()[code3].name
    try:
        units = old_communes(name)
    except Exception:  # noqa: BLE001 - a province missing from refdata: use the name alone
        units = []
    out = tuple((u.name, u.district_name, u.province_name) for u in units)
    if not out:
        prov = name if name.startswith(("Tỉnh", "Thành phố", "TP.")) else f"Tỉnh {name}"
        out = (("", "", prov),)
    return out


def _old_place_text(t: tuple[str, str, str]) -> str:
    return ", ".join(p for p in t if p)


@dataclass(slots=True)
class IdSpace:
    """The identifiers a province's slices share when they are generated one after another
    (:func:`datdai.synth.generator.run` at large sizes): numbers drawn at random are checked
    against those already given, sequential ones continue where the last slice stopped."""

    cccd: set[str] = field(default_factory=set)
    cmnd: set[str] = field(default_factory=set)
    book: set[str] = field(default_factory=set)
    serials: set[str] = field(default_factory=set)  # certificate serials
    gpkd: set[str] = field(default_factory=set)  # business registrations
    parties: dict[str, int] = field(
        default_factory=lambda: {"CN": 0, "HGD": 0, "VC": 0, "TC": 0})
    holdings: int = 0  # holdings of the slices before
    assets: int = 0
    owner_rows: int = 0  # rows of chu_su_dung.csv written before


class Population:
    def __init__(self, rng: random.Random, names: NameGenerator, province_code: str,
                 places: list[Place], ids: IdSpace | None = None) -> None:
        self.rng = rng
        self.names = names
        self.province_code = province_code
        self.places = places
        self.humans: list[Human] = []
        self.families: list[Family] = []
        self.families_by_place: dict[int, list[int]] = {i: [] for i in range(len(places))}
        self.owner_families_by_place: dict[int, list[int]] = {i: [] for i in range(len(places))}
        self.ids = ids if ids is not None else IdSpace()
        self._cccd_used = self.ids.cccd
        self._cmnd_used = self.ids.cmnd
        self._book_used = self.ids.book
        self._eth_cum = _cum(ETHNICITIES)
        self._rel_cum = _cum(RELIGIONS)
        self._mig_cum = _cum(MIGRANT_ORIGINS)
        # locals of the north and north-central provinces (codes up to 046) spell Hoàng/Vũ
        self.local_north = int(province_code) <= 46

    # -- identity numbers -----------------------------------------------------------------
    def new_cccd(self, prov: str, year: int, gender: Gender) -> str:
        while True:
            value = make_citizen_id(prov, year, gender, self.rng.randrange(1_000_000)).value
            if value not in self._cccd_used:
                self._cccd_used.add(value)
                return value

    def new_cmnd(self, issuing_prov: str) -> str:
        prefix = CMND_PREFIX.get(issuing_prov, issuing_prov[1:])
        tries = 0
        while True:
            value = prefix + "".join(str(self.rng.randrange(10)) for _ in range(9 - len(prefix)))
            if value not in self._cmnd_used and len(set(value)) > 1:
                self._cmnd_used.add(value)
                return value
            tries += 1
            if tries == 50 and len(prefix) > 2:
                # A 3-digit prefix holds only a million numbers: a large province fills it.
                # Cards issued before the province was split carry the parent's 2 digits.
                prefix = prefix[:2]

    def new_book(self) -> str:
        while True:
            value = f"{self.rng.randrange(10**8, 10**9)}"
            if value not in self._book_used:
                self._book_used.add(value)
                return value

    # -- draws ----------------------------------------------------------------------------
    def _date_in(self, year: int) -> date:
        start = date(year, 1, 1).toordinal()
        end = min(date(year, 12, 31), REFERENCE_DATE).toordinal()
        return date.fromordinal(start + self.rng.randrange(end - start + 1))

    def _ethnicity(self) -> str:
        return self.rng.choices(ETHNICITIES, cum_weights=self._eth_cum)[0][0]

    def _religion(self, ethnicity: str) -> str:
        if ethnicity == "S'tiêng" and self.rng.random() < 0.5:
            return "Tin lành"
        return self.rng.choices(RELIGIONS, cum_weights=self._rel_cum)[0][0]

    def _surname(self, ethnicity: str, north: bool) -> str:
        pool = _ETHNIC_SURNAMES.get(ethnicity)
        if pool and self.rng.random() < 0.8:
            return self.rng.choice(pool)
        return self.names.surname(north)

    def _home_birth_place(self, place: int) -> str:
        # born in the home commune mostly, else elsewhere in the province
        if self.rng.random() < 0.3:
            place = self.rng.randrange(len(self.places))
        p = self.places[place]
        return _old_place_text((p.name, p.district, p.province))

    def _province_place(self, prov: str) -> str:
        if prov == self.province_code:
            return self._home_birth_place(self.rng.randrange(len(self.places)))
        return _old_place_text(self.rng.choice(_other_places(prov)))

    # -- people ---------------------------------------------------------------------------
    def person(
        self, *, gender: Gender, birth_year: int, place: int, village: str, family: int,
        ethnicity: str, religion: str, surname: str | None = None, north: bool = False,
        birth_prov: str | None = None, cmnd_prov: str | None = None, origin: str | None = None,
        name: str | None = None,
    ) -> int:
        rng = self.rng
        birth_prov = birth_prov or self.province_code
        if name is None:
            nm = self.names.name(gender, birth_year, surname=surname, north=north,
                                 ethnicity=ethnicity)
            name, sur = nm.full, nm.surname
        else:
            sur = name.split(" ", 1)[0]
        birth = self._date_in(birth_year)
        cccd = self.new_cccd(birth_prov, birth_year, gender)
        cmnd = None
        if birth_year <= 2002 and rng.random() < 0.85:
            if 1950 <= birth_year <= 1998 and rng.random() < 0.04:
                cmnd = cccd  # a 12-digit CMND keeps its number as the CCCD
            else:
                cmnd = self.new_cmnd(cmnd_prov or self.province_code)
        if birth_prov == self.province_code:
            bplace = self._home_birth_place(place)
        else:
            bplace = self._province_place(birth_prov)
        if origin is None:
            origin = bplace if rng.random() < 0.7 else self._province_place(
                rng.choices(MIGRANT_ORIGINS, cum_weights=self._mig_cum)[0][0])
        h = Human(
            idx=len(self.humans), name=name, surname=sur, gender=gender, birth=birth,
            ethnicity=ethnicity, religion=religion, place=place, village=village, family=family,
            birth_prov=birth_prov, birth_place=bplace, origin=origin, cccd=cccd, cmnd=cmnd,
            year_only=birth_year < 1960 and rng.random() < 0.08 or rng.random() < 0.01,
        )
        self.humans.append(h)
        if family >= 0:
            self.families[family].members.append(h.idx)
        return h.idx

    def _parent_names(self, h: Human, north: bool) -> None:
        rng = self.rng
        if h.father is None and rng.random() < 0.75:
            by = h.birth.year - rng.randint(22, 38)
            if h.ethnicity == "Kinh":
                h.father_name = self.names.name(Gender.MALE, by, surname=h.surname,
                                                north=north).full
            else:
                h.father_name = self.names.name(Gender.MALE, by, north=north,
                                                ethnicity=h.ethnicity).full
        if h.mother is None and rng.random() < 0.75:
            by = h.birth.year - rng.randint(18, 35)
            h.mother_name = self.names.name(Gender.FEMALE, by, north=north,
                                            ethnicity=h.ethnicity).full

    def _village(self, place: int) -> str:
        return self.rng.choice(self.places[place].villages)

    def family(self, place: int, *, village: str | None = None, head_year: int | None = None,
               owner: bool = True, depth: int = 0, head_gender: Gender | None = None) -> int:
        """A household with its head, usually a spouse, children and sometimes old parents.

        Children aged 28 or more have usually moved out: half of them get a household of their
        own in the province (depth 1: their own grown children are not modelled)."""
        rng = self.rng
        village = village or self._village(place)
        if head_year is None:
            head_year = REF_YEAR - int(rng.triangular(24, 88, 48))
        ethnicity = self._ethnicity()
        religion = self._religion(ethnicity)
        migrant = head_year < 1985 and ethnicity == "Kinh" and rng.random() < 0.28
        origin_prov = rng.choices(MIGRANT_ORIGINS, cum_weights=self._mig_cum)[0][0] \
            if migrant else self.province_code
        north = origin_prov in _NORTHERN if migrant else self.local_north
        arrival = rng.randint(max(head_year + 16, 1976), 2012) if migrant else 0
        fam = Family(idx=len(self.families), place=place, village=village, head=-1, north=north,
                     owner=owner)
        self.families.append(fam)
        self.families_by_place[place].append(fam.idx)
        if owner:
            self.owner_families_by_place[place].append(fam.idx)
        if rng.random() < 0.75:
            fam.book_no = self.new_book()
        origin_text = self._province_place(origin_prov) if migrant else None
        if head_gender is None:
            head_gender = Gender.MALE if rng.random() < 0.8 else Gender.FEMALE
        adult_prov = origin_prov if migrant else self.province_code
        cmnd_prov = origin_prov if migrant and arrival > head_year + 20 else self.province_code
        head = self.person(gender=head_gender, birth_year=head_year, place=place, village=village,
                           family=fam.idx, ethnicity=ethnicity, religion=religion, north=north,
                           birth_prov=adult_prov, cmnd_prov=cmnd_prov, origin=origin_text)
        fam.head = head
        H = self.humans
        # spouse
        spouse = None
        if REF_YEAR - head_year >= 22 and rng.random() < 0.86:
            sg = Gender.FEMALE if head_gender == Gender.MALE else Gender.MALE
            sy = head_year + (rng.randint(-2, 8) if sg == Gender.FEMALE else rng.randint(-8, 2))
            sy = min(sy, REF_YEAR - 19)
            same_origin = migrant and rng.random() < 0.7
            spouse = self.person(
                gender=sg, birth_year=sy, place=place, village=village, family=fam.idx,
                ethnicity=ethnicity if rng.random() < 0.9 else "Kinh", religion=religion,
                north=north, birth_prov=origin_prov if same_origin else self.province_code,
                cmnd_prov=cmnd_prov if same_origin else self.province_code)
            H[head].spouse, H[spouse].spouse = spouse, head
        elif REF_YEAR - head_year >= 30 and rng.random() < 0.3:
            H[head].divorced = True
        # old parents living with them
        if REF_YEAR - head_year < 58 and depth == 0 and rng.random() < 0.35:
            fy = head_year - rng.randint(23, 36)
            fa = self.person(gender=Gender.MALE, birth_year=fy, place=place, village=village,
                             family=fam.idx, ethnicity=ethnicity, religion=religion, north=north,
                             surname=H[head].surname if head_gender == Gender.MALE
                             and ethnicity == "Kinh" else None,
                             birth_prov=origin_prov, cmnd_prov=adult_prov)
            mo = self.person(gender=Gender.FEMALE, birth_year=fy + rng.randint(-1, 7),
                             place=place, village=village, family=fam.idx, ethnicity=ethnicity,
                             religion=religion, north=north, birth_prov=origin_prov,
                             cmnd_prov=adult_prov)
            H[fa].spouse, H[mo].spouse = mo, fa
            if head_gender == Gender.MALE or spouse is None:
                H[head].father, H[head].mother = fa, mo
            else:
                H[spouse].father, H[spouse].mother = fa, mo
            self._parent_names(H[fa], north)
            self._parent_names(H[mo], north)
        # children
        mother_year = head_year if head_gender == Gender.FEMALE else (
            H[spouse].birth.year if spouse is not None else None)
        if mother_year is not None:
            n = rng.choices((0, 1, 2, 3, 4, 5), weights=(
                (4, 8, 22, 28, 22, 16) if mother_year < 1965 else
                (6, 20, 42, 22, 8, 2) if mother_year < 1985 else (20, 35, 38, 6, 1, 0)))[0]
            years = sorted(mother_year + rng.randint(19, 40) for _ in range(n))
            father = head if head_gender == Gender.MALE else spouse
            mother = spouse if head_gender == Gender.MALE else head
            sur = H[father].surname if father is not None else None
            for y in years:
                if y > REF_YEAR - 1:
                    continue
                g = Gender.MALE if rng.random() < 0.51 else Gender.FEMALE
                if REF_YEAR - y >= 28:
                    if depth == 0 and rng.random() < 0.5:
                        self._moved_out_child(place, y, g, father, mother, sur, ethnicity,
                                              religion, north)
                    continue
                child = self.person(gender=g, birth_year=y, place=place, village=village,
                                    family=fam.idx, ethnicity=ethnicity, religion=religion,
                                    surname=sur if ethnicity == "Kinh" else None, north=north,
                                    birth_prov=self.province_code if y >= arrival
                                    else origin_prov)
                H[child].father, H[child].mother = father, mother
                if father is None:
                    self._parent_names(H[child], north)
        for m in (head, spouse):
            if m is not None:
                self._parent_names(H[m], north)
        return fam.idx

    def _moved_out_child(self, place: int, year: int, gender: Gender, father: int | None,
                         mother: int | None, surname: str | None, ethnicity: str, religion: str,
                         north: bool) -> None:
        rng = self.rng
        if rng.random() > 0.65:
            place = rng.randrange(len(self.places))
        fam = self.family(place, head_year=year, owner=False, depth=1, head_gender=gender)
        h = self.humans[self.families[fam].head]
        # the grown child keeps the parents' surname and links
        if surname and ethnicity == "Kinh" and h.ethnicity == "Kinh":
            rest = h.name.split(" ", 1)[1] if " " in h.name else h.name
            h.name, h.surname = f"{surname} {rest}", surname
        h.father, h.mother = father, mother
        h.father_name = h.mother_name = None

    def top_up(self, total: int) -> None:
        """Add households of people who own no land until there are ``total`` humans."""
        while len(self.humans) < total:
            self.family(self.rng.randrange(len(self.places)), owner=False)

    def same_name_relative(self, owner: int) -> int:
        """A relative (or neighbour) of ``owner`` with exactly the same name, in the same
        commune: a son named like his father, the father, or a cousin of a close age."""
        rng = self.rng
        o = self.humans[owner]
        fam = self.families[o.family]
        oy = o.birth.year
        options = ["cousin"]
        if o.gender == Gender.MALE and oy <= REF_YEAR - 45:
            options.append("son")
        if o.gender == Gender.MALE and o.father is None and oy >= 1950:
            options.append("father")
        relation = rng.choice(options)
        common = dict(place=o.place, village=o.village, ethnicity=o.ethnicity,
                      religion=o.religion, north=fam.north, name=o.name, gender=o.gender)
        if relation == "son":
            year = min(oy + rng.randint(22, 32), REF_YEAR - 18)
            r = self.person(birth_year=year, family=o.family, **common)
            self.humans[r].father = owner
            self.humans[r].mother = o.spouse
            if o.spouse is None:
                self._parent_names(self.humans[r], fam.north)
        elif relation == "father":
            year = oy - rng.randint(22, 32)
            r = self.person(birth_year=year, family=o.family, **common)
            o.father, o.father_name = r, None
            if o.mother is not None and self.humans[o.mother].spouse is None:
                self.humans[r].spouse = o.mother
                self.humans[o.mother].spouse = r
            self._parent_names(self.humans[r], fam.north)
        else:
            year = oy + rng.randint(-4, 4)
            nf = Family(idx=len(self.families), place=o.place, village=o.village, head=-1,
                        north=fam.north, owner=False, book_no=self.new_book())
            self.families.append(nf)
            self.families_by_place[o.place].append(nf.idx)
            r = self.person(birth_year=min(year, REF_YEAR - 18), family=nf.idx, **common)
            nf.head = r
            self._parent_names(self.humans[r], fam.north)
        self.humans[r].relation = relation
        return r


def _cum(pairs) -> list[float]:
    out, acc = [], 0.0
    for _, w in pairs:
        acc += w
        out.append(acc)
    return out
