"""French formatting, the leaf every French text uses: dates in words, numbers, articles.

No ortgeo imports: the templates (:mod:`ortgeo.texts`), the model's labels and the maps all
format French the same way.

>>> date_words(_dt.date(2019, 8, 4)), fmt_m(15089.2), de("Arras"), de("Lens")
('4 août 2019', '15\\u202f089 m', "d'Arras", 'de Lens')
"""

from __future__ import annotations

import datetime as _dt

__all__ = [
    "MONTHS", "date_short", "date_words", "de", "fmt_m", "fmt_m2", "fmt_pct", "month_year",
    "the",
]  # fmt: skip

MONTHS = ("janvier", "février", "mars", "avril", "mai", "juin", "juillet", "août",
          "septembre", "octobre", "novembre", "décembre")  # fmt: skip
#: Elision before a vowel; not before h (aspirated or not, place names disagree: « de Harnes »).
_VOWELS = "aâàeéèêëiîïoôuûùy"


def date_words(day: _dt.date) -> str:
    """A date in French words: ``"4 août 2019"``, ``"1er janvier 2023"``.

    Examples
    --------
    >>> date_words(_dt.date(2023, 1, 1)), date_words(_dt.date(2019, 8, 4))
    ('1er janvier 2023', '4 août 2019')
    """
    first = "1er" if day.day == 1 else str(day.day)
    return f"{first} {MONTHS[day.month - 1]} {day.year}"


def month_year(day: _dt.date) -> str:
    """Month and year in words: ``"juillet 2021"``.

    Examples
    --------
    >>> month_year(_dt.date(2021, 7, 1))
    'juillet 2021'
    """
    return f"{MONTHS[day.month - 1]} {day.year}"


def date_short(day: _dt.date | None) -> str:
    """``dd/mm/yyyy`` (tables and headers; prose uses :func:`date_words`), ``""`` for None.

    Examples
    --------
    >>> date_short(_dt.date(2024, 6, 1)), date_short(None)
    ('01/06/2024', '')
    """
    return f"{day:%d/%m/%Y}" if day else ""


def _thousands(value: float) -> str:
    return f"{abs(value):,.0f}".replace(",", "\u202f")


def fmt_m(value: float) -> str:
    """Metres in French: ``1 234 m`` with a narrow no-break space.

    Examples
    --------
    >>> fmt_m(-1234.4)
    '1\\u202f234 m'
    """
    return _thousands(value) + " m"


def fmt_m2(value: float) -> str:
    """Square metres in French: ``1 234 m²`` with a narrow no-break space.

    Examples
    --------
    >>> fmt_m2(1234.4)
    '1\\u202f234 m²'
    """
    return _thousands(value) + " m²"


def fmt_pct(share: float) -> str:
    """A share 0..1 as a French percentage: ``34,5 %`` (no-break space).

    Examples
    --------
    >>> fmt_pct(0.345)
    '34,5\\xa0%'
    """
    return f"{100 * share:.1f}".replace(".", ",") + "\u00a0%"


def _elides(word: str) -> bool:
    return bool(word) and word[0].lower() in _VOWELS


def de(name: str) -> str:
    """``de`` before a name, elided before a vowel or a mute h: ``d'Arras``, ``de Lens``.

    Examples
    --------
    >>> de("Arras"), de("Harnes"), de("Liévin"), de("Épinay-sur-Orge")
    ("d'Arras", 'de Harnes', 'de Liévin', "d'Épinay-sur-Orge")
    """
    return f"d'{name}" if _elides(name) else f"de {name}"


def the(noun: str) -> str:
    """French definite article: ``l'avenant n° 2``, ``la convention``, ``le décret``.

    Examples
    --------
    >>> the("avenant n° 2"), the("convention « chapeau »"), the("décret")
    ("l'avenant n° 2", 'la convention « chapeau »', 'le décret')
    """
    if not noun:
        return noun
    if _elides(noun) or noun[0].lower() == "h":  # common nouns: mute h (l'hôtel de ville)
        return f"l'{noun}"
    feminine = ("convention", "délibération", "décision", "loi")
    return f"{'la' if noun.split()[0].lower() in feminine else 'le'} {noun}"
