"""Check addresses: geocode on the BAN, then locate, with no verdict from a weak geocode.

A geocoded address is only as good as its match. :func:`assess_geocodes` turns geocoding
results into verdicts and says ``indetermine`` (with the reason and the candidates) when:

- the address is not found, or found only as a locality or a municipality;
- the number is missing or unknown (a ``street`` match) and the street does not lie
  wholly on one side of every limit;
- the score is low;
- a runner-up with a close score lies on the other side of a limit.

The match type also widens the uncertainty band: a house number is known to
± 15 m, a street's representative point to ± 500 m.
"""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

import numpy as np

from ortgeo.catalog import Catalog
from ortgeo.dates import DateLike
from ortgeo.geocoders import get_geocoder
from ortgeo.geocoders.ban_local import BanLocalGeocoder
from ortgeo.geocoders.base import Geocoder
from ortgeo.geocoders.result import GeocodeResult
from ortgeo.inforce import PerimetersInForce, on
from ortgeo.locate import (
    DATE_INCERTAINE,
    DEDANS,
    DEHORS,
    LIMITE,
    SANS_ORT,
    STATUSES,
    Located,
    locate,
    located,
    located_point,
)
from ortgeo.texts import note
from ortgeo.verdict import ERREUR, INDETERMINE, Verdict, undetermined_reason, verdict_from_row

if TYPE_CHECKING:
    import pandas as pd

__all__ = [
    "MATCH_UNCERTAINTY_M",
    "MIN_SCORE",
    "RUNNER_UP_MARGIN",
    "assess_geocodes",
    "check_address",
    "resolve_geocoder",
    "synthetic_index",
]

#: Position uncertainty (m) by match type, added to the layers' accuracy in the band.
MATCH_UNCERTAINTY_M = {"housenumber": 15.0, "street": 500.0, "locality": 500.0,
                       "municipality": 3000.0}  # fmt: skip
#: Below this score a match is not trusted.
MIN_SCORE = 0.6
#: A runner-up within this score of the best match is a plausible alternative.
RUNNER_UP_MARGIN = 0.05

_FIRM = (DEDANS, DEHORS, SANS_ORT, DATE_INCERTAINE)
#: Match types too coarse for an answer (the reason names them).
_COARSE = ("locality", "municipality")


def resolve_geocoder(
    geocoder: Geocoder | str | None = None, ban_index: Any = None, base_url: str | None = None
) -> Geocoder:
    """A geocoder object from ``None`` (auto), ``"api"``, ``"local"``, ``"auto"`` or an object.

    Examples
    --------
    >>> resolve_geocoder("api", base_url="http://127.0.0.1:1").name
    'ban-api'
    """
    if isinstance(geocoder, Geocoder):
        return geocoder
    return get_geocoder(geocoder or "auto", ban_index=ban_index, base_url=base_url)


def _one_side(frame: pd.DataFrame, sizes: Sequence[int]) -> list[str | None]:
    """For consecutive groups of ``sizes`` points (the streets): the common ORT status when
    every point is firmly on the same side of every limit, else None (whole columns)."""
    import pandas as pd

    starts = np.cumsum([0, *sizes[:-1]])
    same = np.ones(len(sizes), dtype=bool)
    for col in [c for c in frame.columns if c.endswith("_status")]:
        codes, kinds = pd.factorize(frame[col])
        same &= np.minimum.reduceat(codes, starts) == np.maximum.reduceat(codes, starts)
        same &= (codes[starts] >= 0) & np.isin(kinds[np.maximum(codes[starts], 0)], _FIRM)
    first = frame["ort_status"].to_numpy()[starts]
    return [str(v) if ok else None for v, ok in zip(first, same, strict=True)]


def assess_geocodes(
    results: Sequence[GeocodeResult],
    date: DateLike = None,
    catalog: Catalog | None = None,
    geocoder: Geocoder | None = None,
    min_score: float = MIN_SCORE,
    margin: float = RUNNER_UP_MARGIN,
    *,
    perimeters: PerimetersInForce | None = None,
    band_m: float | None = None,
) -> pd.DataFrame:
    """Verdicts for geocoding results: :func:`ortgeo.locate` columns plus ``status``,
    ``reason`` (French) and ``uncertainty_m``, one row per result, in order.

    Parameters
    ----------
    results : sequence of GeocodeResult
    date, catalog
        As in :func:`ortgeo.locate`.
    geocoder : Geocoder, optional
        The geocoder that produced the results; with an offline index, a street match
        is tested on every numbered address of the street.
    min_score : float
        Scores below it give ``indetermine``.
    margin : float
        Candidates within ``margin`` of the best score are plausible alternatives.
    perimeters : PerimetersInForce, optional
        What is in force (from :func:`ortgeo.on`), instead of ``date`` and ``catalog``.
    band_m : float, optional
        Width of the ``limite`` band in metres (default: each layer's accuracy plus the
        match type's uncertainty).
    """
    state = perimeters if perimeters is not None else on(date, catalog)
    return _assessed(results, state, geocoder, min_score, margin, band_m).frame()


def _assessed(
    results: Sequence[GeocodeResult],
    state: PerimetersInForce,
    geocoder: Geocoder | None,
    min_score: float,
    margin: float,
    band_m: float | None = None,
) -> Located:
    """:func:`assess_geocodes` as plain arrays, in one call per kind of point (many results;
    one address goes through :func:`_assessed_one`, the same rules point by point)."""
    ok = np.array([r.ok and r.lon is not None for r in results], dtype=bool)
    lon = np.array([r.lon if o else np.nan for r, o in zip(results, ok, strict=True)], float)
    lat = np.array([r.lat if o else np.nan for r, o in zip(results, ok, strict=True)], float)
    unc = np.array([MATCH_UNCERTAINTY_M.get(r.match_type or "", 0.0) for r in results], float)
    codes = [r.citycode if o else None for r, o in zip(results, ok, strict=True)]
    found = located((lon, lat), perimeters=state, band_m=band_m, uncertainty_m=unc,
                    citycode=codes)  # fmt: skip
    status = np.array(STATUSES, dtype=object)[found.columns["ort_status"]]
    reason = found.columns["reason"].copy()

    # Plausible alternatives (close runner-up) and whole streets, located in one call each.
    alt_rows, alt_lon, alt_lat = [], [], []
    street_rows: dict[int, tuple[np.ndarray, np.ndarray]] = {}
    local = geocoder if isinstance(geocoder, BanLocalGeocoder) else None
    for i, r in enumerate(results):
        if not ok[i]:
            continue
        for c in r.candidates:
            if (
                c.lon is not None
                and c.score >= r.score - margin
                and (c.lon, c.lat) != (r.lon, r.lat)
            ):
                alt_rows.append(i)
                alt_lon.append(c.lon)
                alt_lat.append(c.lat)
        if r.match_type == "street" and local is not None and r.id and r.citycode:
            pts = local.street_points(r.citycode, r.id)
            if pts is not None:
                street_rows[i] = pts
    alt = (
        locate((np.array(alt_lon), np.array(alt_lat)), perimeters=state, band_m=band_m,
               uncertainty_m=MATCH_UNCERTAINTY_M["housenumber"])
        if alt_rows else None
    )  # fmt: skip
    alt_of: dict[int, list[int]] = {}
    for j, row in enumerate(alt_rows):
        alt_of.setdefault(row, []).append(j)
    alt_status = alt["ort_status"].astype(str).to_numpy() if alt is not None else None
    street_side: dict[int, tuple[str | None, int]] = {}
    if street_rows:
        rows = list(street_rows)
        sizes = [len(street_rows[i][0]) for i in rows]
        all_pts = locate(
            (np.concatenate([street_rows[i][0] for i in rows]),
             np.concatenate([street_rows[i][1] for i in rows])),
            perimeters=state, band_m=band_m, uncertainty_m=MATCH_UNCERTAINTY_M["housenumber"],
        )  # fmt: skip
        sides = _one_side(all_pts, sizes)
        street_side = {i: (side, size) for i, side, size in zip(rows, sides, sizes, strict=True)}

    for i, r in enumerate(results):
        mine = alt_of.get(i)  # keyed: the old scan of every alternative was quadratic
        status[i], reason[i] = _decided(
            r, bool(ok[i]), status[i], reason[i], street_side.get(i, (None, 0)),
            alt_status[mine] if mine and alt_status is not None else (), min_score,
        )  # fmt: skip
    status = np.array([str(s) for s in status], dtype=object)
    said: dict[str | None, str] = {}  # where ortgeo's knowledge ends, once per commune
    for i in np.flatnonzero((status == str(INDETERMINE)) & (reason == "")).tolist():
        code = found.columns["commune"][i]
        if code not in said:
            said[code] = undetermined_reason(state, code)
        reason[i] = said[code]
    columns = {**found.columns, "status": status, "reason": reason, "uncertainty_m": unc}
    return dataclasses.replace(found, columns=columns)


def _decided(
    r: GeocodeResult,
    ok: bool,
    status: Any,
    reason: str,
    street: tuple[str | None, int],
    alternatives: Sequence[str] | np.ndarray,
    min_score: float,
) -> tuple[Any, str]:
    """The status and reason of one geocoded address (the rules of the module docstring),
    from where its point lies (``status``, ``reason``), where its whole street lies
    (``street``: the common status, or None, and how many numbered points) and where its
    close runner-ups lie (``alternatives``: their ORT statuses)."""

    def why(case: str, **context: Any) -> str:
        return note("geocode_reason", case=case, r=r, **context)

    if r.status == "error":
        status, reason = ERREUR, why("error")
    elif not ok:
        status = INDETERMINE
        reason = why("not-found", near=tuple(c.label for c in r.candidates[:3] if c.label))
    elif r.match_type is None:  # a type the BAN added since: how precise is unknown
        status, reason = INDETERMINE, why("unknown-type")
    elif r.match_type in _COARSE:
        status, reason = INDETERMINE, why(r.match_type)
    elif r.score < min_score:
        status, reason = INDETERMINE, why("low-score", min_score=min_score)
    elif r.match_type == "street":
        side, size = street
        if side is not None:
            status, reason = side, why("street-one-side", size=size)
        elif size:
            status, reason = INDETERMINE, why("street-crosses")
        elif status in _FIRM:
            reason = why("street-far", street_m=MATCH_UNCERTAINTY_M["street"])
        else:
            status, reason = INDETERMINE, why("street-near")
    if len(alternatives) and status in (*_FIRM, LIMITE) and set(alternatives) != {str(status)}:
        status = INDETERMINE
        reason = why("ambiguous", other=r.candidates[0].label)
    return status, reason


def _assessed_one(
    r: GeocodeResult,
    state: PerimetersInForce,
    geocoder: Geocoder | None,
    min_score: float,
    margin: float,
    band_m: float | None = None,
) -> dict[str, Any]:
    """Row 0 of :func:`_assessed` for one result, point by point with
    :func:`ortgeo.locate.located_point` (the scalar path: no table, no pandas)."""
    ok = r.ok and r.lon is not None
    unc = MATCH_UNCERTAINTY_M.get(r.match_type or "", 0.0)
    nan = math.nan
    lon = r.lon if ok and r.lon is not None else nan
    lat = r.lat if ok and r.lat is not None else nan
    row = located_point(lon, lat, state, band_m, unc, citycode=r.citycode if ok else None)
    near = MATCH_UNCERTAINTY_M["housenumber"]
    alternatives = [
        located_point(c.lon, nan if c.lat is None else c.lat, state, band_m, near)["ort_status"]
        for c in r.candidates
        if ok and c.lon is not None and c.score >= r.score - margin
        and (c.lon, c.lat) != (r.lon, r.lat)
    ]  # fmt: skip
    street: tuple[str | None, int] = (None, 0)
    local = geocoder if isinstance(geocoder, BanLocalGeocoder) else None
    if ok and r.match_type == "street" and local is not None and r.id and r.citycode:
        pts = local.street_points(r.citycode, r.id)
        if pts is not None:
            rows = [located_point(a, b, state, band_m, near) for a, b in zip(*pts, strict=True)]
            keys = [k for k in rows[0] if k.endswith("_status")]
            same = all(rows[0][k] in _FIRM and all(x[k] == rows[0][k] for x in rows)
                       for k in keys)  # fmt: skip
            street = (str(rows[0]["ort_status"]) if same else None, len(rows))
    status, reason = _decided(r, ok, row["ort_status"], row["reason"], street, alternatives,
                              min_score)  # fmt: skip
    status = str(status)
    if status == str(INDETERMINE) and reason == "":
        reason = undetermined_reason(state, row["commune"])
    return {**row, "status": status, "reason": reason, "uncertainty_m": unc}


def check_address(
    address: str,
    date: DateLike = None,
    geocoder: Geocoder | str | None = None,
    catalog: Catalog | None = None,
    *,
    citycode: str | None = None,
    postcode: str | None = None,
    ban_index: Any = None,
    band_m: float | None = None,
) -> Verdict:
    """Geocode an address on the BAN and check it against the perimeters in force on ``date``.

    Parameters
    ----------
    address : str
        Free text, e.g. ``"43 rue de la Gare, 62300 Lens"``.
    date : str or date, optional
        Date of the perimeters (default today).
    geocoder : Geocoder or {"auto", "api", "local"}, optional
        Default ``"auto"``: the offline index when one is found, else the BAN API.
    catalog : Catalog, optional
        Perimeter catalogue (default: the bundled one).
    citycode, postcode : str, optional
        Restrict the search to a commune (INSEE code) or a postcode.
    ban_index : str or Path, optional
        Offline BAN index for ``geocoder="local"``/``"auto"``.
    band_m : float, optional
        Width of the ``limite`` band in metres (default: each layer's accuracy plus the
        uncertainty of the match type).

    Returns
    -------
    Verdict
        With the geocoding in ``verdict.geocode``; ``status`` is ``indetermine`` for a weak
        geocode (see the module docstring).

    Raises
    ------
    GeocoderError
        The geocoding service cannot be reached or fails.

    Examples
    --------
    Offline, on an index built from a SYNTHETIC BAN export (made-up addresses):

    >>> import tempfile
    >>> from pathlib import Path
    >>> from ortgeo.geocoders import build_ban_index
    >>> from ortgeo.testing import write_synthetic_ban_export
    >>> tmp = Path(tempfile.mkdtemp())
    >>> ban = write_synthetic_ban_export(tmp / "adresses.csv.gz", n_rows=300)
    >>> index = build_ban_index(ban, tmp / "ban.sqlite", progress=False)
    >>> v = check_address("1 place Jean Jaurès, Lens", "2024-06-01", "local", ban_index=index)
    >>> v.status, v.geocode.label
    ('dedans', '1 Place Jean Jaurès 62300 Lens')
    >>> check_address("Lens", "2024-06-01", "local", ban_index=index).status
    'indetermine'
    """
    coder = resolve_geocoder(geocoder, ban_index=ban_index)
    result = coder.geocode(address, citycode=citycode, postcode=postcode)
    state = on(date, catalog)
    row = _assessed_one(result, state, coder, MIN_SCORE, RUNNER_UP_MARGIN, band_m)
    return verdict_from_row(
        row, state, band_m=band_m, uncertainty_m=float(row["uncertainty_m"]), geocode=result,
        citycode=result.citycode, synthetic_addresses=synthetic_index(coder),
    )  # fmt: skip


def synthetic_index(geocoder: Geocoder) -> bool:
    """Whether ``geocoder`` answers from an offline index built from SYNTHETIC addresses.

    Examples
    --------
    >>> from ortgeo.testing import synthetic_ban_index
    >>> synthetic_index(resolve_geocoder("local", ban_index=synthetic_ban_index(n_rows=300)))
    True
    >>> synthetic_index(resolve_geocoder("api", base_url="http://127.0.0.1:1"))
    False
    """
    return isinstance(geocoder, BanLocalGeocoder) and bool(geocoder.index.synthetic)
