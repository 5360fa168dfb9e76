"""Shared fixtures.

Reference data with provenance lives in ``../shared/data/reference/`` (see its
PROVENANCE.md). It is never copied into the repository: tests that need it use the
``reference`` fixture, which skips cleanly when it is absent.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
REFERENCE = Path(os.environ.get("ORTGEO_REFERENCE", ROOT.parent / "shared" / "data" / "reference"))


@pytest.fixture(scope="session")
def reference() -> Path:
    """Folder ``../shared/data/reference`` (skip the test when it is absent)."""
    if not REFERENCE.is_dir():
        pytest.skip(f"reference data not found at {REFERENCE} (../shared absent)")
    return REFERENCE


@pytest.fixture(autouse=True)
def _isolated_cache(tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch):
    """Never touch the user's cache or environment, never reach the internet by accident.

    Each test session gets its own cache folder; the BAN API URL points to a closed local
    port unless a test sets its own (a test server on 127.0.0.1).
    """
    monkeypatch.setenv("ORTGEO_CACHE_DIR", str(tmp_path_factory.getbasetemp() / "cache"))
    monkeypatch.setenv("ORTGEO_BAN_URL", "http://127.0.0.1:9")
    monkeypatch.delenv("ORTGEO_BAN_INDEX", raising=False)
