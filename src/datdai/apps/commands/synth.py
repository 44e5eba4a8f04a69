"""``datdai synth``: a synthetic province with noise and its ground truth."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from datdai.apps.commands.common import app, fail, print_counts, progress_bar


@app.command()
def synth(
    out_dir: Annotated[Path, typer.Option("--out", help="Thư mục ghi kết quả / output folder.")],
    parcels: Annotated[int, typer.Option(min=10, max=5_000_000, help="Số thửa đất / number of parcels.")] = 20000,
    seed: Annotated[int, typer.Option(help="Hạt giống ngẫu nhiên / random seed.")] = 1,
    province: Annotated[str, typer.Option(help="Tỉnh (tên cũ) / old province name.")] = "Bình Phước",
) -> None:
    """Sinh một tỉnh giả lập có nhiễu và đáp án / write a synthetic province with ground truth."""
    from datdai import synth as synth_mod

    try:
        out_dir.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        fail(f"không tạo được thư mục '{out_dir}': {exc.strerror}")
    with progress_bar() as update:
        try:
            summary = synth_mod.run(out_dir, parcels=parcels, seed=seed, province=province, progress=update)
        except ValueError as exc:
            fail(str(exc))
    print_counts(f"Đã sinh dữ liệu giả lập vào {out_dir} / synthetic data written", summary.counts)
