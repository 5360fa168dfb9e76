"""QGIS styles inside an exported GeoPackage: it opens in QGIS drawn as the annex maps are.

QGIS keeps a layer's default style in the GeoPackage's ``layer_styles`` table (columns
``f_table_catalog, f_table_schema, f_table_name, f_geometry_column, styleName, styleQML,
styleSLD, useAsDefault, description, owner, ui, update_time``) and applies the row marked
``useAsDefault`` when the layer is added. :func:`add_qgis_styles` writes one such row per
table of perimeters: a categorized renderer on ``id`` whose symbols are the styles of
:mod:`ortgeo.maps.style` (outline colour, width, dashes, fill or hatching) and whose labels
are the legend of the annex maps, with the sectors' names as labels; the same rules in SLD
for other tools.
"""

from __future__ import annotations

import sqlite3
from pathlib import Path
from xml.etree import ElementTree as ET

from ortgeo.catalog import Catalog, Layer
from ortgeo.errors import OutputFileError
from ortgeo.maps._state import state_layer
from ortgeo.maps.style import LayerStyle, layer_style

__all__ = ["add_qgis_styles", "layer_qml", "layer_sld"]

#: The table as QGIS creates it (QgsOgrProviderUtils, GeoPackage).
_CREATE = """CREATE TABLE IF NOT EXISTS layer_styles (
  id INTEGER PRIMARY KEY AUTOINCREMENT, f_table_catalog TEXT(256), f_table_schema TEXT(256),
  f_table_name TEXT(256), f_geometry_column TEXT(256), styleName TEXT(30), styleQML TEXT,
  styleSLD TEXT, useAsDefault BOOLEAN, description TEXT, owner TEXT(30), ui TEXT(30),
  update_time DATETIME DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ','now')))"""
_MM_PER_PX = 25.4 / 96  # QGIS widths are in millimetres; the styles' in CSS pixels
#: matplotlib hatches → QGIS brush styles
_BRUSHES = {"///": "f_diagonal", "\\\\": "b_diagonal", "..": "dense6"}


def _rgba(colour: str, alpha: float) -> str:
    r, g, b = (int(colour[i : i + 2], 16) for i in (1, 3, 5))
    return f"{r},{g},{b},{round(255 * alpha)}"


def _option(parent: ET.Element, name: str, value: str) -> None:
    ET.SubElement(parent, "Option", {"name": name, "type": "QString", "value": value})


def _fill_layer(symbol: ET.Element, style: LayerStyle, brush: str, colour: str) -> None:
    layer = ET.SubElement(
        symbol, "layer", {"class": "SimpleFill", "enabled": "1", "locked": "0", "pass": "0"}
    )
    options = ET.SubElement(layer, "Option", {"type": "Map"})
    dash = style.dash.split() if style.dash else []
    for name, value in (
        ("color", colour),
        ("style", brush),
        ("outline_color", _rgba(style.colour, 1.0)),
        ("outline_style", "solid"),  # dashes: use_custom_dash below
        ("outline_width", f"{style.weight * _MM_PER_PX:.2f}"),
        ("outline_width_unit", "MM"),
        ("joinstyle", "round"),
        ("use_custom_dash", "1" if dash else "0"),
        ("customdash", ";".join(f"{float(v) * _MM_PER_PX:.2f}" for v in dash) or "5;2"),
        ("customdash_unit", "MM"),
    ):
        _option(options, name, value)


def _symbol(symbols: ET.Element, name: str, style: LayerStyle) -> None:
    symbol = ET.SubElement(
        symbols,
        "symbol",
        {"type": "fill", "name": name, "alpha": "1", "clip_to_extent": "1", "force_rhr": "0"},
    )
    flat = _rgba(style.colour, style.fill_opacity) if style.fill_opacity > 0 else "0,0,0,0"
    _fill_layer(symbol, style, "solid" if style.fill_opacity > 0 else "no", flat)
    if style.hatch:  # the hatching over the flat fill, outline drawn once
        hatch = LayerStyle(style.colour, 0.0, 0.0, None, None, style.legend)
        _fill_layer(symbol, hatch, _BRUSHES.get(style.hatch, "f_diagonal"),
                    _rgba(style.colour, 0.6))  # fmt: skip


def layer_qml(layers: list[Layer]) -> str:
    """The QGIS style (QML) of a table of perimeters: one category per layer ``id``.

    Examples
    --------
    >>> from ortgeo.catalog import catalog
    >>> qml = layer_qml(list(catalog()))
    >>> root = ET.fromstring(qml.split("\\n", 1)[1])
    >>> [c.get("value") for c in root.iter("category")][:2]
    ['lens-centre-ville', 'lens-entree-de-ville']
    """
    root = ET.Element("qgis", {"version": "3.28.0", "styleCategories": "Symbology|Labeling"})
    renderer = ET.SubElement(
        root,
        "renderer-v2",
        {"type": "categorizedSymbol", "attr": "id", "symbollevels": "0", "forceraster": "0",
         "enableorderby": "0", "referencescale": "-1"},
    )  # fmt: skip
    categories = ET.SubElement(renderer, "categories")
    symbols = ET.SubElement(renderer, "symbols")
    for i, layer in enumerate(layers):
        ET.SubElement(
            categories,
            "category",
            {"value": layer.id, "symbol": str(i), "label": state_layer(layer).legend,
             "render": "true", "type": "string"},
        )  # fmt: skip
        _symbol(symbols, str(i), layer_style(layer))
    labeling = ET.SubElement(root, "labeling", {"type": "simple"})
    settings = ET.SubElement(labeling, "settings", {"calloutType": "simple"})
    ET.SubElement(
        settings,
        "text-style",
        {"fieldName": "name", "isExpression": "0", "fontSize": "9", "fontWeight": "75",
         "textColor": "34,34,34,255", "fontFamily": "DejaVu Sans"},
    )  # fmt: skip
    buffer = ET.SubElement(settings, "text-buffer")
    buffer.attrib.update({"bufferDraw": "1", "bufferSize": "0.8", "bufferColor": "255,255,255,255"})
    ET.SubElement(settings, "placement", {"placement": "1", "dist": "0"})  # over the polygon
    ET.SubElement(root, "layerGeometryType").text = "2"
    body = ET.tostring(root, encoding="unicode")
    return "<!DOCTYPE qgis PUBLIC 'http://mrcc.com/qgis.dtd' 'SYSTEM'>\n" + body


def layer_sld(table: str, layers: list[Layer]) -> str:
    """The same rules in OGC SLD 1.1 (fill, stroke, dashes), for tools that read SLD.

    Examples
    --------
    >>> from ortgeo.catalog import catalog
    >>> "lens-entree-de-ville" in layer_sld("perimetres", list(catalog()))
    True
    """
    ns = {"": "http://www.opengis.net/sld", "se": "http://www.opengis.net/se",
          "ogc": "http://www.opengis.net/ogc"}  # fmt: skip
    sld, se, ogc = (f"{{{ns[k]}}}" for k in ("", "se", "ogc"))
    for prefix, uri in ns.items():
        ET.register_namespace(prefix, uri)
    root = ET.Element(sld + "StyledLayerDescriptor", {"version": "1.1.0"})
    named = ET.SubElement(root, sld + "NamedLayer")
    ET.SubElement(named, se + "Name").text = table
    user = ET.SubElement(named, sld + "UserStyle")
    ET.SubElement(user, se + "Name").text = table
    fts = ET.SubElement(user, se + "FeatureTypeStyle")
    for layer in layers:
        style = layer_style(layer)
        rule = ET.SubElement(fts, se + "Rule")
        ET.SubElement(rule, se + "Name").text = layer.id
        ET.SubElement(rule, se + "Description").text = state_layer(layer).legend
        flt = ET.SubElement(rule, ogc + "Filter")
        eq = ET.SubElement(flt, ogc + "PropertyIsEqualTo")
        ET.SubElement(eq, ogc + "PropertyName").text = "id"
        ET.SubElement(eq, ogc + "Literal").text = layer.id
        symbolizer = ET.SubElement(rule, se + "PolygonSymbolizer")
        if style.fill_opacity > 0:
            fill = ET.SubElement(symbolizer, se + "Fill")
            ET.SubElement(fill, se + "SvgParameter", {"name": "fill"}).text = style.colour
            ET.SubElement(
                fill, se + "SvgParameter", {"name": "fill-opacity"}
            ).text = f"{style.fill_opacity:g}"
        stroke = ET.SubElement(symbolizer, se + "Stroke")
        ET.SubElement(stroke, se + "SvgParameter", {"name": "stroke"}).text = style.colour
        ET.SubElement(
            stroke, se + "SvgParameter", {"name": "stroke-width"}
        ).text = f"{style.weight:g}"
        if style.dash:
            ET.SubElement(
                stroke, se + "SvgParameter", {"name": "stroke-dasharray"}
            ).text = style.dash
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(root, encoding="unicode")


def add_qgis_styles(path: str | Path, catalog: Catalog) -> int:
    """Write the default QGIS style of every perimeter table of a GeoPackage.

    Each table of ``gpkg_geometry_columns`` gets one ``layer_styles`` row (replacing an
    earlier one of ortgeo), built from the ``id`` values it holds and the catalogue's
    layers. Returns the number of styles written.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> from ortgeo.catalog import catalog, perimeters
    >>> from ortgeo.io import write_perimeters
    >>> out = write_perimeters(perimeters(), pathlib.Path(tempfile.mkdtemp()) / "p.gpkg")
    >>> add_qgis_styles(out, catalog())
    1
    """
    path = Path(path)
    if path.suffix.lower() != ".gpkg" or not path.is_file():
        raise OutputFileError(f"{path.name} n'est pas un GeoPackage écrit : pas de styles QGIS.")
    known = {layer.id: layer for layer in catalog}
    written = 0
    with sqlite3.connect(path) as db:
        tables = db.execute("SELECT table_name, column_name FROM gpkg_geometry_columns").fetchall()
        db.execute(_CREATE)
        for table, column in tables:
            ids = [row[0] for row in db.execute(f'SELECT DISTINCT "id" FROM "{table}"')]
            layers = [known[i] for i in ids if i in known]
            if not layers:
                continue
            db.execute(
                "DELETE FROM layer_styles WHERE f_table_name = ? AND owner = 'ortgeo'", (table,)
            )
            db.execute(
                "INSERT INTO layer_styles (f_table_catalog, f_table_schema, f_table_name, "
                "f_geometry_column, styleName, styleQML, styleSLD, useAsDefault, description, "
                "owner, ui) VALUES ('', '', ?, ?, ?, ?, ?, 1, ?, 'ortgeo', NULL)",
                (
                    table, column, table, layer_qml(layers), layer_sld(table, layers),
                    "Styles des cartes de l'annexe 3 (ortgeo) : secteurs d'intervention de "
                    "l'ORT et autres dispositifs, dans les mots de la convention.",
                ),
            )  # fmt: skip
            written += 1
    return written
