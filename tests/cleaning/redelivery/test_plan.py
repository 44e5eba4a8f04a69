"""The per-parcel plan on the hand-made delivery (tests/cleaning/deliveries.py): the geometry
tolerance, what is and is not a change of holders, a person's correction against the delivery,
and the warning when stored map sheets are missing from the delivery."""

from __future__ import annotations

import pyarrow as pa
import shapely

from datdai.cleaning.findings import Status
from datdai.cleaning.redelivery.plan import GEOMETRY_TOLERANCE_M, Kind, compute_plan, holder_keys
from datdai.cleaning.store_findings import set_status
from datdai.cleaning.to_dataset import delivery_to_dataset
from datdai.db import schema as s
from tests.cleaning.deliveries import SRID, hand_parcels, hand_register, store_hand_delivery


def _with(table: pa.Table, column: str, values: list) -> pa.Table:
    i = table.column_names.index(column)
    return table.set_column(i, table.schema.field(i), pa.array(values, table.schema.field(i).type))


def _moved(parcels: pa.Table, row: int, dx: float) -> list:
    wkb = parcels["geometry"].to_pylist()
    wkb[row] = shapely.to_wkb(shapely.affinity.translate(shapely.from_wkb(wkb[row]), dx, 0.0))
    return wkb


def _plan(conn, parcels, register):
    data, _ = delivery_to_dataset(parcels, register, SRID)
    return compute_plan(conn, data)


def test_holder_keys_ignore_case_spacing_prefix_and_lost_zeros():
    a = holder_keys(["Nguyễn Văn An", "NGUYỄN  VĂN AN", "Ông Nguyễn Văn An"],
                    ["070065001234", "70065001234", "070 065 001 234"])
    assert a[0] == a[1] == a[2]
    assert holder_keys(["Nguyễn Văn Anh"], ["070065001234"]) != a[:1]
    # namesakes without papers: told apart by the birth year
    b = holder_keys(["Lê Văn Cường", "Lê Văn Cường"], [None, None], [1970, 1985])
    assert b[0] != b[1]


def test_the_same_delivery_plans_nothing(store):
    with store.transaction() as conn:
        store_hand_delivery(conn, fixes=False)
    with store.read() as conn:
        plan = _plan(conn, hand_parcels(), hand_register())
    assert plan.changes == [] and plan.unchanged == 9 and plan.counts()["KHONG_DOI"] == 9
    assert plan.missing_sheets == [] and plan.warnings() == []


def test_tolerance_holders_corrections_and_missing_sheets(store):
    with store.transaction() as conn:
        store_hand_delivery(conn, fixes=False)
        area = conn.execute(s.findings.select().where(s.findings.c.rule_code == "AREA_MISMATCH")).first()
        set_status(conn, area.id, Status.FIXED, actor="can-bo", value="150")  # 25198/2/2: 200 → 150
    parcels, register = hand_parcels(), hand_register()
    wkb = _moved(parcels, 0, GEOMETRY_TOLERANCE_M / 5)  # 25195/1/1: 1 cm, not a change
    wkb = _moved(parcels.set_column(7, "geometry", pa.array(wkb, pa.binary())), 1, 0.5)  # 1/2: 50 cm
    parcels = parcels.set_column(7, "geometry", pa.array(wkb, pa.binary()))
    names = register["ten_chu"].to_pylist()
    names[0] = "ÔNG  NGUYỄN VĂN AN"  # row 2: the same person, written otherwise: no change
    names[5] = "Trần Văn Mới"  # row 7 (25195/1/5): another holder
    register = _with(register, "ten_chu", names)
    with store.read() as conn:
        plan = _plan(conn, parcels, register)
        # the register area the person corrected, delivered as before: the correction stands
        assert {c.key for c in plan.changes} == {("25195", 1, 2), ("25195", 1, 5)}
        assert [c.kinds for c in plan.changes] == [[Kind.GEOMETRY], [Kind.OWNERS]]
        assert 0.45 < plan.changes[0].shift_m < 0.55
        assert plan.changes[1].holders_old == ["Lê Văn Cường"] and plan.changes[1].holders_new == ["Trần Văn Mới"]
        # delivered otherwise: a conflict, the store's value kept; and a missing sheet is said
        areas = register["dien_tich"].to_pylist()
        areas[9] = 180.0
        keep = pa.array([not (k == "25195" and s_ == "1" and n == "7")
                         for k, s_, n in zip(parcels["ma_xa"].to_pylist(), parcels["so_to"].to_pylist(),
                                             parcels["so_thua"].to_pylist(), strict=True)])
        reg_keep = pa.array([r != 9 for r in register["row"].to_pylist()])
        plan = _plan(conn, parcels.filter(keep), _with(register, "dien_tich", areas).filter(reg_keep))
    conflict = next(c for c in plan.changes if Kind.CONFLICT in c.kinds)
    assert conflict.key == ("25198", 2, 2) and Kind.ATTRIBUTES not in conflict.kinds
    f = conflict.fields[0]
    assert (f.column, f.old, f.new, f.delivered, f.conflict) == ("legal_area", 150.0, 180.0, 200.0, True)
    assert conflict.updates == {}
    assert {c.key for c in plan.of(Kind.REMOVED)} == {("25195", 1, 7)}
    assert plan.missing_sheets == []
    # a whole sheet left out: said before anything is applied
    keep = pa.array([k != "25198" for k in parcels["ma_xa"].to_pylist()])
    with store.read() as conn:
        plan = _plan(conn, parcels.filter(keep), register.filter(
            pa.array([k != "25198" for k in register["ma_xa"].to_pylist()])))
    assert plan.communes == ["25195"] and plan.missing_sheets == []  # the commune is not delivered
    sheet_kept = pa.array([not (k == "25195" and s_ == "1") or n == "1" for k, s_, n in zip(
        parcels["ma_xa"].to_pylist(), parcels["so_to"].to_pylist(), parcels["so_thua"].to_pylist(), strict=True)])
    moved = _with(parcels.filter(sheet_kept), "so_to", ["3" if k == "25195" else t for k, t in zip(
        parcels.filter(sheet_kept)["ma_xa"].to_pylist(), parcels.filter(sheet_kept)["so_to"].to_pylist(),
        strict=True)])
    with store.read() as conn:
        plan = _plan(conn, moved, register.filter(pa.array([k != "25195" for k in register["ma_xa"].to_pylist()])))
    assert plan.missing_sheets == [("25195", 1, 7)]
    assert "25195 tờ 1 (7 thửa)" in plan.warnings()[0]
