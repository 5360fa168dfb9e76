"""Shared fixtures and hooks.

Reference data with provenance lives in ``../shared/data/reference/`` (see its
PROVENANCE.md). It is never copied into the repository: tests that need it use the
``reference`` fixture, which skips cleanly when it is absent.

Under ``CI=true`` a skip is a failure (as in geopandas' CI): a missing ``../shared``,
Chromium or addok must not turn into a green run in which some tests never ran. Expected
failures (``xfail``) stay what they are.
"""

from __future__ import annotations

import os
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
REFERENCE = Path(os.environ.get("ORTGEO_REFERENCE", ROOT.parent / "shared" / "data" / "reference"))
#: The command line speaks the locale's language (French for fr*): the tests read its English,
#: whatever the machine's locale; tests/test_i18n.py runs it in French in subprocesses.
os.environ["LANGUAGE"] = "en"
#: The browser tests drive these (Debian's chromium and chromium-driver).
BROWSER_TOOLS = {"chromium": "/usr/bin/chromium", "chromedriver": "/usr/bin/chromedriver"}


def in_ci() -> bool:
    """Whether the run is CI's (``CI=true``, as GitHub, GitLab and ``.ci/run`` set it)."""
    return os.environ.get("CI", "").strip().lower() in ("true", "1", "yes")


def _version(program: str) -> str:
    try:
        done = subprocess.run([program, "--version"], capture_output=True, text=True, timeout=30)
    except (OSError, subprocess.SubprocessError) as exc:
        return f"unavailable ({type(exc).__name__})"
    lines = [line.strip() for line in done.stdout.splitlines() if line.strip()]
    return lines[-1] if lines else f"unknown (exit status {done.returncode})"


def pytest_report_header(config: pytest.Config) -> list[str]:
    """Versions of the browser tools and whether skips fail (CI), in the report header."""
    lines = [
        f"{name}: {_version(path) if os.path.exists(path) else f'not installed ({path})'}"
        for name, path in BROWSER_TOOLS.items()
    ]
    lines.append(f"reference data: {REFERENCE if REFERENCE.is_dir() else 'absent'}")
    if in_ci():
        lines.append("CI=true: a test that would be skipped fails instead")
    return lines


def _fail_skip(report: pytest.TestReport | pytest.CollectReport) -> None:
    if not (in_ci() and report.skipped and not hasattr(report, "wasxfail")):
        return
    longrepr = report.longrepr
    reason = str(longrepr[2] if isinstance(longrepr, tuple) else longrepr).removeprefix("Skipped: ")
    report.outcome = "failed"
    report.longrepr = (
        f"Skipped under CI=true, which must run every test: {reason}. "
        "Install what the test needs (bash tools/setup_test_env.sh; ../shared beside the "
        "repository; bash .ci/addok.sh for addok)."
    )


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]) -> Iterator[None]:
    """Under CI, turn a skipped test into a failure that says why it would have skipped."""
    outcome = yield
    _fail_skip(outcome.get_result())


@pytest.hookimpl(hookwrapper=True)
def pytest_make_collect_report(collector: pytest.Collector) -> Iterator[None]:
    """Under CI, a module skipped at collection (``importorskip``...) fails too."""
    outcome = yield
    _fail_skip(outcome.get_result())


@pytest.fixture(scope="session")
def reference() -> Path:
    """Folder ``../shared/data/reference`` (skip the test when it is absent)."""
    if not REFERENCE.is_dir():
        pytest.skip(f"reference data not found at {REFERENCE} (../shared absent)")
    return REFERENCE


@pytest.fixture(autouse=True)
def _isolated_cache(tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch):
    """Never touch the user's cache or environment, never reach the internet by accident.

    Each test session gets its own cache folder; the BAN API and ANCT table URLs point to a
    closed local port unless a test sets its own (a test server on 127.0.0.1).
    """
    monkeypatch.setenv("ORTGEO_CACHE_DIR", str(tmp_path_factory.getbasetemp() / "cache"))
    monkeypatch.setenv("ORTGEO_BAN_URL", "http://127.0.0.1:9")
    monkeypatch.setenv("ORTGEO_ANCT_URL", "http://127.0.0.1:9/ort.csv")
    monkeypatch.delenv("ORTGEO_BAN_INDEX", raising=False)
