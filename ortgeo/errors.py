"""Typed exception tree of ortgeo.

Every error a user can cause derives from :class:`OrtgeoError`; its message names
the problem and what to do. The command line prints the message and exits with
status 2 instead of showing a traceback.
"""

from __future__ import annotations

__all__ = [
    "CorruptFileError",
    "GeocoderError",
    "GeocoderQuotaExceeded",
    "GeocoderResponseError",
    "GeocoderServiceError",
    "GeocoderUnavailable",
    "InputFileError",
    "InvalidDateError",
    "InvalidURLError",
    "MissingCRSError",
    "OrtgeoError",
    "OutputFileError",
    "PerimeterFileError",
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


class InvalidURLError(OrtgeoError, ValueError):
    """A service URL that cannot be used (no http(s) scheme, no host, port out of range)."""


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
