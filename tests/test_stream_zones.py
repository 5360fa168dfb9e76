"""The sure zones of the national path never decide a pair wrongly.

The outer zone (mitred corners) must hold every point within the reach of a sector; the
inner zone only points inside it by more than the reach. Checked on SYNTHETIC sectors
(:mod:`ortgeo.synthetic_sectors`) against a finely rounded buffer and against the exact
tests of every candidate pair.
"""

from __future__ import annotations

import numpy as np
import shapely

from ortgeo.engine import Sectors
from ortgeo.engine.exact import pairs
from ortgeo.engine.index import _zones, sure_margin
from ortgeo.points import points_from_xy
from ortgeo.synthetic_sectors import synthetic_national_catalog


def _sectors() -> Sectors:
    return Sectors.from_catalog(synthetic_national_catalog(120, 60, seed=7))


def test_the_mitred_outer_zone_holds_every_point_within_the_reach() -> None:
    s = _sectors()
    reach = np.full(len(s), 50.0)
    outer, inner = _zones(s.geometry, reach + sure_margin(reach))
    fine = shapely.buffer(s.geometry, reach, quad_segs=64)  # nearly the true dilation
    assert shapely.contains(outer, fine).all()
    eroded = shapely.buffer(s.geometry, -reach, quad_segs=64)
    assert shapely.contains(shapely.buffer(eroded, 1e-6), inner).all()


def test_the_zones_give_the_pairs_of_the_exact_tests() -> None:
    s = _sectors()
    rng = np.random.default_rng(3)
    # points around the outlines (where the zones decide) and anywhere in the sectors' boxes
    rings = shapely.get_coordinates(shapely.boundary(s.geometry))
    pick = rings[rng.integers(0, len(rings), 6_000)] + rng.normal(0, 60, (6_000, 2))
    b = shapely.total_bounds(s.geometry)
    spread = np.column_stack([rng.uniform(b[0], b[2], 6_000), rng.uniform(b[1], b[3], 6_000)])
    xy = np.vstack([pick, spread])
    pts = points_from_xy(xy[:, 0], xy[:, 1])
    band = 50.0
    point, sec, inside, near, _ = pairs(s, pts, band, np.zeros(len(xy)), "near")
    got = set(zip(point.tolist(), sec.tolist(), inside.tolist(), near.tolist(), strict=True))
    # every pair, tested exactly: inside (limit included), within the band of the limit
    want = set()
    for k, g in enumerate(s.geometry):
        x0, y0, x1, y1 = shapely.bounds(g)
        w = 2 * band
        box = np.flatnonzero((xy[:, 0] >= x0 - w) & (xy[:, 0] <= x1 + w)
                             & (xy[:, 1] >= y0 - w) & (xy[:, 1] <= y1 + w))  # fmt: skip
        ins = shapely.intersects_xy(g, xy[box, 0], xy[box, 1])
        nr = shapely.distance(shapely.boundary(g), shapely.points(xy[box])) <= band
        for i in np.flatnonzero(ins | nr):
            want.add((int(box[i]), k, bool(ins[i]), bool(nr[i])))
    assert got == want
