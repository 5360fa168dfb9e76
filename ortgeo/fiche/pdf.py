"""The fiche as one A4 page of PDF (fpdf2), fonts embedded.

The blocks of :class:`~ortgeo.fiche.content.Fiche` are laid out top to bottom in DejaVu
Sans (the TrueType fonts matplotlib ships, embedded as subsets, as in ``annexe3.pdf``);
the map extract is placed at the size its scale bar was drawn for. When the text would
run past the page, it is laid out again a little smaller: the fiche is always one page.
"""

from __future__ import annotations

import functools
import io
from pathlib import Path
from typing import Literal

from fpdf import FPDF
from fpdf.enums import WrapMode, XPos, YPos
from matplotlib import font_manager

from ortgeo.fiche.content import Block, Fiche
from ortgeo.output import atomic_path

__all__ = ["PAGE_MM", "fiche_pdf", "write_fiche_pdf"]

#: A4 portrait, millimetres.
PAGE_MM = (210.0, 297.0)
_MARGIN = 15.0
_TOP, _BOTTOM = 12.0, 12.0
#: Font size (pt) and style of each kind of block, at scale 1.
_FONTS: dict[str, tuple[str, str, float]] = {
    "title": ("sans", "B", 13.5), "subtitle": ("sans", "", 10.0),
    "disclaimer": ("sans", "", 8.0), "banner-synthetic": ("sans", "B", 9.0),
    "banner-indicatif": ("sans", "B", 8.5), "heading": ("sans", "B", 9.5),
    "strong": ("sans", "B", 9.5), "text": ("sans", "", 8.5), "small": ("sans", "", 7.3),
    "mono": ("mono", "", 6.3), "caption": ("sans", "", 7.0), "link": ("sans", "", 8.0),
}  # fmt: skip
#: Space before a block (mm, at scale 1).
_BEFORE = {"heading": 3.2, "disclaimer": 2.0, "banner-synthetic": 2.0, "banner-indicatif": 2.0,
           "strong": 0.6, "map": 1.0, "link": 0.6}  # fmt: skip
_SCALES = (1.0, 0.94, 0.88, 0.82, 0.76, 0.7, 0.64, 0.58)


@functools.cache
def _fonts() -> dict[tuple[str, str], str]:
    """The DejaVu TrueType files matplotlib ships: sans (regular, bold) and mono."""

    def find(family: str, weight: str = "normal") -> str:
        props = font_manager.FontProperties(family=family, weight=weight)
        return str(font_manager.findfont(props, fallback_to_default=False))

    return {("sans", ""): find("DejaVu Sans"), ("sans", "B"): find("DejaVu Sans", "bold"),
            ("mono", ""): find("DejaVu Sans Mono")}  # fmt: skip


def _new_pdf(title: str) -> FPDF:
    pdf = FPDF(unit="mm", format="A4")
    pdf.set_auto_page_break(False)
    pdf.set_margins(_MARGIN, _TOP, _MARGIN)
    for (family, style), file in _fonts().items():
        pdf.add_font(family, style, file)
    pdf.set_title(title)
    pdf.set_creator("ortgeo")
    pdf.add_page()
    return pdf


def _block(pdf: FPDF, block: Block, fiche: Fiche, scale: float) -> None:
    width = PAGE_MM[0] - 2 * _MARGIN
    pdf.set_y(pdf.get_y() + _BEFORE.get(block.kind, 0.0) * scale)
    if block.kind == "map":
        w, h = fiche.map_size_mm
        pdf.image(
            io.BytesIO(fiche.map_png), x=_MARGIN, y=pdf.get_y(), w=w, h=h, alt_text=block.text
        )
        pdf.set_y(pdf.get_y() + h + 0.8)
        return
    family, style, size = _FONTS[block.kind]
    pdf.set_font(family, style, size * scale)
    line = size * scale * 0.3528 * 1.28  # points to mm, with leading
    fill, pad = False, 0
    border: Literal[0, 1] = 0
    pdf.set_text_color(0, 0, 0)
    if block.kind == "disclaimer":
        pdf.set_fill_color(255, 243, 205)
        pdf.set_draw_color(199, 154, 0)
        fill, border, pad = True, 1, 1
    elif block.kind == "banner-synthetic":
        pdf.set_fill_color(176, 0, 32)
        pdf.set_text_color(255, 255, 255)
        fill, pad = True, 1
    elif block.kind == "banner-indicatif":
        pdf.set_fill_color(255, 243, 205)
        pdf.set_draw_color(138, 109, 0)
        pdf.set_text_color(77, 56, 0)
        fill, border, pad = True, 1, 1
    elif block.kind == "link":
        pdf.set_text_color(11, 87, 164)
    elif block.kind in ("caption", "small", "mono"):
        pdf.set_text_color(60, 60, 60)
    wrap = WrapMode.CHAR if block.kind in ("mono", "link") else WrapMode.WORD
    pdf.multi_cell(width, line, block.text, border=border, fill=fill, align="L",
                   new_x=XPos.LMARGIN, new_y=YPos.NEXT, wrapmode=wrap,
                   link=block.href or None, padding=pad)  # fmt: skip
    if block.kind == "title":
        pdf.set_y(pdf.get_y() + 0.5)


def fiche_pdf(fiche: Fiche) -> bytes:
    """The fiche as the bytes of a one-page A4 PDF.

    Examples
    --------
    >>> import ortgeo
    >>> from ortgeo.fiche.content import fiche_content
    >>> pdf = fiche_pdf(fiche_content(ortgeo.check_point(2.833889, 50.429167,
    ...                                                  "2024-06-01").to_dict()))
    >>> pdf[:5], pdf.count(b"/Type /Page\\n")
    (b'%PDF-', 1)
    """
    limit = PAGE_MM[1] - _BOTTOM
    for scale in _SCALES:
        pdf = _new_pdf(fiche.title)
        for block in fiche.blocks:
            _block(pdf, block, fiche, scale)
        if pdf.get_y() <= limit and pdf.page_no() == 1:
            break
    return bytes(pdf.output())


def write_fiche_pdf(fiche: Fiche, path: str | Path) -> Path:
    """Write the fiche's PDF to ``path`` (atomically)."""
    path = Path(path)
    with atomic_path(path) as tmp:
        Path(tmp).write_bytes(fiche_pdf(fiche))
    return path
