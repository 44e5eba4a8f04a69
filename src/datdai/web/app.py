"""The FastAPI application. Routers are added per area under /api/v1 (see spec/api.md)."""

from __future__ import annotations

from fastapi import APIRouter, FastAPI

from datdai import __version__
from datdai.store.store import Store
from datdai.web.api import auth, calendar, dossiers, exchange_partners, health, stats

API_PREFIX = "/api/v1"


def api_router() -> APIRouter:
    router = APIRouter(prefix=API_PREFIX)
    router.include_router(health.router)
    router.include_router(calendar.router)
    router.include_router(auth.router)
    router.include_router(dossiers.router)
    router.include_router(stats.router)
    router.include_router(exchange_partners.router)
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
    return app
