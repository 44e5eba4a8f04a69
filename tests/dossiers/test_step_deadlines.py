"""Per-step deadlines from the catalog's step limits: the planned schedule (hand-counted),
pauses moving it, the disadvantaged-commune scaling, and where an open dossier stands."""

from __future__ import annotations

import datetime as dt

from datdai.dossiers import dossiers as ds
from datdai.dossiers.catalog import default_catalog
from datdai.dossiers.step_deadlines import step_schedule, step_status
from tests.dossiers.dossier_helpers import AN, at, go, load_land, parcel_id


def _dues(schedule):
    return {s.code: s.due for s in schedule}


def test_transfer_schedule_counted_by_hand():
    """CHUYEN_QUYEN received Mon 2/6/2025. Cumulative limits 0.5, 1, 3.5, 4, 5, (payment), 6.5,
    7.5, 8 → whole working days 1, 1, 4, 4, 5, –, 7, 8, 8 after the 2nd:
    Tue 3, Tue 3, Fri 6, Fri 6, Mon 9, –, Wed 11, Thu 12, Thu 12 June."""
    s = step_schedule(default_catalog()["CHUYEN_QUYEN"], dt.date(2025, 6, 2))
    d = dt.date
    assert _dues(s) == {
        "TIEP_NHAN": d(2025, 6, 3), "KIEM_TRA_DAN_CU": d(2025, 6, 3), "KIEM_TRA_HO_SO": d(2025, 6, 6),
        "CHUYEN_THUE": d(2025, 6, 6), "XAC_DINH_NGHIA_VU": d(2025, 6, 9), "NOP_NGHIA_VU": None,
        "PHE_DUYET": d(2025, 6, 11), "CAP_NHAT_CSDL": d(2025, 6, 12), "TRA_KET_QUA": d(2025, 6, 12)}


def test_a_pause_moves_the_later_steps():
    """Tax payment paused from Thu 5/6 to Wed 11/6: Fri 6, Mon 9, Tue 10, Wed 11 not counted
    (4 days): a step due Fri 6/6 becomes Thu 12/6; the last one 12/6 → 18/6."""
    s = step_schedule(default_catalog()["CHUYEN_QUYEN"], dt.date(2025, 6, 2),
                      pauses=[(dt.date(2025, 6, 5), dt.date(2025, 6, 11))])
    assert _dues(s)["TIEP_NHAN"] == dt.date(2025, 6, 3)
    assert _dues(s)["KIEM_TRA_HO_SO"] == dt.date(2025, 6, 12)
    assert _dues(s)["TRA_KET_QUA"] == dt.date(2025, 6, 18)


def test_disadvantaged_commune_scales_the_steps():
    """DK_BIEN_DONG_THONG_TIN: 4 days, 14 in a disadvantaged commune (× 3.5). Received Mon
    3/3/2025: the last step is due 14 working days later (4–7, 10–14, 17–21 March), Fri 21/3;
    the first (0.5 × 3.5 = 1.75 → 2 days) on Wed 5/3."""
    s = step_schedule(default_catalog()["DK_BIEN_DONG_THONG_TIN"], dt.date(2025, 3, 3),
                      disadvantaged=True)
    assert s[0].limit_days == 1.75 and s[0].due == dt.date(2025, 3, 5)
    assert s[-1].due == dt.date(2025, 3, 21)


def test_where_an_open_transfer_stands(store):
    load_land(store)
    with store.transaction() as conn:
        d, _ = ds.create_dossier(
            conn, service_code="CHUYEN_QUYEN", applicant_name="Nguyễn Văn An",
            applicant_personal_number=AN, parcel_id=parcel_id(conn, 1), actor="motcua",
            role="mot_cua", at=at("2025-06-02", 8),
            payload={"new_holders": [{"personal_number": "079090001111", "name": "Lê Văn Cường",
                                      "share": 1}]})
        d = go(conn, d, "DA_TIEP_NHAN", "mot_cua", "2025-06-02")
        st = step_status(conn, d, dt.date(2025, 6, 2))
        assert st.current.code == "KIEM_TRA_DAN_CU" and st.current.due == dt.date(2025, 6, 3)
        assert not st.overdue and st.due_within_one_day
        d = go(conn, d, "DANG_XU_LY", "can_bo_du_lieu", "2025-06-03")
        assert step_status(conn, d, dt.date(2025, 6, 3)).current.code == "KIEM_TRA_DAN_CU"
        # still checking the applicant on Wed 4/6: that step was due Tue 3/6
        late = step_status(conn, d, dt.date(2025, 6, 4))
        assert late.overdue and late.current.due == dt.date(2025, 6, 3)
        d = go(conn, d, "CHO_PHE_DUYET", "can_bo_du_lieu", "2025-06-05")
        st = step_status(conn, d, dt.date(2025, 6, 5))
        assert st.current.code == "PHE_DUYET" and st.current.due == dt.date(2025, 6, 11)
        assert not st.overdue and not st.due_within_one_day
