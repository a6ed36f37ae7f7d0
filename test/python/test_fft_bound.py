"""rocket-fft's np.fft against NumPy's within the documented bound (issue 17; docs/reliability.md, FFT-bound table).

bench/fft_error.py measures every 1-d size to 4096 and beyond; this checks a sample of the same
measurement (sizes 1 to 40, powers of 2, primes, 2-d and 3-d shapes, every transform, dtype and norm=) against
close_bounds.FFT_C, so that another rocket-fft or NumPy whose error exceeds the documented bound
fails here. Also: the result dtypes and shapes are NumPy's, and the compiler's bound is the runtime's.
"""
from __future__ import annotations

import importlib.util
import re

import pytest

from compiled import ROOT
from polyray.runtime.close_bounds import FFT_C

pytest.importorskip("rocket_fft")


def _bench():
    spec = importlib.util.spec_from_file_location("fft_error", ROOT / "bench" / "fft_error.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_measured_error_is_within_the_documented_bound():
    bench = _bench()
    one_d = list(range(1, 41)) + [127, 128, 256, 257, 509, 1024, 1031, 4096]
    two_d = [(m, n) for m in (1, 3, 8, 17) for n in (2, 5, 16, 31)]
    three_d = [(1, 3, 4), (2, 5, 3), (8, 1, 7), (3, 3, 3)]
    rows = bench.measure(False, seed=7, one_d=one_d, two_d=two_d, three_d=three_d)
    assert len(rows) > 2500
    # every transform (the n-d ones too) under every norm=
    assert {(r["func"], r["norm"]) for r in rows} == {(f, n) for f in bench.FUNCTIONS for n in bench.NORMS}
    assert all(r["out_dtype_equal"] for r in rows)
    worst = max(rows, key=lambda r: r["c_diff"])
    assert worst["c_diff"] <= FFT_C, worst
    # the test measures, not merely runs: some transform differs from NumPy's bits, and each error is finite
    assert any(not r["bits_equal"] for r in rows) and all(r["c_diff"] == r["c_diff"] for r in rows)


def test_the_compiler_states_the_runtime_bound():
    table = (ROOT / "src/compiler/types/numpy-table.ts").read_text()
    match = re.search(r"export const FFT_BOUND_C = ([0-9.]+);", table)
    assert match and float(match.group(1)) == FFT_C
    assert f"c = {FFT_C:g}" in (ROOT / "docs/reliability.md").read_text()
