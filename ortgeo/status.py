"""The one status vocabulary of ortgeo (values are the strings found in JSON and CSV).

>>> from ortgeo.status import Status
>>> Status.DEDANS == "dedans", str(Status.SANS_ORT)
(True, 'sans-ort')
"""

from __future__ import annotations

from enum import StrEnum

__all__ = ["STATUSES", "STATUS_CODE", "OrtSignature", "Status", "Timing"]


class Status(StrEnum):
    """Answer for one point and one sector (or the composite "in an ORT sector")."""

    #: inside, farther from the limit than the uncertainty band
    DEDANS = "dedans"
    #: outside, farther from the limit than the band
    DEHORS = "dehors"
    #: within the band: the answer cannot be trusted
    LIMITE = "limite"
    #: missing or impossible coordinates, or far from the catalogue's territory
    INVALIDE = "invalide"
    #: no ORT sector in force that day
    SANS_ORT = "sans-ort"
    #: inside a sector whose entry into force on that date is not known for sure
    DATE_INCERTAINE = "date-incertaine"
    #: no answer: weak geocode, or a commune whose sectors ortgeo does not hold
    INDETERMINE = "indetermine"
    #: the geocoder failed
    ERREUR = "erreur"


class Timing(StrEnum):
    """Where a date stands in a layer's validity."""

    NOT_YET = "pas-encore"
    IN_FORCE = "en-vigueur"
    #: maybe in force: the start (or end) is only known approximately or as "not before"
    UNCERTAIN = "incertain"
    ENDED = "termine"


class OrtSignature(StrEnum):
    """Where a commune stands with its ORT convention (the ANCT follow-up table): the one
    type of ``ort`` in every answer about a commune (``/api/v1/check``'s ``commune.ort``
    and ``/api/v1/communes/{insee}``'s ``ort``)."""

    SIGNED = "signee"
    IN_PROGRESS = "en-cours"
    NOT_SIGNED = "non-signee"
    ENDED = "terminee"
    #: a commune the table does not list, or a row that does not say
    UNKNOWN = "inconnu"


#: Every status as a string, in code order: statuses are stored as categorical codes of these.
STATUSES: tuple[str, ...] = tuple(str(s) for s in Status)
#: Status string → its numeric code (position in :data:`STATUSES`).
STATUS_CODE: dict[str, int] = {name: i for i, name in enumerate(STATUSES)}
