"""``datdai export-c06``: the store's owners in the C06 format (docs/formats/xuat-chu-su-dung-c06.md)."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Annotated

import typer

from datdai.access import purposes
from datdai.apps.commands.common import (
    DbOption,
    app,
    err,
    fail,
    log_cli_read,
    os_user,
    out,
    print_counts,
    progress_bar,
)
from datdai.db.engine import StoreError


def _default_actor() -> str:
    return os_user()


def _scope_text(province: str | None, commune: str | None) -> str:
    return f"tinh={province or '*'} xa={commune or '*'}"


@app.command("export-c06")
def export_c06_cmd(
    out_file: Annotated[Path, typer.Option("--out", help="Tệp chu_su_dung.csv sẽ ghi / output file.")],
    db: DbOption = None,
    province: Annotated[str | None, typer.Option(
        "--province", help="Tỉnh (tên hoặc mã, trước hoặc sau 01/7/2025) / province, old or new.")] = None,
    commune: Annotated[str | None, typer.Option(
        "--commune", help="Mã xã 5 chữ số, nhiều mã cách nhau bằng dấu phẩy / commune codes.")] = None,
    actor: Annotated[str | None, typer.Option(
        "--actor", help="Người xuất, ghi vào nhật ký xuất / who exports (default: the OS user).")] = None,
    bom: Annotated[bool, typer.Option(
        "--bom/--no-bom", help="Ghi BOM UTF-8 ở đầu tệp cho Excel (mặc định) / UTF-8 byte order "
                               "mark for Excel (default).")] = True,
) -> None:
    """Xuất danh sách chủ sử dụng cho C06 (dữ liệu cá nhân) / export the owners for C06."""
    from datdai.db.store import open_store
    from datdai.matching.c06_export import ExportError, export_c06

    try:
        store = open_store(db)
    except StoreError as exc:
        fail(str(exc))
    started = dt.datetime.now(dt.UTC)
    try:
        with progress_bar() as update, store.read() as conn:
            result = export_c06(conn, out_file, province=province, communes=commune, progress=update,
                                actor=actor or _default_actor(), bom=bom)
        # the access log (Decree 13/2023): no file of personal data stays without its row
        log_cli_read(store, actor=actor, action="xuất danh sách chủ sử dụng cho C06 (dòng lệnh)",
                     resource=f"c06_exports/{result.export_id} rows={result.rows} sha256={result.sha256}"
                              f" {_scope_text(province, commune)}",
                     purpose=purposes.RESIDENCE, on_failure=lambda: out_file.unlink(missing_ok=True))
    except (ExportError, StoreError) as exc:
        fail(str(exc))
    finally:
        store.close()

    # Personal data leaves the system: log who, when, what (stderr, one JSON line to keep).
    log = {
        "event": "export-c06", "actor": actor or _default_actor(),
        "at": started.isoformat(timespec="seconds"), "store": store.display_url,
        "province": province, "commune": commune, "rows": result.rows,
        "communes": result.communes, "file": str(out_file.resolve()), "sha256": result.sha256,
        "export_id": result.export_id,
    }
    err.print(f"Nhật ký xuất dữ liệu cá nhân / export log: {json.dumps(log, ensure_ascii=False)}",
              highlight=False, markup=False)
    if result.rows == 0:
        err.print("[yellow]Lưu ý / note:[/] không có chủ sử dụng nào trong phạm vi đã chọn; tệp chỉ có "
                  "dòng tiêu đề / no owners in the selection: header only", highlight=False)
    print_counts(f"Đã xuất chủ sử dụng cho C06 / owners exported → {out_file}", {
        "cơ sở dữ liệu / store": store.display_url,
        "số xã / communes": len(result.communes),
        "số dòng / rows": result.rows,
        "sha256": result.sha256,
        "mã lần xuất / export id": result.export_id or 0,
    })
    out.print(f"Mã lần xuất / export id: {result.export_id}  (dùng với / use with "
              f"`datdai doi-soat nap-ket-qua --export {result.export_id}`)", highlight=False)
