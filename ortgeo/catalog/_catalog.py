"""The :class:`Catalog`: an ordered, immutable set of layers with their acts, territories,
coverage and provenance — what a catalogue file or a sector table holds, once read."""

from __future__ import annotations

import dataclasses
import functools
from collections.abc import Iterator, Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ortgeo.catalog.fields import iso, layer_fields
from ortgeo.catalog.geometry import file_sha256, read_geometry
from ortgeo.crs import WGS84
from ortgeo.dates import DateLike, parse_date, parse_optional_date
from ortgeo.errors import PerimeterFileError, UnknownLayerError
from ortgeo.model import Act, CoverageEntry, Layer, Territory, act_chain, coverage_of

if TYPE_CHECKING:  # geopandas is imported by the functions that build GeoDataFrames
    import geopandas as gpd

__all__ = ["OFFICIAL_ACCURACY_M", "Catalog"]

#: Accuracy of an official plan when the caller does not say (cadastral scale).
OFFICIAL_ACCURACY_M = 5.0
#: Columns of :meth:`Catalog.to_geodataframe` (dates are real date columns).
COLUMNS = [
    "id", "kind", "name", "title", "territory", "communes", "communes_possible",
    "includes_centre_ville", "acts", "valid_from", "valid_from_precision", "valid_to",
    "valid_to_precision", "review_after", "status", "accuracy_m", "area_ha", "source",
    "sha256", "notes",
]  # fmt: skip


class Catalog:
    """An ordered, immutable set of dated layers (ORT sectors, then other dispositifs),
    the acts they rest on, the territories that carry their ORT, what ortgeo holds where
    (coverage) and where each geometry comes from (fingerprints).

    Examples
    --------
    >>> from ortgeo.catalog import catalog
    >>> cat = catalog()
    >>> cat.ids
    ['lens-centre-ville', 'lens-entree-de-ville', 'call-opah-ru-coeur-de-ville']
    >>> [layer.id for layer in cat.in_force("2022-01-01")]
    ['lens-centre-ville', 'call-opah-ru-coeur-de-ville']
    """

    def __init__(
        self,
        layers: Sequence[Layer],
        name: str = "",
        source: Path | None = None,
        *,
        acts: Sequence[Act] = (),
        territory: Territory | None = None,
        territories: Sequence[Territory] = (),
        annex: Mapping[str, str] | None = None,
        coverage: Sequence[CoverageEntry] | None = None,
        version: str = "",
        sha256: str = "",
    ):
        ids = [layer.id for layer in layers]
        if len(set(ids)) != len(ids):
            raise PerimeterFileError(f"Duplicate layer ids in catalogue: {ids}.")
        self._layers = {layer.id: layer for layer in layers}
        self.name = name
        self.source = source
        known = {act.id: act for act in acts}
        terrs = list(territories) or ([territory] if territory is not None else [])
        for item_acts in [*(x.acts for x in layers), *(t.acts for t in terrs)]:
            for act in item_acts:
                known.setdefault(act.id, act)
        self._acts = known
        self._territories = {t.id: t for t in terrs}
        self.annex = dict(annex or {})
        self._coverage = tuple(coverage) if coverage is not None else None
        self.version = version
        self.sha256 = sha256

    # -- access -------------------------------------------------------------------
    @property
    def ids(self) -> list[str]:
        """Layer ids, in catalogue order (ORT sectors first)."""
        return list(self._layers)

    @property
    def sectors(self) -> list[Layer]:
        """The ORT intervention sectors, whatever their dates."""
        return [layer for layer in self if layer.is_ort_sector]

    @property
    def acts(self) -> list[Act]:
        """Every act of the catalogue."""
        return list(self._acts.values())

    def act(self, act_id: str) -> Act:
        """One act by id."""
        try:
            return self._acts[act_id]
        except KeyError:
            raise UnknownLayerError(
                f"Unknown act id {act_id!r}. Known acts: {', '.join(self._acts)}."
            ) from None

    @property
    def territories(self) -> list[Territory]:
        """The territories that carry the ORT of the catalogue's sectors."""
        return list(self._territories.values())

    @property
    def territory(self) -> Territory:
        """The catalogue's territory (the first one; an empty one when none is named)."""
        return next(iter(self._territories.values()), Territory())

    def territory_of(self, layer: Layer) -> Territory | None:
        """The territory a layer belongs to (``None`` when the catalogue does not name it)."""
        return self._territories.get(layer.territory)

    @property
    def coverage(self) -> tuple[CoverageEntry, ...]:
        """What ortgeo holds where: the catalogue's own ``[[coverage]]`` entries, else the
        coverage its layers imply (:func:`ortgeo.model.coverage_of`)."""
        return self._coverage if self._coverage is not None else _implied(self)

    @property
    def coverage_stated(self) -> bool:
        """Whether the catalogue states its coverage (rather than implying it)."""
        return self._coverage is not None

    def acts_on(self, layer: Layer | str, on: DateLike = None) -> tuple[Act, ...]:
        """The act chain of a layer on a date (:func:`ortgeo.model.act_chain`).

        Examples
        --------
        >>> from ortgeo.catalog import catalog
        >>> chain = catalog().acts_on("lens-centre-ville", "2024-06-01")
        >>> [a.id for a in chain]  # doctest: +NORMALIZE_WHITESPACE
        ['convention-acv-2018', 'arrete-ort-2019', 'avenant-deploiement-2021',
         'convention-chapeau-2023', 'avenant-2', 'avenant-convention-chapeau']
        """
        layer = self[layer] if isinstance(layer, str) else layer
        return act_chain(layer, self.territory_of(layer), on)

    def __getitem__(self, layer_id: str) -> Layer:
        try:
            return self._layers[layer_id]
        except KeyError:
            raise UnknownLayerError(
                f"Unknown layer id {layer_id!r}. Known layers: {', '.join(self._layers)}."
            ) from None

    def __iter__(self) -> Iterator[Layer]:
        return iter(self._layers.values())

    def __len__(self) -> int:
        return len(self._layers)

    def __repr__(self) -> str:
        return f"<Catalog {self.name!r}: {', '.join(f'{x.id} ({x.status})' for x in self)}>"

    def in_force(self, on: DateLike = None) -> list[Layer]:
        """Layers in force (or maybe in force) on date ``on`` (default today), in order."""
        day = parse_date(on)
        return [layer for layer in self if layer.in_force(day)]

    def _with(self, layers: Sequence[Layer], **changes: Any) -> Catalog:
        """A catalogue like this one with other layers (acts, territories, coverage kept)."""
        kwargs: dict[str, Any] = {
            "acts": self.acts, "territories": self.territories, "annex": self.annex,
            "coverage": self._coverage, "version": self.version, "sha256": self.sha256,
        }  # fmt: skip
        kwargs.update(changes)
        return Catalog(layers, self.name, self.source, **kwargs)

    def subset(self, layer_ids: Sequence[str]) -> Catalog:
        """A catalogue of the given layers only (unknown ids raise, listing the known ones)."""
        return self._with([self[i] for i in dict.fromkeys(layer_ids)])

    # -- provenance ---------------------------------------------------------------
    def fingerprint(self) -> dict[str, Any]:
        """What an answer used, so that it can be cited exactly: the catalogue (name,
        version, SHA-256 of its file) and every layer's geometry file with its SHA-256.

        Examples
        --------
        >>> from ortgeo.catalog import catalog
        >>> fp = catalog().fingerprint()
        >>> fp["files"][0]["file"], len(fp["files"][0]["sha256"])
        ('ort_2019.geojson', 64)
        """
        return {
            "catalog": self.name,
            "version": self.version or None,
            "sha256": self.sha256 or None,
            "synthetic": any(x.provenance.synthetic for x in self),
            "files": [
                {
                    "layer": x.id,
                    "file": x.provenance.file,
                    "sha256": x.provenance.sha256,
                    "status": x.status,
                }
                for x in self
            ],
        }

    # -- changes ------------------------------------------------------------------
    def replace(
        self,
        layer_id: str,
        path: str | Path,
        *,
        layer: str | int | None = None,
        crs: str | int | None = None,
        engine: str = "pyogrio",
        status: str = "fourni",
        accuracy_m: float | None = None,
        plan_act: str = "",
        supplier: str = "",
        supplied_on: DateLike = None,
        **metadata: object,
    ) -> Catalog:
        """A new catalogue where ``layer_id`` takes its geometry from a file.

        A loaded file is ``fourni`` (supplied) by default: it becomes ``officiel`` only with
        the act whose annexed plan it is (``plan_act``), who supplied it (``supplier``) and
        when (``supplied_on``). Values are checked as in a catalogue file; the file's
        SHA-256 is recorded and shown by every answer.

        Parameters
        ----------
        layer_id : str
            Layer to replace, e.g. ``"lens-centre-ville"``.
        path, layer, crs, engine
            As in :func:`ortgeo.read_perimeter`.
        status : {"fourni", "officiel", "indicatif"}
            Status of the new geometry (default ``fourni``).
        accuracy_m : float, optional
            Accuracy of the file in metres. Default: 5 m for an official plan, else the
            accuracy of the layer it replaces (nothing says a supplied file is better).
        plan_act, supplier, supplied_on
            For ``officiel``: the act id, who supplied the file, when.
        **metadata
            Other fields of the catalogue format (``valid_from``, ``source``, ``notes``...).

        Examples
        --------
        >>> import tempfile, pathlib
        >>> from ortgeo.catalog import catalog, perimeters
        >>> tmp = pathlib.Path(tempfile.mkdtemp()) / "ort.gpkg"
        >>> _ = perimeters().query("id == 'lens-centre-ville'").to_crs(2154).to_file(tmp)
        >>> new = catalog().replace("lens-centre-ville", tmp, source="Ville de Lens, SIG")
        >>> new["lens-centre-ville"].status, new["lens-centre-ville"].accuracy_m
        ('fourni', 250.0)
        >>> off = catalog().replace("lens-centre-ville", tmp, status="officiel",
        ...     plan_act="arrete-ort-2019", supplier="Ville de Lens", supplied_on="2025-01-15")
        >>> off["lens-centre-ville"].status, off["lens-centre-ville"].accuracy_m
        ('officiel', 5.0)
        """
        old = self[layer_id]
        where = f"replace({layer_id!r})"
        for key in ("id", "file", "crs", "kind", "layer"):
            if key in metadata:
                raise PerimeterFileError(
                    f"{where}: {key!r} cannot be changed by replace(); give the file as "
                    "`path` (its layer as `layer`, its CRS as `crs`), or write a catalogue file."
                )
        if accuracy_m is None:
            accuracy_m = OFFICIAL_ACCURACY_M if status == "officiel" else old.accuracy_m
        file = Path(path)
        entry: dict[str, Any] = entry_of(old)
        entry.update({
            "status": status, "accuracy_m": accuracy_m, "plan_act": plan_act,
            "supplier": supplier, "supplied_on": parse_optional_date(supplied_on) or "",
            "synthetic": False,
            "source": metadata.pop("source", f"Fichier {file.name}"),
            "notes": metadata.pop("notes", f"Géométrie remplacée par {file.name}."),
        })  # fmt: skip
        entry.update(metadata)
        fields = layer_fields(entry, where, self._acts, kind=old.kind)
        geometry = read_geometry(file, layer=layer, crs=crs, engine=engine)
        fields["provenance"] = dataclasses.replace(
            fields["provenance"], file=file.name, sha256=file_sha256(file)
        )
        new = dataclasses.replace(old, geometry=geometry, **fields)
        return self._with([new if x.id == layer_id else x for x in self])

    # -- tables -------------------------------------------------------------------
    def to_geodataframe(
        self, date: DateLike = None, *, all_dates: bool = False
    ) -> gpd.GeoDataFrame:
        """One row per layer (in force on ``date`` unless ``all_dates``), EPSG:4326.

        Dates are real date columns (``datetime64``), so that QGIS and pandas can filter
        on them; lists of codes and acts are comma-separated text.

        Examples
        --------
        >>> from ortgeo.catalog import catalog
        >>> gdf = catalog().to_geodataframe(all_dates=True)
        >>> str(gdf["valid_from"].dtype), gdf["valid_to"].isna().tolist()
        ('datetime64[ms]', [True, True, False])
        """
        import geopandas as gpd
        import pandas as pd

        layers = list(self) if all_dates else self.in_force(date)
        frame = pd.DataFrame([_record(x) for x in layers], columns=COLUMNS)
        for col in ("valid_from", "valid_to", "review_after"):
            frame[col] = pd.to_datetime(frame[col]).astype("datetime64[ms]")
        frame["includes_centre_ville"] = frame["includes_centre_ville"].astype("boolean")
        return gpd.GeoDataFrame(frame, geometry=[x.geometry for x in layers], crs=WGS84)


def _record(x: Layer) -> dict[str, object]:
    return {
        "id": x.id, "kind": x.kind, "name": x.name, "title": x.title,
        "territory": x.territory, "communes": ",".join(x.communes),
        "communes_possible": ",".join(x.communes_possible),
        "includes_centre_ville": x.includes_centre_ville,
        "acts": ",".join(a.id for a in x.acts),
        "valid_from": x.valid_from, "valid_from_precision": x.valid_from_precision,
        "valid_to": x.valid_to, "valid_to_precision": x.valid_to_precision,
        "review_after": x.review_after, "status": x.status, "accuracy_m": x.accuracy_m,
        "area_ha": round(x.area_ha, 2), "source": x.source, "sha256": x.provenance.sha256,
        "notes": x.notes,
    }  # fmt: skip


@functools.lru_cache(maxsize=32)
def _implied_cached(layers: tuple[Layer, ...]) -> tuple[CoverageEntry, ...]:
    return coverage_of(layers)


def _implied(cat: Catalog) -> tuple[CoverageEntry, ...]:
    return _implied_cached(tuple(cat))


def entry_of(layer: Layer) -> dict[str, Any]:
    """A layer's fields as a catalogue table (the inverse of :func:`layer_fields`)."""
    p = layer.provenance
    entry: dict[str, Any] = {
        "name": layer.name, "title": layer.title, "legend": layer.legend,
        "communes": list(layer.communes), "communes_possible": list(layer.communes_possible),
        "acts": [a.id for a in layer.acts], "valid_from": layer.valid_from,
        "valid_from_precision": layer.valid_from_precision,
        "valid_from_basis": layer.valid_from_basis, "valid_to": iso(layer.valid_to),
        "valid_to_precision": layer.valid_to_precision, "review_after": iso(layer.review_after),
        "accuracy_m": layer.accuracy_m, "notes": layer.notes, "status": p.status,
        "source": p.source, "supplier": p.supplier, "supplied_on": iso(p.supplied_on),
        "plan_act": p.act, "synthetic": p.synthetic,
    }  # fmt: skip
    if layer.is_ort_sector:
        entry["includes_centre_ville"] = (
            "unknown" if layer.includes_centre_ville is None else layer.includes_centre_ville
        )
    else:
        entry.update(
            owner=layer.owner,
            contact=layer.contact,
            communes_all=list(layer.communes_all),
            drawn_part=layer.drawn_part,
        )
    return entry
