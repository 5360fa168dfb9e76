"""Streaming location of a file of points: read in chunks, locate, write as it goes.

Inputs: CSV (``.csv``, ``.csv.gz``, ``;``/``,``/tab separated, e.g. a BAN export
``adresses-XX.csv.gz``) and Parquet / GeoParquet (``.parquet``, ``.geoparquet``). The
coordinates are the Lambert-93 ``x``/``y`` columns when present, else WGS84
``lon``/``lat`` (or ``longitude``/``latitude``), else the GeoParquet point geometry
(WKB points are decoded with numpy; no geometry object is built).

Outputs: Parquet (GeoParquet when the input had a geometry, kept as it is) or CSV; every
input row is kept, in order, followed by the per-point columns of
:class:`ortgeo.engine.SectorResult` (``valid, reason, ort_status, ort_territory,
ort_sector, ort_distance_m, n_sectors``). Optionally the long result goes to a second
Parquet file.

The output is written in a hidden ``<OUT>.partial`` folder next to it, one part per
chunk plus a ``state.json``, and moved into place at the end: an interrupted run,
started again with the same arguments, resumes after the last finished chunk.
"""

from __future__ import annotations

import contextlib
import gzip
import hashlib
import json
import os
import shutil
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any, Literal

import numpy as np
import pandas as pd
import pyarrow as pa  # type: ignore[import-untyped]
import pyarrow.parquet as pq  # type: ignore[import-untyped]

from ortgeo.dates import DateLike, parse_date
from ortgeo.engine import SectorResult, Sectors, as_sectors, locate_points
from ortgeo.errors import InputFileError, OrtgeoError
from ortgeo.points import Points, points_from_lonlat, points_from_xy

__all__ = ["OutputError", "iter_located", "locate_file", "read_point_chunks"]

_CSV = (".csv", ".csv.gz", ".txt", ".txt.gz")
_PARQUET = (".parquet", ".geoparquet")
_LONLAT = (("lon", "lat"), ("longitude", "latitude"))
_CODE_COLUMNS = ("code", "insee", "postal", "id", "cp")


class OutputError(OrtgeoError, ValueError):
    """An output file that cannot be written (missing or read-only folder, bad format)."""


def _format(path: Path, what: str) -> str:
    name = path.name.lower()
    if name.endswith(_CSV):
        return "csv"
    if name.endswith(_PARQUET):
        return "parquet"
    error = OutputError if "output" in what else InputFileError
    raise error(
        f"Unknown {what} format for {path.name}: use .csv, .csv.gz, .parquet or .geoparquet."
    )


# -- reading ---------------------------------------------------------------------------------
def _wkb_points(column: pa.Array) -> tuple[np.ndarray, np.ndarray]:
    """x/y of a WKB column; plain 2-D points are decoded with numpy, others with shapely."""
    arr = column.combine_chunks() if isinstance(column, pa.ChunkedArray) else column
    n = len(arr)
    if arr.null_count == 0 and n and pa.types.is_binary(arr.type):
        offsets = np.frombuffer(arr.buffers()[1], dtype=np.int32)[arr.offset : arr.offset + n + 1]
        if (np.diff(offsets) == 21).all():
            raw = np.frombuffer(arr.buffers()[2], dtype=np.uint8)[offsets[0] : offsets[-1]]
            raw = raw.reshape(n, 21)
            if (raw[:, 0] == 1).all() and (raw[:, 1:5].copy().view("<u4") == 1).all():
                return raw[:, 5:13].copy().view("<f8")[:, 0], raw[:, 13:21].copy().view("<f8")[:, 0]
    import shapely

    geoms = shapely.from_wkb(arr.to_numpy(zero_copy_only=False))
    kinds = shapely.get_type_id(geoms)
    geoms = np.where(kinds == 0, geoms, None)
    return shapely.get_x(geoms).astype(float), shapely.get_y(geoms).astype(float)


def _geo_column(metadata: dict[bytes, bytes] | None) -> tuple[str, Any] | None:
    """Primary geometry column of a GeoParquet file and its CRS (None when plain Parquet)."""
    if not metadata or b"geo" not in metadata:
        return None
    from pyproj import CRS

    geo = json.loads(metadata[b"geo"])
    name = geo["primary_column"]
    crs = geo["columns"][name].get("crs", "OGC:CRS84")
    return name, CRS.from_user_input("OGC:CRS84" if crs is None else crs)


def _points_of(table: pa.Table, geo: tuple[str, Any] | None) -> Points:
    names = {name.lower(): name for name in table.column_names}
    if "x" in names and "y" in names:
        return points_from_xy(_numbers(table, names["x"]), _numbers(table, names["y"]))
    for lon, lat in _LONLAT:
        if lon in names and lat in names:
            return points_from_lonlat(_numbers(table, names[lon]), _numbers(table, names[lat]))
    if geo is not None:
        a, b = _wkb_points(table.column(geo[0]))
        crs = geo[1]
        if crs.to_epsg() == 2154:
            return points_from_xy(a, b)
        if crs.is_geographic and (crs.to_epsg() == 4326 or "CRS84" in crs.srs.upper()):
            return points_from_lonlat(a, b)
        from pyproj import Transformer

        from ortgeo.crs import L93

        return points_from_xy(*Transformer.from_crs(crs, L93, always_xy=True).transform(a, b))
    raise InputFileError(
        f"No coordinates found among the columns {table.column_names[:12]}: the file needs "
        "Lambert-93 'x'/'y', WGS84 'lon'/'lat' (or 'longitude'/'latitude') columns, or a "
        "GeoParquet point geometry."
    )


def _numbers(table: pa.Table, column: str) -> np.ndarray:
    values = table.column(column)
    if pa.types.is_floating(values.type) or pa.types.is_integer(values.type):
        return values.to_numpy().astype(float)
    text = pd.Series(values.to_numpy(zero_copy_only=False), dtype=object)
    return pd.to_numeric(text.str.replace(",", ".", regex=False), errors="coerce").to_numpy(float)


class _Reader:
    """Chunks of a points file as Arrow tables, with the file's geometry column and size."""

    def __init__(self, path: Path, chunk_size: int):
        if not path.is_file():
            raise InputFileError(f"Points file not found: {path}.")
        self.path, self.chunk_size, self.kind = path, chunk_size, _format(path, "points file")
        self.geo: tuple[str, Any] | None = None
        self.total: int | None = None
        if self.kind == "parquet":
            try:
                self._pq = pq.ParquetFile(path)
            except (pa.ArrowInvalid, OSError) as exc:
                raise InputFileError(f"Cannot read {path.name} as Parquet: {exc}") from None
            self.schema_metadata = self._pq.schema_arrow.metadata
            self.geo = _geo_column(self.schema_metadata)
            self.total = self._pq.metadata.num_rows

    def chunks(self, skip_rows: int = 0) -> Iterator[tuple[pa.Table, int]]:
        """(table, position in the file after it), skipping ``skip_rows`` rows."""
        if self.kind == "parquet":
            seen = 0
            for batch in self._pq.iter_batches(batch_size=self.chunk_size):
                seen += batch.num_rows
                if seen > skip_rows:
                    yield pa.Table.from_batches([batch]), seen
            return
        yield from self._csv_chunks(skip_rows)

    def _csv_chunks(self, skip_rows: int) -> Iterator[tuple[pa.Table, int]]:
        opener = gzip.open if self.path.name.lower().endswith(".gz") else open
        try:
            with opener(self.path, "rt", encoding="utf-8-sig", newline="") as f:
                header = f.readline()
        except (OSError, UnicodeDecodeError) as exc:
            raise InputFileError(f"Cannot read {self.path.name} as a text CSV: {exc}") from None
        sep = max((";", ",", "\t", "|"), key=header.count)
        columns = [c.strip() for c in header.rstrip("\r\n").split(sep)]
        if len(columns) < 2:
            raise InputFileError(
                f"{self.path.name}: cannot find the columns (separator ';', ',' or tab) "
                "in its first line."
            )
        try:
            reader = pd.read_csv(
                self.path, sep=sep, dtype=str, na_filter=False, chunksize=self.chunk_size,
                skiprows=range(1, skip_rows + 1), encoding="utf-8-sig",
            )  # fmt: skip
            seen = skip_rows
            for frame in reader:
                seen += len(frame)
                yield pa.Table.from_pandas(frame, preserve_index=False), seen
        except (pd.errors.ParserError, UnicodeDecodeError) as exc:
            raise InputFileError(f"{self.path.name} is not a readable CSV: {exc}") from None


def read_point_chunks(path: str | Path, chunk_size: int = 500_000) -> Iterator[pa.Table]:
    """The rows of a points file, ``chunk_size`` at a time, as Arrow tables.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> f = pathlib.Path(tempfile.mkdtemp()) / "p.csv"
    >>> _ = f.write_text("id;lon;lat\\n1;2.83;50.43\\n2;2.84;50.42\\n")
    >>> [t.num_rows for t in read_point_chunks(f, chunk_size=1)]
    [1, 1]
    """
    for table, _ in _Reader(Path(path), chunk_size).chunks():
        yield table


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
) -> Iterator[tuple[pa.Table, SectorResult, int, int]]:
    """Locate a points file chunk by chunk: (rows, result, first row number, rows read).

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
    reader = _Reader(Path(points), chunk_size)
    day = parse_date(date)
    in_force = as_sectors(sectors).in_force(day)
    start = skip_rows
    for table, seen in reader.chunks(skip_rows):
        pts = _points_of(table, reader.geo)
        result = locate_points(pts, in_force, day, band_m, uncertainty_m, distances,
                               _citycodes(table))  # fmt: skip
        yield table, result, start, seen
        start = seen


#: Columns that give each point's commune (INSEE): the BAN export's, the BAN API's, ours.
CITYCODE_COLUMNS = ("code_insee", "citycode", "result_citycode", "insee", "commune")


def _citycodes(table: pa.Table) -> np.ndarray | None:
    """Each row's INSEE code from the first citycode column of the file (None without)."""
    name = next((c for c in CITYCODE_COLUMNS if c in table.column_names), None)
    if name is None:
        return None
    values = table.column(name).cast(pa.string()).to_numpy(zero_copy_only=False)
    return np.asarray(values, dtype=object)


# -- writing ---------------------------------------------------------------------------------
def _result_table(result: SectorResult) -> pa.Table:
    return pa.Table.from_pandas(result.points, preserve_index=False)


def _long_table(result: SectorResult, first_row: int) -> pa.Table:
    long = result.long.drop(columns=["ort"])
    long["point"] = long["point"] + first_row
    return pa.Table.from_pandas(long, preserve_index=False)


class _Parts:
    """Output written as numbered parts in ``<out>.partial/``, with a resumable state."""

    def __init__(self, out: Path, long_out: Path | None, signature: dict, resume: bool):
        self.out, self.long_out = out, long_out
        self.dir = out.with_name(f".{out.name}.partial")
        self.state_path = self.dir / "state.json"
        self.state: dict[str, Any] = {"signature": signature, "chunks": 0, "rows": 0}
        previous = self._previous()
        if resume and previous is not None and previous.get("signature") == signature:
            self.state = previous
        else:
            shutil.rmtree(self.dir, ignore_errors=True)
            self.dir.mkdir(parents=True)
        self.csv = _format(out, "output") == "csv"

    def _previous(self) -> dict | None:
        with contextlib.suppress(OSError, ValueError):
            return json.loads(self.state_path.read_text(encoding="utf-8"))
        return None

    @property
    def rows_done(self) -> int:
        return int(self.state["rows"])

    def add(self, table: pa.Table, long: pa.Table | None, rows: int) -> None:
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
            pq.write_table(table, self.dir / f"part-{k:06d}.parquet")
        if long is not None:
            pq.write_table(long, self.dir / f"long-{k:06d}.parquet")
        self.state["chunks"], self.state["rows"] = k + 1, rows
        tmp = self.state_path.with_suffix(".tmp")
        tmp.write_text(json.dumps(self.state), encoding="utf-8")
        os.replace(tmp, self.state_path)

    def finish(self, metadata: dict[bytes, bytes] | None) -> None:
        if self.csv:
            data = self.dir / "data.csv"
            if not data.exists():
                data.write_bytes(b"")
            if self.out.name.lower().endswith(".gz"):
                with open(data, "rb") as src, gzip.open(self.dir / "data.csv.gz", "wb") as dst:
                    shutil.copyfileobj(src, dst)
                data = self.dir / "data.csv.gz"
            os.replace(data, self.out)
        else:
            _merge(sorted(self.dir.glob("part-*.parquet")), self.dir / "data.parquet", metadata)
            os.replace(self.dir / "data.parquet", self.out)
        if self.long_out is not None:
            _merge(sorted(self.dir.glob("long-*.parquet")), self.dir / "long.parquet", None)
            os.replace(self.dir / "long.parquet", self.long_out)
        shutil.rmtree(self.dir, ignore_errors=True)


def _merge(parts: list[Path], target: Path, metadata: dict[bytes, bytes] | None) -> None:
    """Concatenate Parquet parts into one file, row group by row group (bounded memory)."""
    if not parts:
        pq.write_table(pa.table({}), target)
        return
    schema = pq.read_schema(parts[0])
    if metadata and b"geo" in metadata:
        schema = schema.with_metadata({**(schema.metadata or {}), b"geo": metadata[b"geo"]})
    with pq.ParquetWriter(target, schema) as writer:
        for part in parts:
            writer.write_table(pq.read_table(part).cast(schema))


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


def _check_writable(path: Path) -> None:
    folder = path.parent if str(path.parent) else Path(".")
    if not folder.is_dir():
        raise OutputError(f"Output folder {folder} does not exist: create it or choose another.")
    if not os.access(folder, os.W_OK):
        raise OutputError(f"Cannot write in {folder}: choose a folder you can write to.")
    if path.is_dir():
        raise OutputError(f"Output {path} is a folder: give a file name (.parquet or .csv).")


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
) -> dict[str, Any]:
    """Locate every point of a file in the sectors in force, in chunks; write as it goes.

    Parameters
    ----------
    points : path
        CSV(.gz) / Parquet / GeoParquet file of points (see the module docstring).
    out : path
        ``.parquet`` / ``.geoparquet`` or ``.csv`` / ``.csv.gz`` output, one row per input
        row, in order: the input columns (or ``columns``) then the located columns.
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

    Returns
    -------
    dict
        ``out``, ``rows``, ``resumed_rows`` (rows already done by an earlier run) and
        ``counts`` (rows per ``ort_status``).

    Examples
    --------
    >>> import tempfile, pathlib
    >>> d = pathlib.Path(tempfile.mkdtemp())
    >>> _ = (d / "p.csv").write_text("id,lon,lat\\n1,2.833889,50.429167\\n2,2.832308,50.45\\n")
    >>> locate_file(d / "p.csv", d / "out.csv", date="2024-06-01")["counts"]
    {'dedans': 1, 'dehors': 1}
    """
    src, dst = Path(points), Path(out)
    _format(dst, "output")
    _check_writable(dst)
    if long_out is not None:
        if _format(Path(long_out), "long output") != "parquet":
            raise OutputError("The long output must be a .parquet file.")
        _check_writable(Path(long_out))
    reader = _Reader(src, chunk_size)  # checks the input early
    sectors = as_sectors(catalog)
    day = parse_date(date)
    signature = _signature(
        src, _sectors_source(catalog), date=day, chunk_size=chunk_size, band_m=band_m,
        uncertainty_m=uncertainty_m, distances=distances, columns=columns, out=dst.resolve(),
        long_out=long_out,
    )  # fmt: skip
    parts = _Parts(dst, Path(long_out) if long_out else None, signature, resume)
    resumed = parts.rows_done
    counts: dict[str, int] = parts.state.setdefault("counts", {})
    bar = _progress(progress, reader.total, src.name)
    with bar as tracker:
        task = tracker.add_task("locate", total=reader.total, completed=resumed)
        for table, result, first, seen in iter_located(
            src, sectors, day, chunk_size=chunk_size, band_m=band_m,
            uncertainty_m=uncertainty_m, distances=distances, skip_rows=resumed,
        ):  # fmt: skip
            kept = _keep(table, columns, reader.geo, parts.csv, result)
            out_table = _concat(kept, _result_table(result))
            for status, n in result.points["ort_status"].value_counts().items():
                if n:
                    counts[str(status)] = counts.get(str(status), 0) + int(n)
            parts.add(out_table, _long_table(result, first) if long_out else None, seen)
            tracker.update(task, completed=seen)
    parts.finish(reader.schema_metadata if reader.kind == "parquet" and reader.geo else None)
    return {"out": dst, "rows": parts.rows_done, "resumed_rows": resumed, "counts": counts}


def _keep(
    table: pa.Table,
    columns: Sequence[str] | None,
    geo: tuple[str, Any] | None,
    csv: bool,
    result: SectorResult,
) -> pa.Table:
    if columns is not None:
        missing = [c for c in columns if c not in table.column_names]
        if missing:
            raise InputFileError(f"Column(s) {missing} not in the points file; it has "
                                 f"{table.column_names[:20]}.")  # fmt: skip
        table = table.select(list(columns))
    if geo is not None and csv and geo[0] in table.column_names:
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


def _progress(enabled: bool, total: int | None, name: str) -> Any:
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
        TimeRemainingColumn(), disable=not enabled, transient=False,
    )  # fmt: skip
