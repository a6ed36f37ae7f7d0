"""Reads through an index computed from data or a call (issue 17/18; scop/extract.ts checkableRead): the kernels of
test/kernels/numpy_style/gathers.py (reflective boundaries `u[abs(i - c)]`, gathers `x[idx[i]]`, a colour-map lookup,
neighbour sums) against the original in both numerics modes. The arrays read are never written, so their loops run
as prange, each such index checked as the variant runs (runtime/index_checks.py spec_index). Bad inputs: an index
past the array runs the original (NumPy's IndexError, with the writes before it), a negative one in range reads from
the end in both; the twin that gathers from the array it writes stays sequential. No GPU variant is made (no kernel
checks an index)."""
from __future__ import annotations


import numpy as np
import pytest

from compiled import ROOT, cpu_body, run_both, same_in_both_modes, compile_both_modes

SOURCE = ROOT / "test/kernels/numpy_style/gathers.py"

PARALLEL = ["reflect_smooth", "mirror_about", "gather_scaled", "colour_map", "neighbour_sum"]
SEQUENTIAL = ["gather_in_place"]


@pytest.fixture(scope="module")
def modules(tmp_path_factory):
    d = tmp_path_factory.mktemp("gathers")
    return compile_both_modes(SOURCE, d, "gathers")


def _args(name: str, rng, n: int):
    u = rng.standard_normal(n)
    idx = rng.integers(-n, n, n) if n else np.zeros(0, dtype=np.int64)
    return {
        "reflect_smooth": (u,),
        "mirror_about": (u, np.full(max(n // 2, 1) if n else 0, np.nan), n // 2),
        "gather_scaled": (u, idx, np.full(n, np.nan), 1.5),
        "colour_map": (rng.integers(0, 5, (n, n + 2)).astype(np.int32), rng.random((5, 3))),
        "neighbour_sum": (u, rng.integers(0, n, (n, 4)) if n else np.zeros((0, 4), dtype=np.int64)),
        "gather_in_place": (u, idx),
    }[name]


def test_verdicts_in_the_report(modules):
    """The gathering loops are parallel and run as prange with their indices checked; the in-place twin does not."""
    for mode, (mod, report) in modules.items():
        for fn in PARALLEL:
            outer = report[fn]["loops"][0]
            assert outer["parallel"] and "runs as prange" in outer["reason"], (mode, fn, outer)
            assert "_polyray_prange(" in cpu_body(mod, fn) and "spec_index(" in cpu_body(mod, fn), (mode, fn)
            assert "gpu" not in report[fn]["variants"], (mode, fn)
        assert not report["gather_in_place"]["loops"][0]["parallel"], report["gather_in_place"]["loops"]


@pytest.mark.parametrize("n", [0, 2, 5, 57])
def test_against_the_original_in_both_modes(modules, n):
    """Bit for bit, the CPU variant running wherever every index is in range."""
    rng = np.random.default_rng(n)
    both = not same_in_both_modes(modules["exact"][0], modules["close"][0])
    for mode, (mod, _) in modules.items():
        if mode == "close" and not both:
            continue
        for fn in PARALLEL + SEQUENTIAL:
            ran = run_both(mod, fn, *_args(fn, rng, n))
            assert ran.status == "ok", (mode, fn, n, ran)
            if n >= 2:
                assert ran.variant == "cpu", (mode, fn, n, ran.records)


def test_indices_out_of_range_run_the_original(modules):
    """An index past the array (or below -len): the variant's writes are restored and the original raises NumPy's
    IndexError after its own writes (compared by run_both); reflective boundaries of a one-element array too."""
    rng = np.random.default_rng(7)
    for mode, (mod, _) in modules.items():
        x = rng.standard_normal(10)
        for bad in (10, -11, 1 << 40):
            idx = np.arange(10, dtype=np.int64)
            idx[6] = bad
            ran = run_both(mod, "gather_scaled", x, idx, np.full(10, np.nan), 2.0)
            assert ran.status == "IndexError" and ran.variant == "original", (mode, bad, ran)
        ran = run_both(mod, "mirror_about", x, np.zeros(8), 12)
        assert ran.status == "IndexError" and ran.variant == "original", (mode, ran)
        ran = run_both(mod, "reflect_smooth", x[:1])
        assert ran.status == "IndexError" and ran.variant == "original", (mode, ran)
        labels = rng.integers(0, 5, (6, 7)).astype(np.int32)
        labels[3, 4] = 5
        ran = run_both(mod, "colour_map", labels, rng.random((5, 3)))
        assert ran.status == "IndexError" and ran.variant == "original", (mode, ran)
        # negative indices in range read from the end, in the variant too
        ran = run_both(mod, "gather_scaled", x, np.arange(-10, 0, dtype=np.int64), np.zeros(10), 2.0)
        assert ran.status == "ok" and ran.variant == "cpu", (mode, ran)
