"""French address normalisation and parsing.

Turns what people type (``"17bis, bd E. Basly 62300 LENS"``) into comparable parts:
house number, suffix, normalised street name, postcode and city. Normalisation is
lower case, no accents, apostrophes/hyphens/punctuation as spaces, and the usual
abbreviations expanded (``bd`` → ``boulevard``, ``st`` → ``saint``...), so that the BAN
name ``Boulevard Émile Basly`` and the query ``bd emile basly`` become the same text.
"""

from __future__ import annotations

import dataclasses
import functools
import re
import unicodedata

__all__ = [
    "ABBREVIATIONS",
    "STOP_WORDS",
    "STREET_TYPES",
    "ParsedAddress",
    "normalize",
    "normalize_suffix",
    "parse_address",
    "split_street",
    "strip_accents",
]

#: Abbreviation → full word (after lower-casing and accent removal).
ABBREVIATIONS: dict[str, str] = {
    "r": "rue",
    "bd": "boulevard",
    "bld": "boulevard",
    "blvd": "boulevard",
    "boul": "boulevard",
    "av": "avenue",
    "ave": "avenue",
    "aven": "avenue",
    "pl": "place",
    "chem": "chemin",
    "ch": "chemin",
    "che": "chemin",
    "imp": "impasse",
    "rte": "route",
    "all": "allee",
    "ale": "allee",
    "sq": "square",
    "fg": "faubourg",
    "fbg": "faubourg",
    "crs": "cours",
    "qu": "quai",
    "res": "residence",
    "resid": "residence",
    "pass": "passage",
    "sent": "sentier",
    "prom": "promenade",
    "rpt": "rond point",
    "carr": "carrefour",
    "st": "saint",
    "ste": "sainte",
    "sts": "saints",
    "mal": "marechal",
    "mar": "marechal",
    "gal": "general",
    "gen": "general",
    "pdt": "president",
    "pres": "president",
    "dr": "docteur",
    "doct": "docteur",
    "cdt": "commandant",
    "cmdt": "commandant",
    "capt": "capitaine",
    "cpt": "capitaine",
    "lt": "lieutenant",
    "prof": "professeur",
    "mgr": "monseigneur",
    "mme": "madame",
    "n d": "notre dame",
}

#: Street-type words (normalised). The first word of most BAN street names.
STREET_TYPES: frozenset[str] = frozenset(
    {
        "rue", "boulevard", "avenue", "place", "chemin", "impasse", "route", "allee",
        "square", "faubourg", "cours", "quai", "residence", "lotissement", "passage",
        "sentier", "promenade", "rond", "carrefour", "cite", "ruelle", "voie", "esplanade",
        "parvis", "hameau", "domaine", "clos", "venelle", "mail", "sente", "galerie",
        "rocade", "parc", "chaussee", "quartier", "villa", "jardin", "lieu", "cour",
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
_RANGE_RE = re.compile(r"^\s*(\d{1,4})\s*[-/]\s*\d{1,4}(?=\s|,)")  # "17-19 rue X"
# Address complements that are not part of the street: flat, building, floor, PO box...
_COMPLEMENT_RE = re.compile(
    r"(?:(?<=[\s,])|^)(?:appt|appart(?:ement)?|apt|b[aâ]t(?:iment)?|bt|[ée]tage|esc(?:alier)?"
    r"|logement|lgt)(?:\.|\b)(?:\s*(?:n[°o]\.?\s*)?[\w-]{1,6}(?=[\s,]|$))?"
    r"|\b\d{1,2}\s*(?:er|re|ere|ère|e|ème|eme)\s+[ée]tage\b"
    r"|\b(?:bp|cs)\s*\d+\b|\bcedex(?:\s*\d+)?\b",
    re.IGNORECASE,
)
_POSTCODE_RE = re.compile(r"(?:^|[\s,;])(\d{5})(?=$|[\s,;])")
_PUNCT_RE = re.compile(r"[^a-z0-9]+")
_TWO_WORD_ABBR = {tuple(k.split()): v for k, v in ABBREVIATIONS.items() if " " in k}


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


@functools.lru_cache(maxsize=200_000)
def normalize(text: str) -> str:
    """Normalise a French street or place name for comparison.

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
    words = _PUNCT_RE.sub(" ", strip_accents(text).lower()).split()
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
        if word == "r" and out:
            out.append(word)
        else:
            out.append(ABBREVIATIONS.get(word, word))
        i += 1
    return " ".join(out)


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
        if kind == "rond" and words and words[0] == "point":
            kind = "rond point"
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
    the postcode; ``city`` the raw text after the postcode or after a comma.
    """

    housenumber: int | None
    suffix: str
    street: str
    postcode: str | None
    city: str | None


@functools.lru_cache(maxsize=100_000)
def parse_address(query: str) -> ParsedAddress:
    """Split a free-text French address into number, suffix, street, postcode, city.

    Recognised forms (house numbers have 1 to 4 digits; 5 digits are a postcode):
    ``"17 rue X"``, ``"17bis rue X"``, ``"17 B rue X"``,
    ``"17, rue X"``, ``"17-19 rue X"`` (the first number), ``"rue X 62300 Lens"``,
    ``"17 rue X, Lens"``. Complements (``appt 12``, ``bât. B``, ``2e étage``, ``BP 40``,
    ``CEDEX``) and a leading segment without number (``"Résidence X, 17 rue Y"``) are
    dropped. A single letter after
    the number is a suffix unless it is the abbreviation ``r`` (rue) followed by a name.
    A trailing city written without a comma or a postcode stays in ``street``: the
    geocoder recognises it against the commune names it knows.

    Examples
    --------
    >>> p = parse_address("17bis rue de la Gare 62300 Lens")
    >>> p.housenumber, p.suffix, p.street, p.postcode, p.city
    (17, 'bis', 'rue de la Gare', '62300', 'Lens')
    >>> parse_address("17 B, bd Basly, Lens")
    ParsedAddress(housenumber=17, suffix='b', street='bd Basly', postcode=None, city='Lens')
    >>> parse_address("3 r de Paris").street
    'r de Paris'
    """
    text = " ".join(query.replace("\u00a0", " ").split())
    text = _COMPLEMENT_RE.sub(" ", text)
    text = re.sub(r"\s*,[\s,]*", ", ", text).strip(" ,")
    if not _NUMBER_RE.match(text) and "," in text:
        # "Résidence X, 17 rue Y": the address starts at the first segment with a number
        segments = text.split(",")
        start = next((i for i, seg in enumerate(segments) if _NUMBER_RE.match(seg)), 0)
        text = ",".join(segments[start:]).strip()
    text = _RANGE_RE.sub(r"\1", text)  # a range of numbers: keep the first
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
    postcode: str | None = None
    city: str | None = None
    # the last 5-digit group: the postcode comes after the street
    pc = next(reversed(list(_POSTCODE_RE.finditer(text))), None)
    if pc is not None:
        postcode = pc.group(1)
        city = text[pc.end() :].strip(" ,;-") or None
        text = text[: pc.start(1)]
    elif "," in text:
        head, _, tail = text.rpartition(",")
        if head.strip(" ,;") and tail.strip():
            text, city = head, tail.strip()
    street = text.strip(" ,;-")
    if number is not None and "," in street:  # "17 rue X, résidence Y": the street first
        street = street.split(",", 1)[0].strip(" ;-")
    return ParsedAddress(number, suffix, street, postcode, city)
