"""ortgeo.catalog and ortgeo.dates: the bundled catalogue (format 2), dates at every
boundary with their precision, the ORT in force, official files swapped in, catalogue
files of one's own (format 2, and version 1 with a warning).

Fixtures are written in ``tmp_path``:

- "official" files are SYNTHETIC: the bundled centre-ville sector shrunk by 100 m (a
  Lambert-93 GeoPackage), so that a replaced geometry is told apart from the bundled one;
- user catalogues are the SYNTHETIC square catalogue of ``tests/synthetic_catalog.py``
  (GeoPackages in EPSG:2154 + ``catalog.toml``, format 2 or version 1), or small TOML
  variations of it written here.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import geopandas as gpd
import pandas as pd
import pytest
import shapely
from synthetic_catalog import LAYERS as SQUARES
from synthetic_catalog import write_catalog, write_catalog_v1
from test_io import write_shapefile_without_prj

import ortgeo
from ortgeo import catalog, ort_perimeter, perimeters
from ortgeo.catalog import ORT_SECTOR, Catalog, bundled_path
from ortgeo.catalog.geometry import file_sha256
from ortgeo.crs import L93
from ortgeo.dates import parse_date, parse_optional_date
from ortgeo.errors import (
    InvalidDateError,
    MissingCRSError,
    OrtgeoError,
    PerimeterFileError,
    UnknownLayerError,
)
from ortgeo.inforce import on
from ortgeo.texts import acts_label, validity

ORT, EXT, OPAH = "lens-centre-ville", "lens-entree-de-ville", "call-opah-ru-coeur-de-ville"


def write_official_ort(folder: Path) -> Path:
    """SYNTHETIC "official" centre-ville sector: the bundled one shrunk by 100 m (Lambert-93)."""
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
    assert [layer.kind for layer in cat] == [ORT_SECTOR, ORT_SECTOR, "opah-ru"]
    assert [layer.id for layer in cat.sectors] == [ORT, EXT]
    gdf = perimeters()
    assert gdf.crs.to_epsg() == 4326
    assert gdf["id"].tolist() == cat.ids
    assert gdf.is_valid.all()
    assert set(gdf.geom_type) <= {"Polygon", "MultiPolygon"}
    assert not gdf.is_empty.any()
    for layer in cat:
        assert layer.geometry.is_valid
        assert (bundled_path() / layer.provenance.file).is_file()
        assert layer.provenance.sha256 == file_sha256(bundled_path() / layer.provenance.file)
        assert 10 < layer.area_ha < 1200  # the commune of Lens covers ~1 170 ha
        assert layer.territory == "call"
        assert all(act.id in {a.id for a in cat.acts} for act in layer.acts)
    assert catalog() is catalog()  # loaded once


def test_layer_metadata_in_words() -> None:
    cat = catalog()
    assert validity(cat[ORT]) == "à partir du 4 août 2019, sans date de fin connue"
    assert validity(cat[EXT]) == (
        "au plus tôt à partir du 6 décembre 2023, date exacte inconnue, sans date de fin connue"
    )
    assert validity(cat[OPAH]) == "à partir de juillet 2021 environ, fin prévue vers juin 2026"
    row = cat.to_geodataframe(all_dates=True).set_index("id").loc[OPAH]
    assert (row["valid_from"], row["valid_from_precision"], row["valid_to"]) == (
        pd.Timestamp("2021-07-01"), "approximate", pd.Timestamp("2026-06-30"),
    )  # fmt: skip
    assert row["acts"] == "convention-opah-ru-2021"
    assert row["area_ha"] == pytest.approx(cat[OPAH].area_ha, abs=0.01)
    assert cat[OPAH].act_date == dt.date(2021, 7, 1)
    assert pd.isna(cat.to_geodataframe(all_dates=True).set_index("id").loc[EXT, "valid_to"])
    assert acts_label(cat.acts_on(EXT, "2024-06-01")) == (
        "convention « chapeau » d'ORT de la CALL du 6 avril 2023 ; "
        "avenant n° 2, date de signature inconnue, au plus tôt le 6 décembre 2023 ; "
        "avenant à la convention « chapeau » d'ORT de la CALL, date de signature inconnue, "
        "au plus tôt le 6 décembre 2023"
    )
    described = cat[EXT].to_dict()
    assert described["acts"][0] == {
        "id": "avenant-2", "kind": "avenant", "title": cat.act("avenant-2").title,
        "short": "avenant n° 2", "date": "2023-12-06", "date_precision": "not-before",
        "date_verified": True, "articles": list(cat.act("avenant-2").articles),
    }  # fmt: skip
    assert (described["valid_from_precision"], described["valid_to"]) == ("not-before", None)
    assert described["communes_possible"] == ["62523"]  # Loison-sous-Lens: not known
    assert described["provenance"]["status"] == "indicatif"
    assert "geometry" not in described


def test_approximate_end_is_recorded_with_its_precision() -> None:
    """The OPAH-RU's end is approximate: an exported row must say so, as for its start."""
    row = catalog().to_geodataframe(all_dates=True).set_index("id").loc[OPAH]
    assert row["valid_to_precision"] == "approximate"
    assert catalog()[OPAH].to_dict().get("valid_to_precision") == "approximate"


# -- dates -----------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("layer_id", "day", "timing"),
    [
        (ORT, "2019-08-03", "pas-encore"),
        (ORT, "2019-08-04", "en-vigueur"),
        (ORT, "2026-12-31", "en-vigueur"),
        (ORT, "2027-01-01", "en-vigueur"),  # 2026-12-31 ends the ACV period, not the ORT
        (ORT, "2030-01-01", "en-vigueur"),  # no known end
        (EXT, "2023-12-05", "pas-encore"),
        (EXT, "2023-12-06", "incertain"),  # signature date unknown, not before this day
        (EXT, "2026-12-31", "incertain"),
        (EXT, "2027-01-01", "incertain"),  # the extension is still there
        (EXT, "2030-01-01", "incertain"),
        # OPAH-RU: start and end known to the month, uncertain 31 days each side
        (OPAH, "2021-05-30", "pas-encore"),
        (OPAH, "2021-05-31", "incertain"),
        (OPAH, "2021-07-01", "incertain"),
        (OPAH, "2021-08-01", "incertain"),
        (OPAH, "2021-08-02", "en-vigueur"),
        (OPAH, "2026-05-29", "en-vigueur"),
        (OPAH, "2026-05-30", "incertain"),
        (OPAH, "2026-06-30", "incertain"),
        (OPAH, "2026-07-31", "incertain"),
        (OPAH, "2026-08-01", "termine"),
    ],
)
def test_timing_at_every_boundary(layer_id: str, day: str, timing: str) -> None:
    layer = catalog()[layer_id]
    assert str(layer.timing(day)) == timing
    assert layer.timing(dt.date.fromisoformat(day)) == timing
    assert layer.in_force(day) is (timing in ("en-vigueur", "incertain"))


@pytest.mark.parametrize(
    ("day", "ids"),
    [
        ("2019-08-03", []),
        ("2019-08-04", [ORT]),
        ("2021-05-30", [ORT]),
        ("2021-05-31", [ORT, OPAH]),
        ("2023-12-05", [ORT, OPAH]),
        ("2023-12-06", [ORT, EXT, OPAH]),
        ("2026-07-31", [ORT, EXT, OPAH]),
        ("2026-08-01", [ORT, EXT]),
        ("2026-12-31", [ORT, EXT]),
        ("2027-01-01", [ORT, EXT]),
        ("2028-01-01", [ORT, EXT]),
    ],
)
def test_perimeters_filters_by_date(day: str, ids: list[str]) -> None:
    gdf = perimeters(date=day)
    assert gdf["id"].tolist() == ids
    assert gdf.crs.to_epsg() == 4326
    assert [layer.id for layer in catalog().in_force(day)] == ids
    assert [layer.id for layer in on(day).layers] == ids


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
        lambda: catalog()[ORT].timing(bad),
        lambda: on(bad),
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
        ("2027-01-01", [ORT, EXT]),
        ("2027-01-15", [ORT, EXT]),
    ],
)
def test_ort_perimeter_is_the_union_of_ort_sectors_in_force(day: str, layers: list[str]) -> None:
    got = ort_perimeter(date=day)
    assert len(got) == 1
    assert got.crs.to_epsg() == 4326
    assert got["layers"].iloc[0] == ",".join(layers)
    assert got["names"].iloc[0] == " ; ".join(catalog()[i].name for i in layers)
    assert got["date"].iloc[0] == day
    # the union, computed here from the layers that perimeters() says are in force
    in_force = perimeters(date=day)
    in_force = in_force[in_force["kind"] == ORT_SECTOR]
    assert in_force["id"].tolist() == layers
    union = shapely.union_all(in_force.geometry.values)
    assert area_m2(shapely.symmetric_difference(got.geometry.iloc[0], union)) < 1.0
    assert got["area_ha"].iloc[0] == pytest.approx(area_m2(union) / 1e4, abs=0.01)
    assert got["status"].iloc[0] == "indicatif"
    assert got["accuracy_m"].iloc[0] == max(catalog()[i].accuracy_m for i in layers)


@pytest.mark.parametrize("day", ["2019-08-04", "2024-06-01", "2027-01-15"])
def test_ort_perimeter_names_each_act_once(day: str) -> None:
    """Both sectors rest on the avenant n° 2: the merged row cites each act in force once."""
    got = ort_perimeter(date=day)["acts"].iloc[0]
    ids = [a.id for x in on(day).sectors for a in on(day).acts(x)]
    assert got == ",".join(dict.fromkeys(ids))
    assert len(got.split(",")) == len(set(got.split(",")))


def test_extension_enlarges_the_ort() -> None:
    before = ort_perimeter("2023-12-05")["area_ha"].iloc[0]
    after = ort_perimeter("2023-12-06")["area_ha"].iloc[0]
    assert before == pytest.approx(catalog()[ORT].area_ha, abs=0.01)
    assert after - before > 0.5 * catalog()[EXT].area_ha  # it overlaps the ORT only at a corner
    assert ort_perimeter("2027-01-01")["area_ha"].iloc[0] == after  # and stays after 2026


def test_no_ort_before_2019_08_04_warns_without_crashing() -> None:
    with pytest.warns(UserWarning, match=r"No ORT sector in force on 2019-08-03.*2019-08-04"):
        got = ort_perimeter(date="2019-08-03")
    assert len(got) == 0
    assert got.crs.to_epsg() == 4326
    assert "geometry" in got.columns and "layers" in got.columns


def test_no_ort_reason_cites_the_act_that_starts_the_ort() -> None:
    """Before 2019-08-04 the reason is the prefectoral order, not the 2023 amendment."""
    state = on("2019-08-03")
    assert not state.has_ort
    assert "arrêté préfectoral du 4 août 2019" in state.no_ort_reason
    assert "avenant" not in state.no_ort_reason
    assert state.no_ort_reason_fr == (
        "l'ORT commence le 4 août 2019, arrêté préfectoral du 4 août 2019 "
        "(date de publication non vérifiée)"
    )


@pytest.mark.parametrize(
    ("day", "due"), [("2026-12-31", []), ("2027-01-01", [ORT, EXT]), ("2027-01-15", [ORT, EXT])]
)
def test_review_after_keeps_the_sectors_and_flags_them(day: str, due: list[str]) -> None:
    state = on(day)
    assert [x.id for x in state.sectors] == [ORT, EXT]
    assert [x.id for x in state.review_due] == due
    assert state.to_dict()["review_due"] is bool(due)


# -- ids -------------------------------------------------------------------------------
def test_unknown_layer_id_lists_known_ones() -> None:
    with pytest.raises(UnknownLayerError) as info:
        catalog()["nope"]
    message = str(info.value)
    assert message.startswith("Unknown layer id 'nope'.")
    for layer_id in (ORT, EXT, OPAH):
        assert layer_id in message
    assert isinstance(info.value, KeyError) and isinstance(info.value, OrtgeoError)


def test_removed_ids_are_unknown() -> None:
    for old in ("ort-2019", "ort-extension-route-de-lille-2023", "opah-ru-lens"):
        with pytest.raises(UnknownLayerError, match=f"Known layers: {ORT}"):
            catalog()[old]


def test_unknown_act_id_lists_known_ones() -> None:
    with pytest.raises(UnknownLayerError, match=r"Unknown act id 'avenant-9'.*avenant-2"):
        catalog().act("avenant-9")


# -- replace ---------------------------------------------------------------------------
def test_replace_uses_the_official_file_and_leaves_the_bundled_catalogue(tmp_path: Path) -> None:
    bundled = catalog()
    bundled_ort = bundled[ORT]
    bundled_area = ort_perimeter("2022-01-01")["area_ha"].iloc[0]
    path = write_official_ort(tmp_path)

    new = bundled.replace(ORT, path, source="Ville de Lens, service SIG")
    layer = new[ORT]
    # a loaded file is "fourni", not "officiel": nothing says it is the plan of an act
    assert layer.status == "fourni"
    assert layer.accuracy_m == bundled_ort.accuracy_m  # nothing says it is more precise
    assert layer.provenance.file == path.name
    assert layer.provenance.sha256 == file_sha256(path)
    assert layer.source == "Ville de Lens, service SIG"
    assert {
        "layer": ORT,
        "file": path.name,
        "sha256": file_sha256(path),
        "status": "fourni",
    } in new.fingerprint()["files"]
    # dates, acts and the facts of the sector are kept
    assert layer.valid_from == bundled_ort.valid_from
    assert layer.valid_from_precision == bundled_ort.valid_from_precision
    assert layer.acts == bundled_ort.acts
    assert (layer.name, layer.communes, layer.includes_centre_ville) == (
        bundled_ort.name,
        bundled_ort.communes,
        bundled_ort.includes_centre_ville,
    )
    assert layer.review_after == bundled_ort.review_after
    official = area_m2(gpd.read_file(path).geometry.iloc[0], crs=2154)
    assert layer.area_ha * 1e4 == pytest.approx(official, rel=1e-4)
    assert new.acts == bundled.acts and new.territory == bundled.territory
    assert new.annex == bundled.annex

    # the new geometry is the one ort_perimeter uses
    got = ort_perimeter("2022-01-01", catalog=new)
    assert got["area_ha"].iloc[0] == pytest.approx(official / 1e4, abs=0.01)
    assert got["area_ha"].iloc[0] < bundled_area - 10  # 100 m less all around
    mixed = ort_perimeter("2024-06-01", catalog=new)  # official centre + indicative extension
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
        ORT, path, crs=2154, accuracy_m=2, valid_to="2030-12-31", acts=["arrete-ort-2019"]
    )
    layer = new[ORT]
    assert (layer.accuracy_m, [a.id for a in layer.acts]) == (2.0, ["arrete-ort-2019"])
    assert layer.in_force("2030-12-31") and not layer.in_force("2031-01-01")
    assert str(layer.timing("2031-01-01")) == "termine"
    dated = catalog().replace(
        EXT, path, crs=2154, valid_from="2024-03-15", valid_from_precision="exact"
    )
    assert str(dated[EXT].timing("2024-03-14")) == "pas-encore"
    assert str(dated[EXT].timing("2024-03-15")) == "en-vigueur"  # the signature date is known


def test_official_sector_makes_an_official_ort_row(tmp_path: Path) -> None:
    """On 2022-01-01 the only ORT sector is official: the merged ORT row says "officiel",
    whatever the status of the OPAH-RU drawn beside it (not a sector of the ORT)."""
    new = catalog().replace(ORT, write_official_ort(tmp_path), status="officiel",
                            plan_act="arrete-ort-2019", supplier="Ville de Lens, SIG",
                            supplied_on="2025-01-15")  # fmt: skip
    assert [x.id for x in on("2022-01-01", new).sectors] == [ORT]
    assert ort_perimeter("2022-01-01", catalog=new)["status"].iloc[0] == "officiel"
    assert new[ORT].accuracy_m == 5.0  # the plan annexed to an act: cadastral scale
    prov = new[ORT].provenance
    assert (prov.act, prov.supplier, prov.supplied_on) == (
        "arrete-ort-2019",
        "Ville de Lens, SIG",
        dt.date(2025, 1, 15),
    )


def test_official_needs_the_act_the_supplier_and_the_date(tmp_path: Path) -> None:
    """« officiel » is earned by where a file comes from, not by loading it."""
    path = write_official_ort(tmp_path)
    with pytest.raises(PerimeterFileError, match="needs plan_act, supplier, supplied_on"):
        catalog().replace(ORT, path, status="officiel")
    with pytest.raises(PerimeterFileError, match="needs supplied_on"):
        catalog().replace(ORT, path, status="officiel", plan_act="arrete-ort-2019",
                          supplier="Ville de Lens")  # fmt: skip
    with pytest.raises(PerimeterFileError, match="plan_act 'nope' is not an act id"):
        catalog().replace(ORT, path, status="officiel", plan_act="nope", supplier="x",
                          supplied_on="2025-01-01")  # fmt: skip


@pytest.mark.parametrize(
    ("kwargs", "error", "match"),
    [
        ({"layer_id": "nope"}, UnknownLayerError, f"Known layers: {ORT}"),
        ({"status": "provisoire"}, PerimeterFileError, "status 'provisoire' is not one of"),
        ({"colour": "red"}, PerimeterFileError, r"unknown field 'colour'\. Known fields: id, "),
        ({"valid_until": "2030"}, PerimeterFileError, r"field 'valid_until'.*valid_to"),
        ({"legal_basis": "Arrêté X"}, PerimeterFileError, r"unknown field 'legal_basis'.*acts"),
        ({"valid_to": "bientôt"}, PerimeterFileError, "field 'valid_to': Invalid date"),
        ({"valid_to": "2019-01-01"}, PerimeterFileError, "valid_to 2019-01-01 is before"),
        ({"accuracy_m": -5}, PerimeterFileError, r"accuracy_m must be a finite number of metres"),
        ({"accuracy_m": float("nan")}, PerimeterFileError, r"accuracy_m must be a finite number"),
        ({"accuracy_m": "5 m"}, PerimeterFileError, r"accuracy_m must be a number of metres"),
        ({"valid_from_precision": "vers"}, PerimeterFileError, "'vers' is not one of 'exact'"),
        ({"valid_to_precision": "not-before"}, PerimeterFileError, "'not-before' is not one of"),
        ({"acts": ["avenant-9"]}, PerimeterFileError, r"unknown act\(s\) 'avenant-9'; acts "),
        ({"acts": "avenant-2"}, PerimeterFileError, "acts must be a list of act ids"),
        ({"includes_centre_ville": "peut-être"}, PerimeterFileError, 'true, false or "unknown"'),
        ({"communes": ["6249"]}, PerimeterFileError, "'6249' is not an INSEE commune code"),
        ({"review_after": "fin 2026"}, PerimeterFileError, "field 'review_after': Invalid date"),
        ({"layer_id": OPAH, "includes_centre_ville": True}, PerimeterFileError,
         r"unknown field 'includes_centre_ville'"),
    ],
)  # fmt: skip
def test_replace_refuses_what_a_catalogue_file_refuses(
    tmp_path: Path, kwargs: dict, error: type[OrtgeoError], match: str
) -> None:
    kwargs = {"layer_id": ORT, "path": write_official_ort(tmp_path), **kwargs}
    with pytest.raises(error, match=match):
        catalog().replace(**kwargs)


@pytest.mark.parametrize("kwargs", [{"id": "autre-id"}, {"file": "autre.gpkg"}])
def test_replace_never_ignores_a_field_silently(tmp_path: Path, kwargs: dict) -> None:
    """``id`` and ``file`` are catalogue fields that replace() cannot apply: refuse them."""
    with pytest.raises(PerimeterFileError, match=f"'{next(iter(kwargs))}'"):
        catalog().replace(ORT, write_official_ort(tmp_path), **kwargs)


# -- catalogue files of one's own ------------------------------------------------------
def test_user_catalogue_file(tmp_path: Path) -> None:
    path = write_catalog(tmp_path)
    cat = ortgeo.catalog(path)
    assert isinstance(cat, Catalog)
    assert cat.ids == list(SQUARES)
    assert cat.source == path
    assert cat.name == "synthetic test catalogue"
    assert (cat.territory.id, cat.territory.ort_communes) == ("test", ("62498",))
    assert cat.annex == {"title": "Annexe synthétique", "act": "test-avenant"}
    assert [a.id for a in cat.acts] == ["test-arrete", "test-avenant", "test-opah-convention"]
    assert cat.act("test-avenant").date_precision == "not-before"
    for layer in cat:
        square = SQUARES[layer.id]
        assert layer.kind == square.kind
        assert layer.accuracy_m == square.accuracy_m
        assert layer.valid_from == dt.date.fromisoformat(square.valid_from)
        assert layer.valid_from_precision == square.valid_from_precision
        assert [a.id for a in layer.acts] == list(square.acts)
        assert layer.communes == ("62498",)
        assert layer.provenance.file == f"{layer.id}.gpkg"
        assert layer.provenance.sha256 == file_sha256(tmp_path / f"{layer.id}.gpkg")
        assert layer.area_ha * 1e4 == pytest.approx(square.geometry.area, rel=1e-6)
    assert cat["test-ort"].includes_centre_ville is True
    assert cat["test-ext"].includes_centre_ville is False
    assert cat["test-ext"].valid_to is None
    assert cat["test-opah"].valid_to == dt.date(2026, 6, 30)
    assert [x.id for x in cat.sectors] == ["test-ort", "test-ext"]
    assert [x.id for x in cat.in_force("2024-01-01")] == ["test-ort", "test-ext", "test-opah"]
    assert [str(x.timing("2024-01-01")) for x in cat] == ["en-vigueur", "incertain", "en-vigueur"]
    ort = ort_perimeter("2024-01-01", catalog=cat)
    assert ort["layers"].iloc[0] == "test-ort,test-ext"
    assert ort["area_ha"].iloc[0] == pytest.approx(150.0, rel=1e-6)  # 1500 m x 1000 m
    assert perimeters(date="2020-01-01", catalog=cat)["id"].tolist() == ["test-ort"]
    assert catalog().ids == [ORT, EXT, OPAH]  # the bundled one is still the default


@pytest.mark.parametrize(
    ("day", "ids"),
    [
        ("2019-08-03", []),
        ("2019-08-04", ["test-ort"]),
        ("2021-06-30", ["test-ort"]),
        ("2021-07-01", ["test-ort", "test-opah"]),  # exact dates: no window
        ("2023-12-05", ["test-ort", "test-opah"]),
        ("2023-12-06", ["test-ort", "test-ext", "test-opah"]),
        ("2026-06-30", ["test-ort", "test-ext", "test-opah"]),
        ("2026-07-01", ["test-ort", "test-ext"]),
        ("2027-01-01", ["test-ort", "test-ext"]),
    ],
)
def test_user_catalogue_dates(tmp_path: Path, day: str, ids: list[str]) -> None:
    cat = catalog(write_catalog(tmp_path))
    assert [x.id for x in cat.in_force(day)] == ids
    assert [x.id for x in on(day, cat).layers] == ids


def test_version_1_catalogue_loads_with_a_warning_saying_how_to_upgrade(tmp_path: Path) -> None:
    path = write_catalog_v1(tmp_path)
    with pytest.warns(UserWarning) as caught:
        cat = catalog(path)
    messages = [str(w.message) for w in caught if "version-1" in str(w.message)]
    assert len(messages) == 1
    assert "catalog.toml" in messages[0]
    assert "Upgrade it to format 2" in messages[0]
    for fragment in ("format = 2", "[[act]]", "[[sector]]", "[[dispositif]]"):
        assert fragment in messages[0]
    assert cat.ids == ["test-ort", "test-ext", "test-opah"]
    assert [x.kind for x in cat] == [ORT_SECTOR, ORT_SECTOR, "opah-ru"]
    assert acts_label(cat["test-ort"].acts) == "Acte synthétique test-ort du 4 août 2019"
    assert cat["test-ort"].acts[0].kind == "autre"
    assert cat["test-ext"].valid_from_precision == "exact"  # v1 cannot say "not before"
    assert cat["test-ort"].includes_centre_ville is None  # unknown in v1
    assert [x.id for x in cat.in_force("2024-01-01")] == ["test-ort", "test-ext", "test-opah"]
    assert ort_perimeter("2024-01-01", catalog=cat)["area_ha"].iloc[0] == pytest.approx(150.0)


@pytest.mark.parametrize(
    ("old", "new", "match"),
    [
        ('kind = "ort"', 'kind = "ort-sector"', "kind 'ort-sector' is not one of 'ort', "),
        ('valid_to = ""', 'valid_until = ""', "unknown field 'valid_until'"),
        ('title = "Synthétique test-ort"\n', "", "field 'title' is required"),
        ("accuracy_m = 50", "accuracy_m = -500", "finite number of metres"),
    ],
)
def test_bad_version_1_catalogue(tmp_path: Path, old: str, new: str, match: str) -> None:
    path = write_catalog_v1(tmp_path)
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new, 1), encoding="utf-8")
    with (
        pytest.warns(UserWarning, match="version-1"),
        pytest.raises(PerimeterFileError, match=match),
    ):
        catalog(path)


def edit_catalog(folder: Path, old: str, new: str) -> Path:
    """The synthetic catalogue with one piece of its TOML text replaced (first occurrence)."""
    path = write_catalog(folder)
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new, 1), encoding="utf-8")
    return path


def test_user_catalogue_with_toml_dates_and_a_file_without_prj(tmp_path: Path) -> None:
    write_shapefile_without_prj(tmp_path)
    path = edit_catalog(
        tmp_path,
        'id = "test-ort"\nfile = "test-ort.gpkg"',
        'id = "test-ort"\nfile = "ort_sans_prj.shp"\ncrs = "EPSG:2154"',
    )
    text = path.read_text(encoding="utf-8")
    text = text.replace('valid_from = "2019-08-04"', "valid_from = 2019-08-04T00:00:00", 1)
    text = text.replace('valid_to = ""', "valid_to = 2030-12-31", 1)
    text = text.replace('date = "2019-08-04"', "date = 2019-08-04", 1)
    path.write_text(text, encoding="utf-8")
    cat = catalog(path)
    assert cat["test-ort"].valid_from == dt.date(2019, 8, 4)
    assert type(cat["test-ort"].valid_from) is dt.date  # not a datetime: comparable with dates
    assert cat["test-ort"].valid_to == dt.date(2030, 12, 31)
    assert type(cat["test-ort"].valid_to) is dt.date
    assert cat.act("test-arrete").date == dt.date(2019, 8, 4)
    assert [x.id for x in cat.in_force("2019-08-04")] == ["test-ort"]
    assert cat["test-ort"].area_ha == pytest.approx(catalog()[ORT].area_ha, rel=1e-4)


SECTOR_ORT = "sector 'test-ort'"
BAD_CATALOGUES = [
    # the file and its top-level tables
    ("[catalog]", "[catalog", PerimeterFileError, "is not valid TOML"),
    ("format = 2\n", "", PerimeterFileError, "format = 2 is missing"),
    ("format = 2\n", "format = 3\n", PerimeterFileError, "format = 2 is missing"),
    ("format = 2\n", 'format = 2\ncolour = "red"\n', PerimeterFileError,
     "unknown field 'colour'. Known fields: format, catalog, territory, annex, act, sector"),
    ('name = "synthetic test catalogue"', 'name = "x"\ncolour = 2', PerimeterFileError,
     r"\[catalog\]: unknown field 'colour'"),
    ('kind = "epci"', 'kind = "epci"\nepci = "CALL"', PerimeterFileError,
     r"\[territory\]: unknown field 'epci'"),
    ('ort_communes = ["62498"]', 'ort_communes = ["Lens"]', PerimeterFileError,
     "'Lens' is not an INSEE commune code"),
    ('title = "Annexe synthétique"', 'title = "Annexe"\nnumber = 3', PerimeterFileError,
     r"\[annex\]: unknown field 'number'"),
    ('act = "test-avenant"', 'act = "avenant-9"', PerimeterFileError,
     r"\[annex\]: act 'avenant-9' is not an act id"),
    # [[act]]
    ('id = "test-arrete"\n', "", PerimeterFileError, "act: field 'id' is required"),
    ('id = "test-avenant"', 'id = "test-arrete"', PerimeterFileError, "duplicate act ids"),
    ('title = "Acte synthétique test-arrete"\n', "", PerimeterFileError,
     "act 'test-arrete': field 'title' is required"),
    ('kind = "arrete"', 'kind = "decret"', PerimeterFileError,
     "act 'test-arrete': kind 'decret' is not one of 'arrete'"),
    ('date = "2019-08-04"', 'date = "4 août 2019"', PerimeterFileError,
     "act 'test-arrete': field 'date': Invalid date '4 août 2019'"),
    ('date_precision = "exact"', 'date_precision = "environ"', PerimeterFileError,
     "act 'test-arrete': date_precision 'environ' is not one of 'exact', 'not-before', "
     "'approximate'"),
    ('short = "arrêté synthétique"', 'shortname = "arrêté"', PerimeterFileError,
     "act 'test-arrete': unknown field 'shortname'. Known fields: id, kind, title, short"),
    ('short = "arrêté synthétique"', 'short = "a"\narticles = "art. 4"', PerimeterFileError,
     "articles must be a list of texts"),
    # [[sector]]
    ('id = "test-ort"\n', "", PerimeterFileError, "sector: field 'id' is required"),
    ('id = "test-ext"', 'id = "test-ort"', PerimeterFileError, "Duplicate layer ids"),
    ('valid_to = ""', 'valid_until = ""', PerimeterFileError,
     f"{SECTOR_ORT}: unknown field 'valid_until'. Known fields: id, name, .*valid_to"),
    ('name = "Synthétique test-ort"\n', "", PerimeterFileError,
     f"{SECTOR_ORT}: field 'name' is required"),
    ('status = "indicatif"', 'status = "x"', PerimeterFileError, "status 'x' is not one"),
    ("accuracy_m = 50", 'accuracy_m = "50 m"', PerimeterFileError,
     "accuracy_m must be a number of metres"),
    ("accuracy_m = 50", "accuracy_m = nan", PerimeterFileError,
     r"accuracy_m must be a finite number of metres ≥ 0 \(got nan\)"),
    ("accuracy_m = 50", "accuracy_m = -500", PerimeterFileError,
     r"accuracy_m must be a finite number of metres ≥ 0 \(got -500\)"),
    ("accuracy_m = 50", "accuracy_m = true", PerimeterFileError, "finite number of metres"),
    ('valid_from = "2019-08-04"', 'valid_from = "04/08/2019"', PerimeterFileError,
     f"{SECTOR_ORT}: field 'valid_from': Invalid date '04/08/2019'"),
    ('valid_from = "2019-08-04"', 'valid_from = ""', PerimeterFileError, "is required"),
    ('valid_from_precision = "exact"', 'valid_from_precision = "vers"', PerimeterFileError,
     "valid_from_precision 'vers' is not one of 'exact', 'not-before', 'approximate'"),
    ('valid_to_precision = "exact"', 'valid_to_precision = "not-before"', PerimeterFileError,
     "valid_to_precision 'not-before' is not one of 'exact', 'approximate'"),
    ('review_after = "2026-12-31"', 'review_after = "fin 2026"', PerimeterFileError,
     f"{SECTOR_ORT}: field 'review_after': Invalid date"),
    ('acts = ["test-avenant"]', 'acts = ["test-avenant-3"]', PerimeterFileError,
     "sector 'test-ext': unknown act\\(s\\) 'test-avenant-3'; acts defined in the catalogue: "
     "test-arrete, test-avenant, test-opah-convention"),
    ('acts = ["test-avenant"]', 'acts = "test-avenant"', PerimeterFileError,
     "acts must be a list of act ids"),
    ('valid_from_precision = "exact"', 'valid_from_precision = "exact"\nvalid_from_basis = "x"',
     PerimeterFileError, "valid_from_basis 'x' is not an act id"),
    ("includes_centre_ville = true", 'includes_centre_ville = "peut-être"', PerimeterFileError,
     'includes_centre_ville must be true, false or "unknown"'),
    ('communes = ["62498"]\nincludes', 'communes = ["6249"]\nincludes', PerimeterFileError,
     f"{SECTOR_ORT}: '6249' is not an INSEE commune code"),
    ('communes = ["62498"]\nincludes', 'communes = "62498"\nincludes', PerimeterFileError,
     "communes must be a list of INSEE codes"),
    ('file = "test-ort.gpkg"', 'file = "absent.gpkg"', PerimeterFileError, "not found"),
    ('file = "test-ort.gpkg"', 'file = "ort_sans_prj.shp"', MissingCRSError,
     'EPSG:2154 \\(Lambert-93\\).*crs = "EPSG:2154"'),
    # [[dispositif]]
    ('kind = "opah-ru"', 'kind = "zac"', PerimeterFileError,
     "kind 'zac' is not one of 'opah-ru', 'dispositif'"),
    ('kind = "opah-ru"', 'kind = "ort-sector"', PerimeterFileError,
     "kind 'ort-sector' is not one of"),
    ('owner = "Territoire synthétique"', 'includes_centre_ville = true', PerimeterFileError,
     "dispositif 'test-opah': unknown field 'includes_centre_ville'"),
    ('valid_to = "2026-06-30"', 'valid_to = "2020-12-31"', PerimeterFileError,
     "valid_to 2020-12-31 is before valid_from 2021-07-01"),
]  # fmt: skip


@pytest.mark.parametrize(("old", "new", "error", "match"), BAD_CATALOGUES)
def test_bad_user_catalogue(
    tmp_path: Path, old: str, new: str, error: type[OrtgeoError], match: str
) -> None:
    write_shapefile_without_prj(tmp_path)
    with pytest.raises(error, match=match):
        catalog(edit_catalog(tmp_path, old, new))


@pytest.mark.parametrize(
    ("text", "match"),
    [
        ('[catalog]\nname = "vide"\n', "format = 2 is missing"),
        ('format = 2\n[catalog]\nname = "vide"\n', "lists no \\[\\[sector\\]\\]"),
        ('format = 2\nsector = "ort.gpkg"\n', "'sector' must be an array of tables"),
        ("format = 2\nact = 3\n", "'act' must be an array of tables"),
        ('layer = "ort.gpkg"\n', "'layer' must be an array of tables"),
        ("layer = []\n", "lists no \\[\\[layer\\]\\]"),
    ],
)
def test_catalogue_without_tables(tmp_path: Path, text: str, match: str) -> None:
    path = tmp_path / "catalog.toml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(PerimeterFileError, match=match):
        catalog(path)


def test_missing_catalogue_file(tmp_path: Path) -> None:
    with pytest.raises(PerimeterFileError, match="Catalogue file not found"):
        catalog(tmp_path / "absent.toml")
