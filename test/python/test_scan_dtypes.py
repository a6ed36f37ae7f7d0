"""np.cumsum/np.cumprod with dtype= and complex np.cumprod (issue 17; test/kernels/numpy_style/scan_dtypes.py),
compiled in both numerics modes: every CPU variant against its original on good and bad inputs, bit for bit
(these rows give NumPy's bits in both modes: each element cast to dtype= first, then accumulated in order in
it, a narrow integer wrapping around), NumPy's exception types, and no partial writes. The calls NumPy
computes in a way compiled code does not reproduce go to the original: a float cast to an integer dtype= out
of its range or NaN (undefined in C), a complex partial product that is not finite. No GPU form: cumsum and
cumprod are whole-array scans (their table rows' gpu is null, codegen/gpu-forms.ts)."""
from __future__ import annotations

import numpy as np

from compiled import ROOT, check_cpu, cpu_target, mode_module, run_both  # noqa: F401 - cpu_target: a fixture

mod = mode_module(ROOT / "test/kernels/numpy_style/scan_dtypes.py", "scan_dtypes")
rng = np.random.default_rng(1708)


def test_integer_dtypes_wrap_as_numpy_does(mod):
    packets = rng.integers(-300, 300, (4, 9))
    check_cpu(mod, "byte_checksums", packets)
    check_cpu(mod, "byte_checksums", np.asfortranarray(packets))
    check_cpu(mod, "byte_checksums", np.zeros((3, 0), np.int64))
    img = rng.integers(0, 256, (6, 5)).astype(np.uint8)
    check_cpu(mod, "pixel_products", img)
    check_cpu(mod, "pixel_products", img[::-1, 1:])


def test_float_dtypes(mod):
    x = rng.standard_normal(40) * 1e3
    x[0] = -0.0  # (NumPy's accumulation starts from the first element: -0.0 stays)
    check_cpu(mod, "single_precision_totals", x)
    check_cpu(mod, "single_precision_totals", np.array([1e300, -1e300, 2.0, 3.0]))  # inf in float32, then NaN
    # (one NaN: its bits carried; two NaNs meeting may keep either's sign, as in every compiled sum)
    check_cpu(mod, "single_precision_totals", np.array([1.0, np.nan, 3.0]))
    check_cpu(mod, "counts_as_floats", rng.integers(-9, 9, (5, 3)).astype(np.int32))
    check_cpu(mod, "complex_totals", rng.integers(-5, 5, 11))


def test_a_float_to_an_integer_dtype_truncates_each_element_first(mod):
    check_cpu(mod, "whole_steps", np.array([1.5, -2.7, 3.9, 0.2, -0.9]))
    check_cpu(mod, "whole_steps", np.zeros(0))
    # NaN, inf and values out of int64's range are undefined in C: the original's (the same result)
    for bad in (np.array([1.0, np.nan, 2.0]), np.array([np.inf]), np.array([1e19, 1.0])):
        ran = run_both(mod, "whole_steps", bad)
        assert ran.status == "ok" and ran.variant == "original", ran.records
    # a write before it: the variant's is undone, the original's stays (out holds the original's results)
    t, out = np.array([0.5, 2.5, -7.25]), np.zeros(3, np.int32)
    check_cpu(mod, "fill_then_steps", t, out)
    ran = run_both(mod, "fill_then_steps", np.array([0.5, np.nan, 1.0]), np.zeros(3, np.int32))
    assert ran.status == "ok" and ran.variant == "original"
    # a length that does not fit out: ValueError in both, after the same first write
    ran = check_cpu(mod, "fill_then_steps", t, np.zeros(2, np.int32), loose_messages=("ValueError",))
    assert ran.status == "ValueError"


def test_complex_products(mod):
    Z = np.exp(1j * rng.uniform(-np.pi, np.pi, (4, 7))) * rng.uniform(0.5, 1.5, (4, 7))
    Z[0, 0] = complex(-0.0, 0.0)
    check_cpu(mod, "phasor_chain", Z)
    check_cpu(mod, "phasor_chain", Z.T.copy())
    z = (rng.standard_normal(12) + 1j * rng.standard_normal(12)).astype(np.complex64)
    check_cpu(mod, "rotations", z)
    check_cpu(mod, "rotations", np.zeros(0, np.complex64))
    # an infinite or NaN factor, or a product that overflows: NumPy's complex multiply, in the original
    for bad in (np.array([1 + 1j, complex(np.inf, 0.0), 2.0], np.complex64), np.array([complex(np.nan, 1.0), 1j], np.complex64),
                np.array([1e30 + 1e30j, 1e30 + 0j], np.complex64)):
        ran = run_both(mod, "rotations", bad)
        assert ran.status == "ok" and ran.variant == "original", ran.records
    ran = run_both(mod, "phasor_chain", np.array([[1 + 0j, complex(0.0, np.inf)]]))
    assert ran.status == "ok" and ran.variant == "original"


def test_what_stays_original(mod):
    # dtype=bool: refused when compiling, the function kept as written
    assert not hasattr(mod, "_polyray_original_any_so_far")
    x = rng.standard_normal(6)
    assert np.array_equal(mod.any_so_far(x), np.cumsum(x > 0, dtype=bool))
    # not an array: the original runs, and raises what NumPy raises
    ran = run_both(mod, "byte_checksums", [[1, 2], [3, 4]])
    assert ran.status == "ok" and ran.variant == "original"
    ran = run_both(mod, "byte_checksums", np.arange(5))  # a vector has no axis 1
    assert ran.status == "AxisError"
