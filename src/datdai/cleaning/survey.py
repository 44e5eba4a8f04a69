"""Field survey submissions → enrichment proposals → review → applied through the audit trail.

A submission (one filled form: :class:`Submission`, read by ``ingest/survey_odk.py`` or
``ingest/survey_gpkg.py``) names a parcel by its key (commune-sheet-parcel). Recording it
(:func:`record_submissions`) compares each survey field (``domain/survey_fields.py``) with the
store and writes one proposal per field whose value differs: old value, new value, and the
conflicts found —

* ``SO_DIA_CHINH``: the register already holds another value (a correction, not an addition);
* ``DAN_CU``: the land user's name, birth date or gender differ from the population register
  for that personal number (or the number is not in the extract);
* ``QR``: the CCCD chip QR read in the field holds another number than the one typed; the QR's
  number is proposed (it is read by machine from the card), the typed one noted;
* ``KHONG_CO_DOI_TUONG``: nothing in the store to change (no house on the parcel, no holder).

Each submission is its own all-or-nothing unit: refused as a whole (``TU_CHOI``, with why)
when its parcel no longer exists, a photo is over the size cap or missing, or a value does not
fit its field; a submission already recorded (same instance ID) is skipped; a refused one is
tried again on the next reading. Proposals are decided per field or all at once (only the
conflict-free ones), applied in one audit batch (revertible), and their progress counted per
commune. A valid QR that does not contradict the typed number (or with none typed) is verified identity evidence: the
reconciliation with the population register reads it (:func:`verified_qr_payloads`).
"""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import Connection, and_, func, insert, select, update

from datdai.db import schema as s
from datdai.db.audit import AuditTrail, revert_batch
from datdai.db.files import FileStore
from datdai.kernel.admin_units import new_commune, old_commune
from datdai.kernel.cccd_qr import InvalidQr, parse_cccd_qr
from datdai.kernel.errors import Conflict, InvalidInput, NotFound
from datdai.kernel.landuse import parse_codes
from datdai.kernel.parcel_identifier import provisional_key
from datdai.kernel.survey_fields import (
    BY_NAME,
    FIELDS,
    BadValue,
    Submission,
    SurveyField,
    normalise_value,
)
from datdai.kernel.text import vn_number

PENDING, ACCEPTED, REJECTED, APPLIED = "CHO_DUYET", "CHAP_NHAN", "TU_CHOI", "DA_AP_DUNG"
RECORDED, REFUSED = "DA_NHAN", "TU_CHOI"
QR_MATCH, QR_CONTRADICTS, QR_INVALID = "KHOP", "MAU_THUAN", "KHONG_HOP_LE"
DEFAULT_PHOTO_MAX_BYTES = 10 * 1024 * 1024
SOURCE_PREFIX = "điều tra thực địa"


def photo_cap() -> int:
    """The size cap of one photo, bytes: ``DATDAI_SURVEY_PHOTO_MAX_MB`` (default 10)."""
    env = os.environ.get("DATDAI_SURVEY_PHOTO_MAX_MB")
    try:
        return int(float(env) * 1024 * 1024) if env else DEFAULT_PHOTO_MAX_BYTES
    except ValueError:
        raise InvalidInput(f"DATDAI_SURVEY_PHOTO_MAX_MB='{env}' không phải số / not a number") from None


def parcel_key(commune_code: str, sheet_no: int, parcel_no: int) -> str:
    """The survey's key of a parcel: the provisional parcel key (``domain/parcel_identifier.py``),
    whatever generator the office plugged in for its identifiers (the form needs a key it can
    read back)."""
    return provisional_key(commune_code, sheet_no, parcel_no)


def split_key(key: str) -> tuple[str, int, int] | None:
    parts = str(key).strip().split("-")
    if len(parts) != 3 or not all(p.isdigit() for p in parts):
        return None
    return parts[0], int(parts[1]), int(parts[2])


# --- the store's current values for a parcel ------------------------------------------------------

@dataclass
class Target:
    entity: str | None  # audited table; None: nothing to change
    entity_id: int | None
    column: str
    value: str | None  # current value, as normalise_value writes it


def _text(f: SurveyField, value: Any) -> str | None:
    if value is None or value == "":
        return None
    if isinstance(value, dt.date):
        return value.isoformat()
    if f.kind == "select_multiple":
        return "+".join(parse_codes(str(value)))
    if f.kind == "decimal":
        v = float(value)
        return format(round(v, 2), "g") if v != int(v) else str(int(v))
    return str(value)


def current_values(conn: Connection, parcel_ids: Sequence[int]) -> dict[int, dict[str, Target]]:
    """For each parcel: every survey field's target in the store and its current value."""
    if not parcel_ids:
        return {}
    P, HP, R, A, PA, AD = s.parcels, s.holding_parcels, s.rights, s.assets, s.parties, s.parcel_addresses
    out: dict[int, dict[str, Target]] = {}
    parcels = {r.id: r for r in conn.execute(select(P).where(P.c.id.in_(parcel_ids)))}
    holder: dict[int, Any] = {}
    for r in conn.execute(select(HP.c.parcel_id, R, PA.c.kind.label("p_kind"), PA.c.full_name,
                                 PA.c.birth_date, PA.c.gender, PA.c.personal_number)
                          .join(R, R.c.holding_id == HP.c.holding_id).join(PA, PA.c.id == R.c.party_id)
                          .where(HP.c.parcel_id.in_(parcel_ids), R.c.kind == "SU_DUNG_DAT")
                          .order_by(R.c.id)):
        holder.setdefault(r.parcel_id, r)
    house: dict[int, Any] = {}
    building: dict[int, Any] = {}
    for a in conn.execute(select(A).where(A.c.parcel_id.in_(parcel_ids)).order_by(A.c.id)):
        if a.kind in ("NHA_O", "CAN_HO"):
            house.setdefault(a.parcel_id, a)
        elif a.kind == "CONG_TRINH":
            building.setdefault(a.parcel_id, a)
    address = {a.parcel_id: a for a in conn.execute(
        select(AD).where(AD.c.parcel_id.in_(parcel_ids), AD.c.asset_id.is_(None)).order_by(AD.c.id.desc()))}
    for pid, p in parcels.items():
        h, a, b, ad = holder.get(pid), house.get(pid), building.get(pid), address.get(pid)
        rows: dict[str, tuple[str, Any]] = {"parcels": ("parcels", p), "rights": ("rights", h),
                                            "parties": ("parties", h), "assets": ("assets", a),
                                            "assets[CONG_TRINH]": ("assets", b),
                                            "parcel_addresses": ("parcel_addresses", ad)}
        targets: dict[str, Target] = {}
        for f in FIELDS:
            table_key, column = f.target.rsplit(".", 1)
            entity, row = rows[table_key]
            if row is None:
                targets[f.name] = Target(entity if entity == "parcel_addresses" else None, None, column, None)
                continue
            if table_key == "parties":
                entity_id = row.party_id
                value = row.p_kind if column == "kind" else getattr(row, column)
            else:
                entity_id, value = row.id, getattr(row, column)
            targets[f.name] = Target(entity, entity_id, column, _text(f, value))
        out[pid] = targets
    return out


# --- recording -------------------------------------------------------------------------------------

@dataclass
class RecordResult:
    recorded: int = 0
    skipped: int = 0  # already recorded (same instance ID)
    refused: list[tuple[str, str]] = field(default_factory=list)  # (instance ID, why)
    proposals: int = 0
    conflicts: int = 0
    qr_contradictions: int = 0


def _citizen(conn: Connection, number: str | None):
    if not number:
        return None
    return conn.execute(select(s.citizens).where(s.citizens.c.so_dinh_danh == number)).first()


def _has_citizens(conn: Connection) -> bool:
    return conn.execute(select(s.citizens.c.so_dinh_danh).limit(1)).first() is not None


def _birth_iso(text: str | None) -> str | None:
    if not text:
        return None
    parts = text.split("/")
    if len(parts) == 3:
        return f"{parts[2]}-{parts[1]}-{parts[0]}"
    return text


def _refuse(conn: Connection, sub: Submission, file_name: str, why: str, actor: str,
            result: RecordResult, parcel_id: int | None = None, commune: str | None = None,
            source: str = "") -> None:
    conn.execute(insert(s.survey_submissions), {
        "instance_id": sub.instance_id, "source": source, "file_name": file_name, "entity_key": sub.entity_key,
        "commune_code": commune, "parcel_id": parcel_id, "confirmation": sub.confirmation,
        "surveyor": sub.surveyor, "surveyed_on": sub.surveyed_on, "submitted_at": sub.submitted_at,
        "status": REFUSED, "outcome": why, "recorded_at": dt.datetime.now(dt.UTC), "recorded_by": actor,
        "values": sub.values})
    result.refused.append((sub.instance_id, why))


def record_submissions(conn: Connection, submissions: Iterable[Submission], *, source: str,
                       file_name: str, files: FileStore, actor: str,
                       photo_max_bytes: int | None = None,
                       communes: Sequence[str] | None = None) -> RecordResult:
    """Record submissions and their proposals in the caller's transaction (see the module text).
    ``communes``: the caller's scope (None = all); a parcel outside it refuses the submission."""
    cap = photo_cap() if photo_max_bytes is None else photo_max_bytes
    result = RecordResult()
    seen: set[str] = set()
    T = s.survey_submissions
    for sub in submissions:
        if sub.instance_id in seen:
            result.skipped += 1
            continue
        seen.add(sub.instance_id)
        old = conn.execute(select(T.c.id, T.c.status).where(T.c.instance_id == sub.instance_id)).first()
        if old is not None:
            if old.status != REFUSED:
                result.skipped += 1
                continue
            conn.execute(T.delete().where(T.c.id == old.id))  # a refused one is tried again
        where = f"dòng {sub.row} (instanceID {sub.instance_id})"
        if sub.refused:
            _refuse(conn, sub, file_name, f"{where}: {sub.refused}", actor, result, source=source)
            continue
        key = split_key(sub.entity_key or "")
        if key is None:
            _refuse(conn, sub, file_name, f"{where}: không có mã thửa hợp lệ / no parcel key "
                                          f"('{sub.entity_key or ''}')", actor, result, source=source)
            continue
        commune, sheet, number = key
        if communes is not None and commune not in communes:
            _refuse(conn, sub, file_name, f"{where}: thửa {sub.entity_key} ngoài phạm vi được giao / "
                                          "outside your communes", actor, result, commune=commune, source=source)
            continue
        P = s.parcels
        parcel_id = conn.execute(select(P.c.id).where(P.c.commune_code == commune, P.c.sheet_no == sheet,
                                                      P.c.parcel_no == number).order_by(P.c.id)).scalar()
        if parcel_id is None:
            _refuse(conn, sub, file_name, f"{where}: thửa {sub.entity_key} không còn trong cơ sở dữ liệu "
                                          "(đã tách, hợp hoặc xóa): không tạo đề xuất / the parcel no longer "
                                          "exists", actor, result, commune=commune, source=source)
            continue
        # values first: a bad one refuses the whole submission
        new: dict[str, str] = {}
        bad = None
        for name, raw in sub.values.items():
            f = BY_NAME.get(name)
            if f is None:
                continue
            try:
                v = normalise_value(f, raw)
            except BadValue as exc:
                bad = f"{where}, trường {name}: {exc}"
                break
            if v is not None:
                new[name] = v
        if bad:
            _refuse(conn, sub, file_name, bad, actor, result, parcel_id, commune, source=source)
            continue
        # photos: all present and under the cap, or the submission is refused
        photos_meta = []
        for ph in sub.photos:
            if ph.size is None:
                bad = f"{where}: ảnh {ph.file} không có trong tệp xuất / photo missing from the export"
                break
            if ph.size > cap:
                bad = (f"{where}: ảnh {ph.file} nặng {vn_number(ph.size / 1048576, 2)} MB, quá giới hạn "
                       f"{vn_number(cap / 1048576, 2)} MB / photo over the size cap")
                break
        if bad:
            _refuse(conn, sub, file_name, bad, actor, result, parcel_id, commune, source=source)
            continue
        for ph in sub.photos:
            sha, rel = files.put(ph.read())
            photos_meta.append({"kind": ph.kind, "file": ph.file, "sha256": sha, "size": ph.size, "path": rel})
        # the CCCD QR
        qr_number = qr_status = None
        qr_note = None
        if sub.qr_payload:
            try:
                qr = parse_cccd_qr(sub.qr_payload)
                qr_number = qr.so_dinh_danh
                typed = new.get("so_dinh_danh")
                if typed and typed != qr_number:
                    qr_status = QR_CONTRADICTS
                    qr_note = f"mã QR trên thẻ có số {qr_number}, số gõ tay {typed}: đề xuất theo mã QR"
                    result.qr_contradictions += 1
                else:
                    qr_status = QR_MATCH
                new["so_dinh_danh"] = qr_number
                new.setdefault("ho_ten", qr.ho_ten)
                new.setdefault("ngay_sinh", qr.ngay_sinh.isoformat())
                new.setdefault("gioi_tinh", qr.gioi_tinh)
            except InvalidQr as exc:
                qr_status = QR_INVALID
                qr_note = f"mã QR không đọc được: {exc.reason}"
        sub_id = conn.execute(insert(T).returning(T.c.id), {
            "instance_id": sub.instance_id, "source": source, "file_name": file_name,
            "entity_key": sub.entity_key, "commune_code": commune, "parcel_id": parcel_id,
            "confirmation": sub.confirmation, "surveyor": sub.surveyor, "surveyed_on": sub.surveyed_on,
            "submitted_at": sub.submitted_at, "status": RECORDED, "outcome": qr_note or "đã nhận",
            "qr_payload": sub.qr_payload, "qr_number": qr_number, "qr_status": qr_status,
            "photos": photos_meta, "values": sub.values, "recorded_at": dt.datetime.now(dt.UTC),
            "recorded_by": actor}).scalar_one()
        result.recorded += 1
        targets = current_values(conn, [parcel_id])[parcel_id]
        citizen = _citizen(conn, new.get("so_dinh_danh"))
        check_population = _has_citizens(conn)
        rows = []
        for name, value in new.items():
            t = targets[name]
            if t.value == value:
                continue
            conflict, notes = None, []
            if t.entity is None:
                conflict = "KHONG_CO_DOI_TUONG"
                notes.append("không có đối tượng để cập nhật (chưa có nhà/công trình hoặc người sử dụng "
                             "trên thửa)")
            if name == "so_dinh_danh" and qr_status == QR_CONTRADICTS:
                conflict = conflict or "QR"
                notes.append(qr_note)
            if name in ("ho_ten", "ngay_sinh", "gioi_tinh", "so_dinh_danh") and check_population:
                if citizen is None:
                    conflict = conflict or "DAN_CU"
                    notes.append("số định danh không có trong trích xuất dân cư")
                else:
                    expected = {"ho_ten": citizen.ho_ten, "ngay_sinh": _birth_iso(citizen.ngay_sinh),
                                "gioi_tinh": citizen.gioi_tinh}.get(name)
                    if expected is not None and expected != value:
                        conflict = conflict or "DAN_CU"
                        notes.append(f"dân cư ghi '{expected}'")
            if t.value is not None and conflict is None:
                conflict = "SO_DIA_CHINH"
                notes.append(f"sổ địa chính đang ghi '{t.value}'")
            rows.append({"submission_id": sub_id, "parcel_id": parcel_id, "commune_code": commune,
                         "field": name, "entity": t.entity, "entity_id": t.entity_id,
                         "column_name": t.column, "old_value": t.value, "new_value": value,
                         "conflict": conflict, "conflict_note": "; ".join(n for n in notes if n) or None,
                         "status": PENDING})
        if rows:
            conn.execute(insert(s.survey_proposals), rows)
            result.proposals += len(rows)
            result.conflicts += sum(1 for r in rows if r["conflict"])
    return result


# --- review ----------------------------------------------------------------------------------------

@dataclass
class Proposal:
    id: int
    submission_id: int
    instance_id: str
    parcel_key: str | None
    commune_code: str | None
    field: str
    label: str
    old_value: str | None
    new_value: str
    conflict: str | None
    conflict_note: str | None
    status: str
    surveyor: str | None
    surveyed_on: dt.date | None
    photos: list[dict]
    qr_status: str | None
    applied_batch_id: int | None


PERSONAL_FIELDS = {"ho_ten", "ngay_sinh", "so_dinh_danh", "gioi_tinh"}


def proposals(conn: Connection, *, communes: Sequence[str] | None = None, status: str | None = None,
              submission_id: int | None = None, limit: int = 200, offset: int = 0) -> list[Proposal]:
    """Proposals, oldest first; ``communes`` the caller's scope (None = all)."""
    SP, T = s.survey_proposals, s.survey_submissions
    q = (select(SP, T.c.instance_id, T.c.entity_key, T.c.surveyor, T.c.surveyed_on, T.c.photos,
                T.c.qr_status).join(T, T.c.id == SP.c.submission_id).order_by(SP.c.id))
    if communes is not None:
        q = q.where(SP.c.commune_code.in_(list(communes)))
    if status:
        q = q.where(SP.c.status == status)
    if submission_id is not None:
        q = q.where(SP.c.submission_id == submission_id)
    return [Proposal(r.id, r.submission_id, r.instance_id, r.entity_key, r.commune_code, r.field,
                     BY_NAME[r.field].label if r.field in BY_NAME else r.field, r.old_value, r.new_value,
                     r.conflict, r.conflict_note, r.status, r.surveyor, r.surveyed_on, r.photos or [],
                     r.qr_status, r.applied_batch_id)
            for r in conn.execute(q.limit(limit).offset(offset))]


def decide(conn: Connection, *, decision: str, by: str, reason: str | None = None,
           proposal_ids: Sequence[int] | None = None, communes: Sequence[str] | None = None,
           include_conflicts: bool = False) -> int:
    """Accept (``CHAP_NHAN``) or reject (``TU_CHOI``) pending proposals: the listed ones, or — with
    no ids — every pending proposal in ``communes`` without a conflict (all at once; a conflict
    is decided field by field, or with ``include_conflicts``). Returns how many changed."""
    if decision not in (ACCEPTED, REJECTED):
        raise InvalidInput(f"quyết định '{decision}' không hợp lệ: dùng {ACCEPTED} hoặc {REJECTED}")
    SP = s.survey_proposals
    where = [SP.c.status == PENDING]
    if proposal_ids is not None:
        ids = list(proposal_ids)
        found = {r.id: r for r in conn.execute(select(SP.c.id, SP.c.status, SP.c.commune_code)
                                                .where(SP.c.id.in_(ids)))}
        for i in ids:
            r = found.get(i)
            if r is None or (communes is not None and r.commune_code not in communes):
                raise NotFound(f"không có đề xuất #{i} / no such proposal")
            if r.status != PENDING:
                raise Conflict(f"đề xuất #{i} đã được quyết định ({r.status}) / already decided")
        where.append(SP.c.id.in_(ids))
    else:
        if not include_conflicts:
            where.append(SP.c.conflict.is_(None))
    if communes is not None:
        where.append(SP.c.commune_code.in_(list(communes)))
    if decision == ACCEPTED:
        where.append(SP.c.entity.is_not(None))  # nothing to change cannot be accepted
    changed = conn.execute(update(SP).where(and_(*where)).values(
        status=decision, decided_by=by, decided_at=dt.datetime.now(dt.UTC), decision_reason=reason)).rowcount
    if proposal_ids is not None and changed != len(list(proposal_ids)):
        raise Conflict("một số đề xuất không có đối tượng để cập nhật, không chấp nhận được / "
                       "some proposals have nothing to change")
    return changed


def _typed(column, value: str | None):
    from sqlalchemy import Date, Float, Integer

    if value is None:
        return None
    t = column.type
    if isinstance(t, Integer):
        return int(value)
    if isinstance(t, Float):
        return float(value)
    if isinstance(t, Date):
        return dt.date.fromisoformat(value)
    return value


def _commune_names(code: str | None) -> tuple[str | None, str | None]:
    if not code:
        return None, None
    old = old_commune(code)
    if old is not None:
        return old.name, old.new_name
    new = new_commune(code)
    return None, new.name if new else None


@dataclass
class ApplyResult:
    batch_id: int | None
    applied: int


def apply_accepted(conn: Connection, *, actor: str, communes: Sequence[str] | None = None) -> ApplyResult:
    """Apply every accepted proposal (in ``communes``) in one audit batch. A record changed since
    the proposal was made (its value is no longer the proposal's old value) refuses the whole
    application, naming it: nothing is half applied."""
    SP = s.survey_proposals
    q = select(SP).where(SP.c.status == ACCEPTED).order_by(SP.c.id)
    if communes is not None:
        q = q.where(SP.c.commune_code.in_(list(communes)))
    rows = conn.execute(q).all()
    if not rows:
        return ApplyResult(None, 0)
    current = current_values(conn, sorted({r.parcel_id for r in rows if r.parcel_id}))
    trail = AuditTrail(conn, actor=actor, source=f"{SOURCE_PREFIX}: áp dụng {len(rows)} đề xuất",
                       reason="bổ sung, chỉnh lý thông tin từ điều tra thực địa đã được duyệt")
    new_addresses: dict[int, int] = {}
    for r in rows:
        if r.parcel_id is None or r.parcel_id not in current:
            raise Conflict(f"đề xuất #{r.id}: thửa không còn trong cơ sở dữ liệu / the parcel is gone")
        now = current[r.parcel_id][r.field]
        if r.entity == "parcel_addresses" and r.entity_id is None:
            pid = r.parcel_id
            if pid not in new_addresses:
                commune = conn.execute(select(s.parcels.c.commune_code).where(s.parcels.c.id == pid)).scalar()
                old_name, new_name = _commune_names(commune)
                new_addresses[pid] = trail.insert("parcel_addresses", {
                    "parcel_id": pid, "commune_code": commune, "commune_name_old": old_name,
                    "commune_name_new": new_name})
            trail.update("parcel_addresses", new_addresses[pid], {r.column_name: r.new_value})
        else:
            if now.value != r.old_value or now.entity_id != r.entity_id:
                raise Conflict(f"đề xuất #{r.id} ({r.field}): dữ liệu đã thay đổi từ khi đề xuất "
                               f"('{r.old_value}' → nay '{now.value}'): xem lại trước khi áp dụng / "
                               "the record changed since")
            table = s.AUDITED_TABLES[r.entity]
            trail.update(r.entity, r.entity_id, {r.column_name: _typed(table.c[r.column_name], r.new_value)})
    conn.execute(update(SP).where(SP.c.id.in_([r.id for r in rows]))
                 .values(status=APPLIED, applied_batch_id=trail.batch_id))
    return ApplyResult(trail.batch_id, len(rows))


def revert_applied(conn: Connection, batch_id: int, *, actor: str, reason: str) -> int:
    """Undo an application (its audit batch); its proposals return to ``CHAP_NHAN``."""
    SP, B = s.survey_proposals, s.audit_batches
    source = conn.execute(select(B.c.source).where(B.c.id == batch_id)).scalar()
    if source is None or not source.startswith(f"{SOURCE_PREFIX}: áp dụng"):
        raise NotFound(f"lô #{batch_id} không phải lô áp dụng đề xuất điều tra / not a survey batch")
    revert_id = revert_batch(conn, batch_id, actor=actor, reason=reason)
    conn.execute(update(SP).where(SP.c.applied_batch_id == batch_id)
                 .values(status=ACCEPTED, applied_batch_id=None))
    return revert_id


# --- progress and evidence -------------------------------------------------------------------------

@dataclass
class CommuneProgress:
    commune_code: str
    parcels: int
    surveyed: int  # parcels with a recorded submission
    proposals: int
    pending: int
    applied: int
    refused_submissions: int


def progress(conn: Connection, communes: Sequence[str] | None = None) -> list[CommuneProgress]:
    """Parcels surveyed and proposals applied, per commune that has parcels or submissions."""
    P, T, SP = s.parcels, s.survey_submissions, s.survey_proposals

    def scoped(q, col):
        return q.where(col.in_(list(communes))) if communes is not None else q

    parcels = dict(conn.execute(scoped(select(P.c.commune_code, func.count()).group_by(P.c.commune_code),
                                       P.c.commune_code)).all())
    surveyed = dict(conn.execute(scoped(select(T.c.commune_code, func.count(func.distinct(T.c.parcel_id)))
                                        .where(T.c.status == RECORDED).group_by(T.c.commune_code),
                                        T.c.commune_code)).all())
    refused = dict(conn.execute(scoped(select(T.c.commune_code, func.count()).where(T.c.status == REFUSED)
                                       .group_by(T.c.commune_code), T.c.commune_code)).all())
    props: dict[str, dict[str, int]] = {}
    for c, st, n in conn.execute(scoped(select(SP.c.commune_code, SP.c.status, func.count())
                                        .group_by(SP.c.commune_code, SP.c.status), SP.c.commune_code)):
        props.setdefault(c, {})[st] = n
    codes = sorted({c for c in [*parcels, *surveyed, *refused, *props] if c})
    return [CommuneProgress(c, parcels.get(c, 0), surveyed.get(c, 0), sum(props.get(c, {}).values()),
                            props.get(c, {}).get(PENDING, 0), props.get(c, {}).get(APPLIED, 0),
                            refused.get(c, 0)) for c in codes]


def verified_qr_payloads(conn: Connection, communes: Sequence[str] | None = None) -> list[str]:
    """The CCCD QR codes read in the field that do not contradict the typed number: verified identity
    evidence for the reconciliation with the population register."""
    T = s.survey_submissions
    q = select(T.c.qr_payload).where(T.c.status == RECORDED, T.c.qr_status == QR_MATCH).order_by(T.c.id)
    if communes is not None:
        q = q.where(T.c.commune_code.in_(list(communes)))
    return [r for r in conn.execute(q).scalars() if r]


def submission_photo(conn: Connection, submission_id: int, index: int) -> tuple[str | None, dict]:
    """(the submission's commune, the ``index``-th photo's record: file name and stored path)."""
    T = s.survey_submissions
    row = conn.execute(select(T.c.commune_code, T.c.photos).where(T.c.id == submission_id)).first()
    if row is None or not row.photos or not (0 <= index < len(row.photos)):
        raise NotFound("không có ảnh này / no such photo")
    return row.commune_code, row.photos[index]
