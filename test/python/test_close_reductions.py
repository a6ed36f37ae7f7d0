"""close mode's reductions along axes, of whole arrays of any layout, and means of integers (issue 16, item 2).

Kernels as scientists write them (`n, m = A.shape`, methods and functions,
keepdims, ddof, views). Original against the CPU variant: in `close` mode
within the bound polyray.runtime.close_bounds derives for each result element
from the operands (never a blanket tolerance), with dtypes, shapes, NaN/inf and
exceptions exact; in `exact` mode the same functions keep the original
(bit for bit); the same call gives the same bits with 1 and 2 threads and when
repeated. The helpers' own order is checked against the pairwise depth the
bound assumes.
"""
from __future__ import annotations

import importlib.util
import json
import os
import subprocess
import sys
import textwrap

import numpy as np
import pytest

from compiled import ROOT, compile_and_import, outcome
from polyray.runtime.close_bounds import (U, gamma, mean_tolerance, pairwise_depth, std_tolerance, sum_tolerance,
                                          var_tolerance, within)

KERNELS = textwrap.dedent('''
    import numpy as np
    import numpy.typing as npt

    def standardize_columns(data: np.ndarray[tuple[int, int], np.dtype[np.float64]]) -> np.ndarray[tuple[int, int], np.dtype[np.float64]]:
        n, m = data.shape
        mean = data.mean(axis=0)
        std = np.std(data, axis=0, ddof=1)
        return (data - mean) / std


    def row_sums(A: np.ndarray[tuple[int, int], np.dtype[np.float64]]) -> np.ndarray[tuple[int, int], np.dtype[np.float64]]:
        return np.sum(A, axis=1, keepdims=True)


    def column_var(A: np.ndarray[tuple[int, int], np.dtype[np.float64]]) -> np.ndarray[tuple[int, int], np.dtype[np.float64]]:
        return np.var(A, 0)


    def row_means(A: npt.NDArray[np.float64]) -> npt.NDArray[np.float64]:
        return np.mean(A, axis=-1)


    def total(A: np.ndarray[tuple[int, int], np.dtype[np.float64]]) -> float:
        return np.sum(A[:, 1:])


    def spread(x: npt.NDArray[np.float64]) -> float:
        return x.std() + x.var(ddof=1)


    def average_count(k: npt.NDArray[np.int64]) -> float:
        return k.mean()


    def vector_total(x: np.ndarray[tuple[int], np.dtype[np.float64]]) -> float:
        return np.sum(x) / 2.0


    def counts_per_row(k: np.ndarray[tuple[int, int], np.dtype[np.int32]]) -> np.ndarray[tuple[int, int], np.dtype[np.float64]]:
        return k.mean(axis=1)
''')


@pytest.fixture(scope="module")
def modules(tmp_path_factory):
    d = tmp_path_factory.mktemp("close_reductions")
    src = d / "reduction_kernels.py"
    src.write_text(KERNELS)
    spec = importlib.util.spec_from_file_location("reduction_kernels", src)
    original = importlib.util.module_from_spec(spec)
    assert spec.loader
    spec.loader.exec_module(original)
    return (original,
            compile_and_import(src, d, "reduction_kernels_exact", "--numerics", "exact"),
            compile_and_import(src, d, "reduction_kernels_close", "--numerics", "close"), d)


def _data(rng, shape=(300, 170)):
    a = rng.standard_normal(shape) * 10.0 ** rng.integers(-3, 4, shape)  # terms of many magnitudes
    return a


def _compare(fn, got, want, a):
    """Each function's bound from polyray.runtime.close_bounds, per result element."""
    if fn == "row_sums":
        return within(got, want, sum_tolerance(a, 1, contiguous_line=True)[:, None])
    if fn == "column_var":
        return within(got, want, var_tolerance(a, 0))
    if fn == "row_means":
        return within(got, want, mean_tolerance(a, -1, contiguous_line=True))
    if fn == "total":
        return within(got, want, sum_tolerance(a[:, 1:]))
    if fn == "standardize_columns":
        # (x - mean) / std: each side's mean and std within their bounds, the subtraction and division rounded
        n = a.shape[0]
        mean, std = a.mean(axis=0), a.std(axis=0, ddof=1)
        tm, ts = mean_tolerance(a, 0), std_tolerance(a, std, std, 0, ddof=1) / 2
        want_abs = np.abs(want)
        tol = (tm + 2 * ts * np.abs(a - mean) / std + 0.0) / std + 4 * U * want_abs
        return within(got, want, tol * (1 + 1e-9) + 0 * n)
    raise AssertionError(fn)


@pytest.mark.parametrize("fn", ["standardize_columns", "row_sums", "column_var", "row_means", "total"])
def test_close_mode_runs_the_cpu_variant_within_each_elements_bound(modules, fn, monkeypatch):
    import polyray.runtime as rt

    original, _, close, _ = modules
    monkeypatch.setenv("POLYRAY_TARGET", "cpu")
    for seed, shape in ((1, (300, 170)), (2, (9, 1)), (3, (1000, 3))):
        a = _data(np.random.default_rng(seed), shape)
        for arg in (a, np.asfortranarray(a), a[::-1]):  # C, Fortran and a negative stride: NumPy's order differs
            want = getattr(original, fn)(arg)
            got = getattr(close, fn)(arg)
            assert rt.history()[-1]["variant"] == "cpu", rt.history()[-1]
            assert _compare(fn, got, want, a if arg is not a[::-1] else a[::-1]), (fn, shape, np.max(np.abs(got - want)))


def test_vectors_integers_and_special_values(modules, monkeypatch):
    import polyray.runtime as rt

    original, _, close, _ = modules
    monkeypatch.setenv("POLYRAY_TARGET", "cpu")
    rng = np.random.default_rng(5)
    x = rng.standard_normal(10_001)
    want, got = original.spread(x), close.spread(x)
    assert rt.history()[-1]["variant"] == "cpu" and type(got) is type(want)
    s, v = x.std(), x.var(ddof=1)
    assert abs(got - want) <= std_tolerance(x, s, s) + var_tolerance(x, ddof=1) + 2 * U * abs(want)
    k = rng.integers(-10**15, 10**15, 100_003)
    want, got = original.average_count(k), close.average_count(k)
    assert rt.history()[-1]["variant"] == "cpu" and type(got) is type(want) is np.float64
    assert within(got, want, mean_tolerance(k))
    k32 = rng.integers(-2**31, 2**31, (40, 333)).astype(np.int32)
    want, got = original.counts_per_row(k32), close.counts_per_row(k32)
    assert rt.history()[-1]["variant"] == "cpu" and got.dtype == want.dtype == np.float64
    assert within(got, want, mean_tolerance(k32, 1, contiguous_line=True))
    a = _data(rng, (50, 40))
    a[3, 5], a[7, 9], a[11, 2], a[11, 3] = np.nan, np.inf, np.inf, -np.inf  # NaN and inf positions stay the original's
    with np.errstate(all="ignore"):
        for fn in ("row_sums", "column_var", "row_means"):
            want, got = getattr(original, fn)(a), getattr(close, fn)(a)
            assert np.array_equal(np.isnan(want), np.isnan(got)) and np.array_equal(np.isinf(want), np.isinf(got)), fn
    for empty in (np.zeros((0, 4)), np.zeros((3, 0))):
        with np.errstate(all="ignore"):
            for fn in ("row_sums", "row_means", "column_var", "total"):
                w, g = outcome(getattr(original, fn), empty), outcome(getattr(close, fn), empty)
                assert w[0] == g[0] == "ok" and np.array_equal(w[1], g[1], equal_nan=True) and np.shape(w[1]) == np.shape(g[1]), fn


def test_bad_inputs_raise_as_the_original(modules, monkeypatch):
    original, _, close, _ = modules
    monkeypatch.setenv("POLYRAY_TARGET", "cpu")
    # row_means has no rank in its hint: a 0-d array has no axis -1 (AxisError), a vector gives a scalar
    for arg in (np.array(2.0), np.arange(5.0)):
        w, g = outcome(original.row_means, arg), outcome(close.row_means, arg)
        assert w[0] == g[0] and type(w[1]) is type(g[1]), (w, g)
    assert outcome(close.row_sums, np.zeros(3))[0] == outcome(original.row_sums, np.zeros(3))[0] != "ok"


def test_exact_mode_keeps_the_original(modules):
    _, exact, _, _ = modules
    for fn in ("standardize_columns", "row_sums", "column_var", "row_means", "total", "spread", "average_count"):
        assert not hasattr(exact, f"_polyray_dispatch_{fn}"), fn
    assert hasattr(exact, "_polyray_dispatch_vector_total")  # NumPy's own order: bit for bit, so compiled


def test_the_same_bits_with_one_and_two_threads_on_every_call_and_from_the_cache(modules):
    _, _, _, d = modules
    script = textwrap.dedent(f'''
        import json, sys
        import numpy as np
        sys.path.insert(0, {str(d)!r})
        import reduction_kernels_close as m
        import reduction_kernels_exact as e
        a = np.random.default_rng(9).standard_normal((700, 300))
        out = [[repr(e.vector_total(a[0])), repr(m.vector_total(a[:, 0]))]]
        for _ in range(3):
            out.append([str(hash(m.standardize_columns(a).tobytes())),
                        str(hash(m.row_sums(a).tobytes())), str(hash(m.column_var(a).tobytes())), repr(m.total(a))])
        print(json.dumps(out))
    ''')
    runs = {}
    for threads in ("1", "2"):
        env = {**os.environ, "NUMBA_NUM_THREADS": threads, "POLYRAY_TARGET": "cpu", "PYTHONHASHSEED": "0"}
        r = subprocess.run([sys.executable, "-c", script], env=env, capture_output=True, text=True, check=True, cwd=ROOT)
        runs[threads] = json.loads(r.stdout.strip().splitlines()[-1])
    # the second process loads every variant from Numba's on-disk cache (a recursive helper crashed there)
    assert runs["1"][1] == runs["1"][2] == runs["1"][3] == runs["2"][1] == runs["2"][3]
    assert runs["1"][0] == runs["2"][0]


def test_the_helpers_add_in_the_order_the_bound_assumes():
    from polyray.runtime import close_reductions as cr
    from numba import njit

    @njit
    def total(a):
        return cr.whole_sum(a)

    rng = np.random.default_rng(11)
    for n in (0, 1, 7, 8, 9, 127, 128, 129, 1000, 4097):
        x = rng.standard_normal(n)
        assert total(x) == np.sum(x)  # NumPy's own pairwise order on a contiguous vector: the very same bits
        assert pairwise_depth(n) <= max(np.ceil(np.log2(max(n, 1))), 0) + 18
    # a sum that loses everything in one order: the bound is what the tests use, and it holds
    x = np.array([1e16, 1.0, -1e16] * 50)
    assert abs(total(x) - 50.0) <= gamma(pairwise_depth(x.size)) * np.sum(np.abs(x))
