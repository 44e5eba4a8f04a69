"""``datdai reconcile``: match land users with the population register (spec/cli.md)."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Annotated

import typer

from datdai.cli import app, fail, print_counts, progress_bar


@app.command()
def reconcile(
    owners: Annotated[Path, typer.Option(
        "--owners", help="Tệp chủ sử dụng (chu_su_dung.csv, spec c06-owners.md).")],
    population: Annotated[Path, typer.Option(
        "--population", help="Tệp trích xuất dân cư (dan_cu.csv, spec population-extract.md).")],
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
    from datdai.reconcile.result import reconcile_files

    started = time.perf_counter()
    with progress_bar() as update:
        result = reconcile_files(owners, population, out_file, progress=update,
                                 engine=engine, qr=qr)
    counts = {k: result.counts.get(k, 0) for k in ("KHOP", "CAN_XAC_MINH", "KHONG_KHOP")}
    counts["tổng / total"] = result.table.num_rows
    counts["thời gian / seconds"] = f"{time.perf_counter() - started:.1f}"
    print_counts(f"Kết quả đối soát / reconciliation → {out_file}", counts)
