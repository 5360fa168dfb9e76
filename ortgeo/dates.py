"""Parsing of the dates on which perimeters are asked for."""

from __future__ import annotations

import datetime as _dt
from typing import TypeAlias

from ortgeo.errors import InvalidDateError

__all__ = ["DateLike", "parse_date", "parse_optional_date", "today"]

DateLike: TypeAlias = "str | _dt.date | _dt.datetime | None"


def today() -> _dt.date:
    """Today's date: the one place ortgeo asks the clock (tests move it here).

    Examples
    --------
    >>> today() == _dt.date.today()
    True
    """
    return _dt.date.today()


def parse_date(value: DateLike) -> _dt.date:
    """Return ``value`` as a :class:`datetime.date`; an empty value means today.

    Examples
    --------
    >>> parse_date("2024-06-01")
    datetime.date(2024, 6, 1)
    >>> parse_date(None) == _dt.date.today()
    True
    """
    day = _parse(value, default_today=True)
    assert day is not None
    return day


def parse_optional_date(value: DateLike) -> _dt.date | None:
    """Return ``value`` as a :class:`datetime.date`, or ``None`` for an empty value.

    Examples
    --------
    >>> parse_optional_date("") is None, parse_optional_date("2026-12-31")
    (True, datetime.date(2026, 12, 31))
    """
    return _parse(value, default_today=False)


def _parse(value: DateLike, *, default_today: bool) -> _dt.date | None:
    """Return ``value`` as a :class:`datetime.date`.

    Parameters
    ----------
    value : str, date, datetime, pandas.Timestamp or None
        An ISO date ``YYYY-MM-DD``. ``None``, ``""`` or ``pandas.NaT`` means today
        when ``default_today`` is true, else ``None``.
    default_today : bool
        Whether an empty value means today.

    Raises
    ------
    InvalidDateError
        When the text is not a valid ISO date.

    """
    missing = value is None or (isinstance(value, str) and not value.strip())
    if missing or (isinstance(value, _dt.date) and value != value):  # pandas.NaT
        return today() if default_today else None
    if isinstance(value, _dt.datetime):  # also pandas.Timestamp, a datetime subclass
        return value.date()
    if isinstance(value, _dt.date):
        return value
    if isinstance(value, str):
        text = value.strip()
        try:
            return _dt.date.fromisoformat(text)
        except ValueError:
            pass
        raise InvalidDateError(
            f"Invalid date {value!r}: expected an ISO date YYYY-MM-DD, for example 2024-06-01."
        )
    raise InvalidDateError(
        f"Invalid date {value!r} of type {type(value).__name__}: "
        "pass a string YYYY-MM-DD or a datetime.date."
    )
