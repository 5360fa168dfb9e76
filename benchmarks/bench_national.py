"""Benchmark: national scale — ``ortgeo locate`` against DuckDB + spatial, same file, same answer.

Everything here is SYNTHETIC except the QPV check:

- **sector table**: ``--sectors`` (1,000 / 3,000) sectors of ``--sectors // 2`` territories,
  a format-2 sector table written by ``ortgeo.catalog.write_sector_table(..., crs=2154)``
  from ``ortgeo.synthetic_sectors.synthetic_national_catalog(shapes=...)`` with the
  Pas-de-Calais commune outlines (reference data, ``$ORTGEO_REFERENCE``) as shapes: every
  legal field (dates of every precision, acts, coverage "*") is in the file;
- **points**: ``--points`` (2 M / 5 M / 26 M) at a BAN-like density: 30 % clustered around
  the sectors (σ 1.5 km), 70 % spread over France; plain Parquet with Lambert-93 x/y.

Cases, each a whole process under ``/usr/bin/time -v`` (wall time from start to exit,
imports included, as a user waits; peak = maximum resident set size), rounds alternated
(``--rounds``, median), the load average printed beside each run:

- ``ortgeo``: the command a user runs, ``ortgeo locate POINTS -o out.parquet --catalog
  TABLE --date 2024-06-01 --band 50 --long long.parquet`` (per-point file + long result);
- ``duckdb`` (PyPI ``duckdb`` + ``duckdb-extension-spatial``, the ``bench`` extra; 2
  threads): reads the same sector table, keeps the sectors in force by the table's
  validity rule written in SQL, joins ``ST_DWithin(sector, point, 50)`` and writes the same
  long result (point, sector, inside, status, signed distance within the band) to Parquet;
- ``geopandas`` (``--anchors duckdb,geopandas``): a competent user's code — the points as
  the left frame, ``sjoin(predicate="within")`` (the index on the polygons), then
  ``sjoin_nearest(max_distance=50)`` on the limits; both written to Parquet.

The answers of the last round are compared in full: DuckDB's pairs, ``inside``, status
and distances against ours; geopandas' within pairs against our inside pairs, its nearest
limits within the band among our ``limite`` pairs.

QPV check (real data): the 105 QPV of Occitanie as sectors (territory = département) and
the 28,825 DVF sales labelled by QPV — how often is each sale found inside its labelled
QPV, by ortgeo and by a plain ``sjoin``.

Run: ``python benchmarks/bench_national.py --points 2000000 --sectors 1000 --rounds 3``
(one case side by side; add ``--before /path/to/checkout`` to run that checkout's
``ortgeo locate`` in the same alternation — CPU and wall A/B, outputs compared table-equal),
``--qpv`` (the QPV check), ``--small`` (1 M × the 3 bundled layers
vs geopandas user code), ``--lens --points 26000000`` (26 M points over the Lens box × the
bundled layers, streamed), ``--dask --sectors 1000 --points 5000000`` (the distributed
engine on a local cluster of two worker processes). Files are cached in
``$ORTGEO_BENCH_DIR`` (default ``ortgeo-bench`` in the system's temporary folder).
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
THREADS = 2
LABELS = {
    "ortgeo": "`ortgeo locate --long` (per-point file + long result)",
    "duckdb": f"DuckDB + spatial, {THREADS} threads (the long result)",
    "geopandas": "geopandas `sjoin(within)` + `sjoin_nearest(limits, max_distance)`",
}


def commune_shapes() -> list:
    """The Pas-de-Calais commune outlines (reference data), Lambert-93, largest part."""
    import geopandas as gpd

    communes = gpd.read_file(REFERENCE / "communes" / "communes-62-pas-de-calais.geojson")
    return [g if g.geom_type == "Polygon" else max(g.geoms, key=lambda p: p.area)
            for g in communes.to_crs(2154).geometry]  # fmt: skip


def sectors_file(n: int) -> Path:
    """SYNTHETIC sector table of ``n`` sectors (``n // 2`` territories), format 2, Lambert-93.

    Written by ``write_sector_table`` from ``synthetic_national_catalog`` with the commune
    outlines as shapes: every legal field (precisions, acts, coverage "*") is in the file.
    """
    from ortgeo.catalog import write_sector_table
    from ortgeo.synthetic_sectors import synthetic_national_catalog

    path = CACHE / f"sector-table-{n}.parquet"
    if not path.exists():
        CACHE.mkdir(parents=True, exist_ok=True)
        cat = synthetic_national_catalog(n, max(n // 2, 1), seed=0, shapes=commune_shapes())
        write_sector_table(cat, path, crs=2154)
    return path


def points_file(n: int, n_sectors: int, seed: int = 1) -> Path:
    """SYNTHETIC BAN-like points as plain Parquet with Lambert-93 x/y (float64), chunked."""
    import geopandas as gpd
    import pyarrow as pa
    import pyarrow.parquet as pq

    path = CACHE / f"points-{n}-{n_sectors}.parquet"
    if path.exists() and path.stat().st_mtime >= sectors_file(n_sectors).stat().st_mtime:
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


def in_force_sql(day: str) -> str:
    """The validity rule of the sector table's documentation, as a SQL condition: a sector
    counts on ``day`` unless it has not started yet or has ended (an approximate bound
    widened by ``APPROXIMATE_DAYS``; "not before" counts from its date)."""
    from ortgeo.model import APPROXIMATE_DAYS

    d, m = f"DATE '{day}'", APPROXIMATE_DAYS
    return (f"NOT (CASE WHEN valid_from_precision = 'approximate' "
            f"THEN {d} < valid_from - INTERVAL {m} DAY ELSE {d} < valid_from END) "
            f"AND NOT coalesce(CASE WHEN valid_to_precision = 'approximate' "
            f"THEN {d} > valid_to + INTERVAL {m} DAY ELSE {d} > valid_to END, false)")  # fmt: skip


def ortgeo_command(points: Path, sectors: Path, out: Path) -> list[str]:
    """``ortgeo locate`` as a user runs it: per-point file + long result, band 50 m."""
    return [sys.executable, "-m", "ortgeo.cli", "locate", str(points), "-o", str(out),
            "--catalog", str(sectors), "--date", DATE, "--band", str(BAND),
            "--long", str(out.with_suffix(".long.parquet")), "--restart"]  # fmt: skip


def run_duckdb(points: Path, sectors: Path, out: Path) -> dict:
    """DuckDB + spatial, 2 threads: the (point, sector) pairs inside or within the band,
    with ``inside``, ``status`` and the signed distance within the band — the long result
    of ``ortgeo locate --long`` — read from the same sector table, written to Parquet."""
    import duckdb
    import duckdb_extension_spatial

    ext = next(Path(duckdb_extension_spatial.__path__[0]).glob("extensions/*/spatial.*"))
    con = duckdb.connect()
    con.load_extension(str(ext))  # bundled in the wheel: no download
    con.execute(f"SET threads = {THREADS}")
    con.execute(f"""CREATE TABLE s AS SELECT id, geometry AS g, ST_Boundary(geometry) AS b
                    FROM read_parquet('{sectors}') WHERE {in_force_sql(DATE)}""")
    con.execute(f"""COPY (
        SELECT point, sector, inside,
               CASE WHEN d <= {BAND} THEN 'limite' ELSE 'dedans' END AS status,
               CASE WHEN d <= {BAND} THEN CASE WHEN inside THEN d ELSE -d END END::FLOAT
                 AS distance_m
        FROM (SELECT p.id AS point, s.id AS sector, ST_Intersects(s.g, p.pt) AS inside,
                     ST_Distance(s.b, p.pt) AS d
              FROM (SELECT id, ST_Point(x, y) AS pt FROM read_parquet('{points}')) p
              JOIN s ON ST_DWithin(s.g, p.pt, {BAND}))
        ) TO '{out}' (FORMAT parquet)""")
    return {"pairs": con.execute(f"SELECT count(*) FROM '{out}'").fetchone()[0]}


def run_geopandas(points: Path, sectors: Path, out: Path) -> dict:
    """geopandas as a competent user writes it: the sectors in force (the same rule), the
    points as the left frame, ``sjoin(predicate="within")`` (index on the polygons), then
    ``sjoin_nearest(max_distance=band)`` on the limits; both written to Parquet."""
    import geopandas as gpd
    import pandas as pd

    from ortgeo.engine import Sectors

    sec = gpd.read_parquet(sectors)
    keep = Sectors.read(sectors).in_force(DATE).ids  # the same sectors counted
    sec = sec[sec["id"].isin(keep)][["id", "geometry"]]
    frame = pd.read_parquet(points)
    pts = gpd.GeoDataFrame(frame[["id"]], geometry=gpd.points_from_xy(frame.x, frame.y),
                           crs=sec.crs)  # fmt: skip
    within = gpd.sjoin(pts, sec, predicate="within", how="inner")
    near = gpd.sjoin_nearest(pts, sec.set_geometry(sec.boundary), max_distance=BAND,
                             how="inner", distance_col="d")  # fmt: skip
    pd.DataFrame({"point": within["id_left"], "sector": within["id_right"]}).to_parquet(out)
    pd.DataFrame({"point": near["id_left"], "sector": near["id_right"], "d": near["d"]}
                 ).to_parquet(out.with_suffix(".near.parquet"))  # fmt: skip
    return {"within": len(within), "near": len(near)}


def run_ortgeo(points: Path, sectors: Path, out: Path) -> dict:
    subprocess.run(ortgeo_command(points, sectors, out), check=True, capture_output=True)
    return {}


def compare(out: Path) -> dict:
    """The answers of every run of the last round, compared in full (no sample).

    DuckDB: the same (point, sector) pairs, the same ``inside`` and ``status``, the same
    distance within the band (float32). geopandas: its "within" pairs are our inside pairs
    (the limit excluded: ours minus the points on a limit), each nearest limit within the
    band is one of our ``limite`` pairs at the same distance.
    """
    import pandas as pd

    ours = pd.read_parquet(
        out / "ortgeo.long.parquet", columns=["point", "sector", "inside", "status", "distance_m"]
    )
    ours["sector"] = ours["sector"].astype(str)
    ours["status"] = ours["status"].astype(str)
    report: dict[str, object] = {"pairs": len(ours)}
    key = ["point", "sector"]
    if (out / "duckdb.parquet").exists():
        theirs = pd.read_parquet(out / "duckdb.parquet")
        m = ours.merge(theirs, on=key, how="outer", suffixes=("", "_d"), indicator=True)
        both = m["_merge"] == "both"
        d, dd = m.loc[both, "distance_m"], m.loc[both, "distance_m_d"]
        report["duckdb"] = {
            "pairs": len(theirs), "only_ortgeo": int((m["_merge"] == "left_only").sum()),
            "only_duckdb": int((m["_merge"] == "right_only").sum()),
            "inside_differs": int((m.loc[both, "inside"] != m.loc[both, "inside_d"]).sum()),
            "status_differs": int((m.loc[both, "status"] != m.loc[both, "status_d"]).sum()),
            "distance_max_diff_m": float((d - dd).abs().max()) if both.any() else 0.0,
            "distance_nan_differs": int((d.isna() != dd.isna()).sum()),
        }  # fmt: skip
    if (out / "geopandas.parquet").exists():
        within = pd.read_parquet(out / "geopandas.parquet")
        near = pd.read_parquet(out / "geopandas.near.parquet")
        inside = ours[ours["inside"]]
        w = within.merge(inside, on=key, how="outer", indicator=True)
        n = near.merge(ours[ours["status"] == "limite"], on=key, how="left", indicator=True)
        report["geopandas"] = {
            "within_not_inside": int((w["_merge"] == "left_only").sum()),
            "inside_not_within": int((w["_merge"] == "right_only").sum()),
            "nearest_not_ours": int((n["_merge"] == "left_only").sum()),
            "nearest_distance_max_diff_m": float(
                (n["distance_m"].abs() - n["d"]).abs().max()) if len(n) else 0.0,
        }  # fmt: skip
    return report


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


#: ``--before``: a checkout of ortgeo run as one more case (its ``PYTHONPATH``), A/B.
BEFORE: list[str] = []


def in_process(case: str, points: Path, sectors: Path, out: Path | None = None) -> dict:
    """Run one case in a child process under /usr/bin/time -v: the wall time of the whole
    process (start-up and imports included, as a user waits), its peak memory, the load
    average before it."""
    load = os.getloadavg()[0]
    env, cwd = None, None
    if case in ("ortgeo", "before"):
        assert out is not None
        cmd = ortgeo_command(
            points.resolve(), sectors.resolve(), (out / f"{case}.parquet").resolve()
        )
        if case == "before":  # ``-m`` puts the working folder first on the path: the checkout
            env, cwd = {**os.environ, "PYTHONPATH": BEFORE[0]}, BEFORE[0]
    else:
        cmd = [sys.executable, __file__, "--child", case, str(points), str(sectors)]
        if out is not None:
            cmd.append(str(out / f"{case}.parquet"))
    t0 = time.perf_counter()
    proc = subprocess.run(["/usr/bin/time", "-v", *cmd], capture_output=True, text=True,
                          timeout=7200, check=False, env=env, cwd=cwd)  # fmt: skip
    wall = time.perf_counter() - t0
    peak = [line for line in proc.stderr.splitlines() if "Maximum resident set size" in line]
    cpu = [float(line.split(":")[1]) for line in proc.stderr.splitlines()
           if "User time" in line or "System time" in line]  # fmt: skip
    if proc.returncode != 0:
        return {"error": proc.stderr[-2000:]}
    result = ({} if case in ("ortgeo", "before")
              else json.loads(proc.stdout.strip().splitlines()[-1]))  # fmt: skip
    result.update(
        wall=wall,
        cpu=sum(cpu),
        load=load,
        peak_gb=int(peak[0].split(":")[1]) / 1024**2 if peak else float("nan"),
    )
    return result


def national(n_points: int, n_sectors: int, cases: list[str], rounds: int) -> None:
    """The national cases side by side: rounds alternate their order; medians printed."""
    import statistics

    sectors = sectors_file(n_sectors)
    points = points_file(n_points, n_sectors)
    out = CACHE / f"run-{n_points}-{n_sectors}"
    out.mkdir(parents=True, exist_ok=True)
    print(f"SYNTHETIC: {n_points:,} points × {n_sectors:,} sectors ({sectors.name}), band "
          f"{BAND} m, {DATE}; {rounds} rounds, order alternated")  # fmt: skip
    runs: dict[str, list[dict]] = {c: [] for c in cases}
    for r in range(rounds):
        for case in cases if r % 2 == 0 else cases[::-1]:
            res = in_process(case, points, sectors, out)
            if "error" in res:
                raise SystemExit(f"{case}: {res['error']}")
            runs[case].append(res)
            print(f"  round {r + 1} {case}: {res['wall']:.1f} s wall, {res['cpu']:.1f} s CPU, "
                  f"{res['peak_gb']:.2f} GB, load {res['load']:.1f}", flush=True)  # fmt: skip
    print("| run | median wall (s) | min–max (s) | CPU (s) | peak (GB) | load avg | ratio |")
    print("|---|---:|---:|---:|---:|---:|---:|")
    base = statistics.median(x["wall"] for x in runs[cases[-1]])
    for case in cases:
        walls = [x["wall"] for x in runs[case]]
        med = statistics.median(walls)
        loads = ", ".join(f"{x['load']:.1f}" for x in runs[case])
        print(
            f"| {LABELS[case]} | {med:.1f} | {min(walls):.1f}–{max(walls):.1f} | "
            f"{statistics.median(x['cpu'] for x in runs[case]):.1f} | "
            f"{max(x['peak_gb'] for x in runs[case]):.2f} | "
            f"{loads} | {med / base:.2f}× |"
        )
    print("same answers:", json.dumps(compare(out)))
    if "before" in cases:  # the two ortgeo runs: the same tables, schema and metadata
        import pyarrow.parquet as pq

        same = {
            name: pq.read_table(out / f"before{name}").equals(
                pq.read_table(out / f"ortgeo{name}"), check_metadata=True)
            for name in (".parquet", ".long.parquet")
        }  # fmt: skip
        print(f"table-equal to --before {BEFORE[0]}:", json.dumps(same))


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
    parser.add_argument("--points", type=int, default=2_000_000)
    parser.add_argument("--rounds", type=int, default=3, help="Runs of each case (median).")
    parser.add_argument("--anchors", default="duckdb",
                        help="Comma-separated: duckdb, geopandas (default duckdb).")  # fmt: skip
    parser.add_argument("--qpv", action="store_true")
    parser.add_argument("--small", action="store_true")
    parser.add_argument("--dask", action="store_true",
                        help="The distributed engine on a local 2-worker cluster.")  # fmt: skip
    parser.add_argument("--lens", action="store_true",
                        help="--points over the Lens box, bundled layers, all mode.")  # fmt: skip
    parser.add_argument("--before", metavar="CHECKOUT",
                        help="Also run `ortgeo locate` from this checkout (e.g. a git worktree "
                        "../before) in the same alternation: CPU and wall A/B, outputs "
                        "compared.")  # fmt: skip
    parser.add_argument("--child", nargs="+", metavar="CASE POINTS SECTORS [OUT]")
    args = parser.parse_args()
    if args.child:
        case, points, sectors, *rest = args.child
        if case == "lens":
            print(json.dumps(run_lens(Path(points), Path(sectors))))
            return
        run = {"duckdb": run_duckdb, "geopandas": run_geopandas}[case]
        print(json.dumps(run(Path(points), Path(sectors), Path(rest[0]))))
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
    if args.dask:
        sectors = sectors_file(args.sectors)
        print(json.dumps(dask_case(points_file(args.points, args.sectors), sectors)))
        return
    anchors = [a for a in args.anchors.split(",") if a]
    if args.before:
        BEFORE.append(str(Path(args.before).resolve()))
        LABELS["before"] = f"`ortgeo locate --long` from {BEFORE[0]}"
        anchors.append("before")
    national(args.points, args.sectors, [*anchors, "ortgeo"], args.rounds)


if __name__ == "__main__":
    main()
