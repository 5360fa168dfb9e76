"""Typed exception tree of ortgeo: every exception class of the package is here.

Every error a user can cause derives from :class:`OrtgeoError`; its message names
the problem and what to do. The command line prints the message and exits with
status 2 instead of showing a traceback; the web service maps each class to an HTTP
status, a stable code and a French message with one table
(:data:`ortgeo.service.errors.STATUS_CODES`).

Examples
--------
>>> issubclass(NoSpaceError, OutputFileError), issubclass(CadastreFileError, InputFileError)
(True, True)
"""

from __future__ import annotations

from typing import Any

__all__ = [
    "ApiError",
    "CadastreFileError",
    "CorruptFileError",
    "GeocoderError",
    "GeocoderQuotaExceeded",
    "GeocoderResponseError",
    "GeocoderServiceError",
    "GeocoderUnavailable",
    "InputFileError",
    "InvalidCoordinateError",
    "InvalidDateError",
    "InvalidURLError",
    "MissingCRSError",
    "NoSpaceError",
    "OrtgeoError",
    "OutputError",
    "OutputFileError",
    "OutputLockedError",
    "ParcelReferenceError",
    "PerimeterFileError",
    "PortInUseError",
    "UnknownCommuneError",
    "UnknownLayerError",
]


class OrtgeoError(Exception):
    """Base class of all errors raised by ortgeo for bad input or unavailable services."""


class UnknownLayerError(OrtgeoError, KeyError):
    """A layer id that the catalogue does not hold."""

    def __str__(self) -> str:  # KeyError quotes its message; we want it plain
        return str(self.args[0]) if self.args else ""


class UnknownCommuneError(OrtgeoError, ValueError):
    """An INSEE code that is not a commune of the official code list (COG).

    Attributes
    ----------
    insee : str
        The code asked for.
    successor : str or None
        For the code of a former commune (merged into another), the code of the commune it
        is part of today; ``None`` otherwise.
    """

    def __init__(self, message: str, *, insee: str, successor: str | None = None) -> None:
        super().__init__(message)
        self.insee = insee
        self.successor = successor


class InvalidDateError(OrtgeoError, ValueError):
    """A date that cannot be parsed as an ISO date (YYYY-MM-DD)."""


class PerimeterFileError(OrtgeoError, ValueError):
    """A perimeter file that is missing, unreadable, empty or holds no polygons."""


class MissingCRSError(PerimeterFileError):
    """A perimeter file without a coordinate reference system (e.g. a Shapefile with no .prj)."""


class InputFileError(OrtgeoError, ValueError):
    """An input table (CSV of addresses...) that cannot be read or lacks a column."""


class OutputFileError(OrtgeoError, ValueError):
    """An output that cannot be written (read-only or missing folder, the input itself...)."""


#: The name :mod:`ortgeo.stream` gave its own copy of :class:`OutputFileError` (kept as an alias).
OutputError = OutputFileError


class OutputLockedError(OutputFileError):
    """An output that another ortgeo run is writing now (its lock is held).

    Attributes
    ----------
    path : str
        The output.
    """

    def __init__(self, message: str, *, path: str) -> None:
        super().__init__(message)
        self.path = path


class NoSpaceError(OutputFileError):
    """The disk (or the quota) is full: nothing was written.

    Attributes
    ----------
    path : str
        What could not be written.
    retry_after : float or None
        Seconds after which trying again may work (the service sends it as ``Retry-After``).
    """

    def __init__(self, message: str, *, path: str, retry_after: float | None = None) -> None:
        super().__init__(message)
        self.path = path
        self.retry_after = retry_after


class InvalidCoordinateError(OrtgeoError, ValueError):
    """A coordinate that is not a number (``"2°50'"``, ``"abc"``) given for one point."""


class ParcelReferenceError(OrtgeoError, ValueError):
    """A cadastral reference that cannot be read (neither an IDU nor "AB 123" with a commune).

    ``missing_commune`` is True for a short form ("AB 123") given without a commune.
    """

    def __init__(self, message: str, *, missing_commune: bool = False) -> None:
        super().__init__(message)
        self.missing_commune = missing_commune


class CorruptFileError(InputFileError):
    """A SQLite file of ortgeo (geocode cache, offline index) that is damaged.

    Attributes
    ----------
    path : str
        The damaged file.
    """

    def __init__(self, message: str, *, path: str) -> None:
        super().__init__(message)
        self.path = path


class CadastreFileError(InputFileError):
    """A cadastre file that is missing, cannot be read, or is not an Etalab parcel file."""


class InvalidURLError(OrtgeoError, ValueError):
    """A service URL that cannot be used (no http(s) scheme, no host, port out of range,
    a template with an unknown ``{placeholder}``)."""


class PortInUseError(OrtgeoError):
    """``ortgeo serve``: the address and port asked for are already taken."""


class GeocoderError(OrtgeoError):
    """Base class of geocoding errors.

    Attributes
    ----------
    url : str or None
        The request URL.
    status_code : int or None
        The HTTP status of the answer (None when there was no answer).
    retry_after : float or None
        Seconds the service asked to wait (``Retry-After``), if it said so.
    """

    def __init__(
        self,
        message: str,
        *,
        url: str | None = None,
        status_code: int | None = None,
        retry_after: float | None = None,
    ) -> None:
        super().__init__(message)
        self.url = url
        self.status_code = status_code
        self.retry_after = retry_after


class GeocoderServiceError(GeocoderError):
    """The geocoding service answered with an error or a response we cannot read."""


class GeocoderResponseError(GeocoderServiceError):
    """The service answered HTTP 200 with content of the wrong shape (bad JSON/CSV fields)."""


class GeocoderUnavailable(GeocoderError):
    """The geocoding service cannot be reached (network down, timeout, connection refused)."""


class GeocoderQuotaExceeded(GeocoderServiceError):
    """The service kept answering HTTP 429 (too many requests) after the allowed retries."""


class ApiError(Exception):
    """A refusal of the web service: an HTTP status, a stable code and a French message
    (:mod:`ortgeo.service.errors` turns it into the JSON answer).

    Examples
    --------
    >>> err = ApiError(422, "insee-invalide", "Code INSEE invalide.")
    >>> err.status, err.code
    (422, 'insee-invalide')
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
