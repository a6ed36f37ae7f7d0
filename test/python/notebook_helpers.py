"""Run notebooks headless with nbclient on a real ipykernel from this repository's .venv."""
from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import nbformat

ROOT = Path(__file__).resolve().parents[2]
KERNEL = "polyray-test-venv"


def install_kernelspec(prefix: Path) -> None:
    """A kernelspec named KERNEL whose argv is this interpreter (the .venv's python)."""
    subprocess.run([sys.executable, "-m", "ipykernel", "install", "--prefix", str(prefix), "--name", KERNEL,
                    "--display-name", "polyray test"], check=True, capture_output=True)
    os.environ["JUPYTER_PATH"] = str(prefix / "share" / "jupyter") + os.pathsep + os.environ.get("JUPYTER_PATH", "")


def notebook(*cells: str) -> nbformat.NotebookNode:
    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_code_cell(c) for c in cells]
    return nb


def run(nb: nbformat.NotebookNode, cwd: Path, timeout: int = 180) -> nbformat.NotebookNode:
    from nbclient import NotebookClient

    client = NotebookClient(nb, kernel_name=KERNEL, timeout=timeout, allow_errors=True,
                            resources={"metadata": {"path": str(cwd)}})
    client.execute()
    return nb


def text(cell: nbformat.NotebookNode) -> str:
    """Everything a cell showed: streams, text/plain of results and displays, errors."""
    parts = []
    for out in cell.get("outputs", []):
        if out.output_type == "stream":
            parts.append(out.text)
        elif out.output_type in ("display_data", "execute_result"):
            parts.append(out.data.get("text/plain", ""))
        elif out.output_type == "error":
            parts.append(f"{out.ename}: {out.evalue}")
    return "\n".join(parts)


def reports(cell: nbformat.NotebookNode) -> list[dict]:
    return [out.data["application/vnd.polyray.report+json"] for out in cell.get("outputs", [])
            if out.output_type == "display_data" and "application/vnd.polyray.report+json" in out.data]
