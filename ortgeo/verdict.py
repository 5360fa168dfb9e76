"""Verdicts that explain themselves: per-layer results, overall answer, French explanation.

A :class:`Verdict` is what a notary, an owner or an OPAH-RU operator reads: which
perimeter version applies on the date (with its legal act), inside or outside, how far
from the limit, how reliable the data is, and the legal notes (Denormandie, OPAH-RU).
"""

from __future__ import annotations

import dataclasses
import datetime as _dt
from typing import Any

import numpy as np

from ortgeo.catalog import Catalog, Layer, first_ort_after
from ortgeo.catalog import catalog as _catalog
from ortgeo.dates import DateLike, parse_date
from ortgeo.locate import (
    DEDANS,
    DEHORS,
    INVALIDE,
    LIMITE,
    ORT_KEY,
    SANS_ORT,
    layer_key,
    locate,
)

__all__ = ["ERREUR", "INDETERMINE", "LayerResult", "Verdict", "check_point", "verdict_from_row"]

INDETERMINE = "indetermine"
ERREUR = "erreur"
LENS_INSEE = "62498"

_STATUS_FR = {
    DEDANS: "DEDANS",
    DEHORS: "DEHORS",
    LIMITE: "EN LIMITE (à vérifier sur le plan officiel)",
    INVALIDE: "INVALIDE",
    SANS_ORT: "AUCUN PÉRIMÈTRE ORT EN VIGUEUR",
    INDETERMINE: "INDÉTERMINÉ",
    ERREUR: "ERREUR DE GÉOCODAGE",
}


def _fmt_m(value: float) -> str:
    return f"{abs(value):,.0f}".replace(",", "\u202f") + " m"


@dataclasses.dataclass(frozen=True)
class LayerResult:
    """The result of one point against one layer (or the composite ORT)."""

    key: str
    layer_ids: tuple[str, ...]
    title: str
    legal_basis: str
    valid_from: _dt.date | None
    valid_to: _dt.date | None
    data_status: str
    accuracy_m: float
    inside: bool
    distance_m: float
    band_m: float
    status: str

    def phrase(self) -> str:
        """French phrase, e.g. ``"dedans, à 384 m de la limite (marge ± 250 m)"``."""
        if self.status == INVALIDE:
            return "invalide"
        if np.isnan(self.distance_m):
            where = "à l'intérieur" if self.inside else "à l'extérieur"
            return f"{self.status}, {where}, à plus de {_fmt_m(self.band_m)} de la limite"
        side = "à l'intérieur" if self.distance_m > 0 else "à l'extérieur"
        if self.distance_m == 0:
            side = "sur la limite"
        label = {DEDANS: "dedans", DEHORS: "dehors", LIMITE: "en limite"}[self.status]
        return (
            f"{label}, {_fmt_m(self.distance_m)} {side} de la limite "
            f"(marge d'incertitude ± {_fmt_m(self.band_m)})"
        )

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready dict with English keys; ``distance_m`` is None when not computed.

        Examples
        --------
        >>> res = check_point(2.833889, 50.429167, date="2024-06-01").layer("ort-2019")
        >>> {k: res.to_dict()[k] for k in ("key", "inside", "band_m", "status")}
        {'key': 'ort_2019', 'inside': True, 'band_m': 250.0, 'status': 'dedans'}
        """
        return {
            "key": self.key,
            "layers": list(self.layer_ids),
            "title": self.title,
            "legal_basis": self.legal_basis,
            "valid_from": self.valid_from.isoformat() if self.valid_from else None,
            "valid_to": self.valid_to.isoformat() if self.valid_to else None,
            "data_status": self.data_status,
            "accuracy_m": self.accuracy_m,
            "inside": bool(self.inside),
            "distance_m": None if np.isnan(self.distance_m) else round(float(self.distance_m), 1),
            "band_m": round(float(self.band_m), 1),
            "status": self.status,
        }


@dataclasses.dataclass(frozen=True)
class Verdict:
    """Answer for one place on one date. ``status`` is the answer for the ORT in force."""

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
    uncertainty_m: float = 0.0
    geocode: Any = None  # ortgeo.geocoders.GeocodeResult when checked from an address
    citycode: str | None = None

    @property
    def inside(self) -> bool | None:
        """True/False for a firm answer about the ORT in force, None otherwise."""
        return {DEDANS: True, DEHORS: False}.get(self.status)

    def layer(self, layer_id: str) -> LayerResult:
        """Result for one layer in force, by layer id."""
        for res in self.layers:
            if layer_id in res.layer_ids:
                return res
        raise KeyError(f"Layer {layer_id!r} is not in force on {self.date.isoformat()}.")

    # -- notes ---------------------------------------------------------------------
    def notes(self) -> list[dict[str, str]]:
        """Legal and data notes, each ``{"code": ..., "text": ...}`` in French."""
        notes = []
        in_lens = self.citycode == LENS_INSEE or (self.ort is not None and self.ort.inside)
        tail = (
            "Ce point est à Lens : la réduction peut s'y appliquer, sous conditions"
            if in_lens
            else "Elle vaut pour un bien situé à Lens, même hors périmètre, sous conditions"
        )
        denormandie = (
            "Réduction d'impôt « Denormandie dans l'ancien » : elle concerne toute la commune "
            "de Lens (commune signataire d'une convention d'ORT), que le logement soit dans le "
            f"périmètre ORT ou non. {tail} ; être dans le périmètre ne suffit pas : conditions "
            "de travaux, de loyer et de ressources à vérifier (impots.gouv.fr)."
        )
        notes.append({"code": "denormandie", "text": denormandie})
        opah = [res for res in self.layers if res.key.startswith("opah")]
        opah_off = [layer for layer in self.not_in_force if layer.kind == "opah-ru"]
        if opah:
            res = opah[0]
            period = f"du {res.valid_from:%d/%m/%Y}" + (
                f" au {res.valid_to:%d/%m/%Y}" if res.valid_to else ""
            )
            notes.append({
                "code": "opah-ru",
                "text": f"Aides de l'OPAH-RU : elles dépendent du périmètre de l'OPAH-RU "
                f"({res.phrase()}) et de ses dates ({period}) ; éligibilité à confirmer "
                "auprès de l'opérateur de l'OPAH-RU.",
            })  # fmt: skip
        for layer in opah_off:
            notes.append({
                "code": "opah-ru",
                "text": f"Aides de l'OPAH-RU : l'opération n'est pas en vigueur le "
                f"{self.date:%d/%m/%Y} ({layer.validity_fr}) ; se renseigner sur une "
                "éventuelle prorogation auprès de la ville.",
            })  # fmt: skip
        indicatif = [res for res in ([self.ort] if self.ort else []) + list(self.layers)
                     if res.data_status != "officiel"]  # fmt: skip
        if indicatif:
            notes.append({
                "code": "data-status",
                "text": "Données « indicatives » : périmètres numérisés par ortgeo à partir de "
                "descriptions publiques, précision de l'ordre de "
                f"{_fmt_m(max(r.accuracy_m for r in indicatif))} ; seul le plan annexé à l'acte "
                "fait foi. Remplacez-les par les fichiers officiels de la ville.",
            })  # fmt: skip
        return notes

    # -- outputs --------------------------------------------------------------------
    def explain(self) -> str:
        """A short French explanation a notary or an owner can read.

        Examples
        --------
        >>> v = check_point(2.833889, 50.429167, date="2024-06-01")
        >>> print(v.explain().splitlines()[1])
        ORT en vigueur : DEDANS — 384 m à l'intérieur de la limite (marge d'incertitude ± 300 m).
        """
        head = f"Situation au {self.date:%d/%m/%Y} — point {self.lon:.6f}, {self.lat:.6f}"
        if np.isfinite(self.x):
            head += f" (Lambert-93 x={self.x:.0f}, y={self.y:.0f})"
        lines = [head]
        if self.geocode is not None:
            g = self.geocode
            found = (
                f" → trouvée : {g.label} (géocodeur {g.provider}, type {g.match_type}, "
                f"score {g.score:.2f})"
                if g.status == "ok"
                else ""
            )
            lines.insert(0, f"Adresse demandée : {g.query}{found}")
        if self.status in (INVALIDE, INDETERMINE, ERREUR):
            lines.append(f"Réponse : {_STATUS_FR[self.status]} — {self.reason}")
            if self.layers:
                lines.append("  À titre indicatif, d'après la position approximative :")
        elif self.status == SANS_ORT or self.ort is None:
            lines.append(f"ORT en vigueur : {_STATUS_FR[SANS_ORT]} — {self.reason}")
        else:
            phrase = self.ort.phrase().split(", ", 1)[1]
            lines.append(f"ORT en vigueur : {_STATUS_FR[self.status]} — {phrase}.")
            lines.append(f"  Composition : {' + '.join(self.ort.layer_ids)}.")
        if self.geocode is not None and self.status == INDETERMINE and self.geocode.candidates:
            lines.append(
                "  Adresses possibles : "
                + " ; ".join(
                    f"{c.label} (score {c.score:.2f})" for c in self.geocode.candidates[:5]
                )
            )
        if self.status != INVALIDE:
            for res in self.layers:
                lines.append(f"- {res.title} : {res.phrase()}.")
                lines.append(f"    Acte : {res.legal_basis} ; en vigueur {_validity(res)}.")
            for layer in self.not_in_force:
                lines.append(
                    f"- {layer.title} : pas en vigueur à cette date ({layer.validity_fr})."
                )
        lines.append("À savoir :")
        lines.extend(f"- {note['text']}" for note in self.notes())
        return "\n".join(lines)

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready dict with English keys (schema stable, see tests)."""
        finite = lambda v: None if v is None or not np.isfinite(v) else round(float(v), 7)  # noqa: E731
        return {
            "date": self.date.isoformat(),
            "status": self.status,
            "inside": self.inside,
            "reason": self.reason,
            "point": {
                "lon": finite(self.lon),
                "lat": finite(self.lat),
                "x": None if finite(self.x) is None else round(float(self.x), 2),
                "y": None if finite(self.y) is None else round(float(self.y), 2),
                "uncertainty_m": self.uncertainty_m,
            },
            "ort": self.ort.to_dict() if self.ort else None,
            "layers": [res.to_dict() for res in self.layers],
            "not_in_force": [
                {
                    "id": layer.id,
                    "valid_from": layer.valid_from.isoformat(),
                    "valid_to": layer.valid_to.isoformat() if layer.valid_to else None,
                }
                for layer in self.not_in_force
            ],
            "geocode": self.geocode.to_dict() if self.geocode is not None else None,
            "notes": self.notes(),
        }


def _validity(res: LayerResult) -> str:
    start = f"depuis le {res.valid_from:%d/%m/%Y}" if res.valid_from else ""
    return start + (f" jusqu'au {res.valid_to:%d/%m/%Y}" if res.valid_to else "")


def _result(row: Any, key: str, layers: list[Layer], band: float) -> LayerResult:
    single = len(layers) == 1
    return LayerResult(
        key=key,
        layer_ids=tuple(layer.id for layer in layers),
        title=layers[0].title
        if single
        else "ORT en vigueur (" + " + ".join(layer.title for layer in layers) + ")",
        legal_basis=" ; ".join(layer.legal_basis for layer in layers),
        valid_from=max(layer.valid_from for layer in layers),
        valid_to=min((x.valid_to for x in layers if x.valid_to), default=None),
        data_status="officiel" if all(x.status == "officiel" for x in layers) else "indicatif",
        accuracy_m=max(layer.accuracy_m for layer in layers),
        inside=bool(row[f"{key}_inside"]),
        distance_m=float(row[f"{key}_distance_m"]),
        band_m=band,
        status=str(row[f"{key}_status"]),
    )


def verdict_from_row(
    row: Any,
    cat: Catalog,
    day: _dt.date,
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
    in_force = cat.in_force(day)

    def band(layers: list[Layer]) -> float:
        if band_m is not None:
            return float(band_m)
        return max(layer.accuracy_m for layer in layers) + uncertainty_m

    layers = tuple(_result(row, layer_key(x.id), [x], band([x])) for x in in_force)
    ort_layers = cat.ort_layers(day)
    ort = _result(row, ORT_KEY, ort_layers, band(ort_layers)) if ort_layers else None
    status = str(row["status"]) if "status" in row else str(row["ort_status"])
    reason = str(row["reason"])
    if status == SANS_ORT:
        first = first_ort_after(cat, day)
        reason = "aucun périmètre ORT en vigueur à cette date" + (
            f" ; l'ORT commence le {first.valid_from:%d/%m/%Y} ({first.legal_basis})"
            if first is not None
            else ""
        )
    return Verdict(
        date=day, lon=float(row["lon"]), lat=float(row["lat"]), x=float(row["x"]),
        y=float(row["y"]), status=status, reason=reason, ort=ort,
        layers=layers if bool(row["valid"]) else (),
        not_in_force=tuple(x for x in cat if x not in in_force),
        uncertainty_m=uncertainty_m, geocode=geocode, citycode=citycode,
    )  # fmt: skip


def check_point(
    lon: float,
    lat: float,
    date: DateLike = None,
    catalog: Catalog | None = None,
    band_m: float | None = None,
    uncertainty_m: float = 0.0,
) -> Verdict:
    """Check one WGS84 point against the perimeters in force on ``date``.

    Parameters
    ----------
    lon, lat : float
        Longitude and latitude in WGS84 degrees.
    date : str or date, optional
        Date of the perimeters (default today).
    catalog : Catalog, optional
        Perimeter catalogue (default: the bundled one).
    band_m : float, optional
        Width of the ``limite`` band (default: layer accuracy + ``uncertainty_m``).
    uncertainty_m : float
        The point's own position uncertainty in metres.

    Returns
    -------
    Verdict

    Examples
    --------
    >>> v = check_point(2.833889, 50.429167, date="2024-06-01")  # église Saint-Léger
    >>> v.status, v.layer("opah-ru-lens").status
    ('dedans', 'dedans')
    >>> check_point(50.43, 2.83).reason
    'longitude et latitude inversées ?'
    """
    cat = catalog if catalog is not None else _catalog()
    day = parse_date(date)
    row = locate(([lon], [lat]), date=day, catalog=cat, band_m=band_m,
                 uncertainty_m=uncertainty_m).iloc[0]  # fmt: skip
    return verdict_from_row(row, cat, day, band_m=band_m, uncertainty_m=uncertainty_m)
