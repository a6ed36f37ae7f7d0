"""The inputs of each everyday kernel: (module, function, arguments factory). A factory takes a NumPy
Generator and returns fresh arguments; sizes make the original take about a millisecond or more."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Callable

import numpy as np


@dataclass(frozen=True)
class Case:
    module: str
    function: str
    make: Callable[[np.random.Generator], tuple[Any, ...]]
    what: str


def _spd(rng, n):
    m = rng.standard_normal((n, n))
    return m @ m.T + n * np.eye(n)


def _life(rng, n):
    return (rng.random((n, n)) < 0.3).astype(np.int64)


def _image(rng, n):
    return rng.random((n, n)) * 255.0


def _upper(rng, n):
    return np.triu(rng.random((n, n))) + n * np.eye(n)


def _laplace_grid(n):
    u = np.zeros((n, n))
    u[0, :] = 1.0
    return u


def _dirty(rng, n):
    x = rng.standard_normal(n) * 3.0
    x[rng.random(n) < 0.05] = np.nan
    return x


def _dist(rng, n):
    d = rng.random((n, n)) * 10.0
    np.fill_diagonal(d, 0.0)
    return d


CASES = [
    # physics
    Case("physics", "nbody_accel", lambda r: (r.standard_normal((300, 3)), r.random((300, 1)), 1.0, 0.1), "all-pairs accelerations by broadcasting"),
    Case("physics", "nbody_steps", lambda r: (r.standard_normal((64, 3)), np.zeros((64, 3)), r.random(64), 0.01, 10), "leapfrog with pair loops"),
    Case("physics", "rk4_lorenz", lambda r: (np.array([1.0, 1.0, 1.0]), 0.01, 2000, 10.0, 28.0, 8.0 / 3.0), "RK4, right-hand side in a helper"),
    Case("physics", "laplace_jacobi", lambda r: (_laplace_grid(64), 1e-4, 500), "Jacobi in slices, while err > tol"),
    Case("physics", "gauss_seidel", lambda r: (_spd(r, 120), r.random(120), np.zeros(120), 20), "Gauss-Seidel sweeps"),
    Case("physics", "deposit_charge", lambda r: (r.random(50_000) * 99.0, r.random(50_000), 100, 1.0), "cloud-in-cell scatter-add"),
    Case("physics", "rotate_points", lambda r: (r.standard_normal((100_000, 2)), 0.7), "rotation matrix from cos/sin"),
    Case("physics", "heat_explicit", lambda r: (r.random(10_000), 1.0, 0.1, 1.0, 200), "explicit heat steps in slices"),
    # imaging
    Case("imaging", "mandelbrot", lambda r: (-2.0, 1.0, -1.5, 1.5, 200, 150, 100), "escape counts, while loop"),
    Case("imaging", "julia", lambda r: (np.linspace(-1.5, 1.5, 160), np.linspace(-1.0, 1.0, 120), complex(-0.8, 0.156), 100), "complex while loop"),
    Case("imaging", "life_step", lambda r: (_life(r, 400),), "Game of Life in slices"),
    Case("imaging", "life_periodic", lambda r: (_life(r, 64), 10), "Game of Life on a torus, loops"),
    Case("imaging", "elementary_automaton", lambda r: ((r.random(400) < 0.5).astype(np.uint8), 110, 200), "rule 110 on a ring"),
    Case("imaging", "box_blur", lambda r: (_image(r, 600),), "3x3 mean filter in slices"),
    Case("imaging", "sobel_magnitude", lambda r: (_image(r, 600),), "Sobel edges, np.hypot"),
    Case("imaging", "equalize", lambda r: ((r.random((400, 400)) ** 2 * 255).astype(np.uint8),), "histogram equalization"),
    Case("imaging", "normalize_image", lambda r: (_image(r, 800),), "rescale to [0, 1]"),
    # stats
    Case("stats", "kmeans_assign", lambda r: (r.standard_normal((5000, 3)), r.standard_normal((8, 3))), "nearest center, loops"),
    Case("stats", "kmeans_update", lambda r: (r.standard_normal((5000, 3)), r.integers(0, 8, 5000), 8), "cluster means through masks"),
    Case("stats", "pairwise_broadcast", lambda r: (r.standard_normal((300, 3)),), "distances by broadcasting"),
    Case("stats", "pairwise_loops", lambda r: (r.standard_normal((300, 3)),), "distances, loops"),
    Case("stats", "softmax_rows", lambda r: (r.standard_normal((500, 100)),), "row softmax"),
    Case("stats", "logsumexp", lambda r: (r.standard_normal(200_000),), "log-sum-exp"),
    Case("stats", "moving_average", lambda r: (r.standard_normal(200_000), 25), "running mean by cumsum"),
    Case("stats", "clean_series", lambda r: (_dirty(r, 200_000), -3.0, 3.0), "NaN and outliers through masks"),
    Case("stats", "monte_carlo_pi", lambda r: (r.random((200_000, 2)),), "Monte Carlo pi, vectorized"),
    Case("stats", "monte_carlo_pi_loop", lambda r: (r.random(200_000), r.random(200_000)), "Monte Carlo pi, loop"),
    Case("stats", "nearest_neighbour", lambda r: (r.standard_normal((300, 3)), r.standard_normal((2000, 3))), "argmin of a distance row"),
    Case("stats", "standardize", lambda r: (r.standard_normal((20_000, 10)),), "column z-scores"),
    Case("stats", "weighted_histogram", lambda r: (r.standard_normal(200_000), r.random(200_000), -3.0, 3.0, 50), "weighted bins, loop"),
    # numerical
    Case("numerical", "floyd_warshall_numpy", lambda r: (_dist(r, 120),), "shortest paths, broadcast minimum"),
    Case("numerical", "lu_nopivot", lambda r: (_spd(r, 120),), "Doolittle LU, row slices"),
    Case("numerical", "horner", lambda r: (r.standard_normal(12), r.standard_normal(100_000)), "polynomial by Horner"),
    Case("numerical", "trapezoid", lambda r: (r.random(500_000), 0.001), "trapezoid rule"),
    Case("numerical", "simpson", lambda r: (r.random(500_001), 0.0, 1.0), "Simpson's rule, loops"),
    Case("numerical", "power_iteration", lambda r: (_spd(r, 200), 50), "power iteration with norm"),
    Case("numerical", "convolve_valid", lambda r: (r.standard_normal(50_000), r.standard_normal(31)), "1-d convolution, loops"),
    Case("numerical", "cross_rows", lambda r: (r.standard_normal((100_000, 3)), r.standard_normal((100_000, 3))), "row cross products"),
    Case("numerical", "newton_cbrt", lambda r: (r.random(100_000) * 10.0 + 1.0, 1e-12), "Newton on arrays, while"),
    Case("numerical", "haversine", lambda r: (r.random(100_000) * 180 - 90, r.random(100_000) * 360 - 180,
                                              r.random(100_000) * 180 - 90, r.random(100_000) * 360 - 180), "great-circle distances"),
    Case("numerical", "back_substitution", lambda r: (_upper(r, 400), r.random(400)), "triangular solve with dot"),
]
