"""Commune facts (issue 18, item 8): the official code list (COG), the Pas-de-Calais outlines,
the ANCT table and its conversion (the build tool's and ``ortgeo communes update``'s code)."""

from __future__ import annotations

import csv
import gzip
import importlib.util
import io
import json
import subprocess
import sys
from pathlib import Path
from types import ModuleType

import numpy as np
import pytest
import shapely
from click.testing import CliRunner

from ortgeo.cli import main
from ortgeo.communes import (
    CogCommune,
    check_commune,
    cog_commune,
    cog_communes,
    commune_at,
    commune_at_lonlat,
    commune_at_xy,
    commune_name,
    commune_outlines,
    communes_path,
    ort_rows,
)
from ortgeo.crs import to_l93, to_l93_xy, to_wgs84_lonlat
from ortgeo.errors import InputFileError, OrtgeoError, UnknownCommuneError
from ortgeo.io.communes import (
    ANCT_REQUIRED,
    ORT_FIELDS,
    convert_anct,
    ort_by,
    ort_table_csv,
    parse_anct_csv,
    read_outline_lines,
)

ROOT = Path(__file__).resolve().parents[1]

#: The header of the ANCT table exactly as published (the reference snapshot's).
ANCT_HEADER = (
    "Commune,EPCI,Département,Région,Code commune,Statut de la commune,Signée ?,"
    '"Si signée, date de signature","Si non signée, date de signature envisagée",'
    "Durée (en années),Date de fin estimée,Remarques,Avancement,ACV,PVD,longitude,latitude,"
    "Dernière actualisation,Actualisé par"
)
_STATUT = {"acv": "1. Commune ACV", "pvd": "2. Commune PVD", "autre": "3. Autre"}
_SIGNEE = {"signee": "Signée", "non-signee": "Non signée", "en-cours": "En cours",
           "terminee": "Terminée", "inconnu": ""}  # fmt: skip


def anct_csv(rows: list[dict[str, str]], header: str = ANCT_HEADER) -> bytes:
    """ortgeo's table rows written back in the ANCT's published format (a test fixture)."""
    buf = io.StringIO(newline="")
    writer = csv.writer(buf, lineterminator="\n")
    for r in rows:
        updated = r["actualise_le"]
        writer.writerow([
            f"{r['insee'][:2]} - {r['nom']}", r["epci"], r["departement"], "", r["insee"],
            _STATUT[r["programme"]], _SIGNEE[r["ort"]], r["ort_signee_le"], "", "0", "",
            r["remarque"], "", str(r["acv"] == "True").lower(), str(r["pvd"] == "True").lower(),
            "2.8", "50.4", f"{updated[8:10]}-{updated[5:7]}-{updated[:4]} 14:13" if updated else "",
            "CENSORED",
        ])  # fmt: skip
    return (header + "\n" + buf.getvalue()).encode("utf-8")


def _tool() -> ModuleType:
    spec = importlib.util.spec_from_file_location("build_tool", ROOT / "tools" /
                                                  "build_commune_extracts.py")  # fmt: skip
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


# --- the official code list ----------------------------------------------------------------


def test_cog_holds_every_commune_of_2026() -> None:
    cog = cog_communes()
    kinds = {k: sum(c.kind == k for c in cog.values()) for k in
             ("commune", "arrondissement", "deleguee", "associee", "ancienne")}  # fmt: skip
    assert kinds == {"commune": 34969, "arrondissement": 45, "deleguee": 1521,
                     "associee": 471, "ancienne": 2248}  # fmt: skip
    assert len(cog) == sum(kinds.values())
    assert all(c.commune in cog and cog[c.commune].kind == "commune"
               for c in cog.values())  # fmt: skip
    assert all(c.epci_name for c in cog.values() if c.epci)
    assert sum(1 for c in cog.values() if c.kind == "commune" and not c.epci) == 98  # islands, COM
    size = (communes_path() / "cog_communes.csv.gz").stat().st_size
    assert size < 600_000, size


def test_cog_facts_the_answers_need() -> None:
    assert cog_commune("75056") == CogCommune(
        insee="75056", name="Paris", departement="75", epci="200054781",
        epci_name="Métropole du Grand Paris", postcodes=cog_commune("75056").postcodes,  # type: ignore[union-attr]
        kind="commune", commune="75056",
    )  # fmt: skip
    assert len(cog_commune("75056").postcodes) == 21  # type: ignore[union-attr]
    lens = check_commune("62498")
    assert (lens.name, lens.epci_name, lens.postcodes) == ("Lens", "CA de Lens - Liévin",
                                                           ("62300",))  # fmt: skip
    assert check_commune("2A004").name == "Ajaccio"
    seventh = check_commune("75107")
    assert (seventh.kind, seventh.commune, seventh.current) == ("arrondissement", "75056", True)
    assert [commune_name(c) for c in ("75056", "62041", "13055", "62549", "00000", "")] == [
        "Paris", "Arras", "Marseille", "", "", ""]  # fmt: skip


@pytest.mark.parametrize("code", ["00000", "62999", "99999", "2A999"])
def test_an_unknown_code_is_refused_with_the_fix(code: str) -> None:
    with pytest.raises(UnknownCommuneError) as err:
        check_commune(code)
    assert isinstance(err.value, OrtgeoError) and isinstance(err.value, ValueError)
    assert err.value.insee == code and err.value.successor is None
    message = str(err.value)
    assert "\n" not in message
    assert message.startswith(f"{code} is not a commune of the official code list (COG 2026)")
    assert "e.g. 62498 for Lens" in message


def test_a_former_code_says_which_commune_it_became() -> None:
    with pytest.raises(UnknownCommuneError) as err:
        check_commune("62549")
    assert err.value.successor == "62447"
    assert str(err.value) == ("62549 (Marconne) is a former commune, part of Hesdin-la-Forêt "
                              "(62447) today (COG 2026): ask for 62447.")  # fmt: skip
    unnamed = next(c for c in cog_communes().values() if c.kind == "ancienne")
    with pytest.raises(UnknownCommuneError, match=f"ask for {unnamed.commune}"):
        check_commune(unnamed.insee)
    with pytest.raises(OrtgeoError, match="not an INSEE commune code"):
        check_commune("6204")


def test_a_postcode_given_for_a_code_is_named() -> None:
    with pytest.raises(UnknownCommuneError, match=r"59000 is the postcode of Lille \(59350\)"):
        check_commune("59000")


def test_one_line_of_the_extract_is_the_table_row() -> None:
    cog = cog_communes()
    codes = sorted(cog)
    rng = np.random.default_rng(3)
    for code in [codes[0], codes[-1], "2A004", "75101", *rng.choice(codes, 2000)]:
        assert cog_commune(str(code)) == cog[str(code)]
    for code in ("", "6204", "620410", "62041,", "insee", "\n"):
        assert cog_commune(code) is None


def test_cli_commune_refuses_an_unknown_code() -> None:
    result = CliRunner().invoke(main, ["commune", "00000"])
    assert result.exit_code == 2
    assert result.output.strip().splitlines() == [
        "Error: 00000 is not a commune of the official code list (COG 2026): check the "
        "INSEE code (e.g. 62498 for Lens; not the postcode)."]  # fmt: skip


# --- outlines --------------------------------------------------------------------------------

#: Points and their commune: inside the CALL, elsewhere in the Pas-de-Calais, outside it.
PLACES = [
    (2.833889, 50.429167, "62498"),  # Lens, église Saint-Léger
    (2.7857, 50.4226, "62510"),  # Liévin
    (2.7775, 50.2910, "62041"),  # Arras
    (1.6140, 50.7260, "62160"),  # Boulogne-sur-Mer
    (1.8587, 50.9513, "62193"),  # Calais
    (2.2520, 50.7500, "62765"),  # Saint-Omer
    (2.0330, 50.3800, "62447"),  # Marconne, part of Hesdin-la-Forêt since 2025
    (3.0573, 50.6292, None),  # Lille (Nord)
    (2.3522, 48.8566, None),  # Paris
]


def test_the_commune_of_a_point_anywhere_in_the_pas_de_calais() -> None:
    lon, lat, want = zip(*PLACES, strict=True)
    assert commune_at(lon, lat).tolist() == list(want)
    assert [commune_at_lonlat(a, b) for a, b, _ in PLACES] == list(want)
    x, y = to_l93_xy(np.array(lon), np.array(lat))
    assert commune_at_xy(x, y).tolist() == list(want)
    assert commune_at_lonlat(float("nan"), 50.0) is None


def test_many_lambert_points_answer_as_their_lonlat() -> None:
    """commune_at_xy's grid (≥ 5,000 points) and the département fallback agree with
    commune_at, but for points within a metre of a limit (straight in Lambert-93 there,
    straight in degrees here)."""
    rng = np.random.default_rng(5)
    x, y = rng.uniform(640_000, 700_000, 8000), rng.uniform(6_990_000, 7_060_000, 8000)
    got = commune_at_xy(x, y)
    lon, lat = to_wgs84_lonlat(x, y)
    want = commune_at(lon, lat)
    differ = np.flatnonzero(got != want)
    limits = to_l93(shapely.union_all(shapely.boundary(
        commune_outlines(departement=True).geometry.values)))  # fmt: skip
    assert all(shapely.distance(limits, shapely.Point(x[i], y[i])) < 1.0 for i in differ)
    assert len(differ) < 10 and (got != None).sum() > 4000  # noqa: E711


def test_pas_de_calais_outlines_are_the_cog_communes() -> None:
    dept = commune_outlines(departement=True)
    cog = cog_communes()
    assert dept.crs.to_epsg() == 4326 and dept.geometry.is_valid.all()
    pas_de_calais = [c.insee for c in cog.values() if c.kind == "commune" and c.departement == "62"]
    assert sorted(dept["code"]) == sorted(pas_de_calais)
    assert all(cog[c].name == n for c, n in zip(dept["code"], dept["nom"], strict=True))
    call = commune_outlines()
    assert set(dept.loc[dept["call"], "code"]) == set(call["code"])
    same = dept.set_index("code").loc[call["code"], "geometry"].to_numpy()
    assert all(a.equals_exact(b, 0) for a, b in zip(same, call.geometry.values, strict=True))
    coords = shapely.get_coordinates(dept.geometry.values)
    assert np.allclose(coords, np.round(coords, 5), rtol=0, atol=1e-12)  # ≤ 5 decimals
    _, bbox, codes = read_outline_lines(communes_path() / "communes_62.geojson.gz")
    assert codes == dept["code"].tolist()
    assert np.allclose(bbox, shapely.bounds(dept.geometry.values))
    size = (communes_path() / "communes_62.geojson.gz").stat().st_size
    assert size < 400_000, size


def test_bundled_extracts_are_what_the_tool_builds(reference: Path) -> None:
    """The outlines and the ANCT table are rebuilt from ../shared to the same bytes (the COG
    extract needs the npm package: its rows are read back from the bundled file)."""
    tool = _tool()
    call, call_codes = tool._call_outlines(reference)
    bundled = json.loads((communes_path() / "communes.geojson").read_text(encoding="utf-8"))
    assert call == bundled
    rows = list(csv.reader(io.StringIO(gzip.decompress(
        (communes_path() / "cog_communes.csv.gz").read_bytes()).decode())))[1:]  # fmt: skip
    outlines, n = tool._department_outlines(reference, [tuple(r) for r in rows], call_codes)
    assert n == 887
    assert outlines == (communes_path() / "communes_62.geojson.gz").read_bytes()
    raw = parse_anct_csv((reference / "ort_national" / "ort_communes_anct.csv").read_bytes(),
                         "reference")  # fmt: skip
    table = convert_anct(raw, programmes=tool._programmes(reference))
    assert ort_table_csv(table) == (communes_path() / "ort_communes.csv").read_bytes()


# --- the ANCT table ------------------------------------------------------------------------


def test_orders_and_conventions_in_the_bundled_table() -> None:
    rows = ort_rows()
    for code in ("62498", "62510"):  # Lens, Liévin: « par arrêté préfectoral »
        assert (rows[code]["ort"], rows[code]["ort_signee_le"], rows[code]["ort_by"]) == (
            "signee",
            "2019-08-04",
            "arrete",
        )
    assert rows["62186"]["ort_by"] == "convention"  # Bully-les-Mines: the CALL's convention
    assert rows["62041"]["ort_by"] == "convention"  # Arras
    assert {r["ort_by"] for r in rows.values() if r["ort"] != "signee"} == {""}
    assert sum(r["ort_by"] == "arrete" for r in rows.values()) == 45
    assert {r["table_date"] for r in rows.values()} == {"2024-09-18"}
    assert tuple(next(iter(rows.values()))) == ORT_FIELDS


@pytest.mark.parametrize("remark, want", [
    ("par arrêté préfectoral", "arrete"),
    ("Homologation de l'avenant N°1 à la convention cadre ACV par arrêté préfectoral", "arrete"),
    ("signature de l’arrêté de transformation en ORT le 3 octobre 2019", "arrete"),
    (" Arrêté ORT 13/08/2019, Signature OPAH-Ru novembre 2020.", "arrete"),
    ("avis favorable, arrêté préfet de département signé", "arrete"),
    ("Lettre d'intention du maire. Arrêté en cours", ""),
    ("Arreté préfectoral de dérogation à l’intégration de la ville principale", ""),
    ("un périmètre de réflexion est arrêté qui concerne tout le territoire", ""),
    ("Le périmètre est élargi à l’ancienne maison d’arrêt.", ""),
    ("Convention ORT signée le 6 avril 2023", ""),
])  # fmt: skip
def test_ort_by_reads_the_remark(remark: str, want: str) -> None:
    assert ort_by(remark) == want


def test_the_table_written_back_converts_to_itself() -> None:
    """convert_anct(ANCT format of the bundled table) is the bundled table: the conversion
    keeps every field the ANCT format carries (``ort_by`` is read from the whole remark, of
    which the table keeps 160 characters)."""
    bundled = list(ort_rows().values())
    again = convert_anct(parse_anct_csv(anct_csv(bundled), "fixture"))
    cut = {r["insee"] for r in bundled if len(r["remarque"]) >= 150}
    assert [r | {"ort_by": ""} for r in again] == [r | {"ort_by": ""} for r in bundled]
    assert [r for r in again if r["insee"] not in cut] == [r for r in bundled
                                                           if r["insee"] not in cut]  # fmt: skip


def _raw(**values: str) -> dict[str, str]:
    row = dict.fromkeys(("Commune", "EPCI", "Département", "Remarques", "Dernière actualisation",
                         "ACV", "PVD"), "") | {"Statut de la commune": "2. Commune PVD",
                                                "Si signée, date de signature": ""}  # fmt: skip
    return row | values


def test_several_rows_of_a_commune_and_ended_conventions() -> None:
    raw = [
        _raw(**{"Code commune": "62523", "Signée ?": "Non signée",
                "Dernière actualisation": "01-02-2025 10:00"}),
        _raw(**{"Code commune": "62523", "Signée ?": "Signée",
                "Si signée, date de signature": "15/01/2025", "Commune": "Loison-sous-Lens"}),
        _raw(**{"Code commune": "62523", "Signée ?": "Signée",
                "Si signée, date de signature": "2025-03-01"}),
        _raw(**{"Code commune": "1053", "Signée ?": "Terminée",
                "Si signée, date de signature": "2019-01-01"}),
        _raw(**{"Code commune": " ", "Signée ?": "Signée"}),
    ]  # fmt: skip
    rows = {r["insee"]: r for r in convert_anct(raw, taken_on=None)}
    assert sorted(rows) == ["01053", "62523"]
    loison = rows["62523"]
    assert (loison["nom"], loison["ort"], loison["ort_signee_le"], loison["ort_by"]) == (
        "Loison-sous-Lens",
        "signee",
        "2025-01-15",
        "convention",
    )
    assert (rows["01053"]["ort"], rows["01053"]["ort_signee_le"], rows["01053"]["ort_by"]) == (
        "terminee",
        "",
        "",
    )
    assert {r["table_date"] for r in rows.values()} == {"2025-02-01"}  # the last update


def test_published_variants_are_read() -> None:
    """A BOM, ``;`` as delimiter, columns in another order, extra columns, CRLF."""
    text = (
        "\ufeffCode commune;Signée ?;Commune;Si signée, date de signature;doublon;"
        "Statut de la commune\r\n62498;Signée;62 - Lens;04/08/2019;;1. Commune ACV\r\n"
    )
    rows = parse_anct_csv(text.encode("utf-8"), "variant")
    assert rows[0]["Code commune"] == "62498" and rows[0]["Remarques"] == ""
    row = convert_anct(rows)[0]
    assert (row["nom"], row["ort_signee_le"], row["acv"], row["table_date"]) == (
        "Lens",
        "2019-08-04",
        "True",
        "",
    )


@pytest.mark.parametrize("content, message", [
    (b"<!DOCTYPE html>\n<html><body>502 Bad Gateway</body></html>", "is an HTML page"),
    (b"\n  <html>Maintenance</html>", "is an HTML page"),
    (b"insee_com,lib_com\n62498,Lens\n", "lacks the columns Code commune, Statut de la commune"),
    (ANCT_HEADER.encode() + b'\n62 - Lens,CA,"Pas-de-Calais', "broken CSV"),
    (ANCT_HEADER.encode() + b"\n62 - Lens,CA,Pas-de-Calais,Hauts-de-France,62498\n",
     "5 fields instead of 19"),
    (ANCT_HEADER.encode("utf-16"), "is not UTF-8"),
    (ANCT_HEADER.encode() + b"\n\n", "holds the ANCT header but no rows"),
    (b"", "lacks the columns"),
])  # fmt: skip
def test_what_is_not_the_anct_table_is_refused(content: bytes, message: str) -> None:
    with pytest.raises(InputFileError, match=message) as err:
        parse_anct_csv(content, "http://127.0.0.1/t.csv")
    assert "\n" not in str(err.value)
    assert set(ANCT_REQUIRED) <= set(parse_anct_csv(anct_csv(list(ort_rows().values())[:3]),
                                                    "ok")[0])  # fmt: skip


def test_a_point_outside_the_call_loads_no_table_library(tmp_path: Path) -> None:
    """The département's outlines are read with gzip, json and shapely only."""
    probe = ("import sys, ortgeo.communes as c; print(c.commune_at_lonlat(2.7775, 50.2910), "
             "c.check_commune('75056').name, c.commune_name('62041'), "
             "sorted(m for m in ('pandas', 'geopandas', 'pyogrio', 'requests') "
             "if m in sys.modules))")  # fmt: skip
    done = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True,
                          cwd=tmp_path, env={"PATH": "", "PYTHONPATH": str(ROOT)},
                          timeout=120, check=True)  # fmt: skip
    assert done.stdout.split() == ["62041", "Paris", "Arras", "[]"]
