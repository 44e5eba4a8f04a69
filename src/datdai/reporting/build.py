"""One entry point for the CLI, the API and the demo: the figures and texts of a store (or of a
roll-up) → the report's bytes in one format."""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection, Sequence

from sqlalchemy import Connection

from datdai.reporting.content import build_report, in_text, province_of
from datdai.reporting.figures import FigureFile, Office, month_figures, to_json
from datdai.reporting.texts import ReportTexts, get_texts

FORMATS = {
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "pdf": "application/pdf",
    "json": "application/json",
}
SERIES_MONTHS = 12


def office_name(texts: ReportTexts, codes: Sequence[str]) -> str:
    """The office as the roll-up names it: the issuing body entered, else "Văn phòng Đăng ký đất
    đai" and the province of its communes."""
    if texts.issuer:
        return texts.issuer
    province = province_of(codes)
    return f"Văn phòng Đăng ký đất đai {in_text(province)}" if province else "Văn phòng Đăng ký đất đai"


def render(source: FigureFile, texts: ReportTexts, fmt: str, *, parts: Sequence[FigureFile] = (),
           today: dt.date | None = None) -> bytes:
    """The report of ``source`` in ``fmt`` (docx, xlsx, pdf, json)."""
    return render_many(source, texts, (fmt,), parts=parts, today=today)[fmt]


def render_many(source: FigureFile, texts: ReportTexts, fmts: Sequence[str], *,
                parts: Sequence[FigureFile] = (), today: dt.date | None = None) -> dict[str, bytes]:
    """The report in several formats, its content (and charts) made once."""
    unknown = [f for f in fmts if f not in FORMATS]
    if unknown:
        raise ValueError(f"định dạng không hỗ trợ: {unknown[0]!r} (docx, xlsx, pdf, json)")
    report = None
    if set(fmts) - {"json"}:
        report = build_report(source, texts, today=today, charts=bool({"docx", "pdf"} & set(fmts)), parts=parts)
    out = {}
    for fmt in fmts:
        if fmt == "json":
            out[fmt] = to_json(source.figures, source.office).encode("utf-8")
        elif fmt == "docx":
            from datdai.reporting.docx_report import render_docx

            out[fmt] = render_docx(report)
        elif fmt == "xlsx":
            from datdai.reporting.xlsx_report import render_xlsx

            out[fmt] = render_xlsx(report)
        else:
            from datdai.reporting.pdf_report import render_pdf

            out[fmt] = render_pdf(report)
    return out


def store_source(conn: Connection, month: str, *, communes: Collection[str] | None = None, scope: str = "",
                 as_of: dt.date | None = None) -> tuple[FigureFile, ReportTexts]:
    """The figures (with the 12-month series) and the texts of one office's report."""
    figures = month_figures(conn, month, communes=communes, as_of=as_of, series_months=SERIES_MONTHS)
    texts = get_texts(conn, scope, month)
    codes = list(figures.scope or ()) + [u.code for u in figures.units]
    return FigureFile(Office(scope, office_name(texts, codes)), figures), texts


def store_report(conn: Connection, month: str, fmt: str, *, communes: Collection[str] | None = None,
                 scope: str = "", as_of: dt.date | None = None, today: dt.date | None = None) -> bytes:
    source, texts = store_source(conn, month, communes=communes, scope=scope, as_of=as_of)
    return render(source, texts, fmt, today=today)


__all__ = ["FORMATS", "SERIES_MONTHS", "office_name", "render", "render_many", "store_report", "store_source"]
