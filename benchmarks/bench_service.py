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


def pct(values: list[float], q: float) -> float:
    if not values:
        return float("nan")
    s = sorted(values)
    return s[min(len(s) - 1, int(q * len(s)))]


async def phase(base: str, clients: int, duration: float, make_url,
                flood: bool = False) -> dict:  # fmt: skip
    stop = time.perf_counter() + duration
    lat: list[float] = []
    codes: dict[int, int] = {}
    tasks = [client_loop(base, f"127.0.0.{2 + i}", make_url, stop, lat, codes)
             for i in range(clients)]  # fmt: skip
    flood_lat: list[float] = []
    flood_codes: dict[int, int] = {}
    if flood:
        tasks.append(client_loop(base, "127.0.0.250", make_url, stop, flood_lat, flood_codes,
                                 conns=20))  # fmt: skip
    t0 = time.perf_counter()
    await asyncio.gather(*tasks)
    elapsed = time.perf_counter() - t0
    return {
        "n": len(lat), "rps": len(lat) / elapsed, "p50": pct(lat, 0.50), "p99": pct(lat, 0.99),
        "errors": sum(v for k, v in codes.items() if not 200 <= k < 300), "codes": codes,
        "flood_codes": flood_codes, "flood_rps": len(flood_lat) / elapsed,
    }  # fmt: skip


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--duration", type=float, default=60.0)
    ap.add_argument("--clients", type=int, default=50)
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument("--rows", type=int, default=20_000, help="synthetic addresses in the index")
    args = ap.parse_args()

    from ortgeo.geocoders import BanIndex
    from ortgeo.testing import synthetic_ban_index

    tmp = Path(tempfile.mkdtemp(prefix="ortgeo-bench-service-"))
    index = synthetic_ban_index(tmp, n_rows=args.rows)
    a = BanIndex(index).addresses("62498")
    labels = (a["numero"].astype(str) + a["rep"] + " " + a["nom_voie"] + " " + a["code_postal"]
              + " " + a["nom_commune"]).tolist()  # fmt: skip
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    ortgeo_cli = [sys.executable, "-m", "ortgeo.cli"]
    server = subprocess.Popen([*ortgeo_cli, "serve", "--port", str(port), "--workers",
                               str(args.workers), "--ban", str(index)])  # fmt: skip
    try:
        deadline = time.time() + 60
        while time.time() < deadline:
            try:
                if httpx.get(base + "/api/v1/health", timeout=1).status_code == 200:
                    break
            except httpx.HTTPError:
                time.sleep(0.3)
        rng = random.Random(0)

        def point_url() -> str:
            lon, lat = rng.uniform(2.80, 2.86), rng.uniform(50.41, 50.45)
            return f"/api/v1/check?lon={lon:.6f}&lat={lat:.6f}&date={DATE}"

        def address_url() -> str:
            return "/api/v1/check?" + str(httpx.QueryParams(address=rng.choice(labels), date=DATE))

        print(f"# ortgeo serve load test — {dt.date.today()} — {platform.processor() or ''} "
              f"{os.cpu_count()} cores, Python {platform.python_version()}; {args.clients} "
              f"clients, {args.duration:.0f} s per phase, {args.workers} workers")  # fmt: skip
        for name, url, clients, flood in (("points", point_url, args.clients, False),
                                          ("addresses", address_url, args.clients, False),
                                          ("flood", point_url, 10, True)):  # fmt: skip
            for _ in range(3):  # warm up the workers (imports, caches)
                httpx.get(base + url(), timeout=10)
            rss0 = workers_rss_mb(server.pid)
            res = asyncio.run(phase(base, clients, args.duration, url, flood))
            rss1 = workers_rss_mb(server.pid)
            growth = (sum(rss1) - sum(rss0)) / sum(rss0) * 100 if rss0 else float("nan")
            line = (f"{name:9s} {res['rps']:8.0f} req/s  p50 {res['p50']:6.1f} ms  p99 "
                    f"{res['p99']:6.1f} ms  errors {res['errors']}  codes {res['codes']}  "
                    f"RSS {[round(x) for x in rss0]} -> {[round(x) for x in rss1]} MB "
                    f"({growth:+.1f} %)")  # fmt: skip
            if flood:
                line += (f"  flooder {res['flood_rps']:.0f} req/s, codes "
                         f"{res['flood_codes']}")  # fmt: skip
            print(line, flush=True)
    finally:
        server.terminate()
        server.wait(timeout=30)


if __name__ == "__main__":
    main()
