"""The offline geocoder on what people really type (issue 12): a table that grows with
every bug. SYNTHETIC addresses of Lens, Loison-sous-Lens and Éleu-dit-Leauwette (which
shares the postcode 62300 with Lens and has streets named like streets of Lens)."""

from __future__ import annotations

from pathlib import Path

import pytest

from ortgeo.geocoders import BanLocalGeocoder, build_ban_index, read_ban_csv
from ortgeo.testing import write_synthetic_ban_export

LENS, ELEU, LOISON = "62498", "62291", "62523"


@pytest.fixture(scope="module")
def geocoder(tmp_path_factory: pytest.TempPathFactory) -> BanLocalGeocoder:
    tmp = tmp_path_factory.mktemp("patterns")
    csv = write_synthetic_ban_export(
        tmp / "a.csv.gz", n_rows=4000, extra_citycodes=[LOISON, ELEU], n_communes=3
    )
    return BanLocalGeocoder(build_ban_index(csv, tmp / "i.sqlite", progress=False))


def test_synthetic_export_has_eleu_sharing_62300_and_homonyms(tmp_path: Path) -> None:
    df = read_ban_csv(
        write_synthetic_ban_export(
            tmp_path / "a.csv.gz", n_rows=3000, extra_citycodes=[ELEU], n_communes=2
        )
    )
    assert set(df.loc[df.code_insee == ELEU, "code_postal"]) == {"62300"}
    lens = set(df.loc[df.code_insee == LENS, "nom_voie"])
    eleu = set(df.loc[df.code_insee == ELEU, "nom_voie"])
    assert {"Rue de Paris", "Rue Paul Bert"} <= lens & eleu


def test_large_commune_does_not_run_out_of_street_codes(tmp_path: Path) -> None:
    df = read_ban_csv(write_synthetic_ban_export(tmp_path / "a.csv.gz", n_rows=80_000))
    assert len(df) == 80_000
    assert df["id"].str.split("_").str[1].nunique() == df["nom_voie"].nunique()


# (query, expected label) — None: not found. Lens's streets: tests/../ortgeo/testing.py.
CASES = [
    # 1. the city narrows a shared postcode
    ("2 Rue de Paris 62300 Lens", "2 Rue de Paris 62300 Lens"),
    ("2 Rue de Paris 62300 Éleu-dit-Leauwette", "2 Rue de Paris 62300 Éleu-dit-Leauwette"),
    ("2 rue de Paris 62300 Eleu", "2 Rue de Paris 62300 Éleu-dit-Leauwette"),
    ("5 Rue Paul Bert, Lens", "5 Rue Paul Bert 62300 Lens"),
    # 2. complements anywhere
    ("chez M. Dupont, 2 rue de Paris 62300 Lens", "2 Rue de Paris 62300 Lens"),
    ("Résidence Les Tilleuls - 2 rue de Paris 62300 Lens", "2 Rue de Paris 62300 Lens"),
    ("App. 12 2 rue de Paris 62300 Lens", "2 Rue de Paris 62300 Lens"),
    ("Logt 4, 2 rue de Paris 62300 Lens", "2 Rue de Paris 62300 Lens"),
    ("Porte 4 2 rue de Paris 62300 Lens", "2 Rue de Paris 62300 Lens"),
    ("RDC 2 rue de Paris 62300 Lens", "2 Rue de Paris 62300 Lens"),
    ("B.P. 45 2 rue de Paris 62300 Lens", "2 Rue de Paris 62300 Lens"),
    ("SCI Les Lilas 2 rue de Paris 62300 Lens", "2 Rue de Paris 62300 Lens"),
    ("Maître Durand, notaire, 2 rue de Paris 62300 Lens", "2 Rue de Paris 62300 Lens"),
    ("2 rue de Paris bât B 62300 Lens", "2 Rue de Paris 62300 Lens"),
    # 3. number forms
    ("n°2 rue de Paris 62300 Lens", "2 Rue de Paris 62300 Lens"),
    ("N° 2 rue de Paris 62300 Lens", "2 Rue de Paris 62300 Lens"),
    ("No 2 rue de Paris 62300 Lens", "2 Rue de Paris 62300 Lens"),
    ("2 à 4 rue de Paris 62300 Lens", "2 Rue de Paris 62300 Lens"),
    ("2 et 4 rue de Paris 62300 Lens", "2 Rue de Paris 62300 Lens"),
    ("2, 4 rue de Paris 62300 Lens", "2 Rue de Paris 62300 Lens"),
    ("2 & 4 rue de Paris 62300 Lens", "2 Rue de Paris 62300 Lens"),
    ("002 rue de Paris 62300 Lens", "2 Rue de Paris 62300 Lens"),
    ("Rue de Paris, 2, 62300 Lens", "2 Rue de Paris 62300 Lens"),
    ("Rue de Paris n°2 62300 Lens", "2 Rue de Paris 62300 Lens"),
    # 4. glued or garbled
    ("2rue de Paris 62300 Lens", "2 Rue de Paris 62300 Lens"),
    ("2 ruede Paris 62300 Lens", "2 Rue de Paris 62300 Lens"),
    ("2 rue de Paris 62300Lens", "2 Rue de Paris 62300 Lens"),
    ("2 rue de Paris 6230O Lens", "2 Rue de Paris 62300 Lens"),
    ("(2) rue de Paris 62300 Lens", "2 Rue de Paris 62300 Lens"),
    ("« 2 rue de Paris » 62300 Lens", "2 Rue de Paris 62300 Lens"),
    ("(2 bis) rue de Paris 62300 Lens", "2 Rue de Paris 62300 Lens"),
    ("2 bisRue de Paris 62300 Lens", "2 Rue de Paris 62300 Lens"),
    ("2 Boulevard Ã‰mile Basly 62300 Lens", "2 Boulevard Émile Basly 62300 Lens"),
    ("2\u00a0rue\u00a0de\u00a0Paris 62300 Lens", "2 Rue de Paris 62300 Lens"),
    # 5. the city written other ways
    ("LENS - 2 rue de Paris", "2 Rue de Paris 62300 Lens"),
    ("2 rue de Paris Lens (62)", "2 Rue de Paris 62300 Lens"),
    ("2 rue de Paris Lens 62", "2 Rue de Paris 62300 Lens"),
    ("2 rue de Paris LENS (Pas-de-Calais)", "2 Rue de Paris 62300 Lens"),
    ("2 rue de Paris F-62300 Lens", "2 Rue de Paris 62300 Lens"),
    ("2 rue de Paris 62300 Lens France", "2 Rue de Paris 62300 Lens"),
    ("2 rue de Lens Loison s/s Lens", "2 Rue de Lens 62218 Loison-sous-Lens"),
    # 6. exports
    ("2 PARIS (RUE DE) 62300 LENS", "2 Rue de Paris 62300 Lens"),
    ("2 bis PARIS (RUE DE) 62300 LENS", "2 Rue de Paris 62300 Lens"),
    ("2.0 R DE PARIS 62300.0 LENS", "2 Rue de Paris 62300 Lens"),
    ("2 AV ALFRED MAES 62300 LENS", "2 Avenue Alfred Maës 62300 Lens"),
    ("2 Rue de Paris 62300 Lens 62300 LENS", "2 Rue de Paris 62300 Lens"),
    (
        "2 Rue de Paris 62300 Éleu-dit-Leauwette 62300 Éleu-dit-Leauwette",
        "2 Rue de Paris 62300 Éleu-dit-Leauwette",
    ),
    # 7. a real name never becomes another real one; AFNOR title words
    ("2 rue Paul Bart 62300 Lens", "2 Rue Paul Bert 62300 Lens"),
    ("2 rue Paul Berthelot 62300 Lens", None),
    ("2 rue du Mal Leclerc 62300 Lens", "2 Rue du Maréchal Leclerc 62300 Lens"),
    ("2 Place du Gal de Gaulle 62300 Lens", "2 Place du Général de Gaulle 62300 Lens"),
    # streets that do not exist
    ("2 rue des Lilas 62300 Lens", None),
    ("2 rue Auguste Renoir 62300 Lens", None),
]


@pytest.mark.parametrize(("query", "label"), CASES)
def test_what_people_type(geocoder: BanLocalGeocoder, query: str, label: str | None) -> None:
    r = geocoder.geocode(query)
    if label is None:
        assert r.status == "not-found" or r.score < 0.6, r
    else:
        assert (r.status, r.label) == ("ok", label), r
        assert r.score >= 0.6


@pytest.mark.parametrize("query", ["2 rue de Paris", "2 rue Paul Bert 62300"])
def test_homonyms_without_a_city_are_ambiguous(geocoder: BanLocalGeocoder, query: str) -> None:
    r = geocoder.geocode(query)
    assert r.score < 0.6 and "ambiguous" in r.note


def test_postcode_and_city_that_disagree_lower_the_score(geocoder: BanLocalGeocoder) -> None:
    r = geocoder.geocode("2 rue de Lens 62300 Loison-sous-Lens")
    assert r.city == "Loison-sous-Lens" and r.score < 1.0 and "62300" in r.note


@pytest.mark.parametrize(
    ("values", "indice", "query", "label"),
    [
        (["2.0", "PARIS (RUE DE)", "62300.0", "LENS"], "", "2 PARIS (RUE DE) 62300 LENS",
         "2 Rue de Paris 62300 Lens"),
        (["2", "R DE PARIS", "62300", "LENS"], "B", "2 bis R DE PARIS 62300 LENS",
         "2 Rue de Paris 62300 Lens"),
        (["2", "Rue de Paris 62300 Lens", "62300", "Lens"], None,
         "2 Rue de Paris 62300 Lens 62300 Lens", "2 Rue de Paris 62300 Lens"),
    ],
)  # fmt: skip
def test_export_columns(geocoder: BanLocalGeocoder, values, indice, query, label) -> None:
    from ortgeo.geocoders.normalize import join_export_fields

    assert join_export_fields(values, indice=indice) == query
    r = geocoder.geocode(query)
    assert (r.status, r.label) == ("ok", label) and r.score >= 0.6
