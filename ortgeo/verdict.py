"""Verdicts that explain themselves: per-sector results, the answer, a French explanation.

A :class:`Verdict` is what a notary, an owner or an OPAH-RU operator reads: which ORT
intervention sectors are in force on the date (with their acts and how sure their dates
are), inside or outside, how far from the limit, how reliable the data is, the commune, and
the dated notes (Denormandie for the commune, effects of the sector, OPAH-RU). Its French
text comes from ``ortgeo/templates/``.
"""

from __future__ import annotations

import dataclasses
import datetime as _dt
import functools
import math
from typing import Any

from pyproj import CRS

from ortgeo.catalog import Catalog, Layer
from ortgeo.crs import L93, WGS84
from ortgeo.dates import DateLike
from ortgeo.inforce import PerimetersInForce, layer_key, on
from ortgeo.legal import CommuneStatus, commune_status
from ortgeo.locate import ORT_KEY, located, located_point
from ortgeo.points import coordinates
from ortgeo.status import Status, Timing
from ortgeo.texts import note, render

__all__ = ["ERREUR", "INDETERMINE", "LayerResult", "Verdict", "check_point", "verdict_from_row"]

INDETERMINE = Status.INDETERMINE
ERREUR = Status.ERREUR
LENS_INSEE = "62498"
#: Name of the composite in texts.
ORT_NAME = "Secteurs d'intervention de l'ORT"


def _finite(value: float | None, digits: int) -> float | None:
    if value is None or not math.isfinite(float(value)):
        return None
    return round(float(value), digits)


@dataclasses.dataclass(frozen=True)
class LayerResult:
    """The result of one point against one sector or dispositif (or the composite ORT)."""

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

    @property
    def title(self) -> str:
        """Display title (the layer's title, or the composite's name)."""
        return self.layer.title if self.layer is not None else self.name

    @property
    def legal_basis(self) -> str:
        """The acts of the layer, in French (empty for the composite)."""
        return self.layer.legal_basis if self.layer is not None else ""

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
        return f"{note('sector_status', status=self.status)}, {self.where()}"

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready dict with English keys; numbers are finite or None.

        Examples
        --------
        >>> res = check_point(2.833889, 50.429167, date="2024-06-01").layer("lens-centre-ville")
        >>> {k: res.to_dict()[k] for k in ("key", "inside", "band_m", "status")}
        {'key': 'lens_centre_ville', 'inside': True, 'band_m': 250.0, 'status': 'dedans'}
        """
        layer = self.layer.to_dict() if self.layer is not None else {}
        return {
            "key": self.key,
            "layers": list(self.layer_ids),
            "name": self.name,
            "kind": self.kind,
            "title": self.title,
            "legal_basis": self.legal_basis,
            "acts": layer.get("acts", []),
            "communes": layer.get("communes", []),
            "includes_centre_ville": layer.get("includes_centre_ville"),
            "valid_from": layer.get("valid_from"),
            "valid_from_precision": layer.get("valid_from_precision"),
            "valid_to": layer.get("valid_to"),
            "timing": self.timing,
            "data_status": self.data_status,
            "accuracy_m": _finite(self.accuracy_m, 1),
            "inside": bool(self.inside),
            "distance_m": _finite(self.distance_m, 1),
            "band_m": _finite(self.band_m, 1),
            "status": str(self.status),
            "phrase": self.phrase() if self.band_m == self.band_m else None,
            "decided_by": self.decided_by,
        }


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

    @property
    def inside(self) -> bool | None:
        """True/False for a firm answer about the ORT sectors, None otherwise."""
        return {Status.DEDANS: True, Status.DEHORS: False}.get(Status(self.status))

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

    # -- notes ---------------------------------------------------------------------
    def notes(self) -> list[dict[str, str]]:
        """Dated legal and data notes, each ``{"code": ..., "text": ...}`` in French."""
        return [dict(n) for n in self._notes]  # a copy: the caller may change it

    @functools.cached_property
    def _notes(self) -> tuple[dict[str, str], ...]:
        """The notes, computed once (``to_dict`` and ``explain`` both read them)."""
        out: list[dict[str, str]] = []
        for res in self.sectors:
            if res.timing == Timing.UNCERTAIN and res.layer is not None:
                out.append({"code": "timing", "text": note("timing", sector=res.layer)})
        due = self.state.review_due
        if due:
            review = max(x.review_after for x in due if x.review_after)
            out.append({"code": "review", "text": note("review", day=self.date,
                                                        review_after=review)})  # fmt: skip
        if self.status == Status.INVALIDE:  # no place: no commune, no dispositif to speak of
            return tuple(out)
        commune = self.commune or CommuneStatus(insee="", name="", known=False)
        out.append({k: v for k, v in commune.denormandie(self.date).items() if k != "applies"})
        firm_in = [r for r in self.sectors if r.status in (Status.DEDANS, Status.LIMITE)]
        if firm_in:
            centres = [r.name for r in firm_in if r.layer and r.layer.includes_centre_ville]
            text = note("effects", centre=centres[0] if centres else "", sectors=firm_in)
            out.append({"code": "effects", "text": text})
        elif self.status == Status.DEHORS:
            out.append({"code": "effects", "text": note("effects_outside")})
        for layer in [r.layer for r in self.others] + list(self.not_in_force):
            if layer is None or layer.kind != "opah-ru":
                continue
            found = next((r for r in self.others if r.layer is layer), None)
            phase = str(layer.timing(self.date))
            phrase = found.phrase() if found is not None else ""
            text = note("opah", phase=phase, layer=layer, phrase=phrase, day=self.date)
            out.append({"code": "opah-ru", "text": text})
        indicatif = [r for r in self.layers if r.data_status != "officiel"]
        if indicatif:
            accuracy = max(r.accuracy_m for r in indicatif)
            out.append({"code": "data-status", "text": note("data_status", accuracy=accuracy)})
        return tuple(out)

    # -- outputs --------------------------------------------------------------------
    def summary(self) -> str:
        """The answer in one French line: ``"INCLUS — dans « Centre-ville de Lens », à …"``.

        Examples
        --------
        >>> check_point(2.863056, 50.420278, date="2024-06-01").summary()[:32]
        'NON INCLUS — secteur le plus pro'
        """
        return self._summary

    @functools.cached_property
    def _summary(self) -> str:
        ort = self.ort
        where = ort.where() if ort is not None and ort.band_m == ort.band_m else ""
        return note("head", status=str(self.status), where=where, name=_decider_name(self),
                    reason=self.reason, first_after=None)  # fmt: skip

    def explain(self) -> str:
        """A short French explanation a notary or an owner can read.

        Examples
        --------
        >>> v = check_point(2.833889, 50.429167, date="2024-06-01")
        >>> print(v.explain().splitlines()[2])  # doctest: +NORMALIZE_WHITESPACE
        Secteurs d'intervention de l'ORT : INCLUS — dans « Centre-ville de Lens »,
        à 384 m de la limite, côté intérieur (marge ± 250 m)
        """
        head = self.summary()
        candidates = ""
        if self.geocode is not None and self.status == INDETERMINE and self.geocode.candidates:
            candidates = " ; ".join(
                f"{c.label}, score {c.score:.2f}" for c in self.geocode.candidates[:5]
            )

        def row(res: LayerResult) -> dict[str, str]:
            layer = res.layer
            assert layer is not None
            return {"name": layer.name, "line": res.phrase(), "acts": layer.legal_basis,
                    "validity": layer.validity_fr}  # fmt: skip

        show = self.status != Status.INVALIDE
        return render(
            "explain.txt.j2", v=self, head=head, candidates=candidates,
            sectors=[row(r) for r in self.sectors] if show else [],
            not_yet=[x for x in self.not_in_force if x.is_ort_sector] if show else [],
            others=[row(r) for r in self.others] if show else [],
            notes=self.notes(),
        )  # fmt: skip

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready dict with English keys; numbers are finite or None (valid JSON)."""
        return {
            "date": self.date.isoformat(),
            "status": str(self.status),
            "inside": self.inside,
            "reason": self.reason,
            "summary": self.summary(),
            "point": {
                "lon": _finite(self.lon, 7),
                "lat": _finite(self.lat, 7),
                "x": _finite(self.x, 2),
                "y": _finite(self.y, 2),
                "uncertainty_m": _finite(self.uncertainty_m, 1),
            },
            "commune": self.commune.to_dict(self.date) if self.commune is not None else None,
            "data_status": self.state.data_status,
            "review_due": bool(self.state.review_due),
            "ort": self.ort.to_dict() if self.ort else None,
            "layers": [res.to_dict() for res in self.layers],
            "not_in_force": [
                {
                    "id": layer.id,
                    "name": layer.name,
                    "kind": layer.kind,
                    "valid_from": layer.valid_from.isoformat(),
                    "valid_from_precision": layer.valid_from_precision,
                    "valid_to": layer.valid_to.isoformat() if layer.valid_to else None,
                    "timing": str(layer.timing(self.date)),
                }
                for layer in self.not_in_force
            ],
            "geocode": self.geocode.to_dict() if self.geocode is not None else None,
            "notes": self.notes(),
        }


def _decider_name(v: Verdict) -> str:
    if v.ort is None or v.ort.decided_by is None:
        return ""
    return v.state.catalog[v.ort.decided_by].name


def _float(value: Any) -> float:
    try:
        return float(value)
    except (TypeError, ValueError):
        return float("nan")


def _result(row: Any, layer: Layer, state: PerimetersInForce, band: float) -> LayerResult:
    key = layer_key(layer.id)
    return LayerResult(
        key=key, layer_ids=(layer.id,), name=layer.name, kind=layer.kind,
        inside=bool(row[f"{key}_inside"]), distance_m=_float(row[f"{key}_distance_m"]),
        band_m=band, status=str(row[f"{key}_status"]), timing=str(state.timing(layer)),
        data_status=layer.status, accuracy_m=layer.accuracy_m, layer=layer,
    )  # fmt: skip


def verdict_from_row(
    row: Any,
    state: PerimetersInForce,
    *,
    band_m: float | None = None,
    uncertainty_m: float = 0.0,
    geocode: Any = None,
    citycode: str | None = None,
) -> Verdict:
    """Build a :class:`Verdict` from one row of :func:`ortgeo.locate`'s result.

    When the row has ``status``/``reason`` columns (addresses: see
    :func:`ortgeo.address.assess_geocodes`), they give the overall answer.
    """

    def band(layer: Layer) -> float:
        return float(band_m) if band_m is not None else layer.accuracy_m + uncertainty_m

    valid = bool(row["valid"])
    layers = tuple(_result(row, x, state, band(x)) for x in state.layers) if valid else ()
    ort = None
    if state.has_ort:
        ort = LayerResult(
            key=ORT_KEY, layer_ids=tuple(x.id for x in state.sectors), name=ORT_NAME,
            kind="ort", inside=bool(row["ort_inside"]),
            distance_m=_float(row["ort_distance_m"]), band_m=_float(row["ort_band_m"]),
            status=str(row["ort_status"]),
            timing=str(Timing.UNCERTAIN if state.uncertain else Timing.IN_FORCE),
            data_status=state.data_status,
            accuracy_m=max(x.accuracy_m for x in state.sectors),
            decided_by=row["ort_sector"] if isinstance(row["ort_sector"], str) else None,
        )  # fmt: skip
    status = str(row["status"]) if "status" in row else str(row["ort_status"])
    reason = str(row["reason"])
    if status == Status.SANS_ORT:
        reason = state.no_ort_reason_fr
    elif status == Status.INDETERMINE and not reason:
        names = ", ".join(commune_status(c).name or c for c in sorted(state.missing_communes)
                          if c == row.get("commune"))  # fmt: skip
        reason = note("missing", names=names or "cette commune")
    code = citycode or (row["commune"] if isinstance(row.get("commune"), str) else None)
    return Verdict(
        date=state.date, lon=_float(row["lon"]), lat=_float(row["lat"]), x=_float(row["x"]),
        y=_float(row["y"]), status=status, reason=reason, ort=ort, layers=layers,
        not_in_force=state.not_in_force, state=state, uncertainty_m=uncertainty_m,
        geocode=geocode, citycode=citycode,
        commune=commune_status(code) if code else None,
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
                            given_xy=kind == "l93")  # fmt: skip
    else:
        import geopandas as gpd

        points: object = ([lon], [lat])
        if kind != "wgs84":
            points = gpd.GeoSeries.from_xy([lon], [lat], crs=crs)
        row = located(points, perimeters=state, band_m=band_m, uncertainty_m=uncertainty_m).row(0)
    return verdict_from_row(row, state, band_m=band_m, uncertainty_m=uncertainty_m)


@functools.lru_cache(maxsize=32)
def _crs_kind(crs: str | int) -> str:
    """``"wgs84"``, ``"l93"`` or ``"other"`` (looked up once per CRS given)."""
    parsed = CRS.from_user_input(crs)
    return "wgs84" if parsed == WGS84 else "l93" if parsed.equals(L93) else "other"
