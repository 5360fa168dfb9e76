"""What the service asks the library: the only module of the service that calls it.

:class:`Lookup` holds the catalogue and the geocoder of one worker and answers the
questions of the API and of the page (a check by address, WGS84 point or Lambert-93
point, suggestions, a commune's status, the perimeters of a date, a batch). Answers are
plain JSON-ready dicts: ``Verdict.to_dict()`` plus ``explanation`` (its French text).
"""

from __future__ import annotations

import dataclasses
import datetime as _dt
import functools
import json
import re
import shutil
import tempfile
import time
from typing import Any

import numpy as np
import pandas as pd

import ortgeo
from ortgeo.address import assess_geocodes
from ortgeo.communes import LENS_INSEE
from ortgeo.crs import to_wgs84_lonlat
from ortgeo.dates import parse_date
from ortgeo.errors import NoSpaceError
from ortgeo.geocoders import (
    BanApiGeocoder,
    BanIndex,
    BanLocalGeocoder,
    Geocoder,
    GeocodeResult,
    RetryPolicy,
    find_ban_index,
)
from ortgeo.geocoders.vocabulary import DEPARTEMENTS, REGIONS
from ortgeo.output import scratch_folder, write_bytes
from ortgeo.service.cache import AnswerCache
from ortgeo.service.config import ServiceConfig
from ortgeo.service.errors import ApiError
from ortgeo.status import OrtSignature
from ortgeo.texts import acts_label

__all__ = ["DETAILS", "LENS_INSEE", "BanAnswer", "Lookup", "Question", "commune_status",
           "compact_answer", "json_bytes"]  # fmt: skip

#: The commune whose ORT the bundled catalogue describes.
_INSEE = re.compile(r"^(?:\d{5}|2[AB]\d{3})$")

#: A check as the cache keys it: ``(kind, address or lon, None or lat, date)``.
Question = tuple[str, Any, Any, _dt.date]
#: The forms of a check's answer (``detail=``): ``full``, ``Verdict.to_dict()`` and its
#: French ``explanation`` (the notes, acts, coverage and fingerprint written out, ~20 kB);
#: ``compact``, the point's own answer (statuses, distances, the one-line summary, ~2 kB)
#: whose full text is the same question asked with ``detail=full``.
DETAILS = ("full", "compact")


def _layer_compact(res: Any) -> dict[str, Any]:
    """A layer's (or the composite's) own answer: :meth:`LayerResult.to_dict`'s numbers."""
    return {
        "key": res.key, "status": str(res.status), "inside": bool(res.inside),
        "distance_m": _number(res.distance_m, 1), "band_m": _number(res.band_m, 1),
        "timing": res.timing or None, "decided_by": res.decided_by,
    }  # fmt: skip


def _number(value: float, digits: int) -> float | None:
    return round(float(value), digits) if value == value and abs(value) != float("inf") else None


def compact_answer(verdict: ortgeo.Verdict) -> dict[str, Any]:
    """The compact answer of a check: what the point itself gets — status, summary,
    coordinates, commune, coverage, the composite and each layer's status and distance
    — without the texts that are the same for every point of a commune on a date (notes,
    acts, coverage entry, fingerprint files, explanation): those are in the full answer.

    The values are those of :meth:`Verdict.to_dict` (same keys where they exist).

    Examples
    --------
    >>> v = ortgeo.check_point(2.833889, 50.429167, date="2024-06-01")
    >>> c = compact_answer(v)
    >>> c["status"], c["ort"]["decided_by"], c["commune"], c["detail"]
    ('dedans', 'lens-centre-ville', {'insee': '62498', 'name': 'Lens'}, 'compact')
    >>> c["summary"] == v.to_dict()["summary"]
    True
    """
    v = verdict
    catalog = v.state.catalog
    return {
        "date": v.date.isoformat(), "status": str(v.status), "inside": v.inside,
        "reason": v.reason, "summary": v.summary(),
        "point": {"lon": _number(v.lon, 7), "lat": _number(v.lat, 7), "x": _number(v.x, 2),
                  "y": _number(v.y, 2), "uncertainty_m": _number(v.uncertainty_m, 1)},
        "commune": {"insee": v.commune.insee, "name": v.commune.name}
        if v.commune is not None else None,
        "coverage": {"extent": v.extent},
        "data_status": v.state.data_status,
        "catalog": {"name": catalog.name, "version": catalog.version},
        "ort": _layer_compact(v.ort) if v.ort is not None else None,
        "layers": [_layer_compact(r) for r in v.layers],
        "geocode": {"label": v.geocode.label, "score": v.geocode.score}
        if v.geocode is not None else None,
        "detail": "compact",
    }  # fmt: skip


def commune_status(
    insee: str, date: _dt.date, catalog: ortgeo.Catalog, name: str | None = None
) -> dict[str, Any]:
    """A commune's ORT status on ``date`` (:func:`ortgeo.commune_status`), with the sectors of
    the catalogue in force there.

    ``ort`` is the commune's ORT status in the ANCT table, as in every answer
    (:class:`ortgeo.status.OrtSignature`: ``signee``… ``inconnu`` for a commune the table
    does not list — never "without ORT"); ``in_force`` whether it was signed on ``date``
    (None for a commune the table does not know).

    Examples
    --------
    >>> d = commune_status("62498", _dt.date(2024, 6, 1), ortgeo.catalog())
    >>> d["ort"], d["signed"], d["in_force"], [s["id"] for s in d["sectors"]][:1]
    ('signee', '2019-08-04', True, ['lens-centre-ville'])
    >>> commune_status("59350", _dt.date(2024, 6, 1), ortgeo.catalog())["ort"]
    'inconnu'
    """
    status = ortgeo.commune_status(insee)
    out = status.to_dict(date)
    state = ortgeo.on(date, catalog)
    here = [x for x in state.sectors if insee in (*x.communes, *x.communes_possible)]
    entry = state.coverage(insee)
    out.update({
        "name": status.name or name,
        "ort": str(OrtSignature(status.ort)),
        "signed": out["ort_signed_on"],
        "in_force": status.ort_signed(date) if status.known else None,
        "sectors": [{**x.to_dict(), "title": x.title, "legal_basis": acts_label(state.acts(x)),
                     "acts_in_force": [a.to_dict() for a in state.acts(x)],
                     "timing": str(state.timing(x))} for x in here],
        "coverage": entry.to_dict() if entry is not None else None,
        "sectors_missing": entry is None or entry.extent != "complete",
        "message": status.explain(date),
    })  # fmt: skip
    return out


def json_bytes(content: Any) -> bytes:
    """UTF-8 JSON exactly as the API's ``JSONResponse`` writes it (compact, no NaN).

    Examples
    --------
    >>> json_bytes({"commune": "Liévin", "distance_m": 12.5})
    b'{"commune":"Li\\xc3\\xa9vin","distance_m":12.5}'
    """
    return json.dumps(content, ensure_ascii=False, allow_nan=False, indent=None,
                      separators=(",", ":")).encode("utf-8")  # fmt: skip


def _insee_error() -> ApiError:
    return ApiError(
        422, "insee-invalide", "Code INSEE invalide : 5 caractères, par exemple 62498 pour Lens."
    )


def _day(value: str | None) -> _dt.date:
    day = parse_date(value)
    assert day is not None
    return day


def _finite(name: str, value: float) -> float:
    if not np.isfinite(value):
        raise ApiError(422, "coordonnees-invalides",
                       f"Coordonnée {name} invalide : donnez un nombre fini.")  # fmt: skip
    return float(value)


class Lookup:
    """The catalogue and geocoder of one worker, and the questions asked of them.

    Parameters
    ----------
    config : ServiceConfig

    Examples
    --------
    >>> lookup = Lookup(ServiceConfig(geocoder="api", ban_url="http://127.0.0.1:9"))
    >>> lookup.check_point(2.833889, 50.429167, "2024-06-01")["status"]
    'dedans'
    """

    def __init__(self, config: ServiceConfig) -> None:
        self.config = config
        self.catalog = ortgeo.catalog(config.catalog_path)
        self.geocoder = self._geocoder(config)
        self.index: BanIndex | None = (
            self.geocoder.index if isinstance(self.geocoder, BanLocalGeocoder) else None
        )
        self.answers = AnswerCache(config.cache_bytes)
        self._perimeters = functools.lru_cache(maxsize=64)(self._perimeters_uncached)
        #: The last full disk met by a batch (time.time(), message), for /health.
        self.disk_full: tuple[float, str] | None = None

    @staticmethod
    def _geocoder(config: ServiceConfig) -> Geocoder:
        index = config.ban_index or (find_ban_index() if config.geocoder != "api" else None)
        if config.geocoder != "api" and index is not None:
            return BanLocalGeocoder(index)
        if config.geocoder == "local":
            return ortgeo.get_geocoder("local")  # raises the library's "no index" message
        policy = RetryPolicy(max_retries=1, backoff=0.2, max_backoff=1.0, max_retry_after=2.0,
                             timeout=config.geocoder_timeout_s)  # fmt: skip
        return BanApiGeocoder(config.ban_url, policy=policy)

    # -- checks -----------------------------------------------------------------------
    # A check is asked in two steps: a *question* (validated inputs and the date, cheap,
    # on the event loop; it is the cache key) and its *answer* (the JSON body). The API
    # answers from the cache, or computes the answer on the event loop for a point or an
    # address on the offline index (pure CPU, about a millisecond, no I/O), or in a worker
    # thread for an address on the BAN API (it waits on the network); see
    # :func:`ortgeo.service.api.check_json`.
    def address_question(self, address: str, date: str | None = None) -> Question:
        """The question for an address (normalised spaces), refused when empty or too long."""
        text = " ".join(address.split())
        if not text:
            raise ApiError(422, "adresse-vide", "Adresse vide : tapez une adresse.")
        self._check_length(text)
        return ("address", text, None, _day(date))

    def point_question(self, lon: float, lat: float, date: str | None = None) -> Question:
        """The question for a WGS84 point (rounded to 1e-7 degree, about 1 cm)."""
        lon, lat = _finite("lon", lon), _finite("lat", lat)
        return ("point", round(lon, 7), round(lat, 7), _day(date))

    def xy_question(self, x: float, y: float, date: str | None = None) -> Question:
        """The question for a Lambert-93 point (EPSG:2154, metres), asked as its WGS84 point."""
        x, y = _finite("x", x), _finite("y", y)
        lon, lat = to_wgs84_lonlat(np.array([x]), np.array([y]))
        return self.point_question(float(lon[0]), float(lat[0]), date)

    def answer(self, question: Question, detail: str = "full") -> bytes:
        """The JSON body of the API for a question, in the form ``detail`` (:data:`DETAILS`;
        ``full``: ``Verdict.to_dict()`` + ``explanation``), from the cache or computed and
        kept."""
        key = question if detail == "full" else (*question, detail)
        body = self.answers.get(key)
        if body is None:
            body = (
                self._verdict(*question) if detail == "full" else self._verdict(*question, detail)
            )
            self.answers.put(key, body)
        return body

    def _verdict(self, kind: str, a: Any, b: Any, day: _dt.date, detail: str = "full") -> bytes:
        if kind == "address":
            verdict = ortgeo.check_address(a, date=day, geocoder=self.geocoder,
                                           catalog=self.catalog)  # fmt: skip
        else:
            verdict = ortgeo.check_point(a, b, date=day, catalog=self.catalog)
        if detail == "compact":
            return json_bytes(compact_answer(verdict))
        out = verdict.to_dict()
        out["explanation"] = verdict.explain()
        return json_bytes(out)

    def check_address(self, address: str, date: str | None = None) -> dict[str, Any]:
        """The verdict for an address (geocoded on the configured BAN geocoder)."""
        return dict(json.loads(self.answer(self.address_question(address, date))))

    def check_point(self, lon: float, lat: float, date: str | None = None) -> dict[str, Any]:
        """The verdict for a WGS84 point."""
        return dict(json.loads(self.answer(self.point_question(lon, lat, date))))

    def check_xy(self, x: float, y: float, date: str | None = None) -> dict[str, Any]:
        """The verdict for a Lambert-93 point (EPSG:2154, metres)."""
        return dict(json.loads(self.answer(self.xy_question(x, y, date))))

    def _check_length(self, text: str) -> None:
        limit = self.config.max_query_chars
        if len(text) > limit:
            message = f"Texte trop long ({len(text)} caractères) : {limit} au plus."
            raise ApiError(422, "texte-trop-long", message)

    # -- suggestions, communes, perimeters ------------------------------------------------
    def suggest(self, text: str, limit: int = 5) -> list[dict[str, Any]]:
        """Addresses for a text being typed: label, position, type, commune."""
        text = " ".join(text.split())
        self._check_length(text)
        if len(text) < 3:
            return []
        keep = ("label", "match_type", "housenumber", "street", "postcode", "citycode",
                "city", "lon", "lat", "score", "provider")  # fmt: skip
        return [
            {k: r.to_dict(candidates=False)[k] for k in keep}
            for r in self.geocoder.suggest(text, limit=limit)
            if r.ok
        ]

    def commune(self, insee: str, date: str | None = None) -> dict[str, Any]:
        """A commune's ORT status on a date (see :func:`commune_status`)."""
        code = insee.strip().upper()
        if not _INSEE.match(code):
            raise _insee_error()
        name = None
        if self.index is not None:
            communes = self.index.communes()
            hit = communes.loc[communes["citycode"] == code, "name"]
            name = str(hit.iloc[0]) if len(hit) else None
        return commune_status(code, _day(date), self.catalog, name)

    def _perimeters_uncached(self, day: _dt.date) -> bytes:
        gdf = ortgeo.perimeters(day, catalog=self.catalog)
        data = json.loads(gdf.to_json(drop_id=True, default=str))
        data["date"] = day.isoformat()
        data["crs"] = "EPSG:4326"
        return json.dumps(data, ensure_ascii=False).encode("utf-8")

    def perimeters(self, date: str | None = None) -> bytes:
        """GeoJSON (EPSG:4326, UTF-8 bytes) of the layers in force on a date."""
        return self._perimeters(_day(date))

    # -- batch ---------------------------------------------------------------------------
    def batch(self, raw: bytes, *, date: str | None = None, address_col: str | None = None,
              citycode: str | None = None, excel: bool = False) -> tuple[bytes, int]:  # fmt: skip
        """The ``ortgeo batch`` report (CSV bytes) of an uploaded CSV, and its row count.

        The upload and the report pass through a private temporary folder with fixed
        names (nothing a request sends names a file), written by :mod:`ortgeo.output`: a
        full disk is a :class:`~ortgeo.errors.NoSpaceError` (HTTP 507), also reported by
        :meth:`health`.
        """
        day = _day(date)
        if citycode is not None and not _INSEE.match(citycode.strip().upper()):
            raise _insee_error()
        try:
            with scratch_folder("ortgeo-batch-") as tmp:
                source = write_bytes(tmp / "adresses.csv", raw)
                table = ortgeo.read_table(source)
                if len(table) > self.config.max_rows:
                    raise ApiError(413, "trop-de-lignes",
                                   f"Fichier de {len(table)} lignes : {self.config.max_rows} au "
                                   "plus par envoi ; découpez-le.")  # fmt: skip
                report = ortgeo.check_addresses(
                    table, address_col or None, citycode=citycode or None, date=day,
                    geocoder=self.geocoder, catalog=self.catalog,
                )  # fmt: skip
                out = ortgeo.write_report(report, tmp / "rapport.csv", excel=excel)
                body = out.read_bytes()
        except NoSpaceError as exc:
            self.disk_full = (time.time(), str(exc))
            raise
        self.disk_full = None
        return body, len(report)

    def disk_problems(self) -> list[str]:
        """What /health says about the disk of uploads (French), ``[]`` when fine."""
        problems = []
        folder = tempfile.gettempdir()
        free = shutil.disk_usage(folder).free
        if free < 4 * self.config.max_upload_bytes:
            problems.append(
                f"espace disque faible pour les envois : {free / 1e6:.1f} Mo libres, "
                f"{4 * self.config.max_upload_bytes / 1e6:.1f} Mo nécessaires"
            )
        if self.disk_full is not None:
            when = _dt.datetime.fromtimestamp(self.disk_full[0]).isoformat(timespec="seconds")
            problems.append(f"disque plein lors du dernier fichier vérifié ({when})")
        return problems

    # -- the BAN API's own questions (asked by ortgeo.service.ban) ------------------------
    def ban_search(
        self,
        q: str,
        *,
        limit: int = 5,
        postcode: str | None = None,
        citycode: str | None = None,
        type: str | None = None,
        date: str | None = None,
    ) -> BanAnswer:
        """The addresses of a BAN ``/search`` (best first, at most ``limit``), each with its
        ORT answer on ``date``.

        Examples
        --------
        >>> from ortgeo.testing import synthetic_ban_index
        >>> lookup = Lookup(ServiceConfig(ban_index=str(synthetic_ban_index(n_rows=300))))
        >>> found = lookup.ban_search("3 rue de la gare lens", limit=1, date="2024-06-01")
        >>> found.results[0].label, found.ort[0]["status"]
        ('3 Rue de la Gare 62300 Lens', 'dedans')
        """
        self._check_length(q)
        day = _day(date)
        result = self.geocoder.geocode(
            q, citycode=citycode, postcode=postcode, type=type, limit=limit
        )
        found = [result, *result.candidates][:limit] if result.ok else []
        return BanAnswer(found, self._ort(found, day), day)

    def ban_reverse(self, lon: float, lat: float, *, date: str | None = None) -> BanAnswer:
        """The address nearest to a WGS84 point (a BAN ``/reverse``), with its ORT answer."""
        lon, lat = _finite("lon", lon), _finite("lat", lat)
        day = _day(date)
        result = self.geocoder.reverse(lon, lat)
        found = [result] if result.ok else []
        return BanAnswer(found, self._ort(found, day), day)

    def ban_search_csv(
        self,
        table: pd.DataFrame,
        *,
        columns: list[str],
        citycode_col: str | None = None,
        postcode_col: str | None = None,
        date: str | None = None,
    ) -> tuple[pd.DataFrame, _dt.date]:
        """The :func:`ortgeo.check_addresses` report of a BAN ``/search/csv`` upload (its
        ``columns`` joined into one address, as the BAN joins them), and the date."""
        if len(table) > self.config.max_rows:
            raise ApiError(413, "trop-de-lignes",
                           f"Fichier de {len(table)} lignes : {self.config.max_rows} au plus "
                           "par envoi ; découpez-le.")  # fmt: skip
        day = _day(date)
        report = ortgeo.check_addresses(
            table, columns=columns, citycode_col=citycode_col, postcode_col=postcode_col,
            date=day, geocoder=self.geocoder, catalog=self.catalog,
        )  # fmt: skip
        return report, day

    def _ort(self, results: list[GeocodeResult], day: _dt.date) -> list[dict[str, Any]]:
        """The ORT answer of each address found: status, deciding sector, reason."""
        if not results:
            return []
        frame = assess_geocodes(results, date=day, catalog=self.catalog, geocoder=self.geocoder)
        return [
            {"status": str(status), "sector": sector or None, "reason": reason or None}
            for status, sector, reason in zip(
                frame["status"], frame["ort_sector"], frame["reason"], strict=True
            )
        ]

    def ban_source(self) -> tuple[str, str]:
        """``(attribution, licence)`` of the addresses served, as the BAN writes them."""
        if self.index is not None and self.index.synthetic:
            return "ADRESSES SYNTHÉTIQUES (ortgeo.testing)", "ETALAB-2.0"
        if self.index is not None and self.index.meta.get("format") == "bano":
            return "BANO", "ODbL 1.0"
        return "BAN", "ETALAB-2.0"

    @staticmethod
    def ban_context(citycode: str | None) -> str | None:
        """The BAN ``context`` of a commune: département code, name and region.

        Examples
        --------
        >>> Lookup.ban_context("62498"), Lookup.ban_context("97105")
        ('62, Pas-de-Calais, Hauts-de-France', '971, Guadeloupe')
        """
        if not citycode:
            return None
        code = citycode[:3] if citycode.startswith("97") else citycode[:2]
        name = DEPARTEMENTS.get(code)
        if name is None:
            return code
        return ", ".join(x for x in (code, name, REGIONS.get(code)) if x)

    def health(self) -> dict[str, Any]:
        """What the worker runs on (no file path: nothing that helps an attacker)."""
        index = None
        if self.index is not None:
            stats = self.index.stats()
            index = {"addresses": stats["addresses"], "communes": stats["communes"],
                     "synthetic": self.index.synthetic}  # fmt: skip
        problems = self.disk_problems()
        return {
            "status": "degrade" if problems else "ok", "problems": problems,
            "version": ortgeo.__version__, "geocoder": self.geocoder.name,
            "ban_index": index, "catalog": self.catalog.name,
            "layers": [dataclasses.asdict(_LayerInfo.of(x)) for x in self.catalog],
        }  # fmt: skip


@dataclasses.dataclass(frozen=True)
class BanAnswer:
    """The addresses found for a BAN question, their ORT answers (one dict each:
    ``status``, ``sector``, ``reason``) and the date of those answers."""

    results: list[GeocodeResult]
    ort: list[dict[str, Any]]
    date: _dt.date


@dataclasses.dataclass(frozen=True)
class _LayerInfo:
    id: str
    kind: str
    status: str
    valid_from: str
    valid_to: str | None

    @classmethod
    def of(cls, layer: ortgeo.Layer) -> _LayerInfo:
        return cls(layer.id, layer.kind, layer.status, layer.valid_from.isoformat(),
                   layer.valid_to.isoformat() if layer.valid_to else None)  # fmt: skip
