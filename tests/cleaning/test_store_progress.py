"""Cleaning progress per commune, on the hand-made delivery (exact figures)."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from datdai.cleaning.store_findings import set_status
from datdai.cleaning.store_progress import commune_progress
from datdai.db import schema as s
from tests.cleaning.deliveries import store_hand_delivery


def _by_code(conn, **kw):
    return {c.commune_code: c for c in commune_progress(conn, **kw)}


def test_progress_figures(store):
    with store.transaction() as conn:
        store_hand_delivery(conn)
    with store.read() as conn:
        figures = _by_code(conn)
    assert list(figures) == ["25195", "25198"]
    a, b = figures["25195"], figures["25198"]
    # 25195: 6 features + the register-only parcel 1/4; 10 findings, 6 fixed automatically;
    # open errors on 1/4 (MISSING_IN_MAP, ID_MISSING), 1/5 and 1/6 (ID_MISSING)
    assert (a.parcels, a.parcels_checked, a.count(), a.auto_fixed) == (7, 7, 10, 6)
    assert a.count("MO") == 4 and a.findings["ID_MISSING"] == {"MO": 3}
    assert a.findings["LEGACY_ENCODING"] == {"TU_SUA": 2}
    assert (a.parcels_open_errors, a.parcels_blocked) == (3, 3)
    assert a.clean_pct == pytest.approx(100 * 4 / 7)
    assert (b.parcels, b.parcels_checked, b.count(), b.auto_fixed) == (2, 2, 2, 1)
    assert (b.parcels_open_errors, b.parcels_blocked, b.clean_pct) == (1, 1, 50.0)
    assert a.last_checked_at is not None

    with store.transaction() as conn:
        f = s.findings
        area = conn.execute(select(f.c.id).where(f.c.rule_code == "AREA_MISMATCH")).scalar_one()
        set_status(conn, area, "CHAP_NHAN", actor="an", note="như hiện trạng")
        missing_16 = conn.execute(select(f.c.id).where(f.c.rule_code == "ID_MISSING", f.c.parcel_no == "6")).scalar_one()
        set_status(conn, missing_16, "BAC_BO", actor="an", note="đã có giấy tờ trong hồ sơ")
    with store.read() as conn:
        figures = _by_code(conn)
        only_b = commune_progress(conn, "25198")
    a, b = figures["25195"], figures["25198"]
    # accepted as it is: no longer open, still not clean
    assert (b.parcels_open_errors, b.parcels_blocked, b.clean_pct) == (0, 1, 50.0)
    assert b.findings["AREA_MISMATCH"] == {"CHAP_NHAN": 1}
    # dismissed: parcel 1/6 is clean now
    assert (a.parcels_open_errors, a.parcels_blocked) == (2, 2)
    assert a.clean_pct == pytest.approx(100 * 5 / 7)
    assert [c.commune_code for c in only_b] == ["25198"] and only_b[0].parcels == 2


def test_progress_of_an_empty_store_and_unchecked_commune(store):
    with store.read() as conn:
        assert commune_progress(conn) == []
    from datdai.land import repository
    from tests.land.factories import small_dataset

    with store.transaction() as conn:
        repository.load_dataset(conn, small_dataset(), actor="t", source="t", reason="t")
    with store.read() as conn:
        (c,) = commune_progress(conn)
    assert (c.commune_code, c.parcels, c.parcels_checked, c.clean_pct, c.checked) == ("25216", 3, 0, None, False)
