"""np.sort, a.sort(), np.argsort, np.unique and np.searchsorted (issue 17) in scientist-style kernels
(test/kernels/numpy_style/sorting.py), compiled in both numerics modes: every CPU variant against its
original, bit for bit (the rows are `exact`: sorting moves elements, it computes nothing), on data with
ties, NaN (of other bits too), both zeros, ints and bools, where NumPy's unstable order is free and the
helpers must ask NumPy (runtime/sort_helpers.py); refused forms keep the original and its exception."""
from __future__ import annotations

import numpy as np
import pytest

from compiled import ROOT, compare_with_original, cpu_target, mode_module  # noqa: F401 (cpu_target: autouse)

SOURCE = ROOT / "test/kernels/numpy_style/sorting.py"


mod = mode_module(SOURCE, "sorting")


def run_both(mod, name, *args, compiled=True):
    """The call (CPU target) against its original on copies: the same outcome, bits and writes; the CPU variant ran."""
    ran = compare_with_original(getattr(mod, name), getattr(mod, f"_polyray_original_{name}", getattr(mod, name)), *args, messages=False)
    if compiled:
        assert ran.variant == "cpu", ran.records[-1:]
    return ran.got


RNG = np.random.default_rng(17)
NEG_NAN = np.copysign(np.nan, -1.0)  # a NaN of other bits (sign set), as 0 * -inf gives


def float_samples(n: int) -> list[np.ndarray]:
    """Distinct values, heavy ties, NaN and both zeros, NaNs of two bit patterns, a single value."""
    out = [RNG.standard_normal(n), RNG.choice([-1.5, 0.0, 2.0, 2.0, 3.25], n), RNG.choice([-0.0, 0.0, 1.0, np.nan, -np.inf, np.inf], n),
           RNG.choice([np.nan, NEG_NAN, 1.0], n), np.full(n, -0.0)]
    no_zero_signs = RNG.choice([0.0, 1.0, np.nan, 0.5], n)  # NaN and ties but one zero sign: no NumPy call needed
    return out + [no_zero_signs]


@pytest.mark.parametrize("n", [0, 1, 2, 5, 33, 300])
def test_sort_along_axes_and_flattened(mod, n):
    for x in float_samples(2 * n):
        X = x.reshape(2, n)
        run_both(mod, "row_medians", X) if n > 0 else None
        run_both(mod, "sorted_views", X)
        run_both(mod, "sorted_views", X[:, ::-1])  # another layout: the lines are copied out


@pytest.mark.parametrize("n", [0, 1, 7, 64, 500])
def test_argsort_default_kind_with_ties(mod, n):
    pts = RNG.standard_normal(n)
    run_both(mod, "k_nearest", pts, 0.1, 3)
    # equal distances (ties), NaN distances and both zeros: NumPy's own order, whatever its algorithm
    for x in float_samples(n):
        run_both(mod, "k_nearest", x, 0.0, 5)
    run_both(mod, "k_nearest", RNG.integers(-3, 3, n).astype(np.float64), 0.5, 4)


@pytest.mark.parametrize("n", [0, 1, 9, 200])
def test_stable_argsort_of_ints(mod, n):
    for x in (RNG.integers(-4, 4, n), RNG.permutation(n).astype(np.int64), np.zeros(n, dtype=np.int64)):
        got = run_both(mod, "stable_order", x)
        assert got[1][0].dtype == np.int64
        run_both(mod, "stable_order", x[::-1])


@pytest.mark.parametrize("n", [3, 10, 257])
def test_sort_in_place_writes_the_array(mod, n):
    for x in float_samples(n):
        run_both(mod, "winsor_bounds", x, 1)  # the sorted array is compared too (the same writes)
    run_both(mod, "winsor_bounds", np.arange(n, 0, -1.0)[::-1], 0)  # a strided view is sorted in place
    for x in float_samples(3 * n):
        run_both(mod, "sort_each_row", x.reshape(3, n))
    run_both(mod, "sort_each_row", np.asfortranarray(RNG.standard_normal((3, n))))  # rows of strided elements
    C = RNG.integers(-5, 5, (n, 4))
    run_both(mod, "sort_columns", C)
    run_both(mod, "sort_columns", C[::2, ::-1])


def test_sort_in_place_of_an_empty_or_read_only_array(mod):
    run_both(mod, "winsor_bounds", np.zeros(0), 0)  # IndexError after sorting nothing, in both
    ro = np.arange(5.0)
    ro.flags.writeable = False
    with pytest.raises(ValueError):
        mod.winsor_bounds(ro, 1)  # NumPy's ValueError: the variant does not type a read-only receiver
    ran = compare_with_original(mod.sort_columns, mod._polyray_original_sort_columns, np.zeros((0, 3), dtype=np.int64), messages=False)
    assert ran.status == "ok"


@pytest.mark.parametrize("n", [0, 1, 6, 100])
def test_unique(mod, n):
    got = run_both(mod, "class_labels", RNG.integers(0, 5, n))
    assert got[1][0].dtype == np.int64 and got[1][0].ndim == 1
    run_both(mod, "class_labels", RNG.integers(-2**62, 2**62, n)[::-1])
    for x in float_samples(n):
        run_both(mod, "distinct_levels", x)  # one NaN kept, the zero NumPy keeps


@pytest.mark.parametrize("n", [1, 8, 100])
def test_searchsorted_sides_and_nan(mod, n):
    edges = np.sort(RNG.standard_normal(n))
    x = np.concatenate([RNG.standard_normal(20), edges[:3], [np.nan, -np.inf, np.inf]])
    run_both(mod, "bin_of", edges, x)
    run_both(mod, "bin_of", np.append(edges, [np.nan, np.nan]), x[::-1])  # NaN edges sort last, as NumPy's
    run_both(mod, "bin_of", RNG.standard_normal(n), x)  # unsorted edges: NumPy's binary search's own answer
    a = np.sort(RNG.integers(-5, 5, n))
    for v in (-6, 0, 3, 5, 2**40):
        run_both(mod, "insert_positions", a, v, compiled=abs(v) < 2**31)  # larger ints: the dispatcher's int guard runs the original


def test_searchsorted_bad_inputs_as_numpy(mod):
    # a 2-d array where searchsorted needs a 1-d one: NumPy's ValueError (the variant does not type it)
    ran = compare_with_original(mod.bin_of, mod._polyray_original_bin_of, np.ones((2, 3)), np.ones(3), messages=False)
    assert ran.status == "ValueError"
    ran = compare_with_original(mod.bin_of, mod._polyray_original_bin_of, np.ones(3), np.ones(0), messages=False)
    assert ran.status == "IndexError"  # x[0] of an empty array


@pytest.mark.parametrize("n", [0, 1, 40])
def test_bools_and_float32(mod, n):
    b = RNG.integers(0, 2, n).astype(bool)
    w = RNG.choice(np.array([0.0, -0.0, 1.5, np.nan], dtype=np.float32), n)
    run_both(mod, "flags_in_order", b, w)
    run_both(mod, "flags_in_order", b, np.abs(w))


def test_refused_forms_keep_the_original(mod):
    for name in ("sort_past_rank", "heap_order", "unique_counts"):
        assert not hasattr(mod, f"_polyray_cpu_{name}"), name
    with pytest.raises(np.exceptions.AxisError):
        mod.sort_past_rank(np.ones((2, 3)))
    x = np.array([2.0, 1.0, 2.0, 0.0])
    assert np.array_equal(mod.heap_order(x), np.argsort(x, kind="heapsort"))
    vals, counts = mod.unique_counts(np.array([3, 1, 3]))
    assert vals.tolist() == [1, 3] and counts.tolist() == [1, 2]


def test_dependence_model_sees_in_place_sorts():
    # a.sort() writes the array it is called on (a may-write of all of it): rows sorted one per iteration are
    # independent, a sort read by the next iteration is not
    import subprocess
    out = subprocess.run(["node", str(ROOT / "bin/polyray.mjs"), "explain", str(SOURCE)], capture_output=True, text=True, check=True, cwd=ROOT).stdout
    row = out.split("sort_each_row:")[1].split("\n    line")[1]
    assert "for i: parallel" in row, row


def test_the_fuzzer_generates_the_sorting_family(monkeypatch):
    """families.SortFn (test/fuzz): one program in eight has a sorting function of its own (every one with
    run.py --sort-family), in every form above; its inputs have ties, NaN of both signs, both zeros."""
    import sys

    sys.path.insert(0, str(ROOT / "test/fuzz"))
    import families
    import generate

    def features(count: int) -> dict[str, int]:
        seen: dict[str, int] = {}
        for k in range(count):
            program = generate.generate(4300 * 1_000_000 + k)
            compile(program.source, "fuzz", "exec")
            for fn in program.functions:
                if "sort_family" in fn.features:
                    for f in fn.features:
                        seen[f] = seen.get(f, 0) + 1
        return seen

    assert 5 <= features(100).get("sort_family", 0) <= 25
    monkeypatch.setenv("POLYRAY_FUZZ_FAMILY", "sort")
    seen = features(100)
    forms = ["sort", "sort_axis", "sort_stable", "argsort", "argsort_stable", "argsort_method", "unique", "sort_inplace",
             "sort_inplace_axis", "sort_rows_loop", "searchsorted_array", "searchsorted_scalar", "sort_read"]
    assert seen["sort_family"] == 100 and all(seen.get(f, 0) > 0 for f in forms), seen
    a = families.sort_input("float64", [400], np.random.default_rng(0))
    assert np.isnan(a).any() and (np.signbit(a) & (a == 0)).any() and ((a == 0) & ~np.signbit(a)).any()
    assert np.signbit(a[np.isnan(a)]).any()
