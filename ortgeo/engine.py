"""The sector engine: many sectors of many territories against many points, in a long result.

A :class:`Sectors` table holds every sector (ORT "secteur d'intervention" or other
dispositif such as an OPAH-RU) with its territory, dates, data status, accuracy and
Lambert-93 geometry; text attributes are pandas categoricals (numeric codes inside).

:func:`locate_sectors` finds, for every point, the sectors it lies in or near:

1. a coarse occupancy grid over the sectors' bounding boxes, widened by the band, drops
   the points far from every sector with integer arithmetic (no geometry is built);
2. one STRtree over the widened boxes of all sectors gives the candidate (point, sector)
   pairs of the other points;
3. exact tests run only on candidate pairs, all sectors at once (shapely array functions
   on prepared geometries): ``intersects_xy`` (inside, limit included), then
   ``dwithin(limit, band)`` and the exact distance only where it falls within the band.

The **long result** has one row per (point, sector) where the point is inside the sector
or within its band. Per point and per territory, the **composite** "in an ORT sector"
follows the rule of issue 10: ``dedans`` when the point is inside some ORT sector of the
territory by more than that sector's band; ``dehors`` when it is outside every ORT sector
of the territory by more than each one's band; ``limite`` otherwise. The band is the
sector's ``accuracy_m`` plus the point's own uncertainty, or ``band_m`` when given.

Statuses keep the strings of :mod:`ortgeo.locate` (``dedans``, ``dehors``, ``limite``,
``invalide``, ``sans-ort``) as categorical codes.
"""

from __future__ import annotations

import dataclasses
import datetime as _dt
import functools
import os
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

import numpy as np
import pandas as pd
import shapely

from ortgeo.catalog import ORT_SECTOR, Catalog, Layer
from ortgeo.crs import L93, to_wgs84_lonlat
from ortgeo.dates import DateLike, parse_date
from ortgeo.errors import MissingCRSError, OrtgeoError, PerimeterFileError
from ortgeo.points import REASONS, Points, points_xy
from ortgeo.status import STATUS_CODE, STATUSES, Status

DEDANS, DEHORS, LIMITE = Status.DEDANS, Status.DEHORS, Status.LIMITE
INVALIDE, SANS_ORT = Status.INVALIDE, Status.SANS_ORT

#: Kinds of ORT sectors: the catalogue's, and the version-1 kinds a sector table may use.
ORT_KINDS = (ORT_SECTOR, "ort", "ort-extension")

if TYPE_CHECKING:
    import geopandas as gpd

__all__ = [
    "REASONS",
    "SECTOR_COLUMNS",
    "STATUS_CODE",
    "Measures",
    "SectorResult",
    "Sectors",
    "boundary_distance",
    "locate_sectors",
    "measure",
    "points_xy",
    "to_wide",
]

#: Columns a sector layer (GeoPackage / GeoParquet) must have, besides its geometry.
SECTOR_COLUMNS = ("id", "territory", "name", "kind", "valid_from", "valid_to", "status",
                  "accuracy_m")  # fmt: skip
#: Territory of the sectors of a catalogue file that does not name one (Lens and its CALL).
DEFAULT_TERRITORY = "CALL"
#: Threads and smallest block of points for the exact tests of :func:`measure`.
_THREADS = min(os.cpu_count() or 1, 4)
_BLOCK = 100_000
#: Grid cell of the first filter, in metres.
_CELL_M = 1000.0
_STATUS_INDEX = pd.Index(STATUSES)
_RANK = np.array([2, 0, 1, 0, 0], dtype=np.int8)  # dedans > limite > dehors, by status code


def _categorical(
    values: Sequence[object], categories: Sequence[str] | None = None
) -> pd.Categorical:
    cats = None if categories is None else pd.Index(categories)
    return pd.Categorical(np.asarray(values, dtype=object), categories=cats)


@dataclasses.dataclass(frozen=True, eq=False)
class Sectors:
    """A table of sectors (ORT sectors and other dispositifs) with Lambert-93 geometries.

    All arrays have one entry per sector. ``territory``, ``kind`` and ``status`` (the
    data status: ``indicatif`` / ``officiel``) are categoricals; ``code`` is each
    sector's position in the table it was taken from, so that codes stay the same in
    every subset (:meth:`in_force`).

    Examples
    --------
    >>> s = Sectors.from_catalog()
    >>> len(s), list(s.territory.categories)
    (3, ['call'])
    >>> len(s.in_force("2020-01-01"))
    1
    """

    ids: np.ndarray
    territory: pd.Categorical
    names: np.ndarray
    kind: pd.Categorical
    valid_from: np.ndarray  # datetime64[D]
    valid_to: np.ndarray  # datetime64[D], NaT when open or unknown
    status: pd.Categorical
    accuracy_m: np.ndarray  # float64
    geometry: np.ndarray  # shapely (multi)polygons, EPSG:2154, prepared
    code: np.ndarray  # int32
    all_ids: tuple[str, ...]  # ids of the full table, indexed by code

    def __post_init__(self) -> None:
        shapely.prepare(self.geometry)

    @functools.cached_property
    def boundaries(self) -> np.ndarray:
        """The limits of the sectors, prepared (signed distances are measured to them)."""
        boundaries = shapely.boundary(self.geometry)
        shapely.prepare(boundaries)
        return boundaries

    def __len__(self) -> int:
        return len(self.ids)

    def __repr__(self) -> str:
        return f"<Sectors: {len(self)} sectors, {len(self.territory.categories)} territories>"

    # -- construction ------------------------------------------------------------------
    @classmethod
    def from_arrays(cls, **columns: Any) -> Sectors:
        """Build from one array per field of :data:`SECTOR_COLUMNS` plus ``geometry`` (L93)."""
        ids = np.asarray(columns["id"], dtype=object)
        if len(set(ids)) != len(ids):
            dup = pd.Series(ids)[pd.Series(ids).duplicated()].unique()[:5]
            raise PerimeterFileError(f"Duplicate sector ids: {list(dup)}; every id must be unique.")
        geometry = np.asarray(columns["geometry"], dtype=object)
        types = shapely.get_type_id(geometry)
        if not np.isin(types, (3, 6)).all() or shapely.is_empty(geometry).any():
            bad = ids[~np.isin(types, (3, 6)) | shapely.is_empty(geometry)][:5]
            raise PerimeterFileError(
                f"Sectors {list(bad)} are not (multi)polygons: every sector needs an area."
            )
        accuracy = pd.to_numeric(pd.Series(columns["accuracy_m"]), errors="coerce").to_numpy(float)
        if not (np.isfinite(accuracy) & (accuracy >= 0)).all():
            raise PerimeterFileError(
                "Column 'accuracy_m' must hold a number of metres ≥ 0 for every sector."
            )
        start = _dates(columns["valid_from"], "valid_from", required=True)
        end = _dates(columns["valid_to"], "valid_to", required=False)
        if (end < start).any():
            bad = ids[end < start][:5]
            raise PerimeterFileError(f"Sectors {list(bad)} end (valid_to) before they start.")
        return cls(
            ids=ids,
            territory=_categorical(columns["territory"]),
            names=np.asarray(columns["name"], dtype=object),
            kind=_categorical(columns["kind"]),
            valid_from=start,
            valid_to=end,
            status=_categorical(columns["status"]),
            accuracy_m=accuracy,
            geometry=geometry,
            code=np.arange(len(ids), dtype=np.int32),
            all_ids=tuple(ids),
        )

    @classmethod
    def from_catalog(cls, catalog: Catalog | None = None) -> Sectors:
        """Sectors from a perimeter catalogue (default: the bundled one).

        Layers of kind ``ort-sector`` are ORT sectors, the others other dispositifs; each
        belongs to the catalogue's territory.

        Examples
        --------
        >>> s = Sectors.from_catalog()
        >>> s.kind.tolist(), s.territory.tolist()
        (['ort-sector', 'ort-sector', 'opah-ru'], ['call', 'call', 'call'])
        """
        from ortgeo.catalog import catalog as _catalog

        return cls.from_layers(list(catalog if catalog is not None else _catalog()))

    @classmethod
    def from_layers(cls, layers: Sequence[Layer]) -> Sectors:
        """Sectors from catalogue layers, in their order: the one adapter from
        :class:`ortgeo.catalog.Layer` to sectors (used for :attr:`PerimetersInForce.sectors_table`).

        Examples
        --------
        >>> import ortgeo
        >>> Sectors.from_layers(ortgeo.on("2024-06-01").layers).ids.tolist()
        ['lens-centre-ville', 'lens-entree-de-ville', 'call-opah-ru-coeur-de-ville']
        """
        return cls.from_arrays(
            id=[layer.id for layer in layers],
            territory=[layer.territory or DEFAULT_TERRITORY for layer in layers],
            name=[layer.name for layer in layers],
            kind=[layer.kind for layer in layers],
            valid_from=[layer.valid_from for layer in layers],
            valid_to=[layer.valid_to for layer in layers],
            status=[layer.status for layer in layers],
            accuracy_m=[layer.accuracy_m for layer in layers],
            geometry=[layer.geometry_l93 for layer in layers],
        )

    @classmethod
    def from_geodataframe(cls, gdf: gpd.GeoDataFrame) -> Sectors:
        """Sectors from a GeoDataFrame with the :data:`SECTOR_COLUMNS` and a CRS.

        Examples
        --------
        >>> import geopandas as gpd
        >>> from shapely.geometry import box
        >>> gdf = gpd.GeoDataFrame({"id": ["a"], "territory": ["T1"], "name": ["A"],
        ...     "kind": ["ort"], "valid_from": ["2020-01-01"], "valid_to": [None],
        ...     "status": ["officiel"], "accuracy_m": [5.0]},
        ...     geometry=[box(700_000, 6_600_000, 701_000, 6_601_000)], crs=2154)
        >>> Sectors.from_geodataframe(gdf).ids.tolist()
        ['a']
        """
        missing = [c for c in SECTOR_COLUMNS if c not in gdf.columns]
        if missing:
            raise PerimeterFileError(
                f"The sector layer lacks column(s) {missing}; it needs {list(SECTOR_COLUMNS)} "
                "and a polygon geometry."
            )
        if gdf.crs is None:
            raise MissingCRSError(
                "The sector layer has no CRS: set one (e.g. EPSG:2154) before using it."
            )
        geoms = gdf.geometry.to_crs(L93).values
        valid = shapely.is_valid(geoms)
        if not valid.all():
            # "structure" keeps the polygons of an invalid polygon (no stray lines/points)
            repaired = shapely.make_valid(geoms, method="structure", keep_collapsed=False)
            geoms = np.where(valid, geoms, repaired)
        return cls.from_arrays(
            **{c: gdf[c].to_numpy() for c in SECTOR_COLUMNS}, geometry=np.asarray(geoms)
        )

    @classmethod
    def read(cls, path: str | Path | None = None, layer: str | None = None) -> Sectors:
        """Sectors from a catalogue TOML file, or a GeoPackage / GeoParquet sector layer.

        ``None`` gives the bundled catalogue.

        Examples
        --------
        >>> len(Sectors.read())
        3
        """
        if path is None:
            return cls.from_catalog()
        path = Path(path)
        if not path.is_file():
            raise PerimeterFileError(f"Sector file not found: {path}.")
        suffix = path.suffix.lower()
        if suffix == ".toml":
            from ortgeo.catalog import catalog as _catalog

            return cls.from_catalog(_catalog(path))
        import geopandas as gpd

        try:
            if suffix in (".parquet", ".geoparquet"):
                gdf = gpd.read_parquet(path)
            elif suffix in (".gpkg", ".fgb", ".geojson", ".shp"):
                gdf = gpd.read_file(path, layer=layer, engine="pyogrio")
            else:
                raise PerimeterFileError(
                    f"Unknown sector file format {suffix!r} ({path.name}): give a catalogue "
                    ".toml, a GeoPackage .gpkg or a GeoParquet .parquet."
                )
        except PerimeterFileError:
            raise
        except Exception as exc:  # pyogrio / pyarrow errors: say which file
            raise PerimeterFileError(f"Cannot read the sector layer {path.name}: {exc}") from None
        return cls.from_geodataframe(gdf)

    # -- views -------------------------------------------------------------------------
    def subset(self, mask: np.ndarray) -> Sectors:
        """The sectors where ``mask`` is true (codes, categories and ``all_ids`` kept)."""
        return dataclasses.replace(
            self,
            ids=self.ids[mask],
            territory=self.territory[mask],
            names=self.names[mask],
            kind=self.kind[mask],
            valid_from=self.valid_from[mask],
            valid_to=self.valid_to[mask],
            status=self.status[mask],
            accuracy_m=self.accuracy_m[mask],
            geometry=self.geometry[mask],
            code=self.code[mask],
        )

    def in_force(self, on: DateLike = None) -> Sectors:
        """The sectors valid on date ``on`` (bounds included; default today)."""
        day = np.datetime64(parse_date(on), "D")
        mask = (self.valid_from <= day) & (np.isnat(self.valid_to) | (day <= self.valid_to))
        return self.subset(mask)

    @property
    def is_ort(self) -> np.ndarray:
        """Whether each sector is an ORT sector (kind ``ort`` or ``ort-extension``)."""
        return np.isin(np.asarray(self.kind, dtype=object), ORT_KINDS)

    def to_geodataframe(self) -> gpd.GeoDataFrame:
        """One row per sector, geometry in Lambert-93 (EPSG:2154)."""
        import geopandas as gpd

        return gpd.GeoDataFrame(
            {
                "id": self.ids,
                "territory": self.territory,
                "name": self.names,
                "kind": self.kind,
                "valid_from": self.valid_from,
                "valid_to": self.valid_to,
                "status": self.status,
                "accuracy_m": self.accuracy_m,
            },
            geometry=self.geometry,
            crs=L93,
        )


def _dates(values: object, column: str, required: bool) -> np.ndarray:
    series = pd.Series(values, dtype=object).map(
        lambda v: None if v is None or (isinstance(v, str) and not v.strip()) else v
    )
    parsed = pd.to_datetime(series, errors="coerce")
    bad = parsed.isna() & series.notna()
    if bad.any():
        raise PerimeterFileError(
            f"Column {column!r}: {series[bad].iloc[0]!r} is not a date (YYYY-MM-DD)."
        )
    if required and parsed.isna().any():
        raise PerimeterFileError(f"Column {column!r} is required for every sector (YYYY-MM-DD).")
    return parsed.to_numpy("datetime64[D]")


# -- the index ---------------------------------------------------------------------------
@dataclasses.dataclass(frozen=True, eq=False)
class _Index:
    """The occupancy grid and the STRtree over the sectors' boxes widened by their reach."""

    x0: float
    y0: float
    occupied: np.ndarray  # (ny, nx) bool
    tree: shapely.STRtree
    boundaries: np.ndarray  # prepared limits of the sectors

    @classmethod
    def build(cls, sectors: Sectors, reach: np.ndarray) -> _Index:
        bounds = shapely.bounds(sectors.geometry)
        bounds[:, :2] -= reach[:, None]
        bounds[:, 2:] += reach[:, None]
        x0, y0 = bounds[:, 0].min(), bounds[:, 1].min()
        nx = int((bounds[:, 2].max() - x0) // _CELL_M) + 1
        ny = int((bounds[:, 3].max() - y0) // _CELL_M) + 1
        occupied = np.zeros((ny, nx), dtype=bool)
        cells = ((bounds - [x0, y0, x0, y0]) // _CELL_M).astype(np.intp)
        for ix0, iy0, ix1, iy1 in cells:
            occupied[iy0 : iy1 + 1, ix0 : ix1 + 1] = True
        tree = shapely.STRtree(shapely.box(*bounds.T))
        return cls(x0, y0, occupied, tree, sectors.boundaries)

    def near(self, x: np.ndarray, y: np.ndarray) -> np.ndarray:
        """Positions of the points in an occupied cell (NaN coordinates are never near)."""
        ny, nx = self.occupied.shape
        with np.errstate(invalid="ignore"):
            ix = np.floor((x - self.x0) / _CELL_M)
            iy = np.floor((y - self.y0) / _CELL_M)
            ok = (ix >= 0) & (ix < nx) & (iy >= 0) & (iy < ny)
        pos = np.flatnonzero(ok)
        keep = self.occupied[iy[pos].astype(np.intp), ix[pos].astype(np.intp)]
        return pos[keep]


def _index(sectors: Sectors, reach: np.ndarray) -> _Index:
    cache = sectors.__dict__.setdefault("_indexes", {})
    key = reach.tobytes()
    if key not in cache:
        cache.clear()  # one reach at a time: a new band replaces the old index
        cache[key] = _Index.build(sectors, reach)
    return cache[key]


# -- the engine ----------------------------------------------------------------------------
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
        territory's ORT sectors: ``point``, ``territory``, ``status``, ``sector`` (the one
        the point is deepest in, or nearest to) and its ``distance_m``. A point absent
        from a territory is ``dehors`` there.
    points : pandas.DataFrame
        One row per input point, same index: ``valid``, ``reason``, ``ort_status``
        (best over territories: ``dedans`` > ``limite`` > ``dehors``; ``sans-ort`` when no
        ORT sector is in force; ``invalide``), ``ort_territory``, ``ort_sector``,
        ``ort_distance_m`` (float32), ``n_sectors`` (rows in ``long``).
    sectors : Sectors
        The sectors in force that were used.
    date : datetime.date
        The date of the sectors.
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


def _band(
    sectors: Sectors, sec: np.ndarray | int, unc: np.ndarray, band_m: float | None
) -> np.ndarray:
    """The band of (sector, point) pairs: ``band_m``, or the sector's accuracy + the point's
    own uncertainty."""
    if band_m is not None:
        return np.full(len(unc), float(band_m))
    return sectors.accuracy_m[sec] + unc


def _exact(
    geometry: Any, boundary: Any, x: np.ndarray, y: np.ndarray, geoms: np.ndarray | None,
    band: np.ndarray, distances: str,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:  # fmt: skip
    """The exact tests of points against sectors (one sector, or one per point).

    Returns inside (limit included), within the band, and the signed distance to the
    limit (positive inside): for every point with ``"all"``, else only within the band
    (NaN elsewhere). ``geoms`` (the points' geometries) is read only for one sector per
    point; one sector against every point measures with :func:`boundary_distance`.
    """
    inside = shapely.intersects_xy(geometry, x, y)
    if distances == "all":
        many = isinstance(boundary, np.ndarray)
        d = shapely.distance(boundary, geoms) if many else boundary_distance(boundary, x, y)
        return inside, d <= band, np.where(inside, d, -d)
    assert geoms is not None  # within the band: one sector per point, with its geometry
    near = shapely.dwithin(boundary, geoms, band)
    dist = np.full(len(x), np.nan)
    if near.any():
        limit = boundary[near] if isinstance(boundary, np.ndarray) else boundary
        d = shapely.distance(limit, geoms[near])
        dist[near] = np.where(inside[near], d, -d)
    return inside, near, dist


#: Most (grid cell, segment) pairs :func:`boundary_distance` weighs, and its block of points.
_CELL_SEGMENTS = 1 << 20
_SEGMENT_BLOCK = 1 << 14


def boundary_distance(boundary: shapely.Geometry, x: np.ndarray, y: np.ndarray) -> np.ndarray:
    """Distance of every point ``(x, y)`` to a line geometry (a sector's limit), in its units.

    Equal, bit for bit, to ``shapely.distance(boundary, shapely.points(x, y))``: GEOS's
    point-to-segment formula (``Distance::pointToSegment``), evaluated with numpy only on
    the segments that can hold the nearest point. A grid over the points gives, per cell,
    the segments whose box is not farther than the cell's nearest vertex (plus the cell's
    half diagonal); every point then weighs 2–4 segments instead of all of them, and no
    point geometry is built.

    Examples
    --------
    >>> line = shapely.LineString([(0, 0), (10, 0), (10, 10)])
    >>> boundary_distance(line, np.array([5.0, 13.0, -3.0]), np.array([2.0, 5.0, -4.0])).tolist()
    [2.0, 3.0, 5.0]
    """
    n = len(x)
    out = np.empty(n)
    if n == 0:
        return out
    coords = [shapely.get_coordinates(line) for line in shapely.get_parts(boundary)]
    a = np.concatenate([c[:-1] for c in coords])
    b = np.concatenate([c[1:] for c in coords])
    ax, ay, bx, by = (np.ascontiguousarray(v) for v in (a[:, 0], a[:, 1], b[:, 0], b[:, 1]))
    ex, ey = bx - ax, by - ay
    l2 = ex * ex + ey * ey
    # the grid: candidate segments per cell (a margin covers the rounding of cell bounds)
    x0, y0 = float(x.min()), float(y.min())
    side = int(max(1.0, min(np.sqrt(n / 16), np.sqrt(_CELL_SEGMENTS / len(ax)))))
    cw = max((float(x.max()) - x0) / side, 1e-9)
    ch = max((float(y.max()) - y0) / side, 1e-9)
    cell = np.minimum(((y - y0) / ch).astype(np.intp), side - 1) * side
    cell += np.minimum(((x - x0) / cw).astype(np.intp), side - 1)
    eps = 1e-6
    rx0 = np.tile(x0 + np.arange(side) * cw, side)[:, None] - eps
    ry0 = np.repeat(y0 + np.arange(side) * ch, side)[:, None] - eps
    rx1, ry1 = rx0 + cw + 2 * eps, ry0 + ch + 2 * eps
    cx, cy = (rx0 + rx1) / 2, (ry0 + ry1) / 2
    reach = np.sqrt(((cx - ax) ** 2 + (cy - ay) ** 2).min(axis=1)) + np.hypot(cw, ch) / 2 + eps
    gap_x = np.maximum(np.maximum(np.minimum(ax, bx) - rx1, rx0 - np.maximum(ax, bx)), 0.0)
    gap_y = np.maximum(np.maximum(np.minimum(ay, by) - ry1, ry0 - np.maximum(ay, by)), 0.0)
    candidate = gap_x**2 + gap_y**2 <= ((reach * (1 + 1e-9) + eps) ** 2)[:, None]
    n_cand = candidate.sum(axis=1)
    cand_seg = np.nonzero(candidate)[1]
    cand_start = np.cumsum(n_cand) - n_cand
    step = _SEGMENT_BLOCK  # points per block: the pairs' arrays stay in the CPU cache
    for i in range(0, n, step):
        c = cell[i : i + step]
        count = n_cand.take(c)
        first = np.cumsum(count) - count
        seg = cand_seg.take(np.repeat(cand_start.take(c) - first, count) + np.arange(count.sum()))
        px, py = np.repeat(x[i : i + step], count), np.repeat(y[i : i + step], count)
        sex, sey, sl2 = ex.take(seg), ey.take(seg), l2.take(seg)
        dxa, dya = px - ax.take(seg), py - ay.take(seg)
        dxb, dyb = px - bx.take(seg), py - by.take(seg)
        with np.errstate(invalid="ignore", divide="ignore"):
            r = dxa * sex
            r += dya * sey
            r /= sl2
            r[sl2 == 0] = 0.0  # GEOS: a segment A == B is the distance to A
            # |((Ay - py)(Bx - Ax) - (Ax - px)(By - Ay)) / L²| · L, the same float operations
            d = dxa * sey
            d -= dya * sex
            d /= sl2
            np.abs(d, out=d)
            d *= np.sqrt(sl2, out=sl2)
        for u, v, where in ((dxb, dyb, r >= 1), (dxa, dya, r <= 0)):  # beyond B, before A
            u *= u
            v *= v
            u += v
            np.copyto(d, np.sqrt(u, out=u), where=where)
        out[i : i + step] = np.minimum.reduceat(d, first)
    return out


def _point_geoms(pts: Points, pos: np.ndarray | None = None) -> np.ndarray:
    """Point geometries of ``pts`` (at ``pos``): the input's own when it had them."""
    if pts.geoms is not None:
        return pts.geoms if pos is None else pts.geoms[pos]
    return shapely.points(pts.x, pts.y) if pos is None else shapely.points(pts.x[pos], pts.y[pos])


def _pairs(
    sectors: Sectors, pts: Points, band_m: float | None, unc: np.ndarray, distances: str
) -> tuple[np.ndarray, ...]:
    """Candidate pairs, then exact tests: point, sector position, inside, near, distance.

    Only pairs where the point is inside the sector or within its band are returned.
    """
    unc_max = float(unc.max()) if len(unc) else 0.0
    reach = (
        np.full(len(sectors), float(band_m)) if band_m is not None else sectors.accuracy_m + unc_max
    )
    empty = (np.zeros(0, np.int64), np.zeros(0, np.intp), np.zeros(0, bool), np.zeros(0, bool),
             np.zeros(0, np.float64))  # fmt: skip
    if len(sectors) == 0 or len(pts.x) == 0:
        return empty
    index = _index(sectors, reach)
    cand = index.near(pts.x, pts.y)
    if len(cand) == 0:
        return empty
    geoms = _point_geoms(pts, cand)
    local, sec = index.tree.query(geoms)
    point = cand[local]
    inside, near, dist = _exact(
        sectors.geometry[sec], index.boundaries[sec], pts.x[point], pts.y[point], geoms[local],
        _band(sectors, sec, unc[point], band_m), distances,
    )  # fmt: skip
    keep = inside | near
    point, sec, inside, near, dist = point[keep], sec[keep], inside[keep], near[keep], dist[keep]
    order = np.lexsort((sectors.code[sec], point))
    return point[order], sec[order], inside[order], near[order], dist[order]


@dataclasses.dataclass(frozen=True)
class Measures:
    """Every sector against every point, as dense ``(n_sectors, n_points)`` arrays.

    ``inside`` (limit included), ``near`` (within the band), ``distance_m`` (signed,
    positive inside; NaN beyond the band unless measured with ``distances="all"``) and
    ``band_m``.
    """

    inside: np.ndarray
    near: np.ndarray
    distance_m: np.ndarray
    band_m: np.ndarray


def measure(
    sectors: Sectors,
    pts: Points,
    band_m: float | None = None,
    uncertainty_m: np.ndarray | float = 0.0,
    distances: Literal["near", "all"] = "near",
) -> Measures:
    """Every sector against every (valid) point: what the wide :func:`ortgeo.locate` reads.

    ``"near"`` runs the candidate machinery of :func:`locate_sectors` (grid, STRtree,
    exact tests on candidates) and spreads its pairs; ``"all"`` measures every pair (every
    distance is wanted, so there is nothing to filter), with the same exact tests.

    Examples
    --------
    >>> from ortgeo.points import points_from_lonlat
    >>> s = Sectors.from_catalog().in_force("2024-06-01")
    >>> m = measure(s, points_from_lonlat([2.833889], [50.429167]), distances="all")
    >>> m.inside[:, 0].tolist(), bool(m.distance_m[0, 0] > 0)
    ([True, False, True], True)
    """
    n, k = len(pts.x), len(sectors)
    unc = np.broadcast_to(np.asarray(uncertainty_m, dtype=float), (n,))
    band = np.stack([_band(sectors, s, unc, band_m) for s in range(k)]) if k else np.zeros((0, n))
    if distances == "all":
        inside, near, dist = np.zeros((k, n), bool), np.zeros((k, n), bool), np.zeros((k, n))

        def run(job: tuple[int, slice]) -> None:
            s, part = job
            inside[s, part], near[s, part], dist[s, part] = _exact(
                sectors.geometry[s], sectors.boundaries[s], pts.x[part], pts.y[part],
                None, band[s, part], "all",
            )  # fmt: skip

        # GEOS releases the GIL: large inputs are measured in blocks on a few threads
        step = max(n // _THREADS, _BLOCK) if n else 1
        jobs = [(s, slice(i, i + step)) for s in range(k) for i in range(0, n, step)]
        if len(jobs) > 1 and n >= 2 * _BLOCK:
            with ThreadPoolExecutor(_THREADS) as pool:
                list(pool.map(run, jobs))
        else:
            for job in jobs:
                run(job)
        return Measures(inside, near, dist, band)
    point, sec, ins, nr, d = _pairs(sectors, pts, band_m, np.ascontiguousarray(unc), "near")
    inside, near = np.zeros((k, n), bool), np.zeros((k, n), bool)
    dist = np.full((k, n), np.nan)
    inside[sec, point], near[sec, point], dist[sec, point] = ins, nr, d
    return Measures(inside, near, dist, band)


def _composite(
    sectors: Sectors, point: np.ndarray, sec: np.ndarray, status: np.ndarray, dist: np.ndarray
) -> pd.DataFrame:
    """Per (point, territory) of ORT rows: dedans if any row is dedans, else limite."""
    ort = sectors.is_ort[sec]
    point, sec, status, dist = point[ort], sec[ort], status[ort], dist[ort]
    terr = sectors.territory.codes[sec].astype(np.int64)
    n_terr = max(len(sectors.territory.categories), 1)
    key = point * n_terr + terr
    # deepest sector first within a (point, territory): dedans rows first, then larger distance
    score = np.where(status == STATUS_CODE[DEDANS], np.inf, np.nan_to_num(dist, nan=-np.inf))
    order = np.lexsort((-score, key))
    key, sec, status, dist = key[order], sec[order], status[order], dist[order]
    first = np.r_[True, key[1:] != key[:-1]] if len(key) else np.zeros(0, bool)
    return pd.DataFrame(
        {
            "point": key[first] // n_terr,
            "territory": pd.Categorical.from_codes(
                (key[first] % n_terr).astype(np.int32), categories=sectors.territory.categories
            ),
            "status": pd.Categorical.from_codes(status[first], categories=_STATUS_INDEX),
            "sector": pd.Categorical.from_codes(
                sectors.code[sec[first]], categories=pd.Index(sectors.all_ids)
            ),
            "distance_m": dist[first],
        }
    )


def locate_sectors(
    points: object,
    sectors: Sectors | Catalog | str | Path | None = None,
    date: DateLike = None,
    band_m: float | None = None,
    uncertainty_m: float | Sequence[float] | np.ndarray = 0.0,
    distances: Literal["near", "all"] = "near",
) -> Any:
    """Locate points in every sector in force on ``date``: long result + composites.

    Parameters
    ----------
    points : GeoDataFrame, GeoSeries, DataFrame, tuple or dask_geopandas.GeoDataFrame
        Points in any CRS, a table with Lambert-93 ``x``/``y`` or WGS84 ``lon``/``lat``
        columns, or ``(lon_array, lat_array)``. A dask-geopandas GeoDataFrame is located
        partition by partition (the sectors are sent to the workers once) and gives a
        lazy dask DataFrame of the per-point table (see ``SectorResult.points``).
    sectors : Sectors, Catalog, path or None
        The sectors (default: the bundled catalogue); a path is read by :meth:`Sectors.read`.
    date : str or date, optional
        Date of the sectors (default today).
    band_m : float, optional
        Width of the ``limite`` band, overriding accuracy + uncertainty.
    uncertainty_m : float or array
        Each point's own position uncertainty in metres.
    distances : {"near", "all"}
        ``"near"`` measures the distance only within the band (NaN deep inside);
        ``"all"`` measures it for every row of the long result.

    Returns
    -------
    SectorResult or dask.dataframe.DataFrame

    Examples
    --------
    >>> r = locate_sectors(([2.833889, 2.863056], [50.429167, 50.420278]), date="2024-06-01")
    >>> r.points["ort_status"].tolist()
    ['dedans', 'dehors']
    >>> r.long[["point", "sector", "status"]].astype(str).values.tolist()
    [['0', 'lens-centre-ville', 'dedans'], ['0', 'call-opah-ru-coeur-de-ville', 'dedans']]
    """
    if distances not in ("near", "all"):
        raise OrtgeoError(f"distances must be 'near' or 'all', not {distances!r}.")
    table = _as_sectors(sectors)
    day = parse_date(date)
    if type(points).__module__.split(".")[0] in ("dask", "dask_geopandas"):
        from ortgeo.distributed import locate_dask

        return locate_dask(points, table, day, band_m, uncertainty_m, distances)
    pts = points_xy(points)
    return _locate(pts, table.in_force(day), day, band_m, uncertainty_m, distances)


def _as_sectors(sectors: Sectors | Catalog | str | Path | None) -> Sectors:
    if isinstance(sectors, Sectors):
        return sectors
    if isinstance(sectors, Catalog):
        return Sectors.from_catalog(sectors)
    return Sectors.read(sectors)


def _locate(
    pts: Points,
    in_force: Sectors,
    day: _dt.date,
    band_m: float | None,
    uncertainty_m: float | Sequence[float] | np.ndarray,
    distances: str,
) -> SectorResult:
    n = len(pts.x)
    valid = pts.valid
    unc = np.broadcast_to(np.asarray(uncertainty_m, dtype=float), (n,))
    unc = np.where(np.isfinite(unc), unc, 0.0)
    sub = np.flatnonzero(valid)
    sub_pts = pts.take(sub)
    point, sec, inside, near, dist64 = _pairs(in_force, sub_pts, band_m, unc[sub], distances)
    point, dist = sub[point], dist64.astype(np.float32)
    status = np.where(near, STATUS_CODE[LIMITE], STATUS_CODE[DEDANS]).astype(np.int8)
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
            "distance_m": dist,
        }
    )
    terr = _composite(in_force, point, sec, status, dist)
    summary = _per_point(in_force, terr, long, pts, n)
    return SectorResult(long, terr, summary, in_force, day, pts)


def _per_point(
    sectors: Sectors, terr: pd.DataFrame, long: pd.DataFrame, pts: Points, n: int
) -> pd.DataFrame:
    """One row per point: the best territory (dedans > limite > dehors, then distance)."""
    valid = pts.valid
    base = STATUS_CODE[DEHORS] if sectors.is_ort.any() else STATUS_CODE[SANS_ORT]
    codes = np.where(valid, base, STATUS_CODE[INVALIDE]).astype(np.int8)
    best_terr = np.full(n, -1, dtype=np.int32)
    best_sec = np.full(n, -1, dtype=np.int32)
    best_dist = np.full(n, np.nan, dtype=np.float32)
    if len(terr):
        st = terr["status"].cat.codes.to_numpy()
        score = np.where(st == STATUS_CODE[DEDANS], np.inf, terr["distance_m"].fillna(-np.inf))
        order = np.lexsort((-score, -_RANK[st], terr["point"].to_numpy()))
        p = terr["point"].to_numpy()[order]
        first = np.r_[True, p[1:] != p[:-1]]
        rows = order[first]
        p = p[first]
        codes[p] = st[rows]
        best_terr[p] = terr["territory"].cat.codes.to_numpy()[rows]
        best_sec[p] = terr["sector"].cat.codes.to_numpy()[rows]
        best_dist[p] = terr["distance_m"].to_numpy()[rows]
    extra = sorted(set(np.unique(pts.reason)) - set(REASONS))
    return pd.DataFrame(
        {
            "valid": valid,
            "reason": pd.Categorical(pts.reason, categories=[*REASONS, *extra]),
            "ort_status": pd.Categorical.from_codes(codes, categories=_STATUS_INDEX),
            "ort_territory": pd.Categorical.from_codes(
                best_terr, categories=sectors.territory.categories
            ),
            "ort_sector": pd.Categorical.from_codes(best_sec, categories=pd.Index(sectors.all_ids)),
            "ort_distance_m": best_dist,
            "n_sectors": np.bincount(long["point"].to_numpy(), minlength=n).astype(np.uint16),
        },
        index=pts.index,
    )


# -- today's wide columns --------------------------------------------------------------------
def _key(text: str) -> str:
    return str(text).replace("-", "_")


def to_wide(result: SectorResult, distances: Literal["near", "all"] = "near") -> pd.DataFrame:
    """Today's wide :func:`ortgeo.locate` columns from a long result (small catalogues).

    Columns ``lon, lat, x, y, valid, reason``, the composite ``ort_inside``,
    ``ort_distance_m``, ``ort_status`` (per territory, prefix ``ort_<territory>_`` when
    there are several) and, for each sector in force, ``<id>_inside``, ``<id>_distance_m``,
    ``<id>_status`` (``-`` in ids replaced by ``_``). With ``distances="all"`` the
    distances missing from the long result (points beyond the band) are measured too.

    Examples
    --------
    >>> r = locate_sectors(([2.833889], [50.429167]), date="2024-06-01")
    >>> cols = ["ort_status", "lens_centre_ville_status", "call_opah_ru_coeur_de_ville_status"]
    >>> to_wide(r)[cols].iloc[0].tolist()
    ['dedans', 'dedans', 'dedans']
    """
    pts, sectors, long = result.xy, result.sectors, result.long
    n, valid = len(pts.x), pts.valid
    lon, lat = pts.lon, pts.lat
    if lon is None:
        lon, lat = to_wgs84_lonlat(pts.x, pts.y)
    columns: dict[str, object] = {
        "lon": lon, "lat": lat, "x": np.where(valid, pts.x, np.nan),
        "y": np.where(valid, pts.y, np.nan), "valid": valid, "reason": pts.reason,
    }  # fmt: skip
    invalid = np.full(n, STATUS_CODE[INVALIDE], np.int8)
    point = long["point"].to_numpy()
    sector_codes = long["sector"].cat.codes.to_numpy()
    ok = np.flatnonzero(valid)

    def put(key: str, inside: np.ndarray, dist: np.ndarray, codes: np.ndarray) -> None:
        columns[f"{key}_inside"] = inside
        columns[f"{key}_distance_m"] = dist
        columns[f"{key}_status"] = pd.Categorical.from_codes(codes, categories=_STATUS_INDEX)

    terr = result.territories
    territories = list(sectors.territory[sectors.is_ort].unique()) if len(sectors) else []
    if not territories:
        none = np.where(valid, STATUS_CODE[SANS_ORT], STATUS_CODE[INVALIDE]).astype(np.int8)
        put("ort", np.zeros(n, bool), np.full(n, np.nan), none)
    for name in territories:
        key = "ort" if len(territories) == 1 else f"ort_{_key(name)}"
        rows = terr[terr["territory"] == name]
        codes = np.where(valid, STATUS_CODE[DEHORS], STATUS_CODE[INVALIDE]).astype(np.int8)
        codes[rows["point"].to_numpy()] = rows["status"].cat.codes.to_numpy()
        ort_rows = long["ort"].to_numpy() & (long["territory"] == name).to_numpy()
        inside = np.zeros(n, bool)
        inside[point[ort_rows & long["inside"].to_numpy()]] = True
        dist = np.full(n, np.nan)
        dist[rows["point"].to_numpy()] = rows["distance_m"].to_numpy()
        put(key, inside, dist, codes)
    for pos in range(len(sectors)):
        rows = sector_codes == sectors.code[pos]
        p = point[rows]
        inside, dist = np.zeros(n, bool), np.full(n, np.nan)
        codes = np.where(valid, STATUS_CODE[DEHORS], STATUS_CODE[INVALIDE]).astype(np.int8)
        codes[p] = long["status"].cat.codes.to_numpy()[rows]
        inside[p] = long["inside"].to_numpy()[rows]
        if distances == "all":
            d = boundary_distance(sectors.boundaries[pos], pts.x[ok], pts.y[ok])
            dist[ok] = np.where(inside[ok], d, -d)
        else:
            dist[p] = long["distance_m"].to_numpy()[rows]
        put(_key(sectors.ids[pos]), inside, dist, np.where(valid, codes, invalid))
    return pd.DataFrame(columns, index=pts.index, copy=False)
