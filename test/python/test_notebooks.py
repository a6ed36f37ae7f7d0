"""%%parallelize in real notebooks: nbclient runs them on an ipykernel from .venv."""
from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from notebook_helpers import ROOT, install_kernelspec, notebook, reports, run, text

KERNELS = ROOT / "test/kernels/polybench"

pytestmark = pytest.mark.skipif(not (ROOT / "lib/cli/main.js").exists(), reason="the compiler is not built (lib/)")


@pytest.fixture(scope="module")
def env(tmp_path_factory):
    base = tmp_path_factory.mktemp("nb")
    old = dict(os.environ)
    install_kernelspec(base / "kernels")
    os.environ["POLYRAY_CACHE_DIR"] = str(base / "cache")
    os.environ.pop("POLYRAY_TARGET", None)
    yield base
    os.environ.clear()
    os.environ.update(old)


def kernel_cell(name: str) -> str:
    return (KERNELS / f"{name}.py").read_text()


# plain reference: the same kernel file as an ordinary module, outside the magic
REFERENCE = """
import importlib.util, numpy as np, sys
sys.path.insert(0, {kernels!r})
import specs
def reference(name):
    spec = importlib.util.spec_from_file_location("ref_" + name, {kernels!r} + "/" + name + ".py")
    m = importlib.util.module_from_spec(spec); spec.loader.exec_module(m)
    return getattr(m, "kernel_" + name)
def check(name, fast):
    sizes = specs.SIZES[name]["SMALL"]
    a = specs.build_args(name, sizes, np.random.default_rng(1))
    b = specs.build_args(name, sizes, np.random.default_rng(1))
    reference(name)(*a); fast(*b)
    for k in specs.OUTPUTS[name]:
        assert np.array_equal(a[k], b[k]) or np.allclose(a[k], b[k], rtol=1e-12, atol=0), name
    print("EQUAL", name)
"""


def test_polybench_profiling_syntax_traps(env):
    nb = notebook(
        "%load_ext polyray",
        REFERENCE.format(kernels=str(KERNELS)),
        # exact mode: check() compares bit for bit or within 1e-12 of each element, while close mode's
        # product loops through BLAS are bounded relative to |A| @ |B| (docs/reliability.md)
        "%%parallelize --numerics exact\n" + kernel_cell("gemm") + "\n" + kernel_cell("atax").replace("import numpy as np\nimport numpy.typing as npt\n", ""),
        "check('gemm', kernel_gemm); check('atax', kernel_atax)\n"
        "import polyray.runtime as rt\n"
        "print(sorted({(r['function'], r['variant']) for r in rt.history()}))",
        # no hints: the profiling path
        "%%parallelize\nimport numpy as np\n\ndef scale(x, a):\n    for i in range(x.shape[0]):\n        x[i] = x[i] * a\n\n"
        "v = np.arange(6.0)\nscale(v, 2.0)\nprint(v.tolist())",
        "scale(np.arange(3), 2)\nprint([(r['variant'], r['reason']) for r in rt.history() if r['function'] == 'scale'])",
        # does not parse
        "%%parallelize\ndef broken(x: int) -> int\n    return x\n",
        "print('still running')",
        # traps: aliasing and wrong types run the original and say so
        "A = np.ones((4, 4)); kernel_gemm(4, 4, 4, 1.0, 1.0, A, A, A)\n"
        "print(rt.history()[-1]['variant'], '|', rt.history()[-1]['reason'])\n"
        "kernel_gemm(4, 4, 4, 1.0, 1.0, np.ones((4, 4), dtype=np.float32), np.ones((4, 4)), np.ones((4, 4)))\n"
        "print(rt.history()[-1]['variant'], '|', rt.history()[-1]['reason'])",
        # a cell whose last expression is displayed, as without the magic
        "%%parallelize --target original\ndef add1(n: int) -> int:\n    return n + 1\nadd1(41)",
        "%polyray report",
    )
    run(nb, env)
    out = [text(c) for c in nb.cells]
    assert "EQUAL gemm" in out[3] and "EQUAL atax" in out[3], out[3]
    assert "('kernel_gemm', 'cpu')" in out[3] and "('kernel_atax', 'cpu')" in out[3], out[3]
    rep = reports(nb.cells[2])
    assert len(rep) == 1 and {f["name"] for f in rep[0]["functions"]} == {"kernel_gemm", "kernel_atax"}
    # updated in place: the display in cell 2 shows the calls made by later cells
    assert {f["name"]: f["calls"] for f in rep[0]["functions"]} == {"kernel_gemm": 3, "kernel_atax": 1}  # two more in the trap cell
    assert "[0.0, 2.0, 4.0, 6.0, 8.0, 10.0]" in out[4], out[4]
    assert "('cpu'" in out[5] and "('original'" in out[5], out[5]  # int64 array: guard falls back
    assert "cell:3:" in out[6] and "error" in out[6] and "SyntaxError" in out[6], out[6]
    assert "still running" in out[7]
    assert out[8].splitlines()[0].startswith("original |") and "shares memory" in out[8].splitlines()[0], out[8]
    assert out[8].splitlines()[1].startswith("original |"), out[8]
    assert "42" in out[9] and nb.cells[9].outputs[-1].output_type == "execute_result", out[9]
    assert "add1" in out[10] and "POLYRAY_TARGET=original" in out[10], out[10]


def test_ray_target_and_cluster(env):
    nb = notebook(
        "%load_ext polyray",
        "%%parallelize --target ray\nimport numpy as np\nimport numpy.typing as npt\n\n"
        "def axpy(n: int, a: float, x: npt.NDArray[np.float64], y: npt.NDArray[np.float64]) -> None:\n"
        "    for i in range(n):\n        y[i] = y[i] + a * x[i]\n\n"
        "y = np.zeros(8)\naxpy(8, 2.0, np.ones(8), y)\nprint(y.sum())",
        "import polyray.runtime as rt\nr = rt.history()[-1]\nprint(r['variant'], '|', r['target'], '|', r['reason'], '|', len(r['nodes']))",
        "%polyray cluster",
        "%polyray disconnect",
    )
    run(nb, env, timeout=240)
    out = [text(c) for c in nb.cells]
    assert "16.0" in out[1], out[1]
    variant, target, reason, nodes = (s.strip() for s in out[2].strip().split("|"))
    # The compiler emits a Ray variant for axpy: the loop runs as Ray tasks on the embedded cluster.
    assert target == "ray" and variant == "ray" and int(nodes) >= 1, out[2]
    assert "embedded local cluster" in out[3] and "Ray cluster: 127.0.0.1:" in out[3] and "CPUs" in out[3] and "nodes: 1" in out[3], out[3]


FIRST_CELL = """%%parallelize
import numpy as np
import polyray.runtime as rt

def smooth(A: np.ndarray, out: np.ndarray, w: float) -> None:
    n, m = A.shape
    for i in range(1, n - 1):
        for j in range(m):
            out[i, j] = w * (A[i - 1, j] + A[i + 1, j]) + (1.0 - 2.0 * w) * A[i, j]

A = np.random.default_rng(0).random((80, 60)); out = np.zeros_like(A); ref = np.zeros_like(A)
smooth(A, out, 0.25); smooth.__wrapped__(A, ref, 0.25)
r = rt.history()[-1]
print("RUN", r["variant"], "|", r["reason"], "|", bool(np.array_equal(out, ref)))
"""


def test_a_cells_first_run_does_not_wait_for_the_jit_and_a_later_run_uses_the_variant(env, monkeypatch):
    """Issue 19: the first run of a %%parallelize cell runs the original while the variant compiles in the
    background (its record says so); the compile started when the cell was defined carries on after the
    cell; running the same cell again uses the compiled variant, with the same results."""
    monkeypatch.delenv("POLYRAY_JIT_WAIT", raising=False)  # the kernel is a user's: no waiting
    nb = notebook(
        "%load_ext polyray",
        FIRST_CELL,
        "from polyray.runtime import background\nprint('IDLE', background.wait_idle(240))",
        FIRST_CELL,
        "%polyray report",
    )
    run(nb, env)
    out = [text(c) for c in nb.cells]
    assert "RUN original | cpu variant compiling: " in out[1] and "ran original | True" in out[1], out[1]
    assert "IDLE True" in out[2], out[2]
    assert "RUN cpu | " in out[3] and out[3].rstrip().endswith("| True"), out[3]
