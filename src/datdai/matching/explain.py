"""A candidate's evidence in words an officer reads: per field, the level reached and the bits it
gave, so that "điểm 0,97" means something ("Họ tên: trùng cả dấu +11,7 · Ngày sinh: trùng năm
sinh +6,2 · Địa chỉ: khác −2,9").

The evidence is what :mod:`datdai.matching.match` writes per listed candidate (the
``.giai_thich.csv`` beside a result, stored with the result): ``{xac_suat, trong_so,
truong: {column: [level, bits]}}``.
"""

from __future__ import annotations

from dataclasses import dataclass

from datdai.kernel.text import vn_number, vn_percent
from datdai.matching.comparisons import DUCKDB, fields


@dataclass(frozen=True)
class FieldEvidence:
    field: str  # "Họ tên"
    level: str  # "trùng cả dấu"
    bits: float  # + speaks for the candidate, − against

    @property
    def bits_text(self) -> str:
        """"+11,7", "−2,9", "0"."""
        if abs(self.bits) < 0.05:
            return "0"
        sign = "+" if self.bits > 0 else "−"
        return sign + vn_number(abs(self.bits), 1)

    @property
    def leaning(self) -> str:
        """for / against / none: for a style."""
        return "for" if self.bits >= 0.05 else "against" if self.bits <= -0.05 else "none"


def describe(evidence: dict | None) -> list[FieldEvidence]:
    """The fields of a candidate's evidence, in the catalog's order (fields not compared —
    missing on either side — say so, with 0 bits)."""
    if not evidence:
        return []
    given = evidence.get("truong") or {}
    out = []
    for f in fields(DUCKDB):
        level, bits = (given.get(f.column) or ["null", 0.0])[:2]
        texts = {lv.label: lv.text for lv in f.levels}
        text = texts.get(level, "không có để so" if level in ("null", "", None) else level)
        out.append(FieldEvidence(f.text, text, float(bits or 0.0)))
    return out


def summary_line(evidence: dict | None) -> str:
    """One line: "Họ tên +11,7 · Ngày sinh +6,2 · … = 15,0 bit · xác suất 99,2%"."""
    if not evidence:
        return "—"
    parts = [f"{e.field} {e.bits_text}" for e in describe(evidence)]
    total = evidence.get("trong_so")
    prob = evidence.get("xac_suat")
    tail = []
    if total is not None:
        tail.append(f"= {vn_number(total, 1)} bit")
    if prob is not None:
        tail.append(f"xác suất {vn_percent(100 * prob, 1)}")
    return " · ".join(parts) + (" " + " · ".join(tail) if tail else "")
