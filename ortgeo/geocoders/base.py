"""The geocoding result type, the abstract geocoder and shared HTTP helpers.

Every provider (the BAN web API, the offline BAN index) returns the same
:class:`GeocodeResult`, so that callers never depend on where an answer came from.
"""

from __future__ import annotations

import abc
import dataclasses
import email.utils
import math
import threading
import time
from collections.abc import Callable, Iterable, Iterator, Sequence
from typing import Any, TypeVar

import numpy as np
import requests

from ortgeo.crs import to_l93_xy
from ortgeo.errors import (
    GeocoderQuotaExceeded,
    GeocoderServiceError,
    GeocoderUnavailable,
    InputFileError,
)

__all__ = [
    "MATCH_TYPES",
    "PROVIDERS",
    "STATUSES",
    "GeocodeResult",
    "Geocoder",
    "RetryPolicy",
    "TokenBucket",
    "as_float",
    "error_result",
    "format_label",
    "per_query",
    "progress_iter",
    "send_with_retries",
]

STATUSES = ("ok", "not-found", "error")
MATCH_TYPES = ("housenumber", "street", "locality", "municipality")
PROVIDERS = ("ban-api", "ban-local")

T = TypeVar("T")


@dataclasses.dataclass(frozen=True)
class GeocodeResult:
    """The answer of a geocoder to one query (same type for every provider).

    Attributes
    ----------
    query : str
        The text that was geocoded.
    status : {"ok", "not-found", "error"}
        ``"error"`` when the service failed for this query (see ``error``).
    label : str or None
        Full label of the match, e.g. ``"17 Rue de la Gare 62300 Lens"``.
    score : float
        Match quality in [0, 1] (0 when not found). Scores rank the candidates of one
        query; they are not comparable across providers.
    score_next : float or None
        The runner-up's score, to spot ambiguous answers.
    match_type : {"housenumber", "street", "locality", "municipality"} or None
        What was matched. ``"street"`` for a query with a number means the number was
        not found and the point is the street's representative point (see ``note``).
    housenumber, street, postcode, citycode, city, id : str or None
        Parts of the match; ``housenumber`` includes its suffix (``"17bis"``).
    lon, lat : float or None
        WGS84 position.
    x, y : float or None
        Lambert-93 position (EPSG:2154).
    provider : {"ban-api", "ban-local"}
    candidates : tuple of GeocodeResult
        Up to 5 alternatives, best first (may be empty).
    error : str or None
        The error message when ``status == "error"``.
    note : str or None
        A remark on the match (number not found, suffix ignored...).

    Examples
    --------
    >>> r = GeocodeResult("rue X", "not-found", provider="ban-local")
    >>> r.ok, r.to_dict()["status"], r.to_dict()["candidates"]
    (False, 'not-found', [])
    """

    query: str
    status: str
    label: str | None = None
    score: float = 0.0
    score_next: float | None = None
    match_type: str | None = None
    housenumber: str | None = None
    street: str | None = None
    postcode: str | None = None
    citycode: str | None = None
    city: str | None = None
    id: str | None = None
    lon: float | None = None
    lat: float | None = None
    x: float | None = None
    y: float | None = None
    provider: str = "ban-api"
    candidates: tuple[GeocodeResult, ...] = ()
    error: str | None = None
    note: str | None = None

    def __post_init__(self) -> None:
        if self.status not in STATUSES:
            raise ValueError(f"status must be one of {STATUSES}, not {self.status!r}")
        if self.match_type is not None and self.match_type not in MATCH_TYPES:
            raise ValueError(f"match_type must be one of {MATCH_TYPES}, not {self.match_type!r}")
        if self.x is None and self.lon is not None and self.lat is not None:
            x, y = to_l93_xy(np.array([self.lon]), np.array([self.lat]))
            object.__setattr__(self, "x", round(float(x[0]), 2))
            object.__setattr__(self, "y", round(float(y[0]), 2))

    @property
    def ok(self) -> bool:
        """Whether a position was found."""
        return self.status == "ok"

    def to_dict(self, candidates: bool = True) -> dict[str, Any]:
        """JSON-ready dict (``candidates`` as a list of dicts without their own candidates)."""
        out = {f.name: getattr(self, f.name) for f in dataclasses.fields(self)}
        out["candidates"] = (
            [c.to_dict(candidates=False) for c in self.candidates] if candidates else []
        )
        return out

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> GeocodeResult:
        """Rebuild a result from :meth:`to_dict` output (used by the cache)."""
        names = {f.name for f in dataclasses.fields(cls)}
        kwargs = {k: v for k, v in data.items() if k in names}
        kwargs["candidates"] = tuple(cls.from_dict(c) for c in data.get("candidates") or ())
        return cls(**kwargs)

    def replace(self, **changes: Any) -> GeocodeResult:
        """A copy with some fields changed."""
        return dataclasses.replace(self, **changes)


def error_result(query: str, provider: str, message: str) -> GeocodeResult:
    """A ``status="error"`` result carrying ``message``."""
    return GeocodeResult(query=query, status="error", provider=provider, error=message)


def per_query(value: Any, n: int, name: str) -> list[Any]:
    """Expand a scalar or a per-query sequence to a list of ``n`` values.

    Examples
    --------
    >>> per_query("62498", 2, "citycode"), per_query(["a", None], 2, "citycode")
    (['62498', '62498'], ['a', None])
    """
    if value is None or isinstance(value, str | int):
        return [None if value is None else str(value)] * n
    values = list(value)
    if len(values) != n:
        raise InputFileError(
            f"{name} has {len(values)} values for {n} queries: give one value, or one per query."
        )
    return [_clean_code(v) for v in values]


def _clean_code(value: Any) -> str | None:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return None
    text = str(value).strip()
    return text or None


def progress_iter(
    items: Iterable[T], total: int | None, description: str, enabled: bool
) -> Iterator[T]:
    """Iterate over ``items``, drawing a rich progress bar on stderr when ``enabled``."""
    if not enabled:
        yield from items
        return
    from rich.console import Console
    from rich.progress import Progress

    with Progress(console=Console(stderr=True), transient=True) as bar:
        task = bar.add_task(description, total=total)
        for item in items:
            yield item
            bar.advance(task)


class Geocoder(abc.ABC):
    """Abstract geocoder: one query → one :class:`GeocodeResult`."""

    #: Provider name written in every result.
    name: str = ""

    def geocode(
        self,
        query: str,
        *,
        citycode: str | None = None,
        postcode: str | None = None,
        type: str | None = None,
        limit: int = 5,
    ) -> GeocodeResult:
        """Geocode one address.

        Parameters
        ----------
        query : str
            Free text, e.g. ``"17bis bd Basly 62300 Lens"``. An empty query is
            ``not-found`` without asking anything.
        citycode, postcode : str, optional
            Restrict the search to a commune (INSEE code) or a postcode.
        type : {"housenumber", "street", "locality", "municipality"}, optional
            Only this kind of match (``"street"`` ignores the house number).
        limit : int
            How many alternatives to keep in ``candidates`` (at most 5).

        Returns
        -------
        GeocodeResult
            ``not-found`` (with a ``note``) when nothing matches well enough.

        Raises
        ------
        GeocoderUnavailable, GeocoderQuotaExceeded, GeocoderServiceError
            For a web service that cannot be reached, refuses, or answers garbage.
        """
        text = query if isinstance(query, str) else ""
        if not text.strip():
            return GeocodeResult(text, "not-found", provider=self.name, note="empty query")
        return self._geocode(text, citycode, postcode, type, limit)

    @abc.abstractmethod
    def _geocode(
        self, query: str, citycode: str | None, postcode: str | None, type: str | None, limit: int
    ) -> GeocodeResult:
        """Provider-specific :meth:`geocode` of a non-empty query."""

    @abc.abstractmethod
    def reverse(self, lon: float, lat: float) -> GeocodeResult:
        """The address nearest to a WGS84 point."""

    def suggest(self, text: str, *, limit: int = 5) -> list[GeocodeResult]:
        """Addresses for a text being typed (suggestions as you type), best first.

        The default geocodes ``text`` and returns the match and its alternatives;
        providers override it with a prefix search.
        """
        result = self.geocode(text, limit=limit)
        return [result, *result.candidates][:limit] if result.ok else []

    def geocode_many(
        self,
        queries: Sequence[str],
        *,
        citycode: str | Sequence[str | None] | None = None,
        postcode: str | Sequence[str | None] | None = None,
        progress: bool = False,
    ) -> list[GeocodeResult]:
        """Geocode many addresses; one result per query, in order.

        ``citycode`` and ``postcode`` are one value for all queries or one per query.
        A query that fails gets a ``status="error"`` result; the others are unaffected.
        """
        texts = [_query_text(q) for q in queries]
        citycodes = per_query(citycode, len(texts), "citycode")
        postcodes = per_query(postcode, len(texts), "postcode")
        return self._geocode_rows(list(zip(texts, citycodes, postcodes, strict=True)), progress)

    def _geocode_rows(
        self, rows: list[tuple[str, str | None, str | None]], progress: bool
    ) -> list[GeocodeResult]:
        """:meth:`geocode_many` on ``(query, citycode, postcode)`` rows: one by one."""
        results: list[GeocodeResult] = []
        for q, cc, pc in progress_iter(rows, len(rows), "Geocoding", progress):
            try:
                results.append(self.geocode(q, citycode=cc, postcode=pc))
            except GeocoderServiceError as exc:
                results.append(error_result(q, self.name, str(exc)))
        return results

    def __repr__(self) -> str:
        return f"{type(self).__name__}()"


def _query_text(value: Any) -> str:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return ""
    return str(value)


@dataclasses.dataclass(frozen=True)
class RetryPolicy:
    """How HTTP requests are retried.

    Attributes
    ----------
    max_retries : int
        Retries after the first attempt (on 429, 5xx, timeouts, connection errors).
    backoff : float
        First wait in seconds; doubled at each retry, capped by ``max_backoff``.
    max_backoff : float
        Longest wait between two attempts (also caps a server's ``Retry-After``
        by ``max_retry_after``).
    max_retry_after : float
        Longest ``Retry-After`` honoured; a longer one fails at once with
        :class:`~ortgeo.errors.GeocoderQuotaExceeded`.
    timeout : float
        Seconds to wait for the server (connect and read).

    Examples
    --------
    >>> [RetryPolicy(backoff=0.5, max_backoff=3).delay(i) for i in range(4)]
    [0.5, 1.0, 2.0, 3]
    """

    max_retries: int = 4
    backoff: float = 0.5
    max_backoff: float = 8.0
    max_retry_after: float = 60.0
    timeout: float = 10.0

    def delay(self, attempt: int) -> float:
        """Wait before retry number ``attempt`` (0-based)."""
        return min(self.max_backoff, self.backoff * 2**attempt)


class TokenBucket:
    """Thread-safe token bucket: at most ``rate`` requests per second (bursts of ``burst``).

    Examples
    --------
    >>> bucket = TokenBucket(rate=1000.0)
    >>> bucket.acquire() >= 0.0
    True
    """

    def __init__(
        self,
        rate: float = 50.0,
        burst: float | None = None,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        if rate <= 0:
            raise ValueError("rate must be > 0")
        self.rate = float(rate)
        self.capacity = float(burst if burst is not None else max(1.0, rate / 10))
        self._tokens = self.capacity
        self._clock = clock
        self._sleep = sleep
        self._last = clock()
        self._lock = threading.Lock()

    def acquire(self) -> float:
        """Take one token, sleeping if needed; return the time slept."""
        with self._lock:
            now = self._clock()
            self._tokens = min(self.capacity, self._tokens + (now - self._last) * self.rate)
            self._last = now
            wait = 0.0
            if self._tokens < 1.0:
                wait = (1.0 - self._tokens) / self.rate
                self._sleep(wait)
                self._last = self._clock()
                self._tokens = 0.0
            else:
                self._tokens -= 1.0
            return wait


def _retry_after(value: str | None) -> float | None:
    """Seconds from a ``Retry-After`` header (delta-seconds or HTTP date)."""
    if not value:
        return None
    try:
        return max(0.0, float(value))
    except ValueError:
        pass
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    return max(0.0, when.timestamp() - time.time())


def send_with_retries(
    session: requests.Session,
    method: str,
    url: str,
    *,
    policy: RetryPolicy,
    limiter: TokenBucket | None = None,
    sleep: Callable[[float], None] = time.sleep,
    service: str = "The BAN geocoder",
    hint: str = "",
    **kwargs: Any,
) -> requests.Response:
    """Send an HTTP request with rate limiting, ``Retry-After`` and exponential backoff.

    Retries HTTP 429 (waiting ``Retry-After`` when given), 5xx, timeouts and connection
    errors up to ``policy.max_retries`` times; other 4xx fail at once.
    A ``timeout`` keyword overrides ``policy.timeout`` (for long batch requests).

    Raises
    ------
    GeocoderUnavailable
        The server could not be reached (timeouts, refused connections).
    GeocoderQuotaExceeded
        Still HTTP 429 after the retries.
    GeocoderServiceError
        HTTP 5xx after the retries, or another HTTP error.
    """
    hint = f" {hint}" if hint else ""
    timeout = kwargs.pop("timeout", policy.timeout)
    attempt = 0
    while True:
        if limiter is not None:
            limiter.acquire()
        try:
            resp = session.request(method, url, timeout=timeout, **kwargs)
        except (requests.ConnectionError, requests.Timeout) as exc:
            if attempt >= policy.max_retries:
                kind = "timed out" if isinstance(exc, requests.Timeout) else "cannot be reached"
                raise GeocoderUnavailable(
                    f"{service} at {url} {kind} after {attempt + 1} attempt(s) "
                    f"({type(exc).__name__}). Check the network or the URL.{hint}"
                ) from None
            sleep(policy.delay(attempt))
            attempt += 1
            continue
        if resp.status_code == 429:
            wait = _retry_after(resp.headers.get("Retry-After"))
            too_long = wait is not None and wait > policy.max_retry_after
            if attempt >= policy.max_retries or too_long:
                asked = f" (Retry-After: {wait:.0f} s)" if wait is not None else ""
                raise GeocoderQuotaExceeded(
                    f"{service} at {url} refused the request with HTTP 429 (too many "
                    f"requests) after {attempt + 1} attempt(s){asked}. Wait and retry, "
                    f"send fewer requests at once, or geocode offline.{hint}"
                )
            sleep(wait if wait is not None else policy.delay(attempt))
            attempt += 1
            continue
        if resp.status_code >= 500:
            if attempt >= policy.max_retries:
                raise GeocoderServiceError(
                    f"{service} at {url} answered HTTP {resp.status_code} after "
                    f"{attempt + 1} attempt(s): the service is failing. Retry later.{hint}"
                )
            sleep(policy.delay(attempt))
            attempt += 1
            continue
        if resp.status_code >= 400:
            detail = _error_detail(resp)
            raise GeocoderServiceError(
                f"{service} at {url} rejected the request with HTTP {resp.status_code}"
                f"{': ' + detail if detail else ''}.{hint}"
            )
        return resp


def _error_detail(resp: requests.Response) -> str:
    try:
        data = resp.json()
    except ValueError:
        return resp.text[:200].strip()
    if isinstance(data, dict):
        for key in ("message", "title", "description", "detail"):
            if data.get(key):
                return str(data[key])[:200]
    return str(data)[:200]


def as_float(value: Any) -> float | None:
    """``float(value)``, or None for empty, missing or non-finite values.

    Examples
    --------
    >>> as_float("0.5"), as_float(""), as_float(float("nan"))
    (0.5, None, None)
    """
    if value is None or value == "":
        return None
    try:
        f = float(value)
    except (TypeError, ValueError):
        return None
    return f if math.isfinite(f) else None


def format_label(
    numero: int | str | None, rep: str | None, street: str, postcode: str | None, city: str
) -> str:
    """The BAN label of an address: ``"17bis Rue de la Gare 62300 Lens"``.

    Examples
    --------
    >>> format_label(17, "bis", "Rue de la Gare", "62300", "Lens")
    '17bis Rue de la Gare 62300 Lens'
    >>> format_label(None, "", "Rue de Paris", "62300", "Lens")
    'Rue de Paris 62300 Lens'
    """
    number = f"{numero}{rep or ''} " if numero not in (None, "") else ""
    return " ".join(f"{number}{street} {postcode or ''} {city}".split())
