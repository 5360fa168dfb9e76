"""Print maps (matplotlib, Lambert-93): paper size and dpi, content, artists, backgrounds.

Backgrounds are SYNTHETIC: a GeoTIFF of one colour written in tmp_path, and XYZ tiles
served by a server the test starts on 127.0.0.1 (tests/tile_server.py).
"""

from __future__ import annotations

import itertools
import re
import warnings
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
import shapely
from matplotlib.patches import PathPatch, Rectangle
from PIL import Image
from tile_server import TILE_BACKGROUND, TileHandler, running_tile_server

from ortgeo.communes import commune_outlines
from ortgeo.crs import to_l93_xy
from ortgeo.errors import InputFileError, OrtgeoError
from ortgeo.maps import figure, render_png
from ortgeo.maps._state import annex_state
from ortgeo.maps.png import PAPER_SIZES, nice_scale_length
from ortgeo.maps.style import (
    CARTOUCHE_TITLE,
    INDICATIF_WARNING,
    LAYER_STYLES,
    MAP_TITLES,
    STATUS_COLOURS,
    WATERMARK,
)
from ortgeo.maps.tiles import MAX_TILES, resolve_basemap

DATE = "2024-06-01"


def texts(fig, gid: str) -> list[str]:
    found = fig.findobj(lambda a: a.get_gid() == gid)
    return [a.get_text() for a in found if hasattr(a, "get_text")]


def rgb(hex_colour: str) -> np.ndarray:
    return np.array([int(hex_colour[i : i + 2], 16) for i in (1, 3, 5)])


def share_of(pixels: np.ndarray, hex_colour: str, tol: int = 40) -> float:
    """Share of the pixels within ``tol`` (per channel) of a colour."""
    close = np.all(np.abs(pixels[..., :3].astype(int) - rgb(hex_colour)) <= tol, axis=-1)
    return float(close.mean())


@pytest.fixture(scope="module")
def general():
    return figure("general", date=DATE, dpi=60)


def test_a4_png_at_300_dpi_is_full_size_and_not_blank(tmp_path):
    out = render_png("general", tmp_path / "carte.png", date=DATE)
    with Image.open(out) as img:
        assert img.size == (3508, 2480)
        assert img.info["dpi"] == pytest.approx((300, 300), abs=0.1)
        pixels = np.asarray(img.convert("RGB"))
    small = pixels[::4, ::4]
    assert len(np.unique(small.reshape(-1, 3), axis=0)) > 200  # not a flat image
    assert share_of(small, "#ffffff", tol=3) < 0.9
    for kind in ("ort", "ort-extension", "opah-ru"):  # every perimeter outline is drawn
        assert share_of(pixels, LAYER_STYLES[kind].colour, tol=30) > 0.0001, kind


def test_a3_and_other_dpi(tmp_path):
    out = render_png("zoom-extension", tmp_path / "z.png", date=DATE, size="a3", dpi=72)
    with Image.open(out) as img:
        assert img.size == (round(420 / 25.4 * 72), round(297 / 25.4 * 72))
    with pytest.raises(OrtgeoError, match="paper size"):
        figure("general", size="letter", dpi=30)


def test_pdf_and_svg_through_the_same_code(tmp_path):
    pdf = render_png("general", tmp_path / "carte.pdf", date=DATE, dpi=72)
    assert pdf.read_bytes().startswith(b"%PDF")
    svg = render_png("general", tmp_path / "carte.svg", date=DATE, dpi=72).read_text("utf-8")
    assert svg.lstrip().startswith("<?xml") and "<svg" in svg
    with pytest.raises(OrtgeoError, match=r"\.png, \.pdf or \.svg"):
        render_png("general", tmp_path / "carte.jpg", dpi=30)


def test_figure_carries_title_legend_scale_north_and_footer(general):
    assert texts(general, "title") == [MAP_TITLES["general"]]
    assert texts(general, "subtitle") == [
        "Périmètres en vigueur le 01/06/2024 — statut : indicatif"
    ]
    legend_axes = next(ax for ax in general.axes if ax.get_gid() == "legend-panel")
    labels = [t.get_text() for t in legend_axes.get_legend().get_texts()]
    flat = [label.replace("\n", " ") for label in labels]
    for item in annex_state(DATE).layers:  # the convention's words, not line styles
        assert item.legend in flat
    assert "Limite communale" in flat and "Limite communale de Lens" in flat
    assert "Repère" in labels and "Action de la convention (site)" in labels
    scale = texts(general, "scalebar")
    assert "0" in scale and any(t.endswith(" m") or t.endswith(" km") for t in scale)
    assert any(t.startswith("Échelle ≈ 1:") for t in scale)
    assert texts(general, "north-arrow") == ["", "N"] or "N" in texts(general, "north-arrow")
    footer = " ".join(texts(general, "footer"))
    assert INDICATIF_WARNING in footer
    assert "Date des périmètres : 01/06/2024" in footer and "Sources" in footer
    assert "Lambert-93 (EPSG:2154)" in footer and "Licence" in footer


def test_map_is_drawn_in_lambert93_with_a_round_scale_bar(general):
    ax = next(ax for ax in general.axes if ax.get_gid() == "map")
    xmin, xmax = ax.get_xlim()
    ymin, ymax = ax.get_ylim()
    assert 680_000 < xmin < xmax < 700_000 and 7_030_000 < ymin < ymax < 7_045_000
    bars = [a for a in ax.patches if a.get_gid() == "scalebar" and a.get_facecolor()[3] == 1]
    segments = [b for b in bars if b.get_height() < (ymax - ymin) * 0.05]
    length = sum(b.get_width() for b in segments)
    assert length == pytest.approx(nice_scale_length(xmax - xmin))
    assert str(int(length)) in " ".join(texts(general, "scalebar")).replace(" km", "000")
    # the aspect is true: 1 m in x == 1 m in y on paper
    bbox = ax.get_position()
    w_in, h_in = bbox.width * general.get_figwidth(), bbox.height * general.get_figheight()
    assert (xmax - xmin) / w_in == pytest.approx((ymax - ymin) / h_in, rel=1e-3)


def test_north_arrow_points_to_true_north(general):
    ax = next(ax for ax in general.axes if ax.get_gid() == "map")
    arrow = next(a for a in ax.texts if a.get_gid() == "north-arrow" and a.get_text() == "")
    (x0, y0), (x1, y1) = arrow.xyann, arrow.xy
    angle = np.degrees(np.arctan2(x1 - x0, y1 - y0))
    assert 0 < angle < 1  # Lens is west of the Lambert-93 central meridian (3° E)


@pytest.mark.parametrize("seed", [0, 1])
def test_labels_never_overlap(seed):
    rng = np.random.default_rng(seed)
    n = 40  # a crowded SYNTHETIC set of landmarks in the centre of Lens
    marks = gpd.GeoDataFrame(
        {"name": [f"Repère synthétique n° {i}" for i in range(n)], "kind": "repere",
         "precision_m": 10.0, "note": "", "source": "test"},
        geometry=gpd.points_from_xy(2.825 + rng.random(n) * 0.02, 50.424 + rng.random(n) * 0.01),
        crs=4326,
    )  # fmt: skip
    fig = figure("general", date=DATE, dpi=50, landmarks=marks)
    renderer = fig.canvas.get_renderer()
    placed = fig.findobj(lambda a: a.get_gid() == "label")
    boxes = [t.get_window_extent(renderer) for t in placed]
    synthetic = [t for t in placed if t.get_text().startswith("Repère synthétique")]
    assert len(synthetic) >= 10
    for a, b in itertools.combinations(boxes, 2):
        assert not a.overlaps(b)
    assert len(synthetic) + fig._ortgeo_dropped_labels >= n  # every label placed or counted


def test_zoom_when_extension_not_in_force():
    fig = figure("zoom-extension", date="2022-01-01", dpi=40)
    assert "extension non en vigueur le 01/01/2022" in texts(fig, "title")[0]
    assert "n'est pas représentée" in " ".join(texts(fig, "notice")).replace("\n", " ")
    ax = next(ax for ax in fig.axes if ax.get_gid() == "map")
    ext = LAYER_STYLES["ort-extension"].colour
    edges = {
        tuple(np.round(p.get_edgecolor()[:3], 3)) for p in ax.patches if isinstance(p, PathPatch)
    }
    assert tuple(np.round(rgb(ext) / 255, 3)) not in edges
    assert tuple(np.round(rgb(LAYER_STYLES["ort"].colour) / 255, 3)) in edges


def test_addresses_coloured_by_status():
    addresses = pd.DataFrame({
        "lon": [2.8339, 2.8630, 2.8300], "lat": [50.4292, 50.4203, 50.4270],
        "label": ["1 place Jean-Jaurès", "<b>x</b>", "gare"],
        "status": ["dedans", "dehors", "limite"],
    })  # fmt: skip
    fig = figure("general", date=DATE, dpi=40, addresses=addresses)
    ax = next(ax for ax in fig.axes if ax.get_gid() == "map")
    scatter = next(c for c in ax.collections if c.get_gid() == "addresses")
    colours = {tuple(np.round(c[:3], 3)) for c in scatter.get_facecolors()}
    assert colours == {
        tuple(np.round(rgb(STATUS_COLOURS[s]) / 255, 3)) for s in addresses["status"]
    }
    legend = [
        t.get_text() for ax in fig.axes if ax.get_legend() for t in ax.get_legend().get_texts()
    ]
    assert "Dans le périmètre (1)" in legend and "En limite – à vérifier (1)" in legend


def test_communes_outlined(reference):
    communes = reference / "communes" / "communes_lens_and_neighbours_from_france-geojson.geojson"
    fig = figure("general", date=DATE, dpi=40, communes=communes)
    labels = " ".join(texts(fig, "label"))
    assert "LENS" in labels and "Liévin" in labels
    assert "communes_lens_and_neighbours" in " ".join(texts(fig, "footer"))


# -- backgrounds ------------------------------------------------------------------------------


def write_geotiff(path: Path, crs: str | None, colour=(0, 200, 255)) -> Path:
    rasterio = pytest.importorskip("rasterio")
    from rasterio.transform import from_bounds

    if crs == "EPSG:3857":
        bounds = (310_000, 6_515_000, 320_000, 6_525_000)  # around Lens
    else:
        bounds = (683_000, 7_032_000, 694_000, 7_042_000)
    data = np.empty((3, 100, 100), dtype=np.uint8)
    for band, value in enumerate(colour):
        data[band] = value
    with rasterio.open(path, "w", driver="GTiff", width=100, height=100, count=3, dtype="uint8",
                       crs=crs, transform=from_bounds(*bounds, 100, 100)) as dst:  # fmt: skip
        dst.write(data)
    return path


@pytest.mark.parametrize("crs", ["EPSG:2154", "EPSG:3857"])
def test_local_basemap_geotiff(tmp_path, crs):
    tif = write_geotiff(tmp_path / "fond.tif", crs)
    out = render_png("general", tmp_path / "c.png", date=DATE, dpi=40, basemap=tif)
    with Image.open(out) as img:
        pixels = np.asarray(img.convert("RGB"))
    assert share_of(pixels, "#00c8ff", tol=12) > 0.2  # the background shows around the layers
    fig = figure("general", date=DATE, dpi=40, basemap=tif)
    assert "Fond : fond.tif" in " ".join(texts(fig, "footer"))


def test_local_basemap_errors(tmp_path):
    with pytest.raises(InputFileError, match="not found"):
        figure("general", dpi=30, basemap=tmp_path / "none.tif")
    (tmp_path / "bad.tif").write_bytes(b"not a tiff")
    with pytest.raises(InputFileError, match="raster"):
        figure("general", dpi=30, basemap=tmp_path / "bad.tif")
    nocrs = write_geotiff(tmp_path / "nocrs.tif", None)
    with pytest.raises(InputFileError, match="no coordinate reference system"):
        figure("general", dpi=30, basemap=nocrs)
    far = tmp_path / "far.tif"
    rasterio = pytest.importorskip("rasterio")
    from rasterio.transform import from_bounds

    profile = {"driver": "GTiff", "width": 10, "height": 10, "count": 1, "dtype": "uint8"}
    with rasterio.open(
        far, "w", crs="EPSG:2154", transform=from_bounds(0, 0, 10, 10, 10, 10), **profile
    ) as dst:
        dst.write(np.zeros((1, 10, 10), dtype=np.uint8))
    with pytest.warns(UserWarning, match="does not cover"):
        figure("general", dpi=30, basemap=far)


@pytest.fixture
def tile_server(tmp_path, monkeypatch):
    """A local XYZ server of real PNG tiles; a fresh tile cache for each test."""
    monkeypatch.setenv("ORTGEO_CACHE_DIR", str(tmp_path / "cache"))
    TileHandler.requests.clear()
    with running_tile_server() as url:
        yield url


def test_tiles_from_a_local_xyz_server_are_warped_cached_and_credited(tmp_path, tile_server):
    out = render_png("general", tmp_path / "t.png", date=DATE, dpi=40, basemap=tile_server)
    asked = list(TileHandler.requests)
    assert asked and all(re.fullmatch(r"/\d+/\d+/\d+\.png", r) for r in asked)
    assert len(asked) <= MAX_TILES
    with Image.open(out) as img:
        pixels = np.asarray(img.convert("RGB"))
    # the tiles (drawn at 80 % over white) fill the map around the layers
    faded = tuple(round(0.8 * c + 0.2 * 255) for c in TILE_BACKGROUND)
    assert share_of(pixels, "#{:02x}{:02x}{:02x}".format(*faded), tol=10) > 0.15
    cached = list((tmp_path / "cache" / "tiles").rglob("*.png"))
    assert len(cached) == len(set(asked))  # every tile kept on disk
    fig = figure("general", date=DATE, dpi=40, basemap=tile_server)
    assert TileHandler.requests == asked  # the second map came from the cache
    host = tile_server.split("/")[2]
    assert f"Fond de carte : tuiles de {host}" in " ".join(texts(fig, "footer"))
    assert texts(fig, "basemap-attribution") == [f"tuiles de {host}"]
    assert "Aucun fond de voirie" not in " ".join(texts(fig, "cartouche"))


def test_a_registry_name_resolves_and_an_unknown_one_is_refused():
    osm = resolve_basemap("OpenStreetMap.Mapnik")
    assert osm.url == "https://tile.openstreetmap.org/{z}/{x}/{y}.png"
    assert "OpenStreetMap" in osm.credit
    ign = resolve_basemap("GeoportailFrance.plan")
    assert ign.origins == ("https://data.geopf.fr",) and "Geoportail" in ign.attribution
    with pytest.raises(OrtgeoError, match="Fond de carte inconnu"):
        resolve_basemap("Plan.Inexistant")
    with pytest.raises(OrtgeoError, match="URL de fond de carte invalide"):
        resolve_basemap("ftp://h/{z}/{x}/{y}.png")


def test_tiles_unreachable_warn_and_the_map_is_complete(tmp_path, monkeypatch):
    monkeypatch.setenv("ORTGEO_CACHE_DIR", str(tmp_path / "cache"))
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        fig = figure("general", date=DATE, dpi=40, basemap="http://127.0.0.1:9/{z}/{x}/{y}.png")
    assert any("injoignable" in str(w.message) for w in caught)
    assert texts(fig, "title") == [MAP_TITLES["general"]]
    ax = next(ax for ax in fig.axes if ax.get_gid() == "map")
    assert not ax.images and any(isinstance(p, Rectangle) for p in ax.patches)
    assert "Aucun fond de voirie" in " ".join(texts(fig, "cartouche"))


def test_paper_sizes():
    assert PAPER_SIZES["a4"] == pytest.approx((11.69, 8.27), abs=0.01)
    assert nice_scale_length(4300) == 500 and nice_scale_length(1000) == 200
    assert nice_scale_length(5000) == 1000 and nice_scale_length(13_000) == 2500


def test_cli_map_one_file_per_format(tmp_path):
    """`ortgeo map KIND -o FILE`: HTML or print (PNG/PDF/SVG) through the same code."""
    from click.testing import CliRunner

    from ortgeo.cli import main

    report = tmp_path / "rapport.csv"
    report.write_text(
        "adresse;ban_label;ban_lon;ban_lat;verdict\n"
        "1 rue X;1 Rue X 62300 Lens;2.833889;50.429167;dedans\n"
        "introuvable;;;;indetermine\n",
        encoding="utf-8",
    )
    runner = CliRunner()
    for name in ("m.html", "m.png", "m.pdf", "m.svg"):
        res = runner.invoke(main, ["map", "general", "-o", str(tmp_path / name), "--dpi", "40",
                                   "--addresses", str(report), "--date", "2024-06-01"])  # fmt: skip
        assert res.exit_code == 0, res.output
    assert (tmp_path / "m.pdf").read_bytes().startswith(b"%PDF")
    assert b"<svg" in (tmp_path / "m.svg").read_bytes()[:500]
    assert "Adresses vérifiées" in (tmp_path / "m.html").read_text(encoding="utf-8")
    res = runner.invoke(main, ["map", "general", "-o", str(tmp_path / "m.jpg")])
    assert res.exit_code == 2 and "use a name ending in .html, .png, .pdf or .svg" in res.output


# -- issue 11: commune limits, situation map, cartouche, watermark, context, streets ----------

NEIGHBOURS = ("Liévin", "Loison-sous-Lens", "Sallaumines", "Avion", "Éleu-dit-Leauwette",
              "Loos-en-Gohelle", "Vendin-le-Vieil", "Noyelles-sous-Lens", "Harnes")  # fmt: skip


def gids(fig, gid: str) -> list:
    return fig.findobj(lambda a: a.get_gid() == gid)


@pytest.fixture(scope="module")
def situation():
    return figure("situation", dpi=60)


def test_commune_limits_on_every_annex_map(situation):
    for kind in ("general", "zoom-extension"):
        fig = figure(kind, dpi=30)
        assert len(gids(fig, "commune-lens")) == 1
        assert len(gids(fig, "commune")) >= 3
    assert len(gids(situation, "commune-lens")) == 1
    labels = [t.get_text() for t in gids(situation, "label")]
    assert "LENS" in labels
    assert sum(name in labels for name in NEIGHBOURS) >= 8, labels  # named neighbours
    legend = next(ax for ax in situation.axes if ax.get_gid() == "legend-panel").get_legend()
    assert "Limite communale de Lens" in [t.get_text() for t in legend.get_texts()]


def test_situation_map_shows_every_sector_by_name_and_the_call(situation):
    assert texts(situation, "title") == [MAP_TITLES["situation"]]
    assert len(gids(situation, "commune-call")) >= 5  # the CALL around Lens, lightly filled
    labels = {t.get_text().replace("\n", " ") for t in gids(situation, "sector-label")}
    for item in annex_state().sectors:
        assert item.name in labels
        assert gids(situation, f"sector-{item.id}")
    ax = next(ax for ax in situation.axes if ax.get_gid() == "map")
    lens = commune_outlines().query("code == '62498'").to_crs(2154).total_bounds
    (x0, x1), (y0, y1) = ax.get_xlim(), ax.get_ylim()
    assert x0 < lens[0] and lens[2] < x1 and y0 < lens[1] and lens[3] < y1  # the whole commune


def test_cartouche_on_every_page_and_watermark_when_indicative(situation, tmp_path):
    from test_annex import official_catalog

    cartouche = " ".join(texts(situation, "cartouche"))
    assert CARTOUCHE_TITLE in cartouche.replace("\n", " ")
    assert "date de signature inconnue, au plus tôt le 6 décembre 2023" in cartouche.replace(
        "\n", " "
    )
    assert "Date du tracé" in cartouche and "Aucun fond de voirie" in cartouche
    assert texts(situation, "watermark") == [WATERMARK]
    official = figure("general", catalog=official_catalog(tmp_path), dpi=30)
    assert texts(official, "watermark") == []
    assert CARTOUCHE_TITLE in " ".join(texts(official, "cartouche")).replace("\n", " ")


def test_the_cartouche_text_stays_inside_its_box(situation):
    """Long act chains (the chapeau convention and its amendment) shrink the body's text
    until it fits the box: no line runs past its frame."""
    from ortgeo.maps.paper.layout import text_renderer

    box = next(a for a in situation.artists if a.get_gid() == "cartouche")
    frame = box.get_window_extent(text_renderer(situation))
    for text in (t for t in situation.texts if t.get_gid() == "cartouche"):
        inside = text.get_window_extent(text_renderer(situation))
        assert frame.y0 <= inside.y0 and inside.y1 <= frame.y1, text.get_text()[-80:]
        assert frame.x0 <= inside.x0 and inside.x1 <= frame.x1 + 2, text.get_text()[-80:]


def test_unesco_context_drawn_with_its_credit():
    plain = figure("general", dpi=30, context=None)
    assert not gids(plain, "context-bien-inscrit")
    fig = figure("general", dpi=30)  # on by default, on paper as in HTML
    assert gids(fig, "context-bien-inscrit") and gids(fig, "context-cites-minieres")
    footer = " ".join(texts(fig, "footer")).replace("\n", " ")
    assert "Mission Bassin Minier (data.gouv.fr), Licence Ouverte 2.0" in footer
    legend = next(ax for ax in fig.axes if ax.get_gid() == "legend-panel").get_legend()
    flat = [t.get_text().replace("\n", " ") for t in legend.get_texts()]
    assert "Bien inscrit au patrimoine mondial (UNESCO)" in flat


def lens_streets(reference) -> gpd.GeoDataFrame:
    """The real BD TOPO sample of Marseille 10e moved onto Lens (a test of drawing, not data)."""
    sample = gpd.read_file(
        reference / "bdtopo_sample" / "bdtopo_troncon_de_route_marseille10_wgs84.geojson"
    ).to_crs(2154)
    cx, cy = sample.geometry.union_all().centroid.coords[0]
    x, y = to_l93_xy(np.array([2.8339]), np.array([50.4292]))
    sample["geometry"] = sample.geometry.translate(x[0] - cx, y[0] - cy)
    return sample


def test_streets_from_a_bdtopo_extract_are_drawn_and_named(reference):
    streets = lens_streets(reference)
    fig = figure("general", dpi=60, streets=streets)
    assert gids(fig, "streets")
    names = [t.get_text() for t in gids(fig, "street-label")]
    known = set(streets["nom_collaboratif_gauche"].dropna()) | set(
        streets["nom_collaboratif_droite"].dropna()
    )
    assert len(names) >= 5 and set(names) <= known
    assert len(names) == len(set(names))  # each street named once
    assert "Aucun fond de voirie" not in " ".join(texts(fig, "cartouche"))
    assert "Voirie" in " ".join(texts(fig, "footer"))


def test_streets_of_another_place_warn(reference, tmp_path):
    from click.testing import CliRunner

    from ortgeo.cli import main

    sample = reference / "bdtopo_sample" / "bdtopo_troncon_de_route_marseille10_wgs84.geojson"
    res = CliRunner().invoke(main, ["map", "general", "-o", str(tmp_path / "m.png"), "--dpi",
                                    "20", "--streets", str(sample)])  # fmt: skip
    assert res.exit_code == 0, res.output
    assert "Warning: No street of" in res.output and "is it a road layer of Lens?" in res.output


def test_control_points_only_on_the_controle_map():
    annex = [t.get_text() for t in gids(figure("general", dpi=30), "label")]
    assert not any(t.startswith("Puits") for t in annex)
    qa = [t.get_text() for t in gids(figure("controle", dpi=30), "label")]
    assert any(t.startswith("Puits") for t in qa)


def test_dpi_5000_is_refused_before_any_drawing(tmp_path):
    from click.testing import CliRunner

    from ortgeo.cli import main

    with pytest.raises(OrtgeoError, match="--dpi 5000 on A4 makes a 58465 × 41339"):
        figure("general", dpi=5000)
    res = CliRunner().invoke(main, ["map", "general", "-o", str(tmp_path / "m.png"),
                                    "--dpi", "5000"])  # fmt: skip
    assert res.exit_code == 2 and res.output.count("\n") == 1 and "Use a lower --dpi" in res.output
    assert not (tmp_path / "m.png").exists()
    assert render_png("general", tmp_path / "ok.png", dpi=600, size="a4").exists()  # the limit


def test_map_output_unwritable_is_refused_first(tmp_path):
    from click.testing import CliRunner

    from ortgeo.cli import main

    (tmp_path / "file").write_text("x")
    for name in ("m.png", "m.html"):
        res = CliRunner().invoke(main, ["map", "situation", "-o",
                                        str(tmp_path / "file" / name)])  # fmt: skip
        assert res.exit_code == 2 and res.output.count("\n") == 1, res.output
        assert "Error: Cannot write" in res.output


# -- issue 20: names on every map page, one name per town, watermark, context fills --------


@pytest.mark.parametrize("kind", ["situation", "general", "zoom-extension"])
def test_every_sector_named_once_beside_itself_and_no_label_overlaps(kind):
    fig = figure(kind, dpi=60)
    ax = next(ax for ax in fig.axes if ax.get_gid() == "map")
    renderer = fig.canvas.get_renderer()
    names = gids(fig, "sector-label")
    state = annex_state()
    xlim, ylim = ax.get_xlim(), ax.get_ylim()
    frame = shapely.box(xlim[0], ylim[0], xlim[1], ylim[1])
    shown = [x for x in state.sectors if x.layer.geometry_l93.intersects(frame)]
    assert sorted(t.get_text().replace("\n", " ") for t in names) == sorted(
        x.name for x in shown
    )  # each sector on the page, once
    if kind == "zoom-extension":  # the zoom page names the sector it zooms on
        assert "Entrée de ville – Lens/Loison-sous-Lens" in [
            t.get_text().replace("\n", " ") for t in names
        ]
    for text in names:
        item = next(x for x in shown if x.name == text.get_text().replace("\n", " "))
        box = text.get_window_extent(renderer)
        (x0, y0), (x1, y1) = ax.transData.inverted().transform([box.p0, box.p1])
        gap = shapely.box(x0, y0, x1, y1).distance(item.layer.geometry_l93)
        assert gap < 0.08 * (xlim[1] - xlim[0]), (text.get_text(), gap)  # on or beside it
    boxes = [t.get_window_extent(renderer) for t in [*gids(fig, "label"), *names]]
    for a, b in itertools.combinations(boxes, 2):
        assert not a.overlaps(b)


def test_one_name_per_town():
    for kind in ("situation", "general"):
        fig = figure(kind, dpi=40)
        words = [t.get_text() for t in gids(fig, "label")]
        assert not [w for w in words if "(centre)" in w], words
        assert len(words) == len(set(words)), words
        assert "Liévin" in words or kind == "general"


@pytest.mark.parametrize("portrait", [False, True])
def test_watermark_fits_the_page(portrait):
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    from ortgeo.maps.paper.cartouche import watermark

    w, h = PAPER_SIZES["a4"]
    fig = Figure(figsize=(h, w) if portrait else (w, h), dpi=50)
    FigureCanvasAgg(fig)
    watermark(fig, WATERMARK, 1.0, portrait=portrait)
    box = texts_boxes(fig, "watermark")[0]
    page = fig.bbox
    assert page.x0 < box.x0 and box.x1 < page.x1 and page.y0 < box.y0 and box.y1 < page.y1
    angle = fig.texts[0].get_rotation()
    assert (angle > 45) == portrait  # along the page's diagonal
    with pytest.raises(ValueError, match="portrait"):
        watermark(fig, WATERMARK, 1.0, portrait=not portrait)


def texts_boxes(fig, gid: str):
    renderer = fig.canvas.get_renderer()
    return [a.get_window_extent(renderer) for a in gids(fig, gid)]


def test_context_fills_cannot_be_taken_for_sectors():
    from ortgeo.maps.style import CONTEXT_STYLES

    sector_colours = {s.colour for s in LAYER_STYLES.values()}
    sector_hatches = {s.hatch for s in LAYER_STYLES.values()}
    for style in CONTEXT_STYLES.values():
        assert style.colour not in sector_colours
        assert style.hatch is None or style.hatch not in sector_hatches
        red, green, blue = rgb(style.colour)
        assert green >= red and green >= blue  # olive family: no red, violet or blue


# -- the cadastre as background (--cadastre) --------------------------------------------------


@pytest.fixture(scope="module")
def synthetic_cadastre(tmp_path_factory):
    from cadastre_fixtures import write_synthetic_cadastre

    return write_synthetic_cadastre(tmp_path_factory.mktemp("cadastre"))


def test_cadastre_parcels_and_buildings_drawn_as_background(synthetic_cadastre):
    parcels, buildings = synthetic_cadastre
    fig = figure("zoom-extension", dpi=40, cadastre=[parcels, buildings])
    assert gids(fig, "cadastre-parcelle") and gids(fig, "cadastre-batiment")
    drawn = gids(fig, "cadastre-parcelle")[0]
    assert drawn.get_zorder() < 1  # under the communes, the context and the sectors
    footer = " ".join(texts(fig, "footer")).replace("\n", " ")
    assert "Cadastre : cadastre-62498-parcelles-synthetique.json" in footer
    assert "Licence Ouverte 2.0" in footer
    assert "Aucun fond de voirie" not in " ".join(texts(fig, "cartouche"))
    legend = next(ax for ax in fig.axes if ax.get_gid() == "legend-panel").get_legend()
    flat = [t.get_text() for t in legend.get_texts()]
    assert "Parcelle cadastrale" in flat and "Bâtiment (cadastre)" in flat
    from ortgeo.maps import annex_map, render_html

    page = render_html(annex_map("zoom-extension", cadastre=[parcels]))
    assert "Cadastre" in page and "#8c8c8c" in page


def test_cadastre_of_another_commune_is_left_out_with_a_warning(reference):
    sample = reference / "cadastre_sample" / "cadastre-91216-parcelles.json"
    with pytest.warns(UserWarning, match="Aucune parcelle"):
        fig = figure("general", dpi=30, cadastre=sample)
    assert not gids(fig, "cadastre-parcelle")
    with pytest.raises(InputFileError, match="introuvable"):
        figure("general", dpi=30, cadastre=reference / "absent.json")


def test_cli_cadastre_option_on_map_and_annex(synthetic_cadastre, tmp_path):
    from click.testing import CliRunner

    from ortgeo.cli import main

    parcels, buildings = synthetic_cadastre
    args = ["map", "zoom-extension", "-o", str(tmp_path / "z.html"),
            "--cadastre", str(parcels), "--cadastre", str(buildings)]  # fmt: skip
    res = CliRunner().invoke(main, args)
    assert res.exit_code == 0, res.output
    assert "Parcelle cadastrale" in (tmp_path / "z.html").read_text(encoding="utf-8")
    res = CliRunner().invoke(main, ["annex", "-o", str(tmp_path / "a"), "--dpi", "30",
                                    "--cadastre", str(parcels)])  # fmt: skip
    assert res.exit_code == 0, res.output
    assert "ortgeo annex : Lecture du cadastre" in res.stderr
    readme = (tmp_path / "a" / "LISEZMOI.txt").read_text(encoding="utf-8")
    assert "cadastre-62498-parcelles-synthetique.json" in readme
