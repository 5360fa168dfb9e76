"""A SYNTHETIC perimeter catalogue with exactly known geometry, for locate/verdict tests.

Squares in Lambert-93 near Lens (not real perimeters):

- ``test-ort``: kind ``ort``, 1000 m square with lower-left corner (687000, 7036000),
  valid from 2019-08-04, accuracy 50 m;
- ``test-ext``: kind ``ort-extension``, 500 × 1000 m rectangle east of it (x 688000–688500),
  valid 2023-12-06 → 2026-12-31, accuracy 100 m;
- ``test-opah``: kind ``opah-ru``, 400 m square centred in ``test-ort``, valid
  2021-07-01 → 2026-06-30, accuracy 20 m.
"""

from __future__ import annotations

from pathlib import Path

import geopandas as gpd
from shapely.geometry import box

X0, Y0 = 687000.0, 7036000.0

LAYERS = {
    "test-ort": ("ort", box(X0, Y0, X0 + 1000, Y0 + 1000), "2019-08-04", "", 50),
    "test-ext": ("ort-extension", box(X0 + 1000, Y0, X0 + 1500, Y0 + 1000), "2023-12-06",
                 "2026-12-31", 100),
    "test-opah": ("opah-ru", box(X0 + 300, Y0 + 300, X0 + 700, Y0 + 700), "2021-07-01",
                  "2026-06-30", 20),
}  # fmt: skip


def write_catalog(folder: Path) -> Path:
    """Write the synthetic layers (GeoPackage, EPSG:2154) and their catalogue TOML."""
    lines = ['[catalog]\nname = "synthetic test catalogue"\n']
    for layer_id, (kind, geom, start, end, acc) in LAYERS.items():
        gpd.GeoDataFrame({"name": [layer_id]}, geometry=[geom], crs=2154).to_file(
            folder / f"{layer_id}.gpkg"
        )
        lines.append(
            f'[[layer]]\nid = "{layer_id}"\nfile = "{layer_id}.gpkg"\nkind = "{kind}"\n'
            f'title = "Synthétique {layer_id}"\nlegal_basis = "Acte synthétique {layer_id}"\n'
            f'act_date = "{start}"\nvalid_from = "{start}"\nvalid_to = "{end}"\n'
            f'status = "indicatif"\naccuracy_m = {acc}\nsource = "tests (synthétique)"\n'
            'notes = ""\n'
        )
    path = folder / "catalog.toml"
    path.write_text("\n".join(lines), encoding="utf-8")
    return path
