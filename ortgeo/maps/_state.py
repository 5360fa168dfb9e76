"""What the Annex 3 maps and lists show: a view of :func:`ortgeo.on` for drawing.

Everything the maps and the annex need to know about "which perimeters, from which acts"
comes from :func:`annex_state`, which reads the perimeters in force
(:class:`ortgeo.PerimetersInForce`) and adds, per layer, the words the drawing needs
(legend, act, date with its precision, communes reached).

Two ways to choose the sectors:

- ``date=None``: **the sectors the annex's act defines** (``[annex] act`` of the
  catalogue: the avenant n° 2), whatever today's date — Annex 3 documents an act, not a
  day —, and the other dispositifs in force on that act's date, "pour information";
- a date: the perimeters in force that day.
"""

from __future__ import annotations

import dataclasses
import datetime as _dt
import functools

import geopandas as gpd
import shapely

from ortgeo.catalog import Catalog, Layer
from ortgeo.catalog import catalog as _catalog
from ortgeo.communes import LENS_INSEE, commune_outlines
from ortgeo.crs import L93
from ortgeo.dates import DateLike
from ortgeo.inforce import PerimetersInForce, on
from ortgeo.maps import style
from ortgeo.texts import act_date

__all__ = ["AnnexState", "StateLayer", "annex_state", "state_layer"]

#: Draw order of the styles (bottom first).
_DRAW_ORDER = {"ort": 0, "ort-extension": 1, "opah-ru": 2}


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
        return self.layer.is_ort_sector


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
    perimeters : PerimetersInForce
        What :func:`ortgeo.on` says for that date (or that act): read by ``locate``.
    """

    date: _dt.date
    avenant: bool
    sectors: tuple[StateLayer, ...]
    others: tuple[StateLayer, ...]
    catalog: Catalog
    perimeters: PerimetersInForce

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

    @property
    def act_line(self) -> str:
        """The annex's act and its date, in French (empty when not drawn for an act)."""
        act = self.perimeters.act
        return f"{act.title} — {act_date(act)}" if act is not None else ""


@functools.lru_cache(maxsize=64)
def _communes_touched(layer: Layer, reach_m: float = 0.0) -> tuple[str, ...]:
    outlines = _outlines_l93()
    geom = layer.geometry_l93 if reach_m <= 0 else layer.geometry_l93.buffer(reach_m)
    shrunk = geom.buffer(-1.0) if reach_m <= 0 else geom  # a shared edge is not "touching"
    if shrunk.is_empty:
        shrunk = geom
    hits = shapely.intersects(outlines.geometry.to_numpy(), shrunk)
    return tuple(outlines.loc[hits, "code"].astype(str))


def state_layer(layer: Layer) -> StateLayer:
    """A catalogue layer with the words its drawing needs (legend, act, date, communes)."""
    basis = next((a for a in layer.acts if a.id == layer.valid_from_basis), None)
    act = basis or (layer.acts[-1] if layer.acts else None)
    when = act_date(act) if act is not None else style.DATE_UNKNOWN
    communes = (*layer.communes, *layer.communes_possible) or _communes_touched(layer)
    return StateLayer(
        layer=layer,
        name=layer.name,
        legend=layer.legend or layer.name,
        communes=tuple(dict.fromkeys(str(c) for c in communes)),
        includes_centre_ville=layer.includes_centre_ville if layer.is_ort_sector else None,
        act_title=" ; ".join(a.short or a.title for a in layer.acts),
        act_date_fr=when,
    )


def annex_state(date: DateLike = None, catalog: Catalog | None = None) -> AnnexState:
    """The perimeters an Annex 3 shows: on ``date``, or (``None``) those its act defines.

    Examples
    --------
    >>> state = annex_state()  # the sectors of the avenant n° 2, whatever today's date
    >>> [x.name for x in state.sectors]
    ['Centre-ville de Lens', 'Entrée de ville – Lens/Loison-sous-Lens']
    >>> state.sectors[1].act_date_fr
    'date de signature inconnue, au plus tôt le 6 décembre 2023'
    >>> [x.layer.kind for x in annex_state("2022-01-01").layers]
    ['ort-sector', 'opah-ru']
    """
    cat = catalog if catalog is not None else _catalog()
    act = cat.annex.get("act") if date is None else None
    if date is None and act is None:  # a catalogue without [annex]: every sector
        latest = max((x.valid_from for x in cat.sectors), default=None)
        perimeters = on(latest, cat)
    else:
        perimeters = on(date, cat, act=act)
    chosen = sorted(perimeters.layers, key=lambda x: _DRAW_ORDER.get(style.style_key(x), 9))
    items = [state_layer(x) for x in chosen]
    return AnnexState(
        date=perimeters.date,
        avenant=date is None,
        sectors=tuple(x for x in items if x.is_sector),
        others=tuple(x for x in items if not x.is_sector),
        catalog=cat,
        perimeters=perimeters,
    )


def outlines_l93() -> gpd.GeoDataFrame:
    """The bundled commune outlines in Lambert-93 (cached)."""
    return _outlines_l93().copy()


@functools.lru_cache(maxsize=1)
def _outlines_l93() -> gpd.GeoDataFrame:
    return commune_outlines().to_crs(L93)
