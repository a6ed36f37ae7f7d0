"""Powers of Python ints (types/int-power-guard.ts), compiled in both numerics modes: sizes computed as
`R ** K` and `R ** (K - i - 1)` in a loop over range(K), as radix-R transforms write them. The dispatcher
checks that every such power has a non-negative exponent and fits in int64; otherwise the original runs
(CPython's exact big int, or a float for a negative exponent), which the run record says."""
from __future__ import annotations

import textwrap

import numpy as np
import pytest

from compiled import compile_and_import, run_both

KERNELS = textwrap.dedent('''
    import numpy as np


    def strides(R: int, K: int):
        out = np.zeros(K + 1, dtype=np.int64)
        out[0] = R ** K
        for i in range(K):
            out[i + 1] = R ** (K - i - 1) + R ** (i + 1)
        return out


    def not_guarded(R: int, K: int):
        K = K + 1
        return R ** K
''')


@pytest.fixture(scope="module", params=["exact", "close"])
def mod(request, tmp_path_factory):
    d = tmp_path_factory.mktemp(f"int_powers_{request.param}")
    src = d / "int_power_kernels.py"
    src.write_text(KERNELS)
    return compile_and_import(src, d, f"int_power_kernels_{request.param}", "--numerics", request.param)


@pytest.mark.parametrize("R,K", [(2, 10), (3, 5), (-2, 7), (1, 500), (0, 3), (-1, 64), (2, 62)])
def test_powers_that_fit_run_compiled(mod, monkeypatch, R, K):
    monkeypatch.setenv("POLYRAY_TARGET", "cpu")
    assert run_both(mod, "strides", R, K).variant == "cpu"


@pytest.mark.parametrize("R,K", [(2, 63), (10, 30), (3, 100)])
def test_powers_beyond_int64_run_the_original(mod, monkeypatch, R, K):
    monkeypatch.setenv("POLYRAY_TARGET", "cpu")
    # np.zeros(K + 1, int64) cannot hold them: the original raises OverflowError, and so does the call
    ran = run_both(mod, "strides", R, K)
    assert ran.variant == "original" and "power of Python ints" in ran.records[-1]["reason"]


def test_zero_or_negative_exponents(mod, monkeypatch):
    monkeypatch.setenv("POLYRAY_TARGET", "cpu")
    assert run_both(mod, "strides", 2, 0).variant == "cpu"
    # R ** -1 is a float in CPython: the original runs (and fails on the int64 array as Python does)
    ran = run_both(mod, "strides", 2, -1)
    assert ran.variant == "original"


def test_a_rebound_parameter_keeps_the_original(mod):
    assert not hasattr(mod, "_polyray_original_not_guarded")
