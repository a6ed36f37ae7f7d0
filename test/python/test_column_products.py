"""A loop's per-column products as one matrix product (issue 18, close mode; poly/column-products.ts,
runtime/column_products.py): correlation's triangle and other spellings against the original within a BLAS
product's bound (close_bounds.product_tolerance), in C, F and strided layouts; the loop multiplies as written
where the whole product would cost more than about twice its own; an index past the columns raises IndexError
after the same writes as the original."""
from __future__ import annotations

import textwrap

import numpy as np
import pytest

import polyray.runtime as rt
from compiled import compare_with_original, compile_and_import, cpu_target  # noqa: F401 - cpu_target: POLYRAY_TARGET=cpu
from polyray.runtime.close_bounds import product_tolerance, within

SOURCE = textwrap.dedent('''
    import numpy as np
    import numpy.typing as npt


    def corr(M: int, data: npt.NDArray[np.float64]) -> npt.NDArray[np.float64]:
        corr = np.eye(M, dtype=data.dtype)
        for i in range(M - 1):
            corr[i + 1:M, i] = corr[i, i + 1:M] = data[:, i] @ data[:, i + 1:M]
        return corr


    def cross(X: npt.NDArray[np.float64], Y: npt.NDArray[np.float64], out: npt.NDArray[np.float64]) -> None:
        n = X.shape[1]
        for j in range(1, n):
            out[j, j - 1:] = np.dot(X[:, j], Y[:, j - 1:])


    def few(X: npt.NDArray[np.float64], out: npt.NDArray[np.float64], k: int) -> None:
        for i in range(k):
            out[i, i:] = X[:, i] @ X[:, i:]
''')


@pytest.fixture(scope="module")
def mod(tmp_path_factory):
    d = tmp_path_factory.mktemp("column_products")
    (d / "kernels.py").write_text(SOURCE)
    return compile_and_import(d / "kernels.py", d, "column_products_close", "--numerics", "close", "--targets", "cpu")


def _ran_cpu() -> None:
    assert rt.history()[-1]["variant"] == "cpu", rt.history()[-1]


def test_correlations_triangle_in_each_layout_within_a_products_bound(mod):
    from polyray.runtime.column_products import column_products

    rng = np.random.default_rng(3)
    base = rng.standard_normal((70, 80))
    for data in (base[:, :40].copy(), np.asfortranarray(base[:, :40]), base[:, ::2]):  # C, F, strided columns
        m = data.shape[1]
        assert column_products(data, data, 0, m - 1, 1, m).shape == (m, m)  # the whole product is taken
        want = mod._polyray_original_corr(m, data.copy())
        got = mod.corr(m, data.copy())
        _ran_cpu()
        assert within(got, want, product_tolerance(data.T, data)), np.max(np.abs(got - want))
        assert np.array_equal(np.diag(got), np.ones(m))


def test_two_matrices_an_offset_below_i_and_no_stop(mod):
    rng = np.random.default_rng(4)
    X, Y = rng.standard_normal((30, 25)), rng.standard_normal((30, 25))
    out0 = rng.standard_normal((25, 25))
    want, got = out0.copy(), out0.copy()
    mod._polyray_original_cross(X, Y, want)
    mod.cross(X, Y, got)
    _ran_cpu()
    assert within(got, want, product_tolerance(X.T, Y))  # (elements the loop leaves: the same bits)
    assert np.array_equal(np.tril(got, -2), np.tril(out0, -2))


def test_a_short_loop_multiplies_as_written(mod):
    from polyray.runtime.column_products import column_products

    rng = np.random.default_rng(5)
    X = rng.standard_normal((20, 30))
    assert column_products(X, X, 0, 3, 0, 2**63 - 1).shape == (0, 0)  # 3 rows of 30: the loop's own products
    assert column_products(X, X[:19], 0, 30, 0, 30).shape == (0, 0)  # shapes that disagree: each product raises
    assert column_products(X, X, 0, 31, 0, 30).shape == (0, 0)  # past X's columns: the loop raises IndexError
    want, got = np.zeros((30, 30)), np.zeros((30, 30))
    mod._polyray_original_few(X, want, 3)
    mod.few(X, got, 3)
    _ran_cpu()
    assert within(got, want, product_tolerance(X.T, X))


def test_an_index_past_the_columns_raises_after_the_same_writes(mod):
    # integer values: every order of the sums gives the same bits, so the writes before the error compare exactly
    X = np.random.default_rng(6).integers(-4, 5, (10, 8)).astype(np.float64)
    for k in (8, 9):  # all columns (the whole product), one past them (IndexError at i = 8, rows 0-7 written)
        ran = compare_with_original(mod.few, mod._polyray_original_few, X, np.zeros((9, 8)), k, messages=False)
        assert ran.records[-1]["variant"] == "cpu", ran.records[-1]
        assert ran.status == ("ok" if k == 8 else "IndexError"), ran
