"""The geometry file of a layer: read once, fingerprinted (SHA-256), cited by every answer."""

from __future__ import annotations

import functools
import hashlib
from pathlib import Path

import shapely

from ortgeo.crs import LENS_CENTRE_LONLAT, to_l93
from ortgeo.errors import MissingCRSError, PerimeterFileError
from ortgeo.io.geojson import plain_geojson

__all__ = ["file_sha256", "read_geometry"]

#: A plain GeoJSON perimeter is read directly when it lies this close to Lens (the limit
#: of :func:`ortgeo.io.read_perimeter`'s warning); anything else goes through OGR.
_NEAR_LENS_M = 25_000.0


@functools.lru_cache(maxsize=256)
def _sha256(path: Path, size: int, mtime_ns: int) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def file_sha256(path: str | Path) -> str:
    """SHA-256 of a file, hex (computed once per file version).

    Examples
    --------
    >>> from ortgeo.catalog import bundled_path
    >>> len(file_sha256(bundled_path() / "ort_2019.geojson"))
    64
    """
    p = Path(path).resolve()
    stat = p.stat()
    return _sha256(p, stat.st_size, stat.st_mtime_ns)


def read_geometry(
    path: Path, *, layer: str | int | None = None, crs: str | int | None = None,
    where: str = "", engine: str = "pyogrio",
) -> shapely.Geometry:  # fmt: skip
    """The union of the polygons of a perimeter file, WGS84.

    A plain GeoJSON near Lens is read with json and shapely (no OGR); anything else goes
    through :func:`ortgeo.io.read_perimeter` (CRS checks, repairs, warnings). Errors say
    which catalogue entry the file belongs to (``where``).
    """
    plain = None if (crs or layer is not None or engine != "pyogrio") else plain_geojson(path)
    if plain is not None:
        centre = to_l93(shapely.Point(*LENS_CENTRE_LONLAT))
        if min(to_l93(g).distance(centre) for g in plain[0]) <= _NEAR_LENS_M:
            return shapely.union_all(plain[0])
    from ortgeo.io.vector import read_perimeter

    try:
        gdf = read_perimeter(path, layer=layer, crs=crs, engine=engine)
    except PerimeterFileError as exc:  # say which catalogue and layer; same error class
        hint = (
            ' In a catalogue file, give the layer a crs field, e.g. crs = "EPSG:2154".'
            if isinstance(exc, MissingCRSError) and where
            else ""
        )
        raise type(exc)(f"{where}: {exc}{hint}" if where else str(exc)) from None
    return shapely.union_all(gdf.geometry.values)
