"""Commune outlines of the CALL and the national table of ORT communes (bundled extracts).

The commune of a point comes from these outlines (or from the BAN's INSEE code), never from
an ORT polygon. See ``data/communes/PROVENANCE.md`` for sources and licences.
"""

from __future__ import annotations

import csv
import functools
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
import shapely

from ortgeo.crs import L93, WGS84, to_wgs84_lonlat

if TYPE_CHECKING:  # pandas and geopandas only for the tables and the large batches
    import geopandas as gpd
    import pandas as pd

__all__ = [
    "LENS_INSEE", "commune_at", "commune_at_lonlat", "commune_at_xy", "commune_name", "commune_outlines",
    "communes_path", "ort_communes", "ort_rows",
]  # fmt: skip


#: Lens, the commune of the bundled sectors (listed first in the annex's address lists).
LENS_INSEE = "62498"


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
    import geopandas as gpd

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


@functools.lru_cache(maxsize=1)
def _outline_index() -> tuple[shapely.STRtree, np.ndarray, dict[str, str]]:
    """The outlines' spatial index, INSEE codes and names, read with json and shapely (no
    geopandas: a point check needs only this), looked up once."""
    from ortgeo.io.geojson import plain_geojson

    plain = plain_geojson(communes_path() / "communes.geojson")
    if plain is None:  # pragma: no cover - the bundled file is plain GeoJSON
        raise RuntimeError("The bundled communes.geojson is damaged: reinstall ortgeo.")
    geoms, props = np.array(plain[0], dtype=object), plain[1]
    shapely.prepare(geoms)
    names = {str(p["code"]): str(p["nom"]) for p in props}
    return shapely.STRtree(geoms), np.array([str(p["code"]) for p in props], object), names


def commune_name(insee: str) -> str:
    """Name of a commune of the bundled outlines (``""`` when it is not one of them).

    Examples
    --------
    >>> commune_name("62523"), commune_name("75056")
    ('Loison-sous-Lens', '')
    """
    return _outline_index()[2].get(insee, "")


def commune_at_lonlat(lon: float, lat: float) -> str | None:
    """:func:`commune_at` for one point (the same answer, without arrays).

    Examples
    --------
    >>> commune_at_lonlat(2.833889, 50.429167), commune_at_lonlat(0.0, 45.0)
    ('62498', None)
    """
    tree, code, _ = _outline_index()
    if not (np.isfinite(lon) and np.isfinite(lat)):
        return None
    hit = tree.query(shapely.points(np.array((lon, lat))), predicate="intersects")
    return str(code[hit[-1]]) if len(hit) else None  # on a shared border: as commune_at


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
    tree, code, _ = _outline_index()
    out = np.full(x.shape, None, dtype=object)
    ok = np.isfinite(x) & np.isfinite(y)
    if not ok.any():
        return out
    pts = shapely.points(x[ok], y[ok])
    hit_pt, hit_poly = tree.query(pts, predicate="intersects")
    codes = np.full(int(ok.sum()), None, dtype=object)
    codes[hit_pt] = code[hit_poly]  # on a shared border: one of the two
    out[ok] = codes
    return out


_CELL_M = 100.0


@functools.lru_cache(maxsize=1)
def _grid_l93() -> tuple[float, float, np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """The outlines in Lambert-93 and a grid of 200 m cells: the outline a cell lies within
    (its position), -1 for a cell outside every outline, -2 for a cell on a limit; and the
    (cell, outline) pairs of the cells on a limit, sorted by cell."""
    gdf = _outlines()
    geoms = np.asarray(gdf.geometry.to_crs(L93).values)
    shapely.prepare(geoms)
    tree = shapely.STRtree(geoms)
    minx, miny, maxx, maxy = shapely.total_bounds(geoms)
    nx, ny = int((maxx - minx) // _CELL_M) + 1, int((maxy - miny) // _CELL_M) + 1
    gx, gy = np.meshgrid(minx + _CELL_M * np.arange(nx), miny + _CELL_M * np.arange(ny))
    boxes = shapely.box(gx, gy, gx + _CELL_M, gy + _CELL_M).ravel()
    cells = np.full(boxes.shape, -1, dtype=np.int32)
    box_hit, poly_hit = tree.query(boxes, predicate="intersects")
    cells[box_hit] = -2
    box_in, poly_in = tree.query(boxes, predicate="within")
    cells[box_in] = poly_in
    on_limit = cells[box_hit] == -2
    pairs = np.stack([box_hit[on_limit], poly_hit[on_limit]])
    pairs = pairs[:, np.argsort(pairs[0], kind="stable")]
    return float(minx), float(miny), cells.reshape(ny, nx), gdf["code"].to_numpy(), geoms, pairs


def commune_at_xy(x: object, y: object) -> np.ndarray:
    """INSEE code of the bundled commune outline containing each Lambert-93 point.

    Same answer as :func:`commune_at` (``None`` outside every outline), without building
    point geometries except for points on a cell crossed by a limit.

    Examples
    --------
    >>> commune_at_xy([688180.0, 0.0], [7036861.0, 0.0]).tolist()
    ['62498', None]
    """
    xs = np.atleast_1d(np.asarray(x, dtype=float))
    ys = np.atleast_1d(np.asarray(y, dtype=float))
    if len(xs) < 5_000:  # a few points: no grid to build
        lon, lat = to_wgs84_lonlat(xs, ys)
        return commune_at(lon, lat)
    x0, y0, cells, codes, geoms, pairs = _grid_l93()
    ny, nx = cells.shape
    with np.errstate(invalid="ignore"):
        ix, iy = np.floor((xs - x0) / _CELL_M), np.floor((ys - y0) / _CELL_M)
        ok = (ix >= 0) & (ix < nx) & (iy >= 0) & (iy < ny)
    flat = np.full(xs.shape, -1, dtype=np.intp)
    flat[ok] = iy[ok].astype(np.intp) * nx + ix[ok].astype(np.intp)
    cell = np.where(ok, cells.ravel()[flat], -1)
    out = np.full(xs.shape, None, dtype=object)
    inner = cell >= 0
    out[inner] = codes[cell[inner]]
    mixed = np.flatnonzero(cell == -2)
    if len(mixed):  # exact tests against the outlines crossing each point's cell
        start = np.searchsorted(pairs[0], flat[mixed], "left")
        count = np.searchsorted(pairs[0], flat[mixed], "right") - start
        point = np.repeat(mixed, count)
        first = np.repeat(np.cumsum(count) - count, count)
        poly = pairs[1, np.arange(len(point)) - first + np.repeat(start, count)]
        hit = shapely.intersects_xy(geoms[poly], xs[point], ys[point])
        out[point[hit]] = codes[poly[hit]]  # on a shared limit: one of the two
    return out


@functools.lru_cache(maxsize=1)
def ort_rows() -> dict[str, dict[str, str]]:
    """The rows of the ANCT table as text, by INSEE code (read with csv: no pandas).

    Examples
    --------
    >>> ort_rows()["62498"]["ort_signee_le"]
    '2019-08-04'
    """
    with (communes_path() / "ort_communes.csv").open(encoding="utf-8", newline="") as f:
        return {row["insee"]: row for row in csv.DictReader(f)}


@functools.lru_cache(maxsize=1)
def _ort_table() -> pd.DataFrame:
    import pandas as pd

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
