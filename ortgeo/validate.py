"""One validation layer for values given by users: catalogue files, ``Catalog.replace``,
library arguments and command-line options all go through these functions.

Each raises an :class:`~ortgeo.errors.OrtgeoError` subclass whose message names the value,
what is wrong and what to give instead.
"""

from __future__ import annotations

import datetime as _dt
import math
from collections.abc import Iterable, Mapping
from typing import Any

from ortgeo.dates import parse_optional_date
from ortgeo.errors import OrtgeoError, PerimeterFileError

__all__ = [
    "check_keys",
    "choice",
    "date_value",
    "insee_code",
    "metres",
    "text",
]


def check_keys(entry: Mapping[str, Any], known: Iterable[str], where: str) -> None:
    """Refuse keys that are not in ``known`` (a misspelt key is never ignored silently).

    Examples
    --------
    >>> check_keys({"valid_until": "2026"}, ["valid_from", "valid_to"], "x")
    Traceback (most recent call last):
    ...
    ortgeo.errors.PerimeterFileError: x: unknown field 'valid_until'. Known fields: valid_from, ...
    """
    known = list(known)
    for key in entry:
        if key not in known:
            raise PerimeterFileError(
                f"{where}: unknown field {key!r}. Known fields: {', '.join(known)}."
            )


def metres(
    value: Any,
    name: str,
    where: str = "",
    *,
    allow_zero: bool = True,
    error: type[OrtgeoError] | None = None,
) -> float:
    """A finite, non-negative number of metres.

    Examples
    --------
    >>> metres("250", "accuracy_m")
    250.0
    >>> metres(-5, "--band")
    Traceback (most recent call last):
    ...
    ortgeo.errors.OrtgeoError: --band must be a finite number of metres ≥ 0 (got -5).
    """
    exc = error or (PerimeterFileError if where else OrtgeoError)
    prefix = f"{where}: " if where else ""
    try:
        number = float(value)
    except (TypeError, ValueError):
        raise exc(f"{prefix}{name} must be a number of metres (got {value!r}).") from None
    if (
        isinstance(value, bool)
        or not math.isfinite(number)
        or number < 0
        or (not allow_zero and number == 0)
    ):
        bound = "> 0" if not allow_zero else "≥ 0"
        raise exc(f"{prefix}{name} must be a finite number of metres {bound} (got {value!r}).")
    return number


def choice(value: Any, name: str, allowed: Iterable[str], where: str) -> str:
    """One of ``allowed``.

    Examples
    --------
    >>> choice("officiel", "status", ["indicatif", "officiel"], "layer 'x'")
    'officiel'
    """
    allowed = list(allowed)
    if value not in allowed:
        raise PerimeterFileError(
            f"{where}: {name} {value!r} is not one of {', '.join(map(repr, allowed))}."
        )
    return str(value)


def text(value: Any, name: str, where: str, *, required: bool = False) -> str:
    """A text field (``""`` when absent and not required).

    Examples
    --------
    >>> text("Centre-ville", "name", "sector 'x'")
    'Centre-ville'
    """
    if value is None or value == "":
        if required:
            raise PerimeterFileError(f"{where}: field {name!r} is required.")
        return ""
    if not isinstance(value, str):
        raise PerimeterFileError(f"{where}: field {name!r} must be text (got {value!r}).")
    return value


def date_value(value: Any, name: str, where: str, *, required: bool = False) -> _dt.date | None:
    """A date field: a TOML date, ``"YYYY-MM-DD"`` text, or empty.

    Examples
    --------
    >>> date_value("2019-08-04", "valid_from", "sector 'x'")
    datetime.date(2019, 8, 4)
    >>> date_value("", "valid_to", "sector 'x'") is None
    True
    """
    try:
        day = parse_optional_date(value if isinstance(value, _dt.date) else str(value or ""))
    except OrtgeoError as exc:
        raise PerimeterFileError(f"{where}: field {name!r}: {exc}") from None
    if required and day is None:
        raise PerimeterFileError(f"{where}: field {name!r} is required (YYYY-MM-DD).")
    return day


def insee_code(value: Any, where: str) -> str:
    """A commune's INSEE code: five characters, digits or 2A/2B for Corsica.

    Examples
    --------
    >>> insee_code("62498", "sector 'x'")
    '62498'
    """
    code = str(value).strip()
    if len(code) != 5 or not (code.isdigit() or (code[:2] in ("2A", "2B") and code[2:].isdigit())):
        raise OrtgeoError(
            f"{where}: {value!r} is not an INSEE commune code (five digits, e.g. 62498 for Lens)."
        )
    return code
