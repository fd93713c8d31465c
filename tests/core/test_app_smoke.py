"""The service answers its root, docs and liveness."""

import httpx


async def test_root_links_to_docs(client: httpx.AsyncClient) -> None:
    response = await client.get("/")
    assert response.status_code == 200
    body = response.json()
    assert body["name"] == "corebank"
    assert body["docs"] == "/docs"
    assert body["openapi"] == "/api/v1/openapi.json"


async def test_openapi_and_docs_are_served(client: httpx.AsyncClient) -> None:
    schema = await client.get("/api/v1/openapi.json")
    assert schema.status_code == 200
    assert schema.json()["info"]["title"] == "corebank"
    for path in ("/docs", "/redoc"):
        page = await client.get(path)
        assert page.status_code == 200
        assert "text/html" in page.headers["content-type"]


async def test_liveness_touches_nothing(client: httpx.AsyncClient) -> None:
    response = await client.get("/health")
    assert response.status_code == 200
    assert response.json()["status"] == "ok"


def test_the_startup_heap_is_frozen_once_per_process() -> None:
    """Startup objects leave the collector's sight (full collections stop costing ~100 ms)."""
    import gc

    from corebank import main

    main.freeze_startup_heap()
    frozen = gc.get_freeze_count()
    assert frozen > 0
    main.freeze_startup_heap()  # a second app in the same process freezes nothing more
    assert gc.get_freeze_count() == frozen
