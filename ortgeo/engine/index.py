"""The first filters of the engine: an occupancy grid and an STRtree over the sectors' boxes.

A coarse grid over the sectors' bounding boxes, widened by their reach (the band), drops the
points far from every sector with integer arithmetic (no geometry is built); one STRtree over
the widened boxes gives the candidate (point, sector) pairs of the others.
"""

from __future__ import annotations

import dataclasses
import threading
from typing import TYPE_CHECKING

import numpy as np
import shapely

if TYPE_CHECKING:
    from ortgeo.engine.sectors import Sectors

__all__ = ["CELL_M", "SectorIndex", "sector_index"]

#: Grid cell of the first filter, in metres.
CELL_M = 1000.0


@dataclasses.dataclass(frozen=True, eq=False)
class SectorIndex:
    """The occupancy grid and the STRtree over the sectors' boxes widened by their reach."""

    x0: float
    y0: float
    occupied: np.ndarray  # (ny, nx) bool
    tree: shapely.STRtree
    boundaries: np.ndarray  # prepared limits of the sectors

    @classmethod
    def build(cls, sectors: Sectors, reach: np.ndarray) -> SectorIndex:
        bounds = shapely.bounds(sectors.geometry)
        bounds[:, :2] -= reach[:, None]
        bounds[:, 2:] += reach[:, None]
        x0, y0 = bounds[:, 0].min(), bounds[:, 1].min()
        nx = int((bounds[:, 2].max() - x0) // CELL_M) + 1
        ny = int((bounds[:, 3].max() - y0) // CELL_M) + 1
        occupied = np.zeros((ny, nx), dtype=bool)
        cells = ((bounds - [x0, y0, x0, y0]) // CELL_M).astype(np.intp)
        for ix0, iy0, ix1, iy1 in cells:
            occupied[iy0 : iy1 + 1, ix0 : ix1 + 1] = True
        tree = shapely.STRtree(shapely.box(*bounds.T))
        return cls(x0, y0, occupied, tree, sectors.boundaries)

    def near(self, x: np.ndarray, y: np.ndarray) -> np.ndarray:
        """Positions of the points in an occupied cell (NaN coordinates are never near)."""
        ny, nx = self.occupied.shape
        with np.errstate(invalid="ignore"):
            ix = np.floor((x - self.x0) / CELL_M)
            iy = np.floor((y - self.y0) / CELL_M)
            ok = (ix >= 0) & (ix < nx) & (iy >= 0) & (iy < ny)
        pos = np.flatnonzero(ok)
        keep = self.occupied[iy[pos].astype(np.intp), ix[pos].astype(np.intp)]
        return pos[keep]


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
