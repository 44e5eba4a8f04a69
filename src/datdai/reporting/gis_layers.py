"""The store's parcels and quality findings as map layers, for GIS software (QGIS): the rows of
the export to GeoPackage / Shapefile (``exchange/gis_export.py``) and of the OGC API – Features
(``web/api/ogc_features.py``), read the same way for both.

* **Parcels** (``thua_dat``): register values (commune, sheet, number, legal and computed area,
  land use, address, identifier, old sheet and number), the parcel's status
  (``services/parcel_status.py``: SACH / CO_LOI / DANG_XEM_XET), the count of its open
  findings, and its holders from the parcel + rights + holders read (``store/parcel_rights.py``):
  names, identity numbers (masked unless the reader may see them) and birth dates (the year
  unless the reader may see them), joined with ``"; "``.
* **Findings** (``loi_du_lieu``): each stored finding with its rule, severity, status, values
  and message (identity numbers masked unless the reader may see them), on the geometry of its
  parcel; an overlap (``OVERLAP``) on the part shared with the other parcel. A finding without a
  parcel geometry (a register row with no polygon) has no geometry.

Geometry stays in the store's VN-2000 TM-3 zone (each parcel carries the SRID of its zone). A
layer has one CRS: a store whose parcels lie in several zones gives one layer per zone, named
``thua_dat_<srid>``; findings without geometry go with the first zone. Field names are at most
10 characters (the Shapefile limit), the same in every format.

Rows are read in batches by parcel id (keyset), so a large store streams.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass

import numpy as np
import pyarrow as pa
import pyproj
import shapely
from sqlalchemy import Connection, LargeBinary, func, literal_column, select, type_coerce
from sqlalchemy.sql import ColumnElement

from datdai.access.masking import mask_id_numbers
from datdai.cleaning.findings import Status
from datdai.db import schema as s
from datdai.db.fast_reads import as_float
from datdai.kernel.crs import zone_for_srid
from datdai.land.parcel_rights import PARCEL_COLUMNS, RIGHTS_QUERY, shape_rights
from datdai.reporting.parcel_status import CLEAN, STATUS_CODES, STATUS_LABELS, parcel_statuses

PARCELS = "thua_dat"
FINDINGS = "loi_du_lieu"
BATCH = 2000
_P, _F = s.parcels, s.findings

# (field, Arrow type, meaning): names ≤ 10 characters (Shapefile)
PARCEL_FIELDS: tuple[tuple[str, pa.DataType, str], ...] = (
    ("id_thua", pa.int64(), "mã nội bộ của thửa đất"),
    ("ma_xa", pa.string(), "mã xã"),
    ("so_to", pa.int32(), "số tờ bản đồ"),
    ("so_thua", pa.int32(), "số thửa"),
    ("dien_tich", pa.float64(), "diện tích pháp lý, m² (sổ địa chính)"),
    ("dt_hinh", pa.float64(), "diện tích tính từ hình thể, m²"),
    ("loai_dat", pa.string(), "loại đất (mã, nối bằng +)"),
    ("dia_chi", pa.string(), "địa chỉ thửa đất"),
    ("ma_thua", pa.string(), "mã thửa đất (định danh)"),
    ("so_to_cu", pa.int32(), "số tờ cũ"),
    ("so_thua_cu", pa.int32(), "số thửa cũ"),
    ("trang_thai", pa.string(), "SACH / CO_LOI / DANG_XEM_XET"),
    ("tt_ten", pa.string(), "trạng thái bằng chữ"),
    ("so_loi_mo", pa.int32(), "số phát hiện đang mở (MO) trên thửa"),
    ("so_chu", pa.int32(), "số người có quyền trên thửa"),
    ("chu_sd", pa.string(), "tên người sử dụng đất, chủ sở hữu (nối bằng '; ')"),
    ("so_giay_to", pa.string(), "số định danh / giấy tờ (che bớt nếu vai trò không cần đầy đủ)"),
    ("nam_sinh", pa.string(), "ngày sinh dd/mm/yyyy, hoặc chỉ năm sinh nếu vai trò không cần đầy đủ"),
)

FINDING_FIELDS: tuple[tuple[str, pa.DataType, str], ...] = (
    ("id_loi", pa.int64(), "mã phát hiện"),
    ("quy_tac", pa.string(), "mã quy tắc kiểm tra"),
    ("muc_do", pa.string(), "LOI / CANH_BAO"),
    ("trang_thai", pa.string(), "MO, TU_SUA, DA_SUA, CHAP_NHAN, BAC_BO"),
    ("ma_xa", pa.string(), "mã xã"),
    ("so_to", pa.string(), "số tờ (như trong dữ liệu giao nộp)"),
    ("so_thua", pa.string(), "số thửa (như trong dữ liệu giao nộp)"),
    ("id_thua", pa.int64(), "mã nội bộ của thửa đất"),
    ("doi_tuong", pa.string(), "THUA_DAT / NGUOI_SU_DUNG / GIAY_TO"),
    ("nguon", pa.string(), "BAN_DO / SO_DIA_CHINH"),
    ("truong", pa.string(), "trường dữ liệu"),
    ("gt_ban_do", pa.string(), "giá trị trên bản đồ"),
    ("gt_so", pa.string(), "giá trị trong sổ địa chính"),
    ("de_xuat", pa.string(), "đề xuất sửa"),
    ("mo_ta", pa.string(), "mô tả"),
)


def schema_of(fields) -> pa.Schema:
    return pa.schema([pa.field(n, t) for n, t, _ in fields] + [pa.field("geometry", pa.binary())])


PARCEL_SCHEMA = schema_of(PARCEL_FIELDS)
FINDING_SCHEMA = schema_of(FINDING_FIELDS)


@dataclass(frozen=True)
class Selection:
    """Which rows: the communes (None: every commune), one zone (``srid``; with ``unplaced`` also
    the rows without geometry), a bounding box in the zone's metres."""

    communes: Sequence[str] | None = None
    srid: int | None = None
    bbox: tuple[float, float, float, float] | None = None
    unplaced: bool = False


def geometry_bytes(conn: Connection) -> ColumnElement:
    """The parcels' geometry column as (E)WKB bytes, decoded later in one vectorised call."""
    if conn.dialect.name == "postgresql":
        return func.ST_AsEWKB(literal_column("parcels.geom"), type_=LargeBinary)
    return type_coerce(_P.c.geom, LargeBinary)


def zones(conn: Connection, communes: Sequence[str] | None = None) -> list[int]:
    """The SRIDs of the parcels with geometry (of ``communes``), ascending."""
    q = select(_P.c.srid).distinct().where(_P.c.srid.is_not(None), _P.c.geom.is_not(None))
    if communes is not None:
        q = q.where(_P.c.commune_code.in_(list(communes)))
    return sorted(conn.execute(q).scalars())


def communes_with_parcels(conn: Connection, communes: Sequence[str]) -> set[str]:
    """Which of ``communes`` have parcels in the store."""
    return set(conn.execute(select(_P.c.commune_code).distinct()
                            .where(_P.c.commune_code.in_(list(communes)))).scalars())


def layer_name(base: str, srid: int, all_zones: Sequence[int]) -> str:
    """``thua_dat`` in a one-zone store, ``thua_dat_<srid>`` when there are several."""
    return base if len(all_zones) <= 1 else f"{base}_{srid}"


def _parcel_filter(q, sel: Selection):
    if sel.communes is not None:
        q = q.where(_P.c.commune_code.in_(list(sel.communes)))
    if sel.srid is not None:
        zone = _P.c.srid == sel.srid
        q = q.where(zone | _P.c.geom.is_(None) if sel.unplaced else zone)
    if sel.bbox is not None:
        x0, y0, x1, y1 = sel.bbox
        q = q.where(_P.c.max_x >= x0, _P.c.min_x <= x1, _P.c.max_y >= y0, _P.c.min_y <= y1)
    return q


def iso_wkb(raw: Sequence[bytes | None]) -> np.ndarray:
    """(E)WKB as the store gives it → ISO WKB without SRID (what GDAL and GeoJSON writers take)."""
    geoms = shapely.from_wkb([None if b is None else bytes(b) for b in raw])
    return shapely.to_wkb(geoms, include_srid=False)


def _open_findings(conn: Connection, ids: list[int]) -> dict[int, int]:
    rows = conn.execute(select(_F.c.parcel_id, func.count()).where(
        _F.c.parcel_id.in_(ids), _F.c.status == Status.OPEN.value).group_by(_F.c.parcel_id))
    return {pid: n for pid, n in rows}


def _owners(parcel: dict) -> tuple[str | None, str | None, str | None]:
    """(names, numbers, births) of a parcel's holders joined with "; ": a household, couple or
    group as its members; a person's personal number, else their first document's number."""
    names, numbers, births, seen = [], [], [], set()
    for right in parcel["rights"]:
        owner = right["owner"]
        for who in owner["members"] or [owner]:
            if who["party_id"] in seen:
                continue
            seen.add(who["party_id"])
            number = who["personal_number"]
            if number is None and who is owner:
                number = next((d["number"] for d in owner["documents"] if d["number"]), None)
            names.append(who["full_name"] or "")
            numbers.append(number or "")
            births.append(who["birth"] or "")

    def joined(values: list[str]) -> str | None:
        return "; ".join(values) if any(values) else None

    return joined(names), joined(numbers), joined(births)


def parcel_table(conn: Connection, rows: Sequence, *, everyone: bool, owners: bool = True
                 ) -> tuple[pa.Table, list[str]]:
    """Parcel rows (:data:`PARCEL_COLUMNS` and ``wkb``) as a table of :data:`PARCEL_SCHEMA`, and the
    access-log subjects of the holders it carries (none without ``owners``)."""
    ids = [r.id for r in rows]
    statuses = parcel_statuses(conn, parcel_ids=ids)
    open_counts = _open_findings(conn, ids) if ids else {}
    out = [{"id": r.id, "rights": []} for r in rows]
    subjects: list[str] = []
    if owners and ids:
        subjects = shape_rights(out, conn.execute(RIGHTS_QUERY, {"parcel_ids": ids}), everyone=everyone)
    cols: dict[str, list] = {n: [] for n, _, _ in PARCEL_FIELDS}
    for r, parcel in zip(rows, out):
        status = statuses.get(r.id, CLEAN)
        names, numbers, births = _owners(parcel)
        holders = len({x["owner"]["party_id"] for x in parcel["rights"]})
        values = (r.id, r.commune_code, r.sheet_no, r.parcel_no, as_float(r.legal_area),
                  as_float(r.computed_area), r.land_use_codes, r.address, r.identifier, r.old_sheet_no,
                  r.old_parcel_no, STATUS_CODES[status], STATUS_LABELS[status], open_counts.get(r.id, 0),
                  holders if owners else None, names, numbers, births)
        for (name, _, _), v in zip(PARCEL_FIELDS, values, strict=True):
            cols[name].append(v)
    arrays = [pa.array(cols[n], t) for n, t, _ in PARCEL_FIELDS]
    arrays.append(pa.array(iso_wkb([r.wkb for r in rows]), pa.binary()))
    return pa.Table.from_arrays(arrays, schema=PARCEL_SCHEMA), subjects


def parcel_query(conn: Connection, sel: Selection):
    return _parcel_filter(select(*PARCEL_COLUMNS, geometry_bytes(conn).label("wkb")), sel)


def count_parcels(conn: Connection, sel: Selection) -> int:
    return conn.execute(_parcel_filter(select(func.count()).select_from(_P), sel)).scalar_one()


def parcel_page(conn: Connection, sel: Selection, *, limit: int, offset: int, everyone: bool
                ) -> tuple[pa.Table, list[str]]:
    """One page of parcels by id (OGC API)."""
    rows = conn.execute(parcel_query(conn, sel).order_by(_P.c.id).limit(limit).offset(offset)).all()
    return parcel_table(conn, rows, everyone=everyone)


def parcel_batches(conn: Connection, sel: Selection, *, everyone: bool, owners: bool = True,
                   subjects: set[str] | None = None, batch_size: int = BATCH,
                   progress=None) -> Iterator[pa.RecordBatch]:
    """Every selected parcel, in batches by id (keyset: each batch one query from the last id);
    the holders' access-log subjects are added to ``subjects``."""
    last = 0
    done = 0
    total = count_parcels(conn, sel) if progress else 0
    base = parcel_query(conn, sel)
    while True:
        rows = conn.execute(base.where(_P.c.id > last).order_by(_P.c.id).limit(batch_size)).all()
        if not rows:
            return
        table, touched = parcel_table(conn, rows, everyone=everyone, owners=owners)
        if subjects is not None:
            subjects.update(touched)
        last = rows[-1].id
        done += len(rows)
        if progress:
            progress("thửa đất / parcels", done, total)
        yield from table.to_batches()


# ---------------------------------------------------------------- findings

def finding_query(conn: Connection, sel: Selection):
    """Findings with their parcel's geometry (in ``sel.srid``; also those without geometry when
    ``sel.unplaced``)."""
    q = (select(_F, _P.c.srid.label("p_srid"), geometry_bytes(conn).label("wkb"))
         .select_from(_F.outerjoin(_P, _P.c.id == _F.c.parcel_id)))
    if sel.communes is not None:
        q = q.where(_F.c.commune_code.in_(list(sel.communes)))
    if sel.srid is not None:
        zone = _P.c.srid == sel.srid
        q = q.where(zone | _P.c.geom.is_(None) if sel.unplaced else zone)
    if sel.bbox is not None:
        x0, y0, x1, y1 = sel.bbox
        q = q.where(_P.c.max_x >= x0, _P.c.min_x <= x1, _P.c.max_y >= y0, _P.c.min_y <= y1)
    return q


def _overlap_parts(conn: Connection, rows: Sequence, geoms: np.ndarray) -> np.ndarray:
    """An OVERLAP finding's geometry: its parcel's part shared with the other parcel (named in
    ``map_value`` as ``ma_xa/so_to/so_thua``); the parcel itself when that cannot be found."""
    wanted: dict[tuple[str, int, int], list[int]] = {}
    for i, r in enumerate(rows):
        if r.rule_code == "OVERLAP" and r.map_value and geoms[i] is not None:
            parts = r.map_value.split("/")
            if len(parts) == 3 and parts[1].isdigit() and parts[2].isdigit():
                wanted.setdefault((parts[0], int(parts[1]), int(parts[2])), []).append(i)
    if not wanted:
        return geoms
    out = geoms.copy()
    keys = list(wanted)
    for start in range(0, len(keys), 500):
        chunk = keys[start:start + 500]
        q = select(_P.c.commune_code, _P.c.sheet_no, _P.c.parcel_no, geometry_bytes(conn).label("wkb")).where(
            _P.c.commune_code.in_({k[0] for k in chunk}), _P.c.sheet_no.in_({k[1] for k in chunk}),
            _P.c.parcel_no.in_({k[2] for k in chunk}), _P.c.geom.is_not(None))
        for x in conn.execute(q):
            for i in wanted.get((x.commune_code, x.sheet_no, x.parcel_no), []):
                part = shapely.intersection(geoms[i], shapely.from_wkb(bytes(x.wkb)))
                if not part.is_empty and part.area > 0:
                    out[i] = part
    return out


def finding_table(conn: Connection, rows: Sequence, *, everyone: bool) -> pa.Table:
    """Finding rows (with ``wkb``) as a table of :data:`FINDING_SCHEMA`; identity numbers in
    values and messages masked unless ``everyone``."""
    def shown(v: str | None) -> str | None:
        return v if everyone else mask_id_numbers(v)

    geoms = shapely.from_wkb([None if r.wkb is None else bytes(r.wkb) for r in rows])
    geoms = _overlap_parts(conn, rows, np.asarray(geoms, dtype=object))
    cols: dict[str, list] = {n: [] for n, _, _ in FINDING_FIELDS}
    for r in rows:
        values = (r.id, r.rule_code, r.severity, r.status, r.commune_code, r.sheet_no, r.parcel_no,
                  r.parcel_id, r.target, r.side, r.field, shown(r.map_value), shown(r.register_value),
                  shown(r.proposed_fix), shown(r.message))
        for (name, _, _), v in zip(FINDING_FIELDS, values, strict=True):
            cols[name].append(v)
    arrays = [pa.array(cols[n], t) for n, t, _ in FINDING_FIELDS]
    arrays.append(pa.array(shapely.to_wkb(geoms, include_srid=False) if len(rows) else [], pa.binary()))
    return pa.Table.from_arrays(arrays, schema=FINDING_SCHEMA)


def count_findings(conn: Connection, sel: Selection) -> int:
    q = finding_query(conn, sel).subquery()
    return conn.execute(select(func.count()).select_from(q)).scalar_one()


def finding_page(conn: Connection, sel: Selection, *, limit: int, offset: int, everyone: bool
                 ) -> tuple[pa.Table, list[str]]:
    """One page of findings by id (OGC API), and the access-log subjects (their parties)."""
    rows = conn.execute(finding_query(conn, sel)
                        .order_by(_F.c.id).limit(limit).offset(offset)).all()
    return finding_table(conn, rows, everyone=everyone), _finding_subjects(rows)


def _finding_subjects(rows: Sequence) -> list[str]:
    return sorted({str(r.party_id) for r in rows if r.party_id is not None})


def finding_batches(conn: Connection, sel: Selection, *, everyone: bool,
                    subjects: set[str] | None = None, batch_size: int = BATCH) -> Iterator[pa.RecordBatch]:
    """Every selected finding, in batches by id (keyset)."""
    last = 0
    base = finding_query(conn, sel)
    while True:
        rows = conn.execute(base.where(_F.c.id > last).order_by(_F.c.id).limit(batch_size)).all()
        if not rows:
            return
        if subjects is not None:
            subjects.update(_finding_subjects(rows))
        last = rows[-1].id
        yield from finding_table(conn, rows, everyone=everyone).to_batches()


def zone_extent(conn: Connection, sel: Selection) -> tuple | None:
    """(min x, min y, max x, max y) in the zone's metres of the selected parcels of zone
    ``sel.srid``; None when it has none."""
    p = s.parcels
    q = select(func.min(p.c.min_x), func.min(p.c.min_y), func.max(p.c.max_x), func.max(p.c.max_y)).where(
        p.c.srid == sel.srid)
    if sel.communes is not None:
        q = q.where(p.c.commune_code.in_(sel.communes))
    box = conn.execute(q).one()
    return None if box[0] is None else tuple(box)


def parcel_by_id(conn: Connection, sel: Selection, parcel_id: int, *, everyone: bool) -> tuple[pa.Table, list[str]]:
    """The parcel ``parcel_id`` among the selection, as a one-row layer (empty when it is not
    there or not selected), and the access-log subjects."""
    rows = conn.execute(parcel_query(conn, sel).where(s.parcels.c.id == parcel_id)).all()
    return parcel_table(conn, rows, everyone=everyone)


def finding_by_id(conn: Connection, sel: Selection, finding_id: int, *, everyone: bool) -> tuple[pa.Table, list[str]]:
    """The finding ``finding_id`` among the selection (see :func:`parcel_by_id`)."""
    rows = conn.execute(finding_query(conn, sel).where(s.findings.c.id == finding_id)).all()
    return finding_table(conn, rows, everyone=everyone), _finding_subjects(rows)


def crs_wkt(srid: int) -> str:
    """The zone's CRS as WKT (with the datum shift to WGS 84 for the zones without EPSG code)."""
    return pyproj.CRS(zone_for_srid(srid).crs_input()).to_wkt()
