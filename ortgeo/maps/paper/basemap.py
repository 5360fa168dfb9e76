"""Backgrounds of the print maps: a local GeoTIFF (rasterio) or online tiles (contextily).

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

__all__ = ["OSM_ATTRIBUTION", "local_basemap", "online_basemap"]

OSM_ATTRIBUTION = "© contributeurs OpenStreetMap (ODbL)"


def local_basemap(ax: Axes, path: str | Path, frame: tuple[float, ...], max_px: int) -> str:
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


def online_basemap(ax: Axes, tiles: bool | str) -> str:
    try:
        import contextily as ctx
    except ImportError:
        warnings.warn(
            "Online background asked but contextily is not installed "
            "(pip install 'ortgeo[basemap]'): drawn without it.",
            UserWarning,
            stacklevel=3,
        )
        return ""
    source = tiles if isinstance(tiles, str) else ctx.providers.OpenStreetMap.Mapnik
    try:
        ctx.add_basemap(ax, crs=L93, source=source, attribution=False, zorder=0)
    except Exception as exc:  # network errors come in many types (requests, urllib3, PIL)
        warnings.warn(
            f"Online background unavailable ({type(exc).__name__}: {exc}): drawn without it.",
            UserWarning,
            stacklevel=3,
        )
        return ""
    return f"Fond : {OSM_ATTRIBUTION}" if not isinstance(tiles, str) else "Fond : tuiles en ligne"
