"""ortgeo's offline geocoder against the real addok, side by side, on a noisy realistic set.

    python benchmarks/bench_addok_vs_ortgeo.py [--per-kind 300] [--addok URL] [--throughput]

The addresses (one BAN-export CSV, imported both into ortgeo's index and into addok):

* SYNTHETIC (ortgeo.testing): Lens, Éleu-dit-Leauwette (sharing 62300 with Lens, with
  homonym streets), Loison-sous-Lens and made-up communes;
* REAL: BANO 2015 rows of Ardennes communes (ODbL, © OpenStreetMap contributors,
  ``../shared/data/reference/ban_real/``): Sedan and Floing, Balan, Glaire... which share
  08200, Revin and Anchamps (08500), Rethel, Nouzonville.

Queries (``--per-kind`` each) follow the patterns of issue 12: clean, a city that narrows a
shared postcode, complements, number forms, glued/garbled text, other city forms,
city-hall exports (inverted names, floats, AFNOR types), typos and abbreviations, streets
that do not exist (expected: not found) and homonyms without a city (expected: no
confident answer). A query is right when the top-1 has the expected number, street and
commune; "confident wrong" = score ≥ 0.6 and wrong.

addok: ``--addok URL``, else it is started by ``.ci/addok.sh`` with the same addresses
(``ADDOK_NDJSON``), in its own work folder, on 127.0.0.1 only, and stopped at the end.
``--throughput``: ``ortgeo batch`` end to end on 100,000 rows of a 700k-row synthetic
département index, and the build of that index.
"""

from __future__ import annotations

import argparse
import datetime as dt
import difflib
import os
import random
import re
import subprocess
import sys
import tempfile
import time
import unicodedata
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import numpy as np
import pandas as pd
import requests
from bench_geocode import machine
from pyproj import Transformer

from ortgeo.geocoders import BanLocalGeocoder, build_ban_index
from ortgeo.geocoders.ban_export import BAN_COLUMNS, read_ban_csv
from ortgeo.testing import (
    NONEXISTENT_STREETS,
    noisy_variants,
    write_addok_ndjson,
    write_synthetic_ban_export,
)

ROOT = Path(__file__).resolve().parents[1]
REFERENCE = Path(os.environ.get("ORTGEO_REFERENCE", ROOT.parent / "shared" / "data" / "reference"))
BANO = REFERENCE / "ban_real" / "bano-08-2015-sans-08105.csv"
BANO_COMMUNES = ("Sedan", "Floing", "Balan", "Glaire", "Saint-Menges", "Revin", "Anchamps",
                 "Rethel", "Nouzonville")  # fmt: skip
CONFIDENT = 0.6


# -- the address set ----------------------------------------------------------------------
def bano_as_ban_export(communes: tuple[str, ...]) -> pd.DataFrame:
    """Real BANO rows of some Ardennes communes in the columns of a BAN export."""
    cols = ["id", "numero", "voie", "cp", "ville", "source", "lat", "lon"]
    df = pd.read_csv(BANO, header=None, names=cols, dtype=str, keep_default_na=False)
    df = df[df["ville"].isin(communes)].copy()
    parts = df["numero"].str.extract(r"^(\d+)\s*([A-Za-z]*)$")
    df = df[parts[0].notna()].copy()
    parts = parts[parts[0].notna()]
    to_l93 = Transformer.from_crs(4326, 2154, always_xy=True)
    lon, lat = df["lon"].astype(float).to_numpy(), df["lat"].astype(float).to_numpy()
    x, y = to_l93.transform(lon, lat)
    insee = df["id"].str[:5]
    out = pd.DataFrame({c: "" for c in BAN_COLUMNS}, index=df.index)
    rep = parts[1].str.lower().replace({"b": "b"})
    out["id"] = insee + "_" + df["id"].str[5:10] + "_" + parts[0].str.zfill(5) + rep.map(
        lambda r: f"_{r}" if r else "")  # fmt: skip
    out["numero"], out["rep"] = parts[0].astype(int).astype(str), rep
    out["nom_voie"], out["code_postal"], out["code_insee"] = df["voie"], df["cp"], insee
    out["nom_commune"] = df["ville"]
    out["x"], out["y"], out["lon"], out["lat"] = np.round(x, 2), np.round(y, 2), lon, lat
    out["type_position"], out["source_position"] = "entrée", "bano"
    return out.drop_duplicates("id")


def address_set(folder: Path, seed: int) -> Path:
    synth = read_ban_csv(write_synthetic_ban_export(
        folder / "synthetic.csv", n_rows=24_000, seed=seed, citycode="62498",
        extra_citycodes=("62291", "62523"), n_communes=7,
    ))  # fmt: skip
    real = bano_as_ban_export(BANO_COMMUNES)
    both = pd.concat([synth.astype(str), real.astype(str)], ignore_index=True)
    path = folder / "adresses-bench.csv"
    both[list(BAN_COLUMNS)].to_csv(path, sep=";", index=False)
    return path


# -- queries ------------------------------------------------------------------------------
def _fold(text: str) -> str:
    text = unicodedata.normalize("NFKD", str(text))
    text = "".join(c for c in text if not unicodedata.combining(c)).lower()
    return " ".join(re.sub(r"[^a-z0-9]+", " ", text).split())


_PARTICLES = ("de la ", "de l'", "des ", "du ", "de ", "d'", "la ", "le ", "les ")
_AFNOR = {"rue": "R", "avenue": "AV", "boulevard": "BD", "place": "PL", "impasse": "IMP",
          "route": "RTE", "allée": "ALL", "chemin": "CHE", "square": "SQ"}  # fmt: skip


def inverted(street: str) -> str:
    """``Rue de la Gare`` → ``GARE (RUE DE LA)``, as city-hall files write it."""
    kind, _, rest = street.partition(" ")
    low = rest.lower()
    particle = next((p for p in _PARTICLES if low.startswith(p)), "")
    name = rest[len(particle) :]
    return f"{name} ({kind} {particle.strip()})".upper().replace(" )", ")")


def _num(r: pd.Series) -> str:
    return f"{r.numero}{(' ' + r.rep) if r.rep else ''}"


COMPLEMENTS = ("chez M. Dupont, {a}", "Résidence Les Tilleuls - {a}", "App. 12 {a}",
               "Logt 4, {a}", "Porte 4 {a}", "RDC {a}", "B.P. 45 {a}", "SCI Les Lilas {a}",
               "Maître Durand, notaire, {a}", "{s} bât B {c}", "{s} 3e étage {c}",
               "Mme Martin {a}", "{s} appartement 5 {c}", "{a} CEDEX")  # fmt: skip


def make_queries(csv: Path, per_kind: int, seed: int) -> pd.DataFrame:
    rng = random.Random(seed)
    df = read_ban_csv(csv)
    df = df[df["rep"].isin(["", "bis", "ter"])]
    # made-up communes ("Synthéville-3") stay in the index as distractors, but no query
    # names one: a real commune name never holds digits
    df = df[~df["nom_commune"].str.startswith("Synthéville")]
    n_comm = df.groupby("nom_voie")["code_insee"].nunique()
    homonyms = df[df["nom_voie"].map(n_comm) > 1]
    # the same number of the same street in two communes: without a city, no way to choose
    same = df.groupby(["nom_voie", "numero", "rep"])["code_insee"].transform("nunique")
    twins = df[same > 1]
    shared = df[df["code_postal"].isin(df.groupby("code_postal")["code_insee"].nunique()
                                       .loc[lambda s: s > 1].index)]  # fmt: skip
    shared = shared[shared["nom_voie"].isin(homonyms["nom_voie"])]

    def sample(frame: pd.DataFrame) -> list[pd.Series]:
        idx = rng.sample(range(len(frame)), min(per_kind, len(frame)))
        return [frame.iloc[i] for i in idx]

    rows: list[dict[str, object]] = []

    def add(kind: str, r: pd.Series, q: str, expect: bool = True) -> None:
        rows.append({"kind": kind, "query": q, "numero": r.numero if expect else "",
                     "rep": r.rep, "street": r.nom_voie if expect else "",
                     "citycode": r.code_insee if expect else "",
                     "real": r.source_position == "bano"})  # fmt: skip

    def full(r: pd.Series) -> str:
        return f"{_num(r)} {r.nom_voie} {r.code_postal} {r.nom_commune}"

    for r in sample(df):
        add("clean", r, full(r))
    for r in sample(shared):
        add("city narrows a shared postcode", r, full(r))
    for r in sample(df):
        c = f"{r.code_postal} {r.nom_commune}"
        add("complements", r, rng.choice(COMPLEMENTS).format(a=full(r), s=f"{_num(r)} "
                                                              f"{r.nom_voie}", c=c))  # fmt: skip
    number_forms: list[Callable[[pd.Series], str]] = [
        lambda r: f"n°{_num(r)} {r.nom_voie} {r.code_postal} {r.nom_commune}",
        lambda r: f"N° {_num(r)} {r.nom_voie} {r.code_postal} {r.nom_commune}",
        lambda r: f"No {_num(r)} {r.nom_voie} {r.code_postal} {r.nom_commune}",
        lambda r: f"{r.numero} à {int(r.numero) + 2} {r.nom_voie} {r.code_postal} {r.nom_commune}",
        lambda r: f"{r.numero} et {int(r.numero) + 2} {r.nom_voie} {r.code_postal} {r.nom_commune}",
        lambda r: f"{r.numero}, {int(r.numero) + 2} {r.nom_voie} {r.code_postal} {r.nom_commune}",
        lambda r: f"{r.numero} & {int(r.numero) + 2} {r.nom_voie} {r.code_postal} {r.nom_commune}",
        lambda r: f"0{_num(r)} {r.nom_voie} {r.code_postal} {r.nom_commune}",
        lambda r: f"{r.nom_voie}, {_num(r)}, {r.code_postal} {r.nom_commune}",
        lambda r: f"{r.nom_voie} n°{_num(r)} {r.code_postal} {r.nom_commune}",
    ]
    for r in sample(df[df["rep"] == ""]):
        add("number forms", r, rng.choice(number_forms)(r))
    garbled: list[Callable[[pd.Series], str]] = [
        lambda r: f"{_num(r)}{r.nom_voie} {r.code_postal} {r.nom_commune}",
        lambda r: f"{_num(r)} {r.nom_voie} {r.code_postal}{r.nom_commune}",
        lambda r: f"{_num(r)} {r.nom_voie} {r.code_postal[:-1]}O {r.nom_commune}",
        lambda r: f"({_num(r)}) {r.nom_voie} {r.code_postal} {r.nom_commune}",
        lambda r: f"« {_num(r)} {r.nom_voie} » {r.code_postal} {r.nom_commune}",
        lambda r: full(r).encode("utf-8").decode("cp1252", errors="replace"),
        lambda r: full(r).replace(" ", "\u00a0"),
        lambda r: full(r).replace("'", "’"),
    ]
    for r in sample(df):
        add("glued or garbled", r, rng.choice(garbled)(r))
    city_forms: list[Callable[[pd.Series], str]] = [
        lambda r: f"{r.nom_commune.upper()} - {_num(r)} {r.nom_voie}",
        lambda r: f"{_num(r)} {r.nom_voie} {r.nom_commune} ({r.code_insee[:2]})",
        lambda r: f"{_num(r)} {r.nom_voie} {r.nom_commune} {r.code_insee[:2]}",
        lambda r: f"{_num(r)} {r.nom_voie} F-{r.code_postal} {r.nom_commune}",
        lambda r: f"{full(r)} France",
        lambda r: f"{_num(r)} {r.nom_voie}, {r.nom_commune}",
    ]
    for r in sample(df):
        add("city forms", r, rng.choice(city_forms)(r))

    def afnor(street: str) -> str:
        kind, _, rest = street.partition(" ")
        return f"{_AFNOR.get(kind.lower(), kind.upper())} {rest.upper()}"

    exports: list[Callable[[pd.Series], str]] = [
        lambda r: f"{_num(r)} {inverted(r.nom_voie)} {r.code_postal} {r.nom_commune.upper()}",
        lambda r: f"{r.numero}.0 {afnor(r.nom_voie)} {r.code_postal}.0 {r.nom_commune.upper()}",
        lambda r: f"{_num(r)} {afnor(r.nom_voie)} {r.code_postal} {r.nom_commune.upper()}",
        lambda r: (
            f"{_num(r)} {r.nom_voie} {r.code_postal} {r.nom_commune} "
            f"{r.code_postal} {r.nom_commune}"
        ),
    ]
    for r in sample(df):
        add("city-hall exports", r, rng.choice(exports)(r))
    for r in sample(df):
        add("typos and abbreviations", r, rng.choice(noisy_variants(full(r), rng)[:4]))
    names = sorted(set(df["nom_voie"]))
    cores = {_fold(n).split(" ", 1)[-1] for n in names}
    # not a real street, nor one typo or a street type away from one (that is a typo query)
    fake = [
        s
        for s in NONEXISTENT_STREETS
        if not difflib.get_close_matches(_fold(s).split(" ", 1)[-1], cores, 1, 0.8)
    ]
    for r in sample(df):
        add("street that does not exist", r, f"{r.numero} {rng.choice(fake)} {r.code_postal} "
                                             f"{r.nom_commune}", expect=False)  # fmt: skip
    for r in sample(twins):
        add("homonym without a city", r, f"{_num(r)} {r.nom_voie}", expect=False)
    return pd.DataFrame(rows)


# -- the two engines ----------------------------------------------------------------------
def _same_number(got: str, numero: str, rep: str) -> bool:
    return _fold(got).replace(" ", "") == _fold(f"{numero}{rep}").replace(" ", "")


def run_ortgeo(index: Path, queries: list[str]) -> tuple[list[dict], float]:
    coder = BanLocalGeocoder(index)
    start = time.perf_counter()
    results = coder.geocode_many(queries, progress=False)
    took = time.perf_counter() - start
    out = [{"ok": r.status == "ok", "score": r.score, "number": r.housenumber or "",
            "street": r.street or "", "citycode": r.citycode or ""} for r in results]  # fmt: skip
    return out, took


def run_addok(url: str, queries: list[str]) -> tuple[list[dict], float]:
    session = requests.Session()

    def one(q: str) -> dict:
        resp = session.get(url + "/search", params={"q": q, "limit": 1}, timeout=30)
        if resp.status_code != 200:
            return {"ok": False, "score": 0.0, "number": "", "street": "", "citycode": ""}
        feats = resp.json().get("features") or []
        if not feats:
            return {"ok": False, "score": 0.0, "number": "", "street": "", "citycode": ""}
        p = feats[0]["properties"]
        return {"ok": True, "score": float(p.get("score", 0)),
                "number": str(p.get("housenumber", "")) if p.get("type") == "housenumber"
                else "", "street": p.get("street") or p.get("name", ""),
                "citycode": p.get("citycode", "")}  # fmt: skip

    start = time.perf_counter()
    with ThreadPoolExecutor(max_workers=2) as pool:
        out = list(pool.map(one, queries))
    return out, time.perf_counter() - start


def score(queries: pd.DataFrame, got: list[dict]) -> pd.DataFrame:
    rows = []
    for q, g in zip(queries.itertuples(index=False), got, strict=True):
        expect = bool(q.street)
        right = (
            g["ok"]
            and _same_number(g["number"], q.numero, q.rep)
            and _fold(g["street"]) == _fold(q.street)
            and g["citycode"] == q.citycode
        )
        confident = g["ok"] and g["score"] >= CONFIDENT
        if expect:
            rows.append({"kind": q.kind, "right": right, "confident_wrong": confident and not right,
                         "not_found": not g["ok"]})  # fmt: skip
        else:  # a non-existent street or an ambiguous homonym: right = no confident answer
            rows.append({"kind": q.kind, "right": not confident, "confident_wrong": confident,
                         "not_found": not g["ok"]})  # fmt: skip
    return pd.DataFrame(rows)


def table(queries: pd.DataFrame, mine: pd.DataFrame, addok: pd.DataFrame | None) -> str:
    lines = ["| kind | queries | ortgeo top-1 | addok top-1 | ortgeo conf. wrong | "
             "addok conf. wrong |", "|---|---:|---:|---:|---:|---:|"]  # fmt: skip
    kinds = list(dict.fromkeys(queries["kind"]))

    def pct(frame: pd.DataFrame | None, col: str, kind: str | None) -> str:
        if frame is None:
            return "–"
        part = frame if kind is None else frame[frame["kind"] == kind]
        return f"{100 * part[col].mean():.1f} %"

    for kind in [*kinds, None]:
        n = len(queries) if kind is None else int((queries["kind"] == kind).sum())
        label = "**overall**" if kind is None else kind
        lines.append(f"| {label} | {n} | {pct(mine, 'right', kind)} | "
                     f"{pct(addok, 'right', kind)} | {pct(mine, 'confident_wrong', kind)} | "
                     f"{pct(addok, 'confident_wrong', kind)} |")  # fmt: skip
    nf = "street that does not exist"
    lines.append(f"| not found on non-existent streets | | {pct(mine, 'not_found', nf)} | "
                 f"{pct(addok, 'not_found', nf)} | | |")  # fmt: skip
    return "\n".join(lines)


def start_addok(csv: Path, work: Path) -> str:
    ndjson = write_addok_ndjson(csv, work / "bench.ndjson")
    env = {**os.environ, "ADDOK_NDJSON": str(ndjson), "ADDOK_WORK": str(work / "addok"),
           "ORTGEO_PYTHON": sys.executable}  # fmt: skip
    out = subprocess.run(["bash", str(ROOT / ".ci" / "addok.sh")], env=env, check=True,
                         capture_output=True, text=True, timeout=1200).stdout  # fmt: skip
    return out.strip().splitlines()[-1].split("=", 1)[1]


def stop_addok(work: Path) -> None:
    env = {**os.environ, "ADDOK_WORK": str(work / "addok")}
    subprocess.run(["bash", str(ROOT / ".ci" / "addok.sh"), "stop"], env=env, check=False,
                   timeout=60)  # fmt: skip


def throughput(work: Path) -> str:
    csv = write_synthetic_ban_export(
        work / "dep.csv.gz",
        n_rows=700_000,
        n_communes=300,
        citycode="62498",
        extra_citycodes=("62291", "62523"),
    )
    start = time.perf_counter()
    index = build_ban_index(csv, work / "dep.sqlite", progress=False)
    build = time.perf_counter() - start
    df = read_ban_csv(csv).sample(100_000, random_state=1).astype(str)
    labels = (
        df["numero"]
        + df["rep"].map(lambda r: f" {r}" if r else "")
        + " "
        + df["nom_voie"]
        + " "
        + df["code_postal"]
        + " "
        + df["nom_commune"]
    )
    src = work / "batch.csv"
    pd.DataFrame({"id": range(len(labels)), "adresse": labels.to_numpy()}).to_csv(
        src, sep=";", index=False
    )
    start = time.perf_counter()
    subprocess.run([sys.executable, "-m", "ortgeo.cli", "batch", str(src), "-o",
                    str(work / "out.csv"), "--geocoder", "local", "--ban", str(index),
                    "--date", "2024-06-01"], check=True, capture_output=True)  # fmt: skip
    took = time.perf_counter() - start
    return (
        f"- index build, 700,000 rows / 300 communes (synthetic): {build:.1f} s\n"
        f"- `ortgeo batch` end to end (process start included), 100,000 rows of that "
        f"mix: {took:.1f} s = {100_000 / took:,.0f} rows/s"
    )


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--per-kind", type=int, default=300)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--addok", default=None, help="A running addok holding the same set.")
    ap.add_argument("--no-addok", action="store_true")
    ap.add_argument("--throughput", action="store_true")
    args = ap.parse_args()
    if not BANO.is_file():
        sys.exit(f"BANO reference file not found: {BANO} (set ORTGEO_REFERENCE)")
    with tempfile.TemporaryDirectory(prefix="ortgeo-bench-") as tmp:
        work = Path(tmp)
        csv = address_set(work, args.seed)
        index = build_ban_index(csv, work / "index.sqlite", progress=False)
        queries = make_queries(csv, args.per_kind, args.seed)
        texts = queries["query"].tolist()
        got, took = run_ortgeo(index, texts)
        mine = score(queries, got)
        addok = None
        if not args.no_addok:
            url = args.addok or start_addok(csv, work)
            try:
                got_a, took_a = run_addok(url, texts)
                addok = score(queries, got_a)
            finally:
                if args.addok is None:
                    stop_addok(work)
        print(f"## ortgeo vs addok, {dt.date.today().isoformat()} — {machine()}")
        print(f"{len(queries)} queries; ortgeo {len(texts) / took:,.0f} queries/s (one "
              "process)" + (f", addok {len(texts) / took_a:,.0f} queries/s (HTTP, 2 "
                            "gunicorn workers)" if addok is not None else ""))  # fmt: skip
        print()
        print(table(queries, mine, addok))
        real = queries["real"].to_numpy()
        print(f"\nReal BANO streets only: ortgeo {100 * mine['right'][real].mean():.1f} %"
              + (f", addok {100 * addok['right'][real].mean():.1f} %" if addok is not None
                 else ""))  # fmt: skip
        if os.environ.get("BENCH_DUMP"):
            queries.assign(
                ortgeo=mine["right"], addok=addok["right"] if addok is not None else None
            ).to_csv(os.environ["BENCH_DUMP"], sep=";", index=False)
        if args.throughput:
            print()
            print(throughput(work))


if __name__ == "__main__":
    main()
