"""@parallelize on a function that calls other functions of its file (issue 17): the first call
compiles the function together with the helpers it calls (plain or themselves decorated), the
compiled caller calls their compiled forms directly (no run record, no dispatcher per inner call),
and a helper name the module rebinds is not followed (the original runs and says why)."""
from __future__ import annotations

import textwrap

import numpy as np
import pytest

import polyray.runtime as rt
from polyray.compile_service import cli_path
from polyray.decorator import kernel_source

from module_files import scientist_module

BUILT = (cli_path().parent.parent / "lib/cli/main.js").exists() or cli_path().suffix == ".mjs" and cli_path().exists()
needs_compiler = pytest.mark.skipif(not BUILT, reason="the compiler is not built (lib/)")

MODULE = textwrap.dedent("""\
    import numpy as np
    from polyray import parallelize


    def relu(x):
        return np.maximum(x, 0.0)


    @parallelize
    def normalize(v):
        s = 0.0
        for k in range(v.shape[0]):
            s += v[k] * v[k]
        s = np.sqrt(s)
        for k in range(v.shape[0]):
            v[k] = v[k] / s


    THRESHOLD = 0.0


    @parallelize
    def layer(x, w, b):
        return relu(x * w + b) - relu(-x)


    @parallelize
    def normalize_rows(A):
        n, m = A.shape
        for i in range(n):
            normalize(A[i])


    def shadowed(x):
        return x


    shadowed = np.abs


    @parallelize
    def uses_shadowed(x):
        return shadowed(x) + 1.0
""")


@pytest.fixture()
def mod(tmp_path, monkeypatch):
    yield from scientist_module(tmp_path, monkeypatch, "scientist_helpers", MODULE)


def test_kernel_source_carries_the_called_helpers_without_their_decorators(mod):
    base, _ = kernel_source(mod.normalize_rows.fn)
    assert "def normalize(v):" in base and "@parallelize" not in base
    assert "def layer(" not in base  # (module constants such as THRESHOLD are carried by their own rule)
    base, _ = kernel_source(mod.layer.fn)
    assert "def relu(x):" in base and "def normalize(" not in base
    # a name the module rebinds is not that def: not carried
    base, _ = kernel_source(mod.uses_shadowed.fn)
    assert "def shadowed(x):" not in base


@needs_compiler
def test_the_caller_calls_the_compiled_helper_without_its_dispatcher(mod):
    rng = np.random.default_rng(1)
    A = rng.standard_normal((30, 4))
    want = A.copy()
    for i in range(want.shape[0]):
        mod.normalize.fn(want[i])
    rt.clear_history()
    mod.normalize_rows(A)
    recs = rt.history()
    assert [(r["function"], r["variant"]) for r in recs] == [("normalize_rows", "cpu")], recs
    assert A.tobytes() == want.tobytes()
    # the helper's own wrapper was never entered: it compiled no signature; the caller says it compiled it
    assert len(mod.normalize.compiled) == 0
    assert mod.normalize_rows.compiled_callees == {"normalize"}
    assert [note for _, note in mod.normalize_rows.compiled.values()][0].startswith("compiled, variants original, cpu; calls normalize as compiled code")


@needs_compiler
def test_a_helper_called_from_numpy_statements(mod):
    rng = np.random.default_rng(2)
    x, w, b = rng.standard_normal((5, 3)), rng.standard_normal(3), rng.standard_normal(3)
    rt.clear_history()
    got = mod.layer(x, w, b)
    assert [r["variant"] for r in rt.history()] == ["cpu"]
    assert got.tobytes() == mod.layer.fn(x, w, b).tobytes()


@needs_compiler
def test_a_rebound_helper_name_keeps_the_original_and_says_why(mod):
    rt.clear_history()
    got = mod.uses_shadowed(np.array([-1.0, 2.0]))
    np.testing.assert_array_equal(got, [2.0, 3.0])
    rec = rt.history()[-1]
    assert rec["variant"] == "original" and "shadowed" in rec["reason"], rec
