"""A SYNTHETIC national catalogue: thousands of sectors of many territories, every legal field.

For tests and benchmarks of the national path (``ortgeo locate --catalog table.parquet``):
sectors scattered over metropolitan France around made-up town centres, each with its
territory and acts, validity dates of every precision (exact, "not before", approximate
start and end) and a coverage that claims every commune (the table stands for "every ORT
sector of France"). Every layer is labelled ``synthetic``: an answer built on it says so.

>>> cat = synthetic_national_catalog(40, 20, seed=1)
>>> len(cat), len(cat.territories), cat["syn-00000"].provenance.synthetic
(40, 20, True)
"""

from __future__ import annotations

import datetime as _dt
from collections.abc import Sequence

import numpy as np
import shapely
from shapely import affinity

from ortgeo.catalog import Catalog
from ortgeo.crs import to_wgs84_lonlat
from ortgeo.model import ALL_COMMUNES, ORT_SECTOR, ORT_TOPIC, Act, CoverageEntry, Layer, Provenance
from ortgeo.model import Territory as _Territory

__all__ = ["synthetic_national_catalog"]

#: Metropolitan France, roughly, in Lambert-93 (where the made-up towns are).
_BOX = (150_000.0, 6_200_000.0, 1_050_000.0, 7_050_000.0)
_PRECISIONS = ("exact", "exact", "exact", "not-before", "approximate")


def _star(rng: np.random.Generator, vertices: int) -> shapely.Polygon:
    """A random star-shaped polygon of area about 1 (a made-up sector's outline)."""
    angles = np.sort(rng.uniform(0, 2 * np.pi, vertices))
    radii = rng.uniform(0.6, 1.0, vertices)
    poly = shapely.Polygon(np.c_[radii * np.cos(angles), radii * np.sin(angles)])
    poly = shapely.make_valid(poly)
    if poly.geom_type != "Polygon":
        poly = max(getattr(poly, "geoms", [poly]), key=lambda g: g.area)
    return affinity.scale(poly, 1 / np.sqrt(poly.area), 1 / np.sqrt(poly.area), origin=(0, 0))


def synthetic_national_catalog(
    n_sectors: int = 3000,
    n_territories: int = 1500,
    *,
    seed: int = 0,
    shapes: Sequence[shapely.Polygon] | None = None,
) -> Catalog:
    """SYNTHETIC: ``n_sectors`` sectors of ``n_territories`` territories, Lambert-93 geometry.

    Parameters
    ----------
    n_sectors, n_territories : int
        Sizes (territories get 1 to a few sectors each; 80 % ORT sectors, 20 % OPAH-RU).
    seed : int
        Random seed: the same seed gives the same catalogue.
    shapes : sequence of Polygon, optional
        Outlines to scale and rotate (e.g. commune outlines); default: random stars.

    Returns
    -------
    Catalog
        With territories and their conventions, one amendment per sector, a coverage of
        every commune (``"*"``) and synthetic provenance.
    """
    rng = np.random.default_rng(seed)
    xmin, ymin, xmax, ymax = _BOX
    tx, ty = rng.uniform(xmin, xmax, n_territories), rng.uniform(ymin, ymax, n_territories)
    extra = rng.integers(0, n_territories, max(n_sectors - n_territories, 0))
    terr_of = np.sort(np.r_[np.arange(min(n_territories, n_sectors)), extra])
    territories, acts, layers = [], [], []
    for t in range(n_territories):
        signed = _dt.date(2018, 10, 1) + _dt.timedelta(days=int(rng.integers(0, 1500)))
        act = Act(f"conv-{t:05d}", "convention", f"Convention d'ORT synthétique {t}", signed,
                  short=f"convention d'ORT synthétique {t}")  # fmt: skip
        acts.append(act)
        territories.append(_Territory(id=f"T{t:05d}", name=f"Territoire synthétique {t}",
                                      kind="epci", acts=(act,),
                                      ort_name=f"ORT synthétique {t}"))  # fmt: skip
    for i in range(n_sectors):
        t = int(terr_of[i])
        base = shapes[int(rng.integers(len(shapes)))] if shapes else _star(rng, int(
            rng.integers(50, 400)))  # fmt: skip
        shape = base if shapes is None else shapely.Polygon(base.exterior)
        area = rng.uniform(10, 500) * 1e4
        centre = shape.centroid
        g = affinity.rotate(shape, float(rng.uniform(0, 360)), origin=centre)
        g = affinity.scale(g, *(2 * [float(np.sqrt(area / shape.area))]), origin=centre)
        g = affinity.translate(g, tx[t] - centre.x + rng.normal(0, 1500),
                               ty[t] - centre.y + rng.normal(0, 1500))  # fmt: skip
        g = shapely.make_valid(g)
        if g.geom_type not in ("Polygon", "MultiPolygon"):
            g = shapely.union_all([p for p in getattr(g, "geoms", [g])
                                   if p.geom_type in ("Polygon", "MultiPolygon")])  # fmt: skip
        territory_act = acts[t]
        assert territory_act.date is not None
        start = territory_act.date + _dt.timedelta(days=int(rng.integers(0, 900)))
        precision = _PRECISIONS[int(rng.integers(len(_PRECISIONS)))]
        sector_act = Act(f"avenant-{i:05d}", "avenant", f"Avenant synthétique {i}", start,
                         precision, short=f"avenant synthétique {i}")  # fmt: skip
        acts.append(sector_act)
        kind = ORT_SECTOR if rng.random() < 0.8 else "opah-ru"
        end, end_precision = None, "exact"
        if kind != ORT_SECTOR:
            end = start + _dt.timedelta(days=5 * 365)
            end_precision = "approximate"
        geometry = shapely.transform(g, lambda xy: np.c_[to_wgs84_lonlat(xy[:, 0], xy[:, 1])])
        layer = Layer(
            id=f"syn-{i:05d}", kind=kind, name=f"Secteur synthétique {i}", valid_from=start,
            valid_from_precision=precision, valid_to=end, valid_to_precision=end_precision,
            accuracy_m=float(rng.uniform(5, 50)), geometry=geometry, territory=f"T{t:05d}",
            acts=(sector_act,), valid_from_basis=sector_act.id,
            provenance=Provenance("indicatif", "ortgeo.synthetic_sectors (synthétique)",
                                  synthetic=True),
            owner="Territoire synthétique" if kind != ORT_SECTOR else "",
        )  # fmt: skip
        shapely.prepare(g)
        layer.__dict__["geometry_l93"] = g  # the metric outline as drawn, no round trip
        layers.append(layer)
    ordered = [x for x in layers if x.is_ort_sector] + [x for x in layers if not x.is_ort_sector]
    every = "synthétique : la table tient pour tous les secteurs"
    coverage = [CoverageEntry(ORT_TOPIC, (ALL_COMMUNES,), "complete", notes=every)]
    coverage += [CoverageEntry(x.id, (ALL_COMMUNES,), "complete", (x.id,))
                 for x in ordered if not x.is_ort_sector]  # fmt: skip
    return Catalog(ordered, name="catalogue national synthétique", acts=acts,
                   territories=territories, coverage=coverage, version="synthetic")  # fmt: skip
