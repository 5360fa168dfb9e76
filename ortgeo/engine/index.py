"""The first filters of the engine: a grid of candidate sectors and each sector's sure zones.

A coarse grid over the sectors' bounding boxes, widened by their reach (the band), gives
for every cell the sectors whose widened box meets it: a point's candidate sectors are
those of its cell whose widened box holds it (integer and float arithmetic, no geometry
is built). Each sector also gets two sure zones, its outline moved out and in by its reach
plus a safety margin: a point of a candidate pair outside the outer zone is farther than
the band from the sector; a point inside the inner zone is inside the sector by more than
the band. Only the pairs between the two zones need an exact distance.

The outer zone has mitred corners (a corner's two offset sides extended until they meet,
cut square far out): it holds the rounded zone — every point within the distance of the
outline — with no chord and a quarter of the vertices, so its tests are cheaper; the
inner zone keeps rounded corners (its corners turn round the outline's inward corners,
where a mitre would reach closer than the distance).
"""

from __future__ import annotations

import dataclasses
import threading
from concurrent.futures import ThreadPoolExecutor
from typing import TYPE_CHECKING

import numpy as np
import shapely

from ortgeo.cpus import usable_cpus

if TYPE_CHECKING:
    from ortgeo.engine.sectors import Sectors

__all__ = ["CELL_M", "SectorIndex", "own_copy", "sector_index", "sure_margin"]

#: Grid cell of the first filter, in metres.
CELL_M = 1000.0
#: Segments per quarter circle of the sure zones' rounded corners.
_QUAD_SEGS = 8


def sure_margin(reach: np.ndarray) -> np.ndarray:
    """How much farther than ``reach`` the sure zones are drawn, in metres.

    GEOS draws a buffer's rounded corners with chords (with 8 segments per quarter circle,
    each within 0.5 % of the radius of the true arc; the outer zone's mitred corners have
    none) and may first simplify the outline by 1 % of the distance, towards the buffer
    side. A margin of 2 m + 3 % of the distance
    covers both with room to spare, so the zones only ever leave doubtful pairs to the
    exact test, never decide one wrongly.

    Examples
    --------
    >>> sure_margin(np.array([50.0, 300.0])).tolist()
    [3.5, 11.0]
    """
    return 2.0 + 0.03 * np.asarray(reach, dtype=float)


def own_copy(geometries: np.ndarray) -> np.ndarray:
    """New GEOS objects with the same coordinates (a WKB round trip), prepared.

    GEOS prepared geometries may not be used by two threads at once (the indexes they
    build on first use are not thread-safe, and shared ones corrupted memory here even
    once built): each thread that locates points works on copies of its own.

    Examples
    --------
    >>> square = np.array([shapely.box(0, 0, 10, 10)])
    >>> copy = own_copy(square)
    >>> copy[0] is square[0], bool(shapely.equals_exact(copy, square, 0).all())
    (False, True)
    """
    copy = shapely.from_wkb(shapely.to_wkb(geometries))
    shapely.prepare(copy)
    return copy


#: Fewest sectors whose sure zones are drawn on two threads at once.
PARALLEL_MIN_SECTORS = 200


def _zones(geometries: np.ndarray, distance: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The outlines moved out and in by ``distance`` (the sure zones, not prepared).

    Many sectors: the buffers (GEOS, without the GIL) are drawn in parts on two threads
    when this process may use two CPUs; each part reads the same geometries (reading is
    safe between threads; no prepared geometry is involved) and gives what one call gives.

    Examples
    --------
    >>> outer, inner = _zones(np.array([shapely.box(0, 0, 10, 10)]), np.array([1.0]))
    >>> shapely.bounds(outer).tolist(), shapely.bounds(inner).tolist()
    ([[-1.0, -1.0, 11.0, 11.0]], [[1.0, 1.0, 9.0, 9.0]])
    """
    cpus = usable_cpus()
    n = len(geometries)

    def zone(part: slice, sign: float) -> np.ndarray:
        return shapely.buffer(geometries[part], sign * distance[part], quad_segs=_QUAD_SEGS,
                              join_style="mitre" if sign > 0 else "round")  # fmt: skip

    if cpus < 2 or n < PARALLEL_MIN_SECTORS:
        return zone(slice(0, n), 1.0), zone(slice(0, n), -1.0)
    half = n // 2
    parts = [(slice(0, half), 1.0), (slice(half, n), 1.0),
             (slice(0, half), -1.0), (slice(half, n), -1.0)]  # fmt: skip
    with ThreadPoolExecutor(2, thread_name_prefix="ortgeo-zones") as pool:
        done = list(pool.map(lambda p: zone(*p), parts))
    return np.concatenate(done[:2]), np.concatenate(done[2:])


@dataclasses.dataclass(frozen=True, eq=False)
class SectorIndex:
    """Candidate sectors per grid cell, widened boxes, sure zones (see the module)."""

    x0: float
    y0: float
    shape: tuple[int, int]  # (ny, nx)
    cell_start: np.ndarray  # (ny * nx + 1,) offsets into cell_sectors
    cell_sectors: np.ndarray  # sector positions, cell by cell
    occupied: np.ndarray  # (ny * nx,) bool: cells with a sector
    boxes: np.ndarray  # (n, 4) widened bounds
    outer: np.ndarray  # prepared: the outline moved out by reach + margin
    inner: np.ndarray  # prepared: the outline moved in by reach + margin (may be empty)
    boundaries: np.ndarray  # prepared limits of the sectors

    @classmethod
    def build(cls, sectors: Sectors, reach: np.ndarray) -> SectorIndex:
        bounds = shapely.bounds(sectors.geometry)
        bounds[:, :2] -= reach[:, None]
        bounds[:, 2:] += reach[:, None]
        x0, y0 = bounds[:, 0].min(), bounds[:, 1].min()
        nx = int((bounds[:, 2].max() - x0) // CELL_M) + 1
        ny = int((bounds[:, 3].max() - y0) // CELL_M) + 1
        cells = ((bounds - [x0, y0, x0, y0]) // CELL_M).astype(np.intp)
        lists = []
        for ix0, iy0, ix1, iy1 in cells:
            iy, ix = np.mgrid[iy0 : iy1 + 1, ix0 : ix1 + 1]
            lists.append((iy * nx + ix).ravel())
        cell_of = np.concatenate(lists) if lists else np.zeros(0, np.intp)
        sector_of = np.repeat(np.arange(len(lists)), [len(c) for c in lists])
        order = np.argsort(cell_of, kind="stable")  # sectors of a cell in table order
        start = np.zeros(ny * nx + 1, dtype=np.int64)
        np.cumsum(np.bincount(cell_of, minlength=ny * nx), out=start[1:])
        distance = reach + sure_margin(reach)
        outer, inner = _zones(sectors.geometry, distance)
        shapely.prepare(outer)
        shapely.prepare(inner)
        return cls(float(x0), float(y0), (ny, nx), start, sector_of[order].astype(np.intp),
                   np.diff(start) > 0, bounds, outer, inner, sectors.boundaries)  # fmt: skip

    def for_thread(self, boundaries: np.ndarray) -> SectorIndex:
        """This index with its own GEOS zones (:func:`own_copy`) and the given limits."""
        return dataclasses.replace(self, outer=own_copy(self.outer), inner=own_copy(self.inner),
                                   boundaries=boundaries)  # fmt: skip

    def candidates(self, x: np.ndarray, y: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Pairs (point position, sector position) where the point lies in the sector's
        widened box, by point then table order. NaN coordinates have no pair."""
        ny, nx = self.shape
        with np.errstate(invalid="ignore"):
            fx = (x - self.x0) / CELL_M
            fy = (y - self.y0) / CELL_M
            ok = (fx >= 0) & (fx < nx) & (fy >= 0) & (fy < ny)  # NaN: never
            # truncation is the floor of these non-negative numbers
            cell = np.where(ok, fy, 0).astype(np.intp) * nx
            cell += np.where(ok, fx, 0).astype(np.intp)
        pos = np.flatnonzero(ok & self.occupied[cell])  # a small table: most points stop here
        cell = cell[pos]
        first = self.cell_start[cell]
        count = self.cell_start[cell + 1] - first
        point = np.repeat(pos, count)
        offset = np.arange(len(point)) - np.repeat(np.cumsum(count) - count, count)
        sec = self.cell_sectors[np.repeat(first, count) + offset]
        px, py, b = x[point], y[point], self.boxes[sec]
        inbox = (px >= b[:, 0]) & (px <= b[:, 2]) & (py >= b[:, 1]) & (py <= b[:, 3])
        return point[inbox], sec[inbox]


_BUILDING = threading.Lock()


def sector_index(sectors: Sectors, reach: np.ndarray) -> SectorIndex:
    """The index of ``sectors`` for ``reach``, built once (chunks located on several
    threads share it)."""
    with _BUILDING:
        cache = sectors.__dict__.setdefault("_indexes", {})
        key = reach.tobytes()
        if key not in cache:
            cache.clear()  # one reach at a time: a new band replaces the old index
            cache[key] = SectorIndex.build(sectors, reach)
        return cache[key]
