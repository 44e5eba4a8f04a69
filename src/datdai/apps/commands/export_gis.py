"""``datdai export``: the stored parcels (and findings) to a GeoPackage or Shapefiles for QGIS
(docs/formats/xuat-ban-do.md).

The command line is the operator's: holders' identity numbers and birth dates are masked unless
``--hien-so`` is given; every export carrying holders (names are personal data too) is written to
the access log with its purpose, the people it touched and who ran it (``--actor``, else the
operating-system user; role ``dong_lenh``)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from datdai.apps.commands.common import (
    DbOption,
    app,
    err,
    fail,
    open_store_or_fail,
    print_counts,
    progress_bar,
)
from datdai.apps.commands.export_c06 import _default_actor

CLI_ROLE = "dong_lenh"  # the access log's role of a command-line operator (no account)


@app.command("export")
def export_cmd(
    out_path: Annotated[Path, typer.Option("--out", help="Tệp .gpkg, hoặc thư mục Shapefile / output file "
                                                         "(.gpkg) or folder (shp).")],
    fmt: Annotated[str, typer.Option("--format", help="gpkg hoặc shp.")] = "gpkg",
    db: DbOption = None,
    commune: Annotated[list[str] | None, typer.Option(
        "--commune", help="Mã xã 5 chữ số (lặp lại hoặc cách nhau bằng dấu phẩy) / commune code(s).")] = None,
    findings: Annotated[bool, typer.Option("--findings", help="Thêm lớp các phát hiện chất lượng dữ liệu "
                                                             "/ add the findings layer.")] = False,
    show: Annotated[bool, typer.Option("--hien-so", help="Ghi đầy đủ số định danh và ngày sinh (dữ liệu cá "
                                                         "nhân) / full numbers and dates.")] = False,
    no_owners: Annotated[bool, typer.Option("--khong-chu", help="Không ghi người sử dụng đất / "
                                                                "leave the holders out.")] = False,
    actor: Annotated[str | None, typer.Option("--actor", help="Người xuất, ghi vào nhật ký truy cập / who "
                                                              "exports (default: the OS user).")] = None,
) -> None:
    """Xuất thửa đất (và lỗi dữ liệu) ra GeoPackage/Shapefile cho QGIS / export parcels for QGIS."""
    from datdai.access import purposes
    from datdai.access.access_log import write_access_log
    from datdai.reporting.gis_export import GisExportError, export_gis

    fmt = fmt.lower().strip()
    communes = None
    if commune:
        communes = [c.strip() for x in commune for c in x.split(",") if c.strip()]
        bad = [c for c in communes if not (c.isascii() and c.isdigit() and len(c) == 5)]
        if bad:
            fail(f"mã xã không hợp lệ '{bad[0]}': 5 chữ số / a commune code has 5 digits")
    who = actor or _default_actor()
    scope = ",".join(communes) if communes else "tất cả"
    store = open_store_or_fail(db)
    try:
        with progress_bar() as update, store.transaction() as conn:
            def log(subjects: set[str]) -> None:
                if subjects:
                    write_access_log(conn, username=who, role=CLI_ROLE, action="xuất bản đồ thửa đất (GIS)",
                                     resource=f"export {fmt} {out_path.resolve()} (xã: {scope}"
                                              f"{'; số đầy đủ' if show else ''})"[:500],
                                     purpose=purposes.GIS, subjects=sorted(subjects))

            result = export_gis(conn, out_path, fmt=fmt, communes=communes, findings=findings, everyone=show,
                                owners=not no_owners, on_written=log, progress=update)
    except GisExportError as exc:
        fail(str(exc))
    finally:
        store.close()
    if result.subjects:
        err.print(f"Đã ghi nhật ký truy cập dữ liệu cá nhân / access logged: {len(result.subjects)} người, "
                  f"người xuất {who}", highlight=False)
    print_counts(f"Đã xuất bản đồ / exported → {out_path}", {
        "định dạng / format": fmt, **{f"lớp / layer {k}": v for k, v in result.layers.items()},
        "số định danh / numbers": "đầy đủ / full" if show else "che bớt / masked",
        "tệp / files": ", ".join(p.name for p in result.files)})
