"""GET /api/v1/health — liveness plus the store's backend and migration version.

It reads through the same raw reader as the hot routes (``db/fast_reads.py``), so "ok" also says that
path to the database works, and it is a fair baseline for the load benchmark."""

from __future__ import annotations

from fastapi import APIRouter, Request
from pydantic import BaseModel, Field
from sqlalchemy import column, select, table

from datdai.apps.web.fast import reader_of
from datdai.db.fast_reads import Read

router = APIRouter(tags=["hệ thống / system"])

REVISION_READ = Read(select(column("version_num")).select_from(table("alembic_version")))


class Health(BaseModel):
    status: str = Field(description="`ok` khi dịch vụ và cơ sở dữ liệu hoạt động")
    backend: str = Field(description="hệ quản trị cơ sở dữ liệu: `sqlite` hoặc `postgresql`")
    migration: str | None = Field(description="phiên bản lược đồ (Alembic) của cơ sở dữ liệu")


@router.get("/health", response_model=Health, summary="Tình trạng dịch vụ / service health")
async def health(request: Request) -> Health:
    async with reader_of(request.app).session() as db:
        rows = await db.fetch(REVISION_READ, {})
    return Health(status="ok", backend=request.app.state.store.engine.dialect.name,
                  migration=rows[0].version_num if rows else None)
