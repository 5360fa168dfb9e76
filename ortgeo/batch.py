"""Check a whole file of addresses: every input row kept, in order, with a status.

:func:`check_addresses` geocodes a table (read by :func:`ortgeo.io.tables.load_table`: CSV or
``.xlsx``), checks each address like :func:`ortgeo.check_address` and returns the input
columns untouched followed by ``input_problem`` (what was wrong with a malformed row), the
BAN result columns (``ban_*``), the verdict columns (``ort_*`` and one group per layer in
force), ``uncertainty_m``, ``verdict`` and ``verdict_reason``. :func:`write_report` writes
CSV (``;``, optional BOM for Excel, formula injection neutralised) or GeoPackage, atomically.
:func:`failures` says how many rows got no verdict, and why, by kind of reason.
"""

from __future__ import annotations

import operator
import re
import warnings
from collections import Counter
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import geopandas as gpd
import pandas as pd

from ortgeo.address import assess_geocodes, resolve_geocoder
from ortgeo.catalog import Catalog
from ortgeo.crs import WGS84
from ortgeo.dates import DateLike, parse_date
from ortgeo.errors import InputFileError
from ortgeo.geocoders import Geocoder, GeocodeResult
from ortgeo.geocoders.normalize import join_export_fields
from ortgeo.geocoders.pool import gc_paused
from ortgeo.inforce import on
from ortgeo.io.checks import unique_names
from ortgeo.io.tables import (
    PROBLEM_COLUMN,
    Table,
    cell_text,
    column,
    describe_columns,
    header_looks_like_data,
    load_table,
    row_reason,
)
from ortgeo.locate import DEDANS, DEHORS, INVALIDE, LIMITE, SANS_ORT
from ortgeo.output import atomic_path, check_output_path, write_csv

__all__ = [
    "ANSWERED",
    "BAN_FIELDS",
    "REPORT_SUFFIXES",
    "check_addresses",
    "failures",
    "reason_kind",
    "write_report",
]

#: GeocodeResult field → output column.
BAN_FIELDS = {
    "status": "ban_status", "label": "ban_label", "score": "ban_score",
    "score_next": "ban_score_next", "match_type": "ban_type", "housenumber": "ban_housenumber",
    "street": "ban_street", "postcode": "ban_postcode", "citycode": "ban_citycode",
    "city": "ban_city", "id": "ban_id", "lon": "ban_lon", "lat": "ban_lat", "x": "ban_x",
    "y": "ban_y", "provider": "ban_provider",
}  # fmt: skip
#: Verdicts that answer the question; any other (``indetermine``, ``invalide``,
#: ``erreur``) means that the row got no verdict.
ANSWERED = frozenset({DEDANS, DEHORS, LIMITE, SANS_ORT})
#: File extensions :func:`write_report` writes.
REPORT_SUFFIXES = (".csv", ".txt", ".gpkg")
_ADDRESS_NAMES = ("adresse", "address", "adresse_complete", "adresse complète", "libelle",
                  "label", "addr", "q")  # fmt: skip
#: Where the general part of a verdict reason ends and its details (labels, scores) begin.
_REASON_DETAILS = re.compile(r" \(| : | ; ")
#: A name quoted in a reason (a street, a label): not part of its kind.
_QUOTED = re.compile(r"« [^»]* »")
_HTTP_STATUS = re.compile(r"\bHTTP (\d{3})\b")
#: The geocoding error of a row, by what its message says (the first that matches).
_ERROR_KINDS = (
    ("cannot be reached", "service injoignable"),
    ("timed out", "délai dépassé"),
    ("left this row out", "ligne absente de la réponse"),
    ("not JSON", "réponse illisible"),
)
_ERROR_PREFIX = "géocodage en erreur"


def _address_texts(
    df: pd.DataFrame,
    address_col: str | None,
    columns: Sequence[str] | None,
    indice_col: str | None = None,
) -> pd.Series:
    if address_col is not None and columns:
        raise InputFileError("Give either an address column or columns to join, not both.")
    if indice_col is not None and not columns:
        raise InputFileError(
            "An indice column (B/T/Q/C after the house number) goes with columns to join: "
            "give the columns too (--columns numero,voie,cp,ville --indice-col indice)."
        )
    wanted = [address_col] if address_col is not None else list(columns or [])
    if not wanted:
        by_lower = {str(c).strip().lower(): c for c in df.columns}
        found = next((by_lower[n] for n in _ADDRESS_NAMES if n in by_lower), None)
        if found is None and header_looks_like_data(df.columns):
            raise InputFileError(
                f"The table seems to have no header line: its first line "
                f"({describe_columns(df.columns)}) looks like an address, not column names. "
                "Add a header line naming the columns (e.g. id;adresse), and pass "
                "--address-col if the address column is not called 'adresse'."
            )
        if found is None:
            raise InputFileError(
                f"No address column found among {describe_columns(df.columns)}: pass "
                "address_col= (--address-col) or columns= to join (--columns num,voie,cp,ville)."
            )
        wanted = [found]
    missing = [c for c in [*wanted, indice_col] if c is not None and c not in df.columns]
    if missing:
        raise InputFileError(
            f"Column(s) {describe_columns(missing)} not in the input; its columns are "
            f"{describe_columns(df.columns, limit=20)}."
        )
    cells = [[cell_text(v) for v in column(df, c)] for c in wanted]
    if not columns:
        return pd.Series(cells[0], index=df.index, dtype=object)
    indices = [cell_text(v) for v in column(df, indice_col)] if indice_col else [None] * len(df)
    rows = zip(*cells, strict=True)
    texts = [join_export_fields(row, indice) for row, indice in zip(rows, indices, strict=True)]
    return pd.Series(texts, index=df.index, dtype=object)


def _column(df: pd.DataFrame, name: str | None) -> list[str | None] | None:
    if name is None:
        return None
    return [cell_text(v) or None for v in column(df, name)]


def check_addresses(
    data: pd.DataFrame | str | Path,
    address_col: str | None = None,
    *,
    columns: Sequence[str] | None = None,
    indice_col: str | None = None,
    citycode_col: str | None = None,
    postcode_col: str | None = None,
    citycode: str | None = None,
    date: DateLike = None,
    geocoder: Geocoder | str | None = None,
    catalog: Catalog | None = None,
    ban_index: Any = None,
    sep: str | None = None,
    encoding: str | None = None,
    progress: bool = False,
    jobs: int | None = 1,
) -> pd.DataFrame:
    """Geocode and check every address of a table; every row kept, in order.

    Parameters
    ----------
    data : DataFrame or path
        The table, or a CSV / ``.xlsx`` file (see :func:`ortgeo.table.load_table`).
        Missing cells (``NaN``, ``None``) are empty. A file row with more or fewer fields
        than the header is kept, described in ``input_problem`` and not geocoded
        (verdict ``invalide``), unless its extra fields are all empty.
    address_col : str, optional
        Column with the full address; default: a column named ``adresse``/``address``...
    columns : sequence of str, optional
        Columns to join into the address instead (e.g. number, street, postcode, city),
        as city-hall and tax exports hold it: Excel floats lose their ``.0`` (see
        :func:`ortgeo.geocoders.normalize.join_export_fields`).
    indice_col : str, optional
        With ``columns``: a DGFiP repetition-index column (``B``/``T``/``Q``/``C`` = bis,
        ter, quater, quinquies), put after the house number (the first column).
    citycode_col, postcode_col : str, optional
        Columns restricting each search to a commune (INSEE code) or a postcode.
    citycode : str, optional
        One commune for every row, e.g. ``"62498"``.
    date, catalog
        Date and catalogue of the perimeters.
    geocoder : Geocoder or {"auto", "api", "local"}, optional
        As in :func:`ortgeo.check_address`; the API answers are cached, so an
        interrupted run resumes without geocoding again.
    sep, encoding : str, optional
        For a CSV file: force the separator or the encoding (``"utf-16"``...).
    progress : bool
        Show a progress bar.
    jobs : int or None
        Worker processes geocoding with the offline index (default 1: this process;
        ``None``: one per usable CPU). Only batches of thousands of distinct addresses
        use them; the report is the same whatever ``jobs``.

    Returns
    -------
    pandas.DataFrame
        The input columns untouched, then ``input_problem``, ``ban_*``, ``ort_*`` and
        per-layer ``*_status``/``*_distance_m``, ``ort_sector`` (the sector that decides the
        answer), ``ort_band_m``, ``commune_insee``, ``uncertainty_m``, ``verdict``,
        ``verdict_reason``.

    Raises
    ------
    InputFileError
        Unreadable file, no data row, no address column (the message says what to do).

    Examples
    --------
    Offline, on an index built from a SYNTHETIC BAN export (made-up addresses):

    >>> import tempfile
    >>> from ortgeo.geocoders import build_ban_index
    >>> from ortgeo.testing import write_synthetic_ban_export
    >>> tmp = Path(tempfile.mkdtemp())
    >>> ban = write_synthetic_ban_export(tmp / "adresses.csv.gz", n_rows=300)
    >>> index = build_ban_index(ban, tmp / "ban.sqlite", progress=False)
    >>> table = pd.DataFrame({"id": ["1", "2"], "adresse": ["2 place Jean Jaurès Lens", None]})
    >>> report = check_addresses(table, date="2024-06-01", geocoder="local", ban_index=index)
    >>> report["id"].tolist(), report["verdict"].tolist(), report["verdict_reason"].iloc[1]
    (['1', '2'], ['dedans', 'indetermine'], 'adresse vide')
    """
    day = parse_date(date)  # every argument is checked before any geocoding
    if isinstance(data, pd.DataFrame):
        table = Table(data.copy(), [""] * len(data), [True] * len(data))
    else:
        table = load_table(data, sep, encoding)
    df = table.frame
    if len(df) == 0:
        raise InputFileError("The table has no row: nothing to check.")
    texts = _address_texts(df, address_col, columns, indice_col)
    cities = _column(df, citycode_col) or citycode
    posts = _column(df, postcode_col)
    coder = resolve_geocoder(geocoder, ban_index=ban_index)
    usable = pd.Series(table.geocodable, index=df.index, dtype=bool)
    queries = [text if ok else "" for text, ok in zip(texts, usable, strict=True)]
    with gc_paused():  # hundreds of thousands of small objects, kept: no collector scans
        results: list[GeocodeResult] = coder.geocode_many(
            queries, citycode=cities, postcode=posts, progress=progress, jobs=jobs
        )
        frame = assess_geocodes(results, geocoder=coder, perimeters=on(day, catalog))
    frame.loc[((texts == "") & usable).to_numpy(), "reason"] = "adresse vide"
    malformed = (~usable).to_numpy()
    if malformed.any():
        frame.loc[malformed, "status"] = INVALIDE
        frame.loc[malformed, "reason"] = [
            row_reason(problem)
            for problem, ok in zip(table.problems, table.geocodable, strict=True)
            if not ok
        ]

    added: dict[str, Any] = {PROBLEM_COLUMN: table.problems}
    fields = zip(*map(operator.attrgetter(*BAN_FIELDS), results), strict=True)  # by column
    added |= {col: list(values) for col, values in zip(BAN_FIELDS.values(), fields, strict=True)}
    located = frame["valid"].to_numpy()
    for col in [c for c in frame.columns if c.endswith("_status")]:
        key = col.removesuffix("_status")
        added[col] = frame[col].astype(object).where(located, None).to_numpy()
        added[f"{key}_distance_m"] = frame[f"{key}_distance_m"].round(1).to_numpy()
    added["ort_sector"] = frame["ort_sector"].where(located, None).to_numpy()
    added["ort_band_m"] = frame["ort_band_m"].round(1).to_numpy()
    added["commune_insee"] = frame["commune"].to_numpy()
    added["coverage"] = frame["coverage"].to_numpy()  # what ortgeo holds in that commune
    added["uncertainty_m"] = frame["uncertainty_m"].to_numpy()
    added["verdict"] = frame["status"].to_numpy()
    added["verdict_reason"] = frame["reason"].to_numpy()
    out = pd.DataFrame(
        {(f"{k}_ortgeo" if k in df.columns else k): v for k, v in added.items()}, index=df.index
    )
    return pd.concat([df, out], axis=1)


def reason_kind(reason: str) -> str:
    """The kind of a verdict reason, to count rows by what went wrong.

    The details — names quoted in « », labels, scores, candidates — are dropped; a
    geocoding error keeps what failed (its HTTP status, an unreachable service...).

    Examples
    --------
    >>> reason_kind("numéro non trouvé et la voie « rue A » traverse ou frôle une limite : "
    ...             "précisez le numéro")
    'numéro non trouvé et la voie « … » traverse ou frôle une limite'
    >>> reason_kind("géocodage en erreur : The BAN geocoder at http://x answered HTTP 502 ...")
    'géocodage en erreur (HTTP 502)'
    """
    if reason.startswith(_ERROR_PREFIX):
        detail = reason[len(_ERROR_PREFIX) :]
        status = _HTTP_STATUS.search(detail)
        if status:
            return f"{_ERROR_PREFIX} (HTTP {status.group(1)})"
        kind = next((k for says, k in _ERROR_KINDS if says in detail), None)
        return f"{_ERROR_PREFIX} ({kind})" if kind else _ERROR_PREFIX
    general = _QUOTED.sub("« … »", reason)
    return _REASON_DETAILS.split(general, maxsplit=1)[0]


def failures(report: pd.DataFrame) -> dict[str, int]:
    """Rows of a :func:`check_addresses` report without a verdict, counted by kind of reason.

    A row has no verdict when its ``verdict`` is not in :data:`ANSWERED` (``indetermine``,
    ``invalide``, ``erreur``). Reasons are grouped by kind (:func:`reason_kind`: the text
    before the details — labels, scores, candidates, street names), most frequent first.

    Examples
    --------
    >>> report = pd.DataFrame({
    ...     "verdict": ["dedans", "indetermine", "indetermine", "erreur"],
    ...     "verdict_reason": ["", "adresse vide", "adresse vide",
    ...                        "géocodage en erreur : HTTP 500"]})
    >>> failures(report)
    {'adresse vide': 2, 'géocodage en erreur (HTTP 500)': 1}
    """
    failed = report[~report["verdict"].isin(ANSWERED)]
    reasons = [
        reason_kind(cell_text(reason) or cell_text(verdict))
        for verdict, reason in zip(failed["verdict"], failed["verdict_reason"], strict=True)
    ]
    return dict(Counter(reasons).most_common())


def write_report(
    report: pd.DataFrame, path: str | Path, *, excel: bool = False, sep: str = ";"
) -> Path:
    """Write a :func:`check_addresses` report as CSV or GeoPackage (by extension).

    CSV: ``sep``-separated UTF-8 (with BOM when ``excel``); text cells starting with
    ``= + - @`` are prefixed with ``'`` so that a spreadsheet never runs them as
    formulas (:func:`ortgeo.output.write_csv`). GeoPackage: one point per geocoded row
    (EPSG:4326), empty geometry otherwise. The file appears only once fully written.

    Raises
    ------
    OutputFileError
        Unknown extension, missing or read-only folder, read-only file.

    Examples
    --------
    >>> import tempfile
    >>> report = pd.DataFrame({"adresse": ["=1+1", "3 rue de la Gare"], "verdict": ["", "dedans"]})
    >>> path = write_report(report, Path(tempfile.mkdtemp()) / "rapport.csv")
    >>> path.read_text(encoding="utf-8").splitlines()
    ['adresse;verdict', "'=1+1;", '3 rue de la Gare;dedans']
    """
    path = check_output_path(path, REPORT_SUFFIXES)
    if path.suffix.lower() != ".gpkg":
        return write_csv(report, path, sep=sep, excel=excel)
    geom = gpd.points_from_xy(report["ban_lon"], report["ban_lat"], crs=WGS84)
    names = [str(c) for c in report.columns]
    table = report.copy()
    if len(set(names)) < len(names):  # a GeoPackage needs distinct field names
        table.columns = unique_names(names)
        warnings.warn(
            f"{path.name}: repeated column names of the input renamed "
            f"({', '.join(n for n, o in zip(table.columns, names, strict=True) if n != o)}): "
            "a GeoPackage needs distinct names. Write a .csv to keep them as they are.",
            UserWarning,
            stacklevel=2,
        )
    gdf = gpd.GeoDataFrame(table, geometry=geom, crs=WGS84)
    gdf.loc[report["ban_lon"].isna().to_numpy(), "geometry"] = None
    with atomic_path(path) as tmp:
        gdf.to_file(tmp, driver="GPKG", layer="adresses", engine="pyogrio")
    return path
