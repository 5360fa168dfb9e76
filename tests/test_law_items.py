"""The legal review of issue 18, item by item, with the exact French a user reads.

Points are sourced (data/perimeters/landmarks.geojson) or representative points of the
commune outlines (IGN ADMIN EXPRESS): the church of Lens, Arras (Action Cœur de Ville, ORT
signed 14 May 2019), Liévin, Harnes, Loison-sous-Lens.
"""

from __future__ import annotations

import json

import pytest
from click.testing import CliRunner

import ortgeo
from ortgeo.cli import main

CHURCH = (2.833889, 50.429167)
ARRAS = (2.7775, 50.2910)
PARIS = (2.3522, 48.8566)
LIEVIN = (2.77428, 50.42283)
HARNES = (2.8772, 50.4467)
LOISON = (2.85446, 50.44647)


def note(v: ortgeo.Verdict, code: str) -> str:
    return next(n["text"] for n in v.notes() if n["code"] == code)


def codes(v: ortgeo.Verdict) -> list[str]:
    return [n["code"] for n in v.notes()]


# 1. -- outside what ortgeo holds: undetermined, with the commune's own status -----------------
def test_1_a_point_in_arras_is_outside_what_ortgeo_holds_not_outside_the_ort() -> None:
    v = ortgeo.check_point(*ARRAS, date="2024-06-01")
    assert v.status == "indetermine" and v.extent == "none"
    assert v.reason == (
        "hors des secteurs connus d'ortgeo : Arras (62041) a une ORT — convention d'ORT signée "
        "le 14 mai 2019, d'après le tableau de l'ANCT du 18 septembre 2024 — dont ortgeo ne "
        "contient pas les secteurs d'intervention ; consulter le plan officiel (mairie ou "
        "intercommunalité)"
    )
    text = v.explain()
    assert "Commune : Arras (62041) — Action cœur de ville ; convention d'ORT signée le 14 " \
        "mai 2019, d'après le tableau de l'ANCT du 18 septembre 2024" in text  # fmt: skip
    assert "NON INCLUS" not in text and "15 089" not in text and "Centre-ville de Lens" not in text
    assert "elle concerne tout le territoire de la commune d'Arras" in note(v, "denormandie")
    # the same commune status as `ortgeo commune 62041`
    assert v.commune == ortgeo.commune_status("62041")
    assert v.to_dict()["coverage"] == {"topic": "ort", "extent": "none", "commune": "62041",
                                       "entry": None}  # fmt: skip


def test_1_a_valid_point_in_france_is_never_a_coordinate_error() -> None:
    for lonlat in (ARRAS, PARIS, (5.37, 43.30), (-1.55, 47.22)):
        v = ortgeo.check_point(*lonlat, date="2024-06-01")
        assert v.status == "indetermine", lonlat
        assert "coordonnées" not in v.reason and "système de coordonnées" not in v.explain()
        assert v.reason.startswith("hors des secteurs connus d'ortgeo")
    # outside the outlines ortgeo has, the commune is not known: it says so, and what to give
    paris = ortgeo.check_point(*PARIS, date="2024-06-01")
    assert "commune non déterminée" in paris.reason and "code INSEE" in paris.reason
    known = ortgeo.check_point(*PARIS, date="2024-06-01", citycode="75056")
    assert known.commune.name == "Paris"
    assert "Paris est absente du tableau de l'ANCT du 18 septembre 2024" in known.reason


def test_1_locate_says_where_its_knowledge_ends() -> None:
    res = ortgeo.locate(([CHURCH[0], ARRAS[0], 2.832308], [CHURCH[1], ARRAS[1], 50.45]),
                        date="2024-06-01")  # fmt: skip
    assert res["ort_status"].tolist() == ["dedans", "indetermine", "dehors"]
    assert res["coverage"].tolist() == ["complete", "none", "complete"]
    assert res["commune"].tolist() == ["62498", "62041", "62498"]


# 2. -- the OPAH-RU of Lens, Liévin and Harnes: ortgeo draws only Lens -------------------------
@pytest.mark.parametrize(("lonlat", "name"), [(LIEVIN, "Liévin"), (HARNES, "Harnes")])
def test_2_opah_ru_in_lievin_and_harnes_is_undetermined(lonlat, name) -> None:
    v = ortgeo.check_point(*lonlat, date="2024-06-01")
    res = v.layer("call-opah-ru-coeur-de-ville")
    assert res.status == "indetermine" and res.extent == "partial"
    assert "non inclus" not in res.phrase()
    assert res.phrase().endswith("ortgeo ne trace pas la partie de la commune du point")
    assert note(v, "opah-ru") == (
        "Aides de l'OPAH-RU « Cœur de ville », portée par la Communauté d'agglomération de "
        f"Lens-Liévin : l'opération couvre aussi le centre de {name}, qu'ortgeo ne trace pas ; "
        "pour ce point, indéterminé : éligibilité à confirmer auprès de la CALL ou de "
        "l'opérateur de l'OPAH-RU. Ce n'est pas un secteur de l'ORT."
    )


def test_2_the_opah_ru_is_not_mentioned_where_it_does_not_apply() -> None:
    assert "opah-ru" not in codes(ortgeo.check_point(*ARRAS, date="2024-06-01"))


# 3. -- Loison-sous-Lens: the entrée de ville sector may reach into it ------------------------
def test_3_loison_beyond_the_drawn_strip_is_undetermined() -> None:
    v = ortgeo.check_point(*LOISON, date="2024-06-01")
    assert v.status == "indetermine" and v.extent == "possible"
    assert v.reason == (
        "le secteur « Entrée de ville – Lens/Loison-sous-Lens » peut s'étendre à "
        "Loison-sous-Lens (62523) : possible, non établi ; ortgeo n'en trace que la partie de "
        "Lens ; seul le plan annexé à l'avenant n° 2 le dira"
    )
    assert v.ort.decided_by == "lens-entree-de-ville"
    assert v.layer("lens-entree-de-ville").status == "indetermine"


def test_3_the_annex_says_62523_possible_not_established(tmp_path) -> None:
    from ortgeo.annex.texts import communes_label
    from ortgeo.maps._state import annex_state

    assert communes_label(annex_state().sectors[1]) == (
        "62498 Lens ; 62523 Loison-sous-Lens : possible, non établi"
    )
    ortgeo.write_annex(tmp_path / "a3", dpi=20)
    readme = (tmp_path / "a3" / "LISEZMOI.txt").read_text(encoding="utf-8")
    assert "communes : 62498 Lens ; 62523 Loison-sous-Lens : possible, non établi" in readme


# 4. -- the act chain is a function of the date --------------------------------------------
def test_4_acts_in_force_on_the_date_asked() -> None:
    text = ortgeo.check_point(*CHURCH, date="2019-12-31").explain()
    assert (
        "Actes en vigueur au 31 décembre 2019 : convention-cadre Action cœur de ville du 28 "
        "septembre 2018 ; arrêté préfectoral du 4 août 2019 (date de publication non vérifiée) "
        "— secteur en vigueur à partir du 4 août 2019, sans date de fin connue."
    ) in text
    assert "avenant n° 2" not in text.split("Actes en vigueur")[1].split("\n")[0]
    later = ortgeo.check_point(*CHURCH, date="2024-06-01").explain()
    for act in ("avenant « phase de déploiement » du 10 février 2021",
                "convention « chapeau » d'ORT de la CALL du 6 avril 2023",
                "avenant n° 2, date de signature inconnue, au plus tôt le 6 décembre 2023",
                "avenant à la convention « chapeau » d'ORT de la CALL"):  # fmt: skip
        assert act in later, act
    # between the chapeau convention and the amendment: the convention, not the amendment
    mid = [a.id for a in ortgeo.on("2023-06-01").acts("lens-centre-ville")]
    assert mid[-1] == "convention-chapeau-2023" and "avenant-2" not in mid


# 5. -- the composite carries its deciding sector's facts ----------------------------------
def test_5_check_json_ort_is_the_deciding_sectors() -> None:
    res = CliRunner().invoke(main, ["check", "--lonlat", "2.833889,50.429167", "--date",
                                    "2024-06-01", "--json"])  # fmt: skip
    assert res.exit_code == 0, res.output
    ort = json.loads(res.output)["ort"]
    assert (ort["status"], ort["decided_by"], ort["timing"], ort["accuracy_m"]) == (
        "dedans",
        "lens-centre-ville",
        "en-vigueur",
        250.0,
    )
    assert [a["id"] for a in ort["acts"]][:2] == ["convention-acv-2018", "arrete-ort-2019"]
    assert ort["data_status"] == "indicatif"


# 6. -- a loaded file is « fourni »; every answer shows the data's fingerprint ---------------
def test_6_fingerprint_in_every_answer(tmp_path) -> None:
    v = ortgeo.check_point(*CHURCH, date="2024-06-01")
    fp = v.to_dict()["fingerprint"]
    assert fp["version"] == "2026-12-07" and len(fp["sha256"]) == 64
    assert [f["file"] for f in fp["files"]] == [
        "ort_2019.geojson",
        "ort_extension_route_de_lille_2023.geojson",
        "opah_ru_lens.geojson",
    ]
    lines = v.explain().splitlines()
    assert lines[-4].startswith("Données utilisées : « ORT de la CALL – secteurs de Lens "
                                "(tracés indicatifs ortgeo) », version 2026-12-07, catalogue "
                                "SHA-256 ")  # fmt: skip
    assert lines[-3] == f"- ort_2019.geojson : SHA-256 {fp['files'][0]['sha256']} (indicatif)"
    ortgeo.write_annex(tmp_path / "a3", dpi=20)
    readme = (tmp_path / "a3" / "LISEZMOI.txt").read_text(encoding="utf-8")
    assert f"ort_2019.geojson : SHA-256 {fp['files'][0]['sha256']}" in readme


# 7. -- Denormandie, 2019: the ORT signatories too; the deadline as the law stands ------------
def test_7_denormandie_2019_includes_ort_signatories() -> None:
    res = CliRunner().invoke(main, ["commune", "17347", "--date", "2019-12-20"])
    assert res.exit_code == 0
    assert res.output.splitlines()[-1] == (
        "Au 20 décembre 2019 : Réduction d'impôt « Denormandie dans l'ancien » (article 199 "
        "novovicies du code général des impôts) : en 2019, elle concernait le centre des "
        "communes de la liste officielle et des communes signataires d'une convention d'ORT ; "
        "Saint-Jean-d'Angély en fait partie : convention d'ORT signée le 15 juillet 2019, "
        "d'après le tableau de l'ANCT du 18 septembre 2024 ; le centre concerné est celui fixé "
        "par l'arrêté ministériel du 26 mars 2019, à vérifier."
    )
    assert "n'y figure pas" not in res.output
    lens = note(ortgeo.check_point(*CHURCH, date="2024-06-01"), "denormandie")
    assert "jusqu'au 31 décembre 2027, en l'état de la loi n° 2024-322 (article 42)" in lens


# 8. -- commune facts: the official code list, the order of 2019, the table's date ----------
def test_8_commune_facts() -> None:
    run = CliRunner().invoke
    bad = run(main, ["commune", "00000"])
    assert bad.exit_code == 2 and "not a commune of the official code list" in bad.output
    paris = run(main, ["commune", "75056", "--date", "2024-06-01"]).output
    assert paris.startswith("Paris (75056)\nAbsente du tableau de l'ANCT du 18 septembre 2024")
    assert "inconnue" not in paris.splitlines()[0]
    lens = run(main, ["commune", "62498", "--date", "2024-06-01"]).output.splitlines()
    assert lens[2] == ("ORT par arrêté préfectoral du 4 août 2019 (date de publication non "
                       "vérifiée), d'après le tableau de l'ANCT du 18 septembre 2024.")  # fmt: skip
    assert "convention signée le 4 août 2019" not in "\n".join(lens)
    sallaumines = note(ortgeo.check_point(2.863056, 50.420278, date="2024-06-01"), "denormandie")
    assert "ne s'y applique pas" not in sallaumines and "à vérifier" in sallaumines


# 9. -- effects of a sector; notes only where the sector decides or is near ------------------
def test_9_effects_and_notes_where_they_belong() -> None:
    v = ortgeo.check_point(*CHURCH, date="2024-06-01")
    effects = note(v, "effects")
    assert "la commune peut aussi instituer par délibération un droit de préemption urbain " \
        "renforcé (article L211-4 du code de l'urbanisme)" in effects  # fmt: skip
    assert "sauf seuil fixé par la convention (article L752-1-1 du code de commerce)" in effects
    assert "timing" not in codes(v)  # the entrée de ville is 440 m away, beyond its band
    ext = ortgeo.catalog()["lens-entree-de-ville"].geometry.representative_point()
    inside = ortgeo.check_point(ext.x, ext.y, date="2024-06-01", band_m=10)
    assert note(inside, "timing") == (
        "Le secteur « Entrée de ville – Lens/Loison-sous-Lens » n'entre en vigueur qu'à la "
        "signature de l'avenant n° 2 et de l'avenant à la convention « chapeau » d'ORT de la "
        "CALL, dont les dates sont inconnues, au plus tôt le 6 décembre 2023 : au 1er juin "
        "2024, son application n'est pas certaine."
    )


# 10. -- French ------------------------------------------------------------------------------
def test_10_french() -> None:
    v = ortgeo.check_point(*CHURCH, date="2027-03-01")
    assert note(v, "review").startswith(
        "La période Action cœur de ville 2023-2026 de l'avenant n° 2 a pris fin le 31 décembre "
        "2026 : les secteurs restent affichés"
    )
    text = v.explain()
    assert text.splitlines()[0].startswith("Situation au 1er mars 2027 — point")
    assert "ORT de la CALL – secteurs de Lens : INCLUS" in text
    assert "/2019" not in text and "/2026" not in text  # dates in words in prose
    assert "d'Arras" in ortgeo.check_point(*ARRAS, date="2024-06-01").explain()
