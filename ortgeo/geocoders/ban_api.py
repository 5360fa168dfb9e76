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
from typing import Any, NoReturn

import requests

from ortgeo.errors import GeocoderError, GeocoderResponseError, GeocoderServiceError
from ortgeo.geocoders.base import Geocoder
from ortgeo.geocoders.cache import GeocodeCache, cache_key
from ortgeo.geocoders.parse import parse_address
from ortgeo.geocoders.progress import progress_iter
from ortgeo.geocoders.ratelimit import TokenBucket
from ortgeo.geocoders.result import MATCH_TYPES, GeocodeResult, as_float, error_result
from ortgeo.geocoders.transport import RetryPolicy, check_service_url, send_with_retries

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
#: Column sent with every ``/search/csv`` row and expected back unchanged in the answer:
#: answers are matched to queries by it, never by position.
ID_COLUMN = "ortgeo_row"


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
        what = "--ban-url" if base_url else "$ORTGEO_BAN_URL" if url != DEFAULT_BASE_URL else "URL"
        self.base_url = check_service_url(url, what)
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
        """One GeoJSON feature; :class:`GeocoderResponseError` when it has the wrong shape."""
        props = feature.get("properties")
        geometry = feature.get("geometry")
        coords = geometry.get("coordinates") if isinstance(geometry, dict) else None
        if not isinstance(props, dict):
            self._wrong_shape(query, "a feature without properties")
        score = _number(props.get("score"))
        if score is None or not 0.0 <= score <= 1.5:
            self._wrong_shape(query, f"score {props.get('score')!r} is not a number in [0, 1]")
        lonlat = [_number(c) for c in coords] if isinstance(coords, list) else []
        if len(lonlat) != 2 or None in lonlat:
            self._wrong_shape(query, f"coordinates {coords!r} are not [lon, lat]")
        kind = props.get("type")
        housenumber = _text(props.get("housenumber"))
        street = _text(props.get("street"))
        if street is None and kind == "street":
            street = _text(props.get("name"))
        return GeocodeResult(
            query=query, status="ok", label=_text(props.get("label")),
            score=min(1.0, float(score)),
            match_type=kind if kind in MATCH_TYPES else None, housenumber=housenumber,
            street=street, postcode=_text(props.get("postcode")),
            citycode=_text(props.get("citycode")), city=_text(props.get("city")),
            id=_text(props.get("id")), lon=lonlat[0], lat=lonlat[1],
            x=as_float(props.get("x")), y=as_float(props.get("y")), provider=self.name,
            note=_street_note(query, kind),
        )  # fmt: skip

    def _wrong_shape(self, query: str, what: str) -> NoReturn:
        raise GeocoderResponseError(
            f"The BAN geocoder at {self.base_url} answered {query!r} with {what}: "
            f"is it a BAN/addok service? {_HINT}",
            url=self.base_url,
        )

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
            except GeocoderResponseError as exc:  # this answer only: go on
                done[key] = error_result(q, self.name, str(exc))
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
                self.cache.put_many(pairs)  # errors (rows missing or mismatched) are not kept

    def _csv_timeout(self, n_rows: int) -> float:
        """A batch takes longer than one search: allow 30 s plus 50 ms per row."""
        return max(self.policy.timeout, 30.0 + 0.05 * n_rows)

    def _post_csv(self, rows: list[tuple[str, str | None, str | None]]) -> list[GeocodeResult]:
        """One ``POST /search/csv`` request; one result per row, in the order of ``rows``.

        Every row carries an id (:data:`ID_COLUMN`); each answer row is matched to its
        query by that id and its echoed query is checked, so that answers in another
        order, missing or duplicated never give a row another row's answer: such rows
        get ``status="error"`` (and are not cached). The delimiter and the quoting are
        sent explicitly: a ``;`` inside an address cannot make the service sniff another
        dialect.
        """
        has_cc = any(cc for _, cc, _ in rows)
        has_pc = any(pc for _, _, pc in rows)
        header = (
            [ID_COLUMN, "q"] + (["citycode"] if has_cc else []) + (["postcode"] if has_pc else [])
        )
        sent = [" ".join(q.split()) for q, _, _ in rows]
        buf = io.StringIO()
        writer = csv.writer(buf, delimiter=",", quotechar='"', quoting=csv.QUOTE_ALL,
                            lineterminator="\n")  # fmt: skip
        writer.writerow(header)
        for row_id, (q, (_, cc, pc)) in enumerate(zip(sent, rows, strict=True)):
            writer.writerow([str(row_id), q] + ([cc or ""] if has_cc else [])
                            + ([pc or ""] if has_pc else []))  # fmt: skip
        form = [("columns", "q"), ("delimiter", ","), ("quote", '"')]
        form += [(name, name) for name in header[2:]]
        url = f"{self.base_url}/search/csv"
        try:
            resp = self._send(
                "POST", "/search/csv", data=form, timeout=self._csv_timeout(len(rows)),
                files={"data": ("ortgeo.csv", buf.getvalue().encode("utf-8"), "text/csv")},
            )  # fmt: skip
        except GeocoderServiceError as exc:
            if exc.status_code in (404, 405):
                raise _NoCsvEndpoint(
                    f"{url} is not available (HTTP {exc.status_code})", url=url,
                    status_code=exc.status_code,
                ) from None  # fmt: skip
            raise
        answers = self._read_csv_answer(resp.content, url)
        results: list[GeocodeResult | None] = [None] * len(rows)
        seen: set[int] = set()
        for row in answers:
            i = _row_id(row.get(ID_COLUMN), len(rows))
            if i is None or i in seen:
                if i is not None:  # the same id twice: trust neither answer
                    results[i] = error_result(
                        rows[i][0], self.name, f"{url} answered this row twice: ignored"
                    )
                continue
            seen.add(i)
            if " ".join((row.get("q") or "").split()) != sent[i]:
                results[i] = error_result(
                    rows[i][0], self.name,
                    f"{url} answered another query for this row ({row.get('q')!r}): ignored",
                )  # fmt: skip
                continue
            results[i] = self._csv_row(rows[i][0], row, url)
        return [
            res if res is not None
            else error_result(q, self.name, f"{url} left this row out of its answer: retry")
            for res, (q, _, _) in zip(results, rows, strict=True)
        ]  # fmt: skip

    def _read_csv_answer(self, content: bytes, url: str) -> list[dict[str, str]]:
        """The rows of a ``/search/csv`` answer (its delimiter read from its header)."""
        text = content.decode("utf-8-sig", errors="replace")
        first = text.split("\n", 1)[0]
        delimiter = next((d for d in ",;\t|" if "result_label" in first.split(d)), ",")
        try:
            out = list(csv.DictReader(io.StringIO(text), delimiter=delimiter))
        except csv.Error as exc:
            raise GeocoderResponseError(
                f"{url} returned an unreadable CSV ({exc}). {_HINT}", url=url
            ) from None
        columns = set(out[0]) if out else set(first.replace('"', "").split(delimiter))
        missing = [c for c in (ID_COLUMN, "q", "result_label") if c not in columns]
        if missing:
            raise GeocoderResponseError(
                f"{url} returned a CSV without the column(s) {', '.join(missing)}: its rows "
                f"cannot be matched to the queries (truncated answer?). Retry later. {_HINT}",
                url=url,
            )
        return out

    def _csv_row(self, query: str, row: dict[str, str], url: str) -> GeocodeResult:
        """One answer row; a row of the wrong shape is an error for this row only."""
        status = (row.get("result_status") or "").strip()
        if not status:  # a plain addok-csv has no result_status column
            status = "ok" if row.get("result_label") else "not-found"
        if status == "error":
            return error_result(query, self.name, "the service reported an error for this row")
        if status != "ok":
            note = "skipped by the service (empty query)" if status == "skipped" else None
            return GeocodeResult(query, "not-found", provider=self.name, note=note)
        score = _number(row.get("result_score"))
        lon, lat = _number(row.get("longitude")), _number(row.get("latitude"))
        if score is None or not 0.0 <= score <= 1.5 or lon is None or lat is None:
            what = (
                f"score {row.get('result_score')!r}" if score is None or not 0 <= score <= 1.5
                else f"position {row.get('longitude')!r}, {row.get('latitude')!r}"
            )  # fmt: skip
            return error_result(
                query, self.name, f"{url} answered this row with an unusable {what}"
            )
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
            score=min(1.0, score), score_next=score_next if score_next else None,
            match_type=kind if kind in MATCH_TYPES else None, housenumber=housenumber,
            street=street, postcode=_text(row.get("result_postcode")),
            citycode=_text(row.get("result_citycode")), city=_text(row.get("result_city")),
            id=_text(row.get("result_id")), lon=lon, lat=lat, provider=self.name,
            note=_street_note(query, kind),
        )  # fmt: skip


class _NoCsvEndpoint(GeocoderServiceError):
    """The service has no ``/search/csv`` (a self-hosted addok without addok-csv)."""


def _street_note(query: str, kind: str | None) -> str | None:
    if kind == "street" and parse_address(query).housenumber is not None:
        return "housenumber not found by the service: positioned on the street"
    return None


def _number(value: Any) -> float | None:
    """A finite number from JSON/CSV (numbers or numeric text; not booleans)."""
    if isinstance(value, bool):
        return None
    return as_float(value)


def _row_id(value: str | None, n: int) -> int | None:
    """The row index echoed in :data:`ID_COLUMN`, or None when it is not one we sent."""
    text = (value or "").strip()
    if not text.isdigit():
        return None
    i = int(text)
    return i if i < n else None
