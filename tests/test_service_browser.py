"""The lookup page in a real headless Chromium (Debian chromium + chromedriver).

A uvicorn server on 127.0.0.1 serves the app on a SYNTHETIC offline BAN index. The test
types an address, picks a suggestion, sees the verdict and the marker, clicks the map,
opens the printable fiche in print media; every request the page makes must go to the
app itself, and the console must show no JavaScript error.
"""

from __future__ import annotations

import json
import tempfile
import time
from urllib.parse import urlsplit

import pytest
from service_fixtures import serving, synthetic_index
from test_maps_html import browser  # noqa: F401  (the headless Chromium fixture)

from ortgeo.service import ServiceConfig, create_app

pytestmark = [pytest.mark.browser, pytest.mark.filterwarnings("ignore::DeprecationWarning")]


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    index = synthetic_index(tmp_path_factory.mktemp("ban"))
    with serving(create_app(ServiceConfig(ban_index=str(index)))) as url:
        yield url


def wait_for(driver, script: str, timeout: float = 15.0):
    deadline = time.time() + timeout
    while time.time() < deadline:
        value = driver.execute_script(script)
        if value:
            return value
        time.sleep(0.1)
    raise AssertionError(f"timed out waiting for: {script}")


def requests_and_errors(driver) -> tuple[list[str], list[dict]]:
    urls = []
    for entry in driver.get_log("performance"):
        msg = json.loads(entry["message"])["message"]
        if msg["method"] == "Network.requestWillBeSent":
            urls.append(msg["params"]["request"]["url"])
    errors = [e for e in driver.get_log("browser") if e["level"] == "SEVERE"]
    return urls, errors


def test_lookup_page_end_to_end(server, browser):  # noqa: F811
    from selenium.webdriver.common.by import By

    browser.get_log("performance")
    browser.get_log("browser")
    browser.get(server + "/")
    wait_for(browser, "return document.querySelectorAll('.leaflet-overlay-pane path').length")
    box = browser.find_element(By.ID, "address")
    box.send_keys("3 rue de la ga")
    wait_for(browser, "return document.querySelectorAll('#suggestions li').length")
    first = browser.find_element(By.CSS_SELECTOR, "#suggestions li")
    assert first.text == "3 Rue de la Gare 62300 Lens"
    first.click()
    card = wait_for(browser, "return document.getElementById('verdict-card')")
    assert card.get_attribute("data-status") == "dedans"
    assert "3 Rue de la Gare 62300 Lens" in card.text and "Denormandie" in card.text
    assert "indicatifs" in card.text
    wait_for(browser, "return document.querySelectorAll('path.ortgeo-marker').length === 1")
    assert "address=3+Rue+de+la+Gare" in browser.current_url  # permalink in the address bar

    # a click on the map checks that point
    carte = browser.find_element(By.ID, "carte")
    browser.execute_script(
        "var r = arguments[0].getBoundingClientRect();"
        "arguments[0].dispatchEvent(new MouseEvent('click', {clientX: r.left + 30,"
        " clientY: r.top + 30, bubbles: true}));", carte)  # fmt: skip
    wait_for(browser, "return location.search.indexOf('lon=') >= 0")
    wait_for(browser, "return document.getElementById('verdict-card').dataset.status")
    assert browser.find_element(By.ID, "verdict-card").text.startswith("Situation au")

    # the printable fiche, in print media
    browser.get(server + "/fiche?address=3+Rue+de+la+Gare+62300+Lens&date=2024-06-01")
    wait_for(
        browser,
        "var i = document.querySelector('img.fiche-map');"
        "return i && i.complete && i.naturalWidth > 0",
    )  # the map extract, a PNG
    assert "pas un certificat" in browser.find_element(By.CSS_SELECTOR, ".disclaimer").text
    browser.execute_cdp_cmd("Emulation.setEmulatedMedia", {"media": "print"})
    try:
        hidden = browser.execute_script(
            "return getComputedStyle(document.querySelector('.noprint')).display"
        )
        assert hidden == "none"
        assert browser.find_element(By.CSS_SELECTOR, ".answer").is_displayed()
    finally:
        browser.execute_cdp_cmd("Emulation.setEmulatedMedia", {"media": ""})
    browser.save_screenshot(str(tempfile.gettempdir() + "/ortgeo-fiche.png"))
    # printed by the browser, the fiche is one A4 page, as its PDF
    import base64
    import io

    from pypdf import PdfReader

    printed = browser.execute_cdp_cmd("Page.printToPDF", {"preferCSSPageSize": True})
    assert len(PdfReader(io.BytesIO(base64.b64decode(printed["data"]))).pages) == 1

    urls, errors = requests_and_errors(browser)
    origin = urlsplit(server).netloc
    ours = [u for u in urls if urlsplit(u).netloc == origin]
    # chrome:// and data: are the browser's own; any other scheme or host is the network
    outside = [u for u in urls if urlsplit(u).scheme not in ("chrome", "data", "blob")
               and urlsplit(u).netloc != origin]  # fmt: skip
    assert any("/api/v1/suggest" in u for u in ours), "the performance log is not working"
    assert any("/fragments/verdict" in u for u in ours)
    assert outside == []
    assert errors == []


def test_csv_upload_from_the_page(server, browser, tmp_path):  # noqa: F811
    from selenium.webdriver.common.by import By

    csv = tmp_path / "adresses.csv"
    csv.write_text("id;adresse\n1;3 rue de la Gare Lens\n2;=1+1\n", encoding="utf-8")
    browser.get(server + "/")
    browser.find_element(By.ID, "file").send_keys(str(csv))
    browser.find_element(By.CSS_SELECTOR, "#batch-form button").click()
    link = wait_for(browser, "return document.querySelector('#batch-status a')")
    assert "2 lignes" in link.text
    _, errors = requests_and_errors(browser)
    assert errors == []
