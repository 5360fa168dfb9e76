"""French street and place names made comparable: lower case, no accents, abbreviations
expanded, the street type apart from the identifying words.

The BAN name ``Boulevard Émile Basly`` and the query ``bd emile basly`` both become
``boulevard emile basly`` (:func:`normalize`), then ``("boulevard", "emile basly")``
(:func:`split_street`). The vocabulary (abbreviations, street types, stop words) is data:
:mod:`ortgeo.geocoders.vocabulary`. Cleaning a typed query (complements, postal boxes,
floors...) is :mod:`ortgeo.geocoders.clean`; finding its parts, :mod:`ortgeo.geocoders.parse`.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Callable, Sequence

from ortgeo.geocoders.vocabulary import ABBREVIATIONS, STOP_WORDS, STREET_TYPES, strip_accents

__all__ = [
    "ABBREVIATIONS",
    "EXPORT_INDICES",
    "NAME_STEPS",
    "STOP_WORDS",
    "STREET_TYPES",
    "expand_abbreviations",
    "fold",
    "join_export_fields",
    "normalize",
    "normalize_suffix",
    "place_key",
    "repair_mojibake",
    "split_street",
    "strip_accents",
]

_SUFFIXES = {
    "bis": "bis", "b": "b", "ter": "ter", "t": "t", "quater": "quater", "qua": "quater",
    "q": "q", "quinquies": "quinquies", "quinq": "quinquies", "c": "c",
}  # fmt: skip
_PUNCT_RE = re.compile(r"[^a-z0-9]+")
_TWO_WORD_ABBR = {tuple(k.split()): v for k, v in ABBREVIATIONS.items() if " " in k}


def repair_mojibake(text: str) -> str:
    """UTF-8 read as cp1252/latin-1 (``"AllÃ©e"``) → ``"Allée"``.

    Examples
    --------
    >>> repair_mojibake("AllÃ©e des Ã‰coles"), repair_mojibake("Allée")
    ('Allée des Écoles', 'Allée')
    """
    if "Ã" not in text and "Â" not in text:
        return text
    for codec in ("cp1252", "latin-1"):
        try:
            return text.encode(codec).decode("utf-8")
        except (UnicodeEncodeError, UnicodeDecodeError):
            continue
    return text


def fold(text: str) -> str:
    """Lower case, no accents, punctuation/apostrophes/hyphens as single spaces.

    Examples
    --------
    >>> fold("Rue de l'Église-St-Léger")
    'rue de l eglise st leger'
    """
    return " ".join(_PUNCT_RE.sub(" ", strip_accents(repair_mojibake(text)).lower()).split())


def expand_abbreviations(text: str) -> str:
    """Expand :data:`ABBREVIATIONS` in folded text (``"r"`` only as the first word).

    Examples
    --------
    >>> expand_abbreviations("r du mal leclerc"), expand_abbreviations("av du pr cne ferber")
    ('rue du marechal leclerc', 'avenue du professeur capitaine ferber')
    """
    words = text.split()
    out: list[str] = []
    i = 0
    while i < len(words):
        pair = tuple(words[i : i + 2])
        if len(pair) == 2 and pair in _TWO_WORD_ABBR:
            out.append(_TWO_WORD_ABBR[pair])
            i += 2
            continue
        word = words[i]
        # "r" only means "rue" as the first word ("rue r" is not a thing)
        out.append(word if word == "r" and out else ABBREVIATIONS.get(word, word))
        i += 1
    return " ".join(out)


#: The steps that make a street or place name comparable, in order.
NAME_STEPS: tuple[Callable[[str], str], ...] = (fold, expand_abbreviations)


@functools.lru_cache(maxsize=200_000)
def normalize(text: str) -> str:
    """Normalise a French street or place name for comparison (:data:`NAME_STEPS`).

    Lower case, no accents, punctuation/apostrophes/hyphens as spaces, single spaces,
    abbreviations expanded (see :data:`ABBREVIATIONS`).

    Parameters
    ----------
    text : str
        Any name, e.g. a BAN ``nom_voie`` or the street part of a query.

    Returns
    -------
    str
        The normalised text (possibly empty).

    Examples
    --------
    >>> normalize("Bd Émile-Basly")
    'boulevard emile basly'
    >>> normalize("R. de l'Église St-Léger")
    'rue de l eglise saint leger'
    """
    for step in NAME_STEPS:
        text = step(text)
    return text


@functools.lru_cache(maxsize=200_000)
def split_street(norm: str) -> tuple[str, str]:
    """Split a normalised street name into its type word and its identifying core.

    The core drops the street type and the stop words; it is what fuzzy matching
    compares, so that ``rue des Lilas`` is not close to ``rue de Lille`` just because
    both start with ``rue de``.

    Examples
    --------
    >>> split_street("boulevard emile basly")
    ('boulevard', 'emile basly')
    >>> split_street("rue de la gare")
    ('rue', 'gare')
    >>> split_street("gare"), split_street("grande rue")
    (('', 'gare'), ('', 'grande rue'))
    """
    words = norm.split()
    kind = ""
    if words and words[0] in STREET_TYPES:
        kind = words.pop(0)
        if kind in ("rond", "terre", "lieu") and words and words[0] in ("point", "plein", "dit"):
            kind = f"{kind} {words.pop(0)}"
        elif kind in ("grande", "grand") and words and words[0] == "rue":
            kind = f"{kind} rue"
            words.pop(0)
    core = [w for w in words if w not in STOP_WORDS]
    if not core:  # "rue de la" / "place du" ...: keep what there is
        core = words
    if not core:  # "Grande Rue", "Rue": the type is the whole name
        return "", kind
    return kind, " ".join(core)


def place_key(norm: str) -> str:
    """A normalised commune name without its small words: ``"loison sous lens"``,
    ``"loison s s lens"`` and ``"loison lens"`` all give ``"loison lens"``.

    Examples
    --------
    >>> place_key("eleu dit leauwette"), place_key("bogny s meuse")
    ('eleu leauwette', 'bogny meuse')
    """
    return " ".join(w for w in norm.split() if w not in STOP_WORDS) or norm


def normalize_suffix(suffix: str | None) -> str:
    """Normalise a house-number suffix (``"B"`` → ``"b"``, ``"qua"`` → ``"quater"``).

    Examples
    --------
    >>> normalize_suffix(" Bis "), normalize_suffix(None), normalize_suffix("Q")
    ('bis', '', 'q')
    """
    if not suffix:
        return ""
    s = strip_accents(str(suffix)).strip().lower()
    return _SUFFIXES.get(s, s)


#: DGFiP (MAJIC, fichiers fonciers) "indice de répétition" letters → suffix words.
EXPORT_INDICES = {"B": "bis", "T": "ter", "Q": "quater", "C": "quinquies"}


def join_export_fields(values: Sequence[object], indice: object = None) -> str:
    """One address line from the columns of a city-hall or tax export (``--columns``).

    Excel floats (``12.0``, ``62300.0``) lose their ``.0``, empty cells (and ``nan``) are
    skipped, and a DGFiP repetition index (``B``/``T``/``Q``/``C`` = bis/ter/quater/
    quinquies, or the word itself) goes right after the house number (the first value).

    Parameters
    ----------
    values : sequence
        The cells in address order, e.g. number, street, postcode, city.
    indice : str, optional
        The repetition index cell, if the file has one.

    Examples
    --------
    >>> join_export_fields(["12.0", "SAULES (RUE DES)", "62300.0", "LENS"], indice="B")
    '12 bis SAULES (RUE DES) 62300 LENS'
    >>> join_export_fields(["3", "", None, "Lens"], indice="nan")
    '3 Lens'
    """
    cells = []
    for value in values:
        text = "" if value is None else " ".join(str(value).split())
        if text.lower() in ("", "nan", "none", "nat"):
            continue
        cells.append(re.sub(r"^(\d+)\.0+$", r"\1", text))
    rep = "" if indice is None else str(indice).strip()
    if rep.lower() in ("nan", "none"):
        rep = ""
    if rep and cells and cells[0].isdigit():
        cells[0] = f"{cells[0]} {EXPORT_INDICES.get(rep.upper(), rep.lower())}"
    return " ".join(cells)
