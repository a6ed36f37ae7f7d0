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
