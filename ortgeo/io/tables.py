"""Tables of addresses or parcels (CSV or Excel) read as text, every row kept, nothing shifted.

:func:`load_table` reads what city halls and notaries send: CSV in UTF-8 (with or without
BOM) or cp1252 with ``;``, ``,``, tab or ``|`` separators, UTF-16 on request, and Excel
``.xlsx`` workbooks (first sheet). Every cell stays text, as typed. The checks are those of
every reader (:mod:`ortgeo.io.checks`): a row with more or fewer fields than the header is
kept as it is and flagged (:data:`PROBLEM_COLUMN`), never shifted; a file that is not a
table is refused with a message saying what it looks like and what to do. In a workbook,
the cells of a merged range get the value of its first cell (with a warning) and a formula
without a computed value (a workbook written by a program, never opened) is named in its
row's problem instead of being read as an empty cell. Column names are kept as they are,
repeats included: :func:`column` refuses a repeated name where a command needs it.
"""

from __future__ import annotations

import datetime as _dt
import io
import re
import warnings
import zipfile
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd

from ortgeo.errors import InputFileError
from ortgeo.io.checks import (
    SAVE_AS,
    decode_text,
    header_names,
    input_file,
    row_shape,
    shown,
    sniff_separator,
    some,
)

__all__ = [
    "FORMULA_PROBLEM",
    "MAX_TABLE_BYTES",
    "MAX_WORKBOOK_BYTES",
    "PROBLEM_COLUMN",
    "Table",
    "cell_text",
    "column",
    "describe_columns",
    "header_looks_like_data",
    "load_table",
    "read_table",
    "row_reason",
]

#: Column that :func:`read_table` adds when some rows are malformed (empty for the others).
PROBLEM_COLUMN = "input_problem"
#: Largest CSV table read (it is read whole into memory).
MAX_TABLE_BYTES = 500e6
#: Largest ``.xlsx`` workbook read (compressed; openpyxl needs some 50 times that in memory).
MAX_WORKBOOK_BYTES = 50e6
#: How the problem of a row with a formula without a computed value starts.
FORMULA_PROBLEM = "formule sans valeur calculée"
_EXCEL_SUFFIXES = (".xlsx", ".xlsm")
_FORMULA_TAG = re.compile(rb"<f[ >/]")
_STREET_WORDS = ("rue", "avenue", "av ", "bd ", "boulevard", "place", "chemin", "allée",
                 "allee", "impasse", "route", "quai", "cité", "cite", "résidence", "square",
                 "lotissement")  # fmt: skip


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


def row_reason(problem: str, action: str = "géocodée") -> str:
    """The French reason given for a row that was not used because of ``problem``.

    Examples
    --------
    >>> print(row_reason("1 champ au lieu de 2 : un séparateur manque ?"))
    ligne mal formée (1 champ au lieu de 2 : un séparateur manque ?) : corrigez-la, elle n'a pas ...
    >>> print(row_reason("formule sans valeur calculée (B2 : =A1)"))
    formule sans valeur calculée (B2 : =A1) : ouvrez le classeur dans un tableur et ...
    """
    if problem.startswith(FORMULA_PROBLEM):
        return (
            f"{problem} : ouvrez le classeur dans un tableur et enregistrez-le ; "
            f"la ligne n'a pas été {action}"
        )
    return f"ligne mal formée ({problem}) : corrigez-la, elle n'a pas été {action}"


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
    return some([repr(shown(str(c))) for c in columns], limit)


def column(df: pd.DataFrame, name: str, option: str = "") -> pd.Series:
    """The column ``name`` of a table; a missing or repeated name is refused clearly.

    Parameters
    ----------
    df : pandas.DataFrame
    name : str
    option : str, optional
        The option naming the column (``"--address-col"``), for the message.

    Raises
    ------
    InputFileError

    Examples
    --------
    >>> df = pd.DataFrame([["1", "rue A", "rue B"]], columns=["id", "adresse", "adresse"])
    >>> column(df, "id").tolist()
    ['1']
    >>> column(df, "adresse")
    Traceback (most recent call last):
    ...
    ortgeo.errors.InputFileError: Column 'adresse' appears 2 times in the header ...
    """
    where = [i for i, c in enumerate(df.columns) if c == name]
    if not where:
        hint = f" ({option})" if option else ""
        raise InputFileError(
            f"Column {describe_columns([name])} not in the input{hint}; its columns are "
            f"{describe_columns(df.columns, limit=20)}."
        )
    if len(where) > 1:
        places = ", ".join(str(i + 1) for i in where[:-1]) + f" and {where[-1] + 1}"
        raise InputFileError(
            f"Column {shown(str(name))!r} appears {len(where)} times in the header (columns "
            f"{places}): rename all but one in the file, so that ortgeo knows which to read."
        )
    return df.iloc[:, where[0]]


def _csv_rows(path: Path, raw: bytes, sep: str | None, encoding: str | None) -> list[list[str]]:
    import csv

    text = decode_text(raw, encoding, path.name, what="table of addresses")
    if not text.strip():
        raise InputFileError(f"{path.name} is empty: expected a header line and addresses.")
    delimiter = sep or sniff_separator(text)
    try:
        return list(csv.reader(io.StringIO(text, newline=""), delimiter=delimiter))
    except csv.Error as exc:
        raise InputFileError(
            f"Cannot read {path.name} as CSV with separator {delimiter!r} ({exc}). "
            "Pass --sep to force the separator, or re-save the file as CSV UTF-8."
        ) from None


def _cell_name(row: int, col: int) -> str:
    """The spreadsheet name of a cell (1-based row and column): ``B4``."""
    letters = ""
    while col:
        col, rest = divmod(col - 1, 26)
        letters = chr(65 + rest) + letters
    return f"{letters}{row}"


def _workbook_rows(path: Path, raw: bytes) -> tuple[list[list[str]], dict[int, list[str]]]:
    """The cells of the first sheet (merged ranges filled), and per row (0-based) the
    formulas that have no computed value, named by cell."""
    try:
        from openpyxl import load_workbook
    except ImportError:  # pragma: no cover - a dependency of ortgeo
        raise InputFileError("Reading .xlsx needs openpyxl: pip install openpyxl.") from None

    def load(data_only: bool) -> Any:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # openpyxl's "no default style" etc.
            return load_workbook(io.BytesIO(raw), data_only=data_only)

    try:
        book = load(True)
    except Exception as exc:  # openpyxl raises many types for damaged files
        raise InputFileError(
            f"Cannot read {path.name} as an Excel workbook ({type(exc).__name__}). {SAVE_AS}"
        ) from None
    sheets = book.worksheets
    if len(sheets) > 1:
        warnings.warn(
            f"{path.name}: read the first sheet, {sheets[0].title!r}, of {len(sheets)}.",
            UserWarning,
            stacklevel=4,
        )
    sheet = sheets[0]
    grid = [[cell_text(v) for v in row]
            for row in sheet.iter_rows(min_row=1, min_col=1, values_only=True)]  # fmt: skip
    header = next((i for i, row in enumerate(grid) if any(row)), 0)
    filled = []
    for rng in sheet.merged_cells.ranges:
        top = max(rng.min_row - 1, header + 1)  # header cells are never copied
        first = grid[rng.min_row - 1][rng.min_col - 1]
        if top > rng.max_row - 1 or not first:
            continue
        for r in range(top, rng.max_row):
            for c in range(rng.min_col - 1, rng.max_col):
                grid[r][c] = first
        filled.append(rng.coord)
    if filled:
        warnings.warn(
            f"{path.name}: {len(filled)} merged range(s) ({some(filled)}) "
            "filled with the value of their first cell, on every row they cover.",
            UserWarning,
            stacklevel=4,
        )
    formulas: dict[int, list[str]] = {}
    if _has_formulas(raw):
        source = load(False).worksheets[0]
        for r, row in enumerate(source.iter_rows(min_row=1, min_col=1, values_only=True)):
            for c, value in enumerate(row):
                text = getattr(value, "text", value)  # an ArrayFormula holds its text
                if isinstance(text, str) and text.startswith("=") and not grid[r][c]:
                    formulas.setdefault(r, []).append(f"{_cell_name(r + 1, c + 1)} : {shown(text)}")
    if formulas:
        cells = [cell for row in formulas.values() for cell in row]
        warnings.warn(
            f"{path.name}: {len(cells)} formula cell(s) have no computed value ({cells[0]}"
            f"{', …' if len(cells) > 1 else ''}): the workbook was written by a program and "
            "never saved by a spreadsheet. Open it in Excel or LibreOffice and save it; "
            "those rows are not checked.",
            UserWarning,
            stacklevel=4,
        )
    return grid, formulas


def _has_formulas(raw: bytes) -> bool:
    """Whether a workbook's sheets hold any formula (read only then: a second load)."""
    with zipfile.ZipFile(io.BytesIO(raw)) as archive:
        return any(
            _FORMULA_TAG.search(archive.read(name))
            for name in archive.namelist()
            if name.startswith("xl/worksheets/") and name.endswith(".xml")
        )


def load_table(path: str | Path, sep: str | None = None, encoding: str | None = None) -> Table:
    """Read a CSV or ``.xlsx`` table as text; say what is wrong with each malformed row.

    Parameters
    ----------
    path : str or Path
        CSV (UTF-8 with or without BOM, or cp1252 — detected, line by line when a UTF-8
        file holds a few cp1252 lines; UTF-16 with ``encoding="utf-16"``) or Excel
        workbook (``.xlsx``, first sheet).
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
        Missing, empty or too large file, header without data rows, not a table (binary,
        UTF-16 without ``encoding``...), undecodable text.

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
    workbook = path.suffix.lower() in _EXCEL_SUFFIXES
    input_file(path, "Input file", max_bytes=MAX_WORKBOOK_BYTES if workbook else MAX_TABLE_BYTES)
    raw = path.read_bytes()
    formulas: dict[int, list[str]] = {}
    if _is_workbook(path, raw):
        rows, formulas = _workbook_rows(path, raw)
    else:
        if path.suffix.lower() in (".xls", ".ods") and encoding is None:
            raise InputFileError(
                f"{path.name} is a {path.suffix.lower()} spreadsheet, which ortgeo does not "
                f"read. {SAVE_AS}"
            )
        rows = _csv_rows(path, raw, sep, encoding)
    filled = [i for i, row in enumerate(rows) if any(cell.strip() for cell in row)]
    if not filled:
        raise InputFileError(f"{path.name} is empty: expected a header line and addresses.")
    # blank lines before the header and after the last row are not rows; between, they are
    first, last = filled[0], filled[-1]
    columns = header_names(rows[first])
    if not columns:
        raise InputFileError(f"{path.name}: the first line has no column name. {SAVE_AS}")
    data = rows[first + 1 : last + 1]
    if not data:
        raise InputFileError(
            f"{path.name} has a header line ({describe_columns(columns)}) but no data row: "
            "nothing to check. Add one address per line below the header."
        )
    n = len(columns)
    cells: list[list[str]] = []
    problems: list[str] = []
    geocodable: list[bool] = []
    for i, row in enumerate(data, start=first + 1):
        fitted, problem, trusted = row_shape(row, n)
        if i in formulas:
            cells_ = " ; ".join(formulas[i])
            problem = f"{FORMULA_PROBLEM} ({cells_})" + (f" ; {problem}" if problem else "")
            trusted = False
        cells.append(fitted)
        problems.append(problem)
        geocodable.append(trusted)
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
