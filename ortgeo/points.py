"""Points as the engine reads them: Lambert-93 x/y with a reason when unusable.

One reader for every input :func:`ortgeo.locate` and :func:`ortgeo.engine.locate_sectors`
take (GeoSeries/GeoDataFrame with a CRS, a table with coordinate columns, a tuple of
longitude/latitude arrays): point geometries are read, never built again, and kept for
Lambert-93 input so that distances reuse them.
"""

from __future__ import annotations

import dataclasses
from typing import TYPE_CHECKING

import numpy as np
import shapely

from ortgeo.crs import L93, WGS84, to_l93_xy
from ortgeo.errors import InputFileError, InvalidCoordinateError, MissingCRSError, OrtgeoError

if TYPE_CHECKING:  # pandas is imported where a table or an index is built
    import pandas as pd

__all__ = [
    "L93_BOUNDS",
    "REASONS",
    "Points",
    "coordinates",
    "parse_numbers",
    "points_from_lonlat",
    "points_from_xy",
    "points_xy",
    "validate_lonlat",
    "validate_xy",
]

#: Every reason a point can be invalid for ("" = valid), as the categories of ``reason``.
REASONS = (
    "", "coordonnées manquantes", "coordonnées hors limites (longitude ±180°, latitude ±90°)",
    "longitude et latitude inversées ?", "coordonnées impossibles à projeter en Lambert-93",
    "coordonnées hors du domaine Lambert-93 (France métropolitaine)",
    "géométrie qui n'est pas un point", "coordonnées non numériques",
)  # fmt: skip
#: Texts that mean "no value" in a coordinate cell.
_MISSING_WORDS = ("", "nan", "na", "n/a", "null", "none", "<na>")
# Lambert-93 domain (metropolitan France and its margins), to reject impossible x/y.
L93_BOUNDS = (-400_000.0, 6_000_000.0, 1_400_000.0, 7_250_000.0)


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
        reason[not_point] = REASONS[6]
    with np.errstate(invalid="ignore"):
        missing = ~np.isfinite(lon) | ~np.isfinite(lat)
        out = ~missing & ((np.abs(lon) > 180) | (np.abs(lat) > 90))
        # Metropolitan France: lon in [-5.5, 10], lat in [41, 51.5]; swapped pairs fall outside.
        swapped = ~missing & ~out & (lat >= -5.5) & (lat <= 10) & (lon >= 41) & (lon <= 51.5)
    reason[missing & (reason == "")] = REASONS[1]
    reason[out & (reason == "")] = REASONS[2]
    reason[swapped & (reason == "")] = REASONS[3]
    return reason


def validate_xy(x: np.ndarray, y: np.ndarray) -> np.ndarray:
    """French reason why each Lambert-93 point is invalid, ``""`` when it is fine.

    Examples
    --------
    >>> validate_xy(np.array([688180.0, np.nan, 2.8]), np.array([7036861.0, 1.0, 50.4])).tolist()
    ['', 'coordonnées manquantes', 'coordonnées hors du domaine Lambert-93 (France métropolitaine)']
    """
    reason = np.full(x.shape, "", dtype=object)
    with np.errstate(invalid="ignore"):
        missing = ~np.isfinite(x) | ~np.isfinite(y)
        xmin, ymin, xmax, ymax = L93_BOUNDS
        out = ~missing & ((x < xmin) | (x > xmax) | (y < ymin) | (y > ymax))
    reason[missing] = REASONS[1]
    reason[out] = REASONS[5]
    return reason


@dataclasses.dataclass(frozen=True)
class Points:
    """Lambert-93 coordinates of points with their validity (``reason`` = "" when valid).

    ``lon``/``lat`` are the WGS84 input when the points came as degrees; ``geoms`` the
    input's own Lambert-93 point geometries when it had them (reused for distances).
    """

    x: np.ndarray
    y: np.ndarray
    reason: np.ndarray
    index: pd.Index
    lon: np.ndarray | None = None
    lat: np.ndarray | None = None
    geoms: np.ndarray | None = None

    @property
    def valid(self) -> np.ndarray:
        """Whether each point has usable coordinates."""
        return self.reason == ""

    def take(self, pos: np.ndarray) -> Points:
        """The points at positions ``pos``."""
        return Points(
            self.x[pos], self.y[pos], self.reason[pos], self.index[pos],
            None if self.lon is None else self.lon[pos],
            None if self.lat is None else self.lat[pos],
            None if self.geoms is None else self.geoms[pos],
        )  # fmt: skip

    @property
    def given_xy(self) -> bool:
        """Whether the input gave Lambert-93 x/y rather than WGS84 degrees."""
        return self.lon is None


def parse_numbers(values: object) -> tuple[np.ndarray, np.ndarray]:
    """Coordinates as floats, and where a value was given that is not a number.

    Numbers are used as they are; text is read with a decimal point or a French decimal
    comma (``"2,8339"``); an empty cell (or ``nan``, ``null``...) is missing (NaN), and
    any other text is NaN *and* flagged, so that it is reported as « coordonnées non
    numériques », not as missing.

    Examples
    --------
    >>> x, bad = parse_numbers(["2.83", "2,84", "", "2°50'", None])
    >>> x.tolist()[:2], np.isnan(x[2:]).tolist(), bad.tolist()
    ([2.83, 2.84], [True, True, True], [False, False, False, True, False])
    """
    raw = values if isinstance(values, np.ndarray) else np.asarray(values)
    if raw.dtype.kind in "fiub":  # already numbers: no pandas
        return raw.astype(float), np.zeros(raw.shape, dtype=bool)
    import pandas as pd

    series = values if isinstance(values, pd.Series) else pd.Series(raw.ravel(), dtype=object)
    nums = np.asarray(pd.to_numeric(series, errors="coerce"), dtype=float).copy()
    bad = np.zeros(len(nums), dtype=bool)
    retry = np.flatnonzero(np.isnan(nums))
    if len(retry):
        given = series.iloc[retry]
        text = given.where(given.notna(), "").astype(str).str.strip()
        missing = text.str.lower().isin(_MISSING_WORDS).to_numpy()
        comma = text.str.contains(",", regex=False) & ~text.str.contains(".", regex=False)
        fixed = text.where(~comma, text.str.replace(",", ".", regex=False))
        again = np.asarray(pd.to_numeric(fixed, errors="coerce"), dtype=float)
        nums[retry] = again
        bad[retry] = np.isnan(again) & ~missing
    return nums.reshape(raw.shape), bad.reshape(raw.shape)


def coordinates(
    a: object, b: object, names: tuple[str, str] = ("lon", "lat")
) -> tuple[np.ndarray, np.ndarray]:
    """The two coordinates of :func:`ortgeo.check_point` as float arrays (scalars stay 0-d).

    Text is read with a decimal point or a French decimal comma; text that is not a
    number is refused, by name.

    Raises
    ------
    InvalidCoordinateError
        A value that is not a number.

    Examples
    --------
    >>> [float(v) for v in coordinates("2,8339", 50.4292)]
    [2.8339, 50.4292]
    >>> coordinates("abc", 50.4292)
    Traceback (most recent call last):
    ...
    ortgeo.errors.InvalidCoordinateError: lon 'abc' is not a number: give decimal degrees ...
    """
    out = []
    for name, value in zip(names, (a, b), strict=True):
        try:
            out.append(np.asarray(value, dtype=float))
            continue
        except (TypeError, ValueError):  # text, or several values some of which are text
            pass
        given = np.asarray(value, dtype=object)
        nums, bad = parse_numbers(given)
        if bad.any():
            first = given.ravel()[int(np.argmax(bad.ravel()))]
            raise InvalidCoordinateError(
                f"{name} {str(first)!r} is not a number: give decimal degrees (or metres), "
                "e.g. 2.8339 or 2,8339."
            )
        out.append(nums)
    return out[0], out[1]


def points_from_lonlat(lon: object, lat: object, index: pd.Index | None = None) -> Points:
    """Points from WGS84 longitude/latitude arrays (validated, then projected).

    Examples
    --------
    >>> p = points_from_lonlat([2.833889, np.nan], [50.429167, 50.4])
    >>> round(float(p.x[0])), p.reason.tolist()
    (688180, ['', 'coordonnées manquantes'])
    """
    (lon, bad_lon), (lat, bad_lat) = parse_numbers(lon), parse_numbers(lat)
    reason = validate_lonlat(lon, lat)
    reason[bad_lon | bad_lat] = REASONS[7]
    ok = reason == ""
    x, y = np.full(len(lon), np.nan), np.full(len(lon), np.nan)
    x[ok], y[ok] = to_l93_xy(lon[ok], lat[ok])
    reason[ok & ~(np.isfinite(x) & np.isfinite(y))] = REASONS[4]
    import pandas as pd

    return Points(x, y, reason, index if index is not None else pd.RangeIndex(len(lon)), lon, lat)


def points_from_xy(
    x: object, y: object, index: pd.Index | None = None, geoms: np.ndarray | None = None
) -> Points:
    """Points from Lambert-93 x/y arrays (used as they are, validated).

    Examples
    --------
    >>> points_from_xy([688180.0], [7036861.0]).valid.tolist()
    [True]
    """
    (x, bad_x), (y, bad_y) = parse_numbers(x), parse_numbers(y)
    reason = validate_xy(x, y)
    reason[bad_x | bad_y] = REASONS[7]
    import pandas as pd

    index = index if index is not None else pd.RangeIndex(len(x))
    return Points(x, y, reason, index, geoms=geoms)


def points_xy(points: object, *, xy_columns: bool = True) -> Points:
    """Lambert-93 x/y of points given as a GeoSeries/GeoDataFrame, a table or a tuple.

    A table uses its Lambert-93 ``x``/``y`` columns when it has them (and ``xy_columns``),
    else ``lon``/``lat`` (WGS84); a tuple is ``(lon_array, lat_array)``. A GeoSeries in a
    CRS other than Lambert-93 and WGS84 is converted to WGS84 first. Point geometries are
    read, never built.

    Examples
    --------
    >>> import pandas as pd
    >>> p = points_xy(pd.DataFrame({"x": [688180.0], "y": [7036861.0]}))
    >>> p.x.tolist(), p.valid.tolist()
    ([688180.0], [True])
    """
    import geopandas as gpd
    import pandas as pd

    if isinstance(points, gpd.GeoDataFrame):
        points = points.geometry
    if isinstance(points, gpd.GeoSeries):
        if points.crs is None:
            raise MissingCRSError(
                "The points have no CRS: set one, e.g. gdf.set_crs(4326) for longitude/latitude "
                "or gdf.set_crs(2154) for Lambert-93."
            )
        geoms = np.asarray(points.values)
        missing = shapely.is_missing(geoms)
        not_point = (shapely.get_type_id(geoms) != 0) & ~missing
        unusable = missing | not_point | shapely.is_empty(geoms)
        usable = geoms
        if unusable.any():
            usable = geoms.copy()
            usable[unusable] = None
        a, b = shapely.get_x(usable).astype(float), shapely.get_y(usable).astype(float)
        if points.crs.equals(L93):
            result = points_from_xy(a, b, points.index, geoms=usable)
        else:
            if not points.crs.equals(WGS84):
                from pyproj import Transformer

                a, b = Transformer.from_crs(points.crs, WGS84, always_xy=True).transform(a, b)
            result = points_from_lonlat(a, b, points.index)
        result.reason[not_point] = REASONS[6]
        return result
    if isinstance(points, pd.DataFrame):
        if xy_columns and {"x", "y"} <= set(points.columns):
            return points_from_xy(points["x"], points["y"], points.index)
        if {"lon", "lat"} <= set(points.columns):
            return points_from_lonlat(points["lon"], points["lat"], points.index)
        if not xy_columns:
            missing_cols = sorted({"lon", "lat"} - set(points.columns))
            raise OrtgeoError(
                f"The table lacks column(s) {missing_cols}: pass a GeoDataFrame with a CRS, "
                "or a table with 'lon' and 'lat' columns in WGS84 degrees."
            )
        raise InputFileError(
            "The table has neither Lambert-93 'x'/'y' columns nor WGS84 'lon'/'lat' columns: "
            "rename its coordinate columns, or pass a GeoDataFrame with a CRS."
        )
    if isinstance(points, tuple) and len(points) == 2:
        lon, lat = (np.atleast_1d(np.asarray(v, dtype=float)) for v in points)
        if lon.shape != lat.shape or lon.ndim != 1:
            raise OrtgeoError(
                f"lon and lat must be 1-D arrays of the same length (got {lon.shape} and "
                f"{lat.shape})."
            )
        return points_from_lonlat(lon, lat)
    raise OrtgeoError(
        f"Cannot locate {type(points).__name__}: pass a GeoDataFrame/GeoSeries with a CRS, "
        "a table with 'x'/'y' (Lambert-93) or 'lon'/'lat' columns, or a tuple (lon, lat)."
    )
