"""A Python int computed in the function and stored into (or meeting) a narrower integer dtype: Mandelbrot's
escape count `out[j, i] = n` into an int32 image, a neighbour count into a uint8 grid, a global index
`offset + i` into int32 ids (bench/everyday's mandelbrot was refused for it). NumPy 2 range-checks such a
value and raises OverflowError out of the dtype's range, where compiled code would wrap around; the checker
prints it through runtime/int_helpers.py's fit_int, which leaves an out-of-range value to the original after
the variant's writes are restored (undo=); inside a prange loop it goes through spec_fit_int, which flags instead
of raising (a raise would keep Numba from running the loop in parallel) and the speculative variant (rollback=)
restores its writes and runs the original. Original vs cpu variant in both numerics modes (integer results:
bit for bit in both), bad inputs included; no GPU form (the GPU variant is not made)."""
from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

import polyray.runtime as rt
from compiled import compile_and_import, run_both

SOURCE = '''
import numpy as np


def mandelbrot(xmin: float, xmax: float, ymin: float, ymax: float, width: int, height: int, maxiter: int):
    out = np.zeros((height, width), dtype=np.int32)
    for j in range(height):
        y = ymin + j * (ymax - ymin) / height
        for i in range(width):
            x = xmin + i * (xmax - xmin) / width
            zr = 0.0
            zi = 0.0
            n = 0
            while zr * zr + zi * zi <= 4.0 and n < maxiter:
                zr, zi = zr * zr - zi * zi + x, 2.0 * zr * zi + y
                n += 1
            out[j, i] = n
    return out


def escape_counts(c_re: np.ndarray[tuple[int], np.dtype[np.float64]], c_im: np.ndarray[tuple[int], np.dtype[np.float64]],
                  maxiter: int, counts: np.ndarray[tuple[int, int], np.dtype[np.uint8]]) -> None:
    """Escape counts into the caller's uint8 image: a count past 255 is NumPy's OverflowError."""
    for j in range(c_im.shape[0]):
        for i in range(c_re.shape[0]):
            zr, zi = 0.0, 0.0
            n = 0
            while n < maxiter and zr * zr + zi * zi <= 4.0:
                zr, zi = zr * zr - zi * zi + c_re[i], 2.0 * zr * zi + c_im[j]
                n += 1
            counts[j, i] = n


def neighbours(grid: np.ndarray[tuple[int, int], np.dtype[np.uint8]]):
    """Live neighbours of each cell on a torus, counted in a Python int and stored as uint8."""
    n, m = grid.shape
    count = np.zeros((n, m), dtype=np.uint8)
    for i in range(n):
        for j in range(m):
            total = 0
            for di in range(-1, 2):
                for dj in range(-1, 2):
                    if di != 0 or dj != 0:
                        total += int(grid[(i + di) % n, (j + dj) % m])
            count[i, j] = total
    return count


def global_ids(offset: int, stride: int, ids: np.ndarray[tuple[int], np.dtype[np.int32]]) -> None:
    """Each local element's global index, offset + i * stride, into an int32 array."""
    for i in range(ids.shape[0]):
        ids[i] = offset + i * stride


def add_running(a: np.ndarray[tuple[int], np.dtype[np.int16]], step: int) -> None:
    """Adds a running Python int to each int16 element: NumPy converts it to int16, range-checked."""
    k = 0
    for i in range(a.shape[0]):
        if a[i] > 0:
            k += step
        a[i] = a[i] + k
'''


@pytest.fixture(scope="module", params=["exact", "close"])
def mod(request, tmp_path_factory):
    base = tmp_path_factory.mktemp(f"int_store_{request.param}")
    src = base / "src.py"
    src.write_text(SOURCE)
    m = compile_and_import(src, base, f"int_store_{request.param}", "--numerics", request.param, "--targets", "cpu,gpu")
    text = Path(m.__file__).read_text()
    assert "_polyray_np.int32(_polyray_h_fit_int(n, -2147483648, 2147483647))" in text
    # neighbours' periodic reads (grid[(i + di) % n, ...]) keep its loops parallel (3545f4e): the flagging form, and
    # nothing to roll back (count is its own array); add_running's serial store restores a's writes (undo=)
    assert "_polyray_np.uint8(_polyray_h_spec_fit_int(total, 0, 255, _polyray_fail))" in text and "undo=(0,)" in text
    # inside prange loops the flagging form, and the variant is speculative (rollback=): the loops run in parallel
    assert "_polyray_np.uint8(_polyray_h_spec_fit_int(n, 0, 255, _polyray_fail))" in text and "rollback=(3,)" in text
    assert "_polyray_h_spec_fit_int(offset + i * stride, -2147483648, 2147483647, _polyray_fail)" in text and "rollback=(2,)" in text
    assert "_polyray_np.int16(_polyray_h_fit_int(k, -32768, 32767))" in text
    assert "_polyray_gpu_" not in text  # fit_int has no device form
    return m


def variant(name):
    return [r["variant"] for r in rt.history() if r["function"] == name][-1]


def test_in_range_counts_are_numpys(mod, monkeypatch):
    monkeypatch.setenv("POLYRAY_TARGET", "cpu")
    ran = run_both(mod, "mandelbrot", -2.0, 1.0, -1.5, 1.5, 60, 40, 100)
    assert ran.status == "ok" and variant("mandelbrot") == "cpu"
    assert ran.value.dtype == np.int32 and ran.value.max() == 100
    re, im = np.linspace(-2.0, 0.5, 50), np.linspace(-1.2, 1.2, 30)
    # the parallel form, which these small inputs do not run, compiled beside the serial one as a kernel's call
    # compiles it (conftest.py has only the form a call runs compiled): read below
    monkeypatch.setenv("POLYRAY_JIT_FORMS", "all")
    run_both(mod, "escape_counts", re, im, 255, np.zeros((30, 50), dtype=np.uint8))
    monkeypatch.setenv("POLYRAY_JIT_FORMS", "needed")
    assert variant("escape_counts") == "cpu"
    # a parallel loop for Numba (a raise inside would have kept it serial)
    jitted = mod._polyray_dispatch_escape_counts.variants["cpu"]._jitted
    assert [len(c.metadata["parfor_diagnostics"].initial_parfors) for c in jitted.overloads.values()] == [1]
    rng = np.random.default_rng(5)
    ran = run_both(mod, "neighbours", (rng.random((37, 23)) < 0.4).astype(np.uint8))
    assert variant("neighbours") == "cpu" and ran.value.max() <= 8
    run_both(mod, "global_ids", 2**31 - 100, 1, np.zeros(100, dtype=np.int32))
    run_both(mod, "global_ids", -(2**31) + 1, 3, np.zeros(50, dtype=np.int32))  # (int arguments: |x| < 2**31, the dispatcher)
    assert variant("global_ids") == "cpu"


def test_a_count_past_uint8_raises_numpys_overflow_after_the_originals_writes(mod, monkeypatch):
    monkeypatch.setenv("POLYRAY_TARGET", "cpu")
    # c = 0 never escapes: its count is maxiter = 300, out of uint8; pixels before it were written by NumPy
    re, im = np.array([1.0, 0.5, 0.0, 2.0]), np.array([1.5, 0.0])
    ran = run_both(mod, "escape_counts", re, im, 300, np.full((2, 4), 7, dtype=np.uint8))
    assert ran.status == "OverflowError" and variant("escape_counts") == "original"


def test_an_index_past_int32_raises_numpys_overflow(mod, monkeypatch):
    monkeypatch.setenv("POLYRAY_TARGET", "cpu")
    # offset + i reaches 2**31 at i = 5: ids[0..4] written, then NumPy's OverflowError
    ran = run_both(mod, "global_ids", 2**31 - 5, 1, np.zeros(10, dtype=np.int32))
    assert ran.status == "OverflowError" and variant("global_ids") == "original"
    ran = run_both(mod, "global_ids", 0, -(2**30), np.zeros(4, dtype=np.int32))
    assert ran.status == "OverflowError"
    # the original's writes were made: element 0..2 hold 0, -2**30, -2**31
    ids = np.ones(4, dtype=np.int32)
    with pytest.raises(OverflowError):
        mod.global_ids(0, -(2**30), ids)
    assert ids.tolist() == [0, -(2**30), -(2**31), 1]


def test_a_huge_maxiter_with_escaping_points(mod, monkeypatch):
    monkeypatch.setenv("POLYRAY_TARGET", "cpu")
    # every point escapes fast: the counts fit int32 whatever maxiter is
    ran = run_both(mod, "mandelbrot", 2.0, 3.0, 2.0, 3.0, 8, 4, 2**31 - 1)
    assert ran.status == "ok" and variant("mandelbrot") == "cpu"
    # past int32 the dispatcher's range check of int arguments already keeps the original
    ran = run_both(mod, "mandelbrot", 2.0, 3.0, 2.0, 3.0, 8, 4, 2**31 + 5)
    assert ran.status == "ok" and variant("mandelbrot") == "original"


def test_empty_inputs(mod, monkeypatch):
    monkeypatch.setenv("POLYRAY_TARGET", "cpu")
    run_both(mod, "mandelbrot", -2.0, 1.0, -1.5, 1.5, 0, 0, 50)
    run_both(mod, "global_ids", 2**40, 1, np.zeros(0, dtype=np.int32))
    run_both(mod, "neighbours", np.zeros((0, 3), dtype=np.uint8))


def test_an_operand_meeting_int16(mod, monkeypatch):
    monkeypatch.setenv("POLYRAY_TARGET", "cpu")
    a = np.array([3, -1, 5, 0, 7, -2], dtype=np.int16)
    run_both(mod, "add_running", a, 100)
    assert variant("add_running") == "cpu"
    # k reaches 40000 at the first positive element: NumPy's OverflowError; then at the third (k = 3 * 12000)
    for step in (40000, 12000):
        ran = run_both(mod, "add_running", a, step)
        assert ran.status == "OverflowError" and variant("add_running") == "original"
