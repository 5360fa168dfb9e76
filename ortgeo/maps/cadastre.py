"""The cadastre as a map background, offline: Etalab parcel and building files.

``--cadastre FILE`` (repeatable) takes the Etalab cadastre exports of a commune —
``cadastre-62498-parcelles.json(.gz)`` and ``cadastre-62498-batiments.json(.gz)`` — or
any polygon layer OGR reads. Parcels are drawn as thin outlines and buildings as light
grey blocks under the sectors, on the HTML and print maps: the annex then reads at
parcel level. :func:`read_cadastre` reads and sorts them; the renderers draw them.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import geopandas as gpd
import numpy as np
import shapely

from ortgeo.crs import WGS84
from ortgeo.errors import InputFileError

__all__ = ["BATIMENT", "PARCELLE", "clip_cadastre", "read_cadastre"]

PARCELLE, BATIMENT = "parcelle", "batiment"


def _read_one(path: Path) -> gpd.GeoDataFrame:
    if not path.is_file():
        raise InputFileError(f"Fichier de cadastre introuvable : {path}. Vérifiez le chemin.")
    source = f"/vsigzip/{path}" if path.suffix.lower() == ".gz" else str(path)
    try:
        gdf = gpd.read_file(source, engine="pyogrio")
    except Exception as exc:  # pyogrio raises several types for unreadable files
        raise InputFileError(
            f"{path.name} n'est pas un fichier de cadastre lisible ({type(exc).__name__}) : "
            "donnez un export Etalab cadastre-XXXXX-parcelles.json(.gz) ou -batiments.json(.gz)."
        ) from None
    if gdf.crs is None:
        gdf = gdf.set_crs(WGS84)  # GeoJSON without "crs" is WGS84 by definition
    return gdf


def _kind(gdf: gpd.GeoDataFrame, name: str) -> str:
    """``parcelle`` for a parcel layer (Etalab: ``section``, ``numero``), else ``batiment``."""
    if "batiment" in name.lower() or ("type" in gdf and "section" not in gdf):
        return BATIMENT
    return PARCELLE


def read_cadastre(
    paths: str | Path | Sequence[str | Path],
) -> tuple[gpd.GeoDataFrame, str]:
    """Parcels and buildings as ``kind, id, geometry`` (WGS84; ``id``: the Etalab parcel
    id, the IDU), and the source line to print.

    Examples
    --------
    >>> import json, tempfile, pathlib
    >>> square = {"type": "Polygon", "coordinates": [[[2.83, 50.43], [2.831, 50.43],
    ...           [2.831, 50.431], [2.83, 50.431], [2.83, 50.43]]]}
    >>> f = pathlib.Path(tempfile.mkdtemp()) / "cadastre-62498-parcelles.json"
    >>> _ = f.write_text(json.dumps({"type": "FeatureCollection", "features": [
    ...     {"type": "Feature", "id": "62498000AB0001", "geometry": square,
    ...      "properties": {"section": "AB", "numero": "0001"}}]}))
    >>> gdf, credit = read_cadastre(f)
    >>> gdf["id"].tolist()
    ['62498000AB0001']
    >>> gdf["kind"].tolist(), credit
    (['parcelle'], 'Cadastre : cadastre-62498-parcelles.json (export Etalab du plan cadastral \
de la DGFiP, Licence Ouverte 2.0)')
    """
    given = [paths] if isinstance(paths, str | Path) else list(paths)
    frames = []
    for p in (Path(x) for x in given):
        gdf = _read_one(p)
        polygons = gdf.geom_type.isin(["Polygon", "MultiPolygon"]).to_numpy()
        if not polygons.any():
            raise InputFileError(f"{p.name} ne contient aucun polygone : pas un cadastre.")
        geoms = shapely.force_2d(gdf.geometry.to_crs(WGS84).to_numpy()[polygons])
        ids = gdf["id"].astype(str).to_numpy()[polygons] if "id" in gdf else [""] * len(geoms)
        frames.append(
            gpd.GeoDataFrame(
                {"kind": [_kind(gdf, p.name)] * len(geoms), "id": ids}, geometry=geoms, crs=WGS84
            )
        )
    names = ", ".join(Path(x).name for x in given)
    out = gpd.GeoDataFrame(gpd.pd.concat(frames, ignore_index=True), geometry="geometry", crs=WGS84)
    credit = (
        f"Cadastre : {names} (export Etalab du plan cadastral de la DGFiP, Licence Ouverte 2.0)"
    )
    return out, credit


def clip_cadastre(
    cadastre: gpd.GeoDataFrame, box_wgs84: tuple[float, float, float, float]
) -> gpd.GeoDataFrame:
    """The parcels and buildings that touch a WGS84 box (what a map shows).

    >>> g = gpd.GeoDataFrame({"kind": ["parcelle"]}, geometry=[shapely.box(0, 0, 1, 1)], crs=4326)
    >>> len(clip_cadastre(g, (2, 2, 3, 3))), len(clip_cadastre(g, (0.5, 0.5, 3, 3)))
    (0, 1)
    """
    hits = cadastre.sindex.query(shapely.box(*box_wgs84), predicate="intersects")
    return cadastre.iloc[np.sort(hits)]
