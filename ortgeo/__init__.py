"""ortgeo — Lens ORT (Action Cœur de Ville) perimeters, point and address checks, Annex 3 maps.

Data flows one way: catalogue → geocode → locate → verdict → batch report / maps.

>>> import ortgeo
>>> ortgeo.catalog().ids[0]
'ort-2019'
>>> ortgeo.check_point(2.833889, 50.429167, date="2024-06-01").status
'dedans'
"""

from ortgeo.address import check_address
from ortgeo.batch import check_addresses, read_table, write_report
from ortgeo.catalog import Catalog, Layer, catalog, landmarks, ort_perimeter, perimeters
from ortgeo.errors import (
    GeocoderError,
    GeocoderQuotaExceeded,
    GeocoderServiceError,
    GeocoderUnavailable,
    InputFileError,
    InvalidDateError,
    MissingCRSError,
    OrtgeoError,
    PerimeterFileError,
    UnknownLayerError,
)
from ortgeo.geocoders import (
    BanApiGeocoder,
    BanIndex,
    BanLocalGeocoder,
    GeocodeResult,
    build_ban_index,
    download_ban_export,
    get_geocoder,
)
from ortgeo.io import read_perimeter, write_perimeters
from ortgeo.locate import locate
from ortgeo.verdict import LayerResult, Verdict, check_point

__version__ = "0.1.0"

# The map and annex modules pull in matplotlib and folium: imported on first use only,
# so that `import ortgeo` and the command line stay quick.
_LAZY = {
    "address_lists": "ortgeo.annex",
    "write_annex": "ortgeo.annex",
    "annex_map": "ortgeo.maps",
    "figure": "ortgeo.maps",
    "render_png": "ortgeo.maps",
    "save_html": "ortgeo.maps",
}


def __getattr__(name: str) -> object:
    if name in _LAZY:
        import importlib

        return getattr(importlib.import_module(_LAZY[name]), name)
    raise AttributeError(f"module 'ortgeo' has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(__all__))


__all__ = [
    "BanApiGeocoder",
    "BanIndex",
    "BanLocalGeocoder",
    "Catalog",
    "GeocodeResult",
    "GeocoderError",
    "GeocoderQuotaExceeded",
    "GeocoderServiceError",
    "GeocoderUnavailable",
    "InputFileError",
    "InvalidDateError",
    "Layer",
    "LayerResult",
    "MissingCRSError",
    "OrtgeoError",
    "PerimeterFileError",
    "UnknownLayerError",
    "Verdict",
    "__version__",
    "address_lists",
    "annex_map",
    "build_ban_index",
    "catalog",
    "check_address",
    "check_addresses",
    "check_point",
    "download_ban_export",
    "figure",
    "get_geocoder",
    "landmarks",
    "locate",
    "ort_perimeter",
    "perimeters",
    "read_perimeter",
    "read_table",
    "render_png",
    "save_html",
    "write_annex",
    "write_perimeters",
    "write_report",
]
