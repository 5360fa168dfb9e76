"""Map furniture of the print maps: scale bar, north arrow, the frame fitted to the axes."""

from __future__ import annotations

import math
from typing import TYPE_CHECKING

import numpy as np
import shapely
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.patches import Rectangle
from matplotlib.transforms import Bbox

from ortgeo.crs import to_l93_xy, to_wgs84_lonlat
from ortgeo.maps.paper.layout import text_renderer

if TYPE_CHECKING:
    from ortgeo.maps.scene import Scene

__all__ = ["fit_frame", "map_axes", "nice_scale_length", "north_arrow", "scale_bar"]


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


def scale_bar(ax: Axes, scene: Scene, frame: tuple[float, ...], fontsize: float) -> Bbox:
    xmin, ymin, xmax, ymax = frame
    width, height = xmax - xmin, ymax - ymin
    length = nice_scale_length(width)
    parts = 4 if (length / 4) % 1 == 0 or length >= 1000 else 2
    box_w = length + 0.05 * width
    side = _emptiest_corner(scene, frame, (box_w + 0.03 * width, 0.11 * height))
    x0 = xmin + 0.035 * width if side == "left" else xmax - 0.02 * width - box_w + 0.015 * width
    y0 = ymin + 0.045 * height
    bar_h = 0.012 * height
    figure = ax.get_figure(root=True)
    assert figure is not None  # the map axes belong to the page figure
    ax_w_in = ax.get_position().width * figure.get_figwidth()
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
    renderer = text_renderer(fig)
    return artists[0].get_window_extent(renderer)


def north_arrow(ax: Axes, frame: tuple[float, ...], fontsize: float) -> Bbox:
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
    renderer = text_renderer(ax.figure)
    box = text.get_window_extent(renderer)
    bx0, by0 = ax.transData.transform(base)
    return Bbox.from_extents(min(box.x0, bx0 - 10), by0 - 5, max(box.x1, bx0 + 10), box.y1)


def fit_frame(frame: tuple[float, ...], ratio: float) -> tuple[float, float, float, float]:
    """Grow ``frame`` so that width / height == ``ratio`` (axes aspect), centred."""
    xmin, ymin, xmax, ymax = frame
    w, h = xmax - xmin, ymax - ymin
    cx, cy = (xmin + xmax) / 2, (ymin + ymax) / 2
    if w / h < ratio:
        w = h * ratio
    else:
        h = w / ratio
    return cx - w / 2, cy - h / 2, cx + w / 2, cy + h / 2


def map_axes(
    fig: Figure, rect: tuple[float, float, float, float], frame: tuple[float, ...]
) -> tuple[Axes, tuple[float, float, float, float]]:
    """The map's axes at ``rect`` (figure fraction), showing ``frame`` (Lambert-93) grown to
    the axes' shape: no ticks, the paper maps' background and frame line.

    Examples
    --------
    >>> fig = Figure(figsize=(4, 2))
    >>> ax, shown = map_axes(fig, (0, 0, 1, 1), (0, 0, 100, 100))
    >>> [float(v) for v in shown], ax.get_gid()
    ([-50.0, 0.0, 150.0, 100.0], 'map')
    """
    width_in, height_in = fig.get_figwidth(), fig.get_figheight()
    shown = fit_frame(frame, (rect[2] * width_in) / (rect[3] * height_in))
    ax = fig.add_axes(rect, gid="map")
    ax.set_xlim(shown[0], shown[2])
    ax.set_ylim(shown[1], shown[3])
    ax.set_aspect("equal", adjustable="box")
    ax.set_xticks([])
    ax.set_yticks([])
    ax.set_facecolor("#fbfbf8")
    for spine in ax.spines.values():
        spine.set_edgecolor("#444444")
    return ax, shown
