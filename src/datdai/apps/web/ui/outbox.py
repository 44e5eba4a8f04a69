"""The admin's page of messages to partners (tax, notaries, citizens): how many wait, were sent or
were given up, and the given-up ones (dead letters) with their last error and a button that puts
one back in the queue (``services/outbox.py``: requeue). The payloads are not shown (they carry
personal data and the admin does not need them to retry)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Request
from fastapi.responses import RedirectResponse
from sqlalchemy import func, select

from datdai.apps.web.ui.common import Principal, page_role, render, store_of
from datdai.db.schema import outbox
from datdai.dossiers import outbox as ob
from datdai.dossiers.errors import InvalidInput
from datdai.dossiers.partners import load_partners

router = APIRouter(include_in_schema=False)
ADMIN = page_role("admin")
NOTICES = {"gui-lai": "Đã đưa tin nhắn trở lại hàng gửi; bộ gửi sẽ gửi ở lượt tới."}


@router.get("/ui/tin-gui")
def outbox_page(request: Request, principal: Annotated[Principal, Depends(ADMIN)]):
    with store_of(request).read() as conn:
        counts = {(r.partner, r.status): r.n for r in conn.execute(
            select(outbox.c.partner, outbox.c.status, func.count().label("n"))
            .group_by(outbox.c.partner, outbox.c.status))}
        dead = ob.messages(conn, status=ob.Status.DEAD)
    try:
        configured, problem = load_partners(), None
    except InvalidInput as exc:
        configured, problem = {}, str(exc).split(" / ")[0]
    partners = sorted({p for p, _ in counts} | set(configured))
    rows = [{"partner": p, "pending": counts.get((p, ob.Status.PENDING), 0), "sent": counts.get((p, ob.Status.SENT), 0),
             "dead": counts.get((p, ob.Status.DEAD), 0),
             "endpoint": configured[p].describe() if p in configured else None} for p in partners]
    return render(request, "outbox.html", principal, active="tin-gui", title="Tin nhắn đối tác", rows=rows,
                  dead=dead, problem=problem, notice=NOTICES.get(request.query_params.get("tb", "")))


@router.post("/ui/tin-gui/{message_id}/gui-lai")
def requeue(request: Request, principal: Annotated[Principal, Depends(ADMIN)], message_id: int):
    with store_of(request).transaction() as conn:
        ob.requeue(conn, message_id)  # NotFound / Conflict: the error page with its status
    return RedirectResponse("/ui/tin-gui?tb=gui-lai", status_code=303)
