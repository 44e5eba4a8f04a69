"""Reduce a free-text Vietnamese address, written with old (before 1 July 2025) or new names, to
one key: the new province and, when it can be told, the new commune.

The matcher reads words right to left, the way addresses are written (street, commune, district,
province): the province name at the end, then (old names) the district before it, then the
commune before that; whatever is left (số nhà, tổ, ấp, thôn, khu phố) is ignored. Names are
matched on whole words, ignoring case, diacritics, spacing and punctuation, against the keyword
lists of the ``vietnamadminunits`` package, which carry former names ("Xã Tân Khai" for today's
Thị trấn Tân Khai) and short forms ("P15", "Q1"); the abbreviations P., X., TT., Q., H., TX.,
TP., T. are read as types. When the address has diacritics, they choose between names that
differ only by them (Lộc Thạnh / Lộc Thành); written without, such names stay ambiguous.

When the province name exists in both eras (Đồng Nai, Ninh Bình, …), a district, or a commune
in front of an old district name, means old names; otherwise a new commune name wins.

The package's own ``parse_address`` is not used here: it matches keywords as substrings of the
address with the spaces removed (a street or hamlet name can be taken for a ward), finds an old
commune only under its district, and never says that a name is ambiguous (several communes
"Tân Hưng" in Bình Phước); ``convert_address`` geocodes over the network for a split ward.
"""

from __future__ import annotations

import re
import unicodedata
from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import cache, lru_cache

from datdai.kernel.admin_units_data import (
    NewCommune,
    OldCommune,
    keywords,
    old_by_province,
    province_name_index,
    raw_keywords,
    tables,
)
from datdai.kernel.text import nfc, strip_diacritics


@dataclass(frozen=True)
class AddressKey:
    """Where an address is, in 2025 units: new province code and new commune code (None when the
    commune is missing, unknown, ambiguous, or an old commune split between new ones)."""

    new_province_code: str
    new_commune_code: str | None


# ----- words ------------------------------------------------------------------------------

_SEGMENTS = re.compile(r"[,;|\n()\[\]{}]+")  # not " - ": "Phan Rang - Tháp Chàm" is one name
_WORDS = re.compile(r"\w+")
_TONE_MARKS = frozenset("\u0300\u0301\u0303\u0309\u0323")  # huyền sắc ngã hỏi nặng

PROVINCE_TYPES = (("tinh",), ("t",), ("thanh", "pho"), ("tp",), ("thu", "do"))
DISTRICT_TYPES = {
    ("huyen",): "Huyện", ("h",): "Huyện", ("quan",): "Quận", ("q",): "Quận",
    ("thi", "xa"): "Thị xã", ("tx",): "Thị xã", ("thanh", "pho"): "Thành phố",
    ("tp",): "Thành phố", ("district",): None,
}
COMMUNE_TYPES = {
    ("xa",): "Xã", ("x",): "Xã", ("phuong",): "Phường", ("p",): "Phường", ("f",): "Phường",
    ("ward",): "Phường", ("thi", "tran"): "Thị trấn", ("tt",): "Thị trấn",
    ("dac", "khu"): "Đặc khu",
}
# a name right after one of these is a street, hamlet or quarter, not a commune
_STREET = frozenset(
    "ap thon to xom ban khom kp pho duong ngo hem kiet ngach so doi lang cum khu tdp".split()
)
_TRAILING_NOISE = frozenset({"vietnam", "vn"})
_FOLD = str.maketrans({
    ch: strip_diacritics(ch).lower()
    for ch in map(chr, range(0xC0, 0x1EFF + 1))
    if strip_diacritics(ch).isascii() and strip_diacritics(ch).isalpha()
})
_NOT_ALNUM = re.compile(r"[^0-9a-z]+")


def _fold(name: str) -> str:
    """``fold_key`` for unit names (NFC, Vietnamese letters), by one table: 10× faster."""
    return _NOT_ALNUM.sub("", name.lower().translate(_FOLD))


def _tone_key(words) -> str:
    """Accented comparison key of a name: per word, the letters (ă â ê ô ơ ư đ kept) then the
    tone mark, wherever it was written ("Hoà" = "Hòa", "Thuỷ" = "Thủy"; "Sa Pa" ≠ "Sa Pả")."""
    out = []
    for word in words:
        d = unicodedata.normalize("NFD", word.lower())
        out.append("".join(ch for ch in d if ch not in _TONE_MARKS))
        out.append("".join(ch for ch in d if ch in _TONE_MARKS) + "/")
    return unicodedata.normalize("NFC", "".join(out))


def _name_key(name: str) -> str:
    return _tone_key(_WORDS.findall(nfc(name)))


@dataclass(frozen=True)
class _Word:
    folded: str
    accented: str
    segment: int


def _words(text: str) -> list[_Word]:
    out: list[_Word] = []
    for seg_no, segment in enumerate(_SEGMENTS.split(nfc(text).lower())):
        for w in _WORDS.findall(segment):
            w = w.replace("_", "")
            if w:
                out.append(_Word(strip_diacritics(w), w, seg_no))
    # drop "Việt Nam", "VN" and a postal code at the end
    while out:
        last = out[-1].folded
        if last in _TRAILING_NOISE or (last.isdigit() and len(last) >= 5):
            out.pop()
        elif len(out) >= 2 and (out[-2].folded, out[-1].folded) == ("viet", "nam"):
            del out[-2:]
        else:
            break
    return out


def _type_before(words: list[_Word], end: int, types) -> int:
    """Length (in words) of a unit-type phrase ending just before ``end`` in the same segment."""
    if end <= 0 or end > len(words):
        return 0
    seg = words[end].segment if end < len(words) else words[-1].segment
    for n in (2, 1):
        start = end - n
        if start >= 0 and words[start].segment == seg:
            if tuple(w.folded for w in words[start:end]) in types:
                return n
    return 0


# ----- keyword indexes --------------------------------------------------------------------

_NUMBERED = re.compile(r"^([a-z]*?)0*(\d+)$")


def _variants(keys) -> set[str]:
    """Add "p5" for "p05" and "p05" for "p5" (numbered wards and districts)."""
    out = set(keys)
    for k in keys:
        if k[-1:].isdigit() and (m := _NUMBERED.match(k)) and m.group(1):
            out.update({m.group(1) + str(int(m.group(2))), f"{m.group(1)}{int(m.group(2)):02d}"})
    return out


@dataclass(frozen=True)
class _Index:
    old_province: dict[str, tuple[str]]  # keyword → (old 2-digit code,)
    new_province: dict[str, tuple[str]]  # keyword → (new 2-digit code,)
    district: dict[str, dict[str, list[str]]]  # old province → keyword → district codes
    district_all: dict[str, list[str]]  # keyword → district codes, nationwide
    old_by_district: dict[str, dict[str, list[str]]]  # district → keyword → commune codes
    old_by_province: dict[str, dict[str, list[str]]]  # old province → keyword → commune codes
    new_by_province: dict[str, dict[str, list[str]]]  # new province → keyword → commune codes
    max_len: int


def _plain(d: defaultdict) -> dict[str, dict[str, list[str]]]:
    return {k: dict(inner) for k, inner in d.items()}


@cache
def _index() -> _Index:
    t = tables()
    old_kw, district_kw, new_kw = raw_keywords()

    old_province = {k: (code,) for k, code in province_name_index("old").items()}
    new_province = {k: (code,) for k, code in province_name_index("new").items()}

    district: dict[str, dict[str, list[str]]] = defaultdict(lambda: defaultdict(list))
    district_all: dict[str, list[str]] = defaultdict(list)
    for d in t.old_districts.values():
        for k in _variants({_fold(d.name), _fold(d.short_name), *keywords(district_kw[d.code])}):
            district[d.province_code][k].append(d.code)
            district_all[k].append(d.code)

    old_by_district: dict[str, dict[str, list[str]]] = defaultdict(lambda: defaultdict(list))
    old_by_province: dict[str, dict[str, list[str]]] = defaultdict(lambda: defaultdict(list))
    for c in t.old_communes.values():
        for k in _variants({_fold(c.name), _fold(c.short_name), *keywords(old_kw[c.code])}):
            old_by_district[c.district_code][k].append(c.code)
            old_by_province[c.province_code][k].append(c.code)
    new_by_province: dict[str, dict[str, list[str]]] = defaultdict(lambda: defaultdict(list))
    for c in t.new_communes.values():
        for k in _variants({_fold(c.name), _fold(c.short_name), *keywords(new_kw[c.code])}):
            new_by_province[c.province_code][k].append(c.code)

    all_keys = [*old_province, *new_province, *district_all]
    all_keys += [k for d in (old_by_province, new_by_province) for ix in d.values() for k in ix]
    return _Index(
        old_province=old_province,
        new_province=new_province,
        district=_plain(district),
        district_all=dict(district_all),
        old_by_district=_plain(old_by_district),
        old_by_province=_plain(old_by_province),
        new_by_province=_plain(new_by_province),
        max_len=max(map(len, all_keys)),
    )


# ----- matching ---------------------------------------------------------------------------


@dataclass(frozen=True)
class _Match:
    start: int  # first word consumed (type words included)
    codes: tuple[str, ...]
    kind: str | None  # unit type written before the name ("X. Yên Viên"), if any
    typed: bool  # a type was written, before the name or as part of the keyword ("xayenvien")
    name_key: str  # accented words of the name, for choosing between near-homonyms


def _match_end(words: list[_Word], end: int, *indexes: Mapping[str, Sequence[str]],
               types: dict | tuple = ()) -> _Match | None:
    """Longest keyword ending at ``end`` (exclusive), within one segment, in any of ``indexes``,
    with the unit-type phrase written inside it ("xã Tân Hưng") or just before it."""
    if end <= 0:
        return None

    def lookup(key: str) -> tuple[str, ...]:
        return tuple(dict.fromkeys(c for ix in indexes for c in ix.get(key, ())))

    seg = words[end - 1].segment
    best: tuple[int, tuple[str, ...], str] | None = None
    key = ""
    max_len = _index().max_len
    for start in range(end - 1, -1, -1):
        if words[start].segment != seg:
            break
        key = words[start].folded + key
        if len(key) > max_len:
            break
        codes = lookup(key)
        if codes:
            best = (start, codes, key)
    if best is None:
        return None
    start, codes, key = best
    type_map = types if isinstance(types, dict) else dict.fromkeys(types)
    kind, typed, name_start = None, False, start
    for n in (2, 1):  # "xatanhung": a type word, then a name of the same unit ("quanba" is not)
        head = tuple(w.folded for w in words[start:start + n])
        if head in type_map and start + n < end:
            rest = "".join(w.folded for w in words[start + n:end])
            if set(lookup(rest)) & set(codes):
                # the keyword carries the type, also for former types ("xaminhhung" is also
                # today's Phường Minh Hưng): every candidate agrees with it, no kind to check
                typed, name_start = True, start + n
                break
    if not typed:
        n = _type_before(words, start, type_map)
        if n:
            kind, typed = type_map[tuple(w.folded for w in words[start - n:start])], True
            start -= n
            # "X. Minh Hưng" reads as "xaminhhung", a keyword also of a unit that was a xã
            with_type = lookup(_fold(kind) + key) if kind else ()
            if with_type:
                codes, kind = with_type, None
        elif start > 0 and words[start - 1].segment == seg and words[start - 1].folded in _STREET:
            return None  # "ấp Tân Hưng", "đường Tân Hưng": a hamlet or a street, not a commune
    name_key = _tone_key(w.accented for w in words[name_start:end])
    return _Match(start=start, codes=codes, kind=kind, typed=typed, name_key=name_key)


def _narrow(match: _Match, units: dict, accented: bool) -> tuple[str, ...]:
    """Keep the candidates whose type, then (if the address has diacritics at all) whose
    diacritics, agree with what was written: "Xã Nga Thanh" is not "Xã Nga Thành"."""
    codes = match.codes
    if len(codes) > 1 and match.kind:
        codes = tuple(c for c in codes if units[c].kind == match.kind) or codes
    if len(codes) > 1 and accented:
        codes = tuple(c for c in codes if _name_key(units[c].short_name) == match.name_key) or codes
    return codes


@dataclass(frozen=True)
class _OldResult:
    districts: tuple[str, ...]
    district_typed: bool
    communes: tuple[OldCommune, ...]
    start: int  # first word explained


@dataclass(frozen=True)
class _NewResult:
    communes: tuple[NewCommune, ...]
    start: int


def _repeated_province(words: list[_Word], end: int, index: dict, province: str) -> int | None:
    """Where the same province is written once more before ``end`` ("…, Thành phố Huế, Tỉnh
    Thừa Thiên Huế", "…, tp.hcm, TP. Hồ Chí Minh"), the new end; else None."""
    m = _match_end(words, end, index, types=PROVINCE_TYPES)
    return m.start if m is not None and m.codes == (province,) else None


def _resolve_old(province: str, words: list[_Word], end: int, accented: bool,
                 districts: tuple[str, ...] = (), district_typed: bool = False) -> _OldResult:
    result = _resolve_old_once(province, words, end, accented, districts, district_typed)
    if not result.districts and not result.communes:
        again = _repeated_province(words, end, _index().old_province, province)
        if again is not None:
            return _resolve_old(province, words, again, accented)
    return result


def _resolve_old_once(province: str, words: list[_Word], end: int, accented: bool,
                      districts: tuple[str, ...], district_typed: bool) -> _OldResult:
    ix, t = _index(), tables()
    if not districts:
        m = _match_end(words, end, ix.district.get(province, {}), types=DISTRICT_TYPES)
        # "Xã Lộc Ninh" / "Phường Phước Long": a commune named like a district
        if m is not None and not (not m.typed and _type_before(words, m.start, COMMUNE_TYPES)):
            districts, district_typed, end = _narrow(m, t.old_districts, accented), m.typed, m.start
    found: tuple[str, ...] = ()
    m = None
    if districts:
        m = _match_end(words, end, *(ix.old_by_district.get(d, {}) for d in districts),
                       types=COMMUNE_TYPES)
        found = _narrow(m, t.old_communes, accented) if m else ()
    if not found:  # no district written, or the commune is not in it: search the whole province
        m = _match_end(words, end, ix.old_by_province.get(province, {}), types=COMMUNE_TYPES)
        found = _narrow(m, t.old_communes, accented) if m else ()
        if districts and len(found) != 1:
            found, m = (), None
    start = m.start if m is not None else end
    return _OldResult(districts, district_typed, tuple(t.old_communes[c] for c in found), start)


def _resolve_new(province: str, words: list[_Word], end: int, accented: bool) -> _NewResult:
    t = tables()
    m = _match_end(words, end, _index().new_by_province.get(province, {}), types=COMMUNE_TYPES)
    if m is None:
        again = _repeated_province(words, end, _index().new_province, province)
        if again is not None:
            return _resolve_new(province, words, again, accented)
        return _NewResult((), end)
    codes = _narrow(m, t.new_communes, accented)
    return _NewResult(tuple(t.new_communes[c] for c in codes), m.start)


def _old_key(province: str, result: _OldResult) -> AddressKey:
    t = tables()
    targets = {None if c.code in t.split else c.new_code for c in result.communes}
    code = targets.pop() if len(targets) == 1 else None  # one commune, or homonyms merged into one
    return AddressKey(t.old_to_new_province[province], code)


def _new_key(province: str, result: _NewResult) -> AddressKey:
    communes = result.communes
    return AddressKey(province, communes[0].code if len(communes) == 1 else None)


@lru_cache(maxsize=65536)
def address_key(text: str) -> AddressKey | None:
    """The 2025 province and commune of an address written with old or new names, or None when
    no province can be found. See the module docstring."""
    if not isinstance(text, str) or not text.strip():
        return None
    ix, t = _index(), tables()
    words = _words(text)
    accented = any(w.accented != w.folded for w in words)
    old_m = _match_end(words, len(words), ix.old_province, types=PROVINCE_TYPES)
    new_m = _match_end(words, len(words), ix.new_province, types=PROVINCE_TYPES)
    if old_m is None and new_m is None:
        # no province: an old district written with its type, unique in the country
        m = _match_end(words, len(words), ix.district_all, types=DISTRICT_TYPES)
        if m is None or not m.typed:
            return None
        districts = _narrow(m, t.old_districts, accented)
        provinces = {t.old_districts[d].province_code for d in districts}
        if len(provinces) != 1:
            return None
        province = provinces.pop()
        old = _resolve_old(province, words, m.start, accented, districts, True)
        return _old_key(province, old)

    # the longer reading wins when only one era knows it ("Thừa Thiên Huế" is old only)
    end = min(m.start for m in (old_m, new_m) if m is not None)
    old_code = old_m.codes[0] if old_m is not None and old_m.start == end else None
    new_code = new_m.codes[0] if new_m is not None and new_m.start == end else None

    if new_code is None:  # a province that no longer exists (Bình Phước, Hà Nam, …)
        old = _resolve_old(old_code, words, end, accented)
        if not old.communes and not old.districts:
            # a new commune name written with the old province: only its own successors
            successor = t.old_to_new_province[old_code]
            new = _resolve_new(successor, words, end, accented)
            heirs = {c.new_code for c in old_by_province()[old_code]}
            heirs.update(n for c in old_by_province()[old_code] for n in t.split.get(c.code, ()))
            new = _NewResult(tuple(c for c in new.communes if c.code in heirs), new.start)
            if new.communes:
                return _new_key(successor, new)
        return _old_key(old_code, old)

    new = _resolve_new(new_code, words, end, accented)
    if old_code is None:
        return _new_key(new_code, new)
    # a name both eras use (Đồng Nai, Ninh Bình, TP. Hồ Chí Minh, Lâm Đồng, …)
    old = _resolve_old(old_code, words, end, accented)
    if old.districts and old.district_typed:
        return _old_key(old_code, old)  # "…, Huyện Nga Sơn, …": districts are old names
    if new.communes and (not old.communes or new.start <= old.start):
        return _new_key(new_code, new)  # "Phường 3 Bảo Lộc" is a new name, not P3 of Bảo Lộc
    if old.districts or old.communes:
        return _old_key(old_code, old)  # "P15, Tân Bình, HCM"
    # "Xã Tân Hưng, Huyện Hớn Quản, Tỉnh Đồng Nai": a district of a province merged into it
    merged = sorted(p for p, n in t.old_to_new_province.items() if n == new_code and p != old_code)
    for other in merged:
        old = _resolve_old(other, words, end, accented)
        if old.districts:
            return _old_key(other, old)
    return AddressKey(new_code, None)
