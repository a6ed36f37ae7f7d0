"""Parameter descriptions of accelerated functions and their per-argument checks.

A :class:`Param` says what a compiled variant assumes about one argument. The
check built from it by :func:`make_check` answers, in well under a microsecond,
``None`` when the argument fits, or a reason string naming the function, the
argument, what was expected and what was passed.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Final

import numpy as np

PARAM_KINDS: Final = ("int", "float", "complex", "bool", "array")

#: Array dtypes Numba compiles (native byte order).
NUMERIC_DTYPES: Final[frozenset[np.dtype]] = frozenset(
    np.dtype(name)
    for name in (
        "bool", "int8", "int16", "int32", "int64",
        "uint8", "uint16", "uint32", "uint64",
        "float32", "float64", "complex64", "complex128",
    )
)

#: The dtypes an array of unhinted dtype may have (Param.wide).
WIDE_DTYPES: Final[frozenset[np.dtype]] = frozenset(np.dtype(n) for n in ("bool", "int64", "float64", "complex128"))

#: Integers must lie strictly inside (-INT_LIMIT, INT_LIMIT), so that the
#: Python-int arithmetic a variant does in int64 cannot overflow.
INT_LIMIT: Final[int] = 2**31

Check = Callable[[object], "str | None"]

#: dtype.kind -> the Param kind of a NumPy scalar of that dtype.
_SCALAR_KIND: Final = {"b": "bool", "i": "int", "u": "int", "f": "float", "c": "complex"}


@dataclass(frozen=True, slots=True)
class Param:
    """One parameter of an accelerated function.

    kind: "int" | "float" | "complex" | "bool" | "array".
    dtype, ndim, written: only for arrays. dtype None means any dtype Numba
    compiles; ndim None means any rank; written means the variant writes to it.
    exact: only for scalars. The variant reproduces CPython's scalar semantics
    for this argument (a Python float divided by zero raises), or NumPy 2's
    promotion of a Python scalar (weak beside a uint8 array, where a NumPy
    scalar would widen it), so a NumPy scalar must run the original.
    bounds: only for exact ints, the range (inclusive) of the narrow dtype the
    int meets: NumPy 2 raises OverflowError outside it, so the original runs.
    wide: only for arrays of dtype None: only the 64-bit dtypes (and bool) the
    variant was typed for; narrower ones promote differently (NEP 50).
    scalar_dtype: only for scalars hinted with a NumPy scalar type (``np.int64``):
    the argument must be a NumPy scalar of exactly that dtype, whose arithmetic
    (NumPy's, not CPython's) the variant was compiled for; ints also within
    2**31 of zero, as for Python ints (the guard's index arithmetic).
    """

    name: str
    kind: str
    dtype: str | None = None
    ndim: int | None = None
    written: bool = False
    exact: bool = False
    bounds: tuple[int, int] | None = None
    wide: bool = False
    scalar_dtype: str | None = None

    def __post_init__(self) -> None:
        if not isinstance(self.name, str) or not self.name.isidentifier():
            raise ValueError(f"Param: name must be an identifier, got {self.name!r}")
        if self.kind not in PARAM_KINDS:
            raise ValueError(
                f"Param {self.name!r}: kind must be one of {', '.join(PARAM_KINDS)}, got {self.kind!r}"
            )
        if self.kind != "array" and (self.dtype is not None or self.ndim is not None or self.written):
            raise ValueError(
                f"Param {self.name!r}: dtype, ndim and written apply to kind 'array' only, "
                f"not {self.kind!r}"
            )
        if self.dtype is not None:
            try:
                dt = np.dtype(self.dtype)
            except TypeError as exc:
                raise ValueError(f"Param {self.name!r}: unknown dtype {self.dtype!r}") from exc
            if dt not in NUMERIC_DTYPES:
                raise ValueError(
                    f"Param {self.name!r}: dtype must be a numeric dtype Numba compiles, got {self.dtype!r}"
                )
        if self.ndim is not None and (type(self.ndim) is not int or self.ndim < 0):
            raise ValueError(f"Param {self.name!r}: ndim must be an int >= 0 or None, got {self.ndim!r}")
        if self.kind == "array" and self.exact:
            raise ValueError(f"Param {self.name!r}: exact applies to scalar kinds only")
        if self.bounds is not None and not (
            self.kind == "int" and self.exact and isinstance(self.bounds, tuple) and len(self.bounds) == 2
            and all(type(b) is int for b in self.bounds) and self.bounds[0] <= self.bounds[1]
        ):
            raise ValueError(f"Param {self.name!r}: bounds must be (low, high) ints, for an exact int only")
        if self.wide and not (self.kind == "array" and self.dtype is None):
            raise ValueError(f"Param {self.name!r}: wide applies to arrays of dtype None only")
        if self.scalar_dtype is not None:
            try:
                sdt = np.dtype(self.scalar_dtype)
            except TypeError as exc:
                raise ValueError(f"Param {self.name!r}: unknown scalar_dtype {self.scalar_dtype!r}") from exc
            if self.kind == "array" or self.exact or sdt not in NUMERIC_DTYPES or _SCALAR_KIND[sdt.kind] != self.kind:
                raise ValueError(
                    f"Param {self.name!r}: scalar_dtype must be a numeric dtype of the scalar kind {self.kind!r}, "
                    f"for a scalar that is not exact, got {self.scalar_dtype!r}"
                )
        if type(self.written) is not bool:
            raise ValueError(f"Param {self.name!r}: written must be a bool, got {self.written!r}")


def describe(value: object) -> str:
    """Short description of a passed value for reasons."""
    if isinstance(value, np.ndarray):
        kind = "ndarray" if type(value) is np.ndarray else type(value).__name__
        return f"{value.dtype} {kind} of ndim {value.ndim}"
    if isinstance(value, (bool, np.bool_)):
        return f"{type(value).__name__} {value!r}"
    if isinstance(value, (int, float, complex, np.number)):
        text = repr(value)
        if len(text) > 40:
            text = text[:37] + "..."
        return f"{type(value).__name__} {text}"
    return type(value).__name__


def make_check(param: Param, function: str) -> Check:
    """Build the check of one argument against ``param`` (everything precomputed)."""
    where = f"argument {param.name!r} of {function}"
    limit = INT_LIMIT
    int64 = np.int64
    np_bool = np.bool_
    ndarray = np.ndarray

    if param.scalar_dtype is not None:
        scalar_type = np.dtype(param.scalar_dtype).type
        bounded = param.kind == "int"

        def check_numpy_scalar(x: object) -> str | None:
            if type(x) is scalar_type:
                if not bounded or -limit < x < limit:  # type: ignore[operator]
                    return None
                return f"{where}: expected {scalar_type.__name__} with |x| < 2**31, got {describe(x)}"
            return f"{where}: expected a NumPy {scalar_type.__name__} (the variant computes with NumPy's rules for it), got {describe(x)}"

        return check_numpy_scalar

    if param.exact:
        builtin = {"int": int, "float": float, "complex": complex, "bool": bool}[param.kind]
        low, high = param.bounds if param.bounds is not None else (-limit + 1, limit - 1)
        low, high = max(low, -limit + 1), min(high, limit - 1)

        def check_exact(x: object) -> str | None:
            if type(x) is builtin:
                if builtin is not int or low <= x <= high:  # type: ignore[operator]
                    return None
                if param.bounds is not None:
                    return f"{where}: expected int from {low} to {high} (NumPy 2 raises OverflowError outside the dtype it meets), got {describe(x)}"
                return f"{where}: expected int with |x| < 2**31, got {describe(x)}"
            return (
                f"{where}: expected a Python {param.kind} (the variant reproduces CPython's "
                f"{param.kind} semantics), got {describe(x)}"
            )

        return check_exact

    if param.kind == "int":

        def check_int(x: object) -> str | None:
            # a NumPy integer of another width keeps its dtype in NumPy 2 (np.int8(5) * 1000 wraps around)
            if type(x) is int or type(x) is int64:
                if -limit < x < limit:  # type: ignore[operator]
                    return None
                return f"{where}: expected int with |x| < 2**31, got {describe(x)}"
            return f"{where}: expected int, got {describe(x)}"

        return check_int

    if param.kind == "float":

        def check_float(x: object) -> str | None:
            if isinstance(x, float):
                return None
            return f"{where}: expected float, got {describe(x)}"

        return check_float

    if param.kind == "complex":

        def check_complex(x: object) -> str | None:
            if isinstance(x, complex):
                return None
            return f"{where}: expected complex, got {describe(x)}"

        return check_complex

    if param.kind == "bool":

        def check_bool(x: object) -> str | None:
            if type(x) is bool or isinstance(x, np_bool):
                return None
            return f"{where}: expected bool, got {describe(x)}"

        return check_bool

    # array
    want_dtype: np.dtype | None = None if param.dtype is None else np.dtype(param.dtype)
    numeric = WIDE_DTYPES if param.wide else NUMERIC_DTYPES
    ndim = param.ndim
    written = param.written
    expected = (
        f"{'a writeable ' if written else ''}"
        f"{want_dtype if want_dtype is not None else 'numeric'} ndarray"
        f"{'' if ndim is None else f' of ndim {ndim}'}"
    )

    def check_array(x: object) -> str | None:
        if type(x) is not ndarray:
            return f"{where}: expected {expected}, got {describe(x)}"
        dt = x.dtype  # type: ignore[attr-defined]
        if want_dtype is not None:
            if dt != want_dtype:
                return f"{where}: expected {expected}, got {describe(x)}"
        elif dt not in numeric:
            if param.wide:
                return f"{where}: expected {expected}, got {describe(x)} (the variant computes in 64 bits; NumPy 2 keeps narrower dtypes beside Python scalars)"
            return f"{where}: expected {expected}, got {describe(x)} (dtype Numba does not compile)"
        if ndim is not None and x.ndim != ndim:  # type: ignore[attr-defined]
            return f"{where}: expected {expected}, got {describe(x)}"
        if written and not x.flags.writeable:  # type: ignore[attr-defined]
            return f"{where}: expected {expected}, got a read-only array"
        return None

    return check_array
