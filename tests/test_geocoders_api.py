"""BanApiGeocoder against the fake BAN server (tests/ban_server.py) on 127.0.0.1."""

from __future__ import annotations

import csv
import json
import time
from pathlib import Path

import pytest
import requests
from ban_server import CSV_RESULT_COLUMNS, FakeBanServer, ban_server, closed_port_url

from ortgeo.errors import (
    GeocoderQuotaExceeded,
    GeocoderResponseError,
    GeocoderServiceError,
    GeocoderUnavailable,
    InputFileError,
    InvalidURLError,
)
from ortgeo.geocoders import BanApiGeocoder, GeocodeCache, GeocodeResult, RetryPolicy
from ortgeo.geocoders.ratelimit import TokenBucket

__all__ = ["ban_server"]  # the fixture, imported for pytest

FAST = RetryPolicy(max_retries=3, backoff=0.001, max_backoff=0.004, timeout=2.0)


class Sleeps(list):
    """Records the waits instead of sleeping."""

    def __call__(self, seconds: float) -> None:
        self.append(seconds)


def make(server: FakeBanServer, **kw) -> BanApiGeocoder:
    kw.setdefault("policy", FAST)
    kw.setdefault("cache", False)
    kw.setdefault("rate", 10_000)
    return BanApiGeocoder(server.url, **kw)


def test_search_housenumber(ban_server: FakeBanServer) -> None:
    r = make(ban_server).geocode("17 bd Émile Basly 62300 Lens")
    assert r.status == "ok" and r.provider == "ban-api"
    assert r.match_type == "housenumber" and r.housenumber == "17"
    assert r.label == "17 Boulevard Émile Basly 62300 Lens"
    assert (r.citycode, r.postcode, r.city, r.street) == ("62498", "62300", "Lens", r.street)
    assert r.lon == pytest.approx(2.8305) and r.lat == pytest.approx(50.4281)
    assert 687_000 < r.x < 689_000 and 7_035_000 < r.y < 7_038_000  # Lambert-93 from the service
    assert 0 <= r.score <= 1 and r.note is None
    assert all(isinstance(c, GeocodeResult) for c in r.candidates)
    assert r.score_next == (r.candidates[0].score if r.candidates else None)
    assert json.loads(json.dumps(r.to_dict()))["label"] == r.label


def test_filters_and_limit_are_sent(ban_server: FakeBanServer) -> None:
    make(ban_server).geocode("rue de Paris", citycode="62498", postcode="62300", type="street")
    _, path, params = ban_server.hits[-1]
    assert path == "/search"
    assert params["citycode"] == ["62498"] and params["postcode"] == ["62300"]
    assert params["type"] == ["street"] and params["q"] == ["rue de Paris"]
    assert int(params["limit"][0]) >= 2  # room for a runner-up


def test_street_when_number_unknown_has_note(ban_server: FakeBanServer) -> None:
    r = make(ban_server).geocode("999 rue de Paris Lens")
    assert r.match_type == "street" and r.housenumber is None
    assert "housenumber not found" in r.note


def test_not_found_and_empty(ban_server: FakeBanServer) -> None:
    g = make(ban_server)
    assert g.geocode("zzzz qqqq").status == "not-found"
    before = ban_server.count()
    assert g.geocode("   ").status == "not-found"
    assert ban_server.count() == before  # no request for an empty query


def test_reverse(ban_server: FakeBanServer) -> None:
    r = make(ban_server).reverse(2.8339, 50.4292)
    assert r.status == "ok" and r.label == "5 Place Jean Jaurès 62300 Lens"
    _, path, params = ban_server.hits[-1]
    assert path == "/reverse" and params["lon"] == ["2.833900"]


def test_429_retry_after_is_honoured(ban_server: FakeBanServer) -> None:
    ban_server.fail(429, times=2, path="/search", retry_after="0.25")
    sleeps = Sleeps()
    r = make(ban_server, sleep=sleeps).geocode("rue de la Gare")
    assert r.status == "ok"
    assert sleeps == [0.25, 0.25] and ban_server.count("/search") == 3


def test_429_forever_is_quota_exceeded(ban_server: FakeBanServer) -> None:
    ban_server.fail(429, times=10, retry_after="1")
    g = make(ban_server, sleep=Sleeps())
    with pytest.raises(GeocoderQuotaExceeded, match=r"HTTP 429.*4 attempt") as exc:
        g.geocode("rue de la Gare")
    assert ban_server.url in str(exc.value) and "offline" in str(exc.value)
    assert ban_server.count() == 4  # 1 + max_retries


def test_429_with_a_too_long_retry_after_fails_at_once(ban_server: FakeBanServer) -> None:
    ban_server.fail(429, times=1, retry_after="3600")
    with pytest.raises(GeocoderQuotaExceeded, match="Retry-After: 3600"):
        make(ban_server, sleep=Sleeps()).geocode("rue de la Gare")
    assert ban_server.count() == 1


def test_5xx_backoff_is_exponential_and_bounded(ban_server: FakeBanServer) -> None:
    policy = RetryPolicy(max_retries=5, backoff=0.5, max_backoff=2.0, timeout=2.0)
    ban_server.fail(503, times=5)
    sleeps = Sleeps()
    r = make(ban_server, policy=policy, sleep=sleeps).geocode("rue de la Gare")
    assert r.status == "ok"
    assert sleeps == [0.5, 1.0, 2.0, 2.0, 2.0]


def test_5xx_forever_is_service_error(ban_server: FakeBanServer) -> None:
    ban_server.fail(500, times=10)
    with pytest.raises(GeocoderServiceError, match="HTTP 500 after 4 attempt") as exc:
        make(ban_server, sleep=Sleeps()).geocode("rue de la Gare")
    assert ban_server.url + "/search" in str(exc.value)


def test_4xx_is_not_retried(ban_server: FakeBanServer) -> None:
    with pytest.raises(GeocoderServiceError, match="HTTP 400: q must contain"):
        make(ban_server, sleep=Sleeps()).geocode("ab")
    assert ban_server.count() == 1


def test_timeout_is_retried_then_unavailable(ban_server: FakeBanServer) -> None:
    policy = RetryPolicy(max_retries=1, backoff=0.001, max_backoff=0.001, timeout=0.2)
    ban_server.slow(0.6, times=1)
    assert make(ban_server, policy=policy).geocode("rue de la Gare").status == "ok"
    ban_server.slow(0.6, times=2)
    with pytest.raises(GeocoderUnavailable, match="timed out after 2 attempt"):
        make(ban_server, policy=policy).geocode("rue de Paris")


def test_connection_refused_is_unavailable() -> None:
    url = closed_port_url()
    sleeps = Sleeps()
    g = BanApiGeocoder(url, cache=False, policy=FAST, sleep=sleeps)
    with pytest.raises(GeocoderUnavailable) as exc:
        g.geocode("17 rue de la Gare Lens")
    msg = str(exc.value)
    assert url in msg and "cannot be reached after 4 attempt" in msg
    assert "ortgeo ban download 62" in msg  # says what to do
    assert sleeps == [0.001, 0.002, 0.004]


def test_truncated_json_is_service_error(ban_server: FakeBanServer) -> None:
    ban_server.truncate(times=1)
    with pytest.raises(GeocoderServiceError, match="invalid or truncated JSON"):
        make(ban_server).geocode("rue de la Gare")


def test_not_a_ban_service(ban_server: FakeBanServer) -> None:
    ban_server.files["/search"] = b'{"hello": "world"}'
    with pytest.raises(GeocoderServiceError, match="without a 'features' list"):
        make(ban_server).geocode("rue de la Gare")


def test_cache_rerun_sends_no_request(ban_server: FakeBanServer, tmp_path: Path) -> None:
    cache = GeocodeCache(tmp_path / "c.sqlite")
    first = make(ban_server, cache=cache).geocode("17 bd Basly Lens")
    assert ban_server.count() == 1
    again = make(ban_server, cache=GeocodeCache(tmp_path / "c.sqlite")).geocode("17 bd Basly Lens")
    assert again == first and ban_server.count() == 1
    # other filters or another service: not the same answer
    make(ban_server, cache=cache).geocode("17 bd Basly Lens", citycode="62498")
    assert ban_server.count() == 2


def test_default_cache_lives_in_ortgeo_cache_dir(
    ban_server: FakeBanServer, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("ORTGEO_CACHE_DIR", str(tmp_path / "cache"))
    g = make(ban_server, cache=True)
    assert g.cache.path.parent == tmp_path / "cache"
    g.geocode("rue de Paris")
    make(ban_server, cache=True).geocode("rue de Paris")
    assert ban_server.count() == 1


def test_errors_are_not_cached(ban_server: FakeBanServer, tmp_path: Path) -> None:
    cache = GeocodeCache(tmp_path / "c.sqlite")
    ban_server.fail(500, times=10)
    with pytest.raises(GeocoderServiceError):
        make(ban_server, cache=cache, sleep=Sleeps()).geocode("rue de Paris")
    assert len(cache) == 0


def test_geocode_many_small_batch_uses_search(ban_server: FakeBanServer) -> None:
    qs = ["17 bd Basly Lens", "zzzz qqqq", "", "3bis rue de la Gare Lens"]
    res = make(ban_server).geocode_many(qs, citycode=["62498", None, None, "62498"])
    assert [r.status for r in res] == ["ok", "not-found", "not-found", "ok"]
    assert [r.query for r in res] == qs
    assert res[3].housenumber == "3bis"
    assert ban_server.count("/search") == 3 and ban_server.count("/search/csv") == 0
    assert ban_server.hits[0][2]["citycode"] == ["62498"]


def test_geocode_many_csv_batch(ban_server: FakeBanServer, tmp_path: Path) -> None:
    qs = [f"{n} rue de la Gare Lens" for n in (1, 3, 1, 3)] + [
        "17 bd Basly Lens", "2 rue de Paris Lens", "4 rue de Paris", "10 route de Lille",
        "12 route de Lille", "zzzz", "",
    ]  # fmt: skip
    cache = GeocodeCache(tmp_path / "c.sqlite")
    g = make(ban_server, cache=cache, chunk_size=3)
    res = g.geocode_many(qs, postcode="62300")
    assert [r.query for r in res] == qs  # order kept, duplicates answered
    assert res[0].label == res[2].label == "1 Rue de la Gare 62300 Lens"
    assert res[4].match_type == "housenumber" and res[4].lon == pytest.approx(2.8305)
    assert res[4].x is not None  # computed from lon/lat (no x/y in the CSV)
    assert res[9].status == "not-found" and res[10].status == "not-found"
    # 9 distinct non-empty queries → 3 chunks of 3 rows, and no /search
    assert ban_server.count("/search/csv") == 3 and ban_server.count("/search") == 0
    # a re-run makes zero requests
    again = make(ban_server, cache=GeocodeCache(tmp_path / "c.sqlite")).geocode_many(
        qs, postcode="62300"
    )
    assert [r.label for r in again] == [r.label for r in res]
    assert ban_server.count() == 3


def test_csv_request_format(ban_server: FakeBanServer) -> None:
    """The real service needs the multipart field `data`, `columns` and filter columns."""
    captured = {}
    session = requests.Session()
    send = session.request

    def spy(method, url, **kw):
        captured.update(kw)
        return send(method, url, **kw)

    session.request = spy
    qs = [f"{n} rue de Paris" for n in range(2, 9)]
    make(ban_server, session=session).geocode_many(qs, citycode=["62498"] * 6 + [None])
    assert "data" in captured["files"]
    assert ("columns", "q") in captured["data"] and ("citycode", "citycode") in captured["data"]
    assert ("delimiter", ",") in captured["data"] and ("quote", '"') in captured["data"]
    body = captured["files"]["data"][1].decode()
    assert body.splitlines()[0] == '"ortgeo_row","q","citycode"'
    assert body.splitlines()[-1] == '"6","8 rue de Paris",""'


def test_csv_batch_gets_a_longer_timeout(ban_server: FakeBanServer) -> None:
    policy = RetryPolicy(max_retries=0, timeout=0.2)
    ban_server.slow(0.5, path="/search/csv")
    res = make(ban_server, policy=policy).geocode_many([f"{n} rue de Paris" for n in range(2, 9)])
    assert all(r.status == "ok" for r in res) and ban_server.count("/search/csv") == 1
    ban_server.slow(0.5, path="/search")
    with pytest.raises(GeocoderUnavailable, match="timed out"):
        make(ban_server, policy=policy).geocode("2 rue de Paris")


def test_csv_answer_in_another_dialect(ban_server: FakeBanServer) -> None:
    ban_server.csv_delimiter = ";"
    qs = [f"{n} rue de Paris Lens" for n in (2, 4, 6, 8, 10, 12)]
    res = make(ban_server).geocode_many(qs)
    assert [r.housenumber for r in res[:2]] == ["2", "4"] and res[0].street == "Rue de Paris"
    assert ban_server.count("/search/csv") == 1


def test_interrupted_batch_resumes_from_cache(ban_server: FakeBanServer, tmp_path: Path) -> None:
    qs = [f"{n} rue de la Gare Lens" for n in range(1, 13)]
    cache = GeocodeCache(tmp_path / "c.sqlite")
    ban_server.fail(500, times=1000, path="/search/csv", skip=1)  # chunks 2+ fail
    res = make(ban_server, cache=cache, chunk_size=3, sleep=Sleeps()).geocode_many(qs)
    assert [r.status for r in res[:3]] == ["ok", "ok", "ok"]
    assert {r.status for r in res[3:]} == {"error"}
    assert "HTTP 500" in res[3].error and "HTTP 500" in res[6].error
    assert "not sent after repeated failures" in res[-1].error  # circuit breaker: chunk 4
    assert ban_server.count("/search/csv") == 1 + 2 * 4  # chunks 2 and 3 with their retries
    assert len(cache) == 3  # chunk 1 was committed
    ban_server.faults.clear()
    hits = ban_server.count()
    res2 = make(ban_server, cache=cache, chunk_size=3).geocode_many(qs)
    assert [r.label for r in res2[:3]] == [r.label for r in res[:3]]
    assert all(r.status == "ok" for r in res2)
    assert ban_server.count() - hits == 3  # only the 9 missing rows, in 3 chunks
    assert len(cache) == 12


def test_one_failure_does_not_shift_others(ban_server: FakeBanServer) -> None:
    ban_server.fail(500, times=4, path="/search")  # the 1st query exhausts its retries
    qs = ["rue de Paris", "17 bd Basly Lens", "rue de la Gare"]
    res = make(ban_server, sleep=Sleeps()).geocode_many(qs)
    assert [r.status for r in res] == ["error", "ok", "ok"]
    assert res[1].label == "17 Boulevard Émile Basly 62300 Lens"


def test_service_down_marks_every_row_in_error_quickly() -> None:
    g = BanApiGeocoder(closed_port_url(), cache=False, policy=FAST, sleep=Sleeps())
    res = g.geocode_many([f"{n} rue de Paris" for n in range(20)])
    assert len(res) == 20 and {r.status for r in res} == {"error"}
    assert "cannot be reached" in res[0].error and "cannot be reached" in res[-1].error


def test_addok_without_csv_endpoint_falls_back(tmp_path: Path) -> None:
    server = FakeBanServer(csv_endpoint=False).start()
    try:
        qs = [f"{n} rue de Paris Lens" for n in (2, 4, 6, 8, 10, 12)]
        with pytest.warns(UserWarning, match="falling back to one /search request"):
            res = make(server).geocode_many(qs)
        assert [r.housenumber for r in res[:2]] == ["2", "4"]
        assert server.count("/search/csv") == 1 and server.count("/search") == 6
    finally:
        server.stop()


def test_per_query_filters_length_checked(ban_server: FakeBanServer) -> None:
    with pytest.raises(InputFileError, match="2 values for 3 queries"):
        make(ban_server).geocode_many(["a", "b", "c"], citycode=["1", "2"])


def test_base_url_from_env(monkeypatch) -> None:
    monkeypatch.setenv("ORTGEO_BAN_URL", "http://127.0.0.1:9/geocodage/")
    assert BanApiGeocoder(cache=False).base_url == "http://127.0.0.1:9/geocodage"
    monkeypatch.delenv("ORTGEO_BAN_URL")
    assert BanApiGeocoder(cache=False).base_url == "https://data.geopf.fr/geocodage"


def test_token_bucket_limits_the_rate() -> None:
    now = [0.0]

    def sleep(s: float) -> None:
        now[0] += s

    bucket = TokenBucket(rate=50, burst=5, clock=lambda: now[0], sleep=sleep)
    for _ in range(105):
        bucket.acquire()
    assert now[0] == pytest.approx(100 / 50)  # 5 free, then 50 per second


def test_rate_limit_is_applied_to_requests(ban_server: FakeBanServer) -> None:
    g = make(ban_server, rate=40.0)  # burst of 4
    t0 = time.perf_counter()
    for n in range(12):
        g.geocode(f"{n} rue de Paris")
    assert time.perf_counter() - t0 >= (12 - 4) / 40 * 0.9


# ------------------------------------------------------------------ recorded formats
def test_recorded_search_responses_parse(reference: Path) -> None:
    g = BanApiGeocoder("http://127.0.0.1:9", cache=False)
    for path in sorted((reference / "ban_api").glob("*.json")):
        data = json.loads(path.read_text(encoding="utf-8"))
        res = g._collection(data.get("query", "q"), data, limit=5)
        if data["features"]:
            props = data["features"][0]["properties"]
            assert res.status == "ok" and res.label == props["label"], path.name
            assert res.score == pytest.approx(props["score"])
            assert (
                res.x is not None and res.lon == data["features"][0]["geometry"]["coordinates"][0]
            )
            if "x" in props:
                assert res.x == props["x"]
            assert len(res.candidates) == min(5, len(data["features"]) - 1)
        else:
            assert res.status == "not-found", path.name
    duhesme = json.loads((reference / "ban_api" / "ban_search_sample.json").read_text())
    r = g._collection("18 rue Duhesme", duhesme, 5)
    assert (r.housenumber, r.street, r.citycode, r.match_type) == (
        "18", "Rue Duhesme", "75118", "housenumber",
    )  # fmt: skip


def test_recorded_csv_response_parses(reference: Path) -> None:
    g = BanApiGeocoder("http://127.0.0.1:9", cache=False)
    path = reference / "ban_api" / "geoplateforme_search_csv_response_sample.csv"
    rows = list(csv.DictReader(path.open(encoding="utf-8")))
    res = [g._csv_row(r["adresse"], r, "recorded") for r in rows]
    assert [r.status for r in res] == ["ok", "not-found", "ok"]
    assert res[0].match_type == "street" and res[0].score_next == pytest.approx(0.7230291978609625)
    assert res[0].label == "Rue de l'Hôtel de Ville 75004 Paris" and res[0].citycode == "75104"
    assert res[2].match_type == "municipality" and res[2].score_next is None


def test_fake_server_speaks_the_recorded_formats(ban_server: FakeBanServer, reference: Path):
    recorded = json.loads((reference / "ban_api" / "ban_search_sample.json").read_text())
    rec_props = set(recorded["features"][0]["properties"])
    params = {"q": "17 bd Basly", "citycode": "62498"}
    data = requests.get(f"{ban_server.url}/search", params=params, timeout=5).json()
    assert set(data) >= set(recorded) - {"_source"}
    fake_props = set(data["features"][0]["properties"])
    assert fake_props <= rec_props | {"distance"} and fake_props >= rec_props - {"district"}
    path = reference / "ban_api" / "geoplateforme_search_csv_response_sample.csv"
    header = path.read_text(encoding="utf-8").splitlines()[0].split(",")
    assert tuple(header[4:]) == CSV_RESULT_COLUMNS


# ---------------------------------------------------------------- fault families (issue 9)
# Each family is one parametrised test; add a row for every new bug.

BATCH = [
    "2 rue de Paris Lens", "4 rue de Paris Lens", "17 bd Émile Basly Lens",
    "3 rue de la Gare Lens", "10 route de Lille Lens", "zzzz qqqq xxxx",
    "12 route de Lille Lens", "5 place Jean Jaurès Lens", "1 rue de la Gare Lens",
]  # fmt: skip


@pytest.mark.parametrize("mangle", ["reorder", "drop", "duplicate", "swap_query", "no_id"])
def test_csv_answers_are_matched_by_id_never_by_position(
    ban_server: FakeBanServer, tmp_path: Path, mangle: str
) -> None:
    """Rows in another order, missing, twice or mixed up never get another row's answer,
    and a wrong answer is never cached."""
    truth = make(ban_server).geocode_many(BATCH)
    assert ban_server.count("/search/csv") == 1 and truth[5].status == "not-found"
    ban_server.mangle = {mangle}
    cache = GeocodeCache(tmp_path / "c.sqlite")
    res = make(ban_server, cache=cache).geocode_many(BATCH)
    assert [r.query for r in res] == BATCH
    for got, want in zip(res, truth, strict=True):
        assert got.status == "error" or got.to_dict() == want.to_dict(), (mangle, got, want)
    n_errors = sum(r.status == "error" for r in res)
    expected_errors = {"reorder": 0, "drop": 3, "duplicate": 2, "swap_query": 2, "no_id": 9}
    assert n_errors == expected_errors[mangle]
    assert len(cache) == len(BATCH) - n_errors  # errors are not kept
    ban_server.mangle = set()
    again = make(ban_server, cache=cache).geocode_many(BATCH)  # the missing rows only
    assert [(r.status, r.label) for r in again] == [(r.status, r.label) for r in truth]


@pytest.mark.parametrize(
    ("mangle", "message"),
    [("bad_score", "score 'high'"), ("one_coord", "coordinates [2.8"),
     ("no_props", "without properties")],
)  # fmt: skip
def test_json_of_the_wrong_shape_is_a_clear_error_per_row(
    ban_server: FakeBanServer, mangle: str, message: str
) -> None:
    ban_server.mangle = {mangle}
    g = make(ban_server, sleep=Sleeps())
    with pytest.raises(GeocoderResponseError, match=r"answered .17 bd Basly Lens. with") as exc:
        g.geocode("17 bd Basly Lens")
    assert message in str(exc.value) and ban_server.url in str(exc.value)
    res = g.geocode_many(["rue de Paris", "17 bd Basly Lens", "rue de la Gare"])
    assert [r.status for r in res] == ["error"] * 3  # each row says why, none is skipped
    assert all(message in r.error for r in res) and ban_server.count("/search") == 4


@pytest.mark.parametrize(
    ("mangle", "message"),
    [("bad_score", "unusable score 'high'"), ("bad_coords", "unusable position")],
)
def test_csv_rows_of_the_wrong_shape_are_errors_for_those_rows(
    ban_server: FakeBanServer, mangle: str, message: str
) -> None:
    ban_server.mangle = {mangle}
    res = make(ban_server).geocode_many(BATCH)
    assert [r.status for r in res] == ["not-found" if "zzzz" in q else "error" for q in BATCH]
    assert all(message in r.error for r in res if r.status == "error")


@pytest.mark.parametrize("delay", [0.0, 0.5])
def test_slow_csv_answers_are_waited_for_or_fail_cleanly(
    ban_server: FakeBanServer, delay: float
) -> None:
    policy = RetryPolicy(max_retries=0, timeout=0.2)
    ban_server.slow(delay, path="/search/csv")
    g = make(ban_server, policy=policy)
    g._csv_timeout = lambda n: 0.3  # type: ignore[method-assign]
    res = g.geocode_many(BATCH)
    if delay < 0.3:
        assert sum(r.ok for r in res) == 8
    else:
        assert {r.status for r in res} == {"error"} and "timed out" in res[0].error


@pytest.mark.parametrize(
    "query",
    ["2 rue de Paris; bât B Lens", '4 "rue de Paris" Lens', "17 bd Émile Basly\\ Lens",
     "3 rue de la Gare, Lens"],
)  # fmt: skip
def test_csv_batch_with_separators_inside_addresses(ban_server: FakeBanServer, query: str) -> None:
    """A `;` (or quote, backslash, comma) in an address cannot change the CSV dialect."""
    qs = [query, *BATCH[4:]]
    res = make(ban_server).geocode_many(qs)
    assert ban_server.last_csv_delimiter == "," and ban_server.count("/search/csv") == 1
    assert res[0].status == "ok" and [r.query for r in res] == qs


@pytest.mark.parametrize(
    ("url", "message"),
    [("notaurl", "is not a URL"), ("http://127.0.0.1:99999", "invalid port"),
     ("ftp://example.org", "is not a URL"), ("http://", "is not a URL"),
     ("http://127.0.0.1:port", "invalid port")],
)  # fmt: skip
def test_malformed_service_url_is_refused(url: str, message: str) -> None:
    with pytest.raises(InvalidURLError, match=message) as exc:
        BanApiGeocoder(url, cache=False)
    assert repr(url) in str(exc.value) and "--ban-url" in str(exc.value)


def test_malformed_ban_url_on_the_command_line() -> None:
    from click.testing import CliRunner

    from ortgeo.cli import main

    result = CliRunner().invoke(
        main, ["check", "--geocoder", "api", "--ban-url", "notaurl", "3 rue de la Gare Lens"]
    )
    assert result.exit_code == 2 and "Traceback" not in result.output
    assert "Error: --ban-url 'notaurl' is not a URL" in result.output


@pytest.mark.parametrize(
    ("status", "retry_after", "error"),
    [(429, "3600", GeocoderQuotaExceeded), (503, None, GeocoderServiceError),
     (400, None, GeocoderServiceError)],
)  # fmt: skip
def test_errors_carry_status_code_and_retry_after(
    ban_server: FakeBanServer, status: int, retry_after: str | None, error: type
) -> None:
    ban_server.fail(status, times=10, retry_after=retry_after)
    with pytest.raises(error) as exc:
        make(ban_server, sleep=Sleeps()).geocode("rue de la Gare")
    assert exc.value.status_code == status
    assert exc.value.retry_after == (float(retry_after) if retry_after else None)
    assert exc.value.url == ban_server.url + "/search"


def test_unreachable_error_has_no_status_code() -> None:
    with pytest.raises(GeocoderUnavailable) as exc:
        BanApiGeocoder(closed_port_url(), cache=False, policy=FAST, sleep=Sleeps()).geocode(
            "rue de la Gare"
        )
    assert exc.value.status_code is None and exc.value.url.endswith("/search")


@pytest.mark.parametrize(
    "damage",
    [b"this is not a database at all" * 100, b"SQLite format 3\x00" + b"\xff" * 4000],
)
def test_corrupt_cache_is_set_aside_and_replaced(
    ban_server: FakeBanServer, tmp_path: Path, damage: bytes
) -> None:
    path = tmp_path / "geocode.sqlite"
    path.write_bytes(damage)
    with pytest.warns(UserWarning, match=r"geocode cache .*geocode.sqlite is damaged") as rec:
        cache = GeocodeCache(path)
    assert "moved aside" in str(rec[0].message)
    aside = list(tmp_path.glob("geocode.sqlite.corrupt-*"))
    assert len(aside) == 1 and aside[0].read_bytes() == damage  # nothing destroyed
    res = make(ban_server, cache=cache).geocode_many(BATCH)
    assert sum(r.ok for r in res) == 8 and len(cache) == len(BATCH)


def test_cache_damaged_while_open_is_set_aside(tmp_path: Path) -> None:
    path = tmp_path / "geocode.sqlite"
    cache = GeocodeCache(path)
    cache.put_many([("k", GeocodeResult("q", "not-found"))])
    cache._db.close()
    path.write_bytes(b"garbage" * 1000)
    for suffix in ("-wal", "-shm"):
        path.with_name(path.name + suffix).unlink(missing_ok=True)
    import sqlite3

    cache._db = sqlite3.connect(path, check_same_thread=False)
    with pytest.warns(UserWarning, match="damaged"):
        assert cache.get("k") is None
    cache.put_many([("k2", GeocodeResult("q", "not-found"))])
    assert cache.get("k2") is not None
