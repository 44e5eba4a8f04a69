"""PostGIS set-up: the extension and the VN-2000 TM-3 SRIDs missing from Debian's spatial_ref_sys."""

from __future__ import annotations

import pyproj
from sqlalchemy import Connection, text

from datdai.kernel.crs import all_zones


def ensure_postgis(conn: Connection) -> list[int]:
    """Create the postgis extension if needed and insert the missing zones; returns SRIDs added."""
    # one session at a time: parallel test workers or app instances may run this together
    conn.execute(text("SELECT pg_advisory_xact_lock(2025070106)"))
    conn.execute(text("CREATE EXTENSION IF NOT EXISTS postgis WITH SCHEMA public"))
    have = {r[0] for r in conn.execute(text("SELECT srid FROM spatial_ref_sys WHERE srid >= 9205"))}
    added = []
    for zone in all_zones():
        if zone.srid in have:
            continue
        crs = pyproj.CRS(zone.crs_input())
        conn.execute(
            text(
                "INSERT INTO spatial_ref_sys (srid, auth_name, auth_srid, srtext, proj4text) "
                "VALUES (:srid, :auth, :srid, :wkt, :proj4)"
            ),
            {
                "srid": zone.srid,
                "auth": "EPSG" if zone.is_epsg else "DATDAI",
                "wkt": crs.to_wkt(pyproj.enums.WktVersion.WKT1_GDAL),
                "proj4": zone.proj4,
            },
        )
        added.append(zone.srid)
    return added
