"""Reconciliation of land users with the population register (issue 4).

Reading the two input files (:mod:`datdai.reconcile.inputs`), normalising them into
comparison keys (:mod:`datdai.reconcile.normalise`), matching them in stages
(:mod:`datdai.reconcile.match`) and writing the result atomically
(:mod:`datdai.reconcile.result`).
"""

from datdai.reconcile.inputs import (
    OWNER_COLUMNS,
    POPULATION_COLUMNS,
    read_owners,
    read_population,
)
from datdai.reconcile.match import MatchResult, match
from datdai.reconcile.normalise import normalise_owners, normalise_population
from datdai.reconcile.result import reconcile_files, write_result

__all__ = [
    "MatchResult",
    "OWNER_COLUMNS",
    "POPULATION_COLUMNS",
    "match",
    "normalise_owners",
    "normalise_population",
    "read_owners",
    "read_population",
    "reconcile_files",
    "write_result",
]
