"""Verdicts that explain themselves: per-sector results, the answer, a French explanation.

A :class:`Verdict` is what a notary, an owner or an OPAH-RU operator reads: which ORT
intervention sectors are in force on the date (with the acts in force that day and how sure
their dates are), inside or outside, how far from the limit, how reliable the data is,
where ortgeo's knowledge ends (coverage), the commune and its own status, the dated notes
(Denormandie for the commune, effects of the sector, OPAH-RU) and the fingerprint of the
data used. Its French text comes from ``ortgeo/templates/``.
"""

from __future__ import annotations

import dataclasses
import datetime as _dt
import functools
import math
from typing import Any

from pyproj import CRS

from ortgeo.catalog import Catalog
from ortgeo.crs import L93, WGS84
from ortgeo.dates import DateLike
from ortgeo.inforce import PerimetersInForce, layer_key, on
from ortgeo.legal import CommuneStatus, commune_status
from ortgeo.locate import ORT_KEY, located, located_point
from ortgeo.model import Act, Contact, CoverageEntry, Layer
from ortgeo.points import coordinates
from ortgeo.status import Status, Timing
from ortgeo.texts import note, render

__all__ = [
    "ERREUR", "INDETERMINE", "LayerResult", "Verdict", "check_point", "undetermined_reason",
    "verdict_from_row",
]  # fmt: skip

INDETERMINE = Status.INDETERMINE
ERREUR = Status.ERREUR
#: Name of the composite when the territory gives none.
ORT_NAME = "Secteurs d'intervention de l'ORT"


def _finite(value: float | None, digits: int) -> float | None:
    if value is None or not math.isfinite(float(value)):
        return None
    return round(float(value), digits)


@dataclasses.dataclass(frozen=True)
class LayerResult:
    """The result of one point against one sector or dispositif (or the composite ORT).

    For the composite, ``decided_by`` names the deciding sector and ``timing``,
    ``data_status``, ``accuracy_m`` and ``acts`` are that sector's.
    """

    key: str
    layer_ids: tuple[str, ...]
    name: str
    kind: str
    inside: bool
    distance_m: float
    band_m: float
    status: str
    timing: str
    data_status: str
    accuracy_m: float
    layer: Layer | None = None
    decided_by: str | None = None
    acts: tuple[Act, ...] = ()
    extent: str = "complete"

    @property
    def title(self) -> str:
        """Display title (the layer's title, or the composite's name)."""
        return self.layer.title if self.layer is not None else self.name

    @property
    def legal_basis(self) -> str:
        """The acts in force on the date, in French (:attr:`acts`)."""
        return note("acts", chain=self.acts) if self.acts else ""

    @property
    def near(self) -> bool:
        """Whether the point is inside the layer or within its band."""
        return bool(self.inside) or abs(self.distance_m) <= self.band_m

    def where(self) -> str:
        """French distance phrase: ``"à 384 m de la limite, côté intérieur (marge ± 265 m)"``.

        Examples
        --------
        >>> res = check_point(2.833889, 50.429167, date="2024-06-01").layer("lens-centre-ville")
        >>> res.where().replace("\\u202f", " ")
        'à 384 m de la limite, côté intérieur (marge ± 250 m)'
        """
        return self._where

    @functools.cached_property
    def _where(self) -> str:  # computed once: a verdict's texts read it several times
        return note("distance", status=self.status, distance=self.distance_m,
                    band=self.band_m, inside=self.inside)  # fmt: skip

    def phrase(self) -> str:
        """French phrase: status then distance, e.g. ``"inclus, à 384 m de la limite…"``."""
        return self._phrase

    @functools.cached_property
    def _phrase(self) -> str:
        if self.status == Status.INVALIDE:
            return "invalide"
        if self.status == Status.INDETERMINE:
            return note("undetermined", where=self.where(), extent=self.extent)
        return f"{note('sector_status', status=self.status)}, {self.where()}"

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready dict with English keys; numbers are finite or None.

        Examples
        --------
        >>> res = check_point(2.833889, 50.429167, date="2024-06-01").layer("lens-centre-ville")
        >>> {k: res.to_dict()[k] for k in ("key", "inside", "band_m", "status")}
        {'key': 'lens_centre_ville', 'inside': True, 'band_m': 250.0, 'status': 'dedans'}
        """
        return {
            **_layer_part(self),
            "timing": self.timing or None,
            "data_status": self.data_status,
            "accuracy_m": _finite(self.accuracy_m, 1),
            "inside": bool(self.inside),
            "distance_m": _finite(self.distance_m, 1),
            "band_m": _finite(self.band_m, 1),
            "status": str(self.status),
            "extent": self.extent,
            "phrase": self.phrase() if self.band_m == self.band_m else None,
            "decided_by": self.decided_by,
        }


#: :func:`_layer_part` worked out once per layer and act chain: ``key → (layer, acts, part)``
#: (the objects kept so that their ids, in the key, stay theirs).
_LAYER_PARTS: dict[tuple[Any, ...], tuple[Any, Any, dict[str, Any]]] = {}
_LAYER_PARTS_MAX = 1024


def _layer_part(res: LayerResult) -> dict[str, Any]:
    """The first keys of :meth:`LayerResult.to_dict`: what the layer and its acts on the
    date say, the same for every point (a copy: the caller may change it)."""
    key = (res.key, res.layer_ids, res.name, res.kind, id(res.layer), id(res.acts))
    hit = _LAYER_PARTS.get(key)
    if hit is None or hit[0] is not res.layer or hit[1] is not res.acts:
        layer = res.layer.to_dict() if res.layer is not None else {}
        part = {
            "key": res.key,
            "layers": list(res.layer_ids),
            "name": res.name,
            "kind": res.kind,
            "title": res.title,
            "legal_basis": res.legal_basis,
            "acts": [a.to_dict() for a in res.acts],
            "communes": layer.get("communes", []),
            "communes_possible": layer.get("communes_possible", []),
            "includes_centre_ville": layer.get("includes_centre_ville"),
            "valid_from": layer.get("valid_from"),
            "valid_from_precision": layer.get("valid_from_precision"),
            "valid_to": layer.get("valid_to"),
            "valid_to_precision": layer.get("valid_to_precision"),
        }
        if len(_LAYER_PARTS) >= _LAYER_PARTS_MAX:
            _LAYER_PARTS.clear()  # bounded: start again rather than grow
        hit = _LAYER_PARTS[key] = (res.layer, res.acts, part)
    part = hit[2]
    return {
        **part, "layers": list(part["layers"]),
        "acts": [{**a, "articles": list(a["articles"])} for a in part["acts"]],
        "communes": list(part["communes"]), "communes_possible": list(part["communes_possible"]),
    }  # fmt: skip


@dataclasses.dataclass(frozen=True)
class Verdict:
    """Answer for one place on one date. ``status`` is the answer for the ORT sectors."""

    date: _dt.date
    lon: float
    lat: float
    x: float
    y: float
    status: str
    reason: str
    ort: LayerResult | None
    layers: tuple[LayerResult, ...]
    not_in_force: tuple[Layer, ...]
    state: PerimetersInForce
    uncertainty_m: float = 0.0
    geocode: Any = None  # ortgeo.geocoders.GeocodeResult when checked from an address
    citycode: str | None = None
    commune: CommuneStatus | None = None
    coverage: CoverageEntry | None = None
    #: Whether the address was found in an index built from SYNTHETIC addresses.
    synthetic_addresses: bool = False

    @property
    def inside(self) -> bool | None:
        """True/False for a firm answer about the ORT sectors, None otherwise."""
        return {Status.DEDANS: True, Status.DEHORS: False}.get(Status(self.status))

    @property
    def extent(self) -> str:
        """What ortgeo holds of the ORT in the point's commune: ``complete``, ``partial``,
        ``possible`` or ``none`` (outside its coverage)."""
        return self.coverage.extent if self.coverage is not None else "none"

    @property
    def sectors(self) -> tuple[LayerResult, ...]:
        """Results for the ORT sectors in force."""
        return tuple(r for r in self.layers if r.layer is not None and r.layer.is_ort_sector)

    @property
    def others(self) -> tuple[LayerResult, ...]:
        """Results for the other dispositifs in force (OPAH-RU...)."""
        return tuple(r for r in self.layers if r.layer is not None and not r.layer.is_ort_sector)

    def layer(self, layer_id: str) -> LayerResult:
        """Result for one layer in force, by layer id."""
        for res in self.layers:
            if layer_id in res.layer_ids:
                return res
        raise KeyError(f"Layer {layer_id!r} is not in force on {self.date.isoformat()}.")

    def concerns(self, res: LayerResult) -> bool:
        """Whether a layer's result is worth showing for this point: it decides the answer,
        the point is inside it or within its band, or the layer concerns the point's commune
        (its drawn communes, those it may reach into, a dispositif's communes)."""
        layer = res.layer
        if layer is None:
            return False
        if (self.ort is not None and self.ort.decided_by == layer.id) or res.near:
            return True
        code = self.commune.insee if self.commune is not None else None
        return code is not None and code in (*layer.communes, *layer.communes_possible,
                                             *layer.communes_all)  # fmt: skip

    @property
    def fingerprint(self) -> dict[str, Any]:
        """The data this answer used: catalogue version, SHA-256 of each geometry file."""
        return self.state.fingerprint()

    @property
    def banner(self) -> dict[str, Any]:
        """The banner every view of this answer shows (page, card, fiche, JSON):
        ``synthetic`` when the sectors or the address index are synthetic test data,
        ``indicatif`` when a perimeter in force is an indicative tracé, and its French
        ``text`` (empty when neither).

        Examples
        --------
        >>> b = check_point(2.833889, 50.429167, date="2024-06-01").banner
        >>> b["synthetic"], b["indicatif"], b["text"]
        (False, True, "Tracés indicatifs : seul le plan annexé à l'acte fait foi.")
        """
        sectors = bool(self.state.synthetic)
        indicatif = self.state.data_status == "indicatif"
        text = note("banner", synthetic_sectors=sectors,
                    synthetic_addresses=self.synthetic_addresses, indicatif=indicatif)  # fmt: skip
        return {"synthetic": sectors or self.synthetic_addresses, "indicatif": indicatif,
                "text": text}  # fmt: skip

    # -- notes ---------------------------------------------------------------------
    def notes(self) -> list[dict[str, str]]:
        """Dated legal and data notes, each ``{"code": ..., "text": ...}`` in French."""
        return [dict(n) for n in self._notes]  # a copy: the caller may change it

    @functools.cached_property
    def _notes(self) -> tuple[dict[str, str], ...]:
        """The notes, computed once (``to_dict`` and ``explain`` both read them)."""
        out: list[dict[str, str]] = []
        shown = [r for r in self.sectors if self.concerns(r)]
        deciding = [r for r in self.sectors if r.near or (
            self.ort is not None and self.ort.decided_by in r.layer_ids)]  # fmt: skip
        for res in deciding:
            if res.timing == Timing.UNCERTAIN and res.layer is not None:
                unsure = tuple(a for a in res.layer.acts
                               if a.date is None or a.date_precision != "exact")  # fmt: skip
                text = note("timing", sector=res.layer, unsure=unsure, day=self.date)
                out.append({"code": "timing", "text": text})
        due = self.state.review_due
        if due and shown:
            review = max(x.review_after for x in due if x.review_after)
            out.append({"code": "review", "text": note("review", day=self.date,
                                                        review_after=review)})  # fmt: skip
        if self.status == Status.INVALIDE:  # no place: no commune, no dispositif to speak of
            return tuple(out)
        if self.commune is not None:
            out.append({k: v for k, v in self.commune.denormandie(self.date).items()
                        if k != "applies"})  # fmt: skip
        firm_in = [r for r in self.sectors if r.status in (Status.DEDANS, Status.LIMITE)]
        if firm_in:
            centres = [r.name for r in firm_in if r.layer and r.layer.includes_centre_ville]
            text = note("effects", centre=centres[0] if centres else "")  # cached: one per centre
            out.append({"code": "effects", "text": text})
        elif self.status == Status.DEHORS:
            out.append({"code": "effects", "text": note("effects_outside")})
        code = self.commune.insee if self.commune is not None else None
        name = self.commune.name if self.commune is not None else ""
        for layer in [r.layer for r in self.others] + list(self.not_in_force):
            if layer is None or layer.kind != "opah-ru":
                continue
            found = next((r for r in self.others if r.layer is layer), None)
            if not ((found is not None and found.near) or code in layer.communes_all):
                continue  # the OPAH-RU does not concern this point
            phase = str(self.state.timing(layer))
            text = note("opah", phase=phase, layer=layer, day=self.date,
                        phrase=found.phrase() if found is not None else "",
                        extent=layer.commune_extent(code), commune_name=name)  # fmt: skip
            out.append({"code": "opah-ru", "text": text})
        used = [r for r in self.layers if self.concerns(r)]
        if used:
            worst = min((r.data_status for r in used),
                        key=("indicatif", "fourni", "officiel").index)  # fmt: skip
            accuracy = max(r.accuracy_m for r in used)
            contact = self.state.catalog.territory.pilot or "mairie ou intercommunalité"
            out.append({"code": "data-status", "text": note(
                "data_status", status=worst, accuracy=accuracy,
                synthetic=any(r.layer is not None and r.layer.provenance.synthetic
                              for r in used), contact=_contact(contact))})  # fmt: skip
        return tuple(out)

    # -- outputs --------------------------------------------------------------------
    def summary(self) -> str:
        """The answer in one French line: ``"INCLUS — dans « Centre-ville de Lens », à …"``.

        Examples
        --------
        >>> check_point(2.832308, 50.45, date="2024-06-01").summary()[:32]
        'NON INCLUS — secteur le plus pro'
        """
        return self._summary

    @functools.cached_property
    def _summary(self) -> str:
        ort = self.ort
        where = ort.where() if ort is not None and ort.band_m == ort.band_m else ""
        return note("head", status=str(self.status), where=where, name=_decider_name(self),
                    reason=self.reason, first_after=None)  # fmt: skip

    @property
    def ort_name(self) -> str:
        """The name of the ORT the answer is about (« ORT de la CALL – secteurs de Lens »)."""
        return self.ort.name if self.ort is not None else _ort_name(self.state)

    def explain(self) -> str:
        """A short French explanation a notary or an owner can read.

        Examples
        --------
        >>> v = check_point(2.833889, 50.429167, date="2024-06-01")
        >>> print(v.explain().splitlines()[2])  # doctest: +NORMALIZE_WHITESPACE
        ORT de la CALL – secteurs de Lens : INCLUS — dans « Centre-ville de Lens »,
        à 384 m de la limite, côté intérieur (marge ± 250 m)
        """
        candidates = ""
        if self.geocode is not None and self.status == INDETERMINE and self.geocode.candidates:
            candidates = " ; ".join(
                f"{c.label}, score {c.score:.2f}" for c in self.geocode.candidates[:5]
            )

        def row(res: LayerResult) -> dict[str, str]:
            layer = res.layer
            assert layer is not None
            return {"name": layer.name, "line": res.phrase(), "acts": res.legal_basis,
                    "validity": note("validity", layer=layer)}  # fmt: skip

        show = self.status != Status.INVALIDE
        code = self.commune.insee if self.commune is not None else None
        not_yet = [x for x in self.not_in_force if x.is_ort_sector and code in
                   (*x.communes, *x.communes_possible)]  # fmt: skip
        return render(
            "explain.txt.j2", v=self, head=self.summary(), candidates=candidates,
            ort_name=self.ort_name,
            commune_line=note("commune_line", commune=self.commune, day=self.date)
            if self.commune is not None else "",
            sectors=[row(r) for r in self.sectors if self.concerns(r)] if show else [],
            not_yet=[{"name": x.name, "validity": note("validity", layer=x)}
                     for x in not_yet] if show else [],
            others=[row(r) for r in self.others if self.concerns(r)] if show else [],
            notes=self.notes(),
            fingerprint=note("fingerprint", lines=True, fp=self.fingerprint),
        )  # fmt: skip

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready dict with English keys; numbers are finite or None (valid JSON)."""
        fp = self.fingerprint
        return {
            "date": self.date.isoformat(),
            "status": str(self.status),
            "inside": self.inside,
            "reason": self.reason,
            "summary": self.summary(),
            "ort_name": self.ort_name,
            "point": {
                "lon": _finite(self.lon, 7),
                "lat": _finite(self.lat, 7),
                "x": _finite(self.x, 2),
                "y": _finite(self.y, 2),
                "uncertainty_m": _finite(self.uncertainty_m, 1),
            },
            "commune": {
                **self.commune.to_dict(self.date),
                "line": note("commune_line", commune=self.commune, day=self.date),
            }
            if self.commune is not None
            else None,
            "coverage": {
                "topic": "ort",
                "extent": self.extent,
                "commune": self.commune.insee if self.commune is not None else None,
                "entry": self.coverage.to_dict() if self.coverage is not None else None,
            },
            "data_status": self.state.data_status,
            "synthetic": bool(fp["synthetic"]),
            "banner": self.banner,
            "fingerprint": fp,
            "review_due": bool(self.state.review_due),
            "ort": self.ort.to_dict() if self.ort else None,
            "layers": [{**res.to_dict(), "concerns": self.concerns(res)} for res in self.layers],
            "not_in_force": [
                {
                    "id": layer.id,
                    "name": layer.name,
                    "kind": layer.kind,
                    "valid_from": layer.valid_from.isoformat(),
                    "valid_from_precision": layer.valid_from_precision,
                    "valid_to": layer.valid_to.isoformat() if layer.valid_to else None,
                    "timing": str(self.state.timing(layer)),
                }
                for layer in self.not_in_force
            ],
            "geocode": self.geocode.to_dict() if self.geocode is not None else None,
            "notes": self.notes(),
            "contacts": [_contact_dict(c) for c in self.contacts],
        }

    @property
    def contacts(self) -> tuple[Contact, ...]:
        """Whom to ask: the contacts the acts of the territory name (empty when none)."""
        terr = self.state.catalog.territory
        if self.ort is not None and self.ort.decided_by:
            terr = self.state.catalog.territory_of(self.state.catalog[self.ort.decided_by]) or terr
        return terr.contacts


#: ``Contact.to_dict()`` per contact, worked out once (``dataclasses.asdict`` is slow):
#: ``id → (contact, dict)``, the contact kept so that its id stays its own.
_CONTACT_DICTS: dict[int, tuple[Contact, dict[str, str]]] = {}


def _contact_dict(contact: Contact) -> dict[str, str]:
    """``contact.to_dict()``, a copy of the one worked out once."""
    hit = _CONTACT_DICTS.get(id(contact))
    if hit is None or hit[0] is not contact:
        if len(_CONTACT_DICTS) >= _LAYER_PARTS_MAX:
            _CONTACT_DICTS.clear()
        hit = _CONTACT_DICTS[id(contact)] = (contact, contact.to_dict())
    return dict(hit[1])


def _contact(pilot: str) -> str:
    return "mairie de Lens ou CALL" if "CALL" in pilot and "Lens" in pilot else pilot


def _ort_name(state: PerimetersInForce) -> str:
    return state.catalog.territory.ort_name or ORT_NAME


def _decider_name(v: Verdict) -> str:
    if v.ort is None or v.ort.decided_by is None:
        return ""
    return v.state.catalog[v.ort.decided_by].name


def _float(value: Any) -> float:
    try:
        return float(value)
    except (TypeError, ValueError):
        return float("nan")


def _result(
    row: Any, layer: Layer, state: PerimetersInForce, band: float, commune: str | None
) -> LayerResult:
    key = layer_key(layer.id)
    return LayerResult(
        key=key, layer_ids=(layer.id,), name=layer.name, kind=layer.kind,
        inside=bool(row[f"{key}_inside"]), distance_m=_float(row[f"{key}_distance_m"]),
        band_m=band, status=str(row[f"{key}_status"]), timing=str(state.timing(layer)),
        data_status=layer.status, accuracy_m=layer.accuracy_m, layer=layer,
        acts=state.acts(layer), extent=layer.commune_extent(commune),
    )  # fmt: skip


def _composite(
    row: Any, state: PerimetersInForce, status: str, coverage: CoverageEntry | None
) -> LayerResult:
    """The ORT composite, carrying its deciding sector's facts (timing, accuracy, acts)."""
    decided = row["ort_sector"] if isinstance(row["ort_sector"], str) else None
    firm = status in (Status.DEDANS, Status.DEHORS, Status.LIMITE, Status.DATE_INCERTAINE)
    if not firm:  # no sector decides an undetermined answer, unless one may reach the point
        held = [
            i
            for i in (coverage.layers if coverage is not None else ())
            if any(x.id == i for x in state.sectors)
        ]
        decided = (
            held[0] if held and coverage is not None and coverage.extent != "complete" else None
        )
    layer = state.catalog[decided] if decided else None
    return LayerResult(
        key=ORT_KEY, layer_ids=tuple(x.id for x in state.sectors), name=_ort_name(state),
        kind="ort", inside=bool(row["ort_inside"]),
        distance_m=_float(row["ort_distance_m"]) if firm else float("nan"),
        band_m=_float(row["ort_band_m"]) if firm else float("nan"),
        status=status, timing=str(state.timing(layer)) if layer is not None else "",
        data_status=layer.status if layer is not None else state.data_status,
        accuracy_m=layer.accuracy_m if layer is not None else float("nan"),
        decided_by=decided, acts=state.acts(layer) if layer is not None else (),
        extent=coverage.extent if coverage is not None else "none",
    )  # fmt: skip


def _why_undetermined(
    state: PerimetersInForce, commune: CommuneStatus | None, coverage: CoverageEntry | None
) -> str:
    """Why an answer is ``indetermine`` for lack of knowledge, in French."""
    if commune is None:
        return note("coverage", case="no-commune", commune=CommuneStatus("", "", False),
                    day=state.date, sector=None, act=None)  # fmt: skip
    if coverage is not None and coverage.extent == "possible":
        sector = next((state.catalog[i] for i in coverage.layers), None)
        basis = sector.valid_from_basis if sector is not None else ""
        act = state.catalog.act(basis).short if basis else None
        return note("coverage", case="possible", commune=commune, day=state.date,
                    sector=sector, act=act)  # fmt: skip
    if coverage is not None and coverage.extent == "partial":
        return note("coverage", case="partial", commune=commune, day=state.date, sector=None,
                    act=None)  # fmt: skip
    if commune.insee in state.catalog.territory.ort_communes and (
        not commune.known or commune.ort_signed(state.date)
    ):
        return note("missing", names=commune.name or commune.insee)
    case = "signatory" if commune.ort_signed(state.date) else "outside"
    return note("coverage", case=case, commune=commune, day=state.date, sector=None, act=None)


def undetermined_reason(state: PerimetersInForce, commune: str | None) -> str:
    """Why a point of ``commune`` (INSEE, ``None`` unknown) outside the sectors held gets no
    firm answer on the state's date, in French (what the coverage and the commune say).

    Examples
    --------
    >>> undetermined_reason(on("2024-06-01"), "62510")[:53]
    "ortgeo ne contient pas les secteurs d'intervention de"
    """
    status = commune_status(commune) if commune else None
    return _why_undetermined(state, status, state.coverage(commune))


def verdict_from_row(
    row: Any,
    state: PerimetersInForce,
    *,
    band_m: float | None = None,
    uncertainty_m: float = 0.0,
    geocode: Any = None,
    citycode: str | None = None,
    synthetic_addresses: bool = False,
) -> Verdict:
    """Build a :class:`Verdict` from one row of :func:`ortgeo.locate`'s result.

    When the row has ``status``/``reason`` columns (addresses: see
    :func:`ortgeo.address.assess_geocodes`), they give the overall answer;
    ``synthetic_addresses`` says the address index was built from synthetic data.
    """

    def band(layer: Layer) -> float:
        return float(band_m) if band_m is not None else layer.accuracy_m + uncertainty_m

    valid = bool(row["valid"])
    code = citycode or (row["commune"] if isinstance(row.get("commune"), str) else None)
    commune = commune_status(code) if code else None
    coverage = state.coverage(code) if valid else None
    layers = tuple(_result(row, x, state, band(x), code) for x in state.layers) if valid else ()
    ort_status = str(row["ort_status"])
    ort = _composite(row, state, ort_status, coverage) if state.has_ort else None
    status = str(row["status"]) if "status" in row else ort_status
    reason = str(row["reason"])
    if status == Status.SANS_ORT:
        reason = state.no_ort_reason_fr
    elif status == Status.INDETERMINE and not reason:
        reason = _why_undetermined(state, commune, coverage)
    return Verdict(
        date=state.date, lon=_float(row["lon"]), lat=_float(row["lat"]), x=_float(row["x"]),
        y=_float(row["y"]), status=status, reason=reason, ort=ort, layers=layers,
        not_in_force=state.not_in_force, state=state, uncertainty_m=uncertainty_m,
        geocode=geocode, citycode=citycode, commune=commune, coverage=coverage,
        synthetic_addresses=synthetic_addresses,
    )  # fmt: skip


def check_point(
    lon: float,
    lat: float,
    date: DateLike = None,
    catalog: Catalog | None = None,
    band_m: float | None = None,
    uncertainty_m: float = 0.0,
    *,
    crs: str | int = 4326,
    citycode: str | None = None,
) -> Verdict:
    """Check one point against the perimeters in force on ``date``.

    Parameters
    ----------
    lon, lat : float
        Longitude and latitude in WGS84 degrees (or x and y in ``crs``).
    date : str or date, optional
        Date of the perimeters (default today).
    catalog : Catalog, optional
        Perimeter catalogue (default: the bundled one).
    band_m : float, optional
        Width of the ``limite`` band (default: layer accuracy + ``uncertainty_m``).
    uncertainty_m : float
        The point's own position uncertainty in metres.
    crs : str or int
        CRS of the coordinates: 4326 (default) or e.g. 2154 for Lambert-93 x/y; degrees
        given as Lambert-93 come out ``invalide`` with the reason.
    citycode : str, optional
        The point's commune (INSEE), e.g. from the BAN; default: the bundled outlines.

    Returns
    -------
    Verdict

    Examples
    --------
    >>> v = check_point(2.833889, 50.429167, date="2024-06-01")  # église Saint-Léger
    >>> v.status, v.layer("call-opah-ru-coeur-de-ville").status, v.commune.name
    ('dedans', 'dedans', 'Lens')
    >>> check_point(50.43, 2.83).reason
    'longitude et latitude inversées ?'
    """
    state = on(date, catalog)
    a, b = coordinates(lon, lat)
    kind = _crs_kind(crs)
    if a.ndim == 0 and b.ndim == 0 and kind != "other":  # one point: the scalar path
        row = located_point(float(a), float(b), state, band_m, uncertainty_m,
                            given_xy=kind == "l93", citycode=citycode)  # fmt: skip
    else:
        import geopandas as gpd

        points: object = ([lon], [lat])
        if kind != "wgs84":
            points = gpd.GeoSeries.from_xy([lon], [lat], crs=crs)
        row = located(points, perimeters=state, band_m=band_m, uncertainty_m=uncertainty_m,
                      citycode=[citycode] if citycode else None).row(0)  # fmt: skip
    return verdict_from_row(row, state, band_m=band_m, uncertainty_m=uncertainty_m,
                            citycode=citycode)  # fmt: skip


@functools.lru_cache(maxsize=32)
def _crs_kind(crs: str | int) -> str:
    """``"wgs84"``, ``"l93"`` or ``"other"`` (looked up once per CRS given)."""
    parsed = CRS.from_user_input(crs)
    return "wgs84" if parsed == WGS84 else "l93" if parsed.equals(L93) else "other"
