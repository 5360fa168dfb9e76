"""ortgeo.locate: sides of every boundary, band, order/index, CRS, invalid points, dates.

Exact distances use the SYNTHETIC square catalogue of ``synthetic_catalog.py`` (written in
tmp_path); behaviour on the real bundled layers is checked with points built from their
own geometry (offset inward/outward with buffers).
"""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
import shapely
from synthetic_catalog import X0, Y0, write_catalog

import ortgeo
from ortgeo.errors import MissingCRSError, OrtgeoError
from ortgeo.locate import layer_key


@pytest.fixture(scope="module")
def squares(tmp_path_factory: pytest.TempPathFactory) -> ortgeo.Catalog:
    return ortgeo.catalog(write_catalog(tmp_path_factory.mktemp("squares")))


def l93(xs, ys, index=None) -> gpd.GeoSeries:
    return gpd.GeoSeries.from_xy(xs, ys, crs=2154, index=index)


# -- exact geometry on the synthetic catalogue -------------------------------------------
@pytest.mark.parametrize(
    ("dx", "status", "inside"),
    [
        (-200.0, "dehors", False),  # 200 m west of the west edge: outside the 50 m band
        (-30.0, "limite", False),  # 30 m outside: within the band
        (0.0, "limite", True),  # exactly on the boundary
        (30.0, "limite", True),
        (200.0, "dedans", True),
    ],
)
def test_sides_of_boundary_and_band(squares, dx, status, inside):
    res = locate_one(squares, X0 + dx, Y0 + 500, date="2022-01-01")
    assert res["test_ort_status"] == status
    assert res["test_ort_inside"] == inside
    assert res["test_ort_distance_m"] == pytest.approx(dx, abs=1e-6)


def locate_one(cat, x, y, **kw) -> pd.Series:
    return ortgeo.locate(l93([x], [y]), catalog=cat, **kw).iloc[0]


def test_band_is_accuracy_plus_uncertainty_or_override(squares):
    # 80 m inside: beyond the 50 m accuracy, within 50 + 40 m uncertainty.
    pts = l93([X0 + 80], [Y0 + 500])
    assert ortgeo.locate(pts, date="2022-01-01", catalog=squares)["test_ort_status"][0] == "dedans"
    res = ortgeo.locate(pts, date="2022-01-01", catalog=squares, uncertainty_m=40)
    assert res["test_ort_status"][0] == "limite"
    res = ortgeo.locate(pts, date="2022-01-01", catalog=squares, band_m=5)
    assert res["test_ort_status"][0] == "dedans"
    res = ortgeo.locate(pts, date="2022-01-01", catalog=squares, band_m=100)
    assert res["test_ort_status"][0] == "limite"


def test_each_layer_both_sides_of_each_edge(squares):
    """Every edge of every synthetic layer, 10 m and 300 m on each side, band_m=20."""
    for layer_id in ("test-ort", "test-ext", "test-opah"):
        geom = squares[layer_id].geometry_l93
        minx, miny, maxx, maxy = geom.bounds
        cx, cy = (minx + maxx) / 2, (miny + maxy) / 2
        for d in (10.0, 150.0):
            pts_in = [(minx + d, cy), (maxx - d, cy), (cx, miny + d), (cx, maxy - d)]
            pts_out = [(minx - d, cy), (maxx + d, cy), (cx, miny - d), (cx, maxy + d)]
            xs, ys = zip(*(pts_in + pts_out), strict=True)
            res = ortgeo.locate(l93(xs, ys), date="2024-01-01", catalog=squares, band_m=20)
            key = layer_key(layer_id)
            expected = ["limite" if d <= 20 else "dedans"] * 4 + [
                "limite" if d <= 20 else "dehors"
            ] * 4
            assert res[f"{key}_status"].tolist() == expected, (layer_id, d)
            np.testing.assert_allclose(res[f"{key}_distance_m"], [d] * 4 + [-d] * 4, atol=1e-6)


def test_composite_follows_its_sectors(squares):
    # 250 m east of the centre sector's east edge = inside the extension, 250 m from its edges.
    pt = (X0 + 1250, Y0 + 500)
    before = locate_one(squares, *pt, date="2023-12-05")
    after = locate_one(squares, *pt, date="2023-12-06")
    later = locate_one(squares, *pt, date="2027-01-01")
    assert before["ort_status"] == "dehors" and "test_ext_status" not in before
    assert after["test_ext_status"] == "dedans"
    # The extension's start is only known as "not before": inside it, the answer says so.
    assert after["ort_status"] == "date-incertaine" and after["ort_sector"] == "test-ext"
    assert after["ort_distance_m"] == pytest.approx(250)
    assert later["ort_status"] == "date-incertaine"  # no end date: still there in 2027
    # On the shared edge, each sector says "limite": so does the composite.
    mid = locate_one(squares, X0 + 1000, Y0 + 500, date="2024-01-01")
    assert mid["ort_status"] == "limite"
    # Deep in the centre sector and far from the extension: inside, decided by the centre.
    deep = locate_one(squares, X0 + 400, Y0 + 500, date="2024-01-01")
    assert deep["ort_status"] == "dedans" and deep["ort_sector"] == "test-ort"
    assert deep["ort_distance_m"] == pytest.approx(400) and deep["ort_band_m"] == 50


def test_composite_rule_uses_each_sectors_own_band():
    """Issue 10's case: 299 m inside a sector of band 250 m, 700 m from another (band 300)."""
    from ortgeo.locate import STATUSES, composite

    inside = np.array([[True, True, False, False], [False, False, False, True]])
    dist = np.array([[299.0, 200.0, -260.0, -900.0], [-700.0, -700.0, -500.0, 100.0]])
    band = np.array([[250.0] * 4, [300.0] * 4])
    codes, who = composite(inside, dist, band, np.array([True, True]))
    assert [STATUSES[c] for c in codes] == ["dedans", "limite", "dehors", "limite"]
    assert who.tolist() == [0, 0, 0, 1]
    codes, _ = composite(inside, dist, band, np.array([True, False]))  # 2nd uncertain
    assert STATUSES[codes[0]] == "dedans"
    far_in = np.array([[False], [True]])
    codes, _ = composite(far_in, np.array([[-900.0], [np.nan]]), band[:, :1],
                         np.array([True, False]))  # fmt: skip
    assert STATUSES[codes[0]] == "date-incertaine"  # NaN distance (near mode): deep inside


def test_bundled_composite_is_never_weaker_than_a_sector():
    """The annex listed fewer addresses for the ORT than for the 2019 sector alone: never."""
    rng = np.random.default_rng(3)
    lon = rng.uniform(2.80, 2.87, 4000)
    lat = rng.uniform(50.41, 50.45, 4000)
    res = ortgeo.locate((lon, lat), date="2025-01-01")
    assert (res.loc[res["lens_centre_ville_status"] == "dedans", "ort_status"] == "dedans").all()


def test_no_ort_before_the_decree(squares):
    res = locate_one(squares, X0 + 500, Y0 + 500, date="2019-08-03")
    assert res["ort_status"] == "sans-ort"
    assert not res["ort_inside"]
    assert np.isnan(res["ort_distance_m"])
    assert locate_one(squares, X0 + 500, Y0 + 500, date="2019-08-04")["ort_status"] == "dedans"


# -- order, index, CRS, invalid input ------------------------------------------------------
def test_order_and_index_kept_for_shuffled_index(squares):
    rng = np.random.default_rng(0)
    xs = rng.uniform(X0 - 500, X0 + 2000, 200)
    ys = rng.uniform(Y0 - 500, Y0 + 1500, 200)
    index = pd.Index([f"id{i}" for i in rng.permutation(200)])
    res = ortgeo.locate(l93(xs, ys, index=index), date="2024-01-01", catalog=squares)
    assert res.index.equals(index)
    for i in rng.choice(200, 15, replace=False):
        one = locate_one(squares, xs[i], ys[i], date="2024-01-01")
        row = res.loc[index[i]]
        assert row["ort_status"] == one["ort_status"]
        assert row["ort_distance_m"] == pytest.approx(one["ort_distance_m"])


def test_mixed_crs_input_gives_same_answer():
    pts = gpd.GeoSeries.from_xy([2.8339, 2.8486, 2.8631], [50.4292, 50.4395, 50.4203], crs=4326)
    ref = ortgeo.locate(pts, date="2024-06-01")
    for crs in (2154, 3857, 3950):
        res = ortgeo.locate(pts.to_crs(crs), date="2024-06-01")
        assert res["ort_status"].tolist() == ref["ort_status"].tolist()
        np.testing.assert_allclose(res["ort_distance_m"], ref["ort_distance_m"], atol=0.01)
    gdf = gpd.GeoDataFrame({"name": list("abc")}, geometry=pts.to_crs(2154))
    assert (
        ortgeo.locate(gdf, date="2024-06-01")["ort_status"].tolist() == ref["ort_status"].tolist()
    )
    by_table = ortgeo.locate(pd.DataFrame({"lon": pts.x, "lat": pts.y}), date="2024-06-01")
    assert by_table["ort_status"].tolist() == ref["ort_status"].tolist()


def test_invalid_points_flagged_without_shifting_rows():
    lon = [2.8339, np.nan, 250.0, 50.43, 2.8631, 2.8339]
    lat = [50.4292, 50.42, 50.4, 2.83, 50.4203, np.inf]
    res = ortgeo.locate((lon, lat), date="2024-06-01")
    assert res["ort_status"].tolist() == [
        "dedans", "invalide", "invalide", "invalide", "indetermine", "invalide",
    ]  # Sallaumines: outside what ortgeo holds, not "dehors"  # fmt: skip
    assert res["valid"].tolist() == [True, False, False, False, True, False]
    assert res["reason"].iloc[1] == "coordonnées manquantes"
    assert "hors limites" in res["reason"].iloc[2]
    assert "inversées" in res["reason"].iloc[3]
    assert res["reason"].iloc[0] == "" and res["reason"].iloc[4] == ""


def test_missing_and_non_point_geometries():
    geoms = [shapely.Point(2.8339, 50.4292), None, shapely.box(2.83, 50.42, 2.84, 50.43),
             shapely.Point()]  # fmt: skip
    res = ortgeo.locate(gpd.GeoSeries(geoms, crs=4326), date="2024-06-01")
    assert res["ort_status"].tolist() == ["dedans", "invalide", "invalide", "invalide"]
    assert "pas un point" in res["reason"].iloc[2]


def test_bad_inputs_raise_clear_errors():
    with pytest.raises(MissingCRSError, match="set_crs"):
        ortgeo.locate(gpd.GeoSeries.from_xy([1], [2]))
    with pytest.raises(OrtgeoError, match="lon"):
        ortgeo.locate(pd.DataFrame({"x": [1]}))
    with pytest.raises(OrtgeoError, match="same length"):
        ortgeo.locate(([1, 2], [3]))
    with pytest.raises(OrtgeoError, match="Cannot locate"):
        ortgeo.locate("2.83,50.43")


def test_near_mode_same_statuses_as_exact(squares):
    rng = np.random.default_rng(1)
    xs = rng.uniform(X0 - 300, X0 + 1800, 5000)
    ys = rng.uniform(Y0 - 300, Y0 + 1300, 5000)
    pts = l93(xs, ys)
    exact = ortgeo.locate(pts, date="2024-01-01", catalog=squares)
    near = ortgeo.locate(pts, date="2024-01-01", catalog=squares, distances="near")
    for key in ("ort", "test_ort", "test_ext", "test_opah"):
        assert near[f"{key}_status"].tolist() == exact[f"{key}_status"].tolist()
        assert near[f"{key}_inside"].tolist() == exact[f"{key}_inside"].tolist()
        close = near[f"{key}_distance_m"].notna()
        if key == "ort":  # the deciding sector is the same where the answer is "limite"
            close &= near["ort_status"] == "limite"
        np.testing.assert_allclose(
            near.loc[close, f"{key}_distance_m"], exact.loc[close, f"{key}_distance_m"]
        )
        assert (exact.loc[~close, f"{key}_status"] != "limite").all()


# -- the bundled layers ------------------------------------------------------------------
@pytest.mark.parametrize("layer_id", ortgeo.catalog().ids)
def test_bundled_layers_both_sides_of_boundary(layer_id):
    layer = ortgeo.catalog()[layer_id]
    geom = layer.geometry_l93
    date = layer.valid_from
    acc = layer.accuracy_m
    key = layer_key(layer_id)
    for offset, expect in ((acc + 60, "dedans"), (acc / 3, "limite")):
        ring = geom.buffer(-offset).boundary
        if ring.is_empty:
            continue
        pts = shapely.line_interpolate_point(ring, np.linspace(0, 1, 9)[:-1], normalized=True)
        res = ortgeo.locate(gpd.GeoSeries(pts, crs=2154), date=date)
        assert set(res[f"{key}_status"]) == {expect}
        np.testing.assert_allclose(res[f"{key}_distance_m"], offset, rtol=0.02)
    ring = geom.buffer(acc + 60).boundary
    pts = shapely.line_interpolate_point(ring, np.linspace(0, 1, 9)[:-1], normalized=True)
    res = ortgeo.locate(gpd.GeoSeries(pts, crs=2154), date=date)
    unsure = res["commune"].isin([*layer.communes_possible,
                                  *(set(layer.communes_all) - set(layer.communes))])  # fmt: skip
    assert set(res.loc[~unsure, f"{key}_status"]) == {"dehors"}
    assert set(res.loc[unsure, f"{key}_status"]) <= {"indetermine"}  # may reach, or not drawn
    assert (res[f"{key}_distance_m"] < -acc).all()


def test_extension_from_the_council_vote_and_after_the_acv_period():
    ext = ortgeo.catalog()["lens-entree-de-ville"].geometry
    pt = ext.representative_point()
    assert not ortgeo.catalog()["lens-centre-ville"].geometry.contains(pt)
    res = ortgeo.locate(([pt.x] * 3, [pt.y] * 3), date="2024-01-01")
    assert res["ort_inside"].all()
    for date, inside in (("2023-12-05", False), ("2023-12-06", True), ("2026-12-31", True),
                         ("2027-01-01", True)):  # fmt: skip
        got = ortgeo.locate(([pt.x], [pt.y]), date=date)["ort_inside"].iloc[0]
        assert bool(got) is inside, date


@pytest.mark.parametrize("date", ["2020-01-01", "2024-06-01"])
def test_near_mode_matches_exact_on_bundled_layers(date):
    """Mitred buffers and the grid prefilter are conservative on real (concave) outlines."""
    rng = np.random.default_rng(5)
    n = 20_000
    pts = gpd.GeoSeries.from_xy(
        rng.uniform(684_500, 691_500, n), rng.uniform(7_034_500, 7_039_500, n), crs=2154
    )
    unc = rng.uniform(0, 100, n)
    exact = ortgeo.locate(pts, date=date, uncertainty_m=unc)
    near = ortgeo.locate(pts, date=date, uncertainty_m=unc, distances="near")
    for col in [c for c in exact.columns if c.endswith(("_status", "_inside"))]:
        assert (exact[col] == near[col]).all(), col


@pytest.mark.parametrize("distances", ["all", "near"])
@pytest.mark.parametrize("lonlat", [True, False])
def test_blocks_on_threads_give_the_one_block_answer(monkeypatch, distances, lonlat):
    """The wide path in blocks on threads (each its own GEOS copies), its text columns built
    from codes: the same frame, value for value and dtype for dtype, as one block on one
    thread reading the objects — invalid points, points on the limits and outside the
    communes' outlines included."""
    import sys

    module = sys.modules["ortgeo.locate"]
    rng = np.random.default_rng(3)
    polys = ortgeo.perimeters(date="2024-06-01").to_crs(2154).geometry.to_numpy()
    on_limits = shapely.get_coordinates(shapely.boundary(polys))
    xs = np.concatenate([rng.uniform(680_000, 700_000, 4_000), on_limits[:, 0], [np.nan, 2.8]])
    ys = np.concatenate([rng.uniform(7_030_000, 7_045_000, 4_000), on_limits[:, 1], [7e6, 50.4]])
    pts = l93(xs, ys, index=np.arange(len(xs))[::-1])
    kw = {"date": "2024-06-01", "distances": distances, "lonlat": lonlat,
          "uncertainty_m": rng.uniform(0, 40, len(xs))}  # fmt: skip
    monkeypatch.setattr(module, "_TEXT_CODES_FROM", 10**9)
    one = ortgeo.locate(pts, **kw)
    monkeypatch.setattr(module, "_TEXT_CODES_FROM", 100)
    monkeypatch.setattr(module, "_BLOCK", 200)
    monkeypatch.setattr(module, "_THREADS", 2)
    assert len(module._blocks(len(xs))) > 2
    many = ortgeo.locate(pts, **kw)
    pd.testing.assert_frame_equal(many, one, check_exact=True)
    assert list(many.dtypes) == list(one.dtypes)
    assert (many["valid"] == ~many["ort_status"].isin(["invalide"])).all()
