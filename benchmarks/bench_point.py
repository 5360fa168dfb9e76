"""One point, fast: the per-call cost of a point check and the start-up of ``ortgeo check``.

    python benchmarks/bench_point.py [--before /tmp/s16-before] [--rounds 3]

Run by hand, never by the tests. Two measures, each in fresh processes of the same
interpreter, for this checkout and (with ``--before``) for another source tree through
``PYTHONPATH``, in turn (before, after, before, after...) so that both see the same load:

1. **per call**: ``check_point`` + ``to_dict()`` + ``explain()`` + the service's JSON
   encoding (``json.dumps(..., ensure_ascii=False, allow_nan=False)``) on random points of
   the Lens area (date 2024-06-01, a new point each call); best of 5 × 100 calls after
   a warm-up, in ms per call;
2. **start-up**: ``python -m ortgeo.cli check --lonlat 2.8339,50.4292``,
   ``--xy 688180,7036861`` and ``--lonlat 2.7775,50.2910`` (Arras, outside the CALL: the
   Pas-de-Calais outlines are read) (warm: bytecode compiled, files in the page cache), wall
   time and CPU time (user + sys of the child), best and median of ``--runs``.

The load average is printed with the results: on a shared machine, compare the columns
measured side by side in the same run.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parents[1]

PER_CALL = r"""
import json, time
import numpy as np
import ortgeo

rng = np.random.default_rng(13)
pts = list(zip(rng.uniform(2.79, 2.88, 1000).tolist(), rng.uniform(50.40, 50.46, 1000).tolist()))

def one(lon, lat):
    v = ortgeo.check_point(lon, lat, date="2024-06-01")
    v.explain()
    return json.dumps(v.to_dict(), ensure_ascii=False, allow_nan=False)

for p in pts[:50]:
    one(*p)
best = cpu = float("inf")
for r in range(5):
    batch = pts[100 + 100 * r: 200 + 100 * r]
    t0, c0 = time.perf_counter(), time.process_time()
    for p in batch:
        one(*p)
    best = min(best, (time.perf_counter() - t0) / len(batch))
    cpu = min(cpu, (time.process_time() - c0) / len(batch))
print(json.dumps({"per_call_ms": best * 1e3, "cpu_ms": cpu * 1e3}))
"""

COMMANDS = {
    "check --lonlat": ["check", "--lonlat", "2.8339,50.4292"],
    "check --xy": ["check", "--xy", "688180,7036861"],
    "check Arras": ["check", "--lonlat", "2.7775,50.2910"],  # outside the CALL's outlines
}


def _env(tree: Path) -> dict[str, str]:
    return {**os.environ, "PYTHONPATH": str(tree)}


def per_call(tree: Path, cwd: str) -> tuple[float, float]:
    """Best per-call wall and CPU time (ms) of the point check in a fresh process."""
    out = subprocess.run([sys.executable, "-c", PER_CALL], env=_env(tree), cwd=cwd,
                         check=True, capture_output=True, text=True).stdout  # fmt: skip
    result = json.loads(out.splitlines()[-1])
    return float(result["per_call_ms"]), float(result["cpu_ms"])


def start_up(tree: Path, args: list[str], cwd: str) -> tuple[float, float]:
    """Wall and CPU (user + sys) seconds of one ``python -m ortgeo.cli ARGS``."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    t0 = time.perf_counter()
    subprocess.run([sys.executable, "-m", "ortgeo.cli", *args], env=_env(tree), cwd=cwd,
                   check=True, stdout=subprocess.DEVNULL)  # fmt: skip
    wall = time.perf_counter() - t0
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return wall, cpu


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--before", type=Path, help="source tree of the code to compare with")
    parser.add_argument("--rounds", type=int, default=3, help="per-call processes per tree")
    parser.add_argument("--runs", type=int, default=7, help="start-up runs per command/tree")
    args = parser.parse_args()
    trees = {"after": HERE}
    if args.before is not None:
        trees = {"before": args.before.resolve(), "after": HERE}
    print(f"load average at start: {os.getloadavg()}")
    with tempfile.TemporaryDirectory() as cwd:  # not a source tree: PYTHONPATH decides
        for tree in trees.values():  # warm-up: bytecode, page cache
            start_up(tree, COMMANDS["check --lonlat"], cwd)
        calls: dict[str, list[tuple[float, float]]] = {k: [] for k in trees}
        for _ in range(args.rounds):
            for label, tree in trees.items():
                calls[label].append(per_call(tree, cwd))
        print("\nper call (check_point + to_dict + explain + JSON), best of 5 x 100, ms:")
        for label, values in calls.items():
            print(f"  {label:6s} wall best {min(v[0] for v in values):.3f}, CPU best "
                  f"{min(v[1] for v in values):.3f}  (rounds, wall: "
                  + ", ".join(f"{v[0]:.3f}" for v in values) + ")")  # fmt: skip
        print("\nstart-up, warm (s): wall best / median, CPU user+sys best / median")
        for name, cmd in COMMANDS.items():
            runs: dict[str, list[tuple[float, float]]] = {k: [] for k in trees}
            for _ in range(args.runs):
                for label, tree in trees.items():
                    runs[label].append(start_up(tree, cmd, cwd))
            for label, values in runs.items():
                wall, cpu = [v[0] for v in values], [v[1] for v in values]
                print(f"  ortgeo {name:15s} {label:6s} wall {min(wall):.3f} / "
                      f"{statistics.median(wall):.3f}   CPU {min(cpu):.3f} / "
                      f"{statistics.median(cpu):.3f}")  # fmt: skip
    print(f"\nload average at end: {os.getloadavg()}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
