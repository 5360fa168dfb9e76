"""The ortgeo cache folder: the one place where every cache of ortgeo lives (geocoding
answers, the offline index's checks, tiles, cadastre downloads, font subsets, compiled
templates)."""

from __future__ import annotations

import os
from pathlib import Path

import platformdirs

__all__ = ["cache_dir"]


def cache_dir() -> Path:
    """The ortgeo cache folder (``$ORTGEO_CACHE_DIR`` or the user cache dir), created.

    Examples
    --------
    >>> cache_dir().is_dir()
    True
    """
    path = Path(os.environ.get("ORTGEO_CACHE_DIR") or platformdirs.user_cache_dir("ortgeo"))
    path.mkdir(parents=True, exist_ok=True)
    return path
