"""House numbers of a street as the official delimitations write them: ranges by side."""

from __future__ import annotations

import functools
import re
from collections import defaultdict
from collections.abc import Callable, Iterable

__all__ = [
    "NO_NUMBER",
    "format_numbers",
    "number_runs",
    "number_text",
    "sides_text",
    "street_sort_key",
]

#: House numbers at or above this are BAN place names without a number (lieux-dits).
NO_NUMBER = 99999
_REP_ORDER = {"": 0, "bis": 1, "ter": 2, "quater": 3, "quinquies": 4}


def _rep_key(rep: str) -> tuple[int, str]:
    return (_REP_ORDER.get(rep, 9), rep)


def number_text(numero: int, reps: Iterable[str]) -> str:
    """One house number with its variants: ``12 et 12 bis`` (``sans numéro`` for a place).

    Examples
    --------
    >>> number_text(12, ["bis", ""]), number_text(NO_NUMBER, [""])
    ('12 et 12 bis', 'sans numéro')
    """
    if numero >= NO_NUMBER:
        return "sans numéro"
    return " et ".join(f"{numero} {rep}".strip() for rep in sorted(reps, key=_rep_key))


def _two_apart(a: int, b: int) -> bool:
    return b - a == 2


def _next_in(rank: dict[int, int], a: int, b: int) -> bool:
    return rank[b] - rank[a] == 1


def number_runs(inside: Iterable[int], present: Iterable[int] | None = None) -> list[list[int]]:
    """Split house numbers into runs of consecutive numbers of the same side.

    Two numbers of one side follow each other when no other number of that side lies
    between them in ``present`` (the numbers that exist in the BAN for the street).
    Without ``present``, they follow each other when they differ by 2.

    Parameters
    ----------
    inside : iterable of int
        The numbers to list (one side or both).
    present : iterable of int, optional
        Every number of the street in the BAN (``inside`` included).

    Returns
    -------
    list of list of int
        Runs, odd side first then even side, each sorted.

    Examples
    --------
    >>> number_runs([1, 3, 5, 9, 11, 2, 4])
    [[1, 3, 5], [9, 11], [2, 4]]
    >>> number_runs([1, 3, 5, 9, 11], present=[1, 3, 5, 9, 11])  # no 7 in the BAN
    [[1, 3, 5, 9, 11]]
    >>> number_runs([1, 3, 9], present=[1, 3, 5, 9])  # 5 exists but is not inside
    [[1, 3], [9]]
    """
    chosen = set(inside)
    runs: list[list[int]] = []
    for parity in (1, 0):
        side = sorted(n for n in chosen if n % 2 == parity)
        if not side:
            continue
        if present is None:
            follows: Callable[[int, int], bool] = _two_apart
        else:
            order = sorted({n for n in present if n % 2 == parity} | set(side))
            rank = {n: i for i, n in enumerate(order)}
            follows = functools.partial(_next_in, rank)
        run = [side[0]]
        for n in side[1:]:
            if follows(run[-1], n):
                run.append(n)
            else:
                runs.append(run)
                run = [n]
        runs.append(run)
    return runs


def format_numbers(
    inside: Iterable[tuple[int, str]], present: Iterable[tuple[int, str]] | None = None
) -> tuple[str, str]:
    """House numbers of one street as French ranges, odd side and even side.

    A range is a run of consecutive numbers of one side that all exist in the BAN
    (``present``) and whose every variant (``12``, ``12 bis``...) is in ``inside``;
    a number with only some variants inside breaks the run and is listed alone
    with those variants. Suffixed numbers inside a range are named after it
    (« y c. 5 bis »).

    Parameters
    ----------
    inside : iterable of (int, str)
        ``(numero, rep)`` of the addresses to list (``rep`` = ``""``, ``"bis"``...).
    present : iterable of (int, str), optional
        Every ``(numero, rep)`` of the street in the BAN; default ``inside``.

    Returns
    -------
    tuple of str
        ``(odd, even)``, e.g. ``("1 à 47, 51", "2 à 50 (y c. 12 bis)")``: runs joined
        by commas, variants of one number by « et »; ``""`` for a side with no number.

    Examples
    --------
    >>> inside = [(n, "") for n in [1, 3, 5, 7, 2, 4, 6, 10]]
    >>> format_numbers(inside)  # no 8 in the BAN: 6 and 10 follow each other
    ('1 à 7', '2 à 10')
    >>> format_numbers(inside, present=[*inside, (8, "")])  # 8 exists but is not inside
    ('1 à 7', '2 à 6, 10')
    >>> format_numbers([(1, ""), (3, ""), (3, "bis"), (5, "")], [(1, ""), (3, ""), (3, "bis"),
    ...                (5, ""), (7, "")])
    ('1 à 5 (y c. 3 bis)', '')
    >>> format_numbers([(12, "bis"), (14, "")], [(12, ""), (12, "bis"), (14, "")])
    ('', '12 bis, 14')
    """
    inside_reps: dict[int, set[str]] = defaultdict(set)
    for numero, rep in inside:
        inside_reps[int(numero)].add(rep or "")
    present_reps: dict[int, set[str]] = defaultdict(set)
    for numero, rep in present if present is not None else inside:
        present_reps[int(numero)].add(rep or "")
    for numero, reps in inside_reps.items():
        present_reps[numero] |= reps
    full = {n for n, reps in inside_reps.items() if reps >= present_reps[n] and n < NO_NUMBER}
    partial = {n for n in inside_reps if n not in full}
    sides: dict[int, list[tuple[int, str]]] = {1: [], 0: []}
    for run in number_runs(full, present_reps.keys()):
        if len(run) == 1:
            text = number_text(run[0], inside_reps[run[0]])
        else:
            extra = [f"{n} {r}" for n in run for r in sorted(inside_reps[n], key=_rep_key) if r]
            text = f"{run[0]} à {run[-1]}" + (f" (y c. {', '.join(extra)})" if extra else "")
        sides[run[0] % 2].append((run[0], text))
    for n in partial:
        sides[n % 2 if n < NO_NUMBER else 1].append((n, number_text(n, inside_reps[n])))
    odd, even = (", ".join(text for _, text in sorted(sides[p])) for p in (1, 0))
    return odd, even


def sides_text(odd: str, even: str) -> str:
    """``"n° 1 à 47 impairs ; 2 à 50 pairs"``."""
    parts = [f"{odd} impairs" if odd else "", f"{even} pairs" if even else ""]
    return "n° " + " ; ".join(p for p in parts if p) if odd or even else ""


def street_sort_key(name: str) -> str:
    """Sort streets by their name without the type: « Rue de Paris » under P."""
    words = re.sub(
        r"^(rue|route|avenue|boulevard|place|impasse|allée|chemin|square|cité|résidence|"
        r"quai|passage|sentier|rond-point|cour|parvis|voie)\s+(de la |de l'|des |du |de |d')?",
        "",
        name.strip(),
        flags=re.IGNORECASE,
    )
    return words.casefold()
