"""Loading a population register extract (``dan_cu.csv``, docs/formats/trich-xuat-dan-cu.md)
into the store as evidence: read as the matcher reads it, streamed in batches into one
transaction (``datdai dan-cu nap``, the web app's job). The store's part — versions, replacing,
the bulk write — is :mod:`datdai.matching.citizen_extracts`."""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Callable
from pathlib import Path

from datdai.db.store import Store
from datdai.matching.citizen_extracts import ExtractLoad, load_extract
from datdai.matching.inputs import iter_population

Progress = Callable[[str, int, int], None]


def file_sha256(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as f:
        while block := f.read(8 << 20):
            h.update(block)
    return h.hexdigest()


def load_population(store: Store, path: Path, *, actor: str, extract_date: dt.date | None = None,
                    file_name: str | None = None, notes: list[str] | None = None,
                    progress: Progress | None = None) -> ExtractLoad:
    """Load the extract at ``path`` into ``store``, replacing the current one (one transaction:
    a file refused anywhere leaves the store's extract as it was). ``file_name``: the name the
    user gave the file (an upload is stored under another)."""
    path = Path(path)
    digest = file_sha256(path)

    def step(rows: int) -> None:
        if progress is not None:
            progress("nạp bản trích dân cư / loading the extract", rows, rows)

    with store.transaction() as conn:
        return load_extract(conn, iter_population(path, notes), file_name=file_name or path.name,
                            sha256=digest, extract_date=extract_date, loaded_by=actor,
                            source=str(path), progress=step if progress else None)
