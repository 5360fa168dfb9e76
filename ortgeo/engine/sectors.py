"""The sectors of a catalogue as arrays: the model's columns, precisions and coverage included.

:class:`Sectors` is the engine's view of a :class:`~ortgeo.catalog.Catalog`: one entry per
layer (ORT sector or other dispositif) with its territory, kind, validity *with the
precision of each bound*, data status, accuracy and prepared Lambert-93 geometry, and the
catalogue's coverage. Which sectors are in force on a day is the model's one validity rule
(:func:`ortgeo.model.timing_codes`), so the engine, :func:`ortgeo.on` and
:meth:`ortgeo.model.Layer.timing` always agree.
"""

from __future__ import annotations

import dataclasses
import datetime as _dt
import functools
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd
import shapely

from ortgeo.catalog import Catalog, read_catalog
from ortgeo.catalog.table import from_geodataframe
from ortgeo.crs import L93
from ortgeo.dates import DateLike, parse_date
from ortgeo.errors import PerimeterFileError
from ortgeo.model import (
    DATE_PRECISIONS,
    ORT_SECTOR,
    TIMINGS,
    CoverageEntry,
    Layer,
    coverage_of,
    timing_codes,
)
from ortgeo.status import Timing

if TYPE_CHECKING:
    import geopandas as gpd

__all__ = ["ORT_KINDS", "Sectors", "as_sectors"]

#: Kinds of ORT sectors: the model's, and the version-1 kinds a sector table may use.
ORT_KINDS = (ORT_SECTOR, "ort", "ort-extension")
#: Territory of the sectors of a catalogue that does not name one.
DEFAULT_TERRITORY = "CALL"
_IN_FORCE = TIMINGS.index(Timing.IN_FORCE)
_UNCERTAIN = TIMINGS.index(Timing.UNCERTAIN)


def _categorical(values: Sequence[object]) -> pd.Categorical:
    return pd.Categorical(np.asarray(values, dtype=object))


def _dates(values: Sequence[_dt.date | None]) -> np.ndarray:
    return np.array([v if v else np.datetime64("NaT") for v in values], dtype="datetime64[D]")


def _precision_codes(values: Sequence[str]) -> np.ndarray:
    return np.array([DATE_PRECISIONS.index(v) for v in values], dtype=np.int8)


@dataclasses.dataclass(frozen=True, eq=False)
class Sectors:
    """A table of sectors (ORT sectors and other dispositifs) with Lambert-93 geometries.

    All arrays have one entry per sector. ``territory``, ``kind`` and ``status`` (the data
    status) are categoricals; ``code`` is each sector's position in the table it was taken
    from, so that codes stay the same in every subset (:meth:`in_force`). ``layers`` are
    the model's records (acts, communes, provenance) in the same order, and ``coverage``
    what the catalogue holds where. After :meth:`in_force`, ``timing`` holds each sector's
    timing code on that day (:data:`ortgeo.model.TIMINGS`).

    Examples
    --------
    >>> s = Sectors.from_catalog()
    >>> len(s), list(s.territory.categories)
    (3, ['call'])
    >>> s.in_force("2024-06-01").certain.tolist()
    [True, False, True]
    """

    ids: np.ndarray
    territory: pd.Categorical
    names: np.ndarray
    kind: pd.Categorical
    valid_from: np.ndarray  # datetime64[D]
    from_precision: np.ndarray  # int8 codes of DATE_PRECISIONS
    valid_to: np.ndarray  # datetime64[D], NaT when open
    to_precision: np.ndarray  # int8
    status: pd.Categorical
    accuracy_m: np.ndarray  # float64
    geometry: np.ndarray  # shapely (multi)polygons, EPSG:2154, prepared
    code: np.ndarray  # int32
    all_ids: tuple[str, ...]  # ids of the full table, indexed by code
    layers: tuple[Layer, ...] = ()
    coverage: tuple[CoverageEntry, ...] = ()
    timing: np.ndarray | None = None  # int8 codes on the day of in_force(), else None
    catalog: Catalog | None = None

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
    def from_layers(
        cls,
        layers: Sequence[Layer],
        coverage: Sequence[CoverageEntry] | None = None,
        catalog: Catalog | None = None,
    ) -> Sectors:
        """Sectors from the model's layers, in their order (the one adapter).

        ``coverage`` defaults to the coverage the layers imply
        (:func:`ortgeo.model.coverage_of`).

        Examples
        --------
        >>> import ortgeo
        >>> Sectors.from_layers(ortgeo.on("2024-06-01").layers).ids.tolist()
        ['lens-centre-ville', 'lens-entree-de-ville', 'call-opah-ru-coeur-de-ville']
        """
        layers = tuple(layers)
        ids = np.array([x.id for x in layers], dtype=object)
        if len(set(ids.tolist())) != len(ids):
            raise PerimeterFileError("Duplicate sector ids: every id must be unique.")
        return cls(
            ids=ids,
            territory=_categorical([x.territory or DEFAULT_TERRITORY for x in layers]),
            names=np.array([x.name for x in layers], dtype=object),
            kind=_categorical([x.kind for x in layers]),
            valid_from=_dates([x.valid_from for x in layers]),
            from_precision=_precision_codes([x.valid_from_precision for x in layers]),
            valid_to=_dates([x.valid_to for x in layers]),
            to_precision=_precision_codes([x.valid_to_precision for x in layers]),
            status=_categorical([x.status for x in layers]),
            accuracy_m=np.array([x.accuracy_m for x in layers], dtype=float),
            geometry=np.array([x.geometry_l93 for x in layers], dtype=object),
            code=np.arange(len(layers), dtype=np.int32),
            all_ids=tuple(ids.tolist()),
            layers=layers,
            coverage=tuple(coverage) if coverage is not None else coverage_of(layers),
            catalog=catalog,
        )

    @classmethod
    def from_catalog(cls, catalog: Catalog | None = None) -> Sectors:
        """Sectors of a catalogue (default: the bundled one), with its coverage.

        Examples
        --------
        >>> s = Sectors.from_catalog()
        >>> s.kind.tolist(), s.territory.tolist()
        (['ort-sector', 'ort-sector', 'opah-ru'], ['call', 'call', 'call'])
        """
        from ortgeo.catalog import catalog as bundled

        cat = catalog if catalog is not None else bundled()
        cache = cat.__dict__.setdefault("_sectors", {})
        if "all" not in cache:
            cache["all"] = cls.from_layers(list(cat), cat.coverage, cat)
        return cache["all"]

    @classmethod
    def from_geodataframe(cls, gdf: gpd.GeoDataFrame) -> Sectors:
        """Sectors from a sector table in memory (see :mod:`ortgeo.catalog.table`)."""
        return cls.from_catalog(from_geodataframe(gdf))

    @classmethod
    def read(cls, path: str | Path | None = None, layer: str | None = None) -> Sectors:
        """Sectors from a catalogue TOML file or a sector table (GeoParquet, GeoPackage).

        ``None`` gives the bundled catalogue.

        Examples
        --------
        >>> len(Sectors.read())
        3
        """
        return cls.from_catalog(None if path is None else read_catalog(path, layer))

    # -- views -------------------------------------------------------------------------
    def subset(self, mask: np.ndarray, timing: np.ndarray | None = None) -> Sectors:
        """The sectors where ``mask`` is true (codes, categories and ``all_ids`` kept)."""
        pos = np.flatnonzero(mask)
        return dataclasses.replace(
            self,
            ids=self.ids[pos],
            territory=self.territory[pos],
            names=self.names[pos],
            kind=self.kind[pos],
            valid_from=self.valid_from[pos],
            from_precision=self.from_precision[pos],
            valid_to=self.valid_to[pos],
            to_precision=self.to_precision[pos],
            status=self.status[pos],
            accuracy_m=self.accuracy_m[pos],
            geometry=self.geometry[pos],
            code=self.code[pos],
            layers=tuple(self.layers[i] for i in pos) if self.layers else (),
            timing=None if timing is None else timing[pos],
        )

    def for_thread(self) -> Sectors:
        """The same sectors with GEOS geometries of their own (and of their index, when
        built), for another thread: see :func:`ortgeo.engine.index.own_copy`.

        Examples
        --------
        >>> s = Sectors.from_catalog()
        >>> t = s.for_thread()
        >>> same = shapely.equals_exact(t.geometry, s.geometry, 0)
        >>> t.geometry[0] is s.geometry[0], bool(same.all())
        (False, True)
        """
        from ortgeo.engine.index import own_copy

        copy = dataclasses.replace(self, geometry=own_copy(self.geometry))
        built = self.__dict__.get("_indexes")
        if built:  # the grid and boxes are shared (plain arrays), the GEOS zones copied
            copy.__dict__["_indexes"] = {k: v.for_thread(copy.boundaries)
                                         for k, v in built.items()}  # fmt: skip
        return copy

    def timings(self, on: DateLike = None) -> np.ndarray:
        """Each sector's timing code on ``on``: the model's one rule, vectorised."""
        return timing_codes(self.valid_from, self.from_precision, self.valid_to,
                            self.to_precision, np.datetime64(parse_date(on), "D"))  # fmt: skip

    def in_force(self, on: DateLike = None) -> Sectors:
        """The sectors in force or maybe in force on ``on`` (their ``timing`` kept).

        Examples
        --------
        >>> s = Sectors.from_catalog()
        >>> s.in_force("2021-06-10").ids.tolist()  # the OPAH-RU: about July 2021
        ['lens-centre-ville', 'call-opah-ru-coeur-de-ville']
        """
        codes = self.timings(on)
        return self.subset((codes == _IN_FORCE) | (codes == _UNCERTAIN), codes)

    @property
    def certain(self) -> np.ndarray:
        """Whether each sector is certainly in force (after :meth:`in_force`; else all)."""
        if self.timing is None:
            return np.ones(len(self), dtype=bool)
        return self.timing == _IN_FORCE

    @property
    def is_ort(self) -> np.ndarray:
        """Whether each sector is an ORT sector (not another dispositif)."""
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
                "valid_from_precision": np.array(DATE_PRECISIONS)[self.from_precision],
                "valid_to": self.valid_to,
                "valid_to_precision": np.array(DATE_PRECISIONS)[self.to_precision],
                "status": self.status,
                "accuracy_m": self.accuracy_m,
            },
            geometry=self.geometry,
            crs=L93,
        )


def as_sectors(sectors: Sectors | Catalog | str | Path | None) -> Sectors:
    """A :class:`Sectors` from what a caller may give: sectors, a catalogue, a path, None."""
    if isinstance(sectors, Sectors):
        return sectors
    if isinstance(sectors, Catalog):
        return Sectors.from_catalog(sectors)
    return Sectors.read(sectors)


def layer_of(sectors: Sectors, pos: int) -> Layer | None:
    """The model record of the sector at ``pos`` (``None`` for a table built from arrays)."""
    return sectors.layers[pos] if sectors.layers else None
