"""@parallelize: types from the first call, one compile per signature, the original when it cannot compile."""
from __future__ import annotations

import json
import subprocess
import sys
import textwrap
from pathlib import Path

import numpy as np
import pytest

import polyray
import polyray.runtime as rt
from polyray import parallelize
from polyray.compile_service import cli_path
from polyray.decorator import Parallelized, kernel_source

BUILT = (cli_path().parent.parent / "lib/cli/main.js").exists() or cli_path().suffix == ".mjs" and cli_path().exists()
needs_compiler = pytest.mark.skipif(not BUILT, reason="the compiler is not built (lib/)")


@pytest.fixture(autouse=True)
def _own_cache(tmp_path, monkeypatch):
    monkeypatch.setenv("POLYRAY_CACHE_DIR", str(tmp_path / "cache"))


@parallelize
def axpy(a, x, y):
    for i in range(x.shape[0]):
        y[i] = a * x[i] + y[i]


@parallelize(target="cpu", numerics="exact")
def add_one(v: np.ndarray, n: int):
    for i in range(n):
        v[i] = v[i] + 1.0


@parallelize
def first_of(v):
    return v[0]


def records(name):
    return [r for r in rt.history() if r["function"] == name]


def test_the_decorator_is_exported_lazily_and_keeps_the_function_s_identity():
    assert polyray.parallelize is parallelize
    assert isinstance(axpy, Parallelized) and axpy.__name__ == "axpy" and axpy.__wrapped__.__name__ == "axpy"
    assert add_one.target == "cpu" and add_one.numerics == "exact" and axpy.numerics is None


def test_kernel_source_keeps_imports_and_the_def_on_their_lines_without_the_decorator():
    base, node = kernel_source(axpy.fn)
    lines = base.split("\n")
    file_lines = Path(__file__).read_text().split("\n")
    assert lines[0] == "" and node.lineno == axpy.fn.__code__.co_firstlineno + 1  # the def, one below @parallelize
    assert lines[node.lineno] == file_lines[node.lineno - 1] == "def axpy(a, x, y):"
    assert "@parallelize" not in base and "import numpy as np" in base and "BUILT =" not in base


@needs_compiler
def test_first_call_compiles_from_the_argument_types_and_runs_the_cpu_variant():
    x = np.arange(50.0)
    y = np.ones(50)
    axpy(2.0, x, y)
    axpy(2.0, x, y)
    np.testing.assert_array_equal(y, 1.0 + 4.0 * x)
    recs = records("axpy")
    assert [r["variant"] for r in recs] == ["cpu", "cpu"], recs
    assert len(axpy.compiled) == 1


@needs_compiler
def test_a_new_signature_compiles_again_and_stays_correct():
    x64, y64 = np.arange(20.0), np.zeros(20)
    axpy(3.0, x64, y64)
    x32, y32 = np.arange(20, dtype=np.float32), np.zeros(20, dtype=np.float32)
    axpy(3.0, x32, y32)
    np.testing.assert_array_equal(y32, (3.0 * x32).astype(np.float32))
    assert y32.dtype == np.float32
    keys = [dict(k) for k in axpy.compiled]
    f32, f64 = "np.ndarray[tuple[int], np.dtype[np.float32]]", "np.ndarray[tuple[int], np.dtype[np.float64]]"
    assert {"a": "float", "x": f32, "y": f32} in keys
    assert {"a": "float", "x": f64, "y": f64} in keys
    assert all(r["variant"] == "cpu" for r in records("axpy")), records("axpy")


@needs_compiler
def test_target_and_hints_as_written():
    v = np.zeros(8)
    add_one(v, 5)
    assert v.tolist() == [1.0] * 5 + [0.0] * 3
    (rec,) = records("add_one")
    assert rec["variant"] == "cpu" and rec["target"] == "cpu"


def test_an_argument_without_a_hint_runs_the_original_and_says_why():
    assert first_of([5, 6]) == 5
    (rec,) = records("first_of")
    assert rec["variant"] == "original" and "no hint for parameter v (list)" in rec["reason"]


def test_unavailable_source_runs_the_original_and_records_why():
    namespace: dict = {}
    exec(compile("def twice(v):\n    return v * 2\n", "<generated>", "exec"), namespace)
    twice = parallelize(namespace["twice"])
    assert twice(np.arange(3)).tolist() == [0, 2, 4]
    (rec,) = records("twice")
    assert rec["variant"] == "original" and "source unavailable" in rec["reason"]


def test_the_compile_service_missing_runs_the_original(monkeypatch):
    from polyray import decorator
    from polyray.compile_service import CompileServiceError

    def broken():
        raise CompileServiceError("node was not found on PATH")

    monkeypatch.setattr(decorator, "get_service", broken)

    @parallelize
    def inc(v):
        for i in range(v.shape[0]):
            v[i] += 1

    v = np.zeros(3, dtype=np.int64)
    inc(v)
    assert v.tolist() == [1, 1, 1]
    (rec,) = records("inc")
    assert rec["variant"] == "original" and "node was not found" in rec["reason"]


def test_bad_arguments():
    with pytest.raises(ValueError, match="target must be one of"):
        parallelize(target="tpu")
    with pytest.raises(ValueError, match="numerics must be one of"):
        parallelize(numerics="fast")
    with pytest.raises(TypeError, match="expected a Python function"):
        parallelize(42)
    with pytest.raises(TypeError, match="use keywords"):
        parallelize("cpu")
    with pytest.raises(TypeError):  # a call that does not bind fails as it would without the decorator
        axpy(1.0)


@needs_compiler
def test_in_a_notebook_cell():
    """IPython keeps each cell's text in linecache, where the decorator reads the source."""
    from IPython import get_ipython
    from IPython.testing.globalipapp import start_ipython

    ip = start_ipython() or get_ipython()  # one shell per process: another test may have started it
    cell = textwrap.dedent("""
        import numpy as np
        from polyray import parallelize

        @parallelize
        def cube(v, out):
            for i in range(v.shape[0]):
                out[i] = v[i] * v[i] * v[i]

        v = np.arange(4.0)
        out = np.zeros(4)
        cube(v, out)
    """)
    result = ip.run_cell(cell)
    assert result.success, result.error_in_exec
    assert ip.user_ns["out"].tolist() == [0.0, 1.0, 8.0, 27.0]
    assert [r["variant"] for r in records("cube")] == ["cpu"], records("cube")


@needs_compiler
def test_in_a_script(tmp_path):
    script = tmp_path / "script.py"
    script.write_text(textwrap.dedent("""
        import json
        import numpy as np
        import polyray.runtime as rt
        from polyray import parallelize

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
        print(json.dumps({"out": out.tolist(), "variants": [r["variant"] for r in rt.history()]}))
    """))
    bridge = str(Path(polyray.__file__).resolve().parent.parent)
    proc = subprocess.run([sys.executable, str(script)], capture_output=True, text=True, timeout=300,
                          env={**__import__("os").environ, "PYTHONPATH": bridge, "POLYRAY_CACHE_DIR": str(tmp_path / "c")})
    assert proc.returncode == 0, proc.stderr
    got = json.loads(proc.stdout.strip().splitlines()[-1])
    assert got == {"out": [6.0, 22.0, 38.0], "variants": ["cpu"]}



def test_any_failure_to_read_the_source_runs_the_original(monkeypatch):
    from polyray import decorator

    def broken(fn):
        raise RuntimeError("unexpected layout")

    monkeypatch.setattr(decorator, "kernel_source", broken)

    @parallelize
    def plus_one(v):
        return v + 1

    assert plus_one(1) == 2
    (rec,) = records("plus_one")
    assert rec["variant"] == "original" and "source unavailable (RuntimeError: unexpected layout)" in rec["reason"]


@needs_compiler
def test_a_function_defined_inside_another_is_compiled_from_its_own_source():
    def make():
        @parallelize
        def halve(v, out):
            for i in range(v.shape[0]):
                out[i] = v[i] / 2.0

        return halve

    halve = make()
    v, out = np.arange(4.0), np.zeros(4)
    halve(v, out)
    assert out.tolist() == [0.0, 0.5, 1.0, 1.5]
    assert [r["variant"] for r in records("halve")] == ["cpu"], records("halve")
