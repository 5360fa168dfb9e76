"""Scores of the offline BAN geocoder: how close a street name is, and the factors.

Scores are in [0, 1]. :func:`street_similarity` compares a query's street core with
an index street's (ratio, edit distance, word cover) and :func:`find_number` looks a
house number up in a street, each applying the factors defined here (a street type
that differs, a suffix dropped, a number missing...).
"""

from __future__ import annotations

from rapidfuzz import fuzz
from rapidfuzz.distance import OSA

from ortgeo.geocoders.ban_store import Numbers
from ortgeo.geocoders.vocabulary import ALTERNATIVES, STOP_WORDS

__all__ = [
    "ACCEPT",
    "AMBIGUOUS",
    "CANDIDATE_MIN",
    "CONNECTOR_MISMATCH",
    "NUMBER_MISSING",
    "NUMBER_MISSING_FUZZY",
    "POSTCODE_MISMATCH",
    "connector_conflict",
    "find_number",
    "street_similarity",
    "token_cover",
    "words_close",
]

ACCEPT = 0.80  # below: not-found
CANDIDATE_MIN = 0.5  # alternatives below: not worth listing (the BAN's CSV drops answers ≤ 0.5)
TYPE_MISMATCH = 0.9  # "avenue X" asked, "rue X" found
NO_TYPE = 0.98  # no street type in the query
SUFFIX_ALIAS = 0.97  # "17 b" found as "17bis"
SUFFIX_DROPPED = 0.95  # "17bis" asked, only "17" exists
SUFFIX_ADDED = 0.9  # "17" asked, only "17bis" exists
NUMBER_MISSING = 0.85  # number not in the street: street point
NUMBER_MISSING_FUZZY = 0.65  # ... and the street name itself only partly matches
POSTCODE_MISMATCH = 0.8  # the city exists but the postcode is another commune's
AMBIGUOUS = 0.5  # the same street, as good, in another commune: a coin toss
FUZZY_ONLY = 0.75  # cap of a match that only a global ratio supports (not every word)
CONNECTOR_MISMATCH = 0.7  # "rue du Moulin" asked, "rue Jean Moulin" found: not the same name
_ALIASES = {"b": "bis", "bis": "b", "t": "ter", "ter": "t", "q": "quater", "quater": "q"}


def street_similarity(kind: str, core: str, q_tokens: list[str], s_kind: str, s_core: str) -> float:
    """Similarity in [0, 1] of a query street (type word ``kind``, identifying ``core``
    split in ``q_tokens``) and an index street (``s_kind``, ``s_core``).

    Examples
    --------
    >>> street_similarity("rue", "gare", ["gare"], "rue", "gare")
    1.0
    >>> street_similarity("rue", "auguste renoir", ["auguste", "renoir"], "rue", "auguste rodin")
    0.75
    """
    if core == s_core:  # the same name (the common case): no fuzzy measure needed
        return _type_factor(1.0, kind, s_kind, same=True)
    sim = fuzz.ratio(core, s_core) / 100.0
    dist = OSA.distance(core, s_core, score_cutoff=2)
    if dist <= 1 and len(s_core) >= 4:
        sim = max(sim, 0.92 if dist else 1.0)
    elif dist == 2 and len(s_core) >= 10:
        sim = max(sim, 0.85)
    s_tokens = s_core.split()
    cover = token_cover(q_tokens, s_tokens)
    if cover is not None and any(len(t) >= 4 for t in q_tokens):
        # "bd Basly", "bd E. Basly" for "bd Émile Basly"
        sim = max(sim, 0.95 - 0.05 * cover)
    elif dist > 2 and not words_close(q_tokens, s_tokens):
        # a typo budget must not turn one real name into another (Renoir → Rodin)
        glued = OSA.distance(core.replace(" ", ""), s_core.replace(" ", ""), score_cutoff=2)
        sim = max(0.95, sim) if glued <= 1 else min(sim, FUZZY_ONLY)
    return _type_factor(sim, kind, s_kind, same=False)


def _type_factor(sim: float, kind: str, s_kind: str, same: bool) -> float:
    """``sim`` times the factor of the street types (query's ``kind``, street's ``s_kind``)."""
    if kind and s_kind and kind != s_kind:
        # another type and another name: twice as doubtful ("rue des Capucines" is not
        # "rampe des Capucins")
        sim *= TYPE_MISMATCH if same else TYPE_MISMATCH * TYPE_MISMATCH
    elif not kind and s_kind:
        sim *= NO_TYPE
    return round(sim, 4)


def find_number(
    numbers: Numbers, number: int, suffix: str
) -> tuple[tuple[tuple[str, float, float, float, float], str] | None, float, str | None]:
    """``((address, rep), factor, note)`` of a house number in a street's ``numbers``
    (``(None, 0.0, None)`` when the street lacks it).

    Examples
    --------
    >>> numbers = {(17, "bis"): ("a", 0.0, 0.0, 0.0, 0.0), (3, ""): ("b", 0.0, 0.0, 0.0, 0.0)}
    >>> find_number(numbers, 17, "b")[1:], find_number(numbers, 3, "ter")[1]
    ((0.97, None), 0.95)
    """
    if (number, suffix) in numbers:
        return (numbers[(number, suffix)], suffix), 1.0, None
    alias = _ALIASES.get(suffix)
    if alias and (number, alias) in numbers:
        return (numbers[(number, alias)], alias), SUFFIX_ALIAS, None
    if suffix and (number, "") in numbers:
        note = f"suffix '{suffix}' not found: number {number} without suffix used"
        return (numbers[(number, "")], ""), SUFFIX_DROPPED, note
    if not suffix:
        others = sorted(rep for n, rep in numbers if n == number)
        if others:
            note = f"number {number} exists only as {number}{others[0]}"
            return (numbers[(number, others[0])], others[0]), SUFFIX_ADDED, note
    return None, 0.0, None


def _same_word(tok: str, word: str) -> bool:
    """``tok`` (a query word) is ``word``, or an abbreviation that may stand for it."""
    return tok == word or word in ALTERNATIVES.get(tok, ())


def token_cover(query: list[str], street: list[str]) -> float | None:
    """Penalty when every query word is found in the street name (exactly, as an
    abbreviation of several words like ``pt`` for ``president``, with one typo for words of
    5+ letters, or as an initial like "e" for "emile"), else None.

    The penalty counts 0.5 per typo or initial, 1 per street word the query lacks before
    the last word found (a first name left out: ``rue Jaurès``), 2 per word it lacks after
    it (the name goes on: ``rue du Bois`` is not ``rue du Bois du Bus``).

    Examples
    --------
    >>> street = ["emile", "basly"]
    >>> token_cover(["basly"], street), token_cover(["e", "basly"], street)
    (1, 0.5)
    >>> token_cover(["lilas"], ["lille"]) is None, token_cover(["bois"], ["bois", "bus"])
    (True, 2)
    >>> token_cover(["pt", "kennedy"], ["president", "kennedy"])
    0
    """
    used = [False] * len(street)
    penalty: float = 0
    last = -1
    for tok in query:
        free = [i for i, u in enumerate(used) if not u]
        at = next((i for i in free if _same_word(tok, street[i])), None)
        if at is None:
            if len(tok) == 1:
                at = next((i for i in free if street[i].startswith(tok) and len(street[i]) > 1),
                          None)  # fmt: skip
            elif len(tok) >= 5:
                at = next((i for i in free if OSA.distance(tok, street[i], score_cutoff=1) <= 1),
                          None)  # fmt: skip
            if at is None:
                return None
            penalty += 0.5
        used[at] = True
        last = max(last, at)
    return penalty + sum(1 if i < last else 2 for i, u in enumerate(used) if not u)


def connector_conflict(query: str, street: str) -> bool:
    """Whether a small word of the query (``du``, ``de la``...) stands before a word that
    the street name has without it: ``rue du Moulin`` is not ``rue Jean Moulin``, ``rue de
    la Mairie`` not ``rue Marie Curie`` (both normalised names).

    Examples
    --------
    >>> connector_conflict("rue du moulin", "rue jean moulin")
    True
    >>> connector_conflict("rue de gaulle", "rue charles de gaulle")
    False
    """
    q, s = query.split(), street.split()
    for i in range(len(q) - 1):
        if q[i] not in STOP_WORDS or q[i + 1] in STOP_WORDS:
            continue
        word = q[i + 1]
        long = len(word) >= 5
        at = next((j for j, w in enumerate(s)
                   if w == word or (long and OSA.distance(word, w, score_cutoff=1) <= 1)),
                  None)  # fmt: skip
        if at is not None and (at == 0 or s[at - 1] not in STOP_WORDS):
            return True
    return False


def words_close(query: list[str], street: list[str]) -> bool:
    """Whether every word of the query is in the street name, give or take a typo (1 edit
    up to 7 letters, 2 beyond) or as an initial, and every long street word is asked.

    Examples
    --------
    >>> words_close(["auguste", "renoir"], ["auguste", "rodin"])
    False
    >>> words_close(["augste", "rodni"], ["auguste", "rodin"])
    True
    """
    remaining = list(street)
    for tok in query:
        budget = 1 if len(tok) <= 7 else 2
        close = next(
            (s for s in remaining
             if (len(tok) == 1 and s.startswith(tok)) or _same_word(tok, s)
             or OSA.distance(tok, s, score_cutoff=budget) <= budget),
            None,
        )  # fmt: skip
        if close is None:
            return False
        remaining.remove(close)
    return not any(len(s) >= 4 for s in remaining)
