"""« DONNÉES SYNTHÉTIQUES » / « tracés indicatifs »: every answer built on such data says so —
the JSON answer (``banner``), the answer card, the page and the fiche."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient
from service_fixtures import synthetic_index
from synthetic_catalog import X0, Y0, write_catalog

import ortgeo
from ortgeo.crs import to_wgs84_lonlat
from ortgeo.service import ServiceConfig, create_app

CHURCH = (2.833889, 50.429167)
DATE = "2024-06-01"


def test_bundled_sectors_are_indicative_not_synthetic():
    b = ortgeo.check_point(*CHURCH, date=DATE).to_dict()["banner"]
    assert b == {"synthetic": False, "indicatif": True,
                 "text": "Tracés indicatifs : seul le plan annexé à l'acte fait foi."}  # fmt: skip


def test_synthetic_sectors_say_so(tmp_path):
    cat = ortgeo.catalog(write_catalog(tmp_path))
    lon, lat = to_wgs84_lonlat(X0 + 500, Y0 + 500)
    b = ortgeo.check_point(float(lon), float(lat), date=DATE, catalog=cat).to_dict()["banner"]
    assert b["synthetic"] is True
    assert b["text"].startswith("DONNÉES SYNTHÉTIQUES : secteurs générés pour des essais")


def test_synthetic_address_index_says_so(tmp_path):
    index = synthetic_index(tmp_path / "ban", n_rows=400)
    v = ortgeo.check_address("1 place Jean Jaurès, Lens", DATE, "local", ban_index=index)
    assert v.banner["synthetic"] is True and v.synthetic_addresses is True
    assert "adresses générées pour des essais" in v.banner["text"]
    assert ortgeo.check_point(*CHURCH, date=DATE).synthetic_addresses is False


@pytest.fixture(scope="module")
def client(tmp_path_factory) -> TestClient:
    index = synthetic_index(tmp_path_factory.mktemp("ban"), n_rows=600)
    return TestClient(create_app(ServiceConfig(ban_index=str(index), rate_limit="")))


def test_service_answer_card_and_page_carry_the_banner(client):
    q = {"address": "1 place Jean Jaurès, Lens", "date": DATE}
    d = client.get("/api/v1/check", params=q).json()
    assert d["banner"]["synthetic"] is True and d["banner"]["indicatif"] is True
    card = client.get("/fragments/verdict", params=q).text
    assert 'class="banner banner-synthetic"' in card and "DONNÉES SYNTHÉTIQUES" in card
    empty = client.get("/").text  # no answer yet: the page says what it runs on
    assert 'class="banner banner-synthetic"' in empty
    point = client.get("/api/v1/check", params={"lon": CHURCH[0], "lat": CHURCH[1]}).json()
    assert point["banner"]["synthetic"] is False  # a point does not use the address index
