"""GEOM_INVALID: a map feature whose geometry is not a valid, non-empty polygon."""

from __future__ import annotations

import struct

import pytest
import shapely
from shapely.geometry import LineString, MultiPolygon, Point, Polygon, box

from tests.cleaning.rules.builders import by_case, check, parcel, square

RULE = "GEOM_INVALID"


def _unclosed_ring_wkb() -> bytes:
    """A polygon WKB whose only ring does not end where it starts."""
    pts = [(0.0, 0.0), (10.0, 0.0), (10.0, 10.0), (0.0, 10.0)]
    return (struct.pack("<BII", 1, 3, 1) + struct.pack("<I", len(pts))
            + b"".join(struct.pack("<dd", *p) for p in pts))


BAD = {
    "bowtie": Polygon([(0, 0), (10, 10), (10, 0), (0, 10), (0, 0)]),
    "zero_area": Polygon([(0, 0), (10, 0), (20, 0), (0, 0)]),
    "point": Point(1, 1),
    "line": LineString([(0, 0), (10, 10)]),
    "empty": Polygon(),
    "hole_outside": Polygon([(0, 0), (10, 0), (10, 10), (0, 10)],
                            [[(20, 20), (30, 20), (30, 30), (20, 30)]]),
}


@pytest.fixture(scope="module")
def bad_found(eng):
    """One delivery: each bad geometry as parcel i + 1, then a valid square."""
    ps = [parcel(str(i + 1), g) for i, g in enumerate(BAD.values())]
    ps.append(parcel(str(len(BAD) + 1), square(100, 100)))
    return by_case(check(eng, ps, [], only=RULE))


@pytest.mark.parametrize("name", list(BAD))
def test_each_bad_geometry_is_found(bad_found, name):
    i = list(BAD).index(name)
    assert len(bad_found.get(i, [])) == 1
    f = bad_found[i][0]
    assert f["muc_do"] == "LOI" and f["nguon"] == "BAN_DO" and f["truong"] == "geometry"
    assert f["dong"] == i + 1
    assert f["mo_ta"].startswith("Hình thửa không hợp lệ")


def test_the_valid_square_is_not_found(bad_found):
    assert set(bad_found) == set(range(len(BAD)))


def test_messages_say_what_is_wrong(bad_found):
    by_no = {str(i + 1): fs[0] for i, fs in bad_found.items()}
    assert "Self-intersection" in by_no["1"]["mo_ta"]
    assert "Point" in by_no["3"]["mo_ta"] and by_no["3"]["gia_tri_ban_do"] == "Point"
    assert "LineString" in by_no["4"]["mo_ta"]
    assert "rỗng" in by_no["5"]["mo_ta"]


def test_null_geometry_and_broken_wkb_are_found(eng):
    found = check(eng, [parcel("1", None), parcel("2", wkb=b"\x01\x02junk"),
                        parcel("3", wkb=_unclosed_ring_wkb()), parcel("4", square(0, 0))],
                  [], only=RULE)
    assert [f["so_thua"] for f in found] == ["1", "2", "3"]
    assert all("không có hình thửa" in f["mo_ta"] for f in found)


def test_valid_polygons_are_not_found(eng):
    with_hole = Polygon([(0, 0), (10, 0), (10, 10), (0, 10)], [[(2, 2), (4, 2), (4, 4), (2, 4)]])
    multi = MultiPolygon([box(0, 0, 1, 1), box(5, 5, 6, 6)])
    tiny = box(0, 0, 0.1, 0.1)  # small but a real polygon
    concave = Polygon([(0, 0), (10, 0), (10, 10), (5, 5), (0, 10)])
    ps = [parcel(str(i + 1), g) for i, g in enumerate([with_hole, multi, tiny, concave])]
    assert check(eng, ps, [], only=RULE) == []


def test_ring_with_wrong_orientation_is_still_valid(eng):
    clockwise = Polygon([(0, 0), (0, 10), (10, 10), (10, 0)])
    assert not shapely.is_ccw(clockwise.exterior)
    assert check(eng, [parcel("1", clockwise)], [], only=RULE) == []
