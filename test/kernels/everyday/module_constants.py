"""Module-level constants read by functions (issue 17), as scientists write them. The rule: a name
bound once at module level to a number or bool literal is frozen into the variants, and before each
call the dispatcher checks that the function's module still binds that value (same type), else the
original runs (test/python/test_module_constants.py rebinds them)."""
import numpy as np

N_SWEEPS = 3
OMEGA = 0.5
FLOOR = -1e-12
GAIN = 2
LOGGING = False
TWICE = 1
TWICE = 2


def relax(u):
    for s in range(N_SWEEPS):
        for i in range(1, u.shape[0] - 1):
            u[i] = u[i] + OMEGA * (u[i - 1] + u[i + 1] - 2.0 * u[i])
    return u * GAIN + FLOOR


def count_large(x, threshold):
    c = 0
    for i in range(x.shape[0]):
        if x[i] > threshold * GAIN and not LOGGING:
            c += 1
    return c


def rebound_twice(x):
    return x * TWICE
