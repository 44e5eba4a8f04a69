"""GET /api/v1/parcels, /parcels/{id}, /parcels/{id}/history: credentials, roles, commune scope,
masking of holders' numbers, the access log, bad input."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from datdai.db.schema import parcels, parties
from tests.apps.web.api.dossier_api_helpers import OTHER_CLERK, is_masked, make_api
from tests.dossiers.dossier_helpers import AN, BINH

URL = "/api/v1/parcels"
KEY = {"ma_xa": "25216", "so_to": 12, "so_thua": 2}


@pytest.fixture
def api(store):
    with make_api(store) as a:
        yield a


def _id(api, no: int) -> int:
    with api.store.read() as conn:
        return conn.execute(select(parcels.c.id).where(parcels.c.sheet_no == 12, parcels.c.parcel_no == no)).scalar_one()


def test_needs_credentials(api):
    pid = _id(api, 1)
    for path in (URL + "?ma_xa=25216", f"{URL}/{pid}", f"{URL}/{pid}/history"):
        assert api.client.get(path).status_code == 401
        assert api.client.get(path, headers={"Authorization": "Bearer sai"}).status_code == 401


def test_wrong_role_and_scope(api):
    pid = _id(api, 1)
    for path in (URL + "?ma_xa=25216", f"{URL}/{pid}", f"{URL}/{pid}/history"):
        for user in ("c06", "congchung", "thue"):
            assert api.client.get(path, headers=api.h(user)).status_code == 403, (path, user)
        r = api.client.get(path, headers=api.h(OTHER_CLERK))
        assert r.status_code == 403 and "phạm vi" in r.json()["detail"]
    # bbox without ma_xa: out-of-scope parcels are filtered out, not refused
    r = api.client.get(URL, params={"bbox": "0,0,9e9,9e9"}, headers=api.h(OTHER_CLERK))
    assert r.status_code == 200 and r.json()["items"] == []
    assert api.access_log(OTHER_CLERK) == []


def test_by_key_with_rights_masking_and_access_log(api):
    r = api.client.get(URL, params=KEY, headers=api.h("motcua"))
    assert r.status_code == 200, r.text
    page = r.json()
    assert page["has_more"] is False and len(page["items"]) == 1
    p = page["items"][0]
    assert (p["commune_code"], p["sheet_no"], p["parcel_no"]) == ("25216", 12, 2)
    assert p["land_use_codes"] == ["DGD"] and p["bbox"] is not None
    owners = {x["code"]: x["owner"] for x in p["rights"]}
    assert set(owners) == {"R3", "R4"}
    binh = next(x["owner"] for x in p["rights"] if x["code"] == "R4")
    assert binh["documents"] == [{"doc_type": "CCCD", "number": BINH}]  # a clerk sees it in full
    log = api.access_log("motcua")
    assert len(log) == 1 and log[0].resource == "parcels/25216/12/2" and BINH in log[0].subjects

    for user in ("lanhdao", "admin", "kiemtoan"):
        r = api.client.get(URL, params=KEY, headers=api.h(user))
        assert r.status_code == 200, r.text
        binh = next(x["owner"] for x in r.json()["items"][0]["rights"] if x["code"] == "R4")
        assert is_masked(binh["documents"][0]["number"], BINH) and BINH not in r.text
        assert len(api.access_log(user)) == 1


def test_one_parcel_history_bbox_and_pages(api):
    pid = _id(api, 1)
    r = api.client.get(f"{URL}/{pid}", headers=api.h("dulieu"))
    assert r.status_code == 200, r.text
    one = r.json()
    assert one["id"] == pid and {x["code"] for x in one["rights"]} == {"R1", "R2"}
    household = one["rights"][0]["owner"]
    assert household["code"] == "H1" and household["kind"] == "HO_GIA_DINH"
    members = household["members"]
    assert [(m["code"], m["role"], m["share"]) for m in members] == [("P1", "chu_ho", 0.5), ("P2", "vo", 0.5)]
    assert members[0]["full_name"] == "Nguyễn Văn An" and members[0]["birth"] == "02/03/1965"  # dulieu: full
    assert one["rights"][1]["owner"]["members"] == one["rights"][0]["owner"]["members"]  # R2: same holder
    assert api.access_log("dulieu")[0].resource == f"parcels/{pid}"

    h = api.client.get(f"{URL}/{pid}/history", headers=api.h("lanhdao"))
    assert h.status_code == 200, h.text
    changes = h.json()["changes"]
    assert [c["action"] for c in changes] == ["insert"] and changes[0]["after"]["parcel_no"] == 1

    everything = api.client.get(URL, params={"ma_xa": "25216", "limit": 2}, headers=api.h("dulieu")).json()
    assert len(everything["items"]) == 2 and everything["has_more"] is True
    rest = api.client.get(URL, params={"ma_xa": "25216", "limit": 2, "offset": 2}, headers=api.h("dulieu")).json()
    assert [x["parcel_no"] for x in rest["items"]] == [3] and rest["has_more"] is False
    box = one["bbox"]
    inside = api.client.get(URL, params={"bbox": ",".join(str(v) for v in [box[0] + 1, box[1] + 1, box[0] + 2,
                                                                              box[1] + 2])},
                            headers=api.h("admin")).json()
    assert [x["parcel_no"] for x in inside["items"]] == [1]


def test_bad_input_is_4xx(api):
    h = api.h("dulieu")
    cases = [({}, 422), ({"ma_xa": "2521"}, 422), ({"ma_xa": "25216", "so_to": "x"}, 422),
             ({"ma_xa": "25216", "so_to": 99999999999}, 422), ({"ma_xa": "25216", "limit": 1001}, 422),
             ({"ma_xa": "25216", "limit": 0}, 422), ({"bbox": "1,2,3"}, 422), ({"bbox": "a,b,c,d"}, 422),
             ({"bbox": "5,5,1,1"}, 422), ({"bbox": "nan,0,1,1"}, 422), ({"bbox": "inf,0,1,1"}, 422),
             ({"ma_xa": "25216", "offset": -1}, 422)]
    for params, status in cases:
        r = api.client.get(URL, params=params, headers=h)
        assert r.status_code == status, (params, r.text)
        assert r.json()["detail"]
    assert api.client.get(URL, params={"ma_xa": "25216", "so_to": 99, "so_thua": 1},
                          headers=h).json()["items"] == []
    for path in ("/0", "/abc", "/99999999999", "/999999", "/999999/history", "/-1/history"):
        r = api.client.get(URL + path, headers=h)
        assert r.status_code in (404, 422), (path, r.text)
    assert api.access_log("dulieu") == []


def _parcel_nos(page) -> list[int]:
    return [x["parcel_no"] for x in page["items"]]


def test_a_citizen_sees_only_the_parcels_they_hold_a_right_on(api):
    with api.store.transaction() as conn:  # as reconciliation would: An's number confirmed on P1
        conn.execute(parties.update().where(parties.c.code == "P1").values(personal_number=AN))
    one, two, three = _id(api, 1), _id(api, 2), _id(api, 3)
    an, binh = api.h("an"), api.h("binh")

    # An: parcel 1, through the household H1 he is a member of; no commune needed
    r = api.client.get(URL, headers=an)
    assert r.status_code == 200, r.text
    assert _parcel_nos(r.json()) == [1]
    members = {m["code"]: m for m in r.json()["items"][0]["rights"][0]["owner"]["members"]}
    assert members["P1"]["personal_number"] == AN and members["P1"]["birth"] == "02/03/1965"  # his own
    assert members["P2"]["birth"] == "1968"  # his co-holder's: the year only
    assert _parcel_nos(api.client.get(URL, params=KEY, headers=an).json()) == []  # not his
    assert _parcel_nos(api.client.get(URL, params={"ma_xa": "25216", "so_thua": 1}, headers=an).json()) == [1]
    assert _parcel_nos(api.client.get(URL, params={"bbox": "0,0,9e9,9e9"}, headers=an).json()) == [1]
    assert api.client.get(f"{URL}/{one}", headers=an).status_code == 200
    assert api.client.get(f"{URL}/{one}/history", headers=an).status_code == 200
    for pid in (two, three):
        for path in (f"{URL}/{pid}", f"{URL}/{pid}/history"):
            r = api.client.get(path, headers=an)
            assert r.status_code == 403 and "công dân" in r.json()["detail"].lower(), (path, r.text)

    # Bình: only her CCCD in the register carries her number (not verified): nothing yet
    assert _parcel_nos(api.client.get(URL, headers=binh).json()) == []
    assert api.client.get(f"{URL}/{two}", headers=binh).status_code == 403
    with api.store.transaction() as conn:  # reconciliation confirmed her number
        conn.execute(parties.update().where(parties.c.code == "P2").values(personal_number=BINH))
    # now parcel 1 as a member of H1, parcels 2 and 3 by her own right R4 (holding B2)
    page = api.client.get(URL, headers=binh).json()
    assert _parcel_nos(page) == [1, 2, 3]
    two_out = page["items"][1]
    r4 = next(x for x in two_out["rights"] if x["code"] == "R4")
    assert r4["owner"]["documents"] == [{"doc_type": "CCCD", "number": BINH}]  # her own document
    r3 = next(x for x in two_out["rights"] if x["code"] == "R3")  # the co-holder, an organisation
    assert is_masked(r3["owner"]["documents"][0]["number"], "3800123456")
    h1 = page["items"][0]["rights"][0]["owner"]["members"]
    assert next(m for m in h1 if m["code"] == "P1")["personal_number"] == AN[:4] + "******" + AN[-2:]
    assert api.client.get(f"{URL}/{two}", headers=binh).status_code == 200
    # every answer that carried holders is in the access log
    resources = sorted(x.resource for x in api.access_log("an"))
    assert resources == sorted(["parcels?", "parcels?ma_xa=25216&so_thua=1", "parcels?bbox=0%2C0%2C9e9%2C9e9",
                                f"parcels/{one}", f"parcels/{one}/history"]), resources
    assert any(AN in e.subjects for e in api.access_log("an")) and len(api.access_log("binh")) == 2


def test_identifier_official_or_provisional_and_the_surveyed_addresses(api):
    """Parcel 1 carries an official identifier; parcel 2 none: its provisional key, marked so. An
    address captured by the field survey and applied shows in GET /parcels/{id}."""
    from datdai.cleaning.survey import ACCEPTED, apply_accepted, decide, record_submissions
    from datdai.db.files import FileStore
    from datdai.kernel.survey_fields import Submission

    one = api.client.get(f"{URL}/{_id(api, 1)}", headers=api.h("dulieu")).json()
    assert (one["identifier"], one["identifier_in_use"], one["identifier_official"]) == (
        "70250120001", "70250120001", True)
    assert one["addresses"] == []
    with api.store.transaction() as conn:
        record_submissions(conn, [Submission("uuid:a2", 1, "25216-12-2", {"so_nha": "15", "duong_thon": "Đường ĐT 741"})],
                           source="ODK_CENTRAL", file_name="x.zip", files=FileStore("/nonexistent-unused"), actor="t")
        decide(conn, decision=ACCEPTED, by="t", communes=["25216"])
        apply_accepted(conn, actor="t")
    two = api.client.get(f"{URL}/{_id(api, 2)}", headers=api.h("dulieu")).json()
    assert (two["identifier"], two["identifier_in_use"], two["identifier_official"]) == (None, "25216-12-2", False)
    [address] = two["addresses"]
    assert (address["house_number"], address["street"], address["commune_code"], address["asset_id"]) == (
        "15", "Đường ĐT 741", "25216", None)
    assert address["commune_name_old"] == "Phường Thác Mơ" and address["text"].startswith("Số 15, Đường ĐT 741, ")
    page = api.client.get(URL, params=KEY, headers=api.h("dulieu")).json()  # the lookup by key: no addresses
    assert page["items"][0]["identifier_in_use"] == "25216-12-2" and page["items"][0].get("addresses") is None


def test_history_masks_names_and_is_logged(api):
    """The map's owner label in a parcel's history: family name and initials (numbers masked) for
    a manager, in full for the data officer; every view access-logged with its purpose."""
    from datdai.access import purposes
    from datdai.db.audit import AuditTrail

    pid = _id(api, 1)
    with api.store.transaction() as conn:
        AuditTrail(conn, actor="t", source="sửa tay", reason="test").update(
            "parcels", pid, {"map_owner_label": "Nguyễn Văn An 070065001234"})
    masked = api.client.get(f"{URL}/{pid}/history", headers=api.h("lanhdao")).json()["changes"]
    assert masked[-1]["after"]["map_owner_label"] == "Nguyễn V. A. 0700******34"
    full = api.client.get(f"{URL}/{pid}/history", headers=api.h("dulieu")).json()["changes"]
    assert full[-1]["after"]["map_owner_label"] == "Nguyễn Văn An 070065001234"
    for user in ("lanhdao", "dulieu"):
        row = api.access_log(user)[0]
        assert row.resource == f"parcels/{pid}/history" and row.purpose == purposes.PARCELS
        assert row.action == "xem lịch sử thửa đất"
