import zipfile

import numpy as np
import pyarrow as pa
import pytest
import shapely
from pyproj import CRS, Transformer

from datdai.cleaning.readers import PARCEL_SCHEMA, DeliveryError, iter_parcel_batches, read_parcels
from datdai.cleaning.readers.text_repair import repair_column
from datdai.kernel.crs import zone_for_meridian
from datdai.kernel.legacy import encode_tcvn3
from tests.cleaning.readers._files import (
    ESRI_PRJ_VN2000_10615,
    ESRI_PRJ_WGS84,
    X0,
    Y0,
    boxes,
    obj,
    parcel_fields,
    write_layer,
)


def gpkg(tmp_path, n=3, name="thua_dat.gpkg", crs="EPSG:9212", layer="thua_dat", geometry=None,
         geometry_type="Polygon", **fields):
    path = tmp_path / name
    geometry = boxes(n) if geometry is None else geometry
    return write_layer(path, geometry, parcel_fields(n, **fields), driver="GPKG", crs=crs,
                       layer=layer, geometry_type=geometry_type)


def shapefile(folder, n=3, *, prj=ESRI_PRJ_VN2000_10615, encoding="UTF-8", cpg=True, names=None,
              fields=None):
    folder.mkdir(exist_ok=True)
    path = folder / "thua_dat.shp"
    fields = fields or {
        "MA_XA": obj(["25195"] * n), "SO_TO": np.full(n, 12, dtype=np.int32),
        "SO_THUA": np.arange(1, n + 1, dtype=np.int32), "DIEN_TICH": np.full(n, 400.5),
        "LOAI_DAT": obj(["ODT+CLN"] * n),
        "TEN_CHU_SU": obj(names or ["Nguyễn Văn Đức"] * n),
    }
    write_layer(path, boxes(n), fields, driver="ESRI Shapefile", encoding=encoding)
    for ext in (".prj", ".cpg"):
        (folder / f"thua_dat{ext}").unlink(missing_ok=True)
    if prj is not None:
        (folder / "thua_dat.prj").write_text(prj)
    if cpg:
        (folder / "thua_dat.cpg").write_text("UTF-8")
    return folder


# --- GeoPackage ------------------------------------------------------------------------------
def test_geopackage(tmp_path):
    layer = read_parcels(gpkg(tmp_path))
    assert (layer.driver, layer.srid, layer.crs_source, layer.warnings) == ("GPKG", 9212, "file", [])
    t = layer.table
    assert t.schema == PARCEL_SCHEMA
    assert t.column("row").to_pylist() == [1, 2, 3]
    assert t.column("so_thua").to_pylist() == ["1", "2", "3"]
    assert t.column("so_to").to_pylist() == ["12"] * 3
    assert t.column("ten_chu").to_pylist() == ["Nguyễn Văn An"] * 3
    assert t.column("geometry").to_pylist() == list(boxes(3))


def test_keys_normalised(tmp_path):
    path = gpkg(tmp_path, so_to=obj([" 012 ", "12.0", "12"]), so_thua=obj(["007", "8", "9.0"]),
                ma_xa=obj(["1234", " 25195", "25195"]), dien_tich=obj(["123,4", "5.5", ""]))
    t = read_parcels(path).table
    assert t.column("ma_xa").to_pylist() == ["01234", "25195", "25195"]
    assert t.column("so_to").to_pylist() == ["12"] * 3
    assert t.column("so_thua").to_pylist() == ["7", "8", "9"]
    assert t.column("dien_tich").to_pylist() == [123.4, 5.5, None]


def test_bad_keys_listed_with_feature_and_field(tmp_path):
    path = gpkg(tmp_path, so_thua=obj(["1", "A2", ""]), dien_tich=obj(["1", "x", "2"]))
    with pytest.raises(DeliveryError) as e:
        read_parcels(path)
    msg = str(e.value)
    assert "dòng 2, cột 'so_thua'" in msg and "'A2'" in msg
    assert "dòng 3, cột 'so_thua'" in msg and "dòng 2, cột 'dien_tich'" in msg
    assert str(path) in msg
    rows = sorted((p.row, p.field) for p in e.value.problems)
    assert rows == [(2, "dien_tich"), (2, "so_thua"), (3, "so_thua")]


def test_streaming_batches(tmp_path):
    path = gpkg(tmp_path, n=25)
    meta, batches = iter_parcel_batches(path, batch_size=10)
    assert meta.srid == 9212 and meta.features == 25
    got = list(batches)
    assert len(got) >= 3 and all(b.schema == PARCEL_SCHEMA for b in got)
    assert pa.Table.from_batches(got).column("row").to_pylist() == list(range(1, 26))


def test_layer_choice(tmp_path):
    path = tmp_path / "d.gpkg"
    write_layer(path, boxes(2), parcel_fields(2), driver="GPKG", crs="EPSG:9212", layer="thua")
    write_layer(path, boxes(1), parcel_fields(1), driver="GPKG", crs="EPSG:9212", layer="khac",
                append=False)
    with pytest.raises(DeliveryError) as e:
        read_parcels(path)
    assert "thua" in str(e.value) and "khac" in str(e.value)
    assert read_parcels(path, layer="thua").table.num_rows == 2
    with pytest.raises(DeliveryError, match="không có lớp 'nope'"):
        read_parcels(path, layer="nope")
    write_layer(path, boxes(4), parcel_fields(4), driver="GPKG", crs="EPSG:9212", layer="thua_dat")
    assert read_parcels(path).table.num_rows == 4


def test_only_polygon_layer_is_taken(tmp_path):
    path = tmp_path / "d.gpkg"
    pts = shapely.to_wkb(np.array([shapely.Point(X0, Y0)]))
    write_layer(path, pts, {"ten": obj(["x"])}, driver="GPKG", crs="EPSG:9212", layer="diem",
                geometry_type="Point")
    write_layer(path, boxes(2), parcel_fields(2), driver="GPKG", crs="EPSG:9212", layer="thua")
    assert read_parcels(path).table.num_rows == 2


def test_custom_zone_crs(tmp_path):
    wkt = CRS.from_user_input(zone_for_meridian(105.0).crs_input()).to_wkt()
    layer = read_parcels(gpkg(tmp_path, crs=wkt))
    assert (layer.srid, layer.crs_source) == (910500, "file")


def test_mixed_geometries_kept_and_3d_flattened(tmp_path):
    geoms = [shapely.box(X0, Y0, X0 + 1, Y0 + 1), shapely.LineString([(X0, Y0), (X0 + 5, Y0)]),
             shapely.Polygon([(X0, Y0, 5), (X0 + 1, Y0, 5), (X0, Y0 + 1, 5)]), None]
    wkb = np.array([None if g is None else shapely.to_wkb(g, flavor="iso") for g in geoms],
                   dtype=object)
    path = gpkg(tmp_path, n=4, geometry=wkb, geometry_type="Unknown")
    t = read_parcels(path).table
    out = shapely.from_wkb(t.column("geometry").to_numpy(zero_copy_only=False))
    assert list(shapely.get_type_id(out[:3])) == [3, 1, 3]
    assert out[3] is None
    assert not shapely.has_z(out[2])
    assert t.column("geometry")[0].as_py() == wkb[0]


def test_no_polygons_is_an_error(tmp_path):
    pts = shapely.to_wkb(np.array([shapely.Point(X0, Y0), shapely.Point(X0 + 1, Y0)]))
    path = gpkg(tmp_path, n=2, geometry=pts, geometry_type="Point")
    with pytest.raises(DeliveryError, match="không có thửa đất dạng vùng"):
        read_parcels(path)


def test_empty_layer(tmp_path):
    path = tmp_path / "e.gpkg"
    write_layer(path, np.array([], dtype=object), {k: v[:0] for k, v in parcel_fields(1).items()},
                driver="GPKG", crs="EPSG:9212", layer="thua_dat")
    with pytest.raises(DeliveryError, match="lớp không có đối tượng"):
        read_parcels(path)


@pytest.mark.parametrize("damage", ["truncate", "garble"])
def test_corrupt_geopackage(tmp_path, damage):
    path = gpkg(tmp_path, n=50)
    data = bytearray(path.read_bytes())
    if damage == "truncate":
        path.write_bytes(bytes(data[:1000]))
    else:
        data[0:100] = b"\x00" * 100
        path.write_bytes(bytes(data))
    with pytest.raises(DeliveryError) as e:
        read_parcels(path)
    assert str(path) in str(e.value)


def test_missing_file_and_unknown_format(tmp_path):
    with pytest.raises(DeliveryError, match="không tìm thấy tệp"):
        read_parcels(tmp_path / "nope.gpkg")
    other = tmp_path / "map.dwg"
    other.write_bytes(b"AC1015")
    with pytest.raises(DeliveryError, match="không được hỗ trợ"):
        read_parcels(other)


def test_missing_required_field(tmp_path):
    fields = parcel_fields(2)
    del fields["so_thua"]
    path = write_layer(tmp_path / "a.gpkg", boxes(2), fields, driver="GPKG", crs="EPSG:9212",
                       layer="thua_dat")
    with pytest.raises(DeliveryError) as e:
        read_parcels(path)
    assert "so_thua" in str(e.value) and "'ten_chu'" in str(e.value)


def test_optional_fields_missing_and_keys_from_arguments(tmp_path):
    fields = {"so_thua": np.array([1, 2], dtype=np.int32)}
    path = write_layer(tmp_path / "a.gpkg", boxes(2), fields, driver="GPKG", crs="EPSG:9212",
                       layer="thua_dat")
    with pytest.raises(DeliveryError, match="ma_xa"):
        read_parcels(path)
    layer = read_parcels(path, ma_xa="25195", so_to="7")
    t = layer.table
    assert t.column("ma_xa").to_pylist() == ["25195"] * 2
    assert t.column("so_to").to_pylist() == ["7"] * 2
    assert t.column("dien_tich").null_count == 2 and t.column("ten_chu").null_count == 2
    assert any("dien_tich" in w for w in layer.warnings)


# --- GeoJSON ---------------------------------------------------------------------------------
def test_geojson_wgs84_reprojected(tmp_path):
    lonlat = shapely.to_wkb(np.array([shapely.box(106.3, 11.5, 106.3002, 11.5002)]))
    path = write_layer(tmp_path / "t.geojson", lonlat, parcel_fields(1), driver="GeoJSON",
                       crs="EPSG:4326")
    with pytest.raises(DeliveryError, match="không phải VN-2000"):
        read_parcels(path)
    layer = read_parcels(path, srid=9212)
    assert (layer.srid, layer.crs_source, layer.driver) == (9212, "config", "GeoJSON")
    assert any("chuyển" in w for w in layer.warnings)
    x, y = Transformer.from_crs("EPSG:4326", "EPSG:9212", always_xy=True).transform(106.3, 11.5)
    geom = shapely.from_wkb(layer.table.column("geometry")[0].as_py())
    assert shapely.get_coordinates(geom).min(axis=0) == pytest.approx([x, y], abs=0.05)
    assert layer.table.column("so_to").to_pylist() == ["12"]


# --- Shapefile -------------------------------------------------------------------------------
def test_shapefile_folder_utf8_truncated_names_prj_without_shift(tmp_path):
    folder = shapefile(tmp_path / "shp")
    layer = read_parcels(folder)
    assert (layer.driver, layer.srid, layer.crs_source) == ("ESRI Shapefile", 9212, "file")
    t = layer.table
    assert t.column("ten_chu").to_pylist() == ["Nguyễn Văn Đức"] * 3
    assert t.column("loai_dat").to_pylist() == ["ODT+CLN"] * 3
    assert t.column("dien_tich").to_pylist() == [400.5] * 3
    # the .shp path itself, and a configured zone that differs: the file wins, with a warning
    layer = read_parcels(folder / "thua_dat.shp", srid=9206)
    assert layer.srid == 9212 and any("khác múi" in w for w in layer.warnings)


def test_shapefile_without_cpg_reads_legacy_bytes_as_cp1252(tmp_path):
    names = ["Nguyễn Văn Đức", "Trần Thị Hồng", "Lê Văn Tâm"]
    legacy = [encode_tcvn3(n) for n in names]
    folder = shapefile(tmp_path / "shp", names=legacy, encoding="latin1", cpg=False)
    t = read_parcels(folder).table
    assert t.column("ten_chu").to_pylist() == legacy
    fixed, kind = repair_column(t.column("ten_chu"), restore_case=True)
    assert fixed.to_pylist() == names and kind.to_pylist() == ["TCVN3"] * 3


def test_shapefile_zip(tmp_path):
    folder = shapefile(tmp_path / "shp")
    archive = tmp_path / "giao_nop.zip"
    with zipfile.ZipFile(archive, "w") as zf:
        for f in folder.iterdir():
            zf.write(f, f"ban_do/{f.name}")
    layer = read_parcels(archive)
    assert layer.table.num_rows == 3 and layer.srid == 9212
    assert layer.table.column("ten_chu")[0].as_py() == "Nguyễn Văn Đức"


def test_shapefile_prj_wgs84_reprojected(tmp_path):
    folder = tmp_path / "shp"
    folder.mkdir()
    lonlat = shapely.to_wkb(np.array([shapely.box(106.3, 11.5, 106.3002, 11.5002)]))
    fields = {"MA_XA": obj(["25195"]), "SO_TO": obj(["3"]), "SO_THUA": obj(["4"])}
    write_layer(folder / "t.shp", lonlat, fields, driver="ESRI Shapefile")
    (folder / "t.prj").write_text(ESRI_PRJ_WGS84)
    layer = read_parcels(folder, srid=9212)
    assert layer.crs_source == "config" and layer.srid == 9212
    x, _ = Transformer.from_crs("EPSG:4326", "EPSG:9212", always_xy=True).transform(106.3, 11.5)
    geom = shapely.from_wkb(layer.table.column("geometry")[0].as_py())
    assert shapely.bounds(geom)[0] == pytest.approx(x, abs=0.05)


def test_shapefile_without_prj(tmp_path):
    folder = shapefile(tmp_path / "shp", prj=None)
    with pytest.raises(DeliveryError, match="khai báo srid"):
        read_parcels(folder)
    layer = read_parcels(folder, srid=9212)
    assert (layer.srid, layer.crs_source) == (9212, "config")


@pytest.mark.parametrize("ext", [".shx", ".dbf"])
def test_shapefile_missing_part(tmp_path, ext):
    folder = shapefile(tmp_path / "shp")
    (folder / f"thua_dat{ext}").unlink()
    with pytest.raises(DeliveryError) as e:
        read_parcels(folder)
    assert f"thua_dat{ext}" in str(e.value)


def test_shapefile_bad_key_names_the_dbf_field(tmp_path):
    folder = shapefile(tmp_path / "shp", n=2, fields={
        "MA_XA": obj(["25195"] * 2), "SO_TO": obj(["12", "x"]), "SO_THUA": obj(["1", "2"])})
    with pytest.raises(DeliveryError) as e:
        read_parcels(folder)
    assert "dòng 2, cột 'SO_TO'" in str(e.value)


def test_geojson_without_crs_member_in_metres(tmp_path):
    path = write_layer(tmp_path / "t.geojson", boxes(2), parcel_fields(2), driver="GeoJSON")
    layer = read_parcels(path, srid=9212)
    assert (layer.srid, layer.crs_source) == (9212, "config")
    assert layer.table.column("geometry").to_pylist() == list(boxes(2))


def test_empty_keys_filled_from_arguments(tmp_path):
    path = gpkg(tmp_path, n=2, ma_xa=obj(["", "25195"]), so_to=obj([None, "3"]))
    with pytest.raises(DeliveryError, match="dòng 1, cột 'so_to'"):
        read_parcels(path)
    t = read_parcels(path, ma_xa="1234", so_to="012").table
    assert t.column("ma_xa").to_pylist() == ["01234", "25195"]
    assert t.column("so_to").to_pylist() == ["12", "3"]
