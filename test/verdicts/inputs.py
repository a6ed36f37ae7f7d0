"""Inputs for the verdict check (permute.py), per kernel family, as the family's own tests
build them, at small sizes (plain Python runs each parallel loop three times per call):

* PolyBench (test/kernels/polybench, bench/polybench): `specs.build_args` at the edge sizes
  of `specs.edge_sizes` and MINI, as test_polybench_differential.py does;
* reproducers (test/regressions, test/fuzz/findings): their POLYRAY_CASES, as
  test_regressions.py reads them, and the fuzzer's own random inputs (run.make_inputs);
* test/kernels/extra, test/kernels/traps, test/kernels/numpy_style: the shapes and values of
  test_locality, test_lowered_slices, test_slices, test_speculative, test_rescheduled,
  test_compiled_traps, test_numpy_style_stencils, test_newaxis and test_unpacking, in EXTRA below;
* bench/everyday's modules, compiled as @parallelize compiles them (`everyday_source`: hinted with the
  types of bench/everyday/cases.py's arguments), and any other file: `permute.generic_calls` (every size
  equal, from the report's parameter kinds, dtypes and ranks) and 64 of the fuzzer's inputs for the same
  parameters;
* with the reproducers' and the generic inputs: for a function naming an integer dtype narrower than int64, int parameters that
  are no size drawn across that dtype's range (`fitting_int_calls`), so that range-checked stores fit.
"""
from __future__ import annotations

import ast
import sys
from pathlib import Path
from typing import Any, Callable, Sequence

import numpy as np

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "test/kernels/polybench"))
sys.path.insert(0, str(Path(__file__).resolve().parent))

import permute  # noqa: E402
import specs  # noqa: E402

Calls = list[Sequence[Any]]


def _rng(*key: int) -> np.random.Generator:
    return np.random.default_rng(list(key))


def _polybench(name: str) -> Calls:
    sizes = list(specs.edge_sizes(name)) + [specs.SIZES[name]["MINI"]]
    return [specs.build_args(name, s, _rng(4321, k)) for k, s in enumerate(sizes)]


def _gen(shapes: Callable[[np.random.Generator, tuple[int, ...]], Sequence[Any]], sizes: Sequence[tuple[int, ...]]) -> Callable[[], Calls]:
    return lambda: [shapes(_rng(17, k), s) for k, s in enumerate(sizes)]


def _r(rng: np.random.Generator, *shape: int) -> np.ndarray:
    return rng.random(shape)


def _n(rng: np.random.Generator, *shape: int) -> np.ndarray:
    return rng.standard_normal(shape)


#: function name -> argument lists, per file (relative to the repository root)
EXTRA: dict[str, dict[str, Callable[[], Calls]]] = {
    # gathers with their indices in range (a negative one is outside the verdict's claim), so that the loops run to the end
    "test/kernels/numpy_style/gathers.py": {
        "colour_map": _gen(lambda g, s: (g.integers(0, s[2], s[:2]).astype(np.int32), _n(g, s[2], 3)), [(0, 0, 1), (1, 4, 2), (5, 6, 7)]),
        "gather_scaled": _gen(lambda g, s: (_n(g, s[1]), g.integers(0, s[1], s[0]), np.zeros(s[0]), 1.5), [(0, 1), (3, 4), (9, 5)]),
        "neighbour_sum": _gen(lambda g, s: (_n(g, s[0]), g.integers(0, s[0], s)), [(1, 1), (6, 3)]),
    },
    "test/kernels/numpy_style/unpacking_calls.py": {
        # Euclid's while loop ends only on finite operands: integers, as the function is meant for
        # (random floats bring NaN/inf remainders, and the original itself never returns)
        "gcds": _gen(lambda g, s: (g.integers(0, 1000, s[0]), g.integers(0, 1000, s[0]), np.zeros(s[0], dtype=np.int64)),
                     [(0,), (1,), (2,), (7,)]),
    },
    "test/kernels/extra/locality.py": {
        "matmul_ijk": _gen(lambda g, s: (_r(g, s[0], s[2]), _r(g, s[2], s[1]), np.full((s[0], s[1]), np.nan), *s),
                           [(0, 3, 3), (1, 1, 1), (3, 0, 2), (5, 7, 0), (7, 9, 5)]),
        "skewed_dependence": _gen(lambda g, s: (_r(g, s[0], s[1], s[1]), *s), [(0, 3), (2, 1), (3, 6), (5, 7)]),
        "upper_rows": _gen(lambda g, s: (_r(g, s[0], s[0]), np.full((s[0], s[0]), np.nan), s[0]), [(0,), (1,), (2,), (3,), (7,)]),
        "lower_rows_down": _gen(lambda g, s: (_r(g, s[0], s[0]), np.full((s[0], s[0]), np.nan), s[0]), [(0,), (1,), (2,), (3,), (7,)]),
        "norms_then_product": _gen(lambda g, s: (_r(g, s[0], s[1]), _r(g, s[1], s[1]), np.zeros((s[0], s[1])), np.zeros(s[0]), *s),
                                   [(0, 0), (1, 1), (6, 5), (9, 4)]),
        "hoisting_trap": _gen(lambda g, s: (_r(g, s[0], s[0]), _r(g, s[0], s[0]), _r(g, s[0], s[0]), s[0]), [(0,), (1,), (2,), (5,)]),
        "row_recurrence": _gen(lambda g, s: (_r(g, s[0], s[1]), _r(g, s[1], s[1]) * 0.1, *s), [(0, 3), (1, 1), (2, 5), (5, 6)]),
    },
    "test/kernels/extra/lowered.py": {
        "scale_rows": _gen(lambda g, s: (_n(g, s[0], s[1]), _n(g, s[0], s[1]), s[2], -0.5), [(0, 0, 0), (1, 1, 1), (4, 5, 4), (6, 3, 5)]),
        "between": _gen(lambda g, s: (np.arange(float(s[0])) - 1.5, np.linspace(-1, 1, s[1]), s[2], -0.0), [(0, 0, 0), (3, 3, 3), (4, 4, 2)]),
        "self_element": _gen(lambda g, s: (np.linspace(-2, 3, 8), s[0]), [(0,), (3,), (8,)]),
        "complex_mix": _gen(lambda g, s: (_n(g, s[0]) + 1j * _n(g, s[0]), _n(g, s[0]) - 0.5j, s[0]), [(0,), (1,), (4,)]),
        "chain": _gen(lambda g, s: (*(_n(g, s[0]) for _ in range(5)), s[1]), [(0, 0), (1, 1), (7, 7), (9, 5)]),
        "scalar_between": _gen(lambda g, s: (_n(g, s[0]), _n(g, s[0])), [(0,), (6,)]),
        "stencil_steps": _gen(lambda g, s: (_n(g, s[0]), _n(g, s[0]), s[1]), [(0, 3), (1, 2), (3, 1), (20, 4)]),
        "blend": _gen(lambda g, s: (_n(g, *s), _n(g, *s), _n(g, *s)), [(0, 0), (3, 4)]),
        "temporaries": _gen(lambda g, s: (_n(g, *s), _n(g, *s), _n(g, *s), -1.5), [(0, 0), (1, 1), (5, 7)]),
        "kept_temporary": _gen(lambda g, s: (_n(g, s[0]), _n(g, s[0]), s[1]), [(0, 0), (1, 1), (6, 6), (6, 9)]),
        "broadcast_temporary": _gen(lambda g, s: (_n(g, s[0]), _n(g, s[0]), np.zeros(s[0])), [(0,), (6,)]),
        "after_matmul": _gen(lambda g, s: (_n(g, s[0], s[1]), _n(g, s[2], s[1]), _n(g, s[0], s[2]), _n(g, s[1])),
                             [(0, 0, 0), (1, 1, 1), (4, 3, 5)]),
        "symmetrize": _gen(lambda g, s: (_n(g, *s), _n(g, *s), 0.25), [(0, 0), (1, 1), (5, 5)]),
        "standardize": _gen(lambda g, s: (_n(g, *s), _n(g, s[1]), g.random(s[1]) + 0.5, np.zeros(s)), [(1, 1), (5, 7)]),
        "column_counts": _gen(lambda g, s: (g.integers(-1000, 1000, s[:2]), np.zeros(s[2], dtype=np.int64)),
                              [(0, 0, 0), (3, 4, 4), (3, 4, 2)]),
        "normalize": _gen(lambda g, s: (_n(g, s[0]) * 1e3, np.zeros(s[1])), [(0, 0), (1, 1), (8, 8), (129, 129)]),
        "scale_to_unit_sum": _gen(lambda g, s: (g.random(s) + 0.5, np.zeros(s)), [(1, 1), (7, 9)]),
    },
    "test/kernels/extra/slices.py": {
        "rows": _gen(lambda g, s: (_r(g, *s), _r(g, *s), s[0], 0.5), [(0, 3), (1, 1), (5, 7), (9, 3)]),
        "shift": _gen(lambda g, s: (np.arange(float(s[0])), s[0]), [(0,), (8,)]),
        "halves": _gen(lambda g, s: (_r(g, *s), s[0]), [(0, 2), (3, 4)]),
        "negative_window": _gen(lambda g, s: (np.arange(12.0).reshape(3, 4), np.zeros((3, 4)), 3, s[0] - 2), [(2,), (4,), (0,), (11,)]),
    },
    "test/kernels/extra/speculative.py": {
        "roots": _gen(lambda g, s: (s[0], np.arange(float(s[0])) - s[1], np.zeros(s[0])), [(0, 0), (64, 0), (64, 3)]),
        "logs_then_scale": _gen(lambda g, s: (s[0], np.full((s[0], s[0]), 3.0) - s[1], np.full((s[0], s[0]), -1.0), 2.0),
                                [(0, 0), (6, 0), (6, 3)]),
    },
    "test/kernels/extra/wavefronts.py": {
        "lcs_table": _gen(lambda g, s: (g.integers(0, 4, s[0]), g.integers(0, 4, s[1]), np.zeros((s[0] + 1, s[1] + 1), dtype=np.int64), *s),
                          [(0, 0), (1, 7), (7, 1), (13, 29)]),
        "column_sum": _gen(lambda g, s: (_r(g, *s), np.zeros(s[1]), *s), [(0, 5), (1, 1), (9, 17)]),
        "seidel_1d_sweeps": _gen(lambda g, s: (_r(g, s[1]), *s), [(0, 5), (1, 3), (4, 10)]),
    },
    "test/kernels/traps/traps.py": {
        "scaled_ratio": _gen(lambda g, s: (np.array([1.0]), s[0] * 1.0), [(0,), (2,)]),
        "shift_right": _gen(lambda g, s: (np.arange(6.0), s[0]), [(5,), (6,)]),
        "fill_from": _gen(lambda g, s: (np.zeros(6), s[0], s[1]), [(1, 5), (0, 6), (-3, 3), (4, 3)]),
        "root_sum": _gen(lambda g, s: (np.array([4.0, -1.0, 9.0])[: s[0]], s[0]), [(1,), (3,)]),
        "copy_into": _gen(lambda g, s: (np.zeros(s[0]), np.arange(float(s[0])), s[0]), [(0,), (4,)]),
        "running": _gen(lambda g, s: (np.arange(6.0), s[0]), [(6,)]),
        "scale_rows": _gen(lambda g, s: (np.arange(6.0), 6, s[0], s[1]), [(4.0, 2.0), (1.0, 0.0), (-1.0, 2.0)]),
    },
    "test/kernels/numpy_style/npbench_stencils.py": {
        "jacobi_1d": _gen(lambda g, s: (5, _n(g, s[0]), _n(g, s[0])), [(0,), (1,), (3,), (7,)]),
        "jacobi_2d": _gen(lambda g, s: (4, _n(g, s[0], s[0]), _n(g, s[0], s[0])), [(0,), (3,), (7,)]),
        "heat_3d": _gen(lambda g, s: (3, _n(g, s[0], s[0], s[0]), _n(g, s[0], s[0], s[0])), [(0,), (3,), (5,)]),
        "fdtd_2d": _gen(lambda g, s: (4, _n(g, s[0], s[0] + 1), _n(g, s[0], s[0] + 1), _n(g, s[0], s[0] + 1), _n(g, 4)), [(0,), (3,), (7,)]),
        "seidel_2d": _gen(lambda g, s: (3, s[0], _n(g, s[0], s[0])), [(0,), (3,), (7,)]),
    },
    "test/kernels/numpy_style/newaxis.py": {
        "outer_steps": _gen(lambda g, s: (_n(g, s[0]), _n(g, s[1]), _n(g, s[0], s[1]), 3), [(3, 4), (1, 4), (0, 3)]),
        "row_bias": _gen(lambda g, s: (_n(g, s[0], 3), _n(g, s[1]), 2), [(4, 3), (2, 3), (4, 1)]),
        "rows_from_vector": _gen(lambda g, s: (_n(g, 3, 4), _n(g, s[0]), s[1]), [(4, 3), (1, 2), (3, 2)]),
        "column_from_last": _gen(lambda g, s: (_n(g, 3, 4), _n(g, s[0]), s[1]), [(3, 3), (4, 2), (3, 4)]),
        "beside_lowered": _gen(lambda g, s: (_n(g, s[0]), s[1], _n(g, *s[2:])), [(9, 1, 3, 3), (3, 2, 3, 3), (3, 4, 5, 3), (1, 1, 2, 3)]),
    },
    "test/kernels/numpy_style/unpacking.py": {
        "scale_rows": _gen(lambda g, s: (_n(g, *s), _n(g, s[0])), [(4, 5), (1, 3), (0, 2), (3, 0)]),
        "column_sums": _gen(lambda g, s: (_n(g, *s), np.full(s[1], np.nan)), [(4, 5), (1, 3), (3, 0), (0, 2)]),
        "diffuse": _gen(lambda g, s: (_n(g, s[0]), s[1], 0.25), [(9, 4), (3, 1), (1, 0)]),
        "fibonacci": _gen(lambda g, s: (np.full(s[0], np.nan),), [(0,), (7,)]),
        "reverse": _gen(lambda g, s: (_n(g, s[0]),), [(0,), (1,), (6,), (7,)]),
        "path_length": _gen(lambda g, s: (_n(g, *s),), [(6, 2), (1, 2), (4, 3)]),
        "min_max": _gen(lambda g, s: (_n(g, s[0]),), [(1,), (9,)]),
        "split_signs": _gen(lambda g, s: (_n(g, s[0]),), [(0,), (1,), (9,)]),
    },
    # a minimized fuzzer program whose last loop only runs when every earlier statement fits
    "test/regressions/008_seed2000040_f0_cpu.py": {
        "f0": _gen(lambda g, s: (_r(g, s[0], s[0]), s[0], 0.5, _r(g, s[0], s[0]), _r(g, 2)), [(5,), (6,)]),
    },
}


#: bench/everyday's kernel modules: their functions are unhinted or hinted `np.ndarray` (types from the first call)
EVERYDAY = ("bench/everyday/physics.py", "bench/everyday/imaging.py", "bench/everyday/stats.py", "bench/everyday/numerical.py")


def everyday_source(rel: str) -> str:
    """An everyday module as @parallelize compiles it: each function of bench/everyday/cases.py hinted
    with the types of its case's arguments (profiling.hint_for, hinted_source: an unhinted parameter or
    an open array hint gets the argument's dtype and rank), the others as written. Line 1 holds the hint
    imports, so every line of the file is one line further down."""
    sys.path.insert(0, str(ROOT / "bench/everyday"))
    from cases import CASES  # noqa: PLC0415
    from polyray.profiling import hint_for, hinted_source, open_array_hint  # noqa: PLC0415

    text = (ROOT / rel).read_text()
    tree = ast.parse(text)
    out = "\n" + text  # line 1 free (hinted_source's convention)
    for case in CASES:
        if f"bench/everyday/{case.module}.py" != rel:
            continue
        node = _function_node(tree, case.function)
        assert node is not None, f"{rel}: no function {case.function} (bench/everyday/cases.py)"
        args = case.make(np.random.default_rng(0))
        hints = {p.arg: hint_for(v) for p, v in zip(node.args.args, args)
                 if p.annotation is None or open_array_hint(ast.unparse(p.annotation))}
        out = hinted_source(out, node, {k: v for k, v in hints.items() if v})
    return out


def cases_of(path: Path) -> list[tuple[str, dict[str, Any], list[str]]]:
    """A reproducer's POLYRAY_CASES, read without running the file (it is a literal)."""
    for node in ast.parse(path.read_text()).body:
        if isinstance(node, ast.Assign) and any(isinstance(t, ast.Name) and t.id == "POLYRAY_CASES" for t in node.targets):
            return ast.literal_eval(node.value)
    return []


def _array(value: Any) -> Any:
    if isinstance(value, dict) and "array" in value:
        return np.array(value["array"], dtype=value.get("dtype", "float64")).reshape(value["shape"])
    return value


def fuzz_calls(fn_report: dict[str, Any], trials: int = 256, seed: int = 0) -> Calls:
    """The fuzzer's random inputs (test/fuzz/run.py make_inputs: sizes 0 to 12 related across
    parameters, NaN and infinities, subscripts pushed out of bounds) for a function of a report."""
    sys.path.insert(0, str(ROOT / "test/fuzz"))
    import generate as gen  # noqa: PLC0415
    import run as fuzz  # noqa: PLC0415

    # an array of unknown rank (the function reads only `A.shape[0]`, say) is 1-d: a 0-d one has no shape[0]
    params = [gen.Param(p["name"], p["kind"] if p["kind"] in ("array", "int") else "float",
                        p.get("ndim") if p.get("ndim") is not None else 1 if p["kind"] == "array" else 0,
                        p.get("dtype") or "float64") for p in fn_report.get("params", [])]
    spec = gen.FunctionSpec(fn_report["name"], params, False, None)
    return [[args[p.name] for p in params] for args in (fuzz.make_inputs(spec, seed, t) for t in range(trials))]


#: NumPy's integer dtypes narrower than int64, by their names in hints, `dtype=` and `np.<dtype>(...)`
_NARROW_INTS = {"int8": 8, "uint8": 8, "int16": 16, "uint16": 16, "int32": 32, "uint32": 32}
#: allocations whose arguments are sizes
_ALLOCATIONS = {"zeros", "empty", "ones", "full", "arange", "linspace", "eye", "identity", "tri"}


def _function_node(tree: ast.Module, name: str) -> ast.FunctionDef | None:
    return next((n for n in tree.body if isinstance(n, ast.FunctionDef) and n.name == name), None)


def _narrowest_int_bits(fn_report: dict[str, Any], node: ast.FunctionDef | None) -> int | None:
    """Bits of the narrowest integer dtype below int64 the function names: its parameters' dtypes
    (the report's) and the dtypes its body spells (`np.uint16`, `dtype="int32"`)."""
    names = {p.get("dtype") for p in fn_report.get("params", [])}
    if node is not None:
        for n in ast.walk(node):
            if isinstance(n, ast.Attribute):
                names.add(n.attr)
            elif isinstance(n, ast.Constant) and isinstance(n.value, str):
                names.add(n.value)
    bits = [_NARROW_INTS[d] for d in names if d in _NARROW_INTS]
    return min(bits) if bits else None


def _size_names(node: ast.FunctionDef) -> set[str]:
    """Names that bound how much work a call does: read by a `range(...)`, a `while` test or an
    allocation's arguments (a loop count or a shape: a value of 2**16 there is hours of plain Python)."""
    roots: list[ast.AST] = []
    for n in ast.walk(node):
        if isinstance(n, ast.While):
            roots.append(n.test)
        elif isinstance(n, ast.Call):
            f = n.func
            called = f.id if isinstance(f, ast.Name) else f.attr if isinstance(f, ast.Attribute) else None
            if called == "range" or called in _ALLOCATIONS:
                roots += [*n.args, *(k.value for k in n.keywords)]
    return {x.id for r in roots for x in ast.walk(r) if isinstance(x, ast.Name)}


def fitting_int_calls(fn_report: dict[str, Any], node: ast.FunctionDef | None, trials: int = 32, seed: int = 1) -> Calls:
    """The fuzzer's inputs with every int parameter that is no size (`_size_names`) drawn across the
    range of the narrowest integer dtype the function names, both signs, log-uniform in magnitude.

    A Python int computed from such a parameter and stored into a narrow integer array is
    range-checked (types/casts.ts `checked`, runtime/int_helpers.fit_int): out of the dtype's
    range the variant leaves the call to the original, which raises NumPy's OverflowError on the
    first store. The fuzzer's ints (sizes 0 to 12, -1, -3) rarely make such a store fit
    (regression 018 stores `(-3) ^ (n + 100)` into uint16: it fits only for n <= -101), so no
    call would run the loop to the end and its verdict would go unchecked. Integer arrays likewise
    hold values of the narrowest dtype's signed half-range (their own dtype's range where it is
    narrower), where the fuzzer's span their whole dtype: regression 019 stores `-(B[i] ^ A[i])` of
    an int32 B into int16, which fits only for small B."""
    bits = _narrowest_int_bits(fn_report, node)
    if bits is None or node is None:
        return []
    sizes = _size_names(node)
    params = fn_report.get("params", [])
    values = [p["name"] for p in params if p.get("kind") == "int" and p["name"] not in sizes]
    arrays = [p["name"] for p in params if p.get("kind") == "array" and (p.get("dtype") or "").startswith(("int", "uint"))]
    if not values and not arrays:
        return []
    rng = np.random.default_rng([seed, bits, len(values), len(arrays)])
    order = [p["name"] for p in params]
    out: Calls = []
    for args in fuzz_calls(fn_report, trials=trials, seed=seed):
        args = list(args)
        for name in values:
            magnitude = int(2.0 ** rng.uniform(0, bits))
            args[order.index(name)] = magnitude if rng.random() < 0.5 else -magnitude
        for name in arrays:
            a = args[order.index(name)]
            info = np.iinfo(a.dtype)
            lo, hi = max(int(info.min), -(2 ** (bits - 1))), min(int(info.max), 2 ** (bits - 1) - 1)
            args[order.index(name)] = rng.integers(lo, hi + 1, size=a.shape).astype(a.dtype)
        out.append(args)
    return out


def calls_for(path: Path, report: dict[str, Any], sizes: Sequence[int] | None = None, source: str | None = None) -> dict[str, Calls]:
    """Function name -> argument lists, for every function of the report (compiled from `source`,
    by default the file's text)."""
    rel = path.resolve().relative_to(ROOT).as_posix() if path.resolve().is_relative_to(ROOT) else str(path)
    fns = {f["name"]: f for f in report.get("functions", [])}
    out: dict[str, Calls] = {}
    table = EXTRA.get(rel, {})
    cases: dict[str, Calls] = {}
    for name, raw, _ in cases_of(path) if rel.startswith(("test/regressions/", "test/fuzz/findings/")) else []:
        order = [p["name"] for p in fns.get(name, {}).get("params", [])]
        cases.setdefault(name, []).append([_array(raw[p]) for p in order])
    tree = ast.parse(path.read_text() if source is None else source)
    for name, fn in fns.items():
        bench_name = name.removeprefix("kernel_")
        if sizes is None and rel.startswith(("test/regressions/", "test/fuzz/findings/")):
            # a minimized reproducer has one input or two: add the fuzzer's own (run.make_inputs),
            # and int values that make its range-checked stores fit
            out[name] = ((table[name]() if name in table else []) + cases.get(name, []) + fuzz_calls(fn)
                         + fitting_int_calls(fn, _function_node(tree, name)))
        elif sizes is None and name in table:
            out[name] = table[name]()
        elif sizes is None and bench_name in specs.KERNELS and rel.startswith(("test/kernels/polybench/", "bench/polybench/")):
            out[name] = _polybench(bench_name)
        elif sizes is None:
            # no family of its own: equal sizes everywhere, then the fuzzer's unequal ones
            out[name] = permute.generic_calls(fn) + fuzz_calls(fn, trials=64) + fitting_int_calls(fn, _function_node(tree, name), trials=16)
        else:
            out[name] = permute.generic_calls(fn, sizes)
    return out
