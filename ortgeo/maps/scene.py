"""What an Annex 3 map shows, independent of how it is drawn (HTML or print).

:func:`build_scene` picks the perimeters in force on the date, the frame (Lambert-93),
the French title, notices and sources, and normalises the optional commune outlines
and checked addresses. :mod:`ortgeo.maps.html` and :mod:`ortgeo.maps.png` only draw a
:class:`Scene`.
"""

from __future__ import annotations

import dataclasses
import datetime as _dt
import functools
import warnings
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from ortgeo import dates
from ortgeo.catalog import Catalog, Layer, landmarks
from ortgeo.communes import LENS_INSEE, communes_path
from ortgeo.crs import L93, WGS84, to_l93_xy, to_wgs84_lonlat
from ortgeo.dates import DateLike
from ortgeo.errors import InputFileError, OrtgeoError, UnknownLayerError
from ortgeo.io import read_perimeter
from ortgeo.io.vector import read_lines
from ortgeo.locate import INVALIDE
from ortgeo.maps import style
from ortgeo.maps._state import AnnexState, StateLayer, annex_state, outlines_l93
from ortgeo.maps.cadastre import clip_cadastre, read_cadastre
from ortgeo.maps.legend import LegendGroup, build_legend
from ortgeo.maps.style import ADDRESS_STATUSES, INDICATIF_WARNING, MAP_TITLES, date_fr
from ortgeo.texts import validity

__all__ = ["Scene", "build_scene", "context_layers", "read_streets"]

_NAME_COLUMNS = ("nom", "name", "nom_commune", "NOM", "NOM_COM", "libelle")
_CODE_COLUMNS = ("code", "insee", "code_insee", "INSEE_COM", "codgeo", "CODGEO")
_LABEL_COLUMNS = ("label", "ban_label", "result_label", "adresse", "address", "libelle")
# A batch report's final answer is ``verdict`` (it says ``indetermine`` for weak geocodes).
_STATUS_COLUMNS = ("verdict", "status", "ort_status", "statut")
_LONLAT_COLUMNS = (("lon", "lat"), ("ban_lon", "ban_lat"), ("longitude", "latitude"))
#: Street-name columns, best first: IGN BD TOPO ``troncon_de_route``, then usual names.
_STREET_COLUMNS = (
    "nom_collaboratif_gauche", "nom_collaboratif_droite", "nom_1_gauche", "nom_1_droite",
    "nom_voie", "nom", "name", "libelle", "NOM_VOIE", "NOM",
)  # fmt: skip
_BUNDLED_COMMUNES = "IGN ADMIN EXPRESS (Licence Ouverte), extrait ortgeo des communes de la CALL"


@dataclasses.dataclass
class Scene:
    """Everything one Annex 3 map shows.

    Attributes
    ----------
    kind : {"situation", "general", "zoom-extension", "controle"}
    state : AnnexState
        The perimeters shown (:func:`ortgeo.maps._state.annex_state`).
    title, subtitle : str
        French title and the line saying which sectors (or which day) are shown.
    notices : list of str
        French warnings: indicative perimeters, extension or ORT not in force.
    sources : list of str
        French source lines; the last one is the licence line.
    cartouche : list of str
        The cartouche of the page: the annex and its act, the acts of the sectors,
        producer, date of drawing.
    watermark : str or None
        « PROJET – document de travail… » when any drawn perimeter is indicative.
    frame : tuple of float
        ``(xmin, ymin, xmax, ymax)`` to show, Lambert-93 metres.
    landmarks : geopandas.GeoDataFrame
        WGS84 points with ``name, kind, precision_m, note, source, x, y``.
    communes : geopandas.GeoDataFrame
        WGS84 polygons with ``nom, code, is_lens, call`` (the bundled outlines by default).
    addresses : pandas.DataFrame or None
        ``lon, lat, x, y, label, status`` of checked addresses (valid coordinates only).
    context : geopandas.GeoDataFrame or None
        Official context polygons (UNESCO) with ``layer, nom, description``, WGS84.
    streets : geopandas.GeoDataFrame or None
        Named lines with ``nom``, WGS84; ``streets_label`` says where they come from.
    cadastre : geopandas.GeoDataFrame or None
        Parcels and buildings (``kind``, WGS84) that the map frame shows (``--cadastre``).
    """

    kind: str
    state: AnnexState
    title: str
    subtitle: str
    notices: list[str]
    sources: list[str]
    cartouche: list[str]
    watermark: str | None
    frame: tuple[float, float, float, float]
    landmarks: gpd.GeoDataFrame
    communes: gpd.GeoDataFrame
    addresses: pd.DataFrame | None = None
    context: gpd.GeoDataFrame | None = None
    streets: gpd.GeoDataFrame | None = None
    streets_label: str = ""
    cadastre: gpd.GeoDataFrame | None = None

    @property
    def day(self) -> _dt.date:
        """Date of the perimeters shown (for the avenant's sectors: its latest act)."""
        return self.state.date

    @property
    def catalog(self) -> Catalog:
        """The catalogue the perimeters come from."""
        return self.state.catalog

    @property
    def sectors(self) -> tuple[StateLayer, ...]:
        """ORT intervention sectors drawn, bottom first."""
        return self.state.sectors

    @property
    def others(self) -> tuple[StateLayer, ...]:
        """Other dispositifs drawn « pour information »."""
        return self.state.others

    @property
    def layers(self) -> list[Layer]:
        """Every catalogue layer drawn, bottom first."""
        return [x.layer for x in self.state.layers]

    @property
    def status(self) -> str:
        """``indicatif`` when any perimeter drawn is indicative, else ``officiel`` (``—``: none)."""
        return self.state.data_status

    @property
    def indicatif(self) -> bool:
        """Whether any perimeter drawn is indicative."""
        return self.status == "indicatif"

    @property
    def legend(self) -> list[LegendGroup]:
        """The legend, built once from the scene for both renderers."""
        return build_legend(self)

    @property
    def frame_wgs84(self) -> tuple[float, float, float, float]:
        """The frame as ``(lon_min, lat_min, lon_max, lat_max)``."""
        return _frame_wgs84(self.frame)


def _frame_wgs84(frame: tuple[float, ...]) -> tuple[float, float, float, float]:
    xmin, ymin, xmax, ymax = frame
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


def _communes(communes: str | Path | gpd.GeoDataFrame | None) -> gpd.GeoDataFrame:
    if communes is None:
        gdf = outlines_l93().to_crs(WGS84)
    else:
        gdf = communes if isinstance(communes, gpd.GeoDataFrame) else read_perimeter(communes)
        if gdf.crs is None:
            raise InputFileError("The communes GeoDataFrame has no CRS: set one (e.g. EPSG:4326).")
        gdf = gdf.to_crs(WGS84)
    name_col, code_col = _pick(gdf.columns, _NAME_COLUMNS), _pick(gdf.columns, _CODE_COLUMNS)
    names = gdf[name_col].astype(str) if name_col else pd.Series("", index=gdf.index)
    codes = gdf[code_col].astype(str) if code_col else pd.Series("", index=gdf.index)
    is_lens = (codes == LENS_INSEE) | (names.str.strip().str.lower() == "lens")
    call = gdf["call"].astype(bool) if "call" in gdf else pd.Series(False, index=gdf.index)
    return gpd.GeoDataFrame(
        {
            "nom": names.to_numpy(),
            "code": codes.to_numpy(),
            "is_lens": is_lens.to_numpy(),
            "call": call.to_numpy(),
        },
        geometry=gdf.geometry.to_numpy(),
        crs=WGS84,
    )


def _one_name_per_town(
    comm: gpd.GeoDataFrame, marks: gpd.GeoDataFrame
) -> tuple[gpd.GeoDataFrame, gpd.GeoDataFrame]:
    """A town is named once: a « Liévin (centre) » landmark becomes where « Liévin » is
    written (``label_lon``/``label_lat`` of the commune) instead of a second name. A
    town-centre landmark of no commune on the map stays a landmark.

    Examples
    --------
    >>> comm, marks = _one_name_per_town(_communes(None), _landmarks("general", None))
    >>> "centre-commune" in set(marks["kind"])
    False
    >>> int(comm["label_lon"].notna().sum()) >= 3
    True
    """
    comm = comm.copy()
    comm["label_lon"], comm["label_lat"] = np.nan, np.nan
    folded = np.zeros(len(marks), dtype=bool)
    names = marks["name"].str.replace(r"\s*\(centre\)\s*$", "", regex=True)
    by_name = {str(n).strip().lower(): i for i, n in zip(comm.index, comm["nom"], strict=True)}
    for k, ((_, row), name) in enumerate(zip(marks.iterrows(), names, strict=True)):
        i = by_name.get(str(name).strip().lower())
        if row["kind"] == "centre-commune" and i is not None:
            comm.loc[i, ["label_lon", "label_lat"]] = row.geometry.x, row.geometry.y
            folded[k] = True
    return comm, marks[~folded]


@functools.lru_cache(maxsize=1)
def _unesco() -> gpd.GeoDataFrame:
    folder = communes_path().parent / "context"
    return gpd.read_file(folder / "unesco_bassin_minier.geojson", engine="pyogrio")


def context_layers(context: bool | str | gpd.GeoDataFrame | None) -> gpd.GeoDataFrame | None:
    """The official context layers to draw: ``"unesco"`` (or True) = the bundled extract.

    Examples
    --------
    >>> c = context_layers("unesco")
    >>> sorted(set(c["layer"])), "Gare de Lens" in set(c["nom"])
    (['batis', 'bien-inscrit', 'cites-minieres'], True)
    """
    if context is None or context is False:
        return None
    if isinstance(context, gpd.GeoDataFrame):
        if "layer" not in context or context.crs is None:
            raise InputFileError("Context layers need a 'layer' column and a CRS.")
        return context.to_crs(WGS84)
    if context is True or str(context).lower() == "unesco":
        return _unesco().copy()
    raise OrtgeoError(f"Unknown context {context!r}: use 'unesco'.")


def read_streets(streets: str | Path | gpd.GeoDataFrame) -> tuple[gpd.GeoDataFrame, str]:
    """A line layer with street names, normalised to ``nom, geometry`` (WGS84), and its credit.

    Reads an IGN BD TOPO ``troncon_de_route`` extract (names in ``nom_collaboratif_gauche``
    / ``_droite``) or any line layer with a name column; unnamed lines are kept (drawn,
    not labelled).

    Examples
    --------
    >>> import shapely
    >>> line = shapely.LineString([(2.83, 50.43), (2.84, 50.43)])
    >>> g = gpd.GeoDataFrame({"nom_voie": ["Rue de Paris"]}, geometry=[line], crs=4326)
    >>> read_streets(g)[0]["nom"].tolist()
    ['Rue de Paris']
    """
    if isinstance(streets, gpd.GeoDataFrame):
        gdf, label = streets, "couche fournie"
    else:
        gdf, label = read_lines(streets), Path(streets).name
    if gdf.crs is None:
        raise InputFileError("The streets layer has no CRS: set one (e.g. EPSG:2154).")
    names = pd.Series("", index=gdf.index, dtype=object)
    for col in _STREET_COLUMNS:
        if col in gdf:
            fill = gdf[col].astype(object).where(gdf[col].notna(), "").astype(str).str.strip()
            names = names.where(names != "", fill)
    lines = gdf.geometry.to_crs(WGS84)
    keep = lines.geom_type.isin(["LineString", "MultiLineString"]).to_numpy()
    if not keep.any():
        raise InputFileError(f"The streets layer {label} holds no line: give road centre lines.")
    out = gpd.GeoDataFrame(
        {"nom": names.to_numpy()[keep]},
        geometry=shapely.force_2d(lines.to_numpy()[keep]),
        crs=WGS84,
    )
    bdtopo = "cleabs" in gdf and gdf["cleabs"].astype(str).str.startswith("TRONROUT").any()
    credit = f"{label} – IGN BD TOPO, tronçons de route, Licence Ouverte 2.0" if bdtopo else label
    return out, credit


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
    given = addresses[status_col].astype(object).where(addresses[status_col].notna(), INVALIDE)
    status = given.astype(str).to_numpy()
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


def _extensions(cat: Catalog) -> list[Layer]:
    """The sectors that extend the centre-ville sector (drawn on the zoom map)."""
    return [x for x in cat.sectors if x.includes_centre_ville is False]


def _frame(kind: str, state: AnnexState, communes: gpd.GeoDataFrame, marks: gpd.GeoDataFrame):
    lens = communes[communes["is_lens"]]
    lens_geom = shapely.union_all(lens.to_crs(L93).geometry.values) if len(lens) else None
    sectors = [x.layer.geometry_l93 for x in state.layers]
    if kind == "zoom-extension":
        ext = [x.geometry_l93 for x in _extensions(state.catalog)]
        return tuple(_pad(shapely.union_all(ext).bounds, 0.35, 1500.0))
    if kind == "situation":
        geoms = [g for g in [lens_geom, *sectors] if g is not None]
        return tuple(_pad(shapely.union_all(geoms).bounds, 0.30, 4000.0))
    if kind == "controle":
        pts = shapely.points(marks["x"].to_numpy(), marks["y"].to_numpy())
        return tuple(_pad(shapely.union_all([*sectors, *pts]).bounds, 0.08, 1000.0))
    geoms = sectors or [x.geometry_l93 for x in state.catalog]
    if lens_geom is not None:
        geoms.append(lens_geom)
    return tuple(_pad(shapely.union_all(geoms).bounds, 0.05, 1000.0))


def _is_control_point(marks: gpd.GeoDataFrame) -> np.ndarray:
    """Digitising control points (mine shafts...): for the QA map, not for the annex."""
    if "role" in marks:
        return (marks["role"].astype(str) == "controle").to_numpy()
    return marks["name"].astype(str).str.startswith("Puits").to_numpy()


def _landmarks(kind: str, marks: gpd.GeoDataFrame | None) -> gpd.GeoDataFrame:
    marks = landmarks() if marks is None else marks.to_crs(WGS84)
    marks = marks.copy()
    for col in ("name", "kind", "note", "source"):
        marks[col] = marks[col].fillna("").astype(str) if col in marks else ""
    control = _is_control_point(marks)
    marks = marks[control] if kind == "controle" else marks[~control]
    marks["precision_m"] = pd.to_numeric(marks.get("precision_m", np.nan), errors="coerce")
    marks["x"], marks["y"] = to_l93_xy(marks.geometry.x.to_numpy(), marks.geometry.y.to_numpy())
    return marks


def _cartouche(state: AnnexState) -> list[str]:
    from ortgeo import __version__

    lines = [style.CARTOUCHE_TITLE]
    for item in state.layers:
        lines.append(
            style.ACT_LINE.format(
                name=item.name, act_title=item.act_title, act_date=item.act_date_fr
            )
        )
    what = style.PRODUCER_INDICATIF if state.data_status == "indicatif" else ""
    lines.append(style.PRODUCER.format(version=__version__, what=what))
    lines.append(style.DRAWN_ON.format(date=date_fr(dates.today())))
    return lines


def build_scene(
    kind: str = "general",
    date: DateLike = None,
    catalog: Catalog | None = None,
    addresses: pd.DataFrame | None = None,
    communes: str | Path | gpd.GeoDataFrame | None = None,
    landmarks_gdf: gpd.GeoDataFrame | None = None,
    communes_label: str | None = None,
    context: bool | str | gpd.GeoDataFrame | None = None,
    streets: str | Path | gpd.GeoDataFrame | None = None,
    cadastre: str | Path | list[str | Path] | tuple[gpd.GeoDataFrame, str] | None = None,
) -> Scene:
    """Decide what a map of Annex 3 shows.

    Parameters
    ----------
    kind : {"situation", "general", "zoom-extension", "controle"}
        The situation map (the commune of Lens and the CALL around it), the general
        map, the zoom on the route de Lille sector, or the QA map of the digitising
        control points (not part of the annex).
    date : str or date, optional
        Date of the perimeters; default: **the sectors the avenant defines**.
    catalog : Catalog, optional
        Perimeter catalogue (default: the bundled, indicative one).
    addresses : DataFrame, optional
        Checked addresses: ``lon``/``lat`` (or point geometries), a status column
        (``status`` or ``ort_status``) and optionally a label column.
    communes : path or GeoDataFrame, optional
        Commune polygons to outline instead of the bundled ones (IGN ADMIN EXPRESS).
    landmarks_gdf : GeoDataFrame, optional
        Points to show instead of :func:`ortgeo.landmarks`.
    communes_label : str, optional
        How to cite a commune layer of your own in the sources (default: its file name).
    context : "unesco", True, GeoDataFrame or None
        Official context layers (the bundled UNESCO extract).
    streets : path or GeoDataFrame, optional
        A road layer with names (IGN BD TOPO ``troncon_de_route`` or any line layer).
    cadastre : path, list of paths, or (GeoDataFrame, credit), optional
        Etalab cadastre files (parcels, buildings) drawn as the background, or what
        :func:`ortgeo.maps.cadastre.read_cadastre` returned for them.

    Raises
    ------
    OrtgeoError
        Unknown ``kind``; ``UnknownLayerError`` when the zoom map is asked of a
        catalogue without an ``ort-extension`` layer.

    Examples
    --------
    >>> scene = build_scene("zoom-extension", date="2022-01-01")
    >>> "non en vigueur" in scene.title, [layer.kind for layer in scene.layers]
    (True, ['ort-sector', 'opah-ru'])
    >>> [x.name for x in build_scene("situation").sectors]  # the avenant's sectors
    ['Centre-ville de Lens', 'Entrée de ville – Lens/Loison-sous-Lens']
    """
    if kind not in style.ALL_MAP_KINDS:
        raise OrtgeoError(
            f"Unknown map kind {kind!r}: use one of {', '.join(style.ALL_MAP_KINDS)}."
        )
    state = annex_state(date, catalog)
    cat, day = state.catalog, state.date
    title = MAP_TITLES[kind]
    notices: list[str] = []
    if state.data_status == "indicatif":
        notices.append(INDICATIF_WARNING)
    if not state.sectors:
        notices.append(f"Aucun périmètre ORT en vigueur le {date_fr(day)}.")
    if kind == "zoom-extension":
        ext = _extensions(cat)
        if not ext:
            raise UnknownLayerError(
                "The catalogue has no sector that extends the centre-ville sector (a sector "
                "with includes_centre_ville = false): the zoom-extension map needs one. Use "
                "the general map, or a catalogue with the extension."
            )
        drawn = {x.id for x in state.layers}
        if not any(layer.id in drawn for layer in ext):
            title += f" — extension non en vigueur le {date_fr(day)}"
            for layer in ext:
                notices.append(
                    f"« {layer.title} » n'est pas en vigueur le {date_fr(day)} "
                    f"(en vigueur {validity(layer)}) : elle n'est pas représentée."
                )
    status = state.data_status
    if state.avenant:
        subtitle = style.AVENANT_SUBTITLE.format(status=style.STATUS_PLURAL.get(status, status))
    else:
        subtitle = style.DATED_SUBTITLE.format(date=date_fr(day), status=status)

    comm = _communes(communes)
    marks = _landmarks(kind, landmarks_gdf)
    comm, marks = _one_name_per_town(comm, marks)
    ctx = context_layers(context)
    street_gdf, street_label = (None, "")
    if streets is not None:
        street_gdf, street_label = read_streets(streets)
    frame = _frame(kind, state, comm, marks)
    outside = (
        street_gdf is not None
        and not street_gdf.intersects(shapely.box(*_frame_wgs84(frame))).any()
    )
    if outside:
        warnings.warn(
            f"No street of {street_label} falls within the map of Lens: is it a road "
            "layer of Lens? The map is drawn without it.",
            UserWarning,
            stacklevel=2,
        )
        street_gdf = None  # as the warning says, for the HTML map too

    parcels, parcels_credit = None, ""
    if cadastre is not None:
        read = cadastre if isinstance(cadastre, tuple) else read_cadastre(cadastre)
        lon0, lat0, lon1, lat1 = _frame_wgs84(frame)
        pad = 0.1 * max(lon1 - lon0, lat1 - lat0)
        parcels = clip_cadastre(read[0], (lon0 - pad, lat0 - pad, lon1 + pad, lat1 + pad))
        parcels_credit = read[1]
        if parcels.empty:
            warnings.warn(
                f"Aucune parcelle de {parcels_credit.removeprefix('Cadastre : ')} ne tombe "
                "dans la carte : est-ce le cadastre de Lens ? Carte dessinée sans lui.",
                UserWarning,
                stacklevel=2,
            )
            parcels = None

    acts = ", ".join(f"{x.name} : {x.act_date_fr}" for x in state.layers)
    sources = [
        f"Périmètres : {cat.name or 'catalogue ortgeo'} ({acts or 'aucun en vigueur'})",
        "Repères et sites d'action : ortgeo d'après Wikipédia, le BRGM et la convention "
        "Action Cœur de Ville de Lens (positions estimées)",
    ]
    if communes is None:
        sources.append(f"Limites communales : {_BUNDLED_COMMUNES}")
    else:
        label = communes_label or (
            Path(communes).name if not isinstance(communes, gpd.GeoDataFrame) else "fournies"
        )
        sources.append(f"Limites communales : {label}")
    if ctx is not None:
        sources.append(style.CONTEXT_CREDIT)
    if street_gdf is not None:
        sources.append(f"Voirie : {street_label}")
    if parcels is not None:
        sources.append(parcels_credit)
    sources.append(
        "Licence : tracés ortgeo dérivés de données sous Licence Ouverte 2.0 (IGN, Mission "
        "Bassin Minier), réutilisables sous Licence Ouverte 2.0 en citant ortgeo et ces "
        "sources ; BAN et cadastre : Licence Ouverte ; OpenStreetMap : ODbL ; logiciel "
        "ortgeo : licence MIT"
    )
    return Scene(
        kind=kind,
        state=state,
        title=title,
        subtitle=subtitle,
        notices=notices,
        sources=sources,
        cartouche=(
            [style.CONTROLE_CARTOUCHE, *_cartouche(state)[1:]]
            if kind == "controle"
            else _cartouche(state)
        ),
        watermark=style.WATERMARK if status == "indicatif" else None,
        frame=frame,
        landmarks=marks,
        communes=comm,
        addresses=_addresses(addresses) if addresses is not None else None,
        context=ctx,
        streets=street_gdf,
        streets_label=f"Voirie ({street_label})" if street_gdf is not None else "",
        cadastre=parcels,
    )
