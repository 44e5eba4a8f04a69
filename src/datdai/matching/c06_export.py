"""The owners export for C06 (docs/formats/xuat-chu-su-dung-c06.md, ``chu_su_dung.csv``) from the land store.

One row per (land user, parcel): every land-use right (``SU_DUNG_DAT``) of a holding, on every
parcel the holding covers. A household, a couple or a group gives one row per member person
(their own name, birth, identity number and address, as recorded); an organisation one row with
its own document; a person one row. Columns mean what they mean in the synthetic
``chu_su_dung.csv`` (``datdai.synth.render``), including the extra trailing ``ma_xa``:

* ``tinh``/``huyen``/``xa``: the old (pre-1 July 2025) names of the parcel's commune, province
  without "Tỉnh "; the 2025 names (new province, no district, new commune) when the holding's
  certificate was issued on or after 1 July 2025, i.e. the record was made with them. Names come
  from the store's ``admin_units``, else from the reference list.
* ``dien_tich``: the register area, one decimal; ``so_seri_gcn``: the holding's latest
  certificate.
* ``nam_sinh``: ``dd/mm/yyyy`` when a full date is stored, else the year, else empty.
* ``cccd_cmnd``: the person's CCCD, else CMND, else untyped document number, as stored (empty for
  organisations); ``loai_giay_to``/``so_giay_to``: the party's first recorded document.
* ``ma_dong``: ``D`` + 7 digits, numbered in the order (commune, sheet, parcel, parcel row,
  holding code, holder party code, member order): the same store gives the same file.

The file is UTF-8 without BOM, comma-separated, CRLF line ends, RFC 4180 quoting (as the synth),
written to a temporary file next to the target and renamed into place: a failure leaves no file.
"""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
import os
import sys
import tempfile
from array import array
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy import Connection, and_, func, select

from datdai.db import schema as s
from datdai.kernel.admin_units import new_commune, old_commune
from datdai.kernel.admin_units_data import resolve_new_province, resolve_old_province
from datdai.kernel.errors import InvalidInput
from datdai.kernel.model import AdminEra, AdminLevel, PartyKind
from datdai.kernel.spreadsheet import CSV_ENCODING, neutralise_row
from datdai.kernel.text import fold_key, nfc
from datdai.land.repository import chunks
from datdai.matching.reconcile_exports import record_export

OWNER_COLUMNS = (
    "ma_dong", "tinh", "huyen", "xa", "to_so", "so_thua", "so_seri_gcn", "dia_chi_thua",
    "dien_tich", "ho_ten", "nam_sinh", "cccd_cmnd", "loai_giay_to", "so_giay_to", "dia_chi_chu",
    "ma_xa",  # extra: the commune code, to join with the delivery
)
NEW_ADMIN_FROM = dt.date(2025, 7, 1)  # from this date records use the 2025 admin units
GROUP_KINDS = {PartyKind.HOUSEHOLD.value, PartyKind.COUPLE.value, PartyKind.GROUP.value}
_CHUNK = 5000

Progress = Callable[[str, int, int], None]


class ExportError(InvalidInput):
    """Bad export request or a store with nothing to export: the user can act on it (exit 2)."""


# ---------------------------------------------------------------- admin units


@dataclass(slots=True)
class CommuneNames:
    code: str
    old: tuple[str, str, str]  # tinh, huyen, xa before 1 July 2025
    new: tuple[str, str, str]  # tinh, "", xa from 1 July 2025
    old_province_code: str | None
    new_province_code: str | None
    new_code: str | None


def _strip_tinh(name: str) -> str:
    return name[5:] if name.startswith("Tỉnh ") else name


def _units(conn: Connection) -> dict[tuple[str, str, str], tuple[str, str | None, str | None]]:
    """(era, level, code) → (name, parent_code, successor_code) of the store's admin units."""
    t = s.admin_units
    return {(r.era, r.level, r.code): (r.name, r.parent_code, r.successor_code)
            for r in conn.execute(select(t.c.era, t.c.level, t.c.code, t.c.name, t.c.parent_code,
                                         t.c.successor_code))}


def commune_names(conn: Connection, codes: Iterable[str]) -> dict[str, CommuneNames]:
    """Old and 2025 names of the parcels' communes: the store's admin units, else the reference."""

    units = _units(conn)
    old, new = AdminEra.OLD.value, AdminEra.NEW.value
    prov, dist, com = AdminLevel.PROVINCE.value, AdminLevel.DISTRICT.value, AdminLevel.COMMUNE.value
    out: dict[str, CommuneNames] = {}
    for code in codes:
        ref = old_commune(code)
        xa, district_code, new_code = units.get((old, com, code), (None, None, None))
        xa = xa or (ref.name if ref else "")
        district_code = district_code or (ref.district_code if ref else None)
        new_code = new_code or (ref.new_code if ref else None)
        huyen, province_code, _ = units.get((old, dist, district_code or ""), (None, None, None))
        huyen = huyen or (ref.district_name if ref else "")
        province_code = province_code or (ref.province_code if ref else None)
        tinh = units.get((old, prov, province_code or ""), (None,))[0] or (ref.province_name if ref else "")
        new_xa, new_province_code, _ = units.get((new, com, new_code or ""), (None, None, None))
        nref = new_commune(new_code) if new_code else None
        new_xa = new_xa or (nref.name if nref else "") or (ref.new_name if ref else "") or xa
        new_province_code = new_province_code or (nref.province_code if nref else None) or \
            (ref.new_province_code if ref else None)
        new_tinh = units.get((new, prov, new_province_code or ""), (None,))[0] or \
            (nref.province_name if nref else "") or (ref.new_province_name if ref else "") or tinh
        out[code] = CommuneNames(
            code=code, old=(_strip_tinh(tinh), huyen, xa), new=(_strip_tinh(new_tinh), "", new_xa),
            old_province_code=province_code, new_province_code=new_province_code, new_code=new_code)
    return out


def _store_communes(conn: Connection) -> list[str]:
    t = s.parcels
    return [r[0] for r in conn.execute(select(t.c.commune_code).distinct().order_by(t.c.commune_code))]


def _province_codes(conn: Connection, province: str) -> tuple[set[str], set[str]]:
    """(old codes, new codes) a --province value names: a code or a name of either era."""

    text = nfc(province).strip()
    key = fold_key(text)
    key_bare = fold_key(_strip_tinh(text))
    olds: set[str] = set()
    news: set[str] = set()
    for (era, level, code), (name, _, _) in _units(conn).items():
        if level != AdminLevel.PROVINCE.value:
            continue
        if text == code or key in (fold_key(name), fold_key(_strip_tinh(name))) or \
                key_bare == fold_key(_strip_tinh(name)):
            (olds if era == AdminEra.OLD.value else news).add(code)
    for resolve, bucket in ((resolve_old_province, olds), (resolve_new_province, news)):
        try:
            bucket.add(resolve(text))
        except (ValueError, KeyError):
            pass
    return olds, news


def resolve_communes(conn: Connection, *, province: str | None = None,
                     communes: Sequence[str] | str | None = None) -> list[str]:
    """The store's communes (old 5-digit codes, as on the parcels) the filters select, sorted.

    ``province``: old or 2025 province, by code or name; ``communes``: 5-digit codes (a list or a
    comma-separated string) of communes in the store, or of 2025 communes (their predecessors).
    Unknown values, and filters that select nothing, raise :class:`ExportError`.
    """
    have = _store_communes(conn)
    if not have:
        raise ExportError("cơ sở dữ liệu chưa có thửa đất nào / the store holds no parcels: nothing to export")
    selected = list(have)
    names = commune_names(conn, have) if (province or communes) else {}
    if province is not None and province.strip():
        olds, news = _province_codes(conn, province)
        if not olds and not news:
            raise ExportError(f"không tìm thấy tỉnh/thành phố '{province}' / unknown province "
                              "(tên hoặc mã, trước hoặc sau 01/7/2025)")
        selected = [c for c in selected if names[c].old_province_code in olds
                    or names[c].new_province_code in news]
        if not selected:
            raise ExportError(f"cơ sở dữ liệu không có thửa đất nào của tỉnh '{province}' / "
                              "the store has no parcels in that province")
    if communes is not None:
        raw = communes.split(",") if isinstance(communes, str) else list(communes)
        wanted = [c.strip() for c in raw if c.strip()]
        if not wanted:
            raise ExportError("--commune trống / empty --commune")
        by_new: dict[str, list[str]] = defaultdict(list)
        for c in have:
            if names[c].new_code:
                by_new[names[c].new_code].append(c)
        chosen: set[str] = set()
        for w in wanted:
            if not w.isdigit() or len(w) > 5:
                raise ExportError(f"mã xã '{w}' không hợp lệ (5 chữ số) / invalid commune code")
            code = w.zfill(5)
            if code in names:
                chosen.add(code)
            elif code in by_new:  # a 2025 commune: the old communes it was formed from
                chosen.update(by_new[code])
            else:
                raise ExportError(f"cơ sở dữ liệu không có thửa đất nào của xã '{w}' / "
                                  "unknown commune (no parcels in the store)")
        in_province = set(selected)
        selected = sorted(chosen & in_province)
        if not selected:
            raise ExportError(f"các xã {', '.join(wanted)} không thuộc tỉnh '{province}' / "
                              "the communes are not in that province")
    return selected


# ---------------------------------------------------------------- rows


@dataclass(slots=True)
class _Who:
    id: int
    kind: str
    name: str
    birth: str
    cccd_cmnd: str
    doc_type: str
    doc_no: str
    address: str
    members: list[int] = field(default_factory=list)


def _birth_text(birth_date: dt.date | None, birth_year: int | None) -> str:
    if birth_date is not None:
        return birth_date.strftime("%d/%m/%Y")
    if birth_year is not None:
        return f"{birth_year:04d}"
    return ""


def _fmt_area(x: float | None) -> str:
    return "" if x is None else f"{x:.1f}"


def _parties(conn: Connection, holder_ids: set[int]) -> dict[int, _Who]:
    """The holders and the members of group holders, with their documents."""
    p, d, m = s.parties, s.identity_documents, s.party_members
    members: dict[int, list[int]] = defaultdict(list)
    for chunk in chunks(sorted(holder_ids), _CHUNK):
        for r in conn.execute(select(m.c.group_id, m.c.member_id).where(m.c.group_id.in_(chunk))
                              .order_by(m.c.id)):
            members[r.group_id].append(r.member_id)
    ids = sorted(holder_ids | {x for ms in members.values() for x in ms})
    out: dict[int, _Who] = {}
    for chunk in chunks(ids, _CHUNK):
        for r in conn.execute(select(p.c.id, p.c.kind, p.c.full_name, p.c.birth_date, p.c.birth_year,
                                     p.c.address).where(p.c.id.in_(chunk))):
            out[r.id] = _Who(id=r.id, kind=r.kind, name=r.full_name or "",
                             birth=_birth_text(r.birth_date, r.birth_year), cccd_cmnd="",
                             doc_type="", doc_no="", address=r.address or "",
                             members=members.get(r.id, []))
        docs: dict[int, list] = defaultdict(list)
        for r in conn.execute(select(d.c.party_id, d.c.doc_type, d.c.number).where(d.c.party_id.in_(chunk))
                              .order_by(d.c.id)):
            docs[r.party_id].append(r)
        for pid, ds in docs.items():
            who = out[pid]
            who.doc_type, who.doc_no = ds[0].doc_type or "", ds[0].number or ""
            if who.kind != PartyKind.ORGANISATION.value:
                personal = {t: next((x.number for x in ds if x.doc_type == t), None)
                            for t in ("CCCD", "CMND", None)}
                who.cccd_cmnd = personal["CCCD"] or personal["CMND"] or personal[None] or ""
    return out


def _certificates(conn: Connection, holding_ids: set[int]) -> dict[int, tuple[str, dt.date | None]]:
    """holding id → (serial, issue date) of its latest certificate."""
    c = s.certificates
    out: dict[int, tuple[str, dt.date | None]] = {}
    best: dict[int, tuple] = {}
    for chunk in chunks(sorted(holding_ids), _CHUNK):
        for r in conn.execute(select(c.c.id, c.c.holding_id, c.c.serial, c.c.issue_date)
                              .where(c.c.holding_id.in_(chunk))):
            rank = (r.issue_date or dt.date.min, r.id)
            if r.holding_id not in best or rank > best[r.holding_id]:
                best[r.holding_id] = rank
                out[r.holding_id] = (r.serial or "", r.issue_date)
    return out


def _people(who: _Who, parties: dict[int, _Who]) -> list[_Who]:
    if who.kind in GROUP_KINDS and who.members:
        return [parties[m] for m in who.members]
    return [who]


@dataclass(frozen=True, slots=True)
class RowLink:
    """What one export row was in the store: the person party, the parcel, its commune."""

    party_id: int
    parcel_id: int
    commune_code: str


def owner_rows(conn: Connection, communes: Sequence[str] | None = None,
               progress: Progress | None = None, *,
               on_link: Callable[[RowLink], None] | None = None) -> Iterator[dict[str, str]]:
    """The export rows in file order (``ma_dong`` numbered), for ``communes`` or the whole store.
    ``on_link`` receives, before each row, the :class:`RowLink` it is written from."""
    for row, link in linked_owner_rows(conn, communes, progress):
        if on_link is not None:
            on_link(link)
        yield row


def linked_owner_rows(conn: Connection, communes: Sequence[str] | None = None,
                      progress: Progress | None = None) -> Iterator[tuple[dict[str, str], RowLink]]:
    """:func:`owner_rows`, each with the :class:`RowLink` it was written from."""
    p, hp, r, h, party = s.parcels, s.holding_parcels, s.rights, s.holdings, s.parties
    cond = [r.c.kind == "SU_DUNG_DAT"]
    if communes is not None:
        cond.append(p.c.commune_code.in_(list(communes)))
    base = (r.join(hp, hp.c.holding_id == r.c.holding_id).join(p, p.c.id == hp.c.parcel_id)
            .join(h, h.c.id == r.c.holding_id).join(party, party.c.id == r.c.party_id))
    where = and_(*cond)
    holder_ids = {x for (x,) in conn.execute(select(r.c.party_id).select_from(base).where(where).distinct())}
    holding_ids = {x for (x,) in conn.execute(select(r.c.holding_id).select_from(base).where(where).distinct())}
    total = conn.execute(select(func.count()).select_from(base).where(where)).scalar_one()
    parties = _parties(conn, holder_ids)
    certs = _certificates(conn, holding_ids)
    names = commune_names(conn, communes if communes is not None else _store_communes(conn))

    q = (select(p.c.id.label("parcel_id"), p.c.commune_code, p.c.sheet_no, p.c.parcel_no, p.c.address,
                p.c.legal_area, r.c.holding_id, r.c.party_id)
         .select_from(base).where(where)
         .order_by(p.c.commune_code, p.c.sheet_no, p.c.parcel_no, p.c.id, h.c.code, party.c.code, r.c.id))
    n = 0
    seen: set[tuple[int, int, int]] = set()
    rows = conn.execute(q, execution_options={"stream_results": True, "yield_per": _CHUNK})
    for k, row in enumerate(rows):
        if progress is not None and k % _CHUNK == 0:
            progress("xuất chủ sử dụng / owners", k, total)
        key = (row.parcel_id, row.holding_id, row.party_id)
        if key in seen:  # the same user twice on one holding: one row
            continue
        seen.add(key)
        serial, issued = certs.get(row.holding_id, ("", None))
        place = names[row.commune_code]
        tinh, huyen, xa = place.new if issued is not None and issued >= NEW_ADMIN_FROM else place.old
        for who in _people(parties[row.party_id], parties):
            n += 1
            yield ({
                "ma_dong": f"D{n:07d}", "tinh": tinh, "huyen": huyen, "xa": xa,
                "to_so": str(row.sheet_no), "so_thua": str(row.parcel_no), "so_seri_gcn": serial,
                "dia_chi_thua": row.address or "", "dien_tich": _fmt_area(row.legal_area),
                "ho_ten": who.name, "nam_sinh": who.birth, "cccd_cmnd": who.cccd_cmnd,
                "loai_giay_to": who.doc_type, "so_giay_to": who.doc_no, "dia_chi_chu": who.address,
                "ma_xa": row.commune_code,
            }, RowLink(who.id, row.parcel_id, row.commune_code))
    if progress is not None:
        progress("xuất chủ sử dụng / owners", total, total)


# ---------------------------------------------------------------- the file


class _Links:
    """The row links of an export, kept compact (a province has millions of rows)."""

    def __init__(self) -> None:
        self.party = array("q")
        self.parcel = array("q")
        self.commune: list[str] = []

    def add(self, link: RowLink) -> None:
        self.party.append(link.party_id)
        self.parcel.append(link.parcel_id)
        self.commune.append(sys.intern(link.commune_code))

    def rows(self) -> Iterator[tuple[str, int, int, str]]:
        for k, (a, b, c) in enumerate(zip(self.party, self.parcel, self.commune, strict=True)):
            yield f"D{k + 1:07d}", a, b, c


@dataclass(slots=True)
class ExportResult:
    path: Path
    rows: int
    communes: list[str]
    sha256: str
    province: str | None = None
    commune_filter: str | None = None
    export_id: int | None = None  # the recorded export (c06_exports), when recorded


def _read_snapshot(conn: Connection, *, readonly: bool = True) -> Connection:
    """One consistent view of the store for all the export's queries (PostgreSQL)."""
    if conn.dialect.name == "postgresql" and not conn.in_transaction():
        conn.execution_options(isolation_level="REPEATABLE READ", postgresql_readonly=readonly)
    return conn


def _scope(province: str | None, communes: Sequence[str] | str | None) -> str:
    parts = []
    if province is not None:
        parts.append(f"tinh={province}")
    if communes is not None:
        parts.append(f"xa={communes if isinstance(communes, str) else ','.join(communes)}")
    return "; ".join(parts)


def export_c06(conn: Connection, out: Path | str, *, province: str | None = None,
               communes: Sequence[str] | str | None = None,
               progress: Progress | None = None, record: bool = True,
               actor: str = "datdai", bom: bool = True) -> ExportResult:
    """Write the owners export to ``out`` atomically (temp file + rename; nothing on failure).

    ``conn``: a fresh connection (no transaction begun yet, so a consistent snapshot can be set).
    Raises :class:`ExportError` for unknown filters, a store with no owners, or an unwritable
    target.

    ``record`` (default): the export and which party and parcel each ``ma_dong`` was are
    stored (``c06_exports``, ``c06_export_rows``; :attr:`ExportResult.export_id`), so that a
    reconciliation result of this file can be brought back to the store. When ``conn`` came
    without a transaction the export commits its record itself; inside the caller's
    transaction, the caller commits.

    ``bom``: the file begins with a UTF-8 byte order mark (the default, for Excel on Windows).
    Texts a spreadsheet would take for a formula are neutralised
    (:mod:`datdai.kernel.spreadsheet`); our reader of the file undoes it.
    """
    out = Path(out)
    if out.is_dir():
        raise ExportError(f"'{out}' là một thư mục / is a directory, not a file")
    if not out.parent.is_dir():
        raise ExportError(f"thư mục không tồn tại / directory does not exist: '{out.parent}'")
    own_transaction = not conn.in_transaction()
    conn = _read_snapshot(conn, readonly=not record)
    selected = resolve_communes(conn, province=province, communes=communes)
    filtered = province is not None or communes is not None
    digest = hashlib.sha256()
    try:
        fd, tmp_name = tempfile.mkstemp(prefix=f".{out.name}.", suffix=".tmp", dir=out.parent)
    except OSError as exc:
        raise ExportError(f"không ghi được vào thư mục / cannot write in '{out.parent}': {exc.strerror}") from exc
    tmp = Path(tmp_name)
    n = 0
    links = _Links()
    export_id = None
    try:
        with os.fdopen(fd, "w", encoding=CSV_ENCODING if bom else "utf-8", newline="") as f:
            w = csv.DictWriter(f, fieldnames=list(OWNER_COLUMNS), lineterminator="\r\n")
            w.writeheader()
            for row in owner_rows(conn, selected if filtered else None, progress=progress,
                                  on_link=links.add if record else None):
                w.writerow(neutralise_row(row))
                n += 1
            f.flush()
            os.fsync(f.fileno())
        if n == 0 and not filtered:
            raise ExportError("cơ sở dữ liệu chưa có người sử dụng đất nào / the store holds no land "
                              "users: nothing to export")
        with tmp.open("rb") as f:
            while block := f.read(1 << 20):
                digest.update(block)
        if record:
            export_id = record_export(conn, file_name=out.name, sha256=digest.hexdigest(), actor=actor,
                                      scope=_scope(province, communes), links=links.rows())
        os.replace(tmp, out)
        if record and own_transaction:
            try:
                conn.commit()
            except BaseException:
                out.unlink(missing_ok=True)
                raise
    except BaseException:
        tmp.unlink(missing_ok=True)
        if record and own_transaction and conn.in_transaction():
            conn.rollback()
        raise
    return ExportResult(path=out, rows=n, communes=selected, sha256=digest.hexdigest(),
                        export_id=export_id,
                        province=province,
                        commune_filter=communes if isinstance(communes, str) or communes is None
                        else ",".join(communes))
