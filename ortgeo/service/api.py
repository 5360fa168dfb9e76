"""The JSON API under ``/api/v1`` (documented at ``/docs``, schema at ``/openapi.json``).

Answers carry the fields of ``Verdict.to_dict()`` (English keys; French texts in
``reason``, ``notes`` and ``explanation``). Refusals are JSON ``{"error": {"code",
"message"}}`` (see :mod:`ortgeo.service.errors`).
"""

from __future__ import annotations

from typing import Annotated, Any, Literal
from urllib.parse import parse_qsl

from fastapi import APIRouter, File, Form, Path, Query, Request, UploadFile
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, Response
from pydantic import BaseModel, ConfigDict, Field, ValidationError
from starlette.types import ASGIApp, Receive, Scope, Send

from ortgeo.service.errors import ApiError
from ortgeo.service.limits import Worker
from ortgeo.service.lookup import Lookup, Question
from ortgeo.status import OrtSignature

__all__ = ["CheckAnswer", "CheckFastPath", "CheckQuery", "CommuneAnswer", "check_json",
           "check_question", "on_event_loop", "router"]  # fmt: skip


class ErrorDetail(BaseModel):
    """A refusal: a stable code, a French message, optional details."""

    code: str
    message: str
    detail: Any = None


class ErrorBody(BaseModel):
    """The body of every refusal."""

    error: ErrorDetail


_ERRORS: dict[int | str, dict[str, Any]] = {
    status: {"model": ErrorBody, "description": text}
    for status, text in {
        413: "Envoi trop gros ou trop de lignes",
        422: "Paramètre invalide",
        429: "Trop de demandes (voir l'en-tête Retry-After)",
        503: "Géocodeur indisponible ou service occupé (voir l'en-tête Retry-After)",
        504: "Délai dépassé",
        507: "Espace disque insuffisant sur le serveur (voir l'en-tête Retry-After)",
    }.items()
}
router = APIRouter(prefix="/api/v1", responses=_ERRORS)

_ORT_HELP = ("The commune's ORT status in the ANCT follow-up table: the same type in every "
             "answer (``/check``'s ``commune.ort``, ``/communes/{insee}``'s ``ort``).")  # fmt: skip


class CommuneInAnswer(BaseModel):
    """A commune in an answer (more fields than these are given: see the examples)."""

    model_config = ConfigDict(extra="allow")

    insee: str
    name: str
    known: bool = Field(description="Whether the ANCT table lists the commune.")
    ort: OrtSignature = Field(description=_ORT_HELP)
    ort_signed_on: str | None = Field(None, description="Date of the ORT, AAAA-MM-JJ.")


class Banner(BaseModel):
    """What the answer is built on: synthetic test data, indicative tracés."""

    synthetic: bool = Field(description="Sectors or address index generated for tests.")
    indicatif: bool = Field(description="A perimeter in force is an indicative tracé.")
    text: str = Field(description="The French banner to show with the answer ('' when none).")


class CheckAnswer(BaseModel):
    """The answer of ``/check``: ``Verdict.to_dict()`` and ``explanation`` (main fields)."""

    model_config = ConfigDict(extra="allow")

    date: str
    status: str
    inside: bool | None
    summary: str
    commune: CommuneInAnswer | None
    banner: Banner
    explanation: str


class CommuneAnswer(CommuneInAnswer):
    """The answer of ``/communes/{insee}`` (main fields)."""

    in_force: bool | None = Field(description="Whether the ORT was signed on the date.")
    sectors_missing: bool


_DATE_HELP = "Date AAAA-MM-JJ (défaut : aujourd'hui)."
DateQuery = Annotated[str | None, Query(description=_DATE_HELP, max_length=10)]


def _lookup(request: Request) -> Lookup:
    lookup: Lookup = request.app.state.lookup
    return lookup


def check_question(
    lookup: Lookup,
    address: str | None = None,
    lon: float | None = None,
    lat: float | None = None,
    x: float | None = None,
    y: float | None = None,
    date: str | None = None,
) -> Question:
    """The question of a check (:class:`~ortgeo.service.lookup.Question`) for exactly one
    of: an address, ``lon``+``lat``, ``x``+``y``; an :class:`ApiError` otherwise."""
    given = {
        "address": address is not None and address.strip() != "",
        "lon+lat": lon is not None or lat is not None,
        "x+y": x is not None or y is not None,
    }
    asked = [k for k, v in given.items() if v]
    if len(asked) != 1:
        raise ApiError(422, "parametres-incompatibles" if asked else "parametres-manquants",
                       "Donnez soit une adresse (address), soit lon et lat (WGS84), soit x et y "
                       "(Lambert-93), une seule de ces possibilités.")  # fmt: skip
    if asked == ["address"]:
        assert address is not None
        return lookup.address_question(address, date)
    pair = (lon, lat) if asked == ["lon+lat"] else (x, y)
    if pair[0] is None or pair[1] is None:
        both = asked[0].replace("+", " et ")
        raise ApiError(422, "parametres-manquants", f"Donnez les deux coordonnées {both}.")
    make = lookup.point_question if asked == ["lon+lat"] else lookup.xy_question
    return make(pair[0], pair[1], date)


def on_event_loop(lookup: Lookup, question: Question) -> bool:
    """Whether a check is answered on the event loop: a point, or an address on the
    offline index — pure CPU (about a millisecond), no network I/O, so no thread hop. An
    address on the BAN API waits for it in a worker thread."""
    return question[0] == "point" or lookup.index is not None


async def check_json(
    request: Request,
    address: str | None = None,
    lon: float | None = None,
    lat: float | None = None,
    x: float | None = None,
    y: float | None = None,
    date: str | None = None,
    detail: str = "full",
) -> bytes:
    """The verdict for exactly one of: an address, ``lon``+``lat``, ``x``+``y``, as the JSON
    body of the answer (UTF-8 bytes, what the answer cache holds), in the form ``detail``
    (:data:`ortgeo.service.lookup.DETAILS`).

    Cached answers, point checks and address checks on the offline index are answered on
    the event loop (:func:`on_event_loop`); an address check on the BAN API waits for it
    in a worker thread, within the request time limit."""
    lookup = _lookup(request)
    question = check_question(lookup, address, lon, lat, x, y, date)
    body = lookup.answers.get(question if detail == "full" else (*question, detail))
    if body is not None:
        return body
    if on_event_loop(lookup, question):
        return lookup.answer(question, detail)
    worker: Worker = request.app.state.worker  # the BAN API geocoder waits on the network
    return await worker.run(lookup.answer, question, detail,
                            timeout=lookup.config.request_timeout_s)  # fmt: skip


class CheckQuery(BaseModel):
    """The query of ``GET /api/v1/check``: validated by this model (one pydantic call per
    request, a fraction of FastAPI's per-parameter work) and documented from it.

    Examples
    --------
    >>> q = CheckQuery.model_validate({"lon": "2.833889", "lat": "50.429167", "utm": "x"})
    >>> q.lon, q.address
    (2.833889, None)
    """

    model_config = ConfigDict(extra="ignore")

    address: str | None = Field(None, description="Adresse en texte libre.", max_length=1000)
    lon: float | None = Field(None, description="Longitude WGS84 (degrés).")
    lat: float | None = Field(None, description="Latitude WGS84 (degrés).")
    x: float | None = Field(None, description="X Lambert-93 (EPSG:2154, m).")
    y: float | None = Field(None, description="Y Lambert-93 (EPSG:2154, m).")
    date: str | None = Field(None, description=_DATE_HELP, max_length=10)
    detail: Literal["full", "compact"] = Field(
        "full",
        description="Form of the answer: 'full' (default), the whole answer with its notes, "
        "acts, coverage, fingerprint and explanation (about 20 kB); 'compact', the point's own "
        "answer (statuses, distances, summary, commune, about 2 kB), whose full text is the "
        "same question with detail=full.",
    )


def _query_parameters(model: type[BaseModel]) -> list[dict[str, Any]]:
    """The OpenAPI query parameters of a model's fields (as FastAPI writes them)."""
    out = []
    for name, schema in model.model_json_schema()["properties"].items():
        schema = {k: v for k, v in schema.items() if k != "default"}
        out.append({"name": name, "in": "query", "required": False, "schema": schema,
                    "description": schema["description"]})  # fmt: skip
    return out


_CHECK_FIELDS = tuple(CheckQuery.model_fields)


@router.get("/check", summary="Vérifier une adresse ou un point",
            openapi_extra={"parameters": _query_parameters(CheckQuery)},
            responses={200: {"model": CheckAnswer}})  # fmt: skip
async def check_endpoint(request: Request) -> Response:
    """Is this address or point in a sector of the ORT on this date? ``Verdict.to_dict()``
    plus ``explanation`` (French text); with ``detail=compact``, the point's own answer
    (:func:`ortgeo.service.lookup.compact_answer`). ``status`` is ``dedans``, ``dehors``,
    ``limite``, ``indetermine``, ``invalide``, ``sans-ort`` or ``erreur``; "inside" never
    means "eligible" (see ``notes``)."""
    given = request.query_params
    try:
        q = CheckQuery.model_validate({k: given[k] for k in _CHECK_FIELDS if k in given})
    except ValidationError as exc:
        errors = [{**e, "loc": ("query", *e["loc"])} for e in exc.errors()]
        raise RequestValidationError(errors) from None
    body = await check_json(request, q.address, q.lon, q.lat, q.x, q.y, q.date, q.detail)
    return Response(body, media_type="application/json")


class CheckFastPath:
    """``GET /api/v1/check`` answered without FastAPI's routing and dependency solving,
    for the checks answered on the event loop (:func:`on_event_loop`).

    It sits innermost, inside the rate limit and the security headers, and gives the same
    answer as :func:`check_endpoint` — the same validation (:class:`CheckQuery`), question,
    cache and body, sent with the same headers. Anything else (another path or method, a
    refusal, an error, a check that waits on the network) goes on to the app unchanged,
    which answers it as before: refusals are written in one place.
    """

    _PATH = "/api/v1/check"

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and scope["path"] == self._PATH and scope["method"] == "GET":
            body = self._answer(scope)
            if body is not None:
                await send({"type": "http.response.start", "status": 200,
                            "headers": [(b"content-length", str(len(body)).encode()),
                                        (b"content-type", b"application/json")]})  # fmt: skip
                await send({"type": "http.response.body", "body": body})
                return
        await self.app(scope, receive, send)

    @staticmethod
    def _answer(scope: Scope) -> bytes | None:
        pairs = parse_qsl(scope["query_string"].decode("latin-1"), keep_blank_values=True)
        given = dict(pairs)  # the last value of a repeated name, as Starlette reads them
        try:
            q = CheckQuery.model_validate({k: given[k] for k in _CHECK_FIELDS if k in given})
            lookup: Lookup = scope["app"].state.lookup
            question = check_question(lookup, q.address, q.lon, q.lat, q.x, q.y, q.date)
            if not on_event_loop(lookup, question):
                return None
            return lookup.answer(question, q.detail)
        except Exception:  # a refusal or an error: the app answers it, as it always did
            return None


@router.get("/suggest", summary="Suggestions d'adresses pendant la frappe")
async def suggest(
    request: Request,
    q: Annotated[
        str, Query(description="Début d'adresse (3 caractères au moins).", max_length=1000)
    ],
    limit: Annotated[int, Query(ge=1, le=10, description="Nombre de suggestions.")] = 5,
) -> JSONResponse:
    """Addresses of the configured geocoder (offline index or BAN API) for a text being typed."""
    lookup = _lookup(request)
    found = await request.app.state.worker.run(
        lookup.suggest, q, limit, timeout=lookup.config.request_timeout_s
    )
    return JSONResponse({"query": q, "suggestions": found})


@router.get(
    "/communes/{insee}",
    summary="Statut ORT d'une commune",
    responses={200: {"model": CommuneAnswer}},
)
async def commune(
    request: Request,
    insee: Annotated[str, Path(description="Code INSEE (5 caractères).", max_length=10)],
    date: DateQuery = None,
) -> JSONResponse:
    """Whether a commune signed an ORT, since when, and the sectors in force on the date."""
    lookup = _lookup(request)
    out = await request.app.state.worker.run(
        lookup.commune, insee, date, timeout=lookup.config.request_timeout_s
    )
    return JSONResponse(out)


@router.get("/perimeters", summary="Périmètres en vigueur (GeoJSON)")
async def perimeters(request: Request, date: DateQuery = None) -> Response:
    """The layers in force on the date, as a GeoJSON FeatureCollection (EPSG:4326)."""
    lookup = _lookup(request)
    body = await request.app.state.worker.run(
        lookup.perimeters, date, timeout=lookup.config.request_timeout_s
    )
    return Response(body, media_type="application/geo+json")


@router.post("/batch", summary="Vérifier un fichier CSV d'adresses")
async def batch(
    request: Request,
    file: Annotated[UploadFile, File(description="CSV d'adresses (UTF-8 ou Windows-1252).")],
    date: Annotated[str | None, Form(max_length=10)] = None,
    address_col: Annotated[str | None, Form(max_length=100)] = None,
    citycode: Annotated[str | None, Form(max_length=10)] = None,
    excel: Annotated[bool, Form()] = False,
) -> Response:
    """The report of ``ortgeo batch``: every row kept, in order, with its verdict
    (``;``-separated UTF-8 CSV, formulas neutralised)."""
    lookup = _lookup(request)
    limit = lookup.config.max_upload_bytes
    raw = await file.read(limit + 1)
    if len(raw) > limit:
        raise ApiError(413, "fichier-trop-gros", f"Envoi trop gros : {limit / 1e6:.1f} Mo au plus.")
    if not raw.strip():
        raise ApiError(422, "fichier-vide", "Fichier vide : une ligne d'en-tête et des adresses.")
    semaphore = request.app.state.batch_slots
    if semaphore.locked():
        raise ApiError(503, "service-occupe",
                       "Un autre fichier est en cours de vérification ; réessayez dans un moment.",
                       headers={"Retry-After": "10"})  # fmt: skip
    async with semaphore:
        body, rows = await request.app.state.worker.run(
            lambda: lookup.batch(raw, date=date, address_col=address_col, citycode=citycode,
                                 excel=excel),
            timeout=lookup.config.batch_timeout_s,
        )  # fmt: skip
    return Response(
        body, media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": 'attachment; filename="ortgeo_resultat.csv"',
                 "X-Ortgeo-Rows": str(rows)},
    )  # fmt: skip


@router.get("/health", summary="État du service")
async def health(request: Request) -> JSONResponse:
    """Version, geocoder, BAN index (counts, synthetic or not) and layers of the catalogue."""
    return JSONResponse(_lookup(request).health())
