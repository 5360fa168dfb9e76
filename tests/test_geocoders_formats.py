"""`ortgeo ban index` on the address formats communes and OpenStreetMap publish: the
BAN export, the old IGN layout, BAL (Base Adresse Locale) and BANO — REAL rows from
``../shared/data/reference/ban_real/`` (read its PROVENANCE.md)."""

from __future__ import annotations

import random
from pathlib import Path

import pytest
from click.testing import CliRunner

from ortgeo.cli import main
from ortgeo.errors import InputFileError
from ortgeo.geocoders import BanLocalGeocoder, build_ban_index
from ortgeo.geocoders.formats import detect_format, iter_addresses
from ortgeo.testing import write_synthetic_ban_export

BAL = "mes-adresses-api_adresses-54084_bal-format.csv"
IGN = "mes-adresses-api_adresses-54084_ban-ign-format.csv"
BANO = "bano-08-2015-sans-08105.csv"


@pytest.fixture(scope="module")
def real(reference: Path) -> Path:
    return reference / "ban_real"


@pytest.mark.parametrize(("name", "fmt"), [(BAL, "bal-1.4"), (IGN, "ban-ign"), (BANO, "bano")])
def test_format_is_detected(real: Path, name: str, fmt: str) -> None:
    assert detect_format(real / name) == fmt


def test_bal_1x_and_ban_export_are_detected(tmp_path: Path) -> None:
    old = tmp_path / "bal11.csv"
    old.write_text(
        "cle_interop;uid_adresse;voie_nom;lieudit_complement_nom;numero;suffixe;commune_nom;"
        "position;x;y;long;lat;source;date_der_maj\n"
        "54084_0200_00001;;Rue Joffre;;1;;Mont-Bonvillers;entrée;906010.92;6917321.29;"
        "5.833622;49.322203;commune;2020-01-01\n"
    )
    assert detect_format(old) == "bal-1.x"
    fmt, chunks = iter_addresses(old)
    row = next(chunks).iloc[0]
    assert (fmt, row.code_insee, row.numero, row.nom_voie) == ("bal-1.x", "54084", 1, "Rue Joffre")
    assert detect_format(write_synthetic_ban_export(tmp_path / "a.csv.gz", n_rows=50)) == "ban"


def test_unknown_format_is_a_clear_error(tmp_path: Path) -> None:
    bad = tmp_path / "x.csv"
    bad.write_text("a;b;c\n1;2;3\n")
    with pytest.raises(InputFileError, match=r"not an address file ortgeo knows.*BANO"):
        detect_format(bad)


def test_bal_and_ign_give_the_same_answers(real: Path, tmp_path: Path) -> None:
    """Mont-Bonvillers in two layouts: same streets, same positions (BAL has no postcode)."""
    bal = BanLocalGeocoder(build_ban_index(real / BAL, tmp_path / "bal.sqlite", progress=False))
    ign = BanLocalGeocoder(build_ban_index(real / IGN, tmp_path / "ign.sqlite", progress=False))
    both = bal.index.addresses().merge(
        ign.index.addresses(), on=["code_insee", "numero", "rep"], suffixes=("_bal", "_ign")
    )
    both = both[both.nom_voie_bal.str.lower() == both.nom_voie_ign.str.lower()]
    assert len(both) >= 250
    for row in both.sample(40, random_state=0).itertuples():
        q = f"{row.numero}{row.rep} {row.nom_voie_bal} Mont-Bonvillers"
        a, b = bal.geocode(q), ign.geocode(q)
        assert a.status == b.status == "ok" and a.match_type == b.match_type == "housenumber"
        assert (a.housenumber, a.citycode, a.city) == (b.housenumber, b.citycode, b.city)
        # the commune re-placed some points in its BAL since the IGN file: up to ~50 m
        assert abs(a.x - b.x) < 150 and abs(a.y - b.y) < 150, (q, a, b)


def test_bano_real_streets(real: Path, tmp_path: Path) -> None:
    """Real Ardennes street names (Sedan 08409 and neighbours): exact and typo'd queries."""
    path = build_ban_index(real / BANO, tmp_path / "bano.sqlite", progress=False)
    g = BanLocalGeocoder(path)
    addr = g.index.addresses()
    assert addr.code_insee.nunique() > 80 and (addr.code_insee == "08409").sum() > 1000
    rows = addr[addr.code_insee == "08409"].sample(150, random_state=1)
    rng = random.Random(0)
    exact = typo = 0
    for r in rows.itertuples():
        name = r.nom_voie
        q = f"{r.numero}{r.rep} {name} {r.code_postal} {r.nom_commune}"
        res = g.geocode(q)
        exact += res.ok and res.housenumber == f"{r.numero}{r.rep}" and res.street == name
        i = rng.randrange(len(name) // 2, len(name))
        res = g.geocode(f"{r.numero} {name[:i]}{name[i + 1 :]} {r.nom_commune}")
        typo += res.ok and res.street == name
    assert exact >= 0.97 * len(rows) and typo >= 0.85 * len(rows)


def test_cli_reports_the_format(real: Path, tmp_path: Path) -> None:
    out = tmp_path / "i.sqlite"
    result = CliRunner().invoke(main, ["ban", "index", str(real / BAL), "-o", str(out)])
    assert result.exit_code == 0, result.output
    assert "as Base Adresse Locale 1.3/1.4 (bal-1.4)" in result.output
