"""np.max/np.min and the methods of float data where zero appears as +0.0 and -0.0, or a NaN
with other bits than NumPy's own quiet NaN (test/kernels/numpy_style/signed_zeros.py).

NumPy's vectorized loop (numpy/_core/src/umath/loops_minmax.dispatch.c.src) picks the sign of
a zero extreme, and returns its own NaN for NaNs in its SIMD lanes, by the CPU's vector width.
Exact mode's checked helpers (runtime/axis_extrema.py) find those calls and leave them to the
original (restoring the arrays the variant wrote): every result is NumPy's bit for bit, and
the variant runs wherever the extreme is one value of one bit pattern. Close mode keeps
Numba's own np.max/np.min: equal values, the sign of a zero or a NaN's bits may differ
(docs/reliability.md)."""
from __future__ import annotations

import numpy as np
import pytest

import polyray.runtime as rt

from compiled import ROOT, compare_with_original, compile_and_import

SOURCE = ROOT / "test/kernels/numpy_style/signed_zeros.py"
NEG_NAN = np.array([0xFFF8000000000000], dtype=np.uint64).view(np.float64)[0]  # x86's 0 * inf


@pytest.fixture(scope="module")
def mod(tmp_path_factory):
    return compile_and_import(SOURCE, tmp_path_factory.mktemp("zeros_exact"), "signed_zeros_exact", "--targets", "cpu", "--numerics", "exact")


@pytest.fixture(autouse=True)
def cpu_target(monkeypatch):
    monkeypatch.setenv("POLYRAY_TARGET", "cpu")


def run_both(mod, name, *args):
    """Bit for bit (a zero's sign, a NaN's bits) against the original, and which variant ran."""
    return compare_with_original(getattr(mod, name), getattr(mod, f"_polyray_original_{name}"), *args, messages=False).variant


def zeros_mixed(rng, n, dtype, negatives=False):
    x = np.where(rng.random(n) < 0.5, 0.0, -0.0).astype(dtype)
    if negatives:
        x[rng.random(n) < 0.3] = -1.5
    return x


def test_every_function_compiles(mod):
    for name in ("peak", "trough32", "clipped_range", "normalize_by_peak", "column_peaks", "integer_peak"):
        assert hasattr(mod, f"_polyray_cpu_{name}"), name


@pytest.mark.parametrize("n", [1, 2, 3, 7, 8, 9, 15, 16, 17, 31, 33, 64, 100, 1000, 100003])
def test_signed_zeros_bit_for_bit(mod, n):
    rng = np.random.default_rng(n)
    variants = []
    for _ in range(3):
        x = zeros_mixed(rng, n, np.float64, negatives=n > 4)
        variants.append(run_both(mod, "peak", x))
        variants.append(run_both(mod, "peak", -x))
        run_both(mod, "peak", x[::-2])
        run_both(mod, "trough32", zeros_mixed(rng, n, np.float32))
        run_both(mod, "clipped_range", rng.standard_normal(n), -0.0)
        run_both(mod, "clipped_range", rng.standard_normal(n), 0.0)
    # one sign of zero only, or no zero extreme: the variant's answer is NumPy's, it runs
    assert run_both(mod, "peak", np.full(n, -0.0)) == "cpu"
    assert run_both(mod, "trough32", np.zeros(n, np.float32)) == "cpu"
    assert run_both(mod, "peak", rng.standard_normal(n) - 10.0) == "cpu"
    if n > 1:
        assert "original" in variants  # both signs in the same line: left to the original


@pytest.mark.parametrize("n", [1, 5, 20, 100])
def test_nan_bits(mod, n):
    x = np.arange(n, dtype=np.float64)
    x[n // 2] = np.nan
    assert run_both(mod, "peak", x) == "cpu"  # NumPy's own NaN: the same bits either way
    x[n // 2] = NEG_NAN
    run_both(mod, "peak", x)
    run_both(mod, "trough32", x.astype(np.float32))
    run_both(mod, "peak", np.array([NEG_NAN] * n))


def test_writes_before_a_left_call_are_restored(mod):
    A = np.array([[0.0, -0.0], [-0.0, 0.0]])
    out = np.full((2, 2), 7.0)
    assert run_both(mod, "normalize_by_peak", A, out) == "original"
    B = np.random.default_rng(0).standard_normal((5, 4))
    assert run_both(mod, "normalize_by_peak", B, np.empty((5, 4))) == "cpu"
    assert run_both(mod, "normalize_by_peak", B[:0], np.empty((0, 4))) is not None  # ValueError in both


@pytest.mark.parametrize("shape", [(1, 1), (4, 3), (17, 9), (0, 3)])
def test_along_axes(mod, shape):
    rng = np.random.default_rng(shape[0])
    A = zeros_mixed(rng, shape[0] * shape[1], np.float64, negatives=True).reshape(shape)
    run_both(mod, "column_peaks", A)
    run_both(mod, "column_peaks", np.asfortranarray(A))
    assert run_both(mod, "column_peaks", rng.standard_normal(shape) + 5.0) in ("cpu", None)


def test_integers_need_no_check(mod):
    k = np.array([3, -2, 7])
    assert run_both(mod, "integer_peak", k) == "cpu"
    assert "checked" not in open(mod.__file__).read().split("def _polyray_cpu_integer_peak")[1].split("\ndef ")[0]


SPECULATIVE = """
import numpy as np

def f(a, out, _polyray_fail):
    out[:] = 1.0
    return _polyray_h_checked_max(a)
"""


@pytest.mark.parametrize("form", ["rollback", "undo"])
def test_cpu_variant_restores_writes(form):
    # a speculative variant (rollback=, with its flag argument) and an undoable one (undo=) alike
    from polyray.runtime.cpu import CpuVariant
    from polyray.runtime.variants import VariantRolledBack
    g: dict = {}
    exec(SPECULATIVE if form == "rollback" else SPECULATIVE.replace(", _polyray_fail", ""), g)
    v = CpuVariant(g["f"], helpers=("checked_max",), **{form: (1,)})
    out = np.zeros(3)
    with pytest.raises(VariantRolledBack, match="both signs"):
        v.run((np.array([0.0, -0.0, -1.0]), out), wait=True)
    assert np.array_equal(out, np.zeros(3))  # the write was undone
    assert v.run((np.array([-0.0, -1.0]), out), wait=True) == 0.0 and np.array_equal(out, np.ones(3))
    with pytest.raises(TypeError, match=f"{form} must be a tuple"):
        CpuVariant(g["f"], helpers=("checked_max",), **{form: [1]})
