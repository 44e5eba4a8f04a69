"""Synthetic province generator with ground truth (demo, tests, benchmarks).

``generate()`` builds a province in memory, ``write()`` writes it, ``run()`` does both::

    from datdai.synth import run
    summary = run(Path("out"), parcels=20000, seed=1)   # Bình Phước, EPSG:9212

Deterministic: the same (parcels, seed, province, noise rates) give byte-identical files.
Above ``SLICE_PARCELS`` (25.000) parcels ``run()`` generates and writes the communes in slices,
one after another, so memory stays that of a slice; land users, their families and relatives
then live within one slice's communes (identifiers stay unique across slices).

Files written into ``out_dir``
------------------------------
``thua_dat.gpkg``
    Layer ``thua_dat`` (cadastral-delivery.md §1): ``ma_xa``, ``so_to``, ``so_thua``,
    ``dien_tich`` (map label, m², 1 decimal), ``loai_dat``, ``ten_chu`` (NULL when the map has
    no owner label); polygons in the province's VN-2000 TM-3 zone (EPSG:9212 for Bình Phước).
    Features in key order; the second copies of DUPLICATE_PARCEL are at the end (above 25.000
    parcels, where the province is generated in slices of communes: at the end of each slice).
``so_dia_chinh.csv``
    The register (cadastral-delivery.md §2), one row per (parcel, land user); a household or a
    couple gives one row per named member. Extra columns after the required ones carry the
    other land fields exchanged with C06: ``hinh_thuc_su_dung``, ``thoi_han_su_dung``,
    ``nguon_goc_su_dung``, ``loai_nha_o``, ``ten_nha_chung_cu``, ``so_can_ho``,
    ``dien_tich_san``, ``hinh_thuc_so_huu``, ``cap_nha``, ``thoi_han_so_huu``,
    ``phan_so_huu_chung``, ``cap_cong_trinh``, ``dien_tich_xay_dung``.
``chu_su_dung.csv``
    The owners export (c06-owners.md): row k is the same (parcel, land user) as row k of
    ``so_dia_chinh.csv``; ``ma_dong`` = ``D`` + 7 digits; extra last column ``ma_xa``.
    Organisations are included (``GPKD`` for companies, ``KHAC`` for public bodies). Names, numbers and birth dates as recorded
    (with the noise); ``tinh``/``huyen``/``xa`` in the old names (Bình Phước, Huyện …) or, for
    records updated after 1 July 2025 and some others, the new ones (Đồng Nai, no district).
``dan_cu.csv``
    The population extract (population-extract.md, the 19 columns), sorted by
    ``so_dinh_danh``: every owner except those absent (deceased, abroad), their families
    (parents, spouses, children, with ``cha``/``me``/``vo_chong``/``chu_ho`` filled
    consistently), grown children's households, same-name relatives, and other households,
    about 3 citizens per owner person.

In memory, :class:`SynthResult` also holds ``land`` (the LandDataset as the land office has
it: noisy names and numbers on the parties; a MISSING_IN_MAP parcel has no geometry; a
MISSING_IN_REGISTER parcel has no legal area, codes or holding; a DUPLICATE_PARCEL key appears
as two Parcel objects, the second map-only), ``citizens`` (= dan_cu.csv), ``register_rows``,
``owner_rows``, ``truth``, ``zone``, ``map_features`` and ``counts``.

All CSV files: UTF-8 without BOM, comma-separated, CRLF line ends, RFC 4180 quoting, dates
dd/mm/yyyy, areas with a dot and one decimal, text in NFC except the legacy-encoded names.

Truth files (``truth/``)
------------------------
``truth/noise.csv`` — one row per injected defect:
    ``noise_type`` (see below), ``target`` (``map``, ``register``, ``map+register``, ``party``,
    ``population``), ``ma_xa``/``so_to``/``so_thua`` (the parcel, for parcel defects),
    ``party_id`` (the person's party, for owner defects), ``ma_dong`` (owner defects: all the
    chu_su_dung rows of that person, ``;``-separated), ``field`` (the column that carries the
    defect: ``dien_tich``, ``loai_dat``, ``ten_chu``, ``so_thua``, ``geometry``, ``row``,
    ``ho_ten``, ``cccd_cmnd`` (also ``so_giay_to``), ``nam_sinh``, ``gioi_tinh``,
    ``so_dinh_danh``), ``clean_value``, ``noisy_value`` (the value as written, ``""`` when
    removed), ``ma_loi`` (the quality rule expected to report it, empty when it is not a
    defect), ``note`` (details: the variant, the shift, the tolerance, the relation).
``truth/owners.csv`` — one row per chu_su_dung row:
    ``ma_dong``, ``ma_xa``, ``so_to``, ``so_thua``, ``party_id`` (the person, or the
    organisation), ``holder_party_id`` (the land user holding the right: the person, couple,
    household or organisation), ``so_dinh_danh`` (the TRUE number; empty when the person is
    absent from the population extract, and for organisations), ``ho_ten``, ``ngay_sinh``,
    ``gioi_tinh`` (the truth), ``case`` (the hardest thing about the row, first that applies:
    ``organisation``, ``absent``, ``id_duplicate``, ``id_missing``, ``id_birth_mismatch``,
    ``cmnd_only``, ``id_format``, ``noisy_name``, ``same_name_relative``, ``clean``),
    ``noise`` (all noise types on that person, ``;``-separated).
``truth/summary.json`` — ``parameters`` (parcels, seed, province, zone, reference date,
    noise rates), ``counts`` (as :class:`SynthSummary`), ``noise`` (per type: rate, eligible
    base, count = round(rate × base), target, ma_loi, base definition); sorted keys.

Noise types (rate = fraction of the eligible base; defaults in :class:`NoiseConfig`)
-----------------------------------------------------------------------------------------
Parcels: ``AREA_MISMATCH`` (register area off by 1.5–6 ΔP, ΔP = 2×0.0002×M×√P),
``AREA_WITHIN_TOLERANCE`` (off by 0.2–0.7 ΔP: not a defect), ``LANDUSE_MISMATCH`` (map label
differs), ``LANDUSE_CODE_INVALID`` (a typo such as 0DT or CLNN, map and register),
``LANDUSE_OLD_CODE`` (HNK written with the 2018 code BHK/NHK), ``OWNER_MISMATCH`` (map label
names someone else), ``GEOM_BOWTIE`` (self-intersecting ring), ``GEOM_DEGENERATE`` (collapsed
to a line), ``OVERLAP`` (parcel shifted ≥ 1 m into its neighbour; area kept, a gap left
behind; partners and overlap areas in ``noisy_value``), ``OVERLAP_SLIVER`` (shifted
1–4 cm: a digitising sliver under tolerance), ``DUPLICATE_PARCEL`` (the polygon twice, same
key; the two copies overlap entirely), ``MISSING_IN_MAP``, ``MISSING_IN_REGISTER`` (the
holding is absent from the register, so its owners have no row for it).
Owners: ``ID_DUPLICATE`` (another owner's CCCD, of the same birth year and gender where one
exists), ``ID_MISSING``, ``ID_BIRTH_MISMATCH`` (CCCD year or gender digit, recorded birth year,
or recorded gender changed), ``ID_CMND_ONLY`` (the old CMND recorded instead of the CCCD),
``ID_LEADING_ZERO``, ``ID_FORMAT`` (spaces or dots), ``NAME_NO_DIACRITICS``, ``NAME_TCVN3``,
``NAME_VNI``, ``NAME_PREFIX`` (Ông, Bà, Hộ ông, Hộ bà, Hộ gia đình), ``NAME_CASE_SPACING``,
``OWNER_DECEASED`` and ``OWNER_ABROAD`` (not in dan_cu.csv), ``SAME_NAME_RELATIVE`` (a son,
father or cousin with exactly the same name in the same commune, in dan_cu.csv).
"""

from datdai.synth.config import NOISE_TYPES, NoiseConfig, noise_count
from datdai.synth.generator import SynthResult, SynthSummary, SynthTruth, generate, run, write

__all__ = [
    "NOISE_TYPES",
    "NoiseConfig",
    "SynthResult",
    "SynthSummary",
    "SynthTruth",
    "generate",
    "noise_count",
    "run",
    "write",
]
