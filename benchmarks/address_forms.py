"""Noisy address queries, by family, from the list of ways people write an address.

The forms and their vocabulary are data (``benchmarks/address_forms.toml``), written before
the normaliser was tuned; this module only fills them in with real or synthetic addresses
(a BAN-export frame) and records what the right answer is::

    queries = make_queries(rows, index_rows, load_forms(), per_family=150, seed=0)

Each query row: ``dataset, family, query, cells`` (the columns of a city-hall export, for
the complement-column family; else empty), and the expected ``numero, rep, street,
citycode`` (empty for the families that expect nothing confident).
"""

from __future__ import annotations

import random
import re
import tomllib
import unicodedata
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pandas as pd
from rapidfuzz import fuzz, process

FORMS = Path(__file__).with_name("address_forms.toml")
_STOP = {"de", "du", "des", "la", "le", "les", "l", "d", "a", "au", "aux", "et", "en", "sur",
         "sous", "dit", "lès"}  # fmt: skip
_TYPES = {"rue", "avenue", "boulevard", "place", "impasse", "allee", "chemin", "route",
          "square", "quai", "cours", "residence", "cite", "faubourg", "passage", "sentier",
          "voie", "ruelle", "rond", "lotissement", "hameau", "esplanade", "promenade",
          "parvis", "chaussee", "clos", "domaine", "pl", "av", "bd", "r"}  # fmt: skip


def load_forms(path: Path = FORMS) -> dict[str, Any]:
    """The list of forms (``address_forms.toml``)."""
    with path.open("rb") as f:
        return tomllib.load(f)


def fold(text: str) -> str:
    """Lower case, no accents, words of letters and digits."""
    text = unicodedata.normalize("NFKD", str(text))
    text = "".join(c for c in text if not unicodedata.combining(c)).lower()
    return " ".join(re.sub(r"[^a-z0-9]+", " ", text).split())


def core(street: str) -> str:
    """A street's identifying words (no type word, no articles), folded."""
    words = fold(street).split()
    if words and words[0] in _TYPES:
        words = words[1:]
    return " ".join(w for w in words if w not in _STOP) or " ".join(words)


def la_poste(city: str) -> str:
    """``Loison-sous-Lens`` → ``LOISON SOUS LENS`` (capitals, no accents, no hyphens)."""
    text = unicodedata.normalize("NFKD", city)
    text = "".join(c for c in text if not unicodedata.combining(c))
    return " ".join(re.sub(r"[-'’]", " ", text).upper().split())


def _plain(city: str) -> str:
    text = unicodedata.normalize("NFKD", city)
    return "".join(c for c in text if not unicodedata.combining(c))


class _Commune:
    def __init__(self, code: str, name: str, postcodes: list[str], cores: set[str]) -> None:
        self.code, self.name, self.postcodes, self.cores = code, name, postcodes, cores


def short_forms(name: str, all_names: list[str], rules: dict[str, Any]) -> list[str]:
    """The short forms of a commune name that name no other commune of ``all_names``.

    Examples
    --------
    >>> rules = load_forms()["short_city"]
    >>> sorted(short_forms("Loison-sous-Lens", ["Lens", "Loison-sous-Lens"], rules))[:3]
    ['LOISON SOUS LENS', 'Loison', 'Loison s/s Lens']
    """
    out: set[str] = set()
    for old, new in rules.get("replace", []):
        if old in name:
            out.add(name.replace(old, new))
    if rules.get("accents"):
        out.add(_plain(name))
    if rules.get("hyphens"):
        out.add(name.replace("-", " "))
        out.add(_plain(name).replace("-", " "))
    if rules.get("la_poste"):
        out.add(la_poste(name))
    others = [fold(n) for n in all_names if fold(n) != fold(name)]
    if rules.get("first_words"):
        words = re.split(r"[\s-]+", name)
        k = 1
        while k < len(words) and fold(words[k - 1]) in _STOP | {"les", "la", "le"}:
            k += 1
        head = " ".join(words[:k])
        if k < len(words) and len(fold(head)) >= 4:
            clash = [o for o in others if o == fold(head) or o.startswith(fold(head) + " ")]
            if not clash:
                out.add(head)
                out.add(_plain(head))
    out.discard(name)
    return sorted(v for v in out if fold(v) not in others)


def _cedex(pc: str, taken: set[str], rng: random.Random) -> str:
    """A CEDEX code of the commune: same first 4 digits, another last one, no commune's."""
    digits = [d for d in "123456789" if d != pc[-1] and pc[:-1] + d not in taken]
    return pc[:-1] + rng.choice(digits) if digits else pc


def _ocr(text: str, pairs: list[list[str]], k: int, rng: random.Random) -> str:
    """``k`` OCR confusions (either way of a pair), each where the text has it."""
    for _ in range(k):
        spots = [
            (m.start(), a, b)
            for x, y in pairs
            for a, b in ((x, y), (y, x))
            for m in re.finditer(re.escape(a), text)
        ]
        if not spots:
            break
        at, a, b = rng.choice(spots)
        text = text[:at] + b + text[at + len(a) :]
    return text


def _title_forms(street: str, titles: dict[str, list[str]], rng: random.Random) -> str | None:
    """The street with one title word abbreviated, or None when it has none."""
    found = [
        (m.start(), m.end(), word)
        for word in titles
        for m in re.finditer(rf"(?<![\w]){re.escape(word)}(?![\w])", street)
    ]
    if not found:
        return None
    start, end, word = rng.choice(found)
    return street[:start] + rng.choice(titles[word]) + street[end:]


def make_queries(
    rows: pd.DataFrame,
    index_rows: pd.DataFrame,
    forms: dict[str, Any],
    per_family: int,
    seed: int,
    dataset: str = "",
    families: list[str] | None = None,
    made_up: bool = False,
) -> pd.DataFrame:
    """Queries of every family from the addresses ``rows`` (BAN-export columns).

    ``index_rows`` is everything the geocoders hold (``rows`` and more): it decides which
    streets do not exist, which communes lack a street and which addresses are homonyms.
    Communes whose name holds a digit (the made-up ones of ``ortgeo.testing``) stay in
    the index as distractors but are never asked for (``made_up``: they are, for a
    throughput set drawn from a whole synthetic département).
    """
    rng = random.Random(seed)
    voc = forms["vocabulary"]
    fams = forms["families"]
    if not made_up:
        rows = rows[~rows["nom_commune"].str.contains(r"\d", regex=True)]
    rows = rows[rows["rep"].str.fullmatch(r"|bis|ter|quater|[a-z]")]
    rows = rows.reset_index(drop=True)
    # communes of the index: names, postcodes, street cores
    communes: dict[str, _Commune] = {}
    for code, part in index_rows.groupby("code_insee"):
        communes[str(code)] = _Commune(
            str(code), str(part["nom_commune"].iloc[0]),
            sorted(part["code_postal"].unique()), {core(s) for s in part["nom_voie"].unique()},
        )  # fmt: skip
    all_names = [c.name for c in communes.values()]
    postcodes = {pc for c in communes.values() for pc in c.postcodes}
    all_cores = sorted({cc for c in communes.values() for cc in c.cores})
    shorts: dict[str, list[str]] = {}
    twins = index_rows.groupby(["nom_voie", "numero", "rep"])["code_insee"].transform("nunique")
    twin_keys = set(
        zip(*[index_rows.loc[twins > 1, c] for c in ("nom_voie", "numero", "rep")], strict=True)
    )
    fakes = [
        s for s in voc["fake_streets"]
        if not process.extractOne(core(s), all_cores, scorer=fuzz.ratio, score_cutoff=80)
    ]  # fmt: skip
    streets_by_commune = {
        code: sorted(part["nom_voie"].unique()) for code, part in rows.groupby("code_insee")
    }

    def number(r: Any) -> str:
        if not r.rep:
            return str(r.numero)
        pattern = rng.choice(forms["numbers"]["with_suffix"])
        return pattern.format(num=r.numero, rep=r.rep, REP=r.rep.upper())

    def fields(r: Any) -> dict[str, str]:
        c = communes[r.code_insee]
        if r.code_insee not in shorts:
            shorts[r.code_insee] = short_forms(c.name, all_names, forms["short_city"])
        names = shorts[r.code_insee] or [c.name]
        dep = r.code_insee[:2]
        depname = voc["departement_names"].get(dep, dep)
        short = rng.choice(names)
        if rng.random() < 0.4:
            template = rng.choice(forms["short_city"]["with_departement"])
            short = template.format(city=short, dep=dep, depname=depname)
        return {
            "n": number(r), "street": r.nom_voie, "STREET": r.nom_voie.upper(),
            "pc": r.code_postal, "dep": dep, "city": c.name, "CITY": la_poste(c.name),
            "cpl": rng.choice(voc["complements"]), "cpl2": rng.choice(voc["complements"]),
            "res": rng.choice(voc["residences"]), "who": rng.choice(voc["recipients"]),
            "floor": rng.choice(voc["floors"]), "side": rng.choice(voc["sides"]),
            "bp": str(rng.randint(1, 9999)), "cs": f"{rng.randint(1, 9)}{rng.randint(0, 9999):04d}",
            "tsa": f"{rng.randint(10000, 99999)}", "cx": rng.choice(["1", "2", "9", "01", "03"]),
            "cedex": _cedex(r.code_postal, postcodes, rng), "short": rng.choice(names),
            "short_any": short,
        }  # fmt: skip

    out: list[dict[str, Any]] = []

    def add(family: str, r: Any, query: str, cells: list[str] | None = None,
            expect: bool = True) -> None:  # fmt: skip
        out.append({
            "dataset": dataset, "family": family, "query": " ".join(query.split()),
            "cells": cells, "numero": str(r.numero) if expect else "",
            "rep": r.rep if expect else "", "street": r.nom_voie if expect else "",
            "citycode": r.code_insee if expect else "",
        })  # fmt: skip

    def sample(frame: pd.DataFrame) -> list[Any]:
        if frame.empty:
            return []
        idx = (rng.sample(range(len(frame)), per_family) if len(frame) >= per_family
               else [rng.randrange(len(frame)) for _ in range(per_family)])  # fmt: skip
        return [frame.iloc[i] for i in idx]

    def form(family: str, extra: Callable[[Any], dict[str, str]] | None = None) -> None:
        for r in sample(rows):
            f = fields(r)
            if extra is not None:
                f.update(extra(r))
            add(family, r, rng.choice(fams[family]["forms"]).format(**f))

    wanted = families or list(fams)
    for family in wanted:
        if family in ("clean", "city_first", "complement_inline", "postal_box", "floor"):
            form(family)
        elif family == "short_city":
            for r in sample(rows):
                f = fields(r)
                template = rng.choice(fams[family]["forms"])
                if "{dep}" not in template:
                    f["short"] = f["short_any"]
                add(family, r, template.format(**f))
        elif family == "title":
            titled = rows[
                rows["nom_voie"].map(
                    lambda s: _title_forms(s, forms["titles"], random.Random(0)) is not None
                )
            ]
            for r in sample(titled):
                f = fields(r)
                f["title_street"] = _title_forms(r.nom_voie, forms["titles"], rng) or r.nom_voie
                add(family, r, rng.choice(fams[family]["forms"]).format(**f))
        elif family == "ocr":
            spec = fams[family]
            for r in sample(rows):
                line = rng.choice(spec["forms"]).format(**fields(r))
                k = rng.randint(1, spec["max_confusions"])
                add(family, r, _ocr(line, spec["confusions"], k, rng))
        elif family == "complement_column":
            for r in sample(rows):
                f = fields(r)
                values = {
                    "numero": f["n"], "voie": r.nom_voie, "cp": r.code_postal, "ville": f["city"],
                    "adresse": f"{f['n']} {r.nom_voie}", "nom": f["who"],
                    "complement": f["res"] if rng.random() < 0.3 else f["cpl"],
                }  # fmt: skip
                cells = [values[c] for c in rng.choice(fams[family]["columns"])]
                add(family, r, " ".join(cells), cells=cells)
        elif family == "nonexistent":
            for r in sample(rows):
                f = fields(r)
                f["fake"] = rng.choice(fakes)
                add(family, r, rng.choice(fams[family]["forms"]).format(**f), expect=False)
        elif family == "other_commune":
            codes = sorted(streets_by_commune)
            for r in sample(rows):
                mine = communes[r.code_insee]
                other = None
                for _ in range(50):
                    code = rng.choice(codes)
                    if code == r.code_insee:
                        continue
                    name = rng.choice(streets_by_commune[code])
                    if not process.extractOne(core(name), sorted(mine.cores), scorer=fuzz.ratio,
                                              score_cutoff=75):  # fmt: skip
                        other = name
                        break
                if other is None:
                    continue
                f = fields(r)
                f["other"] = other
                add(family, r, rng.choice(fams[family]["forms"]).format(**f), expect=False)
        elif family == "homonym":
            keys = list(zip(rows["nom_voie"], rows["numero"], rows["rep"], strict=True))
            homonyms = rows[[k in twin_keys for k in keys]]
            for r in sample(homonyms):
                add(family, r, rng.choice(fams[family]["forms"]).format(**fields(r)),
                    expect=False)  # fmt: skip
        else:
            raise ValueError(f"unknown family {family!r} in {FORMS.name}")
    return pd.DataFrame(out)
