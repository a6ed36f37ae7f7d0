"""A loop's dots with the columns of one row block as one vector-matrix product (issue 18, close mode;
poly/column-dots.ts, runtime/column_dots.py): NPBench's trmm and symm against the original within a BLAS
product's bound (close_bounds), in C, F and strided layouts; integer values (every order of the sums gives
the same bits) bit for bit; the fallbacks (columns past Y, lengths that disagree) and the errors of sizes
that do not fit, after the same writes as the original."""
from __future__ import annotations

import textwrap

import numpy as np
import pytest

import polyray.runtime as rt
from compiled import compare_with_original, compile_and_import, cpu_target  # noqa: F401 - cpu_target: POLYRAY_TARGET=cpu
from polyray.runtime.close_bounds import product_loop_bound, product_terms_bound, within

SOURCE = textwrap.dedent('''
    import numpy as np
    import numpy.typing as npt


    def trmm(alpha: float, A: npt.NDArray[np.float64], B: npt.NDArray[np.float64]) -> None:
        for i in range(B.shape[0]):
            for j in range(B.shape[1]):
                B[i, j] += np.dot(A[i + 1:, i], B[i + 1:, j])
        B *= alpha


    def symm(alpha: float, beta: float, C: npt.NDArray[np.float64], A: npt.NDArray[np.float64],
             B: npt.NDArray[np.float64]) -> None:
        temp2 = np.empty((C.shape[1], ), dtype=C.dtype)
        C *= beta
        for i in range(C.shape[0]):
            for j in range(C.shape[1]):
                C[:i, j] += alpha * B[i, j] * A[i, :i]
                temp2[j] = B[:i, j] @ A[i, :i]
            C[i, :] += alpha * B[i, :] * A[i, i] + alpha * temp2
''')


@pytest.fixture(scope="module")
def mod(tmp_path_factory):
    d = tmp_path_factory.mktemp("column_dots")
    (d / "kernels.py").write_text(SOURCE)
    return compile_and_import(d / "kernels.py", d, "column_dots_close", "--numerics", "close", "--targets", "cpu")


def _ran_cpu() -> None:
    assert rt.history()[-1]["variant"] == "cpu", rt.history()[-1]


def _mat(rng, shape):
    return rng.standard_normal(shape) * 10.0 ** rng.integers(-2, 3, shape)


def test_trmm_and_symm_in_each_layout_within_a_products_bound(mod):
    rng = np.random.default_rng(7)
    m, n = 23, 31
    A0, B0, C0 = _mat(rng, (m, m)), _mat(rng, (2 * m, 2 * n)), _mat(rng, (m, n))
    Lt = np.tril(A0, -1).T
    Asym = np.tril(A0) + np.tril(A0, -1).T
    for layout in ("C", "F", "strided"):
        A = np.asfortranarray(A0) if layout == "F" else A0.copy()
        B = B0[::2, ::2] if layout == "strided" else (np.asfortranarray(B0[:m, :n]) if layout == "F" else B0[:m, :n].copy())
        # trmm, alpha a power of two: its scaling is exact on both sides
        want, got = B.copy(order="K"), B.copy(order="K")
        mod._polyray_original_trmm(0.5, A, want)
        mod.trmm(0.5, A, got)
        _ran_cpu()
        assert within(got, want, 0.5 * product_loop_bound(B, 1.0, Lt, B, 2)), (layout, np.max(np.abs(got - want)))
        want, got = C0.copy(), C0.copy()
        mod._polyray_original_symm(1.5, 1.2, want, A, B)
        mod.symm(1.5, 1.2, got, A, B)
        _ran_cpu()
        assert within(got, want, product_terms_bound(1.2 * C0, [(1.5, Asym, B)], 3)), (layout, np.max(np.abs(got - want)))


def test_integer_values_give_the_same_bits(mod):
    rng = np.random.default_rng(8)
    A, B = rng.integers(-4, 5, (12, 12)).astype(np.float64), rng.integers(-4, 5, (12, 9)).astype(np.float64)
    C = rng.integers(-4, 5, (12, 9)).astype(np.float64)
    assert compare_with_original(mod.trmm, mod._polyray_original_trmm, 2.0, A, B).records[-1]["variant"] == "cpu"
    assert compare_with_original(mod.symm, mod._polyray_original_symm, 2.0, 3.0, C, A, B).records[-1]["variant"] == "cpu"


def test_the_product_only_where_the_columns_and_lengths_fit():
    from polyray.runtime.column_dots import column_dot, column_dots

    rng = np.random.default_rng(9)
    Y, v = rng.standard_normal((10, 6)), rng.standard_normal(7)
    p = column_dots(v, Y, 3, 2**63 - 1, 1, 6)
    assert within(p, v @ Y[3:, 1:6], 2 * 7 * 2.0**-52 * (np.abs(v) @ np.abs(Y[3:, 1:6])))
    assert column_dot(p, 1, 4, v, Y, 3, 2**63 - 1) == p[3]
    assert column_dots(v, Y, -7, 2**63 - 1, 0, 6).shape == (6,)  # a bound counted from the end, as Python's
    assert column_dots(v, Y, 2, 2**63 - 1, 0, 6).shape == (0,)  # lengths 7 and 8: each dot raises as written
    assert column_dots(v, Y, 3, 2**63 - 1, 0, 7).shape == (0,)  # past Y's columns: the loop raises IndexError
    assert column_dots(v, Y, 3, 2**63 - 1, 4, 4).shape == (0,)  # no iteration
    empty = np.empty(0)
    # the dot as written (Numba's BLAS dot: NumPy's within a product's bound)
    assert abs(column_dot(empty, 0, 2, v, Y, 3, 2**63 - 1) - np.dot(v, Y[3:, 2])) <= 2 * 7 * 2.0**-52 * (np.abs(v) @ np.abs(Y[3:, 2]))
    with pytest.raises(ValueError):
        column_dot(empty, 0, 2, v, Y, 2, 2**63 - 1)


def test_sizes_that_do_not_fit_raise_after_the_same_writes(mod):
    X = np.random.default_rng(10).integers(-4, 5, (9, 9)).astype(np.float64)
    # A narrower than B is long: A[i + 1:, i] past its columns at i = 6 (IndexError); B shorter: lengths disagree (ValueError)
    for A, B, error in ((X[:, :6], X[:, :4], "IndexError"), (X[:8, :8], X[:5, :3], "ValueError")):
        ran = compare_with_original(mod.trmm, mod._polyray_original_trmm, 2.0, A, B, messages=False)
        assert ran.status == error, ran


def test_a_column_past_y_raises_index_error():
    from polyray.runtime.column_dots import column_dot

    Y, v = np.ones((4, 3)), np.ones(2)
    with pytest.raises(IndexError):
        column_dot(np.empty(0), 0, 3, v, Y, 2, 4)
    assert column_dot(np.empty(0), 0, -1, v, Y, 2, 4) == 2.0  # counted from the end, as Python's
