"""From the generated (noisy) state to what the land office and the population register hold:
the LandDataset, the register and owners rows, the citizens, and the truth rows."""

from __future__ import annotations

import random
from dataclasses import dataclass

import shapely

from datdai.kernel.crs import Tm3Zone
from datdai.kernel.model import (
    AssetKind,
    Citizen,
    DocumentType,
    Holding,
    IdentityDocument,
    LandDataset,
    Parcel,
    Party,
    PartyKind,
    PartyMember,
    Right,
    RightKind,
    SourceDocument,
)
from datdai.synth.communes import CommunePlan
from datdai.synth.land import Land
from datdai.synth.noise import NoiseOutcome
from datdai.synth.population import DIVORCED, MARRIED, REF_YEAR, SINGLE, WIDOWED, Population

REGISTER_COLUMNS = (
    "ma_xa", "so_to", "so_thua", "dien_tich", "loai_dat", "ten_chu", "gioi_tinh", "nam_sinh",
    "loai_giay_to", "so_giay_to", "dia_chi_chu", "so_seri_gcn", "dia_chi_thua", "ty_le_ban_do",
    # extra columns (allowed by the spec): the remaining land fields exchanged with C06
    "hinh_thuc_su_dung", "thoi_han_su_dung", "nguon_goc_su_dung", "loai_nha_o",
    "ten_nha_chung_cu", "so_can_ho", "dien_tich_san", "hinh_thuc_so_huu", "cap_nha",
    "thoi_han_so_huu", "phan_so_huu_chung", "cap_cong_trinh", "dien_tich_xay_dung",
)
OWNER_COLUMNS = (
    "ma_dong", "tinh", "huyen", "xa", "to_so", "so_thua", "so_seri_gcn", "dia_chi_thua",
    "dien_tich", "ho_ten", "nam_sinh", "cccd_cmnd", "loai_giay_to", "so_giay_to", "dia_chi_chu",
    "ma_xa",  # extra: the commune code, to join with the delivery
)
TRUTH_OWNER_COLUMNS = (
    "ma_dong", "ma_xa", "so_to", "so_thua", "party_id", "holder_party_id", "so_dinh_danh",
    "ho_ten", "ngay_sinh", "gioi_tinh", "case", "noise",
)
CASE_ORDER = (
    ("absent", ("OWNER_DECEASED", "OWNER_ABROAD")),
    ("id_duplicate", ("ID_DUPLICATE",)),
    ("id_missing", ("ID_MISSING",)),
    ("id_birth_mismatch", ("ID_BIRTH_MISMATCH",)),
    ("cmnd_only", ("ID_CMND_ONLY",)),
    ("id_format", ("ID_LEADING_ZERO", "ID_FORMAT")),
    ("noisy_name", ("NAME_NO_DIACRITICS", "NAME_TCVN3", "NAME_VNI", "NAME_PREFIX",
                    "NAME_CASE_SPACING")),
    ("same_name_relative", ("SAME_NAME_RELATIVE",)),
)
_SOURCE_KIND = (
    ("chuyển nhượng", "HOP_DONG_CHUYEN_NHUONG", "Hợp đồng chuyển nhượng quyền sử dụng đất"),
    ("thừa kế", "VAN_BAN_THUA_KE", "Văn bản thỏa thuận phân chia di sản thừa kế"),
    ("tặng cho", "HOP_DONG_TANG_CHO", "Hợp đồng tặng cho quyền sử dụng đất"),
    ("thuê", "QUYET_DINH_CHO_THUE", "Quyết định cho thuê đất"),
    ("giao đất", "QUYET_DINH_GIAO_DAT", "Quyết định giao đất"),
)


@dataclass(slots=True)
class Rendered:
    land: LandDataset
    citizens: list[Citizen]
    register_rows: list[dict[str, str]]
    owner_rows: list[dict[str, str]]
    truth_owner_rows: list[dict[str, str]]
    map_order: list[int]  # parcel indices of the map features, in file order (duplicates last)


def _fmt_area(x: float | None) -> str:
    return "" if x is None else f"{x:.1f}"


def _strip_tinh(name: str) -> str:
    return name[5:] if name.startswith("Tỉnh ") else name


def render(land: Land, pop: Population, plans: list[CommunePlan], noise: NoiseOutcome,
           zone: Tm3Zone, rng: random.Random, admin_units: list) -> Rendered:
    H = pop.humans
    m, reg = noise.map, noise.register
    n = len(land)
    keys = [(plans[land.commune[i]].code, land.sheet_no(i), int(land.number[i])) for i in range(n)]
    scale = [land.scale(i) for i in range(n)]

    # --- rows: one per (parcel, land user) ---------------------------------------------------
    register_rows: list[dict[str, str]] = []
    owner_rows: list[dict[str, str]] = []
    truth_rows: list[dict[str, str]] = []
    rows_of_human: dict[int, list[str]] = {}
    for i in range(n):
        if not reg.present[i]:
            continue
        ma_xa, so_to, so_thua = keys[i]
        plan = plans[land.commune[i]]
        for hi in land.holdings_of[i]:
            h = land.holdings[hi]
            if h.dropped:
                continue
            cert = h.certificate.serial if h.certificate else ""
            house = next((a for a in h.assets if a.parcel_key == keys[i]
                          and a.kind in (AssetKind.HOUSE, AssetKind.APARTMENT)), None)
            other = next((a for a in h.assets if a.parcel_key == keys[i]
                          and a.kind == AssetKind.CONSTRUCTION), None)
            extra = {
                "hinh_thuc_su_dung": "", "thoi_han_su_dung": h.term,
                "nguon_goc_su_dung": h.origin,
                "loai_nha_o": house.house_type if house else "",
                "ten_nha_chung_cu": (house.building_name or "") if house else "",
                "so_can_ho": (house.apartment_no or "") if house else "",
                "dien_tich_san": _fmt_area(house.floor_area) if house else "",
                "hinh_thuc_so_huu": house.ownership_form if house else "",
                "cap_nha": house.grade if house else "",
                "thoi_han_so_huu": house.ownership_term if house else "",
                "phan_so_huu_chung": (house.shared_parts or "") if house else "",
                "cap_cong_trinh": other.grade if other else "",
                "dien_tich_xay_dung": _fmt_area(other.construction_area if other else
                                                house.construction_area if house else None),
            }
            if h.new_admin:
                tinh, huyen, xa = _strip_tinh(plan.place.new_province), "", plan.place.new_name
            else:
                tinh, huyen, xa = _strip_tinh(plan.place.province), plan.place.district, \
                    plan.place.name
            for pid, _share, form in h.rights:
                party = land.parties[pid]
                if party.org is not None:
                    people = [(None, party.org)]
                else:
                    people = [(hm, None) for hm, _, _ in party.members]
                for hm, org in people:
                    if org is not None:
                        who = dict(ten_chu=org.name, gioi_tinh="", nam_sinh="",
                                   loai_giay_to=org.doc_type, so_giay_to=org.doc_no,
                                   dia_chi_chu=org.address, cccd_cmnd="")
                    else:
                        r = land.recorded[land.person_party[hm]]
                        who = dict(ten_chu=r.name, gioi_tinh=r.gender.value,
                                   nam_sinh=r.birth_text, loai_giay_to=r.doc_type,
                                   so_giay_to=r.doc_no, dia_chi_chu=r.address,
                                   cccd_cmnd=r.doc_no if r.doc_type in ("CCCD", "CMND", "")
                                   else "")
                    register_rows.append({
                        "ma_xa": ma_xa, "so_to": str(so_to), "so_thua": str(so_thua),
                        "dien_tich": _fmt_area(float(reg.area[i])), "loai_dat": reg.codes[i],
                        "ten_chu": who["ten_chu"], "gioi_tinh": who["gioi_tinh"],
                        "nam_sinh": who["nam_sinh"], "loai_giay_to": who["loai_giay_to"],
                        "so_giay_to": who["so_giay_to"], "dia_chi_chu": who["dia_chi_chu"],
                        "so_seri_gcn": cert, "dia_chi_thua": land.address[i],
                        "ty_le_ban_do": str(scale[i]), **extra, "hinh_thuc_su_dung": form,
                    })
                    ma_dong = f"D{pop.ids.owner_rows + len(owner_rows) + 1:07d}"
                    owner_rows.append({
                        "ma_dong": ma_dong, "tinh": tinh, "huyen": huyen, "xa": xa,
                        "to_so": str(so_to), "so_thua": str(so_thua), "so_seri_gcn": cert,
                        "dia_chi_thua": land.address[i], "dien_tich": _fmt_area(float(reg.area[i])),
                        "ho_ten": who["ten_chu"], "nam_sinh": who["nam_sinh"],
                        "cccd_cmnd": who["cccd_cmnd"], "loai_giay_to": who["loai_giay_to"],
                        "so_giay_to": who["so_giay_to"], "dia_chi_chu": who["dia_chi_chu"],
                        "ma_xa": ma_xa,
                    })
                    if hm is None:
                        truth_rows.append({
                            "ma_dong": ma_dong, "ma_xa": ma_xa, "so_to": str(so_to),
                            "so_thua": str(so_thua), "party_id": pid, "holder_party_id": pid,
                            "so_dinh_danh": "", "ho_ten": org.name, "ngay_sinh": "",
                            "gioi_tinh": "", "case": "organisation", "noise": "",
                        })
                        continue
                    hum = H[hm]
                    types = noise.by_person.get(hm, [])
                    case = next((c for c, ts in CASE_ORDER if any(t in types for t in ts)),
                                "clean")
                    rows_of_human.setdefault(hm, []).append(ma_dong)
                    truth_rows.append({
                        "ma_dong": ma_dong, "ma_xa": ma_xa, "so_to": str(so_to),
                        "so_thua": str(so_thua), "party_id": land.person_party[hm],
                        "holder_party_id": pid,
                        "so_dinh_danh": "" if hum.absent else hum.cccd, "ho_ten": hum.name,
                        "ngay_sinh": hum.birth.strftime("%d/%m/%Y"),
                        "gioi_tinh": hum.gender.value, "case": case, "noise": ";".join(types),
                    })
    for row in noise.rows:
        hm = row.pop("_human", None)
        if hm is not None:
            row["ma_dong"] = ";".join(rows_of_human.get(int(hm), []))

    # --- the map features --------------------------------------------------------------------
    map_order = [i for i in range(n) if m.present[i]] + list(m.duplicates)

    # --- the land dataset ----------------------------------------------------------------------
    wkb = shapely.to_wkb(m.geom)
    parcels = []
    for i in range(n):
        ma_xa, so_to, so_thua = keys[i]
        parcels.append(Parcel(
            commune_code=ma_xa, sheet_no=so_to, parcel_no=so_thua,
            geometry_wkb=bytes(wkb[i]) if m.present[i] else None, srid=zone.srid,
            legal_area=float(reg.area[i]) if reg.present[i] else None,
            land_use_codes=tuple(reg.codes[i].split("+")) if reg.present[i] else (),
            address=land.address[i], map_scale=scale[i],
            map_area_label=float(m.area_label[i]) if m.present[i] else None,
            map_land_use_label=m.landuse_label[i] if m.present[i] else None,
            map_owner_label=(m.owner_label[i] or None) if m.present[i] else None,
        ))
    for i in m.duplicates:  # the same key digitised twice: a second, map-only parcel
        ma_xa, so_to, so_thua = keys[i]
        parcels.append(Parcel(
            commune_code=ma_xa, sheet_no=so_to, parcel_no=so_thua,
            geometry_wkb=bytes(wkb[i]), srid=zone.srid, map_scale=scale[i],
            map_area_label=float(m.area_label[i]), map_land_use_label=m.landuse_label[i],
            map_owner_label=m.owner_label[i] or None,
        ))

    used: dict[str, None] = {}
    holdings, rights, assets, certificates, sources = [], [], [], [], []
    n_right = 0
    for h in land.holdings:
        if h.dropped:
            continue
        holdings.append(Holding(h.holding_id, [keys[p] for p in h.parcels]))
        purpose = tuple(reg.codes[h.parcels[0]].split("+"))
        for pid, share, form in h.rights:
            used[pid] = None
            n_right += 1
            rights.append(Right(
                right_id=f"QSD{n_right:07d}", holding_id=h.holding_id, party_id=pid,
                kind=RightKind.LAND_USE, share=share, purpose_codes=purpose, term=h.term,
                term_end=h.term_end, origin=h.origin, form_of_use=form))
            for a in h.assets:
                n_right += 1
                rights.append(Right(
                    right_id=f"QSH{n_right:07d}", holding_id=h.holding_id, party_id=pid,
                    kind=RightKind.ASSET_OWNERSHIP if a.kind == AssetKind.CONSTRUCTION
                    else RightKind.HOUSE_OWNERSHIP,
                    share=share, term=a.ownership_term, asset_id=a.asset_id))
        assets.extend(h.assets)
        if h.certificate is not None:
            c = h.certificate
            certificates.append(c)
            kind, title = "GIAY_TO_NGUON_GOC", "Giấy tờ về nguồn gốc sử dụng đất"
            low = h.origin.lower()
            for word, k, t in _SOURCE_KIND:
                if word in low:
                    kind, title = k, t
                    break
            sources.append(SourceDocument(
                source_id=f"HS{len(sources) + 1:07d}", kind=kind, title=title,
                holding_id=h.holding_id, doc_date=h.since, reference=c.register_entry,
                digitized=rng.random() < 0.7))

    party_ids = list(used)
    for pid in list(party_ids):
        for hm, _, _ in land.parties[pid].members:
            used.setdefault(land.person_party[hm], None)
    parties = []
    for pid in sorted(used, key=lambda p: (p[:2], p)):
        p = land.parties[pid]
        if p.org is not None:
            o = p.org
            parties.append(Party(
                party_id=pid, kind=PartyKind.ORGANISATION, full_name=o.name,
                documents=[IdentityDocument(DocumentType(o.doc_type), o.doc_no)],
                address=o.address, tax_code=o.tax_code, nationality=None))
        elif p.kind == PartyKind.PERSON:
            hm = p.members[0][0]
            r = land.recorded[pid]
            docs = []
            if r.doc_no or r.doc_type:
                docs = [IdentityDocument(DocumentType(r.doc_type) if r.doc_type else None,
                                         r.doc_no)]
            parties.append(Party(
                party_id=pid, kind=PartyKind.PERSON, full_name=r.name, gender=r.gender,
                birth_date=r.birth if r.birth_mode == "date" else None,
                birth_year=r.birth.year if r.birth_mode != "none" else None,
                documents=docs, address=r.address, ethnicity=H[hm].ethnicity))
        else:
            parties.append(Party(
                party_id=pid, kind=p.kind, full_name=p.name,
                members=[PartyMember(land.person_party[hm], share, role)
                         for hm, share, role in p.members],
                address=land.recorded[land.person_party[p.members[0][0]]].address))

    dataset = LandDataset(admin_units=list(admin_units), parties=parties, parcels=parcels,
                          holdings=holdings, rights=rights, assets=assets,
                          certificates=certificates, sources=sources)
    citizens = render_citizens(pop, rng)
    return Rendered(land=dataset, citizens=citizens, register_rows=register_rows,
                    owner_rows=owner_rows, truth_owner_rows=truth_rows, map_order=map_order)


def render_citizens(pop: Population, rng: random.Random) -> list[Citizen]:
    H = pop.humans
    out = []
    for h in H:
        # drawn for every human, present or not, so the stream does not depend on absences
        u_addr, u_here, u_other = rng.random(), rng.random(), rng.randrange(len(pop.places))
        if h.absent:
            continue
        fam = pop.families[h.family]
        place = pop.places[h.place]
        home = place.new_address(fam.village) if u_addr < 0.9 else place.old_address(fam.village)
        current = home if u_here < 0.92 else pop.places[u_other].new_address(
            pop.places[u_other].villages[0])
        age = REF_YEAR - h.birth.year
        spouse = H[h.spouse] if h.spouse is not None else None
        if spouse is not None and spouse.absent != "deceased":
            marital, vo_chong = MARRIED, spouse.name
        elif spouse is not None or (age >= 55 and h.idx % 3 == 0):
            marital, vo_chong = WIDOWED, ""
        elif h.divorced:
            marital, vo_chong = DIVORCED, ""
        else:
            marital, vo_chong = SINGLE, ""
        father = H[h.father].name if h.father is not None else (h.father_name or "")
        mother = H[h.mother].name if h.mother is not None else (h.mother_name or "")
        rep = ""
        if age < 18:
            rep = father or mother
        head = H[fam.head]
        if head.absent == "deceased":
            alive = [H[x] for x in fam.members
                     if not H[x].absent and REF_YEAR - H[x].birth.year >= 18]
            head = alive[0] if alive else h
        out.append(Citizen(
            so_dinh_danh=h.cccd, so_cmnd=h.cmnd, ho_ten=h.name, gioi_tinh=h.gender.value,
            dan_toc=h.ethnicity, ton_giao=h.religion, tinh_trang_hon_nhan=marital,
            ngay_sinh=f"{h.birth.year:04d}" if h.year_only else h.birth.strftime("%d/%m/%Y"),
            noi_dang_ky_khai_sinh=h.birth_place, quoc_tich="Việt Nam", que_quan=h.origin,
            thuong_tru=home, noi_o_hien_tai=current, cha=father, me=mother, vo_chong=vo_chong,
            nguoi_dai_dien=rep, chu_ho=head.name, so_so_ho_khau=fam.book_no or "",
        ))
    out.sort(key=lambda c: c.so_dinh_danh)
    return out
