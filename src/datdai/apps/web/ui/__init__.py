"""The web app for land office staff (Vietnamese, server-rendered): ``/ui/…``.

Pages are Jinja2 templates filled by the same service and store functions the JSON API uses, with
a little vanilla JavaScript (the map, the keyboard of the review queue, polling of long jobs).
Browser libraries come from npm (``frontend/package.json``) and are copied into
``static/vendor/`` by ``make install``; nothing is loaded from another site.

* ``session``   — log in (a bearer token in the HttpOnly ``datdai_session`` cookie), log out
* ``dashboard`` — figures of the month per commune, each linking to the list behind it
* ``parcel_map``— parcels of a commune on a map (GeoJSON-like features per bounding box, WGS84),
                  the parcel's register data, owners, rights, certificate, assets, findings, history
* ``findings``  — quality findings: filter, side by side values, decisions, automatic fixes
* ``reviews``   — the reconciliation review queue, keyboard first
* ``dossiers``  — the dossier desk: deadlines, documents, history, transitions, filing at the desk
* ``jobs``      — long operations (import a delivery, run a reconciliation) with their progress
* ``reports``   — the monthly report's downloads
* ``citizens``  — the citizens' pages (``/ui/cong-dan``): login through OpenID Connect (VNeID),
                  their parcels, their dossiers, filing online, supplements, the result
* ``outbox``    — messages to partners (admin): counts, dead letters with a retry button
"""

from __future__ import annotations

from fastapi import FastAPI, Request
from fastapi.responses import RedirectResponse
from fastapi.staticfiles import StaticFiles

from datdai.apps.web.routing import error_response
from datdai.apps.web.ui import (
    citizens,
    dashboard,
    dossiers,
    findings,
    jobs,
    outbox,
    parcel_map,
    reports,
    reviews,
    session,
    survey,
)
from datdai.apps.web.ui.common import (
    STATIC_DIR,
    LoginRequired,
    PageForbidden,
    PageNotFound,
    render,
)
from datdai.kernel.errors import DatdaiError


def install_ui(app: FastAPI) -> None:
    """Add the pages (after the API routes), the static files and the pages' error handling."""
    from urllib.parse import quote


    for module in (session, dashboard, parcel_map, findings, reviews, dossiers, jobs, reports, citizens, survey, outbox):
        app.include_router(module.router)
    citizens.install_oidc(app)
    app.mount("/ui/static", StaticFiles(directory=str(STATIC_DIR)), name="ui-static")
    jobs.install_runner(app)

    async def login_required(request: Request, exc: LoginRequired):
        target = f"{exc.login_path}?next={quote(exc.next_path, safe='')}"
        if exc.expired:
            target += "&het_han=1"
        if request.method != "GET" or request.headers.get("x-requested-with") == "fetch":
            # a script's request or a form post: say so rather than answer with the login page
            from fastapi.responses import JSONResponse

            return JSONResponse(status_code=401, content={
                "detail": "Phiên đăng nhập đã hết hạn, vui lòng đăng nhập lại.", "login": target})
        return RedirectResponse(target, status_code=303)

    async def forbidden(request: Request, exc: PageForbidden):
        return render(request, "error.html", getattr(request.state, "principal", None), status_code=403, title="Không được phép",
                      message=exc.message)

    async def not_found(request: Request, exc: PageNotFound):
        return render(request, "error.html", getattr(request.state, "principal", None), status_code=404, title="Không tìm thấy",
                      message=exc.message)

    async def refused(request: Request, exc: DatdaiError):
        """A refusal no page caught (a scope the account lacks, a record gone): the error page
        with the refusal's status; under /api (routes without :class:`VnRoute`) the API's JSON."""
        if request.url.path.startswith("/api/"):
            return error_response(exc)
        titles = {403: "Không được phép", 404: "Không tìm thấy", 409: "Không thực hiện được",
                  503: "Tạm thời không phục vụ được"}
        return render(request, "error.html", getattr(request.state, "principal", None),
                      status_code=exc.http_status,
                      title=titles.get(exc.http_status, "Yêu cầu không hợp lệ"),
                      message=str(exc).split(" / ")[0])

    app.add_exception_handler(LoginRequired, login_required)
    app.add_exception_handler(DatdaiError, refused)
    app.add_exception_handler(PageForbidden, forbidden)
    app.add_exception_handler(PageNotFound, not_found)
