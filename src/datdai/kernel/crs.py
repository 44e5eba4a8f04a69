"""VN-2000 and its TM-3 zones for cadastral maps (REFERENCE.md §4).

Pitfalls kept here on purpose:
- EPSG:6960 (VN-2000 → WGS 84) is published in the *coordinate-frame* convention; a PROJ
  ``+towgs84`` string uses the *position-vector* convention, so the three rotation signs flip.
  Copying them as published errs by ≈ 0.6 m; omitting the shift errs by ≈ 225 m.
- Shapefile .prj files drop the datum shift (≈ 220 m): take the zone from configuration.
- PROJ knows EPSG:9205–9218; three central meridians (105°00', 107°45', 108°00') have no EPSG
  code, and PostGIS from Debian lacks all of them: the store inserts them into
  ``spatial_ref_sys`` under the SRIDs below.
"""

from __future__ import annotations

from dataclasses import dataclass

from datdai.kernel.provinces import OldProvince, province_by_code, province_by_name

VN2000_GEOGRAPHIC_EPSG = 4756
# EPSG:6960 in the position-vector convention (rotation signs flipped from the publication).
TOWGS84 = "-191.90441429,-39.30318279,-111.45032835,0.00928836,-0.01975479,0.00427372,0.252906278"

# Central meridians with an EPSG code, and our SRIDs for those without one (≤ 998999, PostGIS limit).
EPSG_BY_MERIDIAN: dict[float, int] = {
    103.0: 9205, 104.0: 9206, 104.5: 9207, 104.75: 9208, 105.5: 9209, 105.75: 9210,
    106.0: 9211, 106.25: 9212, 106.5: 9213, 107.0: 9214, 107.25: 9215, 107.5: 9216,
    108.25: 9217, 108.5: 9218,
}
CUSTOM_SRID_BY_MERIDIAN: dict[float, int] = {105.0: 910500, 107.75: 910745, 108.0: 910800}


@dataclass(frozen=True, slots=True)
class Tm3Zone:
    central_meridian: float
    srid: int  # EPSG code where one exists, else our custom SRID
    is_epsg: bool

    @property
    def proj4(self) -> str:
        return (
            f"+proj=tmerc +lat_0=0 +lon_0={self.central_meridian:g} +k=0.9999 +x_0=500000 +y_0=0 "
            f"+ellps=WGS84 +towgs84={TOWGS84} +units=m +no_defs"
        )

    @property
    def name(self) -> str:
        deg = int(self.central_meridian)
        minutes = round((self.central_meridian - deg) * 60)
        return f"VN-2000 / TM-3 {deg}-{minutes:02d}"

    def crs_input(self) -> str:
        """What to give pyproj.CRS(): the EPSG code where there is one, else the proj string."""
        return f"EPSG:{self.srid}" if self.is_epsg else self.proj4


def zone_for_meridian(central_meridian: float) -> Tm3Zone:
    if central_meridian in EPSG_BY_MERIDIAN:
        return Tm3Zone(central_meridian, EPSG_BY_MERIDIAN[central_meridian], True)
    if central_meridian in CUSTOM_SRID_BY_MERIDIAN:
        return Tm3Zone(central_meridian, CUSTOM_SRID_BY_MERIDIAN[central_meridian], False)
    raise ValueError(f"không có múi TM-3 cho kinh tuyến trục {central_meridian} / no TM-3 zone")


def zone_for_province(province: str | OldProvince) -> Tm3Zone:
    """The TM-3 zone of an old province, given by 2/3-digit code, name or object."""
    if isinstance(province, OldProvince):
        found = province
    else:
        found = province_by_code(province) if province.strip().isdigit() else province_by_name(province)
    if found is None:
        raise ValueError(f"không rõ tỉnh '{province}' / unknown province")
    return zone_for_meridian(found.central_meridian)


def zone_for_srid(srid: int) -> Tm3Zone:
    for cm, code in {**EPSG_BY_MERIDIAN, **CUSTOM_SRID_BY_MERIDIAN}.items():
        if code == srid:
            return zone_for_meridian(cm)
    raise ValueError(f"SRID {srid} không phải múi VN-2000 TM-3 / not a VN-2000 TM-3 zone")


def all_zones() -> list[Tm3Zone]:
    return [zone_for_meridian(cm) for cm in sorted({**EPSG_BY_MERIDIAN, **CUSTOM_SRID_BY_MERIDIAN})]
