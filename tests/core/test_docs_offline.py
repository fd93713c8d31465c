"""/docs and /redoc need nothing but the service: assets from the package, a same-origin CSP.

tests/core/test_docs_browser.py renders both pages in Chromium with every other host blocked.
"""

from __future__ import annotations

import base64
import hashlib
import re
from html.parser import HTMLParser
from typing import Any

import httpx
import pytest
from fastapi import FastAPI

from corebank.core.db import Database
from corebank.core.docs import ASSET_FILES, ASSETS_PATH, docs_router
from corebank.core.middleware import SecurityHeadersMiddleware
from corebank.main import create_app

PAGES = ("/docs", "/redoc", "/docs/oauth2-redirect")
DOCS_DIRECTIVES = {
    "default-src",
    "script-src",
    "style-src",
    "img-src",
    "font-src",
    "connect-src",
    "worker-src",
    "object-src",
    "form-action",
    "frame-ancestors",
    "base-uri",
}
CONTENT_TYPES = {".js": "javascript", ".css": "text/css", ".png": "image/png"}


class _Page(HTMLParser):
    """Every src/href of a page and the text of its inline scripts."""

    def __init__(self, html: str) -> None:
        super().__init__(convert_charrefs=False)
        self.urls: list[str] = []
        self.inline_scripts: list[str] = []
        self._in_inline_script = False
        self.feed(html)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        found = {name: value for name, value in attrs if name in {"src", "href"} and value}
        self.urls.extend(v for v in found.values() if v is not None)
        if tag == "script" and "src" not in found:
            self._in_inline_script = True
            self.inline_scripts.append("")

    def handle_endtag(self, tag: str) -> None:
        if tag == "script":
            self._in_inline_script = False

    def handle_data(self, data: str) -> None:
        if self._in_inline_script:
            self.inline_scripts[-1] += data


def _sha256_source(script: str) -> str:
    return "'sha256-" + base64.b64encode(hashlib.sha256(script.encode()).digest()).decode() + "'"


def _directives(csp: str) -> dict[str, list[str]]:
    parts = (part.split() for part in csp.split(";") if part.strip())
    return {name: values for name, *values in parts}


def _same_origin(url: str) -> bool:
    return url.startswith("/") and not url.startswith("//")


async def test_pages_reference_only_their_own_assets(client: httpx.AsyncClient) -> None:
    assets: set[str] = set()
    for path in PAGES:
        response = await client.get(path)
        assert response.status_code == 200, path
        assert response.headers["content-type"].startswith("text/html")
        page = _Page(response.text)
        assert all(_same_origin(url) for url in page.urls), (path, page.urls)
        assert not re.search(r"cdn\.|jsdelivr|unpkg|googleapis|gstatic|tiangolo", response.text)
        assets.update(url for url in page.urls if url.startswith(f"{ASSETS_PATH}/"))
    assert assets == {f"{ASSETS_PATH}/{name}" for name in ASSET_FILES}


async def test_every_asset_is_served_with_its_type(client: httpx.AsyncClient) -> None:
    for name in ASSET_FILES:
        response = await client.get(f"{ASSETS_PATH}/{name}")
        assert response.status_code == 200, name
        assert CONTENT_TYPES[name[name.rindex(".") :]] in response.headers["content-type"], name
        assert response.headers["x-content-type-options"] == "nosniff"
        assert len(response.content) > 1000, name
    swagger = await client.get(f"{ASSETS_PATH}/swagger-ui-bundle.js")
    assert "SwaggerUIBundle" in swagger.text
    assert "Redoc" in (await client.get(f"{ASSETS_PATH}/redoc.standalone.js")).text
    missing = await client.get(f"{ASSETS_PATH}/nothing.js")
    assert missing.status_code == 404
    escape = await client.get(f"{ASSETS_PATH}/%2e%2e/__init__.py")
    assert escape.status_code == 404


async def test_assets_are_revalidated_not_refetched(client: httpx.AsyncClient) -> None:
    first = await client.get(f"{ASSETS_PATH}/swagger-ui.css")
    assert first.headers["cache-control"] == "no-cache"
    again = await client.get(
        f"{ASSETS_PATH}/swagger-ui.css", headers={"If-None-Match": first.headers["etag"]}
    )
    assert again.status_code == 304
    assert again.content == b""


async def test_docs_policy_allows_the_service_only(client: httpx.AsyncClient) -> None:
    for path in PAGES:
        response = await client.get(path)
        csp = response.headers["content-security-policy"]
        assert not re.search(r"https?:|\*|//", csp), (path, csp)
        directives = _directives(csp)
        assert set(directives) == DOCS_DIRECTIVES, (path, csp)
        assert "'unsafe-eval'" not in csp
        assert [name for name, v in directives.items() if "'unsafe-inline'" in v] == ["style-src"]
        assert directives["default-src"] == ["'self'"]
        assert directives["connect-src"] == ["'self'"]
        assert directives["img-src"] == ["'self'", "data:"]
        assert directives["font-src"] == ["'self'", "data:"]
        assert directives["worker-src"] == ["'self'", "blob:"]
        assert directives["frame-ancestors"] == ["'none'"]
        # Exactly the page's own inline scripts may run, by hash: no 'unsafe-inline'/'eval'.
        hashes = [_sha256_source(script) for script in _Page(response.text).inline_scripts]
        assert directives["script-src"] == ["'self'", *hashes], path
    swagger = _Page((await client.get("/docs")).text)
    assert len(swagger.inline_scripts) == 1
    assert "SwaggerUIBundle(" in swagger.inline_scripts[0]
    assert _Page((await client.get("/redoc")).text).inline_scripts == []


async def test_the_api_keeps_the_strict_policy(client: httpx.AsyncClient) -> None:
    for path in ("/api/v1/openapi.json", "/health", "/", "/nope"):
        response = await client.get(path)
        assert response.headers["content-security-policy"] == SecurityHeadersMiddleware.STRICT_CSP


async def test_swagger_keeps_oauth2_password_login(client: httpx.AsyncClient) -> None:
    page = (await client.get("/docs")).text
    assert "url: '/api/v1/openapi.json'" in page
    assert "oauth2RedirectUrl: window.location.origin + '/docs/oauth2-redirect'" in page
    schema = (await client.get("/api/v1/openapi.json")).json()
    flows = schema["components"]["securitySchemes"]["OAuth2PasswordBearer"]["flows"]
    assert flows["password"]["tokenUrl"] == "/api/v1/auth/login"
    assert not any(path.startswith(("/docs", "/redoc")) for path in schema["paths"])


async def test_docs_switched_off_serve_nothing(settings: Any, db: Database) -> None:
    app = create_app(settings.model_copy(update={"docs_enabled": False}), database=db)
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as c:
        for path in (*PAGES, "/api/v1/openapi.json", f"{ASSETS_PATH}/swagger-ui-bundle.js"):
            assert (await c.get(path)).status_code == 404, path


@pytest.mark.parametrize("with_options", [False, True])
async def test_the_router_follows_the_apps_swagger_settings(with_options: bool) -> None:
    """swagger_ui_parameters and init_oauth given to FastAPI(...) reach the page and its hash."""
    options: dict[str, Any] = {
        "swagger_ui_parameters": {"docExpansion": "none", "persistAuthorization": True},
        "swagger_ui_init_oauth": {"clientId": "docs"},
    }
    settings = options if with_options else {}
    app = FastAPI(
        title="probe", openapi_url="/spec.json", docs_url=None, redoc_url=None, **settings
    )
    app.include_router(docs_router(app))
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as c:
        response = await c.get("/docs")
    script = _Page(response.text).inline_scripts[0]
    assert "url: '/spec.json'" in script
    assert ('"docExpansion": "none"' in script) is with_options
    assert ('ui.initOAuth({"clientId": "docs"})' in script) is with_options
    assert _sha256_source(script) in response.headers["content-security-policy"]
    assert "<title>probe - Swagger UI</title>" in response.text
