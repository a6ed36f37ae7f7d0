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
