"""The exact tests of points against sectors, on candidate pairs or on every pair.

:func:`pairs` runs the candidate machinery (grid, STRtree: :mod:`ortgeo.engine.index`) then
the exact tests, all sectors at once (shapely array functions on prepared geometries):
``intersects_xy`` (inside, limit included), then ``dwithin(limit, band)`` and the exact
distance only where it falls within the band. :func:`measure` gives dense arrays for small
catalogues (every sector against every point).
"""

from __future__ import annotations

import dataclasses
import queue
import threading
from concurrent.futures import ThreadPoolExecutor
from typing import Any, Literal

import numpy as np
import shapely

from ortgeo.cpus import usable_cpus
from ortgeo.engine.distance import boundary_distance
from ortgeo.engine.index import own_copy, sector_index
from ortgeo.engine.sectors import Sectors
from ortgeo.points import Points

__all__ = ["Measures", "band_of", "exact_tests", "measure", "pairs", "point_geoms"]

#: Threads and smallest block of points for the exact tests of :func:`measure`.
_THREADS = min(usable_cpus(), 4)
_BLOCK = 100_000


def band_of(
    sectors: Sectors, sec: np.ndarray | int, unc: np.ndarray, band_m: float | None
) -> np.ndarray:
    """The band of (sector, point) pairs: ``band_m``, or the sector's accuracy + the point's
    own uncertainty."""
    if band_m is not None:
        return np.full(len(unc), float(band_m))
    return sectors.accuracy_m[sec] + unc


def exact_tests(
    geometry: Any, boundary: Any, x: np.ndarray, y: np.ndarray, geoms: np.ndarray | None,
    band: np.ndarray, distances: str, inside: np.ndarray | None = None,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:  # fmt: skip
    """The exact tests of points against sectors (one sector, or one per point).

    Returns inside (limit included), within the band, and the signed distance to the
    limit (positive inside): for every point with ``"all"``, else only within the band
    (NaN elsewhere). ``geoms`` (the points' geometries) is read only for one sector per
    point; one sector against every point measures with :func:`boundary_distance`.
    ``inside``, when the caller knows it already, is not tested again.
    """
    if inside is None:
        inside = shapely.intersects_xy(geometry, x, y)
    if distances == "all":
        many = isinstance(boundary, np.ndarray)
        d = shapely.distance(boundary, geoms) if many else boundary_distance(boundary, x, y)
        return inside, d <= band, np.where(inside, d, -d)
    assert geoms is not None  # within the band: one sector per point, with its geometry
    # the distance to a prepared limit is the facet distance dwithin compares (the same
    # float): measuring it once is cheaper than dwithin, then the distance, on the near
    d = shapely.distance(boundary, geoms)
    near = d <= band
    return inside, near, np.where(near, np.where(inside, d, -d), np.nan)


#: Most (grid cell, segment) pairs :func:`boundary_distance` weighs, and its block of points.
def point_geoms(pts: Points, pos: np.ndarray | None = None) -> np.ndarray:
    """Point geometries of ``pts`` (at ``pos``): the input's own when it had them."""
    if pts.geoms is not None:
        return pts.geoms if pos is None else pts.geoms[pos]
    return shapely.points(pts.x, pts.y) if pos is None else shapely.points(pts.x[pos], pts.y[pos])


def pairs(
    sectors: Sectors, pts: Points, band_m: float | None, unc: np.ndarray, distances: str
) -> tuple[np.ndarray, ...]:
    """Candidate pairs, then exact tests: point, sector position, inside, near, distance.

    Only pairs where the point is inside the sector or within its band are returned, by
    point then table order. The candidates are the pairs of the index's grid whose
    widened box holds the point (:meth:`SectorIndex.candidates`); ``intersects_xy`` says
    inside; the sure zones settle most pairs (inside the inner zone: inside by more than
    the band; outside the outer zone: too far), and only the others are measured
    (``dwithin`` then the distance), as are all kept pairs with ``distances="all"``.
    """
    unc_max = float(unc.max()) if len(unc) else 0.0
    reach = (
        np.full(len(sectors), float(band_m)) if band_m is not None else sectors.accuracy_m + unc_max
    )
    empty = (np.zeros(0, np.int64), np.zeros(0, np.intp), np.zeros(0, bool), np.zeros(0, bool),
             np.zeros(0, np.float64))  # fmt: skip
    if len(sectors) == 0 or len(pts.x) == 0:
        return empty
    index = sector_index(sectors, reach)
    point, sec = index.candidates(pts.x, pts.y)
    if len(point) == 0:
        return empty
    # sector by sector: each prepared geometry's index stays in the CPU cache while its
    # points are tested (about 3× faster than in the points' order); sorted back below
    by_sector = np.argsort(sec, kind="stable")
    point, sec = point[by_sector], sec[by_sector]
    x, y = pts.x[point], pts.y[point]
    inside = shapely.intersects_xy(sectors.geometry[sec], x, y)
    sure = np.zeros(len(point), dtype=bool)  # settled by the zones: not within the band
    pos_in, pos_out = np.flatnonzero(inside), np.flatnonzero(~inside)
    sure[pos_in] = shapely.intersects_xy(index.inner[sec[pos_in]], x[pos_in], y[pos_in])
    far = np.zeros(len(point), dtype=bool)
    far[pos_out] = ~shapely.intersects_xy(index.outer[sec[pos_out]], x[pos_out], y[pos_out])
    keep = np.flatnonzero(~far)
    point, sec, inside, sure = point[keep], sec[keep], inside[keep], sure[keep]
    x, y = x[keep], y[keep]
    near = np.zeros(len(point), dtype=bool)
    dist = np.full(len(point), np.nan)
    todo = np.flatnonzero(~sure) if distances != "all" else np.arange(len(point))
    if len(todo):
        _, n, d = exact_tests(
            sectors.geometry[sec[todo]], index.boundaries[sec[todo]], x[todo], y[todo],
            point_geoms(pts, point[todo]), band_of(sectors, sec[todo], unc[point[todo]], band_m),
            distances, inside[todo],
        )  # fmt: skip
        near[todo], dist[todo] = n, d
    keep = inside | near
    point, sec, inside, near, dist = point[keep], sec[keep], inside[keep], near[keep], dist[keep]
    order = np.lexsort((sectors.code[sec], point))
    return point[order], sec[order], inside[order], near[order], dist[order]


@dataclasses.dataclass(frozen=True)
class Measures:
    """Every sector against every point, as dense ``(n_sectors, n_points)`` arrays.

    ``inside`` (limit included), ``near`` (within the band), ``distance_m`` (signed,
    positive inside; NaN beyond the band unless measured with ``distances="all"``) and
    ``band_m``.
    """

    inside: np.ndarray
    near: np.ndarray
    distance_m: np.ndarray
    band_m: np.ndarray


def measure(
    sectors: Sectors,
    pts: Points,
    band_m: float | None = None,
    uncertainty_m: np.ndarray | float = 0.0,
    distances: Literal["near", "all"] = "near",
) -> Measures:
    """Every sector against every (valid) point: what the wide :func:`ortgeo.locate` reads.

    ``"near"`` runs the candidate machinery of :func:`locate_sectors` (grid, STRtree,
    exact tests on candidates) and spreads its pairs; ``"all"`` measures every pair (every
    distance is wanted, so there is nothing to filter), with the same exact tests.

    Examples
    --------
    >>> from ortgeo.points import points_from_lonlat
    >>> s = Sectors.from_catalog().in_force("2024-06-01")
    >>> m = measure(s, points_from_lonlat([2.833889], [50.429167]), distances="all")
    >>> m.inside[:, 0].tolist(), bool(m.distance_m[0, 0] > 0)
    ([True, False, True], True)
    """
    n, k = len(pts.x), len(sectors)
    unc = np.broadcast_to(np.asarray(uncertainty_m, dtype=float), (n,))
    band = np.stack([band_of(sectors, s, unc, band_m) for s in range(k)]) if k else np.zeros((0, n))
    if distances == "all":
        inside, near, dist = np.zeros((k, n), bool), np.zeros((k, n), bool), np.zeros((k, n))

        local = threading.local()
        copies: queue.SimpleQueue[np.ndarray] = queue.SimpleQueue()
        threaded = [False]

        def run(job: tuple[int, slice]) -> None:
            s, part = job
            geometry = sectors.geometry
            if threaded[0]:  # this thread's own copy
                if not hasattr(local, "geometry"):
                    local.geometry = copies.get()
                geometry = local.geometry
            inside[s, part], near[s, part], dist[s, part] = exact_tests(
                geometry[s], sectors.boundaries[s], pts.x[part], pts.y[part],
                None, band[s, part], "all",
            )  # fmt: skip

        # GEOS releases the GIL: large inputs are measured in blocks on a few threads
        step = max(n // _THREADS, _BLOCK) if n else 1
        jobs = [(s, slice(i, i + step)) for s in range(k) for i in range(0, n, step)]
        if len(jobs) > 1 and n >= 2 * _BLOCK:
            # GEOS geometries are never shared between threads: a copy for each, made here
            # (:func:`ortgeo.engine.index.own_copy`); the limits are read as coordinates
            for _ in range(_THREADS):
                copies.put(own_copy(sectors.geometry))
            _ = sectors.boundaries
            threaded[0] = True
            with ThreadPoolExecutor(_THREADS) as pool:
                list(pool.map(run, jobs))
        else:
            for job in jobs:
                run(job)
        return Measures(inside, near, dist, band)
    point, sec, ins, nr, d = pairs(sectors, pts, band_m, np.ascontiguousarray(unc), "near")
    inside, near = np.zeros((k, n), bool), np.zeros((k, n), bool)
    dist = np.full((k, n), np.nan)
    inside[sec, point], near[sec, point], dist[sec, point] = ins, nr, d
    return Measures(inside, near, dist, band)
