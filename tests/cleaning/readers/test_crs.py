import pyarrow as pa
import pytest
import shapely
from pyproj import CRS, Transformer

from datdai.cleaning.readers.crs import decide_crs, reprojector
from datdai.cleaning.readers.errors import DeliveryError
from datdai.kernel.crs import zone_for_meridian
from tests.cleaning.readers._files import ESRI_PRJ_VN2000_10615


def test_epsg_zone_from_file():
    d = decide_crs("EPSG:9212", None, "a.gpkg")
    assert (d.srid, d.source, d.reproject_from) == (9212, "file", None)


def test_esri_prj_without_datum_shift():
    d = decide_crs(ESRI_PRJ_VN2000_10615, None, "a.shp")
    assert (d.srid, d.source) == (9212, "file")


def test_custom_zone_proj_string():
    zone = zone_for_meridian(105.0)
    wkt = CRS.from_user_input(zone.crs_input()).to_wkt()
    d = decide_crs(wkt, None, "a.gpkg")
    assert (d.srid, d.source) == (910500, "file")


def test_tm3_on_wgs84_datum_taken_as_vn2000_with_warning():
    wkt = CRS.from_proj4("+proj=tmerc +lon_0=107.75 +k=0.9999 +x_0=500000 +datum=WGS84").to_wkt()
    d = decide_crs(wkt, None, "a.shp")
    assert d.srid == 910745 and d.reproject_from is None
    assert "VN-2000" in d.warnings[0]


def test_file_zone_wins_over_config_with_warning():
    d = decide_crs("EPSG:9212", 9206, "a.gpkg")
    assert d.srid == 9212
    assert "khác múi" in d.warnings[0]


def test_other_crs_reprojected_into_configured_zone():
    d = decide_crs("EPSG:4326", 9212, "a.geojson")
    assert d.srid == 9212 and d.source == "config" and d.reproject_from is not None
    assert "chuyển" in d.warnings[0]
    d = decide_crs("EPSG:32648", 9212, "a.shp")  # UTM 48N
    assert d.reproject_from is not None


def test_no_crs_uses_config_or_fails():
    assert decide_crs(None, 9212, "a.dgn").source == "config"
    with pytest.raises(DeliveryError, match="không xác định được hệ tọa độ"):
        decide_crs(None, None, "a.dgn")
    with pytest.raises(DeliveryError, match="không phải VN-2000"):
        decide_crs("EPSG:4326", None, "a.geojson")
    with pytest.raises(DeliveryError, match="không xác định được hệ tọa độ"):
        decide_crs("this is not a crs", 9212, "a.shp")


def test_reprojector_matches_pyproj():
    wkb = pa.array([shapely.to_wkb(shapely.box(106.3, 11.5, 106.301, 11.501)), None], pa.binary())
    out = reprojector(CRS("EPSG:4326"), 9212)(wkb)
    assert out[1].as_py() is None
    got = shapely.get_coordinates(shapely.from_wkb(out[0].as_py()))
    src = shapely.get_coordinates(shapely.box(106.3, 11.5, 106.301, 11.501))
    t = Transformer.from_crs("EPSG:4326", "EPSG:9212", always_xy=True)
    x, y = t.transform(src[:, 0], src[:, 1])
    assert got[:, 0] == pytest.approx(x, abs=1e-6)
    assert got[:, 1] == pytest.approx(y, abs=1e-6)


def test_lonlat_declaration_with_metres_is_ignored():
    d = decide_crs("EPSG:4326", 9212, "a.geojson", bounds=(570000, 1280000, 571000, 1281000))
    assert (d.srid, d.source, d.reproject_from) == (9212, "config", None)
    assert "mét" in d.warnings[0]
    d = decide_crs("EPSG:4326", 9212, "a.geojson", bounds=(106.1, 11.2, 106.3, 11.4))
    assert d.reproject_from is not None
