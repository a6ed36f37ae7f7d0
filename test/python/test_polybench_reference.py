"""The PolyBench kernels compute what PolyBench computes.

test_kernels_numba.py only shows that Python and Numba agree; this file checks
the pure-Python kernels against closed forms in NumPy/SciPy (at MINI and a
small odd size), so a transcription slip in a kernel cannot go unnoticed.
deriche, nussinov, adi and seidel_2d have no compact closed form and are
covered only by the Numba and differential tests.
"""

import importlib.util
import sys
from pathlib import Path

import numpy as np
import pytest

ROOT = Path(__file__).resolve().parents[2]
KDIR = ROOT / "test" / "kernels" / "polybench"
sys.path.insert(0, str(KDIR))
import specs  # noqa: E402


def kernel(name):
    spec = importlib.util.spec_from_file_location("polybench_ref_" + name, KDIR / (name + ".py"))
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return getattr(mod, "kernel_" + name)


def run(name, sizes):
    args = specs.build_args(name, sizes, np.random.default_rng(99))
    out = specs.copy_args(args)
    kernel(name)(*out)
    return args, out


def close(a, b):
    np.testing.assert_allclose(a, b, rtol=1e-10, atol=1e-10)


def _sizes(name):
    odd = [s for s in specs.edge_sizes(name)
           if min(v for k, v in s.items() if k not in specs.TIME_KEYS) >= 3]
    return [specs.SIZES[name]["MINI"]] + odd[:1]


def _ref_correlation(a, o):
    data = a[3]
    close(o[5], data.mean(0))
    close(o[6], data.std(0))
    close(o[4], np.corrcoef(data, rowvar=False))


def _ref_covariance(a, o):
    data = a[3]
    close(o[5], data.mean(0))
    close(o[4], np.cov(data, rowvar=False))


def _ref_gemm(a, o):
    close(o[5], a[3] * a[6] @ a[7] + a[4] * a[5])


def _ref_gemver(a, o):
    n, alpha, beta, A, u1, v1, u2, v2, w, x, y, z = a
    A2 = A + np.outer(u1, v1) + np.outer(u2, v2)
    x2 = x + beta * A2.T @ y + z
    close(o[3], A2)
    close(o[9], x2)
    close(o[8], w + alpha * A2 @ x2)


def _ref_gesummv(a, o):
    n, alpha, beta, A, B, tmp, x, y = a
    close(o[5], A @ x)
    close(o[7], alpha * A @ x + beta * B @ x)


def _ref_symm(a, o):
    m, n, alpha, beta, C, A, B = a
    As = np.tril(A) + np.tril(A, -1).T
    close(o[4], alpha * As @ B + beta * C)


def _ref_syr2k(a, o):
    n, m, alpha, beta, C, A, B = a
    full = alpha * (A @ B.T + B @ A.T) + beta * C
    close(o[4], np.tril(full) + np.triu(C, 1))


def _ref_syrk(a, o):
    n, m, alpha, beta, C, A = a
    full = alpha * A @ A.T + beta * C
    close(o[4], np.tril(full) + np.triu(C, 1))


def _ref_trmm(a, o):
    m, n, alpha, A, B = a
    close(o[4], alpha * (np.eye(m) + np.tril(A, -1).T) @ B)


def _ref_k2mm(a, o):
    alpha, beta, A, B, C, D = a[4], a[5], a[7], a[8], a[9], a[10]
    close(o[6], alpha * A @ B)
    close(o[10], alpha * A @ B @ C + beta * D)


def _ref_k3mm(a, o):
    A, B, C, D = a[6], a[7], a[9], a[10]
    close(o[5], A @ B)
    close(o[8], C @ D)
    close(o[11], (A @ B) @ (C @ D))


def _ref_atax(a, o):
    A, x = a[2], a[3]
    close(o[5], A @ x)
    close(o[4], A.T @ (A @ x))


def _ref_bicg(a, o):
    A, p, r = a[2], a[5], a[6]
    close(o[3], A.T @ r)
    close(o[4], A @ p)


def _ref_doitgen(a, o):
    close(o[3], a[3] @ a[4])


def _ref_mvt(a, o):
    n, x1, x2, y1, y2, A = a
    close(o[1], x1 + A @ y1)
    close(o[2], x2 + A.T @ y2)


def _ref_cholesky(a, o):
    A = a[1]
    close(np.tril(o[1]), np.linalg.cholesky(A))
    close(np.triu(o[1], 1), np.triu(A, 1))


def _ref_durbin(a, o):
    scipy_linalg = pytest.importorskip("scipy.linalg")
    n, r = a[0], a[1]
    col = np.concatenate(([1.0], r[: n - 1]))
    close(o[2], scipy_linalg.solve_toeplitz(col, -r))


def _ref_gramschmidt(a, o):
    m, n, A0 = a[0], a[1], a[2]
    R, Q = o[3], o[4]
    if m >= n:
        close(Q @ R, A0)
        close(Q.T @ Q, np.eye(n))
        close(np.tril(R, -1), np.zeros((n, n)))
    else:
        k = m
        close(Q[:, :k] @ R[:k, :k], A0[:, :k])
        close(Q[:, :k].T @ Q[:, :k], np.eye(k))


def _ref_lu(a, o):
    n, A = a
    LU = o[1]
    L = np.tril(LU, -1) + np.eye(n)
    close(L @ np.triu(LU), A)


def _ref_ludcmp(a, o):
    n, A, b = a[0], a[1], a[2]
    close(A @ o[3], b)


def _ref_trisolv(a, o):
    n, L, x, b = a
    close(np.tril(L) @ o[2], b)


def _ref_floyd_warshall(a, o):
    csgraph = pytest.importorskip("scipy.sparse.csgraph")
    n, path = a
    ref = csgraph.floyd_warshall(path, directed=True)
    off = ~np.eye(n, dtype=bool)
    close(o[1][off], ref[off])


def _ref_fdtd_2d(a, o):
    tmax, nx, ny, ex, ey, hz, fict = specs.copy_args(a)
    for t in range(tmax):
        ey[0, :] = fict[t]
        ey[1:, :] -= 0.5 * (hz[1:, :] - hz[:-1, :])
        ex[:, 1:] -= 0.5 * (hz[:, 1:] - hz[:, :-1])
        hz[:-1, :-1] -= 0.7 * (ex[:-1, 1:] - ex[:-1, :-1] + ey[1:, :-1] - ey[:-1, :-1])
    close(o[3], ex)
    close(o[4], ey)
    close(o[5], hz)


def _ref_heat_3d(a, o):
    tsteps, n, A, B = specs.copy_args(a)

    def step(src, dst):
        c = src[1:-1, 1:-1, 1:-1]
        dst[1:-1, 1:-1, 1:-1] = (0.125 * (src[2:, 1:-1, 1:-1] - 2.0 * c + src[:-2, 1:-1, 1:-1])
                                 + 0.125 * (src[1:-1, 2:, 1:-1] - 2.0 * c + src[1:-1, :-2, 1:-1])
                                 + 0.125 * (src[1:-1, 1:-1, 2:] - 2.0 * c + src[1:-1, 1:-1, :-2]) + c)

    for _ in range(tsteps):
        step(A, B)
        step(B, A)
    close(o[2], A)
    close(o[3], B)


def _ref_jacobi_1d(a, o):
    tsteps, n, A, B = specs.copy_args(a)
    for _ in range(tsteps):
        B[1:-1] = 0.33333 * (A[:-2] + A[1:-1] + A[2:])
        A[1:-1] = 0.33333 * (B[:-2] + B[1:-1] + B[2:])
    close(o[2], A)
    close(o[3], B)


def _ref_jacobi_2d(a, o):
    tsteps, n, A, B = specs.copy_args(a)

    def step(s, d):
        d[1:-1, 1:-1] = 0.2 * (s[1:-1, 1:-1] + s[1:-1, :-2] + s[1:-1, 2:] + s[2:, 1:-1] + s[:-2, 1:-1])

    for _ in range(tsteps):
        step(A, B)
        step(B, A)
    close(o[2], A)
    close(o[3], B)


REFS = {k[len("_ref_"):]: v for k, v in globals().items() if k.startswith("_ref_")}


@pytest.mark.parametrize("name,sizes", [
    pytest.param(n, s, id="%s-%s" % (n, specs.size_id(s))) for n in sorted(REFS) for s in _sizes(n)
])
def test_kernel_matches_closed_form(name, sizes):
    args, out = run(name, sizes)
    REFS[name](args, out)
