"""``annexe3.pdf``: the maps and the address list as numbered pages, fonts embedded.

The map pages are the print figures of :mod:`ortgeo.maps.png` (vector); the list pages
are laid out here (portrait, same paper), each with the cartouche, the watermark when the
tracés are indicative, and « Page n / N ».
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
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

_TOP, _BOTTOM = 0.905, 0.215  # table area (figure fraction, portrait)
_FS = 7.4
_LINE = 0.0125  # height of one text line (figure fraction, A4 portrait at _FS)
_COLUMNS = ((0.05, "Commune", 18), (0.20, "Voie", 34), (0.50, "Numéros", 44), (0.93, "Adr.", 6))
_CHECK_COLUMNS = ((0.05, "Commune", 18), (0.20, "Voie", 34), (0.50, "Numéro", 20),
                  (0.66, "Distance à la limite", 40))  # fmt: skip
NO_LIST = (
    "Liste des adresses non produite : aucune source d'adresses (BAN) n'a été donnée. "
    "LISEZMOI.txt dit comment l'obtenir (ortgeo annex --ban adresses-62.csv.gz)."
)


def _rows(parts: list[dict[str, Any]]) -> Iterator[tuple[str, list[str], Sequence]]:
    """The list as a stream of (kind, cells, columns): headings, table heads and rows."""
    last_category = None
    for part in parts:
        if part["category"] != last_category:
            last_category = part["category"]
            title = (
                "Secteurs d'intervention de l'ORT"
                if last_category != "pour information"
                else "Pour information – autres dispositifs (pas des secteurs d'intervention)"
            )
            yield "category", [title], ()
        yield "sector", [f"{part['title']} — {part['legend']}"], ()
        yield "note", [part["act"]], ()
        yield "heading", [f"Adresses incluses ({part['n_included']})"], _COLUMNS
        yield "head", [c[1] for c in _COLUMNS], _COLUMNS
        if not part["included"]:
            yield "note", ["Aucune adresse."], ()
        for r in part["included"]:
            numbers = r["numeros"] + (f" ; parcelles {r['parcelles']}" if r["parcelles"] else "")
            yield "row", [r["commune"], r["voie"], numbers, str(r["nb_adresses"])], _COLUMNS
        yield (
            "heading",
            [f"À vérifier – dans la marge d'incertitude du tracé ({part['n_check']})"],
            _CHECK_COLUMNS,
        )
        yield "head", [c[1] for c in _CHECK_COLUMNS], _CHECK_COLUMNS
        if not part["check"]:
            yield "note", ["Aucune adresse."], ()
        for r in part["check"]:
            yield "row", [r["commune"], r["voie"], r["numeros"], r["distance_text"]], _CHECK_COLUMNS


def _new_page(size: str, header: list[str], cartouche: list[str], watermark: str | None) -> Figure:
    w, h = PAPER_SIZES[size]
    fig = Figure(figsize=(h, w), dpi=100, facecolor="white")  # portrait
    FigureCanvasAgg(fig)
    scale = h / PAPER_SIZES["a4"][1]
    fig.text(0.05, 0.965, header[0], fontsize=12 * scale, fontweight="bold", va="top", gid="title")
    fig.text(0.05, 0.94, wrap(header[1], 110), fontsize=8 * scale, va="top", gid="subtitle")
    page.cartouche(fig, cartouche, _FS * 0.9 * scale, rect=(0.05, 0.035, 0.90, 0.15))
    page.watermark(fig, watermark, scale, portrait=True)
    return fig


def list_pages(
    parts: list[dict[str, Any]] | None,
    header: list[str],
    cartouche: list[str],
    watermark: str | None,
    size: str = "a4",
) -> list[Figure]:
    """The address-list pages (portrait); one page saying why when there is no list."""
    scale = PAPER_SIZES[size][1] / PAPER_SIZES["a4"][1]
    line = _LINE
    pages = [_new_page(size, header, cartouche, watermark)]
    y = _TOP
    if parts is None:
        pages[0].text(0.05, y, wrap(NO_LIST, 100), fontsize=10 * scale, va="top", gid="no-list")
        return pages
    for kind, cells, columns in _rows(parts):
        lines = [wrap(str(c), col[2]).split("\n") for c, col in zip(cells, columns, strict=False)]
        n = max((len(x) for x in lines), default=1) if columns else 1
        need = line * (n + (1.0 if kind in ("category", "sector", "heading") else 0.25))
        if y - need < _BOTTOM:
            pages.append(_new_page(size, header, cartouche, watermark))
            y = _TOP
        fig = pages[-1]
        if not columns:
            weight = "bold" if kind in ("category", "sector") else "normal"
            size_pt = _FS * (1.35 if kind == "category" else 1.12 if kind == "sector" else 1.0)
            fig.text(0.05, y, wrap(cells[0], 100), fontsize=size_pt * scale, fontweight=weight,
                     va="top", gid=f"list-{kind}")  # fmt: skip
            y -= line * (wrap(cells[0], 100).count("\n") + 1) + (
                line * 0.5 if kind != "note" else 0
            )
            continue
        if kind == "heading":
            fig.text(0.05, y - 0.3 * line, cells[0], fontsize=_FS * 1.05 * scale,
                     fontweight="bold", va="top", gid="list-heading")  # fmt: skip
            y -= 1.5 * line
            continue
        for (x, _, _), text in zip(columns, lines, strict=False):
            fig.text(x, y, "\n".join(text), fontsize=_FS * scale, va="top",
                     fontweight="bold" if kind == "head" else "normal", gid=f"list-{kind}",
                     linespacing=1.15)  # fmt: skip
        y -= line * n * 1.05 + line * 0.25
    return pages


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
