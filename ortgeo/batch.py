"""Check a whole file of addresses: every input row kept, in order, with a status.

:func:`check_addresses` geocodes a table (CSV in UTF-8 with or without BOM, or cp1252;
``;`` or ``,`` detected), checks each address like :func:`ortgeo.check_address` and
returns the input columns untouched followed by the BAN result columns (``ban_*``), the
verdict columns (``ort_*`` and one group per layer in force), ``uncertainty_m``,
``verdict`` and ``verdict_reason``. :func:`write_report` writes CSV (``;``, optional BOM
for Excel, formula injection neutralised) or GeoPackage.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import geopandas as gpd
import pandas as pd

from ortgeo.address import assess_geocodes, resolve_geocoder
from ortgeo.catalog import Catalog
from ortgeo.crs import WGS84
from ortgeo.dates import DateLike
from ortgeo.errors import InputFileError
from ortgeo.geocoders import Geocoder, GeocodeResult
from ortgeo.inforce import on

__all__ = ["BAN_FIELDS", "check_addresses", "check_output_path", "read_table", "write_report"]

#: GeocodeResult field → output column.
BAN_FIELDS = {
    "status": "ban_status", "label": "ban_label", "score": "ban_score",
    "score_next": "ban_score_next", "match_type": "ban_type", "housenumber": "ban_housenumber",
    "street": "ban_street", "postcode": "ban_postcode", "citycode": "ban_citycode",
    "city": "ban_city", "id": "ban_id", "lon": "ban_lon", "lat": "ban_lat", "x": "ban_x",
    "y": "ban_y", "provider": "ban_provider",
}  # fmt: skip
_ADDRESS_NAMES = ("adresse", "address", "adresse_complete", "adresse complète", "libelle",
                  "label", "addr", "q")  # fmt: skip
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
_SEPARATORS = ";,\t|"


def _decode(raw: bytes, encoding: str | None, name: str) -> tuple[str, str]:
    if encoding:
        try:
            return raw.decode(encoding), encoding
        except (UnicodeDecodeError, LookupError) as exc:
            raise InputFileError(f"Cannot decode {name} as {encoding}: {exc}.") from None
    try:
        return raw.decode("utf-8-sig"), "utf-8"
    except UnicodeDecodeError:
        return raw.decode("cp1252", errors="replace"), "cp1252"


def read_table(
    path: str | Path, sep: str | None = None, encoding: str | None = None
) -> pd.DataFrame:
    """Read a CSV of addresses as text, keeping every cell as it is.

    Parameters
    ----------
    path : str or Path
        CSV file (UTF-8 with or without BOM, or cp1252 — detected).
    sep : str, optional
        Field separator; detected among ``; , tab |`` when not given.
    encoding : str, optional
        Force an encoding.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> p = pathlib.Path(tempfile.mkdtemp()) / "a.csv"
    >>> _ = p.write_bytes("id;adresse\\n1;17 rue de Lannoy Lens\\n".encode("cp1252"))
    >>> read_table(p).to_dict("records")
    [{'id': '1', 'adresse': '17 rue de Lannoy Lens'}]
    """
    path = Path(path)
    if not path.is_file():
        raise InputFileError(f"Input file not found: {path}. Check the path.")
    text, _ = _decode(path.read_bytes(), encoding, path.name)
    if not text.strip():
        raise InputFileError(f"{path.name} is empty: expected a header line and addresses.")
    if sep is None:
        head = "\n".join(text.splitlines()[:20])
        try:
            sep = csv.Sniffer().sniff(head, delimiters=_SEPARATORS).delimiter
        except csv.Error:
            first = text.splitlines()[0]
            sep = max(_SEPARATORS, key=first.count) if any(c in first for c in _SEPARATORS) else ";"
    try:
        return pd.read_csv(io.StringIO(text), sep=sep, dtype=str, keep_default_na=False,
                           na_filter=False, skip_blank_lines=True)  # fmt: skip
    except (pd.errors.ParserError, ValueError) as exc:
        raise InputFileError(
            f"Cannot read {path.name} as CSV with separator {sep!r}: {exc}. "
            "Pass --sep to force the separator."
        ) from None


def _address_texts(df: pd.DataFrame, address_col: str | None, columns: Sequence[str] | None):
    if address_col is not None and columns:
        raise InputFileError("Give either an address column or columns to join, not both.")
    wanted = [address_col] if address_col is not None else list(columns or [])
    if not wanted:
        by_lower = {str(c).strip().lower(): c for c in df.columns}
        found = next((by_lower[n] for n in _ADDRESS_NAMES if n in by_lower), None)
        if found is None:
            raise InputFileError(
                f"No address column found among {list(df.columns)}: pass "
                "address_col= (--address-col) or columns= to join (--columns num,voie,cp,ville)."
            )
        wanted = [found]
    missing = [c for c in wanted if c not in df.columns]
    if missing:
        raise InputFileError(
            f"Column(s) {missing} not in the input; its columns are {list(df.columns)}."
        )
    parts = df[wanted].astype(str).replace({"nan": "", "None": ""})
    return parts.apply(lambda row: " ".join(v.strip() for v in row if v.strip()), axis=1)


def _column(df: pd.DataFrame, name: str | None) -> list[str | None] | None:
    if name is None:
        return None
    if name not in df.columns:
        raise InputFileError(
            f"Column {name!r} not in the input; its columns are {list(df.columns)}."
        )
    return [str(v).strip() or None for v in df[name]]


def check_addresses(
    data: pd.DataFrame | str | Path,
    address_col: str | None = None,
    *,
    columns: Sequence[str] | None = None,
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
) -> pd.DataFrame:
    """Geocode and check every address of a table; every row kept, in order.

    Parameters
    ----------
    data : DataFrame or path
        The table, or a CSV file (see :func:`read_table`).
    address_col : str, optional
        Column with the full address; default: a column named ``adresse``/``address``...
    columns : sequence of str, optional
        Columns to join into the address instead (e.g. number, street, postcode, city).
    citycode_col, postcode_col : str, optional
        Columns restricting each search to a commune (INSEE code) or a postcode.
    citycode : str, optional
        One commune for every row, e.g. ``"62498"``.
    date, catalog
        Date and catalogue of the perimeters.
    geocoder : Geocoder or {"auto", "api", "local"}, optional
        As in :func:`ortgeo.check_address`; the API answers are cached, so an
        interrupted run resumes without geocoding again.
    progress : bool
        Show a progress bar.

    Returns
    -------
    pandas.DataFrame
        The input columns untouched, then ``ban_*``, ``ort_*`` and per-layer
        ``*_status``/``*_distance_m``, ``ort_sector`` (the sector that decides the
        answer), ``ort_band_m``, ``commune_insee``, ``uncertainty_m``, ``verdict``,
        ``verdict_reason``.

    Examples
    --------
    Offline, on an index built from a SYNTHETIC BAN export (made-up addresses):

    >>> import tempfile
    >>> from ortgeo.geocoders import build_ban_index
    >>> from ortgeo.testing import write_synthetic_ban_export
    >>> tmp = Path(tempfile.mkdtemp())
    >>> ban = write_synthetic_ban_export(tmp / "adresses.csv.gz", n_rows=300)
    >>> index = build_ban_index(ban, tmp / "ban.sqlite", progress=False)
    >>> table = pd.DataFrame({"id": ["1", "2"], "adresse": ["2 place Jean Jaurès Lens", ""]})
    >>> report = check_addresses(table, date="2024-06-01", geocoder="local", ban_index=index)
    >>> report["id"].tolist(), report["verdict"].tolist(), report["verdict_reason"].iloc[1]
    (['1', '2'], ['dedans', 'indetermine'], 'adresse vide')
    """
    df = data.copy() if isinstance(data, pd.DataFrame) else read_table(data, sep, encoding)
    texts = _address_texts(df, address_col, columns)
    cities = _column(df, citycode_col) or citycode
    posts = _column(df, postcode_col)
    coder = resolve_geocoder(geocoder, ban_index=ban_index)
    results: list[GeocodeResult] = coder.geocode_many(
        list(texts), citycode=cities, postcode=posts, progress=progress
    )
    frame = assess_geocodes(results, geocoder=coder, perimeters=on(date, catalog))
    frame.loc[(texts == "").to_numpy(), "reason"] = "adresse vide"

    added: dict[str, Any] = {
        col: [getattr(r, field) for r in results] for field, col in BAN_FIELDS.items()
    }
    located = frame["valid"].to_numpy()
    for col in [c for c in frame.columns if c.endswith("_status")]:
        key = col.removesuffix("_status")
        added[col] = frame[col].astype(object).where(located, None).to_numpy()
        added[f"{key}_distance_m"] = frame[f"{key}_distance_m"].round(1).to_numpy()
    added["ort_sector"] = frame["ort_sector"].where(located, None).to_numpy()
    added["ort_band_m"] = frame["ort_band_m"].round(1).to_numpy()
    added["commune_insee"] = frame["commune"].to_numpy()
    added["uncertainty_m"] = frame["uncertainty_m"].to_numpy()
    added["verdict"] = frame["status"].to_numpy()
    added["verdict_reason"] = frame["reason"].to_numpy()
    out = pd.DataFrame(
        {(f"{k}_ortgeo" if k in df.columns else k): v for k, v in added.items()}, index=df.index
    )
    return pd.concat([df, out], axis=1)


def _neutralise(value: Any) -> Any:
    if isinstance(value, str) and value.startswith(_FORMULA_START):
        return "'" + value
    return value


def check_output_path(path: str | Path) -> Path:
    """The report path, checked before any work: known extension, existing folder.

    Examples
    --------
    >>> check_output_path("rapport.xlsx")
    Traceback (most recent call last):
    ...
    ortgeo.errors.InputFileError: Cannot write rapport.xlsx: use a .csv or .gpkg file name.
    """
    path = Path(path)
    if path.suffix.lower() not in (".csv", ".txt", ".gpkg"):
        raise InputFileError(f"Cannot write {path.name}: use a .csv or .gpkg file name.")
    if not path.parent.exists():
        raise InputFileError(
            f"Cannot write {path}: folder {path.parent} does not exist. Create it first."
        )
    return path


def write_report(
    report: pd.DataFrame, path: str | Path, *, excel: bool = False, sep: str = ";"
) -> Path:
    """Write a :func:`check_addresses` report as CSV or GeoPackage (by extension).

    CSV: ``sep``-separated UTF-8 (with BOM when ``excel``); text cells starting with
    ``= + - @`` are prefixed with ``'`` so that a spreadsheet never runs them as
    formulas. GeoPackage: one point per geocoded row (EPSG:4326), empty geometry otherwise.

    Examples
    --------
    >>> import tempfile
    >>> report = pd.DataFrame({"adresse": ["=1+1", "3 rue de la Gare"], "verdict": ["", "dedans"]})
    >>> path = write_report(report, Path(tempfile.mkdtemp()) / "rapport.csv")
    >>> path.read_text(encoding="utf-8").splitlines()
    ['adresse;verdict', "'=1+1;", '3 rue de la Gare;dedans']
    """
    path = check_output_path(path)
    suffix = path.suffix.lower()
    if suffix == ".gpkg":
        geom = gpd.points_from_xy(report["ban_lon"], report["ban_lat"], crs=WGS84)
        gdf = gpd.GeoDataFrame(report.copy(), geometry=geom, crs=WGS84)
        gdf.loc[report["ban_lon"].isna().to_numpy(), "geometry"] = None
        gdf.to_file(path, driver="GPKG", layer="adresses", engine="pyogrio")
        return path
    safe = report.copy()
    for col in safe.columns:
        if not pd.api.types.is_numeric_dtype(safe[col]):
            safe[col] = safe[col].map(_neutralise)
    safe.to_csv(path, sep=sep, index=False, encoding="utf-8-sig" if excel else "utf-8")
    return path
