"""In-place forms people write with NumPy, compiled in both numerics modes (issue 17):
ufunc output arguments (`np.multiply(Z, Z, Z)`, `np.add(a, b, out=c)`, `np.logical_not(I, I)`) as a
store of the value computed whole (parse/.., types/ufunc-out.ts), `.shape` assignment as a reshape
under a new name (parse/shape-set.ts), and a Mandelbrot escape-time loop that shrinks its working
arrays each iteration (fancy stores with one index array per dimension). Bad inputs: an output of
another shape (ValueError), a reshape to another size (ValueError), forms that keep the original
(an output of another dtype, `.shape` of a parameter, of an aliased array, inside a loop)."""
from __future__ import annotations

import textwrap

import numpy as np
import pytest

from compiled import compile_and_import, run_both

KERNELS = textwrap.dedent('''
    import numpy as np

    F1 = np.ndarray[tuple[int], np.dtype[np.float64]]


    def escape_shrinking(xmin: float, xmax: float, ymin: float, ymax: float, xn: int, yn: int, itermax: int, horizon: float = 2.0):
        Xi, Yi = np.mgrid[0:xn, 0:yn]
        X = np.linspace(xmin, xmax, xn, dtype=np.float64)[Xi]
        Y = np.linspace(ymin, ymax, yn, dtype=np.float64)[Yi]
        C = X + Y * 1j
        counts = np.zeros(C.shape, dtype=np.int64)
        last = np.zeros(C.shape, dtype=np.complex128)
        Xi.shape = Yi.shape = C.shape = xn * yn
        Z = np.zeros(C.shape, np.complex128)
        for i in range(itermax):
            if not len(Z):
                break
            np.multiply(Z, Z, Z)
            np.add(Z, C, Z)
            out = abs(Z) > horizon
            counts[Xi[out], Yi[out]] = i + 1
            last[Xi[out], Yi[out]] = Z[out]
            np.logical_not(out, out)
            Z = Z[out]
            Xi, Yi = Xi[out], Yi[out]
            C = C[out]
        return last.T, counts.T


    def relu_inplace(x: np.ndarray[tuple[int, int], np.dtype[np.float64]], b: np.ndarray[tuple[int], np.dtype[np.float64]]) -> None:
        np.add(x, b, out=x)
        np.maximum(x, 0.0, out=x)


    def smooth_into(x: np.ndarray[tuple[int], np.dtype[np.float64]], out: np.ndarray[tuple[int], np.dtype[np.float64]]) -> None:
        np.add(x[1:], x[:-1], out=out)
        tail = x[1:]
        np.multiply(tail, x[:-1], out=tail)


    def blocks(n: int, m: int):
        a = np.ones(n * m, dtype=np.int64).cumsum()
        a.shape = (n, m)
        return a.sum(axis=1), a


    def resized(n: int, m: int):
        a = np.zeros(n, dtype=np.int64)
        a.shape = (m, 2)
        return a


    def other_dtype(x: np.ndarray[tuple[int], np.dtype[np.float64]], k: np.ndarray[tuple[int], np.dtype[np.int64]]) -> None:
        np.add(k, k, x)


    def param_shape(x: np.ndarray[tuple[int], np.dtype[np.float64]], n: int):
        x.shape = (n, -1)
        return x


    def aliased_shape(n: int):
        a = np.zeros(n * 2)
        b = a
        a.shape = (n, 2)
        return b


    def shape_in_loop(n: int):
        a = np.zeros(n * 2)
        for i in range(2):
            a.shape = (n, 2)
        return a
''')


@pytest.fixture(scope="module", params=["exact", "close"])
def mod(request, tmp_path_factory):
    d = tmp_path_factory.mktemp(f"shape_out_{request.param}")
    src = d / "shape_out_kernels.py"
    src.write_text(KERNELS)
    return compile_and_import(src, d, f"shape_out_kernels_{request.param}", "--numerics", request.param)


@pytest.mark.parametrize("xn,yn,it", [(37, 29, 25), (1, 1, 3), (0, 4, 5), (12, 9, 0)])
def test_escape_time_with_shrinking_arrays(mod, monkeypatch, xn, yn, it):
    monkeypatch.setenv("POLYRAY_TARGET", "cpu")
    assert run_both(mod, "escape_shrinking", -2.0, 0.5, -1.25, 1.25, xn, yn, it).variant == "cpu"


def test_ufunc_outputs(mod, monkeypatch):
    monkeypatch.setenv("POLYRAY_TARGET", "cpu")
    rng = np.random.default_rng(21)
    x, b = rng.standard_normal((5, 7)), rng.standard_normal(7)
    assert run_both(mod, "relu_inplace", x, b).variant == "cpu"
    assert run_both(mod, "relu_inplace", x, b[:3], loose_messages=("ValueError",)).status == "ValueError"
    v = rng.standard_normal(9)
    # out overlaps an input (x[1:] and x[:-1]): NumPy reads the inputs before it writes
    assert run_both(mod, "smooth_into", v, np.zeros(8)).variant == "cpu"
    assert run_both(mod, "smooth_into", v, np.zeros(5), loose_messages=("ValueError",)).status == "ValueError"


@pytest.mark.parametrize("n,m", [(3, 4), (1, 1), (0, 5)])
def test_shape_assignment(mod, monkeypatch, n, m):
    monkeypatch.setenv("POLYRAY_TARGET", "cpu")
    assert run_both(mod, "blocks", n, m).variant == "cpu"


def test_reshape_to_another_size(mod, monkeypatch):
    monkeypatch.setenv("POLYRAY_TARGET", "cpu")
    assert run_both(mod, "resized", 6, 3).variant == "cpu"
    assert run_both(mod, "resized", 6, 4, loose_messages=("ValueError",)).status == "ValueError"


def test_forms_that_keep_the_original(mod):
    for name in ("other_dtype", "param_shape", "aliased_shape", "shape_in_loop"):
        assert not hasattr(mod, f"_polyray_original_{name}"), name
    assert mod.aliased_shape(3).shape == (3, 2)
