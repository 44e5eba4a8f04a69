"""What every router of the API shares: the route class that answers errors in one shape
(``{"detail": "<lý do>", "field": …}``, Vietnamese first), the error responses documented in the
OpenAPI, masking of personal numbers by role, and the request's store, calendar and today's date."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Any

from fastapi import FastAPI, HTTPException, Request, Response
from fastapi.encoders import jsonable_encoder
from fastapi.exception_handlers import http_exception_handler
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from fastapi.routing import APIRoute
from sqlalchemy.exc import DataError
from starlette.exceptions import HTTPException as StarletteHTTPException

from datdai.access.masking import mask_number
from datdai.apps.web.auth import Principal
from datdai.dossiers import lifecycle as lc
from datdai.dossiers.calendar import default_calendar
from datdai.kernel.errors import DatdaiError

ERROR_RESPONSES: dict[int | str, dict[str, Any]] = {
    401: {"description": "chưa đăng nhập hoặc thông tin xác thực không hợp lệ"},
    403: {"description": "vai trò hoặc phạm vi (xã) không được phép"},
    422: {"description": "dữ liệu không hợp lệ (`detail` nêu lý do, `field` nêu trường)"},
}

# FastAPI's answer to a body it cannot decode (bytes that are not UTF-8, a broken form)
_FASTAPI_PARSE_ERROR = "There was an error parsing the body"
BODY_PARSE_ERROR = ("nội dung gửi lên không đọc được: không phải JSON hoặc biểu mẫu hợp lệ, hoặc "
                    "không phải chữ UTF-8 / the request body cannot be parsed")
MALFORMED_JSON = "nội dung gửi lên không phải JSON hợp lệ / malformed JSON body"

MAX_ID = 2_147_483_647  # an INTEGER column: a larger id in a path or query is "not found"

_TYPE_TAGS = {"str", "int", "float", "bool", "none", "list", "dict", "json-or-python", "tagged-union"}


def _loc_text(loc: Iterable[Any]) -> str:
    parts = [str(p) for p in loc]
    if parts and parts[0] in ("body", "query", "path", "header"):
        parts = parts[1:]
    # Pydantic names the member of a union or the validator it tried: not a field
    parts = [p for p in parts if p not in _TYPE_TAGS and "[" not in p and not p.startswith("function-")]
    out = ""
    for p in parts:
        out += f"[{p}]" if p.isdigit() else (f".{p}" if out else p)
    return out


def validation_detail(errors: list[dict]) -> tuple[str, str | None]:
    """A Vietnamese one-line reason for FastAPI's validation errors, and the first field named."""
    if not errors:
        return "dữ liệu không hợp lệ / invalid request", None
    first = errors[0]
    if first.get("type") == "json_invalid":
        return MALFORMED_JSON, None
    field = _loc_text(first.get("loc", ())) or None
    reasons = []
    for e in errors[:5]:
        name = _loc_text(e.get("loc", ())) or "nội dung"
        if e.get("type") == "missing":
            reasons.append(f"trường '{name}': bắt buộc / required")
        else:
            reasons.append(f"trường '{name}': giá trị không hợp lệ / {e.get('msg', 'invalid')}")
    return "dữ liệu không hợp lệ: " + "; ".join(reasons), field


def validation_response(exc: RequestValidationError) -> JSONResponse:
    """422 ``{"detail": "<Vietnamese reason>", "field": …, "errors": […]}`` for a request that does
    not validate; 400 with the same shape for a body that is not JSON at all."""
    errors = list(exc.errors())
    detail, field = validation_detail(errors)
    content: dict[str, Any] = {"detail": detail}
    if field:
        content["field"] = field
    content["errors"] = jsonable_encoder(
        [{k: v for k, v in e.items() if k in ("type", "loc", "msg")} for e in errors])
    unparsable = bool(errors) and errors[0].get("type") == "json_invalid"
    return JSONResponse(status_code=400 if unparsable else 422, content=content)


def is_body_parse_error(exc: Exception) -> bool:
    return (isinstance(exc, StarletteHTTPException) and exc.status_code == 400
            and exc.detail == _FASTAPI_PARSE_ERROR)


def body_parse_response() -> JSONResponse:
    return JSONResponse(status_code=400, content={"detail": BODY_PARSE_ERROR})


def install_error_handlers(app: FastAPI) -> None:
    """The answers of :class:`VnRoute` for every route of the app (the routers that do not use it,
    the pages): Vietnamese validation errors, 400 for a body that cannot be parsed."""

    async def on_validation(request: Request, exc: RequestValidationError) -> JSONResponse:
        return validation_response(exc)

    async def on_http(request: Request, exc: StarletteHTTPException) -> Response:
        if is_body_parse_error(exc):
            return body_parse_response()
        return await http_exception_handler(request, exc)

    app.add_exception_handler(RequestValidationError, on_validation)
    app.add_exception_handler(StarletteHTTPException, on_http)


def error_response(exc: DatdaiError) -> JSONResponse:
    content: dict[str, Any] = {"detail": str(exc)}
    field = getattr(exc, "field", None)
    if field:
        content["field"] = field
    return JSONResponse(status_code=exc.http_status, content=content)


class VnRoute(APIRoute):
    """A route whose request-validation errors and service refusals become
    ``{"detail": "<Vietnamese reason>", "field": ...}`` with the right status (never a 500)."""

    def get_route_handler(self):
        original = super().get_route_handler()

        async def handler(request: Request) -> Response:
            try:
                return await original(request)
            except RequestValidationError as exc:
                return validation_response(exc)
            except HTTPException as exc:
                if is_body_parse_error(exc):
                    return body_parse_response()
                raise
            except DatdaiError as exc:
                return error_response(exc)
            except DataError:  # e.g. a number beyond the column's range (PostgreSQL); rolled back
                return JSONResponse(status_code=422, content={
                    "detail": "giá trị vượt quá giới hạn cho phép / a value is out of range"})

        return handler


def full_numbers(principal: Principal) -> bool:
    return principal.needs_full_personal_data()


def mask_personal(value: Any, principal: Principal) -> Any:
    """``value`` (JSON-like) with every ``personal_number`` masked unless the role needs it."""
    if full_numbers(principal):
        return value
    if isinstance(value, dict):
        return {k: (mask_number(v) if k == "personal_number" and isinstance(v, str) else mask_personal(v, principal))
                for k, v in value.items()}
    if isinstance(value, list):
        return [mask_personal(v, principal) for v in value]
    return value


def personal_numbers_in(value: Any) -> set[str]:
    """The personal numbers (``personal_number`` keys) anywhere in a JSON-like value."""
    out: set[str] = set()
    if isinstance(value, dict):
        for k, v in value.items():
            if k == "personal_number" and isinstance(v, str) and v:
                out.add(v)
            else:
                out |= personal_numbers_in(v)
    elif isinstance(value, list):
        for v in value:
            out |= personal_numbers_in(v)
    return out


def store_of(request: Request):
    return request.app.state.store


def calendar_of(request: Request):
    cal = getattr(request.app.state, "calendar", None)
    if cal is not None:
        return cal

    return default_calendar()


def today_vn() -> dt.date:
    return lc.local_date(dt.datetime.now(dt.UTC))


# ---------------------------------------------------------------- models
