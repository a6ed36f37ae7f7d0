"""Differential test of Polyray-compiled PolyBench 4.2 kernels.

For every kernel in test/kernels/polybench the CLI compiles the file

    node bin/polyray.mjs compile test/kernels/polybench/NAME.py \
         -o TMP/NAME_compiled.py --report TMP/NAME.json --numerics exact

(from the repository root); the generated module is imported from its file.
Then, for each size (specs.edge_sizes, MINI, SMALL), the original pure-Python
kernel and the compiled module's ``kernel_NAME`` run on identical copies of
the inputs with POLYRAY_TARGET unset (auto):

* every written array must agree bit for bit (NaN equal to NaN), in the
  parallel form of the CPU variant (POLYRAY_CPU_FORM=parallel);
* the last run record of ``polyray.runtime.history()`` for the function must
  have variant "cpu": all arguments have the hinted dtypes and the arrays are
  distinct and C-contiguous, so the dispatcher's checks pass and the CPU
  variant must run (a dispatcher that always falls back fails here).

The report JSON must hold exactly one function, ``accelerated: true``, and one
``loops`` entry per ``for`` statement of the source, with the same lines (and
loop variables).

The whole module is skipped while the CLI is not built (lib/cli/main.js).
"""

import ast
import importlib.util
import json
import os
import shutil
import subprocess
import sys
import warnings
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import numpy as np
import pytest

ROOT = Path(__file__).resolve().parents[2]
KDIR = ROOT / "test" / "kernels" / "polybench"
CLI_MAIN = ROOT / "lib" / "cli" / "main.js"
LAUNCHER = ROOT / "bin" / "polyray.mjs"

if not CLI_MAIN.exists():
    pytest.skip(
        "Polyray CLI not built yet (%s missing; run the set-up / npm run build:lib)" % CLI_MAIN,
        allow_module_level=True,
    )
NODE = shutil.which("node")
if NODE is None:
    pytest.skip("node is not on PATH; the Polyray CLI cannot run", allow_module_level=True)

sys.path.insert(0, str(KDIR))
import specs  # noqa: E402

try:
    import polyray.runtime as prt  # noqa: E402
except ImportError:  # source tree, package not installed into the venv
    sys.path.insert(0, str(ROOT / "python-bridge"))
    import polyray.runtime as prt  # noqa: E402

COMPILE_TIMEOUT_S = 300


def load_module_from(path, modname):
    spec = importlib.util.spec_from_file_location(modname, path)
    mod = importlib.util.module_from_spec(spec)
    sys.modules[modname] = mod
    spec.loader.exec_module(mod)
    return mod


def source_for_loops(name):
    tree = ast.parse((KDIR / (name + ".py")).read_text(), filename=name + ".py")
    loops = [node for node in ast.walk(tree) if isinstance(node, ast.For)]
    return sorted((node.lineno, node.target.id) for node in loops)


class Compiled:
    def __init__(self, name, tmp):
        self.name = name
        self.out = tmp / (name + "_compiled.py")
        self.report_path = tmp / (name + ".json")
        self.proc = None
        self._module = None
        self._error = None

    def compile(self):
        env = dict(os.environ)
        env.pop("POLYRAY_TARGET", None)
        # exact mode: bit for bit (close mode's BLAS products and blocked sums are held to
        # their bounds by test_product_loops.py and test_loop_reductions.py)
        cmd = [NODE, str(LAUNCHER), "compile", "test/kernels/polybench/%s.py" % self.name,
               "-o", str(self.out), "--report", str(self.report_path), "--numerics", "exact"]
        try:
            self.proc = subprocess.run(cmd, cwd=str(ROOT), env=env, capture_output=True,
                                       text=True, timeout=COMPILE_TIMEOUT_S)
        except subprocess.TimeoutExpired:
            self._error = "compile of %s timed out after %ds" % (self.name, COMPILE_TIMEOUT_S)
        return self

    def check(self):
        if self._error:
            pytest.fail(self._error)
        if self.proc.returncode != 0:
            pytest.fail("polyray compile %s failed (exit %d):\n%s\n%s" % (
                self.name, self.proc.returncode, self.proc.stdout[-4000:], self.proc.stderr[-4000:]))
        assert self.out.exists(), "compile produced no %s" % self.out
        assert self.report_path.exists(), "compile produced no %s" % self.report_path

    @property
    def module(self):
        self.check()
        if self._module is None:
            self._module = load_module_from(self.out, "polyray_pb_compiled_%s_%d" % (self.name, os.getpid()))
        return self._module

    @property
    def report(self):
        self.check()
        return json.loads(self.report_path.read_text())


@pytest.fixture(scope="session")
def compiled(request, tmp_path_factory):
    """name -> Compiled, for the kernels the collected tests of this module use
    (compiled concurrently, once per session)."""
    tmp = tmp_path_factory.mktemp("polybench_compiled")
    names = []
    for item in request.session.items:
        callspec = getattr(item, "callspec", None)
        if callspec is None or getattr(item, "module", None) is not sys.modules[__name__]:
            continue
        name = callspec.params.get("name")
        if name is not None and name not in names:
            names.append(name)
    jobs = [Compiled(n, tmp) for n in names]
    with ThreadPoolExecutor(max_workers=max(2, min(8, os.cpu_count() or 2))) as pool:
        list(pool.map(Compiled.compile, jobs))
    return {c.name: c for c in jobs}


_originals = {}


def original_kernel(name):
    if name not in _originals:
        mod = load_module_from(KDIR / (name + ".py"), "polyray_pb_original_%s" % name)
        _originals[name] = getattr(mod, "kernel_" + name)
    return _originals[name]


def _cases():
    for name in specs.KERNELS:
        for sizes in specs.edge_sizes(name):
            yield pytest.param(name, sizes, id="%s-edge-%s" % (name, specs.size_id(sizes)))
        yield pytest.param(name, specs.SIZES[name]["MINI"], id="%s-MINI" % name)
        yield pytest.param(name, specs.SIZES[name]["SMALL"], id="%s-SMALL" % name,
                           marks=pytest.mark.small_dataset)


def _records_for(fname):
    return [r for r in prt.history()
            if r.get("function") == fname or str(r.get("function", "")).endswith("." + fname)]


@pytest.mark.parametrize("name,sizes", list(_cases()))
def test_compiled_matches_original(name, sizes, compiled, monkeypatch):
    monkeypatch.delenv("POLYRAY_TARGET", raising=False)
    # the parallel form, also on inputs small enough for the dispatcher to pick the serial one
    # (test_serial_form_matches_original checks that one)
    monkeypatch.setenv("POLYRAY_CPU_FORM", "parallel")
    fname = "kernel_" + name
    comp = getattr(compiled[name].module, fname)
    orig = original_kernel(name)

    args = specs.build_args(name, sizes, np.random.default_rng(4321))
    ref_args = specs.copy_args(args)
    got_args = specs.copy_args(args)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        ref_ret = orig(*ref_args)
    prt.clear_history()
    got_ret = comp(*got_args)
    assert got_ret == ref_ret

    for idx in specs.OUTPUTS[name]:
        exp = specs.compare_view(name, sizes, idx, ref_args[idx])
        act = specs.compare_view(name, sizes, idx, got_args[idx])
        # bit for bit: no schedule reorders a reduction
        np.testing.assert_array_equal(act, exp, err_msg="%s output argument %d differs" % (name, idx))
    for idx, a in enumerate(args):
        if isinstance(a, np.ndarray) and idx not in specs.OUTPUTS[name]:
            np.testing.assert_array_equal(got_args[idx], a, err_msg="input %d was modified" % idx)

    records = _records_for(fname)
    assert records, "no run record for %s in polyray.runtime.history(): %r" % (fname, prt.history())
    last = records[-1]
    assert last.get("variant") == "cpu", (
        "%s ran variant %r, expected 'cpu' (reason: %r); record: %r"
        % (fname, last.get("variant"), last.get("reason"), last))


def _serial_cases():
    for name in specs.KERNELS:
        yield pytest.param(name, specs.SIZES[name]["MINI"], id="%s-MINI" % name)


@pytest.mark.parametrize("name,sizes", list(_serial_cases()))
def test_serial_form_matches_original(name, sizes, compiled):
    """The serial form (what one thread runs), which follows the locality order
    without prange where the CPU variant has one (poly/locality.ts
    serialLocalitySchedule), bit for bit against the original."""
    mod = compiled[name].module
    if not hasattr(mod, "_polyray_seq_kernel_" + name):
        pytest.skip("no serial form of its own")
    variant = getattr(mod, "_polyray_dispatch_kernel_" + name).variants["cpu"]
    args = specs.build_args(name, sizes, np.random.default_rng(1234))
    ref_args, got_args = specs.copy_args(args), specs.copy_args(args)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        original_kernel(name)(*ref_args)
    serial = variant._compile(serial=True)
    if not variant.takes_flag("serial"):  # (a speculative variant's serial form raises where Python does: no flag)
        serial(*got_args)
    else:
        serial(*got_args, np.zeros(1, dtype=np.int8))
    for idx in specs.OUTPUTS[name]:
        np.testing.assert_array_equal(specs.compare_view(name, sizes, idx, got_args[idx]),
                                      specs.compare_view(name, sizes, idx, ref_args[idx]),
                                      err_msg="%s serial form: output argument %d differs" % (name, idx))


@pytest.mark.parametrize("name", specs.KERNELS)
def test_report(name, compiled):
    report = compiled[name].report
    funcs = report.get("functions")
    assert isinstance(funcs, list) and len(funcs) == 1, "expected one function entry: %r" % funcs
    fn = funcs[0]
    assert fn.get("name") == "kernel_" + name
    assert fn.get("accelerated") is True, "kernel_%s not accelerated; diagnostics: %r" % (
        name, fn.get("diagnostics"))
    assert "cpu" in fn.get("variants", []), fn.get("variants")
    loops = fn.get("loops")
    assert isinstance(loops, list)
    expected = source_for_loops(name)
    assert len(loops) == len(expected), "loops in report: %d, for statements in source: %d" % (
        len(loops), len(expected))
    assert sorted(lp["line"] for lp in loops) == [line for line, _ in expected]
    assert sorted((lp["line"], lp["var"]) for lp in loops) == expected
