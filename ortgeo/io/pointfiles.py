"""Files of points read in chunks: CSV(.gz) through pyarrow, Parquet and GeoParquet.

:class:`PointFile` reads what ``ortgeo locate`` and ``ortgeo stats`` are given — a BAN
export ``adresses-XX.csv.gz``, any CSV with coordinate columns, a (Geo)Parquet file — in
chunks of a fixed number of rows, with the checks of every reader (:mod:`ortgeo.io.checks`):

- a row with more or fewer fields than the header is kept in place and flagged (its
  point is ``invalide``, « ligne mal formée »), never shifted: a data row ending with the
  separator does not turn ids into longitudes;
- a blank line is a row (without coordinates), as in a table of addresses; blank lines
  after the last row are not rows;
- a UTF-8 file with a few cp1252 lines is read line by line, with a warning;
- a truncated ``.csv.gz`` or damaged Parquet file is an :class:`~ortgeo.errors.InputFileError`
  naming the file and the row where it broke;
- a file with a header and no row (a 0-row Parquet) gives one empty chunk that has the
  file's columns.

CSV is parsed by pyarrow (its ``invalid_row_handler`` hands over the rows that do not fit,
which are put back in place), or, for the files pyarrow cannot decode, by Python's csv
module; both give the same rows. Coordinates come from :func:`chunk_points`: Lambert-93
``x``/``y`` columns when present, else WGS84 ``lon``/``lat`` (or ``longitude``/``latitude``),
else the GeoParquet point geometry (WKB points decoded with numpy; no geometry object).
"""

from __future__ import annotations

import csv
import dataclasses
import gzip
import io
import json
import warnings
import zlib
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import numpy as np
import pyarrow as pa  # type: ignore[import-untyped]
import pyarrow.compute as pc  # type: ignore[import-untyped]
import pyarrow.csv as pacsv  # type: ignore[import-untyped]
import pyarrow.parquet as pq  # type: ignore[import-untyped]

from ortgeo.errors import InputFileError
from ortgeo.io.checks import (
    decode_text,
    header_names,
    input_file,
    looks_like_utf16,
    row_shape,
    text_encoding,
    warn_other_encoding,
    what_binary,
)
from ortgeo.points import Points, points_from_lonlat, points_from_xy

__all__ = [
    "COMMUNE_COLUMNS",
    "CSV_SUFFIXES",
    "PARQUET_SUFFIXES",
    "PointChunk",
    "PointFile",
    "chunk_points",
    "point_format",
    "read_point_chunks",
    "table_communes",
]

#: Columns that give each point's commune (INSEE code), first found first: the BAN
#: export's, ours, the BAN API's.
COMMUNE_COLUMNS = ("code_insee", "citycode", "insee", "code_commune", "result_citycode")


def table_communes(table: pa.Table, column: str | None = None) -> np.ndarray | None:
    """Each row's INSEE code, from ``column`` or the first of :data:`COMMUNE_COLUMNS`
    (``None`` when the table has none).

    Examples
    --------
    >>> import pyarrow as pa
    >>> table_communes(pa.table({"code_insee": ["62498", None]})).tolist()
    ['62498', None]
    """
    name = column or next((c for c in COMMUNE_COLUMNS if c in table.column_names), None)
    if name is None:
        return None
    values = table.column(name).cast(pa.string()).to_numpy(zero_copy_only=False)
    return np.asarray(values, dtype=object)


CSV_SUFFIXES = (".csv", ".csv.gz", ".txt", ".txt.gz")
PARQUET_SUFFIXES = (".parquet", ".geoparquet")
_LONLAT = (("lon", "lat"), ("longitude", "latitude"))
#: Bytes looked at to find the encoding, the separator and the header.
_HEAD_BYTES = 1 << 20
#: Bytes pyarrow parses at a time (a row must fit in it).
_BLOCK_BYTES = 1 << 22
#: pyarrow's name of an encoding ("utf8" is read natively, any other through Python).
_ARROW_ENCODINGS = {"utf-8": "utf8", "cp1252": "cp1252"}


def point_format(path: str | Path) -> str | None:
    """``"csv"`` or ``"parquet"`` by the name of a file; ``None`` for another extension.

    Examples
    --------
    >>> point_format("adresses-62.csv.gz"), point_format("ban.parquet"), point_format("a.xlsx")
    ('csv', 'parquet', None)
    """
    name = Path(path).name.lower()
    if name.endswith(CSV_SUFFIXES):
        return "csv"
    if name.endswith(PARQUET_SUFFIXES):
        return "parquet"
    return None


@dataclasses.dataclass(frozen=True)
class PointChunk:
    """Rows of a points file.

    Attributes
    ----------
    table : pyarrow.Table
        The rows, every column as in the file (text for a CSV).
    problems : numpy.ndarray of str or None
        Per row, ``""`` or what is wrong with it (French): its point is invalid.
    end : int
        Rows of the file read up to the end of this chunk.
    """

    table: pa.Table
    problems: np.ndarray | None
    end: int


# -- coordinates -----------------------------------------------------------------------
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


def _values(table: pa.Table, column: str) -> np.ndarray:
    """A coordinate column: floats when every cell is a number or empty, else the cells
    (for :func:`ortgeo.points.parse_numbers`: decimal commas, text that is not a number)."""
    values = table.column(column)
    if pa.types.is_floating(values.type) or pa.types.is_integer(values.type):
        return np.asarray(values.to_numpy(), dtype=float)
    if pa.types.is_string(values.type) or pa.types.is_large_string(values.type):
        text = pc.utf8_trim_whitespace(values)
        empty = pc.equal(pc.utf8_length(text), 0)
        try:  # the usual case, at C speed
            numbers = pc.cast(pc.if_else(empty, pa.scalar(None, text.type), text), pa.float64())
            return np.asarray(numbers.to_numpy(zero_copy_only=False), dtype=float)
        except (pa.ArrowInvalid, pa.ArrowNotImplementedError):
            pass
    return np.asarray(values.to_numpy(zero_copy_only=False), dtype=object)


def chunk_points(
    table: pa.Table, geo: tuple[str, Any] | None = None, problems: np.ndarray | None = None
) -> Points:
    """The points of a chunk: from ``x``/``y`` (Lambert-93), ``lon``/``lat`` (WGS84) or the
    GeoParquet geometry; a malformed row (``problems``) is an invalid point with its reason.

    Raises
    ------
    InputFileError
        No coordinate columns and no geometry.

    Examples
    --------
    >>> t = pa.table({"id": ["1", "2"], "lon": ["2,833889", "abc"], "lat": ["50.429167", "50"]})
    >>> chunk_points(t).reason.tolist()
    ['', 'coordonnées non numériques']
    """
    names = {name.lower(): name for name in table.column_names}
    if "x" in names and "y" in names:
        pts = points_from_xy(_values(table, names["x"]), _values(table, names["y"]))
    else:
        pair = next(((a, b) for a, b in _LONLAT if a in names and b in names), None)
        if pair is not None:
            pts = points_from_lonlat(_values(table, names[pair[0]]), _values(table, names[pair[1]]))
        elif geo is not None:
            a, b = _wkb_points(table.column(geo[0]))
            crs = geo[1]
            if crs.to_epsg() == 2154:
                pts = points_from_xy(a, b)
            elif crs.is_geographic and (crs.to_epsg() == 4326 or "CRS84" in crs.srs.upper()):
                pts = points_from_lonlat(a, b)
            else:
                from pyproj import Transformer

                from ortgeo.crs import L93

                to_l93 = Transformer.from_crs(crs, L93, always_xy=True)
                pts = points_from_xy(*to_l93.transform(a, b))
        else:
            raise InputFileError(
                f"No coordinates found among the columns {table.column_names[:12]}: the file "
                "needs Lambert-93 'x'/'y', WGS84 'lon'/'lat' (or 'longitude'/'latitude') "
                "columns, or a GeoParquet point geometry."
            )
    if problems is not None:
        bad = problems != ""
        if bad.any():
            pts.reason[bad] = np.array([f"ligne mal formée ({p})" for p in problems[bad]])
    return pts


# -- CSV --------------------------------------------------------------------------------
class _Csv:
    """What a CSV points file looks like: encoding, separator, header line, columns."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.gzip = path.name.lower().endswith(".gz")
        head = b""
        try:
            with self.open_binary() as fh:
                while len(head) < _HEAD_BYTES and (block := fh.read(1 << 16)):
                    head += block
        except (OSError, EOFError, zlib.error) as exc:
            if not head:  # else the rows read before the damage are counted when read
                raise _damaged(path, 0, exc) from None
        if not head.strip():
            raise InputFileError(f"{path.name} is empty: expected a header line and rows.")
        if looks_like_utf16(head):
            raise InputFileError(f"{path.name} looks like UTF-16 text: re-save it as CSV UTF-8.")
        kind = what_binary(head)
        if kind is not None:
            raise InputFileError(
                f"{path.name} is not a text CSV of points: it looks like {kind}. "
                "Give a .csv, .csv.gz, .parquet or .geoparquet file."
            )
        complete = head if len(head) < _HEAD_BYTES else head[: head.rfind(b"\n") + 1]
        self.encoding = text_encoding(complete)[0]
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # the same lines are warned about when read
            text = decode_text(complete, None, path.name, what="CSV of points")
        lines = text.split("\n")
        skip = next((i for i, line in enumerate(lines) if line.strip()), 0)
        first = lines[skip].removeprefix("\ufeff").rstrip("\r")
        self.sep = max((";", ",", "\t", "|"), key=first.count)
        raw_names = next(csv.reader([first], delimiter=self.sep), [])
        self.columns = header_names(raw_names)
        if len(self.columns) < 2:
            raise InputFileError(
                f"{path.name}: cannot find the columns (separator ';', ',' or tab) "
                "in its first line."
            )
        widths = [len(r) for r in csv.reader(lines[skip + 1 : skip + 60], delimiter=self.sep) if r]
        common = max(set(widths), key=widths.count) if widths else len(raw_names)
        self.width = max(len(raw_names), common, len(self.columns))
        self.skip = skip + 1  # records before the first data row (blank lines, header)

    def open_binary(self) -> Any:
        return gzip.open(self.path, "rb") if self.gzip else open(self.path, "rb")

    @property
    def arrow_names(self) -> list[str]:
        """The columns pyarrow reads: the header's, then unnamed ones for trailing fields."""
        n = len(self.columns)
        return [*self.columns, *(f"\0extra{i}" for i in range(self.width - n))]

    def shaped(self, fields: list[str]) -> tuple[list[str], str]:
        cells, problem, _ = row_shape(fields, len(self.columns))
        return cells, problem


def _damaged(path: Path, rows: int, exc: BaseException) -> InputFileError:
    what = "its gzip stream ends early" if isinstance(exc, EOFError) else str(exc).strip()
    where = f" after row {rows:,}" if rows else ""
    return InputFileError(
        f"{path.name} is truncated or damaged{where} ({what or type(exc).__name__}): "
        "copy or download it again; nothing was written."
    )


class _Rows:
    """Rows of a CSV as Arrow blocks of the header's columns, with their problems."""

    def __init__(self, info: _Csv) -> None:
        self.info = info
        self.n = len(info.columns)

    def _block(self, cells: list[list[str]], problems: list[str]) -> tuple[pa.Table, np.ndarray]:
        columns = list(zip(*cells, strict=True)) if cells else [()] * self.n
        table = pa.table(
            {name: pa.array(col, pa.string()) for name, col in zip(self.info.columns, columns,
                                                                  strict=True)}
        )  # fmt: skip
        return table, np.array(problems, dtype=object)

    def arrow(self) -> Iterator[tuple[pa.Table, np.ndarray]]:
        """Blocks parsed by pyarrow; rows that do not fit are parsed again and put in place."""
        info = self.info
        names = info.arrow_names
        odd: list[tuple[int, str]] = []

        def keep_aside(row: Any) -> str:
            if row.number is None:  # pyarrow cannot say where it was: the csv module reads
                raise _NeedsPython
            odd.append((row.number, row.text))
            return "skip"

        source = pa.input_stream(str(info.path), compression="gzip" if info.gzip else None)
        reader = pacsv.open_csv(
            source,
            read_options=pacsv.ReadOptions(
                column_names=names, skip_rows=info.skip, use_threads=False,
                block_size=_BLOCK_BYTES, encoding=_ARROW_ENCODINGS[info.encoding],
            ),
            parse_options=pacsv.ParseOptions(
                delimiter=info.sep, invalid_row_handler=keep_aside, newlines_in_values=True,
                ignore_empty_lines=False,
            ),
            convert_options=pacsv.ConvertOptions(
                column_types={name: pa.string() for name in names}, strings_can_be_null=False,
                quoted_strings_can_be_null=False,
            ),
        )  # fmt: skip
        number = info.skip + 1  # pyarrow numbers records from 1, the skipped ones included
        for batch in reader:
            table = pa.Table.from_batches([batch])
            problems = np.full(table.num_rows, "", dtype=object)
            if len(names) > self.n:  # fields beyond the header: fine when empty
                extra = [table.column(i) for i in range(self.n, len(names))]
                filled = np.zeros(table.num_rows, dtype=bool)
                for col in extra:
                    filled |= pc.greater(pc.utf8_length(pc.utf8_trim_whitespace(col)), 0).to_numpy(
                        zero_copy_only=False
                    )
                for i in np.flatnonzero(filled).tolist():
                    fields = [str(v) for v in table.slice(i, 1).to_pylist()[0].values()]
                    problems[i] = info.shaped(fields)[1]
                table = table.select(list(range(self.n)))
            end = number + table.num_rows - 1
            odd.sort()
            taken = 0
            while taken < len(odd) and odd[taken][0] <= end:
                end += 1
                taken += 1
            mine, odd[:] = odd[:taken], odd[taken:]
            if mine:
                table, problems = self._put_back(table, problems, mine, number)
            number = end + 1
            yield table, problems
        if odd:  # rows after the last block pyarrow returned
            odd.sort()
            table, problems = self._block([], [])
            table, problems = self._put_back(table, problems, odd, number)
            yield table, problems

    def _put_back(
        self, table: pa.Table, problems: np.ndarray, odd: list[tuple[int, str]], first: int
    ) -> tuple[pa.Table, np.ndarray]:
        """``table`` with the odd rows (record number, text) inserted where they were."""
        cells, texts = [], []
        for _, text in odd:
            fields = next(csv.reader(io.StringIO(text, newline=""), delimiter=self.info.sep), [])
            row, problem = self.info.shaped(fields)
            cells.append(row)
            texts.append(problem)
        extra, extra_problems = self._block(cells, texts)
        total = table.num_rows + len(odd)
        at = np.array([n - first for n, _ in odd], dtype=np.int64)
        order = np.empty(total, dtype=np.int64)
        is_odd = np.zeros(total, dtype=bool)
        is_odd[at] = True
        order[~is_odd] = np.arange(table.num_rows)
        order[is_odd] = table.num_rows + np.arange(len(odd))
        both = pa.concat_tables([table, extra.cast(table.schema)])
        merged = np.concatenate([problems, extra_problems])
        return both.take(pa.array(order)), merged[order]

    def python(self) -> Iterator[tuple[pa.Table, np.ndarray]]:
        """Blocks read by Python's csv module, each line decoded as UTF-8 or else cp1252."""
        info = self.info
        others: list[int] = []

        def lines() -> Iterator[str]:
            with info.open_binary() as fh:
                for number, raw in enumerate(fh, start=1):
                    try:
                        yield raw.decode("utf-8")
                    except UnicodeDecodeError:
                        others.append(number)
                        yield raw.decode("cp1252", errors="replace")

        rows = csv.reader(lines(), delimiter=info.sep)
        for _ in range(info.skip):
            next(rows, None)
        cells: list[list[str]] = []
        problems: list[str] = []
        for fields in rows:
            row, problem = info.shaped(fields)
            cells.append(row)
            problems.append(problem)
            if len(cells) >= 65_536:
                yield self._block(cells, problems)
                cells, problems = [], []
        if cells:
            yield self._block(cells, problems)
        if others:
            warn_other_encoding(info.path.name, others, stacklevel=2)


class _NeedsPython(Exception):
    """pyarrow cannot read the file exactly: read it with Python's csv module."""


def _blank(table: pa.Table) -> np.ndarray:
    """Rows whose every cell is empty or spaces."""
    out = np.ones(table.num_rows, dtype=bool)
    for col in table.columns:
        text = col if pa.types.is_string(col.type) else pc.cast(col, pa.string())
        out &= pc.equal(pc.utf8_length(pc.utf8_trim_whitespace(text)), 0).to_numpy(
            zero_copy_only=False
        )
    return out


def _filled_end(table: pa.Table) -> int:
    """Rows up to the last one that is not blank (0 when every row is blank)."""
    n = table.num_rows
    if n == 0 or not _blank(table.slice(n - 1))[0]:
        return n
    filled = np.flatnonzero(~_blank(table))
    return int(filled[-1]) + 1 if len(filled) else 0


# -- the reader --------------------------------------------------------------------------
class PointFile:
    """A points file read in chunks of ``chunk_size`` rows.

    Parameters
    ----------
    path : str or Path
        ``.csv``, ``.csv.gz``, ``.txt(.gz)``, ``.parquet`` or ``.geoparquet``.
    chunk_size : int
        Rows per chunk (the last one may be shorter).

    Attributes
    ----------
    kind : {"csv", "parquet"}
    geo : (str, pyproj.CRS) or None
        The GeoParquet geometry column and its CRS.
    total : int or None
        Rows of the file when known before reading (Parquet).
    schema_metadata : dict or None
        The Parquet schema metadata (``geo`` for GeoParquet).

    Raises
    ------
    InputFileError
        Missing, empty or unreadable file, unknown extension, no header.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> f = pathlib.Path(tempfile.mkdtemp()) / "p.csv"
    >>> _ = f.write_text("id;lon;lat\\n1;2.83;50.43;\\n2;2.84;50.42;x\\n")
    >>> chunk = next(PointFile(f).chunks())
    >>> chunk.table.column("id").to_pylist(), chunk.problems.tolist()
    (['1', '2'], ['', '4 champs au lieu de 3 ; en trop : « x »'])
    """

    def __init__(self, path: str | Path, chunk_size: int = 500_000) -> None:
        self.path = input_file(path, "Points file")
        kind = point_format(self.path)
        if kind is None:
            raise InputFileError(
                f"Unknown points file format for {self.path.name}: use .csv, .csv.gz, "
                ".parquet or .geoparquet."
            )
        self.kind, self.chunk_size = kind, chunk_size
        self.geo: tuple[str, Any] | None = None
        self.total: int | None = None
        self.schema_metadata: dict[bytes, bytes] | None = None
        self._csv: _Csv | None = None
        if kind == "parquet":
            try:
                self._pq = pq.ParquetFile(self.path)
            except (pa.ArrowInvalid, OSError) as exc:
                raise InputFileError(f"Cannot read {self.path.name} as Parquet: {exc}") from None
            self.schema_metadata = self._pq.schema_arrow.metadata
            self.geo = _geo_column(self.schema_metadata)
            self.total = self._pq.metadata.num_rows
        else:
            self._csv = _Csv(self.path)

    def chunks(self, skip_rows: int = 0) -> Iterator[PointChunk]:
        """The chunks after the first ``skip_rows`` rows (at least one, maybe empty)."""
        blocks = self._parquet_blocks() if self.kind == "parquet" else self._csv_blocks()
        pending: list[tuple[pa.Table, np.ndarray | None]] = []
        size = seen = 0
        empty: pa.Table | None = None
        for table, problems in blocks:
            empty = table.slice(0, 0) if empty is None else empty
            if seen + table.num_rows <= skip_rows:
                seen += table.num_rows
                continue
            if seen < skip_rows:
                cut = skip_rows - seen
                table = table.slice(cut)
                problems = None if problems is None else problems[cut:]
                seen = skip_rows
            pending.append((table, problems))
            size += table.num_rows
            while size >= self.chunk_size:
                chunk, pending = _take(pending, self.chunk_size)
                size -= self.chunk_size
                seen += self.chunk_size
                yield PointChunk(chunk[0], chunk[1], seen)
        if size or seen == skip_rows == 0:
            if pending:
                table, problems = _take(pending, size)[0]
            else:
                table, problems = (empty if empty is not None else self._empty()), None
            yield PointChunk(table, problems, seen + size)

    def _empty(self) -> pa.Table:
        if self.kind == "parquet":
            return self._pq.schema_arrow.empty_table()
        assert self._csv is not None
        return pa.table({name: pa.array([], pa.string()) for name in self._csv.columns})

    def _parquet_blocks(self) -> Iterator[tuple[pa.Table, np.ndarray | None]]:
        rows = 0
        try:
            for batch in self._pq.iter_batches(batch_size=self.chunk_size):
                rows += batch.num_rows
                yield pa.Table.from_batches([batch]), None
        except (pa.ArrowInvalid, OSError) as exc:
            raise _damaged(self.path, rows, exc) from None

    def _csv_blocks(self) -> Iterator[tuple[pa.Table, np.ndarray | None]]:
        """Blocks of rows; blank rows after the last row are dropped."""
        assert self._csv is not None
        rows = _Rows(self._csv)
        done = 0
        held: list[tuple[pa.Table, np.ndarray]] = []
        engine = rows.python() if self._csv.encoding == "mixed" else rows.arrow()
        while True:
            try:
                table, problems = next(engine)
            except StopIteration:
                break
            except (_NeedsPython, pa.ArrowInvalid) as exc:
                if isinstance(exc, pa.ArrowInvalid) and "UTF8" not in str(exc):
                    raise _damaged(self.path, done, exc) from None
                engine = _skip(rows.python(), done)  # the same rows, read by the csv module
                continue
            except (OSError, EOFError, zlib.error) as exc:
                raise _damaged(self.path, done, exc) from None
            done += table.num_rows
            last = _filled_end(table)
            if last:
                yield from held
                held = []
                yield table.slice(0, last), problems[:last]
                table, problems = table.slice(last), problems[last:]
            if table.num_rows:
                held.append((table, problems))
        if held:  # the file ends with blank rows: they are not rows
            yield held[0][0].slice(0, 0), held[0][1][:0]


def _skip(
    blocks: Iterator[tuple[pa.Table, np.ndarray]], rows: int
) -> Iterator[tuple[pa.Table, np.ndarray]]:
    """``blocks`` without their first ``rows`` rows."""
    for table, problems in blocks:
        if rows >= table.num_rows:
            rows -= table.num_rows
            continue
        yield table.slice(rows), problems[rows:]
        rows = 0


def _take(
    pending: list[tuple[pa.Table, np.ndarray | None]], n: int
) -> tuple[tuple[pa.Table, np.ndarray | None], list[tuple[pa.Table, np.ndarray | None]]]:
    """The first ``n`` rows of the pending blocks as one, and what is left."""
    tables, problems, rest = [], [], []
    need = n
    has = any(p is not None for _, p in pending)  # else no object array of "" is built
    for i, (table, prob) in enumerate(pending):
        if need == 0:
            rest = pending[i:]
            break
        part = min(need, table.num_rows)
        tables.append(table.slice(0, part))
        if has:
            problems.append(prob[:part] if prob is not None else np.full(part, "", dtype=object))
        if part < table.num_rows:
            rest = [(table.slice(part), None if prob is None else prob[part:]), *pending[i + 1 :]]
            need = 0
            break
        need -= part
    schema = tables[0].schema
    table = pa.concat_tables([t.cast(schema) for t in tables]) if len(tables) > 1 else tables[0]
    if not has:
        return (table, None), rest
    merged = np.concatenate(problems) if problems else np.array([], dtype=object)
    return (table, merged), rest


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
    for chunk in PointFile(path, chunk_size).chunks():
        if chunk.table.num_rows:
            yield chunk.table
