"""``datdai reconcile``: match land users with the population register (docs/cli.md)."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Annotated

import typer

from datdai.apps.commands.common import app, err, fail, out, print_counts, progress_bar
from datdai.kernel.text import vn_int, vn_number, vn_percent


@app.command()
def reconcile(
    owners: Annotated[Path, typer.Option(
        "--owners", help="Tệp chủ sử dụng (chu_su_dung.csv, docs/formats/xuat-chu-su-dung-c06.md).")],
    population: Annotated[Path, typer.Option(
        "--population", help="Tệp trích xuất dân cư (dan_cu.csv, docs/formats/trich-xuat-dan-cu.md).")],
    out_file: Annotated[Path, typer.Option(
        "--out", help="Tệp kết quả ket_qua_doi_soat.csv / result CSV.")],
    qr: Annotated[Path | None, typer.Option(
        "--qr", help="Mã QR thẻ CCCD đã quét (tệp văn bản mỗi dòng một mã, ảnh, hoặc thư mục): "
                     "bằng chứng liên kết CMND cũ → CCCD.")] = None,
    engine: Annotated[str, typer.Option(
        "--engine", help="duckdb (mặc định) hoặc spark (cục bộ, hoặc theo SPARK_REMOTE/SPARK_MASTER).")] = "duckdb",
) -> None:
    """Đối soát chủ sử dụng với CSDLQG về dân cư / reconcile owners with the register."""
    if engine not in ("duckdb", "spark"):
        fail(f"--engine phải là duckdb hoặc spark, không phải '{engine}'")
    from datdai.matching.result import reconcile_files

    started = time.perf_counter()
    with progress_bar() as update:
        result = reconcile_files(owners, population, out_file, progress=update,
                                 engine=engine, qr=qr)
    counts = {k: result.counts.get(k, 0) for k in ("KHOP", "CAN_XAC_MINH", "KHONG_KHOP")}
    counts["tổng / total"] = result.table.num_rows
    counts["thời gian / seconds"] = vn_number(time.perf_counter() - started, 1)
    print_counts(f"Kết quả đối soát / reconciliation → {out_file}", counts)
    report_run(result, out_file)


def report_run(result, out_file: Path) -> None:
    """What the run did and what to doubt: blocking, model, notes, warnings (also in the
    summary file beside the result)."""
    from datdai.matching.result import explanation_path, summary_path

    s = result.summary
    block = s.get("khoi", {})
    recall = block.get("do_phu_tren_cap_da_biet")
    figures: dict[str, int | str] = {
        "cặp ứng viên / candidate pairs": block.get("cap_ung_vien", 0),
        "dòng cần tìm, không có ứng viên / rows searched, without candidates":
            f"{vn_int(block.get('dong_can_tim', 0))}, {vn_int(block.get('dong_khong_co_ung_vien', 0))}",
        "độ phủ phân khối trên cặp khớp theo số định danh / blocking recall on ID pairs":
            (f"{vn_percent(100 * recall['do_phu'], 2)} ({vn_int(recall['cap_da_biet'])} cặp)"
             if recall else "không có cặp khớp theo số định danh để đo / no ID pairs to measure"),
        "tỷ lệ chủ có trong CSDL (ước lượng) / share present (estimated)":
            vn_percent(100 * s.get("nguong", {}).get("ty_le_co_trong_csdl", 0.0), 1),
    }
    print_counts("Phân khối và mô hình / blocking and model", figures)
    for note in result.notes:
        out.print(f"[cyan]Ghi chú / note:[/cyan] {note}", highlight=False)
    for warning in result.warnings:
        err.print(f"[bold yellow]CẢNH BÁO / WARNING:[/bold yellow] {warning}", highlight=False)
    out.print(f"Giải thích từng ứng viên / per-candidate explanation: {explanation_path(out_file)}\n"
              f"Tóm tắt lần chạy / run summary: {summary_path(out_file)}", highlight=False)
