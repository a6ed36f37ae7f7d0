"""Dispatch overhead (issue 18): run by hand, prints a table; not part of npm test.

    .venv/bin/python bench/dispatch_overhead.py [--max-arrays 8] [--calls 200] [--repeat 50] [--doc]

Compiles (with the CLI) one function per number of array arguments, 0 to
``--max-arrays``, each with two scalars besides (``s: float``, ``n: int``), the
last array written: ``out[i] = a0[i] + ... + s`` over ``range(n)`` on 16
elements, so that the compiled code itself takes well under a microsecond and
the table shows the dispatcher. Per function it times, on one thread, the
fastest mean per call of ``--repeat`` runs of ``--calls`` calls:

* ``direct``: the Numba-compiled form the dispatcher runs, called directly;
* ``hot``: the generated function (the dispatcher) with the same arguments as the
  previous call (same types, shapes and aliasing), POLYRAY_TARGET=auto and =cpu;
* ``new shapes``: the generated function with arguments of a new length on every
  call (each length comes back only after 64 others, in 2 or 3 size classes): the
  hot path keys on size classes, not shapes, so these stay hot;
* ``full``: the same calls as ``hot`` with POLYRAY_HOT_PATH=0: every call takes the
  full path (choice, checks, cost model, a fresh record), as a call whose
  arguments, size class or environment changed does;
* ``original``: the plain Python function, for scale;
* ``@parallelize``: the same functions, unhinted, through the decorator (hints from
  the first call, compiled by the compile service), hot: what NPBench and most
  users' code pay.

``hot - direct`` is the overhead issue 18 bounds (1 us); ``@parallelize - hot`` the
decorator's own cost over the CLI-generated wrapper (0.2 us), the two timed in turn.

A second table ("never slower") times, for every function at 16 elements and a few at 4096,
the plain original against the generated function under ``auto`` with the
original timed on copies (POLYRAY_TIME_ORIGINAL_BELOW at its default, 1 s),
after 12 calls: where the compiled code does not win, auto keeps the original
and the ratio shows what the dispatch alone costs. Two more columns time the
floor, where the original is kept and the generated wrapper runs its body itself
(hot.Kept): under POLYRAY_TARGET=original (no test but a flag) and for one size
class, as auto keeps it (a test of the arrays' bytes; the decision set by hand,
since here the compiled code wins everywhere). Each ratio's two sides are timed in turn. ``--doc`` writes the table
between the ``dispatch-overhead`` markers of docs/benchmarks.md. Every result of
the dispatched calls is checked against the original's on copies first; a wrong
one exits 1.
"""

from __future__ import annotations

import argparse
import datetime
import importlib.util
import os
import platform
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

# the variants compile before the first timed call (POLYRAY_JIT_WAIT), and auto never times the original
# on copies inside the timed calls (POLYRAY_TIME_ORIGINAL_BELOW=0): the table is the dispatcher alone
os.environ["POLYRAY_JIT_WAIT"] = "1"
os.environ["POLYRAY_TIME_ORIGINAL_BELOW"] = "0"
os.environ.setdefault("NUMBA_NUM_THREADS", "1")

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "python-bridge"))

import numpy as np  # noqa: E402

BEGIN = "<!-- dispatch-overhead:begin (written by bench/dispatch_overhead.py) -->"
END = "<!-- dispatch-overhead:end -->"
LENGTH = 16
COLD_LENGTHS = 64


def source(max_arrays: int) -> str:
    """One function per number of array arguments, written as a scientist would (hints, a loop)."""
    out = ["import numpy as np", "import numpy.typing as npt", "", ""]
    out += ["def f0(s: float, n: int) -> float:", "    t = 0.0", "    for i in range(n):", "        t += s * i",
            "    return t", "", ""]
    for k in range(1, max_arrays + 1):
        names = [f"a{j}" for j in range(k - 1)] + ["out"]
        params = ", ".join(f"{a}: npt.NDArray[np.float64]" for a in names)
        terms = " + ".join([f"{a}[i]" for a in names[:-1]] + ["s"])
        out += [f"def f{k}({params}, s: float, n: int) -> None:", "    for i in range(n):",
                f"        out[i] = {terms}", "", ""]
    return "\n".join(out)


def compile_module(max_arrays: int, work: Path) -> Any:
    src = work / "dispatch_kernels.py"
    src.write_text(source(max_arrays))
    gen = work / "dispatch_kernels_polyray.py"
    subprocess.run(["node", str(ROOT / "bin" / "polyray.mjs"), "compile", str(src), "-o", str(gen)],
                   check=True, capture_output=True, text=True)
    spec = importlib.util.spec_from_file_location("dispatch_kernels_polyray", gen)
    module = importlib.util.module_from_spec(spec)  # type: ignore[arg-type]
    sys.modules["dispatch_kernels_polyray"] = module
    spec.loader.exec_module(module)  # type: ignore[union-attr]
    return module


def arguments(k: int, length: int, rng: np.random.Generator) -> tuple[Any, ...]:
    arrays = tuple(rng.random(length) for _ in range(k))
    return (*arrays, 0.5, length)


def per_call(fn: Any, args_list: list[tuple[Any, ...]], calls: int, repeat: int) -> float:
    """Fastest mean seconds per call over ``repeat`` runs of ``calls`` calls cycling through ``args_list``."""
    best = float("inf")
    m = len(args_list)
    for _ in range(repeat):
        if m == 1:
            args = args_list[0]
            start = time.perf_counter()
            for _ in range(calls):
                fn(*args)
            elapsed = time.perf_counter() - start
        else:
            seq = [args_list[i % m] for i in range(calls)]
            start = time.perf_counter()
            for args in seq:
                fn(*args)
            elapsed = time.perf_counter() - start
        best = min(best, elapsed / calls)
    return best


def interleaved(fns: list[Any], args_list: list[tuple[Any, ...]], calls: int, repeat: int) -> list[float]:
    """per_call of each of ``fns``, their runs taken in turn: figures compared with each other saw the same load."""
    best = [float("inf")] * len(fns)
    for _ in range(repeat):
        for i, fn in enumerate(fns):
            best[i] = min(best[i], per_call(fn, args_list, calls, 1))
    return best


def check(name: str, original: Any, generated: Any, args: tuple[Any, ...]) -> None:
    want_args = tuple(a.copy() if isinstance(a, np.ndarray) else a for a in args)
    got_args = tuple(a.copy() if isinstance(a, np.ndarray) else a for a in args)
    want, got = original(*want_args), generated(*got_args)
    ok = (want == got or (want is None and got is None)) and all(
        np.array_equal(w, g) for w, g in zip(want_args, got_args) if isinstance(w, np.ndarray))
    if not ok:
        print(f"WRONG: {name} differs from its original", file=sys.stderr)
        sys.exit(1)


def direct_form(dispatcher: Any, args: tuple[Any, ...]) -> Any:
    """The compiled Numba dispatcher the Polyray dispatcher ran for ``args`` (the variant's form for them)."""
    from polyray.runtime.variants import call_signature

    cpu = dispatcher.variants["cpu"]
    job = cpu._jobs[call_signature(args)]
    serial, _ = cpu._use_serial(args)
    got = job.results.get("serial" if serial else "parallel")
    return got if callable(got) else job.results["parallel"]


def decorated(module_path: Path, k: int) -> Any:
    """f{k} of the unhinted copy of the source, through @parallelize."""
    from polyray import parallelize

    name = f"dispatch_plain_{k}"
    spec = importlib.util.spec_from_file_location(name, module_path)
    module = importlib.util.module_from_spec(spec)  # type: ignore[arg-type]
    sys.modules[name] = module
    spec.loader.exec_module(module)  # type: ignore[union-attr]
    return parallelize(getattr(module, f"f{k}"))


def plain_source(max_arrays: int) -> str:
    """source() without the hints (the decorator takes them from the first call)."""
    import re

    text = re.sub(r": npt\.NDArray\[np\.float64\]", "", source(max_arrays))
    return re.sub(r"(s): float, (n): int\) -> (float|None)", r"\1, \2)", text)


def interleaved2(fn: Any, one: list[tuple[Any, ...]], two: list[tuple[Any, ...]], calls: int,
                 repeat: int) -> tuple[float, float]:
    """per_call of ``fn`` on the arguments ``one`` and on ``two`` in turn, the runs taken in turn."""
    best = [float("inf"), float("inf")]
    for _ in range(repeat):
        best[0] = min(best[0], per_call(fn, one, calls, 1))
        best[1] = min(best[1], per_call(fn, two, calls, 1))
    return best[0], best[1]


def measure(max_arrays: int, calls: int, repeat: int) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    from polyray.runtime import background, clear_history, history

    alternating = {1, min(4, max_arrays), max_arrays} - {0}

    rng = np.random.default_rng(0)
    with tempfile.TemporaryDirectory() as tmp:
        module = compile_module(max_arrays, Path(tmp))
        plain = Path(tmp) / "dispatch_plain.py"
        plain.write_text(plain_source(max_arrays))
        rows = []
        for k in range(max_arrays + 1):
            fn = getattr(module, f"f{k}")
            original = getattr(module, f"_polyray_original_f{k}")
            dispatcher = getattr(module, f"_polyray_dispatch_f{k}")
            hot = [arguments(k, LENGTH, rng)]
            cold = [arguments(k, LENGTH + 1 + j, rng) for j in range(COLD_LENGTHS)]
            os.environ["POLYRAY_TARGET"] = "cpu"
            for args in (*hot, *cold):
                check(f"f{k}", original, fn, args)
            fn(*hot[0])  # compiled and warm
            background.wait_idle(300)  # (the hot path's fused entry: hot_entry.py)
            fn(*hot[0])
            variant = history()[-1]["variant"]
            if variant != "cpu":
                print(f"f{k}: the cpu variant did not run ({history()[-1]['reason']})", file=sys.stderr)
                sys.exit(1)
            direct = direct_form(dispatcher, hot[0])
            row: dict[str, Any] = {"arrays": k, "args": k + 2}
            row["direct"] = per_call(direct, hot, calls, repeat)
            row["hot_cpu"] = per_call(fn, hot, calls, repeat)
            os.environ["POLYRAY_TARGET"] = "auto"
            for args in (*hot, *cold):
                fn(*args)
                fn(*args)  # auto's first calls at a size class measure
            background.wait_idle(300)
            row["hot_auto"] = per_call(fn, hot, calls, repeat)
            row["auto_variant"] = history()[-1]["variant"]
            row["shapes_auto"] = per_call(fn, cold, calls, repeat)
            os.environ["POLYRAY_HOT_PATH"] = "0"
            dispatcher._hot.clear()
            row["full_auto"] = per_call(fn, hot, calls, repeat)
            del os.environ["POLYRAY_HOT_PATH"]
            row["original"] = per_call(original, hot, calls, repeat)
            deco = decorated(plain, k)
            for args in (*hot, *hot, *hot):
                check(f"@parallelize f{k}", original, deco, args)
            background.wait_idle(300)
            # the decorator's own cost: against the CLI wrapper of the same function, runs taken in turn
            row["deco_hot"], row["decorated"] = interleaved([fn, deco], hot, calls, repeat)
            row["decorated_variant"] = history()[-1]["variant"]
            if k in alternating:
                # two signatures in turn: float64 arrays, then float32 ones (decorator.py's switch of them)
                hot32 = [tuple(a.astype(np.float32) if isinstance(a, np.ndarray) else a for a in hot[0])]
                for args in (*hot32, *hot32, *hot32):
                    check(f"@parallelize f{k} float32", original, deco, args)
                background.wait_idle(300)
                for args in (*hot, *hot32, *hot, *hot32):
                    deco(*args)
                row["alt_one"], row["alt_two"] = interleaved2(deco, hot, [hot[0], hot32[0]], calls, repeat)
                row["alt_variants"] = sorted({r["variant"] for r in history()[-4:]})
            clear_history()
            rows.append(row)
        os.environ.pop("POLYRAY_TARGET", None)
        never = never_slower(module, calls, repeat, max_arrays)
    return rows, never


def never_slower(module: Any, calls: int, repeat: int, max_arrays: int) -> list[dict[str, Any]]:
    """original vs auto (the original timed on copies, the default) after the first calls at a size class."""
    from polyray.runtime import background, history
    from polyray.runtime.cost import size_class
    from polyray.runtime.hot import class_bounds

    rng = np.random.default_rng(1)
    rows = []
    os.environ.pop("POLYRAY_TARGET", None)
    del os.environ["POLYRAY_TIME_ORIGINAL_BELOW"]
    try:
        # every number of arrays at 16 elements (where the dispatch shows), a few at 4096 (where the work does)
        some = {0, 1, min(4, max_arrays), max_arrays}
        for k in range(max_arrays + 1):
            for length in (LENGTH, 4096) if k in some else (LENGTH,):
                fn = getattr(module, f"f{k}")
                original = getattr(module, f"_polyray_original_f{k}")
                getattr(module, f"_polyray_dispatch_f{k}").forget_measurements()
                args = [arguments(k, length, rng)]
                for _ in range(12):
                    fn(*args[0])
                background.wait_idle(300)
                t_orig, t_auto = interleaved([original, fn], args, calls, repeat)
                variant = history()[-1]["variant"]
                os.environ["POLYRAY_TARGET"] = "original"  # the dispatch floor: the wrapper runs the original's body
                fn(*args[0])
                o_floor, t_floor = interleaved([original, fn], args, calls, repeat)
                del os.environ["POLYRAY_TARGET"]  # (an environment write: the dispatcher decides again)
                # where auto keeps the original for a size class, the wrapper tests its arrays' bytes first
                # (hot.Kept): that decision made by hand for this size class, to time the test
                dispatcher = getattr(module, f"_polyray_dispatch_f{k}")
                cls, _ = size_class(args[0])
                dispatcher.keep.off()
                dispatcher.keep.add(*class_bounds(cls), dispatcher._array_bytes(args[0]))
                specialized = fn.__code__
                o_kept, t_kept = interleaved([original, fn], args, calls, repeat)
                # the same test as generated (reading hot.Kept's fields), against the one with constants
                # (kept_code.py): the two codes timed in turn on the same function object
                generic = dispatcher.keep._generic or specialized
                t_kept_gen = t_kept_const = float("inf")
                for _ in range(repeat):
                    fn.__code__ = generic
                    t_kept_gen = min(t_kept_gen, per_call(fn, args, calls, 1))
                    fn.__code__ = specialized
                    t_kept_const = min(t_kept_const, per_call(fn, args, calls, 1))
                dispatcher.keep.off()
                rows.append({"arrays": k, "length": length, "original": t_orig, "auto": t_auto,
                             "variant": variant, "floor": t_floor, "kept": t_kept, "o_floor": o_floor,
                             "o_kept": o_kept, "kept_generic": t_kept_gen, "kept_const": t_kept_const})
    finally:
        os.environ["POLYRAY_TIME_ORIGINAL_BELOW"] = "0"
    return rows


def never_table(rows: list[dict[str, Any]]) -> list[str]:
    lines = ["| array args (+2 scalars) | elements | original | auto | original / auto | auto runs "
             "| POLYRAY_TARGET=original (original / it) | original kept for the size class (original / it) "
             "| kept: generated test / test with constants |",
             "|---|---|---|---|---|---|---|---|---|"]
    for r in rows:
        lines.append(f"| {r['arrays']} | {r['length']} | {us(r['original'])} | {us(r['auto'])} "
                     f"| {r['original'] / r['auto']:.2f}x | {r['variant']} "
                     f"| {us(r['floor'])} ({r['o_floor'] / r['floor']:.2f}x) "
                     f"| {us(r['kept'])} ({r['o_kept'] / r['kept']:.2f}x) "
                     f"| {us(r['kept_generic'])} / {us(r['kept_const'])} |")
    return lines


def alternating_table(rows: list[dict[str, Any]]) -> list[str]:
    lines = ["| array args (+2 scalars) | @parallelize, one signature | two signatures in turn (float64, float32) "
             "| difference | ran |", "|---|---|---|---|---|"]
    for r in rows:
        if "alt_two" in r:
            lines.append(f"| {r['arrays']} | {us(r['alt_one'])} | {us(r['alt_two'])} "
                         f"| {us(r['alt_two'] - r['alt_one'])} | {', '.join(r['alt_variants'])} |")
    return lines


def us(seconds: float) -> str:
    return f"{seconds * 1e6:.2f} µs"


def table(rows: list[dict[str, Any]]) -> list[str]:
    lines = [
        "| array args (+2 scalars) | direct call | hot, cpu | hot, auto | **hot overhead** (auto - direct) "
        "| new shapes, auto | full path, auto | full-path overhead | original | @parallelize, hot "
        "| @parallelize overhead | **@parallelize's own** (- hot, auto) | auto ran |",
        "|---|---|---|---|---|---|---|---|---|---|---|---|---|",
    ]
    for r in rows:
        lines.append(
            f"| {r['arrays']} | {us(r['direct'])} | {us(r['hot_cpu'])} | {us(r['hot_auto'])} "
            f"| **{us(r['hot_auto'] - r['direct'])}** | {us(r['shapes_auto'])} | {us(r['full_auto'])} "
            f"| {us(r['full_auto'] - r['direct'])} | {us(r['original'])} | {us(r['decorated'])} "
            f"| {us(r['decorated'] - r['direct'])} | **{us(r['decorated'] - r['deco_hot'])}** "
            f"| {r['auto_variant']}, {r['decorated_variant']} |")
    return lines


def machine() -> str:
    commit = subprocess.run(["git", "-C", str(ROOT), "rev-parse", "--short", "HEAD"], capture_output=True,
                            text=True).stdout.strip()
    load = ", ".join(f"{x:.2f}" for x in os.getloadavg())
    return (f"{platform.processor() or platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}, "
            f"NumPy {np.__version__}; load average {load}; commit {commit}; "
            f"{datetime.datetime.now(datetime.timezone.utc):%Y-%m-%d %H:%M} UTC")


def write_doc(lines: list[str], header: str) -> None:
    doc = ROOT / "docs" / "benchmarks.md"
    text = doc.read_text()
    block = "\n".join([BEGIN, "", header, "", *lines, "", END])
    if BEGIN in text and END in text:
        text = text[: text.index(BEGIN)] + block + text[text.index(END) + len(END):]
    else:
        text = text.rstrip("\n") + "\n\n## Dispatch overhead\n\n" + block + "\n"
    doc.write_text(text)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--max-arrays", type=int, default=8)
    # many short runs: on a loaded machine the fastest of 50 runs of 200 calls is one no other process cut into
    parser.add_argument("--calls", type=int, default=200)
    parser.add_argument("--repeat", type=int, default=50)
    parser.add_argument("--doc", action="store_true", help="write the table into docs/benchmarks.md")
    opts = parser.parse_args()
    rows, never = measure(opts.max_arrays, opts.calls, opts.repeat)
    header = machine()
    lines = [*table(rows), "", "Never slower (issue 18): the original against auto after 12 calls, the original "
             "timed on copies (the default):", "", *never_table(never), "",
             "Signatures in turn (issue 18): the same @parallelize function called with float64 and float32 "
             "arrays alternately, against float64 only, the runs taken in turn:", "", *alternating_table(rows)]
    print(header)
    print("\n".join(lines))
    if opts.doc:
        write_doc(lines, header)


if __name__ == "__main__":
    main()
