"""Backgrounds of the print maps: a local GeoTIFF (rasterio) or XYZ tiles (:mod:`.tiles`).

Both are optional: without one the map is complete. Each returns the source line to credit
(``""`` when it was left out, with a warning).
"""

from __future__ import annotations

import warnings
from pathlib import Path

import numpy as np
from matplotlib.axes import Axes

from ortgeo.crs import L93
from ortgeo.errors import InputFileError, OrtgeoError
from ortgeo.maps.tiles import Basemap, fetch_tiles, warn_missing, warp_to_frame

__all__ = ["local_basemap", "tile_basemap"]


def local_basemap(ax: Axes, path: str | Path, frame: tuple[float, ...], max_px: int) -> str:
    """A georeferenced raster (GeoTIFF, any CRS) under the map; returns the source line."""
    try:
        import rasterio
        from rasterio.vrt import WarpedVRT
        from rasterio.windows import from_bounds
    except ImportError:  # pragma: no cover (rasterio comes with the "basemap" extra)
        raise OrtgeoError(
            "A local basemap needs rasterio: pip install 'ortgeo[basemap]'."
        ) from None
    path = Path(path)
    if not path.is_file():
        raise InputFileError(f"Basemap file not found: {path}. Give a GeoTIFF.")
    try:
        src = rasterio.open(path)
    except rasterio.errors.RasterioIOError as exc:
        raise InputFileError(f"Cannot read {path.name} as a raster (GeoTIFF): {exc}.") from None
    with src:
        if src.crs is None:
            raise InputFileError(
                f"{path.name} has no coordinate reference system: georeference it "
                "(e.g. gdal_translate -a_srs EPSG:2154) before using it as a basemap."
            )
        with WarpedVRT(src, crs=L93) as vrt:
            left, bottom, right, top = vrt.bounds
            xmin, ymin, xmax, ymax = frame
            xmin, ymin = max(xmin, left), max(ymin, bottom)
            xmax, ymax = min(xmax, right), min(ymax, top)
            if xmin >= xmax or ymin >= ymax:
                warnings.warn(
                    f"Basemap {path.name} does not cover the map frame: drawn without it.",
                    UserWarning,
                    stacklevel=3,
                )
                return ""
            window = from_bounds(xmin, ymin, xmax, ymax, transform=vrt.transform)
            factor = max(window.width, window.height) / max_px
            shape = (
                max(1, round(window.height / max(factor, 1))),
                max(1, round(window.width / max(factor, 1))),
            )
            bands = [1, 2, 3] if vrt.count >= 3 else [1]
            data = vrt.read(bands, window=window, out_shape=(len(bands), *shape), masked=True)
    image = np.moveaxis(data.filled(255 if data.dtype == np.uint8 else 0), 0, -1)
    if image.dtype != np.uint8:
        lo, hi = float(np.nanmin(image)), float(np.nanmax(image))
        image = ((image - lo) / ((hi - lo) or 1.0) * 255).astype(np.uint8)
    if image.shape[-1] == 1:
        image = image[..., 0]
    ax.imshow(
        image,
        extent=(xmin, xmax, ymin, ymax),
        origin="upper",
        zorder=0,
        cmap="gray" if image.ndim == 2 else None,
        interpolation="bilinear",
    )
    return f"Fond : {path.name}"


def tile_basemap(
    ax: Axes, basemap: Basemap, frame: tuple[float, ...], shape: tuple[int, int], fontsize: float
) -> str:
    """XYZ tiles (:mod:`ortgeo.maps.tiles`) under the map, with their attribution in the map's
    corner; returns the source line (``""`` when no tile could be had, with a warning).

    ``shape`` is the map's size in pixels, (rows, cols): the tiles are warped to it.
    """
    mosaic = fetch_tiles(basemap, frame, shape[1])
    warn_missing(basemap, mosaic)
    if mosaic.fetched + mosaic.cached == 0:
        return ""
    image = warp_to_frame(mosaic, frame, shape)
    ax.imshow(
        image,
        extent=(frame[0], frame[2], frame[1], frame[3]),
        origin="upper",
        zorder=0,
        alpha=0.8,  # lighter than the sectors drawn over it
        interpolation="nearest",
        gid="basemap",
    )
    ax.text(
        0.995,
        0.004,
        basemap.attribution,
        transform=ax.transAxes,
        ha="right",
        va="bottom",
        fontsize=fontsize * 0.75,
        color="#222222",
        zorder=31,
        gid="basemap-attribution",
        bbox={"boxstyle": "square,pad=0.2", "fc": "white", "ec": "none", "alpha": 0.8},
    )
    return basemap.credit
