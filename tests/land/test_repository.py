"""Round trip of every entity through the store, on SQLite and PostgreSQL/PostGIS."""

from __future__ import annotations

import shapely
from sqlalchemy import func, select, text

from datdai.db import schema
from datdai.land import repository
from tests.land.factories import citizens, small_dataset
from tests.land.readback import read_citizens, read_dataset


def _comparable(dataset):
    """Geometry compared as shapes (WKB byte order may differ), everything else as is."""
    parcels = []
    for p in dataset.parcels:
        geom = shapely.from_wkb(p.geometry_wkb) if p.geometry_wkb else None
        parcels.append((p.key, geom.normalize().wkt if geom is not None else None,
                        p.srid, p.legal_area, p.land_use_codes, p.address, p.map_scale, p.map_area_label,
                        p.map_land_use_label, p.map_owner_label, p.identifier, p.old_sheet_no, p.old_parcel_no))
    return (dataset.parties, parcels, dataset.holdings, dataset.rights, dataset.assets,
            dataset.certificates, dataset.sources)


def test_dataset_round_trip(store):
    data = small_dataset()
    with store.transaction() as conn:
        counts = repository.load_dataset(conn, data, actor="test", source="unit test", reason="round trip")
        repository.replace_citizens(conn, citizens(), source="test extract")
    assert (counts.parties, counts.parcels, counts.rights, counts.assets, counts.certificates) == (4, 3, 4, 2, 2)
    assert counts.identity_documents == 4 and counts.party_members == 2 and counts.admin_units == 3
    with store.read() as conn:
        back = read_dataset(conn)
        assert _comparable(back) == _comparable(data)
        assert read_citizens(conn) == sorted(citizens(), key=lambda c: c.so_dinh_danh)
        area, srid = conn.execute(select(schema.parcels.c.computed_area, schema.parcels.c.srid)
                                  .where(schema.parcels.c.parcel_no == 1)).one()
        assert abs(area - 400.0) < 1e-6 and srid == 9212
        # one audit record per inserted row, all in the one batch
        n_changes = conn.execute(select(func.count()).select_from(schema.audit_changes)).scalar_one()
        assert n_changes == 4 + 4 + 2 + 3 + 2 + 3 + 2 + 4 + 2 + 1


def test_postgis_geometry_is_real(store):
    if store.backend != "postgresql":
        return
    with store.transaction() as conn:
        repository.load_dataset(conn, small_dataset(), actor="t", source="t", reason="t")
    with store.read() as conn:
        srid, area, geotype = conn.execute(text(
            "SELECT ST_SRID(geom), ST_Area(geom), GeometryType(geom) FROM parcels WHERE parcel_no = 2")).one()
        assert (srid, round(area, 6), geotype) == (9212, 400.0, "POLYGON")
        # the zone is known to PostGIS (Debian's spatial_ref_sys lacks it: the migration inserts it)
        lon = conn.execute(text(
            "SELECT ST_X(ST_Transform(ST_Centroid(geom), 4326)) FROM parcels WHERE parcel_no = 2")).scalar_one()
        assert 106.8 < lon < 106.9
        # this store's schema only: other test workers create and drop their own copies meanwhile
        indexes = conn.execute(text("SELECT indexdef FROM pg_indexes WHERE indexname = 'ix_parcels_geom'"
                                    " AND schemaname = current_schema()")).scalar()
        assert "gist" in indexes.lower()
