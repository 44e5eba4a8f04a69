"""The change a delivery brings to the store, parcel by parcel (``datdai import --plan``).

Parcels are keyed by (commune code, sheet, parcel number), the key of the cadastral map and book.
For the communes the delivery covers, each key is:

* ``THEM`` — added: in the delivery, not in the store;
* ``XOA`` — removed: in the store, not in the delivery;
* ``HINH_THE`` — geometry changed: some vertex moved by more than :data:`GEOMETRY_TOLERANCE_M`
  (Hausdorff distance between the stored and the delivered polygon, in the zone's metres), the
  zone changed, a polygon appeared or vanished, or the key is drawn a different number of times;
* ``THUOC_TINH`` — attributes changed: one of :data:`COMPARED` (register area, land use, address,
  map scale; the map's labels) differs, the changed fields listed;
* ``CHU_SU_DUNG`` — holders changed: the set of land users with a right on the parcel differs
  (compared by name key — legacy encodings repaired, prefixes dropped, folded — and the digits of
  the identity number without leading zeros, or the birth year without a number, so a case or
  spacing fix is not a change);
* ``XUNG_DOT`` — a value a person corrected in the store (an audited change outside any
  delivery: a finding fixed, an automatic fix) while the new delivery carries yet another value.
  The corrected value is kept; the re-check records a finding showing both.

Values a person corrected are told apart from delivered ones by the audit trail: the changes of
a parcel made by a delivery's batch are "delivered", any other change (not reverted) is a
correction. A corrected value stays when the delivery brings back what it delivered before.
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

import pyarrow as pa
import shapely
from sqlalchemy import Connection, select

from datdai.cleaning.prepare import name_key, repair_text_column
from datdai.cleaning.redelivery.kinds import UNCHANGED, Kind
from datdai.db import schema as s
from datdai.kernel.model import LandDataset, Parcel
from datdai.land.repository import chunks, parcel_row

Key = tuple[str, int, int]
GEOMETRY_TOLERANCE_M = 0.05  # 5 cm: far above rewriting noise, below any survey correction
COMPARED = ("legal_area", "land_use_codes", "address", "map_scale", "map_area_label",
            "map_land_use_label", "map_owner_label")
GEOMETRY_COLUMNS = ("geom", "srid", "min_x", "min_y", "max_x", "max_y", "computed_area")
# the delivery's column of each stored one (findings and the plan file speak the delivery's words)
DELIVERY_FIELD = {"legal_area": "dien_tich", "land_use_codes": "loai_dat", "address": "dia_chi_thua",
                  "map_scale": "ty_le_ban_do", "map_area_label": "dien_tich_ban_do",
                  "map_land_use_label": "loai_dat_ban_do", "map_owner_label": "ten_chu_ban_do"}
MAP_SIDE = frozenset({"map_area_label", "map_land_use_label", "map_owner_label"})
# the field a finding names for each stored column (with its side, where store/fix_targets.py writes
# a person's chosen value: dien_tich → legal_area, loai_dat on the map → map_land_use_label…)
FINDING_FIELD = {"legal_area": "dien_tich", "land_use_codes": "loai_dat", "address": "dia_chi_thua",
                 "map_scale": "ty_le_ban_do", "map_area_label": "dien_tich_ban_do",
                 "map_land_use_label": "loai_dat", "map_owner_label": "ten_chu"}


@dataclass(slots=True)
class FieldChange:
    column: str  # stored column
    old: Any  # the store's value
    new: Any  # the delivery's value
    conflict: bool = False  # a person's correction, kept (the delivery's value is not written)
    delivered: Any = None  # for a conflict: what the earlier delivery carried


@dataclass(slots=True)
class ParcelChange:
    key: Key
    kinds: list[Kind] = field(default_factory=list)
    fields: list[FieldChange] = field(default_factory=list)
    shift_m: float | None = None  # largest vertex move (Hausdorff), None if not comparable
    holders_old: list[str] = field(default_factory=list)
    holders_new: list[str] = field(default_factory=list)
    store_ids: list[int] = field(default_factory=list)  # stored parcels of the key, by id
    new_index: list[int] = field(default_factory=list)  # the delivery's parcels of the key
    # what applying writes: stored parcel id → new values (the i-th drawing of the key on each side)
    updates: dict[int, dict[str, Any]] = field(default_factory=dict)


@dataclass(slots=True)
class Plan:
    communes: list[str]
    changes: list[ParcelChange]  # keys with at least one change, in key order
    unchanged: int = 0
    store_parcels: int = 0
    delivered_parcels: int = 0
    # map sheets of these communes in the store of which the delivery has no parcel: (commune,
    # sheet, parcels) — a delivery of part of a commune would remove them all; said loudly
    missing_sheets: list[tuple[str, int, int]] = field(default_factory=list)

    def of(self, kind: Kind) -> list[ParcelChange]:
        return [c for c in self.changes if kind in c.kinds]

    def warnings(self) -> list[str]:
        """What the officer must read before applying (in Vietnamese)."""
        if not self.missing_sheets:
            return []
        shown = ", ".join(f"{c} tờ {sh} ({n} thửa)" for c, sh, n in self.missing_sheets[:10])
        more = f" và {len(self.missing_sheets) - 10} tờ khác" if len(self.missing_sheets) > 10 else ""
        return [f"Giao nộp không có thửa nào của {len(self.missing_sheets)} tờ bản đồ đang có trong CSDL: "
                f"{shown}{more}. Áp dụng sẽ BỎ toàn bộ các thửa này; nếu giao nộp chỉ gồm một phần của xã, "
                "đừng áp dụng / the delivery has no parcel of these stored sheets: applying removes them all"]

    def counts(self) -> dict[str, int]:
        out = {k.value: len(self.of(k)) for k in Kind}
        out[UNCHANGED] = self.unchanged
        return out

    @property
    def empty(self) -> bool:
        return not any(k != Kind.CONFLICT for c in self.changes for k in c.kinds)


# ---------------------------------------------------------------- holders


def _number_key(number: str | None) -> str:
    digits = "".join(ch for ch in (number or "") if ch.isalnum()).upper()
    return digits.lstrip("0")


def holder_keys(names: list[str | None], numbers: list[str | None],
                years: list[int | None] | None = None) -> list[tuple[str, str]]:
    """The comparison key of each land user: (name key, identity number without leading zeros;
    without a number, the birth year — two namesakes without papers are two people)."""
    if not names:
        return []
    raw = pa.array([n or "" for n in names], pa.string())
    fixed, _ = repair_text_column(raw, names=True)
    keys = name_key(fixed).to_pylist()
    years = years or [None] * len(names)
    return [(k or "", _number_key(n) or (f"nam:{y}" if y else ""))
            for k, n, y in zip(keys, numbers, years, strict=True)]


@dataclass(slots=True)
class StoreHolders:
    """The land users with a right on each stored parcel key, and the parties by holder key."""

    by_key: dict[Key, set[tuple[str, str]]] = field(default_factory=dict)
    names: dict[Key, list[str]] = field(default_factory=dict)
    party_of: dict[tuple[str, str], int] = field(default_factory=dict)  # holder key → party id


def read_holders(conn: Connection, parcel_keys: dict[int, Key]) -> StoreHolders:
    hp, r, y, d = s.holding_parcels, s.rights, s.parties, s.identity_documents
    rows = []
    for chunk in chunks(sorted(parcel_keys), 2000):
        rows += conn.execute(
            select(hp.c.parcel_id, y.c.id, y.c.full_name, y.c.birth_year)
            .join(r, r.c.holding_id == hp.c.holding_id).join(y, y.c.id == r.c.party_id)
            .where(hp.c.parcel_id.in_(list(chunk))).order_by(hp.c.parcel_id, r.c.id)).all()
    party_ids = sorted({r.id for r in rows})
    number: dict[int, str] = {}
    for chunk in chunks(party_ids, 2000):
        for pid, num in conn.execute(select(d.c.party_id, d.c.number).where(d.c.party_id.in_(list(chunk)))
                                     .order_by(d.c.party_id, d.c.id)):
            number.setdefault(pid, num)
    keys = holder_keys([r.full_name for r in rows], [number.get(r.id) for r in rows],
                       [r.birth_year for r in rows])
    out = StoreHolders()
    for (parcel_id, pid, name, _), hk in zip(rows, keys, strict=True):
        k = parcel_keys[parcel_id]
        if hk not in out.by_key.setdefault(k, set()):
            out.by_key[k].add(hk)
            out.names.setdefault(k, []).append(name)
        out.party_of.setdefault(hk, pid)
    return out


def dataset_holders(data: LandDataset) -> tuple[dict[Key, set[tuple[str, str]]], dict[Key, list[str]],
                                                dict[str, tuple[str, str]]]:
    """The land users of each key of a converted delivery, and each party's holder key."""
    parties = list(data.parties)
    keys = holder_keys([p.full_name for p in parties],
                       [p.documents[0].number if p.documents else None for p in parties],
                       [p.birth_year for p in parties])
    key_of = {p.party_id: k for p, k in zip(parties, keys, strict=True)}
    name_of = {p.party_id: p.full_name for p in parties}
    rights_of: dict[str, list[str]] = defaultdict(list)
    for right in data.rights:
        rights_of[right.holding_id].append(right.party_id)
    by_key: dict[Key, set[tuple[str, str]]] = {}
    names: dict[Key, list[str]] = {}
    for h in data.holdings:
        for k in dict.fromkeys(h.parcel_keys):
            for pid in rights_of[h.holding_id]:
                if key_of[pid] not in by_key.setdefault(k, set()):
                    by_key[k].add(key_of[pid])
                    names.setdefault(k, []).append(name_of[pid])
    return by_key, names, key_of


# ---------------------------------------------------------------- corrections (audit trail)


def corrected_columns(conn: Connection, parcel_ids: Iterable[int]) -> dict[int, dict[str, Any]]:
    """For each stored parcel, the columns a person (or an automatic fix) changed after the last
    delivery wrote them → the value that delivery wrote."""
    delivery_batches = {b for b in conn.execute(select(s.deliveries.c.audit_batch_id)).scalars() if b}
    c = s.audit_changes
    out: dict[int, dict[str, Any]] = {}
    delivered: dict[int, dict[str, Any]] = {}
    for chunk in chunks(sorted(parcel_ids), 2000):
        q = (select(c.c.entity_id, c.c.batch_id, c.c.action, c.c.before, c.c.after)
             .where(c.c.entity == "parcels", c.c.entity_id.in_(list(chunk)),
                    c.c.reverted_by_change_id.is_(None), c.c.reverts_change_id.is_(None))
             .order_by(c.c.id))
        for pid, batch, action, before, after in conn.execute(q):
            if after is None:
                continue
            before = before or {}
            changed = [k for k in COMPARED if action == "insert" or before.get(k) != after.get(k)]
            if batch in delivery_batches:
                for k in changed:
                    delivered.setdefault(pid, {})[k] = after.get(k)
                    out.get(pid, {}).pop(k, None)
            else:
                for k in changed:
                    out.setdefault(pid, {})[k] = delivered.get(pid, {}).get(k, before.get(k))
    return {pid: cols for pid, cols in out.items() if cols}


# ---------------------------------------------------------------- comparing


def _norm(column: str, value: Any) -> Any:
    if value is None:
        return None
    if isinstance(value, float) or column in ("legal_area", "map_area_label"):
        try:
            return round(float(value), 4)
        except (TypeError, ValueError):
            return str(value)
    if isinstance(value, str):
        v = value.strip()
        return v or None
    return value


def _shift(old_geom, old_srid, new_geom, new_srid) -> tuple[bool, float | None]:
    """(changed, Hausdorff distance in metres when both exist in one zone)."""
    old_empty = old_geom is None or old_geom.is_empty
    new_empty = new_geom is None or new_geom.is_empty
    if old_empty and new_empty:
        return False, None
    if old_empty != new_empty or old_srid != new_srid:
        return True, None
    d = float(shapely.hausdorff_distance(old_geom, new_geom))
    if math.isnan(d):
        return True, None
    return d > GEOMETRY_TOLERANCE_M, d


def delivered_communes(data: LandDataset) -> list[str]:
    return sorted({p.commune_code for p in data.parcels})


def compute_plan(conn: Connection, data: LandDataset) -> Plan:
    """The change ``data`` (a converted delivery) brings to its communes in the store."""
    communes = delivered_communes(data)
    p = s.parcels
    stored: dict[Key, list[Any]] = defaultdict(list)
    for chunk in chunks(communes, 500):
        for row in conn.execute(select(p).where(p.c.commune_code.in_(list(chunk))).order_by(p.c.id)):
            stored[(row.commune_code, row.sheet_no, row.parcel_no)].append(row)
    new: dict[Key, list[int]] = defaultdict(list)
    for i, parcel in enumerate(data.parcels):
        new[parcel.key].append(i)
    parcel_keys = {r.id: k for k, rows in stored.items() for r in rows}
    holders = read_holders(conn, parcel_keys)
    new_holders, new_names, _ = dataset_holders(data)
    corrected = corrected_columns(conn, parcel_keys)

    plan = Plan(communes=communes, changes=[], store_parcels=len(parcel_keys),
                delivered_parcels=len(data.parcels))
    delivered_sheets = {(k[0], k[1]) for k in new}
    per_sheet: dict[tuple[str, int], int] = defaultdict(int)
    for k, rows in stored.items():
        if (k[0], k[1]) not in delivered_sheets:
            per_sheet[(k[0], k[1])] += len(rows)
    plan.missing_sheets = [(c, sh, n) for (c, sh), n in sorted(per_sheet.items())]
    for key in sorted(set(stored) | set(new)):
        rows, idx = stored.get(key, []), new.get(key, [])
        ch = ParcelChange(key=key, store_ids=[r.id for r in rows], new_index=idx,
                          holders_old=list(holders.names.get(key, [])),
                          holders_new=list(new_names.get(key, [])))
        if not rows:
            ch.kinds.append(Kind.ADDED)
        elif not idx:
            ch.kinds.append(Kind.REMOVED)
        else:
            _compare(ch, rows, [data.parcels[i] for i in idx], corrected)
            if holders.by_key.get(key, set()) != new_holders.get(key, set()):
                ch.kinds.append(Kind.OWNERS)
        if ch.kinds:
            plan.changes.append(ch)
        else:
            plan.unchanged += 1
    return plan


def _compare(ch: ParcelChange, rows: list[Any], parcels: list[Parcel],
             corrected: dict[int, dict[str, Any]]) -> None:
    geometry = len(rows) != len(parcels)
    seen: set[str] = set()
    for row, parcel in zip(rows, parcels, strict=False):
        want = parcel_row(parcel)
        values: dict[str, Any] = {}
        changed, d = _shift(row.geom, row.srid, want["geom"], want["srid"])
        if changed:
            geometry = True
            values.update({c: want[c] for c in GEOMETRY_COLUMNS})
        if d is not None:
            ch.shift_m = max(ch.shift_m or 0.0, d)
        fixed = corrected.get(row.id, {})
        for col in COMPARED:
            cur, val = _norm(col, row._mapping[col]), _norm(col, want[col])
            if cur == val:
                continue
            if col not in fixed:
                values[col] = want[col]
                if col not in seen:
                    ch.fields.append(FieldChange(col, row._mapping[col], want[col]))
            elif _norm(col, fixed[col]) != val:
                if col not in seen:
                    ch.fields.append(FieldChange(col, row._mapping[col], want[col], conflict=True,
                                                 delivered=fixed[col]))
            else:
                continue
            seen.add(col)
        if values:
            ch.updates[row.id] = values
    if geometry:
        ch.kinds.append(Kind.GEOMETRY)
    if any(not f.conflict for f in ch.fields):
        ch.kinds.append(Kind.ATTRIBUTES)
    if any(f.conflict for f in ch.fields):
        ch.kinds.append(Kind.CONFLICT)
