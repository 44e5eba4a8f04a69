"""The report as PDF: an HTML rendering (Jinja2, ``templates/report.html.j2``) laid out by
WeasyPrint with the same Decree 30/2020/NĐ-CP layout as the DOCX (A4, margins 20/20/30/15 mm,
page numbers from page 2, appendix on landscape pages).

The serif font is embedded from the files :func:`datdai.reporting.fonts.liberation_serif` found (a
Liberation Serif with the Vietnamese letters), loaded by file so fontconfig cannot substitute an
older Liberation without them; without it, WeasyPrint falls back to "DejaVu Serif".
"""

from __future__ import annotations

import base64
import functools
from pathlib import Path

import jinja2

from datdai.reporting.content import Column, Report, cell_text
from datdai.reporting.docx_report import HEADER_LEFT_MM, MARGINS_MM
from datdai.reporting.fonts import liberation_serif

FAMILY = "Liberation Serif"  # @font-face rules of this name win over fontconfig's
_FACES = {"regular": ("normal", "normal"), "bold": ("bold", "normal"), "italic": ("normal", "italic"),
          "bold_italic": ("bold", "italic")}


@functools.cache
def _template() -> jinja2.Template:
    env = jinja2.Environment(loader=jinja2.PackageLoader("datdai.reporting", "templates"),
                             autoescape=jinja2.select_autoescape(["html", "j2"]), trim_blocks=False)
    return env.get_template("report.html.j2")


def _align(column: Column, index: int) -> str:
    if column.kind in ("seq", "yesno"):
        return "c"
    return "" if column.kind == "text" else "num"


def _png(chart) -> str:
    return "data:image/png;base64," + base64.b64encode(chart.png).decode("ascii")


def render_html(report: Report) -> str:
    font = liberation_serif()
    faces = []
    if font is not None:
        faces = [{"family": FAMILY, "url": path.resolve().as_uri(), "weight": _FACES[style][0],
                  "style": _FACES[style][1]} for style, path in font.files.items()]
    family = f'"{FAMILY}", "DejaVu Serif", serif' if faces else '"DejaVu Serif", serif'  # |safe in the template
    return _template().render(r=report, fonts=faces, family=family, m=MARGINS_MM, header_left=HEADER_LEFT_MM, cell=cell_text,
                              align=_align, png=_png, zip=zip, kind=lambda b: type(b).__name__)


def render_pdf(report: Report) -> bytes:
    from weasyprint import HTML

    return HTML(string=render_html(report), base_url=str(Path.cwd())).write_pdf()


__all__ = ["render_html", "render_pdf"]
