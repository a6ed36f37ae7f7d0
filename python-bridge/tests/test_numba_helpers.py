"""The Numba helpers reproduce CPython's scalar semantics (values, types, exceptions)."""

from __future__ import annotations

import math
import operator
from collections.abc import Callable
from typing import Any

import numba
import numpy as np
import pytest

from polyray.runtime import numba_helpers as h
from polyray.runtime.cpu import HELPER_NAMES

INF = float("inf")
NAN = float("nan")
INTS: list[Any] = [-7, -2, -1, 0, 1, 2, 3, 7, True, False]
FLOATS: list[Any] = [-7.5, -3.0, -1.0, -0.0, 0.0, 0.5, 1.0, 2.5, INF, -INF, NAN, 1e308, 5e-324, 709.0, 710.0, -1e-300]

PYTHON_BINARY: dict[str, Callable[[Any, Any], Any]] = {
    "truediv": operator.truediv,
    "floordiv": operator.floordiv,
    "mod": operator.mod,
    "pow": operator.pow,
}
PYTHON_UNARY: dict[str, Callable[[Any], Any]] = {
    name: getattr(math, name) for name in ("sqrt", "log", "log10", "log2", "acos", "asin", "exp")
}
#: runtime/math_helpers.py: where Numba's math returns nan or inf and CPython raises (no speculative forms)
CHECKED_UNARY: dict[str, Callable[[Any], Any]] = {
    name: getattr(math, name) for name in ("sin", "cos", "tan", "sinh", "cosh", "expm1", "log1p")
}


def outcome(fn: Callable[..., Any], *args: Any) -> tuple[str, str]:
    """(result type, repr) or (exception type, message): repr keeps -0.0 and nan apart."""
    try:
        result = fn(*args)
    except Exception as exc:  # noqa: BLE001 - the exception is the outcome
        return type(exc).__name__, str(exc)
    return type(result).__name__, repr(result)


def compiled2(name: str) -> Callable[[Any, Any], Any]:
    helper = getattr(h, name)
    return numba.njit(error_model="numpy")(lambda a, b: helper(a, b))


def compiled1(name: str) -> Callable[[Any], Any]:
    helper = getattr(h, name)
    return numba.njit(error_model="numpy")(lambda a: helper(a))


def test_helper_names_match_module() -> None:
    assert set(h.__all__) == set(HELPER_NAMES)
    for name in HELPER_NAMES:
        assert callable(getattr(h, name))


def pow_expected_difference(a: Any, b: Any) -> bool:
    """Cases where the compiled pow differs on purpose (see test_pow_*)."""
    int_like = (int, bool)
    if isinstance(a, int_like) and isinstance(b, int_like) and b >= 0:
        return True  # int ** runtime int exponent: float in compiled code
    if isinstance(b, float) and math.isfinite(b) and b != math.floor(b) and (a < 0 and math.isfinite(a)):
        return True  # complex in Python
    return False


@pytest.mark.parametrize("name", sorted(PYTHON_BINARY))
def test_binary_helpers_match_cpython(name: str) -> None:
    py = PYTHON_BINARY[name]
    jit = compiled2(name)
    mismatches = []
    for left in (INTS, FLOATS):
        for right in (INTS, FLOATS):
            for a in left:
                for b in right:
                    if name == "pow" and pow_expected_difference(a, b):
                        continue
                    want, got = outcome(py, a, b), outcome(jit, a, b)
                    # the Python-level helper is CPython itself
                    assert outcome(getattr(h, name), a, b) == want
                    if want != got:
                        mismatches.append((a, b, want, got))
    assert not mismatches, mismatches[:10]


@pytest.mark.parametrize("name", sorted(PYTHON_UNARY | CHECKED_UNARY))
def test_unary_helpers_match_cpython(name: str) -> None:
    py = (PYTHON_UNARY | CHECKED_UNARY)[name]
    jit = compiled1(name)
    mismatches = []
    for x in INTS + FLOATS + [-1.5, 1.5, 0.999, -0.999, 1000.0, -1000.0, 88.0, 171.7, -171.5, 1e19, -1e300, -1.0000001, 2e305]:
        want, got = outcome(py, x), outcome(jit, x)
        assert outcome(getattr(h, name), x) == want
        if want != got:
            mismatches.append((x, want, got))
    assert not mismatches, mismatches


def test_zero_division_messages() -> None:
    assert outcome(compiled2("truediv"), 1, 0) == ("ZeroDivisionError", "division by zero")
    assert outcome(compiled2("truediv"), 1.0, 0) == ("ZeroDivisionError", "float division by zero")
    assert outcome(compiled2("floordiv"), 1, 0) == ("ZeroDivisionError", "integer division or modulo by zero")
    assert outcome(compiled2("floordiv"), 1.0, 0.0) == ("ZeroDivisionError", "float floor division by zero")
    assert outcome(compiled2("mod"), 1, 0) == outcome(operator.mod, 1, 0)
    assert outcome(compiled2("mod"), 1.0, -0.0) == outcome(operator.mod, 1.0, -0.0)


def test_complex_truediv() -> None:
    jit = compiled2("truediv")
    assert outcome(jit, 1j, 0j) == outcome(operator.truediv, 1j, 0j)
    assert jit(1 + 2j, 2.0) == (1 + 2j) / 2.0


def test_pow_int_constant_exponent_keeps_python_types() -> None:
    square = numba.njit(lambda a: h.pow(a, 2))
    inverse = numba.njit(lambda a: h.pow(a, -1))
    assert outcome(square, -4) == ("int", "16")
    assert outcome(inverse, 4) == ("float", "0.25")
    assert outcome(inverse, 0) == outcome(operator.pow, 0, -1)


def test_pow_int_runtime_exponent_is_float() -> None:
    # Numba types are static: Python's int ** int is an int or a float depending on
    # the sign of the exponent at run time; the compiled helper returns a float.
    jit = compiled2("pow")
    assert outcome(jit, 3, 4) == ("float", "81.0")
    assert outcome(jit, 2, -2) == ("float", "0.25")
    assert outcome(jit, 0, -2) == outcome(operator.pow, 0, -2)


def test_pow_negative_base_fractional_exponent_raises() -> None:
    # Python gives a complex number; the compiled variant cannot, and says so loudly.
    with pytest.raises(ValueError, match="complex in Python"):
        compiled2("pow")(-8.0, 1.0 / 3.0)


def test_helpers_refuse_unsupported_types() -> None:
    with pytest.raises(numba.core.errors.TypingError):
        compiled2("floordiv")(1j, 2j)
    with pytest.raises(numba.core.errors.TypingError):
        compiled1("sqrt")(1j)


def test_mathpow_matches_cpython_on_edge_values():
    """math.pow through the helper: same value, or the same exception type and message."""
    import math

    import numba

    from polyray.runtime import numba_helpers as h

    @numba.njit
    def compiled(x, y):
        return h.mathpow(x, y)

    values = [0.0, -0.0, 1.0, -1.0, 2.0, -2.0, 0.5, -0.5, 3.0, 1e300, -1e300, math.inf, -math.inf, math.nan]
    for x in values:
        for y in values:
            try:
                expected = ("ok", math.pow(x, y))
            except (ValueError, OverflowError) as exc:
                expected = (type(exc).__name__, str(exc))
            try:
                got = ("ok", compiled(x, y))
            except (ValueError, OverflowError) as exc:
                got = (type(exc).__name__, str(exc))
            if expected[0] == "ok" and got[0] == "ok" and math.isnan(expected[1]):
                assert math.isnan(got[1]), (x, y)
            else:
                assert got == expected, (x, y)


@pytest.mark.parametrize("name", sorted(PYTHON_UNARY))
def test_speculative_forms_flag_exactly_where_cpython_raises(name: str) -> None:
    """spec_<name>(x, fail) sets fail[0] where math.<name>(x) raises, and otherwise returns its value."""
    import numpy as np

    spec = getattr(h, f"spec_{name}")
    compiled = numba.njit(error_model="numpy")(lambda x, fail: spec(x, fail))
    for x in INTS + FLOATS:
        fail = np.zeros(1, dtype=np.int8)
        got = compiled(x, fail)
        try:
            want: Any = PYTHON_UNARY[name](x)
        except (ValueError, OverflowError):
            assert fail[0] == 1, (name, x)
            continue
        assert fail[0] == 0, (name, x, got)
        assert (math.isnan(got) and math.isnan(want)) or (got == want and math.copysign(1, got) == math.copysign(1, want)), (name, x, got, want)


def test_speculative_mathpow_and_products_check_like_numpy() -> None:
    import numpy as np

    spec = numba.njit(error_model="numpy")(lambda x, y, fail: h.spec_mathpow(x, y, fail))
    for x, y in [(2.0, 3.0), (0.0, -1.0), (-2.0, 0.5), (10.0, 400.0), (-8.0, 3.0)]:
        fail = np.zeros(1, dtype=np.int8)
        spec(x, y, fail)
        try:
            math.pow(x, y)
            assert fail[0] == 0, (x, y)
        except (ValueError, OverflowError):
            assert fail[0] == 1, (x, y)
    matmul = numba.njit(lambda a, b: h.matmul(a, b))
    dot = numba.njit(lambda a, b: h.dot(a, b))
    for shapes in [((2, 3), (3, 4)), ((1, 0), (1, 0)), ((3,), (3, 2)), ((2, 3), (2,)), ((0,), (0,))]:
        a, b = np.ones(shapes[0]), np.ones(shapes[1])
        for ours, theirs in ((matmul, np.matmul), (dot, np.dot)):
            try:
                want = theirs(a, b)
            except ValueError:
                with pytest.raises(ValueError):
                    ours(a, b)
                continue
            np.testing.assert_array_equal(ours(a, b), want)


def test_pairwise_sum_and_mean_are_numpys_bit_for_bit() -> None:
    """NumPy's pairwise order, any length (the 8 and 128 boundaries, long runs) and stride."""
    import numba

    from polyray.runtime import numba_helpers as nh

    total = numba.njit(lambda a: nh.pairwise_sum(a))
    mean = numba.njit(lambda a: nh.pairwise_mean(a))
    rng = np.random.default_rng(11)
    for n in [*range(0, 300), 1000, 8191, 8192, 8193, 100_003]:
        base = rng.standard_normal(2 * n + 1) * 10.0 ** rng.integers(-8, 8, 2 * n + 1)
        for a in (base[:n], base[::2][:n], base[::-1][:n]):
            assert total(a) == np.sum(a) or (np.isnan(total(a)) and np.isnan(np.sum(a))), n
            if n:
                assert mean(a) == np.mean(a), n
    # the identity 0.0 first: a sum of negative zeros is +0.0, as NumPy's
    assert np.signbit(total(np.array([-0.0]))) == np.signbit(np.sum(np.array([-0.0])))
    with np.errstate(invalid="ignore"):
        assert np.isnan(mean(np.zeros(0)))


def test_pairwise_sum_of_contiguous_arrays_in_memory_order_and_strided_ones_refused() -> None:
    """C and F order: NumPy's result bit for bit; a strided 2-D view does not compile (the original runs)."""
    import numba

    from polyray.runtime import numba_helpers as nh

    total = numba.njit(lambda a: nh.pairwise_sum(a))
    mean = numba.njit(lambda a: nh.pairwise_mean(a))
    rng = np.random.default_rng(12)
    for shape in [(0, 3), (3, 5), (33, 65), (257, 129), (4, 5, 6), (50, 40, 30)]:
        base = rng.standard_normal(shape) * 10.0 ** rng.integers(-6, 6, shape)
        for a in (base, np.asfortranarray(base)):
            assert total(a) == np.sum(a)
            if a.size:
                assert mean(a) == np.mean(a)
    with pytest.raises(numba.core.errors.TypingError):
        total(np.zeros((6, 4))[::2])


def test_cdiv_is_numpys_complex_division_bit_for_bit():
    """numba_helpers.cdiv: NumPy's complex128 divide loop (Smith's method, a zero divisor giving inf/nan), on arrays and scalars."""
    from numba import njit

    from polyray.runtime.numba_helpers import cdiv

    rng = np.random.default_rng(5)
    n = 20_000
    a = rng.standard_normal(n) * 10.0 ** rng.integers(-30, 30, n) + 1j * rng.standard_normal(n) * 10.0 ** rng.integers(-30, 30, n)
    b = rng.standard_normal(n) * 10.0 ** rng.integers(-30, 30, n) + 1j * rng.standard_normal(n) * 10.0 ** rng.integers(-30, 30, n)
    parts = [0.0, -0.0, np.inf, -np.inf, np.nan, 1.0, -1.0, 1e308, 5e-324, 1e-310]
    s = np.array([complex(x, y) for x in parts for y in parts])
    A, B = np.concatenate([a, np.repeat(s, s.size)]), np.concatenate([b, np.tile(s, s.size)])

    @njit
    def elementwise(x, y):
        out = np.empty_like(x)
        for i in range(x.size):
            out[i] = cdiv(x[i], y[i])
        return out

    with np.errstate(all="ignore"):
        want = A / B
        for got in (cdiv(A, B), elementwise(A, B)):
            assert np.array_equal(got.view(np.float64), want.view(np.float64), equal_nan=True)
        assert np.array_equal(cdiv(A.real, B), A.real / B, equal_nan=True)  # a float operand converted as NumPy does
