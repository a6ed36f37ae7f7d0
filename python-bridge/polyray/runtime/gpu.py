"""The GPU variant: numba.cuda kernels launched by generated host code.

Generated code (for an accelerated ``f(n, alpha, A, B)``)::

    def _polyray_gpuk_f_0(_polyray_lo, _polyray_count, _polyray_step, n, alpha, A, B):
        _polyray_t = _polyray_cuda.grid(1)
        if _polyray_t < _polyray_count:
            i = _polyray_lo + _polyray_step * _polyray_t
            ...

    def _polyray_gpu_f(n, alpha, A, B):       # array arguments arrive as device arrays
        _polyray_launch(_polyray_gpuk_f_0, count, (lo, count, step, n, alpha, A, B))

    GpuVariant(_polyray_gpu_f, kernels=("_polyray_gpuk_f_0",), arrays=("A", "B"), written=("A",))

``numba.cuda`` is imported on first use (availability check or run). Then the
host function's module globals get ``_polyray_cuda`` (the numba.cuda module),
``_polyray_launch`` and, in place of each kernel name, ``numba.cuda.jit`` of
the kernel's Python function (the Python function is kept to re-jit).

Arrays: NumPy arguments are copied to the device once per call and the written
ones copied back into the caller's array after the host function returns;
arguments that already live on the device (``__cuda_array_interface__``: CuPy,
numba device arrays; or the CUDA simulator's device arrays) are used in place
and stay there.

Under Numba's CUDA simulator (``NUMBA_ENABLE_CUDASIM=1``) the variant is
available (``POLYRAY_TARGET=gpu`` runs the kernels on the CPU) but
:meth:`GpuVariant.auto_exclusion` tells ``auto`` never to pick it.
"""

from __future__ import annotations

import math
import threading
from collections.abc import Callable, Sequence
from time import perf_counter
from typing import Any, Final

import numpy as np

from . import background, cuda_fma, prepare
from .cpu import HELPER_PREFIX, NUMPY_NAME
from .flagging_math import flag_acos, flag_asin, flag_exp, flag_log, flag_log2, flag_log10, flag_pow, flag_sqrt
from .gpu_elementwise import DEVICE_ELEMENTWISE
from .params import NUMERIC_DTYPES, Param
from .variants import VariantFailed, VariantRolledBack, call_signature
from .variants import short_error as _short, first_line as _first_line  # one wording of errors in run records

#: Threads per block of every launch.
THREADS_PER_BLOCK: Final = 128

CUDA_NAME: Final = "_polyray_cuda"
LAUNCH_NAME: Final = "_polyray_launch"
#: the math module: kernels call math.sqrt where the source says np.sqrt
#: (CUDA kernels support math's functions, not NumPy's sqrt ufunc).
MATH_NAME: Final = "_polyray_math"
#: ``D = A @ B`` on the device: ``_polyray_gpu_dot(A, a_transposed, B, b_transposed)``.
DOT_NAME: Final = "_polyray_gpu_dot"



#: Top-level packages whose exceptions are the GPU stack's own (compilers, driver, CuPy), not the user's.
BACKEND_PACKAGES: Final = frozenset({"numba", "numba_cuda", "llvmlite", "cupy", "cupy_backends", "cuda"})


def _from_backend(exc: BaseException) -> bool:
    return (type(exc).__module__ or "").split(".")[0] in BACKEND_PACKAGES


def is_device_array(x: object) -> bool:
    """Whether ``x`` lives on a (possibly simulated) CUDA device.

    True for objects exposing ``__cuda_array_interface__`` (CuPy, numba device
    arrays, PyTorch CUDA tensors) and for the CUDA simulator's device arrays
    (which only carry ``__cuda_ndarray__``). Never imports a GPU library.
    """
    if isinstance(x, np.ndarray):
        return False
    t = type(x)
    return hasattr(t, "__cuda_array_interface__") or getattr(t, "__cuda_ndarray__", False) is True


def _device_info(x: Any) -> tuple[np.dtype, tuple[int, ...], bool, int, int]:
    """dtype, shape, read-only flag, first byte address, byte extent of a device array."""
    cai = getattr(x, "__cuda_array_interface__", None)
    if cai is None:  # the simulator's FakeCUDAArray wraps a NumPy array
        host = x._ary
        lo, hi = np.lib.array_utils.byte_bounds(host)
        return host.dtype, tuple(host.shape), not host.flags.writeable, lo, hi - lo
    dtype = np.dtype(cai["typestr"])
    shape = tuple(int(s) for s in cai["shape"])
    ptr, readonly = cai["data"]
    strides = cai.get("strides")
    if strides is None:
        extent = int(np.prod(shape, dtype=np.int64)) * dtype.itemsize
        lo = ptr
    else:
        lo = ptr + sum(min(0, (n - 1) * s) for n, s in zip(shape, strides) if n > 0)
        hi = ptr + sum(max(0, (n - 1) * s) for n, s in zip(shape, strides) if n > 0) + dtype.itemsize
        extent = hi - lo
    if 0 in shape:
        extent = 0
    return dtype, shape, bool(readonly), int(lo), int(extent)


def device_stand_ins(
    function: str, params: Sequence[Param], args: tuple[Any, ...]
) -> tuple[tuple[Any, ...], str | None]:
    """Check device-array arguments against their Params and replace them for the host checks.

    Returns ``(args_for_guard, problem)``. Each device array is checked here
    (kind array, dtype, ndim, writeable when written, no overlap with another
    device array when written); it is then replaced by a host stand-in of the
    same dtype and shape (zero strides over one element, so it costs nothing
    and shares memory with nothing), so that the dispatcher's usual checks and
    the generated bounds guard (which read shapes) run unchanged.
    """
    if len(args) != len(params):
        return args, None  # the dispatcher's guard reports the count
    out = list(args)
    device: list[tuple[int, int, int]] = []  # (position, lo, extent)
    for i, (p, x) in enumerate(zip(params, args)):
        if not is_device_array(x):
            continue
        where = f"argument {p.name!r} of {function}"
        if p.kind != "array":
            return args, f"{where}: expected {p.kind}, got a device array"
        try:
            dtype, shape, readonly, lo, extent = _device_info(x)
        except Exception as exc:  # noqa: BLE001 - a malformed interface
            return args, f"{where}: unreadable __cuda_array_interface__ ({type(exc).__name__}: {exc})"
        if p.dtype is not None and dtype != np.dtype(p.dtype):
            return args, f"{where}: expected {p.dtype} device array, got {dtype} device array"
        if p.dtype is None and dtype not in NUMERIC_DTYPES:
            return args, f"{where}: device array of dtype {dtype} (not a dtype Numba compiles)"
        if p.ndim is not None and len(shape) != p.ndim:
            return args, f"{where}: expected ndim {p.ndim}, got a device array of ndim {len(shape)}"
        if p.written and readonly:
            return args, f"{where}: expected a writeable array, got a read-only device array"
        device.append((i, lo, extent))
        out[i] = np.lib.stride_tricks.as_strided(
            np.zeros(1, dtype=dtype), shape=shape, strides=(0,) * len(shape), writeable=True
        )
    for a, (i, lo_i, ext_i) in enumerate(device):
        for j, lo_j, ext_j in device[a + 1:]:
            if not (params[i].written or params[j].written) or ext_i == 0 or ext_j == 0:
                continue
            if lo_i < lo_j + ext_j and lo_j < lo_i + ext_i:
                return args, (
                    f"argument {params[i].name!r} of {function} shares device memory with "
                    f"argument {params[j].name!r} and one of them is written"
                )
    return tuple(out), None


class GpuVariant:
    """Generated host code that launches numba.cuda kernels.

    host: the host function ``_polyray_gpu_<f>`` (same parameters as ``f``).
    kernels: names of the kernel functions in the host function's module.
    arrays: names of the array parameters (copied to the device when NumPy).
    written: names of the array parameters the kernels write (copied back).

    The dispatcher calls :meth:`bind` with the function's :class:`Param` list
    at construction, which turns the names into argument positions; a variant
    used without a dispatcher must be bound by hand.
    """

    def __init__(
        self,
        host: Callable[..., Any],
        kernels: Sequence[str] = (),
        arrays: Sequence[str] = (),
        written: Sequence[str] = (),
        speculative: Sequence[str] = (),
        device_helpers: Sequence[str] = (),
    ) -> None:
        if not callable(host) or not hasattr(host, "__globals__"):
            raise TypeError(f"GpuVariant: host must be a Python function, got {type(host).__name__}")
        self.host = host
        self.kernels: tuple[str, ...] = tuple(kernels)
        self.arrays: tuple[str, ...] = tuple(arrays)
        self.written: tuple[str, ...] = tuple(written)
        #: math helpers the kernels call in their flagging form; the host takes the flag array last
        self.speculative: tuple[str, ...] = tuple(speculative)
        unknown = sorted(set(self.speculative) - set(DEVICE_SPECULATIVE))
        if unknown:
            raise ValueError(f"GpuVariant {host.__name__!r}: no device form of the flagging helpers {unknown}")
        #: NumPy's exact complex operations (gpu_complex.py) and elementwise rows (gpu_elementwise.py)
        #: the kernels call as `_polyray_hd_<helper>`
        self.device_helpers: tuple[str, ...] = tuple(device_helpers)
        unknown = sorted(set(self.device_helpers) - DEVICE_COMPLEX_NAMES - set(DEVICE_ELEMENTWISE))
        if unknown:
            raise ValueError(f"GpuVariant {host.__name__!r}: no device form of the helpers {unknown}")
        missing = sorted(set(self.written) - set(self.arrays))
        if missing:
            raise ValueError(f"GpuVariant {host.__name__!r}: written {missing} not among arrays {list(self.arrays)}")
        for k in self.kernels:
            if not callable(host.__globals__.get(k)):
                raise ValueError(f"GpuVariant {host.__name__!r}: kernel {k!r} is not a function of its module")
        self.function = host.__name__
        self.params: tuple[Param, ...] | None = None
        self._array_pos: tuple[int, ...] = ()
        self._written_pos: frozenset[int] = frozenset()
        self._kernel_py: dict[str, Callable[..., Any]] = {}
        self._cuda: Any = None
        self._probed = False
        self._broken: str | None = None
        self._simulated = False
        self._injected = False
        #: how `D = A @ B` runs on the device, if the host computes one (set when the kernels are injected)
        self.products = ""
        self._lock = threading.Lock()
        self._local = threading.local()
        self.device_name: str | None = None
        self._probe_job: background.Job | None = None
        #: per call signature, the warm-up run that compiles the kernels in the background (prepare.py)
        self._preparations = prepare.Preparations("gpu variant")

    # -- wiring -------------------------------------------------------------
    def bind(self, function: str, params: Sequence[Param]) -> None:
        """Resolve ``arrays``/``written`` against the dispatcher's parameter list."""
        names = [p.name for p in params]
        unknown = sorted(set(self.arrays) - set(names))
        if unknown:
            raise ValueError(f"GpuVariant of {function!r}: arrays {unknown} are not parameters {names}")
        self.function = function
        self.params = tuple(params)
        self._array_pos = tuple(names.index(a) for a in self.arrays)
        self._written_pos = frozenset(names.index(a) for a in self.written)

    # -- availability ---------------------------------------------------------
    def _probe(self) -> None:
        if self._probed:
            return
        with self._lock:
            if self._probed:
                return
            try:
                from numba import cuda
                from numba.core import config
            except Exception as exc:  # noqa: BLE001 - numba missing or broken
                self._broken = f"numba.cuda could not be imported ({type(exc).__name__}: {_first_line(str(exc))})"
            else:
                self._simulated = bool(config.ENABLE_CUDASIM)
                try:
                    available = bool(cuda.is_available())
                except Exception as exc:  # noqa: BLE001
                    available = False
                    self._broken = f"no usable CUDA device ({type(exc).__name__}: {_first_line(str(exc))})"
                if available:
                    self._cuda = cuda
                    if self._simulated:
                        self.device_name = "CUDA simulator"
                    else:
                        try:
                            name = cuda.get_current_device().name
                            self.device_name = name.decode() if isinstance(name, bytes) else str(name)
                        except Exception:  # noqa: BLE001
                            self.device_name = "CUDA device"
                elif self._broken is None:
                    self._broken = "no CUDA device (numba.cuda.is_available() is False)"
            self._probed = True

    def unavailable_reason(self) -> str | None:
        self._probe()
        return self._broken

    def pending_reason(self) -> str | None:
        """Why ``auto`` leaves this variant out for now without waiting: importing numba.cuda and
        looking for a device take about 0.6 s, which a call must not wait for (issue 19); the probe runs
        on the background worker (background.py) and a later call considers the variant. None once
        probed, or when calls wait for the JIT (POLYRAY_JIT_WAIT)."""
        if self._probed or background.jit_wait():
            return None
        if self._probe_job is None:
            self._probe_job = background.submit(("gpu-probe", self.function), lambda job: self._probe(), gated=True)
        if self._probed:  # (the worker may have finished meanwhile)
            return None
        return "looking for a CUDA device in the background"

    @property
    def simulated(self) -> bool:
        self._probe()
        return self._simulated

    def auto_exclusion(self) -> str | None:
        """Why ``auto`` must not pick this variant even though it is available."""
        self._probe()
        if self._broken is None and self._simulated:
            return "gpu runs on Numba's CUDA simulator (NUMBA_ENABLE_CUDASIM=1); only POLYRAY_TARGET=gpu uses it"
        return None

    # -- compile ----------------------------------------------------------------
    def _inject(self) -> None:
        with self._lock:
            if self._injected:
                return
            try:
                self._inject_locked()
            except VariantFailed:
                raise
            except Exception as exc:  # noqa: BLE001 - numba.cuda or CuPy broken: nothing ran, no argument dependence
                self._broken = f"the GPU variant of {self.function} could not be set up ({_short(exc)})"
                raise VariantFailed(self._broken) from None

    def _inject_locked(self) -> None:
        cuda = self._cuda
        if not self._simulated:
            cuda_fma.install()  # kernels round products and sums apart, as NumPy does (cuda_fma.py)
        g = self.host.__globals__
        g[CUDA_NAME] = cuda
        g[LAUNCH_NAME] = _make_launch()
        g[MATH_NAME] = _SimulatorMath() if self._simulated else math
        g[NUMPY_NAME] = np  # temporaries are allocated with a NumPy dtype
        for helper in self.speculative:
            # the simulator runs kernels as Python, where math raises: the CPU's
            # Python-level flagging helpers (CPython's semantics, exactly) serve there
            if self._simulated:
                from . import numba_helpers

                g[f"{HELPER_PREFIX}spec_{helper}"] = getattr(numba_helpers, f"spec_{helper}")
            else:
                g[f"{HELPER_PREFIX}spec_{helper}"] = cuda.jit(device=True)(DEVICE_SPECULATIVE[helper])
        for helper in self.device_helpers:
            if helper in DEVICE_ELEMENTWISE:
                # IEEE operations alone, the same bits as Python and on the device: the form itself in both
                form = DEVICE_ELEMENTWISE[helper]
                g[f"_polyray_hd_{helper}"] = form if self._simulated else cuda.jit(device=True)(form)
        complex_helpers = [h for h in self.device_helpers if h not in DEVICE_ELEMENTWISE]
        if complex_helpers:
            # NumPy's complex operations: the CPU's helpers under the simulator (kernels run as Python),
            # their device forms on a GPU (runtime/gpu_complex.py)
            from . import numba_helpers

            if self._simulated:
                for helper in complex_helpers:
                    g[f"_polyray_hd_{helper}"] = getattr(numba_helpers, helper)
            else:
                from . import gpu_complex

                if "cabs" in self.device_helpers and gpu_complex._CABS_FORM == 2:
                    # NumPy calls the C library's hypot here, CUDA's is libdevice's (other last bits)
                    self._broken = "np.abs of complex numbers is the C library's hypot in this NumPy: no device form"
                    raise VariantFailed(self._broken)
                for helper in complex_helpers:
                    g[f"{gpu_complex.DEVICE_PREFIX}{helper}"] = cuda.jit(device=True)(gpu_complex.DEVICE_COMPLEX[helper])
        g[DOT_NAME], how = _make_device_dot(cuda, self._simulated)
        # recorded only for a host function that computes products
        self.products = how if DOT_NAME in self.host.__code__.co_names else ""
        for name in self.kernels:
            py = self._kernel_py.get(name)
            if py is None:
                py = g[name]
                py = getattr(py, "py_func", py)  # already jitted by another variant object
                self._kernel_py[name] = py
            try:
                g[name] = cuda.jit(py)
            except Exception as exc:  # noqa: BLE001 - a decoration-time failure
                self._broken = f"numba.cuda.jit rejected {name}: {_first_line(str(exc))}"
                raise VariantFailed(self._broken) from None
        self._injected = True

    def _precompile(self, dev_args: list[Any]) -> None:
        """Compile every kernel for these argument types before anything runs (real CUDA only)."""
        if self._simulated:
            return
        import numba
        from numba.core.errors import NumbaError

        g = self.host.__globals__
        types = []
        for a in dev_args:
            types.append(numba.typeof(a))
        sig = (numba.int64, numba.int64, numba.int64, *types)
        for name in self.kernels:
            k = g[name]
            py = self._kernel_py[name]
            # only the one-loop kernels' signature is known here: (lo, count, step, the host's arguments);
            # grid and implicit-loop kernels, and those taking host locals, compile at their first launch
            code = py.__code__
            if code.co_varnames[:3] != ("_polyray_lo", "_polyray_count", "_polyray_step") or code.co_argcount != len(sig) \
                    or not hasattr(k, "compile"):
                continue
            try:
                with cuda_fma.exact_products():
                    k.compile(sig)
            except Exception as exc:  # noqa: BLE001 - typing, NVVM, the driver: nothing ran
                detail = _first_line(str(exc)) if isinstance(exc, NumbaError) else _short(exc)
                raise VariantFailed(f"numba.cuda could not compile {name} for these argument types: {detail}") from None

    # -- run ----------------------------------------------------------------------
    #: the dispatcher passes ``wait`` (a forced target waits; auto prepares in the background)
    compiles_in_background = True

    def run(self, args: tuple[Any, ...], wait: bool = True) -> Any:
        """Run on ``args``. ``wait`` False (auto) and POLYRAY_JIT_WAIT unset: the first call of a signature
        raises :class:`VariantCompiling` and compiles the kernels in the background instead (prepare.py)."""
        self._probe()
        if self._broken is not None:
            raise VariantFailed(self._broken)
        if self.params is None:
            raise VariantFailed(f"GpuVariant {self.function!r} was never bound to its parameters")
        if not prepare.waits(wait) and self._warms_up(args):
            self._preparations.ready(call_signature(args), lambda: self._warm_up(args))
        result = self._execute(args)
        report = self._preparations.take_report()
        extra = getattr(self._local, "extra", None)
        if report and extra is not None:
            extra.update(report)
        return result

    def _warms_up(self, args: tuple[Any, ...]) -> bool:
        """Whether the kernels can be compiled in the background for ``args``: a warm-up run on copies
        of its NumPy arrays. Not for device arrays passed in place (nothing to copy them to cheaply)
        nor for arrays over WARM_UP_COPY_BYTES (the copies would cost more than the compile saves)."""
        if any(is_device_array(a) for a in args):
            return False
        return sum(int(a.nbytes) for a in args if isinstance(a, np.ndarray)) <= WARM_UP_COPY_BYTES

    def _warm_up(self, args: tuple[Any, ...]) -> Callable[[background.Job], None]:
        """The background work for ``args``' signature: the variant's own run on copies of the arrays
        (taken now, in the call), so that every kernel compiles for exactly the types and launches the
        call would use; its results are dropped. A compile failure holds for the signature; what the
        code raises on these data (the original raises it too) leaves the kernels it reached compiled."""
        # (a list the work empties: the job, kept per signature, must not keep the copies alive)
        copies = [tuple(np.array(a, copy=True, order="K") if isinstance(a, np.ndarray) else a for a in args)]

        def work(job: background.Job) -> None:
            try:
                self._execute(copies.pop())
            except VariantFailed as failed:
                if failed.per_signature:
                    job.results["failed"] = failed.reason
                elif not isinstance(failed, VariantRolledBack):  # the device or driver of the moment
                    job.results.update(failed=failed.reason, per_signature=False)
            except Exception:  # noqa: BLE001 - the user's exception on these data: the call that runs it raises it
                pass

        return work

    def _execute(self, args: tuple[Any, ...]) -> Any:
        if not self._injected:
            self._inject()
        cuda = self._cuda
        t0 = perf_counter()
        in_place_written = any(not isinstance(args[i], np.ndarray) for i in self._written_pos)
        if self.speculative and in_place_written:
            raise VariantFailed(
                f"{self.function} would write device arrays passed in place in a speculative run, "
                "which could not be undone if a math call flagged"
            )
        try:
            dev_args, back, bytes_in, fail = self._to_device(cuda, args)
            self._precompile(dev_args)
            cuda.synchronize()
        except VariantFailed:
            raise
        except Exception as exc:  # noqa: BLE001 - device memory, the driver: nothing ran, the caller's arrays are intact
            raise VariantFailed(f"the GPU variant of {self.function} could not start ({_short(exc)})") from None
        t1 = perf_counter()
        try:
            result = self.host(*dev_args)
            cuda.synchronize()
        except Exception as exc:
            from numba.core.errors import NumbaError

            if isinstance(exc, NumbaError):
                reason = f"numba.cuda could not compile a kernel of {self.function}: {_first_line(str(exc))}"
            else:
                reason = f"the GPU variant of {self.function} raised {_short(exc)}"
            if in_place_written:  # kernels may have written the caller's device arrays: nothing to fall back on
                if isinstance(exc, NumbaError):
                    raise RuntimeError(f"{reason} (after kernels had written device arrays passed in place)") from exc
                raise
            # Only device copies were touched: the caller's arrays are intact and the original runs.
            # A failure of the GPU stack (compiler, launch, driver, CuPy) holds for these argument
            # types; anything else (an IndexError of the simulator's Python kernels, a
            # ZeroDivisionError of the host code) depends on the data: the original raises it
            # too, with its own writes, and the variant is not ruled out.
            if isinstance(exc, NumbaError) or _from_backend(exc):
                raise VariantFailed(reason) from None
            raise VariantRolledBack(f"{reason}: its device results were discarded") from None
        t2 = perf_counter()
        if fail is not None and fail.copy_to_host()[0]:
            # nothing was copied back: the caller's arrays are as they were
            raise VariantRolledBack(
                f"a math call in a GPU kernel of {self.function} would raise: its device results were discarded"
            )
        if hasattr(result, "copy_to_host"):  # a temporary made on the device, returned
            result = result.copy_to_host()
        bytes_out = 0
        for d, host, a in back:
            d.copy_to_host(host)
            bytes_out += host.nbytes
            if host is not a:
                a[...] = host
        t3 = perf_counter()
        self._local.extra = {
            "gpu_seconds_kernels": t2 - t1,
            "gpu_seconds_copies": (t1 - t0) + (t3 - t2),
            "gpu_bytes_to_device": bytes_in,
            "gpu_bytes_to_host": bytes_out,
            "device": self.device_name,
        }
        if self.products:
            self._local.extra["gpu_products"] = self.products
        return result

    def _to_device(self, cuda: Any, args: tuple[Any, ...]) -> tuple[list[Any], list[tuple[Any, np.ndarray, np.ndarray]], int, Any]:
        """(device arguments, (device, host buffer, caller's array) per written NumPy array, bytes copied, flag array)."""
        dev_args = list(args)
        back: list[tuple[Any, np.ndarray, np.ndarray]] = []
        bytes_in = 0
        for i in self._array_pos:
            a = args[i]
            if not isinstance(a, np.ndarray):
                continue
            host = a if (a.flags.c_contiguous or a.flags.f_contiguous) else np.ascontiguousarray(a)
            d = cuda.to_device(host)
            bytes_in += host.nbytes
            dev_args[i] = d
            if i in self._written_pos:
                back.append((d, host, a))
        fail = None
        if self.speculative:
            fail = cuda.to_device(np.zeros(1, dtype=np.int8))
            dev_args.append(fail)
        return dev_args, back, bytes_in, fail

    def take_extra(self) -> dict[str, Any]:
        """Extra run-record keys of this thread's last successful run (then forgotten)."""
        extra = getattr(self._local, "extra", None)
        self._local.extra = None
        return extra or {}

    def compiled(self) -> bool:
        return self._injected


#: Above this many bytes of NumPy arrays, auto compiles the kernels inside the call (no warm-up copies).
WARM_UP_COPY_BYTES: Final = 1 << 30

#: helper name (as in generated ``_polyray_h_spec_<name>``) -> its device form
#: helpers with a device form in gpu_complex.py (which imports numba.cuda, so only named here)
DEVICE_COMPLEX_NAMES: Final = frozenset({"cmul", "csquare", "csquare_scalar", "creciprocal", "cdiv", "cabs"})

DEVICE_SPECULATIVE: Final[dict[str, Callable[..., float]]] = {
    "sqrt": flag_sqrt, "log": flag_log, "log10": flag_log10, "log2": flag_log2,
    "acos": flag_acos, "asin": flag_asin, "exp": flag_exp, "mathpow": flag_pow,
}


class _SimulatorMath:
    """``math`` as device code has it, for the simulator (which runs kernels as
    Python): nan or inf where Python's math raises, as CUDA's functions give."""

    def __getattr__(self, name: str) -> Any:
        f = getattr(math, name)
        if not callable(f):
            return f

        def quiet(*args: float) -> float:
            try:
                return f(*args)
            except ValueError:
                return math.nan
            except OverflowError:
                return math.inf

        return quiet


def _make_device_dot(cuda: Any, simulated: bool) -> tuple[Callable[..., Any], str]:
    """The device product for generated ``D = A @ B`` and how it runs.

    CuPy's matmul (cuBLAS) where CuPy imports on a real device: operands and
    result stay on the device (CuPy reads numba's arrays through
    ``__cuda_array_interface__``, numba's kernels read CuPy's). Without CuPy,
    and under the simulator, which cannot run CuPy, the operands go to the
    host, NumPy multiplies, and the product goes back.
    """
    cupy = None
    if not simulated:
        try:
            import cupy  # type: ignore[import-not-found,no-redef]
        except Exception:  # noqa: BLE001 - CuPy missing or without a usable CUDA: the host path
            cupy = None

    if cupy is not None:
        def _polyray_gpu_dot(a: Any, at: bool, b: Any, bt: bool) -> Any:
            x, y = cupy.asarray(a), cupy.asarray(b)
            return cupy.matmul(x.T if at else x, y.T if bt else y)

        return _polyray_gpu_dot, "cupy.matmul (cuBLAS)"

    def _host(x: Any) -> np.ndarray:
        return x.copy_to_host() if hasattr(x, "copy_to_host") else np.asarray(x)

    def _polyray_gpu_dot_via_host(a: Any, at: bool, b: Any, bt: bool) -> Any:
        x, y = _host(a), _host(b)
        return cuda.to_device(np.ascontiguousarray(np.dot(x.T if at else x, y.T if bt else y)))

    return _polyray_gpu_dot_via_host, "NumPy on the host (no CuPy here)"


def _make_launch() -> Callable[[Any, Any, tuple[Any, ...]], None]:
    tpb = THREADS_PER_BLOCK

    def _polyray_launch(kernel: Any, count: Any, args: tuple[Any, ...]) -> None:
        """Launch ``kernel`` over ``count`` threads (128 per block); nothing when count <= 0.

        ``count`` may be a tuple (x, y[, z]) for a 2-d or 3-d grid: blocks of
        32 x 4 (x 1) threads, x being the innermost loop of the nest.
        """
        # (a kernel's first launch for new argument types compiles it: without contraction, cuda_fma.py)
        if isinstance(count, tuple):
            counts = tuple(int(c) for c in count)
            if min(counts) <= 0:
                return
            block = (32, tpb // 32, 1)[: len(counts)]
            with cuda_fma.exact_products():
                kernel[tuple((c + b - 1) // b for c, b in zip(counts, block)), block](*args)
            return
        n = int(count)
        if n <= 0:
            return
        with cuda_fma.exact_products():
            kernel[(n + tpb - 1) // tpb, tpb](*args)

    return _polyray_launch


__all__ = ["GpuVariant", "THREADS_PER_BLOCK", "device_stand_ins", "is_device_array"]
