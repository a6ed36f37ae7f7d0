"""NumPy-vectorized PolyBench kernels: what a user who vectorizes by hand writes.

Same signatures as test/kernels/polybench/<name>.py (kernel_<name>) and the
same arrays written in place. Where the natural NumPy form keeps an outer
sequential loop (durbin, gramschmidt, lu, deriche, adi, the stencils' time
loop) it stays a Python loop over vector operations. Kernels without a natural
vectorized form (nussinov, seidel_2d: every element depends on its neighbour
updated in the same sweep) are absent from ``VERSIONS``.

Results agree with the originals up to reassociation (BLAS sums in another
order); run_bench.py checks them with a relative tolerance.
"""
import math

import numpy as np
import scipy.linalg


def correlation(m, n, float_n, data, corr, mean, stddev):
    d = data[:n, :m]
    mean[:m] = d.sum(axis=0) / float_n
    sd = ((d - mean[:m]) * (d - mean[:m])).sum(axis=0) / float_n
    sd = np.sqrt(sd)
    sd[sd <= 0.1] = 1.0
    stddev[:m] = sd
    d -= mean[:m]
    d /= math.sqrt(float_n) * stddev[:m]
    corr[:m, :m] = d.T @ d
    corr[np.arange(m), np.arange(m)] = 1.0


def covariance(m, n, float_n, data, cov, mean):
    d = data[:n, :m]
    mean[:m] = d.sum(axis=0) / float_n
    d -= mean[:m]
    cov[:m, :m] = (d.T @ d) / (float_n - 1.0)


def gemm(ni, nj, nk, alpha, beta, C, A, B):
    C *= beta
    C += (alpha * A) @ B


def gemver(n, alpha, beta, A, u1, v1, u2, v2, w, x, y, z):
    A += np.outer(u1, v1) + np.outer(u2, v2)
    x += beta * (A.T @ y)
    x += z
    w += alpha * (A @ x)


def gesummv(n, alpha, beta, A, B, tmp, x, y):
    tmp[:] = A @ x
    y[:] = B @ x
    y[:] = alpha * tmp + beta * y


def symm(m, n, alpha, beta, C, A, B):
    # The kernel reads only A's lower triangle, as a symmetric matrix.
    asym = np.tril(A) + np.tril(A, -1).T
    C[:] = beta * C + alpha * (asym @ B)


def syr2k(n, m, alpha, beta, C, A, B):
    t = (alpha * A) @ B.T + (alpha * B) @ A.T
    low = np.tri(n, dtype=bool)
    C[low] = beta * C[low] + t[low]


def syrk(n, m, alpha, beta, C, A):
    t = (alpha * A) @ A.T
    low = np.tri(n, dtype=bool)
    C[low] = beta * C[low] + t[low]


def trmm(m, n, alpha, A, B):
    B[:] = alpha * (B + np.tril(A, -1).T @ B)


def k2mm(ni, nj, nk, nl, alpha, beta, tmp, A, B, C, D):
    tmp[:] = (alpha * A) @ B
    D *= beta
    D += tmp @ C


def k3mm(ni, nj, nk, nl, nm, E, A, B, F, C, D, G):
    E[:] = A @ B
    F[:] = C @ D
    G[:] = E @ F


def atax(m, n, A, x, y, tmp):
    tmp[:] = A @ x
    y[:] = A.T @ tmp


def bicg(m, n, A, s, q, p, r):
    s[:] = r @ A
    q[:] = A @ p


def doitgen(nr, nq, np_, A, C4, sum_):
    A[:] = A @ C4
    if nr > 0 and nq > 0:
        sum_[:] = A[nr - 1, nq - 1, :]


def mvt(n, x1, x2, y_1, y_2, A):
    x1 += A @ y_1
    x2 += A.T @ y_2


def cholesky(n, A):
    low = np.tri(n, dtype=bool)
    A[low] = np.linalg.cholesky(A)[low]


def durbin(n, r, y):
    z = np.zeros(n)
    y[0] = -r[0]
    beta = 1.0
    alpha = -r[0]
    for k in range(1, n):
        beta = (1.0 - alpha * alpha) * beta
        sum_ = r[:k][::-1] @ y[:k]
        alpha = -(r[k] + sum_) / beta
        z[:k] = y[:k] + alpha * y[:k][::-1]
        y[:k] = z[:k]
        y[k] = alpha


def gramschmidt(m, n, A, R, Q):
    for k in range(n):
        nrm = A[:, k] @ A[:, k]
        R[k, k] = math.sqrt(nrm)
        Q[:, k] = A[:, k] / R[k, k]
        R[k, k + 1:] = Q[:, k] @ A[:, k + 1:]
        A[:, k + 1:] -= np.outer(Q[:, k], R[k, k + 1:])


def _lu_inplace(n, A):
    # right-looking Doolittle without pivoting (the kernel's factorization)
    for k in range(n):
        A[k + 1:, k] /= A[k, k]
        A[k + 1:, k + 1:] -= np.outer(A[k + 1:, k], A[k, k + 1:])


def lu(n, A):
    _lu_inplace(n, A)


def ludcmp(n, A, b, x, y):
    _lu_inplace(n, A)
    y[:] = scipy.linalg.solve_triangular(A, b, lower=True, unit_diagonal=True)
    x[:] = scipy.linalg.solve_triangular(A, y, lower=False)


def trisolv(n, L, x, b):
    x[:] = scipy.linalg.solve_triangular(L, b, lower=True)


def deriche(w, h, alpha, imgIn, imgOut, y1, y2):
    k = (1.0 - math.exp(-alpha)) * (1.0 - math.exp(-alpha)) / (1.0 + 2.0 * alpha * math.exp(-alpha) - math.exp(2.0 * alpha))
    a1 = a5 = k
    a2 = a6 = k * math.exp(-alpha) * (alpha - 1.0)
    a3 = a7 = k * math.exp(-alpha) * (alpha + 1.0)
    a4 = a8 = -k * math.exp(-2.0 * alpha)
    b1 = math.pow(2.0, -alpha)
    b2 = -math.exp(-2.0 * alpha)
    c1 = c2 = 1.0
    ym1 = np.zeros(w); ym2 = np.zeros(w); xm1 = np.zeros(w)
    for j in range(h):
        y1[:, j] = a1 * imgIn[:, j] + a2 * xm1 + b1 * ym1 + b2 * ym2
        xm1 = imgIn[:, j].copy(); ym2 = ym1; ym1 = y1[:, j].copy()
    yp1 = np.zeros(w); yp2 = np.zeros(w); xp1 = np.zeros(w); xp2 = np.zeros(w)
    for j in range(h - 1, -1, -1):
        y2[:, j] = a3 * xp1 + a4 * xp2 + b1 * yp1 + b2 * yp2
        xp2 = xp1; xp1 = imgIn[:, j].copy(); yp2 = yp1; yp1 = y2[:, j].copy()
    imgOut[:] = c1 * (y1 + y2)
    tm1 = np.zeros(h); ym1 = np.zeros(h); ym2 = np.zeros(h)
    for i in range(w):
        y1[i, :] = a5 * imgOut[i, :] + a6 * tm1 + b1 * ym1 + b2 * ym2
        tm1 = imgOut[i, :].copy(); ym2 = ym1; ym1 = y1[i, :].copy()
    tp1 = np.zeros(h); tp2 = np.zeros(h); yp1 = np.zeros(h); yp2 = np.zeros(h)
    for i in range(w - 1, -1, -1):
        y2[i, :] = a7 * tp1 + a8 * tp2 + b1 * yp1 + b2 * yp2
        tp2 = tp1; tp1 = imgOut[i, :].copy(); yp2 = yp1; yp1 = y2[i, :].copy()
    imgOut[:] = c2 * (y1 + y2)


def floyd_warshall(n, path):
    for k in range(n):
        np.minimum(path, path[:, k:k + 1] + path[k:k + 1, :], out=path)


def adi(tsteps, n, u, v, p, q):
    DX = 1.0 / n; DY = 1.0 / n; DT = 1.0 / tsteps
    B1 = 2.0; B2 = 1.0
    mul1 = B1 * DT / (DX * DX); mul2 = B2 * DT / (DY * DY)
    a = -mul1 / 2.0; b = 1.0 + mul1; c = a
    d = -mul2 / 2.0; e = 1.0 + mul2; f = d
    I = slice(1, n - 1)
    for t in range(1, tsteps + 1):
        v[0, I] = 1.0
        p[I, 0] = 0.0
        q[I, 0] = v[0, I]
        for j in range(1, n - 1):
            den = a * p[I, j - 1] + b
            p[I, j] = -c / den
            q[I, j] = (-d * u[j, 0:n - 2] + (1.0 + 2.0 * d) * u[j, 1:n - 1] - f * u[j, 2:n] - a * q[I, j - 1]) / den
        v[n - 1, I] = 1.0
        for j in range(n - 2, 0, -1):
            v[j, I] = p[I, j] * v[j + 1, I] + q[I, j]
        u[I, 0] = 1.0
        p[I, 0] = 0.0
        q[I, 0] = u[I, 0]
        for j in range(1, n - 1):
            den = d * p[I, j - 1] + e
            p[I, j] = -f / den
            q[I, j] = (-a * v[0:n - 2, j] + (1.0 + 2.0 * a) * v[1:n - 1, j] - c * v[2:n, j] - d * q[I, j - 1]) / den
        u[I, n - 1] = 1.0
        for j in range(n - 2, 0, -1):
            u[I, j] = p[I, j] * u[I, j + 1] + q[I, j]


def fdtd_2d(tmax, nx, ny, ex, ey, hz, _fict_):
    for t in range(tmax):
        ey[0, :] = _fict_[t]
        ey[1:, :] = ey[1:, :] - 0.5 * (hz[1:, :] - hz[:-1, :])
        ex[:, 1:] = ex[:, 1:] - 0.5 * (hz[:, 1:] - hz[:, :-1])
        hz[:-1, :-1] = hz[:-1, :-1] - 0.7 * (ex[:-1, 1:] - ex[:-1, :-1] + ey[1:, :-1] - ey[:-1, :-1])


def _heat(A, B):
    c = A[1:-1, 1:-1, 1:-1]
    B[1:-1, 1:-1, 1:-1] = (0.125 * (A[2:, 1:-1, 1:-1] - 2.0 * c + A[:-2, 1:-1, 1:-1])
                           + 0.125 * (A[1:-1, 2:, 1:-1] - 2.0 * c + A[1:-1, :-2, 1:-1])
                           + 0.125 * (A[1:-1, 1:-1, 2:] - 2.0 * c + A[1:-1, 1:-1, :-2]) + c)


def heat_3d(tsteps, n, A, B):
    for _ in range(1, tsteps + 1):
        _heat(A, B)
        _heat(B, A)


def jacobi_1d(tsteps, n, A, B):
    for _ in range(tsteps):
        B[1:-1] = 0.33333 * (A[:-2] + A[1:-1] + A[2:])
        A[1:-1] = 0.33333 * (B[:-2] + B[1:-1] + B[2:])


def jacobi_2d(tsteps, n, A, B):
    for _ in range(tsteps):
        B[1:-1, 1:-1] = 0.2 * (A[1:-1, 1:-1] + A[1:-1, :-2] + A[1:-1, 2:] + A[2:, 1:-1] + A[:-2, 1:-1])
        A[1:-1, 1:-1] = 0.2 * (B[1:-1, 1:-1] + B[1:-1, :-2] + B[1:-1, 2:] + B[2:, 1:-1] + B[:-2, 1:-1])


VERSIONS = {name: fn for name, fn in globals().items()
            if callable(fn) and not name.startswith("_") and name not in ("math",)
            and getattr(fn, "__module__", None) == __name__}
#: Kernels with no natural vectorized form (see the module docstring).
NOT_NATURAL = {
    "nussinov": "max-plus recurrence over a triangle; each cell needs cells updated in the same sweep",
    "seidel_2d": "Gauss-Seidel: each point reads neighbours updated in the same sweep",
}
