"""A delivery (map features + register rows) as a :class:`~datdai.kernel.model.LandDataset`.

What is stored is what the contractor recorded: names, addresses, document numbers and labels
as written (a TCVN3 name stays TCVN3). Corrections come afterwards, as findings fixed through
the audit trail, so that every change of a recorded value can be traced and undone.

* one parcel per map feature, in file order (a key drawn twice gives two parcels, as on the
  map); register-only keys become parcels without geometry, after them. Map labels go in the
  ``map_*`` fields, the register's values (first row of the key) in ``legal_area``,
  ``land_use_codes``, ``address`` and ``map_scale``;
* one party per land user: register rows of the same person are one party — same normalised
  document number and same name key, or, without a number, same name key, birth year and
  address. Person or organisation as the quality checks decide (``prepare_register``);
* one holding per certificate serial, else one per parcel; one land use right per party on the
  holding (share 1/n); one certificate per serial.

Codes are deterministic (``P<commune>-<n>``, ``H…``, ``R…``, numbered per commune in file order),
so converting the same delivery twice gives the same dataset; a commune's codes cannot collide
with another delivery's because a commune is first imported from one delivery only (a corrected
delivery, :mod:`datdai.cleaning.redelivery`, reuses stored records and gives the ones it adds codes of
its own audit batch).
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from decimal import Decimal

import numpy as np
import pyarrow as pa
import shapely

from datdai.cleaning.prepare import prepare_register
from datdai.kernel.certificates import classify_serial, normalise_serial
from datdai.kernel.ids import clean_id_text
from datdai.kernel.landuse import parse_codes
from datdai.kernel.model import (
    Certificate,
    CertificateForm,
    DocumentType,
    Gender,
    Holding,
    IdentityDocument,
    LandDataset,
    Parcel,
    Party,
    PartyKind,
    Right,
    RightKind,
)
from datdai.kernel.text import fold_key

Key = tuple[str, int, int]
_DATE = re.compile(r"^\s*(\d{1,2})[/.-](\d{1,2})[/.-](\d{4})\s*$")
_DOC_TYPES = {d.value: d for d in DocumentType}
_SHARE = Decimal("0.0000000001")  # the store keeps shares with 10 decimals
NO_COMMUNE = "00000"


@dataclass(slots=True)
class RowLinks:
    """Where each row of the delivery went, so that findings can be linked to stored records."""

    feature_parcel: dict[int, int] = field(default_factory=dict)  # map row → index in parcels
    register_parcel: dict[int, int] = field(default_factory=dict)  # register row → first parcel of key
    register_party: dict[int, str] = field(default_factory=dict)  # register row → party code
    skipped_features: list[int] = field(default_factory=list)  # no usable key (e.g. no so_thua)
    skipped_register_rows: list[int] = field(default_factory=list)


def _int(value: str | None) -> int | None:
    if value is None:
        return None
    try:
        return int(str(value).strip())
    except ValueError:
        return None


def _key(ma_xa: str | None, so_to: str | None, so_thua: str | None) -> Key | None:
    sheet, number = _int(so_to), _int(so_thua)
    if not ma_xa or sheet is None or number is None:
        return None
    return (ma_xa, sheet, number)


def _blank(value: str | None) -> bool:
    return value is None or not str(value).strip()


def _birth_date(text: str | None) -> dt.date | None:
    m = _DATE.match(text or "")
    if not m:
        return None
    try:
        return dt.date(int(m.group(3)), int(m.group(2)), int(m.group(1)))
    except ValueError:
        return None


def _usable_wkb(wkb: pa.Array) -> list[bytes | None]:
    """The WKB of each feature, None where it cannot be parsed at all (kept for the findings)."""
    raw = np.asarray(wkb.to_numpy(zero_copy_only=False), dtype=object)
    geoms = shapely.from_wkb(raw, on_invalid="ignore")
    return [r if g is not None else None for r, g in zip(raw.tolist(), geoms.tolist(), strict=True)]


def _column(table: pa.Table, name: str) -> list:
    if name not in table.column_names:
        return [None] * table.num_rows
    return table[name].to_pylist()


class _Codes:
    """Per-commune sequences: ``P25195-000001``."""

    def __init__(self, prefix: str) -> None:
        self.prefix = prefix
        self.next: dict[str, int] = {}

    def __call__(self, commune: str | None) -> str:
        c = commune or NO_COMMUNE
        n = self.next.get(c, 0) + 1
        self.next[c] = n
        return f"{self.prefix}{c}-{n:06d}"


def _doc_type(recorded: str | None, kind: str | None) -> DocumentType | None:
    t = (recorded or "").strip().upper()
    if t in _DOC_TYPES:
        return _DOC_TYPES[t]
    if kind in _DOC_TYPES:  # CCCD, CMND, HC as the number says
        return _DOC_TYPES[kind]
    return DocumentType.OTHER if t else None


def delivery_to_dataset(parcels: pa.Table, register: pa.Table, srid: int
                        ) -> tuple[LandDataset, RowLinks]:
    """Convert the ingest tables (``PARCEL_SCHEMA``, ``REGISTER_SCHEMA`` + extras)."""

    links = RowLinks()
    reg = prepare_register(register)
    r_row = _column(reg, "row")
    r_key = [_key(a, b, c) for a, b, c in zip(_column(reg, "ma_xa"), _column(reg, "so_to"),
                                                _column(reg, "so_thua"), strict=True)]

    # --- register values per parcel key: the first row of the key --------------------------
    r_area, r_use = _column(reg, "dien_tich"), _column(reg, "loai_dat")
    r_addr, r_scale = _column(reg, "dia_chi_thua"), _column(reg, "ty_le_ban_do")
    first_row_of: dict[Key, int] = {}
    for i, k in enumerate(r_key):
        if k is None:
            links.skipped_register_rows.append(r_row[i])
        elif k not in first_row_of:
            first_row_of[k] = i

    def register_values(k: Key) -> dict:
        i = first_row_of.get(k)
        if i is None:
            return {}
        return {"legal_area": r_area[i], "land_use_codes": parse_codes(r_use[i]),
                "address": r_addr[i], "map_scale": r_scale[i]}

    # --- parcels: the map features in file order, then the register-only keys --------------
    out_parcels: list[Parcel] = []
    first_parcel_of: dict[Key, int] = {}
    wkbs = _usable_wkb(parcels["geometry"].combine_chunks()) if parcels.num_rows else []
    for row, ma_xa, so_to, so_thua, area, use, owner, wkb in zip(
            _column(parcels, "row"), _column(parcels, "ma_xa"), _column(parcels, "so_to"),
            _column(parcels, "so_thua"), _column(parcels, "dien_tich"),
            _column(parcels, "loai_dat"), _column(parcels, "ten_chu"), wkbs, strict=True):
        k = _key(ma_xa, so_to, so_thua)
        if k is None:
            links.skipped_features.append(row)
            continue
        first_parcel_of.setdefault(k, len(out_parcels))
        links.feature_parcel[row] = len(out_parcels)
        out_parcels.append(Parcel(
            commune_code=k[0], sheet_no=k[1], parcel_no=k[2], geometry_wkb=wkb,
            srid=srid if wkb is not None else None, map_area_label=area,
            map_land_use_label=None if _blank(use) else use,
            map_owner_label=None if _blank(owner) else owner, **register_values(k)))
    for k in first_row_of:
        if k not in first_parcel_of:
            first_parcel_of[k] = len(out_parcels)
            out_parcels.append(Parcel(commune_code=k[0], sheet_no=k[1], parcel_no=k[2],
                                      **register_values(k)))

    # --- parties ------------------------------------------------------------------------------
    names, person = _column(reg, "ten_chu"), _column(reg, "la_nguoi")
    name_key, year = _column(reg, "ten_chu_khoa"), _column(reg, "nam_sinh_nam")
    gender, birth = _column(reg, "gioi_tinh_chuan"), _column(reg, "nam_sinh")
    doc_raw, doc_kind = _column(reg, "so_giay_to"), _column(reg, "id_loai")
    doc_value, doc_recorded = _column(reg, "id_so"), _column(reg, "loai_giay_to")
    address, address_fixed = _column(reg, "dia_chi_chu"), _column(reg, "dia_chi_chu_sua")
    party_codes = _Codes("P")
    out_parties: list[Party] = []
    party_of_key: dict[tuple, Party] = {}
    for i, k in enumerate(r_key):
        if k is None:
            continue
        is_person = bool(person[i])
        number = None
        if doc_kind[i] != "MISSING" and not _blank(doc_raw[i]):
            number = doc_value[i] or clean_id_text(str(doc_raw[i]))
        nk = name_key[i] or ""
        if number:
            ident: tuple = ("N", is_person, number, nk)
        elif nk:
            ident = ("A", is_person, nk, year[i], fold_key(address_fixed[i] or ""))
        else:
            ident = ("R", r_row[i])  # no name and no number: nothing to match on
        party = party_of_key.get(ident)
        if party is None:
            docs = []
            if number:
                docs.append(IdentityDocument(_doc_type(doc_recorded[i], doc_kind[i]),
                                             str(doc_raw[i]).strip()[:40]))
            party = Party(
                party_id=party_codes(k[0]),
                kind=PartyKind.PERSON if is_person else PartyKind.ORGANISATION,
                full_name=names[i] or "", gender=Gender(gender[i]) if gender[i] else None,
                birth_date=_birth_date(birth[i]), birth_year=year[i], documents=docs,
                address=None if _blank(address[i]) else address[i],
                nationality="Việt Nam" if is_person else None)
            party_of_key[ident] = party
            out_parties.append(party)
        links.register_party[r_row[i]] = party.party_id
        links.register_parcel[r_row[i]] = first_parcel_of[k]

    # --- holdings, rights, certificates -------------------------------------------------------
    serials = _column(reg, "so_seri_gcn")
    term, origin, form = (_column(reg, "thoi_han_su_dung"), _column(reg, "nguon_goc_su_dung"),
                          _column(reg, "hinh_thuc_su_dung"))
    holding_rows: dict[tuple, list[int]] = {}
    for i, k in enumerate(r_key):
        if k is None:
            continue
        serial = normalise_serial(serials[i])
        holding_rows.setdefault(("S", serial) if serial else ("K", k), []).append(i)
    holding_codes, right_codes = _Codes("H"), _Codes("R")
    out_holdings: list[Holding] = []
    out_rights: list[Right] = []
    out_certs: list[Certificate] = []
    for hkey, rows in holding_rows.items():
        commune = r_key[rows[0]][0]
        holding = Holding(holding_id=holding_codes(commune),
                          parcel_keys=list(dict.fromkeys(r_key[i] for i in rows)))
        out_holdings.append(holding)
        holders: dict[str, int] = {}
        for i in rows:
            holders.setdefault(links.register_party[r_row[i]], i)
        share = (Decimal(1) / len(holders)).quantize(_SHARE)
        for party_id, i in holders.items():
            out_rights.append(Right(
                right_id=right_codes(commune), holding_id=holding.holding_id, party_id=party_id,
                kind=RightKind.LAND_USE, share=share,
                term=None if _blank(term[i]) else term[i],
                origin=None if _blank(origin[i]) else origin[i],
                form_of_use=None if _blank(form[i]) else form[i]))
        if hkey[0] == "S" and len(hkey[1]) <= 20:
            serial = hkey[1]
            found = classify_serial(serial)
            if found is None:  # not a valid serial: keep it, its form guessed from its length
                found = CertificateForm.NEW if len(serial) >= 10 else CertificateForm.OLD
            out_certs.append(Certificate(serial=serial, form=found, holding_id=holding.holding_id))

    return LandDataset(parties=out_parties, parcels=out_parcels, holdings=out_holdings,
                       rights=out_rights, certificates=out_certs), links
