"""Build the commune extracts bundled in data/communes/.

Run from the repository root::

    python tools/build_commune_extracts.py [--cog PACKAGE] [--reference DIR]

``--reference`` is ``../shared/data/reference`` by default (or ``$ORTGEO_REFERENCE``);
``--cog`` the npm package ``@etalab/decoupage-administratif`` (a folder or the ``.tgz`` of
``npm pack``; by default the tool runs ``npm pack`` for the pinned version in a temporary
folder). It writes:

- ``communes.geojson``: the outlines of the 36 communes of the CALL (IGN ADMIN EXPRESS COG
  2018 via france-geojson, Licence Ouverte), with ``code`` (INSEE), ``nom`` and ``call``;
  coordinates rounded to 5 decimals (about 1 m), as in the source.
- ``communes_62.geojson.gz``: the outlines of the communes of the Pas-de-Calais, same source,
  rewritten with the codes and names of the COG (communes merged since 2018 dissolved into
  the commune they became), one feature per line, each with its ``bbox`` first (so that one
  point parses one or two features: :func:`ortgeo.io.communes.read_outline_lines`).
- ``cog_communes.csv.gz`` and ``cog_epci.csv.gz``: the official commune list (COG) from the
  npm package: every current commune, the arrondissements municipaux of Paris, Lyon and
  Marseille, and the codes of former communes with the commune they are part of today;
  the EPCI à fiscalité propre (SIREN, name, kind).
- ``ort_communes.csv``: ortgeo's table of the communes followed by the ANCT (ORT signed or
  not, since when, by a prefectoral order or a convention; ACV / PVD), converted from the
  ANCT follow-up table by :func:`ortgeo.io.communes.convert_anct` — the code that
  ``ortgeo communes update`` runs on a fresh download.

All are derived extracts (selected rows and columns, cleaned values), not copies; every
gzip file is written with a zero timestamp, so that a rebuild gives the same bytes.
"""

from __future__ import annotations

import argparse
import csv
import gzip
import io
import json
import os
import subprocess
import sys
import tarfile
import tempfile
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

import numpy as np
import shapely
import shapely.geometry

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from ortgeo.communes import COG_PACKAGE  # noqa: E402
from ortgeo.io.communes import (  # noqa: E402
    Programme,
    convert_anct,
    ort_table_csv,
    parse_anct_csv,
)

OUT = ROOT / "data" / "communes"
DEFAULT_REF = Path(os.environ.get("ORTGEO_REFERENCE") or ROOT.parent / "shared/data/reference")

#: COG ``type`` of the npm package → ours.
_KIND = {"commune-actuelle": "commune", "arrondissement-municipal": "arrondissement",
         "commune-deleguee": "deleguee", "commune-associee": "associee"}  # fmt: skip


def _gzip(data: bytes) -> bytes:
    return gzip.compress(data, compresslevel=9, mtime=0)


def _csv(header: Sequence[str], rows: Iterable[Sequence[Any]]) -> bytes:
    buf = io.StringIO(newline="")
    writer = csv.writer(buf, lineterminator="\n")
    writer.writerow(header)
    writer.writerows(rows)
    return buf.getvalue().encode("utf-8")


# --- the COG -----------------------------------------------------------------------------


def _package_files(cog: Path | None) -> dict[str, Any]:
    """``communes.json`` and ``epci.json`` of the npm package (folder, .tgz or npm pack)."""
    if cog is None:
        tmp = Path(tempfile.mkdtemp(prefix="cog-"))
        subprocess.run(["npm", "pack", "--silent", COG_PACKAGE], cwd=tmp, check=True,
                       stdout=subprocess.DEVNULL)  # fmt: skip
        cog = next(tmp.glob("*.tgz"))
    if cog.is_dir():
        read = {n: (cog / "data" / f"{n}.json").read_bytes() for n in ("communes", "epci")}
        meta = json.loads((cog / "package.json").read_text())
    else:
        with tarfile.open(cog) as tar:
            read = {n: tar.extractfile(f"package/data/{n}.json").read()
                    for n in ("communes", "epci")}  # fmt: skip
            meta = json.loads(tar.extractfile("package/package.json").read())
    want = COG_PACKAGE.rsplit("@", 1)[1]
    if meta["version"] != want:
        raise SystemExit(f"{cog}: version {meta['version']}, expected {want} (COG_PACKAGE).")
    return {n: json.loads(b) for n, b in read.items()}


def _cog(files: dict[str, Any]) -> tuple[list[tuple[str, ...]], list[tuple[str, ...]]]:
    """Rows of cog_communes (insee, nom, type, departement, epci, codes_postaux, commune) and
    of cog_epci (siren, nom, type)."""
    epci_of = {m["code"]: e["code"] for e in files["epci"] for m in e["membres"]}
    entries = files["communes"]
    current = {c["code"]: c for c in entries if c["type"] == "commune-actuelle"}
    successor = {old: c["code"] for c in current.values() for old in c.get("anciensCodes", [])}
    rows: dict[str, tuple[str, ...]] = {}
    for c in entries:
        kind, code = _KIND[c["type"]], c["code"]
        if kind != "commune" and code in current:  # the chef-lieu's delegated commune
            continue
        parent = {"commune": "", "arrondissement": c.get("commune", "")}.get(
            kind, c.get("chefLieu", "")
        )  # a former commune's: the commune it is a commune déléguée / associée of
        epci = {"commune": epci_of.get(code, ""),
                "arrondissement": epci_of.get(parent, "")}.get(kind, "")  # fmt: skip
        rows[code] = (code, c["nom"], kind, c["departement"], epci,
                      " ".join(c.get("codesPostaux", [])), parent)  # fmt: skip
    for old, new in successor.items():  # former communes the package knows only by code
        if old not in rows:
            rows[old] = (old, "", "ancienne", current[new]["departement"], "", "", new)
    epci = [(e["code"], e["nom"], e["type"]) for e in files["epci"]]
    return [rows[c] for c in sorted(rows)], sorted(epci)


# --- outlines ----------------------------------------------------------------------------


def _call_outlines(ref: Path) -> tuple[dict[str, Any], set[str]]:
    folder = ref / "communes"
    call, near = (json.loads((folder / f"{name}_from_france-geojson.geojson").read_text())
                  for name in ("communes_CALL_36", "communes_lens_and_neighbours"))  # fmt: skip
    call_codes = {f["properties"]["code"] for f in call["features"]}
    features: dict[str, dict[str, Any]] = {}
    for feature in call["features"] + near["features"]:
        code = feature["properties"]["code"]
        features[code] = {
            "type": "Feature",
            "properties": {"code": code, "nom": feature["properties"]["nom"],
                           "call": code in call_codes},
            "geometry": feature["geometry"],
        }  # fmt: skip
    collection = {
        "type": "FeatureCollection",
        "name": "communes_call_et_voisines_de_lens",
        "features": [features[c] for c in sorted(features)],
    }
    return collection, call_codes


def _rounded(geom: shapely.Geometry) -> dict[str, Any]:
    """GeoJSON of ``geom`` with coordinates at 5 decimals (about 1 m), checked valid."""
    out = shapely.transform(geom, lambda xy: np.round(xy, 5))
    if not out.is_valid:
        raise SystemExit(f"rounding made an invalid outline: {shapely.is_valid_reason(out)}")
    return shapely.geometry.mapping(out)  # type: ignore[no-any-return]


def _department_outlines(
    ref: Path, cog: list[tuple[str, ...]], call_codes: set[str]
) -> tuple[bytes, int]:
    """communes_62.geojson.gz: COG codes and names, merged communes dissolved."""
    src = json.loads((ref / "communes" / "communes-62-pas-de-calais.geojson").read_text())
    by_code = {r[0]: r for r in cog}
    parts: dict[str, list[dict[str, Any]]] = {}
    for f in src["features"]:
        row = by_code[f["properties"]["code"]]
        current = row[0] if row[2] == "commune" else row[6]
        parts.setdefault(current, []).append(f["geometry"])
    lines = []
    for code in sorted(parts):
        geoms = parts[code]
        geometry = geoms[0] if len(geoms) == 1 else _rounded(
            shapely.union_all([shapely.geometry.shape(g) for g in geoms]))  # fmt: skip
        bbox = [round(v, 5) for v in shapely.bounds(shapely.geometry.shape(geometry)).tolist()]
        feature = {"type": "Feature", "bbox": bbox,
                   "properties": {"code": code, "nom": by_code[code][1],
                                  "call": code in call_codes},
                   "geometry": geometry}  # fmt: skip
        lines.append(json.dumps(feature, ensure_ascii=False, separators=(",", ":")))
    text = '{"type":"FeatureCollection","name":"communes_62_pas_de_calais","features":[\n'
    text += ",\n".join(lines) + "\n]}\n"
    return _gzip(text.encode("utf-8")), len(lines)


# --- the ANCT table ----------------------------------------------------------------------


def _programmes(ref: Path) -> dict[str, Programme]:
    path = ref / "ort_national" / "anct_programmes_communes_cog2023.csv"
    with path.open(encoding="utf-8", newline="") as f:
        return {r["insee_com"]: Programme(r["lib_com"], acv=bool(r["id_acv"]),
                                          pvd=bool(r["id_pvd"]))
                for r in csv.DictReader(f) if r["id_acv"] or r["id_pvd"]}  # fmt: skip


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--reference", type=Path, default=DEFAULT_REF)
    parser.add_argument("--cog", type=Path, default=None,
                        help=f"{COG_PACKAGE}: a folder or .tgz (default: npm pack)")  # fmt: skip
    args = parser.parse_args(argv)
    ref: Path = args.reference
    OUT.mkdir(parents=True, exist_ok=True)

    call, call_codes = _call_outlines(ref)
    (OUT / "communes.geojson").write_text(
        json.dumps(call, ensure_ascii=False, separators=(",", ":")) + "\n", encoding="utf-8"
    )
    cog, epci = _cog(_package_files(args.cog))
    (OUT / "cog_communes.csv.gz").write_bytes(
        _gzip(
            _csv(("insee", "nom", "type", "departement", "epci", "codes_postaux", "commune"), cog)
        )
    )
    (OUT / "cog_epci.csv.gz").write_bytes(_gzip(_csv(("siren", "nom", "type"), epci)))
    outlines, n_outlines = _department_outlines(ref, cog, call_codes)
    (OUT / "communes_62.geojson.gz").write_bytes(outlines)

    raw = parse_anct_csv((ref / "ort_national" / "ort_communes_anct.csv").read_bytes(),
                         "ort_communes_anct.csv")  # fmt: skip
    table = convert_anct(raw, programmes=_programmes(ref))
    (OUT / "ort_communes.csv").write_bytes(ort_table_csv(table))
    kinds = {k: sum(1 for r in cog if r[2] == k) for k in sorted({r[2] for r in cog})}
    print(f"{len(call['features'])} CALL outlines, {n_outlines} Pas-de-Calais outlines, "
          f"COG {kinds}, {len(epci)} EPCI, {len(table)} communes in the ORT table")  # fmt: skip


if __name__ == "__main__":
    main()
