"""Compile a Python file with the polyray CLI and import the generated module from its file."""
from __future__ import annotations

import importlib.util
import json
import os
import subprocess
import sys
import warnings
from collections.abc import Callable, Collection
from dataclasses import dataclass, field
from pathlib import Path
from types import ModuleType

import numpy as np
import pytest

import polyray.runtime as rt
from polyray.compile_service import CompileService
from mode_twins import reach, statements

ROOT = Path(__file__).resolve().parents[2]


def compile_and_import(source: Path, out_dir: Path, name: str, *extra: str,
                       service: CompileService | None = None) -> ModuleType:
    """`polyray compile source -o out_dir/name.py [extra...]`, then import it (Numba's cache needs the file).
    With a `service` (a test module that compiles many files: compile_service), the same compile is asked of
    that one `polyray serve` process instead of a Node process per file (serve_compile)."""
    if not (ROOT / "lib/cli/main.js").exists():
        pytest.skip("the compiler is not built (run npm test, which builds lib/)")
    out = out_dir / f"{name}.py"
    if service is None:
        subprocess.run(["node", str(ROOT / "bin/polyray.mjs"), "compile", str(source), "-o", str(out), *extra], check=True, cwd=ROOT)
    else:
        serve_compile(service, source, out, *extra)
    spec = importlib.util.spec_from_file_location(name, out)
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    spec.loader.exec_module(module)
    return module


#: how long a test's compile may take under a loaded machine (the product's 30 s limit is for a kernel's cells)
SERVICE_TIMEOUT = 600.0


@pytest.fixture(scope="module")
def compile_service():
    """One `polyray serve` process for a test module that compiles many files (compile_and_import's
    `service`): its Node start, parser and isl load are paid once instead of once per file (about 0.4 s of
    CPU each). Import it into the test module (``from compiled import compile_service``)."""
    service = CompileService(cli=ROOT / "bin/polyray.mjs", timeout=SERVICE_TIMEOUT)
    yield service
    service.close()


def serve_compile(service: CompileService, source: Path, out: Path, *extra: str) -> None:
    """What `polyray compile source -o out [extra...]` does, through the compile service: the same compiler,
    file name, targets and numerics mode (the flag, else $POLYRAY_NUMERICS, else the service's default, as the
    CLI resolves it), the module and the --report written to their files; a refused source raises, as the CLI's
    exit status 2 does under check=True. Takes the flags --targets, --numerics and --report only."""
    flags = dict(zip(extra[::2], extra[1::2]))
    unknown = set(flags) - {"--targets", "--numerics", "--report"}
    if len(extra) % 2 or unknown:
        raise ValueError(f"serve_compile takes --targets, --numerics and --report with a value each, not {extra}")
    numerics = flags.get("--numerics") or os.environ.get("POLYRAY_NUMERICS", "").strip() or None
    targets = [t.strip() for t in flags["--targets"].split(",") if t.strip()] if "--targets" in flags else None
    result = service.compile(source.read_text(), str(source), targets=targets, numerics=numerics)
    if not result.ok:
        raise AssertionError(f"polyray could not compile {source}: {result.diagnostics}")
    out.write_text(result.module)
    if "--report" in flags:
        Path(flags["--report"]).write_text(json.dumps(result.report, indent=2) + "\n")


def same_in_both_modes(exact: ModuleType, close: ModuleType) -> bool:
    """Whether close mode generated exact mode's module line for line, only its `_polyray_numerics` line apart:
    the runtime reads nothing else of the mode, so running the close module too would compile the same machine
    code again and check nothing new. A test of both modes runs such a module once; a change that makes the
    modes' code differ makes it run both again."""
    e = Path(exact.__file__).read_text().splitlines()
    c = Path(close.__file__).read_text().splitlines()
    apart = [(x, y) for x, y in zip(e, c) if x != y]
    return len(e) == len(c) and apart == [('_polyray_numerics = "exact"', '_polyray_numerics = "close"')]


def same_function_in_both_modes(exact: ModuleType, close: ModuleType, name: str) -> bool:
    """same_in_both_modes for one function: the generated statements a call of `name` can reach (its wrapper,
    dispatcher, variants, guards and whatever they name, transitively, and the module's statements run for their
    effect) are the same text in both modules. Then close mode's call of it would compile and run exact mode's
    code again, so a test may run exact mode's function in its place (run_both does, for a module of
    mode_module): only the functions whose code the modes generate differently run twice."""
    return reach(_parsed(exact.__file__), name) == reach(_parsed(close.__file__), name)


_PARSED: dict[tuple[str, int], list] = {}


def _parsed(path: str) -> list[tuple[frozenset[str], frozenset[str], str]]:
    """mode_twins.statements of a file, parsed once per version of it (a test calls the check once per call)."""
    key = (path, Path(path).stat().st_mtime_ns)
    if key not in _PARSED:
        _PARSED[key] = statements(Path(path).read_text())
    return _PARSED[key]


def twin_for(mod: ModuleType, name: str) -> ModuleType:
    """The module whose `name` a test runs: a close-mode module of mode_module hands over to its exact twin
    (``EXACT``) for a function generated the same in both modes (same_function_in_both_modes)."""
    twin = getattr(mod, "EXACT", None)
    return twin if twin is not None and same_function_in_both_modes(twin, mod, name) else mod


def cpu_body(module: ModuleType, name: str) -> str:
    """The text of the generated CPU variant of `name` (up to its serial form, if any, or its dispatcher)."""
    text = Path(module.__file__).read_text().split(f"def _polyray_cpu_{name}")[1].split(f"_polyray_dispatch_{name}")[0]
    return text.split(f"def _polyray_seq_{name}")[0]


def outcome(fn, *args):
    """("ok", result) or (exception type name, message): what a call did, to compare."""
    try:
        return ("ok", fn(*args))
    except Exception as exc:  # noqa: BLE001 - the outcome is compared
        return (type(exc).__name__, str(exc))


def same(a, b, *, kinds: Collection[str] = ()) -> bool:
    """Equal outcomes bit for bit: arrays by shape, dtype and bytes; tuples element by element; scalars of the same
    type with the same bits (so -0.0 differs from 0.0, and NaN equals only a NaN with its bits).
    kinds: for "float" (float and np.floating) and "int" (int and np.integer), a Python scalar and a NumPy scalar
    of that kind count as one type with the same value (for tests that check the types apart)."""
    if isinstance(a, tuple) or isinstance(b, tuple):
        return isinstance(a, tuple) and isinstance(b, tuple) and len(a) == len(b) and all(same(x, y, kinds=kinds) for x, y in zip(a, b))
    if isinstance(a, np.ndarray) or isinstance(b, np.ndarray):
        return isinstance(a, np.ndarray) and isinstance(b, np.ndarray) and a.shape == b.shape and a.dtype == b.dtype and a.tobytes() == b.tobytes()
    if "float" in kinds and isinstance(a, (float, np.floating)) and isinstance(b, (float, np.floating)):
        return np.float64(a).tobytes() == np.float64(b).tobytes()
    if "int" in kinds and isinstance(a, (int, np.integer)) and isinstance(b, (int, np.integer)):
        return int(a) == int(b)
    if isinstance(a, (int, float, complex, np.generic)):
        return type(a) is type(b) and np.asarray(a).tobytes() == np.asarray(b).tobytes()
    return type(a) is type(b) and a == b


@dataclass
class Ran:
    """What a call and its original did on copies of the same arguments, once compared."""

    status: str  # "ok", or the exception type's name (the same for both)
    value: object  # the original's result, or its exception message
    records: list = field(default_factory=list)  # the run records of the compiled call
    got: tuple = ()  # the compiled call's own outcome, ("ok", result) or (type name, message)

    @property
    def variant(self) -> str | None:
        return self.records[-1]["variant"] if self.records else None


def compare_with_original(fn: Callable, original: Callable, *args, messages: bool = True,
                          loose_messages: Collection[str] = (), kinds: Collection[str] = ()) -> Ran:
    """Calls fn and original on copies of args (each array copied in its own layout) and asserts the same
    outcome: the same result bit for bit (see same), or the same exception type (and message, unless messages is
    False or the type is in loose_messages: Numba words some errors its own way), and the same writes to every
    array argument. Floating-point warnings are silenced for both."""
    mine = [a.copy(order="K") if isinstance(a, np.ndarray) else a for a in args]
    theirs = [a.copy(order="K") if isinstance(a, np.ndarray) else a for a in args]
    rt.clear_history()
    with np.errstate(all="ignore"), warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        got = outcome(fn, *mine)
        records = rt.history()
        want = outcome(original, *theirs)
    assert got[0] == want[0], (got, want)
    if got[0] == "ok":
        assert same(got[1], want[1], kinds=kinds), (got, want)
    elif messages and got[0] not in loose_messages:
        assert got[1] == want[1], (got, want)
    for a, b in zip(mine, theirs):
        if isinstance(a, np.ndarray):
            assert a.shape == b.shape and a.dtype == b.dtype and a.tobytes() == b.tobytes(), (getattr(fn, "__name__", fn), a, b)
    return Ran(want[0], want[1], records, got)


def run_both(mod: ModuleType, name: str, *args, **options) -> Ran:
    """compare_with_original for `name` of a compiled module: the call through its dispatcher against
    `_polyray_original_<name>`; for a close-mode module of mode_module, exact mode's module where the modes
    generated that function alike (twin_for)."""
    mod = twin_for(mod, name)
    return compare_with_original(getattr(mod, name), getattr(mod, f"_polyray_original_{name}"), *args, **options)


def compile_both_modes(source: Path, out_dir: Path, stem: str) -> dict[str, tuple[ModuleType, dict[str, dict]]]:
    """`source` compiled in each numerics mode into out_dir as ``<stem>_<mode>``: mode -> (the module, its
    report's functions by name), for tests that read the verdicts beside the calls."""
    out = {}
    for mode in ("exact", "close"):
        report = out_dir / f"{mode}.json"
        mod = compile_and_import(source, out_dir, f"{stem}_{mode}", "--numerics", mode, "--report", str(report))
        out[mode] = (mod, {f["name"]: f for f in json.loads(report.read_text())["functions"]})
    return out


def mode_module(source: Path, stem: str, *extra: str, targets: str = "cpu"):
    """A module-scoped fixture (assign it to a test module's name, e.g. ``mod = mode_module(SOURCE, "sorting")``):
    `source` compiled for `targets` once per numerics mode, exact and close, imported as ``<stem>_<mode>``, the
    mode it was compiled in as its ``MODE``. The close-mode tests are skipped when close mode generated exact
    mode's module line for line (same_in_both_modes): exact mode's tests ran the same machine code; otherwise
    run_both and check_cpu run exact mode's module (its ``EXACT``) for each function generated alike."""
    modules: dict[str, ModuleType] = {}

    def compiled(mode: str, tmp_path_factory) -> ModuleType:
        if mode not in modules:
            m = compile_and_import(source, tmp_path_factory.mktemp(f"{stem}_{mode}"), f"{stem}_{mode}", "--targets", targets,
                                   "--numerics", mode, *extra)
            m.MODE = mode
            modules[mode] = m
            if mode == "close":
                m.EXACT = compiled("exact", tmp_path_factory)  # run_both's twin_for
        return modules[mode]

    @pytest.fixture(scope="module", params=["exact", "close"])
    def mod(request, tmp_path_factory):
        mode = request.param
        if mode == "close" and same_in_both_modes(compiled("exact", tmp_path_factory), compiled("close", tmp_path_factory)):
            pytest.skip("close mode generated exact mode's module line for line: exact mode's tests ran its calls")
        return compiled(mode, tmp_path_factory)

    return mod


@pytest.fixture(autouse=True)
def cpu_target(monkeypatch):
    """POLYRAY_TARGET=cpu for every test of a module that imports this fixture (``from compiled import cpu_target``)."""
    monkeypatch.setenv("POLYRAY_TARGET", "cpu")


def check_cpu(mod: ModuleType, name: str, *args, compiled: bool = True, raising_too: bool = True, **options) -> Ran:
    """run_both (the same outcome, bits, exception type and writes as the original; `options` go to
    compare_with_original), then that the cpu variant ran: unless not `compiled`, and on a call that raised only
    where `raising_too`."""
    ran = run_both(mod, name, *args, **options)
    if compiled and (raising_too or ran.status == "ok"):
        assert ran.variant == "cpu", ran.records[-1:]
    return ran
