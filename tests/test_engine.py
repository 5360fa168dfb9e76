"""The sector engine: long result == today's wide locate, per-territory composite, dask path."""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
from shapely.geometry import box

import ortgeo
from ortgeo.catalog.table import from_geodataframe
from ortgeo.engine import Sectors, locate_sectors, to_wide
from ortgeo.errors import OrtgeoError, PerimeterFileError

DATES = ["2019-01-01", "2020-01-01", "2022-01-01", "2024-06-01"]


def lens_points(n: int = 30_000, seed: int = 0) -> gpd.GeoSeries:
    rng = np.random.default_rng(seed)
    x = rng.uniform(684_500, 691_500, n)
    y = rng.uniform(7_034_500, 7_039_500, n)
    return gpd.GeoSeries.from_xy(x, y, crs=2154)


def layer_columns(frame: pd.DataFrame) -> list[str]:
    keys = [k.replace("-", "_") for k in ortgeo.catalog().ids]
    return [c for c in frame.columns if any(c.startswith(k + "_") for k in keys)]


@pytest.mark.parametrize("date", DATES)
@pytest.mark.parametrize("mode", ["near", "all"])
def test_long_equals_wide_on_bundled_catalogue(date: str, mode: str) -> None:
    pts = lens_points()
    wide = to_wide(locate_sectors(pts, date=date, distances=mode), distances=mode)
    ref = ortgeo.locate(pts, date=date, distances=mode)
    cols = layer_columns(ref)
    assert cols == layer_columns(wide)
    for col in ["x", "y", "valid", *cols]:
        a, b = wide[col], ref[col]
        if col.endswith("_distance_m") and mode == "near":
            # ours: NaN beyond the band and deep inside; today's near mode measures a superset
            both = a.notna() & b.notna()
            assert (a.notna() <= b.notna()).all(), col
            np.testing.assert_allclose(a[both], b[both], atol=0.01)
            limite = wide[col.replace("_distance_m", "_status")] == "limite"
            assert a[limite].notna().all()
        elif col.endswith("_distance_m"):
            np.testing.assert_allclose(a, b, atol=1e-6)
        else:
            assert a.astype(str).tolist() == b.astype(str).tolist(), col
    if date == "2019-01-01":  # no ORT yet: firm in Lens, which ortgeo holds; unknown elsewhere
        lens = wide["commune"] == "62498"
        assert (wide.loc[lens, "ort_status"] == "sans-ort").all()
        assert (wide.loc[~lens, "ort_status"] == "indetermine").all()
    else:
        assert not (wide["ort_status"] == "sans-ort").any()


def test_long_rows_are_inside_or_within_band() -> None:
    pts = lens_points(5_000)
    r = locate_sectors(pts, date="2024-06-01", distances="all")
    acc = dict(zip(r.sectors.ids, r.sectors.accuracy_m, strict=True))
    band = r.long["sector"].astype(str).map(acc).to_numpy()
    d = r.long["distance_m"].to_numpy()
    assert ((d >= 0) | (np.abs(d) <= band + 1e-3)).all()
    assert r.long["distance_m"].dtype == np.float32
    assert (r.long["status"].astype(str) == np.where(np.abs(d) <= band, "limite", "dedans")).all()
    assert r.points.index.equals(pts.index)


def two_territories() -> Sectors:
    """SYNTHETIC: territory A with two adjacent ORT squares and an OPAH; territory B far away."""
    x0, y0 = 700_000.0, 6_600_000.0
    rows = [
        ("a1", "A", "ort", box(x0, y0, x0 + 1000, y0 + 1000), 50.0),
        ("a2", "A", "ort-extension", box(x0 + 1000, y0, x0 + 2000, y0 + 1000), 10.0),
        ("a-opah", "A", "opah-ru", box(x0 + 200, y0 + 200, x0 + 800, y0 + 800), 5.0),
        ("b1", "B", "ort", box(x0 + 2100, y0, x0 + 3100, y0 + 1000), 20.0),
    ]
    gdf = gpd.GeoDataFrame(
        {"id": [r[0] for r in rows], "territory": [r[1] for r in rows],
         "name": [r[0] for r in rows], "kind": [r[2] for r in rows],
         "valid_from": ["2020-01-01"] * 4, "valid_to": [None] * 4, "status": ["fourni"] * 4,
         "accuracy_m": [r[4] for r in rows]},
        geometry=[r[3] for r in rows], crs=2154,
    )  # fmt: skip
    # a table that holds every sector of its territories: firm answers everywhere
    meta = {"format": 2, "coverage": [{"topic": "ort", "communes": ["*"], "extent": "complete"}]}
    return Sectors.from_catalog(from_geodataframe(gdf, meta))


def test_per_territory_composite_two_territories_side_by_side() -> None:
    s = two_territories()
    x0, y0 = 700_000.0, 6_600_000.0
    xy = pd.DataFrame(
        {
            "x": [x0 + 500, x0 + 1000, x0 + 1030, x0 + 985, x0 + 2050, x0 + 2150, x0 + 5000,
                  x0 + 1995],
            "y": [y0 + 500] * 8,
        }
    )  # fmt: skip
    r = locate_sectors(xy, s, date="2024-01-01")
    terr = {(int(p), str(t)): str(v) for p, t, v in r.territories[["point", "territory", "status"]]
            .itertuples(index=False)}  # fmt: skip
    # deep in a1: dedans in A, absent (dehors) in B
    assert terr[(0, "A")] == "dedans" and (0, "B") not in terr
    # on the a1|a2 limit: within a1's 50 m band and a2's 10 m band -> limite (issue 10
    # rule; the union of today's locate would say dedans)
    assert terr[(1, "A")] == "limite"
    # 30 m into a2 (beyond its 10 m band) though within a1's 50 m band -> dedans
    assert terr[(2, "A")] == "dedans"
    # 15 m inside a1, beyond a2's band, within a1's -> limite
    assert terr[(3, "A")] == "limite"
    # between a2 and b1 (gap of 100 m): 50 m from a2 (band 10), 50 m from b1 (band 20)
    assert (4, "A") not in terr and (4, "B") not in terr
    assert r.points["ort_status"].iloc[4] == "dehors"
    # 50 m inside b1: dedans in B only
    assert terr[(5, "B")] == "dedans" and (5, "A") not in terr
    assert r.points["ort_territory"].iloc[5] == "B"
    # far from all
    assert r.points["ort_status"].iloc[6] == "dehors" and r.points["n_sectors"].iloc[6] == 0
    # 5 m from a2's east limit (band 10) -> limite in A; 105 m from b1 -> not in B
    assert terr[(7, "A")] == "limite" and (7, "B") not in terr
    # the OPAH is in the long result but never in the ORT composite
    assert "a-opah" in set(r.long["sector"].astype(str))
    assert not r.long.loc[r.long["sector"] == "a-opah", "ort"].any()
    wide = to_wide(r)
    assert {"ort_A_status", "ort_B_status", "a1_status", "a_opah_status"} <= set(wide.columns)
    assert wide["ort_A_status"].tolist()[:4] == ["dedans", "limite", "dedans", "limite"]


def test_band_m_and_uncertainty() -> None:
    s = two_territories()
    xy = pd.DataFrame({"x": [700_500.0], "y": [6_600_000.0 + 940]})  # 60 m inside a1
    assert locate_sectors(xy, s, "2024-01-01").points["ort_status"].item() == "dedans"
    assert locate_sectors(xy, s, "2024-01-01", band_m=100).points["ort_status"].item() == "limite"
    r = locate_sectors(xy, s, "2024-01-01", uncertainty_m=20.0)
    assert r.points["ort_status"].item() == "limite"


def test_invalid_points_keep_their_rows() -> None:
    r = locate_sectors(([2.833889, np.nan, 50.43, 2.83], [50.429167, 50.4, 2.83, 50.43]),
                       date="2024-06-01")  # fmt: skip
    assert r.points["ort_status"].tolist()[:3] == ["dedans", "invalide", "invalide"]
    assert r.points["reason"].tolist()[1] == "coordonnées manquantes"
    assert len(r.points) == 4


def test_sector_layer_file_and_bad_layers(tmp_path) -> None:
    s = two_territories()
    path = tmp_path / "sectors.gpkg"
    s.to_geodataframe().to_file(path)
    again = Sectors.read(path)
    assert again.ids.tolist() == s.ids.tolist()
    assert list(again.territory.categories) == ["A", "B"]
    s.to_geodataframe().to_parquet(tmp_path / "sectors.parquet")
    assert len(Sectors.read(tmp_path / "sectors.parquet")) == 4
    gdf = s.to_geodataframe().drop(columns=["territory"])
    gdf.to_file(tmp_path / "bad.gpkg")
    with pytest.raises(PerimeterFileError, match="lacks column"):
        Sectors.read(tmp_path / "bad.gpkg")
    with pytest.raises(PerimeterFileError, match="Unknown sector file format"):
        Sectors.read(_touch(tmp_path / "x.xlsx"))
    with pytest.raises(PerimeterFileError, match="not found"):
        Sectors.read(tmp_path / "missing.gpkg")
    dup = s.to_geodataframe()
    dup["id"] = "same"
    with pytest.raises(PerimeterFileError, match="Duplicate"):
        Sectors.from_geodataframe(dup)
    with pytest.raises(OrtgeoError, match="neither"):
        locate_sectors(pd.DataFrame({"a": [1]}), s)


def _touch(path):
    path.write_text("x")
    return path


def test_dask_path_equals_plain_path() -> None:
    dask_geopandas = pytest.importorskip("dask_geopandas")
    distributed = pytest.importorskip("distributed")
    pts = gpd.GeoDataFrame({"n": np.arange(20_000)}, geometry=lens_points(20_000, seed=3), crs=2154)
    plain = locate_sectors(pts, date="2024-06-01").points
    ddf = dask_geopandas.from_geopandas(pts, npartitions=4)
    with (
        distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=False,
                                 memory_limit="1GB", dashboard_address=None) as cluster,
        distributed.Client(cluster) as client,
    ):  # fmt: skip
        lazy = locate_sectors(ddf, date="2024-06-01")
        got = client.compute(lazy).result(timeout=120)
    pd.testing.assert_frame_equal(got, plain)


@pytest.mark.parametrize("date", ["2019-08-04", "2023-12-06", "2024-06-01", "2027-03-01"])
@pytest.mark.parametrize("mode", ["near", "all"])
def test_locate_layer_columns_equal_the_long_result(date: str, mode: str) -> None:
    """The wide ``locate`` is built on the engine: every per-layer column agrees with the
    long result of ``locate_sectors`` on random points around Lens (varied uncertainty)."""
    rng = np.random.default_rng(11)
    pts = lens_points(20_000, seed=7)
    unc = rng.uniform(0, 80, len(pts))
    wide = ortgeo.locate(pts, date=date, distances=mode, uncertainty_m=unc)
    long = locate_sectors(pts, date=date, distances=mode, uncertainty_m=unc).long
    in_force = [layer.id for layer in ortgeo.on(date).layers]
    assert in_force and sorted(set(long["sector"].astype(str))) == sorted(in_force)
    for layer_id in in_force:
        key = layer_id.replace("-", "_")
        rows = long[long["sector"] == layer_id]
        point = rows["point"].to_numpy()
        layer = ortgeo.catalog()[layer_id]
        communes = ortgeo.locate(pts, date=date, distances="near")["commune"].astype(str)
        unsure = [*layer.communes_possible, *(set(layer.communes_all) - set(layer.communes))]
        possible = communes.isin(unsure).to_numpy()  # the layer may reach, or is not drawn
        status = np.where(possible, "indetermine", "dehors").astype(object)
        status[point] = rows["status"].astype(str).to_numpy()
        assert wide[f"{key}_status"].astype(str).tolist() == status.tolist(), layer_id
        inside = np.zeros(len(pts), bool)
        inside[point] = rows["inside"].to_numpy()
        assert (wide[f"{key}_inside"].to_numpy() == inside).all(), layer_id
        dist = wide[f"{key}_distance_m"].to_numpy()
        theirs = rows["distance_m"].to_numpy(float)
        known = ~np.isnan(theirs)
        np.testing.assert_allclose(dist[point[known]], theirs[known], atol=0.05)
        if mode == "near":  # NaN exactly where the long result has no measured distance
            measured = np.zeros(len(pts), bool)
            measured[point[known]] = True
            assert (np.isnan(dist) == ~measured).all(), layer_id
        else:
            assert np.isfinite(dist).all(), layer_id


def test_boundary_distance_is_geos_distance_bit_for_bit() -> None:
    """Random points, points on the vertices and on the segments, 1e-9 m off, a polygon
    with a hole (two lines) and a repeated vertex (a segment A == B)."""
    import shapely

    from ortgeo.engine import boundary_distance

    shell = [(0, 0), (400, 0), (400, 0), (400, 300), (150, 380), (0, 300)]
    hole = [(100, 100), (200, 100), (200, 200), (100, 180)]
    limits = [shapely.Polygon(shell, [hole]).boundary,
              *Sectors.from_catalog().in_force("2024-06-01").boundaries]  # fmt: skip
    rng = np.random.default_rng(5)
    for limit in limits:
        x0, y0, x1, y1 = limit.bounds
        x = rng.uniform(x0 - 500, x1 + 500, 20_000)
        y = rng.uniform(y0 - 500, y1 + 500, 20_000)
        c = shapely.get_coordinates(limit)
        on = np.concatenate([c, (c[:-1] + c[1:]) / 2, c + 1e-9, c - 1e-9])
        x, y = np.concatenate([x, on[:, 0]]), np.concatenate([y, on[:, 1]])
        expected = shapely.distance(limit, shapely.points(x, y))
        assert np.array_equal(boundary_distance(limit, x, y), expected)
    assert boundary_distance(limits[0], np.zeros(0), np.zeros(0)).shape == (0,)
