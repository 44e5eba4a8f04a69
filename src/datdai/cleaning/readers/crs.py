"""The coordinate reference system of a map layer: which VN-2000 TM-3 zone, or reproject.

* EPSG:9205–9218, or a projected CRS on the VN-2000 datum ("Vietnam 2000", or the VN-2000
  TOWGS84 shift) with Transverse Mercator, k = 0.9999, x_0 = 500 000: that zone (from the file).
  A .prj that names no datum (WGS 84 ellipsoid, no shift) but has those TM-3 parameters is taken
  as VN-2000 too, with a warning: it is how most tools write a VN-2000 .prj.
* Any other CRS (WGS 84 lon/lat, UTM …): reprojected into the configured zone, with a warning.
* No CRS (DGN, missing .prj): the configured zone.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pyarrow as pa
import shapely
from pyproj import CRS, Transformer
from pyproj.exceptions import CRSError

from datdai.cleaning.readers.errors import DeliveryError
from datdai.kernel.crs import (
    CUSTOM_SRID_BY_MERIDIAN,
    EPSG_BY_MERIDIAN,
    Tm3Zone,
    zone_for_meridian,
    zone_for_srid,
)
from datdai.kernel.text import fold_key

NO_CRS = (
    "không xác định được hệ tọa độ của tệp; khai báo srid/tỉnh trong tệp cấu hình"
    " / unknown coordinate system: set srid or province in the configuration"
)
_VN2000_SHIFT = (-191.904, -39.303, -111.450)  # EPSG:6960 translation, metres
_VN2000_SHIFT_OLD = (-192.873, -39.382, -111.202)  # an older published set, still in .prj files


@dataclass
class CrsDecision:
    srid: int
    source: str  # "file" | "config"
    reproject_from: CRS | None = None  # the file's CRS when geometries must be reprojected
    warnings: list[str] | None = None


def _configured_zone(srid: int | None, file: str | Path) -> Tm3Zone | None:
    if srid is None:
        return None
    try:
        return zone_for_srid(int(srid))
    except ValueError as exc:
        raise DeliveryError(file, f"srid trong cấu hình không hợp lệ: {exc}") from exc


def _meridian_zone(lon_0: float) -> Tm3Zone | None:
    for cm in (*EPSG_BY_MERIDIAN, *CUSTOM_SRID_BY_MERIDIAN):
        if math.isclose(cm, lon_0, abs_tol=1e-6):
            return zone_for_meridian(cm)
    return None


def _shift_is_vn2000(crs: CRS) -> bool:
    """A BoundCRS / TOWGS84 whose translation is VN-2000's (within 3 m)."""
    try:
        wkt = crs.to_wkt("WKT1_GDAL")
    except CRSError:
        return False
    at = wkt.find("TOWGS84[")
    if at < 0:
        return False
    try:
        params = [float(v) for v in wkt[at + 8 : wkt.index("]", at)].split(",")[:3]]
    except ValueError:
        return False
    return any(all(abs(a - b) < 3 for a, b in zip(params, ref)) for ref in (_VN2000_SHIFT, _VN2000_SHIFT_OLD))


def _tm3_params(crs: CRS) -> tuple[float, bool] | None:
    """(central meridian, datum declared VN-2000) for a VN-2000-style TM-3 CRS, else None."""
    base = crs.source_crs if crs.is_bound and crs.source_crs is not None else crs
    if not base.is_projected or base.coordinate_operation is None:
        return None
    op = base.coordinate_operation
    if "transverse mercator" not in op.method_name.lower():
        return None
    params = {fold_key(p.name): p.value for p in op.params}
    k = params.get("scalefactoratnaturalorigin")
    x0 = params.get("falseeasting")
    y0 = params.get("falsenorthing", 0.0)
    lat0 = params.get("latitudeofnaturalorigin", 0.0)
    lon0 = params.get("longitudeofnaturalorigin")
    if k is None or x0 is None or lon0 is None:
        return None
    if not (math.isclose(k, 0.9999, abs_tol=1e-9) and math.isclose(x0, 500000, abs_tol=1e-3)
            and abs(y0) < 1e-3 and abs(lat0) < 1e-9):
        return None
    datum = fold_key(base.datum.name if base.datum else "")
    declared = "vn2000" in datum or "vietnam2000" in datum or _shift_is_vn2000(crs)
    wgs_like = (not datum or "unknown" in datum or "wgs84" in datum or "wgs1984" in datum
                or "worldgeodeticsystem1984" in datum or "notspecified" in datum)
    if not declared and not wgs_like:
        return None  # TM-3-like parameters on some other datum: not ours
    return lon0, declared


def _projected_numbers(bounds) -> bool:
    """Bounds that cannot be longitudes/latitudes (metres of a projected CRS)."""
    if bounds is None:
        return False
    try:
        xmin, ymin, xmax, ymax = (float(b) for b in bounds)
    except (TypeError, ValueError):
        return False
    finite = all(math.isfinite(v) for v in (xmin, ymin, xmax, ymax))
    return finite and (max(abs(xmin), abs(xmax)) > 360 or max(abs(ymin), abs(ymax)) > 90)


def decide_crs(declared: str | None, srid: int | None, file: str | Path,
               bounds: tuple[float, float, float, float] | None = None) -> CrsDecision:
    """Decide the zone of a layer from its declared CRS (as GDAL reports it) and the config.

    ``bounds`` (the layer's extent, if known) catch a file that says longitude/latitude but
    holds metres (GeoJSON without a "crs" member is WGS 84 by definition): it is treated as
    declaring no CRS.
    """
    configured = _configured_zone(srid, file)
    early: list[str] = []
    if declared:
        try:
            crs = CRS.from_user_input(declared)
        except CRSError as exc:
            raise DeliveryError(file, f"{NO_CRS} ({exc})") from exc
        if crs.is_geographic and _projected_numbers(bounds):
            early.append(f"tệp khai báo '{crs.name}' (kinh độ/vĩ độ) nhưng tọa độ là mét: bỏ qua"
                         " khai báo / the file says lon/lat but holds metres: declaration ignored")
            declared = None
    if not declared:
        if configured is None:
            raise DeliveryError(file, NO_CRS)
        return CrsDecision(configured.srid, "config", None, early)
    warnings: list[str] = []
    epsg = crs.to_epsg(min_confidence=90)
    zone: Tm3Zone | None = None
    if epsg in EPSG_BY_MERIDIAN.values():
        zone = zone_for_srid(epsg)
    else:
        tm3 = _tm3_params(crs)
        if tm3 is not None:
            lon0, named = tm3
            zone = _meridian_zone(lon0)
            if zone is None:
                raise DeliveryError(
                    file, f"kinh tuyến trục {lon0:g}° không phải múi TM-3 VN-2000 nào"
                    " / central meridian is no VN-2000 TM-3 zone")
            if not named:
                warnings.append(
                    f"hệ tọa độ của tệp không ghi datum VN-2000 nhưng có tham số TM-3 "
                    f"(k=0,9999, kinh tuyến trục {lon0:g}°): coi là {zone.name}"
                    " / datum not declared, taken as VN-2000 TM-3")
    if zone is not None:
        if configured is not None and configured.srid != zone.srid:
            warnings.append(
                f"tệp khai báo {zone.name} (SRID {zone.srid}) khác múi trong cấu hình "
                f"{configured.name} (SRID {configured.srid}): dùng múi của tệp"
                " / the file's zone differs from the configured one; the file's is used")
        return CrsDecision(zone.srid, "file", None, warnings)
    if configured is None:
        raise DeliveryError(
            file, f"tệp dùng hệ tọa độ '{crs.name}', không phải VN-2000 TM-3, và cấu hình "
            "không khai báo srid/tỉnh để chuyển đổi / the file is not in VN-2000 TM-3 and no "
            "srid is configured")
    warnings.append(
        f"tệp dùng hệ tọa độ '{crs.name}': đã chuyển sang {configured.name} (SRID "
        f"{configured.srid}) / reprojected into the configured zone")
    return CrsDecision(configured.srid, "config", crs, warnings)


def reprojector(source: CRS, srid: int) -> Callable[[pa.Array], pa.Array]:
    """A function WKB array → WKB array (2D ISO) in the zone of ``srid`` (vectorised)."""
    zone = zone_for_srid(srid)
    transformer = Transformer.from_crs(source, CRS.from_user_input(zone.crs_input()), always_xy=True)

    def transform_coords(coords: np.ndarray) -> np.ndarray:
        x, y = transformer.transform(coords[:, 0], coords[:, 1])
        return np.column_stack([x, y])

    def apply(wkb: pa.Array) -> pa.Array:
        values = wkb.to_numpy(zero_copy_only=False)
        geoms = shapely.from_wkb(values, on_invalid="ignore")
        moved = shapely.transform(geoms, transform_coords)
        out = shapely.to_wkb(moved, output_dimension=2, flavor="iso")
        return pa.array(out, pa.binary())

    return apply
