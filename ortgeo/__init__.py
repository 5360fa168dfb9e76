"""ortgeo — Lens ORT (Action Cœur de Ville) perimeters, point and address checks, Annex 3 maps.

Data flows one way: catalogue → perimeters in force on a date (:func:`on`) → geocode →
locate → verdict → batch report / maps / annex.

>>> import ortgeo
>>> ortgeo.catalog().ids[0]
'lens-centre-ville'
>>> ortgeo.check_point(2.833889, 50.429167, date="2024-06-01").status
'dedans'
"""

import sys
import types
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # names resolved lazily at run time (see _LAZY), eagerly for type checkers
    from ortgeo.address import check_address
    from ortgeo.annex import address_lists, write_annex
    from ortgeo.batch import check_addresses, write_report
    from ortgeo.catalog import (
        Act,
        Catalog,
        Layer,
        Territory,
        catalog,
        landmarks,
        perimeters,
    )
    from ortgeo.communes import commune_at, commune_outlines, ort_communes
    from ortgeo.engine import SectorResult, Sectors, locate_sectors
    from ortgeo.errors import (
        CadastreFileError,
        CorruptFileError,
        GeocoderError,
        GeocoderQuotaExceeded,
        GeocoderResponseError,
        GeocoderServiceError,
        GeocoderUnavailable,
        InputFileError,
        InvalidDateError,
        InvalidURLError,
        MissingCRSError,
        OrtgeoError,
        OutputFileError,
        ParcelReferenceError,
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
    from ortgeo.inforce import PerimetersInForce, on, ort_perimeter
    from ortgeo.io import read_perimeter, write_perimeters
    from ortgeo.io.tables import read_table
    from ortgeo.legal import CommuneStatus, commune_status
    from ortgeo.locate import locate
    from ortgeo.maps import annex_map, figure, render_png, save_html
    from ortgeo.parcels import (
        ParcelVerdict,
        check_parcel,
        check_parcels,
        download_cadastre,
    )
    from ortgeo.stats import sector_stats, write_stats
    from ortgeo.status import Status, Timing
    from ortgeo.stream import locate_file
    from ortgeo.verdict import LayerResult, Verdict, check_point

__version__ = "0.1.0"

# Every public name is imported on first use, so that `import ortgeo` and the command
# line start quickly (pandas, geopandas, matplotlib and folium load only when needed).
_LAZY = {
    "CadastreFileError": "ortgeo.errors",
    "ParcelReferenceError": "ortgeo.errors",
    "ParcelVerdict": "ortgeo.parcels",
    "check_parcel": "ortgeo.parcels",
    "check_parcels": "ortgeo.parcels",
    "download_cadastre": "ortgeo.parcels",
    "check_address": "ortgeo.address",
    "address_lists": "ortgeo.annex",
    "write_annex": "ortgeo.annex",
    "check_addresses": "ortgeo.batch",
    "read_table": "ortgeo.io.tables",
    "write_report": "ortgeo.batch",
    "Act": "ortgeo.catalog",
    "Catalog": "ortgeo.catalog",
    "Territory": "ortgeo.catalog",
    "commune_at": "ortgeo.communes",
    "commune_outlines": "ortgeo.communes",
    "ort_communes": "ortgeo.communes",
    "PerimetersInForce": "ortgeo.inforce",
    "on": "ortgeo.inforce",
    "CommuneStatus": "ortgeo.legal",
    "commune_status": "ortgeo.legal",
    "Status": "ortgeo.status",
    "Timing": "ortgeo.status",
    "Layer": "ortgeo.catalog",
    "catalog": "ortgeo.catalog",
    "landmarks": "ortgeo.catalog",
    "ort_perimeter": "ortgeo.inforce",
    "perimeters": "ortgeo.catalog",
    **dict.fromkeys(
        [
            "CorruptFileError",
            "GeocoderError",
            "GeocoderResponseError",
            "InvalidURLError",
            "GeocoderQuotaExceeded",
            "GeocoderResponseError",
            "GeocoderServiceError",
            "GeocoderUnavailable",
            "InputFileError",
            "InvalidDateError",
            "InvalidURLError",
            "MissingCRSError",
            "OrtgeoError",
            "OutputFileError",
            "PerimeterFileError",
            "UnknownLayerError",
        ],
        "ortgeo.errors",
    ),
    **dict.fromkeys(
        [
            "BanApiGeocoder",
            "BanIndex",
            "BanLocalGeocoder",
            "GeocodeResult",
            "build_ban_index",
            "download_ban_export",
            "get_geocoder",
        ],
        "ortgeo.geocoders",
    ),
    "read_perimeter": "ortgeo.io",
    "write_perimeters": "ortgeo.io",
    "locate": "ortgeo.locate",
    "SectorResult": "ortgeo.engine",
    "Sectors": "ortgeo.engine",
    "locate_sectors": "ortgeo.engine",
    "locate_file": "ortgeo.stream",
    "sector_stats": "ortgeo.stats",
    "write_stats": "ortgeo.stats",
    "annex_map": "ortgeo.maps",
    "figure": "ortgeo.maps",
    "render_png": "ortgeo.maps",
    "save_html": "ortgeo.maps",
    "LayerResult": "ortgeo.verdict",
    "Verdict": "ortgeo.verdict",
    "check_point": "ortgeo.verdict",
}


class _Package(types.ModuleType):
    """The ``ortgeo`` module: ``catalog`` and ``locate`` stay the public functions.

    The submodules ``ortgeo.catalog`` and ``ortgeo.locate`` share those names; importing
    one would otherwise replace the function by the module on the package.
    """

    @property
    def catalog(self) -> Any:
        from ortgeo.catalog import catalog

        return catalog

    @catalog.setter
    def catalog(self, value: Any) -> None:  # the import system sets the submodule: keep ours
        pass

    @property
    def locate(self) -> Any:
        from ortgeo.locate import locate

        return locate

    @locate.setter
    def locate(self, value: Any) -> None:
        pass


sys.modules[__name__].__class__ = _Package


def __getattr__(name: str) -> object:
    if name in _LAZY:
        import importlib

        value = getattr(importlib.import_module(_LAZY[name]), name)
        globals()[name] = value  # next access skips __getattr__
        return value
    raise AttributeError(f"module 'ortgeo' has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(__all__))


__all__ = [
    "Act",
    "BanApiGeocoder",
    "BanIndex",
    "BanLocalGeocoder",
    "CadastreFileError",
    "Catalog",
    "CommuneStatus",
    "CorruptFileError",
    "GeocodeResult",
    "GeocoderError",
    "GeocoderQuotaExceeded",
    "GeocoderResponseError",
    "GeocoderServiceError",
    "GeocoderUnavailable",
    "InputFileError",
    "InvalidDateError",
    "InvalidURLError",
    "Layer",
    "LayerResult",
    "MissingCRSError",
    "OrtgeoError",
    "OutputFileError",
    "ParcelReferenceError",
    "ParcelVerdict",
    "PerimeterFileError",
    "PerimetersInForce",
    "SectorResult",
    "Sectors",
    "Status",
    "Territory",
    "Timing",
    "UnknownLayerError",
    "Verdict",
    "__version__",
    "address_lists",
    "annex_map",
    "build_ban_index",
    "catalog",
    "check_address",
    "check_addresses",
    "check_parcel",
    "check_parcels",
    "check_point",
    "commune_at",
    "commune_outlines",
    "commune_status",
    "download_ban_export",
    "download_cadastre",
    "figure",
    "get_geocoder",
    "landmarks",
    "locate",
    "locate_file",
    "locate_sectors",
    "on",
    "ort_communes",
    "ort_perimeter",
    "perimeters",
    "read_perimeter",
    "read_table",
    "render_png",
    "save_html",
    "sector_stats",
    "write_annex",
    "write_perimeters",
    "write_report",
    "write_stats",
]
