from fastapi.testclient import TestClient

from datdai.apps.web.app import create_app
from datdai.db.migrate import head_revision


def test_health_reports_backend_and_migration(store):
    with TestClient(create_app(store)) as client:
        r = client.get("/api/v1/health")
    assert r.status_code == 200
    assert r.json() == {"status": "ok", "backend": store.backend, "migration": head_revision()}


def test_openapi_documents_health(store):
    with TestClient(create_app(store)) as client:
        spec = client.get("/openapi.json").json()
    assert spec["openapi"].startswith("3.")
    props = spec["components"]["schemas"]["Health"]["properties"]
    assert all(props[f].get("description") for f in ("status", "backend", "migration"))
