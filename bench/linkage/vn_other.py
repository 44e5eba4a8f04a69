#!/usr/bin/env python3
"""Vietnamese-like land owners × a population-register extract, with ground truth (independent).

This generator is written independently of the project's own synthetic data (``datdai.synth``)
so that the reconciliation matcher can be measured on data it was not tuned on. It writes three
UTF-8 (NFC) CSV files with a header:

* ``chu_su_dung.csv`` — land-owner rows (one per owner per parcel; a married couple's parcel
  has two rows, husband and wife), as a land-registration office would export them;
* ``dan_cu.csv`` — an extract of the national population register for one province
  (plus migrants born elsewhere and a few residents of other provinces);
* ``truth.csv`` — ``ma_dong,so_dinh_danh,nhom``: the owner row's true citizen (empty when the
  owner is absent from the register) and the kinds of noise applied to that row (or ``clean``);
* ``meta.json`` — parameters, counts and the realised rate of every noise kind.

Design: the whole population lives in numpy arrays of small integers (indices into small
vocabularies: surnames, middle names, given names, streets, hamlets, communes); strings are built
only when a chunk of rows is written, with vectorised ``pyarrow.compute`` joins, and written with
``pyarrow.csv.CSVWriter``. 1,000,000 owners × 5,000,000 citizens take about a minute on two
cores with a peak RSS of about 1.4 GiB (people are built a million at a time; files are
written 200,000 rows at a time). Vocabularies are in ``vn_other_names.py``.

Administrative units are real, from the ``vietnamadminunits`` package: the 63 pre-2025 provinces
with their districts and communes, the 34 post-2025 provinces with their communes, and the
official old→new commune mapping. Registers use mostly the new two-level names; land records use
mostly the old three-level names.

Usage::

    .venv/bin/python bench/linkage/vn_other.py --owners 10000 --citizens 50000 \\
        --out /work/linkage-data/vn_other_10k [--seed 7] [--province "Thái Bình"] \\
        [--rate name_typo=0.08 --rate addr_previous=0.1 ...] [--tag-year-only] [--check]
    .venv/bin/python bench/linkage/vn_other.py --verify /work/linkage-data/vn_other_10k

``--check`` (or ``--verify DIR`` alone) re-reads the files: exact headers, unique ``ma_dong`` and
``so_dinh_danh``, complete truth, NFC text, share of distinct permanent addresses.

Noise kinds recorded in ``truth.nhom`` (rates are per owner row; see ``DEFAULT_RATES``):
``absent`` (owner not in the register), ``name_no_diacritics``, ``name_typo`` (one edit: a wrong
tone mark, a dropped vowel mark, a deleted or transposed letter), ``name_case_space`` (upper or
lower case, doubled or stray spaces), ``name_prefix`` (Ông/Bà/Hộ ông/Hộ bà), ``given_variant``
(Hòa/Hoà, Thủy/Thuỷ, Quý/Quí, Sỹ/Sĩ, Nhựt/Nhật ...), ``middle_dropped``, ``dob_missing``,
``dob_year_off`` (±1 year), ``dob_day_month_swap``, ``dob_year_only`` (only with
``--tag-year-only``: most land records carry only the year, which is the normal form and not
tagged by default), ``id_old_cmnd`` (the old 9- or 12-digit CMND that the register keeps in
``so_cmnd`` instead of the CCCD), ``id_lost_zero``, ``id_typo``, ``id_relative`` (a household
member's number), ``id_formatted`` (digits grouped with spaces or dots), ``id_missing``,
``id_passport``, ``id_business`` (a household-business licence number), ``id_garbage``,
``addr_old_names`` (pre-2025 commune/district/province), ``addr_abbrev`` (X., P., H., TP., ...),
``addr_no_diacritics``, ``addr_partial`` (a part left out), ``addr_previous`` (a former residence),
``addr_current`` (the current residence, which differs from the permanent one), ``addr_missing``.
"""

from __future__ import annotations

import argparse
import json
import math
import resource
import sqlite3
import sys
import time
import unicodedata
import zlib
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv

try:  # imported as linkage.vn_other
    from . import vn_other_names as N
    from .common import OWNER_COLUMNS, TRUTH_COLUMNS
    from .common import POPULATION_COLUMNS as CITIZEN_COLUMNS
except ImportError:  # run as a script: bench/linkage is on sys.path
    import vn_other_names as N  # type: ignore[no-redef]
    from common import OWNER_COLUMNS, TRUTH_COLUMNS  # type: ignore[no-redef]
    from common import POPULATION_COLUMNS as CITIZEN_COLUMNS  # type: ignore[no-redef]


CHUNK_ROWS = 200_000
REF_YEAR = 2025          # "today" for ages
ADULT_MAX_BY = REF_YEAR - 18
DAY0 = np.datetime64("1900-01-01", "D")
DAY_END = np.datetime64("2031-01-01", "D")
DEFAULT_PROVINCE = "Thái Bình"

NOISE_KINDS = (
    "absent",
    "name_no_diacritics", "name_typo", "name_case_space", "name_prefix", "given_variant",
    "middle_dropped",
    "dob_missing", "dob_year_off", "dob_day_month_swap", "dob_year_only",
    "id_old_cmnd", "id_lost_zero", "id_typo", "id_relative", "id_formatted",
    "id_missing", "id_passport", "id_business", "id_garbage",
    "addr_old_names", "addr_abbrev", "addr_no_diacritics", "addr_partial", "addr_previous",
    "addr_current", "addr_missing",
)
BIT = {k: np.int64(1) << np.int64(i) for i, k in enumerate(NOISE_KINDS)}

# Per-row probabilities (conditional ones say so). Change with --rate KEY=VALUE.
DEFAULT_RATES = {
    # who the owner is
    "absent": 0.02,               # owner units absent from the register (truth empty)
    "no_usable_id": 0.08 / 0.98,  # rows of registered owners without a usable number (→ 8 % overall)
    "couple_units": 0.35,         # share of owner units that are a married couple (2 rows/parcel)
    "consistent_person": 0.70,    # owners whose rows all carry the same spellings / numbers
    # name
    "name_no_diacritics": 0.10,
    "name_typo": 0.05,
    "name_case_space": 0.10,
    "name_prefix": 0.08,
    "given_variant": 0.35,        # of rows whose given name has a variant spelling
    "middle_dropped": 0.02,
    # birth
    "dob_full": 0.22,             # full dd/mm/yyyy; else year only
    "dob_missing": 0.08,
    "dob_year_off": 0.04,
    "dob_day_month_swap": 0.15,   # of full dates whose day is ≤ 12 and ≠ month
    # identity number (rows that carry one)
    "id_old_cmnd": 0.30,          # of owners who have an old CMND in the register
    "id_lost_zero": 0.04,
    "id_typo": 0.03,
    "id_relative": 0.012,
    "id_formatted": 0.05,
    # address
    "addr_new_names": 0.30,       # else pre-2025 names (tagged addr_old_names)
    "addr_abbrev": 0.30,
    "addr_short": 0.25,           # type words left out ("Vũ Hội, Vũ Thư, Thái Bình"), not tagged
    "addr_no_diacritics": 0.06,
    "addr_partial": 0.12,
    "addr_previous": 0.07,
    "addr_current": 0.50,         # of owners whose current residence differs from the permanent one
    "addr_missing": 0.02,
    # register
    "register_new_names": 0.85,   # register addresses already in post-2025 names
    "out_of_province": 0.03,      # register households living in another province
    "migrants": 0.08,             # in-province households whose adults were born elsewhere
    "household_elsewhere": 0.06,  # households whose current residence differs
    "young_adult_elsewhere": 0.12,  # 18–35-year-olds living elsewhere (work, study)
}

HEAD, SPOUSE, CHILD, ELDER = 0, 1, 2, 3


# ============================================================================================
# text helpers
# ============================================================================================

def nfc(text: str) -> str:
    return text if text.isascii() else unicodedata.normalize("NFC", text)


def strip_diacritics(text: str) -> str:
    """Vietnamese text without tone and vowel marks (đ → d), NFC."""
    if text.isascii():
        return text
    text = unicodedata.normalize("NFD", text.replace("đ", "d").replace("Đ", "D"))
    return nfc("".join(ch for ch in text if not unicodedata.combining(ch)))


class Vocab:
    """A small table of strings: ``n_forms`` spellings of each of ``n`` words, plus an
    ASCII-folded copy of every spelling. Rows are looked up with integer index arrays
    (``-1`` gives null), all vectorised."""

    def __init__(self, forms: list[list[str]]):
        forms = [list(f) for f in forms]
        self.n_forms = len(forms)
        self.n = len(forms[0])
        assert all(len(f) == self.n for f in forms)
        flat = [nfc(w) for f in forms for w in f]
        self.words = flat[: self.n]
        self.table = pa.array(flat + [strip_diacritics(w) for w in flat], pa.string())

    @classmethod
    def of(cls, words) -> Vocab:
        return cls([list(words)])

    def take(self, idx, form=0, fold=None) -> pa.Array:
        idx = np.asarray(idx)
        j = idx.astype(np.int64)
        if not (np.isscalar(form) and form == 0):
            j = j + np.asarray(form, dtype=np.int64) * self.n
        if fold is not None:
            j = j + np.asarray(fold, dtype=np.int64) * (self.n * self.n_forms)
        mask = idx < 0
        if mask.any():
            j = np.where(mask, 0, j)
            return self.table.take(pa.array(j, mask=mask))
        return self.table.take(pa.array(j))


_NULL_STR = pa.scalar(None, pa.string())


def join(parts, sep=" ", emit_null: bool = False) -> pa.Array:
    """Element-wise join of string arrays. Nulls are skipped (a row whose parts are all null
    gives null), or with ``emit_null`` make the row null. ``sep`` is a string, or per row a pair
    ``(codes, separators)``.

    pyarrow 26's ``null_handling="skip"`` drops the rows whose parts are all null (the result is
    shorter than the input), so a never-null empty first part is joined and cut off again."""
    parts = [p for p in parts if p is not None]
    if emit_null:
        return pc.binary_join_element_wise(*parts, sep, null_handling="emit_null")
    if isinstance(sep, str) and any(isinstance(p, pa.Array) and p.null_count == 0 for p in parts):
        return pc.binary_join_element_wise(*parts, sep, null_handling="skip")  # no all-null row
    if isinstance(sep, str):
        res = pc.utf8_slice_codeunits(
            pc.binary_join_element_wise("", *parts, sep, null_handling="skip"), len(sep))
    else:
        codes, seps = sep
        codes = np.asarray(codes)
        res = pc.utf8_slice_codeunits(
            pc.binary_join_element_wise("", *parts, "\x1f", null_handling="skip"), 1)
        used = np.unique(codes)
        if len(used) == 1:
            res = pc.replace_substring(res, "\x1f", seps[int(used[0])])
        else:
            res = pc.choose(pa.array(codes.astype(np.int8)),
                            *[pc.replace_substring(res, "\x1f", s) for s in seps])
    return pc.if_else(pc.equal(res, ""), _NULL_STR, res)


def where(mask: np.ndarray, a, b) -> pa.Array:
    return pc.if_else(pa.array(np.asarray(mask, dtype=bool)), a, b)


def null_where(mask: np.ndarray, a: pa.Array) -> pa.Array:
    return pc.if_else(pa.array(np.asarray(mask, dtype=bool)), pa.scalar(None, a.type), a)


def digits(values: np.ndarray, width: int, mask: np.ndarray | None = None) -> pa.Array:
    """Non-negative integers → zero-padded decimal strings (null where ``mask``)."""
    arr = pa.array(np.asarray(values, dtype=np.int64), mask=mask)
    return pc.utf8_lpad(pc.cast(arr, pa.string()), width=width, padding="0")


def cdf_sampler(weights) -> np.ndarray:
    w = np.asarray(weights, dtype=np.float64)
    c = np.cumsum(w / w.sum())
    c[-1] = 1.0
    return c


def sample_cdf(rng, cdf: np.ndarray, n: int) -> np.ndarray:
    return np.searchsorted(cdf, rng.random(n), side="right").astype(np.int32)


def _seed(*parts) -> int:
    return zlib.crc32("|".join(map(str, parts)).encode())


def coprime_step(n: int, start: int = 37) -> int:
    step = start
    while math.gcd(step, n) != 1:
        step += 1
    return step


def ranks_within(keys: np.ndarray, rng) -> np.ndarray:
    """Random rank of each element among the elements with the same key (0, 1, 2, ...);
    keys must be non-negative and below 2**22."""
    order = np.argsort((keys.astype(np.int64) << 40) | rng.integers(0, 1 << 40, len(keys)))
    sk = keys[order]
    first = np.r_[True, sk[1:] != sk[:-1]]
    start = np.maximum.accumulate(np.where(first, np.arange(len(sk)), 0))
    rank = np.empty(len(keys), dtype=np.int64)
    rank[order] = np.arange(len(sk)) - start
    return rank


# ============================================================================================
# names
# ============================================================================================

_TONES = {"\u0300", "\u0301", "\u0303", "\u0309", "\u0323"}
_SHAPES = {"\u0302", "\u0306", "\u031b"}
_KEY_NEIGHBOURS = dict(zip("asnmhgtriuoecldyvbkpqx", "samnghrtuipwvkfsbvlowc"))
_VOWELS = set("aăâeêioôơuưy")


def _split_char(ch: str) -> tuple[str, list[str], list[str]]:
    d = unicodedata.normalize("NFD", ch)
    return d[0], [m for m in d[1:] if m in _SHAPES], [m for m in d[1:] if m in _TONES]


def _compose(base: str, shapes: list[str], tones: list[str]) -> str:
    return nfc(base + "".join(shapes) + "".join(tones))


def typo_variants(word: str, k: int = 4) -> list[str]:
    """``k`` one-edit misspellings of a word, deterministic: a wrong tone mark, a lost vowel
    mark (ư→u, ê→e, đ→d), a deleted letter, two letters swapped."""
    import random
    rnd = random.Random(_seed("typo", word))
    chars = list(word)
    out: list[str] = []

    # 1. wrong (or missing) tone mark
    toned = [i for i, c in enumerate(chars) if _split_char(c)[2]]
    vowels = [i for i, c in enumerate(chars) if _split_char(c.lower())[0] in _VOWELS]
    if toned:
        i = rnd.choice(toned)
        base, shapes, tones = _split_char(chars[i])
        others = sorted((_TONES - set(tones)) | {""})
        new = rnd.choice(others)
        out.append("".join(chars[:i] + [_compose(base, shapes, [new] if new else [])] + chars[i + 1:]))
    elif vowels:
        i = vowels[-1]
        base, shapes, _ = _split_char(chars[i])
        out.append("".join(chars[:i] + [_compose(base, shapes, [rnd.choice(sorted(_TONES))])]
                           + chars[i + 1:]))

    # 2. lost vowel mark or đ→d
    shaped = [i for i, c in enumerate(chars) if _split_char(c)[1] or c in "đĐ"]
    if shaped:
        i = rnd.choice(shaped)
        c = chars[i]
        if c in "đĐ":
            repl = "d" if c == "đ" else "D"
        else:
            base, _, tones = _split_char(c)
            repl = _compose(base, [], tones)
        out.append("".join(chars[:i] + [repl] + chars[i + 1:]))

    # 3. a deleted letter (not the first), or a doubled one for short words
    if len(chars) >= 3:
        i = rnd.randrange(1, len(chars))
        if chars[i] != " ":
            out.append("".join(chars[:i] + chars[i + 1:]))
    if len(chars) < 3 or len(out) < 3:
        i = rnd.randrange(len(chars))
        out.append("".join(chars[: i + 1] + [chars[i].lower()] + chars[i + 1:]))

    # 4. two adjacent letters swapped, else a neighbouring key
    pairs = [i for i in range(1, len(chars) - 1) if chars[i] != chars[i + 1]
             and " " not in (chars[i], chars[i + 1])]
    if pairs:
        i = rnd.choice(pairs)
        out.append("".join(chars[:i] + [chars[i + 1], chars[i]] + chars[i + 2:]))
    subs = [i for i, c in enumerate(chars) if i > 0 and c.lower() in _KEY_NEIGHBOURS]
    if subs:
        i = rnd.choice(subs)
        out.append("".join(chars[:i] + [_KEY_NEIGHBOURS[chars[i].lower()]] + chars[i + 1:]))

    # spare edits for short words: a doubled letter, a neighbouring key, a lost tone, a deletion
    spare = []
    for i, c in enumerate(chars):
        spare.append("".join(chars[: i + 1] + [c.lower()] + chars[i + 1:]))
        near = _KEY_NEIGHBOURS.get(c.lower())
        if near:
            spare.append("".join(chars[:i] + [near.upper() if c.isupper() else near] + chars[i + 1:]))
        base, shapes, tones = _split_char(c)
        if tones:
            spare.append("".join(chars[:i] + [_compose(base, shapes, [])] + chars[i + 1:]))
        if len(chars) > 1:
            spare.append("".join(chars[:i] + chars[i + 1:]))
    rnd.shuffle(spare)
    seen, uniq = {word}, []
    for v in out + spare + [word + "h", word + "n", word + "g"]:
        v = nfc(v)
        if v not in seen and v.strip() and v[0].isupper() == word[0].isupper() and v[0] != " ":
            seen.add(v)
            uniq.append(v)
    return uniq[:k]


class NameModel:
    """All name words in one vocabulary, with per-(style, gender, era) distributions.

    Word forms: 0 as written, 1 given-name spelling variant (Hòa→Hoà ...; else the word
    itself), 2..5 one-edit misspellings; plus the ASCII-folded copy of each (Vocab)."""

    N_TYPO = 4

    def __init__(self):
        words: dict[str, int] = {}

        def wid(w: str) -> int:
            w = nfc(w)
            if w not in words:
                words[w] = len(words)
            return words[w]

        def dist(text_or_items, young: bool | None = None):
            items = N.parse_weighted(text_or_items) if isinstance(text_or_items, str) else text_or_items
            idx = np.array([wid(w) for w, _, _ in items], dtype=np.int32)
            old = cdf_sampler([a for _, a, _ in items])
            yng = cdf_sampler([b for _, _, b in items])
            return idx, old, yng

        self.surname: dict[tuple[str, str], tuple] = {}
        base = N.parse_weighted(N.KINH_SURNAMES)
        for region, override in N.REGION_SURNAME_OVERRIDES.items():
            items = [(w, override.get(w, a), override.get(w, b)) for w, a, b in base]
            self.surname[("kinh", region)] = dist(items)
        for style, text in N.STYLE_SURNAMES.items():
            d = dist(text)
            for region in N.REGION_SURNAME_OVERRIDES:
                self.surname[(style, region)] = d

        self.middle: dict[tuple[str, bool], tuple] = {}
        self.given: dict[tuple[str, bool], tuple] = {}
        kinh_m, kinh_f = dist(N.KINH_MIDDLE_MALE), dist(N.KINH_MIDDLE_FEMALE)
        giv_m, giv_f = dist(N.KINH_GIVEN_MALE), dist(N.KINH_GIVEN_FEMALE)
        for style in N.STYLES:
            if style == "kinh":
                self.middle[(style, True)], self.middle[(style, False)] = kinh_m, kinh_f
            else:
                m, f = N.MINORITY_MIDDLE[style]
                self.middle[(style, True)], self.middle[(style, False)] = dist(m), dist(f)
            self.given[(style, True)], self.given[(style, False)] = giv_m, giv_f
        self.own_given = {}
        for style, (m, f, share) in N.STYLE_OWN_GIVEN.items():
            self.own_given[style] = (dist(m), dist(f), share)
        self.second_middle_f = dist(N.FEMALE_SECOND_MIDDLE)
        self.second_middle_m = dist(N.MALE_SECOND_MIDDLE)
        self.thi = wid("Thị")
        self.van = wid("Văn")

        vocab = list(words)
        variant = [nfc(N.GIVEN_VARIANTS.get(w, w)) for w in vocab]
        typos = [typo_variants(w, self.N_TYPO) for w in vocab]
        forms = [vocab, variant] + [[t[i] for t in typos] for i in range(self.N_TYPO)]
        self.words = Vocab(forms)
        self.has_variant = np.array([v != w for v, w in zip(variant, vocab)])
        self.has_diacritics = np.array([strip_diacritics(w) != w for w in vocab])
        self.n_words = len(vocab)

    # -- sampling ---------------------------------------------------------------------------
    @staticmethod
    def _draw(rng, d, young: np.ndarray) -> np.ndarray:
        idx, old, yng = d
        n = len(young)
        out = np.empty(n, dtype=np.int32)
        for flag, cdf in ((False, old), (True, yng)):
            sel = np.flatnonzero(young == flag)
            if len(sel):
                out[sel] = idx[sample_cdf(rng, cdf, len(sel))]
        return out

    def surnames(self, rng, style: np.ndarray, region: np.ndarray) -> np.ndarray:
        """Surname word ids for people of the given style / region codes."""
        out = np.empty(len(style), dtype=np.int32)
        young = np.zeros(len(style), dtype=bool)
        for si, s in enumerate(N.STYLES):
            for ri, r in enumerate(REGIONS):
                sel = np.flatnonzero((style == si) & (region == ri))
                if len(sel):
                    out[sel] = self._draw(rng, self.surname[(s, r)], young[: len(sel)])
        return out

    def personal(self, rng, style: np.ndarray, male: np.ndarray, birth_year: np.ndarray):
        """(middle1, middle2, given) word ids; -1 = no word. Era blends old → young names."""
        n = len(style)
        young = rng.random(n) < np.clip((birth_year - 1968) / 25.0, 0.0, 1.0)
        mid1 = np.empty(n, dtype=np.int32)
        given = np.empty(n, dtype=np.int32)
        for si, s in enumerate(N.STYLES):
            for is_male in (True, False):
                sel = np.flatnonzero((style == si) & (male == is_male))
                if not len(sel):
                    continue
                mid1[sel] = self._draw(rng, self.middle[(s, is_male)], young[sel])
                given[sel] = self._draw(rng, self.given[(s, is_male)], young[sel])
                if s in self.own_given:
                    dm, df, share = self.own_given[s]
                    own = sel[rng.random(len(sel)) < share]
                    if len(own):
                        given[own] = self._draw(rng, dm if is_male else df, young[own])
        mid2 = np.full(n, -1, dtype=np.int32)
        kinh = style == 0
        for _ in range(3):  # no "Ngọc Ngọc": a given name equal to the middle name is redrawn
            same = np.flatnonzero(given == mid1)
            for si, s in enumerate(N.STYLES):
                for is_male in (True, False):
                    sel = same[(style[same] == si) & (male[same] == is_male)]
                    if len(sel):
                        given[sel] = self._draw(rng, self.given[(s, is_male)], young[sel])
        # two-word middle names: "Thị Thu", "Văn Minh"
        two_f = np.flatnonzero(kinh & ~male & (rng.random(n) < 0.08))
        mid1[two_f] = self.thi
        mid2[two_f] = self._draw(rng, self.second_middle_f, np.zeros(len(two_f), dtype=bool))
        clash = two_f[mid2[two_f] == given[two_f]]
        mid2[clash] = -1
        two_m = np.flatnonzero(kinh & male & (rng.random(n) < 0.01))
        mid1[two_m] = self.van
        mid2[two_m] = self._draw(rng, self.second_middle_m, np.zeros(len(two_m), dtype=bool))
        # no middle name at all ("Lê Hoa")
        none = rng.random(n) < 0.015
        mid1[none] = -1
        mid2[none] = -1
        return mid1, mid2, given

    def render(self, sur, mid1, mid2, given, *, forms=(0, 0, 0, 0), fold=None, sep=" ") -> pa.Array:
        """Full names "Surname Middle [Middle2] Given" from word ids and per-part forms."""
        W = self.words
        return join([W.take(sur, forms[0], fold), W.take(mid1, forms[1], fold),
                     W.take(mid2, forms[2], fold), W.take(given, forms[3], fold)], sep)


REGIONS = ("north", "mountain", "central", "south")
_MOUNTAIN = {2, 4, 6, 8, 10, 11, 12, 14, 15, 17, 20}


def region_of(code: int) -> int:
    if code in _MOUNTAIN:
        return 1
    if code <= 37:
        return 0
    if code <= 68:
        return 2
    return 3


# CMND (9-digit, pre-2016) number prefixes by old province code — approximate, from memory
CMND_PREFIX = {
    1: 1, 79: 2, 31: 3, 11: 4, 12: 4, 14: 5, 10: 6, 15: 6, 2: 7, 8: 7, 20: 8, 4: 8, 19: 9, 6: 9,
    22: 10, 17: 11, 24: 12, 27: 12, 25: 13, 26: 13, 30: 14, 33: 14, 34: 15, 36: 16, 35: 16,
    37: 16, 38: 17, 40: 18, 42: 18, 44: 19, 45: 19, 46: 19, 48: 20, 49: 20, 51: 21, 52: 21,
    54: 22, 56: 22, 64: 23, 62: 23, 66: 24, 67: 24, 68: 25, 58: 26, 60: 26, 75: 27, 77: 27,
    74: 28, 70: 28, 72: 29, 80: 30, 82: 31, 83: 32, 86: 33, 84: 33, 87: 34, 89: 35, 92: 36,
    93: 36, 94: 36, 91: 37, 96: 38, 95: 38,
}


# ============================================================================================
# geography
# ============================================================================================

# literal words of addresses: (register form, lower-case form)
LITERALS = ["Số", "Số nhà", "Ngõ", "Hẻm", "Kiệt", "Tổ", "Thôn", "Xóm", "Ấp", "Bản", "Buôn",
            "Làng", "Bon", "Tổ dân phố", "Khu phố", "Khóm", "Phố", "Đường", "Xứ đồng"]
L = {w: i for i, w in enumerate(LITERALS)}
_ABBR = {"Xã": "X.", "Phường": "P.", "Thị trấn": "TT.", "Quận": "Q.", "Huyện": "H.",
         "Thị xã": "Tx.", "Thành phố": "TP.", "Tỉnh": "T.", "Đặc khu": "ĐK."}


def unit_forms(full: str, short: str, kind: str) -> tuple[str, str, str]:
    """(full, short, abbreviated) spellings of an administrative unit name."""
    rest = full[len(kind):].strip() if full.startswith(kind) else short
    if rest[:1].isdigit():  # "Quận 1", "Phường 5": the type word stays
        return full, full, _ABBR.get(kind, kind) + rest
    return full, short, f"{_ABBR.get(kind, kind)} {short}"


def _unit_kind(full: str) -> str:
    for k in ("Thành phố", "Thị trấn", "Thị xã", "Đặc khu", "Phường", "Quận", "Huyện", "Tỉnh", "Xã"):
        if full.startswith(k):
            return k
    return full.split()[0]


class Geography:
    """Real units (old 3-level and new 2-level) and a synthetic street/hamlet layout for every
    old commune of the country (the same layout is used by the register and the land records)."""

    def __init__(self, seed: int):
        import vietnamadminunits
        data = Path(vietnamadminunits.__file__).parent / "data"
        rng = np.random.default_rng(_seed("geo", seed))
        with sqlite3.connect(data / "dataset.db") as con:
            legacy = con.execute(
                "SELECT provinceCode, province, provinceShort, provinceKey, provinceLat, provinceLon,"
                " district, districtShort, districtType, districtKey, ward, wardShort, wardType, wardKey"
                " FROM admin_units_legacy WHERE ward IS NOT NULL"
                " ORDER BY provinceCode, districtCode, wardCode").fetchall()
            new = con.execute(
                "SELECT provinceKey, province, provinceShort, wardKey, ward, wardShort, wardType"
                " FROM admin_units ORDER BY provinceCode, wardCode").fetchall()
        conv = json.loads((data / "converter_2025.json").read_text())

        # -- old provinces, districts, communes -------------------------------------------
        prov_ix: dict[str, int] = {}
        dist_ix: dict[tuple[str, str], int] = {}
        self.p_code, self.p_full, self.p_short, p_lat, p_lon = [], [], [], [], []
        d_full, d_short, d_kind, self.d_prov = [], [], [], []
        w_full, w_short, w_kind, w_prov, w_dist, w_key = [], [], [], [], [], []
        for (pcode, pfull, pshort, pkey, lat, lon, dfull, dshort, dtype, dkey,
             wfull, wshort, wtype, wkey) in legacy:
            if pkey not in prov_ix:
                prov_ix[pkey] = len(prov_ix)
                self.p_code.append(int(pcode))
                self.p_full.append(pfull)
                self.p_short.append(pshort)
                p_lat.append(lat)
                p_lon.append(lon)
            if (pkey, dkey) not in dist_ix:
                dist_ix[(pkey, dkey)] = len(dist_ix)
                d_full.append(dfull)
                d_short.append(dshort)
                d_kind.append(dtype or _unit_kind(dfull))
                self.d_prov.append(prov_ix[pkey])
            w_full.append(wfull)
            w_short.append(wshort)
            w_kind.append(wtype or _unit_kind(wfull))
            w_prov.append(prov_ix[pkey])
            w_dist.append(dist_ix[(pkey, dkey)])
            w_key.append(f"{pkey}_{dkey}_{wkey}")
        self.prov_keys = list(prov_ix)
        self.n_wards = len(w_full)
        self.w_prov = np.array(w_prov, dtype=np.int16)
        self.w_dist = np.array(w_dist, dtype=np.int16)
        self.d_prov = np.array(self.d_prov, dtype=np.int16)
        self.p_code_arr = np.array(self.p_code, dtype=np.int16)
        self.w_urban = np.array([k in ("Phường", "Thị trấn") for k in w_kind])
        self.p_region = np.array([region_of(c) for c in self.p_code], dtype=np.int8)
        self.w_region = self.p_region[self.w_prov]
        self.p_lat, self.p_lon = np.array(p_lat), np.array(p_lon)

        # -- new provinces and communes -------------------------------------------------------
        nprov_ix: dict[str, int] = {}
        np_full, np_short, nw_full, nw_short, nw_kind, nw_prov = [], [], [], [], [], []
        nward_ix: dict[tuple[str, str], int] = {}
        for pkey, pfull, pshort, wkey, wfull, wshort, wtype in new:
            if pkey not in nprov_ix:
                nprov_ix[pkey] = len(nprov_ix)
                np_full.append(pfull)
                np_short.append(pshort)
            nward_ix[(pkey, wkey)] = len(nw_full)
            nw_full.append(wfull)
            nw_short.append(wshort)
            nw_kind.append(wtype or _unit_kind(wfull))
            nw_prov.append(nprov_ix[pkey])
        self.nw_prov = np.array(nw_prov, dtype=np.int16)

        # -- old commune → candidate new communes (the default one first) --------------------
        cands: dict[str, list[int]] = {}
        for npk, wards in conv["DICT_PROVINCE_WARD_NO_DIVIDED"].items():
            for nwk, olds in wards.items():
                for old in olds:
                    cands.setdefault(old, []).append(nward_ix[(npk, nwk)])
        for npk, olds in conv["DICT_PROVINCE_WARD_DIVIDED"].items():
            for old, options in olds.items():
                opts = sorted(options, key=lambda o: not o["isDefaultNewWard"])
                for o in opts:
                    j = nward_ix[(npk, o["newWardKey"])]
                    lst = cands.setdefault(old, [])
                    if j not in lst:
                        lst.append(j)
        maxc = max(len(v) for v in cands.values())
        self.cand = np.full((self.n_wards, maxc), -1, dtype=np.int32)
        self.n_cand = np.zeros(self.n_wards, dtype=np.int8)
        for i, key in enumerate(w_key):
            lst = cands.get(key, [])
            self.cand[i, : len(lst)] = lst
            self.n_cand[i] = len(lst)
        assert (self.n_cand > 0).all(), "an old commune without a new one"

        # -- one vocabulary for every unit name: forms full / short / abbreviated --------------
        def forms(fulls, shorts, kinds):
            f3 = [unit_forms(f, s, k) for f, s, k in zip(fulls, shorts, kinds)]
            return [[x[i] for x in f3] for i in range(3)]

        p_kind = [_unit_kind(f) for f in self.p_full]
        np_kind = [_unit_kind(f) for f in np_full]
        blocks = [forms(w_full, w_short, w_kind), forms(nw_full, nw_short, nw_kind),
                  forms(d_full, d_short, d_kind), forms(self.p_full, self.p_short, p_kind),
                  forms(np_full, np_short, np_kind)]
        sizes = [len(b[0]) for b in blocks]
        offs = np.cumsum([0] + sizes)
        self.OFF_W, self.OFF_NW, self.OFF_D, self.OFF_P, self.OFF_NP = (int(o) for o in offs[:5])
        self.units = Vocab([sum((b[i] for b in blocks), []) for i in range(3)])
        # "Xã A, Huyện B, Tỉnh C" and "Huyện B, Tỉnh C" per old commune (birth place, home town)
        self.birthplace = Vocab([
            [f"{w_full[i]}, {d_full[w_dist[i]]}, {self.p_full[w_prov[i]]}" for i in range(self.n_wards)],
            [f"{d_full[w_dist[i]]}, {self.p_full[w_prov[i]]}" for i in range(self.n_wards)]])
        self.p_full_arr = self.p_full

        # -- synthetic layout of every old commune --------------------------------------------
        n = self.n_wards
        self.literals = Vocab([LITERALS, [w.lower() for w in LITERALS]])
        streets = N.parse_list(N.STREET_NAMES)
        s1, s2 = N.SINO_SYLLABLES_1.split(), N.SINO_SYLLABLES_2.split()
        sino = [f"{a} {b}" for a in s1 for b in s2 if a != b] + N.parse_list(N.SINGLE_HAMLET_NAMES)
        m1, m2 = N.MOUNTAIN_SYLLABLES_1.split(), N.MOUNTAIN_SYLLABLES_2.split()
        mountain = [f"{a} {b}" for a in m1 for b in m2]
        highland = N.parse_list(N.HIGHLAND_HAMLET_NAMES)
        fields = N.parse_list(N.FIELD_NAMES)
        self.OFF_STREET = 0
        self.OFF_SINO = len(streets)
        self.OFF_MOUNT = self.OFF_SINO + len(sino)
        self.OFF_HIGH = self.OFF_MOUNT + len(mountain)
        self.OFF_FIELD = self.OFF_HIGH + len(highland)
        self.OFF_NUM = self.OFF_FIELD + len(fields)
        self.N_STREET, self.N_SINO, self.N_MOUNT, self.N_HIGH, self.N_FIELD = (
            len(streets), len(sino), len(mountain), len(highland), len(fields))
        self.labels = Vocab.of(streets + sino + mountain + highland + fields
                               + [str(i) for i in range(100_000)])

        self.w_hash = rng.integers(0, 1 << 30, n).astype(np.int64)
        urban = self.w_urban
        self.n_streets = np.where(urban, rng.integers(6, 27, n), 0).astype(np.int16)
        self.n_tdp = np.where(urban, rng.integers(2, 11, n), 0).astype(np.int16)
        self.n_hamlets = np.where(urban, 0, rng.integers(4, 19, n)).astype(np.int16)
        self.n_groups = (self.n_streets + self.n_tdp + self.n_hamlets).astype(np.int16)
        code = self.p_code_arr[self.w_prov]
        region = self.w_region

        # hamlet word per commune, by province habits
        hp = np.full(n, L["Thôn"], dtype=np.int8)
        u = rng.random(n)
        hp[(region == 0) & (u < 0.22)] = L["Xóm"]
        hp[np.isin(code, (19, 17, 40, 42)) & (u < 0.6)] = L["Xóm"]
        hp[np.isin(code, (11, 12, 14)) & (u < 0.75)] = L["Bản"]
        hp[(region == 1) & ~np.isin(code, (11, 12, 14, 17)) & (u < 0.3)] = L["Bản"]
        hp[np.isin(code, (62, 64)) & (u < 0.4)] = L["Làng"]
        hp[(code == 66) & (u < 0.35)] = L["Buôn"]
        hp[(code == 68) & (u < 0.2)] = L["Buôn"]
        hp[(code == 67) & (u < 0.35)] = L["Bon"]
        hp[region == 3] = L["Ấp"]
        self.w_hamlet_word = hp
        numeric_p = np.select([hp == L["Xóm"], hp == L["Bản"], np.isin(hp, (L["Buôn"], L["Làng"], L["Bon"]))],
                              [0.5, 0.05, 0.1], 0.35)
        self.w_hamlet_numeric = rng.random(n) < numeric_p
        self.w_hamlet_set = np.select([hp == L["Bản"], np.isin(hp, (L["Buôn"], L["Làng"], L["Bon"]))],
                                      [1, 2], 0).astype(np.int8)
        big_city = np.isin(code, (1, 31))
        self.w_street_word = np.where((region <= 1) & (big_city | (rng.random(n) < 0.45)),
                                      L["Phố"], L["Đường"]).astype(np.int8)
        self.w_tdp_word = np.select(
            [region == 3, region == 2],
            [np.where((code >= 80) & (rng.random(n) < 0.5), L["Khóm"], L["Khu phố"]),
             np.where(rng.random(n) < 0.5, L["Tổ dân phố"], L["Tổ"])], L["Tổ dân phố"]).astype(np.int8)
        self.w_alley_word = np.select(
            [region <= 1, np.isin(code, (46, 48))], [L["Ngõ"], L["Kiệt"]], L["Hẻm"]).astype(np.int8)
        self.w_sub_word = np.where((region == 0) & (rng.random(n) < 0.6), L["Ngõ"], L["Tổ"]).astype(np.int8)
        self.w_house_word = np.where((region <= 2) & ~urban & (rng.random(n) < 0.7),
                                     L["Số nhà"], L["Số"]).astype(np.int8)
        self.w_slash = (region >= 2) & (rng.random(n) < 0.6)  # "Số 45/12" alley style
        self.w_weight = rng.lognormal(0.0, 0.45, n) * np.where(urban, 2.2, 1.0)
        self.step_street = coprime_step(self.N_STREET)
        self.step_sino = coprime_step(self.N_SINO, 101)
        self.step_mount = coprime_step(self.N_MOUNT, 53)
        self.step_high = coprime_step(self.N_HIGH, 7)

    # -- look-ups ------------------------------------------------------------------------------
    def find_province(self, name: str) -> int:
        key = strip_diacritics(name).lower().replace("-", " ")
        key = " ".join(w for w in key.split() if w not in ("tinh", "thanh", "pho", "tp", "tp."))
        for i, short in enumerate(self.p_short):
            k2 = " ".join(strip_diacritics(short).lower().replace("-", " ").split())
            if key == k2:
                return i
        raise SystemExit(f"unknown province {name!r}; one of: " + ", ".join(self.p_short))

    def province_wards(self, p: int) -> np.ndarray:
        return np.flatnonzero(self.w_prov == p)

    def pick_wards(self, rng, wards: np.ndarray, n: int, weight: np.ndarray | None = None) -> np.ndarray:
        w = self.w_weight[wards] if weight is None else weight
        return wards[sample_cdf(rng, cdf_sampler(w), n)]

    def other_province_weights(self, home: int, big_city_bonus: float = 6.0) -> np.ndarray:
        """Weights of the other provinces for migrants: near ones and the two big cities."""
        d = np.hypot(self.p_lat - self.p_lat[home], (self.p_lon - self.p_lon[home]) * 0.95) * 111.0
        w = np.bincount(self.w_prov, minlength=len(self.p_code)) * (np.exp(-d / 250.0) + 0.05)
        w = w * np.where(np.isin(self.p_code_arr, (1, 79)), big_city_bonus, 1.0)
        w[home] = 0.0
        return w

    def pick_in_provinces(self, rng, provinces: np.ndarray) -> np.ndarray:
        """One commune per element, weighted, inside the given province of each element."""
        out = np.empty(len(provinces), dtype=np.int32)
        for p in np.unique(provinces):
            sel = np.flatnonzero(provinces == p)
            out[sel] = self.pick_wards(rng, self.province_wards(p), len(sel))
        return out

    def new_ward(self, rng, wards: np.ndarray) -> np.ndarray:
        """A post-2025 commune for addresses in an old commune (split communes: the default
        one for 60 %)."""
        nc = self.n_cand[wards].astype(np.int64)
        u = rng.random(len(wards))
        j = np.where((nc == 1) | (u < 0.6), 0, 1 + (rng.random(len(wards)) * (nc - 1)).astype(np.int64))
        j = np.minimum(j, nc - 1)
        return self.cand[wards, j]

    def random_group_address(self, rng, wards: np.ndarray, hamlet_only: bool = False):
        """A random (group, alley, house) in each commune — no uniqueness (former residences,
        temporary residences, other parcels)."""
        n = len(wards)
        ng = self.n_groups[wards].astype(np.int64)
        if hamlet_only:
            lo = (self.n_streets[wards] + self.n_tdp[wards]).astype(np.int64)
            k = np.where(self.n_hamlets[wards] > 0,
                         lo + (rng.random(n) * np.maximum(self.n_hamlets[wards], 1)).astype(np.int64), -1)
        else:
            k = (rng.random(n) * ng).astype(np.int64)
        alley = np.where(rng.random(n) < 0.45, rng.integers(1, 15, n), 0)
        house = rng.integers(1, 260, n)
        return k, alley, house

    # -- rendering -----------------------------------------------------------------------------
    def group_label(self, w: np.ndarray, k: np.ndarray):
        """(kind, label id in ``labels``) of group ``k`` of commune ``w``; kind 0 street,
        1 residential group (tổ dân phố), 2 hamlet, -1 none."""
        w = w.astype(np.int64)
        k = k.astype(np.int64)
        ns = self.n_streets[w].astype(np.int64)
        nt = self.n_tdp[w].astype(np.int64)
        h = self.w_hash[w]
        kind = np.select([k < 0, k < ns, k < ns + nt], [-1, 0, 1], 2)
        j = k - ns - nt
        hset = self.w_hamlet_set[w]
        named = np.select(
            [hset == 1, hset == 2],
            [self.OFF_MOUNT + (h + j * self.step_mount) % self.N_MOUNT,
             self.OFF_HIGH + (h + j * self.step_high) % self.N_HIGH],
            self.OFF_SINO + (h + j * self.step_sino) % self.N_SINO)
        hamlet = np.where(self.w_hamlet_numeric[w], self.OFF_NUM + j + 1, named)
        label = np.select([kind == 0, kind == 1, kind == 2],
                          [self.OFF_STREET + (h + k * self.step_street) % self.N_STREET,
                           self.OFF_NUM + (k - ns + 1), hamlet], -1)
        word = np.select([kind == 0, kind == 1, kind == 2],
                         [self.w_street_word[w], self.w_tdp_word[w], self.w_hamlet_word[w]], -1)
        return kind, label, word

    def render_address(self, w, k, alley, house, new_w, *, new_names=False, form=0, lit_form=0,
                       sep=", ", fold=None, drop_house=None, drop_district=None,
                       drop_province=None, slash=None, lead: pa.Array | None = None) -> pa.Array:
        """Address strings, vectorised. ``w`` old commune, ``k`` group (street / hamlet; -1 none),
        ``alley`` (0 none), ``house`` (≤0 none), ``new_w`` new commune; the keyword arrays
        choose names (old/new), unit spelling form (0 full, 1 short, 2 abbreviated), the case of
        the literal words, separators, folding and left-out parts, row by row."""
        n = len(w)
        w = np.asarray(w, dtype=np.int64)
        k = np.asarray(k, dtype=np.int64)
        alley = np.asarray(alley, dtype=np.int64)
        house = np.asarray(house, dtype=np.int64)

        def arr(x, dtype=bool):
            return np.broadcast_to(np.asarray(False if x is None else x, dtype=dtype), (n,))

        new_names, drop_house = arr(new_names), arr(drop_house)
        drop_district, drop_province = arr(drop_district), arr(drop_province)
        slash = self.w_slash[w] if slash is None else arr(slash)
        kind, label, group_word = self.group_label(w, k)

        has_house = (house > 0) & ~drop_house
        alley_label = np.where(kind == 2, alley, 2 * alley - ((self.w_hash[w] + k) & 1))
        has_alley = (alley > 0) & has_house
        use_slash = has_alley & slash & (kind != 2)
        house_word = np.where(kind == 2, self.w_house_word[w], L["Số"])
        num_house = self.labels.take(np.where(has_house, self.OFF_NUM + house, -1))
        num_alley = self.labels.take(np.where(has_alley, self.OFF_NUM + alley_label, -1))
        # in northern towns deep alleys branch: alley 4, 5, ... are written "Ngõ 7/2" (ngõ/ngách)
        branch = has_alley & (kind != 2) & (self.w_alley_word[w] == L["Ngõ"]) & (alley >= 4)
        if branch.any():
            main = 2 * (alley // 4) + 1 - ((self.w_hash[w] + k) & 1)
            sub = alley % 4 + 1
            nested = join([self.labels.take(np.where(branch, self.OFF_NUM + main, -1)),
                           self.labels.take(np.where(branch, self.OFF_NUM + sub, -1))], "/", emit_null=True)
            num_alley = where(branch, nested, num_alley)
        house_txt = where(use_slash, join([num_alley, num_house], "/"), num_house)
        house_part = join([self.literals.take(np.where(has_house, house_word, -1), lit_form, fold),
                           house_txt], " ", emit_null=True)
        alley_word = np.where(kind == 2, self.w_sub_word[w], self.w_alley_word[w])
        alley_part = join([self.literals.take(np.where(has_alley & ~use_slash, alley_word, -1), lit_form, fold),
                           num_alley], " ", emit_null=True)
        group_part = join([self.literals.take(group_word, lit_form, fold),
                           self.labels.take(label, 0, fold)], " ", emit_null=True)
        nw = np.asarray(new_w, dtype=np.int64)
        ward_ix = np.where(new_names, self.OFF_NW + nw, self.OFF_W + w)
        dist_ix = np.where(new_names | drop_district, -1, self.OFF_D + self.w_dist[w])
        prov_ix = np.where(drop_province, -1,
                           np.where(new_names, self.OFF_NP + self.nw_prov[nw], self.OFF_P + self.w_prov[w]))
        units = self.units
        return join([lead, house_part, alley_part, group_part,
                     units.take(ward_ix, form, fold), units.take(dist_ix, form, fold),
                     units.take(prov_ix, form, fold)], sep)


# ============================================================================================
# population
# ============================================================================================

@dataclass
class Population:
    """Everyone (register citizens first, then the "ghosts" who own land but are absent from the
    register), as parallel numpy arrays of small integers; households are contiguous."""
    n_register: int
    # persons
    hh: np.ndarray = None          # household
    role: np.ndarray = None
    male: np.ndarray = None
    by: np.ndarray = None          # birth year
    dob: np.ndarray = None         # birth date, days since 1900-01-01
    sur: np.ndarray = None         # name word ids (NameModel), -1 none
    mid1: np.ndarray = None
    mid2: np.ndarray = None
    given: np.ndarray = None
    father_off: np.ndarray = None  # household member offsets (-1 none): father, mother, spouse,
    mother_off: np.ndarray = None  # and a relative whose number may be written by mistake
    spouse_off: np.ndarray = None
    relative_off: np.ndarray = None
    birth_ward: np.ndarray = None  # old commune of birth registration
    home_ward: np.ndarray = None   # que_quan (the father's birth commune)
    sdd: np.ndarray = None         # so_dinh_danh
    cmnd: np.ndarray = None        # old CMND number, -1 none
    cmnd_len: np.ndarray = None    # 9 or 12 (0 none)
    cur_w: np.ndarray = None       # current residence when it differs (-1 same)
    cur_k: np.ndarray = None
    cur_alley: np.ndarray = None
    cur_house: np.ndarray = None
    cur_nw: np.ndarray = None
    # households
    h_start: np.ndarray = None
    h_size: np.ndarray = None
    h_ward: np.ndarray = None
    h_k: np.ndarray = None
    h_alley: np.ndarray = None
    h_house: np.ndarray = None
    h_nw: np.ndarray = None
    h_reg_new: np.ndarray = None
    h_ethnic: np.ndarray = None
    h_religion: np.ndarray = None
    h_book: np.ndarray = None      # so_so_ho_khau, -1 none
    h_couple: np.ndarray = None
    h_style: np.ndarray = None     # naming style (index into vn_other_names.STYLES)
    ghost_h: np.ndarray = None     # households absent from the register
    ethnic_labels: list = field(default_factory=list)

    def member(self, offsets: np.ndarray, people: np.ndarray) -> np.ndarray:
        """Population index of the household member at ``offsets`` (per person; -1 → -1)."""
        off = offsets[people].astype(np.int64)
        return np.where(off >= 0, self.h_start[self.hh[people]] + off, -1)


def _compose_households(rng, n_target: int) -> dict[str, np.ndarray]:
    """Household compositions until they hold ``n_target`` people (the last one cut short):
    13 % people alone, 77 % couples (10 % of them with the wife as head) with 0–5 children,
    10 % lone parents; younger households may keep one or two grandparents; most children
    of parents born before 1972 have left."""
    H = int(n_target / 3.0) + 64
    while True:
        htype = sample_cdf(rng, cdf_sampler([0.13, 0.77, 0.10]), H)  # single, couple, lone parent
        ref_by = np.select(
            [htype == 1, htype == 0],
            [1938 + np.floor(66 * rng.beta(2.3, 1.7, H)), 1935 + np.floor(72 * rng.beta(1.6, 1.4, H))],
            1950 + np.floor(50 * rng.beta(2.0, 2.0, H))).astype(np.int16)
        couple = htype == 1
        head_male = np.select([htype == 1, htype == 0], [rng.random(H) < 0.9, rng.random(H) < 0.5],
                              rng.random(H) < 0.22)
        hus_by = (ref_by - np.clip(np.round(rng.normal(3, 3, H)), -3, 12)).astype(np.int16)
        n_ch = np.select([htype == 1, htype == 2],
                         [sample_cdf(rng, cdf_sampler([0.10, 0.22, 0.38, 0.19, 0.08, 0.03]), H),
                          1 + sample_cdf(rng, cdf_sampler([0.5, 0.35, 0.15]), H)], 0)
        old = ref_by < 1972  # most children of older parents have their own household
        n_ch = np.where(old, rng.binomial(n_ch, 0.3), n_ch)
        n_ch = np.minimum(n_ch, np.maximum(0, (REF_YEAR - ref_by.astype(int) - 19) // 2 + 1))
        n_el = np.where((htype != 0) & (ref_by >= 1962),
                        sample_cdf(rng, cdf_sampler([0.72, 0.20, 0.08]), H), 0)
        size = 1 + couple.astype(int) + n_ch + n_el
        if size.sum() >= n_target:
            break
        H = int(H * 1.3) + 64
    cum = np.cumsum(size)
    nh = int(np.searchsorted(cum, n_target) + 1)
    size = size[:nh].copy()
    size[-1] -= int(cum[nh - 1] - n_target)
    return dict(htype=htype[:nh].astype(np.int8), ref_by=ref_by[:nh], couple=couple[:nh],
                head_male=head_male[:nh], hus_by=hus_by[:nh], n_ch=n_ch[:nh].astype(np.int8),
                n_el=n_el[:nh].astype(np.int8), size=size, el_male=rng.random(nh) < 0.35)


def _days_of(year: np.ndarray, month: np.ndarray | None = None, day: np.ndarray | None = None) -> np.ndarray:
    """Days since 1900-01-01 of 1 January of ``year`` (or of the given month/day)."""
    y = np.asarray(year, dtype=np.int64)
    m = np.zeros_like(y) if month is None else np.asarray(month, dtype=np.int64) - 1
    months = ((y - 1970) * 12 + m).astype("datetime64[M]")
    d = (months.astype("datetime64[D]") - DAY0).astype(np.int64)
    return d if day is None else d + np.asarray(day, dtype=np.int64) - 1


def _ymd(days: np.ndarray):
    dt = DAY0 + np.asarray(days, dtype=np.int64).astype("timedelta64[D]")
    y = dt.astype("datetime64[Y]").astype(np.int64) + 1970
    m = dt.astype("datetime64[M]").astype(np.int64) % 12 + 1
    d = (dt - dt.astype("datetime64[M]").astype("datetime64[D]")).astype(np.int64) + 1
    return y, m, d


PERSON_CHUNK = 1_000_000


def build_population(geo: Geography, names: NameModel, province: int, n_register: int,
                     n_ghost: int, rates: dict, seed: int) -> Population:
    """Households, people, names, addresses and numbers of the register plus the ghosts.

    Household-level decisions are made for all households at once; people are then filled in
    by chunks of about a million (bounded memory); namesakes and unique numbers are global."""
    rng = np.random.default_rng(_seed("population", seed))
    parts = [_compose_households(rng, n_register), _compose_households(rng, max(n_ghost, 1))]
    H = {key: np.concatenate([p[key] for p in parts]) for key in parts[0]}
    size = H["size"].astype(np.int64)
    nh = len(size)
    n = int(size.sum())
    P = Population(n_register=n_register)
    P.h_size = size.astype(np.int16)
    P.h_start = np.cumsum(size) - size
    P.ghost_h = np.zeros(nh, dtype=bool)
    P.ghost_h[len(parts[0]["size"]):] = True
    P.h_couple = H["couple"]
    del parts

    # -- where households live ----------------------------------------------------------------
    prov_wards = geo.province_wards(province)
    out = rng.random(nh) < rates["out_of_province"]
    other_w = geo.other_province_weights(province)
    h_ward = geo.pick_wards(rng, prov_wards, nh).astype(np.int32)
    if out.any():
        h_ward[out] = geo.pick_in_provinces(rng, sample_cdf(rng, cdf_sampler(other_w), int(out.sum())))
    k = (rng.random(nh) * geo.n_groups[h_ward]).astype(np.int64)
    group = h_ward.astype(np.int64) * 64 + k
    rank = ranks_within(group, rng)      # distinct (alley, house) inside each street / hamlet
    slot = rank * 2 + rng.integers(0, 2, nh)
    per_alley = 20 + (geo.w_hash[h_ward] + k * 7919) % 100
    P.h_ward, P.h_k = h_ward, k.astype(np.int16)
    P.h_alley = (slot // per_alley).astype(np.int16)
    P.h_house = (slot % per_alley + 1).astype(np.int16)
    del rank, slot, per_alley
    P.h_nw = geo.new_ward(rng, h_ward).astype(np.int16)
    P.h_reg_new = rng.random(nh) < rates["register_new_names"]
    migrant = ~out & (rng.random(nh) < rates["migrants"])  # adults born in another province
    origin_p = np.where(migrant, sample_cdf(rng, cdf_sampler(other_w), nh),
                        geo.w_prov[h_ward]).astype(np.int16)

    # -- ethnicity, religion, household book --------------------------------------------------
    labels = sorted(N.ETHNIC_STYLE, key=lambda s: (s != "Kinh", s))
    P.ethnic_labels = labels
    lab_ix = {s: i for i, s in enumerate(labels)}
    style_of_label = np.array([N.STYLES.index(N.ETHNIC_STYLE[s]) for s in labels], dtype=np.int8)
    h_eth = np.zeros(nh, dtype=np.int16)
    h_rel = np.zeros(nh, dtype=np.int8)
    codes = geo.p_code_arr[origin_p]
    for c in np.unique(codes):
        sel = np.flatnonzero(codes == c)
        prof = N.ETHNIC_BY_PROVINCE.get(int(c), N.DEFAULT_ETHNIC)
        h_eth[sel] = np.array([lab_ix[s] for s in prof])[
            sample_cdf(rng, cdf_sampler(list(prof.values())), len(sel))]
    live_codes = geo.p_code_arr[geo.w_prov[h_ward]]
    for c in np.unique(live_codes):
        sel = np.flatnonzero(live_codes == c)
        prof = N.RELIGION_BY_PROVINCE.get(int(c), N.SOUTH_RELIGION if c >= 70 else N.DEFAULT_RELIGION)
        h_rel[sel] = np.array([N.RELIGIONS.index(r) for r in prof])[
            sample_cdf(rng, cdf_sampler(list(prof.values())), len(sel))]
    h_style = style_of_label[h_eth]
    P.h_style = h_style
    h_rel = np.where((h_style == N.STYLES.index("khmer")) & (rng.random(nh) < 0.9), 1, h_rel)
    h_rel = np.where((h_style == N.STYLES.index("hmong")) & (rng.random(nh) < 0.2), 3, h_rel)
    P.h_ethnic, P.h_religion = h_eth, h_rel.astype(np.int8)
    P.h_book = np.where(rng.random(nh) < 0.75, rng.integers(10_000_000, 999_999_999, nh), -1)

    # -- the household's family name; in many hamlets one clan dominates -----------------------
    origin_region = geo.p_region[origin_p]
    h_sur = names.surnames(rng, h_style, origin_region)
    ug, ginv = np.unique(group, return_inverse=True)
    clan_sur = names.surnames(rng, np.zeros(len(ug), dtype=np.int8),
                              geo.w_region[(ug // 64).astype(np.int64)])
    clan_p = np.array([0.35, 0.40, 0.30, 0.15])[origin_region]
    use_clan = (h_style == 0) & ~migrant & (rng.random(nh) < clan_p)
    h_sur = np.where(use_clan, clan_sur[ginv], h_sur).astype(np.int32)
    del ug, ginv, clan_sur

    # -- people, by chunks of whole households -------------------------------------------------
    P.hh = np.repeat(np.arange(nh, dtype=np.int32), size)
    for name, dtype in (("role", np.int8), ("male", bool), ("by", np.int16), ("dob", np.int32),
                        ("sur", np.int16), ("mid1", np.int16), ("mid2", np.int16),
                        ("given", np.int16), ("father_off", np.int8), ("mother_off", np.int8),
                        ("spouse_off", np.int8), ("relative_off", np.int8),
                        ("birth_ward", np.int16), ("home_ward", np.int16), ("sdd", np.int64),
                        ("cmnd", np.int64), ("cmnd_len", np.int8), ("cur_w", np.int16),
                        ("cur_k", np.int16), ("cur_alley", np.int16), ("cur_house", np.int16),
                        ("cur_nw", np.int16)):
        setattr(P, name, np.empty(n, dtype=dtype))
    hh_ctx = dict(H=H, out=out, migrant=migrant, origin_p=origin_p, h_style=h_style, h_sur=h_sur,
                  prov_wards=prov_wards, other_w=other_w,
                  far_w=geo.other_province_weights(province, 12.0))
    bounds = np.searchsorted(P.h_start, np.arange(0, n, PERSON_CHUNK))
    bounds = np.unique(np.r_[bounds, nh])
    for h0, h1 in zip(bounds[:-1], bounds[1:]):
        _fill_people(geo, names, P, hh_ctx, int(h0), int(h1), rates,
                     np.random.default_rng(_seed("people", seed, int(h0))))

    # -- namesakes among cousins: a child named exactly like a same-sex child of the hamlet -----
    ch = np.flatnonzero(P.role == CHILD)
    if len(ch) > 1:
        key = (group[P.hh[ch]] * 2 + P.male[ch]) * 4096 + P.sur[ch]
        order = np.argsort(key)
        key = key[order]
        order = ch[order]
        same = np.r_[False, key[1:] == key[:-1]] & (rng.random(len(order)) < 0.12)
        tgt, src = order[same], order[np.flatnonzero(same) - 1]
        ok = P.hh[tgt] != P.hh[src]
        tgt, src = tgt[ok], src[ok]
        P.mid1[tgt], P.mid2[tgt], P.given[tgt] = P.mid1[src], P.mid2[src], P.given[src]
        del key, order, same, tgt, src
    del group

    # -- unique numbers -----------------------------------------------------------------------
    block = P.sdd // 10**6 * 10**6          # province, century/sex, year: 6 random digits follow
    P.sdd = _unique_numbers(rng, block, 10**6)
    has9 = P.cmnd_len == 9
    block = P.cmnd // 10**7 * 10**7
    P.cmnd = np.where(has9, _unique_numbers(rng, block, 10**7, has9), P.cmnd)
    P.cmnd = np.where(P.cmnd_len == 12, P.sdd, P.cmnd)
    return P


def _fill_people(geo: Geography, names: NameModel, P: Population, ctx: dict, h0: int, h1: int,
                 rates: dict, rng) -> None:
    """Fill the person arrays of households ``h0 .. h1-1`` (contiguous people)."""
    p0 = int(P.h_start[h0])
    p1 = int(P.h_start[h1 - 1] + P.h_size[h1 - 1])
    n = p1 - p0
    sl = slice(p0, p1)
    hh = P.hh[sl]
    Hc = ctx["H"]
    start = P.h_start[hh] - p0                  # local index of the household head
    size = P.h_size[hh].astype(np.int64)
    pos = np.arange(n) - start
    couple = Hc["couple"][hh]
    nsp = couple.astype(np.int64)
    nch = Hc["n_ch"][hh].astype(np.int64)
    n_el = Hc["n_el"][hh]
    el_male1 = Hc["el_male"][hh]
    role = np.select([pos == 0, pos < 1 + nsp, pos < 1 + nsp + nch], [HEAD, SPOUSE, CHILD],
                     ELDER).astype(np.int8)
    head_male = Hc["head_male"][hh]
    e_rank = pos - 1 - nsp - nch
    male = np.select([role == HEAD, role == SPOUSE, role == CHILD],
                     [head_male, ~head_male, rng.random(n) < 0.512],
                     np.where(n_el == 2, e_rank == 0, el_male1))
    del e_rank

    # birth years and dates
    ref_by = Hc["ref_by"][hh].astype(np.int64)
    hus_by = Hc["hus_by"][hh].astype(np.int64)
    head_by = np.where(couple & head_male, hus_by, ref_by)
    lo = np.where(Hc["htype"][hh] == 2, np.where(head_male, 24, 19), 19)
    span = np.clip(REF_YEAR - (ref_by + lo) + 1, 1, 22)
    child_by = ref_by + lo + (rng.random(n) * span).astype(np.int64)
    elder_by = np.maximum(head_by - 22 - (rng.random(n) * 14).astype(np.int64), 1922)
    by = np.select([role == HEAD, role == SPOUSE, role == CHILD],
                   [head_by, np.where(head_male, ref_by, hus_by), child_by], elder_by)
    by = np.minimum(by, REF_YEAR)
    del hus_by, head_by, lo, span, child_by, elder_by
    jan1 = _days_of(by)
    ndays = _days_of(by + 1) - jan1
    dob = jan1 + (rng.random(n) * np.minimum(ndays, np.where(by >= REF_YEAR, 180, 366))).astype(np.int64)
    dob = np.where((by < 1965) & (rng.random(n) < 0.10), jan1, dob)  # "01/01/yyyy" of old papers
    del jan1, ndays

    # family links as offsets inside the household (-1 none)
    def at(offset):
        return np.where(offset < size, offset, -1)

    husband = np.where(couple, np.where(head_male, 0, at(1)), np.where(head_male, 0, -1))
    wife = np.where(couple, np.where(head_male, at(1), 0), np.where(head_male, -1, 0))
    el1, el2 = at(1 + nsp + nch), at(2 + nsp + nch)
    el_father = np.select([n_el == 2, (n_el == 1) & el_male1], [el1, el1], -1)
    el_mother = np.select([n_el == 2, (n_el == 1) & ~el_male1], [el2, el1], -1)
    father = np.select([role == CHILD, role == HEAD], [husband, el_father], -1)
    mother = np.select([role == CHILD, role == HEAD], [wife, el_mother], -1)
    spouse = np.select([role == HEAD, role == SPOUSE, (role == ELDER) & (n_el == 2)],
                       [np.where(couple, at(1), -1), 0, np.where(pos == el1, el2, el1)], -1)
    other = np.where(pos == 0, at(1), 0)
    relative = np.select([spouse >= 0, father >= 0, mother >= 0], [spouse, father, mother], other)
    del el1, el2, el_father, el_mother, other

    # names
    style = ctx["h_style"][hh]
    live_w = P.h_ward[hh]
    region = geo.w_region[live_w].astype(np.int8)
    own_sur = names.surnames(rng, style, region)  # spouses, mothers of the head, absent fathers
    head_sur = ctx["h_sur"][hh]
    hus_ix = np.maximum(start + husband, 0)
    husband_sur = np.where(couple & ~head_male, own_sur[hus_ix], head_sur)
    sur = np.select(
        [role == HEAD, role == SPOUSE, (role == ELDER) & male, (role == ELDER) & ~male],
        [head_sur, own_sur, head_sur, own_sur],
        np.where(husband >= 0, husband_sur, np.where(rng.random(n) < 0.6, own_sur, head_sur)))
    del own_sur, husband_sur, hus_ix
    mid1, mid2, given = names.personal(rng, style, male, by)
    # young Kinh children sometimes carry the mother's surname as a first middle name
    mom_sur = np.where(wife >= 0, sur[np.maximum(start + wife, 0)], -1)
    modern = (role == CHILD) & (style == 0) & (by >= 1998) & (mom_sur >= 0) & (mid2 < 0) \
        & (rng.random(n) < 0.06)
    mid2 = np.where(modern, np.where(mid1 >= 0, mid1, names.van), mid2)
    mid1 = np.where(modern, mom_sur, mid1)
    del mom_sur, modern

    # birth place, home town
    out = ctx["out"][hh]
    born_away = ctx["migrant"][hh] & (role != CHILD)
    prov_wards = ctx["prov_wards"]
    bw = np.where((rng.random(n) < 0.55) | out, live_w, geo.pick_wards(rng, prov_wards, n))
    if born_away.any():
        bw[born_away] = geo.pick_in_provinces(rng, ctx["origin_p"][hh[born_away]])
    married_in = (role == SPOUSE) & (rng.random(n) < 0.12)
    if married_in.any():
        m = int(married_in.sum())
        bw[married_in] = geo.pick_in_provinces(
            rng, np.where(rng.random(m) < 0.5, geo.w_prov[live_w[married_in]],
                          sample_cdf(rng, cdf_sampler(ctx["other_w"]), m)))
    home = np.where(father >= 0, bw[np.maximum(start + father, 0)], bw)

    # numbers: CCCD = province of birth registration, century/sex, year, 6 random digits
    code3 = geo.p_code_arr[geo.w_prov[bw]].astype(np.int64)
    century = (by >= 2000).astype(np.int64) * 2 + (~male).astype(np.int64)
    sdd = code3 * 10**9 + century * 10**8 + (by % 100) * 10**6 + rng.integers(0, 10**6, n)
    old_enough = by <= 2004
    has12 = old_enough & (by >= 1950) & (rng.random(n) < 0.06)
    has9 = old_enough & ~has12 & (rng.random(n) < np.where(by < 1990, 0.80, 0.60))
    prefix = np.array([CMND_PREFIX.get(int(c), 99) for c in geo.p_code_arr], dtype=np.int64)
    issued_w = np.where(rng.random(n) < 0.8, bw, live_w)
    cmnd9 = prefix[geo.w_prov[issued_w]] * 10**7 + rng.integers(0, 10**7, n)
    del code3, century, issued_w

    # current residence (noi_o_hien_tai) when it is not the permanent one
    age = REF_YEAR - by
    away = (rng.random(h1 - h0) < rates["household_elsewhere"])[hh - h0] | \
        ((age >= 18) & (age <= 35) & (rng.random(n) < rates["young_adult_elsewhere"]))
    cw = np.full(n, -1, dtype=np.int64)
    ck = np.full(n, -1, dtype=np.int64)
    ca = np.zeros(n, dtype=np.int64)
    chs = np.zeros(n, dtype=np.int64)
    cnw = np.full(n, -1, dtype=np.int64)
    sel = np.flatnonzero(away)
    if len(sel):
        far = rng.random(len(sel)) < 0.4
        w_a = geo.pick_wards(rng, prov_wards, len(sel))
        if far.any():
            w_a[far] = geo.pick_in_provinces(rng, sample_cdf(rng, cdf_sampler(ctx["far_w"]), int(far.sum())))
        cw[sel] = w_a
        ck[sel], ca[sel], chs[sel] = geo.random_group_address(rng, w_a)
        cnw[sel] = geo.new_ward(rng, w_a)

    P.role[sl], P.male[sl], P.by[sl], P.dob[sl] = role, male, by, dob
    P.sur[sl], P.mid1[sl], P.mid2[sl], P.given[sl] = sur, mid1, mid2, given
    P.father_off[sl], P.mother_off[sl], P.spouse_off[sl], P.relative_off[sl] = father, mother, spouse, relative
    P.birth_ward[sl], P.home_ward[sl] = bw, home
    P.sdd[sl] = sdd
    P.cmnd[sl] = np.select([has12, has9], [sdd, cmnd9], -1)
    P.cmnd_len[sl] = np.select([has12, has9], [12, 9], 0)
    P.cur_w[sl], P.cur_k[sl], P.cur_alley[sl], P.cur_house[sl], P.cur_nw[sl] = cw, ck, ca, chs, cnw


def _unique_numbers(rng, block: np.ndarray, space: int, mask: np.ndarray | None = None) -> np.ndarray:
    """``block + random tail < space`` for every (masked) element, all distinct: one sort, then
    only the clashing numbers are drawn again (checked with binary search)."""
    out = block.copy()
    ix = np.flatnonzero(mask) if mask is not None else np.arange(len(block))
    base = block[ix]
    v = base + rng.integers(0, space, len(ix))
    order = np.argsort(v)
    sv = v[order]
    redo = order[np.flatnonzero(sv[1:] == sv[:-1]) + 1]   # later copies of a repeated number
    taken = np.empty(0, dtype=np.int64)
    for _ in range(100):
        if not len(redo):
            break
        cand = base[redo] + rng.integers(0, space, len(redo))
        pos = np.minimum(np.searchsorted(sv, cand), len(sv) - 1)
        ok = (sv[pos] != cand) & ~np.isin(cand, taken)
        _, first = np.unique(cand, return_index=True)
        once = np.zeros(len(cand), dtype=bool)
        once[first] = True
        ok &= once
        v[redo[ok]] = cand[ok]
        taken = np.concatenate([taken, cand[ok]])
        redo = redo[~ok]
    else:
        raise RuntimeError("could not make numbers unique (too many people per number block)")
    out[ix] = v
    return out


# ============================================================================================
# the register extract (dan_cu.csv)
# ============================================================================================

GENDERS = Vocab.of(["Nam", "Nữ"])
MARITAL = Vocab.of(["Chưa kết hôn", "Đã kết hôn", "Ly hôn", "Góa"])
NATIONALITY = Vocab.of(["Việt Nam"])


def _date_vocab() -> Vocab:
    days = np.arange(DAY0, DAY_END, dtype="datetime64[D]")
    y, m, d = _ymd((days - DAY0).astype(np.int64))
    normal = [f"{a:02d}/{b:02d}/{c}" for a, b, c in zip(d.tolist(), m.tolist(), y.tolist())]
    swapped = [f"{b:02d}/{a:02d}/{c}" for a, b, c in zip(d.tolist(), m.tolist(), y.tolist())]
    return Vocab([normal, swapped])


def _csv_writer(path: Path, columns, schema: pa.Schema) -> pacsv.CSVWriter:
    with open(path, "wb") as f:
        f.write((",".join(columns) + "\n").encode())
    sink = pa.OSFile(str(path), "ab")
    return pacsv.CSVWriter(sink, schema, write_options=pacsv.WriteOptions(include_header=False))


def write_register(path: Path, geo: Geography, names: NameModel, P: Population, dates: Vocab,
                   seed: int) -> int:
    """Write the register in random order, in chunks; returns the number of rows."""
    rng = np.random.default_rng(_seed("register-order", seed))
    order = rng.permutation(P.n_register).astype(np.int32)
    schema = pa.schema([(c, pa.string()) for c in CITIZEN_COLUMNS])
    writer = _csv_writer(path, CITIZEN_COLUMNS, schema)
    eth = Vocab.of(P.ethnic_labels)
    rel = Vocab.of(list(N.RELIGIONS))
    W = names
    for c0 in range(0, P.n_register, CHUNK_ROWS):
        ix = order[c0: c0 + CHUNK_ROWS].astype(np.int64)
        crng = np.random.default_rng(_seed("register", seed, c0))
        m = len(ix)
        hh = P.hh[ix]
        by = P.by[ix].astype(np.int64)
        age = REF_YEAR - by
        role = P.role[ix]

        def name_of(j):  # names of people at indices j (-1 → null)
            valid = j >= 0
            jv = j[valid]
            names_v = W.render(P.sur[jv], P.mid1[jv], P.mid2[jv], P.given[jv])
            if len(jv) == len(j):
                return names_v
            pos = np.cumsum(valid) - 1
            return names_v.take(pa.array(np.where(valid, pos, 0), mask=~valid))

        # parents not in the household: a name for most (the father shares the surname)
        style = P.h_style[hh]
        f_mid1, f_mid2, f_given = W.personal(crng, style, np.ones(m, bool), by - 28)
        m_mid1, m_mid2, m_given = W.personal(crng, style, np.zeros(m, bool), by - 25)
        m_sur = W.surnames(crng, style, geo.w_region[P.h_ward[hh]])
        known = crng.random(m) < np.where(by < 1950, 0.45, 0.9)
        f_syn = W.render(P.sur[ix], f_mid1, f_mid2, f_given)
        m_syn = W.render(m_sur, m_mid1, m_mid2, m_given)
        father, mother = P.member(P.father_off, ix), P.member(P.mother_off, ix)
        spouse = P.member(P.spouse_off, ix)
        cha = where(father >= 0, name_of(father), null_where(~known, f_syn))
        me = where(mother >= 0, name_of(mother), null_where(~known, m_syn))

        marital = np.select(
            [role == SPOUSE, (role == HEAD) & P.h_couple[hh], (role == ELDER) & (spouse >= 0),
             role == ELDER, age < 16],
            [1, 1, 1, 3, -1],
            np.where(age < 30, 0, sample_cdf(crng, cdf_sampler([0.45, 0.0, 0.35, 0.20]), m)))
        marital = np.where(crng.random(m) < 0.05, -1, marital)
        year_only = crng.random(m) < 0.004
        ngay_sinh = where(year_only, pc.cast(pa.array(by), pa.string()), dates.take(P.dob[ix]))
        reg_new = P.h_reg_new[hh]
        thuong_tru = geo.render_address(P.h_ward[hh], P.h_k[hh], P.h_alley[hh], P.h_house[hh],
                                        P.h_nw[hh], new_names=reg_new)
        cw = P.cur_w[ix]
        moved = cw >= 0
        cur = geo.render_address(np.where(moved, cw, 0), np.where(moved, P.cur_k[ix], -1),
                                 P.cur_alley[ix], P.cur_house[ix], np.where(moved, P.cur_nw[ix], 0),
                                 new_names=reg_new)
        noi_o = null_where(~moved & (crng.random(m) < 0.08), where(moved, cur, thuong_tru))
        head_ix = P.h_start[hh]
        rep = np.where(age < 14, np.where(father >= 0, father, mother), -1)
        qq_form = (crng.random(m) < 0.1).astype(np.int64)
        book = P.h_book[hh]
        cmnd = P.cmnd[ix]
        so_cmnd = where(P.cmnd_len[ix] == 12, digits(cmnd, 12), digits(cmnd, 9, mask=cmnd < 0))
        table = pa.table({
            "so_dinh_danh": digits(P.sdd[ix], 12),
            "so_cmnd": so_cmnd,
            "ho_ten": name_of(ix),
            "gioi_tinh": GENDERS.take(np.where(P.male[ix], 0, 1)),
            "dan_toc": eth.take(P.h_ethnic[hh]),
            "ton_giao": null_where(crng.random(m) < 0.03, rel.take(P.h_religion[hh])),
            "tinh_trang_hon_nhan": MARITAL.take(marital),
            "ngay_sinh": ngay_sinh,
            "noi_dang_ky_khai_sinh": geo.birthplace.take(
                np.where((by < 1960) & (crng.random(m) < 0.15), -1, P.birth_ward[ix])),
            "quoc_tich": NATIONALITY.take(np.zeros(m, dtype=np.int64)),
            "que_quan": geo.birthplace.take(P.home_ward[ix], qq_form),
            "thuong_tru": thuong_tru,
            "noi_o_hien_tai": noi_o,
            "cha": cha,
            "me": me,
            "vo_chong": name_of(spouse),
            "nguoi_dai_dien": name_of(rep),
            "chu_ho": name_of(head_ix),
            "so_so_ho_khau": digits(np.maximum(book, 0), 9, mask=book < 0),
        }, schema=schema)
        writer.write_table(table)
    writer.close()
    return P.n_register


# ============================================================================================
# land owners (chu_su_dung.csv, truth.csv)
# ============================================================================================

SERIES = Vocab.of(["AA", "AB", "AC", "AD", "AĐ", "AE", "AG", "AH", "AK", "AL", "BA", "BB", "BC", "BD",
                   "BĐ", "BE", "BG", "BH", "BK", "BL", "BM", "BN", "BO", "BP", "BS", "BT", "BU", "BV",
                   "BX", "BY", "CA", "CB", "CC", "CD", "CĐ", "CE", "CG", "CH", "CK", "CL", "CM",
                   "CN", "CO", "CP", "CQ", "CR", "CS", "CT", "CU", "CV", "CX", "CY", "DA", "DB",
                   "DC", "DD", "DĐ", "DE", "DG", "DH", "DK", "DL", "DM", "DN", "DO", "DP", "DQ"])
PREFIXES = Vocab([["Ông", "Bà", "Hộ ông", "Hộ bà", "Hộ gia đình ông"],
                  ["ông", "bà", "hộ ông", "hộ bà", "hộ gia đình ông"],
                  ["ÔNG", "BÀ", "HỘ ÔNG", "HỘ BÀ", "HỘ GIA ĐÌNH ÔNG"]])
ID_TYPES = Vocab.of(["CCCD", "CMND", "HC", "GPKD", "KHAC"])
GARBAGE_IDS = Vocab.of(["0", "000000000", "123456789", "111111111", "x", "chưa có", "không có",
                        "999999999", "00", "-"])
SEPARATORS = [", ", " - ", ","]


@dataclass
class Owners:
    """Owner rows (sorted as written) with everything needed to render them."""
    person: np.ndarray      # population index
    op: np.ndarray          # owner-person id (for shared spellings)
    ghost: np.ndarray
    parcel: np.ndarray
    p_ward: np.ndarray      # parcel's old commune
    p_nw: np.ndarray
    p_kind: np.ndarray      # 0 home, 1 other residential, 2 field
    p_k: np.ndarray
    p_alley: np.ndarray
    p_house: np.ndarray
    p_field: np.ndarray
    p_new: np.ndarray       # tinh/huyen/xa written with post-2025 names
    to_so: np.ndarray
    so_thua: np.ndarray
    seri: np.ndarray        # -1 none
    seri_series: np.ndarray
    area: np.ndarray


def plan_owners(geo: Geography, P: Population, province: int, n_rows: int, rates: dict,
                seed: int) -> Owners:
    """Choose owner units (a person or a married couple) and their 1–4 parcels."""
    rng = np.random.default_rng(_seed("owners", seed))
    U = int(n_rows / 2.0) + 64
    while True:
        is_couple = rng.random(U) < rates["couple_units"]
        k = 1 + sample_cdf(rng, cdf_sampler([0.55, 0.25, 0.13, 0.07]), U)
        rows = k * (1 + is_couple)
        if rows.sum() >= n_rows:
            break
        U = int(U * 1.3) + 64
    cum = np.cumsum(rows)
    U = int(np.searchsorted(cum, n_rows) + 1)
    is_couple, k, rows = is_couple[:U], k[:U], rows[:U]
    # absent owners: whole units, drawn until they hold the wanted share of rows
    ghost = np.zeros(U, dtype=bool)
    order = rng.permutation(U)
    n_ghost_units = int(np.searchsorted(np.cumsum(rows[order]), rates["absent"] * n_rows))
    ghost[order[:n_ghost_units]] = True

    # -- pick the people --------------------------------------------------------------------
    n_all = len(P.hh)
    is_reg = np.arange(n_all) < P.n_register
    adult = P.by <= ADULT_MAX_BY
    h_start, h_size = P.h_start, P.h_size
    couple_h = P.h_couple & (h_size >= 2)
    a = h_start[couple_h]
    couple_h = np.flatnonzero(couple_h)[adult[a] & adult[a + 1]]
    unit_p0 = np.full(U, -1, dtype=np.int64)
    unit_p1 = np.full(U, -1, dtype=np.int64)
    used = np.zeros(n_all, dtype=bool)
    for g in (False, True):
        h_pool = couple_h[P.ghost_h[couple_h] == g]
        cu = np.flatnonzero(is_couple & (ghost == g))
        if len(cu) > len(h_pool):
            raise SystemExit(f"not enough married couples in the {'ghost' if g else 'register'} "
                             f"population ({len(h_pool)}) for {len(cu)} couple owners; raise --citizens")
        chosen = rng.choice(h_pool, size=len(cu), replace=False)
        s = h_start[chosen]
        husband_first = P.male[s]
        unit_p0[cu] = np.where(husband_first, s, s + 1)
        unit_p1[cu] = np.where(husband_first, s + 1, s)
        used[s] = used[s + 1] = True
        iu = np.flatnonzero(~is_couple & (ghost == g))
        pool = np.flatnonzero(adult & ~used & (is_reg != g))
        if len(iu) > len(pool):
            raise SystemExit(f"not enough adults for {len(iu)} single owners; raise --citizens")
        # older people own more land: weighted sampling without replacement (exponential race)
        wgt = np.clip(REF_YEAR - P.by[pool].astype(np.float64) - 20, 2, 50)
        race = rng.exponential(size=len(pool)) / wgt
        pick = pool[np.argpartition(race, len(iu) - 1)[: len(iu)]] if len(iu) else pool[:0]
        unit_p0[iu] = rng.permutation(pick)
        used[pick] = True

    # -- rows and parcels ----------------------------------------------------------------------
    members = 1 + is_couple.astype(np.int64)
    u_start = np.cumsum(rows) - rows
    row_unit = np.repeat(np.arange(U), rows)[:n_rows]
    within = np.arange(n_rows) - u_start[row_unit]
    mem = within % members[row_unit]
    parcel_in_unit = within // members[row_unit]
    p_start = np.cumsum(k) - k
    parcel = p_start[row_unit] + parcel_in_unit
    person = np.where(mem == 0, unit_p0[row_unit], unit_p1[row_unit])
    op = row_unit * 2 + mem

    n_parcels = int(p_start[-1] + k[-1])
    par_unit = np.repeat(np.arange(U), k)
    par_rank = np.arange(n_parcels) - p_start[par_unit]
    owner0 = unit_p0[par_unit]
    home_w = P.h_ward[P.hh[owner0]]
    home_in = geo.w_prov[home_w] == province
    prov_wards = geo.province_wards(province)
    u = rng.random(n_parcels)
    p_kind = np.where((par_rank == 0) & home_in & (u < 0.75), 0,
                      np.where(rng.random(n_parcels) < 0.35, 1, 2)).astype(np.int8)
    # other parcels: same commune, same district, or anywhere in the province
    same_dist = np.zeros(n_parcels, dtype=np.int32)
    dist_of = geo.w_dist[prov_wards]
    order = np.argsort(dist_of, kind="stable")
    pw_sorted, d_sorted = prov_wards[order], dist_of[order]
    d_first = np.searchsorted(d_sorted, geo.w_dist[home_w], side="left")
    d_count = np.searchsorted(d_sorted, geo.w_dist[home_w], side="right") - d_first
    ok = d_count > 0
    same_dist[ok] = pw_sorted[d_first[ok] + (rng.random(int(ok.sum())) * d_count[ok]).astype(np.int64)]
    anywhere = geo.pick_wards(rng, prov_wards, n_parcels)
    v = rng.random(n_parcels)
    p_ward = np.select([p_kind == 0, home_in & (v < 0.45), home_in & (v < 0.75)],
                       [home_w, home_w, same_dist], anywhere).astype(np.int32)
    rk, ra, rh = geo.random_group_address(rng, p_ward)
    fk, _, _ = geo.random_group_address(rng, p_ward, hamlet_only=True)
    hk = P.h_k[P.hh[owner0]].astype(np.int64)
    p_k = np.select([p_kind == 0, p_kind == 1], [hk, rk], fk)
    p_alley = np.select([p_kind == 0, p_kind == 1], [P.h_alley[P.hh[owner0]], ra], 0)
    p_house = np.select([p_kind == 0, p_kind == 1], [P.h_house[P.hh[owner0]], rh], 0)
    p_field = np.where(p_kind == 2, rng.integers(0, geo.N_FIELD, n_parcels), -1)
    p_new = rng.random(n_parcels) < 0.10
    p_nw = np.where(p_kind == 0, P.h_nw[P.hh[owner0]], geo.new_ward(rng, p_ward))
    # unique (commune, sheet, parcel number)
    rank = ranks_within(p_ward.astype(np.int64), rng)
    slot = rank * 3 + rng.integers(0, 3, n_parcels)
    per_sheet = 120 + geo.w_hash[p_ward] % 400
    to_so = slot // per_sheet + 1
    so_thua = slot % per_sheet + 1
    seri = np.where(rng.random(n_parcels) < 0.85, rng.integers(0, 10**6, n_parcels), -1)
    seri_series = rng.integers(0, SERIES.n, n_parcels)
    area = np.where(p_kind == 2, rng.lognormal(np.log(700), 0.7, n_parcels),
                    rng.lognormal(np.log(160), 0.5, n_parcels))
    area = np.clip(area, 25, 30000)
    area = np.where(rng.random(n_parcels) < 0.4, np.round(area), np.round(area, 1))

    # rows sorted as a land database lists them: commune, sheet, parcel, husband before wife
    row_order = np.lexsort((mem, so_thua[parcel], to_so[parcel], p_ward[parcel]))
    person, op, parcel = person[row_order], op[row_order], parcel[row_order]
    return Owners(person=person, op=op, ghost=ghost[row_unit][row_order], parcel=parcel,
                  p_ward=p_ward, p_nw=p_nw, p_kind=p_kind, p_k=p_k, p_alley=p_alley,
                  p_house=p_house, p_field=p_field, p_new=p_new, to_so=to_so, so_thua=so_thua,
                  seri=seri, seri_series=seri_series, area=area)


class Draws:
    """Uniform draws for owner rows: an owner flagged consistent gets the same draw on each of
    his/her rows (same spellings everywhere), the others one draw per row."""

    def __init__(self, rng, op: np.ndarray, consistent_share: float):
        self.rng = rng
        self.op = op
        n_op = int(op.max()) + 1 if len(op) else 1
        self.n_op = n_op
        self.consistent = (rng.random(n_op) < consistent_share)[op]

    def u(self) -> np.ndarray:
        per_person = self.rng.random(self.n_op, dtype=np.float32)[self.op]
        per_row = self.rng.random(len(self.op), dtype=np.float32)
        return np.where(self.consistent, per_person, per_row)


def owner_noise(geo: Geography, names: NameModel, P: Population, own: Owners, province: int,
                rates: dict, seed: int, tag_year_only: bool) -> dict[str, np.ndarray]:
    """Decide, per owner row, every recorded value's form and the noise kinds (bit mask)."""
    rng = np.random.default_rng(_seed("noise", seed))
    D = Draws(rng, own.op, rates["consistent_person"])
    p = own.person
    n = len(p)
    tags = np.where(own.ghost, BIT["absent"], 0).astype(np.int64)

    def tag(mask, kind):
        nonlocal tags
        tags |= np.where(mask, BIT[kind], 0)

    male = P.male[p]
    # -- name -----------------------------------------------------------------------------------
    sur, mid1, mid2, given = (P.sur[p].astype(np.int64), P.mid1[p].astype(np.int64),
                              P.mid2[p].astype(np.int64), P.given[p].astype(np.int64))
    f_sur, f_mid1, f_mid2, f_given = (np.zeros(n, np.int64) for _ in range(4))
    drop_mid = (D.u() < rates["middle_dropped"]) & (mid1 >= 0)
    mid1 = np.where(drop_mid, -1, mid1)
    mid2 = np.where(drop_mid, -1, mid2)
    tag(drop_mid, "middle_dropped")
    typo = D.u() < rates["name_typo"]
    part = D.u()
    which = np.where(part < 0.55, 3, np.where((part < 0.8) | (mid1 < 0), 0, 1))
    tform = 2 + (D.u() * NameModel.N_TYPO).astype(np.int64)
    variant = (D.u() < rates["given_variant"]) & names.has_variant[given] & ~(typo & (which == 3))
    f_given = np.where(variant, 1, f_given)
    tag(variant, "given_variant")
    f_given = np.where(typo & (which == 3), tform, f_given)
    f_sur = np.where(typo & (which == 0), tform, f_sur)
    f_mid1 = np.where(typo & (which == 1), tform, f_mid1)
    tag(typo, "name_typo")
    has_dia = names.has_diacritics[sur] | names.has_diacritics[given] | \
        (mid1 >= 0) & names.has_diacritics[np.maximum(mid1, 0)]
    fold_name = (D.u() < rates["name_no_diacritics"]) & has_dia
    tag(fold_name, "name_no_diacritics")
    cs = D.u() < rates["name_case_space"]
    cs_kind = D.u()
    upper = cs & (cs_kind < 0.55)
    lower = cs & (cs_kind >= 0.55) & (cs_kind < 0.65)
    spaces = cs & (cs_kind >= 0.65)
    tag(cs, "name_case_space")
    prefix = D.u() < rates["name_prefix"]
    pk = D.u()
    prefix_ix = np.where(male, np.where(pk < 0.65, 0, np.where(pk < 0.93, 2, 4)),
                         np.where(pk < 0.7, 1, 3))
    tag(prefix, "name_prefix")

    # -- birth ---------------------------------------------------------------------------------
    fmt_u = D.u()
    missing = fmt_u < rates["dob_missing"]
    full = ~missing & (fmt_u < rates["dob_missing"] + rates["dob_full"])
    tag(missing, "dob_missing")
    if tag_year_only:
        tag(~missing & ~full, "dob_year_only")
    y, mo, d = _ymd(P.dob[p])
    off = (D.u() < rates["dob_year_off"]) & ~missing
    shift = np.where(D.u() < 0.5, -1, 1)
    y2 = np.where(off, y + shift, y)
    d2 = np.where(off & (mo == 2) & (d == 29), 28, d)
    dob2 = _days_of(y2, mo, d2)
    tag(off, "dob_year_off")
    swap = full & (d <= 12) & (d != mo) & (D.u() < rates["dob_day_month_swap"])
    tag(swap, "dob_day_month_swap")

    # -- identity number -----------------------------------------------------------------------
    unusable = D.u() < rates["no_usable_id"]
    sub = D.u()
    id_kind = np.select([sub < 0.55, sub < 0.67, sub < 0.75], [3, 4, 5], 6)  # missing, passport, GPKD, garbage
    rel_u = D.u()
    relative = P.member(P.relative_off, p)
    use_rel = ~unusable & (rel_u < rates["id_relative"]) & (relative >= 0)
    has_cmnd = P.cmnd_len[p] > 0
    old_cmnd = ~unusable & ~use_rel & has_cmnd & (D.u() < rates["id_old_cmnd"])
    id_kind = np.select([unusable, use_rel, old_cmnd], [id_kind, 2, 1], 0)
    rel_ix = np.maximum(relative, 0)
    rel_cmnd = (P.cmnd_len[rel_ix] > 0) & (D.u() < rates["id_old_cmnd"])
    number = np.select([id_kind == 0, id_kind == 1, (id_kind == 2) & rel_cmnd, id_kind == 2],
                       [P.sdd[p], P.cmnd[p], P.cmnd[rel_ix], P.sdd[rel_ix]], -1)
    length = np.select([id_kind == 0, id_kind == 1, (id_kind == 2) & rel_cmnd, id_kind == 2],
                       [12, P.cmnd_len[p], P.cmnd_len[rel_ix], 12], 0).astype(np.int64)
    numbered = id_kind <= 2
    tag(id_kind == 1, "id_old_cmnd")
    tag(id_kind == 2, "id_relative")
    tag(id_kind == 3, "id_missing")
    tag(id_kind == 4, "id_passport")
    tag(id_kind == 5, "id_business")
    tag(id_kind == 6, "id_garbage")
    typo_id = numbered & (D.u() < rates["id_typo"])
    pos = (D.u() * np.maximum(length - 1, 1)).astype(np.int64)      # never the first digit
    pw = 10 ** pos
    digit = (number // pw) % 10
    new_digit = (digit + 1 + (D.u() * 9).astype(np.int64)) % 10
    number = np.where(typo_id, number + (new_digit - digit) * pw, number)
    tag(typo_id, "id_typo")
    leading_zero = numbered & (number < 10 ** np.maximum(length - 1, 0))
    lost_zero = leading_zero & (D.u() < rates["id_lost_zero"])
    tag(lost_zero, "id_lost_zero")
    formatted = numbered & ~lost_zero & (D.u() < rates["id_formatted"])
    tag(formatted, "id_formatted")
    fmt_sep = np.where(D.u() < 0.6, 0, 1)  # space or dot
    type_u = D.u()
    # loai_giay_to: usually right, sometimes empty, rarely the other card type
    loai = np.select([id_kind == 0, id_kind == 1, id_kind == 2, id_kind == 4, id_kind == 5, id_kind == 6],
                     [0, 1, np.where(length == 9, 1, 0), 2, 3, np.where(type_u < 0.5, 4, -1)], -1)
    loai = np.where(numbered & (type_u < 0.12), -1, loai)
    loai = np.where(numbered & (type_u > 0.97), np.where(loai == 0, 1, 0), loai)
    repeat_no = D.u() < 0.65
    extra_no = rng.integers(0, 10**7, D.n_op)[own.op]   # a person's passport / licence / junk number

    # -- owner's address ------------------------------------------------------------------------
    hh = P.hh[p]
    base_w = P.h_ward[hh].astype(np.int64)
    base_k, base_alley, base_house = P.h_k[hh].astype(np.int64), P.h_alley[hh], P.h_house[hh]
    base_nw = P.h_nw[hh].astype(np.int64)
    cur = (P.cur_w[p] >= 0) & (D.u() < rates["addr_current"])
    prev = ~cur & (D.u() < rates["addr_previous"])
    tag(cur, "addr_current")
    tag(prev, "addr_previous")
    cw = P.cur_w[p].astype(np.int64)
    base_w = np.where(cur, cw, base_w)
    base_k = np.where(cur, P.cur_k[p], base_k)
    base_alley = np.where(cur, P.cur_alley[p], base_alley)
    base_house = np.where(cur, P.cur_house[p], base_house)
    base_nw = np.where(cur, P.cur_nw[p], base_nw)
    # a former residence: same district half of the time, else elsewhere in the province
    op_rng = np.random.default_rng(_seed("previous", seed))
    n_op = D.n_op
    prov_wards = geo.province_wards(province)
    prev_w_op = geo.pick_wards(op_rng, prov_wards, n_op)
    prev_k_op, prev_a_op, prev_h_op = geo.random_group_address(op_rng, prev_w_op)
    prev_nw_op = geo.new_ward(op_rng, prev_w_op)
    base_w = np.where(prev, prev_w_op[own.op], base_w)
    base_k = np.where(prev, prev_k_op[own.op], base_k)
    base_alley = np.where(prev, prev_a_op[own.op], base_alley)
    base_house = np.where(prev, prev_h_op[own.op], base_house)
    base_nw = np.where(prev, prev_nw_op[own.op], base_nw)
    new_names = D.u() < rates["addr_new_names"]
    form_u = D.u()
    a_form = np.where(form_u < rates["addr_abbrev"], 2,
                      np.where(form_u < rates["addr_abbrev"] + rates["addr_short"], 1, 0))
    a_fold = D.u() < rates["addr_no_diacritics"]
    partial = D.u() < rates["addr_partial"]
    part_u = D.u()
    drop_house = partial & (part_u < 0.5)
    drop_province = partial & (part_u >= 0.5) & (part_u < 0.8)
    drop_district = partial & (part_u >= 0.8) & ~new_names
    partial = drop_house & (base_house > 0) | drop_province | drop_district
    a_missing = D.u() < rates["addr_missing"]
    tag(~a_missing & ~new_names, "addr_old_names")
    tag(~a_missing & (a_form == 2), "addr_abbrev")
    tag(~a_missing & a_fold, "addr_no_diacritics")
    tag(~a_missing & partial, "addr_partial")
    tag(a_missing, "addr_missing")
    sep_u = D.u()
    a_sep = np.where(sep_u < 0.7, 0, np.where(sep_u < 0.9, 1, 2))
    lit_lower = D.u() < 0.35
    flip = (geo.w_region[base_w] >= 2) & (D.u() < 0.5)   # "Số 45/12" vs "Số 12, hẻm 45"
    slash = geo.w_slash[base_w] ^ flip

    return dict(tags=tags, sur=sur, mid1=mid1, mid2=mid2, given=given, f_sur=f_sur, f_mid1=f_mid1,
                f_mid2=f_mid2, f_given=f_given, fold_name=fold_name, upper=upper, lower=lower,
                spaces=spaces, space_kind=(D.u() * 3).astype(np.int8), prefix=prefix,
                prefix_ix=prefix_ix, missing=missing, full=full, year=y2, dob2=dob2, swap=swap,
                id_kind=id_kind, number=number, length=length, lost_zero=lost_zero,
                formatted=formatted, fmt_sep=fmt_sep, loai=loai, repeat_no=repeat_no,
                extra_no=extra_no, base_w=base_w, base_k=base_k, base_alley=base_alley,
                base_house=base_house, base_nw=base_nw, new_names=new_names, a_form=a_form,
                a_fold=a_fold, drop_house=drop_house, drop_province=drop_province,
                drop_district=drop_district, a_missing=a_missing, a_sep=a_sep,
                lit_lower=lit_lower, slash=slash)


def _render_name(names: NameModel, z: dict, s: slice) -> pa.Array:
    fold = z["fold_name"][s]
    spaces = z["spaces"][s]
    sk = z["space_kind"][s]
    sep = (np.where(spaces & (sk == 0), 1, 0), [" ", "  "])
    name = names.render(z["sur"][s], z["mid1"][s], z["mid2"][s], z["given"][s],
                        forms=(z["f_sur"][s], z["f_mid1"][s], z["f_mid2"][s], z["f_given"][s]),
                        fold=fold, sep=sep)
    name = where(spaces & (sk == 1), pc.binary_join_element_wise(name, " ", ""), name)
    name = where(spaces & (sk == 2), pc.binary_join_element_wise(" ", name, ""), name)
    up, low = z["upper"][s], z["lower"][s]
    name = where(up, pc.utf8_upper(name), name)
    name = where(low, pc.utf8_lower(name), name)
    pref = z["prefix"][s]
    pform = np.where(up, 2, np.where(low, 1, 0))
    ptxt = PREFIXES.take(np.where(pref, z["prefix_ix"][s], -1), pform, fold)
    return join([ptxt, name], " ")


def _render_id(z: dict, s: slice, province_code: int):
    kind, number, length = z["id_kind"][s], z["number"][s], z["length"][s]
    m = len(kind)
    numbered = kind <= 2
    nz = np.where(numbered, number, 0)
    plain = pc.cast(pa.array(nz), pa.string())
    s12 = pc.utf8_lpad(plain, width=12, padding="0")
    s9 = pc.utf8_lpad(plain, width=9, padding="0")
    padded = where(length == 12, s12, s9)
    grp_sep = (z["fmt_sep"][s], [" ", "."])
    g12 = join([pc.utf8_slice_codeunits(s12, i, i + 3) for i in (0, 3, 6, 9)], grp_sep)
    g9 = join([pc.utf8_slice_codeunits(s9, i, i + 3) for i in (0, 3, 6)], grp_sep)
    grouped = where(length == 12, g12, g9)
    idtxt = where(z["lost_zero"][s], plain, where(z["formatted"][s], grouped, padded))
    extra = z["extra_no"][s]
    passport = join([where(extra % 3 == 0, "B", "C"), digits(extra, 7)], "")
    business = join([f"{province_code:02d}A8", digits(extra % 10**6, 6)], "")
    garbage = where(extra % 2 == 0, GARBAGE_IDS.take(extra % GARBAGE_IDS.n),
                    pc.cast(pa.array(extra % 10 ** (4 + extra % 5)), pa.string()))
    cccd = pc.choose(pa.array(np.clip(kind, 0, 6).astype(np.int8)),
                     idtxt, idtxt, idtxt, pa.nulls(m, pa.string()), pa.nulls(m, pa.string()),
                     pa.nulls(m, pa.string()), garbage)
    rep = z["repeat_no"][s]
    so = pc.choose(pa.array(np.clip(kind, 0, 6).astype(np.int8)),
                   null_where(~rep, idtxt), null_where(~rep, idtxt), null_where(~rep, idtxt),
                   pa.nulls(m, pa.string()), passport, business, null_where(~rep, garbage))
    return cccd, ID_TYPES.take(z["loai"][s]), so


def write_owners(out_dir: Path, geo: Geography, names: NameModel, P: Population, own: Owners,
                 z: dict, dates: Vocab, province: int) -> dict:
    """Write chu_su_dung.csv and truth.csv in chunks."""
    n = len(own.person)
    o_schema = pa.schema([("ma_dong", pa.int64()), ("tinh", pa.string()), ("huyen", pa.string()),
                          ("xa", pa.string()), ("to_so", pa.int64()), ("so_thua", pa.int64()),
                          ("so_seri_gcn", pa.string()), ("dia_chi_thua", pa.string()),
                          ("dien_tich", pa.float64()), ("ho_ten", pa.string()), ("nam_sinh", pa.string()),
                          ("cccd_cmnd", pa.string()), ("loai_giay_to", pa.string()),
                          ("so_giay_to", pa.string()), ("dia_chi_chu", pa.string())])
    t_schema = pa.schema([("ma_dong", pa.int64()), ("so_dinh_danh", pa.string()), ("nhom", pa.string())])
    ow = _csv_writer(out_dir / "chu_su_dung.csv", OWNER_COLUMNS, o_schema)
    tw = _csv_writer(out_dir / "truth.csv", TRUTH_COLUMNS, t_schema)
    uniq, inv = np.unique(z["tags"], return_inverse=True)
    labels = Vocab.of([";".join(k for k in NOISE_KINDS if t & BIT[k]) or "clean" for t in uniq])
    units = geo.units
    pcode = int(geo.p_code[province])
    # some district offices write names without the type word ("Vũ Thư" for "Huyện Vũ Thư")
    district_style = (geo.w_dist[own.p_ward].astype(np.int64) * 2654435761 >> 7) % 10 < 3
    for c0 in range(0, n, CHUNK_ROWS):
        s = slice(c0, min(n, c0 + CHUNK_ROWS))
        par = own.parcel[s]
        pw = own.p_ward[par].astype(np.int64)
        pnw = own.p_nw[par].astype(np.int64)
        pnew = own.p_new[par]
        uform = np.where(district_style[par], 1, 0)
        tinh = units.take(np.where(pnew, geo.OFF_NP + geo.nw_prov[pnw], geo.OFF_P + geo.w_prov[pw]), uform)
        huyen = units.take(np.where(pnew, -1, geo.OFF_D + geo.w_dist[pw]), uform)
        xa = units.take(np.where(pnew, geo.OFF_NW + pnw, geo.OFF_W + pw), uform)
        seri = own.seri[par]
        so_seri = join([SERIES.take(np.where(seri >= 0, own.seri_series[par], -1)),
                        digits(np.maximum(seri, 0), 6, mask=seri < 0)], " ", emit_null=True)
        kind = own.p_kind[par]
        lead = join([geo.literals.take(np.where(kind == 2, L["Xứ đồng"], -1)),
                     geo.labels.take(np.where(kind == 2, geo.OFF_FIELD + own.p_field[par], -1))],
                    " ", emit_null=True)
        dia_chi_thua = geo.render_address(
            pw, own.p_k[par], own.p_alley[par], own.p_house[par], pnw, new_names=pnew, form=uform,
            drop_province=True, drop_district=(own.to_so[par] + own.so_thua[par]) % 3 == 0, lead=lead)
        # birth
        year = z["year"][s]
        nam_sinh = where(z["full"][s], dates.take(z["dob2"][s], z["swap"][s].astype(np.int64)),
                         pc.cast(pa.array(year), pa.string()))
        nam_sinh = null_where(z["missing"][s], nam_sinh)
        cccd, loai, so_gt = _render_id(z, s, pcode)
        addr = geo.render_address(
            z["base_w"][s], z["base_k"][s], z["base_alley"][s], z["base_house"][s], z["base_nw"][s],
            new_names=z["new_names"][s], form=z["a_form"][s], lit_form=z["lit_lower"][s].astype(np.int64),
            sep=(z["a_sep"][s], SEPARATORS), fold=z["a_fold"][s], drop_house=z["drop_house"][s],
            drop_district=z["drop_district"][s], drop_province=z["drop_province"][s],
            slash=z["slash"][s])
        addr = null_where(z["a_missing"][s], addr)
        ma_dong = pa.array(np.arange(s.start + 1, s.stop + 1, dtype=np.int64))
        ow.write_table(pa.table({
            "ma_dong": ma_dong, "tinh": tinh, "huyen": huyen, "xa": xa,
            "to_so": pa.array(own.to_so[par].astype(np.int64)),
            "so_thua": pa.array(own.so_thua[par].astype(np.int64)),
            "so_seri_gcn": so_seri, "dia_chi_thua": dia_chi_thua,
            "dien_tich": pa.array(own.area[par]), "ho_ten": _render_name(names, z, s),
            "nam_sinh": nam_sinh, "cccd_cmnd": cccd, "loai_giay_to": loai, "so_giay_to": so_gt,
            "dia_chi_chu": addr}, schema=o_schema))
        person = own.person[s]
        ghost = own.ghost[s]
        tw.write_table(pa.table({
            "ma_dong": ma_dong,
            "so_dinh_danh": digits(P.sdd[person], 12, mask=ghost),
            "nhom": labels.take(inv[s])}, schema=t_schema))
    ow.close()
    tw.close()
    counts = {k: int(((z["tags"] & BIT[k]) != 0).sum()) for k in NOISE_KINDS}
    counts["clean"] = int((z["tags"] == 0).sum())
    return counts


# ============================================================================================
# verification of written files
# ============================================================================================

def _stream(path: Path, columns=None):
    """Record batches of a CSV file, every column read as text."""
    names = path.open(encoding="utf-8").readline().rstrip("\n").split(",")
    opts = pacsv.ConvertOptions(column_types={c: pa.string() for c in names},
                                include_columns=columns, strings_can_be_null=True)
    return pacsv.open_csv(path, read_options=pacsv.ReadOptions(block_size=64 << 20),
                          convert_options=opts)


def verify(out_dir: Path, log=print) -> dict:
    """Check a generated folder: exact headers, unique row ids and citizen numbers, complete
    truth, NFC text, distinct permanent addresses, and how often the recorded number is the
    owner's own. Streams the files (bounded memory)."""
    out_dir = Path(out_dir)
    res: dict = {}
    problems: list[str] = []
    for fname, cols in (("chu_su_dung.csv", OWNER_COLUMNS), ("dan_cu.csv", CITIZEN_COLUMNS),
                        ("truth.csv", TRUTH_COLUMNS)):
        header = (out_dir / fname).open(encoding="utf-8").readline().rstrip("\n")
        if header != ",".join(cols):
            problems.append(f"{fname}: header {header!r}")
    not_nfc = 0

    def nfc_errors(batch: pa.RecordBatch) -> int:
        bad = 0
        for col in batch.columns:
            bad += pc.sum(pc.not_equal(col, pc.utf8_normalize(col, form="NFC"))).as_py() or 0
        return bad

    # register
    sdd_parts, cmnd_parts, addr_parts = [], [], []
    n_reg = cur_differs = 0
    for batch in _stream(out_dir / "dan_cu.csv"):
        not_nfc += nfc_errors(batch)
        n_reg += batch.num_rows
        sdd = batch.column("so_dinh_danh")
        if pc.sum(pc.invert(pc.match_substring_regex(sdd, r"^\d{12}$"))).as_py():
            problems.append("dan_cu.csv: so_dinh_danh not 12 digits")
        sdd_parts.append(pc.cast(sdd, pa.int64()).to_numpy())
        cm = batch.column("so_cmnd")
        cmnd_parts.append(pc.cast(pc.fill_null(cm, "-1"), pa.int64()).to_numpy())
        addr_parts.append(batch.column("thuong_tru"))
        noi_o = batch.column("noi_o_hien_tai")
        cur_differs += pc.sum(pc.and_(pc.is_valid(noi_o), pc.not_equal(noi_o, batch.column("thuong_tru")))).as_py() or 0
    sdd = np.concatenate(sdd_parts)
    cmnd = np.concatenate(cmnd_parts)
    del sdd_parts, cmnd_parts
    n_unique_sdd = len(np.unique(sdd))
    if n_unique_sdd != n_reg:
        problems.append(f"dan_cu.csv: {n_reg - n_unique_sdd} repeated so_dinh_danh")
    has_cmnd = cmnd >= 0
    if len(np.unique(cmnd[has_cmnd])) != int(has_cmnd.sum()):
        problems.append("dan_cu.csv: repeated so_cmnd")
    addresses = pa.chunked_array(addr_parts)
    distinct_addr = pc.count_distinct(addresses).as_py()
    del addresses, addr_parts
    meta_path = out_dir / "meta.json"
    households = json.loads(meta_path.read_text()).get("households") if meta_path.exists() else None
    res.update(register_rows=n_reg, register_unique_ids=n_unique_sdd,
               register_with_old_cmnd=int(has_cmnd.sum()),
               distinct_thuong_tru=distinct_addr,
               distinct_thuong_tru_per_row=round(distinct_addr / n_reg, 4),
               noi_o_hien_tai_differs=round(cur_differs / n_reg, 4))
    if households:
        res["households"] = households
        res["distinct_thuong_tru_per_household"] = round(distinct_addr / households, 4)

    # truth
    t_ids, t_sdd, t_absent = [], [], []
    for batch in _stream(out_dir / "truth.csv"):
        not_nfc += nfc_errors(batch)
        t_ids.append(pc.cast(batch.column("ma_dong"), pa.int64()).to_numpy())
        t_sdd.append(pc.cast(pc.fill_null(batch.column("so_dinh_danh"), "-1"), pa.int64()).to_numpy())
        nhom = batch.column("nhom")
        if pc.sum(pc.is_null(nhom)).as_py():
            problems.append("truth.csv: empty nhom")
        t_absent.append(pc.match_substring(nhom, "absent").to_numpy(zero_copy_only=False))
    t_ids, t_sdd, t_absent = (np.concatenate(x) for x in (t_ids, t_sdd, t_absent))
    if ((t_sdd < 0) != t_absent).any():
        problems.append("truth.csv: empty so_dinh_danh does not match the 'absent' kind")
    order = np.argsort(sdd)
    s_sorted = sdd[order]
    known = t_sdd >= 0
    pos = np.minimum(np.searchsorted(s_sorted, t_sdd), len(s_sorted) - 1)
    found = s_sorted[pos] == t_sdd
    if (known & ~found).any():
        problems.append(f"truth.csv: {int((known & ~found).sum())} so_dinh_danh not in the register")
    true_cmnd = np.where(known & found, cmnd[order][pos], -1)

    # owners
    o_ids, own_id, id_present = [], [], []
    n_own = 0
    offset = 0
    for batch in _stream(out_dir / "chu_su_dung.csv"):
        not_nfc += nfc_errors(batch)
        n_own += batch.num_rows
        o_ids.append(pc.cast(batch.column("ma_dong"), pa.int64()).to_numpy())
        raw = batch.column("cccd_cmnd")
        digits_only = pc.replace_substring_regex(raw, r"[ .]", "")
        ok = pc.match_substring_regex(pc.fill_null(digits_only, ""), r"^\d{8,12}$")
        num = pc.if_else(ok, digits_only, pa.scalar(None, pa.string()))
        num = pc.cast(num, pa.int64()).to_numpy(zero_copy_only=False)
        num = np.where(np.isnan(num), -1, num).astype(np.int64) if num.dtype.kind == "f" else num
        m = len(num)
        ts, tc = t_sdd[offset: offset + m], true_cmnd[offset: offset + m]
        own_id.append((num >= 0) & ((num == ts) | (num == tc)))
        id_present.append(pc.is_valid(raw).to_numpy(zero_copy_only=False))
        offset += m
    o_ids = np.concatenate(o_ids)
    if len(np.unique(o_ids)) != n_own:
        problems.append("chu_su_dung.csv: repeated ma_dong")
    if n_own != len(t_ids) or (o_ids != t_ids).any():
        problems.append("truth.csv: ma_dong differ from chu_su_dung.csv")
    own_id = np.concatenate(own_id)
    id_present = np.concatenate(id_present)
    res.update(owner_rows=n_own, owner_rows_absent=int(t_absent.sum()),
               owner_rows_with_number=round(float(id_present.mean()), 4),
               owner_rows_own_number_digits_equal=round(float(own_id.mean()), 4),
               not_nfc_values=not_nfc)
    if not_nfc:
        problems.append(f"{not_nfc} text values are not NFC")
    res["problems"] = problems
    for k, v in res.items():
        log(f"  {k}: {v}")
    return res


# ============================================================================================
# driver
# ============================================================================================

def generate(out_dir: Path, n_owners: int, n_citizens: int | None = None, seed: int = 20250701,
             province: str = DEFAULT_PROVINCE, rates: dict | None = None,
             tag_year_only: bool = False, log=print) -> dict:
    """Generate the three files into ``out_dir``; returns the metadata written to meta.json."""
    t0 = time.perf_counter()
    r = dict(DEFAULT_RATES)
    r.update(rates or {})
    n_citizens = n_citizens or 5 * n_owners
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    geo = Geography(seed)
    names = NameModel()
    dates = _date_vocab()
    prov = geo.find_province(province)
    log(f"[{time.perf_counter() - t0:6.1f}s] reference data: {geo.n_wards} old communes, "
        f"province {geo.p_full[prov]} ({len(geo.province_wards(prov))} communes)")
    n_ghost = int(0.06 * n_owners * r["absent"] / 0.02) + 2000
    P = build_population(geo, names, prov, n_citizens, n_ghost, r, seed)
    log(f"[{time.perf_counter() - t0:6.1f}s] population: {n_citizens:,} register + "
        f"{len(P.hh) - n_citizens:,} absent, {len(P.h_size):,} households")
    own = plan_owners(geo, P, prov, n_owners, r, seed)
    z = owner_noise(geo, names, P, own, prov, r, seed, tag_year_only)
    log(f"[{time.perf_counter() - t0:6.1f}s] owners planned: {n_owners:,} rows, "
        f"{len(np.unique(own.person)):,} people, {len(np.unique(own.parcel)):,} parcels")
    counts = write_owners(out_dir, geo, names, P, own, z, dates, prov)
    log(f"[{time.perf_counter() - t0:6.1f}s] chu_su_dung.csv, truth.csv written")
    write_register(out_dir / "dan_cu.csv", geo, names, P, dates, seed)
    log(f"[{time.perf_counter() - t0:6.1f}s] dan_cu.csv written")
    meta = {
        "generator": "bench/linkage/vn_other.py",
        "seed": seed,
        "province": geo.p_full[prov],
        "owners": n_owners,
        "owner_people": int(len(np.unique(own.person))),
        "parcels": int(len(np.unique(own.parcel))),
        "citizens": n_citizens,
        "households": int((~P.ghost_h).sum()),
        "rates": r,
        "tag_year_only": tag_year_only,
        "noise_counts": counts,
        "noise_shares": {k: round(v / n_owners, 5) for k, v in counts.items()},
        "formats": {"owners_names": "surname_first", "population_names": "surname_first",
                    "owners_dates": "yyyy or dd/mm/yyyy", "population_dates": "dd/mm/yyyy"},
        "seconds": round(time.perf_counter() - t0, 1),
    }
    (out_dir / "meta.json").write_text(json.dumps(meta, indent=2, ensure_ascii=False) + "\n")
    return meta


def _parse_rates(items: list[str]) -> dict:
    out = {}
    for item in items or []:
        key, _, value = item.partition("=")
        if key not in DEFAULT_RATES:
            raise SystemExit(f"unknown rate {key!r}; known: {', '.join(DEFAULT_RATES)}")
        out[key] = float(value)
    return out


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--owners", type=int, help="owner rows (chu_su_dung.csv)")
    ap.add_argument("--citizens", type=int, default=None, help="register rows (default 5 × owners)")
    ap.add_argument("--out", type=Path, help="output folder")
    ap.add_argument("--seed", type=int, default=20250701)
    ap.add_argument("--province", default=DEFAULT_PROVINCE,
                    help="pre-2025 province the register covers (default %(default)s)")
    ap.add_argument("--rate", action="append", metavar="KEY=VALUE",
                    help="override a noise rate (see DEFAULT_RATES); repeatable")
    ap.add_argument("--tag-year-only", action="store_true",
                    help="also tag rows whose birth is only a year (dob_year_only)")
    ap.add_argument("--check", action="store_true", help="verify the files after writing them")
    ap.add_argument("--verify", type=Path, metavar="DIR", help="only verify an existing folder")
    args = ap.parse_args(argv)
    log = lambda s: print(s, file=sys.stderr, flush=True)  # noqa: E731
    if args.verify:
        return 1 if verify(args.verify, log)["problems"] else 0
    if not args.owners or not args.out:
        ap.error("--owners and --out are required")
    meta = generate(args.out, args.owners, args.citizens, args.seed, args.province,
                    _parse_rates(args.rate), args.tag_year_only, log=log)
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    log(f"done in {meta['seconds']} s, peak RSS {peak:.0f} MiB → {args.out}")
    if args.check:
        log("checks:")
        return 1 if verify(args.out, log)["problems"] else 0
    return 0


if __name__ == "__main__":
    sys.exit(main())
