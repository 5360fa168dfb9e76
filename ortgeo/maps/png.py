"""Print-ready Annex 3 maps (PNG, PDF, SVG) drawn with matplotlib in Lambert-93, no browser.

A4 or A3 landscape at 300 dpi by default: title, perimeters in the styles of
:mod:`ortgeo.maps.style`, commune outlines, landmarks and action sites with labels
placed without collisions (greedy), legend, scale bar in metres, north arrow and a
footer with the date, status (with the ``indicatif`` warning) and sources. A background
is optional: a local raster (GeoTIFF, read with rasterio) or online tiles (contextily);
without one the map is complete.
"""

from __future__ import annotations

import datetime as _dt
import math
import textwrap
import warnings
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from matplotlib.axes import Axes
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.colors import to_rgba
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.patches import Circle, Patch, PathPatch, Rectangle
from matplotlib.path import Path as MplPath
from matplotlib.text import Annotation
from matplotlib.transforms import Bbox

from ortgeo.catalog import Catalog
from ortgeo.crs import L93, to_l93_xy, to_wgs84_lonlat
from ortgeo.dates import DateLike
from ortgeo.errors import InputFileError, OrtgeoError
from ortgeo.maps.scene import Scene, build_scene
from ortgeo.maps.style import (
    COMMUNE_STYLE,
    GROUP_LABELS,
    INDICATIF_WARNING,
    LANDMARK_STYLES,
    LENS_STYLE,
    PRECISION_LEGEND,
    STATUS_COLOURS,
    STATUS_LABELS,
    WARNING_COLOUR,
    LayerStyle,
    date_fr,
    layer_style,
    precision_fr,
)

__all__ = ["PAPER_SIZES", "figure", "nice_scale_length", "render_png"]

#: Landscape paper sizes in inches (ISO 216).
PAPER_SIZES = {"a4": (297 / 25.4, 210 / 25.4), "a3": (420 / 25.4, 297 / 25.4)}
#: Output formats chosen by the file extension.
FORMATS = (".png", ".pdf", ".svg")
_MAP_RECT = (0.02, 0.125, 0.70, 0.765)  # left, bottom, width, height (figure fraction)
_LEGEND_RECT = (0.735, 0.125, 0.25, 0.765)
_OSM_ATTRIBUTION = "© contributeurs OpenStreetMap (ODbL)"


def nice_scale_length(span_m: float, fraction: float = 0.2) -> float:
    """A round scale-bar length (1, 2, 2.5 or 5 × 10^k m) close to ``fraction`` of ``span_m``.

    Examples
    --------
    >>> nice_scale_length(4300), nice_scale_length(900), nice_scale_length(12000)
    (500.0, 100.0, 2000.0)
    """
    target = span_m * fraction
    exp = math.floor(math.log10(target))
    for step in (5.0, 2.5, 2.0, 1.0):
        if step * 10**exp <= target:
            return step * 10**exp
    return 10.0**exp  # pragma: no cover (1 × 10^exp <= target by construction)


def _metres_fr(value: float) -> str:
    if value >= 1000:
        km = value / 1000
        return f"{km:g}".replace(".", ",") + " km"
    return f"{value:g}".replace(".", ",") + " m"


def _path(geom: shapely.Geometry) -> MplPath:
    """A matplotlib path of a (multi)polygon, holes included."""
    verts: list[np.ndarray] = []
    codes: list[np.ndarray] = []
    polygons = getattr(geom, "geoms", [geom])
    for poly in polygons:
        if poly.geom_type != "Polygon" or poly.is_empty:
            continue
        for ring in [poly.exterior, *poly.interiors]:
            xy = np.asarray(ring.coords)[:, :2]
            c = np.full(len(xy), MplPath.LINETO, dtype=MplPath.code_type)
            c[0], c[-1] = MplPath.MOVETO, MplPath.CLOSEPOLY
            verts.append(xy)
            codes.append(c)
    if not verts:
        return MplPath(np.zeros((0, 2)))
    return MplPath(np.concatenate(verts), np.concatenate(codes))


def _draw_area(ax: Axes, geom: shapely.Geometry, style: LayerStyle, zorder: float) -> None:
    if style.fill_opacity > 0:
        ax.add_patch(
            PathPatch(
                _path(geom),
                facecolor=style.colour,
                alpha=min(1.0, style.fill_opacity * 1.5),
                edgecolor="none",
                zorder=zorder,
            )
        )
    if style.hatch:
        ax.add_patch(
            PathPatch(
                _path(geom),
                facecolor="none",
                edgecolor=style.colour,
                hatch=style.hatch,
                linewidth=0,
                alpha=0.55,
                zorder=zorder,
            )
        )
    _outline(ax, geom, style, zorder + 0.5)


def _outline(ax: Axes, geom: shapely.Geometry, style: LayerStyle, zorder: float) -> None:
    ax.add_patch(
        PathPatch(
            _path(geom),
            facecolor="none",
            edgecolor=style.colour,
            linewidth=style.mpl_linewidth,
            linestyle=style.mpl_linestyle,
            zorder=zorder,
        )
    )


def _legend_patch(style: LayerStyle, label: str, fill: bool = True) -> Patch:
    face = to_rgba(style.colour, min(1.0, style.fill_opacity * 1.5))
    return Patch(
        facecolor=face if fill and style.fill_opacity > 0 else "none",
        edgecolor=style.colour,
        hatch=style.hatch if fill else None,
        linewidth=style.mpl_linewidth,
        linestyle=style.mpl_linestyle,
        label=label,
    )


# -- label placement ------------------------------------------------------------------------
@dataclass
class _Label:
    text: str
    x: float
    y: float
    priority: int
    fontsize: float
    weight: str = "normal"
    style: str = "normal"
    colour: str = "#222222"
    centred: bool = False


#: Candidate offsets (points) around a point, best first, on growing rings.
_DIRECTIONS = [(1, 0.6), (1, -0.6), (-1, 0.6), (-1, -0.6), (0, 1), (0, -1), (1, 0), (-1, 0)]


def _place_labels(
    ax: Axes,
    labels: list[_Label],
    obstacles: list[Bbox],
    scale: float,
    limits: shapely.Geometry | None = None,
) -> int:
    """Greedy placement: each label takes the first candidate spot that collides with nothing.

    Candidates are tried around the point on growing rings. A spot must stay inside the
    map, overlap no label or obstacle (markers, scale bar, north arrow) and, if any spot
    allows it, cross none of the ``limits`` (perimeter outlines, Lambert-93): a label
    box must not hide where a perimeter runs.

    Returns the number of labels that found no free spot (they are left out).
    """
    renderer = ax.figure.canvas.get_renderer()
    axes_box = ax.get_window_extent(renderer)
    to_data = ax.transData.inverted()
    if limits is not None:
        shapely.prepare(limits)
    taken = list(obstacles)
    dropped = 0
    for lab in sorted(labels, key=lambda item: item.priority):
        text = ax.annotate(
            lab.text,
            (lab.x, lab.y),
            xytext=(0, 0),
            textcoords="offset points",
            fontsize=lab.fontsize,
            fontweight=lab.weight,
            fontstyle=lab.style,
            color=lab.colour,
            zorder=20,
            annotation_clip=False,
            gid="label",
            bbox={"boxstyle": "round,pad=0.15", "fc": "white", "ec": "none", "alpha": 0.65},
        )
        rings = [(0.0, 0.0)] if lab.centred else []
        for radius in (6.0, 16.0, 30.0):
            rings += [(dx * radius * scale, dy * radius * scale) for dx, dy in _DIRECTIONS]
        free: list[tuple[float, float, Bbox, bool]] = []
        for dx, dy in rings:
            _set_offset(text, dx, dy)
            box = text.get_window_extent(renderer).expanded(1.04, 1.08)
            inside = (
                box.x0 >= axes_box.x0
                and box.x1 <= axes_box.x1
                and box.y0 >= axes_box.y0
                and box.y1 <= axes_box.y1
            )
            if not inside or any(box.overlaps(other) for other in taken):
                continue
            (x0, y0), (x1, y1) = to_data.transform([(box.x0, box.y0), (box.x1, box.y1)])
            crosses = limits is not None and limits.intersects(shapely.box(x0, y0, x1, y1))
            free.append((dx, dy, box, crosses))
            if not crosses:
                break
        if not free:
            text.remove()
            dropped += 1
            continue
        dx, dy, box, _ = min(free, key=lambda spot: spot[3])  # first spot crossing no limit
        _set_offset(text, dx, dy)
        taken.append(box)
        if math.hypot(dx, dy) > 20 * scale:
            ax.annotate(
                "",
                (lab.x, lab.y),
                xytext=(dx, dy),
                textcoords="offset points",
                arrowprops={"arrowstyle": "-", "color": "#555555", "lw": 0.6},
                zorder=19,
                gid="label-leader",
            )
    return dropped


def _set_offset(text: Annotation, dx: float, dy: float) -> None:
    text.xyann = (dx, dy)
    text.set_ha("center" if dx == 0 else ("left" if dx > 0 else "right"))
    text.set_va("center" if dy == 0 else ("bottom" if dy > 0 else "top"))


def _point_box(ax: Axes, x: float, y: float, radius_pt: float) -> Bbox:
    px, py = ax.transData.transform((x, y))
    r = radius_pt * ax.figure.dpi / 72
    return Bbox.from_extents(px - r, py - r, px + r, py + r)


# -- furniture --------------------------------------------------------------------------------
def _emptiest_corner(scene: Scene, frame: tuple[float, ...], size: tuple[float, float]) -> str:
    """The bottom corner ("left" or "right") of the frame that hides the least of the map."""
    xmin, ymin, xmax, _ = frame
    w, h = size
    costs = {}
    for side, x0 in (("left", xmin), ("right", xmax - w)):
        box = shapely.box(x0, ymin, x0 + w, ymin + h)
        marks = scene.landmarks
        hidden = (
            (marks["x"] >= x0)
            & (marks["x"] <= x0 + w)
            & (marks["y"] >= ymin)
            & (marks["y"] <= ymin + h)
        ).sum()
        covered = sum(layer.geometry_l93.intersection(box).area for layer in scene.layers)
        costs[side] = 10 * int(hidden) + covered / box.area
    return min(costs, key=lambda side: costs[side])


def _scale_bar(ax: Axes, scene: Scene, frame: tuple[float, ...], fontsize: float) -> Bbox:
    xmin, ymin, xmax, ymax = frame
    width, height = xmax - xmin, ymax - ymin
    length = nice_scale_length(width)
    parts = 4 if (length / 4) % 1 == 0 or length >= 1000 else 2
    box_w = length + 0.05 * width
    side = _emptiest_corner(scene, frame, (box_w + 0.03 * width, 0.11 * height))
    x0 = xmin + 0.035 * width if side == "left" else xmax - 0.02 * width - box_w + 0.015 * width
    y0 = ymin + 0.045 * height
    bar_h = 0.012 * height
    ax_w_in = ax.get_position().width * ax.figure.get_figwidth()
    denominator = width / (ax_w_in * 0.0254)
    digits = 10 ** max(0, int(math.log10(denominator)) - 1)
    denominator = round(denominator / digits) * digits
    artists = [
        Rectangle(
            (x0 - 0.015 * width, y0 - 0.032 * height),
            box_w,
            0.085 * height,
            facecolor="white",
            edgecolor="#888888",
            linewidth=0.5,
            alpha=0.9,
            zorder=30,
        )
    ]
    for i in range(parts):
        artists.append(
            Rectangle(
                (x0 + i * length / parts, y0),
                length / parts,
                bar_h,
                facecolor="black" if i % 2 == 0 else "white",
                edgecolor="black",
                linewidth=0.6,
                zorder=31,
            )
        )
    for artist in artists:
        artist.set_gid("scalebar")
        ax.add_patch(artist)
    for value in (0.0, length / 2, length):
        ax.text(
            x0 + value,
            y0 + bar_h * 1.4,
            _metres_fr(value) if value else "0",
            ha="center",
            va="bottom",
            fontsize=fontsize,
            zorder=32,
            gid="scalebar",
        )
    ax.text(
        x0,
        y0 - bar_h * 0.6,
        f"Échelle ≈ 1:{denominator:,}".replace(",", " ") + " (à 100 %)",
        ha="left",
        va="top",
        fontsize=fontsize * 0.85,
        zorder=32,
        gid="scalebar",
    )
    fig = ax.figure
    renderer = fig.canvas.get_renderer()
    return artists[0].get_window_extent(renderer)


def _north_arrow(ax: Axes, frame: tuple[float, ...], fontsize: float) -> Bbox:
    """An arrow to true north (the tiny Lambert-93 meridian convergence included)."""
    xmin, ymin, xmax, ymax = frame
    cx, cy = (xmin + xmax) / 2, (ymin + ymax) / 2
    lon, lat = to_wgs84_lonlat(np.array([cx]), np.array([cy]))  # meridian through the centre
    nx, ny = to_l93_xy(np.repeat(lon, 2), np.array([lat[0], lat[0] + 0.01]))
    angle = math.atan2(nx[1] - nx[0], ny[1] - ny[0])  # clockwise from grid north
    w, h = xmax - xmin, ymax - ymin
    base = (xmax - 0.05 * w, ymax - 0.16 * h)
    length = 0.08 * h
    tip = (base[0] + length * math.sin(angle), base[1] + length * math.cos(angle))
    ax.annotate(
        "",
        tip,
        xytext=base,
        zorder=30,
        gid="north-arrow",
        arrowprops={
            "arrowstyle": "-|>,head_width=0.45,head_length=0.9",
            "color": "black",
            "lw": 1.6,
        },
    )
    text = ax.text(
        tip[0],
        tip[1] + 0.012 * h,
        "N",
        ha="center",
        va="bottom",
        fontsize=fontsize * 1.3,
        fontweight="bold",
        zorder=30,
        gid="north-arrow",
    )
    renderer = ax.figure.canvas.get_renderer()
    box = text.get_window_extent(renderer)
    bx0, by0 = ax.transData.transform(base)
    return Bbox.from_extents(min(box.x0, bx0 - 10), by0 - 5, max(box.x1, bx0 + 10), box.y1)


def _fit_frame(frame: tuple[float, ...], ratio: float) -> tuple[float, float, float, float]:
    """Grow ``frame`` so that width / height == ``ratio`` (axes aspect), centred."""
    xmin, ymin, xmax, ymax = frame
    w, h = xmax - xmin, ymax - ymin
    cx, cy = (xmin + xmax) / 2, (ymin + ymax) / 2
    if w / h < ratio:
        w = h * ratio
    else:
        h = w / ratio
    return cx - w / 2, cy - h / 2, cx + w / 2, cy + h / 2


# -- backgrounds -------------------------------------------------------------------------------
def _local_basemap(ax: Axes, path: str | Path, frame: tuple[float, ...], max_px: int) -> str:
    try:
        import rasterio
        from rasterio.vrt import WarpedVRT
        from rasterio.windows import from_bounds
    except ImportError:  # pragma: no cover (rasterio comes with the "basemap" extra)
        raise OrtgeoError(
            "A local basemap needs rasterio: pip install 'ortgeo[basemap]'."
        ) from None
    path = Path(path)
    if not path.is_file():
        raise InputFileError(f"Basemap file not found: {path}. Give a GeoTIFF.")
    try:
        src = rasterio.open(path)
    except rasterio.errors.RasterioIOError as exc:
        raise InputFileError(f"Cannot read {path.name} as a raster (GeoTIFF): {exc}.") from None
    with src:
        if src.crs is None:
            raise InputFileError(
                f"{path.name} has no coordinate reference system: georeference it "
                "(e.g. gdal_translate -a_srs EPSG:2154) before using it as a basemap."
            )
        with WarpedVRT(src, crs=L93) as vrt:
            left, bottom, right, top = vrt.bounds
            xmin, ymin, xmax, ymax = frame
            xmin, ymin = max(xmin, left), max(ymin, bottom)
            xmax, ymax = min(xmax, right), min(ymax, top)
            if xmin >= xmax or ymin >= ymax:
                warnings.warn(
                    f"Basemap {path.name} does not cover the map frame: drawn without it.",
                    UserWarning,
                    stacklevel=3,
                )
                return ""
            window = from_bounds(xmin, ymin, xmax, ymax, transform=vrt.transform)
            factor = max(window.width, window.height) / max_px
            shape = (
                max(1, round(window.height / max(factor, 1))),
                max(1, round(window.width / max(factor, 1))),
            )
            bands = [1, 2, 3] if vrt.count >= 3 else [1]
            data = vrt.read(bands, window=window, out_shape=(len(bands), *shape), masked=True)
    image = np.moveaxis(data.filled(255 if data.dtype == np.uint8 else 0), 0, -1)
    if image.dtype != np.uint8:
        lo, hi = float(np.nanmin(image)), float(np.nanmax(image))
        image = ((image - lo) / ((hi - lo) or 1.0) * 255).astype(np.uint8)
    if image.shape[-1] == 1:
        image = image[..., 0]
    ax.imshow(
        image,
        extent=(xmin, xmax, ymin, ymax),
        origin="upper",
        zorder=0,
        cmap="gray" if image.ndim == 2 else None,
        interpolation="bilinear",
    )
    return f"Fond : {path.name}"


def _online_basemap(ax: Axes, tiles: bool | str) -> str:
    try:
        import contextily as ctx
    except ImportError:
        warnings.warn(
            "Online background asked but contextily is not installed "
            "(pip install 'ortgeo[basemap]'): drawn without it.",
            UserWarning,
            stacklevel=3,
        )
        return ""
    source = tiles if isinstance(tiles, str) else ctx.providers.OpenStreetMap.Mapnik
    try:
        ctx.add_basemap(ax, crs=L93, source=source, attribution=False, zorder=0)
    except Exception as exc:  # network errors come in many types (requests, urllib3, PIL)
        warnings.warn(
            f"Online background unavailable ({type(exc).__name__}: {exc}): drawn without it.",
            UserWarning,
            stacklevel=3,
        )
        return ""
    return f"Fond : {_OSM_ATTRIBUTION}" if not isinstance(tiles, str) else "Fond : tuiles en ligne"


# -- the figure --------------------------------------------------------------------------------
def _wrap(text: str, width: int) -> str:
    return "\n".join(textwrap.wrap(text, width=width, break_long_words=False)) or text


def _legend(fig: Figure, scene: Scene, fontsize: float, wrap: int) -> Axes:
    lax = fig.add_axes(_LEGEND_RECT, gid="legend-panel")
    lax.set_axis_off()
    handles: list[object] = []
    headers: list[int] = []

    def header(text: str) -> None:
        headers.append(len(handles))
        handles.append(Patch(facecolor="none", edgecolor="none", label=text))

    header("Périmètres")
    for layer in scene.layers:
        style = layer_style(layer)
        handles.append(
            _legend_patch(
                style,
                _wrap(f"{layer.title} ({layer.status}, {precision_fr(layer.accuracy_m)})", wrap),
            )
        )
    if not scene.layers:
        handles.append(
            Patch(facecolor="none", edgecolor="none", label="aucun périmètre en vigueur")
        )
    if scene.communes is not None:
        header(GROUP_LABELS["communes"])
        handles.append(
            Line2D(
                [],
                [],
                color=LENS_STYLE.colour,
                lw=LENS_STYLE.mpl_linewidth,
                label=LENS_STYLE.legend,
            )
        )
        handles.append(
            Line2D(
                [],
                [],
                color=COMMUNE_STYLE.colour,
                lw=COMMUNE_STYLE.mpl_linewidth,
                linestyle=COMMUNE_STYLE.mpl_linestyle,
                label=COMMUNE_STYLE.legend,
            )
        )
    kinds = set(scene.landmarks["kind"])
    if kinds:
        header(GROUP_LABELS["landmarks"])
    for kind, style in LANDMARK_STYLES.items():
        if kind in kinds:
            handles.append(
                Line2D(
                    [],
                    [],
                    linestyle="none",
                    marker="o",
                    markersize=style.radius * 1.3,
                    markerfacecolor=style.colour,
                    markeredgecolor=style.edge if style.edge != "#ffffff" else "#333333",
                    label=_wrap(style.legend, wrap),
                )
            )
    if "action" in kinds:
        handles.append(
            Line2D(
                [],
                [],
                linestyle="none",
                marker="o",
                markersize=15,
                markerfacecolor="none",
                markeredgecolor=LANDMARK_STYLES["action"].colour,
                label=_wrap(PRECISION_LEGEND, wrap),
            )
        )
    if scene.addresses is not None and len(scene.addresses):
        header(GROUP_LABELS["addresses"])
        counts = scene.addresses["status"].value_counts()
        for status, label in STATUS_LABELS.items():
            if counts.get(status, 0):
                handles.append(
                    Line2D(
                        [],
                        [],
                        linestyle="none",
                        marker="o",
                        markersize=6,
                        markerfacecolor=STATUS_COLOURS[status],
                        markeredgecolor="white",
                        label=f"{label} ({counts[status]})",
                    )
                )
    leg = lax.legend(
        handles=handles,
        loc="upper left",
        fontsize=fontsize,
        frameon=True,
        title="Légende",
        title_fontproperties={"weight": "bold", "size": fontsize * 1.15},
        alignment="left",
        handlelength=2.6,
        handleheight=1.4,
        borderaxespad=0,
        labelspacing=0.55,
    )
    for i in headers:
        leg.get_texts()[i].set_fontweight("bold")
        leg.legend_handles[i].set_visible(False)
    notices = [n for n in scene.notices if n != INDICATIF_WARNING]
    if notices:
        lax.text(
            0.0,
            0.0,
            "\n".join(_wrap(n, wrap + 6) for n in notices),
            ha="left",
            va="bottom",
            fontsize=fontsize,
            color=WARNING_COLOUR,
            fontweight="bold",
            transform=lax.transAxes,
            gid="notice",
        )
    return lax


def _footer(fig: Figure, scene: Scene, extra: Iterable[str], fontsize: float) -> None:
    from ortgeo import __version__

    chars = int(fig.get_figwidth() * 72 * 0.96 / (fontsize * 0.52))
    status = f"Date des périmètres : {date_fr(scene.day)} — statut : {scene.status}"
    if scene.indicatif:
        status += f" — {INDICATIF_WARNING}"
    fig.text(
        0.02,
        0.097,
        status,
        fontsize=fontsize * 1.1,
        fontweight="bold",
        color=WARNING_COLOUR if scene.indicatif else "#222222",
        va="top",
        gid="footer",
    )
    sources = [*scene.sources[:-1], *extra]
    body = _wrap("Sources : " + " ; ".join(sources) + ".", chars)
    body += "\n" + _wrap(
        f"{scene.sources[-1]}. Projection Lambert-93 (EPSG:2154). Carte produite par "
        f"ortgeo {__version__} le {date_fr(_dt.date.today())}.",
        chars,
    )
    fig.text(
        0.02,
        0.068,
        body,
        fontsize=fontsize,
        color="#333333",
        va="top",
        linespacing=1.3,
        gid="footer",
    )


def _scene_figure(
    scene: Scene,
    size: str = "a4",
    dpi: float = 300,
    basemap: str | Path | None = None,
    tiles: bool | str = False,
) -> Figure:
    if size not in PAPER_SIZES:
        raise OrtgeoError(f"Unknown paper size {size!r}: use one of {', '.join(PAPER_SIZES)}.")
    # whole pixels: A4 at 300 dpi is 3508 × 2480 (matplotlib truncates width × dpi)
    width_in, height_in = ((round(v * dpi) + 0.25) / dpi for v in PAPER_SIZES[size])
    scale = width_in / PAPER_SIZES["a4"][0]
    fig = Figure(figsize=(width_in, height_in), dpi=dpi, facecolor="white")
    FigureCanvasAgg(fig)
    fs = 8.0 * scale
    title = fig.text(
        0.02, 0.975, scene.title, fontsize=16 * scale, fontweight="bold", va="top", gid="title"
    )
    for _ in range(4):  # a long title (extension not in force): shrink it to fit the page
        width_px = title.get_window_extent(fig.canvas.get_renderer()).width
        if width_px <= 0.95 * fig.bbox.width:
            break
        title.set_fontsize(title.get_fontsize() * 0.93 * fig.bbox.width / width_px)
    fig.text(0.02, 0.93, scene.subtitle, fontsize=11 * scale, va="top", gid="subtitle")

    ax = fig.add_axes(_MAP_RECT, gid="map")
    ratio = (_MAP_RECT[2] * width_in) / (_MAP_RECT[3] * height_in)
    frame = _fit_frame(scene.frame, ratio)
    ax.set_xlim(frame[0], frame[2])
    ax.set_ylim(frame[1], frame[3])
    ax.set_aspect("equal", adjustable="box")
    ax.set_xticks([])
    ax.set_yticks([])
    ax.set_facecolor("#fbfbf8")
    for spine in ax.spines.values():
        spine.set_edgecolor("#444444")

    extra_sources: list[str] = []
    if basemap is not None:
        max_px = int(max(width_in, height_in) * dpi)
        extra_sources.append(_local_basemap(ax, basemap, frame, max_px))
    elif tiles:
        extra_sources.append(_online_basemap(ax, tiles))
        ax.set_xlim(frame[0], frame[2])
        ax.set_ylim(frame[1], frame[3])

    frame_box = shapely.box(*frame)
    labels: list[_Label] = []
    if scene.communes is not None:
        comm = scene.communes.to_crs(L93)
        for geom, name, is_lens in zip(comm.geometry, comm["nom"], comm["is_lens"], strict=True):
            if not geom.intersects(frame_box):
                continue
            style = LENS_STYLE if is_lens else COMMUNE_STYLE
            _outline(ax, geom, style, zorder=2 if is_lens else 1)
            visible = geom.intersection(frame_box.buffer(-0.03 * (frame[2] - frame[0])))
            if name and not visible.is_empty and visible.area > 0.01 * frame_box.area:
                pt = visible.representative_point()
                labels.append(
                    _Label(
                        name.upper() if is_lens else name,
                        pt.x,
                        pt.y,
                        3,
                        fs * 1.05,
                        style="italic",
                        colour="#555555",
                        centred=True,
                    )
                )
    for i, layer in enumerate(scene.layers):
        _draw_area(ax, layer.geometry_l93, layer_style(layer), zorder=4 + i)

    if scene.addresses is not None and len(scene.addresses):
        addr = scene.addresses
        ax.scatter(
            addr["x"],
            addr["y"],
            s=(2.2 * scale) ** 2 * 2,
            c=[STATUS_COLOURS[s] for s in addr["status"]],
            edgecolors="white",
            linewidths=0.2,
            zorder=9,
            gid="addresses",
        )

    marks = scene.landmarks
    in_frame = marks[
        (marks["x"] > frame[0])
        & (marks["x"] < frame[2])
        & (marks["y"] > frame[1])
        & (marks["y"] < frame[3])
    ]
    obstacles: list[Bbox] = []
    fig.canvas.draw_idle()
    for _, row in in_frame.iterrows():
        style = LANDMARK_STYLES.get(row["kind"], LANDMARK_STYLES["repere"])
        is_action = row["kind"] == "action"
        if is_action and pd.notna(row["precision_m"]):
            ax.add_patch(
                Circle(
                    (row["x"], row["y"]),
                    float(row["precision_m"]),
                    facecolor=style.colour,
                    alpha=0.07,
                    edgecolor="none",
                    zorder=10,
                )
            )
            ax.add_patch(
                Circle(
                    (row["x"], row["y"]),
                    float(row["precision_m"]),
                    facecolor="none",
                    edgecolor=style.colour,
                    linestyle=(0, (4, 3)),
                    linewidth=0.9,
                    zorder=10,
                )
            )
        radius_pt = style.radius * 0.75 * scale
        ax.plot(
            row["x"],
            row["y"],
            marker="o",
            markersize=2 * radius_pt,
            markerfacecolor=style.colour,
            markeredgecolor=style.edge if style.edge != "#ffffff" else "#222222",
            markeredgewidth=0.8,
            zorder=12,
            gid=f"landmark-{row['kind']}",
        )
        obstacles.append(_point_box(ax, row["x"], row["y"], radius_pt + 1))
        text = _wrap(row["name"], 30)
        if is_action and pd.notna(row["precision_m"]):
            text += f"\n(position {precision_fr(row['precision_m'])})"
        labels.append(
            _Label(
                text,
                row["x"],
                row["y"],
                0 if is_action else 1,
                fs * (1.0 if is_action else 0.95),
                weight="bold" if is_action else "normal",
                colour="#8a1251" if is_action else "#222222",
            )
        )

    obstacles.append(_scale_bar(ax, scene, frame, fs))
    obstacles.append(_north_arrow(ax, frame, fs))
    _legend(fig, scene, fs, wrap=40)
    _footer(fig, scene, [s for s in extra_sources if s], fs * 0.9)
    limits = shapely.union_all([layer.geometry_l93.boundary for layer in scene.layers])
    fig._ortgeo_dropped_labels = _place_labels(  # type: ignore[attr-defined]
        ax, labels, obstacles, scale, limits=None if limits.is_empty else limits
    )
    return fig


def figure(
    kind: str = "general",
    date: DateLike = None,
    catalog: Catalog | None = None,
    addresses: pd.DataFrame | None = None,
    communes: str | Path | gpd.GeoDataFrame | None = None,
    size: str = "a4",
    dpi: float = 300,
    basemap: str | Path | None = None,
    tiles: bool | str = False,
    landmarks: gpd.GeoDataFrame | None = None,
) -> Figure:
    """The print map of Annex 3 as a matplotlib Figure (Lambert-93, landscape paper).

    Parameters
    ----------
    kind : {"general", "zoom-extension"}
        The general map, or the zoom on the route de Lille extension.
    date : str or date, optional
        Date of the perimeters (default today).
    catalog : Catalog, optional
        Perimeter catalogue (default: the bundled, indicative one).
    addresses : DataFrame, optional
        Checked addresses (``lon``, ``lat``, ``status`` or ``ort_status``, label).
    communes : path or GeoDataFrame, optional
        Commune polygons to outline (Lens in bold).
    size : {"a4", "a3"}
        Landscape paper size.
    dpi : float
        Resolution of raster output (300 by default).
    basemap : path, optional
        A georeferenced raster (GeoTIFF, any CRS) drawn under the map.
    tiles : bool or str
        Online OpenStreetMap background through contextily (or an XYZ URL template);
        left out, with a warning, when unreachable.
    landmarks : GeoDataFrame, optional
        Points to show instead of :func:`ortgeo.landmarks`.

    Returns
    -------
    matplotlib.figure.Figure
        Artists carry gids: ``title``, ``subtitle``, ``map``, ``legend-panel``,
        ``scalebar``, ``north-arrow``, ``footer``, ``label``.

    Examples
    --------
    >>> fig = figure("general", date="2024-06-01", dpi=100)  # A4 landscape
    >>> fig.canvas.get_width_height()
    (1169, 827)
    """
    scene = build_scene(kind, date, catalog, addresses, communes, landmarks)
    return _scene_figure(scene, size=size, dpi=dpi, basemap=basemap, tiles=tiles)


def save_figure(fig: Figure, path: str | Path) -> Path:
    """Save a print map as PNG, PDF or SVG, chosen by the extension of ``path``."""
    path = Path(path)
    if path.suffix.lower() not in FORMATS:
        raise OrtgeoError(
            f"Cannot write {path.name}: use one of the extensions {', '.join(FORMATS)}."
        )
    if not path.parent.exists():
        raise OrtgeoError(f"Cannot write {path}: folder {path.parent} does not exist.")
    fig.savefig(path, dpi=fig.dpi, facecolor="white", metadata=_metadata(fig, path.suffix))
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
        Output file; its extension picks the format.
    **kwargs
        ``catalog``, ``addresses``, ``communes``, ``basemap``, ``tiles``, ``landmarks``.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> out = render_png("zoom-extension", pathlib.Path(tempfile.mkdtemp()) / "z.png", dpi=40)
    >>> out.read_bytes()[:4] == b"\\x89PNG"
    True
    """
    fig = figure(kind, date=date, dpi=dpi, size=size, **kwargs)  # type: ignore[arg-type]
    return save_figure(fig, path)
