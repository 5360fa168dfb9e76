"""Benchmark: national scale — SYNTHETIC sectors over France × BAN-like points, and QPV check.

Everything here is SYNTHETIC except the QPV check:

- **sectors**: ``--sectors`` polygons (1,000 / 3,000) over metropolitan France, shapes
  taken from the real commune outlines of Pas-de-Calais (``../shared``), scaled to
  10–500 ha, rotated, densified to 50–500 vertices, 1–3 sectors per territory, accuracy
  5–50 m; kind ``ort`` (80 %) or ``opah-ru``;
- **points**: ``--points`` (1 M / 5 M / 26 M) at a BAN-like density: 30 % clustered
  around the sectors' towns (σ 1.5 km), 70 % spread over France; most far from any sector.

Each case runs in its own process (peak memory = the process's maximum resident set
size) and is timed around the compute only (the points file is read inside):

- ``ortgeo``: ``ortgeo.locate_file`` (streamed, chunks of 1 M, long result + composite);
- ``anchor``: ``gpd.read_parquet`` then ``gpd.sjoin(predicate="within")`` +
  ``gpd.sjoin_nearest(max_distance=50)`` — what a user writes instead;
- answers compared on a sample (inside pairs equal; our long result ⊇ the anchor's nearest).

QPV check (real data): the 105 QPV of Occitanie as sectors (territory = département) and
the 28,825 DVF sales labelled by QPV — how often is each sale found inside its labelled
QPV, by ortgeo and by a plain ``sjoin``.

Run: ``python benchmarks/bench_national.py --sectors 1000 --points 1000000`` (one case),
``--qpv`` (the QPV check), ``--small`` (1 M × the 3 bundled layers vs geopandas user code),
``--lens --points 26000000`` (26 M points over the Lens box × the bundled layers, streamed),
``--dask --sectors 1000 --points 5000000`` (the distributed engine on a local cluster of two
worker processes: time, peak memory per worker, same answers as the plain path).
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

HERE = Path(__file__).resolve().parent
REFERENCE = Path(
    os.environ.get("ORTGEO_REFERENCE", HERE.parents[1] / "shared" / "data" / "reference")
)
CACHE = Path(os.environ.get("ORTGEO_BENCH_DIR", Path(tempfile.gettempdir()) / "ortgeo-bench"))
DATE = "2024-06-01"
BAND = 50.0


def synthetic_sectors(n: int, seed: int = 0):  # -> GeoDataFrame (EPSG:2154)
    import geopandas as gpd
    import shapely
    from shapely import affinity

    communes = gpd.read_file(REFERENCE / "communes" / "communes-62-pas-de-calais.geojson")
    shapes = [g if g.geom_type == "Polygon" else max(g.geoms, key=lambda p: p.area)
              for g in communes.to_crs(2154).geometry]  # fmt: skip
    rng = np.random.default_rng(seed)
    # town centres over France (rough metropolitan box, Lambert-93)
    n_terr = max(n // 2, 1)
    tx = rng.uniform(150_000, 1_050_000, n_terr)
    ty = rng.uniform(6_200_000, 7_050_000, n_terr)
    rows = []
    terr_of = np.sort(rng.integers(0, n_terr, n))
    for i in range(n):
        shape = shapes[rng.integers(len(shapes))]
        shape = shapely.Polygon(shape.exterior)  # no holes
        area = rng.uniform(10, 500) * 1e4
        scale = float(np.sqrt(area / shape.area))
        c = shape.centroid
        g = affinity.rotate(shape, float(rng.uniform(0, 360)), origin=c)
        g = affinity.scale(g, scale, scale, origin=c)
        t = terr_of[i]
        g = affinity.translate(
            g, tx[t] - c.x + rng.normal(0, 1500), ty[t] - c.y + rng.normal(0, 1500)
        )
        target = int(rng.integers(50, 501))
        perimeter = g.exterior.length
        g = shapely.segmentize(shapely.simplify(g, perimeter / target / 4), perimeter / target)
        rows.append({
            "id": f"syn-{i:05d}", "territory": f"T{t:05d}", "name": f"Secteur synthétique {i}",
            "kind": "ort" if rng.random() < 0.8 else "opah-ru", "valid_from": "2019-01-01",
            "valid_to": None, "status": "indicatif", "accuracy_m": float(rng.uniform(5, 50)),
            "geometry": shapely.make_valid(g),
        })  # fmt: skip
    gdf = gpd.GeoDataFrame(rows, crs=2154)
    gdf["geometry"] = gdf.geometry.apply(
        lambda g: g if g.geom_type in ("Polygon", "MultiPolygon") else shapely.union_all(
            [p for p in getattr(g, "geoms", [g]) if p.geom_type in ("Polygon", "MultiPolygon")])
    )  # fmt: skip
    return gdf


def sectors_file(n: int) -> Path:
    path = CACHE / f"sectors-{n}.parquet"
    if not path.exists():
        CACHE.mkdir(parents=True, exist_ok=True)
        synthetic_sectors(n).to_parquet(path)
    return path


def points_file(n: int, n_sectors: int, seed: int = 1) -> Path:
    """SYNTHETIC BAN-like points as plain Parquet with Lambert-93 x/y (float64), chunked."""
    import geopandas as gpd
    import pyarrow as pa
    import pyarrow.parquet as pq

    path = CACHE / f"points-{n}-{n_sectors}.parquet"
    if path.exists():
        return path
    cent = gpd.read_parquet(sectors_file(n_sectors)).geometry.centroid
    cx, cy = cent.x.to_numpy(), cent.y.to_numpy()
    rng = np.random.default_rng(seed)
    tmp = path.with_suffix(".tmp")
    with pq.ParquetWriter(tmp, pa.schema([("id", pa.int64()), ("x", pa.float64()),
                                          ("y", pa.float64())])) as writer:  # fmt: skip
        done = 0
        while done < n:
            m = min(2_000_000, n - done)
            near = rng.random(m) < 0.3
            k = rng.integers(0, len(cx), m)
            x = np.where(near, cx[k] + rng.normal(0, 1500, m), rng.uniform(150_000, 1_050_000, m))
            y = np.where(near, cy[k] + rng.normal(0, 1500, m), rng.uniform(6_200_000, 7_050_000, m))
            writer.write_table(pa.table({"id": np.arange(done, done + m), "x": x, "y": y}),
                               row_group_size=1_000_000)  # fmt: skip
            done += m
    tmp.rename(path)
    return path


def lens_points_file(n: int, seed: int = 2) -> Path:
    """SYNTHETIC points uniform over the 7 × 5 km Lens box (x/y Lambert-93), chunked Parquet."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    path = CACHE / f"lens-points-{n}.parquet"
    if path.exists():
        return path
    CACHE.mkdir(parents=True, exist_ok=True)
    rng = np.random.default_rng(seed)
    tmp = path.with_suffix(".tmp")
    with pq.ParquetWriter(tmp, pa.schema([("id", pa.int64()), ("x", pa.float64()),
                                          ("y", pa.float64())])) as writer:  # fmt: skip
        for done in range(0, n, 2_000_000):
            m = min(2_000_000, n - done)
            x, y = rng.uniform(684_500, 691_500, m), rng.uniform(7_034_500, 7_039_500, m)
            writer.write_table(pa.table({"id": np.arange(done, done + m), "x": x, "y": y}),
                               row_group_size=1_000_000)  # fmt: skip
    tmp.rename(path)
    return path


# -- one case per process --------------------------------------------------------------
def run_lens(points: Path, _sectors: Path) -> dict:
    """The bundled layers (Lens) over ``points``, streamed, ``all`` mode (every distance)."""
    import ortgeo

    out = CACHE / f"out-{points.stem}.parquet"
    t0 = time.perf_counter()
    report = ortgeo.locate_file(points, out, None, DATE, chunk_size=1_000_000,
                                distances="all", resume=False)  # fmt: skip
    return {"seconds": time.perf_counter() - t0, "counts": report["counts"]}


def run_ortgeo(points: Path, sectors: Path) -> dict:
    import ortgeo
    from ortgeo.engine import Sectors

    table = Sectors.read(sectors)
    out = CACHE / f"out-{points.stem}.parquet"
    t0 = time.perf_counter()
    long_out = out.with_suffix(".long.parquet")
    report = ortgeo.locate_file(
        points,
        out,
        table,
        DATE,
        chunk_size=1_000_000,
        band_m=BAND,
        long_out=long_out,
        resume=False,
    )
    return {"seconds": time.perf_counter() - t0, "counts": report["counts"]}


def run_anchor(points: Path, sectors: Path) -> dict:
    import geopandas as gpd
    import pandas as pd

    sec = gpd.read_parquet(sectors)[["id", "geometry"]]
    t0 = time.perf_counter()
    frame = pd.read_parquet(points)
    pts = gpd.GeoDataFrame(frame[["id"]], geometry=gpd.points_from_xy(frame.x, frame.y),
                           crs=2154)  # fmt: skip
    within = gpd.sjoin(pts, sec, predicate="within", how="inner")
    near = gpd.sjoin_nearest(pts, sec, max_distance=BAND, how="inner", distance_col="d")
    return {"seconds": time.perf_counter() - t0, "within": len(within), "near": len(near)}


def compare(points: Path, sectors: Path, sample: int = 200_000) -> dict:
    """Same answers on a sample: inside pairs equal; nearest-within-band ⊆ our long rows."""
    import geopandas as gpd
    import pandas as pd

    from ortgeo.engine import Sectors, locate_sectors

    frame = pd.read_parquet(points).iloc[:sample]
    sec = gpd.read_parquet(sectors)
    pts = gpd.GeoDataFrame(geometry=gpd.points_from_xy(frame.x, frame.y), crs=2154)
    within = gpd.sjoin(pts, sec[["id", "geometry"]], predicate="intersects", how="inner")
    near = gpd.sjoin_nearest(pts, sec[["id", "geometry"]], max_distance=BAND, how="inner")
    r = locate_sectors(frame[["x", "y"]], Sectors.read(sectors), DATE, band_m=BAND)
    ours = set(zip(r.long["point"], r.long["sector"].astype(str), strict=True))
    inside = set(zip(r.long.loc[r.long["inside"], "point"],
                     r.long.loc[r.long["inside"], "sector"].astype(str), strict=True))  # fmt: skip
    theirs_in = set(zip(within.index, within["id"], strict=True))
    theirs_near = set(zip(near.index, near["id"], strict=True))
    return {"sample": sample, "inside_equal": inside == theirs_in,
            "nearest_subset": theirs_near <= ours, "pairs": len(ours)}  # fmt: skip


def _peak_rss_gb() -> float:
    """Peak resident set size of this process (a dask worker), in GB."""
    import resource

    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024**2


def _row_group(path: str, i: int):  # -> pandas.DataFrame
    import pyarrow.parquet as pq

    return pq.ParquetFile(path).read_row_group(i).to_pandas()


def dask_case(points: Path, sectors: Path) -> dict:
    """The distributed engine on a local cluster of 2 worker processes (1 thread, 2 GB each).

    One partition per row group of the points file (1 M points), read on the workers; the
    per-point table is gathered and compared, row group by row group, with the plain path
    run here; peak memory = each worker's maximum resident set size.
    """
    import dask.dataframe as dd
    import pandas as pd
    import pyarrow.parquet as pq
    from distributed import Client, LocalCluster

    from ortgeo.engine import Sectors, locate_sectors

    table = Sectors.read(sectors)
    groups = pq.ParquetFile(points).num_row_groups
    meta = _row_group(str(points), 0).iloc[:0]
    with (
        LocalCluster(n_workers=2, threads_per_worker=1, memory_limit="2GB",
                     dashboard_address=None) as cluster,
        Client(cluster) as client,
    ):  # fmt: skip
        ddf = dd.from_map(_row_group, [str(points)] * groups, range(groups), meta=meta)
        t0 = time.perf_counter()
        got = client.compute(locate_sectors(ddf, table, DATE, band_m=BAND)).result()
        seconds = time.perf_counter() - t0
        peaks = client.run(_peak_rss_gb)
    plain = pd.concat(
        [locate_sectors(_row_group(str(points), i), table, DATE, band_m=BAND).points
         for i in range(groups)]
    )  # fmt: skip
    pd.testing.assert_frame_equal(got, plain)  # raises if any answer differs
    return {"seconds": seconds, "points": len(got), "partitions": groups,
            "worker_peak_gb": sorted(round(v, 3) for v in peaks.values()),
            "same_answers_as_plain_path": True}  # fmt: skip


def small_case(n: int = 1_000_000) -> dict:
    """1 M points × the 3 bundled layers: ortgeo engine vs the geopandas user code (all)."""
    import geopandas as gpd

    import ortgeo
    from ortgeo.engine import Sectors, locate_sectors

    sys.path.insert(0, str(HERE))
    from _timing import median_time

    rng = np.random.default_rng(0)
    x, y = rng.uniform(684_500, 691_500, n), rng.uniform(7_034_500, 7_039_500, n)
    pts = gpd.GeoDataFrame(geometry=gpd.points_from_xy(x, y), crs=2154)
    layers = ortgeo.perimeters(date=DATE).to_crs(2154)
    sectors = Sectors.from_catalog()
    frame = pts.assign(x=x, y=y)[["x", "y"]]

    def user_code():
        gpd.sjoin(pts, layers[["id", "geometry"]], predicate="within")
        for geom in layers.geometry:
            pts.distance(geom.boundary)

    def user_near():
        gpd.sjoin(pts, layers[["id", "geometry"]], predicate="within")
        gpd.sjoin_nearest(pts, layers[["id", "geometry"]], max_distance=250)

    locate_sectors(frame.iloc[:10], sectors, DATE)
    ortgeo.locate(pts, date=DATE)  # warm: the commune grid and the catalogue are built once
    return {
        "user sjoin(within) + distance(boundary) per layer": median_time(user_code, 3),
        "user sjoin(within) + sjoin_nearest(max_distance=250)": median_time(user_near, 3),
        "ortgeo.locate(all)": median_time(lambda: ortgeo.locate(pts, date=DATE), 3),
        "ortgeo.locate(all, lonlat=False)": median_time(
            lambda: ortgeo.locate(pts, date=DATE, lonlat=False), 3),
        "ortgeo.locate(near)": median_time(
            lambda: ortgeo.locate(pts, date=DATE, distances="near"), 3),
        "engine locate_sectors(near), x/y input": median_time(
            lambda: locate_sectors(frame, sectors, DATE), 3),
        "engine locate_sectors(all), x/y input": median_time(
            lambda: locate_sectors(frame, sectors, DATE, distances="all"), 3),
    }  # fmt: skip


def qpv_check() -> dict:
    """Each DVF sale inside its labelled QPV: ortgeo vs plain sjoin; why for the others."""
    import geopandas as gpd
    import pandas as pd

    from ortgeo.engine import Sectors, locate_sectors

    folder = REFERENCE / "qpv_occitanie"
    qp = gpd.read_file(folder / "qp_occitanie_2015.geojson")
    qp = qp.assign(id=qp["code_qp"], territory=qp["code_departement"], name=qp["nom_qp"],
                   kind="ort", valid_from="2015-01-01", valid_to=None, status="officiel",
                   accuracy_m=0.0)  # fmt: skip
    sales = pd.read_csv(folder / "foncier_qp_dvf_occitanie_2016_2020.csv", dtype=str)
    sales = sales.rename(columns={"longitude": "lon", "latitude": "lat"})
    t0 = time.perf_counter()
    r = locate_sectors(sales[["lon", "lat"]], Sectors.from_geodataframe(qp), DATE, band_m=0.0)
    t_ours = time.perf_counter() - t0
    pairs = set(zip(r.long.loc[r.long["inside"], "point"],
                    r.long.loc[r.long["inside"], "sector"].astype(str), strict=True))  # fmt: skip
    ours = np.array([(i, c) in pairs for i, c in enumerate(sales["code_qp"])])
    lon, lat = pd.to_numeric(sales.lon), pd.to_numeric(sales.lat)
    pts = gpd.GeoDataFrame(geometry=gpd.points_from_xy(lon, lat), crs=4326)
    t0 = time.perf_counter()
    j = gpd.sjoin(pts, qp[["code_qp", "geometry"]], predicate="within", how="left")
    t_sjoin = time.perf_counter() - t0
    theirs = (j["code_qp"] == sales["code_qp"].reindex(j.index)).groupby(level=0).any()
    # why the others: distance to the labelled QPV (Lambert-93) of the sales not inside it
    l93 = pts.to_crs(2154)
    qmap = qp.set_index("code_qp").to_crs(2154).geometry
    miss = np.flatnonzero(~ours)
    dist = np.array([l93.geometry.iloc[i].distance(qmap[sales["code_qp"].iloc[i]]) for i in miss])
    in_other = np.array([r.points["ort_status"].iloc[i] == "dedans" for i in miss])
    return {
        "sales": len(sales), "ortgeo_inside_label": float(ours.mean()),
        "sjoin_inside_label": float(theirs.mean()), "ortgeo_s": t_ours, "sjoin_s": t_sjoin,
        "missed": len(miss), "missed_within_10m": int((dist <= 10).sum()),
        "missed_within_50m": int((dist <= 50).sum()), "missed_median_m": float(np.median(dist)),
        "missed_inside_another_qpv": int(in_other.sum()),
        "missed_invalid": int((r.points["ort_status"].iloc[miss] == "invalide").sum()),
    }  # fmt: skip


def in_process(case: str, points: Path, sectors: Path) -> dict:
    """Run one case in a child process under /usr/bin/time -v; add its peak memory."""
    cmd = ["/usr/bin/time", "-v", sys.executable, __file__, "--child", case, str(points),
           str(sectors)]  # fmt: skip
    proc = subprocess.run(cmd, capture_output=True, text=True, timeout=3600, check=False)
    peak = [line for line in proc.stderr.splitlines() if "Maximum resident set size" in line]
    if proc.returncode != 0:
        return {"error": proc.stderr[-2000:]}
    result = json.loads(proc.stdout.strip().splitlines()[-1])
    result["peak_gb"] = int(peak[0].split(":")[1]) / 1024**2 if peak else float("nan")
    return result


def machine() -> str:
    with open("/proc/cpuinfo", encoding="utf-8") as info:
        names = [line.split(":", 1)[1].strip() for line in info if "model name" in line]
    import shapely

    return (f"{names[0] if names else platform.processor()}, {os.cpu_count()} cores, "
            f"Python {platform.python_version()}, shapely {shapely.__version__} "
            f"(GEOS {shapely.geos_version_string}), {time.strftime('%Y-%m-%d')}")  # fmt: skip


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sectors", type=int, default=1000)
    parser.add_argument("--points", type=int, default=1_000_000)
    parser.add_argument("--no-anchor", action="store_true", help="Skip the geopandas anchor.")
    parser.add_argument("--qpv", action="store_true")
    parser.add_argument("--small", action="store_true")
    parser.add_argument("--dask", action="store_true",
                        help="The distributed engine on a local 2-worker cluster.")  # fmt: skip
    parser.add_argument("--lens", action="store_true",
                        help="--points over the Lens box, bundled layers, all mode.")  # fmt: skip
    parser.add_argument("--child", nargs=3, metavar=("CASE", "POINTS", "SECTORS"))
    args = parser.parse_args()
    if args.child:
        case, points, sectors = args.child
        run = {"ortgeo": run_ortgeo, "anchor": run_anchor, "lens": run_lens}[case]
        print(json.dumps(run(Path(points), Path(sectors))))
        return
    print(f"machine: {machine()}, load average {os.getloadavg()[0]:.1f}")
    if args.qpv:
        print(json.dumps(qpv_check(), indent=1))
        return
    if args.small:
        for name, t in small_case(args.points).items():
            print(f"| {name} | {t:.2f} s |")
        print(f"load average after: {os.getloadavg()[0]:.1f}")
        return
    if args.lens:
        lens = in_process("lens", lens_points_file(args.points), Path("-"))
        print(f"SYNTHETIC: {args.points:,} points over the Lens box × the bundled layers, all mode")
        seconds, peak = lens.get("seconds", float("nan")), lens.get("peak_gb", float("nan"))
        print(f"| ortgeo.locate_file (streamed, all) | {seconds:.1f} s | {peak:.2f} GB | "
              f"{lens.get('counts', lens)} |")  # fmt: skip
        return
    sectors = sectors_file(args.sectors)
    points = points_file(args.points, args.sectors)
    print(f"SYNTHETIC: {args.points:,} points × {args.sectors:,} sectors, band {BAND} m")
    if args.dask:
        print(json.dumps(dask_case(points, sectors)))
        return
    ours = in_process("ortgeo", points, sectors)
    print(
        f"| ortgeo.locate_file (streamed) | {ours.get('seconds', float('nan')):.1f} s | "
        f"{ours.get('peak_gb', float('nan')):.2f} GB | {ours.get('counts', ours)} |"
    )
    if not args.no_anchor:
        anchor = in_process("anchor", points, sectors)
        print(
            f"| anchor sjoin(within) + sjoin_nearest | {anchor.get('seconds', float('nan')):.1f}"
            f" s | {anchor.get('peak_gb', float('nan')):.2f} GB | {anchor} |"
        )
        print("same answers on a sample:", compare(points, sectors))


if __name__ == "__main__":
    main()
