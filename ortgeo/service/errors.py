"""Errors of the web service: JSON with a stable ``code`` and a French ``message``.

Every refusal is an :class:`ApiError`; library errors (:class:`ortgeo.OrtgeoError`) and
framework errors (validation, unknown route, method) are mapped to one, so that a client
never sees an HTML page or a stack trace. The body is always::

    {"error": {"code": "date-invalide", "message": "…", "detail": "…"}}
"""

from __future__ import annotations

import logging
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.responses import JSONResponse, Response

from ortgeo.errors import (
    GeocoderError,
    GeocoderQuotaExceeded,
    InputFileError,
    InvalidDateError,
    OrtgeoError,
)

__all__ = ["ApiError", "error_body", "install_error_handlers"]

log = logging.getLogger("ortgeo.service")

_HTTP = {
    404: ("introuvable", "Cette adresse web n'existe pas dans le service ortgeo."),
    405: ("methode-non-autorisee", "Méthode HTTP non autorisée pour cette adresse web."),
}


class ApiError(Exception):
    """A refusal with an HTTP status, a stable code and a French message.

    Examples
    --------
    >>> err = ApiError(422, "insee-invalide", "Code INSEE invalide.")
    >>> error_body(err)["error"]["code"]
    'insee-invalide'
    """

    def __init__(
        self,
        status: int,
        code: str,
        message: str,
        detail: Any = None,
        headers: dict[str, str] | None = None,
    ) -> None:
        super().__init__(message)
        self.status = status
        self.code = code
        self.message = message
        self.detail = detail
        self.headers = headers or {}


def error_body(err: ApiError) -> dict[str, Any]:
    """The JSON body of a refusal."""
    body: dict[str, Any] = {"code": err.code, "message": err.message}
    if err.detail is not None:
        body["detail"] = err.detail
    return {"error": body}


def error_response(err: ApiError) -> Response:
    """The JSON response of a refusal."""
    return JSONResponse(error_body(err), status_code=err.status, headers=err.headers)


def from_library(exc: OrtgeoError) -> ApiError:
    """The refusal for an error of the library (its English message goes in ``detail``)."""
    if isinstance(exc, InvalidDateError):
        return ApiError(422, "date-invalide",
                        "Date invalide : donnez une date AAAA-MM-JJ, par exemple 2024-06-01.",
                        str(exc))  # fmt: skip
    if isinstance(exc, GeocoderQuotaExceeded):
        return ApiError(503, "geocodeur-sature",
                        "Le service de géocodage de la BAN refuse temporairement les demandes ; "
                        "réessayez dans une minute.", str(exc), {"Retry-After": "60"})  # fmt: skip
    if isinstance(exc, GeocoderError):
        return ApiError(503, "geocodeur-indisponible",
                        "Le service de géocodage de la BAN ne répond pas ; réessayez plus tard.",
                        str(exc), {"Retry-After": "30"})  # fmt: skip
    if isinstance(exc, InputFileError):
        return ApiError(422, "fichier-invalide",
                        "Fichier illisible ou incomplet : envoyez un CSV (UTF-8 ou Windows-1252) "
                        "avec une ligne d'en-tête et une colonne « adresse ».",
                        str(exc))  # fmt: skip
    return ApiError(422, "demande-invalide", "Demande invalide.", str(exc))


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
