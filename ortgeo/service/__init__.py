"""``ortgeo serve``: a lookup page and a JSON API on a standard ASGI stack (FastAPI, uvicorn).

The package is split by job: :mod:`~ortgeo.service.config` (settings),
:mod:`~ortgeo.service.lookup` (the questions asked of the library),
:mod:`~ortgeo.service.api` (``/api/v1``), :mod:`~ortgeo.service.page` (the French page and
the printable fiche, jinja2 templates), :mod:`~ortgeo.service.limits` (rate, size, time),
:mod:`~ortgeo.service.security` (headers), :mod:`~ortgeo.service.errors` (JSON refusals)
and :mod:`~ortgeo.service.app` (the factory).
"""

from ortgeo.service.app import app_from_env, create_app
from ortgeo.service.config import ServiceConfig

__all__ = ["ServiceConfig", "app_from_env", "create_app"]
