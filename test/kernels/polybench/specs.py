"""Dataset sizes, input builders and outputs of the PolyBench 4.2 kernels.

Used by the test harness (test/python/test_kernels_numba.py and
test/python/test_polybench_differential.py).  Functions here are
deliberately *not* type-hinted: this module is test support, not input
for the compiler.

For every kernel ``NAME`` (the file stem, kernel function ``kernel_NAME``):

* ``SIZES[NAME][DATASET]``  - the size parameters, in the order of the
  kernel's signature, exactly as the PolyBench/C 4.2 headers define them for
  MINI, SMALL, MEDIUM and LARGE.  Keys are the Python parameter names
  (doitgen's ``np`` is ``np_`` in Python, as ``np`` is the NumPy alias).
* ``build_args(NAME, sizes, rng)`` - the full argument tuple of the kernel.
* ``OUTPUTS[NAME]`` - indices into that tuple of the arrays the kernel writes.
* ``edge_sizes(NAME)`` - extra small size dicts (0, 1, small odd sizes) that
  are valid for the kernel.
* ``compare_view(NAME, sizes, index, array)`` - the part of an output that is
  numerically meaningful (only gramschmidt restricts it, see there).
"""

import numpy as np

KERNELS = [
    "correlation", "covariance",
    "gemm", "gemver", "gesummv", "symm", "syr2k", "syrk", "trmm",
    "k2mm", "k3mm", "atax", "bicg", "doitgen", "mvt",
    "cholesky", "durbin", "gramschmidt", "lu", "ludcmp", "trisolv",
    "deriche", "floyd_warshall", "nussinov",
    "adi", "fdtd_2d", "heat_3d", "jacobi_1d", "jacobi_2d", "seidel_2d",
]

DATASETS = ["MINI", "SMALL", "MEDIUM", "LARGE"]


def _ds(keys, mini, small, medium, large):
    return {
        "MINI": dict(zip(keys, mini)),
        "SMALL": dict(zip(keys, small)),
        "MEDIUM": dict(zip(keys, medium)),
        "LARGE": dict(zip(keys, large)),
    }


SIZES = {
    "correlation": _ds(("m", "n"), (28, 32), (80, 100), (240, 260), (1200, 1400)),
    "covariance": _ds(("m", "n"), (28, 32), (80, 100), (240, 260), (1200, 1400)),
    "gemm": _ds(("ni", "nj", "nk"), (20, 25, 30), (60, 70, 80), (200, 220, 240), (1000, 1100, 1200)),
    "gemver": _ds(("n",), (40,), (120,), (400,), (2000,)),
    "gesummv": _ds(("n",), (30,), (90,), (250,), (1300,)),
    "symm": _ds(("m", "n"), (20, 30), (60, 80), (200, 240), (1000, 1200)),
    "syr2k": _ds(("n", "m"), (30, 20), (80, 60), (240, 200), (1200, 1000)),
    "syrk": _ds(("n", "m"), (30, 20), (80, 60), (240, 200), (1200, 1000)),
    "trmm": _ds(("m", "n"), (20, 30), (60, 80), (200, 240), (1000, 1200)),
    "k2mm": _ds(("ni", "nj", "nk", "nl"), (16, 18, 22, 24), (40, 50, 70, 80), (180, 190, 210, 220), (800, 900, 1100, 1200)),
    "k3mm": _ds(("ni", "nj", "nk", "nl", "nm"), (16, 18, 20, 22, 24), (40, 50, 60, 70, 80), (180, 190, 200, 210, 220), (800, 900, 1000, 1100, 1200)),
    "atax": _ds(("m", "n"), (38, 42), (116, 124), (390, 410), (1900, 2100)),
    "bicg": _ds(("m", "n"), (38, 42), (116, 124), (390, 410), (1900, 2100)),
    "doitgen": _ds(("nr", "nq", "np_"), (10, 8, 12), (25, 20, 30), (50, 40, 60), (150, 140, 160)),
    "mvt": _ds(("n",), (40,), (120,), (400,), (2000,)),
    "cholesky": _ds(("n",), (40,), (120,), (400,), (2000,)),
    "durbin": _ds(("n",), (40,), (120,), (400,), (2000,)),
    "gramschmidt": _ds(("m", "n"), (20, 30), (60, 80), (200, 240), (1000, 1200)),
    "lu": _ds(("n",), (40,), (120,), (400,), (2000,)),
    "ludcmp": _ds(("n",), (40,), (120,), (400,), (2000,)),
    "trisolv": _ds(("n",), (40,), (120,), (400,), (2000,)),
    "deriche": _ds(("w", "h"), (64, 64), (192, 128), (720, 480), (4096, 2160)),
    "floyd_warshall": _ds(("n",), (60,), (180,), (500,), (2800,)),
    "nussinov": _ds(("n",), (60,), (180,), (500,), (2500,)),
    "adi": _ds(("tsteps", "n"), (20, 20), (40, 60), (100, 200), (500, 1000)),
    "fdtd_2d": _ds(("tmax", "nx", "ny"), (20, 20, 30), (40, 60, 80), (100, 200, 240), (500, 1000, 1200)),
    "heat_3d": _ds(("tsteps", "n"), (20, 10), (40, 20), (100, 40), (500, 120)),
    "jacobi_1d": _ds(("tsteps", "n"), (20, 30), (40, 120), (100, 400), (500, 2000)),
    "jacobi_2d": _ds(("tsteps", "n"), (20, 30), (40, 90), (100, 250), (500, 1300)),
    "seidel_2d": _ds(("tsteps", "n"), (20, 40), (40, 120), (100, 400), (500, 2000)),
}

# Indices (into the argument tuple) of the arrays each kernel writes.
OUTPUTS = {
    "correlation": (3, 4, 5, 6),
    "covariance": (3, 4, 5),
    "gemm": (5,),
    "gemver": (3, 8, 9),
    "gesummv": (5, 7),
    "symm": (4,),
    "syr2k": (4,),
    "syrk": (4,),
    "trmm": (4,),
    "k2mm": (6, 10),
    "k3mm": (5, 8, 11),
    "atax": (4, 5),
    "bicg": (3, 4),
    "doitgen": (3, 5),
    "mvt": (1, 2),
    "cholesky": (1,),
    "durbin": (2,),
    "gramschmidt": (2, 3, 4),
    "lu": (1,),
    "ludcmp": (1, 3, 4),
    "trisolv": (2,),
    "deriche": (4, 5, 6),
    "floyd_warshall": (1,),
    "nussinov": (2,),
    "adi": (2, 3, 4, 5),
    "fdtd_2d": (3, 4, 5),
    "heat_3d": (2, 3),
    "jacobi_1d": (2, 3),
    "jacobi_2d": (2, 3),
    "seidel_2d": (2,),
}

# Lower bounds on sizes for which the PolyBench/C code itself is defined:
#  correlation: corr[m-1][m-1] needs m >= 1; n >= 2 keeps the sums finite.
#  covariance:  divides by (float_n - 1), so n >= 2.
#  durbin:      y[0] = -r[0] needs n >= 1.
#  adi:         1.0/n and 1.0/tsteps, so both >= 1.
#  fdtd_2d:     ey[0][j] for j < ny needs nx >= 1 whenever ny >= 1 (all-0 is fine).
MIN_SIZES = {
    "correlation": {"m": 1, "n": 2},
    "covariance": {"n": 2},
    "durbin": {"n": 1},
    "adi": {"tsteps": 1, "n": 1},
}

TIME_KEYS = ("tsteps", "tmax")

_ODD = (3, 5, 7, 9, 11)


def size_keys(name):
    return list(SIZES[name]["MINI"].keys())


def _valid(name, sizes):
    for key, low in MIN_SIZES.get(name, {}).items():
        if sizes[key] < low:
            return False
    if name == "fdtd_2d" and sizes["ny"] > 0 and sizes["nx"] == 0:
        return False
    return True


def edge_sizes(name):
    """Small size dicts valid for ``name``: all 0, all 1, small odd sizes (in
    increasing and decreasing order, so both "wide" and "tall" shapes occur),
    and for time-step kernels tsteps 1 and 2 on small odd grids."""
    keys = size_keys(name)
    space = [k for k in keys if k not in TIME_KEYS]
    time = [k for k in keys if k in TIME_KEYS]
    cands = []
    cands.append({k: 0 for k in keys})
    cands.append({k: 1 for k in keys})
    if time:
        for t in (1, 2):
            for base in (3, 5):
                d = {time[0]: t}
                for i, k in enumerate(space):
                    d[k] = base + 2 * i
                cands.append(d)
        d = {time[0]: 2}
        for i, k in enumerate(reversed(space)):
            d[k] = 3 + 2 * i
        cands.append(d)
        for v in (0, 1, 2):
            d = {time[0]: 2}
            for k in space:
                d[k] = v
            cands.append(d)
    else:
        cands.append({k: _ODD[i] for i, k in enumerate(keys)})
        if len(keys) > 1:
            cands.append({k: _ODD[i] for i, k in enumerate(reversed(keys))})
        else:
            cands.append({keys[0]: 5})
            cands.append({keys[0]: 7})
        cands.append({k: 2 for k in keys})
    out = []
    for d in cands:
        d = {k: d[k] for k in keys}
        for key, low in MIN_SIZES.get(name, {}).items():
            d[key] = max(d[key], low)
        if _valid(name, d) and d not in out:
            out.append(d)
    return out


def size_id(sizes):
    return "-".join("%s%d" % (k.rstrip("_"), v) for k, v in sizes.items())


def _u(rng, *shape):
    return rng.uniform(-1.0, 1.0, size=shape)


def _spd(rng, n):
    a = rng.uniform(-1.0, 1.0, size=(n, n))
    return a @ a.T / max(n, 1) + np.eye(n)


def _diag_dominant(rng, n):
    a = rng.uniform(-1.0, 1.0, size=(n, n))
    return a + np.eye(n) * (n + 1.0)


def build_args(name, sizes, rng):
    """Arguments of ``kernel_<name>`` for the given sizes, fresh arrays."""
    s = sizes
    if name in ("correlation", "covariance"):
        m, n = s["m"], s["n"]
        data = rng.uniform(0.0, 10.0, size=(n, m))
        if name == "correlation":
            return (m, n, float(n), data, np.zeros((m, m)), np.zeros(m), np.zeros(m))
        return (m, n, float(n), data, np.zeros((m, m)), np.zeros(m))
    if name == "gemm":
        ni, nj, nk = s["ni"], s["nj"], s["nk"]
        return (ni, nj, nk, 1.5, 1.2, _u(rng, ni, nj), _u(rng, ni, nk), _u(rng, nk, nj))
    if name == "gemver":
        n = s["n"]
        return (n, 1.5, 1.2, _u(rng, n, n), _u(rng, n), _u(rng, n), _u(rng, n), _u(rng, n),
                np.zeros(n), np.zeros(n), _u(rng, n), _u(rng, n))
    if name == "gesummv":
        n = s["n"]
        return (n, 1.5, 1.2, _u(rng, n, n), _u(rng, n, n), np.zeros(n), _u(rng, n), np.zeros(n))
    if name == "symm":
        m, n = s["m"], s["n"]
        return (m, n, 1.5, 1.2, _u(rng, m, n), _u(rng, m, m), _u(rng, m, n))
    if name == "syr2k":
        n, m = s["n"], s["m"]
        return (n, m, 1.5, 1.2, _u(rng, n, n), _u(rng, n, m), _u(rng, n, m))
    if name == "syrk":
        n, m = s["n"], s["m"]
        return (n, m, 1.5, 1.2, _u(rng, n, n), _u(rng, n, m))
    if name == "trmm":
        m, n = s["m"], s["n"]
        return (m, n, 1.5, _u(rng, m, m), _u(rng, m, n))
    if name == "k2mm":
        ni, nj, nk, nl = s["ni"], s["nj"], s["nk"], s["nl"]
        return (ni, nj, nk, nl, 1.5, 1.2, np.zeros((ni, nj)), _u(rng, ni, nk), _u(rng, nk, nj),
                _u(rng, nj, nl), _u(rng, ni, nl))
    if name == "k3mm":
        ni, nj, nk, nl, nm = s["ni"], s["nj"], s["nk"], s["nl"], s["nm"]
        return (ni, nj, nk, nl, nm, np.zeros((ni, nj)), _u(rng, ni, nk), _u(rng, nk, nj),
                np.zeros((nj, nl)), _u(rng, nj, nm), _u(rng, nm, nl), np.zeros((ni, nl)))
    if name == "atax":
        m, n = s["m"], s["n"]
        return (m, n, _u(rng, m, n), _u(rng, n), np.zeros(n), np.zeros(m))
    if name == "bicg":
        m, n = s["m"], s["n"]
        return (m, n, _u(rng, n, m), np.zeros(m), np.zeros(n), _u(rng, m), _u(rng, n))
    if name == "doitgen":
        nr, nq, np_ = s["nr"], s["nq"], s["np_"]
        return (nr, nq, np_, _u(rng, nr, nq, np_), _u(rng, np_, np_), np.zeros(np_))
    if name == "mvt":
        n = s["n"]
        return (n, _u(rng, n), _u(rng, n), _u(rng, n), _u(rng, n), _u(rng, n, n))
    if name == "cholesky":
        n = s["n"]
        return (n, _spd(rng, n))
    if name == "durbin":
        # PolyBench's r is an autocorrelation sequence r[1..n] (r[0] = 1
        # implied).  A convex mix of AR(1) autocorrelations is positive
        # definite, so |alpha| < 1 throughout and beta stays away from 0.
        n = s["n"]
        w1 = rng.uniform(0.2, 0.8)
        rho1 = rng.uniform(0.3, 0.8)
        rho2 = rng.uniform(-0.8, -0.3)
        k = np.arange(1, n + 1, dtype=np.float64)
        r = w1 * rho1 ** k + (1.0 - w1) * rho2 ** k
        return (n, r, np.zeros(n))
    if name == "gramschmidt":
        m, n = s["m"], s["n"]
        return (m, n, rng.uniform(1.0, 10.0, size=(m, n)), np.zeros((n, n)), np.zeros((m, n)))
    if name == "lu":
        n = s["n"]
        return (n, _diag_dominant(rng, n))
    if name == "ludcmp":
        n = s["n"]
        return (n, _diag_dominant(rng, n), _u(rng, n), np.zeros(n), np.zeros(n))
    if name == "trisolv":
        n = s["n"]
        L = np.tril(rng.uniform(-1.0, 1.0, size=(n, n)) / max(n, 1)) + np.eye(n)
        return (n, L, np.full(n, -999.0), _u(rng, n))
    if name == "deriche":
        w, h = s["w"], s["h"]
        return (w, h, 0.25, rng.uniform(0.0, 1.0, size=(w, h)), np.zeros((w, h)),
                np.zeros((w, h)), np.zeros((w, h)))
    if name == "floyd_warshall":
        # Integer-valued weights (as PolyBench's init): the result is exact.
        n = s["n"]
        path = rng.integers(1, 50, size=(n, n)).astype(np.float64)
        path[rng.uniform(size=(n, n)) < 0.3] = 999.0
        return (n, path)
    if name == "nussinov":
        n = s["n"]
        return (n, rng.integers(0, 4, size=n).astype(np.int64), np.zeros((n, n)))
    if name == "adi":
        tsteps, n = s["tsteps"], s["n"]
        return (tsteps, n, rng.uniform(0.0, 1.0, size=(n, n)), np.zeros((n, n)),
                np.zeros((n, n)), np.zeros((n, n)))
    if name == "fdtd_2d":
        tmax, nx, ny = s["tmax"], s["nx"], s["ny"]
        return (tmax, nx, ny, _u(rng, nx, ny), _u(rng, nx, ny), _u(rng, nx, ny), _u(rng, tmax))
    if name == "heat_3d":
        tsteps, n = s["tsteps"], s["n"]
        a = rng.uniform(0.0, 1.0, size=(n, n, n))
        return (tsteps, n, a, a.copy())
    if name in ("jacobi_1d", "jacobi_2d"):
        tsteps, n = s["tsteps"], s["n"]
        shape = (n,) if name == "jacobi_1d" else (n, n)
        return (tsteps, n, rng.uniform(0.0, 1.0, size=shape), rng.uniform(0.0, 1.0, size=shape))
    if name == "seidel_2d":
        tsteps, n = s["tsteps"], s["n"]
        return (tsteps, n, rng.uniform(0.0, 1.0, size=(n, n)))
    raise KeyError(name)


def copy_args(args):
    return tuple(a.copy() if isinstance(a, np.ndarray) else a for a in args)


def compare_view(name, sizes, index, array):
    """The numerically meaningful part of output ``index``.

    gramschmidt: PolyBench's MINI..LARGE sizes have n > m, so columns k >= m
    of A are linearly dependent on the first m; their residual norm is pure
    rounding noise (or exactly 0, giving 0/0).  Only the first min(m, n)
    columns of Q and A and rows of R are well defined; the rest depend on
    the exact rounding sequence and are compared only in the Numba test,
    where the order of operations is identical.
    """
    if name == "gramschmidt":
        k = min(sizes["m"], sizes["n"])
        if index == 3:  # R[n][n]
            return array[:k, :]
        return array[:, :k]  # A[m][n], Q[m][n]
    return array
