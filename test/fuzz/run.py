"""Polyray's differential fuzzer.

    .venv/bin/python test/fuzz/run.py --count N --seed S [--jobs J] [--ray-every R] [--gpu-every G]
    npm run fuzz -- --count N --seed S

Program number k of a run is `generate.generate(S * 1_000_000 + k)`. Each is
compiled for every target (by the compile service, `node bin/polyray.mjs
serve`: the same compiler as the CLI, without a Node start per program), then
each function is called on several random inputs (sizes 0 and 1 included,
sizes that push subscripts out of bounds or below zero, NaN, a Python 0.0
divisor): first the original (`_polyray_original_<name>`), then each variant
forced by POLYRAY_TARGET, every call on fresh copies of the same inputs. The
return value, the exception (type; message where CPython's is reproduced) and
the final contents of every array argument must be identical: bit for bit
(NaN equals NaN, and -0.0 differs from 0.0), since Polyray never reorders a
reduction, in the `exact` numerics mode (the request's "numerics").
`polyray.runtime.history()` says which variant actually ran.

Every program is compiled in the `close` mode as well (issue 16), and each
function's cpu variant is called on the same inputs: a function whose report
has no close note must still match bit for bit; one of the generator's close
family (a reduction along an axis, a transcendental ufunc, an integer power, a
product) within the bound of its operation derived from its inputs
(test/fuzz/close_check.py: the reduction's length and operand, the function's
documented ULP bound, the product's inner dimension), with the same shapes,
dtypes, NaN/inf positions and exceptions; any other function with close notes
only in its outcome and non-float arrays (counted as unbounded).

Issue 17's families (test/fuzz/families.py): masks and index arrays get inputs
built from the arrays they index (`Param.of`: in range, repeated indices, and on
one call in eight a mask of another shape, an index past either end or a value
array of the wrong length); int and float parameters may be NumPy scalars
(`Param.np`); a tuple return is compared item by item; and a function reading a
module constant is called again with the constant rebound in the generated and
the plain module (another value, another type, None, unbound) and restored: the
outcome must be the original's and no compiled variant may run while the
constant differs from its compiled value.

The cpu variant runs for every program (worker processes, --jobs). Every
R-th program also runs the ray variant, in one worker process that starts the
embedded local Ray cluster once; every G-th program also runs the gpu variant,
in one worker process started with NUMBA_ENABLE_CUDASIM=1 (Numba's CUDA
simulator), or on the real GPU with --real-gpu.

Every R-th program (--reload-every, default 10) is also imported again, in a
fresh process, under other module names and from a copy of its folder, after
its worker filled Numba's on-disk cache under the first name; its calls must
still give the original's results (issue 15 item 3).

Resumable: each finished program is appended to a state file
(`$POLYRAY_CACHE_DIR/fuzz` or `~/.cache/polyray/fuzz`, `run-S-N.jsonl`); the
same command again (or with --resume) skips those, so a long run can span
several sittings. Each sitting writes a header line naming the commit of the
code under test (test/fuzz/resume.py); one on another commit is refused unless
--force-resume, and the record then lists the commits with their programs.
Each program's line holds its CPU seconds by phase (test/fuzz/phases.py). At
the end the run's seed, count, mismatches, date, sittings and CPU seconds are
appended to test/fuzz/record.json, and the coverage is printed.
A mismatch is minimized and written to test/fuzz/findings/ (moved to
test/regressions/ once the compiler is fixed, where test_regressions.py runs it).

Exit status: 0 when there is no mismatch and at least 30% of the calls ran a
non-original variant; 1 otherwise.
"""
from __future__ import annotations

import shutil
import atexit
import argparse
import datetime as _dt
import importlib.util
import json
import math
import os
import random
import re
import subprocess
import sys
import tempfile
import time
import traceback
import warnings
from pathlib import Path
from typing import Any
# timings and comparisons of compiled variants: a call waits for its variant to compile
# (issue 19: by default the first calls run the original while it compiles in the background)
os.environ.setdefault("POLYRAY_JIT_WAIT", "1")
os.environ.setdefault("POLYRAY_TIME_ORIGINAL_BELOW", "0")  # nor time the original inside timed calls

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[1]
sys.path.insert(0, str(HERE))

import generate as gen  # noqa: E402
import families  # noqa: E402
import phases  # noqa: E402
import resume  # noqa: E402

# which functions close mode generated as exact mode did (run_close)
_twins_spec = importlib.util.spec_from_file_location("mode_twins", ROOT / "test" / "python" / "mode_twins.py")
assert _twins_spec and _twins_spec.loader
mode_twins = importlib.util.module_from_spec(_twins_spec)
_twins_spec.loader.exec_module(mode_twins)
_spec = importlib.util.spec_from_file_location("measure_ulp", ROOT / "scripts" / "measure_ulp.py")
measure_ulp = importlib.util.module_from_spec(_spec)  # the ULP distance and the documented K (close mode)
assert _spec.loader
sys.modules["measure_ulp"] = measure_ulp
_spec.loader.exec_module(measure_ulp)

RECORD = HERE / "record.json"
FINDINGS = HERE / "findings"
SEED_STRIDE = 1_000_000
#: exceptions whose message Polyray does not promise to reproduce (Numba's bounds check
#: says "index is out of bounds" where NumPy names the index, axis and size)
MESSAGE_FREE = {"IndexError"}
#: ValueError messages Polyray does reproduce: the ones its CPython-semantics helpers
#: raise. Other ValueErrors come from NumPy's shape checks, which Numba words differently
#: (the guarantee is the exception type, README "The CLI").
CPYTHON_VALUE_ERRORS = {"math domain error", "math range error"}
MIN_NON_ORIGINAL = 0.30


def program_seed(seed: int, k: int) -> int:
    return seed * SEED_STRIDE + k


# ------------------------------------------------------------------------------ compiling

class Compiler:
    """One `polyray serve` process (JSON lines); restarted if it dies."""

    def __init__(self) -> None:
        self.proc: subprocess.Popen[str] | None = None
        self.next_id = 0
        self.cpu_s = 0.0  # CPU seconds of the service's processes while they answered (phases)

    def _start(self) -> None:
        self.proc = subprocess.Popen(["node", str(ROOT / "bin/polyray.mjs"), "serve"], cwd=ROOT, stdin=subprocess.PIPE,
                                     stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)

    def compile(self, source: str, file_name: str, numerics: str = "exact") -> dict[str, Any]:
        for attempt in range(2):
            if self.proc is None or self.proc.poll() is not None:
                self._start()
            assert self.proc and self.proc.stdin and self.proc.stdout
            self.next_id += 1
            try:
                self.proc.stdin.write(json.dumps({"id": self.next_id, "op": "compile", "source": source, "fileName": file_name,
                                                  "targets": ["cpu", "gpu", "ray"],
                                                  # exact: the bit-for-bit comparison; close: run_close (issue 16)
                                                  "numerics": numerics}) + "\n")
                self.proc.stdin.flush()
                before = phases.process_cpu(self.proc.pid)
                line = self.proc.stdout.readline()
                self.cpu_s += phases.process_cpu(self.proc.pid) - before
            except (BrokenPipeError, OSError):
                line = ""
            if line:
                return json.loads(line)
            self.proc = None
        return {"ok": False, "error": "the compile service died twice"}

    def close(self) -> None:
        if self.proc and self.proc.poll() is None:
            self.proc.stdin.close()  # type: ignore[union-attr]
            self.proc.wait(timeout=10)


def import_module(path: Path, name: str) -> Any:
    spec = importlib.util.spec_from_file_location(name, path)
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    spec.loader.exec_module(module)
    return module


_ORIGINALS: dict[int, Any] = {}


def original_module(source: str, seed: int) -> Any:
    """The input program itself, imported from its text (for functions the generated module keeps verbatim)."""
    key = hash(source)
    if key not in _ORIGINALS:
        import types

        mod = types.ModuleType(f"fz_original_{seed}")
        exec(compile(source, f"<fuzz program {seed}>", "exec"), mod.__dict__)
        _ORIGINALS.clear()
        _ORIGINALS[key] = mod
    return _ORIGINALS[key]


# ------------------------------------------------------------------------------ inputs

def make_inputs(fn: gen.FunctionSpec, seed: int, trial: int) -> dict[str, Any]:
    """Random arguments for one call; `trial` 0 and 1 use the smallest sizes."""
    import numpy as np

    rng = random.Random(seed * 1009 + trial * 7919 + sum(map(ord, fn.name)))
    pool = (0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 12)
    if trial == 0:
        base = [rng.choice((0, 1)) for _ in range(3)]
    elif trial == 1:
        base = [rng.choice((1, 2)) for _ in range(3)]
    else:
        base = [rng.choice(pool) for _ in range(3)]
    deep = sum(1 for f in fn.features if f in ("depth3", "depth4"))
    if deep:
        base = [min(b, 9) for b in base]
    args: dict[str, Any] = {}
    nrng = np.random.default_rng(seed * 31 + trial)
    for p in fn.params:
        if p.of:
            continue  # built from the array it belongs to, below
        if p.kind == "array":
            shape = [base[d] if rng.random() < 0.85 else max(0, base[d] + rng.choice((-1, 1, 2))) for d in range(p.ndim)]
            if p.dtype == "int64":
                a = nrng.integers(-9, 10, size=shape, dtype=np.int64)
            elif p.dtype in gen.NARROW_INTS:
                # the whole range, so that NumPy 2's arithmetic in the dtype wraps around (NEP 50)
                info = np.iinfo(p.dtype)
                a = nrng.integers(info.min, int(info.max) + 1, size=shape, dtype=p.dtype)
            elif p.dtype == "bool":
                a = nrng.random(shape) < 0.5
            else:
                a = np.round(nrng.standard_normal(shape) * 4.0, 3)
                if p.dtype in ("complex128", "complex64"):
                    a = (a + 1j * np.round(nrng.standard_normal(shape) * 4.0, 3)).astype(p.dtype)
                if p.dtype == "float32":
                    a = (nrng.standard_normal(shape) * 4.0).astype(np.float32)
                if a.size and rng.random() < 0.15:
                    a.flat[rng.randrange(a.size)] = rng.choice((math.nan, math.inf, -math.inf, -0.0))
            if "sort_family" in fn.features:
                a = families.sort_input(p.dtype, shape, nrng)  # ties, NaN, both zeros (families.SortFn)
            args[p.name] = a
        elif p.kind == "int":
            args[p.name] = rng.choice((base[0], base[0], base[0], base[1], base[0] - 1, base[0] + 1, base[0] + 2, 0, 1, -1, -3, rng.randrange(0, 13)))
        else:
            if p.name == "d":
                args[p.name] = rng.choice((0.0, 0.0, 2.0, -0.5, 0.25, 3.0))
            else:
                args[p.name] = rng.choice((0.5, -1.5, 2.0, 0.0, 1.0, 1e300, -0.0))
        if p.np:
            args[p.name] = getattr(np, p.np)(args[p.name])  # a NumPy scalar argument (families.numpy_scalars)
    for p in fn.params:
        if p.of:
            args[p.name] = derived_input(p, args, rng, nrng)
    if "table_family" in fn.features:
        families.table_inputs(fn, args, rng, nrng)  # square well-conditioned M, b as long as M, counts (families.TableFn)
    return args


def derived_input(p: gen.Param, args: dict[str, Any], rng: random.Random, nrng: Any) -> Any:
    """A mask, an index array, an array shaped like another or as long as an index array
    (families.IndexFn): right by construction on most calls; on one call in eight a mask of
    another shape, an index just past either end or a value array one too long, for which the
    original raises (IndexError, ValueError) before writing anything."""
    import numpy as np

    # "index:X" indexes X's first axis; "index:X:1:ii" its second, as long as ii (one index array per dimension)
    how, base, *more = p.of.split(":")
    shape = list(np.shape(args[base]))
    wrong = rng.random() < 0.125
    if how == "index":
        axis = int(more[0]) if more else 0
        n = shape[axis] if len(shape) > axis else 0
        size = rng.choice((0, 1, 3, 5, 8)) if n else rng.choice((0, 0, 1))
        if len(more) > 1:
            size = len(args[more[1]]) + (rng.choice((1, -1)) if wrong and len(args[more[1]]) > 1 else 0)
        idx = nrng.integers(-n, n, size=size) if n else np.zeros(size, dtype=np.int64)
        if size >= 3:
            idx[rng.randrange(size)] = idx[0]  # a repeated index: the last of its writes wins
        if (wrong or not n) and size:
            idx[rng.randrange(size)] = rng.choice((n, -n - 1))
        return idx.astype(p.dtype)
    if how == "rowptr":
        # a CSR row pointer into X's entries: 0 first, non-decreasing, X's length last; wrong: one past the end
        nnz = shape[0] if shape else 0
        rows = rng.choice((0, 1, 2, 3, 5))
        cuts = sorted(int(c) for c in nrng.integers(0, nnz + 1, size=max(rows - 1, 0)))
        ptr = np.array([0] + cuts + [nnz + (1 if wrong else 0)] if rows else [0], dtype=p.dtype)
        return ptr if rng.random() > 0.05 else np.zeros(0, dtype=p.dtype)
    if how == "len":
        shape = [shape[0] + (1 if wrong else 0)]
    elif wrong and shape:
        shape[rng.randrange(len(shape))] += rng.choice((1, -1)) if shape[0] else 1
        shape = [max(0, d) for d in shape]
    if how == "mask":
        return nrng.random(shape) < 0.5
    if p.dtype == "int64":
        return nrng.integers(-3, 4, size=shape, dtype=np.int64)
    a = np.round(nrng.standard_normal(shape) * 4.0, 3)
    if p.dtype in ("complex128", "complex64"):
        a = (a + 1j * np.round(nrng.standard_normal(shape) * 4.0, 3)).astype(p.dtype)
    if a.size and rng.random() < 0.15:
        a.flat[rng.randrange(a.size)] = rng.choice((math.nan, math.inf, -math.inf, -0.0))
    return a


def copy_args(args: dict[str, Any]) -> dict[str, Any]:
    return {k: (v.copy() if hasattr(v, "copy") else v) for k, v in args.items()}


def describe_args(args: dict[str, Any]) -> dict[str, Any]:
    """JSON-able (and Python-literal) form of arguments: arrays as nested lists with their shape."""
    import numpy as np

    out: dict[str, Any] = {}
    for k, v in args.items():
        if isinstance(v, np.generic):  # a NumPy scalar (families.numpy_scalars), not a 0-d array
            out[k] = {"scalar": v.item(), "dtype": str(v.dtype)}
        elif hasattr(v, "tolist"):
            out[k] = {"array": v.tolist(), "shape": list(v.shape)}
            if str(v.dtype) != "float64":
                out[k]["dtype"] = str(v.dtype)
        else:
            out[k] = v
    return out


# ------------------------------------------------------------------------------ running and comparing

def call(fn: Any, spec: gen.FunctionSpec, args: dict[str, Any]) -> tuple[str, Any]:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            return ("ok", fn(*[args[p.name] for p in spec.params]))
        except Exception as exc:  # noqa: BLE001 - the exception is the outcome being compared
            return (type(exc).__name__, str(exc))


def same_bits(a: Any, b: Any) -> bool:
    """Equal values, NaN equal to NaN, -0.0 different from 0.0."""
    import numpy as np

    a, b = np.asarray(a), np.asarray(b)
    if a.shape != b.shape or a.dtype != b.dtype:
        return False
    if a.dtype.kind not in "fc":
        return bool(np.array_equal(a, b))
    nan_a, nan_b = np.isnan(a), np.isnan(b)
    if not np.array_equal(nan_a, nan_b):
        return False
    ok = ~nan_a
    return bool(np.array_equal(a[ok], b[ok]) and np.array_equal(np.signbit(a.real[ok] if a.dtype.kind == "c" else a[ok]),
                                                                   np.signbit(b.real[ok] if b.dtype.kind == "c" else b[ok])))


def compare_value(w: Any, g: Any) -> str | None:
    """None when one returned value (an item of a tuple) is the other: an array bit for bit with its
    dtype, a number by its value bit for bit (as `compare` takes a returned scalar: a Python float
    and a NumPy float64 of the same bits are the same)."""
    import numpy as np

    if isinstance(w, np.ndarray) or isinstance(g, np.ndarray):
        return None if type(w) is type(g) and same_bits(w, g) else f"original {w!r:.200} vs variant {g!r:.200}"
    try:
        return None if same_bits(complex(w), complex(g)) else f"original {w!r} vs variant {g!r}"
    except (TypeError, ValueError):
        return None if w == g else f"original {w!r} vs variant {g!r}"


def compare(spec: gen.FunctionSpec, want: tuple[str, Any], got: tuple[str, Any], ref_args: dict[str, Any], args: dict[str, Any]) -> str | None:
    """None if the variant's outcome is the original's, else what differs."""
    import numpy as np

    if want[0] != got[0]:
        return f"outcome: original {want[0]}({want[1]!r:.120}) vs variant {got[0]}({got[1]!r:.120})"
    if want[0] == "ok":
        w, g = want[1], got[1]
        if w is None or g is None:
            if not (w is None and g is None):
                return f"return: original {w!r} vs variant {g!r}"
        elif isinstance(w, tuple) or isinstance(g, tuple):
            # a tuple return (families): the same length, each item compared as a return value
            if type(w) is not type(g) or len(w) != len(g):
                return f"return: original {w!r:.200} vs variant {g!r:.200}"
            for k, (wi, gi) in enumerate(zip(w, g)):
                diff = compare_value(wi, gi)
                if diff:
                    return f"return item {k}: {diff}"
        elif isinstance(w, np.ndarray) or isinstance(g, np.ndarray):
            if type(w) is not type(g) or not same_bits(w, g):
                return f"return: original {w!r:.200} vs variant {g!r:.200}"
        elif isinstance(w, (int, float, complex)) or hasattr(w, "dtype"):
            try:
                if not same_bits(float(w), float(g)):
                    return f"return: original {w!r} vs variant {g!r}"
            except (TypeError, ValueError):
                return f"return: original {w!r} vs variant {g!r}"
    elif (want[0] not in MESSAGE_FREE and not (want[0] == "ValueError" and want[1] not in CPYTHON_VALUE_ERRORS)
          and want[1] != got[1]):
        return f"message: original {want[0]}({want[1]!r}) vs variant ({got[1]!r})"
    for p in spec.params:
        if p.kind == "array" and not same_bits(ref_args[p.name], args[p.name]):
            return f"array {p.name} differs after the call ({want[0]})"
    return None


def outcome_kind(o: tuple[str, Any]) -> str:
    return "ok" if o[0] == "ok" else o[0]


# ------------------------------------------------------------------------------ one program

def function_facts(report_fn: dict[str, Any], module_text: str) -> dict[str, Any]:
    name = report_fn["name"]
    cpu_body = ""
    m = re.search(rf"^def _polyray_cpu_{re.escape(name)}\(.*?(?=^\S)", module_text, re.S | re.M)
    if m:
        cpu_body = m.group(0)
    trans = report_fn.get("transformations", [])
    resched = [t for t in trans if not re.match(r"(kept|prange|GPU|no GPU|Ray|no Ray|NumPy slice|the implicit loops|implicit loops|temporaries)", t)]
    return {
        "accelerated": report_fn["accelerated"],
        "variants": report_fn["variants"],
        "loops": len(report_fn["loops"]),
        "parallel_loops": sum(1 for lp in report_fn["loops"] if lp["parallel"]),
        "prange": "_polyray_prange(" in cpu_body,
        "rescheduled": bool(resched),
        "tiled": any("tiled" in t for t in resched),
        "skewed": any(re.search(r"skew|wavefront", t, re.I) for t in resched),
        "interchanged": any(re.search(r"interchang", t, re.I) for t in resched),
        # poly/locality.ts: reordered inside the parallel loops (strip-mined: a parallel loop's points innermost)
        "locality": any("innermost walks contiguous memory" in t for t in resched),
        "strip_mined": any("strip-mined" in t for t in resched),
        # poly/implicit-loops.ts: NumPy statements fused, run as prange, temporaries contracted
        "fused": any(t.startswith("the implicit loops") for t in trans),
        "implicit_prange": any(t.startswith("implicit loops run as prange") for t in trans),
        "contracted": any(t.startswith("temporaries") for t in trans),
        "guard": f"_polyray_guard_{name}" in module_text,
    }


def run_program(seed: int, variants_wanted: list[str], compiler: Compiler, workdir: Path, trials: int,
                ray_trials: int, only: str | None = None, fixed_inputs: dict[str, Any] | None = None) -> dict[str, Any]:
    import polyray.runtime as rt

    prog = gen.generate(seed)
    return run_source(prog.source, prog.functions, seed, variants_wanted, compiler, workdir, trials, ray_trials, only, fixed_inputs)


def run_source(source: str, functions: list[gen.FunctionSpec], seed: int, variants_wanted: list[str], compiler: Compiler,
               workdir: Path, trials: int, ray_trials: int, only: str | None = None,
               fixed_inputs: dict[str, Any] | None = None) -> dict[str, Any]:
    import polyray.runtime as rt

    result: dict[str, Any] = {"seed": seed, "functions": {}, "calls": 0, "non_original": 0, "mismatches": [], "ran": {},
                              "exceptions": {}, "message_diffs": 0}
    service_before = compiler.cpu_s
    with phases.timed(result, "all in the worker"):
        _run_source(source, functions, seed, variants_wanted, compiler, workdir, trials, ray_trials, only, fixed_inputs, result)
    phases.add(result, "compile service (node)", compiler.cpu_s - service_before)
    return result


def _run_source(source: str, functions: list[gen.FunctionSpec], seed: int, variants_wanted: list[str], compiler: Compiler,
                workdir: Path, trials: int, ray_trials: int, only: str | None, fixed_inputs: dict[str, Any] | None,
                result: dict[str, Any]) -> dict[str, Any]:
    import polyray.runtime as rt

    reply = compiler.compile(source, f"fz_{seed}.py")
    if not reply.get("ok"):
        result["compile_error"] = str(reply.get("diagnostics") or reply.get("error"))[:1000]
        result["mismatches"].append({"function": None, "what": "compile error: " + result["compile_error"][:300]})
        return result
    tag = f"fz_{seed}_{abs(hash(source)) % 10**8}"
    path = workdir / f"{tag}.py"
    path.write_text(reply["module"])
    try:
        module = import_module(path, tag)
    except Exception as exc:  # noqa: BLE001
        result["mismatches"].append({"function": None, "what": f"import of the generated module failed: {type(exc).__name__}: {exc}"[:500]})
        return result
    reports = {f["name"]: f for f in reply["report"]["functions"]}
    for spec in functions:
        if only and spec.name != only:
            continue
        facts = function_facts(reports[spec.name], reply["module"])
        facts["features"] = sorted(spec.features)
        facts["outside"] = spec.outside
        result["functions"][spec.name] = facts
        if spec.outside and facts["accelerated"]:
            result["mismatches"].append({"function": spec.name, "what": f"outside the subset ({spec.outside}) but accelerated"})
        wrapper = getattr(module, spec.name)
        # a function that is not accelerated is kept verbatim under its own name
        original = getattr(module, f"_polyray_original_{spec.name}", None) or original_module(source, seed).__dict__[spec.name]
        for trial in range(trials):
            args = fixed_inputs if fixed_inputs is not None else make_inputs(spec, seed, trial)
            ref = copy_args(args)
            with phases.timed(result, "original"):
                want = call(original, spec, ref)
            result["exceptions"][outcome_kind(want)] = result["exceptions"].get(outcome_kind(want), 0) + 1
            for variant in variants_wanted:
                if variant != "cpu" and (variant not in facts["variants"] or (variant == "ray" and trial >= ray_trials)):
                    continue
                mine = copy_args(args)
                os.environ["POLYRAY_TARGET"] = variant
                # both forms of a parallel CPU variant, alternately (small inputs would otherwise
                # always run the serial form, which is the original order for a reordered nest)
                os.environ["POLYRAY_CPU_FORM"] = ("parallel", "serial")[trial % 2]
                rt.clear_history()
                # a variant's first call waits for its compile: the phase is mostly Numba's (or the simulator's)
                with phases.timed(result, f"{variant} variant (exact mode)"):
                    got = call(wrapper, spec, mine)
                hist = rt.history()
                # no run record: the function is not accelerated (no dispatcher), so the original ran
                ran = hist[-1]["variant"] if hist else "original"
                result["calls"] += 1
                result["non_original"] += ran != "original"
                key = f"{variant}->{ran}"
                result["ran"][key] = result["ran"].get(key, 0) + 1
                if want[0] == got[0] and want[0] in MESSAGE_FREE and want[1] != got[1]:
                    result["message_diffs"] += 1
                diff = compare(spec, want, got, ref, mine)
                if diff:
                    result["mismatches"].append({"function": spec.name, "trial": trial, "target": variant, "ran": ran, "what": diff,
                                                 "reason": hist[-1].get("reason") if hist else None})
            if fixed_inputs is not None:
                break
        if spec.constants and fixed_inputs is None:
            result["mismatches"] += rebind_mismatches(module, original_module(source, seed), spec, wrapper, original, seed, "cpu", result)
    os.environ.pop("POLYRAY_TARGET", None)
    os.environ.pop("POLYRAY_CPU_FORM", None)
    if fixed_inputs is None:
        with phases.timed(result, "close mode"):
            run_close(source, functions, seed, compiler, workdir, tag, trials, only, result, (module, reply["module"]))
    with phases.timed(result, "verdicts permuted"):
        result["mismatches"] += verdict_mismatches(source, reply["report"], functions, seed, trials, result, only, fixed_inputs)
    if only is None and fixed_inputs is None and reloaded(seed):
        with phases.timed(result, "reload (a fresh process)"):
            result["mismatches"] += reload_mismatches(path, tag, seed, trials, result)
    return result


def rebind_mismatches(module: Any, plain: Any, spec: gen.FunctionSpec, wrapper: Any, original: Any, seed: int, target: str,
                      result: dict[str, Any]) -> list[dict[str, Any]]:
    """Module constants rebound between calls (families.module_constants): each rebind of each
    constant the function reads (another value, another type, None, unbound) set in the generated
    module and in the plain one, then the original and the dispatcher called on the same inputs.
    The outcome must be the same, and no compiled variant may run while a constant differs from
    the value it was compiled with (the dispatcher's check before each call); the constant is
    then restored and the call compared again."""
    import numpy as np
    import polyray.runtime as rt

    out: list[dict[str, Any]] = []
    args = make_inputs(spec, seed, 2)
    homes = list({id(m): m for m in (module, plain)}.values())
    for name, rebinds in spec.constants.items():
        saved = [m.__dict__.get(name) for m in homes]
        for text in rebinds + ["RESTORE"]:
            for m, old in zip(homes, saved):
                if text == "DELETE":
                    m.__dict__.pop(name, None)
                else:
                    m.__dict__[name] = old if text == "RESTORE" else eval(text, {"np": np})  # noqa: S307 - the generator's rebinds
            ref, mine = copy_args(args), copy_args(args)
            want = call(original, spec, ref)
            os.environ["POLYRAY_TARGET"] = "cpu"
            rt.clear_history()
            got = call(wrapper, spec, mine)
            # the record of the function called: an original-only function that calls an accelerated
            # helper leaves only the helper's record (seed 49000000's f0 and its _fz_clip)
            hist = [h for h in rt.history() if h.get("function") == spec.name]
            ran = hist[-1]["variant"] if hist else "original"
            result["rebind_calls"] = result.get("rebind_calls", 0) + 1
            result["rebind_original"] = result.get("rebind_original", 0) + (ran == "original")
            diff = compare(spec, want, got, ref, mine)
            if diff is None and text != "RESTORE" and ran != "original":
                diff = f"the {ran} variant ran with module constant {name} rebound to {text}"
            if diff:
                out.append({"function": spec.name, "trial": 2, "target": target, "ran": ran, "what": f"{name} = {text}: {diff}",
                            "reason": hist[-1].get("reason") if hist else None})
    return out


_ULP: dict[str, dict[str, int]] | None = None


def run_close(source: str, functions: list[gen.FunctionSpec], seed: int, compiler: Compiler, workdir: Path, tag: str,
              trials: int, only: str | None, result: dict[str, Any], twin: tuple[Any, str] | None = None) -> None:
    """The program compiled in close mode, its cpu variants against the original (close_check.py). twin: exact
    mode's module and its text; a function close mode generated alike (test/python/mode_twins.py: the same
    statements reachable from it) runs exact mode's already compiled function on the same calls, counted in
    close_twin: Numba would compile the same code again for nothing."""
    import polyray.runtime as rt
    import close_check

    global _ULP
    if _ULP is None:
        _ULP = measure_ulp.documented_bounds()
    for key in ("close_calls", "close_non_original", "close_bounded", "close_exact", "close_unbounded", "close_twin"):
        result.setdefault(key, 0)
    reply = compiler.compile(source, f"fz_{seed}.py", "close")
    if not reply.get("ok"):
        result["mismatches"].append({"function": None, "target": "cpu-close", "what": "close-mode compile error: " + str(reply.get("diagnostics") or reply.get("error"))[:300]})
        return
    path = workdir / f"{tag}_close.py"
    path.write_text(reply["module"])
    try:
        module = import_module(path, f"{tag}_close")
    except Exception as exc:  # noqa: BLE001
        result["mismatches"].append({"function": None, "target": "cpu-close", "what": f"import of the close-mode module failed: {type(exc).__name__}: {exc}"[:500]})
        return
    reports = {f["name"]: f for f in reply["report"]["functions"]}
    alike = (mode_twins.statements(twin[1]), mode_twins.statements(reply["module"])) if twin is not None else None
    for spec in functions:
        if only and spec.name != only:
            continue
        notes = reports[spec.name].get("closeNotes", [])
        if spec.outside and reports[spec.name]["accelerated"]:
            result["mismatches"].append({"function": spec.name, "target": "cpu-close", "what": f"outside the subset ({spec.outside}) but accelerated in close mode"})
        runs = module
        if twin is not None and mode_twins.reach(alike[0], spec.name) == mode_twins.reach(alike[1], spec.name):
            runs = twin[0]
            result["close_twin"] += trials
        wrapper = getattr(runs, spec.name)
        original = getattr(runs, f"_polyray_original_{spec.name}", None) or original_module(source, seed).__dict__[spec.name]
        for trial in range(trials):
            args = make_inputs(spec, seed, trial)
            ref, mine = copy_args(args), copy_args(args)
            want = call(original, spec, ref)
            os.environ["POLYRAY_TARGET"] = "cpu"
            os.environ["POLYRAY_CPU_FORM"] = ("parallel", "serial")[trial % 2]
            rt.clear_history()
            got = call(wrapper, spec, mine)
            hist = rt.history()
            ran = hist[-1]["variant"] if hist else "original"
            result["close_calls"] += 1
            result["close_non_original"] += ran != "original"
            if not notes or ran == "original":
                result["close_exact"] += 1
                diff = compare(spec, want, got, ref, mine)
            elif spec.bound is not None:
                result["close_bounded"] += 1
                diff = None
                if want[0] != got[0]:
                    diff = f"outcome: original {want[0]}({want[1]!r:.120}) vs variant {got[0]}({got[1]!r:.120})"
                elif want[0] == "ok":
                    with warnings.catch_warnings():
                        warnings.simplefilter("ignore")
                        diff = close_check.within_bound(spec.bound, want[1], got[1], copy_args(args), _ULP, measure_ulp.ulp_distance)
                for p in spec.params:
                    if diff is None and p.kind == "array" and not same_bits(ref[p.name], mine[p.name]):
                        diff = f"array {p.name} differs after the call ({want[0]})"
            else:
                # close notes without a bound the runner can derive: the outcome and the non-float arrays only
                result["close_unbounded"] += 1
                diff = None if want[0] == got[0] else f"outcome: original {want[0]} vs variant {got[0]}"
                for p in spec.params:
                    if diff is None and p.kind == "array" and p.dtype not in ("float64", "float32", "complex128", "complex64") \
                            and not same_bits(ref[p.name], mine[p.name]):
                        diff = f"array {p.name} differs after the call ({want[0]})"
            if diff:
                result["mismatches"].append({"function": spec.name, "trial": trial, "target": "cpu-close", "ran": ran, "what": diff,
                                             "reason": hist[-1].get("reason") if hist else None})
        if spec.constants:
            result["mismatches"] += rebind_mismatches(runs, original_module(source, seed), spec, wrapper, original, seed, "cpu-close", result)
    os.environ.pop("POLYRAY_TARGET", None)
    os.environ.pop("POLYRAY_CPU_FORM", None)


def verdict_mismatches(source: str, report: dict[str, Any], functions: list[gen.FunctionSpec], seed: int, trials: int,
                       result: dict[str, Any], only: str | None, fixed_inputs: dict[str, Any] | None) -> list[dict[str, Any]]:
    """Issue 15 item 4: every loop the report calls parallel, run reversed, shuffled and as if
    all its iterations ran at once, in plain Python on a copy of the program (test/verdicts/
    permute.py), on the same inputs as the variants; another result is a mismatch naming the loop."""
    if str(ROOT / "test/verdicts") not in sys.path:
        sys.path.insert(0, str(ROOT / "test/verdicts"))
    import permute  # noqa: PLC0415

    specs = [f for f in functions if not only or f.name == only]
    calls = {f.name: [[args[p.name] for p in f.params] for args in
                      ([fixed_inputs] if fixed_inputs is not None else [make_inputs(f, seed, t) for t in range(trials)])] for f in specs}
    names = set(calls)
    fns = {"functions": [f for f in report["functions"] if f["name"] in names]}
    try:
        checked = permute.check_source(source, fns, calls, f"fz_{seed}.py", seed=seed)
    except Exception as exc:  # noqa: BLE001 - a checker that cannot run is a finding too
        return [{"function": None, "target": "verdict", "ran": "permuted", "what": f"verdict check: {type(exc).__name__}: {exc}"[:500]}]
    result["verdict_loops"] = len(checked.loops)
    result["verdict_compared"] = sum(s.compared for s in checked.loops)
    return [{"function": f.function, "target": "verdict", "ran": f"permuted ({f.order})", "call": f.call, "what": str(f)[:800]}
            for f in checked.failures]


# ------------------------------------------------------------------------------ loaded again under other names

#: Every RELOAD_EVERY-th program (--reload-every; 0: none) is also imported again in a fresh
#: process, after its worker filled Numba's on-disk cache under the module's first name: from
#: the same folder under another name, and from a copy of the folder (its cache entries copied,
#: times kept) under the first name and under a third one (issue 15 item 3: the cache used to
#: load an entry written under another name and the call died of ModuleNotFoundError). Offset
#: by 3 so that the ray and gpu samples (k % R == 0 and 1) do not take them all.
#: programs per worker process before a fresh one takes the lane's next seeds (memory, above)
WORKER_PROGRAMS = 250
RELOAD_EVERY = 10
RELOAD_OFFSET = 3


def reloaded(seed: int) -> bool:
    return bool(RELOAD_EVERY) and seed % SEED_STRIDE % RELOAD_EVERY == RELOAD_OFFSET % RELOAD_EVERY


def reload_mismatches(path: Path, tag: str, seed: int, trials: int, result: dict[str, Any]) -> list[dict[str, Any]]:
    """Run :func:`reload_child` in a fresh process; its differences from the original are mismatches."""
    import shutil

    copy = path.parent / f"{tag}_copy"
    (copy / "__pycache__").mkdir(parents=True, exist_ok=True)
    shutil.copy2(path, copy / path.name)
    for entry in (path.parent / "__pycache__").glob(f"{tag}.*"):  # this module's Numba cache files
        shutil.copy2(entry, copy / "__pycache__" / entry.name)
    loads = [(str(path), f"{tag}_again", "cpu"), (str(copy / path.name), tag, "auto"),
             (str(copy / path.name), f"{tag}_third", "cpu")]
    job = json.dumps({"seed": seed, "trials": min(trials, 2), "loads": loads})
    env = dict(os.environ)
    env.pop("POLYRAY_TARGET", None)
    env.pop("NUMBA_CACHE_DIR", None)  # the cache next to the file, copied with it
    code = f"import sys; sys.path.insert(0, {str(HERE)!r}); import run; run.reload_child()"
    try:
        proc = subprocess.run([sys.executable, "-c", code, job], capture_output=True, text=True, env=env, cwd=ROOT, timeout=600)
    except subprocess.TimeoutExpired:
        return [{"function": None, "target": "reload", "ran": None, "what": "reload check: timed out"}]
    line = next((x for x in proc.stdout.splitlines() if x.startswith("RELOAD ")), None)
    if proc.returncode != 0 or line is None:
        return [{"function": None, "target": "reload", "ran": None,
                 "what": f"reload check: the fresh process failed: {(proc.stdout + proc.stderr)[-600:]}"}]
    out = json.loads(line[len("RELOAD "):])
    result["reload_calls"] = out["calls"]
    result["reload_ran"] = out["ran"]
    return out["mismatches"]


def reload_child() -> None:
    """In the fresh process: each (file, module name, target) of the job imported (registered in
    sys.modules) and every function called on the first trials' inputs against the original.
    A record saying that a variant failed to load or compile (not a typing failure: those
    the worker saw too) is a mismatch as well: the cache must work under any name."""
    import polyray.runtime as rt

    sys.modules["ray"] = None  # type: ignore[assignment] - auto must not start a Ray cluster here
    job = json.loads(sys.argv[-1])
    seed = job["seed"]
    prog = gen.generate(seed)
    mismatches: list[dict[str, Any]] = []
    calls = 0
    ran_count: dict[str, int] = {}
    for file, name, target in job["loads"]:
        module = import_module(Path(file), name)
        os.environ["POLYRAY_TARGET"] = target
        for spec in prog.functions:
            wrapper = getattr(module, spec.name)
            original = getattr(module, f"_polyray_original_{spec.name}", None) or original_module(prog.source, seed).__dict__[spec.name]
            for trial in range(job["trials"]):
                args = make_inputs(spec, seed, trial)
                ref, mine = copy_args(args), copy_args(args)
                want = call(original, spec, ref)
                rt.clear_history()
                got = call(wrapper, spec, mine)
                hist = rt.history()
                calls += 1
                ran = hist[-1]["variant"] if hist else "original"
                ran_count[ran] = ran_count.get(ran, 0) + 1
                what = compare(spec, want, got, ref, mine)
                reason = hist[-1].get("reason", "") if hist else ""
                if what is None and hist and ("ModuleNotFoundError" in reason or "unreadable" in str(hist[-1].get("cache", ""))):
                    what = f"the variant could not be loaded: {reason or hist[-1].get('cache')}"
                if what:
                    mismatches.append({"function": spec.name, "target": f"reload {target} as {name}", "ran": ran,
                                       "what": what, "reason": reason, "file": file})
    print("RELOAD " + json.dumps({"calls": calls, "ran": ran_count, "mismatches": mismatches}), flush=True)


# ------------------------------------------------------------------------------ minimizing

def _blocks(lines: list[str], start: int) -> int:
    """End (exclusive) of the statement starting at lines[start] with its nested block."""
    ind = len(lines[start]) - len(lines[start].lstrip())
    end = start + 1
    while end < len(lines) and (len(lines[end]) - len(lines[end].lstrip()) > ind or not lines[end].strip()):
        end += 1
    # an `if` keeps its `else`
    if end < len(lines) and lines[end].strip() == "else:" and len(lines[end]) - len(lines[end].lstrip()) == ind:
        end = _blocks(lines, end)
    return end


def minimize(seed: int, mismatch: dict[str, Any], compiler: Compiler, workdir: Path, budget: int = 80) -> tuple[str, dict[str, Any]]:
    """Drop statements of the failing function (and the other functions) while the same kind of mismatch stays."""
    prog = gen.generate(seed)
    spec = next(f for f in prog.functions if f.name == mismatch["function"])
    inputs = make_inputs(spec, seed, mismatch["trial"])
    target = mismatch["target"]
    kind = mismatch["what"].split(":")[0].split(" ")[0]
    text = prog.source
    m = re.search(rf"^def {spec.name}\(.*?(?=^def |\Z)", text, re.S | re.M)
    assert m
    fn_text = m.group(0).rstrip("\n")
    header = gen.prelude(prog.constants) + ("\n\ndef _fz_clip(v: int) -> int:\n    return max(v, 0)\n" if "_fz_clip" in fn_text else "")

    def still_fails(candidate: str) -> bool:
        try:
            r = run_source(header + "\n\n" + candidate + "\n", [spec], seed, [target], compiler, workdir, 1, 1, spec.name, copy_args(inputs))
        except Exception:  # noqa: BLE001
            return False
        return any(x.get("target") == target and x["what"].split(":")[0].split(" ")[0] == kind for x in r["mismatches"])

    lines = fn_text.split("\n")
    tries = 0
    changed = True
    while changed and tries < budget:
        changed = False
        i = len(lines) - 1
        while i >= 1 and tries < budget:
            if lines[i].strip().startswith(("return", "else:")):
                i -= 1
                continue
            end = _blocks(lines, i)
            cand = lines[:i] + lines[end:]
            # a block left empty gets `pass`
            if i > 0 and lines[i - 1].rstrip().endswith(":") and (i >= len(cand) or (len(cand[i]) - len(cand[i].lstrip())) <= (len(lines[i - 1]) - len(lines[i - 1].lstrip()))):
                cand = lines[:i] + [" " * (len(lines[i]) - len(lines[i].lstrip())) + "pass"] + lines[end:]
                if cand == lines:
                    i -= 1
                    continue
            tries += 1
            if still_fails("\n".join(cand)):
                lines = cand
                changed = True
            i = min(i, len(lines)) - 1
    # arrays: shrink inputs is not attempted; the inputs are written out exactly
    return header + "\n\n" + "\n".join(lines) + "\n", describe_args(inputs)


def write_finding(seed: int, mismatch: dict[str, Any], source: str, inputs: dict[str, Any]) -> Path:
    FINDINGS.mkdir(parents=True, exist_ok=True)
    existing = sorted(FINDINGS.glob("[0-9][0-9][0-9]_*.py"))
    number = len(existing) + 1
    path = FINDINGS / f"{number:03d}_seed{seed}_{mismatch['function']}_{mismatch['target']}.py"
    body = (
        f'"""Fuzzer finding: program seed {seed}, function {mismatch["function"]}, POLYRAY_TARGET={mismatch["target"]}\n'
        f"(ran: {mismatch.get('ran')}; reason: {mismatch.get('reason')}).\n\n{mismatch['what']}\n\n"
        f"Minimized from `python test/fuzz/generate.py {seed}`; inputs are POLYRAY_CASES below\n"
        f'(trial {mismatch.get("trial")}). test/python/test_regressions.py runs files of this shape.\n"""\n'
    )
    cases = f"\n\nPOLYRAY_CASES = [\n    ({mismatch['function']!r}, {inputs!r}, [{mismatch['target']!r}]),\n]\n"
    path.write_text(body + source.replace('"""', "'''") + cases)
    return path


# ------------------------------------------------------------------------------ worker process

def worker(mode: str, seeds: list[int], trials: int, ray_trials: int) -> None:
    """Runs programs and prints one JSON line per program."""
    os.environ.setdefault("NUMBA_NUM_THREADS", "2")
    variants = ["cpu"] + ([mode] if mode in ("ray", "gpu") else [])
    if mode == "ray":
        import polyray.cluster

        polyray.cluster.ensure()
    compiler = Compiler()
    workdir = Path(tempfile.mkdtemp(prefix=f"polyray-fuzz-{mode}-"))
    sys.path.insert(0, str(workdir))
    atexit.register(shutil.rmtree, workdir, ignore_errors=True)  # the compiled programs (findings keep their own sources)
    try:
        for seed in seeds:
            t0 = time.time()
            try:
                r = run_program(seed, variants, compiler, workdir, trials, ray_trials)
            except Exception as exc:  # noqa: BLE001 - a crash of the harness is a finding too
                r = {"seed": seed, "functions": {}, "calls": 0, "non_original": 0, "ran": {}, "exceptions": {}, "message_diffs": 0,
                     "mismatches": [{"function": None, "what": f"harness: {type(exc).__name__}: {exc}", "trace": traceback.format_exc()[-2000:]}]}
            r["mode"] = mode
            r["seconds"] = round(time.time() - t0, 3)
            print(json.dumps(r), flush=True)
    finally:
        compiler.close()


# ------------------------------------------------------------------------------ main

def state_file(seed: int, count: int) -> Path:
    base = Path(os.environ.get("POLYRAY_CACHE_DIR", Path.home() / ".cache/polyray")) / "fuzz"
    base.mkdir(parents=True, exist_ok=True)
    families = "+".join(x for x in (os.environ.get("POLYRAY_FUZZ_FAMILIES", "").replace(",", "+"), os.environ.get("POLYRAY_FUZZ_FAMILY", ""),
                                  "table" if os.environ.get("POLYRAY_FUZZ_TABLE") == "1" else "",
                                  "private" if os.environ.get("POLYRAY_FUZZ_PRIVATE") == "1" else "",
                                  "periodic" if os.environ.get("POLYRAY_FUZZ_PERIODIC") == "1" else "",
                                  "rotation" if os.environ.get("POLYRAY_FUZZ_ROTATION") == "1" else "") if x)
    return base / f"run-{seed}-{count}{'-' + families if families else ''}.jsonl"


def coverage(results: list[dict[str, Any]]) -> dict[str, Any]:
    cov: dict[str, Any] = {"programs": len(results), "functions": 0, "accelerated": 0, "outside_subset": 0, "outside_kept_original": 0,
                           "loops": 0, "parallel_loops": 0, "functions_with_prange": 0, "rescheduled": 0, "tiled": 0, "skewed": 0,
                           "interchanged": 0, "locality": 0, "strip_mined": 0, "fused": 0, "implicit_prange": 0, "contracted": 0, "with_guard": 0, "with_gpu_variant": 0, "with_ray_variant": 0, "features": {},
                           "calls": 0, "non_original_calls": 0, "ran": {}, "original_outcomes": {}, "index_message_diffs": 0,
                           "mismatches": 0, "modes": {}}
    for r in results:
        cov["modes"][r.get("mode", "?")] = cov["modes"].get(r.get("mode", "?"), 0) + 1
        cov["calls"] += r["calls"]
        cov["non_original_calls"] += r["non_original"]
        cov["mismatches"] += len(r["mismatches"])
        cov["index_message_diffs"] += r.get("message_diffs", 0)
        for k, v in r["ran"].items():
            cov["ran"][k] = cov["ran"].get(k, 0) + v
        for k, v in r["exceptions"].items():
            cov["original_outcomes"][k] = cov["original_outcomes"].get(k, 0) + v
        for f in r["functions"].values():
            cov["functions"] += 1
            cov["accelerated"] += f["accelerated"]
            if f["outside"]:
                cov["outside_subset"] += 1
                cov["outside_kept_original"] += not f["accelerated"]
            cov["loops"] += f["loops"]
            cov["parallel_loops"] += f["parallel_loops"]
            cov["functions_with_prange"] += f["prange"]
            for k in ("rescheduled", "tiled", "skewed", "interchanged", "locality", "strip_mined", "fused", "implicit_prange", "contracted"):
                cov[k] += f.get(k, 0)  # (states written before a fact existed lack it)
            cov["with_guard"] += f["guard"]
            cov["with_gpu_variant"] += "gpu" in f["variants"]
            cov["with_ray_variant"] += "ray" in f["variants"]
            for feat in f["features"]:
                cov["features"][feat] = cov["features"].get(feat, 0) + 1
    for key in ("close_calls", "close_non_original", "close_bounded", "close_exact", "close_unbounded", "close_twin"):
        cov[key] = sum(r.get(key, 0) for r in results)
    cov["rebind_calls"] = sum(r.get("rebind_calls", 0) for r in results)
    cov["rebind_original"] = sum(r.get("rebind_original", 0) for r in results)
    cov["verdict_loops"] = sum(r.get("verdict_loops", 0) for r in results)
    cov["verdict_compared"] = sum(r.get("verdict_compared", 0) for r in results)
    cov["non_original_share"] = round(cov["non_original_calls"] / cov["calls"], 3) if cov["calls"] else 0.0
    cov["cpu_s"] = phases.totals(results)
    return cov


def print_coverage(cov: dict[str, Any]) -> None:
    print(f"programs {cov['programs']} (by worker: {cov['modes']}), functions {cov['functions']} "
          f"(accelerated {cov['accelerated']}; outside the subset {cov['outside_subset']}, kept original-only {cov['outside_kept_original']})")
    print(f"loops {cov['loops']}, parallel {cov['parallel_loops']}; functions with prange {cov['functions_with_prange']}, "
          f"with a bounds guard {cov['with_guard']}, with a gpu variant {cov['with_gpu_variant']}, with a ray variant {cov['with_ray_variant']}")
    print(f"rescheduled {cov['rescheduled']} (tiled {cov['tiled']}, skewed {cov['skewed']}, interchanged {cov['interchanged']}; "
          f"reordered inside parallel loops {cov['locality']}, strip-mined {cov['strip_mined']})")
    print(f"NumPy statements: fused {cov['fused']}, implicit loops as prange {cov['implicit_prange']}, temporaries contracted {cov['contracted']}")
    print("generated features (functions): " + ", ".join(f"{k} {v}" for k, v in sorted(cov["features"].items())))
    print("original outcomes: " + ", ".join(f"{k} {v}" for k, v in sorted(cov["original_outcomes"].items())))
    print(f"calls {cov['calls']}, non-original {cov['non_original_calls']} ({cov['non_original_share']:.1%}); "
          "requested->ran: " + ", ".join(f"{k} {v}" for k, v in sorted(cov["ran"].items())))
    print(f"IndexError with a different message (not compared): {cov['index_message_diffs']}")
    print(f"parallel verdicts checked by running their loops permuted (test/verdicts/permute.py): {cov['verdict_loops']} loops, "
          f"{cov['verdict_compared']} loop-calls compared in full")
    print(f"close mode: {cov['close_calls']} calls, non-original {cov['close_non_original']}; compared within each operation's bound "
          f"{cov['close_bounded']}, bit for bit (no close note, or the original ran) {cov['close_exact']}, "
          f"outcome and non-float arrays only (close notes without a derivable bound) {cov['close_unbounded']}; "
          f"through exact mode's module (the function generated alike) {cov['close_twin']}")
    print(f"module constants rebound between calls: {cov['rebind_calls']} calls, {cov['rebind_original']} of them ran the original")
    spent = cov.get("cpu_s", {})
    if spent:
        total = spent.get("all in the worker", 0.0) + spent.get("compile service (node)", 0.0)
        timed = [p for p in spent if p != "all in the worker"]
        print(f"CPU seconds: {total:.0f} in all, {total / max(cov['programs'], 1):.1f} a program; by phase: "
              + ", ".join(f"{p} {spent[p]:.0f}" for p in sorted(timed, key=lambda p: -spent[p]))
              + f", the rest (generated module imported, inputs, comparisons) "
                f"{spent.get('all in the worker', 0.0) - sum(spent[p] for p in timed if p != 'compile service (node)'):.0f}")
    print(f"mismatches {cov['mismatches']}")


def append_record(entry: dict[str, Any]) -> None:
    records = json.loads(RECORD.read_text()) if RECORD.exists() else []
    records.append(entry)
    RECORD.write_text(json.dumps(records, indent=1) + "\n")


def main(argv: list[str] | None = None) -> int:
    global RELOAD_EVERY
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--count", type=int, default=100)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--jobs", type=int, default=max(1, (os.cpu_count() or 2)))
    ap.add_argument("--trials", type=int, default=4, help="inputs per function")
    ap.add_argument("--ray-every", type=int, default=10, help="every R-th program also runs the ray variant (0: never)")
    ap.add_argument("--ray-trials", type=int, default=2)
    ap.add_argument("--gpu-every", type=int, default=10, help="every G-th program also runs the gpu variant (0: never)")
    ap.add_argument("--real-gpu", action="store_true", help="run the gpu sample on a real GPU instead of the simulator")
    ap.add_argument("--reload-every", type=int, default=RELOAD_EVERY,
                    help="every R-th program is also imported again in a fresh process under other names (0: never)")
    ap.add_argument("--no-record", action="store_true", help="do not append to test/fuzz/record.json")
    ap.add_argument("--no-minimize", action="store_true")
    ap.add_argument("--max-findings", type=int, default=8, help="minimize at most this many distinct mismatches")
    ap.add_argument("--fresh", action="store_true", help="ignore the state of an earlier, interrupted run")
    ap.add_argument("--resume", action="store_true", help="continue an interrupted run (the same command does so too; "
                    "--resume fails where there is nothing to continue)")
    ap.add_argument("--force-resume", action="store_true", help="continue a run whose programs so far ran on another "
                    "compiler commit (refused otherwise; the record lists the commits)")
    ap.add_argument("--families", help="every function of last session's constructs (families.ArrayFn): 'array' for all "
                    f"its kinds, or a comma list of {', '.join(families.ARRAY_KINDS)} (sets POLYRAY_FUZZ_FAMILIES)")
    ap.add_argument("--sort-family", action="store_true", help="give every program a sorting function (families.SortFn; sets POLYRAY_FUZZ_FAMILY=sort)")
    ap.add_argument("--table-family", action="store_true", help="give every program a function of NumPy table rows (families.TableFn; sets POLYRAY_FUZZ_TABLE=1)")
    ap.add_argument("--private-family", action="store_true", help="give every program a loop with a local array per iteration (families.PrivateFn; sets POLYRAY_FUZZ_PRIVATE=1)")
    ap.add_argument("--periodic-family", action="store_true", help="give every program a loop nest with periodic or divided subscripts (families.PeriodicFn; sets POLYRAY_FUZZ_PERIODIC=1)")
    ap.add_argument("--rotation-family", action="store_true", help="give every program buffers rotated between time steps (families.RotationFn; sets POLYRAY_FUZZ_ROTATION=1)")
    ap.add_argument("--worker", choices=("cpu", "ray", "gpu"), help=argparse.SUPPRESS)
    ap.add_argument("--seeds", help=argparse.SUPPRESS)
    a = ap.parse_args(argv)
    RELOAD_EVERY = max(0, a.reload_every)
    if a.families:
        os.environ["POLYRAY_FUZZ_FAMILIES"] = a.families  # the workers inherit it
        families.array_family_kinds()  # an unknown kind fails here, before any worker starts
    if a.sort_family:
        os.environ["POLYRAY_FUZZ_FAMILY"] = "sort"  # read by generate.py, here and in the workers it starts
    if a.table_family:
        os.environ["POLYRAY_FUZZ_TABLE"] = "1"  # read by generate.py, here and in the workers it starts
    if a.private_family:
        os.environ["POLYRAY_FUZZ_PRIVATE"] = "1"  # read by generate.py, here and in the workers it starts
    if a.periodic_family:
        os.environ["POLYRAY_FUZZ_PERIODIC"] = "1"  # read by generate.py, here and in the workers it starts
    if a.rotation_family:
        os.environ["POLYRAY_FUZZ_ROTATION"] = "1"  # read by generate.py, here and in the workers it starts
    if a.worker:
        worker(a.worker, [int(s) for s in a.seeds.split(",") if s], a.trials, a.ray_trials)
        return 0
    if not (ROOT / "lib/cli/main.js").exists():
        print("the compiler is not built: run `npx tsc -p tsconfig.json` (or npm test)", file=sys.stderr)
        return 2

    state = state_file(a.seed, a.count)
    if a.fresh and state.exists():
        state.unlink()
    if a.resume and not state.exists():
        print(f"--resume: no state file {state} to continue (the same --seed, --count and family options as the first sitting)",
              file=sys.stderr)
        return 2
    run_state = resume.State(state)
    commit = resume.compiler_commit(ROOT)
    refusal = run_state.refusal(commit, a.force_resume)
    if refusal:
        print(refusal, file=sys.stderr)
        return 2
    done = run_state.done
    if done:
        print(f"resuming: {len(done)} of {a.count} programs already run ({state}, commits {run_state.commits()})")
    run_state.begin(commit, forced=a.force_resume and bool(run_state.refusal(commit, False)))
    todo = [program_seed(a.seed, k) for k in range(a.count) if program_seed(a.seed, k) not in done]
    buckets: dict[str, list[int]] = {"ray": [], "gpu": []}
    cpu_seeds: list[int] = []
    for s in todo:
        k = s - a.seed * SEED_STRIDE
        if a.ray_every and k % a.ray_every == 0:
            buckets["ray"].append(s)
        elif a.gpu_every and k % a.gpu_every == 1 % max(a.gpu_every, 1):
            buckets["gpu"].append(s)
        else:
            cpu_seeds.append(s)
    procs: list[subprocess.Popen[str]] = []
    # each lane's seeds run in worker processes of at most WORKER_PROGRAMS programs each, one after another: a
    # worker keeps every program's compiled code loaded (seed 11000's two cpu workers had grown to 10.8 GB
    # resident each after about 880 programs, the 24 GB machine nearly out of memory)
    lanes: dict[int, list[tuple[str, list[int]]]] = {}

    def lane(mode: str, seeds: list[int]) -> None:
        chunks = [(mode, seeds[i:i + WORKER_PROGRAMS]) for i in range(0, len(seeds), WORKER_PROGRAMS)]
        if chunks:
            lanes[len(lanes)] = chunks

    def spawn(mode: str, seeds: list[int]) -> subprocess.Popen[str] | None:
        if not seeds:
            return None
        env = dict(os.environ)
        env.pop("POLYRAY_TARGET", None)
        if mode == "gpu" and not a.real_gpu:
            env["NUMBA_ENABLE_CUDASIM"] = "1"
        env.setdefault("NUMBA_NUM_THREADS", "2")
        cmd = [sys.executable, str(Path(__file__).resolve()), "--worker", mode, "--seeds", ",".join(map(str, seeds)),
               "--trials", str(a.trials), "--ray-trials", str(a.ray_trials), "--reload-every", str(RELOAD_EVERY)]
        proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, text=True, env=env, cwd=ROOT)
        procs.append(proc)
        return proc

    for j in range(a.jobs):
        lane("cpu", cpu_seeds[j:: a.jobs])
    lane("ray", buckets["ray"])
    lane("gpu", buckets["gpu"])

    import selectors

    sel = selectors.DefaultSelector()

    def next_worker(lane_id: int) -> bool:
        """Start the lane's next worker; False when the lane is done."""
        if not lanes[lane_id]:
            return False
        proc = spawn(*lanes[lane_id].pop(0))
        assert proc is not None and proc.stdout
        sel.register(proc.stdout, selectors.EVENT_READ, lane_id)
        return True

    for lane_id in lanes:
        next_worker(lane_id)
    t0 = time.time()
    new_mismatches: list[dict[str, Any]] = []
    with state.open("a") as sf:
        open_streams = len(lanes)
        while open_streams:
            for key, _ in sel.select():
                line = key.fileobj.readline()  # type: ignore[union-attr]
                if not line:
                    sel.unregister(key.fileobj)
                    if not next_worker(key.data):
                        open_streams -= 1
                    continue
                if not line.startswith("{"):
                    continue
                r = json.loads(line)
                r["commit"] = commit
                done[r["seed"]] = r
                sf.write(json.dumps(r) + "\n")
                sf.flush()
                for mm in r["mismatches"]:
                    mm = dict(mm, seed=r["seed"])
                    new_mismatches.append(mm)
                    print(f"MISMATCH seed {r['seed']} {mm.get('function')} target {mm.get('target')} ran {mm.get('ran')}: {mm['what']}", flush=True)
                if len(done) % 50 == 0:
                    print(f"  {len(done)}/{a.count} programs, {time.time() - t0:.0f} s", flush=True)
    rc = 0
    for p in procs:
        if p.wait() != 0:
            print(f"a worker exited with status {p.returncode}", file=sys.stderr)
            rc = 1
    results = [done[s] for s in sorted(done)]
    cov = coverage(results)
    print_coverage(cov)
    all_mismatches = [dict(m, seed=r["seed"]) for r in results for m in r["mismatches"]]
    if all_mismatches and not a.no_minimize:
        compiler = Compiler()
        workdir = Path(tempfile.mkdtemp(prefix="polyray-fuzz-min-"))
        sys.path.insert(0, str(workdir))
        atexit.register(shutil.rmtree, workdir, ignore_errors=True)
        seen: set[str] = set()
        for mm in all_mismatches:
            # one finding per kind of difference (exception types, or which array), at most --max-findings
            signature = re.sub(r"\(.*?\)|'.*?'|\d+", "", mm["what"]) + str(mm.get("target"))
            if mm.get("function") is None or "trial" not in mm or signature in seen or len(seen) >= a.max_findings:
                continue
            seen.add(signature)
            try:
                src, inputs = minimize(mm["seed"], mm, compiler, workdir)
                print(f"finding written: {write_finding(mm['seed'], mm, src, inputs)}")
            except Exception as exc:  # noqa: BLE001
                print(f"could not minimize seed {mm['seed']}: {type(exc).__name__}: {exc}")
        compiler.close()
    if len(done) == a.count and not a.no_record:
        append_record({"seed": a.seed, "count": a.count, "mismatches": cov["mismatches"],
                       "date": _dt.datetime.now(_dt.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ"),
                       "calls": cov["calls"], "non_original_share": cov["non_original_share"],
                       "ray_programs": cov["modes"].get("ray", 0), "gpu_programs": cov["modes"].get("gpu", 0),
                       "close_calls": cov["close_calls"], "close_bounded": cov["close_bounded"], "close_unbounded": cov["close_unbounded"],
                       "rebind_calls": cov["rebind_calls"],
                       # CPU seconds by phase (phases.py), summed over the sittings
                       "cpu_s": cov["cpu_s"], **run_state.record_fields(),
                       **({"families": os.environ["POLYRAY_FUZZ_FAMILIES"]} if os.environ.get("POLYRAY_FUZZ_FAMILIES") else {}),
                       "gpu": "real" if a.real_gpu else "simulator"})
    if cov["mismatches"]:
        rc = 1
    if cov["calls"] and cov["non_original_share"] < MIN_NON_ORIGINAL:
        print(f"FAIL: only {cov['non_original_share']:.1%} of the calls ran a non-original variant (at least {MIN_NON_ORIGINAL:.0%} needed)")
        rc = 1
    return rc


if __name__ == "__main__":
    sys.exit(main())
