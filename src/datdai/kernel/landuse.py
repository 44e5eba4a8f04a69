"""Land use codes (loại đất / mục đích sử dụng đất) as versioned data (REFERENCE.md §5).

Data files in ``data/``:

- ``landuse_versions.csv`` — one row per list: ``version`` (the circular, e.g.
  "08/2024/TT-BTNMT"), ``key`` (short name, "2024"), ``file``, ``current`` (1 for the list in
  force), ``status``, ``note``;
- ``landuse_2018.csv`` — Circular 27/2018/TT-BTNMT; ``landuse_2024.csv`` — Circular
  08/2024/TT-BTNMT appendix II. Columns ``code,name,group,status,source``. ``group`` is one of
  :data:`GROUPS`. Only the detailed codes a parcel can carry are listed, not the aggregate
  statistics codes. ``status``: ``confirmed`` (stated in REFERENCE.md §5), ``recalled`` (from
  the circular as known to the author, not checked against the gazette here), ``unconfirmed``
  (in the 2024 list only because it was carried over from 2018: the full 2024 list is not
  confirmed here — replace the file once it is);
- ``landuse_conversion.csv`` — ``old_code,new_code,one_to_one,status,note``: each old code's
  new code(s). ``one_to_one`` is 1 when the old code converts to exactly that new code without
  looking at the parcel; an old code with several rows (NKH → NKH or CNT) needs a review.

Old data mixes both lists: a code is *current* when it is in the list in force, *old* when it
is in the old list (a code kept unchanged is both); :meth:`LandUseCatalog.needs_conversion` is
true for an old code that is not current.
"""

from __future__ import annotations

import csv
import re
from dataclasses import dataclass
from functools import cache
from importlib import resources

NONG_NGHIEP = "NONG_NGHIEP"  # đất nông nghiệp (agricultural)
PHI_NONG_NGHIEP = "PHI_NONG_NGHIEP"  # đất phi nông nghiệp (non-agricultural)
CHUA_SU_DUNG = "CHUA_SU_DUNG"  # đất chưa sử dụng (unused)
GROUPS: tuple[str, ...] = (NONG_NGHIEP, PHI_NONG_NGHIEP, CHUA_SU_DUNG)

_SPLIT = re.compile(r"[+,;/&|\-\s]+")


@dataclass(frozen=True, slots=True)
class LandUseCode:
    code: str
    name: str
    group: str
    status: str  # confirmed / recalled / unconfirmed
    source: str


@dataclass(frozen=True, slots=True)
class LandUseVersion:
    version: str  # e.g. "08/2024/TT-BTNMT"
    key: str  # e.g. "2024"
    current: bool
    status: str
    note: str
    codes: dict[str, LandUseCode]


@dataclass(frozen=True, slots=True)
class Conversion:
    old_code: str
    new_code: str
    one_to_one: bool
    status: str
    note: str


def _read_csv(name: str) -> list[dict[str, str]]:
    text = resources.files("datdai.kernel").joinpath(f"data/{name}").read_text("utf-8-sig")
    return list(csv.DictReader(text.splitlines()))


def _norm(code: str) -> str:
    return code.strip().upper() if isinstance(code, str) else ""


class LandUseCatalog:
    """The land use code lists and the conversion table. Use :func:`catalog` to get it."""

    def __init__(self) -> None:
        versions: list[LandUseVersion] = []
        for row in _read_csv("landuse_versions.csv"):
            codes: dict[str, LandUseCode] = {}
            for r in _read_csv(row["file"]):
                code = _norm(r["code"])
                if code in codes:
                    raise ValueError(f"mã loại đất {code} lặp trong {row['file']}")
                if r["group"] not in GROUPS:
                    raise ValueError(f"nhóm đất {r['group']!r} không hợp lệ trong {row['file']}")
                codes[code] = LandUseCode(code, r["name"], r["group"], r["status"], r["source"])
            versions.append(
                LandUseVersion(row["version"], row["key"], row["current"] == "1",
                               row["status"], row["note"], codes)
            )
        current = [v for v in versions if v.current]
        if len(current) != 1:
            raise ValueError("landuse_versions.csv phải có đúng một danh mục hiện hành")
        self._versions = tuple(versions)
        self._current = current[0]
        older = [v for v in versions if not v.current]
        # The old list: the last non-current one listed (the versions file is in date order).
        self._old = older[-1] if older else current[0]

        self._conversion: dict[str, list[Conversion]] = {}
        for r in _read_csv("landuse_conversion.csv"):
            c = Conversion(_norm(r["old_code"]), _norm(r["new_code"]), r["one_to_one"] == "1",
                           r["status"], r["note"])
            if c.old_code not in self._old.codes:
                raise ValueError(f"bảng chuyển đổi: {c.old_code} không có trong danh mục cũ")
            if c.new_code not in self._current.codes:
                raise ValueError(f"bảng chuyển đổi: {c.new_code} không có trong danh mục hiện hành")
            self._conversion.setdefault(c.old_code, []).append(c)

    # -- versions ---------------------------------------------------------------------------
    @property
    def version_current(self) -> str:
        """The circular of the list in force, e.g. "08/2024/TT-BTNMT"."""
        return self._current.version

    @property
    def version_old(self) -> str:
        return self._old.version

    @property
    def status_current(self) -> str:
        """"unconfirmed" while the list in force is not confirmed (REFERENCE.md §5)."""
        return self._current.status

    @property
    def versions(self) -> tuple[str, ...]:
        return tuple(v.version for v in self._versions)

    @property
    def groups(self) -> tuple[str, ...]:
        return GROUPS

    def _version(self, version: str | None) -> LandUseVersion:
        if version is None:
            return self._current
        for v in self._versions:
            if version in (v.version, v.key):
                return v
        raise ValueError(f"không có danh mục loại đất phiên bản {version!r}")

    # -- lookups ----------------------------------------------------------------------------
    def codes(self, version: str | None = None) -> tuple[str, ...]:
        """All codes of a list (default: the list in force), in the file's order."""
        return tuple(self._version(version).codes)

    def codes_in_group(self, group: str, version: str | None = None) -> tuple[str, ...]:
        if group not in GROUPS:
            raise ValueError(f"nhóm đất {group!r} không hợp lệ; dùng một trong {GROUPS}")
        return tuple(c.code for c in self._version(version).codes.values() if c.group == group)

    def is_current(self, code: str) -> bool:
        return _norm(code) in self._current.codes

    def is_old(self, code: str) -> bool:
        """In the old list (true also for a code the new list kept)."""
        return _norm(code) in self._old.codes

    def is_known(self, code: str) -> bool:
        return self.is_current(code) or self.is_old(code)

    def needs_conversion(self, code: str) -> bool:
        """An old code that is not in the list in force (e.g. BHK)."""
        return self.is_old(code) and not self.is_current(code)

    def entry(self, code: str) -> LandUseCode | None:
        code = _norm(code)
        return self._current.codes.get(code) or self._old.codes.get(code)

    def name(self, code: str) -> str | None:
        """The name in the list in force, else in the old list; None for an unknown code."""
        e = self.entry(code)
        return e.name if e else None

    def group(self, code: str) -> str | None:
        e = self.entry(code)
        return e.group if e else None

    # -- conversion -------------------------------------------------------------------------
    def convert(self, old_code: str) -> list[str]:
        """The new code(s) for an old code. A code already current and not in the conversion
        table converts to itself; an unknown code converts to nothing ([])."""
        code = _norm(old_code)
        if code in self._conversion:
            return [c.new_code for c in self._conversion[code]]
        if code in self._current.codes:
            return [code]
        return []

    def is_one_to_one(self, old_code: str) -> bool:
        """True when the old code converts to exactly one new code without a review."""
        code = _norm(old_code)
        rows = self._conversion.get(code)
        if rows is None:
            return code in self._current.codes
        return len(rows) == 1 and rows[0].one_to_one


@cache
def catalog() -> LandUseCatalog:
    """The catalog, loaded once."""
    return LandUseCatalog()


def codes_in_group(group: str, version: str | None = None) -> tuple[str, ...]:
    """Codes of a group (:data:`GROUPS`) in a list (default: the one in force; "2018", "2024" or
    the circular's number)."""
    return catalog().codes_in_group(group, version)


def parse_codes(text: str | None) -> tuple[str, ...]:
    """Split a land use label into codes: "ODT+CLN", "ODT, CLN", "odt/cln", "ODT - CLN" all give
    ("ODT", "CLN"). Upper-cased, spaces stripped, empty parts and repeats dropped, order kept.
    No validation: check the codes with :func:`catalog`."""
    if not text:
        return ()
    out: list[str] = []
    for part in _SPLIT.split(str(text).upper()):
        if part and part not in out:
            out.append(part)
    return tuple(out)
