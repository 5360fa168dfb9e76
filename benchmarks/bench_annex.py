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
The whole-run rows also give the CPU time of this process (steadier than wall time on a
shared machine). To compare with an older commit, run the same script with ``PYTHONPATH``
pointing at an export of it (``git archive <commit> | tar -x -C /tmp/old``). Record the
printed table in BENCHMARKS.md with the machine, date and load.
"""

from __future__ import annotations

import argparse
import os
import platform
import statistics
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


def warm_cpu(func: Callable[[], object], repeat: int) -> tuple[float, float]:
    """Median wall and CPU (this process) times of ``repeat`` runs after one warm-up run:
    on a shared machine the CPU time is the steadier of the two."""
    func()
    wall, cpu = [], []
    for _ in range(repeat):
        w0, c0 = time.perf_counter(), time.process_time()
        func()
        wall.append(time.perf_counter() - w0)
        cpu.append(time.process_time() - c0)
    return statistics.median(wall), statistics.median(cpu)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--addresses", type=int, default=15_000)
    parser.add_argument(
        "--folder-only", action="store_true", help="time only write_annex with the BAN export"
    )
    args = parser.parse_args()
    out = Path(tempfile.mkdtemp(prefix="bench-annex-"))
    ban = write_synthetic_ban_export(out / "adresses-62.csv.gz", n_rows=args.addresses)

    def html(kind: str) -> None:
        save_html(annex_map(kind, date=DATE, tiles=True), out / f"{kind}.html")

    def png(kind: str) -> None:
        render_png(kind, out / f"{kind}.png", date=DATE, dpi=300)

    def both_maps() -> None:
        for kind in KINDS:
            html(kind)
            png(kind)

    rows: list[tuple[str, float, float | None]] = []
    if not args.folder_only:
        for kind in KINDS:
            rows.append((f"HTML {kind}", warm_timed(lambda k=kind: html(k), args.repeat), None))
            rows.append((
                f"PNG A4 300 dpi {kind}", warm_timed(lambda k=kind: png(k), args.repeat), None
            ))  # fmt: skip
        rows.append((
            f"maps: {len(KINDS)} × (HTML + PNG)", *warm_cpu(both_maps, args.repeat)
        ))  # fmt: skip
        rows.append((
            "write_annex, no BAN", *warm_cpu(lambda: write_annex(out / "a", date=DATE), args.repeat)
        ))  # fmt: skip
    rows.append((
        f"write_annex, BAN export {args.addresses:,} addresses",
        *warm_cpu(lambda: write_annex(out / "b", date=DATE, ban=ban), args.repeat),
    ))  # fmt: skip

    print(f"machine: {platform.processor() or platform.machine()}, {os.cpu_count()} CPUs")
    print(f"repeat: {args.repeat} (medians, warm)\n")
    print(f"load average at the end: {', '.join(f'{x:.1f}' for x in os.getloadavg())}\n")
    print("| step | median wall (s) | median CPU (s) |")
    print("|---|---:|---:|")
    for name, seconds, cpu in rows:
        print(f"| {name} | {seconds:.2f} | {'' if cpu is None else f'{cpu:.2f}'} |")
    sizes = {p.name: p.stat().st_size for p in (out / "b").iterdir()}
    print("\nfiles (bytes): " + ", ".join(f"{k} {v:,}" for k, v in sorted(sizes.items())))


if __name__ == "__main__":
    main()
