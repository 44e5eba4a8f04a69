"""The plan of a re-delivery as a file: CSV (UTF-8 with a BOM, so a Vietnamese Windows Excel
opens it as it is) or JSON (``.json``). One CSV row per change of a parcel:

``ma_xa, so_to, so_thua, thay_doi, truong, gia_tri_cu, gia_tri_moi, ghi_chu``

``thay_doi`` is a kind of :class:`~datdai.cleaning.redelivery.plan.Kind`; ``truong`` the delivery's field
(``dien_tich``, ``loai_dat``…; ``hinh_the`` for geometry, ``chu_su_dung`` for holders); ``gia_tri_cu``
the store's value, ``gia_tri_moi`` the delivery's. A ``XUNG_DOT`` row keeps the store's value.
"""

from __future__ import annotations

import csv
import json
from pathlib import Path
from typing import Any

from datdai.cleaning.redelivery.kinds import KIND_LABELS, Kind
from datdai.cleaning.redelivery.plan import DELIVERY_FIELD, ParcelChange, Plan

PLAN_COLUMNS = ("ma_xa", "so_to", "so_thua", "thay_doi", "truong", "gia_tri_cu", "gia_tri_moi", "ghi_chu")


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float):
        return f"{value:g}"
    return str(value)


def change_rows(ch: ParcelChange) -> list[dict[str, str]]:
    """The plan rows of one parcel key."""
    base = {"ma_xa": ch.key[0], "so_to": str(ch.key[1]), "so_thua": str(ch.key[2])}
    rows = []

    def add(kind: Kind, field: str = "", old: Any = None, new: Any = None, note: str = "") -> None:
        rows.append({**base, "thay_doi": kind.value, "truong": field, "gia_tri_cu": _text(old),
                     "gia_tri_moi": _text(new), "ghi_chu": note or KIND_LABELS[kind]})

    holders_old, holders_new = "; ".join(ch.holders_old), "; ".join(ch.holders_new)
    if Kind.ADDED in ch.kinds:
        add(Kind.ADDED, "chu_su_dung", None, holders_new)
    if Kind.REMOVED in ch.kinds:
        add(Kind.REMOVED, "chu_su_dung", holders_old, None)
    if Kind.GEOMETRY in ch.kinds:
        shift = f"dịch chuyển lớn nhất {ch.shift_m:.2f} m".replace(".", ",") if ch.shift_m is not None else ""
        add(Kind.GEOMETRY, "hinh_the", f"{len(ch.store_ids)} thửa vẽ", f"{len(ch.new_index)} thửa vẽ",
            shift or KIND_LABELS[Kind.GEOMETRY])
    for f in ch.fields:
        if f.conflict:
            add(Kind.CONFLICT, DELIVERY_FIELD[f.column], f.old, f.new,
                f"giữ giá trị đã sửa; giao nộp trước: {_text(f.delivered)}")
        else:
            add(Kind.ATTRIBUTES, DELIVERY_FIELD[f.column], f.old, f.new)
    if Kind.OWNERS in ch.kinds:
        add(Kind.OWNERS, "chu_su_dung", holders_old, holders_new)
    return rows


def plan_rows(plan: Plan) -> list[dict[str, str]]:
    return [r for ch in plan.changes for r in change_rows(ch)]


def write_plan(plan: Plan, path: str | Path) -> Path:
    """Write the plan (JSON when the name ends in ``.json``, else CSV with a BOM)."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    rows = plan_rows(plan)
    if path.suffix.lower() == ".json":
        doc = {"xa": plan.communes, "so_luong": plan.counts(), "thua_trong_csdl": plan.store_parcels,
               "thua_giao_nop": plan.delivered_parcels, "thay_doi": rows}
        path.write_text(json.dumps(doc, ensure_ascii=False, indent=1), encoding="utf-8")
        return path
    with path.open("w", encoding="utf-8-sig", newline="") as fh:
        w = csv.DictWriter(fh, fieldnames=PLAN_COLUMNS)
        w.writeheader()
        w.writerows(rows)
    return path
