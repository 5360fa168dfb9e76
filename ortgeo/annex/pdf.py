"""``annexe3.pdf``: the maps and the address list as numbered pages, fonts embedded.

The map pages are the print figures of :mod:`ortgeo.maps.png` (vector, matplotlib). The
list pages are text tables: matplotlib draws them slowly (tens of thousands of glyphs,
each tracked and kerned in Python), so they are laid out here and written with fpdf2 in
DejaVu Sans (the TrueType font matplotlib ships and the maps use, embedded as a subset).
Their page furniture — title, cartouche, watermark when the tracés are indicative — is
the same matplotlib code as the maps', drawn once on a transparent portrait page and laid
over every list page (pypdf); every page carries « Page n / N ».
"""

from __future__ import annotations

import functools
import io
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, cast

import matplotlib
from fpdf import FPDF
from matplotlib import font_manager
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.backends.backend_pdf import PdfPages
from matplotlib.figure import Figure
from pypdf import PageObject, PdfReader, PdfWriter
from pypdf.generic import (
    ArrayObject,
    DecodedStreamObject,
    DictionaryObject,
    IndirectObject,
    NameObject,
)

from ortgeo.maps.paper import cartouche as page
from ortgeo.maps.paper.labels import wrap
from ortgeo.maps.paper.layout import PAPER_SIZES
from ortgeo.maps.paper.pdffonts import cached_font_subsets
from ortgeo.output import atomic_path

__all__ = ["ListLayout", "write_pdf"]

_TOP, _BOTTOM = 0.875, 0.215  # table area (fraction of the page height, from the bottom)
_FS = 7.0  # list text size (points, A4; scaled with the paper)
_LINE = 0.0118  # height of one text line (fraction of the page height)
_GAP = 0.01  # space between two table columns (fraction of the page width)
#: Table columns: left edge and heading (fractions of the page width); the last one ends
#: at the right margin.
_COLUMNS = ((0.05, "Commune"), (0.19, "Voie"), (0.45, "Numéros"), (0.95, "Adr."))
_RIGHT = 0.985
_LISTS = (
    ("included", "Adresses incluses"),
    ("check", "À vérifier – dans la marge d'incertitude du tracé"),
)
#: Size (× the list text size) of the headings, by kind.
_BIG = {"category": 1.35, "sector": 1.12, "heading": 1.05}
_FAMILY = "DejaVu Sans"
NO_LIST = (
    "Liste des adresses non produite : aucune source d'adresses (BAN) n'a été donnée. "
    "LISEZMOI.txt dit comment l'obtenir (ortgeo annex --ban adresses-62.csv.gz)."
)


def _rows(parts: list[dict[str, Any]]) -> Iterator[tuple[str, list[str]]]:
    """The list as a stream of (kind, cells): headings, table heads and rows."""
    last_category = None
    head = [c[1] for c in _COLUMNS]
    for part in parts:
        if part["category"] != last_category:
            last_category = part["category"]
            title = (
                "Secteurs d'intervention de l'ORT"
                if last_category != "pour information"
                else "Pour information – autres dispositifs (pas des secteurs d'intervention)"
            )
            yield "category", [title]
        yield "sector", [f"{part['title']} — {part['legend']}"]
        yield "note", [part["act"]]
        yield "note", [f"Communes : {part['communes']}"]
        yield "note", [f"Actes en vigueur : {part['acts']}"]
        for key, title in _LISTS:
            count = part["n_included" if key == "included" else "n_check"]
            yield "heading", [f"{title} ({count})"]
            if not part[key]:
                yield "note", ["Aucune adresse."]
                continue
            yield "head", head
            for r in part[key]:
                numbers = r["numeros"] + (
                    f" ; parcelles {r['parcelles']}" if r["parcelles"] else ""
                )
                yield "row", [r["commune"], r["voie"], numbers, str(r["nb_adresses"])]


@functools.cache
def _font_files() -> dict[str, str]:
    """The DejaVu Sans TrueType files matplotlib ships (regular and bold)."""
    find = font_manager.findfont
    return {
        "": find(font_manager.FontProperties(family=_FAMILY), fallback_to_default=False),
        "B": find(
            font_manager.FontProperties(family=_FAMILY, weight="bold"), fallback_to_default=False
        ),
    }


def _new_pdf(size: str) -> FPDF:
    """An empty portrait document of the paper ``size``, DejaVu Sans loaded."""
    landscape_w, landscape_h = PAPER_SIZES[size]
    pdf = FPDF(unit="pt", format=(landscape_h * 72, landscape_w * 72))
    pdf.set_auto_page_break(False)
    pdf.set_margins(0, 0, 0)
    for style, file in _font_files().items():
        pdf.add_font(_FAMILY, style, file)
    return pdf


@dataclass
class ListLayout:
    """The address-list pages, laid out: on each page, lines of text at their places.

    Parameters
    ----------
    size : str
        Paper, ``"a4"`` or ``"a3"`` (the list pages are portrait).

    Examples
    --------
    >>> layout = ListLayout("a4")
    >>> layout.text("note", "Aucune adresse.")
    >>> layout.row(["Lens", "Rue de Lille", "voie entière", "12"])
    >>> len(layout.pages), [t[4] for t in layout.pages[0]]
    (1, ['Aucune adresse.', 'Lens', 'Rue de Lille', 'voie entière', '12'])
    """

    size: str
    #: per page, the texts: (x, baseline y, bold, font size, text), points from the top left
    pages: list[list[tuple[float, float, bool, float, str]]] = field(default_factory=list)

    def __post_init__(self) -> None:
        self.pdf = _new_pdf(self.size)
        self.width, self.height = self.pdf.w, self.pdf.h
        self.fontsize = _FS * self.width / (PAPER_SIZES["a4"][1] * 72)
        self.line = _LINE * self.height
        self.top, self.bottom = (1 - _TOP) * self.height, (1 - _BOTTOM) * self.height
        self.head: list[str] | None = None  # the table head to repeat on a new page
        self._widths = {"": {}, "B": {}}  # type: dict[str, dict[str, float]]
        self._new_page()

    def _new_page(self) -> None:
        self.pages.append([])
        self.y = self.top

    def _width(self, word: str, bold: bool) -> float:
        """Width of ``word`` at 1 pt (memoised: the list repeats its words)."""
        style = "B" if bold else ""
        cache = self._widths[style]
        if word not in cache:
            self.pdf.set_font(_FAMILY, style, 1)
            cache[word] = self.pdf.get_string_width(word)
        return cache[word]

    def lines(self, text: str, width: float, bold: bool, fontsize: float) -> list[str]:
        """``text`` wrapped on lines at most ``width`` points wide (long words kept whole)."""
        words = [w for w in text.split(" ") if w]
        space = self._width(" ", bold) * fontsize
        lines: list[str] = []
        current: list[str] = []
        used = 0.0
        for word in words:
            w = self._width(word, bold) * fontsize
            if current and used + space + w > width:
                lines.append(" ".join(current))
                current, used = [], 0.0
            used += (space if current else 0.0) + w
            current.append(word)
        if current:
            lines.append(" ".join(current))
        return lines or [""]

    def _put(self, x: float, lines: list[str], bold: bool, fontsize: float, step: float) -> None:
        for i, line in enumerate(lines):
            if line:
                self.pages[-1].append((x, self.y + fontsize + i * step, bold, fontsize, line))

    def text(self, kind: str, text: str) -> None:
        """A heading (``category``, ``sector``, ``heading``) or a ``note`` across the page."""
        self.head = None
        big = _BIG.get(kind, 1.0)
        bold = kind != "note"
        fontsize = self.fontsize * big
        lines = self.lines(text, (0.95 - 0.05) * self.width, bold, fontsize)
        if self.y + self.line * (len(lines) + 1) > self.bottom:
            self._new_page()
        step = self.line * big * 1.25
        self._put(0.05 * self.width, lines, bold, fontsize, step)
        self.y += step * len(lines) + self.line * (0.4 if bold else 0.2)

    def row(self, cells: list[str], head: bool = False) -> None:
        """A table row (``head``: the bold column headings, repeated on a new page)."""
        edges = [x for x, _ in _COLUMNS[1:]] + [_RIGHT + _GAP]
        cols = [
            self.lines(str(cell), (end - x - _GAP) * self.width, head, self.fontsize)
            for cell, (x, _), end in zip(cells, _COLUMNS, edges, strict=True)
        ]
        n = max(len(c) for c in cols)
        if self.y + self.line * n > self.bottom:
            self._new_page()
            if self.head is not None and not head:
                self.row(self.head, head=True)
        if head:
            self.head = cells
        for (x, _), col in zip(_COLUMNS, cols, strict=True):
            self._put(x * self.width, col, head, self.fontsize, self.line)
        self.y += self.line * n

    def add(self, parts: list[dict[str, Any]] | None) -> ListLayout:
        """Lay out the whole list (or, with ``None``, the page saying why there is none)."""
        if parts is None:
            self.text("note", NO_LIST)
            return self
        for kind, cells in _rows(parts):
            if kind in ("head", "row"):
                self.row(cells, head=kind == "head")
            else:
                self.text(kind, cells[0])
        return self

    def render(self, first: int, total: int) -> bytes:
        """The list pages as a PDF, numbered from ``first`` of ``total``."""
        pdf = self.pdf
        number_size = self.fontsize  # the maps' « Page n / N » size on A4
        for number, texts in enumerate(self.pages, start=first):
            pdf.add_page()
            for x, y, bold, fontsize, text in texts:
                pdf.set_font(_FAMILY, "B" if bold else "", fontsize)
                pdf.text(x, y, text)
            pdf.set_font(_FAMILY, "", number_size)
            label = f"Page {number} / {total}"
            pdf.text(
                _RIGHT * self.width - pdf.get_string_width(label),
                (1 - 0.012) * self.height - 0.24 * number_size,
                label,
            )
        return bytes(pdf.output())


def _furniture(size: str, header: list[str], cartouche: list[str], watermark: str | None) -> Figure:
    """Title, cartouche and watermark of the list pages, on a transparent portrait page."""
    w, h = PAPER_SIZES[size]
    fig = Figure(figsize=(h, w), dpi=100)  # portrait
    fig.patch.set_alpha(0.0)
    FigureCanvasAgg(fig)
    scale = h / PAPER_SIZES["a4"][1]
    fig.text(0.05, 0.965, header[0], fontsize=12 * scale, fontweight="bold", va="top", gid="title")
    fig.text(0.05, 0.94, wrap(header[1], 120), fontsize=7.5 * scale, va="top", gid="subtitle")
    page.cartouche(fig, cartouche, _FS * 0.95 * scale, rect=(0.05, 0.035, 0.90, 0.15))
    page.watermark(fig, watermark, scale, portrait=True)
    return fig


_FORM = NameObject("/OrtgeoFurniture")
# pypdf has no public call to register a new object in a writer: ``_add_object`` is the
# one its own page merging uses (present from PyPDF2 to pypdf 7).


def _form(writer: PdfWriter, source: PageObject) -> IndirectObject:
    """A page as one Form XObject of ``writer``, drawn by reference on every list page."""
    contents = source.get_contents()
    if contents is None:
        raise ValueError("the page furniture has no content")
    form = DecodedStreamObject()
    form.set_data(contents.get_data())
    form.update({
        NameObject("/Type"): NameObject("/XObject"),
        NameObject("/Subtype"): NameObject("/Form"),
        NameObject("/BBox"): source.mediabox,
        NameObject("/Resources"): writer._add_object(source["/Resources"].clone(writer)),
    })  # fmt: skip
    return writer._add_object(form.flate_encode())


def _overlay(writer: PdfWriter, target: PageObject, form: IndirectObject) -> None:
    """Draw ``form`` over ``target`` in its own graphics state: no resource name can clash,
    and the page's text stream is neither parsed nor rewritten."""
    resources = cast(DictionaryObject, target["/Resources"].get_object())
    xobjects = resources.setdefault(NameObject("/XObject"), DictionaryObject())
    cast(DictionaryObject, xobjects.get_object())[_FORM] = form
    contents = target.raw_get("/Contents")  # the reference: a content stream is indirect
    streams = list(c) if isinstance(c := contents.get_object(), ArrayObject) else [contents]
    wrapped = []
    for data in (b"q\n", b"\nQ\nq " + _FORM.encode() + b" Do Q\n"):
        stream = DecodedStreamObject()
        stream.set_data(data)
        wrapped.append(writer._add_object(stream))
    target[NameObject("/Contents")] = ArrayObject([wrapped[0], *streams, wrapped[1]])


def write_pdf(
    path: Path,
    maps: list[Figure],
    parts: list[dict[str, Any]] | None,
    header: list[str],
    cartouche: list[str],
    watermark: str | None,
    size: str = "a4",
    fontsize: float = 7.0,
) -> int:
    """Write the map pages then the list pages into one numbered PDF; return its page count.

    Parameters
    ----------
    path : Path
        The PDF to write (atomically).
    maps : list of Figure
        The print maps (landscape), one page each.
    parts : list of dict or None
        The parts of the address list (:func:`ortgeo.annex.texts.list_parts`); ``None``:
        no address source, one page says why.
    header, cartouche, watermark
        Title and subtitle of the list pages, the cartouche lines, the watermark (or
        ``None`` when no tracé is indicative).
    size : str
        Paper, ``"a4"`` or ``"a3"``.
    fontsize : float
        Size of « Page n / N » on the map pages.
    """
    layout = ListLayout(size).add(parts)
    total = len(maps) + len(layout.pages)
    for number, fig in enumerate(maps, start=1):
        page.page_number(fig, number, total, fontsize)
    drawn = io.BytesIO()
    with (
        matplotlib.rc_context({"pdf.fonttype": 42}),
        cached_font_subsets(),  # the same glyphs as last time: no fontTools subsetting
        PdfPages(drawn) as pdf,
    ):
        for fig in maps:
            pdf.savefig(fig, facecolor="white")
        pdf.savefig(_furniture(size, header, cartouche, watermark), facecolor="none")
    figures = PdfReader(drawn)
    writer = PdfWriter()
    for map_page in figures.pages[: len(maps)]:
        writer.add_page(map_page)
    furniture = _form(writer, figures.pages[len(maps)])
    for list_page in PdfReader(io.BytesIO(layout.render(len(maps) + 1, total))).pages:
        _overlay(writer, writer.add_page(list_page), furniture)
    writer.add_metadata({"/Title": "Annexe 3", "/Creator": "ortgeo", "/Producer": "ortgeo"})
    with atomic_path(path) as tmp:
        writer.write(tmp)
    return total
