"""Polyray's GPU kernels round products and sums apart, as NumPy does (runtime/cuda_fma.py).

libNVVM fuses ``a * x[i] + y[i]`` into one multiply-add by default, which the CUDA simulator
cannot show (it runs kernels as Python). libNVVM itself runs without a GPU: the pip wheels of
nvidia-cuda-nvcc (libNVVM, libdevice) and nvidia-cuda-runtime (the version query numba.cuda
asks) let numba.cuda.compile_ptx print the PTX of Polyray's generated kernels here. The wrapper's
own rules (only inside Polyray's compile and launch, per thread, never over fastmath) are tested
apart with a recording stand-in for NVVM's entry point."""
from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
import threading
from pathlib import Path

import pytest

from polyray.runtime import cuda_fma

from compiled import ROOT


def recorder():
    calls = []

    def compile_ir(llvmir, **opts):
        calls.append(opts)
        return "ptx"

    return calls, compile_ir


def test_fma_off_only_inside_polyray_compiles():
    calls, inner = recorder()
    wrapped = cuda_fma.wrap_compile_ir(inner)
    assert cuda_fma.wrap_compile_ir(wrapped) is wrapped  # installed once
    wrapped("ir", opt=3, fastmath=False)
    with cuda_fma.exact_products():
        wrapped("ir", opt=3, fastmath=False)
        with cuda_fma.exact_products():  # nested (a launch inside a compile)
            wrapped("ir", opt=3)
        wrapped("ir", opt=3, fastmath=True)  # a kernel that asks for fastmath keeps contraction
        wrapped("ir", opt=3, fma=True)  # an explicit choice is kept
    wrapped("ir", opt=3)
    assert [c.get("fma", "default") for c in calls] == ["default", False, False, "default", True, "default"]


def test_fma_off_is_per_thread():
    calls, inner = recorder()
    wrapped = cuda_fma.wrap_compile_ir(inner)
    inside, done = threading.Event(), threading.Event()

    def polyray_thread():
        with cuda_fma.exact_products():
            inside.set()
            done.wait(10)
            wrapped("ir")

    t = threading.Thread(target=polyray_thread)
    t.start()
    inside.wait(10)
    wrapped("ir")  # the user's kernel compiling meanwhile on another thread
    done.set()
    t.join(10)
    assert [c.get("fma", "default") for c in calls] == ["default", False]


def test_fma_off_raises_through():
    with pytest.raises(RuntimeError):
        with cuda_fma.exact_products():
            raise RuntimeError("a compile error")
    calls, inner = recorder()
    cuda_fma.wrap_compile_ir(inner)("ir")
    assert calls == [{}]  # the context ended with the error


def cuda_home(tmp: Path) -> Path | None:
    """A CUDA_HOME laid out as numba.cuda looks for it, over the pip wheels' files; None without them."""
    try:
        import nvidia.cuda_nvcc as nvcc
        import nvidia.cuda_runtime as runtime
    except ImportError:
        return None
    nvvm = Path(list(nvcc.__path__)[0]) / "nvvm"
    cudart = Path(list(runtime.__path__)[0]) / "lib" / "libcudart.so.12"
    if not (nvvm / "lib64" / "libnvvm.so").exists() or not cudart.exists():
        return None
    home = tmp / "cuda"
    (home / "nvvm" / "lib64").mkdir(parents=True)
    (home / "lib64").mkdir()
    # numba.cuda finds libnvvm.so.<version> (find_lib); the wheel ships the unversioned name
    (home / "nvvm" / "lib64" / "libnvvm.so.4").symlink_to(nvvm / "lib64" / "libnvvm.so")
    (home / "nvvm" / "libdevice").symlink_to(nvvm / "libdevice")
    (home / "lib64" / "libcudart.so.12").symlink_to(cudart)
    return home


CHILD = textwrap.dedent("""
    import importlib.util, json, sys
    from numba import cuda
    from polyray.runtime import cuda_fma, gpu
    spec = importlib.util.spec_from_file_location("axpy_gpu", sys.argv[1])
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    mod._polyray_cuda = cuda  # (the variant injects it at its first call)
    kernel = mod._polyray_gpuk_axpy_0
    sig = "int64, int64, int64, int64, float64, float64[::1], float64[::1]"

    def ptx():
        return cuda.compile_ptx(kernel, sig, cc=(7, 0))[0]

    out = {"before": "fma.rn" in ptx(), "installed": cuda_fma.install()}
    with cuda_fma.exact_products():
        text = ptx()
    out["polyray_fma"], out["polyray_mul_add"] = "fma.rn" in text, "mul.rn.f64" in text and "add.rn.f64" in text
    out["user_fma"] = "fma.rn" in ptx()  # the user's own kernels keep numba.cuda's defaults
    print(json.dumps(out))
""")


def test_generated_kernels_have_no_fused_multiply_add(tmp_path):
    home = cuda_home(tmp_path)
    if home is None:
        pytest.skip("the nvidia-cuda-nvcc-cu12 and nvidia-cuda-runtime-cu12 wheels are not installed (requirements.txt)")
    source = tmp_path / "axpy.py"
    source.write_text(textwrap.dedent("""
        import numpy as np
        import numpy.typing as npt

        def axpy(n: int, alpha: float, x: npt.NDArray[np.float64], y: npt.NDArray[np.float64]) -> None:
            for i in range(n):
                y[i] = alpha * x[i] + y[i]
    """))
    out = tmp_path / "axpy_gpu.py"
    subprocess.run(["node", str(ROOT / "bin/polyray.mjs"), "compile", str(source), "-o", str(out), "--targets", "gpu"], check=True, cwd=ROOT)
    env = {k: v for k, v in os.environ.items() if k != "NUMBA_ENABLE_CUDASIM"}
    env["CUDA_HOME"] = str(home)
    run = subprocess.run([sys.executable, "-c", CHILD, str(out)], env=env, capture_output=True, text=True, timeout=300)
    assert run.returncode == 0, run.stderr[-3000:]
    got = json.loads(run.stdout.strip().splitlines()[-1])
    # libNVVM fuses by default (what the test must be able to see), never in Polyray's kernels
    assert got == {"before": True, "installed": True, "polyray_fma": False, "polyray_mul_add": True, "user_fma": True}, got


FORMS_CHILD = textwrap.dedent("""
    import json
    from numba import cuda, types
    from polyray.runtime import cuda_fma
    from polyray.runtime.gpu_elementwise import DEVICE_ELEMENTWISE
    f8, i8, b1 = types.float64, types.int64, types.boolean
    args = {"np_sign_int": [(i8,)], "np_where": [(b1, f8, f8), (b1, i8, i8), (b1, f8, i8)], "np_round": [(f8, i8)], "np_clip": [(f8, f8, f8), (i8, i8, i8)]}
    cuda_fma.install()
    out = {}
    with cuda_fma.exact_products():
        for name, form in DEVICE_ELEMENTWISE.items():
            for sig in args.get(name, [(f8,)]):
                ptx, result = cuda.compile_ptx(form, sig, device=True, cc=(7, 0))
                out[f"{name}{tuple(str(t) for t in sig)}"] = {"result": str(result), "fma": "fma.rn" in ptx, "calls": "call.uni" in ptx}
    print(json.dumps(out))
""")


def test_elementwise_device_forms_compile_for_the_device(tmp_path):
    """runtime/gpu_elementwise.py's forms, which the simulator runs as Python, compile through libNVVM with
    the result types NumPy gives (float64; int64 for np.sign of an int64, np.where's promoted values), no
    fused multiply-add (np.round's x * 10**d then + 2**52 stays two roundings), and no call out (no libdevice
    function: IEEE additions, multiplications, divisions, comparisons and negations)."""
    home = cuda_home(tmp_path)
    if home is None:
        pytest.skip("the nvidia-cuda-nvcc-cu12 and nvidia-cuda-runtime-cu12 wheels are not installed (requirements.txt)")
    env = {k: v for k, v in os.environ.items() if k != "NUMBA_ENABLE_CUDASIM"}
    env["CUDA_HOME"] = str(home)
    run = subprocess.run([sys.executable, "-c", FORMS_CHILD], env=env, capture_output=True, text=True, timeout=300)
    assert run.returncode == 0, run.stderr[-3000:]
    got = json.loads(run.stdout.strip().splitlines()[-1])
    want_int = {"np_sign_int('int64',)", "np_where('bool', 'int64', 'int64')", "np_clip('int64', 'int64', 'int64')"}
    assert len(got) == 12, sorted(got)
    for form, seen in got.items():
        assert seen == {"result": "int64" if form in want_int else "float64", "fma": False, "calls": False}, (form, seen)


ALLOCATIONS_CHILD = textwrap.dedent("""
    import importlib.util, json, math, sys
    import numpy as np
    from numba import cuda
    from polyray.runtime import cuda_fma
    spec = importlib.util.spec_from_file_location("allocs_gpu", sys.argv[1])
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    mod._polyray_cuda, mod._polyray_np, mod._polyray_math = cuda, np, math  # (the variant injects them at its first call)
    sigs = json.loads(sys.argv[2])
    cuda_fma.install()
    out = {}
    with cuda_fma.exact_products():
        for kernel, sig in sigs.items():
            ptx = cuda.compile_ptx(getattr(mod, kernel), sig, cc=(7, 0))[0]
            out[kernel] = {"cvt_f32": "cvt.rn.f32.f64" in ptx, "cvt_f64": "cvt.rn.f64.s64" in ptx, "fma": "fma.rn" in ptx}
    print(json.dumps(out))
""")


def test_device_allocations_and_lowered_statements_compile_for_the_device(tmp_path):
    """The kernels of codegen/gpu-allocations.ts (a fill of a device array with NumPy's value, a copy that
    converts as astype does: float64 to float32 and int64 to float64 rounded to nearest) and of a whole-array
    statement (`out[:] = np.fabs(x) + x * 0.5`, lowered: math.fabs per element; the device functions of
    np.floor and the like: test_elementwise_device_forms_compile_for_the_device) compile through libNVVM,
    without fused multiply-adds."""
    home = cuda_home(tmp_path)
    if home is None:
        pytest.skip("the nvidia-cuda-nvcc-cu12 and nvidia-cuda-runtime-cu12 wheels are not installed (requirements.txt)")
    source = tmp_path / "allocs.py"
    f1, f2 = "np.ndarray[tuple[int], np.dtype[np.float64]]", "np.ndarray[tuple[int, int], np.dtype[np.float64]]"
    i1 = "np.ndarray[tuple[int], np.dtype[np.int64]]"
    source.write_text(textwrap.dedent(f"""
        import numpy as np

        def magnitude(x: {f1}, out: {f1}):
            out[:] = np.fabs(x) + x * 0.5

        def halved(x: {f1}) -> np.ndarray:
            h = x.astype(np.float32)
            for i in range(x.shape[0]):
                h[i] = h[i] * np.float32(0.5)
            return h

        def as_floats(k: {i1}) -> np.ndarray:
            f = k.astype(np.float64)
            for i in range(k.shape[0]):
                f[i] = f[i] + 0.5
            return f

        def shifted(A: {f2}, v: float) -> np.ndarray:
            T = np.full(A.shape, v)
            n, m = A.shape
            for i in range(n):
                for j in range(m):
                    T[i, j] = T[i, j] + A[i, j]
            return T
    """))
    out = tmp_path / "allocs_gpu.py"
    subprocess.run(["node", str(ROOT / "bin/polyray.mjs"), "compile", str(source), "-o", str(out), "--targets", "gpu"], check=True, cwd=ROOT)
    text = out.read_text()
    # the fill kernels come first in each function (its first binding), then its loop's kernel
    sigs = {"_polyray_gpuk_magnitude_0": "int64, float64[::1], float64[::1]",
            "_polyray_gpuk_halved_0": "int64, float32[::1], float64[::1]",
            "_polyray_gpuk_as_floats_0": "int64, float64[::1], int64[::1]",
            "_polyray_gpuk_shifted_0": "int64, int64, float64[:, ::1], float64"}
    for kernel in sigs:
        assert f"def {kernel}(" in text, kernel
    env = {k: v for k, v in os.environ.items() if k != "NUMBA_ENABLE_CUDASIM"}
    env["CUDA_HOME"] = str(home)
    run = subprocess.run([sys.executable, "-c", ALLOCATIONS_CHILD, str(out), json.dumps(sigs)], env=env, capture_output=True, text=True, timeout=300)
    assert run.returncode == 0, run.stderr[-3000:]
    got = json.loads(run.stdout.strip().splitlines()[-1])
    assert got["_polyray_gpuk_halved_0"]["cvt_f32"] and got["_polyray_gpuk_as_floats_0"]["cvt_f64"], got
    assert not any(k["fma"] for k in got.values()), got
