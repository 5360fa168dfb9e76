"""Font subsets of the PDF maps, kept on disk: the same glyphs give the same subset.

matplotlib's PDF backend embeds every TrueType font as a subset of the glyphs a document
uses, made by fontTools — which reads and decompiles the whole font file each time
(DejaVu Sans is 700 kB): about 0.1 s per font, half a second for ``annexe3.pdf``. The
subset depends only on the font file, the glyphs and the fontTools version, so it is kept
in the ortgeo cache folder (``$ORTGEO_CACHE_DIR/fonts/``) and the next PDF with the same
glyphs embeds the stored bytes: the very bytes matplotlib would have embedded.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import threading
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

__all__ = ["cached_font_subsets"]

_LOCK = threading.Lock()  # the backend's function is swapped for the whole process


class _StoredFont:
    """A subset font as its bytes, in the shape matplotlib uses (``save``, context)."""

    def __init__(self, data: bytes) -> None:
        self.data = data

    def save(self, file: Any, reorderTables: bool | None = None) -> None:  # noqa: N803
        del reorderTables  # the stored bytes were saved as matplotlib saves them
        file.write(self.data)

    def __enter__(self) -> _StoredFont:
        return self

    def __exit__(self, *exc: object) -> None:
        return None


def _key(fontfile: Any, glyphs: Iterable[int], versions: str) -> str:
    path = os.fspath(fontfile)
    stat = os.stat(path)
    face = getattr(fontfile, "face_index", 0)
    text = f"{path}|{face}|{stat.st_size}|{stat.st_mtime_ns}|{versions}|{sorted(set(glyphs))}"
    return hashlib.sha256(text.encode()).hexdigest()[:32]


@contextlib.contextmanager
def cached_font_subsets(folder: Path | None = None) -> Iterator[Path]:
    """Within this block, matplotlib's PDF backend takes its font subsets from ``folder``
    (default: ``fonts/`` in the ortgeo cache folder), making and storing those it lacks.

    A subset is keyed by the font file (path, size, modification time, face), the sorted
    glyph indices and the fontTools and matplotlib versions. An unreadable or unwritable
    cache only costs the subsetting. Yields the folder.

    Examples
    --------
    >>> import io, tempfile
    >>> from pathlib import Path
    >>> import matplotlib
    >>> from matplotlib.figure import Figure
    >>> fig = Figure(); _ = fig.text(0.5, 0.5, "Lens")
    >>> folder = Path(tempfile.mkdtemp())
    >>> pdfs = []
    >>> for _ in range(2):  # made, then taken from the folder
    ...     with matplotlib.rc_context({"pdf.fonttype": 42}), cached_font_subsets(folder):
    ...         fig.savefig(out := io.BytesIO(), format="pdf", metadata={"CreationDate": None})
    ...     pdfs.append(out.getvalue())
    >>> len(list(folder.glob("*.ttf"))), pdfs[0] == pdfs[1]
    (1, True)
    """
    import importlib.metadata

    import matplotlib
    from matplotlib.backends import _backend_pdf_ps as backend

    if folder is None:
        from ortgeo.cachedir import cache_dir

        folder = cache_dir() / "fonts"
    fonttools = importlib.metadata.version("fonttools")
    versions = f"fonttools {fonttools}, matplotlib {matplotlib.__version__}"
    original = backend.get_glyphs_subset

    def get_glyphs_subset(fontfile: Any, glyphs: Iterable[int]) -> Any:
        glyphs = list(glyphs)
        try:
            key = _key(fontfile, glyphs, versions)
            data = (folder / f"{key}.ttf").read_bytes()
            mapping = json.loads((folder / f"{key}.json").read_text(encoding="utf-8"))
            glyph_map = {int(k): int(v) for k, v in mapping}
        except (OSError, ValueError, TypeError):
            with original(fontfile, set(glyphs)) as made:
                data = backend.font_as_file(made.font).getvalue()
                glyph_map = dict(made.glyph_index_map)
            with contextlib.suppress(OSError, ValueError, TypeError):
                folder.mkdir(parents=True, exist_ok=True)
                key = _key(fontfile, glyphs, versions)
                for suffix, content in (
                    (".json", json.dumps(sorted(glyph_map.items())).encode()),
                    (".ttf", data),  # written last: its presence means the pair is whole
                ):
                    tmp = folder / f"{key}{suffix}.{os.getpid()}.tmp"
                    tmp.write_bytes(content)
                    tmp.replace(folder / f"{key}{suffix}")
        return backend.SubsetResults(_StoredFont(data), glyph_map)._as_cm()

    with _LOCK:
        backend.get_glyphs_subset = get_glyphs_subset
        try:
            yield folder
        finally:
            backend.get_glyphs_subset = original
