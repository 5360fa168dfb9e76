"""The model of the law: acts, territories, sectors and dispositifs, coverage, provenance.

Records only — no file is read here, no French sentence is written here, no spatial index is
built here. Both serialisations of a catalogue (the TOML file and the national sector table,
:mod:`ortgeo.catalog`) produce these records; the engine reads their columns; the verdicts,
maps and annex read them through :func:`ortgeo.on`.

It also holds **the one validity rule** (:func:`timing_codes`): where a day stands in a
validity interval whose bounds are known exactly, as "not before", or approximately. Every
"is this sector (this act, this coverage) in force on that day?" in ortgeo is this function,
vectorised over records and over days.

>>> import datetime as dt
>>> str(TIMINGS[timing_codes(["2023-12-06"], ["not-before"], [None], ["exact"], "2024-06-01")[0]])
'incertain'
"""

from __future__ import annotations

import dataclasses
import datetime as _dt
import functools
from collections.abc import Iterable, Sequence
from typing import Any

import numpy as np
import shapely

from ortgeo.crs import to_l93
from ortgeo.dates import DateLike, parse_date
from ortgeo.status import Timing

__all__ = [
    "ACT_KINDS",
    "APPROXIMATE_DAYS",
    "DATA_STATUSES",
    "DATE_PRECISIONS",
    "EXTENTS",
    "KINDS",
    "ORT_SECTOR",
    "ORT_TOPIC",
    "TIMINGS",
    "Act",
    "Contact",
    "CoverageEntry",
    "Layer",
    "Provenance",
    "Territory",
    "act_chain",
    "coverage_entry",
    "coverage_of",
    "timing",
    "timing_codes",
]

#: Kind of an ORT intervention sector; other kinds are other dispositifs.
ORT_SECTOR = "ort-sector"
#: Layer kinds: ORT sectors, and the dispositifs drawn beside them.
KINDS = (ORT_SECTOR, "opah-ru", "dispositif")
ACT_KINDS = ("arrete", "convention", "avenant", "deliberation", "loi", "autre")
#: How precisely a date is known: exactly, "not before" it (the exact date is unknown), or
#: approximately (uncertain for :data:`APPROXIMATE_DAYS` days around it).
DATE_PRECISIONS = ("exact", "not-before", "approximate")
#: A start or end known only approximately is uncertain this many days around its date.
APPROXIMATE_DAYS = 31
#: Status of a geometry: digitized by ortgeo from public facts, a file supplied by someone
#: (not known to be the plan annexed to an act), or the plan annexed to an act.
DATA_STATUSES = ("indicatif", "fourni", "officiel")
#: Timings by code, the order of :func:`timing_codes`' results.
TIMINGS: tuple[Timing, ...] = (Timing.NOT_YET, Timing.IN_FORCE, Timing.UNCERTAIN, Timing.ENDED)
#: The topic of coverage entries about the ORT (other topics are dispositif ids).
ORT_TOPIC = "ort"
#: What ortgeo holds of a topic in a commune, by code: nothing known (outside its
#: coverage), every sector (``complete``), some sectors only (``partial``), or a sector that
#: may reach into the commune, not established (``possible``).
EXTENTS = ("none", "complete", "partial", "possible")

_NOT_YET, _IN_FORCE, _UNCERTAIN, _ENDED = range(4)
_PRECISION = {name: code for code, name in enumerate(DATE_PRECISIONS)}


# -- the one validity rule ---------------------------------------------------------------------
def _days(values: Any) -> np.ndarray:
    """Dates (ISO text, date, datetime64, None/"" for open) as ``datetime64[D]`` (NaT open)."""
    arr = np.asarray(values)
    if arr.dtype.kind == "M":
        return arr.astype("datetime64[D]")
    flat = [None if v is None or v == "" or v != v else v for v in np.ravel(arr).tolist()]
    out = np.array([np.datetime64("NaT") if v is None else np.datetime64(v, "D") for v in flat],
                   dtype="datetime64[D]")  # fmt: skip
    return out.reshape(arr.shape)


def _precisions(values: Any) -> np.ndarray:
    arr = np.asarray(values)
    if arr.dtype.kind in "iu":
        return arr.astype(np.int8)
    return np.array([_PRECISION[str(v)] for v in np.ravel(arr).tolist()], np.int8).reshape(
        arr.shape
    )


def timing_codes(
    valid_from: Any, from_precision: Any, valid_to: Any, to_precision: Any, day: Any
) -> np.ndarray:
    """Where ``day`` stands in each validity interval: codes of :data:`TIMINGS`.

    The one validity rule of ortgeo, vectorised (records and days broadcast together):

    - before the start: ``pas-encore`` (for an approximate start, more than
      :data:`APPROXIMATE_DAYS` days before it);
    - within :data:`APPROXIMATE_DAYS` days of an approximate start or end, or on any day
      after a start known only as "not before": ``incertain``;
    - after the end (an approximate end: more than the margin after it): ``termine``;
    - otherwise ``en-vigueur``. Bounds are inclusive; a missing end (NaT) is open.

    Parameters
    ----------
    valid_from, valid_to : array-like of dates
        ``datetime64[D]`` arrays, or ISO texts / dates; NaT, None or "" for an open end.
    from_precision, to_precision : array-like
        Precision names of :data:`DATE_PRECISIONS` (or their int codes).
    day : date-like or array-like
        The day(s) asked, broadcast against the records.

    Returns
    -------
    numpy.ndarray of int8
        Codes into :data:`TIMINGS`.

    Examples
    --------
    >>> [str(TIMINGS[c]) for c in timing_codes(
    ...     ["2019-08-04", "2021-07-01", "2023-12-06"], ["exact", "approximate", "not-before"],
    ...     [None, "2026-06-30", None], ["exact", "approximate", "exact"], "2021-06-10")]
    ['en-vigueur', 'incertain', 'pas-encore']
    """
    start, end = _days(valid_from), _days(valid_to)
    fp, tp = _precisions(from_precision), _precisions(to_precision)
    d: Any
    if isinstance(day, np.ndarray | np.datetime64):
        d = day.astype("datetime64[D]")
    elif np.ndim(day) == 0:
        d = np.datetime64(parse_date(day), "D")
    else:
        d = _days(day)
    margin = np.timedelta64(APPROXIMATE_DAYS, "D")
    f_approx = fp == _PRECISION["approximate"]
    t_approx = tp == _PRECISION["approximate"]
    has_end = ~np.isnat(end)
    not_yet = np.where(f_approx, d < start - margin, d < start)
    start_window = f_approx & (d <= start + margin)
    ended = has_end & np.where(t_approx, d > end + margin, d > end)
    end_window = has_end & t_approx & (d >= end - margin)
    not_before = fp == _PRECISION["not-before"]
    # precedence: not yet > approximate start > ended > approximate end > "not before"
    return np.select(
        [not_yet, start_window, ended, end_window, not_before],
        [_NOT_YET, _UNCERTAIN, _ENDED, _UNCERTAIN, _UNCERTAIN],
        _IN_FORCE,
    ).astype(np.int8)


def timing(
    valid_from: _dt.date | None,
    from_precision: str,
    valid_to: _dt.date | None,
    to_precision: str,
    day: DateLike = None,
) -> Timing:
    """:func:`timing_codes` for one record and one day.

    Examples
    --------
    >>> import datetime as dt
    >>> str(timing(dt.date(2019, 8, 4), "exact", None, "exact", "2019-08-03"))
    'pas-encore'
    """
    code = timing_codes([valid_from], [from_precision], [valid_to], [to_precision],
                        np.datetime64(parse_date(day), "D"))  # fmt: skip
    return TIMINGS[int(code[0])]


# -- records -----------------------------------------------------------------------------------
@dataclasses.dataclass(frozen=True)
class Act:
    """A dated legal act: prefectoral order, convention, amendment, council deliberation.

    ``date`` is the act's date as far as it is known (``None``: unknown), with its
    ``date_precision``; ``verified`` is false when the date is reported but not checked
    against a publication (e.g. a prefectoral order known from a council deliberation).
    """

    id: str
    kind: str
    title: str
    date: _dt.date | None
    date_precision: str = "exact"
    short: str = ""
    articles: tuple[str, ...] = ()
    notes: str = ""
    verified: bool = True

    def timing(self, on: DateLike = None) -> Timing:
        """Whether the act exists on ``on``: ``pas-encore``, ``en-vigueur`` or ``incertain``.

        Examples
        --------
        >>> import datetime as dt
        >>> a = Act("a2", "avenant", "Avenant", dt.date(2023, 12, 6), "not-before")
        >>> str(a.timing("2023-12-05")), str(a.timing("2024-01-01"))
        ('pas-encore', 'incertain')
        """
        if self.date is None:
            return Timing.UNCERTAIN
        return timing(self.date, self.date_precision, None, "exact", on)

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready dict (English keys, ISO date)."""
        return {
            "id": self.id, "kind": self.kind, "title": self.title, "short": self.short,
            "date": self.date.isoformat() if self.date else None,
            "date_precision": self.date_precision, "date_verified": self.verified,
            "articles": list(self.articles),
        }  # fmt: skip


@dataclasses.dataclass(frozen=True)
class Contact:
    """Who to ask about a territory's ORT, as an act names them (role, not a person's mail)."""

    role: str
    organisation: str
    address: str = ""
    act: str = ""

    def to_dict(self) -> dict[str, str]:
        """JSON-ready dict."""
        return dataclasses.asdict(self)


@dataclasses.dataclass(frozen=True)
class Territory:
    """Who carries an ORT (an EPCI or a commune), the communes that signed its convention and
    the acts that apply to all its sectors (e.g. an EPCI's "chapeau" convention)."""

    id: str = ""
    name: str = ""
    kind: str = ""
    ort_communes: tuple[str, ...] = ()
    pilot: str = ""
    notes: str = ""
    acts: tuple[Act, ...] = ()
    #: How answers name the ORT, e.g. « ORT de la CALL – secteurs de Lens ».
    ort_name: str = ""
    #: Whom to ask (the contacts an act names: ACV project direction, ORT project lead).
    contacts: tuple[Contact, ...] = ()


@dataclasses.dataclass(frozen=True)
class Provenance:
    """Where a geometry comes from, so that an answer can cite exactly what it used.

    ``status``: ``indicatif`` (digitized by ortgeo), ``fourni`` (a file someone supplied)
    or ``officiel`` (the plan annexed to ``act``, supplied by ``supplier`` on
    ``supplied_on``). ``sha256`` is the fingerprint of the geometry file; ``synthetic``
    marks generated test data.
    """

    status: str = "indicatif"
    source: str = ""
    file: str = ""
    sha256: str = ""
    supplier: str = ""
    supplied_on: _dt.date | None = None
    act: str = ""
    synthetic: bool = False

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready dict."""
        return {
            "status": self.status, "source": self.source, "file": self.file,
            "sha256": self.sha256, "supplier": self.supplier or None,
            "supplied_on": self.supplied_on.isoformat() if self.supplied_on else None,
            "act": self.act or None, "synthetic": self.synthetic,
        }  # fmt: skip


@dataclasses.dataclass(frozen=True, eq=False)
class Layer:
    """One perimeter: an ORT intervention sector or another dispositif, with its geometry
    (WGS84), the acts it rests on, its validity and where its geometry comes from.

    ``communes`` are the communes whose part of the layer the geometry draws in full;
    ``communes_possible`` those it may reach into (not established); for a dispositif,
    ``communes_all`` every commune it covers, drawn or not.
    """

    id: str
    kind: str
    name: str
    valid_from: _dt.date
    accuracy_m: float
    geometry: shapely.Geometry
    provenance: Provenance = dataclasses.field(default_factory=Provenance)
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
    notes: str = ""

    @property
    def status(self) -> str:
        """The data status of the geometry (:attr:`Provenance.status`)."""
        return self.provenance.status

    @property
    def source(self) -> str:
        """Where the geometry comes from, in words (:attr:`Provenance.source`)."""
        return self.provenance.source

    @property
    def is_ort_sector(self) -> bool:
        """Whether this is an intervention sector of the ORT (not another dispositif)."""
        return self.kind == ORT_SECTOR

    def timing(self, on: DateLike = None) -> Timing:
        """Where date ``on`` stands in the layer's validity (the one rule, :func:`timing`).

        Examples
        --------
        >>> from ortgeo.catalog import catalog
        >>> ext = catalog()["lens-entree-de-ville"]
        >>> [str(ext.timing(d)) for d in ("2023-12-05", "2023-12-06", "2027-01-01")]
        ['pas-encore', 'incertain', 'incertain']
        """
        return timing(self.valid_from, self.valid_from_precision, self.valid_to,
                      self.valid_to_precision, on)  # fmt: skip

    def in_force(self, on: DateLike = None) -> bool:
        """Whether the layer is (or may be) in force on ``on``: in force or uncertain."""
        return self.timing(on) in (Timing.IN_FORCE, Timing.UNCERTAIN)

    @functools.cached_property
    def geometry_l93(self) -> shapely.Geometry:
        """The geometry in Lambert-93 (EPSG:2154), for metric work (prepared)."""
        geometry = to_l93(self.geometry)
        shapely.prepare(geometry)
        return geometry

    @functools.cached_property
    def limit_l93(self) -> shapely.Geometry:
        """The limit (boundary) of :attr:`geometry_l93`, prepared."""
        limit = shapely.boundary(self.geometry_l93)
        shapely.prepare(limit)
        return limit

    @property
    def area_ha(self) -> float:
        """Area in hectares, computed in Lambert-93."""
        return float(self.geometry_l93.area / 1e4)

    @property
    def act_date(self) -> _dt.date | None:
        """Date of the first act (``None`` when unknown)."""
        return self.acts[0].date if self.acts else None

    def commune_extent(self, commune: str | None) -> str:
        """What the geometry says of ``commune``: ``complete`` (drawn in full there),
        ``possible`` (may reach into it), ``partial`` (a dispositif's commune not drawn) or
        ``none`` (the layer does not concern it).

        Examples
        --------
        >>> from ortgeo.catalog import catalog
        >>> ext = catalog()["lens-entree-de-ville"]
        >>> ext.commune_extent("62498"), ext.commune_extent("62523"), ext.commune_extent("62041")
        ('complete', 'possible', 'none')
        """
        if commune in self.communes:
            return "complete"
        if commune in self.communes_possible:
            return "possible"
        if commune in self.communes_all:
            return "partial"
        return "none"

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready description of the layer (no geometry), English keys."""
        iso = lambda d: d.isoformat() if d else None  # noqa: E731
        return {
            "id": self.id, "kind": self.kind, "name": self.name, "territory": self.territory,
            "communes": list(self.communes), "communes_possible": list(self.communes_possible),
            "communes_all": list(self.communes_all or self.communes),
            "includes_centre_ville": self.includes_centre_ville,
            "acts": [act.to_dict() for act in self.acts],
            "valid_from": iso(self.valid_from), "valid_from_precision": self.valid_from_precision,
            "valid_to": iso(self.valid_to), "valid_to_precision": self.valid_to_precision,
            "review_after": iso(self.review_after),
            "data_status": self.status, "accuracy_m": self.accuracy_m,
            "provenance": self.provenance.to_dict(),
        }  # fmt: skip


@dataclasses.dataclass(frozen=True)
class CoverageEntry:
    """What ortgeo holds of a topic (the ORT, or one dispositif) in some communes, when.

    ``extent`` is one of :data:`EXTENTS`; ``layers`` the layers held there. Outside every
    entry, ortgeo knows nothing of the topic: its answer is undetermined, never "outside".
    """

    topic: str
    communes: tuple[str, ...]
    extent: str
    layers: tuple[str, ...] = ()
    valid_from: _dt.date | None = None
    valid_from_precision: str = "exact"
    valid_to: _dt.date | None = None
    valid_to_precision: str = "exact"
    notes: str = ""

    def applies(self, on: DateLike = None) -> bool:
        """Whether the entry holds on ``on`` (in force or uncertain; open start: always)."""
        if self.valid_from is None and self.valid_to is None:
            return True
        start = self.valid_from or _dt.date.min
        when = timing(start, self.valid_from_precision, self.valid_to,
                      self.valid_to_precision, on)  # fmt: skip
        return when in (Timing.IN_FORCE, Timing.UNCERTAIN)

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready dict."""
        return {
            "topic": self.topic, "communes": list(self.communes), "extent": self.extent,
            "layers": list(self.layers), "notes": self.notes,
            "valid_from": self.valid_from.isoformat() if self.valid_from else None,
            "valid_from_precision": self.valid_from_precision,
            "valid_to": self.valid_to.isoformat() if self.valid_to else None,
            "valid_to_precision": self.valid_to_precision,
        }  # fmt: skip


def coverage_of(layers: Iterable[Layer]) -> tuple[CoverageEntry, ...]:
    """The coverage a set of layers implies when a catalogue does not state its own.

    For the ORT: every commune a sector names in ``communes`` is held in full (the
    catalogue holds all its sectors, at every date: before the first one, it had none); a
    commune in ``communes_possible`` is ``possible`` while that sector is. For a dispositif:
    its ``communes`` are held in full while it is, the rest of ``communes_all`` is
    ``partial`` (not drawn).

    Examples
    --------
    >>> from ortgeo.catalog import catalog
    >>> [(e.topic, e.communes, e.extent) for e in coverage_of(catalog())][:2]
    [('ort', ('62498',), 'complete'), ('ort', ('62523',), 'possible')]
    """
    layers = list(layers)
    out: list[CoverageEntry] = []
    held = [c for x in layers if x.is_ort_sector for c in x.communes]
    if held:
        ids = tuple(x.id for x in layers if x.is_ort_sector and x.communes)
        out.append(CoverageEntry(ORT_TOPIC, unique(held), "complete", ids))
    for x in layers:
        if x.is_ort_sector and x.communes_possible:
            out.append(CoverageEntry(ORT_TOPIC, x.communes_possible, "possible", (x.id,),
                                     x.valid_from, x.valid_from_precision, x.valid_to,
                                     x.valid_to_precision))  # fmt: skip
        if not x.is_ort_sector:
            dates = (x.valid_from, x.valid_from_precision, x.valid_to, x.valid_to_precision)
            if x.communes:
                out.append(CoverageEntry(x.id, x.communes, "complete", (x.id,), *dates))
            rest = tuple(c for c in x.communes_all if c not in x.communes)
            if rest:
                out.append(CoverageEntry(x.id, rest, "partial", (x.id,), *dates))
    return tuple(out)


#: Extent name → code (position in :data:`EXTENTS`).
EXTENT_CODE = {name: code for code, name in enumerate(EXTENTS)}
#: Which extent wins when several entries name a commune: complete > partial > possible.
_RANK = {"none": 0, "possible": 1, "partial": 2, "complete": 3}
#: The commune code that stands for every commune (a table that holds all of France).
ALL_COMMUNES = "*"


def coverage_entry(
    entries: Iterable[CoverageEntry], topic: str, commune: str | None, on: DateLike = None
) -> CoverageEntry | None:
    """The entry that says what ortgeo holds of ``topic`` in ``commune`` on ``on``.

    ``None`` when none does: the commune is outside ortgeo's coverage for that topic.

    Examples
    --------
    >>> from ortgeo.catalog import catalog
    >>> cov = catalog().coverage
    >>> coverage_entry(cov, "ort", "62498", "2024-06-01").extent
    'complete'
    >>> coverage_entry(cov, "ort", "62523", "2020-01-01") is None
    True
    >>> coverage_entry(cov, "ort", "62041", "2024-06-01") is None
    True
    """
    day = parse_date(on)
    best: CoverageEntry | None = None
    for e in entries:
        if e.topic != topic or not (commune in e.communes or ALL_COMMUNES in e.communes):
            continue
        if e.applies(day) and (best is None or _RANK[e.extent] > _RANK[best.extent]):
            best = e
    return best


def act_chain(layer: Layer, territory: Territory | None, on: DateLike = None) -> tuple[Act, ...]:
    """The acts a layer rests on that exist on ``on`` (certainly or maybe), oldest first.

    The territory's acts (an EPCI's "chapeau" convention) apply to its ORT sectors. An
    act dated "not before" a day is in the chain from that day on, as uncertain (the
    caller reads :meth:`Act.timing`); an act without a date is left out.

    Examples
    --------
    >>> from ortgeo.catalog import catalog
    >>> cat = catalog()
    >>> x = cat["lens-centre-ville"]
    >>> [a.id for a in act_chain(x, cat.territory_of(x), "2019-12-31")]
    ['convention-acv-2018', 'arrete-ort-2019']
    """
    day = parse_date(on)
    acts: list[Act] = list(layer.acts)
    if territory is not None and layer.is_ort_sector:
        acts = [*territory.acts, *acts]
    known = list(dict.fromkeys(a for a in acts if a.date is not None))
    if not known:
        return ()
    codes = timing_codes([a.date for a in known], [a.date_precision for a in known],
                         [None] * len(known), ["exact"] * len(known),
                         np.datetime64(day, "D"))  # fmt: skip
    kept = [a for a, c in zip(known, codes, strict=True) if c in (_IN_FORCE, _UNCERTAIN)]
    return tuple(sorted(kept, key=lambda a: a.date or _dt.date.min))


def unique(values: Sequence[str]) -> tuple[str, ...]:
    """Values in first-seen order, once each."""
    return tuple(dict.fromkeys(values))
