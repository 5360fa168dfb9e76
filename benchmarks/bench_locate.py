"""Benchmark: locate 1,000,000 points over the Lens area against the 3 layers in force.

Side by side in one run, on the same Lambert-93 points (a GeoDataFrame / GeoSeries):

- **shapely2** (the anchor of issue 22): the best plain shapely code on 2 threads, per
  layer ``intersects_xy`` and the distance to the prepared limit, the points in halves,
  each thread its own GEOS copies;
- **anchor**: what a user writes with geopandas — ``gpd.sjoin(predicate="within")`` then
  ``GeoSeries.distance(layer.boundary)`` for each layer;
- **ortgeo before**: ``ortgeo.locate`` of an older checkout of the package (``--old DIR``,
  e.g. ``git archive 978dd88 ortgeo data | tar -x -C /tmp/ortgeo-old``), ``all`` mode;
- **ortgeo now**: ``ortgeo.locate(..., distances="all")``, with and without the lon/lat
  output (``lonlat=False``), and ``distances="near"``.

Every ``ortgeo`` run also computes the composite ORT, the statuses with the band, the
validation of every point and its commune, and returns a GeoDataFrame. Each measurement
runs in its own process (the variants are interleaved round by round, so that a change of
load on a shared machine hits them alike); the time is the call alone, after a warm-up on
10 points, wall and CPU (user + system, every thread), with the load average as it began.
Then ``ortgeo``'s inside and distance columns are compared with the 2-thread anchor's, on
every point (``--no-check`` skips it).

Run: ``python benchmarks/bench_locate.py [--n 1000000] [--repeat 5] [--old DIR]``. Record
the printed table in BENCHMARKS.md with the machine and date.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

DATE = "2024-06-01"
VARIANTS = {
    "anchor": "anchor: `gpd.sjoin(within)` + `distance(boundary)` per layer",
    "shapely2": "anchor: plain shapely on 2 threads (`intersects_xy` + `distance` to the "
    "prepared limit, per layer, the points in halves)",
    "old": "ortgeo before: `locate(..., distances='all')`",
    "all": "ortgeo now: `locate(..., distances='all')`",
    "all-xy": "ortgeo now: `locate(..., distances='all', lonlat=False)`",
    "near": "ortgeo now: `locate(..., distances='near')`",
}


def _points(n: int) -> tuple[Any, Any, Any]:
    """The benchmark's points: x, y arrays and their Lambert-93 GeoDataFrame."""
    import geopandas as gpd
    import numpy as np

    rng = np.random.default_rng(0)
    x = rng.uniform(684_500, 691_500, n)
    y = rng.uniform(7_034_500, 7_039_500, n)
    return x, y, gpd.GeoDataFrame(geometry=gpd.points_from_xy(x, y), crs=2154)


def _shapely2(x: Any, y: Any, pts: Any, polys: Any) -> Callable[[], list]:
    """The plain shapely anchor on 2 threads: per layer, inside (``intersects_xy``) and the
    distance to the prepared limit, the points in halves, each thread its own copies."""
    from concurrent.futures import ThreadPoolExecutor

    import shapely

    geoms = pts.geometry.to_numpy()
    half = len(geoms) // 2
    # each thread its own prepared copies (GEOS prepared geometries are not shared)
    own = [shapely.from_wkb(shapely.to_wkb(polys)) for _ in range(2)]
    limits = [shapely.boundary(p) for p in own]
    for p, b in zip(own, limits, strict=True):
        shapely.prepare(p)
        shapely.prepare(b)

    def part(k: int) -> list:
        sl = slice(k * half, None if k else half)
        return [(shapely.intersects_xy(p, x[sl], y[sl]), shapely.distance(b, geoms[sl]))
                for p, b in zip(own[k], limits[k], strict=True)]  # fmt: skip

    def run() -> list:
        with ThreadPoolExecutor(2) as pool:
            return list(pool.map(part, range(2)))

    return run


def child(variant: str, n: int, old: str | None) -> dict[str, float]:
    """Time one run of ``variant`` in this process: wall and CPU seconds (all threads)."""
    if variant == "old":
        sys.path.insert(0, old or "")
    import geopandas as gpd

    import ortgeo

    if variant == "old" and not ortgeo.__file__.startswith(str(Path(old or "").resolve())):
        raise SystemExit(f"--old {old}: ortgeo was not imported from there")
    x, y, pts = _points(n)
    if variant == "anchor":
        layers = ortgeo.perimeters(date=DATE).to_crs(2154)[["id", "geometry"]]

        def run() -> object:
            joined = gpd.sjoin(pts, layers, predicate="within")
            return joined, [pts.distance(geom.boundary) for geom in layers.geometry]
    elif variant == "shapely2":
        run = _shapely2(x, y, pts, ortgeo.perimeters(date=DATE).to_crs(2154).geometry.to_numpy())
    else:
        kwargs: dict[str, object] = {"distances": "near" if variant == "near" else "all"}
        if variant == "all-xy":
            kwargs["lonlat"] = False

        def run() -> object:
            return ortgeo.locate(pts, date=DATE, **kwargs)

        ortgeo.locate(pts.iloc[:10], date=DATE)  # warm: catalogue, prepared geometries
    load = os.getloadavg()[0]
    t0, c0 = time.perf_counter(), time.process_time()
    run()
    return {"wall": time.perf_counter() - t0, "cpu": time.process_time() - c0, "load": load}


def check(n: int) -> str:
    """The same answer: ortgeo's inside and distance columns against the 2-thread anchor's,
    layer by layer, on every point (distances signed by ortgeo, compared bit for bit)."""
    import numpy as np

    import ortgeo
    from ortgeo.locate import layer_key

    x, y, pts = _points(n)
    layers = ortgeo.perimeters(date=DATE)
    halves = _shapely2(x, y, pts, layers.to_crs(2154).geometry.to_numpy())()
    out = ortgeo.locate(pts, date=DATE, distances="all")
    for pos, lid in enumerate(layers["id"]):
        key = layer_key(lid)
        inside = np.concatenate([h[pos][0] for h in halves])
        dist = np.concatenate([h[pos][1] for h in halves])
        if not np.array_equal(out[f"{key}_inside"].to_numpy(), inside):
            return f"DIFFERENT: {key}_inside"
        if not np.array_equal(out[f"{key}_distance_m"].to_numpy(), np.where(inside, dist, -dist)):
            return f"DIFFERENT: {key}_distance_m"
    return f"same answer: inside and distance of the {len(layers)} layers on all {n:,} points"


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--n", type=int, default=1_000_000)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--old", help="folder holding an older `ortgeo` package")
    parser.add_argument(
        "--no-check",
        action="store_true",
        help="skip comparing ortgeo's answer with the 2-thread anchor's",
    )
    parser.add_argument("--child", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        print(json.dumps(child(args.child, args.n, args.old)))
        return

    variants = [v for v in VARIANTS if v != "old" or args.old]
    runs: dict[str, list[dict[str, float]]] = {v: [] for v in variants}
    for _ in range(args.repeat):
        for v in variants:
            cmd = [sys.executable, __file__, "--child", v, "--n", str(args.n)]
            if args.old:
                cmd += ["--old", str(Path(args.old).resolve())]
            out = subprocess.run(cmd, check=True, capture_output=True, text=True).stdout
            runs[v].append(json.loads(out.strip().splitlines()[-1]))
    import shapely

    with open("/proc/cpuinfo", encoding="utf-8") as info:
        names = [line.split(":", 1)[1].strip() for line in info if "model name" in line]
    cpu = names[0] if names else platform.processor()
    print(f"machine: {cpu}, {os.cpu_count()} cores, load average {os.getloadavg()[0]:.1f}, "
          f"Python {platform.python_version()}, shapely {shapely.__version__} "
          f"(GEOS {shapely.geos_version_string})")  # fmt: skip
    print(f"date: {time.strftime('%Y-%m-%d')}, n = {args.n:,} points, 3 layers in force on "
          f"{DATE}, median of {args.repeat} interleaved runs; CPU = user + system of all "
          f"threads; load = 1-minute load average as each run started")  # fmt: skip
    med = {v: {k: statistics.median(r[k] for r in runs[v]) for k in ("wall", "cpu")}
           for v in variants}  # fmt: skip
    print(
        "| run | median wall (s) | min–max (s) | ratio to shapely2 | CPU (s) | CPU ratio | load |"
    )
    print("|---|---:|---:|---:|---:|---:|---|")
    for v in variants:
        walls = [r["wall"] for r in runs[v]]
        loads = ", ".join(f"{r['load']:.1f}" for r in runs[v])
        print(f"| {VARIANTS[v]} | {med[v]['wall']:.2f} | {min(walls):.2f}–{max(walls):.2f} | "
              f"{med[v]['wall'] / med['shapely2']['wall']:.2f}× | {med[v]['cpu']:.2f} | "
              f"{med[v]['cpu'] / med['shapely2']['cpu']:.2f}× | {loads} |")  # fmt: skip
    if not args.no_check:
        print(check(args.n))


if __name__ == "__main__":
    main()
