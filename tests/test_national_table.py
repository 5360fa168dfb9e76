"""The national path is the same law: a sector table of 3,000 sectors of 1,500 territories.

A SYNTHETIC national catalogue (:mod:`ortgeo.synthetic_sectors`: made-up sectors over
France, dates of every precision, acts per territory and per sector) is written as a
GeoParquet sector table; ``ortgeo locate --catalog`` on it answers what ``check_point``
answers with the same catalogue, point by point, and the table keeps every legal field.
"""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pyarrow.parquet as pq
import pytest
import shapely
from click.testing import CliRunner

import ortgeo
from ortgeo.catalog import read_catalog, write_sector_table
from ortgeo.catalog.table import TABLE_COLUMNS
from ortgeo.cli import main
from ortgeo.crs import to_wgs84_lonlat
from ortgeo.synthetic_sectors import synthetic_national_catalog

DATE = "2022-03-01"


@pytest.fixture(scope="module")
def national(tmp_path_factory: pytest.TempPathFactory):
    folder = tmp_path_factory.mktemp("national")
    cat = synthetic_national_catalog(3000, 1500, seed=4)
    path = write_sector_table(cat, folder / "secteurs.parquet", crs=2154)
    return cat, path, folder


def test_the_table_keeps_every_legal_field(national) -> None:
    cat, path, _ = national
    assert set(TABLE_COLUMNS) <= set(pq.read_schema(path).names)
    meta = json.loads(pq.read_schema(path).metadata[b"ortgeo"])
    assert len(meta["territories"]) == 1500 and len(meta["acts"]) == 1500 + 3000
    back = read_catalog(path)
    assert len(back) == 3000 and len(back.territories) == 1500
    precisions = {x.valid_from_precision for x in back}
    assert precisions == {"exact", "not-before", "approximate"}
    for x in list(back)[:50]:
        y = cat[x.id]
        assert (x.valid_from, x.valid_from_precision, x.valid_to, x.valid_to_precision,
                [a.id for a in x.acts], x.territory, x.provenance.synthetic) == (
            y.valid_from, y.valid_from_precision, y.valid_to, y.valid_to_precision,
            [a.id for a in y.acts], y.territory, True)  # fmt: skip
        assert [a.id for a in back.acts_on(x, DATE)] == [a.id for a in cat.acts_on(y, DATE)]
    assert back.fingerprint()["synthetic"] is True


def test_ortgeo_locate_gives_check_points_answers(national) -> None:
    cat, path, folder = national
    rng = np.random.default_rng(5)
    # points in, near and away from sectors: a representative point of each of 80 sectors,
    # moved by up to ±300 m
    picked = rng.choice(len(cat), 80, replace=False)
    layers = [list(cat)[i] for i in picked]
    reps = [shapely.point_on_surface(x.geometry_l93) for x in layers]
    x = np.array([p.x for p in reps]) + rng.uniform(-300, 300, len(reps))
    y = np.array([p.y for p in reps]) + rng.uniform(-300, 300, len(reps))
    lon, lat = to_wgs84_lonlat(x, y)
    src = folder / "points.csv"
    pd.DataFrame({"id": range(len(lon)), "lon": lon, "lat": lat}).to_csv(src, index=False)
    out = folder / "out.parquet"
    res = CliRunner().invoke(main, ["locate", str(src), "-o", str(out), "--catalog", str(path),
                                    "--date", DATE])  # fmt: skip
    assert res.exit_code == 0, res.output
    got = pd.read_parquet(out)
    table = read_catalog(path)
    statuses = []
    for i in range(len(lon)):
        v = ortgeo.check_point(float(lon[i]), float(lat[i]), date=DATE, catalog=table)
        statuses.append(v.status)
        assert v.status == got["ort_status"].iloc[i], i
        if got["ort_sector"].iloc[i] is not None and isinstance(got["ort_sector"].iloc[i], str):
            assert v.ort is not None and v.ort.decided_by == got["ort_sector"].iloc[i], i
    # the table holds every sector (coverage "*"), dates of every precision: all kinds occur
    assert {"dedans", "dehors", "limite"} <= set(statuses)
    assert "date-incertaine" in set(statuses) or "incertain" in {
        str(table[s].timing(DATE)) for s in got["ort_sector"].dropna()
    }


def test_the_lambert_table_reads_without_pandas_as_geopandas_reads_it(national) -> None:
    """The fast Parquet path (pyarrow lists, WKB decoded in one call) gives the very records
    the geopandas path gives: every field of every sector, the geometries, the coverage."""
    import dataclasses

    import geopandas as gpd

    from ortgeo.catalog.table import _read_meta, from_geodataframe, read_sector_table

    _, path, _ = national
    fast = read_sector_table(path)
    slow = from_geodataframe(gpd.read_parquet(path), _read_meta(path, None), name=path.name,
                             source=path, sha256=fast.sha256)  # fmt: skip
    assert fast.ids == slow.ids
    for a, b in zip(fast, slow, strict=True):
        fa = {f.name: getattr(a, f.name) for f in dataclasses.fields(a) if f.name != "geometry"}
        fb = {f.name: getattr(b, f.name) for f in dataclasses.fields(b) if f.name != "geometry"}
        assert fa == fb
        assert shapely.equals_exact(a.geometry, b.geometry, 0)
        assert shapely.equals_exact(a.geometry_l93, b.geometry_l93, 0)
    assert (fast.coverage, fast.acts, fast.territories) == (slow.coverage, slow.acts,
                                                             slow.territories)  # fmt: skip
