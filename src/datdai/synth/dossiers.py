"""A realistic year of dossiers for the demo province, made by the real workflow.

:func:`generate_dossiers` files dossiers month by month on the store's parcels and holders —
mostly the three essential services (transfer, owner information change, financial obligation),
some of the office's other procedures — and drives each one through
:func:`~datdai.dossiers.dossiers.create_dossier` / :func:`~datdai.dossiers.dossiers.transition`
and the Model 46 functions (notarised contracts, referral to tax through the outbox, tax notices
and payments), so every step is audited and the legal clock is the real one. Online share rises
over the year (≈30 % → ≈60 %); most dossiers are returned on time, some late; some are paused
for a supplement or for tax payment, some rejected or withdrawn; every dossier gets small
generated documents, most of them digitized. Nothing happens after ``today``: the dossiers filed
last are still open (some already overdue).

Deterministic for a seed (dossier codes included) on a given store content.
"""

from __future__ import annotations

import datetime as dt
import random
from collections import defaultdict
from dataclasses import dataclass, field

from sqlalchemy import Connection, func, select

from datdai.db.files import FileStore
from datdai.db.schema import holding_parcels, parcels, parties, rights
from datdai.dossiers import dossiers as ds
from datdai.dossiers import model46 as m46
from datdai.dossiers import outbox as ob
from datdai.dossiers.calendar import default_calendar
from datdai.dossiers.catalog import ESSENTIAL_CODES
from datdai.dossiers.documents import RESULT_COMPONENT, add_document
from datdai.dossiers.errors import DossierError
from datdai.dossiers.lifecycle import FINAL_STATES, VN_TZ, Channel, Role, State, Step, local_date
from datdai.dossiers.registry import list_services

# Share of each service among the dossiers (the rest: the office's other procedures).
SERVICE_MIX = (("CHUYEN_QUYEN", 0.45), ("DK_BIEN_DONG_THONG_TIN", 0.20), ("NGHIA_VU_TAI_CHINH", 0.15))
# Monthly volume factor: fewer around the lunar new year, more at the end of the year.
SEASON = (1.0, 0.6, 1.1, 1.0, 0.95, 1.0, 1.0, 1.05, 0.95, 1.05, 1.1, 1.25)
P_REJECT_AT_DESK, P_WITHDRAW, P_REJECT, P_LATE, P_SUPPLEMENT = 0.01, 0.03, 0.04, 0.10, 0.12
P_TAX = {"CHUYEN_QUYEN": 0.75, "NGHIA_VU_TAI_CHINH": 0.5}
P_NOTARY = 0.6  # of online transfers: arriving as a notarised contract (Model 46)

_SURNAMES = ("Nguyễn", "Trần", "Lê", "Phạm", "Hoàng", "Huỳnh", "Phan", "Vũ", "Võ", "Đặng", "Bùi", "Đỗ", "Ngô")
_MIDDLE = ("Văn", "Thị", "Minh", "Ngọc", "Hữu", "Thanh", "Quốc", "Thu")
_GIVEN = ("An", "Bình", "Cường", "Dung", "Hà", "Hải", "Hùng", "Lan", "Linh", "Long", "Mai", "Nam", "Phúc", "Tâm",
          "Thảo", "Trang", "Tuấn", "Vy")
_SUPPLEMENT_REASONS = ("Thiếu bản sao giấy chứng nhận", "Đơn đăng ký chưa ghi đủ thông tin",
                       "Chữ ký trên hợp đồng chưa khớp", "Thiếu văn bản ủy quyền")
_REJECT_REASONS = ("Thửa đất đang có tranh chấp", "Thửa đất đang bị kê biên để thi hành án",
                   "Người nộp không có quyền thực hiện thủ tục")
_RESULTS = ("SOM_HAN", "DUNG_HAN", "QUA_HAN")


class _Stop(Exception):
    """The next step of a dossier falls after ``today``: it stays where it is."""


@dataclass
class MonthFigures:
    total: int = 0
    online: int = 0
    on_time: int = 0
    overdue: int = 0
    digitized: int = 0


@dataclass
class DossierSummary:
    created: int = 0
    by_state: dict[str, int] = field(default_factory=lambda: defaultdict(int))
    # (YYYY-MM of receipt, service code) -> figures, as the monthly statistics define them
    figures: dict[tuple[str, str], MonthFigures] = field(default_factory=lambda: defaultdict(MonthFigures))
    codes: list[str] = field(default_factory=list)


@dataclass
class _Holder:
    parcel_id: int
    party_id: int
    personal_number: str | None
    name: str


def _holders(conn: Connection) -> list[_Holder]:
    """Parcels in exactly one holding with a land-use right, and one holder of that right."""
    single = (select(holding_parcels.c.parcel_id).group_by(holding_parcels.c.parcel_id)
              .having(func.count() == 1))
    q = (select(holding_parcels.c.parcel_id, func.min(rights.c.party_id).label("party_id"))
         .join(rights, (rights.c.holding_id == holding_parcels.c.holding_id) & (rights.c.kind == "SU_DUNG_DAT"))
         .where(holding_parcels.c.parcel_id.in_(single))
         .group_by(holding_parcels.c.parcel_id).order_by(holding_parcels.c.parcel_id))
    rows = conn.execute(q).all()
    people = {r.id: r for r in conn.execute(select(parties.c.id, parties.c.personal_number, parties.c.full_name))}
    out = []
    for r in rows:
        p = people[r.party_id]
        number = p.personal_number if p.personal_number and len(p.personal_number) == 12 else None
        out.append(_Holder(r.parcel_id, r.party_id, number, p.full_name))
    return out


class _Clock:
    """The time of a dossier's next action: working days, 8:00–16:59 Vietnam time, never after today."""

    def __init__(self, calendar, today: dt.date, start: dt.datetime) -> None:
        self.cal, self.today, self.t = calendar, today, start

    def _set(self, day: dt.date, hour: int, minute: int) -> dt.datetime:
        if day > self.today:
            raise _Stop
        self.t = dt.datetime.combine(day, dt.time(hour, minute), tzinfo=VN_TZ)
        return self.t

    def later(self, working_days: int = 0, hours: int = 1) -> dt.datetime:
        local = self.t.astimezone(VN_TZ)
        day, hour, minute = local.date(), local.hour + hours, local.minute
        if working_days > 0:
            return self._set(self.cal.add_working_days(day, working_days), 8 + hours % 4, 10)
        if hour > 16 or not self.cal.is_working_day(day):
            return self._set(self.cal.add_working_days(day, 1), 8, 0)
        return self._set(day, max(hour, 8), minute)

    def on(self, day: dt.date, hour: int) -> dt.datetime:
        """At ``day``, ``hour`` o'clock, or an hour later than the clock if that is not before it."""
        if day <= local_date(self.t):
            return self.later(0)
        return self._set(day, hour, 15)


def _back(cal, day: dt.date, n: int) -> dt.date:
    """The n-th working day before ``day``."""
    while n > 0:
        day -= dt.timedelta(days=1)
        n -= cal.is_working_day(day)
    return day


def _person(rng: random.Random) -> dict:
    number = f"0{rng.choice(('75', '79', '70', '38'))}{rng.choice('01')}{rng.randint(50, 99):02d}" \
             f"{rng.randint(0, 999999):06d}"
    name = f"{rng.choice(_SURNAMES)} {rng.choice(_MIDDLE)} {rng.choice(_GIVEN)}"
    return {"personal_number": number, "name": name}


def _document(code: str, component: str, seed: int) -> bytes:
    """A small stand-in scanned document (text with a PDF header)."""
    return (f"%PDF-1.4\n% hồ sơ {code} — thành phần {component}\n% bản số hóa tổng hợp (synthetic), "
            f"seed {seed}\n%%EOF\n").encode()


def generate_dossiers(
    conn: Connection,
    *,
    year: int,
    seed: int = 1,
    per_month: int = 40,
    today: dt.date | None = None,
    files: FileStore | None = None,
    calendar=None,
    other_services: int = 3,
) -> DossierSummary:
    """File and process a year of dossiers (≈ ``per_month`` a month, seasonal) in the caller's
    transaction; see the module doc. ``files`` stores the documents (none without it). Returns
    what was made, with the monthly figures of each service by the statistics' definitions."""
    if calendar is None:
        calendar = default_calendar()
    today = today or dt.date(year, 12, 31)
    rng = random.Random(seed)
    holders = _holders(conn)
    if not holders:
        raise ValueError("kho dữ liệu chưa có thửa đất có người sử dụng đất / the store has no parcels with holders")
    catalog = {s.code: s for s in list_services(conn)}
    others = sorted(c for c in catalog if c not in ESSENTIAL_CODES)[:other_services]
    mix = [(c, w) for c, w in SERVICE_MIX if c in catalog]
    rest = 1 - sum(w for _, w in mix)
    if others:
        mix += [(c, rest / len(others)) for c in others]
    pool = holders[:]
    rng.shuffle(pool)
    transferred: set[int] = set()  # parcels with a transfer dossier
    summary = DossierSummary()
    seq = 0
    for month in range(1, 13):
        first = dt.date(year, month, 1)
        if first > today:
            break
        last = dt.date(year + month // 12, month % 12 + 1, 1) - dt.timedelta(days=1)
        online_share = 0.30 + 0.30 * (month - 1) / 11
        n = round(per_month * SEASON[month - 1])
        days = sorted(first + dt.timedelta(days=rng.randrange((last - first).days + 1)) for _ in range(n))
        for day in days:
            seq += 1
            service = rng.choices([c for c, _ in mix], [w for _, w in mix])[0]
            online = rng.random() < online_share
            if not online and not calendar.is_working_day(day):  # the desk is closed: next working day
                day = calendar.add_working_days(day, 1)
            if day > today:
                continue
            holder = pool[seq % len(pool)]
            if service == "CHUYEN_QUYEN":
                fresh = [h for h in pool if h.parcel_id not in transferred]
                holder = fresh[rng.randrange(len(fresh))] if fresh else holder
            d, digitized = _one(conn, rng, calendar, today, files, catalog, seed=seed, seq=seq, year=year,
                                day=day, service=service, online=online, holder=holder,
                                notary_ok=service != "CHUYEN_QUYEN" or holder.parcel_id not in transferred)
            if service == "CHUYEN_QUYEN":
                transferred.add(holder.parcel_id)
            _count(conn, calendar, today, summary, d, digitized)
    return summary


def _count(conn, calendar, today, summary: DossierSummary, d: ds.Dossier, digitized: bool) -> None:
    summary.created += 1
    summary.codes.append(d.code)
    summary.by_state[str(d.state)] += 1
    if d.received_at is None:
        return
    f = summary.figures[(f"{local_date(d.received_at):%Y-%m}", d.service_code)]
    f.total += 1
    f.online += d.channel == Channel.ONLINE
    f.digitized += digitized
    if d.timeliness in ("SOM_HAN", "DUNG_HAN"):
        f.on_time += 1
    elif d.timeliness == "QUA_HAN" or (d.state not in FINAL_STATES and ds.is_overdue_now(conn, d, today, calendar)):
        f.overdue += 1


def _one(conn, rng: random.Random, cal, today: dt.date, files: FileStore | None, catalog: dict, *,
         seed: int, seq: int, year: int, day: dt.date, service: str, online: bool, holder: _Holder,
         notary_ok: bool) -> tuple[ds.Dossier, bool]:
    """One dossier, as far as ``today``; returns it and whether its documents are all digitized."""
    code = f"HS-{day:%Y%m%d}-{seq:05d}"
    hour = rng.randint(0, 23) if online else rng.randint(7, 16)
    submitted = dt.datetime.combine(day, dt.time(hour, rng.randrange(60)), tzinfo=VN_TZ)
    clock = _Clock(cal, today, submitted)
    payload: dict = {}
    if service == "CHUYEN_QUYEN":
        buyers = [_person(rng) for _ in range(rng.choice((1, 1, 1, 2)))]
        shares = ["1"] if len(buyers) == 1 else ["0.5", "0.5"]
        payload["new_holders"] = [{**b, "share": s} for b, s in zip(buyers, shares, strict=True)]
    elif service == "DK_BIEN_DONG_THONG_TIN":
        payload = {"address": f"Tổ {rng.randint(1, 30)}, khu phố {rng.randint(1, 9)}",
                   "party_id": holder.party_id}
    elif service == "NGHIA_VU_TAI_CHINH":
        payload = {"obligations": [{"kind": "LE_PHI_TRUOC_BA", "status": "DA_NOP",
                                    "amount": rng.randint(5, 80) * 100_000}]}
    d = None
    if service == "CHUYEN_QUYEN" and online and notary_ok and rng.random() < P_NOTARY:
        # a holder not yet matched with the population register has no personal number in the
        # store: the notary read it from the ID card (synthetic here)
        seller = holder.personal_number or _person(rng)["personal_number"]
        b = payload["new_holders"]
        contract = {
            "contract_no": f"{seq}/{year}/CCGD", "notary_office": "Văn phòng công chứng số 1 tỉnh",
            "notarized_on": (day - dt.timedelta(days=rng.randint(0, 5))).isoformat(),
            "kind": rng.choice(("CHUYEN_NHUONG", "CHUYEN_NHUONG", "CHUYEN_NHUONG", "TANG_CHO", "THUA_KE")),
            "parcel": None, "transferors": [{"personal_number": seller, "name": holder.name}],
            "transferees": b, "price": rng.randint(3, 60) * 100_000_000}
        p = conn.execute(select(parcels.c.commune_code, parcels.c.sheet_no, parcels.c.parcel_no)
                         .where(parcels.c.id == holder.parcel_id)).one()
        contract["parcel"] = {"ma_xa": p.commune_code, "so_to": p.sheet_no, "so_thua": p.parcel_no}
        try:
            d, _ = m46.receive_notary_contract(conn, contract, actor="congchung", at=submitted, code=code)
        except DossierError:
            d = None
    if d is None:
        d, _ = ds.create_dossier(
            conn, service_code=service, applicant_name=holder.name, applicant_personal_number=holder.personal_number,
            applicant_party_id=holder.party_id, parcel_id=holder.parcel_id,
            channel=Channel.ONLINE if online else Channel.TRUC_TIEP,
            actor="cong-thong-tin" if online else "motcua", role=Role.CLERK, payload=payload,
            idempotency_key=f"synth-{year}-{seed}-{seq}" if online else None, code=code, at=submitted)
    scanned = online or rng.random() < 0.85
    if files is not None:
        required = [x.code for x in catalog[service].documents if x.required] or ["DON"]
        for comp in required:
            add_document(conn, files, d.id, component_code=comp, file_name=f"{comp.lower()}.pdf",
                         data=_document(code, comp, seed), by="motcua", media_type="application/pdf",
                         digitized=scanned, at=submitted)
    digitized = files is not None and scanned

    def move(to, role, at, **kw):
        nonlocal d
        d = ds.transition(conn, d.id, to, actor=f"synth-{role}", role=role, at=at, calendar=cal, **kw)

    try:
        if rng.random() < P_REJECT_AT_DESK:
            move(State.TU_CHOI, Role.CLERK, clock.later(0), reason="Hồ sơ không thuộc thẩm quyền giải quyết")
            return d, digitized
        # received: at the desk at once; online within the next working hours
        move(State.DA_TIEP_NHAN, Role.CLERK, clock.later(0) if online else submitted)
        move(State.DANG_XU_LY, Role.DATA_OFFICER, clock.later(rng.choice((0, 0, 1))))
        fate = rng.random()
        if fate < P_WITHDRAW:
            move(State.RUT, Role.CLERK, clock.later(rng.randint(0, 3)), reason="Người nộp rút hồ sơ")
            return d, digitized
        if fate < P_WITHDRAW + P_REJECT:
            move(State.TU_CHOI, Role.MANAGER, clock.later(rng.randint(1, 3)), reason=rng.choice(_REJECT_REASONS))
            return d, digitized
        if rng.random() < P_SUPPLEMENT:
            move(State.YEU_CAU_BO_SUNG, Role.CLERK, clock.later(0), reason=rng.choice(_SUPPLEMENT_REASONS))
            move(State.DANG_XU_LY, Role.CLERK, clock.later(rng.randint(1, 6)))
        if rng.random() < 0.5:
            move(State.DANG_XU_LY, Role.DATA_OFFICER, clock.later(rng.choice((0, 1))), step=Step.KIEM_TRA_THUC_DIA)
        if rng.random() < P_TAX.get(service, 0):
            d, message = m46.refer_to_tax(conn, d.id, actor="synth-can_bo_du_lieu", at=clock.later(0),
                                          calendar=cal)
            ob.mark_sent(conn, message.id, at=clock.t + dt.timedelta(minutes=5))
            notice_no = f"TB-{year}-{seq:05d}"
            amount = rng.randint(2, 90) * 500_000
            d, _ = m46.receive_tax_notice(conn, {"dossier_code": d.code, "notice_no": notice_no, "kind": "THONG_BAO",
                                                 "amount": amount}, actor="thue", at=clock.later(rng.choice((0, 1))),
                                          calendar=cal)
            d, _ = m46.receive_tax_notice(conn, {"dossier_code": d.code, "notice_no": notice_no, "kind": "DA_NOP",
                                                 "receipt_no": f"BL-{seq:06d}"}, actor="thue",
                                          at=clock.later(rng.randint(1, 7)), calendar=cal)
        due = d.due_date
        if rng.random() < P_LATE:
            finish = cal.add_working_days(due, rng.randint(1, 4))
        else:
            finish = _back(cal, due, rng.choice((0, 0, 1, 1, 2)))
        move(State.CHO_PHE_DUYET, Role.DATA_OFFICER, clock.on(finish, 8))
        try:
            move(State.DA_PHE_DUYET, Role.MANAGER, clock.later(0, hours=2))
        except DossierError as exc:  # the land data refuses the result: the manager rejects
            move(State.TU_CHOI, Role.MANAGER, clock.t, reason=f"Không cập nhật được dữ liệu: {exc}"[:300])
            return d, digitized
        move(State.DA_TRA_KET_QUA, Role.CLERK, clock.later(0, hours=2))
        if files is not None:
            add_document(conn, files, d.id, component_code=RESULT_COMPONENT, file_name="ket_qua.pdf",
                         data=_document(code, RESULT_COMPONENT, seed), by="motcua", media_type="application/pdf",
                         digitized=True, at=clock.t)
    except _Stop:
        pass
    return d, digitized
