"""Comparison keys of land users and citizens, vectorised (Arrow and DuckDB).

Both sides get the same keys so that the matching can join and compare them:

* names — :mod:`datdai.matching.names` (``ten_khoa``, ``ten_dau``, ``ho``, ``dem``, ``ten``,
  ``ten_sap``); owners' names are first repaired from legacy encodings (``ten_sua``);
* births — :mod:`datdai.matching.births`: ``nam_sinh_nam``, ``ns_thang``, ``ns_ngay`` (int32,
  null where unknown) and ``ngay_sinh_day`` (date32, when the full date is known);
* addresses — :mod:`datdai.matching.addresses`: owners ``dc_tinh``, ``dc_xa``, ``dc_bits``,
  ``dc_so``; citizens the same for the permanent (``tt_*``) and the current (``ht_*``)
  residence;
* gender — owners ``gioi_tinh_suy_ra`` (read from a valid CCCD), citizens ``gioi_tinh_chuan``.

Owners also get ``id_loai``/``id_so``/``id_sua`` (the recorded ID classified, lost leading zeros
restored only when unambiguous), ``la_to_chuc`` (organisation) and the parcel's
``tinh_moi_thua``/``xa_moi_thua``; citizens get ``cmnd_so`` (the old ID card number).

``notes``, when given, collects what the reader had to decide (a date order, a column that is
empty throughout): a run says so instead of quietly matching on less.
"""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

import pyarrow as pa
import pyarrow.compute as pc

from datdai.cleaning.prepare import (
    _classify_ids,
    _doc_type_code,
    _nullify_blank,
    _org_name,
    fold_column,
    per_distinct,
    repair_text_column,
)
from datdai.kernel.ids import KIND_CCCD, KIND_CMND
from datdai.kernel.text import vn_int
from datdai.matching.addresses import address_keys, address_keys_of
from datdai.matching.births import read_births
from datdai.matching.names import NAME_COLUMNS, name_parts

_NULL_STR = pa.scalar(None, pa.string())

BIRTH_KEYS = [("nam_sinh_nam", pa.int32()), ("ns_thang", pa.int32()), ("ns_ngay", pa.int32()),
              ("ngay_sinh_day", pa.date32())]
OWNER_EXTRA = [
    ("ten_sua", pa.string()), *NAME_COLUMNS, *BIRTH_KEYS,
    ("id_loai", pa.string()), ("id_so", pa.string()), ("id_sua", pa.string()),
    ("gioi_tinh_suy_ra", pa.string()), ("dc_tinh", pa.string()), ("dc_xa", pa.string()),
    ("dc_bits", pa.int64()), ("dc_so", pa.string()), ("dc_txt", pa.string()), ("dc_chu", pa.string()),
    ("tinh_moi_thua", pa.string()),
    ("xa_moi_thua", pa.string()),
    ("la_to_chuc", pa.bool_()),
]
POPULATION_EXTRA = [
    *NAME_COLUMNS, *BIRTH_KEYS, ("gioi_tinh_chuan", pa.string()), ("cmnd_so", pa.string()),
    ("tt_tinh", pa.string()), ("tt_xa", pa.string()), ("tt_bits", pa.int64()),
    ("tt_so", pa.string()), ("tt_txt", pa.string()), ("tt_chu", pa.string()),
    ("ht_tinh", pa.string()),
    ("ht_xa", pa.string()), ("ht_bits", pa.int64()), ("ht_so", pa.string()),
    ("ht_txt", pa.string()), ("ht_chu", pa.string()),
]
# the owner fields the matching can use, and what they are called for a person
OWNER_FIELDS = {"ten_khoa": "họ tên", "nam_sinh_nam": "năm sinh", "dc_bits": "địa chỉ chủ"}
POPULATION_FIELDS = {"ten_khoa": "họ tên", "nam_sinh_nam": "ngày sinh",
                     "gioi_tinh_chuan": "giới tính", "tt_bits": "thường trú"}


def _col(table: pa.Table, name: str) -> pa.Array:
    return _nullify_blank(table[name].combine_chunks())


def _births(values: pa.Array, column: str, notes) -> dict[str, pa.Array]:
    b = read_births(values, column, notes)
    year, month, day = (pc.struct_field(b, n) for n in ("nam", "thang", "ngay"))
    full = pc.and_(pc.is_valid(month), pc.is_valid(day))
    iso = pc.binary_join_element_wise(
        pc.cast(year, pa.string()), pc.utf8_lpad(pc.cast(month, pa.string()), 2, "0"),
        pc.utf8_lpad(pc.cast(day, pa.string()), 2, "0"), "-")
    date = pc.cast(pc.strptime(pc.if_else(full, iso, _NULL_STR), format="%Y-%m-%d", unit="s",
                               error_is_null=True), pa.date32())
    return {"nam_sinh_nam": year, "ns_thang": month, "ns_ngay": day, "ngay_sinh_day": date}


@per_distinct
def read_gender(values: pa.Array) -> pa.Array:
    """``Nam``/``Nữ`` from Nam, Nữ, Nu, M, F, Male, Female (any case); null otherwise."""
    f = fold_column(pc.fill_null(values, ""))
    male = pc.is_in(f, pa.array(["nam", "m", "male", "trai"]))
    female = pc.is_in(f, pa.array(["nu", "nu gioi", "f", "female", "gai"]))
    return pc.if_else(male, "Nam", pc.if_else(female, "Nữ", _NULL_STR))


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
        if pa.types.is_dictionary(value.type) and value.type.value_type == typ:
            table = table.append_column(pa.field(name, value.type), value)  # kept encoded
        else:
            table = table.append_column(pa.field(name, typ), value.cast(typ))
    return table


def _empty_fields(table: pa.Table, fields: dict[str, str], what: str, notes) -> None:
    """A note for each usable field that no row (or almost none) fills."""
    if notes is None or table.num_rows == 0:
        return
    for column, label in fields.items():
        filled = table.num_rows - table[column].null_count
        if filled == 0:
            notes.append(f"{what}: không dòng nào có {label} ({column}) — đối soát không dùng "
                         f"trường này / no row has this field")
        elif filled < 0.05 * table.num_rows:
            notes.append(f"{what}: chỉ {vn_int(filled)} trong {vn_int(table.num_rows)} dòng có "
                         f"{label} ({column}) / few rows have this field")


def normalise_owners(table: pa.Table, notes: list[str] | None = None) -> pa.Table:
    """The owners table (:func:`~datdai.matching.inputs.read_owners`) with the columns of
    :data:`OWNER_EXTRA` appended."""
    name = _col(table, "ho_ten")
    fixed, _kind = repair_text_column(name, names=True)
    names = name_parts(fixed)
    births = _births(_col(table, "nam_sinh"), "nam_sinh", notes)
    year = births["nam_sinh_nam"]
    doc = _doc_type_code(table["loai_giay_to"].combine_chunks())
    n = table.num_rows
    # An organisation: an organisation's name. A business licence (GPKD) alone does not make
    # one: a household business (hộ kinh doanh) is registered in a person's name.
    org = pc.fill_null(_org_name(fixed), False)
    person = pc.invert(org)
    # the ID: cccd_cmnd, else so_giay_to when it is recorded as a CCCD/CMND
    id_doc = pc.is_in(doc, pa.array([KIND_CCCD, KIND_CMND, "CMT", "CMTND", "CC"]))
    raw = pc.coalesce(_col(table, "cccd_cmnd"),
                      pc.if_else(id_doc, _col(table, "so_giay_to"), _NULL_STR))
    hint = pc.if_else(id_doc, doc, _NULL_STR)
    ids = _classify_ids(raw, hint, year, pa.nulls(n, pa.string()), person)
    address = address_keys(table["dia_chi_chu"].combine_chunks(), "dc")
    parcel = address_keys(_joined_address(_col(table, "xa"), _col(table, "huyen"),
                                          _col(table, "tinh")), "thua")
    cols = {
        "ten_sua": fixed, **{c: names[c] for c, _ in NAME_COLUMNS}, **births,
        "id_loai": ids["id_loai"], "id_so": ids["id_so"], "id_sua": ids["id_sua"],
        "gioi_tinh_suy_ra": _cccd_gender(ids["id_loai"], ids["id_so"]),
        **{c: address[c] for c in address.column_names},
        "tinh_moi_thua": parcel["thua_tinh"], "xa_moi_thua": parcel["thua_xa"],
        "la_to_chuc": org,
    }
    for c, _ in NAME_COLUMNS:  # organisations are not compared as persons
        cols[c] = pc.if_else(person, cols[c], _NULL_STR)
    out = _append(table, cols, OWNER_EXTRA)
    _empty_fields(out, OWNER_FIELDS, "chu_su_dung", notes)
    return out


def normalise_population(table: pa.Table, notes: list[str] | None = None) -> pa.Table:
    """The population extract (:func:`~datdai.matching.inputs.read_population`) with the
    columns of :data:`POPULATION_EXTRA` appended. The register's names are NFC with diacritics
    (the spec): no legacy repair, only NFC and the keys."""
    n = table.num_rows
    # the addresses (the costliest keys) worked out beside the rest: Arrow and DuckDB release
    # the GIL, and a national extract keeps this the longest step of a run
    with ThreadPoolExecutor(max_workers=1, thread_name_prefix="dia-chi") as pool:
        address_job = pool.submit(address_keys_of, {
            "tt": table["thuong_tru"].combine_chunks(),
            "ht": table["noi_o_hien_tai"].combine_chunks()})
        cols = _population_keys(table, n, notes)
        addresses = address_job.result()
    cols.update({c: addresses[c] for c in addresses.column_names})
    out = _append(table, cols, POPULATION_EXTRA)
    _empty_fields(out, POPULATION_FIELDS, "dan_cu", notes)
    return out


def _population_keys(table: pa.Table, n: int, notes) -> dict:
    """Names, births, gender and the old card number of the population extract."""
    # blank text needs no nulling first: each of these reads a blank as missing
    names = name_parts(table["ho_ten"].combine_chunks())
    births = _births(table["ngay_sinh"].combine_chunks(), "ngay_sinh", notes)
    gender = read_gender(table["gioi_tinh"].combine_chunks())
    # the register's old card number, as a number: its holder's birth year and gender are the
    # register's own, not evidence to check it against
    cmnd = _classify_ids(_col(table, "so_cmnd"), pa.nulls(n, pa.string()),
                         pa.nulls(n, pa.int32()), pa.nulls(n, pa.string()), _all_true(n))
    cmnd_ok = pc.is_in(cmnd["id_loai"], pa.array([KIND_CCCD, KIND_CMND]))
    return {**{c: names[c] for c, _ in NAME_COLUMNS}, **births, "gioi_tinh_chuan": gender,
            "cmnd_so": pc.if_else(cmnd_ok, cmnd["id_so"], _NULL_STR)}


def _all_true(n: int) -> pa.Array:
    return pc.fill_null(pa.nulls(n, pa.bool_()), True)
