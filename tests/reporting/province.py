"""A store the way an office has it at the end of a month: the synthetic province (300 parcels)
loaded, checked (findings, automatic fixes, a few decisions), two of its three communes exported
to and matched with the population register (results applied), and a year of dossiers — plus the
independent counts the report tests compare with, written here with plain SQL over the tables,
never with ``datdai.reporting`` or the progress/statistics modules it calls."""

from __future__ import annotations

import datetime as dt
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy import Connection, func, select

from datdai.db import schema as s

MONTH, TODAY = "2025-11", dt.date(2025, 12, 10)
ACTOR = "kiem-thu"
VN = dt.timezone(dt.timedelta(hours=7))


@dataclass
class ReportProvince:
    url: str
    communes: list[str]  # every commune of the store
    reconciled: list[str]  # the communes exported and matched
    work: Path
    texts: dict = field(default_factory=dict)
    names: dict[str, str] = field(default_factory=dict)  # commune → name, as the store has it


def build(url: str, synthetic_province, work: Path) -> ReportProvince:
    from datdai.cleaning.check import check_delivery
    from datdai.cleaning.store_findings import apply_auto_fixes, record_check, set_status
    from datdai.cleaning.to_dataset import RowLinks
    from datdai.compute import open_engine
    from datdai.db.files import FileStore
    from datdai.db.store import open_store
    from datdai.land import repository
    from datdai.matching.c06_export import export_c06
    from datdai.matching.reconciliation import apply_results, record_result
    from datdai.matching.result import reconcile_files
    from datdai.reporting.texts import save_texts
    from datdai.synth.dossiers import generate_dossiers

    result, folder = synthetic_province
    store = open_store(url, create=True)
    try:
        with store.transaction() as conn:
            repository.load_dataset(conn, result.land, actor=ACTOR, source="tỉnh giả lập", reason="test")
            repository.replace_citizens(conn, result.citizens, source=str(folder / "dan_cu.csv"))
        with open_engine("duckdb") as eng:
            checked, read = check_delivery(folder / "thua_dat.gpkg", folder / "so_dia_chinh.csv", engine=eng)
        header = read.register.header_row
        links = RowLinks(register_party={int(o["ma_dong"][1:]) + header: o["party_id"]
                                         for o in result.truth.owner_rows})
        with store.transaction() as conn:
            run_id = record_check(conn, checked, actor=ACTOR, engine="duckdb", source="test", links=links)
            apply_auto_fixes(conn, run_id, actor=ACTOR)
            open_errors = conn.execute(select(s.findings.c.id).where(s.findings.c.status == "MO",
                                                                     s.findings.c.severity == "LOI")
                                       .order_by(s.findings.c.id)).scalars().all()
            for i, fid in enumerate(open_errors[:9]):  # a person decides some: fixed, accepted, dismissed
                set_status(conn, fid, ("DA_SUA", "CHAP_NHAN", "BAC_BO")[i % 3], actor=ACTOR, note="kiểm thử")
            communes = sorted(conn.execute(select(s.parcels.c.commune_code).distinct()).scalars())
            names = commune_names(conn)
        reconciled = communes[:2]
        work.mkdir(parents=True, exist_ok=True)
        owners, matched = work / "chu_su_dung.csv", work / "ket_qua.csv"
        with store.read() as conn:
            exported = export_c06(conn, owners, communes=reconciled, actor=ACTOR)
        reconcile_files(owners, folder / "dan_cu.csv", matched)
        with store.transaction() as conn:
            run = record_result(conn, matched, export_id=exported.export_id, source="DATDAI", actor=ACTOR)
            apply_results(conn, run, actor=ACTOR)
        with store.transaction() as conn:
            generate_dossiers(conn, year=2025, seed=5, per_month=8, today=TODAY, files=FileStore(work / "files"))
        texts = {"problems": "Đường truyền đến Cổng Dịch vụ công quốc gia chập chờn.\nThiếu máy quét.",
                 "tasks": "Hoàn thành đối soát xã còn lại.", "proposals": "Bổ sung 02 cán bộ.",
                 "number": "123", "signer_name": "Nguyễn Văn Ký", "report_date": dt.date(2025, 12, 5),
                 "service_notes": {"CHUYEN_QUYEN": "Hồ sơ công chứng chưa liên thông"}}
        with store.transaction() as conn:
            save_texts(conn, "", MONTH, texts, actor="lanhdao")
    finally:
        store.close()
    return ReportProvince(url=url, communes=communes, reconciled=reconciled, work=work, texts=texts,
                          names={c: names[c] for c in communes})


# ---------------------------------------------------------------------------------------- counts

FINAL = ("DA_TRA_KET_QUA", "TU_CHOI", "RUT")
SPATIAL = ("GEOM_INVALID", "OVERLAP", "DUPLICATE_PARCEL", "MISSING_IN_MAP")


def _vn_date(value: dt.datetime) -> dt.date:
    if value.tzinfo is None:  # SQLite returns UTC without a zone
        value = value.replace(tzinfo=dt.UTC)
    return value.astimezone(VN).date()


def dossier_counts(conn: Connection, month: str, as_of: dt.date, communes=None) -> dict[str, Counter]:
    """service code → total, online, on_time, overdue, digitized of the dossiers received in the
    month (Vietnam time), by the report's definitions, counted row by row."""
    from datdai.dossiers.calendar import default_calendar

    cal = default_calendar()
    services = {r.code: r for r in conn.execute(select(s.services))}
    docs: dict[int, list[bool]] = defaultdict(list)
    for dossier_id, digitized in conn.execute(select(s.dossier_documents.c.dossier_id,
                                                     s.dossier_documents.c.digitized)):
        docs[dossier_id].append(bool(digitized))
    pauses = defaultdict(list)
    for p in conn.execute(select(s.dossier_pauses)):
        pauses[p.dossier_id].append((p.paused_from, p.paused_to or as_of))
    out: dict[str, Counter] = {code: Counter() for code in services}
    for d in conn.execute(select(s.dossiers).where(s.dossiers.c.received_at.is_not(None))):
        received = _vn_date(d.received_at)
        if f"{received:%Y-%m}" != month or (communes is not None and d.commune_code not in communes):
            continue
        c = out[d.service_code]
        c["total"] += 1
        c["online"] += d.channel == "ONLINE"
        c["digitized"] += bool(docs[d.id]) and all(docs[d.id])
        if d.timeliness in ("SOM_HAN", "DUNG_HAN"):
            c["on_time"] += 1
        elif d.timeliness == "QUA_HAN":
            c["overdue"] += 1
        elif d.state not in FINAL:
            sv = services[d.service_code]
            limit = sv.limit_days_disadvantaged if d.disadvantaged and sv.limit_days_disadvantaged else sv.limit_days
            counted, day = 0, received
            while day < as_of - dt.timedelta(days=1):
                day += dt.timedelta(days=1)
                counted += cal.is_working_day(day) and not any(a < day <= b for a, b in pauses[d.id])
            c["overdue"] += counted >= limit
    return out


def parcel_counts(conn: Connection) -> dict[str, Counter]:
    """commune → parcels, checked, spatial_ok, attribute_ok, clean, findings open and fixed."""
    out: dict[str, Counter] = defaultdict(Counter)
    for code, n in conn.execute(select(s.parcels.c.commune_code, func.count()).group_by(s.parcels.c.commune_code)):
        out[code]["parcels"] = n
    latest = {}
    for run_id, code, n in conn.execute(select(s.quality_run_communes.c.run_id, s.quality_run_communes.c.commune_code,
                                               s.quality_run_communes.c.parcels)):
        if code not in latest or run_id > latest[code][0]:
            latest[code] = (run_id, n)
    blocked: dict[str, dict[str, set]] = defaultdict(lambda: {"spatial": set(), "attribute": set()})
    for f in conn.execute(select(s.findings)):
        if f.status == "MO":
            out[f.commune_code]["findings_open"] += 1
        if f.status in ("TU_SUA", "DA_SUA"):
            out[f.commune_code]["findings_fixed"] += 1
        if f.severity == "LOI" and f.status in ("MO", "CHAP_NHAN") and f.parcel_id is not None:
            blocked[f.commune_code]["spatial" if f.rule_code in SPATIAL else "attribute"].add(f.parcel_id)
    for code, c in out.items():
        if code in latest:
            b = blocked[code]
            c["checked"] = latest[code][1]
            c["spatial_ok"] = c["parcels"] - len(b["spatial"])
            c["attribute_ok"] = c["parcels"] - len(b["attribute"])
            c["clean"] = c["parcels"] - len(b["spatial"] | b["attribute"])
    return dict(out)


def land_users(conn: Connection) -> dict[str, set[int]]:
    """commune → party ids of its land users: person holders of a land-use right, and the
    members of a household, couple or group holding one (organisations never)."""
    commune_of_holding = defaultdict(set)
    for holding, commune in conn.execute(select(s.holding_parcels.c.holding_id, s.parcels.c.commune_code)
                                         .join(s.parcels, s.parcels.c.id == s.holding_parcels.c.parcel_id)):
        commune_of_holding[holding].add(commune)
    kind = dict(conn.execute(select(s.parties.c.id, s.parties.c.kind)).all())
    members = defaultdict(list)
    for group, member in conn.execute(select(s.party_members.c.group_id, s.party_members.c.member_id)):
        members[group].append(member)
    out: dict[str, set[int]] = defaultdict(set)
    for holding, party in conn.execute(select(s.rights.c.holding_id, s.rights.c.party_id)
                                       .where(s.rights.c.kind == "SU_DUNG_DAT")):
        if kind[party] in ("HO_GIA_DINH", "VO_CHONG", "NHOM") and members[party]:
            people = [m for m in members[party] if kind[m] != "TO_CHUC"]
        else:
            people = [] if kind[party] == "TO_CHUC" else [party]
        for commune in commune_of_holding[holding]:
            out[commune].update(people)
    return dict(out)


def reconcile_states(conn: Connection) -> tuple[set[int], set[int], set[int]]:
    """(reconciled, matched, updated) party ids, each party judged by its latest run."""
    rr = s.reconcile_results
    rows = conn.execute(select(rr.c.party_id, rr.c.run_id, rr.c.ket_qua, rr.c.status, rr.c.decision,
                               rr.c.chosen_number, rr.c.candidates).where(rr.c.party_id.is_not(None))).all()
    last = {}
    for r in rows:
        last[r.party_id] = max(last.get(r.party_id, 0), r.run_id)
    numbers = dict(conn.execute(select(s.parties.c.id, s.parties.c.personal_number)).all())
    reconciled, matched, updated = set(), set(), set()
    for r in rows:
        if r.run_id == last[r.party_id]:
            reconciled.add(r.party_id)
            if r.status in ("CHO_AP_DUNG", "DA_AP_DUNG") and (r.ket_qua == "KHOP" or r.decision == "CHON"):
                matched.add(r.party_id)
        number = r.chosen_number if r.decision == "CHON" else r.candidates
        if r.status == "DA_AP_DUNG" and numbers.get(r.party_id) == number:
            updated.add(r.party_id)
    return reconciled, matched, updated


def connected_communes(conn: Connection) -> set[str]:
    return {c for c in conn.execute(select(s.reconcile_results.c.commune_code).distinct()).scalars() if c}


def pct(part: int, whole: int) -> float | None:
    return 100.0 * part / whole if whole else None


@dataclass
class Expected:
    services: dict[str, dict]  # code → name, connected, total, online, on_time, overdue, digitized
    service_totals: dict
    units: dict[str, dict]  # commune → parcels, …, land_users, reconciled, matched, updated, connected
    unit_totals: dict


SERVICE_KEYS = ("total", "online", "on_time", "overdue", "digitized")
UNIT_KEYS = ("parcels", "checked", "spatial_ok", "attribute_ok", "clean", "findings_open", "findings_fixed")


def expected(conn: Connection, month: str = MONTH, as_of: dt.date = TODAY, communes=None) -> Expected:
    """Every figure of the report, counted independently (see the module doc)."""
    catalog = {r.code: r for r in conn.execute(select(s.services))}
    counts = dossier_counts(conn, month, as_of, communes)
    services = {code: {"name": catalog[code].name,
                       "connected": bool((catalog[code].definition or {}).get("portal_connected")),
                       **{k: counts[code][k] for k in SERVICE_KEYS}} for code in sorted(catalog)}
    service_totals = {k: sum(v[k] for v in services.values()) for k in SERVICE_KEYS}
    service_totals["connected"] = sum(v["connected"] for v in services.values())

    parcels = parcel_counts(conn)
    users = land_users(conn)
    reconciled, matched, updated = reconcile_states(conn)
    linked = connected_communes(conn)
    codes = sorted(c for c in set(parcels) | set(users) if communes is None or c in communes)
    units = {}
    for c in codes:
        u = users.get(c, set())
        units[c] = {**{k: parcels.get(c, Counter())[k] for k in UNIT_KEYS}, "land_users": len(u),
                    "reconciled": len(u & reconciled), "matched": len(u & matched), "updated": len(u & updated),
                    "connected": c in linked}
    everyone = set().union(*(users.get(c, set()) for c in codes)) if codes else set()
    unit_totals = {k: sum(v[k] for v in units.values()) for k in UNIT_KEYS}
    unit_totals.update(land_users=len(everyone), reconciled=len(everyone & reconciled),
                       matched=len(everyone & matched), updated=len(everyone & updated),
                       connected=sum(v["connected"] for v in units.values()), communes=len(units))
    return Expected(services, service_totals, units, unit_totals)


def commune_names(conn: Connection) -> dict[str, str]:
    a = s.admin_units
    return dict(conn.execute(select(a.c.code, a.c.name).where(a.c.level == "XA", a.c.era == "CU")).all())
