"""Each rule finds ≥ 98 % of its injected cases and flags ≤ 0.5 % of clean parcels."""

from __future__ import annotations

import pytest

from datdai.cleaning.check import check_delivery
from datdai.compute import open_engine
from tests.cleaning.truth import score

MIN_RECALL = 0.98
MAX_FP_RATE = 0.005
# Rules scored against the generator's truth (the minimum catalog plus the extra ones).
SCORED = ("GEOM_INVALID", "OVERLAP", "DUPLICATE_PARCEL", "MISSING_IN_MAP", "MISSING_IN_REGISTER",
          "AREA_MISMATCH", "LANDUSE_MISMATCH", "LANDUSE_CODE_INVALID", "OWNER_MISMATCH",
          "ID_MISSING", "ID_INVALID", "ID_BIRTH_MISMATCH", "ID_DUPLICATE", "LEGACY_ENCODING",
          "ID_FORMAT", "NAME_FORMAT", "NAME_PREFIX")


def _scores(delivery):
    with open_engine("duckdb") as eng:
        result, read = check_delivery(delivery.parcels, delivery.register, engine=eng)
    keys = set(zip(*(result.parcels[c].to_pylist() for c in ("ma_xa", "so_to", "so_thua"))))
    return score(delivery.truth, result.findings.to_pylist(), keys,
                 register_header_row=read.register.header_row)


@pytest.fixture(scope="module")
def scores_bp(delivery_bp):
    return _scores(delivery_bp)


@pytest.fixture(scope="module")
def scores_other(delivery_other):
    return _scores(delivery_other)


@pytest.mark.parametrize("rule", SCORED)
def test_rule_on_binh_phuoc(scores_bp, rule):
    s = scores_bp[rule]
    assert s.injected >= 20, f"{rule}: too few injected cases ({s.injected}) to measure"
    assert s.recall >= MIN_RECALL, f"{rule}: found {s.found}/{s.injected}"
    assert s.fp_rate <= MAX_FP_RATE, f"{rule}: {s.false_positive_parcels} clean parcels flagged"


@pytest.mark.parametrize("rule", SCORED)
def test_rule_on_another_province(scores_other, rule):
    s = scores_other[rule]
    assert s.recall >= MIN_RECALL, f"{rule}: found {s.found}/{s.injected}"
    assert s.fp_rate <= MAX_FP_RATE, f"{rule}: {s.false_positive_parcels} clean parcels flagged"


def test_no_unscored_rule_fires_on_clean_parcels(scores_bp):
    for rule, s in scores_bp.items():
        assert s.fp_rate <= MAX_FP_RATE, rule
