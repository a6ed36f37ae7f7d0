"""How long the idle threads of the two thread pools spin before they sleep (issues 16 and 18).

A script or notebook mixing NumPy calls with Polyray's parallel variants runs two pools on the same cores:
OpenBLAS's (NumPy's products; SciPy's build for the products compiled code computes) and the OpenMP runtime
behind Numba's prange regions (threading layer ``omp``: GNU libgomp). After each call, both pools' threads
busy-wait before sleeping, and a busy-waiting thread holds the core the other pool's next call needs. Measured
on 2 cores, quiet (NumPy 2.4, scipy-openblas 0.3.31, libgomp): a 200x240 @ 240x220 product took 208 µs alone
and 749 µs right after a prange region (libgomp's workers spin GOMP_SPINCOUNT iterations, 300,000 by default);
a prange sum over 1e5 elements took 34 µs alone and 7.3 ms right after a product (OpenBLAS's threads spin
2**28 cycles, about 0.1 s). So importing polyray sets, unless the user set them (any value, kept as is):

- ``GOMP_SPINCOUNT=1000``: libgomp reads it when it is loaded, which is when Numba's threading layer starts
  (the first parallel call), after ``import polyray``. One iteration costs about 25 ns here (the CPU time a
  worker burns after a region: 7.7 ms at the default 300,000, 2.7 ms at 100,000, 0.4 ms at 10,000, none
  measurable at 1,000 or 0), so a worker now spins about 25 µs: long enough for back-to-back regions (inside
  a compiled function, or calls a few µs apart), about what waking a sleeping worker costs (spinning as long as
  blocking costs is the classic 2-competitive choice), and libgomp's own value when it has more threads than cores.
  Measured under load (2 cores, load average 14): a prange sum over 1e5 elements 70 / 98 / 150 / 330 µs
  (median) at 0 / 1,000 / 3,000 / 10,000, and 20-28 ms at the default. Not set when OMP_WAIT_POLICY is (the
  user chose a policy). 0 or OMP_WAIT_POLICY=passive free the cores too, but then every region wakes sleeping
  threads (quiet: that sum took 105 µs instead of 34 µs with passive).
- ``OPENBLAS_THREAD_TIMEOUT=4`` (OpenBLAS's minimum, 2**4 cycles): its threads sleep right after a call.
  OpenBLAS reads it when loaded, which for NumPy's build is usually before ``import polyray``; for a build
  already loaded (a pthreads build found in /proc/self/maps) it is read again (``openblas_read_env``) and the
  pool shut down (``blas_thread_shutdown_``, what OpenBLAS's own fork handler calls), so the next BLAS call
  starts it again with the short timeout. That shutdown is safe only while no other thread is inside a BLAS
  call, so it happens only when ``import polyray`` runs on the main thread and every other Python thread is a
  daemon (a notebook kernel's own threads are); otherwise the loaded pool keeps its timeout (the products
  stay right, only slower next to prange regions).

Children (the compile service, Ray workers, the user's subprocesses) inherit the two variables. Setting
openblas_set_num_threads(1) around prange regions does not help: the threads already spinning keep spinning
(under load, 13.7 ms of CPU per product + prange pair with it, 16.7 ms without, 8.4 ms after the restart). Nothing here imports NumPy, Numba or ctypes' libraries beyond those already loaded.
bench/idle_threads.py measures the whole matrix of settings.
"""
from __future__ import annotations

import os
import threading
from collections.abc import MutableMapping

#: libgomp's spin iterations before an idle worker sleeps (its default is 300,000).
GOMP_SPINCOUNT = "1000"
#: OpenBLAS's idle threads spin 2**this cycles before sleeping (its default 28; 4 is its minimum).
OPENBLAS_THREAD_TIMEOUT = "4"

# the names OpenBLAS's get_config goes by in the builds seen (plain, SciPy's 32- and 64-bit-integer wheels)
_CONFIG_NAMES = ("openblas_get_config", "scipy_openblas_get_config", "scipy_openblas_get_config64_",
                 "openblas_get_config64_")


def set_defaults(environ: MutableMapping[str, str] | None = None) -> list[str]:
    """Sets the two variables where the user set neither them nor (for libgomp) OMP_WAIT_POLICY; returns the
    names it set."""
    env = os.environ if environ is None else environ
    done = []
    if "GOMP_SPINCOUNT" not in env and "OMP_WAIT_POLICY" not in env:
        env["GOMP_SPINCOUNT"] = GOMP_SPINCOUNT
        done.append("GOMP_SPINCOUNT")
    if "OPENBLAS_THREAD_TIMEOUT" not in env:
        env["OPENBLAS_THREAD_TIMEOUT"] = OPENBLAS_THREAD_TIMEOUT
        done.append("OPENBLAS_THREAD_TIMEOUT")
    return done


def loaded_openblas(maps: str = "/proc/self/maps") -> list[str]:
    """Paths of the OpenBLAS libraries this process has loaded (NumPy's and SciPy's wheels each bring one)."""
    try:
        with open(maps, encoding="utf-8", errors="replace") as f:
            lines = f.read().splitlines()
    except OSError:  # not Linux: nothing found, nothing restarted
        return []
    paths = []
    for line in lines:
        fields = line.split(maxsplit=5)  # address, perms, offset, dev, inode, path (absent for anonymous maps)
        path = fields[5] if len(fields) == 6 else ""
        name = os.path.basename(path)
        if "openblas" in name and ".so" in name and path not in paths:
            paths.append(path)
    return paths


def _safe_to_restart() -> bool:
    """No other thread can be inside a BLAS call: we are the main thread and every other one is a daemon."""
    main = threading.main_thread()
    return threading.current_thread() is main and all(t is main or t.daemon for t in threading.enumerate())


def restart_pool(path: str) -> bool:
    """Makes the loaded pthreads OpenBLAS at ``path`` read its environment again and stop its threads, which it
    starts again at its next threaded call with the timeout now set. False where it is not such a build."""
    import ctypes

    try:
        lib = ctypes.CDLL(path, mode=os.RTLD_NOLOAD)  # already loaded: never loads anything
        read_env, shutdown = lib.openblas_read_env, lib.blas_thread_shutdown_
    except (OSError, AttributeError):
        return False
    for name in _CONFIG_NAMES:
        get_config = getattr(lib, name, None)
        if get_config is not None:
            get_config.restype = ctypes.c_char_p
            if b"USE_OPENMP" in (get_config() or b""):
                return False  # an OpenMP build: its threads are the OpenMP runtime's, not this pool
            break
    else:
        return False
    read_env()
    shutdown()
    return True


#: What :func:`apply` did in this process: the variables it set, the OpenBLAS libraries it restarted.
applied: dict[str, list[str]] = {"set": [], "restarted": []}


def apply() -> dict[str, list[str]]:
    """Called by ``import polyray``: the defaults, then the restart of OpenBLAS pools already running with the
    old timeout. Returns what it did (also kept in :data:`applied`)."""
    done = set_defaults()
    restarted: list[str] = []
    if "OPENBLAS_THREAD_TIMEOUT" in done and _safe_to_restart():
        restarted = [p for p in loaded_openblas() if restart_pool(p)]
    applied["set"] += done
    applied["restarted"] += restarted
    return {"set": done, "restarted": restarted}
