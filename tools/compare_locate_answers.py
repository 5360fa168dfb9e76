"""Prove that ``ortgeo.locate`` answers are unchanged: frame-equal to a reference checkout.

    python tools/compare_locate_answers.py --before /tmp/ortgeo-before [--n 1000000]

``--before`` is a source tree holding ``ortgeo`` and ``data`` (e.g. ``git archive 978dd88
ortgeo data | tar -x -C /tmp/ortgeo-before``). Runs this script twice in subprocesses, once
on that tree (through ``PYTHONPATH``) and once on this checkout, each pickling the frames
``ortgeo.locate`` gives for the same seeded inputs; then compares them in full with
``pandas.testing.assert_frame_equal(check_exact=True)``: values, dtypes, index, column
order, the GeoDataFrame's type and CRS. Exit status 1 when any frame differs.

Inputs: ``--n`` random points over Lens, plus every vertex and mid-segment of the sectors'
limits and the same moved 50 m east and west, and invalid ones (NaN, degrees given as
metres, zeros, far away); located with ``distances`` "all" and "near", ``lonlat`` off,
uncertainties, a band, three dates (before the ORT, the OPAH-RU uncertain, in force), as
lon/lat tuples and tables, with commune codes given, few points, points over the whole
département and none.
"""

from __future__ import annotations

import argparse
import os
import pickle
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

D = "2024-06-01"


def frames(n: int) -> dict[str, Any]:
    """The located frames of every case (see the module)."""
    import geopandas as gpd
    import numpy as np
    import pandas as pd
    import shapely

    import ortgeo

    rng = np.random.default_rng(0)
    x = rng.uniform(684_500, 691_500, n)
    y = rng.uniform(7_034_500, 7_039_500, n)
    polys = ortgeo.perimeters(date=D).to_crs(2154).geometry.to_numpy()
    c = shapely.get_coordinates(shapely.boundary(polys))
    on = np.concatenate([c, (c[:-1] + c[1:]) / 2])
    xx = np.concatenate([x, on[:, 0], on[:, 0] + 50, on[:, 0] - 50.0, [np.nan, 2.83, 0.0, 1e7]])
    yy = np.concatenate([y, on[:, 1], on[:, 1], on[:, 1], [7e6, 50.4, 0.0, 7e6]])
    g = gpd.GeoDataFrame({"name": np.arange(len(xx))}, geometry=gpd.points_from_xy(xx, yy),
                         crs=2154, index=np.arange(len(xx)) * 3)  # fmt: skip
    unc = rng.uniform(0, 80, len(xx))
    out = {
        "all": ortgeo.locate(g, date=D, distances="all"),
        "all-xy": ortgeo.locate(g, date=D, distances="all", lonlat=False),
        "near": ortgeo.locate(g, date=D, distances="near"),
        "near-unc": ortgeo.locate(g.geometry, date=D, distances="near", uncertainty_m=unc),
        "all-band": ortgeo.locate(g.geometry, date=D, distances="all", band_m=12.5),
        "old-date": ortgeo.locate(g, date="2021-06-10", distances="all"),
        "no-ort": ortgeo.locate(g.iloc[: n // 3], date="2015-01-01", distances="all"),
    }
    sub = g.iloc[: max(n // 5, 1)].to_crs(4326)
    lon, lat = sub.geometry.x.to_numpy(), sub.geometry.y.to_numpy()
    out["lonlat-tuple"] = ortgeo.locate((lon, lat), date=D, distances="all")
    out["lonlat-df"] = ortgeo.locate(pd.DataFrame({"lon": lon, "lat": lat}), date=D,
                                     distances="near")  # fmt: skip
    given = np.where(np.arange(len(lon)) % 3 == 0, "62523", None).astype(object)
    out["citycode"] = ortgeo.locate((lon, lat), date=D, distances="all", citycode=given)
    out["small"] = ortgeo.locate(g.iloc[:1000], date=D, distances="all")
    m = max(n // 3, 1)
    wide = gpd.GeoDataFrame(geometry=gpd.points_from_xy(rng.uniform(600_000, 760_000, m),
                            rng.uniform(6_950_000, 7_100_000, m)), crs=2154)  # fmt: skip
    out["wide-area"] = ortgeo.locate(wide, date=D, distances="all")
    out["empty"] = ortgeo.locate(g.iloc[:0], date=D)
    return out


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--before", help="source tree of the reference (ortgeo and data)")
    parser.add_argument("--n", type=int, default=1_000_000)
    parser.add_argument("--dump", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.dump:
        import ortgeo

        print(ortgeo.__file__, file=sys.stderr)
        with open(args.dump, "wb") as f:
            pickle.dump(frames(args.n), f)
        return
    if not args.before:
        parser.error("--before is required")
    import pandas as pd

    with tempfile.TemporaryDirectory() as tmp:
        dumps = []
        for name, path in (("before", Path(args.before).resolve()), ("now", None)):
            env = dict(os.environ)
            if path is not None:
                env["PYTHONPATH"] = str(path)
            dump = Path(tmp) / f"{name}.pkl"
            subprocess.run([sys.executable, __file__, "--dump", str(dump), "--n", str(args.n)],
                           check=True, env=env)  # fmt: skip
            with open(dump, "rb") as f:
                dumps.append(pickle.load(f))
    before, now = dumps
    bad = 0
    for key, want in before.items():
        got = now[key]
        try:
            pd.testing.assert_frame_equal(got, want, check_exact=True)
            assert list(got.dtypes) == list(want.dtypes), "dtypes"
            assert type(got) is type(want), "type"
            assert getattr(got, "crs", None) == getattr(want, "crs", None), "crs"
            print(f"same: {key} {got.shape}")
        except AssertionError as error:
            bad += 1
            print(f"DIFFERENT: {key}: {str(error)[:800]}")
    print(f"{len(before) - bad} of {len(before)} cases identical")
    sys.exit(1 if bad else 0)


if __name__ == "__main__":
    main()
