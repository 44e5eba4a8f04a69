"""The result of an approved dossier applied to the land data, in the approval's audit batch
(source ``dossier <code>``), so the change is traced to the dossier and can be reverted with it.

What each essential service does, from the dossier's ``payload``:

* ``CHUYEN_QUYEN`` (transfer, lease, inheritance, gift): ``{"new_holders": [{"personal_number",
  "name", "share"}], "holding_code"?: ..., "right_kinds"?: [...]}``. The holding is the one of the
  dossier's parcel (or ``holding_code``). Its rights (of ``right_kinds``, default all) are replaced:
  per (kind, asset) one new right per new holder with that holder's share (shares must add up to
  1), other attributes (purpose, term, origin) copied; the old rights and their obligations are
  deleted. A new holder is the party with that personal number, or a new person party.
* ``DK_BIEN_DONG_THONG_TIN`` (owner information change): ``{"full_name"?, "address"?,
  "identity_document"?: {"doc_type", "number", "issue_date"?, "issue_place"?}, "party_id"?}`` on
  the applicant's party (or ``party_id``); a document of the same type is replaced, else added.
* ``NGHIA_VU_TAI_CHINH`` (financial obligation): ``{"obligations": [{"kind", "status", "amount"?,
  "note"?, "right_code"?}]}`` set on the right given, else on every land-use right of the holding
  of the dossier's parcel (one row per right and kind).

Other (office-registered) services change no land data on approval.
"""

from __future__ import annotations

import datetime as dt
import unicodedata
from decimal import Decimal, InvalidOperation
from typing import Any

from sqlalchemy import Connection, select

from datdai.db.audit import AuditTrail
from datdai.db.schema import (
    financial_obligations,
    holding_parcels,
    holdings,
    identity_documents,
    parties,
    rights,
)
from datdai.dossiers.errors import InvalidInput

TRANSFER = "CHUYEN_QUYEN"
INFO_CHANGE = "DK_BIEN_DONG_THONG_TIN"
FINANCIAL = "NGHIA_VU_TAI_CHINH"
OBLIGATION_STATUSES = {"CHUA_NOP", "GHI_NO", "DA_NOP", "MIEN", "GIAM"}


def _nfc(value: Any) -> str:
    return unicodedata.normalize("NFC", str(value).strip())


def _holding_id(conn: Connection, d) -> int:
    code = d.payload.get("holding_code")
    if code:
        hid = conn.execute(select(holdings.c.id).where(holdings.c.code == code)).scalar()
        if hid is None:
            raise InvalidInput(f"không có hồ sơ địa chính (holding) '{code}' / no such holding")
        return hid
    if d.parcel_id is None:
        raise InvalidInput("hồ sơ không gắn thửa đất nào / the dossier names no parcel")
    ids = sorted(set(conn.execute(select(holding_parcels.c.holding_id)
                                  .where(holding_parcels.c.parcel_id == d.parcel_id)).scalars()))
    if len(ids) != 1:
        raise InvalidInput(f"thửa đất #{d.parcel_id} thuộc {len(ids)} hồ sơ quyền, cần chỉ rõ holding_code / "
                           "the parcel is in no or several holdings: give holding_code")
    return ids[0]


def _new_holders(payload: dict) -> list[tuple[str, str, Decimal]]:
    raw = payload.get("new_holders")
    if not isinstance(raw, list) or not raw:
        raise InvalidInput("chuyển quyền cần danh sách người nhận (new_holders) / new holders required")
    out = []
    for h in raw:
        number = str(h.get("personal_number") or "")
        if len(number) != 12 or not number.isdigit():
            raise InvalidInput(f"số định danh của người nhận không hợp lệ: {number!r} / invalid personal number")
        name = _nfc(h.get("name") or "")
        if not name:
            raise InvalidInput("thiếu tên người nhận / a new holder's name is required")
        share = h.get("share", "1" if len(raw) == 1 else None)
        try:
            share = Decimal(str(share))
        except (InvalidOperation, ValueError):
            raise InvalidInput(f"tỷ lệ không hợp lệ: {h.get('share')!r} / invalid share") from None
        if not (0 < share <= 1):
            raise InvalidInput(f"tỷ lệ phải trong (0, 1]: {share} / share out of range")
        out.append((number, name, share))
    if len({n for n, _, _ in out}) != len(out):
        raise InvalidInput("một người nhận xuất hiện hai lần / a new holder is listed twice")
    total = sum(s for _, _, s in out)
    if abs(total - 1) > Decimal("1e-9"):
        raise InvalidInput(f"tổng tỷ lệ của người nhận là {total}, phải bằng 1 / shares must add up to 1")
    return out


def _party_for(conn: Connection, trail: AuditTrail, number: str, name: str) -> int:
    pid = conn.execute(select(parties.c.id).where(parties.c.personal_number == number)
                       .order_by(parties.c.id)).scalar()
    if pid is not None:
        return pid
    return trail.insert("parties", {"code": f"CN{number}", "kind": "CA_NHAN", "full_name": name,
                                    "personal_number": number})


# contracts registered through CHUYEN_QUYEN that leave the right with its holder: the lease or
# mortgage is recorded on the dossier (and seen by notaries as a pending/approved dossier)
KEEPS_HOLDER = {"CHO_THUE", "CHO_THUE_LAI", "THE_CHAP"}


def _transfer(conn: Connection, trail: AuditTrail, d) -> None:
    if d.payload.get("transfer_kind") in KEEPS_HOLDER:
        return
    holders = _new_holders(d.payload)
    hid = _holding_id(conn, d)
    kinds = d.payload.get("right_kinds")
    q = select(rights).where(rights.c.holding_id == hid).order_by(rights.c.id)
    if kinds:
        q = q.where(rights.c.kind.in_(list(kinds)))
    old = [dict(r._mapping) for r in conn.execute(q)]
    if not old:
        raise InvalidInput("hồ sơ quyền không có quyền nào để chuyển / no rights to transfer")
    party_ids = [_party_for(conn, trail, n, name) for n, name, _ in holders]
    groups: dict[tuple, list[dict]] = {}
    for r in old:
        groups.setdefault((r["kind"], r["asset_id"]), []).append(r)
    new_rows = []
    for gi, ((kind, asset_id), group) in enumerate(groups.items()):
        model = group[0]
        for hi, (pid, (_, _, share)) in enumerate(zip(party_ids, holders, strict=True)):
            new_rows.append({
                "code": f"R{d.id}-{gi + 1}-{hi + 1}", "holding_id": hid, "party_id": pid, "kind": kind,
                "share": share if len(holders) > 1 else None, "purpose_codes": model["purpose_codes"],
                "term": model["term"], "term_end": model["term_end"], "origin": model["origin"],
                "form_of_use": "Sử dụng chung" if len(holders) > 1 else "Sử dụng riêng", "asset_id": asset_id,
            })
    old_ids = [r["id"] for r in old]
    for ob in conn.execute(select(financial_obligations.c.id)
                           .where(financial_obligations.c.right_id.in_(old_ids))).scalars().all():
        trail.delete("financial_obligations", ob)
    for rid in old_ids:
        trail.delete("rights", rid)
    trail.insert_many("rights", new_rows)


def _info_change(conn: Connection, trail: AuditTrail, d) -> None:
    p = d.payload
    party_id = p.get("party_id") or d.applicant_party_id
    if party_id is None:
        raise InvalidInput("không xác định được người sử dụng đất cần cập nhật (party_id) / no party to update")
    if conn.execute(select(parties.c.id).where(parties.c.id == party_id)).first() is None:
        raise InvalidInput(f"không có người sử dụng đất #{party_id} / no such party")
    changes = {k: _nfc(p[k]) for k in ("full_name", "address") if p.get(k)}
    doc = p.get("identity_document")
    if not changes and not doc:
        raise InvalidInput("hồ sơ không có thông tin nào cần thay đổi / nothing to change")
    doc_values = None
    if doc:
        if not doc.get("doc_type") or not doc.get("number"):
            raise InvalidInput("giấy tờ nhân thân cần loại và số / an ID document needs a type and a number")
        try:
            issue_date = dt.date.fromisoformat(doc["issue_date"]) if doc.get("issue_date") else None
        except ValueError:
            raise InvalidInput(f"ngày cấp không hợp lệ: {doc['issue_date']!r} (YYYY-MM-DD) / invalid date") from None
        doc_values = {"doc_type": str(doc["doc_type"]), "number": str(doc["number"]).strip(),
                      "issue_date": issue_date,
                      "issue_place": _nfc(doc["issue_place"]) if doc.get("issue_place") else None}
        if doc_values["doc_type"] == "CCCD" and len(doc_values["number"]) == 12 and doc_values["number"].isdigit():
            changes["personal_number"] = doc_values["number"]
    if changes:
        trail.update("parties", party_id, changes)
    if doc_values:
        same = conn.execute(select(identity_documents.c.id).where(
            (identity_documents.c.party_id == party_id)
            & (identity_documents.c.doc_type == doc_values["doc_type"])).order_by(identity_documents.c.id)).scalar()
        if same is not None:
            trail.update("identity_documents", same, doc_values)
        else:
            trail.insert("identity_documents", {"party_id": party_id, **doc_values})


def _financial(conn: Connection, trail: AuditTrail, d) -> None:
    items = d.payload.get("obligations")
    if not isinstance(items, list) or not items:
        raise InvalidInput("hồ sơ không có nghĩa vụ tài chính nào (obligations) / no obligations given")
    default_rights = None
    for item in items:
        kind, status = item.get("kind"), item.get("status")
        if not kind or status not in OBLIGATION_STATUSES:
            raise InvalidInput(f"nghĩa vụ cần loại và trạng thái ({', '.join(sorted(OBLIGATION_STATUSES))}) / "
                               f"an obligation needs a kind and a status: {item!r}")
        try:
            amount = Decimal(str(item["amount"])) if item.get("amount") is not None else None
        except InvalidOperation:
            raise InvalidInput(f"số tiền không hợp lệ: {item['amount']!r} / invalid amount") from None
        if item.get("right_code"):
            rid = conn.execute(select(rights.c.id).where(rights.c.code == item["right_code"])).scalar()
            if rid is None:
                raise InvalidInput(f"không có quyền '{item['right_code']}' / no such right")
            targets = [rid]
        else:
            if default_rights is None:
                hid = _holding_id(conn, d)
                default_rights = list(conn.execute(select(rights.c.id).where(
                    (rights.c.holding_id == hid) & (rights.c.kind == "SU_DUNG_DAT")).order_by(rights.c.id)).scalars())
                if not default_rights:
                    raise InvalidInput("thửa đất không có quyền sử dụng đất / no land-use right on the parcel")
            targets = default_rights
        for rid in targets:
            values = {"status": status, "amount": amount, "note": item.get("note"), "dossier_code": d.code}
            existing = conn.execute(select(financial_obligations.c.id).where(
                (financial_obligations.c.right_id == rid) & (financial_obligations.c.kind == kind))).scalar()
            if existing is not None:
                trail.update("financial_obligations", existing, values)
            else:
                trail.insert("financial_obligations", {"right_id": rid, "kind": kind, **values})


APPLIERS = {TRANSFER: _transfer, INFO_CHANGE: _info_change, FINANCIAL: _financial}


def apply_result(conn: Connection, trail: AuditTrail, dossier) -> bool:
    """Apply an approved dossier's result in ``trail``; returns whether the service changes land data."""
    fn = APPLIERS.get(dossier.service_code)
    if fn is None:
        return False
    fn(conn, trail, dossier)
    return True
