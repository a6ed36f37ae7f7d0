"""Kernels written without hints, as scientists write them, for @parallelize's first-call types
(test/python/test_first_call_types.py): whole-array updates whose rank only the argument shows,
and NumPy scalar arguments (np.float32, np.int64, ...), which follow NumPy's rules, not CPython's."""
import numpy as np


def relax(u, f, omega):
    # whole arrays: nothing in the code shows u's rank, the first call's argument does
    u += omega * (f - u)


def blend(out, a, b, w):
    n, m = out.shape
    out[:] = w * a + (1.0 - w) * b
    return n * m


def scale_shift(x, a, b):
    # a and b are np.float32 scalars: the result stays float32 as in NumPy 2
    return x * a + b


def bump(v, k):
    v += k


def ratio(a, b):
    # NumPy scalars: 1.0 / 0.0 is inf (with a warning), not ZeroDivisionError
    return a / b


def count_above(x, threshold):
    c = 0
    for i in range(x.shape[0]):
        if x[i] > threshold:
            c += 1
    return c


def smooth(u, f, omega=0.5, steps=2):
    # default values and keyword calls: the defaults' types are part of the signature
    for s in range(steps):
        u[1:-1] = u[1:-1] + omega * (f[1:-1] - u[1:-1])
    return u
