#!/usr/bin/env python3
"""gesummv's compiled body three ways, one call after another (issue 16, poly/product-loops.ts streamsRows).

expert: bench/polybench's prange version; blas: two gemv through Numba's np.dot and the loop around
them (close mode's product form before streamsRows); fused: the loop as written, each row's sums in
locals added in SIMD lanes (fastmath reassoc+contract), close mode's form now. Median (fastest) of 201
calls, microseconds, per n; the last column is the relative difference between blas and fused.

    NUMBA_NUM_THREADS=1 OPENBLAS_NUM_THREADS=1 .venv/bin/python bench/gemv_rows.py 32,64,128,250,500,1000
"""
import os, time, sys
import numpy as np
from numba import njit, prange
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "polybench"))
import prange_versions as pv

@njit(parallel=True, boundscheck=False)
def blas(n, alpha, beta, A, B, tmp, x, y):
    t1 = np.dot(A, x); t2 = np.dot(B, x)
    for i in prange(n):
        tmp[i] = 0.0; y[i] = 0.0
        tmp[i] += t1[i]; y[i] += t2[i]
        y[i] = alpha * tmp[i] + beta * y[i]

@njit(fastmath={"reassoc", "contract"}, boundscheck=False)
def sum0(n, A, i, x, B, a, b):
    for j in range(n):
        a = A[i, j] * x[j] + a
        b = B[i, j] * x[j] + b
    return a, b

@njit(parallel=True, boundscheck=False)
def fused(n, alpha, beta, A, B, tmp, x, y):
    for i in prange(n):
        tmp[i] = 0.0; y[i] = 0.0
        a = tmp[i]; b = y[i]
        a, b = sum0(n, A, i, x, B, a, b)
        tmp[i] = a; y[i] = b
        y[i] = alpha * tmp[i] + beta * y[i]

def t(f, args, reps):
    f(*args)
    best = []
    for _ in range(reps):
        t0 = time.perf_counter(); f(*args); best.append(time.perf_counter() - t0)
    best.sort()
    return best[len(best)//2] * 1e6, best[0] * 1e6

for n in [int(s) for s in sys.argv[1].split(",")]:
    rng = np.random.default_rng(0)
    A = rng.random((n, n)); B = rng.random((n, n)); x = rng.random(n)
    outs = {}
    row = [f"n={n}"]
    for name, f in [("expert", pv.gesummv), ("blas", blas), ("fused", fused)]:
        tmp = np.zeros(n); y = np.zeros(n)
        med, best = t(f, (n, 1.5, 1.2, A, B, tmp, x, y), 201)
        outs[name] = y.copy()
        row.append(f"{name} {med:.1f} ({best:.1f})")
    print(" | ".join(row), "maxrel", max(abs(outs['blas']-outs['fused']).max()/abs(outs['blas']).max(), 0), flush=True)
