"""ortgeo.check_point / Verdict: French explanation, dated legal notes, communes, JSON snapshot.

Points are sourced (data/perimeters/landmarks.geojson: église Saint-Léger, Sallaumines
centre) or representative points of the bundled commune outlines (IGN ADMIN EXPRESS).
"""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest
from synthetic_catalog import write_catalog

import ortgeo

SNAPSHOT = Path(__file__).parent / "snapshots" / "verdict_synthetic.json"

CHURCH = (2.833889, 50.429167)
SALLAUMINES = (2.863056, 50.420278)
LIEVIN = (2.77428, 50.42283)
BULLY = (2.71771, 50.44647)
LOISON = (2.85446, 50.44647)
#: 20 m outside the entrée de ville sector, near Loison-sous-Lens (indicative geometry).
EDGE = (2.8486, 50.4395)
#: In Lens, 1.2 km north of the centre-ville sector (indicative geometry): firmly outside.
LENS_OUTSIDE = (2.832308, 50.45)


@pytest.fixture(scope="module")
def squares(tmp_path_factory: pytest.TempPathFactory) -> ortgeo.Catalog:
    return ortgeo.catalog(write_catalog(tmp_path_factory.mktemp("squares")))


def note(v: ortgeo.Verdict, code: str) -> str:
    return next(n["text"] for n in v.notes() if n["code"] == code)


def test_inside_verdict_explains_itself_in_a_notarys_french():
    v = ortgeo.check_point(*CHURCH, date="2024-06-01")
    assert v.status == "dedans" and v.inside is True
    assert v.layer("lens-centre-ville").status == "dedans"
    assert v.layer("call-opah-ru-coeur-de-ville").status == "dedans"
    text = v.explain()
    assert "Commune : Lens (62498)" in text
    assert "ORT de la CALL – secteurs de Lens : INCLUS — dans « Centre-ville de Lens »" in text
    assert "côté intérieur (marge ± 250" in text
    assert "arrêté préfectoral du 4 août 2019" in text and "avenant n° 2" in text
    assert "au plus tôt le 6 décembre 2023" in text  # the amendment's date is unknown
    assert "lens-centre-ville" not in text and "ort-2019" not in text  # names, not ids
    assert "indicatives" in text
    assert "Autres dispositifs, pour information" in text  # the OPAH-RU is not a sector
    for line in text.splitlines():  # no nested parentheses
        depth = 0
        for ch in line:
            depth += {"(": 1, ")": -1}.get(ch, 0)
            assert depth <= 1, line


def test_denormandie_follows_the_commune_and_the_date():
    cases = {
        (CHURCH, "2018-12-31"): "pas encore en vigueur",
        (CHURCH, "2019-06-01"): "le centre des communes de la liste officielle et des commu",
        (CHURCH, "2020-01-01"): "tout le territoire de la commune de Lens",
        (SALLAUMINES, "2024-06-01"): "est absente du tableau de l'ANCT du 18 septembre 2024",
        (LIEVIN, "2024-06-01"): "tout le territoire de la commune de Liévin",
        (BULLY, "2023-04-05"): "pas encore à cette date pour Bully-les-Mines",
        (BULLY, "2023-04-06"): "convention d'ORT signée le 6 avril 2023, d'après le tableau",
        (CHURCH, "2027-12-31"): "tout le territoire de la commune de Lens",
        (CHURCH, "2028-01-01"): "vérifier si une loi de finances postérieure l'a prorogée",
        (LOISON, "2024-06-01"): "est absente du tableau de l'ANCT du 18 septembre 2024",
    }
    for (lonlat, date), expected in cases.items():
        text = note(ortgeo.check_point(*lonlat, date=date), "denormandie")
        assert expected in text, (lonlat, date, text)
        assert "éligible" not in text
    inside = note(ortgeo.check_point(*CHURCH, date="2024-06-01"), "denormandie")
    assert "ne suffit pas et n'est pas nécessaire" in inside


def test_points_outside_lens():
    # Liévin signed the ORT but ortgeo holds none of its sectors: no answer, and why.
    v = ortgeo.check_point(*LIEVIN, date="2024-06-01")
    assert v.status == "indetermine" and v.commune.name == "Liévin"
    assert "ne contient pas les secteurs d'intervention de Liévin" in v.reason
    assert ortgeo.check_point(*BULLY, date="2024-06-01").status == "indetermine"
    # Before the CALL's chapeau convention: ortgeo holds no sector of Bully either way.
    bully = ortgeo.check_point(*BULLY, date="2023-04-05")
    assert bully.status == "indetermine" and "hors des secteurs connus d'ortgeo" in bully.reason
    # Loison-sous-Lens: the entrée de ville sector may reach into it, not established.
    loison = ortgeo.check_point(*LOISON, date="2024-06-01")
    assert loison.status == "indetermine" and loison.commune.insee == "62523"
    assert "possible, non établi" in loison.reason


def test_outside_limite_and_the_effects_notes():
    out = ortgeo.check_point(*LENS_OUTSIDE, date="2024-06-01")
    assert out.status == "dehors" and out.inside is False
    assert "NON INCLUS" in out.explain()
    assert "L752-1-2" in note(out, "effects")
    edge = ortgeo.check_point(*EDGE, date="2024-06-01")
    assert edge.status == "limite" and edge.inside is None
    assert "EN LIMITE" in edge.explain() and "à vérifier" in edge.explain()
    # before the extension ortgeo holds nothing in Loison-sous-Lens: no firm answer there
    assert ortgeo.check_point(*EDGE, date="2023-12-05").status == "indetermine"
    # The AEC sentence only for a sector that includes the centre-ville.
    assert "L752-1-1" in note(ortgeo.check_point(*CHURCH, date="2024-06-01"), "effects")
    ext = ortgeo.catalog()["lens-entree-de-ville"].geometry.representative_point()
    in_ext = ortgeo.check_point(ext.x, ext.y, date="2024-06-01", band_m=10)
    assert in_ext.layer("lens-entree-de-ville").status == "dedans"
    assert "L752-1-1" not in note(in_ext, "effects")


def test_time_uncertainty_is_an_answer():
    ext = ortgeo.catalog()["lens-entree-de-ville"].geometry.representative_point()
    v = ortgeo.check_point(ext.x, ext.y, date="2024-06-01", band_m=10)
    assert v.status == "date-incertaine" and v.inside is None
    text = v.explain()
    assert "INCLUS SOUS RÉSERVE" in text and "INCLUS —" not in text
    assert (
        "à la signature de l'avenant n° 2 et de l'avenant à la convention « chapeau » d'ORT de "
        "la CALL, dont les dates sont inconnues, au plus tôt le 6 décembre 2023"
    ) in note(v, "timing")
    assert v.to_dict()["layers"][1]["timing"] == "incertain"
    # Still there after the ACV period, with a warning to check with the CALL.
    later = ortgeo.check_point(ext.x, ext.y, date="2027-01-01", band_m=10)
    assert later.status == "date-incertaine"
    assert "vérifier auprès de la CALL" in note(later, "review")
    assert ortgeo.check_point(*CHURCH, date="2026-12-31").to_dict()["review_due"] is False
    assert ortgeo.check_point(*CHURCH, date="2027-01-01").to_dict()["review_due"] is True


def test_opah_ru_notes_before_during_after():
    before = note(ortgeo.check_point(*CHURCH, date="2021-05-01"), "opah-ru")
    during = note(ortgeo.check_point(*CHURCH, date="2024-06-01"), "opah-ru")
    after = note(ortgeo.check_point(*CHURCH, date="2026-12-01"), "opah-ru")
    assert "pas encore lancée" in before
    assert "Aides de l'OPAH-RU « Cœur de ville »" in during and "inclus" in during
    assert "l'opérateur de l'OPAH-RU" in during and "la ville" not in during
    assert "Ce n'est pas un secteur de l'ORT" in during
    assert "fin prévue vers juin 2026" in after and "prorogation" in after


def test_before_the_prefectoral_order_there_is_no_ort():
    v = ortgeo.check_point(*CHURCH, date="2019-08-03")
    assert v.status == "sans-ort" and v.ort is None
    assert v.reason == (
        "l'ORT commence le 4 août 2019, arrêté préfectoral du 4 août 2019 "
        "(date de publication non vérifiée)"
    )
    assert "AUCUN SECTEUR EN VIGUEUR" in v.explain()
    assert ortgeo.check_point(*CHURCH, date="2019-08-04").status == "dedans"


def test_invalid_points_give_reasons_not_verdicts():
    v = ortgeo.check_point(50.43, 2.83)
    assert v.status == "invalide" and "inversées" in v.reason
    assert v.to_dict()["point"]["x"] is None
    v = ortgeo.check_point(float("nan"), 50.4)
    assert v.status == "invalide"
    json.dumps(v.to_dict(), allow_nan=False)  # valid JSON even with NaN input
    far = ortgeo.check_point(5.37, 43.30)  # Marseille: a valid point, outside what ortgeo holds
    assert far.status == "indetermine" and "hors des secteurs connus d'ortgeo" in far.reason
    assert "coordonnées" not in far.reason
    xy = ortgeo.check_point(2.83, 50.43, crs=2154)  # degrees given as Lambert-93
    assert xy.status == "invalide" and "ressemblent à des degrés" in xy.reason


@pytest.mark.parametrize("band", [-5, float("nan"), float("inf"), "abc"])
def test_bad_band_is_refused(band):
    with pytest.raises(ortgeo.OrtgeoError, match="band_m must be"):
        ortgeo.check_point(*CHURCH, band_m=band)


def test_json_schema_snapshot(squares):
    """The JSON output is a contract: compare with the stored snapshot (synthetic catalogue)."""
    v = ortgeo.check_point(2.8220, 50.4290, date="2024-06-01", catalog=squares)
    got = json.loads(json.dumps(v.to_dict(), ensure_ascii=False, allow_nan=False))
    for f in got["fingerprint"]["files"]:  # a GeoPackage written now has its own bytes
        assert len(f["sha256"]) == 64
        f["sha256"] = "<64 hex>"
    if os.environ.get("ORTGEO_UPDATE_SNAPSHOTS"):  # pragma: no cover - deliberate update
        SNAPSHOT.write_text(json.dumps(got, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    assert got == json.loads(SNAPSHOT.read_text(encoding="utf-8"))
    sector = got["layers"][0]
    assert {"name", "communes", "includes_centre_ville", "acts", "timing"} <= set(sector)
    assert {"date", "date_precision"} <= set(sector["acts"][0])


def test_json_of_the_bundled_catalogue_shows_sectors_and_acts():
    d = ortgeo.check_point(*CHURCH, date="2024-06-01").to_dict()
    assert list(d)[:8] == ["date", "status", "inside", "reason", "summary", "ort_name", "point",
                           "commune"]  # fmt: skip
    centre, ext, opah = d["layers"]
    assert centre["name"] == "Centre-ville de Lens" and centre["includes_centre_ville"] is True
    assert centre["communes"] == ["62498"] and centre["timing"] == "en-vigueur"
    assert [(a["id"], a["date_precision"]) for a in centre["acts"]] == [
        ("convention-acv-2018", "exact"), ("arrete-ort-2019", "exact"),
        ("avenant-deploiement-2021", "exact"), ("convention-chapeau-2023", "exact"),
        ("avenant-2", "not-before"), ("avenant-convention-chapeau", "not-before"),
    ]  # the act chain in force on 2024-06-01  # fmt: skip
    assert ext["includes_centre_ville"] is False and ext["timing"] == "incertain"
    assert opah["kind"] == "opah-ru"
    assert d["ort"]["decided_by"] == "lens-centre-ville"
    assert d["commune"]["denormandie"]["applies"] == "commune"
    # no timing note: the uncertain entrée de ville sector neither decides nor is near
    assert [n["code"] for n in d["notes"]] == [
        "denormandie", "effects", "opah-ru", "data-status",
    ]  # fmt: skip


@pytest.mark.parametrize("lon, lat", [(200.0, 95.0), (48.85, 2.0), (float("nan"), 50.4)])
def test_an_invalid_point_gets_no_commune_or_dispositif_note(lon: float, lat: float) -> None:
    # no place, so no commune: saying "the commune is not in the ANCT table" would mislead
    for day in ("2019-06-01", "2024-06-01", "2026-12-01"):
        v = ortgeo.check_point(lon, lat, date=day)
        assert v.status == "invalide"
        assert not {n["code"] for n in v.notes()} & {"denormandie", "commune", "opah-ru"}
        assert "Denormandie" not in v.explain() and "OPAH-RU" not in v.explain()
        assert "À savoir" not in v.explain()
