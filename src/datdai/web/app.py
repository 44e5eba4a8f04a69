"""The FastAPI application. Routers are added per area under /api/v1 (see spec/api.md)."""

from __future__ import annotations

from fastapi import APIRouter, FastAPI

from datdai import __version__
from datdai.store.store import Store
from datdai.web.api import (
    auth,
    calendar,
    dossiers,
    exchange_c06,
    exchange_partners,
    findings,
    health,
    parcels,
    reviews,
    stats,
)
from datdai.web.protection import install_protection

API_PREFIX = "/api/v1"


def api_router() -> APIRouter:
    router = APIRouter(prefix=API_PREFIX)
    router.include_router(health.router)
    router.include_router(calendar.router)
    router.include_router(auth.router)
    router.include_router(dossiers.router)
    router.include_router(stats.router)
    router.include_router(exchange_partners.router)
    router.include_router(parcels.router)
    router.include_router(exchange_c06.router)
    router.include_router(findings.router)
    router.include_router(reviews.router)
    return router


def create_app(store: Store) -> FastAPI:
    app = FastAPI(
        title="datdai — Cơ sở dữ liệu đất đai",
        description="API của datdai cho cán bộ văn phòng đăng ký đất đai và các hệ thống kết nối "
        "(C06, công chứng, thuế, nền tảng LGSP).",
        version=__version__,
    )
    app.state.store = store
    app.include_router(api_router())
    install_protection(app)  # security headers, limits, CSRF (web/protection.py)
    return app
