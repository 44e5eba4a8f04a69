"""Reconciliation of land users with the population register (issue 4).

This package holds, for now, the first stage: reading the two input files
(:mod:`datdai.reconcile.inputs`) and normalising them into comparison keys
(:mod:`datdai.reconcile.normalise`). Matching builds on these tables.
"""

from datdai.reconcile.inputs import (
    OWNER_COLUMNS,
    POPULATION_COLUMNS,
    read_owners,
    read_population,
)
from datdai.reconcile.normalise import normalise_owners, normalise_population

__all__ = [
    "OWNER_COLUMNS",
    "POPULATION_COLUMNS",
    "normalise_owners",
    "normalise_population",
    "read_owners",
    "read_population",
]
