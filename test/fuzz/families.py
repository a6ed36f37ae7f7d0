"""The fuzzer's families for what issue 17 added to the language (test/fuzz/generate.py draws them,
each from a random stream of its own so that the programs of the older families stay as they were):

- `IndexFn`: boolean masks and integer index arrays as scientists write them: `x[x > t] = v`,
  `x[mask] = y[mask]`, masks of a 2-d array's own rank (`M[M < t] = t`, `M[Mm]`), gathers
  `x[idx]` (negative indices and repeated ones), scatters `x[idx] = v` and `x[idx] = vals` (the
  last of repeated indices wins), labels `L[L == k] = 3`, and loops over the gathered arrays.
  The runner builds the masks and index arrays from the arrays they index (`Param.of`): in range
  by construction, and on some calls a mask of the wrong shape, an index past either end or a
  value array of the wrong length, where the variant must raise the original's exception type
  with no write before it. Such a function may return nothing, a scalar, an array or a tuple.
- `module_constants`: a float literal of a function, or a `range` step, becomes a constant at
  module level (`GAIN = 1.25`), read in the function; the runner also calls the function with
  the constant rebound (another value, another type, unbound), where the dispatcher's check must
  send the call to the original.
- `numpy_scalars`: int and float parameters given NumPy scalars (np.float64, np.float32,
  np.int64), hinted as NumPy types or left as `float`/`int`: NumPy 2 computes in float32 beside
  a Python float and divides np.float64 by zero without raising.
- `tuple_return`: a function that returns `s` returns a tuple instead (`return s, n`,
  `return s, A`), hinted `tuple[float, int]` and the like.
"""
from __future__ import annotations

import random
import re

from generate import ARRAY_HINTS, FLOAT_CONSTS, FunctionSpec, Param

#: shaped hints (the ranks known, as a profiled first call or a careful author gives them)
SHAPED = {("float64", 1): "np.ndarray[tuple[int], np.dtype[np.float64]]",
          ("float64", 2): "np.ndarray[tuple[int, int], np.dtype[np.float64]]",
          ("int64", 1): "np.ndarray[tuple[int], np.dtype[np.int64]]",
          ("int64", 2): "np.ndarray[tuple[int, int], np.dtype[np.int64]]",
          ("int32", 1): "np.ndarray[tuple[int], np.dtype[np.int32]]",
          ("bool", 1): "np.ndarray[tuple[int], np.dtype[np.bool_]]",
          ("bool", 2): "np.ndarray[tuple[int, int], np.dtype[np.bool_]]"}


class IndexFn:
    """One function of masks and index arrays (module docstring). Parameters, when used: x, y
    (1-d float64, y shaped like x), M (2-d float64), Mm (M's mask), L (1-d int64 labels, shaped
    like x), mask (x's mask), idx (an int64 or int32 index array of x), vals (float64, as long as
    idx), t (float), k (int)."""

    def __init__(self, rng: random.Random, name: str):
        self.rng = rng
        self.name = name
        self.features: set[str] = {"index_family"}
        self.idx_dtype = rng.choice(("int64", "int64", "int32"))
        self.locals: list[str] = []  # 1-d float64 locals made by reads

    def value(self) -> str:
        return self.rng.choice(FLOAT_CONSTS + ("t", "0.0"))

    def statement(self) -> list[str]:
        rng = self.rng
        r = rng.random()
        f = self.features
        if r < 0.14:
            f.add("mask_store_compare")
            return [f"    x[x {rng.choice(('>', '<', '>='))} t] = {self.value()}"]
        if r < 0.24:
            f.add("mask_store_masked")
            return [rng.choice(("    x[mask] = y[mask]", "    y[mask] = 2.0 * x[mask] - 1.0", "    x[~mask] = 0.0"))]
        if r < 0.34:
            f.add("mask_2d")
            return [rng.choice((f"    M[M < t] = {self.value()}", "    M[Mm] = 0.0", "    M[M > 0.0] = M[M > 0.0] * 0.5"))]
        if r < 0.46:
            f.add("index_store")
            return [rng.choice((f"    x[idx] = {self.value()}", "    x[idx] = vals", "    y[idx] = x[idx] * 2.0"))]
        if r < 0.54:
            f.add("labels")
            return [rng.choice(("    L[L == k] = 3", "    L[L > 0] = k", "    L[idx] = k"))]
        if r < 0.62:
            f.add("mask_augmented")
            return [rng.choice(("    x[x < 0.0] *= 0.5", "    x[idx] += 1.0"))]
        # reads: a gathered or selected 1-d array, used by later statements
        name = f"g{len(self.locals)}"
        read = rng.choice((("index_read", f"x[idx]"), ("index_read", "x[idx] - y[idx]"), ("mask_read", "y[x > t]"),
                           ("mask_read", "x[mask]"), ("mask_2d_read", "M[Mm]"), ("mask_2d_read", "M[M > t]")))
        f.add(read[0])
        self.locals.append(name)
        lines = [f"    {name} = {read[1]}"]
        if rng.random() < 0.5:
            f.add("gathered_loop")
            lines += [f"    for i in range({name}.shape[0]):", f"        s += {name}[i] * {rng.choice(FLOAT_CONSTS)}"]
        elif rng.random() < 0.5:
            lines += [f"    s += {name}.shape[0]"]
        return lines

    def build(self) -> tuple[str, FunctionSpec]:
        rng = self.rng
        body = ["    s = 0.0"]
        for _ in range(rng.choice((1, 2, 2, 3, 4))):
            body += self.statement()
        kind = rng.choice(("none", "scalar", "scalar", "array", "tuple"))
        if kind == "array" and not self.locals:
            kind = "scalar"
        ret_hint = {"none": "None", "scalar": "float", "array": "npt.NDArray[np.float64]"}.get(kind, "")
        if kind == "scalar":
            body.append("    return s")
        elif kind == "array":
            body.append(f"    return {self.locals[-1]}")
        elif kind == "tuple":
            self.features.add("tuple_return")
            second = rng.choice(tuple(f"{g}" for g in self.locals) + ("x[mask].shape[0]", "x"))
            hint2 = "npt.NDArray[np.float64]" if not second.endswith("[0]") else "int"
            if rng.random() < 0.3:
                ret_hint = ""  # unhinted: the first call's types decide
            else:
                ret_hint = f"tuple[float, {hint2}]"
            body.append(f"    return s, {second}")
        text = "\n".join(body)
        if kind == "none" and "s +=" not in text:
            body = body[1:]
        text = "\n".join(body)
        # the parameters the body names, and those they are built from (x for mask, idx for vals)
        deps = {"y": "x", "Mm": "M", "L": "x", "mask": "x", "idx": "x", "vals": "idx"}
        needed = {n for n in "x y M Mm L mask idx vals t k".split() if re.search(rf"\b{n}\b", text)}
        while any(deps.get(n) and deps[n] not in needed for n in needed):
            needed |= {deps[n] for n in needed if n in deps}
        every = {"x": Param("x", "array", 1), "y": Param("y", "array", 1, of="like:x"), "M": Param("M", "array", 2),
                 "Mm": Param("Mm", "array", 2, "bool", of="mask:M"), "L": Param("L", "array", 1, "int64", of="like:x"),
                 "mask": Param("mask", "array", 1, "bool", of="mask:x"),
                 "idx": Param("idx", "array", 1, self.idx_dtype, of="index:x"),
                 "vals": Param("vals", "array", 1, of="len:idx"), "t": Param("t", "float"), "k": Param("k", "int")}
        params = [p for n, p in every.items() if n in needed]
        sig = ", ".join(f"{p.name}: {SHAPED[(p.dtype, p.ndim)] if p.kind == 'array' else p.kind}" for p in params)
        arrow = f" -> {ret_hint}" if ret_hint else ""
        spec = FunctionSpec(self.name, params, kind != "none", None, self.features)
        spec.ret_hint = ret_hint or "-"
        spec.tuple_return = kind == "tuple"
        return f"def {self.name}({sig}){arrow}:\n{text}\n", spec


#: module constants: name, and the values the runner rebinds it to (another value, another type, unbound)
CONST_NAMES = ("GAIN", "OMEGA", "SCALE", "RATE", "DAMPING", "THETA")
FLOAT_REBINDS = ("0.25", "2", "np.float32(0.5)", "None", "DELETE")
STEP_REBINDS = ("3", "1", "0", "2.0", "DELETE")


def module_constants(text: str, spec: FunctionSpec, rng: random.Random, constants: dict[str, str]) -> str:
    """A float literal used in the function, or a `range` step, becomes a module-level constant
    (added to `constants`, name -> its literal); spec.constants lists the rebinds to try."""
    if rng.random() >= 0.3:
        return text
    body_start = text.index("\n") + 1
    head, body = text[:body_start], text[body_start:]
    if rng.random() < 0.3 and re.search(r"range\([^()]*, 2\)", body):
        name = f"STEP{len(constants)}"
        constants[name] = "2"
        spec.constants[name] = list(STEP_REBINDS)
        spec.features.add("module_constant_step")
        return head + re.sub(r"(range\([^()]*, )2\)", rf"\g<1>{name})", body)
    used = [c for c in FLOAT_CONSTS if re.search(rf"(?<![\w.]){re.escape(c)}(?![\w.])", body)]
    if not used:
        return text
    lit = rng.choice(used)
    name = CONST_NAMES[len(constants) % len(CONST_NAMES)] + (str(len(constants)) if len(constants) >= len(CONST_NAMES) else "")
    constants[name] = lit
    spec.constants[name] = list(FLOAT_REBINDS)
    spec.features.add("module_constant")
    return head + re.sub(rf"(?<![\w.]){re.escape(lit)}(?![\w.])", name, body)


def numpy_scalars(text: str, spec: FunctionSpec, rng: random.Random) -> str:
    """Int and float parameters given NumPy scalars; the hint becomes the NumPy type on some of them."""
    if rng.random() >= 0.25:
        return text
    head_end = text.index("\n")
    head = text[:head_end]
    for p in spec.params:
        if p.kind not in ("int", "float") or rng.random() < 0.4:
            continue
        p.np = rng.choice(("int64",)) if p.kind == "int" else rng.choice(("float64", "float64", "float32"))
        spec.features.add(f"numpy_scalar_{p.np}")
        if rng.random() < 0.5:
            head = head.replace(f"{p.name}: {p.kind}", f"{p.name}: np.{p.np}", 1)
            spec.features.add("numpy_scalar_hint")
    return head + text[head_end:]


def tuple_return(text: str, spec: FunctionSpec, rng: random.Random) -> str:
    """`return s` becomes `return s, <int parameter, a scalar or an array parameter>`, hinted."""
    if not spec.returns or rng.random() >= 0.25 or "\n    return s\n" not in text + "\n":
        return text
    arrays = [p for p in spec.params if p.kind == "array" and p.dtype == "float64"]
    ints = [p for p in spec.params if p.kind == "int"]
    choices = [("s * 0.5", "float")] + [(p.name, "int") for p in ints[:1]] \
        + [(f"{p.name}.shape[0]", "int") for p in arrays[:1]] + [(p.name, ARRAY_HINTS["float64"]) for p in arrays[:1]]
    second, hint = rng.choice(choices)
    spec.features.add("tuple_return")
    spec.tuple_return = True
    lines = text.rstrip("\n").split("\n")
    lines = [f"    return s, {second}" if ln == "    return s" else ln for ln in lines]
    spec.ret_hint = f"tuple[float, {hint}]" if rng.random() < 0.7 else "tuple"
    lines[0] = lines[0].replace("-> float:", f"-> {spec.ret_hint}:")
    return "\n".join(lines) + "\n"


# ------------------------------------------------------------------------------------------------
# Last session's constructs (issue 17, session 3), as scientists write them: `ArrayFn`.

#: the kinds of ArrayFn; POLYRAY_FUZZ_FAMILIES (a comma list of these, or "array" for all of them)
#: makes every function of a program an ArrayFn of those kinds (run.py --families sets it)
ARRAY_KINDS = ("axis_reduce", "complex", "mgrid", "ufunc_out", "shifts", "shape_assign", "fancy", "stencil", "masked", "histogram",
               "csr", "sweep")


def hint(dtype: str, ndim: int) -> str:
    """A shaped hint (the rank known, as a profiled first call gives it)."""
    dims = ", ".join(["int"] * ndim)
    return f"np.ndarray[tuple[{dims}{',' if ndim == 1 else ''}], np.dtype[np.{'bool_' if dtype == 'bool' else dtype}]]"


class ArrayFn:
    """One function of last session's constructs, returned or written into its parameters:

    - `axis_reduce`: float32 (or float64) arrays of rank 2 or 3 reduced along an axis or a tuple of
      axes (sum/mean/var/std/max/min, functions and methods, keepdims, ddof), np.max/np.min with axis;
    - `complex`: complex128 (or complex64, which must keep its original) arithmetic: `*`, `/`,
      `**` with small int and float exponents, np.exp, np.abs, and a loop over elements;
    - `mgrid`: coordinate grids unpacked (`I, J = np.mgrid[0:n, 0:m]`), stepped and reversed;
    - `ufunc_out`: `np.add(a, b, out=c)`, positional outputs, in-place (`out=a`), np.exp into
      an allocated array;
    - `shifts`: np.roll (with and without axis), np.swapaxes, np.tile, np.repeat, np.average;
    - `shape_assign`: `T.shape = ...` on a local copy or allocation;
    - `fancy`: one index array per dimension (`X[ii, jj]` read, written, augmented);
    - `stencil`: locals bound to slices of the parameters and of each other (`lap = 4.0 * X[1:n - 1, 1:m - 1]
      - ...`, `d = lap[1:] - lap[:-1]`), one name re-bound, bounds from an int parameter or counting from
      the end, returned or stored into a slice of a parameter (scop/temporaries.ts);
    - `masked`: reductions of a boolean selection (`y[(x >= t) & (x < 1.0)].sum()`, np.mean, max, size,
      np.count_nonzero), bare or per bin in a loop as azimuthal integration writes it;
    - `histogram`: np.histogram with an int bin count, a range, weights, its [0] or both results;
    - `csr`: rows of a sparse matrix in CSR form (a row pointer, column indices, values), as a loop with
      data-dependent bounds or as `vals @ x[cols]` per row;
    - `sweep`: a sweep along the last axis written with slices and an integer index (`A[:, :, k]`),
      locals re-bound each iteration, a carried column, as weather stencils write it.

    The spec's `bound` is the returned operation's close-mode bound (close_check.py), "exact" for
    what both modes must give bit for bit, None for a function whose result goes through several
    operations that are all exact (then close mode must match bit for bit as well)."""

    def __init__(self, rng: random.Random, name: str, kinds: tuple[str, ...] = ARRAY_KINDS):
        self.rng = rng
        self.name = name
        self.kind = rng.choice(kinds)
        self.features: set[str] = {"array_family", f"array_{self.kind}"}

    def build(self) -> tuple[str, FunctionSpec]:
        body, params, ret, bound = getattr(self, f"_{self.kind}")()
        sig = ", ".join(f"{p.name}: {hint(p.dtype, p.ndim) if p.kind == 'array' else p.kind}" for p in params)
        arrow = f" -> {ret}" if ret else ""
        spec = FunctionSpec(self.name, params, ret != "None", None, self.features, bound)
        spec.ret_hint = ret or "-"
        return f"def {self.name}({sig}){arrow}:\n" + "\n".join(f"    {ln}" for ln in body) + "\n", spec

    # --- the kinds -------------------------------------------------------------------------------
    def _axis_reduce(self) -> tuple[list[str], list[Param], str, dict | None]:
        rng = self.rng
        dtype = rng.choice(("float32", "float32", "float32", "float64"))
        nd = rng.choice((2, 2, 3))
        op = rng.choice(("sum", "mean", "var", "std", "max", "min", "max", "min") if dtype == "float32" else ("max", "min"))
        axes = [None, 0, 1, -1, (0, 1)] + ([2, (1, 2), (0, 2), (0, 1, 2)] if nd == 3 else [])
        axis = rng.choice(axes)
        keep = axis is not None and rng.random() < 0.4
        ddof = rng.choice((0, 0, 1)) if op in ("var", "std") else 0
        operand = rng.choice(("X", "X", "X * 0.5", "np.abs(X) + 1.0", "X[1:]", "-X"))
        self.features |= {f"axis_reduce_{dtype}", f"axis_reduce_{op}", "axis_tuple" if isinstance(axis, tuple) else "axis_int"}
        # an int axis given by position half the time, as people write np.sum(X, 0) and X.mean(1)
        by_position = isinstance(axis, int) and rng.random() < 0.5
        if by_position:
            self.features.add("axis_by_position")
        kw = ([f"{axis}" if by_position else f"axis={axis}"] if axis is not None else []) + (["keepdims=True"] if keep else []) + ([f"ddof={ddof}"] if ddof else [])
        if rng.random() < 0.4:
            expr = f"({operand}).{op}({', '.join(kw)})" if operand != "X" else f"X.{op}({', '.join(kw)})"
        else:
            fn = rng.choice(("max", "amax")) if op == "max" else rng.choice(("min", "amin")) if op == "min" else op
            expr = f"np.{fn}({', '.join([operand] + kw)})"
        scalar = axis is None and not keep
        body = [f"r = {expr}"]
        if not scalar and rng.random() < 0.3:
            # as people normalize: the reduction kept broadcastable, then used (exact: a division by the same r)
            self.features.add("axis_reduce_shape")
            body = [f"n = X.shape[0]", f"r = {expr}", "if n > 1:", "    r = r * 1.0"]
        body.append("return r")
        bound = {"op": op if op in ("sum", "mean", "var", "std") else "exact", "operand": operand, "axis": axis, "keepdims": keep, "ddof": ddof}
        ret = "float" if scalar else f"npt.NDArray[np.{dtype}]"
        return body, [Param("X", "array", nd, dtype)], ret, bound

    def _complex(self) -> tuple[list[str], list[Param], str, dict | None]:
        rng = self.rng
        dtype = rng.choice(("complex128", "complex128", "complex128", "complex64"))
        self.features.add(f"complex_{dtype}")
        params = [Param("Z", "array", 1, dtype), Param("W", "array", 1, dtype, of="like:Z")]
        real = "float32" if dtype == "complex64" else "float64"
        r = rng.random()
        bound: dict | None = {"op": "exact"}
        ret = f"npt.NDArray[np.{dtype}]"
        if r < 0.2:
            self.features.add("complex_mul_div")
            body = [f"r = {rng.choice(('Z * W', 'Z / W', 'Z * W - W', '(Z + 1.0) / W', 'Z * (0.5 - 2j)', 'W / (1 + 1j)'))}"]
        elif r < 0.5:
            e = rng.choice(("2", "3", "-1", "-2", "0", "5", "0.5", "1.5", "2.5", "-0.5"))
            self.features.add("complex_power_" + ("int" if "." not in e else "float"))
            body = [f"r = {rng.choice(('Z', 'W'))} ** {e}" if rng.random() < 0.7 else f"r = np.power(Z, {e})"]
            if "." in e:
                bound = {"op": "cpow", "base": "Z" if "Z **" in body[0] or "power(Z" in body[0] else "W", "exp": float(e)}
        elif r < 0.65:
            self.features.add("complex_exp")
            body = [f"r = np.exp({rng.choice(('Z', 'Z * 0.5', '1j * W'))})"]
        elif r < 0.8:
            self.features.add("complex_abs")
            body = [f"r = np.abs({rng.choice(('Z', 'Z * W', 'Z - W'))})"]
            ret = f"npt.NDArray[np.{real}]"
        else:
            # a loop over elements, as mandelbrot-style code writes it
            self.features.add("complex_loop")
            step = rng.choice(("out[i] = Z[i] * W[i] + 1.0", "out[i] = Z[i] * Z[i] + W[i]", "out[i] = Z[i] / (W[i] + 2.0)",
                               "out[i] = Z[i] ** 2 + W[i]"))
            body = ["n = Z.shape[0]", "out = np.empty_like(Z)", "for i in range(n):", f"    {step}"]
            return body + ["return out"], params, ret, {"op": "exact"}
        return body + ["return r"], params, ret, bound

    def _mgrid(self) -> tuple[list[str], list[Param], str, dict | None]:
        rng = self.rng
        form = rng.choice(("pair", "pair", "stack", "stepped", "reversed"))
        self.features.add(f"mgrid_{form}")
        head = ["n, m = X.shape"] if rng.random() < 0.7 else ["n = X.shape[0]", "m = X.shape[1]"]
        ret = "npt.NDArray[np.float64]"
        if form == "pair":
            use = rng.choice(("return X * I + J * 0.5", "return X[I, J] * 2.0", "return I * m + J",
                              "X[:, :] = X + (I - J)\n    return X", "return np.sqrt((I - n / 2) ** 2 + (J - m / 2) ** 2)"))
            if use == "return I * m + J":
                ret = "npt.NDArray[np.int64]"
            body = head + ["I, J = np.mgrid[0:n, 0:m]"] + use.split("\n    ")
        elif form == "stack":
            body = head + ["G = np.mgrid[0:n, 1:m + 1]", rng.choice(("return G[0] * X - G[1]", "return G.sum(axis=0) + 0.5 * X"))]
        elif form == "stepped":
            body = head + ["k = np.mgrid[0:n:2]", rng.choice(("return X[k, :]", "return k * 1.5"))]
        else:
            body = head + ["k = np.mgrid[n:0:-1]", "return X[k - 1, 0] + k"]
        if rng.random() < 0.3:
            ret = ""  # unhinted: the first call's types decide
        return body, [Param("X", "array", 2)], ret, None

    def _ufunc_out(self) -> tuple[list[str], list[Param], str, dict | None]:
        rng = self.rng
        params = [Param("a", "array", 1), Param("b", "array", 1, of="like:a"), Param("c", "array", 1, of="like:a")]
        r = rng.random()
        if r < 0.55:
            self.features.add("ufunc_out_binary")
            fn = rng.choice(("add", "subtract", "multiply", "maximum", "minimum", "divide"))
            x, y, out = rng.choice((("a", "b", "c"), ("a", "b", "a"), ("a", "2.0", "a"), ("b", "a", "b"), ("a", "a", "c")))
            call = f"np.{fn}({x}, {y}, out={out})" if rng.random() < 0.7 else f"np.{fn}({x}, {y}, {out})"
            body = [call]
            if rng.random() < 0.4:
                body.append(f"np.add({out}, 1.0, out={out})")
            used = {x, y, out}
            return body, [p for p in params if p.name in used or p.name == "a"], "None", None
        if r < 0.8:
            self.features.add("ufunc_out_unary")
            fn = rng.choice(("exp", "sin", "tanh", "log", "sqrt", "negative", "abs"))
            src = "np.abs(a) + 0.5" if fn in ("log", "sqrt") else "a"
            alloc = rng.choice(("y = np.empty_like(a)", "y = np.zeros(a.shape[0])", "y = np.zeros_like(a)"))
            body = [alloc, f"np.{fn}({src}, out=y)", "return y"]
            bound = {"op": "ulp", "fn": fn} if fn in ("exp", "sin", "tanh", "log") else {"op": "exact"}
            return body, params[:1], "npt.NDArray[np.float64]", bound
        # a slice as the output, as people write an in-place stencil step
        self.features.add("ufunc_out_slice")
        body = [rng.choice(("np.add(a[1:], a[:-1], out=c[1:])", "np.multiply(a[:-1], b[1:], out=c[:-1])",
                            "np.subtract(b[1:], b[:-1], out=c[:-1])"))]
        return body, params, "None", None

    def _shifts(self) -> tuple[list[str], list[Param], str, dict | None]:
        rng = self.rng
        X, v, T, k = Param("X", "array", 2), Param("v", "array", 1), Param("T", "array", 3), Param("k", "int")
        choice = rng.choice(("roll", "roll", "laplace", "swapaxes", "swapaxes3", "tile", "tile2", "repeat", "repeat_axis", "average"))
        self.features.add(f"shift_{choice}")
        bound: dict | None = None
        if choice == "roll":
            expr, params = rng.choice((("np.roll(v, k)", [v, k]), ("np.roll(X, k, axis=0)", [X, k]), ("np.roll(X, -1, axis=1)", [X]),
                                       ("np.roll(X, 2)", [X]), ("np.roll(X, k, axis=-1)", [X, k])))
            body = [f"r = {expr}", "return r"]
        elif choice == "laplace":
            params = [X]
            body = ["lap = np.roll(X, 1, axis=0) + np.roll(X, -1, axis=0) + np.roll(X, 1, axis=1) + np.roll(X, -1, axis=1) - 4.0 * X",
                    "return lap"]
        elif choice == "swapaxes":
            params = [X]
            body = [rng.choice(("r = np.swapaxes(X, 0, 1)", "r = np.swapaxes(X, 1, 0) * 2.0", "r = np.swapaxes(X, -1, 0).copy()")), "return r"]
        elif choice == "swapaxes3":
            params = [T]
            body = [rng.choice(("r = np.swapaxes(T, 0, 2)", "r = np.swapaxes(T, 1, 2) + 1.0")), "return r"]
        elif choice == "tile":
            params = [v]
            body = [rng.choice(("r = np.tile(v, 3)", "r = np.tile(v, (2, 2))", "r = np.tile(v * 0.5, 2)")), "return r"]
        elif choice == "tile2":
            params = [X]
            body = [rng.choice(("r = np.tile(X, (2, 1))", "r = np.tile(X, (1, 3))", "r = np.tile(X, 2)")), "return r"]
        elif choice == "repeat":
            params = [v, k] if rng.random() < 0.5 else [v]
            body = [f"r = np.repeat(v, {'k' if len(params) == 2 else rng.choice(('2', '3'))})", "return r"]
        elif choice == "repeat_axis":
            params = [X, k] if rng.random() < 0.4 else [X]
            rep = "k" if len(params) == 2 else rng.choice(("2", "3"))
            body = [rng.choice((f"r = np.repeat(X, {rep}, axis=0)", f"r = np.repeat(X, {rep}, axis=1)", f"r = X.repeat({rep}, axis=-1)")),
                    "return r"]
        else:
            params = [X]
            axis = rng.choice((0, 1, -1))
            body = [f"r = np.average(X, axis={axis})", "return r"]
            bound = {"op": "mean", "operand": "X", "axis": axis, "keepdims": False, "ddof": 0}
        return body, params, "npt.NDArray[np.float64]", bound

    def _shape_assign(self) -> tuple[list[str], list[Param], str, dict | None]:
        rng = self.rng
        head = ["n, m = X.shape"]
        form = rng.choice(("flat", "transposed", "minus", "alloc"))
        self.features.add(f"shape_assign_{form}")
        if form == "flat":
            body = head + ["T = X.copy()", rng.choice(("T.shape = (n * m,)", "T.shape = n * m")), "return T * 2.0"]
        elif form == "transposed":
            body = head + ["T = X * 0.5", "T.shape = (m, n)", "return T"]
        elif form == "minus":
            body = head + ["T = X + 1.0", "T.shape = (-1,)", "T[0:1] = 0.0" if rng.random() < 0.5 else "T = T[::-1]", "return T"]
        else:
            body = head + ["T = np.zeros(n * m)", "T.shape = (n, m)", "T[:, :] = X", "T[:, 0] = -1.0", "return T"]
        return body, [Param("X", "array", 2)], "npt.NDArray[np.float64]", None

    def _stencil(self) -> tuple[list[str], list[Param], str, dict | None]:
        rng = self.rng
        X, Y, v, k = Param("X", "array", 2), Param("Y", "array", 2, of="like:X"), Param("v", "array", 1), Param("k", "int")
        form = rng.choice(("laplace", "laplace", "rebound", "param_bound", "from_end", "into"))
        self.features.add(f"stencil_{form}")
        head = ["n, m = X.shape"] if rng.random() < 0.7 else ["n = X.shape[0]", "m = X.shape[1]"]
        lap = "lap = 4.0 * X[1:n - 1, 1:m - 1] - (X[2:n, 1:m - 1] + X[0:n - 2, 1:m - 1] + X[1:n - 1, 2:m] + X[1:n - 1, 0:m - 2])"
        ret = "npt.NDArray[np.float64]"
        if form == "laplace":
            then = rng.choice((["return lap"], ["res = lap[1:, :] - lap[:-1, :]", "return res"],
                               ["res = lap[1:, :] - lap[:-1, :]", "res = np.where(res > 0, 0.0, res)", "return res"],
                               ["res = lap[:, 1:] * lap[:, :-1]", "return res * 0.5"]))
            return head + [lap] + then, [X], ret, None
        if form == "rebound":
            body = ["d = X[1:, :] - X[:-1, :]", rng.choice(("d = d * d", "d = d * 2.0 + X[1:, :]", "d = -d")),
                    rng.choice(("d = d[:, 1:] + d[:, :-1]", "d = d[1:] - d[:-1]", "d = d[:, :]")), "return d"]
            return body, [X], ret, None
        if form == "param_bound":
            # k of any sign and size: NumPy clips (and may raise broadcasting); the guard leaves those to it
            body = [rng.choice(("t = v[k:] - v[:v.shape[0] - k]", "t = v[0:k] * 2.0 + v[1:k + 1]", "t = v[k:k + 3] + 1.0")), "return t"]
            return body, [v, k], ret, None
        if form == "from_end":
            body = ["t = X[1:-1, :] * 2.0", rng.choice(("u = t[:-1, :] + t[1:, :]", "u = t[:, 2:] - t[:, :-2]", "u = t[-2:, :] * t[:2, :]")), "return u"]
            return body, [X], ret, None
        body = head + [lap, rng.choice(("Y[1:n - 1, 1:m - 1] = lap * 0.25", "Y[1:-1, 1:-1] = X[1:-1, 1:-1] + 0.1 * lap",
                                        "Y[2:n, 1:m - 1] = lap - Y[2:n, 1:m - 1]"))]
        return body, [X, Y], "None", None

    def _fancy(self) -> tuple[list[str], list[Param], str, dict | None]:
        rng = self.rng
        idx = rng.choice(("int64", "int64", "int32"))
        params = [Param("X", "array", 2), Param("ii", "array", 1, idx, of="index:X"), Param("jj", "array", 1, idx, of="index:X:1:ii")]
        form = rng.choice(("read", "read", "store", "store_vals", "augment"))
        self.features.add(f"fancy_{form}")
        if form == "read":
            body = [rng.choice(("g = X[ii, jj]", "g = X[ii, jj] * 2.0 - 1.0", "g = X[jj, ii]")), "return g"]
            return body, params, "npt.NDArray[np.float64]", None
        if form == "store":
            return [rng.choice(("X[ii, jj] = 0.0", "X[ii, jj] = X[jj, ii]", "X[ii, jj] = -X[ii, jj]"))], params, "None", None
        if form == "store_vals":
            params.append(Param("vals", "array", 1, of="len:ii"))
            return ["X[ii, jj] = vals"], params, "None", None
        return [rng.choice(("X[ii, jj] += 1.0", "X[ii, jj] *= 0.5"))], params, "None", None

    def _masked(self) -> tuple[list[str], list[Param], str, dict | None]:
        rng = self.rng
        x, y, t, k = Param("x", "array", 1), Param("y", "array", 1, of="like:x"), Param("t", "float"), Param("k", "int")
        mask = rng.choice(("x > t", "(x >= t) & (x < t + 2.0)", "np.logical_and(t <= x, x < 1.0)", "~(x < t)",
                           "(x < -1.0) | (y > t)", "np.logical_or(x > 2.0, y < t)", "(x != x) | (x > t)"))
        if rng.random() < 0.35:
            self.features.add("masked_binned")
            return self._masked_binned(x, y, k)
        op = rng.choice(("sum", "mean", "max", "min", "size", "count"))
        self.features.add(f"masked_{op}")
        sel = "y" if "y" in mask or rng.random() < 0.5 else "x"
        head = [f"m = {mask}"] if rng.random() < 0.5 else []
        m = "m" if head else mask
        if op == "count":
            body = head + [rng.choice((f"r = np.count_nonzero({m})", f"r = {sel}[{m}].size", f"r = len({sel}[{m}])"))]
            return body + ["return r"], [x, y, t], "int", {"op": "exact"}
        if op == "size":
            body = head + [f"r = {sel}[{m}].shape[0]"]
            return body + ["return r"], [x, y, t], "int", {"op": "exact"}
        spell = rng.choice((f"{sel}[{m}].{op}()", f"np.{op}({sel}[{m}])"))
        body = head + [f"r = {spell}"]
        if rng.random() < 0.3:
            body.append("r = r * 2.0")  # exact: a doubling keeps the bound (twice) and the NaN/inf positions
            bound = {"op": op if op in ("sum", "mean") else "exact", "operand": f"2.0 * {sel}[{mask}]", "axis": None,
                     "keepdims": False, "ddof": 0}
        else:
            bound = {"op": op if op in ("sum", "mean") else "exact", "operand": f"{sel}[{mask}]", "axis": None,
                     "keepdims": False, "ddof": 0}
        return body + ["return r"], [x, y, t], "float", bound

    def _masked_binned(self, x: Param, y: Param, k: Param) -> tuple[list[str], list[Param], str, dict | None]:
        rng = self.rng
        reduce = rng.choice(("mean", "mean", "sum", "count"))
        self.features.add(f"masked_binned_{reduce}")
        lo = rng.choice(("r1 <= x", "x >= r1"))
        hi = rng.choice(("x < r2", "r2 > x"))
        mask = rng.choice((f"np.logical_and({lo}, {hi})", f"({lo}) & ({hi})"))
        use = {"mean": rng.choice(("res[i] = vals.mean()", "res[i] = np.mean(vals)")),
               "sum": rng.choice(("res[i] = vals.sum()", "res[i] = np.sum(vals)")),
               "count": rng.choice(("res[i] = vals.size", "res[i] = np.count_nonzero(m)"))}[reduce]
        body = [rng.choice(("rmax = x.max()", "rmax = np.max(x)")), "res = np.zeros(k, dtype=np.float64)", "for i in range(k):",
                "    r1 = rmax * i / k", "    r2 = rmax * (i + 1) / k", f"    m = {mask}", "    vals = y[m]", f"    {use}",
                "return res"]
        bound = {"op": "binned", "reduce": reduce} if reduce != "count" else {"op": "exact"}
        return body, [x, y, k], "npt.NDArray[np.float64]", bound

    def _histogram(self) -> tuple[list[str], list[Param], str, dict | None]:
        rng = self.rng
        dtype = rng.choice(("float64", "float64", "float64", "int64"))
        x, w, k = Param("x", "array", 1, dtype), Param("w", "array", 1, of="like:x"), Param("k", "int")
        rng_arg = rng.choice(("", "", ", range=(-2.0, 3.0)", ", range=(0, 4)"))
        weighted = rng.random() < 0.5
        form = rng.choice(("counts", "counts", "edges", "both"))
        self.features |= {f"histogram_{form}", "histogram_weighted" if weighted else "histogram_counts", f"histogram_{dtype}"}
        if rng_arg:
            self.features.add("histogram_range")
        call = f"np.histogram(x, k{rng_arg}{', weights=w' if weighted else ''})"
        params = [x, k] + ([w] if weighted else [])
        count_t = "npt.NDArray[np.float64]" if weighted else "npt.NDArray[np.int64]"
        bound = {"op": "histogram", "call": call} if weighted else {"op": "exact"}
        if form == "counts":
            body = [rng.choice((f"h = {call}[0]", f"h, _ = {call}")), "return h"]
            return body, params, count_t, bound
        if form == "edges":
            return [f"e = {call}[1]", "return e"], params, "npt.NDArray[np.float64]", {"op": "exact"}
        # both results used, as a density is computed by hand
        body = [f"h, e = {call}", "c = (e[1:] + e[:-1]) * 0.5", "return c * h" if not weighted else "return h + c"]
        return body, params, "npt.NDArray[np.float64]", ({"op": "histogram", "call": call, "plus_edges": True} if weighted else None)

    def _csr(self) -> tuple[list[str], list[Param], str, dict | None]:
        rng = self.rng
        idx = rng.choice(("int64", "int64", "int32"))
        params = [Param("x", "array", 1), Param("col", "array", 1, idx, of="index:x"), Param("val", "array", 1, of="len:col"),
                  Param("rowptr", "array", 1, idx, of="rowptr:col")]
        form = rng.choice(("loop", "loop", "dot", "sum", "rowmax"))
        self.features.add(f"csr_{form}")
        head = [rng.choice(("n = rowptr.shape[0] - 1", "n = rowptr.size - 1", "n = len(rowptr) - 1")),
                rng.choice(("y = np.zeros(n)", "y = np.empty(n, dtype=np.float64)", "y = np.zeros(n, dtype=val.dtype)"))]
        if form == "loop":
            body = head + ["for i in range(n):", "    s = 0.0", "    for j in range(rowptr[i], rowptr[i + 1]):",
                           f"        s {rng.choice(('+= val[j] * x[col[j]]', '= s + val[j] * x[col[j]]'))}", "    y[i] = s", "return y"]
        elif form == "dot":
            body = head + ["for i in range(n):", "    cols = col[rowptr[i]:rowptr[i + 1]]", "    vals = val[rowptr[i]:rowptr[i + 1]]",
                           f"    y[i] = {rng.choice(('vals @ x[cols]', 'np.dot(vals, x[cols])'))}", "return y"]
        elif form == "sum":
            body = head + ["for i in range(n):", "    lo = rowptr[i]", "    hi = rowptr[i + 1]", "    y[i] = np.sum(val[lo:hi] * x[col[lo:hi]])",
                           "return y"]
        else:
            # an exact per-row operation: the max of each row's products (empty rows left at 0)
            body = head + ["for i in range(n):", "    m = 0.0", "    for j in range(rowptr[i], rowptr[i + 1]):",
                           "        m = max(m, val[j] * x[col[j]])", "    y[i] = m", "return y"]
            return body, params, "npt.NDArray[np.float64]", {"op": "exact"}
        return body, params, "npt.NDArray[np.float64]", {"op": "csr"}

    def _sweep(self) -> tuple[list[str], list[Param], str, dict | None]:
        rng = self.rng
        A, B = Param("A", "array", 3), Param("B", "array", 3, of="like:A")
        form = rng.choice(("carry", "carry", "thomas", "backward"))
        self.features.add(f"sweep_{form}")
        head = [rng.choice(("I, J, K = A.shape", "I, J, K = A.shape[0], A.shape[1], A.shape[2]")),
                "out = np.empty((I, J, K), dtype=A.dtype)", "col = np.zeros((I, J), dtype=A.dtype)"]
        if form == "carry":
            body = head + ["for k in range(K):", f"    t = {rng.choice(('0.5 * (A[:, :, k] + B[:, :, k])', 'A[:, :, k] * 2.0 - B[:, :, k]'))}",
                           f"    col[:] = {rng.choice(('col * 0.5 + t', 't - col', 'col + t * t'))}", "    out[:, :, k] = col", "return out"]
        elif form == "thomas":
            # a forward sweep reading the previous plane of its own output, the first plane apart
            body = head + ["out[:, :, 0] = A[:, :, 0]", "for k in range(1, K):", "    g = 0.25 * (B[:, :, k] + B[:, :, k - 1])",
                           "    d = 1.0 / (2.0 + g * g)", "    out[:, :, k] = (A[:, :, k] - out[:, :, k - 1] * g) * d", "return out"]
        else:
            body = head + ["for k in range(K - 1, K - 2, -1):", "    c = A[:, :, k]", "    col[:] = c", "    out[:, :, k] = c * 2.0",
                           "for k in range(K - 2, -1, -1):", "    c = A[:, :, k] - B[:, :, k] * col[:, :]", "    col[:] = c",
                           "    out[:, :, k] = c - B[:, :, k]", "return out"]
        return body, [A, B], "npt.NDArray[np.float64]", None


def array_family_kinds() -> tuple[str, ...] | None:
    """The kinds POLYRAY_FUZZ_FAMILIES forces (run.py --families), or None when unset."""
    import os

    raw = os.environ.get("POLYRAY_FUZZ_FAMILIES", "").strip()
    if not raw:
        return None
    kinds = ARRAY_KINDS if raw == "array" else tuple(k for k in raw.split(",") if k)
    bad = [k for k in kinds if k not in ARRAY_KINDS]
    if bad:
        raise ValueError(f"POLYRAY_FUZZ_FAMILIES: unknown kinds {bad} (known: {', '.join(ARRAY_KINDS)} or 'array')")
    return kinds
class SortFn:
    """One function of sorting as scientists write it (issue 17): np.sort along an axis, flattened
    or stable, np.argsort (default kind: NumPy's unstable order, whatever its algorithm; stable),
    a.argsort(), np.unique, np.searchsorted of scalar and array keys (either side, sorted or
    unsorted edges), and in-place sorts of a vector, a matrix's columns or its rows in a loop.
    Parameters, when used: x (1-d, float64, int64, int32 or bool), X (2-d float64), e (1-d
    float64 edges), t (float). The runner draws their values with ties, NaN, both zeros and
    infinities (`sort_input`), where NumPy's unstable order is free to show."""

    def __init__(self, rng: random.Random, name: str):
        self.rng = rng
        self.name = name
        self.features: set[str] = {"sort_family"}
        self.x_dtype = rng.choice(("float64", "float64", "int64", "int32", "bool"))
        self.results: list[str] = []

    def statement(self) -> list[str]:
        rng = self.rng
        f = self.features
        g = f"g{len(self.results)}"
        real = self.x_dtype != "bool"
        choices = [
            ("sort", f"    {g} = np.sort(x)"),
            ("sort_axis", f"    {g} = np.sort(X, axis={rng.choice(('0', '1', '-1', 'None'))})"),
            ("sort_stable", f"    {g} = np.sort(X, kind='stable')"),
            ("argsort", f"    {g} = np.argsort(x)"),
            ("argsort_stable", f"    {g} = np.argsort(x, kind={rng.choice(('stable', 'mergesort'))!r})"),
            ("argsort_method", f"    {g} = X.argsort()"),
            ("unique", f"    {g} = np.unique(x)"),
            ("sort_inplace", "    x.sort()"),
            ("sort_inplace_axis", "    X.sort(axis=0)"),
            ("sort_rows_loop", "    for i in range(X.shape[0]):\n        X[i].sort()"),
        ]
        if real and self.x_dtype == "float64":
            choices += [("searchsorted_array", f"    {g} = np.searchsorted(e, x, side={rng.choice(('left', 'right'))!r})"),
                        ("searchsorted_scalar", f"    s += np.searchsorted(np.sort(e), t)")]
        feature, line = rng.choice(choices)
        f.add(feature)
        if line.startswith(f"    {g} =") and "t)" not in line:
            self.results.append(g)
            if rng.random() < 0.3:
                # an order statistic read from the result (IndexError in both on an empty one)
                f.add("sort_read")
                two_d = ("(X" in line or "X." in line) and "None" not in line
                end = rng.choice(("0", "-1"))
                line += f"\n    s += {g}[{end}, {end}]" if two_d else f"\n    s += {g}[{end}]"
        return line.split("\n")

    def build(self) -> tuple[str, FunctionSpec]:
        rng = self.rng
        body = ["    s = 0.0"]
        for _ in range(rng.choice((1, 2, 2, 3))):
            body += self.statement()
        returned = self.results[-2:] if self.results else []
        if "s +=" in "\n".join(body):
            returned = ["s"] + returned
        if not returned:
            returned = ["x"] if any("x." in b for b in body) else ["X"]
        text = "\n".join(body if "s +=" in "\n".join(body) else body[1:])
        body_text = text + f"\n    return {', '.join(returned)}"
        needed = [n for n in ("x", "X", "e", "t") if re.search(rf"\b{n}\b", text)]
        every = {"x": Param("x", "array", 1, self.x_dtype), "X": Param("X", "array", 2), "e": Param("e", "array", 1), "t": Param("t", "float")}
        params = [every[n] for n in needed]
        sig = ", ".join(f"{p.name}: {SHAPED[(p.dtype, p.ndim)] if p.kind == 'array' else p.kind}" for p in params)
        spec = FunctionSpec(self.name, params, True, None, self.features)
        spec.ret_hint = "-"
        spec.tuple_return = len(returned) > 1
        return f"def {self.name}({sig}):\n{body_text}\n", spec


def sort_input(dtype: str, shape: list[int], nrng) -> "np.ndarray":  # noqa: F821 - numpy is the runner's
    """Values for SortFn's arrays: few distinct ones (ties), and for floats NaN (also with its sign
    set), both zeros and infinities, so that every freedom of NumPy's unstable sorts is exercised."""
    import numpy as np

    if dtype == "bool":
        return nrng.random(shape) < 0.5
    if dtype in ("int64", "int32"):
        return nrng.integers(-3, 4, size=shape).astype(dtype)
    pool = np.array([-1.5, -0.0, 0.0, 0.0, 2.0, 2.0, 0.5, np.nan, np.copysign(np.nan, -1.0), np.inf, -np.inf, 3.25])
    a = nrng.choice(pool, size=shape) if nrng.random() < 0.7 else np.round(nrng.standard_normal(shape) * 4.0, 1)
    return a



class PrivateFn:
    """One loop over the rows of X with a local array per iteration, as scientists write it (issue
    17/18, array privatization): allocated and filled (`t = np.zeros(m)` then an element loop,
    `t = np.empty(m); t[:] = ...`, `np.full`), a sorted row, a copied row, an operator's result,
    updated in place (`t += X[i]`, `t *= c`), two arrays at once (`t, u = X[i] * c, X[i] - c`),
    counts at an index read from data (`t[K[i, j]] += X[i, j]`: an index past either end raises
    IndexError in the original, which the variant must reproduce), then read into the output
    (`out[i, :] = t`, element loops, order statistics, the median-like `t[m // 2]`). One function in
    three is a negative twin whose array is shared between iterations: allocated before the loop
    and accumulated into (also at an index read from data), a view of X written through, re-bound
    from its previous value, allocated only under a test, read after the loop, or read before its
    binding; the compiled loop must then stay sequential. The scratch array may also live in an
    inner loop. Parameters: X (2-d float64), out (2-d float64), c (float), and K (2-d int64) for
    the counts."""

    FORMS = ("zeros_loop", "empty_fill", "full_loop", "sort", "copy", "expr", "inplace", "pair", "counts")
    TWINS = ("hoisted", "view", "self", "cond", "live_after", "counts_shared", "read_first")
    #: forms whose array is longer than a row of X (m + 6): read back element by element only
    LONG = ("counts",)

    def __init__(self, rng: random.Random, name: str):
        self.rng = rng
        self.name = name
        self.features: set[str] = {"private_family"}

    def _fresh(self, form: str) -> list[str]:
        c = self.rng.choice(FLOAT_CONSTS)
        return {
            "zeros_loop": ["t = np.zeros(m)", "for j in range(m):", f"    t[j] = X[i, j] * {c}"],
            "empty_fill": ["t = np.empty(m)", f"t[:] = X[i] * {c} + c"],
            "full_loop": [f"t = np.full(m, {c})", "for j in range(m):", "    t[j] += X[i, j]"],
            "sort": ["t = np.sort(X[i])"],
            "copy": ["t = X[i].copy()", "t[0] = c"],
            "expr": [f"t = X[i] * {c} - c"],
            "inplace": ["t = np.zeros(m)", "t += X[i]", f"t *= {c}"],
            "pair": [f"t, u = X[i] * {c}, X[i] - c", "t += u"],
            # K's values lie in [-9, 9]: past either end of t for small m, counted from the end when negative
            "counts": ["t = np.zeros(m + 6)", "for j in range(m):", "    t[K[i, j]] += X[i, j]"],
        }[form]

    def _use(self, whole: bool) -> list[str]:
        uses = [
            ["for j in range(m):", "    out[i, j] = t[j] - X[i, j]"],
            ["out[i, 0] = t[m - 1]"],
            ["for j in range(m):", "    out[i, m - 1 - j] = t[j]"],
            ["out[i, 0] = t[m // 2]"],
        ]
        if whole:
            uses += [["out[i, :] = t"], ["out[i, :] = t * c"], ["out[i] = t + c"]]
        return self.rng.choice(uses)

    def build(self) -> tuple[str, FunctionSpec]:
        rng = self.rng
        form = rng.choice(self.FORMS)
        self.features.add(f"private_{form}")
        twin = rng.choice(self.TWINS) if rng.random() < 1 / 3 else None
        before: list[str] = []
        after: list[str] = []
        if twin:
            self.features.add(f"private_twin_{twin}")
            before = ["t = np.zeros(m)"]
        if twin == "hoisted":
            body = ["for j in range(m):", "    t[j] += X[i, j]"]
        elif twin == "view":
            body = ["t = X[i]", "t[0] = t[m - 1] + c"] if rng.random() < 0.5 else ["t = X[i, :]", "for j in range(m):", "    t[j] = t[j] * c"]
        elif twin == "self":
            body = ["t = t * 0.5 + X[i]"]
        elif twin == "cond":
            body = ["if X[i, 0] > 0.0:", "    t = np.zeros(m)", "t[0] = t[0] + X[i, 0]"]
        elif twin == "counts_shared":
            # one array of counts for every row: the rows add into each other's
            before = ["t = np.zeros(m + 6)"]
            body = ["for j in range(m):", "    t[K[i, j]] += X[i, j]"]
        elif twin == "read_first":
            # the previous iteration's array read before the binding
            body = ["out[i, 0] = t[m // 2]", *self._fresh(form)]
        else:
            body = self._fresh(form)
            if twin == "live_after":
                after = ["return t"]
        # (the twins hoisted, view, self and cond use an array of m elements, whatever the form)
        long = twin == "counts_shared" or (form in self.LONG and twin in (None, "live_after", "read_first"))
        body += self._use(not long)
        inner = twin is None and rng.random() < 0.25
        if inner:
            # the scratch array per element of an inner loop instead (`pair = np.zeros(2)`)
            self.features.add("private_inner")
            body = ["for k in range(n):", "    p = np.zeros(2)", "    p[0] = X[i, k]", "    p[1] = X[k, i] * c",
                    "    out[i, k] = p[0] - p[1]"]
        lines = ["n, m = X.shape", *before, "for i in range(n):", *["    " + b for b in body], *after]
        text = "\n".join("    " + x for x in lines)
        params = [Param("X", "array", 2), Param("out", "array", 2), Param("c", "float")]
        if any("K[" in b for b in body):
            params.append(Param("K", "array", 2, "int64"))
        sig = ", ".join(f"{p.name}: {SHAPED[(p.dtype, p.ndim)] if p.kind == 'array' else p.kind}" for p in params)
        spec = FunctionSpec(self.name, params, bool(after), None, self.features)
        spec.ret_hint = "-"
        return f"def {self.name}({sig}):\n{text}\n", spec


class PeriodicFn:
    """A 2-d loop nest over X with periodic or divided subscripts, as scientists write wrap-around
    boundaries (issue 17/18; scop/wrapped-index.ts, poly/negative-indices.ts): `X[(i + 1) % n, j]`,
    `X[(i - 1) % n, j]`, `X[i - 1, j - 1]` (Python's own wrap at 0), `X[i, (j + 2) % m]`, a shift by a
    parameter `X[(i + k) % n, j]`, a period given as a parameter `X[i % p, j]` (0: ZeroDivisionError,
    negative: indices from the end, past n: IndexError), `X[i // 2, j]`, `X[i, j % 3]`, read into
    `out[i, j]` (parallel). One function in three is a twin that must stay sequential: X updated in
    place through a wrap-around read, a wrap-around write `out[(i + 1) % n, j]` of what the next row
    reads, or rows folded into `out[i % 3, j]`. Parameters: X and out (2-d float64), c (float),
    and k, p (int) where read."""

    READS = ("next", "prev_mod", "prev_neg", "col_next", "shift_k", "period_p", "half", "mod3")
    TWINS = ("inplace", "wrap_write", "fold")

    def __init__(self, rng: random.Random, name: str):
        self.rng = rng
        self.name = name
        self.features: set[str] = {"periodic_family"}

    @staticmethod
    def _read(form: str) -> str:
        return {
            "next": "X[(i + 1) % n, j]",
            "prev_mod": "X[(i - 1) % n, j]",
            "prev_neg": "X[i - 1, j - 1]",
            "col_next": "X[i, (j + 2) % m]",
            "shift_k": "X[(i + k) % n, j]",
            "period_p": "X[i % p, j]",
            "half": "X[i // 2, j]",
            "mod3": "X[i, j % 3]",
        }[form]

    def build(self) -> tuple[str, FunctionSpec]:
        rng = self.rng
        reads = rng.sample(self.READS, rng.choice((1, 2, 3)))
        self.features |= {f"periodic_{r}" for r in reads}
        c = rng.choice(FLOAT_CONSTS)
        terms = [self._read(r) for r in reads]
        expr = f"{c} * " + " - ".join(terms) if len(terms) > 1 else f"{terms[0]} * c"
        twin = rng.choice(self.TWINS) if rng.random() < 1 / 3 else None
        if twin:
            self.features.add(f"periodic_twin_{twin}")
        stmt = {
            None: f"out[i, j] = {expr}",
            "inplace": f"X[i, j] = 0.5 * (X[i, j] + {terms[0]})",
            "wrap_write": f"out[(i + 1) % n, j] = out[i, j] + {expr}",
            "fold": f"out[i % 3, j] += {expr}",
        }[twin]
        lines = ["n, m = X.shape", "for i in range(n):", "    for j in range(m):", f"        {stmt}"]
        text = "\n".join("    " + x for x in lines)
        params = [Param("X", "array", 2), Param("out", "array", 2), Param("c", "float")]
        for name in ("k", "p"):
            if f"{name}) %" in stmt or f"% {name}," in stmt:
                params.append(Param(name, "int"))
        sig = ", ".join(f"{p.name}: {SHAPED[(p.dtype, p.ndim)] if p.kind == 'array' else p.kind}" for p in params)
        spec = FunctionSpec(self.name, params, False, None, self.features)
        return f"def {self.name}({sig}) -> None:\n{text}\n", spec


class RotationFn:
    """Buffers rotated between the steps of a time loop, as scientists write two-buffer stencils (issue 17/18;
    scop/rotations.ts): `a, b = b, a`, a three-way rotation `a, b, d = b, d, a`, or a fresh array each step
    bound to the state (`b = np.zeros_like(a)` ... `a = b`); the space loop reads the state through
    `c * a[i]` (or, half the two-buffer ones, two array *parameters* a and b swapped: `a, b = b, a`), a periodic `a[(i + 1) % n]`, Python's wrap `a[i - 1]`, a reflection `a[abs(i - k)]` (k past
    the array: IndexError) or a gather from X `X[idx[i]]` (an index past either end: IndexError), and must
    run as prange. One function in four is a twin that shares an object between two names and must stay
    sequential: the state rebound to the buffer the next step writes (`a = b`), or a view of the state kept
    across the rotation. Parameters: X (1-d float64), steps (int), c (float), k (int) and idx (indices into
    X) where read. Returns the state."""

    FORMS = ("swap2", "swap3", "fresh")
    READS = ("scale", "next_mod", "prev_neg", "abs_k", "gather")
    TWINS = ("shared", "view")

    def __init__(self, rng: random.Random, name: str):
        self.rng = rng
        self.name = name
        self.features: set[str] = {"rotation_family"}

    def build(self) -> tuple[str, FunctionSpec]:
        rng = self.rng
        form = rng.choice(self.FORMS)
        read = rng.choice(self.READS)
        twin = rng.choice(self.TWINS) if rng.random() < 1 / 4 else None
        self.features |= {f"rotation_{form}", f"rotation_read_{read}", *([f"rotation_twin_{twin}"] if twin else [])}
        expr = {
            "scale": "c * a[i]",
            "next_mod": "a[(i + 1) % n] - a[i]",
            "prev_neg": "0.5 * (a[i - 1] + a[i])",
            "abs_k": "a[abs(i - k)] * c",
            "gather": "a[i] + c * X[idx[i]]",
        }[read]
        if twin == "view":
            expr += " + first[0]"
        # half the two-buffer functions swap array *parameters* (types/param-rotations.ts): the caller's a and b
        # end as the original leaves them; drawn last, so the draws above stay as they were
        params_swapped = form == "swap2" and rng.random() < 1 / 2
        if params_swapped:
            self.features.add("rotation_params")
        before = ["n = a.shape[0]"] if params_swapped else ["n = X.shape[0]", "a = X.copy()"]
        if twin == "view":
            before.append("first = a[0:1]")
        if params_swapped:
            body = ["for i in range(n):", f"    b[i] = {expr}", "a = b" if twin == "shared" else "a, b = b, a"]
        elif form == "swap2" or twin == "shared":
            before.append("b = np.zeros(n)")
            body = ["for i in range(n):", f"    b[i] = {expr}", "a = b" if twin == "shared" else "a, b = b, a"]
        elif form == "swap3":
            before += ["b = X * c", "d = np.zeros(n)"]
            body = ["for i in range(n):", f"    d[i] = {expr} - 0.5 * b[i]", "a, b, d = b, d, a"]
        else:
            body = ["b = np.zeros_like(a)", "for i in range(n):", f"    b[i] = {expr}", "a = b"]
        lines = [*before, "for t in range(steps):", *["    " + b for b in body], "return a"]
        text = "\n".join("    " + x for x in lines)
        params = [Param("X", "array", 1), Param("steps", "int"), Param("c", "float")]
        if params_swapped:
            params = [Param("a", "array", 1), Param("b", "array", 1, of="like:a"), Param("steps", "int"), Param("c", "float")]
            if read == "gather":
                params.append(Param("X", "array", 1))
        if read == "abs_k":
            params.append(Param("k", "int"))
        if read == "gather":
            params.append(Param("idx", "array", 1, "int64", of="index:X"))
        sig = ", ".join(f"{p.name}: {SHAPED[(p.dtype, p.ndim)] if p.kind == 'array' else p.kind}" for p in params)
        spec = FunctionSpec(self.name, params, True, None, self.features)
        spec.ret_hint = "-"
        return f"def {self.name}({sig}):\n{text}\n", spec


# ------------------------------------------------------------------------------------------------
# The NumPy table's rows that the families above do not write (issue 17): `TableFn`.

#: every row TableFn writes (the feature `table_<row>` marks a function that calls it)
TABLE_ROWS = ("arange", "concatenate", "hstack", "vstack", "cumsum", "cumprod", "argmax", "argmin", "all", "any", "isnan", "isfinite",
              "ceil", "ravel", "full", "eye", "identity", "diag", "trace", "triu", "tril", "linalg.norm", "linalg.solve",
              "linalg.inv", "linalg.cholesky", "kron", "histogram", "bincount", "reshape", "linspace", "cov",
              "logical_and", "fft.fft", "fft.ifft", "fft.rfft", "fft.irfft", "fft.fftfreq", "fft.fftn", "fft.rfft2", "fft.irfft2", "stack", "column_stack", "dstack",
              "array", "average", "sign", "floor", "round", "clip", "astype", "flatten", "outer", "flip", "right_shift", "left_shift")
TABLE_KINDS = ("alloc", "join", "scan", "arg", "mask", "shape", "tri", "linalg", "kron", "counts", "cov", "fft", "elementwise", "ints")
#: each kind drawn as often as the rows it writes, so that every row comes about equally often
TABLE_WEIGHTS = (5, 5, 2, 4, 4, 2, 4, 4, 1, 4, 1, 5, 5, 3)

_EXACT: dict = {"op": "exact"}


class TableFn:
    """One function calling rows of the NumPy table as scientists write them (`n, m = A.shape`,
    `I = np.eye(n)`, `np.linalg.solve(M + n * np.eye(n), b)`, masks of isnan/isfinite/logical_and,
    `np.histogram(x, bins=10)[0]`, `np.bincount(idx)`, `np.fft.rfft(x)`, `np.sign(x) * np.maximum(np.abs(x) - t, 0.0)`,
    `np.clip(x, -hi, hi)` with a default `hi` the runner leaves out, `np.zeros(n, dtype=x.dtype)`, a nested helper
    (kept original today)...; the `elementwise` kind writes the rows issue 17's coverage matrix found unfuzzed,
    scripts/coverage_17.py). Parameters, when used:
    x, y (1-d float64, lengths of their own: concatenations and vstack of mismatched lengths raise
    in both), A (2-d float64), M (square float64, diagonally dominant unless the runner makes it
    singular), b (1-d float64 as long as M, one call in eight one longer), idx (1-d int64 in
    [0, 9], one call in eight holding -1), Z (1-d complex128), K (2-d int64), t (float). The runner draws them in
    `table_inputs`. Each function returns one call's result (through exact operations only), so
    its spec's `bound` is that call's close-mode bound (close_check.py): `exact` for the rows of
    class exact, else the row's own (cumsum, trace, norm, solve/inv, cholesky, cov, fft)."""

    def __init__(self, rng: random.Random, name: str):
        self.rng = rng
        self.name = name
        self.kind = rng.choices(TABLE_KINDS, TABLE_WEIGHTS)[0]
        self.features: set[str] = {"table_family", f"table_kind_{self.kind}"}
        #: parameters with a default value, after the runner's (which never passes them: the default is used)
        self.defaults: list[str] = []

    def use(self, *rows: str) -> None:
        self.features |= {f"table_{r}" for r in rows}

    def build(self) -> tuple[str, FunctionSpec]:
        body, names, bound = getattr(self, f"_{self.kind}")()
        every = {"x": Param("x", "array", 1), "y": Param("y", "array", 1), "A": Param("A", "array", 2),
                 "M": Param("M", "array", 2), "b": Param("b", "array", 1), "idx": Param("idx", "array", 1, "int64"),
                 "Z": Param("Z", "array", 1, "complex128"), "K": Param("K", "array", 2, "int64"), "t": Param("t", "float")}
        params = [every[n] for n in names]
        sig = ", ".join([f"{p.name}: {hint(p.dtype, p.ndim) if p.kind == 'array' else p.kind}" for p in params] + self.defaults)
        spec = FunctionSpec(self.name, params, True, None, self.features, bound)
        spec.ret_hint = "-"
        return f"def {self.name}({sig}):\n" + "\n".join(f"    {ln}" for ln in body) + "\n", spec

    # --- the kinds: (body, parameter names, bound) ------------------------------------------------
    def _alloc(self):
        rng = self.rng
        form = rng.choice(("arange", "arange_step", "arange_float", "linspace", "full", "eye", "identity", "eye_k"))
        if form == "arange":
            self.use("arange")
            return ["n = x.shape[0]", "k = np.arange(n)", rng.choice(("return x * k", "return x + 0.5 * k", "return k[::-1] - n"))], ["x"], _EXACT
        if form == "arange_step":
            self.use("arange")
            return ["n = x.shape[0]", rng.choice(("r = np.arange(0, n, 2)", "r = np.arange(1.0, n + 1.0)", "r = np.arange(n, 0, -1) * 2")),
                    "return r"], ["x"], _EXACT
        if form == "arange_float":
            # NumPy's float formula, a zero step (t == 0.0: ZeroDivisionError), empty and huge ranges (t = 1e300)
            self.use("arange")
            return ["n = x.shape[0]", rng.choice(("r = np.arange(0.0, n * t, t)", "r = np.arange(t, t + 3.0, 0.1)", "r = np.arange(-1.0, n, 0.3) * t",
                                                  "r = np.arange(n, dtype=np.float64) + t", "r = x[:n] + np.arange(t, t + n * 0.7, 0.7)[:n]")),
                    "return r"], ["x", "t"], _EXACT
        if form == "linspace":
            self.use("linspace")
            return ["n = x.shape[0]", rng.choice(("g = np.linspace(0.0, 1.0, n)", "g = np.linspace(-t, t, n)", "g = np.linspace(0, 1, num=n + 1)[1:]")),
                    "return x * g"], ["x", "t"], _EXACT
        if form == "full":
            self.use("full")
            return ["n, m = A.shape", rng.choice(("F = np.full((n, m), t)", "F = np.full(A.shape, 2.5)", "F = np.full((n, m), -1.0)")),
                    "return A + F"], ["A", "t"], _EXACT
        if form == "eye":
            self.use("eye")
            return ["n = M.shape[0]", "I = np.eye(n)", rng.choice(("return M + t * I", "return M - I", "return M * I"))], ["M", "t"], _EXACT
        if form == "identity":
            self.use("identity")
            return ["n = M.shape[0]", "return M + np.identity(n) * 2.0"], ["M"], _EXACT
        self.use("eye")
        return ["n, m = A.shape", rng.choice(("return A + np.eye(n, m, 1)", "return A + np.eye(n, m)", "return A - np.eye(n, m, k=-1)"))], ["A"], _EXACT

    def _join(self):
        rng = self.rng
        form = rng.choice(("concatenate", "concatenate3", "hstack", "vstack", "concatenate_rows", "stack", "column_stack", "dstack",
                           "array_rows", "array_numbers", "mixed"))
        if form == "mixed":
            # parts of different dtypes: NumPy's promoted dtype (int64 with float64: float64), each part cast to it
            self.use("concatenate")
            line, names = rng.choice((("r = np.concatenate((x, idx))", ["x", "idx"]), ("r = np.vstack((A, K))", ["A", "K"]),
                                      ("r = np.hstack([idx, y])", ["y", "idx"]), ("r = np.concatenate([K, A > t], axis=1)", ["A", "K", "t"])))
            return [line, "return r"], names, _EXACT
        if form == "stack":
            self.use("stack")
            return [rng.choice(("r = np.stack([x, y])", "r = np.stack([x, y * 0.5], axis=1)", "r = np.stack([A, A + 1.0], axis=-1)",
                                "r = np.stack((A, A), axis=0)")), "return r"], ["x", "y", "A"], _EXACT
        if form == "column_stack":
            self.use("column_stack")
            return [rng.choice(("P = np.column_stack([x, y])", "P = np.column_stack((x, x * 2.0))", "P = np.column_stack([A, A])")),
                    "return P"], ["x", "y", "A"], _EXACT
        if form == "dstack":
            self.use("dstack")
            return [rng.choice(("r = np.dstack([A, A * 0.5, A])", "r = np.dstack([x, y])")), "return r"], ["x", "y", "A"], _EXACT
        if form == "array_rows":
            self.use("array")
            return [rng.choice(("r = np.array([x, y])", "r = np.array([A, A * 2.0])", "r = np.array((x, x, y))")), "return r"], ["x", "y", "A"], _EXACT
        if form == "array_numbers":
            self.use("array")
            return ["n = x.shape[0]", rng.choice(("w = np.array([1.0, 2.0, 1.0]) / 4.0", "w = np.array([t, n, 0.5])",
                                                  "w = np.array([[t, -1.0], [1.0, t]])[0]", "w = np.array([n, 2, 3], dtype=np.float64)")),
                    "return w * t"], ["x", "t"], _EXACT
        if form == "concatenate":
            self.use("concatenate")
            return [rng.choice(("r = np.concatenate((x, y))", "r = np.concatenate((x, y * 2.0))", "r = np.concatenate([x, y])",
                                "r = np.concatenate((x[1:], x[:1]))")),
                    "return r"], ["x", "y"], _EXACT
        if form == "concatenate3":
            self.use("concatenate")
            return ["r = np.concatenate((x, y, x))", "return r.sum() if r.shape[0] == 0 else r[0] + r[-1]"], ["x", "y"], _EXACT
        if form == "hstack":
            self.use("hstack")
            return [rng.choice(("r = np.hstack((x, y))", "r = np.hstack((y, x, y))", "r = np.hstack([y, x])")), "return r"], ["x", "y"], _EXACT
        if form == "vstack":
            self.use("vstack")
            return [rng.choice(("r = np.vstack((x, y))", "r = np.vstack((x, x * 0.5, y))", "r = np.vstack([x, y])")), "return r"], ["x", "y"], _EXACT
        self.use("concatenate")
        return [rng.choice(("r = np.concatenate((A, A * 2.0))", "r = np.concatenate((A, A), axis=1)", "r = np.concatenate((A, A), axis=0)")),
                "return r"], ["A"], _EXACT

    def _scan(self):
        rng = self.rng
        form = rng.choice(("flat", "axis", "prod"))
        if form == "flat":
            self.use("cumsum")
            expr = rng.choice(("np.cumsum(x)", "x.cumsum()", "np.cumsum(A)", "A.cumsum()"))
            operand = "x" if "x" in expr else "A"
            return [f"c = {expr}", "return c"], [operand], {"op": "cumsum", "operand": operand}
        # along an axis: NumPy's accumulation from each line's first element, bit for bit in both modes
        if form == "axis":
            self.use("cumsum")
            line, names = rng.choice(((f"c = np.cumsum(A, axis={rng.choice((0, 1, -1))})", ["A"]), (f"c = A.cumsum({rng.choice((0, 1))})", ["A"]),
                                      ("c = np.cumsum(K, axis=1)", ["K"]), ("c = np.cumsum(A > t, axis=0)", ["A", "t"]), ("c = A.cumsum(axis=-1) / t", ["A", "t"]),
                                      # dtype=: NumPy 2 casts each element first (a float truncated, NaN and out of range left to the
                                      # original), then accumulates in it (int8 wraps, float32 rounds)
                                      ("c = np.cumsum(K * 37, axis=1, dtype=np.int8)", ["K"]), ("c = A.cumsum(0, np.float32)", ["A"]),
                                      ("c = np.cumsum(x * t, dtype=np.int64)", ["x", "t"]), ("c = np.cumsum(K, 0, 'complex128')", ["K"])))
            if "dtype" in line or "np.float32" in line or "complex128" in line:
                self.use("scan_dtype")
            return [line, "return c"], names, _EXACT
        self.use("cumprod")
        line, names = rng.choice(((f"c = np.cumprod(K % 5, axis={rng.choice((0, 1, -1))})", ["K"]), ("c = K.cumprod(1)", ["K"]),
                                  ("c = np.cumprod(1.0 + A * t, axis=0)", ["A", "t"]), ("c = np.cumprod(A)", ["A"]), ("c = x.cumprod()", ["x"]),
                                  # complex products (finite ones compiled) and dtype= (each element cast first, then wrapped)
                                  ("c = np.cumprod(Z)", ["Z"]), ("c = Z.cumprod() * t", ["Z", "t"]),
                                  (f"c = np.cumprod(K % 7, {rng.choice((0, 1))}, np.int16)", ["K"]), ("c = np.cumprod(A * t, axis=1, dtype=np.float32)", ["A", "t"])))
        if "Z" in names or "dtype" in line or "int16" in line:
            self.use("scan_dtype")
        return [line, "return c"], names, _EXACT

    def _arg(self):
        rng = self.rng
        form = rng.choice(("argmax", "argmin", "argmax_axis", "argmin_axis", "all", "any", "all_axis", "any_axis"))
        if form.startswith("arg"):
            fn = form.split("_")[0]
            self.use(fn)
            if form.endswith("axis"):
                line = rng.choice((f"k = np.{fn}(A, axis={rng.choice((0, 1, -1))})", f"k = A.{fn}({rng.choice((0, 1))})", f"k = np.{fn}(A * t, axis=1, keepdims=True)"))
                return ["n, m = A.shape", line, "return k"], ["A", "t"] if "* t" in line else ["A"], _EXACT
            return [rng.choice((f"k = np.{fn}(x)", f"k = x.{fn}()", f"k = np.{fn}(np.abs(x))")), "return x[k]" if rng.random() < 0.5 else "return k"], ["x"], _EXACT
        fn = form.split("_")[0]
        self.use(fn)
        if form in ("all", "any"):
            return [rng.choice((f"ok = np.{fn}(x > t)", f"ok = (x >= 0.0).{fn}()", f"ok = np.{fn}(np.isfinite(x))")), "return ok"], ["x", "t"], _EXACT
        line = rng.choice((f"ok = np.{fn}(A > t, axis={rng.choice((0, 1, -1))})", f"ok = A.{fn}(axis={rng.choice((0, 1))})",
                           f"ok = np.{fn}(np.isnan(A), axis=(0, 1))", f"ok = np.{fn}(A, 0, keepdims=True)"))
        return [line, "return ok"], ["A", "t"] if "> t" in line else ["A"], _EXACT

    def _mask(self):
        rng = self.rng
        form = rng.choice(("nan_zero", "finite_where", "and_mask", "ceil", "nan_count", "finite_mean"))
        if form == "nan_zero":
            self.use("isnan")
            return ["y = x.copy()", "y[np.isnan(y)] = 0.0", "return y"], ["x"], _EXACT
        if form == "finite_where":
            self.use("isfinite")
            return ["return np.where(np.isfinite(A), A, -1.0)"], ["A"], _EXACT
        if form == "and_mask":
            self.use("logical_and", "isfinite")
            return [rng.choice(("m = np.logical_and(np.isfinite(x), x > t)", "m = np.logical_and(x > -t, x < t)")),
                    rng.choice(("return np.where(m, x, 0.0)", "return m", "return x[m]"))], ["x", "t"], _EXACT
        if form == "ceil":
            self.use("ceil")
            line = rng.choice(("return np.ceil(x * 0.5)", "return np.ceil(A) - A", "return np.ceil(-x)"))
            return [line], ["A" if "A" in line else "x"], _EXACT
        if form == "nan_count":
            self.use("isnan")
            return ["k = 0", "bad = np.isnan(x)", "for i in range(x.shape[0]):", "    if bad[i]:", "        k += 1", "return k"], ["x"], _EXACT
        self.use("isfinite", "logical_and")
        return ["ok = np.logical_and(np.isfinite(A), A != 0.0)", "return ok.sum()"], ["A"], _EXACT

    def _shape(self):
        rng = self.rng
        form = rng.choice(("ravel", "ravel_fn", "ravel_write", "reshape", "reshape_fn", "reshape_flat"))
        if form == "ravel_write":
            # a write through the result writes A exactly where NumPy's ravel is a view (C-contiguous input)
            self.use("ravel")
            src = rng.choice(("A", "A[:, :m]", "A.T", "A[1:]", "A[:, ::2]", "np.ravel(A[::-1])"))
            return ["n, m = A.shape", f"v = {src}.ravel()" if not src.startswith("np.") else f"v = {src}", "if v.shape[0] > 0:", "    v[0] = t", "return A"], ["A", "t"], _EXACT
        if form.startswith("ravel"):
            self.use("ravel")
            return ["n, m = A.shape", "v = np.ravel(A.T)" if form == "ravel_fn" and rng.random() < 0.5 else "v = A.ravel()", "return v * 2.0"], ["A"], _EXACT
        self.use("reshape")
        if form == "reshape":
            return ["n, m = A.shape", "B = A.reshape(m, n)", "return B + 1.0"], ["A"], _EXACT
        if form == "reshape_fn":
            return ["n, m = A.shape", "return np.reshape(A, (n * m,))"], ["A"], _EXACT
        return ["n = x.shape[0]", rng.choice(("return x.reshape(-1, 1) * x", "return x.reshape((1, n)) + 1.0"))], ["x"], _EXACT

    def _tri(self):
        rng = self.rng
        form = rng.choice(("diag_of", "diag_from", "diag_from", "trace", "trace_int", "triu", "tril", "split"))
        if form == "trace_int":
            self.use("trace")
            return [rng.choice(("s = np.trace(K)", "s = K.trace()", "s = np.trace(K * 2)")), "return s"], ["K"], _EXACT
        if form == "diag_of":
            self.use("diag")
            return [rng.choice(("d = np.diag(A)", "d = np.diag(A, 1)", "d = np.diag(A, k=-1)")), "return d * 2.0"], ["A"], _EXACT
        if form == "diag_from":
            self.use("diag")
            return [rng.choice(("D = np.diag(x)", "D = np.diag(x, 1)", "D = np.diag(x) + np.diag(x[1:], -1)")), "return D"], ["x"], _EXACT
        if form == "trace":
            self.use("trace")
            expr = rng.choice(("np.trace(A)", "A.trace()"))
            return [f"s = {expr}", "return s"], ["A"], {"op": "sum", "operand": "np.diagonal(A)", "axis": None, "keepdims": False, "ddof": 0}
        if form == "triu":
            self.use("triu")
            return [rng.choice(("U = np.triu(A)", "U = np.triu(A, 1)", "U = np.triu(A, k=-1)")), "return U"], ["A"], _EXACT
        if form == "tril":
            self.use("tril")
            return [rng.choice(("L = np.tril(A)", "L = np.tril(A, -1)")), "return L"], ["A"], _EXACT
        self.use("triu", "tril")
        return ["return np.tril(A) - 3.0 * np.triu(A, 1)"], ["A"], _EXACT

    def _linalg(self):
        rng = self.rng
        form = rng.choice(("norm_vec", "norm_mat", "solve", "solve_shift", "inv", "cholesky"))
        if form == "norm_vec":
            self.use("linalg.norm")
            if rng.random() < 0.5:
                # complex input: NumPy's own complex loops (abs, z.conj() * z) then its sums, bit for bit; or two BLAS dots
                line = rng.choice(("r = np.linalg.norm(Z, 1)", "r = np.linalg.norm(Z, np.inf)", "r = np.linalg.norm(Z, axis=0)", "r = np.linalg.norm(Z)"))
                return [line, "return r"], ["Z"], {"op": "norm", "operand": "Z"} if line == "r = np.linalg.norm(Z)" else _EXACT
            return ["r = np.linalg.norm(x)", "return r"], ["x"], {"op": "norm", "operand": "x"}
        if form == "norm_mat":
            self.use("linalg.norm")
            if rng.random() < 0.4:
                # a matrix's 1 and inf norms (the largest column or row sum of |A|, close mode: sums in blocks); the
                # sum of every |A| bounds the error of any one column or row sum
                return [rng.choice(("r = np.linalg.norm(A, 1)", "r = np.linalg.norm(A, np.inf)", "r = np.linalg.norm(A.astype(np.complex128) * 1j, 1)")), "return r"], ["A"], \
                    {"op": "sum", "operand": "np.abs(A)", "axis": None, "keepdims": False, "ddof": 0}
            return [rng.choice(("r = np.linalg.norm(A)", "r = np.linalg.norm(A, 'fro')")), "return r"], ["A"], {"op": "norm", "operand": "A"}
        if form == "solve":
            self.use("linalg.solve")
            return ["z = np.linalg.solve(M, b)", "return z"], ["M", "b"], {"op": "lu", "a": "M"}
        if form == "solve_shift":
            self.use("linalg.solve", "eye")
            return ["n = M.shape[0]", "z = np.linalg.solve(M + n * np.eye(n), b)", "return z"], ["M", "b"], \
                {"op": "lu", "a": "M + M.shape[0] * np.eye(M.shape[0])"}
        if form == "inv":
            self.use("linalg.inv")
            return ["Mi = np.linalg.inv(M)", "return Mi"], ["M"], {"op": "lu", "a": "M"}
        self.use("linalg.cholesky")
        # symmetric and diagonally dominant (no product before it: its own close-mode error would add to the bound)
        return ["S = M + M.T", "n = M.shape[0]", "L = np.linalg.cholesky(S + n * np.eye(n))", "return L"], ["M"], \
            {"op": "cholesky", "a": "M + M.T + M.shape[0] * np.eye(M.shape[0])"}

    def _kron(self):
        self.use("kron")
        return [self.rng.choice(("K = np.kron(A, A)", "K = np.kron(A, A * 2.0 - 1.0)")), "return K"], ["A"], _EXACT

    def _counts(self):
        rng = self.rng
        form = rng.choice(("histogram", "histogram_edges", "bincount", "bincount_w", "histogram_range", "histogram_bins_array", "average_returned"))
        if form == "histogram_range":
            self.use("histogram")
            return [rng.choice(("h, e = np.histogram(x, bins=6, range=(-1.0, t))", "h, e = np.histogram(x, 5, range=(0, 2), weights=y)",
                                "h, e = np.histogram(x, bins=3, range=(t, t))", "h, e = np.histogram(x, bins=6, density=True)",
                                "h, e = np.histogram(x, 4, range=(-1.0, t), weights=y, density=True)")), "return h, e"], ["x", "y", "t"], _EXACT
        if form == "histogram_bins_array":
            self.use("histogram")
            return [rng.choice(("edges = np.linspace(-2.0, 2.0, 5)", "edges = np.array([-1.0, 0.0, 0.0, 2.5])", "edges = np.sort(y)")),
                    rng.choice(("counts, _ = np.histogram(x, bins=edges)", "counts, _ = np.histogram(x, bins=edges, density=True)")), "return counts"], ["x", "y"], _EXACT
        if form == "average_returned":
            self.use("average")
            if rng.random() < 0.5:
                return ["m, s = np.average(x, returned=True)", "return m, s"], ["x"], _EXACT  # the mean and the count
            if rng.random() < 0.5:
                return ["m, s = np.average(x, weights=np.abs(y), returned=True)", "return m * s"], ["x", "y"], _EXACT
            # along an axis with weights of the matrix's shape (close mode: both sums in blocks), the weights' sums
            k = rng.choice((0, 1))
            return [f"m, s = np.average(A, axis={k}, weights=np.abs(A) + 1.0, returned=True)", "return s"], ["A"], \
                {"op": "sum", "operand": "np.abs(A) + 1.0", "axis": k, "keepdims": False, "ddof": 0}
        if form == "histogram":
            self.use("histogram")
            return [rng.choice(("h = np.histogram(x, bins=10)[0]", "h = np.histogram(x, 4)[0]", "h, edges = np.histogram(x, 4)")), "return h"], ["x"], _EXACT
        if form == "histogram_edges":
            self.use("histogram")
            return ["edges = np.histogram(x, bins=5)[1]", "return edges"], ["x"], _EXACT
        self.use("bincount")
        if form == "bincount":
            return [rng.choice(("c = np.bincount(idx)", "c = np.bincount(idx, minlength=12)")), "return c"], ["idx"], _EXACT
        return ["c = np.bincount(idx, weights=b)", "return c"], ["idx", "b"], _EXACT

    def _cov(self):
        self.use("cov")
        if self.rng.random() < 0.5:
            return ["C = np.cov(A)", "return C"], ["A"], {"op": "cov", "operand": "A"}
        return ["C = np.cov(A.T)", "return C"], ["A"], {"op": "cov", "operand": "A.T"}

    def _elementwise(self):
        """Elementwise rows and copies of issue 17's list (sign, floor, round, clip, astype, flatten, outer, flip,
        dtype=a.dtype), some behind a default parameter the runner leaves out or a nested helper (not compiled:
        the original runs, compared like the rest)."""
        rng = self.rng
        form = rng.choice(("sign", "floor", "round", "clip", "astype", "flatten", "outer", "flip", "like", "nested"))
        if form == "nested":
            # a helper defined inside the function, reading one of its parameters (outside the subset today)
            self.use("sign")
            self.features.add("nested_def")
            body = ["def shrink(v):", "    return np.sign(v) * np.maximum(np.abs(v) - t, 0.0)", "return shrink(x) + shrink(2.0 * x)"]
        elif form == "clip" and rng.random() < 0.4:
            # a default parameter: the runner never passes it, so the default is what the function reads
            self.use("clip")
            self.defaults.append(rng.choice(("hi: float = 1.0", "hi: float = 0.25")))
            self.features.add("default_param")
            body = ["return np.clip(x, -hi, hi)"]
        else:
            body = rng.choice({
                "sign": (["return np.sign(x) * np.maximum(np.abs(x) - t, 0.0)"], ["return np.sign(A) * t"], ["return np.sign(x - t)"]),
                "floor": (["return np.floor(x / t)"], ["return x - np.floor(x)"], ["return np.floor(A * 4.0) * 0.25"]),
                "round": (["return np.round(x, 2)"], ["return np.round(A)"], ["return np.around(x * t, 1)"], ["return np.round(x, decimals=3) - x"]),
                "clip": (["return np.clip(x, -t, t)"], ["return A.clip(0.0, 1.0)"], ["return np.clip(A, -0.5, t)"], ["return x.clip(t, t + 1.0)"]),
                "astype": (["return K.astype(np.float64) * 0.5"], ["return K.astype(np.float32)"], ["return K.astype(float) - t"],
                           # floats to integers: NaN, inf and the out-of-range leave the variant to the original (int_helpers)
                           ["k = (x * 10.0).astype(np.int64)", "return k"], ["k = np.floor(x).astype(np.int64)", "return k"],
                           ["k = A.astype(np.int32)", "return k"]),
                "flatten": (["v = A.flatten()", "if v.shape[0] > 0:", "    v[0] = t", "return v"],
                            ["v = A.flatten()", "if v.shape[0] > 0:", "    v[0] = t", "return A"],
                            ["v = A.flatten()", "return v[::-1] * 2.0"]),
                "outer": (["P = np.outer(x, y)", "return P"], ["P = np.outer(x, x) - 1.0", "return P"], ["P = np.outer(y, x * t)", "return P"]),
                "flip": (["return np.flip(x)"], ["return x - np.flip(x)"], ["return np.flipud(A)"], ["return np.fliplr(A) + A"],
                         ["return np.flip(A, 0) * t"]),
                "like": (["z = np.zeros(x.shape[0], dtype=x.dtype)", "z[1:] = x[:-1] * t", "return z"],
                         ["E = np.empty_like(A)", "E[:, :] = 2.0 * A", "return E"],
                         ["C = np.full(K.shape, 3, dtype=K.dtype)", "return C * K"],
                         ["z = np.ones_like(x, dtype=A.dtype)", "return z * t"]),
            }[form])
        words = set(re.findall(r"\w+", " ".join(body)))
        if form == "like":
            self.use(*(r for r in ("zeros", "empty_like", "full", "ones_like") if r in words))
            self.features.add("dtype_attr")
        elif form != "nested" and not self.defaults:
            self.use(form)
        return body, [n for n in ("x", "y", "A", "K", "t") if n in words], _EXACT

    def _ints(self):
        """Integer stores and shifts (issue 17): an augmented store into a narrow element (`C[i, j] += K[i, j] * 20`
        into int8: NumPy stores the int64 sum range-checked, OverflowError past int8, modulo 256 into uint8), the
        in-place ufunc into a narrower signed array (wraps by 'same_kind'), uint64 values stored into int64
        (OverflowError from 2**63), and shifts of int64 arrays by counts outside 0..63 (NumPy's 0 or -1)."""
        rng = self.rng
        form = rng.choice(("aug_int8", "aug_uint8", "aug_int16", "inplace", "uint64", "shift", "shift", "shift_loop"))
        self.features.add(f"ints_{form}")
        loops = ["n, m = K.shape", "for i in range(n):", "    for j in range(m):"]
        if form == "aug_int8":
            return ["C = np.zeros(K.shape, dtype=np.int8)", *loops, f"        C[i, j] {rng.choice(('+=', '-='))} K[i, j] * {rng.choice((3, 20))}",
                    "return C"], ["K"], _EXACT
        if form == "aug_uint8":
            return ["C = np.full(K.shape, 250, dtype=np.uint8)", *loops, "        C[i, j] += K[i, j] * 7", "return C"], ["K"], _EXACT
        if form == "aug_int16":
            return ["c = np.ones(idx.shape[0], dtype=np.int16)", "for i in range(idx.shape[0]):", f"    c[i] *= idx[i] * {rng.choice((100, 5000))}",
                    "return c"], ["idx"], _EXACT
        if form == "inplace":
            return ["D = (K * 3).astype(np.int8)", rng.choice(("D += K * 60", "D -= K")), "return D"], ["K"], _EXACT
        if form == "uint64":
            return ["h = K.astype(np.uint64)", "out = np.zeros(K.shape, dtype=np.int64)", *loops,
                    f"        out[i, j] = {rng.choice(('h[i, j]', 'h[i, j] >> 1', 'h[i, j] * 3'))}", "return out"], ["K"], _EXACT
        if form == "shift_loop":
            self.use("right_shift")
            return ["n, m = K.shape", "out = np.zeros((n, m), dtype=np.int64)", "for i in range(n):", "    out[i, :] = K[i, :] >> K[i, 0]",
                    "return out"], ["K"], _EXACT
        body = rng.choice((["return K >> (K * 9)"], ["return (K << (K * 8)) >> 2"], ["return K << idx[0]"], ["s = K & 7", "return (K >> s) + (K << (s * 9))"],
                           ["return idx >> (idx - 1)"], ["return (K.astype(np.int16) << (K * 2)).astype(np.int64)"]))
        words = " ".join(body)
        self.use(*(r for r, op in (("right_shift", ">>"), ("left_shift", "<<")) if op in words))
        return body, [n for n in ("K", "idx") if re.search(rf"\b{n}\b", words)], _EXACT

    def _fft(self):
        rng = self.rng
        form = rng.choice(("fft", "ifft", "rfft", "irfft", "fftfreq", "fftn", "rfft2", "irfft2"))
        self.use(f"fft.{form}")
        norm = rng.choice((None, "backward", "ortho", "forward"))
        spelled = "" if norm is None else f", norm={norm!r}"
        if form == "fftn":
            operand = rng.choice(("A", "x", "Z"))
            return [f"F = np.fft.fftn({operand}{spelled})", "return F"], [operand], {"op": "fft", "fn": "fftn", "operand": operand, "norm": norm}
        if form == "rfft2":
            return [f"F = np.fft.rfft2(A{spelled})", "return F"], ["A"], {"op": "fft", "fn": "rfft2", "operand": "A", "norm": norm}
        if form == "irfft2":
            # the half spectrum of A's shape back to A's shape
            return ["H = np.fft.rfft2(A)", f"r = np.fft.irfft2(H, A.shape{spelled})", "return r"], ["A"], \
                {"op": "fft", "fn": "irfft2", "operand": "np.fft.rfft2(A)", "s": "A.shape", "norm": norm}
        if form == "fftfreq":
            return ["n = x.shape[0]", rng.choice(("f = np.fft.fftfreq(n)", "f = np.fft.fftfreq(n, d=0.5)", "f = np.fft.fftfreq(n, 1.0 / t)")),
                    "return f"], ["x", "t"], _EXACT
        if form == "irfft":
            return [f"r = np.fft.irfft(Z{spelled})", "return r"], ["Z"], {"op": "fft", "fn": "irfft", "operand": "Z", "norm": norm}
        operand = "Z" if form in ("fft", "ifft") and rng.random() < 0.5 else "x"
        return [f"F = np.fft.{form}({operand}{spelled})", "return F"], [operand], {"op": "fft", "fn": form, "operand": operand, "norm": norm}


def table_inputs(fn: FunctionSpec, args: dict, rng: random.Random, nrng) -> None:
    """TableFn's arguments, drawn over the runner's: M square and diagonally dominant (on one call in
    eight all ones: singular, LinAlgError in both), b as long as M (one call in eight one longer:
    ValueError in both), idx in [0, 9] (one call in eight holding -1: ValueError in both). x, y, A
    and Z keep the runner's values (NaN, inf and -0.0 at times, empty arrays on the first calls)."""
    import numpy as np

    if "M" in args:
        n = int(np.shape(args["M"])[0])
        M = np.round(nrng.standard_normal((n, n)), 3) + (n + 1) * np.eye(n)
        args["M"] = np.ones((n, n)) if n > 1 and rng.random() < 0.125 else M
    if "b" in args:
        n = int(np.shape(args["M"])[0]) if "M" in args else len(args["idx"])
        args["b"] = np.round(nrng.standard_normal(n + (1 if rng.random() < 0.125 else 0)) * 4.0, 3)
    if "idx" in args:
        idx = nrng.integers(0, 10, size=len(args["idx"]), dtype=np.int64)
        if idx.size and rng.random() < 0.125:
            idx[rng.randrange(idx.size)] = -1
        args["idx"] = idx
