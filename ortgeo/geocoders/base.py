"""The abstract geocoder and the helpers every provider shares (per-query filters, progress).

The result type lives in :mod:`ortgeo.geocoders.result`, the HTTP transport in
:mod:`ortgeo.geocoders.transport` and the rate limit in :mod:`ortgeo.geocoders.ratelimit`.
"""

from __future__ import annotations

import abc
import math
from collections.abc import Sequence
from typing import Any

from ortgeo.errors import GeocoderServiceError, InputFileError
from ortgeo.geocoders.pool import geocode_in_pool, pool_jobs
from ortgeo.geocoders.progress import progress_iter
from ortgeo.geocoders.result import GeocodeResult, error_result

__all__ = ["Geocoder", "per_query"]


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
        jobs: int | None = 1,
    ) -> list[GeocodeResult]:
        """Geocode many addresses; one result per query, in order.

        ``citycode`` and ``postcode`` are one value for all queries or one per query.
        A query that fails gets a ``status="error"`` result; the others are unaffected.
        Identical rows (same text, citycode and postcode) are geocoded once and share
        their result.

        ``jobs``: worker processes for a geocoder that can be forked (the offline
        index; ``None`` = one per usable CPU). Batches under
        :data:`~ortgeo.geocoders.pool.MIN_POOL_ROWS` distinct rows, the web API
        (rate-limited) and systems without ``fork`` always geocode in this process.
        The results are the same whatever ``jobs``.

        Examples
        --------
        >>> from ortgeo.geocoders import BanLocalGeocoder
        >>> from ortgeo.testing import synthetic_ban_index
        >>> g = BanLocalGeocoder(synthetic_ban_index(n_rows=300))
        >>> a, b, c = g.geocode_many(["3 rue de la Gare Lens", "", "3 rue de la Gare Lens"])
        >>> a.match_type, b.status, a is c
        ('housenumber', 'not-found', True)
        """
        texts = [_query_text(q) for q in queries]
        citycodes = per_query(citycode, len(texts), "citycode")
        postcodes = per_query(postcode, len(texts), "postcode")
        slots: dict[tuple[str, str | None, str | None], int] = {}
        where = [
            slots.setdefault(row, len(slots))
            for row in zip(texts, citycodes, postcodes, strict=True)
        ]
        rows = list(slots)
        n_jobs = pool_jobs(jobs, len(rows), self)
        if n_jobs == 1:
            answers = self._geocode_rows(rows, progress)
        else:
            answers = geocode_in_pool(self, rows, n_jobs, progress)
        return answers if len(rows) == len(where) else [answers[i] for i in where]

    #: Whether :meth:`geocode_many` may fork worker processes that share this geocoder.
    forkable: bool = False

    def _after_fork(self) -> None:
        """In a forked worker process, before its first query: reopen what cannot be shared.

        Nothing to reopen by default; only called when ``forkable`` is true.
        """
        return None

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
