"""Cadastral parcels on the REAL Etalab parcel file of Épinay-sur-Orge (91216), checked
against a SYNTHETIC format-2 catalogue: one square sector over part of the commune
(Lambert-93 649300–650300 × 6841100–6842100, accuracy 5 m) and a synthetic dispositif."""

from __future__ import annotations

import gzip
import json
from pathlib import Path

import geopandas as gpd
import pandas as pd
import pytest
import shapely
from ban_server import FakeBanServer, ban_server
from click.testing import CliRunner
from shapely.geometry import box

import ortgeo
from ortgeo.catalog import Catalog
from ortgeo.cli import main
from ortgeo.parcels import (
    CadastreFileError,
    ParcelReferenceError,
    cadastre_path,
    check_parcel,
    check_parcels,
    download_cadastre,
    parse_parcel_ref,
)

__all__ = ["ban_server"]

# The synthetic catalogue lies far from Lens on purpose (the sample is in Essonne).
pytestmark = pytest.mark.filterwarnings("ignore:.*lies .* km from Lens:UserWarning")

SECTOR = box(649300, 6841100, 650300, 6842100)
OPAH = box(649600, 6841400, 650000, 6841800)
BAND = 5.0
DATE = "2024-06-01"


def write_parcel_catalog(folder: Path) -> Path:
    """A SYNTHETIC format-2 catalogue: one ORT sector and one OPAH-RU over Épinay-sur-Orge."""
    for name, geom in (("sector", SECTOR), ("opah", OPAH)):
        gpd.GeoDataFrame({"name": [name]}, geometry=[geom], crs=2154).to_file(
            folder / f"{name}.gpkg"
        )
    text = f"""format = 2
[catalog]
name = "synthetic parcel test catalogue"
[territory]
id = "test"
name = "Territoire synthétique"
kind = "commune"
ort_communes = ["91216"]
[[act]]
id = "acte-test"
kind = "arrete"
title = "Acte synthétique"
date = "2020-01-01"
[[sector]]
id = "secteur-test"
file = "sector.gpkg"
name = "Secteur synthétique"
communes = ["91216"]
includes_centre_ville = true
acts = ["acte-test"]
valid_from = "2020-01-01"
status = "fourni"
synthetic = true
accuracy_m = {BAND}
source = "tests (synthétique)"
[[dispositif]]
id = "opah-test"
kind = "opah-ru"
file = "opah.gpkg"
name = "OPAH-RU synthétique"
owner = "Territoire synthétique"
communes = ["91216"]
acts = ["acte-test"]
valid_from = "2020-01-01"
status = "fourni"
synthetic = true
accuracy_m = 5
source = "tests (synthétique)"
"""
    path = folder / "catalog.toml"
    path.write_text(text, encoding="utf-8")
    return path


@pytest.fixture(scope="module")
def sample(reference: Path) -> Path:
    return reference / "cadastre_sample" / "cadastre-91216-parcelles.json"


@pytest.fixture(scope="module")
def cat(tmp_path_factory: pytest.TempPathFactory) -> Catalog:
    return ortgeo.catalog(write_parcel_catalog(tmp_path_factory.mktemp("cat")))


@pytest.fixture(scope="module")
def parcels(sample: Path) -> gpd.GeoDataFrame:
    """The sample read independently (pyogrio), Lambert-93, with its relation to the square."""
    gdf = gpd.read_file(sample).to_crs(2154).set_index("id")
    gdf["inside_area"] = gdf.geometry.intersection(SECTOR).area
    gdf["share"] = gdf["inside_area"] / gdf.area
    gdf["to_limit"] = gdf.geometry.distance(SECTOR.boundary)
    return gdf


def _pick(gdf: gpd.GeoDataFrame, mask: pd.Series) -> str:
    assert mask.any()
    return str(gdf.index[mask.to_numpy()][0])


@pytest.fixture(scope="module")
def inside_idu(parcels: gpd.GeoDataFrame) -> str:
    return _pick(parcels, (parcels["share"] == 1) & (parcels["to_limit"] > 50))


@pytest.fixture(scope="module")
def straddling_idu(parcels: gpd.GeoDataFrame) -> str:
    return _pick(parcels, parcels["share"].between(0.2, 0.8) & (parcels.area > 500))


@pytest.fixture(scope="module")
def outside_idu(parcels: gpd.GeoDataFrame) -> str:
    return _pick(parcels, (parcels["share"] == 0) & (parcels["to_limit"] > 200))


# -- references ---------------------------------------------------------------------
@pytest.mark.parametrize(
    ("text", "citycode", "idu"),
    [
        ("62498000AB0123", None, "62498000AB0123"),
        ("62498 000 AB 0123", None, "62498000AB0123"),
        ("62498-000-ab-0123", "59350", "62498000AB0123"),
        ("AB 123", "62498", "62498000AB0123"),
        ("AB123", "62498", "62498000AB0123"),
        ("section AB n° 123", "62498", "62498000AB0123"),
        ("Section AB N°123", "62498", "62498000AB0123"),
        ("sect. AB no 123", "62498", "62498000AB0123"),
        ("A 12", "62498", "624980000A0012"),
        ("0A 12", "62498", "624980000A0012"),
        ("123 AB 45", "62498", "62498123AB0045"),
        ("2A004000AB0001", None, "2A004000AB0001"),
    ],
)
def test_parse_parcel_ref(text: str, citycode: str | None, idu: str) -> None:
    assert parse_parcel_ref(text, citycode).idu == idu


@pytest.mark.parametrize(
    ("text", "citycode", "says"),
    [
        ("", None, "not readable"),
        ("62498000AB012", None, "not readable"),  # 13 characters
        ("rue de Lannoy", "62498", "not readable"),
        ("AB 12345", "62498", "not readable"),
        ("AB 123", None, "has no commune"),
        ("AB 123", "Lens", "not an INSEE code"),
    ],
)
def test_parse_parcel_ref_errors(text: str, citycode: str | None, says: str) -> None:
    with pytest.raises(ParcelReferenceError, match=says):
        parse_parcel_ref(text, citycode)


# -- one parcel ---------------------------------------------------------------------
def test_parcel_entirely_inside(sample, cat, parcels, inside_idu) -> None:
    v = check_parcel(inside_idu, date=DATE, catalog=cat, cadastre=sample)
    assert v.found and v.status == "dedans" and v.inside is True
    m = v.measures["secteur_test"]
    assert m["position"] == "inside" and m["share_inside"] == 1.0
    assert m["area_inside_m2"] == pytest.approx(parcels.area[inside_idu], abs=0.06)
    d = v.to_dict()
    assert d["parcel"]["idu"] == inside_idu and d["parcel"]["found"] is True
    assert d["ort"]["share_inside"] == 1.0 and d["ort"]["position"] == "inside"
    assert d["layers"][0]["distance_m"] == pytest.approx(parcels.loc[inside_idu, "to_limit"], 0.01)
    text = v.explain()
    assert "INCLUS" in text and "entièrement dans « Secteur synthétique »" in text
    assert "Épinay-sur-Orge" in text or "91216" in text
    json.dumps(d, allow_nan=False)


def test_parcel_straddling_with_its_share(sample, cat, parcels, straddling_idu) -> None:
    v = check_parcel(straddling_idu, date=DATE, catalog=cat, cadastre=sample)
    expected = parcels.loc[straddling_idu]
    m = v.measures["secteur_test"]
    assert v.status == "limite" and v.inside is None
    assert m["position"] == "straddling"
    assert m["share_inside"] == pytest.approx(expected["share"], abs=1e-3)
    assert m["area_inside_m2"] == pytest.approx(expected["inside_area"], rel=1e-3)
    assert 0 < m["share_inside"] < 1
    text = v.explain()
    assert "à cheval sur la limite de « Secteur synthétique »" in text
    pct = f"{100 * expected['share']:.1f}".replace(".", ",")
    assert pct in text and "m²" in text


def test_parcel_outside(sample, cat, parcels, outside_idu) -> None:
    v = check_parcel(outside_idu, date=DATE, catalog=cat, cadastre=sample)
    assert v.status == "dehors" and v.inside is False
    assert v.measures["secteur_test"] == {
        "position": "outside", "area_inside_m2": 0.0, "share_inside": 0.0,
    }  # fmt: skip
    assert v.to_dict()["ort"]["distance_m"] < -200
    assert "hors de « Secteur synthétique »" in v.explain()


def test_parcel_within_the_band_is_limite(sample, cat, parcels) -> None:
    """Entirely inside (or outside) but closer to the limit than the sector's accuracy."""
    close = _pick(parcels, (parcels["share"] == 1) & (parcels["to_limit"].between(0.5, BAND)))
    v = check_parcel(close, date=DATE, catalog=cat, cadastre=sample)
    assert v.status == "limite" and v.measures["secteur_test"]["position"] == "inside"


def test_parcel_before_the_sector_is_sans_ort(sample, cat, inside_idu) -> None:
    v = check_parcel(inside_idu, date="2019-01-01", catalog=cat, cadastre=sample)
    assert v.status == "sans-ort"


def test_unknown_parcel(sample, cat) -> None:
    v = check_parcel("AB 9999", citycode="91216", date=DATE, catalog=cat, cadastre=sample)
    assert not v.found and v.status == "indetermine"
    assert "absente du fichier cadastral cadastre-91216-parcelles.json" in v.reason
    assert v.to_dict()["parcel"]["area_m2"] is None


def test_missing_and_bad_cadastre_files(tmp_path: Path, cat) -> None:
    with pytest.raises(CadastreFileError, match="ortgeo cadastre download 91216"):
        check_parcel("91216000AB0037", catalog=cat)
    bad = tmp_path / "bad.json"
    bad.write_text("<html>", encoding="utf-8")
    with pytest.raises(CadastreFileError, match="not an Etalab cadastre parcel file"):
        check_parcel("91216000AB0037", catalog=cat, cadastre=bad)


def test_gzip_file_in_the_cache_is_found(sample, cat, inside_idu) -> None:
    target = cadastre_path("91216")
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_bytes(gzip.compress(sample.read_bytes()))
    try:
        assert check_parcel(inside_idu, date=DATE, catalog=cat).status == "dedans"
    finally:
        target.unlink()


# -- download -------------------------------------------------------------------------
def test_download_from_a_local_server(ban_server: FakeBanServer, sample, tmp_path) -> None:
    ban_server.files["/communes/91/91216/cadastre-91216-parcelles.json.gz"] = gzip.compress(
        sample.read_bytes()
    )
    template = ban_server.url + "/communes/{dep}/{insee}/cadastre-{insee}-parcelles.json.gz"
    path = download_cadastre("91216", tmp_path, url=template)
    assert path == tmp_path / "cadastre-91216-parcelles.json.gz"
    assert gzip.decompress(path.read_bytes()) == sample.read_bytes()
    ban_server.files["/html"] = b"<html>proxy</html>"
    with pytest.raises(Exception, match="did not return a gzip file"):
        download_cadastre("91216", tmp_path, url=ban_server.url + "/html")


def test_cli_cadastre_download_then_check(ban_server: FakeBanServer, sample, cat, inside_idu,
                                          monkeypatch) -> None:  # fmt: skip
    ban_server.files["/c/91/cadastre-91216-parcelles.json.gz"] = gzip.compress(sample.read_bytes())
    monkeypatch.setenv("ORTGEO_CADASTRE_URL", ban_server.url + "/c/{dep}/cadastre-{insee}-"
                       "parcelles.json.gz")  # fmt: skip
    runner = CliRunner()
    res = runner.invoke(main, ["cadastre", "download", "91216"])
    assert res.exit_code == 0, res.output
    assert cadastre_path("91216").is_file()
    res = runner.invoke(main, ["check", "--parcel", inside_idu, "--date", DATE, "--catalog",
                               str(cat.source), "--json"])  # fmt: skip
    assert res.exit_code == 0, res.output
    data = json.loads(res.stdout)
    assert data["status"] == "dedans" and data["parcel"]["idu"] == inside_idu
    assert data["layers"][0]["share_inside"] == 1.0
    cadastre_path("91216").unlink()


def test_cli_check_parcel_errors(sample, cat) -> None:
    runner = CliRunner()
    res = runner.invoke(main, ["check", "--parcel", "AB12", "--cadastre", str(sample)])
    assert res.exit_code == 2 and "Error: Parcel reference 'AB12' has no commune" in res.output
    res = runner.invoke(main, ["check", "--parcel", "zzz", "--cadastre", str(sample)])
    assert res.exit_code == 2 and "not readable" in res.output
    res = runner.invoke(
        main,
        [
            "check",
            "--parcel",
            "AB 9999",
            "--citycode",
            "91216",
            "--cadastre",
            str(sample),
            "--catalog",
            str(cat.source),
        ],
    )
    assert res.exit_code == 0 and "absente du fichier cadastral" in res.output


# -- batch ----------------------------------------------------------------------------
def test_check_parcels_keeps_every_row(sample, cat, inside_idu, straddling_idu,
                                       outside_idu) -> None:  # fmt: skip
    sec, num = straddling_idu[8:10], straddling_idu[10:]
    table = pd.DataFrame({
        "id": ["1", "2", "3", "4", "5", "6"],
        "parcelle": [inside_idu, f"section {sec} n° {int(num)}", outside_idu, "AB 9999",
                     "n'importe quoi", ""],
    })  # fmt: skip
    out = check_parcels(table, "parcelle", citycode="91216", date=DATE, catalog=cat,
                        cadastre=sample)  # fmt: skip
    assert out["id"].tolist() == ["1", "2", "3", "4", "5", "6"]
    assert out["verdict"].tolist() == [
        "dedans", "limite", "dehors", "indetermine", "invalide", "invalide",
    ]  # fmt: skip
    assert out["secteur_test_position"].tolist()[:3] == ["inside", "straddling", "outside"]
    assert 0 < out["secteur_test_share_inside"].iloc[1] < 1
    assert out["parcel_idu"].iloc[1] == straddling_idu
    assert "absente du fichier cadastral" in out["verdict_reason"].iloc[3]
    assert "illisible" in out["verdict_reason"].iloc[4]
    assert out["parcel_area_m2"].isna().tolist() == [False] * 3 + [True] * 3


def test_cli_batch_parcel_column(sample, cat, inside_idu, tmp_path) -> None:
    src = tmp_path / "dia.csv"
    src.write_text(f"ref;commune\n{inside_idu};\nAB 9999;91216\nAB 1;\n", encoding="utf-8")
    out = tmp_path / "report.csv"
    res = CliRunner().invoke(main, [
        "batch", str(src), "-o", str(out), "--parcel-col", "ref", "--citycode-col", "commune",
        "--cadastre", str(sample), "--catalog", str(cat.source), "--date", DATE,
    ])  # fmt: skip
    assert res.exit_code == 3, res.output  # some rows got no verdict (see ortgeo batch --help)
    assert "2 of 3 row(s) got no verdict" in res.output
    report = pd.read_csv(out, sep=";", dtype=str, keep_default_na=False)
    assert report["verdict"].tolist() == ["dedans", "indetermine", "invalide"]
    assert "sans commune" in report["verdict_reason"].iloc[2]
    res = CliRunner().invoke(main, ["batch", str(src), "-o", str(out), "--parcel-col", "nope",
                                    "--cadastre", str(sample)])  # fmt: skip
    assert res.exit_code == 2 and "Column 'nope' not in the input" in res.output


def test_shares_do_not_depend_on_the_file_form(sample, cat, straddling_idu, tmp_path) -> None:
    """The .json.gz and the .json give the same numbers (one reader)."""
    gz = tmp_path / "cadastre-91216-parcelles.json.gz"
    gz.write_bytes(gzip.compress(sample.read_bytes()))
    a = check_parcel(straddling_idu, date=DATE, catalog=cat, cadastre=sample)
    b = check_parcel(straddling_idu, date=DATE, catalog=cat, cadastre=gz)
    assert a.measures == b.measures and shapely.__version__
