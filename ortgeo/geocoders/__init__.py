"""Geocoding of French addresses on the BAN (Base Adresse Nationale), geopy-style.

Two providers return the same :class:`GeocodeResult`:

* :class:`BanApiGeocoder` — the BAN web API on IGN's Géoplateforme (or a self-hosted
  addok), rate-limited, retried and cached;
* :class:`BanLocalGeocoder` — an offline index built from the BAN export
  ``adresses-62.csv.gz`` (``ortgeo ban download 62``, ``ortgeo ban index``).

:func:`get_geocoder` picks one.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ortgeo.errors import InputFileError
from ortgeo.geocoders.cache import default_index_path

if TYPE_CHECKING:
    from ortgeo.geocoders.ban_api import DEFAULT_BASE_URL, BanApiGeocoder
    from ortgeo.geocoders.ban_export import (
        BAN_COLUMNS,
        download_ban_export,
        iter_ban_csv,
        read_ban_csv,
    )
    from ortgeo.geocoders.ban_local import BanIndex, BanLocalGeocoder, build_ban_index
    from ortgeo.geocoders.base import Geocoder
    from ortgeo.geocoders.cache import GeocodeCache, cache_dir
    from ortgeo.geocoders.parse import parse_address
    from ortgeo.geocoders.result import GeocodeResult
    from ortgeo.geocoders.transport import RetryPolicy

__all__ = [
    "BAN_COLUMNS",
    "DEFAULT_BASE_URL",
    "BanApiGeocoder",
    "BanIndex",
    "BanLocalGeocoder",
    "GeocodeCache",
    "GeocodeResult",
    "Geocoder",
    "RetryPolicy",
    "build_ban_index",
    "cache_dir",
    "default_index_path",
    "download_ban_export",
    "find_ban_index",
    "get_geocoder",
    "iter_ban_csv",
    "parse_address",
    "read_ban_csv",
]

_KINDS = ("auto", "api", "local")

# Every public name is imported on first use: the offline look-up of one address loads
# neither requests (the BAN API) nor pandas (the BAN export, building an index).
_LAZY = {
    **dict.fromkeys(["DEFAULT_BASE_URL", "BanApiGeocoder"], "ban_api"),
    **dict.fromkeys(["BAN_COLUMNS", "download_ban_export", "iter_ban_csv", "read_ban_csv"],
                    "ban_export"),
    **dict.fromkeys(["BanIndex", "BanLocalGeocoder", "build_ban_index"], "ban_local"),
    "Geocoder": "base",
    "GeocodeCache": "cache",
    "cache_dir": "cache",
    "parse_address": "parse",
    "GeocodeResult": "result",
    "RetryPolicy": "transport",
}  # fmt: skip


def __getattr__(name: str) -> Any:
    if name in _LAZY:
        import importlib

        value = getattr(importlib.import_module(f"ortgeo.geocoders.{_LAZY[name]}"), name)
        globals()[name] = value  # next access skips __getattr__
        return value
    raise AttributeError(f"module 'ortgeo.geocoders' has no attribute {name!r}")


def find_ban_index() -> Path | None:
    """The offline index to use by default: ``$ORTGEO_BAN_INDEX``, else the one that
    ``ortgeo ban index`` writes in the cache folder, if it exists.

    Examples
    --------
    >>> find_ban_index() is None or find_ban_index().exists()
    True
    """
    env = os.environ.get("ORTGEO_BAN_INDEX")
    if env:
        return Path(env)
    path = default_index_path()
    return path if path.is_file() else None


def get_geocoder(
    kind: str = "auto",
    ban_index: str | Path | BanIndex | None = None,
    base_url: str | None = None,
) -> Geocoder:
    """A geocoder: offline on a BAN index, or the BAN web API.

    Parameters
    ----------
    kind : {"auto", "api", "local"}
        ``"auto"``: local when ``ban_index`` is given or found (see
        :func:`find_ban_index`), else the API.
    ban_index : str, Path or BanIndex, optional
        The offline index.
    base_url : str, optional
        BAN API root (default ``$ORTGEO_BAN_URL`` or the Géoplateforme).

    Raises
    ------
    InputFileError
        Unknown ``kind``; ``"local"`` without any index.

    Examples
    --------
    >>> get_geocoder("api", base_url="http://127.0.0.1:1").name
    'ban-api'
    """
    if kind not in _KINDS:
        raise InputFileError(f"Unknown geocoder kind {kind!r}: use one of {', '.join(_KINDS)}.")
    if kind == "api":
        from ortgeo.geocoders.ban_api import BanApiGeocoder

        return BanApiGeocoder(base_url)
    index = ban_index if ban_index is not None else find_ban_index()
    if index is None:
        if kind == "local":
            raise InputFileError(
                "No offline BAN index: build one with `ortgeo ban download 62` then "
                "`ortgeo ban index adresses-62.csv.gz`, or set ORTGEO_BAN_INDEX."
            )
        from ortgeo.geocoders.ban_api import BanApiGeocoder

        return BanApiGeocoder(base_url)
    from ortgeo.geocoders.ban_local import BanLocalGeocoder

    return BanLocalGeocoder(index)
