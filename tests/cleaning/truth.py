"""Scoring quality findings against the synthetic generator's ground truth (truth/noise.csv).

For each rule: the share of injected cases found (recall) and the share of clean parcels it
raised a finding on (false positives). A parcel is clean when no noise row touches it: not as
the target, nor as the partner of an overlap, nor through a land user with a defect, nor as
the parcel of the person whose number another person got (ID_DUPLICATE).
"""

from __future__ import annotations

import csv
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path

# Rules outside the spec's minimum catalog, scored against noise types the truth leaves unruled.
EXTRA_RULE_OF_NOISE = {"ID_FORMAT": "ID_FORMAT", "NAME_CASE_SPACING": "NAME_FORMAT",
                       "NAME_PREFIX": "NAME_PREFIX"}


@dataclass
class Score:
    rule: str
    injected: int
    found: int
    false_positive_parcels: int
    clean_parcels: int

    @property
    def recall(self) -> float:
        return self.found / self.injected if self.injected else 1.0

    @property
    def fp_rate(self) -> float:
        return self.false_positive_parcels / self.clean_parcels if self.clean_parcels else 0.0


def _read(path: Path) -> list[dict[str, str]]:
    with open(path, encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh))


def score(truth_dir: Path, findings: list[dict], all_parcels: set[tuple[str, str, str]],
          register_header_row: int = 1) -> dict[str, Score]:
    noise = _read(truth_dir / "noise.csv")
    owners = _read(truth_dir / "owners.csv")
    keys_of_party: dict[str, set] = defaultdict(set)
    key_of_dong: dict[str, tuple] = {}
    for o in owners:
        k = (o["ma_xa"], o["so_to"], o["so_thua"])
        keys_of_party[o["party_id"]].add(k)
        key_of_dong[o["ma_dong"]] = k

    def dong_row(ma_dong: str) -> int:  # D0000001 is the first data row
        return int(ma_dong[1:]) + register_header_row

    found_by_rule: dict[str, set] = defaultdict(set)  # (key) and ("row", n)
    for f in findings:
        k = (f["ma_xa"], f["so_to"], f["so_thua"])
        found_by_rule[f["ma_loi"]].add(k)
        if f.get("nguon") == "SO_DIA_CHINH" and f.get("dong") not in (None, ""):
            found_by_rule[f["ma_loi"]].add(("row", int(f["dong"])))

    touched: set[tuple] = set()
    cases: dict[str, list[set]] = defaultdict(list)
    for n in noise:
        rule = n["ma_loi"] or EXTRA_RULE_OF_NOISE.get(n["noise_type"], "")
        targets: set = set()
        if n["ma_xa"]:
            k = (n["ma_xa"], n["so_to"], n["so_thua"])
            targets.add(k)
            touched.add(k)
            if n["noise_type"].startswith("OVERLAP"):
                for part in filter(None, n["noisy_value"].split(";")):
                    touched.add(tuple(part.split(":")[0].split("/")))
        if n["ma_dong"]:
            for d in n["ma_dong"].split(";"):
                targets.add(("row", dong_row(d)))
                touched.add(key_of_dong[d])
        if n["party_id"]:
            touched.update(keys_of_party.get(n["party_id"], ()))
        for part in n["note"].split(";"):
            if part.startswith("owner_of_number="):
                touched.update(keys_of_party.get(part.split("=", 1)[1], ()))
        if rule:
            cases[rule].append(targets)

    clean = all_parcels - touched
    scores = {}
    for rule in set(cases) | set(found_by_rule):
        got = found_by_rule.get(rule, set())
        hit = sum(1 for t in cases.get(rule, []) if t & got)
        fp = sum(1 for k in got if k in clean)
        scores[rule] = Score(rule, len(cases.get(rule, [])), hit, fp, len(clean))
    return scores
