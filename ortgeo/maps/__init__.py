"""The maps of Annex 3 of the convention: interactive HTML (folium) and print (matplotlib).

One :class:`Scene` (what a map shows, from :func:`build_scene`) is drawn by either renderer:
:func:`scene_map` (HTML) or :func:`scene_figure` (print).

>>> from ortgeo.maps import annex_map, figure
>>> annex_map("general", date="2024-06-01").get_name().startswith("map_")
True
"""

from ortgeo.maps.html import annex_map, offline_problems, render_html, save_html, scene_map
from ortgeo.maps.png import check_print_size, figure, render_png, save_figure, scene_figure
from ortgeo.maps.scene import Scene, build_scene

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
