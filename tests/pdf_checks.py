"""What the PDF tests check with poppler-utils: the fonts a PDF embeds."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest


def pdffonts(path: Path) -> list[list[str]]:
    """The font table of ``pdffonts`` (poppler-utils): one row per font."""
    if shutil.which("pdffonts") is None:
        pytest.skip("pdffonts (poppler-utils) not installed: bash tools/setup_test_env.sh")
    out = subprocess.run(["pdffonts", str(path)], capture_output=True, text=True, check=True)
    return [line.split() for line in out.stdout.splitlines()[2:] if line.strip()]
