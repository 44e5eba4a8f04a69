"""Identity documents: the CCCD / personal number, the old CMND, the passport (REFERENCE.md §1).

Value objects are strict: constructing one (directly or with ``parse``) either yields a valid
document or raises :class:`InvalidId` with a Vietnamese ``reason``. ``parse`` cleans the text
first (:func:`clean_id_text`); nothing else is guessed. Guessing — restoring a lost leading
zero, dropping a spreadsheet's ``.0`` — happens only in :func:`classify_id`, which records what
it did in ``fixes`` and guesses only when the guess is unambiguous.

CCCD (12 digits), Decree 137/2015/NĐ-CP art. 13, Circular 07/2016/TT-BCA art. 7:

- digits 1–3: the code of the *old* (63) province where the birth was registered — never the
  current province. Codes of countries (citizens born abroad) are unconfirmed here: add them to
  :data:`EXTRA_BIRTH_PLACE_CODES` when they are known;
- digit 4: century and gender — 1900s 0 male / 1 female, 2000s 2/3, 2100s 4/5, 2200s 6/7,
  2300s 8/9;
- digits 5–6: the last two digits of the birth year;
- digits 7–12: random.

CMND: 9 digits, or 12 digits (issued from 2012; the number was kept as the CCCD). The prefix of a
9-digit CMND is not checked (the issuing codes are not confirmed here). A number made of one
repeated digit (``000000000``) is a placeholder and is rejected.

Passport: one capital letter + 7 digits.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

from datdai.kernel.errors import InvalidInput
from datdai.kernel.model import Gender
from datdai.kernel.provinces import old_provinces
from datdai.kernel.text import fold_key

# Extra 3-digit birth-place codes accepted in a CCCD besides the 63 old province codes (codes
# of countries for citizens whose birth was registered abroad). Unconfirmed here, so empty by
# default; configure by reassigning, e.g. ``ids.EXTRA_BIRTH_PLACE_CODES = frozenset({"xxx"})``.
# It is read at call time.
EXTRA_BIRTH_PLACE_CODES: frozenset[str] = frozenset()

# A lost leading zero is restored only towards a birth year in these centuries (a CCCD with
# century digit 4–9 describes a birth from 2100 on, which no real record holds yet).
RESTORE_CENTURIES: frozenset[int] = frozenset({1900, 2000})

# classify_id kinds
KIND_CCCD = "CCCD"
KIND_CMND = "CMND"
KIND_PASSPORT = "HC"
KIND_INVALID = "INVALID"
KIND_MISSING = "MISSING"

# classify_id fixes
FIX_REMOVED_SEPARATORS = "REMOVED_SEPARATORS"
FIX_RESTORED_LEADING_ZERO = "RESTORED_LEADING_ZERO"
FIX_REMOVED_DECIMAL_SUFFIX = "REMOVED_DECIMAL_SUFFIX"
FIX_UPPER_CASED = "UPPER_CASED"

# Separators dropped by clean_id_text: whitespace (any Unicode space), dots, commas, the dash
# family, underscores, and the apostrophe a spreadsheet puts before a number kept as text.
_SEPARATORS = frozenset(".,-_'\u2010\u2011\u2012\u2013\u2014\u2015\u2212")
_ASCII_DIGITS = frozenset("0123456789")
_PASSPORT = re.compile(r"[A-Z][0-9]{7}")
_DECIMAL_SUFFIX = re.compile(r"([0-9]+)\.0+")
_THOUSANDS = re.compile(r"[0-9]{1,3}(\.[0-9]{3})+")
# Texts meaning "no number" (compared with fold_key): empty cells exported by various tools.
_NULL_TOKENS = frozenset({"", "0", "null", "none", "nan", "na", "khong", "khongco", "chuaco"})


class InvalidId(InvalidInput, ValueError):
    """A text that is not a valid identity document number; ``reason`` says why, in Vietnamese."""

    def __init__(self, text: str, reason: str) -> None:
        super().__init__(f"{reason}: '{text}'")
        self.text = text
        self.reason = reason


def clean_id_text(text: str) -> str:
    """Remove separators (spaces, dots, commas, dashes, underscores, apostrophes); upper-case.

    The text is NFKC-normalised (full-width digits become ASCII digits). Any other character is
    kept, so that a stray ``/`` or ``#`` still makes the number invalid instead of vanishing.
    Idempotent: ``clean_id_text(clean_id_text(x)) == clean_id_text(x)``.
    """
    text = unicodedata.normalize("NFKC", text)
    kept = "".join(
        ch.upper() if ch.isalpha() else ch
        for ch in text
        if not (ch.isspace() or ch in _SEPARATORS)
    )
    # Removing a separator may join a letter with a following combining mark; normalise again.
    return unicodedata.normalize("NFKC", kept)


def _is_digits(text: str) -> bool:
    return bool(text) and all(ch in _ASCII_DIGITS for ch in text)


def _is_birth_place_code(code: str) -> bool:
    return code in old_provinces() or code in EXTRA_BIRTH_PLACE_CODES


def _coerce_gender(gender: Gender | str | None) -> Gender | None:
    """Gender from a Gender, "Nam"/"Nữ" (any case, with or without diacritics), else None."""
    if gender is None or isinstance(gender, Gender):
        return gender
    key = fold_key(str(gender))
    return {"nam": Gender.MALE, "nu": Gender.FEMALE}.get(key)


def cccd_gender_digit(birth_year: int, gender: Gender) -> int:
    """The 4th digit of a CCCD: 0/1 for 1900s male/female, 2/3 for 2000s, … 8/9 for 2300s."""
    if not 1900 <= birth_year <= 2399:
        raise ValueError(f"năm sinh {birth_year} ngoài khoảng 1900–2399 của số CCCD")
    g = _coerce_gender(gender)
    if g is None:
        raise ValueError(f"giới tính không hợp lệ: {gender!r}")
    return (birth_year // 100 - 19) * 2 + (1 if g is Gender.FEMALE else 0)


@dataclass(frozen=True, slots=True)
class CitizenId:
    """A CCCD / personal identification number: 12 digits with a known birth-place code."""

    value: str

    def __post_init__(self) -> None:
        v = self.value
        if not isinstance(v, str):
            raise InvalidId(str(v), "số CCCD phải là chuỗi chữ số")
        if not _is_digits(v):
            raise InvalidId(v, "số CCCD chỉ được gồm chữ số")
        if len(v) != 12:
            raise InvalidId(v, f"số CCCD phải có 12 chữ số, nhận được {len(v)}")
        if not _is_birth_place_code(v[:3]):
            raise InvalidId(v, f"mã tỉnh {v[:3]} không tồn tại")

    @classmethod
    def parse(cls, text: str) -> CitizenId:
        """Clean the text (:func:`clean_id_text`) and validate; raises :class:`InvalidId`."""
        if text is None:
            raise InvalidId("", "thiếu số CCCD")
        return cls(clean_id_text(str(text)))

    def __str__(self) -> str:
        return self.value

    @property
    def province_code(self) -> str:
        """The 3-digit code of the (old) province where the birth was registered."""
        return self.value[:3]

    @property
    def province_name(self) -> str | None:
        """Name of the old province; None for an extra (country) code."""
        province = old_provinces().get(self.province_code)
        return province.name if province else None

    @property
    def century_digit(self) -> int:
        return int(self.value[3])

    @property
    def century(self) -> int:
        return 1900 + 100 * (self.century_digit // 2)

    @property
    def birth_year(self) -> int:
        return self.century + int(self.value[4:6])

    @property
    def gender(self) -> Gender:
        return Gender.FEMALE if self.century_digit % 2 else Gender.MALE

    @property
    def serial(self) -> int:
        return int(self.value[6:])

    def contradicts(
        self, birth_year: int | None, gender: Gender | str | None = None
    ) -> list[str]:
        """Reason codes ("BIRTH_YEAR", "GENDER") where the number disagrees with the record.

        Unknown values (None, or a gender text that is neither Nam nor Nữ) never contradict.
        """
        out: list[str] = []
        if birth_year is not None and int(birth_year) != self.birth_year:
            out.append("BIRTH_YEAR")
        g = _coerce_gender(gender)
        if g is not None and g is not self.gender:
            out.append("GENDER")
        return out


def make_citizen_id(province_code: str, birth_year: int, gender: Gender, serial: int) -> CitizenId:
    """Build a CCCD from its parts (for the synthetic generator). ``serial`` is 0..999999."""
    code = str(province_code).strip()
    if len(code) == 2 and _is_digits(code):
        code = "0" + code
    if not _is_birth_place_code(code):
        raise ValueError(f"mã tỉnh {code} không tồn tại")
    if not 0 <= serial <= 999_999:
        raise ValueError(f"số ngẫu nhiên {serial} ngoài khoảng 0–999999")
    digit = cccd_gender_digit(birth_year, gender)
    return CitizenId(f"{code}{digit}{birth_year % 100:02d}{serial:06d}")


@dataclass(frozen=True, slots=True)
class OldIdCard:
    """A CMND (chứng minh nhân dân): 9 digits, or 12 digits (from 2012)."""

    value: str

    def __post_init__(self) -> None:
        v = self.value
        if not isinstance(v, str):
            raise InvalidId(str(v), "số CMND phải là chuỗi chữ số")
        if not _is_digits(v):
            raise InvalidId(v, "số CMND chỉ được gồm chữ số")
        if len(v) not in (9, 12):
            raise InvalidId(v, f"số CMND phải có 9 hoặc 12 chữ số, nhận được {len(v)}")
        if len(set(v)) == 1:
            raise InvalidId(v, f"số CMND giả định (toàn chữ số {v[0]})")

    @classmethod
    def parse(cls, text: str) -> OldIdCard:
        if text is None:
            raise InvalidId("", "thiếu số CMND")
        return cls(clean_id_text(str(text)))

    def __str__(self) -> str:
        return self.value

    @property
    def length(self) -> int:
        return len(self.value)


@dataclass(frozen=True, slots=True)
class Passport:
    """A Vietnamese passport number: one capital letter + 7 digits (e.g. B1234567)."""

    value: str

    def __post_init__(self) -> None:
        v = self.value
        if not isinstance(v, str) or not _PASSPORT.fullmatch(v):
            raise InvalidId(str(v), "số hộ chiếu phải gồm 1 chữ cái in hoa và 7 chữ số")

    @classmethod
    def parse(cls, text: str) -> Passport:
        if text is None:
            raise InvalidId("", "thiếu số hộ chiếu")
        return cls(clean_id_text(str(text)))

    def __str__(self) -> str:
        return self.value


@dataclass(frozen=True, slots=True)
class IdClassification:
    """What :func:`classify_id` made of a recorded number."""

    kind: str  # "CCCD", "CMND", "HC", "INVALID", "MISSING"
    value: str | None  # the normalised number for CCCD / CMND / HC, else None
    fixes: tuple[str, ...] = ()
    reason: str | None = None  # Vietnamese, for INVALID

    @property
    def is_valid(self) -> bool:
        return self.kind in (KIND_CCCD, KIND_CMND, KIND_PASSPORT)


_HINTS = {
    "cccd": KIND_CCCD, "cc": KIND_CCCD, "cancuoc": KIND_CCCD, "cancuoccongdan": KIND_CCCD,
    "dinhdanh": KIND_CCCD, "sodinhdanh": KIND_CCCD,
    "cmnd": KIND_CMND, "cmt": KIND_CMND, "cmtnd": KIND_CMND, "chungminhnhandan": KIND_CMND,
    "hc": KIND_PASSPORT, "hochieu": KIND_PASSPORT, "passport": KIND_PASSPORT,
}


def _normalise_hint(hint: object) -> str | None:
    if hint is None:
        return None
    return _HINTS.get(fold_key(str(hint)))


def _restore_candidates(
    digits: str, hint: str | None, birth_year: int | None, gender: Gender | None
) -> tuple[list[CitizenId | OldIdCard], list[str]]:
    """Readings of a too-short number as an integer that lost its leading zeros.

    Returns (valid and consistent candidates, reasons why other readings were refused).
    """
    found: list[CitizenId | OldIdCard] = []
    refused: list[str] = []
    if digits[0] == "0":
        # An integer has no leading zero: this number was not shortened by an integer reading
        # but lost a digit somewhere else (or never had it). No position can be trusted.
        refused.append(
            "số bắt đầu bằng 0 nên không phải do mất số 0 ở đầu; không đoán được chữ số bị thiếu"
        )
        return found, refused
    n = len(digits)
    if n in (10, 11) and hint in (None, KIND_CCCD, KIND_CMND):
        pad = "0" * (12 - n)
        text = pad + digits
        head = f"thêm {pad} vào đầu thành {text}"
        try:
            cid = CitizenId(text)
        except InvalidId as exc:
            refused.append(f"{head}: {exc.reason}")
        else:
            if n == 10 and birth_year is None:
                # Ten digits may also be a personal tax code (mã số thuế): "00" is restored only
                # when the recorded birth year confirms the reading.
                refused.append(f"{head} cần năm sinh ghi nhận để xác nhận")
            elif cid.century not in RESTORE_CENTURIES:
                refused.append(f"{head}: năm sinh {cid.birth_year} không hợp lý")
            elif bad := cid.contradicts(birth_year, gender):
                what = {"BIRTH_YEAR": f"năm sinh {cid.birth_year}≠{birth_year}",
                        "GENDER": f"giới tính {cid.gender}≠{gender}"}
                refused.append(f"{head} thì mâu thuẫn: " + ", ".join(what[b] for b in bad))
            else:
                found.append(cid)
    if n == 8 and hint in (None, KIND_CMND):
        text = "0" + digits
        try:
            found.append(OldIdCard(text))
        except InvalidId as exc:
            refused.append(f"thêm 0 vào đầu thành {text}: {exc.reason}")
    return found, refused


def classify_id(
    text: str | int | None,
    doc_type_hint: str | None = None,
    birth_year: int | None = None,
    gender: Gender | str | None = None,
) -> IdClassification:
    """Classify a recorded identity number as CCCD, CMND, HC (passport), INVALID or MISSING.

    ``doc_type_hint`` is the recorded document type (``CCCD``, ``CMND``, ``HC``; common spellings
    such as "Căn cước", "CMTND", "Hộ chiếu" are understood; other types — ``GPKD``, ``KHAC`` —
    are ignored, and callers should not run identity rules on them). ``birth_year`` and
    ``gender`` are the person's recorded values, used only to decide a lost-zero restoration.

    Decision rules, in order:

    1. Missing: None, a null token ("null", "nan", "N/A", "không", "không có", "chưa có"), or a
       text that cleans to nothing or to zeros only ("-", "0", "000 000 000") → MISSING.
    2. A spreadsheet float rendering (``12345678.0``: digits, one dot, only zeros after it, and
       not a thousands grouping such as ``123.000``) loses its fraction → fix
       REMOVED_DECIMAL_SUFFIX. An ``int`` (or float) input is read as its decimal text.
    3. Cleaning (:func:`clean_id_text`) that removed separators → fix REMOVED_SEPARATORS; that
       upper-cased letters → fix UPPER_CASED.
    4. One capital letter + 7 digits → HC, whatever the hint. Any other text with a non-digit →
       INVALID.
    5. 12 digits: a valid CCCD → CCCD (also when hinted CMND: a 12-digit CMND's number is the
       personal number). Not a valid CCCD but hinted CMND → CMND (12-digit). Otherwise INVALID
       with the CCCD reason (e.g. "mã tỉnh 099 không tồn tại"). A CCCD that contradicts the
       recorded birth year or gender is still CCCD: that is rule ID_BIRTH_MISMATCH, for the caller.
    6. 9 digits → CMND (also when hinted CCCD: the number says what it is), unless a placeholder
       (one repeated digit) → INVALID.
    7. A lost leading zero (a number read as an integer): 11 or 10 digits get "0" or "00"
       prepended towards a CCCD, 8 digits get "0" prepended towards a 9-digit CMND, fix
       RESTORED_LEADING_ZERO — only when the reading is unambiguous, that is all of:
         a. the stored digits do not start with 0 (an integer reading drops *all* leading zeros;
            "01123456789" could be "001123456789" or "01123456789x", so it is not restored);
         b. the result is valid: a CCCD with a known province code and a birth year in
            :data:`RESTORE_CENTURIES`; a CMND that is not a placeholder;
         c. for a CCCD, it does not contradict the recorded birth year or gender (when known);
            for the two-zero reading of 10 digits (codes 001–008), the birth year must be
            recorded and agree — ten digits may also be a personal tax code;
         d. the hint does not name another type (CCCD/CMND allowed towards a CCCD, only CMND
            towards a CMND; a hint of HC blocks restoration);
         e. exactly one reading remains.
       Otherwise INVALID, with the reasons the readings were refused.
    8. Any other length → INVALID.
    """
    if text is None:
        return IdClassification(KIND_MISSING, None)
    raw = str(text).strip()
    hint = _normalise_hint(doc_type_hint)
    g = _coerce_gender(gender)
    fixes: list[str] = []

    if fold_key(raw) in _NULL_TOKENS:
        return IdClassification(KIND_MISSING, None)

    m = _DECIMAL_SUFFIX.fullmatch(raw)
    if m and not _THOUSANDS.fullmatch(raw):
        raw = m.group(1)
        fixes.append(FIX_REMOVED_DECIMAL_SUFFIX)

    cleaned = clean_id_text(raw)
    if not cleaned.strip("0"):  # nothing but separators and zeros: a default, not a number
        return IdClassification(KIND_MISSING, None)
    if cleaned != unicodedata.normalize("NFKC", raw).upper():
        fixes.append(FIX_REMOVED_SEPARATORS)
    if any(ch.islower() for ch in raw):
        fixes.append(FIX_UPPER_CASED)
    fx = tuple(fixes)

    def invalid(reason: str) -> IdClassification:
        return IdClassification(KIND_INVALID, None, fx, reason)

    if _PASSPORT.fullmatch(cleaned):
        return IdClassification(KIND_PASSPORT, cleaned, fx)
    if not _is_digits(cleaned):
        if hint == KIND_PASSPORT:
            return invalid("số hộ chiếu phải gồm 1 chữ cái in hoa và 7 chữ số")
        return invalid("số giấy tờ chứa ký tự không phải chữ số")

    n = len(cleaned)
    if n == 12:
        try:
            return IdClassification(KIND_CCCD, CitizenId(cleaned).value, fx)
        except InvalidId as exc:
            if hint == KIND_CMND:
                try:
                    return IdClassification(KIND_CMND, OldIdCard(cleaned).value, fx)
                except InvalidId as exc2:
                    return invalid(exc2.reason)
            return invalid(exc.reason)
    if n == 9:
        try:
            return IdClassification(KIND_CMND, OldIdCard(cleaned).value, fx)
        except InvalidId as exc:
            return invalid(exc.reason)
    if n in (8, 10, 11):
        found, refused = _restore_candidates(cleaned, hint, birth_year, g)
        if len(found) == 1:
            doc = found[0]
            kind = KIND_CCCD if isinstance(doc, CitizenId) else KIND_CMND
            return IdClassification(kind, doc.value, fx + (FIX_RESTORED_LEADING_ZERO,))
        base = f"số có {n} chữ số, không khớp CCCD (12) hay CMND (9 hoặc 12)"
        if len(found) > 1:
            refused.append("nhiều cách đọc cùng hợp lệ")
        elif not refused:
            refused.append(f"loại giấy tờ ghi là {hint}, không khôi phục số 0 đầu")
        return invalid(base + "; " + "; ".join(refused))
    return invalid(f"số có {n} chữ số, không khớp CCCD (12) hay CMND (9 hoặc 12)")
