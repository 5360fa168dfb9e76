"""A SYNTHETIC perimeter catalogue (format 2) with exactly known geometry, for tests.

Squares in Lambert-93 near Lens (not real perimeters), in a territory ``test`` whose ORT
was signed by Lens (62498):

- ``test-ort``: ORT sector, 1000 m square with lower-left corner (687000, 7036000),
  includes a centre-ville, valid from 2019-08-04 (exact, ``test-arrete``), no end,
  accuracy 50 m;
- ``test-ext``: ORT sector, 500 × 1000 m rectangle east of it (x 688000–688500), valid
  not before 2023-12-06 (``test-avenant``, signature date unknown), no end, accuracy 100 m;
- ``test-opah``: dispositif ``opah-ru``, 400 m square centred in ``test-ort``, valid
  2021-07-01 → 2026-06-30 (both exact), accuracy 20 m.

Both sectors have ``review_after = 2026-12-31``. :func:`write_catalog_v1` writes the same
squares as a version-1 catalogue (``[[layer]]`` tables), which ortgeo still reads.
"""

from __future__ import annotations

from pathlib import Path
from typing import NamedTuple

import geopandas as gpd
import shapely
from shapely.geometry import box

X0, Y0 = 687000.0, 7036000.0


class Square(NamedTuple):
    """One synthetic layer: kind, geometry (EPSG:2154), dates and their precision."""

    kind: str
    geometry: shapely.Geometry
    valid_from: str
    valid_from_precision: str
    valid_to: str
    valid_to_precision: str
    accuracy_m: float
    acts: tuple[str, ...]


LAYERS = {
    "test-ort": Square("ort-sector", box(X0, Y0, X0 + 1000, Y0 + 1000), "2019-08-04", "exact",
                       "", "exact", 50, ("test-arrete", "test-avenant")),
    "test-ext": Square("ort-sector", box(X0 + 1000, Y0, X0 + 1500, Y0 + 1000), "2023-12-06",
                       "not-before", "", "exact", 100, ("test-avenant",)),
    "test-opah": Square("opah-ru", box(X0 + 300, Y0 + 300, X0 + 700, Y0 + 700), "2021-07-01",
                        "exact", "2026-06-30", "exact", 20, ("test-opah-convention",)),
}  # fmt: skip

#: (id, kind, short name, date, date precision) of the synthetic acts.
ACTS = [
    ("test-arrete", "arrete", "arrêté synthétique", "2019-08-04", "exact"),
    ("test-avenant", "avenant", "avenant synthétique", "2023-12-06", "not-before"),
    ("test-opah-convention", "convention", "convention synthétique", "2021-07-01", "exact"),
]

_HEADER = """format = 2

[catalog]
name = "synthetic test catalogue"

[territory]
id = "test"
name = "Territoire synthétique"
kind = "epci"
ort_communes = ["62498"]

[annex]
title = "Annexe synthétique"
act = "test-avenant"
"""


def _write_geometries(folder: Path) -> None:
    for layer_id, square in LAYERS.items():
        gpd.GeoDataFrame({"name": [layer_id]}, geometry=[square.geometry], crs=2154).to_file(
            folder / f"{layer_id}.gpkg"
        )


def _toml_list(values: tuple[str, ...]) -> str:
    return "[" + ", ".join(f'"{v}"' for v in values) + "]"


def write_catalog(folder: Path) -> Path:
    """Write the synthetic layers (GeoPackage, EPSG:2154) and their format-2 catalogue TOML."""
    _write_geometries(folder)
    lines = [_HEADER]
    for act_id, kind, short, day, precision in ACTS:
        lines.append(
            f'[[act]]\nid = "{act_id}"\nkind = "{kind}"\ntitle = "Acte synthétique {act_id}"\n'
            f'short = "{short}"\ndate = "{day}"\ndate_precision = "{precision}"\n'
        )
    for layer_id, sq in LAYERS.items():
        sector = sq.kind == "ort-sector"
        table = "[[sector]]" if sector else f'[[dispositif]]\nkind = "{sq.kind}"'
        extra = (
            f"includes_centre_ville = {'true' if layer_id == 'test-ort' else 'false'}\n"
            'review_after = "2026-12-31"\n'
            if sector
            else 'owner = "Territoire synthétique"\ncontact = "le territoire synthétique"\n'
        )
        lines.append(
            f'{table}\nid = "{layer_id}"\nfile = "{layer_id}.gpkg"\n'
            f'name = "Synthétique {layer_id}"\ncommunes = ["62498"]\n{extra}'
            f"acts = {_toml_list(sq.acts)}\n"
            f'valid_from = "{sq.valid_from}"\nvalid_from_precision = "{sq.valid_from_precision}"\n'
            f'valid_to = "{sq.valid_to}"\nvalid_to_precision = "{sq.valid_to_precision}"\n'
            f'status = "indicatif"\naccuracy_m = {sq.accuracy_m}\nsynthetic = true\n'
            'source = "tests (synthétique)"\nnotes = ""\n'
        )
    path = folder / "catalog.toml"
    path.write_text("\n".join(lines), encoding="utf-8")
    return path


def write_catalog_v1(folder: Path) -> Path:
    """The same squares as a version-1 catalogue (``[[layer]]``, kinds ort/ort-extension)."""
    _write_geometries(folder)
    old_kinds = {"test-ort": "ort", "test-ext": "ort-extension", "test-opah": "opah-ru"}
    lines = ['[catalog]\nname = "synthetic test catalogue (v1)"\n']
    for layer_id, sq in LAYERS.items():
        lines.append(
            f'[[layer]]\nid = "{layer_id}"\nfile = "{layer_id}.gpkg"\n'
            f'kind = "{old_kinds[layer_id]}"\ntitle = "Synthétique {layer_id}"\n'
            f'legal_basis = "Acte synthétique {layer_id}"\nact_date = "{sq.valid_from}"\n'
            f'valid_from = "{sq.valid_from}"\nvalid_to = "{sq.valid_to}"\n'
            f'status = "indicatif"\naccuracy_m = {sq.accuracy_m}\n'
            'source = "tests (synthétique)"\nnotes = ""\n'
        )
    path = folder / "catalog.toml"
    path.write_text("\n".join(lines), encoding="utf-8")
    return path
