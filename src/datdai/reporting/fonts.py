"""The serif font of the PDF and the charts: Liberation Serif (Times New Roman's metrics) — only a
version with the Vietnamese letters (ễ, ư, ộ…: Latin Extended Additional).

Debian's ``fonts-liberation`` (1.07) lacks them; ``fonts-liberation2`` (2.x) has them. Both may be
installed under the same family name, so the files are chosen here by what they cover, not by
name. ``DATDAI_REPORT_FONT_DIR`` adds a folder to search first.
"""

from __future__ import annotations

import functools
import os
from dataclasses import dataclass
from pathlib import Path

SEARCH_DIRS = ("/usr/share/fonts/truetype/liberation2", "/usr/share/fonts/truetype/liberation",
               "/usr/share/fonts/liberation2", "/usr/share/fonts/liberation", "/usr/local/share/fonts")
STYLES = {"regular": "LiberationSerif-Regular.ttf", "bold": "LiberationSerif-Bold.ttf",
          "italic": "LiberationSerif-Italic.ttf", "bold_italic": "LiberationSerif-BoldItalic.ttf"}
VIETNAMESE_SAMPLE = "ĂăÂâĐđÊêÔôƠơƯưẠạẢảẤấẦầẨẩẪẫẬậẮắẰằẲẳẴẵẶặẸẹẺẻẼẽẾếỀềỂểỄễỆệỈỉỊịỌọỎỏỐốỒồỔổỖỗỘộỚớỜờỞởỠỡỢợỤụỦủỨứỪừỬửỮữỰựỲỳỴỵỶỷỸỹ"


@dataclass(frozen=True)
class SerifFont:
    family: str
    files: dict[str, Path]  # style → file


def covers_vietnamese(path: Path) -> bool:
    from fontTools.ttLib import TTFont

    try:
        with TTFont(str(path), lazy=True) as font:
            cmap = font.getBestCmap() or {}
    except Exception:  # not a font file we can read
        return False
    return all(ord(ch) in cmap for ch in VIETNAMESE_SAMPLE)


@functools.cache
def liberation_serif() -> SerifFont | None:
    """The four styles of a Liberation Serif that covers Vietnamese, or None."""
    dirs = [os.environ["DATDAI_REPORT_FONT_DIR"]] if os.environ.get("DATDAI_REPORT_FONT_DIR") else []
    for d in [*dirs, *SEARCH_DIRS]:
        files = {style: Path(d) / name for style, name in STYLES.items()}
        if all(p.is_file() for p in files.values()) and all(covers_vietnamese(p) for p in files.values()):
            return SerifFont("Liberation Serif", files)
    return None


__all__ = ["SerifFont", "covers_vietnamese", "liberation_serif"]
