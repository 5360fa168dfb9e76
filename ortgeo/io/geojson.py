"""Plain GeoJSON read with json and shapely: no OGR, pandas or geopandas.

The point path (one ``ortgeo check --lonlat``) reads the bundled perimeters and commune
outlines this way; any file that is not plain goes through :func:`ortgeo.io.read_perimeter`.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import shapely
import shapely.errors
import shapely.geometry

__all__ = ["plain_geojson"]


def plain_geojson(path: Path) -> tuple[list[shapely.Geometry], list[dict[str, Any]]] | None:
    """The polygons and properties of a plain GeoJSON file, read with json and shapely.

    "Plain": a FeatureCollection without a ``crs`` member (RFC 7946: WGS84), every feature
    a valid, non-empty 2-D Polygon or MultiPolygon within ±180°/±90°. Such a file needs none
    of :func:`ortgeo.read_perimeter`'s checks, repairs or warnings, and reads to the same
    coordinates without loading OGR, pandas or geopandas. ``None`` for any other file:
    the caller reads it with :func:`ortgeo.read_perimeter`.

    Examples
    --------
    >>> from ortgeo.catalog import bundled_path
    >>> geoms, props = plain_geojson(bundled_path() / "ort_2019.geojson")
    >>> geoms[0].geom_type, props[0]["status"]
    ('Polygon', 'indicatif')
    """
    if path.suffix.lower() not in (".geojson", ".json") or not path.is_file():
        return None
    try:
        data = json.loads(path.read_bytes())
    except (ValueError, UnicodeDecodeError):
        return None
    if not isinstance(data, dict) or data.get("type") != "FeatureCollection" or "crs" in data:
        return None
    features = data.get("features")
    if not isinstance(features, list) or not features:
        return None
    try:
        geoms = [shapely.geometry.shape(f["geometry"]) for f in features]
        props = [dict(f.get("properties") or {}) for f in features]
    except (shapely.errors.ShapelyError, AttributeError, KeyError, TypeError, ValueError):
        return None
    ok = all(
        g is not None and g.geom_type in ("Polygon", "MultiPolygon") and not g.is_empty
        and g.is_valid and not g.has_z for g in geoms
    )  # fmt: skip
    if not ok:
        return None
    minx, miny, maxx, maxy = shapely.total_bounds(geoms)
    if not (minx >= -180 and maxx <= 180 and miny >= -90 and maxy <= 90):
        return None
    return geoms, props
