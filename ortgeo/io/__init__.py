"""Every file ortgeo reads, one reader per format family; engines imported lazily.

- :mod:`ortgeo.io.vector` — official perimeter files in and out (any OGR format, through
  pyogrio or fiona): :func:`read_perimeter`, :func:`write_perimeters`;
- :mod:`ortgeo.io.geojson` — plain GeoJSON with json and shapely (the point path).

The names below are imported on first use, so that ``ortgeo.io.geojson`` loads neither
geopandas nor OGR.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from ortgeo.io.geojson import plain_geojson
    from ortgeo.io.vector import DRIVERS, read_perimeter, write_perimeters

__all__ = ["DRIVERS", "plain_geojson", "read_perimeter", "write_perimeters"]

_LAZY = {
    "DRIVERS": "ortgeo.io.vector",
    "read_perimeter": "ortgeo.io.vector",
    "write_perimeters": "ortgeo.io.vector",
    "plain_geojson": "ortgeo.io.geojson",
}


def __getattr__(name: str) -> Any:
    if name in _LAZY:
        value = getattr(importlib.import_module(_LAZY[name]), name)
        globals()[name] = value
        return value
    raise AttributeError(f"module 'ortgeo.io' has no attribute {name!r}")
