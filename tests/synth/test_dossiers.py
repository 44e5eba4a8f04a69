"""A generated year of dossiers: the generator's own counts, the monthly statistics and an
independent count over the dossiers table agree, month by month and service by service."""

from __future__ import annotations

import datetime as dt
from collections import Counter, defaultdict

import pytest
from sqlalchemy import func, select

from datdai.db.files import FileStore
from datdai.db.schema import (
    audit_changes,
    dossier_documents,
    dossier_pauses,
    dossiers,
    outbox,
    services,
)
from datdai.db.store import open_store
from datdai.dossiers.calendar import default_calendar
from datdai.dossiers.lifecycle import VN_TZ
from datdai.dossiers.stats import monthly_stats
from datdai.land import repository
from datdai.synth.dossiers import generate_dossiers

YEAR, TODAY = 2025, dt.date(2025, 12, 19)
FIELDS = ("total", "online", "on_time", "overdue", "digitized")


def _load(store, synthetic_province):
    result, folder = synthetic_province
    with store.transaction() as conn:
        repository.load_dataset(conn, result.land, actor="t", source="tỉnh giả lập", reason="test")
        repository.replace_citizens(conn, result.citizens, source=str(folder / "dan_cu.csv"))


def _vn_date(value: dt.datetime) -> dt.date:
    if value.tzinfo is None:  # SQLite gives UTC back without a zone
        value = value.replace(tzinfo=dt.UTC)
    return value.astimezone(VN_TZ).date()


def _independent(conn, as_of: dt.date) -> dict[tuple[str, str], Counter]:
    """The monthly figures from the tables, by the definitions of the report, without services.stats."""
    cal = default_calendar()
    limits = dict(conn.execute(select(services.c.code, services.c.limit_days)).all())
    docs: dict[int, list[bool]] = defaultdict(list)
    for dossier_id, digitized in conn.execute(select(dossier_documents.c.dossier_id, dossier_documents.c.digitized)):
        docs[dossier_id].append(bool(digitized))
    stops = defaultdict(list)
    for p in conn.execute(select(dossier_pauses)):
        stops[p.dossier_id].append((p.paused_from, p.paused_to or as_of))
    out: dict[tuple[str, str], Counter] = defaultdict(Counter)
    for d in conn.execute(select(dossiers).where(dossiers.c.received_at.is_not(None))):
        received = _vn_date(d.received_at)
        c = out[(f"{received:%Y-%m}", d.service_code)]
        c["total"] += 1
        c["online"] += d.channel == "ONLINE"
        c["digitized"] += bool(docs[d.id]) and all(docs[d.id])
        if d.state in ("DA_TRA_KET_QUA", "TU_CHOI"):
            on_time = _vn_date(d.finished_at) <= d.due_date
            assert (d.timeliness in ("SOM_HAN", "DUNG_HAN")) == on_time, d.code
            c["on_time" if on_time else "overdue"] += 1
        elif d.state != "RUT":
            # working days counted since receipt up to the day before as_of, pauses (s, e] not counted
            counted, day = 0, received
            while day < as_of - dt.timedelta(days=1):
                day += dt.timedelta(days=1)
                paused = any(s < day <= e for s, e in stops[d.id])
                counted += cal.is_working_day(day) and not paused
            c["overdue"] += counted >= limits[d.service_code]
    return out


def test_a_year_of_dossiers_matches_the_statistics(store, synthetic_province, tmp_path):
    _load(store, synthetic_province)
    with store.transaction() as conn:
        summary = generate_dossiers(conn, year=YEAR, seed=11, per_month=12, today=TODAY,
                                    files=FileStore(tmp_path / "files"))
    assert 120 <= summary.created <= 180
    states = summary.by_state
    assert states["DA_TRA_KET_QUA"] > summary.created * 0.7
    assert states["TU_CHOI"] > 0 and states["RUT"] > 0
    assert sum(n for s, n in states.items() if s not in ("DA_TRA_KET_QUA", "TU_CHOI", "RUT")) > 0  # still open
    with store.read() as conn:
        independent = _independent(conn, TODAY)
        assert sum(c["total"] for c in independent.values()) > 100
        months = sorted({m for m, _ in independent})
        assert months[0] == "2025-01" and months[-1] == "2025-12"
        for month in months:
            for row in monthly_stats(conn, month, as_of=TODAY):
                key = (month, row.service_code)
                mine = summary.figures.get(key)
                got = tuple(getattr(row, f) for f in FIELDS)
                assert got == tuple(getattr(mine, f) if mine else 0 for f in FIELDS), key
                assert got == tuple(independent[key][f] for f in FIELDS), key
        # the three essential services and some others; pauses of both kinds; Model 46 at work
        by_service = {s for _, s in independent}
        assert {"CHUYEN_QUYEN", "DK_BIEN_DONG_THONG_TIN", "NGHIA_VU_TAI_CHINH"} <= by_service
        assert len(by_service) > 3
        kinds = set(conn.execute(select(dossier_pauses.c.kind)).scalars())
        assert kinds == {"BO_SUNG", "CHO_THUE"}
        assert conn.execute(select(func.count()).where(dossiers.c.notary_contract_no.is_not(None))).scalar_one() > 0
        assert conn.execute(select(func.count()).select_from(outbox)).scalar_one() > 0
        totals = Counter()
        for (m, _), c in independent.items():
            totals[(m <= "2025-06", "total")] += c["total"]
            totals[(m <= "2025-06", "online")] += c["online"]
        first_half = totals[(True, "online")] / totals[(True, "total")]
        second_half = totals[(False, "online")] / totals[(False, "total")]
        assert 0.2 < first_half < second_half < 0.75
        on_time = sum(c["on_time"] for c in independent.values())
        overdue = sum(c["overdue"] for c in independent.values())
        assert overdue > 0 and on_time > 4 * overdue
        # every state change went through the audit trail
        audited = conn.execute(select(func.count()).select_from(audit_changes)
                               .where(audit_changes.c.entity == "dossiers")).scalar_one()
        assert audited >= summary.created * 3


def test_deterministic_for_a_seed(synthetic_province, tmp_path):
    def run(name: str, seed: int):
        s = open_store(f"sqlite:///{tmp_path / name}.db", create=True)
        try:
            _load(s, synthetic_province)
            with s.transaction() as conn:
                summary = generate_dossiers(conn, year=YEAR, seed=seed, per_month=3, today=TODAY)
            with s.read() as conn:
                rows = conn.execute(select(dossiers.c.code, dossiers.c.service_code, dossiers.c.channel,
                                           dossiers.c.state, dossiers.c.due_date, dossiers.c.timeliness)
                                    .order_by(dossiers.c.code)).all()
            return [tuple(r) for r in rows], {k: vars(v) for k, v in summary.figures.items()}
        finally:
            s.close()

    a, b, c = run("a", 5), run("b", 5), run("c", 6)
    assert a == b and a[0] and a != c


def test_needs_land_data(store):
    with store.transaction() as conn, pytest.raises(ValueError, match="thửa đất"):
        generate_dossiers(conn, year=YEAR, seed=1)
