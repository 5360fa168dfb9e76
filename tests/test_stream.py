"""Streaming locate_file / ortgeo locate / ortgeo stats: chunks, resume, formats, errors."""

from __future__ import annotations

import json

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
from click.testing import CliRunner

import ortgeo
from ortgeo import engine, stream
from ortgeo.cli import main
from ortgeo.errors import InputFileError, OrtgeoError

DATE = "2024-06-01"
RESULT = ["valid", "reason", "ort_status", "ort_territory", "ort_sector", "ort_distance_m",
          "n_sectors"]  # fmt: skip


@pytest.fixture(scope="module")
def points_csv(tmp_path_factory) -> tuple:
    """SYNTHETIC: 200,000 points around Lens, lon/lat (a few invalid), in a ';' CSV.gz."""
    rng = np.random.default_rng(7)
    n = 200_000
    x = rng.uniform(684_500, 691_500, n)
    y = rng.uniform(7_034_500, 7_039_500, n)
    from ortgeo.crs import to_wgs84_lonlat

    lon, lat = to_wgs84_lonlat(x, y)
    insee = rng.choice(["62498", "62510"], n)
    ids = [f"p{i:06d}" for i in range(n)]
    frame = pd.DataFrame({"id": ids, "lon": lon.round(7), "lat": lat.round(7), "code_insee": insee})
    frame.loc[[5, 77_777], "lon"] = np.nan
    path = tmp_path_factory.mktemp("pts") / "points.csv.gz"
    frame.to_csv(path, sep=";", index=False)
    return path, frame


def test_streaming_equals_in_memory(points_csv, tmp_path) -> None:
    path, frame = points_csv
    out = tmp_path / "out.parquet"
    report = ortgeo.locate_file(path, out, date=DATE, chunk_size=7_000,
                                long_out=tmp_path / "long.parquet")  # fmt: skip
    got = pd.read_parquet(out)
    assert report["rows"] == len(frame) == len(got)
    assert got["id"].tolist() == frame["id"].tolist()
    assert got["code_insee"].tolist() == frame["code_insee"].tolist()  # kept as text
    table = pd.read_csv(path, sep=";", dtype=str, na_filter=False)
    # the file's code_insee is each point's commune, as ortgeo locate reads it
    whole = engine.locate_sectors(table, date=DATE, citycode=table["code_insee"].to_numpy())
    want = whole.points.reset_index(drop=True)
    for col in RESULT:
        if col == "ort_distance_m":
            np.testing.assert_array_equal(got[col].to_numpy(), want[col].to_numpy())
        else:
            assert got[col].astype(str).tolist() == want[col].astype(str).tolist(), col
    assert got["ort_distance_m"].dtype == np.float32
    long = pd.read_parquet(tmp_path / "long.parquet")
    assert len(long) == len(whole.long)
    assert long["point"].tolist() == whole.long["point"].tolist()
    assert long["sector"].astype(str).tolist() == whole.long["sector"].astype(str).tolist()
    assert report["counts"] == {
        k: int(v) for k, v in want["ort_status"].value_counts().items() if v
    }
    assert not any(p.name.endswith(".partial") for p in tmp_path.iterdir())


def test_resume_after_interruption(points_csv, tmp_path, monkeypatch) -> None:
    path, _ = points_csv
    out = tmp_path / "out.csv"
    real = stream.locate_points
    calls = {"n": 0}

    def flaky(*args, **kwargs):
        calls["n"] += 1
        if calls["n"] == 4:
            raise KeyboardInterrupt
        return real(*args, **kwargs)

    monkeypatch.setattr(stream, "locate_points", flaky)
    # One thread: the calls are counted in file order (on threads, the 4th call to start may
    # be the 3rd chunk's); test_resume_after_an_interruption_on_threads interrupts threads.
    with pytest.raises(KeyboardInterrupt):
        ortgeo.locate_file(path, out, date=DATE, chunk_size=20_000, jobs=1)
    assert not out.exists()
    state = json.loads((tmp_path / ".out.csv.partial" / "state.json").read_text())
    assert state["rows"] == 60_000
    calls["n"] = 100
    report = ortgeo.locate_file(path, out, date=DATE, chunk_size=20_000, jobs=1)
    assert report["resumed_rows"] == 60_000
    assert calls["n"] == 100 + 7  # only the 7 chunks left were located again
    monkeypatch.setattr(stream, "locate_points", real)
    fresh = ortgeo.locate_file(path, tmp_path / "fresh.csv", date=DATE, chunk_size=20_000)
    assert fresh["resumed_rows"] == 0
    assert (tmp_path / "fresh.csv").read_bytes() == out.read_bytes()
    assert report["counts"] == fresh["counts"]


def test_geoparquet_in_and_out_and_xy(tmp_path) -> None:
    rng = np.random.default_rng(1)
    x, y = rng.uniform(686_000, 690_000, 3_000), rng.uniform(7_035_000, 7_038_000, 3_000)
    gdf = gpd.GeoDataFrame({"k": np.arange(3_000)}, geometry=gpd.points_from_xy(x, y), crs=2154)
    gdf.to_parquet(tmp_path / "pts.parquet")
    ortgeo.locate_file(
        tmp_path / "pts.parquet", tmp_path / "out.parquet", date=DATE, chunk_size=500
    )
    back = gpd.read_parquet(tmp_path / "out.parquet")  # still a GeoParquet
    assert back.crs.to_epsg() == 2154 and back.geometry.geom_equals(gdf.geometry).all()
    want = engine.locate_sectors(gdf, date=DATE).points
    assert back["ort_status"].astype(str).tolist() == want["ort_status"].astype(str).tolist()
    pd.DataFrame({"x": x, "y": y}).to_parquet(tmp_path / "xy.parquet")
    ortgeo.locate_file(tmp_path / "xy.parquet", tmp_path / "xy.csv", date=DATE)
    flat = pd.read_csv(tmp_path / "xy.csv")
    assert flat["ort_status"].tolist() == want["ort_status"].astype(str).tolist()
    ortgeo.locate_file(tmp_path / "pts.parquet", tmp_path / "g.csv", date=DATE)
    assert {"x", "y"} <= set(pd.read_csv(tmp_path / "g.csv").columns)


def test_bad_inputs_give_clear_errors(tmp_path) -> None:
    (tmp_path / "p.csv").write_text("a;b\n1;2\n")
    with pytest.raises(InputFileError, match="No coordinates"):
        ortgeo.locate_file(tmp_path / "p.csv", tmp_path / "o.csv")
    with pytest.raises(InputFileError, match="Unknown points file format"):
        ortgeo.locate_file(_touch(tmp_path / "p.xlsx"), tmp_path / "o.csv")
    with pytest.raises(stream.OutputError, match="Unknown output format"):
        ortgeo.locate_file(tmp_path / "p.csv", tmp_path / "o.txt.zip")
    with pytest.raises(OrtgeoError, match="does not exist"):
        ortgeo.locate_file(tmp_path / "p.csv", tmp_path / "nope" / "o.csv")
    with pytest.raises(InputFileError, match="not found"):
        ortgeo.locate_file(tmp_path / "missing.csv", tmp_path / "o.csv")
    (tmp_path / "q.csv").write_text("lon,lat,ort_status\n2.83,50.43,x\n")
    with pytest.raises(InputFileError, match="already has a column"):
        ortgeo.locate_file(tmp_path / "q.csv", tmp_path / "o.csv")
    (tmp_path / "r.parquet").write_text("not parquet")
    with pytest.raises(InputFileError, match="as Parquet"):
        ortgeo.locate_file(tmp_path / "r.parquet", tmp_path / "o.csv")
    ro = tmp_path / "ro"
    ro.mkdir()
    ro.chmod(0o500)
    try:
        import os

        if not os.access(ro, os.W_OK):  # root can write anywhere
            with pytest.raises(OrtgeoError, match="Cannot write"):
                ortgeo.locate_file(tmp_path / "q.csv", ro / "o.csv")
    finally:
        ro.chmod(0o700)
    runner = CliRunner()
    res = runner.invoke(main, ["locate", str(tmp_path / "p.csv"), "-o", str(tmp_path / "o.csv")])
    assert res.exit_code == 2 and res.output.startswith("Error: No coordinates")


def test_cli_locate_and_stats(points_csv, tmp_path) -> None:
    path, frame = points_csv
    runner = CliRunner()
    res = runner.invoke(main, ["locate", str(path), "-o", str(tmp_path / "o.parquet"),
                               "--date", DATE, "--chunk-size", "50000"])  # fmt: skip
    assert res.exit_code == 0, res.output
    assert "Wrote 200000 row(s)" in res.output
    res = runner.invoke(main, ["stats", str(path), "-o", str(tmp_path / "s.csv"), "--chart",
                               str(tmp_path / "s.png"), "--date", DATE])  # fmt: skip
    assert res.exit_code == 0, res.output
    stats = pd.read_csv(tmp_path / "s.csv", dtype={"key": str})
    located = pd.read_parquet(tmp_path / "o.parquet")
    communes = stats[stats["level"] == "commune"].set_index("key")
    for insee in ("62498", "62510"):
        sub = located[located["code_insee"] == insee]
        assert communes.loc[insee, "total"] == len(sub)
        assert communes.loc[insee, "dedans"] == (sub["ort_status"] == "dedans").sum()
    total = stats.loc[stats["level"] == "all"].iloc[0]
    assert total["total"] == len(frame) and total["invalide"] == 2
    assert (tmp_path / "s.png").stat().st_size > 1000


def test_stats_small_fixture() -> None:
    """SYNTHETIC: 4 points in two territories (see test_engine.two_territories)."""
    from tests.test_engine import two_territories

    s = two_territories()
    x0, y0 = 700_000.0, 6_600_000.0
    pts = pd.DataFrame({"x": [x0 + 500, x0 + 1000, x0 + 2600, x0 + 9000, x0 + 500],
                        "y": [y0 + 500] * 5, "code_insee": ["1", "1", "2", "2", "1"]})  # fmt: skip
    st = ortgeo.sector_stats(pts, s, "2024-01-01").set_index(["level", "key"])
    assert st.loc[("sector", "a1"), ["dedans", "limite"]].tolist() == [2, 1]
    assert st.loc[("sector", "a2"), ["dedans", "limite"]].tolist() == [0, 1]
    assert st.loc[("sector", "a-opah"), "dedans"] == 2
    assert st.loc[("territory", "A"), ["dedans", "limite"]].tolist() == [2, 1]
    assert st.loc[("territory", "B"), ["dedans", "limite"]].tolist() == [1, 0]
    assert st.loc[("commune", "1"), ["dedans", "limite", "total"]].tolist() == [2, 1, 3]
    assert st.loc[("commune", "2"), ["dedans", "dehors"]].tolist() == [1, 1]
    with pytest.raises(InputFileError, match="Commune column"):
        ortgeo.sector_stats(pts, s, "2024-01-01", commune_column="nope")


def test_stats_chart_top_sectors_and_territories(tmp_path, monkeypatch) -> None:
    """SYNTHETIC: the chart shows the top N sectors and territories; the CSV keeps every row."""
    from matplotlib.figure import Figure

    from tests.test_engine import two_territories

    titles: list[str] = []
    save = Figure.savefig
    monkeypatch.setattr(Figure, "savefig", lambda fig, *a, **k: (
        titles.extend(ax.get_title() for ax in fig.axes), save(fig, *a, **k))[1])  # fmt: skip
    x0, y0 = 700_000.0, 6_600_000.0
    pts = pd.DataFrame({"x": [x0 + 500, x0 + 1000, x0 + 2600], "y": [y0 + 500] * 3})
    stats = ortgeo.sector_stats(pts, two_territories(), "2024-01-01")
    files = ortgeo.write_stats(stats, tmp_path / "s.csv", tmp_path / "s.png", top=1)
    assert [f.name for f in files] == ["s.csv", "s.png"]
    assert titles == ["Points par secteur (1 premier sur 4 secteurs)",
                      "Points par territoire (1 premier sur 2 territoires)"]  # fmt: skip
    written = pd.read_csv(tmp_path / "s.csv", dtype={"key": str})
    assert len(written) == len(stats) and (written["level"] == "sector").sum() == 4


def _touch(path):
    path.write_text("x")
    return path


def test_a_resumed_parquet_run_writes_what_one_run_writes(tmp_path, monkeypatch) -> None:
    """The parts hold ortgeo's columns only: a resumed run reads the input's columns of the
    finished chunks again (GeoParquet input, some columns kept, the long result too)."""
    import pyarrow.parquet as pq

    rng = np.random.default_rng(4)
    n = 9_000
    x, y = rng.uniform(686_000, 690_000, n), rng.uniform(7_035_000, 7_038_000, n)
    gdf = gpd.GeoDataFrame({"k": np.arange(n), "name": [f"p{i}" for i in range(n)]},
                           geometry=gpd.points_from_xy(x, y), crs=2154)  # fmt: skip
    src = tmp_path / "pts.parquet"
    gdf.to_parquet(src)
    real = stream.locate_points
    calls = {"n": 0}

    def flaky(*args, **kwargs):
        calls["n"] += 1
        if calls["n"] == 5:
            raise KeyboardInterrupt
        return real(*args, **kwargs)

    kw = dict(date=DATE, chunk_size=1_000, columns=["k", "geometry"], jobs=1)
    monkeypatch.setattr(stream, "locate_points", flaky)
    with pytest.raises(KeyboardInterrupt):
        ortgeo.locate_file(src, tmp_path / "out.parquet", long_out=tmp_path / "long.parquet", **kw)
    parts = sorted((tmp_path / ".out.parquet.partial").glob("part-*.arrow"))
    assert parts and "k" not in pa_ipc_names(parts[0])
    monkeypatch.setattr(stream, "locate_points", real)
    report = ortgeo.locate_file(src, tmp_path / "out.parquet",
                                long_out=tmp_path / "long.parquet", **kw)  # fmt: skip
    assert report["resumed_rows"] == 4_000
    ortgeo.locate_file(src, tmp_path / "one.parquet", long_out=tmp_path / "one-long.parquet", **kw)
    for a, b in (("out", "one"), ("long", "one-long")):
        got, want = (
            pq.read_table(tmp_path / f"{a}.parquet"),
            pq.read_table(tmp_path / f"{b}.parquet"),
        )
        assert got.equals(want, check_metadata=True)


def pa_ipc_names(path) -> list[str]:
    import pyarrow.ipc as ipc

    with open(path, "rb") as f:
        return ipc.open_file(f).schema.names


def test_resume_after_an_interruption_on_threads(tmp_path, monkeypatch) -> None:
    """Chunks located on 2 threads, one chunk (found by its points, not by the order of the
    calls) interrupted: what was written is a whole number of chunks before it, and the
    resumed run writes what one run writes."""
    import pyarrow.parquet as pq

    rng = np.random.default_rng(7)
    n = 120_000
    x, y = rng.uniform(686_000, 690_000, n), rng.uniform(7_035_000, 7_038_000, n)
    x[60_000] = 688_123.25  # the first point of the 7th chunk of 10,000 (threads from 10,000)
    gdf = gpd.GeoDataFrame({"k": np.arange(n)}, geometry=gpd.points_from_xy(x, y), crs=2154)
    src = tmp_path / "pts.parquet"
    gdf.to_parquet(src)
    real = stream.locate_points

    def flaky(pts, *args, **kwargs):
        if pts.x[0] == 688_123.25:
            raise KeyboardInterrupt
        return real(pts, *args, **kwargs)

    kw = dict(date=DATE, chunk_size=stream.PARALLEL_MIN_CHUNK, jobs=2)
    monkeypatch.setattr(stream, "locate_points", flaky)
    with pytest.raises(KeyboardInterrupt):
        ortgeo.locate_file(src, tmp_path / "out.parquet", **kw)
    state = json.loads((tmp_path / ".out.parquet.partial" / "state.json").read_text())
    assert state["rows"] % 10_000 == 0 and state["rows"] <= 60_000
    monkeypatch.setattr(stream, "locate_points", real)
    report = ortgeo.locate_file(src, tmp_path / "out.parquet", **kw)
    assert report["resumed_rows"] == state["rows"]
    ortgeo.locate_file(src, tmp_path / "one.parquet", **{**kw, "jobs": 1})
    got, want = pq.read_table(tmp_path / "out.parquet"), pq.read_table(tmp_path / "one.parquet")
    assert got.equals(want, check_metadata=True)
