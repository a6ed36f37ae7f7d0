"""Compiled variants allocate through large_allocations (cpu.NUMPY_NAME): NumPy's values, and for 4 MiB
or more the huge-page advice NumPy gives its own arrays (counted in page faults, not timed), kept in
Numba's disk cache (no dynamic global), and off where NumPy's switch is off."""
from __future__ import annotations

import os
import resource
import subprocess
import sys
import warnings

import numba
import numpy as np
import pytest

from polyray.runtime import large_allocations as la

THP = "/sys/kernel/mm/transparent_hugepage/enabled"


def _thp_on() -> bool:
    try:
        with open(THP) as f:
            return "[never]" not in f.read()
    except OSError:
        return False


@numba.njit
def _allocate(n: int, which: int):  # type: ignore[no-untyped-def]
    if which == 0:
        a = la.empty(n, np.float64)
        a[:] = 1.5
    elif which == 1:
        a = la.zeros(n)
    elif which == 2:
        a = la.ones((n,), dtype=np.float64)
    else:
        a = la.full(n, 2.5, np.float64)
    return a


@pytest.mark.parametrize("which, value", [(0, 1.5), (1, 0.0), (2, 1.0), (3, 2.5)])
def test_values_dtypes_and_shapes_as_numpy(which, value):
    for n in (0, 3, 1 << 20):  # empty, small, 8 MiB (advised)
        a = _allocate(n, which)
        assert a.dtype == np.float64 and a.shape == (n,) and a.flags.c_contiguous
        assert np.all(a == value)


def test_integer_and_bool_dtypes_and_tuple_shapes():
    @numba.njit
    def f(n, m):  # type: ignore[no-untyped-def]
        return la.zeros((n, m), np.int64), la.ones(n, np.bool_), la.full((n, m), 7, np.int32), la.empty((n, m), np.int8)
    z, o, fl, e = f(600, 1000)
    assert z.dtype == np.int64 and not z.any() and z.shape == (600, 1000)
    assert o.dtype == np.bool_ and o.all()
    assert fl.dtype == np.int32 and (fl == 7).all()
    assert e.dtype == np.int8 and e.shape == (600, 1000)


def test_python_callers_get_numpy_arrays():
    # a GPU variant's host code calls these from Python
    assert np.array_equal(la.zeros((2, 3), np.int64), np.zeros((2, 3), np.int64))
    assert np.array_equal(la.full(4, 1.5), np.full(4, 1.5))
    assert la.float64 is np.float64 and la.sqrt is np.sqrt and la.empty_like is np.empty_like


@pytest.mark.skipif(not sys.platform.startswith("linux") or not _thp_on() or not la.ADVISE,
                    reason="huge pages need Linux with transparent huge pages and NumPy's advice on")
def test_large_allocations_fault_in_huge_pages():
    """A 64 MiB array written once: 16,384 faults of 4 KiB pages without the advice, a few dozen with it."""
    n = 8 << 20

    @numba.njit
    def plain(n):  # type: ignore[no-untyped-def]
        a = np.empty(n)
        a[:] = 1.0
        return a

    @numba.njit
    def advised(n):  # type: ignore[no-untyped-def]
        a = la.empty(n, np.float64)
        a[:] = 1.0
        return a

    def faults(f) -> int:  # type: ignore[no-untyped-def]
        f(16)
        best = None
        for _ in range(3):
            before = resource.getrusage(resource.RUSAGE_SELF).ru_minflt
            a = f(n)
            count = resource.getrusage(resource.RUSAGE_SELF).ru_minflt - before
            del a
            best = count if best is None else min(best, count)
        return best

    pages = n * 8 // 4096
    assert faults(plain) > pages // 2  # the baseline this module exists for (Numba's malloc, 4 KiB faults)
    assert faults(advised) < pages // 8


def test_kept_in_numbas_disk_cache(tmp_path):
    """The advice is an intrinsic, not a ctypes pointer: Numba caches the functions that allocate through it."""
    src = tmp_path / "cached_alloc.py"
    src.write_text("import numba\nimport numpy as np\nfrom polyray.runtime import large_allocations as la\n\n"
                   "@numba.njit(cache=True)\ndef f(n):\n    a = la.zeros(n)\n    a[0] = 1.0\n    return a\n")
    code = ("import sys, warnings; sys.path.insert(0, sys.argv[1]); warnings.simplefilter('error');"
            "import cached_alloc as m; a = m.f(1 << 20); print(a[0], a.sum(), len(m.f.stats.cache_hits), len(m.f.stats.cache_misses))")
    env = {**os.environ, "NUMBA_CACHE_DIR": str(tmp_path / "cache")}
    first = subprocess.run([sys.executable, "-c", code, str(tmp_path)], env=env, capture_output=True, text=True, timeout=300)
    assert first.returncode == 0, first.stderr[-2000:]
    second = subprocess.run([sys.executable, "-c", code, str(tmp_path)], env=env, capture_output=True, text=True, timeout=300)
    assert second.returncode == 0, second.stderr[-2000:]
    assert first.stdout.split()[:2] == ["1.0", "1.0"]
    assert second.stdout.split()[2] == "1"  # loaded from the disk cache


def test_numpys_switch_turns_the_advice_off():
    code = "from polyray.runtime import large_allocations as la; print(la.ADVISE)"
    off = subprocess.run([sys.executable, "-c", code], env={**os.environ, "NUMPY_MADVISE_HUGEPAGE": "0"},
                         capture_output=True, text=True, timeout=120)
    assert off.returncode == 0, off.stderr[-2000:]
    assert off.stdout.strip() == "False"
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert _allocate(1 << 20, 1).sum() == 0.0
