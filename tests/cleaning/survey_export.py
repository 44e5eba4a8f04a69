"""Build an ODK Central CSV-zip export from the survey form itself, as Central writes one.

The columns come from the compiled form (pyxform's tree): a field inside a group is
``group-field``, notes are not exported, each repeat is its own table ``<form id>-<repeat>.csv``
with ``PARENT_KEY``/``KEY``, media go under ``media/``, and the main table ends with Central's
submission metadata (``meta-instanceID``, ``KEY``, ``SubmitterName``, ``ReviewState`` …).
"""

from __future__ import annotations

import csv
import io
import zipfile
from dataclasses import dataclass, field
from pathlib import Path

from PIL import Image
from pyxform.xls2xform import convert

CENTRAL_TAIL = ["meta-instanceID", "KEY", "SubmitterID", "SubmitterName", "AttachmentsPresent",
                "AttachmentsExpected", "Status", "ReviewState", "DeviceID", "Edits", "FormVersion"]
NOT_EXPORTED = {"note", "entity", "attribute"}


@dataclass
class FakeSubmission:
    """One filled form: answers by field name (no group path), repeat rows of ``giay_to``."""

    instance_id: str
    answers: dict[str, str]
    papers: list[tuple[str, str, bytes]] = field(default_factory=list)  # (kind, file name, content)
    review_state: str = ""
    submitter: str = "doi1"


def jpeg(width: int = 64, height: int = 48, noise: bool = False) -> bytes:
    """A real JPEG photo; ``noise`` makes it large (random pixels compress badly)."""
    import os

    if noise:
        img = Image.frombytes("RGB", (width, height), os.urandom(width * height * 3))
    else:
        img = Image.new("RGB", (width, height), (200, 180, 120))
    buf = io.BytesIO()
    img.save(buf, "JPEG", quality=95)
    return buf.getvalue()


def _columns(children, prefix: str = "") -> tuple[list[str], dict[str, list[str]]]:
    main: list[str] = []
    repeats: dict[str, list[str]] = {}
    for c in children:
        if c["type"] in NOT_EXPORTED or c["name"] == "meta":
            continue
        path = f"{prefix}{c['name']}"
        if c["type"] == "repeat":
            cols, _ = _columns(c.get("children", []))
            repeats[c["name"]] = cols
        elif c["type"] == "group":
            cols, reps = _columns(c.get("children", []), f"{path}-")
            main += cols
            repeats.update(reps)
        else:
            main.append(path)
    return main, repeats


def _csv(header: list[str], rows: list[list[str]]) -> str:
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\r\n")
    w.writerow(header)
    w.writerows(rows)
    return buf.getvalue()


def build_export(form: Path, submissions: list[FakeSubmission], out: Path) -> Path:
    tree = convert(str(form))._pyxform
    form_id = tree["id_string"]
    main_cols, repeat_cols = _columns(tree["children"])
    header = ["SubmissionDate", *main_cols, *CENTRAL_TAIL]
    rows, paper_rows, media = [], [], {}
    for n, sub in enumerate(submissions, start=1):
        values = {c: sub.answers.get(c.rsplit("-", 1)[-1], "") for c in main_cols}
        values.update({"SubmissionDate": f"2026-11-{n:02d}T03:04:05.123Z", "meta-instanceID": sub.instance_id,
                       "KEY": sub.instance_id, "SubmitterID": "7", "SubmitterName": sub.submitter,
                       "AttachmentsPresent": str(len(sub.papers)), "AttachmentsExpected": str(len(sub.papers)),
                       "Status": "", "ReviewState": sub.review_state, "DeviceID": "collect:abc",
                       "Edits": "0", "FormVersion": tree.get("version", "")})
        rows.append([values.get(c, "") for c in header])
        for i, (kind, name, content) in enumerate(sub.papers, start=1):
            paper_rows.append({"loai_giay_to": kind, "anh": name, "PARENT_KEY": sub.instance_id,
                               "KEY": f"{sub.instance_id}/giay_to[{i}]"})
            media[name] = content
    rep_header = [*repeat_cols["giay_to"], "PARENT_KEY", "KEY"]
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr(f"{form_id}.csv", _csv(header, rows))
        zf.writestr(f"{form_id}-giay_to.csv", _csv(rep_header, [[r.get(c, "") for c in rep_header]
                                                                 for r in paper_rows]))
        for name, content in media.items():
            zf.writestr(f"media/{name}", content)
    return out
