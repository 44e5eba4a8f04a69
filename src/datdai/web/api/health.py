"""GET /api/v1/health — liveness plus the store's backend and migration version."""

from __future__ import annotations

from fastapi import APIRouter, Request
from pydantic import BaseModel, Field
from sqlalchemy import text

router = APIRouter(tags=["hệ thống / system"])


class Health(BaseModel):
    status: str = Field(description="`ok` khi dịch vụ và cơ sở dữ liệu hoạt động")
    backend: str = Field(description="hệ quản trị cơ sở dữ liệu: `sqlite` hoặc `postgresql`")
    migration: str | None = Field(description="phiên bản lược đồ (Alembic) của cơ sở dữ liệu")


@router.get("/health", response_model=Health, summary="Tình trạng dịch vụ / service health")
async def health(request: Request) -> Health:
    store = request.app.state.store
    with store.engine.connect() as conn:
        revision = conn.execute(text("SELECT version_num FROM alembic_version")).scalar()
    return Health(status="ok", backend=store.backend, migration=revision)
