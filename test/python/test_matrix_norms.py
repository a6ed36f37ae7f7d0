"""np.linalg.norm(A, 1) and np.linalg.norm(A, np.inf) of a float64 or complex128 matrix (issue 17;
test/kernels/numpy_style/matrix_norms.py): close mode compiles them (runtime/norms.py: NumPy's
add.reduce(abs(A), axis).max(), |A| by NumPy's own complex absolute value, the sums in close_reductions'
blocks within the sum row's bound of docs/reliability.md, then the largest, a NaN first, 0.0 of none); exact
mode keeps the original (NumPy adds a column or row pairwise or row after row by the layout). Both modes:
NumPy's ValueError for an out of another shape, nothing written. No GPU form (a whole-array
reduction: the row's gpu is null)."""
from __future__ import annotations

import numpy as np

import polyray.runtime as rt
from compiled import ROOT, compare_with_original, cpu_target, mode_module  # noqa: F401 - cpu_target: a fixture

mod = mode_module(ROOT / "test/kernels/numpy_style/matrix_norms.py", "matrix_norms")
rng = np.random.default_rng(1719)
EPS = np.finfo(np.float64).eps


def bound(A, axis):
    """The close-mode bound of the largest sum of |A| along `axis`, generously: c * log2(n) * eps * sum|terms|, c = 4."""
    n = max(A.shape[axis], 2)
    return 4 * np.log2(n) * EPS * np.abs(A).sum(axis=axis).max() + 1e-300


def run(mod, name, *args):
    fn = getattr(mod, name)
    original = getattr(mod, f"_polyray_original_{name}", fn)
    rt.clear_history()
    with np.errstate(all="ignore"):
        got = fn(*[a.copy() for a in args])
        variant = rt.history()[-1]["variant"] if rt.history() else "original"
        return got, original(*[a.copy() for a in args]), variant


def test_real_matrix_norms(mod):
    compiled = mod.MODE == "close"
    assert hasattr(mod, "_polyray_original_row_sum_bound") == compiled  # (exact mode: kept as written)
    for shape in ((5, 7), (300, 3), (1, 1), (4, 0)):
        A = rng.standard_normal(shape)
        got, want, variant = run(mod, "row_sum_bound", A)
        assert variant == ("cpu" if compiled else "original") and type(got) is type(want)
        if A.size:
            assert abs(got - want) <= bound(A, 1) / shape[1]
        else:  # the inf-norm of 4 empty rows: 0.0 / 0 in both
            assert np.isnan(got) and np.isnan(want)
    A = np.asfortranarray(rng.standard_normal((30, 30)))
    Ainv = np.linalg.inv(A)
    got, want, _ = run(mod, "condition_estimate", A, Ainv)
    assert abs(got - want) <= bound(A, 0) * np.abs(Ainv).sum(0).max() + bound(Ainv, 0) * np.abs(A).sum(0).max()
    A[3, 4] = np.nan  # a NaN: NaN, as NumPy's max gives it
    got, want, _ = run(mod, "condition_estimate", A, Ainv)
    assert np.isnan(got) and np.isnan(want)


def test_complex_matrix_norms(mod):
    compiled = mod.MODE == "close"
    for shape in ((6, 4), (2, 200)):
        H = rng.standard_normal(shape) + 1j * rng.standard_normal(shape)
        (one, inf, fro), (one0, inf0, fro0), variant = run(mod, "transfer_norms", H)
        assert variant == ("cpu" if compiled else "original")
        assert abs(one - one0) <= bound(H, 0) and abs(inf - inf0) <= bound(H, 1)
        assert abs(fro - fro0) <= (1.04 * H.size + 1.01) * EPS * fro0  # (the dot form's stated bound)
    (one, inf, fro), _, _ = run(mod, "transfer_norms", H[:, ::3])
    assert np.isclose(one, np.linalg.norm(H[:, ::3], 1), rtol=1e-13)


def test_bad_inputs(mod):
    # no columns: the 1-norm of nothing is 0.0 (NumPy's max(initial=0)), then 0/0 elementwise of no elements
    ran = compare_with_original(mod.scaled_gain, getattr(mod, "_polyray_original_scaled_gain", mod.scaled_gain),
                                np.zeros((3, 0), complex), np.ones((3, 0), complex))
    assert ran.status == "ok"
    # a zero matrix: 0/0 gives NaN everywhere, in both
    ran = compare_with_original(mod.scaled_gain, getattr(mod, "_polyray_original_scaled_gain", mod.scaled_gain),
                                np.zeros((2, 2), complex), np.ones((2, 2), complex))
    assert ran.status == "ok" and ran.variant == ("cpu" if mod.MODE == "close" else None)  # (exact: no dispatcher)
    # out of another shape: ValueError from the first store, nothing written (the guard's original)
    ran = compare_with_original(mod.scaled_gain, getattr(mod, "_polyray_original_scaled_gain", mod.scaled_gain),
                                np.ones((2, 3), complex), np.zeros((3, 2), complex), messages=False)
    assert ran.status == "ValueError"
