"""Settings of the web service: data sources, limits, rate limiting, CORS.

One frozen :class:`ServiceConfig` holds everything a request may depend on. ``ortgeo
serve`` passes it to each uvicorn worker as JSON in ``$ORTGEO_SERVICE_CONFIG`` (workers
are separate processes), so every worker builds the same application.
"""

from __future__ import annotations

import dataclasses
import json
import os
from typing import Any

from ortgeo.errors import InputFileError

__all__ = ["CONFIG_ENV", "GEOCODER_KINDS", "ServiceConfig"]

#: Environment variable carrying the JSON configuration to the uvicorn workers.
CONFIG_ENV = "ORTGEO_SERVICE_CONFIG"
GEOCODER_KINDS = ("auto", "local", "api")


@dataclasses.dataclass(frozen=True)
class ServiceConfig:
    """Settings of :func:`ortgeo.service.create_app` (all have safe defaults).

    Attributes
    ----------
    catalog_path : str or None
        A catalogue TOML file of your own (default: the bundled, indicative one).
    ban_index : str or None
        Offline BAN index (default ``$ORTGEO_BAN_INDEX`` or the cache folder's).
    geocoder : {"auto", "local", "api"}
        ``auto``: the offline index when one is found, else the BAN API.
    ban_url : str or None
        BAN API root (default ``$ORTGEO_BAN_URL`` or the Géoplateforme).
    rate_limit : str
        Requests allowed per client, in the ``limits`` notation (``"50/second"``, like
        the BAN API); ``""`` turns rate limiting off.
    rate_limit_storage : str
        ``memory://`` (one count per worker) or ``redis://host:port`` (shared).
    max_query_chars : int
        Longest address or suggestion text accepted.
    max_upload_bytes : int
        Largest CSV accepted by the batch endpoint.
    max_rows : int
        Most addresses in one batch.
    request_timeout_s, batch_timeout_s : float
        Time limits of a check (or suggestion) and of a batch, queueing included.
    geocoder_timeout_s : float
        Time limit of one request to the BAN API.
    workers_threads : int
        Threads per worker for the work that may wait (address checks on the BAN API,
        suggestions, batches); point checks and offline-index address checks run on the
        event loop.
    cache_bytes : int
        Memory for the answers kept per worker (JSON bodies and their keys; 0: none);
        the perimeters never change while the service runs, so the same question gets the
        same answer. The default, 4 MB, holds about 400 answers for Lens (~10 kB each),
        under 2 % of a worker's memory.
    cors_origins : tuple of str
        Origins allowed to call the API from a browser (default none: CORS off).
    basemap : str or None
        Background of the page's map: a provider of the xyzservices registry
        (``OpenStreetMap.Mapnik``, ``GeoportailFrance.plan``) or an XYZ URL template;
        the CSP then allows images from its origins. ``None`` (default): no background,
        zero external requests.

    Examples
    --------
    >>> cfg = ServiceConfig(max_rows=100)
    >>> ServiceConfig.from_json(cfg.to_json()) == cfg
    True
    """

    catalog_path: str | None = None
    ban_index: str | None = None
    geocoder: str = "auto"
    ban_url: str | None = None
    rate_limit: str = "50/second"
    rate_limit_storage: str = "memory://"
    max_query_chars: int = 200
    max_upload_bytes: int = 2_000_000
    max_rows: int = 5_000
    request_timeout_s: float = 10.0
    batch_timeout_s: float = 120.0
    geocoder_timeout_s: float = 5.0
    workers_threads: int = 4
    cache_bytes: int = 4_000_000
    cors_origins: tuple[str, ...] = ()
    basemap: str | None = None

    def __post_init__(self) -> None:
        if self.geocoder not in GEOCODER_KINDS:
            raise InputFileError(
                f"Unknown geocoder kind {self.geocoder!r}: use one of {', '.join(GEOCODER_KINDS)}."
            )
        for name in ("max_query_chars", "max_upload_bytes", "max_rows", "workers_threads"):
            if getattr(self, name) < 1:
                raise InputFileError(f"{name} must be at least 1, not {getattr(self, name)}.")
        if self.cache_bytes < 0:
            raise InputFileError(f"cache_bytes must be 0 or more, not {self.cache_bytes}.")
        for name in ("request_timeout_s", "batch_timeout_s", "geocoder_timeout_s"):
            if not getattr(self, name) > 0:
                raise InputFileError(f"{name} must be a positive number of seconds.")
        object.__setattr__(self, "cors_origins", tuple(self.cors_origins))

    def to_json(self) -> str:
        """The settings as JSON (for ``$ORTGEO_SERVICE_CONFIG``)."""
        return json.dumps(dataclasses.asdict(self))

    @classmethod
    def from_json(cls, text: str) -> ServiceConfig:
        """Settings from :meth:`to_json` output (unknown keys are refused)."""
        data: dict[str, Any] = json.loads(text)
        names = {f.name for f in dataclasses.fields(cls)}
        unknown = sorted(set(data) - names)
        if unknown:
            raise InputFileError(
                f"Unknown service setting(s) {unknown}: known are {sorted(names)}."
            )
        return cls(**data)

    @classmethod
    def from_env(cls) -> ServiceConfig:
        """Settings from ``$ORTGEO_SERVICE_CONFIG`` (the defaults when it is unset)."""
        text = os.environ.get(CONFIG_ENV)
        return cls.from_json(text) if text else cls()
