"""Calls between functions of a module (issue 17, src/compiler/types/calls.ts), as scientists write
them: unhinted helpers (relu, a distance, a normalization that writes its argument in place, a
logarithm that may raise) called from loops and from NumPy statements of hinted functions. Compiled
in both numerics modes, each caller runs its CPU variant, which calls the helpers' Numba forms
directly, and gives the original's results bit for bit (nothing here is computed differently in
close mode), exceptions and the writes before them included; no dispatcher runs per inner call."""
from __future__ import annotations

import textwrap

import numpy as np
import pytest

import polyray.runtime as rt

from compiled import compile_and_import
from compiled import run_both as compare

F1 = "np.ndarray[tuple[int], np.dtype[np.float64]]"
F2 = "np.ndarray[tuple[int, int], np.dtype[np.float64]]"
I1 = "np.ndarray[tuple[int], np.dtype[np.int64]]"
I32 = "np.ndarray[tuple[int, int], np.dtype[np.int32]]"

SOURCE = textwrap.dedent(f"""\
    import math

    import numpy as np


    def relu(x):
        return np.maximum(x, 0.0)


    def distance(p, q):
        d = 0.0
        for k in range(p.shape[0]):
            diff = p[k] - q[k]
            d += diff * diff
        return math.sqrt(d)


    def normalize(v):
        s = 0.0
        for k in range(v.shape[0]):
            s += v[k] * v[k]
        s = math.sqrt(s)
        for k in range(v.shape[0]):
            v[k] = v[k] / s


    def safe_log(v, floor=1e-300):
        return math.log(max(v, floor)) if v > 0 else math.log(v)


    def activations(x: {F2}, w: {F1}, b: {F1}) -> np.ndarray:
        h = relu(x * w + b)
        return relu(h - 1.0) + relu(-x) * 0.5


    def all_distances(P: {F2}, D: {F2}):
        n = P.shape[0]
        for i in range(n):
            for j in range(n):
                D[i, j] = distance(P[i], P[j])


    def normalize_rows(A: {F2}):
        n, m = A.shape
        for i in range(n):
            normalize(A[i])


    def logs(x: {F1}, out: {F1}):
        for i in range(x.shape[0]):
            out[i] = safe_log(x[i])


    def match(b1, b2):
        if b1 + b2 == 3:
            return 1
        else:
            return 0


    def pairing(seq: {I1}, table: {I32}):
        n = seq.shape[0]
        for i in range(n - 1, -1, -1):
            for j in range(i + 1, n):
                table[i, j] = max(table[i, j], table[i + 1, j - 1] + match(seq[i], seq[j]))
""")

NAMES = ("activations", "all_distances", "normalize_rows", "logs", "pairing")


@pytest.fixture(scope="module", params=["exact", "close"])
def mod(request, tmp_path_factory):
    folder = tmp_path_factory.mktemp(f"calls_{request.param}")
    src = folder / "helpers_calls.py"
    src.write_text(SOURCE)
    return compile_and_import(src, folder, f"calls_compiled_{request.param}", "--targets", "cpu", "--numerics", request.param)


@pytest.fixture(autouse=True)
def _cpu(monkeypatch):
    monkeypatch.setenv("POLYRAY_TARGET", "cpu")


def run_both(mod, name, *args):
    """The dispatcher's call against the original's on copies (the same exception type: Numba words a broadcasting
    error differently); the outcome and the run records."""
    ran = compare(mod, name, *args, messages=False)
    return ran.status, ran.records


def test_every_caller_is_compiled_with_its_helpers(mod):
    for name in NAMES:
        assert hasattr(mod, f"_polyray_cpu_{name}"), name
    text = open(mod.__file__).read()
    for helper in ("relu", "distance", "normalize"):
        assert f"def _polyray_py_{helper}_0(" in text, helper
    # safe_log is one expression called in a loop: inlined there (src/compiler/parse/inline-calls.ts)
    assert "def _polyray_py_safe_log_0(" not in text
    # the helpers themselves, unhinted, keep their own definitions for calls from Python
    assert "def relu(x):" in text


@pytest.mark.parametrize("shape", [(6, 5), (1, 3), (0, 4)])
def test_a_helper_called_from_numpy_statements(mod, shape):
    rng = np.random.default_rng(sum(shape))
    status, records = run_both(mod, "activations", rng.standard_normal(shape), rng.standard_normal(shape[1]), rng.standard_normal(shape[1]))
    assert status == "ok" and [r["variant"] for r in records] == ["cpu"]


@pytest.mark.parametrize("n,d", [(7, 3), (1, 2), (0, 3), (5, 0)])
def test_a_helper_called_in_a_loop_nest(mod, n, d):
    rng = np.random.default_rng(n * 10 + d)
    status, records = run_both(mod, "all_distances", rng.standard_normal((n, d)), np.full((n, n), np.nan))
    assert status == "ok" and [r["variant"] for r in records] == ["cpu"]


def test_a_helper_writing_its_argument_in_place(mod):
    rng = np.random.default_rng(3)
    A = rng.standard_normal((6, 4))
    A[2] = 0.0  # 0 / 0: NaN in both (NumPy float64 division)
    status, records = run_both(mod, "normalize_rows", A)
    assert status == "ok" and [r["variant"] for r in records] == ["cpu"]


@pytest.mark.parametrize("form", ["parallel", "serial"])
def test_a_helper_that_raises_raises_as_python_does_after_the_same_writes(mod, monkeypatch, form):
    monkeypatch.setenv("POLYRAY_CPU_FORM", form)
    x = np.array([2.0, 0.5, 1e-320, -1.0, 3.0])
    # safe_log is inlined, so the loop runs as a speculative prange (src/compiler/parse/inline-calls.ts): on a raising
    # input its parallel form restores what it wrote and the original runs and raises; its serial form, in
    # Python's order, raises itself after the same writes
    status, records = run_both(mod, "logs", x, np.zeros(5))
    if form == "parallel":
        assert status == "ValueError" and records[0]["variant"] == "original" and "restored" in records[0]["reason"], records
    else:
        assert status == "ValueError" and records[0]["variant"] == "cpu" and records[0]["error"] == "ValueError", records
    status, _ = run_both(mod, "logs", np.array([0.0, 1.0]), np.zeros(2))
    assert status == "ValueError"
    status, records = run_both(mod, "logs", np.array([1.0, np.e, np.inf, np.nan]), np.zeros(4))
    assert status == "ok" and records[0]["variant"] == "cpu"


def test_bad_inputs_run_the_original_or_raise_as_it_does(mod):
    # another rank: the dispatcher's checks send it to the original
    status, records = run_both(mod, "all_distances", np.ones(4), np.zeros((4, 4)))
    assert status in ("IndexError", "ValueError", "TypeError") and records[-1]["variant"] == "original"
    # rows of D too short: IndexError after the same writes
    assert run_both(mod, "all_distances", np.ones((4, 2)), np.zeros((4, 3)))[0] == "IndexError"
    # broadcasting that NumPy refuses
    assert run_both(mod, "activations", np.ones((3, 4)), np.ones(5), np.ones(4))[0] == "ValueError"


def test_no_dispatcher_runs_per_inner_call(mod):
    """The helpers' compiled forms are called from compiled code: only the caller leaves a run record,
    and a call of the helper from Python (its plain definition here) leaves none either."""
    P = np.random.default_rng(0).standard_normal((40, 3))
    D = np.zeros((40, 40))
    rt.clear_history()
    mod.all_distances(P, D)
    assert [r["function"] for r in rt.history()] == ["all_distances"]
    assert callable(mod.__dict__["_polyray_call_distance_0"]) and hasattr(mod.__dict__["_polyray_call_distance_0"], "py_func")


@pytest.mark.parametrize("n", [9, 1, 0])
def test_a_helper_returning_int_constants_beside_an_int32_table(mod, n):
    """NPBench's nussinov: int32 elements plus match()'s 0 or 1 stay int32 (NumPy 2), no overflow check needed."""
    rng = np.random.default_rng(n)
    table = rng.integers(-5, 5, size=(n, n)).astype(np.int32)
    status, records = run_both(mod, "pairing", rng.integers(0, 4, size=n), table)
    assert status == "ok" and [r["variant"] for r in records] == ["cpu"]
    # the table's extremes: int32 wraps in both (NumPy 2 computes in int32 beside a Python int)
    table = np.full((4, 4), np.iinfo(np.int32).max, dtype=np.int32)
    assert run_both(mod, "pairing", np.array([1, 2, 1, 2]), table)[0] == "ok"
