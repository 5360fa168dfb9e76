"""Writing files safely: the one output layer of every command.

Every file ortgeo writes goes through this module:

- :func:`check_output_path`, :func:`check_output_folder` and :func:`check_outputs` refuse,
  *before any work*, an output that cannot be written (unknown extension, missing or
  read-only folder, a folder where a file is expected, the input file itself, two outputs
  of one command naming the same file);
- :func:`atomic_path` / :func:`atomic_folder` write to a temporary name beside the target and
  move it into place only when everything was written: a failure or an interruption never
  leaves a half-written file; a full disk is a :class:`~ortgeo.errors.NoSpaceError`;
- :func:`output_lock` keeps two runs from writing one output at the same time, and
  :func:`resumable_output` is the work folder of an output written in parts (``ortgeo
  locate``): resumed after an interruption, removed after any other error;
- :func:`write_csv` writes a table whose text cells cannot run as spreadsheet formulas.
"""

from __future__ import annotations

import contextlib
import csv
import errno
import glob
import itertools
import json
import os
import shutil
import tempfile
from collections.abc import Iterator, Mapping, Sequence
from pathlib import Path
from typing import Any, TypeGuard, cast

import numpy as np
import pandas as pd

from ortgeo.errors import NoSpaceError, OutputFileError, OutputLockedError

__all__ = [
    "FORMULA_START",
    "Resumable",
    "atomic_folder",
    "atomic_path",
    "check_output_folder",
    "check_output_path",
    "check_outputs",
    "make_folder",
    "neutralise_formula",
    "output_lock",
    "resumable_output",
    "scratch_folder",
    "write_bytes",
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


def make_folder(folder: str | Path) -> Path:
    """An output folder, checked (:func:`check_output_folder`) then created if missing.

    Examples
    --------
    >>> import tempfile
    >>> make_folder(Path(tempfile.mkdtemp()) / "cadastre").is_dir()
    True
    """
    folder = check_output_folder(folder)
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise _write_error(folder, exc) from None
    return folder


def check_outputs(
    files: Mapping[str, str | Path | None],
    folders: Mapping[str, str | Path | None] | None = None,
    *,
    suffixes: Mapping[str, Sequence[str]] | None = None,
    inputs: Sequence[str | Path | None] = (),
) -> None:
    """Check every output of one command before any work: each one writable, none of them
    an input, no two of them the same file.

    Parameters
    ----------
    files, folders : mapping
        Output files and output folders, by the name the user gave them (``"-o"``,
        ``"--long"``); ``None`` values (an option not given) are skipped.
    suffixes : mapping, optional
        Accepted extensions of some of the files, by the same names.
    inputs : sequence of paths
        Files the command reads.

    Raises
    ------
    OutputFileError
        The first output that cannot be written, or two outputs naming one file.

    Examples
    --------
    >>> check_outputs({"-o": "out.parquet", "--long": "./out.parquet"})
    Traceback (most recent call last):
    ...
    ortgeo.errors.OutputFileError: -o and --long both name out.parquet: give each output its ...
    """
    suffixes = suffixes or {}
    given = {name: Path(p) for name, p in files.items() if p is not None}
    for name, path in given.items():
        check_output_path(path, suffixes.get(name), inputs=inputs)
    for folder in (folders or {}).values():
        if folder is not None:
            check_output_folder(folder)
    seen: dict[Path, str] = {}
    for name, path in given.items():
        key = path.resolve()
        if key in seen:
            raise OutputFileError(
                f"{seen[key]} and {name} both name {path.name}: give each output its own file."
            )
        seen[key] = name


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
        if _from_the_system(exc):  # disk full, permission lost, folder removed...
            raise _write_error(path, exc) from exc
        raise


#: errno values that mean "the disk or the quota is full".
_NO_SPACE = {errno.ENOSPC, getattr(errno, "EDQUOT", errno.ENOSPC)}


def _from_the_system(exc: BaseException) -> TypeGuard[OSError]:
    """Whether ``exc`` is a failure of the system (it has an ``errno``: disk full, permission
    lost...), to be told as an :class:`OutputFileError`; other errors pass through."""
    return isinstance(exc, OSError) and exc.errno is not None


def _write_error(path: Path, exc: OSError) -> OutputFileError:
    """The one-line error of an OS failure while writing ``path``.

    Examples
    --------
    >>> print(_write_error(Path("r.csv"), OSError(errno.ENOSPC, "No space left on device")))
    Cannot write r.csv: No space left on device. Free some space or choose another folder; ...
    """
    if exc.errno in _NO_SPACE:
        return NoSpaceError(
            f"Cannot write {path}: {exc.strerror or 'no space left on the disk'}. Free some "
            "space or choose another folder; nothing was written.",
            path=str(path),
            retry_after=60.0,
        )
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
    try:
        parent.mkdir(parents=True, exist_ok=True)
        tmp = Path(tempfile.mkdtemp(prefix=f".{folder.name}.", suffix=".tmp", dir=parent))
    except OSError as exc:
        raise _write_error(folder, exc) from None
    try:
        yield tmp
        folder.mkdir(exist_ok=True)
        for item in sorted(tmp.iterdir()):
            target = folder / item.name
            if target.is_dir() and item.is_dir():
                shutil.rmtree(target)
            os.replace(item, target)
    except OSError as exc:  # disk full, permission lost...
        if _from_the_system(exc):
            raise _write_error(folder, exc) from exc
        raise
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


def write_bytes(path: str | Path, data: bytes) -> Path:
    """Write ``data`` to ``path`` atomically (a full disk is a :class:`NoSpaceError`).

    Examples
    --------
    >>> target = Path(tempfile.mkdtemp()) / "a.bin"
    >>> write_bytes(target, b"ok").read_bytes()
    b'ok'
    """
    path = Path(path)
    with atomic_path(path) as tmp:
        tmp.write_bytes(data)
    return path


@contextlib.contextmanager
def scratch_folder(prefix: str = "ortgeo-") -> Iterator[Path]:
    """A private temporary folder, removed at the end; OS failures are ortgeo errors.

    Examples
    --------
    >>> with scratch_folder() as tmp:
    ...     tmp.is_dir()
    True
    """
    try:
        holder = tempfile.TemporaryDirectory(prefix=prefix)
    except OSError as exc:
        raise _write_error(Path(tempfile.gettempdir()), exc) from None
    with holder as name:
        yield Path(name)


# -- locks and resumable outputs ---------------------------------------------------------
def _lock_path(path: Path) -> Path:
    return path.with_name(f".{path.name}.lock")


@contextlib.contextmanager
def output_lock(path: str | Path) -> Iterator[Path]:
    """Hold the lock of output ``path`` (``.<name>.lock`` beside it) for the block.

    A second run writing the same output while the first holds the lock is refused at
    once, with the process id of the first. The lock is an ``flock`` on the lock file:
    it is released when the block ends, and by the system when the process dies.

    Raises
    ------
    OutputLockedError
        Another run holds the lock.

    Examples
    --------
    >>> out = Path(tempfile.mkdtemp()) / "points.parquet"
    >>> with output_lock(out):
    ...     with output_lock(out):
    ...         pass
    Traceback (most recent call last):
    ...
    ortgeo.errors.OutputLockedError: Cannot write ...points.parquet: another ortgeo run ...
    """
    import fcntl

    path = Path(path)
    lock = _lock_path(path)
    while True:
        try:
            fd = os.open(lock, os.O_RDWR | os.O_CREAT, 0o644)
        except OSError as exc:
            raise _write_error(path, exc) from None
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            owner = os.read(fd, 32).decode("ascii", "replace").strip() or "?"
            os.close(fd)
            raise OutputLockedError(
                f"Cannot write {path}: another ortgeo run (process {owner}) is writing it. "
                "Wait for it to finish, or choose another output.",
                path=str(path),
            ) from None
        try:  # the previous holder may have removed the file between our open and flock
            same = os.fstat(fd).st_ino == os.stat(lock).st_ino
        except FileNotFoundError:
            same = False
        if same:
            break
        os.close(fd)
    try:
        os.ftruncate(fd, 0)
        os.write(fd, str(os.getpid()).encode("ascii"))
        yield lock
    finally:
        with contextlib.suppress(OSError):
            lock.unlink()
        os.close(fd)


class Resumable:
    """The work folder of an output written in parts, and its saved state.

    Attributes
    ----------
    folder : Path
        ``.<name>.partial`` beside the output: the parts and ``state.json``.
    state : dict
        What was done (saved by :meth:`save`); ``state["signature"]`` is what the run
        was asked, so that only the same command resumes.
    resumed : bool
        Whether an earlier run's state was taken up.
    """

    def __init__(self, folder: Path, state: dict[str, Any], resumed: bool) -> None:
        self.folder = folder
        self.state = state
        self.resumed = resumed

    def save(self) -> None:
        """Write the state, atomically (a crash leaves the previous one)."""
        target = self.folder / "state.json"
        tmp = target.with_suffix(".tmp")
        tmp.write_text(json.dumps(self.state), encoding="utf-8")
        os.replace(tmp, target)

    def commit(self, files: Mapping[Path, Path]) -> None:
        """Move finished files of the work folder onto their outputs."""
        for built, target in files.items():
            os.replace(built, target)


@contextlib.contextmanager
def resumable_output(
    path: str | Path, signature: Mapping[str, Any], *, resume: bool = True
) -> Iterator[Resumable]:
    """The locked work folder of output ``path``, resumed when the same run was interrupted.

    The block writes its parts into :attr:`Resumable.folder`, saves its progress with
    :meth:`Resumable.save` and moves the finished files into place with
    :meth:`Resumable.commit`. The work folder is kept after Ctrl-C (the same command
    resumes), and removed after success or any other error, so that no ``.partial``
    folder is left behind. A full disk is a :class:`NoSpaceError`.

    Raises
    ------
    OutputLockedError
        Another run writes the same output.

    Examples
    --------
    >>> out = Path(tempfile.mkdtemp()) / "points.csv"
    >>> with resumable_output(out, {"run": 1}) as work:
    ...     _ = (work.folder / "data.csv").write_text("a\\n1\\n")
    ...     work.commit({work.folder / "data.csv": out})
    >>> out.read_text(), sorted(p.name for p in out.parent.iterdir())
    ('a\\n1\\n', ['points.csv'])
    """
    path = Path(path)
    signature = dict(signature)
    with output_lock(path):
        folder = path.with_name(f".{path.name}.partial")
        previous: dict[str, Any] | None = None
        with contextlib.suppress(OSError, ValueError):
            previous = json.loads((folder / "state.json").read_text(encoding="utf-8"))
        resumed = bool(resume and previous and previous.get("signature") == signature)
        try:
            if not resumed:
                shutil.rmtree(folder, ignore_errors=True)
                folder.mkdir(parents=True)
            work = Resumable(folder, previous if resumed and previous else {"signature": signature},
                             resumed)  # fmt: skip
            yield work
        except KeyboardInterrupt:
            raise  # the parts stay: the same command resumes after the last one
        except BaseException as exc:
            shutil.rmtree(folder, ignore_errors=True)
            if _from_the_system(exc):
                raise _write_error(path, exc) from exc
            raise
        shutil.rmtree(folder, ignore_errors=True)


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
