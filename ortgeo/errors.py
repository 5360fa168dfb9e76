"""Typed exception tree of ortgeo.

Every error a user can cause derives from :class:`OrtgeoError`; its message names
the problem and what to do. The command line prints the message and exits with
status 2 instead of showing a traceback.
"""

from __future__ import annotations

__all__ = [
    "GeocoderError",
    "GeocoderQuotaExceeded",
    "GeocoderServiceError",
    "GeocoderUnavailable",
    "InputFileError",
    "InvalidDateError",
    "MissingCRSError",
    "OrtgeoError",
    "OutputFileError",
    "PerimeterFileError",
    "UnknownLayerError",
]


class OrtgeoError(Exception):
    """Base class of all errors raised by ortgeo for bad input or unavailable services."""


class UnknownLayerError(OrtgeoError, KeyError):
    """A layer id that the catalogue does not hold."""

    def __str__(self) -> str:  # KeyError quotes its message; we want it plain
        return str(self.args[0]) if self.args else ""


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


class GeocoderError(OrtgeoError):
    """Base class of geocoding errors."""


class GeocoderServiceError(GeocoderError):
    """The geocoding service answered with an error or a response we cannot read."""


class GeocoderUnavailable(GeocoderError):
    """The geocoding service cannot be reached (network down, timeout, connection refused)."""


class GeocoderQuotaExceeded(GeocoderServiceError):
    """The service kept answering HTTP 429 (too many requests) after the allowed retries."""
