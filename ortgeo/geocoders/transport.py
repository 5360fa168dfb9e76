"""HTTP transport of the web geocoders, apart from the geocoders (as geopy does).

Retries with a bounded exponential backoff, honours ``Retry-After``, applies a rate
limit, and turns every failure into a typed :class:`~ortgeo.errors.GeocoderError`
carrying ``status_code`` / ``retry_after`` attributes (never a message to match as text).
"""

from __future__ import annotations

import dataclasses
import email.utils
import time
import urllib.parse
from collections.abc import Callable
from pathlib import Path
from typing import Any

import requests

from ortgeo.errors import (
    GeocoderQuotaExceeded,
    GeocoderServiceError,
    GeocoderUnavailable,
    InvalidURLError,
)
from ortgeo.geocoders.ratelimit import TokenBucket

__all__ = ["RetryPolicy", "check_service_url", "download_file", "send_with_retries"]


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
                    f"({type(exc).__name__}). Check the network or the URL.{hint}",
                    url=url,
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
                    f"send fewer requests at once, or geocode offline.{hint}",
                    url=url, status_code=429, retry_after=wait,
                )  # fmt: skip
            sleep(wait if wait is not None else policy.delay(attempt))
            attempt += 1
            continue
        if resp.status_code >= 500:
            if attempt >= policy.max_retries:
                raise GeocoderServiceError(
                    f"{service} at {url} answered HTTP {resp.status_code} after "
                    f"{attempt + 1} attempt(s): the service is failing. Retry later.{hint}",
                    url=url, status_code=resp.status_code,
                )  # fmt: skip
            sleep(policy.delay(attempt))
            attempt += 1
            continue
        if resp.status_code >= 400:
            detail = _error_detail(resp)
            raise GeocoderServiceError(
                f"{service} at {url} rejected the request with HTTP {resp.status_code}"
                f"{': ' + detail if detail else ''}.{hint}",
                url=url, status_code=resp.status_code,
            )  # fmt: skip
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


def check_service_url(url: str, what: str = "--ban-url") -> str:
    """``url`` without its trailing ``/``, once checked to be a usable http(s) URL.

    Raises
    ------
    InvalidURLError
        No ``http://``/``https://`` scheme, no host, or a port outside 1-65535.

    Examples
    --------
    >>> check_service_url("http://127.0.0.1:7878/")
    'http://127.0.0.1:7878'
    >>> check_service_url("notaurl")
    Traceback (most recent call last):
    ...
    ortgeo.errors.InvalidURLError: --ban-url 'notaurl' is not a URL: ...
    """
    fix = "give the service root, e.g. https://data.geopf.fr/geocodage or http://127.0.0.1:7878"
    parts = urllib.parse.urlsplit(str(url).strip())
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise InvalidURLError(f"{what} {url!r} is not a URL: {fix}.")
    try:
        parts.port  # noqa: B018 - raises ValueError when out of range or not a number
    except ValueError:
        raise InvalidURLError(
            f"{what} {url!r} has an invalid port (1-65535 expected): {fix}."
        ) from None
    return str(url).strip().rstrip("/")


def download_file(
    url: str,
    target: Path,
    *,
    service: str,
    hint: str = "",
    session: requests.Session | None = None,
    policy: RetryPolicy | None = None,
    progress: bool = False,
) -> Path:
    """Download a gzip file to ``target`` (through ``target.part``: never half a file).

    Parameters
    ----------
    url : str
        What to fetch.
    target : Path
        Where to write it; its folder is created.
    service, hint : str
        Who answers, and what to do by hand, for the error messages.
    session, policy
        HTTP transport and retries (default: 2 retries, 60 s timeout).
    progress : bool
        Draw a progress bar on stderr.

    Raises
    ------
    GeocoderUnavailable
        Offline, the server cannot be reached, or the download was interrupted.
    GeocoderServiceError
        HTTP error, or the answer is not gzip (a proxy or an error page).

    Examples
    --------
    >>> download_file("http://127.0.0.1:9/x.gz", Path("x.gz"), service="Test",
    ...               policy=RetryPolicy(max_retries=0, timeout=1))
    Traceback (most recent call last):
    ...
    ortgeo.errors.GeocoderUnavailable: Test at http://127.0.0.1:9/x.gz cannot be reached ...
    """
    target = Path(target)
    policy = policy or RetryPolicy(max_retries=2, timeout=60)
    resp = send_with_retries(
        session or requests.Session(), "GET", url, policy=policy, service=service, hint=hint,
        stream=True,
    )  # fmt: skip
    target.parent.mkdir(parents=True, exist_ok=True)
    part = target.with_name(target.name + ".part")
    total = int(resp.headers.get("Content-Length") or 0) or None
    try:
        with open(part, "wb") as out:
            _stream(resp, out, total, target.name, progress)
    except requests.RequestException as exc:
        part.unlink(missing_ok=True)
        raise GeocoderUnavailable(
            f"Download of {url} was interrupted ({type(exc).__name__}). Retry. {hint}".strip()
        ) from None
    with open(part, "rb") as fh:
        magic = fh.read(2)
    if magic != b"\x1f\x8b":
        part.unlink(missing_ok=True)
        raise GeocoderServiceError(
            f"{url} did not return a gzip file (a proxy or an error page?). {hint}".strip()
        )
    part.replace(target)
    return target


def _stream(
    resp: requests.Response, out: Any, total: int | None, name: str, progress: bool
) -> None:
    chunks = resp.iter_content(chunk_size=1 << 16)
    if not progress:
        for chunk in chunks:
            out.write(chunk)
        return
    from rich.console import Console
    from rich.progress import DownloadColumn, Progress, TransferSpeedColumn

    cols = (*Progress.get_default_columns(), DownloadColumn(), TransferSpeedColumn())
    with Progress(*cols, console=Console(stderr=True), transient=True) as bar:
        task = bar.add_task(f"Downloading {name}", total=total)
        for chunk in chunks:
            out.write(chunk)
            bar.advance(task, len(chunk))
