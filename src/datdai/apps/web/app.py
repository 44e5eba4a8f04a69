"""The FastAPI application. Routers are added per area under /api/v1 (see docs/api.md)."""

from __future__ import annotations

from fastapi import FastAPI

from datdai import __version__
from datdai.apps.web.api import (
    auth,
    calendar,
    dossiers,
    exchange_c06,
    exchange_partners,
    findings,
    health,
    ogc_features,
    parcels,
    reports,
    reviews,
    stats,
)
from datdai.apps.web.fast import install_fast_paths
from datdai.apps.web.hot_routes import install_hot_routes
from datdai.apps.web.openapi import install_security_docs
from datdai.apps.web.protection import install_protection
from datdai.apps.web.routing import install_error_handlers
from datdai.apps.web.schema_versions import install_schema_versions
from datdai.apps.web.ui import install_ui
from datdai.db.store import Store

API_PREFIX = "/api/v1"


# in the order routes are matched: the two load-benchmark routes first (each route tried costs µs)
AREAS = (parcels, exchange_c06, health, calendar, auth, dossiers, stats, exchange_partners, findings, reviews,
         reports, ogc_features)


def include_api(app: FastAPI) -> None:
    """Each area's router straight under /api/v1 on the app. (Not through one /api/v1 router: since
    FastAPI 0.16x included routers are walked, not flattened, on every request, and each level of
    nesting costs every request.)"""
    for area in AREAS:
        app.include_router(area.router, prefix=API_PREFIX)


def create_app(store: Store) -> FastAPI:
    app = FastAPI(
        title="datdai — Cơ sở dữ liệu đất đai",
        description="API của datdai cho cán bộ văn phòng đăng ký đất đai và các hệ thống kết nối "
        "(C06, công chứng, thuế, nền tảng LGSP). Hệ thống kết nối còn dùng lược đồ trao đổi cũ gửi tiêu đề "
        "`X-Schema-Version` (ví dụ `2.0`); phiên bản hiện hành là 3.0, phiên bản chưa được hỗ trợ bị từ chối "
        "với mã 400 kèm danh sách phiên bản hỗ trợ.",
        version=__version__,
    )
    app.state.store = store
    include_api(app)
    install_hot_routes(app, [parcels.HOT_ROUTE, exchange_c06.HOT_ROUTE])  # web/hot_routes.py
    install_security_docs(app)  # bearer / API-key schemes in /openapi.json (web/openapi.py)
    install_fast_paths(app)  # the hot routes' reader and access-log writer (web/fast.py)
    install_ui(app)  # the web app for staff under /ui, after the API routes (web/ui/)
    install_schema_versions(app)  # X-Schema-Version: partners on older schemas (web/schema_versions.py)
    install_protection(app)  # security headers, limits, CSRF (web/protection.py)
    install_error_handlers(app)  # Vietnamese 400/422 for routes outside VnRoute (web/routing.py)
    return app
