"""The one adapter between the catalogue and the Annex 3 maps and lists.

Everything the maps and the annex need to know about "which perimeters, from which acts"
comes from :func:`annex_state`. Today it is computed from ``Catalog.in_force(day)`` and
``Layer.kind``; the richer fields (sector name, communes, acts and the precision of their
dates) are read with ``getattr(layer, field, fallback)`` so that the sector model of the
catalogue v2 (issue 10) plugs in here, in one place.

Two ways to choose the sectors:

- ``date=None``: **the sectors the avenant defines** — every ORT sector the catalogue
  holds, whatever today's date (Annex 3 documents an act, not a day), and the other
  dispositifs drawn "pour information";
- a date: the perimeters in force that day.
"""

from __future__ import annotations

import dataclasses
import datetime as _dt
import functools

import geopandas as gpd
import shapely

from ortgeo.catalog import ORT_KINDS, Catalog, Layer
from ortgeo.catalog import catalog as _catalog
from ortgeo.communes import commune_outlines
from ortgeo.crs import L93
from ortgeo.dates import DateLike, parse_date
from ortgeo.maps import style
from ortgeo.verdict import LENS_INSEE

__all__ = ["AnnexState", "StateLayer", "annex_state", "state_layer"]

#: Kinds drawn as ORT "secteurs d'intervention"; every other kind is "pour information".
SECTOR_KINDS = ORT_KINDS
#: Draw order of the kinds (bottom first).
_DRAW_ORDER = {"ort": 0, "ort-extension": 1, "opah-ru": 2}


def long_date_fr(day: _dt.date) -> str:
    """A date in French words: ``4 août 2019``, ``1er janvier 2023``.

    Examples
    --------
    >>> long_date_fr(_dt.date(2019, 8, 4)), long_date_fr(_dt.date(2023, 1, 1))
    ('4 août 2019', '1er janvier 2023')
    """
    first = "1er" if day.day == 1 else str(day.day)
    return f"{first} {style.MONTHS_FR[day.month - 1]} {day.year}"


@dataclasses.dataclass(frozen=True, eq=False)
class StateLayer:
    """A drawn perimeter with the words of its act (a view of one catalogue layer).

    Attributes
    ----------
    layer : Layer
        The catalogue layer (``id``, ``kind``, ``status``, geometry...).
    name : str
        Name as the act writes it (« Entrée de ville – Lens/Loison-sous-Lens »).
    legend : str
        Legend label, in the convention's words.
    communes : tuple of str
        INSEE codes of the communes it covers (declared, else from the commune outlines).
    includes_centre_ville : bool or None
        Whether the sector includes a centre-ville identified by the convention (None: unknown).
    act_title, act_date_fr : str
        The act that defines it and its date in French with its precision.
    """

    layer: Layer
    name: str
    legend: str
    communes: tuple[str, ...]
    includes_centre_ville: bool | None
    act_title: str
    act_date_fr: str

    @property
    def id(self) -> str:
        """The catalogue layer id."""
        return self.layer.id

    @property
    def is_sector(self) -> bool:
        """Whether it is an ORT intervention sector (not another dispositif)."""
        return self.layer.kind in SECTOR_KINDS


@dataclasses.dataclass(frozen=True, eq=False)
class AnnexState:
    """The perimeters an Annex 3 shows.

    Attributes
    ----------
    date : datetime.date
        The day asked, or (for the avenant's sectors) the date of the latest act.
    avenant : bool
        True when the sectors are those the avenant defines (no date asked).
    sectors : tuple of StateLayer
        ORT intervention sectors, draw order.
    others : tuple of StateLayer
        Other dispositifs (OPAH-RU), drawn "pour information".
    catalog : Catalog
        The catalogue they come from.
    """

    date: _dt.date
    avenant: bool
    sectors: tuple[StateLayer, ...]
    others: tuple[StateLayer, ...]
    catalog: Catalog

    @property
    def layers(self) -> tuple[StateLayer, ...]:
        """Everything drawn, bottom first: the sectors, then the other dispositifs."""
        return self.sectors + self.others

    @property
    def data_status(self) -> str:
        """``indicatif`` unless every drawn layer is ``officiel`` (``—`` when none is drawn)."""
        if not self.layers:
            return "—"
        return "officiel" if all(x.layer.status == "officiel" for x in self.layers) else "indicatif"

    @property
    def address_communes(self) -> tuple[str, ...]:
        """INSEE codes of every commune a sector or its uncertainty band reaches, Lens first."""
        codes: set[str] = set()
        for item in self.layers:
            codes |= set(item.communes)
            codes |= set(_communes_touched(item.layer, item.layer.accuracy_m))
        return tuple(sorted(codes, key=lambda c: (c != LENS_INSEE, c)))

    def locate_catalog(self) -> Catalog:
        """A catalogue of exactly the drawn layers, all in force on :attr:`date`.

        The annex lists addresses against the sectors the avenant defines even when
        one of them has an end date in the catalogue v1 (``locate`` reads dates).
        """
        layers = [
            dataclasses.replace(x.layer, valid_from=_dt.date.min, valid_to=None)
            for x in self.layers
        ]
        return Catalog(layers, name=self.catalog.name, source=self.catalog.source)


@functools.lru_cache(maxsize=64)
def _communes_touched(layer: Layer, reach_m: float = 0.0) -> tuple[str, ...]:
    outlines = _outlines_l93()
    geom = layer.geometry_l93 if reach_m <= 0 else layer.geometry_l93.buffer(reach_m)
    shrunk = geom.buffer(-1.0) if reach_m <= 0 else geom  # a shared edge is not "touching"
    if shrunk.is_empty:
        shrunk = geom
    hits = shapely.intersects(outlines.geometry.to_numpy(), shrunk)
    return tuple(outlines.loc[hits, "code"].astype(str))


def _fallback(layer: Layer) -> dict[str, object]:
    words = style.KIND_WORDS.get(layer.kind)
    act_day = layer.act_date
    if act_day is None:
        when = style.DATE_UNKNOWN
    elif layer.kind == "ort-extension":  # deliberation date, signature date unknown (issue 10)
        when = style.DATE_NOT_BEFORE.format(date=long_date_fr(act_day))
    else:
        when = long_date_fr(act_day)
    return {
        "name": words.name if words else layer.title,
        "legend": words.legend if words else layer.title,
        "includes_centre_ville": words.includes_centre_ville if words else None,
        "act_title": words.act_title if words else layer.legal_basis,
        "act_date_fr": when,
    }


def state_layer(layer: Layer) -> StateLayer:
    """A catalogue layer with the words of its act (the one place they are looked up)."""
    fallback = _fallback(layer)
    communes = getattr(layer, "communes", None) or _communes_touched(layer)
    return StateLayer(
        layer=layer,
        name=str(getattr(layer, "name", fallback["name"])),
        legend=str(getattr(layer, "legend", fallback["legend"])),
        communes=tuple(str(c) for c in communes),
        includes_centre_ville=getattr(
            layer, "includes_centre_ville", fallback["includes_centre_ville"]
        ),
        act_title=str(getattr(layer, "act_title", fallback["act_title"])),
        act_date_fr=str(getattr(layer, "act_date_fr", fallback["act_date_fr"])),
    )


def annex_state(date: DateLike = None, catalog: Catalog | None = None) -> AnnexState:
    """The perimeters an Annex 3 shows: on ``date``, or (``None``) those the avenant defines.

    Examples
    --------
    >>> state = annex_state()  # the sectors of the avenant, whatever today's date
    >>> [x.name for x in state.sectors]
    ['Centre-ville', 'Entrée de ville – Lens/Loison-sous-Lens']
    >>> state.sectors[1].act_date_fr
    'non antérieure au 6 décembre 2023, date de signature inconnue'
    >>> [x.layer.kind for x in annex_state("2022-01-01").layers]
    ['ort', 'opah-ru']
    """
    cat = catalog if catalog is not None else _catalog()
    if date is None:
        chosen = list(cat)
        acts = [x.act_date or x.valid_from for x in chosen if x.kind in SECTOR_KINDS]
        day = max(acts) if acts else parse_date(None)
    else:
        day = parse_date(date)
        chosen = cat.in_force(day)
    chosen = sorted(chosen, key=lambda x: _DRAW_ORDER.get(x.kind, 9))
    items = [state_layer(x) for x in chosen]
    return AnnexState(
        date=day,
        avenant=date is None,
        sectors=tuple(x for x in items if x.is_sector),
        others=tuple(x for x in items if not x.is_sector),
        catalog=cat,
    )


def outlines_l93() -> gpd.GeoDataFrame:
    """The bundled commune outlines in Lambert-93 (cached)."""
    return _outlines_l93().copy()


@functools.lru_cache(maxsize=1)
def _outlines_l93() -> gpd.GeoDataFrame:
    return commune_outlines().to_crs(L93)
