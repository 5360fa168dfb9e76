"""Vector files in and out: any OGR format through pyogrio or fiona.

City GIS files come as Shapefile, GeoPackage, GeoJSON, KML, FlatGeobuf..., often in
Lambert-93 and sometimes without a ``.prj``. :func:`read_perimeter` refuses to guess a
missing CRS, repairs invalid polygons with a warning, rejects empty or non-polygon
layers and warns when the data lies far from Lens. :func:`read_layer` reads any layer
(a batch report as GeoPackage) and :func:`read_lines` a road layer, with the same clear
errors. Every read lifts GDAL's limit on the size of one GeoJSON object (an official
perimeter densified to one polygon of 50 MB) with its documented setting,
``OGR_GEOJSON_MAX_OBJ_SIZE``, for files within ortgeo's own size limit.
"""

from __future__ import annotations

import contextlib
import warnings
from collections.abc import Iterator
from pathlib import Path

import geopandas as gpd
import numpy as np
import shapely
from pyproj import CRS, Transformer
from pyproj.exceptions import CRSError

from ortgeo.crs import L93, LENS_CENTRE_LONLAT, WGS84, guess_crs
from ortgeo.errors import InputFileError, MissingCRSError, OrtgeoError, PerimeterFileError
from ortgeo.io.checks import input_file
from ortgeo.output import atomic_path, check_output_path

__all__ = [
    "DRIVERS",
    "MAX_VECTOR_BYTES",
    "read_layer",
    "read_lines",
    "read_perimeter",
    "write_perimeters",
]

#: Output driver by file extension.
DRIVERS = {
    ".gpkg": "GPKG",
    ".geojson": "GeoJSON",
    ".json": "GeoJSON",
    ".shp": "ESRI Shapefile",
    ".fgb": "FlatGeobuf",
}

#: Largest vector file read (a whole GeoJSON is parsed in memory by GDAL).
MAX_VECTOR_BYTES = 2e9
#: GDAL settings of every read: no limit on one GeoJSON object (0 = none, GDAL ≥ 3.5.2),
#: since :data:`MAX_VECTOR_BYTES` bounds the file.
GDAL_READ_OPTIONS = {"OGR_GEOJSON_MAX_OBJ_SIZE": "0"}

_FAR_KM = 25.0
#: No projected CRS reaches farther than this from its origin (2.5 Earth circumferences).
_PROJECTED_LIMIT_M = 1.0e8
#: Shapefile (dBase) text fields hold at most this many bytes.
_DBF_TEXT_BYTES = 254


def _check_engine(engine: str) -> None:
    if engine not in ("pyogrio", "fiona"):
        raise PerimeterFileError(f"Unknown engine {engine!r}: use 'pyogrio' or 'fiona'.")


@contextlib.contextmanager
def gdal_options(engine: str, options: dict[str, str] | None = None) -> Iterator[None]:
    """GDAL configuration options for the reads of the block (default
    :data:`GDAL_READ_OPTIONS`), restored after it.

    Examples
    --------
    >>> import pyogrio
    >>> with gdal_options("pyogrio"):
    ...     pyogrio.get_gdal_config_option("OGR_GEOJSON_MAX_OBJ_SIZE")
    0
    >>> pyogrio.get_gdal_config_option("OGR_GEOJSON_MAX_OBJ_SIZE") is None
    True
    """
    options = GDAL_READ_OPTIONS if options is None else options
    if engine == "fiona":
        import fiona

        with fiona.Env(**options):
            yield
        return
    import pyogrio

    before = {name: pyogrio.get_gdal_config_option(name) for name in options}
    pyogrio.set_gdal_config_options(options)
    try:
        yield
    finally:
        pyogrio.set_gdal_config_options(before)


def read_layer(
    path: str | Path, what: str = "Vector file", layer: str | int | None = None,
    engine: str = "pyogrio",
) -> gpd.GeoDataFrame:  # fmt: skip
    """Any vector layer, read whole; a file that is missing or not a vector file is refused.

    Raises
    ------
    InputFileError

    Examples
    --------
    >>> read_layer("absent.gpkg", "Addresses report")
    Traceback (most recent call last):
    ...
    ortgeo.errors.InputFileError: Addresses report not found: absent.gpkg. Check the path.
    """
    path = input_file(path, what, max_bytes=MAX_VECTOR_BYTES)
    try:
        with gdal_options(engine):
            return gpd.read_file(path, layer=layer, engine=engine)
    except Exception as exc:  # pyogrio/fiona raise many types for bad files
        raise InputFileError(
            f"Cannot read {path.name} as a vector file ({type(exc).__name__}: {exc})."
        ) from None


def read_lines(path: str | Path) -> gpd.GeoDataFrame:
    """A line layer (roads: IGN BD TOPO ``troncon_de_route`` or any OGR line file).

    Examples
    --------
    >>> read_lines("absent.gpkg")
    Traceback (most recent call last):
    ...
    ortgeo.errors.InputFileError: Streets file not found: absent.gpkg. Check the path.
    """
    return read_layer(path, "Streets file")


def _user_crs(value: str | int | CRS, label: str) -> CRS:
    """Parse a CRS given by the user (``2154``, ``"EPSG:2154"``, WKT...) or say what is wrong."""
    try:
        return CRS.from_user_input(value)
    except CRSError:
        raise PerimeterFileError(
            f"{label}: {value!r} is not a coordinate reference system. "
            "Give an EPSG code, e.g. 2154 (Lambert-93) or 4326 (WGS84)."
        ) from None


def _has_geometry(gdf: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    """Drop features whose geometry is missing or empty."""
    geoms = gdf.geometry.array
    return gdf[~(shapely.is_missing(geoms) | shapely.is_empty(geoms))]


def _polygonal(geom: shapely.Geometry) -> shapely.Geometry | None:
    """Keep the polygonal part of a geometry (make_valid may return a collection)."""
    if geom is None or geom.is_empty:
        return None
    if geom.geom_type in ("Polygon", "MultiPolygon"):
        return geom
    if geom.geom_type == "GeometryCollection":
        parts = [g for g in geom.geoms if g.geom_type in ("Polygon", "MultiPolygon")]
        return shapely.union_all(parts) if parts else None
    return None


def _repair(gdf: gpd.GeoDataFrame, label: str) -> gpd.GeoDataFrame:
    invalid = ~gdf.geometry.is_valid
    if invalid.any():
        reasons = [shapely.is_valid_reason(g) for g in gdf.geometry[invalid]]
        repaired = gdf.geometry[invalid].make_valid().map(_polygonal)
        gdf = gdf.copy()
        gdf.loc[invalid, gdf.geometry.name] = repaired
        warnings.warn(
            f"{label}: repaired {int(invalid.sum())} invalid geometr"
            f"{'y' if invalid.sum() == 1 else 'ies'} with make_valid ({'; '.join(reasons)}). "
            "Check the result against the official plan.",
            UserWarning,
            stacklevel=3,
        )
    return gdf


def _check_coordinates(gdf: gpd.GeoDataFrame, label: str) -> None:
    """Refuse coordinates that cannot exist in the declared CRS (metres read as degrees...)."""
    crs = gdf.crs
    values = gdf.geometry.bounds.to_numpy(dtype=float)  # minx, miny, maxx, maxy per feature
    bad = ~np.isfinite(values).all(axis=1)
    with np.errstate(invalid="ignore", over="ignore"):
        if crs.is_geographic:
            bad |= (np.abs(values[:, [0, 2]]) > 180).any(axis=1)
            bad |= (np.abs(values[:, [1, 3]]) > 90).any(axis=1)
        else:  # beyond any map of the Earth, or not coming back from a round trip
            unit = crs.axis_info[0].unit_conversion_factor if crs.axis_info else 1.0
            bad |= (np.abs(values) * unit > _PROJECTED_LIMIT_M).any(axis=1)
            forward = Transformer.from_crs(crs, WGS84, always_xy=True)
            back = Transformer.from_crs(WGS84, crs, always_xy=True)
            for xs, ys in ((values[:, 0], values[:, 1]), (values[:, 2], values[:, 3])):
                lon, lat = forward.transform(xs, ys)
                x2, y2 = back.transform(lon, lat)
                off = np.hypot(np.asarray(x2) - xs, np.asarray(y2) - ys) * unit
                bad |= ~(np.isfinite(lon) & np.isfinite(lat) & (off < 1.0))
    if not bad.any():
        return
    minx, miny, maxx, maxy = gdf[bad].total_bounds
    name = f"{crs.to_string()} ({crs.name})"
    what = (
        "longitudes must lie within ±180° and latitudes within ±90°"
        if crs.is_geographic
        else "no place on Earth has such coordinates in this projection"
    )
    fits = guess_crs((minx, miny, maxx, maxy))
    if fits:
        code = fits[0].split()[0].removeprefix("EPSG:")
        hint = (
            f"They look like {' or '.join(fits)}: declare that CRS in the file "
            f"(e.g. ogr2ogr -a_srs EPSG:{code} fixed.gpkg {label}), or pass crs={code} "
            "for a file without one."
        )
    else:
        hint = (
            "They do not look like any usual CRS around Lens either: some vertices may be "
            "corrupt; check the file in a GIS."
        )
    raise PerimeterFileError(
        f"{label}: {int(bad.sum())} feature(s) have coordinates impossible in {name} "
        f"(x {minx:.6g} to {maxx:.6g}, y {miny:.6g} to {maxy:.6g}; {what}). {hint}"
    )


def read_perimeter(
    path: str | Path,
    layer: str | int | None = None,
    crs: str | int | CRS | None = None,
    engine: str = "pyogrio",
) -> gpd.GeoDataFrame:
    """Read an official perimeter file and return its polygons in WGS84 (EPSG:4326).

    Parameters
    ----------
    path : str or Path
        Any vector file OGR reads (Shapefile, GeoPackage, GeoJSON, KML, FlatGeobuf...).
    layer : str or int, optional
        Layer name or index in a multi-layer file (GeoPackage...).
    crs : str, int or pyproj.CRS, optional
        The CRS of the coordinates, for files that do not carry one (a Shapefile
        without ``.prj``). When the file has a CRS, ``crs`` must agree with it.
    engine : {"pyogrio", "fiona"}
        The OGR binding used to read.

    Returns
    -------
    geopandas.GeoDataFrame
        Every feature with its attributes, geometry repaired if needed, EPSG:4326.

    Raises
    ------
    PerimeterFileError
        Missing, unreadable or corrupt file; no features; no polygon; coordinates
        impossible in their CRS (metres labelled as degrees, a vertex at longitude 1e9):
        the message names the CRS they look like.
    MissingCRSError
        No CRS in the file and none given; the message says what the coordinates look like.

    Examples
    --------
    >>> from ortgeo.catalog import bundled_path
    >>> gdf = read_perimeter(bundled_path() / "ort_2019.geojson")
    >>> gdf.crs.to_epsg(), gdf.geom_type.iloc[0]
    (4326, 'Polygon')
    """
    path = Path(path)
    label = path.name
    _check_engine(engine)
    if not path.exists() and "://" not in str(path):
        raise PerimeterFileError(f"Perimeter file not found: {path}. Check the path.")
    if path.is_file() and path.stat().st_size > MAX_VECTOR_BYTES:
        raise PerimeterFileError(
            f"{label} is {path.stat().st_size / 1e9:.1f} GB: ortgeo reads perimeter files of "
            f"{MAX_VECTOR_BYTES / 1e9:.0f} GB at most. Simplify it, or keep only the sectors."
        )
    try:
        with gdal_options(engine):
            gdf = gpd.read_file(path, layer=layer, engine=engine)
    except OrtgeoError:
        raise
    except Exception as exc:  # pyogrio/fiona raise many types for bad files
        hint = (
            " fiona leaves some formats (KML...) disabled: try engine='pyogrio'."
            if engine == "fiona" and "unsupported driver" in str(exc)
            else ""
        )
        raise PerimeterFileError(
            f"Cannot read {label} as a vector file ({type(exc).__name__}: {exc}). "
            "Is it a Shapefile (with .shp, .shx, .dbf), GeoPackage, GeoJSON, KML or FlatGeobuf?"
            + hint
        ) from None
    gdf = _has_geometry(gdf)
    if len(gdf) == 0:
        raise PerimeterFileError(
            f"{label} holds no feature with a geometry: expected at least one polygon."
        )
    kinds = set(gdf.geom_type)
    if not kinds & {"Polygon", "MultiPolygon"}:
        raise PerimeterFileError(
            f"{label} holds no polygon (found {', '.join(sorted(kinds))}): "
            "a perimeter must be a Polygon or MultiPolygon layer."
        )
    if kinds - {"Polygon", "MultiPolygon"}:
        dropped = len(gdf[~gdf.geom_type.isin(["Polygon", "MultiPolygon"])])
        warnings.warn(
            f"{label}: ignored {dropped} non-polygon feature(s) ({', '.join(sorted(kinds))}).",
            UserWarning,
            stacklevel=2,
        )
        gdf = gdf[gdf.geom_type.isin(["Polygon", "MultiPolygon"])]

    if gdf.crs is None:
        if crs is None:
            fits = guess_crs(tuple(gdf.total_bounds))
            hint = (
                f"The coordinates look like {' or '.join(fits)}"
                if fits
                else "The coordinates do not look like any usual CRS around Lens"
            )
            raise MissingCRSError(
                f"{label} has no coordinate reference system (no .prj?). {hint}. "
                "Pass it explicitly, e.g. read_perimeter(path, crs=2154), or add "
                'crs = "EPSG:2154" to that layer in a catalogue file (--catalog); '
                "ortgeo never guesses."
            )
        gdf = gdf.set_crs(_user_crs(crs, label))
    elif crs is not None and not gdf.crs.equals(_user_crs(crs, label)):
        raise PerimeterFileError(
            f"{label} declares {gdf.crs.to_string()} but crs={crs!r} was given. "
            "Drop crs= to use the file's own CRS, or fix the file."
        )

    _check_coordinates(gdf, label)
    gdf = _repair(gdf, label)
    gdf = _has_geometry(gdf)
    if len(gdf) == 0:
        raise PerimeterFileError(f"{label}: no polygon left after repairing invalid geometries.")
    read_as = gdf.crs.to_string()
    gdf = gdf.to_crs(WGS84)

    centre = gpd.GeoSeries.from_xy([LENS_CENTRE_LONLAT[0]], [LENS_CENTRE_LONLAT[1]], crs=WGS84)
    with np.errstate(invalid="ignore"):  # coordinates out of the CRS's range project to inf
        dist_km = gdf.to_crs(L93).distance(centre.to_crs(L93).iloc[0]).min() / 1000.0
    if not dist_km <= _FAR_KM:
        far = f"lies {dist_km:.0f} km from Lens" if np.isfinite(dist_km) else "is nowhere near Lens"
        warnings.warn(
            f"{label} {far} once read as {read_as}: is the CRS right? "
            "(a Lambert-93 file read as CC50 or as degrees lands far away).",
            UserWarning,
            stacklevel=2,
        )
    return gdf.reset_index(drop=True)


def _dbf_names(columns: list[str], geometry: str) -> list[str]:
    """Column names cut to the 10 characters of a dBase field, kept distinct.

    >>> _dbf_names(["valid_from", "valid_from_precision", "geometry"], "geometry")
    ['valid_from', 'valid_fr_1', 'geometry']
    """
    out: list[str] = []
    for col in columns:
        name = col if col == geometry else col[:10]
        n = 0
        while name in out:
            n += 1
            name = f"{col[: 8 - len(str(n)) + 1]}_{n}"
        out.append(name)
    return out


def write_perimeters(
    gdf: gpd.GeoDataFrame,
    path: str | Path,
    crs: str | int | CRS | None = None,
    engine: str = "pyogrio",
) -> Path:
    """Write perimeters to GeoPackage, GeoJSON, Shapefile or FlatGeobuf, chosen by extension.

    Parameters
    ----------
    gdf : geopandas.GeoDataFrame
        Perimeters, e.g. from :func:`ortgeo.perimeters`.
    path : str or Path
        Output file; its extension picks the format (see :data:`DRIVERS`).
    crs : optional
        Reproject before writing (``2154`` for Lambert-93). Default: keep the CRS.
    engine : {"pyogrio", "fiona"}
        The OGR binding used to write.

    Returns
    -------
    Path
        The written file.

    The file appears only once fully written (a failure leaves no partial file).

    Raises
    ------
    OutputFileError
        Unknown extension, missing or read-only folder, read-only file (checked before
        any work, by :func:`ortgeo.output.check_output_path`).
    PerimeterFileError
        Unknown engine, invalid ``crs``, write failure.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> from ortgeo.catalog import perimeters
    >>> out = pathlib.Path(tempfile.mkdtemp()) / "perimetres.gpkg"
    >>> write_perimeters(perimeters(), out, crs=2154).name
    'perimetres.gpkg'
    """
    _check_engine(engine)
    path = check_output_path(path, sorted(DRIVERS))
    driver = DRIVERS[path.suffix.lower()]
    out = gdf.to_crs(_user_crs(crs, path.name)) if crs is not None else gdf
    out = out.copy()
    options: dict[str, object] = {}
    for col in out.columns:  # OGR has no list types everywhere: write text
        if col != out.geometry.name and out[col].dtype == object:
            out[col] = out[col].map(lambda v: "" if v is None else str(v))
    dates = [c for c in out.columns if c != out.geometry.name and out[c].dtype.kind == "M"]
    if dates:  # real DATE fields (QGIS filters on them): Arrow's date32 through pyogrio
        import pandas as pd
        import pyarrow as pa  # type: ignore[import-untyped]

        for col in dates:
            if engine == "pyogrio":
                out[col] = out[col].dt.date.astype(pd.ArrowDtype(pa.date32()))
            else:  # fiona has no date type for every driver: ISO text
                out[col] = out[col].dt.strftime("%Y-%m-%d").fillna("")
        options = {"use_arrow": True} if engine == "pyogrio" else {}
    if driver == "ESRI Shapefile":
        cut = [
            c
            for c in out.columns
            if c != out.geometry.name
            and out[c].map(lambda v: isinstance(v, str) and len(v.encode()) > _DBF_TEXT_BYTES).any()
        ]
        if cut:
            warnings.warn(
                f"{path.name}: a Shapefile holds at most {_DBF_TEXT_BYTES} bytes of text per "
                f"field; column(s) {', '.join(cut)} will be truncated. "
                "Write a .gpkg or .geojson to keep them whole.",
                UserWarning,
                stacklevel=2,
            )
        out.columns = _dbf_names(list(out.columns), out.geometry.name)
    try:
        # the layer is named after the target, not after the temporary file
        layer = {} if driver == "ESRI Shapefile" else {"layer": path.stem}
        with atomic_path(path) as tmp:
            out.to_file(tmp, driver=driver, engine=engine, **layer, **options)
    except OrtgeoError:
        raise
    except Exception as exc:  # pyogrio/fiona/OS errors: an existing folder, no permission...
        raise PerimeterFileError(
            f"Cannot write {path} ({type(exc).__name__}: {exc}). "
            "Check that the path is a writable file name, not a folder or a locked file."
        ) from None
    return path
