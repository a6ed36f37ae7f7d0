"""A seeded generator of random type-hinted Python programs for Polyray's differential fuzzer.

`generate(seed)` returns a `Program`: the text of one module (1 to 3 functions)
and, per function, what the runner needs to build inputs (array ranks, int and
float parameters) and what the program was meant to exercise (features).

Most functions stay inside the subset that Polyray accelerates (see README "The
CLI" and src/compiler/types/check.ts): loop nests of depth 1 to 4 with
rectangular, triangular, parametric (int parameters, `A.shape[k]`, `len(A)`,
`min(...)`) bounds and steps of either sign; several statements per nest;
affine subscripts with offsets (which leave the array for some sizes, or go
negative and wrap as Python does); in-place updates; scalar locals and float
reductions (`s += ...`); if/else on data; NumPy slice statements inside loops
(negative and omitted bounds as NPBench writes stencils, `x[i, 1:-1] = c * (y[i, :-2]
+ y[i, 1:-1] + y[i, 2:])`); negative constant indices (`A[-1, j]`); vectors
broadcast through `None`/`np.newaxis`;
`math.sqrt`/`np.sqrt`; division by Python floats (ZeroDivisionError).

Arrays are float64 in most functions; others work on int64 arrays (integer
arithmetic, `//` and `%`, integer division by an array element), complex128
arrays (complex constants, `abs`, `.real`), or mix float64 arrays with int64
and bool arrays that are read (bool ones as conditions). Between nests there may
be whole-array operators: `X[:, :] = Y @ Z`, `np.dot` of vectors, `np.sum`, and
functions may allocate local arrays (`np.zeros` with parameter shapes).

One function in six instead works on int8..uint32 or float32 arrays combined with
Python literals (some out of the dtype's range) and int/float parameters, where
NumPy 2 computes in the array's dtype (NEP 50: wraparound, float32 rounding,
OverflowError), through operators and ufuncs of their elements (np.maximum(A[i], 5),
np.sqrt(np.abs(x)), np.floor), and may return a ufunc of their reductions
(np.minimum(A.max(), B.min())); `_NarrowFn`, drawn from its own random stream.

Functions may also spell things as people do (`_forms`, its own stream): chained
assignment (`s = w0 = 0.0`; a local array bound to two names and used through both)
and dtype= as `float`, `'float64'`, `'f8'` or `np.double`.

Functions may also unpack the shapes they read (`nA0, _ = A.shape`) and, when they
return `s`, swap two scalar locals in their first nest (`u, v = v, u + v`); drawn
from another stream of their own (`_unpacking`).
Those that return `s` may end with a loop over a vector parameter that is not a
written range: `for x in A`, enumerate, zip, reversed(range(...)) or a while loop
(`_loop_forms`, a stream of its own).

About one function in ten is deliberately outside the subset (a `while` loop,
a list, an `int()` of a float, ...): those must keep only their original
version and still behave exactly as written. The same draw may give a call of
another function of the module (`n = _fz_clip(n)`), which is inside the subset
since issue 17 (compiled for the call's argument types and called directly):
such a function is compared like any other (feature `call`). One program in
four also gets a function `c_<f>` calling one of its functions once, twice or
in a loop (`_caller`, its own random stream; feature `calls_function`).

One function in five of the rest computes what close mode may round
differently (`_CloseFn`, issue 16): a reduction along an axis or of a whole
array (sum, mean, var, std), a transcendental ufunc, a power with an integer
exponent or a product, whose bound the runner derives from the inputs.

One function in five of the rest is one of last session's constructs (families.ArrayFn: float32
reductions along axes and axis tuples, complex arithmetic and powers, np.mgrid, ufunc `out=`,
np.roll/swapaxes/tile/repeat/average, `T.shape = ...`, one index array per dimension); with
POLYRAY_FUZZ_FAMILIES set (run.py --families) every function is.

One function in five of the rest works through boolean masks and integer index
arrays instead (families.IndexFn); ordinary and index functions may read module-level
constants, take NumPy scalar arguments and return tuples (families.py; streams of
their own).

One program in eight also returns a whole-array expression or binds one to a fresh name and returns
it (`_ReturnedFn`, its own stream: float64, float32 or int64, np.where/np.clip/np.minimum, // and %, max/min
inside, a comparison),
which the variants fill with one element loop (poly/returned-arrays.ts).

Programs are either "raising" (may contain operations that raise a CPython
exception: division by a Python float, `math.sqrt` of a negative number) or
"quiet" (none), since a statement that can raise keeps isl from rescheduling.

    python test/fuzz/generate.py SEED        # prints the program
"""
from __future__ import annotations

import os
import random
import re
import sys
from dataclasses import dataclass, field

HEADER = "import math\n\nimport numpy as np\nimport numpy.typing as npt\n"
ARRAY_HINTS = {"float64": "npt.NDArray[np.float64]", "int64": "npt.NDArray[np.int64]",
               "complex128": "npt.NDArray[np.complex128]", "bool": "npt.NDArray[np.bool_]",
               **{d: f"npt.NDArray[np.{d}]" for d in ("int8", "int16", "int32", "uint8", "uint16", "uint32", "float32")}}
#: dtypes NumPy 2 keeps beside a Python scalar (NEP 50): the "narrow" family
NARROW_INTS = ("int8", "int16", "int32", "uint8", "uint16", "uint32")
LOOP_VARS = ("i", "j", "k", "l")
ARRAY_NAMES = ("A", "B", "C")
INT_CONSTS = ("1", "2", "-1", "3", "0", "-2")
COMPLEX_CONSTS = ("1j", "(0.5-2j)", "(1+1j)", "-0.25j")
#: dtype of each expression kind a target array wants
KIND_OF = {"float64": "float", "int64": "int", "complex128": "complex", "bool": "bool"}
#: outside_subset kinds the compiler has learned since: the functions are compared, not required to stay original-only
NOW_IN_SUBSET = frozenset({"while", "int_of_float"})  # int() of a float: int_helpers.py_int since issue 17's fifth session
FLOAT_CONSTS = ("0.5", "2.0", "1.25", "-3.0", "0.75", "1.0", "-0.5", "3.0")


@dataclass
class Param:
    name: str
    kind: str  # "array" | "int" | "float"
    ndim: int = 0
    dtype: str = "float64"
    #: an array built from another parameter (families.IndexFn): "like:x" (x's shape), "mask:x"
    #: (a mask of x's shape), "index:x" (indices into x's first axis), "len:idx" (as long as idx)
    of: str | None = None
    #: an int or float parameter given a NumPy scalar of this dtype (families.numpy_scalars)
    np: str | None = None


@dataclass
class FunctionSpec:
    name: str
    params: list[Param]
    returns: bool
    outside: str | None  # why it is outside the subset, or None
    features: set[str] = field(default_factory=set)
    #: close-mode functions (_CloseFn): the one bounded operation whose result is returned, as data
    #: the runner turns into a per-element bound (test/fuzz/close_check.py); None elsewhere
    bound: dict | None = None
    #: module constants the function reads -> the rebinds the runner tries (families.module_constants)
    constants: dict[str, list[str]] = field(default_factory=dict)
    #: the return hint when not `float`/`None` ("-": none written), and whether it returns a tuple
    ret_hint: str = ""
    tuple_return: bool = False


@dataclass
class Program:
    seed: int
    source: str
    functions: list[FunctionSpec]
    #: module-level constants: name -> literal (families.module_constants)
    constants: dict[str, str] = field(default_factory=dict)


class _Fn:
    """Builds one function's text."""

    def __init__(self, rng: random.Random, name: str, raising: bool):
        self.rng = rng
        self.name = name
        self.raising = raising
        self.features: set[str] = set()
        n_arrays = rng.choice((1, 2, 2, 3, 3))
        self.family = rng.choices(("float", "int", "complex", "mixed"), (55, 15, 15, 15))[0]
        self.dtypes: dict[str, str] = {}
        self.arrays = [(ARRAY_NAMES[a], rng.choice((1, 2, 2, 3))) for a in range(n_arrays)]
        for k, (a, _) in enumerate(self.arrays):
            if self.family == "mixed":
                self.dtypes[a] = "float64" if k == 0 else rng.choice(("float64", "int64", "bool"))
            else:
                self.dtypes[a] = {"float": "float64", "int": "int64", "complex": "complex128"}[self.family]
        self.params_arrays = list(self.arrays)
        if self.family != "mixed":
            self.features.add(f"dtype_{self.dtypes[self.arrays[0][0]]}")
        else:
            self.features.add("dtype_mixed")
        self.ints = ["n"] + (["m"] if rng.random() < 0.5 else [])
        self.floats = (["alpha"] if rng.random() < 0.6 else []) + (["d"] if raising and rng.random() < 0.7 else [])
        self.has_red = rng.random() < 0.45
        # "clean" functions rarely leave their arrays; "dirty" ones often do
        self.offset_p = 0.08 if rng.random() < 0.5 else 0.35
        self.lines: list[str] = []
        self.locals_in_scope: list[str] = []
        self.local_count = 0

    # --- expressions --------------------------------------------------------------
    def size_expr(self) -> str:
        r = self.rng.random()
        if r < 0.45:
            return self.rng.choice(self.ints)
        if r < 0.8:
            arr, nd = self.rng.choice(self.arrays)
            self.features.add("shape_bound")
            return f"{arr}.shape[{self.rng.randrange(nd)}]"
        if r < 0.88:
            arr, _ = self.rng.choice(self.arrays)
            return f"len({arr})"
        if r < 0.94 and len(self.ints) > 1:
            self.features.add("minmax_bound")
            return f"min({self.ints[0]}, {self.ints[1]})"
        return f"{self.rng.choice(self.ints)} {self.rng.choice(('-', '+'))} 1"

    def index(self, vars_: list[str], used: set[str]) -> str:
        rng = self.rng
        free = [v for v in vars_ if v not in used]
        r = rng.random()
        if (free or vars_) and r < 0.85:
            v = free[0] if free and rng.random() < 0.75 else rng.choice(vars_)
            used.add(v)
            off = rng.choice((1, -1, 2, -2, 1)) if rng.random() < self.offset_p else 0
            if rng.random() < 0.06 and len(vars_) > 1:
                w = rng.choice([x for x in vars_ if x != v])
                self.features.add("sum_subscript")
                return f"{v} + {w}"
            if off > 0:
                self.features.add("offset_subscript")
                return f"{v} + {off}"
            if off < 0:
                self.features.add("offset_subscript")
                return f"{v} - {-off}"
            return v
        if r < 0.85 + self.offset_p * 0.25:
            if rng.random() < 0.3:
                # NumPy counts a negative index from the end (an empty dimension raises IndexError)
                self.features.add("negative_index")
                return rng.choice(("-1", "-2"))
            return rng.choice(("0", "1"))
        self.features.add("param_subscript")
        return f"{rng.choice(self.ints)} - 1"

    def arrays_of(self, kind: str | None) -> list[tuple[str, int]]:
        """Arrays whose elements an expression of `kind` may read (None: any array; 'target': writable ones)."""
        if kind is None:
            return self.arrays
        if kind == "target":
            return [a for a in self.arrays if self.dtypes[a[0]] != "bool"]
        ok = {"float": ("float64", "int64"), "int": ("int64",), "complex": ("complex128", "float64"), "bool": ("bool",)}[kind]
        return [a for a in self.arrays if self.dtypes[a[0]] in ok]

    def access(self, vars_: list[str], arr: tuple[str, int] | None = None, kind: str | None = None) -> str:
        name, nd = arr or self.rng.choice(self.arrays_of(kind) or self.arrays_of("target"))
        used: set[str] = set()
        idx = [self.index(vars_, used) for _ in range(nd)]
        return f"{name}[{', '.join(idx)}]"

    def leaf(self, vars_: list[str], kind: str = "float") -> str:
        rng = self.rng
        r = rng.random()
        if r < 0.55 and self.arrays_of(kind):
            return self.access(vars_, kind=kind)
        if kind == "int":
            if r < 0.75 or not vars_:
                return rng.choice(INT_CONSTS + tuple(self.ints))
            return rng.choice(vars_)
        if kind == "complex" and r < 0.7:
            return rng.choice(COMPLEX_CONSTS + FLOAT_CONSTS)
        if r < 0.7:
            return rng.choice(FLOAT_CONSTS)
        if r < 0.8 and self.floats and "alpha" in self.floats:
            return "alpha"
        if r < 0.88 and vars_:
            v = rng.choice(vars_)
            return rng.choice((f"float({v})", f"{v} * 0.5"))
        if self.locals_in_scope:
            return rng.choice(self.locals_in_scope)
        return rng.choice(FLOAT_CONSTS)

    def int_expr(self, vars_: list[str], depth: int = 0) -> str:
        """Integer arithmetic on int64 elements, loop variables and int parameters."""
        rng = self.rng
        if depth >= 2 or rng.random() < 0.35:
            return self.leaf(vars_, "int")
        r = rng.random()
        a = self.int_expr(vars_, depth + 1)
        if r < 0.55:
            return f"({a} {rng.choice(('+', '-', '*', '+'))} {self.int_expr(vars_, depth + 1)})"
        if r < 0.68:
            self.features.add("int_floordiv")
            return f"({a} {rng.choice(('//', '%'))} {rng.choice(('2', '3', '-2'))})"
        if r < 0.74 and self.raising:
            # NumPy integer scalars divided by zero give 0 with a warning, Python ints raise
            self.features.add("int_div_by_element")
            return f"({a} {rng.choice(('//', '%'))} {self.access(vars_, kind='int')})"
        if r < 0.82:
            return f"abs({a})"
        if r < 0.9:
            return f"{rng.choice(('max', 'min'))}({a}, {self.int_expr(vars_, depth + 1)})"
        return f"-{a}"

    def complex_expr(self, vars_: list[str], depth: int = 0) -> str:
        """Complex arithmetic: + - * with complex and float operands, abs and .real of elements."""
        rng = self.rng
        if depth >= 2 or rng.random() < 0.35:
            return self.leaf(vars_, "complex")
        r = rng.random()
        a = self.complex_expr(vars_, depth + 1)
        if r < 0.6:
            return f"({a} {rng.choice(('+', '-', '*'))} {self.complex_expr(vars_, depth + 1)})"
        if r < 0.7:
            return f"abs({a})"
        if r < 0.8 and self.arrays_of("complex"):
            self.features.add("complex_real")
            return f"{self.access(vars_, kind='complex')}.{rng.choice(('real', 'imag'))}"
        if r < 0.9:
            return f"({a} * 0.5)"
        return f"-{a}"

    def typed_expr(self, vars_: list[str], kind: str) -> str:
        if kind == "int":
            return self.int_expr(vars_)
        if kind == "complex":
            return self.complex_expr(vars_)
        return self.expr(vars_)

    def target(self, vars_: list[str]) -> tuple[str, str]:
        """A writable element and the kind of expression it takes."""
        arr = self.rng.choice(self.arrays_of("target"))
        return self.access(vars_, arr), KIND_OF[self.dtypes[arr[0]]]

    def condition(self, vars_: list[str]) -> str:
        rng = self.rng
        if self.arrays_of("bool") and rng.random() < 0.5:
            self.features.add("bool_condition")
            return self.access(vars_, kind="bool")
        arr = rng.choice(self.arrays_of("target"))
        x = self.access(vars_, arr)
        if self.dtypes[arr[0]] == "complex128":
            x = f"abs({x})"
        return f"{x} > {rng.choice(('0.0', '0.5', '-0.25'))}"

    def expr(self, vars_: list[str], depth: int = 0) -> str:
        rng = self.rng
        if depth >= 2 or rng.random() < 0.35:
            return self.leaf(vars_)
        r = rng.random()
        a = self.expr(vars_, depth + 1)
        if r < 0.55:
            b = self.expr(vars_, depth + 1)
            return f"({a} {rng.choice(('+', '-', '*', '+', '*'))} {b})"
        if r < 0.63:
            return f"({a} / {rng.choice(('2.0', '4.0', '0.5'))})"
        if r < 0.7:
            self.features.add("np_sqrt")
            return f"np.sqrt({a})"
        if r < 0.76:
            self.features.add("math_sqrt")
            if self.raising and rng.random() < 0.6:
                self.features.add("may_raise_sqrt")
                return f"math.sqrt({a})"
            return f"math.sqrt(abs({a}))"
        if r < 0.82:
            return f"abs({a})"
        if r < 0.87:
            b = self.expr(vars_, depth + 1)
            return f"{rng.choice(('max', 'min'))}({a}, {b})"
        if r < 0.92:
            return f"-{a}"
        if self.raising and "d" in self.floats:
            # a Python float divided by a Python float: ZeroDivisionError when d == 0.0
            self.features.add("py_division")
            num = rng.choice(("1.0", "alpha" if "alpha" in self.floats else "2.0", f"float({vars_[0]})" if vars_ else "3.0"))
            return f"({a} * ({num} / d))"
        return f"({a} * 0.5)"

    # --- statements ---------------------------------------------------------------
    def simple_stmt(self, vars_: list[str], ind: str) -> list[str]:
        rng = self.rng
        r = rng.random()
        if r < 0.42:
            x, kind = self.target(vars_)
            return [f"{ind}{x} = {self.typed_expr(vars_, kind)}"]
        if r < 0.62:
            self.features.add("inplace")
            x, kind = self.target(vars_)
            return [f"{ind}{x} {rng.choice(('+=', '-=', '*=', '+='))} {self.typed_expr(vars_, kind)}"]
        if r < 0.75 and self.has_red:
            self.features.add("reduction")
            kind = rng.choice([KIND_OF[self.dtypes[a]] for a, _ in self.arrays_of("target")])
            e = self.typed_expr(vars_, kind)
            return [f"{ind}s {rng.choice(('+=', '+=', '-='))} {f'abs({e})' if kind == 'complex' else e}"]
        if r < 0.86 and (self.family in ("float", "mixed") or rng.random() < 0.5):
            self.local_count += 1
            t = f"t{self.local_count}"
            self.features.add("scalar_local")
            first = f"{ind}{t} = {self.expr(vars_)}"
            self.locals_in_scope.append(t)
            try:
                x, kind = self.target(vars_)
                # a float local only goes into float or complex elements
                if kind == "int":
                    second = f"{ind}{x} = {self.int_expr(vars_)} + int({t} > 0.0)"
                else:
                    second = f"{ind}{x} = {self.typed_expr(vars_, kind)} + {t}"
            finally:
                self.locals_in_scope.pop()
            return [first, second]
        # if/else on data
        self.features.add("if_data")
        lines = [f"{ind}if {self.condition(vars_)}:"]
        x, kind = self.target(vars_)
        lines += [f"{ind}    {x} = {self.typed_expr(vars_, kind)}"]
        if rng.random() < 0.7:
            x, kind = self.target(vars_)
            lines += [f"{ind}else:", f"{ind}    {x} {rng.choice(('=', '+='))} {self.typed_expr(vars_, kind)}"]
        return lines

    def slice_stmt(self, v: str, ind: str) -> list[str] | None:
        rng = self.rng
        two = [a for a in self.arrays if a[1] == 2 and self.dtypes[a[0]] == "float64"]
        if not two:
            return None
        self.features.add("slice")
        (x, _), (y, _) = rng.choice(two), rng.choice(two)
        ones = [a for a, nd in self.arrays if nd == 1 and self.dtypes[a] == "float64"]
        if ones and rng.random() < 0.3:
            # a vector given a dimension of length 1 (None / np.newaxis), broadcast along rows or columns
            self.features.add("newaxis")
            a, ax = rng.choice(ones), rng.choice(("None", "np.newaxis"))
            return [rng.choice((f"{ind}{x}[{v}, :] = {y}[{v}, :] * {rng.choice(FLOAT_CONSTS)} + {a}[{ax}, :]",
                                f"{ind}{x}[1:-1, :] = {y}[1:-1, :] + {a}[1:-1, {ax}]"))]
        if rng.random() < 0.25:
            # NPBench's stencils: negative and omitted bounds, reads shifted against the write
            self.features.add("negative_slice")
            c = rng.choice(FLOAT_CONSTS)
            row = rng.choice((v, "-1", "1"))
            return [f"{ind}{x}[{row}, 1:-1] {rng.choice(('=', '+='))} {c} * ({y}[{row}, :-2] + {y}[{row}, 1:-1] + {y}[{row}, 2:])"]
        lo, hi = rng.choice((("", ""), ("", ""), ("1", ""), ("", self.ints[-1]), ("1", f"{self.ints[0]} - 1"), ("0", "2"),
                             ("1", "-1"), ("", "-2"), ("-3", ""), ("-2", "-1")))
        if lo.startswith("-") or hi.startswith("-"):
            self.features.add("negative_slice")
        sl = f"{lo}:{hi}"
        rhs = rng.choice((f"{y}[{v}, {sl}] * {rng.choice(FLOAT_CONSTS)}", f"{y}[{v}, {sl}] + {x}[{v}, {sl}]", f"np.sqrt(np.abs({y}[{v}, {sl}]))"))
        if rng.random() < 0.2:
            rhs = rng.choice(FLOAT_CONSTS)
        op = rng.choice(("=", "=", "+="))
        return [f"{ind}{x}[{v}, {sl}] {op} {rhs}"]

    def bound(self, depth: int, outer: list[str]) -> str:
        rng = self.rng
        e = self.size_expr()
        r = rng.random()
        v = rng.choice(outer) if outer else None
        if v and r < 0.25:
            self.features.add("triangular")
            return rng.choice((f"range({v})", f"range({v} + 1, {e})", f"range({v}, {e})", f"range(0, {v} + 1)"))
        if r < 0.38:
            self.features.add("negative_step")
            if v and rng.random() < 0.3:
                self.features.add("triangular")
                return f"range({e} - 1, {v}, -1)"
            return rng.choice((f"range({e} - 1, -1, -1)", f"range({e}, 0, -2)", f"range({e} - 1, 0, -1)"))
        if r < 0.46:
            self.features.add("step")
            return rng.choice((f"range(0, {e}, 2)", f"range(1, {e}, 3)"))
        if r < 0.6:
            return rng.choice((f"range(1, {e})", f"range({e} - 1)", f"range(2, {e})", f"range(1, {e} - 1)"))
        return f"range({e})"

    def nest(self, ind: str) -> None:
        rng = self.rng
        depth = rng.choices((1, 2, 3, 4), (35, 35, 20, 10))[0]
        self.features.add(f"depth{depth}")
        vars_: list[str] = []
        for d in range(depth):
            v = LOOP_VARS[d]
            self.lines.append(f"{ind}for {v} in {self.bound(d, vars_)}:")
            vars_.append(v)
            ind += "    "
            if d == 0 and depth > 1 and rng.random() < 0.15:
                s = self.slice_stmt(v, ind)
                if s:
                    self.lines += s
            if d < depth - 1 and rng.random() < 0.15:
                self.lines += self.simple_stmt(list(vars_), ind)
        body_n = rng.choice((1, 1, 2, 2, 3))
        for _ in range(body_n):
            if rng.random() < 0.12:
                s = self.slice_stmt(vars_[0], ind)
                if s:
                    self.lines += s
                    continue
            self.lines += self.simple_stmt(vars_, ind)

    def between_nests(self, ind: str) -> None:
        """A NumPy statement between nests (a whole-array operator)."""
        rng = self.rng
        self.features.add("numpy_between")
        floats2 = [a for a, nd in self.arrays if nd == 2 and self.dtypes[a] == "float64"]
        floats1 = [a for a, nd in self.arrays if nd == 1 and self.dtypes[a] == "float64"]
        r = rng.random()
        if floats2 and r < 0.2:
            self.features.add("matmul")
            x, y, z = (rng.choice(floats2) for _ in range(3))
            self.lines.append(f"{ind}{x}[:, :] = {y} @ {z}" if rng.random() < 0.7 else f"{ind}{x}[:, :] = np.dot({y}, {z})")
            return
        ints = [a for a, _ in self.arrays if self.dtypes[a] == "int64"]
        if self.has_red and (floats1 or ints) and r < 0.35:
            # of floats, only a whole 1-D array's sum or mean is in the subset (added in NumPy's
            # pairwise order); of ints any sum is exact
            if floats1 and (not ints or rng.random() < 0.5):
                if rng.random() < 0.5:
                    self.features.add("np_dot")
                    self.lines.append(f"{ind}s += np.dot({rng.choice(floats1)}, {rng.choice(floats1)})")
                else:
                    # a 2-d parameter too (NumPy walks it in memory order; a local array is outside the subset)
                    floats2p = [a for a, nd in self.arrays if nd == 2 and self.dtypes[a] == "float64" and a != "T"]
                    self.features.add("float_sum")
                    pool = floats1 + (floats2p if rng.random() < 0.5 else [])
                    self.lines.append(f"{ind}s += {rng.choice(('np.sum({})', '{}.sum()', 'np.mean({})', '{}.mean()'))}".format(rng.choice(pool)))
            else:
                self.features.add("np_sum")
                self.lines.append(f"{ind}s += {rng.choice(('np.sum({})', '{}.sum()'))}".format(rng.choice(ints)))
            return
        same = [(a, b) for a in self.arrays_of("target") for b in self.arrays_of("target")
                if a != b and a[1] == b[1] and self.dtypes[a[0]] == self.dtypes[b[0]]]
        floats = [(a, b) for (a, b) in same if self.dtypes[a[0]] == "float64"]
        if floats and rng.random() < 0.5:
            self.numpy_chain(rng.choice(floats), ind)
            return
        if same and rng.random() < 0.5:
            (x, _), (y, _) = rng.choice(same)
            c = rng.choice(INT_CONSTS if self.dtypes[x] == "int64" else FLOAT_CONSTS)
            self.lines.append(f"{ind}{x}[:] = {y} * {c} + {x}")
        else:
            x, _ = rng.choice(self.arrays_of("target"))
            self.lines.append(f"{ind}{x} *= {rng.choice(INT_CONSTS if self.dtypes[x] == 'int64' else FLOAT_CONSTS)}")

    def numpy_chain(self, pair: tuple[tuple[str, int], tuple[str, int]], ind: str) -> None:
        """Consecutive whole-array statements (fused, their temporaries contracted: poly/implicit-loops.ts)."""
        rng = self.rng
        self.features.add("numpy_chain")
        (x, _), (y, _) = pair
        c = rng.choice(FLOAT_CONSTS)
        self.temp_count = getattr(self, "temp_count", 0) + 1
        t = f"tmp{self.temp_count}"
        # a 1-d operand broadcast along the rows of a 2-d one
        vectors = [a for a, nd in self.arrays if nd == 1 and self.dtypes[a] == "float64"] if pair[0][1] == 2 else []
        rng.shuffle(vectors)
        first = rng.choice((f"{y} * {c} + {x}", f"np.sqrt(np.abs({y})) - {x}", f"({x} - {y}) / 2.0")
                           + ((f"{y}.T * {c} + {x}",) if pair[0][1] == 2 else ())
                           + tuple(f"{x} - {v} * {c}" for v in vectors[:1]))
        lines = [f"{ind}{t} = {first}"]
        lines.append(rng.choice((f"{ind}{x}[:] = {t} * {y}", f"{ind}{x} += {t}", f"{ind}{y}[:] = {t} + {y} * {c}")))
        if rng.random() < 0.5:
            lines.append(rng.choice((f"{ind}{y} *= {c}", f"{ind}{x}[:] = {x} - {y}", f"{ind}{y}[:] = {x} + {t}")))
        self.lines += lines

    def local_array(self, ind: str) -> None:
        """A local float64 array with a parameter shape, used like the others from here on."""
        rng = self.rng
        name = "T"
        nd = rng.choice((1, 2))
        dims = [self.rng.choice(self.ints) if rng.random() < 0.6 else self.size_expr() for _ in range(nd)]
        self.features.add("local_array")
        if rng.random() < 0.3:
            like = [a for a, d in self.arrays if d == nd]
            if like:
                self.lines.append(f"{ind}{name} = np.zeros_like({rng.choice(like)}, dtype=np.float64)")
                self.arrays.append((name, nd))
                self.dtypes[name] = "float64"
                return
        shape = f"({dims[0]},)" if nd == 1 else f"({', '.join(dims)})"
        self.lines.append(f"{ind}{name} = np.{rng.choice(('zeros', 'ones'))}({shape})")
        self.arrays.append((name, nd))
        self.dtypes[name] = "float64"

    def outside_subset(self, ind: str) -> str:
        rng = self.rng
        kind = rng.choice(("while", "list", "call", "int_of_float", "string", "try"))
        floats = [a for a in self.params_arrays if self.dtypes[a[0]] == "float64"]
        if kind == "int_of_float" and not floats:
            kind = "while"
        x, nd = floats[0] if kind == "int_of_float" else self.params_arrays[0]
        first = f"{x}[{', '.join(['0'] * nd)}]"
        if kind == "while":
            self.lines += [f"{ind}q = 0", f"{ind}while q < {self.ints[0]}:", f"{ind}    q += 1"]
        elif kind == "list":
            self.lines += [f"{ind}vals = [0.0, 1.0]", f"{ind}vals[0] = vals[1] + 1.0"]
        elif kind == "call":
            self.lines += [f"{ind}{self.ints[0]} = _fz_clip({self.ints[0]})"]
        elif kind == "int_of_float":
            self.lines += [f"{ind}if {x}.size > 0:", f"{ind}    q = int({first})"]
        elif kind == "string":
            self.lines += [f"{ind}label = 'polyray'"]
        else:
            self.lines += [f"{ind}try:", f"{ind}    q = 1", f"{ind}except ValueError:", f"{ind}    q = 2"]
        return kind

    def build(self, outside: bool) -> tuple[str, FunctionSpec]:
        rng = self.rng
        params = [Param(a, "array", nd, self.dtypes[a]) for a, nd in self.params_arrays]
        params += [Param(i, "int") for i in self.ints]
        params += [Param(f, "float") for f in self.floats]
        rng.shuffle(params)
        why = None
        ind = "    "
        if self.has_red:
            self.lines.append(f"{ind}s = {rng.choice(('0.0', '1.0'))}")
        if outside:
            why = self.outside_subset(ind)
            if why == "call":  # compiled since issue 17 (types/calls.ts): inside the subset, compared like the rest
                why = None
                self.features.add("call")
            elif why in NOW_IN_SUBSET:
                # compiled since (while loops: issue 17), so compared like the rest, not required to stay original
                self.features.add(f"formerly_outside_{why}")
                why = None
        if rng.random() < 0.15:
            self.local_array(ind)
        for k in range(rng.choice((1, 1, 2, 2, 3))):
            if k > 0 and rng.random() < 0.25:
                self.between_nests(ind)
            self.nest(ind)
        if self.has_red:
            self.lines.append(f"{ind}return s")
        sig = ", ".join(f"{p.name}: {ARRAY_HINTS[p.dtype] if p.kind == 'array' else p.kind}" for p in params)
        ret = "float" if self.has_red else "None"
        text = f"def {self.name}({sig}) -> {ret}:\n" + "\n".join(self.lines) + "\n"
        if self.raising:
            self.features.add("raising")
        return text, FunctionSpec(self.name, params, self.has_red, why, self.features)


class _NarrowFn:
    """A function on small-integer or float32 arrays combined with Python scalars (literals,
    some out of the dtype's range, and int/float parameters): NumPy 2 computes in the
    array's dtype, wrapping around and rounding to float32 (NEP 50, issue 15 item 1)."""

    def __init__(self, rng: random.Random, name: str):
        self.rng = rng
        self.name = name
        self.float = rng.random() < 0.35
        self.a = "float32" if self.float else rng.choice(NARROW_INTS)
        # B: the same dtype, another narrow one (mixed promotion), or float64/int64
        self.b = rng.choice((self.a, self.a, "float32" if self.float else rng.choice(NARROW_INTS), "float64" if self.float else "int64"))
        self.out = rng.choice(("float64", "float32")) if self.float else rng.choice(("int64", "float64", self.a))
        self.features = {"narrow", f"narrow_{self.a}", "narrow_mixed" if self.b != self.a else "narrow_same"}

    def literal(self) -> str:
        rng = self.rng
        if self.float:
            return rng.choice(("0.1", "1.5", "-2.25", "3", "2", "0.3", "1e-3"))
        # mostly in range of every narrow dtype; sometimes past int8/uint8 (NumPy raises OverflowError)
        return rng.choice(("3", "7", "1", "2", "100", "-1", "5", "127", "300"))

    def leaf(self, i: str) -> str:
        r = self.rng.random()
        if r < 0.3:
            return f"A[{i}]"
        if r < 0.5:
            return f"B[{i}]"
        if r < 0.8:
            return self.literal()
        self.features.add("narrow_param")
        # the parameter inside an expression: a NumPy scalar argument there is strong (families.numpy_scalars)
        return self.rng.choice(("alpha", "alpha", "(alpha * 0.5)")) if self.float else "n"

    def expr(self, i: str, depth: int = 0) -> str:
        rng = self.rng
        if depth >= 2 or rng.random() < 0.3:
            return f"A[{i}]" if depth == 0 else self.leaf(i)
        ops = ("+", "-", "*", "/") if self.float else ("+", "-", "*", "//", "%", "&", "|", "^")
        op = rng.choice(ops)
        if not self.float and rng.random() < 0.1:
            return f"({self.expr(i, depth + 1)} << {rng.choice(('1', '3'))})"
        if rng.random() < 0.1:
            return f"(-{self.expr(i, depth + 1)})"
        if rng.random() < 0.2:
            return self.ufunc(self.expr(i, depth + 1), self.expr(i, depth + 1))
        return f"({self.expr(i, depth + 1)} {op} {self.expr(i, depth + 1)})"

    def ufunc(self, x: str, y: str) -> str:
        """A ufunc of NumPy scalars of the narrow dtype, perhaps beside a Python number: NumPy 2 keeps the
        dtype (np.maximum of two float32 elements is float32, of one and 0.5 too; np.sqrt of an int16 is float32),
        Numba widens a Python number's partner (types/scalar-ufunc.ts)."""
        self.features.add("narrow_ufunc")
        two = ("maximum", "minimum", "add", "subtract", "multiply", "fmax") + (("divide",) if self.float else ())
        one = ("abs", "negative", "square", "floor") + (("sqrt",) if self.float else ("sign",))
        if self.rng.random() < 0.6:
            return f"np.{self.rng.choice(two)}({x}, {y})"
        fn = self.rng.choice(one)
        return f"np.sqrt(np.abs({x}))" if fn == "sqrt" else f"np.{fn}({x})"

    def build(self) -> tuple[str, FunctionSpec]:
        rng = self.rng
        lines = []
        i = "i"
        lines.append(f"    for {i} in range(min(A.shape[0], B.shape[0], OUT.shape[0])):")
        for _ in range(rng.choice((1, 2))):
            lines.append(f"        OUT[{i}] = {self.expr(i)}")
        if rng.random() < 0.4:
            lines += [f"        if A[{i}] > {self.literal()}:", f"            OUT[{i}] = OUT[{i}] + {self.literal()}"]
        if rng.random() < 0.35:
            # a whole-array statement: Numba's fused array expression
            self.features.add("narrow_array_statement")
            op = rng.choice(("+", "-", "*") if self.float else ("+", "-", "*", "//"))
            lines.append(f"    OUT[:] = (A {op} {self.literal()}) {rng.choice(('+', '*'))} A" if rng.random() < 0.5 else f"    OUT[:] = A {op} {self.literal()}")
        ret = " -> None"
        if rng.random() < 0.3:
            # a ufunc of the arrays' reductions, NumPy scalars of their dtypes, returned
            self.features.add("narrow_reduced_ufunc")
            other = rng.choice(("B.min()", "np.max(B)", self.literal(), "A.min()"))
            lines.append(f"    return np.{rng.choice(('maximum', 'minimum', 'add', 'multiply'))}(A.max(), {other})")
            ret = ""
        params = [Param("A", "array", 1, self.a), Param("B", "array", 1, self.b), Param("OUT", "array", 1, self.out)]
        params.append(Param("alpha", "float") if self.float else Param("n", "int"))
        sig = ", ".join(f"{p.name}: {ARRAY_HINTS[p.dtype] if p.kind == 'array' else p.kind}" for p in params)
        return f"def {self.name}({sig}){ret}:\n" + "\n".join(lines) + "\n", FunctionSpec(self.name, params, False, None, self.features)


class _CloseFn:
    """A function whose result close mode may compute differently (issue 16): one
    reduction along an axis or of a whole array (sum, mean, var, std; functions and
    methods; keepdims, ddof), one transcendental ufunc, a power with an integer
    exponent, or a product (`@`, np.dot, np.matmul), of parameters or exact
    elementwise expressions of them, returned. The spec's `bound` says which, so
    that the runner derives each element's bound from the inputs (reduction
    lengths, the function's ULP bound, the product's inner dimension)."""

    OPERANDS = ("X", "X", "X * v", "X - Y", "X.T", "X[1:, :]", "np.abs(X) + 1.0")
    UFUNCS = ("exp", "sin", "cos", "tanh", "log", "arctan", "sinh", "log2")

    def __init__(self, rng: random.Random, name: str):
        self.rng = rng
        self.name = name

    def build(self) -> tuple[str, FunctionSpec]:
        rng = self.rng
        operand = rng.choice(self.OPERANDS)
        kind = rng.choice(("reduction", "reduction", "reduction", "ufunc", "power", "product"))
        scalar = False
        if kind == "reduction":
            op = rng.choice(("sum", "mean", "var", "std"))
            axis = rng.choice((None, 0, 1, -1))
            keep = axis is not None and rng.random() < 0.35
            ddof = rng.choice((0, 0, 1)) if op in ("var", "std") else 0
            kw = ([f"axis={axis}"] if axis is not None else []) + (["keepdims=True"] if keep else []) + ([f"ddof={ddof}"] if ddof else [])
            method = rng.random() < 0.4
            expr = f"({operand}).{op}({', '.join(kw)})" if method else f"np.{op}({', '.join([operand] + kw)})"
            bound = {"op": op, "operand": operand, "axis": axis, "keepdims": keep, "ddof": ddof}
            scalar = axis is None
        elif kind == "ufunc":
            fn = rng.choice(self.UFUNCS + ("arctan2",))
            expr = f"np.arctan2({operand}, Y)" if fn == "arctan2" else f"np.{fn}({operand})"
            bound = {"op": "ulp", "fn": fn}
        elif kind == "power":
            exponent = rng.choice(("2", "3", "-1", "k", "-3", "0"))
            expr = f"({operand}) ** {exponent}"
            bound = {"op": "ulp", "fn": "power"}
        else:
            a, b = rng.choice((("X", "Y.T"), ("X.T", "Y"), ("X", "v"), ("v", "X.T"), ("Y", "X.T")))
            expr = rng.choice((f"{a} @ {b}", f"np.dot({a}, {b})", f"np.matmul({a}, {b})"))
            bound = {"op": "product", "a": a, "b": b}
        params = [Param("X", "array", 2), Param("Y", "array", 2), Param("v", "array", 1), Param("k", "int")]
        # shaped hints: the ranks are known, as a profiled first call gives them
        shaped = {1: "np.ndarray[tuple[int], np.dtype[np.float64]]", 2: "np.ndarray[tuple[int, int], np.dtype[np.float64]]"}
        sig = ", ".join(f"{p.name}: {shaped[p.ndim] if p.kind == 'array' else p.kind}" for p in params)
        ret = "float" if scalar else "npt.NDArray[np.float64]"
        text = f"def {self.name}({sig}) -> {ret}:\n    r = {expr}\n    return r\n"
        return text, FunctionSpec(self.name, params, True, None, {"close", f"close_{kind}"}, bound)


class _ReturnedFn:
    """A whole-array expression returned, or bound to a fresh name and returned (issues 17/18: one element
    loop filling a new array, poly/returned-arrays.ts and lower-slices.ts): float64, float32 or int64 arrays
    of one rank, + - * (/ on floats; // and % on int64, by a number or the int parameter, which may be 0 or
    -1: NumPy's zero and warning, and the wrap of int64's most negative // -1), np.minimum/np.maximum,
    np.clip with number bounds, np.where of a comparison, np.sqrt/np.abs on floats, Python numbers (NEP 50:
    float32 stays float32), a scalar parameter, and whole-array max/min of an operand inside the expression
    (hoisted-reductions.ts computes it once first; an empty operand raises ValueError as NumPy's does); or a
    comparison (a bool array). Exact in both modes (max/min are exact): the runner compares bit for bit.
    Operands of another shape send the call to the original."""

    def __init__(self, rng: random.Random, name: str):
        self.rng = rng
        self.name = name
        self.int = rng.random() < 0.35
        # float32 since the element loops take it (7fbe4b6)
        self.dtype = "int64" if self.int else ("float32" if rng.random() < 0.3 else "float64")
        self.ndim = rng.choice((1, 2))
        self.features = {"returned", f"returned_{self.dtype}"}

    def literal(self) -> str:
        return self.rng.choice(INT_CONSTS if self.int else FLOAT_CONSTS + ("2",))

    def leaf(self) -> str:
        r = self.rng.random()
        if r < 0.08:  # a whole-array reduction inside the expression (`x - np.max(x)`), exact: max/min
            self.features.add("returned_reduction")
            arr, fn = self.rng.choice("AB"), self.rng.choice(("max", "min"))
            return f"np.{fn}({arr})" if self.rng.random() < 0.5 else f"{arr}.{fn}()"
        return "A" if r < 0.35 else "B" if r < 0.6 else "c" if r < 0.75 else self.literal()

    def expr(self, depth: int = 0) -> str:
        """An expression of `dtype` elements; at depth 0 it starts from A, so it is an array."""
        rng = self.rng
        first = "A" if depth == 0 else None
        if depth >= 3 or (depth > 0 and rng.random() < 0.3):
            return first or self.leaf()
        left = first or self.expr(depth + 1)
        r = rng.random()
        if r < 0.45:
            ops = ("+", "-", "*", "//", "%") if self.int else ("+", "-", "*", "/")
            op = rng.choice(ops)
            if op in ("//", "%"):
                # by a number (never 0 or -1: those stay NumPy's) or the int parameter (any value, 0 included)
                self.features.add("returned_floordiv")
                return f"({left} {op} {rng.choice(('2', '3', '-2', '7', 'c'))})"
            return f"({left} {op} {self.expr(depth + 1)})"
        if r < 0.6:
            self.features.add("returned_minmax")
            return f"np.{rng.choice(('minimum', 'maximum'))}({left}, {self.expr(depth + 1)})"
        if r < 0.72:
            self.features.add("returned_clip")
            lo, hi = sorted((self.literal(), self.literal()), key=float) if rng.random() < 0.8 else (self.literal(), self.literal())
            return f"np.clip({left}, {lo}, {hi})"
        if r < 0.86:
            self.features.add("returned_where")
            cmp = rng.choice(("<", "<=", ">", ">=", "==", "!="))
            return f"np.where({left} {cmp} {self.expr(depth + 1)}, {self.expr(depth + 1)}, {self.expr(depth + 1)})"
        if not self.int:
            return f"np.sqrt(np.abs({left}))" if rng.random() < 0.5 else f"np.abs({left})"
        return f"(-{left})"

    def build(self) -> tuple[str, FunctionSpec]:
        rng = self.rng
        expr = self.expr()
        if rng.random() < 0.15:
            self.features.add("returned_compare")
            expr = f"{expr} {rng.choice(('<', '>=', '=='))} B"
        lines = []
        if rng.random() < 0.4:
            # NPBench's spelling: the shape unpacked, a scalar of it in the expression
            lines.append("    n = A.shape[0]")
            expr = f"{expr} + n" if "returned_compare" not in self.features else expr
        form = rng.choice(("return", "bound", "bound_used"))
        self.features.add(f"returned_{form}")
        if form == "return":
            lines.append(f"    return {expr}")
        elif form == "bound":
            lines += [f"    r = {expr}", "    return r"]
        else:
            lines += [f"    t = {expr}", f"    return t * {self.literal()} - B" if "returned_compare" not in self.features else "    return t"]
        shaped = {(d, k): f"np.ndarray[{'tuple[int]' if k == 1 else 'tuple[int, int]'}, np.dtype[np.{d}]]" for d in ("float64", "float32", "int64") for k in (1, 2)}
        params = [Param("A", "array", self.ndim, self.dtype), Param("B", "array", self.ndim, self.dtype),
                  Param("c", "int" if self.int else "float")]
        sig = ", ".join(f"{p.name}: {shaped[(p.dtype, p.ndim)] if p.kind == 'array' else p.kind}" for p in params)
        spec = FunctionSpec(self.name, params, True, None, self.features)
        spec.ret_hint = "-"
        return f"def {self.name}({sig}):\n" + "\n".join(lines) + "\n", spec


def _unpacking(text: str, spec: FunctionSpec, rng: random.Random) -> str:
    """Tuple unpacking as people write it, drawn from its own random stream (the rest of
    a seed's program stays as it was before this existed): the shapes a function reads as `nA0, nA1 = A.shape`
    (`_` for a dimension it does not read), and in functions that return `s`, a swap of
    two scalar locals inside the first nest (`u, v = v, u + v`, whose values reach `s`)."""
    lines = text.split("\n")
    head: list[str] = []
    if rng.random() < 0.35:
        for p in spec.params:
            used = [k for k in range(p.ndim) if f"{p.name}.shape[{k}]" in text]
            if p.kind != "array" or not used:
                continue
            targets = [f"n{p.name}{k}" if k in used else "_" for k in range(p.ndim)]
            head.append(f"    {', '.join(targets)}{',' if p.ndim == 1 else ''} = {p.name}.shape")
            for k in used:
                lines = [ln.replace(f"{p.name}.shape[{k}]", f"n{p.name}{k}") for ln in lines]
            spec.features.add("unpack_shape")
    if spec.returns and rng.random() < 0.35:
        loop = next((k for k, ln in enumerate(lines) if ln.startswith("    for ")), None)
        ret = next((k for k, ln in enumerate(lines) if ln == "    return s"), None)
        if loop is not None and ret is not None:
            swap = rng.choice(("u, v = v, u + v", "u, v = v, u", "v, u = u * 0.5, v - u"))
            lines = lines[:loop + 1] + [f"        {swap}"] + lines[loop + 1:ret + 1] + lines[ret + 1:]
            lines.insert(ret + 1, "    s += u - v")
            head.append(f"    u, v = {rng.choice(('0.5, 1.25', '1.0, -2.0'))}")
            spec.features.add("swap")
    return "\n".join(lines[:1] + head + lines[1:])


def _forms(text: str, spec: FunctionSpec, rng: random.Random) -> str:
    """Everyday spellings (issue 17), drawn from their own random stream: chained assignment
    (`s = w0 = 0.0`, whose second name is added back before the return; a local array bound
    to two names, `T = T0 = np.zeros(...)`, then read and written through either, so the
    compiler must see one array), and dtype= spelled as people do (`float`, `'float64'`,
    `'f8'`, `np.double`) in the local array's allocation."""
    lines = text.split("\n")
    if spec.returns and rng.random() < 0.3:
        k = next((k for k, ln in enumerate(lines) if ln in ("    s = 0.0", "    s = 1.0")), None)
        ret = next((k for k, ln in enumerate(lines) if ln == "    return s"), None)
        if k is not None and ret is not None:
            lines[k] = lines[k].replace("s = ", "s = w0 = ", 1)
            lines.insert(ret, "    s += w0")
            spec.features.add("chained_scalar")
    alloc = next((k for k, ln in enumerate(lines) if ln.startswith("    T = np.")), None)
    if alloc is not None and rng.random() < 0.5:
        spelled = rng.choice(("float", "'float64'", "'f8'", "np.double"))
        if "dtype=np.float64" in lines[alloc]:
            lines[alloc] = lines[alloc].replace("dtype=np.float64", f"dtype={spelled}")
        else:
            lines[alloc] = lines[alloc][:-1] + f", dtype={spelled})"
        spec.features.add("dtype_spelling")
    if alloc is not None and rng.random() < 0.4:
        lines[alloc] = lines[alloc].replace("    T = ", "    T = T0 = ", 1)
        flip = [False]

        def other(m: str) -> str:
            flip[0] = not flip[0]
            return "T0[" if flip[0] else "T["
        lines = lines[:alloc + 1] + [re.sub(r"\bT\[", lambda m: other(m.group(0)), ln) for ln in lines[alloc + 1:]]
        spec.features.add("chained_alias")
    return "\n".join(lines)


def _loop_forms(text: str, spec: FunctionSpec, rng: random.Random) -> str:
    """Loops not over a written range (issue 17), drawn from their own random stream: in a
    function that returns `s`, one more loop before `return s` over a 1-d float64 parameter:
    `for x in A`, `enumerate(A)`, `zip(A, B)`, `reversed(range(...))` or a while loop with a
    data-dependent condition (bounded by the array's length, so it always ends)."""
    vectors = [p.name for p in spec.params if p.kind == "array" and p.ndim == 1 and p.dtype == "float64"]
    if not spec.returns or not vectors or rng.random() >= 0.5:
        return text
    lines = text.split("\n")
    ret = next((k for k, ln in enumerate(lines) if ln == "    return s"), None)
    if ret is None:
        return text
    a, b = rng.choice(vectors), rng.choice(vectors)
    form = rng.choice(("array", "enumerate", "zip", "reversed", "while"))
    loop = {"array": [f"    for x in {a}:", "        s += x * 0.5"],
            "enumerate": [f"    for i, x in enumerate({a}):", "        s += x * (i % 3)"],
            "zip": [f"    for x, y in zip({a}, {b}):", "        s += x - 0.5 * y"],
            "reversed": [f"    for i in reversed(range({a}.shape[0])):", f"        s = s * 0.5 + {a}[i]"],
            "while": ["    q = 0", f"    while q < {a}.shape[0] and s < 1e300:", f"        s += {a}[q]", "        q += 1"]}[form]
    spec.features.add(f"loop_{form}")
    return "\n".join(lines[:ret] + loop + lines[ret:])


def _caller(callee: FunctionSpec, rng: random.Random, callee_text: str = "") -> tuple[str, FunctionSpec]:
    """A function that calls another function of the program (issue 17: compiled for the
    call's argument types and called directly from the caller's variant): once, twice (the
    second call sees the first's writes) or in a loop, its arguments partly as keywords;
    the callee's writes, exceptions and returned value must come through unchanged."""
    params = callee.params
    cut = rng.randrange(len(params) + 1)
    args = ", ".join([p.name for p in params[:cut]] + [f"{p.name}={p.name}" for p in params[cut:]])
    call = f"{callee.name}({args})"
    how = rng.choice(("once", "twice", "loop"))
    if callee.tuple_return:
        how = "once"  # a tuple is passed on, not added to
    if callee.returns:
        body = {"once": [f"    return {call}"],
                "twice": [f"    r = {call}", f"    r = r + 0.5 * {call}", "    return r"],
                "loop": ["    r = 0.0", "    for _k in range(2):", f"        r += {call}", "    return r"]}[how]
    else:
        body = {"once": [f"    {call}"], "twice": [f"    {call}", f"    {call}"],
                "loop": ["    for _k in range(2):", f"        {call}"]}[how]
    sig = ", ".join(f"{p.name}: {ARRAY_HINTS[p.dtype] if p.kind == 'array' else p.kind}" for p in params)
    # the callee's own hints where they give ranks (families.IndexFn's shaped hints)
    own = re.match(rf"def {callee.name}\((.*)\)(?: ->[^:]*)?:", callee_text)
    if own and "np.ndarray[" in own.group(1):
        sig = own.group(1)
    name = f"c_{callee.name}"
    hint = callee.ret_hint or ("float" if callee.returns else "None")
    text = f"def {name}({sig}){'' if hint == '-' else ' -> ' + hint}:\n" + "\n".join(body) + "\n"
    outside = f"calls {callee.name} ({callee.outside})" if callee.outside else None
    spec = FunctionSpec(name, list(params), callee.returns, outside, {*callee.features, "calls_function", f"call_{how}"},
                        constants=dict(callee.constants), ret_hint=callee.ret_hint, tuple_return=callee.tuple_return)
    return text, spec


def generate(seed: int) -> Program:
    import families  # noqa: PLC0415 - it builds on this module's Param and FunctionSpec

    rng = random.Random(seed)
    raising = rng.random() < 0.55
    n_fns = rng.choice((1, 1, 2, 2, 3))
    texts, specs = [], []
    helper_needed = False
    constants: dict[str, str] = {}
    forced = families.array_family_kinds()
    for f in range(n_fns):
        outside = rng.random() < 0.1
        fn = _Fn(rng, f"f{f}", raising)
        text, spec = fn.build(outside)
        # one function in six works on narrow dtypes instead (its own random stream: the others stay as they were)
        narrow = random.Random(seed * 7 + f)
        # and one in five (of the rest) computes what close mode may round differently (its own stream too)
        close = random.Random(seed * 17 + f)
        # and one in five of the rest works through masks and index arrays (families.IndexFn, its own stream)
        index = random.Random(seed * 37 + f)
        # issue 17's spellings on the ordinary and index functions: module constants, NumPy
        # scalar arguments, tuple returns (families.py; a stream of their own)
        later = random.Random(seed * 41 + f)
        # and one in five of the rest is of last session's constructs (families.ArrayFn, its own stream;
        # every function when POLYRAY_FUZZ_FAMILIES names some of its kinds)
        arrays = random.Random(seed * 43 + f)
        if forced:
            text, spec = families.ArrayFn(arrays, f"f{f}", forced).build()
        elif narrow.random() < 1 / 6:
            text, spec = _NarrowFn(narrow, f"f{f}").build()
            text = families.numpy_scalars(text, spec, random.Random(seed * 31 + f))
        elif close.random() < 1 / 5:
            text, spec = _CloseFn(close, f"f{f}").build()
        elif arrays.random() < 1 / 5:
            text, spec = families.ArrayFn(arrays, f"f{f}").build()
        else:
            if index.random() < 1 / 5:
                text, spec = families.IndexFn(index, f"f{f}").build()
            else:
                text = _unpacking(text, spec, random.Random(seed * 13 + f))
                text = _forms(text, spec, random.Random(seed * 23 + f))
                text = _loop_forms(text, spec, random.Random(seed * 29 + f))
                text = families.tuple_return(text, spec, later)
            text = families.module_constants(text, spec, later, constants)
            text = families.numpy_scalars(text, spec, later)
        helper_needed |= "call" in spec.features
        texts.append(text)
        specs.append(spec)
    # one program in four also calls one of its functions from a new one (its own random stream)
    crng = random.Random(seed * 19 + 3)
    # not of a close-family function: its bound is the callee's, which the caller's report does not carry
    callees = [s for s in specs if s.bound is None]
    if crng.random() < 0.25 and callees:
        callee = crng.choice(callees)
        text, spec = _caller(callee, crng, texts[specs.index(callee)])
        texts.append(text)
        specs.append(spec)
    # and one program in eight has a loop with a local array per iteration, or a negative twin of one
    # (families.PrivateFn, its own stream); every program with --private-family (run.py)
    prng = random.Random(seed * 53 + 13)
    if prng.random() < 1 / 8 or os.environ.get("POLYRAY_FUZZ_PRIVATE") == "1":
        text, spec = families.PrivateFn(prng, f"f{len(texts)}").build()
        texts.append(text)
        specs.append(spec)
    # and one program in eight has a loop nest with periodic or divided subscripts, or a twin of one
    # that must stay sequential (families.PeriodicFn, its own stream); every program with POLYRAY_FUZZ_PERIODIC=1
    perng = random.Random(seed * 59 + 17)
    if perng.random() < 1 / 8 or os.environ.get("POLYRAY_FUZZ_PERIODIC") == "1":
        text, spec = families.PeriodicFn(perng, f"f{len(texts)}").build()
        texts.append(text)
        specs.append(spec)
    # and one program in eight has buffers rotated between time steps, or a twin sharing one object between two
    # names (families.RotationFn, its own stream); every program with POLYRAY_FUZZ_ROTATION=1
    rorng = random.Random(seed * 61 + 19)
    if rorng.random() < 1 / 8 or os.environ.get("POLYRAY_FUZZ_ROTATION") == "1":
        text, spec = families.RotationFn(rorng, f"f{len(texts)}").build()
        texts.append(text)
        specs.append(spec)
    # one program in eight also sorts, in a function of its own (families.SortFn, its own stream, so the
    # functions above stay as they were); every program with --sort-family (run.py)
    srng = random.Random(seed * 43 + 5)
    if srng.random() < 1 / 8 or os.environ.get("POLYRAY_FUZZ_FAMILY") == "sort":
        text, spec = families.SortFn(srng, f"f{len(texts)}").build()
        texts.append(text)
        specs.append(spec)
    # and one program in eight returns a whole-array expression, or binds one to a fresh name (_ReturnedFn, its own
    # stream); every program with POLYRAY_FUZZ_RETURNED=1 (before the table
    # family's function, which stays the last: a program with --table-family is the plain one plus that function)
    rerng = random.Random(seed * 67 + 23)
    if rerng.random() < 1 / 8 or os.environ.get("POLYRAY_FUZZ_RETURNED") == "1":
        text, spec = _ReturnedFn(rerng, f"f{len(texts)}").build()
        texts.append(text)
        specs.append(spec)
    # and one program in eight calls rows of the NumPy table the families above do not write, in a
    # function of its own (families.TableFn, its own stream); every program with --table-family (run.py)
    trng = random.Random(seed * 47 + 11)
    if trng.random() < 1 / 8 or os.environ.get("POLYRAY_FUZZ_TABLE") == "1":
        text, spec = families.TableFn(trng, f"f{len(texts)}").build()
        texts.append(text)
        specs.append(spec)
    helper = "def _fz_clip(v: int) -> int:\n    return max(v, 0)\n" if helper_needed else ""
    source = prelude(constants) + "\n\n" + "\n\n".join(([helper] if helper else []) + texts)
    return Program(seed, source, specs, constants)


def prelude(constants: dict[str, str]) -> str:
    """The imports, then the module-level constants (families.module_constants)."""
    return HEADER + ("\n" + "".join(f"{name} = {value}\n" for name, value in constants.items()) if constants else "")


if __name__ == "__main__":
    print(generate(int(sys.argv[1]) if len(sys.argv) > 1 else 0).source)
