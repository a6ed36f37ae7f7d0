"""A few dozen programs of the differential fuzzer (test/fuzz/run.py) with a fixed seed:
every function's original and cpu variant on the same random inputs (sizes 0 and 1,
out-of-bounds and negative subscripts, a Python 0.0 divisor), identical results,
exceptions and partial writes; a sample also through the Ray variant is left to
`npm run fuzz` (it needs a Ray cluster). The full runs are recorded in test/fuzz/record.json."""
from __future__ import annotations

import json
import sys
import tempfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "test/fuzz"))

import generate  # noqa: E402
import run as fuzz  # noqa: E402

SEED = 20240917
COUNT = 30


@pytest.fixture(scope="module")
def results():
    if not (ROOT / "lib/cli/main.js").exists():
        pytest.skip("the compiler is not built (run npm test, which builds lib/)")
    compiler = fuzz.Compiler()
    workdir = Path(tempfile.mkdtemp(prefix="polyray-fuzz-smoke-"))
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
    # the sorting family draws its functions from a stream of its own (families.SortFn), beside these
    specs = [f for s in range(60) for f in generate.generate(s).functions
             if not f.name.startswith("c_") and "sort_family" not in f.features]
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
