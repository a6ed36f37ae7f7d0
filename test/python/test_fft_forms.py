"""np.fft's n-d transforms (fftn, ifftn, rfft2, irfft2, rfftn, irfftn), norm= and axes= (types/fft-calls.ts,
runtime/fft_helpers.py) in test/kernels/numpy_style/fft_forms.py. `exact`: NumPy's transform through objmode, the
original's bits. `close`: rocket-fft, within close_bounds.fft_tolerance per element (its norm's scale; dtypes,
shapes and exceptions the original's); inf/NaN input goes to NumPy's transform."""
from __future__ import annotations

import math

import numpy as np
import pytest

import polyray.runtime as rt

from compiled import ROOT, cpu_target, mode_module, outcome, run_both  # noqa: F401 (cpu_target: autouse)
from polyray.runtime.close_bounds import fft_tolerance

pytest.importorskip("rocket_fft")
SOURCE = ROOT / "test/kernels/numpy_style/fft_forms.py"


mod = mode_module(SOURCE, "fft_forms")


def cases(rng):
    c = lambda *s: rng.standard_normal(s) + 1j * rng.standard_normal(s)  # noqa: E731
    out = []
    for n in (1, 5, 8, 17):
        out += [("unitary_spectrum", (rng.standard_normal(n),), ("fft", 0, n, "ortho")),
                ("mean_normalized", (c(n),), ("ifft", 0, n, "forward"))]
    for shape in ((2, 3, 4), (1, 5, 1), (4, 4, 7)):
        size = math.prod(shape)
        out += [("volume_spectrum", (rng.standard_normal(shape),), ("fftn", 0, size, None)),
                ("volume_back", (c(*shape),), ("ifftn", 0, size, "ortho")),
                ("per_slice", (rng.standard_normal(shape).astype(np.float32),), ("fft2", None, shape[1] * shape[2], None)),
                ("real_volume", (rng.standard_normal(shape),), None)]
    for n, m in ((3, 4), (8, 6), (1, 9)):
        H = c(n, m // 2 + 1)
        out += [("image_half_spectrum", (rng.standard_normal((n, m)),), ("rfft2", 0, n * m, None)),
                ("image_back", (H, n, m), ("irfft2", 0, n * m, None))]
    return out


def test_every_function_has_a_cpu_variant(mod):
    for name, _, _ in cases(np.random.default_rng(0)):
        assert hasattr(mod, f"_polyray_cpu_{name}"), name


def test_exact_mode_gives_numpys_bits(mod):
    if mod.MODE != "exact":
        pytest.skip("close mode: test_close_mode_within_the_bound")
    for name, args, _ in cases(np.random.default_rng(1)):
        ran = run_both(mod, name, *args)
        assert ran.status == "ok" and ran.variant == "cpu", (name, ran.records)


def test_close_mode_within_the_bound(mod):
    if mod.MODE != "close":
        pytest.skip("exact mode: test_exact_mode_gives_numpys_bits")
    for name, args, bound in cases(np.random.default_rng(2)):
        rt.clear_history()
        got = outcome(getattr(mod, name), *args)
        assert rt.history()[-1]["variant"] == "cpu", name
        want = outcome(getattr(mod, f"_polyray_original_{name}"), *args)
        assert got[0] == want[0] == "ok"
        g, w = got[1], want[1]
        assert g.dtype == w.dtype and g.shape == w.shape, name
        if bound is None:  # rfftn then irfftn: each within its bound; the round trip within twice the input's scale
            tol = 4 * fft_tolerance("rfftn", args[0], args[0].shape[0] * args[0].shape[2])
        else:
            func, operand, n, norm = bound
            a = args[operand] if operand is not None else args[0]
            tol = fft_tolerance(func, a, n, norm)
            if name == "per_slice":  # each slice its own transform: the whole array's sum bounds each
                tol = fft_tolerance(func, a, n, norm)
        assert np.all(np.abs(g - w) <= tol), (name, float(np.max(np.abs(g - w))), tol)


def test_inf_and_nan_follow_numpy_and_bad_inputs_raise_as_numpy(mod):
    x = np.array([1.0, np.inf, 2.0, np.nan])
    ran = run_both(mod, "unitary_spectrum", x)
    assert ran.status == "ok" and ran.variant == "cpu"
    # s asks for fewer than one output point along an axis: ValueError in both
    ran = run_both(mod, "image_back", np.ones((3, 3), complex), 3, 0, messages=False)
    assert ran.status == "ValueError"
    ran = run_both(mod, "volume_spectrum", np.zeros((0, 2, 2)), messages=False)
    assert ran.status == "ValueError"
