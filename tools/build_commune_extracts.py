"""Build the commune extracts bundled in data/communes/ from ../shared/data/reference/.

Run from the repository root: ``python tools/build_commune_extracts.py``. It writes:

- ``data/communes/communes.geojson``: the outlines of the 36 communes of the CALL and of the
  neighbours of Lens (IGN ADMIN EXPRESS COG 2018 via france-geojson, Licence Ouverte), with
  ``code`` (INSEE), ``nom`` and ``call`` (member of the CALL); coordinates rounded to 5
  decimals (about 1 m), as in the source.
- ``data/communes/ort_communes.csv``: a cleaned table of the communes followed by the ANCT
  (ORT signed or not and since when, Action Cœur de Ville / Petites villes de demain), from
  the ANCT follow-up table and the ANCT programme table (COG 2023).

Both are derived extracts (selected rows and columns, cleaned values), not copies.
"""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd

ROOT = Path(__file__).resolve().parents[1]
REF = ROOT.parent / "shared" / "data" / "reference"
OUT = ROOT / "data" / "communes"

_SIGNED = {"Signée": "signee", "Non signée": "non-signee", "En cours": "en-cours"}
_PROGRAMME = {"1. Commune ACV": "acv", "2. Commune PVD": "pvd", "3. Autre": "autre"}


def _outlines() -> dict:
    call = json.loads(
        (REF / "communes" / "communes_CALL_36_from_france-geojson.geojson").read_text()
    )
    near = json.loads(
        (REF / "communes" / "communes_lens_and_neighbours_from_france-geojson.geojson").read_text()
    )
    call_codes = {f["properties"]["code"] for f in call["features"]}
    features: dict[str, dict] = {}
    for feature in call["features"] + near["features"]:
        code = feature["properties"]["code"]
        features[code] = {
            "type": "Feature",
            "properties": {"code": code, "nom": feature["properties"]["nom"],
                           "call": code in call_codes},
            "geometry": feature["geometry"],
        }  # fmt: skip
    return {
        "type": "FeatureCollection",
        "name": "communes_call_et_voisines_de_lens",
        "features": [features[c] for c in sorted(features)],
    }


def _ort_table() -> pd.DataFrame:
    ort = pd.read_csv(REF / "ort_national" / "ort_communes_anct.csv", dtype=str)
    prog = pd.read_csv(REF / "ort_national" / "anct_programmes_communes_cog2023.csv", dtype=str)
    acv_codes = set(prog.loc[prog["id_acv"].notna(), "insee_com"])
    pvd_codes = set(prog.loc[prog["id_pvd"].notna(), "insee_com"])
    names = dict(zip(prog["insee_com"], prog["lib_com"], strict=True))
    table = pd.DataFrame({
        "insee": ort["Code commune"].str.strip(),
        "nom": ort["Commune"].str.replace(r"^\S+ - ", "", regex=True).str.strip(),
        "epci": ort["EPCI"].fillna("").str.strip(),
        "departement": ort["Département"].fillna("").str.strip(),
        "programme": ort["Statut de la commune"].map(_PROGRAMME).fillna("autre"),
        "ort": ort["Signée ?"].map(_SIGNED).fillna("inconnu"),
        "ort_signee_le": ort["Si signée, date de signature"].fillna("").str.strip(),
        "actualise_le": pd.to_datetime(
            ort["Dernière actualisation"].str[:10], format="%d-%m-%Y", errors="coerce"
        ).dt.strftime("%Y-%m-%d").fillna(""),
        "remarque": ort["Remarques"].fillna("").str.strip().str.slice(0, 160),
    })  # fmt: skip
    table.loc[table["ort"] != "signee", "ort_signee_le"] = ""
    # ACV communes without a row in the ORT follow-up table: on the ACV list, ORT unknown.
    missing = sorted(acv_codes - set(table["insee"]))
    extra = pd.DataFrame({
        "insee": missing, "nom": [names[c] for c in missing], "epci": "", "departement": "",
        "programme": "acv", "ort": "inconnu", "ort_signee_le": "", "actualise_le": "",
        "remarque": "absente du tableau de suivi ORT de l'ANCT",
    })  # fmt: skip
    table = pd.concat([table, extra], ignore_index=True)
    table["acv"] = table["insee"].isin(acv_codes) | (table["programme"] == "acv")
    table["pvd"] = table["insee"].isin(pvd_codes) | (table["programme"] == "pvd")
    return table.sort_values("insee").reset_index(drop=True)


def main() -> None:
    OUT.mkdir(parents=True, exist_ok=True)
    outlines = _outlines()
    (OUT / "communes.geojson").write_text(
        json.dumps(outlines, ensure_ascii=False, separators=(",", ":")) + "\n", encoding="utf-8"
    )
    table = _ort_table()
    table.to_csv(OUT / "ort_communes.csv", index=False, encoding="utf-8")
    print(f"{len(outlines['features'])} outlines, {len(table)} communes in the ORT table")


if __name__ == "__main__":
    main()
