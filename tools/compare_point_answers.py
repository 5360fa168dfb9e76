"""Prove that ``check_point`` answers are unchanged: byte-identical to a reference checkout.

    python tools/compare_point_answers.py --before /tmp/s16-before [--n 900]

Runs this script twice in subprocesses, once on the source tree ``--before`` (through
``PYTHONPATH``) and once on this checkout, each dumping, for the same deterministic list of
inputs, ``json.dumps(Verdict.to_dict())``, ``Verdict.explain()`` and the exact point
coordinates (or the error raised) as JSON lines; then compares the two dumps line by line
and prints the first differences. Exit status 1 when any answer differs.

Inputs (seeded): random points of the Lens area and of the CALL (other communes, the
communes whose sectors are not held), far away in France and in the world, points on and
next to the sectors' limits, swapped, missing, infinite and impossible coordinates,
Lambert-93 inputs (near, far, degrees given as metres), a band and an uncertainty, on
dates before the ORT, in force, uncertain and after the ACV period.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path

DATES = ["2018-06-01", "2019-08-04", "2020-01-01", "2021-07-01", "2023-12-06", "2024-06-01",
         "2027-03-01", "2028-01-01"]  # fmt: skip


def inputs(n: int) -> list[dict[str, object]]:
    """The cases: keyword arguments of ``check_point`` (lon, lat, date, crs, band, ...)."""
    import numpy as np
    import shapely

    import ortgeo

    rng = np.random.default_rng(16)
    cases: list[dict[str, object]] = []

    def add(lon: float, lat: float, **kw: object) -> None:
        cases.append({"lon": float(lon), "lat": float(lat), **kw})

    for lon, lat in zip(rng.uniform(2.79, 2.88, n), rng.uniform(50.40, 50.46, n), strict=True):
        add(lon, lat)
    for lon, lat in zip(rng.uniform(2.60, 3.10, n // 3), rng.uniform(50.30, 50.60, n // 3),
                        strict=True):  # fmt: skip
        add(lon, lat)
    for lon, lat in zip(rng.uniform(-5, 9, n // 10), rng.uniform(42, 51, n // 10), strict=True):
        add(lon, lat)
    for lon, lat in zip(rng.uniform(-180, 180, 20), rng.uniform(-90, 90, 20), strict=True):
        add(lon, lat)
    # on and next to the limits (vertices, then a few metres either side)
    for layer in ortgeo.catalog():
        coords = shapely.get_coordinates(shapely.boundary(layer.geometry))
        for lon, lat in coords[:: max(len(coords) // 25, 1)]:
            add(lon, lat)
            add(lon + 2e-5, lat)
            add(lon, lat - 3e-5)
    x = rng.uniform(684_000, 692_000, n // 4)
    y = rng.uniform(7_033_000, 7_040_000, n // 4)
    for a, b in zip(x, y, strict=True):
        add(a, b, crs=2154)
    add(688180.0, 7036861.0, crs="EPSG:2154")
    for a, b in [(2.83, 50.43), (650_000.0, 6_860_000.0), (0.0, 0.0), (1e7, 1e7),
                 (float("nan"), 7e6), (float("inf"), 7e6), (-400_000.0, 6_000_000.0)]:  # fmt: skip
        add(a, b, crs=2154)
    nan, inf = float("nan"), float("inf")
    for lon, lat in [(50.43, 2.83), (nan, 50.4), (2.8, nan), (inf, 50.4), (200.0, 50.0),
                     (2.8, -91.0), (0.0, 0.0), (-0.0, 0.0), (2.833889, 50.429167),
                     (2.7857, 50.4226), (2.86, 50.44), (180.0, 90.0), (-180.0, -90.0)]:  # fmt: skip
        add(lon, lat)
    for lon, lat in zip(rng.uniform(2.80, 2.87, 40), rng.uniform(50.41, 50.45, 40), strict=True):
        add(lon, lat, band_m=float(rng.choice([0.0, 10.0, 120.5, 1000.0])))
        add(lon, lat, uncertainty_m=float(rng.choice([0.0, 15.0, 250.0])))
    add(2.8339, 50.4292, band_m=-1.0)
    add(2.8339, 50.4292, uncertainty_m=-5.0)
    add(2.8339, 50.4292, band_m=float("nan"))
    add(2.8339, 50.4292, uncertainty_m=float("nan"))
    add(2.8339, 50.4292, crs=3857)
    add(315_470.0, 6_520_000.0, crs=3857)
    return [{**case, "date": day} for day in DATES for case in cases]


def dump(path: Path, n: int) -> None:
    """Write one JSON line per case: the answer of the ``ortgeo`` found on ``sys.path``."""
    import ortgeo

    with path.open("w", encoding="utf-8") as out:
        for case in inputs(n):
            kw = dict(case)
            lon, lat = kw.pop("lon"), kw.pop("lat")
            try:
                v = ortgeo.check_point(lon, lat, **kw)
                coords = [repr(v.lon), repr(v.lat), repr(v.x), repr(v.y)]
                line = [json.dumps(v.to_dict(), ensure_ascii=False), v.explain(), coords,
                        v.status, v.inside]  # fmt: skip
            except Exception as exc:
                line = ["error", type(exc).__name__, str(exc)]
            out.write(json.dumps([case, line], ensure_ascii=False, default=str) + "\n")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--before", type=Path, help="source tree of the reference code")
    parser.add_argument("--n", type=int, default=900, help="random points of the Lens area")
    parser.add_argument("--dump", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.dump:
        dump(args.dump, args.n)
        return 0
    if args.before is None:
        parser.error("--before is required")
    here = Path(__file__).resolve().parents[1]
    with tempfile.TemporaryDirectory() as tmp:
        files = {}
        for label, tree in (("before", args.before.resolve()), ("after", here)):
            files[label] = Path(tmp) / f"{label}.jsonl"
            env = {**os.environ, "PYTHONPATH": str(tree)}
            subprocess.run([sys.executable, __file__, "--dump", str(files[label]),
                            "--n", str(args.n)], check=True, env=env, cwd=tmp)  # fmt: skip
        before = files["before"].read_text(encoding="utf-8").splitlines()
        after = files["after"].read_text(encoding="utf-8").splitlines()
    bad = [i for i, (a, b) in enumerate(zip(before, after, strict=True)) if a != b]
    errors = sum(json.loads(line)[1][0] == "error" for line in after)
    print(f"{len(after)} answers compared ({errors} errors raised), {len(bad)} differ")
    for i in bad[:5]:
        print("before:", before[i][:2000], "\nafter: ", after[i][:2000], sep="\n")
    return 1 if bad or len(before) != len(after) else 0


if __name__ == "__main__":
    sys.exit(main())
