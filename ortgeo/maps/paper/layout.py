"""Page layout of the print maps: paper sizes, where each block sits, what a page may cost."""

from __future__ import annotations

from matplotlib.backend_bases import RendererBase
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure, SubFigure

from ortgeo.errors import OrtgeoError

__all__ = [
    "MAX_PIXELS",
    "PAPER_SIZES",
    "check_print_size",
    "page_size",
    "text_renderer",
]

#: Landscape paper sizes in inches (ISO 216).
PAPER_SIZES = {"a4": (297 / 25.4, 210 / 25.4), "a3": (420 / 25.4, 297 / 25.4)}
#: Most pixels a raster map may have (A4 up to about 600 dpi, A3 up to about 425 dpi):
#: beyond, one map would need gigabytes of memory.
MAX_PIXELS = 36_000_000
MAP_RECT = (0.02, 0.125, 0.70, 0.765)  # left, bottom, width, height (figure fraction)
LEGEND_RECT = (0.735, 0.43, 0.25, 0.46)
CARTOUCHE_RECT = (0.735, 0.125, 0.25, 0.29)


def check_print_size(size: str, dpi: float) -> None:
    """Refuse, before any drawing, a paper size or a resolution a map cannot afford.

    Examples
    --------
    >>> check_print_size("a4", 300)
    >>> check_print_size("a4", 5000)
    Traceback (most recent call last):
    ...
    ortgeo.errors.OrtgeoError: --dpi 5000 on A4 makes a 58465 × 41339 pixel image (2417 Mpx): \
the limit is 36 Mpx (A4 up to 610 dpi). Use a lower --dpi.
    """
    if size not in PAPER_SIZES:
        raise OrtgeoError(f"Unknown paper size {size!r}: use one of {', '.join(PAPER_SIZES)}.")
    if not dpi > 0:
        raise OrtgeoError(f"--dpi {dpi:g} is not a positive resolution: use e.g. 300.")
    w_in, h_in = PAPER_SIZES[size]
    w, h = round(w_in * dpi), round(h_in * dpi)
    if w * h > MAX_PIXELS:
        best = int((MAX_PIXELS / (w_in * h_in)) ** 0.5)
        raise OrtgeoError(
            f"--dpi {dpi:g} on {size.upper()} makes a {w} × {h} pixel image "
            f"({w * h / 1e6:.0f} Mpx): the limit is {MAX_PIXELS / 1e6:.0f} Mpx "
            f"({size.upper()} up to {best} dpi). Use a lower --dpi."
        )


def page_size(size: str, dpi: float) -> tuple[float, float]:
    """Landscape page size in inches, rounded to whole pixels at ``dpi`` (checked)."""
    check_print_size(size, dpi)
    # whole pixels: A4 at 300 dpi is 3508 × 2480 (matplotlib truncates width × dpi)
    w_in, h_in = ((round(v * dpi) + 0.25) / dpi for v in PAPER_SIZES[size])
    return w_in, h_in


def text_renderer(fig: Figure | SubFigure) -> RendererBase:
    """The renderer of a print figure (always drawn on an Agg canvas, see ``png.figure``),
    to measure text before placing it.

    >>> from matplotlib.figure import Figure
    >>> from matplotlib.backends.backend_agg import FigureCanvasAgg
    >>> fig = Figure(); _ = FigureCanvasAgg(fig)
    >>> type(text_renderer(fig)).__name__
    'RendererAgg'
    """
    canvas = fig.canvas
    if not isinstance(canvas, FigureCanvasAgg):
        raise TypeError("print figures are drawn on an Agg canvas (FigureCanvasAgg).")
    return canvas.get_renderer()
