"""Parsing of the dates on which perimeters are asked for."""

from __future__ import annotations

import datetime as _dt
from typing import Literal, TypeAlias, overload

from ortgeo.errors import InvalidDateError

__all__ = ["DateLike", "parse_date"]

DateLike: TypeAlias = "str | _dt.date | _dt.datetime | None"


@overload
def parse_date(value: DateLike, *, default_today: Literal[True] = True) -> _dt.date: ...
@overload
def parse_date(value: DateLike, *, default_today: bool) -> _dt.date | None: ...


def parse_date(value: DateLike, *, default_today: bool = True) -> _dt.date | None:
    """Return ``value`` as a :class:`datetime.date`.

    Typed for the checkers: a date always (``default_today=True``, the default), or
    ``date | None`` with ``default_today=False``.

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

    Examples
    --------
    >>> parse_date("2024-06-01")
    datetime.date(2024, 6, 1)
    >>> parse_date("", default_today=False) is None
    True
    """
    missing = value is None or (isinstance(value, str) and not value.strip())
    if missing or (isinstance(value, _dt.date) and value != value):  # pandas.NaT
        return _dt.date.today() if default_today else None
    if isinstance(value, _dt.datetime):
        return value.date()
    if isinstance(value, _dt.date):
        return value
    to_pydatetime = getattr(value, "to_pydatetime", None)  # pandas.Timestamp
    if callable(to_pydatetime):
        day: _dt.date = to_pydatetime().date()
        return day
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
