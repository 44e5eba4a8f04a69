"""``datdai check``: run every quality rule on a delivery, without touching the store."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Annotated

import typer

from datdai.apps.commands.common import app, err, fail, out, progress_bar
from datdai.kernel.text import vn_int


def _list_rules() -> None:
    from rich.table import Table

    from datdai.cleaning.registry import all_rules

    table = Table(title="Danh mục quy tắc kiểm tra / rule catalog", title_justify="left")
    table.add_column("Mã", no_wrap=True)
    for col in ("Đối tượng", "Mức", "Tên", "Tham số (mặc định)"):
        table.add_column(col, overflow="fold")
    for r in all_rules():
        params = "; ".join(f"{p.name}={p.default}" for p in r.params) or "—"
        table.add_row(r.code, r.target.value, r.severity.value,
                      r.title + (" (tự sửa)" if r.auto_fix else ""), params)
    out.print(table)


@app.command()
def check(
    parcels: Annotated[Path | None, typer.Option(
        "--parcels", help="Lớp thửa đất: GeoPackage, Shapefile (.zip hoặc thư mục), DGN, GeoJSON.")] = None,
    register: Annotated[Path | None, typer.Option(
        "--register", help="Sổ địa chính: CSV hoặc XLSX.")] = None,
    out_file: Annotated[Path | None, typer.Option(
        "--out", help="Tệp kết quả loi_du_lieu.csv / findings CSV.")] = None,
    config: Annotated[Path | None, typer.Option(
        "--config", help="Tệp cấu hình TOML (múi chiếu, tham số quy tắc).")] = None,
    engine: Annotated[str, typer.Option(
        "--engine", help="duckdb (mặc định) hoặc spark.")] = "duckdb",
    list_rules: Annotated[bool, typer.Option(
        "--list-rules", help="Liệt kê các quy tắc rồi thoát / list the rules.")] = False,
) -> None:
    """Kiểm tra chất lượng một giao nộp, không ghi vào cơ sở dữ liệu / check a delivery."""
    if list_rules:
        _list_rules()
        return
    missing = [name for name, v in (("--parcels", parcels), ("--register", register),
                                    ("--out", out_file)) if v is None]
    if missing:
        fail(f"thiếu tham số {', '.join(missing)} / missing options")
    if engine not in ("duckdb", "spark"):
        fail(f"--engine phải là duckdb hoặc spark, không phải '{engine}'")

    from datdai.cleaning.check import check_delivery_kept
    from datdai.compute import open_engine

    started = time.perf_counter()
    with progress_bar() as update:
        with open_engine(engine) as eng:
            # the findings stay in the engine: counted there, written by it (on Spark, by
            # the executors), never held whole here
            result, delivery = check_delivery_kept(parcels, register, config=config,
                                                   engine=eng, progress=update)
            result.write_csv(out_file)
            by_rule = result.count_by_rule()
            figures = result.commune_figures()
    for w in delivery.warnings:
        err.print(f"[yellow]Lưu ý / note:[/] {w}", highlight=False)
    _print_summary(result, by_rule, figures, out_file, time.perf_counter() - started)


def _print_summary(result, by_rule: dict[str, int], figures, out_file: Path,
                   seconds: float) -> None:
    from rich.table import Table

    table = Table(title=f"Kết quả kiểm tra / findings → {out_file}", title_justify="left")
    table.add_column("Quy tắc")
    table.add_column("Số lỗi", justify="right")
    for code in [r.code for r in result.rules]:
        table.add_row(code, vn_int(by_rule.get(code, 0)))
    table.add_row("Tổng / total", vn_int(sum(by_rule.values())))
    out.print(table)
    t2 = Table(title="Theo xã / per commune", title_justify="left")
    for col in ("Mã xã", "Số thửa", "Thửa có lỗi", "Tỷ lệ sạch", "Phát hiện", "Tự sửa được"):
        t2.add_column(col, justify="right")
    for f in figures:
        t2.add_row(f.ma_xa, vn_int(f.parcels),
                   f"{f.parcels_with_errors:,}".replace(",", "."),
                   f"{f.clean_pct:.1f} %".replace(".", ","),
                   f"{f.findings:,}".replace(",", "."), f"{f.auto_fixable:,}".replace(",", "."))
    out.print(t2)
    out.print(f"Thời gian / time: {seconds:.1f} s")
