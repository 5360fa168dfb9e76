"""Interactive Annex 3 maps: self-contained folium/Leaflet HTML pages that work offline.

folium's default page loads Leaflet, jQuery, Bootstrap and icon fonts from CDNs, so it
stays blank without internet. The maps made here inline Leaflet and jQuery from the
``xstatic-leaflet`` / ``xstatic-jquery`` packages (Leaflet's images become data URIs),
drop Bootstrap and Font Awesome, and use only circle markers and text labels. An online
tile layer may be offered in the layer control, switched off by default: the map is
complete without it (perimeters, commune outlines, landmarks, labels, legend).

Every text coming from data or from the user goes through :func:`ortgeo.maps.style.escape`.
"""

from __future__ import annotations

import base64
import contextlib
import functools
import re
import threading
from collections.abc import Iterable, Iterator
from pathlib import Path

import branca.element
import folium
import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
import xstatic.pkg.jquery
import xstatic.pkg.leaflet
from branca.element import Element, Figure, MacroElement
from folium.features import GeoJsonPopup, GeoJsonTooltip
from jinja2 import Template

from ortgeo.catalog import Catalog, Layer
from ortgeo.crs import to_wgs84_lonlat
from ortgeo.dates import DateLike
from ortgeo.maps._state import StateLayer, state_layer
from ortgeo.maps.legend import LegendItem
from ortgeo.maps.paper.labels import sector_anchor
from ortgeo.maps.scene import Scene, build_scene
from ortgeo.maps.style import (
    CADASTRE_STYLES,
    CALL_STYLE,
    COMMUNE_STYLE,
    CONTEXT_CREDIT,
    CONTEXT_STYLES,
    GROUP_LABELS,
    LANDMARK_STYLES,
    LENS_STYLE,
    NO_STREETS,
    STATUS_COLOURS,
    STATUS_LABELS,
    STREET_STYLE,
    WARNING_COLOUR,
    LayerStyle,
    date_fr,
    escape,
    layer_style,
    precision_fr,
)
from ortgeo.maps.tiles import Basemap, resolve_basemap
from ortgeo.output import atomic_path, check_output_path
from ortgeo.texts import acts_label, validity

__all__ = ["annex_map", "hatch_defs", "offline_problems", "render_html", "save_html", "scene_map"]

#: Online backgrounds offered in the layer control (off by default): name, URL, attribution.
TILE_LAYERS = (
    (
        "Fond OpenStreetMap (en ligne)",
        "https://tile.openstreetmap.org/{z}/{x}/{y}.png",
        '© <a href="https://www.openstreetmap.org/copyright">contributeurs OpenStreetMap</a>'
        " (ODbL)",
    ),
    (
        "Fond Plan IGN (en ligne)",
        "https://data.geopf.fr/wmts?SERVICE=WMTS&REQUEST=GetTile&VERSION=1.0.0"
        "&LAYER=GEOGRAPHICALGRIDSYSTEMS.PLANIGNV2&STYLE=normal&TILEMATRIXSET=PM"
        "&FORMAT=image/png&TILEMATRIX={z}&TILEROW={y}&TILECOL={x}",
        '© <a href="https://www.ign.fr/">IGN</a> – Plan IGN (Licence Ouverte)',
    ),
)
_SIDEBAR_PX = 340

_PAGE_CSS = f"""
.ortgeo-defs {{ position: absolute; }}
html, body {{ margin: 0; padding: 0; height: 100%; overflow: hidden;
  font-family: "DejaVu Sans", Arial, sans-serif; }}
.folium-map {{ position: absolute !important; left: {_SIDEBAR_PX}px !important; top: 0 !important;
  right: 0; bottom: 0; width: auto !important; height: auto !important; background: #fbfbf8; }}
#ortgeo-sidebar {{ position: absolute; left: 0; top: 0; bottom: 0; width: {_SIDEBAR_PX - 25}px;
  overflow-y: auto; padding: 10px 12px; font-size: 13px; line-height: 1.35; color: #222;
  background: #fff; border-right: 1px solid #bbb; }}
#ortgeo-sidebar h1 {{ font-size: 17px; margin: 2px 0 6px; }}
#ortgeo-sidebar h2 {{ font-size: 13px; margin: 12px 0 4px; text-transform: uppercase;
  letter-spacing: .03em; color: #555; }}
#ortgeo-sidebar .subtitle {{ margin: 0 0 8px; }}
#ortgeo-sidebar .notice {{ border: 2px solid {WARNING_COLOUR}; color: {WARNING_COLOUR};
  font-weight: bold; padding: 5px 7px; margin: 6px 0; border-radius: 3px; }}
#ortgeo-sidebar table.legend {{ border-collapse: collapse; }}
#ortgeo-sidebar table.legend td {{ vertical-align: middle; padding: 2px 4px 2px 0; }}
#ortgeo-sidebar .sources {{ font-size: 11px; color: #444; }}
#ortgeo-sidebar .sources li {{ margin-bottom: 3px; }}
.ortgeo-popup th {{ text-align: left; vertical-align: top; padding-right: 6px; color: #555; }}
.ortgeo-popup td {{ vertical-align: top; }}
.ortgeo-popup {{ font-size: 12px; max-width: 360px; }}
.ortgeo-label {{ background: rgba(255,255,255,.85); border: 0; box-shadow: none; padding: 0 3px;
  font-size: 11px; font-weight: bold; color: #222; }}
.ortgeo-label::before {{ display: none; }}
.ortgeo-commune-label {{ font-size: 13px; font-style: italic; color: #555; white-space: nowrap;
  text-shadow: 0 0 3px #fff, 0 0 3px #fff; transform: translate(-50%, -50%); }}
#ortgeo-watermark {{ position: absolute; left: {_SIDEBAR_PX}px; right: 0; top: 45%;
  z-index: 900; pointer-events: none; text-align: center; font-size: 30px; font-weight: bold;
  color: {WARNING_COLOUR}; opacity: .25; transform: rotate(-20deg); }}
#ortgeo-sidebar .cartouche {{ border: 1px solid #222; padding: 5px 7px; margin: 10px 0;
  font-size: 11px; }}
.ortgeo-sector-label {{ font-size: 13px; font-weight: bold; color: #222; white-space: nowrap;
  text-shadow: 0 0 3px #fff, 0 0 3px #fff; transform: translate(-50%, -50%); }}
#ortgeo-layers .leaflet-control-layers {{ position: static; margin: 0; box-shadow: none;
  border: 1px solid #ccc; font-size: 12px; float: none; }}
@media print {{ #ortgeo-sidebar {{ overflow: visible; }}
  .leaflet-control-layers {{ display: none; }} }}
"""


@functools.cache
def _assets() -> tuple[str, str, str]:
    """Leaflet CSS (images inlined), Leaflet JS and jQuery, read from the xstatic packages."""
    leaflet = Path(xstatic.pkg.leaflet.BASE_DIR)
    css = (leaflet / "leaflet.css").read_text(encoding="utf-8")

    def data_uri(match: re.Match[str]) -> str:
        png = (leaflet / "images" / match.group(1)).read_bytes()
        return f"url(data:image/png;base64,{base64.b64encode(png).decode('ascii')})"

    css = re.sub(r"url\(images/([\w.-]+\.png)\)", data_uri, css)
    strip = lambda js: re.sub(r"//# sourceMappingURL=\S+", "", js).replace("</script", "<\\/script")  # noqa: E731
    leaflet_js = strip((leaflet / "leaflet.js").read_text(encoding="utf-8"))
    jquery_js = strip(
        (Path(xstatic.pkg.jquery.BASE_DIR) / "jquery.min.js").read_text(encoding="utf-8")
    )
    return css, leaflet_js, jquery_js


class _OfflineMap(folium.Map):
    """A folium map that links no CDN: the assets it needs are inlined by :func:`annex_map`."""

    default_js: list[tuple[str, str]] = []  # noqa: RUF012 (folium's class attribute)
    default_css: list[tuple[str, str]] = []  # noqa: RUF012


def _leaflet_style(style: LayerStyle, fill: bool = True) -> dict[str, object]:
    out: dict[str, object] = {
        "color": style.colour,
        "weight": style.weight,
        "opacity": 1.0,
        "fill": fill,
        "fillColor": style.colour,
        "fillOpacity": style.fill_opacity,
    }
    if style.dash:
        out["dashArray"] = style.dash
    if style.hatch and fill:
        out["fillColor"] = f"url(#{style.hatch_id})"
        out["fillOpacity"] = 1.0
    return out


def _table(rows: list[tuple[str, object]], title: str) -> str:
    body = "".join(f"<tr><th>{escape(k)}</th><td>{escape(v)}</td></tr>" for k, v in rows if v)
    return f'<div class="ortgeo-popup"><b>{escape(title)}</b><table>{body}</table></div>'


def _layer_popup(item: StateLayer | Layer) -> str:
    if isinstance(item, Layer):
        item = state_layer(item)
    layer = item.layer
    return _table(
        [
            ("Couche", layer.title),
            ("Acte", f"{item.act_title} — {item.act_date_fr}"),
            ("Base légale", acts_label(layer.acts)),
            ("Date de l'acte", date_fr(layer.act_date, "inconnue")),
            ("Validité", validity(layer)),
            ("Statut", layer.status),
            ("Précision", precision_fr(layer.accuracy_m)),
            ("Surface", f"{layer.area_ha:.1f} ha".replace(".", ",")),
            ("Source", layer.source),
            ("Notes", layer.notes),
        ],
        item.name,
    )


def _hatch_defs(scene: Scene) -> str:
    styles = {layer_style(layer) for layer in scene.layers}
    if scene.context is not None:
        styles |= {CONTEXT_STYLES[n] for n in set(scene.context["layer"]) if n in CONTEXT_STYLES}
    return hatch_defs(styles)


def hatch_defs(styles: Iterable[LayerStyle]) -> str:
    """An invisible SVG with the fill patterns of the hatched ``styles`` (``url(#id)``).

    Examples
    --------
    >>> from ortgeo.maps.style import LAYER_STYLES
    >>> 'id="ortgeo-hatch-7b3294"' in hatch_defs(LAYER_STYLES.values())
    True
    """
    patterns = []
    for style in sorted({s for s in styles if s.hatch}, key=lambda s: s.colour):
        if (style.hatch or "").strip(".") == "":  # dots (matplotlib ".."): a stipple
            mark = f'<circle cx="3" cy="3" r="1.2" fill="{style.colour}" fill-opacity="0.7"/>'
            size, turn = 6, ""
        else:  # diagonal lines ("///")
            mark = (
                f'<rect width="8" height="8" fill="{style.colour}" fill-opacity="0.06"/>'
                f'<line x1="0" y1="0" x2="0" y2="8" stroke="{style.colour}" '
                'stroke-width="2.5" stroke-opacity="0.6"/>'
            )
            size, turn = 8, ' patternTransform="rotate(45)"'
        patterns.append(
            f'<pattern id="{style.hatch_id}" patternUnits="userSpaceOnUse" width="{size}" '
            f'height="{size}"{turn}>{mark}</pattern>'
        )
    return (
        '<svg width="0" height="0" class="ortgeo-defs" aria-hidden="true" focusable="false">'
        "<defs>" + "".join(patterns) + "</defs></svg>"
    )


def _swatch(style: LayerStyle, fill: bool = True) -> str:
    dash = f' stroke-dasharray="{style.dash}"' if style.dash else ""
    if fill and style.hatch:
        paint = f'fill="url(#{style.hatch_id})"'
    elif fill and style.fill_opacity > 0:
        paint = f'fill="{style.colour}" fill-opacity="{style.fill_opacity}"'
    else:
        paint = 'fill="none"'
    shape = (
        f'<rect x="2" y="2" width="30" height="14" {paint} '
        if fill
        else '<line x1="2" y1="9" x2="32" y2="9" '
    )
    return (
        f'<svg width="34" height="18">{shape}stroke="{style.colour}" '
        f'stroke-width="{min(style.weight, 3)}"{dash}/></svg>'
    )


def _dot(colour: str, edge: str, radius: float, dashed_ring: bool = False) -> str:
    ring = (
        f'<circle cx="17" cy="9" r="8" fill="none" stroke="{colour}" stroke-dasharray="3 2"/>'
        if dashed_ring
        else ""
    )
    return (
        f'<svg width="34" height="18">{ring}<circle cx="17" cy="9" r="{min(radius, 6)}" '
        f'fill="{colour}" stroke="{edge}" stroke-width="1.5"/></svg>'
    )


def _symbol(item: LegendItem) -> str:
    """The SVG swatch of one legend item (the same item the print legend draws)."""
    if item.symbol in ("area", "line") and item.area is not None:
        return _swatch(item.area, fill=item.symbol == "area")
    if item.dot is not None:
        dot = item.dot
        if item.symbol == "ring":
            return _dot(dot.colour, dot.edge, 2, dashed_ring=True)
        return _dot(dot.colour, dot.edge, dot.radius)
    return ""


def _sidebar(scene: Scene) -> str:
    rows: list[str] = []
    for group in scene.legend:
        rows.append(f'<tr><td colspan="2"><h2>{escape(group.title)}</h2></td></tr>')
        rows += [
            f"<tr><td>{_symbol(item)}</td><td>{escape(item.label)}"
            + (f"<br><small>{escape(item.detail)}</small>" if item.detail else "")
            + "</td></tr>"
            for item in group.items
        ]
    notices = "".join(f'<div class="notice">{escape(n)}</div>' for n in scene.notices)
    sources = "".join(f"<li>{escape(s)}</li>" for s in scene.sources)
    cartouche_lines = list(scene.cartouche)
    if scene.streets is None and scene.cadastre is None:
        cartouche_lines.append(NO_STREETS)
    head, *rest = cartouche_lines
    cartouche = f"<b>{escape(head)}</b>" + "".join(f"<br>{escape(line)}" for line in rest)
    return (
        f'<div id="ortgeo-sidebar">{_hatch_defs(scene)}'
        f"<h1>{escape(scene.title)}</h1>"
        f'<p class="subtitle">{escape(scene.subtitle)}</p>{notices}'
        f'<table class="legend">{"".join(rows)}</table>'
        "<p><small>Cliquez sur un périmètre pour sa base légale, ses dates et sa précision ; "
        "sur un repère pour sa source.</small></p>"
        '<h2>Couches</h2><div id="ortgeo-layers"></div>'
        f'<div id="ortgeo-cartouche" class="cartouche">{cartouche}</div>'
        f'<h2>Sources et licence</h2><ul class="sources">{sources}</ul></div>'
    )


def _feature_collection(geoms: list[shapely.Geometry], props: list[dict]) -> dict:
    return {
        "type": "FeatureCollection",
        "features": [
            {"type": "Feature", "geometry": shapely.geometry.mapping(g), "properties": p}
            for g, p in zip(geoms, props, strict=True)
        ],
    }


def _add_perimeters(m: folium.Map, scene: Scene) -> None:
    for item in scene.state.layers:
        layer = item.layer
        style = _leaflet_style(layer_style(layer))
        data = _feature_collection(
            [layer.geometry], [{"popup": _layer_popup(item), "tooltip": escape(item.legend)}]
        )
        folium.GeoJson(
            data,
            name=escape(f"{layer.title} — {layer.status}"),
            style_function=lambda _f, s=style: s,
            popup=GeoJsonPopup(fields=["popup"], labels=False, class_name="ortgeo-geojson"),
            tooltip=GeoJsonTooltip(fields=["tooltip"], labels=False),
            zoom_on_click=False,
        ).add_to(m)


def _add_communes(m: folium.Map, scene: Scene) -> None:
    group = folium.FeatureGroup(name=GROUP_LABELS["communes"])
    lens, other = _leaflet_style(LENS_STYLE, fill=False), _leaflet_style(COMMUNE_STYLE, False)
    call = _leaflet_style(CALL_STYLE) if scene.kind == "situation" else other
    lon0, lat0, lon1, lat1 = scene.frame_wgs84
    pad = 0.5 * max(lon1 - lon0, lat1 - lat0)
    near = shapely.box(lon0 - pad, lat0 - pad, lon1 + pad, lat1 + pad)
    communes = scene.communes[scene.communes.intersects(near)]
    data = _feature_collection(
        list(communes.geometry),
        [
            {"is_lens": bool(v), "call": bool(c), "nom": escape(n)}
            for v, c, n in zip(communes["is_lens"], communes["call"], communes["nom"], strict=True)
        ],
    )
    folium.GeoJson(
        data,
        style_function=lambda f: (
            lens if f["properties"]["is_lens"] else (call if f["properties"]["call"] else other)
        ),
        interactive=False,
    ).add_to(group)
    anchors = communes.get("label_lon", pd.Series(np.nan, index=communes.index))
    for geom, name, lon, lat in zip(
        communes.geometry, communes["nom"], anchors,
        communes.get("label_lat", anchors), strict=True,
    ):  # fmt: skip
        if name:
            at = shapely.Point(lon, lat) if pd.notna(lon) else None
            _name_marker(group, geom, "ortgeo-commune", name, at)
    group.add_to(m)


def _name_marker(
    parent: folium.Map | folium.FeatureGroup,
    geom: shapely.Geometry,
    css: str,
    name: str,
    at: shapely.Point | None = None,
) -> None:
    """A name written at ``at`` or a point inside ``geom`` (a non-interactive div icon)."""
    pt = at if at is not None and geom.contains(at) else geom.representative_point()
    folium.Marker(
        [pt.y, pt.x],
        icon=folium.DivIcon(
            html=f'<div class="{css}-label">{escape(name)}</div>',
            icon_size=(0, 0),
            class_name=f"{css}-icon",
        ),
        interactive=False,
    ).add_to(parent)


def _landmark_popup(row: pd.Series) -> str:
    precision = (
        f"position estimée {precision_fr(row['precision_m'])}"
        if pd.notna(row["precision_m"])
        else ""
    )
    kind = LANDMARK_STYLES[row["kind"]].legend if row["kind"] in LANDMARK_STYLES else row["kind"]
    return _table(
        [
            ("Type", kind),
            ("Note", row["note"]),
            ("Précision", precision),
            ("Source", row["source"]),
        ],
        row["name"],
    )


def _landmark_label(row: pd.Series) -> str:
    if row["kind"] == "action" and pd.notna(row["precision_m"]):
        return f"{row['name']} (position {precision_fr(row['precision_m'])})"
    return str(row["name"])


def _add_landmarks(m: folium.Map, marks: gpd.GeoDataFrame) -> None:
    groups = {
        "action": folium.FeatureGroup(name=GROUP_LABELS["actions"]),
        "other": folium.FeatureGroup(name=GROUP_LABELS["landmarks"]),
    }
    for _, row in marks.iterrows():
        style = LANDMARK_STYLES.get(row["kind"], LANDMARK_STYLES["repere"])
        group = groups["action" if row["kind"] == "action" else "other"]
        loc = [row.geometry.y, row.geometry.x]
        if row["kind"] == "action" and pd.notna(row["precision_m"]):
            ring = folium.Circle(
                loc,
                radius=float(row["precision_m"]),
                color=style.colour,
                weight=1.5,
                dash_array="5 4",
                fill=True,
                fill_opacity=0.06,
            )
            ring.options["interactive"] = False  # clicks go to the perimeter below
            ring.add_to(group)
        folium.CircleMarker(
            loc,
            radius=style.radius,
            color=style.edge,
            weight=1.5,
            fill=True,
            fill_color=style.colour,
            fill_opacity=1.0,
            popup=folium.Popup(_landmark_popup(row), max_width=380),
            tooltip=folium.Tooltip(
                escape(_landmark_label(row)),
                permanent=True,
                direction="right",
                class_name="ortgeo-label"
                + (" ortgeo-label-action" if row["kind"] == "action" else ""),
            ),
        ).add_to(group)
    for group in groups.values():
        if group._children:
            group.add_to(m)


def _add_addresses(m: folium.Map, addresses: pd.DataFrame) -> None:
    props = [
        {
            "status": s,
            "label": escape(label),
            "popup": _table([("Statut", STATUS_LABELS.get(s, s))], label),
        }
        for label, s in zip(addresses["label"], addresses["status"], strict=True)
    ]
    data = _feature_collection(list(shapely.points(addresses["lon"], addresses["lat"])), props)
    styles = {
        s: {"color": "#ffffff", "weight": 1, "fillColor": c, "fillOpacity": 0.95, "radius": 5}
        for s, c in STATUS_COLOURS.items()
    }
    folium.GeoJson(
        data,
        name=GROUP_LABELS["addresses"],
        marker=folium.CircleMarker(radius=5, fill=True),
        style_function=lambda f: styles[f["properties"]["status"]],
        popup=GeoJsonPopup(fields=["popup"], labels=False),
        tooltip=GeoJsonTooltip(fields=["label"], labels=False),
        zoom_on_click=False,
    ).add_to(m)


def _add_context(m: folium.Map, context: gpd.GeoDataFrame) -> None:
    """The official UNESCO layers, on by default in the layer control, with their credit."""
    group = folium.FeatureGroup(name=GROUP_LABELS["context"], show=True)
    for name, style in CONTEXT_STYLES.items():
        sub = context[context["layer"] == name]
        if sub.empty:
            continue
        props = [
            {"tooltip": escape(f"{n} — {style.legend}"), "popup": _table(
                [("Élément", d), ("Source", CONTEXT_CREDIT)], n or style.legend)}
            for n, d in zip(sub["nom"], sub["description"], strict=True)
        ]  # fmt: skip
        leaflet = _leaflet_style(style)
        folium.GeoJson(
            _feature_collection(list(sub.geometry), props),
            style_function=lambda _f, s=leaflet: s,
            popup=GeoJsonPopup(fields=["popup"], labels=False),
            tooltip=GeoJsonTooltip(fields=["tooltip"], labels=False),
            zoom_on_click=False,
        ).add_to(group)
    group.add_to(m)


def _add_streets(m: folium.Map, scene: Scene) -> None:
    """The road layer of ``--streets``, names in tooltips."""
    assert scene.streets is not None
    lon0, lat0, lon1, lat1 = scene.frame_wgs84
    streets = scene.streets[scene.streets.intersects(shapely.box(lon0, lat0, lon1, lat1))]
    props = [{"tooltip": escape(n or "voie sans nom")} for n in streets["nom"]]
    style = _leaflet_style(STREET_STYLE, fill=False)
    folium.GeoJson(
        _feature_collection(list(streets.geometry), props),
        name=escape(scene.streets_label),
        style_function=lambda _f: style,
        tooltip=GeoJsonTooltip(fields=["tooltip"], labels=False),
    ).add_to(m)


def _add_cadastre(m: folium.Map, scene: Scene) -> None:
    """Parcels and buildings of ``--cadastre`` under everything, not interactive."""
    assert scene.cadastre is not None
    group = folium.FeatureGroup(name=GROUP_LABELS["cadastre"], show=True)
    for kind, style in CADASTRE_STYLES.items():
        sub = scene.cadastre[scene.cadastre["kind"] == kind]
        if sub.empty:
            continue
        geoms = shapely.set_precision(sub.geometry.to_numpy(), 1e-6)  # ~10 cm: smaller page
        leaflet = _leaflet_style(style, fill=style.fill_opacity > 0)
        folium.GeoJson(
            _feature_collection(list(geoms), [{} for _ in geoms]),
            style_function=lambda _f, s=leaflet: s,
            interactive=False,
        ).add_to(group)
    group.add_to(m)


def _add_sector_names(m: folium.Map, scene: Scene) -> None:
    """Each sector's name once, at the centre of the largest circle inside its part on the map.

    The names sit in a group added to the map after them: a marker added to the map
    directly would show Leaflet's default icon (an image request) before its text icon.
    """
    group = folium.FeatureGroup(name="Noms des secteurs", control=False)
    for item in scene.sectors:  # on the part the map opens on, as on paper
        anchor = sector_anchor(item.layer.geometry_l93, scene.frame)
        if anchor is None:
            continue
        lon, lat = to_wgs84_lonlat(np.array([anchor[0]]), np.array([anchor[1]]))
        at = shapely.Point(float(lon[0]), float(lat[0]))
        _name_marker(group, item.layer.geometry, "ortgeo-sector", item.name, at)
    group.add_to(m)


class _Behaviour(MacroElement):
    """Page behaviour: layer control moved into the sidebar, metric scale, label decluttering.

    Permanent labels that would overlap an earlier one (the sectors' names first, then
    actions, landmarks, commune names) are hidden after every zoom or move; their popups
    stay.
    """

    _template = Template(
        """
        {% macro script(this, kwargs) %}
        (function () {
            var map = {{ this._parent.get_name() }};
            var box = document.getElementById("ortgeo-layers");
            if (box) { box.appendChild({{ this.control.get_name() }}.getContainer()); }
            L.control.scale({imperial: false, maxWidth: 180, position: "bottomleft"}).addTo(map);
            function rank(el) {
                if (el.classList.contains("ortgeo-sector-label")) { return -1; }
                if (el.classList.contains("ortgeo-label-action")) { return 0; }
                if (el.classList.contains("ortgeo-label")) { return 1; }
                return 2;
            }
            function declutter() {
                var shown = [];
                var labels = Array.prototype.slice.call(map.getContainer().querySelectorAll(
                    ".ortgeo-sector-label, .ortgeo-label, .ortgeo-commune-label"));
                labels.sort(function (a, b) { return rank(a) - rank(b); });
                labels.forEach(function (el) {
                    el.style.visibility = "visible";
                    var r = el.getBoundingClientRect();
                    if (!r.width) { return; }
                    var hit = shown.some(function (s) {
                        return !(r.right < s.left || r.left > s.right ||
                                 r.bottom < s.top || r.top > s.bottom);
                    });
                    if (hit) { el.style.visibility = "hidden"; } else { shown.push(r); }
                });
            }
            map.on("zoomend moveend overlayadd overlayremove", declutter);
            map.whenReady(function () { setTimeout(declutter, 0); });
        })();
        {% endmacro %}
        """
    )

    def __init__(self, control: folium.LayerControl) -> None:
        super().__init__()
        self._name = "OrtgeoBehaviour"
        self.control = control


def scene_map(
    scene: Scene, tiles: bool = False, basemap: str | Basemap | None = None
) -> folium.Map:
    """The interactive page of a :class:`~ortgeo.maps.scene.Scene` (offline, self-contained).

    ``tiles`` offers the online backgrounds of :data:`TILE_LAYERS`, off until switched on;
    ``basemap`` (a provider name of the xyzservices registry, an XYZ URL template or a
    :class:`~ortgeo.maps.tiles.Basemap`) is shown at once, under everything, credited in
    the map's corner, and can be switched off in « Couches ».

    Examples
    --------
    >>> "Limite communale" in render_html(scene_map(build_scene("situation")))
    True
    """
    css, leaflet_js, jquery_js = _assets()
    m = _OfflineMap(
        location=None, tiles=None, zoom_control="bottomright", zoom_snap=0.25, zoom_delta=0.5
    )
    root = m.get_root()
    assert isinstance(root, Figure)  # a folium Map's root is a branca Figure
    root.title = escape(scene.title)
    root.header.add_child(Element(f"<style>{css}</style>"), name="leaflet_css")
    root.header.add_child(Element(f"<script>{leaflet_js}</script>"), name="leaflet")
    root.header.add_child(Element(f"<script>{jquery_js}</script>"), name="jquery")
    root.header.add_child(Element(f"<style>{_PAGE_CSS}</style>"), name="ortgeo_css")
    root.html.add_child(Element(_sidebar(scene)), name="ortgeo_sidebar")
    if scene.watermark:
        root.html.add_child(
            Element(f'<div id="ortgeo-watermark">{escape(scene.watermark)}</div>'),
            name="ortgeo_watermark",
        )
    if basemap is not None:
        chosen = resolve_basemap(basemap)
        folium.TileLayer(
            chosen.url,
            name=escape(f"Fond de carte : {chosen.label}"),
            attr=escape(chosen.attribution),
            overlay=True,
            show=True,
            subdomains=chosen.subdomains or "abc",
            min_zoom=chosen.min_zoom,
            max_zoom=chosen.max_zoom,
            max_native_zoom=chosen.max_zoom,
        ).add_to(m)
    if tiles:
        for name, url, attr in TILE_LAYERS:
            folium.TileLayer(
                url, name=escape(name), attr=attr, overlay=True, show=False, max_zoom=19
            ).add_to(m)
    if scene.cadastre is not None:
        _add_cadastre(m, scene)
    _add_communes(m, scene)
    if scene.streets is not None:
        _add_streets(m, scene)
    if scene.context is not None:
        _add_context(m, scene.context)
    _add_perimeters(m, scene)
    _add_sector_names(m, scene)
    _add_landmarks(m, scene.landmarks)
    if scene.addresses is not None and len(scene.addresses):
        _add_addresses(m, scene.addresses)
    control = folium.LayerControl(collapsed=False, position="topright")
    control.add_to(m)
    _Behaviour(control).add_to(m)
    lon0, lat0, lon1, lat1 = scene.frame_wgs84
    m.fit_bounds([[lat0, lon0], [lat1, lon1]])
    return m


def annex_map(
    kind: str = "general",
    date: DateLike = None,
    catalog: Catalog | None = None,
    addresses: pd.DataFrame | None = None,
    communes: str | Path | gpd.GeoDataFrame | None = None,
    tiles: bool = False,
    landmarks: gpd.GeoDataFrame | None = None,
    context: bool | str | gpd.GeoDataFrame | None = "unesco",
    streets: str | Path | gpd.GeoDataFrame | None = None,
    basemap: str | Basemap | None = None,
    cadastre: str | Path | list[str | Path] | None = None,
) -> folium.Map:
    """An interactive map of Annex 3, for notebooks or :func:`save_html`.

    Parameters
    ----------
    kind : {"situation", "general", "zoom-extension", "controle"}
        "Situation des secteurs d'intervention", "Cartographie générale du périmètre
        ORT", "Zoom Extension du périmètre ORT", or the QA map of the control points.
    date : str or date, optional
        Date of the perimeters shown (default: the sectors the avenant defines).
    catalog : Catalog, optional
        Perimeter catalogue (default: the bundled, indicative one).
    addresses : DataFrame, optional
        Checked addresses (``lon``, ``lat``, a label column and ``status`` or
        ``ort_status``), drawn as a layer coloured by status.
    communes : path or GeoDataFrame, optional
        Commune polygons to outline (Lens in bold).
    tiles : bool
        Offer online backgrounds (OpenStreetMap, Plan IGN) in the layer control,
        switched off by default. The page loads nothing from the network until the
        user switches one on.
    landmarks : GeoDataFrame, optional
        Points to show instead of :func:`ortgeo.landmarks` (``name``, ``kind``,
        ``precision_m``, ``note``, ``source``).
    context : "unesco", None or GeoDataFrame
        Official context layers, on by default in the layer control (``None``: none).
    streets : path or GeoDataFrame, optional
        A road layer with names (BD TOPO ``troncon_de_route``...), names in tooltips.
    basemap : str or Basemap, optional
        An XYZ background shown at once: a provider of the xyzservices registry
        (``OpenStreetMap.Mapnik``, ``GeoportailFrance.plan``) or a URL template.
    cadastre : path or list of paths, optional
        Etalab cadastre files (parcels, buildings) drawn as the background, offline.

    Returns
    -------
    folium.Map
        A map whose page inlines everything it needs.

    Examples
    --------
    >>> m = annex_map("zoom-extension", date="2024-06-01")
    >>> "Zoom Extension" in render_html(m)
    True
    """
    scene = build_scene(
        kind, date, catalog, addresses, communes, landmarks, context=context, streets=streets,
        cadastre=cadastre,
    )  # fmt: skip
    return scene_map(scene, tiles, basemap)


class _PlainText:
    """What ``jinja2.Template(source).render(...)`` gives for a source without Jinja
    syntax: the text, line ends made ``\\n``, one final line end dropped.

    >>> _PlainText("var a = 1;\\r\\nvar b = 2;\\n").render(this=None)
    'var a = 1;\\nvar b = 2;'
    """

    def __init__(self, source: str) -> None:
        self.source = source
        text = source.replace("\r\n", "\n").replace("\r", "\n")
        self.text = text[:-1] if text.endswith("\n") else text

    def render(self, *args: object, **kwargs: object) -> str:
        return self.text

    @property
    def module(self) -> object:  # as a template's: its macros (a plain text has none)
        return Template(self.source).module


def _template(source: str) -> Template | _PlainText:
    if "{{" in source or "{%" in source or "{#" in source:
        return Template(source)
    return _PlainText(source)


_TEMPLATES_LOCK = threading.Lock()
_TEMPLATES_USERS = 0


@contextlib.contextmanager
def _plain_text_templates() -> Iterator[None]:
    """While a page renders: branca wraps every rendered piece of JavaScript (the
    GeoJSON data included) in a new ``Element``, which compiles that text as a Jinja
    template only to render it back unchanged — two thirds of the time of a page. Texts
    without Jinja syntax are kept as they are (the same output); the others compile."""
    global _TEMPLATES_USERS
    with _TEMPLATES_LOCK:
        _TEMPLATES_USERS += 1
        if _TEMPLATES_USERS == 1:
            vars(branca.element)["Template"] = _template
    try:
        yield
    finally:
        with _TEMPLATES_LOCK:
            _TEMPLATES_USERS -= 1
            if _TEMPLATES_USERS == 0:
                vars(branca.element)["Template"] = Template


def render_html(m: folium.Map) -> str:
    """The full HTML page of a map, checked to load nothing from the network.

    Raises
    ------
    RuntimeError
        When the page would load a script, style sheet or image from the network
        (a folium element that links a CDN was added to the map).
    """
    with _plain_text_templates():
        page = m.get_root().render()
    problems = offline_problems(page)
    if problems:
        raise RuntimeError(
            "The map page would load resources from the network: "
            + ", ".join(problems[:5])
            + ". Only elements that ortgeo inlines may be used."
        )
    return page


def save_html(m: folium.Map, path: str | Path) -> Path:
    """Write a map as one self-contained HTML file (UTF-8) and return its path.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> out = save_html(annex_map(), pathlib.Path(tempfile.mkdtemp()) / "carte.html")
    >>> offline_problems(out.read_text(encoding="utf-8"))
    []
    """
    path = check_output_path(path, [".html", ".htm"])
    page = render_html(m)
    with atomic_path(path) as tmp:
        tmp.write_text(page, encoding="utf-8")
    return path


_RESOURCE = re.compile(
    r"<(?:script|link|img|iframe|source|embed|video|audio|object)\b[^>]*?"
    r"\s(?:src|href|data)\s*=\s*[\"']?((?:https?:)?//[^\"'\s>]+)",
    re.IGNORECASE,
)
_CSS_URL = re.compile(r"(?:url\(\s*[\"']?|@import\s+[\"'])((?:https?:)?//[^\"')\s]+)", re.I)


def offline_problems(page: str) -> list[str]:
    """URLs that an HTML page would load from the network by itself.

    Script, style sheet, image and frame sources and CSS ``url()``/``@import`` are
    reported; ``<a href>`` links (attribution) and URL templates inside JavaScript
    strings (an optional tile layer, loaded only when switched on) are not.

    Examples
    --------
    >>> offline_problems('<script src="https://cdn.example/x.js"></script><a href="https://osm.org">')
    ['https://cdn.example/x.js']
    """
    return _RESOURCE.findall(page) + _CSS_URL.findall(page)
