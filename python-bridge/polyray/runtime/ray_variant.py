"""The Ray variant: the outermost parallel loop split into blocks, one Ray task each.

Generated code (for an accelerated ``f(n, alpha, A, B)`` whose outermost
proven-parallel loop runs over an iteration counter ``k`` in ``[0, count)``)::

    def _polyray_block_f(_polyray_k0, _polyray_k1, n, alpha, A, B):  # Numba-compilable
        ...iterations k0 <= k < k1 of that loop, sequentially...
    def _polyray_count_f(n, alpha, A, B):                             # plain Python
        return max(0, n)
    def _polyray_box_f_A(_polyray_k0, _polyray_k1, n, alpha, A, B):   # plain Python
        return (slice(lo, hi), slice(0, A.shape[1]))   # bounds what block [k0, k1) writes to A

    RayVariant(_polyray_block_f, count=_polyray_count_f, boxes={"A": _polyray_box_f_A}, arrays=("A", "B"))

Per call (:meth:`RayVariant.run`): Ray is connected or started through
:mod:`polyray.cluster` (``%polyray connect`` / ``--cluster``, then
``POLYRAY_RAY_ADDRESS``, else an embedded cluster on 127.0.0.1); ``[0, count)``
is split into B blocks (B = CPUs of the cluster, at least 2 when count >= 2, at
most count); every array argument is ``ray.put`` once; one task per block
(``max_retries=3``, SPREAD scheduling, 1 CPU) imports the generated module
from its file (or, on a node without that file, from the module's source text
written to a temporary folder), compiles the block function with
``jitting.njit`` (``error_model='numpy', boundscheck=False``; on-disk cache
under the module's digest name) once per worker process, runs it on private copies of the written arrays and returns,
per written array, only its box (``box(k0, k1, *args)``, evaluated by the
driver). Tasks mutate nothing shared, so Ray may re-run them after a node dies.
The driver then writes back, per box, the elements whose bits differ from the
arguments' values before the call (the compiler emits a Ray variant only for
loops without carried dependences, so blocks write disjoint elements; an
element a block "wrote" with its old value needs no write-back).

A failed task (block raised, compile failure in the worker, retries exhausted),
like a failure to put the arrays, submit the tasks or merge their results,
leaves the caller's arrays untouched (write-back happens after all tasks
succeeded and every changed element is found) and becomes :class:`VariantFailed`: the dispatcher runs the original,
which raises the user's exception where it belongs. So does a cluster that
does not answer or goes away during the call
(:class:`polyray.cluster.ClusterUnreachable`, probed with a bounded TCP
connect, see cluster.py); a forced ``POLYRAY_TARGET=ray`` then also warns
with that error, which names the address; ``auto`` leaves Ray out while the address does not answer
(:meth:`RayVariant.auto_exclusion`).
"""

from __future__ import annotations

import hashlib
import importlib.util
import os
import sys
import tempfile
import threading
from collections.abc import Callable, Mapping, Sequence
from time import perf_counter
from typing import Any, Final

import numpy as np

from . import background, jitting, prepare
from .cost import cpu_count
from .cpu import HELPER_NAMES, HELPER_PREFIX, PRANGE_NAME, _stand_ins
from .params import Param
from .variants import VariantCompiling, VariantFailed, call_signature, restore, snapshot
from .variants import first_line as _first_line  # one wording of errors in run records

#: Ray task options of every block task.
MAX_RETRIES: Final = 3
#: Seconds between checks that the cluster is still there while the tasks run.
WAIT_STEP_SECONDS: Final = 1.0


def split_blocks(count: int, parallelism: int) -> list[tuple[int, int]]:
    """``[0, count)`` in B contiguous blocks: B = parallelism, >= 2 when count >= 2, <= count."""
    if count <= 0:
        return []
    blocks = min(count, max(2, int(parallelism))) if count >= 2 else 1
    base, extra = divmod(count, blocks)
    out = []
    k = 0
    for b in range(blocks):
        size = base + (1 if b < extra else 0)
        out.append((k, k + size))
        k += size
    return out


# --------------------------------------------------------------------------
# Worker side (runs inside Ray worker processes)
# --------------------------------------------------------------------------

_worker_modules: dict[str, Any] = {}
_worker_blocks: dict[tuple[str, str], Callable[..., Any]] = {}
_worker_lock = threading.Lock()


class BlockCompileError(Exception):
    """Numba could not compile the block function inside a worker."""


def _load_module(path: str, digest: str, source: str) -> Any:
    module = _worker_modules.get(digest)
    if module is not None:
        return module
    use = path
    try:
        with open(path, "rb") as fh:
            same = hashlib.sha256(fh.read()).hexdigest() == digest
    except OSError:
        same = False
    if not same:  # another node, or the file changed since: import the driver's text
        folder = os.path.join(tempfile.gettempdir(), "polyray_ray_modules", digest[:32])
        os.makedirs(folder, exist_ok=True)
        use = os.path.join(folder, os.path.basename(path) or "module.py")
        if not os.path.exists(use):
            tmp = f"{use}.{os.getpid()}.tmp"
            with open(tmp, "w", encoding="utf-8") as fh:
                fh.write(source)
            os.replace(tmp, use)
    name = f"_polyray_ray_{digest[:16]}"
    spec = importlib.util.spec_from_file_location(name, use)
    if spec is None or spec.loader is None:
        raise ImportError(f"cannot import {use}")
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    spec.loader.exec_module(module)
    _worker_modules[digest] = module
    return module


def _worker_block(spec: tuple[str, str, str, str, tuple[str, ...]]) -> Callable[..., Any]:
    path, digest, source, name, helpers = spec
    key = (digest, name)
    fn = _worker_blocks.get(key)
    if fn is not None:
        return fn
    with _worker_lock:
        fn = _worker_blocks.get(key)
        if fn is not None:
            return fn
        import numba

        from . import numba_helpers

        module = _load_module(path, digest, source)
        py = getattr(module, name)
        g = py.__globals__
        g[PRANGE_NAME] = numba.prange
        g["_polyray_np"] = np  # NumPy 2's dtypes spelled in generated code (np.uint8(x))
        for helper in helpers:
            g[HELPER_PREFIX + helper] = getattr(numba_helpers, helper)
        options = {"error_model": "numpy", "boundscheck": False}
        # cached under the module's digest name (registered in sys.modules by _load_module), which
        # every worker gives this text: jitting.py says why plain cache=True is not safe
        fn, _uncached = jitting.njit(py, options)
        _worker_blocks[key] = fn
        return fn


def _bits(a: np.ndarray) -> list[np.ndarray]:
    """Views of ``a`` whose elementwise ``!=`` compares bit patterns (NaN, -0.0 exact)."""
    if a.dtype.kind == "c":
        return _bits(a.real) + _bits(a.imag)
    size = a.dtype.itemsize
    if size in (1, 2, 4, 8) and a.dtype.kind in "fiub":
        return [a.view(np.dtype(f"u{size}"))]
    return [a]


def _changed(res: np.ndarray, before: np.ndarray) -> np.ndarray:
    mask = None
    for r, b in zip(_bits(res), _bits(before)):
        m = r != b
        mask = m if mask is None else (mask | m)
    assert mask is not None
    return mask


def _block_task(
    spec: tuple[str, str, str, str, tuple[str, ...]],
    k0: int,
    k1: int,
    written: tuple[int, ...],
    boxes: tuple[tuple[Any, ...], ...],
    *args: Any,
) -> tuple[str, list[np.ndarray]]:
    """Run one block on private copies of the written arrays; return their boxes."""
    import ray

    try:
        fn = _worker_block(spec)
    except Exception as exc:  # noqa: BLE001 - reported to the driver as a compile failure
        raise BlockCompileError(f"{type(exc).__name__}: {_first_line(str(exc))}") from None
    work = list(args)
    for i in written:
        work[i] = np.array(work[i], copy=True)  # object-store arrays are read-only views
    from numba.core.errors import NumbaError

    try:
        fn(k0, k1, *work)
    except (jitting.PreparationFailed, NumbaError) as failed:  # compiling or loading it failed; nothing ran
        cause = getattr(failed, "cause", failed)
        detail = _first_line(str(cause)) if isinstance(cause, NumbaError) else f"{type(cause).__name__}: {_first_line(str(cause))}"
        raise BlockCompileError(f"numba could not compile {spec[3]}: {detail}") from None
    out = [np.array(work[i][box], copy=True) for i, box in zip(written, boxes)]
    return ray.get_runtime_context().get_node_id(), out


def _compile_task(spec: tuple[str, str, str, str, tuple[str, ...]], written: tuple[int, ...], *args: Any) -> str:
    """Compile the block function in this worker for the types a block task of these arguments (stand-ins
    of the call's) gives it, running nothing: the background preparation of a signature (prepare.py)."""
    import numba
    import ray

    try:
        fn = _worker_block(spec)
    except Exception as exc:  # noqa: BLE001 - as in _block_task
        raise BlockCompileError(f"{type(exc).__name__}: {_first_line(str(exc))}") from None
    work = list(args)
    for i in written:
        work[i] = np.array(work[i], copy=True)  # as _block_task passes them: the written ones writeable
    try:
        fn.compile(tuple(numba.typeof(a) for a in (0, 0, *work)))
    except Exception as exc:  # noqa: BLE001 - typing, lowering: the block cannot run these types
        cause = getattr(exc, "cause", exc)
        raise BlockCompileError(f"numba could not compile {spec[3]}: {_first_line(str(cause))}") from None
    return ray.get_runtime_context().get_node_id()


def _unreachable(exc: Exception) -> VariantFailed:
    """The variant's failure for an unreachable cluster: nothing was written (write-back comes last).

    The original runs instead; for a forced ``POLYRAY_TARGET=ray`` the
    dispatcher also warns with ``exc`` (``forced_error``: it names the address),
    since running the original quietly would hide that the cluster the user
    chose is down. A failure of the moment: tried again on the next call.
    """
    failed = VariantFailed(str(exc), per_signature=False)
    failed.forced_error = exc  # type: ignore[attr-defined]
    return failed


_remote_task: Any = None
_remote_compile_task: Any = None


def _remote() -> Any:
    global _remote_task
    if _remote_task is None:
        import ray

        _remote_task = ray.remote(num_cpus=1, max_retries=MAX_RETRIES, retry_exceptions=False)(_block_task)
    return _remote_task


def _remote_compile() -> Any:
    global _remote_compile_task
    if _remote_compile_task is None:
        import ray

        _remote_compile_task = ray.remote(num_cpus=1, max_retries=MAX_RETRIES, retry_exceptions=False)(_compile_task)
    return _remote_compile_task


# --------------------------------------------------------------------------
# Driver side
# --------------------------------------------------------------------------


class RayVariant:
    """Blocks of the outermost parallel loop as Ray tasks.

    block: ``_polyray_block_<f>(k0, k1, *params)`` (Numba-compilable, in a module file).
    count: ``_polyray_count_<f>(*params)`` -> number of iterations of the loop.
    boxes: written array name -> ``box(k0, k1, *params)`` -> tuple of slices.
    arrays: names of the array parameters (each ``ray.put`` once per call).
    helpers: names from :data:`polyray.runtime.cpu.HELPER_NAMES` the block uses.

    The dispatcher calls :meth:`bind` with its Param list (names -> positions).
    """

    def __init__(
        self,
        block: Callable[..., Any],
        count: Callable[..., Any],
        boxes: Mapping[str, Callable[..., Any]] | None = None,
        arrays: Sequence[str] = (),
        helpers: Sequence[str] = (),
    ) -> None:
        if not callable(block) or not hasattr(block, "__globals__"):
            raise TypeError(f"RayVariant: block must be a Python function, got {type(block).__name__}")
        if not callable(count):
            raise TypeError(f"RayVariant {block.__name__!r}: count must be callable")
        boxes = dict(boxes or {})
        for k, v in boxes.items():
            if not callable(v):
                raise TypeError(f"RayVariant {block.__name__!r}: box of {k!r} must be callable")
        unknown = sorted(set(helpers) - HELPER_NAMES)
        if unknown:
            raise ValueError(f"RayVariant {block.__name__!r}: unknown helpers {unknown}")
        self.block = block
        self.count = count
        self.boxes: dict[str, Callable[..., Any]] = boxes
        self.arrays: tuple[str, ...] = tuple(arrays)
        missing = sorted(set(boxes) - set(self.arrays))
        if missing:
            raise ValueError(f"RayVariant {block.__name__!r}: boxes {missing} are not among arrays {list(self.arrays)}")
        self.helpers: tuple[str, ...] = tuple(helpers)
        self.function = block.__name__
        self.params: tuple[Param, ...] | None = None
        self._array_pos: tuple[int, ...] = ()
        self._written: tuple[tuple[int, Callable[..., Any]], ...] = ()
        self._broken: str | None = None
        self._spec: tuple[str, str, str, str, tuple[str, ...]] | None = None
        self._local = threading.local()
        self.runs = 0
        #: per call signature, the background start of the cluster and compile of the block (prepare.py)
        self._preparations = prepare.Preparations("ray variant")

    def bind(self, function: str, params: Sequence[Param]) -> None:
        names = [p.name for p in params]
        unknown = sorted(set(self.arrays) - set(names))
        if unknown:
            raise ValueError(f"RayVariant of {function!r}: arrays {unknown} are not parameters {names}")
        self.function = function
        self.params = tuple(params)
        self._array_pos = tuple(names.index(a) for a in self.arrays)
        written = [p.name for p in params if p.kind == "array" and p.written]
        for name in self.boxes:
            if name not in written:
                written.append(name)
        # a written array without a box is returned whole (correct, just more bytes)
        self._written = tuple(
            (names.index(w), self.boxes.get(w, _whole)) for w in written if w in names
        )

    def unavailable_reason(self) -> str | None:
        if self._broken is None and importlib.util.find_spec("ray") is None:
            self._broken = "ray is not installed"
        return self._broken

    def compiled(self) -> bool:
        return self.runs > 0

    def auto_exclusion(self) -> str | None:
        """Why auto should leave Ray out: the cluster address set does not answer (None otherwise)."""
        from .. import cluster

        return cluster.unreachable_reason()

    def parallelism(self) -> int:
        """CPUs of the connected cluster; before Ray runs, the CPUs an embedded one would get."""
        ray = sys.modules.get("ray")
        if ray is not None and ray.is_initialized():
            try:
                return max(1, int(ray.cluster_resources().get("CPU", 1)))
            except Exception:  # noqa: BLE001
                pass
        return cpu_count()

    def started(self) -> bool:
        """Whether Ray is already connected (no start-up cost left)."""
        ray = sys.modules.get("ray")
        return bool(ray is not None and ray.is_initialized())

    def _module_spec(self) -> tuple[str, str, str, str, tuple[str, ...]]:
        if self._spec is None:
            path = self.block.__code__.co_filename
            try:
                with open(path, "rb") as fh:
                    data = fh.read()
            except OSError as exc:
                self._broken = f"the module of {self.block.__name__} has no readable file ({exc})"
                raise VariantFailed(self._broken) from None
            self._spec = (
                os.path.abspath(path), hashlib.sha256(data).hexdigest(),
                data.decode("utf-8"), self.block.__name__, self.helpers,
            )
        return self._spec

    #: the dispatcher passes ``wait`` (a forced target waits; auto prepares in the background)
    compiles_in_background = True

    def run(self, args: tuple[Any, ...], wait: bool = True) -> Any:
        """Run on ``args``. ``wait`` False (auto) and POLYRAY_JIT_WAIT unset: the first call of a signature
        raises :class:`VariantCompiling` and starts the cluster and compiles the block in the background."""
        self.ready(args, wait)
        spec = self._module_spec()
        try:
            count = int(self.count(*args))
        except Exception as exc:  # noqa: BLE001 - nothing ran yet
            raise VariantFailed(f"iteration count of {self.function} raised {type(exc).__name__}: {exc}") from None
        result = self._run_held(spec, count, args)
        report = self._preparations.take_report()
        extra = getattr(self._local, "extra", None)
        if report and extra is not None:
            extra.update(report)
        return result

    def ready(self, args: tuple[Any, ...], wait: bool = True) -> None:
        """Raise VariantFailed when the variant cannot run ``args``' types, VariantCompiling while a call
        that does not wait finds its signature still being prepared in the background (prepare.py)."""
        if self.unavailable_reason() is not None:
            raise VariantFailed(self._broken or "ray unavailable")
        if self.params is None:
            raise VariantFailed(f"RayVariant {self.function!r} was never bound to its parameters")
        if not prepare.waits(wait):
            spec = self._module_spec()
            self._preparations.ready(call_signature(args), lambda: self._prepare(spec, args))

    def _prepare(self, spec: tuple[str, str, str, str, tuple[str, ...]], args: tuple[Any, ...]) -> Callable[[background.Job], None]:
        """The background work for ``args``' signature: start or connect Ray, then compile the block in as
        many worker processes as the cluster has CPUs (a block task's own first step), on stand-ins of the
        arguments (taken now: the job keeps no reference to the caller's arrays), running nothing."""
        stand_ins = _stand_ins(call_signature(args), args)
        written = tuple(i for i, _ in self._written)

        def work(job: background.Job) -> None:
            from .. import cluster

            with cluster.held():
                try:
                    ray = cluster.ensure()
                except ImportError as exc:
                    self._broken = f"ray could not be imported ({type(exc).__name__}: {_first_line(str(exc))})"
                    job.results["failed"] = self._broken
                    return
                except Exception as exc:  # noqa: BLE001 - unreachable or not started: of the moment
                    job.results.update(failed=f"ray could not start or connect ({type(exc).__name__}: "
                                       f"{_first_line(str(exc))})", per_signature=False)
                    return
                try:
                    refs = list(stand_ins)
                    for i in self._array_pos:
                        refs[i] = ray.put(stand_ins[i])
                    task = _remote_compile().options(scheduling_strategy="SPREAD")
                    ray.get([task.remote(spec, written, *refs) for _ in range(self.parallelism())])
                except Exception as exc:  # noqa: BLE001
                    cause = getattr(exc, "cause", None) or exc
                    compile_error = isinstance(cause, BlockCompileError) or "BlockCompileError" in type(cause).__name__
                    job.results.update(failed=f"ray could not prepare {self.function} ({type(cause).__name__}: "
                                       f"{_first_line(str(cause))})", per_signature=compile_error)

        return work

    def _run_held(self, spec: tuple[str, str, str, str, tuple[str, ...]], count: int, args: tuple[Any, ...]) -> Any:
        from .. import cluster

        # held for the whole call: the cluster's watchdog never shuts Ray down mid-call
        with cluster.held():
            try:
                ray = cluster.ensure()
            except cluster.ClusterUnreachable as exc:
                raise _unreachable(exc) from None
            except ImportError as exc:  # installed (find_spec saw it) but broken: not tried again
                self._broken = f"ray could not be imported ({type(exc).__name__}: {_first_line(str(exc))})"
                raise VariantFailed(self._broken) from None
            except Exception as exc:  # noqa: BLE001 - no cluster: the variant cannot run (until reconnected)
                raise VariantFailed(f"ray could not start or connect ({type(exc).__name__}: {_first_line(str(exc))})",
                                    per_signature=False) from None
            try:
                return self._run_on(ray, cluster, spec, count, args)
            except cluster.ClusterUnreachable as exc:  # lost while the tasks ran
                raise _unreachable(exc) from None

    def _run_on(self, ray: Any, cluster: Any, spec: tuple[str, str, str, str, tuple[str, ...]], count: int,
                args: tuple[Any, ...]) -> Any:
        blocks = split_blocks(count, self.parallelism())
        extra: dict[str, Any] = {"nodes": [], "tasks": len(blocks), "bytes_put": 0, "bytes_returned": 0}
        self.runs += 1
        if not blocks:
            self._local.extra = extra
            return None
        written_pos = tuple(i for i, _ in self._written)
        try:
            boxes = [tuple(box(k0, k1, *args) for _, box in self._written) for k0, k1 in blocks]
        except Exception as exc:  # noqa: BLE001
            raise VariantFailed(f"write box of {self.function} raised {type(exc).__name__}: {exc}") from None
        t0 = perf_counter()
        refs = list(args)
        bytes_put = 0
        try:
            for i in self._array_pos:
                refs[i] = ray.put(args[i])
                bytes_put += int(getattr(args[i], "nbytes", 0))
            task = _remote().options(scheduling_strategy="SPREAD")
            futures = [
                task.remote(spec, k0, k1, written_pos, box, *refs) for (k0, k1), box in zip(blocks, boxes)
            ]
        except Exception as exc:  # noqa: BLE001 - object store, serialization, a broken ray: nothing was written
            try:
                cluster.check_alive()
            except cluster.ClusterUnreachable:
                raise
            raise VariantFailed(
                f"ray could not submit the tasks of {self.function} ({type(exc).__name__}: {_first_line(str(exc))})",
                per_signature=False,
            ) from None
        try:
            # Wait in steps, probing the cluster between them: a plain ray.get would block
            # until Ray ends this process, 60 s after the cluster's head died (cluster.py).
            pending = futures
            while pending:
                _, pending = ray.wait(pending, num_returns=len(pending), timeout=WAIT_STEP_SECONDS)
                if pending:
                    cluster.check_alive()  # raises ClusterUnreachable once it is gone
            results = ray.get(futures)
        except cluster.ClusterUnreachable:
            raise
        except Exception as exc:  # noqa: BLE001 - the caller's arrays are untouched
            cause = getattr(exc, "cause", None) or exc
            try:
                cluster.check_alive()  # a task lost with its cluster: shut Ray down before it ends us
            except cluster.ClusterUnreachable:
                pass
            # a block that Numba could not compile fails again for these argument types; any other
            # task failure (a node lost, the user's exception in a block) is of the moment or of the data
            raise VariantFailed(
                f"ray task of {self.function} failed ({type(cause).__name__}: {_first_line(str(cause))})",
                per_signature=isinstance(cause, BlockCompileError) or "BlockCompileError" in type(cause).__name__,
            ) from None
        t1 = perf_counter()
        # write back: per box, the elements whose bits differ from the arguments before the call
        nodes: list[str] = []
        returned = 0
        for node, outs in results:
            if node not in nodes:
                nodes.append(node)
            returned += sum(int(o.nbytes) for o in outs)
        # every changed element is found before the first is written: a failure here (a box or a
        # result that does not fit) leaves the caller's arrays untouched and the original runs
        try:
            befores = {i: ray.get(refs[i]) if isinstance(args[i], np.ndarray) else args[i] for i in written_pos}
            writes = []
            for (node, outs), box in zip(results, boxes):
                for i, res, b in zip(written_pos, outs, box):
                    mask = _changed(res, befores[i][b])
                    if mask.ndim == 0:
                        if mask:
                            writes.append((i, b, None, res))
                    elif mask.any():
                        writes.append((i, b, mask, res[mask]))
        except Exception as exc:  # noqa: BLE001
            raise VariantFailed(
                f"ray results of {self.function} could not be merged ({type(exc).__name__}: {_first_line(str(exc))})"
            ) from None
        for i, b, mask, values in writes:
            if mask is None:
                args[i][b] = values
            else:
                args[i][b][mask] = values
        extra.update(
            nodes=nodes, bytes_put=bytes_put, bytes_returned=returned,
            ray_seconds_tasks=t1 - t0, ray_seconds_writeback=perf_counter() - t1,
        )
        self._local.extra = extra
        return None

    def take_extra(self) -> dict[str, Any]:
        extra = getattr(self._local, "extra", None)
        self._local.extra = None
        return extra or {}


def _whole(_k0: int, _k1: int, *_args: Any) -> tuple[Any, ...]:
    return (Ellipsis,)


__all__ = ["BlockCompileError", "MAX_RETRIES", "RayVariant", "split_blocks"]


class RayStages:
    """Several top-level parallel loops of one function, each a :class:`RayVariant`, run in order.

    Each stage writes back before the next starts, which reads what the earlier
    ones wrote. The arrays the function writes are copied first: if a stage
    fails, they are restored, so that the original (which the dispatcher then
    runs) starts from the caller's arguments, and nothing is left half-written.
    """

    def __init__(self, stages: Sequence[RayVariant]) -> None:
        stages = tuple(stages)
        if not stages or not all(isinstance(s, RayVariant) for s in stages):
            raise TypeError("RayStages: expected a non-empty sequence of RayVariant")
        self.stages = stages
        self._written: tuple[int, ...] = ()
        self._local = threading.local()

    def bind(self, function: str, params: Sequence[Param]) -> None:
        for stage in self.stages:
            stage.bind(function, params)
        self._written = tuple(k for k, p in enumerate(params) if p.kind == "array" and p.written)

    def unavailable_reason(self) -> str | None:
        for stage in self.stages:
            reason = stage.unavailable_reason()
            if reason is not None:
                return reason
        return None

    def compiled(self) -> bool:
        return all(stage.compiled() for stage in self.stages)

    def auto_exclusion(self) -> str | None:
        return self.stages[0].auto_exclusion()

    def parallelism(self) -> int:
        return self.stages[0].parallelism()

    def started(self) -> bool:
        return self.stages[0].started()

    compiles_in_background = True

    def run(self, args: tuple[Any, ...], wait: bool = True) -> Any:
        # every stage prepared before the first runs (a stage still compiling after another wrote
        # would leave the call half done): the preparations of all stages are queued together
        compiling: VariantCompiling | None = None
        for stage in self.stages:
            try:
                stage.ready(args, wait)
            except VariantCompiling as exc:
                compiling = exc if compiling is None or exc.seconds > compiling.seconds else compiling
        if compiling is not None:
            raise compiling
        try:
            saved = snapshot(args, self._written)
        except Exception as exc:  # noqa: BLE001 - no memory for the copies: nothing ran
            raise VariantFailed(f"the written arrays could not be copied before the Ray stages ({type(exc).__name__})",
                                per_signature=False) from None
        merged: dict[str, Any] = {"nodes": [], "tasks": 0, "bytes_put": 0, "bytes_returned": 0, "stages": len(self.stages)}
        try:
            for stage in self.stages:
                stage.run(args, wait)
                extra = stage.take_extra()
                for node in extra.get("nodes", []):
                    if node not in merged["nodes"]:
                        merged["nodes"].append(node)
                for key in ("tasks", "bytes_put", "bytes_returned"):
                    merged[key] += int(extra.get(key, 0))
                for key in ("jit_seconds", "jit_waited_seconds"):  # the stages' background preparations
                    if key in extra:
                        merged[key] = merged.get(key, 0.0) + float(extra[key])
        except BaseException:
            restore(saved)
            raise
        self._local.extra = merged
        return None

    def take_extra(self) -> dict[str, Any]:
        extra = getattr(self._local, "extra", None)
        self._local.extra = None
        return extra or {}
