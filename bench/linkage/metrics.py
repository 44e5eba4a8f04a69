"""Scores of a reconciliation result (``ket_qua_doi_soat.csv``) against a ``truth.csv``.

* precision — correct KHOP / all KHOP (None when there is no KHOP);
* recall — correct KHOP / rows whose truth is a citizen (``so_dinh_danh`` not empty);
* review rate — CAN_XAC_MINH / all truth rows;
* wrong — KHOP rows whose number is not the truth (including KHOP of an absent person).

A truth row missing from the result counts as unmatched (``missing``). An in-memory result
must hold ``so_dinh_danh`` as text (a numeric column has lost its leading zeros: TypeError).
Standard library only.
"""

from __future__ import annotations

import csv
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

KHOP, CAN_XAC_MINH, KHONG_KHOP = "KHOP", "CAN_XAC_MINH", "KHONG_KHOP"


def _read_csv(path: str | Path) -> list[dict[str, str]]:
    with open(path, encoding="utf-8-sig", newline="") as fh:
        return list(csv.DictReader(fh))


def _rows(result: Any) -> Iterable[Mapping[str, Any]]:
    """Rows of a CSV path, a pyarrow Table, a pandas DataFrame or an iterable of mappings."""
    if isinstance(result, (str, Path)):
        return _read_csv(result)
    if hasattr(result, "to_pylist"):  # pyarrow Table
        return result.to_pylist()
    if hasattr(result, "to_dict") and hasattr(result, "columns"):  # pandas DataFrame
        return result.to_dict("records")
    return result


def _text(value: Any) -> str:
    return "" if value is None or value != value else str(value).strip()


def _ratio(num: int, den: int) -> float | None:
    return num / den if den else None


def _summary(c: dict[str, int]) -> dict[str, Any]:
    return {**c, "precision": _ratio(c["khop_correct"], c["khop"]),
            "recall": _ratio(c["khop_correct"], c["matchable"]),
            "review_rate": _ratio(c["review"], c["rows"])}


def score(result: Any, truth_csv: str | Path) -> dict[str, Any]:
    """The scores over all truth rows, and per ``nhom`` under ``"groups"``."""
    decided = {}
    for row in _rows(result):
        number = row.get("so_dinh_danh")
        if isinstance(number, (int, float)) and number == number:
            raise TypeError("so_dinh_danh must be text (a number loses its leading zeros):"
                            " read the result with all columns as strings")
        decided[_text(row["ma_dong"])] = (_text(row["ket_qua"]), _text(number))
    keys = ("rows", "matchable", "khop", "khop_correct", "khop_wrong", "review", "no_match",
            "missing")
    total = dict.fromkeys(keys, 0)
    groups: dict[str, dict[str, int]] = {}
    for t in _read_csv(truth_csv):
        ma_dong, truth, group = _text(t["ma_dong"]), _text(t["so_dinh_danh"]), _text(t.get("nhom"))
        verdict, number = decided.get(ma_dong, ("", ""))
        g = groups.setdefault(group or "all", dict.fromkeys(keys, 0))
        for c in (total, g):
            c["rows"] += 1
            c["matchable"] += bool(truth)
            if ma_dong not in decided:
                c["missing"] += 1
            elif verdict == KHOP:
                c["khop"] += 1
                if truth and number == truth:
                    c["khop_correct"] += 1
                else:
                    c["khop_wrong"] += 1
            elif verdict == CAN_XAC_MINH:
                c["review"] += 1
            else:
                c["no_match"] += 1
    out = _summary(total)
    out["groups"] = {name: _summary(c) for name, c in sorted(groups.items())}
    return out


def format_score(s: dict[str, Any], per_group: bool = True) -> str:
    """A few lines of text: the totals, then one line per group."""
    def pct(v: float | None) -> str:
        return "   -  " if v is None else f"{100 * v:5.1f}%"

    def line(name: str, c: dict[str, Any]) -> str:
        return (f"{name:<22} rows {c['rows']:6d}  P {pct(c['precision'])}  R {pct(c['recall'])}"
                f"  review {pct(c['review_rate'])}  KHOP {c['khop']:6d}  wrong {c['khop_wrong']:5d}"
                + (f"  missing {c['missing']}" if c["missing"] else ""))

    lines = [line("all", s)]
    if per_group:
        lines += [line(f"  {name}", c) for name, c in s["groups"].items()]
    return "\n".join(lines)
