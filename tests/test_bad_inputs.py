"""The table of bad inputs and faults: one parametrised test per family, one row per case.

Every bug found in a bad input or a fault becomes a row here, so the corpus grows with the
bugs. Families: input files of ``batch`` (what each becomes, or the message refusing it),
tables given to the library, output paths (every writer refuses them before any work,
in one line, and never leaves a half-written file), exit statuses of ``ortgeo batch``,
perimeter files with impossible coordinates, and strict JSON from ``check --json``.
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
