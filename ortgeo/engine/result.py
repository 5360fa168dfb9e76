"""Many points against every sector in force: the long result, the composites, coverage.

:func:`locate_sectors` is the national path (``ortgeo locate``, dask): for every point, the
sectors it lies in or near (one row per pair, the **long result**), and per point and per
territory the composite "in an ORT sector?" (:func:`ortgeo.engine.composite.composite`),
where ortgeo's knowledge ends applied (:func:`ortgeo.engine.composite.apply_coverage`).
"""

from __future__ import annotations

import dataclasses
import datetime as _dt
import threading
from collections.abc import Sequence
from pathlib import Path
from typing import Any, Literal

import numpy as np
import pandas as pd

from ortgeo.catalog import Catalog
from ortgeo.communes import commune_at_xy
from ortgeo.crs import to_wgs84_lonlat
from ortgeo.dates import DateLike, parse_date
from ortgeo.engine.composite import apply_coverage, composite, coverage_extent
from ortgeo.engine.distance import boundary_distance
from ortgeo.engine.exact import band_of, pairs
from ortgeo.engine.sectors import Sectors, as_sectors
from ortgeo.errors import OrtgeoError
from ortgeo.model import ALL_COMMUNES, EXTENT_CODE, EXTENTS, ORT_TOPIC
from ortgeo.points import REASONS, Points, points_xy
from ortgeo.status import STATUS_CODE, STATUSES, Status

__all__ = ["SectorResult", "layer_extents", "locate_points", "locate_sectors", "point_communes",
           "to_wide"]  # fmt: skip

#: Chunks located on several threads look communes up one at a time: the outlines are
#: prepared geometries whose indexes GEOS builds lazily, and not thread-safely.
_COMMUNES = threading.Lock()
_STATUS_INDEX = pd.Index(STATUSES)
_EXTENT_INDEX = pd.Index(EXTENTS)
_DEDANS, _DEHORS = STATUS_CODE[Status.DEDANS], STATUS_CODE[Status.DEHORS]
_LIMITE, _INVALIDE = STATUS_CODE[Status.LIMITE], STATUS_CODE[Status.INVALIDE]
_SANS_ORT, _INDETERMINE = STATUS_CODE[Status.SANS_ORT], STATUS_CODE[Status.INDETERMINE]


@dataclasses.dataclass(frozen=True)
class SectorResult:
    """Result of :func:`locate_sectors`.

    Attributes
    ----------
    long : pandas.DataFrame
        One row per (point, sector) where the point is inside the sector or within its
        band: ``point`` (position of the point, int64), ``sector`` (id, categorical),
        ``territory`` (categorical), ``ort`` (an ORT sector?), ``status`` (``dedans`` /
        ``limite``, categorical), ``inside`` (limit included), ``distance_m`` (signed,
        float32, positive inside; NaN deep inside unless ``distances="all"``).
    territories : pandas.DataFrame
        The composite per point and territory, for the points that have a row in the
        territory's ORT sectors: ``point``, ``territory``, ``status``, ``sector`` (the
        deciding one) and its ``distance_m``. A point absent from a territory is
        ``dehors`` there (``indetermine`` outside ortgeo's coverage).
    points : pandas.DataFrame
        One row per input point, same index: ``valid``, ``reason``, ``commune``,
        ``ort_status``, ``ort_territory``, ``ort_sector`` (the deciding sector),
        ``ort_distance_m`` (float32), ``ort_band_m``, ``coverage`` (what ortgeo holds of
        the ORT in the point's commune: ``complete``, ``partial``, ``possible``, ``none``),
        ``n_sectors`` (rows in ``long``).
    sectors : Sectors
        The sectors in force that were used (with their timing on ``date``).
    date : datetime.date
    xy : Points
        The Lambert-93 coordinates used, with their validity.

    Examples
    --------
    >>> r = locate_sectors(([2.833889], [50.429167]), date="2024-06-01")
    >>> r.territories[["territory", "status"]].astype(str).values.tolist()
    [['call', 'dedans']]
    """

    long: pd.DataFrame
    territories: pd.DataFrame
    points: pd.DataFrame
    sectors: Sectors
    date: _dt.date
    xy: Points


def point_communes(
    sectors: Sectors, pts: Points, citycode: Sequence[object] | np.ndarray | None
) -> np.ndarray:
    """Each point's commune (INSEE, ``None`` unknown): ``citycode`` where given, else the
    bundled outlines — looked up only when the coverage needs it.

    Examples
    --------
    >>> from ortgeo.points import points_from_lonlat
    >>> point_communes(Sectors.from_catalog(), points_from_lonlat([2.8339], [50.4292]),
    ...                None).tolist()
    ['62498']
    """
    n = len(pts.x)
    commune = np.full(n, None, dtype=object)
    if citycode is not None:
        given = np.asarray(list(citycode) if not isinstance(citycode, np.ndarray) else citycode,
                           dtype=object)  # fmt: skip
        if given.shape != (n,):
            raise OrtgeoError(f"citycode must give one code per point ({n}), not {given.shape}.")
        known = pd.notna(given) & (given != "")
        commune[known] = given[known].astype(str)
    universal = bool(sectors.coverage) and all(ALL_COMMUNES in e.communes for e in sectors.coverage)
    if universal:  # every commune is covered: no commune needed
        return commune
    todo = pts.valid & (commune == None)  # noqa: E711
    if todo.any():
        with _COMMUNES:
            commune[todo] = commune_at_xy(pts.x[todo], pts.y[todo])
    return commune


def layer_extents(sectors: Sectors, commune: np.ndarray) -> np.ndarray:
    """Per sector and point, what the sector's geometry says of the point's commune: codes
    of :data:`ortgeo.model.EXTENTS` (``possible``: the sector may reach into it;
    ``partial``: a dispositif's commune it does not draw). Shape (n_sectors, n_points)."""
    out = np.full((len(sectors), len(commune)), EXTENT_CODE["complete"], dtype=np.int8)
    keys = np.array(["" if c is None else str(c) for c in commune], dtype=object)
    for pos, layer in enumerate(sectors.layers):
        possible, partial = (
            set(layer.communes_possible),
            set(layer.communes_all) - set(layer.communes),
        )
        if possible:
            out[pos, np.isin(keys, list(possible))] = EXTENT_CODE["possible"]
        if partial:
            out[pos, np.isin(keys, list(partial))] = EXTENT_CODE["partial"]
    return out


def _reasons(reason: np.ndarray, valid: np.ndarray) -> pd.Categorical:
    """``reason`` as a categorical of :data:`REASONS` (then any other reason, sorted):
    only the invalid points' texts are hashed."""
    bad = np.flatnonzero(~valid)
    extra = sorted(set(pd.unique(reason[bad])) - set(REASONS))
    categories = pd.Index([*REASONS, *extra])
    codes: np.ndarray[Any, np.dtype[np.integer[Any]]] = np.zeros(
        len(reason), dtype=np.int8 if len(categories) < 128 else np.int32
    )
    if len(bad):
        codes[bad] = pd.Categorical(reason[bad], categories=categories).codes
    return pd.Categorical.from_codes(codes, categories=categories)


def locate_points(
    pts: Points,
    in_force: Sectors,
    day: _dt.date,
    band_m: float | None = None,
    uncertainty_m: float | Sequence[float] | np.ndarray = 0.0,
    distances: str = "near",
    citycode: Sequence[object] | np.ndarray | None = None,
) -> SectorResult:
    """The engine's kernel: points (:class:`ortgeo.points.Points`) against the sectors in
    force on ``day`` (:meth:`Sectors.in_force`), long result and composites.

    Examples
    --------
    >>> from ortgeo.points import points_from_lonlat
    >>> s = Sectors.from_catalog().in_force("2024-06-01")
    >>> r = locate_points(points_from_lonlat([2.833889], [50.429167]), s,
    ...                   _dt.date(2024, 6, 1))
    >>> r.points[["ort_status", "ort_sector"]].astype(str).values.tolist()
    [['dedans', 'lens-centre-ville']]
    """
    n = len(pts.x)
    valid = pts.valid
    unc = np.broadcast_to(np.asarray(uncertainty_m, dtype=float), (n,))
    unc = np.where(np.isfinite(unc), unc, 0.0)
    sub = np.flatnonzero(valid)
    sub_pts = pts if len(sub) == n else pts.take(sub)
    point, sec, inside, near, dist64 = pairs(in_force, sub_pts, band_m, unc[sub], distances)
    point = sub[point]
    band = band_of(in_force, sec, unc[point], band_m)
    status = np.where(near, _LIMITE, _DEDANS).astype(np.int8)
    long = pd.DataFrame(
        {
            "point": point,
            "sector": pd.Categorical.from_codes(
                in_force.code[sec], categories=pd.Index(in_force.all_ids)
            ),
            "territory": pd.Categorical.from_codes(
                in_force.territory.codes[sec], categories=in_force.territory.categories
            ),
            "ort": in_force.is_ort[sec],
            "status": pd.Categorical.from_codes(status, categories=_STATUS_INDEX),
            "inside": inside,
            "distance_m": dist64.astype(np.float32),
        }
    )
    commune = point_communes(in_force, pts, citycode)
    extent = coverage_extent(in_force.coverage, ORT_TOPIC, commune, day)
    ort = in_force.is_ort[sec]
    args = (sec[ort], inside[ort], near[ort], dist64[ort], band[ort], in_force.certain)
    n_terr = max(len(in_force.territory.categories), 1)
    terr_code = in_force.territory.codes[sec[ort]].astype(np.int64)
    by_terr = composite(point[ort] * n_terr + terr_code, *args)
    by_point = composite(point[ort], *args)
    any_ort = bool(in_force.is_ort.any())

    def decided(comp: Any) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        idx = np.flatnonzero(ort)[comp.pair]
        return sec[idx], dist64[idx].astype(np.float32), band[idx]

    t_sec, t_dist, _ = decided(by_terr)
    t_point = by_terr.group // n_terr
    territories = pd.DataFrame(
        {
            "point": t_point,
            "territory": pd.Categorical.from_codes(
                (by_terr.group % n_terr).astype(np.int32), categories=in_force.territory.categories
            ),
            "status": pd.Categorical.from_codes(
                apply_coverage(by_terr.status, extent[t_point]), categories=_STATUS_INDEX
            ),
            "sector": pd.Categorical.from_codes(
                in_force.code[t_sec], categories=pd.Index(in_force.all_ids)
            ),
            "distance_m": t_dist,
        }
    )
    codes = np.full(n, _DEHORS if any_ort else _SANS_ORT, dtype=np.int8)
    best_sec = np.full(n, -1, dtype=np.int32)
    best_terr = np.full(n, -1, dtype=np.int32)
    best_dist = np.full(n, np.nan, dtype=np.float32)
    best_band = np.full(n, np.nan, dtype=np.float32)
    p_sec, p_dist, p_band = decided(by_point)
    p = by_point.group
    codes[p] = by_point.status
    best_sec[p] = in_force.code[p_sec]
    best_terr[p] = in_force.territory.codes[p_sec]
    best_dist[p] = p_dist
    best_band[p] = p_band
    codes = apply_coverage(codes, extent)
    codes[~valid] = _INVALIDE
    points = pd.DataFrame(
        {
            "valid": valid,
            "reason": _reasons(pts.reason, valid),
            "commune": commune,
            "ort_status": pd.Categorical.from_codes(codes, categories=_STATUS_INDEX),
            "ort_territory": pd.Categorical.from_codes(
                best_terr, categories=in_force.territory.categories
            ),
            "ort_sector": pd.Categorical.from_codes(best_sec,
                                                    categories=pd.Index(in_force.all_ids)),
            "ort_distance_m": best_dist,
            "ort_band_m": best_band,
            "coverage": pd.Categorical.from_codes(np.where(valid, extent, 0).astype(np.int8),
                                                  categories=_EXTENT_INDEX),
            "n_sectors": np.bincount(point, minlength=n).astype(np.uint16),
        },
        index=pts.index,
    )  # fmt: skip
    return SectorResult(long, territories, points, in_force, day, pts)


def locate_sectors(
    points: object,
    sectors: Sectors | Catalog | str | Path | None = None,
    date: DateLike = None,
    band_m: float | None = None,
    uncertainty_m: float | Sequence[float] | np.ndarray = 0.0,
    distances: Literal["near", "all"] = "near",
    citycode: Sequence[object] | np.ndarray | None = None,
) -> Any:
    """Locate points in every sector in force on ``date``: long result + composites.

    Parameters
    ----------
    points : GeoDataFrame, GeoSeries, DataFrame, tuple or dask_geopandas.GeoDataFrame
        Points in any CRS, a table with Lambert-93 ``x``/``y`` or WGS84 ``lon``/``lat``
        columns, or ``(lon_array, lat_array)``. A dask-geopandas GeoDataFrame is located
        partition by partition and gives a lazy dask DataFrame of the per-point table.
    sectors : Sectors, Catalog, path or None
        The sectors (default: the bundled catalogue); a path is a catalogue TOML file or a
        sector table (GeoParquet, GeoPackage).
    date : str or date, optional
        Date of the sectors (default today).
    band_m : float, optional
        Width of the ``limite`` band, overriding accuracy + uncertainty.
    uncertainty_m : float or array
        Each point's own position uncertainty in metres.
    distances : {"near", "all"}
        ``"near"`` measures the distance only within the band (NaN deep inside);
        ``"all"`` measures it for every row of the long result.
    citycode : sequence of str, optional
        Each point's commune (INSEE, e.g. the BAN's); default: the bundled outlines.

    Returns
    -------
    SectorResult or dask.dataframe.DataFrame

    Examples
    --------
    >>> r = locate_sectors(([2.833889, 2.832308], [50.429167, 50.45]), date="2024-06-01")
    >>> r.points["ort_status"].tolist()
    ['dedans', 'dehors']
    >>> r.long[["point", "sector", "status"]].astype(str).values.tolist()
    [['0', 'lens-centre-ville', 'dedans'], ['0', 'call-opah-ru-coeur-de-ville', 'dedans']]
    """
    if distances not in ("near", "all"):
        raise OrtgeoError(f"distances must be 'near' or 'all', not {distances!r}.")
    table = as_sectors(sectors)
    day = parse_date(date)
    if type(points).__module__.split(".")[0] in ("dask", "dask_geopandas"):
        from ortgeo.distributed import locate_dask

        return locate_dask(points, table, day, band_m, uncertainty_m, distances)
    pts = points_xy(points)
    return locate_points(pts, table.in_force(day), day, band_m, uncertainty_m, distances,
                         citycode)  # fmt: skip


# -- the wide columns of small catalogues ----------------------------------------------------
def _key(text: str) -> str:
    return str(text).replace("-", "_")


def to_wide(result: SectorResult, distances: Literal["near", "all"] = "near") -> pd.DataFrame:
    """The wide :func:`ortgeo.locate` columns from a long result (small catalogues).

    Columns ``lon, lat, x, y, valid, reason, commune``, the composite ``ort_status``,
    ``ort_sector``, ``ort_distance_m`` (per territory too, prefix ``ort_<territory>_``,
    when there are several) and, for each sector in force, ``<id>_inside``,
    ``<id>_distance_m``, ``<id>_status`` (``-`` in ids replaced by ``_``). With
    ``distances="all"`` the distances missing from the long result are measured too.

    Examples
    --------
    >>> r = locate_sectors(([2.833889], [50.429167]), date="2024-06-01")
    >>> cols = ["ort_status", "lens_centre_ville_status", "call_opah_ru_coeur_de_ville_status"]
    >>> to_wide(r)[cols].iloc[0].tolist()
    ['dedans', 'dedans', 'dedans']
    """
    pts, sectors, long, per = result.xy, result.sectors, result.long, result.points
    n, valid = len(pts.x), pts.valid
    lon, lat = pts.lon, pts.lat
    if lon is None:
        lon, lat = to_wgs84_lonlat(pts.x, pts.y)
    columns: dict[str, object] = {
        "lon": lon, "lat": lat, "x": np.where(valid, pts.x, np.nan),
        "y": np.where(valid, pts.y, np.nan), "valid": valid, "reason": pts.reason,
        "commune": per["commune"].to_numpy(),
        "ort_status": per["ort_status"], "ort_sector": per["ort_sector"].astype(object)
        .where(per["ort_sector"].notna(), None).to_numpy(),
        "ort_distance_m": per["ort_distance_m"].to_numpy(float),
    }  # fmt: skip
    point = long["point"].to_numpy()
    sector_codes = long["sector"].cat.codes.to_numpy()
    ok = np.flatnonzero(valid)
    extent = per["coverage"].cat.codes.to_numpy()
    terr = result.territories
    territories = list(sectors.territory[sectors.is_ort].unique()) if len(sectors) else []
    if len(territories) > 1:
        for name in territories:
            rows = terr[terr["territory"] == name]
            codes = np.where(valid, _DEHORS, _INVALIDE).astype(np.int8)
            codes[rows["point"].to_numpy()] = rows["status"].cat.codes.to_numpy()
            codes = np.where(valid, apply_coverage(codes, extent), _INVALIDE).astype(np.int8)
            dist = np.full(n, np.nan)
            dist[rows["point"].to_numpy()] = rows["distance_m"].to_numpy()
            key = f"ort_{_key(name)}"
            columns[f"{key}_status"] = pd.Categorical.from_codes(codes, categories=_STATUS_INDEX)
            columns[f"{key}_distance_m"] = dist
    layer_ext = layer_extents(sectors, per["commune"].to_numpy()) if sectors.layers else None
    for pos in range(len(sectors)):
        rows = sector_codes == sectors.code[pos]
        p = point[rows]
        inside, dist = np.zeros(n, bool), np.full(n, np.nan)
        codes = np.full(n, _DEHORS, dtype=np.int8)
        if layer_ext is not None:
            codes = np.where(layer_ext[pos] == EXTENT_CODE["complete"], _DEHORS,
                             _INDETERMINE).astype(np.int8)  # fmt: skip
        codes[p] = long["status"].cat.codes.to_numpy()[rows]
        inside[p] = long["inside"].to_numpy()[rows]
        if distances == "all":
            d = boundary_distance(sectors.boundaries[pos], pts.x[ok], pts.y[ok])
            dist[ok] = np.where(inside[ok], d, -d)
        else:
            dist[p] = long["distance_m"].to_numpy()[rows]
        key = _key(sectors.ids[pos])
        columns[f"{key}_inside"] = inside
        columns[f"{key}_distance_m"] = dist
        columns[f"{key}_status"] = pd.Categorical.from_codes(
            np.where(valid, codes, _INVALIDE).astype(np.int8), categories=_STATUS_INDEX
        )
    return pd.DataFrame(columns, index=pts.index, copy=False)
