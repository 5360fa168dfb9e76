"""Vectorized location of points in the perimeters in force, with signed distances and an
uncertainty band.

For every point and every layer in force on the date, plus the composite "in an ORT
sector", :func:`locate` gives ``inside``, the signed distance to the limit in metres
(Lambert-93; positive inside, negative outside) and a status (:class:`ortgeo.status.Status`):

``dedans`` / ``dehors``
    inside / outside, farther from the limit than the band;
``limite``
    within the band, where the answer cannot be trusted: band = the layer's
    ``accuracy_m`` + the point's own uncertainty (or ``band_m`` when given);
``invalide``
    missing or impossible coordinates, or a point far from the catalogue's territory;
``sans-ort``
    (composite only) no ORT sector in force that day;
``date-incertaine``
    (composite only) inside a sector only, farther than its band, whose entry into force on
    that date is not known for sure;
``indetermine``
    (composite only) outside every sector held, in a commune that signed the ORT but
    whose sectors the catalogue does not hold.

The composite follows its parts: ``dedans`` when the point is inside some sector by more
than that sector's own band, ``dehors`` when it is outside every sector by more than each
one's band, ``limite`` otherwise. Its distance and band are those of the deciding sector.

Everything is computed with shapely 2 array functions on prepared geometries: there is
no Python loop over points.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Literal

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from pyproj import Transformer

from ortgeo.catalog import Catalog
from ortgeo.communes import commune_at
from ortgeo.crs import L93, WGS84, to_l93_xy, to_wgs84_lonlat
from ortgeo.dates import DateLike
from ortgeo.errors import MissingCRSError, OrtgeoError
from ortgeo.inforce import PerimetersInForce, layer_key, on
from ortgeo.status import Status, Timing
from ortgeo.validate import metres
from ortgeo.zones import Zone

__all__ = [
    "DATE_INCERTAINE", "DEDANS", "DEHORS", "INDETERMINE", "INVALIDE", "LIMITE", "ORT_KEY",
    "SANS_ORT", "STATUSES", "layer_key", "locate", "validate_lonlat",
]  # fmt: skip

#: Statuses, re-exported from :class:`ortgeo.status.Status` for callers that import them here.
DEDANS, DEHORS, LIMITE = Status.DEDANS, Status.DEHORS, Status.LIMITE
INVALIDE, SANS_ORT = Status.INVALIDE, Status.SANS_ORT
DATE_INCERTAINE, INDETERMINE = Status.DATE_INCERTAINE, Status.INDETERMINE
#: Key of the composite "in an ORT sector" in column names.
ORT_KEY = "ort"
#: A point farther than this from every layer of the catalogue is outside its territory.
TERRITORY_MARGIN_M = 100_000.0


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
STATUSES = tuple(str(s) for s in Status)
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


def composite(
    inside: np.ndarray, dist: np.ndarray, band: np.ndarray, certain: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """The composite status codes and the index of the deciding sector, per point.

    Parameters
    ----------
    inside, dist, band : arrays (n_sectors, n_points)
        Per sector: inside, signed distance (NaN = farther than the band), band.
    certain : bool array (n_sectors,)
        Whether each sector is certainly in force on the date.

    Returns
    -------
    codes : int8 array (n_points,)
        ``dedans`` when inside some certain sector by more than its band;
        ``date-incertaine`` when that holds only for uncertain sectors; ``dehors`` when
        outside every sector by more than each band; ``limite`` otherwise.
    decider : int array (n_points,)
        The sector whose distance and band explain the answer.

    Examples
    --------
    A point 299 m inside a sector of band 250 m and 700 m outside another one (band 300 m):

    >>> codes, who = composite(np.array([[True], [False]]), np.array([[299.0], [-700.0]]),
    ...                        np.array([[250.0], [300.0]]), np.array([True, True]))
    >>> STATUSES[codes[0]], int(who[0])
    ('dedans', 0)
    """
    with np.errstate(invalid="ignore"):
        far = ~(np.abs(dist) <= band)  # NaN distance: farther than the band
        firm_in = inside & far
        firm_out = ~inside & far
        margin_in = np.where(firm_in, np.where(np.isnan(dist), np.inf, dist - band), -np.inf)
        closeness = np.where(np.isnan(dist), np.inf, np.abs(dist) - band)
    n = inside.shape[1]
    codes = np.full(n, _CODE[LIMITE], dtype=np.int8)
    decider = np.argmin(closeness, axis=0) if inside.shape[0] else np.zeros(n, int)
    certain_in = firm_in & certain[:, None]
    any_certain = certain_in.any(axis=0)
    any_in = firm_in.any(axis=0)
    all_out = firm_out.all(axis=0)
    codes[all_out] = _CODE[DEHORS]
    uncertain_only = any_in & ~any_certain
    codes[uncertain_only] = _CODE[DATE_INCERTAINE]
    codes[any_certain] = _CODE[DEDANS]
    best_certain = np.argmax(np.where(certain_in, margin_in, -np.inf), axis=0)
    best_any = np.argmax(margin_in, axis=0)
    decider = np.where(any_certain, best_certain, np.where(any_in, best_any, decider))
    return codes, decider


def _far_reason(
    x: np.ndarray, y: np.ndarray, state: PerimetersInForce, given_xy: bool
) -> np.ndarray:
    """French reason for points far from every layer of the catalogue (``""`` elsewhere)."""
    reason = np.full(x.shape, "", dtype=object)
    layers = list(state.catalog)
    if not layers or not len(x):
        return reason
    minx, miny, maxx, maxy = shapely.total_bounds([layer.geometry_l93 for layer in layers])
    with np.errstate(invalid="ignore"):
        dx = np.maximum(np.maximum(minx - x, x - maxx), 0.0)
        dy = np.maximum(np.maximum(miny - y, y - maxy), 0.0)
        dist = np.hypot(dx, dy)
        far = dist > TERRITORY_MARGIN_M
    for i in np.flatnonzero(far):
        km = f"{dist[i] / 1000:,.0f}".replace(",", "\u202f")
        if given_xy and -5.5 <= x[i] <= 10 and 41 <= y[i] <= 51.5:
            reason[i] = (
                "coordonnées qui ressemblent à des degrés WGS84 (longitude, latitude) données "
                "comme Lambert-93 : donner x et y en mètres, ou passer en longitude/latitude"
            )
        else:
            reason[i] = (
                f"point à {km} km du territoire du catalogue : système de coordonnées erroné, "
                "ou adresse hors du territoire"
            )
    return reason


def locate(
    points: object,
    date: DateLike = None,
    catalog: Catalog | None = None,
    band_m: float | None = None,
    uncertainty_m: float | Sequence[float] | np.ndarray = 0.0,
    distances: Literal["all", "near"] = "all",
    *,
    perimeters: PerimetersInForce | None = None,
    citycode: Sequence[str | None] | np.ndarray | None = None,
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
    perimeters : PerimetersInForce, optional
        What is in force (from :func:`ortgeo.on`), instead of ``date`` and ``catalog``.
    citycode : sequence of str, optional
        Each point's commune (INSEE), e.g. from the BAN; default: from the bundled outlines.

    Returns
    -------
    pandas.DataFrame
        Index of the input; columns ``lon, lat, x, y, valid, reason, commune``; for the
        composite (``ort``) ``ort_inside, ort_distance_m, ort_band_m, ort_sector,
        ort_status``; and for each layer in force (``lens_centre_ville``...)
        ``<key>_inside``, ``<key>_distance_m``, ``<key>_status``.

    Examples
    --------
    >>> res = locate(([2.833889, 2.863056], [50.429167, 50.420278]), date="2024-06-01")
    >>> res["ort_status"].tolist()
    ['dedans', 'dehors']
    >>> res[["lens_centre_ville_status", "call_opah_ru_coeur_de_ville_status"]].iloc[0].tolist()
    ['dedans', 'dedans']
    """
    if distances not in ("all", "near"):
        raise OrtgeoError(f"distances must be 'all' or 'near', not {distances!r}.")
    if band_m is not None:
        band_m = metres(band_m, "band_m")
    state = perimeters if perimeters is not None else on(date, catalog)
    lon, lat, index, not_point, given_xy = _coords(points)
    reason = validate_lonlat(lon, lat, not_point)
    n = len(lon)
    if given_xy is not None:  # degrees given as Lambert-93 fail validate_lonlat: say why
        far_given = _far_reason(given_xy[0], given_xy[1], state, given_xy=True)
        reason = np.where(far_given != "", far_given, reason)
    valid = reason == ""

    unc = np.broadcast_to(np.asarray(uncertainty_m, dtype=float), (n,))
    with np.errstate(invalid="ignore"):
        if (unc < 0).any():
            raise OrtgeoError("uncertainty_m must be ≥ 0 metres.")
    unc = np.where(np.isfinite(unc), unc, 0.0)
    if given_xy is not None:
        x, y = np.where(valid, given_xy[0], np.nan), np.where(valid, given_xy[1], np.nan)
    else:
        x, y = np.full(n, np.nan), np.full(n, np.nan)
        x[valid], y[valid] = to_l93_xy(lon[valid], lat[valid])
        bad = valid & ~(np.isfinite(x) & np.isfinite(y))
        reason[bad] = "coordonnées impossibles à projeter en Lambert-93"
        valid &= ~bad
        far = _far_reason(np.where(valid, x, 0.0), np.where(valid, y, 0.0), state, False)
        far[~valid] = ""
        reason = np.where(far != "", far, reason)
        valid &= far == ""

    commune = np.full(n, None, dtype=object)
    if citycode is not None:
        given = np.asarray(list(citycode), dtype=object)
        if given.shape != (n,):
            raise OrtgeoError(f"citycode must give one code per point ({n}), not {given.shape}.")
        commune[:] = [str(c) if c not in (None, "") and c == c else None for c in given]
    todo = valid & (commune == None)  # noqa: E711
    if todo.any():
        commune[todo] = commune_at(lon[todo], lat[todo])

    columns: dict[str, object] = {
        "lon": lon, "lat": lat, "x": x, "y": y, "valid": valid, "reason": reason,
        "commune": commune,
    }  # fmt: skip
    zones = state.zones
    all_valid = bool(valid.all())
    xv, yv = (x, y) if all_valid else (x[valid], y[valid])
    uv = unc if all_valid else unc[valid]
    results: dict[str, tuple[np.ndarray, np.ndarray]] = {}
    bands: dict[str, np.ndarray] = {}
    for key, zone in zones.items():
        bands[key] = np.full(len(xv), float(band_m)) if band_m is not None else zone.accuracy_m + uv
    if distances == "all":
        pts = shapely.points(xv, yv)
        for key, zone in zones.items():
            results[key] = _exact(zone, xv, yv, pts)
    else:
        for key, zone in zones.items():
            reach = float(bands[key].max()) if len(xv) else 0.0
            results[key] = _near(zone, xv, yv, reach)

    def spread(values: np.ndarray, fill: object, dtype: object = None) -> np.ndarray:
        if all_valid:
            return values
        out = np.full(n, fill, dtype=dtype or values.dtype)
        out[valid] = values
        return out

    invalid_codes = np.full(n, _CODE[INVALIDE], dtype=np.int8)
    sector_keys = [layer_key(x.id) for x in state.sectors]
    if sector_keys:
        ins = np.stack([results[k][0] for k in sector_keys])
        dst = np.stack([results[k][1] for k in sector_keys])
        bnd = np.stack([bands[k] for k in sector_keys])
        certain = np.array([state.timing(x) == Timing.IN_FORCE for x in state.sectors])
        codes, who = composite(ins, dst, bnd, certain)
        cols = np.arange(len(who))
        missing = state.missing_communes
        if missing:
            here = commune if all_valid else commune[valid]
            lost = (codes == _CODE[DEHORS]) & np.isin(here.astype(str), list(missing))
            codes[lost] = _CODE[INDETERMINE]
        ort_codes = invalid_codes.copy()
        ort_codes[valid] = codes
        columns["ort_inside"] = spread(ins.any(axis=0), False)
        columns["ort_distance_m"] = spread(dst[who, cols], np.nan)
        columns["ort_band_m"] = spread(bnd[who, cols], np.nan)
        ids = np.array([x.id for x in state.sectors], dtype=object)
        columns["ort_sector"] = spread(ids[who], None, object)
    else:
        ort_codes = np.where(valid, _CODE[SANS_ORT], _CODE[INVALIDE]).astype(np.int8)
        columns["ort_inside"] = np.zeros(n, bool)
        columns["ort_distance_m"] = np.full(n, np.nan)
        columns["ort_band_m"] = np.full(n, np.nan)
        columns["ort_sector"] = np.full(n, None, dtype=object)
    columns["ort_status"] = pd.Categorical.from_codes(ort_codes, categories=STATUSES)
    for key in zones:
        inside, dist = results[key]
        codes = invalid_codes.copy()
        codes[valid] = _status_codes(inside, dist, bands[key])
        columns[f"{key}_inside"] = spread(inside, False)
        columns[f"{key}_distance_m"] = spread(dist, np.nan)
        columns[f"{key}_status"] = pd.Categorical.from_codes(codes, categories=STATUSES)
    return pd.DataFrame(columns, index=index, copy=False)
