"""The offline geocoder on every way people write an address (issue 21): one table per family
of ``benchmarks/address_forms.toml``, on SYNTHETIC addresses of Lens, Loison-sous-Lens,
Éleu-dit-Leauwette (which shares 62300 with Lens), Liévin and Harnes. A table that grows
with every bug; ``None``: nothing confident (score < 0.6)."""

from __future__ import annotations

import pytest

from ortgeo.geocoders import BanLocalGeocoder, build_ban_index
from ortgeo.geocoders.clean import clean_query, ocr_readings
from ortgeo.geocoders.normalize import join_export_fields
from ortgeo.geocoders.parse import parse_address
from ortgeo.testing import write_synthetic_ban_export

LENS_2 = "2 Rue de Paris 62300 Lens"
HARNES_2 = "2 Rue Montgolfier 62440 Harnes"
LOISON_2 = "2 Rue de Lens 62218 Loison-sous-Lens"


@pytest.fixture(scope="module")
def geocoder(tmp_path_factory: pytest.TempPathFactory) -> BanLocalGeocoder:
    tmp = tmp_path_factory.mktemp("forms")
    csv = write_synthetic_ban_export(
        tmp / "a.csv.gz", n_rows=6000, n_communes=5,
        extra_citycodes=["62523", "62291", "62510", "62413"],
    )  # fmt: skip
    return BanLocalGeocoder(build_ban_index(csv, tmp / "i.sqlite", progress=False))


FAMILIES = {
    "city first": [
        ("LENS - 2 rue de Paris", LENS_2),
        ("Harnes, 2 rue Montgolfier", HARNES_2),
        ("62440 HARNES, 2 RUE MONTGOLFIER", HARNES_2),
        ("HARNES (62440) 2 Rue Montgolfier", HARNES_2),
        ("62300 - LENS - 2 RUE DE PARIS", LENS_2),
        ("62300 Lens 2 rue de Paris", LENS_2),
        ("Loison-sous-Lens : 2 rue de Lens", LOISON_2),
        ("Harnes / 2 rue Montgolfier", HARNES_2),
    ],
    "complement, no comma": [
        ("2 Rue Montgolfier Porte 4 62440 Harnes", HARNES_2),
        ("Résidence Les Tilleuls 2 rue de Paris 62300 Lens", LENS_2),
        ("2 rue de Paris Résidence du Parc 62300 Lens", LENS_2),
        ("2 rue de Paris Le Clos Fleuri 62300 Lens", LENS_2),
        ("2 rue de Paris Les Jardins de Flore Lens", LENS_2),
        ("Esc A Apt 12 2 rue de Paris 62300 Lens", LENS_2),
        ("2 rue de Paris Bât C Appt 31 62300 Lens", LENS_2),
        ("Mme Martin Entrée B porte 3 2 rue de Paris 62300 Lens", LENS_2),
        ("2 rue de Paris Lot 12 Lens", LENS_2),
        ("17 rue de la Porte d'Arras, Lens", None),  # a name, not a door: and no such street
    ],
    "postal box, CEDEX": [
        ("2 rue de Paris BP 123 62300 Lens", LENS_2),
        ("2 rue de Paris B.P. 45 62307 LENS CEDEX", LENS_2),
        ("BP 45 2 rue de Paris 62300 Lens", LENS_2),
        ("2 rue de Paris CS 40001 62307 LENS CEDEX", LENS_2),
        ("2 rue de Paris CS40001 62300 Lens", LENS_2),
        ("2 rue de Paris 62307 LENS CEDEX 9", LENS_2),
        ("2 rue de Paris TSA 12345 62302 Lens Cédex", LENS_2),
        ("2 rue de Paris Boîte postale 12 62300 Lens", LENS_2),
    ],
    "floor": [
        ("2 rue de Paris 2e étage 62300 Lens", LENS_2),
        ("RDC 2 rue de Paris 62300 Lens", LENS_2),
        ("2 rue de Paris, 3ème ét., 62300 Lens", LENS_2),
        ("2e étage gauche 2 rue de Paris 62300 Lens", LENS_2),
        ("2 rue de Paris 1er gauche 62300 Lens", LENS_2),
        ("2 rue de Paris rez-de-chaussée Lens", LENS_2),
        ("2 rue de Paris ET 3 62300 Lens", LENS_2),
        ("2 rue de Paris R+2 62300 Lens", LENS_2),
    ],
    "title": [
        ("2 rue du Mal Leclerc 62300 Lens", "2 Rue du Maréchal Leclerc 62300 Lens"),
        ("2 Av du Pdt Kennedy 62800 Liévin", "2 Avenue du Président Kennedy 62800 Liévin"),
        ("2 Av. du Pt Kennedy, Liévin", "2 Avenue du Président Kennedy 62800 Liévin"),
        ("2 Rue du Dr Schweitzer 62800 Lievin", "2 Rue du Docteur Schweitzer 62800 Liévin"),
        ("2 Rue du Cdt Bayard 62440 Harnes", "2 Rue du Commandant Bayard 62440 Harnes"),
        ("2 Rue du Gl de Gaulle, Harnes", "2 Rue du Général de Gaulle 62440 Harnes"),
        ("2 Rue du Mar. Foch Liévin", "2 Rue du Maréchal Foch 62800 Liévin"),
    ],
    "OCR": [
        ("2 rue de Pari5 62300 Lens", LENS_2),
        ("l2 rue de Paris 623OO Lens", "12 Rue de Paris 62300 Lens"),
        ("2 Rue Montgo1fier 6244O Harnes", HARNES_2),
        ("2 RUE DE PARIS 62300 LEN5", LENS_2),
        ("2 rue du rnaréchal Leclerc 62300 Lens", "2 Rue du Maréchal Leclerc 62300 Lens"),
        ("s Rue de Paris 62300 Lens", "5 Rue de Paris 62300 Lens"),
    ],
    "short city": [
        ("2 rue de Lens Loison s/s Lens", LOISON_2),
        ("2 rue de Lens Loison ss Lens", LOISON_2),
        ("2 rue de Lens Loison/Lens", LOISON_2),
        ("2 rue de Lens Loison 62", LOISON_2),
        ("2 rue de Lens Loison (62)", LOISON_2),
        ("2 Rue Victor Hugo Eleu", "2 Rue Victor Hugo 62300 Éleu-dit-Leauwette"),
        ("2 Rue Victor Hugo Eleu dit Leauwette Pas-de-Calais",
         "2 Rue Victor Hugo 62300 Éleu-dit-Leauwette"),
        ("2 Rue du Docteur Schweitzer Lievin", "2 Rue du Docteur Schweitzer 62800 Liévin"),
        ("2 rue de Paris LENS 62", LENS_2),
    ],
    "nothing confident": [
        ("2 rue des Lilas 62300 Lens", None),  # no such street
        ("2 Rue Montgolfier 62300 Lens", None),  # a street of Harnes, not of Lens
        ("2 Rue du Commandant Bayard, Liévin", None),
        ("2 Avenue Montgolfier 62440 Harnes", "2 Rue Montgolfier 62440 Harnes"),  # type only
        ("2 rue de la Gare", None),  # Lens, Loison-sous-Lens, Liévin, Harnes: which one?
        ("3 Rue Jean Jaurès", None),  # Loison-sous-Lens and Liévin (and Place Jean Jaurès)
    ],
}  # fmt: skip
CASES = [(family, q, label) for family, rows in FAMILIES.items() for q, label in rows]


@pytest.mark.parametrize(("family", "query", "label"), CASES)
def test_ways_of_writing(geocoder: BanLocalGeocoder, family: str, query: str, label) -> None:
    r = geocoder.geocode(query)
    if label is None:
        assert r.status == "not-found" or r.score < 0.6, r
    else:
        assert (r.status, r.label) == ("ok", label), r
        assert r.score >= 0.6, r


@pytest.mark.parametrize(
    ("columns", "label"),
    [
        (["2", "Rue de Paris", "Résidence Les Tilleuls", "62300", "Lens"], LENS_2),
        (["Bât. B", "2", "Rue de Paris", "62300", "Lens"], LENS_2),
        (["2 Rue de Paris", "Appartement 24", "Lens", "62300"], LENS_2),
        (["M. Dupont", "Cité des Fleurs", "2 Rue de Paris", "62300", "Lens"], LENS_2),
    ],
)
def test_complement_column(geocoder: BanLocalGeocoder, columns: list[str], label: str) -> None:
    r = geocoder.geocode(join_export_fields(columns))
    assert (r.status, r.label) == ("ok", label) and r.score >= 0.6, r


def test_ocr_is_tried_only_when_the_line_is_not_found_exactly(geocoder) -> None:
    assert ocr_readings("12 rue de Paris 62300 Lens") == []
    r = geocoder.geocode("2 rue de Pari5 62300 Lens")
    assert "(OCR)" in r.note
    assert "(OCR)" not in (geocoder.geocode(LENS_2).note or "")


@pytest.mark.parametrize(
    ("query", "street", "lead", "tail"),
    [
        ("62300 LENS - 12 rue X", "rue X", "LENS", None),
        ("12 rue X Résidence Les Tilleuls 62300 Lens", "rue X", None, "Résidence Les Tilleuls"),
        ("12 rue de la Résidence 62300 Lens", "rue de la Résidence", None, None),
        ("12 rue X Cité des Fleurs Loison 62218", "rue X", None, "Cité des Fleurs Loison"),
        ("11 Cours Clos du Château, Glaire", "Cours Clos du Château", None, None),
        ("56 Grand-Rue Résidence Le Beffroi", "Grand-Rue", None, "Résidence Le Beffroi"),
        ("Noyers-Pont-Maugis - 1, Petite Rue", "Petite Rue", "Noyers-Pont-Maugis", None),
        ("GIVET 6 PETITE PLACE", "PETITE PLACE", "GIVET", None),
    ],
)
def test_parse_lead_and_tail(query: str, street: str, lead, tail) -> None:
    p = parse_address(query)
    assert (p.street, p.lead, p.tail) == (street, lead, tail)


@pytest.mark.parametrize(
    ("text", "cleaned"),
    [
        ("12 rue X BP 45 62300 Lens", "12 rue X 62300 Lens"),
        ("12 rue X 62307 LENS CEDEX 9", "12 rue X 62307 LENS"),
        ("2e étage gauche 12 rue X", "12 rue X"),
        ("12 rue du 1er Mai 3e D Lens", "12 rue du 1er Mai Lens"),
        ("12 et 14 rue X", "12 et 14 rue X"),
        ("Esc A Apt 12 4 rue X", "4 rue X"),
        ("12 rue de la Tour A", "12 rue de la Tour A"),
        ("chez M. Dupont, 12 rue X", ", 12 rue X"),
        ("4 Esplanade du Lac", "4 Esplanade du Lac"),  # not "Esp la nade"
        ("2 ruede Paris", "2 rue de Paris"),
        ("130 CHE DE LA CHAUFFERIE", "130 CHE DE LA CHAUFFERIE"),  # not "Ch" + "E"
        ("3 rue X La Neuville-en-Tourne-à-Fuy", "3 rue X La Neuville-en-Tourne-à-Fuy"),
    ],
)
def test_clean_steps(text: str, cleaned: str) -> None:
    assert clean_query(text) == cleaned
