"""The command line in French for French users (gettext, Babel), in English otherwise; the
catalog complete and compiled; without an address index, ``check`` says at once which flag
to use."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from tools.i18n import problems  # noqa: E402


def _run(args: list[str], lang: str, tmp_path: Path, **env: str) -> subprocess.CompletedProcess:
    base = {k: v for k, v in os.environ.items()
            if k not in ("LANGUAGE", "LC_ALL", "LC_MESSAGES", "LANG", "ORTGEO_BAN_INDEX",
                         "ORTGEO_BAN_URL")}  # fmt: skip
    base.update(LANG=lang, ORTGEO_CACHE_DIR=str(tmp_path / "cache"), **env)
    return subprocess.run([sys.executable, "-m", "ortgeo.cli", *args], capture_output=True,
                          text=True, env=base, timeout=120)  # fmt: skip


def test_catalog_is_complete_and_compiled():
    """Every message of the command line has its French, and the .mo is the .po compiled."""
    assert problems() == []


def test_help_in_french_for_french_users_in_english_otherwise(tmp_path):
    fr = _run(["--help"], "fr_FR.UTF-8", tmp_path)
    assert fr.returncode == 0
    assert fr.stdout.startswith("Utilisation : ") and "Commandes:" in fr.stdout
    assert "La fiche de situation d'une adresse" in fr.stdout
    en = _run(["--help"], "C.UTF-8", tmp_path)
    assert en.stdout.startswith("Usage: ") and "The fiche de situation" in en.stdout
    sub = _run(["check", "--help"], "fr_FR.UTF-8", tmp_path)
    assert "Longitude,latitude WGS84." in sub.stdout
    assert "Afficher cette aide et quitter." in sub.stdout


def test_library_errors_are_printed_in_french(tmp_path):
    fr = _run(["check", "--lonlat", "2.83,50.43", "--date", "hier"], "fr_FR.UTF-8", tmp_path)
    assert fr.returncode == 2
    assert fr.stderr.strip() == ("Erreur : Date invalide 'hier' : attendu une date ISO "
                                 "AAAA-MM-JJ, par exemple 2024-06-01.")  # fmt: skip
    en = _run(["check", "--lonlat", "2.83,50.43", "--date", "hier"], "en_GB.UTF-8", tmp_path)
    assert en.stderr.strip().startswith("Error: Invalid date 'hier'")


@pytest.mark.parametrize("command", [["check"], ["fiche", "-o", "f.pdf"]])
def test_without_an_index_say_at_once_which_flag(tmp_path, command):
    started = time.monotonic()
    done = _run([*command, "3 rue de la Gare, Lens"], "fr_FR.UTF-8", tmp_path)
    assert time.monotonic() - started < 30  # no network attempt, no retries
    assert done.returncode == 2
    assert "--ban INDEX" in done.stderr and "ortgeo ban download 62" in done.stderr
    assert "get_geocoder" not in done.stderr and "Python" not in done.stderr
