"""Legacy Vietnamese text: TCVN3 (ABC), VNI-Windows and UTF-8 mojibake.

Cadastral data made with MicroStation/Famis and old desktop tools stores Vietnamese
in TCVN3 (ABC, ``.VnTime`` fonts) or VNI-Windows.  In our UTF-8 files such text shows
up as the legacy *bytes* decoded as Windows-1252, e.g.::

    Nguyễn Văn Đức   (Unicode)
    NguyÔn V¨n §øc   (TCVN3 bytes shown as cp1252)
    Nguyeãn Vaên Ñöùc (VNI-Windows bytes shown as cp1252)
    Nguyá»…n VÄƒn          (UTF-8 bytes shown as cp1252: "mojibake")

Bytes that cp1252 leaves undefined (0x81, 0x8D, 0x8F, 0x90, 0x9D) are taken to be the
latin-1 code point of the same value (U+0081 ...), which is what most tools produce.

Public API::

    encode_tcvn3(text) / decode_tcvn3(text)
    encode_vni(text)   / decode_vni(text)
    detect_legacy(text) -> "TCVN3" | "VNI" | "MOJIBAKE" | None
    repair_text(text)   -> (fixed NFC text, what was repaired or None)
    restore_name_case(text)
    is_vietnamese_syllable(word)

Every result is Unicode NFC.  Nothing here calls iconv or any external tool at run
time: the tables below are literals.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache, partial

nfc = partial(unicodedata.normalize, "NFC")  # the text layer stands on nothing of datdai

__all__ = [
    "MOJIBAKE",
    "TCVN3",
    "VIETNAMESE_LETTERS",
    "VNI",
    "decode_as",
    "decode_tcvn3",
    "decode_vni",
    "detect_legacy",
    "encode_tcvn3",
    "encode_vni",
    "is_vietnamese_syllable",
    "repair_text",
    "restore_name_case",
]

TCVN3 = "TCVN3"
VNI = "VNI"
MOJIBAKE = "MOJIBAKE"


def _cp1252_char(byte: int) -> str:
    """The character a cp1252 reader shows for ``byte`` (latin-1 for the 5 undefined bytes)."""
    try:
        return bytes([byte]).decode("cp1252")
    except UnicodeDecodeError:  # 0x81 0x8D 0x8F 0x90 0x9D
        return chr(byte)


# --------------------------------------------------------------------------------------
# TCVN3 (VN3 subset of TCVN 5712:1993): byte -> letter.
#
# Generated once with glibc (`iconv -f TCVN5712-1 -t UTF-8`, each byte 0x80-0xFF, keeping
# the bytes that decode to one of the 67 lowercase non-ASCII Vietnamese letters or to the
# capitals Ă Â Ê Ô Ơ Ư Đ; each letter was also checked to encode back to that single
# byte).  glibc's TCVN5712-1 is the full VN1 set: its capital accented letters (bytes
# 0x01-0x17, 0x80-0x9F, 0xB0-0xFF scattered) and combining marks (0xB0-0xB4) are NOT
# part of VN3 and are deliberately left out.  Cross-checked against the independent
# TCVN3 table of duydev/vietnamese-conversion (all 74 entries agree).
# --------------------------------------------------------------------------------------
_TCVN3_BYTES: dict[int, str] = {
    0xA1: "Ă", 0xA2: "Â", 0xA3: "Ê", 0xA4: "Ô", 0xA5: "Ơ", 0xA6: "Ư", 0xA7: "Đ", 0xA8: "ă",
    0xA9: "â", 0xAA: "ê", 0xAB: "ô", 0xAC: "ơ", 0xAD: "ư", 0xAE: "đ", 0xB5: "à", 0xB6: "ả",
    0xB7: "ã", 0xB8: "á", 0xB9: "ạ", 0xBB: "ằ", 0xBC: "ẳ", 0xBD: "ẵ", 0xBE: "ắ", 0xC6: "ặ",
    0xC7: "ầ", 0xC8: "ẩ", 0xC9: "ẫ", 0xCA: "ấ", 0xCB: "ậ", 0xCC: "è", 0xCE: "ẻ", 0xCF: "ẽ",
    0xD0: "é", 0xD1: "ẹ", 0xD2: "ề", 0xD3: "ể", 0xD4: "ễ", 0xD5: "ế", 0xD6: "ệ", 0xD7: "ì",
    0xD8: "ỉ", 0xDC: "ĩ", 0xDD: "í", 0xDE: "ị", 0xDF: "ò", 0xE1: "ỏ", 0xE2: "õ", 0xE3: "ó",
    0xE4: "ọ", 0xE5: "ồ", 0xE6: "ổ", 0xE7: "ỗ", 0xE8: "ố", 0xE9: "ộ", 0xEA: "ờ", 0xEB: "ở",
    0xEC: "ỡ", 0xED: "ớ", 0xEE: "ợ", 0xEF: "ù", 0xF1: "ủ", 0xF2: "ũ", 0xF3: "ú", 0xF4: "ụ",
    0xF5: "ừ", 0xF6: "ử", 0xF7: "ữ", 0xF8: "ứ", 0xF9: "ự", 0xFA: "ỳ", 0xFB: "ỷ", 0xFC: "ỹ",
    0xFD: "ý", 0xFE: "ỵ",
}  # fmt: skip

# --------------------------------------------------------------------------------------
# VNI-Windows: letter -> byte sequence shown as cp1252 (base letter + mark byte, or one
# byte for ơ ư đ and the i/ỵ forms).
#
# Source: lamdao/xvnkb `vni.h` (Dao Hai Lam, 2002; order from its `utf.h`).  Verified
# letter by letter, all 134, against two independent tables: duydev/vietnamese-conversion
# `src/charsets.ts` and khiemdoan/VBKey `Modules/mdlCodeTable.bas` (VNI_WINDOWS_TABLE);
# the three agree on every letter.
# --------------------------------------------------------------------------------------
_VNI_ENCODE: dict[str, str] = {
    "á": "aù", "à": "aø", "ả": "aû", "ã": "aõ", "ạ": "aï",
    "ă": "aê", "ắ": "aé", "ằ": "aè", "ẳ": "aú", "ẵ": "aü", "ặ": "aë",
    "â": "aâ", "ấ": "aá", "ầ": "aà", "ẩ": "aå", "ẫ": "aã", "ậ": "aä",
    "é": "eù", "è": "eø", "ẻ": "eû", "ẽ": "eõ", "ẹ": "eï",
    "ê": "eâ", "ế": "eá", "ề": "eà", "ể": "eå", "ễ": "eã", "ệ": "eä",
    "í": "í", "ì": "ì", "ỉ": "æ", "ĩ": "ó", "ị": "ò",
    "ó": "où", "ò": "oø", "ỏ": "oû", "õ": "oõ", "ọ": "oï",
    "ô": "oâ", "ố": "oá", "ồ": "oà", "ổ": "oå", "ỗ": "oã", "ộ": "oä",
    "ơ": "ô", "ớ": "ôù", "ờ": "ôø", "ở": "ôû", "ỡ": "ôõ", "ợ": "ôï",
    "ú": "uù", "ù": "uø", "ủ": "uû", "ũ": "uõ", "ụ": "uï",
    "ư": "ö", "ứ": "öù", "ừ": "öø", "ử": "öû", "ữ": "öõ", "ự": "öï",
    "ý": "yù", "ỳ": "yø", "ỷ": "yû", "ỹ": "yõ", "ỵ": "î",
    "đ": "ñ",
    "Á": "AÙ", "À": "AØ", "Ả": "AÛ", "Ã": "AÕ", "Ạ": "AÏ",
    "Ă": "AÊ", "Ắ": "AÉ", "Ằ": "AÈ", "Ẳ": "AÚ", "Ẵ": "AÜ", "Ặ": "AË",
    "Â": "AÂ", "Ấ": "AÁ", "Ầ": "AÀ", "Ẩ": "AÅ", "Ẫ": "AÃ", "Ậ": "AÄ",
    "É": "EÙ", "È": "EØ", "Ẻ": "EÛ", "Ẽ": "EÕ", "Ẹ": "EÏ",
    "Ê": "EÂ", "Ế": "EÁ", "Ề": "EÀ", "Ể": "EÅ", "Ễ": "EÃ", "Ệ": "EÄ",
    "Í": "Í", "Ì": "Ì", "Ỉ": "Æ", "Ĩ": "Ó", "Ị": "Ò",
    "Ó": "OÙ", "Ò": "OØ", "Ỏ": "OÛ", "Õ": "OÕ", "Ọ": "OÏ",
    "Ô": "OÂ", "Ố": "OÁ", "Ồ": "OÀ", "Ổ": "OÅ", "Ỗ": "OÃ", "Ộ": "OÄ",
    "Ơ": "Ô", "Ớ": "ÔÙ", "Ờ": "ÔØ", "Ở": "ÔÛ", "Ỡ": "ÔÕ", "Ợ": "ÔÏ",
    "Ú": "UÙ", "Ù": "UØ", "Ủ": "UÛ", "Ũ": "UÕ", "Ụ": "UÏ",
    "Ư": "Ö", "Ứ": "ÖÙ", "Ừ": "ÖØ", "Ử": "ÖÛ", "Ữ": "ÖÕ", "Ự": "ÖÏ",
    "Ý": "YÙ", "Ỳ": "YØ", "Ỷ": "YÛ", "Ỹ": "YÕ", "Ỵ": "Î",
    "Đ": "Ñ",
}  # fmt: skip

# --------------------------------------------------------------------------------------
# Derived tables
# --------------------------------------------------------------------------------------

#: TCVN3 as seen in a UTF-8 file: cp1252 character -> letter.
_TCVN3_DECODE: dict[str, str] = {_cp1252_char(b): s for b, s in _TCVN3_BYTES.items()}
_TCVN3_ENCODE: dict[str, str] = {s: c for c, s in _TCVN3_DECODE.items()}
# TCVN3 (VN3) has no capital accented vowels: write them with the lowercase code.
for _c in list(_VNI_ENCODE):
    if _c.isupper() and _c not in _TCVN3_ENCODE:
        _TCVN3_ENCODE[_c] = _TCVN3_ENCODE[_c.lower()]

#: The 134 non-ASCII Vietnamese letters (67 lowercase, 67 uppercase).
VIETNAMESE_LETTERS: frozenset[str] = frozenset(_VNI_ENCODE)

_VNI_MARKS_LOWER = "ùøûõïâáàåãäêéèúüë"
_VNI_MARKS_UPPER = "ÙØÛÕÏÂÁÀÅÃÄÊÉÈÚÜË"
_SWAP_MARK_CASE = str.maketrans(
    _VNI_MARKS_LOWER + _VNI_MARKS_UPPER, _VNI_MARKS_UPPER + _VNI_MARKS_LOWER
)


def _build_vni_decode() -> dict[str, str]:
    table: dict[str, str] = {}
    for letter, code in _VNI_ENCODE.items():
        table[code] = letter
    # Lenient: accept a mark byte of the other case ("Aù", "aÙ"); the base letter's
    # case wins.  No mark byte is also a stand-alone code, so this adds no ambiguity.
    for letter, code in list(_VNI_ENCODE.items()):
        if len(code) == 2:
            table.setdefault(code[0] + code[1].translate(_SWAP_MARK_CASE), letter)
    return table


_VNI_DECODE: dict[str, str] = _build_vni_decode()
_VNI_DECODE2: dict[str, str] = {k: v for k, v in _VNI_DECODE.items() if len(k) == 2}
_VNI_DECODE1: dict[str, str] = {k: v for k, v in _VNI_DECODE.items() if len(k) == 1}
_VNI_BASES = frozenset(k[0] for k in _VNI_DECODE2)

# --------------------------------------------------------------------------------------
# Encoders / decoders
# --------------------------------------------------------------------------------------


def encode_tcvn3(text: str) -> str:
    """Unicode -> TCVN3 bytes shown as cp1252 characters (``Nguyễn`` -> ``NguyÔn``).

    Capital accented letters have no TCVN3 code and are written with the code of the
    lowercase letter (capital Ă Â Ê Ô Ơ Ư Đ exist).  Characters that are not
    Vietnamese letters pass through unchanged.
    """
    return nfc("".join(_TCVN3_ENCODE.get(ch, ch) for ch in nfc(text)))


def decode_tcvn3(text: str) -> str:
    """TCVN3 bytes shown as cp1252 characters -> Unicode NFC (``NguyÔn`` -> ``Nguyễn``).

    Characters that are not TCVN3 letter codes pass through unchanged.  Capitals lost by
    TCVN3 stay lowercase (see :func:`restore_name_case` and :func:`repair_text`).
    """
    return nfc("".join(_TCVN3_DECODE.get(ch, ch) for ch in text))


def encode_vni(text: str) -> str:
    """Unicode -> VNI-Windows bytes shown as cp1252 characters (``Đức`` -> ``Ñöùc``)."""
    return nfc("".join(_VNI_ENCODE.get(ch, ch) for ch in nfc(text)))


def decode_vni(text: str) -> str:
    """VNI-Windows bytes shown as cp1252 characters -> Unicode NFC (``Ñöùc`` -> ``Đức``)."""
    out: list[str] = []
    i, n = 0, len(text)
    while i < n:
        ch = text[i]
        if ch in _VNI_BASES and i + 1 < n:
            letter = _VNI_DECODE2.get(text[i : i + 2])
            if letter is not None:
                out.append(letter)
                i += 2
                continue
        out.append(_VNI_DECODE1.get(ch, ch))
        i += 1
    return nfc("".join(out))


# cp1252 view of UTF-8 bytes.  Besides cp1252 proper, accept C1 controls U+0080-U+009F
# as their byte (latin-1 readers and the 5 bytes cp1252 leaves undefined).
_BYTE_OF: dict[str, int] = {chr(b): b for b in range(0x100)}
_BYTE_OF.update({_cp1252_char(b): b for b in range(0x80, 0x100)})

_UTF8_SEQ = re.compile(
    rb"[\xC2-\xDF][\x80-\xBF]"
    rb"|\xE0[\xA0-\xBF][\x80-\xBF]"
    rb"|[\xE1-\xEC\xEE\xEF][\x80-\xBF]{2}"
    rb"|\xED[\x80-\x9F][\x80-\xBF]"
    rb"|\xF0[\x90-\xBF][\x80-\xBF]{2}"
    rb"|[\xF1-\xF3][\x80-\xBF]{3}"
    rb"|\xF4[\x80-\x8F][\x80-\xBF]{2}"
)
_BYTE_RUN = re.compile("[" + re.escape("".join(sorted(_BYTE_OF))) + "]+")


def _decode_mojibake(text: str) -> tuple[str, int]:
    """Undo UTF-8 read as cp1252 where it is found; return (text, letters recovered).

    Only well-formed UTF-8 multi-byte sequences are decoded; everything else is kept, so
    text that mixes mojibake with correct characters is repaired piecewise.
    """
    out: list[str] = []
    letters = 0
    pos = 0
    for run in _BYTE_RUN.finditer(text):
        chunk = run.group()
        raw = bytes(_BYTE_OF[c] for c in chunk)
        if max(raw) < 0xC2:
            continue
        out.append(text[pos : run.start()])
        last = 0
        for m in _UTF8_SEQ.finditer(raw):
            decoded = m.group().decode("utf-8")
            if unicodedata.category(decoded)[0] in "LM":
                letters += 1
            out.append(chunk[last : m.start()])  # one char per byte: indices line up
            out.append(decoded)
            last = m.end()
        out.append(chunk[last:])
        pos = run.end()
    out.append(text[pos:])
    return "".join(out), letters


# --------------------------------------------------------------------------------------
# Vietnamese syllable checker
# --------------------------------------------------------------------------------------

_TONE_OF = {"\u0301": 1, "\u0300": 2, "\u0309": 3, "\u0303": 4, "\u0323": 5}
_SAC, _NANG = 1, 5
_BASE_LETTERS = frozenset("abcdeghiklmnopqrstuvxyăâêôơưđ")  # no f, j, w, z
_VOWELS = frozenset("aăâeêioôơuưy")
_HAT_VOWELS = frozenset("ăâêôơư")

_ONSETS = (
    # longest first
    "ngh", "ng", "nh", "ch", "gh", "gi", "kh", "ph", "qu", "th", "tr",
    # consonant clusters of Central Highlands place names (Krông, Plông, Đrắk, Glei)
    "kr", "kl", "pl", "bl", "br", "dr", "đr", "gl",
    "b", "c", "d", "đ", "g", "h", "k", "l", "m", "n", "p", "r", "s", "t", "v", "x",
    "",
)  # fmt: skip

_RHYMES = frozenset(
    """
    a ac ach ai am an ang anh ao ap at au ay
    ăc ăm ăn ăng ăp ăt
    âc âm ân âng âp ât âu ây
    e ec em en eng eo ep et
    ê êch êm ên ênh êp êt êu
    i ia ich im in inh ip it iu iêc iêm iên iêng iêp iêt iêu
    o oc oi om on ong op ot
    oa oac oach oai oam oan oang oanh oao oap oat oay oăc oăm oăn oăng oăp oăt
    oe oec oem oen oeo oet ooc oong
    ô ôc ôi ôm ôn ông ôp ôt
    ơ ơi ơm ơn ơp ơt
    u uc ui um un ung up ut ua uân uâng uât uây uê uêch uênh uêu uơ
    uy uya uych uyên uyêt uynh uyt uyu uôc uôi uôm uôn uông uôt
    ư ưc ưi ưm ưn ưng ưt ưu ưa ươc ươi ươm ươn ương ươp ươt ươu
    y yêm yên yêng yêt yêu
    """.split()  # noqa: SIM905 - one line per vowel reads better than a list
)
_STOP_CODAS = ("c", "ch", "p", "t", "k")


def _split_vowels(rhyme: str) -> tuple[str, str]:
    n = 0
    while n < len(rhyme) and rhyme[n] in _VOWELS:
        n += 1
    return rhyme[:n], rhyme[n:]


def _tone_positions(rhyme: str) -> frozenset[int]:
    """Where the tone mark goes in ``rhyme`` (both the old "hòa" and new "hoà" styles)."""
    vowels, coda = _split_vowels(rhyme)
    if len(vowels) <= 1:
        return frozenset({0})
    if coda:  # on the last vowel with a hat or horn (ươ -> ơ, uyê -> ê), else the last one
        hats = [i for i, c in enumerate(vowels) if c in _HAT_VOWELS]
        return frozenset({hats[-1] if hats else len(vowels) - 1})
    if len(vowels) == 3:  # oai, uôi, ươi, iêu, uyu ...
        return frozenset({1})
    if vowels[1] in _HAT_VOWELS:  # uê, uơ
        return frozenset({1})
    if vowels in ("oa", "oe", "uy"):
        return frozenset({0, 1})
    return frozenset({0})  # ai, ao, ia, ua, ưa, ui ...


def _rhyme_ok(rhyme: str, tone: int, tone_at: int) -> bool:
    """``tone_at``: index of the toned letter within ``rhyme`` (-1 if there is no tone)."""
    if rhyme.endswith("k"):  # Đắk, Lắk: minority place names write the c coda as k
        rhyme = rhyme[:-1] + "c"
    if rhyme not in _RHYMES:
        return False
    if rhyme.endswith(_STOP_CODAS) and tone not in (_SAC, _NANG):
        return False
    return not tone or tone_at in _tone_positions(rhyme)


def _parse(word: str) -> tuple[str, int, int] | None:
    """(toneless lowercase letters, tone 0-5, index of the toned letter) or None."""
    base: list[str] = []
    tone, tone_at = 0, -1
    for ch in nfc(word.lower()):
        parts = unicodedata.normalize("NFD", ch)
        marks = [p for p in parts if p in _TONE_OF]
        if not marks:
            base.append(ch)
            continue
        if tone or len(marks) > 1:
            return None  # two tone marks
        tone = _TONE_OF[marks[0]]
        rest = nfc("".join(p for p in parts if p not in _TONE_OF))
        if rest:
            base.append(rest)
        tone_at = len(base) - 1  # a lone combining mark belongs to the letter before
    if tone and tone_at < 0:
        return None
    return "".join(base), tone, tone_at


def _strict(base: str, tone: int, tone_at: int) -> bool:
    if not base or any(ch not in _BASE_LETTERS for ch in base):
        return False
    for onset in _ONSETS:
        if not base.startswith(onset):
            continue
        rhyme = base[len(onset) :]
        if not rhyme:
            continue
        at = tone_at - len(onset) if tone else -1
        if tone and at < 0 and onset not in ("qu", "gi"):
            continue
        if _rhyme_ok(rhyme, tone, at):
            return True
        # qu + rhyme and gi + rhyme also read as q + "u…" and g + "i…" (quốc, giếng);
        # the tone may not sit on the u/i of the onset
        if (
            onset in ("qu", "gi")
            and (not tone or at >= 0)
            and _rhyme_ok(onset[1] + rhyme, tone, at + 1 if tone else -1)
        ):
            return True
    return False


_VOWEL_CLUSTERS = frozenset(_split_vowels(r)[0] for r in _RHYMES) | {"ă", "â", "êê", "ơơ"}
_LENIENT = re.compile(
    "[bcdđfghjklmnpqrstvwxz]{0,4}(?:"
    + "|".join(sorted(_VOWEL_CLUSTERS, key=len, reverse=True))
    + ")(?:ch|ng|nh|[cmnptkhlr])?"
)


@lru_cache(maxsize=65536)
def _syllable_class(word: str) -> int:
    """2: Vietnamese syllable; 1: plausible minority-language syllable; 0: neither."""
    parsed = _parse(word)
    if parsed is None:
        return 0
    base, tone, tone_at = parsed
    if _strict(base, tone, tone_at):
        return 2
    return 1 if _LENIENT.fullmatch(base) else 0


def is_vietnamese_syllable(word: str) -> bool:
    """True if ``word`` is a well-formed Vietnamese syllable (onset + rhyme + tone).

    Case-insensitive; NFC or NFD.  Checks the letters (no f, j, w, z), at most one tone
    mark, the onset, the rhyme against the list of Vietnamese rhymes, that syllables
    ending in c/ch/p/t carry the sắc or nặng tone, and that the tone mark sits on the
    right vowel (old "hòa" and new "hoà" placement both accepted; "xaõ" is rejected).
    A few consonant clusters and the k coda of Central Highlands names are accepted.
    """
    parsed = _parse(word)
    return parsed is not None and _strict(*parsed)


# --------------------------------------------------------------------------------------
# Detection
# --------------------------------------------------------------------------------------

# Words are split on whitespace and ASCII/typographic punctuation.  Characters such as
# "§", "µ", "¨", "«" stay inside words: they are TCVN3 letter codes.
_WORD_SPLIT = re.compile(r"[\s,;:.!?()\[\]{}\"'`/\\|<>=+*&^%$#@~_\-–—“”‘’…]+")

# TCVN3 codes that are not letters of any Western European language: a word holding
# one of them is strong evidence of TCVN3.
_TCVN3_STRONG = frozenset("¡¢£¤¥¦§¨©ª«¬\xad®µ¶·¸¹»¼½¾×÷ÐÞþ")
# VNI base+mark pairs that French/Spanish words spell the same way, with the letters
# that may follow them there (Thaï, laïc, Caïn, Loïc, où, aún, Raúl, goût, soûl).  Such a
# word is weak evidence; "Phaïm" (Phạm) is not a French spelling and stays strong.
_VNI_WEAK_PAIRS: dict[str, tuple[str, ...]] = {}
for _pair, _rests in {
    "aï": ("", "c", "n", "s", "t", "k"),
    "oï": ("", "c", "n", "s", "t", "m"),
    "où": ("",),
    "aú": ("n", "l"),
    "oû": ("t", "l"),
}.items():
    for _p in (_pair, _pair.upper(), _pair[0] + _pair[1].upper(), _pair[0].upper() + _pair[1]):
        _VNI_WEAK_PAIRS[_p] = _rests
_VNI_CHARS = frozenset(c for code in _VNI_DECODE for c in code if not c.isascii())
_ASCII_DIGITS = frozenset("0123456789")

_WEAK, _MEDIUM, _STRONG = 0, 1, 2


@dataclass(frozen=True)
class _Score:
    strong: int  # evidence words with a signature Western text does not have
    medium: int  # evidence words without such a signature
    weak: int  # evidence words explained by common French/Spanish spellings
    ambiguous: int  # changed words that are Vietnamese before and after decoding
    counter: int  # changed words whose decoded form is not Vietnamese

    @property
    def evidence(self) -> int:
        """Changed words that are not Vietnamese before decoding and are after it."""
        return self.strong + self.medium + self.weak

    @property
    def flagged(self) -> bool:
        if self.strong:
            # at least as many words turn Vietnamese as fail to ("C«ng ty CafÐ")
            return self.evidence >= self.counter
        # No strong signature: several Vietnamese-looking words and no contrary one.
        return self.medium >= 1 and self.counter == 0 and self.evidence + self.ambiguous >= 2

    @property
    def net(self) -> int:
        return self.evidence - self.counter

    @property
    def key(self) -> tuple[int, int]:
        return (self.strong, self.net)


def _words(text: str) -> list[str]:
    return [w for w in _WORD_SPLIT.split(text) if w and _ASCII_DIGITS.isdisjoint(w)]


def _all_caps(text: str) -> bool:
    """No ASCII lowercase letter and at least two ASCII capitals."""
    return not re.search("[a-z]", text) and len(re.findall("[A-Z]", text)) >= 2


def _tcvn3_signature(word: str, caps_text: bool) -> int:
    for i, ch in enumerate(word):
        if ch in _TCVN3_STRONG:
            return _STRONG
        if ch not in _TCVN3_DECODE:
            continue
        if ch.isupper() and i > 0:
            before = word[i - 1]
            after = word[i + 1] if i + 1 < len(word) else ""
            if before.islower() or after.islower():
                return _STRONG  # "NguyÔn", "ChÝ", "CËn": capital glyph inside a word
        if ch.islower() and caps_text:
            return _STRONG  # "HUYÖN Tø Kú": lowercase glyph in text written in capitals
    return _MEDIUM


def _vni_signature(word: str, caps_text: bool) -> int:
    del caps_text
    weak = False
    for i, ch in enumerate(word):
        pair = word[i : i + 2]
        if pair in _VNI_DECODE2:
            rests = _VNI_WEAK_PAIRS.get(pair)
            if rests is None or word[i + 2 :].lower() not in rests:
                return _STRONG  # "eã", "aê", "Phaïm": no Western spelling has these
            weak = True
        if len(pair) == 2 and pair[0] in _VNI_CHARS and pair[1] in _VNI_CHARS:
            return _STRONG  # "öô", "ñö": two legacy bytes in a row
        if i == 0 and ch in "ñÑ" and len(word) > 2:
            return _STRONG  # word-initial đ (Spanish has only ña, ño, ñu)
    return _WEAK if weak else _MEDIUM


_UNCHANGED, _COUNTER, _NEUTRAL, _AMBIGUOUS = -1, -2, -3, -4


@lru_cache(maxsize=200_000)
def _word_verdict(word: str, kind: str, caps_text: bool) -> int:
    """How one word reads when decoded as ``kind``: unchanged, counter-evidence, neutral
    (minority-language syllable), ambiguous, or evidence of a signature strength. Cached: the
    words of names and addresses repeat endlessly."""
    decode, signature = (decode_tcvn3, _tcvn3_signature) if kind == TCVN3 else (
        decode_vni, _vni_signature)
    decoded = decode(word)
    if decoded == word:
        return _UNCHANGED
    after = _syllable_class(decoded)
    if after == 0:
        return _COUNTER
    if after == 1:
        return _NEUTRAL  # minority-language syllable (Đăk, Păh, Môl): no evidence either way
    if _syllable_class(word) == 2:
        return _AMBIGUOUS  # valid either way ("né"/"nộ")
    return signature(word, caps_text)


def _score(text: str, kind: str) -> _Score:
    counts = [0, 0, 0]
    ambiguous = counter = 0
    caps_text = _all_caps(text)
    for word in _words(text):
        v = _word_verdict(word, kind, caps_text)
        if v == _COUNTER:
            counter += 1
        elif v == _AMBIGUOUS:
            ambiguous += 1
        elif v >= 0:
            counts[v] += 1
    return _Score(
        strong=counts[_STRONG],
        medium=counts[_MEDIUM],
        weak=counts[_WEAK],
        ambiguous=ambiguous,
        counter=counter,
    )


def detect_legacy(text: str) -> str | None:
    """What legacy form ``text`` is in: "TCVN3", "VNI", "MOJIBAKE", or None.

    None for text that is fine: Unicode Vietnamese, plain ASCII, numbers, or other
    Latin-1 languages (Café, Hôtel, Müller).

    Mojibake is reported when well-formed UTF-8 multi-byte sequences in the cp1252 view
    decode to letters.  For TCVN3 and VNI each word that the decoding changes is scored
    with the syllable checker:

    * evidence: not a Vietnamese syllable before, a well-formed one after;
    * ambiguous: a Vietnamese syllable either way ("Thóc" is also TCVN3 for "Thúc");
    * counter: not Vietnamese after decoding (Café -> "Cafộ");
    * minority-language syllables after decoding (Đăk, Păh) count for nothing.

    An encoding is reported when some evidence word carries a mark Western text does
    not have (TCVN3 "§", "µ", "V¨n", "NguyÔn"; VNI "eã", "aê", "öô") and there are at
    least as many evidence words as counter ones; or, without such a mark, when there
    is no counter word and at least two words read as Vietnamese, one of them evidence
    that is not a common French/Spanish spelling (Loïc, où, aún).  So a lone short value
    ("Höng" for Hưng) may stay undetected: detect a whole column joined together.
    """
    if not text or text.isascii():
        return None
    text = nfc(text)
    fixed, letters = _decode_mojibake(text)
    if letters and fixed != text:
        return MOJIBAKE
    scores = {
        TCVN3: _score(text, TCVN3),
        VNI: _score(text, VNI),
    }
    flagged = []
    for name, score in scores.items():
        other = scores[VNI if name == TCVN3 else TCVN3]
        if not score.flagged:
            continue
        if other.evidence and other.net >= score.net:
            continue  # reads as well in the other encoding ("HUÕ": TCVN3 HUẾ, VNI HŨ)
        flagged.append((score.key, name))
    if not flagged:
        return None
    return max(flagged)[1]


# --------------------------------------------------------------------------------------
# Repair
# --------------------------------------------------------------------------------------

_LETTER = re.compile(r"[^\W\d_]")
_UPPER_VIET = str.maketrans({c: c.upper() for c in VIETNAMESE_LETTERS if c.islower()})


def _restore_caps_tcvn3(decoded: str) -> str:
    """Upper-case accented letters that TCVN3 forced to lowercase in all-caps text.

    "NGUYễN VĂN Tế" -> "NGUYỄN VĂN TẾ" (the text has no ASCII lowercase letter and some
    word is capitalised beyond its first letter).  Otherwise word by word: "TRầN" ->
    "TRẦN".  "Đà" stays: TCVN3 cannot tell "Đà" from "ĐÀ".
    """

    def caps_beyond_first(word: str) -> bool:
        letters = _LETTER.findall(word)
        return any(c.isupper() for c in letters[1:])

    def only_accented_lower(word: str) -> bool:
        return not any("a" <= c <= "z" for c in word)

    words = [w for w in _WORD_SPLIT.split(decoded) if _LETTER.search(w)]
    if (
        words
        and all(only_accented_lower(w) for w in words)
        and any(caps_beyond_first(w) for w in words)
    ):
        return decoded.translate(_UPPER_VIET)

    def fix(m: re.Match[str]) -> str:
        w = m.group()
        if caps_beyond_first(w) and only_accented_lower(w):
            return w.translate(_UPPER_VIET)
        return w

    return re.sub(r"[^\s,;:.!?()\[\]{}\"'/\\|<>\-–—]+", fix, decoded)


def decode_as(text: str, kind: str) -> str:
    """Decode ``text`` as the given legacy form (TCVN3, VNI or MOJIBAKE), without detecting."""
    return _apply(text, kind)


def _apply(text: str, kind: str) -> str:
    if kind == MOJIBAKE:
        return nfc(_decode_mojibake(text)[0])
    if kind == TCVN3:
        return nfc(_restore_caps_tcvn3(decode_tcvn3(text)))
    if kind == VNI:
        return decode_vni(text)
    raise ValueError(kind)


def repair_text(text: str) -> tuple[str, str | None]:
    """Repair legacy-encoded text: returns (fixed NFC text, "TCVN3"/"VNI"/"MOJIBAKE"/None).

    Layers are undone one after another (e.g. TCVN3 that was then mis-read as cp1252
    is first de-mojibaked, then TCVN3-decoded); the label then names the legacy
    encoding (TCVN3 or VNI) if one was found, else MOJIBAKE.  TCVN3 text in capitals
    gets its capital accented letters back; title-case capitals lost by TCVN3 are left
    to :func:`restore_name_case`.  Idempotent: repairing repaired text changes nothing.
    """
    current = nfc(text)
    kinds: list[str] = []
    for _ in range(4):
        kind = detect_legacy(current)
        if kind is None:
            break
        fixed = _apply(current, kind)
        if fixed == current:
            break
        current = fixed
        kinds.append(kind)
    if not kinds:
        return current, None
    legacy = [k for k in kinds if k != MOJIBAKE]
    return current, (legacy[0] if legacy else MOJIBAKE)


_WORD_START = re.compile(r"(?<!\w)[^\W\d_]")


def restore_name_case(text: str) -> str:
    """Capitalise the first letter of each word, keeping the rest as it is.

    For names decoded from TCVN3, which has no capital accented letters:
    "nguyễn văn ánh" -> "Nguyễn Văn Ánh"; "H'hen niê" -> "H'Hen Niê"; "NGUYỄN" stays.
    """
    return _WORD_START.sub(lambda m: m.group().upper(), nfc(text))
