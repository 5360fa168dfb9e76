"""The web service under load: the answer cache bounded in bytes, point checks answered on
the event loop (no thread hop), the headers and size limit kept on the fast paths.

In-process (``fastapi.testclient``) on a SYNTHETIC offline BAN index; the load test itself
is ``benchmarks/bench_service.py`` (run by hand).
"""

from __future__ import annotations

import os
import random
from typing import Any

import pytest
from fastapi.testclient import TestClient
from service_fixtures import synthetic_index

from ortgeo.service import ServiceConfig, create_app
from ortgeo.service.cache import ENTRY_OVERHEAD, AnswerCache
from ortgeo.service.limits import Worker
from ortgeo.service.security import SECURITY_HEADERS

pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning")

DATE = "2024-06-01"


@pytest.fixture(scope="module")
def index(tmp_path_factory) -> str:
    return str(synthetic_index(tmp_path_factory.mktemp("ban")))


class CountingWorker(Worker):
    """A :class:`Worker` that counts the tasks sent to its threads."""

    def __init__(self, threads: int) -> None:
        super().__init__(threads)
        self.tasks = 0

    async def run(self, func: Any, *args: Any, timeout: float) -> Any:
        self.tasks += 1
        return await super().run(func, *args, timeout=timeout)


# -- AnswerCache -----------------------------------------------------------------------------


def test_cache_holds_its_byte_budget_and_drops_the_least_recent():
    cache = AnswerCache(max_bytes=20_000)
    rng = random.Random(0)
    for i in range(500):
        cache.put(("point", i), bytes(rng.randrange(100, 3_000)))
        assert cache.nbytes <= 20_000
        assert cache.nbytes == sum(AnswerCache.cost(v) for v in cache._data.values())
    assert 5 < len(cache) < 500
    kept = next(iter(cache._data))  # the least recently used
    assert cache.get(kept) is not None  # ... now the most recent
    for i in range(500, 510):
        cache.put(("point", i), bytes(100))
    assert cache.get(kept) is not None


def test_cache_replacing_a_key_counts_it_once_and_zero_keeps_nothing():
    cache = AnswerCache(max_bytes=10_000)
    cache.put("a", b"x" * 1_000)
    cache.put("a", b"y" * 2_000)
    assert len(cache) == 1 and cache.nbytes == AnswerCache.cost(b"y" * 2_000)
    cache.put("big", b"z" * 20_000)  # larger than the whole budget: not kept, nothing dropped
    assert cache.get("big") is None and cache.get("a") == b"y" * 2_000
    empty = AnswerCache(max_bytes=0)
    empty.put("a", b"x")
    assert len(empty) == 0 and empty.get("a") is None
    assert AnswerCache.cost(b"") > ENTRY_OVERHEAD


def test_service_cache_stays_within_its_bytes_and_answers_the_same(index):
    budget = 60_000
    app = create_app(ServiceConfig(ban_index=index, rate_limit="", cache_bytes=budget))
    c = TestClient(app)
    rng = random.Random(1)
    points = [(round(rng.uniform(2.80, 2.86), 6), round(rng.uniform(50.41, 50.45), 6))
              for _ in range(40)]  # fmt: skip
    first = [c.get("/api/v1/check", params={"lon": x, "lat": y, "date": DATE}).content
             for x, y in points]  # fmt: skip
    cache = app.state.lookup.answers
    assert cache.nbytes <= budget and 0 < len(cache) < len(points)
    again = [c.get("/api/v1/check", params={"lon": x, "lat": y, "date": DATE}).content
             for x, y in points]  # fmt: skip
    assert again == first  # from the cache or computed again: the same bytes
    uncached = TestClient(create_app(ServiceConfig(ban_index=index, rate_limit="",
                                                   cache_bytes=0)))  # fmt: skip
    x, y = points[0]
    r = uncached.get("/api/v1/check", params={"lon": x, "lat": y, "date": DATE})
    assert r.content == first[0]


def test_cache_budget_must_not_be_negative():
    from ortgeo.errors import OrtgeoError

    with pytest.raises(OrtgeoError, match="cache_bytes"):
        ServiceConfig(cache_bytes=-1)


# -- which work goes to the threads ----------------------------------------------------------


def test_offline_checks_on_the_event_loop_api_addresses_in_a_thread(index):
    app = create_app(ServiceConfig(ban_index=index, rate_limit=""))
    worker = app.state.worker = CountingWorker(2)
    c = TestClient(app)
    r = c.get("/api/v1/check", params={"lon": 2.833889, "lat": 50.429167, "date": DATE})
    assert r.status_code == 200 and r.json()["status"] == "dedans"
    r = c.get("/api/v1/check", params={"x": 686_000.0, "y": 7_036_000.0, "date": DATE})
    assert r.status_code == 200 and worker.tasks == 0
    params = {"address": "3 rue de la Gare Lens", "date": DATE}
    first = c.get("/api/v1/check", params=params)  # the offline index: no I/O, no thread
    assert first.status_code == 200 and first.json()["geocode"] and worker.tasks == 0
    # the BAN API geocoder may wait on the network: a worker thread (answer stubbed: no
    # request is sent), then the cache, on the loop
    api = create_app(ServiceConfig(geocoder="api", ban_url="http://127.0.0.1:9", rate_limit=""))
    api_worker = api.state.worker = CountingWorker(2)
    api.state.lookup._verdict = lambda *question: first.content
    a = TestClient(api)
    assert a.get("/api/v1/check", params=params).content == first.content
    assert api_worker.tasks == 1
    again = a.get("/api/v1/check", params=params)
    assert again.content == first.content and api_worker.tasks == 1  # answered from the cache
    page = a.get("/fragments/verdict", params=params)
    assert page.status_code == 200 and api_worker.tasks == 1  # the page asks the same question


def test_refusals_before_any_work(index):
    app = create_app(ServiceConfig(ban_index=index, rate_limit=""))
    worker = app.state.worker = CountingWorker(2)
    c = TestClient(app)
    for params, code in [({"lon": "nan", "lat": 50.4}, "coordonnees-invalides"),
                         ({"lon": 2.8}, "parametres-manquants"),
                         ({"address": "x" * 250}, "texte-trop-long"),
                         ({"address": "3 rue de la Gare Lens", "date": "2024-02-30"},
                          "date-invalide")]:  # fmt: skip
        r = c.get("/api/v1/check", params=params)
        assert r.status_code == 422 and r.json()["error"]["code"] == code, r.text
    assert worker.tasks == 0


# -- headers and body limit on the fast paths ------------------------------------------------


@pytest.mark.parametrize("params", [{"lon": 2.83, "lat": 50.43}, {"lon": "x", "lat": 1}])
def test_security_headers_once_each(index, params):
    c = TestClient(create_app(ServiceConfig(ban_index=index, rate_limit="")))
    r = c.get("/api/v1/check", params=params)
    names = [k.lower() for k, _ in r.headers.multi_items()]
    for name, value in SECURITY_HEADERS.items():
        assert names.count(name.lower()) == 1
        assert r.headers[name] == value


def test_chunked_body_without_length_is_still_counted(index):
    app = create_app(ServiceConfig(ban_index=index, rate_limit="", max_upload_bytes=2_000))
    c = TestClient(app)
    head = (b'--zzz\r\nContent-Disposition: form-data; name="file"; filename="a.csv"\r\n'
            b"Content-Type: text/csv\r\n\r\nadresse\n")  # fmt: skip
    rows = [b"3 rue de la Gare Lens\n" * 500] * 10  # 110 kB, over the limit (2 kB + 64 kB)
    chunks = iter([head, *rows, b"\r\n--zzz--\r\n"])  # no Content-Length: sent chunked
    r = c.post("/api/v1/batch", content=chunks,
               headers={"content-type": "multipart/form-data; boundary=zzz"})  # fmt: skip
    assert r.status_code == 413 and r.json()["error"]["code"] == "fichier-trop-gros"
    small = iter([head, b"3 rue de la Gare Lens\n", b"\r\n--zzz--\r\n"])
    r = c.post("/api/v1/batch", content=small,
               headers={"content-type": "multipart/form-data; boundary=zzz"})  # fmt: skip
    assert r.status_code == 200 and r.headers["x-ortgeo-rows"] == "1"


def test_serve_runs_uvicorn_without_access_log_and_with_few_arenas(monkeypatch):
    import uvicorn
    from click.testing import CliRunner

    from ortgeo.cli import main
    from ortgeo.service.config import CONFIG_ENV

    seen: dict[str, Any] = {}
    monkeypatch.setattr(uvicorn, "run", lambda app, **kwargs: seen.update(kwargs, app=app))
    monkeypatch.delenv("MALLOC_ARENA_MAX", raising=False)
    monkeypatch.setenv(CONFIG_ENV, "")  # restored after the test
    out = CliRunner().invoke(main, ["serve", "--geocoder", "api", "--ban-url",
                                    "http://127.0.0.1:9", "--workers", "2"])  # fmt: skip
    assert out.exit_code == 0, out.output
    assert seen["access_log"] is False and seen["workers"] == 2 and seen["factory"] is True
    assert os.environ["MALLOC_ARENA_MAX"] == "2"
    assert ServiceConfig.from_json(os.environ[CONFIG_ENV]).geocoder == "api"
    monkeypatch.setenv("MALLOC_ARENA_MAX", "8")  # the user's value is kept
    assert CliRunner().invoke(main, ["serve", "--geocoder", "api"]).exit_code == 0
    assert os.environ["MALLOC_ARENA_MAX"] == "8"
