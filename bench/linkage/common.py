"""Shared pieces of the converters: the three file layouts, names, dates, citizen numbers.

Standard library only: ``census.py`` imports this module inside the separate pseudopeople venv,
where the project (``datdai``) is not installed.
"""

from __future__ import annotations

import csv
import hashlib
import json
import re
from collections.abc import Iterable, Mapping
from datetime import date
from pathlib import Path

# the owners export (chu_su_dung.csv) and the population extract (dan_cu.csv), in spec order
OWNER_COLUMNS = ("ma_dong", "tinh", "huyen", "xa", "to_so", "so_thua", "so_seri_gcn",
                 "dia_chi_thua", "dien_tich", "ho_ten", "nam_sinh", "cccd_cmnd", "loai_giay_to",
                 "so_giay_to", "dia_chi_chu")
POPULATION_COLUMNS = ("so_dinh_danh", "so_cmnd", "ho_ten", "gioi_tinh", "dan_toc", "ton_giao",
                      "tinh_trang_hon_nhan", "ngay_sinh", "noi_dang_ky_khai_sinh", "quoc_tich",
                      "que_quan", "thuong_tru", "noi_o_hien_tai", "cha", "me", "vo_chong",
                      "nguoi_dai_dien", "chu_ho", "so_so_ho_khau")
TRUTH_COLUMNS = ("ma_dong", "so_dinh_danh", "nhom")

OWNERS_FILE, POPULATION_FILE, TRUTH_FILE, META_FILE = (
    "chu_su_dung.csv", "dan_cu.csv", "truth.csv", "meta.json")

# name_order parameter → (owners' order, population's order)
SURNAME_FIRST, GIVEN_FIRST = "surname_first", "given_first"
NAME_ORDERS = {
    "mixed": (SURNAME_FIRST, GIVEN_FIRST),  # owners Vietnamese order, population Western
    "vietnamese": (SURNAME_FIRST, SURNAME_FIRST),
    "western": (GIVEN_FIRST, GIVEN_FIRST),
    "swapped": (GIVEN_FIRST, SURNAME_FIRST),
}

# date layouts a converter can write (strftime patterns)
DATE_FORMATS = {"dd/mm/yyyy": "%d/%m/%Y", "yyyy-mm-dd": "%Y-%m-%d", "mm/dd/yyyy": "%m/%d/%Y",
                "yyyymmdd": "%Y%m%d"}

# what parse_date accepts before strptime checks the values
_DIGIT_SHAPES = {"dd/mm/yyyy": re.compile(r"\d{1,2}/\d{1,2}/\d{4}"),
                 "mm/dd/yyyy": re.compile(r"\d{1,2}/\d{1,2}/\d{4}"),
                 "yyyy-mm-dd": re.compile(r"\d{4}-\d{1,2}-\d{1,2}"),
                 "yyyymmdd": re.compile(r"\d{8}")}

# the 63 old province codes that open a valid CCCD number (digits 1-3)
PROVINCE_CODES = tuple(
    "001 002 004 006 008 010 011 012 014 015 017 019 020 022 024 025 026 027 030 031 033 034"
    " 035 036 037 038 040 042 044 045 046 048 049 051 052 054 056 058 060 062 064 066 067 068"
    " 070 072 074 075 077 079 080 082 083 084 086 087 089 091 092 093 094 095 096".split())


def clean(value: object) -> str:
    """Text of a source cell: None/NaN/pandas NA → "", whitespace collapsed."""
    if value is None:
        return ""
    try:
        if value != value:  # NaN
            return ""
    except TypeError:  # pandas.NA has no truth value
        return ""
    return " ".join(str(value).split())


def join_parts(parts: Iterable[object], sep: str = " ") -> str:
    """The non-empty parts joined with ``sep``."""
    return sep.join(p for p in (clean(x) for x in parts) if p)


def full_name(given: object, surname: object, order: str, middle: object = "") -> str:
    """``surname middle given`` (Vietnamese order) or ``given middle surname``."""
    if order == SURNAME_FIRST:
        return join_parts((surname, middle, given))
    if order == GIVEN_FIRST:
        return join_parts((given, middle, surname))
    raise ValueError(f"unknown name order {order!r}")


def name_orders(name_order: str) -> tuple[str, str]:
    try:
        return NAME_ORDERS[name_order]
    except KeyError:
        raise ValueError(f"name_order must be one of {sorted(NAME_ORDERS)}") from None


def parse_date(text: str, source_format: str) -> date | None:
    """The date of ``text`` written as ``source_format`` (a key of :data:`DATE_FORMATS`), or
    None when it is empty or not a valid date of that layout."""
    from datetime import datetime

    text = clean(text)
    if not _DIGIT_SHAPES[source_format].fullmatch(text):  # strptime alone takes "9330331"
        return None
    try:
        return datetime.strptime(text, DATE_FORMATS[source_format]).date()
    except ValueError:
        return None


def format_date(value: date, layout: str) -> str:
    """``value`` in ``layout`` (a key of :data:`DATE_FORMATS`), the year always four digits
    (strftime writes the year 933 as "933")."""
    return _LAYOUTS[layout].format(d=f"{value.day:02d}", m=f"{value.month:02d}",
                                   y=f"{value.year:04d}")


def reformat_date(text: object, source_format: str, target_format: str) -> str:
    """A date rewritten from ``source_format`` to ``target_format``; a value that does not
    parse (a typo such as month 71, a partial date) is kept as it was; empty stays empty."""
    raw = clean(text)
    parsed = parse_date(raw, source_format)
    if parsed is None:
        return raw
    return format_date(parsed, target_format)


# the parts of a date by layout, for :func:`reshape_date`: any characters (a noisy source has
# OCR errors such as "|2/23/1968"), only the separators and lengths are checked
_DATE_SHAPES = {
    "dd/mm/yyyy": re.compile(r"(?P<d>[^/\s]{1,2})/(?P<m>[^/\s]{1,2})/(?P<y>[^/\s]{4})"),
    "mm/dd/yyyy": re.compile(r"(?P<m>[^/\s]{1,2})/(?P<d>[^/\s]{1,2})/(?P<y>[^/\s]{4})"),
    "yyyy-mm-dd": re.compile(r"(?P<y>[^-\s]{4})-(?P<m>[^-\s]{1,2})-(?P<d>[^-\s]{1,2})"),
    "yyyymmdd": re.compile(r"(?P<y>\S{4})(?P<m>\S{2})(?P<d>\S{2})"),
}
_LAYOUTS = {"dd/mm/yyyy": "{d}/{m}/{y}", "mm/dd/yyyy": "{m}/{d}/{y}", "yyyy-mm-dd": "{y}-{m}-{d}",
            "yyyymmdd": "{y}{m}{d}"}


def reshape_date(text: object, source_format: str, target_format: str) -> str:
    """Like :func:`reformat_date`, but a value of the source's shape that is not a valid date
    (a noisy day 71, month 16) has its parts moved into the target layout as they are, so the
    error stays the same error: mm/dd/yyyy ``07/71/1958`` → dd/mm/yyyy ``71/07/1958``. Anything
    else that does not parse is kept as it was."""
    raw = clean(text)
    parsed = parse_date(raw, source_format)
    if parsed is not None:
        return format_date(parsed, target_format)
    m = _DATE_SHAPES[source_format].fullmatch(raw)
    if m is None:
        return raw
    return _LAYOUTS[target_format].format(d=m["d"].zfill(2), m=m["m"].zfill(2), y=m["y"])


def _hash(key: str, salt: str = "") -> int:
    return int.from_bytes(hashlib.blake2b(f"{salt}|{key}".encode(), digest_size=8).digest(),
                          "big")


class CitizenNumbers:
    """Deterministic unique 12-digit personal numbers shaped like a CCCD.

    Digits 1-3 are an old province code and 7-12 a serial, both taken from a hash of the
    source's own person key; digit 4 is the century/gender digit and 5-6 the birth year's last
    two digits when the birth year is known (1900-2099). When the gender is unknown, digit 4's
    parity comes from the hash (it then says nothing true); when the birth year is unknown the
    century is the 1900s and the two year digits come from the hash. A collision moves the
    serial on by one, so the numbers depend on the order of :meth:`allocate` calls (the
    converters call it in the source file's order)."""

    def __init__(self) -> None:
        self.taken: set[str] = set()

    def allocate(self, key: str, birth_year: int | None = None,
                 gender: str | None = None) -> str:
        h = _hash(key, "so_dinh_danh")
        province = PROVINCE_CODES[h % len(PROVINCE_CODES)]
        if birth_year is not None and 1900 <= birth_year <= 2099:
            century, yy = birth_year // 100 - 19, birth_year % 100
        else:
            century, yy = 0, (h >> 8) % 100
        female = {"Nam": 0, "Nữ": 1}.get(gender or "", (h >> 16) % 2)
        serial = (h >> 24) % 1_000_000
        while True:
            number = f"{province}{century * 2 + female}{yy:02d}{serial:06d}"
            if number not in self.taken:
                self.taken.add(number)
                return number
            serial = (serial + 1) % 1_000_000


def parcel(key: str) -> dict[str, str]:
    """Plausible parcel fields (map sheet, parcel number, area in m²) from a hash of ``key``."""
    h = _hash(key, "thua")
    return {"to_so": str(1 + h % 60), "so_thua": str(1 + (h >> 8) % 900),
            "dien_tich": f"{40 + (h >> 20) % 2000}.{(h >> 40) % 10}"}


def write_csv(path: Path, columns: tuple[str, ...], rows: Iterable[Mapping[str, object]]) -> int:
    """UTF-8 CSV with a header, minimal quoting; a missing column is written empty. Returns the
    number of data rows."""
    n = 0
    with open(path, "w", encoding="utf-8", newline="") as fh:
        w = csv.writer(fh, quoting=csv.QUOTE_MINIMAL, lineterminator="\n")
        w.writerow(columns)
        for row in rows:
            w.writerow(["" if row.get(c) is None else str(row.get(c)) for c in columns])
            n += 1
    return n


def write_meta(out_dir: Path, meta: Mapping[str, object]) -> None:
    (out_dir / META_FILE).write_text(json.dumps(meta, indent=2, ensure_ascii=False) + "\n",
                                     encoding="utf-8")


def read_meta(data_dir: Path) -> dict:
    path = Path(data_dir) / META_FILE
    return json.loads(path.read_text(encoding="utf-8")) if path.is_file() else {}


def difference_group(kinds: Iterable[str]) -> str:
    """The ``nhom`` label of a pair from the kinds of fields that differ: ``name+dob``, or
    ``clean`` when none does."""
    kinds = sorted(set(kinds))
    return "+".join(kinds) if kinds else "clean"
