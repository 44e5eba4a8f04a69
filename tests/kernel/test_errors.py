"""One family of errors a user can act on, answered the same way over HTTP and on the CLI."""

from __future__ import annotations

import importlib
import inspect
import pkgutil

import pytest
from fastapi import APIRouter, FastAPI
from fastapi.testclient import TestClient

import datdai
from datdai.apps.web.routing import VnRoute
from datdai.kernel.errors import (
    Conflict,
    DatdaiError,
    Forbidden,
    InvalidInput,
    NotFound,
    Unavailable,
)

# exceptions that steer the web pages (redirect to the login, an error page), not refusals
FLOW_CONTROL = {"LoginRequired", "PageForbidden", "PageNotFound"}
OPTIONAL = ("pyspark", "weasyprint", "playwright")


def _datdai_exceptions() -> list[type]:
    found = []
    for info in pkgutil.walk_packages(datdai.__path__, "datdai."):
        if info.name == "datdai.__main__" or ".migrations" in info.name:
            continue  # the command line, run when imported; Alembic's scripts, run by Alembic
        try:
            module = importlib.import_module(info.name)
        except ImportError as exc:  # a module of an optional engine whose library is absent
            if any(lib in str(exc) for lib in OPTIONAL):
                continue
            raise
        for _, obj in inspect.getmembers(module, inspect.isclass):
            if issubclass(obj, BaseException) and obj.__module__ == info.name:
                found.append(obj)
    return found


def test_every_error_of_the_product_is_one_of_the_family():
    strays = [f"{e.__module__}.{e.__name__}" for e in _datdai_exceptions()
              if not issubclass(e, DatdaiError) and e.__name__ not in FLOW_CONTROL
              and not e.__name__.startswith("_")]  # a module's own signal, never leaves it
    assert strays == []


@pytest.mark.parametrize(("error", "status"), [
    (InvalidInput("sai / wrong"), 422), (NotFound("không có / none"), 404),
    (Forbidden("không được / not allowed"), 403), (Conflict("đã đổi / changed"), 409),
    (Unavailable("không kết nối được / down"), 503), (DatdaiError("không làm được / cannot"), 400)])
def test_each_kind_is_answered_with_its_status_and_message(error, status):
    router = APIRouter(route_class=VnRoute)

    @router.get("/x")
    def refuse():
        raise error

    app = FastAPI()
    app.include_router(router)
    response = TestClient(app).get("/x")
    assert response.status_code == status
    assert response.json()["detail"] == str(error)


def test_a_refusal_names_its_field():
    router = APIRouter(route_class=VnRoute)

    @router.get("/x")
    def refuse():
        err = InvalidInput("thiếu lý do / a reason is required")
        err.field = "reason"
        raise err

    app = FastAPI()
    app.include_router(router)
    body = TestClient(app).get("/x").json()
    assert body == {"detail": "thiếu lý do / a reason is required", "field": "reason"}


def test_every_kind_exits_2_on_the_command_line():
    assert {k.exit_code for k in (DatdaiError, InvalidInput, NotFound, Forbidden, Conflict,
                                  Unavailable)} == {2}
