"""Build ``data/context/unesco_bassin_minier.geojson`` from the shared UNESCO reference layers.

A derived extract (not a copy): of the official Mission Bassin Minier layers of the UNESCO
World Heritage property "Bassin minier du Nord-Pas de Calais" (Licence Ouverte 2.0), keep the
inscribed property (``bien-inscrit``), the listed buildings (``batis``) and the mining estates
(``cites-minieres``) that intersect Lens or one of its neighbours, with a name, a short
description and the UNESCO element id; coordinates rounded to 6 decimals (about 0.1 m).

Run from the repository root: ``python tools/build_context_extract.py``.
"""

from __future__ import annotations

import os
from pathlib import Path

import geopandas as gpd
import pandas as pd
import shapely

ROOT = Path(__file__).resolve().parents[1]
REFERENCE = Path(os.environ.get("ORTGEO_REFERENCE", ROOT.parent / "shared" / "data" / "reference"))
SOURCE = REFERENCE / "unesco_bassin_minier"
OUT = ROOT / "data" / "context" / "unesco_bassin_minier.geojson"
LAYERS = ("bien-inscrit", "batis", "cites-minieres")


def _describe(row: pd.Series) -> str:
    layer = row["layer"]
    if layer == "bien-inscrit":
        return f"Section {row['no_section']} – {row['section']}"
    if layer == "batis":
        return str(row["typologie"])
    return " – ".join(str(v) for v in (row["type"], row["interet"]) if pd.notna(v))


def main() -> None:
    gdf = gpd.read_file(SOURCE / "lens_and_neighbours_all_layers.geojson", engine="pyogrio")
    gdf = gdf[gdf["layer"].isin(LAYERS)].copy()
    out = gpd.GeoDataFrame(
        {
            "layer": gdf["layer"].to_numpy(),
            "nom": gdf["nom"].fillna("").astype(str).to_numpy(),
            "description": gdf.apply(_describe, axis=1).to_numpy(),
            "id_unesco": gdf["id_unesco"]
            .fillna(gdf["no_element"])
            .fillna("")
            .astype(str)
            .to_numpy(),
        },
        geometry=shapely.set_precision(gdf.geometry.to_numpy(), 1e-6),
        crs="EPSG:4326",
    )
    order = {name: i for i, name in enumerate(LAYERS)}
    out = out.sort_values(["layer", "nom"], key=lambda s: s.map(order) if s.name == "layer" else s)
    OUT.parent.mkdir(parents=True, exist_ok=True)
    out.to_file(OUT, driver="GeoJSON", engine="pyogrio", COORDINATE_PRECISION=6)
    print(f"{OUT.relative_to(ROOT)}: {len(out)} features", out["layer"].value_counts().to_dict())


if __name__ == "__main__":
    main()
