"""The page of long operations: start an import or a reconciliation, follow their progress, leave
and come back (the state is in the ``jobs`` table; see ``job_runner``)."""

from __future__ import annotations

import contextlib
import datetime as dt
from typing import Annotated, Any

from fastapi import APIRouter, Depends, FastAPI, Form, Query, Request
from fastapi.responses import JSONResponse, RedirectResponse
from sqlalchemy import select, update

from datdai.access import purposes
from datdai.apps.web.auth import log_access
from datdai.apps.web.ui import job_runner as jr
from datdai.apps.web.ui.common import (
    DATA_ROLES,
    PageForbidden,
    PageNotFound,
    Principal,
    fmt_datetime,
    page_role,
    render,
    store_of,
)
from datdai.cleaning.redelivery.kinds import COUNT_LABELS
from datdai.db import schema as s

router = APIRouter(include_in_schema=False)
DATA_STAFF = page_role(*DATA_ROLES)
NOTICES = {"da-bat-dau": "Đã bắt đầu tác vụ. Có thể rời trang này; quay lại bất cứ lúc nào để xem kết quả."}


def install_runner(app: FastAPI) -> None:
    """Start the runner with the app (marking the jobs of dead processes interrupted first), stop
    it with the app."""
    inner = app.router.lifespan_context

    @contextlib.asynccontextmanager
    async def lifespan(app_):
        store = app_.state.store
        try:
            jr.mark_interrupted(store)
        except Exception:  # a store without the jobs table cannot run jobs; pages will say so
            jr.log.exception("không đánh dấu được tác vụ bị gián đoạn")
        app_.state.job_runner = jr.JobRunner(store)
        try:
            async with inner(app_) as state:
                yield state
        finally:
            runner = getattr(app_.state, "job_runner", None)
            app_.state.job_runner = None
            if runner is not None:
                runner.stop()

    app.router.lifespan_context = lifespan


def _runner(request: Request) -> jr.JobRunner:
    runner = getattr(request.app.state, "job_runner", None)
    if runner is None:  # an app used without its lifespan (a plain TestClient): start one now
        runner = request.app.state.job_runner = jr.JobRunner(request.app.state.store)
    return runner


def _job_view(row, runner: jr.JobRunner | None, now: dt.datetime) -> dict[str, Any]:
    status, stage, done, total, message = row.status, row.stage, row.done, row.total, row.message
    live = runner.progress_of(row.id) if runner is not None else None
    if live is not None and status not in jr.FINISHED:
        stage, done, total = live.stage, live.done, live.total
    elif jr.is_stale(row, now):
        status, message = jr.INTERRUPTED, jr.INTERRUPTED_MESSAGE
    params = dict(row.params or {})
    what = params.get("delivery") if row.kind == jr.IMPORT else params.get("population")
    if row.kind == jr.IMPORT and what == ".":
        what = "thư mục tiếp nhận"
    percent = round(100.0 * done / total) if total else None
    return {"id": row.id, "kind": row.kind, "kind_label": jr.KIND_LABELS.get(row.kind, row.kind), "what": what,
            "apply": bool(params.get("apply")), "status": status,
            "status_label": jr.STATUS_LABELS.get(status, status), "stage": stage or "", "done": done, "total": total,
            "percent": percent, "message": message or "", "result": row.result, "created_by": row.created_by,
            "created_at": fmt_datetime(row.created_at), "started_at": fmt_datetime(row.started_at),
            "finished_at": fmt_datetime(row.finished_at), "finished": status in jr.FINISHED}


def _visible(principal: Principal):
    j = s.jobs
    return [] if principal.role == "admin" else [j.c.created_by == principal.username]


def _jobs(request: Request, principal: Principal, ids: list[int] | None = None) -> list[dict[str, Any]]:
    j = s.jobs
    q = select(j).where(*_visible(principal)).order_by(j.c.id.desc())
    q = q.where(j.c.id.in_(ids)) if ids is not None else q.limit(50)
    with store_of(request).read() as conn:
        rows = conn.execute(q).all()
    runner = getattr(request.app.state, "job_runner", None)
    now = jr.utcnow()
    views = [_job_view(r, runner, now) for r in rows]
    stale = [v["id"] for v, r in zip(views, rows) if v["status"] == jr.INTERRUPTED and r.status != jr.INTERRUPTED]
    if stale:  # record what the page found: the job's process is gone
        with store_of(request).transaction() as conn:
            conn.execute(update(j).where(j.c.id.in_(stale), j.c.status.in_([jr.QUEUED, jr.RUNNING])).values(
                status=jr.INTERRUPTED, message=jr.INTERRUPTED_MESSAGE, finished_at=now))
    return views


@router.get("/ui/tac-vu")
def jobs_page(request: Request, principal: Annotated[Principal, Depends(DATA_STAFF)]):
    store = store_of(request)
    inbox = jr.inbox_dir(store)
    return render(request, "jobs.html", principal, active="tac-vu", title="Tác vụ dài", jobs=_jobs(request, principal),
                  deliveries=jr.deliveries(inbox), populations=jr.population_files(inbox), inbox=str(inbox),
                  notice=NOTICES.get(request.query_params.get("tb", "")))


@router.get("/ui/tac-vu/trang-thai")
def jobs_status(request: Request, principal: Annotated[Principal, Depends(DATA_STAFF)],
                id: Annotated[list[int] | None, Query(max_length=100)] = None):
    """The state of the officer's jobs (or of the ones asked), for the page's polling."""
    return JSONResponse(_jobs(request, principal, ids=id), headers={"Cache-Control": "no-store"})


@router.get("/ui/tac-vu/{job_id}")
def job_page(request: Request, principal: Annotated[Principal, Depends(DATA_STAFF)], job_id: int):
    with store_of(request).read() as conn:
        row = conn.execute(select(s.jobs).where(s.jobs.c.id == job_id)).first()
    if row is None:
        raise PageNotFound(f"Không có tác vụ #{job_id}.")
    if principal.role != "admin" and row.created_by != principal.username:
        raise PageForbidden("Tác vụ này do người khác chạy.")
    view = _jobs(request, principal, ids=[job_id])[0]
    if (row.result or {}).get("plan_rows"):  # the plan names land users: a read of personal data
        with store_of(request).transaction() as conn:
            log_access(conn, principal, action="xem kế hoạch giao nộp sửa", resource=f"ui/tac-vu/{job_id}",
                       purpose=purposes.FINDINGS)
    return render(request, "job.html", principal, active="tac-vu", title=f"Tác vụ #{job_id}", job=view,
                  plan_labels=COUNT_LABELS)


def _start(request: Request, principal: Principal, kind: str, params: dict[str, Any]):
    store = store_of(request)
    job_id = jr.create_job(store, kind, params, principal)
    _runner(request).submit(job_id, principal)
    return RedirectResponse(f"/ui/tac-vu?tb=da-bat-dau#tac-vu-{job_id}", status_code=303)


def _refuse(request: Request, principal: Principal, problem: str):
    store = store_of(request)
    inbox = jr.inbox_dir(store)
    return render(request, "jobs.html", principal, status_code=422, active="tac-vu", title="Tác vụ dài",
                  jobs=_jobs(request, principal), deliveries=jr.deliveries(inbox),
                  populations=jr.population_files(inbox), inbox=str(inbox), problem=problem)


@router.post("/ui/tac-vu/nhap-giao-nop")
def start_import(request: Request, principal: Annotated[Principal, Depends(DATA_STAFF)],
                 giao_nop: Annotated[str, Form(max_length=300)],
                 che_do: Annotated[str, Form(max_length=10)] = ""):
    """Import a delivery; ``che_do`` ``ke-hoach``: only the per-parcel plan, ``cap-nhat``: apply a
    corrected delivery to communes already loaded (asked from the plan's page)."""
    names = {d.name for d in jr.deliveries(jr.inbox_dir(store_of(request)))}
    if giao_nop not in names:
        return _refuse(request, principal, "Hãy chọn một giao nộp có trong thư mục tiếp nhận.")
    params: dict[str, Any] = {"delivery": giao_nop}
    mode = {"ke-hoach": "plan", "cap-nhat": "apply"}.get(che_do)
    if mode:
        params["mode"] = mode
    return _start(request, principal, jr.IMPORT, params)


@router.post("/ui/tac-vu/doi-soat")
def start_reconcile(request: Request, principal: Annotated[Principal, Depends(DATA_STAFF)],
                    dan_cu: Annotated[str, Form(max_length=300)], cap_nhat: Annotated[str, Form(max_length=5)] = ""):
    if dan_cu not in jr.population_files(jr.inbox_dir(store_of(request))):
        return _refuse(request, principal, "Hãy chọn một bản trích dân cư có trong thư mục tiếp nhận.")
    return _start(request, principal, jr.RECONCILE, {"population": dan_cu, "apply": bool(cap_nhat)})
