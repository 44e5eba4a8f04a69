"""Reconciliation with the population register in the store — one import for the whole surface.

* :mod:`~datdai.matching.reconcile_exports`: which party and parcel each row of an owners export was;
* :mod:`~datdai.matching.reconcile_results`: result files recorded as runs (validated, idempotent);
* :mod:`~datdai.matching.reconcile_review`: the review queue and a person's decisions;
* :mod:`~datdai.matching.reconcile_apply`: enrichment of parties through the audit trail, undo,
  and the import of C06's results;
* :mod:`~datdai.matching.reconcile_progress`: matched / in review / updated figures.
"""

from datdai.matching.reconcile_apply import (
    ApplyResult,
    apply_results,
    import_c06_results,
    undo_apply,
)
from datdai.matching.reconcile_exports import record_export
from datdai.matching.reconcile_progress import (
    ReconcileFigures,
    ReconcileProgress,
    reconcile_progress,
)
from datdai.matching.reconcile_results import (
    RESULT_COLUMNS,
    Decision,
    ReconcileError,
    ResultStatus,
    record_result,
)
from datdai.matching.reconcile_review import (
    CandidateRecord,
    LandRecord,
    ReviewCase,
    decide,
    decision_events,
    review_queue,
)

__all__ = [
    "RESULT_COLUMNS", "ApplyResult", "CandidateRecord", "Decision", "LandRecord", "ReconcileError",
    "ReconcileFigures", "ReconcileProgress", "ResultStatus", "ReviewCase", "apply_results", "decide",
    "decision_events", "import_c06_results", "reconcile_progress",
    "record_export", "record_result", "review_queue", "undo_apply",
]
