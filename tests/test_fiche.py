"""The fiche de situation: one A4 page a notary can file, fonts embedded, the same from the
command line and the service (one builder, two layouts)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from cadastre_fixtures import write_synthetic_cadastre
from click.testing import CliRunner
from pdf_checks import pdffonts
from pypdf import PdfReader
from service_fixtures import synthetic_index

import ortgeo
from ortgeo.cli import main
from ortgeo.fiche import fiche_html, make_fiche, write_fiche

CHURCH = (2.833889, 50.429167)  # église Saint-Léger, Lens
LOISON = (2.85446, 50.44647)  # Loison-sous-Lens: the entrée de ville sector may reach it
DATE = "2024-06-01"
AT = dt.datetime(2026, 12, 8, 10, 30)


def _pdf_text(path: Path) -> tuple[int, str]:
    reader = PdfReader(path)
    return len(reader.pages), " ".join(" ".join(p.extract_text().split()) for p in reader.pages)


@pytest.fixture(scope="module")
def index(tmp_path_factory) -> Path:
    return synthetic_index(tmp_path_factory.mktemp("ban"), n_rows=600)


@pytest.fixture(scope="module")
def cadastre(tmp_path_factory) -> list[Path]:
    return list(write_synthetic_cadastre(tmp_path_factory.mktemp("cadastre")))


def test_church_fiche_is_one_a4_page_with_everything_a_notary_files(tmp_path):
    fiche = make_fiche(ortgeo.check_point(*CHURCH, date=DATE), checked_at=AT, dpi=100,
                       permalink="https://ortgeo.example.fr/ort/?lon=2.833889&lat=50.429167"
                       "&date=2024-06-01")  # fmt: skip
    out = write_fiche(fiche, tmp_path / "fiche.pdf")
    pages, text = _pdf_text(out)
    assert pages == 1
    page = PdfReader(out).pages[0]
    assert (float(page.mediabox.width), float(page.mediabox.height)) == pytest.approx(
        (595.3, 841.9), abs=1
    )  # A4 portrait
    fonts = pdffonts(out)
    assert fonts and all(row[-5] == "yes" for row in fonts), fonts  # the "emb" column
    for wanted in (
        "Lecture indicative, ce n'est pas un certificat",
        "« inclus » ne veut pas dire « éligible »",
        "Tracés indicatifs : seul le plan annexé à l'acte fait foi",
        "Réponse au 1er juin 2024",
        "INCLUS — dans « Centre-ville de Lens »",
        # the act chain in force that day
        "arrêté préfectoral du 4 août 2019",
        "convention « chapeau » d'ORT de la CALL du 6 avril 2023",
        "avenant n° 2, date de signature inconnue, au plus tôt le 6 décembre 2023",
        # the contacts of art. 2 of the avenant n° 2
        "Direction de projet Action cœur de ville — Ville de Lens, 17 bis place Jean-Jaurès",
        "Communauté d'agglomération de Lens-Liévin, 32 rue Jean-Letienne",
        # the fingerprint: catalogue version and each geometry file's SHA-256
        "version 2026-12-07",
        "Vérification faite le 8 décembre 2026 à 10 h 30",
        "Lien permanent : https://ortgeo.example.fr/ort/?lon=2.833889&lat=50.429167"
        "&date=2024-06-01",
    ):
        assert wanted in text, wanted
    fp = ortgeo.check_point(*CHURCH, date=DATE).fingerprint
    for f in fp["files"]:
        assert f"{f['file']} : SHA-256 {f['sha256']}" in text.replace("- ", "")
    assert "Échelle" in fiche.text() or fiche.map_png  # the map extract is there
    assert fiche.map_png[:4] == b"\x89PNG"


def test_loison_fiche_is_undetermined_on_one_page(tmp_path):
    out = tmp_path / "loison.pdf"
    result = CliRunner().invoke(main, ["fiche", "--lonlat", f"{LOISON[0]},{LOISON[1]}",
                                       "--date", DATE, "-o", str(out)])  # fmt: skip
    assert result.exit_code == 0, result.output
    pages, text = _pdf_text(out)
    assert pages == 1
    assert "INDÉTERMINÉ" in text and "Loison-sous-Lens (62523)" in text
    assert "possible, non établi" in text
    # no service address given: the command that redoes the check instead of a permalink
    assert "Pour refaire cette vérification : ortgeo fiche --lonlat 2.85446,50.44647" in text


def test_long_address_still_one_page_and_the_parcel_is_named(tmp_path, index, cadastre):
    long = "Résidence " + "des Très Longues Allées Fleuries " * 12 + "3 rue de la Gare, 62300 Lens"
    verdict = ortgeo.check_address(long, DATE, "local", ban_index=index)
    out = write_fiche(make_fiche(verdict, cadastre=cadastre, dpi=80), tmp_path / "long.pdf")
    pages, text = _pdf_text(out)
    assert pages == 1
    assert "Adresse demandée : « Résidence des Très Longues" in text
    assert "DONNÉES SYNTHÉTIQUES" in text  # the index is made of synthetic addresses
    church = ortgeo.check_point(*CHURCH, date=DATE)
    fiche = make_fiche(church, cadastre=cadastre, dpi=80)
    assert "Parcelle cadastrale : 62498000" in fiche.text()


def test_cli_fiche_by_address_parcel_and_html(tmp_path, index, cadastre):
    runner = CliRunner()
    html = tmp_path / "fiche.html"
    result = runner.invoke(main, ["fiche", "3 rue de la Gare, Lens", "--ban", str(index),
                                  "--date", DATE, "-o", str(html),
                                  "--url", "https://ortgeo.example.fr"])  # fmt: skip
    assert result.exit_code == 0, result.output
    page = html.read_text(encoding="utf-8")
    assert "<style>" in page and 'src="data:image/png;base64,' in page  # standalone
    assert "https://ortgeo.example.fr/?address=3+rue+de+la+Gare%2C+Lens&amp;date=2024-06-01" in page
    idu = "62498000AA0001"
    pdf = tmp_path / "parcel.pdf"
    result = runner.invoke(main, ["fiche", "--parcel", idu, "--cadastre", str(cadastre[0]),
                                  "--date", DATE, "-o", str(pdf)])  # fmt: skip
    assert result.exit_code == 0, result.output
    pages, text = _pdf_text(pdf)
    assert pages == 1 and f"Parcelle cadastrale : {idu}" in text
    bad = runner.invoke(main, ["fiche", "--lonlat", "2.83,50.43", "-o", str(tmp_path / "f.txt")])
    assert bad.exit_code == 2


def test_one_builder_two_layouts():
    fiche = make_fiche(ortgeo.check_point(*CHURCH, date=DATE), dpi=60)
    html = fiche_html(fiche).replace("&#39;", "'").replace("&#34;", '"')
    for block in fiche.blocks:
        if block.kind != "map":
            assert block.text.replace("&", "&amp;") in html or block.text in html, block.text


def test_service_fiche_is_the_same_fiche(index):
    from fastapi.testclient import TestClient

    from ortgeo.service import ServiceConfig, create_app

    client = TestClient(create_app(ServiceConfig(ban_index=str(index), rate_limit="")))
    params = {"lon": CHURCH[0], "lat": CHURCH[1], "date": DATE}
    page = client.get("/fiche", params=params)
    assert page.status_code == 200
    assert 'href="/static/fiche.css"' in page.text and "<style>" not in page.text  # CSP
    assert "Lien permanent : http://testserver/?lon=2.833889&amp;lat=50.429167" in page.text
    assert client.get("/static/fiche.css").status_code == 200
    pdf = client.get("/fiche.pdf", params=params)
    assert pdf.status_code == 200 and pdf.headers["content-type"] == "application/pdf"
    import io

    reader = PdfReader(io.BytesIO(pdf.content))
    assert len(reader.pages) == 1
    assert "INCLUS" in reader.pages[0].extract_text()
    assert client.get("/fiche.pdf").status_code == 422
