"""The web service (``ortgeo serve``): every endpoint of /api/v1 and every refusal, the
page and the fiche, security headers, CORS, rate limiting, time and size limits, XSS.

Runs the ASGI app in-process (``fastapi.testclient``) on SYNTHETIC offline BAN indexes
built in temporary folders; the BAN API case talks to the fake server on 127.0.0.1.
"""

from __future__ import annotations

import asyncio
import io
import json
import re
import time

import pandas as pd
import pytest
from ban_server import ban_server  # noqa: F401  (fixture)
from click.testing import CliRunner
from fastapi.testclient import TestClient
from service_fixtures import HOSTILE_QUERY, HOSTILE_STREET, hostile_index, synthetic_index

import ortgeo
from ortgeo.crs import to_l93_xy
from ortgeo.geocoders import BanLocalGeocoder
from ortgeo.maps.html import offline_problems
from ortgeo.service import ServiceConfig, create_app
from ortgeo.service.cache import AnswerCache
from ortgeo.service.lookup import json_bytes
from ortgeo.service.security import CSP
from ortgeo.status import OrtSignature

pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning")

DATE = "2024-06-01"
CENTRE = (2.833889, 50.429167)  # place Jean-Jaurès, inside the indicative ORT


@pytest.fixture(scope="module")
def index(tmp_path_factory) -> str:
    return str(synthetic_index(tmp_path_factory.mktemp("ban")))


@pytest.fixture(scope="module")
def client(index) -> TestClient:
    return TestClient(create_app(ServiceConfig(ban_index=index, rate_limit="")))


def _error(resp, status: int, code: str) -> dict:
    assert resp.status_code == status, resp.text
    assert resp.headers["content-type"].startswith("application/json")
    body = resp.json()["error"]
    assert body["code"] == code
    assert (body["message"] and not body["message"].isascii()) or " " in body["message"]
    return body


# -- /api/v1/check ---------------------------------------------------------------------------


def test_check_point_is_the_library_verdict(client):
    r = client.get("/api/v1/check", params={"lon": CENTRE[0], "lat": CENTRE[1], "date": DATE})
    assert r.status_code == 200
    got = r.json()
    verdict = ortgeo.check_point(*CENTRE, date=DATE)
    expected = verdict.to_dict()
    assert {k: got[k] for k in expected} == expected
    assert got["explanation"] == verdict.explain()
    assert got["status"] == "dedans"


def test_check_xy_lambert93(client):
    x, y = to_l93_xy([CENTRE[0]], [CENTRE[1]])
    r = client.get("/api/v1/check", params={"x": float(x[0]), "y": float(y[0]), "date": DATE})
    assert r.status_code == 200
    assert r.json()["status"] == "dedans"
    assert r.json()["point"]["x"] == pytest.approx(float(x[0]), abs=0.05)


def test_check_address_is_the_library_verdict(client, index):
    r = client.get("/api/v1/check", params={"address": "3 rue de la Gare Lens", "date": DATE})
    assert r.status_code == 200
    got = r.json()
    expected = ortgeo.check_address(
        "3 rue de la Gare Lens", date=DATE, geocoder=BanLocalGeocoder(index)
    ).to_dict()
    assert {k: got[k] for k in expected} == expected
    assert got["geocode"]["label"] == "3 Rue de la Gare 62300 Lens"


def test_check_date_matters(client):
    r = client.get("/api/v1/check", params={"lon": CENTRE[0], "lat": CENTRE[1],
                                            "date": "2019-01-01"})  # fmt: skip
    assert r.json()["status"] == "sans-ort"
    assert "4 août 2019" in r.json()["reason"]


@pytest.mark.parametrize(
    ("params", "status", "code"),
    [
        ({}, 422, "parametres-manquants"),
        ({"address": "   "}, 422, "parametres-manquants"),
        ({"address": "3 rue de la Gare", "lon": 2.8}, 422, "parametres-incompatibles"),
        ({"lon": 2.8, "x": 688000}, 422, "parametres-incompatibles"),
        ({"lon": 2.8}, 422, "parametres-manquants"),
        ({"y": 7036000}, 422, "parametres-manquants"),
        ({"lon": "abc", "lat": 50.4}, 422, "parametre-invalide"),
        ({"lon": "nan", "lat": 50.4}, 422, "coordonnees-invalides"),
        ({"lon": 2.8, "lat": 50.4, "date": "2024-13-45"}, 422, "date-invalide"),
        ({"lon": 2.8, "lat": 50.4, "date": "x" * 11}, 422, "parametre-invalide"),
        ({"address": "rue " * 60}, 422, "texte-trop-long"),
        ({"address": "a" * 1001}, 422, "parametre-invalide"),
    ],
)
def test_check_refusals(client, params, status, code):
    _error(client.get("/api/v1/check", params=params), status, code)


def test_swapped_coordinates_are_a_verdict_not_an_error(client):
    r = client.get("/api/v1/check", params={"lon": 50.43, "lat": 2.83, "date": DATE})
    assert r.status_code == 200
    assert r.json()["status"] == "invalide"
    assert "inversées" in r.json()["reason"]


def test_unknown_address_is_indetermine(client):
    r = client.get("/api/v1/check", params={"address": "12 rue des Lilas 62300 Lens"})
    assert r.status_code == 200
    assert r.json()["status"] == "indetermine"


# -- suggestions ------------------------------------------------------------------------------


def test_suggest_offline(client):
    r = client.get("/api/v1/suggest", params={"q": "3 rue de la ga"})
    assert r.status_code == 200
    labels = [s["label"] for s in r.json()["suggestions"]]
    assert labels[0] == "3 Rue de la Gare 62300 Lens"
    assert r.json()["suggestions"][0]["match_type"] == "housenumber"
    assert client.get("/api/v1/suggest", params={"q": "ru"}).json()["suggestions"] == []
    assert client.get("/api/v1/suggest", params={"q": "zzzzz"}).json()["suggestions"] == []
    five = client.get("/api/v1/suggest", params={"q": "rue", "limit": 3}).json()["suggestions"]
    assert len(five) == 3 and all("Rue" in s["label"] for s in five)


@pytest.mark.parametrize(
    ("params", "code"),
    [({}, "parametre-invalide"), ({"q": "rue", "limit": 11}, "parametre-invalide"),
     ({"q": "r" * 300}, "texte-trop-long")],
)  # fmt: skip
def test_suggest_refusals(client, params, code):
    _error(client.get("/api/v1/suggest", params=params), 422, code)


def test_suggest_and_check_on_the_ban_api(ban_server):  # noqa: F811
    app = create_app(ServiceConfig(geocoder="api", ban_url=ban_server.url, rate_limit=""))
    c = TestClient(app)
    r = c.get("/api/v1/suggest", params={"q": "3 rue de la Gare"})
    assert r.status_code == 200
    assert r.json()["suggestions"][0]["label"].startswith("3 Rue de la Gare")
    assert r.json()["suggestions"][0]["provider"] == "ban-api"
    sent = [params for method, path, params in ban_server.hits if path == "/search"]
    assert sent[-1]["autocomplete"] == ["1"]
    r = c.get("/api/v1/check", params={"address": "3 rue de la Gare 62300 Lens", "date": DATE})
    assert r.status_code == 200 and r.json()["geocode"]["provider"] == "ban-api"


def test_geocoder_down_is_503_json():
    from ban_server import closed_port_url

    app = create_app(ServiceConfig(geocoder="api", ban_url=closed_port_url(), rate_limit="",
                                   cache_bytes=0))  # fmt: skip
    r = TestClient(app).get("/api/v1/check", params={"address": "1 rue Inconnue 62300 Lens"})
    body = _error(r, 503, "geocodeur-indisponible")
    assert "Retry-After" in r.headers and "BAN" in body["message"]


def test_geocoder_timeout_is_bounded(ban_server):  # noqa: F811
    ban_server.slow(3.0, times=5)
    app = create_app(ServiceConfig(geocoder="api", ban_url=ban_server.url, rate_limit="",
                                   geocoder_timeout_s=0.3, cache_bytes=0))  # fmt: skip
    start = time.perf_counter()
    r = TestClient(app).get("/api/v1/check", params={"address": "17 bd Basly 62300 Lens"})
    assert time.perf_counter() - start < 2.5
    _error(r, 503, "geocodeur-indisponible")


# -- communes, perimeters, health -----------------------------------------------------------


def test_commune_lens(client):
    r = client.get("/api/v1/communes/62498", params={"date": DATE})
    assert r.status_code == 200
    d = r.json()
    assert (d["insee"], d["name"], d["ort"], d["signed"], d["in_force"]) == (
        "62498", "Lens", "signee", "2019-08-04", True)  # fmt: skip
    ids = [s["id"] for s in d["sectors"]]
    assert ids == [x.id for x in ortgeo.on(DATE).sectors]
    assert d["denormandie"]["applies"] == "commune"
    before = client.get("/api/v1/communes/62498", params={"date": "2019-08-03"}).json()
    assert before["ort"] == "signee" and before["in_force"] is False and before["sectors"] == []
    lievin = client.get("/api/v1/communes/62510", params={"date": DATE}).json()
    assert lievin["in_force"] is True and lievin["sectors_missing"] is True


def test_commune_unknown_is_not_said_without_ort(client):
    d = client.get("/api/v1/communes/59350").json()
    assert d["known"] is False and d["ort"] == "inconnu" and d["in_force"] is None


@pytest.mark.parametrize("insee", ["6249", "ABCDE", "624981", "62 49"])
def test_commune_refusals(client, insee):
    _error(client.get(f"/api/v1/communes/{insee}"), 422, "insee-invalide")


@pytest.mark.parametrize("date", ["2020-01-01", DATE, "2027-06-01"])
def test_perimeters_geojson(client, date):
    r = client.get("/api/v1/perimeters", params={"date": date})
    assert r.status_code == 200
    assert r.headers["content-type"].startswith("application/geo+json")
    data = r.json()
    assert data["type"] == "FeatureCollection" and data["date"] == date
    ids = [f["properties"]["id"] for f in data["features"]]
    assert ids == [x.id for x in ortgeo.catalog().in_force(date)]
    assert all(f["geometry"]["type"] in ("Polygon", "MultiPolygon") for f in data["features"])


def test_perimeters_bad_date(client):
    _error(client.get("/api/v1/perimeters", params={"date": "demain"}), 422, "date-invalide")


def test_health(client):
    d = client.get("/api/v1/health").json()
    assert d["status"] == "ok" and d["geocoder"] == "ban-local"
    assert d["ban_index"]["synthetic"] is True
    assert [x["id"] for x in d["layers"]] == ortgeo.catalog().ids
    assert "/" not in str(d["ban_index"])  # no file path leaks


def test_openapi_lists_every_endpoint(client):
    paths = client.get("/openapi.json").json()["paths"]
    for path in ("/api/v1/check", "/api/v1/suggest", "/api/v1/communes/{insee}",
                 "/api/v1/perimeters", "/api/v1/batch", "/api/v1/health"):  # fmt: skip
        assert path in paths
    # one type for ``ort`` in every answer about a commune
    schemas = client.get("/openapi.json").json()["components"]["schemas"]
    assert schemas["OrtSignature"]["enum"] == [str(s) for s in OrtSignature]
    for name in ("CommuneInAnswer", "CommuneAnswer"):
        assert schemas[name]["properties"]["ort"]["$ref"].endswith("/OrtSignature")
    check = client.get("/api/v1/check", params={"lon": CENTRE[0], "lat": CENTRE[1]}).json()
    commune = client.get("/api/v1/communes/62498").json()
    assert check["commune"]["ort"] == commune["ort"] == "signee"
    docs = client.get("/docs")
    assert docs.status_code == 200 and offline_problems(docs.text) == []
    for asset in re.findall(r'(?:src|href)="(/static/[^"]+)"', docs.text):
        assert client.get(asset).status_code == 200


def test_unknown_route_and_method_are_json(client):
    _error(client.get("/api/v1/nope"), 404, "introuvable")
    _error(client.post("/api/v1/check"), 405, "methode-non-autorisee")


# -- batch ------------------------------------------------------------------------------------

CSV = 'id;adresse\n1;3 rue de la Gare Lens\n2;=HYPERLINK("http://x")\n3;\n4;12 rue des Lilas Lens\n'


def test_batch_is_the_ortgeo_batch_report(client, index, tmp_path):
    r = client.post("/api/v1/batch", files={"file": ("a.csv", CSV.encode())},
                    data={"date": DATE})  # fmt: skip
    assert r.status_code == 200, r.text
    assert r.headers["content-type"].startswith("text/csv")
    assert r.headers["x-ortgeo-rows"] == "4"
    src = tmp_path / "a.csv"
    src.write_text(CSV, encoding="utf-8")
    report = ortgeo.check_addresses(src, date=DATE, geocoder=BanLocalGeocoder(index))
    expected = ortgeo.write_report(report, tmp_path / "r.csv").read_bytes()
    assert r.content == expected
    out = pd.read_csv(io.BytesIO(r.content), sep=";", dtype=str, keep_default_na=False)
    assert out["id"].tolist() == ["1", "2", "3", "4"]
    assert out["adresse"].iloc[1].startswith("'=")  # formula neutralised
    assert out["verdict"].tolist()[0] == "dedans"


def test_batch_options(client):
    data = "num;voie\n3;rue de la Gare\n"
    r = client.post("/api/v1/batch", files={"file": ("a.csv", data.encode("cp1252"))},
                    data={"date": DATE, "address_col": "voie", "citycode": "62498",
                          "excel": "true"})  # fmt: skip
    assert r.status_code == 200
    assert r.content.startswith("\ufeff".encode())  # Excel BOM


def test_batch_refusals(index):
    app = create_app(ServiceConfig(ban_index=index, rate_limit="", max_rows=2,
                                   max_upload_bytes=2_000))  # fmt: skip
    c = TestClient(app)
    post = lambda text, **data: c.post("/api/v1/batch", files={"file": ("a.csv", text)},  # noqa: E731
                                       data=data)  # fmt: skip
    _error(post(CSV), 413, "trop-de-lignes")
    _error(post("adresse\n" + "3 rue de la Gare Lens\n" * 200), 413, "fichier-trop-gros")
    _error(post("   "), 422, "fichier-vide")
    _error(post("id;nom\n1;x\n"), 422, "fichier-invalide")
    _error(post("adresse\nx\n", date="2024-02-30"), 422, "date-invalide")
    _error(post("adresse\nx\n", citycode="lens"), 422, "insee-invalide")
    _error(c.post("/api/v1/batch"), 422, "parametre-invalide")
    big = b"adresse\n" + b"x" * 100_000
    r = c.post("/api/v1/batch", content=big, headers={"content-type": "multipart/form-data; "
                                                      "boundary=zzz"})  # fmt: skip
    _error(r, 413, "fichier-trop-gros")


def test_batch_one_at_a_time(index):
    app = create_app(ServiceConfig(ban_index=index, rate_limit=""))
    c = TestClient(app)
    app.state.batch_slots = asyncio.Semaphore(0)  # another batch holds the only slot
    r = c.post("/api/v1/batch", files={"file": ("a.csv", "adresse\nx\n")})
    _error(r, 503, "service-occupe")
    assert r.headers["retry-after"] == "10"


# -- limits -----------------------------------------------------------------------------------


def test_rate_limit_429_with_retry_after_per_client(index):
    app = create_app(ServiceConfig(ban_index=index, rate_limit="3/minute"))
    flood = TestClient(app, client=("10.0.0.1", 1000))
    other = TestClient(app, client=("10.0.0.2", 1000))
    params = {"lon": CENTRE[0], "lat": CENTRE[1], "date": DATE}
    assert [flood.get("/api/v1/check", params=params).status_code for _ in range(3)] == [200] * 3
    r = flood.get("/api/v1/check", params=params)
    body = _error(r, 429, "trop-de-requetes")
    assert 1 <= int(r.headers["retry-after"]) <= 60
    assert "réessayez" in body["message"]
    assert other.get("/api/v1/check", params=params).status_code == 200
    assert flood.get("/static/ortgeo.js").status_code == 200  # assets are not counted
    assert flood.get("/").status_code == 429  # the page is


def test_request_timeout_is_504():
    # the BAN API geocoder is waited for in a thread, within the time limit (nothing is sent:
    # the answer is replaced by a slow one)
    app = create_app(ServiceConfig(geocoder="api", ban_url="http://127.0.0.1:9", rate_limit="",
                                   request_timeout_s=0.2))  # fmt: skip
    app.state.lookup._verdict = lambda *args: time.sleep(1.0)
    r = TestClient(app).get("/api/v1/check", params={"address": "3 rue de la Gare Lens"})
    _error(r, 504, "delai-depasse")


def test_internal_error_is_json_without_trace(index):
    app = create_app(ServiceConfig(ban_index=index, rate_limit=""))
    app.state.lookup._verdict = lambda *args: 1 / 0
    r = TestClient(app, raise_server_exceptions=False).get(
        "/api/v1/check", params={"lon": 2.83, "lat": 50.43}
    )
    _error(r, 500, "erreur-interne")
    assert "ZeroDivision" not in r.text and "Traceback" not in r.text


def test_no_file_system_access_from_a_request(client):
    assert not any(type(route).__name__ == "Mount" for route in client.app.routes)
    for path in ("/static/../pyproject.toml", "/static/%2e%2e%2fpyproject.toml",
                 "/static/..%2F..%2Fetc%2Fpasswd", "/static/ortgeo.py", "/static/"):  # fmt: skip
        assert client.get(path).status_code == 404, path


# -- headers, CORS -----------------------------------------------------------------------------


@pytest.mark.parametrize("path", ["/", "/api/v1/health", "/api/v1/nope", "/static/leaflet.js",
                                  "/fiche?lon=2.83&lat=50.43", "/docs"])  # fmt: skip
def test_security_headers(client, path):
    h = client.get(path).headers
    assert h["content-security-policy"] == CSP
    assert h["x-content-type-options"] == "nosniff"
    assert "frame-ancestors 'none'" in h["content-security-policy"]
    assert not re.search(r"https?:|\*", h["content-security-policy"])
    assert "access-control-allow-origin" not in h


def test_cors_off_unless_asked(index):
    params = {"lon": 2.83, "lat": 50.43}
    origin = {"Origin": "https://www.villedelens.fr"}
    off = TestClient(create_app(ServiceConfig(ban_index=index, rate_limit="")))
    assert "access-control-allow-origin" not in off.get("/api/v1/check", params=params,
                                                         headers=origin).headers  # fmt: skip
    allowed = ("https://www.villedelens.fr",)
    on = TestClient(create_app(ServiceConfig(ban_index=index, rate_limit="", cors_origins=allowed)))
    h = on.get("/api/v1/check", params=params, headers=origin).headers
    assert h["access-control-allow-origin"] == "https://www.villedelens.fr"
    evil = on.get("/api/v1/check", params=params, headers={"Origin": "https://evil.example"})
    assert "access-control-allow-origin" not in evil.headers


# -- the page and the fiche ---------------------------------------------------------------------


def test_page_is_french_and_offline(client):
    r = client.get("/")
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/html")
    html = r.text
    assert "Cette adresse est-elle dans un secteur d'intervention de l'ORT ?" in html.replace(
        "&#39;", "'")  # fmt: skip
    assert 'lang="fr"' in html and "5000 lignes" in html and "2.0 Mo" in html
    assert offline_problems(html) == []
    assert "<script>" not in html  # no inline script (CSP)
    for asset in re.findall(r'(?:src|href)="(/static/[^"]+)"', html):
        got = client.get(asset)
        assert got.status_code == 200 and offline_problems(got.text) == []


def test_permalink_reproduces_the_answer(client):
    r = client.get("/", params={"address": "3 rue de la Gare Lens", "date": DATE})
    assert r.status_code == 200
    html = r.text
    assert 'data-status="dedans"' in html and "3 Rue de la Gare 62300 Lens" in html
    permalink = re.search(r'data-permalink="([^"]+)"', html).group(1).replace("&amp;", "&")
    assert "date=2024-06-01" in permalink
    again = client.get(permalink).text
    assert re.search(r'data-status="(\w+)"', again).group(1) == "dedans"


def test_page_renders_every_verdict_key_and_extras(client):
    app = client.app
    original, kept = app.state.lookup._verdict, app.state.lookup.answers
    app.state.lookup.answers = AnswerCache(0)  # earlier tests cached the plain answer

    def extended(*args):  # the answers are cached as their JSON bytes
        out = json.loads(original(*args))
        out["commune"] = {"insee": "62498", "name": "Lens"}
        out["time_uncertain"] = True
        return json_bytes(out)

    app.state.lookup._verdict = extended
    try:
        r = client.get("/fragments/verdict", params={"lon": CENTRE[0], "lat": CENTRE[1],
                                                     "date": DATE})  # fmt: skip
    finally:
        app.state.lookup._verdict, app.state.lookup.answers = original, kept
    assert r.status_code == 200
    html = r.text
    for layer in ortgeo.on(DATE).layers:
        assert layer.name.replace("'", "&#39;") in html
    assert "Denormandie" in html and "indicatifs" in html
    assert "incertaine à cette date" in html  # the entrée de ville sector's timing
    assert "time_uncertain" in html and "62498" in html


def test_page_error_is_shown_in_french(client):
    r = client.get("/", params={"lon": CENTRE[0], "lat": CENTRE[1], "date": "hier"})
    assert r.status_code == 422 and "Date invalide" in r.text
    r = client.get("/fragments/verdict", params={"lon": "abc", "lat": "1"})
    _error(r, 422, "coordonnees-invalides")


def test_fiche_says_it_is_not_a_certificate(client):
    r = client.get("/fiche", params={"address": "3 rue de la Gare Lens", "date": DATE})
    assert r.status_code == 200
    text = r.text.replace("&#39;", "'")
    assert "Fiche de situation" in text
    assert "Lecture indicative, ce n'est pas un certificat." in text
    assert "3 Rue de la Gare 62300 Lens" in text and "Explication détaillée" not in text
    assert "Lien permanent : http://testserver/?address=3+rue+de+la+Gare+Lens" in text
    assert "DONNÉES SYNTHÉTIQUES" in text  # the index of the tests is synthetic
    assert client.get("/fiche").status_code == 422


# -- XSS -----------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def hostile(tmp_path_factory) -> TestClient:
    index = hostile_index(tmp_path_factory.mktemp("hostile"))
    return TestClient(create_app(ServiceConfig(ban_index=str(index), rate_limit="")))


def _no_markup(html: str) -> None:
    lowered = html.lower()
    for bad in ("<script>alert", "<img src=x", "<svg onload", "onerror=alert(1)>"):
        assert bad not in lowered, bad


def test_hostile_label_from_the_index_stays_text(hostile):
    s = hostile.get("/api/v1/suggest", params={"q": "2 rue alert"}).json()["suggestions"]
    assert s and HOSTILE_STREET in s[0]["label"]  # JSON carries it as data
    address = s[0]["label"]
    for path in ("/", "/fiche", "/fragments/verdict"):
        r = hostile.get(path, params={"address": address, "date": DATE})
        assert r.status_code == 200, path
        assert "&lt;script&gt;" in r.text
        _no_markup(r.text)


def test_hostile_query_stays_text(hostile):
    for path in ("/", "/fiche", "/fragments/verdict"):
        r = hostile.get(path, params={"address": HOSTILE_QUERY, "date": DATE})
        assert r.status_code == 200, path
        assert "&lt;img src=x" in r.text
        _no_markup(r.text)
    r = hostile.get("/", params={"address": HOSTILE_QUERY, "lon": "1"})
    assert r.status_code == 422
    _no_markup(r.text)
    r = hostile.get("/", params={"lon": HOSTILE_QUERY, "lat": "1"})
    _no_markup(r.text)


# -- the command ----------------------------------------------------------------------


def test_cli_serve_help_and_bad_index(tmp_path):
    from ortgeo.cli import COMMANDS, main

    assert "serve" in COMMANDS
    runner = CliRunner()
    out = runner.invoke(main, ["serve", "--help"])
    assert out.exit_code == 0 and "--workers" in out.output and "127.0.0.1" in out.output
    out = runner.invoke(main, ["serve", "--geocoder", "local", "--ban", str(tmp_path / "no")])
    assert out.exit_code == 2 and "BAN index not found" in out.output


def test_config_round_trip_and_refusals():
    cfg = ServiceConfig(max_rows=10, cors_origins=("https://a.example",))
    assert ServiceConfig.from_json(cfg.to_json()) == cfg
    with pytest.raises(ortgeo.OrtgeoError, match="geocoder"):
        ServiceConfig(geocoder="google")
    with pytest.raises(ortgeo.OrtgeoError, match="max_rows"):
        ServiceConfig(max_rows=0)
    with pytest.raises(ortgeo.OrtgeoError, match="Unknown service setting"):
        ServiceConfig.from_json('{"debug": true}')


def test_page_basemap_is_opt_in_and_the_csp_lets_in_its_images_only(index):
    plain = TestClient(create_app(ServiceConfig(ban_index=str(index))))
    page = plain.get("/")
    assert page.headers["content-security-policy"] == CSP
    assert "&#34;tiles&#34;: null" in page.text  # no background: zero external requests
    osm = TestClient(create_app(ServiceConfig(ban_index=str(index),
                                              basemap="OpenStreetMap.Mapnik")))  # fmt: skip
    page = osm.get("/")
    csp = page.headers["content-security-policy"]
    assert "img-src 'self' data: https://tile.openstreetmap.org;" in csp
    assert csp.count("tile.openstreetmap.org") == 1  # images only: no script, no connect
    assert "https://tile.openstreetmap.org/{z}/{x}/{y}.png" in page.text
    assert offline_problems(page.text) == []  # the page itself still loads nothing outside
    with pytest.raises(ortgeo.OrtgeoError, match="Fond de carte inconnu"):
        create_app(ServiceConfig(basemap="Plan.Inexistant"))


def test_the_page_shows_what_an_answer_holds_in_words_not_json(client) -> None:
    """The verdict card names the ORT as the catalogue does (the CALL's), shows who to ask,
    what ortgeo holds there and the data used (fingerprints), and lists no key as raw JSON."""
    html = client.get("/", params={"lon": 2.833889, "lat": 50.429167, "date": "2024-06-01"}).text
    assert '<p class="lead">ORT de la CALL – secteurs de Lens et autres dispositifs' in html
    assert '<p class="answer">ORT de la CALL – secteurs de Lens : <strong>INCLUS' in html
    assert "<h3>Qui consulter</h3>" in html and "Chef de projet ORT (ACV/PVD)" in html
    assert "Ce que contient ortgeo ici : Tous les secteurs d&#39;intervention de Lens" in html
    fingerprint = re.search(r'<details class="fingerprint">(.*?)</details>', html, re.S)
    assert fingerprint and "ort_2019.geojson : SHA-256 <code>4dffc3f3" in fingerprint.group(1)
    assert '<dl class="extra">' not in html
