"""Writing small delivery files with GDAL (pyogrio) for the ingest tests."""

from __future__ import annotations

import warnings
from pathlib import Path

import numpy as np
import shapely
from pyogrio.raw import write

# VN-2000 / TM-3 106-15 (Bình Phước), EPSG:9212
X0, Y0 = 570_000.0, 1_280_000.0

ESRI_PRJ_VN2000_10615 = (
    'PROJCS["VN_2000_TM3_106_15",GEOGCS["GCS_VN_2000",DATUM["D_Vietnam_2000",'
    'SPHEROID["WGS_1984",6378137.0,298.257223563]],PRIMEM["Greenwich",0.0],'
    'UNIT["Degree",0.0174532925199433]],PROJECTION["Transverse_Mercator"],'
    'PARAMETER["False_Easting",500000.0],PARAMETER["False_Northing",0.0],'
    'PARAMETER["Central_Meridian",106.25],PARAMETER["Scale_Factor",0.9999],'
    'PARAMETER["Latitude_Of_Origin",0.0],UNIT["Meter",1.0]]'
)
ESRI_PRJ_WGS84 = (
    'GEOGCS["GCS_WGS_1984",DATUM["D_WGS_1984",SPHEROID["WGS_1984",6378137.0,298.257223563]],'
    'PRIMEM["Greenwich",0.0],UNIT["Degree",0.0174532925199433]]'
)


def boxes(n: int, x0: float = X0, y0: float = Y0, size: float = 20.0) -> np.ndarray:
    """``n`` adjacent square parcels as WKB."""
    geoms = [shapely.box(x0 + i * size, y0, x0 + (i + 1) * size, y0 + size) for i in range(n)]
    return shapely.to_wkb(np.array(geoms), flavor="iso")


def obj(values) -> np.ndarray:
    return np.array(list(values), dtype=object)


def write_layer(path: Path, geometry, fields: dict, *, driver: str, crs: str | None = None,
                layer: str | None = None, encoding: str | None = None,
                geometry_type: str = "Polygon", append: bool = False) -> Path:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        write(str(path), geometry, field_data=list(fields.values()), fields=list(fields),
              geometry_type=geometry_type, driver=driver, crs=crs, layer=layer,
              encoding=encoding, append=append)
    return path


def parcel_fields(n: int, **over) -> dict:
    fields = {
        "ma_xa": obj(["25195"] * n),
        "so_to": np.arange(1, n + 1, dtype=np.int32) * 0 + 12,
        "so_thua": np.arange(1, n + 1, dtype=np.int32),
        "dien_tich": np.full(n, 400.0),
        "loai_dat": obj(["ODT"] * n),
        "ten_chu": obj(["Nguyễn Văn An"] * n),
    }
    fields.update(over)
    return fields


def write_dgn(path: Path, polygons, labels: list[tuple[float, float, str]]) -> Path:
    """A DGN v7 sheet: closed shapes plus text elements (8-bit text, latin-1)."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        write(str(path), polygons, field_data=[], fields=[], geometry_type="Unknown", driver="DGN")
        if labels:
            pts = shapely.to_wkb(np.array([shapely.Point(x, y) for x, y, _ in labels]))
            write(str(path), pts, field_data=[obj(t for _, _, t in labels)], fields=["Text"],
                  layer="elements", geometry_type="Unknown", driver="DGN", append=True,
                  encoding="latin1")
    return path
