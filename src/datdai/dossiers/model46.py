"""Model 46: notary office – land registration office – tax authority, at the service level.

The functions the exchange endpoints call (``POST /exchange/notary/contracts``,
``POST /exchange/tax/notices``) and the land office's referral to tax:

1. :func:`receive_notary_contract` — a notarised contract creates a transfer dossier
   (``CHUYEN_QUYEN``, channel ONLINE, role ``he_thong_cong_chung``), or prefills the open transfer
   dossier of the same parcel filed without a contract. Idempotent on the contract number: the
   same contract again returns the same dossier; the same number with other content is a
   :class:`~datdai.dossiers.errors.Conflict`.
2. :func:`refer_to_tax` — the dossier enters the step ``CHUYEN_THUE`` and the transfer data for
   tax (phiếu chuyển thông tin địa chính) is put in the outbox for the partner ``THUE``, in the
   same transaction.
3. :func:`receive_tax_notice` — a tax notice (``THONG_BAO``) stops the clock (``CHO_NOP_THUE``)
   and records the obligations in the dossier; a payment confirmation (``DA_NOP``) of every
   notice restarts it (back to ``DANG_XU_LY``, step ``CHUYEN_THUE``). Repeats are idempotent.

Every function works in the caller's transaction inside a savepoint: a refused request (a
:class:`~datdai.dossiers.errors.DossierError`) leaves nothing behind.

Contract (JSON)::

    {"contract_no": "1234/2025/CN", "notary_office": "Văn phòng công chứng Biên Hòa",
     "notarized_on": "2025-06-02", "kind": "CHUYEN_NHUONG",
     "parcel": {"ma_xa": "25216", "so_to": 12, "so_thua": 1},
     "transferors": [{"personal_number": "070065001234", "name": "Nguyễn Văn An"}],
     "transferees": [{"personal_number": "079090001111", "name": "Lê Văn Cường", "share": "0.6"}, …],
     "price": 1500000000, "dossier_code": "HS-…" (optional: the open dossier to prefill)}

Tax notice (JSON)::

    {"dossier_code": "HS-…", "notice_no": "TB-123", "kind": "THONG_BAO", "amount": 30000000,
     "obligations": [{"kind": "THUE_TNCN", "amount": 30000000}], "issued_on": "2025-06-05"}
    {"dossier_code": "HS-…", "notice_no": "TB-123", "kind": "DA_NOP", "receipt_no": "BL-9",
     "paid_on": "2025-06-11"}
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import unicodedata
from decimal import Decimal, InvalidOperation
from typing import Any

from sqlalchemy import Connection, insert, select

from datdai.db.audit import AuditTrail
from datdai.db.schema import dossier_events, dossiers, holding_parcels, parcels, parties, rights
from datdai.dossiers import dossiers as ds
from datdai.dossiers import lifecycle as lc
from datdai.dossiers.errors import Conflict, InvalidInput, NotFound, TransitionNotAllowed
from datdai.dossiers.lifecycle import Channel, Role, State, Step
from datdai.dossiers.outbox import Partner, enqueue, messages
from datdai.kernel.text import control_characters

TRANSFER_SERVICE = "CHUYEN_QUYEN"
TOPIC_TAX_REFERRAL = "THUE.CHUYEN_THONG_TIN_DIA_CHINH"

# Kinds of contract a notary sends for a transfer dossier (loại hợp đồng / văn bản).
CONTRACT_KINDS = {
    "CHUYEN_NHUONG": "Chuyển nhượng quyền sử dụng đất",
    "TANG_CHO": "Tặng cho quyền sử dụng đất",
    "THUA_KE": "Văn bản thỏa thuận phân chia / khai nhận di sản thừa kế",
    "CHO_THUE": "Cho thuê quyền sử dụng đất",
    "CHO_THUE_LAI": "Cho thuê lại quyền sử dụng đất",
    "GOP_VON": "Góp vốn bằng quyền sử dụng đất",
    "THE_CHAP": "Thế chấp quyền sử dụng đất",
}
PRICED_KINDS = {"CHUYEN_NHUONG", "CHO_THUE", "CHO_THUE_LAI", "GOP_VON"}

NOTICE = "THONG_BAO"  # thông báo nộp nghĩa vụ tài chính
PAYMENT = "DA_NOP"  # xác nhận đã nộp
NOTICE_KINDS = (NOTICE, PAYMENT)

# Open states in which a dossier without a contract may still be prefilled by one.
PREFILL_STATES = (State.DA_NOP, State.DA_TIEP_NHAN, State.DANG_XU_LY, State.YEU_CAU_BO_SUNG)


class FieldError(InvalidInput):
    """Invalid input, with the name of the offending field (``transferees[0].share``)."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(f"trường '{field}': {message}")
        self.field = field


# ---------------------------------------------------------------- validation helpers

def _nfc(value: Any) -> str:
    return " ".join(unicodedata.normalize("NFC", str(value)).split())


def _text(data: dict, key: str, path: str, *, required: bool = True, max_len: int = 500) -> str | None:
    value = data.get(key)
    if value is None or (isinstance(value, str) and not value.strip()):
        if required:
            raise FieldError(path, "bắt buộc / required")
        return None
    if not isinstance(value, (str, int)) or isinstance(value, bool):
        raise FieldError(path, "phải là chuỗi / must be a string")
    text = _nfc(value)
    if len(text) > max_len:
        raise FieldError(path, f"dài quá {max_len} ký tự / longer than {max_len} characters")
    if bad := control_characters(text):
        raise FieldError(path, f"chứa ký tự điều khiển {', '.join(bad[:5])} / holds control characters")
    return text


def _date(data: dict, key: str, path: str, *, required: bool = True, not_after: dt.date | None = None) -> str | None:
    raw = data.get(key)
    if raw is None or raw == "":
        if required:
            raise FieldError(path, "bắt buộc (YYYY-MM-DD) / required")
        return None
    try:
        value = dt.date.fromisoformat(str(raw))
    except ValueError:
        raise FieldError(path, f"ngày không hợp lệ {raw!r} (YYYY-MM-DD) / invalid date") from None
    if not_after is not None and value > not_after:
        raise FieldError(path, f"ngày {value.isoformat()} ở tương lai / date in the future")
    return value.isoformat()


def _positive_int(data: dict, key: str, path: str, *, required: bool, allow_zero: bool = True) -> int | None:
    raw = data.get(key)
    if raw is None or raw == "":
        if required:
            raise FieldError(path, "bắt buộc / required")
        return None
    if isinstance(raw, bool):
        raise FieldError(path, "phải là số / must be a number")
    try:
        value = Decimal(str(raw))
    except (InvalidOperation, ValueError):
        raise FieldError(path, f"số không hợp lệ {raw!r} / invalid number") from None
    if value != value.to_integral_value() or value < 0 or (value == 0 and not allow_zero):
        raise FieldError(path, f"phải là số nguyên {'≥ 0' if allow_zero else '> 0'} (đồng) / "
                               "must be a whole number of VND")
    return int(value)


def _people(data: dict, key: str, *, shares_required: bool) -> list[dict]:
    raw = data.get(key)
    if not isinstance(raw, list) or not raw:
        raise FieldError(key, "cần ít nhất một người / at least one person is required")
    out = []
    for i, p in enumerate(raw):
        path = f"{key}[{i}]"
        if not isinstance(p, dict):
            raise FieldError(path, "phải là một đối tượng / must be an object")
        number = str(p.get("personal_number") or "").strip()
        if len(number) != 12 or not number.isdigit():
            raise FieldError(f"{path}.personal_number", f"số định danh cá nhân phải gồm 12 chữ số: {number!r} / "
                                                        "a personal number has 12 digits")
        person = {"personal_number": number, "name": _text(p, "name", f"{path}.name", max_len=200)}
        share = p.get("share")
        if share is None or share == "":
            if shares_required and len(raw) > 1:
                raise FieldError(f"{path}.share", "cần tỷ lệ khi có nhiều người / required when there are several")
            share = "1" if len(raw) == 1 else None
        if share is not None:
            try:
                value = Decimal(str(share))
            except (InvalidOperation, ValueError):
                raise FieldError(f"{path}.share", f"tỷ lệ không hợp lệ {share!r} / invalid share") from None
            if not (0 < value <= 1):
                raise FieldError(f"{path}.share", f"tỷ lệ phải trong (0, 1]: {share} / share out of range")
            person["share"] = format(value.normalize(), "f")
        out.append(person)
    numbers = [p["personal_number"] for p in out]
    if len(set(numbers)) != len(numbers):
        raise FieldError(key, "một người xuất hiện hai lần / a person is listed twice")
    if all("share" in p for p in out):
        total = sum(Decimal(p["share"]) for p in out)
        if abs(total - 1) > Decimal("1e-9"):
            raise FieldError(key, f"tổng tỷ lệ là {total}, phải bằng 1 / shares must add up to 1")
    return out


def _fingerprint(data: dict) -> str:
    return hashlib.sha256(json.dumps(data, sort_keys=True, ensure_ascii=False).encode()).hexdigest()


def validate_contract(contract: dict, *, today: dt.date | None = None) -> dict:
    """The contract normalised (NFC, trimmed, canonical numbers); :class:`FieldError` names the field."""
    if not isinstance(contract, dict):
        raise InvalidInput("hợp đồng phải là một đối tượng JSON / the contract must be an object")
    c: dict[str, Any] = {"contract_no": _text(contract, "contract_no", "contract_no", max_len=60),
                         "notary_office": _text(contract, "notary_office", "notary_office"),
                         "notarized_on": _date(contract, "notarized_on", "notarized_on", not_after=today)}
    kind = str(contract.get("kind") or "").strip().upper()
    if kind not in CONTRACT_KINDS:
        raise FieldError("kind", f"loại hợp đồng không hợp lệ {contract.get('kind')!r}; một trong / one of "
                                 f"{', '.join(CONTRACT_KINDS)}")
    c["kind"] = kind
    parcel = contract.get("parcel")
    if not isinstance(parcel, dict):
        raise FieldError("parcel", "cần ma_xa, so_to, so_thua / ma_xa, so_to, so_thua required")
    ma_xa = str(parcel.get("ma_xa") or "").strip()
    if not (ma_xa.isdigit() and len(ma_xa) == 5):
        raise FieldError("parcel.ma_xa", f"mã xã phải gồm 5 chữ số: {parcel.get('ma_xa')!r} / "
                                         "a commune code has 5 digits")
    c["parcel"] = {"ma_xa": ma_xa,
                   "so_to": _positive_int(parcel, "so_to", "parcel.so_to", required=True, allow_zero=False),
                   "so_thua": _positive_int(parcel, "so_thua", "parcel.so_thua", required=True, allow_zero=False)}
    c["transferors"] = _people(contract, "transferors", shares_required=False)
    c["transferees"] = _people(contract, "transferees", shares_required=True)
    overlap = ({p["personal_number"] for p in c["transferors"]}
               & {p["personal_number"] for p in c["transferees"]})
    if overlap:
        raise FieldError("transferees", f"{', '.join(sorted(overlap))} vừa là bên chuyển vừa là bên nhận / "
                                        "a person is on both sides")
    c["price"] = _positive_int(contract, "price", "price", required=kind in PRICED_KINDS)
    return c


def _find_parcel(conn: Connection, p: dict) -> int:
    pid = conn.execute(select(parcels.c.id).where(
        (parcels.c.commune_code == p["ma_xa"]) & (parcels.c.sheet_no == p["so_to"])
        & (parcels.c.parcel_no == p["so_thua"]))).scalar()
    if pid is None:
        raise NotFound(f"không có thửa đất xã {p['ma_xa']}, tờ {p['so_to']}, thửa {p['so_thua']} / "
                       "no such parcel (field 'parcel')")
    return pid


def _record(conn: Connection, d: ds.Dossier, changes: dict, *, actor: str, role: str, reason: str,
            at: dt.datetime) -> ds.Dossier:
    """Change a dossier's data without changing its state: audited, with an event."""
    trail = AuditTrail(conn, actor=actor, source=f"dossier {d.code}", reason=reason)
    trail.update("dossiers", d.id, changes)
    conn.execute(insert(dossier_events).values(
        dossier_id=d.id, from_state=str(d.state), to_state=str(d.state), step=d.step, actor=actor,
        role=str(role), at=at, reason=reason, audit_batch_id=trail.batch_id))
    return ds.get_dossier(conn, d.id)


# ---------------------------------------------------------------- 1. notary contract

def receive_notary_contract(conn: Connection, contract: dict, *, actor: str, at: dt.datetime | None = None,
                            role: str = Role.NOTARY, code: str | None = None) -> tuple[ds.Dossier, bool]:
    """Create (or prefill) the transfer dossier of a notarised contract. Returns (dossier, changed):
    ``changed`` is False when the same contract was received before (nothing is written).
    ``code`` names a new dossier (default: a generated code)."""
    at = lc.utc(at)
    c = validate_contract(contract, today=lc.local_date(at) + dt.timedelta(days=1))
    c["fingerprint"] = _fingerprint(c)
    found = conn.execute(select(dossiers.c.id).where(dossiers.c.notary_contract_no == c["contract_no"])).scalar()
    if found is not None:
        d = ds.get_dossier(conn, found)
        if (d.payload.get("notary_contract") or {}).get("fingerprint") == c["fingerprint"]:
            return d, False
        raise Conflict(f"hợp đồng công chứng số {c['contract_no']} đã được gửi với nội dung khác (hồ sơ {d.code}) / "
                       "this contract number was received with different content")
    with conn.begin_nested():
        parcel_id = _find_parcel(conn, c["parcel"])
        payload = {"notary_contract": c, "transfer_kind": c["kind"],
                   "new_holders": [{"personal_number": p["personal_number"], "name": p["name"],
                                    "share": p.get("share", "1")} for p in c["transferees"]]}
        target = _prefill_target(conn, contract.get("dossier_code"), parcel_id)
        if target is not None:
            d = _record(conn, target, {"notary_contract_no": c["contract_no"], "payload": {**target.payload, **payload}},
                        actor=actor, role=role, at=at,
                        reason=f"nhận hợp đồng công chứng số {c['contract_no']} ({c['notary_office']})")
            return d, True
        applicant = c["transferees"][0]
        d, _ = ds.create_dossier(
            conn, service_code=TRANSFER_SERVICE, applicant_name=applicant["name"],
            applicant_personal_number=applicant["personal_number"], parcel_id=parcel_id, actor=actor, role=role,
            channel=Channel.ONLINE, payload=payload, notary_contract_no=c["contract_no"],
            idempotency_key=f"cong-chung:{c['contract_no']}", at=at, code=code)
        return d, True


def _prefill_target(conn: Connection, code: Any, parcel_id: int) -> ds.Dossier | None:
    if code:
        d = ds.get_dossier(conn, str(code))
        problems = []
        if d.service_code != TRANSFER_SERVICE:
            problems.append(f"không phải hồ sơ chuyển quyền ({d.service_code})")
        if d.parcel_id != parcel_id:
            problems.append("không cùng thửa đất với hợp đồng")
        if d.state not in PREFILL_STATES:
            problems.append(f"đang ở trạng thái {d.state}")
        if d.notary_contract_no:
            problems.append(f"đã có hợp đồng {d.notary_contract_no}")
        if problems:
            raise Conflict(f"không thể bổ sung hợp đồng vào hồ sơ {d.code}: {'; '.join(problems)} / "
                           "the dossier cannot take this contract (field 'dossier_code')")
        return d
    q = (select(dossiers.c.id).where(
        (dossiers.c.parcel_id == parcel_id) & (dossiers.c.service_code == TRANSFER_SERVICE)
        & dossiers.c.notary_contract_no.is_(None) & dossiers.c.state.in_([str(s) for s in PREFILL_STATES]))
        .order_by(dossiers.c.id))
    ids = list(conn.execute(q).scalars())
    if len(ids) > 1:
        codes = [ds.get_dossier(conn, i).code for i in ids]
        raise Conflict(f"thửa đất có {len(ids)} hồ sơ chuyển quyền đang mở ({', '.join(codes)}): ghi rõ dossier_code / "
                       "several open transfer dossiers on the parcel: give dossier_code")
    return ds.get_dossier(conn, ids[0]) if ids else None


# ---------------------------------------------------------------- 2. referral to tax

def tax_referral_data(conn: Connection, d: ds.Dossier) -> dict[str, Any]:
    """The land office's transfer data for tax (phiếu chuyển thông tin để xác định nghĩa vụ tài chính)."""
    data: dict[str, Any] = {"dossier_code": d.code, "service_code": d.service_code,
                            "applicant": {"personal_number": d.applicant_personal_number, "name": d.applicant_name}}
    if d.parcel_id is not None:
        p = conn.execute(select(parcels).where(parcels.c.id == d.parcel_id)).one()
        data["parcel"] = {"ma_xa": p.commune_code, "so_to": p.sheet_no, "so_thua": p.parcel_no,
                          "identifier": p.identifier, "legal_area_m2": str(p.legal_area) if p.legal_area else None,
                          "land_use_codes": p.land_use_codes, "address": p.address}
        holding_ids = select(holding_parcels.c.holding_id).where(holding_parcels.c.parcel_id == d.parcel_id)
        q = (select(rights.c.kind, rights.c.share, parties.c.personal_number, parties.c.full_name,
                    parties.c.tax_code)
             .join(parties, parties.c.id == rights.c.party_id)
             .where(rights.c.holding_id.in_(holding_ids)).order_by(rights.c.id))
        data["current_holders"] = [{"right_kind": r.kind, "share": str(r.share) if r.share is not None else None,
                                    "personal_number": r.personal_number, "name": r.full_name,
                                    "tax_code": r.tax_code} for r in conn.execute(q)]
    contract = d.payload.get("notary_contract")
    if contract:
        data["contract"] = {k: contract[k] for k in ("contract_no", "notary_office", "notarized_on", "kind", "price")}
        data["transferors"] = contract["transferors"]
    data["transferees"] = d.payload.get("new_holders", [])
    return data


def refer_to_tax(conn: Connection, dossier: int | str, *, actor: str, role: str = Role.DATA_OFFICER,
                 at: dt.datetime | None = None, calendar=None) -> tuple[ds.Dossier, Any]:
    """Move the dossier to the step ``CHUYEN_THUE`` and queue the transfer data for the tax
    partner, atomically. Returns (dossier, outbox message)."""
    at = lc.utc(at)
    with conn.begin_nested():
        d = ds.transition(conn, dossier, State.DANG_XU_LY, actor=actor, role=role, step=Step.CHUYEN_THUE, at=at,
                          calendar=calendar)
        n = 1 + sum(1 for m in messages(conn, dossier_id=d.id, partner=Partner.TAX) if m.topic == TOPIC_TAX_REFERRAL)
        message, _ = enqueue(conn, TOPIC_TAX_REFERRAL, Partner.TAX, tax_referral_data(conn, d),
                             f"thue:{d.code}:{n}", dossier_id=d.id, at=at)
        return d, message


# ---------------------------------------------------------------- 3. tax notice and payment

def validate_notice(notice: dict) -> dict:
    if not isinstance(notice, dict):
        raise InvalidInput("thông báo phải là một đối tượng JSON / the notice must be an object")
    kind = str(notice.get("kind") or NOTICE).strip().upper()
    if kind not in NOTICE_KINDS:
        raise FieldError("kind", f"loại không hợp lệ {notice.get('kind')!r}; một trong / one of {', '.join(NOTICE_KINDS)}")
    n: dict[str, Any] = {"dossier_code": _text(notice, "dossier_code", "dossier_code", max_len=40),
                         "notice_no": _text(notice, "notice_no", "notice_no", max_len=60), "kind": kind}
    if kind == NOTICE:
        n["amount"] = _positive_int(notice, "amount", "amount", required=True)
        n["issued_on"] = _date(notice, "issued_on", "issued_on", required=False)
        obligations = notice.get("obligations") or []
        if not isinstance(obligations, list):
            raise FieldError("obligations", "phải là một danh sách / must be a list")
        n["obligations"] = []
        for i, o in enumerate(obligations):
            if not isinstance(o, dict):
                raise FieldError(f"obligations[{i}]", "phải là một đối tượng / must be an object")
            n["obligations"].append({"kind": _text(o, "kind", f"obligations[{i}].kind", max_len=30).upper(),
                                     "amount": _positive_int(o, "amount", f"obligations[{i}].amount", required=True)})
        if n["obligations"] and sum(o["amount"] for o in n["obligations"]) != n["amount"]:
            raise FieldError("amount", "khác tổng các khoản nghĩa vụ / differs from the sum of the obligations")
    else:
        n["receipt_no"] = _text(notice, "receipt_no", "receipt_no", required=False, max_len=60)
        n["paid_on"] = _date(notice, "paid_on", "paid_on", required=False)
    n["fingerprint"] = _fingerprint(n)
    return n


def receive_tax_notice(conn: Connection, notice: dict, *, actor: str, at: dt.datetime | None = None,
                       role: str = Role.TAX, calendar=None) -> tuple[ds.Dossier, bool]:
    """Apply a tax notice or payment confirmation. Returns (dossier, changed): False for a repeat.

    A notice needs the dossier referred to tax (``DANG_XU_LY``, step ``CHUYEN_THUE``) or already
    waiting for payment (a further notice); a payment needs a received notice of that number and
    the dossier waiting for payment. When every notice is paid the clock restarts.
    """
    n = validate_notice(notice)
    at = lc.utc(at)
    d = ds.get_dossier(conn, n["dossier_code"])
    tax = dict(d.payload.get("tax") or {})
    notices = dict(tax.get("notices") or {})
    payments = dict(tax.get("payments") or {})
    store = notices if n["kind"] == NOTICE else payments
    seen = store.get(n["notice_no"])
    if seen is not None:
        if seen.get("fingerprint") == n["fingerprint"]:
            return d, False
        raise Conflict(f"{'thông báo' if n['kind'] == NOTICE else 'xác nhận nộp'} số {n['notice_no']} đã nhận "
                       "với nội dung khác / received before with different content")
    if n["kind"] == NOTICE:
        ok = (d.state == State.DANG_XU_LY and d.step == Step.CHUYEN_THUE) or d.state == State.CHO_NOP_THUE
        if not ok:
            raise TransitionNotAllowed(
                f"hồ sơ {d.code} đang ở '{lc.STATE_LABELS[d.state]}' ({d.state}, bước {d.step}): chỉ nhận thông báo "
                "thuế khi hồ sơ đã chuyển thuế / a tax notice needs a dossier referred to tax")
    else:
        if n["notice_no"] not in notices:
            raise NotFound(f"hồ sơ {d.code} không có thông báo thuế số {n['notice_no']} / no such notice")
        if d.state != State.CHO_NOP_THUE:
            raise TransitionNotAllowed(
                f"hồ sơ {d.code} đang ở '{lc.STATE_LABELS[d.state]}' ({d.state}), không chờ nộp thuế / "
                "the dossier is not waiting for tax payment")
    n = {**n, "received_at": at.isoformat(), "by": actor}
    store[n["notice_no"]] = n
    tax.update({"notices": notices, "payments": payments,
                "amount_due": sum(v["amount"] for v in notices.values()),
                "paid": all(k in payments for k in notices)})
    new_payload = {"tax": tax}
    with conn.begin_nested():
        if n["kind"] == NOTICE and d.state == State.DANG_XU_LY:
            d = ds.transition(conn, d.id, State.CHO_NOP_THUE, actor=actor, role=role, at=at, payload=new_payload,
                              reason=f"Thông báo nộp nghĩa vụ tài chính số {n['notice_no']}: "
                                     f"{n['amount']:,} đồng".replace(",", "."), calendar=calendar)
        elif n["kind"] == PAYMENT and tax["paid"]:
            d = ds.transition(conn, d.id, State.DANG_XU_LY, actor=actor, role=role, at=at, payload=new_payload,
                              reason=f"Đã nộp nghĩa vụ tài chính theo thông báo số {n['notice_no']}",
                              calendar=calendar)
        else:
            what = "thông báo" if n["kind"] == NOTICE else "xác nhận nộp theo thông báo"
            d = _record(conn, d, {"payload": {**d.payload, **new_payload}}, actor=actor, role=role, at=at,
                        reason=f"Nhận {what} số {n['notice_no']}")
    return d, True
