"""What the print maps draw inside the map frame: areas, outlines, streets, points.

Polygons go through :func:`shapely.plotting.patch_from_polygon` (holes and multi-parts
included); styles come from :mod:`ortgeo.maps.style`.
"""

from __future__ import annotations

import geopandas as gpd
import pandas as pd
import shapely
import shapely.plotting
from matplotlib.axes import Axes
from matplotlib.collections import LineCollection, PatchCollection
from matplotlib.patches import Circle, Patch
from matplotlib.transforms import Bbox

from ortgeo.crs import L93, to_l93_xy
from ortgeo.maps.paper.labels import Label, point_box, sector_anchor, wrap
from ortgeo.maps.style import (
    CADASTRE_STYLES,
    CALL_STYLE,
    COMMUNE_STYLE,
    CONTEXT_STYLES,
    LANDMARK_STYLES,
    LENS_STYLE,
    STATUS_COLOURS,
    STREET_STYLE,
    LayerStyle,
    precision_fr,
)

__all__ = [
    "area", "cadastre", "commune_labels", "communes", "context", "landmarks", "outline", "streets",
]  # fmt: skip


def _add(ax: Axes, patch: Patch) -> None:
    """Add a patch without growing the data limits (fixed by the frame): ``add_patch``
    walks every vertex of the path to update them, which costs more than drawing it."""
    ax.add_artist(patch)


def _polygonal(geom: shapely.Geometry) -> shapely.Geometry | None:
    kinds = ("Polygon", "MultiPolygon")
    parts = [g for g in getattr(geom, "geoms", [geom]) if g.geom_type in kinds and not g.is_empty]
    return shapely.union_all(parts) if parts else None


def area(ax: Axes, geom: shapely.Geometry, style: LayerStyle, zorder: float, gid: str) -> None:
    """A filled (and hatched) area with its outline."""
    geom = _polygonal(geom)
    if geom is None:
        return
    if style.fill_opacity > 0:
        _add(
            ax,
            shapely.plotting.patch_from_polygon(
                geom,
                facecolor=style.colour,
                alpha=min(1.0, style.fill_opacity * 1.5),
                edgecolor="none",
                zorder=zorder,
                gid=gid,
            ),
        )
    if style.hatch:
        _add(
            ax,
            shapely.plotting.patch_from_polygon(
                geom,
                facecolor="none",
                edgecolor=style.colour,
                hatch=style.hatch,
                linewidth=0,
                alpha=0.55,
                zorder=zorder,
                gid=gid,
            ),
        )
    outline(ax, geom, style, zorder + 0.5, gid)


def outline(ax: Axes, geom: shapely.Geometry, style: LayerStyle, zorder: float, gid: str) -> None:
    """The outline of an area in the style's colour, width and dashes."""
    geom = _polygonal(geom)
    if geom is None:
        return
    _add(
        ax,
        shapely.plotting.patch_from_polygon(
            geom,
            facecolor="none",
            edgecolor=style.colour,
            linewidth=style.mpl_linewidth,
            linestyle=style.mpl_linestyle,
            zorder=zorder,
            gid=gid,
        ),
    )


def communes(ax: Axes, comm: gpd.GeoDataFrame, frame: tuple[float, ...], situation: bool) -> None:
    """Every commune limit in the frame, Lens in a strong line (the CALL filled lightly on the
    situation map)."""
    frame_box = shapely.box(*frame)
    for geom, is_lens, call in zip(
        comm.to_crs(L93).geometry, comm["is_lens"], comm["call"], strict=True
    ):
        if not geom.intersects(frame_box):
            continue
        if situation and call and not is_lens:
            area(ax, geom, CALL_STYLE, zorder=1, gid="commune-call")
        outline(
            ax,
            geom,
            LENS_STYLE if is_lens else COMMUNE_STYLE,
            2.5 if is_lens else 2,
            "commune-lens" if is_lens else "commune",
        )


def commune_labels(
    comm: gpd.GeoDataFrame,
    frame: tuple[float, ...],
    fontsize: float,
    avoid: shapely.Geometry | None = None,
) -> list[Label]:
    """The name of every commune the map shows enough of, once.

    A name goes at the town's centre landmark when there is one, else in the middle of the
    town's visible part outside ``avoid`` (the sectors, which carry their own names).
    """
    frame_box = shapely.box(*frame)
    inner = frame_box.buffer(-0.03 * (frame[2] - frame[0]))
    labels: list[Label] = []
    anchors = _label_points_l93(comm)
    for geom, name, is_lens, anchor in zip(
        comm.to_crs(L93).geometry, comm["nom"], comm["is_lens"], anchors, strict=True
    ):
        visible = geom.intersection(inner)
        if not name or visible.is_empty or visible.area <= 0.004 * frame_box.area:
            continue
        if anchor is not None and visible.contains(anchor):
            x, y = anchor.x, anchor.y
        else:  # the middle of the visible part: away from the frame and its furniture
            free = visible.difference(avoid) if avoid is not None else visible
            middle = sector_anchor(free, inner.bounds) or sector_anchor(visible, inner.bounds)
            x, y = middle or visible.representative_point().coords[0]
        labels.append(
            Label(
                name.upper() if is_lens else name,
                x,
                y,
                -1 if is_lens else 3,  # the town the map is about comes first
                fontsize * 1.05,
                style="italic",
                colour="#555555",
                centred=True,
                weight="bold" if is_lens else "normal",
            )
        )
    return labels


def _label_points_l93(comm: gpd.GeoDataFrame) -> list[shapely.Point | None]:
    """Where each commune's name goes (its centre landmark), Lambert-93, or None."""
    if "label_lon" not in comm:
        return [None] * len(comm)
    lon, lat = comm["label_lon"].to_numpy(float), comm["label_lat"].to_numpy(float)
    x, y = to_l93_xy(lon, lat)
    return [shapely.Point(a, b) if a == a else None for a, b in zip(x, y, strict=True)]


def context(ax: Axes, ctx: gpd.GeoDataFrame, frame: tuple[float, ...]) -> None:
    """The official UNESCO context polygons under the sectors."""
    box = shapely.box(*frame)
    l93 = ctx.to_crs(L93)
    order = list(CONTEXT_STYLES)
    for name in sorted(set(l93["layer"]), key=lambda n: order.index(n) if n in order else 9):
        style = CONTEXT_STYLES.get(name, COMMUNE_STYLE)
        sub = l93[l93["layer"] == name]
        geoms = [g for g in sub.geometry if g.intersects(box)]
        if geoms:
            area(ax, shapely.union_all(geoms), style, zorder=3, gid=f"context-{name}")


def cadastre(ax: Axes, parcels: gpd.GeoDataFrame, frame: tuple[float, ...]) -> None:
    """Parcels (thin outlines) and buildings (light grey), the background of the map."""
    l93 = parcels.to_crs(L93)
    l93 = l93[l93.intersects(shapely.box(*frame))]
    for kind, style in CADASTRE_STYLES.items():
        geoms = [g for g in l93.loc[l93["kind"] == kind].geometry if g is not None]
        if not geoms:
            continue
        patches = [shapely.plotting.patch_from_polygon(g) for g in geoms]  # one collection
        ax.add_collection(
            PatchCollection(
                patches,
                facecolors=style.colour if style.fill_opacity > 0 else "none",
                edgecolors=style.colour,
                linewidths=style.mpl_linewidth,
                alpha=max(style.fill_opacity, 0.9) if style.fill_opacity > 0 else 1.0,
                zorder=0.5 if kind == "parcelle" else 0.6,
                gid=f"cadastre-{kind}",
            )
        )


def streets(ax: Axes, lines: gpd.GeoDataFrame, frame: tuple[float, ...]) -> gpd.GeoDataFrame:
    """The road layer (one line collection); returns the Lambert-93 lines in the frame."""
    l93 = lines.to_crs(L93)
    l93 = l93[l93.intersects(shapely.box(*frame))]
    segments = []
    for geom in l93.geometry:
        for part in getattr(geom, "geoms", [geom]):
            segments.append(shapely.get_coordinates(part))
    ax.add_collection(
        LineCollection(
            segments,
            colors=STREET_STYLE.colour,
            linewidths=STREET_STYLE.mpl_linewidth,
            zorder=3.2,
            gid="streets",
            capstyle="round",
        )
    )
    return l93


def addresses(ax: Axes, addr: pd.DataFrame, scale: float) -> None:
    """Checked addresses coloured by status."""
    ax.scatter(
        addr["x"],
        addr["y"],
        s=(2.2 * scale) ** 2 * 2,
        c=[STATUS_COLOURS[s] for s in addr["status"]],
        edgecolors="white",
        linewidths=0.2,
        zorder=9,
        gid="addresses",
    )


def landmarks(
    ax: Axes, marks: gpd.GeoDataFrame, frame: tuple[float, ...], scale: float, fontsize: float
) -> tuple[list[Label], list[Bbox]]:
    """Landmarks and action sites (with their precision ring); labels and marker boxes."""
    in_frame = marks[
        (marks["x"] > frame[0])
        & (marks["x"] < frame[2])
        & (marks["y"] > frame[1])
        & (marks["y"] < frame[3])
    ]
    labels: list[Label] = []
    obstacles: list[Bbox] = []
    for _, row in in_frame.iterrows():
        style = LANDMARK_STYLES.get(row["kind"], LANDMARK_STYLES["repere"])
        is_action = row["kind"] == "action"
        if is_action and pd.notna(row["precision_m"]):
            for face, edge, alpha in ((style.colour, "none", 0.07), ("none", style.colour, 1.0)):
                _add(
                    ax,
                    Circle(
                        (row["x"], row["y"]),
                        float(row["precision_m"]),
                        facecolor=face,
                        edgecolor=edge,
                        alpha=alpha,
                        linestyle=(0, (4, 3)),
                        linewidth=0.9,
                        zorder=10,
                    ),
                )
        radius_pt = style.radius * 0.75 * scale
        ax.plot(
            row["x"],
            row["y"],
            marker="o",
            markersize=2 * radius_pt,
            markerfacecolor=style.colour,
            markeredgecolor=style.edge if style.edge != "#ffffff" else "#222222",
            markeredgewidth=0.8,
            zorder=12,
            gid=f"landmark-{row['kind']}",
        )
        obstacles.append(point_box(ax, row["x"], row["y"], radius_pt + 1))
        text = wrap(row["name"], 30)
        if is_action and pd.notna(row["precision_m"]):
            text += f"\n(position {precision_fr(row['precision_m'])})"
        labels.append(
            Label(
                text,
                row["x"],
                row["y"],
                0 if is_action else 1,
                fontsize * (1.0 if is_action else 0.95),
                weight="bold" if is_action else "normal",
                colour="#8a1251" if is_action else "#222222",
            )
        )
    return labels, obstacles
