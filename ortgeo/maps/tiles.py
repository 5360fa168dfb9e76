"""Opt-in map backgrounds from XYZ tile servers: a provider of the xyzservices registry
(``OpenStreetMap.Mapnik``, ``GeoportailFrance.plan``...) or an XYZ URL template.

One :class:`Basemap` is resolved once (:func:`resolve_basemap`) and used by every
renderer: the HTML maps and the service page give its URL to Leaflet; the print maps
fetch its tiles (:func:`fetch_tiles`, cached on disk in the ortgeo cache folder), warp
them to Lambert-93 (:func:`warp_to_frame`) and print its attribution. Without a basemap
nothing is fetched: every map is complete offline.
"""

from __future__ import annotations

import dataclasses
import difflib
import hashlib
import io
import math
import warnings
from pathlib import Path
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

import numpy as np
from pyproj import Transformer

if TYPE_CHECKING:
    import requests

from ortgeo.crs import L93, WGS84
from ortgeo.errors import OrtgeoError

__all__ = [
    "RASTER_SUFFIXES",
    "Basemap",
    "TileMosaic",
    "choose_zoom",
    "fetch_tiles",
    "html_basemap",
    "is_raster",
    "resolve_basemap",
    "tile_range",
    "warp_to_frame",
]

#: Web Mercator (EPSG:3857), the grid of XYZ tiles.
WEB_MERCATOR = "EPSG:3857"
_HALF = 20037508.342789244  # half the width of the Web Mercator world, metres
_TILE = 256
#: Most tiles one print map may fetch (the zoom is lowered below it): a public tile
#: server's usage policy forbids bulk downloads.
MAX_TILES = 96
_TIMEOUT_S = 10.0


@dataclasses.dataclass(frozen=True)
class Basemap:
    """An XYZ tile background.

    Attributes
    ----------
    name : str
        The registry name (``OpenStreetMap.Mapnik``) or ``URL`` for a template of one's own.
    url : str
        The template, with ``{z}``, ``{x}``, ``{y}`` and possibly ``{s}``.
    attribution : str
        The credit to print (plain text).
    subdomains : str
        Letters that ``{s}`` takes (``"abc"``), empty when the URL has none.
    min_zoom, max_zoom : int
        Zoom levels the server has.

    Examples
    --------
    >>> b = resolve_basemap("http://127.0.0.1:8080/{z}/{x}/{y}.png")
    >>> b.name, b.origins
    ('URL', ('http://127.0.0.1:8080',))
    """

    name: str
    url: str
    attribution: str
    subdomains: str = ""
    min_zoom: int = 0
    max_zoom: int = 19

    @property
    def origins(self) -> tuple[str, ...]:
        """Every ``scheme://host[:port]`` the tiles come from (for a page's CSP)."""
        subs = list(self.subdomains) or [""]
        out = []
        for s in subs:
            parts = urlsplit(self.url.replace("{s}", s))
            out.append(f"{parts.scheme}://{parts.netloc}")
        return tuple(dict.fromkeys(out))

    @property
    def label(self) -> str:
        """The name to show: the registry name, or the host of a URL of one's own."""
        return self.name if self.name != "URL" else urlsplit(self.url).netloc

    @property
    def credit(self) -> str:
        """The French source line: « Fond de carte : <attribution> ».

        >>> resolve_basemap("OpenStreetMap.Mapnik").credit
        'Fond de carte : (C) OpenStreetMap contributors (OpenStreetMap.Mapnik)'
        """
        what = "" if self.name == "URL" else f" ({self.name})"
        return f"Fond de carte : {self.attribution}{what}"

    def tile_url(self, z: int, x: int, y: int) -> str:
        """The URL of one tile.

        >>> resolve_basemap("https://t.example/{z}/{x}/{y}.png").tile_url(15, 16638, 11004)
        'https://t.example/15/16638/11004.png'
        """
        s = self.subdomains[(x + y) % len(self.subdomains)] if self.subdomains else ""
        return (
            self.url.replace("{s}", s)
            .replace("{z}", str(z))
            .replace("{x}", str(x))
            .replace("{y}", str(y))
            .replace("{r}", "")
        )


def resolve_basemap(spec: str | Path | Basemap) -> Basemap:
    """A basemap from an xyzservices provider name or an XYZ URL template.

    Parameters
    ----------
    spec : str
        ``OpenStreetMap.Mapnik``, ``GeoportailFrance.plan`` (any name of
        ``xyzservices.providers``, case-insensitive), or ``https://host/{z}/{x}/{y}.png``.

    Raises
    ------
    OrtgeoError
        An unknown name (with the closest names), a provider that needs an API key, a
        URL without ``{z}``, ``{x}`` and ``{y}`` or not in http(s).

    Examples
    --------
    >>> resolve_basemap("GeoportailFrance.plan").url.startswith("https://data.geopf.fr/wmts")
    True
    >>> resolve_basemap("OpenStreetMap.Mapnick")
    Traceback (most recent call last):
    ...
    ortgeo.errors.OrtgeoError: Fond de carte inconnu « OpenStreetMap.Mapnick » : donnez un \
nom du registre xyzservices (par exemple OpenStreetMap.Mapnik, OpenStreetMap.France, \
OpenStreetMap.DE) ou une URL https://…/{z}/{x}/{y}.png.
    """
    if isinstance(spec, Basemap):
        return spec
    spec = str(spec).strip()
    if "{" in spec or "://" in spec:
        return _from_url(spec)
    import xyzservices.providers as registry

    try:
        provider = registry.query_name(spec)
    except ValueError:
        names = list(registry.flatten())
        close = difflib.get_close_matches(spec, names, n=3, cutoff=0.6) or ["OpenStreetMap.Mapnik"]
        raise OrtgeoError(
            f"Fond de carte inconnu « {spec} » : donnez un nom du registre xyzservices "
            f"(par exemple {', '.join(close)}) ou une URL https://…/{{z}}/{{x}}/{{y}}.png."
        ) from None
    if provider.requires_token():
        raise OrtgeoError(
            f"Le fond de carte {provider.name} demande une clé d'API : donnez plutôt son URL "
            "avec la clé, ou un fond sans clé (OpenStreetMap.Mapnik, GeoportailFrance.plan)."
        )
    subdomains = provider.get("subdomains", "")
    return Basemap(
        name=provider.name,
        url=provider.build_url(),
        attribution=str(provider.get("attribution") or provider.name),
        subdomains="".join(subdomains) if isinstance(subdomains, (list, tuple)) else subdomains,
        min_zoom=int(provider.get("min_zoom", 0)),
        max_zoom=int(provider.get("max_zoom", 19)),
    )


def _from_url(url: str) -> Basemap:
    parts = urlsplit(url)
    missing = [k for k in ("{z}", "{x}", "{y}") if k not in url]
    if parts.scheme not in ("http", "https") or not parts.netloc or missing:
        raise OrtgeoError(
            f"URL de fond de carte invalide « {url} » : il faut une URL http(s) avec {{z}}, "
            "{x} et {y}, par exemple https://tile.openstreetmap.org/{z}/{x}/{y}.png."
        )
    return Basemap("URL", url, f"tuiles de {parts.netloc}", "abc" if "{s}" in url else "")


#: Extensions of the raster files ``--basemap`` reads with rasterio (anything else is tiles).
RASTER_SUFFIXES = (".tif", ".tiff", ".vrt", ".jp2", ".png", ".jpg", ".ecw")


def is_raster(spec: str | Path | Basemap) -> bool:
    """Whether a ``--basemap`` value names a georeferenced raster file rather than tiles.

    >>> is_raster("fond.tif"), is_raster("OpenStreetMap.Mapnik"), is_raster("http://h/{z}/{x}/{y}.png")
    (True, False, False)
    """
    if isinstance(spec, Basemap):
        return False
    if isinstance(spec, Path):
        return True
    text = str(spec)
    if "{" in text or "://" in text:
        return False
    return Path(text).suffix.lower() in RASTER_SUFFIXES or Path(text).exists()


def html_basemap(spec: str | Path | Basemap | None) -> Basemap | None:
    """The tiles an HTML map shows for a ``--basemap`` value (a raster file: none, said once).

    >>> html_basemap(None) is None, html_basemap("OpenStreetMap.Mapnik").name
    (True, 'OpenStreetMap.Mapnik')
    """
    if spec is None:
        return None
    if is_raster(spec):
        warnings.warn(
            f"Le fond {Path(str(spec)).name} (fichier raster) n'est dessiné que sur les cartes "
            "imprimées ; les cartes HTML restent sans fond.",
            UserWarning,
            stacklevel=2,
        )
        return None
    return resolve_basemap(spec)


# -- tile arithmetic ------------------------------------------------------------------


def _lonlat_to_tile(lon: float, lat: float, z: int) -> tuple[float, float]:
    n = 2**z
    x = (lon + 180.0) / 360.0 * n
    rad = math.radians(max(min(lat, 85.0511), -85.0511))
    y = (1.0 - math.asinh(math.tan(rad)) / math.pi) / 2.0 * n
    return x, y


def tile_range(
    bounds_lonlat: tuple[float, float, float, float], z: int
) -> tuple[int, int, int, int]:
    """``(x0, y0, x1, y1)``, inclusive, of the tiles that cover a WGS84 box at zoom ``z``.

    Examples
    --------
    >>> tile_range((2.80, 50.41, 2.86, 50.45), 14)
    (8319, 5524, 8322, 5527)
    """
    lon0, lat0, lon1, lat1 = bounds_lonlat
    x0, y0 = _lonlat_to_tile(lon0, lat1, z)
    x1, y1 = _lonlat_to_tile(lon1, lat0, z)
    top = 2**z - 1
    return (
        max(0, int(x0)),
        max(0, int(y0)),
        min(top, int(x1)),
        min(top, int(y1)),
    )


def choose_zoom(
    frame_l93: tuple[float, ...], width_px: int, basemap: Basemap, max_tiles: int = MAX_TILES
) -> int:
    """The zoom whose tiles are about as fine as the map's pixels, within the tile budget.

    Examples
    --------
    >>> osm = resolve_basemap("OpenStreetMap.Mapnik")
    >>> choose_zoom((684000, 7033000, 690000, 7038000), 2400, osm)
    15
    >>> choose_zoom((684000, 7033000, 690000, 7038000), 2400, osm, max_tiles=10)
    13
    """
    lonlat = _frame_lonlat(frame_l93)
    lat = (lonlat[1] + lonlat[3]) / 2
    metres_per_px = (frame_l93[2] - frame_l93[0]) / max(width_px, 1)
    ground = 2 * _HALF * math.cos(math.radians(lat)) / _TILE  # metres per pixel at zoom 0
    z = math.ceil(math.log2(ground / metres_per_px) - 0.5)  # tiles at most ~1.4 x coarser
    z = min(max(z, basemap.min_zoom), basemap.max_zoom)
    while z > basemap.min_zoom:
        x0, y0, x1, y1 = tile_range(lonlat, z)
        if (x1 - x0 + 1) * (y1 - y0 + 1) <= max_tiles:
            break
        z -= 1
    return z


def _frame_lonlat(frame_l93: tuple[float, ...]) -> tuple[float, float, float, float]:
    to_wgs = Transformer.from_crs(L93, WGS84, always_xy=True)
    xmin, ymin, xmax, ymax = frame_l93
    xs = np.array([xmin, xmax, xmin, xmax, (xmin + xmax) / 2, (xmin + xmax) / 2])
    ys = np.array([ymin, ymin, ymax, ymax, ymin, ymax])
    lon, lat = to_wgs.transform(xs, ys)
    return float(lon.min()), float(lat.min()), float(lon.max()), float(lat.max())


# -- fetching -------------------------------------------------------------------------


@dataclasses.dataclass
class TileMosaic:
    """Tiles glued together: an RGBA image over a Web Mercator box.

    Attributes
    ----------
    image : numpy.ndarray
        ``(rows, cols, 4)`` uint8; tiles that could not be had are transparent.
    bounds : tuple of float
        ``(xmin, ymin, xmax, ymax)`` in Web Mercator metres.
    fetched, cached, failed : int
        Tiles downloaded, read from the disk cache, and missing.
    """

    image: np.ndarray
    bounds: tuple[float, float, float, float]
    fetched: int = 0
    cached: int = 0
    failed: int = 0


def _tile_cache(basemap: Basemap) -> Path:
    from ortgeo.cachedir import cache_dir

    key = hashlib.sha256(basemap.url.encode("utf-8")).hexdigest()[:16]
    return cache_dir() / "tiles" / key


def fetch_tiles(
    basemap: Basemap,
    frame_l93: tuple[float, ...],
    width_px: int,
    cache: Path | None = None,
) -> TileMosaic:
    """The tiles that cover a Lambert-93 frame, from the disk cache or the server.

    Each tile is kept on disk (``<cache>/tiles/<url hash>/z/x/y.png``): a second map of
    the same place makes no request. A tile that cannot be had is left transparent.

    Parameters
    ----------
    basemap : Basemap
        The tile source.
    frame_l93 : tuple of float
        The map frame, Lambert-93 metres.
    width_px : int
        Width of the map in pixels (picks the zoom, see :func:`choose_zoom`).
    cache : Path, optional
        Folder of the tiles (default: ``tiles/`` in the ortgeo cache folder).
    """
    import requests
    from PIL import Image

    from ortgeo import __version__

    z = choose_zoom(frame_l93, width_px, basemap)
    x0, y0, x1, y1 = tile_range(_frame_lonlat(frame_l93), z)
    folder = cache if cache is not None else _tile_cache(basemap)
    image = np.zeros(((y1 - y0 + 1) * _TILE, (x1 - x0 + 1) * _TILE, 4), dtype=np.uint8)
    mosaic = TileMosaic(image, _mercator_bounds(x0, y0, x1, y1, z))
    session = requests.Session()
    session.headers["User-Agent"] = f"ortgeo/{__version__} (cartes de l'annexe 3)"
    for ty in range(y0, y1 + 1):
        for tx in range(x0, x1 + 1):
            path = folder / str(z) / str(tx) / f"{ty}.png"
            data = path.read_bytes() if path.is_file() else None
            if data is not None:
                mosaic.cached += 1
            else:
                data = _download(session, basemap.tile_url(z, tx, ty))
                if data is None:
                    mosaic.failed += 1
                    if mosaic.fetched == 0 and mosaic.failed >= 3:
                        session.close()
                        return mosaic  # the server is not answering: stop asking
                    continue
                mosaic.fetched += 1
                path.parent.mkdir(parents=True, exist_ok=True)
                tmp = path.with_suffix(".part")
                tmp.write_bytes(data)
                tmp.replace(path)
            with Image.open(io.BytesIO(data)) as tile:
                rgba = np.asarray(tile.convert("RGBA").resize((_TILE, _TILE)))
            r, c = (ty - y0) * _TILE, (tx - x0) * _TILE
            image[r : r + _TILE, c : c + _TILE] = rgba
    session.close()
    return mosaic


def _download(session: requests.Session, url: str) -> bytes | None:
    """One tile's bytes, or None (network error, HTTP error, not an image)."""
    import requests
    from PIL import Image, UnidentifiedImageError

    try:
        resp = session.get(url, timeout=_TIMEOUT_S)
    except requests.RequestException:
        return None
    if resp.status_code != 200:
        return None
    try:
        with Image.open(io.BytesIO(resp.content)) as img:
            img.verify()
    except (UnidentifiedImageError, OSError, SyntaxError):
        return None
    return bytes(resp.content)


def _mercator_bounds(
    x0: int, y0: int, x1: int, y1: int, z: int
) -> tuple[float, float, float, float]:
    size = 2 * _HALF / 2**z
    return (
        -_HALF + x0 * size,
        _HALF - (y1 + 1) * size,
        -_HALF + (x1 + 1) * size,
        _HALF - y0 * size,
    )


def warp_to_frame(
    mosaic: TileMosaic, frame_l93: tuple[float, ...], shape: tuple[int, int]
) -> np.ndarray:
    """The mosaic resampled (bilinear) on a Lambert-93 grid of ``shape`` (rows, cols).

    Web Mercator and Lambert-93 differ smoothly over a town: the Web Mercator position of
    every output pixel is interpolated from a 33 × 33 grid of exact transforms.

    Examples
    --------
    >>> m = TileMosaic(np.full((256, 256, 4), 200, np.uint8), (310000.0, 6500000.0,
    ...                                                        330000.0, 6530000.0))
    >>> warp_to_frame(m, (684000, 7033000, 690000, 7038000), (20, 30)).shape
    (20, 30, 4)
    """
    rows, cols = shape
    xmin, ymin, xmax, ymax = frame_l93
    n = 33
    gx, gy = np.meshgrid(np.linspace(xmin, xmax, n), np.linspace(ymax, ymin, n))
    to_merc = Transformer.from_crs(L93, WEB_MERCATOR, always_xy=True)
    mx, my = to_merc.transform(gx, gy)
    # output pixel centres, in units of the coarse grid
    u = (np.arange(cols) + 0.5) / cols * (n - 1)
    v = (np.arange(rows) + 0.5) / rows * (n - 1)
    fx = _bilinear_grid(mx, v, u)
    fy = _bilinear_grid(my, v, u)
    bx0, by0, bx1, by1 = mosaic.bounds
    h, w = mosaic.image.shape[:2]
    px = (fx - bx0) / (bx1 - bx0) * w - 0.5
    py = (by1 - fy) / (by1 - by0) * h - 0.5
    return _sample(mosaic.image, py, px)


def _bilinear_grid(grid: np.ndarray, v: np.ndarray, u: np.ndarray) -> np.ndarray:
    """``grid`` (n × n) interpolated at rows ``v`` and columns ``u`` (fractional indices)."""
    n = grid.shape[0]
    v0 = np.clip(np.floor(v).astype(int), 0, n - 2)
    u0 = np.clip(np.floor(u).astype(int), 0, n - 2)
    dv, du = (v - v0)[:, None], (u - u0)[None, :]
    a = grid[v0][:, u0]
    b = grid[v0][:, u0 + 1]
    c = grid[v0 + 1][:, u0]
    d = grid[v0 + 1][:, u0 + 1]
    return a * (1 - dv) * (1 - du) + b * (1 - dv) * du + c * dv * (1 - du) + d * dv * du


def _sample(image: np.ndarray, py: np.ndarray, px: np.ndarray) -> np.ndarray:
    """Bilinear sampling of ``image`` at fractional pixel positions (outside: transparent)."""
    h, w = image.shape[:2]
    inside = (px >= -0.5) & (px <= w - 0.5) & (py >= -0.5) & (py <= h - 0.5)
    px, py = np.clip(px, 0, w - 1), np.clip(py, 0, h - 1)
    x0, y0 = np.floor(px).astype(int), np.floor(py).astype(int)
    x1, y1 = np.minimum(x0 + 1, w - 1), np.minimum(y0 + 1, h - 1)
    dx, dy = (px - x0)[..., None], (py - y0)[..., None]
    img = image.astype(np.float32)
    out = (
        img[y0, x0] * (1 - dx) * (1 - dy)
        + img[y0, x1] * dx * (1 - dy)
        + img[y1, x0] * (1 - dx) * dy
        + img[y1, x1] * dx * dy
    )
    out[~inside] = 0
    return out.round().astype(np.uint8)


def warn_missing(basemap: Basemap, mosaic: TileMosaic) -> None:
    """Warn (in French) when tiles could not be had; the map stays complete without them."""
    total = mosaic.fetched + mosaic.cached + mosaic.failed
    if mosaic.failed and mosaic.failed >= total:
        msg = f"Fond de carte {basemap.name} injoignable ({basemap.origins[0]}) : carte sans fond."
    elif mosaic.failed:
        msg = f"Fond de carte {basemap.name} : {mosaic.failed} tuile(s) sur {total} manquante(s)."
    else:
        return
    warnings.warn(msg, UserWarning, stacklevel=3)
