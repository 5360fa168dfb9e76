"""Benchmark of the offline BAN geocoder (run by hand, not in the test suite).

    python benchmarks/bench_geocode.py [--quick] [--addok URL]

On SYNTHETIC BAN exports (ortgeo.testing; no real BAN data is available here):

* index build time and size for a commune (≈10k rows, Lens) and a département
  (≈700k rows over 300 communes);
* lookups per second on one core (one process, one thread);
* top-1 accuracy on clean labels, on noisy variants (lower case, no accents,
  abbreviations, one typo, no postcode) and on streets that do not exist (must be
  ``not-found``);
* with ``--addok URL`` (or ``$ORTGEO_ADDOK_URL``, from ``.ci/addok.sh``): the same
  queries against a real addok holding the same synthetic addresses.

Timings are medians of ``--repeat`` runs. Goals: ≥ 5,000 lookups/s (commune), 100 %
clean, ≥ 97 % noisy, ≥ 99 % not-found.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import platform
import random
import statistics
import subprocess
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from _timing import median_time

from ortgeo.geocoders import BanApiGeocoder, BanIndex, BanLocalGeocoder, build_ban_index
from ortgeo.geocoders import normalize as norm_mod
from ortgeo.geocoders import parse as parse_mod
from ortgeo.geocoders.ban_export import read_ban_csv
from ortgeo.geocoders.result import format_label
from ortgeo.testing import (
    ADDOK_FIXTURE,
    NONEXISTENT_STREETS,
    noisy_variants,
    write_synthetic_ban_export,
)


def machine() -> str:
    try:
        out = subprocess.run(["lscpu"], capture_output=True, text=True, check=True).stdout
        cpu = next(
            line.split(":", 1)[1].strip() for line in out.splitlines() if "Model name" in line
        )
    except (OSError, subprocess.CalledProcessError, StopIteration):
        cpu = platform.processor() or "unknown CPU"
    return f"{cpu}, {os.cpu_count()} cores, Python {platform.python_version()}"


def labels_of(csv: Path, citycodes: list[str] | None = None) -> list[str]:
    df = read_ban_csv(csv, citycodes)
    return [
        format_label(n, r, s, pc, c)
        for n, r, s, pc, c in zip(
            df.numero, df.rep, df.nom_voie, df.code_postal, df.nom_commune, strict=True
        )
    ]


def fresh(index: Path) -> BanLocalGeocoder:
    """A new geocoder with every parsing/normalisation cache emptied (cold start)."""
    norm_mod.normalize.cache_clear()
    norm_mod.split_street.cache_clear()
    parse_mod.parse_address.cache_clear()
    return BanLocalGeocoder(index)


def nonexistent_queries(rng: random.Random, city: str = "62300 Lens", n: int = 1000) -> list[str]:
    out = []
    for i in range(n):
        name = NONEXISTENT_STREETS[i % len(NONEXISTENT_STREETS)]
        suffix = rng.choice((f" {city}", " Lens", ""))
        out.append(f"{rng.randint(1, 150)} {name}{suffix}")
    return out


def hard_variants(label: str, rng: random.Random) -> list[str]:
    """Harder than the goals: two typos; typo + abbreviations + no postcode; no street type."""
    one = noisy_variants(label, rng)[3]
    two = noisy_variants(one, rng)[3]
    combined = noisy_variants(noisy_variants(one, rng)[4], rng)[2]
    words = label.split()
    no_type = " ".join(w for i, w in enumerate(words) if not (i == 1 and w in _TYPES))
    return [two, combined, no_type]


_TYPES = {"Rue", "Avenue", "Boulevard", "Place", "Route", "Impasse", "Allée", "Chemin"}


def accuracy(geocode: Callable[[str], object], queries: list[tuple[str, str]]) -> float:
    return sum(geocode(q).label == expected for q, expected in queries) / len(queries)


def bench_index(csv: Path, tmp: Path, repeat: int, name: str) -> tuple[Path, dict]:
    out = tmp / f"{name}.sqlite"
    t = median_time(lambda: build_ban_index(csv, out, progress=False), repeat)
    stats = BanIndex(out).stats()
    return out, {
        "rows": stats["addresses"], "streets": stats["streets"], "communes": stats["communes"],
        "build_s": t, "index_mb": stats["bytes"] / 1e6, "csv_gz_mb": csv.stat().st_size / 1e6,
    }  # fmt: skip


def run(args: argparse.Namespace) -> None:
    tmp = Path(tempfile.mkdtemp(prefix="bench_geocode_"))
    rng = random.Random(42)
    print(f"# Geocoding benchmark — {dt.date.today()} — {machine()}")
    print("Data: SYNTHETIC BAN exports from ortgeo.testing (not real addresses).\n")

    # ---------------------------------------------------------------- commune
    commune_csv = write_synthetic_ban_export(tmp / "lens.csv.gz", n_rows=10_000)
    idx, info = bench_index(commune_csv, tmp, args.repeat, "lens")
    print(f"commune index: {info}")
    labels = labels_of(commune_csv)
    lps = []
    for _ in range(args.repeat):
        g = fresh(idx)
        t0 = time.perf_counter()
        for q in labels:
            g.geocode(q)
        lps.append(len(labels) / (time.perf_counter() - t0))
    g = fresh(idx)
    clean = accuracy(g.geocode, [(q, q) for q in labels])
    sample = rng.sample(labels, 2000)
    noisy = [(v, q) for q in sample for v in noisy_variants(q, rng)]
    noisy_lps = []
    for _ in range(args.repeat):
        g = fresh(idx)
        t0 = time.perf_counter()
        for q, _ in noisy:
            g.geocode(q)
        noisy_lps.append(len(noisy) / (time.perf_counter() - t0))
    noisy_acc = accuracy(g.geocode, noisy)
    by_kind = [
        accuracy(g.geocode, noisy[k::5])
        for k in range(5)  # lower, no accents, abbreviations, typo, no postcode
    ]
    missing = nonexistent_queries(rng)
    not_found = sum(g.geocode(q).status == "not-found" for q in missing) / len(missing)
    hard = [(v, q) for q in sample[:1000] for v in hard_variants(q, rng)]
    hard_kinds = " / ".join(f"{accuracy(g.geocode, hard[k::3]):.1%}" for k in range(3))
    print(f"commune: {statistics.median(lps):,.0f} lookups/s clean (median of {args.repeat}), "
          f"{statistics.median(noisy_lps):,.0f} lookups/s noisy")  # fmt: skip
    kinds = " / ".join(f"{a:.1%}" for a in by_kind)
    print(f"commune accuracy: clean {clean:.2%} ({len(labels)}), noisy {noisy_acc:.2%} "
          f"({len(noisy)}; lower/no-accents/abbrev/typo/no-postcode = {kinds}), "
          f"not-found {not_found:.2%} ({len(missing)})")  # fmt: skip
    print(f"commune, harder (no goal): two typos / typo+abbrev+no postcode / no street type "
          f"= {hard_kinds} (1000 each)")  # fmt: skip

    # ---------------------------------------------------------------- département
    if not args.quick:
        dep_csv = write_synthetic_ban_export(
            tmp / "dep.csv.gz", n_rows=700_000, extra_citycodes=["62523"], n_communes=300
        )
        dep_idx, dep_info = bench_index(dep_csv, tmp, 1, "dep")
        print(f"département index: {dep_info}")
        t0 = time.perf_counter()
        g = fresh(dep_idx)
        load_s = time.perf_counter() - t0
        lens_labels = labels_of(dep_csv, ["62498", "62523"])
        sample = rng.sample(lens_labels, min(5000, len(lens_labels)))
        t0 = time.perf_counter()
        dep_clean = accuracy(g.geocode, [(q, q) for q in sample])
        dep_lps = len(sample) / (time.perf_counter() - t0)
        nopc = [(" ".join(w for w in q.split() if not (len(w) == 5 and w.isdigit())), q)
                for q in sample[:2000]]  # fmt: skip
        g = fresh(dep_idx)
        t0 = time.perf_counter()
        dep_nopc = accuracy(g.geocode, nopc)
        nopc_lps = len(nopc) / (time.perf_counter() - t0)
        noisy_dep = [(v, q) for q in sample[:1000] for v in noisy_variants(q, rng)]
        dep_noisy = accuracy(g.geocode, noisy_dep)
        dep_missing = nonexistent_queries(rng)
        dep_nf = sum(g.geocode(q).status == "not-found" for q in dep_missing) / len(dep_missing)
        print(f"département: load {load_s:.2f} s; {dep_lps:,.0f} lookups/s with postcode, "
              f"{nopc_lps:,.0f}/s without; accuracy clean {dep_clean:.2%}, city without "
              f"postcode {dep_nopc:.2%}, noisy {dep_noisy:.2%}, "
              f"not-found {dep_nf:.2%}")  # fmt: skip

    # ---------------------------------------------------------------- addok
    url = args.addok or os.environ.get("ORTGEO_ADDOK_URL")
    if url:
        fx_csv = write_synthetic_ban_export(tmp / "addok.csv.gz", **ADDOK_FIXTURE)
        fx_idx = build_ban_index(fx_csv, tmp / "addok.sqlite", progress=False)
        fx_labels = rng.sample(labels_of(fx_csv), 500)
        fx_noisy = [(v, q) for q in fx_labels[:200] for v in noisy_variants(q, rng)]
        fx_missing = nonexistent_queries(rng, n=300)
        api = BanApiGeocoder(url, cache=False, rate=1e6)
        local = fresh(fx_idx)
        for name, geo in (("ortgeo local", local), ("addok", api)):
            t0 = time.perf_counter()
            acc_clean = accuracy(geo.geocode, [(q, q) for q in fx_labels])
            rate = len(fx_labels) / (time.perf_counter() - t0)
            acc_noisy = accuracy(geo.geocode, fx_noisy)
            nf = sum(geo.geocode(q).status == "not-found" for q in fx_missing) / len(fx_missing)
            print(f"{name} (same {ADDOK_FIXTURE['n_rows']} synthetic rows): "
                  f"{rate:,.0f} lookups/s, clean {acc_clean:.2%}, noisy {acc_noisy:.2%}, "
                  f"not-found {nf:.2%}")  # fmt: skip
        t0 = time.perf_counter()
        res = api.geocode_many(fx_labels)
        csv_rate = len(fx_labels) / (time.perf_counter() - t0)
        acc = sum(r.label == q for r, q in zip(res, fx_labels, strict=True)) / len(fx_labels)
        print(f"addok POST /search/csv: {csv_rate:,.0f} rows/s, clean {acc:.2%}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--quick", action="store_true", help="skip the 700k-row département")
    parser.add_argument("--repeat", type=int, default=3, help="runs per timing (median)")
    parser.add_argument("--addok", default=None, help="URL of a real addok (.ci/addok.sh)")
    run(parser.parse_args())


if __name__ == "__main__":
    main()
