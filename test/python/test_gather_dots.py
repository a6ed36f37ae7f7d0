"""Close mode's `v @ x[idx]` / `np.dot(v, x[idx])` / `x[idx] @ v` of 1-d float64 arrays as one loop without the
gathered temporary (issue 18, NPBench spmv; codegen/gather-dots.ts, runtime/gather_dots.py), in spellings other
than NPBench's: a CSR row sum through np.dot with uint32 indices, a ragged-array loop `score[idx] @ w` with int64
ones. Close mode: within a product's bound per row (close_bounds.product_tolerance); exact mode keeps the original
(its float products are BLAS's). Bad inputs: an index past x (IndexError), negative indices (read from the end, as
NumPy does), rows whose slices differ in length (ValueError, after the index check), empty rows."""
from __future__ import annotations

import textwrap

import numpy as np
import pytest

from compiled import compile_and_import, cpu_body, cpu_target, run_both  # noqa: F401 - cpu_target: POLYRAY_TARGET=cpu
from polyray.runtime.close_bounds import product_tolerance, within

KERNELS = textwrap.dedent('''
    import numpy as np


    def csr_row_sums(indptr: np.ndarray[tuple[int], np.dtype[np.uint32]], indices: np.ndarray[tuple[int], np.dtype[np.uint32]],
                     data: np.ndarray[tuple[int], np.dtype[np.float64]], v: np.ndarray[tuple[int], np.dtype[np.float64]]):
        n = indptr.shape[0] - 1
        out = np.zeros(n)
        for r in range(n):
            lo = indptr[r]
            hi = indptr[r + 1]
            out[r] = np.dot(data[lo:hi], v[indices[lo:hi]])
        return out


    def ragged_scores(starts: np.ndarray[tuple[int], np.dtype[np.int64]], lengths: np.ndarray[tuple[int], np.dtype[np.int64]],
                      members: np.ndarray[tuple[int], np.dtype[np.int64]], weights: np.ndarray[tuple[int], np.dtype[np.float64]],
                      score: np.ndarray[tuple[int], np.dtype[np.float64]]):
        out = np.empty(starts.shape[0])
        for g in range(starts.shape[0]):
            s = starts[g]
            idx = members[s:s + lengths[g]]
            out[g] = score[idx] @ weights[s:s + lengths[g]]
        return out
''')


@pytest.fixture(scope="module")
def modules(tmp_path_factory):
    d = tmp_path_factory.mktemp("gather_dots")
    (d / "gather_kernels.py").write_text(KERNELS)
    return {mode: compile_and_import(d / "gather_kernels.py", d, f"gather_kernels_{mode}", "--numerics", mode, "--targets", "cpu")
            for mode in ("exact", "close")}


def _csr(rng, rows: int, cols: int, dtype=np.uint32):
    counts = rng.integers(0, 5, rows)
    counts[::7] = 0  # empty rows
    indptr = np.concatenate([[0], np.cumsum(counts)]).astype(dtype)
    indices = rng.integers(0, cols, int(indptr[-1])).astype(dtype)
    return indptr, indices, rng.standard_normal(int(indptr[-1])), rng.standard_normal(cols)


def _ragged(rng, groups: int, n: int):
    lengths = rng.integers(0, 6, groups)
    starts = (np.cumsum(lengths) - lengths).astype(np.int64)
    members = rng.integers(-n, n, int(lengths.sum()))  # negative members read from the end, as NumPy does
    return starts, lengths, members, rng.standard_normal(int(lengths.sum())), rng.standard_normal(n)


def test_the_generated_code(modules):
    """Close mode calls the fused helpers; exact mode keeps the original (a float product is BLAS's, whose bits
    compiled code does not reproduce)."""
    assert "_polyray_h_gather_dot_np(" in cpu_body(modules["close"], "csr_row_sums")
    assert "_polyray_h_gather_dot(" in cpu_body(modules["close"], "ragged_scores")
    for name in ("csr_row_sums", "ragged_scores"):
        assert "_polyray_h_take(" not in cpu_body(modules["close"], name), name
        assert not hasattr(modules["exact"], f"_polyray_cpu_{name}"), name


def _row_bound(indptr, indices, data, v):
    """A product's bound for each row's dot."""
    return np.array([product_tolerance(data[a:b], v[indices[a:b].astype(np.int64)]) if b > a else 0.0
                     for a, b in zip(indptr[:-1].astype(np.int64), indptr[1:].astype(np.int64))])


@pytest.mark.parametrize("rows", [0, 1, 9, 200])
def test_against_the_original(modules, rows):
    rng = np.random.default_rng(rows)
    args = _csr(rng, rows, 37)
    got, want = modules["close"].csr_row_sums(*args), modules["close"]._polyray_original_csr_row_sums(*args)
    assert within(got, want, _row_bound(*args)), np.max(np.abs(got - want)) if rows else got
    groups = _ragged(rng, rows, 23)
    got, want = modules["close"].ragged_scores(*groups), modules["close"]._polyray_original_ragged_scores(*groups)
    starts, lengths, members, weights, score = groups
    bound = np.array([product_tolerance(score[members[s:s + k]], weights[s:s + k]) if k else 0.0 for s, k in zip(starts, lengths)])
    assert within(got, want, bound), (rows, got, want)
    import polyray.runtime as rt
    modules["close"].ragged_scores(*groups)
    assert rt.history()[-1]["variant"] == "cpu", rt.history()[-1:]


def test_bad_inputs_raise_as_numpy_does(modules):
    """An index past x: IndexError. Slices of different lengths (members longer than weights): ValueError, unless
    an index is also out of range (NumPy gathers first: IndexError). The variant's messages are its own."""
    rng = np.random.default_rng(3)
    for mode, mod in [("close", modules["close"])]:
        indptr, indices, data, v = _csr(rng, 20, 10)
        indices[-1] = 10
        ran = run_both(mod, "csr_row_sums", indptr, indices, data, v, messages=False)
        assert ran.status == "IndexError", (mode, ran)
        starts, lengths, members, weights, score = _ragged(rng, 6, 8)
        lengths[:] = 2
        starts = np.arange(6, dtype=np.int64) * 2
        members = rng.integers(0, 8, 12)
        ran = run_both(mod, "ragged_scores", starts, lengths, members, weights[:11] if weights.shape[0] >= 11 else np.ones(11), score, messages=False)
        assert ran.status == "ValueError", (mode, ran)
        members[-1] = 99
        ran = run_both(mod, "ragged_scores", starts, lengths, members, np.ones(11), score, messages=False)
        assert ran.status == "IndexError", (mode, ran)
