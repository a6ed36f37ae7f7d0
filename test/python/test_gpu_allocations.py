"""GPU variants of two forms of issue 17's NumPy table: local arrays the host code allocates (np.zeros,
np.empty, np.ones, np.full, np.zeros_like/empty_like/ones_like, np.copy and a.copy(), a.astype: made on the
device and filled there by a kernel, codegen/gpu-allocations.ts) and whole-array statements of exact rounding
ufuncs (`out[:] = np.floor(x)`: lowered to their implicit loops, poly/lower-slices.ts, then one thread per
element). One compile per numerics mode serves every check: under Numba's CUDA simulator the gpu variant
gives the original's results bit for bit (NaN, infinities, -0.0, halves, ints past 2**53 converted), for empty
arrays too, and shapes the guard refuses (or an allocation NumPy refuses) leave the call to the original,
which raises as it does; the CPU variant of the same module, whose code the lowering changed too, as well.
Functions whose allocation has no device form stay off the GPU and the report says why."""
from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap

import pytest

from compiled import ROOT

F1 = "np.ndarray[tuple[int], np.dtype[np.float64]]"
F2 = "np.ndarray[tuple[int, int], np.dtype[np.float64]]"
I1 = "np.ndarray[tuple[int], np.dtype[np.int64]]"
S1 = "np.ndarray[tuple[int], np.dtype[np.float32]]"

SOURCE = textwrap.dedent(f"""\
    import numpy as np


    def floored(x: {F1}, out: {F1}):
        out[:] = np.floor(x)


    def rounded_inside(A: {F2}, B: {F2}):
        B[1:-1, 1:-1] = np.rint(A[1:-1, 1:-1] * 0.5) + np.trunc(A[:-2, 1:-1]) - np.ceil(A[2:, 1:-1]) + np.fabs(A[1:-1, :-2])


    def jacobi_steps(A: {F2}, B: {F2}, steps: int):
        for t in range(steps):
            B[1:-1, 1:-1] = 0.25 * (A[1:-1, :-2] + A[1:-1, 2:] + A[:-2, 1:-1] + A[2:, 1:-1])
            A[1:-1, 1:-1] = 0.25 * (B[1:-1, :-2] + B[1:-1, 2:] + B[:-2, 1:-1] + B[2:, 1:-1])


    def floor_temporary(x: {F1}, out: {F1}):
        t = np.floor(x * 0.5)
        out[:] = x - t


    def doubled(x: {F1}) -> {F1}:
        t = x.copy()
        for i in range(x.shape[0]):
            t[i] = t[i] * 2.0
        return t


    def scaled(A: {F2}, s: float) -> {F2}:
        T = np.zeros_like(A)
        n, m = A.shape
        for i in range(n):
            for j in range(m):
                T[i, j] = A[i, j] * s + T[i, j]
        return T


    def outer(n: int, x: {F1}) -> {F2}:
        P = np.zeros((n, n))
        for i in range(n):
            for j in range(n):
                P[i, j] = P[i, j] + x[i] * x[j]
        return P


    def halved(x: {F1}) -> {S1}:
        h = x.astype(np.float32)
        for i in range(x.shape[0]):
            h[i] = h[i] * np.float32(0.5)
        return h


    def shifted(x: {F1}, v: float) -> {F1}:
        f = np.full(x.shape[0], v)
        for i in range(x.shape[0]):
            f[i] = f[i] + x[i]
        return f


    def blended(x: {F1}, out: {F1}):
        w = np.ones_like(x)
        e = np.empty_like(x)
        for i in range(x.shape[0]):
            e[i] = x[i] * w[i]
        for i in range(x.shape[0]):
            out[i] = e[i] + w[i]


    def ramps(x: {F1}, out: {F1}):
        o = np.ones(x.shape[0])
        e = np.empty((x.shape[0],))
        for i in range(x.shape[0]):
            e[i] = x[i] - o[i]
        for i in range(x.shape[0]):
            out[i] = e[i] * 2.0 + o[i]


    def tripled(k: {I1}) -> {I1}:
        c = np.copy(k)
        for i in range(k.shape[0]):
            c[i] = c[i] * 3
        return c


    def as_floats(k: {I1}) -> {F1}:
        f = k.astype(np.float64)
        for i in range(k.shape[0]):
            f[i] = f[i] + 0.5
        return f


    def truncated(x: {F1}) -> {I1}:
        k = x.astype(np.int64)
        for i in range(x.shape[0]):
            k[i] = k[i] + 1
        return k


    def offsets(x: {F1}) -> {F1}:
        o = np.zeros(x.shape[0], dtype=float)
        for i in range(x.shape[0]):
            o[i] = x[i] + 1.0
        return o


    def first_of(x: {F1}) -> float:
        t = np.zeros_like(x)
        for i in range(x.shape[0]):
            t[i] = x[i] + 1.0
        return t[0]
""")

ON_GPU = ["floored", "rounded_inside", "jacobi_steps", "floor_temporary", "doubled", "scaled", "outer", "halved",
          "shifted", "blended", "ramps", "tripled", "as_floats", "offsets"]
#: off the GPU, with the reason the report gives
OFF_GPU = {"truncated": "int() or .astype() of floats to integers",
           "first_of": "uses the array 't' outside a parallel loop"}

SIM_SCRIPT = """
import json, os, sys
import numpy as np
sys.path.insert(0, {test_dir!r})
from pathlib import Path
from compiled import compile_and_import, compare_with_original, same_in_both_modes
out_dir = Path({out!r})
source = out_dir / "gpu_allocations.py"
plain = {{}}
exec(compile(source.read_text(), str(source), "exec"), plain)  # the functions as written
mods = {{m: compile_and_import(source, out_dir, f"gpu_allocations_{{m}}", "--targets", "cpu,gpu", "--numerics", m, "--report", str(out_dir / f"{{m}}.json"))
        for m in ("exact", "close")}}
twins = same_in_both_modes(mods["exact"], mods["close"])
rng = np.random.default_rng(11)
ran = {{}}
REFUSED = "refused"  # the cases after it in a list

def calls(n):
    x = np.round(rng.standard_normal(n) * 3.0, 1)
    if n >= 9:
        x[:9] = [np.nan, np.inf, -np.inf, -0.0, 0.5, -0.5, 2.5, -1.5, 4503599627370495.5]
    A = np.round(rng.standard_normal((n, n + 2)) * 4.0, 1)
    if A.size:
        A.flat[1] = np.nan
        A.flat[-2] = -0.0
    k = rng.integers(-5, 6, n)
    if n >= 2:
        k[:2] = [2**53 + 1, -(2**62) - 3]
    return {{
        # refused by the guard (then the original runs, and raises where NumPy does): an out one longer
        # (broadcast from length 1 at n = 1, else NumPy's error), an index past x's end, a negative size
        "floored": [(x, np.zeros(n)), REFUSED, (x, np.zeros(n + 1))],
        "rounded_inside": [(A, np.zeros_like(A))],
        "jacobi_steps": [(A, A * 0.5, 2)],
        "floor_temporary": [(x, np.zeros(n))],
        "doubled": [(x,), (x[::2],)],
        "scaled": [(A, -1.5), (np.asfortranarray(A), 0.25)],
        "outer": [(n, x), REFUSED, (n + 1, x), (-1, x)],
        "halved": [(x,)],
        "shifted": [(x, -0.25)],
        "blended": [(x, np.zeros(n))],
        "ramps": [(x, np.zeros(n))],
        "tripled": [(k,)],
        "as_floats": [(k,)],
        "offsets": [(x,)],
        "truncated": [(x[np.isfinite(x)],)],
        "first_of": [(x,)],
    }}

for target in ("gpu", "cpu"):
    os.environ["POLYRAY_TARGET"] = target
    for mode in ("exact",) if twins else ("exact", "close"):
        mod = mods[mode]
        for n in (12, 1, 0):
            for name, cases in calls(n).items():
                valid = True
                for args in cases:
                    if args == REFUSED:
                        valid = False
                        continue
                    try:
                        # (Numba words NumPy's negative-size error its own way: the CPU variant's message may differ)
                        r = compare_with_original(getattr(mod, name), plain[name], *args, loose_messages=("ValueError",) if target == "cpu" else ())
                    except AssertionError:
                        print(f"{{name}} differs from the original ({{target}}, {{mode}}, n = {{n}}, {{[getattr(a, 'shape', a) for a in args]}})", file=sys.stderr)
                        raise
                    ran.setdefault(f"{{target}}:{{name}}", []).append([valid, r.status, r.variant])
print(json.dumps({{"twins": twins, "ran": ran}}))
"""


def test_allocations_and_whole_array_statements_on_the_gpu_simulator(tmp_path):
    if not (ROOT / "lib/cli/main.js").exists():
        pytest.skip("the compiler is not built (run npm test, which builds lib/)")
    (tmp_path / "gpu_allocations.py").write_text(SOURCE)
    env = {**os.environ, "NUMBA_ENABLE_CUDASIM": "1", "POLYRAY_CACHE_DIR": str(tmp_path / "cache")}
    script = SIM_SCRIPT.format(test_dir=str(ROOT / "test/python"), out=str(tmp_path))
    proc = subprocess.run([sys.executable, "-c", textwrap.dedent(script)], env=env, capture_output=True, text=True, timeout=600)
    assert proc.returncode == 0, proc.stderr[-3000:]
    got = json.loads(proc.stdout.strip().splitlines()[-1])
    for mode in ("exact", "close"):
        by_name = {f["name"]: f for f in json.loads((tmp_path / f"{mode}.json").read_text())["functions"]}
        for name in ON_GPU:
            assert "gpu" in by_name[name]["variants"], (mode, name, by_name[name]["transformations"])
        for name, why in OFF_GPU.items():
            assert "gpu" not in by_name[name]["variants"] and "cpu" in by_name[name]["variants"], (mode, name)
            assert any(why in t for t in by_name[name]["transformations"]), (mode, name, by_name[name]["transformations"])
    ran = got["ran"]
    for name in ON_GPU:
        outcomes = ran[f"gpu:{name}"]
        # every valid call ran the gpu variant (the empty arrays too), every refused one the original
        assert all(v == ("gpu" if ok else "original") for ok, _, v in outcomes), (name, outcomes)
        # (the CPU variant raises NumPy's negative-size error itself: what it did was compared, not where)
        assert all(v == "cpu" for ok, _, v in ran[f"cpu:{name}"] if ok), (name, ran[f"cpu:{name}"])
    for name in OFF_GPU:
        # a forced gpu target runs the cpu variant (the original where the guard refuses: first_of of an empty x)
        assert all(v == "cpu" for _, s, v in ran[f"gpu:{name}"] if s == "ok"), (name, ran[f"gpu:{name}"])
    # the refusals raised as NumPy does: its broadcast error, an index past x's end, a negative size
    assert {s for ok, s, _ in ran["gpu:floored"] if not ok} == {"ok", "ValueError"}
    assert {s for ok, s, _ in ran["gpu:outer"] if not ok} == {"IndexError", "ValueError"}
