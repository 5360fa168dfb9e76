"""``ortgeo.locate`` keeps what GIS users give it: a GeoDataFrame comes back a GeoDataFrame
(same index, the input's geometry and CRS, its columns, the located columns added), and a
GeoSeries gives a GeoDataFrame."""

from __future__ import annotations

import geopandas as gpd
import pandas as pd
import shapely

import ortgeo

DATE = "2024-06-01"
LON, LAT = [2.833889, 2.832308], [50.429167, 50.45]


def test_geodataframe_in_geodataframe_out():
    g = gpd.GeoDataFrame({"nom": ["église", "nord"], "commune": ["x", "y"]},
                         index=pd.Index(["a", "b"], name="ref"),
                         geometry=gpd.points_from_xy(LON, LAT), crs=4326).to_crs(2154)  # fmt: skip
    out = ortgeo.locate(g, date=DATE)
    assert isinstance(out, gpd.GeoDataFrame)
    assert out.crs == g.crs and out.index.equals(g.index) and out.index.name == "ref"
    assert out.geometry.name == g.geometry.name
    assert shapely.equals(out.geometry.values, g.geometry.values).all()  # the input's points
    assert out["nom"].tolist() == ["église", "nord"]
    assert out["ort_status"].tolist() == ["dedans", "dehors"]
    assert out["commune"].tolist() == ["62498", "62498"]  # the located column wins
    plain = ortgeo.locate((LON, LAT), date=DATE)
    located_cols = [c for c in plain.columns]
    assert [c for c in out.columns if c in located_cols] == located_cols


def test_geoseries_gives_a_geodataframe():
    s = gpd.GeoSeries(gpd.points_from_xy(LON, LAT), index=[10, 20], crs=4326)
    out = ortgeo.locate(s, date=DATE)
    assert isinstance(out, gpd.GeoDataFrame)
    assert out.crs.to_epsg() == 4326 and out.index.tolist() == [10, 20]
    assert out["ort_status"].tolist() == ["dedans", "dehors"]


def test_plain_tables_stay_dataframes():
    df = pd.DataFrame({"lon": LON, "lat": LAT})
    out = ortgeo.locate(df, date=DATE)
    assert type(out) is pd.DataFrame
