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
    missing, swapped or impossible coordinates, or degrees given as Lambert-93;
``sans-ort``
    (composite only) no ORT sector in force that day;
``date-incertaine``
    (composite only) inside a sector only, farther than its band, whose entry into force on
    that date is not known for sure;
``indetermine``
    outside the sectors held where ortgeo does not hold them all: a commune outside its
    coverage (``coverage`` column ``none``), one a sector may reach into (``possible``), or
    one a dispositif covers but ortgeo does not draw (``partial``).

The composite follows its parts (the engine's one rule,
:func:`ortgeo.engine.composite.composite`): ``dedans`` when the point is inside some sector
by more than that sector's own band, ``dehors`` when it is outside every sector by more than
each one's band — and only where ortgeo holds every sector of the commune
(:func:`ortgeo.engine.composite.apply_coverage`) — ``limite`` otherwise. Its distance and
band are those of the deciding sector.

Everything is computed with shapely 2 array functions on prepared geometries: there is
no Python loop over points.
"""

from __future__ import annotations

import contextlib
import dataclasses
import functools
import math
import queue
import threading
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from typing import TYPE_CHECKING, Any, Literal

import numpy as np
import shapely

from ortgeo.catalog import Catalog
from ortgeo.communes import commune_at_lonlat, commune_at_xy
from ortgeo.cpus import usable_cpus
from ortgeo.crs import to_l93_point, to_wgs84_lonlat, to_wgs84_point
from ortgeo.dates import DateLike
from ortgeo.errors import OrtgeoError
from ortgeo.inforce import PerimetersInForce, layer_key, on
from ortgeo.model import EXTENT_CODE, EXTENTS, ORT_TOPIC
from ortgeo.points import L93_BOUNDS, REASONS, Points, points_xy, validate_lonlat, validate_xy
from ortgeo.status import STATUS_CODE, STATUSES, Status
from ortgeo.validate import metres

if TYPE_CHECKING:  # pandas only for locate()'s DataFrame; one point needs none of it
    import pandas as pd

    from ortgeo.engine.sectors import Sectors

__all__ = [
    "DATE_INCERTAINE", "DEDANS", "DEHORS", "INDETERMINE", "INVALIDE", "LIMITE", "ORT_KEY",
    "SANS_ORT", "STATUSES", "Located", "layer_key", "locate", "located", "located_point",
    "validate_lonlat",
]  # fmt: skip

#: Statuses, re-exported from :class:`ortgeo.status.Status` for callers that import them here.
DEDANS, DEHORS, LIMITE = Status.DEDANS, Status.DEHORS, Status.LIMITE
INVALIDE, SANS_ORT = Status.INVALIDE, Status.SANS_ORT
DATE_INCERTAINE, INDETERMINE = Status.DATE_INCERTAINE, Status.INDETERMINE
#: Key of the composite "in an ORT sector" in column names.
ORT_KEY = "ort"
_CODE = STATUS_CODE


@functools.cache
def _status_dtype() -> Any:
    """Built once: ``from_codes`` with a ready dtype and no validation (codes are ours)."""
    import pandas as pd

    return pd.CategoricalDtype(pd.Index(STATUSES))


def _statuses(codes: np.ndarray) -> pd.Categorical[str]:
    import pandas as pd

    return pd.Categorical.from_codes(codes, dtype=_status_dtype(), validate=False)


@dataclasses.dataclass(frozen=True)
class Located:
    """What :func:`locate` computes, as plain arrays (no DataFrame): the columns of
    :func:`locate`'s result, status columns as int8 codes of :data:`STATUSES`.

    The single-point paths (:func:`ortgeo.check_point`, :func:`ortgeo.check_address`)
    read one row of it directly; :func:`locate` wraps it into a DataFrame. ``texts`` gives
    some text columns also as codes into their values (-1: ``None``), which
    :meth:`frame` turns into pandas' string columns without reading every object.
    """

    columns: dict[str, np.ndarray]
    index: pd.Index
    status_columns: frozenset[str]
    texts: dict[str, tuple[np.ndarray, np.ndarray]] = dataclasses.field(default_factory=dict)

    def frame(self) -> pd.DataFrame:
        """The DataFrame of :func:`locate` (status columns categorical).

        Text columns have the dtype pandas gives their objects (``str`` with pandas 3,
        ``object`` before); with pandas' Arrow strings, large columns are built from codes.
        """
        import pandas as pd

        cols: dict[str, Any] = {}
        for k, v in self.columns.items():
            if k in self.status_columns:
                cols[k] = _statuses(v)
            elif v.dtype == object and len(v) >= _TEXT_CODES_FROM:
                codes, values = self.texts[k] if k in self.texts else _codes_of(v)
                cols[k] = _texts(codes, values, v)
            else:
                cols[k] = v
        return pd.DataFrame(cols, index=self.index, copy=False)

    def row(self, i: int = 0) -> dict[str, Any]:
        """Row ``i`` as a dict of scalars (statuses as strings), same keys as the frame."""
        return {k: STATUSES[v[i]] if k in self.status_columns else v[i]
                for k, v in self.columns.items()}  # fmt: skip


#: Text columns of this many rows or more are built from codes (:meth:`Located.frame`).
_TEXT_CODES_FROM = 10_000


def _str_dtype() -> Any:
    """The dtype pandas gives a column of strings and ``None`` when it is its Arrow string
    dtype (pandas 3), else ``None`` (the objects are kept). Asked each time: an option
    (``future.infer_string``) may change it."""
    import pandas as pd

    dtype = pd.Series(np.array(["a", None], dtype=object)).dtype
    ok = isinstance(dtype, pd.StringDtype) and dtype.storage == "pyarrow"
    return dtype if ok else None


def _texts(codes: np.ndarray, values: np.ndarray, objects: np.ndarray) -> Any:
    """The column pandas would make of ``objects`` (= ``values[codes]``, ``None`` where
    ``codes`` is -1), built from the codes: Arrow decodes a dictionary in one pass instead
    of pandas reading a million Python strings."""
    dtype = _str_dtype()
    known = codes >= 0
    if dtype is None or not known.any() or not all(isinstance(v, str) for v in values):
        return objects  # pandas decides (no strings at all: an object column, as before)
    import pyarrow as pa  # type: ignore[import-untyped]
    from pandas.arrays import ArrowStringArray

    indices = pa.array(codes.astype(np.int32, copy=False), mask=None if known.all() else ~known)
    strings = pa.DictionaryArray.from_arrays(indices, pa.array(list(values), pa.large_string()))
    try:
        out = ArrowStringArray(strings.cast(pa.large_string()), dtype=dtype)  # type: ignore[call-arg]
    except TypeError:  # another pandas: let it read the objects
        return objects
    return out if out.dtype == dtype else objects


# -- core -----------------------------------------------------------------------------
def composite(
    inside: np.ndarray,
    dist: np.ndarray,
    band: np.ndarray,
    certain: np.ndarray,
    near: np.ndarray | None = None,
) -> tuple[np.ndarray, np.ndarray]:
    """The composite for dense ``(n_sectors, n_points)`` arrays: status codes and the index
    of the deciding sector, per point — the engine's one rule
    (:func:`ortgeo.engine.composite.composite`) on the pairs inside or within a band.

    Parameters
    ----------
    inside, dist, band : arrays (n_sectors, n_points)
        Per sector: inside, signed distance (NaN = farther than the band), band.
    certain : bool array (n_sectors,)
        Whether each sector is certainly in force on the date.
    near : bool array (n_sectors, n_points), optional
        Within the band (default: ``|dist| <= band``).

    Returns
    -------
    codes : int8 array (n_points,)
    decider : int array (n_points,)
        The deciding sector; for a point outside every band (``dehors``), the sector
        whose limit is closest relative to its band.

    Examples
    --------
    A point 299 m inside a sector of band 250 m and 700 m outside another one (band 300 m):

    >>> codes, who = composite(np.array([[True], [False]]), np.array([[299.0], [-700.0]]),
    ...                        np.array([[250.0], [300.0]]), np.array([True, True]))
    >>> STATUSES[codes[0]], int(who[0])
    ('dedans', 0)
    """
    from ortgeo.engine.composite import composite as rule

    k, n = inside.shape
    with np.errstate(invalid="ignore"):  # once: it costs as much as a small array operation
        gap = np.abs(dist) - band
        closeness = np.where(np.isnan(dist), np.inf, gap)
        if near is None:
            near = np.abs(dist) <= band
    sec, pt = np.nonzero(inside | near)
    comp = rule(pt, sec, inside[sec, pt], near[sec, pt], dist[sec, pt], band[sec, pt], certain)
    codes = np.full(n, _CODE[DEHORS], dtype=np.int8)
    codes[comp.group] = comp.status
    decider = np.argmin(closeness, axis=0) if k else np.zeros(n, np.intp)
    decider[comp.group] = sec[comp.pair]
    return codes, decider


#: What "degrees given as Lambert-93" look like: longitude/latitude of metropolitan France.
_DEGREES = (-5.5, 41.0, 10.0, 51.5)
_DEGREES_REASON = (
    "coordonnées qui ressemblent à des degrés WGS84 (longitude, latitude) données comme "
    "Lambert-93 : donner x et y en mètres, ou passer en longitude/latitude"
)


def _degrees_as_xy(x: np.ndarray, y: np.ndarray) -> np.ndarray:
    """Lambert-93 input that is really degrees (a user mistake the reason should name)."""
    xmin, ymin, xmax, ymax = _DEGREES
    with np.errstate(invalid="ignore"):
        return (x >= xmin) & (x <= xmax) & (y >= ymin) & (y <= ymax)


def _one(values: Any) -> np.ndarray:
    return np.array([values], dtype=float)


def _layer_codes(inside: np.ndarray, near: np.ndarray, extent_ok: np.ndarray) -> np.ndarray:
    """Per-layer status codes: dedans / limite / dehors, or indetermine where the layer may
    reach into the point's commune (or does not draw it) and the point is outside."""
    codes = np.where(inside, _CODE[DEDANS], _CODE[DEHORS]).astype(np.int8)
    codes[~inside & ~extent_ok] = _CODE[INDETERMINE]
    codes[near] = _CODE[LIMITE]
    return codes


def located_point(
    a: float,
    b: float,
    state: PerimetersInForce,
    band_m: float | None = None,
    uncertainty_m: float = 0.0,
    *,
    given_xy: bool = False,
    citycode: str | None = None,
) -> dict[str, Any]:
    """Row 0 of :func:`located` for one point, with scalars: the same keys and values.

    ``a, b`` are WGS84 longitude/latitude, or Lambert-93 x/y when ``given_xy``. The exact
    tests are those of :func:`ortgeo.engine.measure` (``intersects_xy`` on the sector,
    the distance to its prepared limit), the composite and coverage are the engine's
    (:func:`composite`, :func:`ortgeo.engine.composite.apply_coverage`).

    Examples
    --------
    >>> from ortgeo.inforce import on
    >>> r = located_point(2.833889, 50.429167, on("2024-06-01"))
    >>> r["ort_status"], r["commune"], r["coverage"], round(float(r["ort_distance_m"]))
    ('dedans', '62498', 'complete', 384)
    """
    from ortgeo.engine.composite import apply_coverage

    if band_m is not None:
        band_m = metres(band_m, "band_m")
    unc = float(uncertainty_m)
    if unc < 0:
        raise OrtgeoError("uncertainty_m must be ≥ 0 metres.")
    unc = unc if math.isfinite(unc) else 0.0
    nan = math.nan
    if given_xy:
        x, y = float(a), float(b)
        xmin, ymin, xmax, ymax = L93_BOUNDS
        domain = xmin <= x <= xmax and ymin <= y <= ymax  # surely valid: no need to ask
        reason = "" if domain else str(validate_xy(_one(x), _one(y))[0])
        if reason and bool(_degrees_as_xy(_one(x), _one(y))[0]):
            reason = _DEGREES_REASON
        lon, lat = to_wgs84_point(x, y)
    else:
        lon, lat = float(a), float(b)
        france = -5.5 <= lon <= 10 and 41 <= lat <= 51.5  # surely valid: no need to ask
        reason = "" if france else str(validate_lonlat(_one(lon), _one(lat))[0])
        x = y = nan
        if reason == "":
            x, y = to_l93_point(lon, lat)
            if not (math.isfinite(x) and math.isfinite(y)):
                reason = REASONS[4]
        x, y = (x, y) if reason == "" else (nan, nan)
    valid = reason == ""
    if given_xy and not valid:
        x = y = nan
    commune = None
    if valid:
        if citycode:
            commune = str(citycode)
        else:  # as commune_at_xy: the outline containing the point's Lambert-93 position
            back = (lon, lat) if given_xy else to_wgs84_point(x, y)  # given x/y: lon/lat are it
            commune = commune_at_lonlat(*back)
    entry = state.coverage(commune) if valid else None
    extent = entry.extent if entry is not None else "none"
    row: dict[str, Any] = {"lon": lon, "lat": lat, "x": x, "y": y, "valid": valid,
                           "reason": reason, "commune": commune,
                           "coverage": extent if valid else None}  # fmt: skip
    layers = state.layers
    inside, dist, band = [False] * len(layers), [nan] * len(layers), [nan] * len(layers)
    if valid:
        point = shapely.points(np.array((x, y)))
        for pos, layer in enumerate(layers):
            inside[pos] = bool(shapely.intersects_xy(layer.geometry_l93, x, y))
            d = float(shapely.distance(layer.limit_l93, point))
            dist[pos] = d if inside[pos] else -d
            band[pos] = band_m if band_m is not None else layer.accuracy_m + unc
    k = len(state.sectors)
    if k and valid:
        # the one composite rule, on a column of one point
        codes, who = composite(np.array(inside[:k])[:, None], np.array(dist[:k])[:, None],
                               np.array(band[:k])[:, None], state.certain)  # fmt: skip
        code, w = int(codes[0]), int(who[0])
        row.update(ort_inside=any(inside[:k]), ort_distance_m=dist[w], ort_band_m=band[w],
                   ort_sector=state.sectors[w].id)  # fmt: skip
    else:
        code = _CODE[SANS_ORT] if valid else _CODE[INVALIDE]
        row.update(ort_inside=False, ort_distance_m=nan, ort_band_m=nan, ort_sector=None)
    if valid:
        code = int(apply_coverage(np.array([code], np.int8),
                                  np.array([EXTENT_CODE[extent]], np.int8))[0])  # fmt: skip
    row["ort_status"] = STATUSES[code]
    for pos, layer in enumerate(layers):
        key = layer_key(layer.id)
        if not valid:
            status = INVALIDE
        elif abs(dist[pos]) <= band[pos]:
            status = LIMITE
        elif inside[pos]:
            status = DEDANS
        else:
            held = layer.commune_extent(commune) in ("complete", "none")
            status = DEHORS if held else INDETERMINE
        row[f"{key}_inside"] = inside[pos]
        row[f"{key}_distance_m"] = dist[pos]
        row[f"{key}_status"] = str(status)
    return row


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
    lonlat: bool = True,
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
        it falls within the band and leaves NaN elsewhere (|distance| > band):
        the statuses are the same, much faster for large batches.
    perimeters : PerimetersInForce, optional
        What is in force (from :func:`ortgeo.on`), instead of ``date`` and ``catalog``.
    citycode : sequence of str, optional
        Each point's commune (INSEE), e.g. from the BAN; default: from the bundled outlines.
    lonlat : bool
        Whether to return the WGS84 ``lon``/``lat`` columns (for Lambert-93 input they
        cost a projection of every point; ``False`` leaves them out).

    Returns
    -------
    pandas.DataFrame or geopandas.GeoDataFrame
        A GeoDataFrame for a GeoDataFrame or a GeoSeries (the input's columns, geometry and
        CRS kept, the located columns added), else a DataFrame.
        Index of the input; columns ``lon, lat`` (unless ``lonlat=False``), ``x, y, valid,
        reason, commune, coverage``; for the composite (``ort``) ``ort_inside, ort_distance_m,
        ort_band_m, ort_sector, ort_status``; and for each layer in force
        (``lens_centre_ville``...) ``<key>_inside``, ``<key>_distance_m``, ``<key>_status``.

    Notes
    -----
    The per-layer answers come from :func:`ortgeo.engine.measure` (the sector engine's
    exact tests, and its candidate machinery in ``"near"`` mode); the rules of the date
    (sectors whose entry into force is uncertain) and of the communes (signed, sectors
    not held) come from :func:`ortgeo.on`. From 131,072 points on, the points are located
    in blocks on a few threads (one per core, at most 4), each with its own copy of the
    sectors' GEOS geometries; the answer does not depend on it.

    Examples
    --------
    >>> res = locate(([2.833889, 2.832308], [50.429167, 50.45]), date="2024-06-01")
    >>> res["ort_status"].tolist()
    ['dedans', 'dehors']
    >>> res[["lens_centre_ville_status", "call_opah_ru_coeur_de_ville_status"]].iloc[0].tolist()
    ['dedans', 'dedans']
    >>> import geopandas as gpd
    >>> g = gpd.GeoDataFrame({"name": ["église"]}, index=[7],
    ...                      geometry=gpd.points_from_xy([688180], [7036861]), crs=2154)
    >>> out = locate(g, date="2024-06-01")
    >>> type(out).__name__, out.crs.to_epsg(), out.index.tolist(), out.loc[7, "ort_status"]
    ('GeoDataFrame', 2154, [7], 'dedans')
    """
    frame = located(
        points, date, catalog, band_m, uncertainty_m, distances, perimeters=perimeters,
        citycode=citycode, lonlat=lonlat,
    ).frame()  # fmt: skip
    return _like_input(points, frame)


def _like_input(points: object, frame: pd.DataFrame) -> pd.DataFrame:
    """A GeoDataFrame for geographic input: the input's columns, index, geometry and CRS,
    with the located columns added (they win over input columns of the same name)."""
    import sys

    gpd = sys.modules.get("geopandas")  # not imported: the input cannot be geographic
    if gpd is None:
        return frame
    import pandas as pd

    if isinstance(points, gpd.GeoDataFrame):
        name = points.geometry.name
        kept = points[[c for c in points.columns if c not in frame.columns or c == name]]
        out = pd.concat([kept.drop(columns=name), frame.set_axis(points.index)], axis=1)
        # copy=False: the new frame's columns are not copied into 2-D blocks (copy-on-write
        # keeps the input safe)
        return gpd.GeoDataFrame(out, geometry=points.geometry, crs=points.crs, copy=False)
    if isinstance(points, gpd.GeoSeries):
        return gpd.GeoDataFrame(frame.set_axis(points.index), geometry=points.rename("geometry"),
                                crs=points.crs, copy=False)  # fmt: skip
    return frame


def located(
    points: object,
    date: DateLike = None,
    catalog: Catalog | None = None,
    band_m: float | None = None,
    uncertainty_m: float | Sequence[float] | np.ndarray = 0.0,
    distances: Literal["all", "near"] = "all",
    *,
    perimeters: PerimetersInForce | None = None,
    citycode: Sequence[str | None] | np.ndarray | None = None,
    lonlat: bool = True,
) -> Located:
    """:func:`locate` as plain arrays (same parameters): no DataFrame is built.

    Large inputs are located in blocks on a few threads (:func:`_blocks`): each thread
    projects, measures (:func:`ortgeo.engine.measure`, on its own GEOS copies of the
    sectors: :meth:`ortgeo.engine.Sectors.for_thread`) and composes its blocks, while this
    thread finds the communes; coverage and the per-layer statuses follow on every point.

    Examples
    --------
    >>> r = located(([2.833889], [50.429167]), date="2024-06-01").row(0)
    >>> r["ort_status"], r["commune"]
    ('dedans', '62498')
    """
    if distances not in ("all", "near"):
        raise OrtgeoError(f"distances must be 'all' or 'near', not {distances!r}.")
    if band_m is not None:
        band_m = metres(band_m, "band_m")
    from ortgeo.engine.composite import apply_coverage, coverage_extent
    from ortgeo.engine.exact import measure
    from ortgeo.engine.result import _COMMUNES

    state = perimeters if perimeters is not None else on(date, catalog)
    pts = points_xy(points, xy_columns=False)
    n = len(pts.x)
    reason, valid = pts.reason, pts.valid
    if pts.given_xy and not valid.all():  # degrees given as metres: say so
        degrees = ~valid & _degrees_as_xy(pts.x, pts.y)
        if degrees.any():
            reason = np.where(degrees, _DEGREES_REASON, reason)
            valid = reason == ""

    unc = np.broadcast_to(np.asarray(uncertainty_m, dtype=float), (n,))
    with np.errstate(invalid="ignore"):
        if (unc < 0).any():
            raise OrtgeoError("uncertainty_m must be ≥ 0 metres.")
    unc = np.where(np.isfinite(unc), unc, 0.0)
    all_valid = bool(valid.all())
    x, y = (pts.x, pts.y) if all_valid else (np.where(valid, pts.x, np.nan),
                                              np.where(valid, pts.y, np.nan))  # fmt: skip

    commune = np.full(n, None, dtype=object)
    if citycode is not None:
        given = np.asarray(list(citycode), dtype=object)
        if given.shape != (n,):
            raise OrtgeoError(f"citycode must give one code per point ({n}), not {given.shape}.")
        commune[:] = [str(c) if c not in (None, "") and c == c else None for c in given]

    sectors = state.sectors_table
    layers, k = state.layers, len(state.sectors)  # the ORT sectors come first, then the others
    ok = np.flatnonzero(valid)
    # every column at its final size, filled by the blocks (invalid points keep the fill)
    lon = lat = None
    if lonlat:
        if pts.lon is not None and pts.lat is not None:
            lon, lat = pts.lon, pts.lat
        else:
            lon, lat = np.empty(n), np.empty(n)
    inside = np.zeros((len(layers), n), bool)
    near = np.zeros((len(layers), n), bool)
    dist = np.full((len(layers), n), np.nan)
    ort_codes = np.full(n, _CODE[INVALIDE], dtype=np.int8)
    ort_inside = np.zeros(n, bool)
    ort_dist, ort_band = np.full(n, np.nan), np.full(n, np.nan)
    who = np.full(n, -1, dtype=np.intp)  # the deciding sector (-1: none)

    def block(own: Sectors, sel: slice) -> None:
        """Project the points of ``sel``, measure and compose the valid ones among them,
        on the sectors ``own``."""
        if lon is not None and lat is not None and pts.lon is None:
            lon[sel], lat[sel] = to_wgs84_lonlat(pts.x[sel], pts.y[sel])
        where: Any = sel if all_valid else sel.start + np.flatnonzero(valid[sel])
        if not all_valid and len(where) == 0:
            return
        m = measure(own, _points_at(pts, where), band_m, unc[where], distances)
        inside[:, where], near[:, where], dist[:, where] = m.inside, m.near, m.distance_m
        if k:
            ins, dst, bnd = m.inside[:k], m.distance_m[:k], m.band_m[:k]
            codes, w = composite(ins, dst, bnd, state.certain, m.near[:k])
            cols = np.arange(len(w))
            ort_codes[where], who[where] = codes, w
            ort_inside[where] = ins.any(axis=0)
            ort_dist[where], ort_band[where] = dst[w, cols], bnd[w, cols]

    blocks = _blocks(n)
    if len(blocks) == 1 and n:
        block(sectors, blocks[0])
    with ThreadPoolExecutor(_THREADS) if len(blocks) > 1 else contextlib.nullcontext() as pool:
        done = []
        if pool is not None:  # each thread its own copy of the sectors (GEOS objects)
            copies: queue.SimpleQueue[Any] = queue.SimpleQueue()
            for _ in range(_THREADS):
                copies.put(sectors.for_thread())
            local = threading.local()

            def run(sel: slice) -> None:
                if not hasattr(local, "own"):
                    local.own = copies.get()
                block(local.own, sel)

            done = [pool.submit(run, sel) for sel in blocks]
        # meanwhile, on this thread: the communes and what ortgeo holds of each
        todo = valid if citycode is None else valid & (commune == None)  # noqa: E711
        if n and citycode is None and all_valid:
            with _COMMUNES:
                commune = commune_at_xy(pts.x, pts.y)
        elif todo.any():
            with _COMMUNES:
                commune[todo] = commune_at_xy(pts.x[todo], pts.y[todo])
        # the rules on each distinct commune (the last entry: no commune), then per point
        commune_codes, communes = _codes_of(commune)
        extent = coverage_extent(state.catalog.coverage, ORT_TOPIC, [*communes, None],
                                 state.date)[commune_codes]  # fmt: skip
        names = np.array([*communes, None]).astype(str)  # each commune's name, then "None"
        here = commune_codes if all_valid else commune_codes[ok]
        held = []  # per layer: whether ortgeo holds the layer in each valid point's commune
        for layer in layers:
            unsure = {*layer.communes_possible, *(set(layer.communes_all) - set(layer.communes))}
            held.append(~np.isin(names, list(unsure))[here] if unsure else np.ones(len(ok), bool))
        coverage = np.array(EXTENTS, dtype=object)[extent]
        coverage[~valid] = None
        texts = {"coverage": (np.where(valid, extent, -1), np.array(EXTENTS, dtype=object)),
                 "commune": (commune_codes, communes)}  # fmt: skip
        if n >= _TEXT_CODES_FROM:  # the invalid points' reasons only (frame() reads codes)
            texts["reason"] = _reason_codes(reason, valid)
        for future in done:
            future.result()

    columns: dict[str, np.ndarray] = {}
    if lon is not None and lat is not None:
        columns["lon"], columns["lat"] = lon, lat
    columns.update(x=x, y=y, valid=valid, reason=reason, commune=commune, coverage=coverage)
    if k:
        ort_codes[ok] = apply_coverage(ort_codes[ok], extent[ok])
        ids = np.array([x.id for x in state.sectors], dtype=object)
        columns["ort_inside"] = ort_inside
        columns["ort_distance_m"] = ort_dist
        columns["ort_band_m"] = ort_band
        columns["ort_sector"] = np.array([*ids, None], dtype=object)[who]  # -1: None
        texts["ort_sector"] = (who, ids)
    else:
        ort_codes = np.where(valid, _CODE[SANS_ORT], _CODE[INVALIDE]).astype(np.int8)
        ort_codes[ok] = apply_coverage(ort_codes[ok], extent[ok])
        columns["ort_inside"] = np.zeros(n, bool)
        columns["ort_distance_m"] = np.full(n, np.nan)
        columns["ort_band_m"] = np.full(n, np.nan)
        columns["ort_sector"] = np.full(n, None, dtype=object)
    columns["ort_status"] = ort_codes
    statuses = ["ort_status"]
    for pos, layer in enumerate(layers):
        key = layer_key(layer.id)
        codes = np.full(n, _CODE[INVALIDE], dtype=np.int8)
        codes[ok] = (_layer_codes(inside[pos], near[pos], held[pos]) if all_valid
                     else _layer_codes(inside[pos, ok], near[pos, ok], held[pos]))  # fmt: skip
        columns[f"{key}_inside"] = inside[pos]
        columns[f"{key}_distance_m"] = dist[pos]
        columns[f"{key}_status"] = codes
        statuses.append(f"{key}_status")
    return Located(columns, pts.index, frozenset(statuses), texts)


#: Threads of the wide path, and its block of points: a block is measured on its thread
#: (:func:`ortgeo.engine.measure` threads only inputs of twice its own block or more).
_THREADS = min(usable_cpus(), 4)
_BLOCK = 65_536


def _blocks(n: int) -> list[slice]:
    """Blocks of ``n`` points: one for small inputs, else about 4 per thread (the threads
    stay busy to the end), each of at most ``_BLOCK`` × 3 points.

    Examples
    --------
    >>> [(b.start, b.stop) for b in _blocks(10)]
    [(0, 10)]
    """
    if n < 2 * _BLOCK or _THREADS == 1:
        return [slice(0, n)]
    count = max(-(-n // (3 * _BLOCK)), 4 * _THREADS)
    step = -(-n // count)
    return [slice(i, min(i + step, n)) for i in range(0, n, step)]


def _points_at(pts: Points, where: Any) -> Points:
    """The points at ``where`` (a slice: views, no copy)."""
    if isinstance(where, slice):
        return Points(
            pts.x[where], pts.y[where], pts.reason[where], pts.index[where],
            None if pts.lon is None else pts.lon[where],
            None if pts.lat is None else pts.lat[where],
            None if pts.geoms is None else pts.geoms[where],
        )  # fmt: skip
    return pts.take(where)


def _codes_of(values: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Codes of an object column (-1: ``None``) and its distinct values."""
    import pandas as pd

    codes, uniques = pd.factorize(values, use_na_sentinel=True)
    return codes, np.asarray(uniques, dtype=object)


def _reason_codes(reason: np.ndarray, valid: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Codes of the reasons: only the invalid points' texts are hashed."""
    codes = np.zeros(len(reason), dtype=np.intp)
    bad = np.flatnonzero(~valid)
    if len(bad) == 0:
        return codes, np.array([""], dtype=object)
    sub, uniques = _codes_of(reason[bad])
    codes[bad] = sub + 1
    return codes, np.array(["", *uniques], dtype=object)
