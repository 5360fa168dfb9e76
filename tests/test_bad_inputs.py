"""The table of bad inputs and faults: one parametrised test per family, one row per case.

Every bug found in a bad input or a fault becomes a row here, so the corpus grows with the
bugs. Families: input files of ``batch`` (what each becomes, or the message refusing it),
tables given to the library, output paths (every writer refuses them before any work,
in one line, and never leaves a half-written file), exit statuses of ``ortgeo batch``,
perimeter files with impossible coordinates, strict JSON from ``check --json``; then
(issue 19) ``ortgeo locate`` (the streaming reader, locks, outputs), ``cadastre download``
and cadastre files, ``.xlsx`` workbooks, the leftovers of ``batch``, the web service and
``ortgeo serve``, the smaller ones (``check --band``, ``stats --chart``, ``map --streets``,
coordinates as text, GDAL's object-size limit), and every command's outputs through the
one output layer (:func:`test_every_command_declares_its_outputs` lists the commands).
Every input is SYNTHETIC; geocoding runs on an index built from a synthetic BAN export,
or on the fake BAN API on 127.0.0.1 (``ban_server.py``), which counts its requests.
"""

from __future__ import annotations

import errno
import json
import os
import stat
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import click
import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
import shapely
from ban_server import ban_server  # noqa: F401
from click.testing import CliRunner

import ortgeo
from ortgeo.batch import check_addresses, write_report
from ortgeo.cli import main
from ortgeo.cli.batch import EXIT_ALL_FAILED, EXIT_SOME_FAILED
from ortgeo.cli.options import finite_json
from ortgeo.crs import L93
from ortgeo.errors import InputFileError, OutputFileError, PerimeterFileError
from ortgeo.geocoders import BanLocalGeocoder, build_ban_index
from ortgeo.io import read_perimeter, write_perimeters
from ortgeo.table import PROBLEM_COLUMN, load_table
from ortgeo.testing import write_synthetic_ban_export

DATE = "2024-06-01"
FOUND = "1 rue de la Gare, 62300 Lens"  # in the synthetic export: a house number, inside
FOUND_2 = "3 rue de la Gare Lens"
NOT_FOUND = "12 rue des Lilas Lens"  # no such street in the synthetic export


@pytest.fixture(scope="module")
def local(tmp_path_factory: pytest.TempPathFactory) -> BanLocalGeocoder:
    tmp = tmp_path_factory.mktemp("ban")
    csv = write_synthetic_ban_export(tmp / "adresses-62.csv.gz", n_rows=3000, seed=2)
    return BanLocalGeocoder(build_ban_index(csv, tmp / "ban.sqlite", progress=False))


def assert_one_clean_line(message: str) -> None:
    """A user-facing message: one line, printable, no raw bytes, no traceback."""
    assert "\n" not in message.strip(), message
    assert "Traceback" not in message
    assert "\\x" not in message and "b'" not in message, message
    assert all(unicodedata.category(c)[0] != "C" for c in message.strip()), repr(message)


# -- family 1: input files of `ortgeo batch` -------------------------------------------------


def xlsx(rows: list[list[object]]) -> bytes:
    """A SYNTHETIC Excel workbook holding ``rows`` on its first sheet."""
    import io

    from openpyxl import Workbook

    book = Workbook()
    for row in rows:
        book.active.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


@dataclass(frozen=True)
class Read:
    """The file is read: these addresses, in order; malformed rows flagged, not geocoded."""

    addresses: list[str]
    malformed: list[bool]
    kwargs: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class Refused:
    """The file is refused (exit 2) with a message holding every fragment."""

    fragments: list[str]
    kwargs: dict[str, str] = field(default_factory=dict)


INPUT_FILES: dict[str, tuple[str, bytes, Read | Refused]] = {
    # issue 9: a trailing separator made pandas take the first column as the index
    "trailing separator": (
        "a.csv", f"id;adresse\n1;{FOUND};\n2;{FOUND_2};\n".encode(),
        Read([FOUND, FOUND_2], [False, False]),
    ),
    "extra non-empty field": (
        "a.csv", f"id;adresse\n1;{FOUND_2};Lens\n2;{FOUND}\n".encode(),
        Read([FOUND_2, FOUND], [True, False]),
    ),
    "missing field": (
        "a.csv", f"id;adresse;cp\n1;{FOUND_2}\n2;{FOUND};62300\n".encode(),
        Read([FOUND_2, FOUND], [True, False]),
    ),
    "quoted separator": (
        "a.csv", f'id;adresse\n1;"{FOUND_2}; bât. B"\n'.encode(),
        Read([f"{FOUND_2}; bât. B"], [False]),
    ),
    "empty lines are empty rows, in place": (
        "a.csv", f"\nid;adresse\n\n1;{FOUND}\n;\n2;{FOUND_2}\n\n\n".encode(),
        Read(["", FOUND, "", FOUND_2], [False, False, False, False]),
    ),
    "one column, empty addresses": (
        "a.csv", f"adresse\n{FOUND}\n\n{FOUND_2}\n".encode(),
        Read([FOUND, "", FOUND_2], [False] * 3),
    ),
    "cp1252 with CRLF": (
        "a.csv", "id;adresse\r\n1;17 Boulevard Émile Basly Lens\r\n".encode("cp1252"),
        Read(["17 Boulevard Émile Basly Lens"], [False]),
    ),
    "UTF-16 with --encoding utf-16": (
        "a.txt", f"id\tadresse\n1\t{FOUND}\n".encode("utf-16"),
        Read([FOUND], [False], {"encoding": "utf-16"}),
    ),
    "xlsx workbook": (
        "a.xlsx", xlsx([["id", "adresse", "cp"], [1, FOUND, 62300], [2, None, 62300.0]]),
        Read([FOUND, ""], [False, False]),
    ),
    "xlsx workbook named .csv": (
        "a.csv", xlsx([["adresse"], [FOUND]]), Read([FOUND], [False]),
    ),
    # issue 9: IndexError
    "header only": ("a.csv", b"id;adresse\n", Refused(["header line", "no data row"])),
    "header only, BOM and CRLF": (
        "a.csv", b"\xef\xbb\xbfid;adresse\r\n\r\n", Refused(["'id', 'adresse'", "no data row"]),
    ),
    "empty file": ("a.csv", b"", Refused(["is empty"])),
    # issue 9: raw bytes in the messages
    "UTF-16 with BOM": (
        "a.csv", f"id\tadresse\n1\t{FOUND}\n".encode("utf-16"),
        Refused(["looks like UTF-16", "re-save it as CSV UTF-8", "--encoding utf-16"]),
    ),
    "UTF-16-LE without BOM": (
        "a.csv", f"id;adresse\n1;{FOUND}\n".encode("utf-16-le"),
        Refused(["looks like UTF-16", "--encoding utf-16"]),
    ),
    "no header line": (
        "a.csv", f"{FOUND};62300\n{FOUND_2};62300\n".encode(),
        Refused(["no header line", "looks like an address", "id;adresse"]),
    ),
    "binary garbage": (
        "a.csv", bytes(range(256)) * 8, Refused(["not a table of addresses", "binary data"]),
    ),
    "PDF": ("a.csv", b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj\n", Refused(["a PDF document"])),
    "old .xls": (
        "a.xls", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 512,
        Refused([".xls spreadsheet", "CSV UTF-8"]),
    ),
    "old .xls named .csv": (
        "a.csv", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 512,
        Refused(["old Excel 97-2003 workbook"]),
    ),
    "gzip": ("a.csv", b"\x1f\x8b\x08\x00" + bytes(64), Refused(["gzip-compressed"])),
    "damaged xlsx": (
        "a.xlsx", b"PK\x03\x04" + b"\x00" * 64, Refused(["Cannot read a.xlsx as an Excel"]),
    ),
    "wrong --encoding": (
        "a.csv", "adresse\n1 rue Émile Zola\n".encode("cp1252"),
        Refused(["not valid utf-8", "--encoding"], {"encoding": "utf-8"}),
    ),
    "unknown --encoding": (
        "a.csv", b"adresse\nx\n", Refused(["Unknown encoding 'klingon'"], {"encoding": "klingon"}),
    ),
    "control bytes in the header": (
        "a.csv", b"id\x01\x02;adr\x03esse\n1;2\n", Refused(["not a table of addresses"]),
    ),
}  # fmt: skip


@pytest.mark.parametrize("case", list(INPUT_FILES))
def test_input_file(case: str, tmp_path: Path, local: BanLocalGeocoder) -> None:
    name, raw, expect = INPUT_FILES[case]
    path = tmp_path / name
    path.write_bytes(raw)
    out = tmp_path / "out.csv"
    args = ["batch", str(path), "-o", str(out), "--ban", str(local.index.path), "--date", DATE]
    for key, value in expect.kwargs.items():
        args += [f"--{key}", value]
    res = CliRunner().invoke(main, args)
    if isinstance(expect, Refused):
        with pytest.raises(InputFileError) as info:
            check_addresses(path, geocoder=local, date=DATE, **expect.kwargs)
        message = str(info.value)
        for fragment in expect.fragments:
            assert fragment in message
        assert_one_clean_line(message)
        assert res.exit_code == 2 and res.stderr == f"Error: {message}\n"
        assert not out.exists()
        return
    assert res.exit_code in (0, EXIT_SOME_FAILED), res.output
    report = check_addresses(path, geocoder=local, date=DATE, **expect.kwargs)
    assert report["adresse"].tolist() == expect.addresses  # nothing shifted, nothing lost
    assert (report[PROBLEM_COLUMN] != "").tolist() == expect.malformed
    verdicts = report["verdict"].tolist()
    for address, bad, verdict, reason in zip(
        expect.addresses, expect.malformed, verdicts, report["verdict_reason"], strict=True
    ):
        if bad:
            assert verdict == "invalide" and reason.startswith("ligne mal formée")
        elif address in (FOUND, FOUND_2):
            assert verdict == "dedans", (address, reason)
        elif not address:
            assert reason == "adresse vide"
    written = pd.read_csv(out, sep=";", dtype=str, keep_default_na=False)
    assert written["adresse"].tolist() == expect.addresses


def test_malformed_row_keeps_its_extra_fields(tmp_path: Path) -> None:
    path = tmp_path / "a.csv"
    path.write_text("id;adresse\n1;12, rue de la Gare;Lens;62300\n", encoding="utf-8")
    table = load_table(path)
    assert table.frame.to_dict("records") == [{"id": "1", "adresse": "12, rue de la Gare"}]
    assert table.problems == ["4 champs au lieu de 2 ; en trop : « Lens » | « 62300 »"]


# -- family 2: tables given to the library ------------------------------------------------

LIBRARY_TABLES: dict[str, tuple[pd.DataFrame, dict, list[str] | str]] = {
    # issue 9: pandas 3 keeps missing cells missing -> 'float' object has no attribute 'strip'
    "NaN address": (
        pd.DataFrame({"adresse": [FOUND, np.nan, None, pd.NA]}), {},
        ["dedans", "indetermine", "indetermine", "indetermine"],
    ),
    "numbers from a spreadsheet": (
        pd.DataFrame({"num": [1.0, np.nan], "voie": ["rue de la Gare", "rue de la Gare"],
                      "ville": ["Lens", "Lens"]}),
        {"columns": ["num", "voie", "ville"]}, ["dedans", "dedans"],  # 2nd: the whole street
    ),
    "NaN citycode": (
        pd.DataFrame({"adresse": [FOUND], "insee": [np.nan]}), {"citycode_col": "insee"},
        ["dedans"],
    ),
    "no row": (pd.DataFrame({"adresse": []}), {}, "has no row"),
    "no address column": (pd.DataFrame({"a": ["1"]}), {}, "No address column found"),
}  # fmt: skip


@pytest.mark.parametrize("case", list(LIBRARY_TABLES))
def test_library_table(case: str, local: BanLocalGeocoder) -> None:
    table, kwargs, expect = LIBRARY_TABLES[case]
    if isinstance(expect, str):
        with pytest.raises(InputFileError, match=expect):
            check_addresses(table, geocoder=local, date=DATE, **kwargs)
        return
    report = check_addresses(table, geocoder=local, date=DATE, **kwargs)
    assert report["verdict"].tolist() == expect
    if "num" in table:  # 1.0 is the house number "1", not "1.0"
        assert report["ban_housenumber"].iloc[0] == "1" and report["ban_type"].iloc[1] == "street"
    assert report.index.tolist() == table.index.tolist()
    pd.testing.assert_frame_equal(report[table.columns], table)  # input untouched


# -- family 3: output paths -------------------------------------------------------------------


@pytest.fixture
def honour_modes(monkeypatch: pytest.MonkeyPatch) -> None:
    """As root, ``os.access`` says every file is writable: make it read the mode bits, as
    it does for the ordinary user who meets a read-only file or folder."""
    real = os.access

    def access(path, mode, *args, **kwargs):
        writable = stat.S_IWUSR | stat.S_IWGRP | stat.S_IWOTH
        if (
            os.geteuid() == 0
            and mode & os.W_OK
            and os.path.exists(path)
            and not os.stat(path).st_mode & writable
        ):
            return False
        return real(path, mode, *args, **kwargs)

    monkeypatch.setattr(os, "access", access)


def _make_readonly_folder(tmp: Path) -> Path:
    folder = tmp / "lecture-seule"
    folder.mkdir()
    folder.chmod(0o555)
    return folder


def _make_readonly_file(tmp: Path, name: str) -> Path:
    path = tmp / name
    path.write_text("ancien contenu", encoding="utf-8")
    path.chmod(0o444)
    return path


#: case → (how to make the target from tmp_path and the output name, message fragment)
OUTPUT_CASES: dict[str, tuple[Callable[[Path, str], Path], str]] = {
    "missing folder": (lambda tmp, name: tmp / "absent" / name, "absent does not exist"),
    "a folder": (lambda tmp, name: (tmp / name).mkdir() or tmp / name, "is a directory"),
    "read-only folder": (lambda tmp, name: _make_readonly_folder(tmp) / name, "is read-only"),
    "read-only file": (_make_readonly_file, "the file is read-only"),
    "wrong extension": (lambda tmp, name: tmp / "sortie.docx", "use a name ending in"),
}


@dataclass(frozen=True)
class Writer:
    """One way ortgeo writes a file: run it onto ``target``; return the error message."""

    name: str
    run: Callable[[Path, Path, BanLocalGeocoder], str]


def _cli(args: list[str]) -> str:
    """The error of a command: exit status 2, last line of stderr (click's usage errors
    come after a usage line)."""
    res = CliRunner().invoke(main, args)
    assert res.exit_code == 2, res.output
    return res.stderr.strip().splitlines()[-1].removeprefix("Error: ")


def _raises(call: Callable[[], object]) -> str:
    with pytest.raises(OutputFileError) as info:
        call()
    return str(info.value).replace("it is a folder", "is a directory")  # click's words


def _input_csv(tmp: Path) -> Path:
    path = tmp / "entree.csv"
    path.write_text(f"id;adresse\n1;{FOUND}\n", encoding="utf-8")
    return path


WRITERS = {
    "batch -o .csv": Writer("resultat.csv", lambda tmp, target, local: _cli(
        ["batch", str(_input_csv(tmp)), "-o", str(target), "--ban", str(local.index.path)])),
    "batch -o .gpkg": Writer("resultat.gpkg", lambda tmp, target, local: _cli(
        ["batch", str(_input_csv(tmp)), "-o", str(target), "--ban", str(local.index.path)])),
    "write_report": Writer("resultat.gpkg", lambda tmp, target, local: _raises(
        lambda: write_report(check_addresses(_input_csv(tmp), geocoder=local), target))),
    "perimeters export": Writer("perimetres.gpkg", lambda tmp, target, local: _cli(
        ["perimeters", "export", "-o", str(target)])),
    "write_perimeters .shp": Writer("perimetres.shp", lambda tmp, target, local: _raises(
        lambda: write_perimeters(ortgeo.perimeters()[["id", "geometry"]], target))),
    "ban index -o": Writer("index.sqlite", lambda tmp, target, local: _cli(
        ["ban", "index", str(write_synthetic_ban_export(tmp / "b.csv.gz", n_rows=50)),
         "-o", str(target)])),
}  # fmt: skip


@pytest.mark.usefixtures("honour_modes")
@pytest.mark.parametrize(
    ("writer", "case"),
    [
        (w, c)
        for w in WRITERS
        for c in OUTPUT_CASES
        if not (w == "ban index -o" and c == "wrong extension")  # an index has any name
    ],
)
def test_output_path(writer: str, case: str, tmp_path: Path, local: BanLocalGeocoder) -> None:
    make, fragment = OUTPUT_CASES[case]
    spec = WRITERS[writer]
    target = make(tmp_path, spec.name)
    before = sorted(p.name for p in target.parent.iterdir()) if target.parent.is_dir() else []
    message = spec.run(tmp_path, target, local)
    assert fragment in message, message
    assert_one_clean_line(message)
    after = sorted(p.name for p in target.parent.iterdir()) if target.parent.is_dir() else []
    assert [n for n in after if n not in before and n not in ("entree.csv", "b.csv.gz")] == []
    if case == "read-only file":
        assert target.read_text(encoding="utf-8") == "ancien contenu"


@pytest.mark.parametrize("writer", ["batch -o .csv", "ban index -o"], ids=["batch", "ban index"])
def test_output_is_the_input(writer: str, tmp_path: Path, local: BanLocalGeocoder) -> None:
    """issue 9: `-o` equal to the input overwrote it."""
    if writer == "ban index -o":
        source = write_synthetic_ban_export(tmp_path / "b.csv.gz", n_rows=50)
        args = ["ban", "index", str(source), "-o", str(tmp_path / "." / "b.csv.gz")]
    else:
        source = _input_csv(tmp_path)
        args = ["batch", str(source), "-o", str(source), "--ban", str(local.index.path)]
    raw = source.read_bytes()
    message = _cli(args)
    assert "it is the input file" in message
    assert source.read_bytes() == raw


@pytest.mark.parametrize("writer", ["write_report .csv", "write_report .gpkg", "write_perimeters"])
def test_a_failed_write_leaves_nothing(writer: str, tmp_path: Path, monkeypatch) -> None:
    """Disk full in the middle of a write: a one-line message, no partial or temporary file."""

    def disk_full(*args, **kwargs):
        raise OSError(errno.ENOSPC, "No space left on device")

    report = pd.DataFrame({"adresse": ["x"], "ban_lon": [2.83], "ban_lat": [50.43]})
    if writer == "write_report .csv":
        monkeypatch.setattr(pd.DataFrame, "to_csv", disk_full)  # either way of writing
        monkeypatch.setattr("ortgeo.output._join_csv", disk_full)
        call = lambda: write_report(report, tmp_path / "r.csv")  # noqa: E731
    elif writer == "write_report .gpkg":
        monkeypatch.setattr(gpd.GeoDataFrame, "to_file", disk_full)
        call = lambda: write_report(report, tmp_path / "r.gpkg")  # noqa: E731
    else:
        monkeypatch.setattr(gpd.GeoDataFrame, "to_file", disk_full)
        shp = tmp_path / "p.shp"
        call = lambda: write_perimeters(ortgeo.perimeters()[["id", "geometry"]], shp)  # noqa: E731
    with pytest.raises(OrtgeoErrorTypes) as info:
        call()
    assert "No space left on device" in str(info.value)
    assert_one_clean_line(str(info.value))
    assert list(tmp_path.iterdir()) == []


OrtgeoErrorTypes = (OutputFileError, PerimeterFileError)


def test_shapefile_export_is_whole(tmp_path: Path) -> None:
    """The atomic write moves every part of a Shapefile, under the target's name."""
    layers = ortgeo.perimeters()[["id", "title", "geometry"]]
    path = write_perimeters(layers, tmp_path / "perimetres.shp", crs=2154)
    names = sorted(p.name for p in tmp_path.iterdir())
    assert {"perimetres.shp", "perimetres.shx", "perimetres.dbf", "perimetres.prj"} <= set(names)
    assert all(n.startswith("perimetres.") for n in names), names
    assert len(read_perimeter(path)) == len(ortgeo.perimeters())


# -- family 4: exit status and last line of `ortgeo batch` ------------------------------------


@dataclass(frozen=True)
class Exit:
    rows: list[str] | None  # addresses of the input (None: the input is given by `extra`)
    code: int
    last_line: str
    extra: list[str] = field(default_factory=list)


EXIT_CASES = {
    "every row answered": Exit([FOUND, FOUND_2], 0, "Wrote 2 row(s)"),
    "some rows failed": Exit(
        [FOUND, "", NOT_FOUND], EXIT_SOME_FAILED,
        "2 of 3 row(s) got no verdict: adresse vide: 1, adresse introuvable",
    ),
    # issue 9: a batch where every row failed exited 0 with nothing on stderr
    "no row answered": Exit(["", ""], EXIT_ALL_FAILED,
                            "No row got a verdict (2 of 2): adresse vide: 2."),
    "malformed rows": Exit(None, EXIT_SOME_FAILED,
                           "1 of 2 row(s) got no verdict: ligne mal formée: 1."),
    "bad date, before any geocoding": Exit([FOUND], 2, "Error: Invalid date '2024-13-45'",
                                           ["--date", "2024-13-45"]),
    "bad catalogue, before any geocoding": Exit([FOUND], 2, "Error: ",
                                                ["--catalog", "absent.toml"]),
}  # fmt: skip


@pytest.mark.parametrize("case", list(EXIT_CASES))
def test_batch_exit_status(
    case: str,
    tmp_path: Path,
    local: BanLocalGeocoder,
    ban_server,  # noqa: F811
) -> None:
    """On the offline index; the refusals on the fake API, to show that nothing was asked."""
    spec = EXIT_CASES[case]
    path = tmp_path / "in.csv"
    if spec.rows is None:
        path.write_text(f"id;adresse\n1;{FOUND}\n2;{FOUND_2};Lens\n", encoding="utf-8")
    else:
        ids = [str(i) for i in range(len(spec.rows))]
        pd.DataFrame({"id": ids, "adresse": spec.rows}).to_csv(path, sep=";", index=False)
    out = tmp_path / "out.csv"
    args = ["batch", str(path), "-o", str(out)]
    if spec.code == 2:
        args += ["--geocoder", "api", "--ban-url", ban_server.url]
    else:
        args += ["--ban", str(local.index.path)]
    res = CliRunner().invoke(main, [*args, *(spec.extra or ["--date", DATE])])
    assert res.exit_code == spec.code, res.output
    last = res.output.strip().splitlines()[-1]
    assert last.startswith(spec.last_line), last
    if spec.code == 2:
        assert ban_server.hits == [] and not out.exists()  # nothing geocoded, nothing written
        assert_one_clean_line(res.stderr)
    else:
        written = pd.read_csv(out, sep=";", dtype=str, keep_default_na=False)
        assert len(written) == len(spec.rows or [1, 2])


# -- family 5: perimeter files with impossible coordinates ------------------------------------


def _l93_declared_wgs84(tmp: Path) -> tuple[Path, dict]:
    path = tmp / "l93_en_4326.geojson"
    ortgeo.perimeters().to_crs(L93).set_crs(4326, allow_override=True).to_file(path)
    return path, {}


def _with_vertex(tmp: Path, crs: int, x: float) -> tuple[Path, dict]:
    gdf = ortgeo.perimeters().iloc[:1].to_crs(crs)
    coords = list(gdf.geometry.iloc[0].exterior.coords)
    coords[2] = (x, coords[2][1])
    path = tmp / f"sommet_{crs}.gpkg"
    gpd.GeoDataFrame(geometry=[shapely.Polygon(coords)], crs=crs).to_file(path)
    return path, {}


def _no_prj_given_wgs84(tmp: Path) -> tuple[Path, dict]:
    path = tmp / "sans_prj.shp"
    write_perimeters(ortgeo.perimeters().iloc[:1][["id", "geometry"]], path, crs=2154)
    path.with_suffix(".prj").unlink()
    return path, {"crs": 4326}


PERIMETER_CASES = {
    # issue 9: accepted as `officiel` with a warning, then "DEHORS — inf m"
    "Lambert-93 declared EPSG:4326": (_l93_declared_wgs84, ["impossible in EPSG:4326",
                                                             "look like EPSG:2154 (Lambert-93)"]),
    # issue 9: accepted without a word
    "a vertex at longitude 1e9": (lambda tmp: _with_vertex(tmp, 4326, 1e9),
                                  ["1 feature(s)", "impossible in EPSG:4326", "may be corrupt"]),
    "a vertex at x = 1e9 m in Lambert-93": (lambda tmp: _with_vertex(tmp, 2154, 1e9),
                                            ["impossible in EPSG:2154"]),
    "no .prj, crs=4326 given for metres": (_no_prj_given_wgs84,
                                           ["impossible in EPSG:4326", "Lambert-93"]),
}  # fmt: skip


@pytest.mark.parametrize("case", list(PERIMETER_CASES))
def test_perimeter_with_impossible_coordinates(case: str, tmp_path: Path) -> None:
    make, fragments = PERIMETER_CASES[case]
    path, kwargs = make(tmp_path)
    with pytest.raises(PerimeterFileError) as info:
        read_perimeter(path, **kwargs)
    for fragment in fragments:
        assert fragment in str(info.value)
    assert_one_clean_line(str(info.value))
    cat = ortgeo.catalog()
    layer_id = cat.sectors[0].id
    with pytest.raises(PerimeterFileError):
        cat.replace(layer_id, path, **kwargs)


# -- family 6: `check --json` is strict JSON ----------------------------------------------------


def _strict(text: str) -> object:
    def refuse(constant: str) -> None:
        raise AssertionError(f"{constant} is not JSON")

    return json.loads(text, parse_constant=refuse)


@pytest.mark.parametrize(
    "args",
    [["--lonlat", "2.8339,50.4292"], ["--lonlat", "999,999"], ["--lonlat", "nan,50"],
     ["--xy", "688180,7036861"], ["--lonlat", "2.8339,50.4292", "--date", "2018-01-01"]],
    ids=["inside", "impossible", "nan", "lambert-93", "before the ORT"],
)  # fmt: skip
def test_check_json_is_strict(args: list[str]) -> None:
    res = CliRunner().invoke(main, ["check", *args, "--json"])
    assert res.exit_code == 0, res.output
    assert isinstance(_strict(res.stdout), dict)


def test_non_finite_numbers_become_null() -> None:
    """issue 9: `-Infinity` in the JSON of a verdict. One place turns them into null."""
    verdict = {"ort": {"distance_m": float("-inf")}, "layers": [{"d": np.float64("nan")}]}
    text = json.dumps(finite_json(verdict), allow_nan=False)
    assert _strict(text) == {"ort": {"distance_m": None}, "layers": [{"d": None}]}


# -- family 7: `ortgeo locate` — the streaming reader and its outputs (issue 19) ---------------

INSIDE = "2.833889;50.429167"  # église Saint-Léger: dedans
OUTSIDE = "2.832308;50.45"  # in Lens, 1.2 km from every sector: dehors


@dataclass(frozen=True)
class Locate:
    """``ortgeo locate`` on files made by ``make(tmp, monkeypatch)``, which returns the
    arguments after ``locate``: the exit status, a fragment of the one-line error, and what
    ``check(tmp)`` finds in the output (or that nothing was left)."""

    make: Callable[[Path, pytest.MonkeyPatch], list[str]]
    code: int
    says: str = ""
    check: Callable[[Path], None] | None = None


def _write(path: Path, data: str | bytes) -> Path:
    path.write_bytes(data.encode("utf-8") if isinstance(data, str) else data)
    return path


def _csv_points(text: str) -> Callable[[Path, pytest.MonkeyPatch], list[str]]:
    """Points written as ``p.csv``, located into ``out.csv``."""

    def make(tmp: Path, _: pytest.MonkeyPatch) -> list[str]:
        return [str(_write(tmp / "p.csv", text)), "-o", str(tmp / "out.csv"), "--date", DATE]

    return make


def _located(tmp: Path) -> pd.DataFrame:
    return pd.read_csv(tmp / "out.csv", dtype=str, keep_default_na=False)


def _columns(**expected: list[str]) -> Callable[[Path], None]:
    """The output's columns hold these values, row by row."""

    def check(tmp: Path) -> None:
        out = _located(tmp)
        for column, values in expected.items():
            assert out[column].tolist() == values, (column, out[column].tolist())

    return check


def _truncated_gz(tmp: Path, _: pytest.MonkeyPatch) -> list[str]:
    import gzip

    rows = "".join(f"{i};{INSIDE}\n" for i in range(30_000))
    data = gzip.compress(f"id;lon;lat\n{rows}".encode())
    _write(tmp / "p.csv.gz", data[: len(data) * 2 // 3])
    return [str(tmp / "p.csv.gz"), "-o", str(tmp / "out.csv"), "--chunk-size", "1000"]


def _only_inputs_left(tmp: Path) -> None:
    """No output, no .partial folder, no lock, no temporary file."""
    assert sorted(p.name for p in tmp.iterdir() if not p.name.startswith("p.")) == []


def _empty_parquet(tmp: Path, _: pytest.MonkeyPatch) -> list[str]:
    pd.DataFrame({"id": pd.Series([], dtype=str), "lon": pd.Series([], dtype=float),
                  "lat": pd.Series([], dtype=float)}).to_parquet(tmp / "p.parquet")  # fmt: skip
    return [str(tmp / "p.parquet"), "-o", str(tmp / "out.parquet"), "--date", DATE]


def _columns_and_no_row(tmp: Path) -> None:
    out = pd.read_parquet(tmp / "out.parquet")
    assert len(out) == 0
    assert out.columns.tolist()[:7] == ["id", "lon", "lat", "valid", "reason", "commune",
                                        "ort_status"]  # fmt: skip


def _header_line(tmp: Path) -> None:
    lines = (tmp / "out.csv").read_text(encoding="utf-8").splitlines()
    assert len(lines) == 1 and lines[0].startswith("id,lon,lat,valid,reason,commune,ort_status")


def _disk_full_at_chunk_2(tmp: Path, monkeypatch: pytest.MonkeyPatch) -> list[str]:
    from ortgeo import stream

    real = stream._write_part  # each finished chunk is written to disk there
    calls = {"n": 0}

    def write_part(*args, **kwargs):
        calls["n"] += 1
        if calls["n"] == 2:
            raise OSError(errno.ENOSPC, "No space left on device")
        return real(*args, **kwargs)

    monkeypatch.setattr(stream, "_write_part", write_part)
    _write(tmp / "p.csv", "id;lon;lat\n" + "".join(f"{i};{INSIDE}\n" for i in range(50)))
    return [str(tmp / "p.csv"), "-o", str(tmp / "out.parquet"), "--date", DATE,
            "--chunk-size", "10"]  # fmt: skip


def _input_untouched(tmp: Path) -> None:
    assert (tmp / "p.csv").read_text(encoding="utf-8") == f"id;lon;lat\n1;{INSIDE}\n"


LOCATE_CASES: dict[str, Locate] = {
    # issue 19: ids became longitudes, every point `invalide`, exit 0
    "a data row ending with the separator": Locate(
        _csv_points(f"id;lon;lat\n1;{INSIDE};\n2;{OUTSIDE};\n"), 0,
        check=_columns(id=["1", "2"], ort_status=["dedans", "dehors"])),
    "a row with an extra field is kept and flagged": Locate(
        _csv_points(f"id;lon;lat\n1;{INSIDE};x\n2;{INSIDE}\n"), 0,
        check=_columns(ort_status=["invalide", "dedans"],
                       reason=["ligne mal formée (4 champs au lieu de 3 ; en trop : « x »)", ""])),
    "a blank line is a row, those at the end are not": Locate(
        _csv_points(f"id;lon;lat\n1;{INSIDE}\n\n2;{OUTSIDE}\n\n\n"), 0,
        check=_columns(ort_status=["dedans", "invalide", "dehors"])),
    "non-numeric coordinates": Locate(
        _csv_points(f"id;lon;lat\n1;2°50';50.43\n2;{INSIDE}\n"), 0,
        check=_columns(reason=["coordonnées non numériques", ""])),
    "decimal commas": Locate(
        _csv_points("id;lon;lat\n1;2,833889;50,429167\n"), 0,
        check=_columns(ort_status=["dedans"])),
    "a header and no row": Locate(_csv_points("id;lon;lat\n"), 0, check=_header_line),
    # issue 19: a file with no columns
    "a 0-row Parquet": Locate(_empty_parquet, 0, check=_columns_and_no_row),
    # issue 19: the input replaced by the result
    "-o equal to the input": Locate(
        lambda tmp, _: [str(_write(tmp / "p.csv", f"id;lon;lat\n1;{INSIDE}\n")), "-o",
                        str(tmp / "." / "p.csv")],
        2, "it is the input file", _input_untouched),
    # issue 19: the main result replaced by the long one
    "--long equal to -o": Locate(
        lambda tmp, _: [str(_write(tmp / "p.csv", f"id;lon;lat\n1;{INSIDE}\n")), "-o",
                        str(tmp / "o.parquet"), "--long", str(tmp / "o.parquet")],
        2, "-o and --long both name o.parquet", _only_inputs_left),
    # issue 19: click's bare "Aborted!", and the .partial folder left behind
    "a truncated .csv.gz, after chunks were written": Locate(
        _truncated_gz, 2, "p.csv.gz is truncated or damaged", _only_inputs_left),
    "a full disk after the start": Locate(
        _disk_full_at_chunk_2, 2, "No space left on device", _only_inputs_left),
}  # fmt: skip


@pytest.mark.parametrize("case", list(LOCATE_CASES))
def test_locate(case: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    spec = LOCATE_CASES[case]
    res = CliRunner().invoke(main, ["locate", *spec.make(tmp_path, monkeypatch)])
    assert res.exit_code == spec.code, res.output
    if spec.code == 2:
        message = res.stderr.strip().splitlines()[-1]
        assert spec.says in message, message
        assert_one_clean_line(message)
    if spec.check is not None:
        spec.check(tmp_path)


def test_locate_two_runs_on_one_output(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """issue 19: the second run ended in a traceback and the Parquet was unreadable. The
    output is locked: the second run is refused at once, the first finishes whole."""
    import threading

    from ortgeo import stream

    path = _write(tmp_path / "p.csv", "id;lon;lat\n" + f"1;{INSIDE}\n" * 40)
    out = tmp_path / "out.parquet"
    first_started, go_on = threading.Event(), threading.Event()
    real = stream.locate_points
    done: dict[str, dict] = {}

    def slow(*args, **kwargs):
        if threading.current_thread() is worker:
            first_started.set()
            go_on.wait(timeout=60)
        return real(*args, **kwargs)

    def run() -> None:
        done["report"] = ortgeo.locate_file(path, out, date=DATE, chunk_size=10)

    monkeypatch.setattr(stream, "locate_points", slow)
    worker = threading.Thread(target=run)
    worker.start()
    try:
        assert first_started.wait(timeout=60)
        res = CliRunner().invoke(main, ["locate", str(path), "-o", str(out), "--date", DATE])
    finally:
        go_on.set()
        worker.join(timeout=60)
    assert res.exit_code == 2, res.output
    message = res.stderr.strip()
    assert "another ortgeo run (process" in message and "is writing it" in message, message
    assert_one_clean_line(message)
    assert done["report"]["rows"] == 40
    assert pd.read_parquet(out)["ort_status"].tolist() == ["dedans"] * 40
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out.parquet", "p.csv"]


# -- family 8: `ortgeo cadastre download` and cadastre files (issue 19) ------------------------


def _parcel(idu: str, lon: float, lat: float, side: float = 0.0004) -> dict:
    """A SYNTHETIC square parcel near Lens, as the Etalab files write it."""
    ring = [[lon, lat], [lon + side, lat], [lon + side, lat + side], [lon, lat + side], [lon, lat]]
    return {"type": "Feature", "id": idu,
            "geometry": {"type": "Polygon", "coordinates": [ring]},
            "properties": {"id": idu, "commune": "62498", "section": idu[8:10],
                           "numero": idu[10:], "contenance": 1500}}  # fmt: skip


def cadastre_bytes(null_geometry: str | None = None) -> bytes:
    """A SYNTHETIC Etalab cadastre file of three parcels of Lens (one may have no geometry)."""
    features = [_parcel(f"62498000AB000{i}", 2.8335 + i * 0.001, 50.4285) for i in (1, 2, 3)]
    for f in features:
        if f["id"] == null_geometry:
            f["geometry"] = None
    return json.dumps({"type": "FeatureCollection", "features": features}).encode()


def _gz(data: bytes) -> bytes:
    import gzip

    return gzip.compress(data)


COMMUNES_GEOJSON = json.dumps({"type": "FeatureCollection", "features": [
    {"type": "Feature", "id": "62498", "properties": {"nom": "Lens"},
     "geometry": {"type": "Polygon", "coordinates": [[[2.8, 50.4], [2.9, 50.4], [2.9, 50.45],
                                                      [2.8, 50.4]]]}}]}).encode()  # fmt: skip
_URL = "/c/{dep}/cadastre-{insee}-parcelles.json.gz"
_SERVED = "/c/62/cadastre-62498-parcelles.json.gz"


def _disk_full_while_downloading(monkeypatch: pytest.MonkeyPatch) -> None:
    from ortgeo.geocoders import transport

    def stream(resp, out, total, name, progress):
        out.write(b"\x1f\x8b\x08\x00")
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(transport, "_stream", stream)


#: case → (bytes served, URL template, what to do before, exit status, fragment)
DOWNLOADS: dict[str, tuple[bytes, str, Callable | None, int, str]] = {
    "a complete file": (_gz(cadastre_bytes()), _URL, None, 0, "Downloaded"),
    # issue 19: kept and reported "Downloaded" (only the magic bytes were checked)
    "a truncated gzip": (_gz(cadastre_bytes())[:60], _URL, None, 2, "is truncated or damaged"),
    "a gzip of something that is not JSON": (
        _gz(b"<html>proxy error</html>"), _URL, None, 2, "not an Etalab cadastre parcel file"),
    "a gzip of GeoJSON that is not parcels": (
        _gz(COMMUNES_GEOJSON), _URL, None, 2, "are not parcel IDUs"),
    # issue 19: an OSError traceback and a .part file
    "a full disk": (_gz(cadastre_bytes()), _URL, _disk_full_while_downloading, 2,
                    "No space left on device"),
    # issue 19: a KeyError traceback
    "a URL template with an unknown placeholder": (
        _gz(cadastre_bytes()), "/c/{departement}/{insee}.json.gz", None, 2,
        "unknown placeholder {departement}: use only {dep} and {insee}"),
}  # fmt: skip


@pytest.mark.parametrize("case", list(DOWNLOADS))
def test_cadastre_download(
    case: str,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    ban_server,  # noqa: F811
) -> None:
    served, template, before, code, says = DOWNLOADS[case]
    ban_server.files[_SERVED] = served
    if before is not None:
        before(monkeypatch)
    dest = tmp_path / "cadastre"
    res = CliRunner().invoke(main, ["cadastre", "download", "62498", "-o", str(dest),
                                    "--url", ban_server.url + template])  # fmt: skip
    assert res.exit_code == code, res.output
    if code == 0:
        assert says in res.output
        assert (dest / "cadastre-62498-parcelles.json.gz").read_bytes() == served
        return
    message = res.stderr.strip().splitlines()[-1]
    assert says in message, message
    assert_one_clean_line(message)
    assert not dest.exists() or list(dest.iterdir()) == []  # nothing kept, no .part file


#: case → (file name, bytes, reference asked, exit status, what the answer or error says)
CADASTRE_FILES: dict[str, tuple[str, bytes, str, int, str]] = {
    # issue 19: one null geometry made the whole file "not an Etalab cadastre file"
    "a parcel with a null geometry, another asked": (
        "c.json", cadastre_bytes(null_geometry="62498000AB0002"), "62498000AB0001", 0,
        "1 parcel(s) without a geometry skipped (62498000AB0002)"),
    "the parcel with a null geometry asked": (
        "c.json", cadastre_bytes(null_geometry="62498000AB0002"), "62498000AB0002", 0,
        "absente du fichier"),
    "a truncated .json.gz": (
        "c.json.gz", _gz(cadastre_bytes())[:80], "62498000AB0001", 2, "is truncated or damaged"),
    "not JSON": ("c.json", b"\x00\x01 nope", "62498000AB0001", 2,
                 "not an Etalab cadastre parcel file"),
}  # fmt: skip


@pytest.mark.parametrize("case", list(CADASTRE_FILES))
def test_cadastre_file(case: str, tmp_path: Path) -> None:
    name, data, idu, code, says = CADASTRE_FILES[case]
    path = _write(tmp_path / name, data)
    res = CliRunner().invoke(main, ["check", "--parcel", idu, "--cadastre", str(path),
                                    "--date", DATE])  # fmt: skip
    assert res.exit_code == code, res.output
    assert says in res.output, res.output
    if code == 2:
        assert_one_clean_line(res.stderr)


# -- family 9: .xlsx workbooks (issue 19) --------------------------------------------------------


def _merged_workbook() -> bytes:
    """A SYNTHETIC workbook whose 'ville' cell is merged over both data rows."""
    import io

    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    for row in (["id", "voie", "ville"], ["1", "1 rue de la Gare", "62300 Lens"],
                ["2", "3 rue de la Gare", None]):  # fmt: skip
        sheet.append(row)
    sheet.merge_cells("C2:C3")
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


#: case → (workbook, extra options, per row: (ville or adresse cell, verdict, reason start),
#: a warning fragment)
WORKBOOKS: dict[str, tuple[bytes, list[str], str, list[tuple[str, str, str]], str]] = {
    # issue 19: the cells of a merged range came out empty after the first row, silently
    "merged cells": (
        _merged_workbook(), ["--columns", "voie,ville"], "ville",
        [("62300 Lens", "dedans", ""), ("62300 Lens", "dedans", "")],
        "1 merged range(s) (C2:C3) filled"),
    # issue 19: a formula without a cached value read as an empty cell, "adresse vide"
    "a formula without a computed value": (
        xlsx([["id", "adresse"], [1, FOUND], [2, '=CONCAT("3 rue ";"de la Gare Lens")']]),
        [], "adresse",
        [(FOUND, "dedans", ""), ("", "invalide", "formule sans valeur calculée (B3 : =CONCAT(")],
        "1 formula cell(s) have no computed value"),
}  # fmt: skip


@pytest.mark.parametrize("case", list(WORKBOOKS))
def test_workbook(case: str, tmp_path: Path, local: BanLocalGeocoder) -> None:
    data, options, column, rows, warning = WORKBOOKS[case]
    path = _write(tmp_path / "a.xlsx", data)
    out = tmp_path / "out.csv"
    res = CliRunner().invoke(main, ["batch", str(path), "-o", str(out), "--ban",
                                    str(local.index.path), "--date", DATE, *options])  # fmt: skip
    assert res.exit_code in (0, EXIT_SOME_FAILED), res.output
    assert warning in res.stderr, res.stderr
    report = pd.read_csv(out, sep=";", dtype=str, keep_default_na=False)
    for (cell, verdict, reason), (_, row) in zip(rows, report.iterrows(), strict=True):
        assert (row[column], row["verdict"]) == (cell, verdict), row.to_dict()
        assert row["verdict_reason"].startswith(reason), row["verdict_reason"]


# -- family 10: `ortgeo batch`, the leftovers of round 1 (issue 19) ------------------------------


@dataclass(frozen=True)
class Batch:
    """``ortgeo batch`` on ``data`` (bytes of ``a.csv``) with ``options``: exit status, the
    report's header and the given column, or the one-line error; fragments of stderr."""

    data: bytes
    code: int
    header: list[str] | None = None
    column: tuple[str, list[str]] | None = None
    stderr: list[str] = field(default_factory=list)
    options: list[str] = field(default_factory=list)
    geocoder: str = "local"  # or "api" (the fake BAN API), "502", "refused"


def _streets(n: int) -> bytes:
    """``n`` rows whose geocoding fails with a reason naming a different street each."""
    return ("id;adresse\n" + "".join(f"{i};{900 + i} rue Inconnue{i} Lens\n"
                                     for i in range(n))).encode()  # fmt: skip


BATCH_CASES: dict[str, Batch] = {
    # issue 19: blank lines dropped from the report (kept, in place, in every form)
    "blank lines, CRLF, spaces and separators only": Batch(
        f"id;adresse\r\n1;{FOUND}\r\n\r\n   \r\n;\r\n2;{FOUND_2}\r\n".encode(), EXIT_SOME_FAILED,
        column=("adresse", [FOUND, "", "", "", FOUND_2])),
    # issue 19: repeated column names renamed ("note.1") in the report
    "repeated column names are kept": Batch(
        f"id;adresse;note;note\n1;{FOUND};a;b\n".encode(), 0,
        header=["id", "adresse", "note", "note", "input_problem"]),
    "a repeated address column is refused": Batch(
        f"id;adresse;adresse\n1;{FOUND};{FOUND_2}\n".encode(), 2,
        stderr=["Column 'adresse' appears 2 times in the header (columns 2 and 3)"]),
    # issue 19: the whole file decoded as cp1252, the UTF-8 accents garbled, silently
    "one cp1252 line in a UTF-8 file": Batch(
        "id;adresse\n1;17 Boulevard Émile Basly Lens\n".encode()
        + "2;18 Boulevard Émile Basly Lens\n".encode("cp1252"), 0,
        column=("adresse", ["17 Boulevard Émile Basly Lens", "18 Boulevard Émile Basly Lens"]),
        stderr=["line 3 is not UTF-8 like the rest of the file; read as Windows-1252"]),
    # issue 19: an unknown BAN match type answered as a firm `dedans`
    "an unknown BAN match type": Batch(
        f"id;adresse\n1;{FOUND}\n".encode(), EXIT_ALL_FAILED,
        column=("verdict", ["indetermine"]), stderr=["type de résultat de la BAN inconnu: 1"],
        geocoder="poi"),
    # issue 19: the last line did not say why
    "every BAN request failed: HTTP 502": Batch(
        f"id;adresse\n1;{FOUND}\n2;{FOUND_2}\n".encode(), EXIT_ALL_FAILED,
        stderr=["No row got a verdict (2 of 2): géocodage en erreur (HTTP 502): 2. First error:",
                "answered HTTP 502"], geocoder="502"),
    "every BAN request failed: connection refused": Batch(
        f"id;adresse\n1;{FOUND}\n".encode(), EXIT_ALL_FAILED,
        stderr=["géocodage en erreur (service injoignable): 1. First error:", "cannot be reached"],
        geocoder="refused"),
}  # fmt: skip


@pytest.mark.parametrize("case", list(BATCH_CASES))
def test_batch_leftovers(
    case: str, tmp_path: Path, local: BanLocalGeocoder, ban_server,  # noqa: F811
    monkeypatch: pytest.MonkeyPatch,
) -> None:  # fmt: skip
    from ban_server import closed_port_url

    from ortgeo.geocoders import ban_api

    quick = ban_api.RetryPolicy(max_retries=1, backoff=0.01, max_backoff=0.02, timeout=2)
    monkeypatch.setattr(ban_api, "RetryPolicy", lambda: quick)  # failures, without waiting
    spec = BATCH_CASES[case]
    path = _write(tmp_path / "a.csv", spec.data)
    out = tmp_path / "out.csv"
    if spec.geocoder == "local":
        coder = ["--ban", str(local.index.path)]
    else:
        coder = ["--geocoder", "api", "--ban-url",
                 closed_port_url() if spec.geocoder == "refused" else ban_server.url]  # fmt: skip
    if spec.geocoder == "502":
        ban_server.fail(502, times=1000)
    if spec.geocoder == "poi":  # a match type the BAN could add tomorrow
        search = ban_server.search
        ban_server.search = lambda *a, **k: [(s, x, "poi") for s, x, _ in search(*a, **k)]
    res = CliRunner().invoke(main, ["batch", str(path), "-o", str(out), "--date", DATE,
                                    *coder, *spec.options])  # fmt: skip
    assert res.exit_code == spec.code, res.output
    for fragment in spec.stderr:
        assert fragment in res.stderr, res.stderr
    if spec.code == 2:
        assert_one_clean_line(res.stderr)
        assert not out.exists()
        return
    assert_one_clean_line(res.output.strip().splitlines()[-1])
    report = pd.read_csv(out, sep=";", dtype=str, keep_default_na=False, header=None)
    header, rows = report.iloc[0].tolist(), report.iloc[1:]
    if spec.header is not None:
        assert header[: len(spec.header)] == spec.header
    if spec.column is not None:
        name, values = spec.column
        assert rows.iloc[:, header.index(name)].tolist() == values


def test_batch_reasons_grouped_by_kind() -> None:
    """issue 19: the last line listed every distinct reason, one per street name (over 5,000
    characters on a 2,400-row file). Reasons are counted by kind; the line stays short."""
    from ortgeo.batch import failures
    from ortgeo.cli.batch import failure_line

    reasons = [
        f"numéro non trouvé et la voie « Rue {i} » traverse ou frôle une limite : précisez le "
        "numéro" for i in range(800)
    ] + [f"adresse reconnue seulement au niveau du lieu-dit (Lieu {i}) : précisez" for i in
         range(800)] + [f"géocodage peu sûr (score 0.{i % 60:02d} < 0.60) : « x »"
                        for i in range(800)]  # fmt: skip
    report = pd.DataFrame({"verdict": "indetermine", "verdict_reason": reasons})
    kinds = failures(report)
    assert kinds == {
        "numéro non trouvé et la voie « … » traverse ou frôle une limite": 800,
        "adresse reconnue seulement au niveau du lieu-dit": 800,
        "géocodage peu sûr": 800,
    }
    line = failure_line(len(report), kinds)
    assert len(line) < 250 and line.startswith("No row got a verdict (2400 of 2400)")
    many = {f"raison {i}": 1 for i in range(40)}
    assert failure_line(40, many).endswith("raison 5: 1, 34 other reason(s): 34.")


# -- family 11: the web service and `ortgeo serve` (issue 19) -------------------------------------


def _disk_full(monkeypatch: pytest.MonkeyPatch) -> None:
    real = Path.write_bytes

    def write_bytes(self: Path, data: bytes) -> int:
        if "ortgeo-batch-" in str(self):
            raise OSError(errno.ENOSPC, "No space left on device")
        return real(self, data)

    monkeypatch.setattr(Path, "write_bytes", write_bytes)


def test_service_disk_full_during_an_upload(
    tmp_path: Path, local: BanLocalGeocoder, monkeypatch: pytest.MonkeyPatch
) -> None:
    """issue 19: HTTP 500 « erreur interne » while /health said ok."""
    from fastapi.testclient import TestClient

    from ortgeo.service import ServiceConfig, create_app

    client = TestClient(create_app(ServiceConfig(ban_index=str(local.index.path),
                                                 rate_limit="")))  # fmt: skip
    assert client.get("/api/v1/health").json()["status"] == "ok"
    _disk_full(monkeypatch)
    r = client.post("/api/v1/batch", files={"file": ("a.csv", f"adresse\n{FOUND}\n")})
    assert r.status_code == 507, r.text
    body = r.json()["error"]
    assert body["code"] == "espace-disque-insuffisant"
    assert "espace disque" in body["message"] and "detail" not in body  # no server path
    assert int(r.headers["retry-after"]) > 0
    health = client.get("/api/v1/health").json()
    assert health["status"] == "degrade"
    assert any("disque plein" in p for p in health["problems"])
    monkeypatch.undo()
    r = client.post("/api/v1/batch", files={"file": ("a.csv", f"adresse\n{FOUND}\n")})
    assert r.status_code == 200 and client.get("/api/v1/health").json()["status"] == "ok"


def test_every_library_error_has_an_http_answer() -> None:
    """One table maps every exception class of ortgeo to a status, a code and a French
    message; the retry_after an exception carries becomes Retry-After."""
    import inspect

    from ortgeo import errors
    from ortgeo.service.errors import from_library

    classes = [c for _, c in inspect.getmembers(errors, inspect.isclass)
               if issubclass(c, errors.OrtgeoError)]  # fmt: skip
    assert len(classes) >= 20
    for cls in classes:
        kwargs: dict[str, str] = (
            {"path": "x"}
            if cls in (errors.NoSpaceError, errors.OutputLockedError, errors.CorruptFileError)
            else {}
        )
        if cls is errors.UnknownCommuneError:
            kwargs = {"insee": "00000"}  # fmt: skip
        err = from_library(cls("message", **kwargs))
        assert 400 <= err.status < 600 and err.code and err.message, cls
    assert from_library(errors.NoSpaceError("full", path="x")).status == 507
    quota = from_library(errors.GeocoderQuotaExceeded("429", retry_after=7.2))
    assert (quota.status, quota.headers) == (503, {"Retry-After": "8"})


@pytest.mark.parametrize(
    ("host", "busy", "says"),
    [("127.0.0.1", True, "is already in use"), ("192.0.2.1", False, "not an address of this"),
     ("nowhere.invalid", False, "not an address of this machine")],
    ids=["busy port", "host not ours", "unknown host"],
)  # fmt: skip
def test_serve_cannot_listen(host: str, busy: bool, says: str) -> None:
    """issue 19: `serve --port <busy>` exited 3 with uvicorn's English traceback line."""
    import socket

    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1] if busy else 18_000 + os.getpid() % 1000
        res = CliRunner().invoke(main, ["serve", "--host", host, "--port", str(port)])
    assert res.exit_code == 2, res.output
    assert says in res.stderr
    assert_one_clean_line(res.stderr)


# -- family 12: the smaller ones (issue 19) -----------------------------------------------------


def _streets_near_marseille(tmp: Path) -> Path:
    """A SYNTHETIC road layer far from Lens (no road in the map's frame)."""
    lines = gpd.GeoDataFrame({"nom": ["Rue de Rome"]},
                             geometry=[shapely.LineString([(5.38, 43.29), (5.39, 43.30)])],
                             crs=4326)  # fmt: skip
    path = tmp / "voies.geojson"
    lines.to_file(path)
    return path


def _one_big_polygon(tmp: Path) -> Path:
    """One perimeter densified to a polygon of 1.2 million vertices (a 30 MB GeoJSON, over
    what GDAL reads by default in one object)."""
    n = 1_200_000
    t = np.linspace(0, 2 * np.pi, n)
    ring = np.round(np.c_[2.833 + 0.004 * np.cos(t), 50.43 + 0.003 * np.sin(t)], 7).tolist()
    ring[-1] = ring[0]
    path = tmp / "secteur.geojson"
    path.write_text(json.dumps({"type": "FeatureCollection", "features": [
        {"type": "Feature", "properties": {"id": "s"},
         "geometry": {"type": "Polygon", "coordinates": [ring]}}]}))  # fmt: skip
    assert path.stat().st_size > 25e6
    return path


@dataclass(frozen=True)
class Command:
    """A command line made by ``args(tmp, index)``: exit status, fragments of its output."""

    args: Callable[[Path, Path], list[str]]
    code: int
    says: list[str]
    check: Callable[[Path], None] | None = None


def _stats_never_counts(monkeypatch: pytest.MonkeyPatch) -> None:
    import ortgeo.stats

    def count(*args, **kwargs):
        raise AssertionError("counted before checking the outputs")

    monkeypatch.setattr(ortgeo.stats, "sector_stats", count)


SMALLER: dict[str, Command] = {
    # issue 19: --band ignored for an address
    "check ADDRESS --band": Command(
        lambda tmp, index: ["check", FOUND, "--ban", str(index), "--band", "5000", "--json",
                            "--date", DATE],
        0, ['"status": "limite"', '"band_m": 5000']),
    # issue 19: a ValueError after all the counting
    "stats --chart x.bmp": Command(
        lambda tmp, index: ["stats", str(_write(tmp / "p.csv", f"id;lon;lat\n1;{INSIDE}\n")),
                            "-o", str(tmp / "s.csv"), "--chart", str(tmp / "x.bmp")],
        2, ["Cannot write x.bmp: use a name ending in .png, .svg or .pdf."],
        lambda tmp: _files_are(tmp, "p.csv")),
    # issue 19: folium's AssertionError
    "map --streets with no road in the frame": Command(
        lambda tmp, index: ["map", "general", "-o", str(tmp / "carte.html"), "--streets",
                            str(_streets_near_marseille(tmp))],
        0, ["No street of voies.geojson falls within the map of Lens", "Wrote"],
        lambda tmp: _files_are(tmp, "carte.html", "voies.geojson")),
    "check --lonlat with a semicolon": Command(
        lambda tmp, index: ["check", "--lonlat", "2.833889;50.429167", "--date", DATE],
        0, ["INCLUS"]),
}  # fmt: skip


def _files_are(tmp: Path, *names: str) -> None:
    assert sorted(p.name for p in tmp.iterdir()) == sorted(names)


@pytest.mark.parametrize("case", list(SMALLER))
def test_smaller(
    case: str, tmp_path: Path, local: BanLocalGeocoder, monkeypatch: pytest.MonkeyPatch
) -> None:
    spec = SMALLER[case]
    _stats_never_counts(monkeypatch)
    res = CliRunner().invoke(main, spec.args(tmp_path, local.index.path))
    assert res.exit_code == spec.code, res.output
    for fragment in spec.says:
        assert fragment in res.output, res.output
    if spec.code == 2:
        assert_one_clean_line(res.stderr)
    if spec.check is not None:
        spec.check(tmp_path)


#: call → what it gives, or the start of the one-line error it raises
LIBRARY_VALUES: dict[str, tuple[Callable[[Path], object], object]] = {
    # issue 19: a bare ValueError
    'check_point("2,833889", "50,429167")': (
        lambda tmp: ortgeo.check_point("2,833889", "50,429167", date=DATE).status, "dedans"),
    'check_point("abc", 50.43)': (
        lambda tmp: ortgeo.check_point("abc", 50.43, date=DATE),
        "lon 'abc' is not a number: give decimal degrees"),
    # issue 19: reported as « coordonnées manquantes »
    "locate a table with text coordinates": (
        lambda tmp: ortgeo.locate(pd.DataFrame({"lon": ["2,833889", "abc", ""],
                                                "lat": ["50.429167", "50.4", ""]}),
                                  date=DATE)["reason"].astype(str).tolist(),
        ["", "coordonnées non numériques", "coordonnées manquantes"]),
    # issue 19: refused by GDAL's object-size limit
    "read a GeoJSON of one 30 MB polygon": (
        lambda tmp: len(read_perimeter(_one_big_polygon(tmp))), 1),
}  # fmt: skip


@pytest.mark.parametrize("case", list(LIBRARY_VALUES))
def test_library_values(case: str, tmp_path: Path) -> None:
    call, expected = LIBRARY_VALUES[case]
    if isinstance(expected, str) and expected not in ("dedans",):
        with pytest.raises(ortgeo.OrtgeoError) as info:
            call(tmp_path)
        assert str(info.value).startswith(expected), str(info.value)
        assert_one_clean_line(str(info.value))
        return
    assert call(tmp_path) == expected


# -- family 13: every command writes through the one output layer (issue 19) ---------------------


def _points_csv(tmp: Path) -> str:
    return str(_write(tmp / "p.csv", f"id;lon;lat\n1;{INSIDE}\n"))


#: (command, output parameter) → its arguments, that output in folder ``out``, made in tmp
COMMAND_OUTPUTS: dict[tuple[str, str], Callable[[Path, Path, str], list[str]]] = {
    ("batch", "output"): lambda tmp, index, out: [
        "batch", str(_input_csv(tmp)), "-o", f"{out}/r.csv", "--ban", str(index)],
    ("locate", "output"): lambda tmp, index, out: [
        "locate", _points_csv(tmp), "-o", f"{out}/o.parquet"],
    ("locate", "long_out"): lambda tmp, index, out: [
        "locate", _points_csv(tmp), "-o", str(tmp / "o.parquet"), "--long", f"{out}/l.parquet"],
    ("stats", "output"): lambda tmp, index, out: [
        "stats", _points_csv(tmp), "-o", f"{out}/s.csv"],
    ("stats", "chart"): lambda tmp, index, out: [
        "stats", _points_csv(tmp), "-o", str(tmp / "s.csv"), "--chart", f"{out}/c.png"],
    ("map", "output"): lambda tmp, index, out: ["map", "general", "-o", f"{out}/carte.html"],
    ("fiche", "output"): lambda tmp, index, out: [
        "fiche", "--lonlat", "2.833889,50.429167", "-o", f"{out}/fiche.pdf"],
    ("annex", "output"): lambda tmp, index, out: ["annex", "-o", f"{out}/annexe3"],
    ("perimeters export", "output"): lambda tmp, index, out: [
        "perimeters", "export", "-o", f"{out}/p.gpkg"],
    ("ban download", "dest"): lambda tmp, index, out: [
        "ban", "download", "62", "-o", f"{out}/ban", "--url", "http://127.0.0.1:9/{dep}.csv.gz"],
    ("ban index", "output"): lambda tmp, index, out: [
        "ban", "index", str(write_synthetic_ban_export(tmp / "b.csv.gz", n_rows=50)),
        "-o", f"{out}/i.sqlite"],
    ("cadastre download", "dest"): lambda tmp, index, out: [
        "cadastre", "download", "62498", "-o", f"{out}/cadastre",
        "--url", "http://127.0.0.1:9/{insee}.json.gz"],
}  # fmt: skip


def _commands() -> dict[str, click.Command]:
    """Every command of ``ortgeo``, subcommands by their full name (``ban index``)."""
    from ortgeo.cli import COMMANDS

    ctx = click.Context(main)
    found: dict[str, click.Command] = {}

    def walk(name: str, command: click.Command | None) -> None:
        assert command is not None, name
        if isinstance(command, click.Group):
            for sub in command.list_commands(ctx):
                walk(f"{name} {sub}", command.get_command(ctx, sub))
        else:
            found[name] = command

    for name in COMMANDS:
        walk(name, main.get_command(ctx, name))
    return found


def test_every_command_declares_its_outputs() -> None:
    """The list of the commands: every option a command writes to (``-o``, ``--chart``,
    ``--long``) is declared to the one output layer (``@writes``: checked before the command
    runs), and is a row of the table of :func:`test_every_output_goes_through_the_output_layer`."""
    from ortgeo.cli.options import OUTPUTS_ATTRIBUTE

    commands = _commands()
    # check, commune, communes info/update (the user cache) and serve write no file
    assert len(commands) == 16, sorted(commands)
    written, declared = set(), set()
    for name, command in commands.items():
        for param in command.params:
            if isinstance(param, click.Option) and ("-o" in param.opts or param.name in (
                    "chart", "long_out")):  # fmt: skip
                written.add((name, param.name))
        declared |= {(name, p) for p in getattr(command.callback, OUTPUTS_ATTRIBUTE, ())}
    assert written == declared == set(COMMAND_OUTPUTS)


@pytest.mark.usefixtures("honour_modes")
@pytest.mark.parametrize("output", list(COMMAND_OUTPUTS), ids=" ".join)
def test_every_output_goes_through_the_output_layer(
    output: tuple[str, str], tmp_path: Path, local: BanLocalGeocoder
) -> None:
    """Each output into a read-only folder: refused before any work, in the output layer's
    words, and nothing written anywhere."""
    folder = _make_readonly_folder(tmp_path)
    args = COMMAND_OUTPUTS[output](tmp_path, local.index.path, str(folder))
    before = sorted(p.name for p in tmp_path.iterdir())
    message = _cli(args)
    assert "is read-only. Choose a writable folder." in message, message
    assert_one_clean_line(message)
    assert sorted(p.name for p in tmp_path.iterdir()) == before
    assert list(folder.iterdir()) == []
