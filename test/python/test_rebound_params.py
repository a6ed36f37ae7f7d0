"""Array parameters re-bound in the body (types/param-localizing.ts): `dist = np.minimum(dist, ...)` per
Floyd-Warshall step and `state = state + ...` per RK4 step (bench/everyday's floyd_warshall_numpy and
rk4_lorenz were refused). A parameter whose memory the function never writes is read into a fresh local;
one written before, through a view, or by a callee keeps the function in Python. Original vs cpu variant in
both numerics modes (every operation here is `exact`), bad inputs included."""
from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

import polyray.runtime as rt
from compiled import compile_and_import, run_both

SOURCE = '''
import numpy as np


def shortest_paths(dist: np.ndarray[tuple[int, int], np.dtype[np.float64]]):
    n = dist.shape[0]
    for k in range(n):
        dist = np.minimum(dist, dist[:, k:k + 1] + dist[k:k + 1, :])
    return dist


def rhs(state, a, b):
    x, y = state[0], state[1]
    return np.array([a * x - y, b * x * y])


def midpoint_steps(state: np.ndarray[tuple[int], np.dtype[np.float64]], dt: float, steps: int, a: float, b: float):
    out = np.empty((steps + 1, 2))
    out[0] = state
    for k in range(steps):
        half = state + 0.5 * dt * rhs(state, a, b)
        state = state + dt * rhs(half, a, b)
        out[k + 1] = state
    return out


def halvings(x: np.ndarray[tuple[int], np.dtype[np.int64]], times: int):
    if times > 0:
        x = x // 2
    for t in range(1, times):
        x = x // 2
    return x


def writes_first(a: np.ndarray[tuple[int], np.dtype[np.float64]], n: int):
    a[0] = 1.0
    for k in range(n):
        a = a * 2.0
    return a


def through_view(a: np.ndarray[tuple[int], np.dtype[np.float64]], n: int):
    b = a[1:]
    for k in range(n):
        b[0] = 5.0
        a = a * 2.0
    return a
'''


@pytest.fixture(scope="module", params=["exact", "close"])
def mod(request, tmp_path_factory):
    base = tmp_path_factory.mktemp(f"rebound_{request.param}")
    src = base / "src.py"
    src.write_text(SOURCE)
    return compile_and_import(src, base, f"rebound_params_{request.param}", "--numerics", request.param, "--targets", "cpu")


def variant(name):
    return [r["variant"] for r in rt.history() if r["function"] == name][-1]


def test_never_written_parameters_compile(mod, monkeypatch):
    monkeypatch.setenv("POLYRAY_TARGET", "cpu")
    rng = np.random.default_rng(2)
    d = rng.random((40, 40)) * 10.0
    np.fill_diagonal(d, 0.0)
    d[3, 7] = np.inf
    run_both(mod, "shortest_paths", d)  # the caller's d is compared too: untouched in both
    assert variant("shortest_paths") == "cpu"
    run_both(mod, "midpoint_steps", np.array([0.5, 0.25]), 0.01, 300, 1.1, -0.4)
    assert variant("midpoint_steps") == "cpu"
    for times in (0, 1, 5):
        run_both(mod, "halvings", rng.integers(-1000, 1000, 50), times)
        assert variant("halvings") == "cpu"


def test_bad_inputs_as_the_original(mod, monkeypatch):
    monkeypatch.setenv("POLYRAY_TARGET", "cpu")
    # not square: the broadcast of an empty column with a row fails in both (ValueError)
    ran = run_both(mod, "shortest_paths", np.ones((4, 3)), messages=False)
    assert ran.status == "ValueError"
    run_both(mod, "shortest_paths", np.ones((0, 0)))
    # a state of one element: out[0] = state broadcasts it, then rhs's state[1] raises IndexError in both
    ran = run_both(mod, "midpoint_steps", np.array([0.5]), 0.01, 3, 1.0, 1.0, messages=False)
    assert ran.status == "IndexError"
    ran = run_both(mod, "midpoint_steps", np.array([0.5, 0.1]), 0.01, -1, 1.0, 1.0, messages=False)
    assert ran.status == "IndexError"  # steps = -1: out is empty, out[0] = state fails in both


def test_written_parameters_keep_the_original(mod):
    text = Path(mod.__file__).read_text()
    for name in ("writes_first", "through_view"):
        assert f"_polyray_cpu_{name}" not in text, name
        a = np.arange(5.0)
        mod.__dict__[name](a, 2)
    assert "_polyray_cpu_shortest_paths" in text and "dist__p = dist.copy()" in text
