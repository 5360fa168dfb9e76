"""ortgeo.check_point / Verdict: French explanation, legal notes, JSON schema snapshot."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest
from synthetic_catalog import write_catalog

import ortgeo

SNAPSHOT = Path(__file__).parent / "snapshots" / "verdict_synthetic.json"

# Sourced points (see data/perimeters/landmarks.geojson): église Saint-Léger, Sallaumines centre.
CHURCH = (2.833889, 50.429167)
SALLAUMINES = (2.863056, 50.420278)


@pytest.fixture(scope="module")
def squares(tmp_path_factory: pytest.TempPathFactory) -> ortgeo.Catalog:
    return ortgeo.catalog(write_catalog(tmp_path_factory.mktemp("squares")))


def test_inside_verdict_explains_itself():
    v = ortgeo.check_point(*CHURCH, date="2024-06-01")
    assert v.status == "dedans" and v.inside is True
    assert v.layer("ort-2019").status == "dedans"
    assert v.layer("opah-ru-lens").status == "dedans"
    text = v.explain()
    assert "Situation au 01/06/2024" in text
    assert "ORT en vigueur : DEDANS" in text
    assert "Arrêté préfectoral du 4 août 2019" in text  # the legal act
    assert "Avenant n°2" in text  # the extension, in force that day
    assert "à l'intérieur de la limite" in text and "marge d'incertitude" in text
    assert "indicatives" in text  # data status
    assert "Denormandie" in text and "toute la commune" in text


def test_denormandie_note_never_claims_eligibility_from_the_perimeter():
    for lonlat, date in (
        (CHURCH, "2024-06-01"),
        (SALLAUMINES, "2024-06-01"),
        (CHURCH, "2019-01-01"),
    ):
        v = ortgeo.check_point(*lonlat, date=date)
        note = next(n["text"] for n in v.notes() if n["code"] == "denormandie")
        assert "toute la commune de Lens" in note
        assert "ne suffit pas" in note
        assert "éligible" not in note.replace("ne suffit pas", "")


def test_outside_and_limite_and_dates():
    out = ortgeo.check_point(*SALLAUMINES, date="2024-06-01")
    assert out.status == "dehors" and out.inside is False
    assert "DEHORS" in out.explain()
    # A point 20 m outside the extension's limit, near Loison-sous-Lens: limite.
    edge = ortgeo.check_point(2.8486, 50.4395, date="2024-06-01")
    assert edge.status == "limite" and edge.inside is None
    assert "à vérifier" in edge.explain()
    # Before the extension the same point is far outside the 2019 ORT.
    assert ortgeo.check_point(2.8486, 50.4395, date="2023-12-05").status == "dehors"


def test_opah_ru_note_follows_its_dates():
    during = ortgeo.check_point(*CHURCH, date="2026-06-30")
    after = ortgeo.check_point(*CHURCH, date="2026-07-01")
    during_note = next(n["text"] for n in during.notes() if n["code"] == "opah-ru")
    after_note = next(n["text"] for n in after.notes() if n["code"] == "opah-ru")
    assert "30/06/2026" in during_note and "dedans" in during_note
    assert "n'est pas en vigueur" in after_note
    assert "pas en vigueur à cette date" in after.explain()


def test_before_2019_there_is_no_ort():
    v = ortgeo.check_point(*CHURCH, date="2019-08-03")
    assert v.status == "sans-ort" and v.ort is None
    assert "04/08/2019" in v.reason
    assert "AUCUN PÉRIMÈTRE ORT" in v.explain()


def test_invalid_point_gives_reason_not_error():
    v = ortgeo.check_point(50.43, 2.83)
    assert v.status == "invalide" and "inversées" in v.reason
    assert v.to_dict()["point"]["x"] is None
    v = ortgeo.check_point(float("nan"), 50.4)
    assert v.status == "invalide"
    json.dumps(v.to_dict())  # JSON-ready even with NaN input


def test_json_schema_snapshot(squares):
    """The JSON output is a contract: compare with the stored snapshot (synthetic catalogue)."""
    v = ortgeo.check_point(2.8220, 50.4290, date="2024-06-01", catalog=squares)
    got = json.loads(json.dumps(v.to_dict(), ensure_ascii=False))
    if os.environ.get("ORTGEO_UPDATE_SNAPSHOTS"):  # pragma: no cover - deliberate update
        SNAPSHOT.write_text(json.dumps(got, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    assert got == json.loads(SNAPSHOT.read_text(encoding="utf-8"))


def test_json_keys_are_english_and_stable():
    d = ortgeo.check_point(*CHURCH, date="2024-06-01").to_dict()
    assert list(d) == [
        "date", "status", "inside", "reason", "point", "ort", "layers", "not_in_force",
        "geocode", "notes",
    ]  # fmt: skip
    assert list(d["ort"]) == [
        "key", "layers", "title", "legal_basis", "valid_from", "valid_to", "data_status",
        "accuracy_m", "inside", "distance_m", "band_m", "status",
    ]  # fmt: skip
    assert [n["code"] for n in d["notes"]] == ["denormandie", "opah-ru", "data-status"]
