"""Documents of dossiers: a local content-addressed file store plus metadata in ``dossier_documents``.

Files are kept once per content (``<root>/<aa>/<bb>/<sha256>``); the same file uploaded twice to
the same dossier component is one row. The root is ``DATDAI_FILES`` when set, else a folder next
to the SQLite file (``<name>-files``), else ``./datdai-files``.
A citizen's earlier digitized documents (by personal number) are offered for reuse in a new
dossier: :func:`reusable_documents`, :func:`reuse_document` (no new upload, same stored file).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import os
import tempfile
import unicodedata
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import Connection, and_, insert, select
from sqlalchemy.engine import make_url

from datdai.db.schema import dossier_documents, dossiers
from datdai.dossiers.errors import InvalidInput, NotFound
from datdai.dossiers.lifecycle import FINAL_STATES, utc

RESULT_COMPONENT = "KET_QUA"


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


@dataclass(frozen=True)
class Document:
    id: int
    dossier_id: int
    component_code: str
    file_name: str
    sha256: str
    size: int
    media_type: str | None
    stored_path: str
    digitized: bool
    uploaded_at: dt.datetime
    uploaded_by: str
    reused_from_id: int | None

    @classmethod
    def from_row(cls, r) -> Document:
        m = dict(r._mapping)
        m["uploaded_at"] = utc(m["uploaded_at"])
        return cls(**m)


def _dossier_state(conn: Connection, dossier_id: int) -> str:
    state = conn.execute(select(dossiers.c.state).where(dossiers.c.id == dossier_id)).scalar()
    if state is None:
        raise NotFound(f"không có hồ sơ #{dossier_id} / no such dossier")
    return state


def _existing(conn: Connection, dossier_id: int, component: str, sha256: str):
    return conn.execute(select(dossier_documents).where(and_(
        dossier_documents.c.dossier_id == dossier_id, dossier_documents.c.component_code == component,
        dossier_documents.c.sha256 == sha256))).first()


def add_document(conn: Connection, files: FileStore, dossier_id: int, *, component_code: str, file_name: str,
                 data: bytes, by: str, media_type: str | None = None, digitized: bool = True,
                 at: dt.datetime | None = None) -> tuple[Document, bool]:
    """Store a component (or the result, ``KET_QUA``) of a dossier. Returns (document, created):
    the same content for the same component of the same dossier is not stored twice."""
    state = _dossier_state(conn, dossier_id)
    if state in FINAL_STATES and component_code != RESULT_COMPONENT:
        raise InvalidInput(f"hồ sơ đã kết thúc ({state}), không nhận thêm giấy tờ / the dossier is closed")
    if not component_code or not file_name:
        raise InvalidInput("giấy tờ cần mã thành phần và tên tệp / component code and file name required")
    if not data:
        raise InvalidInput("tệp rỗng / empty file")
    digest, rel = files.put(data)
    found = _existing(conn, dossier_id, component_code, digest)
    if found is not None:
        return Document.from_row(found), False
    doc_id = conn.execute(insert(dossier_documents).returning(dossier_documents.c.id), {
        "dossier_id": dossier_id, "component_code": component_code,
        "file_name": unicodedata.normalize("NFC", file_name), "sha256": digest, "size": len(data),
        "media_type": media_type, "stored_path": rel, "digitized": digitized, "uploaded_at": utc(at),
        "uploaded_by": by, "reused_from_id": None}).scalar_one()
    return document(conn, doc_id), True


def document(conn: Connection, document_id: int) -> Document:
    r = conn.execute(select(dossier_documents).where(dossier_documents.c.id == document_id)).first()
    if r is None:
        raise NotFound(f"không có giấy tờ #{document_id} / no such document")
    return Document.from_row(r)


def dossier_documents_of(conn: Connection, dossier_id: int) -> list[Document]:
    q = select(dossier_documents).where(dossier_documents.c.dossier_id == dossier_id).order_by(dossier_documents.c.id)
    return [Document.from_row(r) for r in conn.execute(q)]


def reusable_documents(conn: Connection, personal_number: str, *,
                       exclude_dossier_id: int | None = None) -> list[Document]:
    """A citizen's earlier digitized documents (of dossiers filed under that personal number),
    one per (component, content), newest first; results (KET_QUA) included."""
    q = (select(dossier_documents)
         .join(dossiers, dossiers.c.id == dossier_documents.c.dossier_id)
         .where(dossiers.c.applicant_personal_number == personal_number, dossier_documents.c.digitized.is_(True))
         .order_by(dossier_documents.c.uploaded_at.desc(), dossier_documents.c.id.desc()))
    if exclude_dossier_id is not None:
        q = q.where(dossier_documents.c.dossier_id != exclude_dossier_id)
    seen: set[tuple[str, str]] = set()
    out = []
    for r in conn.execute(q):
        key = (r.component_code, r.sha256)
        if key not in seen:
            seen.add(key)
            out.append(Document.from_row(r))
    return out


def reuse_document(conn: Connection, dossier_id: int, document_id: int, *, by: str,
                   component_code: str | None = None, at: dt.datetime | None = None) -> tuple[Document, bool]:
    """Attach an earlier digitized document of the same applicant to a dossier (no new upload)."""
    src = document(conn, document_id)
    _dossier_state(conn, dossier_id)
    owner = conn.execute(select(dossiers.c.applicant_personal_number).where(dossiers.c.id == src.dossier_id)).scalar()
    mine = conn.execute(select(dossiers.c.applicant_personal_number).where(dossiers.c.id == dossier_id)).scalar()
    if not owner or owner != mine:
        raise InvalidInput("chỉ dùng lại giấy tờ của chính người nộp / only the applicant's own documents")
    if not src.digitized:
        raise InvalidInput("giấy tờ chưa được số hóa / the document is not digitized")
    component = component_code or src.component_code
    found = _existing(conn, dossier_id, component, src.sha256)
    if found is not None:
        return Document.from_row(found), False
    doc_id = conn.execute(insert(dossier_documents).returning(dossier_documents.c.id), {
        "dossier_id": dossier_id, "component_code": component, "file_name": src.file_name, "sha256": src.sha256,
        "size": src.size, "media_type": src.media_type, "stored_path": src.stored_path, "digitized": True,
        "uploaded_at": utc(at), "uploaded_by": by, "reused_from_id": src.id}).scalar_one()
    return document(conn, doc_id), True
