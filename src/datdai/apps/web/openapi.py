"""The OpenAPI document's security: the bearer-token and API-key schemes, and on every operation
whose dependencies require credentials (``web/auth.py`` marks them ``requires_credentials``) the
requirement "bearer or API key" — what FastAPI writes for ``Security`` dependencies, without
running two extra dependencies on every request."""

from __future__ import annotations

from fastapi import FastAPI
from fastapi.encoders import jsonable_encoder
from fastapi.routing import APIRoute, iter_route_contexts

from datdai.apps.web.auth import api_key_scheme, bearer_scheme

SCHEMES = (bearer_scheme, api_key_scheme)


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
        return schema

    app.openapi = openapi
