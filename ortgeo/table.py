"""Reading a table of addresses (CSV or Excel) as text, every row kept, nothing shifted.

:func:`read_table` reads what city halls and notaries send: CSV in UTF-8 (with or without
BOM) or cp1252 with ``;``, ``,``, tab or ``|`` separators, UTF-16 on request, and Excel
``.xlsx`` workbooks (first sheet). Every cell stays text, as typed. A row with more or fewer
fields than the header is kept as it is and flagged (:data:`PROBLEM_COLUMN`): its fields are
never shifted into other columns. A file that is not a table (UTF-16 without
``encoding=``, a PDF, an old ``.xls``, binary data, no header line...) is refused with a
message saying what the file looks like and what to do — never with its raw bytes.
"""

from __future__ import annotations

import csv
import datetime as _dt
import io
import unicodedata
import warnings
import zipfile
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd

from ortgeo.errors import InputFileError

__all__ = [
    "PROBLEM_COLUMN",
    "Table",
    "cell_text",
    "describe_columns",
    "header_looks_like_data",
    "load_table",
    "read_table",
]

#: Column that :func:`read_table` adds when some rows do not have the header's number of
#: fields (empty for the rows read fine).
PROBLEM_COLUMN = "input_problem"
_SEPARATORS = ";,\t|"
_EXCEL_SUFFIXES = (".xlsx", ".xlsm")
#: What a file starting with these bytes is, and what to do with it.
_SIGNATURES: tuple[tuple[bytes, str], ...] = (
    (b"%PDF", "a PDF document"),
    (b"\xd0\xcf\x11\xe0", "an old Excel 97-2003 workbook (.xls) or another OLE document"),
    (b"\x1f\x8b", "a gzip-compressed file"),
    (b"SQLite format 3\x00", "an SQLite database"),
    (b"\x89PNG", "a PNG image"),
    (b"\xff\xd8\xff", "a JPEG image"),
    (b"{\\rtf", "an RTF document"),
)
_STREET_WORDS = ("rue", "avenue", "av ", "bd ", "boulevard", "place", "chemin", "allée",
                 "allee", "impasse", "route", "quai", "cité", "cite", "résidence", "square",
                 "lotissement")  # fmt: skip
_SAVE_AS = "Save it from your spreadsheet as CSV UTF-8 (or .xlsx) and try again."


@dataclass(frozen=True)
class Table:
    """A table read by :func:`load_table`: the cells, and what was wrong with each row.

    Attributes
    ----------
    frame : pandas.DataFrame
        The header's columns, every cell as text (``""`` when empty), one row per data row.
    problems : list of str
        Per row, ``""`` when it had the header's number of fields, else a French
        description with the fields that did not fit (so nothing is lost).
    geocodable : list of bool
        Per row, whether its columns can be trusted (a row with missing fields, or with
        non-empty extra fields, may have shifted: it is not geocoded).

    Examples
    --------
    >>> t = Table(pd.DataFrame({"adresse": ["1 rue A"]}), [""], [True])
    >>> t.with_problems().columns.tolist()
    ['adresse']
    """

    frame: pd.DataFrame
    problems: list[str]
    geocodable: list[bool]

    def with_problems(self) -> pd.DataFrame:
        """The frame, plus a :data:`PROBLEM_COLUMN` column when some row was malformed.

        Examples
        --------
        >>> t = Table(pd.DataFrame({"a": ["1"]}), ["2 champs au lieu de 1"], [False])
        >>> t.with_problems().to_dict("records")
        [{'a': '1', 'input_problem': '2 champs au lieu de 1'}]
        """
        if not any(self.problems):
            return self.frame
        out = self.frame.copy()
        name = PROBLEM_COLUMN if PROBLEM_COLUMN not in out.columns else f"{PROBLEM_COLUMN}_ortgeo"
        out[name] = self.problems
        return out


def cell_text(value: Any) -> str:
    """The text of one cell: ``""`` for a missing value, ``"12"`` for the number 12.0.

    pandas keeps missing cells missing (``NaN``, ``None``, ``pd.NA``); numbers come from
    spreadsheets as floats. Both become the text a person would read in the cell.

    Examples
    --------
    >>> cell_text(float("nan")), cell_text(None), cell_text(12.0), cell_text(" 3 rue A ")
    ('', '', '12', '3 rue A')
    """
    if value is None:
        return ""
    if isinstance(value, str):
        return value.strip()
    try:
        if pd.isna(value):
            return ""
    except (TypeError, ValueError):  # list-like cells
        pass
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, _dt.datetime) and value.time() == _dt.time(0):
        return value.date().isoformat()
    if isinstance(value, _dt.date):
        return value.isoformat()
    return str(value).strip()


def _looks_like_utf16(raw: bytes) -> bool:
    if raw.startswith((b"\xff\xfe", b"\xfe\xff")):
        return True
    head = raw[:4000]
    if len(head) < 4:
        return False
    even, odd = head[0::2], head[1::2]
    return max(even.count(0), odd.count(0)) > 0.3 * len(odd) and min(
        even.count(0), odd.count(0)
    ) < 0.05 * len(odd)


def _what_binary(raw: bytes) -> str | None:
    """What a non-text file looks like, or ``None`` when it may be text."""
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


def _is_workbook(path: Path, raw: bytes) -> bool:
    if path.suffix.lower() in _EXCEL_SUFFIXES:
        return True
    if not raw.startswith(b"PK\x03\x04"):
        return False
    try:
        with zipfile.ZipFile(io.BytesIO(raw)) as archive:
            return "xl/workbook.xml" in archive.namelist()
    except zipfile.BadZipFile:
        return False


def _decode(raw: bytes, encoding: str | None, name: str) -> str:
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
    if _looks_like_utf16(raw):
        raise InputFileError(
            f"{name} looks like UTF-16 text (Excel's 'Unicode text'): re-save it as "
            "CSV UTF-8, or pass --encoding utf-16 (encoding='utf-16')."
        )
    what = _what_binary(raw)
    if what is not None:
        raise InputFileError(
            f"{name} is not a table of addresses: it looks like {what}. {_SAVE_AS}"
        )
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        return raw.decode("cp1252", errors="replace")


def _sniff(text: str) -> str:
    lines = [line for line in text.splitlines() if line.strip()][:20]
    try:
        return csv.Sniffer().sniff("\n".join(lines), delimiters=_SEPARATORS).delimiter
    except csv.Error:
        first = lines[0] if lines else ""
        counts = {s: first.count(s) for s in _SEPARATORS}
        best = max(counts, key=lambda s: counts[s])
        return best if counts[best] else ";"


def _unique(names: Sequence[str]) -> list[str]:
    """Column names as pandas makes them: empty → ``Unnamed: i``, repeats → ``name.1``."""
    out: list[str] = []
    seen: dict[str, int] = {}
    for i, name in enumerate(names):
        base = name if name else f"Unnamed: {i}"
        new = base
        while new in seen:
            seen[base] += 1
            new = f"{base}.{seen[base]}"
        seen[new] = 0
        out.append(new)
    return out


def _shown(value: str, limit: int = 40) -> str:
    """A cell as it may appear in a message: printable, short."""
    clean = "".join(c if unicodedata.category(c)[0] != "C" else "·" for c in value)
    return clean if len(clean) <= limit else clean[: limit - 1] + "…"


def header_looks_like_data(columns: Iterable[Any]) -> bool:
    """Whether column names look like a data row (an address, a postcode), not a header.

    Examples
    --------
    >>> header_looks_like_data(["1", "3 rue de la Gare Lens"])
    True
    >>> header_looks_like_data(["id", "adresse"])
    False
    """
    for name in (str(c).strip().lower() for c in columns):
        has_digit = any(ch.isdigit() for ch in name)
        if name.isdigit() or (has_digit and any(w in f"{name} " for w in _STREET_WORDS)):
            return True
    return False


def describe_columns(columns: Iterable[Any], limit: int = 8) -> str:
    """Column names for a message: quoted, printable, shortened.

    Examples
    --------
    >>> describe_columns(["id", "adresse\\x00\\x01"])
    "'id', 'adresse··'"
    """
    every = list(columns)
    names = [repr(_shown(str(c))) for c in every[:limit]]
    more = f" and {len(every) - limit} more" if len(every) > limit else ""
    return ", ".join(names) + more


def _rows(path: Path, raw: bytes, sep: str | None, encoding: str | None) -> list[list[str]]:
    text = _decode(raw, encoding, path.name)
    if not text.strip():
        raise InputFileError(f"{path.name} is empty: expected a header line and addresses.")
    delimiter = sep or _sniff(text)
    try:
        return list(csv.reader(io.StringIO(text, newline=""), delimiter=delimiter))
    except csv.Error as exc:
        raise InputFileError(
            f"Cannot read {path.name} as CSV with separator {delimiter!r} ({exc}). "
            "Pass --sep to force the separator, or re-save the file as CSV UTF-8."
        ) from None


def _workbook_rows(path: Path, raw: bytes) -> list[list[str]]:
    try:
        from openpyxl import load_workbook
    except ImportError:  # pragma: no cover - a dependency of ortgeo
        raise InputFileError("Reading .xlsx needs openpyxl: pip install openpyxl.") from None
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # openpyxl's "no default style" etc.
            book = load_workbook(io.BytesIO(raw), read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many types for damaged files
        raise InputFileError(
            f"Cannot read {path.name} as an Excel workbook ({type(exc).__name__}). {_SAVE_AS}"
        ) from None
    try:
        sheets = book.worksheets
        if len(sheets) > 1:
            warnings.warn(
                f"{path.name}: read the first sheet, {sheets[0].title!r}, of {len(sheets)}.",
                UserWarning,
                stacklevel=4,
            )
        return [[cell_text(v) for v in row] for row in sheets[0].iter_rows(values_only=True)]
    finally:
        book.close()


def load_table(path: str | Path, sep: str | None = None, encoding: str | None = None) -> Table:
    """Read a CSV or ``.xlsx`` table as text; say what is wrong with each malformed row.

    Parameters
    ----------
    path : str or Path
        CSV (UTF-8 with or without BOM, or cp1252 — detected; UTF-16 with
        ``encoding="utf-16"``) or Excel workbook (``.xlsx``, first sheet).
    sep : str, optional
        CSV field separator; detected among ``; , tab |`` when not given.
    encoding : str, optional
        Force the encoding of a CSV.

    Returns
    -------
    Table
        The cells, a French description of each malformed row, and which rows are
        safe to geocode. An empty line between rows is a row of empty cells (its address
        is empty); blank lines before the header or after the last row are not rows.

    Raises
    ------
    InputFileError
        Missing or empty file, header without data rows, not a table (binary, UTF-16
        without ``encoding``...), undecodable text.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> p = pathlib.Path(tempfile.mkdtemp()) / "a.csv"
    >>> _ = p.write_text("id;adresse\\n1;3 rue de la Gare Lens;\\n2;4 rue X;Lens\\n")
    >>> t = load_table(p)
    >>> t.frame.to_dict("records")
    [{'id': '1', 'adresse': '3 rue de la Gare Lens'}, {'id': '2', 'adresse': '4 rue X'}]
    >>> t.geocodable, t.problems[1]
    ([True, False], '3 champs au lieu de 2 ; en trop : « Lens »')
    """
    path = Path(path)
    if not path.is_file():
        raise InputFileError(f"Input file not found: {path}. Check the path.")
    raw = path.read_bytes()
    if not raw:
        raise InputFileError(f"{path.name} is empty: expected a header line and addresses.")
    if _is_workbook(path, raw):
        rows = _workbook_rows(path, raw)
    else:
        if path.suffix.lower() in (".xls", ".ods") and encoding is None:
            raise InputFileError(
                f"{path.name} is a {path.suffix.lower()} spreadsheet, which ortgeo does not "
                f"read. {_SAVE_AS}"
            )
        rows = _rows(path, raw, sep, encoding)
    filled = [i for i, row in enumerate(rows) if any(cell.strip() for cell in row)]
    if not filled:
        raise InputFileError(f"{path.name} is empty: expected a header line and addresses.")
    # blank lines before the header and after the last row are not rows; between, they are
    rows = list(rows[filled[0] : filled[-1] + 1])
    header = list(rows[0])
    while header and not header[-1].strip():  # trailing separators / empty Excel columns
        header.pop()
    if not header:
        raise InputFileError(f"{path.name}: the first line has no column name. {_SAVE_AS}")
    columns = _unique([h.strip() for h in header])
    data = rows[1:]
    if not data:
        names = describe_columns(columns)
        raise InputFileError(
            f"{path.name} has a header line ({names}) but no data row: nothing to check. "
            "Add one address per line below the header."
        )
    n = len(columns)
    cells: list[list[str]] = []
    problems: list[str] = []
    geocodable: list[bool] = []
    for row in data:
        extra = row[n:]
        if not any(cell.strip() for cell in row):  # an empty line: a row of empty cells
            cells.append([""] * n)
            problems.append("")
            geocodable.append(True)
        elif len(row) < n:
            cells.append(row + [""] * (n - len(row)))
            fields = f"{len(row)} champ{'s' if len(row) > 1 else ''}"
            problems.append(f"{fields} au lieu de {n} : un séparateur manque ?")
            geocodable.append(False)
        elif any(v.strip() for v in extra):
            cells.append(row[:n])
            shown = " | ".join(f"« {_shown(v)} »" for v in extra if v.strip())
            problems.append(f"{len(row)} champs au lieu de {n} ; en trop : {shown}")
            geocodable.append(False)
        else:  # only empty fields after the last column: a trailing separator
            cells.append(row[:n])
            problems.append("")
            geocodable.append(True)
    frame = pd.DataFrame(cells, columns=columns, dtype=str)
    return Table(frame, problems, geocodable)


def read_table(
    path: str | Path, sep: str | None = None, encoding: str | None = None
) -> pd.DataFrame:
    """Read a CSV or ``.xlsx`` table of addresses as text, keeping every cell as it is.

    Rows with more or fewer fields than the header are kept, never shifted, and
    described in an extra column ``input_problem`` (added only when there are some).

    Parameters
    ----------
    path : str or Path
        CSV (UTF-8 with or without BOM, or cp1252 — detected) or ``.xlsx`` workbook.
    sep : str, optional
        Field separator; detected among ``; , tab |`` when not given.
    encoding : str, optional
        Force an encoding (``"utf-16"`` for Excel's "Unicode text").

    Examples
    --------
    >>> import tempfile, pathlib
    >>> p = pathlib.Path(tempfile.mkdtemp()) / "a.csv"
    >>> _ = p.write_bytes("id;adresse\\n1;17 rue de Lannoy Lens\\n".encode("cp1252"))
    >>> read_table(p).to_dict("records")
    [{'id': '1', 'adresse': '17 rue de Lannoy Lens'}]
    """
    return load_table(path, sep, encoding).with_problems()
