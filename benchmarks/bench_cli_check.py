"""One address checked by the command line, whole process, warm (run by hand, not in the tests).

    python benchmarks/bench_cli_check.py [--before DIR] [--work DIR] [--repeat 7]
        [--answers 400] [--address "12 rue de Paris Lens"]

Times whole processes (start-up, imports, opening the index, geocoding, the verdict, the
French text) of

* ``ortgeo check ADDRESS --ban INDEX`` on a SYNTHETIC 700,000-row / 300-commune offline
  index (``ortgeo.testing``, as ``bench_throughput.py`` builds it: Lens,
  Éleu-dit-Leauwette and Loison-sous-Lens among made-up communes), and
* ``ortgeo check --lonlat 2.8339,50.4292`` (the point path, the floor of an address check),

warm (one untimed run first), ``--repeat`` times each (median), alternated with the
``ortgeo`` package of another checkout when ``--before DIR`` is given (e.g. another clone,
or ``git worktree add ../before <commit>``: it runs with this interpreter and
``PYTHONPATH=DIR``). Each figure comes with the wall time, the CPU time (user + sys, of
the process: the fair figure on a shared machine) and the load average when it was taken;
the outputs of the two sides are compared on every run.

``--answers N``: besides, ``ortgeo check ADDRESS --json --date 2024-06-01`` on ``N``
addresses written the ways people write them (``address_forms.toml``: complements, city
first, typos, OCR, streets that do not exist...), run by both sides (in one process per
side, one ``ortgeo check`` after another) and compared in full: the run fails when one
answer differs.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from bench_geocode import machine
from bench_throughput import inputs

ROOT = Path(__file__).resolve().parents[1]
LONLAT = "2.8339,50.4292"

#: ``ortgeo check`` on each address of a file (one JSON line per answer, in order), in one
#: process: the answers of a checkout, to compare.
_ANSWERS = """
import contextlib, io, json, sys
from ortgeo.cli import main
index, date = sys.argv[1], sys.argv[2]
for line in sys.stdin:
    address = json.loads(line)
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        try:
            main(["check", address, "--ban", index, "--json", "--date", date],
                 standalone_mode=False)
        except Exception as exc:  # an error is an answer too
            print(type(exc).__name__, exc)
    print(json.dumps(out.getvalue()))
"""


def index_of(work: Path) -> Path:
    """The SYNTHETIC index (built once in ``work``, reused)."""
    csv, _ = inputs(work, 500)
    index = work / "index.sqlite"
    if not index.is_file():
        from ortgeo.geocoders import build_ban_index

        build_ban_index(csv, index, progress=False)
    return index


def run(code: Path, args: list[str], cwd: Path) -> tuple[float, float, str]:
    """Wall and CPU time (user + sys) of one ``ortgeo`` process, and its output."""
    env = {**os.environ, "PYTHONPATH": str(code)}
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    t0 = time.perf_counter()
    done = subprocess.run(
        [sys.executable, "-m", "ortgeo.cli", *args], env=env, cwd=cwd, capture_output=True,
        text=True, check=False,
    )  # fmt: skip
    wall = time.perf_counter() - t0
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if done.returncode != 0:
        raise SystemExit(f"{code}: ortgeo {' '.join(args)} failed:\n{done.stderr}")
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return wall, cpu, done.stdout


def answers(code: Path, index: Path, addresses: list[str], cwd: Path) -> list[str]:
    """The ``--json`` answers of a checkout to each address."""
    env = {**os.environ, "PYTHONPATH": str(code)}
    done = subprocess.run(
        [sys.executable, "-c", _ANSWERS, str(index), "2024-06-01"], env=env, cwd=cwd,
        input="".join(json.dumps(a) + "\n" for a in addresses), capture_output=True,
        text=True, check=True,
    )  # fmt: skip
    return [json.loads(line) for line in done.stdout.splitlines()]


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--before", type=Path, default=None, help="Checkout to compare with.")
    ap.add_argument("--work", type=Path, default=None, help="Keep the index here.")
    ap.add_argument("--repeat", type=int, default=7, help="Runs of each (median).")
    ap.add_argument("--address", default="12 rue de Paris Lens")
    ap.add_argument("--answers", type=int, default=0, metavar="N",
                    help="Compare the answers to N noisy addresses (needs --before).")  # fmt: skip
    args = ap.parse_args()
    work = args.work or Path(tempfile.gettempdir()) / "ortgeo-bench-cli-check"
    work.mkdir(parents=True, exist_ok=True)
    index = index_of(work)
    sides = [("before", args.before.resolve())] if args.before else []
    sides.append(("after", ROOT))
    cases = {
        "check ADDRESS": ["check", args.address, "--ban", str(index)],
        "check --lonlat": ["check", "--lonlat", LONLAT],
    }
    print(f"## ortgeo check, whole process, warm — {dt.date.today().isoformat()}, {machine()}")
    print(f"ADDRESS = {args.address!r}, index: 700,000 SYNTHETIC rows ({index}); "
          f"median of {args.repeat}, sides alternated\n")  # fmt: skip
    for cmd in cases.values():  # warm: files in the page cache, .pyc written
        for _, code in sides:
            run(code, cmd, work)
    times: dict[tuple[str, str], list[tuple[float, float, float]]] = {}
    outputs: dict[str, set[str]] = {case: set() for case in cases}
    for _ in range(args.repeat):
        for case, cmd in cases.items():
            for tag, code in sides:
                load = os.getloadavg()[0]
                wall, cpu, out = run(code, cmd, work)
                times.setdefault((case, tag), []).append((wall, cpu, load))
                outputs[case].add(out)
    print("| command | code | wall (s) | CPU user+sys (s) | load avg (1 min) during the runs |")
    print("|---|---|---:|---:|---|")
    for (case, tag), got in times.items():
        wall = statistics.median(t[0] for t in got)
        cpu = statistics.median(t[1] for t in got)
        loads = f"{min(t[2] for t in got):.1f}–{max(t[2] for t in got):.1f}"
        print(f"| `ortgeo {case}` | {tag} | {wall:.3f} | {cpu:.3f} | {loads} |")
    if len(sides) == 2:
        for case in cases:
            cpu = {tag: statistics.median(t[1] for t in times[(case, tag)]) for tag, _ in sides}
            print(f"\n{case}: CPU after / before = {cpu['after'] / cpu['before']:.2f}")
    same = all(len(outs) == 1 for outs in outputs.values())
    print(f"\nOutputs identical on every run: {same}")
    ok = same
    if args.answers and args.before:
        import pandas as pd

        _, src = inputs(work, args.answers)
        addresses = [args.address, *pd.read_csv(src, sep=";", dtype=str)["adresse"].tolist()]
        got = {tag: answers(code, index, addresses, work) for tag, code in sides}
        differ = [a for a, x, y in zip(addresses, got["before"], got["after"], strict=True)
                  if x != y]  # fmt: skip
        print(f"`ortgeo check ADDRESS --json`: {len(addresses)} noisy addresses, "
              f"{len(addresses) - len(differ)} identical answers, {len(differ)} differ"
              + (f" (first: {differ[0]!r})" if differ else ""))  # fmt: skip
        ok = ok and not differ
    if not ok:
        sys.exit(1)


if __name__ == "__main__":
    main()
