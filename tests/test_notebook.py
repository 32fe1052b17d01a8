"""The researcher notebook runs top to bottom, offline, in this virtual environment's Python."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest
from conftest import JRC_DEV, ROOT

NOTEBOOK = ROOT / "notebooks" / "retrain_jrc.ipynb"
KERNEL = "facet-classifier-venv"

# Run first inside the kernel: report which Python runs the notebook, and refuse any connection
# that leaves this machine, so a notebook that needs the network fails here instead of in a
# researcher's offline session.
GUARD = r"""
import socket, sys
_LOCAL = ("127.", "::1", "localhost", "0.0.0.0")
def _refuse_remote(address):
    host = address[0] if isinstance(address, tuple) else str(address)
    if not str(host).startswith(_LOCAL):
        raise OSError(f"network access attempted from the notebook: {address}")
_connect = socket.socket.connect
def _guarded_connect(self, address):
    _refuse_remote(address)
    return _connect(self, address)
socket.socket.connect = _guarded_connect
_getaddrinfo = socket.getaddrinfo
def _guarded_getaddrinfo(host, *args, **kwargs):
    _refuse_remote((host,))
    return _getaddrinfo(host, *args, **kwargs)
socket.getaddrinfo = _guarded_getaddrinfo
print(sys.executable)
"""


def test_notebook_is_committed_without_outputs() -> None:
    notebook = json.loads(NOTEBOOK.read_text(encoding="utf-8"))
    code = [cell for cell in notebook["cells"] if cell["cell_type"] == "code"]
    assert code, "the notebook has no code cells"
    assert all(cell["outputs"] == [] and cell["execution_count"] is None for cell in code)


def _install_venv_kernel(folder: Path) -> None:
    """A kernelspec that starts exactly this interpreter (the venv's), found via JUPYTER_PATH."""
    spec = folder / "kernels" / KERNEL
    spec.mkdir(parents=True)
    argv = [sys.executable, "-m", "ipykernel_launcher", "-f", "{connection_file}"]
    (spec / "kernel.json").write_text(json.dumps({"argv": argv, "display_name": "facet-classifier venv", "language": "python"}))


def _text_outputs(cell: dict) -> str:
    parts = []
    for output in cell.get("outputs", []):
        if output.get("output_type") == "stream":
            parts.append(output["text"])
        elif "data" in output and "text/plain" in output["data"]:
            parts.append(output["data"]["text/plain"])
    return "".join(parts)


@pytest.mark.slow
def test_notebook_runs_top_to_bottom_offline(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    if not JRC_DEV.exists():
        pytest.skip(f"{JRC_DEV} is not available here; the notebook retrains on it")
    nbformat = pytest.importorskip("nbformat", reason="nbformat is in the dev extra: pip install -e '.[dev]'")
    nbclient = pytest.importorskip("nbclient", reason="nbclient is in the dev extra: pip install -e '.[dev]'")
    pytest.importorskip("ipykernel", reason="ipykernel is in the dev extra: pip install -e '.[dev]'")
    _install_venv_kernel(tmp_path / "jupyter")
    monkeypatch.setenv("JUPYTER_PATH", str(tmp_path / "jupyter"))
    monkeypatch.setenv("RETRAIN_JRC_WORKDIR", str(tmp_path / "work"))
    monkeypatch.setenv("MPLBACKEND", "Agg")
    notebook = nbformat.read(NOTEBOOK, as_version=4)
    notebook.cells.insert(0, nbformat.v4.new_code_cell(GUARD))
    client = nbclient.NotebookClient(notebook, kernel_name=KERNEL, timeout=600, resources={"metadata": {"path": str(NOTEBOOK.parent)}})
    client.execute()
    assert _text_outputs(notebook.cells[0]).strip() == sys.executable  # the venv's Python ran it
    everything = "\n".join(_text_outputs(cell) for cell in notebook.cells)
    assert "data: " in everything and "(found)" in everything
    assert "cross-validated primary accuracy" in everything
    assert "overall: " in everything and "verdict: " in everything
    assert "learning curve: held-out metrics" in everything
    images = [o for cell in notebook.cells for o in cell.get("outputs", []) if "image/png" in o.get("data", {})]
    assert images, "the learning-curve PNG is not displayed"
    assert (tmp_path / "work" / "sector-text" / "learning_curve.png").exists()
