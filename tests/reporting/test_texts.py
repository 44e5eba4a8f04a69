"""Sections II–IV and the document's particulars, kept per office scope and month."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import func, select

from datdai.db.schema import report_texts
from datdai.dossiers.errors import InvalidInput
from datdai.reporting.texts import get_texts, save_texts, scope_code


def test_save_read_and_carry_over(store):
    with store.transaction() as conn:
        empty = get_texts(conn, "70", "2025-10")
        assert (empty.stored, empty.problems, empty.signer_name) == (False, "", None)
        saved = save_texts(conn, "70", "2025-10", {
            "problems": "  Thiếu máy chủ.\r\nĐường truyền yếu.  ", "signer_name": "Trần Thị Bình",
            "report_date": dt.date(2025, 11, 3), "service_notes": {"CHUYEN_QUYEN": "chưa liên thông", "X": ""}},
            actor="lanhdao")
        assert saved.stored and saved.problems == "Thiếu máy chủ.\nĐường truyền yếu."
        assert saved.updated_by == "lanhdao" and saved.service_notes == {"CHUYEN_QUYEN": "chưa liên thông"}
        again = save_texts(conn, "70", "2025-10", {"tasks": "Đối soát xã còn lại."}, actor="admin")
        assert again.problems == saved.problems and again.tasks == "Đối soát xã còn lại."
        assert again.updated_by == "admin"
        assert conn.execute(select(func.count()).select_from(report_texts)).scalar_one() == 1
        # next month: the particulars carry over, the sections start empty
        november = get_texts(conn, "70", "2025-11")
        assert not november.stored and november.problems == "" and november.signer_name == "Trần Thị Bình"
        assert november.service_notes == {} and november.month == "2025-11"
        # another scope sees nothing of it
        assert get_texts(conn, "25195", "2025-10").problems == ""


BAD = [({"problems": 5}, "problems"), ({"number": "1" * 21}, "number"), ({"khac": "x"}, "khac"),
       ({"tasks": "a\x00b"}, "tasks"), ({"report_date": "05/12/2025"}, "report_date"),
       ({"service_notes": ["x"]}, "service_notes"), ({"proposals": "x" * 20_001}, "proposals")]


def test_bad_values_are_refused(store):
    with store.transaction() as conn:
        for values, field in BAD:
            with pytest.raises(InvalidInput) as err:
                save_texts(conn, "", "2025-10", values, actor="t")
            assert err.value.field == field
        with pytest.raises(InvalidInput):
            save_texts(conn, "", "2025-13", {"problems": "x"}, actor="t")
        assert conn.execute(select(func.count()).select_from(report_texts)).scalar_one() == 0


def test_scope_code():
    assert scope_code(["25195", " 70", "", "25195"]) == "25195,70"
    assert scope_code(None) == "" and scope_code([]) == ""
