"""Benchmark: the Annex 3 maps (HTML + print PNG) and the address list, warm.

Times, as medians of ``--repeat`` runs after one warm-up run (imports, fonts, Leaflet
assets and the bundled catalogue loaded):

- **maps**: the three maps (situation, general, zoom-extension), each as self-contained
  HTML and as an A4 landscape PNG at 300 dpi — the target is < 5 s for the general and
  zoom maps (four files);
- each piece alone (HTML, PNG) for each map;
- **annex with BAN**: the whole ``write_annex`` folder with a SYNTHETIC BAN export of
  ``--addresses`` Lens-like addresses (``ortgeo.testing``), address lists and
  ``annexe3.pdf`` included — the target is < 10 s.

Run: ``python benchmarks/bench_annex.py [--repeat 5] [--addresses 15000] [--folder-only]``.
The whole-run rows also give the CPU time (user + sys of this process and of the helper
process ``write_annex`` forks: steadier than wall time on a shared machine).

**Whole process** (issue 22's target: ``ortgeo annex`` warm < 3 s): ``--cli`` times the
command itself, ``python -m ortgeo.cli annex -o DIR -q`` (without and with ``--ban``), each
in a new process, after one warm-up run (tile and font caches filled); ``--against DIR``
runs the same commands with ``PYTHONPATH=DIR`` (an export of another commit: ``git archive
main | tar -x -C /tmp/main``) alternated with this tree's, run for run, and gives the
ratios. Every figure is printed with the load average at that moment. One command:
``python benchmarks/bench_annex.py --cli --against /tmp/main --repeat 5``.

To compare the in-process rows with an older commit, run the same script with
``PYTHONPATH`` pointing at an export of it. Record the printed table in BENCHMARKS.md with
the machine, date and load.
"""

from __future__ import annotations

import argparse
import os
import platform
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from _timing import median_time  # same folder: run as a script

from ortgeo.annex import write_annex
from ortgeo.maps import annex_map, render_png, save_html
from ortgeo.maps.style import MAP_KINDS
from ortgeo.testing import write_synthetic_ban_export

DATE = "2024-06-01"
KINDS = MAP_KINDS  # situation, general, zoom-extension


def warm_timed(func: Callable[[], object], repeat: int) -> float:
    """Median time of ``repeat`` runs after one warm-up run."""
    func()
    return median_time(func, repeat)


def _children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def warm_cpu(func: Callable[[], object], repeat: int) -> tuple[float, float]:
    """Median wall and CPU (this process and the processes it waited for, such as the
    helper ``write_annex`` forks) times of ``repeat`` runs after one warm-up run: on a
    shared machine the CPU time is the steadier of the two."""
    func()
    wall, cpu = [], []
    for _ in range(repeat):
        w0, c0 = time.perf_counter(), time.process_time() + _children_cpu()
        func()
        wall.append(time.perf_counter() - w0)
        cpu.append(time.process_time() + _children_cpu() - c0)
    return statistics.median(wall), statistics.median(cpu)


def _load() -> str:
    return "/".join(f"{x:.1f}" for x in os.getloadavg())


def run_cli(args: list[str], code: Path | None) -> tuple[float, float, str]:
    """One ``python -m ortgeo.cli annex ...`` process: wall, CPU (user + sys of it and
    its children), load average just after."""
    env = dict(os.environ)
    if code is not None:
        env["PYTHONPATH"] = str(code)
    out = Path(args[args.index("-o") + 1])
    shutil.rmtree(out, ignore_errors=True)
    w0, c0 = time.perf_counter(), _children_cpu()
    subprocess.run([sys.executable, "-m", "ortgeo.cli", *args], env=env, check=True,
                   stdout=subprocess.DEVNULL)  # fmt: skip
    return time.perf_counter() - w0, _children_cpu() - c0, _load()


def cli_rows(work: Path, ban: Path, repeat: int, against: Path | None) -> None:
    """The whole ``ortgeo annex`` process, warm, alternated with ``against`` if given."""
    cases = {"ortgeo annex": ["-q"], f"ortgeo annex --ban ({ban.name})": ["-q", "--ban", str(ban)]}
    sides: dict[str, Path | None] = {"this tree": None}
    if against is not None:
        sides = {f"against {against}": against, "this tree": None}
    print("| command | code | run | wall (s) | CPU user+sys (s) | load 1/5/15 min |")
    print("|---|---|---:|---:|---:|---|")
    medians: dict[tuple[str, str], tuple[float, float]] = {}
    for case, extra in cases.items():
        runs: dict[str, list[tuple[float, float, str]]] = {side: [] for side in sides}
        for code in sides.values():  # warm-up: caches filled, files in the page cache
            run_cli(["annex", "-o", str(work / "warmup"), *extra], code)
        for i in range(repeat):
            for side, code in sides.items():
                runs[side].append(run_cli(["annex", "-o", str(work / "out"), *extra], code))
                wall, cpu, load = runs[side][-1]
                print(f"| {case} | {side} | {i + 1} | {wall:.2f} | {cpu:.2f} | {load} |")
        for side in sides:
            medians[case, side] = (
                statistics.median(r[0] for r in runs[side]),
                statistics.median(r[1] for r in runs[side]),
            )
    print(f"\nMedians of {repeat} warm runs (load now {_load()}):\n")
    print("| command | code | wall (s) | CPU (s) |")
    print("|---|---|---:|---:|")
    for (case, side), (wall, cpu) in medians.items():
        print(f"| {case} | {side} | {wall:.2f} | {cpu:.2f} |")
    if against is not None:
        print()
        for case in cases:
            (wa, ca), (wb, cb) = (medians[case, side] for side in sides)
            print(f"{case}: this tree / against: wall {wb / wa:.2f}, CPU {cb / ca:.2f}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--addresses", type=int, default=15_000)
    parser.add_argument(
        "--folder-only", action="store_true", help="time only write_annex with the BAN export"
    )
    parser.add_argument(
        "--cli", action="store_true", help="time the whole `ortgeo annex` process instead"
    )
    parser.add_argument(
        "--against",
        type=Path,
        default=None,
        help="with --cli: a source tree of another commit, run alternately (PYTHONPATH)",
    )
    args = parser.parse_args()
    out = Path(tempfile.mkdtemp(prefix="bench-annex-"))
    ban = write_synthetic_ban_export(out / "adresses-62.csv.gz", n_rows=args.addresses)
    if args.cli or args.against is not None:
        print(f"machine: {platform.processor() or platform.machine()}, {os.cpu_count()} CPUs")
        print(f"repeat: {args.repeat} warm runs per side, alternated\n")
        cli_rows(out, ban, args.repeat, args.against)
        return

    def html(kind: str) -> None:
        save_html(annex_map(kind, date=DATE, tiles=True), out / f"{kind}.html")

    def png(kind: str) -> None:
        render_png(kind, out / f"{kind}.png", date=DATE, dpi=300)

    def both_maps() -> None:
        for kind in KINDS:
            html(kind)
            png(kind)

    rows: list[tuple[str, float, float | None]] = []
    loads: list[str] = []

    def row(name: str, timed: float | tuple[float, float]) -> None:
        wall, cpu = timed if isinstance(timed, tuple) else (timed, None)
        rows.append((name, wall, cpu))
        loads.append(_load())

    if not args.folder_only:
        for kind in KINDS:
            row(f"HTML {kind}", warm_timed(lambda k=kind: html(k), args.repeat))
            row(f"PNG A4 300 dpi {kind}", warm_timed(lambda k=kind: png(k), args.repeat))
        row(f"maps: {len(KINDS)} × (HTML + PNG)", warm_cpu(both_maps, args.repeat))
        row("write_annex, no BAN", warm_cpu(lambda: write_annex(out / "a", date=DATE), args.repeat))
    row(
        f"write_annex, BAN export {args.addresses:,} addresses",
        warm_cpu(lambda: write_annex(out / "b", date=DATE, ban=ban), args.repeat),
    )

    print(f"machine: {platform.processor() or platform.machine()}, {os.cpu_count()} CPUs")
    print(f"repeat: {args.repeat} (medians, warm)\n")
    print("| step | median wall (s) | median CPU (s) | load 1/5/15 min after |")
    print("|---|---:|---:|---|")
    for (name, seconds, cpu), load in zip(rows, loads, strict=True):
        print(f"| {name} | {seconds:.2f} | {'' if cpu is None else f'{cpu:.2f}'} | {load} |")
    sizes = {p.name: p.stat().st_size for p in (out / "b").iterdir()}
    print("\nfiles (bytes): " + ", ".join(f"{k} {v:,}" for k, v in sorted(sizes.items())))


if __name__ == "__main__":
    main()
