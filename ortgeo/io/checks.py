"""The one set of checks of every file ortgeo reads: found, size, kind, encoding, rows.

Each reader of :mod:`ortgeo.io` calls these, so that a file is refused, or a row flagged,
with the same words whatever the command:

- :func:`input_file` — the file exists, is a file, is not empty, is not too large;
- :func:`what_binary` / :func:`looks_like_utf16` — what a file that is not text looks like;
- :func:`decode_text` — UTF-8 (with or without BOM) or cp1252, detected; a UTF-8 file with
  a few cp1252 lines (a row pasted from another file) is read line by line, with a warning
  naming the lines, instead of being decoded wrong as a whole;
- :func:`sniff_separator`, :func:`header_names` — the separator and the column names;
- :func:`row_shape` — a row with more or fewer fields than the header is kept as it is,
  never shifted, and described (:data:`RAGGED`).

Nothing here imports pandas, geopandas or OGR.
"""

from __future__ import annotations

import csv
import unicodedata
import warnings
from collections.abc import Sequence
from pathlib import Path

from ortgeo.errors import InputFileError

__all__ = [
    "SAVE_AS",
    "SEPARATORS",
    "decode_text",
    "header_names",
    "input_file",
    "looks_like_utf16",
    "row_shape",
    "shown",
    "sniff_separator",
    "some",
    "text_encoding",
    "unique_names",
    "warn_other_encoding",
    "what_binary",
]

#: Field separators detected in CSV files.
SEPARATORS = ";,\t|"
#: What to do with a spreadsheet or text file ortgeo cannot read.
SAVE_AS = "Save it from your spreadsheet as CSV UTF-8 (or .xlsx) and try again."
#: What a file starting with these bytes is.
_SIGNATURES: tuple[tuple[bytes, str], ...] = (
    (b"%PDF", "a PDF document"),
    (b"\xd0\xcf\x11\xe0", "an old Excel 97-2003 workbook (.xls) or another OLE document"),
    (b"\x1f\x8b", "a gzip-compressed file"),
    (b"SQLite format 3\x00", "an SQLite database"),
    (b"\x89PNG", "a PNG image"),
    (b"\xff\xd8\xff", "a JPEG image"),
    (b"{\\rtf", "an RTF document"),
)


def input_file(path: str | Path, what: str, *, max_bytes: float | None = None) -> Path:
    """``path`` checked as an input: it exists, is a file, is not empty nor too large.

    Parameters
    ----------
    path : str or Path
    what : str
        What the file is, for the messages (``"Input file"``, ``"Points file"``).
    max_bytes : float, optional
        Largest size read (files read whole into memory).

    Raises
    ------
    InputFileError

    Examples
    --------
    >>> input_file("absent.csv", "Input file")
    Traceback (most recent call last):
    ...
    ortgeo.errors.InputFileError: Input file not found: absent.csv. Check the path.
    """
    path = Path(path)
    if path.is_dir():
        raise InputFileError(f"{what} {path} is a folder: give a file.")
    if not path.is_file():
        raise InputFileError(f"{what} not found: {path}. Check the path.")
    size = path.stat().st_size
    if size == 0:
        raise InputFileError(f"{path.name} is empty: expected a header line and rows.")
    if max_bytes is not None and size > max_bytes:
        raise InputFileError(
            f"{path.name} is {size / 1e6:,.0f} MB: ortgeo reads at most {max_bytes / 1e6:,.0f} MB "
            "of this kind of file at once. Split it into smaller files."
        )
    return path


def looks_like_utf16(raw: bytes) -> bool:
    """Whether bytes look like UTF-16 text (a BOM, or one zero byte in two).

    Examples
    --------
    >>> looks_like_utf16("adresse".encode("utf-16-le")), looks_like_utf16(b"adresse")
    (True, False)
    """
    if raw.startswith((b"\xff\xfe", b"\xfe\xff")):
        return True
    head = raw[:4000]
    if len(head) < 4:
        return False
    even, odd = head[0::2], head[1::2]
    return max(even.count(0), odd.count(0)) > 0.3 * len(odd) and min(
        even.count(0), odd.count(0)
    ) < 0.05 * len(odd)


def what_binary(raw: bytes) -> str | None:
    """What a non-text file looks like, or ``None`` when it may be text.

    Examples
    --------
    >>> what_binary(b"%PDF-1.7"), what_binary(b"id;adresse\\n")
    ('a PDF document', None)
    """
    for magic, what in _SIGNATURES:
        if raw.startswith(magic):
            return what
    if raw.startswith(b"PK\x03\x04"):
        return "a ZIP archive (an OpenDocument .ods spreadsheet or another archive)"
    head = raw[:4000]
    control = sum(1 for b in head if b < 32 and b not in (9, 10, 12, 13))
    if b"\x00" in head or control > max(2, len(head) // 200):
        return f"binary data ({100 * control / max(len(head), 1):.0f}% control bytes), not text"
    return None


def some(items: Sequence[object], limit: int = 5) -> str:
    """The first ``limit`` items for a message, and how many more.

    Examples
    --------
    >>> some([3, 8]), some(range(1, 9))
    ('3, 8', '1, 2, 3, 4, 5 and 3 more')
    """
    first = ", ".join(str(item) for item in list(items)[:limit])
    return first + (f" and {len(items) - limit} more" if len(items) > limit else "")


def warn_other_encoding(name: str, lines: Sequence[int], stacklevel: int = 3) -> None:
    """Warn that ``lines`` (1-based) of a UTF-8 file were read as cp1252."""
    plural = len(lines) > 1
    warnings.warn(
        f"{name}: line{'s' if plural else ''} {some(lines)} {'are' if plural else 'is'} not "
        "UTF-8 like the rest of the file; read as Windows-1252 (cp1252). Check their accents, "
        "or re-save the file as CSV UTF-8.",
        UserWarning,
        stacklevel=stacklevel + 1,
    )


def decode_text(raw: bytes, encoding: str | None, name: str, *, what: str = "table") -> str:
    """The text of a file: ``encoding`` when given, else UTF-8 (BOM or not) or cp1252.

    A file that is UTF-8 except for a few lines (a row pasted from a cp1252 file) is
    decoded line by line — each line in the encoding it is in — with a warning that names
    the lines, instead of being read wrong as a whole.

    Raises
    ------
    InputFileError
        Unknown or wrong ``encoding``, UTF-16 without ``encoding``, binary data.

    Examples
    --------
    >>> raw = "id;adresse\\n1;rue Émile\\n".encode() + "2;rue Zéphir\\n".encode("cp1252")
    >>> import warnings
    >>> with warnings.catch_warnings(record=True) as seen:
    ...     warnings.simplefilter("always")
    ...     text = decode_text(raw, None, "a.csv")
    >>> text.splitlines()[1:], str(seen[0].message)[:47]
    (['1;rue Émile', '2;rue Zéphir'], 'a.csv: line 3 is not UTF-8 like the rest of the')
    """
    if encoding:
        try:
            return raw.decode(encoding)
        except LookupError:
            raise InputFileError(
                f"Unknown encoding {encoding!r}: use utf-8, cp1252, latin-1 or utf-16."
            ) from None
        except UnicodeDecodeError as exc:
            raise InputFileError(
                f"{name} is not valid {encoding} (byte {exc.start}): "
                "check --encoding (utf-8, cp1252, utf-16), or re-save the file as CSV UTF-8."
            ) from None
    if looks_like_utf16(raw):
        raise InputFileError(
            f"{name} looks like UTF-16 text (Excel's 'Unicode text'): re-save it as "
            "CSV UTF-8, or pass --encoding utf-16 (encoding='utf-16')."
        )
    kind = what_binary(raw)
    if kind is not None:
        raise InputFileError(f"{name} is not a {what}: it looks like {kind}. {SAVE_AS}")
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        pass
    body = raw.removeprefix(b"\xef\xbb\xbf")
    lines = body.split(b"\n")
    kind, other = text_encoding(body)
    if kind == "cp1252":  # no line is UTF-8: a cp1252 file
        return body.decode("cp1252", errors="replace")
    warn_other_encoding(name, other)
    bad = set(other)
    return "\n".join(
        line.decode("cp1252", errors="replace") if n in bad else line.decode("utf-8")
        for n, line in enumerate(lines, start=1)
    )


def text_encoding(raw: bytes) -> tuple[str, list[int]]:
    """``"utf-8"``, ``"cp1252"`` or ``"mixed"`` (some UTF-8 lines, some not), and the
    numbers (1-based) of the lines that are not UTF-8 when it is mixed.

    Examples
    --------
    >>> text_encoding("é\\n".encode()), text_encoding("é\\n".encode("cp1252"))
    (('utf-8', []), ('cp1252', []))
    >>> text_encoding("a\\né\\n".encode() + "é\\n".encode("cp1252"))
    ('mixed', [3])
    """
    try:
        raw.decode("utf-8")
        return "utf-8", []
    except UnicodeDecodeError:
        pass
    utf8, other = 0, []
    for number, line in enumerate(raw.split(b"\n"), start=1):
        if line.isascii():
            continue
        try:
            line.decode("utf-8")
            utf8 += 1
        except UnicodeDecodeError:
            other.append(number)
    return ("mixed", other) if utf8 else ("cp1252", [])


def sniff_separator(text: str) -> str:
    """The field separator of CSV text, among ``; , tab |`` (``;`` when none is seen).

    Examples
    --------
    >>> sniff_separator("id,adresse\\n1,rue A\\n"), sniff_separator("adresse\\nrue A\\n")
    (',', ';')
    """
    lines = [line for line in text.splitlines() if line.strip()][:20]
    try:
        return csv.Sniffer().sniff("\n".join(lines), delimiters=SEPARATORS).delimiter
    except csv.Error:
        first = lines[0] if lines else ""
        counts = {s: first.count(s) for s in SEPARATORS}
        best = max(counts, key=lambda s: counts[s])
        return best if counts[best] else ";"


def header_names(fields: Sequence[str]) -> list[str]:
    """Column names of a header row: stripped, without the empty ones at its end (trailing
    separators, empty spreadsheet columns); an empty name inside is ``Unnamed: i``.

    Names are kept as they are, repeats included: a repeated name is refused only where a
    command needs that column (:func:`ortgeo.io.tables.column`).

    Examples
    --------
    >>> header_names(["id", " adresse ", "", "adresse", "", ""])
    ['id', 'adresse', 'Unnamed: 2', 'adresse']
    """
    names = [str(f).strip() for f in fields]
    while names and not names[-1]:
        names.pop()
    return [name or f"Unnamed: {i}" for i, name in enumerate(names)]


def unique_names(names: Sequence[str]) -> list[str]:
    """Names made distinct as pandas does (repeats → ``name.1``), for formats that need it.

    Examples
    --------
    >>> unique_names(["adresse", "id", "adresse"])
    ['adresse', 'id', 'adresse.1']
    """
    out: list[str] = []
    seen: dict[str, int] = {}
    for name in names:
        new = name
        while new in seen:
            seen[name] += 1
            new = f"{name}.{seen[name]}"
        seen[new] = 0
        out.append(new)
    return out


def shown(value: str, limit: int = 40) -> str:
    """A cell as it may appear in a message: printable, short.

    Examples
    --------
    >>> shown("rue\\x00A"), shown("x" * 50)[-3:]
    ('rue·A', 'xx…')
    """
    clean = "".join(c if unicodedata.category(c)[0] != "C" else "·" for c in value)
    return clean if len(clean) <= limit else clean[: limit - 1] + "…"


def row_shape(row: Sequence[str], n: int) -> tuple[list[str], str, bool]:
    """A data row fitted to ``n`` columns: its cells, what is wrong (French), trusted or not.

    A row with fewer fields is padded with empty cells and flagged (a separator is missing:
    its fields may have shifted); a row with non-empty fields beyond the header is cut and
    flagged, its extra fields quoted so that nothing is lost; empty fields beyond the header
    (a trailing separator) and a blank line are fine.

    Examples
    --------
    >>> row_shape(["1", "rue A", ""], 2)
    (['1', 'rue A'], '', True)
    >>> row_shape(["1", "rue A", "Lens"], 2)
    (['1', 'rue A'], '3 champs au lieu de 2 ; en trop : « Lens »', False)
    >>> row_shape(["1"], 2)
    (['1', ''], '1 champ au lieu de 2 : un séparateur manque ?', False)
    """
    cells = list(row)
    if not any(cell.strip() for cell in cells):  # a blank line: a row of empty cells
        return [""] * n, "", True
    if len(cells) < n:
        fields = f"{len(cells)} champ{'s' if len(cells) > 1 else ''}"
        problem = f"{fields} au lieu de {n} : un séparateur manque ?"
        return cells + [""] * (n - len(cells)), problem, False
    extra = cells[n:]
    if any(v.strip() for v in extra):
        quoted = " | ".join(f"« {shown(v)} »" for v in extra if v.strip())
        return cells[:n], f"{len(cells)} champs au lieu de {n} ; en trop : {quoted}", False
    return cells[:n], "", True
