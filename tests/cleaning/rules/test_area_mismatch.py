"""AREA_MISMATCH: register area vs. polygon area (or the map label when the polygon is
invalid) beyond ΔP = factor × 0.0002 × M × √P m² (M: scale denominator)."""

from __future__ import annotations

import math

from shapely.geometry import Polygon

from tests.cleaning.rules.builders import MA_XA, check, keys, owner, parcel, square

RULE = "AREA_MISMATCH"


def _map(n: int, **kw):
    """n 20 × 20 m squares (400 m² each), numbered 1..n, apart from each other."""
    return [parcel(str(i + 1), square(i * 30, 0, 20), **kw) for i in range(n)]


def _reg(*areas, **kw):
    return [owner(str(i + 1), dien_tich=a, **kw) for i, a in enumerate(areas)]


def test_tolerance_at_1_1000_for_400_m2_is_8_m2(eng):
    # ΔP = 2 × 0.0002 × 1000 × √400 = 8 m²: 7.9 off either way passes, 8.1 off is found
    assert math.isclose(2 * 0.0002 * 1000 * math.sqrt(400), 8.0)
    found = check(eng, _map(4), _reg(407.9, 408.1, 392.1, 391.9), only=RULE)
    assert keys(found) == [(MA_XA, "1", "2"), (MA_XA, "1", "4")]


def test_finding_names_both_values_and_the_scale(eng):
    found = check(eng, _map(1), _reg(430.0), only=RULE)
    assert len(found) == 1
    f = found[0]
    assert f["muc_do"] == "LOI" and f["nguon"] == "SO_DIA_CHINH" and f["truong"] == "dien_tich"
    assert f["gia_tri_ban_do"] == "400.0" and f["gia_tri_thuoc_tinh"] == "430.0"
    assert "430.0" in f["mo_ta"] and "400.0" in f["mo_ta"] and "1:1000" in f["mo_ta"]
    assert "tính từ hình thửa" in f["mo_ta"]
    assert f["dong"] == 2
    assert f["de_xuat"] is None  # a person chooses the right value


def test_scale_comes_from_ty_le_ban_do(eng):
    # 1:2000: ΔP = 16 m² for 400 m²
    found = check(eng, _map(2), _reg(415.5, 416.5, ty_le_ban_do=2000), only=RULE)
    assert keys(found) == [(MA_XA, "1", "2")]
    assert "1:2000" in found[0]["mo_ta"]
    # 1:500: ΔP = 4 m²
    found = check(eng, _map(2), _reg(403.9, 404.1, ty_le_ban_do=500), only=RULE)
    assert keys(found) == [(MA_XA, "1", "2")]


def test_default_scale_is_1000_and_configurable(eng):
    areas = (407.9, 408.1, 415.5, 416.5)
    assert keys(check(eng, _map(4), _reg(*areas), only=RULE)) == [
        (MA_XA, "1", "2"), (MA_XA, "1", "3"), (MA_XA, "1", "4")]
    assert keys(check(eng, _map(4), _reg(*areas), only=RULE, default_scale=2000)) == [
        (MA_XA, "1", "4")]


def test_recorded_scale_wins_over_the_default(eng):
    os_ = _reg(408.1, 408.1)
    os_[0]["ty_le_ban_do"] = 1000
    found = check(eng, _map(2), os_, only=RULE, default_scale=2000)
    assert keys(found) == [(MA_XA, "1", "1")]


def test_factor_parameter(eng):
    # factor 1: ΔP = 4 m² at 1:1000 for 400 m²
    found = check(eng, _map(2), _reg(403.9, 404.1), only=RULE, factor=1.0)
    assert keys(found) == [(MA_XA, "1", "2")]
    # factor 3: ΔP = 12 m²
    found = check(eng, _map(2), _reg(411.5, 412.5), only=RULE, factor=3.0)
    assert keys(found) == [(MA_XA, "1", "2")]


def test_tolerance_grows_with_the_square_root_of_the_area(eng):
    # 100 m² at 1:1000: ΔP = 4 m²; 2 500 m²: ΔP = 20 m²
    ps = [parcel("1", square(0, 0, 10)), parcel("2", square(100, 0, 50))]
    assert check(eng, ps, _reg(103.9, 2519.0), only=RULE) == []
    assert keys(check(eng, ps, _reg(104.1, 2521.0), only=RULE)) == [(MA_XA, "1", "1"),
                                                                    (MA_XA, "1", "2")]


def test_invalid_polygon_is_compared_with_the_map_label(eng):
    bowtie = Polygon([(0, 0), (20, 20), (20, 0), (0, 20), (0, 0)])
    ps = [parcel("1", bowtie, dien_tich=400.0), parcel("2", bowtie, dien_tich=400.0)]
    found = check(eng, ps, _reg(407.9, 408.1), only=RULE)
    assert keys(found) == [(MA_XA, "1", "2")]
    assert "ghi trên bản đồ" in found[0]["mo_ta"]
    assert found[0]["gia_tri_ban_do"] == "400.0"


def test_valid_polygon_area_wins_over_the_label(eng):
    # the label is wrong, the polygon agrees with the register: no finding
    assert check(eng, [parcel("1", square(0, 0, 20), dien_tich=300.0)], _reg(400.0),
                 only=RULE) == []
    # the label agrees, the polygon does not: a finding
    found = check(eng, [parcel("1", square(0, 0, 20), dien_tich=500.0)], _reg(500.0),
                  only=RULE)
    assert len(found) == 1 and found[0]["gia_tri_ban_do"] == "400.0"


def test_nothing_to_compare_is_not_a_finding(eng):
    ps = [parcel("1", None, dien_tich=None), parcel("2", square(30, 0, 20))]
    assert check(eng, ps, _reg(1000.0, None), only=RULE) == []
    # register parcel missing on the map: MISSING_IN_MAP, not an area mismatch
    assert check(eng, [], _reg(1000.0), only=RULE) == []


def test_several_register_rows_of_a_parcel_give_one_finding(eng):
    os_ = [owner("1", dien_tich=450.0),
           owner("1", dien_tich=450.0, ten_chu="Trần Thị Bình", gioi_tinh="Nữ",
                 so_giay_to="070185012346")]
    found = check(eng, _map(1), os_, only=RULE)
    assert len(found) == 1 and found[0]["dong"] == 2
