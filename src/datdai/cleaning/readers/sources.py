"""Where the parcel map of a delivery is: a file, a Shapefile folder, a .zip, DGN sheets."""

from __future__ import annotations

import zipfile
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath

import pyogrio
from pyogrio.errors import DataSourceError

from datdai.cleaning.readers.errors import DeliveryError
from datdai.kernel.text import fold_key

GPKG, SHAPEFILE, GEOJSON, DGN = "GPKG", "ESRI Shapefile", "GeoJSON", "DGN"
_BY_SUFFIX = {".gpkg": GPKG, ".shp": SHAPEFILE, ".geojson": GEOJSON, ".json": GEOJSON, ".dgn": DGN}
LAYER_NAME = "thua_dat"


@dataclass
class MapSource:
    """What GDAL should open. ``datasets`` are GDAL paths (``/vsizip/…`` inside a zip)."""

    path: Path
    driver: str
    datasets: list[str]
    names: list[str]  # file name of each dataset (DGN sheets: <ma_xa>_<so_to>.dgn)
    layer: str | None = None
    encoding: str | None = None  # "latin1" for a DBF without .cpg (shown as cp1252 later)
    warnings: list[str] = field(default_factory=list)


def _missing(path: Path) -> DeliveryError:
    return DeliveryError(path, "không tìm thấy tệp / file not found")


def _pick_by_name(members: list[str], suffix: str) -> list[str]:
    return sorted(m for m in members if m.lower().endswith(suffix) and "__macosx" not in m.lower())


def _sibling(members: list[str], shp: str, ext: str) -> str | None:
    stem = shp[: -len(".shp")].lower()
    for m in members:
        if m.lower() == stem + ext:
            return m
    return None


def _choose_layer(path: Path, dataset: str, layer: str | None) -> str | None:
    """The parcel layer of a multi-layer dataset (GeoPackage)."""
    try:
        layers = [(str(n), str(t) if t is not None else "") for n, t in pyogrio.list_layers(dataset)]
    except DataSourceError as exc:
        raise DeliveryError(path, f"không đọc được tệp (hỏng hoặc sai định dạng): {exc}"
                                  " / cannot open the file (corrupt?)") from exc
    names = [n for n, _ in layers]
    if layer is not None:
        if layer in names:
            return layer
        folded = [n for n in names if fold_key(n) == fold_key(layer)]
        if len(folded) == 1:
            return folded[0]
        raise DeliveryError(path, f"không có lớp '{layer}'; các lớp trong tệp: {', '.join(names)}"
                                  " / no such layer")
    if not layers:
        raise DeliveryError(path, "tệp không có lớp dữ liệu nào / no layers")
    named = [n for n in names if fold_key(n) == fold_key(LAYER_NAME)]
    if len(named) == 1:
        return named[0]
    spatial = [(n, t) for n, t in layers if t]
    polygonal = [n for n, t in spatial if "polygon" in t.lower() or "surface" in t.lower()]
    if len(polygonal) == 1:
        return polygonal[0]
    if len(polygonal) > 1:
        raise DeliveryError(path, f"nhiều lớp vùng, không rõ lớp thửa đất: {', '.join(polygonal)};"
                                  " đặt tên lớp 'thua_dat' hoặc chỉ định lớp / several polygon layers")
    if len(spatial) == 1:
        return spatial[0][0]
    raise DeliveryError(path, f"không tìm thấy lớp thửa đất (lớp 'thua_dat' hoặc một lớp vùng);"
                              f" các lớp: {', '.join(names)} / no parcel layer")


def _shapefile(path: Path, members: list[str], prefix: str, shp: str, found: list[str]) -> MapSource:
    shx = _sibling(members, shp, ".shx")
    dbf = _sibling(members, shp, ".dbf")
    stem = PurePosixPath(shp).name[: -len(".shp")]
    if dbf is None:
        raise DeliveryError(path, f"thiếu tệp {stem}.dbf (bảng thuộc tính của {PurePosixPath(shp).name})"
                                  " / missing .dbf")
    if shx is None:
        raise DeliveryError(path, f"thiếu tệp {stem}.shx (chỉ mục của {PurePosixPath(shp).name});"
                                  " hãy giao đủ .shp, .shx, .dbf, .prj / missing .shx")
    cpg = _sibling(members, shp, ".cpg")
    src = MapSource(path, SHAPEFILE, [prefix + shp], [PurePosixPath(shp).name],
                    encoding=None if cpg else "latin1")
    if len(found) > 1:
        src.warnings.append(f"có {len(found)} tệp .shp; đọc {PurePosixPath(shp).name}"
                            " / several .shp files")
    return src


def _choose_shp(path: Path, prefix: str, shps: list[str]) -> str:
    if len(shps) == 1:
        return shps[0]
    named = [s for s in shps if fold_key(PurePosixPath(s).name[:-4]) == fold_key(LAYER_NAME)]
    if len(named) == 1:
        return named[0]
    polygonal = []
    for s in shps:
        try:
            info = pyogrio.read_info(prefix + s)
        except DataSourceError:
            continue
        if "polygon" in str(info.get("geometry_type") or "").lower():
            polygonal.append(s)
    if len(polygonal) == 1:
        return polygonal[0]
    listed = ", ".join(PurePosixPath(s).name for s in (polygonal or shps))
    raise DeliveryError(path, f"nhiều tệp .shp, không rõ tệp thửa đất: {listed};"
                              " đặt tên 'thua_dat.shp' / several shapefiles")


def _from_members(path: Path, members: list[str], prefix: str, layer: str | None) -> MapSource:
    shps = _pick_by_name(members, ".shp")
    dgns = _pick_by_name(members, ".dgn")
    gpkgs = _pick_by_name(members, ".gpkg")
    jsons = _pick_by_name(members, ".geojson") or _pick_by_name(members, ".json")
    if shps:
        return _shapefile(path, members, prefix, _choose_shp(path, prefix, shps), shps)
    if dgns:
        return MapSource(path, DGN, [prefix + d for d in dgns], [PurePosixPath(d).name for d in dgns])
    for files, driver in ((gpkgs, GPKG), (jsons, GEOJSON)):
        if len(files) == 1:
            ds = prefix + files[0]
            lyr = _choose_layer(path, ds, layer) if driver == GPKG else layer
            return MapSource(path, driver, [ds], [PurePosixPath(files[0]).name], lyr)
        if files:
            raise DeliveryError(path, f"nhiều tệp bản đồ: {', '.join(files)} / several map files")
    if any(m.lower().endswith((".dbf", ".shx")) for m in members):
        raise DeliveryError(path, "thiếu tệp .shp (hình học của Shapefile) / missing .shp")
    raise DeliveryError(path, "không có tệp bản đồ (.gpkg, .shp, .dgn, .geojson) / no map file")


def resolve_map(path: str | Path, layer: str | None = None) -> MapSource:
    """Find the map data in ``path`` or raise a :class:`DeliveryError` saying what is wrong."""
    path = Path(path)
    if not path.exists():
        raise _missing(path)
    if path.is_dir():
        members = sorted(str(p.relative_to(path).as_posix()) for p in path.rglob("*") if p.is_file())
        return _from_members(path, members, str(path.resolve()) + "/", layer)
    suffix = path.suffix.lower()
    if suffix == ".zip":
        try:
            with zipfile.ZipFile(path) as zf:
                members = [n for n in zf.namelist() if not n.endswith("/")]
        except (zipfile.BadZipFile, OSError) as exc:
            raise DeliveryError(path, f"tệp .zip hỏng: {exc} / corrupt zip") from exc
        return _from_members(path, members, f"/vsizip/{path.resolve()}/", layer)
    if suffix == ".shp":
        members = [p.name for p in path.parent.iterdir() if p.is_file()]
        return _shapefile(path, members, str(path.parent.resolve()) + "/", path.name, [path.name])
    if suffix in (".dbf", ".shx"):
        raise DeliveryError(path, "hãy chỉ tệp .shp hoặc thư mục Shapefile / give the .shp or its folder")
    driver = _BY_SUFFIX.get(suffix)
    if driver is None:
        raise DeliveryError(path, f"định dạng '{suffix or path.name}' không được hỗ trợ; dùng "
                                  "GeoPackage, Shapefile (.shp/thư mục/.zip), DGN hoặc GeoJSON"
                                  " / unsupported format")
    ds = str(path)
    if driver == GPKG:
        return MapSource(path, driver, [ds], [path.name], _choose_layer(path, ds, layer))
    return MapSource(path, driver, [ds], [path.name], layer)
