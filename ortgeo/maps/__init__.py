"""The maps of Annex 3 of the convention: interactive HTML (folium) and print (matplotlib).

>>> from ortgeo.maps import annex_map, figure
>>> annex_map("general", date="2024-06-01").get_name().startswith("map_")
True
"""

from ortgeo.maps.html import annex_map, offline_problems, render_html, save_html
from ortgeo.maps.png import figure, render_png
from ortgeo.maps.scene import Scene, build_scene

__all__ = [
    "Scene",
    "annex_map",
    "build_scene",
    "figure",
    "offline_problems",
    "render_html",
    "render_png",
    "save_html",
]
