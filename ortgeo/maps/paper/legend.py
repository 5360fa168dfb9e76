"""The legend panel of the print maps, drawn from :attr:`ortgeo.maps.scene.Scene.legend`."""

from __future__ import annotations

from typing import TYPE_CHECKING

from matplotlib.axes import Axes
from matplotlib.colors import to_rgba
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.patches import Patch

from ortgeo.maps.legend import LegendItem
from ortgeo.maps.paper.labels import wrap
from ortgeo.maps.paper.layout import LEGEND_RECT, text_renderer
from ortgeo.maps.style import INDICATIF_WARNING, WARNING_COLOUR

if TYPE_CHECKING:
    from ortgeo.maps.scene import Scene

__all__ = ["draw_legend", "handle"]


def handle(item: LegendItem, width: int) -> object:
    """The matplotlib handle that shows one legend item's symbol (styles shown, not described)."""
    label = wrap(item.label, width)
    if item.symbol in ("area", "line") and item.area is not None:
        style = item.area
        if item.symbol == "line":
            return Line2D(
                [],
                [],
                color=style.colour,
                lw=style.mpl_linewidth,
                linestyle=style.mpl_linestyle,
                label=label,
            )
        face = to_rgba(style.colour, min(1.0, style.fill_opacity * 1.5))
        return Patch(
            facecolor=face if style.fill_opacity > 0 else "none",
            edgecolor=style.colour,
            hatch=style.hatch,
            linewidth=style.mpl_linewidth,
            linestyle=style.mpl_linestyle,
            label=label,
        )
    if item.dot is not None:
        dot = item.dot
        edge = dot.edge if dot.edge != "#ffffff" else "#333333"
        if item.symbol == "ring":
            return Line2D(
                [],
                [],
                linestyle="none",
                marker="o",
                markersize=15,
                markerfacecolor="none",
                markeredgecolor=dot.colour,
                label=label,
            )
        return Line2D(
            [],
            [],
            linestyle="none",
            marker="o",
            markersize=dot.radius * 1.3,
            markerfacecolor=dot.colour,
            markeredgecolor=edge,
            label=label,
        )
    return Patch(facecolor="none", edgecolor="none", label=label)


def draw_legend(fig: Figure, scene: Scene, fontsize: float, width: int = 42) -> Axes:
    """The legend panel (right column, above the cartouche); shrinks its text to fit."""
    lax = fig.add_axes(LEGEND_RECT, gid="legend-panel")
    lax.set_axis_off()
    handles: list[object] = []
    headers: list[int] = []
    for group in scene.legend:
        headers.append(len(handles))
        handles.append(Patch(facecolor="none", edgecolor="none", label=wrap(group.title, width)))
        handles += [handle(item, width) for item in group.items]
    size = fontsize
    renderer = text_renderer(fig)
    panel = lax.get_window_extent(renderer)
    for _ in range(6):
        old = lax.get_legend()
        if old is not None:
            old.remove()
        leg = lax.legend(
            handles=handles,
            loc="upper left",
            fontsize=size,
            frameon=True,
            title="Légende",
            title_fontproperties={"weight": "bold", "size": size * 1.15},
            alignment="left",
            handlelength=2.6,
            handleheight=1.4,
            borderaxespad=0,
            labelspacing=0.45,
        )
        if leg.get_window_extent(renderer).height <= panel.height * 1.02:
            break
        size *= 0.9
    for i in headers:
        leg.get_texts()[i].set_fontweight("bold")
        mark = leg.legend_handles[i]
        if mark is not None:
            mark.set_visible(False)
    leg.set_gid("legend")
    notices = [n for n in scene.notices if n != INDICATIF_WARNING]
    if notices:
        lax.text(
            0.0,
            0.0,
            "\n".join(wrap(n, width + 6) for n in notices),
            ha="left",
            va="bottom",
            fontsize=fontsize,
            color=WARNING_COLOUR,
            fontweight="bold",
            transform=lax.transAxes,
            gid="notice",
        )
    return lax
