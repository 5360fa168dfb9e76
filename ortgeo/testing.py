"""SYNTHETIC test data: a fake BAN address export for Lens and its neighbours.

.. warning::

   EVERYTHING THIS MODULE WRITES IS SYNTHETIC. No real BAN address data for Lens is
   available to ortgeo's developers offline: the street NAMES of Lens below are real,
   but their courses are straight lines laid out roughly where the streets run, house
   numbers are invented, and the "generated" streets do not exist. Never use these
   files to answer a question about a real address. Every row says so in
   ``source_position`` / ``source_nom_voie`` = ``"synthetic"``.

The files have exactly the format of the official per-département export
``adresses-XX.csv.gz`` (23 ``;``-separated columns, UTF-8, Lambert-93 ``x``/``y`` and
WGS84 ``lon``/``lat`` that agree), so that the whole geocoding chain (reading, index,
matching, API fake servers) is tested on realistic input.
"""

from __future__ import annotations

import dataclasses
import itertools
import random
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from pyproj import Transformer

from ortgeo.crs import L93, WGS84, to_l93_xy
from ortgeo.geocoders.ban_export import BAN_COLUMNS
from ortgeo.geocoders.normalize import STREET_TYPES, normalize, split_street, strip_accents

__all__ = [
    "ADDOK_FIXTURE",
    "COMMUNES",
    "NONEXISTENT_STREETS",
    "SyntheticCommune",
    "noisy_variants",
    "synthetic_ban_index",
    "write_addok_ndjson",
    "write_synthetic_ban_export",
]

_to_wgs84 = Transformer.from_crs(L93, WGS84, always_xy=True)


@dataclasses.dataclass(frozen=True)
class SyntheticCommune:
    """A commune of the synthetic export and its hand-placed streets.

    ``streets`` items are ``(name, east_m, north_m, bearing_deg, length_m)``: the
    street starts at that offset from ``centre`` (lon, lat) and runs straight.
    """

    citycode: str
    name: str
    postcode: str
    centre: tuple[float, float]
    radius_m: float
    streets: tuple[tuple[str, float, float, float, float], ...] = ()


#: Known communes: Lens (real street names placed roughly along their real course,
#: several crossing the bundled perimeter limits), Loison-sous-Lens, Éleu-dit-Leauwette,
#: Liévin and Harnes.
COMMUNES: dict[str, SyntheticCommune] = {
    "62498": SyntheticCommune(
        "62498",
        "Lens",
        "62300",
        (2.8339, 50.4292),
        2200.0,
        (
            ("Place Jean Jaurès", -60, -20, 90, 130),
            ("Rue de la Gare", -330, -260, 40, 420),
            ("Rue de Paris", -40, -30, 215, 520),
            ("Boulevard Émile Basly", -420, -290, 60, 700),
            ("Rue du Maréchal Leclerc", 30, 60, 20, 600),
            ("Rue de Lannoy", 60, -40, 120, 650),
            ("Rue Anatole France", -200, 150, 300, 600),
            ("Rue François Gauthier", 250, 200, 75, 500),
            ("Route de Lille", 420, 420, 40, 1500),
            ("Avenue Alfred Maës", -1450, -120, 10, 620),
            ("Route de Béthune", -1100, 320, 318, 1400),
            ("Route de La Bassée", 40, 450, 5, 1400),
            ("Avenue Élie Reumaux", 400, -60, 95, 1100),
            ("Rue Paul Bert", -750, -20, 275, 1450),
            ("Place du Général de Gaulle", -470, -300, 100, 140),
            ("Rue Berthelot", -10, -70, 265, 300),
            ("Rue Diderot", 40, -90, 180, 350),
            ("Rue Casimir Beugnet", -250, 50, 200, 450),
            ("Rue Romuald Pruvost", 300, -350, 150, 600),
            ("Avenue Raoul Briquet", -900, 500, 20, 800),
            ("Rue de Liévin", -1300, -500, 250, 700),
            ("Rue du 11 Novembre", 150, 350, 110, 400),
            ("Rue Saint-Édouard", -1400, 1350, 60, 300),
            ("Rue René Lanoy", 600, -700, 200, 500),
            ("Rue Decrombecque", -150, -550, 230, 450),
        ),
    ),
    "62523": SyntheticCommune(
        "62523",
        "Loison-sous-Lens",
        "62218",
        (2.8533, 50.4389),
        900.0,
        (
            ("Route de Lille", -420, -280, 40, 900),
            ("Rue de Lens", -200, 0, 250, 600),
            ("Rue de la Gare", 100, -150, 160, 500),
            ("Rue Jean Jaurès", 0, 50, 80, 500),
            ("Rue Roger Salengro", 150, 200, 20, 450),
        ),
    ),
    # Éleu-dit-Leauwette really shares the postcode 62300 with Lens; several of its
    # (synthetic) streets have the name of a street of Lens (homonyms across communes).
    "62291": SyntheticCommune(
        "62291",
        "Éleu-dit-Leauwette",
        "62300",
        (2.8110, 50.4185),
        700.0,
        (
            ("Rue de Paris", -150, 80, 30, 400),
            ("Rue Paul Bert", 120, -60, 120, 350),
            ("Rue Anatole France", -60, -200, 200, 300),
            ("Rue Victor Hugo", 200, 150, 70, 400),
            ("Rue Émile Zola", -250, -50, 300, 300),
        ),
    ),
    # Liévin and Harnes (for the geocoding benchmark: a city written "Lievin", "Harnes,
    # 2 rue Y"): street names usual in the area, NOT checked against the BAN.
    "62510": SyntheticCommune(
        "62510",
        "Liévin",
        "62800",
        (2.7797, 50.4228),
        2000.0,
        (
            ("Rue de la Gare", 200, -100, 70, 600),
            ("Rue Jean Jaurès", -300, 150, 20, 700),
            ("Place Gambetta", 0, 0, 90, 120),
            ("Rue du Docteur Schweitzer", 500, 300, 140, 400),
            ("Avenue du Président Kennedy", -700, -400, 60, 900),
            ("Rue du Maréchal Foch", 300, 600, 200, 500),
            ("Rue de Lens", 800, 100, 80, 900),
        ),
    ),
    "62413": SyntheticCommune(
        "62413",
        "Harnes",
        "62440",
        (2.9066, 50.4457),
        1500.0,
        (
            ("Rue de la Gare", -200, 100, 30, 500),
            ("Rue du Général de Gaulle", 100, -200, 100, 700),
            ("Rue du Commandant Bayard", -500, 400, 150, 400),
            ("Place de la République", 0, 0, 45, 120),
            ("Rue Montgolfier", 400, 300, 10, 450),
            ("Route de Lens", -900, -300, 240, 1000),
        ),
    ),
}

_PEOPLE = (
    "Jean Moulin", "Victor Hugo", "Émile Zola", "Louis Pasteur", "Jules Ferry", "Léon Blum",
    "Jean Macé", "Gambetta", "Voltaire", "Jean-Baptiste Lebas", "Roger Salengro",
    "Georges Clemenceau", "Aristide Briand", "Maximilien Robespierre", "Denis Papin",
    "Pierre Curie", "Marie Curie", "Alfred de Musset", "Alphonse Daudet", "Honoré de Balzac",
    "Gustave Flaubert", "Jean Racine", "Pierre Corneille", "Molière", "Jean de La Fontaine",
    "Charles Péguy", "Arthur Rimbaud", "Paul Verlaine", "Guy de Maupassant", "George Sand",
    "Hector Malot", "Jules Verne", "Alexandre Dumas", "Édouard Herriot", "Henri Barbusse",
    "Anatole Le Braz", "Paul Éluard", "Louis Aragon", "Jacques Prévert", "Albert Camus",
    "Antoine de Saint-Exupéry", "Joseph Fontaine", "Auguste Lecomte", "Émile Basquin",
    "Arthur Lamendin", "Florent Evrard", "Louis Blanc", "Raspail", "Condorcet", "Lamartine",
    "Montesquieu", "Rabelais", "Descartes", "Buffon", "Lavoisier", "Ampère", "Branly",
    "Édouard Vaillant", "Jean Zay", "Pierre Brossolette", "Danielle Casanova",
    "Gabriel Péri", "Lucie Aubrac", "Guy Môquet", "Charles Debarge", "Paul Langevin",
    "Frédéric Joliot-Curie", "Marcel Cachin", "Maurice Thorez", "Benoît Frachon",
    "Ambroise Croizat", "Pablo Picasso", "Claude Debussy", "Maurice Ravel", "Georges Bizet",
    "Camille Saint-Saëns", "Hector Berlioz", "Frédéric Chopin", "Auguste Renoir",
    "Claude Monet", "Paul Cézanne", "Henri Matisse", "Eugène Delacroix", "Auguste Rodin",
    "Gustave Eiffel", "Louis Blériot", "Roland Garros", "Jean Mermoz", "Hélène Boucher",
    "Clément Ader", "Nicéphore Niépce", "Louis Braille", "Jean Monnet", "Robert Schuman",
    "Pierre Mendès France", "Vincent Auriol", "René Coty", "Paul Doumer", "Jean Bart",
    "Surcouf", "Du Guesclin", "Jeanne d'Arc", "Vercingétorix", "Charlemagne",
    "Henri IV", "Sully", "Colbert", "Vauban", "Turenne", "Lazare Carnot", "Lakanal",
    "Émile Littré", "Ernest Renan", "Jules Michelet", "Edgar Quinet", "Paul Lafargue",
    "Eugène Pottier", "Jean-Baptiste Clément", "Louise Michel", "Flora Tristan",
    "Olympe de Gouges", "Simone Veil", "Germaine Tillion", "Pierre et Marie Curie",
    "Anne Frank", "Martin Luther King", "Nelson Mandela", "Salvador Allende",
    "Ferdinand Buisson", "Paul Bert Prolongée", "Paul Painlevé", "Marcel Sembat",
    "Jules Guesde", "Jean Longuet", "Édouard Branly", "François Mitterrand",
    "Charles de Gaulle", "Général Leclerc", "Maréchal Foch", "Maréchal Joffre",
    "Capitaine Dreyfus", "Docteur Schweitzer", "Abbé Pierre", "Saint-Exupéry Prolongée",
)  # fmt: skip
_THINGS = (
    "de Douai", "d'Arras", "de Calais", "de Boulogne", "de Carvin", "d'Hénin", "d'Avion",
    "de Harnes", "de Vimy", "de Souchez", "de Sallaumines", "de Noyelles", "d'Éleu",
    "de Loos", "de Vendin", "de Billy", "de Courrières", "de Méricourt", "d'Angres",
    "des Mineurs", "de la Fosse", "du Chevalement", "des Écoles", "de l'Égalité",
    "de la Liberté", "de la Paix", "de la République", "du Marché", "de l'Abbaye",
    "du Moulin", "du Stade", "de la Mairie", "des Jardins", "du Parc", "de la Fraternité",
    "du Progrès", "de la Victoire", "des Déportés", "des Fusillés", "de la Résistance",
    "du Terril", "des Corons", "de la Cité", "du Carreau", "de la Centrale",
    "de l'Industrie", "du Commerce", "de la Poste", "de l'Hôpital", "du Cimetière",
    "de l'Église", "du Calvaire", "des Prés", "des Champs", "du Bois", "de la Source",
    "du Canal", "de la Souchez", "du Pont", "de l'Écluse", "des Sports", "de l'Avenir",
)  # fmt: skip
_GENERIC_TYPES = (
    ("Rue", 0.62), ("Avenue", 0.08), ("Boulevard", 0.04), ("Impasse", 0.08), ("Allée", 0.05),
    ("Place", 0.03), ("Chemin", 0.04), ("Square", 0.02), ("Résidence", 0.02), ("Cité", 0.02),
)  # fmt: skip

#: Street names that the generator never produces: queries for "not found" tests.
NONEXISTENT_STREETS: tuple[str, ...] = tuple(
    f"{kind} {name}"
    for name in (
        "des Lilas", "des Glycines", "des Mimosas", "des Pivoines", "des Capucines",
        "des Hortensias", "des Jonquilles", "des Coquelicots", "des Bleuets", "des Myosotis",
        "des Camélias", "des Dahlias", "des Azalées", "des Magnolias", "des Violettes",
        "des Hirondelles", "des Mésanges", "des Rossignols", "des Fauvettes", "des Pinsons",
        "des Bergeronnettes", "des Martinets", "des Loriots", "des Rubis", "des Saphirs",
        "des Émeraudes", "des Topazes", "des Peupliers", "des Érables", "des Bouleaux",
        "des Marronniers", "des Platanes", "des Châtaigniers", "des Tulipes", "des Orchidées",
    )
    for kind in ("Rue", "Allée", "Impasse")
)  # fmt: skip

#: Parameters of the SYNTHETIC export that ``.ci/addok.sh`` imports into a real addok:
#: tests regenerate the same rows to know the expected answers.
ADDOK_FIXTURE: dict[str, Any] = {
    "n_rows": 3000, "extra_citycodes": ("62523",), "n_communes": 2, "seed": 0,
}  # fmt: skip

_SUFFIXES = (("bis", 0.7), ("ter", 0.15), ("a", 0.1), ("b", 0.05))
_SPACING_M = 12.0  # between two consecutive numbers on one side
_SIDE_M = 8.0  # odd numbers 8 m left of the axis, even numbers 8 m right


def _generated_names(rng: random.Random, taken: set[str]) -> list[str]:
    """All generated names not clashing (same core) with ``taken``, in random order."""
    cores = [*_PEOPLE, *_THINGS]
    rng.shuffle(cores)
    kinds, weights = zip(*_GENERIC_TYPES, strict=True)
    names = []
    for core in cores:
        kind = rng.choices(kinds, weights)[0]
        name = f"{kind} {core}"
        key = split_street(normalize(name))[1]
        if key not in taken:
            taken.add(key)
            names.append(name)
    return names


def _street_rows(
    commune: SyntheticCommune,
    name: str,
    start: tuple[float, float],
    bearing: float,
    length: float,
    code: str,
    rng: random.Random,
) -> list[dict[str, object]]:
    """Rows of one straight street: odd numbers on the left, even on the right."""
    theta = np.radians(bearing)
    ux, uy = np.sin(theta), np.cos(theta)  # bearing: clockwise from north
    nx, ny = -uy, ux  # left-hand normal
    n_pairs = max(1, int(length // _SPACING_M))
    rows = []
    for i in range(n_pairs):
        for numero, side in ((2 * i + 1, 1.0), (2 * i + 2, -1.0)):
            t = i * _SPACING_M + (0.0 if side > 0 else _SPACING_M / 2)
            reps = [""]
            if rng.random() < 0.05:
                kinds = [kind for kind, _ in _SUFFIXES]
                reps.append(rng.choices(kinds, [weight for _, weight in _SUFFIXES])[0])
            for k, rep in enumerate(reps):
                rows.append(
                    {
                        "numero": numero,
                        "rep": rep,
                        "nom_voie": name,
                        "code": code,
                        "x": start[0] + ux * (t + 3.0 * k) + side * _SIDE_M * nx,
                        "y": start[1] + uy * (t + 3.0 * k) + side * _SIDE_M * ny,
                    }
                )
    return rows


def _commune_rows(commune: SyntheticCommune, n_rows: int, rng: random.Random) -> pd.DataFrame:
    cx, cy = (
        float(v[0]) for v in to_l93_xy(np.array([commune.centre[0]]), np.array([commune.centre[1]]))
    )
    rows: list[dict[str, object]] = []
    taken = {split_street(normalize(s[0]))[1] for s in commune.streets}
    # BAN street codes: 4 digits, then alphanumeric ones (a large commune has thousands)
    codes = (f"{c:04d}" if c < 10_000 else _alnum(rng) for c in itertools.count(10, 10))
    for name, east, north, bearing, length in commune.streets:
        rows += _street_rows(
            commune, name, (cx + east, cy + north), bearing, length, next(codes), rng
        )
        if len(rows) >= n_rows:
            break
    pool = _generated_names(rng, taken)
    serial = 0
    while len(rows) < n_rows:
        if not pool:  # every name used: number the names ("Rue Victor Hugo 2")
            serial += 1
            pool = [f"{n} {serial + 1}" for n in _generated_names(rng, set())]
        name = pool.pop()
        r = commune.radius_m * np.sqrt(rng.random())
        phi = rng.uniform(0, 2 * np.pi)
        start = (cx + r * np.cos(phi), cy + r * np.sin(phi))
        length = rng.choice((50, 80, 120, 160, 220, 300, 450))
        code = next(codes) if rng.random() < 0.6 else _alnum(rng)
        rows += _street_rows(commune, name, start, rng.uniform(0, 360), length, code, rng)
    df = pd.DataFrame(rows[:n_rows])
    df["code_insee"] = commune.citycode
    df["code_postal"] = commune.postcode
    df["nom_commune"] = commune.name
    return df


def _alnum(rng: random.Random) -> str:
    return "".join(rng.choice("abcdefghijklmnopqrstuvwxyz0123456789") for _ in range(6))


def _synthetic_commune(i: int, rng: random.Random) -> SyntheticCommune:
    """A made-up commune of Pas-de-Calais (codes 62600-62999 are not real INSEE codes)."""
    lon = rng.uniform(1.7, 3.1)
    lat = rng.uniform(50.1, 50.9)
    return SyntheticCommune(
        f"{62600 + i}", f"Synthéville-{i}",
        f"62{rng.randint(100, 999):03d}", (lon, lat), 1500.0,
    )  # fmt: skip


def write_synthetic_ban_export(
    path: str | Path,
    *,
    n_rows: int = 10_000,
    seed: int = 0,
    citycode: str = "62498",
    extra_citycodes: Sequence[str] = (),
    n_communes: int = 1,
) -> Path:
    """Write a SYNTHETIC BAN export (format of ``adresses-XX.csv.gz``).

    Parameters
    ----------
    path : str or Path
        Output file; gzip-compressed when it ends in ``.gz``.
    n_rows : int
        Total number of address rows.
    seed : int
        Random seed: same seed, same file.
    citycode : str
        Main commune, one of :data:`COMMUNES` (Lens ``62498`` by default).
    extra_citycodes : sequence of str
        More known communes, e.g. ``["62523"]`` (Loison-sous-Lens).
    n_communes : int
        Total number of communes; beyond the known ones, made-up communes
        ("Synthéville-N") are added: ``n_rows=700_000, n_communes=300`` mimics a
        département file.

    Returns
    -------
    Path
        ``path``.

    Examples
    --------
    >>> import tempfile
    >>> p = write_synthetic_ban_export(Path(tempfile.mkdtemp()) / "a.csv", n_rows=20)
    >>> p.read_text(encoding="utf-8").splitlines()[0].split(";")[:5]
    ['id', 'id_fantoir', 'numero', 'rep', 'nom_voie']
    """
    rng = random.Random(seed)
    known = [citycode, *[c for c in extra_citycodes if c != citycode]]
    for code in known:
        if code not in COMMUNES:
            raise ValueError(f"unknown synthetic commune {code!r}: use one of {sorted(COMMUNES)}")
    if n_communes - len(known) > 400:
        raise ValueError("at most 400 made-up communes (codes 62600-62999)")
    communes = [COMMUNES[c] for c in known]
    communes += [_synthetic_commune(i, rng) for i in range(max(0, n_communes - len(communes)))]
    weights = np.array([3.0] + [1.0] * (len(known) - 1) + [rng.uniform(0.5, 1.5) for _ in
                       range(len(communes) - len(known))])  # fmt: skip
    counts = np.floor(weights / weights.sum() * n_rows).astype(int)
    counts[0] += n_rows - counts.sum()
    frames = [_commune_rows(c, int(k), rng) for c, k in zip(communes, counts, strict=True) if k]
    df = pd.concat(frames, ignore_index=True)
    lon, lat = _to_wgs84.transform(df["x"].to_numpy(), df["y"].to_numpy())
    voie = df["code_insee"] + "_" + df["code"]
    suffix = np.where(df["rep"] != "", "_" + df["rep"], "")
    afnor = df["nom_voie"].map(lambda s: " ".join(strip_accents(s).upper().replace("'", " ")
                                                  .replace("-", " ").split())[:32])  # fmt: skip
    out = pd.DataFrame(
        {
            "id": voie + "_" + df["numero"].map("{:05d}".format) + suffix,
            "id_fantoir": np.where(df["code"].str.isdigit(), voie, ""),
            "numero": df["numero"].astype(str),
            "rep": df["rep"],
            "nom_voie": df["nom_voie"],
            "code_postal": df["code_postal"],
            "code_insee": df["code_insee"],
            "nom_commune": df["nom_commune"],
            "code_insee_ancienne_commune": "",
            "nom_ancienne_commune": "",
            "x": df["x"].round(2),
            "y": df["y"].round(2),
            "lon": np.round(lon, 6),
            "lat": np.round(lat, 6),
            "type_position": "entrée",
            "alias": "",
            "nom_ld": "",
            "libelle_acheminement": df["nom_commune"].map(
                lambda s: strip_accents(s).upper().replace("-", " ")
            ),
            "nom_afnor": afnor,
            "source_position": "synthetic",
            "source_nom_voie": "synthetic",
            "certification_commune": "0",
            "cad_parcelles": "",
        },
        columns=list(BAN_COLUMNS),
    )
    path = Path(path)
    out.to_csv(
        path, sep=";", index=False, encoding="utf-8", lineterminator="\n",
        compression="gzip" if path.suffix == ".gz" else None,
    )  # fmt: skip
    return path


_ABBREVIATE = {
    "rue": "r", "boulevard": "bd", "avenue": "av", "place": "pl", "impasse": "imp",
    "route": "rte", "allee": "all", "square": "sq", "chemin": "chem", "residence": "res",
    "saint": "st", "sainte": "ste", "marechal": "mal", "general": "gal", "docteur": "dr",
}  # fmt: skip


def noisy_variants(label: str, rng: random.Random) -> list[str]:
    """Five ways people mistype an address label, for tests and benchmarks.

    Lower case; no accents; abbreviations (``r``, ``bd``, ``av``, ``st``...); one typo in
    the street name (a letter replaced, dropped, doubled or two letters swapped, in a
    word of 5+ letters that is not the street type); no postcode.

    Examples
    --------
    >>> v = noisy_variants("17 Boulevard Émile Basly 62300 Lens", random.Random(0))
    >>> v[0], v[1], v[2], v[4]
    ('17 boulevard émile basly 62300 lens', '17 Boulevard Emile Basly 62300 Lens', '17 bd emile basly 62300 lens', '17 Boulevard Émile Basly Lens')
    """  # noqa: E501
    words = label.split()
    pc = next((i for i, w in enumerate(words) if len(w) == 5 and w.isdigit()), None)
    abbreviated = " ".join(_ABBREVIATE.get(normalize(w), w) for w in normalize(label).split())
    no_postcode = " ".join(w for i, w in enumerate(words) if i != pc)
    # typo: in a long word of the street part, not the type word nor the city
    street_end = pc if pc is not None else len(words)
    candidates = [
        i
        for i, w in enumerate(words[:street_end])
        if len(w) >= 5 and w.isalpha() and normalize(w) not in STREET_TYPES
    ]
    typo = label
    if candidates:
        i = rng.choice(candidates)
        w = words[i]
        j = rng.randrange(1, len(w) - 1)
        op = rng.choice(("replace", "drop", "double", "swap"))
        if op == "replace":
            letters = [c for c in "aeioulnrst" if c != w[j].lower()]
            w = w[:j] + rng.choice(letters) + w[j + 1 :]
        elif op == "drop":
            w = w[:j] + w[j + 1 :]
        elif op == "double":
            w = w[:j] + w[j] + w[j:]
        else:
            w = w[: j - 1] + w[j] + w[j - 1] + w[j + 1 :]
        typo = " ".join([*words[:i], w, *words[i + 1 :]])
    return [label.lower(), strip_accents(label), abbreviated, typo, no_postcode]


def write_addok_ndjson(csv_path: str | Path, path: str | Path) -> Path:
    """Convert a BAN export (e.g. a synthetic one) to addok's import format (NDJSON).

    One ``municipality`` object per commune and one ``street`` object per street with
    its ``housenumbers``, as ban-plateforme writes ``adresses-addok-XX.ndjson.gz``
    (``citycode`` and ``city`` as lists, ``importance`` in [0, 1]). Used to feed a real
    addok in CI (``.ci/addok.sh``) with the same addresses as the offline index.

    Examples
    --------
    >>> import json, tempfile
    >>> tmp = Path(tempfile.mkdtemp())
    >>> csv = write_synthetic_ban_export(tmp / "a.csv", n_rows=30)
    >>> lines = write_addok_ndjson(csv, tmp / "a.ndjson").read_text().splitlines()
    >>> [json.loads(line)["type"] for line in lines][:2]
    ['municipality', 'street']
    """
    import json

    from ortgeo.geocoders.ban_export import read_ban_csv

    df = read_ban_csv(csv_path)
    out: list[str] = []
    for (citycode, city), commune in df.groupby(["code_insee", "nom_commune"], sort=True):
        postcodes = sorted(commune["code_postal"].unique())
        context = "62, Pas-de-Calais, Hauts-de-France"
        out.append(json.dumps({
            "id": citycode, "type": "municipality", "name": city, "postcode": postcodes,
            "citycode": citycode, "lon": round(commune["lon"].mean(), 6),
            "lat": round(commune["lat"].mean(), 6), "x": round(commune["x"].mean(), 2),
            "y": round(commune["y"].mean(), 2), "population": 0, "city": city,
            "context": context, "importance": 0.5,
        }, ensure_ascii=False))  # fmt: skip
        for name, street in commune.groupby("nom_voie", sort=True):
            mid = street.iloc[len(street) // 2]
            numbers = {
                f"{r.numero}{r.rep}": {"id": r.id, "x": r.x, "y": r.y, "lon": r.lon, "lat": r.lat}
                for r in street.itertuples(index=False)
            }
            importance = round((np.log1p(len(street))) / 20, 5)
            out.append(json.dumps({
                "id": "_".join(mid["id"].split("_")[:2]), "type": "street", "name": name,
                "postcode": mid["code_postal"], "citycode": [citycode], "lon": mid["lon"],
                "lat": mid["lat"], "x": mid["x"], "y": mid["y"], "city": [city],
                "context": context, "importance": importance, "housenumbers": numbers,
            }, ensure_ascii=False))  # fmt: skip
    path = Path(path)
    path.write_text("\n".join(out) + "\n", encoding="utf-8")
    return path


def synthetic_ban_index(folder: str | Path | None = None, *, n_rows: int = 400, **kw: Any) -> Path:
    """Write a SYNTHETIC export and build its offline index; return the index path.

    ``kw`` goes to :func:`write_synthetic_ban_export`. ``folder`` defaults to a new
    temporary folder (the export is ``adresses-synthetic.csv.gz`` beside the index).

    Examples
    --------
    >>> from ortgeo.geocoders import BanIndex
    >>> BanIndex(synthetic_ban_index(n_rows=120)).stats()["addresses"]
    120
    """
    import tempfile

    from ortgeo.geocoders.ban_local import build_ban_index

    folder = Path(folder) if folder is not None else Path(tempfile.mkdtemp(prefix="ortgeo_"))
    csv = write_synthetic_ban_export(folder / "adresses-synthetic.csv.gz", n_rows=n_rows, **kw)
    return build_ban_index(csv, folder / "ban_index.sqlite", progress=False)
