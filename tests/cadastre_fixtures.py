"""A SYNTHETIC cadastre of central Lens in the exact Etalab format (parcels and buildings).

The reference cadastre sample (../shared, Épinay-sur-Orge) does not overlap Lens; these
made-up parcels do: blocks of a regular street grid around the church Saint-Léger, each
cut into narrow lots with a building at the front, as in a mining town. Nothing here is a
real parcel: the file names say « synthetique ».
"""

from __future__ import annotations

import json
from pathlib import Path

from ortgeo.crs import to_wgs84_lonlat

#: Centre of the synthetic grid (Lambert-93 metres, near the church Saint-Léger).
CENTRE = (687_700.0, 7_036_900.0)


def _ring(x0: float, y0: float, x1: float, y1: float) -> list[list[float]]:
    xs, ys = [x0, x1, x1, x0, x0], [y0, y0, y1, y1, y0]
    lon, lat = to_wgs84_lonlat(xs, ys)
    return [[round(a, 7), round(b, 7)] for a, b in zip(lon, lat, strict=True)]


def write_synthetic_cadastre(folder: Path, blocks: int = 14) -> tuple[Path, Path]:
    """``cadastre-62498-parcelles-synthetique.json`` and ``...-batiments-synthetique.json``:
    ``blocks`` × ``blocks`` blocks of 110 m with 14 lots each (Etalab properties)."""
    folder.mkdir(parents=True, exist_ok=True)
    parcels, buildings = [], []
    step, street, lot_w = 130.0, 20.0, 110.0 / 7
    x_start = CENTRE[0] - blocks * step / 2
    y_start = CENTRE[1] - blocks * step / 2
    n = 0
    for i in range(blocks):
        for j in range(blocks):
            bx, by = x_start + i * step + street / 2, y_start + j * step + street / 2
            section = f"A{chr(ord('A') + (i * blocks + j) % 26)}"
            for side in (0, 1):  # two rows of lots, back to back
                y0 = by + side * 55.0
                for k in range(7):
                    n += 1
                    x0 = bx + k * lot_w
                    numero = f"{n % 10000:04d}"
                    parcels.append({
                        "type": "Feature", "id": f"62498000{section}{numero}",
                        "geometry": {"type": "Polygon",
                                     "coordinates": [_ring(x0, y0, x0 + lot_w, y0 + 55.0)]},
                        "properties": {"id": f"62498000{section}{numero}", "commune": "62498",
                                       "prefixe": "000", "section": section, "numero": numero,
                                       "contenance": round(lot_w * 55.0), "arpente": False,
                                       "created": "2024-01-01", "updated": "2024-01-01"},
                    })  # fmt: skip
                    front = y0 + 55.0 - 12.0 if side else y0  # the house on the street
                    buildings.append({
                        "type": "Feature",
                        "geometry": {"type": "Polygon", "coordinates": [
                            _ring(x0 + 1.5, front + 1, x0 + lot_w - 1.5, front + 11)]},
                        "properties": {"type": "01", "nom": None, "commune": "62498",
                                       "created": "2024-01-01", "updated": "2024-01-01"},
                    })  # fmt: skip
    out = []
    for name, features in (("parcelles", parcels), ("batiments", buildings)):
        path = folder / f"cadastre-62498-{name}-synthetique.json"
        path.write_text(json.dumps({"type": "FeatureCollection", "features": features}))
        out.append(path)
    return out[0], out[1]
