"""The commune facts ortgeo holds: the official code list, outlines, the ANCT table of ORT.

- **COG** (official commune list, INSEE, via the npm package ``@etalab/decoupage-administratif``):
  every commune with its département, EPCI and postcodes, the arrondissements municipaux,
  the codes of former communes (:func:`cog_commune`, :func:`check_commune`,
  :func:`commune_name`).
- **Outlines** (IGN ADMIN EXPRESS COG 2018): the 36 communes of the CALL, looked up first,
  and those of the whole Pas-de-Calais, read only for a point outside the CALL
  (:func:`commune_at`, :func:`commune_at_lonlat`, :func:`commune_at_xy`). The commune of a
  point comes from these outlines (or from the BAN's INSEE code), never from an ORT polygon.
- **The ANCT table** of the communes followed for the ORT, ACV and PVD: the bundled
  snapshot, or the one ``ortgeo communes update`` downloaded into the cache folder
  (:func:`ort_rows`, :func:`ort_table`, :func:`update_ort_table`).

See ``data/communes/PROVENANCE.md`` for sources and licences. Reading a commune, a point's
commune or a status needs csv, gzip, json and shapely only: no pandas.
"""

from __future__ import annotations

import csv
import dataclasses
import datetime as _dt
import functools
import gzip
import io
import os
import tempfile
import threading
import warnings
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
import shapely

from ortgeo.crs import L93, WGS84, to_wgs84_lonlat
from ortgeo.errors import InputFileError, InvalidURLError, OrtgeoError, UnknownCommuneError
from ortgeo.io.communes import (
    ORT_FIELDS,
    Programme,
    convert_anct,
    ort_table_csv,
    parse_anct_csv,
    parse_outline,
    read_csv_rows,
    read_outline_lines,
)
from ortgeo.validate import insee_code

if TYPE_CHECKING:  # pandas, geopandas and requests only for tables, batches and downloads
    import geopandas as gpd
    import pandas as pd
    import requests

__all__ = [
    "ANCT_URL", "COG_PACKAGE", "LENS_INSEE", "CogCommune", "OrtTable", "check_commune",
    "cog_commune", "cog_communes", "commune_at", "commune_at_lonlat", "commune_at_xy",
    "commune_name", "commune_outlines", "communes_path", "ort_communes", "ort_rows", "ort_table",
    "ort_table_path", "update_ort_table",
]  # fmt: skip

#: The npm package (and version) the bundled COG extract comes from.
COG_PACKAGE = "@etalab/decoupage-administratif@6.0.0"
#: The COG's year (the package's « millésime »), for the messages.
COG_YEAR = 2026
#: The ANCT table of ORT communes: the CSV export of the raw table (``BDD``) of the DGALN/ANCT
#: Grist document behind the data.gouv.fr dataset « Liste des communes couvertes par des
#: opérations de revitalisation de territoire » (63c69d70de98bf9a1fa11948). That dataset's
#: own CSV resource, https://www.data.gouv.fr/fr/datasets/r/17a6bc80-297a-4dc2-b98c-3edc12161bc0,
#: has the same columns (pass it with ``--url``). ``$ORTGEO_ANCT_URL`` overrides it.
ANCT_URL = ("https://grist.numerique.gouv.fr/o/dgaln/api/docs/j4i9oKD3jzFtgEUuM9sXnL/"
            "download/csv?tableId=BDD")  # fmt: skip


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


def commune_outlines(departement: bool = False) -> gpd.GeoDataFrame:
    """The outlines of the 36 CALL communes (Lens and all its neighbours), EPSG:4326.

    Parameters
    ----------
    departement : bool
        ``True``: the outlines of all the communes of the Pas-de-Calais (COG names and
        codes; the CALL's among them, flagged ``call``).

    Returns
    -------
    geopandas.GeoDataFrame
        Columns ``code`` (INSEE), ``nom``, ``call`` (member of the CALL), ``geometry``.

    Examples
    --------
    >>> c = commune_outlines()
    >>> c.crs.to_epsg(), c.loc[c["code"] == "62498", "nom"].item()
    (4326, 'Lens')
    >>> d = commune_outlines(departement=True)
    >>> len(d), int(d["call"].sum()), d.loc[d["code"] == "62041", "nom"].item()
    (887, 36, 'Arras')
    """
    if not departement:
        return _outlines().copy()
    import geopandas as gpd

    dept = _department()
    geoms = [dept.geometry(i) for i in range(len(dept.lines))]
    props = [parse_outline(line)[1] for line in dept.lines]
    return gpd.GeoDataFrame(
        {k: [p[k] for p in props] for k in ("code", "nom", "call")}, geometry=geoms, crs=WGS84
    )


@functools.lru_cache(maxsize=1)
def _outline_index() -> tuple[shapely.STRtree, np.ndarray, dict[str, str]]:
    """The CALL outlines' spatial index, INSEE codes and names, read with json and shapely
    (no geopandas: a point check needs only this), looked up once."""
    from ortgeo.io.geojson import plain_geojson

    plain = plain_geojson(communes_path() / "communes.geojson")
    if plain is None:  # pragma: no cover - the bundled file is plain GeoJSON
        raise RuntimeError("The bundled communes.geojson is damaged: reinstall ortgeo.")
    geoms, props = np.array(plain[0], dtype=object), plain[1]
    shapely.prepare(geoms)
    names = {str(p["code"]): str(p["nom"]) for p in props}
    return shapely.STRtree(geoms), np.array([str(p["code"]) for p in props], object), names


class _Department:
    """The Pas-de-Calais outlines outside the CALL, parsed one feature at a time.

    One point reads the file (one feature a line, each with its bbox) and parses the one or
    two features whose box holds it; many points parse them all, once, into a tree. On a
    shared limit both paths answer the outline that comes last in the file.
    """

    def __init__(self) -> None:
        lines, bbox, codes = read_outline_lines(communes_path() / "communes_62.geojson.gz")
        call = set(_outline_index()[2])
        self.lines, self.bbox = lines, bbox
        self.codes = np.array(codes, dtype=object)
        self.outside_call = np.array([c not in call for c in codes])
        self._geoms: list[shapely.Geometry | None] = [None] * len(lines)

    def geometry(self, i: int) -> shapely.Geometry:
        geom = self._geoms[i]
        if geom is None:
            geom = self._geoms[i] = parse_outline(self.lines[i])[0]
        return geom

    def at(self, lon: float, lat: float) -> str | None:
        b, pad = self.bbox, 1e-7
        near = (b[:, 0] - pad <= lon) & (lon <= b[:, 2] + pad)
        near &= (b[:, 1] - pad <= lat) & (lat <= b[:, 3] + pad) & self.outside_call
        for i in np.flatnonzero(near)[::-1]:
            if shapely.intersects_xy(self.geometry(int(i)), lon, lat):
                return str(self.codes[i])
        return None

    @functools.cached_property
    def tree(self) -> tuple[shapely.STRtree, np.ndarray]:
        keep = np.flatnonzero(self.outside_call)
        geoms = np.array([self.geometry(int(i)) for i in keep], dtype=object)
        shapely.prepare(geoms)
        return shapely.STRtree(geoms), keep

    def at_many(self, lon: np.ndarray, lat: np.ndarray) -> np.ndarray:
        tree, keep = self.tree
        hit_pt, hit_poly = tree.query(shapely.points(lon, lat), predicate="intersects")
        best = np.full(len(lon), -1, dtype=np.intp)
        np.maximum.at(best, hit_pt, keep[hit_poly])
        out = np.full(len(lon), None, dtype=object)
        out[best >= 0] = self.codes[best[best >= 0]]
        return out


@functools.lru_cache(maxsize=1)
def _department() -> _Department:
    return _Department()


def commune_at_lonlat(lon: float, lat: float) -> str | None:
    """:func:`commune_at` for one point (the same answer, without arrays).

    The CALL outlines are looked up first; the Pas-de-Calais file is read only for a point
    outside them.

    Examples
    --------
    >>> commune_at_lonlat(2.833889, 50.429167), commune_at_lonlat(0.0, 45.0)
    ('62498', None)
    >>> commune_at_lonlat(2.7775, 50.2910)  # Arras
    '62041'
    """
    tree, code, _ = _outline_index()
    if not (np.isfinite(lon) and np.isfinite(lat)):
        return None
    hit = tree.query(shapely.points(np.array((lon, lat))), predicate="intersects")
    if len(hit):
        return str(code[hit[-1]])  # on a shared border: as commune_at
    return _department().at(float(lon), float(lat))


def commune_at(lon: object, lat: object) -> np.ndarray:
    """INSEE code of the bundled commune outline containing each point (``None`` outside).

    The outlines are those of the Pas-de-Calais (the CALL's first); a point elsewhere in
    France gets ``None``: its commune comes from the BAN's INSEE code.

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
    >>> commune_at([2.833889, 2.7857, 2.7775, 0.0], [50.429167, 50.4226, 50.2910, 45.0]).tolist()
    ['62498', '62510', '62041', None]
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
    return _fill_from_department(out, x, y)


def _fill_from_department(out: np.ndarray, lon: np.ndarray, lat: np.ndarray) -> np.ndarray:
    """``out`` with the points outside the CALL outlines looked up in the département's."""
    todo = np.flatnonzero((out == None) & np.isfinite(lon) & np.isfinite(lat))  # noqa: E711
    if len(todo) == 1:
        out[todo[0]] = _department().at(float(lon[todo[0]]), float(lat[todo[0]]))
    elif len(todo):
        out[todo] = _department().at_many(lon[todo], lat[todo])
    return out


_CELL_M = 100.0
#: A cell of the grid not looked at yet (:meth:`_Grid.fill`).
_UNSEEN = -3


@dataclasses.dataclass(eq=False)
class _Grid:
    """The outlines in Lambert-93 and a grid of 100 m cells over them: per cell, the outline
    it lies within (its position), -1 outside every outline, -2 on a limit, with the (cell,
    outline) pairs of the cells on a limit, sorted by cell. A cell is looked at the first
    time a point falls in it (:meth:`fill`): a batch of points over a town pays for its
    cells, not for the whole CALL's."""

    x0: float
    y0: float
    shape: tuple[int, int]  # (ny, nx)
    cells: np.ndarray  # (ny * nx,) int32, _UNSEEN until looked at
    codes: np.ndarray  # INSEE code of each outline
    geoms: np.ndarray  # the outlines, Lambert-93, prepared
    tree: shapely.STRtree
    pairs: np.ndarray  # (2, n): cell, outline — the cells on a limit, sorted by cell
    lock: threading.Lock = dataclasses.field(default_factory=threading.Lock)

    def fill(self, flat: np.ndarray) -> None:
        """Look at the cells of ``flat`` (positions in the grid) not looked at yet."""
        with self.lock:
            ny, nx = self.shape
            seen = np.zeros(ny * nx, dtype=bool)
            seen[flat] = True
            need = np.flatnonzero(seen & (self.cells == _UNSEEN))
            if not len(need):
                return
            iy, ix = np.divmod(need, nx)
            gx, gy = self.x0 + _CELL_M * ix, self.y0 + _CELL_M * iy
            boxes = shapely.box(gx, gy, gx + _CELL_M, gy + _CELL_M)
            cells = np.full(len(need), -1, dtype=np.int32)
            box_hit, poly_hit = self.tree.query(boxes, predicate="intersects")
            cells[box_hit] = -2
            box_in, poly_in = self.tree.query(boxes, predicate="within")
            cells[box_in] = poly_in
            on_limit = cells[box_hit] == -2
            new = np.stack([need[box_hit[on_limit]], poly_hit[on_limit]])
            pairs = np.concatenate([self.pairs, new], axis=1)
            self.pairs = pairs[:, np.argsort(pairs[0], kind="stable")]
            self.cells[need] = cells


@functools.lru_cache(maxsize=1)
def _grid_l93() -> _Grid:
    """The grid of :func:`commune_at_xy`, its cells not looked at yet."""
    gdf = _outlines()
    geoms = np.asarray(gdf.geometry.to_crs(L93).values)
    shapely.prepare(geoms)
    minx, miny, maxx, maxy = shapely.total_bounds(geoms)
    nx, ny = int((maxx - minx) // _CELL_M) + 1, int((maxy - miny) // _CELL_M) + 1
    return _Grid(float(minx), float(miny), (ny, nx), np.full(ny * nx, _UNSEEN, dtype=np.int32),
                 gdf["code"].to_numpy(), geoms, shapely.STRtree(geoms),
                 np.zeros((2, 0), dtype=np.intp))  # fmt: skip


def commune_at_xy(x: object, y: object) -> np.ndarray:
    """INSEE code of the bundled commune outline containing each Lambert-93 point.

    Same answer as :func:`commune_at` (``None`` outside every outline), without building
    point geometries except for points on a cell crossed by a limit of the CALL's outlines
    (a grid of 100 m cells over them) and for points outside them.

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
    grid = _grid_l93()
    x0, y0, codes, geoms = grid.x0, grid.y0, grid.codes, grid.geoms
    ny, nx = grid.shape
    with np.errstate(invalid="ignore"):
        ix, iy = np.floor((xs - x0) / _CELL_M), np.floor((ys - y0) / _CELL_M)
        ok = (ix >= 0) & (ix < nx) & (iy >= 0) & (iy < ny)
    flat = np.full(xs.shape, -1, dtype=np.intp)
    flat[ok] = iy[ok].astype(np.intp) * nx + ix[ok].astype(np.intp)
    grid.fill(flat[ok])
    cells, pairs = grid.cells, grid.pairs
    cell = np.where(ok, cells[flat], -1)
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
    rest = np.flatnonzero((out == None) & np.isfinite(xs) & np.isfinite(ys))  # noqa: E711
    if len(rest):  # outside the CALL: the département's outlines
        lon, lat = to_wgs84_lonlat(xs[rest], ys[rest])
        out[rest] = _fill_from_department(np.full(len(rest), None, dtype=object), lon, lat)
    return out


# --- the official code list (COG) ----------------------------------------------------------


@dataclasses.dataclass(frozen=True)
class CogCommune:
    """A code of the official commune list (COG), from the bundled extract.

    Attributes
    ----------
    insee, name, departement : str
        INSEE code, name, département code (``""`` name for a former commune the COG names
        no more).
    epci, epci_name : str
        SIREN and name of the EPCI à fiscalité propre (``""`` when none: a few islands, the
        overseas collectivités; former communes).
    postcodes : tuple of str
        La Poste's postcodes of the commune.
    kind : str
        ``commune`` (a commune today), ``arrondissement`` (an arrondissement municipal of
        Paris, Lyon or Marseille), ``deleguee`` / ``associee`` (a former commune, now a
        commune déléguée or associée of another), ``ancienne`` (a former commune's code).
    commune : str
        The commune this code belongs to today: itself, the city of an arrondissement, the
        commune a former one became part of.
    """

    insee: str
    name: str
    departement: str
    epci: str = ""
    epci_name: str = ""
    postcodes: tuple[str, ...] = ()
    kind: str = "commune"
    commune: str = ""

    @property
    def current(self) -> bool:
        """Whether the code is a commune (or an arrondissement municipal) today."""
        return self.kind in ("commune", "arrondissement")


@functools.lru_cache(maxsize=1)
def _cog_text() -> bytes:
    """The COG extract, unzipped, ``\\n`` first: one commune is found with ``bytes.find``."""
    return b"\n" + gzip.decompress((communes_path() / "cog_communes.csv.gz").read_bytes())


@functools.lru_cache(maxsize=1)
def _epci_names() -> dict[str, str]:
    return {r["siren"]: r["nom"] for r in read_csv_rows(communes_path() / "cog_epci.csv.gz")}


def _cog_record(row: dict[str, str]) -> CogCommune:
    siren = row["epci"]
    kind, code = row["type"], row["insee"]
    return CogCommune(
        insee=code, name=row["nom"], departement=row["departement"], epci=siren,
        epci_name=_epci_names().get(siren, "") if siren else "",
        postcodes=tuple(row["codes_postaux"].split()), kind=kind,
        commune=code if kind == "commune" else row["commune"],
    )  # fmt: skip


@functools.lru_cache(maxsize=8192)
def _cog_row(insee: str) -> dict[str, str] | None:
    """The row of one code of the COG extract, found in its text (no table is built;
    remembered: a service asks for the same few communes again and again). Read-only."""
    try:
        code = insee_code(insee, "commune")
    except OrtgeoError:
        return None
    text = _cog_text()
    start = text.find(b"\n" + code.encode() + b",")
    if start < 0:
        return None
    end = text.find(b"\n", start + 1)
    header = text[1 : text.find(b"\n", 1)].decode().split(",")
    values = next(csv.reader([text[start + 1 : end if end > 0 else None].decode("utf-8")]))
    return dict(zip(header, values, strict=True))


def cog_commune(insee: str) -> CogCommune | None:
    """The COG record of an INSEE code (``None`` when the official list has no such code).

    Reads one line of the bundled extract (no table is built).

    Examples
    --------
    >>> a = cog_commune("62041")
    >>> a.name, a.departement, a.epci, a.epci_name, a.postcodes
    ('Arras', '62', '200033579', "CU d'Arras", ('62000',))
    >>> cog_commune("75107").kind, cog_commune("75107").commune
    ('arrondissement', '75056')
    >>> cog_commune("62549").kind, cog_commune("62549").commune  # Marconne, merged in 2025
    ('deleguee', '62447')
    >>> cog_commune("00000") is None
    True
    """
    row = _cog_row(insee)
    return _cog_record(row) if row is not None else None


@functools.lru_cache(maxsize=1)
def cog_communes() -> dict[str, CogCommune]:
    """Every code of the bundled COG extract, by INSEE code (communes of today and former).

    Examples
    --------
    >>> cog = cog_communes()
    >>> sum(c.kind == "commune" for c in cog.values()), cog["13055"].name
    (34969, 'Marseille')
    """
    rows = csv.DictReader(io.StringIO(_cog_text()[1:].decode("utf-8"), newline=""))
    return {r["insee"]: _cog_record(r) for r in rows}


def check_commune(insee: str) -> CogCommune:
    """The COG record of a commune of today, or a one-line error that says what to ask for.

    Parameters
    ----------
    insee : str
        An INSEE code: a commune's, or an arrondissement municipal's (``75107``, whose
        :attr:`CogCommune.commune` is Paris, ``75056``).

    Raises
    ------
    OrtgeoError
        Not five characters (digits, or 2A/2B for Corsica).
    UnknownCommuneError
        No commune of the official list has that code; or it is a former commune's
        (``successor`` is the commune it is part of today).

    Examples
    --------
    >>> check_commune("75056").name
    'Paris'
    >>> check_commune("00000")
    Traceback (most recent call last):
    ...
    ortgeo.errors.UnknownCommuneError: 00000 is not a commune of the official code list ...
    >>> check_commune("62549")
    Traceback (most recent call last):
    ...
    ortgeo.errors.UnknownCommuneError: 62549 (Marconne) is a former commune, part of ...
    """
    code = insee_code(insee, "commune")
    cog = cog_commune(code)
    if cog is not None and cog.current:
        return cog
    if cog is not None:
        now = cog_commune(cog.commune)
        named = f" ({cog.name})" if cog.name else ""
        into = f"{now.name} ({now.insee})" if now else cog.commune
        raise UnknownCommuneError(
            f"{code}{named} is a former commune, part of {into} today (COG {COG_YEAR}): "
            f"ask for {cog.commune}.",
            insee=code, successor=cog.commune,
        )  # fmt: skip
    by_postcode = sorted(f"{c.name} ({c.insee})" for c in cog_communes().values()
                         if c.kind == "commune" and code in c.postcodes)  # fmt: skip
    hint = (f" {code} is the postcode of {', '.join(by_postcode[:4])}"
            f"{' …' if len(by_postcode) > 4 else ''}: give the INSEE code."
            if by_postcode else "")  # fmt: skip
    raise UnknownCommuneError(
        f"{code} is not a commune of the official code list (COG {COG_YEAR}): check the INSEE "
        f"code (e.g. 62498 for Lens; not the postcode).{hint}",
        insee=code,
    )


def commune_name(insee: str) -> str:
    """Name of a commune (or arrondissement municipal) of today; ``""`` for any other code.

    Examples
    --------
    >>> commune_name("62523"), commune_name("75056"), commune_name("00000")
    ('Loison-sous-Lens', 'Paris', '')
    """
    row = _cog_row(insee)
    return row["nom"] if row is not None and row["type"] in ("commune", "arrondissement") else ""


# --- the ANCT table of ORT communes ----------------------------------------------------------


def _refreshed_path() -> Path:
    """Where ``ortgeo communes update`` keeps the table (in the cache folder, as the
    geocoders' cache: ``$ORTGEO_CACHE_DIR`` or the user cache folder)."""
    import platformdirs

    root = os.environ.get("ORTGEO_CACHE_DIR") or platformdirs.user_cache_dir("ortgeo")
    return Path(root) / "anct" / "ort_communes.csv"


def ort_table_path() -> Path:
    """The ANCT table in use: the refreshed one if ``ortgeo communes update`` wrote it,
    else the bundled snapshot.

    Examples
    --------
    >>> ort_table_path().name
    'ort_communes.csv'
    """
    refreshed = _refreshed_path()
    return refreshed if refreshed.is_file() else communes_path() / "ort_communes.csv"


@functools.lru_cache(maxsize=1)
def ort_rows() -> dict[str, dict[str, str]]:
    """The rows of the ANCT table in use as text, by INSEE code (read with csv: no pandas).

    Columns :data:`ortgeo.io.communes.ORT_FIELDS`; every row carries ``table_date``, the
    date of the table it was read from (download date, or the snapshot's last update), and
    ``ort_by`` (``arrete``, ``convention`` or ``""``). A refreshed table that cannot be read
    is set aside with a warning, and the bundled one used.

    Examples
    --------
    >>> lens = ort_rows()["62498"]
    >>> lens["ort_signee_le"], lens["ort_by"]
    ('2019-08-04', 'arrete')
    """
    path = ort_table_path()
    try:
        rows = read_csv_rows(path)
        if not rows or tuple(rows[0]) != ORT_FIELDS:
            raise InputFileError(f"{path} is not a table of ortgeo {ORT_FIELDS}")
    except (OSError, UnicodeDecodeError, InputFileError) as exc:
        bundled = communes_path() / "ort_communes.csv"
        if path == bundled:  # pragma: no cover - the bundled file is ortgeo's own
            raise
        warnings.warn(f"The refreshed ANCT table {path} cannot be read ({exc}); the bundled "
                      "one is used: run `ortgeo communes update` again.", stacklevel=2)  # fmt: skip
        rows = read_csv_rows(bundled)
    return {row["insee"]: row for row in rows}


@dataclasses.dataclass(frozen=True)
class OrtTable:
    """Which ANCT table is in use.

    Attributes
    ----------
    path : Path
        The file.
    refreshed : bool
        Downloaded by ``ortgeo communes update`` (else the bundled snapshot).
    table_date : datetime.date or None
        The table's date: the download date, or the snapshot's last update.
    communes, signed : int
        Rows, and communes with a signed ORT.
    """

    path: Path
    refreshed: bool
    table_date: _dt.date | None
    communes: int
    signed: int


def ort_table() -> OrtTable:
    """The ANCT table in use, its date and size.

    Examples
    --------
    >>> t = ort_table()
    >>> t.communes > 2000, t.signed > 1500
    (True, True)
    """
    global _TABLE_MEMO
    rows = ort_rows()
    memo = _TABLE_MEMO
    if memo is not None and memo[0] is rows:  # every verdict asks: counted once per table
        return memo[1]
    dates = {r["table_date"] for r in rows.values()}
    day = max(dates) if dates else ""
    table = OrtTable(
        path=ort_table_path(), refreshed=ort_table_path() == _refreshed_path(),
        table_date=_dt.date.fromisoformat(day) if day else None, communes=len(rows),
        signed=sum(r["ort"] == "signee" for r in rows.values()),
    )  # fmt: skip
    _TABLE_MEMO = (rows, table)
    return table


#: The last :func:`ort_table` and the rows (:func:`ort_rows`) it was counted from.
_TABLE_MEMO: tuple[dict[str, dict[str, str]], OrtTable] | None = None


def _bundled_programmes() -> dict[str, Programme]:
    """The ACV / PVD flags of the bundled table (from the ANCT programme lists)."""
    rows = read_csv_rows(communes_path() / "ort_communes.csv")
    return {r["insee"]: Programme(r["nom"], acv=r["acv"] == "True", pvd=r["pvd"] == "True")
            for r in rows if r["acv"] == "True" or r["pvd"] == "True"}  # fmt: skip


def _download(url: str, session: requests.Session | None, timeout: float, retries: int) -> bytes:
    import requests

    from ortgeo.geocoders.transport import RetryPolicy, check_service_url, send_with_retries

    try:
        check_service_url(url, "--url")
    except InvalidURLError:
        raise InvalidURLError(
            f"--url {url!r} is not an http(s) address of a CSV table, e.g. {ANCT_URL}."
        ) from None
    policy = RetryPolicy(max_retries=retries, timeout=timeout)
    try:
        resp = send_with_retries(session or requests.Session(), "GET", url, policy=policy,
                                 service="The ANCT table server", stream=True)  # fmt: skip
        return bytes(resp.content)
    except requests.RequestException as exc:
        raise InputFileError(
            f"The download of {url} was interrupted ({type(exc).__name__}): a truncated table."
        ) from None


def update_ort_table(
    url: str | None = None,
    *,
    session: requests.Session | None = None,
    today: _dt.date | None = None,
    timeout: float = 120.0,
    retries: int = 2,
    min_share: float = 0.5,
) -> OrtTable:
    """Download the current ANCT table of ORT communes and use it from now on.

    The CSV is checked (a CSV, UTF-8, the ANCT columns, every row whole) and converted by
    :func:`ortgeo.io.communes.convert_anct`, the code that built the bundled table; it
    replaces the refreshed table in the cache folder in one step (never half a file).
    Anything wrong, and the table in use stays.

    Parameters
    ----------
    url : str, optional
        Default ``$ORTGEO_ANCT_URL``, else :data:`ANCT_URL`.
    session : requests.Session, optional
        HTTP transport (tests, proxies).
    today : datetime.date, optional
        The download date recorded as the table's date (default today).
    timeout, retries : float, int
        Seconds to wait for the server; retries after a failure to reach it or HTTP 5xx.
    min_share : float
        Refuse a table with fewer signed ORT communes than this share of the table in use:
        a truncated or filtered export (one export of the ANCT document once held a single
        département), not the national table.

    Returns
    -------
    OrtTable
        The new table in use.

    Raises
    ------
    GeocoderUnavailable, GeocoderServiceError
        The server cannot be reached, or answers an HTTP error.
    InputFileError
        Not the ANCT table: an HTML page, another CSV, a truncated file, too few communes.

    Examples
    --------
    >>> update_ort_table("http://127.0.0.1:9/ort.csv", timeout=1, retries=0)
    Traceback (most recent call last):
    ...
    ortgeo.errors.GeocoderUnavailable: The ANCT table server at http://127.0.0.1:9/ort.csv ...
    """
    url = url or os.environ.get("ORTGEO_ANCT_URL") or ANCT_URL
    current = ort_table()
    try:
        raw = parse_anct_csv(_download(url, session, timeout, retries), url)
        table = convert_anct(raw, programmes=_bundled_programmes(),
                             taken_on=today or _dt.date.today())  # fmt: skip
        signed = sum(r["ort"] == "signee" for r in table)
        if signed < min_share * current.signed:
            raise InputFileError(
                f"{url} lists {signed} communes with a signed ORT against {current.signed} in "
                "the table in use: a truncated or filtered export, refused (give the national "
                "table's address with --url)."
            )
    except OrtgeoError as exc:  # one line (an HTML error page too), and what is kept
        kept = current.table_date.isoformat() if current.table_date else "?"
        origin = "downloaded" if current.refreshed else "bundled"
        exc.args = (f"{' '.join(str(exc).split())} The table in use is kept (ANCT table of "
                    f"{kept}, {origin}).",)  # fmt: skip
        raise
    target = _refreshed_path()
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, part = tempfile.mkstemp(prefix=".ort_communes.", suffix=".part", dir=target.parent)
    try:
        with os.fdopen(fd, "wb") as out:
            out.write(ort_table_csv(table))
            out.flush()
            os.fsync(out.fileno())
        os.replace(part, target)
    except BaseException:
        Path(part).unlink(missing_ok=True)
        raise
    ort_rows.cache_clear()
    _ort_table.cache_clear()
    return ort_table()


@functools.lru_cache(maxsize=1)
def _ort_table() -> pd.DataFrame:
    import pandas as pd

    table = pd.DataFrame(list(ort_rows().values()), columns=list(ORT_FIELDS), dtype=str)
    for col in ("acv", "pvd"):
        table[col] = table[col] == "True"
    return table.set_index("insee", drop=False)


def ort_communes() -> pd.DataFrame:
    """The ANCT table in use of communes followed for the ORT, ACV and PVD (one row per code).

    Examples
    --------
    >>> t = ort_communes()
    >>> t.loc["62498", ["nom", "programme", "ort", "ort_signee_le", "ort_by"]].tolist()
    ['Lens', 'acv', 'signee', '2019-08-04', 'arrete']
    """
    return _ort_table().copy()
