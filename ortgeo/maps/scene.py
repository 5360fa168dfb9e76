"""What an Annex 3 map shows, independent of how it is drawn (HTML or print).

:func:`build_scene` picks the perimeters in force on the date, the frame (Lambert-93),
the French title, notices and sources, and normalises the optional commune outlines
and checked addresses. :mod:`ortgeo.maps.html` and :mod:`ortgeo.maps.png` only draw a
:class:`Scene`.
"""

from __future__ import annotations

import dataclasses
import datetime as _dt
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from ortgeo.catalog import Catalog, Layer, landmarks
from ortgeo.catalog import catalog as _catalog
from ortgeo.crs import L93, WGS84, to_l93_xy, to_wgs84_lonlat
from ortgeo.dates import DateLike, parse_date
from ortgeo.errors import InputFileError, OrtgeoError, UnknownLayerError
from ortgeo.inforce import on
from ortgeo.io import read_perimeter
from ortgeo.locate import INVALIDE
from ortgeo.maps.style import (
    ADDRESS_STATUSES,
    INDICATIF_WARNING,
    MAP_KINDS,
    MAP_TITLES,
    date_fr,
    style_key,
)
from ortgeo.verdict import LENS_INSEE

__all__ = ["Scene", "build_scene"]

#: Draw order of the layer kinds: the 2019 ORT below, the OPAH-RU on top.
_DRAW_ORDER = {"ort": 0, "ort-extension": 1, "opah-ru": 2}
_NAME_COLUMNS = ("nom", "name", "nom_commune", "NOM", "NOM_COM", "libelle")
_CODE_COLUMNS = ("code", "insee", "code_insee", "INSEE_COM", "codgeo", "CODGEO")
_LABEL_COLUMNS = ("label", "ban_label", "result_label", "adresse", "address", "libelle")
# A batch report's final answer is ``verdict`` (it says ``indetermine`` for weak geocodes).
_STATUS_COLUMNS = ("verdict", "status", "ort_status", "statut")
_LONLAT_COLUMNS = (("lon", "lat"), ("ban_lon", "ban_lat"), ("longitude", "latitude"))


@dataclasses.dataclass
class Scene:
    """Everything one Annex 3 map shows.

    Attributes
    ----------
    kind : {"general", "zoom-extension"}
    day : datetime.date
        Date of the perimeters shown.
    catalog : Catalog
    layers : list of Layer
        Perimeters drawn (in force on ``day``), bottom first.
    title, subtitle : str
        French title and the "périmètres en vigueur le ..." line.
    status : str
        ``"indicatif"`` when any layer drawn is indicative, else ``"officiel"``
        (``"—"`` when no layer is drawn).
    notices : list of str
        French warnings: indicative perimeters, extension or ORT not in force.
    sources : list of str
        French source and licence lines.
    frame : tuple of float
        ``(xmin, ymin, xmax, ymax)`` to show, Lambert-93 metres.
    landmarks : geopandas.GeoDataFrame
        WGS84 points with ``name, kind, precision_m, note, source, x, y``.
    communes : geopandas.GeoDataFrame or None
        WGS84 polygons with ``nom, code, is_lens``.
    addresses : pandas.DataFrame or None
        ``lon, lat, x, y, label, status`` of checked addresses (valid coordinates only).
    """

    kind: str
    day: _dt.date
    catalog: Catalog
    layers: list[Layer]
    title: str
    subtitle: str
    status: str
    notices: list[str]
    sources: list[str]
    frame: tuple[float, float, float, float]
    landmarks: gpd.GeoDataFrame
    communes: gpd.GeoDataFrame | None = None
    addresses: pd.DataFrame | None = None

    @property
    def indicatif(self) -> bool:
        """Whether any perimeter drawn is indicative."""
        return self.status == "indicatif"

    @property
    def frame_wgs84(self) -> tuple[float, float, float, float]:
        """The frame as ``(lon_min, lat_min, lon_max, lat_max)``."""
        xmin, ymin, xmax, ymax = self.frame
        lon, lat = to_wgs84_lonlat(
            np.array([xmin, xmax, xmin, xmax]), np.array([ymin, ymin, ymax, ymax])
        )
        return float(lon.min()), float(lat.min()), float(lon.max()), float(lat.max())


def _pick(columns: pd.Index, candidates: tuple[str, ...]) -> str | None:
    lower = {str(c).lower(): c for c in columns}
    for name in candidates:
        if name.lower() in lower:
            return lower[name.lower()]
    return None


def _communes(communes: str | Path | gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    gdf = communes if isinstance(communes, gpd.GeoDataFrame) else read_perimeter(communes)
    if gdf.crs is None:
        raise InputFileError("The communes GeoDataFrame has no CRS: set one (e.g. EPSG:4326).")
    gdf = gdf.to_crs(WGS84)
    name_col, code_col = _pick(gdf.columns, _NAME_COLUMNS), _pick(gdf.columns, _CODE_COLUMNS)
    names = gdf[name_col].astype(str) if name_col else pd.Series("", index=gdf.index)
    codes = gdf[code_col].astype(str) if code_col else pd.Series("", index=gdf.index)
    is_lens = (codes == LENS_INSEE) | (names.str.strip().str.lower() == "lens")
    return gpd.GeoDataFrame(
        {"nom": names.to_numpy(), "code": codes.to_numpy(), "is_lens": is_lens.to_numpy()},
        geometry=gdf.geometry.to_numpy(),
        crs=WGS84,
    )


def _addresses(addresses: pd.DataFrame) -> pd.DataFrame:
    """Normalise a batch result to ``lon, lat, x, y, label, status`` (valid points only)."""
    pair = next((p for p in _LONLAT_COLUMNS if set(p) <= set(addresses.columns)), None)
    if isinstance(addresses, gpd.GeoDataFrame) and pair is None:
        if addresses.crs is None:
            raise InputFileError("The addresses GeoDataFrame has no CRS: set one.")
        pts = addresses.geometry.to_crs(WGS84)
        lon, lat = pts.x.to_numpy(), pts.y.to_numpy()
    elif pair is not None:
        lon = pd.to_numeric(addresses[pair[0]], errors="coerce").to_numpy(dtype=float)
        lat = pd.to_numeric(addresses[pair[1]], errors="coerce").to_numpy(dtype=float)
    else:
        raise InputFileError(
            "The addresses table needs 'lon' and 'lat' columns (WGS84) or point geometries; "
            f"found {', '.join(map(str, addresses.columns))}."
        )
    status_col = _pick(addresses.columns, _STATUS_COLUMNS)
    if status_col is None:
        raise InputFileError(
            "The addresses table needs a status column ('status' or 'ort_status', from "
            "ortgeo.locate or a batch check)."
        )
    ok = np.isfinite(lon) & np.isfinite(lat)
    status = addresses[status_col].astype(object).where(addresses[status_col].notna(), INVALIDE)
    status = status.astype(str).to_numpy()
    unknown = sorted(set(status[ok]) - set(ADDRESS_STATUSES))
    if unknown:
        raise InputFileError(
            f"Unknown address status {', '.join(map(repr, unknown))} in column {status_col!r}: "
            f"expected one of {', '.join(ADDRESS_STATUSES)}."
        )
    label_col = _pick(addresses.columns, _LABEL_COLUMNS)
    labels = (
        addresses[label_col].fillna("").astype(str).to_numpy()
        if label_col
        else addresses.index.astype(str).to_numpy()
    )
    x, y = to_l93_xy(lon[ok], lat[ok])
    return pd.DataFrame(
        {"lon": lon[ok], "lat": lat[ok], "x": x, "y": y, "label": labels[ok], "status": status[ok]}
    )


def _pad(bounds: tuple[float, ...], ratio: float, min_span: float) -> tuple[float, ...]:
    xmin, ymin, xmax, ymax = bounds
    cx, cy = (xmin + xmax) / 2, (ymin + ymax) / 2
    half_w = max((xmax - xmin) * (1 + 2 * ratio), min_span) / 2
    half_h = max((ymax - ymin) * (1 + 2 * ratio), min_span) / 2
    return cx - half_w, cy - half_h, cx + half_w, cy + half_h


def _frame(
    kind: str, cat: Catalog, drawn: list[Layer], communes: gpd.GeoDataFrame | None
) -> tuple[float, float, float, float]:
    if kind == "zoom-extension":
        ext = [layer.geometry_l93 for layer in _extensions(cat)]
        return tuple(_pad(shapely.union_all(ext).bounds, 0.35, 1500.0))
    geoms = [layer.geometry_l93 for layer in (drawn or list(cat))]
    if communes is not None and communes["is_lens"].any():
        geoms.append(shapely.union_all(communes[communes["is_lens"]].to_crs(L93).geometry.values))
    return tuple(_pad(shapely.union_all(geoms).bounds, 0.05, 1000.0))


def _extensions(cat: Catalog) -> list[Layer]:
    """The sectors that extend the centre-ville sector (drawn on the zoom map)."""
    return [x for x in cat.sectors if not x.includes_centre_ville]


def build_scene(
    kind: str = "general",
    date: DateLike = None,
    catalog: Catalog | None = None,
    addresses: pd.DataFrame | None = None,
    communes: str | Path | gpd.GeoDataFrame | None = None,
    landmarks_gdf: gpd.GeoDataFrame | None = None,
    communes_label: str | None = None,
) -> Scene:
    """Decide what a map of Annex 3 shows on ``date``.

    Parameters
    ----------
    kind : {"general", "zoom-extension"}
        The general map of the ORT, or the zoom on the route de Lille extension.
    date : str or date, optional
        Date of the perimeters (default today).
    catalog : Catalog, optional
        Perimeter catalogue (default: the bundled, indicative one).
    addresses : DataFrame, optional
        Checked addresses: ``lon``/``lat`` (or point geometries), a status column
        (``status`` or ``ort_status``) and optionally a label column.
    communes : path or GeoDataFrame, optional
        Commune polygons to outline (any OGR file); Lens is found by INSEE code or name.
    landmarks_gdf : GeoDataFrame, optional
        Points to show instead of :func:`ortgeo.landmarks`.
    communes_label : str, optional
        How to cite the commune layer in the sources (default: its file name).

    Raises
    ------
    OrtgeoError
        Unknown ``kind``; ``UnknownLayerError`` when the zoom map is asked of a
        catalogue without an ``ort-extension`` layer.

    Examples
    --------
    >>> scene = build_scene("zoom-extension", date="2022-01-01")
    >>> "non en vigueur" in scene.title, [layer.id for layer in scene.layers]
    (True, ['lens-centre-ville', 'call-opah-ru-coeur-de-ville'])
    """
    if kind not in MAP_KINDS:
        raise OrtgeoError(f"Unknown map kind {kind!r}: use one of {', '.join(MAP_KINDS)}.")
    cat = catalog if catalog is not None else _catalog()
    day = parse_date(date)
    drawn = sorted(on(day, cat).layers, key=lambda x: _DRAW_ORDER.get(style_key(x), 9))
    title = MAP_TITLES[kind]
    notices: list[str] = []
    if any(layer.status != "officiel" for layer in drawn):
        notices.append(INDICATIF_WARNING)
    if not any(layer.is_ort_sector for layer in drawn):
        notices.append(f"Aucun périmètre ORT en vigueur le {date_fr(day)}.")
    if kind == "zoom-extension":
        ext = _extensions(cat)
        if not ext:
            raise UnknownLayerError(
                "The catalogue has no sector that extends the centre-ville sector (a sector "
                "with includes_centre_ville = false): the zoom-extension map needs one. Use "
                "the general map, or a catalogue with the extension."
            )
        if not any(layer.in_force(day) for layer in ext):
            title += f" — extension non en vigueur le {date_fr(day)}"
            for layer in ext:
                notices.append(
                    f"« {layer.title} » n'est pas en vigueur le {date_fr(day)} "
                    f"(en vigueur {layer.validity_fr}) : elle n'est pas représentée."
                )
    status = (
        "—"
        if not drawn
        else ("officiel" if all(x.status == "officiel" for x in drawn) else "indicatif")
    )
    subtitle = f"Périmètres en vigueur le {date_fr(day)} — statut : {status}"

    comm = _communes(communes) if communes is not None else None
    marks = landmarks() if landmarks_gdf is None else landmarks_gdf.to_crs(WGS84)
    marks = marks.copy()
    for col in ("name", "kind", "note", "source"):
        marks[col] = marks[col].fillna("").astype(str) if col in marks else ""
    marks["precision_m"] = pd.to_numeric(marks.get("precision_m", np.nan), errors="coerce")
    marks["x"], marks["y"] = to_l93_xy(marks.geometry.x.to_numpy(), marks.geometry.y.to_numpy())

    acts = ", ".join(f"{x.id} {date_fr(x.act_date, 'date inconnue')}" for x in drawn)
    sources = [
        f"Périmètres : {cat.name or 'catalogue ortgeo'} ({acts or 'aucun en vigueur'})",
        "Repères et sites d'action : ortgeo d'après Wikipédia, le BRGM et la convention "
        "Action Cœur de Ville de Lens (positions estimées)",
    ]
    if comm is not None:
        label = communes_label or (
            Path(communes).name if not isinstance(communes, gpd.GeoDataFrame) else "fournies"
        )
        sources.append(f"Limites communales : {label}")
    sources.append(
        "Licence : données ortgeo sous licence MIT ; chaque source garde la sienne "
        "(Licence Ouverte Etalab pour l'IGN et la BAN, ODbL pour OpenStreetMap)"
    )
    return Scene(
        kind=kind,
        day=day,
        catalog=cat,
        layers=drawn,
        title=title,
        subtitle=subtitle,
        status=status,
        notices=notices,
        sources=sources,
        frame=_frame(kind, cat, drawn, comm),
        landmarks=marks,
        communes=comm,
        addresses=_addresses(addresses) if addresses is not None else None,
    )
