"""The GPU variant (polyray.runtime.GpuVariant) on hand-written modules in the generated-code shape.

Three settings, each in the process that fits it (numba reads
NUMBA_ENABLE_CUDASIM once, when numba is first imported):

* the simulator tests (``test_sim_*``) run only in a process started with
  NUMBA_ENABLE_CUDASIM=1; ``test_simulator_suite`` starts that pytest run in
  a subprocess and requires it to pass;
* ``test_no_cuda_*`` run in this process when no CUDA device is present
  (POLYRAY_TARGET=gpu falls back, with the reason);
* ``test_cupy_*`` run where CuPy imports and a real device exists.
"""

from __future__ import annotations

import importlib.util
import os
import subprocess
import sys
import uuid
from pathlib import Path
from types import ModuleType
from typing import Any

import numpy as np
import pytest

import polyray.runtime as rt

SIM = os.environ.get("NUMBA_ENABLE_CUDASIM") == "1"

GEMM = '''
import numpy as np
import polyray.runtime as _polyray


def _polyray_original_gemm(alpha: float, beta: float, C: np.ndarray, A: np.ndarray, B: np.ndarray) -> None:
    for i in range(C.shape[0]):
        for j in range(C.shape[1]):
            C[i, j] *= beta
        for k in range(A.shape[1]):
            for j in range(C.shape[1]):
                C[i, j] += alpha * A[i, k] * B[k, j]


def _polyray_cpu_gemm(alpha, beta, C, A, B):
    for i in range(C.shape[0]):
        for j in range(C.shape[1]):
            C[i, j] *= beta
        for k in range(A.shape[1]):
            for j in range(C.shape[1]):
                C[i, j] += alpha * A[i, k] * B[k, j]


def _polyray_gpuk_gemm_0(_polyray_lo, _polyray_count, _polyray_step, alpha, beta, C, A, B):
    _polyray_t = _polyray_cuda.grid(1)
    if _polyray_t < _polyray_count:
        i = _polyray_lo + _polyray_step * _polyray_t
        for j in range(C.shape[1]):
            C[i, j] *= beta
        for k in range(A.shape[1]):
            for j in range(C.shape[1]):
                C[i, j] += alpha * A[i, k] * B[k, j]


def _polyray_gpu_gemm(alpha, beta, C, A, B):
    _polyray_launch(_polyray_gpuk_gemm_0, max(0, C.shape[0]), (0, max(0, C.shape[0]), 1, alpha, beta, C, A, B))
    return None


_polyray_dispatch_gemm = _polyray.Dispatcher(
    name="gemm",
    original=_polyray_original_gemm,
    params=[
        _polyray.Param("alpha", "float"),
        _polyray.Param("beta", "float"),
        _polyray.Param("C", "array", dtype="float64", ndim=2, written=True),
        _polyray.Param("A", "array", dtype="float64", ndim=2),
        _polyray.Param("B", "array", dtype="float64", ndim=2),
    ],
    variants={
        "cpu": _polyray.CpuVariant(_polyray_cpu_gemm),
        "gpu": _polyray.GpuVariant(_polyray_gpu_gemm, kernels=("_polyray_gpuk_gemm_0",),
                                   arrays=("C", "A", "B"), written=("C",)),
    },
    guard=None,
    returns="none",
)


def gemm(alpha: float, beta: float, C: np.ndarray, A: np.ndarray, B: np.ndarray) -> None:
    return _polyray_dispatch_gemm(alpha, beta, C, A, B)


def _polyray_original_jacobi(tsteps: int, A: np.ndarray, B: np.ndarray) -> None:
    n = A.shape[0]
    for t in range(tsteps):
        for i in range(1, n - 1):
            for j in range(1, n - 1):
                B[i, j] = 0.2 * (A[i, j] + A[i, j - 1] + A[i, 1 + j] + A[1 + i, j] + A[i - 1, j])
        for i in range(1, n - 1):
            for j in range(1, n - 1):
                A[i, j] = 0.2 * (B[i, j] + B[i, j - 1] + B[i, 1 + j] + B[1 + i, j] + B[i - 1, j])


def _polyray_cpu_jacobi(tsteps, A, B):
    n = A.shape[0]
    for t in range(tsteps):
        for i in range(1, n - 1):
            for j in range(1, n - 1):
                B[i, j] = 0.2 * (A[i, j] + A[i, j - 1] + A[i, 1 + j] + A[1 + i, j] + A[i - 1, j])
        for i in range(1, n - 1):
            for j in range(1, n - 1):
                A[i, j] = 0.2 * (B[i, j] + B[i, j - 1] + B[i, 1 + j] + B[1 + i, j] + B[i - 1, j])


def _polyray_gpuk_jacobi_0(_polyray_lo, _polyray_count, _polyray_step, tsteps, A, B):
    _polyray_t = _polyray_cuda.grid(1)
    if _polyray_t < _polyray_count:
        i = _polyray_lo + _polyray_step * _polyray_t
        for j in range(1, A.shape[0] - 1):
            B[i, j] = 0.2 * (A[i, j] + A[i, j - 1] + A[i, 1 + j] + A[1 + i, j] + A[i - 1, j])


def _polyray_gpuk_jacobi_1(_polyray_lo, _polyray_count, _polyray_step, tsteps, A, B):
    _polyray_t = _polyray_cuda.grid(1)
    if _polyray_t < _polyray_count:
        i = _polyray_lo + _polyray_step * _polyray_t
        for j in range(1, A.shape[0] - 1):
            A[i, j] = 0.2 * (B[i, j] + B[i, j - 1] + B[i, 1 + j] + B[1 + i, j] + B[i - 1, j])


def _polyray_gpu_jacobi(tsteps, A, B):
    n = A.shape[0]
    for t in range(tsteps):
        _polyray_launch(_polyray_gpuk_jacobi_0, max(0, n - 2), (1, max(0, n - 2), 1, tsteps, A, B))
        _polyray_launch(_polyray_gpuk_jacobi_1, max(0, n - 2), (1, max(0, n - 2), 1, tsteps, A, B))
    return None


_polyray_dispatch_jacobi = _polyray.Dispatcher(
    name="jacobi",
    original=_polyray_original_jacobi,
    params=[
        _polyray.Param("tsteps", "int"),
        _polyray.Param("A", "array", dtype="float64", ndim=2, written=True),
        _polyray.Param("B", "array", dtype="float64", ndim=2, written=True),
    ],
    variants={
        "cpu": _polyray.CpuVariant(_polyray_cpu_jacobi),
        "gpu": _polyray.GpuVariant(_polyray_gpu_jacobi, kernels=("_polyray_gpuk_jacobi_0", "_polyray_gpuk_jacobi_1"),
                                   arrays=("A", "B"), written=("A", "B")),
    },
    guard=None,
    returns="none",
)


def jacobi(tsteps: int, A: np.ndarray, B: np.ndarray) -> None:
    return _polyray_dispatch_jacobi(tsteps, A, B)
'''


def load(directory: Path, text: str = GEMM) -> ModuleType:
    name = f"polyray_gpu_sample_{uuid.uuid4().hex[:8]}"
    path = directory / f"{name}.py"
    path.write_text(text)
    spec = importlib.util.spec_from_file_location(name, path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    spec.loader.exec_module(module)
    return module


def last() -> dict[str, Any]:
    records = rt.history()
    assert records, "no run record"
    return records[-1]


def gemm_inputs(ni: int = 20, nj: int = 25, nk: int = 30) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    rng = np.random.default_rng(1)
    return rng.random((ni, nj)), rng.random((ni, nk)), rng.random((nk, nj))


def jacobi_inputs(n: int = 30) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(2)
    return rng.random((n, n)), rng.random((n, n))


# ----------------------------------------------------------------------------- simulator

sim_only = pytest.mark.skipif(not SIM, reason="runs in the NUMBA_ENABLE_CUDASIM=1 subprocess (test_simulator_suite)")


def test_simulator_suite(tmp_path: Path) -> None:
    """Run this file's simulator tests in a process where numba.cuda is the simulator."""
    if SIM:
        pytest.skip("already inside the simulator run")
    env = dict(os.environ, NUMBA_ENABLE_CUDASIM="1", NUMBA_CACHE_DIR=str(tmp_path / "numba-cache"))
    env.pop("POLYRAY_TARGET", None)
    proc = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "-k", "sim_", __file__],
        cwd=Path(__file__).resolve().parents[2], env=env, capture_output=True, text=True, timeout=300,
    )
    out = proc.stdout + proc.stderr
    assert proc.returncode == 0, out[-6000:]
    assert " passed" in out and "failed" not in out, out[-3000:]


@sim_only
def test_sim_gemm_forced_gpu_matches_original(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    mod = load(tmp_path)
    C, A, B = gemm_inputs()
    expected = C.copy()
    mod._polyray_original_gemm(1.5, 1.2, expected, A, B)
    monkeypatch.setenv("POLYRAY_TARGET", "gpu")
    mod.gemm(1.5, 1.2, C, A, B)
    np.testing.assert_allclose(C, expected, rtol=1e-12)
    rec = last()
    assert rec["variant"] == "gpu", rec
    assert rec["reason"] == "POLYRAY_TARGET=gpu"
    assert rec["nodes"] == []
    assert rec["device"] == "CUDA simulator"
    assert 0.0 <= rec["gpu_seconds_kernels"] <= rec["seconds"]
    assert rec["gpu_bytes_to_device"] == C.nbytes + A.nbytes + B.nbytes
    assert rec["gpu_bytes_to_host"] == C.nbytes


@sim_only
def test_sim_jacobi_forced_gpu_matches_original(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    mod = load(tmp_path)
    A, B = jacobi_inputs()
    eA, eB = A.copy(), B.copy()
    mod._polyray_original_jacobi(4, eA, eB)
    monkeypatch.setenv("POLYRAY_TARGET", "gpu")
    mod.jacobi(4, A, B)
    np.testing.assert_allclose(A, eA, rtol=1e-12)
    np.testing.assert_allclose(B, eB, rtol=1e-12)
    assert last()["variant"] == "gpu"
    # edge sizes: no launch at all (count <= 0)
    A1, B1 = np.ones((2, 2)), np.zeros((2, 2))
    mod.jacobi(3, A1, B1)
    assert last()["variant"] == "gpu"
    np.testing.assert_array_equal(A1, np.ones((2, 2)))
    np.testing.assert_array_equal(B1, np.zeros((2, 2)))


@sim_only
def test_sim_non_contiguous_and_fortran_arrays_are_written_back(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    mod = load(tmp_path)
    C0, A, B = gemm_inputs(8, 6, 5)
    big = np.zeros((16, 6))
    big[::2] = C0
    view = big[::2]  # written, not contiguous
    expected = C0.copy()
    mod._polyray_original_gemm(0.5, 2.0, expected, A, B)
    monkeypatch.setenv("POLYRAY_TARGET", "gpu")
    mod.gemm(0.5, 2.0, view, np.asfortranarray(A), B)
    assert last()["variant"] == "gpu"
    np.testing.assert_allclose(big[::2], expected, rtol=1e-12)
    np.testing.assert_array_equal(big[1::2], 0.0)


@sim_only
def test_sim_auto_never_picks_gpu(tmp_path: Path) -> None:
    mod = load(tmp_path)
    C, A, B = gemm_inputs()
    expected = C.copy()
    mod._polyray_original_gemm(1.0, 1.0, expected, A, B)
    mod.gemm(1.0, 1.0, C, A, B)
    rec = last()
    assert rec["variant"] == "cpu", rec
    assert "simulator" in rec["reason"]
    np.testing.assert_allclose(C, expected, rtol=1e-12)


@sim_only
def test_sim_auto_compiles_the_kernels_in_the_background(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Issue 19: under auto a call never waits for the kernels' compile. The first call of a signature runs
    the original and says so; the kernels compile in the background on copies of the arguments (one job per
    signature, the caller's arrays untouched by it); a later call runs the GPU variant and carries the JIT time."""
    from polyray.runtime import background

    monkeypatch.delenv("POLYRAY_JIT_WAIT", raising=False)
    mod = load(tmp_path, GEMM.replace('        "cpu": _polyray.CpuVariant(_polyray_cpu_gemm),\n', "", 1))
    gpu = mod._polyray_dispatch_gemm.variants["gpu"]
    assert "cpu" not in mod._polyray_dispatch_gemm.variants
    gpu._probe()  # (the device probe has its own background step, tested elsewhere)
    monkeypatch.setattr(gpu, "auto_exclusion", lambda: None)  # as on a real device: auto may choose it
    submitted: list[Any] = []
    submit = background.submit

    def counting(key: Any, work: Any, gated: bool = False) -> background.Job:
        submitted.append(key)
        return submit(key, work, gated)

    monkeypatch.setattr(background, "submit", counting)
    C0, A, B = gemm_inputs()
    expected = C0.copy()
    mod._polyray_original_gemm(1.5, 1.2, expected, A, B)
    C = C0.copy()
    mod.gemm(1.5, 1.2, C, A, B)
    rec = last()
    assert rec["variant"] == "original", rec
    assert rec["reason"].startswith("gpu variant compiling: ") and rec["reason"].endswith("; ran original"), rec["reason"]
    assert set(rec["jit_compiling"]) == {"gpu"}
    np.testing.assert_array_equal(C, expected)  # the original's own result, nothing else wrote C
    C = C0.copy()
    mod.gemm(1.5, 1.2, C, A, B)  # asked again while it may still compile: never a second job
    np.testing.assert_array_equal(C, expected)
    assert background.wait_idle(120)
    assert len(submitted) == 1, submitted
    for _ in range(2):
        C = C0.copy()
        mod.gemm(1.5, 1.2, C, A, B)
        np.testing.assert_allclose(C, expected, rtol=1e-12)
    first, second = rt.history()[-2:]
    assert first["variant"] == second["variant"] == "gpu", (first, second)
    assert first["jit_seconds"] > 0.0 and first["jit_waited_seconds"] == 0.0
    assert "jit_seconds" not in second  # reported once
    # another signature (float32 operands are refused by the guard; a Fortran-ordered A is not): its own job
    C = C0.copy()
    mod.gemm(1.5, 1.2, C, np.asfortranarray(A), B)
    assert last()["variant"] == "original" and "gpu variant compiling" in last()["reason"]
    np.testing.assert_array_equal(C, expected)
    assert background.wait_idle(120) and len(submitted) == 2


@sim_only
def test_sim_forced_gpu_still_waits_for_its_kernels(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A target named by the user compiles inside the call, as before (background.py's decision)."""
    monkeypatch.delenv("POLYRAY_JIT_WAIT", raising=False)
    monkeypatch.setenv("POLYRAY_TARGET", "gpu")
    mod = load(tmp_path)
    C, A, B = gemm_inputs()
    expected = C.copy()
    mod._polyray_original_gemm(0.5, 1.5, expected, A, B)
    mod.gemm(0.5, 1.5, C, A, B)
    assert last()["variant"] == "gpu", last()
    np.testing.assert_allclose(C, expected, rtol=1e-12)


@sim_only
def test_sim_device_arrays_are_used_in_place(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from numba import cuda

    mod = load(tmp_path)
    C, A, B = gemm_inputs()
    expected = C.copy()
    mod._polyray_original_gemm(1.0, 0.5, expected, A, B)
    dC, dA, dB = cuda.to_device(C), cuda.to_device(A), cuda.to_device(B)
    monkeypatch.setenv("POLYRAY_TARGET", "gpu")
    mod.gemm(1.0, 0.5, dC, dA, dB)
    rec = last()
    assert rec["variant"] == "gpu", rec
    assert rec["gpu_bytes_to_device"] == 0 and rec["gpu_bytes_to_host"] == 0
    np.testing.assert_allclose(dC.copy_to_host(), expected, rtol=1e-12)
    # the host array was not touched: the result stays on the device
    np.testing.assert_array_equal(C, gemm_inputs()[0])
    # a device array of the wrong dtype fails the check, with the reason
    mod.gemm(1.0, 0.5, cuda.to_device(C.astype(np.float32)), dA, dB)
    rec = last()
    assert rec["variant"] == "original"
    assert "float32 device array" in rec["reason"]


@sim_only
def test_sim_guard_failures_run_original(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    mod = load(tmp_path)
    C, A, B = gemm_inputs()
    monkeypatch.setenv("POLYRAY_TARGET", "gpu")
    mod.gemm(1.0, 1.0, C, A, B.astype(np.float32))
    rec = last()
    assert rec["variant"] == "original" and "argument 'B'" in rec["reason"]
    S = np.random.default_rng(3).random((6, 6))
    mod.gemm(1.0, 1.0, S, S, S.copy())  # C written and the same array as A
    assert last()["variant"] == "original" and "shares memory" in last()["reason"]


# ----------------------------------------------------------------------------- no CUDA


def _has_cuda() -> bool:
    from numba import cuda

    return bool(cuda.is_available())


@pytest.mark.skipif(SIM, reason="needs the real numba.cuda (not the simulator)")
def test_no_cuda_forced_gpu_falls_back_with_reason(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    if _has_cuda():
        pytest.skip("a CUDA device is present")
    mod = load(tmp_path)
    C, A, B = gemm_inputs()
    expected = C.copy()
    mod._polyray_original_gemm(1.0, 1.0, expected, A, B)
    monkeypatch.setenv("POLYRAY_TARGET", "gpu")
    mod.gemm(1.0, 1.0, C, A, B)
    rec = last()
    assert rec["variant"] == "cpu", rec
    assert rec["reason"].startswith("gpu variant not available: no CUDA device"), rec["reason"]
    np.testing.assert_allclose(C, expected, rtol=1e-12)
    # auto: gpu is not a candidate, the record says why
    monkeypatch.delenv("POLYRAY_TARGET")
    mod.gemm(1.0, 1.0, C, A, B)
    rec = last()
    assert rec["variant"] == "cpu" and "gpu: no CUDA device" in rec["reason"], rec


# ----------------------------------------------------------------------------- CuPy


@pytest.mark.skipif(SIM, reason="CuPy needs a real device")
def test_cupy_inputs_stay_on_device(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    if importlib.util.find_spec("cupy") is None:
        pytest.skip("cupy is not installed here (runs on a GPU host)")
    import cupy

    if not _has_cuda():
        pytest.skip("no CUDA device")
    mod = load(tmp_path)
    C, A, B = gemm_inputs()
    expected = C.copy()
    mod._polyray_original_gemm(1.0, 0.5, expected, A, B)
    gC, gA, gB = cupy.asarray(C), cupy.asarray(A), cupy.asarray(B)
    mod.gemm(1.0, 0.5, gC, gA, gB)  # auto: arguments on the GPU -> gpu
    rec = last()
    assert rec["variant"] == "gpu", rec
    assert rec["gpu_bytes_to_device"] == 0 and rec["gpu_bytes_to_host"] == 0
    assert isinstance(gC, cupy.ndarray)
    np.testing.assert_allclose(cupy.asnumpy(gC), expected, rtol=1e-12)


def test_device_product_without_cupy_goes_through_the_host_with_transposes() -> None:
    """_polyray_gpu_dot(A, at, B, bt): the host path (no CuPy, or the simulator) transposes as told."""
    from polyray.runtime.gpu import _make_device_dot

    class FakeCuda:
        @staticmethod
        def to_device(x: np.ndarray) -> np.ndarray:
            return x.copy()

    dot, how = _make_device_dot(FakeCuda, simulated=True)
    assert how == "NumPy on the host (no CuPy here)"
    rng = np.random.default_rng(4)
    A, B, x = rng.random((3, 4)), rng.random((5, 4)), rng.random(4)
    np.testing.assert_array_equal(dot(A, False, B, True), A @ B.T)
    np.testing.assert_array_equal(dot(B, False, A, True), B @ A.T)
    np.testing.assert_array_equal(dot(A, True, A, False), A.T @ A)
    np.testing.assert_array_equal(dot(A, False, x, False), A @ x)


@pytest.mark.skipif(importlib.util.find_spec("cupy") is None, reason="cupy is not installed here (runs on a GPU host)")
def test_device_product_with_cupy_stays_on_the_device() -> None:
    from numba import cuda

    from polyray.runtime.gpu import _make_device_dot

    dot, how = _make_device_dot(cuda, simulated=False)
    assert how == "cupy.matmul (cuBLAS)"
    A = np.arange(12.0).reshape(3, 4)
    d = cuda.to_device(A)
    out = dot(d, False, d, True)
    assert hasattr(out, "__cuda_array_interface__")
    np.testing.assert_allclose(out.get(), A @ A.T)


@pytest.mark.parametrize("name,args", [
    ("sqrt", (4.0,)), ("sqrt", (0.0,)), ("sqrt", (-0.0,)), ("sqrt", (-1e-300,)), ("sqrt", (float("nan"),)),
    ("log", (1.0,)), ("log", (0.0,)), ("log", (-0.0,)), ("log", (-2.0,)), ("log10", (0.0,)), ("log2", (8.0,)),
    ("acos", (1.0,)), ("acos", (1.0000000000000002,)), ("asin", (-1.5,)),
    ("exp", (709.782712893384,)), ("exp", (709.7827128933841,)), ("exp", (float("inf"),)), ("exp", (-1e308,)),
    ("mathpow", (0.0, -1.0)), ("mathpow", (-8.0, 1.0 / 3.0)), ("mathpow", (-8.0, 3.0)), ("mathpow", (10.0, 400.0)),
    ("mathpow", (float("inf"), -1.0)), ("mathpow", (2.0, 0.5)),
])
def test_device_flagging_math_flags_exactly_where_cpython_raises(name: str, args: tuple[float, ...],
                                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    """The device forms flag where CPython's math raises; they run here against the math the
    simulator's kernels get, which like CUDA's gives nan or inf instead of raising."""
    import math

    from polyray.runtime import flagging_math
    from polyray.runtime.gpu import DEVICE_SPECULATIVE, _SimulatorMath  # math as CUDA has it: nan or inf, no raise

    monkeypatch.setattr(flagging_math, "math", _SimulatorMath())

    cpython = {"mathpow": math.pow}.get(name) or getattr(math, name)
    try:
        cpython(*args)
        raises = False
    except (ValueError, OverflowError):
        raises = True
    fail = np.zeros(1, dtype=np.int8)
    DEVICE_SPECULATIVE[name](*args, fail)
    assert bool(fail[0]) == raises
