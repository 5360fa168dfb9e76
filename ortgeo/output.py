"""Writing files safely: one output-path check, one atomic write, one CSV writer.

Every file ortgeo writes goes through this module:

- :func:`check_output_path` refuses, *before any work*, an output that cannot be written
  (unknown extension, missing or read-only folder, a folder where a file is expected, the
  input file itself);
- :func:`atomic_path` / :func:`atomic_folder` write to a temporary name beside the target and
  move it into place only when everything was written: a failure or an interruption never
  leaves a half-written file;
- :func:`write_csv` writes a table whose text cells cannot run as spreadsheet formulas.
"""

from __future__ import annotations

import contextlib
import csv
import glob
import itertools
import os
import shutil
import tempfile
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any, cast

import numpy as np
import pandas as pd

from ortgeo.errors import OutputFileError

__all__ = [
    "FORMULA_START",
    "atomic_folder",
    "atomic_path",
    "check_output_folder",
    "check_output_path",
    "neutralise_formula",
    "write_csv",
]

#: A text cell starting with one of these is run as a formula by spreadsheets.
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def _same_file(a: Path, b: Path) -> bool:
    try:
        return a.exists() and b.exists() and os.path.samefile(a, b)
    except OSError:
        return False


def check_output_path(
    path: str | Path,
    suffixes: Sequence[str] | None = None,
    *,
    inputs: Sequence[str | Path | None] = (),
) -> Path:
    """The output file ``path``, checked before any work is done.

    Parameters
    ----------
    path : str or Path
        The file to write.
    suffixes : sequence of str, optional
        Accepted extensions (``[".csv", ".gpkg"]``), compared case-insensitively.
    inputs : sequence of paths
        Files the command reads: the output may not be one of them.

    Raises
    ------
    OutputFileError
        Unknown extension, missing or read-only folder, a folder at ``path``, a
        read-only file, or the output is an input.

    Examples
    --------
    >>> check_output_path("rapport.xlsx", [".csv", ".gpkg"])
    Traceback (most recent call last):
    ...
    ortgeo.errors.OutputFileError: Cannot write rapport.xlsx: use a name ending in .csv or .gpkg.
    """
    path = Path(path)
    if suffixes is not None and path.suffix.lower() not in suffixes:
        wanted = " or ".join(
            [", ".join(suffixes[:-1]), suffixes[-1]] if suffixes[:-1] else suffixes
        )
        raise OutputFileError(f"Cannot write {path.name}: use a name ending in {wanted}.")
    for source in inputs:
        if source is not None and (
            _same_file(path, Path(source)) or path.resolve() == Path(source).resolve()
        ):
            raise OutputFileError(
                f"Cannot write {path}: it is the input file. Choose another output name."
            )
    if path.is_dir():
        raise OutputFileError(f"Cannot write {path}: it is a folder. Give a file name.")
    _check_folder_writable(path.parent, f"Cannot write {path}")
    if path.exists() and not os.access(path, os.W_OK):
        raise OutputFileError(f"Cannot write {path}: the file is read-only.")
    return path


def check_output_folder(folder: str | Path) -> Path:
    """An output folder: created later if missing, but its parent must be writable.

    Examples
    --------
    >>> import tempfile
    >>> check_output_folder(Path(tempfile.mkdtemp()) / "annexe3").name
    'annexe3'
    """
    folder = Path(folder)
    if folder.exists() and not folder.is_dir():
        raise OutputFileError(f"Cannot write into {folder}: it is a file, not a folder.")
    if folder.is_dir():
        _check_folder_writable(folder, f"Cannot write into {folder}")
    else:
        parent = next((p for p in folder.parents if p.exists()), Path("."))
        _check_folder_writable(parent, f"Cannot create {folder}")
    return folder


def _check_folder_writable(folder: Path, what: str) -> None:
    folder = folder if str(folder) else Path(".")
    if not folder.exists():
        raise OutputFileError(f"{what}: folder {folder} does not exist. Create it first.")
    if not folder.is_dir():
        raise OutputFileError(f"{what}: {folder} is not a folder.")
    if not os.access(folder, os.W_OK | os.X_OK):
        raise OutputFileError(f"{what}: folder {folder} is read-only. Choose a writable folder.")


@contextlib.contextmanager
def atomic_path(path: str | Path) -> Iterator[Path]:
    """Yield a temporary path beside ``path``; move it onto ``path`` when the block succeeds.

    On an exception (or Ctrl-C) the temporary file is removed and ``path`` is untouched.
    Side files written next to the temporary one (a Shapefile's ``.shx``, ``.dbf``,
    ``.prj``, ``.cpg``) move with it, onto ``path``'s name.

    Examples
    --------
    >>> import tempfile
    >>> target = Path(tempfile.mkdtemp()) / "a.txt"
    >>> with atomic_path(target) as tmp:
    ...     _ = tmp.write_text("ok", encoding="utf-8")
    >>> target.read_text(encoding="utf-8")
    'ok'
    """
    path = Path(path)
    try:
        fd, name = tempfile.mkstemp(prefix=f".{path.stem}.", suffix=f".tmp{path.suffix}",
                                    dir=path.parent if str(path.parent) else ".")  # fmt: skip
    except OSError as exc:
        raise _write_error(path, exc) from None
    os.close(fd)
    tmp = Path(name)
    tmp.unlink()  # writers (OGR, matplotlib) want to create the file themselves

    def side_files() -> list[Path]:
        return [p for p in tmp.parent.glob(glob.escape(tmp.stem) + ".*") if p != tmp]

    try:
        yield tmp
        if not tmp.exists():
            raise OutputFileError(f"Nothing was written to {path}.")
        for side in side_files():
            os.replace(side, path.with_name(path.stem + side.name[len(tmp.stem) :]))
        os.replace(tmp, path)
    except BaseException as exc:
        with contextlib.suppress(OSError):
            for item in [tmp, *side_files()]:
                if item.is_dir():
                    shutil.rmtree(item)
                else:
                    item.unlink(missing_ok=True)
        if isinstance(exc, OSError):  # disk full, permission lost, folder removed...
            raise _write_error(path, exc) from exc
        raise


def _write_error(path: Path, exc: OSError) -> OutputFileError:
    return OutputFileError(
        f"Cannot write {path}: {exc.strerror or type(exc).__name__}. "
        "Check that the folder is writable and has free space; nothing was written."
    )


@contextlib.contextmanager
def atomic_folder(folder: str | Path) -> Iterator[Path]:
    """Yield a temporary folder; its files move into ``folder`` only when the block succeeds.

    The folder is created if needed; files already in it that the block did not write are
    kept. On an exception nothing is moved and the temporary folder is removed.

    Examples
    --------
    >>> import tempfile
    >>> out = Path(tempfile.mkdtemp()) / "annexe3"
    >>> with atomic_folder(out) as tmp:
    ...     _ = (tmp / "LISEZMOI.txt").write_text("ok", encoding="utf-8")
    >>> sorted(p.name for p in out.iterdir())
    ['LISEZMOI.txt']
    """
    folder = check_output_folder(folder)
    parent = folder.parent if str(folder.parent) else Path(".")
    parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=f".{folder.name}.", suffix=".tmp", dir=parent))
    try:
        yield tmp
        folder.mkdir(exist_ok=True)
        for item in sorted(tmp.iterdir()):
            target = folder / item.name
            if target.is_dir() and item.is_dir():
                shutil.rmtree(target)
            os.replace(item, target)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


def neutralise_formula(value: Any) -> Any:
    """Prefix with ``'`` a text cell that a spreadsheet would run as a formula.

    Examples
    --------
    >>> neutralise_formula("=HYPERLINK(\\"http://x\\")"), neutralise_formula("rue de Lille")
    ('\\'=HYPERLINK("http://x")', 'rue de Lille')
    """
    if isinstance(value, str) and value.startswith(FORMULA_START):
        return "'" + value
    return value


def _cell_text(value: Any) -> str:
    """A cell as the CSV module writes it: missing as empty, floats by ``repr``."""
    if isinstance(value, str):
        return value
    if value is None or (not isinstance(value, list | tuple | dict) and pd.isna(value) is True):
        return ""
    return repr(value) if isinstance(value, float) else str(value)


def _column_texts(column: pd.Series) -> list[str] | None:
    """The cells of a column as text, formula-safe, as ``DataFrame.to_csv`` prints them;
    None for a dtype this fast path does not format (dates, categories...)."""
    dtype = column.dtype
    if dtype == np.float64:
        values = column.to_numpy()
        texts: list[str] = list(map(repr, values.tolist()))
        for i in np.flatnonzero(np.isnan(values)).tolist():
            texts[i] = ""
        return texts
    if dtype.kind in "iub":
        return list(map(str, column.tolist()))
    mixed = pd.api.types.is_object_dtype(dtype)  # any Python objects: only str cells are text
    if isinstance(dtype, pd.StringDtype):
        texts = column.to_numpy(dtype=object, na_value="").tolist()
    elif mixed:
        texts = [v if isinstance(v, str) else _cell_text(v) for v in column.tolist()]
        strings = [isinstance(v, str) for v in column.tolist()]
    else:
        return None
    risky = list(map(str.startswith, texts, itertools.repeat(FORMULA_START)))
    if any(risky):
        for i in itertools.compress(range(len(texts)), risky):
            if not mixed or strings[i]:  # text cells only, not "-1.5" from a number
                texts[i] = "'" + texts[i]
    return texts


def write_csv(
    table: pd.DataFrame, path: str | Path, *, sep: str = ";", excel: bool = False
) -> Path:
    """Write ``table`` as CSV, atomically, with every text cell safe for spreadsheets.

    Parameters
    ----------
    table : pandas.DataFrame
    path : str or Path
    sep : str
        Field separator (``;`` is what French spreadsheets expect).
    excel : bool
        Start the file with a UTF-8 BOM so that Excel reads accents correctly.

    Examples
    --------
    >>> import tempfile
    >>> p = write_csv(pd.DataFrame({"voie": ["=1+1", "rue A"]}), Path(tempfile.mkdtemp()) / "t.csv")
    >>> p.read_text(encoding="utf-8").splitlines()
    ['voie', "'=1+1", 'rue A']
    """
    path = Path(path)
    header = [neutralise_formula(str(c)) for c in table.columns]
    columns = (
        [_column_texts(table.iloc[:, i]) for i in range(len(header))] if len(header) > 1 else [None]
    )
    encoding = "utf-8-sig" if excel else "utf-8"
    with atomic_path(path) as tmp, open(tmp, "w", encoding=encoding, newline="") as out:
        if any(col is None for col in columns):  # an uncommon dtype: pandas formats it
            _pandas_csv(table, header, out, sep)
        else:
            _join_csv(header, cast(list[list[str]], columns), out, sep)
    return path


def _join_csv(header: list[str], columns: list[list[str]], out: Any, sep: str) -> None:
    """Write text columns: cells that need quotes go through the CSV module, rows are joined."""
    quote = csv.writer(_LastLine(), delimiter=sep, lineterminator="\n")
    specials = (sep, '"', "\n", "\r")
    for col in [header, *columns]:
        whole = "\0".join(col)
        need: set[int] = set()
        for ch in [c for c in specials if c in whole]:  # only columns holding one
            need.update(i for i, cell in enumerate(col) if ch in cell)
        for i in need:
            col[i] = quote.writerow([col[i]])[:-1]  # without the line end
    out.write(sep.join(header) + "\n")
    for start in range(0, len(columns[0]), _CSV_ROWS):
        rows = zip(*(col[start : start + _CSV_ROWS] for col in columns), strict=True)
        out.write("".join([sep.join(row) + "\n" for row in rows]))


#: Rows joined into one write by :func:`write_csv`.
_CSV_ROWS = 20_000


class _LastLine:
    """A file-like sink whose ``write`` returns what it was given (one quoted field)."""

    def write(self, text: str) -> str:
        return text


def _pandas_csv(table: pd.DataFrame, header: list[str], out: Any, sep: str) -> None:
    safe = table.copy()
    for col in safe.columns:
        if not pd.api.types.is_numeric_dtype(safe[col]):
            safe[col] = safe[col].map(neutralise_formula)
    safe.columns = header
    safe.to_csv(out, sep=sep, index=False, lineterminator="\n")
