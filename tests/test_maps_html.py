"""Interactive maps: self-contained offline HTML, content, escaping; real headless Chromium.

The browser tests load each saved page from file:// in Debian's chromium (selenium) and
count every network request with the DevTools performance log. Landmarks and addresses
with hostile labels are SYNTHETIC.
"""

from __future__ import annotations

import json
import os
import shutil
import tempfile
import time
from html.parser import HTMLParser
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
import shapely
from test_annex import official_catalog

import ortgeo
from ortgeo.crs import to_wgs84_lonlat
from ortgeo.errors import InputFileError, OrtgeoError, UnknownLayerError
from ortgeo.maps import annex_map, offline_problems, render_html, save_html
from ortgeo.maps.html import TILE_LAYERS, _assets, _layer_popup
from ortgeo.maps.style import GROUP_LABELS, INDICATIF_WARNING, LAYER_STYLES, STATUS_COLOURS, escape
from ortgeo.texts import acts_label, validity

DATE = "2024-06-01"
HOSTILE = [
    "<script>window.__pwned = 1</script>",
    '<img src="x-missing.png" onerror="window.__pwned = 2">',
    "${window.__pwned = 3}`\\",
]


def hostile_landmarks() -> gpd.GeoDataFrame:
    """The bundled landmarks plus SYNTHETIC ones whose texts try to run code."""
    marks = ortgeo.landmarks()
    extra = gpd.GeoDataFrame(
        {"name": HOSTILE, "kind": ["repere", "action", "centre-commune"],
         "precision_m": [10.0, 50.0, 10.0], "note": HOSTILE[::-1], "source": HOSTILE},
        geometry=gpd.points_from_xy([2.850, 2.806, 2.842], [50.417, 50.437, 50.420]), crs=4326,
    )  # fmt: skip
    return pd.concat([marks, extra], ignore_index=True)


def hostile_addresses() -> pd.DataFrame:
    return pd.DataFrame({
        "lon": [2.8339, 2.8630, 2.8300, 2.8200],
        "lat": [50.4292, 50.4203, 50.4270, 50.4290],
        "label": [*HOSTILE, "12 rue de la Gare"],
        "status": ["dedans", "dehors", "limite", "indetermine"],
    })  # fmt: skip


# -- the page itself (no browser) -------------------------------------------------------------


def external_tags(page: str) -> list[tuple[str, str]]:
    """Tags of an HTML page that load a file: script src, link href, img/iframe src."""

    class Parser(HTMLParser):
        found: list[tuple[str, str]] = []  # noqa: RUF012

        def handle_starttag(self, tag, attrs):
            attrs = dict(attrs)
            if tag in ("script", "img", "iframe") and attrs.get("src"):
                self.found.append((tag, attrs["src"]))
            if tag == "link" and attrs.get("href"):
                self.found.append((tag, attrs["href"]))

    parser = Parser()
    parser.found = []
    parser.feed(page)
    return parser.found


def test_page_links_nothing_online(tmp_path):
    page = save_html(annex_map("general", date=DATE, tiles=True), tmp_path / "g.html").read_text(
        "utf-8"
    )
    assert offline_problems(page) == []
    assert external_tags(page) == []
    for cdn in ("cdn.jsdelivr", "code.jquery", "bootstrap", "fontawesome", "awesome-markers"):
        assert cdn not in page.lower()
    css, leaflet_js, jquery_js = _assets()  # Leaflet and jQuery are inlined whole
    assert leaflet_js in page and jquery_js in page and css in page
    assert "url(images/" not in page and "sourceMappingURL" not in page
    assert "tile.openstreetmap.org/{z}/{x}/{y}.png" in page  # offered, off by default
    assert "GEOGRAPHICALGRIDSYSTEMS.PLANIGNV2" in page


def test_offline_problems_finds_remote_resources():
    page = (
        '<script src="https://cdn.example.org/leaflet.js"></script>'
        '<link rel="stylesheet" href="//cdn.example.org/x.css">'
        "<style>@import 'https://fonts.example.org/f.css'; .a{background:url(http://x.org/i.png)}</style>"
        '<a href="https://www.openstreetmap.org/copyright">OSM</a>'
        '<script>var t = "https://tile.openstreetmap.org/{z}/{x}/{y}.png";</script>'
    )
    assert offline_problems(page) == [
        "https://cdn.example.org/leaflet.js",
        "//cdn.example.org/x.css",
        "https://fonts.example.org/f.css",
        "http://x.org/i.png",
    ]


def test_render_refuses_a_cdn_element():

    from folium.plugins import MarkerCluster

    m = annex_map("general", date=DATE)
    MarkerCluster().add_to(m)  # links its script and styles on a CDN
    with pytest.raises(RuntimeError, match="network"):
        render_html(m)


def test_no_tiles_means_no_url_at_all():
    page = render_html(annex_map("general", date=DATE, tiles=False))
    assert "tile.openstreetmap.org" not in page and "data.geopf.fr" not in page


def test_content_titles_dates_status_and_popups():
    page = render_html(annex_map("general", date=DATE))
    assert "Cartographie générale du périmètre ORT – ville de Lens" in page
    assert "Périmètres en vigueur le 01/06/2024 — statut : indicatif" in page
    assert INDICATIF_WARNING in page
    for layer in ortgeo.catalog().in_force(DATE):
        assert escape(layer.title) in page  # legend
        popup = _layer_popup(layer)
        for text in (
            acts_label(layer.acts),
            validity(layer),
            "± " + f"{layer.accuracy_m:.0f} m",
            layer.status,
            "06/12/2023" if "extension" in layer.id else "Base légale",
        ):
            assert escape(text) in popup  # fmt: skip
    for name in ("AM04", "AM05", "AM10", "AM11"):
        assert name in page
    assert "position ± 300 m" in page  # estimated precision of the action sites
    assert "<h2>Sources et licence</h2>" in page and "Licence Ouverte" in page


def test_zoom_when_the_extension_is_not_in_force():
    page = render_html(annex_map("zoom-extension", date="2022-01-01"))
    title = "Zoom Extension du périmètre ORT : ville de Lens"
    assert f"{title} — extension non en vigueur le 01/01/2022" in page
    assert "n&#x27;est pas en vigueur le 01/01/2022" in page
    assert LAYER_STYLES["ort-extension"].colour not in page  # not drawn, not in the legend
    assert LAYER_STYLES["ort"].colour in page  # the 2019 ORT for context


def test_official_catalogue_has_no_indicatif_warning(tmp_path):
    cat = official_catalog(tmp_path)
    page = render_html(annex_map("general", date=DATE, catalog=cat))
    assert INDICATIF_WARNING not in page and "statut : officiel" in page


def test_hostile_texts_are_escaped_in_the_page():
    page = render_html(
        annex_map(
            "general", date=DATE, landmarks=hostile_landmarks(), addresses=hostile_addresses()
        )
    )
    for raw in HOSTILE[:2]:
        assert raw not in page
    assert "window.__pwned = 3}`" not in page
    assert "&lt;script&gt;window.__pwned = 1&lt;/script&gt;" in page


def test_bad_inputs():
    with pytest.raises(OrtgeoError, match="Unknown map kind"):
        annex_map("zoom")
    with pytest.raises(InputFileError, match="status"):
        annex_map(addresses=pd.DataFrame({"lon": [2.83], "lat": [50.43]}))
    with pytest.raises(InputFileError, match="'lon' and 'lat'"):
        annex_map(addresses=pd.DataFrame({"x": [1], "status": ["dedans"]}))
    with pytest.raises(InputFileError, match="Unknown address status 'peut-être'"):
        annex_map(addresses=pd.DataFrame({"lon": [2.83], "lat": [50.43], "status": ["peut-être"]}))
    no_ext = ortgeo.Catalog([x for x in ortgeo.catalog() if x.includes_centre_ville is not False])
    with pytest.raises(UnknownLayerError, match="extends the centre-ville"):
        annex_map("zoom-extension", catalog=no_ext)


def test_addresses_from_locate_and_geodataframe():
    res = ortgeo.locate(([2.833889, 2.863056], [50.429167, 50.420278]), date=DATE)
    page = render_html(annex_map(date=DATE, addresses=res))  # ort_status column, no label
    assert "Adresses vérifiées" in page and STATUS_COLOURS["dedans"] in page
    gdf = gpd.GeoDataFrame(
        {"status": ["dedans"]}, geometry=[shapely.Point(688180, 7036861)], crs=2154
    )
    assert "Dans le périmètre (1)" in render_html(annex_map(date=DATE, addresses=gdf))


def test_batch_report_maps_directly():
    """A check_addresses report (ban_lon/ban_lat, verdict, unlocated and error rows) maps as is."""
    report = pd.DataFrame({
        "adresse": ["1 rue X Lens", "rue Y Lens", "introuvable", "erreur"],
        "ban_label": ["1 Rue X 62300 Lens", "Rue Y 62300 Lens", None, None],
        "ban_lon": [2.833889, 2.8314, None, None],
        "ban_lat": [50.429167, 50.4270, None, None],
        "ort_status": ["dedans", "limite", None, None],
        "verdict": ["dedans", "indetermine", "indetermine", "erreur"],
    })  # fmt: skip
    page = render_html(annex_map(date=DATE, addresses=report))
    assert "Dans le périmètre (1)" in page
    assert "Indéterminé (1)" in page  # coloured by the verdict, not by the raw position
    assert "1 Rue X 62300 Lens" in page


# -- real headless Chromium -----------------------------------------------------------------

CHROMIUM, CHROMEDRIVER = "/usr/bin/chromium", "/usr/bin/chromedriver"
#: The viewport every browser test starts with (CSS pixels). The window size given on the
#: command line is the *outer* size: the viewport it leaves depends on the Chromium version
#: and the machine (757 px tall for 1400x900 with Chromium 156), so it is set exactly with
#: the DevTools protocol and checked.
VIEWPORT = (1400, 900)


def set_viewport(driver, width: int, height: int) -> None:
    """Give the page a viewport of exactly ``width`` x ``height`` CSS pixels, or fail."""
    driver.execute_cdp_cmd(
        "Emulation.setDeviceMetricsOverride",
        {"width": width, "height": height, "deviceScaleFactor": 1, "mobile": False},
    )
    seen = driver.execute_script("return [window.innerWidth, window.innerHeight]")
    assert tuple(seen) == (width, height), f"viewport is {seen}, expected {(width, height)}"


@pytest.fixture(scope="module")
def browser():
    if not (os.path.exists(CHROMIUM) and os.path.exists(CHROMEDRIVER)):
        pytest.skip("Debian chromium + chromium-driver not installed")
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    profile = tempfile.mkdtemp(prefix="ortgeo-chromium-")
    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    for flag in ("--headless=new", "--no-sandbox", "--disable-gpu",
                 "--disable-background-networking", "--disable-component-update",
                 "--disable-sync", "--no-first-run",
                 f"--window-size={VIEWPORT[0]},{VIEWPORT[1] + 200}",
                 f"--user-data-dir={profile}"):  # fmt: skip
        options.add_argument(flag)
    options.set_capability("goog:loggingPrefs", {"performance": "ALL", "browser": "ALL"})
    driver = webdriver.Chrome(service=Service(CHROMEDRIVER), options=options)
    driver.set_page_load_timeout(30)
    set_viewport(driver, *VIEWPORT)
    yield driver
    driver.quit()
    shutil.rmtree(profile, ignore_errors=True)


@pytest.fixture(scope="module")
def pages(tmp_path_factory) -> dict[str, tuple[Path, str]]:
    folder = tmp_path_factory.mktemp("maps")
    out = {}
    for key, kwargs in {
        "general": {"kind": "general", "tiles": True},
        "zoom": {"kind": "zoom-extension", "tiles": True},
        "hostile": {"kind": "general", "landmarks": hostile_landmarks(),
                    "addresses": hostile_addresses()},
    }.items():  # fmt: skip
        m = annex_map(date=DATE, **kwargs)
        out[key] = (save_html(m, folder / f"{key}.html"), m.get_name())
    return out


def load(driver, path: Path) -> dict:
    """Open a page, wait for Leaflet to draw, return its requests and console errors."""
    driver.get_log("performance")  # drop earlier entries
    driver.get_log("browser")
    url = path.resolve().as_uri()
    driver.get(url)
    deadline = time.time() + 15
    while time.time() < deadline:
        if driver.execute_script(
            "return document.querySelectorAll('.leaflet-overlay-pane path').length"
        ):
            break
        time.sleep(0.1)
    time.sleep(0.3)
    requests = []
    for entry in driver.get_log("performance"):
        msg = json.loads(entry["message"])["message"]
        if msg["method"] == "Network.requestWillBeSent":
            params = msg["params"]
            requested = params["request"]["url"]
            if params.get("documentURL") != url:  # the browser's own pages (new tab...)
                continue
            if requested != url and not requested.startswith("data:"):
                requests.append(requested)
    errors = [e for e in driver.get_log("browser") if e["level"] == "SEVERE"]
    return {"requests": requests, "errors": errors}


@pytest.mark.browser
@pytest.mark.parametrize("key", ["general", "zoom", "hostile"])
def test_loads_offline_without_errors(browser, pages, key, tmp_path):
    path, _ = pages[key]
    seen = load(browser, path)
    assert seen["requests"] == []
    assert seen["errors"] == []
    shot = tmp_path / f"{key}.png"
    browser.save_screenshot(str(shot))
    keep = os.environ.get("ORTGEO_SCREENSHOT_DIR")
    if keep:
        shutil.copy(shot, Path(keep) / f"{key}.png")
    from PIL import Image

    with Image.open(shot) as img:
        colours = len(np.unique(np.asarray(img.convert("RGB")).reshape(-1, 3), axis=0))
    assert colours > 100  # a drawn map, not a blank page


@pytest.mark.browser
def test_layer_control_lists_every_layer_and_paths_have_the_styles(browser, pages):
    path, _ = pages["general"]
    load(browser, path)
    names = browser.execute_script(
        "return Array.from(document.querySelectorAll('.leaflet-control-layers-selector + span'))"
        ".map(e => e.textContent.trim())"
    )
    expected = [f"{x.title} — {x.status}" for x in ortgeo.on(DATE).layers]
    expected += ["Repères", "Actions de la convention", *(t[0] for t in TILE_LAYERS)]
    expected += [GROUP_LABELS["communes"], GROUP_LABELS["context"]]  # always drawn; UNESCO on
    assert sorted(names) == sorted(expected)
    # the control sits in the sidebar; tiles are unchecked, every other layer checked
    checked = browser.execute_script(
        "return Array.from(document.querySelectorAll('#ortgeo-layers input'))"
        ".map(e => [e.nextElementSibling.textContent.trim(), e.checked])"
    )
    assert {n: c for n, c in checked} == {n: n not in {t[0] for t in TILE_LAYERS} for n in names}
    paths = browser.execute_script(
        "return Array.from(document.querySelectorAll('.leaflet-overlay-pane svg path'))"
        ".map(p => [p.getAttribute('stroke'), p.getAttribute('fill'),"
        " p.getAttribute('stroke-dasharray')])"
    )
    by_stroke = {stroke: (fill, dash) for stroke, fill, dash in paths}
    for kind, style in LAYER_STYLES.items():
        assert style.colour in by_stroke, kind
        assert by_stroke[style.colour][1] == style.dash
    ext = LAYER_STYLES["ort-extension"]
    assert by_stroke[ext.colour][0] == f"url(#{ext.hatch_id})"
    assert browser.execute_script(f"return !!document.getElementById('{ext.hatch_id}')")


def _click_inside(browser, map_name: str, layer) -> str:
    """Click the map where ``layer`` is on top, return the popup text.

    The target is first brought to the centre of the map (and the map into the viewport),
    so the click never depends on the viewport size or on where earlier popups panned to.
    """
    from selenium.webdriver.common.action_chains import ActionChains
    from selenium.webdriver.common.by import By

    from ortgeo.maps.style import style_key

    order = ["ort", "ort-extension", "opah-ru"]  # draw order, bottom first
    rank = lambda x: order.index(style_key(x))  # noqa: E731
    above = [x for x in ortgeo.on(DATE).layers if rank(x) > rank(layer)]
    others = [x.geometry_l93 for x in above]
    marks = ortgeo.landmarks().to_crs(2154).geometry.buffer(80)  # markers and their labels
    free = layer.geometry_l93.difference(shapely.union_all([*others, *marks])).buffer(-20)
    assert not free.is_empty
    inner = free.representative_point()
    lon, lat = to_wgs84_lonlat(np.array([inner.x]), np.array([inner.y]))
    point = shapely.Point(float(lon[0]), float(lat[0]))
    container = browser.find_element(By.CSS_SELECTOR, ".folium-map")
    # the pointer off the map (its hover tooltip would cover the next target), then
    ActionChains(browser).move_to_element(browser.find_element(By.ID, "ortgeo-sidebar")).perform()
    # close the earlier popup, stop its auto-pan, centre the target, show the map
    browser.execute_script(
        f"var m = {map_name}; m.closePopup(); m.stop();"
        "m.eachLayer(function (l) { if (l.closePopup) { l.closePopup(); }"
        " if (l.closeTooltip) { l.closeTooltip(); } });"
    )
    deadline = time.time() + 5  # a closed popup fades out before it leaves the page
    while browser.find_elements(By.CSS_SELECTOR, ".leaflet-popup") and time.time() < deadline:
        time.sleep(0.05)
    x, y, hit = browser.execute_script(
        f"var m = {map_name};"
        f"m.setView([{point.y}, {point.x}], m.getZoom(), {{animate: false}});"
        "arguments[0].scrollIntoView({block: 'center', inline: 'center'});"
        f"var p = m.latLngToContainerPoint([{point.y}, {point.x}]);"
        "var r = arguments[0].getBoundingClientRect();"
        "var e = document.elementFromPoint(r.left + p.x, r.top + p.y);"
        "var w = []; for (var q = e; q && w.length < 20; q = q.parentElement)"
        " w.push(q.tagName.toLowerCase() + (q.id ? '#' + q.id : '')"
        " + (typeof q.className === 'string' && q.className"
        " ? '.' + q.className.split(' ')[0] : ''));"
        "return [r.left + p.x, r.top + p.y, e ? w.join(' < ') : null];",
        container,
    )
    width, height = browser.execute_script("return [window.innerWidth, window.innerHeight]")
    assert 0 <= x < width and 0 <= y < height, f"target {(x, y)} outside {(width, height)}"
    assert hit.startswith("path"), f"the centred target of {layer.id} is covered by {hit!r}"
    rect = container.rect
    ActionChains(browser).move_to_element_with_offset(
        container,
        round(x - (rect["x"] + rect["width"] / 2)),
        round(y - (rect["y"] + rect["height"] / 2)),
    ).click().perform()
    deadline = time.time() + 5
    while time.time() < deadline:
        text = browser.execute_script(
            "var p = document.querySelector('.leaflet-popup-content');return p ? p.innerText : '';"
        )
        if text:
            return text
        time.sleep(0.1)
    return ""


@pytest.mark.browser
@pytest.mark.parametrize("viewport", [VIEWPORT, (1024, 600), (800, 450)], ids=str)
def test_click_opens_the_popup_with_the_legal_basis(browser, pages, viewport):
    path, name = pages["general"]
    set_viewport(browser, *viewport)
    try:
        load(browser, path)
        for layer in ortgeo.catalog().in_force(DATE):
            text = _click_inside(browser, name, layer)
            assert layer.title in text
            assert "Base légale" in text and acts_label(layer.acts) in text
            assert "Validité" in text and validity(layer) in text
            assert "Statut" in text and "Précision" in text
    finally:
        set_viewport(browser, *VIEWPORT)


@pytest.mark.browser
def test_hostile_labels_stay_text(browser, pages):
    from selenium.common.exceptions import NoAlertPresentException

    path, _ = pages["hostile"]
    seen = load(browser, path)
    assert seen["requests"] == []  # an <img src=x> made live would be requested
    with pytest.raises(NoAlertPresentException):
        browser.switch_to.alert  # noqa: B018 (selenium property)
    assert browser.execute_script("return window.__pwned === undefined")
    labels = browser.execute_script(
        "return Array.from(document.querySelectorAll('.ortgeo-label'))"
        ".map(e => [e.textContent, e.querySelectorAll('img, script').length])"
    )
    texts = [t for t, _ in labels]
    for hostile in HOSTILE:
        assert any(hostile in t for t in texts), hostile
    assert all(n == 0 for _, n in labels)  # no element was parsed from a label
    assert browser.execute_script("return document.querySelectorAll('img[onerror]').length") == 0


@pytest.mark.browser
def test_commune_outlines(browser, tmp_path, reference):
    communes = reference / "communes" / "communes_lens_and_neighbours_from_france-geojson.geojson"
    m = annex_map("general", date=DATE, communes=communes)
    seen = load(browser, save_html(m, tmp_path / "c.html"))
    assert seen["requests"] == [] and seen["errors"] == []
    strokes = browser.execute_script(
        "return Array.from(document.querySelectorAll('.leaflet-overlay-pane svg path'))"
        ".map(p => p.getAttribute('stroke'))"
    )
    assert strokes.count("#111111") == 1  # Lens, in bold
    assert strokes.count("#6b6b6b") >= 8  # its neighbours
    names = browser.execute_script(
        "return Array.from(document.querySelectorAll('.ortgeo-commune-label'))"
        ".map(e => e.textContent)"
    )
    assert {"Lens", "Liévin", "Loison-sous-Lens"} <= set(names)
