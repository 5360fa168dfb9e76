"""Print maps (matplotlib, Lambert-93): paper size and dpi, content, artists, backgrounds.

Backgrounds are SYNTHETIC: a GeoTIFF of one colour written in tmp_path, and XYZ tiles of
one colour served by a server the test starts on 127.0.0.1.
"""

from __future__ import annotations

import http.server
import io
import itertools
import threading
import warnings
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
from matplotlib.patches import PathPatch, Rectangle
from PIL import Image

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


class _TileHandler(http.server.BaseHTTPRequestHandler):
    """Serves a 256×256 PNG tile of one colour for any /z/x/y.png (SYNTHETIC tiles)."""

    requests: list[str] = []  # noqa: RUF012

    def do_GET(self) -> None:
        type(self).requests.append(self.path)
        buf = io.BytesIO()
        Image.new("RGB", (256, 256), (255, 160, 0)).save(buf, format="PNG")
        body = buf.getvalue()
        self.send_response(200)
        self.send_header("Content-Type", "image/png")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture
def tile_server():
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _TileHandler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


def test_online_tiles_from_a_local_xyz_server(tmp_path, tile_server):
    pytest.importorskip("contextily")
    _TileHandler.requests.clear()
    url = tile_server + "/{z}/{x}/{y}.png?run=" + tmp_path.name  # no contextily cache hit
    out = render_png("general", tmp_path / "t.png", date=DATE, dpi=40, tiles=url)
    assert _TileHandler.requests and all(
        r.endswith(".png?run=" + tmp_path.name) for r in _TileHandler.requests
    )
    with Image.open(out) as img:
        pixels = np.asarray(img.convert("RGB"))
    assert share_of(pixels, "#ffa000", tol=12) > 0.2


def test_online_tiles_unreachable_warns_and_map_is_complete(tmp_path):
    pytest.importorskip("contextily")
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        fig = figure("general", date=DATE, dpi=40,
                     tiles="http://127.0.0.1:9/{z}/{x}/{y}.png")  # fmt: skip
    assert any("Online background unavailable" in str(w.message) for w in caught)
    assert texts(fig, "title") == [MAP_TITLES["general"]]
    ax = next(ax for ax in fig.axes if ax.get_gid() == "map")
    assert not ax.images and any(isinstance(p, Rectangle) for p in ax.patches)


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
    labels = {t.get_text() for t in gids(situation, "label")}
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


def test_unesco_context_drawn_with_its_credit():
    plain = figure("general", dpi=30)
    assert not gids(plain, "context-bien-inscrit")  # off by default on paper
    fig = figure("general", dpi=30, context="unesco")
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
