"""Page furniture outside the map: title, cartouche, watermark, footer and page number."""

from __future__ import annotations

import math
from typing import TYPE_CHECKING

from matplotlib.figure import Figure
from matplotlib.patches import FancyBboxPatch

from ortgeo.maps.paper.labels import wrap
from ortgeo.maps.paper.layout import CARTOUCHE_RECT, text_renderer
from ortgeo.maps.style import INDICATIF_WARNING, NO_STREETS, WARNING_COLOUR, date_fr

if TYPE_CHECKING:
    from ortgeo.maps.scene import Scene

__all__ = ["cartouche", "footer", "page_number", "title", "watermark"]


def title(fig: Figure, text: str, subtitle: str, scale: float) -> None:
    """The page title (shrunk to fit the width) and its subtitle."""
    artist = fig.text(
        0.02, 0.975, text, fontsize=16 * scale, fontweight="bold", va="top", gid="title"
    )
    for _ in range(4):  # a long title (extension not in force): shrink it to fit the page
        width_px = artist.get_window_extent(text_renderer(fig)).width
        if width_px <= 0.95 * fig.bbox.width:
            break
        artist.set_fontsize(float(artist.get_fontsize()) * 0.93 * fig.bbox.width / width_px)
    fig.text(0.02, 0.93, subtitle, fontsize=11 * scale, va="top", gid="subtitle")


def cartouche(
    fig: Figure, lines: list[str], fontsize: float, rect: tuple[float, ...] = CARTOUCHE_RECT
) -> None:
    """The boxed cartouche: the annex and its act, the acts of the sectors, producer, date."""
    x, y, w, h = rect
    fig.add_artist(
        FancyBboxPatch(
            (x, y),
            w,
            h,
            boxstyle="square,pad=0",
            transform=fig.transFigure,
            facecolor="white",
            edgecolor="#222222",
            linewidth=0.8,
            gid="cartouche",
            zorder=5,
        )
    )
    chars = int(w * fig.get_figwidth() * 72 / (fontsize * 0.64))
    head, *rest = lines
    body = "\n".join(wrap(line, chars) for line in rest)
    fig.text(
        x + 0.006,
        y + h - 0.008,
        wrap(head, int(chars * 0.92)),
        fontsize=fontsize * 1.05,
        fontweight="bold",
        va="top",
        gid="cartouche",
        zorder=6,
    )
    n_head = wrap(head, int(chars * 0.92)).count("\n") + 1
    offset = n_head * fontsize * 1.05 * 1.35 / 72 / fig.get_figheight()
    text = fig.text(
        x + 0.006,
        y + h - 0.014 - offset,
        body,
        fontsize=fontsize,
        va="top",
        linespacing=1.3,
        gid="cartouche",
        zorder=6,
    )
    for _ in range(8):  # long act chains: a smaller body, wrapped again, until it fits the box
        extent = text.get_window_extent(text_renderer(fig)).transformed(fig.transFigure.inverted())
        if extent.y0 >= y + 0.004:
            break
        size = float(text.get_fontsize()) * 0.93
        chars = int(w * fig.get_figwidth() * 72 / (size * 0.64))
        text.set_text("\n".join(wrap(line, chars) for line in rest))
        text.set_fontsize(size)


def cartouche_lines(scene: Scene, background: bool) -> list[str]:
    """The cartouche of a scene; says so when the map has no street background."""
    lines = list(scene.cartouche)
    if scene.streets is None and scene.cadastre is None and not background:
        lines.append(NO_STREETS)
    return lines


def watermark(fig: Figure, text: str | None, scale: float, portrait: bool = False) -> None:
    """« PROJET – document de travail… » along the page's diagonal, when the tracés are
    indicative, shrunk until it fits the page with a margin (portrait or landscape).

    ``portrait`` says how the page will be printed; the figure's own size decides the
    angle, so that a portrait page gets a steeper line.

    Examples
    --------
    >>> from matplotlib.backends.backend_agg import FigureCanvasAgg
    >>> fig = Figure(figsize=(8.27, 11.69)); _ = FigureCanvasAgg(fig)
    >>> watermark(fig, "PROJET – document de travail – tracés indicatifs, non officiels", 1.0,
    ...           portrait=True)
    >>> box = fig.texts[0].get_window_extent(text_renderer(fig))
    >>> bool(fig.bbox.x0 <= box.x0 and box.x1 <= fig.bbox.x1), round(fig.texts[0].get_rotation())
    (True, 55)
    """
    if not text:
        return
    w, h = fig.get_figwidth(), fig.get_figheight()
    if portrait != (h > w):  # the page is drawn in the other orientation: say so
        raise ValueError(f"watermark(portrait={portrait}) on a {w:.2f} × {h:.2f} in page")
    angle = math.degrees(math.atan2(h, w))
    artist = fig.text(
        0.5,
        0.5,
        text,
        rotation=angle,
        rotation_mode="anchor",
        ha="center",
        va="center",
        fontsize=24 * scale,
        color=WARNING_COLOUR,
        alpha=0.22,
        fontweight="bold",
        gid="watermark",
        zorder=50,
        transform=fig.transFigure,
    )
    renderer = text_renderer(fig)
    page = fig.bbox
    for _ in range(8):  # shrink until the rotated text stays 4 % inside every edge
        box = artist.get_window_extent(renderer)
        fits = box.width <= 0.92 * page.width and box.height <= 0.92 * page.height
        if fits:
            break
        ratio = min(0.92 * page.width / box.width, 0.92 * page.height / box.height)
        artist.set_fontsize(float(artist.get_fontsize()) * ratio * 0.98)


def footer(fig: Figure, scene: Scene, extra: list[str], fontsize: float) -> None:
    """Date and status line, then the sources and the licence."""
    if scene.state.avenant:
        status = f"Secteurs définis par l'avenant n° 2 — statut des tracés : {scene.status}"
    else:
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
    text = "Sources : " + " ; ".join(sources) + "."
    licence = f"{scene.sources[-1]}. Projection Lambert-93 (EPSG:2154)."
    size = fontsize
    for _ in range(4):  # many sources (context, streets): smaller text, never off the page
        chars = int(fig.get_figwidth() * 72 * 0.96 / (size * 0.58))
        body = wrap(text, chars) + "\n" + wrap(licence, chars)
        if body.count("\n") + 1 <= 4:
            break
        size *= 0.9
    fig.text(
        0.02, 0.068, body, fontsize=size, color="#333333", va="top", linespacing=1.25, gid="footer"
    )


def page_number(fig: Figure, number: int, total: int, fontsize: float) -> None:
    """« Page n / N » at the bottom right of the page."""
    fig.text(
        0.985,
        0.012,
        f"Page {number} / {total}",
        ha="right",
        va="bottom",
        fontsize=fontsize,
        gid="page-number",
    )
