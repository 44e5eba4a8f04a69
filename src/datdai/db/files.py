"""A local content-addressed file store: each content kept once (``<root>/<aa>/<bb>/<sha256>``),
written atomically. Dossiers' documents and the field survey's photos live in it.

The root is ``DATDAI_FILES`` when set, else a folder next to the SQLite file (``<name>-files``),
else ``./datdai-files``.
"""

from __future__ import annotations

import hashlib
import os
import tempfile
from pathlib import Path

from sqlalchemy.engine import make_url


def default_root(db_url: str | None = None) -> Path:
    env = os.environ.get("DATDAI_FILES")
    if env:
        return Path(env)
    if db_url:
        url = make_url(db_url)
        if url.get_backend_name() == "sqlite" and url.database and url.database != ":memory:":
            db = Path(url.database)
            return db.with_name(f"{db.stem}-files")
    return Path("datdai-files")


class FileStore:
    """Content-addressed files under ``root``."""

    def __init__(self, root: str | Path) -> None:
        self.root = Path(root)

    def relpath(self, sha256: str) -> str:
        return f"{sha256[:2]}/{sha256[2:4]}/{sha256}"

    def put(self, data: bytes) -> tuple[str, str]:
        """Store ``data`` (once); returns (sha256, path relative to the root)."""
        digest = hashlib.sha256(data).hexdigest()
        rel = self.relpath(digest)
        target = self.root / rel
        if not target.exists():
            target.parent.mkdir(parents=True, exist_ok=True)
            fd, tmp = tempfile.mkstemp(dir=target.parent, prefix=".tmp-")
            try:
                with os.fdopen(fd, "wb") as f:
                    f.write(data)
                os.replace(tmp, target)  # atomic: a reader never sees half a file
            except BaseException:
                Path(tmp).unlink(missing_ok=True)
                raise
        return digest, rel

    def get(self, rel: str) -> bytes:
        return (self.root / rel).read_bytes()
