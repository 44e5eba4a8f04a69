"""The land of the synthetic province, clean: parcels, land users, holdings, rights, assets,
certificates. Noise is applied afterwards (:mod:`datdai.synth.noise`).

Parcels are kept as columns (numpy arrays and lists), one entry per parcel, in key order.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

import numpy as np
import shapely
from pyproj import Transformer

from datdai.kernel.crs import Tm3Zone
from datdai.kernel.model import Asset, AssetKind, Certificate, CertificateForm, Gender, PartyKind
from datdai.synth.communes import SHEET_MIX, CommunePlan, _split
from datdai.synth.config import REFERENCE_DATE
from datdai.synth.geometry import (
    SHEET_KINDS,
    build_sheet,
    pack_sheets,
    place_boxes,
    round_mm,
    translate,
)
from datdai.synth.population import REF_YEAR, Population

HALF = Decimal("0.5")
FORM_OWN = "Sử dụng riêng"
FORM_SHARED = "Sử dụng chung"
LONG_TERM = "Lâu dài"
NEW_SERIAL_FROM = date(2024, 8, 1)

# land use labels of private parcels by sheet kind: (label, weight)
PRIVATE_CODES: dict[str, tuple[tuple[str, float], ...]] = {
    "urban": (("ODT", 58), ("ODT+CLN", 20), ("CLN", 10), ("HNK", 6), ("NTS", 1)),
    "town": (("ODT", 40), ("ODT+CLN", 30), ("CLN", 18), ("HNK", 8), ("LUK", 2), ("NTS", 2)),
    "village": (("ONT+CLN", 48), ("ONT", 14), ("CLN", 26), ("HNK", 7), ("NTS", 3), ("LUK", 2)),
    "farm": (("CLN", 46), ("LUC", 10), ("LUK", 10), ("HNK", 18), ("NTS", 5), ("ONT+CLN", 4),
             ("RSX", 5)),
    "forest5": (("RSX", 80), ("CLN", 15), ("RPH", 5)),
    "forest10": (("RSX", 60), ("RPH", 40)),
}
RESIDENTIAL = ("ODT", "ONT")
AGRICULTURAL = frozenset({"LUC", "LUK", "LUN", "HNK", "BHK", "NHK", "CLN", "RSX", "RPH", "RDD",
                          "NTS", "NKH"})

ORIGIN_RESIDENTIAL = (
    ("Công nhận QSDĐ như giao đất có thu tiền sử dụng đất", 45),
    ("Nhận chuyển nhượng đất được Công nhận QSDĐ như giao đất có thu tiền sử dụng đất", 30),
    ("Nhận thừa kế đất được Công nhận QSDĐ như giao đất có thu tiền sử dụng đất", 10),
    ("Nhà nước giao đất có thu tiền sử dụng đất", 10),
    ("Nhận tặng cho đất được Công nhận QSDĐ như giao đất có thu tiền sử dụng đất", 5),
)
ORIGIN_AGRICULTURAL = (
    ("Công nhận QSDĐ như giao đất không thu tiền sử dụng đất", 50),
    ("Nhận chuyển nhượng đất được Công nhận QSDĐ như giao đất không thu tiền sử dụng đất", 30),
    ("Nhà nước giao đất không thu tiền sử dụng đất", 10),
    ("Nhận thừa kế đất được Công nhận QSDĐ như giao đất không thu tiền sử dụng đất", 10),
)
ORIGIN_LEASE = (("Nhà nước cho thuê đất trả tiền hằng năm", 60),
                ("Nhà nước cho thuê đất trả tiền một lần cho cả thời gian thuê", 40))
ORIGIN_STATE = "Nhà nước giao đất không thu tiền sử dụng đất"
ORIGIN_APARTMENT = "Nhà nước giao đất có thu tiền sử dụng đất"

_OLD_SERIES = (
    "AA", "AB", "AC", "AD", "AE", "AG", "AH", "AK", "AL", "AM", "AN", "AO", "AP", "BA", "BB",
    "BC", "BD", "BE", "BG", "BH", "BK", "BL", "BM", "BN", "BO", "BP", "BQ", "BR", "BS", "BT",
    "BU", "BV", "BX", "BY", "CA", "CB", "CC", "CD", "CE", "CG", "CH", "CI", "CK", "CL", "CM",
    "CN", "CO", "CP", "CQ", "CR", "CS", "CT", "CU", "CV", "CX", "CY", "DA", "DB", "DC", "DD",
    "DE", "DG", "DH", "DK", "DL",
)
_NEW_SERIES = ("AA", "AB")
_ISSUE_YEARS = tuple(range(1994, 2026))
_ISSUE_WEIGHTS = tuple(1 if y < 2000 else 3 if y < 2010 else 4 if y < 2020 else 3 if y < 2025
                       else 2 for y in _ISSUE_YEARS)
_COMPANY_WORDS = ("Thành Phát", "Hưng Thịnh", "Minh Long", "Tân Phát Đạt", "Phúc An", "Nam Việt",
                  "Trường Sơn", "Đại Lộc", "Hoàng Gia", "Sông Bé", "An Lộc", "Thiên Phú",
                  "Kim Long", "Phước Thành", "Bảo Châu", "Việt Thắng")
_COMPANY_FORMS = ("Công ty TNHH", "Công ty Cổ phần", "Công ty TNHH MTV", "Doanh nghiệp tư nhân")
_BUILDINGS = ("Phú Thịnh", "Hưng Thịnh Tower", "Tân Phú Residence", "Nhà ở xã hội Đồng Xoài",
              "Hoàng Anh", "Green Home")


@dataclass(slots=True)
class Org:
    party_id: str
    name: str
    role: str  # UBND / SCHOOL / HEALTH / COMPANY / BQL
    doc_type: str  # GPKD / KHAC
    doc_no: str
    address: str
    tax_code: str | None = None


@dataclass(slots=True)
class Recorded:
    """How the land office recorded a person (clean, then with noise)."""

    name: str
    gender: Gender
    birth_mode: str  # date / year / none
    birth: date
    doc_type: str  # CCCD / CMND / ""
    doc_no: str
    address: str

    @property
    def birth_text(self) -> str:
        if self.birth_mode == "date":
            return self.birth.strftime("%d/%m/%Y")
        if self.birth_mode == "year":
            return f"{self.birth.year:04d}"
        return ""


@dataclass(slots=True)
class PartyRec:
    party_id: str
    kind: PartyKind
    name: str  # as recorded for groups and organisations
    members: list[tuple[int, Decimal | None, str | None]]  # human idx, share, role
    org: Org | None = None
    family: int = -1


@dataclass(slots=True)
class HoldingRec:
    holding_id: str
    parcels: list[int]
    rights: list[tuple[str, Decimal | None, str]]  # party_id, share, form of use
    origin: str = ""
    term: str = ""
    term_end: date | None = None
    since: date | None = None  # allocation / recognition date
    certificate: Certificate | None = None
    assets: list[Asset] = field(default_factory=list)
    apartment: bool = False
    new_admin: bool = False  # stored with the 2025 admin names
    dropped: bool = False  # removed by noise (MISSING_IN_REGISTER)


@dataclass(slots=True)
class Sheet:
    commune: int
    sheet_no: int
    kind: str
    scale: int
    village: str


class Land:
    """Parcels (columns) and everything attached to them."""

    def __init__(self) -> None:
        self.sheets: list[Sheet] = []
        self.commune = np.zeros(0, dtype=np.int64)
        self.sheet = np.zeros(0, dtype=np.int64)  # index into self.sheets
        self.number = np.zeros(0, dtype=np.int64)
        self.geom = np.zeros(0, dtype=object)
        self.road = np.zeros(0, dtype=bool)
        self.corners = np.zeros(0, dtype=np.int64)
        self.area = np.zeros(0)
        self.codes: list[str] = []
        self.address: list[str] = []
        self.role: list[str] = []
        self.label_owner: list[str] = []
        self.holdings_of: list[list[int]] = []
        self.orgs: list[Org] = []
        self.parties: dict[str, PartyRec] = {}
        self.person_party: dict[int, str] = {}
        self.recorded: dict[str, Recorded] = {}
        self.holdings: list[HoldingRec] = []

    def __len__(self) -> int:
        return len(self.number)

    def sheet_no(self, i: int) -> int:
        return self.sheets[self.sheet[i]].sheet_no

    def scale(self, i: int) -> int:
        return self.sheets[self.sheet[i]].scale

    def kind(self, i: int) -> str:
        return self.sheets[self.sheet[i]].kind


# ----------------------------------------------------------------------------------------
# parcels
# ----------------------------------------------------------------------------------------
def build_parcels(plans: list[CommunePlan], zone: Tm3Zone, nrng: np.random.Generator,
                  rng: random.Random, land: Land) -> None:
    to_zone = Transformer.from_crs("EPSG:4326", zone.crs_input(), always_xy=True)
    per_commune = []
    footprints = []
    for plan in plans:
        mix = SHEET_MIX[plan.klass]
        kinds = [k for k in mix]
        n_k = _split(plan.n_parcels, [mix[k] for k in kinds])
        jobs: list[tuple[str, int]] = []
        for kname, n in zip(kinds, n_k):
            if n <= 0:
                continue
            kind = SHEET_KINDS[kname]
            per = (kind.target[0] + kind.target[1]) / 2
            s = max(1, int(round(n / per)))
            jobs += [(kname, m) for m in _split(n, [1.0] * s) if m > 0]
        rng.shuffle(jobs)
        sheets = [build_sheet(nrng, SHEET_KINDS[kname], m) for kname, m in jobs]
        offsets, w, h = pack_sheets([(s.width, s.height) for s in sheets], gap=40.0)
        per_commune.append((sheets, offsets))
        footprints.append((w, h))
    centers = np.array([to_zone.transform(p.lon, p.lat) for p in plans])
    sizes = np.array(footprints)
    corners = place_boxes(centers, sizes, margin=150.0)

    geoms, commune, sheet_idx, number, road, ncorner = [], [], [], [], [], []
    shifts = []
    for ci, ((sheets, offsets), origin) in enumerate(zip(per_commune, corners)):
        plan = plans[ci]
        for si, (s, off) in enumerate(zip(sheets, offsets)):
            village = rng.choice(plan.place.villages)
            land.sheets.append(Sheet(ci, si + 1, s.kind.name, s.scale, village))
            n = len(s.geoms)
            geoms.append(s.geoms)
            shifts.append(np.repeat((origin + off)[None, :], n, axis=0))
            commune.append(np.full(n, ci))
            sheet_idx.append(np.full(n, len(land.sheets) - 1))
            number.append(np.arange(1, n + 1))
            road.append(s.is_road)
            ncorner.append(s.corners)
    g = translate(np.concatenate(geoms), np.concatenate(shifts))
    # round to the millimetre, as cadastral software stores them; keeps shared vertices shared
    land.geom = round_mm(g)
    land.commune = np.concatenate(commune)
    land.sheet = np.concatenate(sheet_idx)
    land.number = np.concatenate(number)
    land.road = np.concatenate(road)
    land.corners = np.concatenate(ncorner)
    land.area = shapely.area(land.geom)


def assign_land_use(plans: list[CommunePlan], nrng: np.random.Generator, rng: random.Random,
                    land: Land) -> None:
    n = len(land)
    codes = np.empty(n, dtype=object)
    role = np.full(n, "", dtype=object)
    kinds = np.array([s.kind for s in land.sheets], dtype=object)[land.sheet]
    for kname, table in PRIVATE_CODES.items():
        idx = np.nonzero((kinds == kname) & ~land.road)[0]
        if len(idx):
            labels = np.array([c for c, _ in table], dtype=object)
            w = np.array([w for _, w in table], dtype=float)
            codes[idx] = labels[nrng.choice(len(labels), size=len(idx), p=w / w.sum())]
    roads = np.nonzero(land.road)[0]
    canal = (kinds[roads] == "farm") & (nrng.random(len(roads)) < 0.3)
    codes[roads] = np.where(canal, "DTL", "DGT")
    role[roads] = "UBND"
    # companies: shops and workshops in towns, plantations in the forest
    u = nrng.random(n)
    built = np.isin(kinds, ["urban", "town"]) & ~land.road
    comp = built & (u < 0.025)
    codes[comp] = np.where(nrng.random(int(comp.sum())) < 0.7, "TMD", "SKC")
    role[comp] = "COMPANY"
    forest = np.isin(kinds, ["forest5", "forest10"])
    role[forest & (codes == "RSX") & (u < 0.35)] = "COMPANY"
    role[forest & (codes == "RPH") & (u < 0.6)] = "BQL"
    # public buildings of each commune
    for ci in range(len(plans)):
        cand = np.nonzero((land.commune == ci) & np.isin(kinds, ["urban", "town", "village"])
                          & ~land.road & (role == ""))[0]
        if len(cand) == 0:
            cand = np.nonzero((land.commune == ci) & ~land.road & (role == ""))[0]
        picks = nrng.permutation(cand)[: 4]
        for j, (code, r) in enumerate((("TSC", "UBND"), ("DGD", "SCHOOL"), ("DYT", "HEALTH"),
                                       ("DGD", "SCHOOL"))):
            if j < len(picks):
                codes[picks[j]] = code
                role[picks[j]] = r
    # one apartment building in the first urban ward
    wards = [ci for ci, p in enumerate(plans) if p.klass == "phuong"]
    if wards:
        cand = np.nonzero((land.commune == wards[0]) & (kinds == "urban") & ~land.road
                          & (role == ""))[0]
        if len(cand):
            b = cand[np.argmax(land.area[cand])]
            codes[b] = "ODT"
            role[b] = "APARTMENT"
    land.codes = codes.tolist()
    land.role = role.tolist()
    # addresses
    addr = []
    for i in range(n):
        plan = plans[land.commune[i]]
        sh = land.sheets[land.sheet[i]]
        village = sh.village
        if plan.streets and sh.kind in ("urban", "town"):
            street = plan.streets[(sh.sheet_no + int(land.number[i]) // 40) % len(plan.streets)]
            village = f"{street}, {village}"
        addr.append(plan.place.new_address(village) if rng.random() < 0.2
                    else plan.place.old_address(village))
    land.address = addr
    land.holdings_of = [[] for _ in range(n)]
    land.label_owner = [""] * n


# ----------------------------------------------------------------------------------------
# land users, holdings, rights, assets, certificates
# ----------------------------------------------------------------------------------------
class Registry:
    """Creates parties and holdings with stable, sequential identifiers."""

    def __init__(self, land: Land, pop: Population, plans: list[CommunePlan],
                 rng: random.Random, province_code: str, province_name: str) -> None:
        self.land, self.pop, self.plans, self.rng = land, pop, plans, rng
        self.province_code = province_code
        self.province_name = province_name
        self.ids = pop.ids
        self._n_party = self.ids.parties
        self._couple: dict[int, str] = {}
        self._household: dict[int, str] = {}
        self._serials = self.ids.serials
        self._entries: dict[tuple[int, str], int] = {}
        self._gpkd = self.ids.gpkd

    # -- parties --------------------------------------------------------------------------
    def _pid(self, prefix: str) -> str:
        self._n_party[prefix] += 1
        return f"{prefix}{self._n_party[prefix]:06d}"

    def person(self, h: int) -> str:
        pid = self.land.person_party.get(h)
        if pid is not None:
            return pid
        pid = self._pid("CN")
        hum = self.pop.humans[h]
        self.land.person_party[h] = pid
        self.land.parties[pid] = PartyRec(pid, PartyKind.PERSON, hum.name, [(h, None, None)])
        rng = self.rng
        u = rng.random()
        mode = "date" if u < 0.45 else "year" if u < 0.9 else "none"
        fam = self.pop.families[hum.family]
        place = self.pop.places[hum.place]
        address = (place.new_address(fam.village) if rng.random() < 0.3
                   else place.old_address(fam.village))
        self.land.recorded[pid] = Recorded(name=hum.name, gender=hum.gender, birth_mode=mode,
                                           birth=hum.birth, doc_type="CCCD", doc_no=hum.cccd,
                                           address=address)
        return pid

    def couple(self, f: int) -> str:
        pid = self._couple.get(f)
        if pid is not None:
            return pid
        fam = self.pop.families[f]
        H = self.pop.humans
        a, b = fam.head, H[fam.head].spouse
        husband, wife = (a, b) if H[a].gender == Gender.MALE else (b, a)
        self.person(husband)
        self.person(wife)
        pid = self._pid("VC")
        self._couple[f] = pid
        self.land.parties[pid] = PartyRec(
            pid, PartyKind.COUPLE, f"Ông {H[husband].name} và bà {H[wife].name}",
            [(husband, HALF, "chong"), (wife, HALF, "vo")], family=f)
        return pid

    def household(self, f: int) -> str:
        pid = self._household.get(f)
        if pid is not None:
            return pid
        fam = self.pop.families[f]
        H = self.pop.humans
        head = fam.head
        members: list[tuple[int, Decimal | None, str | None]] = [(head, None, "chu_ho")]
        second = H[head].spouse
        role2 = "vo" if H[head].gender == Gender.MALE else "chong"
        if second is None:
            kids = self.adult_children(f)
            second, role2 = (kids[0], "con") if kids else (None, None)
        if second is not None:
            members = [(head, HALF, "chu_ho"), (second, HALF, role2)]
        for m, _, _ in members:
            self.person(m)
        pid = self._pid("HGD")
        self._household[f] = pid
        title = "Hộ ông" if H[head].gender == Gender.MALE else "Hộ bà"
        self.land.parties[pid] = PartyRec(pid, PartyKind.HOUSEHOLD, f"{title} {H[head].name}",
                                          members, family=f)
        return pid

    def adult_children(self, f: int) -> list[int]:
        fam = self.pop.families[f]
        H = self.pop.humans
        return [m for m in fam.members
                if (H[m].father == fam.head or H[m].mother == fam.head)
                and REF_YEAR - H[m].birth.year >= 20]

    def org(self, name: str, role: str, address: str, company: bool) -> Org:
        pid = self._pid("TC")
        if company:
            while True:
                code = f"38{self.rng.randrange(10**8):08d}"
                if code not in self._gpkd:
                    self._gpkd.add(code)
                    break
            o = Org(pid, name, role, "GPKD", code, address, tax_code=code)
        else:
            o = Org(pid, name, role, "KHAC", f"1{self.rng.randrange(10**6):06d}", address)
        self.land.orgs.append(o)
        self.land.parties[pid] = PartyRec(pid, PartyKind.ORGANISATION, name, [], org=o)
        return o

    # -- the land users of a holding -------------------------------------------------------
    def users_for_family(self, f: int, farm: bool) -> list[tuple[str, Decimal | None, str]]:
        fam = self.pop.families[f]
        H = self.pop.humans
        rng = self.rng
        head = fam.head
        spouse = H[head].spouse
        u = rng.random()
        if spouse is not None:
            hh = 0.35 if farm else 0.2
            if u < 0.35:
                return [(self.person(head), None, FORM_OWN)]
            if u < 0.45:
                return [(self.person(spouse), None, FORM_OWN)]
            if u < 0.75:
                return [(self.couple(f), None, FORM_OWN)]
            if u < 0.75 + hh:
                return [(self.household(f), None, FORM_OWN)]
            kids = self.adult_children(f)
            if kids:
                return [(self.person(head), HALF, FORM_SHARED),
                        (self.person(kids[0]), HALF, FORM_SHARED)]
            return [(self.couple(f), None, FORM_OWN)]
        if u < 0.12:
            return [(self.household(f), None, FORM_OWN)]
        return [(self.person(head), None, FORM_OWN)]

    # -- holdings -------------------------------------------------------------------------
    def holding(self, parcels: list[int], users: list[tuple[str, Decimal | None, str]],
                apartment: bool = False) -> HoldingRec:
        hid = f"TH{self.ids.holdings + len(self.land.holdings) + 1:07d}"
        h = HoldingRec(hid, list(parcels), list(users), apartment=apartment)
        self.land.holdings.append(h)
        for p in parcels:
            self.land.holdings_of[p].append(len(self.land.holdings) - 1)
        return h

    def _issue_date(self) -> date:
        rng = self.rng
        year = rng.choices(_ISSUE_YEARS, weights=_ISSUE_WEIGHTS)[0]
        start = date(year, 1, 1).toordinal()
        end = min(date(year, 12, 31), REFERENCE_DATE).toordinal() - 1
        return date.fromordinal(start + rng.randrange(max(1, end - start)))

    def _serial(self, d: date) -> tuple[str, CertificateForm]:
        rng = self.rng
        while True:
            if d >= NEW_SERIAL_FROM:
                s = f"{rng.choice(_NEW_SERIES)}{rng.randrange(10**8):08d}"
                form = CertificateForm.NEW
            else:
                i = min(len(_OLD_SERIES) - 1, (d.year - 1994) * 2 + (d.month > 6))
                s = f"{_OLD_SERIES[i]}{rng.randrange(10**6):06d}"
                form = CertificateForm.OLD
            if s not in self._serials:
                self._serials.add(s)
                return s, form

    def _issuer(self, d: date, commune: int, organisation: bool) -> tuple[str, str]:
        """(issuing body, register entry prefix)."""
        plan = self.plans[commune]
        prov = self.province_name
        if d >= date(2025, 7, 1):
            return f"Sở Nông nghiệp và Môi trường {_lower_kind(plan.place.new_province)}", "CS"
        if d >= date(2025, 3, 1):
            return f"Sở Nông nghiệp và Môi trường {_lower_kind(prov)}", "CS"
        if organisation:
            return (f"UBND {_lower_kind(prov)}", "CT") if d < date(2015, 1, 1) else \
                (f"Sở Tài nguyên và Môi trường {_lower_kind(prov)}", "CT")
        if d >= date(2015, 1, 1) and self.rng.random() < 0.5:
            return f"Sở Tài nguyên và Môi trường {_lower_kind(prov)}", "CS"
        return f"UBND {_lower_kind(plan.place.district)}", "CH"

    def certify(self, h: HoldingRec, p_issue: float, organisation: bool) -> None:
        rng = self.rng
        since = self._issue_date()
        h.since = since
        commune = int(self.land.commune[h.parcels[0]])
        if rng.random() < p_issue:
            serial, form = self._serial(since)
            issuer, prefix = self._issuer(since, commune, organisation)
            key = (commune, prefix)
            self._entries[key] = self._entries.get(key, 0) + 1
            h.certificate = Certificate(serial=serial, form=form, holding_id=h.holding_id,
                                        issue_date=since, issuer=issuer,
                                        register_entry=f"{prefix}{self._entries[key]:05d}")
        h.new_admin = since >= date(2025, 7, 1) or rng.random() < 0.15

    def asset(self, h: HoldingRec, parcel: int | None, kind: AssetKind, **kw) -> Asset:
        self.ids.assets += 1
        key = None
        if parcel is not None:
            key = (self.plans[self.land.commune[parcel]].code, self.land.sheet_no(parcel),
                   int(self.land.number[parcel]))
        a = Asset(asset_id=f"TS{self.ids.assets:07d}", holding_id=h.holding_id, parcel_key=key,
                  kind=kind, **kw)
        h.assets.append(a)
        return a


def _lower_kind(name: str) -> str:
    """"Tỉnh Bình Phước" → "tỉnh Bình Phước", "Huyện Hớn Quản" → "huyện Hớn Quản"."""
    for kind in ("Thành phố", "Thị xã", "Thị trấn", "Huyện", "Quận", "Tỉnh", "Phường", "Xã"):
        if name.startswith(kind + " "):
            return kind.lower() + name[len(kind):]
    return name


def _term_for(codes: str, since: date, lease: bool, state: bool) -> tuple[str, date | None]:
    if state:
        return LONG_TERM, None
    parts = codes.split("+")
    end = _add_years(since, 50)
    end_text = f"đến {end.strftime('%d/%m/%Y')}"
    if lease:
        return end_text, end
    has_res = any(c in RESIDENTIAL for c in parts)
    has_agri = any(c in AGRICULTURAL for c in parts)
    if has_res and has_agri:
        return f"Đất ở: Lâu dài; Đất nông nghiệp: {end_text}", end
    if has_res or not has_agri:
        return LONG_TERM, None
    return end_text, end


def _add_years(d: date, years: int) -> date:
    try:
        return d.replace(year=d.year + years)
    except ValueError:  # 29 February
        return d.replace(year=d.year + years, day=28)


def build_holdings(plans: list[CommunePlan], land: Land, pop: Population, reg: Registry,
                   rng: random.Random, n_parcels: int) -> None:
    """Owners for every parcel: families (new or already owning nearby), organisations, and
    the apartments of the apartment building."""
    H = pop.humans
    # organisations per commune / district / province
    ubnd, school, health, bql = {}, {}, {}, {}
    for ci, plan in enumerate(plans):
        pl = plan.place
        short = pl.name.split(" ", 1)[1] if " " in pl.name else pl.name
        addr = pl.old_address()
        ubnd[ci] = reg.org(f"UBND {_lower_kind(pl.name)}", "UBND", addr, False)
        level = "Tiểu học" if rng.random() < 0.6 else "THCS"
        school[ci] = [reg.org(f"Trường {level} {short}", "SCHOOL", addr, False),
                      reg.org(f"Trường Mầm non {short}", "SCHOOL", addr, False)]
        health[ci] = reg.org(f"Trạm Y tế {_lower_kind(pl.name)}", "HEALTH", addr, False)
    companies = []
    n_comp = max(3, len(plans) // 2 + 2)
    words = rng.sample(_COMPANY_WORDS, min(n_comp, len(_COMPANY_WORDS)))
    for w in words:
        ci = rng.randrange(len(plans))
        companies.append(reg.org(f"{rng.choice(_COMPANY_FORMS)} {w}", "COMPANY",
                                 plans[ci].place.old_address(), True))

    n = len(land)
    order = np.lexsort((land.number, land.sheet, land.commune))
    for i in order:
        i = int(i)
        ci = int(land.commune[i])
        role = land.role[i]
        kind = land.kind(i)
        plan = plans[ci]
        if role == "APARTMENT":
            continue
        if role:
            if role == "UBND":
                org = ubnd[ci]
            elif role == "SCHOOL":
                org = school[ci][0]
                school[ci] = school[ci][::-1]  # the next school parcel goes to the other
            elif role == "HEALTH":
                org = health[ci]
            elif role == "BQL":
                dist = plan.place.district
                if dist not in bql:
                    dshort = dist.split(" ", 1)[1] if " " in dist else dist
                    bql[dist] = reg.org(f"Ban quản lý rừng phòng hộ {dshort}", "BQL",
                                        plan.place.old_address(), False)
                org = bql[dist]
            else:
                org = companies[rng.randrange(len(companies))]
            h = reg.holding([i], [(org.party_id, None, FORM_OWN)])
            state = role != "COMPANY"
            h.origin = ORIGIN_STATE if state else _pick(rng, ORIGIN_LEASE)
            reg.certify(h, 0.0 if land.road[i] else 0.6 if state else 0.95, organisation=True)
            h.term, h.term_end = _term_for(land.codes[i], h.since, lease=not state, state=state)
            if not land.road[i] and rng.random() < 0.8:
                land.label_owner[i] = org.name
            _org_construction(reg, land, h, i, role, rng)
            continue
        # private parcel: join the previous parcel's holding, an existing family, or a new one
        prev = i - 1
        if (kind in ("village", "farm") and prev >= 0 and land.sheet[prev] == land.sheet[i]
                and land.role[prev] == "" and land.holdings_of[prev]
                and rng.random() < 0.04):
            h = land.holdings[land.holdings_of[prev][0]]
            if len(h.parcels) == 1 and not h.apartment:
                h.parcels.append(i)
                land.holdings_of[i].append(land.holdings_of[prev][0])
                land.label_owner[i] = land.label_owner[prev]
                continue
        fams = pop.owner_families_by_place[ci]
        p_existing = 0.15 if kind in ("urban", "town", "village") else 0.65
        if fams and rng.random() < p_existing:
            f = rng.choice(fams)
        else:
            f = pop.family(ci, village=land.sheets[land.sheet[i]].village, owner=True)
        users = reg.users_for_family(f, farm=kind in ("farm", "forest5", "forest10"))
        h = reg.holding([i], users)
        _private_rights(reg, land, h, i, rng)
        first = reg.land.parties[users[0][0]]
        if rng.random() < 0.9:
            land.label_owner[i] = H[first.members[0][0]].name
    # the apartment building: one holding per apartment, land used in common
    blds = [i for i in range(n) if land.role[i] == "APARTMENT"]
    for b in blds:
        ci = int(land.commune[b])
        n_apt = max(8, int(round(0.004 * n_parcels)))
        bname = f"Chung cư {rng.choice(_BUILDINGS)}"
        floors = max(5, min(20, n_apt // 6 + 3))
        n_apt = min(n_apt, (floors - 1) * 12)  # floors 2.. × 12 units a floor: no more exist
        units: list[tuple[int, int]] = []
        while len(units) < n_apt:
            fl = rng.randint(2, floors)
            un = rng.randint(1, 12)
            if (fl, un) not in units:
                units.append((fl, un))
        units.sort()
        for fl, un in units:
            head_year = REF_YEAR - int(rng.triangular(25, 70, 38))
            f = pop.family(ci, village=land.sheets[land.sheet[b]].village, head_year=head_year,
                           owner=True)
            fam = pop.families[f]
            if H[fam.head].spouse is not None and rng.random() < 0.5:
                users = [(reg.couple(f), None, FORM_SHARED)]
            else:
                users = [(reg.person(fam.head), None, FORM_SHARED)]
            h = reg.holding([b], users, apartment=True)
            h.origin = ORIGIN_APARTMENT
            reg.certify(h, 0.9, organisation=False)
            h.term, h.term_end = LONG_TERM, None
            area = round(rng.uniform(45, 95), 1)
            reg.asset(h, b, AssetKind.APARTMENT, house_type="Căn hộ chung cư",
                      building_name=bname, apartment_no=f"A-{fl:02d}{un:02d}", floor_area=area,
                      construction_area=area, floors=floors,
                      grade="Cấp 2" if floors >= 8 else "Cấp 3", ownership_form="Sở hữu riêng",
                      ownership_term=LONG_TERM if rng.random() < 0.8 else "50 năm",
                      shared_parts="Hành lang, cầu thang, thang máy")
        land.label_owner[b] = ""


def _pick(rng: random.Random, table) -> str:
    return rng.choices([t for t, _ in table], weights=[w for _, w in table])[0]


def _private_rights(reg: Registry, land: Land, h: HoldingRec, i: int, rng: random.Random) -> None:
    codes = land.codes[i]
    parts = codes.split("+")
    residential = any(c in RESIDENTIAL for c in parts)
    h.origin = _pick(rng, ORIGIN_RESIDENTIAL if residential else ORIGIN_AGRICULTURAL)
    reg.certify(h, 0.94, organisation=False)
    h.term, h.term_end = _term_for(codes, h.since, lease=False, state=False)
    kind = land.kind(i)
    area = float(land.area[i])
    if residential and rng.random() < (0.85 if "ODT" in parts else 0.7):
        urban = kind in ("urban", "town")
        floors = rng.choices((1, 2, 3, 4), weights=(35, 35, 20, 10) if urban
                             else (85, 12, 3, 0))[0]
        built = round(min(area * rng.uniform(0.35, 0.8), 250.0), 1)
        two_owners = len(h.rights) > 1 or reg.land.parties[h.rights[0][0]].kind in (
            PartyKind.COUPLE, PartyKind.HOUSEHOLD)
        reg.asset(h, i, AssetKind.HOUSE, house_type="Nhà ở riêng lẻ",
                  floor_area=round(built * floors * rng.uniform(0.9, 1.0), 1),
                  construction_area=built, floors=floors,
                  grade="Cấp 4" if floors == 1 else "Cấp 3",
                  ownership_form="Sở hữu chung" if two_owners else "Sở hữu riêng",
                  ownership_term=LONG_TERM)
    elif kind == "farm" and rng.random() < 0.06:
        built = round(min(area * rng.uniform(0.02, 0.1), 300.0), 1)
        reg.asset(h, i, AssetKind.CONSTRUCTION,
                  house_type=rng.choice(("Nhà kho", "Chuồng trại chăn nuôi", "Nhà bảo vệ")),
                  construction_area=built, floor_area=built, floors=1, grade="Cấp 4",
                  ownership_form="Sở hữu riêng", ownership_term=LONG_TERM)


def _org_construction(reg: Registry, land: Land, h: HoldingRec, i: int, role: str,
                      rng: random.Random) -> None:
    names = {"UBND": "Trụ sở làm việc", "SCHOOL": "Nhà lớp học", "HEALTH": "Nhà trạm y tế",
             "COMPANY": "Nhà xưởng"}
    if land.road[i] or role not in names or land.codes[i] in ("RSX", "RPH"):
        return
    if role == "COMPANY" and rng.random() > 0.7:
        return
    area = float(land.area[i])
    floors = rng.choice((1, 2, 3))
    built = round(min(area * rng.uniform(0.3, 0.6), 2000.0), 1)
    reg.asset(h, i, AssetKind.CONSTRUCTION, house_type=names[role], construction_area=built,
              floor_area=round(built * floors, 1), floors=floors,
              grade="Cấp 4" if floors == 1 else "Cấp 3",
              ownership_form="Sở hữu riêng", ownership_term=h.term or LONG_TERM)
