"""The maps of Annex 3 of the convention: interactive HTML (folium) and print (matplotlib).

One :class:`Scene` (what a map shows, from :func:`build_scene`) is drawn by either renderer:
:func:`scene_map` (HTML) or :func:`scene_figure` (print).

The renderers are imported on first use (folium for the HTML maps, matplotlib for the
print maps): a process that draws only one kind does not pay for the other.

>>> from ortgeo.maps import annex_map, figure
>>> annex_map("general", date="2024-06-01").get_name().startswith("map_")
True
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from ortgeo.maps.html import annex_map, offline_problems, render_html, save_html, scene_map
    from ortgeo.maps.png import check_print_size, figure, render_png, save_figure, scene_figure
    from ortgeo.maps.scene import Scene, build_scene

#: Where each public name lives.
_HOMES = {
    "annex_map": "html",
    "offline_problems": "html",
    "render_html": "html",
    "save_html": "html",
    "scene_map": "html",
    "check_print_size": "png",
    "figure": "png",
    "render_png": "png",
    "save_figure": "png",
    "scene_figure": "png",
    "Scene": "scene",
    "build_scene": "scene",
}

__all__ = [
    "Scene",
    "annex_map",
    "build_scene",
    "check_print_size",
    "figure",
    "offline_problems",
    "render_html",
    "render_png",
    "save_figure",
    "save_html",
    "scene_figure",
    "scene_map",
]


def __getattr__(name: str) -> Any:
    home = _HOMES.get(name)
    if home is None:
        raise AttributeError(f"module 'ortgeo.maps' has no attribute {name!r}")
    value = getattr(importlib.import_module(f"ortgeo.maps.{home}"), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted([*globals(), *_HOMES])
