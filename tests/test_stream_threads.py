"""``ortgeo locate`` on threads gives the answers of one thread, chunk for chunk, byte for
byte in the tables; and the engine's filters (grid, sure zones) change no pair."""

from __future__ import annotations

import numpy as np
import pyarrow.parquet as pq
import pytest
import shapely

import ortgeo
from ortgeo.catalog import write_sector_table
from ortgeo.engine import Sectors
from ortgeo.engine.exact import band_of, pairs
from ortgeo.points import points_from_xy
from ortgeo.synthetic_sectors import synthetic_national_catalog

DATE = "2022-03-01"


@pytest.fixture(scope="module")
def national(tmp_path_factory: pytest.TempPathFactory):
    """SYNTHETIC: 300 sectors, 40,000 points near them or anywhere in France."""
    folder = tmp_path_factory.mktemp("threads")
    cat = synthetic_national_catalog(300, 150, seed=8)
    table = write_sector_table(cat, folder / "secteurs.parquet", crs=2154)
    rng = np.random.default_rng(9)
    centres = shapely.centroid(np.array([x.geometry_l93 for x in cat]))
    k = rng.integers(0, len(centres), 40_000)
    near = rng.random(40_000) < 0.6
    x = np.where(near, shapely.get_x(centres[k]) + rng.normal(0, 900, 40_000),
                 rng.uniform(150_000, 1_050_000, 40_000))  # fmt: skip
    y = np.where(near, shapely.get_y(centres[k]) + rng.normal(0, 900, 40_000),
                 rng.uniform(6_200_000, 7_050_000, 40_000))  # fmt: skip
    import pyarrow as pa

    points = folder / "points.parquet"
    pq.write_table(pa.table({"id": np.arange(40_000), "x": x, "y": y}), points)
    return table, points, folder


@pytest.mark.parametrize("band", [None, 40.0])
def test_threads_give_the_answers_of_one_thread(national, band) -> None:
    table, points, folder = national
    outs = {}
    for jobs in (1, 3):
        out = folder / f"out-{jobs}-{band}.parquet"
        ortgeo.locate_file(points, out, table, DATE, chunk_size=10_000, band_m=band,
                           long_out=out.with_suffix(".long.parquet"), resume=False,
                           jobs=jobs)  # fmt: skip
        outs[jobs] = out
    for suffix in ("", ".long"):
        one = pq.read_table(outs[1].with_suffix(suffix + ".parquet"))
        three = pq.read_table(outs[3].with_suffix(suffix + ".parquet"))
        assert one.num_rows > 0 and one.equals(three, check_metadata=True)


def test_the_filters_change_no_pair(national) -> None:
    """The pairs of the engine equal those of plain GEOS tests on every (point, sector)
    pair — points on the limits and at the band's edge included."""
    table, _, _ = national
    sectors = Sectors.read(table).in_force(DATE)
    rng = np.random.default_rng(3)
    limits = shapely.boundary(sectors.geometry)
    # points on the limits, then moved across them by exactly the band and a hair more
    on = shapely.line_interpolate_point(limits[rng.integers(0, len(limits), 3000)],
                                        rng.random(3000), normalized=True)  # fmt: skip
    x, y = shapely.get_x(on), shapely.get_y(on)
    dx, dy = rng.normal(size=3000), rng.normal(size=3000)
    norm = np.hypot(dx, dy)
    shifts = [0.0, 40.0, -40.0, 40.0 + 1e-9, 3.0, -3.0, 55.0, -55.0]
    xs = np.concatenate([x + s * dx / norm for s in shifts])
    ys = np.concatenate([y + s * dy / norm for s in shifts])
    pts = points_from_xy(xs, ys)
    unc = np.zeros(len(xs))
    point, sec, inside, near, dist = pairs(sectors, pts, 40.0, unc, "near")
    # plain GEOS on every pair (no grid, no zones)
    geoms = shapely.points(xs, ys)
    all_p, all_s = np.meshgrid(np.arange(len(xs)), np.arange(len(sectors)), indexing="ij")
    all_p, all_s = all_p.ravel(), all_s.ravel()
    box = shapely.bounds(sectors.geometry)[all_s]
    close = ((xs[all_p] >= box[:, 0] - 41) & (xs[all_p] <= box[:, 2] + 41)
             & (ys[all_p] >= box[:, 1] - 41) & (ys[all_p] <= box[:, 3] + 41))  # fmt: skip
    all_p, all_s = all_p[close], all_s[close]
    want_in = shapely.intersects(sectors.geometry[all_s], geoms[all_p])
    d = shapely.distance(sectors.boundaries[all_s], geoms[all_p])
    want_near = d <= band_of(sectors, all_s, unc[all_p], 40.0)
    keep = want_in | want_near
    want = set(zip(all_p[keep].tolist(), all_s[keep].tolist(), strict=True))
    got = set(zip(point.tolist(), sec.tolist(), strict=True))
    assert got == want
    assert len(want) > 5000
    order = {k: i for i, k in enumerate(zip(point.tolist(), sec.tolist(), strict=True))}
    idx = np.array([order[k] for k in zip(all_p[keep].tolist(), all_s[keep].tolist(),
                                           strict=True)])  # fmt: skip
    assert (inside[idx] == want_in[keep]).all() and (near[idx] == want_near[keep]).all()
    signed = np.where(want_in, d, -d)[keep]
    np.testing.assert_array_equal(dist[idx][want_near[keep]], signed[want_near[keep]])
