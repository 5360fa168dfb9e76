"""BAN export reading and download, the synthetic export generator, the `ban` CLI group."""

from __future__ import annotations

import gzip
import random
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import shapely
from ban_server import FakeBanServer, ban_server, closed_port_url
from click.testing import CliRunner
from pyproj import Transformer

import ortgeo.testing
from ortgeo.catalog import catalog
from ortgeo.cli import main
from ortgeo.crs import L93, WGS84
from ortgeo.errors import GeocoderServiceError, GeocoderUnavailable, InputFileError
from ortgeo.geocoders import (
    BAN_COLUMNS,
    BanIndex,
    RetryPolicy,
    default_index_path,
    download_ban_export,
    read_ban_csv,
)
from ortgeo.geocoders.normalize import normalize, split_street
from ortgeo.geocoders.parse import parse_address
from ortgeo.testing import COMMUNES, NONEXISTENT_STREETS, noisy_variants, write_synthetic_ban_export

__all__ = ["ban_server"]

HEADER = (
    "id;id_fantoir;numero;rep;nom_voie;code_postal;code_insee;nom_commune;"
    "code_insee_ancienne_commune;nom_ancienne_commune;x;y;lon;lat;type_position;alias;nom_ld;"
    "libelle_acheminement;nom_afnor;source_position;source_nom_voie;certification_commune;"
    "cad_parcelles"
)
REAL_ROWS = (  # the two real rows quoted in FORMAT.md (§4), for the reader
    "01002_w4ld4h_00006;;6;;Place du Pese Lait;01640;01002;L'Abergement-de-Varey;;;887643.67;"
    "6547960.53;5.425179;46.005447;entrée;;;ABERGEMENT-DE-VAREY (L );PLACE DU PESE LAIT;commune;"
    "commune;1;01002000AE0005\n"
    "01002_6zbsct_01082;;1082;;Chemin de la Ferm de la Montagne;01640;01002;"
    "L'Abergement-de-Varey;;;888177.96;6546947.6;5.431677;45.996182;entrée;;;"
    "ABERGEMENT-DE-VAREY (L );CHEMIN DE LA FERM DE LA MONTAGNE;commune;commune;1;010020000B0888\n"
)


@pytest.fixture(scope="module")
def synthetic(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("syn") / "adresses-62.csv.gz"
    return write_synthetic_ban_export(path, n_rows=4000, extra_citycodes=["62523"], n_communes=2)


# ------------------------------------------------------------------ reading
def test_header_constant_matches_the_documented_header(reference: Path) -> None:
    assert ";".join(BAN_COLUMNS) == HEADER and len(BAN_COLUMNS) == 23
    assert HEADER in (reference / "ban_csv" / "FORMAT.md").read_text(encoding="utf-8")


@pytest.mark.parametrize("gz", [True, False])
def test_read_real_format_rows(tmp_path: Path, gz: bool) -> None:
    data = (HEADER + "\n" + REAL_ROWS).encode("utf-8")
    path = tmp_path / ("a.csv.gz" if gz else "a.csv")
    path.write_bytes(gzip.compress(data) if gz else data)
    df = read_ban_csv(path)
    assert list(df.columns) == list(BAN_COLUMNS)
    assert df["code_insee"].tolist() == ["01002", "01002"]  # leading zero kept
    assert df["code_postal"].iloc[0] == "01640" and df["numero"].tolist() == [6, 1082]
    assert df["lon"].dtype == float and df["x"].iloc[0] == pytest.approx(887643.67)
    assert df["rep"].tolist() == ["", ""] and df["id_fantoir"].iloc[0] == ""
    assert df["nom_commune"].iloc[0] == "L'Abergement-de-Varey"
    assert len(read_ban_csv(path, citycodes=["62498"])) == 0


def test_read_filters_communes(synthetic: Path) -> None:
    df = read_ban_csv(synthetic, citycodes=["62523"])
    assert set(df["code_insee"]) == {"62523"} and len(df) > 100


@pytest.mark.parametrize(
    ("content", "match"),
    [
        (b"a;b;c\n1;2;3\n", "not a BAN address export: its header lacks id, numero"),
        (b"\x1f\x8b\x08garbage", "Cannot read"),
        (b"\xff\xfe\x00b\x00a\x00d", "Cannot read|not a BAN"),
    ],
)
def test_read_bad_files(tmp_path: Path, content: bytes, match: str) -> None:
    path = tmp_path / "bad.csv.gz"
    path.write_bytes(content)
    with pytest.raises(InputFileError, match=match):
        read_ban_csv(path)


def test_read_missing_file(tmp_path: Path) -> None:
    with pytest.raises(InputFileError, match=r"not found.*ortgeo ban download 62"):
        read_ban_csv(tmp_path / "adresses-62.csv.gz")


# ------------------------------------------------------------------ synthetic generator
def test_synthetic_export_format(synthetic: Path) -> None:
    with gzip.open(synthetic, "rt", encoding="utf-8") as fh:
        assert fh.readline().rstrip("\n") == HEADER
    df = pd.read_csv(synthetic, sep=";", dtype=str, keep_default_na=False)
    assert len(df) == 4000 and set(df["source_position"]) == {"synthetic"}
    assert set(df["source_nom_voie"]) == {"synthetic"}
    assert set(df["code_insee"]) == {"62498", "62523"}
    assert df["id"].is_unique and df["id"].str.match(r"^\d{5}_[0-9a-z]{4,6}_\d{5}(_\w+)?$").all()
    assert set(df["rep"]) >= {"", "bis"}
    # x/y (Lambert-93) and lon/lat agree
    lon, lat = Transformer.from_crs(L93, WGS84, always_xy=True).transform(
        df["x"].astype(float).to_numpy(), df["y"].astype(float).to_numpy()
    )
    assert np.abs(lon - df["lon"].astype(float)).max() < 2e-6
    assert np.abs(lat - df["lat"].astype(float)).max() < 2e-6
    assert "SYNTHETIC" in ortgeo.testing.__doc__


def test_synthetic_odd_and_even_on_opposite_sides(synthetic: Path) -> None:
    df = read_ban_csv(synthetic, citycodes=["62498"])
    street = df[(df.nom_voie == "Rue de la Gare") & (df.rep == "")].sort_values("numero")
    p1, p3 = street.iloc[0], street[street.numero == 3].iloc[0]
    ux, uy = p3.x - p1.x, p3.y - p1.y  # along the street (odd side)
    side = np.sign(ux * (street.y - p1.y) - uy * (street.x - p1.x))
    odd = street.numero % 2 == 1
    assert (side[~odd] == side[~odd].iloc[0]).all() and side[~odd].iloc[0] != 0
    p2 = street[street.numero == 2].iloc[0]
    assert np.hypot(p2.x - p1.x, p2.y - p1.y) == pytest.approx(np.hypot(6, 16), abs=0.05)


def test_synthetic_streets_cross_the_perimeters(synthetic: Path) -> None:
    df = read_ban_csv(synthetic, citycodes=["62498"])
    ort = shapely.union_all(
        [layer.geometry for layer in catalog().sectors if layer.includes_centre_ville]
    )
    inside = shapely.contains_xy(ort, df["lon"].to_numpy(), df["lat"].to_numpy())
    assert 0.05 < inside.mean() < 0.95
    crossing = df.assign(inside=inside).groupby("nom_voie")["inside"].nunique()
    assert (crossing == 2).sum() >= 3  # several streets run across a limit


def test_synthetic_is_deterministic_and_sized(tmp_path: Path) -> None:
    a = write_synthetic_ban_export(tmp_path / "a.csv", n_rows=500, seed=7)
    b = write_synthetic_ban_export(tmp_path / "b.csv", n_rows=500, seed=7)
    c = write_synthetic_ban_export(tmp_path / "c.csv", n_rows=500, seed=8, citycode="62523")
    assert a.read_bytes() == b.read_bytes() != c.read_bytes()
    assert a.read_bytes()[:2] != b"\x1f\x8b"  # plain CSV without .gz
    many = write_synthetic_ban_export(tmp_path / "d.csv.gz", n_rows=3000, n_communes=12)
    df = read_ban_csv(many)
    assert len(df) == 3000 and df["code_insee"].nunique() == 12
    with pytest.raises(ValueError, match="unknown synthetic commune"):
        write_synthetic_ban_export(tmp_path / "e.csv", citycode="75056")


def test_nonexistent_streets_are_really_absent(synthetic: Path) -> None:
    names = set(read_ban_csv(synthetic)["nom_voie"])
    cores = {split_street(normalize(n))[1] for n in names}
    assert not cores & {split_street(normalize(n))[1] for n in NONEXISTENT_STREETS}
    assert {s[0] for s in COMMUNES["62498"].streets} >= {"Route de Lille", "Boulevard Émile Basly"}


def test_noisy_variants() -> None:
    label = "17bis Rue du Maréchal Leclerc 62300 Lens"
    v = noisy_variants(label, random.Random(1))
    assert v[0] == label.lower() and v[1] == "17bis Rue du Marechal Leclerc 62300 Lens"
    assert (
        v[2] == "17bis r du mal leclerc 62300 lens" and v[4] == "17bis Rue du Maréchal Leclerc Lens"
    )
    assert v[3] != label and len(v[3].split()) == len(label.split())
    assert v[3].split()[-2:] == ["62300", "Lens"]  # the typo is in the street name


# ------------------------------------------------------------------ normalisation
@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("17 rue de la Gare 62300 Lens", (17, "", "rue de la Gare", "62300", "Lens")),
        ("17bis rue de la Gare", (17, "bis", "rue de la Gare", None, None)),
        ("17 B rue de la Gare", (17, "b", "rue de la Gare", None, None)),
        ("17 ter, rue de la Gare, Lens", (17, "ter", "rue de la Gare", None, "Lens")),
        ("3 r de Paris", (3, "", "r de Paris", None, None)),
        ("3 r. de Paris", (3, "", "r. de Paris", None, None)),
        ("3 a rue de Paris", (3, "a", "rue de Paris", None, None)),
        ("12 rue du 11 Novembre 62300", (12, "", "rue du 11 Novembre", "62300", None)),
        ("Rue de Paris", (None, "", "Rue de Paris", None, None)),
        ("62300 Lens", (None, "", "", "62300", "Lens")),
        ("17-19 rue de Paris", (17, "", "rue de Paris", None, None)),
        ("Appt 12, 17 rue de Paris, 62300 Lens", (17, "", "rue de Paris", "62300", "Lens")),
        ("17 rue de Paris, Bât. B, 62300 Lens", (17, "", "rue de Paris", "62300", "Lens")),
        ("17 rue de Paris appt n° 3 62300 LENS", (17, "", "rue de Paris", "62300", "LENS")),
        ("BP 40, 17 rue de Paris 62300 Lens CEDEX", (17, "", "rue de Paris", "62300", "Lens")),
        ("3ème étage, 17 rue de Paris, Lens", (17, "", "rue de Paris", None, "Lens")),
        ("2e étage, 17 rue de Paris", (17, "", "rue de Paris", None, None)),
        ("17 rue de la Porte d'Arras, Lens", (17, "", "rue de la Porte d'Arras", None, "Lens")),
        ("17 rue de la Bataille bat C, Lens", (17, "", "rue de la Bataille", None, "Lens")),
        ("Résidence Les Tilleuls, 17 rue de Paris", (17, "", "rue de Paris", None, None)),
        ("17 rue de Paris, résidence du Parc, Lens", (17, "", "rue de Paris", None, "Lens")),
        ("Rue de Paris, Lens", (None, "", "Rue de Paris", None, "Lens")),
        ("12 rue du 11 Novembre, Lens", (12, "", "rue du 11 Novembre", None, "Lens")),
        ("17/19, rue de Paris", (17, "", "rue de Paris", None, None)),
        ("  ", (None, "", "", None, None)),
    ],
)
def test_parse_address(query: str, expected: tuple) -> None:
    p = parse_address(query)
    assert (p.housenumber, p.suffix, p.street, p.postcode, p.city) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Bd Émile-Basly", "boulevard emile basly"),
        ("AV. ALFRED MAËS", "avenue alfred maes"),
        ("Rue St-Édouard", "rue saint edouard"),
        ("R du Mal Leclerc", "rue du marechal leclerc"),
        ("Rte de La Bassée", "route de la bassee"),
        ("Imp. des Œillets", "impasse des oeillets"),
        ("Pl. du Gal de Gaulle", "place du general de gaulle"),
        ("rue de l'Église", "rue de l eglise"),
        ("Chem. N.-D. de Lorette", "chemin notre dame de lorette"),
    ],
)
def test_normalize(text: str, expected: str) -> None:
    assert normalize(text) == expected


# ------------------------------------------------------------------ download
def test_download(ban_server: FakeBanServer, tmp_path: Path) -> None:
    payload = gzip.compress((HEADER + "\n" + REAL_ROWS).encode())
    ban_server.files["/ban/adresses-62.csv.gz"] = payload
    path = download_ban_export("62", tmp_path, url=ban_server.url + "/ban/adresses-{dep}.csv.gz",
                               progress=False)  # fmt: skip
    assert path == tmp_path / "adresses-62.csv.gz" and path.read_bytes() == payload
    assert len(read_ban_csv(path)) == 2 and not list(tmp_path.glob("*.part"))


def test_download_default_folder_and_env_url(ban_server, monkeypatch) -> None:
    ban_server.files["/x/adresses-2A.csv.gz"] = gzip.compress(b"x")
    monkeypatch.setenv("ORTGEO_BAN_EXPORT_URL", ban_server.url + "/x/adresses-{dep}.csv.gz")
    path = download_ban_export("2a", progress=False)
    assert path == default_index_path().parent / "adresses-2A.csv.gz"


def test_download_errors(ban_server: FakeBanServer, tmp_path: Path) -> None:
    fast = RetryPolicy(max_retries=1, backoff=0.001, timeout=2)
    with pytest.raises(GeocoderServiceError, match="HTTP 404"):
        download_ban_export("99", tmp_path, url=ban_server.url + "/{dep}.csv.gz", progress=False)
    ban_server.files["/html"] = b"<html>proxy login</html>"
    with pytest.raises(GeocoderServiceError, match="did not return a gzip file"):
        download_ban_export("62", tmp_path, url=ban_server.url + "/html", progress=False)
    assert not list(tmp_path.iterdir())  # no half file left
    with pytest.raises(GeocoderUnavailable, match=r"cannot be reached.*by hand"):
        download_ban_export("62", tmp_path, url=closed_port_url(), progress=False, policy=fast)
    with pytest.raises(InputFileError, match="Invalid département"):
        download_ban_export("../etc", tmp_path)


# ------------------------------------------------------------------ CLI
def test_cli_ban_index(synthetic: Path, tmp_path: Path) -> None:
    out = tmp_path / "idx.sqlite"
    res = CliRunner().invoke(main, ["ban", "index", str(synthetic), "-o", str(out),
                                    "--citycode", "62498"])  # fmt: skip
    assert res.exit_code == 0, res.output
    assert "addresses" in res.output and "streets" in res.output and "MB" in res.output
    assert BanIndex(out).communes()["citycode"].tolist() == ["62498"]


def test_cli_ban_index_default_path(synthetic: Path) -> None:
    res = CliRunner().invoke(main, ["ban", "index", str(synthetic)])
    assert res.exit_code == 0, res.output
    assert default_index_path().is_file()
    default_index_path().unlink()


@pytest.mark.parametrize(
    ("content", "match"),
    [
        (None, "not found"),
        (b"a;b\n1;2\n", "not an address file ortgeo knows"),
        (b"\x1f\x8bxx", "Cannot read"),
    ],
)
def test_cli_ban_index_bad_input(tmp_path: Path, content: bytes | None, match: str) -> None:
    path = tmp_path / "adresses-62.csv.gz"
    if content is not None:
        path.write_bytes(content)
    res = CliRunner().invoke(main, ["ban", "index", str(path), "-o", str(tmp_path / "i.sqlite")])
    assert res.exit_code == 2 and "Error:" in res.output and match in res.output
    assert "Traceback" not in res.output


def test_cli_ban_download(ban_server: FakeBanServer, tmp_path: Path) -> None:
    ban_server.files["/adresses-62.csv.gz"] = gzip.compress((HEADER + "\n").encode())
    url = ban_server.url + "/adresses-{dep}.csv.gz"
    res = CliRunner().invoke(main, ["ban", "download", "62", "-o", str(tmp_path), "--url", url])
    assert res.exit_code == 0, res.output
    assert "ortgeo ban index" in res.output and (tmp_path / "adresses-62.csv.gz").is_file()
    res = CliRunner().invoke(main, ["ban", "download", "62", "-o", str(tmp_path),
                                    "--url", ban_server.url + "/nothing-{dep}.gz"])  # fmt: skip
    assert res.exit_code == 2 and "Error:" in res.output and "HTTP 404" in res.output
