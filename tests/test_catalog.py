"""ortgeo.catalog and ortgeo.dates: the bundled catalogue, dates at every boundary, the ORT
in force, official files swapped in, catalogue files of one's own.

Fixtures are written in ``tmp_path``:

- "official" files are SYNTHETIC: the bundled ORT 2019 shrunk by 100 m (a Lambert-93
  GeoPackage), so that a replaced geometry is told apart from the bundled one;
- user catalogues are the SYNTHETIC square catalogue of ``tests/synthetic_catalog.py``
  (GeoPackages in EPSG:2154 + ``catalog.toml``), or small TOML variations of it written here.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import geopandas as gpd
import pandas as pd
import pytest
import shapely
from synthetic_catalog import LAYERS as SQUARES
from synthetic_catalog import write_catalog
from test_io import write_shapefile_without_prj

import ortgeo
from ortgeo import catalog, ort_perimeter, perimeters
from ortgeo.catalog import Catalog
from ortgeo.crs import L93
from ortgeo.dates import parse_date, parse_optional_date
from ortgeo.errors import (
    InvalidDateError,
    MissingCRSError,
    OrtgeoError,
    PerimeterFileError,
    UnknownLayerError,
)

ORT, EXT, OPAH = "ort-2019", "ort-extension-route-de-lille-2023", "opah-ru-lens"


def write_official_ort(folder: Path) -> Path:
    """SYNTHETIC "official" ORT: the bundled one shrunk by 100 m, as a Lambert-93 GeoPackage."""
    path = folder / "ort_officiel.gpkg"
    ort = perimeters().to_crs(L93).iloc[[0]]
    assert ort["id"].tolist() == [ORT]
    ort.geometry = ort.buffer(-100)
    ort[["id", "geometry"]].to_file(path)
    return path


def area_m2(geom: shapely.Geometry, crs: object = 4326) -> float:
    return float(gpd.GeoSeries([geom], crs=crs).to_crs(L93).area.iloc[0])


# -- the bundled catalogue -------------------------------------------------------------
def test_bundled_catalogue_loads_in_wgs84_with_valid_geometries() -> None:
    cat = catalog()
    assert cat.ids == [ORT, EXT, OPAH]
    assert [layer.kind for layer in cat] == ["ort", "ort-extension", "opah-ru"]
    gdf = perimeters()
    assert gdf.crs.to_epsg() == 4326
    assert gdf["id"].tolist() == cat.ids
    assert gdf.is_valid.all()
    assert set(gdf.geom_type) <= {"Polygon", "MultiPolygon"}
    assert not gdf.is_empty.any()
    for layer in cat:
        assert layer.geometry.is_valid
        assert layer.path is not None and layer.path.is_file()
        assert 10 < layer.area_ha < 1200  # the commune of Lens covers ~1 170 ha
    assert catalog() is catalog()  # loaded once


def test_layer_metadata_in_words() -> None:
    assert catalog()[ORT].validity_fr == "du 04/08/2019 (sans date de fin connue)"
    assert catalog()[EXT].validity_fr == "du 06/12/2023 au 31/12/2026"
    record = catalog()[OPAH].to_record()
    assert (record["valid_from"], record["valid_to"], record["act_date"]) == (
        "2021-07-01",
        "2026-06-30",
        "",
    )
    assert record["area_ha"] == pytest.approx(catalog()[OPAH].area_ha, abs=0.01)


# -- dates -----------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("layer_id", "day", "in_force"),
    [
        (ORT, "2019-08-03", False),
        (ORT, "2019-08-04", True),
        (ORT, "2030-01-01", True),  # no known end
        (EXT, "2023-12-05", False),
        (EXT, "2023-12-06", True),
        (EXT, "2026-12-31", True),
        (EXT, "2027-01-01", False),
        (OPAH, "2021-06-30", False),
        (OPAH, "2021-07-01", True),
        (OPAH, "2026-06-30", True),
        (OPAH, "2026-07-01", False),
    ],
)
def test_validity_bounds_are_inclusive(layer_id: str, day: str, in_force: bool) -> None:
    assert catalog()[layer_id].in_force(day) is in_force


@pytest.mark.parametrize(
    ("day", "ids"),
    [
        ("2019-08-03", []),
        ("2019-08-04", [ORT]),
        ("2021-06-30", [ORT]),
        ("2021-07-01", [ORT, OPAH]),
        ("2023-12-05", [ORT, OPAH]),
        ("2023-12-06", [ORT, EXT, OPAH]),
        ("2026-06-30", [ORT, EXT, OPAH]),
        ("2026-07-01", [ORT, EXT]),
        ("2026-12-31", [ORT, EXT]),
        ("2027-01-01", [ORT]),
    ],
)
def test_perimeters_filters_by_date(day: str, ids: list[str]) -> None:
    gdf = perimeters(date=day)
    assert gdf["id"].tolist() == ids
    assert gdf.crs.to_epsg() == 4326
    assert [layer.id for layer in catalog().in_force(day)] == ids


def test_perimeters_without_date_lists_every_layer() -> None:
    assert perimeters()["id"].tolist() == [ORT, EXT, OPAH]


@pytest.mark.parametrize(
    "day",
    [
        dt.date(2023, 12, 6),
        dt.datetime(2023, 12, 6, 23, 59),
        pd.Timestamp("2023-12-06"),
        " 2023-12-06 ",
    ],
    ids=["date", "datetime", "timestamp", "spaced-text"],
)
def test_dates_of_every_kind(day: object) -> None:
    assert parse_date(day) == dt.date(2023, 12, 6)
    assert perimeters(date=day)["id"].tolist() == [ORT, EXT, OPAH]


def test_no_date_means_today() -> None:
    assert parse_date(None) == dt.date.today() == parse_date("") == parse_date(pd.NaT)
    assert parse_optional_date(None) is None
    assert parse_optional_date(pd.NaT) is None  # a blank cell of a date column
    today = [layer.id for layer in catalog() if layer.in_force(dt.date.today())]
    assert perimeters(date="")["id"].tolist() == today


@pytest.mark.parametrize("bad", ["hier", "2024-13-01", "2024-02-30", "01/06/2024", "2024-6-1"])
def test_malformed_dates_are_refused(bad: str) -> None:
    for call in (
        lambda: perimeters(date=bad),
        lambda: ort_perimeter(bad),
        lambda: catalog()[ORT].in_force(bad),
    ):
        with pytest.raises(InvalidDateError) as info:
            call()
        assert repr(bad) in str(info.value)
        assert "YYYY-MM-DD" in str(info.value)
        assert isinstance(info.value, ValueError)  # and OrtgeoError
        assert isinstance(info.value, OrtgeoError)


def test_date_of_wrong_type_is_refused() -> None:
    with pytest.raises(InvalidDateError, match="of type int"):
        parse_date(20240601)


# -- the ORT in force ------------------------------------------------------------------
@pytest.mark.parametrize(
    ("day", "layers"),
    [
        ("2019-08-04", [ORT]),
        ("2023-12-05", [ORT]),
        ("2023-12-06", [ORT, EXT]),
        ("2026-12-31", [ORT, EXT]),
        ("2027-01-01", [ORT]),
    ],
)
def test_ort_perimeter_is_the_union_of_ort_layers_in_force(day: str, layers: list[str]) -> None:
    got = ort_perimeter(date=day)
    assert len(got) == 1
    assert got.crs.to_epsg() == 4326
    assert got["layers"].iloc[0] == ",".join(layers)
    assert got["date"].iloc[0] == day
    # the union, computed here from the layers that perimeters() says are in force
    in_force = perimeters(date=day)
    in_force = in_force[in_force["kind"].isin(ORT_KINDS)]
    assert in_force["id"].tolist() == layers
    union = shapely.union_all(in_force.geometry.values)
    assert area_m2(shapely.symmetric_difference(got.geometry.iloc[0], union)) < 1.0
    assert got["area_ha"].iloc[0] == pytest.approx(area_m2(union) / 1e4, abs=0.01)
    assert got["status"].iloc[0] == "indicatif"
    assert got["accuracy_m"].iloc[0] == max(catalog()[i].accuracy_m for i in layers)
    assert got["legal_basis"].iloc[0] == " ; ".join(catalog()[i].legal_basis for i in layers)


def test_extension_enlarges_the_ort() -> None:
    before = ort_perimeter("2023-12-05")["area_ha"].iloc[0]
    after = ort_perimeter("2023-12-06")["area_ha"].iloc[0]
    assert before == pytest.approx(catalog()[ORT].area_ha, abs=0.01)
    assert after - before > 0.5 * catalog()[EXT].area_ha  # it overlaps the ORT only at a corner


def test_no_ort_before_2019_08_04_warns_without_crashing() -> None:
    with pytest.warns(UserWarning, match=r"No ORT perimeter in force on 2019-08-03.*2019-08-04"):
        got = ort_perimeter(date="2019-08-03")
    assert len(got) == 0
    assert got.crs.to_epsg() == 4326
    assert "geometry" in got.columns and "layers" in got.columns


# -- layer ids -------------------------------------------------------------------------
def test_unknown_layer_id_lists_known_ones() -> None:
    with pytest.raises(UnknownLayerError) as info:
        catalog()["nope"]
    message = str(info.value)
    assert message.startswith("Unknown layer id 'nope'.")
    for layer_id in (ORT, EXT, OPAH):
        assert layer_id in message
    assert isinstance(info.value, KeyError) and isinstance(info.value, OrtgeoError)


# -- replace ---------------------------------------------------------------------------
def test_replace_uses_the_official_file_and_leaves_the_bundled_catalogue(tmp_path: Path) -> None:
    bundled = catalog()
    bundled_ort = bundled[ORT]
    bundled_area = ort_perimeter("2022-01-01")["area_ha"].iloc[0]
    path = write_official_ort(tmp_path)

    new = bundled.replace(ORT, path, source="Ville de Lens, service SIG")
    layer = new[ORT]
    assert layer.status == "officiel"
    assert layer.accuracy_m == 5.0
    assert layer.path == path
    assert layer.source == "Ville de Lens, service SIG"
    assert layer.valid_from == bundled_ort.valid_from  # dates kept
    official = area_m2(gpd.read_file(path).geometry.iloc[0], crs=2154)
    assert layer.area_ha * 1e4 == pytest.approx(official, rel=1e-4)

    # the new geometry is the one ort_perimeter uses
    got = ort_perimeter("2022-01-01", catalog=new)
    assert got["area_ha"].iloc[0] == pytest.approx(official / 1e4, abs=0.01)
    assert got["area_ha"].iloc[0] < bundled_area - 10  # 100 m less all around
    assert got["status"].iloc[0] == "officiel"
    mixed = ort_perimeter("2024-06-01", catalog=new)  # official ORT + indicative extension
    assert mixed["status"].iloc[0] == "indicatif"

    # the bundled catalogue is untouched
    assert catalog() is bundled
    assert catalog()[ORT] is bundled_ort
    assert catalog()[ORT].status == "indicatif"
    assert ort_perimeter("2022-01-01")["area_ha"].iloc[0] == bundled_area
    assert new[EXT] is bundled[EXT] and new[OPAH] is bundled[OPAH]
    assert new.ids == bundled.ids


def test_replace_with_metadata_and_a_file_without_crs(tmp_path: Path) -> None:
    path = write_shapefile_without_prj(tmp_path)
    with pytest.raises(MissingCRSError):
        catalog().replace(ORT, path)
    new = catalog().replace(
        ORT, path, crs=2154, accuracy_m=2, valid_to="2030-12-31", legal_basis="Arrêté X"
    )
    layer = new[ORT]
    assert (layer.accuracy_m, layer.legal_basis) == (2.0, "Arrêté X")
    assert layer.in_force("2030-12-31") and not layer.in_force("2031-01-01")


@pytest.mark.parametrize(
    ("kwargs", "error", "match"),
    [
        ({"layer_id": "nope"}, UnknownLayerError, "Known layers: ort-2019"),
        ({"status": "provisoire"}, PerimeterFileError, "status 'provisoire' is not one of"),
        ({"colour": "red"}, PerimeterFileError, r"unknown field\(s\) \['colour'\]"),
        ({"valid_to": "bientôt"}, PerimeterFileError, "field 'valid_to': Invalid date"),
    ],
)
def test_replace_refuses_bad_arguments(
    tmp_path: Path, kwargs: dict, error: type[OrtgeoError], match: str
) -> None:
    kwargs = {"layer_id": ORT, "path": write_official_ort(tmp_path), **kwargs}
    with pytest.raises(error, match=match):
        catalog().replace(**kwargs)


# -- catalogue files of one's own ------------------------------------------------------
def test_user_catalogue_file(tmp_path: Path) -> None:
    path = write_catalog(tmp_path)
    cat = ortgeo.catalog(path)
    assert isinstance(cat, Catalog)
    assert cat.ids == list(SQUARES)
    assert cat.source == path
    assert cat.name == "synthetic test catalogue"
    for layer in cat:
        kind, square, start, _end, accuracy = SQUARES[layer.id]
        assert layer.kind == kind
        assert layer.accuracy_m == accuracy
        assert layer.valid_from == dt.date.fromisoformat(start)
        assert layer.path == tmp_path / f"{layer.id}.gpkg"
        assert layer.area_ha * 1e4 == pytest.approx(square.area, rel=1e-6)
    assert [x.id for x in cat.in_force("2024-01-01")] == ["test-ort", "test-ext", "test-opah"]
    ort = ort_perimeter("2024-01-01", catalog=cat)
    assert ort["layers"].iloc[0] == "test-ort,test-ext"
    assert ort["area_ha"].iloc[0] == pytest.approx(150.0, rel=1e-6)  # 1500 m x 1000 m
    assert perimeters(date="2020-01-01", catalog=cat)["id"].tolist() == ["test-ort"]
    assert catalog().ids == [ORT, EXT, OPAH]  # the bundled one is still the default


def edit_catalog(folder: Path, old: str, new: str) -> Path:
    """The synthetic catalogue with one piece of its TOML text replaced."""
    path = write_catalog(folder)
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new, 1), encoding="utf-8")
    return path


def test_user_catalogue_with_toml_dates_and_a_file_without_prj(tmp_path: Path) -> None:
    write_shapefile_without_prj(tmp_path)
    path = edit_catalog(
        tmp_path,
        'file = "test-ort.gpkg"\nkind = "ort"',
        'file = "ort_sans_prj.shp"\ncrs = "EPSG:2154"\nkind = "ort"',
    )
    text = path.read_text(encoding="utf-8")
    text = text.replace('valid_from = "2019-08-04"', "valid_from = 2019-08-04T00:00:00", 1)
    text = text.replace('valid_to = "2026-12-31"', "valid_to = 2026-12-31", 1)
    path.write_text(text, encoding="utf-8")
    cat = catalog(path)
    assert cat["test-ort"].valid_from == dt.date(2019, 8, 4)
    assert type(cat["test-ort"].valid_from) is dt.date  # not a datetime: comparable with dates
    assert cat["test-ext"].valid_to == dt.date(2026, 12, 31)
    assert [x.id for x in cat.in_force("2019-08-04")] == ["test-ort"]
    assert cat["test-ort"].area_ha == pytest.approx(catalog()[ORT].area_ha, rel=1e-4)


@pytest.mark.parametrize(
    ("old", "new", "error", "match"),
    [
        ("[catalog]", "[catalog", PerimeterFileError, "is not valid TOML"),
        ('id = "test-ext"', 'id = "test-ort"', PerimeterFileError, "Duplicate layer ids"),
        ('kind = "ort"', 'kind = "zac"', PerimeterFileError, "kind 'zac' is not one of"),
        ('status = "indicatif"', 'status = "x"', PerimeterFileError, "status 'x' is not one"),
        ("accuracy_m = 50", 'accuracy_m = "50 m"', PerimeterFileError, "not a number of metres"),
        ('title = "Synthétique test-ort"\n', "", PerimeterFileError, "lacks 'title'"),
        (
            'valid_from = "2019-08-04"',
            'valid_from = "04/08/2019"',
            PerimeterFileError,
            "layer 'test-ort': field 'valid_from': Invalid date '04/08/2019'",
        ),
        ('valid_from = "2019-08-04"', 'valid_from = ""', PerimeterFileError, "is required"),
        (
            'valid_to = "2026-12-31"',
            'valid_to = "2022-12-31"',
            PerimeterFileError,
            "valid_to 2022-12-31 is before valid_from 2023-12-06",
        ),
        ('file = "test-ort.gpkg"', 'file = "absent.gpkg"', PerimeterFileError, "not found"),
        (
            'file = "test-ort.gpkg"',
            'file = "ort_sans_prj.shp"',
            MissingCRSError,
            'EPSG:2154 \\(Lambert-93\\).*crs = "EPSG:2154"',
        ),
    ],
)
def test_bad_user_catalogue(
    tmp_path: Path, old: str, new: str, error: type[OrtgeoError], match: str
) -> None:
    write_shapefile_without_prj(tmp_path)
    with pytest.raises(error, match=match):
        catalog(edit_catalog(tmp_path, old, new))


@pytest.mark.parametrize(
    ("text", "match"),
    [
        ('[catalog]\nname = "vide"\n', "lists no \\[\\[layer\\]\\]"),
        ('layer = "ort.gpkg"\n', "'layer' must be an array of tables"),
    ],
)
def test_catalogue_without_layer_tables(tmp_path: Path, text: str, match: str) -> None:
    path = tmp_path / "catalog.toml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(PerimeterFileError, match=match):
        catalog(path)


def test_missing_catalogue_file(tmp_path: Path) -> None:
    with pytest.raises(PerimeterFileError, match="Catalogue file not found"):
        catalog(tmp_path / "absent.toml")
