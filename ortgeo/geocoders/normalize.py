"""French address normalisation and parsing.

Turns what people type (``"17bis, bd E. Basly 62300 LENS"``) into comparable parts:
house number, suffix, normalised street name, postcode and city. Normalisation is
lower case, no accents, apostrophes/hyphens/punctuation as spaces, and the usual
abbreviations expanded (``bd`` → ``boulevard``, ``st`` → ``saint``...), so that the BAN
name ``Boulevard Émile Basly`` and the query ``bd emile basly`` become the same text.
"""

from __future__ import annotations

import csv
import dataclasses
import functools
import re
import unicodedata
from collections.abc import Callable, Sequence
from importlib import resources

__all__ = [
    "ABBREVIATIONS",
    "EXPORT_INDICES",
    "NAME_STEPS",
    "QUERY_STEPS",
    "STOP_WORDS",
    "STREET_TYPES",
    "ParsedAddress",
    "clean_query",
    "drop_repeated_place",
    "join_export_fields",
    "normalize",
    "normalize_suffix",
    "parse_address",
    "split_street",
    "strip_accents",
]


def _load_abbreviations() -> dict[str, str]:
    """``abbreviation → expansion`` from the data file (the first line of a key wins)."""
    text = resources.files("ortgeo.geocoders").joinpath("data/abbreviations.csv").read_text("utf-8")
    rows = csv.DictReader(line for line in text.splitlines() if not line.startswith("#"))
    out: dict[str, str] = {}
    for row in rows:
        out.setdefault(row["abbreviation"].strip(), row["expansion"].strip())
    return out


#: Abbreviation → full word (after lower-casing and accent removal), read from the data
#: file ``data/abbreviations.csv`` (AFNOR NF Z10-011 list and common usage).
ABBREVIATIONS: dict[str, str] = _load_abbreviations()

#: Street-type words (normalised). The first word of most BAN street names.
STREET_TYPES: frozenset[str] = frozenset(
    {
        "rue", "boulevard", "avenue", "place", "chemin", "impasse", "route", "allee",
        "square", "faubourg", "cours", "quai", "residence", "lotissement", "passage",
        "sentier", "promenade", "rond", "carrefour", "cite", "ruelle", "voie", "esplanade",
        "parvis", "hameau", "domaine", "clos", "venelle", "mail", "sente", "galerie",
        "rocade", "parc", "chaussee", "quartier", "villa", "jardin", "lieu", "cour",
        "corniche", "descente", "ecart", "halle", "marche", "montee", "plaine", "plateau",
        "terre", "traverse", "village", "grande",
    }
)  # fmt: skip

#: Words that carry no identity in a street name.
STOP_WORDS: frozenset[str] = frozenset(
    {"de", "du", "des", "la", "le", "les", "l", "d", "a", "au", "aux", "et", "en", "sur", "sous"}
)

_SUFFIXES = {
    "bis": "bis", "b": "b", "ter": "ter", "t": "t", "quater": "quater", "qua": "quater",
    "q": "q", "quinquies": "quinquies", "quinq": "quinquies", "c": "c",
}  # fmt: skip
_SUFFIX_RE = r"bis|ter|quater|quinquies|quinq|qua|[a-z]"
_NUMBER_RE = re.compile(
    rf"^\s*(\d{{1,4}})(?:\s*({_SUFFIX_RE}))?(?=[\s,;.\-/]|$)\s*[,;.\-/]?\s*", re.IGNORECASE
)
# "17-19", "17/19", "12 à 14", "12 et 14", "12, 14", "12 & 14": the first number
_RANGE_RE = re.compile(
    r"(?<![\d.])(\d{1,4})(\s*(?:bis|ter)?)\s*(?:[-/&]|,|\bet\b|\ba\b|\bà\b)\s*\d{1,4}"
    r"(?:\s*(?:bis|ter))?(?=\s|,|$)",
    re.IGNORECASE,
)
# Address complements that are not part of the street: flat, building, floor, PO box...
_COMPLEMENT_RE = re.compile(
    r"(?:(?<=[\s,(])|^)(?:appt|appart(?:ement)?|app|apt|b[aâ]t(?:iment)?|bt|[ée]tage|esc(?:alier)?"
    r"|logement|logt|lgt)(?:\.|\b)"
    r"(?:\s*(?:n[°o]\.?\s*)?(?!(?:rue|avenue|place|boulevard|route|chemin)\b)[\w-]{1,6}(?=[\s,)]|$))?"
    r"|\bporte\s+(?:n[°o]\.?\s*)?(?:\d{1,3}|[a-z])(?=[\s,]|$)"
    r"|\b\d{1,2}\s*(?:er|re|ere|ère|e|ème|eme)\s+[ée]tage\b|\brdc\b|\brez[\s-]de[\s-]chauss[ée]e\b"
    r"|\b(?:b\.?\s?p|c\.?\s?s|t\.?\s?sa)\.?\s*\d+\b|\bcedex(?:\s*\d+)?\b",
    re.IGNORECASE,
)
# Who, not where: "chez M. Dupont", "SCI Les Tilleuls", "Maître X, notaire", "M. et Mme X"
_PERSON_RE = re.compile(
    r"(?:^|(?<=[\s,]))(?:chez|c/o|attn?|a l'attention de|à l'attention de)\b[^,\d]*"
    r"|(?:^|(?<=[\s,]))(?:sci|sarl|sas|scp|selarl|eurl|etude|étude)\b[^,\d]*(?=,|\s\d)"
    r"|(?:^|(?<=[\s,]))(?:ma[iî]tre|me)\s[^,\d]*,\s*notaires?\b"
    r"|(?:^|(?<=[\s,]))(?:m\.|mr|mme|mlle|monsieur|madame)(?:\s+et\s+(?:mme|madame))?\s[^,\d]*(?=,)",
    re.IGNORECASE,
)
_POSTCODE_RE = re.compile(r"(?:^|[\s,;(])(?:f\s?-\s?)?(\d{5})(?=$|[\s,;)])", re.IGNORECASE)
_DEPARTMENT_RE = re.compile(  # "Lens (62)", "Lens 62", "Lens (Pas-de-Calais)", "France"
    r"(?:\s*\(\s*(?:\d{2}|2[ab]|[a-zéèêàç' -]+)\s*\)|\s+\d{2}|[\s,-]+france)\s*$", re.IGNORECASE
)
_PUNCT_RE = re.compile(r"[^a-z0-9]+")
_TWO_WORD_ABBR = {tuple(k.split()): v for k, v in ABBREVIATIONS.items() if " " in k}
_VOWELS = {"a": "[aàâä]", "e": "[eéèêë]", "i": "[iîï]", "o": "[oôö]", "u": "[uùûü]", "c": "[cç]"}


def _loose(word: str) -> str:
    """A regex matching ``word`` with or without its accents."""
    return "".join(_VOWELS.get(ch, re.escape(ch)) for ch in word)


# street-type words and their abbreviations, as written in queries
_TYPE_WORDS = sorted(
    set(STREET_TYPES) | {a for a, full in ABBREVIATIONS.items()
                         if full.split()[0] in STREET_TYPES and " " not in a},
    key=len, reverse=True,
)  # fmt: skip


def _trie_regex(words: Sequence[str]) -> str:
    """One regex matching any of ``words`` (with or without accents), as ``"|".join`` of
    them longest first would, but as a letter tree: one branch tried per letter, not one
    per word (the street-type list has 150 words).

    Examples
    --------
    >>> re.fullmatch(_trie_regex(["av", "ave", "avenue", "bd"]), "avénue") is not None
    True
    >>> re.match(_trie_regex(["av", "avenue"]), "avenue").group(0)
    'avenue'
    """
    tree: dict[str, dict] = {}
    for word in words:
        node = tree
        for ch in word:
            node = node.setdefault(ch, {})
        node[""] = {}

    def build(node: dict[str, dict]) -> str:
        branches = [_loose(ch) + build(child) for ch, child in node.items() if ch]
        if not branches:
            return ""
        body = branches[0] if len(branches) == 1 else "(?:" + "|".join(branches) + ")"
        if "" not in node:
            return body
        return (body if len(branches) > 1 else f"(?:{body})") + "?"

    return build(tree)


_TYPE_RE = _trie_regex(_TYPE_WORDS)
# "number + street type" anywhere in the line: where the address starts (as addok does)
_START_RE = re.compile(
    rf"(?<![\w.])(\d{{1,4}})(?:\s*({_SUFFIX_RE})\b)?[\s,.]*(?=(?:{_TYPE_RE})(?:\b|\.))",
    re.IGNORECASE,
)
# "SAULES (RUE DES)", "GARE (RUE DE LA)": an inverted name of a city-hall or tax file
_INVERTED_RE = re.compile(
    rf"(?<![\w])(?!(?:bis|ter|quater)\b)([^\d\s(),][^\d(),]*?)\s*\(\s*((?:{_TYPE_RE})\b[^()]*?)\s*\)",
    re.IGNORECASE,
)
_GLUED_TYPE_RE = re.compile(  # "ruede la gare" → "rue de la gare"
    rf"\b({_TYPE_RE})(de|du|des|la|le|les|d'|l')(?=\s|[a-zé])", re.IGNORECASE
)
_GLUED_TYPE_FOLDED = re.compile(_GLUED_TYPE_RE.pattern)
# The steps' patterns, compiled once; each step skips the patterns whose trigger (a
# character, a word, a letter next to a digit) is not in the text: same output, less work.
_LETTERS_RE = re.compile(r"[^\W\d_]+")
_QUOTES_RE = re.compile(r"[«»\"“”„]")
_OCR_RE = re.compile(r"(?<!\w)[0-9OoIl]*\d[0-9OoIl]*(?!\w)")
_OCR_HINT_RE = re.compile(r"\d[OoIl]|[OoIl]\d")  # an OCR letter is next to a digit
_OCR_TABLE = str.maketrans("OoIl", "0011")
_LEADING_NUMBER_RE = re.compile(r"^\(\s*(\d{1,4}(?:\s*(?:bis|ter|quater|[a-z]))?)\s*\)", re.I)
_SUFFIX_BEFORE_TYPE_RE = re.compile(rf"(?<=\d)(\s*(?:bis|ter|quater))(?=(?:{_TYPE_RE})\b)", re.I)
_SUFFIX_BEFORE_TYPE_FOLDED = re.compile(_SUFFIX_BEFORE_TYPE_RE.pattern)
_EXCEL_FLOAT_RE = re.compile(r"(?<![\w.])(\d+)\.0(?![\d.])")
_NUMBER_SIGN_RE = re.compile(r"(?:\bn[°o]|\bnum[ée]ro|\bnum|°)\s*\.?\s*(?=\d)", re.I)
_NUMBER_SIGN_WORDS = frozenset({"n", "no", "num", "numero", "numéro"})
_DASHED_SUFFIX_RE = re.compile(r"(\d)\s*-\s*(bis|ter|quater)\b", re.I)
_DIGIT_LETTERS_RE = re.compile(rf"(\d)(?!(?:{_SUFFIX_RE})\b)([^\W\d_]{{2,}})", re.I)
_LETTERS_POSTCODE_RE = re.compile(r"([^\W\d_]{2,})(\d{5})\b")
_GLUED_HINT_RE = re.compile(r"\d[^\W\d_]|[^\W\d_]\d")  # a letter next to a digit
_RANGE_FOLDED = re.compile(_RANGE_RE.pattern)
_REPEATED_PLACE_RE = re.compile(r"(\d{5}\s+[^\d,;]+?)[\s,;]+(\d{5}\s+[^\d,;]+?)\s*$")
# words without which _PERSON_RE / _COMPLEMENT_RE cannot match (their letters, lower case)
_PERSON_WORDS = frozenset(
    [
        "chez",
        "attn",
        "att",
        "attention",
        "sci",
        "sarl",
        "sas",
        "scp",
        "selarl",
        "eurl",
        "etude",
        "étude",
        "maitre",
        "maître",
        "me",
        "m",
        "mr",
        "mme",
        "mlle",
        "monsieur",
        "madame",
    ]
)
_COMPLEMENT_WORDS = frozenset(
    [
        "appt",
        "appart",
        "appartement",
        "app",
        "apt",
        "bat",
        "bât",
        "batiment",
        "bâtiment",
        "bt",
        "etage",
        "étage",
        "esc",
        "escalier",
        "logement",
        "logt",
        "lgt",
        "porte",
        "rdc",
        "rez",
        "b",
        "bp",
        "c",
        "cs",
        "t",
        "tsa",
        "cedex",
    ]
)


def _may_match(folded: re.Pattern[str], text: str) -> bool:
    """Whether ``folded`` (a lower-case pattern without IGNORECASE) finds something in
    ``text`` lower-cased: a quick test before the IGNORECASE pattern, which finds the same
    places. Beyond Latin-1 (or with ``µ``), where IGNORECASE matches more than
    ``str.lower`` does (``ſ`` for ``s``), the answer is always True.

    Examples
    --------
    >>> glued = _GLUED_TYPE_FOLDED
    >>> _may_match(glued, "12 RUEDE la Gare"), _may_match(glued, "12 rue X")
    (True, False)
    """
    if not text:
        return False
    if max(text) >= "\u0100" or "µ" in text:
        return True
    return folded.search(text.lower()) is not None


# ------------------------------------------------------------------ query cleaning steps
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


def unify_characters(text: str) -> str:
    """One form of spaces, apostrophes and dashes; guillemets and quotes dropped.

    Examples
    --------
    >>> unify_characters("« 12\u00a0rue de l’Église »")
    "12 rue de l'Église"
    """
    text = unicodedata.normalize("NFC", text)
    for old, new in (
        ("\u00a0", " "),
        ("\u202f", " "),
        ("\u2009", " "),
        ("’", "'"),
        ("‘", "'"),
        ("`", "'"),
        ("´", "'"),
        ("–", "-"),
        ("—", "-"),
        ("\\", " "),
    ):
        text = text.replace(old, new)  # fmt: skip
    text = _QUOTES_RE.sub(" ", text)
    return " ".join(text.split())


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


def unglue(text: str) -> str:
    """Split what was typed without spaces: ``"12rue"``, ``"62300Lens"``, ``"ruede"``,
    ``"n°12"``, ``"12-bis"``, Excel's ``"12.0"``, a leading ``"(12)"``.

    Examples
    --------
    >>> unglue("(12)rue de la Gare 62300Lens")
    '12 rue de la Gare 62300 Lens'
    >>> unglue("N°12-bis ruede Paris"), unglue("12.0 rue X 62300.0")
    ('12bis rue de Paris', '12 rue X 62300')
    >>> unglue("(3 bis) rue X"), unglue("3 bisRue X")
    ('3 bis rue X', '3 bis Rue X')
    """
    if text.startswith("("):
        text = _LEADING_NUMBER_RE.sub(r"\1 ", text)
    low = text.lower()
    if ("bis" in low or "ter" in low) and _may_match(_SUFFIX_BEFORE_TYPE_FOLDED, text):
        text = _SUFFIX_BEFORE_TYPE_RE.sub(r"\1 ", text)
    if ".0" in text:
        text = _EXCEL_FLOAT_RE.sub(r"\1", text)  # Excel floats
    if "°" in text or not _NUMBER_SIGN_WORDS.isdisjoint(_LETTERS_RE.findall(text.lower())):
        text = _NUMBER_SIGN_RE.sub(" ", text)
    if "-" in text:
        text = _DASHED_SUFFIX_RE.sub(r"\1\2", text)
    if _GLUED_HINT_RE.search(text):
        text = _DIGIT_LETTERS_RE.sub(r"\1 \2", text)
        text = _LETTERS_POSTCODE_RE.sub(r"\1 \2", text)
    if _may_match(_GLUED_TYPE_FOLDED, text):
        text = _GLUED_TYPE_RE.sub(r"\1 \2 ", text)
    return " ".join(text.split())


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


def drop_complements(text: str) -> str:
    """Flat, building, floor, PO box, CEDEX and who the letter is for.

    Examples
    --------
    >>> " ".join(drop_complements("chez M. Dupont, 12 rue X Appt 4 62300 Lens").split())
    ', 12 rue X 62300 Lens'
    """
    words = set(_LETTERS_RE.findall(text.lower()))
    if not _PERSON_WORDS.isdisjoint(words) or "c/o" in text.lower():
        text = _PERSON_RE.sub(" ", text)
        words = set(_LETTERS_RE.findall(text.lower()))
    if not _COMPLEMENT_WORDS.isdisjoint(words):
        text = _COMPLEMENT_RE.sub(" ", text)
    return text


#: The steps that turn a typed query into clean text, in order (each a small function).
QUERY_STEPS: tuple[Callable[[str], str], ...] = (
    repair_mojibake, unify_characters, fix_ocr_digits, unglue, drop_repeated_place, uninvert,
    drop_complements,
)  # fmt: skip


def clean_query(text: str) -> str:
    """Apply :data:`QUERY_STEPS` to a query.

    Examples
    --------
    >>> clean_query("« 12rue de la Gare » 6230O Lens")
    '12 rue de la Gare 62300 Lens'
    """
    for step in QUERY_STEPS:
        text = step(text)
    return " ".join(text.split())


def strip_accents(text: str) -> str:
    """Remove accents and ligatures (``œ`` → ``oe``) from ``text``.

    Examples
    --------
    >>> strip_accents("Boulevard Émile Basly, cœur de ville")
    'Boulevard Emile Basly, coeur de ville'
    """
    text = text.replace("œ", "oe").replace("Œ", "OE").replace("æ", "ae").replace("Æ", "AE")
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(c for c in decomposed if not unicodedata.combining(c))


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
    >>> split_street("gare")
    ('', 'gare')
    """
    words = norm.split()
    kind = ""
    if words and words[0] in STREET_TYPES:
        kind = words.pop(0)
        if kind in ("rond", "terre", "lieu") and words and words[0] in ("point", "plein", "dit"):
            kind = f"{kind} {words.pop(0)}"
        elif kind == "grande" and words and words[0] == "rue":
            kind = "grande rue"
            words.pop(0)
    core = [w for w in words if w not in STOP_WORDS]
    if not core:  # "rue de la" / "place du" ...: keep what there is
        core = words
    return kind, " ".join(core)


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


@dataclasses.dataclass(frozen=True)
class ParsedAddress:
    """The parts of an address query.

    ``street`` is the raw street text (not normalised) after the number and before
    the postcode; ``city`` the raw text after the postcode or after a comma; ``lead``
    what stood before the address when it did not start the line (a city written
    first, a residence name...).
    """

    housenumber: int | None
    suffix: str
    street: str
    postcode: str | None
    city: str | None
    lead: str | None = None


def _strip_department(text: str) -> str:
    """``"Lens (62)"``, ``"Lens 62"``, ``"LENS (Pas-de-Calais)"``, ``"Lens France"``: ``"Lens"``."""
    prev = None
    while prev != text:
        prev, text = text, _DEPARTMENT_RE.sub("", text).strip(" ,;-")
    return text


@functools.lru_cache(maxsize=100_000)
def parse_address(query: str) -> ParsedAddress:
    """Split a free-text French address into number, suffix, street, postcode, city.

    The query is first cleaned (:func:`clean_query`: mojibake, quotes, OCR digits, glued
    words, inverted names, complements). The address starts at the first "number +
    street type" of the line wherever it stands (as addok does), else at a leading
    number; a number after the street (``"Rue X, 12"``) is taken too. Ranges
    (``"17-19"``, ``"12 à 14"``) keep the first number. The postcode is the last 5-digit
    group (``"F-62300"`` too); the city follows it, or a comma, or comes first
    (``"LENS - 12 rue X"``), without its département (``"Lens (62)"``). A trailing city
    written without a comma or a postcode stays in ``street``: the geocoder recognises
    it against the commune names it knows.

    Examples
    --------
    >>> p = parse_address("17bis rue de la Gare 62300 Lens")
    >>> p.housenumber, p.suffix, p.street, p.postcode, p.city
    (17, 'bis', 'rue de la Gare', '62300', 'Lens')
    >>> p = parse_address("17 B, bd Basly, Lens")
    >>> p.housenumber, p.suffix, p.street, p.postcode, p.city
    (17, 'b', 'bd Basly', None, 'Lens')
    >>> parse_address("3 r de Paris").street
    'r de Paris'
    """
    text = clean_query(query)
    text = re.sub(r"\s*,[\s,]*", ", ", text).strip(" ,;-")
    if _may_match(_RANGE_FOLDED, text):
        text = _RANGE_RE.sub(r"\1\2", text)
    # the postcode: the last 5-digit group; the city follows it
    postcode: str | None = None
    city: str | None = None
    pc = next(reversed(list(_POSTCODE_RE.finditer(text))), None)
    if pc is not None:
        postcode = pc.group(1)
        city = _strip_department(text[pc.end() :].strip(" ,;-()")) or None
        text = text[: pc.start(1)].strip(" ,;-(")
        text = re.sub(r"[\s,;-]*\bf\s?-?$", "", text, flags=re.IGNORECASE)
    else:
        text = _strip_department(text)
    lead: str | None = None
    m = _START_RE.search(text)
    if m is not None and m.start() > 0:
        lead = text[: m.start()].strip(" ,;-") or None
        text = text[m.start() :]
    elif m is None and not _NUMBER_RE.match(text) and "," in text:
        # "Résidence X, 17 rue Y": the address starts at the first segment with a number
        segments = text.split(",")
        start = next(
            (i for i, seg in enumerate(segments)
             if _NUMBER_RE.match(seg) and re.search(r"[^\W\d_]{3,}", seg)),
            0,
        )  # fmt: skip
        lead = ",".join(segments[:start]).strip(" ,") or None
        text = ",".join(segments[start:]).strip()
    number: int | None = None
    suffix = ""
    m = _NUMBER_RE.match(text)
    if m:
        rest = text[m.end() :]
        raw_suffix = (m.group(2) or "").lower()
        if raw_suffix == "r" and rest and normalize(rest).split()[0] not in STREET_TYPES:
            # "3 r de Paris": the "r" is the street type, not a suffix
            rest = text[m.start(2) :]
            raw_suffix = ""
        number = int(m.group(1))
        suffix = normalize_suffix(raw_suffix)
        text = rest
    if pc is None and "," in text:
        head, _, tail = text.rpartition(",")
        tail_is_number = re.fullmatch(rf"\s*\d{{1,4}}\s*(?:{_SUFFIX_RE})?\s*", tail, re.I)
        if head.strip(" ,;") and tail.strip() and not tail_is_number:
            text, city = head, _strip_department(tail.strip()) or None
    if number is None:  # "Rue X, 12", "Rue X n°12", "Rue X 12"
        after = re.search(rf"[\s,]+(\d{{1,4}})\s*({_SUFFIX_RE})?\s*$", text, re.IGNORECASE)
        if (
            after is not None
            and after.start() > 0
            and ("," in text[after.start() : after.end()] or split_street(normalize(text))[0])
        ):
            number = int(after.group(1))
            suffix = normalize_suffix(after.group(2))
            text = text[: after.start()]
    street = text.strip(" ,;-")
    if number is not None and "," in street:  # "17 rue X, résidence Y": the street first
        street = street.split(",", 1)[0].strip(" ;-")
    street = re.sub(r"\s+-\s+.*$", "", street) if number is not None else street
    return ParsedAddress(number, suffix, street, postcode, city, lead)


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
