"""Reconciliation in the store on a small synthetic province: export → match → record → review →
decide → apply → progress → undo → apply again, on SQLite and PostgreSQL."""

from __future__ import annotations

import re
from collections import defaultdict

import pytest
from sqlalchemy import func, select

from datdai.db import schema as s
from datdai.matching.match import RESULT_COLUMNS as MATCHER_COLUMNS
from datdai.matching.reconciliation import (
    RESULT_COLUMNS,
    ReconcileError,
    apply_results,
    decide,
    decision_events,
    reconcile_progress,
    record_result,
    review_queue,
    undo_apply,
)
from tests.matching.reconciliation import load_province, parties_by_id, table_rows


def _count(conn, table, *where):
    q = select(func.count()).select_from(table)
    for w in where:
        q = q.where(w)
    return conn.execute(q).scalar_one()


def test_result_columns_follow_the_matcher():
    assert tuple(MATCHER_COLUMNS) == RESULT_COLUMNS


def test_export_records_which_party_and_parcel_each_row_was(store, synthetic_province, tmp_path):
    land, folder = synthetic_province
    prov = load_province(store, land, folder, tmp_path / "a", reconcile=False)
    rows = prov.owner_rows()
    with store.read() as conn:
        export = conn.execute(select(s.c06_exports).where(s.c06_exports.c.id == prov.export_id)).one()
        assert (export.row_count, export.actor, export.file_name) == (len(rows), "can-bo", "chu_su_dung.csv")
        links = {r.ma_dong: r for r in conn.execute(select(s.c06_export_rows)
                                                    .where(s.c06_export_rows.c.export_id == prov.export_id))}
        parties = parties_by_id(conn)
        parcels = {r["id"]: r for r in table_rows(conn, s.parcels)}
    assert set(links) == {r["ma_dong"] for r in rows}
    for r in rows:
        link = links[r["ma_dong"]]
        assert parties[link.party_id]["full_name"] == r["ho_ten"]
        parcel = parcels[link.parcel_id]
        assert (str(parcel["sheet_no"]), str(parcel["parcel_no"]), parcel["commune_code"]) == (
            r["to_so"], r["so_thua"], r["ma_xa"]) == (r["to_so"], r["so_thua"], link.commune_code)
    # the same store gives the same file again; each export is recorded
    from datdai.matching.c06_export import export_c06

    with store.read() as conn:
        again = export_c06(conn, tmp_path / "lai.csv", actor="can-bo")
    assert again.sha256 == export.sha256 and again.export_id != prov.export_id
    assert (tmp_path / "lai.csv").read_bytes() == prov.owners.read_bytes()
    with store.read() as conn:
        unrecorded = export_c06(conn, tmp_path / "khong-ghi.csv", record=False)
        assert unrecorded.export_id is None and _count(conn, s.c06_exports) == 2


def test_round_trip(store, synthetic_province, tmp_path):
    land, folder = synthetic_province
    prov = load_province(store, land, folder, tmp_path / "a")
    results = prov.result_rows()
    by_row = {r["ma_dong"]: r for r in results}
    with store.read() as conn:
        before_parties = table_rows(conn, s.parties)
        before_docs = table_rows(conn, s.identity_documents)
        assert all(p["personal_number"] is None for p in before_parties)
        links = {r.ma_dong: r for r in conn.execute(select(s.c06_export_rows))}

    with store.transaction() as conn:
        run_id = record_result(conn, prov.result, export_id=prov.export_id, actor="can-bo")
    with store.transaction() as conn:  # the same file again: the same run, nothing added
        assert record_result(conn, prov.result, export_id=prov.export_id, actor="khac") == run_id
    with store.read() as conn:
        assert _count(conn, s.reconcile_runs) == 1
        assert _count(conn, s.reconcile_results) == len(results)
        run = conn.execute(select(s.reconcile_runs)).one()
        assert run.counts["rows"] == len(results) and run.source == "DATDAI"
        assert run.counts["KHOP"] == sum(r["ket_qua"] == "KHOP" for r in results)

    # ---- the queue: every CAN_XAC_MINH, candidates side by side, masked by default
    review_rows = [r for r in results if r["ket_qua"] == "CAN_XAC_MINH"]
    assert len(review_rows) >= 3, "the synthetic province should give a few cases to review"
    with store.read() as conn:
        cases = review_queue(conn, limit=None, mask=False)
        masked = review_queue(conn, limit=None)
        page = review_queue(conn, limit=1, offset=1, mask=False)
        citizens = {c["so_dinh_danh"]: c for c in table_rows_citizens(conn)}
    assert [c.ma_dong for c in cases] == sorted((r["ma_dong"] for r in review_rows),
                                                key=lambda m: (links[m].commune_code, m))
    assert [c.result_id for c in page] == [cases[1].result_id]
    for case in cases:
        row = by_row[case.ma_dong]
        assert [c.so_dinh_danh for c in case.candidates] == row["so_dinh_danh"].split(";")
        assert case.reasons == row["ly_do"].split(";")
        assert case.land.party_id == links[case.ma_dong].party_id
        for cand in case.candidates:
            assert cand.found and cand.ho_ten == citizens[cand.so_dinh_danh]["ho_ten"]
            assert cand.ngay_sinh == citizens[cand.so_dinh_danh]["ngay_sinh"]
    for case in masked:
        shown = [c.so_dinh_danh for c in case.candidates] + [c.so_cmnd or "" for c in case.candidates] + \
            [n for _, n in case.land.documents] + [case.land.personal_number or ""]
        assert not any(re.search(r"\d{9}", x) for x in shown), shown
        assert all(re.fullmatch(r"\d{4}", c.ngay_sinh) for c in case.candidates)
        assert case.land.birth is None or re.fullmatch(r"\d{4}", case.land.birth)

    # ---- decisions
    chosen, rejected, postponed = cases[0], cases[1], cases[2]
    with store.transaction() as conn:
        with pytest.raises(ReconcileError, match="lý do"):
            decide(conn, chosen.result_id, decision="CHON", chosen_number="1", reason=" ", actor="an")
        with pytest.raises(ReconcileError, match="không nằm trong"):
            decide(conn, chosen.result_id, decision="CHON", chosen_number="079999999999", reason="x", actor="an")
        with pytest.raises(ReconcileError, match="CHON, KHONG_KHOP, HOAN"):
            decide(conn, chosen.result_id, decision="DUYET", reason="x", actor="an")
        assert decide(conn, chosen.result_id, decision="HOAN", reason="chờ hồ sơ", actor="an") == "HOAN"
        number = chosen.candidates[0].so_dinh_danh
        assert decide(conn, chosen.result_id, decision="CHON", chosen_number=number,
                      reason="đối chiếu giấy tờ gốc", actor="an") == "CHO_AP_DUNG"
        assert decide(conn, rejected.result_id, decision="KHONG_KHOP", reason="khác người", actor="an") == "DONG"
        assert decide(conn, postponed.result_id, decision="hoan", reason="chờ xác minh", actor="an") == "HOAN"
        events = decision_events(conn, chosen.result_id)
        assert [(e.from_status, e.to_status, e.decision, e.actor) for e in events] == [
            ("MO", "HOAN", "HOAN", "an"), ("HOAN", "CHO_AP_DUNG", "CHON", "an")]
        assert events[-1].chosen_number == number and events[-1].reason == "đối chiếu giấy tờ gốc"
        khop = next(r for r in results if r["ket_qua"] == "KHOP")
        khop_id = conn.execute(select(s.reconcile_results.c.id).where(
            s.reconcile_results.c.ma_dong == khop["ma_dong"])).scalar_one()
        with pytest.raises(ReconcileError, match="không chờ xác minh"):
            decide(conn, khop_id, decision="KHONG_KHOP", reason="x", actor="an")

    # ---- apply
    with store.transaction() as conn:
        applied = apply_results(conn, run_id, actor="can-bo")
    assert applied.conflicts == 0 and applied.batch_id is not None
    n_khop = sum(r["ket_qua"] == "KHOP" for r in results)
    orgs = {m for m, link in links.items() if next(p for p in before_parties if p["id"] == link.party_id)["kind"] == "TO_CHUC"}
    assert applied.applied + applied.unchanged + applied.skipped == n_khop + 1
    with store.read() as conn:
        parties = parties_by_id(conn)
        docs = defaultdict(set)
        for d in table_rows(conn, s.identity_documents):
            docs[d["party_id"]].add((d["doc_type"], d["number"]))
        added = [d for d in table_rows(conn, s.identity_documents) if d["id"] > max(x["id"] for x in before_docs)]
        assert len(added) == applied.documents_added > 0
        assert all(d["doc_type"] == "CCCD" and re.fullmatch(r"\d{12}", d["number"]) for d in added)
        with pytest.raises(ReconcileError, match="đã được áp dụng"):
            decide(conn, chosen.result_id, decision="KHONG_KHOP", reason="đổi ý", actor="an")
    for r in results:
        if r["ket_qua"] != "KHOP" or r["ma_dong"] in orgs:
            continue
        p = parties[links[r["ma_dong"]].party_id]
        assert p["personal_number"] == r["so_dinh_danh"]
        assert p["full_name"] == r["ho_ten_chuan"]
        assert p["gender"] == r["gioi_tinh_chuan"]
        if len(r["ngay_sinh_chuan"]) == 10:
            assert p["birth_date"].strftime("%d/%m/%Y") == r["ngay_sinh_chuan"]
        assert p["birth_year"] == int(r["ngay_sinh_chuan"][-4:])
        # a CCCD document with the number, unless the party had one already (as recorded)
        assert r["cccd_chuan"] in {re.sub(r"\D", "", n) for _, n in docs[p["id"]]}
    chosen_party = parties[chosen.land.party_id]
    assert chosen_party["personal_number"] == number
    assert chosen_party["full_name"] == citizens[number]["ho_ten"]
    assert parties[rejected.land.party_id]["personal_number"] is None or any(
        by_row[m]["ket_qua"] == "KHOP" for m, link in links.items() if link.party_id == rejected.land.party_id)

    # ---- progress, against counts made here from the export rows, the file and the decisions
    def expected():
        kinds = {p["id"]: p["kind"] for p in before_parties}
        users = defaultdict(set)
        for link in links.values():
            if kinds[link.party_id] != "TO_CHUC":
                users[link.commune_code].add(link.party_id)
        matched = {links[r["ma_dong"]].party_id for r in results if r["ket_qua"] == "KHOP"}
        matched.add(chosen.land.party_id)
        review = {links[r["ma_dong"]].party_id for r in review_rows
                  if r["ma_dong"] != rejected.ma_dong and r["ma_dong"] != chosen.ma_dong} - matched
        now = parties_by_id_now()
        enriched = {pid for pid, p in now.items() if p["personal_number"] is not None}
        out = {}
        for code, ids in users.items():
            out[code] = (len(ids), len(ids & matched), len(ids & review),
                         len(ids - matched - review), len(ids & enriched))
        every = set().union(*users.values())
        out[None] = (len(every), len(every & matched), len(every & review), len(every - matched - review),
                     len(every & enriched))
        return out

    def parties_by_id_now():
        with store.read() as conn:
            return parties_by_id(conn)

    def figures():
        with store.read() as conn:
            prog = reconcile_progress(conn)
        out = {f.code: (f.land_users, f.matched, f.in_review, f.unmatched, f.enriched) for f in prog.communes}
        o = prog.overall
        out[None] = (o.land_users, o.matched, o.in_review, o.unmatched, o.enriched)
        assert all(f.not_reconciled == 0 for f in prog.communes)
        assert [(p.land_users, p.enriched) for p in prog.provinces] == [(o.land_users, o.enriched)]
        return out, prog

    got, prog = figures()
    assert got == expected()
    assert prog.overall.enriched == prog.overall.matched > 0
    assert f"/ {prog.overall.land_users:,}".replace(",", ".") in prog.overall.updated_text()

    # ---- applying again changes nothing
    with store.transaction() as conn:
        again = apply_results(conn, run_id, actor="can-bo")
    assert (again.applied, again.unchanged, again.conflicts, again.batch_id) == (0, 0, 0, None)
    with store.read() as conn:
        after_parties = table_rows(conn, s.parties)
        after_docs = table_rows(conn, s.identity_documents)

    # ---- undo restores every party exactly
    with store.transaction() as conn:
        with pytest.raises(ReconcileError, match="lý do"):
            undo_apply(conn, run_id, actor="can-bo", reason="")
        undone = undo_apply(conn, run_id, actor="can-bo", reason="nhầm tệp")
    assert undone == applied.applied + applied.unchanged
    with store.read() as conn:
        assert table_rows(conn, s.parties) == before_parties
        assert table_rows(conn, s.identity_documents) == before_docs
        assert _count(conn, s.reconcile_results, s.reconcile_results.c.status == "DA_AP_DUNG") == 0
        prog = reconcile_progress(conn)
    assert prog.overall.enriched == 0 and prog.overall.matched == got[None][1]
    # decisions survive the undo; a new application gives the same records again
    with store.transaction() as conn:
        third = apply_results(conn, run_id, actor="can-bo")
    assert (third.applied, third.unchanged, third.conflicts) == (applied.applied, applied.unchanged, 0)
    with store.read() as conn:
        assert table_rows(conn, s.parties) == after_parties
        assert [{k: v for k, v in d.items() if k != "id"} for d in table_rows(conn, s.identity_documents)] == \
            [{k: v for k, v in d.items() if k != "id"} for d in after_docs]
    assert figures()[0] == got


def table_rows_citizens(conn):
    return [dict(r) for r in conn.execute(select(s.citizens)).mappings()]
