"""Nothing that goes wrong inside Polyray reaches the caller (issue 15 item 3).

Faults are injected into a module the compiler generated: a compile failure (not even a
NumbaError), an unreadable cache entry, Numba's own cache failing the way numba issue
7075 does, missing or broken numba, numba.cuda and ray, a failing CUDA kernel launch
(under Numba's CUDA simulator, in a subprocess). Each time the caller gets the
original's result, the run record says why, and a variant that failed for some argument
types is not tried again for them (other types still are). The user's own exceptions
still propagate with the original's writes, also from the call that compiles.
"""

from __future__ import annotations

import importlib
import importlib.util
import os
import shutil
import subprocess
import sys
import uuid
from pathlib import Path
from types import ModuleType
from typing import Any

import numpy as np
import pytest

import polyray.runtime as rt
from polyray.runtime import jitting

ROOT = Path(__file__).resolve().parents[2]
SIM = os.environ.get("NUMBA_ENABLE_CUDASIM") == "1"

SOURCE = '''
import math

import numpy as np
import numpy.typing as npt


def axpy(A: np.ndarray, B: np.ndarray, s: float) -> None:
    for i in range(A.shape[0]):
        A[i] = A[i] * s + B[i]


def gather(A: np.ndarray, idx: npt.NDArray[np.int64], out: np.ndarray) -> None:
    # a running sum of roots: sequential, so the variant itself raises math's ValueError (an index read from
    # data would not do: the variant undoes its writes and leaves the IndexError to the original, test_gathers.py)
    for i in range(1, out.shape[0]):
        out[i] = math.sqrt(A[i] - idx[i]) + out[i - 1]
'''


@pytest.fixture(scope="module")
def compiled(tmp_path_factory: pytest.TempPathFactory) -> Path:
    if not (ROOT / "lib/cli/main.js").exists():
        pytest.skip("the compiler is not built (run npm test, which builds lib/)")
    base = tmp_path_factory.mktemp("faults")
    (base / "src.py").write_text(SOURCE)
    out = base / "kern.py"
    subprocess.run(["node", str(ROOT / "bin/polyray.mjs"), "compile", str(base / "src.py"), "-o", str(out)],
                   check=True, cwd=ROOT, capture_output=True)
    text = out.read_text()
    assert "RayVariant(_polyray_block_axpy" in text and "GpuVariant(_polyray_gpu_axpy" in text
    assert "CpuVariant(_polyray_cpu_gather" in text
    return out


def load(path: Path, name: str | None = None) -> ModuleType:
    """Import ``path`` as ``name`` (registered in sys.modules): new dispatchers, new Numba dispatchers."""
    name = name or f"polyray_fault_{uuid.uuid4().hex[:10]}"
    spec = importlib.util.spec_from_file_location(name, path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    spec.loader.exec_module(module)
    return module


@pytest.fixture
def kern(compiled: Path, tmp_path: Path) -> ModuleType:
    """A copy of the compiled module in a folder of its own: nothing cached yet."""
    shutil.copy(compiled, tmp_path / "kern.py")
    return load(tmp_path / "kern.py")


def last() -> dict[str, Any]:
    return rt.history()[-1]


def axpy_matches(module: ModuleType, n: int = 50, step: int = 1) -> None:
    """axpy through the dispatcher against the original on copies, bit for bit."""
    rng = np.random.default_rng(n)
    A, B = rng.random(n * step)[::step], rng.random(n * step)[::step]
    mine, ref = A.copy() if step == 1 else A, A.copy()
    module.axpy(mine, B, 1.25)
    module._polyray_original_axpy(ref, B, 1.25)
    np.testing.assert_array_equal(mine, ref)


# -- compiling -----------------------------------------------------------------------


def test_a_compile_failure_runs_original_per_signature(kern: ModuleType, monkeypatch: pytest.MonkeyPatch) -> None:
    """Not a NumbaError but anything (here what an LLVM crash would raise): the original runs,
    the record says why, the same argument types are not compiled again, other types are."""
    import numba.core.compiler as numba_compiler

    # the helpers compile their ufuncs (cdiv) when first imported: import them before the injection,
    # which stands for a failure of the variant's own compile (an import failure is another test's)
    from polyray.runtime import numba_helpers  # noqa: F401

    real = numba_compiler.compile_extra
    calls: list[int] = []
    injected = [True]

    def broken(*args: Any, **kwargs: Any) -> Any:
        calls.append(1)
        if injected[0]:
            raise RuntimeError("LLVM ERROR: injected by the test")
        return real(*args, **kwargs)

    monkeypatch.setattr(numba_compiler, "compile_extra", broken)
    monkeypatch.setenv("POLYRAY_TARGET", "cpu")
    monkeypatch.setenv("POLYRAY_CPU_FORM", "parallel")
    axpy_matches(kern)
    rec = last()
    assert rec["variant"] == "original" and "error" not in rec
    assert "numba could not compile _polyray_cpu_axpy for these argument types: RuntimeError: LLVM ERROR: injected" in rec["reason"]
    assert "ran original instead of cpu" in rec["reason"]
    tried = len(calls)
    axpy_matches(kern)
    assert len(calls) == tried, "the failed signature was compiled again"
    assert last()["variant"] == "original" and last()["reason"] == rec["reason"]
    injected[0] = False  # the injection is over: other argument types compile and run
    axpy_matches(kern, step=2)  # non-contiguous arrays: another signature
    assert last()["variant"] == "cpu", last()


def test_auto_after_a_compile_failure_runs_original_without_recompiling(kern: ModuleType,
                                                                         monkeypatch: pytest.MonkeyPatch) -> None:
    import numba.core.compiler as numba_compiler

    # the helpers compile their ufuncs (cdiv) when first imported: import them before the injection,
    # which stands for a failure of the variant's own compile (an import failure is another test's)
    from polyray.runtime import numba_helpers  # noqa: F401

    calls: list[str] = []

    def broken(*args: Any, **kwargs: Any) -> Any:
        calls.append(getattr(args[2], "__name__", "?"))
        raise MemoryError("injected: LLVM ran out of memory")

    monkeypatch.setattr(numba_compiler, "compile_extra", broken)
    for _ in range(3):
        axpy_matches(kern)
        assert last()["variant"] == "original" and "MemoryError: injected" in last()["reason"], last()
    # the variant was compiled once; the fused entry's guard (hot_entry.py, on the background worker) may
    # try its own compile, which the injection fails too, and then keeps the guard in Python
    assert len([c for c in calls if c.startswith("_polyray_cpu_axpy")]) == 1, calls


def test_the_users_exception_on_the_compiling_call_propagates_with_the_originals_writes(kern: ModuleType) -> None:
    A = np.arange(10.0) + 4.0
    idx = np.array([1, 1, 30, 4])
    out_cpu, out_orig = np.zeros(4), np.zeros(4)
    with pytest.raises(ValueError):
        kern.gather(A, idx, out_cpu)  # compiles (the preparation succeeds), then runs and raises
    assert last()["variant"] == "cpu" and last()["error"] == "ValueError"
    with pytest.raises(ValueError):
        kern._polyray_original_gather(A, idx, out_orig)
    np.testing.assert_array_equal(out_cpu, out_orig)
    np.testing.assert_array_equal(out_cpu, [0.0, 2.0, 0.0, 0.0])
    # and the variant is not ruled out by the user's exception
    kern.gather(A, np.array([0, 1, 2, 3]), out_cpu)
    assert last()["variant"] == "cpu" and "error" not in last()


# -- the dispatcher's own steps --------------------------------------------------------


def test_a_failure_while_choosing_or_checking_runs_original(kern: ModuleType, monkeypatch: pytest.MonkeyPatch) -> None:
    dispatch = kern._polyray_dispatch_axpy

    def broken(*_args: Any, **_kwargs: Any) -> Any:
        raise KeyError("injected into the cost model")

    monkeypatch.setattr(type(dispatch._cost), "decide", broken)
    axpy_matches(kern)
    assert last()["variant"] == "original" and "choosing a variant failed (KeyError" in last()["reason"], last()
    monkeypatch.setenv("POLYRAY_TARGET", "cpu")
    monkeypatch.setattr(dispatch, "_guard", broken)
    axpy_matches(kern)
    assert last()["variant"] == "original" and "checking the arguments failed (KeyError" in last()["reason"], last()


def test_a_run_record_listener_that_raises_does_not_fail_the_call(kern: ModuleType) -> None:
    history = importlib.import_module("polyray.runtime.history")  # (the package exports a function of that name)

    def listener(_record: dict[str, Any]) -> None:
        raise RuntimeError("injected: the report display is broken")

    history.add_listener(listener)
    try:
        axpy_matches(kern)
    finally:
        history.remove_listener(listener)
    assert last()["variant"] == "cpu" and "RuntimeError: injected" in last()["listener_error"], last()


# -- the cache -------------------------------------------------------------------------


def test_an_unreadable_cache_entry_is_compiled_again(compiled: Path, tmp_path: Path,
                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("POLYRAY_TARGET", "cpu")
    monkeypatch.setenv("POLYRAY_CPU_FORM", "parallel")
    path = tmp_path / "kern.py"
    shutil.copy(compiled, path)
    name = f"polyray_fault_{uuid.uuid4().hex[:10]}"
    axpy_matches(load(path, name))
    assert last()["variant"] == "cpu"
    entries = list((tmp_path / "__pycache__").glob("kern._polyray_cpu_axpy-*.nbc"))
    assert entries, "nothing was cached"
    for entry in entries:
        entry.write_bytes(b"\x80\x04 not a pickle")
    axpy_matches(load(path, name))  # the same name again: its entry is looked up, unreadable
    rec = last()
    assert rec["variant"] == "cpu", rec
    assert "cache entry unreadable" in rec.get("cache", "") and "compiled again" in rec["cache"], rec
    axpy_matches(load(path, name))  # the entry was written again: it loads, nothing to say
    assert last()["variant"] == "cpu" and "cache" not in last(), last()


def test_numbas_own_cache_failing_like_issue_7075_runs_original_once(compiled: Path, tmp_path: Path,
                                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    """The second line of defense: with Numba's own FunctionCache (keyed without the module
    name), an entry written as one module is found by another and its re-import fails."""
    from numba.core.caching import FunctionCache

    loads: list[int] = []

    class Counting(FunctionCache):
        def load_overload(self, sig: Any, target_context: Any) -> Any:
            loads.append(1)
            return super().load_overload(sig, target_context)

    monkeypatch.setattr(jitting, "_name_keyed_cache", lambda: lambda py_func, _notes: Counting(py_func))
    monkeypatch.setenv("POLYRAY_TARGET", "cpu")
    monkeypatch.setenv("POLYRAY_CPU_FORM", "parallel")
    path = tmp_path / "kern.py"
    shutil.copy(compiled, path)
    first = f"polyray_fault_{uuid.uuid4().hex[:10]}"
    axpy_matches(load(path, first))
    assert last()["variant"] == "cpu"
    other = load(path)
    # as in a second process: the first name is not importable and Numba holds no environment in memory
    import numba.core.environment as numba_environment

    del sys.modules[first]
    monkeypatch.setattr(numba_environment, "lookup_environment", lambda _name: None)
    loads.clear()
    axpy_matches(other)
    rec = last()
    assert rec["variant"] == "original", rec
    assert f"ModuleNotFoundError: No module named '{first}'" in rec["reason"], rec
    axpy_matches(other)
    assert len(loads) == 1, "the failed signature was loaded again"
    assert last()["reason"] == rec["reason"]


def test_a_module_not_in_sys_modules_compiles_uncached_and_says_so(compiled: Path, tmp_path: Path,
                                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("POLYRAY_TARGET", "cpu")
    path = tmp_path / "kern.py"
    shutil.copy(compiled, path)
    name = f"polyray_fault_{uuid.uuid4().hex[:10]}"
    module = load(path, name)
    del sys.modules[name]
    axpy_matches(module)
    rec = last()
    assert rec["variant"] == "cpu"
    assert f"not cached: module '{name}' of _polyray_cpu_axpy" in rec["cache"], rec
    assert not (tmp_path / "__pycache__").exists() or not list((tmp_path / "__pycache__").glob("*.nbi"))


def test_a_module_imported_afresh_writes_no_cache_entries(compiled: Path, tmp_path: Path,
                                                          monkeypatch: pytest.MonkeyPatch) -> None:
    """``%%parallelize --no-cache`` imports under a name used once (polyray.cache.import_file,
    fresh=True): entries keyed by it would never be read again, so none is written."""
    from polyray import cache

    assert cache.NO_DISK_CACHE == jitting.NO_DISK_CACHE
    monkeypatch.setenv("POLYRAY_TARGET", "cpu")
    path = tmp_path / "kern.py"
    shutil.copy(compiled, path)
    axpy_matches(cache.import_file(path, uuid.uuid4().hex, fresh=True))
    rec = last()
    assert rec["variant"] == "cpu" and "not cached: the module was imported afresh" in rec["cache"], rec
    assert not list(tmp_path.glob("__pycache__/*.nbi"))


# -- missing or broken packages ------------------------------------------------------------


def test_numba_missing_runs_original_and_is_not_retried(kern: ModuleType, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "numba", None)  # `import numba` raises ImportError
    monkeypatch.setitem(sys.modules, "ray", None)  # (so that auto, below, has no Ray to start)
    monkeypatch.setenv("POLYRAY_TARGET", "cpu")
    axpy_matches(kern)
    rec = last()
    assert rec["variant"] == "original" and "numba could not be imported (ModuleNotFoundError: import of numba halted" in rec["reason"], rec
    axpy_matches(kern)
    assert last()["variant"] == "original"
    assert "cpu variant not available: numba could not be imported" in last()["reason"], last()
    monkeypatch.delenv("POLYRAY_TARGET")
    axpy_matches(kern)
    assert last()["variant"] == "original" and "numba could not be imported" in last()["reason"], last()


def test_numba_cuda_missing_forced_gpu_gives_the_originals_result(kern: ModuleType,
                                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    import numba

    monkeypatch.delattr(numba, "cuda", raising=False)
    monkeypatch.setitem(sys.modules, "numba.cuda", None)  # `from numba import cuda` raises ImportError
    monkeypatch.setenv("POLYRAY_TARGET", "gpu")
    axpy_matches(kern)
    rec = last()
    assert "gpu variant not available: numba.cuda could not be imported (" in rec["reason"], rec
    assert rec["variant"] in ("cpu", "original") and "error" not in rec


def test_a_broken_ray_package_runs_original_and_is_not_retried(compiled: Path, tmp_path: Path) -> None:
    """ray is found (find_spec) but its import fails: in a fresh process whose `ray` is a
    package that raises ImportError, as a partly installed Ray does."""
    fake = tmp_path / "fake" / "ray"
    fake.mkdir(parents=True)
    (fake / "__init__.py").write_text("raise ImportError('simulated: libray.so is missing')\n")
    shutil.copy(compiled, tmp_path / "kern.py")
    child = f'''
import importlib.util, sys
import numpy as np
import polyray.runtime as rt
spec = importlib.util.spec_from_file_location("polyray_fault_ray", {str(tmp_path / "kern.py")!r})
m = importlib.util.module_from_spec(spec); sys.modules["polyray_fault_ray"] = m; spec.loader.exec_module(m)
for _ in range(2):
    A, B = np.arange(8.0), np.ones(8)
    ref = A.copy()
    m.axpy(A, B, 2.0)
    m._polyray_original_axpy(ref, B, 2.0)
    assert np.array_equal(A, ref)
    print("RECORD", rt.history()[-1]["variant"], "|", rt.history()[-1]["reason"])
'''
    env = dict(os.environ, POLYRAY_TARGET="ray", PYTHONPATH=os.pathsep.join([str(tmp_path / "fake"), str(ROOT / "python-bridge")]))
    proc = subprocess.run([sys.executable, "-c", child], env=env, capture_output=True, text=True, timeout=240)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    first, second = [line for line in proc.stdout.splitlines() if line.startswith("RECORD")]
    assert first.startswith("RECORD original |") and "ray could not be imported (ImportError: simulated" in first, first
    assert "ray variant not available: ray could not be imported" in second, second  # not tried again


# -- a failing CUDA kernel launch, under the simulator ---------------------------------------------

sim_only = pytest.mark.skipif(not SIM, reason="runs in the NUMBA_ENABLE_CUDASIM=1 subprocess (test_simulator_faults)")


def test_simulator_faults(tmp_path: Path) -> None:
    if SIM:
        pytest.skip("already inside the simulator run")
    env = dict(os.environ, NUMBA_ENABLE_CUDASIM="1", NUMBA_CACHE_DIR=str(tmp_path / "numba-cache"))
    env.pop("POLYRAY_TARGET", None)
    proc = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", __file__, "-k", "sim_"],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=600,
    )
    out = proc.stdout + proc.stderr
    assert proc.returncode == 0 and "2 passed" in out, out[-4000:]


@sim_only
def test_sim_a_failing_kernel_launch_runs_original_per_signature(kern: ModuleType,
                                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    from numba.cuda.cudadrv.driver import CudaAPIError

    from polyray.runtime import gpu

    launches: list[int] = []

    def failing_launch() -> Any:
        real = gpu_make_launch()

        def launch(kernel: Any, count: Any, args: Any) -> None:
            launches.append(1)
            if len(launches) == 1:
                raise CudaAPIError(719, "CUDA_ERROR_LAUNCH_FAILED: unspecified launch failure (injected)")
            real(kernel, count, args)

        return launch

    gpu_make_launch = gpu._make_launch
    monkeypatch.setattr(gpu, "_make_launch", failing_launch)
    monkeypatch.setenv("POLYRAY_TARGET", "gpu")
    axpy_matches(kern)
    rec = last()
    assert rec["variant"] == "original" and "error" not in rec, rec
    assert "the GPU variant of axpy raised CudaAPIError" in rec["reason"] and "ran original instead of gpu" in rec["reason"], rec
    axpy_matches(kern)
    assert len(launches) == 1, "the failed signature was launched again"
    assert last()["reason"] == rec["reason"]
    axpy_matches(kern, step=2)  # other argument types: launched, and it works now
    assert len(launches) == 2 and last()["variant"] == "gpu", last()


@sim_only
def test_sim_a_python_exception_in_a_kernel_runs_original_without_ruling_gpu_out(
        kern: ModuleType, monkeypatch: pytest.MonkeyPatch) -> None:
    """The simulator runs kernels as Python: an exception there that is not the GPU stack's
    depends on the data; the original runs (and would raise it, with its own writes)."""
    from polyray.runtime import gpu

    launches: list[int] = []

    def raising_launch() -> Any:
        real = gpu_make_launch()

        def launch(kernel: Any, count: Any, args: Any) -> None:
            launches.append(1)
            if len(launches) == 1:
                raise ZeroDivisionError("injected in a kernel")
            real(kernel, count, args)

        return launch

    gpu_make_launch = gpu._make_launch
    monkeypatch.setattr(gpu, "_make_launch", raising_launch)
    monkeypatch.setenv("POLYRAY_TARGET", "gpu")
    axpy_matches(kern)
    assert last()["variant"] == "original" and "raised ZeroDivisionError" in last()["reason"], last()
    axpy_matches(kern)
    assert len(launches) == 2 and last()["variant"] == "gpu", last()
