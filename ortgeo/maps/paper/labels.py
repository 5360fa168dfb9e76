"""Labels of the print maps, placed without collisions (greedy), and street names along lines."""

from __future__ import annotations

import math
import textwrap
from dataclasses import dataclass

import geopandas as gpd
import shapely
from matplotlib.axes import Axes
from matplotlib.text import Annotation
from matplotlib.transforms import Bbox

from ortgeo.maps.paper.layout import text_renderer

__all__ = ["Label", "place_labels", "point_box", "street_labels", "wrap"]


def wrap(text: str, width: int) -> str:
    """``text`` wrapped on lines of at most ``width`` characters (long words kept whole).

    Examples
    --------
    >>> wrap("Secteur d'intervention – centre-ville", 20)
    "Secteur\\nd'intervention –\\ncentre-ville"
    """
    return (
        "\n".join(textwrap.wrap(text, width=width, break_long_words=False, break_on_hyphens=False))
        or text
    )


@dataclass
class Label:
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


def place_labels(
    ax: Axes,
    labels: list[Label],
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
    renderer = text_renderer(ax.figure)
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
    text.set_horizontalalignment("center" if dx == 0 else ("left" if dx > 0 else "right"))
    text.set_verticalalignment("center" if dy == 0 else ("bottom" if dy > 0 else "top"))


def point_box(ax: Axes, x: float, y: float, radius_pt: float) -> Bbox:
    px, py = ax.transData.transform((x, y))
    r = radius_pt * ax.figure.dpi / 72
    return Bbox.from_extents(px - r, py - r, px + r, py + r)


def street_labels(
    ax: Axes, streets: gpd.GeoDataFrame, frame: tuple[float, ...], fontsize: float
) -> int:
    """Write each street name once along its longest visible piece; returns how many.

    ``streets`` are Lambert-93 lines with ``nom``. A name is written, rotated along the
    line, only where the piece is longer than the text, and never over another name.
    """
    renderer = text_renderer(ax.figure)
    box = shapely.box(*frame)
    metres_per_px = (frame[2] - frame[0]) / ax.get_window_extent(renderer).width
    taken: list[Bbox] = []
    written = 0
    named = streets[streets["nom"] != ""]
    for name, group in named.groupby("nom", sort=False):
        merged = shapely.line_merge(shapely.union_all(group.geometry.to_numpy()))
        visible = merged.intersection(box)
        pieces = [g for g in getattr(visible, "geoms", [visible]) if g.geom_type == "LineString"]
        if not pieces:
            continue
        piece = max(pieces, key=lambda g: g.length)
        text_px = len(str(name)) * fontsize * 0.55 * ax.figure.dpi / 72
        if piece.length < 1.2 * text_px * metres_per_px:
            continue
        mid = piece.interpolate(0.5, normalized=True)
        a = piece.interpolate(max(0.0, 0.5 - 0.05), normalized=True)
        b = piece.interpolate(min(1.0, 0.5 + 0.05), normalized=True)
        angle = math.degrees(math.atan2(b.y - a.y, b.x - a.x))
        if angle > 90:
            angle -= 180
        elif angle < -90:
            angle += 180
        text = ax.text(
            mid.x,
            mid.y,
            str(name),
            rotation=angle,
            rotation_mode="anchor",
            ha="center",
            va="center",
            fontsize=fontsize,
            color="#555555",
            fontstyle="italic",
            zorder=3.5,
            gid="street-label",
            clip_on=True,
        )
        extent = text.get_window_extent(renderer)
        if any(extent.overlaps(other) for other in taken):
            text.remove()
            continue
        taken.append(extent)
        written += 1
    return written
