"""``datdai report``: the monthly Project 06 report (DOCX, XLSX, PDF) or its figure file (JSON)
from a store, or a province's / the ministry's roll-up of several offices' figures."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path
from typing import Annotated

import typer

from datdai.apps.commands.common import DbOption, app, fail, open_store_or_fail, print_counts

FORMAT_NAMES = ("docx", "xlsx", "pdf", "json")


def _write_atomic(path: Path, data: bytes) -> None:
    """Write ``data`` to ``path`` through a temporary file in the same folder: a failure leaves
    no partial file behind."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(data)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def _check_month(month: str) -> None:
    from datdai.dossiers.errors import InvalidInput
    from datdai.dossiers.stats import month_bounds

    try:
        month_bounds(month)
    except InvalidInput:
        fail(f"--month: tháng không hợp lệ {month!r}, cần dạng YYYY-MM (ví dụ 2025-10) / "
             "invalid month, expected YYYY-MM")


@app.command("report")
def report_cmd(
    month: Annotated[str, typer.Option("--month", help="Tháng báo cáo, dạng YYYY-MM / report month.")],
    fmt: Annotated[str, typer.Option("--format", help="docx, xlsx, pdf, hoặc json (tệp số liệu để tổng "
                                                      "hợp) / output format.")],
    out_file: Annotated[Path, typer.Option("--out", help="Tệp sẽ ghi / output file.")],
    db: DbOption = None,
    scope: Annotated[str | None, typer.Option(
        "--scope", help="Chỉ tính các tỉnh (2 chữ số) hoặc xã (5 chữ số) này, cách nhau bằng dấu phẩy / "
        "only these province or commune codes.")] = None,
    sources: Annotated[list[str] | None, typer.Option(
        "--from", help="Báo cáo tổng hợp: tệp số liệu JSON của đơn vị hoặc cơ sở dữ liệu của đơn vị "
        "(nhắc lại cho mỗi đơn vị) / roll-up: an office's figure file or store (repeat).")] = None,
    as_of: Annotated[str | None, typer.Option(
        "--as-of", help="Tính hồ sơ đang giải quyết quá hạn đến ngày dd/mm/yyyy (mặc định hôm nay) / "
        "judge open dossiers overdue as of this day.")] = None,
) -> None:
    """Báo cáo tháng Đề án 06 / the monthly Project 06 report."""
    from datdai.db.engine import StoreError
    from datdai.dossiers.calendar import parse_vn_date
    from datdai.reporting.build import render, store_source
    from datdai.reporting.figures import FiguresFileError, Office
    from datdai.reporting.rollup import read_source, rollup, rollup_office_name
    from datdai.reporting.scope import communes_in_scope, parse_codes
    from datdai.reporting.texts import ReportTexts, get_texts, scope_code

    fmt = (fmt or "").strip().lower()
    if fmt not in FORMAT_NAMES:
        fail(f"--format: định dạng không hỗ trợ {fmt!r} (docx, xlsx, pdf, json) / unsupported format")
    _check_month(month)
    day = None
    if as_of:
        try:
            day = parse_vn_date(as_of)
        except ValueError as exc:
            fail(f"--as-of: {exc}")
    try:
        codes = parse_codes(scope)
    except ValueError as exc:
        fail(f"--scope: {exc}")
    key = scope_code(codes)

    if sources:
        try:
            parts = [read_source(s, month, as_of=day) for s in sources]
        except (FiguresFileError, StoreError) as exc:
            fail(str(exc))
        texts = ReportTexts(key, month)
        if db:
            store = open_store_or_fail(db)
            try:
                with store.read() as conn:
                    texts = get_texts(conn, key, month)
            finally:
                store.close()
        try:
            source = rollup(parts, Office(key, rollup_office_name(texts, parts)))
        except FiguresFileError as exc:
            fail(str(exc))
        data = render(source, texts, fmt, parts=parts)
        counts = {"đơn vị / offices": len(parts)}
    else:
        store = open_store_or_fail(db)
        try:
            with store.read() as conn:
                communes = None
                if codes:
                    communes = communes_in_scope(conn, codes)
                    if not communes:
                        fail(f"--scope: không có xã nào của {', '.join(codes)} trong cơ sở dữ liệu / "
                             "no commune of these codes in the store")
                source, texts = store_source(conn, month, communes=communes, scope=key, as_of=day)
        finally:
            store.close()
        data = render(source, texts, fmt)
        counts = {"cơ sở dữ liệu / store": store.display_url}
    try:
        _write_atomic(out_file, data)
    except OSError as exc:
        fail(f"--out: không ghi được tệp '{out_file}': {exc.strerror} / cannot write")
    f = source.figures
    counts.update({
        "tháng / month": f.month,
        "đơn vị báo cáo / office": source.office.name,
        "hồ sơ tiếp nhận / dossiers received": f.service_totals.total,
        "trong đó trực tuyến / online": f.service_totals.online,
        "xã / communes": f.unit_totals.communes,
        "thửa đất / parcels": f.unit_totals.parcels,
        "người sử dụng đất đã cập nhật / land users updated":
            f"{f.unit_totals.land_users_updated} / {f.unit_totals.land_users}",
        "tệp / file": str(out_file),
        "kích thước / bytes": len(data),
    })
    print_counts(f"Báo cáo tháng Đề án 06 / monthly report ({fmt.upper()})", counts)
