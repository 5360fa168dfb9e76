"""The dated catalogue of perimeter layers (ORT 2019, route de Lille extension, OPAH-RU).

A catalogue is a TOML file listing layers; each layer is one polygon file plus its
legal basis, dates, status (``indicatif`` / ``officiel``) and accuracy. The bundled
catalogue (``data/perimeters/catalog.toml``) holds *indicative* geometries digitized by
ortgeo; :meth:`Catalog.replace` or a catalogue file of your own swaps in official files.
"""

from __future__ import annotations

import dataclasses
import datetime as _dt
import functools
import tomllib
import warnings
from collections.abc import Iterator, Sequence
from pathlib import Path

import geopandas as gpd
import shapely

from ortgeo.crs import L93, WGS84
from ortgeo.dates import DateLike, parse_date
from ortgeo.errors import MissingCRSError, OrtgeoError, PerimeterFileError, UnknownLayerError
from ortgeo.io import read_perimeter

__all__ = [
    "KINDS",
    "ORT_KINDS",
    "STATUSES",
    "Catalog",
    "Layer",
    "bundled_path",
    "catalog",
    "landmarks",
    "ort_perimeter",
    "perimeters",
]

KINDS = ("ort", "ort-extension", "opah-ru")
#: Layer kinds whose union is "the ORT in force".
ORT_KINDS = ("ort", "ort-extension")
STATUSES = ("indicatif", "officiel")
#: Accuracy assumed for an official file when the caller does not say (cadastral scale).
OFFICIAL_ACCURACY_M = 5.0

_COLUMNS = [
    "id", "kind", "title", "legal_basis", "act_date", "valid_from", "valid_to",
    "status", "accuracy_m", "area_ha", "source", "notes",
]  # fmt: skip


def bundled_path() -> Path:
    """Folder of the bundled perimeter data (inside the wheel, or ``data/perimeters``).

    Examples
    --------
    >>> (bundled_path() / "catalog.toml").exists()
    True
    """
    packaged = Path(__file__).resolve().parent / "_data" / "perimeters"
    if packaged.is_dir():
        return packaged
    return Path(__file__).resolve().parents[1] / "data" / "perimeters"


@dataclasses.dataclass(frozen=True, eq=False)
class Layer:
    """One perimeter layer: a (multi)polygon in WGS84 with its legal and data metadata."""

    id: str
    kind: str
    title: str
    legal_basis: str
    act_date: _dt.date | None
    valid_from: _dt.date
    valid_to: _dt.date | None
    status: str
    accuracy_m: float
    source: str
    notes: str
    geometry: shapely.Geometry
    path: Path | None = None

    def in_force(self, on: DateLike = None) -> bool:
        """Whether the layer is valid on date ``on`` (bounds included; default today).

        Examples
        --------
        >>> ort = catalog()["ort-2019"]
        >>> ort.in_force("2019-08-03"), ort.in_force("2019-08-04")
        (False, True)
        """
        day = parse_date(on)
        return self.valid_from <= day and (self.valid_to is None or day <= self.valid_to)

    @functools.cached_property
    def geometry_l93(self) -> shapely.Geometry:
        """The geometry in Lambert-93 (EPSG:2154), for metric work."""
        return gpd.GeoSeries([self.geometry], crs=WGS84).to_crs(L93).iloc[0]

    @property
    def area_ha(self) -> float:
        """Area in hectares, computed in Lambert-93."""
        return float(self.geometry_l93.area / 1e4)

    @property
    def validity_fr(self) -> str:
        """Validity period in French words, e.g. ``"du 04/08/2019 (sans date de fin connue)"``."""
        start = f"du {self.valid_from:%d/%m/%Y}"
        return (
            f"{start} au {self.valid_to:%d/%m/%Y}"
            if self.valid_to
            else (f"{start} (sans date de fin connue)")
        )

    def to_record(self) -> dict[str, object]:
        """Metadata as a flat dict (dates in ISO text, ``""`` when open)."""
        iso = lambda d: d.isoformat() if d else ""  # noqa: E731
        return {
            "id": self.id, "kind": self.kind, "title": self.title,
            "legal_basis": self.legal_basis, "act_date": iso(self.act_date),
            "valid_from": iso(self.valid_from), "valid_to": iso(self.valid_to),
            "status": self.status, "accuracy_m": self.accuracy_m,
            "area_ha": round(self.area_ha, 2), "source": self.source, "notes": self.notes,
        }  # fmt: skip


def _date_field(entry: dict, key: str, where: str, required: bool = False) -> _dt.date | None:
    raw = entry.get(key, "")
    try:  # TOML dates and datetimes arrive as objects, quoted ones as text
        value = parse_date(raw if isinstance(raw, _dt.date) else str(raw), default_today=False)
    except OrtgeoError as exc:
        raise PerimeterFileError(f"{where}: field {key!r}: {exc}") from None
    if required and value is None:
        raise PerimeterFileError(f"{where}: field {key!r} is required (YYYY-MM-DD).")
    return value


def _layer_from_entry(entry: dict, folder: Path, where: str) -> Layer:
    for key in ("id", "file", "kind", "title", "legal_basis", "status", "accuracy_m"):
        if key not in entry or entry[key] in ("", None):
            raise PerimeterFileError(f"{where}: layer {entry.get('id', '?')!r} lacks {key!r}.")
    where = f"{where}, layer {entry['id']!r}"
    if entry["kind"] not in KINDS:
        raise PerimeterFileError(f"{where}: kind {entry['kind']!r} is not one of {KINDS}.")
    if entry["status"] not in STATUSES:
        raise PerimeterFileError(f"{where}: status {entry['status']!r} is not one of {STATUSES}.")
    try:
        accuracy_m = float(entry["accuracy_m"])
    except (TypeError, ValueError):
        raise PerimeterFileError(
            f"{where}: accuracy_m {entry['accuracy_m']!r} is not a number of metres."
        ) from None
    try:
        gdf = read_perimeter(folder / entry["file"], crs=entry.get("crs") or None)
    except PerimeterFileError as exc:  # say which catalogue and layer; same error class
        hint = (
            ' In a catalogue file, give the layer a crs field, e.g. crs = "EPSG:2154".'
            if isinstance(exc, MissingCRSError)
            else ""
        )
        raise type(exc)(f"{where}: {exc}{hint}") from None
    valid_from = _date_field(entry, "valid_from", where, required=True)
    valid_to = _date_field(entry, "valid_to", where)
    if valid_to is not None and valid_to < valid_from:
        raise PerimeterFileError(
            f"{where}: valid_to {valid_to.isoformat()} is before valid_from "
            f"{valid_from.isoformat()}; the layer would never be in force."
        )
    return Layer(
        id=entry["id"],
        kind=entry["kind"],
        title=entry["title"],
        legal_basis=entry["legal_basis"],
        act_date=_date_field(entry, "act_date", where),
        valid_from=valid_from,
        valid_to=valid_to,
        status=entry["status"],
        accuracy_m=accuracy_m,
        source=entry.get("source", ""),
        notes=entry.get("notes", ""),
        geometry=shapely.union_all(gdf.geometry.values),
        path=folder / entry["file"],
    )


class Catalog:
    """An ordered, immutable set of dated perimeter layers.

    Examples
    --------
    >>> cat = catalog()
    >>> cat.ids
    ['ort-2019', 'ort-extension-route-de-lille-2023', 'opah-ru-lens']
    >>> [layer.id for layer in cat.in_force("2022-01-01")]
    ['ort-2019', 'opah-ru-lens']
    """

    def __init__(self, layers: Sequence[Layer], name: str = "", source: Path | None = None):
        ids = [layer.id for layer in layers]
        if len(set(ids)) != len(ids):
            raise PerimeterFileError(f"Duplicate layer ids in catalogue: {ids}.")
        self._layers = {layer.id: layer for layer in layers}
        self.name = name
        self.source = source

    @classmethod
    def from_file(cls, path: str | Path) -> Catalog:
        """Read a catalogue TOML file; each layer's ``file`` is relative to it."""
        path = Path(path)
        if not path.is_file():
            raise PerimeterFileError(f"Catalogue file not found: {path}.")
        try:
            data = tomllib.loads(path.read_text(encoding="utf-8"))
        except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
            raise PerimeterFileError(f"{path.name} is not valid TOML: {exc}.") from None
        entries = data.get("layer", [])
        if not entries:
            raise PerimeterFileError(f"{path.name} lists no [[layer]].")
        if not isinstance(entries, list) or not all(isinstance(e, dict) for e in entries):
            raise PerimeterFileError(
                f"{path.name}: 'layer' must be an array of tables, one [[layer]] per layer."
            )
        layers = [_layer_from_entry(e, path.parent, path.name) for e in entries]
        return cls(layers, name=data.get("catalog", {}).get("name", ""), source=path)

    # -- access -------------------------------------------------------------------
    @property
    def ids(self) -> list[str]:
        """Layer ids, in catalogue order."""
        return list(self._layers)

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
        """Layers valid on date ``on`` (default today), in catalogue order."""
        day = parse_date(on)
        return [layer for layer in self if layer.in_force(day)]

    def ort_layers(self, on: DateLike = None) -> list[Layer]:
        """The ``ort`` and ``ort-extension`` layers valid on ``on``: the ORT in force."""
        return [layer for layer in self.in_force(on) if layer.kind in ORT_KINDS]

    # -- changes ------------------------------------------------------------------
    def replace(
        self,
        layer_id: str,
        path: str | Path,
        *,
        layer: str | int | None = None,
        crs: str | int | None = None,
        engine: str = "pyogrio",
        status: str = "officiel",
        accuracy_m: float = OFFICIAL_ACCURACY_M,
        **metadata: object,
    ) -> Catalog:
        """Return a new catalogue where ``layer_id`` takes its geometry from an official file.

        Parameters
        ----------
        layer_id : str
            Layer to replace, e.g. ``"ort-2019"``.
        path, layer, crs, engine
            As in :func:`ortgeo.read_perimeter`.
        status : {"officiel", "indicatif"}
            Status of the new geometry.
        accuracy_m : float
            Accuracy of the official file in metres (default 5, cadastral scale).
        **metadata
            Other fields to change (``legal_basis``, ``valid_from``, ``valid_to``,
            ``source``, ``notes``...).

        Examples
        --------
        >>> import tempfile, pathlib
        >>> tmp = pathlib.Path(tempfile.mkdtemp()) / "ort.gpkg"
        >>> _ = perimeters().query("id == 'ort-2019'").to_crs(2154).to_file(tmp)
        >>> new = catalog().replace("ort-2019", tmp, source="Ville de Lens, SIG")
        >>> new["ort-2019"].status, catalog()["ort-2019"].status
        ('officiel', 'indicatif')
        """
        old = self[layer_id]
        if status not in STATUSES:
            raise PerimeterFileError(f"status {status!r} is not one of {STATUSES}.")
        gdf = read_perimeter(path, layer=layer, crs=crs, engine=engine)
        changes: dict[str, object] = {
            "geometry": shapely.union_all(gdf.geometry.values),
            "path": Path(path),
            "status": status,
            "accuracy_m": float(accuracy_m),
            "source": metadata.pop("source", f"Fichier {Path(path).name}"),
            "notes": metadata.pop("notes", f"Géométrie remplacée par {Path(path).name}."),
        }
        for key in ("act_date", "valid_from", "valid_to"):
            if key in metadata:
                changes[key] = _date_field(metadata, key, "replace()", required=key == "valid_from")
                metadata.pop(key)
        unknown = set(metadata) - {f.name for f in dataclasses.fields(Layer)}
        if unknown:
            raise PerimeterFileError(f"replace(): unknown field(s) {sorted(unknown)}.")
        changes.update(metadata)
        new = dataclasses.replace(old, **changes)
        return Catalog([new if x.id == layer_id else x for x in self], self.name, self.source)

    # -- tables -------------------------------------------------------------------
    def to_geodataframe(
        self, date: DateLike = None, *, all_dates: bool = False
    ) -> gpd.GeoDataFrame:
        """One row per layer (valid on ``date`` unless ``all_dates``), EPSG:4326."""
        layers = list(self) if all_dates else self.in_force(date)
        return gpd.GeoDataFrame(
            [layer.to_record() for layer in layers],
            columns=_COLUMNS,
            geometry=[layer.geometry for layer in layers],
            crs=WGS84,
        )

    def ort_perimeter(self, date: DateLike = None) -> gpd.GeoDataFrame:
        """The ORT in force on ``date``: union of its ``ort`` and ``ort-extension`` layers.

        Returns one row (empty, with a warning, when no ORT is in force that day).
        """
        day = parse_date(date)
        layers = self.ort_layers(day)
        cols = ["date", "layers", "status", "accuracy_m", "area_ha", "legal_basis"]
        if not layers:
            warnings.warn(
                f"No ORT perimeter in force on {day.isoformat()}: " + no_ort_reason(self, day),
                UserWarning,
                stacklevel=2,
            )
            return gpd.GeoDataFrame(columns=[*cols, "geometry"], geometry="geometry", crs=WGS84)
        geom = shapely.union_all([layer.geometry for layer in layers])
        area = float(gpd.GeoSeries([geom], crs=WGS84).to_crs(L93).area.iloc[0] / 1e4)
        row = {
            "date": day.isoformat(),
            "layers": ",".join(layer.id for layer in layers),
            "status": "officiel" if all(x.status == "officiel" for x in layers) else "indicatif",
            "accuracy_m": max(layer.accuracy_m for layer in layers),
            "area_ha": round(area, 2),
            "legal_basis": " ; ".join(layer.legal_basis for layer in layers),
        }
        return gpd.GeoDataFrame([row], columns=cols, geometry=[geom], crs=WGS84)


def first_ort_after(cat: Catalog, day: _dt.date) -> Layer | None:
    """The first ``ort`` layer that starts after ``day`` (None when there is none)."""
    later = [layer for layer in cat if layer.kind == "ort" and layer.valid_from > day]
    return min(later, key=lambda layer: layer.valid_from, default=None)


def no_ort_reason(cat: Catalog, day: _dt.date) -> str:
    """Why no ORT is in force on ``day`` (English, for messages and warnings)."""
    first = first_ort_after(cat, day)
    if first is not None:
        return f"the ORT starts on {first.valid_from.isoformat()} ({first.legal_basis})."
    return "no layer of kind 'ort' or 'ort-extension' is valid that day."


@functools.lru_cache(maxsize=1)
def _bundled() -> Catalog:
    return Catalog.from_file(bundled_path() / "catalog.toml")


def catalog(path: str | Path | None = None) -> Catalog:
    """The bundled catalogue, or the catalogue file at ``path``.

    Examples
    --------
    >>> catalog()["ort-2019"].status
    'indicatif'
    """
    return _bundled() if path is None else Catalog.from_file(path)


def perimeters(date: DateLike = None, catalog: Catalog | None = None) -> gpd.GeoDataFrame:
    """Perimeter layers as a GeoDataFrame (EPSG:4326), all of them or those valid on ``date``.

    Examples
    --------
    >>> perimeters()["id"].tolist()
    ['ort-2019', 'ort-extension-route-de-lille-2023', 'opah-ru-lens']
    >>> perimeters(date="2020-01-01")["id"].tolist()
    ['ort-2019']
    """
    cat = catalog if catalog is not None else _bundled()
    if date is None:
        return cat.to_geodataframe(all_dates=True)
    return cat.to_geodataframe(date)


def ort_perimeter(date: DateLike = None, catalog: Catalog | None = None) -> gpd.GeoDataFrame:
    """The ORT in force on ``date`` (default today): 2019 ORT ∪ extension when valid.

    Examples
    --------
    >>> ort = ort_perimeter(date="2024-06-01")
    >>> ort["layers"].iloc[0]
    'ort-2019,ort-extension-route-de-lille-2023'
    """
    return (catalog if catalog is not None else _bundled()).ort_perimeter(date)


def landmarks() -> gpd.GeoDataFrame:
    """Named places of the convention and sourced reference points (EPSG:4326).

    Each row has ``name``, ``kind`` (``repere``, ``action``, ``centre-commune``),
    ``source``, ``precision_m`` and ``note``.

    Examples
    --------
    >>> marks = landmarks()
    >>> marks.crs.to_epsg(), marks.loc[marks["name"] == "Église Saint-Léger", "kind"].item()
    (4326, 'repere')
    """
    return gpd.read_file(bundled_path() / "landmarks.geojson", engine="pyogrio")
