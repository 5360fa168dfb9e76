"""The sector engine on a dask(-geopandas) DataFrame: partition by partition.

The sectors are put in the task graph once (one ``dask.delayed`` object, shipped once to
each worker) and every partition is located with :func:`ortgeo.engine.locate_sectors`'s
plain path; the result is a lazy dask DataFrame of the per-point table. Start a local
cluster with, e.g.::

    from distributed import Client, LocalCluster
    client = Client(LocalCluster(n_workers=2, threads_per_worker=1, memory_limit="2GB"))

or point ``Client("tcp://scheduler:8786")`` at an existing one (``dask scheduler`` and
``dask worker tcp://scheduler:8786`` on the machines).
"""

from __future__ import annotations

import datetime as _dt
from collections.abc import Sequence
from typing import Any

import numpy as np
import pandas as pd

from ortgeo.engine import Sectors, locate_points
from ortgeo.points import points_xy

__all__ = ["locate_dask"]


def _partition(
    frame: pd.DataFrame,
    sectors: Sectors,
    day: _dt.date,
    band_m: float | None,
    uncertainty_m: float | Sequence[float] | np.ndarray,
    distances: str,
) -> pd.DataFrame:
    result = locate_points(points_xy(frame), sectors, day, band_m, uncertainty_m, distances)
    return result.points


def locate_dask(
    points: Any,
    sectors: Sectors,
    day: _dt.date,
    band_m: float | None = None,
    uncertainty_m: float | Sequence[float] | np.ndarray = 0.0,
    distances: str = "near",
) -> Any:
    """Per-point table of a dask(-geopandas) DataFrame, computed partition-wise (lazy).

    Examples
    --------
    >>> import dask_geopandas, geopandas as gpd
    >>> from ortgeo.engine import Sectors
    >>> gs = gpd.GeoDataFrame(geometry=gpd.points_from_xy([2.833889], [50.429167]), crs=4326)
    >>> ddf = dask_geopandas.from_geopandas(gs, npartitions=1)
    >>> res = locate_dask(ddf, Sectors.from_catalog(), _dt.date(2024, 6, 1))
    >>> res.compute(scheduler="sync")["ort_status"].tolist()
    ['dedans']
    """
    import dask

    if not np.isscalar(uncertainty_m):
        raise TypeError("On a dask DataFrame, uncertainty_m must be one number.")
    unc = float(np.asarray(uncertainty_m, dtype=float))
    in_force = sectors.in_force(day)
    meta = _partition(points._meta, in_force, day, band_m, unc, distances)
    shared = dask.delayed(in_force, pure=True)
    return points.map_partitions(
        _partition, shared, day, band_m, unc, distances, meta=meta,
        align_dataframes=False,
    )  # fmt: skip
