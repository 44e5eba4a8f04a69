"""``datdai dan-cu …``: the population register extract in the store (evidence for reconciling)."""

from __future__ import annotations

import getpass
from pathlib import Path
from typing import Annotated

import typer

from datdai.apps.commands.common import (
    DbOption,
    app,
    err,
    fail,
    open_store_or_fail,
    out,
    print_counts,
    progress_bar,
)
from datdai.db.engine import StoreError
from datdai.kernel.errors import DatdaiError
from datdai.kernel.text import vn_date

population_app = typer.Typer(
    help="Bản trích CSDL quốc gia về dân cư trong cơ sở dữ liệu / the population extract in the store.",
    no_args_is_help=True)
app.add_typer(population_app, name="dan-cu")


@population_app.command("nap")
def load(
    file: Annotated[Path, typer.Option("--file", help="Tệp dan_cu.csv (docs/formats/trich-xuat-dan-cu.md).")],
    db: DbOption = None,
    extract_date: Annotated[str | None, typer.Option(
        "--ngay-trich-xuat", help="Ngày C06 trích xuất, dd/mm/yyyy / extraction date.")] = None,
    actor: Annotated[str | None, typer.Option(
        "--nguoi", "--actor", help="Người nạp (mặc định: tài khoản hệ điều hành) / who loads.")] = None,
) -> None:
    """Nạp hoặc thay bản trích dân cư (một giao dịch) / load or replace the population extract."""
    from datdai.dossiers.calendar import parse_vn_date
    from datdai.matching.population_load import load_population

    try:
        day = parse_vn_date(extract_date) if extract_date else None
    except ValueError as exc:
        fail(f"--ngay-trich-xuat: {exc}")
    store = open_store_or_fail(db)
    notes: list[str] = []
    try:
        with progress_bar() as update:
            done = load_population(store, file, actor=actor or getpass.getuser(), extract_date=day,
                                   notes=notes, progress=update)
    except KeyboardInterrupt:
        err.print("Đã dừng: không nạp gì, bản trích cũ vẫn giữ nguyên (giao dịch đã hoàn tác) / "
                  "interrupted: nothing loaded, the previous extract is kept")
        raise typer.Exit(130) from None
    except (DatdaiError, StoreError) as exc:
        fail(str(exc))
    finally:
        store.close()
    for n in notes:
        err.print(f"[yellow]Lưu ý / note:[/] {n}", highlight=False)
    if done.already_loaded:
        out.print(f"Tệp này đã là bản trích hiện hành (#{done.extract_id}); không thay đổi / this file is "
                  "already the current extract; nothing changed", highlight=False)
        return
    print_counts(f"Đã nạp bản trích dân cư #{done.extract_id} / population extract loaded", {
        "cơ sở dữ liệu / store": store.display_url,
        "tệp / file": str(file),
        "ngày trích xuất / extracted on": vn_date(day) if day else "—",
        "công dân / citizens": done.rows,
        "thay bản trích / replaces extract": f"#{done.replaced}" if done.replaced else "—",
    })
