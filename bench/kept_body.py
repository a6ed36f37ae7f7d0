"""Why the generated wrapper carries a copy of the original's body (hot.Kept; codegen/dispatcher.ts emitWrapper):
run by hand, prints two lines; not part of npm test.

    .venv/bin/python bench/kept_body.py [--repeat 41] [--n 0]

Compiles a one-array function, keeps the original (POLYRAY_TARGET=original), and times, in turn, the fastest
mean per call of ``--repeat`` runs: ``copy``, the generated wrapper running the body in its own frame, and
``call``, the same wrapper with the copy replaced by a call to the original (its kept test only the flag, so
the difference is at least the extra frame). ``--n`` is the loop's length (0: the call alone).
"""
from __future__ import annotations

import shutil
import atexit
import argparse
import importlib.util
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
KERNEL = '''import numpy as np


def kept1(a0: np.ndarray[tuple[int], np.dtype[np.float64]], s: float, n: int) -> None:
    for i in range(n):
        a0[i] = a0[i] * 0.5 + s
'''


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--repeat", type=int, default=41)
    ap.add_argument("--n", type=int, default=0)
    opts = ap.parse_args()
    os.environ["POLYRAY_TARGET"] = "original"
    work = Path(tempfile.mkdtemp(prefix="polyray-kept-"))
    atexit.register(shutil.rmtree, work, ignore_errors=True)  # removed when the run ends
    (work / "k.py").write_text(KERNEL)
    subprocess.run(["node", str(ROOT / "bin" / "polyray.mjs"), "compile", str(work / "k.py"), "-o", str(work / "g.py")],
                   check=True, capture_output=True)
    spec = importlib.util.spec_from_file_location("polyray_kept_bench", work / "g.py")
    mod = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = mod
    spec.loader.exec_module(mod)
    copy = mod.kept1
    scope = {"K": mod._polyray_keep_kept1, "G": mod.__dict__, "original": copy.__wrapped__}
    exec("def call(a0, s, n):\n    if not K.on:\n        return G['_polyray_enter_kept1'](a0, s, n)\n"
         "    return original(a0, s, n)\n", scope)
    call = scope["call"]
    a, n = np.zeros(max(opts.n, 1)), opts.n
    for f in (copy, copy, call):
        f(a, 1.0, n)
    assert scope["K"].on, "the original is not kept"

    def per_call(f, calls: int = 2000) -> float:
        t0 = time.perf_counter()
        for _ in range(calls):
            f(a, 1.0, n)
        return (time.perf_counter() - t0) / calls

    best = {"copy": float("inf"), "call": float("inf")}
    for r in range(opts.repeat):
        for name, f in (("copy", copy), ("call", call))[:: 1 if r % 2 else -1]:
            best[name] = min(best[name], per_call(f))
    print(f"copy {best['copy'] * 1e9:.0f} ns, call {best['call'] * 1e9:.0f} ns per call (n={n}, load {os.getloadavg()[0]:.0f})")
    print(f"call/copy {best['call'] / best['copy']:.3f}: {1e9 * (best['call'] - best['copy']):.0f} ns more per kept call")


if __name__ == "__main__":
    main()
