"""The answer for "in an ORT sector?", per point: the one composite rule, then coverage.

:func:`composite` reads the (point, sector) pairs where a point is inside a sector or within
its band — the engine's long result, or the dense measures of a small catalogue turned into
pairs — and gives, per point (or per point and territory):

``dedans``
    inside some sector certainly in force that day, farther from its limit than its band;
``date-incertaine``
    that holds only for sectors whose being in force that day is uncertain;
``limite``
    neither, but within the band of some sector: the answer cannot be trusted;
``dehors``
    outside every sector by more than each one's band (no pair).

The deciding sector is the first of the highest class in the table's (catalogue's) order;
for ``limite``, the sector whose limit is closest relative to its band. Its distance and
band are the composite's.

:func:`apply_coverage` then says where ortgeo's knowledge ends: a firm "outside"
(``dehors``, or ``sans-ort``) in a commune whose sectors ortgeo does not hold in full
becomes ``indetermine``. Every path — :func:`ortgeo.check_point`, :func:`ortgeo.locate`,
:func:`ortgeo.engine.locate_sectors`, ``ortgeo locate`` — answers through these two
functions.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable
from typing import Any

import numpy as np

from ortgeo.dates import DateLike, parse_date
from ortgeo.model import EXTENT_CODE, CoverageEntry, coverage_entry
from ortgeo.status import STATUS_CODE, Status

__all__ = ["Composite", "apply_coverage", "composite", "coverage_extent"]

_DEDANS, _DEHORS = STATUS_CODE[Status.DEDANS], STATUS_CODE[Status.DEHORS]
_LIMITE, _INCERTAINE = STATUS_CODE[Status.LIMITE], STATUS_CODE[Status.DATE_INCERTAINE]
_SANS_ORT, _INDETERMINE = STATUS_CODE[Status.SANS_ORT], STATUS_CODE[Status.INDETERMINE]
#: Status code of each pair class: 3 firm inside a certain sector, 2 firm inside an
#: uncertain one, 1 within a band.
_CLASS_STATUS = np.array([_DEHORS, _LIMITE, _INCERTAINE, _DEDANS], dtype=np.int8)


@dataclasses.dataclass(frozen=True)
class Composite:
    """Per group (a point, or a point in a territory): status code, deciding pair.

    ``pair`` is the position of the deciding pair in the input pairs (-1: no pair, the
    group is ``dehors``); ``group`` the groups that have a pair, in order.
    """

    group: np.ndarray
    status: np.ndarray
    pair: np.ndarray


def composite(
    group: np.ndarray,
    sector: np.ndarray,
    inside: np.ndarray,
    near: np.ndarray,
    distance: np.ndarray,
    band: np.ndarray,
    certain: np.ndarray,
) -> Composite:
    """The composite status of each group of (point, sector) pairs (the one rule).

    Parameters
    ----------
    group : int array (n_pairs,)
        The group of each pair: the point, or ``point * n_territories + territory``.
    sector : int array (n_pairs,)
        The sector of each pair, as a position in the table (its catalogue order).
    inside, near : bool arrays (n_pairs,)
        Inside the sector (limit included); within its band.
    distance, band : float arrays (n_pairs,)
        Signed distance to the limit (NaN deep inside when not measured), band.
    certain : bool array (n_sectors,)
        Whether each sector is certainly in force on the day.

    Returns
    -------
    Composite
        One entry per group that has a pair; a group without pairs is ``dehors``.

    Examples
    --------
    A point 299 m inside a sector of band 250 m, and within the band of another one:

    >>> c = composite(np.array([0, 0]), np.array([0, 1]), np.array([True, False]),
    ...               np.array([False, True]), np.array([299.0, -250.0]),
    ...               np.array([250.0, 300.0]), np.array([True, True]))
    >>> c.status.tolist(), c.pair.tolist()  # dedans (code 0), decided by pair 0
    ([0], [0])
    """
    n = len(group)
    if n == 0:
        empty = np.zeros(0, np.int64)
        return Composite(empty, np.zeros(0, np.int8), empty)
    firm_in = inside & ~near
    klass = np.where(firm_in, np.where(certain[sector], 3, 2), 1).astype(np.int8)
    with np.errstate(invalid="ignore"):
        closeness = np.where(klass == 1, np.abs(distance) - band, 0.0)
    if not np.isfinite(closeness).all():  # nan_to_num costs ~10 µs even with nothing to do
        closeness = np.nan_to_num(closeness, nan=0.0)
    order = np.lexsort((sector, closeness, -klass, group))
    g = group[order]
    first = np.concatenate(([True], g[1:] != g[:-1]))
    pair = order[first]
    return Composite(g[first], _CLASS_STATUS[klass[pair]], pair)


def apply_coverage(status: np.ndarray, extent: np.ndarray) -> np.ndarray:
    """Where ortgeo's knowledge ends: a firm "outside" becomes ``indetermine``.

    ``dehors`` and ``sans-ort`` hold only where ortgeo holds every sector of the commune
    (extent ``complete``); elsewhere — a commune outside its coverage, one a sector may
    reach into, one it holds in part — the answer is ``indetermine``. Inside answers stay.

    Examples
    --------
    >>> apply_coverage(np.array([1, 1, 0], np.int8), np.array([1, 0, 0], np.int8)).tolist()
    [1, 6, 0]
    """
    firm_out = (status == _DEHORS) | (status == _SANS_ORT)
    unknown = firm_out & (extent != EXTENT_CODE["complete"])
    return np.where(unknown, _INDETERMINE, status).astype(np.int8)


def coverage_extent(
    entries: Iterable[CoverageEntry], topic: str, communes: Any, on: DateLike = None
) -> np.ndarray:
    """:func:`coverage_entry`'s extent for many points at once: codes of :data:`EXTENTS`.

    Parameters
    ----------
    entries : iterable of CoverageEntry
        A catalogue's coverage.
    topic : str
        ``"ort"`` or a dispositif id.
    communes : array-like of str or None
        Each point's commune (INSEE), ``None`` when unknown.
    on : date-like
        The day asked.

    Examples
    --------
    >>> from ortgeo.catalog import catalog
    >>> codes = coverage_extent(catalog().coverage, "ort", ["62498", "62523", None],
    ...                         "2024-06-01")
    >>> from ortgeo.model import EXTENTS
    >>> [EXTENTS[c] for c in codes]
    ['complete', 'possible', 'none']
    """
    day = parse_date(on)
    entries = [e for e in entries if e.topic == topic and e.applies(day)]
    values = np.asarray(communes, dtype=object)
    n = len(values)
    if not entries or n == 0:
        return np.zeros(n, np.int8)
    if n > 10_000:  # hashing beats sorting strings on large inputs
        import pandas as pd

        if pd.isna(values).all():  # no commune known (a table covering every commune)
            found = coverage_entry(entries, topic, None, day)
            return np.full(n, EXTENT_CODE[found.extent] if found is not None else 0, np.int8)
        inverse, uniques = pd.factorize(values, use_na_sentinel=True)
        uniq = list(uniques)
        inverse = np.where(inverse < 0, len(uniq), inverse)
    else:
        keys = np.array(["" if v is None else str(v) for v in values], dtype=object)
        uniq_arr, inverse = np.unique(keys.astype(str), return_inverse=True)
        uniq = [None if u == "" else u for u in uniq_arr.tolist()]

    def code(commune: str | None) -> int:
        found = coverage_entry(entries, topic, commune, day)
        return EXTENT_CODE[found.extent] if found is not None else 0

    codes = np.array([code(u) for u in uniq] + [code(None)], dtype=np.int8)  # last: unknown
    return codes[inverse]
