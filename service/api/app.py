"""The FastAPI application factory (`cuishou serve` runs it)."""

from __future__ import annotations

import logging
import traceback
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

from fastapi import FastAPI, Request
from fastapi.responses import FileResponse, JSONResponse
from fastapi.staticfiles import StaticFiles

from service.settings import Settings, get_settings
from service.store import Store

WEB_DIR = Path(__file__).resolve().parent.parent / "web"
DESCRIPTION = """
催收合规卫士 cuishou-guard: find unlawful debt-collection conduct in Chinese messages and call transcripts,
and build evidence for a complaint.

* `POST /v1/analyze` — classify one message; `POST /v1/transcripts` — analyse a call transcript.
* `POST /v1/cases` — open a case (returns `id` and a secret `key`); later requests send `X-Case-Key`.
* `GET /v1/cases/{id}/report?format=json|md|html|pdf`, `/complaint`, `/police-report` — the documents.
"""
log = logging.getLogger("cuishou.api")


def _docs_assets() -> Path | None:
    """Swagger UI files shipped by `fastapi-offline`, so /docs needs no CDN (None when not installed)."""
    try:
        import fastapi_offline
    except ImportError:
        return None
    static = Path(fastapi_offline.__file__).parent / "static"
    return static if (static / "swagger-ui-bundle.js").is_file() else None


def _add_docs(app: FastAPI, assets: Path | None) -> None:
    from fastapi.openapi.docs import get_redoc_html, get_swagger_ui_html

    if assets is None:
        return
    app.mount("/static-docs", StaticFiles(directory=str(assets)), name="static-docs")

    @app.get("/docs", include_in_schema=False)
    def swagger_ui() -> Any:
        return get_swagger_ui_html(openapi_url="/openapi.json", title="cuishou-guard API",
                                   swagger_js_url="/static-docs/swagger-ui-bundle.js",
                                   swagger_css_url="/static-docs/swagger-ui.css",
                                   swagger_favicon_url="/static-docs/favicon.png")

    @app.get("/redoc", include_in_schema=False)
    def redoc() -> Any:
        return get_redoc_html(openapi_url="/openapi.json", title="cuishou-guard API",
                              redoc_js_url="/static-docs/redoc.standalone.js",
                              redoc_favicon_url="/static-docs/favicon.png", with_google_fonts=False)


def create_app(settings: Settings | None = None) -> FastAPI:
    """Build the app: routers, case store (tables created on first run), web page, limits and headers."""
    from service.api.middleware import BodySizeLimit, SecurityHeaders
    from service.api.routes import analyze, cases, transcripts

    settings = settings or get_settings()
    store = Store(settings.resolved_database_url)

    @asynccontextmanager
    async def lifespan(_app: FastAPI):  # noqa: ANN202 - FastAPI lifespan protocol
        yield
        store.dispose()

    assets = _docs_assets() if settings.docs_enabled else None
    builtin_docs = settings.docs_enabled and assets is None
    app = FastAPI(title="cuishou-guard 催收合规卫士", version="0.1.0", description=DESCRIPTION, lifespan=lifespan,
                  docs_url="/docs" if builtin_docs else None, redoc_url="/redoc" if builtin_docs else None)
    app.state.settings = settings
    app.state.store = store
    app.include_router(analyze.router)
    app.include_router(transcripts.router)
    app.include_router(cases.router)
    if settings.docs_enabled:
        _add_docs(app, assets)

    @app.get("/healthz", tags=["meta"])
    def healthz() -> dict[str, str]:
        """Liveness check."""
        return {"status": "ok"}

    @app.exception_handler(Exception)
    async def unhandled(request: Request, exc: Exception) -> JSONResponse:
        # The exception text may quote user input: log the type and the frames only, never the message.
        frames = "".join(traceback.format_tb(exc.__traceback__))
        log.error("unhandled %s on %s %s\n%s", type(exc).__name__, request.method, request.url.path, frames)
        return JSONResponse({"detail": "internal error"}, status_code=500)

    app.mount("/static", StaticFiles(directory=str(WEB_DIR)), name="static")

    @app.get("/", include_in_schema=False)
    def index() -> FileResponse:
        return FileResponse(WEB_DIR / "index.html", media_type="text/html; charset=utf-8")

    app.add_middleware(SecurityHeaders)
    app.add_middleware(BodySizeLimit, max_bytes=settings.max_upload_bytes)
    return app
