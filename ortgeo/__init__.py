"""ortgeo — Lens ORT (Action Cœur de Ville) perimeters, point and address checks, Annex 3 maps.

>>> import ortgeo
>>> ortgeo.catalog().ids[0]
'ort-2019'
"""

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
from ortgeo.io import read_perimeter, write_perimeters
from ortgeo.locate import locate
from ortgeo.verdict import LayerResult, Verdict, check_point

__version__ = "0.1.0"

__all__ = [
    "Catalog",
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
    "catalog",
    "check_point",
    "landmarks",
    "locate",
    "ort_perimeter",
    "perimeters",
    "read_perimeter",
    "write_perimeters",
]
