"""Tools GIS staff already use: a GeoPackage that opens styled in QGIS, and
``GeoDataFrame.explore()`` on ortgeo's layers."""

from __future__ import annotations

import sqlite3
import warnings
from xml.etree import ElementTree as ET

import pytest
from click.testing import CliRunner

import ortgeo
from ortgeo.cli import main
from ortgeo.io import read_perimeter
from ortgeo.maps.style import LAYER_STYLES

QGIS_COLUMNS = [
    "id", "f_table_catalog", "f_table_schema", "f_table_name", "f_geometry_column",
    "styleName", "styleQML", "styleSLD", "useAsDefault", "description", "owner", "ui",
    "update_time",
]  # fmt: skip


def rgba(colour: str) -> str:
    return ",".join(str(int(colour[i : i + 2], 16)) for i in (1, 3, 5))


def test_exported_geopackage_carries_the_qgis_styles(tmp_path):
    out = tmp_path / "perimetres.gpkg"
    res = CliRunner().invoke(main, ["perimeters", "export", "-o", str(out), "--crs", "2154"])
    assert res.exit_code == 0, res.output
    with sqlite3.connect(out) as db:
        columns = [row[1] for row in db.execute("PRAGMA table_info(layer_styles)")]
        rows = db.execute(
            "SELECT f_table_name, f_geometry_column, styleName, styleQML, styleSLD, useAsDefault "
            "FROM layer_styles"
        ).fetchall()
        geometry = db.execute(
            "SELECT table_name, column_name FROM gpkg_geometry_columns"
        ).fetchall()
    assert columns == QGIS_COLUMNS  # the table QGIS reads, as QGIS creates it
    assert len(rows) == 1 and (rows[0][0], rows[0][1]) == geometry[0]
    table, _, name, qml, sld, default = rows[0]
    assert table == "perimetres" and name == "perimetres" and default == 1
    root = ET.fromstring(qml.split("\n", 1)[1])  # after the DOCTYPE line
    renderer = root.find("renderer-v2")
    assert renderer is not None and renderer.get("type") == "categorizedSymbol"
    assert renderer.get("attr") == "id"
    categories = {c.get("value"): c for c in root.iter("category")}
    cat = ortgeo.catalog()
    assert set(categories) == {layer.id for layer in cat}
    assert (
        categories["lens-centre-ville"]
        .get("label")
        .startswith("Secteur d'intervention – centre-ville")
    )
    options = {
        o.get("name"): o.get("value") for o in root.iter("Option") if o.get("name") is not None
    }
    assert options["outline_width_unit"] == "MM"
    outlines = {o.get("value") for o in root.iter("Option") if o.get("name") == "outline_color"}
    for kind in ("ort", "ort-extension", "opah-ru"):
        assert rgba(LAYER_STYLES[kind].colour) + ",255" in outlines
    brushes = {o.get("value") for o in root.iter("Option") if o.get("name") == "style"}
    assert "f_diagonal" in brushes  # the extension is hatched, as on the maps
    ET.fromstring(sld.split("\n", 1)[1])  # the SLD parses too
    assert "lens-entree-de-ville" in sld
    # the file is still an ordinary GeoPackage of perimeters for GDAL (which lists
    # layer_styles beside it, as for any GeoPackage QGIS saved)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        back = read_perimeter(out, layer="perimetres")
    assert sorted(back["id"]) == sorted(layer.id for layer in cat)


def test_a_second_export_replaces_the_style(tmp_path):
    out = tmp_path / "p.gpkg"
    for _ in range(2):
        res = CliRunner().invoke(main, ["perimeters", "export", "-o", str(out)])
        assert res.exit_code == 0, res.output
    with sqlite3.connect(out) as db:
        assert db.execute("SELECT count(*) FROM layer_styles").fetchone() == (1,)


def test_explore_works_with_the_explore_extra():
    pytest.importorskip("mapclassify", reason="pip install 'ortgeo[explore]'")
    gdf = ortgeo.catalog().to_geodataframe(all_dates=True)
    m = gdf.explore(column="kind", tiles=None)  # mapclassify colours the categories
    html = m.get_root().render()
    assert "lens-centre-ville" in html and "ort-sector" in html
