"""Load test of ``ortgeo serve`` on 127.0.0.1 (run by hand, never by the tests).

    python benchmarks/bench_service.py [--duration 60] [--clients 50] [--workers 2]
                                       [--client wrk|raw|httpx] [--anchor DIR] [--compare N]

Starts ``ortgeo serve --workers 2`` on a free port of 127.0.0.1, on an offline index of
SYNTHETIC Lens addresses (ortgeo.testing), with its default per-client rate limit
(50 requests/s). Before the first phase every kind of request is sent once (points,
Lambert-93, address, suggestions, commune, perimeters, page, fiche), so that the workers'
RSS is measured after everything loaded lazily is loaded.

Load clients (``--client``; the default is ``wrk`` when it is installed):

- ``wrk`` (a load generator written in C: ``apt-get install wrk``; not needed by the tests
  or CI): ``--clients`` connections from one thread, each request built by a Lua
  ``request()`` hook (a new random point, or a random address of the index). wrk cannot
  choose its source address, so each request carries ``X-Forwarded-For`` with one of
  ``--clients`` client addresses in turn (10.0.0.1, 10.0.0.2, ...): the server trusts it
  from 127.0.0.1 (``--forwarded-allow-ips``, as behind a reverse proxy) and the rate
  limiter counts each client apart, at its default limit. The flood phase uses the
  ``raw`` client (it needs distinct source addresses).
- ``raw``: a closed loop on bare asyncio streams, one connection per client, each
  client from its own loopback address (127.0.0.2, 127.0.0.3, ...).
- ``httpx``: the same loop with asyncio httpx clients (the heaviest: about one core for
  50 clients, taken from the server on a 2-core machine).

Phases, each ``--duration`` seconds:

1. point checks (``/api/v1/check?lon&lat``), a new random point of the Lens area per
   request (no two alike: the answer cache never helps);
2. address checks on the offline index, random numbered addresses of the index
   (repeats happen, as for real users; the answer cache is on, as served);
3. paced (``points@1000``, ``addresses@300``, wrk only): the same requests, the clients
   pacing themselves (random think time) to offer the issue's target rate in all — the
   latency at that load; the closed loops above measure a saturated server, whose latency
   is its queue (50 clients / throughput);
4. flood: one client (127.0.0.250) sends with 20 connections at once while 10 normal
   clients check points, each at most 20 requests/s (under the limit); the flooder must
   get HTTP 429 with ``Retry-After`` and the others their usual latency.

Reported: requests/s, p50/p99 latency, errors (non-2xx other than the flood's 429, and
exceptions), the workers' RSS at the start and the end of each phase and of the run.

Side by side with an anchor (the same load, in one run, so that the ratio holds on a
shared machine)::

    git archive <commit> | tar -x -C /tmp/anchor
    python benchmarks/bench_service.py --anchor /tmp/anchor [--anchor-without MODULES]

starts a second server from the source tree ``--anchor`` (same interpreter, same index)
and runs every phase on both servers in turn, alternating which goes first each round
(``--rounds``). ``--anchor-without`` hides modules from the anchor's processes (the
packages it did not depend on, which uvicorn would otherwise pick up).
``--cpu N`` measures, in process and without sockets, the CPU of the whole app per point
check (real verdicts, full and compact, the rate limit on): this tree and ``--anchor``
in turn, ``--rounds`` times — the A/B that holds on a shared machine.
``--compare N`` (with ``--anchor``) first sends the same N requests of every kind to
both servers (points on several dates, Lambert-93, addresses, suggestions, communes,
perimeters, refusals) and checks that status, body and security headers are
byte-identical; ``--phases ''`` then skips the load.
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import json
import os
import platform
import random
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx

HERE = Path(__file__).resolve().parents[1]

DATE = "2024-06-01"
#: Requests/s of each normal client of the flood phase (under the default limit, 50/s).
NORMAL_RATE = 20
DATES = ("2019-08-03", "2019-08-04", "2021-01-01", "2024-06-01", "2026-12-01", "2035-01-01")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def workers_rss_mb(pid: int) -> list[float]:
    """RSS (MB) of the uvicorn worker processes under ``pid`` (Linux /proc)."""
    out = []
    for status in Path("/proc").glob("[0-9]*/status"):
        try:
            text = status.read_text()
        except OSError:
            continue
        fields = dict(line.split(":\t", 1) for line in text.splitlines() if ":\t" in line)
        if fields.get("PPid", "").strip() != str(pid) or "VmRSS" not in fields:
            continue
        cmdline = (status.parent / "cmdline").read_bytes()
        if b"spawn_main" in cmdline:  # a worker, not multiprocessing's resource tracker
            out.append(int(fields["VmRSS"].split()[0]) / 1024)
    return sorted(out)


async def client_loop(base: str, source: str, make_url, stop: float, lat_ms: list[float],
                      codes: dict[int, int], conns: int = 1,
                      pace: float = 0.0) -> None:  # fmt: skip
    transport = httpx.AsyncHTTPTransport(local_address=source, retries=0)
    limits = httpx.Limits(max_connections=conns, max_keepalive_connections=conns)
    async with httpx.AsyncClient(base_url=base, transport=transport, limits=limits,
                                 timeout=10.0) as client:  # fmt: skip

        async def one() -> None:
            while time.perf_counter() < stop:
                t0 = time.perf_counter()
                try:
                    r = await client.get(make_url())
                    code = r.status_code
                    if code == 429 and not r.headers.get("retry-after"):
                        code = -429  # a 429 without Retry-After is an error
                except httpx.HTTPError:
                    code = -1
                lat_ms.append((time.perf_counter() - t0) * 1000)
                codes[code] = codes.get(code, 0) + 1
                await asyncio.sleep(max(0.0, t0 + pace - time.perf_counter()))

        await asyncio.gather(*(one() for _ in range(conns)))


async def raw_client_loop(base: str, source: str, make_url, stop: float, lat_ms: list[float],
                          codes: dict[int, int], conns: int = 1,
                          pace: float = 0.0) -> None:  # fmt: skip
    """:func:`client_loop` on bare asyncio streams (HTTP/1.1 keep-alive, GET only): the
    same closed loop for a fraction of httpx's CPU, which on a 2-core machine is taken
    from the server under test."""
    host, port = base.removeprefix("http://").split(":")

    async def one() -> None:
        reader = writer = None
        while time.perf_counter() < stop:
            t0 = time.perf_counter()
            try:
                if writer is None:
                    reader, writer = await asyncio.open_connection(
                        host, int(port), local_addr=(source, 0))  # fmt: skip
                assert reader is not None
                writer.write(f"GET {make_url()} HTTP/1.1\r\nHost: {host}\r\n\r\n".encode())
                head = (await reader.readuntil(b"\r\n\r\n")).decode("latin-1").split("\r\n")
                code = int(head[0].split(" ")[1])
                fields = dict(h.lower().split(": ", 1) for h in head[1:] if ": " in h)
                await reader.readexactly(int(fields.get("content-length", "0")))
                if code == 429 and not fields.get("retry-after"):
                    code = -429
                if fields.get("connection") == "close":
                    writer.close()
                    reader = writer = None
            except (OSError, asyncio.IncompleteReadError, ValueError):
                code = -1
                if writer is not None:
                    writer.close()
                reader = writer = None
            lat_ms.append((time.perf_counter() - t0) * 1000)
            codes[code] = codes.get(code, 0) + 1
            await asyncio.sleep(max(0.0, t0 + pace - time.perf_counter()))
        if writer is not None:
            writer.close()

    await asyncio.gather(*(one() for _ in range(conns)))


_WRK_LUA = """
math.randomseed(%(seed)d)
local n = 0
local paths = %(paths)s
request = function()
  n = n + 1
  local path
  if paths then
    path = paths[math.random(#paths)]
  else
    path = string.format("/api/v1/check?lon=%%.6f&lat=%%.6f&date=%(date)s%(extra)s",
                         2.80 + math.random() * 0.06, 50.41 + math.random() * 0.04)
  end
  local client = n %% %(sources)d + 1
  local source = "10.0." .. math.floor(client / 250) .. "." .. (client %% 250 + 1)
  return wrk.format("GET", path, {["X-Forwarded-For"] = source})
end
local think = %(think).3f
if think > 0 then  -- paced phases: a random think time before each request, mean `think` ms
  delay = function() return math.random() * 2 * think end
end
done = function(summary, latency, requests)
  local e = summary.errors
  io.write(string.format('WRK {"n":%%d,"us":%%d,"p50":%%d,"p99":%%d,"connect":%%d,' ..
    '"read":%%d,"write":%%d,"status":%%d,"timeout":%%d}\\n', summary.requests,
    summary.duration, latency:percentile(50), latency:percentile(99), e.connect, e.read,
    e.write, e.status, e.timeout))
end
"""


def wrk_phase(base: str, clients: int, duration: float, paths: list[str] | None,
              tmp: Path, rate: float = 0.0, sources: int = 0, extra: str = "") -> dict:  # fmt: skip
    """One phase with wrk: ``clients`` connections, one thread, a Lua ``request()`` hook
    that draws a new random point (``paths`` None) or one of ``paths`` per request.

    ``rate`` > 0 paces the clients (a random think time before each request, mean 90 % of
    ``clients / rate``) so that they offer a little more than ``rate`` requests/s in all:
    the latency at that load, where a closed loop at full speed measures the latency of a
    saturated server (queueing). The rate reached is measured, not assumed."""
    think = 0.9 * 1000 * clients / rate if rate > 0 else 0.0
    table = "nil" if paths is None else "{" + ",".join(json.dumps(p) for p in paths) + "}"
    script = tmp / f"wrk-{'points' if paths is None else 'paths'}.lua"
    script.write_text(_WRK_LUA % {"seed": 0, "paths": table, "date": DATE,
                                  "sources": sources or clients, "think": think,
                                  "extra": extra})  # fmt: skip
    out = subprocess.run(["wrk", "-t", "1", "-c", str(clients), "-d", f"{duration:.0f}s",
                          "--timeout", "10s", "-s", str(script), base],
                         capture_output=True, text=True, check=True).stdout  # fmt: skip
    res = json.loads(out[out.index("WRK ") + 4 :].splitlines()[0])
    errors = res["connect"] + res["read"] + res["write"] + res["status"] + res["timeout"]
    return {"n": res["n"], "rps": res["n"] / (res["us"] / 1e6), "p50": res["p50"] / 1000,
            "p99": res["p99"] / 1000, "errors": errors,
            "codes": {k: res[k] for k in ("connect", "read", "write", "status", "timeout")},
            "flood_codes": {}, "flood_rps": 0.0}  # fmt: skip


def app_cost(n: int, sources: int) -> dict[str, float]:
    """CPU per point check (µs, best of 5 × ``n``) of the whole app in this process, without
    sockets: real verdicts (a new random point each request, the answer cache never
    helps), the default rate limit on, ``sources`` clients in turn — what a worker spends
    on a request apart from uvicorn's HTTP parsing. Run from the anchor's tree by
    ``--anchor``. Kinds: the full answer (default) and ``detail=compact``."""
    from ortgeo.service import ServiceConfig, create_app

    app = create_app(ServiceConfig(geocoder="api", ban_url="http://127.0.0.1:9"))
    rng = random.Random(0)
    clients = [f"10.0.{i // 250}.{i % 250 + 1}" for i in range(sources)]

    async def one(query: bytes, client: str) -> None:
        scope = {"type": "http", "asgi": {"version": "3.0"}, "http_version": "1.1",
                 "method": "GET", "scheme": "http", "path": "/api/v1/check",
                 "raw_path": b"/api/v1/check", "query_string": query, "root_path": "",
                 "headers": [(b"host", b"127.0.0.1")], "client": (client, 1),
                 "server": ("127.0.0.1", 8000), "state": {}}  # fmt: skip

        async def receive() -> dict:
            return {"type": "http.request", "body": b"", "more_body": False}

        async def send(message: dict) -> None:
            if message["type"] == "http.response.start":
                assert message["status"] == 200, message

        await app(scope, receive, send)

    def point(extra: str) -> bytes:
        lon, lat = rng.uniform(2.80, 2.86), rng.uniform(50.41, 50.45)
        return f"lon={lon:.6f}&lat={lat:.6f}&date={DATE}{extra}".encode()

    async def run() -> dict[str, float]:
        out = {}
        for kind, extra in (("full", ""), ("compact", "&detail=compact")):
            for i in range(100):
                await one(point(extra), clients[i % sources])
            best = float("inf")
            for _ in range(5):
                queries = [point(extra) for _ in range(n)]
                t0 = time.process_time()  # all threads of the process (a limiter's too)
                for i, q in enumerate(queries):
                    await one(q, clients[i % sources])
                best = min(best, (time.process_time() - t0) / n)
            out[kind] = best * 1e6
        return out

    try:
        import uvloop

        return uvloop.run(run())
    except ImportError:
        return asyncio.run(run())


def stack_cost(n: int) -> dict[str, float]:
    """CPU per request (µs, best of 5 × ``n``) of the service's HTTP stack alone, in this
    process, without sockets: the verdict is stubbed out (a constant 2 kB body), so what
    is measured is routing, validation, middleware (rate limit on), the thread hop if any
    and the response — not ``check_point``. Run from the anchor's tree by ``--anchor``."""
    from ortgeo.service import ServiceConfig, create_app
    from ortgeo.service.lookup import Lookup

    body = b'{"status":"dedans"}' * 100
    name = "_verdict_uncached" if hasattr(Lookup, "_verdict_uncached") else "_verdict"
    setattr(Lookup, name, lambda self, kind, a, b, day: body)  # the anchor's name, or ours
    app = create_app(ServiceConfig(geocoder="api", ban_url="http://127.0.0.1:9",
                                   rate_limit="1000000/second"))  # fmt: skip
    rng = random.Random(0)

    async def one(query: bytes) -> None:
        scope = {"type": "http", "asgi": {"version": "3.0"}, "http_version": "1.1",
                 "method": "GET", "scheme": "http", "path": "/api/v1/check",
                 "raw_path": b"/api/v1/check", "query_string": query, "root_path": "",
                 "headers": [(b"host", b"127.0.0.1")], "client": ("127.0.0.1", 1),
                 "server": ("127.0.0.1", 8000), "state": {}}  # fmt: skip

        async def receive() -> dict:
            return {"type": "http.request", "body": b"", "more_body": False}

        async def send(message: dict) -> None:
            if message["type"] == "http.response.start":
                assert message["status"] == 200, message

        await app(scope, receive, send)

    kinds = {
        "point": lambda: (
            f"lon={rng.uniform(2.80, 2.86):.6f}&lat={rng.uniform(50.41, 50.45):.6f}&date={DATE}"
        ),
        "address": lambda: f"address={rng.randrange(10**9)}+rue+de+la+Gare+Lens&date={DATE}",
        "cached point": lambda: f"lon=2.833889&lat=50.429167&date={DATE}",
    }

    async def run() -> dict[str, float]:
        out = {}
        for kind, make in kinds.items():
            for _ in range(20):
                await one(make().encode())
            best = float("inf")
            for _ in range(5):
                queries = [make().encode() for _ in range(n)]
                t0 = time.process_time()
                for q in queries:
                    await one(q)
                best = min(best, (time.process_time() - t0) / n)
            out[kind] = best * 1e6
        return out

    try:
        import uvloop

        return uvloop.run(run())
    except ImportError:
        return asyncio.run(run())


def warm_up(base: str, labels: list[str]) -> None:
    """One request of every kind, so that lazily loaded modules and data are loaded
    before the workers' RSS is first measured (each worker gets a few of each)."""
    paths = [f"/api/v1/check?lon=2.833889&lat=50.429167&date={DATE}",
             f"/api/v1/check?x=686000&y=7036000&date={DATE}",
             "/api/v1/check?" + str(httpx.QueryParams(address=labels[0], date=DATE)),
             "/api/v1/suggest?q=rue%20de%20la", f"/api/v1/communes/62498?date={DATE}",
             f"/api/v1/perimeters?date={DATE}", "/api/v1/health",
             "/?" + str(httpx.QueryParams(address=labels[1], date=DATE)),
             f"/fiche?lon=2.833889&lat=50.429167&date={DATE}"]  # fmt: skip
    for _ in range(4):  # new connections each time: they are spread over the workers
        for path in paths:
            with httpx.Client(base_url=base, timeout=30) as client:
                client.get(path)


def compare(servers: dict[str, tuple[str, subprocess.Popen]], labels: list[str], n: int) -> None:
    """The same ``n`` requests of every kind on every server: status, body and security
    headers must be byte-identical (the cache is cold for the first ones, warm after)."""
    rng = random.Random(1)
    kinds = {
        "point": lambda: {"lon": f"{rng.uniform(2.78, 2.88):.6f}",
                          "lat": f"{rng.uniform(50.40, 50.46):.6f}", "date": rng.choice(DATES)},
        "xy": lambda: {"x": f"{rng.uniform(683000, 690000):.1f}",
                       "y": f"{rng.uniform(7033000, 7040000):.1f}", "date": rng.choice(DATES)},
        "address": lambda: {"address": rng.choice(labels), "date": rng.choice(DATES)},
        "address-typo": lambda: {"address": rng.choice(labels).lower().replace("rue", "r")[:-3]},
        "refusal": lambda: rng.choice([{"lon": "abc", "lat": "1"}, {"lon": "nan", "lat": "1"},
                                       {"lon": "2.8"}, {}, {"lon": "2.8", "lat": "50.4", "x": "1"},
                                       {"address": "   "}, {"address": "x" * 250},
                                       {"lon": "2.8", "lat": "50.4", "date": "2024-13-01"},
                                       {"x": "inf", "y": "1"}, {"date": "x" * 11},
                                       {"lon": ""}, {"lon": "", "lat": ""},
                                       [("lon", "1"), ("lon", "2.83"), ("lat", "50.43")],
                                       {"address": "", "lon": "2.83", "lat": "50.43"},
                                       {"address": "1 rue x", "extra": "1"},
                                       {"lat": "abc", "lon": "def", "date": "x" * 12},
                                       {"x": "686000", "y": "7036000", "address": " "},
                                       {"lon": "1e400", "lat": "50"},
                                       {"address": "a" * 1001}]),
        "suggest": lambda: {"q": rng.choice(labels)[: rng.randint(2, 20)]},
    }  # fmt: skip
    other = [
        ("/api/v1/communes/" + c, {"date": rng.choice(DATES)})
        for c in ("62498", "62510", "59350", "2A004", "abc", "99999")
    ]
    other += [("/api/v1/perimeters", {"date": d}) for d in DATES]
    other += [("/api/v1/health", {}), ("/nowhere", {}), ("/", {}), ("/fiche", {})]
    requests = [(f"/api/v1/{'suggest' if k == 'suggest' else 'check'}", make())
                for k, make in kinds.items() for _ in range(n)]  # fmt: skip
    requests += [("/?" if i % 2 else "/fiche?", kinds["point"]()) for i in range(n // 10)]
    requests += other * 3
    requests += requests[: len(requests) // 4]  # again: answers from the cache
    from ortgeo.service.security import SECURITY_HEADERS

    schemas = [httpx.get(base + "/openapi.json").json() for base, _ in servers.values()]
    same = all(x == schemas[0] for x in schemas[1:])
    print(f"# /openapi.json: {'the same' if same else 'DIFFERENT'} content (keys in any order)")

    clients = {label: httpx.Client(base_url=base, timeout=30) for label, (base, _) in
               servers.items()}  # fmt: skip
    # the fiche's permalinks name the server they come from (its port): not a difference
    bases = {label: base.encode() for label, (base, _) in servers.items()}
    differ = 0
    statuses: dict[int, int] = {}
    for path, params in requests:
        seen = []
        for label, client in clients.items():
            r = client.get(
                path.rstrip("?"),
                params=params,
                headers={"X-Forwarded-For": f"10.9.{rng.randrange(250)}.1"},
            )
            seen.append((r.status_code, r.content.replace(bases[label], b"http://SERVER"),
                         [r.headers.get(h) for h in SECURITY_HEADERS],
                         r.headers.get("content-type")))  # fmt: skip
        statuses[seen[0][0]] = statuses.get(seen[0][0], 0) + 1
        if any(x != seen[0] for x in seen[1:]):
            differ += 1
            if differ <= 5:
                print(f"DIFFERENT: {path} {params}: {[(x[0], x[1][:120]) for x in seen]}")
    print(
        f"# compared {len(requests)} requests on {', '.join(servers)}: {differ} different "
        f"({n} of each kind: {', '.join(kinds)}; communes, perimeters, page, fiche); "
        f"HTTP statuses {dict(sorted(statuses.items()))}"
    )
    for client in clients.values():
        client.close()


def pct(values: list[float], q: float) -> float:
    if not values:
        return float("nan")
    s = sorted(values)
    return s[min(len(s) - 1, int(q * len(s)))]


async def phase(base: str, clients: int, duration: float, make_url,
                flood: bool = False, raw: bool = False) -> dict:  # fmt: skip
    loop = raw_client_loop if raw else client_loop
    stop = time.perf_counter() + duration
    lat: list[float] = []
    codes: dict[int, int] = {}
    pace = 1 / NORMAL_RATE if flood else 0.0  # normal clients stay under the limit
    tasks = [loop(base, f"127.0.0.{2 + i}", make_url, stop, lat, codes, pace=pace)
             for i in range(clients)]  # fmt: skip
    flood_lat: list[float] = []
    flood_codes: dict[int, int] = {}
    if flood:
        tasks.append(loop(base, "127.0.0.250", make_url, stop, flood_lat, flood_codes,
                          conns=20))  # fmt: skip
    t0 = time.perf_counter()
    await asyncio.gather(*tasks)
    elapsed = time.perf_counter() - t0
    return {
        "n": len(lat), "rps": len(lat) / elapsed, "p50": pct(lat, 0.50), "p99": pct(lat, 0.99),
        "errors": sum(v for k, v in codes.items() if not 200 <= k < 300), "codes": codes,
        "flood_codes": flood_codes, "flood_rps": len(flood_lat) / elapsed,
    }  # fmt: skip


def wait_up(base: str, seconds: float) -> str:
    """``base`` once its ``/api/v1/health`` answers 200 (or after ``seconds``)."""
    deadline = time.time() + seconds
    while time.time() < deadline:
        try:
            if httpx.get(base + "/api/v1/health", timeout=1).status_code == 200:
                break
        except httpx.HTTPError:
            time.sleep(0.3)
    return base


def start_server(label: str, index: Path, workers: int, source: Path | None,
                 hide: list[str], tmp: Path) -> tuple[str, subprocess.Popen]:  # fmt: skip
    """``ortgeo serve`` on a free port of 127.0.0.1, from this tree or from ``source``."""
    port = free_port()
    env = dict(os.environ)
    if source is not None:
        paths = [str(source)]
        if hide:  # a sitecustomize that makes ``import <module>`` fail in every process
            block = tmp / f"hide-{label}"
            block.mkdir(exist_ok=True)
            (block / "sitecustomize.py").write_text(
                "import sys\n" + "".join(f"sys.modules[{m!r}] = None\n" for m in hide)
            )
            paths.insert(0, str(block))
        env["PYTHONPATH"] = os.pathsep.join([*paths, env.get("PYTHONPATH", "")]).rstrip(os.pathsep)
    server = subprocess.Popen([sys.executable, "-m", "ortgeo.cli", "serve", "--port", str(port),
                               "--workers", str(workers), "--ban", str(index)],
                              env=env, cwd=tmp)  # fmt: skip
    return wait_up(f"http://127.0.0.1:{port}", 90), server


_FLOOR_APP = """
import os
from starlette.applications import Starlette
from starlette.responses import Response
from starlette.routing import Route

BODY = open(os.environ["ORTGEO_FLOOR_BODY"], "rb").read()


async def check(request):
    return Response(BODY, media_type="application/json")


app = Starlette(routes=[Route("/api/v1/check", check), Route("/api/v1/health", check)])
"""


def start_floor(workers: int, body: bytes, tmp: Path) -> tuple[str, subprocess.Popen]:
    """The HTTP floor: a bare Starlette app answering every check with ``body``, on the same
    uvicorn as ``ortgeo serve`` (same workers, httptools + uvloop, no access log)."""
    (tmp / "floor_app.py").write_text(_FLOOR_APP)
    (tmp / "floor_body.json").write_bytes(body)
    port = free_port()
    env = dict(os.environ, ORTGEO_FLOOR_BODY=str(tmp / "floor_body.json"))
    server = subprocess.Popen([sys.executable, "-m", "uvicorn", "floor_app:app", "--app-dir",
                               str(tmp), "--port", str(port), "--workers", str(workers),
                               "--no-access-log", "--log-level", "warning"],
                              env=env, cwd=tmp)  # fmt: skip
    return wait_up(f"http://127.0.0.1:{port}", 60), server


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--duration", type=float, default=60.0)
    ap.add_argument("--clients", type=int, default=50)
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument("--rows", type=int, default=20_000, help="synthetic addresses in the index")
    ap.add_argument("--anchor", type=Path, help="source tree of an anchor server to compare")
    ap.add_argument("--anchor-without", default="", help="modules hidden from the anchor")
    ap.add_argument("--rounds", type=int, default=1, help="alternations with the anchor")
    ap.add_argument("--phases", default="points,addresses,points@1000,addresses@300,flood")
    ap.add_argument("--floor", action="store_true",
                    help="also a bare Starlette app on the same uvicorn returning the compact "
                    "answer's bytes: the HTTP floor, for the point phases")  # fmt: skip
    ap.add_argument("--sources", type=int, default=1000,
                    help="client addresses (X-Forwarded-For) wrk sends in turn: the rate limit "
                    "is per client, so that enough of them keep each under it")  # fmt: skip
    ap.add_argument("--compare", type=int, default=0, metavar="N",
                    help="first compare N requests of every kind with the anchor")  # fmt: skip
    ap.add_argument(
        "--client",
        choices=("wrk", "httpx", "raw"),
        default="wrk" if shutil.which("wrk") else "raw",
        help="wrk (default when installed), bare asyncio streams, or httpx clients",
    )
    ap.add_argument("--stack-cost", type=int, default=0, metavar="N",
                    help="only measure the HTTP stack's CPU per request, N requests")  # fmt: skip
    ap.add_argument("--cpu", type=int, default=0, metavar="N",
                    help="only measure the whole app's CPU per point check in process (real "
                    "verdicts, rate limit on, --sources clients), N requests; with --anchor, "
                    "both trees in turn, --rounds times")  # fmt: skip
    ap.add_argument("--json", action="store_true", help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.cpu:
        if args.json:  # one tree's measurement, run in its own process
            print(json.dumps(app_cost(args.cpu, args.sources)))
            return
        trees = {"ortgeo": HERE, **({"anchor": args.anchor.resolve()} if args.anchor else {})}
        for r in range(args.rounds):
            for label in list(trees) if r % 2 == 0 else list(trees)[::-1]:
                env = dict(os.environ, PYTHONPATH=str(trees[label]))
                out = subprocess.run([sys.executable, __file__, "--cpu", str(args.cpu), "--sources",
                                      str(args.sources), "--json"], env=env, capture_output=True,
                                     text=True, check=True).stdout  # fmt: skip
                cost = json.loads(out.splitlines()[-1])
                costs = "  ".join(f"{k} {v:.0f} µs" for k, v in cost.items())
                print(
                    f"app cost {label:7s} {costs}  (CPU/point check in process, rate limit on, "
                    f"{args.sources} clients; load {os.getloadavg()[0]:.1f})",
                    flush=True,
                )
        return
    if args.stack_cost:
        if args.json:  # the anchor's measurement, run in its own process
            print(json.dumps(stack_cost(args.stack_cost)))
            return
        trees = {"ortgeo": None, **({"anchor": args.anchor.resolve()} if args.anchor else {})}
        for label, tree in trees.items():
            env = dict(os.environ, **({"PYTHONPATH": str(tree)} if tree else {}))
            out = subprocess.run([sys.executable, __file__, "--stack-cost", str(args.stack_cost),
                                  "--json"], env=env, capture_output=True, text=True,
                                 check=True).stdout  # fmt: skip
            cost = json.loads(out.splitlines()[-1])
            costs = "  ".join(f"{k} {v:.0f} µs" for k, v in cost.items())
            load = os.getloadavg()[0]
            print(f"stack cost {label:7s} {costs}  (CPU/request, stubbed verdict; load {load:.1f})")
        return
    if args.client == "wrk" and not shutil.which("wrk"):
        sys.exit("wrk is not installed: apt-get install wrk, or use --client raw")

    from ortgeo.geocoders import BanIndex
    from ortgeo.testing import synthetic_ban_index

    tmp = Path(tempfile.mkdtemp(prefix="ortgeo-bench-service-"))
    index = synthetic_ban_index(tmp, n_rows=args.rows)
    a = BanIndex(index).addresses("62498")
    labels = (a["numero"].astype(str) + a["rep"] + " " + a["nom_voie"] + " " + a["code_postal"]
              + " " + a["nom_commune"]).tolist()  # fmt: skip
    hide = [m for m in args.anchor_without.split(",") if m]
    servers = {"ortgeo": start_server("ortgeo", index, args.workers, None, [], tmp)}
    if args.anchor is not None:
        servers["anchor"] = start_server("anchor", index, args.workers, args.anchor.resolve(),
                                         hide, tmp)  # fmt: skip
    try:
        rng = random.Random(0)

        def point_url() -> str:
            lon, lat = rng.uniform(2.80, 2.86), rng.uniform(50.41, 50.45)
            return f"/api/v1/check?lon={lon:.6f}&lat={lat:.6f}&date={DATE}"

        def address_url() -> str:
            return "/api/v1/check?" + str(httpx.QueryParams(address=rng.choice(labels), date=DATE))

        print(f"# ortgeo serve load test — {dt.date.today()} — {platform.processor() or ''} "
              f"{os.cpu_count()} cores, Python {platform.python_version()}; {args.clients} "
              f"clients, {args.duration:.0f} s per phase, {args.workers} workers; load "
              f"average {os.getloadavg()[0]:.1f}; anchor {args.anchor or 'none'}"
              f"{' without ' + ', '.join(hide) if hide else ''}; {args.client} "
              "clients")  # fmt: skip
        if args.compare:
            compare(servers, labels, args.compare)
        address_paths = [  # wrk draws one at random per request, as address_url() does
            "/api/v1/check?" + str(httpx.QueryParams(address=label, date=DATE)) for label in labels
        ]

        def compact_url() -> str:
            return point_url() + "&detail=compact"

        phases = {"points": (point_url, None, args.clients, False, 0.0),
                  "compact": (compact_url, None, args.clients, False, 0.0),
                  "addresses": (address_url, address_paths, args.clients, False, 0.0),
                  "points@1000": (point_url, None, args.clients, False, 1000.0),
                  "compact@1000": (compact_url, None, args.clients, False, 1000.0),
                  "addresses@300": (address_url, address_paths, args.clients, False, 300.0),
                  "flood": (point_url, None, 10, True, 0.0)}  # fmt: skip
        first_rss: dict[str, list[float]] = {}
        for label, (base, server) in servers.items():
            warm_up(base, labels)
            first_rss[label] = workers_rss_mb(server.pid)
            rss = [round(x) for x in first_rss[label]]
            print(f"# {label}: workers' RSS after the warm-up {rss} MB")
        if args.floor:
            base = servers["ortgeo"][0]
            body = httpx.get(base + f"/api/v1/check?lon=2.833889&lat=50.429167&date={DATE}"
                             "&detail=compact").content  # fmt: skip
            servers["floor"] = start_floor(args.workers, body, tmp)
            first_rss["floor"] = workers_rss_mb(servers["floor"][1].pid)
            print(f"# floor: a bare Starlette app, same uvicorn, {len(body)} bytes per answer")
        for name in [p for p in args.phases.split(",") if p]:
            url, paths, clients, flood, rate = phases[name]
            if rate and args.client != "wrk":
                sys.exit(f"phase {name}: the paced phases need wrk (apt-get install wrk)")
            for r in range(args.rounds):
                order = list(servers) if r % 2 == 0 else list(servers)[::-1]
                for label in order:
                    if label == "floor" and not name.startswith(("points", "compact")):
                        continue  # the floor only answers checks, with the same bytes
                    base, server = servers[label]
                    rss0 = workers_rss_mb(server.pid)
                    if args.client == "wrk" and not flood:
                        extra = "&detail=compact" if name.startswith("compact") else ""
                        res = wrk_phase(base, clients, args.duration, paths, tmp, rate,
                                        args.sources, extra)  # fmt: skip
                    else:
                        raw = args.client != "httpx"
                        res = asyncio.run(phase(base, clients, args.duration, url, flood, raw))
                    rss1 = workers_rss_mb(server.pid)
                    growth = (sum(rss1) - sum(rss0)) / sum(rss0) * 100 if rss0 else float("nan")
                    line = (f"{name:13s} {label:7s} {res['rps']:8.0f} req/s  p50 {res['p50']:6.1f} "
                            f"ms  p99 {res['p99']:6.1f} ms  errors {res['errors']}  codes "
                            f"{res['codes']}  RSS {[round(x) for x in rss0]} -> "
                            f"{[round(x) for x in rss1]} MB ({growth:+.1f} %)  load "
                            f"{os.getloadavg()[0]:.1f}")  # fmt: skip
                    if flood:
                        line += (f"  flooder {res['flood_rps']:.0f} req/s, codes "
                                 f"{res['flood_codes']}")  # fmt: skip
                    print(line, flush=True)
        for label, (_, server) in servers.items():
            rss0, rss1 = first_rss[label], workers_rss_mb(server.pid)
            growth = (sum(rss1) - sum(rss0)) / sum(rss0) * 100 if rss0 else float("nan")
            print(f"# {label}: workers' RSS over the run {[round(x) for x in rss0]} -> "
                  f"{[round(x) for x in rss1]} MB ({growth:+.1f} %)")  # fmt: skip
    finally:
        for _, server in servers.values():
            server.terminate()
        for _, server in servers.values():
            server.wait(timeout=30)


if __name__ == "__main__":
    main()
