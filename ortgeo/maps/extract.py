"""A map extract around one place, at the size of a fiche: the paper maps' drawing, smaller.

The same parts as the Annex 3 print maps (:mod:`ortgeo.maps.paper`): the sectors in their
styles, the commune limits, the cadastre or the ``--basemap`` tiles as background, the
scale bar and the north arrow; the place asked marked with a cross, the parcel outlined,
a short legend beside the map. Offline by default.
"""

from __future__ import annotations

import dataclasses
import io
import math
from pathlib import Path

import numpy as np
import shapely
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.patches import Patch

from ortgeo.catalog import Catalog
from ortgeo.crs import to_l93_xy
from ortgeo.dates import DateLike
from ortgeo.maps.legend import LegendItem
from ortgeo.maps.paper import basemap as _basemap
from ortgeo.maps.paper import draw
from ortgeo.maps.paper.furniture import map_axes, north_arrow, scale_bar
from ortgeo.maps.paper.legend import handle
from ortgeo.maps.scene import build_scene
from ortgeo.maps.style import COMMUNE_STYLE, LENS_STYLE, layer_style
from ortgeo.maps.tiles import Basemap, resolve_basemap
from ortgeo.texts import macro

__all__ = ["MAP_SHARE", "extract_figure", "extract_png", "extract_span"]

#: Share of the figure's width the map takes; the legend sits in the rest.
MAP_SHARE = 0.68
#: The place's mark: a cross in a ring, in the colour of nothing else on the map.
_MARK = "#e6007e"


def extract_span(distance_m: float | None) -> float:
    """Width (m) of the extract: the nearest limit in view, between 1.2 and 6 km.

    Examples
    --------
    >>> extract_span(384.0), extract_span(None), extract_span(15089.0)
    (1200.0, 2500.0, 6000.0)
    """
    if distance_m is None or not math.isfinite(distance_m):
        return 2500.0
    return float(min(6000.0, max(1200.0, 3.0 * abs(distance_m))))


def extract_figure(
    lon: float,
    lat: float,
    date: DateLike,
    catalog: Catalog | None = None,
    *,
    size_mm: tuple[float, float] = (180.0, 82.0),
    dpi: float = 200.0,
    span_m: float = 2500.0,
    basemap: str | Path | Basemap | None = None,
    cadastre: str | Path | list[str | Path] | None = None,
    parcel: shapely.Geometry | None = None,
    mark_label: str = "",
) -> Figure:
    """The map extract around ``(lon, lat)`` with the perimeters in force on ``date``.

    Parameters
    ----------
    lon, lat : float
        The place (WGS84), marked with a cross.
    date : str or date
        Date of the perimeters drawn.
    catalog : Catalog, optional
        Perimeter catalogue (default: the bundled one).
    size_mm : (float, float)
        Width and height of the figure in millimetres (map and legend).
    dpi : float
        Resolution of the raster output.
    span_m : float
        Width of the ground shown, in metres (see :func:`extract_span`).
    basemap : str, path or Basemap, optional
        Tiles or a raster under the map, as on the paper maps (default: none, offline).
    cadastre : path or list of paths, optional
        Etalab cadastre files drawn as the background.
    parcel : shapely geometry, optional
        A parcel (WGS84) to outline.
    mark_label : str
        The legend's label of the mark (default: « Lieu vérifié », from the fiche's texts).

    Examples
    --------
    >>> fig = extract_figure(2.833889, 50.429167, "2024-06-01", dpi=60)
    >>> sorted({a.get_gid() for a in fig.axes[0].get_children()} & {"scalebar", "north-arrow"})
    ['north-arrow', 'scalebar']
    """
    mark_label = mark_label or macro("fiche.txt.j2", "mark_label")
    width_in, height_in = size_mm[0] / 25.4, size_mm[1] / 25.4
    fig = Figure(figsize=(width_in, height_in), dpi=dpi, facecolor="white")
    FigureCanvasAgg(fig)
    fs = 6.5
    x, y = (float(v[0]) for v in to_l93_xy(np.array([lon]), np.array([lat])))
    rect = (0.0, 0.0, MAP_SHARE, 1.0)
    ax, frame = map_axes(fig, rect, (x - span_m / 2, y - span_m / 4, x + span_m / 2,
                                     y + span_m / 4))  # fmt: skip
    scene = build_scene("general", date, catalog, cadastre=cadastre, context=None)
    scene = dataclasses.replace(scene, frame=frame)

    if basemap is not None:
        shape = (round(rect[3] * height_in * dpi), round(rect[2] * width_in * dpi))
        _basemap.tile_basemap(ax, resolve_basemap(basemap), frame, shape, fs)
    draw.communes(ax, scene.communes, frame, situation=False)
    if scene.cadastre is not None:
        draw.cadastre(ax, scene.cadastre, frame)
    for i, layer in enumerate(scene.layers):
        draw.area(
            ax, layer.geometry_l93, layer_style(layer), zorder=4 + i, gid=f"sector-{layer.id}"
        )
    if parcel is not None:
        xs, ys = to_l93_xy(*np.asarray(shapely.get_coordinates(parcel)).T)
        ax.fill(xs, ys, facecolor="none", edgecolor=_MARK, linewidth=1.2, zorder=19, gid="parcel")
    ax.plot(x, y, marker="o", markersize=11, markerfacecolor="none", markeredgecolor=_MARK,
            markeredgewidth=1.6, zorder=20, gid="place")  # fmt: skip
    ax.plot(x, y, marker="+", markersize=15, color=_MARK, markeredgewidth=1.6, zorder=20,
            gid="place")  # fmt: skip
    scale_bar(ax, scene, frame, fs)
    north_arrow(ax, frame, fs)

    handles: list[object] = [
        Line2D([], [], linestyle="none", marker="P", markersize=8, markerfacecolor=_MARK,
               markeredgecolor=_MARK, label=mark_label),
        *[handle(LegendItem(layer.name, "area", area=layer_style(layer)), 26)
          for layer in scene.layers],
        handle(LegendItem(LENS_STYLE.legend, "line", area=LENS_STYLE), 26),
        handle(LegendItem(COMMUNE_STYLE.legend, "line", area=COMMUNE_STYLE), 26),
    ]  # fmt: skip
    if parcel is not None:
        handles.insert(1, Patch(facecolor="none", edgecolor=_MARK, label="Parcelle"))
    lax = fig.add_axes((MAP_SHARE + 0.015, 0.0, 1 - MAP_SHARE - 0.015, 1.0), gid="legend-panel")
    lax.set_axis_off()
    leg = lax.legend(handles=handles, loc="upper left", fontsize=fs, frameon=False,
                     handlelength=2.4, handleheight=1.3, borderaxespad=0,
                     labelspacing=0.5)  # fmt: skip
    leg.set_gid("legend")
    return fig


def extract_png(fig: Figure) -> bytes:
    """The extract as PNG bytes (RGB, at the figure's resolution).

    Examples
    --------
    >>> extract_png(extract_figure(2.833889, 50.429167, "2024-06-01", dpi=40))[:4]
    b'\\x89PNG'
    """
    out = io.BytesIO()
    fig.savefig(out, format="png", dpi=fig.dpi, facecolor="white")
    return out.getvalue()
