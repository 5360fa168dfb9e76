"""The vocabulary of French addresses, read from the data files of ``geocoders/data/``.

Everything the normaliser and the parser know about words is here, as data (as addok
keeps its synonyms and street types in files):

* ``abbreviations.csv``: abbreviation → expansion (AFNOR NF Z10-011 and common usage);
  an abbreviation with several expansions (``pt``: président, petit, pont...) is left as
  written and matches any of them (:data:`ALTERNATIVES`);
* ``street_types.csv``: the words that start a street name (``rue``, ``avenue``...);
* ``address_words.csv``: the words of an address line that are not the street — postal
  boxes, CEDEX, flats and buildings, residences, floors, sides, recipients, connectors;
* ``departements.csv``: the départements and their regions, to read ``Lens 62`` or
  ``Sedan (Ardennes)`` and to write the BAN's ``context``.

This module is a leaf: it imports nothing of ortgeo.
"""

from __future__ import annotations

import csv
import re
import unicodedata
from collections.abc import Iterable, Sequence
from importlib import resources

__all__ = [
    "ABBREVIATIONS",
    "ALTERNATIVES",
    "DEPARTEMENTS",
    "REGIONS",
    "STOP_WORDS",
    "STREET_TYPES",
    "WORDS",
    "fold_word",
    "loose",
    "strip_accents",
    "trie_regex",
    "words_of",
]


def _rows(name: str) -> list[dict[str, str]]:
    """The rows of a data file (``#`` lines are comments)."""
    text = resources.files("ortgeo.geocoders").joinpath(f"data/{name}").read_text("utf-8")
    lines = [line for line in text.splitlines() if line.strip() and not line.startswith("#")]
    return [{k: (v or "").strip() for k, v in row.items()} for row in csv.DictReader(lines)]


def _strip_slowly(text: str) -> str:
    text = text.replace("œ", "oe").replace("Œ", "OE").replace("æ", "ae").replace("Æ", "AE")
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(c for c in decomposed if not unicodedata.combining(c))


# the accented letters of Latin-1 and Latin Extended-A, without their accents, at once
_UNACCENTED = str.maketrans({
    chr(c): _strip_slowly(chr(c)) for c in range(0xC0, 0x180)
    if _strip_slowly(chr(c)) != chr(c) and _strip_slowly(chr(c)).isascii()
})  # fmt: skip


def strip_accents(text: str) -> str:
    """Remove accents and ligatures (``œ`` → ``oe``) from ``text``.

    Examples
    --------
    >>> strip_accents("Boulevard Émile Basly, cœur de ville")
    'Boulevard Emile Basly, coeur de ville'
    """
    if text.isascii():
        return text
    text = text.translate(_UNACCENTED)
    return text if text.isascii() else _strip_slowly(text)


def fold_word(text: str) -> str:
    """Lower case, no accents (spaces and punctuation kept).

    Examples
    --------
    >>> fold_word("Bâtiment"), fold_word("Cœur")
    ('batiment', 'coeur')
    """
    return strip_accents(text).lower()


def _abbreviations() -> tuple[dict[str, str], dict[str, frozenset[str]]]:
    expansions: dict[str, list[str]] = {}
    for row in _rows("abbreviations.csv"):
        full = row["expansion"]
        found = expansions.setdefault(row["abbreviation"], [])
        if full not in found:
            found.append(full)
    single = {k: v[0] for k, v in expansions.items() if len(v) == 1}
    several = {k: frozenset(v) for k, v in expansions.items() if len(v) > 1}
    return single, several


#: Abbreviation → its one expansion (lower case, no accents), e.g. ``bd`` → ``boulevard``.
#: The first word of a street is the only place where ``r`` means ``rue``.
#: An abbreviation with several expansions is in :data:`ALTERNATIVES` instead.
ABBREVIATIONS: dict[str, str]
#: Abbreviation → the words it may stand for (``pt`` → président, petit, pont, point):
#: kept as written, it matches a street word that is one of them.
ALTERNATIVES: dict[str, frozenset[str]]
ABBREVIATIONS, ALTERNATIVES = _abbreviations()

#: Street-type words (folded): the first word of most BAN street names.
STREET_TYPES: frozenset[str] = frozenset(fold_word(r["word"]) for r in _rows("street_types.csv"))

#: The words of ``address_words.csv`` by kind (as written, lower case).
WORDS: dict[str, tuple[str, ...]] = {}
for _row in _rows("address_words.csv"):
    WORDS.setdefault(_row["kind"], ())
    WORDS[_row["kind"]] += (_row["word"],)

#: Words that carry no identity in a street or commune name (folded).
STOP_WORDS: frozenset[str] = frozenset(fold_word(w) for w in WORDS["connector"])

#: Département code → name (``"62"`` → ``"Pas-de-Calais"``).
DEPARTEMENTS: dict[str, str] = {r["code"]: r["name"] for r in _rows("departements.csv")}
#: Département code → its region (``"62"`` → ``"Hauts-de-France"``; overseas: none).
REGIONS: dict[str, str] = {r["code"]: r["region"] for r in _rows("departements.csv") if r["region"]}

_VOWELS = {"a": "[aàâä]", "e": "[eéèêë]", "i": "[iîï]", "o": "[oôö]", "u": "[uùûü]",
           "c": "[cç]"}  # fmt: skip


def loose(word: str) -> str:
    """A regex matching ``word`` with or without its accents, a space as any run of spaces
    or hyphens, an apostrophe as any apostrophe or a space.

    Examples
    --------
    >>> bool(re.fullmatch(loose("rez de chaussée"), "rez-de-chaussee"))
    True
    """
    out = []
    for ch in fold_word(word):
        if ch == " " or ch == "-":
            out.append(r"[\s-]+")
        elif ch == "'":
            out.append(r"['\s]?")
        else:
            out.append(_VOWELS.get(ch, re.escape(ch)))
    return "".join(out)


def trie_regex(words: Iterable[str]) -> str:
    """One regex matching any of ``words`` (with or without accents), as ``"|".join`` of
    them longest first would, but as a letter tree: one branch tried per letter, not one
    per word (the street-type list has 150 words).

    Examples
    --------
    >>> re.fullmatch(trie_regex(["av", "ave", "avenue", "bd"]), "avénue") is not None
    True
    >>> re.match(trie_regex(["av", "avenue"]), "avenue").group(0)
    'avenue'
    """
    tree: dict[str, dict] = {}
    for word in {fold_word(w) for w in words}:
        node = tree
        for ch in word:
            node = node.setdefault(ch, {})
        node[""] = {}

    def build(node: dict[str, dict]) -> str:
        branches = [loose(ch) + build(child) for ch, child in node.items() if ch]
        if not branches:
            return ""
        body = branches[0] if len(branches) == 1 else "(?:" + "|".join(branches) + ")"
        if "" not in node:
            return body
        return (body if len(branches) > 1 else f"(?:{body})") + "?"

    return build(tree)


def words_of(*kinds: str) -> Sequence[str]:
    """The words of some kinds of ``address_words.csv``.

    Examples
    --------
    >>> "rdc" in words_of("level")
    True
    """
    return [w for kind in kinds for w in WORDS.get(kind, ())]
