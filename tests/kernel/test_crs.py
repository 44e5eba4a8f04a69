"""VN-2000 TM-3 zones: the province table, EPSG codes, and the +towgs84 sign convention."""

from __future__ import annotations

import math

import pyproj
import pytest

from datdai.kernel.crs import all_zones, zone_for_meridian, zone_for_province, zone_for_srid
from datdai.kernel.provinces import old_provinces, province_by_code, province_by_name


def test_63_old_provinces_with_zones():
    provinces = old_provinces()
    assert len(provinces) == 63
    assert {p.code[:1] for p in provinces.values()} == {"0"}
    for p in provinces.values():
        assert zone_for_province(p).central_meridian == p.central_meridian


@pytest.mark.parametrize(("name", "srid"), [
    ("Bình Phước", 9212), ("Quảng Trị", 9212), ("Lai Châu", 9205), ("Kiên Giang", 9207), ("Sơn La", 9206),
    ("TP. Hồ Chí Minh", 9210), ("Gia Lai", 9218), ("Hà Nội", 910500), ("Đồng Nai", 910745),
    ("Quảng Ngãi", 910800), ("Thừa Thiên Huế", 9214),
])
def test_zone_by_name(name, srid):
    assert zone_for_province(name).srid == srid


def test_lookup_variants():
    assert province_by_code("70").name == province_by_code("070").name == "Bình Phước"
    assert province_by_name("tinh binh phuoc").code == "070"
    assert province_by_name("Hồ Chí Minh").code == "079"
    assert province_by_name("Huế").code == "046"
    assert province_by_name("Atlantis") is None
    with pytest.raises(ValueError):
        zone_for_province("Atlantis")


def _to_wgs84(crs_input, x, y):
    t = pyproj.Transformer.from_crs(pyproj.CRS(crs_input), "EPSG:4326", always_xy=True)
    return t.transform(x, y)


def _metres(a, b):
    dlat = (a[1] - b[1]) * 111_320
    dlon = (a[0] - b[0]) * 111_320 * math.cos(math.radians(a[1]))
    return math.hypot(dlat, dlon)


@pytest.mark.parametrize("srid", [9205, 9208, 9212, 9218])
def test_proj_string_agrees_with_epsg(srid):
    """Our +towgs84 (position-vector signs) must give what PROJ gives for the EPSG zone."""
    zone = zone_for_srid(srid)
    x, y = 560_000.0, 1_300_000.0
    assert _metres(_to_wgs84(f"EPSG:{srid}", x, y), _to_wgs84(zone.proj4, x, y)) < 0.05


def test_copying_published_rotation_signs_would_err():
    zone = zone_for_srid(9212)
    wrong = zone.proj4.replace("0.00928836,-0.01975479,0.00427372", "-0.00928836,0.01975479,-0.00427372")
    no_shift = zone.proj4.replace("+towgs84=", "+notowgs84=")
    x, y = 560_000.0, 1_300_000.0
    right = _to_wgs84(zone.proj4, x, y)
    assert 0.2 < _metres(right, _to_wgs84(wrong, x, y)) < 2.0
    assert _metres(right, _to_wgs84(no_shift, x, y)) > 150


def test_zones_without_epsg_use_custom_srids():
    customs = [z for z in all_zones() if not z.is_epsg]
    assert sorted(z.srid for z in customs) == [910500, 910745, 910800]
    assert all(z.srid <= 998999 for z in all_zones())
    assert zone_for_meridian(107.75).name == "VN-2000 / TM-3 107-45"
    with pytest.raises(ValueError):
        zone_for_meridian(110.0)
