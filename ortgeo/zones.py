"""Prepared geometries to test points against: one zone per layer, built once per set of
layers in force and read by :mod:`ortgeo.locate`.

A zone holds its Lambert-93 geometry (prepared), its boundary (prepared, for distances) and,
per reach, mitred outer/inner buffers with a coarse grid that classifies most points
without any GEOS call.
"""

from __future__ import annotations

import dataclasses
import functools
from collections.abc import Sequence
from typing import TYPE_CHECKING

import numpy as np
import shapely

if TYPE_CHECKING:
    from ortgeo.catalog import Layer

__all__ = ["Zone"]


@dataclasses.dataclass(frozen=True)
class _Grid:
    """A coarse grid over a ring (outer minus inner buffer) that classifies whole cells.

    Cell codes: 0 far outside (cell disjoint from the outer buffer), 1 deep inside (cell
    within the inner buffer), 2 mixed (points in it need exact tests). Points are binned
    with integer arithmetic, so most of them are classified without any GEOS call.
    """

    x0: float
    y0: float
    cell: float
    codes: np.ndarray  # (ny, nx) uint8

    @classmethod
    def build(cls, outer: shapely.Geometry, inner: shapely.Geometry, cells: int = 40_000) -> _Grid:
        minx, miny, maxx, maxy = outer.bounds
        cell = max(float(np.sqrt((maxx - minx) * (maxy - miny) / cells)), 1.0)
        nx, ny = int((maxx - minx) // cell) + 1, int((maxy - miny) // cell) + 1
        gx, gy = np.meshgrid(minx + cell * np.arange(nx), miny + cell * np.arange(ny))
        boxes = shapely.box(gx, gy, gx + cell, gy + cell)
        codes = np.full(boxes.shape, 2, dtype=np.uint8)
        codes[~shapely.intersects(outer, boxes)] = 0
        if not inner.is_empty:
            codes[shapely.contains_properly(inner, boxes)] = 1
        return cls(minx, miny, cell, codes)

    def classify(self, x: np.ndarray, y: np.ndarray) -> np.ndarray:
        ny, nx = self.codes.shape
        ix = np.floor((x - self.x0) / self.cell)
        iy = np.floor((y - self.y0) / self.cell)
        ok = (ix >= 0) & (ix < nx) & (iy >= 0) & (iy < ny)
        out = np.zeros(x.shape, dtype=np.uint8)
        out[ok] = self.codes[iy[ok].astype(np.intp), ix[ok].astype(np.intp)]
        return out


@dataclasses.dataclass(frozen=True, eq=False)
class Zone:
    """A geometry to test points against (one layer, or a union), prepared once."""

    key: str
    layers: tuple[Layer, ...]
    geometry_l93: shapely.Geometry

    @functools.cached_property
    def boundary_l93(self) -> shapely.Geometry:
        """The limit (boundary) of the zone, prepared for distance queries."""
        boundary = self.geometry_l93.boundary
        shapely.prepare(boundary)
        return boundary

    def buffers(self, reach: float) -> tuple[shapely.Geometry, shapely.Geometry, _Grid]:
        """Prepared outer and inner buffers at ``reach`` metres and their grid (cached)."""
        cache = self.__dict__.setdefault("_buffers", {})
        if reach not in cache:
            # Mitred offsets have few vertices (fast tests) and are conservative: the
            # outer one contains every point within ``reach`` of the zone, the inner one
            # only points farther than ``reach`` inside it.
            geom = self.geometry_l93
            outer = geom.buffer(reach, join_style="mitre", mitre_limit=10.0)
            inner = geom.buffer(-reach, join_style="mitre", mitre_limit=10.0)
            shapely.prepare(outer)
            shapely.prepare(inner)
            cache[reach] = (outer, inner, _Grid.build(outer, inner))
        return cache[reach]

    @property
    def accuracy_m(self) -> float:
        """Worst accuracy of the layers it is made of."""
        return max(layer.accuracy_m for layer in self.layers)

    @classmethod
    def of_layers(cls, key: str, layers: Sequence[Layer]) -> Zone:
        """The zone of one layer, or of the union of several, prepared for queries."""
        geom = shapely.union_all([layer.geometry_l93 for layer in layers])
        shapely.prepare(geom)
        return cls(key, tuple(layers), geom)
