"""One point, fast (session 16): the scalar path gives the answers of the array path, and
``ortgeo check --lonlat`` / ``--xy`` import neither pandas, geopandas, pyogrio nor requests."""

from __future__ import annotations

import json
import math
import subprocess
import sys
from pathlib import Path

import geopandas as gpd
import numpy as np
import pytest
import shapely

import ortgeo
from ortgeo.catalog import bundled_path
from ortgeo.communes import (
    commune_at,
    commune_at_lonlat,
    commune_name,
    commune_outlines,
    communes_path,
    ort_communes,
)
from ortgeo.crs import to_l93, to_wgs84_lonlat
from ortgeo.io import read_perimeter
from ortgeo.io.geojson import plain_geojson
from ortgeo.locate import located, located_point

SNAPSHOT = Path(__file__).parent / "snapshots" / "point16_answers.json"
HEAVY = ("pandas", "geopandas", "pyogrio", "requests", "pyarrow", "ortgeo.geocoders")

_PROBE = """
import json, sys
from ortgeo.cli import main
try:
    main(sys.argv[1:], standalone_mode=False)
finally:
    heavy = sorted({m.split('.')[0] if not m.startswith('ortgeo.') else m for m in sys.modules
                    if m.split('.')[0] in %r or m.startswith('ortgeo.geocoders')})
    print(json.dumps(heavy), file=sys.stderr)
""".replace("%r", repr(HEAVY))


@pytest.mark.parametrize(
    "args", [["check", "--lonlat", "2.8339,50.4292"], ["check", "--xy", "688180,7036861"],
             ["check", "--lonlat", "2.8339,50.4292", "--json", "--date", "2024-06-01"],
             ["check", "--lonlat", "2.7775,50.2910"]],  # Arras: the Pas-de-Calais outlines
)  # fmt: skip
def test_check_a_point_imports_no_table_library(args: list[str], tmp_path: Path) -> None:
    root = Path(__file__).resolve().parents[1]
    proc = subprocess.run(
        [sys.executable, "-c", _PROBE, *args], capture_output=True, text=True, cwd=tmp_path,
        env={"PATH": "", "PYTHONPATH": str(root)}, timeout=120, check=False,
    )  # fmt: skip
    assert proc.returncode == 0, proc.stderr
    assert json.loads(proc.stderr.strip().splitlines()[-1]) == []
    assert "ORT de la CALL – secteurs de Lens" in proc.stdout or '"status"' in proc.stdout


def test_snapshot_answers_unchanged() -> None:
    """Answers recorded from the session-16-start code (tools/compare_point_answers.py checks
    thousands more against a checkout); the invalid ones re-recorded since an invalid point
    gets no Denormandie note (it has no commune)."""
    for case in json.loads(SNAPSHOT.read_text(encoding="utf-8")):
        v = ortgeo.check_point(case["lon"], case["lat"], **case["kwargs"])
        assert json.dumps(v.to_dict(), ensure_ascii=False) == case["to_dict"], case
        assert v.explain() == case["explain"], case


def _same(a: object, b: object) -> bool:
    if isinstance(a, float | np.floating) and isinstance(b, float | np.floating):
        return (math.isnan(a) and math.isnan(b)) or float(a).hex() == float(b).hex()
    return bool(a == b) and (a is None) == (b is None)


def _cases() -> list[tuple[float, float, bool]]:
    rng = np.random.default_rng(7)
    lon, lat = rng.uniform(2.78, 2.90, 300), rng.uniform(50.39, 50.47, 300)
    cases = [(a, b, False) for a, b in zip(lon, lat, strict=True)]
    cases += [(a, b, False) for a, b in zip(rng.uniform(-6, 10, 40), rng.uniform(41, 52, 40),
                                             strict=True)]  # fmt: skip
    x, y = rng.uniform(683_000, 694_000, 100), rng.uniform(7_032_000, 7_041_000, 100)
    cases += [(a, b, True) for a, b in zip(x, y, strict=True)]
    nan, inf = math.nan, math.inf
    cases += [(50.43, 2.83, False), (nan, 50.4, False), (inf, 50.4, False), (200.0, 1.0, False),
              (0.0, -90.0, False), (2.83, 50.43, True), (nan, 7e6, True), (1e7, 1e7, True),
              (inf, 7e6, True), (650_000.0, 6_860_000.0, True)]  # fmt: skip
    for layer in ortgeo.catalog():  # on the limits
        for a, b in shapely.get_coordinates(shapely.boundary(layer.geometry))[::7]:
            cases.append((float(a), float(b), False))
        for a, b in shapely.get_coordinates(shapely.boundary(layer.geometry_l93))[::9]:
            cases.append((float(a), float(b), True))
    return cases


@pytest.mark.parametrize("day", ["2018-06-01", "2020-01-01", "2024-06-01", "2027-03-01"])
@pytest.mark.parametrize("band_m, unc", [(None, 0.0), (120.0, 0.0), (None, 40.0)])
def test_located_point_is_row_0_of_located(day: str, band_m: float | None, unc: float) -> None:
    state = ortgeo.on(day)
    for a, b, given_xy in _cases():
        points = gpd.GeoSeries.from_xy([a], [b], crs=2154) if given_xy else ([a], [b])
        want = located(points, perimeters=state, band_m=band_m, uncertainty_m=unc).row(0)
        got = located_point(a, b, state, band_m, unc, given_xy=given_xy)
        assert list(got) == list(want)
        bad = {k: (got[k], want[k]) for k in want if not _same(got[k], want[k])}
        assert not bad, (a, b, given_xy, bad)


def test_commune_of_one_point_is_commune_at_even_on_borders() -> None:
    """On the CALL's outlines and on the Pas-de-Calais' (read for a point outside them)."""
    call, dept = commune_outlines().geometry.values, commune_outlines(True).geometry.values
    coords = np.r_[shapely.get_coordinates(call)[::3], shapely.get_coordinates(dept)[::11]]
    rng = np.random.default_rng(5)
    lon = np.r_[coords[:, 0], rng.uniform(2.5, 3.2, 500), rng.uniform(1.5, 3.2, 1500)]
    lat = np.r_[coords[:, 1], rng.uniform(50.25, 50.6, 500), rng.uniform(50.0, 51.0, 1500)]
    want = commune_at(lon, lat).tolist()
    assert [commune_at_lonlat(float(a), float(b)) for a, b in zip(lon, lat, strict=True)] == want
    assert sum(w is not None and w not in set(commune_outlines()["code"]) for w in want) > 1500


def test_plain_geojson_reads_what_ogr_reads() -> None:
    files = [*sorted(bundled_path().glob("*_*.geojson")), communes_path() / "communes.geojson"]
    for path in files:
        plain = plain_geojson(path)
        assert plain is not None, path
        ogr = read_perimeter(path) if "communes" not in path.name else commune_outlines()
        assert [g.wkb for g in plain[0]] == [g.wkb for g in ogr.geometry.values], path
    for layer in ortgeo.catalog():
        old = gpd.GeoSeries([layer.geometry], crs=4326).to_crs(2154).iloc[0]
        assert to_l93(layer.geometry).wkb == old.wkb == layer.geometry_l93.wkb


def test_plain_geojson_leaves_other_files_to_ogr(tmp_path: Path) -> None:
    square = [[[2.83, 50.42], [2.84, 50.42], [2.84, 50.43], [2.83, 50.43], [2.83, 50.42]]]
    bow = [[[2.83, 50.42], [2.84, 50.43], [2.84, 50.42], [2.83, 50.43], [2.83, 50.42]]]
    cases = {
        "crs.geojson": {"type": "FeatureCollection", "crs": {"type": "name"}, "features": []},
        "invalid.geojson": {"type": "FeatureCollection", "features": [
            {"type": "Feature", "properties": {}, "geometry": {"type": "Polygon",
                                                                "coordinates": bow}}]},
        "point.geojson": {"type": "FeatureCollection", "features": [
            {"type": "Feature", "properties": {}, "geometry": {"type": "Point",
                                                                "coordinates": [2.8, 50.4]}}]},
        "broken.geojson": "{not json",
    }  # fmt: skip
    for name, content in cases.items():
        path = tmp_path / name
        path.write_text(content if isinstance(content, str) else json.dumps(content))
        assert plain_geojson(path) is None, name
    good = tmp_path / "good.geojson"
    good.write_text(json.dumps({"type": "FeatureCollection", "features": [
        {"type": "Feature", "properties": {"a": 1},
         "geometry": {"type": "Polygon", "coordinates": square}}]}))  # fmt: skip
    geoms, props = plain_geojson(good) or ([], [])
    assert props == [{"a": 1}] and geoms[0].equals(shapely.Polygon(square[0]))


def test_commune_status_from_csv_is_the_anct_table() -> None:
    table = ort_communes()
    for code, row in table.iterrows():
        status = ortgeo.commune_status(str(code))
        # the name is today's official one (COG), the table's when the COG lacks the code
        assert (status.name, status.programme, status.ort, status.epci, status.remark) == (
            commune_name(str(code)) or row["nom"],
            row["programme"],
            row["ort"],
            row["epci"],
            row["remarque"],
        )
        assert (status.acv, status.pvd) == (bool(row["acv"]), bool(row["pvd"]))
        signed = status.ort_signed_on.isoformat() if status.ort_signed_on else ""
        assert signed == row["ort_signee_le"]
    assert ortgeo.commune_status("62523").name == "Loison-sous-Lens"  # outlines, not the table


def test_round_trip_used_for_the_commune() -> None:
    """The commune of a lon/lat point comes from its Lambert-93 position, as in locate()."""
    v = ortgeo.check_point(2.833889, 50.429167, date="2024-06-01")
    lon, lat = to_wgs84_lonlat(v.x, v.y)
    assert v.commune is not None and commune_at_lonlat(float(lon), float(lat)) == "62498"
