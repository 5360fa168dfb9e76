"""Load test of ``ortgeo serve`` on 127.0.0.1 (run by hand, never by the tests).

    python benchmarks/bench_service.py [--duration 60] [--clients 50] [--workers 2]

Starts ``ortgeo serve --workers 2`` on a free port of 127.0.0.1, on an offline index of
SYNTHETIC Lens addresses (ortgeo.testing), with its default per-client rate limit
(50 requests/s). Clients are asyncio httpx clients in a closed loop (one request at a
time each); each client sends from its own loopback address (127.0.0.2, 127.0.0.3, ...)
so the rate limiter sees them as different clients, as it would on the Internet.

Phases, each ``--duration`` seconds:

1. point checks (``/api/v1/check?lon&lat``), a new random point of the Lens area per
   request (no two alike: the answer cache never helps);
2. address checks on the offline index, random numbered addresses of the index
   (repeats happen, as for real users; the answer cache is on, as served);
3. flood: one client (127.0.0.250) sends with 20 connections at once while 10 normal
   clients check points; the flooder must get HTTP 429 with ``Retry-After`` and the
   others their usual latency.

Reported: requests/s, p50/p99 latency, errors (non-2xx other than the flood's 429, and
exceptions), the workers' RSS at the start and the end of each phase.

Side by side with an anchor (the same load, in one run, so that the ratio holds on a
shared machine)::

    git archive <commit> | tar -x -C /tmp/anchor
    python benchmarks/bench_service.py --anchor /tmp/anchor --anchor-without httptools,uvloop

starts a second server from the source tree ``--anchor`` (same interpreter, same index)
and runs every phase on both servers in turn, alternating which goes first each round
(``--rounds``). ``--anchor-without`` hides modules from the anchor's processes (the
packages it did not depend on, which uvicorn would otherwise pick up).
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import os
import platform
import random
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx

DATE = "2024-06-01"


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
        if fields.get("PPid", "").strip() in (str(pid),) and "VmRSS" in fields:
            out.append(int(fields["VmRSS"].split()[0]) / 1024)
    return sorted(out)


async def client_loop(base: str, source: str, make_url, stop: float, lat_ms: list[float],
                      codes: dict[int, int], conns: int = 1) -> None:  # fmt: skip
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

        await asyncio.gather(*(one() for _ in range(conns)))


async def raw_client_loop(base: str, source: str, make_url, stop: float, lat_ms: list[float],
                          codes: dict[int, int], conns: int = 1) -> None:  # fmt: skip
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
        if writer is not None:
            writer.close()

    await asyncio.gather(*(one() for _ in range(conns)))


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
    tasks = [loop(base, f"127.0.0.{2 + i}", make_url, stop, lat, codes)
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
    base = f"http://127.0.0.1:{port}"
    deadline = time.time() + 90
    while time.time() < deadline:
        try:
            if httpx.get(base + "/api/v1/health", timeout=1).status_code == 200:
                break
        except httpx.HTTPError:
            time.sleep(0.3)
    return base, server


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--duration", type=float, default=60.0)
    ap.add_argument("--clients", type=int, default=50)
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument("--rows", type=int, default=20_000, help="synthetic addresses in the index")
    ap.add_argument("--anchor", type=Path, help="source tree of an anchor server to compare")
    ap.add_argument("--anchor-without", default="", help="modules hidden from the anchor")
    ap.add_argument("--rounds", type=int, default=1, help="alternations with the anchor")
    ap.add_argument("--phases", default="points,addresses,flood")
    ap.add_argument(
        "--client",
        choices=("httpx", "raw"),
        default="httpx",
        help="httpx clients (the defined test) or bare asyncio streams (lighter)",
    )
    args = ap.parse_args()

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
        phases = {"points": (point_url, args.clients, False),
                  "addresses": (address_url, args.clients, False),
                  "flood": (point_url, 10, True)}  # fmt: skip
        for name in args.phases.split(","):
            url, clients, flood = phases[name]
            for r in range(args.rounds):
                order = list(servers) if r % 2 == 0 else list(servers)[::-1]
                for label in order:
                    base, server = servers[label]
                    for _ in range(3):  # warm up the workers (imports, caches)
                        httpx.get(base + url(), timeout=10)
                    rss0 = workers_rss_mb(server.pid)
                    res = asyncio.run(phase(base, clients, args.duration, url, flood,
                                            args.client == "raw"))  # fmt: skip
                    rss1 = workers_rss_mb(server.pid)
                    growth = (sum(rss1) - sum(rss0)) / sum(rss0) * 100 if rss0 else float("nan")
                    line = (f"{name:9s} {label:7s} {res['rps']:8.0f} req/s  p50 {res['p50']:6.1f} "
                            f"ms  p99 {res['p99']:6.1f} ms  errors {res['errors']}  codes "
                            f"{res['codes']}  RSS {[round(x) for x in rss0]} -> "
                            f"{[round(x) for x in rss1]} MB ({growth:+.1f} %)  load "
                            f"{os.getloadavg()[0]:.1f}")  # fmt: skip
                    if flood:
                        line += (f"  flooder {res['flood_rps']:.0f} req/s, codes "
                                 f"{res['flood_codes']}")  # fmt: skip
                    print(line, flush=True)
    finally:
        for _, server in servers.values():
            server.terminate()
        for _, server in servers.values():
            server.wait(timeout=30)


if __name__ == "__main__":
    main()
