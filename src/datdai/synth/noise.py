"""Injecting the defects of real land data, each recorded with its ground truth.

Every noise type takes exactly ``round(rate × base)`` targets from its eligible base (see
:data:`datdai.synth.config.NOISE_TYPES`). Targets are exclusive within a family of types,
so that each defect can be checked alone:

* parcel types: a parcel carries at most one parcel defect; the neighbours that a shifted
  parcel (OVERLAP, OVERLAP_SLIVER) overlaps are kept free of geometry defects;
* owner types: a person carries at most one identity-document defect, one name defect, and
  one population defect (absent, or a same-name relative).

When the requested count cannot be met (rates too high for the exclusivity rules), a
``ValueError`` names the type.
"""

from __future__ import annotations

import math
import random
from dataclasses import dataclass, field

import numpy as np
import shapely

from datdai.kernel.landuse import catalog
from datdai.kernel.legacy import encode_tcvn3, encode_vni
from datdai.kernel.model import Gender
from datdai.kernel.text import strip_diacritics
from datdai.synth.config import NOISE_BY_NAME, NoiseConfig, noise_count
from datdai.synth.geometry import round_mm
from datdai.synth.land import Land
from datdai.synth.names import NameGenerator
from datdai.synth.population import REF_YEAR, Population

NOISE_COLUMNS = ("noise_type", "target", "ma_xa", "so_to", "so_thua", "party_id", "ma_dong",
                 "field", "clean_value", "noisy_value", "ma_loi", "note")

_LANDUSE_SWAP = {
    "ODT": "ODT+CLN", "ODT+CLN": "ODT", "ONT": "ONT+CLN", "ONT+CLN": "ONT", "CLN": "HNK",
    "HNK": "CLN", "LUC": "LUK", "LUK": "LUC", "NTS": "LUK", "RSX": "RPH", "RPH": "RSX",
    "TMD": "SKC", "SKC": "TMD", "TSC": "DGD", "DGD": "TSC", "DYT": "TSC",
}


def tolerance(area: float, scale: int) -> float:
    """Permitted area error ΔP = 2 × 0.0002 × M × √P (REFERENCE.md §8)."""
    return 2 * 0.0002 * scale * math.sqrt(max(area, 0.0))


@dataclass(slots=True)
class MapState:
    geom: np.ndarray
    present: np.ndarray  # bool
    area_label: np.ndarray  # float, m², one decimal
    landuse_label: list[str]
    owner_label: list[str]
    duplicates: list[int] = field(default_factory=list)


@dataclass(slots=True)
class RegisterState:
    area: np.ndarray
    codes: list[str]
    present: np.ndarray  # bool


@dataclass(slots=True)
class NoiseOutcome:
    map: MapState
    register: RegisterState
    rows: list[dict[str, str]]  # noise.csv rows (ma_dong filled at render time)
    base: dict[str, int]  # eligible base per noise type
    by_person: dict[int, list[str]]  # human idx → noise types on that owner
    owners: list[int]  # owner persons (humans with register rows), in order of appearance


class _Picker:
    def __init__(self, nrng: np.random.Generator) -> None:
        self.nrng = nrng

    def order(self, candidates: list[int] | np.ndarray) -> list[int]:
        c = np.asarray(candidates, dtype=np.int64)
        return c[self.nrng.permutation(len(c))].tolist()


def _need(noise_type: str, got: int, want: int) -> None:
    if got < want:
        raise ValueError(
            f"không đủ đối tượng cho nhiễu {noise_type}: cần {want}, chỉ có {got} "
            f"/ not enough eligible targets (lower the rate)")


def inject(land: Land, pop: Population, plans, cfg: NoiseConfig, nrng: np.random.Generator,
           rng: random.Random, names: NameGenerator) -> NoiseOutcome:
    n = len(land)
    m = MapState(geom=land.geom.copy(), present=np.ones(n, dtype=bool),
                 area_label=np.round(land.area, 1), landuse_label=list(land.codes),
                 owner_label=list(land.label_owner))
    reg = RegisterState(area=np.round(land.area, 1), codes=list(land.codes),
                        present=np.ones(n, dtype=bool))
    rows: list[dict[str, str]] = []
    base: dict[str, int] = {}
    pick = _Picker(nrng)
    taken = np.zeros(n, dtype=bool)
    locked = np.zeros(n, dtype=bool)  # no geometry defect here (a shifted neighbour overlaps it)
    apartment = np.array([r == "APARTMENT" for r in land.role])
    scale = np.array([s.scale for s in land.sheets])[land.sheet]

    def key(i: int) -> tuple[str, str, str]:
        return plans[land.commune[i]].code, str(land.sheet_no(i)), str(int(land.number[i]))

    def record(nt: str, i: int | None = None, *, fld: str, clean: str, noisy: str,
               party_id: str = "", note: str = "", human: int | None = None) -> None:
        t = NOISE_BY_NAME[nt]
        ma_xa, so_to, so_thua = key(i) if i is not None else ("", "", "")
        row = dict(noise_type=nt, target=t.target, ma_xa=ma_xa, so_to=so_to, so_thua=so_thua,
                   party_id=party_id, ma_dong="", field=fld, clean_value=clean,
                   noisy_value=noisy, ma_loi=t.rule, note=note)
        if human is not None:
            row["_human"] = str(human)
        rows.append(row)

    def parcel_type(nt: str, eligible: np.ndarray, apply, geometry: bool = False) -> None:
        idx = np.nonzero(eligible)[0]
        base[nt] = len(idx)
        want = noise_count(cfg.rate(nt), len(idx))
        if want == 0:
            return
        free = idx[~taken[idx] & ~locked[idx]] if geometry else idx[~taken[idx]]
        got = 0
        for i in pick.order(free):
            if got == want:
                break
            if taken[i] or (geometry and locked[i]):
                continue
            if apply(i):
                taken[i] = True
                got += 1
        _need(nt, got, want)

    quad = (land.corners == 4) & ~land.road & ~apartment
    tree = shapely.STRtree(land.geom)

    # --- geometry: shifted parcels -------------------------------------------------------
    def shift(nt: str, lo: float, hi: float):
        """Move a parcel towards its longest-shared-edge neighbour (area kept, so the defect
        is the overlap and the gap it leaves, not an area mismatch)."""
        def apply(i: int) -> bool:
            g = m.geom[i]
            near = tree.query(g, predicate="intersects")
            near = near[near != i]
            if len(near) == 0:
                return False
            shared = shapely.length(shapely.intersection(g.boundary, m.geom[near]))
            if shared.max() <= 0:
                return False
            nb = int(near[int(np.argmax(shared))])
            c0 = shapely.get_coordinates(shapely.centroid(g))[0]
            c1 = shapely.get_coordinates(shapely.centroid(m.geom[nb]))[0]
            d = c1 - c0
            d /= np.hypot(*d)
            coords = shapely.get_coordinates(g)
            shortest = float(np.hypot(*np.diff(coords, axis=0).T).min())
            if nt == "OVERLAP":
                dist = max(float(nrng.uniform(lo, hi)) * shortest, 1.0)
            else:
                dist = float(nrng.uniform(lo, hi))
            moved = round_mm(shapely.transform(g, lambda c: c + d * dist))
            cand = tree.query(shapely.buffer(moved, dist + 1.0))
            cand = cand[cand != i]
            inter = shapely.area(shapely.intersection(moved, m.geom[cand]))
            sel = inter > 1e-6
            hits, inter = cand[sel], inter[sel]
            if len(hits) == 0 or taken[hits].any() or not m.present[hits].all():
                return False
            if nt == "OVERLAP" and inter.max() < 1.0:
                return False
            m.geom[i] = moved
            locked[hits] = True
            locked[i] = True
            partners = ";".join(f"{'/'.join(key(int(h)))}:{a:.4f}" for h, a in zip(hits, inter))
            record(nt, i, fld="geometry", clean="", noisy=partners, note=f"shift={dist:.3f}m")
            return True
        return apply

    parcel_type("OVERLAP", quad, shift("OVERLAP", 0.12, 0.25), geometry=True)
    parcel_type("OVERLAP_SLIVER", quad, shift("OVERLAP_SLIVER", 0.01, 0.04), geometry=True)

    def bowtie(i: int) -> bool:
        c = shapely.get_coordinates(m.geom[i])[:4]
        bad = shapely.polygons(np.array([c[0], c[2], c[1], c[3], c[0]]))
        m.geom[i] = bad
        record("GEOM_BOWTIE", i, fld="geometry", clean="", noisy=shapely.is_valid_reason(bad))
        return True

    def degenerate(i: int) -> bool:
        c = shapely.get_coordinates(m.geom[i])[:4]
        # collapsed: out along two edges and back the same way, zero area
        bad = shapely.polygons(np.array([c[0], c[1], c[2], c[1], c[0]]))
        m.geom[i] = bad
        record("GEOM_DEGENERATE", i, fld="geometry", clean="",
               noisy=shapely.is_valid_reason(bad))
        return True

    parcel_type("GEOM_BOWTIE", quad, bowtie, geometry=True)
    parcel_type("GEOM_DEGENERATE", quad, degenerate, geometry=True)

    def duplicate(i: int) -> bool:
        m.duplicates.append(i)
        locked[i] = True
        so_thua = key(i)[2]
        record("DUPLICATE_PARCEL", i, fld="so_thua", clean=so_thua, noisy=so_thua,
               note="features=2")
        return True

    def missing_map(i: int) -> bool:
        m.present[i] = False
        record("MISSING_IN_MAP", i, fld="geometry", clean="polygon", noisy="")
        return True

    parcel_type("DUPLICATE_PARCEL", ~apartment, duplicate, geometry=True)
    parcel_type("MISSING_IN_MAP", ~apartment, missing_map, geometry=True)

    alone = np.array([len(hs) == 1 and land.holdings[hs[0]].parcels == [i]
                      for i, hs in enumerate(land.holdings_of)])

    def missing_register(i: int) -> bool:
        land.holdings[land.holdings_of[i][0]].dropped = True
        reg.present[i] = False
        record("MISSING_IN_REGISTER", i, fld="row", clean="register row", noisy="")
        return True

    parcel_type("MISSING_IN_REGISTER", alone & ~apartment, missing_register)

    # --- map vs register attributes ------------------------------------------------------
    both = ~apartment  # base; parcels missing on one side are already taken

    def area_noise(nt: str, lo: float, hi: float):
        def apply(i: int) -> bool:
            p = float(land.area[i])
            tol = tolerance(p, int(scale[i]))
            k = float(nrng.uniform(lo, hi))
            sign = 1 if nrng.random() < 0.5 or p - k * tol <= 1 else -1
            noisy = round(p + sign * k * tol, 1)
            clean = round(p, 1)
            diff = abs(noisy - p)
            if nt == "AREA_MISMATCH" and diff <= tol * 1.2:
                return False
            if nt == "AREA_WITHIN_TOLERANCE" and (diff >= tol * 0.9 or noisy == clean):
                return False
            reg.area[i] = noisy
            record(nt, i, fld="dien_tich", clean=f"{clean:.1f}", noisy=f"{noisy:.1f}",
                   note=f"computed={p:.2f};tolerance={tol:.2f};scale={int(scale[i])}")
            return True
        return apply

    parcel_type("AREA_MISMATCH", both, area_noise("AREA_MISMATCH", 1.5, 6.0))
    parcel_type("AREA_WITHIN_TOLERANCE", both, area_noise("AREA_WITHIN_TOLERANCE", 0.2, 0.7))

    plain = ~land.road & ~apartment

    def landuse_mismatch(i: int) -> bool:
        clean = m.landuse_label[i]
        noisy = _LANDUSE_SWAP.get(clean)
        if noisy is None or not m.present[i] or not reg.present[i]:
            return False
        m.landuse_label[i] = noisy
        record("LANDUSE_MISMATCH", i, fld="loai_dat", clean=clean, noisy=noisy)
        return True

    parcel_type("LANDUSE_MISMATCH", plain, landuse_mismatch)

    cat = catalog()

    def code_invalid(i: int) -> bool:
        clean = reg.codes[i]
        parts = clean.split("+")
        j = int(nrng.integers(len(parts)))
        c = parts[j]
        bad = c.replace("O", "0", 1) if "O" in c else c + c[-1]
        if cat.is_known(bad):
            return False
        parts[j] = bad
        noisy = "+".join(parts)
        reg.codes[i] = noisy
        m.landuse_label[i] = noisy
        record("LANDUSE_CODE_INVALID", i, fld="loai_dat", clean=clean, noisy=noisy)
        return True

    parcel_type("LANDUSE_CODE_INVALID", plain, code_invalid)

    def old_code(i: int) -> bool:
        clean = reg.codes[i]
        old = "BHK" if nrng.random() < 0.8 else "NHK"
        noisy = "+".join(old if c == "HNK" else c for c in clean.split("+"))
        reg.codes[i] = noisy
        m.landuse_label[i] = noisy
        record("LANDUSE_OLD_CODE", i, fld="loai_dat", clean=clean, noisy=noisy)
        return True

    has_hnk = np.array(["HNK" in c.split("+") for c in land.codes])
    parcel_type("LANDUSE_OLD_CODE", has_hnk & ~apartment, old_code)

    def owner_users(i: int) -> set[str]:
        out = set()
        for hi in land.holdings_of[i]:
            for pid, _, _ in land.holdings[hi].rights:
                p = land.parties[pid]
                out.add(p.name)
                out.update(pop.humans[mm[0]].name for mm in p.members)
        return out

    def owner_mismatch(i: int) -> bool:
        clean = m.owner_label[i]
        if not m.present[i]:
            return False
        users = owner_users(i)
        for _ in range(20):
            g = Gender.MALE if rng.random() < 0.6 else Gender.FEMALE
            noisy = names.full_name(g, rng.randint(1940, 1990))
            if noisy not in users and noisy != clean:
                m.owner_label[i] = noisy
                record("OWNER_MISMATCH", i, fld="ten_chu", clean=clean, noisy=noisy)
                return True
        return False

    private = np.array([r == "" for r in land.role])
    labelled = np.array([bool(x) for x in land.label_owner])
    parcel_type("OWNER_MISMATCH", labelled & private, owner_mismatch)

    # --- owners ----------------------------------------------------------------------------
    owners: list[int] = []
    seen: set[int] = set()
    for h in land.holdings:
        if h.dropped:
            continue
        for pid, _, _ in h.rights:
            for hm, _, _ in land.parties[pid].members:
                if hm not in seen:
                    seen.add(hm)
                    owners.append(hm)
    by_person: dict[int, list[str]] = {hm: [] for hm in owners}
    H = pop.humans

    def rec_of(hm: int):
        return land.recorded[land.person_party[hm]]

    def person_type(nt: str, eligible: list[int], group: set[int], apply) -> None:
        base[nt] = len(eligible)
        want = noise_count(cfg.rate(nt), len(eligible))
        if want == 0:
            return
        got = 0
        for hm in pick.order(eligible):
            if got == want:
                break
            if hm in group:
                continue
            if apply(hm):
                group.add(hm)
                by_person[hm].append(nt)
                got += 1
        _need(nt, got, want)

    def precord(nt: str, hm: int, fld: str, clean: str, noisy: str, note: str = "") -> None:
        record(nt, None, fld=fld, clean=clean, noisy=noisy, party_id=land.person_party[hm],
               note=note, human=hm)

    id_group: set[int] = set()
    name_group: set[int] = set()
    pop_group: set[int] = set()
    # bases from the clean records, before any owner noise
    with_cmnd = [h for h in owners if H[h].cmnd and H[h].cmnd != H[h].cccd]  # 9 digits
    with_birth = [h for h in owners if rec_of(h).birth_mode != "none"]
    with_zero = [h for h in owners if rec_of(h).doc_no.startswith("0")]
    in_household: set[int] = set()
    for p in land.parties.values():
        if p.kind.value == "HO_GIA_DINH":
            in_household.update(mm[0] for mm in p.members)

    def cmnd_only(hm: int) -> bool:
        r = rec_of(hm)
        clean = r.doc_no
        r.doc_type, r.doc_no = "CMND", H[hm].cmnd or ""
        precord("ID_CMND_ONLY", hm, "cccd_cmnd", clean, r.doc_no,
                note=f"cmnd_digits={len(r.doc_no)}")
        return True

    person_type("ID_CMND_ONLY", with_cmnd, id_group, cmnd_only)

    by_birth: dict[tuple[int, str], list[int]] = {}
    for hm in owners:
        by_birth.setdefault((H[hm].birth.year, H[hm].gender.value), []).append(hm)

    def id_duplicate(hm: int) -> bool:
        peers = [p for p in by_birth[(H[hm].birth.year, H[hm].gender.value)]
                 if p != hm and p not in id_group]
        sp = H[hm].spouse
        if peers:
            src = peers[int(nrng.integers(len(peers)))]
        elif sp is not None and sp in by_person and sp not in id_group:
            src = sp
        else:
            others = [p for p in pop.families_by_place.get(H[hm].place, [])]
            cands = [pop.families[f].head for f in others
                     if pop.families[f].head in by_person
                     and pop.families[f].head not in id_group and pop.families[f].head != hm]
            if not cands:
                return False
            src = cands[int(nrng.integers(len(cands)))]
        r = rec_of(hm)
        clean = r.doc_no
        r.doc_type, r.doc_no = "CCCD", rec_of(src).doc_no
        id_group.add(src)
        same = H[src].birth.year == H[hm].birth.year and H[src].gender == H[hm].gender
        precord("ID_DUPLICATE", hm, "cccd_cmnd", clean, r.doc_no,
                note=f"owner_of_number={land.person_party[src]}"
                     + ("" if same else ";also_contradicts_birth_or_gender"))
        return True

    person_type("ID_DUPLICATE", owners, id_group, id_duplicate)

    def id_missing(hm: int) -> bool:
        r = rec_of(hm)
        clean = r.doc_no
        r.doc_type, r.doc_no = "", ""
        precord("ID_MISSING", hm, "cccd_cmnd", clean, "")
        return True

    person_type("ID_MISSING", owners, id_group, id_missing)

    def birth_mismatch(hm: int) -> bool:
        r = rec_of(hm)
        variant = ("cccd_year", "cccd_gender", "nam_sinh", "gioi_tinh")[int(nrng.integers(4))]
        if variant == "cccd_year":
            yy = int(r.doc_no[4:6])
            for d in nrng.permutation(np.r_[-9:0, 1:10]):
                new = r.doc_no[:4] + f"{(yy + int(d)) % 100:02d}" + r.doc_no[6:]
                if (yy + int(d)) in range(0, 100) and new not in pop._cccd_used:
                    clean, r.doc_no = r.doc_no, new
                    precord("ID_BIRTH_MISMATCH", hm, "cccd_cmnd", clean, new, note=variant)
                    return True
            return False
        if variant == "cccd_gender":
            d = int(r.doc_no[3])
            new = r.doc_no[:3] + str(d ^ 1) + r.doc_no[4:]
            if new in pop._cccd_used:
                return False
            clean, r.doc_no = r.doc_no, new
            precord("ID_BIRTH_MISMATCH", hm, "cccd_cmnd", clean, new, note=variant)
            return True
        if variant == "nam_sinh":
            clean = r.birth_text
            for d in nrng.permutation(np.r_[-9:0, 1:10]):
                y = r.birth.year + int(d)
                if r.birth.year // 100 == y // 100 and y <= REF_YEAR - 16:
                    try:
                        r.birth = r.birth.replace(year=y)
                    except ValueError:
                        r.birth = r.birth.replace(year=y, day=28)
                    precord("ID_BIRTH_MISMATCH", hm, "nam_sinh", clean, r.birth_text,
                            note=variant)
                    return True
            return False
        clean = r.gender.value
        r.gender = Gender.FEMALE if r.gender == Gender.MALE else Gender.MALE
        precord("ID_BIRTH_MISMATCH", hm, "gioi_tinh", clean, r.gender.value, note=variant)
        return True

    person_type("ID_BIRTH_MISMATCH", with_birth, id_group, birth_mismatch)

    def leading_zero(hm: int) -> bool:
        r = rec_of(hm)
        if not r.doc_no.startswith("0"):
            return False
        clean = r.doc_no
        r.doc_no = clean[1:]
        precord("ID_LEADING_ZERO", hm, "cccd_cmnd", clean, r.doc_no)
        return True

    person_type("ID_LEADING_ZERO", with_zero, id_group, leading_zero)

    def id_format(hm: int) -> bool:
        r = rec_of(hm)
        if not r.doc_no:
            return False
        clean = r.doc_no
        sep = " " if nrng.random() < 0.5 else "."
        r.doc_no = sep.join(clean[k:k + 3] for k in range(0, len(clean), 3))
        precord("ID_FORMAT", hm, "cccd_cmnd", clean, r.doc_no)
        return True

    person_type("ID_FORMAT", owners, id_group, id_format)

    # --- names -----------------------------------------------------------------------------

    def name_noise(nt: str, fn):
        def apply(hm: int) -> bool:
            r = rec_of(hm)
            clean = r.name
            noisy, note = fn(hm, clean)
            if noisy == clean:
                return False
            r.name = noisy
            precord(nt, hm, "ho_ten", clean, noisy, note=note)
            return True
        return apply

    def prefix(hm: int, name: str) -> tuple[str, str]:
        male = H[hm].gender == Gender.MALE
        if hm in in_household and nrng.random() < 0.7:
            p = ("Hộ ông" if male else "Hộ bà") if nrng.random() < 0.7 else "Hộ gia đình"
        else:
            p = "Ông" if male else "Bà"
        return f"{p} {name}", p

    def case_spacing(hm: int, name: str) -> tuple[str, str]:
        v = int(nrng.integers(5))
        if v == 0:
            return name.upper(), "upper"
        if v == 1:
            return name.lower(), "lower"
        if v == 2:
            return name.replace(" ", "  ", 1), "double_space"
        if v == 3:
            return f" {name} ", "padded"
        w = name.split(" ")
        return " ".join([w[0].upper()] + [x.lower() for x in w[1:]]), "mixed_case"

    person_type("NAME_NO_DIACRITICS", owners, name_group,
                name_noise("NAME_NO_DIACRITICS", lambda hm, s: (strip_diacritics(s), "")))
    person_type("NAME_TCVN3", owners, name_group,
                name_noise("NAME_TCVN3", lambda hm, s: (encode_tcvn3(s), "")))
    person_type("NAME_VNI", owners, name_group,
                name_noise("NAME_VNI", lambda hm, s: (encode_vni(s), "")))
    person_type("NAME_PREFIX", owners, name_group, name_noise("NAME_PREFIX", prefix))
    person_type("NAME_CASE_SPACING", owners, name_group,
                name_noise("NAME_CASE_SPACING", case_spacing))

    # --- the population register -------------------------------------------------------------
    def absent(nt: str, why: str):
        def apply(hm: int) -> bool:
            H[hm].absent = why
            precord(nt, hm, "so_dinh_danh", H[hm].cccd, "", note=why)
            return True
        return apply

    person_type("OWNER_DECEASED", owners, pop_group, absent("OWNER_DECEASED", "deceased"))
    person_type("OWNER_ABROAD", owners, pop_group, absent("OWNER_ABROAD", "abroad"))

    def relative(hm: int) -> bool:
        r = pop.same_name_relative(hm)
        precord("SAME_NAME_RELATIVE", hm, "ho_ten", H[hm].cccd, H[r].cccd,
                note=f"relation={H[r].relation};birth_year={H[r].birth.year}")
        return True

    person_type("SAME_NAME_RELATIVE", [h for h in owners if H[h].absent is None], pop_group,
                relative)

    return NoiseOutcome(map=m, register=reg, rows=rows, base=base, by_person=by_person,
                        owners=owners)

