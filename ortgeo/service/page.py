"""The French lookup page, the printable "fiche de situation", static assets, /docs.

Pages are jinja2 templates (autoescaped: every text from a request or from the BAN
index stays text). Assets are read once, at start-up, into memory — Leaflet from the
same ``xstatic`` package as the annex maps, Swagger UI from ``fastapi-offline`` — and
served by name from that table: no request reads the file system.
"""

from __future__ import annotations

import importlib.resources
import json
from pathlib import Path
from typing import Any, TypedDict
from urllib.parse import urlencode

import jinja2
import shapely
from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response
from markupsafe import Markup

import ortgeo
from ortgeo import dates
from ortgeo.maps.style import LayerStyle
from ortgeo.maps.tiles import Basemap, resolve_basemap
from ortgeo.service.api import check_json
from ortgeo.service.errors import ApiError

__all__ = ["data_banner", "hatches", "load_assets", "map_settings", "router", "templates"]

router = APIRouter(include_in_schema=False)
_QUERY_KEYS = ("address", "lon", "lat", "x", "y", "date")


def templates() -> jinja2.Environment:
    """The page templates: ``service/…`` of ortgeo's one Jinja environment
    (:func:`ortgeo.texts.environment`; HTML autoescaped)."""
    from ortgeo.texts import environment

    env = environment()
    for name in ("index.html", "fiche.html", "_verdict.html", "docs.html"):
        env.get_template(f"service/{name}")  # compile now, fail at start-up, not on a request
    return env


def map_settings(catalog: ortgeo.Catalog, basemap: str | Basemap | None = None) -> str:
    """What the page's map draws, as JSON for its ``data-map`` attribute: each layer's
    style and legend (from :mod:`ortgeo.maps.style`, as on the annex maps), the commune
    limits' styles, and the ``--basemap`` tiles (``null``: none, the map works offline).

    Examples
    --------
    >>> cfg = json.loads(map_settings(ortgeo.catalog()))
    >>> cfg["layers"]["lens-entree-de-ville"]["fill"], cfg["tiles"]
    ('url(#ortgeo-hatch-7b3294)', None)
    """
    from ortgeo.maps._state import state_layer
    from ortgeo.maps.style import COMMUNE_STYLE, LENS_STYLE, layer_style

    def leaflet(style: LayerStyle) -> dict[str, Any]:
        return {
            "color": style.colour, "weight": style.weight, "dashArray": style.dash,
            "fill": f"url(#{style.hatch_id})" if style.hatch else style.colour,
            "fillOpacity": 1.0 if style.hatch else style.fill_opacity,
        }  # fmt: skip

    layers: dict[str, dict[str, Any]] = {}
    for layer in catalog:
        legend = state_layer(layer).legend
        layers[layer.id] = {**leaflet(layer_style(layer)), "legend": legend,
                            "sector": layer.is_ort_sector}  # fmt: skip
    tiles = None
    if basemap is not None:
        chosen = resolve_basemap(basemap)
        tiles = {"url": chosen.url, "subdomains": chosen.subdomains or "abc",
                 "attribution": chosen.attribution, "minZoom": chosen.min_zoom,
                 "maxZoom": chosen.max_zoom, "name": chosen.label}  # fmt: skip
    settings = {
        "layers": layers,
        "commune": {**leaflet(COMMUNE_STYLE), "legend": COMMUNE_STYLE.legend},
        "lens": {**leaflet(LENS_STYLE), "legend": LENS_STYLE.legend},
        "tiles": tiles,
    }
    return json.dumps(settings, ensure_ascii=False)


def data_banner(catalog: ortgeo.Catalog, synthetic_addresses: bool) -> dict[str, Any]:
    """The page's banner: what the service answers from, as each answer's ``banner`` says it
    (« DONNÉES SYNTHÉTIQUES » for synthetic sectors or a synthetic address index, « tracés
    indicatifs » when a perimeter is indicative).

    Examples
    --------
    >>> data_banner(ortgeo.catalog(), synthetic_addresses=True)["synthetic"]
    True
    """
    from ortgeo.texts import note

    sectors = any(layer.provenance.synthetic for layer in catalog)
    indicatif = any(layer.status == "indicatif" for layer in catalog)
    text = note("banner", synthetic_sectors=sectors, synthetic_addresses=synthetic_addresses,
                indicatif=indicatif)  # fmt: skip
    return {"synthetic": sectors or synthetic_addresses, "indicatif": indicatif, "text": text}


def hatches(catalog: ortgeo.Catalog) -> Markup:
    """The SVG fill patterns of the catalogue's hatched layers, for the page (markup)."""
    from ortgeo.maps.html import hatch_defs
    from ortgeo.maps.style import layer_style

    return Markup(hatch_defs(layer_style(layer) for layer in catalog))


def _communes_geojson() -> bytes:
    """The bundled commune outlines with where to write each name (``lon``/``lat``)."""
    from ortgeo.communes import LENS_INSEE, commune_outlines

    outlines = commune_outlines()
    features = []
    for code, name, geom in zip(outlines["code"], outlines["nom"], outlines.geometry, strict=True):
        at = geom.representative_point()
        features.append({
            "type": "Feature",
            "properties": {"nom": name, "lens": code == LENS_INSEE,
                           "lon": round(at.x, 5), "lat": round(at.y, 5)},
            "geometry": json.loads(shapely.to_geojson(shapely.set_precision(geom, 1e-5))),
        })  # fmt: skip
    return json.dumps({"type": "FeatureCollection", "features": features}).encode("utf-8")


def load_assets() -> dict[str, tuple[bytes, str]]:
    """Every static file of the service: name → (content, media type)."""
    from fastapi_offline.core import _STATIC_PATH

    from ortgeo.fiche.html import asset
    from ortgeo.maps.html import _assets

    leaflet_css, leaflet_js, _ = _assets()
    own = importlib.resources.files("ortgeo.service") / "static"
    swagger = Path(_STATIC_PATH)
    js, css = "text/javascript; charset=utf-8", "text/css; charset=utf-8"
    return {
        "leaflet.css": (leaflet_css.encode("utf-8"), css),
        "leaflet.js": (leaflet_js.encode("utf-8"), js),
        "ortgeo.js": ((own / "ortgeo.js").read_bytes(), js),
        "ortgeo.css": ((own / "ortgeo.css").read_bytes(), css),
        "docs.js": ((own / "docs.js").read_bytes(), js),
        "fiche.css": (asset("fiche.css"), css),
        "fiche.js": (asset("fiche.js"), js),
        "communes.geojson": (_communes_geojson(), "application/geo+json"),
        "swagger-ui-bundle.js": ((swagger / "swagger-ui-bundle.js").read_bytes(), js),
        "swagger-ui.css": ((swagger / "swagger-ui.css").read_bytes(), css),
    }


def _query(request: Request) -> dict[str, str]:
    return {k: request.query_params[k] for k in _QUERY_KEYS if request.query_params.get(k)}


def _float(query: dict[str, str], key: str) -> float | None:
    if key not in query:
        return None
    try:
        return float(query[key])
    except ValueError:
        raise ApiError(422, "coordonnees-invalides",
                       f"Coordonnée {key} invalide : donnez un nombre.") from None  # fmt: skip


async def _verdict(request: Request, query: dict[str, str]) -> dict[str, Any]:
    body = await check_json(request, query.get("address"), _float(query, "lon"),
                            _float(query, "lat"), _float(query, "x"), _float(query, "y"),
                            query.get("date"))  # fmt: skip
    return dict(json.loads(body))


class _Links(TypedDict):
    permalink: str
    fiche: str
    fiche_pdf: str


def _links(root: str, verdict: dict[str, Any], query: dict[str, str]) -> _Links:
    """Permalink and fiche link that reproduce the answer (same question, same date)."""
    keep = {k: v for k, v in query.items() if k != "date"}
    keep["date"] = verdict["date"]
    text = urlencode(keep)
    return {
        "permalink": f"{root}/?{text}",
        "fiche": f"{root}/fiche?{text}",
        "fiche_pdf": f"{root}/fiche.pdf?{text}",
    }


def _data_banner(request: Request) -> dict[str, Any]:
    """The page banner of this app, computed once."""
    state = request.app.state
    if getattr(state, "data_banner", None) is None:
        lookup = state.lookup
        synthetic = lookup.index is not None and lookup.index.synthetic
        state.data_banner = data_banner(lookup.catalog, synthetic)
    banner: dict[str, Any] = state.data_banner
    return banner


def _render(request: Request, name: str, status: int = 200, **context: Any) -> HTMLResponse:
    config = request.app.state.lookup.config
    base = {
        "root": request.scope.get("root_path", ""), "version": ortgeo.__version__,
        "today": dates.today().isoformat(), "max_rows": config.max_rows,
        "max_upload_bytes": config.max_upload_bytes, "max_query_chars": config.max_query_chars,
        "query": {}, "verdict": None, "error": None, "permalink": "", "fiche": "", "fiche_pdf": "",
        "map_settings": request.app.state.map_settings, "hatches": request.app.state.hatches,
        "data_banner": _data_banner(request),
        "ort_name": request.app.state.lookup.catalog.territory.ort_name,
    }  # fmt: skip
    template = request.app.state.templates.get_template(f"service/{name}")
    html = template.render(**{**base, **context})
    return HTMLResponse(html, status_code=status)


async def _page(request: Request, name: str, **extra: Any) -> HTMLResponse:
    query = _query(request)
    root = request.scope.get("root_path", "")
    if not any(k in query for k in ("address", "lon", "lat", "x", "y")):
        return _render(request, name, query=query, **extra)
    try:
        verdict = await _verdict(request, query)
    except ApiError as err:
        return _render(request, name, err.status, error=err, query=query, **extra)
    except ortgeo.OrtgeoError as exc:
        from ortgeo.service.errors import from_library

        error = from_library(exc)
        return _render(request, name, error.status, error=error, query=query, **extra)
    return _render(request, name, verdict=verdict, query=query, **_links(root, verdict, query),
                   **extra)  # fmt: skip


@router.get("/", response_class=HTMLResponse)
async def index(request: Request) -> HTMLResponse:
    """The lookup page; with ``address`` (or ``lon``/``lat``, ``x``/``y``) and ``date`` in
    the query string it shows the answer at once (permalink)."""
    return await _page(request, "index.html")


async def _fiche(request: Request) -> tuple[Any, str] | HTMLResponse:
    """The fiche of the question in the query string (:func:`ortgeo.fiche.make_fiche`, the
    same as ``ortgeo fiche``) and its permalink; the page of the error when refused."""
    from ortgeo.fiche import make_fiche, permalink

    query = _query(request)
    if not any(k in query for k in ("address", "lon", "lat", "x", "y")):
        err = ApiError(422, "parametres-manquants", "Donnez une adresse ou un point.")
        return _render(request, "fiche.html", 422, error=err, query=query)
    try:
        verdict = await _verdict(request, query)
    except ApiError as err:
        return _render(request, "fiche.html", err.status, error=err, query=query)
    except ortgeo.OrtgeoError as exc:
        from ortgeo.service.errors import from_library

        error = from_library(exc)
        return _render(request, "fiche.html", error.status, error=error, query=query)
    link = permalink(str(request.base_url), query, verdict["date"])
    lookup = request.app.state.lookup
    made = await request.app.state.worker.run(
        lambda: make_fiche(verdict, lookup.catalog, basemap=lookup.config.basemap, permalink=link,
                           dpi=150),
        timeout=lookup.config.request_timeout_s,
    )  # fmt: skip
    return made, link


@router.get("/fiche", response_class=HTMLResponse)
async def fiche(request: Request) -> HTMLResponse:
    """The fiche de situation of one answer, one A4 page to print (a reading, not a
    certificate): the same as ``ortgeo fiche -o fiche.html``."""
    from ortgeo.fiche import fiche_html

    made = await _fiche(request)
    if isinstance(made, HTMLResponse):
        return made
    root = request.scope.get("root_path", "")
    return HTMLResponse(fiche_html(made[0], root=root, back=made[1]))


@router.get("/fiche.pdf")
async def fiche_pdf(request: Request) -> Response:
    """The fiche de situation as one A4 page of PDF, fonts embedded (``ortgeo fiche -o
    fiche.pdf``)."""
    from ortgeo.fiche import fiche_pdf as pdf_bytes

    made = await _fiche(request)
    if isinstance(made, HTMLResponse):
        return made
    return Response(pdf_bytes(made[0]), media_type="application/pdf",
                    headers={"Content-Disposition": 'inline; filename="fiche.pdf"'})  # fmt: skip


@router.get("/fragments/verdict", response_class=HTMLResponse)
async def verdict_fragment(request: Request) -> HTMLResponse:
    """The verdict card alone (the page's script inserts it); refusals are JSON."""
    query = _query(request)
    verdict = await _verdict(request, query)
    root = request.scope.get("root_path", "")
    return _render(request, "_verdict.html", verdict=verdict, **_links(root, verdict, query))


@router.get("/docs", response_class=HTMLResponse)
async def docs(request: Request) -> HTMLResponse:
    """Swagger UI on ``/openapi.json``, from the service's own assets."""
    return _render(request, "docs.html")


@router.get("/static/{name}")
async def static(request: Request, name: str) -> Response:
    """A static asset, by name, from the in-memory table (404 for any other name)."""
    asset = request.app.state.assets.get(name)
    if asset is None:
        raise ApiError(404, "introuvable", "Fichier inconnu.")
    body, media_type = asset
    return Response(body, media_type=media_type, headers={"Cache-Control": "public, max-age=3600"})
