"""The catalogue: the model of :mod:`ortgeo.model` read from its two serialisations.

- a catalogue TOML file (:mod:`ortgeo.catalog.toml`): the bundled one describes the ORT of
  the Communauté d'agglomération de Lens-Liévin and its sectors in Lens;
- a national sector table, GeoParquet or GeoPackage (:mod:`ortgeo.catalog.table`).

Both give a :class:`Catalog` of the same records, read by :func:`ortgeo.on`, the engine and
every answer. The bundled geometries are *indicative*: :meth:`Catalog.replace` or a
catalogue file of your own swaps in other files, with their fingerprints.
"""

from __future__ import annotations

import functools
from pathlib import Path
from typing import TYPE_CHECKING

from ortgeo.catalog._catalog import OFFICIAL_ACCURACY_M, Catalog
from ortgeo.catalog.toml import read_toml
from ortgeo.dates import DateLike
from ortgeo.errors import PerimeterFileError
from ortgeo.model import ACT_KINDS, KINDS, ORT_SECTOR, Act, Layer, Territory

if TYPE_CHECKING:
    import geopandas as gpd

__all__ = [
    "ACT_KINDS",
    "KINDS",
    "OFFICIAL_ACCURACY_M",
    "ORT_SECTOR",
    "Act",
    "Catalog",
    "Layer",
    "Territory",
    "bundled_path",
    "catalog",
    "landmarks",
    "perimeters",
    "read_catalog",
    "read_sector_table",
    "write_sector_table",
]


def bundled_path() -> Path:
    """Folder of the bundled perimeter data (inside the wheel, or ``data/perimeters``).

    Examples
    --------
    >>> (bundled_path() / "catalog.toml").exists()
    True
    """
    packaged = Path(__file__).resolve().parents[1] / "_data" / "perimeters"
    if packaged.is_dir():
        return packaged
    return Path(__file__).resolve().parents[2] / "data" / "perimeters"


@functools.lru_cache(maxsize=1)
def _bundled() -> Catalog:
    return read_toml(bundled_path() / "catalog.toml")


def catalog(path: str | Path | None = None) -> Catalog:
    """The bundled catalogue, or the catalogue at ``path`` (TOML file or sector table).

    Examples
    --------
    >>> catalog()["lens-centre-ville"].status
    'indicatif'
    """
    return _bundled() if path is None else read_catalog(path)


def read_catalog(path: str | Path, layer: str | None = None) -> Catalog:
    """A catalogue TOML file, or a sector table (``.parquet``, ``.gpkg``...), by extension."""
    path = Path(path)
    if path.suffix.lower() == ".toml":
        return read_toml(path)
    if not path.exists():
        raise PerimeterFileError(f"Catalogue file not found: {path}.")
    return read_sector_table(path, layer)


def read_sector_table(path: str | Path, layer: str | None = None) -> Catalog:
    """Read a national sector table (see :mod:`ortgeo.catalog.table`)."""
    from ortgeo.catalog.table import read_sector_table as read

    return read(path, layer)


def write_sector_table(cat: Catalog, path: str | Path, *, crs: object = None) -> Path:
    """Write a catalogue as a sector table (see :mod:`ortgeo.catalog.table`)."""
    from ortgeo.catalog.table import write_sector_table as write
    from ortgeo.crs import WGS84

    return write(cat, path, crs=crs or WGS84)


def perimeters(date: DateLike = None, catalog: Catalog | None = None) -> gpd.GeoDataFrame:
    """Perimeter layers as a GeoDataFrame (EPSG:4326), all of them or those in force on ``date``.

    Examples
    --------
    >>> perimeters()["id"].tolist()
    ['lens-centre-ville', 'lens-entree-de-ville', 'call-opah-ru-coeur-de-ville']
    >>> perimeters(date="2020-01-01")["id"].tolist()
    ['lens-centre-ville']
    """
    cat = catalog if catalog is not None else _bundled()
    if date is None:
        return cat.to_geodataframe(all_dates=True)
    return cat.to_geodataframe(date)


def landmarks() -> gpd.GeoDataFrame:
    """Named places of the convention and sourced reference points (EPSG:4326).

    Each row has ``name``, ``kind`` (``repere``, ``action``, ``centre-commune``),
    ``source``, ``precision_m`` and ``note``.

    Examples
    --------
    >>> marks = landmarks()
    >>> marks.crs.to_epsg(), marks.loc[marks["name"] == "Église Saint-Léger", "kind"].item()
    (4326, 'repere')
    """
    import geopandas as gpd

    return gpd.read_file(bundled_path() / "landmarks.geojson", engine="pyogrio")
