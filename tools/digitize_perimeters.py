"""Rebuild the bundled, *indicative* perimeter layers of ``data/perimeters/``.

No official geometry of the Lens ORT, of its route de Lille extension or of the
OPAH-RU perimeter could be obtained. This script records, vertex by vertex, how
we digitized them by hand from public facts (see ``data/perimeters/catalog.toml``
and the README "Data" section), so the result is reproducible and reviewable.

It needs the commune outlines of ``../shared/data/reference/communes/`` (IGN ADMIN
EXPRESS COG 2018 via gregoiredavid/france-geojson, Licence Ouverte) to clip the
layers to the commune of Lens. Run from the repository root::

    python tools/digitize_perimeters.py [--shared ../shared]

Every vertex below is (longitude, latitude) in WGS84 and is followed by the fact
that placed it. Anchors (Wikipedia / BRGM coordinates) are in
``data/perimeters/landmarks.geojson``.
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

import geopandas as gpd
import shapely
from shapely.geometry import Polygon, mapping

ROOT = Path(__file__).resolve().parents[1]
OUT = ROOT / "data" / "perimeters"
L93 = "EPSG:2154"

# --- ORT 2019 -----------------------------------------------------------------
# Historic centre (place Jean-Jaurès, town hall, rue de Paris, bd Basly, station),
# ZAC Centralité (quartier des gares, Bollaert), Louvre-Lens towards Liévin,
# north-west service pole, south-east towards Sallaumines. Clockwise from the west.
ORT_2019 = [
    (2.7975, 50.4300),  # west: Louvre-Lens park up to the Lens/Liévin limit (puits 9 bis is Liévin)
    (2.7995, 50.4345),  # cité 9, north of puits 9 (rue La Rochefoucauld)
    (2.8080, 50.4352),  # north edge of cité 9 / secteur Zins-Garin
    (2.8125, 50.4362),  # north of the stade Bollaert-Delelis (av. Alfred-Maës)
    (2.8165, 50.4392),  # north-west service pole, towards route de Béthune / La Bassée
    (2.8230, 50.4405),  # service pole (ANCT label point 2.8215, 50.4375 inside)
    (2.8285, 50.4380),  # Grands Bureaux / av. Élie-Reumaux side
    (2.8330, 50.4358),  # north of the commune reference point (50.4322, 2.8333)
    (2.8372, 50.4338),  # start of route de Lille (north-east exit of the centre)
    (2.8410, 50.4312),  # east of place Jean-Jaurès
    (2.8450, 50.4290),  # south-east, towards Sallaumines (planned conservatory)
    (2.8420, 50.4255),  # south-east, clipped by the Sallaumines limit
    (2.8345, 50.4238),  # south of the centre
    (2.8265, 50.4228),  # south of the station (place du Général-de-Gaulle)
    (2.8195, 50.4238),  # puits 4 / quartier des gares, south side
    (2.8120, 50.4255),  # secteur Tassette
    (2.8030, 50.4262),  # Louvre Lens Vallée / conservation centre side
    (2.7985, 50.4275),  # south-west corner towards Liévin
]

# --- Extension "entrée de ville – route de Lille" (amendment n°2, 2023) ---------
# A strip about 150-250 m wide along route de Lille (RD917, ex-RN17) from the
# north-east corner of the 2019 ORT to the Lens/Loison-sous-Lens limit (near the
# A21), with a wider lobe for the NEXANS wasteland on the south-east side near
# the limit. The road's course is interpolated between the centre and the
# Chronodrive site on route de Lille in Loison (puits 2 ter, 50.4428, 2.8558);
# the NEXANS lobe is NOT sourced: placed from "commercial strip and NEXANS
# wasteland" only. It overshoots the limit and is clipped to the commune.
EXT_2023 = [
    (2.8355, 50.4345),  # overlaps the 2019 ORT at its north-east corner
    (2.8395, 50.4372),  # north-west side of route de Lille
    (2.8440, 50.4405),  # north-west side, commercial strip
    (2.8475, 50.4428),  # north-west side, at the commune limit
    (2.8530, 50.4420),  # beyond the limit (clipped)
    (2.8520, 50.4370),  # NEXANS lobe, south-east side, beyond the limit (clipped)
    (2.8470, 50.4352),  # NEXANS lobe, south-west corner
    (2.8440, 50.4362),  # back to the road's south-east side
    (2.8400, 50.4335),  # south-east side of route de Lille
    (2.8385, 50.4318),  # overlaps the 2019 ORT
]

# --- OPAH-RU intervention perimeter (2021-2026) ----------------------------------
# The degraded historic centre: place Jean-Jaurès, bd Basly, rue du Maréchal-Leclerc,
# rue de Lannoy, rue de Paris and rue de la Gare up to the station. Kept inside
# the 2019 ORT by construction (intersection with a 25 m inner buffer).
OPAH_RU = [
    (2.8245, 50.4262),  # west of the station
    (2.8250, 50.4292),  # north-west of the station (rue de Paris side)
    (2.8290, 50.4318),  # between the station and the centre, north side
    (2.8335, 50.4338),  # north of place Jean-Jaurès
    (2.8380, 50.4322),  # north-east of the centre
    (2.8395, 50.4290),  # east of the church
    (2.8370, 50.4262),  # south-east of the centre
    (2.8320, 50.4250),  # south of the town hall
    (2.8275, 50.4245),  # south of the station
]


def _load_lens(shared: Path) -> gpd.GeoSeries:
    communes = gpd.read_file(
        shared / "data/reference/communes/communes_lens_and_neighbours_from_france-geojson.geojson"
    )
    return communes.loc[communes["code"] == "62498"].geometry.to_crs(L93)


def build(shared: Path) -> dict[str, shapely.Geometry]:
    """Return the three layers in Lambert-93, clipped as documented."""
    lens = _load_lens(shared).iloc[0]
    lens_inner = lens.buffer(-15)  # 15 m inside the (simplified) commune outline

    def l93(coords: list[tuple[float, float]]) -> shapely.Geometry:
        return gpd.GeoSeries([Polygon(coords)], crs="EPSG:4326").to_crs(L93).iloc[0]

    ort = l93(ORT_2019).intersection(lens_inner)
    ext = l93(EXT_2023).intersection(lens)  # reaches the Loison-sous-Lens limit
    opah = l93(OPAH_RU).intersection(ort.buffer(-25))
    return {"ort-2019": ort, "ort-extension-route-de-lille-2023": ext, "opah-ru-lens": opah}


def write(layers: dict[str, shapely.Geometry]) -> None:
    files = {
        "ort-2019": "ort_2019.geojson",
        "ort-extension-route-de-lille-2023": "ort_extension_route_de_lille_2023.geojson",
        "opah-ru-lens": "opah_ru_lens.geojson",
    }
    for layer_id, geom in layers.items():
        wgs = gpd.GeoSeries([geom], crs=L93).to_crs("EPSG:4326").iloc[0]
        wgs = shapely.set_precision(wgs, 1e-6)
        fc = {
            "type": "FeatureCollection",
            "name": layer_id,
            "features": [
                {
                    "type": "Feature",
                    "properties": {"id": layer_id, "status": "indicatif"},
                    "geometry": mapping(wgs),
                }
            ],
        }
        (OUT / files[layer_id]).write_text(json.dumps(fc, indent=1) + "\n", encoding="utf-8")
        print(f"{layer_id}: {geom.area / 1e4:.1f} ha -> {files[layer_id]}")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--shared", type=Path, default=ROOT.parent / "shared")
    write(build(parser.parse_args().shared))
