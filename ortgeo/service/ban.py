"""The BAN API's own endpoints, under ``/ban``: what every tool that speaks to the BAN
(geopy's ``BANFrance``, scripts written for ``/search/csv``, QGIS plugins) can ask an ortgeo
service, offline, with the ORT answer added.

* ``GET /ban/search?q=…`` — ``limit``, ``postcode``, ``citycode``, ``type``
  (``housenumber``, ``street``, ``locality``, ``municipality``), ``lat``/``lon`` and
  ``autocomplete`` (accepted; the offline geocoder does not rank by them);
* ``GET /ban/reverse?lat=…&lon=…`` — the nearest address (``limit`` up to 1);
* ``POST /ban/search/csv`` — multipart ``data`` (the CSV), repeated ``columns=`` (joined,
  in that order, into the address; all columns when none), ``postcode=``/``citycode=``
  naming a column, repeated ``result_columns=`` (the result columns wanted), ``delimiter``.

The answers have the BAN's shape: a GeoJSON ``FeatureCollection`` whose features carry
``label``, ``score``, ``housenumber``, ``id``, ``name``, ``postcode``, ``citycode``, ``x``,
``y``, ``city``, ``context``, ``type``, ``street`` (``distance`` for ``/reverse``); a CSV with
the input columns then ``longitude``, ``latitude`` and the ``result_*`` columns of the
Géoplateforme, ``result_status`` (``ok``, ``not-found``, ``skipped``, ``error``) last of them.
Added: the ORT answer on ``date`` (a parameter of ours, default today) — properties
``ort_status``, ``ort_sector`` (the sector that decides), ``ort_date`` and ``ort_reason``;
columns ``result_ort_status``, ``result_ort_sector``, ``result_ort_date``,
``result_ort_reason``. ``ort_status`` is ortgeo's verdict (``dedans``, ``dehors``, ``limite``,
``indetermine``...): a weak match gets ``indetermine``, never a guess.

Everything the library answers comes through :class:`~ortgeo.service.lookup.Lookup`; the
service's limits (rate, body size, time) and security headers apply here too. Refusals are
the service's JSON errors, with HTTP 400 where the BAN answers 400.
"""

from __future__ import annotations

import csv
import io
import math
from typing import Annotated, Any

import pandas as pd
from fastapi import APIRouter, Query, Request
from fastapi.responses import JSONResponse, Response

from ortgeo.service.errors import ApiError
from ortgeo.service.lookup import BanAnswer, Lookup

__all__ = ["CSV_RESULT_COLUMNS", "router"]

router = APIRouter(prefix="/ban", tags=["API de la BAN"])

_TYPES = ("housenumber", "street", "locality", "municipality")
#: The result columns of the BAN's ``/search/csv`` (Géoplateforme), in its order, then ours.
CSV_RESULT_COLUMNS = (
    "longitude", "latitude", "result_score", "result_score_next", "result_label",
    "result_type", "result_id", "result_banId", "result_housenumber", "result_name",
    "result_street", "result_postcode", "result_city", "result_context", "result_citycode",
    "result_oldcitycode", "result_oldcity", "result_district", "result_status",
    "result_ort_status", "result_ort_sector", "result_ort_date", "result_ort_reason",
)  # fmt: skip
_DATE_HELP = "Date de la réponse ORT, AAAA-MM-JJ (défaut : aujourd'hui) ; propre à ortgeo."


def _lookup(request: Request) -> Lookup:
    lookup: Lookup = request.app.state.lookup
    return lookup


def _bad(message: str) -> ApiError:
    return ApiError(400, "parametre-invalide", message)


def _type(value: str | None) -> str | None:
    if value in (None, ""):
        return None
    if value not in _TYPES:
        raise _bad(f"type inconnu {value!r} : {', '.join(_TYPES)}.")
    return value


def _code(value: str | None, name: str) -> str | None:
    if value in (None, ""):
        return None
    text = str(value).strip()
    if not (len(text) == 5 and text[:2].isalnum() and text[2:].isdigit()):
        raise _bad(f"{name} invalide {value!r} : 5 caractères, par exemple 62300.")
    return text


def _name(result: Any) -> str | None:
    """The BAN ``name``: ``"12 Rue X"`` for an address, the street, or the place."""
    if result.match_type == "housenumber" and result.housenumber:
        return f"{result.housenumber} {result.street}"
    return result.street or result.city


def properties(lookup: Lookup, result: Any, ort: dict[str, Any], day: Any) -> dict[str, Any]:
    """The BAN properties of one address found, with its ORT answer.

    Examples
    --------
    >>> from ortgeo.geocoders import GeocodeResult
    >>> from ortgeo.service.config import ServiceConfig
    >>> lookup = Lookup(ServiceConfig(geocoder="api", ban_url="http://127.0.0.1:9"))
    >>> r = GeocodeResult("q", "ok", label="3 Rue X 62300 Lens", score=0.9, match_type=
    ...                   "housenumber", housenumber="3", street="Rue X", postcode="62300",
    ...                   citycode="62498", city="Lens", id="62498_0001_00003", lon=2.8, lat=50.4)
    >>> p = properties(lookup, r, {"status": "dehors", "sector": None, "reason": None},
    ...                "2024-06-01")
    >>> p["name"], p["context"], p["type"], p["ort_status"]
    ('3 Rue X', '62, Pas-de-Calais, Hauts-de-France', 'housenumber', 'dehors')
    """
    props: dict[str, Any] = {"label": result.label, "score": result.score}
    if result.match_type == "housenumber" and result.housenumber:
        props["housenumber"] = result.housenumber
    props.update({
        "id": result.id, "name": _name(result), "postcode": result.postcode,
        "citycode": result.citycode, "x": result.x, "y": result.y, "city": result.city,
        "context": lookup.ban_context(result.citycode), "type": result.match_type,
    })  # fmt: skip
    if result.street and result.match_type in ("housenumber", "street"):
        props["street"] = result.street
    props.update({
        "ort_status": ort["status"], "ort_sector": ort["sector"], "ort_date": str(day),
        "ort_reason": ort["reason"],
    })  # fmt: skip
    return props


def feature_collection(
    lookup: Lookup,
    answer: BanAnswer,
    extra: dict[str, Any],
    distance_to: tuple[float, float] | None = None,
) -> dict[str, Any]:
    """The BAN's GeoJSON answer (``extra``: ``query``, ``filters``, ``limit``...)."""
    features = []
    for result, ort in zip(answer.results, answer.ort, strict=True):
        props = properties(lookup, result, ort, answer.date)
        if distance_to is not None and result.lon is not None and result.lat is not None:
            props["distance"] = _metres(distance_to, (result.lon, result.lat))
        point = {"type": "Point", "coordinates": [result.lon, result.lat]}
        features.append({"type": "Feature", "geometry": point, "properties": props})
    attribution, licence = lookup.ban_source()
    return {"type": "FeatureCollection", "version": "draft", "features": features,
            "attribution": attribution, "licence": licence, **extra}  # fmt: skip


def _metres(a: tuple[float, float], b: tuple[float, float]) -> int:
    """Great-circle distance in whole metres between two (lon, lat) points."""
    lon1, lat1, lon2, lat2 = map(math.radians, (*a, *b))
    h = (math.sin((lat2 - lat1) / 2) ** 2
         + math.cos(lat1) * math.cos(lat2) * math.sin((lon2 - lon1) / 2) ** 2)  # fmt: skip
    return round(2 * 6_371_008.8 * math.asin(math.sqrt(h)))


@router.get("/search", summary="Géocoder une adresse (API de la BAN, réponse ORT ajoutée)")
async def search(
    request: Request,
    q: Annotated[str, Query(description="Adresse en texte libre.", max_length=1000)],
    limit: Annotated[int, Query(ge=1, le=20, description="Nombre de résultats.")] = 5,
    postcode: Annotated[str | None, Query(max_length=10)] = None,
    citycode: Annotated[str | None, Query(max_length=10)] = None,
    type: Annotated[str | None, Query(max_length=20, description=" | ".join(_TYPES))] = None,
    lat: Annotated[float | None, Query(description="Accepté (pas de tri par distance).")] = None,
    lon: Annotated[float | None, Query(description="Accepté (pas de tri par distance).")] = None,
    autocomplete: Annotated[int | None, Query(ge=0, le=1)] = None,
    date: Annotated[str | None, Query(description=_DATE_HELP, max_length=10)] = None,
) -> JSONResponse:
    """The BAN's ``/search``: a GeoJSON FeatureCollection of the addresses found, best
    first, each with its ORT answer (``ort_status``, ``ort_sector``, ``ort_date``)."""
    text = " ".join(q.split())
    if len(text) < 3 or not text[0].isalnum():
        raise _bad("q doit contenir au moins 3 caractères et commencer par un chiffre ou une "
                   "lettre.")  # fmt: skip
    filters = {k: v for k, v in (("citycode", _code(citycode, "citycode")),
               ("postcode", _code(postcode, "postcode")), ("type", _type(type))) if v}  # fmt: skip
    lookup = _lookup(request)
    answer = await request.app.state.worker.run(
        lambda: lookup.ban_search(text, limit=limit, date=date, **filters),
        timeout=lookup.config.request_timeout_s,
    )
    extra: dict[str, Any] = {"query": q}
    if filters:
        extra["filters"] = filters
    extra["limit"] = limit
    return JSONResponse(feature_collection(lookup, answer, extra))


@router.get("/reverse", summary="L'adresse la plus proche d'un point (API de la BAN)")
async def reverse(
    request: Request,
    lat: Annotated[float, Query(description="Latitude WGS84.")],
    lon: Annotated[float, Query(description="Longitude WGS84.")],
    limit: Annotated[int, Query(ge=1, le=20, description="Au plus 1 adresse ici.")] = 1,
    type: Annotated[str | None, Query(max_length=20)] = None,
    date: Annotated[str | None, Query(description=_DATE_HELP, max_length=10)] = None,
) -> JSONResponse:
    """The BAN's ``/reverse``: the nearest address (``distance`` in metres), with its ORT
    answer."""
    wanted = _type(type)
    if not (-180 <= lon <= 180 and -90 <= lat <= 90):
        raise _bad("lat/lon hors des bornes WGS84.")
    lookup = _lookup(request)
    answer = await request.app.state.worker.run(
        lambda: lookup.ban_reverse(lon, lat, date=date), timeout=lookup.config.request_timeout_s
    )
    if wanted is not None:
        keep = [i for i, r in enumerate(answer.results) if r.match_type == wanted]
        answer = BanAnswer([answer.results[i] for i in keep], [answer.ort[i] for i in keep],
                           answer.date)  # fmt: skip
    extra = {"filters": {"type": wanted}} if wanted else {}
    return JSONResponse(feature_collection(lookup, answer, {**extra, "limit": limit},
                                           distance_to=(lon, lat)))  # fmt: skip


def _read_csv(raw: bytes, delimiter: str | None) -> tuple[pd.DataFrame, str]:
    """The uploaded CSV as text columns, and its delimiter (sniffed, as the BAN does)."""
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        text = raw.decode("cp1252", errors="replace")
    if not text.strip():
        raise ApiError(400, "fichier-vide", "Fichier vide : une ligne d'en-tête et des adresses.")
    sep = delimiter
    if not sep:
        try:
            sep = csv.Sniffer().sniff(text.splitlines()[0], delimiters=",;\t|").delimiter
        except csv.Error:
            sep = ","
    rows = list(csv.reader(io.StringIO(text), delimiter=sep))
    header, body = rows[0], [r for r in rows[1:] if any(c.strip() for c in r)]
    if not body:
        raise ApiError(400, "fichier-vide", "Aucune ligne d'adresse sous l'en-tête.")
    if len(set(header)) != len(header):
        raise _bad("Noms de colonnes en double dans l'en-tête.")
    width = len(header)
    cells = [(r + [""] * width)[:width] for r in body]
    return pd.DataFrame(cells, columns=header, dtype=object), sep


def _csv_results(report: pd.DataFrame, texts: list[str], day: Any, lookup: Lookup) -> dict:
    """The BAN result columns of a :func:`ortgeo.check_addresses` report."""
    status = report["ban_status"].to_numpy()
    found = status == "ok"

    def column(values: Any) -> list[Any]:
        return [v if ok and v is not None and v == v else "" for v, ok in
                zip(values, found, strict=True)]  # fmt: skip

    housenumber = [h if t == "housenumber" else None for h, t in
                   zip(report["ban_housenumber"], report["ban_type"], strict=True)]  # fmt: skip
    names = [(f"{h} {s}" if h else (s or c)) for h, s, c in
             zip(housenumber, report["ban_street"], report["ban_city"], strict=True)]  # fmt: skip
    out = {
        "longitude": column(report["ban_lon"]), "latitude": column(report["ban_lat"]),
        "result_score": column(report["ban_score"]),
        "result_score_next": column(report["ban_score_next"]),
        "result_label": column(report["ban_label"]), "result_type": column(report["ban_type"]),
        "result_id": column(report["ban_id"]), "result_banId": [""] * len(report),
        "result_housenumber": column(housenumber), "result_name": column(names),
        "result_street": column(report["ban_street"]),
        "result_postcode": column(report["ban_postcode"]),
        "result_city": column(report["ban_city"]),
        "result_context": column(
            [lookup.ban_context(c) if isinstance(c, str) else None for c in report["ban_citycode"]]
        ),
        "result_citycode": column(report["ban_citycode"]),
        "result_oldcitycode": [""] * len(report), "result_oldcity": [""] * len(report),
        "result_district": [""] * len(report),
        "result_status": [
            "skipped" if not t.strip() else ("ok" if s == "ok" else
                                             "error" if s == "error" else "not-found")
            for t, s in zip(texts, status, strict=True)
        ],
        "result_ort_status": list(report["verdict"]),
        "result_ort_sector": [s if s else "" for s in report["ort_sector"].fillna("")],
        "result_ort_date": [str(day)] * len(report),
        "result_ort_reason": list(report["verdict_reason"].fillna("")),
    }  # fmt: skip
    return out


@router.post("/search/csv", summary="Géocoder un fichier CSV (API de la BAN)")
async def search_csv(request: Request) -> Response:
    """The BAN's ``/search/csv``: the uploaded CSV with ``longitude``, ``latitude`` and the
    ``result_*`` columns added (the ORT answer in ``result_ort_*``), same delimiter,
    UTF-8."""
    lookup = _lookup(request)
    form = await request.form(max_files=1, max_fields=200)
    upload = form.get("data")
    if upload is None or isinstance(upload, str):
        raise _bad("Fichier manquant : envoyez-le dans le champ multipart « data ».")
    limit = lookup.config.max_upload_bytes
    raw = await upload.read(limit + 1)
    if len(raw) > limit:
        raise ApiError(413, "fichier-trop-gros", f"Envoi trop gros : {limit / 1e6:.1f} Mo au plus.")
    delimiter = form.get("delimiter")
    if delimiter is not None and (not isinstance(delimiter, str) or len(delimiter) != 1):
        raise _bad("delimiter : un seul caractère.")
    table, sep = _read_csv(raw, delimiter)
    columns = [str(c) for c in form.getlist("columns")] or list(table.columns)
    wanted = [str(c) for c in form.getlist("result_columns")]
    named = {"postcode": form.get("postcode"), "citycode": form.get("citycode")}
    for col in [*columns, *(v for v in named.values() if v)]:
        if col not in table.columns:
            raise _bad(f"Colonne {col!r} absente du fichier ; colonnes : {list(table.columns)}.")
    unknown = [c for c in wanted if c not in CSV_RESULT_COLUMNS]
    if unknown:
        raise _bad(f"result_columns inconnues {unknown} : {', '.join(CSV_RESULT_COLUMNS)}.")
    date = form.get("date")
    texts = [" ".join(" ".join(str(v) for v in row).split()) for row in
             table[columns].itertuples(index=False)]  # fmt: skip
    report, day = await request.app.state.worker.run(
        lambda: lookup.ban_search_csv(
            table, columns=columns, date=date if isinstance(date, str) else None,
            citycode_col=named["citycode"] if isinstance(named["citycode"], str) else None,
            postcode_col=named["postcode"] if isinstance(named["postcode"], str) else None,
        ),
        timeout=lookup.config.batch_timeout_s,
    )  # fmt: skip
    results = _csv_results(report, texts, day, lookup)
    out = table.copy()
    for name in wanted or CSV_RESULT_COLUMNS:
        out[name] = results[name]
    buf = io.StringIO()
    out.to_csv(buf, sep=sep, index=False, lineterminator="\n")
    return Response(
        buf.getvalue().encode("utf-8"), media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": 'attachment; filename="ortgeo.geocoded.csv"'},
    )  # fmt: skip
