"""Noise types, their rates and eligible bases, and the fixed facts of a synthetic run.

Each noise type has a rate: the fraction of its *eligible base* (defined per type below) that
gets the defect. The count injected is ``round(rate × base)`` (Python's ``round``), exactly,
and each occurrence is one row of ``truth/noise.csv``.
"""

from __future__ import annotations

from dataclasses import dataclass, fields
from datetime import date

# The synthetic "today": every date generated lies before it. Fixed so runs are reproducible.
REFERENCE_DATE = date(2025, 10, 1)
# Written into gpkg_contents.last_change instead of the wall clock.
GPKG_TIMESTAMP = "2025-10-01T00:00:00Z"
# Citizens in the population extract per owner person (owners, their relatives, and others).
CITIZENS_PER_OWNER = 3.0
# One commune per this many parcels (at least MIN_COMMUNES).
PARCELS_PER_COMMUNE = 1500
MIN_COMMUNES = 3


@dataclass(frozen=True, slots=True)
class NoiseType:
    name: str  # noise_type in truth/noise.csv
    attr: str  # NoiseConfig field
    level: str  # "parcel" (base: parcels) or "person" (base: owner persons)
    target: str  # what the defect sits in: map, register, map+register, party, population
    rule: str  # the quality rule expected to find it (ma_loi), "" when it is not a defect
    base: str  # the eligible base, in words (goes into summary.json)


_QUADS = "four-cornered lots (not roads, merged lots or apartment buildings)"

NOISE_TYPES: tuple[NoiseType, ...] = (
    # --- parcels: map vs register -------------------------------------------------------
    NoiseType("AREA_MISMATCH", "area_mismatch", "parcel", "register", "AREA_MISMATCH",
              "parcels, not apartment buildings"),
    NoiseType("AREA_WITHIN_TOLERANCE", "area_within_tolerance", "parcel", "register", "",
              "parcels, not apartment buildings"),
    NoiseType("LANDUSE_MISMATCH", "landuse_mismatch", "parcel", "map", "LANDUSE_MISMATCH",
              "parcels, not roads or apartment buildings"),
    NoiseType("LANDUSE_CODE_INVALID", "landuse_code_invalid", "parcel", "map+register",
              "LANDUSE_CODE_INVALID", "parcels, not roads or apartment buildings"),
    NoiseType("LANDUSE_OLD_CODE", "landuse_old_code", "parcel", "map+register",
              "LANDUSE_CODE_INVALID", "parcels whose codes include HNK (old list: BHK/NHK)"),
    NoiseType("OWNER_MISMATCH", "owner_mismatch", "parcel", "map", "OWNER_MISMATCH",
              "privately held parcels with an owner label on the map"),
    # --- parcels: geometry ----------------------------------------------------------------
    NoiseType("GEOM_BOWTIE", "geom_bowtie", "parcel", "map", "GEOM_INVALID", _QUADS),
    NoiseType("GEOM_DEGENERATE", "geom_degenerate", "parcel", "map", "GEOM_INVALID", _QUADS),
    NoiseType("OVERLAP", "overlap", "parcel", "map", "OVERLAP", _QUADS),
    NoiseType("OVERLAP_SLIVER", "overlap_sliver", "parcel", "map", "", _QUADS),
    NoiseType("DUPLICATE_PARCEL", "duplicate_parcel", "parcel", "map", "DUPLICATE_PARCEL",
              "parcels, not apartment buildings"),
    NoiseType("MISSING_IN_MAP", "missing_in_map", "parcel", "map", "MISSING_IN_MAP",
              "parcels, not apartment buildings"),
    NoiseType("MISSING_IN_REGISTER", "missing_in_register", "parcel", "register",
              "MISSING_IN_REGISTER", "parcels alone in their holding, not apartment buildings"),
    # --- owners: identity documents ------------------------------------------------------
    NoiseType("ID_DUPLICATE", "id_duplicate", "person", "party", "ID_DUPLICATE",
              "owner persons"),
    NoiseType("ID_MISSING", "id_missing", "person", "party", "ID_MISSING", "owner persons"),
    NoiseType("ID_BIRTH_MISMATCH", "id_birth_mismatch", "person", "party", "ID_BIRTH_MISMATCH",
              "owner persons with a recorded birth year"),
    NoiseType("ID_CMND_ONLY", "id_cmnd_only", "person", "party", "",
              "owner persons who hold an old 9-digit CMND"),
    NoiseType("ID_LEADING_ZERO", "id_leading_zero", "person", "party", "ID_INVALID",
              "owner persons whose number starts with 0 (every CCCD does)"),
    NoiseType("ID_FORMAT", "id_format", "person", "party", "", "owner persons"),
    # --- owners: names -----------------------------------------------------------------------
    NoiseType("NAME_NO_DIACRITICS", "name_no_diacritics", "person", "party", "", "owner persons"),
    NoiseType("NAME_TCVN3", "name_tcvn3", "person", "party", "LEGACY_ENCODING", "owner persons"),
    NoiseType("NAME_VNI", "name_vni", "person", "party", "LEGACY_ENCODING", "owner persons"),
    NoiseType("NAME_PREFIX", "name_prefix", "person", "party", "", "owner persons"),
    NoiseType("NAME_CASE_SPACING", "name_case_spacing", "person", "party", "", "owner persons"),
    # --- owners vs the population register ---------------------------------------------------
    NoiseType("OWNER_DECEASED", "owner_deceased", "person", "population", "", "owner persons"),
    NoiseType("OWNER_ABROAD", "owner_abroad", "person", "population", "", "owner persons"),
    NoiseType("SAME_NAME_RELATIVE", "same_name_relative", "person", "population", "",
              "owner persons present in the population register"),
)
NOISE_BY_NAME: dict[str, NoiseType] = {t.name: t for t in NOISE_TYPES}


@dataclass(slots=True)
class NoiseConfig:
    """Rate per noise type: the fraction of the type's eligible base that gets the defect.

    The defaults keep most records clean: at 20,000 parcels about 11 % of parcels carry a
    defect (3 points of it the old BHK/NHK codes), and about 30 % of owner persons (a third of
    those only the CMND recorded instead of the CCCD, as in much real data).
    """

    area_mismatch: float = 0.02
    area_within_tolerance: float = 0.02
    landuse_mismatch: float = 0.015
    landuse_code_invalid: float = 0.005
    landuse_old_code: float = 0.3
    owner_mismatch: float = 0.01
    geom_bowtie: float = 0.002
    geom_degenerate: float = 0.001
    overlap: float = 0.003
    overlap_sliver: float = 0.004
    duplicate_parcel: float = 0.002
    missing_in_map: float = 0.003
    missing_in_register: float = 0.003
    id_duplicate: float = 0.005
    id_missing: float = 0.02
    id_birth_mismatch: float = 0.01
    id_cmnd_only: float = 0.15
    id_leading_zero: float = 0.01
    id_format: float = 0.01
    name_no_diacritics: float = 0.03
    name_tcvn3: float = 0.02
    name_vni: float = 0.01
    name_prefix: float = 0.03
    name_case_spacing: float = 0.02
    owner_deceased: float = 0.01
    owner_abroad: float = 0.005
    same_name_relative: float = 0.04

    def rate(self, noise_type: str) -> float:
        return float(getattr(self, NOISE_BY_NAME[noise_type].attr))

    def as_dict(self) -> dict[str, float]:
        return {f.name: float(getattr(self, f.name)) for f in fields(self)}

    @classmethod
    def none(cls) -> NoiseConfig:
        """No noise at all (a clean province)."""
        return cls(**{t.attr: 0.0 for t in NOISE_TYPES})

    def validate(self) -> None:
        for t in NOISE_TYPES:
            r = self.rate(t.name)
            if not 0.0 <= r <= 1.0:
                raise ValueError(f"tỷ lệ nhiễu {t.attr}={r} phải trong [0, 1] / rate out of range")


def noise_count(rate: float, base: int) -> int:
    """The number of occurrences asked: round(rate × base)."""
    return int(round(rate * base))
