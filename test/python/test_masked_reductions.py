"""Reductions of boolean selections fused into one loop (issue 18, src/compiler/types/masked-reductions.ts):
NPBench azimint_naive's binned means, `x[x > 0].sum()`, `np.mean(a[(a >= lo) & (a < hi)])`, counts through
np.count_nonzero, len and .size, min and max, a mask kept after its use, an index array (not fused).
Each function is compiled in both numerics modes and runs its CPU variant against the original: exact mode
bit for bit (float sums and means stay NumPy's pairwise ones there, unfused), close mode's fused float sums
and means within close_bounds' sum and mean bounds (NumPy's pairwise depth plus the sequential n - 1), all
else bit for bit; empty selections (mean NaN, min/max ValueError), NaN in the data, and a mask of another
length (the original's IndexError) included."""
from __future__ import annotations

import json
import textwrap
import warnings

import numpy as np
import pytest

import polyray.runtime as rt
from compiled import compare_with_original, compile_and_import, cpu_body, outcome, same
from polyray.runtime.close_bounds import mean_tolerance, sum_tolerance, within

# the bounds of empty selections (NumPy's own mean of nothing warns)
pytestmark = pytest.mark.filterwarnings("ignore:Mean of empty slice:RuntimeWarning", "ignore:invalid value encountered:RuntimeWarning")

F1 = "np.ndarray[tuple[int], np.dtype[np.float64]]"
I1 = "np.ndarray[tuple[int], np.dtype[np.int64]]"
B1 = "np.ndarray[tuple[int], np.dtype[np.bool_]]"

SOURCE = textwrap.dedent(f"""\
    import numpy as np


    def binned_means(data: {F1}, radius: {F1}, npt: int) -> {F1}:
        rmax = radius.max()
        res = np.zeros(npt, dtype=np.float64)
        for i in range(npt):
            r1 = rmax * i / npt
            r2 = rmax * (i + 1) / npt
            mask_r12 = np.logical_and((r1 <= radius), (radius < r2))
            values_r12 = data[mask_r12]
            res[i] = values_r12.mean()
        return res


    def positive_sum(x: {F1}) -> float:
        return x[x > 0].sum()


    def band_mean(a: {F1}, lo: float, hi: float) -> float:
        return np.mean(a[(a >= lo) & (a < hi)])


    def counts(a: {I1}, b: {F1}, t: int):
        m = (a > t) | ~(b <= 0.5)
        return np.count_nonzero(m), len(b[np.logical_not(a == t)]), a[b < 0.25].size


    def extremes(a: {F1}, b: {I1}, lo: float):
        return a[a > lo].max(), np.min(a[b != 3]), np.amax(b[a < lo]), b[a >= lo].sum()


    def kept_mask(a: {F1}, flags: {B1}):
        m = a > 0.5
        s = a[m & flags].sum()
        return s, m


    def gathered(a: {F1}, idx: {I1}) -> float:
        return a[idx].sum()


    def bin_max(data: {F1}, radius: {F1}, npt: int) -> {F1}:
        res = np.zeros(npt, dtype=np.float64)
        for i in range(npt):
            res[i] = data[(radius >= i) & (radius < i + 1)].max()
        return res


    def masked_total(a: {I1}, b: {F1}):
        return a[b > 0].sum()
""")


@pytest.fixture(scope="module", params=["exact", "close"])
def compiled(request, tmp_path_factory):
    base = tmp_path_factory.mktemp(f"masked_{request.param}")
    (base / "src.py").write_text(SOURCE)
    report = base / "report.json"
    mod = compile_and_import(base / "src.py", base, f"masked_{request.param}", "--numerics", request.param,
                             "--targets", "cpu", "--report", str(report))
    mod.MODE = request.param
    return mod, {f["name"]: f for f in json.loads(report.read_text())["functions"]}


def fused(report: dict, name: str) -> list[str]:
    return [t for t in report[name]["transformations"] if t.startswith("fused the ")]


def call(mod, name, *args):
    """The compiled call and the original's on copies: (got, want, the variant that ran)."""
    fn, original = getattr(mod, name), getattr(mod, f"_polyray_original_{name}")
    rt.clear_history()
    with np.errstate(all="ignore"), warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        got = outcome(fn, *[a.copy() if isinstance(a, np.ndarray) else a for a in args])
        records = rt.history()
        want = outcome(original, *args)
    return got, want, records[-1]["variant"] if records else None


@pytest.fixture(autouse=True)
def cpu_target(monkeypatch):
    monkeypatch.setenv("POLYRAY_TARGET", "cpu")


def test_what_is_fused(compiled):
    mod, report = compiled
    close = mod.MODE == "close"
    # float sums and means only in close mode (NumPy's are pairwise); counts, int sums, min and max in both
    assert len(fused(report, "binned_means")) == close
    assert len(fused(report, "positive_sum")) == close
    assert len(fused(report, "band_mean")) == close
    assert len(fused(report, "counts")) == 3
    assert len(fused(report, "extremes")) == 4
    assert len(fused(report, "kept_mask")) == close
    assert fused(report, "gathered") == []  # an index array is no mask
    assert len(fused(report, "bin_max")) == len(fused(report, "masked_total")) == 1
    if close:
        # azimint_naive: the bin loop runs in parallel, no mask or selection array per bin
        assert report["binned_means"]["loops"][0]["parallel"], report["binned_means"]["loops"]
        body = cpu_body(mod, "binned_means")
        assert "mask_get" not in body and "logical_and" not in body and "prange" in body
        assert "mask_r12" not in body and "values_r12" not in body
        # the kept mask is still computed and returned; the fused sum reads it
        assert "m = " in cpu_body(mod, "kept_mask")
        assert any(n["line"] == 12 for n in report["binned_means"]["closeNotes"]), report["binned_means"]["closeNotes"]


def test_binned_means(compiled):
    mod, _ = compiled
    rng = np.random.default_rng(18)
    data, radius = rng.random(9000), rng.random(9000)
    data[::97] = -data[::97]
    for npt in (1, 7, 64, 20000):  # 20000 bins: most are empty (NaN, as NumPy's mean of nothing)
        got, want, variant = call(mod, "binned_means", data, radius, npt)
        assert variant == "cpu" and got[0] == want[0] == "ok"
        if mod.MODE == "exact":
            assert same(got[1], want[1])
            continue
        rmax = radius.max()
        tol = np.array([mean_tolerance(data[(rmax * i / npt <= radius) & (radius < rmax * (i + 1) / npt)]) for i in range(npt)])
        assert within(got[1], want[1], tol)
        assert np.isnan(want[1]).any() == (npt == 20000)


def test_sums_means_and_counts(compiled):
    mod, _ = compiled
    rng = np.random.default_rng(7)
    x = rng.standard_normal(10000) * 1e3
    for a in (x, x[:5], -np.abs(x[:50]), x[:0]):
        got, want, variant = call(mod, "positive_sum", a)
        assert variant == "cpu" and got[0] == "ok"
        assert same(got[1], want[1]) if mod.MODE == "exact" else within(got[1], want[1], sum_tolerance(a[a > 0]))
    y = x.copy()
    y[17] = np.nan
    got, want, _ = call(mod, "positive_sum", y)  # NaN > 0 is false: not selected
    assert within(got[1], want[1], sum_tolerance(y[y > 0]))
    for lo, hi in ((-100.0, 500.0), (1e9, 2e9), (0.0, np.inf)):
        got, want, variant = call(mod, "band_mean", x, lo, hi)
        assert variant == "cpu" and got[0] == "ok"
        sel = x[(x >= lo) & (x < hi)]
        assert same(got[1], want[1]) if mod.MODE == "exact" else within(got[1], want[1], mean_tolerance(sel))
    assert np.isnan(call(mod, "band_mean", x, 1e9, 2e9)[0][1])  # empty selection: NaN
    a = rng.integers(-5, 5, 10000)
    for t in (-10, 0, 3):
        ran = compare_with_original(mod.counts, mod._polyray_original_counts, a, x / 1e3, t)
        assert ran.variant == "cpu" and ran.status == "ok"
        assert type(ran.value[0]) is np.int64 and type(ran.value[1]) is int  # count_nonzero's NumPy int, len's int


def test_extremes(compiled):
    mod, _ = compiled
    rng = np.random.default_rng(3)
    a = rng.standard_normal(6000)
    b = rng.integers(0, 6, 6000)
    for lo in (-1.0, 0.0, 2.5):
        ran = compare_with_original(mod.extremes, mod._polyray_original_extremes, a, b, lo)
        assert ran.variant == "cpu" and ran.status == "ok"
    a[100] = np.nan  # NumPy's max and min propagate NaN; NaN > lo is false, b selects it
    ran = compare_with_original(mod.extremes, mod._polyray_original_extremes, a, b, -1.0)
    assert np.isnan(ran.value[1]) == (b[100] != 3) and ran.variant == "cpu"
    a[0] = np.nan
    b[0] = 0
    ran = compare_with_original(mod.extremes, mod._polyray_original_extremes, a, b, -1.0)
    assert np.isnan(ran.value[1])
    # an empty selection: NumPy's ValueError (zero-size array to reduction operation maximum ...)
    ran = compare_with_original(mod.extremes, mod._polyray_original_extremes, a, b, 1e9)
    assert ran.status == "ValueError" and ran.variant == "cpu"


def test_other_lengths_raise_as_numpy(compiled):
    mod, _ = compiled
    a = np.linspace(-1, 1, 50)
    b = np.arange(50)
    for x, y in ((a, b[:49]), (a[:49], b), (a[:0], b), (a, b[:0])):
        ran = compare_with_original(mod.extremes, mod._polyray_original_extremes, x, y, 0.0, messages=False)
        assert ran.status in ("IndexError", "ValueError"), ran
    got, want, _ = call(mod, "binned_means", a, a[:10], 4)
    assert got[0] == want[0] == "IndexError"
    got, want, _ = call(mod, "kept_mask", a, np.ones(49, dtype=bool))
    assert got[0] == want[0] == "ValueError"  # `m & flags` does not broadcast


def test_kept_mask_and_gather(compiled):
    mod, _ = compiled
    rng = np.random.default_rng(5)
    a = rng.random(5000)
    flags = rng.random(5000) < 0.5
    got, want, variant = call(mod, "kept_mask", a, flags)
    assert variant == "cpu" and same(got[1][1], want[1][1])
    assert same(got[1][0], want[1][0]) if mod.MODE == "exact" else within(got[1][0], want[1][0], sum_tolerance(a[(a > 0.5) & flags]))
    idx = rng.integers(-5000, 5000, 300)
    ran = compare_with_original(mod.gathered, mod._polyray_original_gathered, a, idx)
    assert ran.variant == "cpu"


def test_binned_max_and_mask_lengths(compiled):
    mod, _ = compiled
    rng = np.random.default_rng(11)
    data, radius = rng.standard_normal(3000), rng.random(3000) * 4
    data[5] = np.nan
    ran = compare_with_original(mod.bin_max, mod._polyray_original_bin_max, data, radius, 4)
    assert ran.variant == "cpu" and ran.status == "ok" and np.isnan(ran.value).sum() == 1
    # a bin that selects nothing: NumPy's ValueError, from the compiled loop too
    ran = compare_with_original(mod.bin_max, mod._polyray_original_bin_max, data, radius, 5)
    assert ran.status == "ValueError" and ran.variant == "cpu"
    a = rng.integers(-9, 9, 5000)
    b = rng.standard_normal(5000)
    ran = compare_with_original(mod.masked_total, mod._polyray_original_masked_total, a, b)
    assert ran.variant == "cpu" and type(ran.value) is np.int64
    # NumPy takes an empty mask for any x (nothing selected); other lengths raise IndexError: the original runs
    for x, y in ((a, b[:0]), (a[:0], b), (a[:10], b[:11]), (a[:11], b[:10])):
        ran = compare_with_original(mod.masked_total, mod._polyray_original_masked_total, x, y)
        assert ran.status == ("ok" if len(y) == 0 else "IndexError"), (len(x), len(y), ran)
