"""The idle-thread settings ``import polyray`` makes (polyray/idle_threads.py): GOMP_SPINCOUNT and
OPENBLAS_THREAD_TIMEOUT set where the user set neither, left alone where they did, and an OpenBLAS pool already
running restarted (its threads gone until its next call, which computes the same bits). No timing is asserted:
the gain is measured in docs/benchmarks.md."""
from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap

import pytest

from polyray import idle_threads

_BRIDGE = os.path.dirname(os.path.dirname(os.path.abspath(idle_threads.__file__)))
_OURS = ("GOMP_SPINCOUNT", "OMP_WAIT_POLICY", "OPENBLAS_THREAD_TIMEOUT")


def _run(code: str, **env: str) -> dict:
    """Runs ``code`` in a fresh interpreter whose environment has none of the three variables but ``env``'s;
    the code prints one JSON line."""
    base = {k: v for k, v in os.environ.items() if k not in _OURS}
    base["PYTHONPATH"] = _BRIDGE + os.pathsep + base.get("PYTHONPATH", "")
    base["OPENBLAS_NUM_THREADS"] = "2"  # a pool with a worker thread even on one core
    out = subprocess.run([sys.executable, "-c", textwrap.dedent(code)], env={**base, **env}, capture_output=True,
                         text=True, timeout=120, check=True).stdout
    return json.loads(out.strip().splitlines()[-1])


_SHOW = """
    import json, os
    import polyray
    print(json.dumps({k: os.environ.get(k) for k in ("GOMP_SPINCOUNT", "OPENBLAS_THREAD_TIMEOUT")}))
"""


def test_unset_variables_get_the_defaults() -> None:
    assert _run(_SHOW) == {"GOMP_SPINCOUNT": idle_threads.GOMP_SPINCOUNT,
                           "OPENBLAS_THREAD_TIMEOUT": idle_threads.OPENBLAS_THREAD_TIMEOUT}


def test_the_users_values_are_kept() -> None:
    assert _run(_SHOW, GOMP_SPINCOUNT="300000", OPENBLAS_THREAD_TIMEOUT="28") == {
        "GOMP_SPINCOUNT": "300000", "OPENBLAS_THREAD_TIMEOUT": "28"}
    # an empty value is a value the user set too
    assert _run(_SHOW, GOMP_SPINCOUNT="", OPENBLAS_THREAD_TIMEOUT="") == {
        "GOMP_SPINCOUNT": "", "OPENBLAS_THREAD_TIMEOUT": ""}


def test_a_wait_policy_set_by_the_user_leaves_the_spin_count_to_it() -> None:
    assert _run(_SHOW, OMP_WAIT_POLICY="active")["GOMP_SPINCOUNT"] is None
    assert _run(_SHOW, OMP_WAIT_POLICY="passive")["OPENBLAS_THREAD_TIMEOUT"] == idle_threads.OPENBLAS_THREAD_TIMEOUT


def test_set_defaults_on_a_mapping() -> None:
    env: dict[str, str] = {"OPENBLAS_THREAD_TIMEOUT": "12"}
    assert idle_threads.set_defaults(env) == ["GOMP_SPINCOUNT"]
    assert env == {"OPENBLAS_THREAD_TIMEOUT": "12", "GOMP_SPINCOUNT": idle_threads.GOMP_SPINCOUNT}
    assert idle_threads.set_defaults(env) == []  # twice: nothing more


# NumPy imported first (the usual order): its OpenBLAS already runs with the long timeout when polyray comes
_NUMPY_FIRST = """
    import json, os, threading
    import numpy as np
    def threads():
        return len(os.listdir("/proc/self/task"))
    rng = np.random.default_rng(3)
    A, B = rng.random((300, 200)), rng.random((200, 250))
    before = A @ B
    n0 = threads()
    {between}
    import polyray
    n1 = threads()
    after = A @ B
    n2 = threads()
    blas = np.show_config(mode="dicts")["Build Dependencies"]["blas"]
    print(json.dumps({{"n0": n0, "n1": n1, "n2": n2, "same": bool((before == after).all()),
                      "restarted": polyray._idle_threads.applied["restarted"],
                      "pthreads_openblas": "openblas" in blas["name"] and "USE_OPENMP" not in blas.get("openblas configuration", "")}}))
"""


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="/proc/self/task and /proc/self/maps")
def test_a_running_openblas_pool_restarts_and_computes_the_same_bits() -> None:
    r = _run(_NUMPY_FIRST.format(between=""))
    if not r["pthreads_openblas"]:
        pytest.skip("NumPy's BLAS is not a pthreads OpenBLAS")
    assert [p for p in r["restarted"] if "numpy" in p]
    assert r["n1"] == r["n0"] - 1  # the pool's worker (OPENBLAS_NUM_THREADS=2) stopped
    assert r["n2"] == r["n0"]  # and started again by the next product
    assert r["same"]


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="/proc/self/task")
def test_no_restart_where_the_user_set_the_timeout_or_another_thread_runs() -> None:
    r = _run(_NUMPY_FIRST.format(between=""), OPENBLAS_THREAD_TIMEOUT="28")
    assert r["n1"] == r["n0"] and r["restarted"] == [] and r["same"]
    # a non-daemon thread (it could be inside a BLAS call): the pool keeps running
    busy = "stop = threading.Event(); t = threading.Thread(target=stop.wait); t.start(); n0 = threads()"
    r = _run(_NUMPY_FIRST.format(between=busy).replace("print(", "stop.set(); t.join(); print("))
    assert r["n1"] == r["n0"] and r["restarted"] == [] and r["same"]


def test_loaded_openblas_reads_the_maps(tmp_path) -> None:
    maps = tmp_path / "maps"
    maps.write_text(
        "7f00-7f01 r-xp 00000000 08:01 1 /x/numpy.libs/libscipy_openblas64_-32a4b2a6.so\n"
        "7f01-7f02 r--p 00001000 08:01 1 /x/numpy.libs/libscipy_openblas64_-32a4b2a6.so\n"
        "7f02-7f03 r-xp 00000000 08:01 2 /usr/lib/libgomp.so.1\n"
        "7f03-7f04 rw-p 00000000 00:00 0 \n"
        "7f04-7f05 r-xp 00000000 08:01 3 /usr/lib/x86_64-linux-gnu/libopenblas.so.0\n")
    assert idle_threads.loaded_openblas(str(maps)) == [
        "/x/numpy.libs/libscipy_openblas64_-32a4b2a6.so", "/usr/lib/x86_64-linux-gnu/libopenblas.so.0"]
    assert idle_threads.loaded_openblas(str(tmp_path / "missing")) == []


def test_restart_pool_refuses_what_is_not_a_loaded_openblas(tmp_path) -> None:
    assert idle_threads.restart_pool(str(tmp_path / "libopenblas.so")) is False  # not loaded: never loads it
    import ctypes.util

    libc = ctypes.util.find_library("c")
    if libc:
        assert idle_threads.restart_pool(libc) is False  # loaded, but no OpenBLAS pool


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="/proc/self/maps")
def test_the_thread_count_the_user_gave_openblas_survives_the_restart() -> None:
    """threadpoolctl-style openblas_set_num_threads(1) before ``import polyray``: still 1 after the restart and
    after the next product, which gives the same bits as before it."""
    code = """
        import ctypes, glob, json, os, numpy as np
        # found without importing polyray (which would restart the pool now)
        paths = glob.glob(os.path.join(os.path.dirname(np.__file__), os.pardir, "numpy.libs", "lib*openblas*.so*"))
        if not paths:
            print(json.dumps(None)); raise SystemExit
        lib = ctypes.CDLL(paths[0])
        get = getattr(lib, "scipy_openblas_get_num_threads64_", None) or lib.openblas_get_num_threads
        set_ = getattr(lib, "scipy_openblas_set_num_threads64_", None) or lib.openblas_set_num_threads
        set_(1)
        A = np.random.default_rng(5).random((300, 300))
        before = A @ A
        import polyray
        n1 = get()
        after = A @ A
        print(json.dumps({"restarted": polyray._idle_threads.applied["restarted"], "n1": n1, "n2": get(),
                          "same": bool((before == after).all())}))
    """
    r = _run(code)
    if r is None or not [p for p in r["restarted"] if "numpy" in p]:
        pytest.skip("NumPy's BLAS is not a pthreads OpenBLAS found in /proc/self/maps")
    assert (r["n1"], r["n2"], r["same"]) == (1, 1, True)
