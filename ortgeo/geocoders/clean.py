"""Cleaning a typed address line: a pipeline of small named steps (:data:`QUERY_STEPS`).

Each step takes the text and gives it back with one kind of noise removed: mojibake,
quotes and odd spaces, OCR letters inside numbers, words glued together, a repeated
postcode and city, an inverted city-hall name, then what is not the street by its shape —
postal boxes (``BP 123``, ``CS 40001``), ``CEDEX``, floors (``2e étage gauche``, ``RDC``),
flats and buildings (``Appt 12``, ``Bât. B``) and who the letter is for. The words each step
looks for are data (:mod:`ortgeo.geocoders.vocabulary`), compiled once into one regex per
step.

:func:`ocr_readings` gives other readings of a line where OCR may have confused letters
and digits (``O``/``0``, ``l``/``1``, ``S``/``5``, ``rn``/``m``): the geocoder tries them
only when the line as written is not found exactly.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Sequence

from ortgeo.geocoders.lazyre import lazy_compile
from ortgeo.geocoders.normalize import fold, repair_mojibake
from ortgeo.geocoders.vocabulary import (
    ABBREVIATIONS,
    STOP_WORDS,
    STREET_TYPES,
    fold_word,
    loose,
    trie_regex,
    words_of,
)

__all__ = [
    "QUERY_STEPS",
    "SUFFIX_RE",
    "TYPE_RE",
    "TYPE_WORDS",
    "clean_query",
    "drop_cedex",
    "drop_floors",
    "drop_postal_boxes",
    "drop_recipients",
    "drop_repeated_place",
    "drop_units",
    "fix_ocr_digits",
    "ocr_readings",
    "unglue",
    "unify_characters",
    "uninvert",
]

#: House-number suffixes as written after a number (``bis``, ``ter``, a letter...).
SUFFIX_RE = r"bis|ter|quater|quinquies|quinq|qua|[a-z]"
#: Street-type words and their abbreviations as written in queries (folded).
TYPE_WORDS: frozenset[str] = frozenset(
    STREET_TYPES
    | {a for a, full in ABBREVIATIONS.items() if full.split()[0] in STREET_TYPES and " " not in a}
)
#: The same, as one regex.
TYPE_RE = trie_regex(TYPE_WORDS)

_LETTERS_RE = lazy_compile(r"[^\W\d_]+")


def _alternation(words: Sequence[str], dotted: bool = False) -> str:
    """A regex for any of ``words``, longest first, each with an optional final dot; with
    ``dotted``, a short word of letters may have dots between its letters (``B.P.``)."""
    parts = []
    for word in sorted(set(words), key=len, reverse=True):
        if dotted and word.isalpha() and len(word) <= 3:
            parts.append(r"\.?\s?".join(loose(c) for c in word))
        else:
            parts.append(loose(word))
    return "(?:" + "|".join(parts) + r")\.?"


def _after_connector(text: str, start: int) -> bool:
    """Whether the word before ``start`` is a connector (``de``, ``la``, ``du``, ``l'``...;
    a lone letter only with its apostrophe: ``Esc A Apt 12`` has none)."""
    head = text[max(0, start - 12) : start].rstrip()
    before = _LETTERS_RE.findall(fold_word(head))
    if not before or before[-1] not in STOP_WORDS:
        return False
    if head.endswith("'"):  # "l'", "d'"
        return True
    return head[-1:].isalpha() and len(before[-1]) > 1


# ------------------------------------------------------------------ characters
_QUOTES_RE = lazy_compile(r"[«»\"“”„]")
_SPACES = str.maketrans({"\u00a0": " ", "\u202f": " ", "\u2009": " ", "’": "'", "‘": "'",
                         "`": "'", "´": "'", "–": "-", "—": "-", "\\": " "})  # fmt: skip


def unify_characters(text: str) -> str:
    """One form of spaces, apostrophes and dashes; guillemets and quotes dropped.

    Examples
    --------
    >>> unify_characters("« 12\u00a0rue de l’Église »")
    "12 rue de l'Église"
    """
    if not text.isascii() and not unicodedata.is_normalized("NFC", text):
        text = unicodedata.normalize("NFC", text)
    text = text.translate(_SPACES)
    text = _QUOTES_RE.sub(" ", text)
    return " ".join(text.split())


# ------------------------------------------------------------------ OCR
_OCR_RE = lazy_compile(r"(?<!\w)[0-9OoIl]*\d[0-9OoIl]*(?!\w)")
_OCR_HINT_RE = lazy_compile(r"\d[OoIl]|[OoIl]\d")  # an OCR letter is next to a digit
_OCR_TABLE = str.maketrans("OoIl", "0011")


def fix_ocr_digits(text: str) -> str:
    """Letters read for digits inside numbers (``"6230O"``, ``"l9"``) → digits.

    Examples
    --------
    >>> fix_ocr_digits("l9 rue X 6230O Lens"), fix_ocr_digits("Lille 59000 Loos")
    ('19 rue X 62300 Lens', 'Lille 59000 Loos')
    """
    if not _OCR_HINT_RE.search(text):
        return text

    def fix(m: re.Match[str]) -> str:
        word = m.group(0)
        if sum(c.isdigit() for c in word) * 2 < len(word):
            return word
        return word.translate(_OCR_TABLE)

    return _OCR_RE.sub(fix, text)


# a word mixing letters and the digits OCR reads for letters (0 o, 1 l, 5 s): "L0ui5"
_MIXED_RE = lazy_compile(r"(?<![\w])(?=[\w']*[^\W\d_])(?=[\w']*[015])[\w']+")
_DIGITS_READ_RE = lazy_compile(
    r"(?<![\w])[\dOoIlSs]*\d[\dOoIlSs]*(?=(?:bis|ter|quater|[a-z])?(?![\w]))", re.IGNORECASE
)
_LONE_RE = lazy_compile(
    rf"(?:^|(?<=\s))([lIOoSs]{{1,3}})(?=\s+(?:(?:{SUFFIX_RE})\s+)?(?:{TYPE_RE})\b)", re.IGNORECASE
)
# a suffix read with digits after a number: "64BI5", "31bi5", "12 t3r"
_SUFFIX_READ_RE = lazy_compile(r"(?<=[\dlIOoSs])\s?([bB][iIl1][sS5]|[tT][eE3][rR])(?![\w])")
_CAPITAL_I_RE = lazy_compile(r"(?<=[^\W\d_])I(?=[a-zà-ÿ])")  # "AIlée", "VilIe": l read as I
_TO_DIGITS = str.maketrans("OoIlSs", "001155")
_LONE_DIGIT = {"l": "1", "i": "1", "o": "0", "s": "5"}
_NUMBER_WORD_RE = lazy_compile(rf"\d+(?:{SUFFIX_RE}|er|eme|ème)", re.IGNORECASE)
# one of the above may be in the line (a quick test before any of them)
_OCR_SUSPECT_RE = lazy_compile(
    r"[^\W\d_][0135]|[015][^\W\d_]|[OoIlSs]\d|\d[OoIlSs]|(?:^|\s)[lIOoSs]{1,3}\s"
    r"|[^\W\d_]I[a-z]"
)
_RN_RE = lazy_compile("rn|RN")
_M_RE = lazy_compile("m|M")


def _digit_readings(text: str) -> list[str]:
    """The readings of a line with digits and letters swapped back (see :func:`ocr_readings`)."""

    def numbers(t: str) -> str:
        t = _SUFFIX_READ_RE.sub(lambda m: " " + ("bis" if m.group(1)[0] in "bB" else "ter"), t)
        t = _DIGITS_READ_RE.sub(lambda m: m.group(0).translate(_TO_DIGITS)
                                if len(m.group(0)) > 1 else m.group(0), t)  # fmt: skip
        t = _LONE_RE.sub(lambda m: "".join(_LONE_DIGIT[c.lower()] for c in m.group(1)), t)
        return _CAPITAL_I_RE.sub("l", t)

    def in_words(t: str, one: str) -> str:
        lower = str.maketrans({"0": "o", "1": one, "5": "s"})
        upper = str.maketrans({"0": "O", "1": one.upper(), "5": "S"})

        def fix(m: re.Match[str]) -> str:
            word = m.group(0)
            inside = m.start() > 0 and len(word) == 2  # "rue de 1a Gare": not a number there
            if not inside and (
                sum(c.isdigit() for c in word) * 2 >= len(word) or _NUMBER_WORD_RE.fullmatch(word)
            ):
                return word  # a number (with its suffix, or an ordinal)
            return word.translate(upper if word.isupper() else lower)

        return _MIXED_RE.sub(fix, t)

    out: list[str] = []
    if _OCR_SUSPECT_RE.search(text):
        for one in ("l", "i"):
            reading = numbers(in_words(text, one))
            if reading != text and reading not in out:
                out.append(reading)
    return out


def ocr_readings(text: str, letters: bool = False) -> list[str]:
    """Other readings of a line whose letters and digits an OCR may have confused, most
    likely first (empty when nothing looks confused).

    Digits inside words become letters (``L0ui5`` → ``Louis``; ``1`` as ``l``, then as
    ``i``), letters inside numbers become digits (``o8S00`` → ``08500``, ``64BI5`` →
    ``64 bis``), a lone ``l``, ``I``, ``O`` or ``S`` before a street type becomes the house
    number. With ``letters`` (tried last, only when nothing is found), ``rn`` and ``m`` are
    swapped too, in the line and in its readings of digits (``Irnpa5se`` → ``Impasse``).

    Examples
    --------
    >>> ocr_readings("14 Rue L0ui5 Aragon o8S00 Revin")
    ['14 Rue Louis Aragon 08500 Revin']
    >>> ocr_readings("10 1mpasse X"), ocr_readings("64BI5 RUE X")
    (['10 lmpasse X', '10 impasse X'], ['64 bis RUE X'])
    >>> ocr_readings("l Rue de la Gare")[0], ocr_readings("12 Rue de la Gare")
    ('1 Rue de la Gare', [])
    >>> ocr_readings("4 Chernin des Corons", letters=True)
    ['4 Chemin des Corons']
    """
    if not letters:
        return _digit_readings(text)
    out: list[str] = []
    for line in [text, *_digit_readings(text)]:
        for found, swap in ((_RN_RE, {"rn": "m", "RN": "M"}), (_M_RE, {"m": "rn", "M": "RN"})):
            reading = found.sub(lambda m, swap=swap: swap[m.group(0)], line)  # type: ignore[misc]
            if reading != line and reading not in out:
                out.append(reading)
    return out


# ------------------------------------------------------------------ glued words
_NUMBER_SIGN_RE = lazy_compile(r"(?:\bn[°o]|\bnum[ée]ro|\bnum|°)\s*\.?\s*(?=\d)", re.I)
_LEADING_NUMBER_RE = lazy_compile(r"^\(\s*(\d{1,4}(?:\s*(?:bis|ter|quater|[a-z]))?)\s*\)", re.I)
_SUFFIX_BEFORE_TYPE_RE = lazy_compile(rf"(?<=\d)(\s*(?:bis|ter|quater))(?=(?:{TYPE_RE})\b)", re.I)
_EXCEL_FLOAT_RE = lazy_compile(r"(?<![\w.])(\d+)\.0(?![\d.])")
_DASHED_SUFFIX_RE = lazy_compile(r"(\d)\s*-\s*(bis|ter|quater)\b", re.I)
# digits glued to letters at the start of a word ("12rue"), not inside one ("Al1ée")
_DIGIT_LETTERS_RE = lazy_compile(
    rf"(?<![^\W\d_])(\d+)(?!(?:{SUFFIX_RE}|i?[eè]me|[eè]re|er|re)\b)([^\W\d_]{{2,}})", re.I
)
_LETTERS_POSTCODE_RE = lazy_compile(r"([^\W\d_]{2,})(\d{5})\b")
_GLUED_HINT_RE = lazy_compile(r"\d[^\W\d_]|[^\W\d_]\d")  # a letter next to a digit
_GLUED_TYPE_RE = lazy_compile(  # "ruede la gare" → "rue de la gare" ("Esplanade" stays)
    rf"\b({TYPE_RE})(?:(de|du|des|la|le|les)(?=\s)|(d'|l')(?=[^\W\d_]))", re.IGNORECASE
)
# the words that may be a street type glued to a small word (a quick test first)
_GLUED_WORDS = (
    frozenset(t + c for t in TYPE_WORDS for c in ("de", "du", "des", "la", "le", "les", "d'", "l'"))
    - TYPE_WORDS
)


def _unglue_type(m: re.Match[str]) -> str:
    """``ruede`` → ``rue de``, but ``RLE`` (ruelle) is a word of its own, not ``R LE``."""
    small = m.group(2) or m.group(3)
    if fold_word(m.group(1) + small) in TYPE_WORDS:
        return m.group(0)
    return f"{m.group(1)} {small} "


def unglue(text: str) -> str:
    """Split what was typed without spaces: ``"12rue"``, ``"62300Lens"``, ``"ruede"``,
    ``"n°12"``, ``"12-bis"``, Excel's ``"12.0"``, a leading ``"(12)"``.

    Examples
    --------
    >>> unglue("(12)rue de la Gare 62300Lens")
    '12 rue de la Gare 62300 Lens'
    >>> unglue("N°12-bis ruede Paris"), unglue("12.0 rue X 62300.0")
    ('12bis rue de Paris', '12 rue X 62300')
    >>> unglue("(3 bis) rue X"), unglue("3 bisRue X"), unglue("Al1ée X"), unglue("1er Mai")
    ('3 bis rue X', '3 bis Rue X', 'Al1ée X', '1er Mai')
    """
    if text.startswith("("):
        text = _LEADING_NUMBER_RE.sub(r"\1 ", text)
    low = text.lower()
    if "bis" in low or "ter" in low:
        text = _SUFFIX_BEFORE_TYPE_RE.sub(r"\1 ", text)
    if ".0" in text:
        text = _EXCEL_FLOAT_RE.sub(r"\1", text)  # Excel floats
    text = _NUMBER_SIGN_RE.sub(" ", text)
    if "-" in text:
        text = _DASHED_SUFFIX_RE.sub(r"\1\2", text)
    if _GLUED_HINT_RE.search(text):
        text = _DIGIT_LETTERS_RE.sub(r"\1 \2", text)
        text = _LETTERS_POSTCODE_RE.sub(r"\1 \2", text)
    if any(w in _GLUED_WORDS or w[: w.find("'") + 1] in _GLUED_WORDS
           for w in fold_word(text).split()):  # fmt: skip
        text = _GLUED_TYPE_RE.sub(_unglue_type, text)
    return " ".join(text.split())


# ------------------------------------------------------------------ exports
_REPEATED_PLACE_RE = lazy_compile(r"(\d{5}\s+[^\d,;]+?)[\s,;]+(\d{5}\s+[^\d,;]+?)\s*$")
_INVERTED_RE = lazy_compile(
    rf"(?<![\w])(?!(?:bis|ter|quater)\b)([^\d\s(),][^\d(),]*?)\s*\(\s*((?:{TYPE_RE})\b[^()]*?)\s*\)",
    re.IGNORECASE,
)


def drop_repeated_place(text: str) -> str:
    """A postcode and city written twice at the end (a street field of an export that
    already holds them, joined with the postcode and city columns) → once.

    Examples
    --------
    >>> drop_repeated_place("12 rue X 62300 Lens 62300 LENS")
    '12 rue X 62300 Lens'
    """
    m = _REPEATED_PLACE_RE.search(text)
    if m and fold(m.group(1)) == fold(m.group(2)):
        return text[: m.end(1)]
    return text


def uninvert(text: str) -> str:
    """``"SAULES (RUE DES)"`` → ``"RUE DES SAULES"`` (tax and city-hall files).

    Examples
    --------
    >>> uninvert("12 GARE (RUE DE LA) 62300 LENS")
    '12 RUE DE LA GARE 62300 LENS'
    """
    if "(" not in text:
        return text
    return _INVERTED_RE.sub(lambda m: f"{m.group(2)} {m.group(1).strip()}", text)


# ------------------------------------------------------------------ what is not the street
_BOX_WORDS = words_of("box")
_BOX_RE = lazy_compile(
    rf"(?<![\w]){_alternation(_BOX_WORDS, dotted=True)}\s*(?:(?:n°|no?\.)\s*)?\d{{1,6}}(?![\w])",
    re.IGNORECASE,
)


def drop_postal_boxes(text: str) -> str:
    """Postal boxes and their number: ``BP 123``, ``B.P. n° 4``, ``CS 40001``, ``CS40001``,
    ``TSA 12345``, ``Boîte postale 12``, ``Cidex 7``.

    Examples
    --------
    >>> drop_postal_boxes("12 rue X BP 45 62300 Lens"), drop_postal_boxes("CS40001 Lens")
    ('12 rue X 62300 Lens', 'Lens')
    """
    return " ".join(_BOX_RE.sub(" ", text).split())


_CEDEX_RE = lazy_compile(
    rf"(?<![\w]){_alternation(words_of('cedex'))}(?:\s*\d{{1,2}}(?![\w]))?", re.IGNORECASE
)


def drop_cedex(text: str) -> str:
    """``CEDEX`` and its number (the postcode before it may be a CEDEX code of the commune:
    the geocoder then goes by the city).

    Examples
    --------
    >>> drop_cedex("12 rue X 62307 LENS CEDEX 9"), drop_cedex("62300 Lens Cédex")
    ('12 rue X 62307 LENS', '62300 Lens')
    """
    if "cedex" not in fold_word(text):
        return text
    return " ".join(_CEDEX_RE.sub(" ", text).split()).strip(" ,;-")


_ORDINAL = r"\d{1,2}(?:\s?(?:i[eè]me|[eè]me|[eè]re|er|re)|[eè°])"
_SIDES = rf"(?:[\s,]+{_alternation(words_of('side'))}(?![\w]))*"
_FLOOR_WORD = _alternation(words_of("floor"))
_FLOOR_RE = lazy_compile(
    rf"(?<![\w])(?:(?P<ord>{_ORDINAL})(?![\w])(?P<word>\s*{_FLOOR_WORD}(?![\w]))?"
    rf"|(?P<word2>{_FLOOR_WORD})\s*\d{{1,2}}(?![\w])"
    rf"|(?P<level>{_alternation(words_of('level'))}|r\s?\+\s?\d{{1,2}})(?![\w]))"
    rf"{_SIDES}",
    re.IGNORECASE,
)
_TYPE_AFTER_RE = lazy_compile(rf"\s*(?:{TYPE_RE})(?:\b|\.)", re.IGNORECASE)


def drop_floors(text: str) -> str:
    """Floors and where on the landing: ``2e étage``, ``3ème ét. porte gauche``, ``1er
    gauche``, ``Étage 2``, ``RDC``, ``rez-de-chaussée``, ``sous-sol``, ``R+2``.

    An ordinal alone is a floor unless a small word comes before it (``rue du 1er Mai``)
    or a street type after it (``2e Rue``); ``ET`` is a floor only in capitals or with a dot.

    Examples
    --------
    >>> drop_floors("12 rue X 2e étage gauche 62300 Lens"), drop_floors("RDC 12 rue X")
    ('12 rue X 62300 Lens', '12 rue X')
    >>> drop_floors("12 rue du 1er Mai 3e D Lens"), drop_floors("12 et 14 rue X")
    ('12 rue du 1er Mai Lens', '12 et 14 rue X')
    """

    def drop(m: re.Match[str]) -> str:
        if (m.group("ord") and not m.group("word")) and (
            _after_connector(text, m.start()) or _TYPE_AFTER_RE.match(text, m.end("ord"))
        ):
            return m.group(0)
        floor_word = m.group("word2") or m.group("word")
        if floor_word and fold_word(floor_word.strip()) == "et" and floor_word.strip() != "ET":
            return m.group(0)  # "et" is "and"; "ET 3", "Et. 3" are floors
        if m.group("word2") and text[: m.start()].rstrip()[-1:].isdigit():
            return m.group(0)  # "12 et 14"
        return " "

    return " ".join(_FLOOR_RE.sub(drop, text).split())


_UNIT_WORDS = words_of("unit")
# the identifier: a number (glued or not: "Apt12"), or a letter with or without digits,
# apart from the word ("Bât B", "Bat. E1"; "Che" is no "Ch" + "e"), after an optional n°
_UNIT_RE = lazy_compile(
    rf"(?<![\w']){_alternation(_UNIT_WORDS)}(?:\s*(?:n°|n[o.](?=\s))?\s*\d{{1,4}}[a-z]?"
    rf"|(?<=[\s.])[a-z]\d{{0,3}}|\s+(?:n°|n[o.](?=\s))?\s*[a-z]\d{{0,3}})(?![\w']){_SIDES}",
    re.IGNORECASE,
)


def drop_units(text: str) -> str:
    """Flats, buildings, staircases, doors... with their identifier: ``Appt 12``, ``Bât.
    B``, ``Esc A``, ``Porte 4``, ``Entrée 3``, ``Lot 12``, ``Bat. E1`` (not after a small
    word: ``rue de la Tour A`` keeps its name; not a name: ``Porte d'Arras``).

    Examples
    --------
    >>> drop_units("Esc A Apt 12 4 rue X"), drop_units("12 rue de la Porte d'Arras")
    ('4 rue X', "12 rue de la Porte d'Arras")
    """

    def drop(m: re.Match[str]) -> str:
        return m.group(0) if _after_connector(text, m.start()) else " "

    return " ".join(_UNIT_RE.sub(drop, text).split())


_RECIPIENT_WORDS = words_of("recipient")
_RECIPIENT_RE = lazy_compile(
    rf"(?:^|(?<=,))\s*{_alternation(_RECIPIENT_WORDS)}(?:\s+et\s+(?:mme|madame))?\s[^,\d]*?"
    r"(?=\s*,|\s+\d)",
    re.IGNORECASE,
)


def drop_recipients(text: str) -> str:
    """Who the letter is for, at the start of the line or after a comma, up to the next
    comma or number: ``chez M. Dupont,``, ``SCI Les Lilas``, ``Mme Martin``, ``c/o X``.

    Examples
    --------
    >>> drop_recipients("chez M. Dupont, 12 rue X"), drop_recipients("Mme Martin 12 rue X")
    (', 12 rue X', '12 rue X')
    """
    return " ".join(_RECIPIENT_RE.sub(" ", text).split())


#: The steps that turn a typed query into clean text, in order (each a small function).
QUERY_STEPS: tuple[Callable[[str], str], ...] = (
    repair_mojibake, unify_characters, fix_ocr_digits, unglue, drop_repeated_place, uninvert,
    drop_postal_boxes, drop_cedex, drop_floors, drop_units, drop_recipients,
)  # fmt: skip


def clean_query(text: str) -> str:
    """Apply :data:`QUERY_STEPS` to a query.

    Examples
    --------
    >>> clean_query("« 12rue de la Gare » BP 12 6230O Lens Cedex")
    '12 rue de la Gare 62300 Lens'
    """
    for step in QUERY_STEPS:
        text = step(text)
    return " ".join(text.split())
