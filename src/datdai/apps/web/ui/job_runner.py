"""Long operations started from the web app, run in a worker process, their state in ``jobs``.

A job is a row of the ``jobs`` table (migration 0007) created by the request that starts it
(status ``CHO``), then taken by this server process's runner: one daemon thread taking jobs in
order, so two imports never compete for the store. The runner does not do the work itself: it
starts a **worker process** (``python -m datdai.apps.web.ui.job_worker JOB_ID``, the store's URL and the
officer in its environment) and waits for it, so a job that runs out of memory, crashes or is
killed never takes the API server with it. In the worker, the work reports its progress to memory
and a heartbeat thread writes it (stage, done / total, ``heartbeat_at``) to the row every
``HEARTBEAT_SECONDS`` in a short transaction of its own — on SQLite a write may have to wait while
the import holds the write lock; it is retried at the next beat. The row ends ``XONG`` (with counts
and a message) or ``LOI`` (with the reason, in Vietnamese); nothing half-done is left in the store,
since the work itself is transactional (``import_delivery``, ``record_result``). A worker that dies
without writing its outcome (killed, out of memory) leaves the row unfinished: the runner marks it
``LOI`` as soon as the process has ended (:data:`WORKER_DIED`).

A server that stops while a job runs leaves its worker running to the end (the worker writes the
row). Should both be gone, the row stays ``DANG_CHAY``: when a server starts, the jobs whose runner
(the worker's process) was a dead process of this host, or whose heartbeat is older than ``STALE_SECONDS``,
become ``GIAN_DOAN`` (interrupted) — the work's transaction was rolled back with the process —
and a page that reads a job with a stale heartbeat says so too.

Kinds
-----
* ``NHAP_GIAO_NOP`` — import a contractor's delivery from the office's delivery folder
  (``DATDAI_INBOX``; default: ``giao-nop`` beside a SQLite store, else ``<DATDAI_FILES>/giao-nop``):
  one sub-folder (or the folder itself) holding the map layer (GeoPackage, Shapefile, DGN, GeoJSON)
  and the register (CSV, XLSX), optionally a ``*.toml`` check configuration. A data officer may
  import only communes in their scope (read first, refused before anything is stored). A delivery
  for communes already in the store (a contractor's corrected delivery) is not refused: the job
  computes its per-parcel plan and changes nothing (``mode`` ``plan``); the officer reads it on the
  job's page and applies it with a second job (``mode`` ``apply``: one audited batch, the findings
  re-checked; :mod:`datdai.cleaning.redelivery`).
* ``DOI_SOAT`` — reconcile the store's land users (of the officer's communes) with a population
  extract (the one loaded in the store, or ``dan_cu*.csv`` in the same folder): owners export,
  matching, result recorded for review; optionally the matches applied through the audit trail.
* ``NAP_DAN_CU`` — load a population extract (``dan_cu*.csv`` in the folder) into the store,
  replacing the current one (``datdai dan-cu nap``).
"""

from __future__ import annotations

import datetime as dt
import json
import logging
import os
import queue
import socket
import subprocess
import sys
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sqlalchemy import insert, select, update
from sqlalchemy.exc import OperationalError

from datdai.access.principal import Principal
from datdai.db import schema as s
from datdai.db.engine import backend_name
from datdai.db.files import default_root
from datdai.db.store import Store
from datdai.kernel.errors import DatdaiError
from datdai.kernel.text import vn_int
from datdai.land.places import visible_parcel_communes

log = logging.getLogger("datdai.apps.web.jobs")

HEARTBEAT_SECONDS = 2.0
STALE_SECONDS = 60.0
IMPORT, RECONCILE, POPULATION = "NHAP_GIAO_NOP", "DOI_SOAT", "NAP_DAN_CU"
STORED_EXTRACT = "@csdl"  # a reconciliation with the extract loaded in the store
QUEUED, RUNNING, DONE, FAILED, INTERRUPTED = "CHO", "DANG_CHAY", "XONG", "LOI", "GIAN_DOAN"
FINISHED = frozenset({DONE, FAILED, INTERRUPTED})
KIND_LABELS = {IMPORT: "Nhập giao nộp", RECONCILE: "Đối soát dân cư", POPULATION: "Nạp bản trích dân cư"}
STATUS_LABELS = {QUEUED: "Chờ chạy", RUNNING: "Đang chạy", DONE: "Hoàn thành", FAILED: "Lỗi",
                 INTERRUPTED: "Bị gián đoạn"}
WORKER_DIED = ("Tiến trình chạy tác vụ dừng bất thường (mã {code}); dữ liệu của tác vụ không được lưu. "
               "Có thể chạy lại.")
ENV_DB, ENV_PRINCIPAL = "DATDAI_JOB_DB", "DATDAI_JOB_PRINCIPAL"
INTERRUPTED_MESSAGE = ("Tác vụ bị gián đoạn do máy chủ dừng hoặc khởi động lại khi đang chạy; "
                       "dữ liệu của tác vụ không được lưu. Có thể chạy lại.")
PARCEL_SUFFIXES = (".gpkg", ".shp", ".zip", ".dgn", ".geojson")
REGISTER_SUFFIXES = (".csv", ".xlsx")
NOT_REGISTER = ("dan_cu", "chu_su_dung", "ket_qua")


class JobRefused(DatdaiError):
    """A job that cannot start as asked (message in Vietnamese)."""


def utcnow() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def as_utc(at: dt.datetime | None) -> dt.datetime | None:
    if at is None:
        return None
    return at.replace(tzinfo=dt.UTC) if at.tzinfo is None else at


def runner_id() -> str:
    return f"{socket.gethostname()}:{os.getpid()}"


# ---------------------------------------------------------------- the delivery folder

def inbox_dir(store: Store) -> Path:
    env = os.environ.get("DATDAI_INBOX")
    if env:
        return Path(env)
    if backend_name(store.url) == "sqlite":
        from sqlalchemy.engine import make_url

        database = make_url(store.url).database
        if database and database != ":memory:":
            return Path(database).parent / "giao-nop"

    return default_root(store.url) / "giao-nop"


@dataclass(frozen=True)
class Delivery:
    name: str  # the folder, relative to the inbox ('.' for the inbox itself)
    parcels: Path
    register: Path
    config: Path | None


def deliveries(inbox: Path) -> list[Delivery]:
    """The deliveries in the folder: the folder itself and each sub-folder with a map layer and a
    register."""
    out = []
    if not inbox.is_dir():
        return out
    for folder in [inbox, *sorted(p for p in inbox.iterdir() if p.is_dir())]:
        files = sorted(p for p in folder.iterdir() if p.is_file())
        layer = next((p for p in files if p.suffix.lower() in PARCEL_SUFFIXES), None)
        register = next((p for p in files if p.suffix.lower() in REGISTER_SUFFIXES
                         and not p.stem.lower().startswith(NOT_REGISTER)), None)
        config = next((p for p in files if p.suffix.lower() == ".toml"), None)
        if layer is not None and register is not None:
            name = "." if folder == inbox else folder.name
            out.append(Delivery(name, layer, register, config))
    return out


def population_files(inbox: Path) -> list[str]:
    """The population extracts in the folder (``dan_cu*.csv``), as paths relative to it."""
    if not inbox.is_dir():
        return []
    found = sorted(p for p in inbox.rglob("dan_cu*.csv") if p.is_file())
    return [p.relative_to(inbox).as_posix() for p in found]


# ---------------------------------------------------------------- rows

def create_job(store: Store, kind: str, params: dict[str, Any], principal: Principal) -> int:
    now = utcnow()
    with store.transaction() as conn:
        return conn.execute(insert(s.jobs).returning(s.jobs.c.id), {
            "kind": kind, "params": params, "scope": sorted(principal.scopes), "status": QUEUED,
            "stage": "Chờ chạy", "done": 0, "total": 0, "created_by": principal.username, "created_at": now,
            "heartbeat_at": now, "runner": runner_id()}).scalar_one()


def _write(store: Store, job_id: int, **values) -> bool:
    try:
        with store.transaction() as conn:
            conn.execute(update(s.jobs).where(s.jobs.c.id == job_id).values(**values))
        return True
    except OperationalError as exc:  # SQLite busy while an import holds the write lock
        log.info("tác vụ #%s: chưa ghi được tiến độ (%s)", job_id, exc)
        return False


def _alive(runner: str | None) -> bool | None:
    """True/False for a runner of this host, None for another host's."""
    if not runner or ":" not in runner:
        return None
    host, _, pid = runner.rpartition(":")
    if host != socket.gethostname() or not pid.isdigit():
        return None
    if int(pid) == os.getpid():
        return True
    try:
        os.kill(int(pid), 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def is_stale(row, now: dt.datetime | None = None) -> bool:
    """A job shown as running whose process is gone (dead pid of this host, or no heartbeat for
    ``STALE_SECONDS``)."""
    if row.status in FINISHED:
        return False
    alive = _alive(row.runner)
    if alive is False:
        return True
    beat = as_utc(row.heartbeat_at) or as_utc(row.created_at)
    return (now or utcnow()) - beat > dt.timedelta(seconds=STALE_SECONDS)


def mark_interrupted(store: Store) -> int:
    """Mark the unfinished jobs of dead processes GIAN_DOAN; returns how many."""
    j = s.jobs
    with store.transaction() as conn:
        rows = conn.execute(select(j).where(j.c.status.in_([QUEUED, RUNNING]))).all()
        stale = [r.id for r in rows if is_stale(r) and r.runner != runner_id()]
        if stale:
            conn.execute(update(j).where(j.c.id.in_(stale)).values(
                status=INTERRUPTED, message=INTERRUPTED_MESSAGE, finished_at=utcnow()))
    return len(stale)


# ---------------------------------------------------------------- the runner

@dataclass
class _Live:
    stage: str = "Đang chuẩn bị"
    done: int = 0
    total: int = 0
    started: float = field(default_factory=time.monotonic)


def principal_env(principal: Principal) -> str:
    return json.dumps({"username": principal.username, "role": principal.role, "scopes": sorted(principal.scopes),
                       "personal_number": principal.personal_number, "is_system": principal.is_system})


def principal_from_env(text: str) -> Principal:
    d = json.loads(text)
    return Principal(d["username"], d["role"], frozenset(d["scopes"]), d["personal_number"], d["is_system"])


class JobRunner:
    """One worker thread and one heartbeat thread per process (daemon threads: a stopping server
    does not wait for a job). With ``isolated`` (the server) each job runs in a worker process
    (:mod:`datdai.apps.web.ui.job_worker`); that worker runs it here with ``isolated=False``."""

    def __init__(self, store: Store, *, isolated: bool = True) -> None:
        self.store = store
        self.isolated = isolated
        self.child: subprocess.Popen | None = None  # the worker process of the running job
        self.queue: queue.Queue[tuple[int, Principal] | None] = queue.Queue()
        self.live: dict[int, _Live] = {}
        self.lock = threading.Lock()
        self.stopping = threading.Event()
        self.worker = threading.Thread(target=self._work, name="datdai-tac-vu", daemon=True)
        self.beat = threading.Thread(target=self._heartbeat, name="datdai-tac-vu-nhip", daemon=True)
        self.worker.start()
        self.beat.start()

    def submit(self, job_id: int, principal: Principal) -> None:
        with self.lock:
            self.live[job_id] = _Live(stage="Chờ chạy")
        self.queue.put((job_id, principal))

    def stop(self) -> None:
        self.stopping.set()
        self.queue.put(None)

    def progress_of(self, job_id: int) -> _Live | None:
        with self.lock:
            return self.live.get(job_id)

    # -- threads
    def _heartbeat(self) -> None:
        while not self.stopping.wait(HEARTBEAT_SECONDS):
            with self.lock:
                snapshot = {k: (v.stage, v.done, v.total) for k, v in self.live.items()}
            for job_id, (stage, done, total) in snapshot.items():
                try:
                    _write(self.store, job_id, stage=stage, done=done, total=total, heartbeat_at=utcnow())
                except Exception:  # the store unreachable for a moment: the next beat tries again
                    log.exception("tác vụ #%s: không ghi được nhịp", job_id)

    def _work(self) -> None:
        while True:
            item = self.queue.get()
            if item is None:
                return
            job_id, principal = item
            try:
                (self._run_isolated if self.isolated else self._run)(job_id, principal)
            except Exception:  # the runner itself must survive; the job will show as interrupted
                log.exception("tác vụ #%s: lỗi của bộ chạy", job_id)
                with self.lock:
                    self.live.pop(job_id, None)

    def _report(self, job_id: int):
        def progress(stage: str, done: int, total: int) -> None:
            with self.lock:
                live = self.live.get(job_id)
                if live is not None:
                    live.stage, live.done, live.total = stage, int(done), int(total)
        return progress

    def _run_isolated(self, job_id: int, principal: Principal) -> None:
        """Run the job in a worker process; when it ends without an outcome, record that."""
        env = {**os.environ, ENV_DB: self.store.url, ENV_PRINCIPAL: principal_env(principal)}
        with self.lock:
            self.live.pop(job_id, None)  # the worker writes its progress to the row
        self.child = subprocess.Popen([sys.executable, "-m", "datdai.apps.web.ui.job_worker", str(job_id)], env=env,
                                      stdin=subprocess.DEVNULL)
        try:
            code = self.child.wait()
        finally:
            self.child = None
        with self.store.read() as conn:
            row = conn.execute(select(s.jobs.c.status).where(s.jobs.c.id == job_id)).first()
        if row is not None and row.status not in FINISHED:
            log.error("tác vụ #%s: tiến trình chạy tác vụ dừng với mã %s", job_id, code)
            for _ in range(30):
                if _write(self.store, job_id, status=FAILED, message=WORKER_DIED.format(code=code),
                          finished_at=utcnow(), heartbeat_at=utcnow()):
                    break
                time.sleep(1.0)

    def run_here(self, job_id: int, principal: Principal) -> None:
        """Run one job in this process (the worker process's entry)."""
        with self.lock:
            self.live[job_id] = _Live(stage="Đang chạy")
        self._run(job_id, principal)

    def _run(self, job_id: int, principal: Principal) -> None:
        with self.store.read() as conn:
            row = conn.execute(select(s.jobs).where(s.jobs.c.id == job_id)).first()
        if row is None or row.status != QUEUED:
            with self.lock:
                self.live.pop(job_id, None)
            return
        _write(self.store, job_id, status=RUNNING, started_at=utcnow(), heartbeat_at=utcnow(), runner=runner_id(),
               stage="Đang chạy")
        progress = self._report(job_id)
        try:
            work = {IMPORT: run_import, RECONCILE: run_reconcile, POPULATION: run_population_load}[row.kind]
            message, result = work(self.store, {**dict(row.params), "job_id": job_id}, principal, progress)
            status = DONE
        except JobRefused as exc:
            message, result, status = str(exc), None, FAILED
        except Exception as exc:  # the job's own error, told to the officer; the traceback logged
            if isinstance(exc, DatdaiError):  # a refusal the officer can act on
                message = str(exc).split(" / ")[0]
            else:
                log.exception("tác vụ #%s lỗi", job_id)
                message = f"Lỗi nội bộ khi chạy tác vụ ({type(exc).__name__}); đã ghi vào nhật ký máy chủ."
            result, status = None, FAILED
        with self.lock:
            live = self.live.pop(job_id, None)
        values: dict[str, Any] = {"status": status, "message": message, "result": result,
                                  "finished_at": utcnow(), "heartbeat_at": utcnow()}
        if status == DONE:
            values.update(stage="Hoàn thành", done=max(live.total if live else 1, 1),
                          total=max(live.total if live else 1, 1))
        for _ in range(30):  # the outcome must be written: wait out a busy SQLite
            if _write(self.store, job_id, **values):
                break
            time.sleep(1.0)


# ---------------------------------------------------------------- the work

def _in_scope(principal: Principal, communes: set[str]) -> None:
    if principal.role == "admin":
        return
    outside = sorted(c for c in communes if not principal.can_see_commune(c))
    if outside:
        raise JobRefused("Giao nộp có xã nằm ngoài phạm vi được giao của tài khoản: " + ", ".join(outside[:10])
                         + ("…" if len(outside) > 10 else "") + ". Không nhập gì.")


def run_import(store: Store, params: dict[str, Any], principal: Principal, progress) -> tuple[str, dict]:
    # the delivery readers and the checks (GDAL, DuckDB): loaded when a job runs, not with the app
    from datdai.cleaning.config import load_config
    from datdai.cleaning.delivery_import import import_delivery, occupied_communes
    from datdai.cleaning.readers.parcels import read_parcels

    inbox = inbox_dir(store)
    found = {d.name: d for d in deliveries(inbox)}
    delivery = found.get(params.get("delivery", ""))
    if delivery is None:
        raise JobRefused(f"Không còn thấy giao nộp “{params.get('delivery')}” trong thư mục tiếp nhận.")
    progress("Đọc giao nộp, kiểm tra phạm vi", 0, 1)
    cfg = load_config(delivery.config)
    layer = read_parcels(delivery.parcels, srid=cfg.srid, ma_xa=cfg.ma_xa, so_to=cfg.so_to)
    communes = {str(c) for c in layer.table.column("ma_xa").to_pylist() if c}
    _in_scope(principal, communes)
    mode = params.get("mode")
    if mode is None:
        with store.read() as conn:
            mode = "plan" if occupied_communes(conn, sorted(communes)) else None
    if mode in ("plan", "apply"):
        return _redeliver(store, delivery, principal, progress, apply=mode == "apply")
    result = import_delivery(store, delivery.parcels, delivery.register, config=delivery.config,
                             actor=principal.username, progress=progress)
    if result.already_imported:
        when = f" ngày {as_utc(result.imported_at):%d/%m/%Y}" if result.imported_at else ""
        return (f"Giao nộp này đã được nhập trước đây (giao nộp #{result.delivery_id}{when}); không thay đổi gì.",
                {"delivery_id": result.delivery_id, "already_imported": True})
    c = result.counts
    message = (f"Đã nhập giao nộp #{result.delivery_id}: {vn_int(c.get('parcels', 0))} thửa đất, "
               f"{vn_int(c.get('parties', 0))} người sử dụng đất, {vn_int(c.get('findings', 0))} phát hiện lỗi "
               f"({vn_int(result.auto_fixed)} lỗi đã tự sửa).")
    return message, {"delivery_id": result.delivery_id, "run_id": result.run_id, "counts": c,
                     "findings_by_rule": result.findings_by_rule, "auto_fixed": result.auto_fixed,
                     "communes": sorted(communes)}


PLAN_ROWS = 500  # rows of the plan kept with the job (the counts are complete)


def _redeliver(store: Store, delivery: Delivery, principal: Principal, progress, *, apply: bool
               ) -> tuple[str, dict]:
    from datdai.cleaning.redelivery.apply import redeliver
    from datdai.cleaning.redelivery.plan_file import plan_rows
    from datdai.kernel.text import vn_int

    done = redeliver(store, delivery.parcels, delivery.register, config=delivery.config,
                     actor=principal.username, apply=apply, progress=progress)
    if done.already_imported:
        when = f" ngày {as_utc(done.imported_at):%d/%m/%Y}" if done.imported_at else ""
        return (f"Giao nộp này đã được nhập trước đây (giao nộp #{done.delivery_id}{when}); không thay đổi gì.",
                {"delivery_id": done.delivery_id, "already_imported": True})
    plan = done.plan
    counts = plan.counts()
    rows = plan_rows(plan)
    result = {"delivery": delivery.name, "plan": counts, "plan_rows": rows[:PLAN_ROWS],
              "plan_rows_total": len(rows), "communes": plan.communes, "applied": done.applied,
              "canh_bao": plan.warnings()}
    said = (f"{vn_int(counts['THEM'])} thêm, {vn_int(counts['XOA'])} bỏ, {vn_int(counts['HINH_THE'])} đổi hình "
            f"thể, {vn_int(counts['THUOC_TINH'])} đổi thuộc tính, {vn_int(counts['CHU_SU_DUNG'])} đổi người sử "
            f"dụng đất, {vn_int(counts['XUNG_DOT'])} giá trị đã sửa khác giao nộp; "
            f"{vn_int(counts['KHONG_DOI'])} thửa không đổi")
    if not done.applied:
        warned = f" Cảnh báo ({len(result['canh_bao'])}): xem trang của tác vụ." if result["canh_bao"] else ""
        return (f"Xã đã có dữ liệu: kế hoạch thay đổi theo thửa ({said}). Chưa thay đổi gì; xem và áp dụng "
                f"trên trang của tác vụ.{warned}", result)
    result.update(delivery_id=done.delivery_id, run_id=done.run_id, batch_id=done.batch_id,
                  counts=done.counts, findings_by_rule=done.findings_by_rule)
    return (f"Đã áp dụng giao nộp sửa #{done.delivery_id} (lô thay đổi #{done.batch_id}, hoàn tác được): {said}. "
            f"Kiểm tra lại: {vn_int(done.opened)} phát hiện mới, {vn_int(done.closed)} phát hiện đã hết tự đóng.",
            result)


def run_reconcile(store: Store, params: dict[str, Any], principal: Principal, progress) -> tuple[str, dict]:
    from datdai.matching.reconcile_store import reconcile_store  # the matcher: Splink, on demand

    inbox = inbox_dir(store)
    name = params.get("population", "")
    if name != STORED_EXTRACT and name not in population_files(inbox):
        raise JobRefused(f"Không còn thấy bản trích dân cư “{name}” trong thư mục tiếp nhận.")
    with store.read() as conn:
        communes = visible_parcel_communes(conn, principal)
    if communes is not None and not communes:
        raise JobRefused("Không có xã nào trong phạm vi được giao để đối soát.")
    progress("Xuất danh sách người sử dụng đất", 0, 4)
    done = reconcile_store(store, None if name == STORED_EXTRACT else inbox / name,
                           default_root(store.url) / "doi-soat" / f"tac-vu-{params['job_id']}",
                           actor=principal.username, communes=communes,
                           apply=bool(params.get("apply")), progress=progress, role=principal.role)
    counts, applied, warnings = done.counts, done.applied, done.match.warnings
    message = (f"Đã đối soát {vn_int(done.rows)} dòng người sử dụng đất (lần đối soát #{done.run_id}): "
               f"{vn_int(counts.get('KHOP', 0))} khớp, {vn_int(counts.get('CAN_XAC_MINH', 0))} cần xác minh, "
               f"{vn_int(counts.get('KHONG_KHOP', 0))} không khớp.")
    if applied is not None:
        message += f" Đã cập nhật {vn_int(applied.parties_changed)} người sử dụng đất vào dữ liệu."
    if warnings:  # what makes the result doubtful is said where the job is read
        message += f" Cảnh báo ({len(warnings)}): xem trang của tác vụ."
    return message, {"run_id": done.run_id, "export_id": done.export_id, "rows": done.rows, "counts": counts,
                     "applied": None if applied is None else applied.parties_changed,
                     "canh_bao": list(warnings), "ghi_chu": list(done.match.notes)}


def run_population_load(store: Store, params: dict[str, Any], principal: Principal, progress) -> tuple[str, dict]:
    from datdai.matching.population_load import load_population

    inbox = inbox_dir(store)
    name = params.get("population", "")
    if name not in population_files(inbox):
        raise JobRefused(f"Không còn thấy bản trích dân cư “{name}” trong thư mục tiếp nhận.")
    day = dt.date.fromisoformat(params["extract_date"]) if params.get("extract_date") else None
    progress("Đọc và nạp bản trích dân cư", 0, 0)
    done = load_population(store, inbox / name, actor=principal.username, extract_date=day,
                           file_name=params.get("file_name") or Path(name).name, progress=progress)
    if done.already_loaded:
        return (f"Tệp này đã là bản trích hiện hành (#{done.extract_id}); không thay đổi gì.",
                {"extract_id": done.extract_id, "already_loaded": True})
    message = f"Đã nạp bản trích dân cư #{done.extract_id}: {vn_int(done.rows)} công dân"
    if done.replaced:
        message += f" (thay bản trích #{done.replaced})"
    return message + ".", {"extract_id": done.extract_id, "rows": done.rows, "replaced": done.replaced}
