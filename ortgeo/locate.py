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
import functools
import weakref
from collections.abc import Sequence
from typing import Literal

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from pyproj import Transformer

from ortgeo.catalog import ORT_KINDS, Catalog, Layer
from ortgeo.catalog import catalog as _catalog
from ortgeo.crs import L93, WGS84, to_l93_xy, to_wgs84_lonlat
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
    """A geometry to test points against: one layer, or the union of the ORT layers."""

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
        geom = shapely.union_all([layer.geometry_l93 for layer in layers])
        shapely.prepare(geom)
        return cls(key, tuple(layers), geom)


_ZONES: weakref.WeakKeyDictionary[Catalog, dict] = weakref.WeakKeyDictionary()


def zones(cat: Catalog, day: _dt.date) -> tuple[Zone | None, list[Zone]]:
    """The composite ORT zone (None when no ORT is in force) and one zone per layer in force.

    Zones are prepared once per catalogue and set of layers in force, then reused.
    """
    in_force = cat.in_force(day)
    cache = _ZONES.setdefault(cat, {})
    key = tuple(layer.id for layer in in_force)
    if key not in cache:
        ort_layers = [layer for layer in in_force if layer.kind in ORT_KINDS]
        ort = Zone.of_layers(ORT_KEY, ort_layers) if ort_layers else None
        cache[key] = (ort, [Zone.of_layers(layer_key(layer.id), [layer]) for layer in in_force])
    return cache[key]


# -- input ----------------------------------------------------------------------------
def _coords(
    points: object,
) -> tuple[np.ndarray, np.ndarray, pd.Index, np.ndarray, tuple[np.ndarray, np.ndarray] | None]:
    """Return lon, lat, index, a "not a point" mask and, for Lambert-93 input, its x/y."""
    if isinstance(points, gpd.GeoDataFrame):
        points = points.geometry
    if isinstance(points, gpd.GeoSeries):
        if points.crs is None:
            raise MissingCRSError(
                "The points have no CRS: set one, e.g. gdf.set_crs(4326) for longitude/latitude "
                "or gdf.set_crs(2154) for Lambert-93."
            )
        geoms = points.values
        not_point = ~(shapely.get_type_id(geoms) == 0) & ~shapely.is_missing(geoms)
        empty = shapely.is_missing(geoms) | shapely.is_empty(geoms) | not_point
        usable = np.where(empty, None, geoms)
        a = shapely.get_x(usable).astype(float)  # NaN for None
        b = shapely.get_y(usable).astype(float)
        if points.crs.equals(WGS84):
            return a, b, points.index, not_point, None
        if points.crs.equals(L93):
            lon, lat = to_wgs84_lonlat(a, b)
            return lon, lat, points.index, not_point, (a, b)
        lon, lat = Transformer.from_crs(points.crs, WGS84, always_xy=True).transform(a, b)
        return np.asarray(lon), np.asarray(lat), points.index, not_point, None
    if isinstance(points, pd.DataFrame):
        missing = {"lon", "lat"} - set(points.columns)
        if missing:
            raise OrtgeoError(
                f"The table lacks column(s) {sorted(missing)}: pass a GeoDataFrame with a CRS, "
                "or a table with 'lon' and 'lat' columns in WGS84 degrees."
            )
        lon = pd.to_numeric(points["lon"], errors="coerce").to_numpy(float)
        lat = pd.to_numeric(points["lat"], errors="coerce").to_numpy(float)
        return lon, lat, points.index, np.zeros(len(points), bool), None
    if isinstance(points, tuple) and len(points) == 2:
        lon = np.atleast_1d(np.asarray(points[0], dtype=float))
        lat = np.atleast_1d(np.asarray(points[1], dtype=float))
        if lon.shape != lat.shape or lon.ndim != 1:
            raise OrtgeoError(
                f"lon and lat must be 1-D arrays of the same length (got {lon.shape} and "
                f"{lat.shape})."
            )
        return lon, lat, pd.RangeIndex(len(lon)), np.zeros(len(lon), bool), None
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
#: Status categories; statuses are returned as a pandas Categorical of these.
STATUSES = (DEDANS, DEHORS, LIMITE, INVALIDE, SANS_ORT)
_CODE = {name: i for i, name in enumerate(STATUSES)}


def _status_codes(inside: np.ndarray, dist: np.ndarray, band: np.ndarray) -> np.ndarray:
    codes = np.where(inside, _CODE[DEDANS], _CODE[DEHORS]).astype(np.int8)
    with np.errstate(invalid="ignore"):
        codes[np.abs(dist) <= band] = _CODE[LIMITE]
    return codes


def _exact(zone: Zone, x: np.ndarray, y: np.ndarray, pts: np.ndarray | None = None):
    """inside (boundary included) and exact signed distance of points to one zone."""
    inside = shapely.intersects_xy(zone.geometry_l93, x, y)
    d = shapely.distance(zone.boundary_l93, pts if pts is not None else shapely.points(x, y))
    return inside, np.where(inside, d, -d)


def _near(zone: Zone, x: np.ndarray, y: np.ndarray, reach: float):
    """inside and signed distance, exact only where |distance| ≤ reach (NaN elsewhere)."""
    outer, inner, grid = zone.buffers(reach)
    cls = grid.classify(x, y)
    inside = cls == 1
    mixed = np.flatnonzero(cls == 2)
    deep = shapely.contains_xy(inner, x[mixed], y[mixed])
    inside[mixed[deep]] = True
    near = np.zeros(x.shape, bool)
    near[mixed[~deep]] = shapely.contains_xy(outer, x[mixed[~deep]], y[mixed[~deep]])
    dist = np.full(x.shape, np.nan)
    if near.any():
        inside[near], dist[near] = _exact(zone, x[near], y[near])
    return inside, dist


def _composite_exact(ort: Zone, results: dict[str, tuple], x, y) -> tuple:
    """Union of ORT layers from the per-layer exact results; GEOS only where needed.

    With d_i the signed distance to layer i: a point outside every layer is at
    ``-min |d_i|`` from the union; a point inside exactly one layer j with
    ``|d_j| < |d_i|`` for every other i is at ``d_j`` (the nearest point of ∂j is then
    outside the other layers, so it lies on the union's boundary). Only the other inside
    points (inside several layers, or nearer another layer) are measured against the
    union's boundary.
    """
    parts = [results[layer_key(layer.id)] for layer in ort.layers]
    if len(parts) == 1:
        return parts[0]
    ins = np.stack([p[0] for p in parts])
    dists = np.stack([p[1] for p in parts])
    inside = ins.any(axis=0)
    dist = dists.max(axis=0)  # outside all: -min |d_i|; inside one layer: its d_j
    absd = np.abs(dists)
    nearest = absd.argmin(axis=0)
    simple = (ins.sum(axis=0) == 1) & ins[nearest, np.arange(ins.shape[1])]
    simple &= (absd < absd.min(axis=0, initial=np.inf, where=ins == 0)[None, :]).any(axis=0)
    hard = inside & ~simple
    if hard.any():
        dist[hard] = _exact(ort, x[hard], y[hard])[1]
    return inside, dist


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
    lon, lat, index, not_point, given_xy = _coords(points)
    reason = validate_lonlat(lon, lat, not_point)
    valid = reason == ""
    n = len(lon)

    unc = np.broadcast_to(np.asarray(uncertainty_m, dtype=float), (n,))
    unc = np.where(np.isfinite(unc), unc, 0.0)
    if given_xy is not None:
        x, y = np.where(valid, given_xy[0], np.nan), np.where(valid, given_xy[1], np.nan)
    else:
        x, y = np.full(n, np.nan), np.full(n, np.nan)
        x[valid], y[valid] = to_l93_xy(lon[valid], lat[valid])
        bad = valid & ~(np.isfinite(x) & np.isfinite(y))
        reason[bad] = "coordonnées impossibles à projeter en Lambert-93"
        valid &= ~bad

    columns: dict[str, object] = {
        "lon": lon, "lat": lat, "x": x, "y": y, "valid": valid, "reason": reason,
    }  # fmt: skip
    ort, layer_zones = zones(cat, day)
    all_valid = bool(valid.all())
    xv, yv = (x, y) if all_valid else (x[valid], y[valid])
    results: dict[str, tuple[np.ndarray, np.ndarray]] = {}
    bands: dict[str, np.ndarray] = {}
    for zone in layer_zones + ([ort] if ort is not None else []):
        band = np.full(n, float(band_m)) if band_m is not None else zone.accuracy_m + unc
        bands[zone.key] = band if all_valid else band[valid]
    if distances == "all":
        pts = shapely.points(xv, yv)
        for zone in layer_zones:
            results[zone.key] = _exact(zone, xv, yv, pts)
        if ort is not None:
            results[ORT_KEY] = _composite_exact(ort, results, xv, yv)
    else:
        for zone in layer_zones + ([ort] if ort is not None else []):
            reach = float(bands[zone.key].max()) if valid.any() else 0.0
            results[zone.key] = _near(zone, xv, yv, reach)

    def put(key: str, inside: np.ndarray, dist: np.ndarray, codes: np.ndarray) -> None:
        columns[f"{key}_inside"] = inside
        columns[f"{key}_distance_m"] = dist
        columns[f"{key}_status"] = pd.Categorical.from_codes(codes, categories=STATUSES)

    invalid_codes = np.full(n, _CODE[INVALIDE], dtype=np.int8)
    if ort is None:
        codes = np.where(valid, _CODE[SANS_ORT], _CODE[INVALIDE]).astype(np.int8)
        put(ORT_KEY, np.zeros(n, bool), np.full(n, np.nan), codes)
    for key in ([ORT_KEY] if ort is not None else []) + [z.key for z in layer_zones]:
        if all_valid:
            inside, dist = results[key]
            put(key, inside, dist, _status_codes(inside, dist, bands[key]))
            continue
        inside, dist, codes = np.zeros(n, bool), np.full(n, np.nan), invalid_codes.copy()
        inside[valid], dist[valid] = results[key]
        codes[valid] = _status_codes(inside[valid], dist[valid], bands[key])
        put(key, inside, dist, codes)
    return pd.DataFrame(columns, index=index, copy=False)
