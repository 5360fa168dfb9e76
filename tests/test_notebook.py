"""The exploration notebook: stored without outputs, and runs headless, offline, top to bottom.

The notebook is executed with nbclient on a kernel that runs *this* interpreter (the
project's venv): the kernel spec is written for ``sys.executable`` in ``tmp_path``, so a
``python3`` kernel installed elsewhere on the machine is never picked up. A first cell,
added only here, makes any non-loopback network connection fail; ``TMPDIR`` points to
``tmp_path``, so the notebook's ``tempfile.mkdtemp()`` folder is created there.
"""

from __future__ import annotations

import ast
import html
import json
import sys
import time
from pathlib import Path

import nbformat
import pytest
from ipykernel.kernelspec import write_kernel_spec
from jupyter_client.kernelspec import KernelSpecManager
from jupyter_client.manager import KernelManager
from nbclient import NotebookClient

from ortgeo.maps import offline_problems

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOK = ROOT / "notebooks" / "explorer_le_perimetre_ort.ipynb"
#: A cell taking longer than this is stuck (the whole notebook takes a few seconds).
CELL_TIMEOUT_S = 120

#: Prepended to the notebook for the test: no connection may leave the machine.
NETWORK_GUARD = """
import socket

_LOOPBACK = {"127.0.0.1", "::1", "localhost"}
_connect = socket.socket.connect
_getaddrinfo = socket.getaddrinfo


def _guarded_connect(self, address, *args):
    host = address[0] if isinstance(address, tuple) else None
    if self.family in (socket.AF_INET, socket.AF_INET6) and host not in _LOOPBACK:
        raise OSError(f"test_notebook: network access is forbidden ({address!r})")
    return _connect(self, address, *args)


def _guarded_getaddrinfo(host, *args, **kwargs):
    if host not in _LOOPBACK and host is not None:
        raise OSError(f"test_notebook: name resolution is forbidden ({host!r})")
    return _getaddrinfo(host, *args, **kwargs)


socket.socket.connect = _guarded_connect
socket.getaddrinfo = _guarded_getaddrinfo
"""

#: Appended to the notebook for the test: which interpreter ran it, where it wrote.
PROBE = "import json, sys\nprint(json.dumps({'prefix': sys.prefix, 'work': str(WORK)}))"


def _read() -> nbformat.NotebookNode:
    return nbformat.read(NOTEBOOK, as_version=4)


def _code(nb: nbformat.NotebookNode) -> list[str]:
    return [cell.source for cell in nb.cells if cell.cell_type == "code"]


def test_stored_without_outputs() -> None:
    raw = NOTEBOOK.read_text(encoding="utf-8")
    assert '"output_type"' not in raw, "strip the outputs before committing the notebook"
    nb = _read()
    nbformat.validate(nb)
    code_cells = [cell for cell in nb.cells if cell.cell_type == "code"]
    assert code_cells
    for i, cell in enumerate(code_cells):
        assert cell.outputs == [], f"code cell {i} has outputs"
        assert cell.execution_count is None, f"code cell {i} has an execution count"
        assert "execution" not in cell.metadata, f"code cell {i} keeps execution timings"
    assert set(nb.metadata) <= {"kernelspec", "language_info"}, sorted(nb.metadata)
    assert nb.metadata["kernelspec"]["name"] == "python3"


def test_offline_by_construction() -> None:
    """Every geocoding call names its geocoder (the local synthetic index), never the API."""
    nb = _read()
    text = "\n".join(cell.source for cell in nb.cells)
    assert "SYNTHÉTIQUE" in text and "indicatif" in text and "Denormandie" in text
    calls = 0
    for source in _code(nb):
        for node in ast.walk(ast.parse(source)):
            if not (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)):
                continue
            assert node.func.attr not in ("download_ban_export", "BanApiGeocoder"), node.func.attr
            if node.func.attr in ("check_address", "check_addresses"):
                calls += 1
                keywords = {kw.arg for kw in node.keywords}
                assert "geocoder" in keywords, (
                    f"{node.func.attr} without geocoder= (line {node.lineno})"
                )
            if node.func.attr in ("annex_map", "figure", "render_png"):
                assert "tiles" not in {kw.arg for kw in node.keywords}, "no online map tiles"
    assert calls >= 2
    assert "mkdtemp" in text


def _venv_kernel(tmp_path: Path) -> KernelManager:
    """A kernel manager whose ``python3`` kernel runs ``sys.executable``."""
    kernels = tmp_path / "kernels"
    write_kernel_spec(kernels / "python3")
    spec = json.loads((kernels / "python3" / "kernel.json").read_text(encoding="utf-8"))
    assert spec["argv"][0] == sys.executable
    ksm = KernelSpecManager(kernel_dirs=[str(kernels)], ensure_native_kernel=False)
    return KernelManager(kernel_name="python3", kernel_spec_manager=ksm)


def test_runs_top_to_bottom_offline(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TMPDIR", str(tmp_path))
    monkeypatch.setenv("ORTGEO_BAN_URL", "http://127.0.0.1:9")  # a closed port, if ever used
    monkeypatch.setenv("MPLBACKEND", "module://matplotlib_inline.backend_inline")
    repo_before = sorted(p.name for p in ROOT.iterdir())

    nb = _read()
    nb.cells.insert(0, nbformat.v4.new_code_cell(NETWORK_GUARD))
    nb.cells.append(nbformat.v4.new_code_cell(PROBE))
    client = NotebookClient(
        nb,
        km=_venv_kernel(tmp_path),
        timeout=CELL_TIMEOUT_S,
        startup_timeout=60,
        allow_errors=False,  # any cell error raises CellExecutionError
        resources={"metadata": {"path": str(tmp_path)}},
    )
    start = time.perf_counter()
    client.execute()
    elapsed = time.perf_counter() - start
    print(f"notebook executed in {elapsed:.1f} s")

    probe = json.loads(nb.cells[-1].outputs[0]["text"])
    assert probe["prefix"] == sys.prefix, "the kernel did not run the project's interpreter"
    work = Path(probe["work"])
    assert work.is_relative_to(tmp_path) and work.is_dir()
    assert (work / "carte_generale.png").read_bytes()[:4] == b"\x89PNG"
    assert sorted(p.name for p in ROOT.iterdir()) == repo_before, "the notebook wrote in the repo"

    outputs = [out for cell in nb.cells[1:-1] for out in cell.get("outputs", [])]
    assert not [out for out in outputs if out["output_type"] == "error"]
    maps = [out["data"]["text/html"] for out in outputs if "text/html" in out.get("data", {})
            and "leaflet" in out["data"]["text/html"].lower()]  # fmt: skip
    assert len(maps) >= 2, "the interactive maps are not displayed"
    for page in maps:
        assert offline_problems(html.unescape(page)) == []
    images = [out for out in outputs if "image/png" in out.get("data", {})]
    assert len(images) >= 3, "the two matplotlib maps and the print map are not displayed"
