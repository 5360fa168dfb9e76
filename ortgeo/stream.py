"""Streaming location of a file of points: read in chunks, locate, write as it goes.

Inputs (read by :class:`ortgeo.io.pointfiles.PointFile`): CSV (``.csv``, ``.csv.gz``,
``;``/``,``/tab separated, e.g. a BAN export ``adresses-XX.csv.gz``) and Parquet /
GeoParquet (``.parquet``, ``.geoparquet``). The coordinates are the Lambert-93 ``x``/``y``
columns when present, else WGS84 ``lon``/``lat`` (or ``longitude``/``latitude``), else the
GeoParquet point geometry. A malformed CSV row is kept in place, its point ``invalide``
with the reason « ligne mal formée (…) ».

Outputs: Parquet (GeoParquet when the input had a geometry, kept as it is) or CSV; every
input row is kept, in order, followed by the per-point columns of
:class:`ortgeo.engine.SectorResult` (``valid, reason, ort_status, ort_territory,
ort_sector, ort_distance_m, n_sectors``). Optionally the long result goes to a second
Parquet file.

The outputs go through :mod:`ortgeo.output`: checked before any work (writable, not the
input, ``--long`` not the main output), locked while a run writes them (a second run on
the same output is refused), written in a hidden ``<OUT>.partial`` folder next to them, one
part per chunk plus a ``state.json``, and moved into place at the end. An interrupted run
(Ctrl-C), started again with the same arguments, resumes after the last finished chunk;
after any other error the ``.partial`` folder is removed. A part holds what ortgeo adds
(the located columns, the long rows): a resumed run reads the input's columns of the
finished chunks again, from the input the run's signature (size, time) checks unchanged.
"""

from __future__ import annotations

import collections
import gzip
import hashlib
import queue
import shutil
import threading
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from pathlib import Path
from typing import Any, Literal

import numpy as np
import pyarrow as pa  # type: ignore[import-untyped]
import pyarrow.ipc as ipc  # type: ignore[import-untyped]
import pyarrow.parquet as pq  # type: ignore[import-untyped]
import shapely

from ortgeo import engine
from ortgeo.cpus import usable_cpus
from ortgeo.dates import DateLike, parse_date
from ortgeo.engine import SectorResult, Sectors, as_sectors, locate_points
from ortgeo.errors import InputFileError, OrtgeoError, OutputError, OutputFileError
from ortgeo.io.pointfiles import (
    PointChunk,
    PointFile,
    chunk_points,
    point_format,
    read_point_chunks,
    table_communes,
)
from ortgeo.output import Resumable, check_outputs, resumable_output
from ortgeo.points import points_from_xy

__all__ = ["OutputError", "default_jobs", "iter_located", "locate_file", "read_point_chunks"]

#: Smallest chunk located on worker threads: below it, threads cost more than they give.
PARALLEL_MIN_CHUNK = 10_000


def default_jobs() -> int:
    """Threads that locate chunks at once: the CPUs this process may use (at most 4).

    Examples
    --------
    >>> 1 <= default_jobs() <= 4
    True
    """
    return min(usable_cpus(), 4)


def _in_order(
    work: Callable[[Any], Any], items: Iterator[Any], jobs: int
) -> Iterator[tuple[Any, Any]]:
    """``(item, work(item))`` in the order of ``items``, ``jobs`` items worked on at once.

    At most ``jobs + 1`` items are read ahead, so memory stays that of a few chunks; an
    error (or Ctrl-C) in the work of an item is raised when that item's turn comes, after
    every item before it was handed over.
    """
    if jobs <= 1:
        for item in items:
            yield item, work(item)
        return
    pending: collections.deque[tuple[Any, Future]] = collections.deque()
    pool = ThreadPoolExecutor(jobs, thread_name_prefix="ortgeo-locate")
    try:
        for item in items:
            pending.append((item, pool.submit(work, item)))
            if len(pending) > jobs:
                first, future = pending.popleft()
                yield first, future.result()
        while pending:
            first, future = pending.popleft()
            yield first, future.result()
    finally:
        pool.shutdown(wait=True, cancel_futures=True)


def iter_located(
    points: str | Path,
    sectors: Sectors | Any = None,
    date: DateLike = None,
    *,
    chunk_size: int = 500_000,
    band_m: float | None = None,
    uncertainty_m: float = 0.0,
    distances: Literal["near", "all"] = "near",
    skip_rows: int = 0,
    jobs: int | None = None,
) -> Iterator[tuple[pa.Table, SectorResult, int, int]]:
    """Locate a points file chunk by chunk: (rows, result, first row number, rows read).

    A file with a header and no row gives one empty chunk (with the file's columns).
    Chunks of at least :data:`PARALLEL_MIN_CHUNK` rows are located ``jobs`` at a time on
    threads (default :func:`default_jobs`; shapely and numpy release the GIL), and come
    out in the file's order.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> f = pathlib.Path(tempfile.mkdtemp()) / "p.csv"
    >>> _ = f.write_text("lon,lat\\n2.833889,50.429167\\n")
    >>> [r.points["ort_status"].tolist() for _, r, _, _ in iter_located(f, date="2024-06-01")]
    [['dedans']]
    """
    if chunk_size < 1:
        raise OrtgeoError(f"chunk_size must be a positive number of rows, not {chunk_size}.")
    reader = PointFile(points, chunk_size)
    day = parse_date(date)
    in_force = as_sectors(sectors).in_force(day)
    jobs = default_jobs() if jobs is None else max(int(jobs), 1)

    threads = jobs if chunk_size >= PARALLEL_MIN_CHUNK else 1
    local = threading.local()
    copies: queue.SimpleQueue[Sectors] = queue.SimpleQueue()
    if threads > 1:  # GEOS geometries are never shared between threads: one set for each
        if len(in_force):  # the index built once, here, then copied with the sectors
            b = shapely.bounds(in_force.geometry[0])
            one = points_from_xy(np.array([(b[0] + b[2]) / 2]), np.array([(b[1] + b[3]) / 2]))
            engine.locate_points(one, in_force, day, band_m, uncertainty_m, distances)
        # the copies are made at once (they only read the originals), before any thread
        # locates; the originals then go to one thread, which alone uses them
        with ThreadPoolExecutor(2, thread_name_prefix="ortgeo-copy") as pool:
            made = list(pool.map(lambda _: in_force.for_thread(), range(threads - 1)))
        for own in (in_force, *made):
            copies.put(own)

    def located(chunk: PointChunk) -> SectorResult:
        own = in_force
        if threads > 1:
            own = getattr(local, "sectors", None) or copies.get()
            local.sectors = own
        pts = chunk_points(chunk.table, reader.geo, chunk.problems)
        return locate_points(pts, own, day, band_m, uncertainty_m, distances,
                             table_communes(chunk.table))  # fmt: skip

    start = skip_rows
    for chunk, result in _in_order(located, reader.chunks(skip_rows), threads):
        yield chunk.table, result, start, chunk.end
        start = chunk.end


# -- writing ---------------------------------------------------------------------------------
def _result_table(result: SectorResult) -> pa.Table:
    return pa.Table.from_pandas(result.points, preserve_index=False)


def _long_table(result: SectorResult, first_row: int) -> pa.Table:
    long = result.long.drop(columns=["ort"])
    long["point"] = long["point"] + first_row
    return pa.Table.from_pandas(long, preserve_index=False)


def _read_back_schema(table: pa.Table) -> pa.Schema:
    """The schema ``table`` has once written to Parquet and read back (dictionary indices
    widened to int32...): what every part of a Parquet output is cast to."""
    return _read_back(table)[0]


def _read_back(table: pa.Table) -> tuple[pa.Schema, list[str]]:
    """:func:`_read_back_schema` and the Parquet paths of the leaf columns (``a.b`` for a
    field ``b`` of a struct ``a``)."""
    sink = pa.BufferOutputStream()
    pq.write_table(table.slice(0, 0), sink)
    written = pq.ParquetFile(pa.BufferReader(sink.getvalue()))
    return written.schema_arrow, [c.path for c in written.schema]


#: ortgeo's own text columns, dictionary-encoded in the outputs, written without Parquet
#: statistics: every row group holds nearly all their values (statuses, reasons, sector and
#: territory ids in file order), so their min/max never let a reader skip a row group, and
#: computing them took a third of the writing. Every other column keeps its statistics.
NO_STATISTICS = frozenset({"reason", "ort_status", "ort_territory", "ort_sector", "coverage",
                           "sector", "territory", "status"})  # fmt: skip


class _ParquetOut:
    """One Parquet output written as its chunks come: one row group per chunk, cast to the
    schema of the first (as read back), ``geo`` metadata of the input added; statistics
    for every column but the dictionary-encoded ones of :data:`NO_STATISTICS`."""

    def __init__(self, path: Path, metadata: dict[bytes, bytes] | None) -> None:
        self.path, self.metadata = path, metadata
        self.writer: pq.ParquetWriter | None = None
        self.schema: pa.Schema | None = None

    def write(self, table: pa.Table) -> None:
        if self.writer is None:
            schema, leaves = _read_back(table)
            if self.metadata and b"geo" in self.metadata:
                schema = schema.with_metadata({**(schema.metadata or {}),
                                               b"geo": self.metadata[b"geo"]})  # fmt: skip
            # dictionary pages where they pay (texts, categories): numbers such as ids and
            # coordinates are nearly all distinct, so trying a dictionary only costs time
            wordy = [f.name for f in schema
                     if pa.types.is_dictionary(f.type) or pa.types.is_string(f.type)
                     or pa.types.is_large_string(f.type)]  # fmt: skip
            bare = {f.name for f in schema
                    if pa.types.is_dictionary(f.type) and f.name in NO_STATISTICS}  # fmt: skip
            stats = [c for c in leaves if c.split(".")[0] not in bare]
            self.schema = schema
            self.writer = pq.ParquetWriter(self.path, schema, use_dictionary=wordy,
                                           write_statistics=stats)  # fmt: skip
        self.writer.write_table(table.cast(self.schema))

    def close(self) -> None:
        if self.writer is not None:
            self.writer.close()


def _write_part(table: pa.Table, path: Path) -> None:
    """A finished chunk kept for a resumed run (Arrow IPC: written and read at disk speed)."""
    with pa.OSFile(str(path), "wb") as sink, ipc.new_file(sink, table.schema) as writer:
        writer.write_table(table)


def _read_part(path: Path) -> pa.Table:
    with pa.memory_map(str(path)) as source:
        return ipc.open_file(source).read_all()


class _Parts:
    """The parts of a run in its work folder (:func:`ortgeo.output.resumable_output`).

    Each finished chunk is written by one writer thread, in order, while the next chunks
    are located: its part (Arrow IPC, for a resumed run) and its row group of the Parquet
    output — so the output is encoded once, as the run goes — or its rows of the CSV;
    then the state is saved. A resumed run first feeds the parts of the earlier run to the
    Parquet outputs.
    """

    def __init__(
        self, work: Resumable, out: Path, long_out: Path | None,
        metadata: dict[bytes, bytes] | None = None,
        inputs: Callable[[], Iterator[pa.Table]] | None = None,
    ) -> None:  # fmt: skip
        self.work, self.out, self.long_out = work, out, long_out
        self.inputs = inputs
        self.dir = work.folder
        self.state = work.state
        self.state.setdefault("chunks", 0)
        self.state.setdefault("rows", 0)
        self.state.setdefault("counts", {})
        self.csv = point_format(out) == "csv"
        self.data = None if self.csv else _ParquetOut(self.dir / "data.parquet", metadata)
        self.long = None if long_out is None else _ParquetOut(self.dir / "long.parquet", None)
        self._writer = ThreadPoolExecutor(1, thread_name_prefix="ortgeo-write")
        self._pending: collections.deque[Future] = collections.deque()
        self._submit(self._resume)

    @property
    def rows_done(self) -> int:
        return int(self.state["rows"])

    def _submit(self, job: Callable[..., None], *args: Any) -> None:
        while self._pending and self._pending[0].done():
            self._pending.popleft().result()  # raises the writer's error here
        self._pending.append(self._writer.submit(job, *args))
        if len(self._pending) > 2:  # bounded: a slow disk holds back the locating
            self._pending.popleft().result()

    def _resume(self) -> None:
        done = int(self.state["chunks"])
        kept = self.inputs() if self.data is not None and self.inputs is not None and done else None
        for k in range(done):
            if self.data is not None:
                part = _read_part(self.dir / f"part-{k:06d}.arrow")
                if kept is not None:  # the part holds ortgeo's columns: the input's read again
                    part = _concat(next(kept), part)
                self.data.write(part)
            if self.long is not None:
                self.long.write(_read_part(self.dir / f"long-{k:06d}.arrow"))

    def add(
        self, table: pa.Table, long: pa.Table | None, rows: int, counts: dict[str, int],
        located: pa.Table | None = None,
    ) -> None:  # fmt: skip
        """Hand a finished chunk to the writer: its rows, its long rows, the rows read so
        far and its points per status (added to the state once the chunk is written);
        ``located``: ortgeo's columns of ``table``, all its part needs when the input's
        columns can be read again (``inputs``)."""
        self._submit(self._add, table, long, rows, counts, located)

    def _add(
        self, table: pa.Table, long: pa.Table | None, rows: int, counts: dict[str, int],
        located: pa.Table | None = None,
    ) -> None:  # fmt: skip
        k = self.state["chunks"]
        if self.csv:
            path = self.dir / "data.csv"
            size = int(self.state.get("csv_bytes", 0))
            with open(path, "ab") as f:
                f.truncate(size)  # drop what an interrupted chunk may have left
                frame = table.to_pandas()
                f.write(frame.to_csv(index=False, header=k == 0).encode("utf-8"))
                self.state["csv_bytes"] = f.tell()
        else:
            assert self.data is not None
            part = located if located is not None and self.inputs is not None else table
            _write_part(part, self.dir / f"part-{k:06d}.arrow")
            self.data.write(table)
        if long is not None and self.long is not None:
            _write_part(long, self.dir / f"long-{k:06d}.arrow")
            self.long.write(long)
        total = self.state["counts"]
        for status, n in counts.items():
            total[status] = total.get(status, 0) + n
        self.state["chunks"], self.state["rows"] = k + 1, rows
        self.work.save()

    def close(self) -> None:
        """Wait for the writer (its error raised here); the outputs stay in the folder."""
        try:
            while self._pending:
                self._pending.popleft().result()
        finally:
            self._writer.shutdown(wait=True, cancel_futures=True)
            for out in (self.data, self.long):
                if out is not None:
                    out.close()

    def finish(self) -> None:
        self.close()
        built: dict[Path, Path] = {}
        if self.csv:
            data = self.dir / "data.csv"
            if not data.exists():
                data.write_bytes(b"")
            if self.out.name.lower().endswith(".gz"):
                with open(data, "rb") as src, gzip.open(self.dir / "data.csv.gz", "wb") as dst:
                    shutil.copyfileobj(src, dst)
                data = self.dir / "data.csv.gz"
            built[data] = self.out
        else:
            built[self.dir / "data.parquet"] = self.out
        if self.long_out is not None:
            built[self.dir / "long.parquet"] = self.long_out
        self.work.commit(built)


def _signature(points: Path, sectors_source: str, **options: Any) -> dict:
    stat = points.stat()
    return {
        "points": str(points.resolve()), "size": stat.st_size, "mtime_ns": stat.st_mtime_ns,
        "sectors": sectors_source, **{k: str(v) for k, v in options.items()},
    }  # fmt: skip


def _sectors_source(catalog: Any) -> str:
    if catalog is None:
        return "bundled"
    if isinstance(catalog, str | Path):
        path = Path(catalog)
        stat = path.stat() if path.exists() else None
        return f"{path.resolve()}:{stat.st_mtime_ns if stat else ''}"
    ids = ",".join(map(str, getattr(catalog, "ids", getattr(catalog, "all_ids", ()))))
    return "object:" + hashlib.sha1(ids.encode()).hexdigest()


def check_locate_outputs(
    points: str | Path, out: str | Path, long_out: str | Path | None = None
) -> None:
    """The outputs of :func:`locate_file`, checked before any work (by :mod:`ortgeo.output`).

    Raises
    ------
    OutputFileError
        Unknown format, not writable, the input itself, ``long_out`` equal to ``out``.

    Examples
    --------
    >>> check_locate_outputs("ban.csv", "ban.csv")
    Traceback (most recent call last):
    ...
    ortgeo.errors.OutputFileError: Cannot write ban.csv: it is the input file. ...
    """
    if point_format(out) is None:
        raise OutputFileError(
            f"Unknown output format for {Path(out).name}: use .csv, .csv.gz, .parquet or "
            ".geoparquet."
        )
    if long_out is not None and point_format(long_out) != "parquet":
        raise OutputFileError(
            f"The long output must be a .parquet file, not {Path(long_out).name}."
        )
    check_outputs({"-o": out, "--long": long_out}, inputs=[points])


def locate_file(
    points: str | Path,
    out: str | Path,
    catalog: Sectors | Any = None,
    date: DateLike = None,
    *,
    chunk_size: int = 500_000,
    band_m: float | None = None,
    uncertainty_m: float = 0.0,
    distances: Literal["near", "all"] = "near",
    long_out: str | Path | None = None,
    columns: Sequence[str] | None = None,
    resume: bool = True,
    progress: bool = False,
    jobs: int | None = None,
) -> dict[str, Any]:
    """Locate every point of a file in the sectors in force, in chunks; write as it goes.

    Parameters
    ----------
    points : path
        CSV(.gz) / Parquet / GeoParquet file of points (see the module docstring).
    out : path
        ``.parquet`` / ``.geoparquet`` or ``.csv`` / ``.csv.gz`` output, one row per input
        row, in order: the input columns (or ``columns``) then the located columns. A file
        without rows gives an output with the columns and no row.
    catalog : Sectors, Catalog, path or None
        Catalogue TOML, sector GeoPackage / GeoParquet, or a loaded one (default bundled).
    date : str or date, optional
        Date of the sectors (default today).
    chunk_size : int
        Rows per chunk: peak memory depends on it, not on the number of points.
    band_m, uncertainty_m, distances
        As in :func:`ortgeo.engine.locate_sectors`.
    long_out : path, optional
        Parquet file for the long result (one row per point and sector in or near).
    columns : list of str, optional
        Input columns to keep (default all).
    resume : bool
        Continue an interrupted run with the same arguments (default), else start over.
    progress : bool
        Show a progress bar (rich).
    jobs : int, optional
        Chunks located at once, on threads (default: :func:`default_jobs`).

    Returns
    -------
    dict
        ``out``, ``rows``, ``resumed_rows`` (rows already done by an earlier run) and
        ``counts`` (rows per ``ort_status``).

    Raises
    ------
    OutputFileError
        An output that cannot be written, the input itself, ``long_out`` equal to ``out``;
        :class:`~ortgeo.errors.OutputLockedError` when another run writes ``out``.
    InputFileError
        A points file that cannot be read (truncated gzip...): nothing is left behind.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> d = pathlib.Path(tempfile.mkdtemp())
    >>> _ = (d / "p.csv").write_text("id,lon,lat\\n1,2.833889,50.429167\\n2,2.832308,50.45\\n")
    >>> locate_file(d / "p.csv", d / "out.csv", date="2024-06-01")["counts"]
    {'dedans': 1, 'dehors': 1}
    """
    src, dst = Path(points), Path(out)
    check_locate_outputs(src, dst, long_out)
    reader = PointFile(src, chunk_size)  # checks the input early
    sectors = as_sectors(catalog)
    day = parse_date(date)
    signature = _signature(
        src, _sectors_source(catalog), date=day, chunk_size=chunk_size, band_m=band_m,
        uncertainty_m=uncertainty_m, distances=distances, columns=columns, out=dst.resolve(),
        long_out=long_out, parts="located",
    )  # fmt: skip
    metadata = reader.schema_metadata if reader.kind == "parquet" and reader.geo else None

    def inputs() -> Iterator[pa.Table]:  # the input's columns of each chunk, again
        for chunk in PointFile(src, chunk_size).chunks():
            yield _keep(chunk.table, columns, reader.geo, False, None)

    with resumable_output(dst, signature, resume=resume) as work:
        parts = _Parts(work, dst, Path(long_out) if long_out else None, metadata, inputs)
        resumed = parts.rows_done
        bar = _progress(progress, reader.total, src.name)
        try:
            with bar as tracker:
                task = tracker.add_task("locate", total=reader.total, completed=resumed)
                for table, result, first, seen in iter_located(
                    src, sectors, day, chunk_size=chunk_size, band_m=band_m,
                    uncertainty_m=uncertainty_m, distances=distances, skip_rows=resumed,
                    jobs=jobs,
                ):  # fmt: skip
                    kept = _keep(table, columns, reader.geo, parts.csv, result)
                    located = _result_table(result)
                    out_table = _concat(kept, located)
                    chunk_counts = {
                        str(status): int(n)
                        for status, n in result.points["ort_status"].value_counts().items() if n
                    }  # fmt: skip
                    parts.add(out_table, _long_table(result, first) if long_out else None, seen,
                              chunk_counts, located)  # fmt: skip
                    tracker.update(task, completed=seen)
        finally:
            parts.close()  # every chunk handed over is written before the state is kept
        parts.finish()
    return {"out": dst, "rows": parts.rows_done, "resumed_rows": resumed,
            "counts": parts.state["counts"]}  # fmt: skip


def _keep(
    table: pa.Table,
    columns: Sequence[str] | None,
    geo: tuple[str, Any] | None,
    csv: bool,
    result: SectorResult | None,
) -> pa.Table:
    if columns is not None:
        missing = [c for c in columns if c not in table.column_names]
        if missing:
            raise InputFileError(f"Column(s) {missing} not in the points file; it has "
                                 f"{table.column_names[:20]}.")  # fmt: skip
        table = table.select(list(columns))
    if geo is not None and csv and geo[0] in table.column_names:
        assert result is not None  # the CSV of a GeoParquet: x/y from the located points
        table = table.drop_columns([geo[0]])  # WKB has no place in a CSV: Lambert-93 x/y instead
        table = table.append_column("x", pa.array(result.xy.x)).append_column(
            "y", pa.array(result.xy.y)
        )
    return table


def _concat(left: pa.Table, right: pa.Table) -> pa.Table:
    for name in right.column_names:
        if name in left.column_names:
            raise InputFileError(
                f"The points file already has a column {name!r}, which ortgeo writes: rename it."
            )
        left = left.append_column(name, right.column(name))
    return left


class _NoProgress:
    """The progress bar's interface, doing nothing (rich is not even imported)."""

    def __enter__(self) -> _NoProgress:
        return self

    def __exit__(self, *exc: object) -> None:
        return None

    def add_task(self, *args: Any, **kwargs: Any) -> int:
        return 0

    def update(self, *args: Any, **kwargs: Any) -> None:
        return None


def _progress(enabled: bool, total: int | None, name: str) -> Any:
    if not enabled:
        return _NoProgress()
    from rich.progress import (
        BarColumn,
        MofNCompleteColumn,
        Progress,
        TextColumn,
        TimeElapsedColumn,
        TimeRemainingColumn,
    )

    return Progress(
        TextColumn(f"[bold]{name}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(),
        TimeRemainingColumn(), transient=False,
    )  # fmt: skip
