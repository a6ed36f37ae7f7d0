"""Stencils written with slice temporaries, one name re-bound (NPBench's hdiff as gt4py writes it, and a 1-d
window): the CPU variant fills each temporary element by element (scop/temporaries.ts, poly/lower-slices.ts) and
writes the original's bits; arrays too small for the stencil, where NumPy clips a slice and raises, run the
original and raise as it does."""
from __future__ import annotations

import textwrap

import numpy as np
import pytest

import polyray.runtime as rt

from compiled import compile_and_import

SOURCE = textwrap.dedent('''
    import numpy as np
    F3 = np.ndarray[tuple[int, int, int], np.dtype[np.float64]]
    F1 = np.ndarray[tuple[int], np.dtype[np.float64]]
    F2 = np.ndarray[tuple[int, int], np.dtype[np.float64]]

    def hdiff(in_field: F3, out_field: F3, coeff: F3):
        I, J, K = out_field.shape[0], out_field.shape[1], out_field.shape[2]
        lap_field = 4.0 * in_field[1:I + 3, 1:J + 3, :] - (
            in_field[2:I + 4, 1:J + 3, :] + in_field[0:I + 2, 1:J + 3, :] +
            in_field[1:I + 3, 2:J + 4, :] + in_field[1:I + 3, 0:J + 2, :])
        res = lap_field[1:, 1:J + 1, :] - lap_field[:-1, 1:J + 1, :]
        flx_field = np.where((res * (in_field[2:I + 3, 2:J + 2, :] - in_field[1:I + 2, 2:J + 2, :])) > 0, 0, res)
        res = lap_field[1:I + 1, 1:, :] - lap_field[1:I + 1, :-1, :]
        fly_field = np.where((res * (in_field[2:I + 2, 2:J + 3, :] - in_field[2:I + 2, 1:J + 2, :])) > 0, 0, res)
        out_field[:, :, :] = in_field[2:I + 2, 2:J + 2, :] - coeff[:, :, :] * (
            flx_field[1:, :, :] - flx_field[:-1, :, :] + fly_field[:, 1:, :] - fly_field[:, :-1, :])

    def window(x: F1, w: int):
        d = x[w:] - x[:x.shape[0] - w]
        d = d * d
        return d[1:] + d[:-1]

    # temporaries with an integer index bound in loops (issue 18, NPBench's vadv in other spellings): a
    # tridiagonal sweep over the last axis, w bound in each of two loops; a 2-d column update through a view
    def sweep(a: F3, b: F3, c: F3, d: F3):
        K = d.shape[2]
        for k in range(1, K):
            w = a[:, :, k] / b[:, :, k - 1]
            b[:, :, k] = b[:, :, k] - w * c[:, :, k - 1]
            d[:, :, k] = d[:, :, k] - w * d[:, :, k - 1]
        for k in range(K - 2, -1, -1):
            w = c[:, :, k] / b[:, :, k]
            d[:, :, k] = d[:, :, k] - w * d[:, :, k + 1]

    def columns(a: F2, x: F1):
        n = a.shape[1]
        prev = np.zeros((a.shape[0], n))
        for j in range(1, n):
            s = a[:, j - 1] * 0.5 + x[j]
            prev[:, j] = s
            a[:, j] = a[:, j] + s
        for j in range(1, n):
            col = prev[:, j]
            a[:, j] = a[:, j] - col * 0.25

    # what stays NumPy's: a temporary read after its loop; one a shifted slice of its own array is written from
    # (filled whole first); an element copy whose array is written before its second use
    def after(a: F2, out: F1):
        for j in range(a.shape[1]):
            t = a[:, j] * 2.0
            out[:] = out[:] + t
        out[:] = out[:] + t

    def shifted(a: F2):
        for j in range(a.shape[1]):
            t = a[:-1, j] * 2.0
            a[1:, j] = t

    def written(a: F2, out: F2):
        buf = np.ones((a.shape[0], a.shape[1]))
        for j in range(a.shape[1]):
            v = buf[0, j]
            out[0, j] = v
            buf[0, j] = a[0, j]
            out[1, j] = v
''')


@pytest.fixture(scope="module")
def mod(tmp_path_factory):
    d = tmp_path_factory.mktemp("slice_temporaries")
    (d / "src.py").write_text(SOURCE)
    return compile_and_import(d / "src.py", d, "slice_temporaries_compiled", "--targets", "cpu")


def run_both(mod, name, make):
    mine, theirs = make(), make()
    outcomes = []
    for f, args in ((getattr(mod, f"_polyray_original_{name}"), theirs), (getattr(mod, name), mine)):
        try:
            outcomes.append(("ok", f(*args)))
        except Exception as exc:  # noqa: BLE001 - compared below
            outcomes.append(("raised", type(exc)))
    return outcomes, mine, theirs


@pytest.mark.parametrize("target", ["cpu", "auto"])
@pytest.mark.parametrize("shape", [(0, 0, 0), (1, 1, 1), (2, 3, 4), (5, 4, 7)])
def test_hdiff_matches_original_bit_for_bit(mod, monkeypatch, target, shape):
    monkeypatch.setenv("POLYRAY_TARGET", target)
    I, J, K = shape
    rng = np.random.default_rng(I * 31 + J * 7 + K)
    base = (rng.standard_normal((I + 4, J + 4, K)), rng.standard_normal((I, J, K)), rng.standard_normal((I, J, K)))
    (want, got), mine, theirs = run_both(mod, "hdiff", lambda: tuple(a.copy() for a in base))
    assert got == want
    for a, b in zip(mine, theirs):
        assert a.tobytes() == b.tobytes()
    if target == "cpu" and I > 0:
        assert rt.history()[-1]["variant"] == "cpu", rt.history()[-1]


def test_hdiff_input_too_small_raises_as_numpy(mod, monkeypatch):
    # one row short: NumPy clips in_field[2:I + 4] and raises on broadcasting; the guard sees the clipped bound
    monkeypatch.setenv("POLYRAY_TARGET", "cpu")
    rng = np.random.default_rng(3)
    base = (rng.standard_normal((6, 8, 3)), rng.standard_normal((3, 4, 3)), rng.standard_normal((3, 4, 3)))
    (want, got), mine, theirs = run_both(mod, "hdiff", lambda: tuple(a.copy() for a in base))
    assert want == ("raised", ValueError)
    assert got == want
    assert rt.history()[-1]["variant"] == "original", rt.history()[-1]
    for a, b in zip(mine, theirs):
        assert a.tobytes() == b.tobytes()


@pytest.mark.parametrize("n, w", [(10, 1), (10, 3), (4, 3), (3, 3), (2, 5), (0, 1), (10, 0), (10, -2)])
def test_window_matches_original(mod, monkeypatch, n, w):
    # w < 0 and w > n: slices NumPy clips (and raises on broadcasting): left to it
    monkeypatch.setenv("POLYRAY_TARGET", "cpu")
    x = np.random.default_rng(n).standard_normal(n)
    (want, got), _, _ = run_both(mod, "window", lambda: (x.copy(), w))
    assert got[0] == want[0]
    if 0 <= w < n:
        assert rt.history()[-1]["variant"] == "cpu", rt.history()[-1]
    if want[0] == "ok":
        assert got[1].tobytes() == want[1].tobytes() and got[1].shape == want[1].shape
    else:
        assert got[1] == want[1]


def same_bits(mine, theirs):
    for a, b in zip(mine, theirs):
        if isinstance(a, np.ndarray):
            assert a.shape == b.shape and a.tobytes() == b.tobytes()


@pytest.mark.parametrize("shape", [(0, 0, 0), (1, 1, 1), (2, 3, 1), (3, 2, 2), (4, 5, 7)])
def test_sweep_over_last_axis_matches_original_bit_for_bit(mod, monkeypatch, shape):
    monkeypatch.setenv("POLYRAY_TARGET", "cpu")
    rng = np.random.default_rng(sum(shape))
    base = tuple(rng.random(shape) + (2.0 if k == 1 else 0.0) for k in range(4))
    (want, got), mine, theirs = run_both(mod, "sweep", lambda: tuple(a.copy() for a in base))
    assert got == want
    same_bits(mine, theirs)
    assert rt.history()[-1]["variant"] == "cpu", rt.history()[-1]


@pytest.mark.parametrize("shape", [(0, 0), (1, 1), (3, 1), (4, 6)])
def test_column_update_matches_original_bit_for_bit(mod, monkeypatch, shape):
    monkeypatch.setenv("POLYRAY_TARGET", "cpu")
    rng = np.random.default_rng(shape[0] * 10 + shape[1])
    a, x = rng.standard_normal(shape), rng.standard_normal(shape[1])
    (want, got), mine, theirs = run_both(mod, "columns", lambda: (a.copy(), x.copy()))
    assert got == want
    same_bits(mine, theirs)
    assert rt.history()[-1]["variant"] == "cpu", rt.history()[-1]


def test_column_update_x_too_short_raises_as_numpy(mod, monkeypatch):
    # x[j] out of range: the guard sees it, the original raises IndexError
    monkeypatch.setenv("POLYRAY_TARGET", "cpu")
    a, x = np.ones((3, 4)), np.ones(2)
    (want, got), mine, theirs = run_both(mod, "columns", lambda: (a.copy(), x.copy()))
    assert want == ("raised", IndexError) and got == want
    same_bits(mine, theirs)


@pytest.mark.parametrize("name", ["after", "shifted", "written"])
@pytest.mark.parametrize("shape", [(1, 1), (2, 3), (5, 4)])
def test_refused_spellings_match_original(mod, monkeypatch, name, shape):
    monkeypatch.setenv("POLYRAY_TARGET", "cpu")
    rng = np.random.default_rng(shape[0] + 7 * shape[1])
    a = rng.standard_normal(shape)
    other = {"after": rng.standard_normal(shape[0]), "written": np.zeros(shape)}.get(name)
    make = (lambda: (a.copy(),)) if other is None else (lambda: (a.copy(), other.copy()))
    (want, got), mine, theirs = run_both(mod, name, make)
    assert got[0] == want[0]
    same_bits(mine, theirs)
