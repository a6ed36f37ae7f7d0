#!/usr/bin/env python3
"""atax's compiled body four ways (issue 16, item 4 of the eighth session's brief): is a column-blocked form of
its transposed product (`y[j] += A[i, j] * tmp[i]`) worth generating?

expert: bench/polybench's prange version (tmp in a prange over rows, then y in a prange over blocks of 64
columns); serial: Polyray's serial form (one pass over the rows: each row's sum in a local, then the row's
axpy into y, contiguous, while the row is in cache); colblock: the expert's two loops with blocks of 256
columns; rowblock: one pass in fixed blocks of 64 rows, each block's y in a row of its own, the rows added in
block order after (deterministic whatever the thread count; close mode's reassociation). Median (fastest) of 51
calls (11 at the large size), µs; err: the largest difference from the expert's y relative to its largest |y|.

    GOMP_SPINCOUNT=1000 OPENBLAS_NUM_THREADS=1 .venv/bin/python bench/atax_forms.py 390x410,1900x2100 1,2
"""
import os, sys, time
import numpy as np
from numba import njit, prange
import numba
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "polybench"))
import prange_versions as pv  # noqa: E402

@njit(boundscheck=False)
def serial(m, n, A, x, y, tmp):
    for i in range(n): y[i] = 0.0
    for i in range(m):
        s = 0.0
        for j in range(n): s = s + A[i, j] * x[j]
        tmp[i] = s
        for j in range(n): y[j] = y[j] + A[i, j] * s

@njit(parallel=True, boundscheck=False)
def colblock(m, n, A, x, y, tmp):
    for i in prange(m):
        s = 0.0
        for j in range(n): s = s + A[i, j] * x[j]
        tmp[i] = s
    nb = (n + 255) // 256
    for b in prange(nb):
        j0 = b * 256; j1 = min(n, j0 + 256)
        for j in range(j0, j1): y[j] = 0.0
        for i in range(m):
            t = tmp[i]
            for j in range(j0, j1): y[j] = y[j] + A[i, j] * t

RB = 64
@njit(parallel=True, boundscheck=False)
def rowblock(m, n, A, x, y, tmp):
    nb = (m + RB - 1) // RB
    part = np.zeros((nb, n))
    for b in prange(nb):
        for i in range(b * RB, min(m, b * RB + RB)):
            s = 0.0
            for j in range(n): s = s + A[i, j] * x[j]
            tmp[i] = s
            for j in range(n): part[b, j] = part[b, j] + A[i, j] * s
    for j in prange(n):
        acc = 0.0
        for b in range(nb): acc = acc + part[b, j]
        y[j] = acc

def t(f, args, reps):
    f(*args); ts = []
    for _ in range(reps):
        t0 = time.perf_counter(); f(*args); ts.append(time.perf_counter() - t0)
    ts.sort(); return ts[len(ts)//2] * 1e6, ts[0] * 1e6

for th in [int(a) for a in sys.argv[2].split(",")]:
    numba.set_num_threads(th)
    for m, n in [tuple(map(int, s.split("x"))) for s in sys.argv[1].split(",")]:
        rng = np.random.default_rng(0); A = rng.random((m, n)); x = rng.random(n)
        row = [f"threads={th} {m}x{n}"]; ref = None
        for name, f in [("expert", pv.atax), ("serial", serial), ("colblock", colblock), ("rowblock", rowblock)]:
            y = np.zeros(n); tmp = np.zeros(m)
            med, best = t(f, (m, n, A, x, y, tmp), 51 if m < 1000 else 11)
            if ref is None: ref = y.copy()
            row.append(f"{name} {med:.0f} ({best:.0f}) err {abs(y-ref).max()/abs(ref).max():.1e}")
        print(" | ".join(row), f"load {os.getloadavg()[0]:.1f}", flush=True)
