"""Array parameters swapped between time steps (issue 17; types/param-rotations.ts, scop/rotations.ts): the kernels of
test/kernels/numpy_style/param_swaps.py (`A, B = B, A` of two parameters, 1-d and 2-d, a three-way rotation of
parameters, a swap on even steps only) against the original in both numerics modes. The swap moves the caller's
objects between the names: the final contents of every caller array must match the original's bit for bit (each step
writes whichever array its name denotes then), and so must a returned parameter; a parameter swapped with a fresh work
array (`u, un = un, u`) too, and a view of another parameter moved into a parameter is refused. The space loops run as prange (both
forms of the parallel variant are run); the twins that really share an object between two names (`A = B` with B
still written, a view of a parameter kept across the swap) run sequentially. Bad inputs run the original: the same
array passed twice, overlapping views of one array, different shapes, different dtypes; a non-contiguous buffer runs
the variant. No GPU or Ray variant is made (their copies of each parameter would not follow the moves)."""
from __future__ import annotations

import numpy as np
import pytest

import polyray.runtime as rt

from compiled import ROOT, compile_both_modes, cpu_body, run_both, same_in_both_modes

SOURCE = ROOT / "test/kernels/numpy_style/param_swaps.py"

PARALLEL = ["jacobi_swap", "heat_swap", "leapfrog_params", "heat_work_array", "smooth_with_copy"]
SEQUENTIAL = ["swap_on_even_steps", "shared_after_move", "kept_view"]


@pytest.fixture(scope="module")
def modules(tmp_path_factory):
    d = tmp_path_factory.mktemp("param_swaps")
    return compile_both_modes(SOURCE, d, "param_swaps")


def _args(name: str, rng, n: int, steps: int = 3):
    u, v, w = (rng.standard_normal(n) for _ in range(3))
    g, h = (rng.standard_normal((n, max(n // 2, 1) + 1)) for _ in range(2))
    return {
        "jacobi_swap": (u, v, steps),
        "heat_swap": (g, h, steps, 0.2),
        "leapfrog_params": (u, v, w, 0.25, steps),
        "heat_work_array": (u, steps),
        "smooth_with_copy": (g, steps),
        "swap_on_even_steps": (rng.integers(-9, 9, n), rng.integers(-9, 9, n), steps),
        "shared_after_move": (u, v, steps),
        "kept_view": (u, v, steps),
    }[name]


def _modes(modules):
    both = not same_in_both_modes(modules["exact"][0], modules["close"][0])
    return [(mode, mod) for mode, (mod, _) in modules.items() if mode == "exact" or both]


def test_verdicts_in_the_report(modules):
    """The space loop (the second loop) runs as prange, the time loop is sequential; the twins stay sequential;
    every parameter whose object moves to another name is written (the dispatcher checks that no two share memory);
    no GPU or Ray variant."""
    for mode, (mod, report) in modules.items():
        for fn in PARALLEL + SEQUENTIAL:
            assert report[fn]["accelerated"], (mode, fn, report[fn].get("diagnostics"))
            # (shared_after_move's `A = B` only drops A's object: the caller's A is never written)
            written = {p["name"] for p in report[fn]["params"] if p["written"]}
            arrays = {p["name"] for p in report[fn]["params"] if p["kind"] == "array"}
            assert written == (arrays - {"A"} if fn == "shared_after_move" else arrays), (mode, fn, report[fn]["params"])
            assert set(report[fn]["variants"]) == {"original", "cpu"}, (mode, fn, report[fn]["variants"])
        for fn in PARALLEL:
            time, space = report[fn]["loops"][:2]
            assert not time["parallel"], (mode, fn, time)
            assert space["parallel"] and "runs as prange" in space["reason"], (mode, fn, space)
            assert "_polyray_prange(" in cpu_body(mod, fn), (mode, fn)
        for fn in SEQUENTIAL:
            assert "_polyray_prange(" not in cpu_body(mod, fn), (mode, fn)
        assert not report["moved_view"]["accelerated"], report["moved_view"]


@pytest.mark.parametrize("form", ["parallel", "serial"])
def test_against_the_original_in_both_modes(modules, form, monkeypatch):
    """Bit for bit (every operation here is `exact`), the final contents of every argument too, for even and odd
    step counts (the arrays end in either name); the CPU variant runs wherever the arrays are not empty."""
    monkeypatch.setenv("POLYRAY_CPU_FORM", form)
    monkeypatch.setenv("POLYRAY_TIME_ORIGINAL_BELOW", "0")
    for mode, mod in _modes(modules):
        for n in (0, 1, 2, 7, 40):
            rng = np.random.default_rng(n)
            for fn in PARALLEL + SEQUENTIAL:
                for steps in (0, 1, 4, 5):
                    ran = run_both(mod, fn, *_args(fn, rng, n, steps), loose_messages=("IndexError",))
                    # (an empty array: heat_work_array's un[0] = u[0] raises IndexError in both once a step runs)
                    raises = n == 0 and steps > 0 and fn == "heat_work_array"
                    assert ran.status == ("IndexError" if raises else "ok"), (mode, fn, n, steps, ran)
                    if n >= 2 and ran.status == "ok":
                        assert ran.variant == "cpu", (mode, fn, n, steps, ran.records)


def test_bad_inputs_run_the_original(modules):
    """The same array as both buffers, or two overlapping views of one array: the dispatcher's check of written
    arguments sharing memory sends the call to the original (which reads what it wrote, as Python does). Buffers of
    different shapes fail the guard's shape check (the original runs and raises IndexError, or not, as NumPy
    does); a buffer of another dtype fails the parameter's dtype check. A non-contiguous buffer (a strided view)
    runs the variant, and only the viewed elements change."""
    rng = np.random.default_rng(5)
    for mode, mod in _modes(modules):
        x = rng.standard_normal(20)
        for views in (lambda a: (a, a), lambda a: (a[:-1], a[1:]), lambda a: (a[::2], a[1::2][::-1])):
            mine, theirs = x.copy(), x.copy()
            rt.clear_history()
            mod.jacobi_swap(*views(mine), 3)
            variant = rt.history()[-1]["variant"]
            mod._polyray_original_jacobi_swap(*views(theirs), 3)
            assert mine.tobytes() == theirs.tobytes(), (mode, mine, theirs)
            # (interleaved halves of one array share no element, but np.may_share_memory sees one span of bytes)
            assert variant == "original", (mode, rt.history())
        ran = run_both(mod, "jacobi_swap", x[:12], rng.standard_normal(9), 3)
        assert ran.status == "IndexError" and ran.variant == "original", (mode, ran)
        ran = run_both(mod, "jacobi_swap", x[:9], rng.standard_normal(12), 3)
        assert ran.status == "ok" and ran.variant == "original", (mode, ran)
        ran = run_both(mod, "jacobi_swap", x, x.astype(np.float32), 3)
        assert ran.status == "ok" and ran.variant == "original", (mode, ran)
        g = rng.standard_normal((10, 14))
        ran = run_both(mod, "heat_swap", g[:, ::2].copy(), g[:, 1::2], 4, 0.2)
        assert ran.status == "ok" and ran.variant == "cpu", (mode, ran)
        # (a longer first buffer: every index stays inside it, no error in the original, which runs)
        ran = run_both(mod, "leapfrog_params", x, x[::2].copy(), rng.standard_normal(10), 0.25, 3)
        assert ran.status == "ok" and ran.variant == "original", (mode, ran)
