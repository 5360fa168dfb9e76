"""Print-ready Annex 3 maps (PNG, PDF, SVG) drawn with matplotlib in Lambert-93, no browser.

A4 or A3 landscape at 300 dpi by default. This module puts the page together; each part
lives in :mod:`ortgeo.maps.paper` under the name of its job: ``layout`` (paper sizes, the
pixel budget), ``draw`` (areas, commune limits, context, streets, points), ``labels``
(collision-free labels, street names), ``furniture`` (scale bar, north arrow), ``legend``
and ``cartouche`` (title, cartouche, watermark, footer, page number), ``basemap``.
"""

from __future__ import annotations

from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from PIL import Image
from PIL.PngImagePlugin import PngInfo

from ortgeo.catalog import Catalog
from ortgeo.dates import DateLike
from ortgeo.maps.paper import basemap as _basemap
from ortgeo.maps.paper import cartouche as _page
from ortgeo.maps.paper import draw
from ortgeo.maps.paper.furniture import map_axes, nice_scale_length, north_arrow, scale_bar
from ortgeo.maps.paper.labels import Label, place_labels, sector_anchor, street_labels, wrap
from ortgeo.maps.paper.layout import MAP_RECT, PAPER_SIZES, check_print_size, page_size
from ortgeo.maps.paper.legend import draw_legend
from ortgeo.maps.scene import Scene, build_scene
from ortgeo.maps.style import layer_style
from ortgeo.maps.tiles import Basemap, is_raster, resolve_basemap
from ortgeo.output import atomic_path, check_output_path

__all__ = [
    "FORMATS",
    "PAPER_SIZES",
    "check_print_size",
    "figure",
    "nice_scale_length",
    "render_png",
    "save_figure",
    "scene_figure",
]

#: Output formats chosen by the file extension.
FORMATS = (".png", ".pdf", ".svg")


def scene_figure(
    scene: Scene,
    size: str = "a4",
    dpi: float = 300,
    basemap: str | Path | Basemap | None = None,
) -> Figure:
    """Draw a :class:`~ortgeo.maps.scene.Scene` on a landscape page.

    ``basemap``: a georeferenced raster file, or XYZ tiles (a provider name of the
    xyzservices registry, an XYZ URL template or a :class:`~ortgeo.maps.tiles.Basemap`).

    Examples
    --------
    >>> fig = scene_figure(build_scene("situation"), dpi=50)
    >>> sorted({t.get_gid() for t in fig.texts} - {None})[:3]
    ['cartouche', 'footer', 'subtitle']
    """
    width_in, height_in = page_size(size, dpi)
    scale = width_in / PAPER_SIZES["a4"][0]
    fig = Figure(figsize=(width_in, height_in), dpi=dpi, facecolor="white")
    FigureCanvasAgg(fig)
    fs = 8.0 * scale
    _page.title(fig, scene.title, scene.subtitle, scale)

    ax, frame = map_axes(fig, MAP_RECT, scene.frame)

    # The labels first, on a map that holds only the points, the scale bar and the north
    # arrow: adjustText draws the figure to measure the texts, and the areas and the
    # background would make that draw many times slower. Artists stack by zorder.
    sectors_l93 = shapely.union_all([x.layer.geometry_l93 for x in scene.sectors])
    labels = draw.commune_labels(scene.communes, frame, fs, avoid=sectors_l93)
    for item in scene.sectors:  # every sector named once, on its own ground, on every map
        anchor = sector_anchor(item.layer.geometry_l93, frame)
        if anchor is not None:
            labels.append(
                Label(
                    wrap(item.name, 28), *anchor, 0, fs * 1.15, weight="bold",
                    colour=layer_style(item.layer).colour, keep=True, gid="sector-label",
                )
            )  # fmt: skip
    if scene.addresses is not None and len(scene.addresses):
        draw.addresses(ax, scene.addresses, scale)
    marks, obstacles = draw.landmarks(ax, scene.landmarks, frame, scale, fs)
    labels += marks
    obstacles.append(scale_bar(ax, scene, frame, fs))
    obstacles.append(north_arrow(ax, frame, fs))
    fig._ortgeo_dropped_labels = place_labels(ax, labels, obstacles, scale)  # type: ignore[attr-defined]

    extra_sources: list[str] = []
    if basemap is not None and not isinstance(basemap, Basemap) and is_raster(basemap):
        max_px = int(max(width_in, height_in) * dpi)
        extra_sources.append(_basemap.local_basemap(ax, basemap, frame, max_px))
    elif basemap is not None:
        shape = (round(MAP_RECT[3] * height_in * dpi), round(MAP_RECT[2] * width_in * dpi))
        extra_sources.append(_basemap.tile_basemap(ax, resolve_basemap(basemap), frame, shape, fs))
    draw.communes(ax, scene.communes, frame, scene.kind == "situation")
    if scene.cadastre is not None:
        draw.cadastre(ax, scene.cadastre, frame)
    if scene.context is not None:
        draw.context(ax, scene.context, frame)
    streets_l93 = draw.streets(ax, scene.streets, frame) if scene.streets is not None else None
    for i, layer in enumerate(scene.layers):
        draw.area(
            ax, layer.geometry_l93, layer_style(layer), zorder=4 + i, gid=f"sector-{layer.id}"
        )
    draw_legend(fig, scene, fs)
    background = any(extra_sources) or scene.cadastre is not None  # a background was drawn
    _page.cartouche(fig, _page.cartouche_lines(scene, background), fs * 0.85)
    _page.footer(fig, scene, [s for s in extra_sources if s], fs * 0.9)
    _page.watermark(fig, scene.watermark, scale)
    if streets_l93 is not None:
        street_labels(ax, streets_l93, frame, fs * 0.8)
    return fig


def figure(
    kind: str = "general",
    date: DateLike = None,
    catalog: Catalog | None = None,
    addresses: pd.DataFrame | None = None,
    communes: str | Path | gpd.GeoDataFrame | None = None,
    size: str = "a4",
    dpi: float = 300,
    basemap: str | Path | Basemap | None = None,
    landmarks: gpd.GeoDataFrame | None = None,
    context: bool | str | gpd.GeoDataFrame | None = "unesco",
    streets: str | Path | gpd.GeoDataFrame | None = None,
    cadastre: str | Path | list[str | Path] | None = None,
) -> Figure:
    """The print map of Annex 3 as a matplotlib Figure (Lambert-93, landscape paper).

    Parameters
    ----------
    kind : {"situation", "general", "zoom-extension", "controle"}
        Which map (see :func:`ortgeo.maps.build_scene`).
    date : str or date, optional
        Date of the perimeters (default: the sectors the avenant defines).
    catalog : Catalog, optional
        Perimeter catalogue (default: the bundled, indicative one).
    addresses : DataFrame, optional
        Checked addresses (``lon``, ``lat``, ``status`` or ``ort_status``, label).
    communes : path or GeoDataFrame, optional
        Commune polygons to outline instead of the bundled ones.
    size : {"a4", "a3"}
        Landscape paper size.
    dpi : float
        Resolution of raster output (300 by default; a page may have at most
        :data:`ortgeo.maps.paper.layout.MAX_PIXELS` pixels).
    basemap : str, path or Basemap, optional
        Drawn under the map: a georeferenced raster file (GeoTIFF, any CRS), or XYZ
        tiles — a provider of the xyzservices registry (``OpenStreetMap.Mapnik``,
        ``GeoportailFrance.plan``) or a URL template ``https://…/{z}/{x}/{y}.png`` —
        fetched once, kept in the ortgeo cache folder, credited on the map and in the
        sources; left out, with a warning, when the server does not answer.
    landmarks : GeoDataFrame, optional
        Points to show instead of :func:`ortgeo.landmarks`.
    context : "unesco", GeoDataFrame or None
        Official context layers (the UNESCO Bassin minier by default, as on the HTML
        maps; ``None``: none).
    streets : path or GeoDataFrame, optional
        A road layer with names, drawn under the sectors, names along the lines.
    cadastre : path or list of paths, optional
        Etalab cadastre files (parcels, buildings), drawn as the background.

    Returns
    -------
    matplotlib.figure.Figure
        Artists carry gids: ``title``, ``subtitle``, ``map``, ``legend-panel``,
        ``scalebar``, ``north-arrow``, ``footer``, ``cartouche``, ``watermark``,
        ``label``, ``commune``, ``commune-lens``, ``sector-<id>``, ``context-<layer>``,
        ``streets``, ``street-label``.

    Examples
    --------
    >>> fig = figure("general", date="2024-06-01", dpi=100)  # A4 landscape
    >>> fig.canvas.get_width_height()
    (1169, 827)
    """
    check_print_size(size, dpi)
    scene = build_scene(
        kind, date, catalog, addresses, communes, landmarks, context=context, streets=streets,
        cadastre=cadastre,
    )  # fmt: skip
    return scene_figure(scene, size=size, dpi=dpi, basemap=basemap)


def save_figure(fig: Figure, path: str | Path) -> Path:
    """Save a print map as PNG, PDF or SVG (by the extension of ``path``), atomically."""
    path = check_output_path(path, FORMATS)
    if path.suffix.lower() == ".png":
        return _save_png(fig, path)
    with atomic_path(path) as tmp:
        fig.savefig(
            tmp,
            dpi=fig.dpi,
            facecolor="white",
            format=path.suffix.lower().lstrip("."),
            metadata=_metadata(fig, path.suffix),
        )
    return path


def _save_png(fig: Figure, path: Path) -> Path:
    """The page as an RGB PNG (the page is opaque white: no alpha channel to store), at a
    zlib level that encodes twice as fast as the default for a file no larger."""
    canvas = fig.canvas if isinstance(fig.canvas, FigureCanvasAgg) else FigureCanvasAgg(fig)
    canvas.draw()
    image = Image.fromarray(np.asarray(canvas.buffer_rgba())[..., :3])
    info = PngInfo()
    for key, value in _metadata(fig, ".png").items():
        info.add_text(key, value)
    with atomic_path(path) as tmp:
        image.save(tmp, format="png", dpi=(fig.dpi, fig.dpi), pnginfo=info, compress_level=3)
    return path


def _metadata(fig: Figure, suffix: str) -> dict[str, str]:
    title = next((t.get_text() for t in fig.texts if t.get_gid() == "title"), "")
    if suffix.lower() == ".png":
        return {"Title": title, "Software": "ortgeo"}
    if suffix.lower() == ".pdf":
        return {"Title": title, "Creator": "ortgeo"}
    return {"Title": title}


def render_png(
    kind: str,
    path: str | Path,
    date: DateLike = None,
    dpi: float = 300,
    size: str = "a4",
    **kwargs: object,
) -> Path:
    """Draw a print map of Annex 3 into ``path`` (``.png``, ``.pdf`` or ``.svg``).

    Parameters
    ----------
    kind, date, dpi, size
        As in :func:`figure`.
    path : str or Path
        Output file; its extension picks the format. Checked before any drawing.
    **kwargs
        ``catalog``, ``addresses``, ``communes``, ``basemap``, ``landmarks``, ``cadastre``,
        ``context``, ``streets``.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> out = render_png("zoom-extension", pathlib.Path(tempfile.mkdtemp()) / "z.png", dpi=40)
    >>> out.read_bytes()[:4] == b"\\x89PNG"
    True
    """
    check_output_path(path, FORMATS)
    fig = figure(kind, date=date, dpi=dpi, size=size, **kwargs)  # type: ignore[arg-type]
    return save_figure(fig, path)
