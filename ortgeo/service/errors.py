"""Errors of the web service: JSON with a stable ``code`` and a French ``message``.

Every refusal is an :class:`ApiError`; library errors (:class:`ortgeo.OrtgeoError`) and
framework errors (validation, unknown route, method) are mapped to one, so that a client
never sees an HTML page or a stack trace. The body is always::

    {"error": {"code": "date-invalide", "message": "…", "detail": "…"}}

Library errors are mapped by one table, :data:`STATUS_CODES` (exception class → HTTP
status, code, French message; the most specific class of the exception wins), as titiler's
``DEFAULT_STATUS_CODES`` or geopy's ``ERROR_CODE_MAP`` do; the ``retry_after`` an exception
carries (a BAN ``Retry-After``, a full disk) becomes the ``Retry-After`` header, else the
class's default from :data:`RETRY_AFTER`.
"""

from __future__ import annotations

import logging
import math
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.responses import JSONResponse, Response

from ortgeo.errors import (
    ApiError,
    CorruptFileError,
    GeocoderError,
    GeocoderQuotaExceeded,
    InputFileError,
    InvalidCoordinateError,
    InvalidDateError,
    NoSpaceError,
    OrtgeoError,
    OutputFileError,
    ParcelReferenceError,
)

__all__ = [
    "RETRY_AFTER",
    "STATUS_CODES",
    "ApiError",
    "error_body",
    "from_library",
    "install_error_handlers",
]

#: Library exception class → (HTTP status, stable code, French message). An exception
#: takes the entry of the first of its classes (its own, then its bases) found here.
STATUS_CODES: dict[type[Exception], tuple[int, str, str]] = {
    InvalidDateError: (
        422, "date-invalide", "Date invalide : donnez une date AAAA-MM-JJ, par exemple 2024-06-01."
    ),
    InvalidCoordinateError: (
        422, "coordonnees-invalides",
        "Coordonnée invalide : donnez un nombre décimal, par exemple 2.8339.",
    ),
    ParcelReferenceError: (
        422, "parcelle-invalide",
        "Référence cadastrale illisible : donnez l'IDU (14 caractères, par exemple "
        "62498000AB0123) ou « AB 123 » avec la commune.",
    ),
    GeocoderQuotaExceeded: (
        503, "geocodeur-sature",
        "Le service de géocodage de la BAN refuse temporairement les demandes ; réessayez "
        "dans une minute.",
    ),
    GeocoderError: (
        503, "geocodeur-indisponible",
        "Le service de géocodage de la BAN ne répond pas ; réessayez plus tard.",
    ),
    CorruptFileError: (
        503, "donnees-endommagees",
        "Un fichier de données du service est endommagé ; prévenez l'administrateur du service.",
    ),
    InputFileError: (
        422, "fichier-invalide",
        "Fichier illisible ou incomplet : envoyez un CSV (UTF-8 ou Windows-1252) avec une "
        "ligne d'en-tête et une colonne « adresse ».",
    ),
    NoSpaceError: (
        507, "espace-disque-insuffisant",
        "Le serveur n'a plus assez d'espace disque pour traiter ce fichier ; réessayez plus "
        "tard ou prévenez l'administrateur du service.",
    ),
    OutputFileError: (
        503, "ecriture-impossible",
        "Le serveur ne peut pas écrire le fichier de résultat ; réessayez plus tard ou "
        "prévenez l'administrateur du service.",
    ),
    OrtgeoError: (422, "demande-invalide", "Demande invalide."),
}  # fmt: skip
#: Errors about the server's own files: their message (with paths) is logged, not sent.
_SERVER_SIDE = (OutputFileError, CorruptFileError)
#: Seconds a client should wait (``Retry-After``) when the exception does not say.
RETRY_AFTER: dict[type[Exception], float] = {
    GeocoderQuotaExceeded: 60, GeocoderError: 30, NoSpaceError: 60, OutputFileError: 30,
    CorruptFileError: 300,
}  # fmt: skip

log = logging.getLogger("ortgeo.service")

_HTTP = {
    404: ("introuvable", "Cette adresse web n'existe pas dans le service ortgeo."),
    405: ("methode-non-autorisee", "Méthode HTTP non autorisée pour cette adresse web."),
}


def error_body(err: ApiError) -> dict[str, Any]:
    """The JSON body of a refusal.

    Examples
    --------
    >>> error_body(ApiError(422, "insee-invalide", "Code INSEE invalide."))
    {'error': {'code': 'insee-invalide', 'message': 'Code INSEE invalide.'}}
    """
    body: dict[str, Any] = {"code": err.code, "message": err.message}
    if err.detail is not None:
        body["detail"] = err.detail
    return {"error": body}


def error_response(err: ApiError) -> Response:
    """The JSON response of a refusal."""
    return JSONResponse(error_body(err), status_code=err.status, headers=err.headers)


def _entry(table: dict[type[Exception], Any], exc: Exception) -> Any:
    """The entry of the most specific class of ``exc`` in ``table`` (None when none)."""
    return next((table[cls] for cls in type(exc).__mro__ if cls in table), None)


def from_library(exc: OrtgeoError) -> ApiError:
    """The refusal for an error of the library, from :data:`STATUS_CODES` (its English
    message goes in ``detail``; its ``retry_after``, or the class's, in ``Retry-After``).

    Examples
    --------
    >>> from ortgeo.errors import GeocoderUnavailable
    >>> err = from_library(GeocoderUnavailable("down", retry_after=12.5))
    >>> err.status, err.code, err.headers
    (503, 'geocodeur-indisponible', {'Retry-After': '13'})
    >>> from_library(NoSpaceError("disk full", path="x")).status
    507
    """
    status, code, message = _entry(STATUS_CODES, exc)
    wait = getattr(exc, "retry_after", None)
    if wait is None:
        wait = _entry(RETRY_AFTER, exc)
    headers = {"Retry-After": str(max(1, math.ceil(wait)))} if wait is not None else None
    detail: str | None = str(exc)
    if isinstance(exc, _SERVER_SIDE):  # the server's own files: logged, never shown
        log.warning("%s: %s", type(exc).__name__, exc)
        detail = None
    return ApiError(status, code, message, detail, headers)


def _validation_message(exc: RequestValidationError) -> tuple[str, list[dict[str, Any]]]:
    problems = []
    for e in exc.errors():
        where = [str(p) for p in e.get("loc", ()) if p not in ("query", "path", "body")]
        problems.append({"parameter": ".".join(where), "problem": e.get("msg", "")})
    names = ", ".join(sorted({p["parameter"] for p in problems if p["parameter"]}))
    return f"Paramètre invalide ou manquant : {names or 'requête'}.", problems


def install_error_handlers(app: FastAPI) -> None:
    """Map every error to a JSON refusal (never an HTML page or a stack trace)."""

    @app.exception_handler(ApiError)
    async def _api(_: Request, exc: ApiError) -> Response:
        return error_response(exc)

    @app.exception_handler(OrtgeoError)
    async def _library(_: Request, exc: OrtgeoError) -> Response:
        return error_response(from_library(exc))

    @app.exception_handler(RequestValidationError)
    async def _validation(_: Request, exc: RequestValidationError) -> Response:
        message, problems = _validation_message(exc)
        return error_response(ApiError(422, "parametre-invalide", message, problems))

    @app.exception_handler(StarletteHTTPException)
    async def _http(_: Request, exc: StarletteHTTPException) -> Response:
        code, message = _HTTP.get(exc.status_code, ("erreur-http", "Demande refusée."))
        return error_response(ApiError(exc.status_code, code, message))

    @app.exception_handler(Exception)
    async def _internal(request: Request, exc: Exception) -> Response:
        log.exception("internal error on %s", request.url.path)
        return error_response(
            ApiError(500, "erreur-interne", "Erreur interne du service ; elle a été journalisée.")
        )
