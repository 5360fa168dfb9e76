"""Under ``CI=true`` a skip is a failure: a green CI run means that every test ran."""

from __future__ import annotations

from pathlib import Path

import pytest

pytest_plugins = ["pytester"]

CONFTEST = Path(__file__).with_name("conftest.py")

#: (test module source, outcome counts without CI, outcome counts under CI=true)
CASES = {
    "skip in the test": (
        "import pytest\ndef test_a():\n    pytest.skip('Debian chromium not installed')\n",
        {"skipped": 1}, {"failed": 1},
    ),
    "skip in a fixture": (
        "import pytest\n@pytest.fixture\ndef ref():\n    pytest.skip('../shared absent')\n"
        "def test_a(ref):\n    pass\n",
        {"skipped": 1}, {"errors": 1},
    ),
    "skipif marker": (
        "import pytest\n@pytest.mark.skipif(True, reason='no real addok')\n"
        "def test_a():\n    pass\n",
        {"skipped": 1}, {"errors": 1},
    ),
    "module skipped at collection": (
        "import pytest\npytest.importorskip('a_module_that_is_not_there')\n"
        "def test_a():\n    pass\n",
        {"skipped": 1}, {"errors": 1},
    ),
    "xfail stays xfail": (
        "import pytest\n@pytest.mark.xfail(reason='known')\ndef test_a():\n    assert False\n",
        {"xfailed": 1}, {"xfailed": 1},
    ),
    "a passing test passes": ("def test_a():\n    pass\n", {"passed": 1}, {"passed": 1}),
}  # fmt: skip


@pytest.mark.parametrize("ci", [False, True], ids=["local", "CI=true"])
@pytest.mark.parametrize("case", list(CASES))
def test_skips_fail_under_ci(pytester: pytest.Pytester, monkeypatch, case: str, ci: bool):
    source, local, under_ci = CASES[case]
    if ci:
        monkeypatch.setenv("CI", "true")
    else:
        monkeypatch.delenv("CI", raising=False)
    pytester.makeconftest(CONFTEST.read_text(encoding="utf-8"))
    pytester.makepyfile(test_case=source)
    result = pytester.runpytest("-p", "no:cacheprovider")
    result.assert_outcomes(**(under_ci if ci else local))
    if ci and case.startswith("skip"):
        result.stdout.fnmatch_lines(["*Skipped under CI=true, which must run every test*"])


def test_report_header_names_the_browser_versions(pytester: pytest.Pytester):
    pytester.makeconftest(CONFTEST.read_text(encoding="utf-8"))
    pytester.makepyfile(test_case="def test_a():\n    pass\n")
    result = pytester.runpytest("-p", "no:cacheprovider")
    result.stdout.fnmatch_lines(["chromium: *", "chromedriver: *", "reference data: *"])
