"""`ortgeo check` in both coordinate modes, text and JSON, and on bad input."""

from __future__ import annotations

import json

import pytest
from click.testing import CliRunner

from ortgeo.cli import main


@pytest.fixture
def run():
    runner = CliRunner()

    def _run(*args: str):
        return runner.invoke(main, list(args), catch_exceptions=False)

    return _run


def test_check_lonlat_french_text(run):
    res = run("check", "--lonlat", "2.833889,50.429167", "--date", "2024-06-01")
    assert res.exit_code == 0
    assert "ORT de la CALL – secteurs de Lens : INCLUS" in res.output
    assert "- Centre-ville de Lens : inclus, à 384" in res.output
    assert "Commune : Lens (62498)" in res.output
    assert "Denormandie" in res.output


def test_check_xy_json_matches_lonlat(run):
    by_xy = json.loads(
        run("check", "--xy", "688180,7036861", "--date", "2024-06-01", "--json").output
    )
    by_ll = json.loads(
        run("check", "--lonlat", "2.833889,50.429167", "--date", "2024-06-01", "--json").output
    )
    assert by_xy["status"] == by_ll["status"] == "dedans"
    assert by_xy["ort"]["distance_m"] == pytest.approx(by_ll["ort"]["distance_m"], abs=1)


def test_check_refuses_degrees_given_as_lambert93_and_prints_valid_json(run):
    res = run("check", "--xy", "2.833889,50.429167", "--date", "2024-06-01")
    assert res.exit_code == 0 and "INVALIDE" in res.output and "degrés WGS84" in res.output
    out = run("check", "--lonlat", "nan,50.4", "--json").output
    assert json.loads(out)["status"] == "invalide"
    assert "NaN" not in out and "Infinity" not in out


def test_check_exit_zero_whatever_the_verdict(run):
    for lonlat in ("2.863056,50.420278", "50.43,2.83"):
        assert run("check", "--lonlat", lonlat).exit_code == 0
    assert "INVALIDE" in run("check", "--lonlat", "50.43,2.83").output


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["check"], "exactly one of ADDRESS"),
        (["check", "--lonlat", "abc"], "two numbers"),
        (["check", "--xy", "1,2,3"], "two numbers"),
        (["check", "--lonlat", "2.83,50.43", "--date", "2024-02-30"], "Invalid date"),
        (["check", "--lonlat", "2.83,50.43", "--catalog", "nope.toml"], "not found"),
        (["check", "--lonlat", "2.83,50.43", "--band", "-5"], "--band: must be a finite number"),
        (["check", "--lonlat", "2.83,50.43", "--band", "nan"], "--band: must be a finite number"),
    ],
)
def test_check_bad_input_exit_2(run, args, message):
    res = run(*args)
    assert res.exit_code == 2
    assert message in res.output
    assert "Traceback" not in res.output
