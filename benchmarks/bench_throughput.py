"""Throughput of the offline geocoder, end to end (run by hand, not in the test suite).

    python benchmarks/bench_throughput.py [--jobs 2] [--before DIR] [--rows 100000]
        [--work DIR] [--input noisy|clean]

On a SYNTHETIC département export (ortgeo.testing: 700,000 rows over 300 communes, Lens,
Éleu-dit-Leauwette and Loison-sous-Lens among them):

* index build (``ortgeo ban index``, in a fresh process, process start excluded);
* ``ortgeo batch --geocoder local`` end to end (process start included) on ``--rows``
  rows drawn from every commune of the file (a realistic mix), written the ways people
  write addresses (``--input noisy``, the default: every family of
  ``benchmarks/address_forms.toml`` in equal parts — complements, city first, postal
  boxes, floors, OCR, streets that do not exist...) or as the export labels them
  (``--input clean``).

``--before DIR``: the same two measures with the ``ortgeo`` package of another checkout
(e.g. ``git worktree add /tmp/before <commit>``, no venv needed: it runs with this
interpreter and ``PYTHONPATH=DIR``), in the same run, for a side-by-side table; whether
the two batch reports are byte-identical is said (``--require-identical``: the run fails
when they are not, for a change meant to keep every answer). ``--jobs N``
is passed to the new code's ``ortgeo batch`` (default: its own default, one process per
usable CPU). Besides wall times, the table gives the load average before each measure
and the CPU time (user + sys) of the batch process and of its worker processes; the
"critical path" (main process + workers / jobs: what a quiet machine with that many free
cores would take) is the fair comparison on a loaded, shared machine. Goals (issue 12):
≥ 5,000 rows/s and a build < 5 s.
"""

from __future__ import annotations

import argparse
import datetime as dt
import filecmp
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pandas as pd
from address_forms import load_forms, make_queries
from bench_geocode import machine

from ortgeo.geocoders.ban_export import read_ban_csv
from ortgeo.geocoders.normalize import join_export_fields
from ortgeo.testing import write_synthetic_ban_export

ROOT = Path(__file__).resolve().parents[1]


def inputs(work: Path, n_rows: int, noisy: bool = True, made_up: bool = False) -> tuple[Path, Path]:
    """The département export and the batch input (reused when already in ``work``).

    ``noisy``: rows written the ways people write addresses (every family of
    ``address_forms.toml``, in equal parts) in the communes with a real name (Lens,
    Éleu-dit-Leauwette, Loison-sous-Lens: "Synthéville-12" is no way a commune is named,
    as the accuracy benchmark has it), or in every commune with ``made_up``; else the
    export's own labels, over every commune."""
    csv = work / "dep.csv.gz"
    if not csv.is_file():
        write_synthetic_ban_export(
            csv, n_rows=700_000, n_communes=300, citycode="62498",
            extra_citycodes=("62291", "62523"),
        )  # fmt: skip
    kind = ("-noisy-all" if made_up else "-noisy") if noisy else ""
    src = work / f"batch-{n_rows}{kind}.csv"
    if not src.is_file():
        df = read_ban_csv(csv).astype(str)
        if noisy:
            forms = load_forms()
            per_family = -(-n_rows // len(forms["families"]))
            queries = make_queries(df.sample(min(len(df), 4 * n_rows), random_state=1), df,
                                   forms, per_family, seed=1, made_up=made_up)  # fmt: skip
            texts = [
                join_export_fields(c) if isinstance(c, list) else q
                for q, c in zip(queries["query"], queries["cells"], strict=True)
            ]
            labels = pd.Series(texts).sample(frac=1, random_state=1).head(n_rows)
        else:
            df = df.sample(n_rows, random_state=1)
            labels = (
                df["numero"] + df["rep"].map(lambda r: f" {r}" if r else "") + " "
                + df["nom_voie"] + " " + df["code_postal"] + " " + df["nom_commune"]
            )  # fmt: skip
        pd.DataFrame({"id": range(n_rows), "adresse": labels.to_numpy()}).to_csv(
            src, sep=";", index=False
        )
    return csv, src


#: ``ortgeo batch`` run by ``python -c``, printing on its last stderr line the CPU time
#: (user + sys) of the batch process itself and of the worker processes it waited for.
_BATCH = (
    "import resource, sys; from ortgeo.cli import main\n"
    "try:\n    main(sys.argv[1:])\nexcept SystemExit as exc:\n    code = exc.code\n"
    "me, kids = (resource.getrusage(w) for w in "
    "(resource.RUSAGE_SELF, resource.RUSAGE_CHILDREN))\n"
    "print('CPU', me.ru_utime + me.ru_stime, kids.ru_utime + kids.ru_stime, file=sys.stderr)\n"
    "sys.exit(code)"
)


def measure(
    code: Path, csv: Path, src: Path, work: Path, tag: str, extra: list[str]
) -> tuple[float, float, float, float, Path]:
    """Index build time, batch wall time, CPU of the batch process and of its workers (s),
    and the report, with the ``ortgeo`` package under ``code``."""
    env = {**os.environ, "PYTHONPATH": str(code)}
    index, out = work / f"{tag}.sqlite", work / f"{tag}-out.csv"
    build = (
        "import sys, time; from ortgeo.geocoders import build_ban_index as b; "
        "t = time.perf_counter(); b(sys.argv[1], sys.argv[2], progress=False); "
        "print(time.perf_counter() - t)"
    )
    done = subprocess.run(
        [sys.executable, "-c", build, str(csv), str(index)],
        env=env, cwd=work, check=True, capture_output=True, text=True,
    )  # fmt: skip
    start = time.perf_counter()
    batch = subprocess.run(
        [sys.executable, "-c", _BATCH, "batch", str(src), "-o", str(out),
         "--geocoder", "local", "--ban", str(index), "--date", "2024-06-01", *extra],
        env=env, cwd=work, check=False, capture_output=True, text=True,
    )  # fmt: skip
    took = time.perf_counter() - start
    if batch.returncode not in (0, 3):  # 3: some rows got no verdict (noisy rows do)
        raise subprocess.CalledProcessError(batch.returncode, batch.args, batch.stdout,
                                            batch.stderr)  # fmt: skip
    _, me, kids = batch.stderr.strip().splitlines()[-1].split()
    return float(done.stdout.split()[-1]), took, float(me), float(kids), out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--before", type=Path, default=None, help="Checkout to compare with.")
    ap.add_argument("--rows", type=int, default=100_000)
    ap.add_argument("--work", type=Path, default=None, help="Keep the inputs here.")
    ap.add_argument("--jobs", type=int, default=None, help="--jobs of the new code's batch.")
    ap.add_argument("--input", choices=("noisy", "noisy-all", "clean"), default="noisy",
                    help="Rows written the ways people write addresses in the real-named "
                    "communes (default) or in every commune, made-up ones included, or the "
                    "export's own labels.")  # fmt: skip
    ap.add_argument(
        "--require-identical",
        action="store_true",
        help="Fail when the two reports differ (a change meant to keep answers).",
    )
    args = ap.parse_args()
    work = args.work or Path(tempfile.mkdtemp(prefix="ortgeo-throughput-"))
    work.mkdir(parents=True, exist_ok=True)
    csv, src = inputs(work, args.rows, noisy=args.input != "clean",
                      made_up=args.input == "noisy-all")  # fmt: skip
    sides = [("before", args.before)] if args.before else []
    sides.append(("after", ROOT))
    print(f"## ortgeo batch throughput, {dt.date.today().isoformat()} — {machine()}")
    kind = {"noisy": "written the ways people write addresses (benchmarks/address_forms.toml)"
                     " in Lens, Éleu-dit-Leauwette and Loison-sous-Lens",
            "noisy-all": "written the ways people write addresses in every commune",
            "clean": "as the export labels them"}[args.input]  # fmt: skip
    print(f"{args.rows:,} rows of a 700,000-row / 300-commune SYNTHETIC export, {kind}\n")
    print("| code | load avg | index build (s) | batch (s) | rows/s | CPU: main process "
          "(s) | CPU: workers (s) | critical path CPU (s) |")  # fmt: skip
    print("|---|---:|---:|---:|---:|---:|---:|---:|")
    reports = []
    for tag, code in sides:
        extra = ["--jobs", str(args.jobs)] if tag == "after" and args.jobs else []
        load = os.getloadavg()[0]
        build, took, me, kids, out = measure(code.resolve(), csv, src, work, tag, extra)
        reports.append(out)
        # both run their default number of workers, unless --jobs (the new code only)
        jobs = args.jobs if tag == "after" and args.jobs else len(os.sched_getaffinity(0))
        print(f"| {tag} ({code}) | {load:.1f} | {build:.1f} | {took:.1f} "
              f"| {args.rows / took:,.0f} | {me:.1f} | {kids:.1f} "
              f"| {me + kids / jobs:.1f} |", flush=True)  # fmt: skip
    if len(reports) == 2:
        same = filecmp.cmp(reports[0], reports[1], shallow=False)
        print(f"\nReports before/after byte-identical: {same}")
        if not same and args.require_identical:
            sys.exit(1)


if __name__ == "__main__":
    main()
