"""HTML maps of issue 11: commune limits and names, the situation map, UNESCO context,
streets, cartouche and watermark — in the page and, for what the reader sees, in Chromium.

The browser tests open the saved page from file:// in Debian's chromium (selenium), like
tests/test_maps_html.py (whose fixture is duplicated here at its minimum).
"""

from __future__ import annotations

import json
import re
import time

import pytest
from test_annex import official_catalog
from test_maps_html import browser  # noqa: F401  (the one headless Chromium fixture)
from test_maps_png import NEIGHBOURS, lens_streets

from ortgeo.maps import annex_map, render_html, save_html
from ortgeo.maps.style import CARTOUCHE_TITLE, CONTEXT_CREDIT, WATERMARK, escape


def div_icons(page: str) -> list[str]:
    """The HTML of every Leaflet divIcon of a page (commune and sector names)."""
    return [json.loads(f'"{m}"') for m in re.findall(r'"html": "((?:[^"\\]|\\.)*)"', page)]


def test_page_has_commune_limits_cartouche_watermark_and_context():
    page = render_html(annex_map("general"))
    icons = div_icons(page)
    for name in ("Lens", *NEIGHBOURS):
        assert f'<div class="ortgeo-commune-label">{escape(name)}</div>' in icons, name
    assert "Limite communale de Lens" in page and "Limite communale" in page
    assert escape(CARTOUCHE_TITLE) in page and "Aucun fond de voirie fourni" in page
    assert f'<div id="ortgeo-watermark">{escape(WATERMARK)}</div>' in page
    assert escape(CONTEXT_CREDIT) in page and "Gare de Lens" in page  # UNESCO, on by default
    assert escape("Secteur d'intervention – centre-ville (périmètre ORT homologué") in page
    no_context = render_html(annex_map("general", context=None))
    assert escape(CONTEXT_CREDIT) not in no_context


def test_no_watermark_on_official_tracés(tmp_path):
    page = render_html(annex_map("general", catalog=official_catalog(tmp_path)))
    assert 'id="ortgeo-watermark"' not in page
    assert escape(CARTOUCHE_TITLE) in page


def test_streets_in_tooltips(reference):
    streets = lens_streets(reference)
    page = render_html(annex_map("general", streets=streets))
    names = set(streets["nom_collaboratif_gauche"].dropna())
    assert sum(name in page for name in names) >= 10
    assert (
        "Voirie (couche fournie – IGN BD TOPO" in page and "Aucun fond de voirie fourni" not in page
    )


@pytest.mark.browser
def test_browser_shows_commune_names_lens_limit_and_sector_names(browser, tmp_path):  # noqa: F811
    path = save_html(annex_map("situation"), tmp_path / "situation.html")
    browser.get(path.as_uri())
    deadline = time.monotonic() + 10
    shown: list[str] = []
    while not shown and time.monotonic() < deadline:
        time.sleep(0.2)
        shown = browser.execute_script(
            "var box = document.querySelector('.folium-map').getBoundingClientRect();"
            "return Array.from(document.querySelectorAll('.ortgeo-commune-label'))"
            ".filter(e => { var r = e.getBoundingClientRect();"
            "  return e.style.visibility !== 'hidden' && r.left > box.left && r.left < box.right"
            "    && r.top > box.top && r.top < box.bottom; })"
            ".map(e => e.textContent);"
        )
    assert "Lens" in shown
    assert sum(name in shown for name in NEIGHBOURS) >= 6, shown
    strokes = browser.execute_script(
        "return Array.from(document.querySelectorAll('path.leaflet-interactive, path'))"
        ".map(p => [p.getAttribute('stroke'), p.getAttribute('stroke-width')]);"
    )
    assert ["#111111", "2.6"] in strokes  # the strong limit of Lens
    sectors = browser.execute_script(
        "return Array.from(document.querySelectorAll('.ortgeo-sector-label'))"
        ".map(e => e.textContent);"
    )
    assert sectors == ["Centre-ville de Lens", "Entrée de ville – Lens/Loison-sous-Lens"]
    mark = browser.execute_script(
        "var w = document.getElementById('ortgeo-watermark');"
        "return w && [w.textContent, getComputedStyle(w).pointerEvents];"
    )
    assert mark == [WATERMARK, "none"]  # visible, and clicks go through to the map
    layers = browser.execute_script(
        "return Array.from(document.querySelectorAll('.leaflet-control-layers-overlays label'))"
        ".map(l => [l.textContent.trim(), l.querySelector('input').checked]);"
    )
    assert ["Patrimoine mondial UNESCO (tracés officiels)", True] in layers


@pytest.mark.parametrize("kind", ["situation", "general", "zoom-extension"])
def test_every_html_map_names_each_sector_once_and_each_town_once(kind):
    from ortgeo.maps._state import annex_state

    page = render_html(annex_map(kind))
    icons = [json.loads(f'"{h}"') for h in re.findall(r'"html": "((?:[^"\\]|\\.)*)"', page)]
    names = [re.sub(r"<[^>]+>", "", h) for h in icons if "ortgeo-sector-label" in h]
    assert sorted(names) == sorted(escape(x.name) for x in annex_state().sectors)
    towns = [re.sub(r"<[^>]+>", "", h) for h in icons if "ortgeo-commune-label" in h]
    assert towns and len(towns) == len(set(towns))
    assert not [t for t in towns if "(centre)" in t]
    assert not any("Liévin (centre)" in h for h in icons)
