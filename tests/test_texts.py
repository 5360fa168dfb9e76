def test_compiled_templates_are_kept_in_the_cache_folder(tmp_path) -> None:
    """A second command reads the compiled templates from ``<cache>/jinja`` (same text); a
    cache folder that cannot be made only means compiling."""
    import os
    import subprocess
    import sys

    def check(cache: str) -> str:
        env = {**os.environ, "ORTGEO_CACHE_DIR": cache, "LANG": "C.UTF-8"}
        args = [sys.executable, "-m", "ortgeo.cli", "check", "--lonlat", "2.833889,50.429167",
                "--date", "2024-06-01"]  # fmt: skip
        run = subprocess.run(args, capture_output=True, text=True, env=env, timeout=120)
        assert run.returncode == 0, run.stderr
        return run.stdout

    first = check(str(tmp_path / "cache"))
    kept = sorted((tmp_path / "cache" / "jinja").glob("*.cache"))
    assert kept, "no compiled template kept"
    stamps = [p.stat().st_mtime_ns for p in kept]
    assert check(str(tmp_path / "cache")) == first
    assert [p.stat().st_mtime_ns for p in kept] == stamps  # read, not written again
    (tmp_path / "a-file").write_text("not a folder")
    assert check(str(tmp_path / "a-file")) == first
