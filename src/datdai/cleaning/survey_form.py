"""The field survey form of one commune for the apps survey teams use.

* :func:`write_xlsform` — an XLSForm (ODK Collect, KoboToolbox, Survey123 read it) compiled and
  checked with pyxform, with the commune's parcels as an entity list (``parcels.csv`` beside the
  form: the form's attachment, or the rows of the "parcels" Entity List in ODK Central). The
  surveyor picks an existing parcel (from a list or on the map), reads what the register holds
  and confirms it or corrects the fields that are wrong.
* :func:`write_geopackage` — the same form as a GeoPackage for QField / QGIS: the commune's
  parcels with the survey fields as empty columns, and each value list as a table.

The fields and value lists are ``domain/survey_fields.py``; what comes back is read by
``ingest/survey_odk.py`` and ``ingest/survey_gpkg.py``. The entity list holds the holder's name
(the surveyor must confirm it with the person met) but no identity number and no birth date.
"""

from __future__ import annotations

import csv
import datetime as dt
import os
import tempfile
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import shapely
from pyproj import Transformer
from sqlalchemy import Connection, select

from datdai.cleaning.survey import current_values, parcel_key
from datdai.db import schema as s
from datdai.kernel.crs import zone_for_srid
from datdai.kernel.errors import InvalidInput, NotFound
from datdai.kernel.survey_fields import (
    ADDRESS_FIELDS,
    IDENTITY_FIELDS,
    LAND_FIELDS,
    SurveyField,
    choice_name,
    value_lists,
)

ENTITY_LIST = "parcels"
ENTITY_FILE = "parcels.csv"
ENTITY_COLUMNS = ("name", "label", "ma_thua", "so_to", "so_thua", "dien_tich", "muc_dich", "dia_chi",
                  "chu_su_dung", "hien_trang", "geometry")


def form_id(commune: str) -> str:
    return f"phieu_dieu_tra_{commune}"


@dataclass
class FormResult:
    form: Path
    entities: Path
    parcels: int
    warnings: list[str]


@lru_cache(maxsize=16)
def _to_wgs84(srid: int) -> Transformer:
    return Transformer.from_crs(zone_for_srid(srid).crs_input(), "EPSG:4326", always_xy=True)


def _odk_geoshape(geom, srid: int | None) -> str:
    """An ODK geoshape ("lat lon alt accuracy;…", WGS84, closed ring) of a polygon's outer ring."""
    if geom is None or srid is None:
        return ""
    poly = geom if geom.geom_type == "Polygon" else max(shapely.get_parts(geom), key=lambda g: g.area)
    xs, ys = _to_wgs84(srid).transform(*zip(*poly.exterior.coords, strict=True))
    return ";".join(f"{lat:.7f} {lon:.7f} 0 0" for lon, lat in zip(xs, ys, strict=True))


def entity_rows(conn: Connection, commune: str) -> list[dict[str, str]]:
    """The commune's parcels as entity list rows (:data:`ENTITY_COLUMNS`), by sheet and parcel.
    An empty commune is refused (a form with nothing to pick is no use)."""
    P = s.parcels
    rows = conn.execute(select(P.c.id, P.c.sheet_no, P.c.parcel_no, P.c.geom, P.c.srid)
                        .where(P.c.commune_code == commune)
                        .order_by(P.c.sheet_no, P.c.parcel_no, P.c.id)).all()
    if not rows:
        raise NotFound(f"xã {commune} không có thửa đất nào trong cơ sở dữ liệu: nạp giao nộp trước "
                       "(datdai import) / no parcels in this commune")
    current = current_values(conn, [r.id for r in rows])
    names = {}
    P2, HP, R, PA = s.parcels, s.holding_parcels, s.rights, s.parties
    for pid, name in conn.execute(select(HP.c.parcel_id, PA.c.full_name)
                                  .join(R, R.c.holding_id == HP.c.holding_id)
                                  .join(PA, PA.c.id == R.c.party_id)
                                  .join(P2, P2.c.id == HP.c.parcel_id)
                                  .where(P2.c.commune_code == commune, R.c.kind == "SU_DUNG_DAT")
                                  .order_by(R.c.id)):
        names.setdefault(pid, []).append(name)
    out, seen = [], set()
    for r in rows:
        key = parcel_key(commune, r.sheet_no, r.parcel_no)
        if key in seen:  # the same key twice (a DUPLICATE_PARCEL finding): the first one
            continue
        seen.add(key)
        cur = current[r.id]
        holders = ", ".join(dict.fromkeys(names.get(r.id, []))) or ""
        area = cur["dien_tich"].value or ""
        summary = "; ".join(p for p in (
            f"Tờ {r.sheet_no}, thửa {r.parcel_no}", f"{area} m²" if area else "",
            cur["muc_dich"].value or "", cur["dia_chi"].value or "", holders) if p)
        out.append({"name": key, "label": f"Tờ {r.sheet_no} thửa {r.parcel_no}" + (f" — {holders}" if holders else ""),
                    "ma_thua": key, "so_to": str(r.sheet_no), "so_thua": str(r.parcel_no),
                    "dien_tich": area, "muc_dich": cur["muc_dich"].value or "",
                    "dia_chi": cur["dia_chi"].value or "", "chu_su_dung": holders,
                    "hien_trang": summary, "geometry": _odk_geoshape(r.geom, r.srid)})
    return out


_KIND = {"text": "text", "integer": "integer", "decimal": "decimal", "date": "date"}


def _question(f: SurveyField) -> dict[str, str]:
    kind = f"{f.kind} {f.choices}" if f.kind.startswith("select") else _KIND[f.kind]
    row = {"type": kind, "name": f.name, "label": f.label, "hint": f.hint or ""}
    if f.kind == "decimal":
        row["constraint"] = ". >= 0"
        row["constraint_message"] = "Không được âm"
    elif f.kind == "integer":
        row["constraint"] = ". > 0"
        row["constraint_message"] = "Phải là số dương"
    elif f.name == "so_dinh_danh":
        row["constraint"] = "regex(., '^[0-9]{12}$')"
        row["constraint_message"] = "Số định danh gồm đúng 12 chữ số"
    elif f.kind == "select_multiple":
        row["appearance"] = "minimal"
    return row


def _lookup(prop: str) -> str:
    return f"instance('{ENTITY_LIST}')/root/item[name=${{thua}}]/{prop}"


def xlsform_sheets(commune: str, commune_name: str, version: str) -> dict[str, list[dict[str, str]]]:
    """The XLSForm as sheets of rows (column → cell)."""
    survey: list[dict[str, str]] = [
        {"type": "start", "name": "bat_dau"},
        {"type": "end", "name": "ket_thuc"},
        {"type": "today", "name": "hom_nay"},
        {"type": "text", "name": "dieu_tra_vien", "label": "Người điều tra (họ tên)", "required": "yes"},
        {"type": "date", "name": "ngay_dieu_tra", "label": "Ngày điều tra", "required": "yes",
         "default": "today()"},
        {"type": f"select_one_from_file {ENTITY_FILE}", "name": "thua", "label": "Chọn thửa đất",
         "hint": "Tìm theo số tờ, số thửa, tên chủ sử dụng hoặc chọn trên bản đồ", "required": "yes",
         "appearance": "map"},
        {"type": "calculate", "name": "ma_thua", "calculation": _lookup("ma_thua")},
        {"type": "calculate", "name": "hien_trang", "calculation": _lookup("hien_trang")},
        {"type": "note", "name": "ghi_nhan_hien_trang", "label": "Sổ địa chính đang ghi: ${hien_trang}"},
        {"type": "select_one xac_nhan", "name": "xac_nhan", "label": "Thông tin trên sổ so với thực tế",
         "required": "yes"},
        {"type": "calculate", "name": "trang_thai", "calculation": "'DA_DIEU_TRA'", "save_to": "trang_thai"},
        {"type": "begin_group", "name": "thua_dat", "label": "Thông tin thửa đất, nhà ở và tài sản (chỉ ghi "
         "trường cần sửa hoặc bổ sung; để trống là giữ nguyên)", "relevant": "${xac_nhan} = 'SUA'"},
        *(_question(f) for f in LAND_FIELDS),
        {"type": "end_group", "name": "thua_dat"},
        {"type": "begin_group", "name": "chu_su_dung", "label": "Người sử dụng đất",
         "relevant": "${xac_nhan} != 'KHONG_TIM_THAY'"},
        {"type": "barcode", "name": "qr_cccd", "label": "Quét mã QR trên thẻ căn cước (CCCD gắn chip)",
         "hint": "Nếu người sử dụng đất đồng ý; mã QR được đối chiếu với số gõ tay"},
        *(_question(f) for f in IDENTITY_FIELDS),
        {"type": "end_group", "name": "chu_su_dung"},
        {"type": "begin_group", "name": "dia_chi_thua", "label": "Địa chỉ",
         "relevant": "${xac_nhan} != 'KHONG_TIM_THAY'"},
        *(_question(f) for f in ADDRESS_FIELDS),
        {"type": "end_group", "name": "dia_chi_thua"},
        {"type": "begin_repeat", "name": "giay_to", "label": "Ảnh giấy tờ"},
        {"type": "select_one loai_giay_to", "name": "loai_giay_to", "label": "Loại giấy tờ"},
        {"type": "image", "name": "anh", "label": "Chụp ảnh giấy tờ", "parameters": "max-pixels=2048"},
        {"type": "end_repeat", "name": "giay_to"},
        {"type": "text", "name": "ghi_chu", "label": "Ghi chú", "appearance": "multiline"},
    ]
    choices: list[dict[str, str]] = []
    for list_name, values in value_lists().items():
        for i, (value, label) in enumerate(values, start=1):
            choices.append({"list_name": list_name, "name": choice_name(value, i), "label": label})
    settings = [{"form_title": f"Phiếu điều tra thửa đất — {commune_name}", "form_id": form_id(commune),
                 "version": version, "instance_name": "concat(${ma_thua}, ' — ', ${dieu_tra_vien})",
                 "default_language": "vi"}]
    entities = [{"list_name": ENTITY_LIST, "entity_id": "${thua}"}]
    return {"survey": survey, "choices": choices, "settings": settings, "entities": entities}


def _write_xlsx(sheets: dict[str, list[dict[str, str]]], out: Path) -> None:
    from openpyxl import Workbook

    wb = Workbook()
    wb.remove(wb.active)
    for name, rows in sheets.items():
        ws = wb.create_sheet(name)
        columns = list(dict.fromkeys(k for r in rows for k in r))
        ws.append(columns)
        for r in rows:
            ws.append([r.get(c, "") for c in columns])
    fd, tmp = tempfile.mkstemp(dir=out.parent, prefix=".tmp-", suffix=".xlsx")
    os.close(fd)
    try:
        wb.save(tmp)
        os.replace(tmp, out)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def compile_xlsform(path: Path) -> tuple[str, list[str]]:
    """Compile ``path`` with pyxform: (the XForm XML, warnings). Errors raise InvalidInput."""
    from pyxform.errors import PyXFormError
    from pyxform.xls2xform import convert

    warnings: list[str] = []
    try:
        result = convert(str(path), warnings=warnings)
    except PyXFormError as exc:
        raise InvalidInput(f"{path}: pyxform từ chối biểu mẫu / the form does not compile: {exc}") from exc
    return result.xform, warnings


def _commune_name(commune: str) -> str:
    from datdai.kernel.admin_units import new_commune, old_commune

    unit = old_commune(commune) or new_commune(commune)
    return unit.name if unit else f"xã {commune}"


def write_xlsform(conn: Connection, commune: str, out: Path) -> FormResult:
    """Write the commune's form to ``out`` (.xlsx) and its entity list beside it (parcels.csv),
    then compile it with pyxform; a warning or an error is a failure (files removed)."""
    out = Path(out)
    if out.suffix.lower() != ".xlsx":
        raise InvalidInput(f"{out}: biểu mẫu XLSForm phải có đuôi .xlsx / the form must be .xlsx")
    out.parent.mkdir(parents=True, exist_ok=True)
    rows = entity_rows(conn, commune)
    version = dt.datetime.now(dt.UTC).strftime("%Y%m%d%H%M")
    entities = out.with_name(ENTITY_FILE)
    _write_xlsx(xlsform_sheets(commune, _commune_name(commune), version), out)
    fd, tmp = tempfile.mkstemp(dir=out.parent, prefix=".tmp-", suffix=".csv")
    with os.fdopen(fd, "w", encoding="utf-8", newline="") as fh:
        w = csv.DictWriter(fh, fieldnames=ENTITY_COLUMNS)
        w.writeheader()
        w.writerows(rows)
    os.replace(tmp, entities)
    try:
        _xml, warnings = compile_xlsform(out)
    except InvalidInput:
        out.unlink(missing_ok=True)
        entities.unlink(missing_ok=True)
        raise
    if warnings:
        out.unlink(missing_ok=True)
        entities.unlink(missing_ok=True)
        raise InvalidInput(f"{out}: pyxform cảnh báo / pyxform warns: {'; '.join(warnings)}")
    return FormResult(out, entities, len(rows), warnings)


# --- the GeoPackage for QField / QGIS ------------------------------------------------------------

GPKG_LAYER = "thua_dieu_tra"
GPKG_EXTRA = ("dieu_tra_vien", "ngay_dieu_tra", "xac_nhan", "qr_cccd", "anh_giay_to", "ghi_chu")


def write_geopackage(conn: Connection, commune: str, out: Path) -> FormResult:
    """The commune's parcels (WGS84) with what the register holds and the survey fields as empty
    columns (``domain/survey_fields.py`` names, text), plus ``dieu_tra_vien``, ``ngay_dieu_tra``
    (dd/mm/yyyy or yyyy-mm-dd), ``xac_nhan``, ``qr_cccd``, ``anh_giay_to`` (photo paths relative
    to the GeoPackage, separated by ``;``) and ``ghi_chu``; each value list as a table
    ``ds_<list>`` (value, label) for QGIS value-relation widgets. Written atomically."""
    import pyarrow as pa
    import pyogrio

    from datdai.kernel.survey_fields import FIELDS

    out = Path(out)
    if out.suffix.lower() != ".gpkg":
        raise InvalidInput(f"{out}: GeoPackage phải có đuôi .gpkg / must be .gpkg")
    out.parent.mkdir(parents=True, exist_ok=True)
    rows = entity_rows(conn, commune)
    P = s.parcels
    geoms = {}
    for r in conn.execute(select(P.c.sheet_no, P.c.parcel_no, P.c.geom, P.c.srid)
                          .where(P.c.commune_code == commune).order_by(P.c.id)):
        key = parcel_key(commune, r.sheet_no, r.parcel_no)
        if key not in geoms and r.geom is not None and r.srid is not None:
            transformer = _to_wgs84(r.srid)
            geoms[key] = shapely.transform(r.geom, lambda xy, t=transformer: _apply(t, xy))
    columns: dict[str, pa.Array] = {
        "ma_thua": pa.array([r["ma_thua"] for r in rows], pa.string()),
        "hien_trang": pa.array([r["hien_trang"] for r in rows], pa.string()),
    }
    for name in [f.name for f in FIELDS] + list(GPKG_EXTRA):
        columns[name] = pa.nulls(len(rows), pa.string())
    columns["geom"] = pa.array([shapely.to_wkb(geoms[r["ma_thua"]]) if r["ma_thua"] in geoms else None
                                for r in rows], pa.binary())
    fd, tmp = tempfile.mkstemp(dir=out.parent, prefix=".tmp-", suffix=".gpkg")
    os.close(fd)
    Path(tmp).unlink()
    try:
        pyogrio.write_arrow(pa.table(columns), tmp, layer=GPKG_LAYER, driver="GPKG", geometry_name="geom",
                            geometry_type="MultiPolygon" if any(g.geom_type == "MultiPolygon" for g in geoms.values())
                            else "Polygon", crs="EPSG:4326")
        for list_name, values in value_lists().items():
            pyogrio.write_arrow(pa.table({"value": [v for v, _ in values], "label": [lb for _, lb in values]}),
                                tmp, layer=f"ds_{list_name}", driver="GPKG")
        os.replace(tmp, out)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return FormResult(out, out, len(rows), [])


def _apply(t: Transformer, xy):
    import numpy as np

    x, y = t.transform(xy[:, 0], xy[:, 1])
    return np.column_stack([x, y])
