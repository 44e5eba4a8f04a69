"""``datdai import``: load a delivery into the store, checked, in one transaction."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

from datdai.apps.commands.common import (
    DbOption,
    app,
    err,
    fail,
    out,
    print_counts,
    progress_bar,
    store_session,
)
from datdai.cleaning.readers.errors import DeliveryError
from datdai.db.engine import StoreError
from datdai.kernel.errors import DatdaiError
from datdai.kernel.text import vn_int

EXAMPLES = 5  # rows of each kind of change shown in the terminal (the file has them all)


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
    plan: Annotated[bool, typer.Option(
        "--plan", help="Chỉ xem trước thay đổi theo từng thửa so với CSDL, không ghi gì / show the "
        "per-parcel plan, change nothing.")] = False,
    plan_out: Annotated[Path | None, typer.Option(
        "--plan-out", help="Ghi kế hoạch thay đổi ra tệp: CSV (UTF-8 có BOM) hoặc .json / write the plan "
        "to a file.")] = None,
    cap_nhat: Annotated[bool, typer.Option(
        "--cap-nhat", help="Áp dụng giao nộp sửa cho xã đã có dữ liệu: cập nhật từng thửa trong một lô "
        "nhật ký, hoàn tác được / apply a corrected delivery to loaded communes.")] = False,
) -> None:
    """Nạp một giao nộp vào cơ sở dữ liệu (kiểm tra, tự sửa lỗi an toàn) / import a delivery."""
    from datdai.cleaning.delivery_import import import_delivery
    from datdai.db.store import open_store

    try:
        store = open_store(db, create=True)
    except StoreError as exc:
        fail(str(exc))
    if plan or cap_nhat or plan_out is not None:
        _redeliver(store, parcels, register, config=config, actor=actor, apply=cap_nhat and not plan,
                   plan_out=plan_out)
        return
    try:
        with progress_bar() as update:
            result = import_delivery(store, parcels, register, config=config, actor=actor,
                                     progress=update)
    except (DeliveryError, StoreError) as exc:
        fail(str(exc))
    except KeyboardInterrupt:
        _interrupted()
    finally:
        store.close()

    if _already_imported_or_warn(result):
        return
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


def _interrupted() -> None:
    """Ctrl-C during an import: the transaction was rolled back; say so and exit 130."""
    err.print("Đã dừng: không nhập gì — giao dịch đã hoàn tác, cơ sở dữ liệu như trước khi chạy / "
              "interrupted: nothing imported, the transaction was rolled back", highlight=False)
    raise typer.Exit(130) from None


def _already_imported_or_warn(result) -> bool:
    """True (said on the console) when the delivery was already imported; else print its
    readers' warnings and return False."""
    if result.already_imported:
        when = f" ngày {result.imported_at:%d/%m/%Y %H:%M}" if result.imported_at else ""
        out.print(f"Giao nộp này đã được nhập (giao nộp #{result.delivery_id}{when}); không thay đổi"
                  " / this delivery was already imported; nothing changed", highlight=False)
        return True
    for w in result.warnings:
        err.print(f"[yellow]Lưu ý / note:[/] {w}", highlight=False)
    return False


def _redeliver(store, parcels: Path, register: Path, *, config: Path | None, actor: str, apply: bool,
               plan_out: Path | None) -> None:
    from datdai.cleaning.redelivery.apply import redeliver
    from datdai.cleaning.redelivery.plan_file import write_plan

    try:
        with progress_bar() as update:
            result = redeliver(store, parcels, register, config=config, actor=actor, apply=apply,
                               progress=update)
    except (DeliveryError, DatdaiError) as exc:
        fail(str(exc))
    except KeyboardInterrupt:
        _interrupted()
    finally:
        store.close()
    if _already_imported_or_warn(result):
        return
    print_plan(result.plan)
    for w in result.plan.warnings():
        err.print(f"[bold yellow]Cảnh báo / warning:[/] {w}", highlight=False)
    if plan_out is not None:
        write_plan(result.plan, plan_out)
        err.print(f"Đã ghi kế hoạch thay đổi vào / plan written to {plan_out}", highlight=False)
    if not result.applied:
        out.print("Chỉ xem trước: chưa thay đổi gì. Áp dụng bằng --cap-nhat / plan only, nothing changed; "
                  "apply with --cap-nhat", highlight=False)
        return
    c = result.counts
    print_counts(f"Đã áp dụng giao nộp sửa #{result.delivery_id} / corrected delivery applied", {
        "lô nhật ký (hoàn tác: datdai import-undo) / audit batch": result.batch_id or 0,
        "thửa cập nhật / parcels updated": c["parcels_updated"],
        "thửa bỏ / parcels removed": c["parcels_deleted"],
        "thửa thêm / parcels added": c["parcels_inserted"],
        "người sử dụng đất mới / new land users": c["parties_inserted"],
        "lần kiểm tra lại / re-check run": result.run_id or 0,
        "phát hiện mới / new findings": result.opened,
        "phát hiện đã hết, tự đóng / findings closed": result.closed,
        "giá trị đã sửa giữ lại / corrected values kept": c["conflicts"],
    })


def print_plan(plan) -> None:
    from datdai.cleaning.redelivery.kinds import KIND_LABELS, Kind
    from datdai.cleaning.redelivery.plan_file import change_rows

    counts = plan.counts()
    print_counts(f"Kế hoạch thay đổi theo thửa, xã {', '.join(plan.communes)} / per-parcel plan", {
        **{f"{k.value} — {KIND_LABELS[k]}": counts[k.value] for k in Kind},
        "KHONG_DOI — không đổi / unchanged": counts["KHONG_DOI"],
    })
    rows = [r for ch in plan.changes for r in change_rows(ch)]
    if not rows:
        return
    table = Table(title=f"Ví dụ (tối đa {EXAMPLES} mỗi loại) / examples", title_justify="left")
    for col in ("thửa", "thay đổi", "trường", "CSDL hiện tại", "giao nộp mới"):
        table.add_column(col, overflow="fold")
    shown: dict[str, int] = {}
    for r in rows:
        n = shown.get(r["thay_doi"], 0)
        if n >= EXAMPLES:
            continue
        shown[r["thay_doi"]] = n + 1
        table.add_row(f"{r['ma_xa']}/{r['so_to']}/{r['so_thua']}", r["thay_doi"], r["truong"],
                      r["gia_tri_cu"], r["gia_tri_moi"])
    out.print(table)
    more = len(rows) - sum(shown.values())
    if more:
        out.print(f"… và {vn_int(more)} dòng khác (xem --plan-out) / more rows in the plan file", highlight=False)


@app.command("import-undo")
def import_undo(
    delivery_id: Annotated[int, typer.Argument(help="Mã giao nộp sửa (in ra khi áp dụng) / delivery id.")],
    db: DbOption = None,
    reason: Annotated[str, typer.Option("--reason", help="Lý do / why.")] = "hoàn tác giao nộp sửa",
    actor: Annotated[str, typer.Option("--actor", help="Người thực hiện / who.")] = "datdai",
) -> None:
    """Hoàn tác một giao nộp sửa đã áp dụng (trả dữ liệu về như trước) / revert a corrected delivery."""
    from datdai.cleaning.redelivery.apply import revert_redelivery

    with store_session(db, write=True, errors=DatdaiError) as conn:
        done = revert_redelivery(conn, delivery_id, actor=actor, reason=reason)
    print_counts(f"Đã hoàn tác giao nộp sửa #{delivery_id} / corrected delivery reverted", {
        "lô đã hoàn tác / batch reverted": done.batch_id,
        "lô hoàn tác / revert batch": done.revert_batch_id,
        "phát hiện mở lại / findings reopened": done.reopened,
        "phát hiện của giao nộp sửa đã đóng / its findings closed": done.closed,
    })
