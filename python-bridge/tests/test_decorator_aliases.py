"""Hints that name module-level type aliases (``F64 = npt.NDArray[np.float64]``): the decorator carries the
alias statements the hints need into the compiled source (decorator.hint_aliases), the compiler reads the
hints through them (parse/type-aliases.ts), and the function runs compiled instead of falling back on a
NameError when the generated module is imported."""
from __future__ import annotations

import textwrap

import numpy as np
import pytest

import polyray.runtime as rt
from polyray.compile_service import cli_path
from polyray.decorator import kernel_source

from module_files import scientist_module

BUILT = (cli_path().parent.parent / "lib/cli/main.js").exists() or cli_path().suffix == ".mjs" and cli_path().exists()

MODULE = textwrap.dedent("""\
    from typing import TypeAlias

    import numpy as np
    import numpy.typing as npt
    from polyray import parallelize

    DT = np.float64
    Matrix: TypeAlias = np.ndarray[tuple[int, int], np.dtype[DT]]
    Vec = npt.NDArray[DT]
    Unused = npt.NDArray[np.int64]
    weights = np.linspace(0.0, 1.0, 4)
    Rebound = Vec
    Rebound = Matrix


    @parallelize
    def scale_rows(A: Matrix, x: Vec, alpha: float) -> None:
        n, m = A.shape
        for i in range(n):
            for j in range(m):
                A[i, j] = alpha * A[i, j] + x[j]


    @parallelize
    def rebound(A: Rebound) -> None:
        n, m = A.shape
        for i in range(n):
            for j in range(m):
                A[i, j] = 2.0 * A[i, j]
""")


@pytest.fixture()
def mod(tmp_path, monkeypatch):
    yield from scientist_module(tmp_path, monkeypatch, "aliased_hints", MODULE)


def test_the_source_carries_the_aliases_the_hints_name_and_nothing_else(mod):
    base, _ = kernel_source(mod.scale_rows.fn)
    for line in ("DT = np.float64", "Matrix: TypeAlias = ", "Vec = npt.NDArray[DT]"):
        assert line in base, line
    for line in ("Unused = ", "weights = ", "Rebound = "):
        assert line not in base, line
    # an alias bound twice is no alias: not carried (the call then runs the original, saying why)
    base, _ = kernel_source(mod.rebound.fn)
    assert "Rebound = " not in base


@pytest.mark.skipif(not BUILT, reason="the compiler is not built (lib/)")
def test_a_function_hinted_through_aliases_runs_compiled_with_the_original_s_result(mod):
    rng = np.random.default_rng(3)
    A = rng.standard_normal((40, 7))
    x = rng.standard_normal(7)
    want = A.copy()
    mod.scale_rows.fn(want, x, 1.5)
    rt.clear_history()
    mod.scale_rows(A, x, 1.5)
    assert [(r["function"], r["variant"]) for r in rt.history()] == [("scale_rows", "cpu")], rt.history()
    assert A.tobytes() == want.tobytes()
    B = rng.standard_normal((3, 2))
    want = B.copy()
    mod.rebound.fn(want)
    rt.clear_history()
    mod.rebound(B)  # a name bound twice is no alias: the original runs, and says why
    assert B.tobytes() == want.tobytes()
    assert [r["variant"] for r in rt.history()] == ["original"]
    note = [n for _, n in mod.rebound.compiled.values()][0]
    assert "Rebound" in note, note
