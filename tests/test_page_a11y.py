"""The lookup page as people use it: on a phone, with a keyboard, with a screen reader's
checks (axe-core), and with an opt-in tile background — in a real headless Chromium.

The service runs on 127.0.0.1 on a SYNTHETIC offline BAN index; the background comes from
tests/tile_server.py (real PNG tiles, synthetic content) on 127.0.0.1. axe-core is the
vendored npm build (tests/vendor/axe-core, MPL-2.0). Nothing reaches the internet.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from service_fixtures import serving, synthetic_index
from test_maps_html import browser, set_viewport  # noqa: F401  (the headless Chromium fixture)
from test_service_browser import requests_and_errors, wait_for
from tile_server import TileHandler, running_tile_server

from ortgeo.service import ServiceConfig, create_app

pytestmark = [pytest.mark.browser, pytest.mark.filterwarnings("ignore::DeprecationWarning")]

AXE = Path(__file__).parent / "vendor" / "axe-core" / "axe.min.js"
#: WCAG 2.1 level A and AA, the base of the RGAA that binds French communes.
WCAG_21_AA = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
PHONE, DESKTOP = (390, 844), (1400, 900)
ANSWER = "/?address=3+Rue+de+la+Gare+62300+Lens&date=2024-06-01"


@pytest.fixture(scope="module")
def index(tmp_path_factory):
    return synthetic_index(tmp_path_factory.mktemp("ban"))


@pytest.fixture(scope="module")
def server(index):
    with serving(create_app(ServiceConfig(ban_index=str(index)))) as url:
        yield url


@pytest.fixture(scope="module")
def tiles():
    with running_tile_server() as url:
        yield url


@pytest.fixture(scope="module")
def server_with_basemap(index, tiles):
    with serving(create_app(ServiceConfig(ban_index=str(index), basemap=tiles))) as url:
        yield url


@pytest.fixture
def viewport(browser):  # noqa: F811
    """Restore the desktop viewport after a test that changes it."""
    yield lambda size: set_viewport(browser, *size)
    set_viewport(browser, *DESKTOP)


def open_page(driver, url: str) -> None:
    driver.get_log("performance")
    driver.get_log("browser")
    driver.get(url)
    wait_for(driver, "return document.querySelectorAll('.leaflet-overlay-pane path').length > 3")
    wait_for(driver, "return document.querySelectorAll('.ortgeo-legend li').length >= 3")
    if driver.execute_script("return window.innerWidth") < 800:  # folded on a phone
        assert driver.execute_script("return !document.querySelector('.ortgeo-legend').open")
    wait_for(driver, "return document.querySelectorAll('.ortgeo-commune-name').length > 5")


def axe_violations(driver) -> list[dict]:
    """Run the vendored axe-core on the page; the WCAG 2.1 A/AA violations it finds."""
    driver.execute_script(AXE.read_text(encoding="utf-8"))
    driver.set_script_timeout(60)
    result = driver.execute_async_script(
        "var done = arguments[arguments.length - 1];"
        "axe.run(document, {runOnly: {type: 'tag', values: arguments[0]},"
        " resultTypes: ['violations']})"
        ".then(function (r) { done(r.violations.map(function (v) { return {id: v.id,"
        " impact: v.impact, help: v.help, nodes: v.nodes.map(function (n) {"
        " return n.target.join(' ') + ' :: ' + n.failureSummary; })}; })); },"
        " function (e) { done([{id: 'axe-error', help: String(e), nodes: []}]); });",
        WCAG_21_AA,
    )
    return list(result)


def shoot(driver, name: str, whole: bool = False) -> None:
    """Keep a screenshot when $ORTGEO_SCREENSHOT_DIR is set (for people to look at);
    ``whole``: the whole page, not only the viewport."""
    folder = os.environ.get("ORTGEO_SCREENSHOT_DIR")
    if not folder:
        return
    if not whole:
        driver.save_screenshot(str(Path(folder) / name))
        return
    import base64

    shot = driver.execute_cdp_cmd(
        "Page.captureScreenshot", {"format": "png", "captureBeyondViewport": True}
    )
    (Path(folder) / name).write_bytes(base64.b64decode(shot["data"]))


@pytest.mark.parametrize("size", [DESKTOP, PHONE], ids=["desktop", "phone"])
def test_axe_finds_no_wcag21_aa_violation(server, browser, viewport, size):  # noqa: F811
    viewport(size)
    open_page(browser, server + ANSWER)
    assert browser.find_element("id", "verdict-card").get_attribute("data-status") == "dedans"
    violations = axe_violations(browser)
    assert violations == [], json.dumps(violations, ensure_ascii=False, indent=1)
    shoot(browser, f"page_{size[0]}x{size[1]}.png")
    _, errors = requests_and_errors(browser)
    assert errors == []


def test_on_a_phone_the_answer_comes_first_whole_and_nothing_scrolls_sideways(
    server,
    browser,  # noqa: F811
    viewport,
):
    viewport(PHONE)
    open_page(browser, server + ANSWER)
    geometry = browser.execute_script(
        "function r(s) { var b = document.querySelector(s).getBoundingClientRect();"
        "  return [b.left, b.top, b.right, b.bottom]; }"
        "var cells = Array.from(document.querySelectorAll('#verdict-card td'))"
        "  .map(function (td) { var b = td.getBoundingClientRect(); return b.right; });"
        "return {scroll: document.documentElement.scrollWidth, card: r('#verdict-card'),"
        "  answer: r('#verdict-card .answer'), map: r('#carte'), cells: cells,"
        "  widest: Math.max.apply(null, Array.from(document.querySelectorAll('body *'))"
        "    .filter(function (e) { return !e.closest('#carte'); })"  # the map clips its tiles
        "    .map(function (e) { return e.getBoundingClientRect().right; }))};"
    )
    width, height = PHONE
    assert geometry["scroll"] <= width  # no sideways scroll
    assert geometry["widest"] <= width + 0.5, geometry["widest"]
    left, top, right, _ = geometry["card"]
    assert left >= 0 and right <= width  # the card is whole in width
    assert geometry["answer"][3] <= height  # the answer line is on the first screen
    assert top < geometry["map"][1]  # the answer before the map
    assert geometry["cells"] and max(geometry["cells"]) <= right  # the table reflowed
    caption = browser.execute_script(
        "return document.querySelector('#verdict-card caption').getBoundingClientRect().width"
    )
    assert caption > 0.8 * (right - left - 40)  # the caption spans the card, not a column
    labels = browser.execute_script(
        "return getComputedStyle(document.querySelector('#verdict-card td'), '::before').content"
    )
    assert labels == '"Nom"'  # each cell says which column it was
    shoot(browser, "page_390x844_whole.png", whole=True)


def test_the_map_has_a_legend_in_the_convention_words(server, browser):  # noqa: F811
    open_page(browser, server + "/")
    items = browser.execute_script(
        "return Array.from(document.querySelectorAll('.ortgeo-legend li'))"
        ".map(function (li) { return li.textContent; })"
    )
    assert any(i.startswith("Secteur d'intervention – centre-ville") for i in items), items
    assert any("entrée de ville" in i for i in items), items
    assert "Limite communale de Lens" in items and "Point vérifié" in items
    names = browser.execute_script(
        "return Array.from(document.querySelectorAll('.ortgeo-commune-name'))"
        ".map(function (e) { return e.textContent; })"
    )
    assert "LENS" in names and "Liévin" in names
    # the sectors are drawn in the annex maps' styles (hatched extension, red centre-ville)
    fills = browser.execute_script(
        "return Array.from(document.querySelectorAll('.leaflet-overlay-pane path'))"
        ".map(function (p) { return [p.getAttribute('stroke'), p.getAttribute('fill')]; })"
    )
    assert ["#7b3294", "url(#ortgeo-hatch-7b3294)"] in fills
    assert browser.execute_script("return !!document.getElementById('ortgeo-hatch-7b3294')")


def test_keyboard_only(server, browser):  # noqa: F811
    from selenium.webdriver.common.action_chains import ActionChains
    from selenium.webdriver.common.keys import Keys

    open_page(browser, server + "/")
    box = browser.find_element("id", "address")
    box.send_keys("3 rue de la ga")
    wait_for(browser, "return document.querySelectorAll('#suggestions li').length")
    box.send_keys(Keys.ARROW_DOWN)
    assert box.get_attribute("aria-activedescendant") == "suggestion-0"
    box.send_keys(Keys.ENTER)
    wait_for(browser, "return document.getElementById('verdict-card')")
    assert "3 Rue de la Gare" in browser.find_element("id", "verdict-card").text
    box.send_keys("x")
    box.send_keys(Keys.ESCAPE)
    assert browser.execute_script("return document.getElementById('suggestions').hidden")
    # the map is in the tab order; Enter checks the point at its centre
    carte = browser.find_element("id", "carte")
    assert carte.get_attribute("tabindex") == "0"
    browser.execute_script("arguments[0].focus()", carte)
    assert browser.execute_script("return document.activeElement.id") == "carte"
    assert "keyboard" in carte.get_attribute("class")  # the cross-hair shows the point
    ActionChains(browser).send_keys(Keys.ENTER).perform()
    wait_for(browser, "return location.search.indexOf('lon=') >= 0")
    zoom = browser.execute_script(
        "return Array.from(document.querySelectorAll('.leaflet-control-zoom a'))"
        ".map(function (a) { return a.getAttribute('title'); })"
    )
    assert zoom == ["Zoomer", "Dézoomer"]


def test_basemap_from_a_local_tile_server(server_with_basemap, tiles, browser):  # noqa: F811
    TileHandler.requests.clear()
    open_page(browser, server_with_basemap + ANSWER)
    wait_for(browser, "return document.querySelectorAll('img.leaflet-tile-loaded').length > 3")
    urls, errors = requests_and_errors(browser)
    tile_host = urlsplit(tiles).netloc
    assert errors == []  # the CSP lets the tiles in, and nothing else
    outside = {urlsplit(u).netloc for u in urls if urlsplit(u).scheme in ("http", "https")}
    assert outside <= {urlsplit(server_with_basemap).netloc, tile_host}
    assert TileHandler.requests
    credit = browser.find_element("css selector", ".leaflet-control-attribution").text
    assert f"Fond de carte : tuiles de {tile_host}" in credit
    shoot(browser, "page_1400x900_basemap.png")
