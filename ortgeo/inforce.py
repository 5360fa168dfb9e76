"""The perimeters in force on a date: computed once, read by every module.

:func:`on` returns a cached, immutable :class:`PerimetersInForce` for a catalogue and a date:
the ORT sectors in force (in draw order) with the timing of each (certain or uncertain) —
the model's one validity rule, the same the engine applies — the other dispositifs, what is
not in force, the act chain of each layer on that day, the coverage (what ortgeo holds
where), the combined data status and fingerprint, whether the ORT convention is due for a
check, and the engine's sector table with its prepared geometries. :func:`ortgeo.locate`,
the verdicts, the maps, the annex and the command line all read it.
"""

from __future__ import annotations

import dataclasses
import datetime as _dt
import functools
import warnings
import weakref
from typing import TYPE_CHECKING, Any

import numpy as np
import shapely

from ortgeo.catalog import Catalog
from ortgeo.catalog import catalog as _catalog
from ortgeo.crs import WGS84
from ortgeo.dates import DateLike, parse_date
from ortgeo.model import (
    ORT_TOPIC,
    TIMINGS,
    Act,
    CoverageEntry,
    Layer,
    coverage_entry,
    timing_codes,
)
from ortgeo.status import Timing
from ortgeo.texts import act_label, note

if TYPE_CHECKING:
    import geopandas as gpd

    from ortgeo.engine import Sectors

__all__ = ["PerimetersInForce", "layer_key", "on", "ort_perimeter"]


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
        known = self._timings.get(layer.id)
        return known if known is not None else layer.timing(self.date)

    @functools.cached_property
    def _timings(self) -> dict[str, Timing]:
        """The timing of every layer of the catalogue on this date (the one rule)."""
        return _timings(self.catalog, self.date)

    @property
    def uncertain(self) -> tuple[Layer, ...]:
        """Layers whose being in force on this date is not known for sure."""
        return tuple(x for x in self.layers if self.timing(x) == Timing.UNCERTAIN)

    @property
    def data_status(self) -> str:
        """``officiel`` when every layer in force is official, ``fourni`` when each is at
        least supplied, else ``indicatif``."""
        return _weakest(self.layers)

    @property
    def synthetic(self) -> bool:
        """Whether some layer in force is synthetic (generated test data)."""
        return any(x.provenance.synthetic for x in self.layers)

    @property
    def review_due(self) -> tuple[Layer, ...]:
        """Sectors past their ``review_after`` date: check that the ORT is still in force."""
        return tuple(x for x in self.sectors if x.review_after and self.date > x.review_after)

    @property
    def first_sector_after(self) -> Layer | None:
        """The first ORT sector that starts after this date (None when there is none)."""
        later = [x for x in self.catalog.sectors if x.valid_from > self.date]
        return min(later, key=lambda x: x.valid_from, default=None)

    def start(self) -> tuple[Layer | None, Act | None]:
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
        first, act = self.start()
        if first is None:
            return "no ORT sector of the catalogue is in force that day."
        basis = f" ({act_label(act)})." if act is not None else "."
        return f"the ORT starts on {first.valid_from.isoformat()}{basis}"

    @property
    def no_ort_reason_fr(self) -> str:
        """Why no ORT sector is in force, in French (``""`` when one is).

        Examples
        --------
        >>> on("2019-08-03").no_ort_reason_fr  # doctest: +ELLIPSIS
        "l'ORT commence le 4 août 2019, arrêté préfectoral du 4 août 2019 (date de ...)"
        """
        if self.has_ort:
            return ""
        first, act = self.start()
        return note("no_ort", start=first.valid_from if first is not None else None, act=act)

    def acts(self, layer: Layer | str) -> tuple[Act, ...]:
        """The act chain of a layer on this date, oldest first (:meth:`Catalog.acts_on`).

        Examples
        --------
        >>> [a.id for a in on("2019-12-31").acts("lens-centre-ville")]
        ['convention-acv-2018', 'arrete-ort-2019']
        """
        key = layer if isinstance(layer, str) else layer.id
        found = self._acts.get(key)
        if found is None:  # the same for every point of the day: worked out once
            found = self._acts[key] = self.catalog.acts_on(layer, self.date)
        return found

    @functools.cached_property
    def _acts(self) -> dict[str, tuple[Act, ...]]:
        return {}

    def coverage(self, commune: str | None, topic: str = ORT_TOPIC) -> CoverageEntry | None:
        """What ortgeo holds of ``topic`` in ``commune`` on this date (``None``: nothing).

        Examples
        --------
        >>> state = on("2024-06-01")
        >>> state.coverage("62498").extent, state.coverage("62041")
        ('complete', None)
        """
        key = (commune, topic)
        if key not in self._coverages:  # the same for every point of the commune that day
            self._coverages[key] = coverage_entry(self.catalog.coverage, topic, commune,
                                                  self.date)  # fmt: skip
        return self._coverages[key]

    @functools.cached_property
    def _coverages(self) -> dict[tuple[str | None, str], CoverageEntry | None]:
        return {}

    @property
    def sectors_table(self) -> Sectors:
        """The layers in force (:attr:`layers`, same order) as an engine sector table, with
        their timing on this date and their prepared Lambert-93 geometries and limits."""
        return self._table

    @functools.cached_property
    def _table(self) -> Sectors:
        from ortgeo.engine import Sectors  # pandas: not on the one-point path

        full = Sectors.from_catalog(self.catalog)
        order = {x.id: i for i, x in enumerate(self.catalog)}
        mask = np.zeros(len(full), bool)
        mask[[order[x.id] for x in self.layers]] = True
        return full.subset(mask, full.timings(self.date))

    @functools.cached_property
    def certain(self) -> np.ndarray:
        """Per ORT sector (:attr:`sectors` order): whether it is certainly in force that day."""
        return np.array([self.timing(x) == Timing.IN_FORCE for x in self.sectors], dtype=bool)

    @functools.cached_property
    def union_l93(self) -> shapely.Geometry:
        """Union of the sectors in force, Lambert-93 (empty when none)."""
        return shapely.union_all([x.geometry_l93 for x in self.sectors])

    def fingerprint(self) -> dict[str, Any]:
        """The catalogue's fingerprint, restricted to the layers in force that day."""
        fp = self.catalog.fingerprint()
        ids = {x.id for x in self.layers}
        return {**fp, "files": [f for f in fp["files"] if f["layer"] in ids],
                "synthetic": self.synthetic}  # fmt: skip

    def ort_geodataframe(self) -> gpd.GeoDataFrame:
        """The sectors in force merged into one row (empty, with a warning, when none).

        Columns ``date, layers, names, status, accuracy_m, area_ha, acts``, EPSG:4326.
        """
        import geopandas as gpd

        cols = ["date", "layers", "names", "status", "accuracy_m", "area_ha", "acts"]
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
            "status": _weakest(self.sectors),
            "accuracy_m": max(x.accuracy_m for x in self.sectors),
            "area_ha": round(float(self.union_l93.area) / 1e4, 2),
            "acts": ",".join(dict.fromkeys(a.id for x in self.sectors for a in self.acts(x))),
        }
        return gpd.GeoDataFrame([row], columns=cols, geometry=[geom], crs=WGS84)

    def to_geodataframe(self) -> gpd.GeoDataFrame:
        """The layers in force, one row each with its ``timing``, EPSG:4326."""
        gdf = self.catalog.subset([x.id for x in self.layers]).to_geodataframe(all_dates=True)
        gdf.insert(2, "timing", [str(self.timing(x)) for x in self.layers])
        return gdf

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready summary: date, sectors and dispositifs with their timing and acts."""

        def describe(x: Layer) -> dict[str, Any]:
            return {**x.to_dict(), "timing": str(self.timing(x)),
                    "acts_in_force": [a.to_dict() for a in self.acts(x)]}  # fmt: skip

        terr = self.catalog.territory
        return {
            "date": self.date.isoformat(),
            "territory": {**dataclasses.asdict(terr), "acts": [a.id for a in terr.acts]},
            "act": self.act.to_dict() if self.act else None,
            "sectors": [describe(x) for x in self.sectors],
            "others": [describe(x) for x in self.others],
            "not_in_force": [x.id for x in self.not_in_force],
            "coverage": [e.to_dict() for e in self.catalog.coverage if e.applies(self.date)],
            "data_status": self.data_status,
            "fingerprint": self.fingerprint(),
            "no_ort_reason": self.no_ort_reason or None,
            "review_due": bool(self.review_due),
        }

    def __repr__(self) -> str:
        names = ", ".join(f"{x.id} ({self.timing(x)})" for x in self.layers) or "nothing"
        return f"<PerimetersInForce {self.date.isoformat()}: {names}>"


def _weakest(layers: tuple[Layer, ...]) -> str:
    """The weakest data status of some layers: ``indicatif`` < ``fourni`` < ``officiel``."""
    statuses = {x.status for x in layers}
    if not statuses or "indicatif" in statuses:
        return "indicatif"
    return "officiel" if statuses == {"officiel"} else "fourni"


_CACHE: weakref.WeakKeyDictionary[Catalog, dict[tuple[Any, ...], PerimetersInForce]] = (
    weakref.WeakKeyDictionary()
)
_FIELDS: weakref.WeakKeyDictionary[
    Catalog, tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]
] = weakref.WeakKeyDictionary()


def _timings(cat: Catalog, day: _dt.date) -> dict[str, Timing]:
    """Every layer's timing on ``day``: :func:`ortgeo.model.timing_codes` on the catalogue's
    validity columns (built once per catalogue), as the engine computes it."""
    fields = _FIELDS.get(cat)
    if fields is None:
        layers = list(cat)
        fields = _FIELDS[cat] = (
            np.array([x.valid_from for x in layers], dtype="datetime64[D]"),
            np.array([x.valid_from_precision for x in layers], dtype=object),
            np.array([x.valid_to or np.datetime64("NaT") for x in layers], dtype="datetime64[D]"),
            np.array([x.valid_to_precision for x in layers], dtype=object),
        )
    start, start_precision, end, end_precision = fields
    codes = timing_codes(start, start_precision, end, end_precision, np.datetime64(day, "D"))
    return {x.id: TIMINGS[int(c)] for x, c in zip(cat, codes, strict=True)}


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
    >>> on("2018-06-01").has_ort
    False
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
        live = {i for i, t in _timings(cat, day).items()
                if t in (Timing.IN_FORCE, Timing.UNCERTAIN)}  # fmt: skip
        if the_act is not None:
            sectors = tuple(x for x in cat.sectors if the_act in x.acts)
        else:
            sectors = tuple(x for x in cat.sectors if x.id in live)
        others = tuple(x for x in cat if not x.is_ort_sector and x.id in live)
        chosen = {x.id for x in sectors + others}
        cache[key] = PerimetersInForce(
            date=day, catalog=cat, sectors=sectors, others=others,
            not_in_force=tuple(x for x in cat if x.id not in chosen), act=the_act,
        )  # fmt: skip
    return cache[key]


def ort_perimeter(date: DateLike = None, catalog: Catalog | None = None) -> gpd.GeoDataFrame:
    """The ORT sectors in force on ``date`` (default today), merged into one row.

    Empty, with a warning, on a date when no ORT sector is in force.

    Examples
    --------
    >>> ort = ort_perimeter(date="2024-06-01")
    >>> ort["layers"].iloc[0]
    'lens-centre-ville,lens-entree-de-ville'
    """
    return on(date, catalog).ort_geodataframe()
