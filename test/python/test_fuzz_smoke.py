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
