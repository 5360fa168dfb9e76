"""One address, fast (issue 22): ``ortgeo check ADDRESS`` with an offline index imports
neither pandas, geopandas, pyogrio, pyarrow nor requests (the point path keeps them out
too: ``test_point_path.py``), and checks one address with the rules of the batch path."""

from __future__ import annotations

import json
import math
import os
import random
import subprocess
import sys
from pathlib import Path

import pytest

from ortgeo.address import (
    MIN_SCORE,
    RUNNER_UP_MARGIN,
    _assessed,
    _assessed_one,
)
from ortgeo.geocoders import BanLocalGeocoder
from ortgeo.inforce import on
from ortgeo.testing import synthetic_ban_index

HEAVY = ("pandas", "geopandas", "pyogrio", "requests", "pyarrow")
#: what only building an index, reading a BAN export or asking the BAN API needs
NOT_FOR_A_LOOK_UP = ("ortgeo.geocoders.ban_api", "ortgeo.geocoders.ban_build",
                     "ortgeo.geocoders.ban_export", "ortgeo.geocoders.formats",
                     "ortgeo.geocoders.transport")  # fmt: skip

_PROBE = """
import json, sys
from ortgeo.cli import main
try:
    main(sys.argv[1:], standalone_mode=False)
finally:
    heavy = sorted({m.split('.')[0] for m in sys.modules if m.split('.')[0] in HEAVY}
                   | {m for m in sys.modules if m in NOT_FOR})
    print(json.dumps(heavy), file=sys.stderr)
""".replace("HEAVY", repr(HEAVY)).replace("NOT_FOR", repr(NOT_FOR_A_LOOK_UP))


@pytest.fixture(scope="module")
def index(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("weight")
    return synthetic_ban_index(folder, n_rows=3000, extra_citycodes=["62523", "62291"],
                               n_communes=5)  # fmt: skip


@pytest.mark.parametrize(
    "args",
    [["12 rue de Paris Lens"], ["12 rue de Paris Lens", "--json", "--date", "2024-06-01"],
     ["rue de Paris, Lens"],  # a street: every number of it located
     ["2 rue de la Gare"],  # no commune: the same street elsewhere, alternatives
     ["12 rue des Lilas Lens"],  # not found
     ["Lens"]],  # a municipality
)  # fmt: skip
def test_check_an_address_imports_no_table_library(
    args: list[str], index: Path, tmp_path: Path
) -> None:
    root = Path(__file__).resolve().parents[1]
    env = {"PATH": "", "PYTHONPATH": str(root),
           "ORTGEO_CACHE_DIR": os.environ.get("ORTGEO_CACHE_DIR", str(tmp_path))}  # fmt: skip
    proc = subprocess.run(
        [sys.executable, "-c", _PROBE, "check", *args, "--ban", str(index)],
        capture_output=True, text=True, cwd=tmp_path, env=env, timeout=120, check=False,
    )  # fmt: skip
    assert proc.returncode == 0, proc.stderr
    assert json.loads(proc.stderr.strip().splitlines()[-1]) == []
    assert proc.stdout.strip()


def _same(a: object, b: object) -> bool:
    if isinstance(a, float) and isinstance(b, float):  # numpy floats are floats
        return (math.isnan(a) and math.isnan(b)) or float(a).hex() == float(b).hex()
    return bool(a == b) and (a is None) == (b is None)


def _queries(geocoder: BanLocalGeocoder) -> list[str]:
    """Labels, streets without a number or a commune, typos, made-up streets, communes."""
    rng = random.Random(4)
    streets = geocoder.index.streets()
    out = ["Lens", "Loison", "12 rue des Lilas Lens", "", "rue de Paris", "2 rue de la Gare"]
    sample = streets[["name", "citycode", "postcode"]].sample(min(len(streets), 150),
                                                              random_state=4)  # fmt: skip
    for name, code, postcode in sample.itertuples(index=False):
        city = geocoder._streets.communes[code].name
        number = rng.choice([1, 2, 3, 7, 12, 40, 999])
        typo = name[:-2] + name[-1] + name[-2] if len(name) > 4 else name
        out += [f"{number} {name} {postcode} {city}", f"{name} {city}", f"{number} {name}",
                f"{number} {typo}, {city}", f"{number} {name.split()[-1]} {city}"]  # fmt: skip
    return out


def test_one_address_gets_the_answer_of_the_batch_path(index: Path) -> None:
    """:func:`_assessed_one` (one address, point by point) is row i of :func:`_assessed`
    (a batch, one call per kind of point), key by key, bit for bit."""
    geocoder = BanLocalGeocoder(index)
    results = [geocoder.geocode(q) for q in _queries(geocoder)]
    kinds = {(r.match_type, bool(r.candidates)) for r in results}
    assert {("housenumber", True), ("street", True), ("street", False), (None, False)} <= kinds
    for day, band_m in (("2024-06-01", None), ("2018-06-01", None), ("2024-06-01", 120.0)):
        state = on(day)
        batch = _assessed(results, state, geocoder, MIN_SCORE, RUNNER_UP_MARGIN, band_m)
        statuses = set()
        for i, r in enumerate(results):
            want = batch.row(i)
            got = _assessed_one(r, state, geocoder, MIN_SCORE, RUNNER_UP_MARGIN, band_m)
            assert list(got) == list(want), r.query
            bad = {k: (got[k], want[k]) for k in want if not _same(got[k], want[k])}
            assert not bad, (r.query, bad)
            statuses.add((got["status"], got["reason"][:30]))
        assert len(statuses) >= 5, statuses  # firm answers and several reasons
