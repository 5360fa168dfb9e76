"""The sector engine: many sectors of many territories against many points.

- :mod:`ortgeo.engine.sectors` — :class:`Sectors`, a catalogue's layers as arrays (validity
  with its precisions, coverage, the model's records), in force on a day by the one rule;
- :mod:`ortgeo.engine.index` — the occupancy grid and STRtree that find candidate pairs;
- :mod:`ortgeo.engine.exact` — the exact tests (inside, within the band, distance);
- :mod:`ortgeo.engine.distance` — distances of many points to one limit, with numpy;
- :mod:`ortgeo.engine.composite` — the one composite rule and where knowledge ends;
- :mod:`ortgeo.engine.result` — :func:`locate_sectors`: the long result and composites.

Names are imported on first use: :mod:`ortgeo.engine.composite` (numpy only) serves the
one-point path without loading pandas.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from ortgeo.engine.composite import Composite, apply_coverage, composite, coverage_extent
    from ortgeo.engine.distance import boundary_distance
    from ortgeo.engine.exact import Measures, band_of, exact_tests, measure, pairs, point_geoms
    from ortgeo.engine.result import (
        SectorResult,
        layer_extents,
        locate_points,
        locate_sectors,
        point_communes,
        to_wide,
    )
    from ortgeo.engine.sectors import ORT_KINDS, Sectors, as_sectors

_LAZY = {
    **dict.fromkeys(["Composite", "apply_coverage", "composite", "coverage_extent"],
                    "ortgeo.engine.composite"),
    "boundary_distance": "ortgeo.engine.distance",
    **dict.fromkeys(["Measures", "band_of", "exact_tests", "measure", "pairs", "point_geoms"],
                    "ortgeo.engine.exact"),
    **dict.fromkeys(["SectorResult", "layer_extents", "locate_points", "locate_sectors",
                     "point_communes", "to_wide"], "ortgeo.engine.result"),
    **dict.fromkeys(["ORT_KINDS", "Sectors", "as_sectors"], "ortgeo.engine.sectors"),
}  # fmt: skip

__all__ = [
    "ORT_KINDS", "Composite", "Measures", "SectorResult", "Sectors", "apply_coverage",
    "as_sectors", "band_of", "boundary_distance", "composite", "coverage_extent", "exact_tests",
    "layer_extents",
    "locate_points", "locate_sectors", "measure", "pairs", "point_communes", "point_geoms",
    "to_wide",
]  # fmt: skip


def __getattr__(name: str) -> Any:
    if name in _LAZY:
        value = getattr(importlib.import_module(_LAZY[name]), name)
        globals()[name] = value
        return value
    raise AttributeError(f"module 'ortgeo.engine' has no attribute {name!r}")
