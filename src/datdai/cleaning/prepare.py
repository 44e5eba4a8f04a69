"""Preparing a delivery for the rules: per-row facts computed once, vectorised.

Both functions take and return Arrow tables and look only at the rows they are given, so an
engine may run them on any batch of rows (Spark: ``mapInArrow``). Python-level work is done only
on the few values that need it (legacy text candidates, unusual ID numbers, distinct land use
labels); everything else is Arrow compute or shapely.
"""

from __future__ import annotations

from functools import cache

import duckdb
import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import shapely

from datdai.cleaning.readers.text_repair import repair_column
from datdai.kernel import ids as domain_ids
from datdai.kernel.ids import KIND_CCCD, KIND_CMND, KIND_PASSPORT, classify_id
from datdai.kernel.landuse import catalog, parse_codes
from datdai.kernel.provinces import old_provinces
from datdai.kernel.vocabulary import repair_with_column

# --- names ------------------------------------------------------------------------------------
# Courtesy and household prefixes written before a land user's name (lower case, NFC).
NAME_PREFIX = r"^(hộ gia đình ông|hộ gia đình bà|hộ gia đình|hộ ông|hộ bà|hộ|ông|bà|cụ|anh|chị)\s+"
# Names of organisations: lower case with diacritics (so that the surname Trương is not the
# school "Trường", nor Đinh the communal house "Đình"), plus folded spellings that are never a
# person's name.
ORG_NAME = (r"^(ubnd|ủy ban|uỷ ban|công ty|cty|tổng công ty|trường|trạm y tế|bệnh viện|"
            r"hợp tác xã|htx|chi nhánh|doanh nghiệp|dntn|ban quản lý|bql|ngân hàng|chùa|"
            r"nhà thờ|thánh thất|tịnh thất|giáo xứ|giáo họ|hội |đội |xí nghiệp|nhà máy|tập đoàn|"
            r"sở |phòng |cục |viện |trung tâm|quỹ |ban chỉ huy|bộ chỉ huy|công an|quân đội|"
            r"lâm trường|nông trường|văn phòng|kho bạc|bưu điện|đài |tổng đội|nhà văn hóa|"
            r"nhà văn hoá|đình |miếu |đền |"
            r"cong ty|uy ban nhan dan|ngan hang|benh vien|hop tac xa|tong cong ty|chi nhanh)")
ORG_DOCUMENTS = ("GPKD", "QD", "MST", "GCNDKDN", "DKDN", "QDTL")


_COMBINING = r"[\x{0300}-\x{036F}]"


def per_distinct(fn):
    """Run a column function once per distinct value (names and addresses repeat a lot; a
    column of genders holds three values) and spread the result back over the rows."""
    from functools import wraps

    @wraps(fn)
    def run(values: pa.Array, *args, **kwargs) -> pa.Array:
        if isinstance(values, pa.ChunkedArray):
            values = values.combine_chunks()
        if len(values) < 1000:
            return fn(values, *args, **kwargs)
        enc = pc.dictionary_encode(values, null_encoding="encode")  # nulls too: fn decides
        return pc.take(fn(enc.dictionary, *args, **kwargs), enc.indices)
    return run


def table_per_distinct(values: pa.Array, fn) -> pa.Table:
    """``fn(distinct values) -> Table`` (one row per value), spread back over the rows
    (:func:`spread`): the column is hashed once, however many keys are derived from it."""
    if isinstance(values, pa.ChunkedArray):
        values = values.combine_chunks()
    enc = pc.dictionary_encode(values, null_encoding="encode")
    table = fn(enc.dictionary)
    return pa.table({name: spread(col, enc.indices)[0]
                     for name, col in zip(table.column_names, table.columns)})


def spread(values: pa.Array, *indices: pa.Array) -> list[pa.Array]:
    """``values[idx]`` for each of ``indices``. Text comes back dictionary-encoded over its own
    distinct values when they are few (a province, a surname: no copy of millions of strings),
    else plain — DuckDB reads a dictionary of millions of values several times slower than the
    plain column."""
    if isinstance(values, pa.ChunkedArray):
        values = values.combine_chunks()
    sample = values.slice(0, 20_000)
    if (not pa.types.is_string(values.type) or len(values) < 1000
            or len(pc.unique(sample)) * 4 > len(sample)):  # mostly distinct
        out = [pc.take(values, idx) for idx in indices]
    else:
        enc = pc.dictionary_encode(values)
        out = [pa.DictionaryArray.from_arrays(pc.take(enc.indices, idx), enc.dictionary)
               for idx in indices]
    return out


def nfc_column(values: pa.Array) -> pa.Array:
    """NFC, normalising only the values that hold combining marks (Arrow's normaliser is slow,
    and the readers and the text repair already hand over NFC)."""
    if isinstance(values, pa.ChunkedArray):
        values = values.combine_chunks()
    mask = pc.fill_null(pc.match_substring_regex(values, _COMBINING), False)
    n = pc.sum(mask).as_py() or 0
    if n == 0:
        return values
    return pc.replace_with_mask(values, mask, pc.utf8_normalize(pc.filter(values, mask), "NFC"))


@per_distinct
def fold_column(values: pa.Array) -> pa.Array:
    """Lower case, no diacritics (đ → d), words separated by one space — DuckDB's
    ``strip_accents`` (utf8proc) does the folding, far faster than NFD + regex in Arrow."""
    if isinstance(values, pa.ChunkedArray):
        values = values.combine_chunks()
    con = duckdb.connect()
    try:
        con.register("v", pa.table({"v": values}))
        out = con.sql(f"SELECT {fold_sql('v')} AS f FROM v").to_arrow_table()
    finally:
        con.close()
    return out["f"].combine_chunks().cast(pa.string())


def fold_sql(text: str) -> str:
    """DuckDB SQL of :func:`fold_column` for the expression ``text``. Each run of characters
    other than a–z and 0–9 becomes one space; the pattern leaves a single space alone (DuckDB's
    global replace costs per match: ``'[^a-z0-9]+'`` matches every space between words, and
    was three times slower on addresses)."""
    return (f"trim(regexp_replace(replace(strip_accents(lower({text})), 'đ', 'd'), "
            "'[^a-z0-9]*[^a-z0-9 ][^a-z0-9]*|  +', ' ', 'g'))")


ABBREVIATIONS = (("ubnd", "uy ban nhan dan"), ("htx", "hop tac xa"), ("cty", "cong ty"),
                 ("tnhh", "trach nhiem huu han"), ("dntn", "doanh nghiep tu nhan"),
                 ("bql", "ban quan ly"), ("thpt", "trung hoc pho thong"),
                 ("thcs", "trung hoc co so"))


@per_distinct
def name_key(values: pa.Array) -> pa.Array:
    """The comparison key of a person's name: prefixes dropped, then folded. Words stay
    separated by one space, so that a label listing several names can be searched for a whole
    name ("nguyen van an" is in "nguyen van an tran thi binh" but not in "nguyen van anh")."""
    v = pc.utf8_lower(pc.utf8_trim_whitespace(nfc_column(values)))
    v = pc.replace_substring_regex(v, r"\s+", " ")
    v = pc.replace_substring_regex(v, NAME_PREFIX, "")
    v = fold_column(v)
    # Abbreviations of organisation names, so "UBND xã X" and "Ủy ban nhân dân xã X" agree
    # (only on the few values holding one).
    any_short = r"(^| )(" + "|".join(s for s, _ in ABBREVIATIONS) + r")( |$)"
    mask = pc.fill_null(pc.match_substring_regex(v, any_short), False)
    if pc.any(mask).as_py():
        sub = pc.filter(v, mask)
        for short, full in ABBREVIATIONS:
            sub = pc.replace_substring_regex(sub, rf"(^| ){short}( |$)", rf"\1{full}\2")
        v = pc.replace_with_mask(v, mask, sub)
    return v


@per_distinct
def tidy_name(values: pa.Array) -> pa.Array:
    """Case and spacing of a person's name: one space between words, each word capitalised."""
    # NFC first: in decomposed text a combining mark ends a "word" for utf8_title ("TrầN")
    v = nfc_column(values)
    v = pc.utf8_trim_whitespace(pc.replace_substring_regex(v, r"\s+", " "))
    v = pc.utf8_title(pc.utf8_lower(v))
    # Household prefixes keep their usual case: "Hộ ông", "Hộ bà", "Hộ gia đình".
    for title, usual in (("Hộ Ông ", "Hộ ông "), ("Hộ Bà ", "Hộ bà "),
                         ("Hộ Gia Đình ", "Hộ gia đình ")):
        v = pc.replace_substring_regex(v, "^" + title, usual)
    return v


def repair_text_column(values: pa.Array, names: bool = False) -> tuple[pa.Array, pa.Array]:
    """Legacy encodings repaired value by value, then with the whole column as context."""
    fixed, kind = repair_column(values, restore_case=names)
    return repair_with_column(fixed, kind, restore_case=names)


@per_distinct
def _nullify_blank(values: pa.Array) -> pa.Array:
    t = pc.utf8_trim_whitespace(values)
    return pc.if_else(pc.equal(t, ""), pa.scalar(None, pa.string()), values)


# --- land use labels ---------------------------------------------------------------------------
LANDUSE_SCHEMA = pa.schema([
    ("nhan", pa.string()),  # the label as written
    ("chuan", pa.string()),  # codes normalised and converted one-to-one, sorted, "+"-joined
    ("ma_sai", pa.string()),  # codes in neither list
    ("ma_cu", pa.string()),  # old codes (not in the list in force)
    ("de_xuat", pa.string()),  # the label with old codes converted, when all are one-to-one
    ("mot_mot", pa.bool_()),
])


@cache
def _label_facts(label: str) -> tuple[str, str, str, str | None, bool]:
    cat = catalog()
    codes = parse_codes(label)
    bad = [c for c in codes if not cat.is_known(c)]
    old = [c for c in codes if cat.needs_conversion(c)]
    converted: list[str] = []
    one_to_one = True
    for c in codes:
        if c in old:
            new = cat.convert(c)
            one_to_one = one_to_one and cat.is_one_to_one(c)
            converted.extend(new if len(new) == 1 else [c])
        else:
            converted.append(c)
    canon = "+".join(sorted(dict.fromkeys(converted)))
    proposal = "+".join(dict.fromkeys(converted)) if old and one_to_one and not bad else None
    return canon, "+".join(bad), "+".join(old), proposal, one_to_one


def landuse_labels(*columns: pa.Array) -> pa.Table:
    """One row per distinct land use label found in the given columns."""
    labels: set[str] = set()
    for col in columns:
        labels.update(x for x in pc.unique(col).to_pylist() if x)
    rows = [(lab, *_label_facts(lab)) for lab in sorted(labels)]
    return pa.table({name: [r[i] for r in rows] for i, name in enumerate(LANDUSE_SCHEMA.names)},
                    schema=LANDUSE_SCHEMA)


# --- map features ----------------------------------------------------------------------------
MAP_EXTRA = [
    ("ten_chu_sua", pa.string()), ("ten_chu_ma", pa.string()), ("ten_chu_khoa", pa.string()),
    ("geom_loai", pa.string()), ("geom_loi", pa.string()), ("dien_tich_tinh", pa.float64()),
    ("xmin", pa.float64()), ("ymin", pa.float64()), ("xmax", pa.float64()), ("ymax", pa.float64()),
]
_GEOM_NAMES = {0: "Point", 1: "LineString", 2: "LinearRing", 3: "Polygon", 4: "MultiPoint",
               5: "MultiLineString", 6: "MultiPolygon", 7: "GeometryCollection"}


def geometry_facts(wkb: pa.Array) -> tuple[pa.Array, pa.Array, pa.Array, np.ndarray]:
    """(type name, problem in Vietnamese or null, area of a valid polygon or null, bounds)."""
    raw = np.asarray(wkb.to_numpy(zero_copy_only=False), dtype=object)
    geoms = shapely.from_wkb(raw, on_invalid="ignore")
    type_id = shapely.get_type_id(geoms)
    names = np.array([_GEOM_NAMES.get(int(t)) for t in range(-1, 8)], dtype=object)
    kind = names[np.where(type_id < 0, 0, type_id + 1)]
    kind[type_id < 0] = None
    polygonal = (type_id == 3) | (type_id == 6)
    problem = np.full(len(geoms), None, dtype=object)
    problem[geoms == None] = "không có hình thửa (hình rỗng hoặc WKB hỏng)"  # noqa: E711
    notpoly = (type_id >= 0) & ~polygonal
    problem[notpoly] = [f"không phải vùng (là {k})" for k in kind[notpoly]]
    empty = polygonal & shapely.is_empty(geoms)
    problem[empty] = "hình thửa rỗng"
    check = polygonal & ~empty
    idx = np.nonzero(check)[0]
    valid = shapely.is_valid(geoms[idx])
    bad = idx[~valid]
    if len(bad):
        reasons = shapely.is_valid_reason(geoms[bad])
        problem[bad] = [f"hình không hợp lệ: {r}" for r in reasons]
    area = np.full(len(geoms), np.nan)
    good = idx[valid]
    area[good] = shapely.area(geoms[good])
    zero = good[area[good] <= 0]
    problem[zero] = "hình thửa có diện tích bằng 0"
    area[zero] = np.nan
    return (pa.array(kind, pa.string()), pa.array(problem, pa.string()),
            pa.array(area, pa.float64(), from_pandas=True), shapely.bounds(geoms))


def map_schema(base: pa.Schema) -> pa.Schema:
    """The schema :func:`prepare_map` returns for an input of schema ``base``."""
    return pa.schema(list(base) + [pa.field(n, t) for n, t in MAP_EXTRA])


def register_schema(base: pa.Schema) -> pa.Schema:
    return pa.schema(list(base) + [pa.field(n, t) for n, t in REGISTER_EXTRA])


def prepare_map(table: pa.Table) -> pa.Table:
    """Add the computed columns of :data:`MAP_EXTRA` to a map features table."""
    name = _nullify_blank(table["ten_chu"].combine_chunks())
    fixed, kind = repair_text_column(name, names=True)
    kind_g, problem, area, bounds = geometry_facts(table["geometry"].combine_chunks())
    box = {name: pa.array(bounds[:, i], pa.float64(), from_pandas=True)
           for i, name in enumerate(("xmin", "ymin", "xmax", "ymax"))}
    return (table.set_column(table.schema.get_field_index("ten_chu"), "ten_chu", name)
            .append_column("ten_chu_sua", fixed).append_column("ten_chu_ma", kind)
            .append_column("ten_chu_khoa", name_key(fixed))
            .append_column("geom_loai", kind_g).append_column("geom_loi", problem)
            .append_column("dien_tich_tinh", area)
            .append_column("xmin", box["xmin"]).append_column("ymin", box["ymin"])
            .append_column("xmax", box["xmax"]).append_column("ymax", box["ymax"]))


# --- register rows ---------------------------------------------------------------------------
REGISTER_EXTRA = [
    ("ten_chu_sua", pa.string()), ("ten_chu_ma", pa.string()), ("ten_chu_khoa", pa.string()),
    ("ten_chu_chuan", pa.string()), ("ten_khong_danh_xung", pa.string()),
    ("la_nguoi", pa.bool_()), ("nam_sinh_nam", pa.int32()),
    ("gioi_tinh_chuan", pa.string()), ("dia_chi_chu_sua", pa.string()),
    ("dia_chi_chu_ma", pa.string()), ("dia_chi_thua_sua", pa.string()),
    ("dia_chi_thua_ma", pa.string()), ("id_loai", pa.string()), ("id_so", pa.string()),
    ("id_sua", pa.string()), ("id_ly_do", pa.string()), ("id_mau_thuan", pa.string()),
]


_DAY, _MONTH, _YEAR = r"(?:0[1-9]|[12]\d|3[01])", r"(?:0[1-9]|1[0-2])", r"(?:18|19|20)\d{2}"
_BIRTH_YEAR_PATTERNS = (
    rf"^\s*{_DAY}{_MONTH}(?P<y>{_YEAR})\s*$",  # ddmmyyyy written without separators
    rf"^\s*(?P<y>{_YEAR}){_MONTH}{_DAY}\s*$",  # yyyymmdd
    rf"(?:^|\D)(?P<y>{_YEAR})(?:\D|$)",  # a year standing alone: 1985, 12/03/1985, 1985-03-12
)


@per_distinct
def _birth_year(values: pa.Array) -> pa.Array:
    """The birth year in a recorded date of birth or year; null when none can be read. A year
    is four digits on their own (never the inside of a longer number: "12031985" is 1985, not
    2031), or the year of an 8-digit ddmmyyyy / yyyymmdd date."""
    v = pc.fill_null(values, "")
    years = [pc.cast(pc.struct_field(pc.extract_regex(v, p), "y"), pa.int32())
             for p in _BIRTH_YEAR_PATTERNS]
    return pc.coalesce(*years)


@per_distinct
def _gender(values: pa.Array) -> pa.Array:
    f = fold_column(pc.fill_null(values, ""))
    return pc.if_else(pc.equal(f, "nam"), "Nam",
                      pc.if_else(pc.is_in(f, pa.array(["nu", "nu gioi"])), "Nữ",
                                 pa.scalar(None, pa.string())))


@per_distinct
def _doc_type_code(values: pa.Array) -> pa.Array:
    return pc.utf8_upper(pc.fill_null(pc.utf8_trim_whitespace(values), ""))


@per_distinct
def _org_name(values: pa.Array) -> pa.Array:
    """True where the name is an organisation's."""
    low = pc.utf8_lower(pc.utf8_trim_whitespace(pc.fill_null(nfc_column(values), "")))
    return pc.match_substring_regex(low, ORG_NAME)


def _is_person(doc_type: pa.Array, name: pa.Array, gender: pa.Array,
               birth: pa.Array) -> pa.Array:
    doc = _doc_type_code(doc_type)
    org_doc = pc.is_in(doc, pa.array(ORG_DOCUMENTS))
    org_name = _org_name(name)
    other_without_person_facts = pc.and_(pc.equal(doc, "KHAC"),
                                         pc.and_(pc.is_null(gender), pc.is_null(birth)))
    return pc.invert(pc.or_(pc.or_(org_doc, org_name), other_without_person_facts))


def _classify_ids(raw: pa.Array, doc_type: pa.Array, year: pa.Array, gender: pa.Array,
                  person: pa.Array) -> dict[str, pa.Array]:
    """ID classification: plain numbers vectorised, the rest through domain.ids.classify_id."""

    n = len(raw)
    raw_s = pc.fill_null(raw, "")
    codes = pa.array(sorted(set(old_provinces()) | set(domain_ids.EXTRA_BIRTH_PLACE_CODES)))
    # length and digit tests rather than regular expressions: a third of the time on millions
    length = pc.binary_length(raw_s)
    digits = pc.ascii_is_decimal(raw_s)
    plain12 = pc.and_(pc.and_(pc.equal(length, 12), digits),
                      pc.is_in(pc.utf8_slice_codeunits(raw_s, 0, 3), codes))
    placeholder = pa.array([str(d) * 9 for d in range(10)])
    plain9 = pc.and_(pc.and_(pc.equal(length, 9), digits),
                     pc.invert(pc.is_in(raw_s, placeholder)))
    plain_hc = pc.and_(pc.and_(pc.equal(length, 8), pc.match_substring_regex(
        pc.utf8_slice_codeunits(raw_s, 0, 1), "^[A-Z]$")),
        pc.ascii_is_decimal(pc.utf8_slice_codeunits(raw_s, 1, 8)))
    blank = pc.equal(pc.utf8_trim_whitespace(raw_s), "")
    kind = pc.if_else(plain12, KIND_CCCD, pc.if_else(plain9, KIND_CMND, pc.if_else(
        plain_hc, KIND_PASSPORT, pc.if_else(blank, "MISSING", pa.scalar(None, pa.string())))))
    value = pc.if_else(pc.or_(pc.or_(plain12, plain9), plain_hc), raw_s,
                       pa.scalar(None, pa.string()))
    fixes = pa.nulls(n, pa.string())
    reasons = pa.nulls(n, pa.string())
    # Not a person's document (organisations): no identity rules.
    kind = pc.if_else(person, kind, "KHONG_AP_DUNG")
    todo_mask = pc.is_null(kind)
    if pc.any(todo_mask).as_py():
        rs, dt, yr, gd = (pc.filter(a, todo_mask).to_pylist() for a in (raw, doc_type, year, gender))
        memo: dict[tuple, object] = {}
        k, v, f, r = [], [], [], []
        for key in zip(rs, dt, yr, gd):
            c = memo.get(key)
            if c is None:
                c = memo[key] = classify_id(*key)
            k.append(c.kind)
            v.append(c.value)
            f.append(";".join(c.fixes) or None)
            r.append(c.reason)
        kind = pc.replace_with_mask(kind, todo_mask, pa.array(k, pa.string()))
        value = pc.replace_with_mask(value, todo_mask, pa.array(v, pa.string()))
        fixes = pc.replace_with_mask(fixes, todo_mask, pa.array(f, pa.string()))
        reasons = pc.replace_with_mask(reasons, todo_mask, pa.array(r, pa.string()))
    # Contradictions of a CCCD with the recorded birth year and gender (vectorised).
    is_cccd = pc.equal(kind, KIND_CCCD)
    val = pc.if_else(is_cccd, value, "000000000000")
    digit = pc.cast(pc.utf8_slice_codeunits(val, 3, 4), pa.int32())
    yy = pc.cast(pc.utf8_slice_codeunits(val, 4, 6), pa.int32())
    id_year = pc.add(pc.add(1900, pc.multiply(pc.divide(digit, 2), 100)), yy)
    id_gender = pc.if_else(pc.equal(pc.bit_wise_and(digit, 1), 1), "Nữ", "Nam")
    bad_year = pc.and_(is_cccd, pc.not_equal(id_year, year))
    bad_gender = pc.and_(is_cccd, pc.not_equal(id_gender, gender))
    by = pc.fill_null(bad_year, False)
    bg = pc.fill_null(bad_gender, False)
    any_bad = pc.or_(by, bg)
    contra = pa.nulls(len(kind), pa.string())
    if pc.any(any_bad).as_py():  # the messages only for the few rows that need one
        rows = [pc.filter(a, any_bad).to_pylist() for a in (by, bg, id_year, year, id_gender,
                                                             gender)]
        msgs = []
        for b_y, b_g, iy, y, ig, g in zip(*rows):
            parts = []
            if b_y:
                parts.append(f"năm sinh theo số {iy} ≠ ghi nhận {y}")
            if b_g:
                parts.append(f"giới tính theo số {ig} ≠ ghi nhận {g}")
            msgs.append("; ".join(parts))
        contra = pc.replace_with_mask(contra, any_bad, pa.array(msgs, pa.string()))
    return {"id_loai": kind, "id_so": value, "id_sua": fixes, "id_ly_do": reasons,
            "id_mau_thuan": contra}


def prepare_register(table: pa.Table) -> pa.Table:
    """Add the computed columns of :data:`REGISTER_EXTRA` to a register table."""
    t = table
    name = _nullify_blank(t["ten_chu"].combine_chunks())
    fixed, kind = repair_text_column(name, names=True)
    year = _birth_year(t["nam_sinh"].combine_chunks())
    gender = _gender(t["gioi_tinh"].combine_chunks())
    person = _is_person(t["loai_giay_to"].combine_chunks(), fixed, gender, year)
    tidy = pc.if_else(person, tidy_name(fixed), fixed)
    cols = {
        "ten_chu_sua": fixed, "ten_chu_ma": kind, "ten_chu_khoa": name_key(fixed),
        "ten_chu_chuan": tidy, "la_nguoi": person,
        "ten_khong_danh_xung": pc.if_else(
            pc.match_substring_regex(tidy, "(?i)" + NAME_PREFIX + r"\S+\s+\S+"),
            pc.replace_substring_regex(tidy, "(?i)" + NAME_PREFIX, ""),
            pa.scalar(None, pa.string())), "nam_sinh_nam": year,
        "gioi_tinh_chuan": gender,
    }
    for col in ("dia_chi_chu", "dia_chi_thua"):
        f, k = repair_text_column(_nullify_blank(t[col].combine_chunks()))
        cols[f"{col}_sua"], cols[f"{col}_ma"] = f, k
    cols.update(_classify_ids(_nullify_blank(t["so_giay_to"].combine_chunks()),
                              t["loai_giay_to"].combine_chunks(), year, gender, person))
    out = t.set_column(t.schema.get_field_index("ten_chu"), "ten_chu", name)
    for n, typ in REGISTER_EXTRA:
        out = out.append_column(pa.field(n, typ), pa.array(cols[n]).cast(typ)
                                if not isinstance(cols[n], pa.ChunkedArray) else cols[n].cast(typ))
    return out
