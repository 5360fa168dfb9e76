"""The geocoding result type, shared by every provider.

Every provider (the BAN web API, the offline BAN index) returns the same
:class:`GeocodeResult`, so that callers never depend on where an answer came from.
"""

from __future__ import annotations

import dataclasses
import math
from typing import Any

import numpy as np

from ortgeo.crs import to_l93_xy

__all__ = [
    "MATCH_TYPES",
    "PROVIDERS",
    "STATUSES",
    "GeocodeResult",
    "as_float",
    "error_result",
    "format_label",
]

STATUSES = ("ok", "not-found", "error")
MATCH_TYPES = ("housenumber", "street", "locality", "municipality")
PROVIDERS = ("ban-api", "ban-local")


@dataclasses.dataclass(frozen=True)
class GeocodeResult:
    """The answer of a geocoder to one query (same type for every provider).

    Attributes
    ----------
    query : str
        The text that was geocoded.
    status : {"ok", "not-found", "error"}
        ``"error"`` when the service failed for this query (see ``error``).
    label : str or None
        Full label of the match, e.g. ``"17 Rue de la Gare 62300 Lens"``.
    score : float
        Match quality in [0, 1] (0 when not found). Scores rank the candidates of one
        query; they are not comparable across providers.
    score_next : float or None
        The runner-up's score, to spot ambiguous answers.
    match_type : {"housenumber", "street", "locality", "municipality"} or None
        What was matched. ``"street"`` for a query with a number means the number was
        not found and the point is the street's representative point (see ``note``).
    housenumber, street, postcode, citycode, city, id : str or None
        Parts of the match; ``housenumber`` includes its suffix (``"17bis"``).
    lon, lat : float or None
        WGS84 position.
    x, y : float or None
        Lambert-93 position (EPSG:2154).
    provider : {"ban-api", "ban-local"}
    candidates : tuple of GeocodeResult
        Up to 5 alternatives, best first (may be empty).
    error : str or None
        The error message when ``status == "error"``.
    note : str or None
        A remark on the match (number not found, suffix ignored...).

    Examples
    --------
    >>> r = GeocodeResult("rue X", "not-found", provider="ban-local")
    >>> r.ok, r.to_dict()["status"], r.to_dict()["candidates"]
    (False, 'not-found', [])
    """

    query: str
    status: str
    label: str | None = None
    score: float = 0.0
    score_next: float | None = None
    match_type: str | None = None
    housenumber: str | None = None
    street: str | None = None
    postcode: str | None = None
    citycode: str | None = None
    city: str | None = None
    id: str | None = None
    lon: float | None = None
    lat: float | None = None
    x: float | None = None
    y: float | None = None
    provider: str = "ban-api"
    candidates: tuple[GeocodeResult, ...] = ()
    error: str | None = None
    note: str | None = None

    def __post_init__(self) -> None:
        if self.status not in STATUSES:
            raise ValueError(f"status must be one of {STATUSES}, not {self.status!r}")
        if self.match_type is not None and self.match_type not in MATCH_TYPES:
            raise ValueError(f"match_type must be one of {MATCH_TYPES}, not {self.match_type!r}")
        if self.x is None and self.lon is not None and self.lat is not None:
            x, y = to_l93_xy(np.array([self.lon]), np.array([self.lat]))
            object.__setattr__(self, "x", round(float(x[0]), 2))
            object.__setattr__(self, "y", round(float(y[0]), 2))

    @property
    def ok(self) -> bool:
        """Whether a position was found."""
        return self.status == "ok"

    def to_dict(self, candidates: bool = True) -> dict[str, Any]:
        """JSON-ready dict (``candidates`` as a list of dicts without their own candidates)."""
        out = {f.name: getattr(self, f.name) for f in dataclasses.fields(self)}
        out["candidates"] = (
            [c.to_dict(candidates=False) for c in self.candidates] if candidates else []
        )
        return out

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> GeocodeResult:
        """Rebuild a result from :meth:`to_dict` output (used by the cache)."""
        names = {f.name for f in dataclasses.fields(cls)}
        kwargs = {k: v for k, v in data.items() if k in names}
        kwargs["candidates"] = tuple(cls.from_dict(c) for c in data.get("candidates") or ())
        return cls(**kwargs)

    @classmethod
    def _from_fields(cls, fields: dict[str, Any]) -> GeocodeResult:
        """A result from a provider's own fields, already valid and with ``x``/``y`` set.

        Skips the checks of ``__post_init__`` and the one-by-one frozen assignments of
        ``__init__`` (a batch builds several results per row); the result is equal to
        ``GeocodeResult(**fields)``. Fields without ``x`` go through ``__init__``.
        """
        if fields.get("x") is None and fields.get("lon") is not None:
            return cls(**fields)
        obj = object.__new__(cls)
        obj.__dict__.update(_DEFAULTS)
        obj.__dict__.update(fields)
        return obj

    def replace(self, **changes: Any) -> GeocodeResult:
        """A copy with some fields changed."""
        return dataclasses.replace(self, **changes)


#: Default value of every field but the two required ones (``query``, ``status``).
_DEFAULTS = {
    f.name: f.default
    for f in dataclasses.fields(GeocodeResult)
    if f.name not in ("query", "status")
}


def error_result(query: str, provider: str, message: str) -> GeocodeResult:
    """A ``status="error"`` result carrying ``message``."""
    return GeocodeResult(query=query, status="error", provider=provider, error=message)


def as_float(value: Any) -> float | None:
    """``float(value)``, or None for empty, missing or non-finite values.

    Examples
    --------
    >>> as_float("0.5"), as_float(""), as_float(float("nan"))
    (0.5, None, None)
    """
    if value is None or value == "":
        return None
    try:
        f = float(value)
    except (TypeError, ValueError):
        return None
    return f if math.isfinite(f) else None


def format_label(
    numero: int | str | None, rep: str | None, street: str, postcode: str | None, city: str
) -> str:
    """The BAN label of an address: ``"17bis Rue de la Gare 62300 Lens"``.

    Examples
    --------
    >>> format_label(17, "bis", "Rue de la Gare", "62300", "Lens")
    '17bis Rue de la Gare 62300 Lens'
    >>> format_label(None, "", "Rue de Paris", "62300", "Lens")
    'Rue de Paris 62300 Lens'
    """
    number = f"{numero}{rep or ''} " if numero not in (None, "") else ""
    return " ".join(f"{number}{street} {postcode or ''} {city}".split())
