"""Annex 3 folder and address lists: range formatter, lists by sector, files, ``ortgeo annex``.

Address data here is SYNTHETIC: a hand-made BAN-format file placed on the SYNTHETIC square
catalogue of ``tests/synthetic_catalog.py`` (exactly known answers), and the synthetic BAN
export of :mod:`ortgeo.testing` (Lens-like streets, checked by properties).
"""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from click.testing import CliRunner
from pdf_checks import pdffonts
from synthetic_catalog import X0, Y0, write_catalog

import ortgeo
from ortgeo.annex import (
    address_lists,
    format_numbers,
    load_ban,
    number_runs,
    sectors,
    write_annex,
)
from ortgeo.annex.lists import CATEGORIES, INCLUDED, TO_CHECK
from ortgeo.annex.texts import denormandie_note
from ortgeo.cli import main
from ortgeo.crs import to_wgs84_lonlat
from ortgeo.errors import InputFileError
from ortgeo.geocoders.ban_export import BAN_COLUMNS
from ortgeo.geocoders.ban_local import build_ban_index
from ortgeo.locate import layer_key
from ortgeo.maps._state import annex_state
from ortgeo.maps.style import INDICATIF_WARNING, WATERMARK
from ortgeo.testing import write_synthetic_ban_export

# -- the range formatter, on hand-made numbers ---------------------------------------------------


def plain(*numbers: int) -> list[tuple[int, str]]:
    return [(n, "") for n in numbers]


def test_runs_split_by_side_and_gaps():
    assert number_runs([5, 1, 3, 2, 4, 8]) == [[1, 3, 5], [2, 4], [8]]
    assert number_runs([]) == []


def test_runs_follow_the_numbers_present_in_the_ban():
    # 7 is not in the BAN: 5 and 9 follow each other; 13 is in the BAN but not listed
    assert number_runs([1, 3, 5, 9, 11, 15], present=[1, 3, 5, 9, 11, 13, 15]) == [
        [1, 3, 5, 9, 11],
        [15],
    ]


def test_format_simple_sides():
    assert format_numbers(plain(*range(1, 48, 2), *range(2, 51, 2))) == ("1 à 47", "2 à 50")
    assert format_numbers(plain(5)) == ("5", "")
    assert format_numbers(plain(4, 6)) == ("", "4 à 6")
    assert format_numbers([]) == ("", "")


def test_format_breaks_on_a_ban_number_left_out():
    inside = plain(1, 3, 5, 9, 11)
    assert format_numbers(inside, plain(1, 3, 5, 7, 9, 11)) == ("1 à 5, 9 à 11", "")
    # a big jump with nothing in between in the BAN is still one run
    assert format_numbers(plain(1, 3, 101), plain(1, 3, 101)) == ("1 à 101", "")


def test_format_suffixes():
    present = [*plain(2, 4, 6, 8), (4, "bis"), (6, "ter"), (8, "bis")]
    inside = [*plain(2, 4, 6, 8), (4, "bis"), (6, "ter")]  # 8 bis is out
    odd, even = format_numbers(inside, present)
    assert odd == ""
    assert even == "2 à 6 (y c. 4 bis, 6 ter), 8"
    # only the suffixed variant inside
    assert format_numbers([(8, "bis")], present) == ("", "8 bis")
    # a number known only with a suffix is part of a run
    assert format_numbers([(1, ""), (3, "bis"), (5, "")]) == ("1 à 5 (y c. 3 bis)", "")
    # variants of a lone number
    assert format_numbers([(7, ""), (7, "ter"), (7, "bis")]) == ("7 et 7 bis et 7 ter", "")


def test_format_place_names_without_number():
    assert format_numbers([(99999, "")]) == ("sans numéro", "")


# -- address lists on a hand-made SYNTHETIC BAN file and the synthetic square catalogue -------

# Lambert-93 positions relative to the synthetic "test-ort" square (1000 m, accuracy 50 m) and
# the "test-opah" square (400 m centred in it, accuracy 20 m).
IN = (X0 + 200, Y0 + 500)  # 200 m inside test-ort, 100 m outside test-opah
OUT = (X0 - 300, Y0 + 500)  # 300 m outside
EDGE = (X0 + 20, Y0 + 500)  # 20 m inside: within the 50 m band -> limite
CENTRE = (X0 + 500, Y0 + 500)  # inside both
ROWS = [  # (numero, rep, street, position)
    *[(n, "", "Rue du Test", IN) for n in (1, 3, 5, 7, 11, 13)],
    (9, "", "Rue du Test", OUT),
    (15, "", "Rue du Test", EDGE),
    (17, "", "Rue du Test", EDGE),
    *[(n, "", "Rue du Test", IN) for n in (2, 4, 6, 10, 12, 14)],
    (12, "bis", "Rue du Test", OUT),
    (14, "ter", "Rue du Test", IN),
    (1, "", "Place <script>alert(1)</script>", CENTRE),
    (99999, "", "Lieu-dit du Test", IN),
    (3, "", "Rue Dehors", OUT),
]


def write_ban_fixture(path: Path, rows=ROWS, extra_commune: bool = True) -> Path:
    """A SYNTHETIC BAN-format export (the 23 columns of adresses-XX.csv)."""
    records = []
    for i, (numero, rep, street, (x, y)) in enumerate(rows):
        records.append({"id": f"62498_t{i:03d}_{numero:05d}", "numero": numero, "rep": rep,
                        "nom_voie": street, "code_postal": "62300", "code_insee": "62498",
                        "nom_commune": "Lens", "x": x, "y": y})  # fmt: skip
    if extra_commune:  # another commune: never listed
        records.append({"id": "62523_t999_00001", "numero": 1, "rep": "", "nom_voie": "Rue du Test",
                        "code_postal": "62218", "code_insee": "62523",
                        "nom_commune": "Loison-sous-Lens", "x": IN[0], "y": IN[1]})  # fmt: skip
    df = pd.DataFrame(records)
    df["lon"], df["lat"] = to_wgs84_lonlat(df["x"].to_numpy(), df["y"].to_numpy())
    for col in BAN_COLUMNS:
        if col not in df:
            df[col] = "synthetic" if col.startswith("source") else ""
    df[list(BAN_COLUMNS)].to_csv(path, sep=";", index=False, encoding="utf-8")
    return path


@pytest.fixture(scope="module")
def squares(tmp_path_factory) -> ortgeo.Catalog:
    return ortgeo.catalog(write_catalog(tmp_path_factory.mktemp("squares")))


@pytest.fixture
def ban_fixture(tmp_path) -> Path:
    return write_ban_fixture(tmp_path / "adresses-test.csv")


def test_sectors_are_the_ort_sectors_then_the_others(squares):
    assert [s.key for s in sectors(squares, "2022-01-01")] == ["test_ort", "test_opah"]
    secs = sectors(squares, "2024-06-01")
    assert [s.key for s in secs] == ["test_ort", "test_ext", "test_opah"]
    assert [s.category for s in secs] == [CATEGORIES[0], CATEGORIES[0], CATEGORIES[1]]
    assert sectors(squares, "2018-01-01") == []
    # no date: the sectors the avenant defines, whatever their catalogue dates say
    assert [s.key for s in sectors(squares)] == ["test_ort", "test_ext", "test_opah"]


def test_load_ban_keeps_lens_only(ban_fixture):
    ban = load_ban(ban_fixture)
    assert set(ban["code_insee"]) == {"62498"}
    assert len(ban) == len(ROWS)


def test_lists_ranges_sides_and_limite_apart(ban_fixture, squares):
    lists, detail = address_lists(load_ban(ban_fixture), "2022-01-01", squares)
    ort = lists[lists["secteur_id"] == "test_ort"]
    inside = ort[ort["liste"] == INCLUDED].set_index("voie")
    row = inside.loc["Rue du Test"]
    assert row["numeros_impairs"] == "1 à 7, 11 à 13"  # 9 is in the BAN, outside
    assert row["numeros_pairs"] == "2 à 10, 12, 14 et 14 ter"  # no 8; 12 bis is outside
    assert row["numeros"] == "n° 1 à 7, 11 à 13 impairs ; 2 à 10, 12, 14 et 14 ter pairs"
    assert row["etendue"] == "" and row["nb_adresses"] == 13
    # a street whose every number is inside is written « voie entière »
    assert inside.loc["Lieu-dit du Test", "numeros"] == "voie entière"
    assert inside.loc["Lieu-dit du Test", "numeros_impairs"] == "sans numéro"
    # « à vérifier »: by street and side of the limit, with the distances to it
    check = ort[ort["liste"] == TO_CHECK]
    assert check["numeros"].tolist() == ["côté intérieur, à 20 m de la limite : n° 15 à 17 impairs"]
    assert check["distance_m"].tolist() == pytest.approx([20], abs=0.2)
    assert check["cote"].tolist() == ["intérieur"] and check["nb_adresses"].tolist() == [2]
    assert "Rue Dehors" not in set(lists["voie"])
    # the OPAH-RU is listed apart, « pour information », never as a sector
    opah = lists[lists["secteur_id"] == "test_opah"]
    assert set(opah["categorie"]) == {"pour information"}
    assert set(lists.loc[lists["categorie"] == "secteur d'intervention", "secteur_id"]) == {
        "test_ort"
    }
    assert opah.loc[opah["liste"] == INCLUDED, "voie"].tolist() == [
        "Place <script>alert(1)</script>"
    ]
    # detail: one row per address with a status and a signed distance per sector
    assert len(detail) == len(ROWS)
    by = detail.set_index(["nom_voie", "numero", "rep"])
    assert by.loc[("Rue du Test", 9, ""), "test_ort_statut"] == "dehors"
    assert by.loc[("Rue du Test", 15, ""), "test_ort_statut"] == "limite"
    assert by.loc[("Rue du Test", 15, ""), "test_ort_distance_m"] == pytest.approx(20, abs=0.2)
    assert by.loc[("Rue du Test", 1, ""), "test_opah_statut"] == "dehors"


def test_parcels_from_the_ban_export(ban_fixture, squares):
    ban = load_ban(ban_fixture)
    ban["cad_parcelles"] = ""
    ban.loc[ban["nom_voie"] == "Lieu-dit du Test", "cad_parcelles"] = (
        "62498000AB0012|62498000AB0013"
    )
    lists, _ = address_lists(ban, "2022-01-01", squares)
    row = lists[(lists["secteur_id"] == "test_ort") & (lists["voie"] == "Lieu-dit du Test")]
    assert row["parcelles"].tolist() == ["62498000AB0012, 62498000AB0013"]


def test_band_option_changes_the_limite_list(ban_fixture, squares):
    lists, _ = address_lists(load_ban(ban_fixture), "2022-01-01", squares, band_m=5)
    ort = lists[(lists["secteur_id"] == "test_ort") & (lists["voie"] == "Rue du Test")]
    assert ort["liste"].tolist() == [INCLUDED]  # 20 m inside is now clearly inside
    assert ort["numeros_impairs"].iloc[0] == "1 à 7, 11 à 17"


MAP_FILES = {
    f"{stem}.{ext}" for stem in ("situation", "carte_generale", "zoom_extension")
    for ext in ("html", "png")
}  # fmt: skip


def test_written_lists_csv_html_and_pdf(ban_fixture, squares, tmp_path):
    out = tmp_path / "annexe3"
    res = write_annex(out, date="2022-01-01", catalog=squares, ban=ban_fixture, dpi=30)
    names = {p.name for p in res.files}
    assert names == MAP_FILES | {
        "adresses_par_secteur.csv", "adresses_par_secteur.html", "adresses_detail.csv",
        "annexe3.pdf", "LISEZMOI.txt",
    }  # fmt: skip
    assert names == {p.name for p in out.iterdir()}  # nothing else (no temporary file)
    assert res.n_addresses == len(ROWS)
    raw = (out / "adresses_par_secteur.csv").read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")  # UTF-8 BOM for Excel
    header = raw.decode("utf-8-sig").splitlines()[0]
    assert header.split(";")[:4] == ["categorie", "secteur_id", "secteur", "statut_trace"]
    csv = pd.read_csv(out / "adresses_par_secteur.csv", sep=";", encoding="utf-8-sig", dtype=str)
    assert "1 à 7, 11 à 13" in set(csv["numeros_impairs"])
    page = (out / "adresses_par_secteur.html").read_text(encoding="utf-8")
    assert '<html lang="fr">' in page and "@media print" in page
    assert "<script>alert(1)</script>" not in page
    assert "Place &lt;script&gt;alert(1)&lt;/script&gt;" in page
    assert "À vérifier" in page and "côté intérieur, à 20 m de la limite : n° 15 à 17" in page
    assert INDICATIF_WARNING in page and WATERMARK in page
    assert "Denormandie" in page
    info = page.index("Pour information – autres dispositifs")
    assert page.index("Synthétique test-ort") < info < page.rindex("Synthétique test-opah")
    assert (out / "adresses_detail.csv").read_bytes().startswith(b"\xef\xbb\xbf")
    readme = (out / "LISEZMOI.txt").read_text(encoding="utf-8")
    assert "adresses_par_secteur.csv" in readme and "NON PRODUITE" not in readme
    assert "annexe3.pdf" in readme


def test_annex_csvs_neutralise_formulas(squares, tmp_path):
    rows = [(1, "", '=HYPERLINK("http://x","clic")', IN), (3, "", "+SUM(A1:A9)", IN)]
    ban = write_ban_fixture(tmp_path / "f.csv", rows=rows, extra_commune=False)
    out = write_annex(tmp_path / "a", date="2022-01-01", catalog=squares, ban=ban, dpi=20)
    for name in ("adresses_par_secteur.csv", "adresses_detail.csv"):
        text = (out.folder / name).read_text(encoding="utf-8-sig")
        cells = [c for line in text.splitlines() for c in line.split(";")]
        assert not any(c.lstrip('"').startswith(("=", "+")) for c in cells), name
        assert "'=HYPERLINK" in text and "'+SUM(A1:A9)" in text


def test_a_failure_leaves_no_half_written_folder(squares, tmp_path, monkeypatch):
    import ortgeo.annex.folder as folder

    def broken(*args, **kwargs):
        raise OSError("disk full (simulated)")

    monkeypatch.setattr(folder, "write_pdf", broken)
    with pytest.raises(OSError, match="simulated"):
        write_annex(tmp_path / "a3", date="2022-01-01", catalog=squares, dpi=20)
    assert not (tmp_path / "a3").exists()
    assert list(tmp_path.iterdir()) == []  # no temporary folder left either


def test_bad_ban_source_fails_before_writing(tmp_path):
    with pytest.raises(InputFileError, match="not found"):
        write_annex(tmp_path / "out", ban=tmp_path / "missing.csv.gz", dpi=30)
    assert not (tmp_path / "out").exists()
    other = write_ban_fixture(tmp_path / "loison.csv", rows=[], extra_commune=True)
    with pytest.raises(InputFileError, match="holds no address of 62498"):
        load_ban(other)


# -- the synthetic BAN export (Lens-like streets) and the offline index ------------------------


@pytest.fixture(scope="module")
def synthetic_export(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("ban")
    return write_synthetic_ban_export(folder / "adresses-62.csv.gz", n_rows=3000, seed=3,
                                      extra_citycodes=["62523"])  # fmt: skip


def _expand(text: str, numbers_of_side: list[int]) -> set[int]:
    """Numbers of the BAN covered by a side text such as ``"1 à 7, 11, 15 à 17"``."""
    covered: set[int] = set()
    for part in re.sub(r"\(y c\. [^)]*\)", "", text).split(","):
        nums = [int(v) for v in re.findall(r"\d+", part.split(" et ")[0])]
        if not nums:
            continue
        lo, hi = nums[0], nums[-1]
        covered |= {n for n in numbers_of_side if lo <= n <= hi}
    return covered


def test_synthetic_export_lists_cover_every_address_once(synthetic_export):
    ban = load_ban(synthetic_export)
    lists, detail = address_lists(ban, "2024-06-01")
    assert set(lists["secteur_id"]) <= {s.key for s in sectors(date="2024-06-01")}
    assert lists["liste"].isin([INCLUDED, TO_CHECK]).all()
    for (key, liste), sub in lists.groupby(["secteur_id", "liste"]):
        wanted = "dedans" if liste == INCLUDED else "limite"
        chosen = detail[detail[f"{key}_statut"] == wanted]
        assert sub["nb_adresses"].sum() == len(chosen)
        if liste == TO_CHECK:
            assert sub["numeros"].str.startswith("côté ").all()
            continue
        for row in sub.itertuples():
            street = detail[detail["nom_voie"] == row.voie]
            in_list = chosen[chosen["nom_voie"] == row.voie]
            for parity, text in ((1, row.numeros_impairs), (0, row.numeros_pairs)):
                side = sorted(set(street["numero"][street["numero"] % 2 == parity]))
                expected = set(in_list["numero"][in_list["numero"] % 2 == parity])
                covered = _expand(text if isinstance(text, str) else "", side)
                # every listed range holds only numbers of this list, and all of them
                assert covered == expected, (key, liste, row.voie, text)
            assert (row.numeros == "voie entière") == (len(in_list) == len(street))


def test_index_and_export_give_the_same_lists(synthetic_export, tmp_path):
    index = build_ban_index(synthetic_export, tmp_path / "ban.sqlite", progress=False)
    from_csv, _ = address_lists(load_ban(synthetic_export), "2024-06-01")
    from_index, _ = address_lists(load_ban(index), "2024-06-01")
    key = ["secteur_id", "liste", "voie", "numeros"]
    pd.testing.assert_frame_equal(
        from_csv.sort_values(key).reset_index(drop=True),
        from_index.sort_values(key).reset_index(drop=True),
    )


# -- the folder without BAN, and the command line --------------------------------------------


def test_annex_without_ban_explains_how_to_get_the_list(tmp_path):
    res = write_annex(tmp_path / "a3", date="2024-06-01", dpi=30)
    assert {p.name for p in res.files} == MAP_FILES | {"LISEZMOI.txt", "annexe3.pdf"}
    readme = (tmp_path / "a3" / "LISEZMOI.txt").read_text(encoding="utf-8")
    for text in ("ortgeo ban download 62", "ortgeo ban index", "ortgeo annex -o annexe3/ --ban",
                 "Périmètres en vigueur le 01/06/2024", "Statut des tracés : indicatif",
                 INDICATIF_WARNING, WATERMARK, denormandie_note(annex_state("2024-06-01")),
                 "carte_generale.html",
                 "arrêté préfectoral du 4 août 2019", "MODÈLE de l'annexe 3",
                 "Annexe 3 à l'avenant n° 2 à la convention-cadre Action cœur de ville de Lens",
                 "POUR INFORMATION"):  # fmt: skip
        assert text in readme, text
    assert "tout le territoire de la commune de Lens" in readme


def test_default_annex_on_2027_01_15_draws_both_sectors(tmp_path, monkeypatch):
    import ortgeo.dates

    # the day after the ACV period of the avenant n° 2 (2026-12-31)
    monkeypatch.setattr(ortgeo.dates, "today", lambda: dt.date(2027, 1, 15))
    from ortgeo.maps.scene import build_scene

    sector_ids = [x.id for x in ortgeo.catalog().sectors]
    for kind in ("situation", "general", "zoom-extension"):
        scene = build_scene(kind)
        assert [x.layer.id for x in scene.sectors] == sector_ids
        assert "non en vigueur" not in scene.title
    # The same day asked explicitly: the entrée de ville sector has no end, it is still drawn.
    dated = build_scene("zoom-extension", date="2027-01-15")
    assert [x.layer.id for x in dated.sectors] == sector_ids
    res = write_annex(tmp_path / "a3", dpi=20)
    readme = (tmp_path / "a3" / "LISEZMOI.txt").read_text(encoding="utf-8")
    assert res.avenant and "définis par l'avenant n° 2" in readme
    for name in ("Centre-ville de Lens", "Entrée de ville – Lens/Loison-sous-Lens"):
        assert f"- {name}" in readme


def test_addresses_of_every_commune_a_sector_reaches(tmp_path):
    """A SYNTHETIC extension reaching into Loison-sous-Lens (62523): its addresses are listed."""
    import shapely

    from ortgeo.maps._state import annex_state

    cat = ortgeo.catalog()
    ext = next(x for x in cat.sectors if x.includes_centre_ville is False)
    from ortgeo.communes import commune_outlines

    loison = commune_outlines().query("code == '62523'").geometry.iloc[0]
    reach = shapely.union_all([ext.geometry, loison.intersection(ext.geometry.buffer(0.01))])
    path = tmp_path / "ext.gpkg"
    import geopandas as gpd

    gpd.GeoDataFrame(geometry=[reach], crs=4326).to_file(path)
    cat = cat.replace(ext.id, path, status="indicatif", accuracy_m=300)
    state = annex_state(catalog=cat)
    sector = next(x for x in state.sectors if x.layer.includes_centre_ville is False)
    assert "62523" in sector.communes and "62523" in state.address_communes
    export = write_synthetic_ban_export(tmp_path / "adresses-62.csv.gz", n_rows=3000, seed=5,
                                        extra_citycodes=["62523"])  # fmt: skip
    res = write_annex(tmp_path / "a3", catalog=cat, ban=export, dpi=20)
    lists = pd.read_csv(res.folder / "adresses_par_secteur.csv", sep=";", dtype=str,
                        encoding="utf-8-sig")  # fmt: skip
    key = layer_key(ext.id)
    in_loison = lists[(lists["secteur_id"] == key) & (lists["code_insee"] == "62523")]
    assert len(in_loison) > 0 and set(in_loison["commune"]) == {"Loison-sous-Lens"}
    detail = pd.read_csv(res.folder / "adresses_detail.csv", sep=";", dtype=str,
                         encoding="utf-8-sig")  # fmt: skip
    assert {"62498", "62523"} <= set(detail["code_insee"])


def official_catalog(folder: Path) -> ortgeo.Catalog:
    """The bundled catalogue with every layer replaced by a file marked official."""
    cat = ortgeo.catalog()
    for layer_id in cat.ids:
        path = folder / f"{layer_id}.gpkg"
        ortgeo.perimeters().query("id == @layer_id").to_crs(2154).to_file(path)
        cat = cat.replace(
            layer_id,
            path,
            status="officiel",
            plan_act="avenant-2",
            supplier="Ville de Lens (synthétique)",
            supplied_on="2025-01-15",
        )
    return cat


def test_readme_official_catalogue_has_no_warning(tmp_path):
    cat = official_catalog(tmp_path)
    res = write_annex(tmp_path / "a3", date="2024-06-01", catalog=cat, dpi=30)
    assert res.status == "officiel"
    readme = (tmp_path / "a3" / "LISEZMOI.txt").read_text(encoding="utf-8")
    assert "Statut des tracés : officiel" in readme
    assert INDICATIF_WARNING not in readme and WATERMARK not in readme


@pytest.fixture
def run():
    runner = CliRunner()
    return lambda *args: runner.invoke(main, [str(a) for a in args], catch_exceptions=False)


def test_cli_annex_without_ban(run, tmp_path):
    res = run("annex", "-o", tmp_path / "a3", "--date", "2024-06-01", "--dpi", "40")
    assert res.exit_code == 0, res.output
    assert "carte_generale.png" in res.output and "No --ban source" in res.output
    from PIL import Image

    with Image.open(tmp_path / "a3" / "carte_generale.png") as img:
        assert img.size == (round(297 / 25.4 * 40), round(210 / 25.4 * 40))


def test_cli_annex_with_ban_export_and_index(run, tmp_path, synthetic_export):
    res = run("annex", "-o", tmp_path / "a", "--date", "2024-06-01", "--dpi", "30",
              "--ban", synthetic_export, "--size", "a3", "--no-tiles")  # fmt: skip
    assert res.exit_code == 0, res.output
    assert "adresses_par_secteur.csv" in res.output
    csv = pd.read_csv(tmp_path / "a" / "adresses_par_secteur.csv", sep=";", encoding="utf-8-sig")
    kinds = {layer_key(x.id): x.kind for x in ortgeo.catalog()}
    assert {kinds[k] for k in set(csv["secteur_id"])} == {"ort-sector", "opah-ru"}
    html = (tmp_path / "a" / "carte_generale.html").read_text(encoding="utf-8")
    assert "tile.openstreetmap.org" not in html  # --no-tiles
    index = build_ban_index(synthetic_export, tmp_path / "ban.sqlite", progress=False)
    res = run("annex", "-o", tmp_path / "b", "--date", "2024-06-01", "--dpi", "30",
              "--ban", index)  # fmt: skip
    assert res.exit_code == 0, res.output
    page = (tmp_path / "b" / "adresses_par_secteur.html").read_text(encoding="utf-8")
    assert "index ban.sqlite construit le" in page and "adresses-62.csv.gz" in page
    again = pd.read_csv(tmp_path / "b" / "adresses_par_secteur.csv", sep=";", encoding="utf-8-sig")
    assert np.array_equal(again["nb_adresses"].sort_values(), csv["nb_adresses"].sort_values())


def test_cli_annex_with_communes(run, tmp_path, reference):
    communes = reference / "communes" / "communes_lens_and_neighbours_from_france-geojson.geojson"
    res = run("annex", "-o", tmp_path / "a", "--date", "2024-06-01", "--dpi", "30",
              "--communes", communes)  # fmt: skip
    assert res.exit_code == 0, res.output
    html = (tmp_path / "a" / "carte_generale.html").read_text(encoding="utf-8")
    assert "Loison-sous-Lens" in html and "Limites communales" in html
    readme = (tmp_path / "a" / "LISEZMOI.txt").read_text(encoding="utf-8")
    assert "communes_lens_and_neighbours_from_france-geojson.geojson" in readme


def test_cli_annex_user_errors(run, tmp_path):
    res = CliRunner().invoke(main, ["annex", "-o", str(tmp_path / "x"),
                                    "--ban", str(tmp_path / "nope.csv")])  # fmt: skip
    assert res.exit_code == 2
    assert "Error: BAN export not found" in res.output
    (tmp_path / "file").write_text("x")
    res = CliRunner().invoke(main, ["annex", "-o", str(tmp_path / "file")])
    assert res.exit_code == 2
    res = CliRunner().invoke(main, ["annex", "-o", str(tmp_path / "y"), "--date", "2024-13-01"])
    assert res.exit_code == 2 and "Error: Invalid date" in res.output


def test_cli_annex_unwritable_output_is_refused_before_any_work(tmp_path):
    (tmp_path / "file").write_text("x")
    res = CliRunner().invoke(main, ["annex", "-o", str(tmp_path / "file" / "a3"),
                                    "--ban", str(tmp_path / "nope.csv")])  # fmt: skip
    assert res.exit_code == 2 and len(res.output.strip().splitlines()) == 1
    assert "Error: Cannot create" in res.output and "is not a folder" in res.output


def test_cli_annex_dpi_5000_is_refused_with_a_clear_message(tmp_path):
    res = CliRunner().invoke(main, ["annex", "-o", str(tmp_path / "a3"), "--dpi", "5000"])
    assert res.exit_code == 2 and len(res.output.strip().splitlines()) == 1
    assert "--dpi 5000 on A4" in res.output and "Use a lower --dpi" in res.output
    assert not (tmp_path / "a3").exists()
    res = CliRunner().invoke(main, ["annex", "-o", str(tmp_path / "a3"), "--dpi", "500",
                                    "--size", "a3"])  # fmt: skip
    assert res.exit_code == 2 and "A3 up to" in res.output


def test_synthetic_addresses_are_never_called_the_ban(tmp_path, synthetic_export):
    """An annex built on SYNTHETIC test addresses says so; a real-looking source says BAN."""
    index = build_ban_index(synthetic_export, tmp_path / "ban.sqlite", progress=False)
    for source in (synthetic_export, index):
        out = ortgeo.write_annex(
            tmp_path / f"a_{source.suffix}", date="2024-06-01", ban=source, dpi=20
        )
        readme = (out.folder / "LISEZMOI.txt").read_text(encoding="utf-8")
        page = (out.folder / "adresses_par_secteur.html").read_text(encoding="utf-8")
        assert "ADRESSES SYNTHÉTIQUES" in readme and "ADRESSES SYNTHÉTIQUES" in page
        assert "Adresses : Base Adresse Nationale" not in readme
    # The same rows with the source fields a real export carries: cited as the BAN.
    real_like = pd.read_csv(synthetic_export, sep=";", dtype=str, keep_default_na=False)
    real_like["source_position"] = "commune"
    real_like["source_nom_voie"] = "commune"
    path = tmp_path / "adresses-62.csv"
    real_like.to_csv(path, sep=";", index=False)
    out = ortgeo.write_annex(tmp_path / "b", date="2024-06-01", ban=path, dpi=20)
    readme = (out.folder / "LISEZMOI.txt").read_text(encoding="utf-8")
    assert "- Adresses : Base Adresse Nationale (fichier adresses-62.csv" in readme
    assert "SYNTHÉTIQUES" not in readme


# -- annexe3.pdf -------------------------------------------------------------------------------


def test_pdf_pages_numbered_with_cartouche_and_embedded_fonts(ban_fixture, squares, tmp_path):
    from pypdf import PdfReader

    res = write_annex(tmp_path / "a3", date="2022-01-01", catalog=squares, ban=ban_fixture, dpi=20)
    reader = PdfReader(res.folder / "annexe3.pdf")
    assert len(reader.pages) == res.pages >= 4  # three maps, then the list
    texts = [" ".join(page.extract_text().split()) for page in reader.pages]
    for number, text in enumerate(texts, start=1):
        assert f"Page {number} / {len(texts)}" in text
        assert "Annexe 3 à l'avenant n° 2 à la convention-cadre" in text  # the cartouche
    assert texts[0].startswith("Situation des secteurs d'intervention") or (
        "Situation des secteurs d'intervention" in texts[0]
    )
    assert "Liste des adresses incluses" in texts[3] and "Rue du Test" in texts[3]
    assert "À vérifier" in texts[3]
    sizes = [(float(p.mediabox.width), float(p.mediabox.height)) for p in reader.pages]
    assert sizes[:3] == [pytest.approx((842, 595), abs=1.5)] * 3  # A4 landscape maps
    assert sizes[3:] == [pytest.approx((595, 842), abs=1.5)] * (len(sizes) - 3)  # A4 portrait
    fonts = pdffonts(res.folder / "annexe3.pdf")
    assert fonts and all(row[-5] == "yes" for row in fonts), fonts  # the "emb" column


def test_pdf_without_ban_says_why_and_a3_option(tmp_path):
    from pypdf import PdfReader

    res = write_annex(tmp_path / "a3", size="a3", dpi=20)
    reader = PdfReader(res.folder / "annexe3.pdf")
    assert len(reader.pages) == 4
    last = " ".join(reader.pages[-1].extract_text().split())
    assert "Liste des adresses non produite" in last
    assert float(reader.pages[0].mediabox.width) == pytest.approx(1191, abs=1.5)  # A3


def test_list_layout_keeps_every_row_and_repeats_the_table_head():
    from ortgeo.annex.pdf import ListLayout

    part = {
        "category": "secteur d'intervention", "title": "Synthétique", "legend": "légende",
        "act": "acte", "communes": "62498 Lens", "acts": "actes", "n_included": 300,
        "n_check": 0, "check": [],
        "included": [
            {"commune": "Lens", "voie": f"Rue {i}", "numeros": "n° 1 à 9 impairs " * (i % 4),
             "parcelles": "", "nb_adresses": 1}
            for i in range(300)
        ],
    }  # fmt: skip
    layout = ListLayout("a4").add([part])
    texts = [t[4] for page in layout.pages for t in page]
    assert len(layout.pages) > 2
    assert [f"Rue {i}" for i in range(300)] == [t for t in texts if t.startswith("Rue ")]
    for page in layout.pages[1:]:  # each continuation page starts with the bold head
        assert [t[4] for t in page[:4]] == ["Commune", "Voie", "Numéros", "Adr."]
        assert all(t[2] for t in page[:4])
    bottom = (1 - 0.215) * layout.height
    assert max(t[1] for page in layout.pages for t in page) <= bottom


def test_cli_annex_says_each_step_on_stderr_unless_quiet(tmp_path, synthetic_export):
    res = CliRunner().invoke(main, ["annex", "-o", str(tmp_path / "a"), "--dpi", "30",
                                    "--ban", str(synthetic_export)])  # fmt: skip
    assert res.exit_code == 0, res.output
    steps = [line for line in res.stderr.splitlines() if line.startswith("ortgeo annex : ")]
    assert [s.split(" : ")[1].split(" ")[0] for s in steps] == [
        "Lecture", "Carte", "Carte", "Carte", "Listes", "Document",
    ]  # fmt: skip
    assert "Carte 1/3 « Situation des secteurs d'intervention" in steps[1]
    assert "annexe3.pdf" in steps[-1]
    assert "Annex 3" in res.stdout and "ortgeo annex :" not in res.stdout
    quiet = CliRunner().invoke(main, ["annex", "-o", str(tmp_path / "b"), "--dpi", "30", "-q"])
    assert quiet.exit_code == 0, quiet.output
    assert "ortgeo annex :" not in quiet.stderr


def test_cli_annex_basemap_from_a_local_tile_server(tmp_path, monkeypatch):
    from tile_server import TileHandler, running_tile_server

    monkeypatch.setenv("ORTGEO_CACHE_DIR", str(tmp_path / "cache"))
    TileHandler.requests.clear()
    with running_tile_server() as url:
        res = CliRunner().invoke(main, ["annex", "-o", str(tmp_path / "a"), "--dpi", "30",
                                        "--basemap", url, "-q"])  # fmt: skip
    assert res.exit_code == 0, res.output
    assert TileHandler.requests  # the print maps fetched tiles
    host = url.split("/")[2]
    html = (tmp_path / "a" / "carte_generale.html").read_text(encoding="utf-8")
    assert url in html and f"tuiles de {host}" in html  # shown at once, credited
    readme_ok = (tmp_path / "a" / "annexe3.pdf").read_bytes().startswith(b"%PDF")
    assert readme_ok
    bad = CliRunner().invoke(main, ["annex", "-o", str(tmp_path / "b"), "--basemap", "Nope.Plan"])
    assert bad.exit_code == 2 and "Fond de carte inconnu" in bad.stderr
    assert not (tmp_path / "b").exists()  # refused before any work


def test_annex_on_two_processes_writes_the_same_files(tmp_path):
    """The forked helper (HTML maps, two PNGs) changes no file: the same PNG bytes, the
    same PDF pages and fonts as everything done in one process."""
    one = write_annex(tmp_path / "one", date="2024-06-01", dpi=30, workers=1)
    two = write_annex(tmp_path / "two", date="2024-06-01", dpi=30, workers=2)
    assert [p.name for p in one.files] == [p.name for p in two.files]
    for path in one.files:
        other = tmp_path / "two" / path.name
        if path.suffix in (".png", ".txt"):
            assert path.read_bytes() == other.read_bytes(), path.name
    assert one.pages == two.pages
    assert pdffonts(tmp_path / "one" / "annexe3.pdf") == pdffonts(tmp_path / "two" / "annexe3.pdf")


def test_annex_error_in_the_helper_process_writes_nothing(tmp_path, monkeypatch):
    import ortgeo.annex.folder as folder

    def broken(*args, **kwargs):
        raise InputFileError("carte HTML impossible")

    monkeypatch.setattr(folder, "_write_html", broken)
    with pytest.raises(InputFileError, match="carte HTML impossible"):
        write_annex(tmp_path / "a3", dpi=20, workers=2)
    assert not (tmp_path / "a3").exists() or not any((tmp_path / "a3").iterdir())
