"""OVERLAP: two parcels whose interiors overlap by more than the tolerance (area and width);
each parcel of the pair gets a finding naming the other."""

from __future__ import annotations

from shapely.geometry import Polygon, box

from tests.cleaning.rules.builders import MA_XA, check, keys, owner, parcel, square

RULE = "OVERLAP"


def test_shifted_squares_both_parcels_name_their_partner(eng):
    # 10 × 10 squares, the second shifted 1 m into the first: overlap 10 m², 1 m wide
    found = check(eng, [parcel("1", square(0, 0)), parcel("2", square(9, 0)),
                        parcel("3", square(30, 0))], [], only=RULE)
    assert keys(found) == [(MA_XA, "1", "1"), (MA_XA, "1", "2")]
    by_no = {f["so_thua"]: f for f in found}
    assert by_no["1"]["gia_tri_ban_do"] == f"{MA_XA}/1/2"
    assert by_no["2"]["gia_tri_ban_do"] == f"{MA_XA}/1/1"
    assert "thửa 2 tờ 1" in by_no["1"]["mo_ta"] and "thửa 1 tờ 1" in by_no["2"]["mo_ta"]
    assert "10.00 m²" in by_no["1"]["mo_ta"]
    assert by_no["1"]["dong"] == 1 and by_no["2"]["dong"] == 2
    assert {f["muc_do"] for f in found} == {"LOI"}
    assert {f["nguon"] for f in found} == {"BAN_DO"}


def test_neighbours_sharing_an_edge_do_not_overlap(eng):
    ps = [parcel("1", square(0, 0)), parcel("2", square(10, 0)), parcel("3", square(0, 10)),
          parcel("4", square(10, 10))]
    assert check(eng, ps, [], only=RULE) == []


def test_digitising_sliver_is_not_an_overlap(eng):
    # a 2 cm sliver along a 50 m edge: 1 m², 0.02 m wide
    ps = [parcel("1", box(0, 0, 50, 20)), parcel("2", box(0, 19.98, 50, 40))]
    assert check(eng, ps, [], only=RULE) == []


def test_narrow_overlap_below_the_width_tolerance_is_ignored_even_if_large(eng):
    # 5 cm wide along 50 m: 2.5 m² (> min_area) but 0.05 m wide (< 0.1 mm × 1000 = 0.1 m)
    ps = [parcel("1", box(0, 0, 50, 20)), parcel("2", box(0, 19.95, 50, 40))]
    assert check(eng, ps, [], only=RULE) == []


def test_width_tolerance_follows_the_map_scale(eng):
    # the same 5 cm overlap on a 1:200 map: tolerance 0.1 mm × 200 = 0.02 m → found
    ps = [parcel("1", box(0, 0, 50, 20)), parcel("2", box(0, 19.95, 50, 40))]
    os_ = [owner("1", ty_le_ban_do=200), owner("2", ty_le_ban_do=200)]
    assert keys(check(eng, ps, os_, only=RULE)) == [(MA_XA, "1", "1"), (MA_XA, "1", "2")]
    # and with a width parameter of 1 mm it is a sliver again at 1:200 (0.2 m)
    assert check(eng, ps, os_, only=RULE, min_width_mm=1.0) == []


def test_area_tolerance(eng):
    # corner overlaps: 0.95 × 0.95 = 0.9025 m² (below 1 m²) and 1.1 × 1.1 = 1.21 m² (above)
    small = [parcel("1", box(0, 0, 10, 10)), parcel("2", box(9.05, 9.05, 19, 19))]
    large = [parcel("1", box(0, 0, 10, 10)), parcel("2", box(8.9, 8.9, 19, 19))]
    assert check(eng, small, [], only=RULE) == []
    assert len(check(eng, large, [], only=RULE)) == 2
    # min_area is a parameter
    assert check(eng, large, [], only=RULE, min_area=1.5) == []
    assert len(check(eng, small, [], only=RULE, min_area=0.5)) == 2


def test_small_parcel_inside_a_big_one(eng):
    found = check(eng, [parcel("1", box(0, 0, 50, 50)), parcel("2", box(10, 10, 15, 15))],
                  [], only=RULE)
    assert keys(found) == [(MA_XA, "1", "1"), (MA_XA, "1", "2")]
    assert all("25.00 m²" in f["mo_ta"] for f in found)


def test_same_key_twice_is_left_to_duplicate_parcel(eng):
    ps = [parcel("1", box(0, 0, 50, 50)), parcel("1", box(10, 10, 60, 60)),
          parcel("2", box(100, 0, 110, 10)), parcel("2", box(100, 0, 110, 10))]
    assert check(eng, ps, [], only=RULE) == []


def test_a_duplicate_still_overlaps_a_third_parcel(eng):
    ps = [parcel("1", box(0, 0, 10, 10)), parcel("1", box(0, 0, 10, 10)),
          parcel("2", box(8, 0, 18, 10))]
    found = check(eng, ps, [], only=RULE)
    assert {f["so_thua"] for f in found} == {"1", "2"}
    assert {f["gia_tri_ban_do"] for f in found if f["so_thua"] == "2"} == {f"{MA_XA}/1/1"}


def test_same_number_on_another_sheet_is_a_different_parcel(eng):
    ps = [parcel("1", box(0, 0, 10, 10), so_to="1"), parcel("1", box(8, 0, 18, 10), so_to="2")]
    found = check(eng, ps, [], only=RULE)
    assert keys(found) == [(MA_XA, "1", "1"), (MA_XA, "2", "1")]


def test_overlap_across_two_communes(eng):
    ps = [parcel("1", box(0, 0, 10, 10), ma_xa="25195"),
          parcel("7", box(8, 0, 18, 10), ma_xa="25196")]
    found = check(eng, ps, [], only=RULE)
    assert keys(found) == [("25195", "1", "1"), ("25196", "1", "7")]
    by_xa = {f["ma_xa"]: f for f in found}
    assert by_xa["25195"]["gia_tri_ban_do"] == "25196/1/7"
    assert "xã 25196" in by_xa["25195"]["mo_ta"]
    assert "xã 25195" in by_xa["25196"]["mo_ta"]


def test_overlap_across_tile_borders_is_found_once_per_parcel(eng):
    # with 1 m tiles both parcels span hundreds of tiles, and so does their overlap
    ps = [parcel("1", box(0.5, 0.5, 10.5, 10.5)), parcel("2", box(8.5, 0.5, 18.5, 10.5))]
    for tile in (1.0, 9.0, 2000.0):
        found = check(eng, ps, [], only=RULE, tile_size=tile)
        assert keys(found) == [(MA_XA, "1", "1"), (MA_XA, "1", "2")], tile
        assert all("20.00 m²" in f["mo_ta"] for f in found)


def test_parcels_in_different_tiles_only_touching_the_border(eng):
    # each parcel in its own tile, overlapping across the tile line x = 100
    ps = [parcel("1", box(90, 0, 100.5, 10)), parcel("2", box(99.5, 0, 110, 10))]
    found = check(eng, ps, [], only=RULE, tile_size=100.0)
    assert keys(found) == [(MA_XA, "1", "1"), (MA_XA, "1", "2")]


def test_three_way_overlap_names_each_partner(eng):
    ps = [parcel("1", box(0, 0, 10, 10)), parcel("2", box(8, 0, 18, 10)),
          parcel("3", box(0, 8, 7, 18))]  # overlaps 1 only
    found = check(eng, ps, [], only=RULE)
    pairs = sorted((f["so_thua"], f["gia_tri_ban_do"].rsplit("/", 1)[1]) for f in found)
    assert pairs == [("1", "2"), ("1", "3"), ("2", "1"), ("3", "1")]


def test_invalid_geometries_are_left_to_geom_invalid(eng):
    bowtie = Polygon([(0, 0), (10, 10), (10, 0), (0, 10), (0, 0)])
    ps = [parcel("1", bowtie), parcel("2", box(0, 0, 10, 10))]
    assert check(eng, ps, [], only=RULE) == []
