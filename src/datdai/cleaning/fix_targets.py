"""Where the corrected value of a finding is written, and what the record holds now.

A finding names a rule, a side (map or register), a field and a parcel key; its correction goes
to one column of one or more stored records:

| finding | written to |
|---|---|
| ``ten_chu`` on the map (LEGACY_ENCODING, OWNER_MISMATCH) | ``parcels.map_owner_label`` of the feature's parcel |
| ``ten_chu`` in the register (LEGACY_ENCODING, NAME_FORMAT, NAME_PREFIX) | ``parties.full_name`` |
| ``dia_chi_chu`` | ``parties.address`` |
| ``dia_chi_thua`` | ``parcels.address`` of every parcel of the key |
| ``so_giay_to`` (ID_FORMAT, ID_INVALID, …) | ``identity_documents.number`` of the party (the one recorded) |
| ``loai_dat`` on the map / in the register | ``parcels.map_land_use_label`` / ``parcels.land_use_codes`` |
| LANDUSE_MISMATCH | both ``land_use_codes`` and ``map_land_use_label`` of the key's parcels |
| ``dien_tich`` (AREA_MISMATCH) | ``parcels.legal_area`` of the key's parcels |

Geometry, missing and duplicate parcels have no value to write: they are fixed on the map and
checked again.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection, select, tuple_

from datdai.cleaning.findings import Side
from datdai.db import schema as s
from datdai.kernel.errors import InvalidInput
from datdai.kernel.ids import clean_id_text
from datdai.kernel.landuse import catalog, parse_codes
from datdai.land.repository import chunks

Key = tuple[str, int, int]
_PARCEL_COLS = ("map_owner_label", "map_land_use_label", "land_use_codes", "address", "legal_area")
_PARTY_COLS = ("full_name", "address")


class FindingError(InvalidInput):
    """A decision on a finding that cannot be made as asked (exit code 2 on the command line)."""


@dataclass(slots=True)
class Write:
    table: str
    entity_id: int
    column: str
    value: Any
    recorded: Any  # the value the finding saw (an automatic fix requires it still there)


def to_int(value: Any) -> int | None:
    try:
        return int(str(value).strip())
    except (TypeError, ValueError):
        return None


def finding_key(finding) -> Key | None:
    so_to, so_thua = to_int(finding.sheet_no), to_int(finding.parcel_no)
    if finding.commune_code is None or so_to is None or so_thua is None:
        return None
    return (finding.commune_code, so_to, so_thua)


class Records:
    """The current values of the records findings point to: read in bulk (:meth:`prefetch`) or
    one at a time, and kept up to date as fixes are decided (:meth:`set`)."""

    def __init__(self, conn: Connection) -> None:
        self.conn = conn
        self.values: dict[tuple[str, int], dict[str, Any]] = {}
        self.by_key: dict[Key, list[int]] = {}
        self.docs: dict[int, list[int]] = {}

    def _add_parcels(self, where) -> None:
        p = s.parcels
        q = select(p.c.id, p.c.commune_code, p.c.sheet_no, p.c.parcel_no,
                   *(p.c[c] for c in _PARCEL_COLS)).where(where).order_by(p.c.id)
        for r in self.conn.execute(q).mappings():
            if ("parcels", r["id"]) in self.values:
                continue
            self.values[("parcels", r["id"])] = {c: r[c] for c in _PARCEL_COLS}
            ids = self.by_key.setdefault((r["commune_code"], r["sheet_no"], r["parcel_no"]), [])
            ids.append(r["id"])

    def prefetch(self, findings: Sequence) -> None:
        p, y, d = s.parcels, s.parties, s.identity_documents
        keys = sorted({k for f in findings if (k := finding_key(f)) is not None})
        for chunk in chunks(keys, 500):
            self._add_parcels(tuple_(p.c.commune_code, p.c.sheet_no, p.c.parcel_no).in_(list(chunk)))
        for k in keys:
            self.by_key.setdefault(k, [])
        ids = sorted({f.parcel_id for f in findings if f.parcel_id} - {i for _, i in self.values})
        for chunk in chunks(ids, 500):
            self._add_parcels(p.c.id.in_(list(chunk)))
        party_ids = sorted({f.party_id for f in findings if f.party_id})
        for chunk in chunks(party_ids, 500):
            for r in self.conn.execute(select(y.c.id, *(y.c[c] for c in _PARTY_COLS))
                                       .where(y.c.id.in_(list(chunk)))).mappings():
                self.values[("parties", r["id"])] = {c: r[c] for c in _PARTY_COLS}
            for pid in chunk:
                self.docs.setdefault(pid, [])
            for r in self.conn.execute(select(d.c.id, d.c.party_id, d.c.number)
                                       .where(d.c.party_id.in_(list(chunk))).order_by(d.c.id)):
                self.docs[r.party_id].append(r.id)
                self.values[("identity_documents", r.id)] = {"number": r.number}

    def parcels_of_key(self, finding) -> list[int]:
        key = finding_key(finding)
        if key is None:
            return []
        if key not in self.by_key:
            p = s.parcels
            self._add_parcels((p.c.commune_code == key[0]) & (p.c.sheet_no == key[1]) & (p.c.parcel_no == key[2]))
            self.by_key.setdefault(key, [])
        return self.by_key[key]

    def documents(self, party_id: int) -> list[int]:
        if party_id not in self.docs:
            d = s.identity_documents
            self.docs[party_id] = []
            for r in self.conn.execute(select(d.c.id, d.c.number).where(d.c.party_id == party_id).order_by(d.c.id)):
                self.docs[party_id].append(r.id)
                self.values[("identity_documents", r.id)] = {"number": r.number}
        return self.docs[party_id]

    def current(self, table: str, entity_id: int, column: str) -> Any:
        row = self.values.get((table, entity_id))
        if row is None or column not in row:
            t = s.AUDITED_TABLES[table]
            value = self.conn.execute(select(t.c[column]).where(t.c.id == entity_id)).scalar_one_or_none()
            self.values.setdefault((table, entity_id), {})[column] = value
            return value
        return row[column]

    def set(self, w: Write) -> None:
        self.values.setdefault((w.table, w.entity_id), {})[w.column] = w.value


def codes_text(value: str | None) -> str | None:
    codes = parse_codes(value)
    return "+".join(codes) if codes else None


def checked_codes(value: str) -> str:
    codes = parse_codes(value)
    bad = [c for c in codes if not catalog().is_current(c)]
    if not codes or bad:
        raise FindingError(f"mã loại đất không có trong danh mục hiện hành: {', '.join(bad) or value!r}"
                           " / not a land use code in force")
    return "+".join(codes)


def _document(records: Records, finding, value: str, *, auto: bool) -> list[Write]:
    if finding.party_id is None:
        return []
    docs = records.documents(finding.party_id)
    number = {i: records.current("identity_documents", i, "number") for i in docs}
    recorded = finding.register_value

    def write(i: int) -> list[Write]:
        return [Write("identity_documents", i, "number", value, number[i] if auto else None)]

    for want in (recorded, value):
        for i in docs:
            if want is not None and number[i] == want:
                return write(i)
    if recorded is not None:
        clean = clean_id_text(recorded)
        for i in docs:
            if clean_id_text(number[i] or "") == clean:
                return write(i)
    if not auto and len(docs) == 1:
        return write(docs[0])
    return []


def writes_for(records: Records, finding, value: str, *, auto: bool) -> list[Write]:
    """Where ``value`` goes for this finding (see the module table). ``auto``: the proposal of
    an automatic fix, to be written only over the value the finding saw; otherwise a person's
    correction (validated: an area is a positive number, land use codes are in force)."""
    rule, fld, side = finding.rule_code, finding.field, finding.side
    rec_map = finding.map_value if auto else None
    rec_reg = finding.register_value if auto else None
    if rule == "AREA_MISMATCH" or fld == "dien_tich":
        try:
            area = float(str(value).replace(",", "."))
        except ValueError:
            raise FindingError(f"diện tích phải là số: {value!r} / the area must be a number") from None
        if area <= 0:
            raise FindingError("diện tích phải lớn hơn 0 / the area must be positive")
        return [Write("parcels", i, "legal_area", area, None) for i in records.parcels_of_key(finding)]
    if rule == "LANDUSE_MISMATCH":
        codes = checked_codes(value)
        ids = records.parcels_of_key(finding)
        return ([Write("parcels", i, "land_use_codes", codes, None) for i in ids]
                + [Write("parcels", i, "map_land_use_label", codes, None) for i in ids])
    if fld == "loai_dat":
        codes = codes_text(value) if auto else checked_codes(value)
        if side == Side.MAP:
            ids = [finding.parcel_id] if finding.parcel_id else []
            return [Write("parcels", i, "map_land_use_label", codes, rec_map) for i in ids]
        return [Write("parcels", i, "land_use_codes", codes, codes_text(rec_reg) if auto else None)
                for i in records.parcels_of_key(finding)]
    if not str(value).strip():
        raise FindingError("giá trị sửa trống / empty value")
    if fld == "ten_chu" and side == Side.MAP:
        ids = [finding.parcel_id] if finding.parcel_id else []
        return [Write("parcels", i, "map_owner_label", value, rec_map) for i in ids]
    if fld == "ten_chu":
        ids = [finding.party_id] if finding.party_id else []
        return [Write("parties", i, "full_name", value, rec_reg) for i in ids]
    if fld == "dia_chi_chu":
        ids = [finding.party_id] if finding.party_id else []
        return [Write("parties", i, "address", value, rec_reg) for i in ids]
    if fld == "dia_chi_thua":
        return [Write("parcels", i, "address", value, rec_reg) for i in records.parcels_of_key(finding)]
    if fld == "so_giay_to":
        return _document(records, finding, str(value).strip(), auto=auto)
    return []
