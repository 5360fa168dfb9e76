"""The perimeters in force on a date: computed once, read by every module.

:func:`on` returns a cached, immutable :class:`PerimetersInForce` for a catalogue and a date:
the ORT sectors in force (in draw order) with the timing of each (certain or uncertain), the
other dispositifs, what is not in force, the combined data status, the reason when there is
no ORT, whether the ORT convention is due for a check, and the prepared geometries.
:func:`ortgeo.locate`, the verdicts, the maps, the annex and the command line all read it.
"""

from __future__ import annotations

import dataclasses
import datetime as _dt
import functools
import warnings
import weakref
from typing import TYPE_CHECKING, Any

import shapely

from ortgeo.catalog import Act, Catalog, Layer
from ortgeo.catalog import catalog as _catalog
from ortgeo.crs import WGS84
from ortgeo.dates import DateLike, parse_date
from ortgeo.status import Timing

if TYPE_CHECKING:
    import geopandas as gpd
    import numpy as np

    from ortgeo.engine import Sectors

__all__ = ["PerimetersInForce", "layer_key", "on"]


def layer_key(layer_id: str) -> str:
    """Column prefix of a layer: its id with ``-`` replaced by ``_``.

    Examples
    --------
    >>> layer_key("lens-entree-de-ville")
    'lens_entree_de_ville'
    """
    return layer_id.replace("-", "_")


@dataclasses.dataclass(frozen=True, eq=False)
class PerimetersInForce:
    """What is in force on one date for one catalogue (see :func:`on`).

    Attributes
    ----------
    date : datetime.date
    catalog : Catalog
    sectors : tuple of Layer
        ORT intervention sectors in force or maybe in force, in draw order.
    others : tuple of Layer
        Other dispositifs in force (OPAH-RU...), drawn "pour information".
    not_in_force : tuple of Layer
        Every other layer of the catalogue.
    act : Act or None
        When built for an act (the annex): the act whose sectors these are.
    """

    date: _dt.date
    catalog: Catalog
    sectors: tuple[Layer, ...]
    others: tuple[Layer, ...]
    not_in_force: tuple[Layer, ...]
    act: Act | None = None

    @property
    def layers(self) -> tuple[Layer, ...]:
        """Sectors then other dispositifs."""
        return self.sectors + self.others

    @property
    def has_ort(self) -> bool:
        """Whether at least one ORT sector is (maybe) in force."""
        return bool(self.sectors)

    def timing(self, layer: Layer | str) -> Timing:
        """Timing of a layer on this date (``en-vigueur``, ``incertain``...)."""
        layer = self.catalog[layer] if isinstance(layer, str) else layer
        known = self._timings.get(id(layer))
        return known if known is not None else layer.timing(self.date)

    @functools.cached_property
    def _timings(self) -> dict[int, Timing]:
        """The timing of every layer of the catalogue on this date, by layer identity."""
        return {id(x): x.timing(self.date) for x in self.catalog}

    @property
    def uncertain(self) -> tuple[Layer, ...]:
        """Layers whose being in force on this date is not known for sure."""
        return tuple(x for x in self.layers if self.timing(x) == Timing.UNCERTAIN)

    @property
    def data_status(self) -> str:
        """``officiel`` when every layer in force is official, else ``indicatif``."""
        layers = self.layers
        return "officiel" if layers and all(x.status == "officiel" for x in layers) else "indicatif"

    @property
    def review_due(self) -> tuple[Layer, ...]:
        """Sectors past their ``review_after`` date: check that the ORT is still in force."""
        return tuple(x for x in self.sectors if x.review_after and self.date > x.review_after)

    @property
    def first_sector_after(self) -> Layer | None:
        """The first ORT sector that starts after this date (None when there is none)."""
        later = [x for x in self.catalog.sectors if x.valid_from > self.date]
        return min(later, key=lambda x: x.valid_from, default=None)

    def _start(self) -> tuple[Layer | None, Act | None]:
        """The first sector that starts after this date, and the act that starts it."""
        first = self.first_sector_after
        if first is None or not first.valid_from_basis:
            return first, None
        return first, self.catalog.act(first.valid_from_basis)

    @property
    def no_ort_reason(self) -> str:
        """Why no ORT sector is in force (English; ``""`` when one is)."""
        if self.has_ort:
            return ""
        first, act = self._start()
        if first is None:
            return "no ORT sector of the catalogue is in force that day."
        basis = f" ({act.label})." if act is not None else "."
        return f"the ORT starts on {first.valid_from.isoformat()}{basis}"

    @property
    def no_ort_reason_fr(self) -> str:
        """Why no ORT sector is in force, in French (``""`` when one is)."""
        if self.has_ort:
            return ""
        from ortgeo.texts import note

        first, act = self._start()
        start = first.valid_from if first is not None else None
        return note("no_ort", start=start, act=act.label if act is not None else "")

    @property
    def covered_communes(self) -> frozenset[str]:
        """INSEE codes of the communes the sectors in force cover (or may cover)."""
        return frozenset(c for x in self.sectors for c in (*x.communes, *x.communes_possible))

    @functools.cached_property
    def missing_communes(self) -> frozenset[str]:
        """Communes that had signed the ORT on this date but whose sectors the catalogue does
        not hold (signature dates from the ANCT table when it knows the commune)."""
        from ortgeo.legal import commune_status

        if not self.has_ort:
            return frozenset()
        signed = set()
        for code in self.catalog.territory.ort_communes:
            status = commune_status(code)
            if not status.known or status.ort_signed(self.date):
                signed.add(code)
        return frozenset(signed) - self.covered_communes

    @functools.cached_property
    def sectors_table(self) -> Sectors:
        """The layers in force (:attr:`layers`, same order) as an engine sector table, with
        their prepared Lambert-93 geometries and limits."""
        from ortgeo.engine import Sectors

        return Sectors.from_layers(self.layers)

    @functools.cached_property
    def certain(self) -> np.ndarray:
        """Per ORT sector (:attr:`sectors` order): whether it is certainly in force that day."""
        import numpy as np

        return np.array([self.timing(x) == Timing.IN_FORCE for x in self.sectors], dtype=bool)

    @functools.cached_property
    def union_l93(self) -> shapely.Geometry:
        """Union of the sectors in force, Lambert-93 (empty when none)."""
        return shapely.union_all([x.geometry_l93 for x in self.sectors])

    def ort_geodataframe(self) -> gpd.GeoDataFrame:
        """The sectors in force merged into one row (empty, with a warning, when none).

        Columns ``date, layers, names, status, accuracy_m, area_ha, legal_basis``, EPSG:4326.
        """
        import geopandas as gpd

        cols = ["date", "layers", "names", "status", "accuracy_m", "area_ha", "legal_basis"]
        if not self.has_ort:
            warnings.warn(
                f"No ORT sector in force on {self.date.isoformat()}: {self.no_ort_reason}",
                UserWarning,
                stacklevel=3,
            )
            return gpd.GeoDataFrame(columns=[*cols, "geometry"], geometry="geometry", crs=WGS84)
        geom = shapely.union_all([x.geometry for x in self.sectors])
        row = {
            "date": self.date.isoformat(),
            "layers": ",".join(x.id for x in self.sectors),
            "names": " ; ".join(x.name for x in self.sectors),
            "status": "officiel"
            if all(x.status == "officiel" for x in self.sectors)
            else "indicatif",
            "accuracy_m": max(x.accuracy_m for x in self.sectors),
            "area_ha": round(float(self.union_l93.area) / 1e4, 2),
            "legal_basis": " ; ".join(
                dict.fromkeys(act.label for x in self.sectors for act in x.acts)
            ),
        }
        return gpd.GeoDataFrame([row], columns=cols, geometry=[geom], crs=WGS84)

    def to_geodataframe(self) -> gpd.GeoDataFrame:
        """The layers in force, one row each with its ``timing``, EPSG:4326."""
        gdf = self.catalog.subset([x.id for x in self.layers]).to_geodataframe(all_dates=True)
        gdf.insert(2, "timing", [str(self.timing(x)) for x in self.layers])
        return gdf

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready summary: date, sectors and dispositifs with their timing, status."""

        def describe(x: Layer) -> dict[str, Any]:
            return {**x.to_dict(), "timing": str(self.timing(x))}

        return {
            "date": self.date.isoformat(),
            "territory": dataclasses.asdict(self.catalog.territory),
            "act": self.act.to_dict() if self.act else None,
            "sectors": [describe(x) for x in self.sectors],
            "others": [describe(x) for x in self.others],
            "not_in_force": [x.id for x in self.not_in_force],
            "data_status": self.data_status,
            "no_ort_reason": self.no_ort_reason or None,
            "review_due": bool(self.review_due),
        }

    def __repr__(self) -> str:
        names = ", ".join(f"{x.id} ({self.timing(x)})" for x in self.layers) or "nothing"
        return f"<PerimetersInForce {self.date.isoformat()}: {names}>"


_CACHE: weakref.WeakKeyDictionary[Catalog, dict[tuple[Any, ...], PerimetersInForce]] = (
    weakref.WeakKeyDictionary()
)


def on(
    date: DateLike = None, catalog: Catalog | None = None, *, act: str | None = None
) -> PerimetersInForce:
    """The perimeters in force on ``date`` (default today), cached per catalogue and date.

    Parameters
    ----------
    date : str or date, optional
        The day asked (default today). With ``act``, default: the act's date.
    catalog : Catalog, optional
        Default: the bundled catalogue.
    act : str, optional
        An act id (e.g. ``"avenant-2"``): the sectors that act defines, whatever is in
        force on the date — what an annex to that act draws.

    Examples
    --------
    >>> state = on("2024-06-01")
    >>> [x.id for x in state.sectors], [str(state.timing(x)) for x in state.sectors]
    (['lens-centre-ville', 'lens-entree-de-ville'], ['en-vigueur', 'incertain'])
    >>> on("2018-06-01").has_ort, on("2018-06-01").no_ort_reason_fr[:26]
    (False, "l'ORT commence le 4 août 2")
    >>> [x.id for x in on(act="avenant-2").sectors]
    ['lens-centre-ville', 'lens-entree-de-ville']
    """
    cat = catalog if catalog is not None else _catalog()
    the_act = cat.act(act) if act is not None else None
    if date is None and the_act is not None and the_act.date is not None:
        day = the_act.date
    else:
        day = parse_date(date)
    cache = _CACHE.setdefault(cat, {})
    key = (day, act)
    if key not in cache:
        if the_act is not None:
            sectors = tuple(x for x in cat.sectors if the_act in x.acts)
        else:
            sectors = tuple(x for x in cat.sectors if x.in_force(day))
        others = tuple(x for x in cat if not x.is_ort_sector and x.in_force(day))
        chosen = {x.id for x in sectors + others}
        cache[key] = PerimetersInForce(
            date=day, catalog=cat, sectors=sectors, others=others,
            not_in_force=tuple(x for x in cat if x.id not in chosen), act=the_act,
        )  # fmt: skip
    return cache[key]
