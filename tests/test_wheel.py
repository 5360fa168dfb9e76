"""The wheel ships the bundled perimeter data, and an installed ortgeo loads from it.

The wheel is built offline into ``tmp_path`` (``pip wheel --no-deps --no-build-isolation
--no-index``, with the hatchling backend of the ``test`` extra), then:

- its member list must hold ``ortgeo/_data/perimeters/catalog.toml``, every file the
  catalogue names and ``landmarks.geojson``, byte for byte as in ``data/perimeters``;
- it is extracted into ``tmp_path/site`` and a fresh interpreter, started outside the
  repository with ``PYTHONPATH`` set to that folder, imports ortgeo *from the wheel* (not
  from the dev venv's editable install: asserted through ``ortgeo.__file__``) and loads
  the catalogue, the landmarks and the CLI from the wheel's data.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tomllib
import zipfile
from pathlib import Path

import pytest

pytestmark = pytest.mark.wheel

ROOT = Path(__file__).resolve().parents[1]
DATA = ROOT / "data" / "perimeters"
PREFIX = "ortgeo/_data/perimeters/"

PROBE = """
import json, ortgeo
from ortgeo.catalog import bundled_path
cat = ortgeo.catalog()
print(json.dumps({
    "module": ortgeo.__file__,
    "data": str(bundled_path()),
    "ids": cat.ids,
    "paths": [str(bundled_path() / layer.provenance.file) for layer in cat],
    "areas": [round(layer.area_ha, 3) for layer in cat],
    "landmarks": len(ortgeo.landmarks()),
}))
"""


@pytest.fixture(scope="module")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    pytest.importorskip("hatchling", reason="the build backend (test extra) builds offline")
    dist = tmp_path_factory.mktemp("dist")
    subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation",
         "--no-index", "--quiet", "--wheel-dir", str(dist), str(ROOT)],
        check=True, capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    (built,) = dist.glob("ortgeo-*.whl")
    return built


def expected_data_files() -> set[str]:
    data = tomllib.loads((DATA / "catalog.toml").read_text(encoding="utf-8"))
    listed = data["sector"] + data["dispositif"]
    return {"catalog.toml", "landmarks.geojson", *(entry["file"] for entry in listed)}


def test_wheel_contains_the_perimeter_data(wheel: Path) -> None:
    expected = expected_data_files()
    assert len([name for name in expected if name.endswith(".geojson")]) == 4
    with zipfile.ZipFile(wheel) as zf:
        shipped = {n.removeprefix(PREFIX) for n in zf.namelist() if n.startswith(PREFIX)}
        assert shipped == expected
        for name in expected:
            assert zf.read(PREFIX + name) == (DATA / name).read_bytes(), name
        assert "ortgeo/__init__.py" in zf.namelist()
        names = set(zf.namelist())
        for other in ("communes/communes.geojson", "communes/ort_communes.csv",
                      "communes/PROVENANCE.md"):  # fmt: skip
            assert f"ortgeo/_data/{other}" in names, other
        assert {"ortgeo/templates/notes.txt.j2", "ortgeo/templates/explain.txt.j2"} <= names


def test_installed_wheel_loads_its_own_data(wheel: Path, tmp_path: Path) -> None:
    site = tmp_path / "site"
    with zipfile.ZipFile(wheel) as zf:
        zf.extractall(site)
    env = {**os.environ, "PYTHONPATH": str(site)}
    env.pop("ORTGEO_REFERENCE", None)

    def python(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [sys.executable, *args], cwd=tmp_path, env=env,
            capture_output=True, text=True, timeout=120,
        )  # fmt: skip

    probe = python("-c", PROBE)
    assert probe.returncode == 0, probe.stderr
    got = json.loads(probe.stdout)
    assert Path(got["module"]).is_relative_to(site)  # the wheel, not the editable install
    assert Path(got["data"]) == site / "ortgeo" / "_data" / "perimeters"
    assert got["ids"] == [
        "lens-centre-ville",
        "lens-entree-de-ville",
        "call-opah-ru-coeur-de-ville",
    ]
    assert all(Path(p).is_relative_to(site) for p in got["paths"])
    assert all(area > 10 for area in got["areas"])
    assert got["landmarks"] > 0

    cli = python("-m", "ortgeo.cli", "perimeters", "list", "--date", "2024-06-01")
    assert cli.returncode == 0, cli.stderr
    assert "lens-entree-de-ville" in cli.stdout
