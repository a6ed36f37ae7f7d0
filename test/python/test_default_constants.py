"""A parameter's literal default compiled as a constant (issue 18, NPBench crc16's `poly=0x8408`;
codegen/default-constants.ts): the CPU variant runs a copy of its body behind `if taps == <default>:` in which
the value is a constant, and the body as before for any other value. Original against compiled in both numerics
modes, integer results bit for bit: the default omitted, passed, another value, a negative one, and values the
dispatcher refuses (a NumPy int32, an int past 2**31: the original runs). Spellings other than crc16's: a Galois
LFSR over bytes, a sum with a bool default, and a parameter rebound in the body (one copy)."""
from __future__ import annotations

import textwrap

import numpy as np
import pytest

from compiled import compile_and_import, cpu_body, cpu_target, run_both  # noqa: F401 - cpu_target: POLYRAY_TARGET=cpu

KERNELS = textwrap.dedent('''
    import numpy as np


    def lfsr(bits: np.ndarray[tuple[int], np.dtype[np.int64]], taps: int = 0xB400):
        state = 0xACE1
        for b in bits:
            for _ in range(8):
                lsb = (state ^ b) & 1
                state >>= 1
                if lsb:
                    state ^= taps
                b >>= 1
        return state


    def total(x: np.ndarray[tuple[int], np.dtype[np.int64]], absolute: bool = False):
        s = 0
        for i in range(x.shape[0]):
            s += abs(x[i]) if absolute else x[i]
        return s


    def rebound(x: np.ndarray[tuple[int], np.dtype[np.int64]], k: int = 2):
        k = k + 1
        s = 0
        for i in range(x.shape[0]):
            s += x[i] * k
        return s
''')


#: the original's np.int64 result comes back from the variant as a Python int of the same value (an int-returning
#: variant's result, as before this change): compared by value, the type apart
INT = ("int",)


@pytest.fixture(scope="module", params=["exact", "close"])
def mod(request, tmp_path_factory):
    d = tmp_path_factory.mktemp(f"default_constants_{request.param}")
    src = d / "default_kernels.py"
    src.write_text(KERNELS)
    return compile_and_import(src, d, f"default_kernels_{request.param}", "--numerics", request.param)


def test_the_generated_copies(mod):
    """The default's copy where a loop reads the parameter; one body where the function rebinds it."""
    assert "if taps == 46080:" in cpu_body(mod, "lfsr") and "taps = 46080" in cpu_body(mod, "lfsr")
    assert "if absolute == False:" in cpu_body(mod, "total")
    assert "if k ==" not in cpu_body(mod, "rebound")


def test_against_the_original(mod):
    rng = np.random.default_rng(14)
    data = rng.integers(0, 256, 300).astype(np.int64)
    for args in [(data,), (data, 0xB400), (data, 0x8408), (data, 0), (data, -7), (data[:0],), (data[:1], 1)]:
        ran = run_both(mod, "lfsr", *args, kinds=INT)
        assert ran.status == "ok" and ran.variant == "cpu", (args[1:], ran.records[-1:])
    x = rng.integers(-1000, 1000, 50)
    for args in [(x,), (x, False), (x, True)]:
        ran = run_both(mod, "total", *args, kinds=INT)
        assert ran.status == "ok" and ran.variant == "cpu", (args[1:], ran.records[-1:])
    for args in [(x,), (x, 2), (x, -5)]:
        ran = run_both(mod, "rebound", *args, kinds=INT)
        assert ran.status == "ok" and ran.variant == "cpu", (args[1:], ran.records[-1:])


def test_arguments_the_dispatcher_refuses_run_the_original(mod):
    """The default's value as a NumPy int32 or a bool, and an int past 2**31: not the variant's int64, so the
    original runs (with NumPy's or Python's own rules for them), and the result is still the original's."""
    data = np.arange(40, dtype=np.int64)
    for taps in (np.int32(0xB400), 1 << 40):
        ran = run_both(mod, "lfsr", data, taps, kinds=INT)
        assert ran.status == "ok" and ran.variant == "original", (taps, ran.records[-1:])
