"""Expert Numba versions: @njit(parallel=True) with hand-placed prange.

What an experienced Numba user writes for each PolyBench kernel: prange on a
loop whose iterations are independent (re-deriving the algorithm where the
original order has none: column-oriented Cholesky, right-looking LU,
anti-diagonal wavefront for nussinov), innermost loops walking contiguous
memory (column blocks for A^T x products and deriche's vertical passes),
scalar accumulators, triangular loops balanced by pairing row t with row
n-1-t. Where no prange pays off at these sizes (durbin, trisolv, jacobi_1d,
seidel_2d: short inner loops or a recurrence in every direction) the expert
version is a plain sequential @njit, named in ``SEQUENTIAL``.

Same signatures as the originals; run_bench.py checks each against the
original at MINI and SMALL and at the benchmark size.
"""
import math

import numba
import numpy as np
from numba import njit, prange

PAR = dict(parallel=True, cache=False)
COLBLOCK = 64  # columns per task for A^T-style products (contiguous inner loop)


@njit(**PAR)
def correlation(m, n, float_n, data, corr, mean, stddev):
    for j in range(m):
        mean[j] = 0.0
    for i in range(n):
        for j in range(m):
            mean[j] += data[i, j]
    for j in range(m):
        mean[j] /= float_n
        stddev[j] = 0.0
    for i in range(n):
        for j in range(m):
            stddev[j] += (data[i, j] - mean[j]) * (data[i, j] - mean[j])
    for j in range(m):
        stddev[j] /= float_n
        stddev[j] = math.sqrt(stddev[j])
        if stddev[j] <= 0.1:
            stddev[j] = 1.0
    sq = math.sqrt(float_n)
    for i in prange(n):
        for j in range(m):
            data[i, j] -= mean[j]
            data[i, j] /= sq * stddev[j]
    dt = np.ascontiguousarray(data.T)  # columns as rows: contiguous k loop
    half = (m + 1) // 2
    for t in prange(half):
        for r in range(2):
            i = t + r * (m - 1 - 2 * t)
            if r == 1 and i == t:
                continue
            corr[i, i] = 1.0
            for j in range(i + 1, m):
                s = 0.0
                for k in range(n):
                    s += dt[i, k] * dt[j, k]
                corr[i, j] = s
                corr[j, i] = s
    if m > 0:
        corr[m - 1, m - 1] = 1.0


@njit(**PAR)
def covariance(m, n, float_n, data, cov, mean):
    for j in range(m):
        mean[j] = 0.0
    for i in range(n):
        for j in range(m):
            mean[j] += data[i, j]
    for j in range(m):
        mean[j] /= float_n
    for i in prange(n):
        for j in range(m):
            data[i, j] -= mean[j]
    dt = np.ascontiguousarray(data.T)
    half = (m + 1) // 2
    for t in prange(half):
        for r in range(2):
            i = t + r * (m - 1 - 2 * t)
            if r == 1 and i == t:
                continue
            for j in range(i, m):
                s = 0.0
                for k in range(n):
                    s += dt[i, k] * dt[j, k]
                s /= float_n - 1.0
                cov[i, j] = s
                cov[j, i] = s


@njit(**PAR)
def gemm(ni, nj, nk, alpha, beta, C, A, B):
    for i in prange(ni):
        for j in range(nj):
            C[i, j] *= beta
        for k in range(nk):
            a = alpha * A[i, k]
            for j in range(nj):
                C[i, j] += a * B[k, j]


@njit(**PAR)
def gemver(n, alpha, beta, A, u1, v1, u2, v2, w, x, y, z):
    for i in prange(n):
        for j in range(n):
            A[i, j] = A[i, j] + u1[i] * v1[j] + u2[i] * v2[j]
    nb = (n + COLBLOCK - 1) // COLBLOCK
    for b in prange(nb):
        i0 = b * COLBLOCK
        i1 = min(n, i0 + COLBLOCK)
        for j in range(n):
            by = beta * y[j]
            for i in range(i0, i1):
                x[i] = x[i] + by * A[j, i]
    for i in range(n):
        x[i] = x[i] + z[i]
    for i in prange(n):
        s = w[i]
        for j in range(n):
            s = s + alpha * A[i, j] * x[j]
        w[i] = s


@njit(**PAR)
def gesummv(n, alpha, beta, A, B, tmp, x, y):
    for i in prange(n):
        t = 0.0
        s = 0.0
        for j in range(n):
            t = A[i, j] * x[j] + t
            s = B[i, j] * x[j] + s
        tmp[i] = t
        y[i] = alpha * t + beta * s


@njit(**PAR)
def symm(m, n, alpha, beta, C, A, B):
    # C = beta*C + alpha*sym(A)*B with sym(A) read from A's lower triangle
    for i in prange(m):
        acc = np.zeros(n)
        for k in range(m):
            aik = A[i, k] if k <= i else A[k, i]
            for j in range(n):
                acc[j] += aik * B[k, j]
        for j in range(n):
            C[i, j] = beta * C[i, j] + alpha * acc[j]


@njit(**PAR)
def syr2k(n, m, alpha, beta, C, A, B):
    half = (n + 1) // 2
    for t in prange(half):
        for r in range(2):
            i = t + r * (n - 1 - 2 * t)
            if r == 1 and i == t:
                continue
            for j in range(i + 1):
                s = 0.0
                for k in range(m):
                    s += A[j, k] * B[i, k] + B[j, k] * A[i, k]
                C[i, j] = beta * C[i, j] + alpha * s


@njit(**PAR)
def syrk(n, m, alpha, beta, C, A):
    half = (n + 1) // 2
    for t in prange(half):
        for r in range(2):
            i = t + r * (n - 1 - 2 * t)
            if r == 1 and i == t:
                continue
            for j in range(i + 1):
                s = 0.0
                for k in range(m):
                    s += A[i, k] * A[j, k]
                C[i, j] = beta * C[i, j] + alpha * s


@njit(**PAR)
def trmm(m, n, alpha, A, B):
    # row i reads rows k > i before they change: compute all new rows first
    acc = np.zeros((m, n))
    half = (m + 1) // 2
    for t in prange(half):
        for r in range(2):
            i = t + r * (m - 1 - 2 * t)
            if r == 1 and i == t:
                continue
            for k in range(i + 1, m):
                a = A[k, i]
                for j in range(n):
                    acc[i, j] += a * B[k, j]
    for i2 in prange(m):
        for j in range(n):
            B[i2, j] = alpha * (B[i2, j] + acc[i2, j])


@njit(**PAR)
def k2mm(ni, nj, nk, nl, alpha, beta, tmp, A, B, C, D):
    for i in prange(ni):
        for j in range(nj):
            tmp[i, j] = 0.0
        for k in range(nk):
            a = alpha * A[i, k]
            for j in range(nj):
                tmp[i, j] += a * B[k, j]
    for i in prange(ni):
        for j in range(nl):
            D[i, j] *= beta
        for k in range(nj):
            a = tmp[i, k]
            for j in range(nl):
                D[i, j] += a * C[k, j]


@njit(**PAR)
def k3mm(ni, nj, nk, nl, nm, E, A, B, F, C, D, G):
    for i in prange(ni):
        for j in range(nj):
            E[i, j] = 0.0
        for k in range(nk):
            a = A[i, k]
            for j in range(nj):
                E[i, j] += a * B[k, j]
    for i in prange(nj):
        for j in range(nl):
            F[i, j] = 0.0
        for k in range(nm):
            a = C[i, k]
            for j in range(nl):
                F[i, j] += a * D[k, j]
    for i in prange(ni):
        for j in range(nl):
            G[i, j] = 0.0
        for k in range(nj):
            a = E[i, k]
            for j in range(nl):
                G[i, j] += a * F[k, j]


@njit(**PAR)
def atax(m, n, A, x, y, tmp):
    for i in prange(m):
        s = 0.0
        for j in range(n):
            s = s + A[i, j] * x[j]
        tmp[i] = s
    nb = (n + COLBLOCK - 1) // COLBLOCK
    for b in prange(nb):
        j0 = b * COLBLOCK
        j1 = min(n, j0 + COLBLOCK)
        for j in range(j0, j1):
            y[j] = 0.0
        for i in range(m):
            t = tmp[i]
            for j in range(j0, j1):
                y[j] = y[j] + A[i, j] * t


@njit(**PAR)
def bicg(m, n, A, s, q, p, r):
    nb = (m + COLBLOCK - 1) // COLBLOCK
    for b in prange(nb):
        j0 = b * COLBLOCK
        j1 = min(m, j0 + COLBLOCK)
        for j in range(j0, j1):
            s[j] = 0.0
        for i in range(n):
            ri = r[i]
            for j in range(j0, j1):
                s[j] = s[j] + ri * A[i, j]
    for i in prange(n):
        acc = 0.0
        for j in range(m):
            acc = acc + A[i, j] * p[j]
        q[i] = acc


@njit(**PAR)
def doitgen(nr, nq, np_, A, C4, sum_):
    for rq in prange(nr * nq):
        r = rq // nq
        q = rq % nq
        tmp = np.zeros(np_)
        for s in range(np_):
            a = A[r, q, s]
            for p in range(np_):
                tmp[p] += a * C4[s, p]
        for p in range(np_):
            A[r, q, p] = tmp[p]
    if nr > 0 and nq > 0:
        for p in range(np_):
            sum_[p] = A[nr - 1, nq - 1, p]


@njit(**PAR)
def mvt(n, x1, x2, y_1, y_2, A):
    for i in prange(n):
        s = x1[i]
        for j in range(n):
            s = s + A[i, j] * y_1[j]
        x1[i] = s
    nb = (n + COLBLOCK - 1) // COLBLOCK
    for b in prange(nb):
        i0 = b * COLBLOCK
        i1 = min(n, i0 + COLBLOCK)
        for j in range(n):
            yj = y_2[j]
            for i in range(i0, i1):
                x2[i] = x2[i] + A[j, i] * yj


@njit(**PAR)
def cholesky(n, A):
    # column-oriented (left-looking): column j's entries below the diagonal are independent
    for j in range(n):
        s = A[j, j]
        for k in range(j):
            s -= A[j, k] * A[j, k]
        A[j, j] = math.sqrt(s)
        d = A[j, j]
        for i in prange(j + 1, n):
            v = A[i, j]
            for k in range(j):
                v -= A[i, k] * A[j, k]
            A[i, j] = v / d


@njit(cache=False)
def durbin(n, r, y):
    z = np.zeros(n)
    y[0] = -r[0]
    beta = 1.0
    alpha = -r[0]
    for k in range(1, n):
        beta = (1.0 - alpha * alpha) * beta
        s = 0.0
        for i in range(k):
            s += r[k - i - 1] * y[i]
        alpha = -(r[k] + s) / beta
        for i in range(k):
            z[i] = y[i] + alpha * y[k - i - 1]
        for i in range(k):
            y[i] = z[i]
        y[k] = alpha


@njit(**PAR)
def gramschmidt(m, n, A, R, Q):
    for k in range(n):
        nrm = 0.0
        for i in range(m):
            nrm += A[i, k] * A[i, k]
        R[k, k] = math.sqrt(nrm)
        for i in range(m):
            Q[i, k] = A[i, k] / R[k, k]
        for j in prange(k + 1, n):
            s = 0.0
            for i in range(m):
                s += Q[i, k] * A[i, j]
            R[k, j] = s
            for i in range(m):
                A[i, j] = A[i, j] - Q[i, k] * s


@njit(**PAR)
def _lu(n, A):
    # right-looking: same per-element operation order as the kernel
    for k in range(n):
        d = A[k, k]
        for i in prange(k + 1, n):
            A[i, k] /= d
            a = A[i, k]
            for j in range(k + 1, n):
                A[i, j] -= a * A[k, j]


@njit(cache=False)
def lu(n, A):
    _lu(n, A)


@njit(cache=False)
def ludcmp(n, A, b, x, y):
    _lu(n, A)
    for i in range(n):
        w = b[i]
        for j in range(i):
            w -= A[i, j] * y[j]
        y[i] = w
    for i in range(n - 1, -1, -1):
        w = y[i]
        for j in range(i + 1, n):
            w -= A[i, j] * x[j]
        x[i] = w / A[i, i]


@njit(cache=False)
def trisolv(n, L, x, b):
    for i in range(n):
        s = b[i]
        for j in range(i):
            s -= L[i, j] * x[j]
        x[i] = s / L[i, i]


@njit(**PAR)
def deriche(w, h, alpha, imgIn, imgOut, y1, y2):
    k = (1.0 - math.exp(-alpha)) * (1.0 - math.exp(-alpha)) / (1.0 + 2.0 * alpha * math.exp(-alpha) - math.exp(2.0 * alpha))
    a1 = k
    a5 = k
    a2 = k * math.exp(-alpha) * (alpha - 1.0)
    a6 = a2
    a3 = k * math.exp(-alpha) * (alpha + 1.0)
    a7 = a3
    a4 = -k * math.exp(-2.0 * alpha)
    a8 = a4
    b1 = math.pow(2.0, -alpha)
    b2 = -math.exp(-2.0 * alpha)
    for i in prange(w):
        ym1 = 0.0
        ym2 = 0.0
        xm1 = 0.0
        for j in range(h):
            y1[i, j] = a1 * imgIn[i, j] + a2 * xm1 + b1 * ym1 + b2 * ym2
            xm1 = imgIn[i, j]
            ym2 = ym1
            ym1 = y1[i, j]
        yp1 = 0.0
        yp2 = 0.0
        xp1 = 0.0
        xp2 = 0.0
        for j in range(h - 1, -1, -1):
            y2[i, j] = a3 * xp1 + a4 * xp2 + b1 * yp1 + b2 * yp2
            xp2 = xp1
            xp1 = imgIn[i, j]
            yp2 = yp1
            yp1 = y2[i, j]
        for j in range(h):
            imgOut[i, j] = 1.0 * (y1[i, j] + y2[i, j])
    nb = (h + COLBLOCK - 1) // COLBLOCK
    for b in prange(nb):
        j0 = b * COLBLOCK
        j1 = min(h, j0 + COLBLOCK)
        s1 = np.zeros(COLBLOCK)
        s2 = np.zeros(COLBLOCK)
        s3 = np.zeros(COLBLOCK)
        for i in range(w):
            for j in range(j0, j1):
                jj = j - j0
                v = a5 * imgOut[i, j] + a6 * s1[jj] + b1 * s2[jj] + b2 * s3[jj]
                y1[i, j] = v
                s1[jj] = imgOut[i, j]
                s3[jj] = s2[jj]
                s2[jj] = v
        t1 = np.zeros(COLBLOCK)
        t2 = np.zeros(COLBLOCK)
        u1 = np.zeros(COLBLOCK)
        u2 = np.zeros(COLBLOCK)
        for i in range(w - 1, -1, -1):
            for j in range(j0, j1):
                jj = j - j0
                v = a7 * t1[jj] + a8 * t2[jj] + b1 * u1[jj] + b2 * u2[jj]
                y2[i, j] = v
                t2[jj] = t1[jj]
                t1[jj] = imgOut[i, j]
                u2[jj] = u1[jj]
                u1[jj] = v
    for i in prange(w):
        for j in range(h):
            imgOut[i, j] = 1.0 * (y1[i, j] + y2[i, j])


@njit(**PAR)
def floyd_warshall(n, path):
    # row k and column k do not change during step k (path[k, k] >= 0)
    for k in range(n):
        for i in prange(n):
            pik = path[i, k]
            for j in range(n):
                path[i, j] = min(path[i, j], pik + path[k, j])


@njit(**PAR)
def nussinov(n, seq, table):
    # anti-diagonal wavefront: cell (i, i+d) needs only cells with a smaller j-i
    for d in range(1, n):
        for i in prange(n - d):
            j = i + d
            v = table[i, j]
            v = max(v, table[i, j - 1])
            v = max(v, table[i + 1, j])
            if i < j - 1:
                if seq[i] + seq[j] == 3:
                    v = max(v, table[i + 1, j - 1] + 1.0)
                else:
                    v = max(v, table[i + 1, j - 1] + 0.0)
            else:
                v = max(v, table[i + 1, j - 1])
            for k in range(i + 1, j):
                v = max(v, table[i, k] + table[k + 1, j])
            table[i, j] = v


@njit(**PAR)
def adi(tsteps, n, u, v, p, q):
    DX = 1.0 / n
    DY = 1.0 / n
    DT = 1.0 / tsteps
    mul1 = 2.0 * DT / (DX * DX)
    mul2 = 1.0 * DT / (DY * DY)
    a = -mul1 / 2.0
    b = 1.0 + mul1
    c = a
    d = -mul2 / 2.0
    e = 1.0 + mul2
    f = d
    for t in range(1, tsteps + 1):
        for i in prange(1, n - 1):
            v[0, i] = 1.0
            p[i, 0] = 0.0
            q[i, 0] = v[0, i]
            for j in range(1, n - 1):
                p[i, j] = -c / (a * p[i, j - 1] + b)
                q[i, j] = (-d * u[j, i - 1] + (1.0 + 2.0 * d) * u[j, i] - f * u[j, i + 1] - a * q[i, j - 1]) / (a * p[i, j - 1] + b)
            v[n - 1, i] = 1.0
            for j in range(n - 2, 0, -1):
                v[j, i] = p[i, j] * v[j + 1, i] + q[i, j]
        for i in prange(1, n - 1):
            u[i, 0] = 1.0
            p[i, 0] = 0.0
            q[i, 0] = u[i, 0]
            for j in range(1, n - 1):
                p[i, j] = -f / (d * p[i, j - 1] + e)
                q[i, j] = (-a * v[i - 1, j] + (1.0 + 2.0 * a) * v[i, j] - c * v[i + 1, j] - d * q[i, j - 1]) / (d * p[i, j - 1] + e)
            u[i, n - 1] = 1.0
            for j in range(n - 2, 0, -1):
                u[i, j] = p[i, j] * u[i, j + 1] + q[i, j]


@njit(**PAR)
def fdtd_2d(tmax, nx, ny, ex, ey, hz, _fict_):
    for t in range(tmax):
        for j in range(ny):
            ey[0, j] = _fict_[t]
        for i in prange(1, nx):
            for j in range(ny):
                ey[i, j] = ey[i, j] - 0.5 * (hz[i, j] - hz[i - 1, j])
        for i in prange(nx):
            for j in range(1, ny):
                ex[i, j] = ex[i, j] - 0.5 * (hz[i, j] - hz[i, j - 1])
        for i in prange(nx - 1):
            for j in range(ny - 1):
                hz[i, j] = hz[i, j] - 0.7 * (ex[i, j + 1] - ex[i, j] + ey[i + 1, j] - ey[i, j])


@njit(**PAR)
def heat_3d(tsteps, n, A, B):
    for t in range(1, tsteps + 1):
        for i in prange(1, n - 1):
            for j in range(1, n - 1):
                for k in range(1, n - 1):
                    B[i, j, k] = 0.125 * (A[i + 1, j, k] - 2.0 * A[i, j, k] + A[i - 1, j, k]) + 0.125 * (A[i, j + 1, k] - 2.0 * A[i, j, k] + A[i, j - 1, k]) + 0.125 * (A[i, j, k + 1] - 2.0 * A[i, j, k] + A[i, j, k - 1]) + A[i, j, k]
        for i in prange(1, n - 1):
            for j in range(1, n - 1):
                for k in range(1, n - 1):
                    A[i, j, k] = 0.125 * (B[i + 1, j, k] - 2.0 * B[i, j, k] + B[i - 1, j, k]) + 0.125 * (B[i, j + 1, k] - 2.0 * B[i, j, k] + B[i, j - 1, k]) + 0.125 * (B[i, j, k + 1] - 2.0 * B[i, j, k] + B[i, j, k - 1]) + B[i, j, k]


@njit(cache=False)
def jacobi_1d(tsteps, n, A, B):
    for t in range(tsteps):
        for i in range(1, n - 1):
            B[i] = 0.33333 * (A[i - 1] + A[i] + A[i + 1])
        for i in range(1, n - 1):
            A[i] = 0.33333 * (B[i - 1] + B[i] + B[i + 1])


@njit(**PAR)
def jacobi_2d(tsteps, n, A, B):
    for t in range(tsteps):
        for i in prange(1, n - 1):
            for j in range(1, n - 1):
                B[i, j] = 0.2 * (A[i, j] + A[i, j - 1] + A[i, 1 + j] + A[1 + i, j] + A[i - 1, j])
        for i in prange(1, n - 1):
            for j in range(1, n - 1):
                A[i, j] = 0.2 * (B[i, j] + B[i, j - 1] + B[i, 1 + j] + B[1 + i, j] + B[i - 1, j])


@njit(cache=False)
def seidel_2d(tsteps, n, A):
    for t in range(tsteps):
        for i in range(1, n - 1):
            for j in range(1, n - 1):
                A[i, j] = (A[i - 1, j - 1] + A[i - 1, j] + A[i - 1, j + 1] + A[i, j - 1] + A[i, j] + A[i, j + 1] + A[i + 1, j - 1] + A[i + 1, j] + A[i + 1, j + 1]) / 9.0


#: Kernels whose expert version is sequential @njit (no prange pays off), and why.
SEQUENTIAL = {
    "durbin": "each k step depends on the previous; inner loops of <= n elements are too short for a parallel launch",
    "trisolv": "forward substitution: row i needs every earlier x",
    "jacobi_1d": "400-element sweeps: a parallel launch per sweep costs more than the sweep",
    "seidel_2d": "in-place sweep; a 2i+j wavefront needs ~3n launches per time step, far more than the work",
}

VERSIONS = {name: fn for name, fn in globals().items()
            if isinstance(fn, numba.core.registry.CPUDispatcher) and not name.startswith("_")}
