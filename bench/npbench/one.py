"""Run one NPBench benchmark through Polyray's first-call path; print one JSON line.

Child process of bench/npbench/run.py (one per benchmark, so a hang or a crash
costs one row). Steps, each announced on stderr as ``phase: NAME`` so that the
parent can say where a killed child was:

1. the inputs: the benchmark's ``initialize`` at the preset's parameters, as
   NPBench's framework builds them (parameters, then the init's outputs);
2. the reference: the unhinted NumPy version (``<module>_numpy.py``) on copies;
3. Polyray: a second, separate copy of that module whose every function defined
   in it is replaced by ``polyray.parallelize(function)`` (in the module's
   globals, so the functions it calls are the wrapped ones too; the files are
   not edited), called on fresh copies; outputs are the returned values plus the
   benchmark's ``output_args`` arrays, compared with NPBench's test and bit for bit;
4. NPBench's ``_numba_n`` version (issue 17's yardstick: every function of the
   module that it compiles, Polyray compiles too): one call at the preset, after
   which each of its ``numba.jit`` functions is compiled in nopython mode or not
   (a typing error, a function never reached, object mode); ``numba_n`` in the
   JSON line lists them, with whether its outputs pass NPBench's test;
5. with ``--time``: medians of NumPy, Polyray (calls after the first) and each
   NPBench Numba version present (``_numba_n``, ``_numba_np``, ``_numba_npr``,
   after one warm-up call). Polyray's calls run under ``auto`` as a user's do,
   "never slower" included: since a call waits for its variant here
   (POLYRAY_JIT_WAIT=1), the original never runs while it compiles, so auto
   times it on copies on the class's second call whatever its prediction
   (POLYRAY_TIME_ORIGINAL_BELOW=inf: it is the NumPy version just timed), and
   keeps it where the compiled code does not beat it; ``timed_variant`` says
   which one the last timed call ran, and why; ``polyray_calls`` has each timed
   call's seconds (at a large preset the few calls include auto's first ones).
   The settled speed (issue 18) is the median of the calls made after auto's
   choice settled (a run record with ``settled`` or ``hot``; a call the generated
   wrapper ran itself leaves none and keeps the state): ``times["polyray_settled"]``,
   ``polyray_settled_calls``; where fewer than SETTLED_CALLS of the ``--repeat``
   calls were settled, up to ``--repeat`` more calls are made for it
   (``polyray_extra_calls``; ``polyray`` stays the median of the first ones).
   ``polyray_forms``: the form (serial, parallel) each timed cpu run record names.
   The row is printed again after each timed version (run.py keeps the last one
   when a version runs out of time).

The JSON line (prefixed ``RESULT ``) has the verdict, the functions (accelerated
or not, and the decorator's note saying why), the main function's run records
(``polyray.runtime.history()``: variant, reason) and the timings.
"""

from __future__ import annotations

import argparse
import copy
import importlib.util
import inspect
import json
import os
import statistics
import sys
import time
import traceback
from typing import Any

import numpy as np
# timings and comparisons of compiled variants: a call waits for its variant to compile
# (issue 19: by default the first calls run the original while it compiles in the background)
os.environ.setdefault("POLYRAY_JIT_WAIT", "1")

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from validate import TOLERANCE_KEYS, as_list, bitwise_equal, npbench_valid  # noqa: E402

NUMBA_VERSIONS = ("numba_n", "numba_np", "numba_npr")


def phase(name: str) -> None:
    print(f"phase: {name}", file=sys.stderr, flush=True)


def load_module(path: str, name: str) -> Any:
    """Import a file as a fresh module named ``name`` (its directory is on sys.path for sibling imports)."""
    folder = os.path.dirname(path)
    if folder not in sys.path:
        sys.path.insert(0, folder)
    spec = importlib.util.spec_from_file_location(name, path)
    if spec is None or spec.loader is None:
        raise ImportError(f"cannot load {path}")
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    spec.loader.exec_module(module)
    return module


def make_data(info: dict[str, Any], folder: str, preset: str) -> dict[str, Any]:
    """NPBench's inputs: the preset's parameters, then the init function's outputs by name."""
    params = dict(info["parameters"][preset])
    data = dict(params)
    init = info.get("init")
    if init:
        module = load_module(os.path.join(folder, info["module_name"] + ".py"), f"npb_init_{info['module_name']}")
        out = getattr(module, init["func_name"])(*[params[a] for a in init["input_args"]])
        names = init["output_args"]
        outs = list(out) if len(names) > 1 else [out]
        data.update(zip(names, outs))
    return data


def call(fn: Any, info: dict[str, Any], data: dict[str, Any]) -> tuple[list[Any], float]:
    """(outputs, seconds) of one call on fresh copies of the array arguments, as NPBench does it."""
    arrays = set(info.get("array_args", []))
    args = {a: (np.copy(data[a]) if a in arrays else copy.copy(data[a])) for a in info["input_args"]}
    start = time.perf_counter()
    ret = fn(*[args[a] for a in info["input_args"]])
    seconds = time.perf_counter() - start
    return as_list(ret) + [args[a] for a in info.get("output_args", [])], seconds


def own_functions(module: Any) -> dict[str, Any]:
    """The plain functions defined in the module itself (not imported ones)."""
    return {n: f for n, f in vars(module).items() if inspect.isfunction(f) and f.__module__ == module.__name__}


def wrap_module(module: Any, numerics: str | None = None) -> dict[str, Any]:
    """Replace each own function by its ``@parallelize`` wrapper in the module's globals."""
    from polyray import parallelize

    wrapped = {}
    for name, fn in own_functions(module).items():
        wrapped[name] = parallelize(fn, numerics=numerics)
        setattr(module, name, wrapped[name])
    return wrapped


def function_rows(wrapped: dict[str, Any], main: str) -> list[dict[str, Any]]:
    """Per wrapped function: accelerated for some signature, and the decorator's notes. A function
    compiled into a compiled caller (issue 17) is accelerated there even when its own wrapper,
    never entered from Python, compiled nothing: ``into`` names those callers."""
    into: dict[str, list[str]] = {}
    for caller, w in wrapped.items():
        for callee in sorted(getattr(w, "compiled_callees", ())):
            into.setdefault(callee, []).append(caller)
    rows = []
    for name, w in wrapped.items():
        notes = [note for _, note in w.compiled.values()]
        own = any(t is not None for t, _ in w.compiled.values())
        rows.append({"name": name, "main": name == main, "called": bool(w.compiled) or name in into,
                     "accelerated": own or name in into, "into": into.get(name, []), "notes": notes})
    return rows


def numba_compiled(module: Any) -> dict[str, bool]:
    """Per ``numba.jit`` function of a loaded Numba version: compiled in nopython mode for some
    signature (Numba compiles on the first call, so this is read after calling the main function)."""
    from numba.core.dispatcher import Dispatcher

    out = {}
    for name, obj in vars(module).items():
        if isinstance(obj, Dispatcher) and getattr(obj.py_func, "__module__", None) == module.__name__:
            out[name] = any(not getattr(cres, "objectmode", False) for cres in obj.overloads.values())
    return out


def numba_n_row(path: str, name: str, info: dict[str, Any], data: dict[str, Any], ref: list[Any],
                tol: dict[str, Any]) -> tuple[dict[str, Any], Any]:
    """One call of NPBench's ``_numba_n`` main function: which of its functions Numba compiled
    (nopython), the error when the call failed, and whether its outputs pass NPBench's test.
    Also returns the loaded main function (None when the call failed), for the timings."""
    row: dict[str, Any] = {"file": os.path.basename(path)}
    try:
        module = load_module(path, f"npb_{name}_numba_n")
    except Exception as exc:  # noqa: BLE001 - a Numba version that does not import compiles nothing
        row.update(error=f"{type(exc).__name__}: {str(exc)[:200]}", compiled={})
        return row, None
    fn = getattr(module, info["func_name"], None)
    try:
        if fn is None:
            raise AttributeError(f"no function {info['func_name']}")
        val, _ = call(fn, info, data)
        valid, why = npbench_valid(ref, val, **tol)
        row.update(valid=valid, why_wrong=why)
    except Exception as exc:  # noqa: BLE001 - Numba's typing errors are the point of this column
        row["error"] = f"{type(exc).__name__}: {str(exc).splitlines()[0][:200] if str(exc) else ''}"
        fn = None
    row["compiled"] = numba_compiled(module)
    return row, fn


def numba_n_gaps(numba_n: dict[str, Any], functions: list[dict[str, Any]], main_variant: str | None = None) -> list[str]:
    """The functions of the NumPy module that the ``_numba_n`` version compiles (same name) and
    Polyray does not: not accelerated, or (the main function, whose run record says) accelerated
    but running the original because Numba could not compile the variant. Issue 17's done-when
    asks for none."""
    compiled = numba_n.get("compiled", {})
    main_ran_original = main_variant in (None, "original")
    return [f["name"] for f in functions
            if compiled.get(f["name"]) and (not f.get("accelerated") or (f.get("main") and main_ran_original))]


def partial(result: dict[str, Any]) -> None:
    """The row so far, after each timed version: when a slow one runs out of the parent's time limit
    (a large preset), the parent keeps the verdict and the times measured before it (run.py)."""
    print("RESULT " + json.dumps(result, default=str), flush=True)


def call_times(fn: Any, info: dict[str, Any], data: dict[str, Any], repeat: int) -> list[float]:
    return [call(fn, info, data)[1] for _ in range(repeat)]


def median_time(fn: Any, info: dict[str, Any], data: dict[str, Any], repeat: int) -> float:
    return statistics.median(call_times(fn, info, data, repeat))


#: Settled calls the settled-speed column wants (fewer where --repeat is smaller).
SETTLED_CALLS = 3


def is_settled(records: list[dict[str, Any]], main: str, before: bool) -> bool:
    """Whether auto's choice for ``main`` is settled after a call whose run records are ``records``: its last
    record says so (``settled``, or a hot call's shared record); no record of it (the generated wrapper ran
    the original's body itself, which it does only once settled) leaves ``before``."""
    mine = [r for r in records if r.get("function") == main]
    if not mine:
        return before
    return bool(mine[-1].get("settled") or mine[-1].get("hot"))


def polyray_calls(fn: Any, info: dict[str, Any], data: dict[str, Any], repeat: int, main: str,
                  settled: bool) -> tuple[list[float], list[bool]]:
    """Each timed call's seconds and whether auto's choice had settled before it (``settled``: after the calls
    before these): ``repeat`` calls, then more (``repeat`` at most) until SETTLED_CALLS of them were settled."""
    from polyray.runtime import history

    seconds: list[float] = []
    flags: list[bool] = []
    want = min(SETTLED_CALLS, repeat)
    while len(seconds) < repeat or (sum(flags) < want and len(seconds) < 2 * repeat):
        done = len(history())
        flags.append(settled)
        seconds.append(call(fn, info, data)[1])
        settled = is_settled(history()[done:], main, settled)
    return seconds, flags


def run(info: dict[str, Any], root: str, preset: str, timing: bool, repeat: int,
        numerics: str | None = None, numba_n: bool = True) -> dict[str, Any]:
    from polyray.runtime import clear_history, history

    folder = os.path.join(root, "npbench", "benchmarks", info["relative_path"])
    name, main = info["module_name"], info["func_name"]
    tol = {k: info[k] for k in TOLERANCE_KEYS if k in info}
    result: dict[str, Any] = {"benchmark": info["short_name"], "module": name, "function": main, "preset": preset}
    phase("init")
    data = make_data(info, folder, preset)
    phase("numpy")
    numpy_path = os.path.join(folder, name + "_numpy.py")
    reference = load_module(numpy_path, f"npb_ref_{name}")
    ref, ref_seconds = call(getattr(reference, main), info, data)
    phase("polyray")
    subject = load_module(numpy_path, f"npb_{name}_numpy")
    wrapped = wrap_module(subject, numerics)
    result["numerics"] = importlib.import_module("polyray.numerics").resolve(numerics)
    clear_history()
    try:
        val, first_seconds = call(getattr(subject, main), info, data)
    except Exception as exc:  # noqa: BLE001 - the NumPy version ran: an exception here is a wrong result
        result.update(status="error", error=f"{type(exc).__name__}: {exc}", traceback=traceback.format_exc(limit=6))
        val, first_seconds = None, None
    records = [r for r in history() if r.get("function") == main]
    result["functions"] = function_rows(wrapped, main)
    result["records"] = [{"variant": r.get("variant"), "reason": r.get("reason"), "error": r.get("error")}
                         for r in records[:3]]
    result["variant"] = records[0].get("variant") if records else None
    result["first_call_s"] = first_seconds
    if val is not None:
        valid, why = npbench_valid(ref, val, **tol)
        result.update(status="ok" if valid else "wrong", why_wrong=why, bitwise=bitwise_equal(ref, val))
    numba_n_fn = None
    numba_n_path = os.path.join(folder, f"{name}_numba_n.py")
    if numba_n and os.path.exists(numba_n_path):
        # Polyray's verdict first: if Numba's compile runs out of time, the parent keeps this row
        print("RESULT " + json.dumps(result, default=str), flush=True)
        phase("numba_n")
        result["numba_n"], numba_n_fn = numba_n_row(numba_n_path, name, info, data, ref, tol)
        result["numba_n_not_polyray"] = numba_n_gaps(result["numba_n"], result["functions"], result.get("variant"))
    if timing and result["status"] == "ok":
        phase("time")
        times: dict[str, Any] = {}
        result["times"] = times
        times["numpy"] = median_time(getattr(reference, main), info, data, repeat)
        partial(result)
        phase("time polyray")
        os.environ.setdefault("POLYRAY_TIME_ORIGINAL_BELOW", "inf")  # (see 5. above)
        settled = is_settled(history(), main, False)  # (after the checked call above)
        clear_history()
        # each call's time too: auto's first calls at a size class time the original and the forms (a large
        # preset's few calls may not all be settled ones: the settled column takes those after auto settled)
        seconds, flags = polyray_calls(getattr(subject, main), info, data, repeat, main, settled)
        result["polyray_calls"] = seconds[:repeat]
        result["polyray_extra_calls"] = seconds[repeat:]
        result["polyray_settled_calls"] = [t for t, ok in zip(seconds, flags) if ok]
        times["polyray"] = statistics.median(result["polyray_calls"])
        if result["polyray_settled_calls"]:
            times["polyray_settled"] = statistics.median(result["polyray_settled_calls"])
        else:
            times["polyray_settled"] = f"not settled in {len(seconds)} calls"
        timed = [r for r in history() if r.get("function") == main]
        # which form of a parallel CPU variant each timed run record says ran (None: not a parallel one), in
        # order: the form trials, then the choice (a slower settled figure may be a form choice, not the code)
        result["polyray_forms"] = [r.get("form") for r in timed if r.get("variant") == "cpu"]
        if timed:
            result["timed_variant"] = timed[-1].get("variant")
            result["timed_reason"] = (timed[-1].get("reason") or "")[:240]
        partial(result)
        for version in NUMBA_VERSIONS:
            path = os.path.join(folder, f"{name}_{version}.py")
            if not os.path.exists(path):
                continue
            phase(f"time {version}")
            try:
                if version == "numba_n" and numba_n_fn is not None:
                    fn = numba_n_fn  # compiled by the numba_n phase: that call was the warm-up
                else:
                    fn = getattr(load_module(path, f"npb_{name}_{version}"), main)
                    call(fn, info, data)  # warm-up: Numba compiles on the first call
                times[version] = median_time(fn, info, data, repeat)
            except Exception as exc:  # noqa: BLE001 - a Numba version that fails is a note, not our failure
                times[version] = f"{type(exc).__name__}"
            partial(result)
        result["numpy_first_s"] = ref_seconds
    return result


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("bench_json")
    ap.add_argument("--npbench", required=True)
    ap.add_argument("--preset", default="S")
    ap.add_argument("--time", action="store_true")
    ap.add_argument("--repeat", type=int, default=5)
    ap.add_argument("--numerics", choices=("exact", "close"))
    ap.add_argument("--no-numba-n", action="store_true", help="skip the _numba_n compile check")
    args = ap.parse_args(argv)
    with open(args.bench_json) as f:
        info = json.load(f)["benchmark"]
    result = run(info, args.npbench, args.preset, args.time, args.repeat, args.numerics, not args.no_numba_n)
    print("RESULT " + json.dumps(result, default=str), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
