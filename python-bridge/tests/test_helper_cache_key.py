"""A variant's on-disk Numba cache entry must not outlive a change to the runtime helper it calls
(issue 18 item 2; runtime/jitting.py: runtime_fingerprint).

Numba keys an entry by the variant's bytecode and its file's stamp; the helpers compiled into
the entry (``_polyray_h_sin`` here, from runtime/math_helpers.py) are not in its key. So after a
helper's source changed, the variant kept loading its old entry with the old helper inside.
Here a temporary copy of the polyray package runs a compiled kernel in a fresh process (the
cache filled), then the copy's ``sin`` helper is changed to compute a cosine and a second
process runs the same file: it must compile again (no entry of the file loaded) and return
what the changed helper computes.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]

SOURCE = '''
import math
import numpy as np


def sines(A: np.ndarray, out: np.ndarray) -> None:
    for i in range(A.shape[0]):
        out[i] = math.sin(A[i])
'''

# the line of runtime/math_helpers.py that the copy changes (sin's overload computes a cosine)
SIN_LINE = "return _periodic(math.sin) if _real(x) else None"
COS_LINE = "return _periodic(math.cos) if _real(x) else None"

# Runs in the fresh process: import the kernel under its own name, run the CPU variant, print
# the output and the variant that ran. The dispatcher's target is cpu: the variant's own result.
CHILD = textwrap.dedent('''
    import importlib.util, json, sys
    import numpy as np
    import polyray.runtime as rt

    spec = importlib.util.spec_from_file_location("settle_kern", sys.argv[1])
    module = importlib.util.module_from_spec(spec)
    sys.modules["settle_kern"] = module
    spec.loader.exec_module(module)
    A = np.linspace(0.1, 1.5, 64)
    out = np.zeros(64)
    module.sines(A, out)
    record = rt.history()[-1]
    print("REPORT " + json.dumps({"sin": bool(np.allclose(out, np.sin(A))), "cos": bool(np.allclose(out, np.cos(A))),
                                  "variant": record["variant"], "runtime": rt.__file__}))
''')


def run_child(pkg: Path, kern: Path) -> dict:
    env = dict(os.environ, POLYRAY_TARGET="cpu", NUMBA_DEBUG_CACHE="1")
    env.pop("NUMBA_CACHE_DIR", None)  # the entries next to the kernel's file
    env["PYTHONPATH"] = str(pkg)  # the copied package only
    proc = subprocess.run([sys.executable, "-c", CHILD, str(kern)], cwd=kern.parent, env=env,
                          capture_output=True, text=True, timeout=240)
    out = proc.stdout + proc.stderr
    assert proc.returncode == 0, out[-4000:]
    line = next(ln for ln in proc.stdout.splitlines() if ln.startswith("REPORT "))
    report = json.loads(line[len("REPORT "):])
    assert report["runtime"].startswith(str(pkg)), report  # the copy ran, not the checkout
    # the kernel's own entries (next to it); the runtime's own cache=True helpers live in the copy's folders
    report["loaded"] = sum("[cache] data loaded from" in ln and str(kern.parent) in ln for ln in out.splitlines())
    report["saved"] = sum("[cache] data saved to" in ln and str(kern.parent) in ln for ln in out.splitlines())
    return report


def test_a_changed_helper_recompiles_the_variant_that_calls_it(tmp_path: Path) -> None:
    if not (ROOT / "lib/cli/main.js").exists():
        pytest.skip("the compiler is not built (run npm test, which builds lib/)")
    pkg, work = tmp_path / "pkg", tmp_path / "work"
    work.mkdir()
    shutil.copytree(ROOT / "python-bridge" / "polyray", pkg / "polyray", ignore=shutil.ignore_patterns("__pycache__"))
    helper = pkg / "polyray" / "runtime" / "math_helpers.py"
    assert helper.read_text().count(SIN_LINE) == 1, "math_helpers.py changed: pick the line this test edits again"
    (tmp_path / "k.py").write_text(SOURCE)
    kern = work / "kern.py"
    subprocess.run(["node", str(ROOT / "bin/polyray.mjs"), "compile", str(tmp_path / "k.py"), "-o", str(kern)],
                   check=True, cwd=ROOT, capture_output=True)
    assert 'helpers=("sin",)' in kern.read_text(), "the kernel no longer calls the sin helper: pick another"

    first = run_child(pkg, kern)
    assert first["variant"] == "cpu" and first["sin"] and first["saved"] >= 1, first

    again = run_child(pkg, kern)  # unchanged: the entry loads (the cache works at all, so the next check means something)
    assert again["variant"] == "cpu" and again["sin"] and again["loaded"] >= 1, again

    helper.write_text(helper.read_text().replace(SIN_LINE, COS_LINE))
    changed = run_child(pkg, kern)
    assert changed["variant"] == "cpu", changed
    assert changed["loaded"] == 0 and changed["saved"] >= 1, changed  # compiled again, not the stale entry
    assert changed["cos"] and not changed["sin"], changed  # the changed helper is the one inside
