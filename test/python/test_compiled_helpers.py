"""compiled.same_function_in_both_modes and twin_for, which let a close-mode test run exact mode's module for a
function the two modes generated alike: any difference in what a call of the function can reach must make it
run its own module (the check compares text, so these modules need not be compiled); and compiled.serve_compile,
which must write what `polyray compile` writes."""
from __future__ import annotations

import json
import subprocess
from types import SimpleNamespace

import pytest

from compiled import ROOT, compile_service, same_function_in_both_modes, serve_compile, twin_for  # noqa: F401 - a fixture

EXACT = '''import numpy as np
import polyray.runtime as _polyray
_polyray_numerics = "exact"
LIMIT = 4

def _polyray_cpu_f(a):
    return a + 1

_polyray_dispatch_f = _polyray.Dispatcher(name="f", variants={"cpu": _polyray_cpu_f}, enter="_polyray_enter_f")
_polyray_enter_f = _polyray_dispatch_f

def f(a):
    return _polyray_enter_f(a)

f.__doc__ = "f"

def _polyray_cpu_g(a):
    return np.sum(a) + LIMIT

def g(a):
    return _polyray_cpu_g(a)

def h(a):
    return g(a) * 2
'''


def module(tmp_path, name, text):
    (tmp_path / name).write_text(text)
    return SimpleNamespace(__file__=str(tmp_path / name))


def test_only_the_numerics_line_apart_every_function_is_the_same(tmp_path):
    exact = module(tmp_path, "e.py", EXACT)
    close = module(tmp_path, "c.py", EXACT.replace('"exact"', '"close"'))
    assert all(same_function_in_both_modes(exact, close, n) for n in ("f", "g", "h"))


def test_a_changed_variant_changes_its_function_and_its_callers_only(tmp_path):
    exact = module(tmp_path, "e.py", EXACT)
    close = module(tmp_path, "c.py", EXACT.replace("np.sum(a)", "_polyray.pairwise(a)"))
    assert same_function_in_both_modes(exact, close, "f")
    assert not same_function_in_both_modes(exact, close, "g")
    assert not same_function_in_both_modes(exact, close, "h")  # calls g


def test_an_import_repeated_before_another_function_changes_nothing(tmp_path):
    exact = module(tmp_path, "e.py", EXACT)
    close = module(tmp_path, "c.py", EXACT.replace("def h(a):", "import numpy as np\n\ndef h(a):"))
    assert same_function_in_both_modes(exact, close, "g")
    other = module(tmp_path, "c2.py", EXACT.replace("def h(a):", "import numpy.linalg as np\n\ndef h(a):"))
    assert not same_function_in_both_modes(exact, other, "g")


def test_what_a_function_reads_through_names_strings_and_attributes_counts(tmp_path):
    exact = module(tmp_path, "e.py", EXACT)
    changes = {
        "a module constant it reads": ("LIMIT = 4", "LIMIT = 5", "g"),
        "its entry point, named by string": ("_polyray_enter_f = _polyray_dispatch_f", "_polyray_enter_f = _polyray_dispatch_f.keep", "f"),
        "an attribute set on it": ('f.__doc__ = "f"', 'f.__doc__ = "f2"', "f"),
        "its dispatcher": ('name="f"', 'name="f", guard=None', "f"),
        "a statement run for its effect": ("LIMIT = 4", "LIMIT = 4\n_polyray.note('close')", "f"),
        "an import": ("import numpy as np", "import numpy as np\nimport math as np", "g"),
    }
    for k, (what, (old, new, name)) in enumerate(changes.items()):
        close = module(tmp_path, f"c{k}.py", EXACT.replace(old, new))
        assert not same_function_in_both_modes(exact, close, name), what


def test_twin_for_hands_over_only_a_function_generated_alike(tmp_path):
    exact = module(tmp_path, "e.py", EXACT)
    close = module(tmp_path, "c.py", EXACT.replace("np.sum(a)", "_polyray.pairwise(a)"))
    assert twin_for(close, "f") is close  # no EXACT twin recorded: its own
    close.EXACT = exact
    assert twin_for(close, "f") is exact
    assert twin_for(close, "g") is close and twin_for(close, "h") is close


KERNEL = """import numpy as np
import numpy.typing as npt


def scaled(a: npt.NDArray[np.float64], out: npt.NDArray[np.float64]) -> None:
    for i in range(a.shape[0]):
        out[i] = 0.1 * a[i] + a[i] ** 0.5
"""


@pytest.mark.parametrize("extra", [(), ("--targets", "cpu", "--numerics", "exact"), ("--numerics", "close")],
                         ids=["defaults", "cpu-exact", "close"])
def test_serve_compile_writes_what_the_cli_writes(tmp_path, compile_service, monkeypatch, extra):
    """The same module text and report as `polyray compile` for the same flags (the report compared as JSON), also
    with the numerics mode from $POLYRAY_NUMERICS as the CLI reads it (exact here, against the default close)."""
    if not (ROOT / "lib/cli/main.js").exists():
        pytest.skip("the compiler is not built (run npm test, which builds lib/)")
    monkeypatch.setenv("POLYRAY_NUMERICS", "exact")
    src = tmp_path / "kernel.py"
    src.write_text(KERNEL)
    cli_report, served_report = tmp_path / "cli.json", tmp_path / "served.json"
    subprocess.run(["node", str(ROOT / "bin/polyray.mjs"), "compile", str(src), "-o", str(tmp_path / "cli.py"), *extra,
                    "--report", str(cli_report)], check=True, cwd=ROOT)
    serve_compile(compile_service, src, tmp_path / "served.py", *extra, "--report", str(served_report))
    assert (tmp_path / "served.py").read_text() == (tmp_path / "cli.py").read_text()
    assert json.loads(served_report.read_text()) == json.loads(cli_report.read_text())
    mode = dict(zip(extra[::2], extra[1::2])).get("--numerics", "exact")
    assert f'_polyray_numerics = "{mode}"' in (tmp_path / "served.py").read_text()


def test_serve_compile_refuses_other_flags_and_raises_on_a_source_that_does_not_parse(tmp_path, compile_service):
    if not (ROOT / "lib/cli/main.js").exists():
        pytest.skip("the compiler is not built (run npm test, which builds lib/)")
    src = tmp_path / "kernel.py"
    src.write_text(KERNEL)
    for extra in [("--precompile",), ("--targets",), ("--targets", "cpu", "-o")]:
        with pytest.raises(ValueError, match="serve_compile takes"):
            serve_compile(compile_service, src, tmp_path / "out.py", *extra)
    src.write_text("def broken(:\n")
    with pytest.raises(AssertionError, match="could not compile"):
        serve_compile(compile_service, src, tmp_path / "out.py")
    assert not (tmp_path / "out.py").exists()
