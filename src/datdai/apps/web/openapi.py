"""The OpenAPI document's security: the bearer-token and API-key schemes, and on every operation
whose dependencies require credentials (``web/auth.py`` marks them ``requires_credentials``) the
requirement "bearer or API key" — what FastAPI writes for ``Security`` dependencies, without
running two extra dependencies on every request.

And the error answers every operation may give, in the one shape of ``web/routing.py``
(``{"detail": "<lý do>", "field": …}``): 400 (a body that cannot be parsed), 413 (a body over the
limit), 422 (invalid input: FastAPI's own list-shaped schema replaced by ours) and 429 (too many
requests or failed logins, with ``Retry-After``), the last from ``web/protection.py``."""

from __future__ import annotations

from fastapi import FastAPI
from fastapi.encoders import jsonable_encoder
from fastapi.routing import APIRoute, iter_route_contexts

from datdai.apps.web.auth import api_key_scheme, bearer_scheme

SCHEMES = (bearer_scheme, api_key_scheme)

ERROR_SCHEMA_NAME = "Loi"
ERROR_SCHEMA = {
    "title": "Lỗi / error", "type": "object", "required": ["detail"],
    "properties": {
        "detail": {"type": "string", "description": "lý do, tiếng Việt trước / the reason"},
        "field": {"type": "string", "description": "trường có lỗi, khi có / the field at fault"},
        "errors": {"type": "array", "items": {"type": "object"},
                   "description": "các lỗi kiểm tra dữ liệu (loại, vị trí, thông báo)"},
    },
}
_ERROR_CONTENT = {"application/json": {"schema": {"$ref": f"#/components/schemas/{ERROR_SCHEMA_NAME}"}}}
BODY_ERRORS = {
    "400": "nội dung gửi lên không đọc được (không phải JSON, biểu mẫu hợp lệ hay chữ UTF-8)",
    "413": "nội dung gửi lên vượt quá giới hạn kích thước (`DATDAI_MAX_BODY_BYTES`)",
}
COMMON_ERRORS = {
    "422": "dữ liệu không hợp lệ (`detail` nêu lý do, `field` nêu trường)",
    "429": "quá nhiều yêu cầu hoặc đăng nhập sai quá nhiều lần; thử lại sau số giây của tiêu đề "
           "`Retry-After`",
}
_METHODS = ("get", "put", "post", "delete", "patch", "head", "options")


def document_errors(schema: dict) -> None:
    """Every operation: 422 and 429 in our error shape; with a request body, 400 and 413 too."""
    components = schema.setdefault("components", {})
    components.setdefault("schemas", {})[ERROR_SCHEMA_NAME] = ERROR_SCHEMA
    for item in schema.get("paths", {}).values():
        for method in _METHODS:
            operation = item.get(method)
            if operation is None:
                continue
            responses = operation.setdefault("responses", {})
            wanted = dict(COMMON_ERRORS)
            if "requestBody" in operation:
                wanted.update(BODY_ERRORS)
            for code, description in wanted.items():
                given = responses.get(code, {})
                responses[code] = {"description": given.get("description") or description,
                                   "content": _ERROR_CONTENT}
    # FastAPI's validation-error models, no longer referenced
    for name in ("HTTPValidationError", "ValidationError"):
        components.get("schemas", {}).pop(name, None)


def _requires_credentials(dependant) -> bool:
    return any(getattr(d.call, "requires_credentials", False) or _requires_credentials(d)
               for d in dependant.dependencies)


def install_security_docs(app: FastAPI) -> None:
    def openapi() -> dict:
        if app.openapi_schema is not None:
            return app.openapi_schema
        schema = FastAPI.openapi(app)
        schemes = schema.setdefault("components", {}).setdefault("securitySchemes", {})
        for scheme in SCHEMES:
            schemes[scheme.scheme_name] = jsonable_encoder(scheme.model, by_alias=True, exclude_none=True)
        requirement = [{scheme.scheme_name: []} for scheme in SCHEMES]
        for route in iter_route_contexts(app.routes):  # FastAPI ≥ 0.16x: included routers are not flattened
            if isinstance(route.original_route, APIRoute) and route.include_in_schema \
                    and _requires_credentials(route.dependant):
                for method in route.methods:
                    operation = schema["paths"].get(route.path_format, {}).get(method.lower())
                    if operation is not None:
                        operation["security"] = requirement
        document_errors(schema)
        app.openapi_schema = schema
        return schema

    app.openapi = openapi
