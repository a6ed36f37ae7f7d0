"""A computed NumPy integer scalar stored into a narrower integer array, and a shift of a narrow integer by a
computed count (issue 17), both refused before.

* Stores. NumPy 2 (measured on 2.4, elements and slices alike) stores a NumPy integer into a narrower *unsigned*
  array modulo 2**bits (`u8[i] = np.int64(-1)` is 255, compiled code's store too), and into a narrower *signed*
  one only within its range (`i32[i] = np.int64(a[i]) * k` raises OverflowError past int32): the variant's value
  goes through int_helpers.fit_int, which leaves an out-of-range value to the original after the variant's writes
  are restored; inside a prange loop through spec_fit_int, which flags instead of raising (a raise keeps Numba
  from running the loop in parallel), and the speculative variant restores its writes and runs the original.
* Shifts. `(x >> (k & 7)) & 1` on a uint8: the count's static range 0..7 fits, C's shift is NumPy's. A count
  that may lie outside 0..bits-1 (`(rule >> idx) & 1` with a uint8 idx: elementary cellular automata) goes
  through int_helpers.np_rshift/np_lshift, NumPy's rule (0, or -1 shifting a negative value right); a Python int
  count out of the dtype's range is NumPy's OverflowError.

Original vs cpu variant in both numerics modes (integer results: bit for bit in both), bad inputs included, two
threads or more for the parallel loops (Numba's default: one per core); the GPU form where it is made, under
Numba's CUDA simulator in a child process (the simulator is chosen when numba.cuda is first imported)."""
from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

import polyray.runtime as rt
from compiled import compile_and_import, run_both

SOURCE = '''
import numpy as np
import numpy.typing as npt


def scaled_counts(a: npt.NDArray[np.int32], k: int, out: npt.NDArray[np.int32]) -> None:
    """Counts scaled in 64 bits, stored back as int32: past int32 NumPy raises OverflowError."""
    for i in range(a.shape[0]):
        out[i] = np.int64(a[i]) * k


def low_bytes(a: npt.NDArray[np.int64], out: npt.NDArray[np.uint8]) -> None:
    """Each value's low byte, by storing it into uint8 (NumPy keeps it modulo 256)."""
    n = a.shape[0]
    for i in range(n):
        out[i] = np.int64(a[i]) * 3 - 7


def narrow_rows(x: np.ndarray[tuple[int, int], np.dtype[np.int64]], y: np.ndarray[tuple[int, int], np.dtype[np.int16]]) -> None:
    """A 2-d image of int64 sums into int16, row by row."""
    n, m = x.shape
    for i in range(n):
        for j in range(m):
            y[i, j] = x[i, j] + x[i, (j + 1) % m]


def bit_planes(x: npt.NDArray[np.uint8], k: int, out: npt.NDArray[np.uint8]) -> None:
    """Bit k (mod 8) of every pixel."""
    for i in range(x.shape[0]):
        out[i] = (x[i] >> (k & 7)) & 1


def automaton(cells: npt.NDArray[np.uint8], rule: int, steps: int):
    """Wolfram's elementary cellular automaton on a ring: each new cell is bit idx of the rule."""
    n = cells.shape[0]
    history = np.zeros((steps, n), dtype=np.uint8)
    for t in range(steps):
        history[t] = cells
        new = np.zeros_like(cells)
        for i in range(n):
            idx = 4 * cells[(i - 1) % n] + 2 * cells[i] + cells[(i + 1) % n]
            new[i] = (rule >> idx) & 1
        cells = new
    return history


def shifted(x: npt.NDArray[np.int8], counts: npt.NDArray[np.uint8], out: npt.NDArray[np.int64]) -> None:
    """int8 values shifted by uint8 counts (promoted to int16): counts of 16 and more give 0 or -1 in NumPy."""
    for i in range(x.shape[0]):
        out[i] = (x[i] >> counts[i]) + (x[i] << counts[i])


def shift_in_place(x: npt.NDArray[np.int16], k: npt.NDArray[np.int16]) -> None:
    """x[i] <<= k[i]: NumPy's int16 shift (a negative count or one past 15 gives 0), wrapped into int16."""
    for i in range(x.shape[0]):
        x[i] <<= k[i]


def left_by(x: npt.NDArray[np.uint16], s: int, out: npt.NDArray[np.uint16]) -> None:
    """A Python int count: NumPy converts it to uint16 (OverflowError when negative), a count past 15 gives 0."""
    for i in range(x.shape[0]):
        out[i] = x[i] << (s + 0)
'''


@pytest.fixture(scope="module", params=["exact", "close"])
def mod(request, tmp_path_factory):
    base = tmp_path_factory.mktemp(f"int_scalar_stores_{request.param}")
    src = base / "src.py"
    src.write_text(SOURCE)
    m = compile_and_import(src, base, f"int_scalar_stores_{request.param}", "--numerics", request.param, "--targets", "cpu,gpu")
    text = Path(m.__file__).read_text()
    # inside the prange loop, the flagging form: the loop runs in parallel, a flag leaves the call to the original
    assert "_polyray_np.int32(_polyray_h_spec_fit_int(np.int64(a[i]) * k, -2147483648, 2147483647, _polyray_fail))" in text
    assert "def _polyray_cpu_scaled_counts(a, k, out, _polyray_fail):" in text and "rollback=(2,)" in text
    assert "_polyray_h_np_rshift(_polyray_np.uint8(rule), idx)" in text
    # (a parallel loop keeps the helper: C's shift of a count past the width is not NumPy's)
    assert "_polyray_h_np_rshift(x[i], counts[i])" in text.split("def _polyray_cpu_shifted")[1].split("_polyray_dispatch_shifted")[0]
    assert "_polyray_h_np_rshift" not in text.split("def _polyray_cpu_bit_planes")[1].split("_polyray_dispatch_bit_planes")[0]
    return m


def variant(name):
    return [r["variant"] for r in rt.history() if r["function"] == name][-1]


def test_a_numpy_int_into_a_narrower_signed_array(mod, monkeypatch):
    monkeypatch.setenv("POLYRAY_TARGET", "cpu")
    rng = np.random.default_rng(3)
    a = rng.integers(-1000, 1000, 500).astype(np.int32)
    run_both(mod, "scaled_counts", a, 12345, np.zeros(500, dtype=np.int32))
    assert variant("scaled_counts") == "cpu"
    run_both(mod, "scaled_counts", np.array([2**31 - 1, -(2**31)], dtype=np.int32), 1, np.zeros(2, dtype=np.int32))
    assert variant("scaled_counts") == "cpu"
    # past int32 at the third element: NumPy's OverflowError after two writes, the variant's own undone
    ran = run_both(mod, "scaled_counts", np.array([1, 2, 2**30, 3], dtype=np.int32), 2, np.full(4, 9, dtype=np.int32))
    assert ran.status == "OverflowError" and variant("scaled_counts") == "original"
    ran = run_both(mod, "scaled_counts", np.array([5, -(2**30) - 1], dtype=np.int32), 2, np.zeros(2, dtype=np.int32))
    assert ran.status == "OverflowError"
    run_both(mod, "scaled_counts", np.zeros(0, dtype=np.int32), 7, np.zeros(0, dtype=np.int32))


def parfors(mod, name):
    """Parallel loops Numba made of the CPU variant's parallel form (0 where it ran a prange loop serially)."""
    jitted = getattr(mod, f"_polyray_dispatch_{name}").variants["cpu"]._jitted
    return [len(cres.metadata["parfor_diagnostics"].initial_parfors) for cres in jitted.overloads.values()]


def test_the_checked_store_loop_runs_in_parallel_and_flags(mod, monkeypatch):
    """200,000 elements (with two threads, chunks of 100,000): an out-of-range value in the second half flags,
    the variant's writes are undone, and the original writes up to it and raises NumPy's OverflowError."""
    monkeypatch.setenv("POLYRAY_TARGET", "cpu")
    # the parallel form itself (since 12bc744 auto's form trials start with the serial one)
    monkeypatch.setenv("POLYRAY_CPU_FORM", "parallel")
    a = np.arange(-100_000, 100_000, dtype=np.int32)
    ran = run_both(mod, "scaled_counts", a, 3, np.zeros(a.shape[0], dtype=np.int32))
    assert ran.status == "ok" and variant("scaled_counts") == "cpu"
    assert [r.get("form") for r in rt.history() if r["function"] == "scaled_counts"][-1] == "parallel"
    assert parfors(mod, "scaled_counts") == [1]
    a[150_000] = 2**30
    ran = run_both(mod, "scaled_counts", a, 3, np.full(a.shape[0], -5, dtype=np.int32))
    assert ran.status == "OverflowError" and variant("scaled_counts") == "original"
    out = np.full(a.shape[0], -5, dtype=np.int32)
    with pytest.raises(OverflowError):
        mod.scaled_counts(a, 3, out)
    assert (out[:150_000] == a[:150_000] * 3).all() and (out[150_000:] == -5).all()


def test_a_numpy_int_into_a_narrower_unsigned_array_wraps_as_numpy(mod, monkeypatch):
    monkeypatch.setenv("POLYRAY_TARGET", "cpu")
    a = np.array([0, 1, 2, 3, 85, 86, -1, -(2**40), 2**61, -(2**62)], dtype=np.int64)
    ran = run_both(mod, "low_bytes", a, np.zeros(a.shape[0], dtype=np.uint8))
    assert ran.status == "ok" and variant("low_bytes") == "cpu"


def test_a_2d_sum_into_int16(mod, monkeypatch):
    monkeypatch.setenv("POLYRAY_TARGET", "cpu")
    rng = np.random.default_rng(4)
    x = rng.integers(-16000, 16000, (40, 30))
    run_both(mod, "narrow_rows", x, np.zeros((40, 30), dtype=np.int16))
    assert variant("narrow_rows") == "cpu"
    x[17, 5] = 20000  # 20000 + x[17, 6] or x[17, 4] + 20000 leaves int16: OverflowError at row 17
    x[17, 4] = x[17, 6] = 15000
    ran = run_both(mod, "narrow_rows", x, np.ones((40, 30), dtype=np.int16))
    assert ran.status == "OverflowError" and variant("narrow_rows") == "original"


def test_a_masked_shift_count(mod, monkeypatch):
    monkeypatch.setenv("POLYRAY_TARGET", "cpu")
    x = np.random.default_rng(5).integers(0, 256, 300).astype(np.uint8)
    for k in (0, 3, 7, 8, 13, -1, -6, 2**40 + 5):
        ran = run_both(mod, "bit_planes", x, k, np.zeros(300, dtype=np.uint8))
        assert ran.status == "ok"
    assert variant("bit_planes") in ("cpu", "original")  # (k past 2**31: the dispatcher's int range keeps the original)
    run_both(mod, "bit_planes", x, 5, np.zeros(300, dtype=np.uint8))
    assert variant("bit_planes") == "cpu"


@pytest.mark.parametrize("rule", [30, 90, 110, 184, 0, 255])
def test_elementary_automata(mod, monkeypatch, rule):
    monkeypatch.setenv("POLYRAY_TARGET", "cpu")
    cells = (np.random.default_rng(rule).random(64) < 0.5).astype(np.uint8)
    ran = run_both(mod, "automaton", cells, rule, 40)
    assert ran.status == "ok" and variant("automaton") == "cpu" and ran.value[1:].any() == (rule != 0)


def test_an_automaton_with_counts_past_eight_and_bad_rules(mod, monkeypatch):
    monkeypatch.setenv("POLYRAY_TARGET", "cpu")
    # cells of 0..3: idx reaches 4*3 + 2*3 + 3 = 21, a count past uint8's 8 bits: NumPy's 0
    cells = np.random.default_rng(9).integers(0, 4, 50).astype(np.uint8)
    run_both(mod, "automaton", cells, 201, 10)
    assert variant("automaton") == "cpu"
    # cells of 100: 4 * 100 wraps in uint8 (NumPy 2), idx = 144 + 200 + 100 wraps to 188
    run_both(mod, "automaton", np.full(8, 100, dtype=np.uint8), 77, 3)
    # a rule out of uint8's range: NumPy's OverflowError (the dispatcher keeps the original)
    for rule in (256, -1):
        ran = run_both(mod, "automaton", cells, rule, 4)
        assert ran.status == "OverflowError"
    run_both(mod, "automaton", np.zeros(0, dtype=np.uint8), 110, 5)


def test_shifts_of_signed_values_by_any_count(mod, monkeypatch):
    monkeypatch.setenv("POLYRAY_TARGET", "cpu")
    x = np.array([-128, -5, -1, 0, 1, 5, 127, -77, 64, -64, 3], dtype=np.int8)
    counts = np.array([0, 1, 7, 8, 15, 16, 17, 63, 64, 200, 255], dtype=np.uint8)
    for shift in range(4):
        ran = run_both(mod, "shifted", x, np.roll(counts, shift), np.zeros(x.shape[0], dtype=np.int64))
        assert ran.status == "ok" and variant("shifted") == "cpu"


def test_a_loop_of_scalar_shifts_runs_in_parallel(mod, monkeypatch):
    """NumPy's shift of two scalars raises nothing for any count (np_rshift/np_lshift give 0 or -1 past the
    width): the loop around it runs as prange (parallel/neverRaises), still through the helper. 100,000 elements
    with counts past 8, 16 and 64 in both halves, in the parallel form."""
    monkeypatch.setenv("POLYRAY_TARGET", "cpu")
    monkeypatch.setenv("POLYRAY_CPU_FORM", "parallel")
    rng = np.random.default_rng(8)
    x = rng.integers(-128, 128, 100_000).astype(np.int8)
    counts = rng.integers(0, 256, 100_000).astype(np.uint8)
    ran = run_both(mod, "shifted", x, counts, np.zeros(x.shape[0], dtype=np.int64))
    assert ran.status == "ok" and variant("shifted") == "cpu"
    assert [r.get("form") for r in rt.history() if r["function"] == "shifted"][-1] == "parallel"
    assert parfors(mod, "shifted") == [1]
    assert (counts >= 16).any() and (counts < 8).any()


def test_an_element_shifted_in_place(mod, monkeypatch):
    monkeypatch.setenv("POLYRAY_TARGET", "cpu")
    x = np.array([1, -1, 300, -32768, 32767, 7, 5, -9], dtype=np.int16)
    k = np.array([0, 15, 8, 1, 16, -1, 40, 3], dtype=np.int16)
    ran = run_both(mod, "shift_in_place", x, k)
    assert ran.status == "ok" and variant("shift_in_place") == "cpu"


def test_a_python_int_count(mod, monkeypatch):
    monkeypatch.setenv("POLYRAY_TARGET", "cpu")
    x = np.arange(0, 65536, 257, dtype=np.uint16)
    for s in (0, 1, 15, 16, 40, 65535):
        run_both(mod, "left_by", x, s, np.zeros(x.shape[0], dtype=np.uint16))
        assert variant("left_by") == "cpu"
    for s in (-1, 65536):  # NumPy converts the count to uint16: OverflowError, before any write
        ran = run_both(mod, "left_by", x, s, np.zeros(x.shape[0], dtype=np.uint16))
        assert ran.status == "OverflowError"


GPU_CHECK = r'''
import sys
import numpy as np
sys.path.insert(0, sys.argv[2])
from compiled import compile_and_import, run_both
from pathlib import Path
import polyray.runtime as rt
base = Path(sys.argv[1])
(base / "src.py").write_text(sys.argv[3])
m = compile_and_import(base / "src.py", base, "int_scalar_stores_gpu", "--numerics", "exact", "--targets", "cpu,gpu")
text = Path(m.__file__).read_text()
assert "_polyray_gpu_low_bytes" in text and "_polyray_gpu_bit_planes" in text, "GPU forms expected"
assert "_polyray_gpu_scaled_counts" not in text and "_polyray_gpu_shifted" not in text
a = np.array([0, 1, 2, 3, 85, 86, -1, -(2**40), 2**61, -(2**62)], dtype=np.int64)
run_both(m, "low_bytes", a, np.zeros(a.shape[0], dtype=np.uint8))
x = np.random.default_rng(5).integers(0, 256, 300).astype(np.uint8)
run_both(m, "bit_planes", x, 6, np.zeros(300, dtype=np.uint8))
print("ran", sorted({r["variant"] for r in rt.history()}))
'''


def test_gpu_forms_under_the_simulator(tmp_path):
    """The wrapping store and the masked shift have a GPU form (the checked store and np_rshift do not)."""
    env = {**os.environ, "NUMBA_ENABLE_CUDASIM": "1", "POLYRAY_TARGET": "gpu"}
    proc = subprocess.run([sys.executable, "-c", GPU_CHECK, str(tmp_path), str(Path(__file__).parent), SOURCE],
                          env=env, capture_output=True, text=True, timeout=600)
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-3000:]
    assert "'gpu'" in proc.stdout, proc.stdout
