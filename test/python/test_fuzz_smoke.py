"""A few dozen programs of the differential fuzzer (test/fuzz/run.py) with a fixed seed:
every function's original and cpu variant on the same random inputs (sizes 0 and 1,
out-of-bounds and negative subscripts, a Python 0.0 divisor), identical results,
exceptions and partial writes; a sample also through the Ray variant is left to
`npm run fuzz` (it needs a Ray cluster). The full runs are recorded in test/fuzz/record.json."""
from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "test/fuzz"))

import generate  # noqa: E402
import run as fuzz  # noqa: E402

SEED = 20240917
COUNT = 30


@pytest.fixture(scope="module")
def results(tmp_path_factory):
    if not (ROOT / "lib/cli/main.js").exists():
        pytest.skip("the compiler is not built (run npm test, which builds lib/)")
    compiler = fuzz.Compiler()
    workdir = tmp_path_factory.mktemp("fuzz_smoke")
    sys.path.insert(0, str(workdir))
    try:
        return [fuzz.run_program(fuzz.program_seed(SEED, k), ["cpu"], compiler, workdir, 3, 0) for k in range(COUNT)]
    finally:
        compiler.close()


def test_generator_is_deterministic():
    assert generate.generate(12345).source == generate.generate(12345).source
    assert generate.generate(12345).source != generate.generate(12346).source


#: Mismatches already reported and kept in test/fuzz/findings/ until the compiler is fixed:
#: a NumPy array statement whose operands do not broadcast raises NumPy's ValueError in
#: the original but Numba's AssertionError ("Sizes of B, C do not match"), or a ValueError
#: with Numba's wording, in the cpu variant (findings/001_broadcast_into_narrower.py).
def test_no_mismatch(results):
    mismatches = [dict(m, seed=r["seed"]) for r in results for m in r["mismatches"]]
    assert not mismatches, json.dumps(mismatches, indent=1)


def test_enough_calls_run_a_variant_and_coverage_is_broad(results):
    cov = fuzz.coverage(results)
    assert cov["calls"] >= 100, cov
    assert cov["non_original_share"] >= fuzz.MIN_NON_ORIGINAL, cov
    assert cov["parallel_loops"] > 0 and cov["functions_with_prange"] > 0, cov
    assert {"IndexError", "ok"} <= set(cov["original_outcomes"]), cov
    assert cov["features"].get("slice", 0) > 0 and cov["features"].get("offset_subscript", 0) > 0, cov
    # close mode (issue 16): every program again, the close family within each operation's bound
    assert cov["close_calls"] == cov["calls"] and cov["close_bounded"] > 0, cov
    # a function close mode generated as exact mode did runs exact mode's compiled code (run.run_close), the
    # others their own
    assert 0 < cov["close_twin"] < cov["close_calls"], cov


def test_some_modules_were_loaded_again_under_other_names(results):
    """Issue 15 item 3: every RELOAD_EVERY-th program is imported again in a fresh process under
    other module names and from a copied folder (run.reload_mismatches); its calls are compared."""
    reloaded = [r for r in results if "reload_calls" in r]
    assert len(reloaded) >= COUNT // fuzz.RELOAD_EVERY, [r["seed"] for r in results]
    assert sum(r["reload_calls"] for r in reloaded) > 0
    assert sum(r["reload_ran"].get("cpu", 0) for r in reloaded) > 0  # the variant itself ran there


def test_array_family_drawn_by_default_and_forced_by_kind(monkeypatch):
    """families.ArrayFn (last session's constructs): about one function in eight by default, every
    function when POLYRAY_FUZZ_FAMILIES names kinds (run.py --families), each kind reachable."""
    monkeypatch.delenv("POLYRAY_FUZZ_FAMILIES", raising=False)
    specs = [f for s in range(600) for f in generate.generate(s).functions if not f.name.startswith("c_")]
    share = sum("array_family" in f.features for f in specs) / len(specs)
    assert 0.06 < share < 0.25, share
    monkeypatch.setenv("POLYRAY_FUZZ_FAMILIES", "complex,fancy")
    # the sorting, table and privatization families draw their functions from streams of their own (families.SortFn,
    # TableFn, PrivateFn, PeriodicFn, RotationFn, and generate._ReturnedFn), beside these
    specs = [f for s in range(60) for f in generate.generate(s).functions
             if not f.name.startswith("c_") and not f.features & {"sort_family", "table_family", "private_family", "periodic_family", "rotation_family", "returned"}]
    assert {k for f in specs for k in ("array_complex", "array_fancy") if k in f.features} == {"array_complex", "array_fancy"}
    assert all("array_complex" in f.features or "array_fancy" in f.features for f in specs)
    monkeypatch.setenv("POLYRAY_FUZZ_FAMILIES", "array")
    kinds = {k for s in range(200) for f in generate.generate(s).functions for k in f.features if k.startswith("array_")}
    import families

    assert kinds == {"array_family"} | {f"array_{k}" for k in families.ARRAY_KINDS}
    monkeypatch.setenv("POLYRAY_FUZZ_FAMILIES", "sort")
    with pytest.raises(ValueError):
        generate.generate(1)


def test_close_check_bounds_of_float32_reductions_and_complex_powers():
    """close_check: a float32 reduction's bound uses float32's unit roundoff (a float64 one would be 2**29
    times tighter), a tuple of axes counts every term, max/min and `exact` operations compare bits, and a
    complex power with a float exponent is within 16*eps*(1 + |b log a|)*|a**b|."""
    import numpy as np

    import close_check
    import run as fuzz

    rng = np.random.default_rng(3)
    X = (rng.standard_normal((6, 5, 4)) * 4).astype(np.float32)
    want = np.sum(X, axis=(0, 2))
    bound = {"op": "sum", "operand": "X", "axis": (0, 2), "keepdims": False, "ddof": 0}
    tol = close_check.tolerance(bound, {"X": X})
    assert tol.shape == want.shape and np.all(tol > 1e-7 * np.abs(X).sum(axis=(0, 2)))
    ulp = fuzz.measure_ulp.documented_bounds()
    near = (want.astype(np.float64) + 0.5 * tol).astype(np.float32)
    assert close_check.within_bound(bound, want, near, {"X": X}, ulp, fuzz.measure_ulp.ulp_distance) is None
    far = want + np.float32(1.0)
    assert close_check.within_bound(bound, want, far, {"X": X}, ulp, fuzz.measure_ulp.ulp_distance) is not None
    extrema = {"op": "exact"}
    m = X.max(axis=1)
    assert close_check.within_bound(extrema, m, m.copy(), {"X": X}, ulp, fuzz.measure_ulp.ulp_distance) is None
    assert close_check.within_bound(extrema, m, np.nextafter(m, np.float32(np.inf)), {"X": X}, ulp, fuzz.measure_ulp.ulp_distance)
    Z = rng.standard_normal(50) * 3 + 1j * rng.standard_normal(50) * 3
    cp = {"op": "cpow", "base": "Z", "exp": 1.5}
    w = Z ** 1.5
    g = np.exp(1.5 * np.log(Z))
    assert close_check.within_bound(cp, w, g, {"Z": Z}, ulp, fuzz.measure_ulp.ulp_distance) is None
    assert close_check.within_bound(cp, w, w * (1 + 1e-12), {"Z": Z}, ulp, fuzz.measure_ulp.ulp_distance) is not None


def test_table_family_generates_every_row(monkeypatch):
    """families.TableFn (issue 17): one program in eight has a function of NumPy table rows (every one
    with run.py --table-family), and over 300 programs it calls every row of families.TABLE_ROWS; the
    functions of the other families are the same with and without it (a stream of its own)."""
    import random

    import families

    monkeypatch.delenv("POLYRAY_FUZZ_TABLE", raising=False)
    plain = [generate.generate(s) for s in range(400)]
    share = sum(any("table_family" in f.features for f in p.functions) for p in plain) / len(plain)
    assert 0.06 < share < 0.2, share
    monkeypatch.setenv("POLYRAY_FUZZ_TABLE", "1")
    seen: set[str] = set()
    for s in range(300):
        p = generate.generate(s)
        compile(p.source, "fuzz", "exec")
        table = [f for f in p.functions if "table_family" in f.features]
        assert len(table) >= 1 and table[-1] is p.functions[-1]
        seen |= {x for f in table for x in f.features}
        if s < 100 and not any("table_family" in f.features for f in plain[s].functions):
            # the other functions unchanged: the program without its table function is the plain one
            assert p.source.startswith(plain[s].source), s
    missing = [r for r in families.TABLE_ROWS if f"table_{r}" not in seen]
    assert not missing, missing
    # the runner's inputs: M square, b as long as M (or one longer), idx in [0, 9] (or holding -1)
    import numpy as np

    spec = families.TableFn(random.Random(0), "g").build()[1]
    spec.features.add("table_family")
    spec.params = [generate.Param("M", "array", 2), generate.Param("b", "array", 1), generate.Param("idx", "array", 1, "int64")]
    for trial in range(8):
        args = fuzz.make_inputs(spec, 5, trial)
        n = args["M"].shape[0]
        assert args["M"].shape == (n, n) and len(args["b"]) in (n, n + 1)
        assert args["idx"].dtype == np.int64 and np.all(args["idx"] >= -1) and np.all(args["idx"] <= 9)


def test_close_check_bounds_of_table_rows():
    """close_check's bounds of the table rows (families.TableFn): a result nudged well inside its row's
    bound passes, one far outside fails; NaN positions are compared."""
    import numpy as np

    import close_check

    rng = np.random.default_rng(7)
    n = 6
    M = rng.standard_normal((n, n)) + (n + 1) * np.eye(n)
    A, b, x = rng.standard_normal((4, 9)), rng.standard_normal(n), rng.standard_normal(64)
    args = {"M": M, "A": A, "b": b, "x": x, "Z": np.fft.rfft(x)}
    ulp = fuzz.measure_ulp.documented_bounds()
    cases = [({"op": "lu", "a": "M"}, np.linalg.solve(M, b)), ({"op": "lu", "a": "M"}, np.linalg.inv(M)),
             ({"op": "cholesky", "a": "M + M.T + M.shape[0] * np.eye(M.shape[0])"}, np.linalg.cholesky(M + M.T + n * np.eye(n))),
             ({"op": "cov", "operand": "A"}, np.cov(A)), ({"op": "cov", "operand": "A.T"}, np.cov(A.T)),
             ({"op": "cumsum", "operand": "x"}, np.cumsum(x)), ({"op": "norm", "operand": "x"}, np.linalg.norm(x)),
             ({"op": "fft", "fn": "fft", "operand": "x"}, np.fft.fft(x)), ({"op": "fft", "fn": "irfft", "operand": "Z"}, np.fft.irfft(args["Z"])),
             # norm= and the n-d forms (their norm's scale on the sum)
             ({"op": "fft", "fn": "fft", "operand": "x", "norm": "ortho"}, np.fft.fft(x, norm="ortho")),
             ({"op": "fft", "fn": "fftn", "operand": "A", "norm": "forward"}, np.fft.fftn(A, norm="forward")),
             ({"op": "fft", "fn": "rfft2", "operand": "A", "norm": None}, np.fft.rfft2(A)),
             ({"op": "fft", "fn": "irfft2", "operand": "np.fft.rfft2(A)", "s": "A.shape", "norm": "ortho"}, np.fft.irfft2(np.fft.rfft2(A), A.shape, norm="ortho"))]
    for bound, want in cases:
        tol = close_check.tolerance(bound, args, want)
        assert np.all(np.asarray(tol) > 0) and np.all(np.asarray(tol) < 1e-9 * (1 + np.abs(want).max())), bound
        near = want + 0.5 * np.asarray(tol) * np.sign(want)
        assert close_check.within_bound(bound, want, near, args, ulp, fuzz.measure_ulp.ulp_distance) is None, bound
        far = want + 1e-6 * (1 + np.abs(want).max())
        assert close_check.within_bound(bound, want, far, args, ulp, fuzz.measure_ulp.ulp_distance) is not None, bound
    empty = {"M": np.zeros((0, 0)), "b": np.zeros(0)}  # an empty system: an empty solution, nothing to bound
    assert close_check.within_bound({"op": "lu", "a": "M"}, np.linalg.solve(empty["M"], empty["b"]), np.zeros(0), empty, ulp,
                                    fuzz.measure_ulp.ulp_distance) is None
    want = np.cumsum(np.array([1.0, np.nan, 2.0]))
    got = np.array([1.0, 0.0, 3.0])
    assert close_check.within_bound({"op": "cumsum", "operand": "x"}, want, got, {"x": np.array([1.0, np.nan, 2.0])}, ulp,
                                    fuzz.measure_ulp.ulp_distance) is not None


def test_close_check_bounds_of_selections():
    """close_check's bounds of the selection kinds (families.ArrayFn masked per bin, weighted histogram,
    CSR rows): each element's bound is that of its own terms, so a result nudged inside passes, one far
    outside fails, an empty bin or row (no terms) must match exactly, and NaN positions are compared."""
    import numpy as np

    import close_check

    rng = np.random.default_rng(11)
    x, y, w = rng.random(50) * 3.0, rng.standard_normal(50), rng.standard_normal(50)
    col = rng.integers(0, 50, 12)
    args = {"x": x, "y": y, "w": w, "k": 4, "col": col, "val": rng.standard_normal(12), "rowptr": np.array([0, 5, 5, 12])}
    ulp = fuzz.measure_ulp.documented_bounds()
    rmax = x.max()
    binned = np.array([y[(rmax * i / 4 <= x) & (x < rmax * (i + 1) / 4)].mean() for i in range(4)])
    csr = np.array([args["val"][lo:hi] @ x[col[lo:hi]] for lo, hi in ((0, 5), (5, 5), (5, 12))])
    cases = [({"op": "binned", "reduce": "mean"}, binned),
             ({"op": "histogram", "call": "np.histogram(x, k, weights=w)"}, np.histogram(x, 4, weights=w)[0]),
             ({"op": "histogram", "call": "np.histogram(x, k, range=(0, 4), weights=w)"}, np.histogram(x, 4, range=(0, 4), weights=w)[0]),
             ({"op": "csr"}, csr)]
    for bound, want in cases:
        tol = np.asarray(close_check.tolerance(bound, args, want))
        assert tol.shape == want.shape and np.all(tol < 1e-12 * (1 + np.abs(want).max())), bound
        near = want + 0.5 * tol * np.sign(want)
        assert close_check.within_bound(bound, want, near, args, ulp, fuzz.measure_ulp.ulp_distance) is None, bound
        far = want + 1e-9 * (1 + np.abs(want).max())
        assert close_check.within_bound(bound, want, far, args, ulp, fuzz.measure_ulp.ulp_distance) is not None, bound
    assert close_check.tolerance({"op": "csr"}, args, csr)[1] == 0.0  # the empty row: 0.0 exactly on both sides
    nan_at = binned.copy()
    nan_at[0] = np.nan
    assert close_check.within_bound(cases[0][0], binned, nan_at, args, ulp, fuzz.measure_ulp.ulp_distance) is not None
