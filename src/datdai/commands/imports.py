"""``datdai import``: load a delivery into the store, checked, in one transaction."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from datdai.commands.common import DbOption, app, err, fail, out, print_counts, progress_bar
from datdai.ingest.errors import DeliveryError
from datdai.store.db import StoreError


@app.command("import")
def import_(
    parcels: Annotated[Path, typer.Option(
        "--parcels", help="Lớp thửa đất: GeoPackage, Shapefile (.zip hoặc thư mục), DGN, GeoJSON.")],
    register: Annotated[Path, typer.Option("--register", help="Sổ địa chính: CSV hoặc XLSX.")],
    db: DbOption = None,
    config: Annotated[Path | None, typer.Option(
        "--config", help="Tệp cấu hình TOML (múi chiếu, tham số quy tắc).")] = None,
    actor: Annotated[str, typer.Option(
        "--actor", help="Người thực hiện, ghi vào nhật ký thay đổi / who imports.")] = "datdai",
) -> None:
    """Nạp một giao nộp vào cơ sở dữ liệu (kiểm tra, tự sửa lỗi an toàn) / import a delivery."""
    from datdai.store.delivery_import import import_delivery
    from datdai.store.store import open_store

    try:
        store = open_store(db, create=True)
    except StoreError as exc:
        fail(str(exc))
    try:
        with progress_bar() as update:
            result = import_delivery(store, parcels, register, config=config, actor=actor,
                                     progress=update)
    except (DeliveryError, StoreError) as exc:
        fail(str(exc))
    except KeyboardInterrupt:
        err.print("Đã dừng: không nhập gì — giao dịch đã hoàn tác, cơ sở dữ liệu như trước khi chạy / "
                  "interrupted: nothing imported, the transaction was rolled back", highlight=False)
        raise typer.Exit(130) from None
    finally:
        store.close()

    if result.already_imported:
        when = f" ngày {result.imported_at:%d/%m/%Y %H:%M}" if result.imported_at else ""
        out.print(f"Giao nộp này đã được nhập (giao nộp #{result.delivery_id}{when}); không thay đổi"
                  " / this delivery was already imported; nothing changed", highlight=False)
        return
    for w in result.warnings:
        err.print(f"[yellow]Lưu ý / note:[/] {w}", highlight=False)
    c = result.counts
    print_counts(f"Đã nhập giao nộp #{result.delivery_id} / delivery imported", {
        "cơ sở dữ liệu / store": store.display_url,
        "thửa đất / parcels": c["parcels"],
        "người sử dụng đất / parties": c["parties"],
        "giấy tờ tùy thân / identity documents": c["identity_documents"],
        "hồ sơ (GCN) / holdings": c["holdings"],
        "quyền / rights": c["rights"],
        "giấy chứng nhận / certificates": c["certificates"],
        "lần kiểm tra / quality run": result.run_id or 0,
        "lô nhật ký nạp / load audit batch": result.load_batch_id or 0,
        "lô tự sửa / auto-fix audit batch": result.fix_batch_id or "—",
    })
    print_counts("Phát hiện theo quy tắc / findings by rule", {
        **{code: n for code, n in result.findings_by_rule.items()},
        "tổng / total": c["findings"],
        "đã tự sửa / auto-fixed": result.auto_fixed,
    })
    skipped = c.get("skipped_features", 0) + c.get("skipped_register_rows", 0)
    if skipped:
        err.print(f"[yellow]Lưu ý / note:[/] {skipped} dòng không có khóa thửa hợp lệ, không nạp"
                  " (xem các phát hiện) / rows without a usable parcel key were not stored",
                  highlight=False)
