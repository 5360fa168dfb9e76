"""`ortgeo perimeters list|export` through click's CliRunner, and its bad input.

Files are written in ``tmp_path``: exports of the bundled (indicative) layers; user
catalogues are the SYNTHETIC square catalogue of ``tests/synthetic_catalog.py`` (format 2,
or version 1 for the upgrade warning), with one
layer pointed at a SYNTHETIC bad file (``BAD_FILES`` of ``test_io.py``: garbage ``.gpkg``,
truncated ``.geojson``, points only, Shapefile without ``.prj``) where a test needs it.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import geopandas as gpd
import pytest
from click.testing import CliRunner, Result
from synthetic_catalog import write_catalog, write_catalog_v1
from test_catalog import edit_catalog
from test_io import BAD_FILES, SHP_TRUNCATION, write_shapefile_without_prj

from ortgeo import catalog, perimeters
from ortgeo.cli import main
from ortgeo.crs import L93
from ortgeo.errors import OrtgeoError

ORT, EXT, OPAH = "lens-centre-ville", "lens-entree-de-ville", "call-opah-ru-coeur-de-ville"
IDS = [ORT, EXT, OPAH]
REVIEW = "Warning: the ACV period of the sectors' amendment ended; check with the CALL"


def run(*args: str | Path) -> Result:
    return CliRunner().invoke(main, [str(a) for a in args])


def assert_clean_error(res: Result, *fragments: str) -> None:
    """Exit status 2, one "Error: ..." message on stderr, no traceback."""
    assert res.exit_code == 2, res.output
    assert res.stderr.startswith("Error: ")
    assert "Traceback" not in res.output
    assert isinstance(res.exception, SystemExit)
    for fragment in fragments:
        assert fragment in res.stderr


# -- list ------------------------------------------------------------------------------
KNOWN_IDS = (*IDS, "test-ort", "test-ext", "test-opah")


def rows(stdout: str) -> dict[str, list[str]]:
    """The table's cells, by layer id (first column), from rich's box drawing.

    A first cell cut by rich (``call-opah-ru-coeur-d…``) is matched to its id here;
    :func:`test_list_prints_whole_ids` checks that ids are never cut.
    """
    out = {}
    for line in stdout.splitlines():
        cells = [c.strip() for c in line.strip("│ ").split("│")]
        first = cells[0].removesuffix("…")
        ids = [i for i in KNOWN_IDS if i == first or (first != cells[0] and i.startswith(first))]
        if first and len(ids) == 1:
            out[ids[0]] = cells
    return out


@pytest.mark.parametrize("args", [[], ["--date", "2022-01-01"], ["--date", "2024-06-01"]])
def test_list_prints_whole_ids(args: list[str]) -> None:
    """An id is what --layer takes: the table never cuts it."""
    res = run("perimeters", "list", *args)
    assert res.exit_code == 0
    first_cells = {line.strip("│ ").split("│")[0].strip() for line in res.stdout.splitlines()}
    assert OPAH in first_cells


def test_list_all_layers() -> None:
    res = run("perimeters", "list")
    assert res.exit_code == 0
    table = rows(res.stdout)
    assert list(table) == IDS
    assert "Perimeters" in res.stdout
    assert table[ORT][1:5] == ["Centre-ville de Lens", "ort-sector", "2019-08-04", "—"]
    assert table[EXT][2:5] == ["ort-sector", "2023-12-06 (≥)", "—"]  # not before, no end
    assert table[OPAH][2:4] == ["opah-ru", "2021-07-01 (~)"]
    assert "2026-06-30" in table[OPAH][4]
    assert "2026-12-31" not in res.stdout  # the end of the ACV period ends no sector
    assert "(≥) not before that date, exact date unknown; (~) approximate" in res.stdout
    assert "Note: 'indicatif' layers were digitized by ortgeo" in res.stdout
    assert table[ORT][-1] == f"{catalog()[ORT].area_ha:.1f}"
    assert "timing" not in res.stdout  # only with --date
    assert REVIEW not in res.stdout


def test_list_marks_an_approximate_end() -> None:
    """The OPAH-RU ends about 2026-06-30: the table marks it as it marks the start."""
    res = run("perimeters", "list")
    assert rows(res.stdout)[OPAH][4] == "2026-06-30 (~)"


@pytest.mark.parametrize(
    ("day", "heading", "timings"),
    [
        ("2021-05-30", "30/05/2021", {ORT: "en-vigueur"}),
        ("2021-05-31", "31/05/2021", {ORT: "en-vigueur", OPAH: "incertain"}),
        ("2022-01-01", "01/01/2022", {ORT: "en-vigueur", OPAH: "en-vigueur"}),
        ("2023-12-05", "05/12/2023", {ORT: "en-vigueur", OPAH: "en-vigueur"}),
        ("2023-12-06", "06/12/2023", {ORT: "en-vigueur", EXT: "incertain", OPAH: "en-vigueur"}),
        ("2026-12-31", "31/12/2026", {ORT: "en-vigueur", EXT: "incertain"}),
        ("2027-01-01", "01/01/2027", {ORT: "en-vigueur", EXT: "incertain"}),
    ],
)
def test_list_on_a_date(day: str, heading: str, timings: dict[str, str]) -> None:
    res = run("perimeters", "list", "--date", day)
    assert res.exit_code == 0
    assert f"Perimeters in force on {heading}" in res.stdout
    table = rows(res.stdout)
    assert list(table) == list(timings)
    assert {i: cells[3] for i, cells in table.items()} == timings  # the timing column
    assert "No ORT sector" not in res.output
    assert (REVIEW in res.stdout) is (day >= "2027-01-01")


def test_list_on_2027_01_15_keeps_both_sectors_and_warns_to_check() -> None:
    res = run("perimeters", "list", "--date", "2027-01-15")
    assert res.exit_code == 0
    assert "Perimeters in force on 15/01/2027" in res.stdout
    table = rows(res.stdout)
    assert list(table) == [ORT, EXT]  # the OPAH-RU ended about 2026-06-30
    assert [table[ORT][3], table[EXT][3]] == ["en-vigueur", "incertain"]
    assert table[EXT][5] == "—"
    assert REVIEW in res.stdout
    assert "the ORT convention is still in force (sectors are kept)" in res.stdout
    assert "No ORT sector" not in res.output


def test_list_before_the_ort() -> None:
    res = run("perimeters", "list", "--date", "2019-08-03")
    assert res.exit_code == 0
    assert "No ORT sector in force on 2019-08-03: the ORT starts on 2019-08-04" in res.stdout
    assert "arrêté préfectoral du 4 août 2019" in res.stdout
    assert not [i for i in IDS if i in res.stdout]


def test_list_a_user_catalogue(tmp_path: Path) -> None:
    res = run("perimeters", "list", "--catalog", write_catalog(tmp_path))
    assert res.exit_code == 0
    for layer_id in ("test-ort", "test-ext", "test-opah"):
        assert layer_id in res.stdout
    assert ORT not in res.stdout
    assert rows(res.stdout)["test-ort"][-1] == "100.0"  # a 1 km square
    assert rows(res.stdout)["test-ext"][3] == "2023-12-06 (≥)"


def test_list_a_version_1_catalogue_warns_how_to_upgrade(tmp_path: Path) -> None:
    res = run("perimeters", "list", "--catalog", write_catalog_v1(tmp_path), "--date", "2024-01-01")
    assert res.exit_code == 0
    assert "Warning: catalog.toml is a version-1 catalogue" in res.stderr
    assert "Upgrade it to format 2 (format = 2, [[act]], [[sector]], [[dispositif]]" in res.stderr
    assert list(rows(res.stdout)) == ["test-ort", "test-ext", "test-opah"]


def test_list_an_official_catalogue_has_no_indicative_note(tmp_path: Path) -> None:
    path = write_catalog(tmp_path)
    official = (
        '"officiel"\nplan_act = "test-arrete"\nsupplier = "Ville"\nsupplied_on = "2025-01-15"'
    )
    path.write_text(path.read_text().replace('"indicatif"', official), encoding="utf-8")
    res = run("perimeters", "list", "--catalog", path)
    assert res.exit_code == 0
    assert "officiel" in res.stdout
    assert "Note:" not in res.stdout


def test_warnings_are_shown_without_failing(tmp_path: Path) -> None:
    write_shapefile_without_prj(tmp_path)  # Lambert-93 coordinates, declared CC50 below
    path = edit_catalog(
        tmp_path,
        'id = "test-ort"\nfile = "test-ort.gpkg"',
        'id = "test-ort"\nfile = "ort_sans_prj.shp"\ncrs = "EPSG:3950"',
    )
    res = run("perimeters", "list", "--catalog", path)
    assert res.exit_code == 0
    assert "Warning: ort_sans_prj.shp lies" in res.stderr
    assert "km from Lens once read as EPSG:3950" in res.stderr


# -- export ----------------------------------------------------------------------------
@pytest.mark.filterwarnings(*SHP_TRUNCATION)
@pytest.mark.parametrize("suffix", [".gpkg", ".geojson", ".shp"])
@pytest.mark.parametrize("crs", [None, "2154", "EPSG:2154"])
def test_export(tmp_path: Path, suffix: str, crs: str | None) -> None:
    out = tmp_path / f"perimetres{suffix}"
    res = run("perimeters", "export", "-o", out, *(["--crs", crs] if crs else []))
    assert res.exit_code == 0, res.output
    epsg = 2154 if crs else 4326
    assert f"Wrote 3 layer(s) to {out}" in res.stdout
    assert ("in EPSG:2154" in res.stdout) is bool(crs)
    back = gpd.read_file(out)
    assert back.crs.to_epsg() == epsg
    assert back["id"].tolist() == IDS
    assert back.is_valid.all()
    for got, want in zip(back.to_crs(L93).area, perimeters().to_crs(L93).area, strict=True):
        assert got == pytest.approx(want, rel=1e-4)


def test_export_shapefile_announces_truncated_notes(tmp_path: Path) -> None:
    res = run("perimeters", "export", "-o", tmp_path / "p.shp")
    assert res.exit_code == 0
    assert "Warning: p.shp: a Shapefile holds at most 254 bytes" in res.stderr


@pytest.mark.parametrize(
    ("args", "ids"),
    [
        (["--date", "2022-01-01"], [ORT, OPAH]),
        (["--date", "2027-01-15"], [ORT, EXT]),  # the extension is still there
        (["--layer", OPAH], [OPAH]),
        (["--layer", OPAH, "--layer", ORT, "--layer", ORT], [OPAH, ORT]),  # as asked, once each
        (["--layer", OPAH, "--date", "2027-01-01"], []),
    ],
)
def test_export_a_selection(tmp_path: Path, args: list[str], ids: list[str]) -> None:
    out = tmp_path / "selection.gpkg"
    res = run("perimeters", "export", "-o", out, *args)
    assert res.exit_code == 0, res.output
    assert f"Wrote {len(ids)} layer(s)" in res.stdout
    assert gpd.read_file(out)["id"].tolist() == ids


def test_export_a_user_catalogue(tmp_path: Path) -> None:
    out = tmp_path / "carres.geojson"
    res = run("perimeters", "export", "-o", out, "--catalog", write_catalog(tmp_path))
    assert res.exit_code == 0
    back = gpd.read_file(out)
    assert back["id"].tolist() == ["test-ort", "test-ext", "test-opah"]
    assert back.to_crs(L93).area.round().tolist() == [1_000_000.0, 500_000.0, 160_000.0]


# -- bad input -------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("args", "fragments"),
    [
        (["list", "--date", "2024-13-01"], ["Invalid date '2024-13-01'", "YYYY-MM-DD"]),
        (["export", "-o", "{tmp}/p.gpkg", "--date", "hier"], ["Invalid date 'hier'"]),
        (["list", "--catalog", "{tmp}/absent.toml"], ["Catalogue file not found"]),
        (
            ["export", "-o", "{tmp}/p.gpkg", "--layer", "nope"],
            ["Unknown layer id 'nope'", "Known layers: " + ", ".join(IDS)],
        ),
        (["export", "-o", "{tmp}/absent/p.gpkg"], ["folder", "absent does not exist"]),
        (["export", "-o", "{tmp}/p.xyz"], ["p.xyz: use a name ending in", ".gpkg"]),
        (["export", "-o", "{tmp}/p.gpkg", "--crs", "Lambert93"], ["not a coordinate reference"]),
    ],
)
def test_bad_arguments(tmp_path: Path, args: list[str], fragments: list[str]) -> None:
    res = run("perimeters", *(a.format(tmp=tmp_path) for a in args))
    assert_clean_error(res, *fragments)
    assert not list(tmp_path.glob("p.*"))  # nothing written


@pytest.mark.parametrize(("make", "error", "fragments"), BAD_FILES)
@pytest.mark.parametrize("command", ["list", "export"])
def test_bad_files_in_a_user_catalogue(
    tmp_path: Path,
    command: str,
    make: Callable[[Path], Path],
    error: type[OrtgeoError],
    fragments: list[str],
) -> None:
    bad = make(tmp_path)
    path = edit_catalog(tmp_path, 'file = "test-ort.gpkg"', f'file = "{bad.name}"')
    args = ["-o", tmp_path / "p.gpkg"] if command == "export" else []
    res = run("perimeters", command, "--catalog", path, *args)
    assert_clean_error(res, "catalog.toml", *fragments)
    assert not (tmp_path / "p.gpkg").exists()
