"""The BAN API's own endpoints under ``/ban`` (issue 21): same parameters, same GeoJSON and CSV
answers as the BAN — checked against the recorded real responses of ``ban_api/`` — with the
ORT answer added, and used by geopy's own ``BANFrance`` client against ``ortgeo serve`` on
127.0.0.1. SYNTHETIC offline BAN index (made-up addresses of Lens, Loison-sous-Lens)."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from service_fixtures import serving

from ortgeo.geocoders import build_ban_index
from ortgeo.service import ServiceConfig, create_app
from ortgeo.service.ban import CSV_RESULT_COLUMNS
from ortgeo.service.security import SECURITY_HEADERS
from ortgeo.testing import write_synthetic_ban_export

pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning")

DATE = "2024-06-01"
CHURCH = (2.829292, 50.426988)  # 3 Rue de la Gare, Lens (synthetic), in the centre-ville sector
ORT_PROPERTIES = {"ort_status", "ort_sector", "ort_date", "ort_reason"}
ORT_COLUMNS = ["result_ort_status", "result_ort_sector", "result_ort_date", "result_ort_reason"]


@pytest.fixture(scope="module")
def index(tmp_path_factory) -> str:
    tmp = tmp_path_factory.mktemp("ban")
    csv_path = write_synthetic_ban_export(tmp / "a.csv", n_rows=2000, extra_citycodes=["62523"],
                                          n_communes=2)  # fmt: skip
    return str(build_ban_index(csv_path, tmp / "ban.sqlite", progress=False))


@pytest.fixture(scope="module")
def client(index) -> TestClient:
    return TestClient(create_app(ServiceConfig(ban_index=index, rate_limit="")))


def _recorded(reference: Path, name: str) -> dict:
    return json.loads((reference / "ban_api" / name).read_text(encoding="utf-8"))


# -- /ban/search ---------------------------------------------------------------------------


def test_search_speaks_the_ban_geojson(client, reference):
    got = client.get("/ban/search", params={"q": "3 rue de la gare 62300 Lens", "limit": 1,
                                            "date": DATE}).json()  # fmt: skip
    real = _recorded(reference, "ban_search_sample.json")
    # the same top-level members (ours: the data are synthetic, said in "attribution")
    assert set(real) - {"_source", "filters"} <= set(got)
    assert got["type"] == "FeatureCollection" and got["version"] == "draft"
    assert got["query"] == "3 rue de la gare 62300 Lens" and got["limit"] == 1
    feature = got["features"][0]
    assert set(feature) == set(real["features"][0]) and feature["geometry"]["type"] == "Point"
    props, real_props = feature["properties"], real["features"][0]["properties"]
    # every property of the real answer that the BAN export has, with the same meaning
    assert set(real_props) - {"importance", "district"} <= set(props)
    assert set(props) - set(real_props) == ORT_PROPERTIES
    assert props["label"] == "3 Rue de la Gare 62300 Lens" and props["type"] == "housenumber"
    assert props["name"] == "3 Rue de la Gare" and props["street"] == "Rue de la Gare"
    assert props["housenumber"] == "3" and props["citycode"] == "62498"
    assert props["context"] == "62, Pas-de-Calais, Hauts-de-France"
    assert feature["geometry"]["coordinates"] == list(CHURCH)
    assert (props["ort_status"], props["ort_sector"], props["ort_date"]) == (
        "dedans", "lens-centre-ville", DATE)  # fmt: skip
    for key, value in real_props.items():
        if key in props:
            assert type(props[key]) is type(value) or key in ("x", "y"), key


def test_search_filters_and_types(client):
    r = client.get("/ban/search", params={"q": "route de lille", "citycode": "62523"}).json()
    assert r["filters"] == {"citycode": "62523"}
    assert {f["properties"]["citycode"] for f in r["features"]} == {"62523"}
    r = client.get("/ban/search", params={"q": "3 route de lille", "postcode": "62300",
                                          "type": "street"}).json()  # fmt: skip
    assert r["filters"] == {"postcode": "62300", "type": "street"}
    props = r["features"][0]["properties"]
    assert props["type"] == "street" and "housenumber" not in props
    assert props["name"] == props["street"] == "Route de Lille"
    r = client.get("/ban/search", params={"q": "Lens", "type": "municipality"}).json()
    props = r["features"][0]["properties"]
    assert (props["type"], props["name"], props["id"]) == ("municipality", "Lens", "62498")


def test_search_limit_lists_the_alternatives(client):
    r = client.get("/ban/search", params={"q": "3 route de lille", "limit": 5}).json()
    cities = [f["properties"]["city"] for f in r["features"]]
    assert len(r["features"]) >= 2 and {"Lens", "Loison-sous-Lens"} <= set(cities)
    assert all(f["properties"]["ort_status"] for f in r["features"])
    scores = [f["properties"]["score"] for f in r["features"]]
    assert scores == sorted(scores, reverse=True)


def test_search_nothing_found_is_an_empty_collection(client, reference):
    got = client.get("/ban/search", params={"q": "12 rue des Lilas 62300 Lens"}).json()
    real = _recorded(reference, "ban_search_no_result_sample.json")
    assert got["features"] == [] and set(real) - {"_source", "filters"} <= set(got)


@pytest.mark.parametrize(
    "params",
    [{"q": "ab"}, {"q": "  "}, {"q": "-- rue"}, {"q": "3 rue X", "type": "road"},
     {"q": "3 rue X", "postcode": "623"}, {"q": "3 rue X", "limit": 0}, {}],
)  # fmt: skip
def test_search_refusals(client, params):
    r = client.get("/ban/search", params=params)
    assert r.status_code in (400, 422) and "error" in r.json()


# -- /ban/reverse --------------------------------------------------------------------------


def test_reverse_speaks_the_ban_geojson(client, reference):
    got = client.get("/ban/reverse", params={"lon": CHURCH[0], "lat": CHURCH[1],
                                             "date": DATE}).json()  # fmt: skip
    real = _recorded(reference, "alexreisner-geocoder_ban_data_gouv_fr_reverse.json")
    assert set(real) <= set(got) and got["limit"] == 1
    props, real_props = got["features"][0]["properties"], real["features"][0]["properties"]
    # the 2016 answer lacked x and y, which the BAN gives now (ban_search_sample.json)
    assert set(real_props) <= set(props)
    assert set(props) - set(real_props) == ORT_PROPERTIES | {"x", "y"}
    assert props["label"] == "3 Rue de la Gare 62300 Lens" and props["distance"] == 0
    assert props["ort_status"] == "dedans"


def test_reverse_refusals(client):
    assert client.get("/ban/reverse", params={"lat": 95, "lon": 2}).status_code == 400
    assert client.get("/ban/reverse", params={"lat": 50.4}).status_code in (400, 422)


# -- /ban/search/csv -----------------------------------------------------------------------

CSV = (
    "id,adresse,cp,ville\n1,3 rue de la Gare,62300,Lens\n2,rue inexistante zzz,99999,Nulle\n3,,,\n"
)


def _csv(text: str, sep: str = ",") -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(text), delimiter=sep))


def test_search_csv_speaks_the_ban_csv(client, reference):
    r = client.post("/ban/search/csv", files={"data": ("a.csv", CSV.encode())},
                    data={"columns": ["adresse", "cp", "ville"], "postcode": "cp",
                          "date": DATE})  # fmt: skip
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/csv")
    real = (reference / "ban_api" / "geoplateforme_search_csv_response_sample.csv").read_text()
    real_header = real.splitlines()[0].split(",")
    header = r.text.splitlines()[0].split(",")
    # the input columns, then the Géoplateforme's result columns in its order, then the ORT's
    assert header == ["id", "adresse", "cp", "ville", *real_header[4:], *ORT_COLUMNS]
    assert list(CSV_RESULT_COLUMNS) == [*real_header[4:], *ORT_COLUMNS]
    rows = _csv(r.text)
    assert [row["result_status"] for row in rows] == ["ok", "not-found", "skipped"]
    ok = rows[0]
    assert (
        ok["result_label"] == "3 Rue de la Gare 62300 Lens" and ok["result_type"] == "housenumber"
    )
    assert (ok["longitude"], ok["latitude"]) == tuple(str(v) for v in CHURCH)
    assert ok["result_context"] == "62, Pas-de-Calais, Hauts-de-France"
    assert (ok["result_ort_status"], ok["result_ort_sector"], ok["result_ort_date"]) == (
        "dedans", "lens-centre-ville", DATE)  # fmt: skip
    # not found: every result column empty but the status (as the real answer's row 2)
    real_missing = _csv(real)[1]
    assert [k for k, v in real_missing.items() if v and k.startswith("result_")] == [
        "result_status"
    ]
    assert [k for k, v in rows[1].items() if v and k in real_header[4:]] == ["result_status"]


def test_search_csv_options(client):
    data = CSV.replace(",", ";")
    r = client.post("/ban/search/csv", files={"data": ("a.csv", data.encode())},
                    data={"columns": ["adresse", "ville"], "citycode": "cp",
                          "result_columns": ["result_label", "result_ort_status"]})  # fmt: skip
    assert r.status_code == 200
    assert r.text.splitlines()[0] == "id;adresse;cp;ville;result_label;result_ort_status"
    # citycode= names a column: "62300" is no INSEE code, so nothing is found in it
    assert _csv(r.text, ";")[0]["result_label"] == ""
    r = client.post("/ban/search/csv", files={"data": ("a.csv", CSV.encode())})  # all columns
    assert _csv(r.text)[0]["result_label"] == "3 Rue de la Gare 62300 Lens"


@pytest.mark.parametrize(
    ("files", "data", "status"),
    [
        ({}, {}, 400),
        ({"data": ("a.csv", b"")}, {}, 400),
        ({"data": ("a.csv", b"id,adresse\n")}, {}, 400),
        ({"data": ("a.csv", CSV.encode())}, {"columns": "nope"}, 400),
        ({"data": ("a.csv", CSV.encode())}, {"result_columns": "result_nope"}, 400),
        ({"data": ("a.csv", CSV.encode())}, {"delimiter": ";;"}, 400),
        ({"data": ("a.csv", CSV.encode())}, {"date": "hier"}, 422),
    ],
)
def test_search_csv_refusals(client, files, data, status):
    r = client.post("/ban/search/csv", files=files, data=data)
    assert r.status_code == status and "error" in r.json(), r.text


def test_search_csv_limits(index):
    app = create_app(ServiceConfig(ban_index=index, rate_limit="", max_rows=2,
                                   max_upload_bytes=10_000))  # fmt: skip
    c = TestClient(app)
    r = c.post("/ban/search/csv", files={"data": ("a.csv", CSV.encode())})
    assert r.status_code == 413 and r.json()["error"]["code"] == "trop-de-lignes"
    big = "adresse\n" + "3 rue de la Gare Lens\n" * 2_000
    r = c.post("/ban/search/csv", files={"data": ("a.csv", big.encode())})
    assert r.status_code == 413 and r.json()["error"]["code"] == "fichier-trop-gros"


# -- what the service keeps ----------------------------------------------------------------


@pytest.mark.parametrize(
    "path", ["/ban/search?q=3+rue+de+la+gare", "/ban/reverse?lat=50.4&lon=2.8"]
)
def test_security_headers_and_rate_limit(index, path):
    c = TestClient(create_app(ServiceConfig(ban_index=index, rate_limit="3/second")))
    answers = [c.get(path) for _ in range(6)]
    assert all(a.headers[k] == v for a in answers for k, v in SECURITY_HEADERS.items())
    assert answers[0].status_code == 200 and answers[-1].status_code == 429
    assert "Retry-After" in answers[-1].headers


def test_openapi_lists_the_ban_endpoints(client):
    paths = client.get("/openapi.json").json()["paths"]
    assert {"/ban/search", "/ban/reverse", "/ban/search/csv"} <= set(paths)


# -- geopy's own client against a served app -----------------------------------------------


def test_geopy_banfrance_geocodes_and_reverses(index):
    geopy = pytest.importorskip("geopy.geocoders")
    app = create_app(ServiceConfig(ban_index=index))
    with serving(app) as url:
        ban = geopy.BANFrance(domain=url.removeprefix("http://") + "/ban", scheme="http",
                              timeout=10)  # fmt: skip
        place = ban.geocode("3 rue de la Gare 62300 Lens")
        assert place.address == "3 Rue de la Gare 62300 Lens"
        assert (place.longitude, place.latitude) == CHURCH
        assert place.raw["properties"]["ort_status"] in ("dedans", "date-incertaine")
        assert place.raw["properties"]["ort_sector"] == "lens-centre-ville"
        several = ban.geocode("3 route de Lille", exactly_one=False, limit=5)
        assert len(several) >= 2
        assert ban.geocode("12 rue des Lilas 62300 Lens") is None
        back = ban.reverse((CHURCH[1], CHURCH[0]))
        assert back.address == "3 Rue de la Gare 62300 Lens"
        assert back.raw["properties"]["distance"] == 0
        assert back.raw["properties"]["ort_sector"] == "lens-centre-ville"
