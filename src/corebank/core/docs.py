"""Swagger UI (/docs) and ReDoc (/redoc) served from the package: no CDN, no external font.

FastAPI's default pages load their scripts from a public CDN, so on a machine without internet
they are blank. This follows FastAPI's recipe for self-hosting the docs' assets: the app is
created with `docs_url=None, redoc_url=None` and this router serves the pages, with the
JavaScript, CSS and favicon shipped by the `fastapi-offline` package (Swagger UI's
swagger-ui-dist bundle and ReDoc's standalone bundle) mounted under `ASSETS_PATH`.

Each page is rendered once, when the router is built, and carries its own
Content-Security-Policy: `docs_csp()` (same origin only) plus the SHA-256 of the exact inline
`<script>` the page holds (Swagger UI's boot script, the OAuth2 redirect's handler), so no
`'unsafe-inline'` is needed for scripts. SecurityHeadersMiddleware keeps a policy a docs page
set and gives every other response the strict one.
"""

from __future__ import annotations

import base64
import hashlib
import importlib.resources
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from fastapi import APIRouter, FastAPI
from fastapi.openapi.docs import (
    get_redoc_html,
    get_swagger_ui_html,
    get_swagger_ui_oauth2_redirect_html,
)
from fastapi.staticfiles import StaticFiles
from starlette.responses import HTMLResponse, Response
from starlette.types import Scope

from corebank.core.middleware import docs_csp

DOCS_PATH = "/docs"
REDOC_PATH = "/redoc"
ASSETS_PATH = "/docs-assets"

#: The files the pages reference, as shipped in fastapi_offline/static/.
SWAGGER_JS = "swagger-ui-bundle.js"
SWAGGER_CSS = "swagger-ui.css"
REDOC_JS = "redoc.standalone.js"
FAVICON = "favicon.png"
ASSET_FILES = (SWAGGER_JS, SWAGGER_CSS, REDOC_JS, FAVICON)

_INLINE_SCRIPT = re.compile(r"<script>(.*?)</script>", re.DOTALL)


def assets_directory() -> Path:
    """fastapi-offline's static folder; fails at startup if a file the pages need is missing."""
    directory = Path(str(importlib.resources.files("fastapi_offline") / "static"))
    missing = [name for name in ASSET_FILES if not (directory / name).is_file()]
    if missing:
        raise RuntimeError(f"fastapi-offline ships no {', '.join(missing)} in {directory}")
    return directory


def script_hashes(html: str) -> list[str]:
    """The CSP source ('sha256-...') of every inline <script> in `html`, in order."""
    return [
        "'sha256-" + base64.b64encode(hashlib.sha256(body.encode()).digest()).decode() + "'"
        for body in _INLINE_SCRIPT.findall(html)
    ]


@dataclass(frozen=True)
class DocsPage:
    """One rendered page and the policy that lets exactly its inline scripts run."""

    html: bytes
    csp: str

    @classmethod
    def of(cls, response: HTMLResponse) -> DocsPage:
        html = bytes(response.body)
        return cls(html=html, csp=docs_csp(*script_hashes(html.decode())))

    def response(self) -> Response:
        return Response(
            self.html,
            media_type="text/html; charset=utf-8",
            headers={"Content-Security-Policy": self.csp},
        )


class DocsAssets(StaticFiles):
    """The assets, revalidated by ETag (a new fastapi-offline release keeps their names)."""

    async def get_response(self, path: str, scope: Scope) -> Response:
        response = await super().get_response(path, scope)
        response.headers["Cache-Control"] = "no-cache"
        return response


def docs_router(app: FastAPI) -> APIRouter:
    """/docs, /docs/oauth2-redirect, /redoc and their assets; nothing when the app has no schema.

    Reads the same settings FastAPI's own docs would: the title, `openapi_url` (None when
    docs are off), `swagger_ui_parameters`, `swagger_ui_init_oauth` and
    `swagger_ui_oauth2_redirect_url`.
    """
    router = APIRouter(include_in_schema=False)
    if app.openapi_url is None:
        return router
    assets = assets_directory()
    oauth2_redirect_url = app.swagger_ui_oauth2_redirect_url  # FastAPI's "/docs/oauth2-redirect"
    swagger = DocsPage.of(
        get_swagger_ui_html(
            openapi_url=app.openapi_url,
            title=f"{app.title} - Swagger UI",
            swagger_js_url=f"{ASSETS_PATH}/{SWAGGER_JS}",
            swagger_css_url=f"{ASSETS_PATH}/{SWAGGER_CSS}",
            swagger_favicon_url=f"{ASSETS_PATH}/{FAVICON}",
            oauth2_redirect_url=oauth2_redirect_url,
            init_oauth=app.swagger_ui_init_oauth,
            swagger_ui_parameters=app.swagger_ui_parameters,
        )
    )
    redoc = DocsPage.of(
        get_redoc_html(
            openapi_url=app.openapi_url,
            title=f"{app.title} - ReDoc",
            redoc_js_url=f"{ASSETS_PATH}/{REDOC_JS}",
            redoc_favicon_url=f"{ASSETS_PATH}/{FAVICON}",
            with_google_fonts=False,
        )
    )

    def serve(page: DocsPage) -> Any:
        async def endpoint() -> Response:
            return page.response()

        return endpoint

    router.add_api_route(DOCS_PATH, serve(swagger), methods=["GET"], name="swagger_ui")
    if oauth2_redirect_url:
        redirect = DocsPage.of(get_swagger_ui_oauth2_redirect_html())
        router.add_api_route(
            oauth2_redirect_url, serve(redirect), methods=["GET"], name="swagger_ui_redirect"
        )
    router.add_api_route(REDOC_PATH, serve(redoc), methods=["GET"], name="redoc")
    router.mount(ASSETS_PATH, DocsAssets(directory=assets), name="docs_assets")
    return router
