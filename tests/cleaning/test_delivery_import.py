"""The stored part of an import: fingerprint, refusal of a known delivery and of taken communes."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from datdai.cleaning.config import CheckConfig
from datdai.cleaning.delivery_import import DeliveryConflict, delivery_fingerprint
from datdai.db import schema as s
from tests.cleaning.deliveries import store_hand_delivery


def test_fingerprint_follows_the_bytes_and_the_config(tmp_path):
    a, b = tmp_path / "a", tmp_path / "b"
    a.mkdir()
    b.mkdir()
    (a / "thua_dat.gpkg").write_bytes(b"map")
    (a / "so.csv").write_bytes(b"register")
    (b / "ban_do.gpkg").write_bytes(b"map")
    (b / "so_dia_chinh.csv").write_bytes(b"register")
    fp = delivery_fingerprint(a / "thua_dat.gpkg", a / "so.csv")
    assert len(fp) == 64
    assert delivery_fingerprint(b / "ban_do.gpkg", b / "so_dia_chinh.csv") == fp
    assert delivery_fingerprint(a / "thua_dat.gpkg", a / "so.csv", CheckConfig(srid=9212)) != fp
    (b / "so_dia_chinh.csv").write_bytes(b"register!")
    assert delivery_fingerprint(b / "ban_do.gpkg", b / "so_dia_chinh.csv") != fp
    # a Shapefile counts with its sidecar files
    for ext, data in ((".shp", b"shp"), (".dbf", b"dbf"), (".prj", b"prj")):
        (a / f"thua{ext}").write_bytes(data)
    shp = delivery_fingerprint(a / "thua.shp", a / "so.csv")
    (a / "thua.prj").write_bytes(b"other")
    assert delivery_fingerprint(a / "thua.shp", a / "so.csv") != shp


def test_known_delivery_and_taken_communes(store):
    with store.transaction() as conn:
        first = store_hand_delivery(conn)
    assert not first.already_imported and first.auto_fixed == 7 and first.counts["parcels"] == 9
    with store.transaction() as conn:
        again = store_hand_delivery(conn)
    assert again.already_imported and again.delivery_id == first.delivery_id
    with store.transaction() as conn, pytest.raises(DeliveryConflict, match="25195.*25198"):
        store_hand_delivery(conn, fingerprint="0" * 64)
    with store.read() as conn:
        assert conn.execute(select(func.count()).select_from(s.deliveries)).scalar_one() == 1
        assert conn.execute(select(func.count()).select_from(s.parcels)).scalar_one() == 9
