"""Comparison keys of land users and citizens, vectorised (Arrow, DuckDB through
:mod:`datdai.quality.prepare`), computed once per distinct value where values repeat.

Both sides get the same keys, so that the matching can join on them:

* ``ten_khoa`` — the name folded (no diacritics, lower case, one space between words) without
  the prefixes Ông/Bà/Hộ ông/Hộ bà/Hộ gia đình; ``ho`` its first word (surname), ``ten`` its
  last word (given name);
* ``nam_sinh_nam`` — the birth year (int32) of ``yyyy`` or ``dd/mm/yyyy``; ``ngay_sinh_day`` —
  the date (date32) when a full date is given;
* ``tinh_moi``, ``xa_moi`` — the 2025 province and commune codes of an address written with old
  or new unit names (:func:`datdai.refdata.admin_units.address_key`).

Owners also get ``ten_sua`` (the name with legacy encodings and mojibake repaired, NFC),
``id_loai``/``id_so`` (the recorded ID classified, lost leading zeros restored only when
unambiguous), ``gioi_tinh_suy_ra`` (gender read from a valid CCCD), ``la_to_chuc``
(organisation), and the parcel's ``tinh_moi_thua``/``xa_moi_thua``. Citizens get ``cmnd_so``
(the old ID card number normalised) and ``gioi_tinh_chuan``.
"""

from __future__ import annotations

import pyarrow as pa
import pyarrow.compute as pc

from datdai.domain.ids import KIND_CCCD, KIND_CMND
from datdai.quality.prepare import (
    ORG_DOCUMENTS,
    _birth_year,
    _classify_ids,
    _doc_type_code,
    _gender,
    _nullify_blank,
    _org_name,
    name_key,
    per_distinct,
    repair_text_column,
)
from datdai.refdata.admin_units import address_key

_NULL_STR = pa.scalar(None, pa.string())

OWNER_EXTRA = [
    ("ten_sua", pa.string()), ("ten_khoa", pa.string()), ("ho", pa.string()),
    ("ten", pa.string()), ("nam_sinh_nam", pa.int32()), ("ngay_sinh_day", pa.date32()),
    ("id_loai", pa.string()), ("id_so", pa.string()), ("id_sua", pa.string()),
    ("gioi_tinh_suy_ra", pa.string()), ("tinh_moi", pa.string()), ("xa_moi", pa.string()),
    ("tinh_moi_thua", pa.string()), ("xa_moi_thua", pa.string()), ("la_to_chuc", pa.bool_()),
]
POPULATION_EXTRA = [
    ("ten_khoa", pa.string()), ("ho", pa.string()), ("ten", pa.string()),
    ("nam_sinh_nam", pa.int32()), ("ngay_sinh_day", pa.date32()), ("gioi_tinh_chuan", pa.string()),
    ("cmnd_so", pa.string()), ("tinh_moi", pa.string()), ("xa_moi", pa.string()),
    ("tinh_moi_hien_tai", pa.string()), ("xa_moi_hien_tai", pa.string()),
]


def _col(table: pa.Table, name: str) -> pa.Array:
    return _nullify_blank(table[name].combine_chunks())


def _words(key: pa.Array) -> tuple[pa.Array, pa.Array]:
    """(first word, last word) of a folded key; null for an empty key."""
    k = pc.if_else(pc.equal(key, ""), _NULL_STR, key)
    first = pc.struct_field(pc.extract_regex(k, r"^(?P<w>\S+)"), "w")
    last = pc.struct_field(pc.extract_regex(k, r"(?P<w>\S+)$"), "w")
    return first, last


@per_distinct
def birth_date(values: pa.Array) -> pa.Array:
    """The date of a ``dd/mm/yyyy`` value (also ``d/m/yyyy``, ``-`` or ``.`` separators); null
    for a year alone, an impossible date or anything else."""
    v = pc.utf8_trim_whitespace(pc.fill_null(values, ""))
    parts = pc.extract_regex(v, r"^(?P<d>\d{1,2})[/.-](?P<m>\d{1,2})[/.-](?P<y>\d{4})$")
    ok = pc.is_valid(parts)
    d = pc.utf8_lpad(pc.struct_field(parts, "d"), 2, "0")
    m = pc.utf8_lpad(pc.struct_field(parts, "m"), 2, "0")
    iso = pc.binary_join_element_wise(pc.struct_field(parts, "y"), m, d, "-")
    iso = pc.if_else(ok, iso, _NULL_STR)
    ts = pc.strptime(iso, format="%Y-%m-%d", unit="s", error_is_null=True)
    # strptime rolls 31/02 over to 3 March: keep only dates that read back as written
    real = pc.equal(pc.strftime(ts, format="%Y-%m-%d"), iso)
    return pc.cast(pc.if_else(pc.fill_null(real, False), ts, pa.scalar(None, ts.type)),
                   pa.date32())


@per_distinct
def _address_codes(values: pa.Array) -> pa.Array:
    """A struct (tinh, xa) of 2025 codes per address (Python, once per distinct address)."""
    tinh, xa = [], []
    for text in values.to_pylist():
        key = address_key(text) if text else None
        tinh.append(key.new_province_code if key else None)
        xa.append(key.new_commune_code if key else None)
    return pa.StructArray.from_arrays([pa.array(tinh, pa.string()), pa.array(xa, pa.string())],
                                      names=["tinh", "xa"])


def address_codes(values: pa.Array) -> tuple[pa.Array, pa.Array]:
    """(2025 province code, 2025 commune code) of each address; null where unknown."""
    s = _address_codes(values)
    return pc.struct_field(s, "tinh"), pc.struct_field(s, "xa")


def _joined_address(*parts: pa.Array) -> pa.Array:
    """"xa, huyen, tinh" with the blank parts left out."""
    cleaned = [pc.fill_null(p, "") for p in parts]
    joined = pc.binary_join_element_wise(*cleaned, ", ")
    return pc.utf8_trim(pc.replace_substring_regex(joined, r"(, )+", ", "), ", ")


def _cccd_gender(kind: pa.Array, number: pa.Array) -> pa.Array:
    digit = pc.cast(pc.utf8_slice_codeunits(pc.if_else(pc.equal(kind, KIND_CCCD), number,
                                                       _NULL_STR), 3, 4), pa.int32())
    return pc.if_else(pc.equal(pc.bit_wise_and(digit, 1), 1), "Nữ", "Nam")


def _append(table: pa.Table, cols: dict, spec: list) -> pa.Table:
    for name, typ in spec:
        value = cols[name]
        if isinstance(value, pa.ChunkedArray):
            value = value.combine_chunks()
        table = table.append_column(pa.field(name, typ), value.cast(typ))
    return table


def normalise_owners(table: pa.Table) -> pa.Table:
    """The owners table (:func:`~datdai.reconcile.inputs.read_owners`) with the columns of
    :data:`OWNER_EXTRA` appended."""
    name = _col(table, "ho_ten")
    fixed, _kind = repair_text_column(name, names=True)
    key = name_key(fixed)
    born = _col(table, "nam_sinh")
    year = _birth_year(born)
    doc = _doc_type_code(table["loai_giay_to"].combine_chunks())
    n = table.num_rows
    # An organisation: a GPKD-like document or an organisation's name (prepare's _is_person,
    # without its "KHAC and no gender nor birth year" case: the owners file has no gender).
    org = pc.or_(pc.is_in(doc, pa.array(ORG_DOCUMENTS)), pc.fill_null(_org_name(fixed), False))
    person = pc.invert(org)
    first, last = _words(key)
    first = pc.if_else(person, first, _NULL_STR)
    last = pc.if_else(person, last, _NULL_STR)
    # the ID: cccd_cmnd, else so_giay_to when it is recorded as a CCCD/CMND
    id_doc = pc.is_in(doc, pa.array([KIND_CCCD, KIND_CMND, "CMT", "CMTND", "CC"]))
    raw = pc.coalesce(_col(table, "cccd_cmnd"),
                      pc.if_else(id_doc, _col(table, "so_giay_to"), _NULL_STR))
    hint = pc.if_else(id_doc, doc, _NULL_STR)
    ids = _classify_ids(raw, hint, year, pa.nulls(n, pa.string()), person)
    tinh, xa = address_codes(_col(table, "dia_chi_chu"))
    parcel = _joined_address(_col(table, "xa"), _col(table, "huyen"), _col(table, "tinh"))
    tinh_t, xa_t = address_codes(parcel)
    cols = {
        "ten_sua": fixed, "ten_khoa": key, "ho": first, "ten": last, "nam_sinh_nam": year,
        "ngay_sinh_day": birth_date(born),
        "id_loai": ids["id_loai"], "id_so": ids["id_so"], "id_sua": ids["id_sua"],
        "gioi_tinh_suy_ra": _cccd_gender(ids["id_loai"], ids["id_so"]),
        "tinh_moi": tinh, "xa_moi": xa, "tinh_moi_thua": tinh_t, "xa_moi_thua": xa_t,
        "la_to_chuc": org,
    }
    return _append(table, cols, OWNER_EXTRA)


def normalise_population(table: pa.Table) -> pa.Table:
    """The population extract (:func:`~datdai.reconcile.inputs.read_population`) with the
    columns of :data:`POPULATION_EXTRA` appended. The register's names are NFC with diacritics
    (the spec): no legacy repair, only NFC and the key."""
    n = table.num_rows
    key = name_key(_col(table, "ho_ten"))
    first, last = _words(key)
    born = _col(table, "ngay_sinh")
    year = _birth_year(born)
    gender = _gender(table["gioi_tinh"].combine_chunks())
    cmnd = _classify_ids(_col(table, "so_cmnd"), pa.nulls(n, pa.string()), year, gender,
                         _all_true(n))
    cmnd_ok = pc.is_in(cmnd["id_loai"], pa.array([KIND_CCCD, KIND_CMND]))
    tinh, xa = address_codes(_col(table, "thuong_tru"))
    tinh_h, xa_h = address_codes(_col(table, "noi_o_hien_tai"))
    cols = {
        "ten_khoa": key, "ho": first, "ten": last, "nam_sinh_nam": year,
        "ngay_sinh_day": birth_date(born), "gioi_tinh_chuan": gender,
        "cmnd_so": pc.if_else(cmnd_ok, cmnd["id_so"], _NULL_STR),
        "tinh_moi": tinh, "xa_moi": xa, "tinh_moi_hien_tai": tinh_h, "xa_moi_hien_tai": xa_h,
    }
    return _append(table, cols, POPULATION_EXTRA)


def _all_true(n: int) -> pa.Array:
    return pc.fill_null(pa.nulls(n, pa.bool_()), True)
