"""The fiche as one A4 page of HTML, from the same blocks as the PDF.

Standalone for the command line (the stylesheet inline, the map as a ``data:`` image);
the service links its stylesheet and script instead (its Content-Security-Policy forbids
inline ones).
"""

from __future__ import annotations

import base64
import functools
import importlib.resources
from pathlib import Path

from ortgeo.fiche.content import Fiche
from ortgeo.output import atomic_path
from ortgeo.texts import render

__all__ = ["asset", "fiche_html", "write_fiche_html"]


@functools.cache
def asset(name: str) -> bytes:
    """A file of the fiche's own assets (``fiche.css``, ``fiche.js``)."""
    return (importlib.resources.files("ortgeo.fiche") / name).read_bytes()


def fiche_html(fiche: Fiche, *, root: str | None = None, back: str = "") -> str:
    """The fiche as HTML: standalone, or for the service mounted at ``root``.

    Examples
    --------
    >>> import ortgeo
    >>> from ortgeo.fiche.content import fiche_content
    >>> html = fiche_html(fiche_content(ortgeo.check_point(2.833889, 50.429167,
    ...                                                    "2024-06-01").to_dict()))
    >>> "<style>" in html and "pas un certificat" in html
    True
    """
    service = root is not None
    return render(
        "fiche.html.j2", fiche=fiche, service=service, root=root or "",
        css_href=f"{root}/static/fiche.css" if service else "",
        css=asset("fiche.css").decode("utf-8"), back=back,
        map_b64=base64.b64encode(fiche.map_png).decode("ascii"),
    )  # fmt: skip


def write_fiche_html(fiche: Fiche, path: str | Path) -> Path:
    """Write the standalone HTML fiche to ``path`` (atomically)."""
    path = Path(path)
    with atomic_path(path) as tmp:
        Path(tmp).write_text(fiche_html(fiche), encoding="utf-8")
    return path
