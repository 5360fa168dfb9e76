"""Regular expressions compiled on first use.

The address cleaning and parsing hold some fifty patterns, several built from the whole
street-type vocabulary; compiling them all costs about as much as one address look-up,
and most lines need only a few (the others guard rarer forms: OCR, inverted parts,
floors...). :func:`lazy_compile` defers each one to its first use.
"""

from __future__ import annotations

import re
from typing import Any, cast

__all__ = ["LazyPattern", "lazy_compile"]

#: The attributes of :class:`re.Pattern` copied onto a :class:`LazyPattern` once compiled.
_ATTRS = ("search", "match", "fullmatch", "sub", "subn", "split", "findall", "finditer",
          "scanner", "pattern", "flags", "groups", "groupindex")  # fmt: skip


class LazyPattern:
    """A :class:`re.Pattern` compiled on first use (then its methods are the pattern's own).

    Examples
    --------
    >>> p = lazy_compile(r"(\\d+) rue", re.IGNORECASE)
    >>> p.search("12 RUE de Paris").group(1), p.pattern
    ('12', '(\\\\d+) rue')
    """

    def __init__(self, pattern: str, flags: int = 0) -> None:
        self._source = (pattern, flags)

    def __getattr__(self, name: str) -> Any:
        compiled = re.compile(*self.__dict__["_source"])
        for attr in _ATTRS:  # set on the instance: later look-ups skip __getattr__
            setattr(self, attr, getattr(compiled, attr))
        return getattr(compiled, name)

    def __repr__(self) -> str:
        return f"lazy_compile({self._source[0]!r}, {self._source[1]!r})"


def lazy_compile(pattern: str, flags: int = 0) -> re.Pattern[str]:
    """:func:`re.compile`, deferred to the first use of the pattern (typed as a pattern)."""
    return cast("re.Pattern[str]", LazyPattern(pattern, flags))
