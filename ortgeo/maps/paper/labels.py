"""Labels of the print maps, placed by adjustText without collisions; street names along lines."""

from __future__ import annotations

import contextlib
import itertools
import math
import textwrap
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import geopandas as gpd
import shapely
from matplotlib.axes import Axes
from matplotlib.backend_bases import RendererBase
from matplotlib.text import Text
from matplotlib.transforms import Bbox

from ortgeo.maps.paper.layout import text_renderer

__all__ = ["Label", "place_labels", "point_box", "sector_anchor", "street_labels", "wrap"]


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
    """A name to write on the map at ``(x, y)`` (Lambert-93).

    ``priority`` orders the labels (0 first); a label that still overlaps another after
    placement is left out, lowest priority first — never a ``keep`` label (the sectors'
    names). ``centred`` labels name an area (a town) rather than a point.
    """

    text: str
    x: float
    y: float
    priority: int
    fontsize: float
    weight: str = "normal"
    style: str = "normal"
    colour: str = "#222222"
    centred: bool = False
    keep: bool = False
    gid: str = "label"


def place_labels(
    ax: Axes,
    labels: list[Label],
    obstacles: list[Bbox],
    scale: float,
    limits: shapely.Geometry | None = None,
) -> int:
    """Place every label, moving apart with adjustText those that collide, then leave out
    those that still do.

    A point's name is first written just right of its point, an area's name on it. The
    labels that collide there with another label or an ``obstacle`` (markers, scale bar,
    north arrow) or stick out of the map are moved apart by
    :func:`adjustText.adjust_text`, the others staying put as obstacles (with a thin
    leader line when a label ends far from its point — unless one of 16 spots around its
    point is free by then). Any label that still collides is tried at 16 nearby spots,
    then removed, lowest priority first; ``keep`` labels (the sectors' names) are never
    removed. ``limits`` is accepted for compatibility and not
    used: adjustText does not know lines.

    Returns the number of labels left out.
    """
    from adjustText import adjust_text

    del limits
    renderer = text_renderer(ax.figure)
    axes_box = ax.get_window_extent(renderer)
    nudge = 5 * scale * ax.figure.dpi / 72 * (ax.get_xlim()[1] - ax.get_xlim()[0]) / axes_box.width
    ordered = sorted(labels, key=lambda item: (not item.keep, item.priority))
    texts = [
        ax.text(
            lab.x if lab.centred or lab.keep else lab.x + nudge,
            lab.y,
            lab.text,
            ha="center" if lab.centred or lab.keep else "left",
            va="center",
            fontsize=lab.fontsize,
            fontweight=lab.weight,
            fontstyle=lab.style,
            color=lab.colour,
            zorder=21 if lab.keep else 20,
            gid=lab.gid,
            clip_on=False,
            bbox={"boxstyle": "round,pad=0.15", "fc": "white", "ec": "none", "alpha": 0.7},
        )
        for lab in ordered
    ]
    starts = [(*t.get_position(), t.get_horizontalalignment()) for t in texts]
    boxes = [t.get_window_extent(renderer) for t in texts]
    crowded = [
        i
        for i, box in enumerate(boxes)
        if not _inside(box, axes_box)
        or any(box.overlaps(other) for other in obstacles)
        or any(box.overlaps(other) for j, other in enumerate(boxes) if j != i)
    ]
    leader_of: dict[int, Any] = {}
    if crowded:  # only these move; the others are obstacles for them
        moving = [texts[i] for i in crowded]
        settled = [b for i, b in enumerate(boxes) if i not in set(crowded)]
        with _fixed_limits(ax):
            _, leaders = adjust_text(
                moving,
                x=[ordered[i].x for i in crowded],
                y=[ordered[i].y for i in crowded],
                target_x=[ordered[i].x for i in crowded],
                target_y=[ordered[i].y for i in crowded],
                objects=[*obstacles, *settled],
                ax=ax,
                ensure_inside_axes=True,
                expand=(1.08, 1.25),
                force_text=(0.2, 0.35),
                force_static=(0.2, 0.35),
                min_arrow_len=12 * scale,
                prevent_crossings=False,  # costly; the leaders are short and few
                iter_lim=80,  # adjustText need not converge: _free_spot settles what is left
                arrowprops={"arrowstyle": "-", "color": "#555555", "lw": 0.6, "shrinkB": 2},
            )
        leader_of = {id(p.patchA): p for p in leaders if hasattr(p, "patchA")}
        for patch in leaders:
            patch.set_gid("label-leader")
            patch.set_zorder(19)
    taken: list[Bbox] = list(obstacles)
    dropped = 0
    for lab, text, start in zip(ordered, texts, starts, strict=True):
        box = None
        leader = leader_of.get(id(text))
        if leader is not None and not lab.keep:  # sent far away: a free spot near its point?
            far, far_ha = text.get_position(), text.get_horizontalalignment()
            text.set_position(start[:2])
            text.set_horizontalalignment(start[2])
            box = _free_spot(text, renderer, axes_box, taken)
            if box is not None:
                leader.remove()
                del leader_of[id(text)]
            else:
                text.set_position(far)
                text.set_horizontalalignment(far_ha)
        box = box or _free_spot(text, renderer, axes_box, taken)
        if box is None and not lab.keep:
            text.remove()
            leader = leader_of.get(id(text))
            if leader is not None:
                leader.remove()
            dropped += 1
            continue
        taken.append(box or text.get_window_extent(renderer))
    return dropped


@contextlib.contextmanager
def _fixed_limits(ax: Axes) -> Iterator[None]:
    """While adjustText adds its leader lines: the map's limits are fixed (autoscale off),
    so skip the data-limits update of each new patch — for a leader attached to its text
    it clips the arrow against the text box, the costliest part of adjustText here."""
    if ax.get_autoscalex_on() or ax.get_autoscaley_on():
        yield
        return
    vars(ax)["_update_patch_limits"] = lambda patch: None  # this axes only, for now
    try:
        yield
    finally:
        del vars(ax)["_update_patch_limits"]


def _inside(box: Bbox, frame: Bbox) -> bool:
    """Whether ``box`` lies within ``frame`` (one pixel of slack)."""
    return (
        frame.x0 - 1 <= box.x0
        and box.x1 <= frame.x1 + 1
        and frame.y0 - 1 <= box.y0
        and box.y1 <= frame.y1 + 1
    )


def _free_spot(
    text: Text, renderer: RendererBase, axes_box: Bbox, taken: list[Bbox]
) -> Bbox | None:
    """The box of ``text`` where adjustText left it, or, if it collides there, one box
    or two widths or heights away (16 neighbouring spots); ``None`` when all collide."""

    def fits(box: Bbox) -> bool:
        return _inside(box, axes_box) and not any(box.overlaps(other) for other in taken)

    box = text.get_window_extent(renderer)
    if fits(box):
        return box
    x, y = text.get_position()
    to_data = text.axes.transData.inverted()  # type: ignore[union-attr]
    (x0, y0), (x1, y1) = to_data.transform([(box.x0, box.y0), (box.x1, box.y1)])
    w, h = (x1 - x0) * 1.05, (y1 - y0) * 1.15
    ring = ((0, 1), (0, -1), (1, 0), (-1, 0), (1, 1), (-1, 1), (1, -1), (-1, -1))
    for k, (dx, dy) in itertools.product((1, 2), ring):
        text.set_position((x + k * dx * w, y + k * dy * h))
        box = text.get_window_extent(renderer)
        if fits(box):
            return box
    text.set_position((x, y))
    return None


def sector_anchor(geom: shapely.Geometry, frame: tuple[float, ...]) -> tuple[float, float] | None:
    """Where to write an area's name: the centre of the largest circle inside its visible
    part (its "pole of inaccessibility"); ``None`` when it is not on the map.

    Examples
    --------
    >>> ell = shapely.box(0, 0, 100, 10).union(shapely.box(0, 0, 10, 100))  # an L
    >>> ell.contains(shapely.Point(sector_anchor(ell, (0, 0, 200, 200))))
    True
    >>> sector_anchor(ell, (500, 500, 600, 600)) is None
    True
    """
    visible = geom.intersection(shapely.box(*frame))
    if visible.is_empty or visible.area <= 0:
        return None
    parts = [g for g in getattr(visible, "geoms", [visible]) if g.geom_type == "Polygon"]
    if not parts:
        return None
    largest = max(parts, key=lambda g: g.area)
    tolerance = max(1.0, (largest.area**0.5) / 200)
    centre = shapely.maximum_inscribed_circle(largest, tolerance).coords[0]
    return float(centre[0]), float(centre[1])


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
