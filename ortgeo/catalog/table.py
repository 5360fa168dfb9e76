"""The national sector table (GeoParquet or GeoPackage) ↔ :class:`Catalog`.

The same model as the TOML catalogue, in the form a national analyst works with: one row
per sector or dispositif with every legal field (communes, acts, validity with precisions,
provenance), the geometry, and the catalogue-wide records — territories and their acts, the
acts, the coverage — as JSON in the file's metadata (key ``ortgeo``: the Parquet schema
metadata, or the GeoPackage layer metadata). ``ortgeo locate --catalog table.parquet``
reads it into the same records :func:`ortgeo.check_point` reads, so both give the same
answers.

A flat table with only :data:`FLAT_COLUMNS` (format 1) still reads, with a warning: exact
dates, no acts, and a coverage implied by its ``communes`` column when it has one.
"""

from __future__ import annotations

import dataclasses
import datetime
import json
import warnings
from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import shapely

from ortgeo.catalog._catalog import Catalog
from ortgeo.catalog.fields import (
    act_record,
    coverage_record,
    iso,
    layer_fields,
    territory_record,
)
from ortgeo.catalog.geometry import file_sha256
from ortgeo.crs import L93, WGS84
from ortgeo.errors import MissingCRSError, PerimeterFileError
from ortgeo.model import ORT_SECTOR, Act, Layer, Territory

if TYPE_CHECKING:
    import geopandas as gpd

__all__ = ["FLAT_COLUMNS", "TABLE_COLUMNS", "read_sector_table", "sector_table",
           "write_sector_table"]  # fmt: skip

#: Columns of a format-1 (flat) sector table, besides its geometry.
FLAT_COLUMNS = ("id", "territory", "name", "kind", "valid_from", "valid_to", "status",
                "accuracy_m")  # fmt: skip
#: Columns of a sector table (format 2), besides its geometry.
TABLE_COLUMNS = (
    "id", "territory", "name", "kind", "title", "legend", "communes", "communes_possible",
    "communes_all", "includes_centre_ville", "acts", "valid_from", "valid_from_precision",
    "valid_from_basis", "valid_to", "valid_to_precision", "review_after", "status",
    "accuracy_m", "source", "supplier", "supplied_on", "plan_act", "synthetic", "owner",
    "contact", "drawn_part", "notes",
)  # fmt: skip
_DATES = ("valid_from", "valid_to", "review_after", "supplied_on")
_ORT_KINDS = (ORT_SECTOR, "ort", "ort-extension")
METADATA_KEY = "ortgeo"
PARQUET = (".parquet", ".geoparquet")
OGR = (".gpkg", ".fgb", ".geojson", ".shp")


# -- writing ---------------------------------------------------------------------------------
def _meta(cat: Catalog) -> dict[str, Any]:
    def act(a: Act) -> dict[str, Any]:
        return {"id": a.id, "kind": a.kind, "title": a.title, "short": a.short,
                "date": iso(a.date), "date_precision": a.date_precision,
                "articles": list(a.articles), "notes": a.notes, "verified": a.verified}  # fmt: skip

    def terr(t: Territory) -> dict[str, Any]:
        return {"id": t.id, "name": t.name, "kind": t.kind, "ort_communes": list(t.ort_communes),
                "pilot": t.pilot, "notes": t.notes, "acts": [a.id for a in t.acts],
                "ort_name": t.ort_name, "contacts": [c.to_dict() for c in t.contacts]}  # fmt: skip

    cov = None
    if cat.coverage_stated:
        cov = []
        for e in cat.coverage:
            d = e.to_dict()
            d = {k: v for k, v in d.items() if v not in (None, "", [])}
            d.setdefault("communes", list(e.communes))
            cov.append(d)
    return {
        "format": 2,
        "catalog": {"name": cat.name, "version": cat.version},
        "acts": [act(a) for a in cat.acts],
        "territories": [terr(t) for t in cat.territories],
        "coverage": cov,
        "annex": cat.annex,
    }


def sector_table(cat: Catalog, crs: Any = WGS84) -> gpd.GeoDataFrame:
    """The catalogue as a sector table: one row per layer, every legal field, dates as
    dates (the rows of :func:`write_sector_table`).

    Examples
    --------
    >>> from ortgeo.catalog import catalog
    >>> t = sector_table(catalog())
    >>> t[["id", "valid_from_precision", "acts"]].iloc[1].tolist()
    ['lens-entree-de-ville', 'not-before', 'avenant-2,avenant-convention-chapeau']
    """
    import geopandas as gpd
    import pandas as pd

    rows = []
    for x in cat:
        p = x.provenance
        rows.append({
            "id": x.id, "territory": x.territory, "name": x.name, "kind": x.kind,
            "title": x.title, "legend": x.legend, "communes": ",".join(x.communes),
            "communes_possible": ",".join(x.communes_possible),
            "communes_all": ",".join(x.communes_all),
            "includes_centre_ville": x.includes_centre_ville,
            "acts": ",".join(a.id for a in x.acts), "valid_from": x.valid_from,
            "valid_from_precision": x.valid_from_precision,
            "valid_from_basis": x.valid_from_basis, "valid_to": x.valid_to,
            "valid_to_precision": x.valid_to_precision, "review_after": x.review_after,
            "status": p.status, "accuracy_m": float(x.accuracy_m), "source": p.source,
            "supplier": p.supplier, "supplied_on": p.supplied_on, "plan_act": p.act,
            "synthetic": p.synthetic, "owner": x.owner, "contact": x.contact,
            "drawn_part": x.drawn_part, "notes": x.notes,
        })  # fmt: skip
    frame = pd.DataFrame(rows, columns=list(TABLE_COLUMNS))
    for col in _DATES:
        frame[col] = pd.to_datetime(frame[col]).astype("datetime64[ms]")
    frame["includes_centre_ville"] = frame["includes_centre_ville"].astype("boolean")
    gdf = gpd.GeoDataFrame(frame, geometry=[x.geometry for x in cat], crs=WGS84)
    return gdf if crs in (None, WGS84) else gdf.to_crs(crs)


def write_sector_table(cat: Catalog, path: str | Path, *, crs: Any = WGS84) -> Path:
    """Write a catalogue as a sector table: GeoParquet (``.parquet``) or GeoPackage
    (``.gpkg``), with the catalogue-wide records as JSON metadata. Atomic.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> from ortgeo.catalog import catalog
    >>> out = write_sector_table(catalog(), pathlib.Path(tempfile.mkdtemp()) / "s.parquet")
    >>> back = read_sector_table(out)
    >>> back.ids == catalog().ids, back["lens-entree-de-ville"].valid_from_precision
    (True, 'not-before')
    """
    from ortgeo.output import atomic_path, check_output_path

    path = check_output_path(Path(path), [*PARQUET, ".gpkg"])
    gdf = sector_table(cat, crs)
    meta = json.dumps(_meta(cat), ensure_ascii=False, default=str)
    with atomic_path(path) as tmp:
        if path.suffix.lower() in PARQUET:
            import pyarrow.parquet as pq  # type: ignore[import-untyped]

            gdf.to_parquet(tmp, index=False)  # GeoParquet, with geopandas' "geo" metadata
            table = pq.read_table(tmp)
            extra = {**(table.schema.metadata or {}), METADATA_KEY.encode(): meta.encode()}
            pq.write_table(table.replace_schema_metadata(extra), tmp)
        else:
            import pyogrio

            pyogrio.write_dataframe(gdf, tmp, layer="sectors", driver="GPKG",
                                    layer_metadata={METADATA_KEY: meta})  # fmt: skip
    return path


# -- reading ---------------------------------------------------------------------------------
def _read_meta(path: Path, layer: str | None) -> dict[str, Any] | None:
    try:
        if path.suffix.lower() in PARQUET:
            import pyarrow.parquet as pq

            raw = (pq.read_schema(path).metadata or {}).get(METADATA_KEY.encode())
        else:
            import pyogrio

            info = pyogrio.read_info(path, layer=layer)
            raw = (info.get("layer_metadata") or {}).get(METADATA_KEY)
    except Exception as exc:  # pyarrow / GDAL errors: say which file
        raise PerimeterFileError(f"Cannot read the sector table {path.name}: {exc}") from None
    if not raw:
        return None
    try:
        meta = json.loads(raw)
    except ValueError:
        raise PerimeterFileError(
            f"{path.name}: its '{METADATA_KEY}' metadata is not valid JSON; write the table "
            "again with ortgeo.catalog.write_sector_table."
        ) from None
    if not isinstance(meta, dict) or meta.get("format") != 2:
        raise PerimeterFileError(f"{path.name}: '{METADATA_KEY}' metadata of an unknown format.")
    return meta


def _cell(value: Any) -> Any:
    """A table cell as a catalogue value: NaN/NaT/None → "", timestamps → dates."""
    if value.__class__ is str:  # most cells
        return value
    if value is None:
        return ""
    if isinstance(value, float) and value != value:
        return ""
    if hasattr(value, "to_pydatetime"):
        if value != value:  # NaT
            return ""
        return value.to_pydatetime().date()
    if isinstance(value, datetime.datetime):  # a Parquet timestamp read by pyarrow
        return value.date()
    if isinstance(value, np.generic):
        return value.item()
    return value


def read_sector_table(path: str | Path, layer: str | None = None) -> Catalog:
    """Read a sector table (GeoParquet, GeoPackage; format 2, or a flat format 1).

    Parameters
    ----------
    path : path
        ``.parquet`` / ``.geoparquet`` / ``.gpkg`` (also ``.fgb``, ``.geojson``, ``.shp``
        for flat tables).
    layer : str, optional
        The layer of a multi-layer GeoPackage.
    """
    path = Path(path)
    if not path.is_file():
        raise PerimeterFileError(f"Sector file not found: {path}.")
    suffix = path.suffix.lower()
    if suffix not in (*PARQUET, *OGR):
        raise PerimeterFileError(
            f"Unknown sector file format {suffix!r} ({path.name}): give a catalogue .toml, "
            "a GeoPackage .gpkg or a GeoParquet .parquet."
        )
    meta = _read_meta(path, layer)
    if suffix in PARQUET:
        fast = _read_lambert_parquet(path, meta)
        if fast is not None:
            return fast
    import geopandas as gpd

    try:
        if suffix in PARQUET:
            gdf = gpd.read_parquet(path)
        else:
            gdf = gpd.read_file(path, layer=layer, engine="pyogrio")
    except Exception as exc:  # pyogrio / pyarrow errors: say which file
        raise PerimeterFileError(f"Cannot read the sector layer {path.name}: {exc}") from None
    return from_geodataframe(gdf, meta, name=path.name, source=path, sha256=file_sha256(path))


#: The GeoParquet CRS of a table in Lambert-93 (what ``write_sector_table(crs=2154)`` writes).
_L93_ID = {"authority": "EPSG", "code": 2154}


def _read_lambert_parquet(path: Path, meta: dict[str, Any] | None) -> Catalog | None:
    """A GeoParquet sector table in Lambert-93 with WKB geometries, read without pandas:
    the columns as Python lists, the geometries decoded in one call. ``None`` for any
    other file (another CRS or encoding...), which :mod:`geopandas` reads."""
    import pyarrow.parquet as pq

    try:
        table = pq.read_table(path)
        geo = json.loads((table.schema.metadata or {}).get(b"geo", b"null"))
    except Exception:  # unreadable here: geopandas says why
        return None
    if not isinstance(geo, dict):
        return None
    column = geo.get("primary_column")
    spec = (geo.get("columns") or {}).get(column)
    if not isinstance(spec, dict):
        return None
    crs = spec.get("crs")
    if (not isinstance(crs, dict) or crs.get("id") != _L93_ID
            or str(spec.get("encoding", "WKB")).upper() != "WKB"
            or column not in table.column_names):  # fmt: skip
        return None
    try:
        geoms = shapely.from_wkb(table.column(column).to_numpy(zero_copy_only=False))
    except Exception:
        return None
    names = [c for c in table.column_names if c != column]
    cells = {c: table.column(c).to_pylist() for c in TABLE_COLUMNS if c in names}
    ids = ["nan" if v is None else str(v) for v in cells.get("id", [])]
    return _from_columns(
        names, cells, ids, np.asarray(geoms, dtype=object), meta, name=path.name, source=path,
        sha256=file_sha256(path),
    )  # fmt: skip


def from_geodataframe(
    gdf: gpd.GeoDataFrame,
    meta: Mapping[str, Any] | None = None,
    *,
    name: str = "sector table",
    source: Path | None = None,
    sha256: str = "",
) -> Catalog:
    """A catalogue from a sector table already in memory (see :func:`read_sector_table`).

    Examples
    --------
    >>> import geopandas as gpd
    >>> from shapely.geometry import box
    >>> gdf = gpd.GeoDataFrame({"id": ["a"], "territory": ["T1"], "name": ["A"],
    ...     "kind": ["ort"], "valid_from": ["2020-01-01"], "valid_to": [None],
    ...     "status": ["officiel"], "accuracy_m": [5.0]},
    ...     geometry=[box(700_000, 6_600_000, 701_000, 6_601_000)], crs=2154)
    >>> import warnings
    >>> with warnings.catch_warnings():
    ...     warnings.simplefilter("ignore")
    ...     cat = from_geodataframe(gdf)
    >>> cat.ids, cat["a"].kind, cat["a"].status
    (['a'], 'ort-sector', 'fourni')
    """
    columns = [c for c in TABLE_COLUMNS if c in gdf.columns]
    geoms = np.asarray(gdf.geometry.to_crs(L93).values) if gdf.crs is not None else None
    cells = gdf[columns].to_dict("list") if geoms is not None else {}
    ids = gdf["id"].astype(str).tolist() if "id" in gdf.columns else []
    return _from_columns(list(gdf.columns), cells, ids, geoms, meta, name=name, source=source,
                         sha256=sha256)  # fmt: skip


def _from_columns(
    names: list[str],
    cells: Mapping[str, list[Any]],
    ids: list[str],
    geoms_l93: np.ndarray | None,
    meta: Mapping[str, Any] | None,
    *,
    name: str,
    source: Path | None,
    sha256: str,
) -> Catalog:
    """The catalogue of a sector table given as its column names, the cells of its
    :data:`TABLE_COLUMNS` (lists, in rows' order), its ids as texts and its geometries in Lambert-93
    (``None``: the table has no CRS)."""
    flat = meta is None
    missing = [c for c in FLAT_COLUMNS if c not in names]
    if missing:
        raise PerimeterFileError(
            f"The sector layer {name} lacks column(s) {missing}; it needs {list(FLAT_COLUMNS)} "
            "and a polygon geometry (or write it with ortgeo.catalog.write_sector_table)."
        )
    if geoms_l93 is None:
        raise MissingCRSError(
            f"The sector layer {name} has no CRS: set one (e.g. EPSG:2154) before using it."
        )
    meta = dict(meta or {})
    acts = [act_record(a, f"{name}, act") for a in meta.get("acts", [])]
    by_id = {a.id: a for a in acts}
    territories = [territory_record(t, f"{name}, territory", by_id)
                   for t in meta.get("territories", [])]  # fmt: skip
    valid = shapely.is_valid(geoms_l93)
    if not valid.all():  # "structure" keeps the polygons of an invalid polygon
        repaired = shapely.make_valid(geoms_l93, method="structure", keep_collapsed=False)
        geoms_l93 = np.where(valid, geoms_l93, repaired)
    types = shapely.get_type_id(geoms_l93)
    bad = ~np.isin(types, (3, 6)) | shapely.is_empty(geoms_l93)
    id_array = np.array(ids, dtype=object)
    if bad.any():
        raise PerimeterFileError(
            f"Sectors {list(id_array[bad][:5])} are not (multi)polygons: every sector needs an "
            "area."
        )
    if len(set(ids)) != len(ids):
        dup = sorted({i for i in ids if ids.count(i) > 1})[:5]
        raise PerimeterFileError(f"Duplicate sector ids: {dup}; every id must be unique.")
    geoms_wgs = np.asarray(shapely.transform(geoms_l93, _to_wgs84, interleaved=False))
    shapely.prepare(geoms_l93)  # the layers' metric geometries, prepared in one call
    columns = [c for c in TABLE_COLUMNS if c in cells]
    records = [dict(zip(columns, row, strict=True))
               for row in zip(*(cells[c] for c in columns), strict=True)]  # fmt: skip
    downgraded = []
    layers = []
    for rec, g, g93 in zip(records, geoms_wgs, geoms_l93, strict=True):
        entry = {k: _cell(v) for k, v in rec.items()}
        layer_id = str(entry.pop("id"))
        where = f"{name}, sector {layer_id!r}"
        kind = str(entry.pop("kind"))
        kind = ORT_SECTOR if kind in _ORT_KINDS else kind
        terr = str(entry.pop("territory") or "")
        for key in ("communes", "communes_possible", "communes_all", "acts"):  # text cells
            if isinstance(entry.get(key), str):
                entry[key] = [c for c in (v.strip() for v in entry[key].split(",")) if c]
        for key in ("valid_from", "valid_to", "review_after", "supplied_on"):
            if key in entry and isinstance(entry[key], str) and entry[key]:
                entry[key] = entry[key][:10]
        if flat and entry.get("status") == "officiel":
            entry["status"] = "fourni"
            downgraded.append(layer_id)
        if kind == ORT_SECTOR:
            for key in ("owner", "contact", "drawn_part", "communes_all"):
                entry.pop(key, None)
        else:
            entry.pop("includes_centre_ville", None)
        entry = {k: v for k, v in entry.items() if v != "" or k in ("status",)}
        try:
            fields = layer_fields(entry, where, by_id, kind=kind)
        except PerimeterFileError:
            raise
        fields["provenance"] = dataclasses.replace(fields["provenance"], file=name, sha256=sha256)
        layer = Layer(id=layer_id, geometry=g, territory=terr, **fields)
        layer.__dict__["geometry_l93"] = g93  # the table's own metric geometry, no round trip
        layers.append(layer)
    if flat:
        warnings.warn(
            f"{name} is a flat sector table (format 1): read with exact dates, no acts and "
            "a coverage implied by its communes column"
            + (
                f"; 'officiel' read as 'fourni' for {len(downgraded)} sector(s) (no act, "
                "supplier or date says whose plan it is)"
                if downgraded
                else ""
            )
            + ". Write it again with ortgeo.catalog.write_sector_table to keep every field.",
            UserWarning,
            stacklevel=4,
        )
    kinds = {x.id: x.kind for x in layers}
    coverage = meta.get("coverage")
    entries = (
        [coverage_record(e, f"{name}, coverage", kinds) for e in coverage]
        if coverage is not None else None
    )  # fmt: skip
    ordered = [x for x in layers if x.is_ort_sector] + [x for x in layers if not x.is_ort_sector]
    info = meta.get("catalog", {})
    return Catalog(
        ordered, name=info.get("name", "") or name, source=source, acts=acts,
        territories=territories, annex=meta.get("annex") or {}, coverage=entries,
        version=str(info.get("version", "")), sha256=sha256,
    )  # fmt: skip


def _to_wgs84(x: np.ndarray, y: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    from ortgeo.crs import to_wgs84_lonlat

    return to_wgs84_lonlat(x, y)
