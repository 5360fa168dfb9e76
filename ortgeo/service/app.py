"""The application factory: FastAPI app with the API, the page, limits and headers.

Middleware, outermost first: security headers → CORS (only when origins are given) →
per-client rate limit → body size limit → the checks' fast path
(:class:`ortgeo.service.api.CheckFastPath`) → routes.
"""

from __future__ import annotations

import asyncio

from fastapi import FastAPI
from fastapi.middleware.cors import CORSMiddleware

import ortgeo
from ortgeo.maps.tiles import resolve_basemap
from ortgeo.service import api, ban, page
from ortgeo.service.config import ServiceConfig
from ortgeo.service.errors import install_error_handlers
from ortgeo.service.limits import BodySizeMiddleware, RateLimitMiddleware, Worker
from ortgeo.service.lookup import Lookup
from ortgeo.service.security import SecurityHeadersMiddleware

__all__ = ["app_from_env", "create_app"]

_DESCRIPTION = """Is this address in a sector of the ORT (Opération de revitalisation de
territoire) of Lens, or of the OPAH-RU, on this date — how sure, and why? The answers are
**indicative readings** of the perimeters loaded (the bundled ones are `indicatif`): only
the plan annexed to the legal act is authoritative, and "inside" never means "eligible".
Limits: per-client rate (HTTP 429 + `Retry-After`), query length, upload size and rows."""


def create_app(config: ServiceConfig | None = None) -> FastAPI:
    """The ortgeo web service (an ASGI app: serve it with uvicorn, see ``ortgeo serve``).

    Parameters
    ----------
    config : ServiceConfig, optional
        Data sources and limits (default: :class:`ServiceConfig` defaults).

    Examples
    --------
    >>> from fastapi.testclient import TestClient
    >>> app = create_app(ServiceConfig(geocoder="api", ban_url="http://127.0.0.1:9"))
    >>> r = TestClient(app).get("/api/v1/check", params={"lon": 2.833889, "lat": 50.429167,
    ...                                                   "date": "2024-06-01"})
    >>> r.status_code, r.json()["status"]
    (200, 'dedans')
    """
    config = config or ServiceConfig()
    app = FastAPI(
        title="ortgeo — ORT de Lens", version=ortgeo.__version__, description=_DESCRIPTION,
        docs_url=None, redoc_url=None, openapi_url="/openapi.json",
    )  # fmt: skip
    app.state.lookup = Lookup(config)
    app.state.worker = Worker(config.workers_threads)
    app.state.templates = page.templates()
    app.state.assets = page.load_assets()
    app.state.map_settings = page.map_settings(app.state.lookup.catalog, config.basemap)
    app.state.hatches = page.hatches(app.state.lookup.catalog)
    app.state.batch_slots = asyncio.Semaphore(1)
    install_error_handlers(app)
    app.include_router(api.router)
    app.include_router(ban.router)
    app.include_router(page.router)
    # add_middleware puts each new one outside the previous ones
    app.add_middleware(api.CheckFastPath)
    app.add_middleware(BodySizeMiddleware, max_bytes=config.max_upload_bytes + 64_000)
    if config.rate_limit:
        app.add_middleware(RateLimitMiddleware, rate=config.rate_limit,
                           storage=config.rate_limit_storage, exempt=("/static/",))  # fmt: skip
    if config.cors_origins:
        origins = list(config.cors_origins)
        app.add_middleware(CORSMiddleware, allow_origins=origins, allow_methods=["GET", "POST"],
                           allow_headers=["Content-Type"])  # fmt: skip
    tiles = resolve_basemap(config.basemap).origins if config.basemap else ()
    app.add_middleware(SecurityHeadersMiddleware, img_origins=tiles)
    return app


def app_from_env() -> FastAPI:
    """The app built from ``$ORTGEO_SERVICE_CONFIG`` (what each uvicorn worker runs)."""
    return create_app(ServiceConfig.from_env())
