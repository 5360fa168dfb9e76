"""Every file ortgeo reads, one reader per format family; engines imported lazily.

- :mod:`ortgeo.io.checks` — the one set of checks every reader runs (file found, size,
  binary or UTF-16 content, encoding line by line, separator, header, ragged rows);
- :mod:`ortgeo.io.tables` — tables of addresses or parcels, CSV or ``.xlsx``:
  :func:`load_table`, :func:`read_table`;
- :mod:`ortgeo.io.pointfiles` — files of points streamed in chunks, CSV(.gz) through
  pyarrow and Parquet / GeoParquet: :func:`read_point_chunks`;
- :mod:`ortgeo.io.cadastre` — Etalab cadastre parcel files: :func:`read_cadastre`,
  :func:`check_cadastre_file`;
- :mod:`ortgeo.io.vector` — official perimeter files in and out, line layers (any OGR
  format, through pyogrio or fiona): :func:`read_perimeter`, :func:`write_perimeters`,
  :func:`read_lines`;
- :mod:`ortgeo.io.geojson` — plain GeoJSON with json and shapely (the point path).

BAN exports are read by :mod:`ortgeo.geocoders.ban_export`, beside the index they feed.
Every write goes through :mod:`ortgeo.output`. The names below are imported on first use,
so that ``ortgeo.io.geojson`` loads neither pandas, geopandas nor OGR.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from ortgeo.io.cadastre import check_cadastre_file, read_cadastre
    from ortgeo.io.geojson import plain_geojson
    from ortgeo.io.pointfiles import read_point_chunks
    from ortgeo.io.tables import load_table, read_table
    from ortgeo.io.vector import DRIVERS, read_lines, read_perimeter, write_perimeters

__all__ = [
    "DRIVERS",
    "check_cadastre_file",
    "load_table",
    "plain_geojson",
    "read_cadastre",
    "read_lines",
    "read_perimeter",
    "read_point_chunks",
    "read_table",
    "write_perimeters",
]

_LAZY = {
    "DRIVERS": "ortgeo.io.vector",
    "read_lines": "ortgeo.io.vector",
    "read_perimeter": "ortgeo.io.vector",
    "write_perimeters": "ortgeo.io.vector",
    "plain_geojson": "ortgeo.io.geojson",
    "load_table": "ortgeo.io.tables",
    "read_table": "ortgeo.io.tables",
    "read_point_chunks": "ortgeo.io.pointfiles",
    "read_cadastre": "ortgeo.io.cadastre",
    "check_cadastre_file": "ortgeo.io.cadastre",
}


def __getattr__(name: str) -> Any:
    if name in _LAZY:
        value = getattr(importlib.import_module(_LAZY[name]), name)
        globals()[name] = value
        return value
    raise AttributeError(f"module 'ortgeo.io' has no attribute {name!r}")
