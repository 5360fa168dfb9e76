"""One legend per map, built once from the scene and drawn by both renderers.

:func:`build_legend` decides the groups, their order, the labels and the symbols;
:mod:`ortgeo.maps.html` draws it as SVG swatches in the sidebar and
:mod:`ortgeo.maps.paper.legend` as matplotlib handles. Neither renderer decides what
the legend says.
"""

from __future__ import annotations

import dataclasses
from typing import TYPE_CHECKING, Literal

from ortgeo.maps.style import (
    CADASTRE_STYLES,
    CALL_STYLE,
    COMMUNE_STYLE,
    CONTEXT_STYLES,
    GROUP_LABELS,
    LANDMARK_STYLES,
    LENS_STYLE,
    PRECISION_LEGEND,
    STATUS_COLOURS,
    STATUS_LABELS,
    STREET_STYLE,
    LandmarkStyle,
    LayerStyle,
    layer_style,
    precision_fr,
)

if TYPE_CHECKING:
    from ortgeo.maps._state import StateLayer
    from ortgeo.maps.scene import Scene

__all__ = ["LegendGroup", "LegendItem", "build_legend"]

Symbol = Literal["area", "line", "dot", "ring"]


@dataclasses.dataclass(frozen=True)
class LegendItem:
    """One line of a legend: a symbol drawn in a style, and its label."""

    label: str
    symbol: Symbol
    area: LayerStyle | None = None
    dot: LandmarkStyle | None = None
    #: A second line for the HTML legend (the catalogue layer, its status and precision).
    detail: str = ""


@dataclasses.dataclass(frozen=True)
class LegendGroup:
    """A heading and its items."""

    title: str
    items: tuple[LegendItem, ...]


def _dot(colour: str, label: str, radius: float = 5.0, edge: str = "#ffffff") -> LegendItem:
    return LegendItem(label, "dot", dot=LandmarkStyle(colour, edge, radius, label))


def _perimeter(item: StateLayer) -> LegendItem:
    layer = item.layer
    detail = f"{layer.title} — {layer.status}, {precision_fr(layer.accuracy_m)}"
    return LegendItem(item.legend, "area", area=layer_style(layer), detail=detail)


def _areas(styles: dict[str, LayerStyle], present: set[str]) -> list[LegendItem]:
    """One area item per style whose key is ``present``, in the styles' order."""
    return [LegendItem(s.legend, "area", area=s) for key, s in styles.items() if key in present]


def build_legend(scene: Scene) -> list[LegendGroup]:
    """The legend of a scene, groups in reading order (empty groups left out).

    Examples
    --------
    >>> from ortgeo.maps.scene import build_scene
    >>> [g.title for g in build_legend(build_scene("general"))][:3]
    ["Secteurs d'intervention de l'ORT", 'Pour information', 'Limites communales']
    """
    groups: list[LegendGroup] = []

    def add(title: str, items: list[LegendItem]) -> None:
        if items:
            groups.append(LegendGroup(title, tuple(items)))

    sectors = [_perimeter(x) for x in scene.sectors]
    if not sectors:
        sectors = [LegendItem("aucun secteur d'intervention en vigueur", "line")]
    add(GROUP_LABELS["sectors"], sectors)
    add(
        GROUP_LABELS["others"],
        [_perimeter(x) for x in scene.others],
    )
    communes = [LegendItem(LENS_STYLE.legend, "line", area=LENS_STYLE)]
    if scene.kind == "situation":
        communes.append(LegendItem(CALL_STYLE.legend, "area", area=CALL_STYLE))
    else:
        communes.append(LegendItem(COMMUNE_STYLE.legend, "line", area=COMMUNE_STYLE))
    add(GROUP_LABELS["communes"], communes)
    if scene.streets is not None:
        add(GROUP_LABELS["streets"], [LegendItem(scene.streets_label, "line", area=STREET_STYLE)])
    if scene.cadastre is not None:
        add(GROUP_LABELS["cadastre"], _areas(CADASTRE_STYLES, set(scene.cadastre["kind"])))
    if scene.context is not None:
        add(GROUP_LABELS["context"], _areas(CONTEXT_STYLES, set(scene.context["layer"])))
    kinds = set(scene.landmarks["kind"])
    marks = [LegendItem(s.legend, "dot", dot=s) for k, s in LANDMARK_STYLES.items() if k in kinds]
    if "action" in kinds:
        marks.append(LegendItem(PRECISION_LEGEND, "ring", dot=LANDMARK_STYLES["action"]))
    add(GROUP_LABELS["control" if scene.kind == "controle" else "landmarks"], marks)
    if scene.addresses is not None and len(scene.addresses):
        counts = scene.addresses["status"].value_counts()
        add(
            GROUP_LABELS["addresses"],
            [
                _dot(STATUS_COLOURS[s], f"{label} ({counts[s]})")
                for s, label in STATUS_LABELS.items()
                if counts.get(s, 0)
            ],
        )
    return groups
