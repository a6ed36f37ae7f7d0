"""Everyday numerical-methods kernels: shortest paths, factorizations, polynomials, quadrature, eigenvalues,
convolution, vector products, root finding."""
import numpy as np


def floyd_warshall_numpy(dist):
    """All-pairs shortest paths, one broadcast minimum per intermediate vertex."""
    n = dist.shape[0]
    for k in range(n):
        dist = np.minimum(dist, dist[:, k:k + 1] + dist[k:k + 1, :])
    return dist


def lu_nopivot(A: np.ndarray):
    """Doolittle LU without pivoting; returns L and U."""
    n = A.shape[0]
    L = np.eye(n)
    U = A.copy()
    for k in range(n - 1):
        for i in range(k + 1, n):
            L[i, k] = U[i, k] / U[k, k]
            U[i, k:] -= L[i, k] * U[k, k:]
    return L, U


def horner(coeffs, x):
    """Evaluate a polynomial (highest degree first) at every x."""
    result = np.zeros_like(x)
    for c in coeffs:
        result = result * x + c
    return result


def trapezoid(y: np.ndarray, dx: float) -> float:
    return dx / 2.0 * (y[0] + 2.0 * np.sum(y[1:-1]) + y[-1])


def simpson(f, a, b):
    """Composite Simpson's rule over samples f (odd count) on [a, b]."""
    n = f.shape[0] - 1
    h = (b - a) / n
    s = f[0] + f[n]
    for i in range(1, n, 2):
        s += 4.0 * f[i]
    for i in range(2, n - 1, 2):
        s += 2.0 * f[i]
    return s * h / 3.0


def power_iteration(A, iters):
    """Dominant eigenvalue and vector by repeated products."""
    b = np.ones(A.shape[0])
    lam = 0.0
    for _ in range(iters):
        Ab = A @ b
        lam = np.linalg.norm(Ab)
        b = Ab / lam
    return lam, b


def convolve_valid(x: np.ndarray, w: np.ndarray) -> np.ndarray:
    """1-d 'valid' convolution with loops."""
    n = x.shape[0]
    m = w.shape[0]
    out = np.zeros(n - m + 1)
    for i in range(n - m + 1):
        s = 0.0
        for j in range(m):
            s += x[i + j] * w[m - 1 - j]
        out[i] = s
    return out


def cross_rows(a, b):
    """Cross product of corresponding rows of two (n, 3) arrays."""
    out = np.empty_like(a)
    out[:, 0] = a[:, 1] * b[:, 2] - a[:, 2] * b[:, 1]
    out[:, 1] = a[:, 2] * b[:, 0] - a[:, 0] * b[:, 2]
    out[:, 2] = a[:, 0] * b[:, 1] - a[:, 1] * b[:, 0]
    return out


def newton_cbrt(x: np.ndarray, tol: float) -> np.ndarray:
    """Cube roots by Newton's method on the whole array until every update is small."""
    y = x.copy()
    delta = np.ones_like(x)
    while np.max(np.abs(delta)) > tol:
        delta = (y * y * y - x) / (3.0 * y * y)
        y = y - delta
    return y


def haversine(lat1, lon1, lat2, lon2):
    """Great-circle distances (km) between two arrays of coordinates in degrees."""
    lat1 = np.radians(lat1)
    lat2 = np.radians(lat2)
    dlat = lat2 - lat1
    dlon = np.radians(lon2 - lon1)
    a = np.sin(dlat / 2) ** 2 + np.cos(lat1) * np.cos(lat2) * np.sin(dlon / 2) ** 2
    return 6371.0 * 2 * np.arcsin(np.sqrt(a))


def back_substitution(U, y):
    """Solve an upper-triangular system."""
    n = y.shape[0]
    x = np.zeros(n)
    for i in range(n - 1, -1, -1):
        x[i] = (y[i] - np.dot(U[i, i + 1:], x[i + 1:])) / U[i, i]
    return x
