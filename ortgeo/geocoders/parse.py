"""The parts of a French address line: number, suffix, street, postcode, city.

:func:`parse_address` cleans the line (:func:`ortgeo.geocoders.clean.clean_query`), then
finds the address where it stands, as addok's ``extract_address`` does: at the first
"number + street type" of the line (else at a number after a city written first). What
comes before is the ``lead`` (a city written first, a residence, a name...), the postcode
is the last 5-digit group after the address (else before it), the city follows the
postcode or a comma, and the street ends where a residence or building name starts
(``12 rue X Résidence Les Tilleuls``): that rest is the ``tail``. The geocoder looks for a
commune in the lead and the tail when no city follows the postcode.
"""

from __future__ import annotations

import dataclasses
import functools
import re

from ortgeo.geocoders.clean import SUFFIX_RE, TYPE_RE, TYPE_WORDS, clean_query
from ortgeo.geocoders.lazyre import lazy_compile
from ortgeo.geocoders.normalize import normalize, normalize_suffix, split_street
from ortgeo.geocoders.vocabulary import (
    DEPARTEMENTS,
    STOP_WORDS,
    STREET_TYPES,
    WORDS,
    fold_word,
    trie_regex,
)

__all__ = ["ParsedAddress", "parse_address", "strip_departement"]

_NUMBER_RE = lazy_compile(
    rf"^\s*(\d{{1,4}})(?:\s*({SUFFIX_RE}))?(?=[\s,;.\-/]|$)\s*[,;.\-/]?\s*", re.IGNORECASE
)
# "17-19", "17/19", "12 à 14", "12 et 14", "12, 14", "12 & 14": the first number
_RANGE_RE = lazy_compile(
    r"(?<![\d.])(\d{1,4})(\s*(?:bis|ter)?)\s*(?:[-/&]|,|\bet\b|\ba\b|\bà\b)\s*\d{1,4}"
    r"(?:\s*(?:bis|ter))?(?=\s|,|$)",
    re.IGNORECASE,
)
_RANGE_HINT_RE = lazy_compile(r"\d\s*(?:[-/&,]|et|a|à)\s*\d", re.IGNORECASE)
_POSTCODE_RE = lazy_compile(r"(?:^|[\s,;(])(?:f\s?-\s?)?(\d{5})(?=$|[\s,;)])", re.IGNORECASE)
# "number + street type" anywhere in the line: where the address starts (as addok does)
_START_RE = lazy_compile(
    rf"(?<![\w.])(\d{{1,4}})(?:\s*({SUFFIX_RE})\b)?[\s,.]*(?=(?:{TYPE_RE})(?:\b|\.))",
    re.IGNORECASE,
)
# else the first number followed by a word, unless the line starts with a street type (a
# city written first, then a street without a type: "Givet 6 Petite Place", "Illy : 17 X")
_NUMBER_WORD_RE = lazy_compile(
    rf"(?<![\w.])\d{{1,4}}(?:\s*(?:{SUFFIX_RE})\b)?[\s,]+(?=[^\W\d_]{{2,}})", re.IGNORECASE
)
_TYPE_WORD_RE = lazy_compile(rf"(?<![^\W\d_])(?:{TYPE_RE})(?![^\W\d_])", re.IGNORECASE)
_DEPARTEMENT_RE = lazy_compile(  # "Lens (62)", "Lens 62", "Lens (Pas-de-Calais)", "France"
    r"(?:\s*\(\s*(?:\d{2,3}|2[ab]|[a-zéèêàçôî' -]+)\s*\)|\s+\d{2}|[\s,-]+france)\s*$",
    re.IGNORECASE,
)
_DEPARTEMENT_NAME_RE = lazy_compile(  # a word of its own: "Sedan Ardennes", not "Bogny-sur-Meuse"
    rf"(?:\s+-\s+|\s*,\s*|\s+)({trie_regex(DEPARTEMENTS.values())})\s*$", re.IGNORECASE
)
_TRAILING_NUMBER_RE = lazy_compile(r"[\s,]\d{1,4}\s*$")
_TAIL = 40  # longer than any département name with its parentheses and spaces
_PLACE_WORDS = frozenset(fold_word(w).split()[0] for w in WORDS["place"])
_PLACE_RE = lazy_compile(rf"(?<![^\W\d_])(?:{trie_regex(_PLACE_WORDS)})(?![^\W\d_])", re.IGNORECASE)
_ARTICLES = frozenset(fold_word(w) for w in WORDS["article"])
_COMPLEMENT_START = frozenset(fold_word(w).split()[0] for w in WORDS["place"] + WORDS["unit"])
_WORD_RE = lazy_compile(r"[^\s,]+")
_COMMAS_RE = lazy_compile(r"\s*,[\s,]*")
_WORD3_RE = lazy_compile(r"[^\W\d_]{3,}")
_F_RE = lazy_compile(r"[\s,;-]*\bf\s?-?$", re.IGNORECASE)
_LONE_NUMBER_RE = lazy_compile(rf"\s*\d{{1,4}}\s*(?:{SUFFIX_RE})?\s*", re.IGNORECASE)
_NUMBER_AFTER_RE = lazy_compile(rf"[\s,]+(\d{{1,4}})\s*({SUFFIX_RE})?\s*$", re.IGNORECASE)
_LETTERS_RE = lazy_compile(r"[^\W\d_]+")


@dataclasses.dataclass(frozen=True)
class ParsedAddress:
    """The parts of an address query.

    ``street`` is the raw street text (not normalised) after the number and before
    the postcode; ``city`` the raw text after the postcode or after a comma; ``lead``
    what stood before the address when it did not start the line (a city written
    first, a residence name...); ``tail`` what followed the street before the postcode
    when it is not the street (a residence name, a city written before its postcode).
    """

    housenumber: int | None
    suffix: str
    street: str
    postcode: str | None
    city: str | None
    lead: str | None = None
    tail: str | None = None


def strip_departement(text: str) -> str:
    """``"Lens (62)"``, ``"Lens 62"``, ``"LENS (Pas-de-Calais)"``, ``"Lens France"``,
    ``"Sedan Ardennes"``: ``"Lens"``, ``"Sedan"`` (a département name is dropped after a
    word that is not a small word: ``"Rue du Nord"`` stays).

    Examples
    --------
    >>> strip_departement("Lens (62)"), strip_departement("Sedan - Ardennes")
    ('Lens', 'Sedan')
    >>> strip_departement("Rue du Nord"), strip_departement("Bogny-sur-Meuse")
    ('Rue du Nord', 'Bogny-sur-Meuse')
    """
    prev = None
    while prev != text:
        prev = text
        # both patterns end the text: searched in its last characters only (fast)
        cut = max(0, len(text) - _TAIL)
        m = _DEPARTEMENT_RE.search(text, cut)
        if m is not None:
            text = text[: m.start()].strip(" ,;-")
        m = _DEPARTEMENT_NAME_RE.search(text, max(0, len(text) - _TAIL))
        if m is not None:
            before = _LETTERS_RE.findall(fold_word(text[: m.start()]))
            if before and before[-1] not in STOP_WORDS:
                text = text[: m.start()].strip(" ,;-")
    return text


def _cut_at_complement(street: str) -> tuple[str, str | None]:
    """``"Rue X Résidence Les Tilleuls"`` → ``("Rue X", "Résidence Les Tilleuls")``: a
    residence or building word that does not follow a small word ends the street."""
    if _PLACE_RE.search(street) is None:
        return street, None
    words = list(_WORD_RE.finditer(street))
    folded = [fold_word(w.group(0)).strip(".") for w in words]
    for i in range(1, len(folded)):
        if folded[i] not in _PLACE_WORDS:
            continue
        j = i - 1
        while j >= 0 and folded[j] in _ARTICLES:
            j -= 1
        if j < 0 or folded[j] in STOP_WORDS:
            continue  # "Rue de la Résidence": part of the name
        cut = words[j + 1].start()
        if normalize(street[:cut]) in STREET_TYPES:
            continue  # "Cours Clos du Château": a street type alone is no street
        return street[:cut].strip(" ,;-"), street[cut:].strip(" ,;-") or None
    return street, None


def _is_complement(text: str) -> bool:
    """Whether ``text`` starts with a residence or building word (``résidence du Parc``)."""
    first = fold_word(text).split()[:1]
    return bool(first) and first[0].strip(".") in _COMPLEMENT_START


# A plain line, "12 bis Rue X 62300 Lens", in one look: the cleaning steps would leave it
# as it is and the structure is plain, so parse_address gives the same parts at once (tested
# equal on every line of the benchmarks). Anything else goes the long way: a character out
# of this set, a digit in a name, a word of address_words.csv, a city ending like a
# département, a street not starting with a street type.
_PLAIN_RE = lazy_compile(
    r"(\d{1,4})(?: ?(bis|ter|quater|[a-z]))? ([a-zà-öø-ÿ][a-zà-öø-ÿ' -]*) (\d{5}) "
    r"([a-zà-öø-ÿ][a-zà-öø-ÿ' -]*)",
    re.IGNORECASE,
)
_NOISE_WORDS = frozenset(
    word for kind in ("box", "cedex", "unit", "place", "floor", "level", "recipient", "side")
    for phrase in WORDS[kind] for word in _LETTERS_RE.findall(fold_word(phrase))
) | {"n", "no", "num", "numero", "f"}  # fmt: skip
_DEPARTEMENT_LAST_WORDS = frozenset(
    _LETTERS_RE.findall(fold_word(name))[-1] for name in DEPARTEMENTS.values()
) | {"france"}
_FIRST_TYPES = frozenset(TYPE_WORDS)
_NOT_PLAIN_SUFFIXES = frozenset("rilo")


def _plain_parse(query: str) -> ParsedAddress | None:
    """The parts of a plain line at once, or None (see :data:`_PLAIN_RE`)."""
    m = _PLAIN_RE.fullmatch(query)
    if m is None or "ã" in query.lower() or "â" in query.lower() or "  " in query:
        return None
    number, suffix, street, postcode, city = m.groups()
    if " - " in street or (suffix or "").lower() in _NOT_PLAIN_SUFFIXES:
        return None  # "3 r de Paris"; "7O", "6l": OCR digits
    if street.endswith((" ", "-", "'")):
        return None
    words = _LETTERS_RE.findall(fold_word(street))
    city_words = _LETTERS_RE.findall(fold_word(city))
    if (
        not words
        or words[0] not in _FIRST_TYPES
        or not _NOISE_WORDS.isdisjoint(words[1:])
        or not _NOISE_WORDS.isdisjoint(city_words)
        or not city_words
        or city_words[-1] in _DEPARTEMENT_LAST_WORDS
        or city.endswith((" ", "-", "'"))
    ):
        return None
    return ParsedAddress(int(number), normalize_suffix(suffix), street, postcode, city)


@functools.lru_cache(maxsize=100_000)
def parse_address(query: str) -> ParsedAddress:
    """Split a free-text French address into number, suffix, street, postcode, city.

    The query is first cleaned (:func:`~ortgeo.geocoders.clean.clean_query`: mojibake,
    quotes, OCR digits, glued words, inverted names, postal boxes, CEDEX, floors, flats,
    recipients). The address starts at the first "number + street type" of the line
    wherever it stands (as addok does), else at a number after a city written first,
    else at a leading number; a number after the street (``"Rue X, 12"``) is taken too.
    Ranges (``"17-19"``, ``"12 à 14"``) keep the first number. The postcode is the last
    5-digit group after the address, else before it (``"62300 LENS, 12 rue X"``); the city
    follows it, or a comma, or comes first (``"LENS - 12 rue X"``: ``lead``), without its
    département (``"Lens (62)"``). A trailing city written without a comma or a postcode
    stays in ``street`` (or ``tail``): the geocoder recognises it against the commune
    names it knows.

    Examples
    --------
    >>> p = parse_address("17bis rue de la Gare 62300 Lens")
    >>> p.housenumber, p.suffix, p.street, p.postcode, p.city
    (17, 'bis', 'rue de la Gare', '62300', 'Lens')
    >>> p = parse_address("17 B, bd Basly, Lens")
    >>> p.housenumber, p.suffix, p.street, p.postcode, p.city
    (17, 'b', 'bd Basly', None, 'Lens')
    >>> p = parse_address("62300 LENS - 12 rue X Résidence Les Tilleuls")
    >>> p.housenumber, p.street, p.postcode, p.lead, p.tail
    (12, 'rue X', '62300', 'LENS', 'Résidence Les Tilleuls')
    """
    plain = _plain_parse(query)
    if plain is not None:
        return plain
    text = clean_query(query)
    if "," in text:
        text = _COMMAS_RE.sub(", ", text)
    text = text.strip(" ,;-")
    if _RANGE_HINT_RE.search(text):
        text = _RANGE_RE.sub(r"\1\2", text)
    # where the address starts
    start = 0
    m = _START_RE.search(text)
    if m is not None:
        start = m.start()
    elif not _NUMBER_RE.match(text):
        number_word = _NUMBER_WORD_RE.search(text)
        if number_word is not None and not _TYPE_WORD_RE.match(text):
            start = number_word.start()  # "GIVET 6 PETITE PLACE"; not "Rue du 11 Novembre 12"
        elif "," in text:  # "Résidence X, 17 Y": the first segment with a number
            segments = text.split(",")
            first = next(
                (i for i, seg in enumerate(segments)
                 if (n := _NUMBER_RE.match(seg)) and _WORD3_RE.search(seg[n.end() :])),
                0,
            )  # fmt: skip
            start = len(",".join(segments[:first])) + (1 if first else 0)
    # the postcode: the last 5-digit group after the start, else before it (city first)
    postcode: str | None = None
    city: str | None = None
    codes = list(_POSTCODE_RE.finditer(text))
    after = [c for c in codes if c.start(1) >= start]
    lead_text, body = text[:start], text[start:]
    if after:
        pc = after[-1]
        postcode = pc.group(1)
        after_pc = strip_departement(text[pc.end() :].strip(" ,;-")).strip(" ,;-()")
        city = _cut_at_complement(after_pc)[0] or None
        body = text[start : pc.start(1)].strip(" ,;-(")
        if body[-1:] in "fF-":
            body = _F_RE.sub("", body)  # "F-62300": the country
    elif codes:
        pc = codes[-1]
        postcode = pc.group(1)
        lead_text = text[: pc.start(1)] + " " + text[pc.end() : start]
    elif _NUMBER_RE.match(body) or not _TRAILING_NUMBER_RE.search(body):
        body = strip_departement(body)  # not "Rue de Paris 12": there 12 is the number
    lead = lead_text.strip(" ,;-:/()") or None
    if lead is not None:
        lead = strip_departement(lead) or None
    number: int | None = None
    suffix = ""
    m = _NUMBER_RE.match(body)
    if m:
        rest = body[m.end() :]
        raw_suffix = (m.group(2) or "").lower()
        if raw_suffix == "r" and rest and normalize(rest).split()[0] not in STREET_TYPES:
            # "3 r de Paris": the "r" is the street type, not a suffix
            rest = body[m.start(2) :]
            raw_suffix = ""
        number = int(m.group(1))
        suffix = normalize_suffix(raw_suffix)
        body = rest
    tail: str | None = None
    if postcode is None and city is None and "," in body:
        head, _, last = body.rpartition(",")
        last_is_number = _LONE_NUMBER_RE.fullmatch(last)
        if head.strip(" ,;") and last.strip() and not last_is_number:
            body = head
            if _is_complement(last):
                tail = last.strip()
            else:
                city = strip_departement(last.strip()) or None
    if number is None:  # "Rue X, 12", "Rue X n°12", "Rue X 12"
        num_after = _NUMBER_AFTER_RE.search(body, max(0, len(body) - 20))
        if (
            num_after is not None
            and num_after.start() > 0
            and (
                "," in body[num_after.start() : num_after.end()] or split_street(normalize(body))[0]
            )
        ):
            number = int(num_after.group(1))
            suffix = normalize_suffix(num_after.group(2))
            body = body[: num_after.start()]
    street = body.strip(" ,;-")
    if number is not None and "," in street:  # "17 rue X, résidence Y": the street first
        street, _, more = street.partition(",")
        street = street.strip(" ;-")
        tail = " ".join(x for x in (more.strip(" ,;-"), tail) if x) or None
    if number is not None and " - " in street:  # "17 rue X - Résidence Y"
        street, _, dash = street.partition(" - ")
        tail = " ".join(x for x in (dash.strip(" ,;-"), tail) if x) or None
    street, cut = _cut_at_complement(street)
    if cut:
        tail = " ".join(x for x in (cut, tail) if x)
    return ParsedAddress(number, suffix, street, postcode, city, lead, tail)
