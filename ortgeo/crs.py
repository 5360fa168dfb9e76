"""Coordinate reference systems used by ortgeo, and a guess for files that lost theirs.

Metric work is done in Lambert-93 (EPSG:2154); storage and exchange in WGS84
(EPSG:4326).
"""

from __future__ import annotations

import numpy as np
import shapely
from pyproj import CRS, Transformer

__all__ = [
    "L93", "LENS_CENTRE_LONLAT", "WGS84", "guess_crs", "to_l93", "to_l93_point", "to_l93_xy",
    "to_wgs84_lonlat", "to_wgs84_point",
]  # fmt: skip

WGS84 = CRS.from_epsg(4326)
L93 = CRS.from_epsg(2154)

#: Place Jean-Jaurès (église Saint-Léger), the reference point of "the Lens area".
LENS_CENTRE_LONLAT = (2.833889, 50.429167)

# CRSs found in French municipal GIS files, most likely first.
_CANDIDATES = {
    2154: "Lambert-93",
    3950: "CC50 (Lambert conique conforme zone 50)",
    27572: "Lambert II étendu (NTF)",
    4326: "WGS84 longitude/latitude",
    3857: "Web Mercator",
    32631: "UTM zone 31N",
}

_to_l93 = Transformer.from_crs(WGS84, L93, always_xy=True)
_to_wgs84 = Transformer.from_crs(L93, WGS84, always_xy=True)


def to_l93_xy(lon: np.ndarray | float, lat: np.ndarray | float) -> tuple[np.ndarray, np.ndarray]:
    """Project WGS84 longitude/latitude arrays to Lambert-93 x/y (metres).

    Examples
    --------
    >>> x, y = to_l93_xy(np.array([2.833889]), np.array([50.429167]))
    >>> round(float(x[0])), round(float(y[0]))
    (688180, 7036861)
    """
    return _to_l93.transform(np.asarray(lon, dtype=float), np.asarray(lat, dtype=float))


def to_wgs84_lonlat(x: np.ndarray | float, y: np.ndarray | float) -> tuple[np.ndarray, np.ndarray]:
    """Project Lambert-93 x/y arrays (metres) to WGS84 longitude/latitude.

    Examples
    --------
    >>> lon, lat = to_wgs84_lonlat(np.array([688180.0]), np.array([7036861.3]))
    >>> round(float(lon[0]), 5), round(float(lat[0]), 5)
    (2.83389, 50.42917)
    """
    return _to_wgs84.transform(np.asarray(x, dtype=float), np.asarray(y, dtype=float))


def to_l93_point(lon: float, lat: float) -> tuple[float, float]:
    """:func:`to_l93_xy` for one point, as floats: the same transformer and numbers,
    without arrays (a quarter of the cost).

    Examples
    --------
    >>> x, y = to_l93_point(2.833889, 50.429167)
    >>> (x, y) == tuple(float(v) for v in to_l93_xy(2.833889, 50.429167))
    True
    """
    x, y = _to_l93.transform(float(lon), float(lat))
    return float(x), float(y)


def to_wgs84_point(x: float, y: float) -> tuple[float, float]:
    """:func:`to_wgs84_lonlat` for one point, as floats (the same numbers).

    Examples
    --------
    >>> lon, lat = to_wgs84_point(688180.0, 7036861.3)
    >>> (lon, lat) == tuple(float(v) for v in to_wgs84_lonlat(688180.0, 7036861.3))
    True
    """
    lon, lat = _to_wgs84.transform(float(x), float(y))
    return float(lon), float(lat)


def to_l93(geometry: shapely.Geometry) -> shapely.Geometry:
    """A WGS84 geometry in Lambert-93, without geopandas: the same vertices through the
    same transformer as ``GeoSeries.to_crs(2154)``, so the same coordinates.

    Examples
    --------
    >>> to_l93(shapely.Point(2.833889, 50.429167)).wkt
    'POINT (688179.983350236 7036861.317586589)'
    """
    include_z = bool(shapely.has_z(geometry))
    data = np.array([geometry], dtype=object)
    coords = shapely.get_coordinates(data, include_z=include_z)
    new = np.array(_to_l93.transform(*coords.T)).T
    result: shapely.Geometry = shapely.set_coordinates(data, new)[0]
    return result


def guess_crs(bounds: tuple[float, float, float, float], max_km: float = 60.0) -> list[str]:
    """Name the CRSs in which ``bounds`` would lie near Lens.

    Used to write a helpful message when a file has no CRS; never to assign one.

    Parameters
    ----------
    bounds : tuple
        ``(minx, miny, maxx, maxy)`` of the data, in unknown units.
    max_km : float
        How far from Lens the centre of the data may be for a CRS to fit.

    Returns
    -------
    list of str
        ``"EPSG:2154 (Lambert-93)"``-like strings, best fit first; empty if none fits.

    Examples
    --------
    >>> guess_crs((687000, 7036000, 689000, 7038000))
    ['EPSG:2154 (Lambert-93)']
    """
    cx, cy = (bounds[0] + bounds[2]) / 2, (bounds[1] + bounds[3]) / 2
    if not (np.isfinite(cx) and np.isfinite(cy)):
        return []
    fits: list[tuple[float, str]] = []
    for code, name in _CANDIDATES.items():
        tr = Transformer.from_crs(WGS84, CRS.from_epsg(code), always_xy=True)
        ex, ey = tr.transform(*LENS_CENTRE_LONLAT)
        if code == 4326:
            dist_km = float(np.hypot((cx - ex) * 71.0, (cy - ey) * 111.0))
        else:
            dist_km = float(np.hypot(cx - ex, cy - ey)) / 1000.0
        if dist_km <= max_km:
            fits.append((dist_km, f"EPSG:{code} ({name})"))
    return [name for _, name in sorted(fits)]
