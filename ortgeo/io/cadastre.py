"""Etalab cadastre parcel files (``cadastre-62498-parcelles.json[.gz]``), read and checked.

:func:`read_cadastre` gives the parcels of a file indexed by IDU, in Lambert-93; a parcel
without a geometry (``"geometry": null``, which the Etalab files hold for some parcels) is
skipped with a warning that names it, instead of making the whole file unreadable.
:func:`check_cadastre_file` is what a download is checked with before it is moved into
place: a complete gzip stream holding a GeoJSON FeatureCollection of parcels.
"""

from __future__ import annotations

import functools
import gzip
import json
import re
import warnings
import zlib
from pathlib import Path
from typing import Any

import geopandas as gpd
import numpy as np
import shapely

from ortgeo.crs import L93, WGS84
from ortgeo.errors import CadastreFileError
from ortgeo.io.checks import some

__all__ = ["check_cadastre_file", "read_cadastre"]

_IDU = re.compile(r"^(?:\d{5}|2[AB]\d{3})[0-9]{3}[0-9A-Z]{2}[0-9]{4}$")
_AGAIN = "Download it again with `ortgeo cadastre download INSEE`, or from cadastre.data.gouv.fr."


def _not_parcels(name: str, why: str) -> CadastreFileError:
    return CadastreFileError(
        f"{name} is not an Etalab cadastre parcel file ({why}): expected a GeoJSON "
        f"FeatureCollection of parcels with their IDU as id. {_AGAIN}"
    )


def _parcels(path: Path, name: str) -> tuple[list[str], np.ndarray, list[str]]:
    """IDUs and WGS84 geometries of the parcels of a file, and the IDUs skipped (no geometry)."""
    try:
        opener: Any = gzip.open if path.name.lower().endswith(".gz") else open
        with opener(path, "rb") as fh:
            data = json.loads(fh.read())
    except FileNotFoundError:
        raise CadastreFileError(f"Cadastre file not found: {path}. Check the path.") from None
    except (EOFError, zlib.error) as exc:
        raise CadastreFileError(
            f"{name} is truncated or damaged (its gzip stream ends early: {exc}). {_AGAIN}"
        ) from None
    except gzip.BadGzipFile:
        raise _not_parcels(name, "not a gzip file despite its name") from None
    except (UnicodeDecodeError, ValueError) as exc:
        raise _not_parcels(name, f"not JSON: {type(exc).__name__}") from None
    except OSError as exc:
        raise CadastreFileError(f"Cannot read {name}: {exc.strerror or exc}.") from None
    if not isinstance(data, dict) or data.get("type") != "FeatureCollection":
        raise _not_parcels(name, "not a FeatureCollection")
    features = data.get("features")
    if not isinstance(features, list) or not all(isinstance(f, dict) for f in features):
        raise _not_parcels(name, "no list of features")
    ids: list[str] = []
    for f in features:
        props = f.get("properties") if isinstance(f.get("properties"), dict) else {}
        ident = f.get("id") or props.get("id")
        if ident is None:
            raise _not_parcels(name, "a feature has no id")
        ids.append(str(ident))
    if ids and not any(_IDU.match(i) for i in ids):
        raise _not_parcels(name, f"its ids, such as {ids[0]!r}, are not parcel IDUs")
    texts = [None if f.get("geometry") is None else json.dumps(f["geometry"]) for f in features]
    try:
        geoms = shapely.from_geojson(np.array(texts, dtype=object), on_invalid="ignore")
    except shapely.errors.GEOSException as exc:
        raise _not_parcels(name, f"unreadable geometry: {exc}") from None
    missing = shapely.is_missing(geoms) | shapely.is_empty(geoms)
    skipped = [i for i, gone in zip(ids, missing.tolist(), strict=True) if gone]
    keep = ~missing
    kinds = set(shapely.get_type_id(geoms[keep]).tolist())
    if kinds - {3, 6}:  # Polygon, MultiPolygon
        raise _not_parcels(name, "its features are not polygons")
    return [i for i, k in zip(ids, keep.tolist(), strict=True) if k], geoms[keep], skipped


def _warn_skipped(name: str, skipped: list[str]) -> None:
    if skipped:
        warnings.warn(
            f"{name}: {len(skipped)} parcel(s) without a geometry skipped "
            f"({some(skipped)}); they are answered 'absent du fichier'.",
            UserWarning,
            stacklevel=3,
        )


def check_cadastre_file(path: str | Path, name: str | None = None) -> int:
    """Check that a file is a complete Etalab cadastre parcel file; its number of parcels.

    Parameters
    ----------
    path : str or Path
        ``.json`` or ``.json.gz`` (a gzip stream read to its end).
    name : str, optional
        The name to use in messages (a download checked under a temporary name).

    Raises
    ------
    CadastreFileError
        Truncated gzip, not JSON, not a FeatureCollection of parcels with IDUs.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> p = pathlib.Path(tempfile.mkdtemp()) / "c.json"
    >>> _ = p.write_text('{"type": "FeatureCollection", "features": [{"type": "Feature", '
    ...                  '"id": "62498000AB0001", "geometry": {"type": "Polygon", "coordinates": '
    ...                  '[[[2.8, 50.4], [2.81, 50.4], [2.81, 50.41], [2.8, 50.4]]]}}]}')
    >>> check_cadastre_file(p)
    1
    >>> _ = p.write_text("<html>proxy</html>")
    >>> check_cadastre_file(p)
    Traceback (most recent call last):
    ...
    ortgeo.errors.CadastreFileError: c.json is not an Etalab cadastre parcel file (not JSON: ...
    """
    path = Path(path)
    ids, _, skipped = _parcels(path, name or path.name)
    _warn_skipped(name or path.name, skipped)
    return len(ids)


@functools.lru_cache(maxsize=8)
def _read(path: str, mtime_ns: int, size: int) -> tuple[gpd.GeoDataFrame, tuple[str, ...]]:
    name = Path(path).name
    ids, geoms, skipped = _parcels(Path(path), name)
    gdf = gpd.GeoDataFrame({"idu": ids}, geometry=geoms, crs=WGS84).to_crs(L93)
    return gdf.drop_duplicates("idu").set_index("idu"), tuple(skipped)


def read_cadastre(path: str | Path) -> gpd.GeoDataFrame:
    """The parcels of an Etalab cadastre file, indexed by IDU, in Lambert-93.

    Read once per file version (cached); a parcel without a geometry is skipped with a
    warning naming it.

    Raises
    ------
    CadastreFileError
        Missing file, or not an Etalab cadastre parcel file (the message says why).

    Examples
    --------
    >>> read_cadastre("absent.json")
    Traceback (most recent call last):
    ...
    ortgeo.errors.CadastreFileError: Cadastre file not found: absent.json. Check the path.
    """
    path = Path(path)
    if not path.is_file():
        raise CadastreFileError(f"Cadastre file not found: {path}. Check the path.")
    stat = path.stat()
    gdf, skipped = _read(str(path), stat.st_mtime_ns, stat.st_size)
    _warn_skipped(path.name, list(skipped))
    return gdf
