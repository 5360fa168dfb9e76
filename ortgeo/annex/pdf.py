"""``annexe3.pdf``: the maps and the address list as numbered pages, fonts embedded.

The map pages are the print figures of :mod:`ortgeo.maps.png` (vector); the list pages
are laid out here (portrait, same paper), each with the cartouche, the watermark when the
tracés are indicative, and « Page n / N ».
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import matplotlib
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.backends.backend_pdf import PdfPages
from matplotlib.figure import Figure

from ortgeo.maps.paper import cartouche as page
from ortgeo.maps.paper.labels import wrap
from ortgeo.maps.paper.layout import PAPER_SIZES
from ortgeo.output import atomic_path

__all__ = ["list_pages", "write_pdf"]

_TOP, _BOTTOM = 0.875, 0.215  # table area (figure fraction, portrait)
_FS = 7.0
_LINE = 0.0118  # height of one text line (figure fraction, A4 portrait at _FS)
#: Table columns: x position, heading, width in characters.
_COLUMNS = ((0.05, "Commune", 16), (0.19, "Voie", 30), (0.45, "Numéros", 78), (0.95, "Adr.", 5))
_LISTS = (
    ("included", "Adresses incluses"),
    ("check", "À vérifier – dans la marge d'incertitude du tracé"),
)
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


def _new_page(size: str, header: list[str], cartouche: list[str], watermark: str | None) -> Figure:
    w, h = PAPER_SIZES[size]
    fig = Figure(figsize=(h, w), dpi=100, facecolor="white")  # portrait
    FigureCanvasAgg(fig)
    scale = h / PAPER_SIZES["a4"][1]
    fig.text(0.05, 0.965, header[0], fontsize=12 * scale, fontweight="bold", va="top", gid="title")
    fig.text(0.05, 0.94, wrap(header[1], 120), fontsize=7.5 * scale, va="top", gid="subtitle")
    page.cartouche(fig, cartouche, _FS * 0.95 * scale, rect=(0.05, 0.035, 0.90, 0.15))
    page.watermark(fig, watermark, scale, portrait=True)
    return fig


class _Writer:
    """Lays rows out on pages; the rows of one table block are drawn as one text per column."""

    def __init__(self, size: str, header: list[str], cartouche: list[str], wm: str | None):
        self.args = (size, header, cartouche, wm)
        self.scale = PAPER_SIZES[size][1] / PAPER_SIZES["a4"][1]
        self.pages = [_new_page(*self.args)]
        self.y = _TOP
        self.block: list[list[str]] = []  # column texts, padded to the same line count
        self.block_top = _TOP
        self.bold = False
        # one line of a column text (linespacing 1.2 of the font's height), figure fraction
        self.line = _FS * self.scale * 1.2 * 1.17 / 72 / PAPER_SIZES[size][0]

    def flush(self) -> None:
        if self.block:
            for (x, _, _), lines in zip(_COLUMNS, zip(*self.block, strict=True), strict=True):
                self.pages[-1].text(
                    x, self.block_top, "\n".join(lines), fontsize=_FS * self.scale, va="top",
                    linespacing=1.2, gid="list-row", fontweight="bold" if self.bold else "normal",
                )  # fmt: skip
        self.block, self.block_top = [], self.y

    def room(self, lines: int) -> None:
        if self.y - _LINE * lines < _BOTTOM:
            self.flush()
            self.pages.append(_new_page(*self.args))
            self.y = self.block_top = _TOP

    def text(self, kind: str, text: str) -> None:
        self.flush()
        big = {"category": 1.35, "sector": 1.12, "heading": 1.05}.get(kind, 1.0)
        wrapped = wrap(text, int(100 / big))
        n = wrapped.count("\n") + 1
        self.room(n + 1)
        self.pages[-1].text(
            0.05, self.y, wrapped, fontsize=_FS * big * self.scale, va="top", gid=f"list-{kind}",
            fontweight="normal" if kind == "note" else "bold",
        )  # fmt: skip
        self.y -= _LINE * big * n * 1.25 + (_LINE * 0.4 if kind != "note" else _LINE * 0.2)
        self.block_top = self.y

    def row(self, cells: list[str], bold: bool = False) -> None:
        cols = [wrap(str(c), w).split("\n") for c, (_, _, w) in zip(cells, _COLUMNS, strict=True)]
        n = max(len(c) for c in cols)
        if self.y - _LINE * n < _BOTTOM or bold != self.bold:
            if self.y - _LINE * n < _BOTTOM:
                self.room(n)
            self.flush()
            self.bold = bold
        self.block.append(["\n".join(c + [""] * (n - len(c))) for c in cols])
        self.y -= self.line * n


def list_pages(
    parts: list[dict[str, Any]] | None,
    header: list[str],
    cartouche: list[str],
    watermark: str | None,
    size: str = "a4",
) -> list[Figure]:
    """The address-list pages (portrait); one page saying why when there is no list."""
    writer = _Writer(size, header, cartouche, watermark)
    if parts is None:
        writer.text("note", NO_LIST)
        return writer.pages
    for kind, cells in _rows(parts):
        if kind in ("head", "row"):
            writer.row(cells, bold=kind == "head")
        else:
            writer.text(kind, cells[0])
    writer.flush()
    return writer.pages


def write_pdf(path: Path, figures: list[Figure], fontsize: float = 7.0) -> Path:
    """Number the pages (« Page n / N ») and write them into one PDF, TrueType fonts embedded."""
    total = len(figures)
    for number, fig in enumerate(figures, start=1):
        page.page_number(fig, number, total, fontsize)
    metadata = {"Title": "Annexe 3", "Creator": "ortgeo"}
    with (
        atomic_path(path) as tmp,
        matplotlib.rc_context({"pdf.fonttype": 42}),
        PdfPages(tmp, metadata=metadata) as pdf,
    ):
        for fig in figures:
            pdf.savefig(fig, facecolor="white")
    return path
