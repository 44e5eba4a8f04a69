"""Precision guards of the application, bad result files, C06's results, on both backends."""

from __future__ import annotations

from collections import defaultdict

import pytest
from sqlalchemy import func, select

from datdai.cleaning.readers.errors import DeliveryError
from datdai.db import schema as s
from datdai.db.audit import AuditTrail
from datdai.matching.reconciliation import (
    ReconcileError,
    apply_results,
    decide,
    import_c06_results,
    record_result,
    review_queue,
)
from tests.matching.reconciliation import load_province, parties_by_id, table_rows, write_result


def _count(conn, table):
    return conn.execute(select(func.count()).select_from(table)).scalar_one()


def _khop(ma_dong, number, name="Tên Sổ Hộ Tịch", born="02/03/1965", gender="Nam"):
    return {"ma_dong": ma_dong, "ket_qua": "KHOP", "so_dinh_danh": number, "diem": "0.99", "ly_do": "ID_EXACT",
            "ho_ten_chuan": name, "ngay_sinh_chuan": born, "gioi_tinh_chuan": gender, "cccd_chuan": number}


@pytest.fixture
def province(store, synthetic_province, tmp_path):
    land, folder = synthetic_province
    prov = load_province(store, land, folder, tmp_path / "p", reconcile=False)
    with store.read() as conn:
        links = {r.ma_dong: r for r in conn.execute(select(s.c06_export_rows))}
        parties = parties_by_id(conn)
    return prov, links, parties


def _pick(links, parties, n, *, kind="CA_NHAN", exclude=()):
    """n export rows of n different person parties with different names."""
    out, names, ids = [], set(), set(exclude)
    for m, link in sorted(links.items()):
        p = parties[link.party_id]
        if p["kind"] == kind and p["id"] not in ids and p["full_name"] not in names:
            out.append(m)
            names.add(p["full_name"])
            ids.add(p["id"])
        if len(out) == n:
            return out
    raise AssertionError("not enough rows")


def _result(conn, ma_dong, run_id):
    r = s.reconcile_results
    return conn.execute(select(r).where(r.c.ma_dong == ma_dong, r.c.run_id == run_id)).one()


def test_guards(store, province, tmp_path):
    prov, links, parties = province
    a, b, c, d, g, e, f = _pick(links, parties, 7)
    org = _pick(links, parties, 1, kind="TO_CHUC")[0]
    rows_by_party = defaultdict(list)
    for m, link in links.items():
        rows_by_party[link.party_id].append(m)
    two = next(ms for pid, ms in sorted(rows_by_party.items())
               if len(ms) >= 2 and parties[pid]["kind"] == "CA_NHAN" and
               pid not in {links[x].party_id for x in (a, b, c, d, g, e, f)})
    with store.transaction() as conn:
        trail = AuditTrail(conn, actor="t", source="chuẩn bị", reason="test")
        # e gets f's name: two records of one person; g already holds another number
        trail.update("parties", links[e].party_id, {"full_name": parties[links[f].party_id]["full_name"]})
        trail.update("parties", links[g].party_id, {"personal_number": "070000000004"})
    with store.read() as conn:
        before = parties_by_id(conn)
    first = write_result(tmp_path / "kq1.csv", [
        _khop(a, "070000000001"), _khop(b, "070000000001"),  # one number, two different names
        _khop(c, "070000000002"),
        _khop(e, "070000000003"), _khop(f, "070000000003"),  # one number, the same name
        _khop(g, "070000000005"),  # the party holds another number
        _khop(org, "070000000006"),  # an organisation
        _khop(two[0], "070000000007"), _khop(two[1], "070000000008"),  # one party, two numbers
    ])
    with store.transaction() as conn:
        run1 = record_result(conn, first, export_id=prov.export_id, actor="t")
        out = apply_results(conn, run1, actor="t")
    assert (out.applied, out.conflicts, out.skipped) == (3, 5, 1)
    with store.read() as conn:
        now = parties_by_id(conn)
        status = {m: _result(conn, m, run1) for m in (a, b, c, e, f, g, org, *two[:2])}
        queue = {x.ma_dong: x for x in review_queue(conn, limit=None, mask=False)}
    for m in (a, b):
        assert status[m].status == "MO" and status[m].review_reason.startswith("SO_DINH_DANH_TRUNG")
        assert now[links[m].party_id] == before[links[m].party_id]
    for m in two[:2]:
        assert status[m].status == "MO" and status[m].review_reason.startswith("NHIEU_SO_DINH_DANH")
    assert status[g].status == "MO" and status[g].review_reason.startswith("DA_CO_SO_KHAC")
    assert now[links[g].party_id] == before[links[g].party_id]
    assert status[org].status == "DONG" and now[links[org].party_id] == before[links[org].party_id]
    for m in (c, e, f):
        assert status[m].status == "DA_AP_DUNG"
    assert now[links[e].party_id]["personal_number"] == now[links[f].party_id]["personal_number"] == "070000000003"
    assert set(queue) == {a, b, g, *two[:2]} and queue[g].candidates[0].so_dinh_danh == "070000000005"

    # a later file gives c's number to another person: the store already holds it
    second = write_result(tmp_path / "kq2.csv", [_khop(d, "070000000002")])
    with store.transaction() as conn:
        run2 = record_result(conn, second, export_id=prov.export_id, actor="t")
        out2 = apply_results(conn, run2, actor="t")
        assert (out2.applied, out2.conflicts) == (0, 1)
        assert _result(conn, d, run2).review_reason.startswith("SO_DINH_DANH_TRUNG")
    # a person looks and confirms the new number of g: applied, the old one kept in the audit trail
    with store.transaction() as conn:
        decide(conn, status[g].id, decision="CHON", chosen_number="070000000005",
               reason="đã đối chiếu CCCD gắn chip", actor="an")
        out3 = apply_results(conn, run1, actor="t")
    assert (out3.applied, out3.conflicts) == (1, 0)
    with store.read() as conn:
        assert parties_by_id(conn)[links[g].party_id]["personal_number"] == "070000000005"


def _stored(conn):
    return (_count(conn, s.reconcile_runs), _count(conn, s.reconcile_results))


@pytest.mark.parametrize("rows, where", [
    ([{"ma_dong": "D9999999", "ket_qua": "KHONG_KHOP"}], ("dòng 3", "cột 'ma_dong'", "D9999999")),
    ([{"ket_qua": "DUNG"}], ("dòng 3", "cột 'ket_qua'", "DUNG")),
    ([{"ket_qua": "KHOP", "so_dinh_danh": "07000000001"}], ("dòng 3", "cột 'so_dinh_danh'", "12")),
    ([{"ket_qua": "CAN_XAC_MINH", "so_dinh_danh": "070000000001;abc"}], ("dòng 3", "cột 'so_dinh_danh'")),
    ([{"ket_qua": "KHOP", "so_dinh_danh": "070000000001", "gioi_tinh_chuan": "M"}],
     ("dòng 3", "cột 'gioi_tinh_chuan'")),
    ([{"ket_qua": "KHOP", "so_dinh_danh": "070000000001", "ngay_sinh_chuan": "31/02/1990"}],
     ("dòng 3", "cột 'ngay_sinh_chuan'")),
    ([{"ket_qua": "KHONG_KHOP", "diem": "1.5"}], ("dòng 3", "cột 'diem'")),
])
def test_bad_result_files_store_nothing(store, province, tmp_path, rows, where):
    prov, links, parties = province
    first, second = sorted(links)[:2]
    good = {"ma_dong": first, "ket_qua": "KHONG_KHOP", "diem": "0", "ly_do": "NO_CANDIDATE"}
    bad = {"ma_dong": second, "ket_qua": "KHONG_KHOP", **rows[0]}
    path = write_result(tmp_path / "kq.csv", [good, bad])
    with store.transaction() as conn:
        with pytest.raises(DeliveryError) as info:
            record_result(conn, path, export_id=prov.export_id, actor="t")
        assert _stored(conn) == (0, 0)
    text = str(info.value)
    assert "kq.csv" in text
    for w in where:
        assert w in text, text


def test_bad_header_repeated_row_unknown_export(store, province, tmp_path):
    prov, links, _ = province
    path = tmp_path / "kq.csv"
    path.write_text("ma_dong,ket_qua,so_dinh_danh\nD0000001,KHOP,070000000001\n", encoding="utf-8")
    with store.transaction() as conn:
        with pytest.raises(DeliveryError, match="thiếu cột / missing diem"):
            record_result(conn, path, export_id=prov.export_id, actor="t")
        m = sorted(links)[0]
        write_result(path, [{"ma_dong": m, "ket_qua": "KHONG_KHOP"}, {"ma_dong": m, "ket_qua": "KHONG_KHOP"}])
        with pytest.raises(DeliveryError, match="dòng 3, cột 'ma_dong': mã dòng .* lặp lại"):
            record_result(conn, path, export_id=prov.export_id, actor="t")
        with pytest.raises(ReconcileError, match="không có lần xuất #999"):
            record_result(conn, path, export_id=999, actor="t")
        path.write_bytes("ma_dong,ket_qua\nD1,Kh\xf4ng\n".encode("cp1258"))
        with pytest.raises(DeliveryError, match="UTF-8"):
            record_result(conn, path, export_id=prov.export_id, actor="t")
        assert _stored(conn) == (0, 0)


def test_import_c06_results(store, province, tmp_path):
    prov, links, parties = province
    a, b = _pick(links, parties, 2)
    path = write_result(tmp_path / "c06.csv", [
        _khop(a, "070000000011", name="Nguyễn Thị Hồng", born="1970", gender="Nữ"),
        {"ma_dong": b, "ket_qua": "CAN_XAC_MINH", "so_dinh_danh": "070000000012;070000000013", "diem": "0.7",
         "ly_do": "NAME_FUZZY;MULTIPLE_CANDIDATES"}])
    with store.transaction() as conn:
        run_id, out = import_c06_results(conn, path, export_id=prov.export_id, actor="c06")
        # again: the same run, nothing more to apply
        assert import_c06_results(conn, path, export_id=prov.export_id, actor="c06")[0] == run_id
    assert (out.applied, out.conflicts) == (1, 0)
    with store.read() as conn:
        run = conn.execute(select(s.reconcile_runs)).one()
        assert (run.source, run.file_name) == ("C06", "c06.csv")
        p = parties_by_id(conn)[links[a].party_id]
        assert (p["personal_number"], p["full_name"], p["birth_year"], p["gender"]) == (
            "070000000011", "Nguyễn Thị Hồng", 1970, "Nữ")
        before = parties[links[a].party_id]
        assert p["birth_date"] is None or before["birth_date"] is None or before["birth_date"].year == 1970
        case = review_queue(conn, mask=False)
        assert [c.ma_dong for c in case] == [b]
        assert [(c.so_dinh_danh, c.found) for c in case[0].candidates] == [
            ("070000000012", False), ("070000000013", False)]  # not in the extract: shown, marked
        assert case[0].reasons == ["NAME_FUZZY", "MULTIPLE_CANDIDATES"]
    # a bad file: nothing recorded, nothing applied
    bad = write_result(tmp_path / "c06-sai.csv", [_khop(b, "0700")])
    with store.transaction() as conn:
        with pytest.raises(DeliveryError):
            import_c06_results(conn, bad, export_id=prov.export_id, actor="c06")
        assert _count(conn, s.reconcile_runs) == 1
        with pytest.raises(ReconcileError, match="không có lần đối soát"):
            apply_results(conn, 999, actor="t")
    with store.read() as conn:
        assert table_rows(conn, s.reconcile_decision_events)  # the application left its events


def test_a_formula_like_name_round_trips_through_the_result_file(store, province, tmp_path):
    """``datdai reconcile`` writes a register name that looks like a formula with a leading quote
    (so that Excel shows text); ``nap-ket-qua`` stores the name itself, and a CSV edited by hand
    with a BOM reads the same."""
    import pyarrow as pa

    from datdai.matching.match import RESULT_COLUMNS
    from datdai.matching.result import write_result as write_result_file

    prov, links, parties = province
    (a,) = _pick(links, parties, 1)
    link = '=HYPERLINK("http://x","Bấm vào đây")'
    row = _khop(a, "070000000001", name=link)
    table = pa.table({c: [row[c]] for c in RESULT_COLUMNS})
    path = write_result_file(table, tmp_path / "kq.csv")
    raw = path.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf") and b"'=HYPERLINK" in raw
    with store.transaction() as conn:
        run = record_result(conn, path, export_id=prov.export_id, actor="t")
    with store.read() as conn:
        assert _result(conn, a, run).ho_ten_chuan == link
