"""Benchmark: locate 1,000,000 points over the Lens area against every layer.

Compares, on the same Lambert-93 points (one core, medians of ``--repeat`` runs):

- **baseline**: plain shapely — for each layer in force, ``contains_xy`` on the prepared
  polygon plus ``distance`` from the points to the polygon's boundary;
- **ortgeo all**: ``ortgeo.locate(..., distances="all")`` — the same per layer *plus* the
  composite ORT, statuses, band, validation and the WGS84 coordinates of every point;
- **ortgeo near**: ``distances="near"`` — exact distances only in the ring where they may
  fall within the band (two extra ``contains_xy`` on prepared buffers select it).

Run: ``python benchmarks/bench_locate.py [--n 1000000] [--repeat 5]``. Record the printed
table in BENCHMARKS.md with the machine and date.
"""

from __future__ import annotations

import argparse
import os
import platform
import time

import geopandas as gpd
import numpy as np
import shapely
from _timing import median_time

import ortgeo
from ortgeo.crs import to_wgs84_lonlat

DATE = "2024-06-01"


def points(n: int, seed: int = 0) -> gpd.GeoSeries:
    """n points uniformly spread over a 7 × 5 km box around the centre of Lens (L93)."""
    rng = np.random.default_rng(seed)
    x = rng.uniform(684_500, 691_500, n)
    y = rng.uniform(7_034_500, 7_039_500, n)
    return gpd.GeoSeries.from_xy(x, y, crs=2154)


def baseline(x: np.ndarray, y: np.ndarray, geoms: list) -> list:
    out = []
    pts = shapely.points(x, y)
    for geom in geoms:
        shapely.prepare(geom)
        inside = shapely.contains_xy(geom, x, y)
        dist = shapely.distance(geom.boundary, pts)
        out.append((inside, dist))
    return out


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--n", type=int, default=1_000_000)
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()

    pts = points(args.n)
    x, y = pts.x.to_numpy(), pts.y.to_numpy()
    geoms = [layer.geometry_l93 for layer in ortgeo.catalog().in_force(DATE)]
    ortgeo.locate(pts.iloc[:10], date=DATE)  # warm caches (catalogue, prepared zones)

    t_base = median_time(lambda: baseline(x, y, geoms), args.repeat)
    t_all = median_time(lambda: ortgeo.locate(pts, date=DATE), args.repeat)
    t_near = median_time(lambda: ortgeo.locate(pts, date=DATE, distances="near"), args.repeat)

    t_proj = median_time(lambda: to_wgs84_lonlat(x, y), args.repeat)
    res = ortgeo.locate(pts, date=DATE, distances="near")
    near_share = res["ort_distance_m"].notna().mean()
    with open("/proc/cpuinfo", encoding="utf-8") as info:
        names = [line.split(":", 1)[1].strip() for line in info if "model name" in line]
    cpu = names[0] if names else platform.processor()
    print(f"machine: {cpu}, {os.cpu_count()} cores, Python {platform.python_version()}, "
          f"shapely {shapely.__version__} (GEOS {shapely.geos_version_string})")  # fmt: skip
    print(f"date: {time.strftime('%Y-%m-%d')}, n = {args.n:,} points, {len(geoms)} layers in "
          f"force on {DATE} (+ composite ORT), median of {args.repeat}")  # fmt: skip
    print("| run | median (s) | points/s | ratio to baseline |")
    print("|---|---|---|---|")
    for name, t in (("baseline shapely", t_base), ("ortgeo distances='all'", t_all),
                    ("ortgeo distances='near'", t_near)):  # fmt: skip
        print(f"| {name} | {t:.3f} | {args.n / t:,.0f} | {t / t_base:.2f}× |")
    print(f"points needing an exact distance in 'near' mode (ORT): {near_share:.1%}")
    print(f"of which Lambert-93 -> WGS84 conversion of the output lon/lat (not in the "
          f"baseline): {t_proj:.3f} s")  # fmt: skip


if __name__ == "__main__":
    main()
