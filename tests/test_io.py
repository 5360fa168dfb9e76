"""ortgeo.io: official perimeter files in and out, with both OGR engines.

Every file here is written in ``tmp_path`` by the tests themselves:

- round trips write the bundled (indicative) layers of :func:`ortgeo.perimeters` (the
  catalogue's table, format 2: ``valid_from_precision``, ``includes_centre_ville``...) to
  Shapefile / GeoPackage / GeoJSON, in EPSG:2154 or EPSG:4326;
- SYNTHETIC bad files (see :data:`BAD_FILES`, reused by ``test_cli_perimeters.py``): a
  ``.gpkg`` made of garbage bytes, a ``.geojson`` cut in the middle, a GeoJSON of two points,
  a Shapefile whose ``.prj`` was deleted;
- a SYNTHETIC bow-tie: a 1 km square near the centre of Lens (Lambert-93) whose vertices
  are given in crossed order, so that the ring intersects itself.
"""

from __future__ import annotations

import re
import warnings
from collections.abc import Callable
from pathlib import Path

import geopandas as gpd
import pytest
import shapely
from shapely.geometry import Point, Polygon

from ortgeo import perimeters, read_perimeter, write_perimeters
from ortgeo.crs import L93, LENS_CENTRE_LONLAT, guess_crs, to_l93_xy
from ortgeo.dates import parse_date
from ortgeo.errors import MissingCRSError, OrtgeoError, OutputFileError, PerimeterFileError

ENGINES = ["pyogrio", "fiona"]
#: Lambert-93 coordinates of the church Saint-Léger, the centre of Lens.
CX, CY = (float(v[0]) for v in to_l93_xy([LENS_CENTRE_LONLAT[0]], [LENS_CENTRE_LONLAT[1]]))
# Writing the bundled notes (> 254 bytes) to a Shapefile truncates them, with a warning:
# tested once in test_shapefile_text_truncation_is_announced, ignored elsewhere.
SHP_TRUNCATION = [
    "ignore:.*Shapefile holds at most:UserWarning",
    "ignore:.*truncated to 254 characters:RuntimeWarning",
]


# -- synthetic files -------------------------------------------------------------------
def write_garbage_gpkg(folder: Path) -> Path:
    """A ``.gpkg`` that is not a GeoPackage: garbage bytes."""
    path = folder / "garbage.gpkg"
    path.write_bytes(b"\x00\x01\x02 not a GeoPackage \xff\xfe" * 64)
    return path


def write_truncated_geojson(folder: Path) -> Path:
    """A GeoJSON of the bundled centre-ville sector cut in its middle (interrupted download)."""
    path = folder / "truncated.geojson"
    write_perimeters(perimeters().iloc[:1], path)
    text = path.read_text(encoding="utf-8")
    path.write_text(text[: len(text) // 2], encoding="utf-8")
    return path


def write_points_only(folder: Path) -> Path:
    """A valid GeoJSON holding two points of Lens and no polygon."""
    path = folder / "points.geojson"
    pts = [Point(LENS_CENTRE_LONLAT), Point(2.8278, 50.4267)]
    gpd.GeoDataFrame({"name": ["église", "gare"]}, geometry=pts, crs=4326).to_file(path)
    return path


def write_shapefile_without_prj(folder: Path, engine: str = "pyogrio") -> Path:
    """The bundled centre-ville sector as a Lambert-93 Shapefile without its ``.prj``."""
    path = folder / "ort_sans_prj.shp"
    write_perimeters(perimeters().iloc[:1][["id", "geometry"]], path, crs=2154, engine=engine)
    path.with_suffix(".prj").unlink()
    return path


def missing_file(folder: Path) -> Path:
    return folder / "absent.gpkg"


#: (writer of the bad file, exception, fragments of its message), one per kind of bad input.
BAD_FILES = [
    pytest.param(missing_file, PerimeterFileError, ["not found", "absent.gpkg"], id="missing"),
    pytest.param(
        write_garbage_gpkg, PerimeterFileError, ["Cannot read garbage.gpkg"], id="garbage-gpkg"
    ),
    pytest.param(
        write_truncated_geojson,
        PerimeterFileError,
        ["Cannot read truncated.geojson"],
        id="truncated-geojson",
    ),
    pytest.param(
        write_points_only, PerimeterFileError, ["holds no polygon", "Point"], id="points-only"
    ),
    pytest.param(
        write_shapefile_without_prj,
        MissingCRSError,
        ["no coordinate reference system", "EPSG:2154 (Lambert-93)", "crs=2154"],
        id="no-crs",
    ),
]


def areas_m2(gdf: gpd.GeoDataFrame) -> list[float]:
    return gdf.to_crs(L93).area.tolist()


def user_warnings(caught: list[warnings.WarningMessage]) -> list[str]:
    return [str(w.message) for w in caught if issubclass(w.category, UserWarning)]


# -- round trips -----------------------------------------------------------------------
@pytest.mark.filterwarnings(*SHP_TRUNCATION)
@pytest.mark.parametrize("engine", ENGINES)
@pytest.mark.parametrize(
    ("suffix", "crs"), [(".shp", 2154), (".gpkg", 2154), (".gpkg", None), (".geojson", None)]
)
def test_round_trip_keeps_layers_crs_and_areas(
    tmp_path: Path, engine: str, suffix: str, crs: int | None
) -> None:
    src = perimeters()
    path = write_perimeters(src, tmp_path / f"perimetres{suffix}", crs=crs, engine=engine)
    assert gpd.read_file(path, engine=engine).crs.to_epsg() == (crs or 4326)

    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        back = read_perimeter(path, engine=engine)
    assert user_warnings(caught) == []  # valid polygons near Lens: nothing to say
    assert back.crs.to_epsg() == 4326
    assert back["id"].tolist() == src["id"].tolist()
    # pyogrio reads ISO text of a GeoJSON as dates, fiona as text: compare as dates
    assert [parse_date(v) for v in back["valid_from"]] == [parse_date(v) for v in src["valid_from"]]
    for got, want in zip(areas_m2(back), areas_m2(src), strict=True):
        assert got == pytest.approx(want, rel=1e-4)  # 0.01 %


def test_kml_and_flatgeobuf_are_read(tmp_path: Path) -> None:
    src = perimeters().rename(columns={"id": "Name"})[["Name", "geometry"]]  # KML's name field
    for name, driver in [("p.kml", "KML"), ("p.fgb", "FlatGeobuf")]:
        src.to_file(tmp_path / name, driver=driver)
        back = read_perimeter(tmp_path / name).sort_values("Name")  # LIBKML reorders
        want = src.sort_values("Name")
        assert back["Name"].tolist() == want["Name"].tolist()
        assert areas_m2(back) == pytest.approx(areas_m2(want), rel=1e-4)
    # fiona ships with its KML driver disabled: the message says what to do
    with pytest.raises(PerimeterFileError, match="try engine='pyogrio'"):
        read_perimeter(tmp_path / "p.kml", engine="fiona")


@pytest.mark.parametrize("engine", ENGINES)
def test_shapefile_without_prj_needs_explicit_crs(tmp_path: Path, engine: str) -> None:
    path = write_shapefile_without_prj(tmp_path, engine)
    with pytest.raises(MissingCRSError) as info:
        read_perimeter(path, engine=engine)
    message = str(info.value)
    assert "ort_sans_prj.shp" in message
    assert "EPSG:2154 (Lambert-93)" in message  # what the coordinates look like
    assert "crs=2154" in message  # how to pass it
    assert isinstance(info.value, PerimeterFileError)

    for crs in (2154, "EPSG:2154"):
        back = read_perimeter(path, crs=crs, engine=engine)
        assert back.crs.to_epsg() == 4326
        assert areas_m2(back)[0] == pytest.approx(areas_m2(perimeters())[0], rel=1e-4)


@pytest.mark.parametrize(
    ("crs", "expected"),
    [(2154, "EPSG:2154 (Lambert-93)"), (4326, "EPSG:4326 (WGS84 longitude/latitude)")],
)
def test_missing_crs_message_says_what_coordinates_look_like(
    tmp_path: Path, crs: int, expected: str
) -> None:
    path = tmp_path / "sans_crs.shp"
    write_perimeters(perimeters().iloc[[2]][["id", "kind", "geometry"]], path, crs=crs)
    path.with_suffix(".prj").unlink()
    with pytest.raises(MissingCRSError, match=re.escape(expected)):
        read_perimeter(path)


def test_guess_crs() -> None:
    x, y = CX, CY
    assert guess_crs((x - 500, y - 500, x + 500, y + 500))[0] == "EPSG:2154 (Lambert-93)"
    lon, lat = LENS_CENTRE_LONLAT
    assert guess_crs((lon - 0.01, lat - 0.01, lon + 0.01, lat + 0.01)) == [
        "EPSG:4326 (WGS84 longitude/latitude)"
    ]
    assert guess_crs((0.0, 0.0, 10.0, 10.0)) == []  # nowhere near Lens in any candidate
    assert guess_crs((float("nan"),) * 4) == []


@pytest.mark.parametrize("engine", ENGINES)
def test_crs_that_contradicts_the_file_is_refused(tmp_path: Path, engine: str) -> None:
    path = write_perimeters(perimeters(), tmp_path / "l93.gpkg", crs=2154, engine=engine)
    assert len(read_perimeter(path, crs=2154, engine=engine)) == 3  # agreeing: fine
    with pytest.raises(PerimeterFileError, match=r"declares EPSG:2154 but crs=4326"):
        read_perimeter(path, crs=4326, engine=engine)


def test_crs_that_is_not_a_crs(tmp_path: Path) -> None:
    path = write_shapefile_without_prj(tmp_path)
    with pytest.raises(PerimeterFileError, match="'Lambert93' is not a coordinate reference"):
        read_perimeter(path, crs="Lambert93")
    with pytest.raises(PerimeterFileError, match=r"e\.g\. 2154"):
        write_perimeters(perimeters(), tmp_path / "out.gpkg", crs="Lambert93")


# -- far from Lens ---------------------------------------------------------------------
@pytest.mark.parametrize("engine", ENGINES)
def test_lambert93_file_declared_as_cc50_is_far_from_lens(tmp_path: Path, engine: str) -> None:
    path = write_shapefile_without_prj(tmp_path, engine)
    with pytest.warns(UserWarning, match=r"lies \d+ km from Lens once read as EPSG:3950"):
        gdf = read_perimeter(path, crs=3950, engine=engine)
    assert len(gdf) == 1  # a warning, not an error: the user may know better


def test_lambert93_file_declared_as_degrees_is_refused(tmp_path: Path) -> None:
    """Metres labelled as degrees are impossible (|lon| > 180): an error naming Lambert-93."""
    path = tmp_path / "l93_as_wgs84.geojson"
    l93 = perimeters().to_crs(L93)
    l93.set_crs(4326, allow_override=True).to_file(path)  # metres labelled as degrees
    with pytest.raises(PerimeterFileError, match="impossible in EPSG:4326") as info:
        read_perimeter(path)
    assert "look like EPSG:2154 (Lambert-93)" in str(info.value)


# -- repair ----------------------------------------------------------------------------
@pytest.mark.parametrize("engine", ENGINES)
def test_bow_tie_is_repaired_with_a_warning(tmp_path: Path, engine: str) -> None:
    x, y = round(CX), round(CY)
    bow_tie = Polygon([(x, y), (x + 1000, y + 1000), (x + 1000, y), (x, y + 1000)])
    assert not bow_tie.is_valid
    path = tmp_path / "noeud_papillon.gpkg"
    gpd.GeoDataFrame({"name": ["bow-tie"]}, geometry=[bow_tie], crs=2154).to_file(
        path, engine=engine
    )
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        gdf = read_perimeter(path, engine=engine)
    messages = user_warnings(caught)
    assert len(messages) == 1  # the repair; it lies at Lens, so no "far" warning
    assert "noeud_papillon.gpkg: repaired 1 invalid geometry with make_valid" in messages[0]
    assert f"Self-intersection[{x + 500} {y + 500}]" in messages[0]  # what and where

    geom = gdf.geometry.iloc[0]
    assert geom.is_valid
    assert geom.geom_type == "MultiPolygon"  # the two triangles of the bow-tie
    assert areas_m2(gdf)[0] == pytest.approx(500_000.0, rel=1e-6)


def test_non_polygon_features_are_dropped_with_a_warning(tmp_path: Path) -> None:
    path = tmp_path / "mixte.geojson"
    ort = perimeters().geometry.iloc[0]
    gpd.GeoDataFrame(
        {"name": ["ort", "point"]}, geometry=[ort, Point(LENS_CENTRE_LONLAT)], crs=4326
    ).to_file(path)
    with pytest.warns(UserWarning, match=r"ignored 1 non-polygon feature\(s\)"):
        gdf = read_perimeter(path)
    assert gdf["name"].tolist() == ["ort"]


# -- bad input -------------------------------------------------------------------------
@pytest.mark.parametrize("engine", ENGINES)
@pytest.mark.parametrize(("make", "error", "fragments"), BAD_FILES)
def test_bad_files_raise_clear_errors(
    tmp_path: Path,
    engine: str,
    make: Callable[[Path], Path],
    error: type[OrtgeoError],
    fragments: list[str],
) -> None:
    path = make(tmp_path)
    with pytest.raises(error) as info:
        read_perimeter(path, engine=engine)
    for fragment in fragments:
        assert fragment in str(info.value)


@pytest.mark.parametrize("engine", ENGINES)
def test_layer_without_features(tmp_path: Path, engine: str) -> None:
    path = tmp_path / "vide.gpkg"
    empty = gpd.GeoDataFrame({"name": ["x"]}, geometry=[Polygon()], crs=2154)
    empty.to_file(path, engine=engine)
    with pytest.raises(PerimeterFileError, match=r"vide\.gpkg holds no feature with a geometry"):
        read_perimeter(path, engine=engine)


def test_unknown_engine(tmp_path: Path) -> None:
    with pytest.raises(PerimeterFileError, match="Unknown engine 'gdal'"):
        read_perimeter(tmp_path / "x.gpkg", engine="gdal")
    with pytest.raises(PerimeterFileError, match="Unknown engine 'gdal'"):
        write_perimeters(perimeters(), tmp_path / "x.gpkg", engine="gdal")


@pytest.mark.parametrize("engine", ENGINES)
def test_export_to_missing_folder(tmp_path: Path, engine: str) -> None:
    target = tmp_path / "absent" / "perimetres.gpkg"
    with pytest.raises(OutputFileError, match=r"folder .*absent does not exist"):
        write_perimeters(perimeters(), target, engine=engine)
    assert not target.parent.exists()


@pytest.mark.parametrize("suffix", [".xyz", ".kml", ""])
def test_export_with_unknown_extension(tmp_path: Path, suffix: str) -> None:
    with pytest.raises(OutputFileError, match=r"use a name ending in .*\.gpkg"):
        write_perimeters(perimeters(), tmp_path / f"perimetres{suffix}")


@pytest.mark.parametrize("engine", ENGINES)
def test_export_onto_a_folder(tmp_path: Path, engine: str) -> None:
    target = tmp_path / "dossier.gpkg"
    target.mkdir()
    with pytest.raises(OutputFileError, match=r"Cannot write .*dossier\.gpkg: it is a folder"):
        write_perimeters(perimeters(), target, engine=engine)


def test_shapefile_text_truncation_is_announced(tmp_path: Path) -> None:
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        write_perimeters(perimeters(), tmp_path / "p.shp")
    messages = user_warnings(caught)
    assert len(messages) == 1
    assert "column(s) notes will be truncated" in messages[0]
    assert ".gpkg" in messages[0]
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # short texts: nothing to announce
        write_perimeters(perimeters()[["id", "kind", "geometry"]], tmp_path / "short.shp")


def test_read_keeps_valid_geometries_untouched(tmp_path: Path) -> None:
    src = perimeters()
    back = read_perimeter(write_perimeters(src, tmp_path / "p.gpkg"))
    for a, b in zip(back.geometry, src.geometry, strict=True):
        assert shapely.equals_exact(a, b, tolerance=1e-9)


@pytest.mark.parametrize("engine", ENGINES)
def test_shapefile_keeps_long_column_names_apart(tmp_path: Path, engine: str) -> None:
    """A .dbf name holds 10 characters: ``valid_from`` and ``valid_from_precision`` (both in
    the catalogue's table) must still be written as two distinct columns."""
    src = perimeters()
    assert {"valid_from", "valid_from_precision"} <= set(src.columns)
    path = write_perimeters(src[["id", "valid_from", "valid_from_precision", "geometry"]],
                            tmp_path / "p.shp", engine=engine)  # fmt: skip
    back = gpd.read_file(path, engine=engine)
    assert len(back.columns) == 4
    assert back["id"].tolist() == src["id"].tolist()
    assert [parse_date(v) for v in back["valid_from"]] == [parse_date(v) for v in src["valid_from"]]
    assert sorted(back.drop(columns=["id", "valid_from", "geometry"]).iloc[:, 0]) == sorted(
        src["valid_from_precision"]
    )
