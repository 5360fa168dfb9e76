"""The package type-checks: mypy on ``ortgeo/`` (config in pyproject.toml) finds no error.

Nothing is excluded; many robustness bugs (a date that may be ``None``, a path that may be
missing) are type errors, so CI enforces this like any other test.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


def test_mypy_finds_no_error() -> None:
    pytest.importorskip("mypy", reason="mypy is in the test extra: pip install -e '.[test]'")
    done = subprocess.run(
        [sys.executable, "-m", "mypy", "--config-file",
         str(ROOT / "pyproject.toml"), str(ROOT / "ortgeo")],
        capture_output=True, text=True, cwd=ROOT, timeout=600,
    )  # fmt: skip
    assert done.returncode == 0, done.stdout[-6000:] + done.stderr[-2000:]


def test_mypy_config_excludes_nothing() -> None:
    import tomllib

    config = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["tool"]["mypy"]
    assert "exclude" not in config and config.get("files") == ["ortgeo"]
    assert not config.get("ignore_errors") and not config.get("ignore_missing_imports")
    for override in config.get("overrides", []):
        assert not override.get("ignore_errors"), override
        assert all(not m.startswith("ortgeo") for m in override["module"]), override
