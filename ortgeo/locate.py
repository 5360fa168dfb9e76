"""Vectorized location of points in the perimeters, with signed distances and an uncertainty band.

For every point and every layer in force on the date (plus the composite "ORT in
force"), :func:`locate` gives ``inside``, the signed distance to the limit in metres
(Lambert-93; positive inside, negative outside) and a status:

``dedans`` / ``dehors``
    inside / outside, farther from the limit than the band;
``limite``
    within the band, where the answer cannot be trusted: band = the layer's
    ``accuracy_m`` + the point's own uncertainty (or ``band_m`` when given);
``invalide``
    missing or impossible coordinates (reason in ``reason``);
``sans-ort``
    (composite only) no ORT perimeter in force that day.

Everything is computed with shapely 2 array functions on prepared geometries: there is
no Python loop over points.
"""

from __future__ import annotations

import dataclasses
import datetime as _dt
from collections.abc import Sequence
from typing import Literal

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from ortgeo.catalog import ORT_KINDS, Catalog, Layer
from ortgeo.catalog import catalog as _catalog
from ortgeo.crs import WGS84, to_l93_xy
from ortgeo.dates import DateLike, parse_date
from ortgeo.errors import MissingCRSError, OrtgeoError

__all__ = ["DEDANS", "DEHORS", "INVALIDE", "LIMITE", "SANS_ORT", "Zone", "layer_key", "locate"]

DEDANS, DEHORS, LIMITE, INVALIDE, SANS_ORT = "dedans", "dehors", "limite", "invalide", "sans-ort"
#: Key of the composite "ORT in force" in column names.
ORT_KEY = "ort"


def layer_key(layer_id: str) -> str:
    """Column prefix of a layer: its id with ``-`` replaced by ``_``.

    Examples
    --------
    >>> layer_key("ort-extension-route-de-lille-2023")
    'ort_extension_route_de_lille_2023'
    """
    return layer_id.replace("-", "_")


@dataclasses.dataclass(frozen=True)
class Zone:
    """A geometry to test points against: one layer, or the union of the ORT layers."""

    key: str
    layers: tuple[Layer, ...]
    geometry_l93: shapely.Geometry

    @property
    def accuracy_m(self) -> float:
        """Worst accuracy of the layers it is made of."""
        return max(layer.accuracy_m for layer in self.layers)

    @classmethod
    def of_layers(cls, key: str, layers: Sequence[Layer]) -> Zone:
        geom = shapely.union_all([layer.geometry_l93 for layer in layers])
        shapely.prepare(geom)
        return cls(key, tuple(layers), geom)


def zones(cat: Catalog, day: _dt.date) -> tuple[Zone | None, list[Zone]]:
    """The composite ORT zone (None when no ORT is in force) and one zone per layer in force."""
    in_force = cat.in_force(day)
    ort_layers = [layer for layer in in_force if layer.kind in ORT_KINDS]
    ort = Zone.of_layers(ORT_KEY, ort_layers) if ort_layers else None
    return ort, [Zone.of_layers(layer_key(layer.id), [layer]) for layer in in_force]


# -- input ----------------------------------------------------------------------------
def _coords(points: object) -> tuple[np.ndarray, np.ndarray, pd.Index, np.ndarray]:
    """Return lon, lat, index and a per-point "not a point" mask from any supported input."""
    if isinstance(points, gpd.GeoDataFrame):
        points = points.geometry
    if isinstance(points, gpd.GeoSeries):
        if points.crs is None:
            raise MissingCRSError(
                "The points have no CRS: set one, e.g. gdf.set_crs(4326) for longitude/latitude "
                "or gdf.set_crs(2154) for Lambert-93."
            )
        geoms = points.to_crs(WGS84).values
        not_point = ~(shapely.get_type_id(geoms) == 0) & ~shapely.is_missing(geoms)
        empty = shapely.is_missing(geoms) | shapely.is_empty(geoms) | not_point
        usable = np.where(empty, None, geoms)
        lon = shapely.get_x(usable).astype(float)  # NaN for None
        lat = shapely.get_y(usable).astype(float)
        return lon, lat, points.index, not_point
    if isinstance(points, pd.DataFrame):
        missing = {"lon", "lat"} - set(points.columns)
        if missing:
            raise OrtgeoError(
                f"The table lacks column(s) {sorted(missing)}: pass a GeoDataFrame with a CRS, "
                "or a table with 'lon' and 'lat' columns in WGS84 degrees."
            )
        lon = pd.to_numeric(points["lon"], errors="coerce").to_numpy(float)
        lat = pd.to_numeric(points["lat"], errors="coerce").to_numpy(float)
        return lon, lat, points.index, np.zeros(len(points), bool)
    if isinstance(points, tuple) and len(points) == 2:
        lon = np.atleast_1d(np.asarray(points[0], dtype=float))
        lat = np.atleast_1d(np.asarray(points[1], dtype=float))
        if lon.shape != lat.shape or lon.ndim != 1:
            raise OrtgeoError(
                f"lon and lat must be 1-D arrays of the same length (got {lon.shape} and "
                f"{lat.shape})."
            )
        return lon, lat, pd.RangeIndex(len(lon)), np.zeros(len(lon), bool)
    raise OrtgeoError(
        f"Cannot locate {type(points).__name__}: pass a GeoDataFrame/GeoSeries with a CRS, "
        "a DataFrame with 'lon'/'lat' columns, or a tuple (lon_array, lat_array)."
    )


def validate_lonlat(
    lon: np.ndarray, lat: np.ndarray, not_point: np.ndarray | None = None
) -> np.ndarray:
    """French reason why each point is invalid, ``""`` when it is fine (vectorized).

    Examples
    --------
    >>> validate_lonlat(np.array([2.83, np.nan, 50.43]), np.array([50.43, 50.4, 2.83])).tolist()
    ['', 'coordonnées manquantes', 'longitude et latitude inversées ?']
    """
    reason = np.full(lon.shape, "", dtype=object)
    if not_point is not None:
        reason[not_point] = "géométrie qui n'est pas un point"
    with np.errstate(invalid="ignore"):
        missing = ~np.isfinite(lon) | ~np.isfinite(lat)
        out = ~missing & ((np.abs(lon) > 180) | (np.abs(lat) > 90))
        # Metropolitan France: lon in [-5.5, 10], lat in [41, 51.5]; swapped pairs fall outside.
        swapped = ~missing & ~out & (lat >= -5.5) & (lat <= 10) & (lon >= 41) & (lon <= 51.5)
    reason[missing & (reason == "")] = "coordonnées manquantes"
    reason[out & (reason == "")] = "coordonnées hors limites (longitude ±180°, latitude ±90°)"
    reason[swapped & (reason == "")] = "longitude et latitude inversées ?"
    return reason


# -- core -----------------------------------------------------------------------------
def _classify(
    zone: Zone,
    x: np.ndarray,
    y: np.ndarray,
    band: np.ndarray,
    distances: Literal["all", "near"],
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """inside, signed distance (m) and status of valid points against one zone."""
    geom = zone.geometry_l93
    if distances == "all":
        inside = shapely.intersects_xy(geom, x, y)
        dist = shapely.distance(geom.boundary, shapely.points(x, y))
        dist = np.where(inside, dist, -dist)
    else:
        # Exact distances only in the ring where |distance| may be within the band.
        reach = float(np.max(band)) if band.size else 0.0
        outer, inner = geom.buffer(reach), geom.buffer(-reach)
        shapely.prepare(outer)
        shapely.prepare(inner)
        near = shapely.contains_xy(outer, x, y) & ~shapely.contains_xy(inner, x, y)
        inside = shapely.contains_xy(inner, x, y)
        dist = np.full(x.shape, np.nan)
        if near.any():
            inside[near] = shapely.intersects_xy(geom, x[near], y[near])
            d = shapely.distance(geom.boundary, shapely.points(x[near], y[near]))
            dist[near] = np.where(inside[near], d, -d)
    status = np.where(inside, DEDANS, DEHORS).astype(object)
    status[np.abs(dist) <= band] = LIMITE
    return inside, dist, status


def locate(
    points: object,
    date: DateLike = None,
    catalog: Catalog | None = None,
    band_m: float | None = None,
    uncertainty_m: float | Sequence[float] | np.ndarray = 0.0,
    distances: Literal["all", "near"] = "all",
) -> pd.DataFrame:
    """Locate points in every perimeter in force on ``date``; one row per point, same order.

    Parameters
    ----------
    points : GeoDataFrame, GeoSeries, DataFrame or tuple
        Points in any CRS (GeoSeries/GeoDataFrame with a CRS), a DataFrame with
        ``lon``/``lat`` columns (WGS84), or a tuple ``(lon_array, lat_array)``.
    date : str or date, optional
        Date of the perimeters (default today).
    catalog : Catalog, optional
        Perimeter catalogue (default: the bundled one).
    band_m : float, optional
        Width of the ``limite`` band in metres, overriding accuracy + uncertainty.
    uncertainty_m : float or array
        Each point's own position uncertainty in metres (0 for exact coordinates;
        a geocoder's match type gives more).
    distances : {"all", "near"}
        ``"all"`` computes every signed distance. ``"near"`` computes it only where
        it may fall within the band and leaves NaN elsewhere (|distance| > band):
        the statuses are the same, much faster for large batches.

    Returns
    -------
    pandas.DataFrame
        Index of the input; columns ``lon, lat, x, y, valid, reason`` then, for the
        composite ORT (``ort``) and each layer in force (``ort_2019``...),
        ``<key>_inside``, ``<key>_distance_m``, ``<key>_status``.

    Examples
    --------
    >>> res = locate(([2.833889, 2.863056], [50.429167, 50.420278]), date="2024-06-01")
    >>> res["ort_status"].tolist()
    ['dedans', 'dehors']
    >>> res[["ort_2019_status", "opah_ru_lens_status"]].iloc[0].tolist()
    ['dedans', 'dedans']
    """
    if distances not in ("all", "near"):
        raise OrtgeoError(f"distances must be 'all' or 'near', not {distances!r}.")
    cat = catalog if catalog is not None else _catalog()
    day = parse_date(date)
    lon, lat, index, not_point = _coords(points)
    reason = validate_lonlat(lon, lat, not_point)
    valid = reason == ""
    n = len(lon)

    unc = np.broadcast_to(np.asarray(uncertainty_m, dtype=float), (n,))
    unc = np.where(np.isfinite(unc), unc, 0.0)
    x = np.full(n, np.nan)
    y = np.full(n, np.nan)
    if valid.any():
        x[valid], y[valid] = to_l93_xy(lon[valid], lat[valid])
        bad = valid & ~(np.isfinite(x) & np.isfinite(y))
        reason[bad] = "coordonnées impossibles à projeter en Lambert-93"
        valid &= ~bad

    columns: dict[str, np.ndarray] = {
        "lon": lon, "lat": lat, "x": x, "y": y, "valid": valid, "reason": reason,
    }  # fmt: skip
    ort, layer_zones = zones(cat, day)
    if ort is None:
        columns["ort_inside"] = np.zeros(n, bool)
        columns["ort_distance_m"] = np.full(n, np.nan)
        columns["ort_status"] = np.where(valid, SANS_ORT, INVALIDE).astype(object)
    for zone in ([ort] if ort is not None else []) + layer_zones:
        band = np.full(n, float(band_m)) if band_m is not None else zone.accuracy_m + unc
        inside = np.zeros(n, bool)
        dist = np.full(n, np.nan)
        status = np.full(n, INVALIDE, dtype=object)
        if valid.any():
            inside[valid], dist[valid], status[valid] = _classify(
                zone, x[valid], y[valid], band[valid], distances
            )
        columns[f"{zone.key}_inside"] = inside
        columns[f"{zone.key}_distance_m"] = dist
        columns[f"{zone.key}_status"] = status
    return pd.DataFrame(columns, index=index)
