"""check_addresses / ortgeo batch: every row kept in order, encodings, separators, outputs.

Inputs are SYNTHETIC CSV files written in tmp_path; geocoding on an offline index built
from a synthetic BAN export, and on the fake BAN API (``ban_server.py``, 127.0.0.1).
"""

from __future__ import annotations

from pathlib import Path

import geopandas as gpd
import pandas as pd
import pytest
from ban_server import ban_server  # noqa: F401
from click.testing import CliRunner

from ortgeo.batch import check_addresses, write_report
from ortgeo.cli import main
from ortgeo.errors import InputFileError
from ortgeo.geocoders import BanApiGeocoder, BanLocalGeocoder, build_ban_index
from ortgeo.table import read_table
from ortgeo.testing import write_synthetic_ban_export

DATE = "2024-06-01"
ROWS = [
    ("a7", "1 rue de la Gare, 62300 Lens", "=SUM(A1)"),
    ("a2", "", "vide"),
    ("a9", "12 rue des Lilas Lens", "+33 6 00 00 00 00"),
    ("a1", "3 rue de la Gare Lens", "-"),
    ("a1", "17 Boulevard Émile Basly Lens", "@cmd"),
    ("a3", "Lens", "  texte ; avec séparateur"),
]


@pytest.fixture(scope="module")
def local(tmp_path_factory: pytest.TempPathFactory) -> BanLocalGeocoder:
    tmp = tmp_path_factory.mktemp("ban")
    csv = write_synthetic_ban_export(tmp / "adresses-62.csv.gz", n_rows=3000, seed=2)
    return BanLocalGeocoder(build_ban_index(csv, tmp / "ban.sqlite", progress=False))


def write_input(path: Path, sep: str, encoding: str) -> Path:
    df = pd.DataFrame(ROWS, columns=["ref", "adresse", "commentaire"])
    df.to_csv(path, sep=sep, index=False, encoding=encoding)
    return path


@pytest.mark.parametrize(
    ("sep", "encoding"), [(";", "utf-8"), (",", "utf-8-sig"), (";", "cp1252"), ("\t", "utf-8")]
)
def test_every_row_kept_in_order_with_original_columns(tmp_path, local, sep, encoding):
    path = write_input(tmp_path / "in.csv", sep, encoding)
    report = check_addresses(path, geocoder=local, date=DATE)
    assert len(report) == len(ROWS)
    assert report[["ref", "adresse", "commentaire"]].values.tolist() == [list(r) for r in ROWS]
    assert list(report.columns[:3]) == ["ref", "adresse", "commentaire"]
    assert report["verdict"].iloc[1] == "indetermine"
    assert report["verdict_reason"].iloc[1] == "adresse vide"
    assert report["verdict"].iloc[2] == "indetermine"  # not found
    assert report["verdict"].iloc[5] == "indetermine"  # municipality only
    assert set(report["verdict"]) <= {"dedans", "dehors", "limite", "indetermine"}
    assert report["ban_type"].iloc[0] == "housenumber"
    assert pd.isna(report["ort_status"].iloc[1])  # no position, no status


def test_dataframe_input_keeps_index_and_columns_untouched(local):
    df = pd.DataFrame(ROWS, columns=["ref", "adresse", "commentaire"], index=[10, 3, 7, 1, 2, 99])
    df["status"] = "mine"  # a column named like ours is never overwritten
    report = check_addresses(df, geocoder=local, date=DATE)
    assert report.index.tolist() == [10, 3, 7, 1, 2, 99]
    assert (report["status"] == "mine").all()
    assert "verdict" in report and "ban_status" in report


def test_columns_joined_into_the_address(local):
    df = pd.DataFrame({"num": ["1", "3"], "voie": ["rue de la Gare", "rue de la Gare"],
                       "ville": ["Lens", "Lens"]})  # fmt: skip
    report = check_addresses(df, columns=["num", "voie", "ville"], geocoder=local, date=DATE)
    assert report["ban_housenumber"].tolist() == ["1", "3"]


def _suffixed_address(local: BanLocalGeocoder, rep: str) -> pd.Series:
    """A real address of the SYNTHETIC index whose number carries ``rep``."""
    df = local.index.addresses()
    return df[df["rep"] == rep].iloc[0]


@pytest.mark.parametrize(("indice", "rep"), [("B", "bis"), ("T", "ter"), ("bis", "bis")])
def test_export_columns_with_excel_floats_and_an_indice_column(local, indice, rep):
    a = _suffixed_address(local, rep)
    words = a["nom_voie"].split(" ")  # "Rue de la Gare" → "GARE (RUE DE LA)", as exports do
    inverted = f"{words[-1]} ({' '.join(words[:-1])})".upper()
    df = pd.DataFrame({"num": [float(a["numero"]), float(a["numero"])], "voie": [inverted] * 2,
                       "cp": [float(a["code_postal"])] * 2, "ville": [a["nom_commune"]] * 2,
                       "indice": [indice, None]})  # fmt: skip
    report = check_addresses(
        df, columns=["num", "voie", "cp", "ville"], indice_col="indice", geocoder=local, date=DATE
    )
    assert report["ban_housenumber"].iloc[0] == f"{a['numero']}{rep}"
    assert report["ban_street"].iloc[0] == a["nom_voie"]
    assert report["ban_housenumber"].iloc[1] != f"{a['numero']}{rep}"  # no indice, no suffix


def test_indice_column_from_the_cli(tmp_path, local):
    a = _suffixed_address(local, "bis")
    path = tmp_path / "dgfip.csv"
    pd.DataFrame({"numero": [f"{a['numero']}.0"], "indice": ["B"], "voie": [a["nom_voie"]],
                  "cp": [a["code_postal"]], "ville": [a["nom_commune"]]}).to_csv(
        path, sep=";", index=False)  # fmt: skip
    out = tmp_path / "out.csv"
    res = CliRunner().invoke(main, [
        "batch", str(path), "-o", str(out), "--columns", "numero,voie,cp,ville",
        "--indice-col", "indice", "--geocoder", "local", "--ban", str(local.index.path),
        "--date", DATE,
    ])  # fmt: skip
    assert res.exit_code == 0, res.output
    back = pd.read_csv(out, sep=";", dtype=str)
    assert back["ban_housenumber"].tolist() == [f"{a['numero']}bis"]


def test_indice_column_needs_columns_and_must_exist(local):
    df = pd.DataFrame({"adresse": ["1 rue de la Gare Lens"], "num": ["1"], "indice": ["B"]})
    with pytest.raises(InputFileError, match="columns to join"):
        check_addresses(df, indice_col="indice", geocoder=local, date=DATE)
    with pytest.raises(InputFileError, match="'rep'"):
        check_addresses(df, columns=["num"], indice_col="rep", geocoder=local, date=DATE)


def test_csv_output_neutralises_formulas_and_excel_bom(tmp_path, local):
    report = check_addresses(write_input(tmp_path / "in.csv", ";", "utf-8"), geocoder=local,
                             date=DATE)  # fmt: skip
    out = write_report(report, tmp_path / "out.csv", excel=True)
    raw = out.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")
    back = pd.read_csv(out, sep=";", dtype=str, encoding="utf-8-sig", keep_default_na=False)
    assert back["commentaire"].tolist() == [
        "'=SUM(A1)", "vide", "'+33 6 00 00 00 00", "'-", "'@cmd", "  texte ; avec séparateur",
    ]  # fmt: skip
    assert back["ref"].tolist() == [r[0] for r in ROWS]
    assert not out.with_suffix(".gpkg").exists()
    plain = write_report(report, tmp_path / "plain.csv")
    assert not plain.read_bytes().startswith(b"\xef\xbb\xbf")


def test_geopackage_output(tmp_path, local):
    report = check_addresses(write_input(tmp_path / "in.csv", ";", "utf-8"), geocoder=local,
                             date=DATE)  # fmt: skip
    gdf = gpd.read_file(write_report(report, tmp_path / "out.gpkg"))
    assert len(gdf) == len(ROWS) and gdf.crs.to_epsg() == 4326
    assert gdf.geometry.isna().tolist() == report["ban_lon"].isna().tolist()


def test_api_batch_uses_csv_endpoint_and_resumes_from_cache(tmp_path, ban_server):  # noqa: F811
    queries = [f"{n} rue de la Gare Lens" for n in range(1, 12)] + ["Route de Lille"] * 2
    df = pd.DataFrame({"adresse": queries})
    api = BanApiGeocoder(ban_server.url)
    first = check_addresses(df, geocoder=api, date=DATE)
    assert ban_server.count("/search/csv") >= 1
    before = len(ban_server.hits)
    again = check_addresses(df, geocoder=BanApiGeocoder(ban_server.url), date=DATE)
    assert len(ban_server.hits) == before  # zero requests on a re-run
    pd.testing.assert_frame_equal(first, again)


def test_bad_inputs(tmp_path, local):
    with pytest.raises(InputFileError, match="not found"):
        read_table(tmp_path / "nope.csv")
    (tmp_path / "empty.csv").write_text("")
    with pytest.raises(InputFileError, match="empty"):
        read_table(tmp_path / "empty.csv")
    (tmp_path / "noaddr.csv").write_text("a;b\n1;2\n")
    with pytest.raises(InputFileError, match="No address column"):
        check_addresses(tmp_path / "noaddr.csv", geocoder=local)
    with pytest.raises(InputFileError, match="not in the input"):
        check_addresses(tmp_path / "noaddr.csv", address_col="zzz", geocoder=local)


def test_cli_batch(tmp_path, local):
    path = write_input(tmp_path / "in.csv", ",", "cp1252")
    runner = CliRunner()
    args = ["batch", str(path), "-o", str(tmp_path / "out.csv"), "--ban",
            str(local.index.path), "--date", DATE, "--excel"]  # fmt: skip
    res = runner.invoke(main, args)
    assert res.exit_code == 3, res.output  # three rows got no verdict (see test_bad_inputs)
    assert f"Wrote {len(ROWS)} row(s)" in res.output
    assert res.output.strip().splitlines()[-1].startswith("3 of 6 row(s) got no verdict")
    res = runner.invoke(main, [*args[:3], str(tmp_path / "no" / "out.csv"), *args[4:]])
    assert res.exit_code == 2 and "does not exist" in res.output
    res = runner.invoke(main, ["batch", str(tmp_path / "zz.csv"), "-o", str(tmp_path / "o.csv"),
                               "--ban", str(local.index.path)])  # fmt: skip
    assert res.exit_code == 2 and "not found" in res.output and "Traceback" not in res.output
