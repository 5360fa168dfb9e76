"""The catalogue: a territory's ORT, its dated acts, its intervention sectors and the other
dispositifs drawn beside it (OPAH-RU).

An ORT (art. L303-2 CCH) is a convention; its *secteurs d'intervention* are perimeters
created or re-recognised by dated acts (prefectoral order, convention, amendment). A
catalogue file (TOML, format 2) holds:

``[territory]``
    who carries the ORT (the CALL) and the communes that signed it;
``[[act]]``
    id, kind (arrete, convention, avenant, deliberation), title, date and how precisely
    it is known (``exact``, ``not-before``, ``approximate``), the articles that matter;
``[[sector]]``
    an ORT intervention sector: id, name as the act writes it, communes (INSEE), whether it
    includes a centre-ville identified by the convention, its acts, ``valid_from`` with its
    precision and basis, ``valid_to`` (empty unless an act ends it), ``review_after``,
    status (``indicatif`` / ``officiel``), accuracy and geometry file;
``[[dispositif]]``
    another dispositif (the OPAH-RU): owner, communes, dates, contact, the part drawn.

The bundled catalogue (``data/perimeters/catalog.toml``) holds *indicative* geometries
digitized by ortgeo; :meth:`Catalog.replace` or a catalogue file of your own swaps in
official files. Version-1 files (``[[layer]]`` tables) still load, with a warning.
"""

from __future__ import annotations

import dataclasses
import datetime as _dt
import functools
import tomllib
import warnings
from collections.abc import Iterator, Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

import shapely

from ortgeo import validate
from ortgeo.crs import LENS_CENTRE_LONLAT, WGS84, to_l93
from ortgeo.dates import DateLike, parse_date
from ortgeo.errors import MissingCRSError, PerimeterFileError, UnknownLayerError
from ortgeo.fr import MONTHS as _MONTHS
from ortgeo.fr import date_words
from ortgeo.io.geojson import plain_geojson
from ortgeo.status import DATA_STATUSES, DATE_PRECISIONS, Timing

if TYPE_CHECKING:  # geopandas is imported by the functions that build GeoDataFrames
    import geopandas as gpd

__all__ = [
    "ACT_KINDS",
    "KINDS",
    "ORT_SECTOR",
    "Act",
    "Catalog",
    "Layer",
    "Territory",
    "bundled_path",
    "catalog",
    "landmarks",
    "ort_perimeter",
    "perimeters",
]

#: Kind of an ORT intervention sector; other kinds are other dispositifs.
ORT_SECTOR = "ort-sector"
#: Layer kinds: ORT sectors, and the dispositifs drawn beside them.
KINDS = (ORT_SECTOR, "opah-ru", "dispositif")
ACT_KINDS = ("arrete", "convention", "avenant", "deliberation", "autre")
#: Accuracy assumed for an official file when the caller does not say (cadastral scale).
OFFICIAL_ACCURACY_M = 5.0
#: A start or end known only approximately is uncertain this many days around its date.
APPROXIMATE_DAYS = 31

_COLUMNS = [
    "id", "kind", "name", "title", "territory", "communes", "includes_centre_ville", "acts",
    "legal_basis", "valid_from", "valid_from_precision", "valid_to", "valid_to_precision",
    "review_after", "status",
    "accuracy_m", "area_ha", "source", "notes",
]  # fmt: skip

_ACT_KEYS = ("id", "kind", "title", "short", "date", "date_precision", "articles", "notes")
_COMMON_KEYS = (
    "id", "name", "title", "legend", "file", "crs", "communes", "communes_possible", "acts",
    "valid_from", "valid_from_precision", "valid_from_basis", "valid_to", "valid_to_precision",
    "review_after", "status", "accuracy_m", "source", "notes",
)  # fmt: skip
_SECTOR_KEYS = (*_COMMON_KEYS, "includes_centre_ville")
_DISPOSITIF_KEYS = (*_COMMON_KEYS, "kind", "owner", "contact", "communes_all", "drawn_part")
_V1_KEYS = ("id", "file", "crs", "kind", "title", "legal_basis", "act_date", "valid_from",
            "valid_to", "status", "accuracy_m", "source", "notes")  # fmt: skip
_TERRITORY_KEYS = ("id", "name", "kind", "ort_communes", "pilot", "notes")


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


@dataclasses.dataclass(frozen=True)
class Act:
    """A dated legal act: prefectoral order, convention, amendment, council deliberation."""

    id: str
    kind: str
    title: str
    date: _dt.date | None
    date_precision: str = "exact"
    short: str = ""
    articles: tuple[str, ...] = ()
    notes: str = ""

    @property
    def date_fr(self) -> str:
        """The date in French with its precision, e.g. ``"au plus tôt le 6 décembre 2023"``.

        Examples
        --------
        >>> catalog().act("avenant-2").date_fr
        'date de signature inconnue, au plus tôt le 6 décembre 2023'
        >>> catalog().act("arrete-ort-2019").date_fr
        '4 août 2019'
        """
        if self.date is None:
            return "date inconnue"
        words = date_words(self.date)
        if self.date_precision == "not-before":
            return f"date de signature inconnue, au plus tôt le {words}"
        if self.date_precision == "approximate":
            return f"vers {_MONTHS[self.date.month - 1]} {self.date.year}"
        return words

    @property
    def label(self) -> str:
        """Short French name with its date: ``"arrêté préfectoral du 4 août 2019"``."""
        name = self.short or self.title
        if self.date is None:
            return f"{name}, date inconnue"
        if self.date_precision == "exact":
            return f"{name} du {date_words(self.date)}"
        return f"{name}, {self.date_fr}"

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready dict (English keys, ISO date)."""
        return {
            "id": self.id, "kind": self.kind, "title": self.title,
            "date": self.date.isoformat() if self.date else None,
            "date_precision": self.date_precision, "articles": list(self.articles),
        }  # fmt: skip


@dataclasses.dataclass(frozen=True)
class Territory:
    """Who carries the ORT (an EPCI) and the communes that signed its convention."""

    id: str = ""
    name: str = ""
    kind: str = ""
    ort_communes: tuple[str, ...] = ()
    pilot: str = ""
    notes: str = ""


@dataclasses.dataclass(frozen=True, eq=False)
class Layer:
    """One perimeter: an ORT intervention sector or another dispositif, with its geometry
    (WGS84) and its legal and data metadata."""

    id: str
    kind: str
    name: str
    valid_from: _dt.date
    status: str
    accuracy_m: float
    geometry: shapely.Geometry
    title: str = ""
    legend: str = ""
    territory: str = ""
    communes: tuple[str, ...] = ()
    communes_possible: tuple[str, ...] = ()
    includes_centre_ville: bool | None = None
    acts: tuple[Act, ...] = ()
    valid_from_precision: str = "exact"
    valid_from_basis: str = ""
    valid_to: _dt.date | None = None
    valid_to_precision: str = "exact"
    review_after: _dt.date | None = None
    owner: str = ""
    contact: str = ""
    communes_all: tuple[str, ...] = ()
    drawn_part: str = ""
    source: str = ""
    notes: str = ""
    path: Path | None = None

    @property
    def is_ort_sector(self) -> bool:
        """Whether this is an intervention sector of the ORT (not another dispositif)."""
        return self.kind == ORT_SECTOR

    def timing(self, on: DateLike = None) -> Timing:
        """Where date ``on`` stands: not yet, in force, uncertain, ended (default today).

        A start known as "not before" is uncertain on every later date until the
        catalogue records the exact date; an approximate start or end is uncertain for
        :data:`APPROXIMATE_DAYS` days around it.

        Examples
        --------
        >>> ext = catalog()["lens-entree-de-ville"]
        >>> [str(ext.timing(d)) for d in ("2023-12-05", "2023-12-06", "2027-01-01")]
        ['pas-encore', 'incertain', 'incertain']
        """
        day = parse_date(on)
        approx = _dt.timedelta(days=APPROXIMATE_DAYS)
        start, end = self.valid_from, self.valid_to
        if self.valid_from_precision == "approximate":
            if day < start - approx:
                return Timing.NOT_YET
            if day <= start + approx:
                return Timing.UNCERTAIN
        elif day < start:
            return Timing.NOT_YET
        if end is not None:
            if self.valid_to_precision == "approximate":
                if day > end + approx:
                    return Timing.ENDED
                if day >= end - approx:
                    return Timing.UNCERTAIN
            elif day > end:
                return Timing.ENDED
        if self.valid_from_precision == "not-before":
            return Timing.UNCERTAIN
        return Timing.IN_FORCE

    def in_force(self, on: DateLike = None) -> bool:
        """Whether the layer is (or may be) in force on ``on``: in force or uncertain.

        Examples
        --------
        >>> ort = catalog()["lens-centre-ville"]
        >>> ort.in_force("2019-08-03"), ort.in_force("2019-08-04"), ort.in_force("2031-01-01")
        (False, True, True)
        """
        return self.timing(on) in (Timing.IN_FORCE, Timing.UNCERTAIN)

    @functools.cached_property
    def geometry_l93(self) -> shapely.Geometry:
        """The geometry in Lambert-93 (EPSG:2154), for metric work (prepared)."""
        geometry = to_l93(self.geometry)
        shapely.prepare(geometry)
        return geometry

    @functools.cached_property
    def limit_l93(self) -> shapely.Geometry:
        """The limit (boundary) of :attr:`geometry_l93`, prepared: signed distances of one
        point are measured to it (:func:`ortgeo.locate.located_point`)."""
        limit = shapely.boundary(self.geometry_l93)
        shapely.prepare(limit)
        return limit

    @property
    def area_ha(self) -> float:
        """Area in hectares, computed in Lambert-93."""
        return float(self.geometry_l93.area / 1e4)

    @functools.cached_property
    def legal_basis(self) -> str:
        """The acts that created or re-recognised the layer, in French, with their dates."""
        return " ; ".join(act.label for act in self.acts)

    @property
    def act_date(self) -> _dt.date | None:
        """Date of the first act (``None`` when unknown)."""
        return self.acts[0].date if self.acts else None

    @functools.cached_property
    def validity_fr(self) -> str:
        """Validity in French words, e.g. ``"à partir du 04/08/2019, sans date de fin connue"``.

        Examples
        --------
        >>> catalog()["lens-entree-de-ville"].validity_fr
        'au plus tôt à partir du 06/12/2023, date exacte inconnue, sans date de fin connue'
        """
        start = {
            "exact": f"à partir du {self.valid_from:%d/%m/%Y}",
            "not-before": f"au plus tôt à partir du {self.valid_from:%d/%m/%Y}, "
            "date exacte inconnue",
            "approximate": f"à partir de {_MONTHS[self.valid_from.month - 1]} "
            f"{self.valid_from.year}",
        }[self.valid_from_precision]
        if self.valid_to is None:
            return f"{start}, sans date de fin connue"
        if self.valid_to_precision == "approximate":
            return (
                f"{start}, fin prévue vers {_MONTHS[self.valid_to.month - 1]} {self.valid_to.year}"
            )
        return f"{start} jusqu'au {self.valid_to:%d/%m/%Y}"

    def to_record(self) -> dict[str, object]:
        """Metadata as a flat dict (dates in ISO text, ``""`` when open)."""
        iso = lambda d: d.isoformat() if d else ""  # noqa: E731
        return {
            "id": self.id, "kind": self.kind, "name": self.name, "title": self.title,
            "territory": self.territory, "communes": ",".join(self.communes),
            "includes_centre_ville": _tristate(self.includes_centre_ville),
            "acts": ",".join(a.id for a in self.acts), "legal_basis": self.legal_basis,
            "valid_from": iso(self.valid_from), "valid_from_precision": self.valid_from_precision,
            "valid_to": iso(self.valid_to), "valid_to_precision": self.valid_to_precision,
            "review_after": iso(self.review_after),
            "status": self.status, "accuracy_m": self.accuracy_m,
            "area_ha": round(self.area_ha, 2), "source": self.source, "notes": self.notes,
        }  # fmt: skip

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready description of the layer (no geometry), English keys."""
        iso = lambda d: d.isoformat() if d else None  # noqa: E731
        return {
            "id": self.id, "kind": self.kind, "name": self.name, "territory": self.territory,
            "communes": list(self.communes), "communes_possible": list(self.communes_possible),
            "includes_centre_ville": self.includes_centre_ville,
            "acts": [act.to_dict() for act in self.acts],
            "valid_from": iso(self.valid_from), "valid_from_precision": self.valid_from_precision,
            "valid_to": iso(self.valid_to), "valid_to_precision": self.valid_to_precision,
            "review_after": iso(self.review_after),
            "data_status": self.status, "accuracy_m": self.accuracy_m,
        }  # fmt: skip


def _tristate(value: bool | None) -> str:
    return {True: "oui", False: "non", None: "inconnu"}[value]


# -- reading --------------------------------------------------------------------------
def _codes(entry: Mapping[str, Any], key: str, where: str) -> tuple[str, ...]:
    raw = entry.get(key, [])
    if not isinstance(raw, list):
        raise PerimeterFileError(f'{where}: {key} must be a list of INSEE codes, e.g. ["62498"].')
    try:
        return tuple(validate.insee_code(c, where) for c in raw)
    except Exception as exc:
        raise PerimeterFileError(str(exc)) from None


def _tristate_field(entry: Mapping[str, Any], key: str, where: str) -> bool | None:
    raw = entry.get(key, "unknown")
    if isinstance(raw, bool):
        return raw
    if raw in ("unknown", "inconnu", ""):
        return None
    raise PerimeterFileError(f'{where}: {key} must be true, false or "unknown" (got {raw!r}).')


def _act(entry: Mapping[str, Any], where: str) -> Act:
    act_id = validate.text(entry.get("id"), "id", where, required=True)
    where = f"{where} {act_id!r}"
    validate.check_keys(entry, _ACT_KEYS, where)
    articles = entry.get("articles", [])
    if not isinstance(articles, list) or not all(isinstance(a, str) for a in articles):
        raise PerimeterFileError(f"{where}: articles must be a list of texts.")
    return Act(
        id=act_id,
        kind=validate.choice(entry.get("kind", "autre"), "kind", ACT_KINDS, where),
        title=validate.text(entry.get("title"), "title", where, required=True),
        short=validate.text(entry.get("short"), "short", where),
        date=validate.date_value(entry.get("date"), "date", where),
        date_precision=validate.choice(
            entry.get("date_precision", "exact"), "date_precision", DATE_PRECISIONS, where
        ),
        articles=tuple(articles),
        notes=validate.text(entry.get("notes"), "notes", where),
    )


#: A plain GeoJSON perimeter is read directly when it lies this close to Lens (the limit
#: of :func:`ortgeo.read_perimeter`'s warning); anything else goes through OGR.
_NEAR_LENS_M = 25_000.0


def _geometry(folder: Path, entry: Mapping[str, Any], where: str) -> tuple[shapely.Geometry, Path]:
    path = folder / validate.text(entry.get("file"), "file", where, required=True)
    plain = None if entry.get("crs") else plain_geojson(path)
    if plain is not None:
        centre = to_l93(shapely.Point(*LENS_CENTRE_LONLAT))
        if min(to_l93(g).distance(centre) for g in plain[0]) <= _NEAR_LENS_M:
            return shapely.union_all(plain[0]), path
    from ortgeo.io.vector import read_perimeter

    try:
        gdf = read_perimeter(path, crs=entry.get("crs") or None)
    except PerimeterFileError as exc:  # say which catalogue and layer; same error class
        hint = (
            ' In a catalogue file, give the layer a crs field, e.g. crs = "EPSG:2154".'
            if isinstance(exc, MissingCRSError)
            else ""
        )
        raise type(exc)(f"{where}: {exc}{hint}") from None
    return shapely.union_all(gdf.geometry.values), path


def layer_fields(
    entry: Mapping[str, Any], where: str, acts: Mapping[str, Act], *, kind: str
) -> dict[str, Any]:
    """Validated :class:`Layer` fields (all but the geometry) from a sector/dispositif table.

    Shared by catalogue files and :meth:`Catalog.replace`, so both accept the same values.
    """
    validate.check_keys(entry, _SECTOR_KEYS if kind == ORT_SECTOR else _DISPOSITIF_KEYS, where)
    act_ids = entry.get("acts", [])
    if not isinstance(act_ids, list):
        raise PerimeterFileError(f"{where}: acts must be a list of act ids.")
    unknown = [a for a in act_ids if a not in acts]
    if unknown:
        raise PerimeterFileError(
            f"{where}: unknown act(s) {', '.join(map(repr, unknown))}; "
            f"acts defined in the catalogue: {', '.join(acts) or 'none'}."
        )
    valid_from = validate.date_value(entry.get("valid_from"), "valid_from", where, required=True)
    valid_to = validate.date_value(entry.get("valid_to"), "valid_to", where)
    assert valid_from is not None
    if valid_to is not None and valid_to < valid_from:
        raise PerimeterFileError(
            f"{where}: valid_to {valid_to.isoformat()} is before valid_from "
            f"{valid_from.isoformat()}; the layer would never be in force."
        )
    basis = validate.text(entry.get("valid_from_basis"), "valid_from_basis", where)
    if basis and basis not in acts:
        raise PerimeterFileError(f"{where}: valid_from_basis {basis!r} is not an act id.")
    name = validate.text(entry.get("name"), "name", where, required=True)
    fields: dict[str, Any] = {
        "kind": kind,
        "name": name,
        "title": validate.text(entry.get("title"), "title", where) or name,
        "legend": validate.text(entry.get("legend"), "legend", where) or name,
        "communes": _codes(entry, "communes", where),
        "communes_possible": _codes(entry, "communes_possible", where),
        "acts": tuple(acts[a] for a in act_ids),
        "valid_from": valid_from,
        "valid_from_precision": validate.choice(
            entry.get("valid_from_precision", "exact"),
            "valid_from_precision",
            DATE_PRECISIONS,
            where,
        ),
        "valid_from_basis": basis,
        "valid_to": valid_to,
        "valid_to_precision": validate.choice(
            entry.get("valid_to_precision", "exact"),
            "valid_to_precision",
            ("exact", "approximate"),
            where,
        ),
        "review_after": validate.date_value(entry.get("review_after"), "review_after", where),
        "status": validate.choice(entry.get("status"), "status", DATA_STATUSES, where),
        "accuracy_m": validate.metres(entry.get("accuracy_m"), "accuracy_m", where),
        "source": validate.text(entry.get("source"), "source", where),
        "notes": validate.text(entry.get("notes"), "notes", where),
    }
    if kind == ORT_SECTOR:
        fields["includes_centre_ville"] = _tristate_field(entry, "includes_centre_ville", where)
    else:
        fields["owner"] = validate.text(entry.get("owner"), "owner", where)
        fields["contact"] = validate.text(entry.get("contact"), "contact", where)
        fields["communes_all"] = _codes(entry, "communes_all", where) or fields["communes"]
        fields["drawn_part"] = validate.text(entry.get("drawn_part"), "drawn_part", where)
    return fields


def _v1_layer(entry: Mapping[str, Any], folder: Path, where: str) -> tuple[Layer, Act | None]:
    """A version-1 ``[[layer]]`` as a v2 layer: kinds ort/ort-extension become ORT sectors."""
    validate.check_keys(entry, _V1_KEYS, where)
    layer_id = validate.text(entry.get("id"), "id", where, required=True)
    where = f"{where}, layer {layer_id!r}"
    old_kind = validate.choice(
        entry.get("kind"), "kind", ("ort", "ort-extension", "opah-ru"), where
    )
    legal = validate.text(entry.get("legal_basis"), "legal_basis", where, required=True)
    act = Act(id=f"{layer_id}-acte", kind="autre", title=legal, short=legal,
              date=validate.date_value(entry.get("act_date"), "act_date", where))  # fmt: skip
    v2 = {key: entry[key] for key in entry if key in _COMMON_KEYS}
    v2["name"] = validate.text(entry.get("title"), "title", where, required=True)
    v2["acts"] = [act.id]
    kind = "opah-ru" if old_kind == "opah-ru" else ORT_SECTOR
    fields = layer_fields(v2, where, {act.id: act}, kind=kind)
    geometry, path = _geometry(folder, entry, where)
    return Layer(id=layer_id, geometry=geometry, path=path, **fields), act


class Catalog:
    """An ordered, immutable set of dated layers (ORT sectors, then other dispositifs),
    with the acts they rest on and the territory that carries the ORT.

    Examples
    --------
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
        annex: Mapping[str, str] | None = None,
    ):
        ids = [layer.id for layer in layers]
        if len(set(ids)) != len(ids):
            raise PerimeterFileError(f"Duplicate layer ids in catalogue: {ids}.")
        self._layers = {layer.id: layer for layer in layers}
        self.name = name
        self.source = source
        known = {act.id: act for act in acts}
        for layer in layers:
            for act in layer.acts:
                known.setdefault(act.id, act)
        self._acts = known
        self.territory = territory or Territory()
        self.annex = dict(annex or {})

    @classmethod
    def from_file(cls, path: str | Path) -> Catalog:
        """Read a catalogue TOML file (format 2, or 1 with a warning); files are relative to it."""
        path = Path(path)
        if not path.is_file():
            raise PerimeterFileError(f"Catalogue file not found: {path}.")
        try:
            data = tomllib.loads(path.read_text(encoding="utf-8"))
        except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
            raise PerimeterFileError(f"{path.name} is not valid TOML: {exc}.") from None
        if "layer" in data and "sector" not in data:
            return cls._from_v1(data, path)
        validate.check_keys(
            data, ("format", "catalog", "territory", "annex", "act", "sector", "dispositif"),
            path.name,
        )  # fmt: skip
        if data.get("format") != 2:
            raise PerimeterFileError(
                f"{path.name}: format = 2 is missing (or another format is given); "
                "see data/perimeters/catalog.toml for the format."
            )
        for table in ("act", "sector", "dispositif"):
            entries = data.get(table, [])
            if not isinstance(entries, list) or not all(isinstance(e, dict) for e in entries):
                raise PerimeterFileError(
                    f"{path.name}: '{table}' must be an array of tables, one [[{table}]] each."
                )
        meta = data.get("catalog", {})
        validate.check_keys(meta, ("name", "crs", "notes"), f"{path.name} [catalog]")
        terr = data.get("territory", {})
        validate.check_keys(terr, _TERRITORY_KEYS, f"{path.name} [territory]")
        territory = Territory(
            id=validate.text(terr.get("id"), "id", "[territory]"),
            name=validate.text(terr.get("name"), "name", "[territory]"),
            kind=validate.text(terr.get("kind"), "kind", "[territory]"),
            ort_communes=_codes(terr, "ort_communes", f"{path.name} [territory]"),
            pilot=validate.text(terr.get("pilot"), "pilot", "[territory]"),
            notes=validate.text(terr.get("notes"), "notes", "[territory]"),
        )
        acts = [_act(e, f"{path.name}, act") for e in data.get("act", [])]
        by_id = {act.id: act for act in acts}
        if len(by_id) != len(acts):
            raise PerimeterFileError(f"{path.name}: duplicate act ids.")
        if not data.get("sector"):
            raise PerimeterFileError(f"{path.name} lists no [[sector]].")
        layers = []
        for table, kind in (("sector", ORT_SECTOR), ("dispositif", None)):
            for entry in data.get(table, []):
                layer_id = validate.text(
                    entry.get("id"), "id", f"{path.name}, {table}", required=True
                )
                where = f"{path.name}, {table} {layer_id!r}"
                this_kind = kind or validate.choice(
                    entry.get("kind", "dispositif"), "kind", KINDS[1:], where
                )
                fields = layer_fields(entry, where, by_id, kind=this_kind)
                geometry, file = _geometry(path.parent, entry, where)
                layers.append(Layer(id=layer_id, geometry=geometry, path=file,
                                    territory=territory.id, **fields))  # fmt: skip
        annex = data.get("annex", {})
        validate.check_keys(annex, ("title", "act"), f"{path.name} [annex]")
        if annex.get("act") and annex["act"] not in by_id:
            raise PerimeterFileError(f"{path.name} [annex]: act {annex['act']!r} is not an act id.")
        return cls(layers, name=meta.get("name", ""), source=path, acts=acts,
                   territory=territory, annex=annex)  # fmt: skip

    @classmethod
    def _from_v1(cls, data: Mapping[str, Any], path: Path) -> Catalog:
        entries = data.get("layer", [])
        if not isinstance(entries, list) or not all(isinstance(e, dict) for e in entries):
            raise PerimeterFileError(
                f"{path.name}: 'layer' must be an array of tables, one [[layer]] per layer."
            )
        if not entries:
            raise PerimeterFileError(f"{path.name} lists no [[layer]].")
        warnings.warn(
            f"{path.name} is a version-1 catalogue ([[layer]] tables): it is read with kinds "
            "ort/ort-extension as ORT sectors and each legal_basis as an act of unknown kind. "
            "Upgrade it to format 2 (format = 2, [[act]], [[sector]], [[dispositif]]; see "
            "data/perimeters/catalog.toml) to record the acts, communes and date precisions.",
            UserWarning,
            stacklevel=3,
        )
        pairs = [_v1_layer(e, path.parent, path.name) for e in entries]
        layers = [layer for layer, _ in pairs]
        ordered = [x for x in layers if x.is_ort_sector] + [
            x for x in layers if not x.is_ort_sector
        ]
        return cls(ordered, name=data.get("catalog", {}).get("name", ""), source=path)

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

    def subset(self, layer_ids: Sequence[str]) -> Catalog:
        """A catalogue of the given layers only (unknown ids raise, listing the known ones)."""
        return Catalog([self[i] for i in dict.fromkeys(layer_ids)], self.name, self.source,
                       acts=self.acts, territory=self.territory, annex=self.annex)  # fmt: skip

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

        Values are checked as in a catalogue file (same fields, same rules).

        Parameters
        ----------
        layer_id : str
            Layer to replace, e.g. ``"lens-centre-ville"``.
        path, layer, crs, engine
            As in :func:`ortgeo.read_perimeter`.
        status : {"officiel", "indicatif"}
            Status of the new geometry.
        accuracy_m : float
            Accuracy of the official file in metres (default 5, cadastral scale).
        **metadata
            Other fields of the catalogue format to change (``valid_from``, ``valid_to``,
            ``valid_from_precision``, ``source``, ``notes``, ``communes``...).

        Examples
        --------
        >>> import tempfile, pathlib
        >>> tmp = pathlib.Path(tempfile.mkdtemp()) / "ort.gpkg"
        >>> _ = perimeters().query("id == 'lens-centre-ville'").to_crs(2154).to_file(tmp)
        >>> new = catalog().replace("lens-centre-ville", tmp, source="Ville de Lens, SIG")
        >>> new["lens-centre-ville"].status, catalog()["lens-centre-ville"].status
        ('officiel', 'indicatif')
        """
        old = self[layer_id]
        where = f"replace({layer_id!r})"
        for key in ("id", "file", "crs", "kind"):
            if key in metadata:
                raise PerimeterFileError(
                    f"{where}: {key!r} cannot be changed by replace(); give the file as "
                    "`path` (and its CRS as `crs`), or write a catalogue file."
                )
        entry: dict[str, Any] = _entry_of(old)
        entry.update({
            "status": status, "accuracy_m": accuracy_m,
            "source": metadata.pop("source", f"Fichier {Path(path).name}"),
            "notes": metadata.pop("notes", f"Géométrie remplacée par {Path(path).name}."),
        })  # fmt: skip
        entry.update(metadata)
        fields = layer_fields(entry, where, self._acts, kind=old.kind)
        from ortgeo.io.vector import read_perimeter

        gdf = read_perimeter(path, layer=layer, crs=crs, engine=engine)
        new = dataclasses.replace(
            old, geometry=shapely.union_all(gdf.geometry.values), path=Path(path), **fields
        )
        layers = [new if x.id == layer_id else x for x in self]
        return Catalog(layers, self.name, self.source, acts=self.acts,
                       territory=self.territory, annex=self.annex)  # fmt: skip

    # -- tables -------------------------------------------------------------------
    def to_geodataframe(
        self, date: DateLike = None, *, all_dates: bool = False
    ) -> gpd.GeoDataFrame:
        """One row per layer (in force on ``date`` unless ``all_dates``), EPSG:4326."""
        import geopandas as gpd

        layers = list(self) if all_dates else self.in_force(date)
        return gpd.GeoDataFrame(
            [layer.to_record() for layer in layers],
            columns=_COLUMNS,
            geometry=[layer.geometry for layer in layers],
            crs=WGS84,
        )

    def ort_perimeter(self, date: DateLike = None) -> gpd.GeoDataFrame:
        """Union of the ORT sectors in force on ``date``, one row (see :func:`ort_perimeter`)."""
        from ortgeo.inforce import on

        return on(date, self).ort_geodataframe()


def _entry_of(layer: Layer) -> dict[str, Any]:
    """A layer's fields as a catalogue table (the inverse of :func:`layer_fields`)."""
    entry: dict[str, Any] = {
        "name": layer.name, "title": layer.title, "legend": layer.legend,
        "communes": list(layer.communes), "communes_possible": list(layer.communes_possible),
        "acts": [a.id for a in layer.acts], "valid_from": layer.valid_from,
        "valid_from_precision": layer.valid_from_precision,
        "valid_from_basis": layer.valid_from_basis, "valid_to": layer.valid_to or "",
        "valid_to_precision": layer.valid_to_precision, "review_after": layer.review_after or "",
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


@functools.lru_cache(maxsize=1)
def _bundled() -> Catalog:
    return Catalog.from_file(bundled_path() / "catalog.toml")


def catalog(path: str | Path | None = None) -> Catalog:
    """The bundled catalogue, or the catalogue file at ``path``.

    Examples
    --------
    >>> catalog()["lens-centre-ville"].status
    'indicatif'
    """
    return _bundled() if path is None else Catalog.from_file(path)


def perimeters(date: DateLike = None, catalog: Catalog | None = None) -> gpd.GeoDataFrame:
    """Perimeter layers as a GeoDataFrame (EPSG:4326), all of them or those in force on ``date``.

    Examples
    --------
    >>> perimeters()["id"].tolist()
    ['lens-centre-ville', 'lens-entree-de-ville', 'call-opah-ru-coeur-de-ville']
    >>> perimeters(date="2020-01-01")["id"].tolist()
    ['lens-centre-ville']
    """
    cat = catalog if catalog is not None else _bundled()
    if date is None:
        return cat.to_geodataframe(all_dates=True)
    return cat.to_geodataframe(date)


def ort_perimeter(date: DateLike = None, catalog: Catalog | None = None) -> gpd.GeoDataFrame:
    """The ORT sectors in force on ``date`` (default today), merged into one row.

    Empty, with a warning, on a date when no ORT sector is in force.

    Examples
    --------
    >>> ort = ort_perimeter(date="2024-06-01")
    >>> ort["layers"].iloc[0]
    'lens-centre-ville,lens-entree-de-ville'
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
    import geopandas as gpd

    return gpd.read_file(bundled_path() / "landmarks.geojson", engine="pyogrio")
