"""One compiled file imported under several module names and from two directories, each
time in a fresh process (issue 15 item 3; numba issue 7075).

Numba's on-disk cache used to find an entry written under one module name when the same
file was imported (importlib, ``spec_from_file_location``) under another, or without
registering it in ``sys.modules``, and the user's call died of ``ModuleNotFoundError``.
Here the file is compiled once; a first process fills the cache as ``polyray_mn_a``; the
folder is then copied with its ``__pycache__`` (times kept, so Numba takes the entries for
fresh); later processes import either copy under other names (and one without
registering it) under ``auto``, ``cpu``, ``gpu`` (Numba's CUDA simulator) and ``ray``
(an embedded local cluster). Every call must give the original's result, raise nothing,
and run the variant asked for; a name seen before must load its own cache entry.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]

SOURCE = '''
import numpy as np


def axpy(A: np.ndarray, B: np.ndarray, s: float) -> None:
    for i in range(A.shape[0]):
        A[i] = A[i] * s + B[i]


def rowsum(M: np.ndarray, out: np.ndarray) -> None:
    for i in range(M.shape[0]):
        acc = 0.0
        for j in range(M.shape[1]):
            acc += M[i, j] * (j + 1)
        out[i] = acc
'''

# Runs in the fresh process: import FILE as NAME (registered in sys.modules unless told
# not to), call both functions under POLYRAY_TARGET (set by the parent), compare with the
# originals on copies, print what ran. Any exception fails the process, hence the test.
CHILD = textwrap.dedent('''
    import importlib.util, json, sys
    import numpy as np
    import polyray.runtime as rt

    path, name, register = sys.argv[1], sys.argv[2], sys.argv[3] == "1"
    spec = importlib.util.spec_from_file_location(name, path)
    module = importlib.util.module_from_spec(spec)
    if register:
        sys.modules[name] = module
    spec.loader.exec_module(module)

    rng = np.random.default_rng(7)
    A, B = rng.random(300), rng.random(300)
    M, out = rng.random((40, 30)), np.zeros(40)
    calls = [("axpy", (A, B, 1.5)), ("rowsum", (M, out))]
    report = []
    for fname, args in calls:
        mine = [a.copy() if isinstance(a, np.ndarray) else a for a in args]
        ref = [a.copy() if isinstance(a, np.ndarray) else a for a in args]
        getattr(module, fname)(*mine)
        record = rt.history()[-1]
        getattr(module, "_polyray_original_" + fname)(*ref)
        same = all(np.array_equal(x, y) for x, y in zip(mine, ref) if isinstance(x, np.ndarray))
        report.append({"function": fname, "same": same, "variant": record["variant"],
                       "reason": record["reason"], "cache": record.get("cache"), "error": record.get("error")})
    print("REPORT " + json.dumps(report))
''')


@pytest.fixture(scope="module")
def folders(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """d1/kern.py compiled, its cache filled as polyray_mn_a; d2 a copy of d1 made after that."""
    if not (ROOT / "lib/cli/main.js").exists():
        pytest.skip("the compiler is not built (run npm test, which builds lib/)")
    base = tmp_path_factory.mktemp("module-names")
    src, d1 = base / "kern_src.py", base / "d1"
    d1.mkdir()
    src.write_text(SOURCE)
    subprocess.run(["node", str(ROOT / "bin/polyray.mjs"), "compile", str(src), "-o", str(d1 / "kern.py")],
                   check=True, cwd=ROOT, capture_output=True)
    text = (d1 / "kern.py").read_text()
    for needed in ("CpuVariant(_polyray_cpu_axpy", "GpuVariant(_polyray_gpu_axpy", "RayVariant(_polyray_block_axpy"):
        assert needed in text, f"the test kernel lost a variant ({needed}): pick another kernel"
    first = run_child(d1, "polyray_mn_a", "cpu")
    assert all(r["variant"] == "cpu" and r["same"] for r in first["report"]), first
    assert list((d1 / "__pycache__").glob("kern.*.nbi")), "the first process cached nothing"
    shutil.copytree(d1, base / "d2")  # copy2: times kept, so the cache is as fresh in d2 as in d1
    return d1, base / "d2"


def run_child(folder: Path, name: str, target: str, register: bool = True, sim: bool = False,
              timeout: int = 240) -> dict:
    env = dict(os.environ, POLYRAY_TARGET=target, NUMBA_DEBUG_CACHE="1")
    env.pop("NUMBA_CACHE_DIR", None)  # the cache next to the file, as users get it (and copied with it)
    env.pop("NUMBA_ENABLE_CUDASIM", None)
    if sim:
        env["NUMBA_ENABLE_CUDASIM"] = "1"
    env["PYTHONPATH"] = os.pathsep.join([str(ROOT / "python-bridge"), env.get("PYTHONPATH", "")])
    proc = subprocess.run([sys.executable, "-c", CHILD, str(folder / "kern.py"), name, "1" if register else "0"],
                          cwd=folder.parent, env=env, capture_output=True, text=True, timeout=timeout)
    out = proc.stdout + proc.stderr
    assert proc.returncode == 0, f"{name} from {folder.name} under {target}: the call raised\n{out[-4000:]}"
    line = next(line for line in proc.stdout.splitlines() if line.startswith("REPORT "))
    # loads of the generated module's own entries (next to it); the runtime's helpers cached on disk (cdiv, the
    # fused entry's helpers: runtime/numba_helpers.py) load from polyray's folder and are not counted
    loaded = [ln for ln in out.splitlines() if "[cache] data loaded from" in ln and str(folder) in ln]
    return {"report": json.loads(line[len("REPORT "):]), "loaded": len(loaded), "output": out}


@pytest.mark.parametrize(
    ("where", "name", "target", "register"),
    [
        ("d1", "polyray_mn_b", "cpu", True),  # another name, same folder: numba issue 7075
        ("d1", "polyray_mn_b", "auto", True),  # again: b's own entry loads
        ("d2", "polyray_mn_a", "auto", True),  # the first name, from the copied folder
        ("d2", "polyray_mn_c", "cpu", True),  # a third name from the copy
        ("d1", "polyray_mn_a", "cpu", False),  # the first name, not in sys.modules: numba could not re-import it
    ],
    ids=["d1-b-cpu", "d1-b-auto-again", "d2-a-auto", "d2-c-cpu", "d1-a-unregistered-cpu"],
)
def test_cpu_and_auto_under_other_names_and_folders(folders, where, name, target, register) -> None:
    d1, d2 = folders
    got = run_child(d1 if where == "d1" else d2, name, target, register)
    for r in got["report"]:
        assert r["same"], r
        assert r["error"] is None, r
        # the variant itself ran (not the dispatcher's fallback): the cache no longer breaks it
        assert r["variant"] == "cpu", r
    if not register:
        assert all("not importable under its own name" in (r["cache"] or "") for r in got["report"]), got["report"]
        assert got["loaded"] == 0
    if name == "polyray_mn_b" and target == "auto":  # b's entries, written by the cpu run before, load
        assert got["loaded"] >= 2, got["output"][-3000:]
    if where == "d2" and name == "polyray_mn_a":  # the copied entries of a load in the copied folder
        assert got["loaded"] >= 2, got["output"][-3000:]


@pytest.mark.parametrize("where", ["d1", "d2"])
def test_gpu_simulator_under_other_names_and_folders(folders, where) -> None:
    d1, d2 = folders
    got = run_child(d1 if where == "d1" else d2, f"polyray_mn_gpu_{where}", "gpu", sim=True)
    for r in got["report"]:
        assert r["same"] and r["error"] is None, r
        assert r["variant"] == "gpu", r


def test_ray_under_another_name_from_the_copied_folder(folders) -> None:
    pytest.importorskip("ray")
    _d1, d2 = folders
    got = run_child(d2, "polyray_mn_ray", "ray", timeout=400)
    axpy = got["report"][0]
    assert axpy["same"] and axpy["error"] is None, axpy
    assert axpy["variant"] == "ray", axpy
    assert got["report"][1]["same"] and got["report"][1]["error"] is None, got["report"]
