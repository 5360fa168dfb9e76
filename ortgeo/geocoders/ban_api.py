"""Geocoding with the BAN web API (addok) of IGN's Géoplateforme, or a self-hosted addok.

The service formerly at ``api-adresse.data.gouv.fr`` now lives at
``https://data.geopf.fr/geocodage`` (``/search``, ``/reverse``, ``POST /search/csv``).
Requests are limited to 50 per second (token bucket), HTTP 429 ``Retry-After`` is
honoured, 5xx/timeouts/connection errors are retried with a bounded exponential backoff,
and answers are kept in a persistent cache so that a re-run sends no request.
"""

from __future__ import annotations

import csv
import io
import os
import threading
import time
import warnings
from collections.abc import Callable
from typing import Any

import requests

from ortgeo.errors import GeocoderError, GeocoderServiceError
from ortgeo.geocoders.base import (
    MATCH_TYPES,
    Geocoder,
    GeocodeResult,
    RetryPolicy,
    TokenBucket,
    as_float,
    error_result,
    progress_iter,
    send_with_retries,
)
from ortgeo.geocoders.cache import GeocodeCache, cache_key
from ortgeo.geocoders.normalize import parse_address

__all__ = ["DEFAULT_BASE_URL", "BanApiGeocoder"]

#: The BAN geocoding service on the Géoplateforme; ``$ORTGEO_BAN_URL`` overrides it.
DEFAULT_BASE_URL = "https://data.geopf.fr/geocodage"

_HINT = (
    "Or geocode offline: `ortgeo ban download 62` then `ortgeo ban index "
    "adresses-62.csv.gz`, and use get_geocoder('local')."
)
_BUCKETS: dict[str, TokenBucket] = {}
_BUCKETS_LOCK = threading.Lock()
_MAX_CONSECUTIVE_FAILURES = 2


def _bucket(base_url: str, rate: float) -> TokenBucket:
    """One token bucket per service URL, shared by every geocoder of the process."""
    with _BUCKETS_LOCK:
        bucket = _BUCKETS.get(base_url)
        if bucket is None or bucket.rate != rate:
            bucket = _BUCKETS[base_url] = TokenBucket(rate)
        return bucket


def _text(value: Any) -> str | None:
    if value is None:
        return None
    text = str(value).strip()
    return text or None


class BanApiGeocoder(Geocoder):
    """Geocoder on the BAN API (Géoplateforme or any addok with the same API).

    Parameters
    ----------
    base_url : str, optional
        Service root (default ``$ORTGEO_BAN_URL`` or :data:`DEFAULT_BASE_URL`).
    session : requests.Session, optional
        HTTP transport (proxies, adapters, mocks...).
    cache : bool or GeocodeCache
        ``True`` (default): the persistent cache in the ortgeo cache folder;
        ``False``: none; or a cache of your own.
    policy : RetryPolicy, optional
        Timeouts, retries and backoff.
    rate : float
        Requests per second at most (the service allows 50 per IP).
    batch_threshold : int
        :meth:`geocode_many` uses ``POST /search/csv`` above this many queries to send.
    chunk_size : int
        Rows per CSV request (each chunk is committed to the cache when done).
    sleep : callable
        Used to wait between attempts (tests pass a recorder).

    Examples
    --------
    >>> g = BanApiGeocoder("http://127.0.0.1:7878/", cache=False)
    >>> g.base_url, g.name
    ('http://127.0.0.1:7878', 'ban-api')
    """

    name = "ban-api"

    def __init__(
        self,
        base_url: str | None = None,
        *,
        session: requests.Session | None = None,
        cache: bool | GeocodeCache = True,
        policy: RetryPolicy | None = None,
        rate: float = 50.0,
        batch_threshold: int = 5,
        chunk_size: int = 1000,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        url = base_url or os.environ.get("ORTGEO_BAN_URL") or DEFAULT_BASE_URL
        self.base_url = url.rstrip("/")
        self.session = session or requests.Session()
        self.session.headers.setdefault("User-Agent", "ortgeo (Lens ORT geocoding)")
        if cache is True:
            self.cache: GeocodeCache | None = GeocodeCache()
        else:
            self.cache = cache if isinstance(cache, GeocodeCache) else None
        self.policy = policy or RetryPolicy()
        self.limiter = _bucket(self.base_url, rate)
        self.batch_threshold = batch_threshold
        self.chunk_size = max(1, chunk_size)
        self._sleep = sleep

    def __repr__(self) -> str:
        return f"BanApiGeocoder({self.base_url!r})"

    # ------------------------------------------------------------------ HTTP
    def _send(self, method: str, path: str, **kwargs: Any) -> requests.Response:
        return send_with_retries(
            self.session, method, f"{self.base_url}{path}", policy=self.policy,
            limiter=self.limiter, sleep=self._sleep, service="The BAN geocoder", hint=_HINT,
            **kwargs,
        )  # fmt: skip

    def _get_json(self, path: str, params: dict[str, Any]) -> dict[str, Any]:
        resp = self._send("GET", path, params=params)
        try:
            data = resp.json()
        except ValueError:
            raise GeocoderServiceError(
                f"The BAN geocoder at {resp.url} returned invalid or truncated JSON "
                f"({len(resp.content)} bytes). Retry later. {_HINT}"
            ) from None
        if not isinstance(data, dict) or not isinstance(data.get("features"), list):
            raise GeocoderServiceError(
                f"The BAN geocoder at {resp.url} returned JSON without a 'features' list: "
                f"is {self.base_url} a BAN/addok service? {_HINT}"
            )
        return data

    # ------------------------------------------------------------------ parsing
    def _feature(self, query: str, feature: dict[str, Any]) -> GeocodeResult:
        props = feature.get("properties") or {}
        coords = (feature.get("geometry") or {}).get("coordinates") or [None, None]
        kind = props.get("type")
        housenumber = _text(props.get("housenumber"))
        street = _text(props.get("street"))
        if street is None and kind == "street":
            street = _text(props.get("name"))
        return GeocodeResult(
            query=query, status="ok", label=_text(props.get("label")),
            score=float(props.get("score") or 0.0),
            match_type=kind if kind in MATCH_TYPES else None, housenumber=housenumber,
            street=street, postcode=_text(props.get("postcode")),
            citycode=_text(props.get("citycode")), city=_text(props.get("city")),
            id=_text(props.get("id")), lon=as_float(coords[0]), lat=as_float(coords[1]),
            x=as_float(props.get("x")), y=as_float(props.get("y")), provider=self.name,
            note=_street_note(query, kind),
        )  # fmt: skip

    def _collection(self, query: str, data: dict[str, Any], limit: int) -> GeocodeResult:
        features = [f for f in data["features"] if isinstance(f, dict)]
        if not features:
            return GeocodeResult(query, "not-found", provider=self.name)
        results = [self._feature(query, f) for f in features[: limit + 1]]
        others = tuple(results[1 : 1 + min(limit, 5)])
        return results[0].replace(score_next=others[0].score if others else None, candidates=others)

    # ------------------------------------------------------------------ API
    def _geocode(
        self, query: str, citycode: str | None, postcode: str | None, type: str | None, limit: int
    ) -> GeocodeResult:
        """``GET /search`` (or the cache)."""
        key = self._key(query, citycode, postcode, type=type, limit=None if limit == 5 else limit)
        if self.cache is not None and (hit := self.cache.get(key)) is not None:
            return hit
        params: dict[str, Any] = {"q": query, "limit": max(1, min(limit + 1, 20))}
        params.update({k: v for k, v in (("citycode", citycode), ("postcode", postcode),
                                         ("type", type)) if v})  # fmt: skip
        result = self._collection(query, self._get_json("/search", params), limit)
        if self.cache is not None:
            self.cache.put_many([(key, result)])
        return result

    def reverse(self, lon: float, lat: float) -> GeocodeResult:
        """The address nearest to a WGS84 point (``GET /reverse``)."""
        query = f"{lon:.6f},{lat:.6f}"
        key = self._key(query, None, None, kind="reverse")
        if self.cache is not None and (hit := self.cache.get(key)) is not None:
            return hit
        data = self._get_json("/reverse", {"lon": f"{lon:.6f}", "lat": f"{lat:.6f}"})
        result = self._collection(query, data, limit=0)
        if self.cache is not None:
            self.cache.put_many([(key, result)])
        return result

    def suggest(self, text: str, *, limit: int = 5) -> list[GeocodeResult]:
        """``GET /search?autocomplete=1`` (not cached: texts being typed rarely repeat)."""
        if len(text.strip()) < 3:  # the BAN API refuses shorter queries
            return []
        params = {"q": text, "limit": max(1, min(limit, 10)), "autocomplete": 1}
        data = self._get_json("/search", params)
        return [self._feature(text, f) for f in data["features"][:limit] if isinstance(f, dict)]

    def _key(self, query: str, citycode: str | None, postcode: str | None, **extra: Any) -> str:
        return cache_key(self.name, self.base_url, query, citycode=citycode, postcode=postcode,
                         **extra)  # fmt: skip

    def _geocode_rows(
        self, rows: list[tuple[str, str | None, str | None]], progress: bool
    ) -> list[GeocodeResult]:
        """Many addresses, in order; ``POST /search/csv`` for large batches.

        Cached answers are reused; the rest is sent by chunks of ``chunk_size`` rows, each
        committed to the cache as soon as it is answered (an interrupted run loses at
        most one chunk). A failing chunk gives ``status="error"`` results for its rows
        only; after repeated failures the remaining rows are marked in error without
        more requests. Without ``/search/csv`` (HTTP 404/405) it falls back to ``/search``.
        """
        keys = [self._key(q, cc, pc) for q, cc, pc in rows]
        done: dict[str, GeocodeResult] = self.cache.get_many(keys) if self.cache is not None else {}
        todo: dict[str, tuple[str, str | None, str | None]] = {}
        for key, row in zip(keys, rows, strict=True):
            if key in done:
                continue
            if not row[0].strip():
                done[key] = GeocodeResult(
                    row[0], "not-found", provider=self.name, note="empty query"
                )
            else:
                todo.setdefault(key, row)
        if len(todo) > self.batch_threshold:
            self._many_csv(todo, done, progress)
        else:
            self._many_single(todo, done, progress)
        return [done[k].replace(query=q) for k, (q, _, _) in zip(keys, rows, strict=True)]

    def _many_single(
        self, todo: dict[str, tuple[str, str | None, str | None]],
        done: dict[str, GeocodeResult], progress: bool,
    ) -> None:  # fmt: skip
        failures = 0
        last = ""
        for key, (q, cc, pc) in progress_iter(list(todo.items()), len(todo), "Geocoding", progress):
            if failures >= _MAX_CONSECUTIVE_FAILURES:
                done[key] = error_result(q, self.name, f"not sent after repeated failures: {last}")
                continue
            try:
                done[key] = self.geocode(q, citycode=cc, postcode=pc)
                failures = 0
            except GeocoderError as exc:
                last = str(exc)
                done[key] = error_result(q, self.name, last)
                failures += 1

    def _many_csv(
        self, todo: dict[str, tuple[str, str | None, str | None]],
        done: dict[str, GeocodeResult], progress: bool,
    ) -> None:  # fmt: skip
        items = list(todo.items())
        chunks = [items[i : i + self.chunk_size] for i in range(0, len(items), self.chunk_size)]
        failures = 0
        last = ""
        for n, chunk in enumerate(progress_iter(chunks, len(chunks), "Geocoding (CSV)", progress)):
            if failures >= _MAX_CONSECUTIVE_FAILURES:
                for key, (q, _, _) in chunk:
                    done[key] = error_result(
                        q, self.name, f"not sent after repeated failures: {last}"
                    )
                continue
            try:
                results = self._post_csv([row for _, row in chunk])
            except _NoCsvEndpoint as exc:
                warnings.warn(
                    f"{exc}: falling back to one /search request per address.",
                    UserWarning, stacklevel=3,
                )  # fmt: skip
                rest = dict(item for c in chunks[n:] for item in c)
                self._many_single(rest, done, progress=False)
                return
            except GeocoderError as exc:
                last = str(exc)
                failures += 1
                for key, (q, _, _) in chunk:
                    done[key] = error_result(q, self.name, last)
                continue
            failures = 0
            pairs = [(key, res) for (key, _), res in zip(chunk, results, strict=True)]
            done.update(pairs)
            if self.cache is not None:
                self.cache.put_many(pairs)

    def _csv_timeout(self, n_rows: int) -> float:
        """A batch takes longer than one search: allow 30 s plus 50 ms per row."""
        return max(self.policy.timeout, 30.0 + 0.05 * n_rows)

    def _post_csv(self, rows: list[tuple[str, str | None, str | None]]) -> list[GeocodeResult]:
        """One ``POST /search/csv`` request; one result per row, in order."""
        has_cc = any(cc for _, cc, _ in rows)
        has_pc = any(pc for _, _, pc in rows)
        header = ["q"] + (["citycode"] if has_cc else []) + (["postcode"] if has_pc else [])
        buf = io.StringIO()
        writer = csv.writer(buf, lineterminator="\n")
        writer.writerow(header)
        for q, cc, pc in rows:
            writer.writerow([" ".join(q.split())] + ([cc or ""] if has_cc else [])
                            + ([pc or ""] if has_pc else []))  # fmt: skip
        form = [("columns", "q")] + [(name, name) for name in header[1:]]
        url = f"{self.base_url}/search/csv"
        try:
            resp = self._send(
                "POST", "/search/csv", data=form, timeout=self._csv_timeout(len(rows)),
                files={"data": ("ortgeo.csv", buf.getvalue().encode("utf-8"), "text/csv")},
            )  # fmt: skip
        except GeocoderServiceError as exc:
            if " HTTP 404" in str(exc) or " HTTP 405" in str(exc):
                raise _NoCsvEndpoint(f"{url} is not available (HTTP 404/405)") from None
            raise
        text = resp.content.decode("utf-8-sig", errors="replace")
        # addok answers in the dialect it sniffed (a one-column file may come back with ';')
        first = text.split("\n", 1)[0]
        delimiter = next((d for d in ",;\t|" if "result_label" in first.split(d)), ",")
        try:
            out = list(csv.DictReader(io.StringIO(text), delimiter=delimiter))
        except csv.Error as exc:
            raise GeocoderServiceError(
                f"{url} returned an unreadable CSV ({exc}). {_HINT}"
            ) from None
        if len(out) != len(rows) or (out and "result_label" not in out[0]):
            raise GeocoderServiceError(
                f"{url} returned {len(out)} geocoded rows for {len(rows)} sent, or no "
                f"result_label column: truncated answer? Retry later. {_HINT}"
            )
        return [self._csv_row(q, row) for (q, _, _), row in zip(rows, out, strict=True)]

    def _csv_row(self, query: str, row: dict[str, str]) -> GeocodeResult:
        status = (row.get("result_status") or "").strip()
        if not status:  # a plain addok-csv has no result_status column
            status = "ok" if row.get("result_label") else "not-found"
        if status == "error":
            return error_result(query, self.name, "the service reported an error for this row")
        if status != "ok":
            note = "skipped by the service (empty query)" if status == "skipped" else None
            return GeocodeResult(query, "not-found", provider=self.name, note=note)
        kind = row.get("result_type") or None
        housenumber = _text(row.get("result_housenumber"))
        street = _text(row.get("result_street"))
        name = _text(row.get("result_name"))
        if street is None and name and kind in ("street", "housenumber"):
            # a bare addok-csv leaves result_street empty; its result_name may carry the number
            prefix = f"{housenumber} " if housenumber else ""
            street = name[len(prefix) :] if prefix and name.startswith(prefix) else name
        score_next = as_float(row.get("result_score_next"))
        return GeocodeResult(
            query=query, status="ok", label=_text(row.get("result_label")),
            score=as_float(row.get("result_score")) or 0.0,
            score_next=score_next if score_next else None,
            match_type=kind if kind in MATCH_TYPES else None, housenumber=housenumber,
            street=street, postcode=_text(row.get("result_postcode")),
            citycode=_text(row.get("result_citycode")), city=_text(row.get("result_city")),
            id=_text(row.get("result_id")), lon=as_float(row.get("longitude")),
            lat=as_float(row.get("latitude")), provider=self.name,
            note=_street_note(query, kind),
        )  # fmt: skip


class _NoCsvEndpoint(GeocoderServiceError):
    """The service has no ``/search/csv`` (a self-hosted addok without addok-csv)."""


def _street_note(query: str, kind: str | None) -> str | None:
    if kind == "street" and parse_address(query).housenumber is not None:
        return "housenumber not found by the service: positioned on the street"
    return None
