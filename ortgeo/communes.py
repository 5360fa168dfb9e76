"""Commune outlines of the CALL and the national table of ORT communes (bundled extracts).

The commune of a point comes from these outlines (or from the BAN's INSEE code), never from
an ORT polygon. See ``data/communes/PROVENANCE.md`` for sources and licences.
"""

from __future__ import annotations

import functools
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from ortgeo.crs import WGS84

__all__ = ["commune_at", "commune_outlines", "communes_path", "ort_communes"]


def communes_path() -> Path:
    """Folder of the bundled commune data (inside the wheel, or ``data/communes``).

    Examples
    --------
    >>> (communes_path() / "communes.geojson").exists()
    True
    """
    packaged = Path(__file__).resolve().parent / "_data" / "communes"
    if packaged.is_dir():
        return packaged
    return Path(__file__).resolve().parents[1] / "data" / "communes"


@functools.lru_cache(maxsize=1)
def _outlines() -> gpd.GeoDataFrame:
    gdf = gpd.read_file(communes_path() / "communes.geojson", engine="pyogrio")
    gdf = gdf.set_crs(WGS84, allow_override=True)
    shapely.prepare(gdf.geometry.values)
    return gdf


def commune_outlines() -> gpd.GeoDataFrame:
    """The outlines of the 36 CALL communes (Lens and all its neighbours), EPSG:4326.

    Columns ``code`` (INSEE), ``nom``, ``call`` (member of the CALL), ``geometry``.

    Examples
    --------
    >>> c = commune_outlines()
    >>> c.crs.to_epsg(), c.loc[c["code"] == "62498", "nom"].item()
    (4326, 'Lens')
    """
    return _outlines().copy()


def commune_at(lon: object, lat: object) -> np.ndarray:
    """INSEE code of the bundled commune outline containing each point (``None`` outside).

    Parameters
    ----------
    lon, lat : float or array-like
        WGS84 degrees.

    Returns
    -------
    numpy.ndarray of object
        One code (or ``None``) per point.

    Examples
    --------
    >>> commune_at([2.833889, 2.7857, 0.0], [50.429167, 50.4226, 45.0]).tolist()
    ['62498', '62510', None]
    """
    x = np.atleast_1d(np.asarray(lon, dtype=float))
    y = np.atleast_1d(np.asarray(lat, dtype=float))
    gdf = _outlines()
    out = np.full(x.shape, None, dtype=object)
    ok = np.isfinite(x) & np.isfinite(y)
    if not ok.any():
        return out
    pts = shapely.points(x[ok], y[ok])
    hit_pt, hit_poly = gdf.sindex.query(pts, predicate="intersects")
    codes = np.full(int(ok.sum()), None, dtype=object)
    codes[hit_pt] = gdf["code"].to_numpy()[hit_poly]  # on a shared border: one of the two
    out[ok] = codes
    return out


@functools.lru_cache(maxsize=1)
def _ort_table() -> pd.DataFrame:
    table = pd.read_csv(communes_path() / "ort_communes.csv", dtype=str, keep_default_na=False)
    for col in ("acv", "pvd"):
        table[col] = table[col] == "True"
    return table.set_index("insee", drop=False)


def ort_communes() -> pd.DataFrame:
    """The ANCT table of communes followed for the ORT, ACV and PVD (one row per INSEE code).

    Examples
    --------
    >>> t = ort_communes()
    >>> t.loc["62498", ["nom", "programme", "ort", "ort_signee_le"]].tolist()
    ['Lens', 'acv', 'signee', '2019-08-04']
    """
    return _ort_table().copy()
