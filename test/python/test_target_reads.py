"""NumPy statements that read their target at other elements (poly/lower-slices.ts snapshots): the element loops
read copies of those parts, taken before the loops, so every result is NumPy's (which evaluates the whole right
side before it stores), bit for bit in both modes: int32 sums and products wrap around as NumPy's, NaN and inf
pass through np.minimum as in NumPy, and sizes the guard refuses run the original."""
from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from compiled import compile_both_modes, cpu_body, run_both

SOURCE = Path(__file__).resolve().parents[2] / "test/kernels/extra/target_reads.py"
I32 = np.iinfo(np.int32)


@pytest.fixture(scope="module")
def both(tmp_path_factory):
    return compile_both_modes(SOURCE, tmp_path_factory.mktemp("target_reads"), "target_reads")


def npbench_path(n, m=None):
    """NPBench's floyd_warshall input: small weights, 999 where there is no edge."""
    i, j = np.indices((n, m or n))
    path = (i * j % 7 + 1).astype(np.int32)
    path[((i + j) % 13 == 0) | ((i + j) % 7 == 0) | ((i + j) % 11 == 0)] = 999
    return path


def test_parts_read_elsewhere_are_copied_before_the_loops(both):
    for mode in ("exact", "close"):
        mod, report = both[mode]
        body = cpu_body(mod, "floyd_warshall")
        # row k and column k copied once per k, before the element loops; each element reads its own position
        assert "_polyray_snap0 = path[:, k].copy()\n" in body and "_polyray_snap1 = path[k, :].copy()\n" in body
        assert body.index(".copy()") < body.index("_polyray_prange(")
        assert ("path[_polyray_e0, _polyray_e1] = np.minimum(path[_polyray_e0, _polyray_e1], "
                "_polyray_np.int32((_polyray_snap0[_polyray_e0]) + (_polyray_snap1[_polyray_e1])))") in body
        assert "_polyray_snap0 = a.T.copy()" in cpu_body(mod, "symmetrize")
        assert "u[1 + _polyray_e0] = (_polyray_snap0[_polyray_e0] + _polyray_snap1[_polyray_e0]) * 0.5" in cpu_body(mod, "smooth")
        assert "x[1 + _polyray_e0] += _polyray_snap0[_polyray_e0]" in cpu_body(mod, "shift_right")
        assert "_polyray_snap" not in cpu_body(mod, "rows_from_above") and "a[i - 1, _polyray_e0] * 0.5" in cpu_body(mod, "rows_from_above")
        notes = "\n".join(report["floyd_warshall"]["transformations"])
        assert "reads its target at other elements" in notes
        # the copies are the host's: no GPU variant
        assert "gpu" not in report["floyd_warshall"]["variants"]
        # a scalar element of the target stays NumPy's statement as written
        assert "_polyray_snap" not in cpu_body(mod, "scalar_of_target") and "x[:, :] = x - x[0, 0]" in cpu_body(mod, "scalar_of_target")


@pytest.mark.parametrize("mode", ["exact", "close"])
def test_floyd_warshall_as_numpy(both, mode):
    mod = both[mode][0]
    for n, m in [(1, 1), (2, 2), (7, 7), (13, 13), (5, 9)]:
        assert run_both(mod, "floyd_warshall", npbench_path(n, m)).variant == "cpu", (n, m)
    run_both(mod, "floyd_warshall", npbench_path(0, 0))
    # more rows than columns: path[:, k] is out of bounds, the guard leaves it to the original, which raises
    assert run_both(mod, "floyd_warshall", npbench_path(9, 5)).status == "IndexError"
    # negative weights and sums past int32's range wrap around as NumPy's int32 does
    rng = np.random.default_rng(7)
    path = rng.integers(I32.min, I32.max, (6, 6), dtype=np.int64).astype(np.int32)
    path[0, 1] = I32.max
    path[1, 2] = I32.max
    assert run_both(mod, "floyd_warshall", path).variant == "cpu"
    # a view with strides of its own
    big = npbench_path(10)
    assert run_both(mod, "floyd_warshall", big[::2, ::2]).status == "ok"


@pytest.mark.parametrize("mode", ["exact", "close"])
def test_other_reads_elsewhere_as_numpy(both, mode):
    mod = both[mode][0]
    rng = np.random.default_rng(3)
    dist = rng.standard_normal((5, 4)) * 4
    dist[1, 0] = np.nan
    dist[3, 2] = np.inf
    dist[0, 3] = -np.inf
    for k in (0, 2, 3):
        assert run_both(mod, "relax", dist, k).variant == "cpu"
    # k out of bounds: the original raises
    assert run_both(mod, "relax", dist, 4).status == "IndexError"
    assert run_both(mod, "shortest_paths", dist).status == "ok"
    for n in (0, 1, 2, 3, 10):
        run_both(mod, "smooth", rng.standard_normal(n), 3)
        run_both(mod, "shift_right", rng.integers(-(2**62), 2**62, n))
    assert run_both(mod, "smooth", rng.standard_normal(9), 4).variant == "cpu"
    assert run_both(mod, "shift_right", rng.integers(-(2**62), 2**62, 9)).variant == "cpu"
    square = rng.standard_normal((6, 6))
    assert run_both(mod, "symmetrize", square).variant == "cpu"
    # a non-square array: NumPy raises (shapes do not broadcast), and so does the original the guard leaves it to
    assert run_both(mod, "symmetrize", rng.standard_normal((3, 4))).status == "ValueError"
    assert run_both(mod, "minus_first_row", rng.standard_normal((4, 5))).variant == "cpu"
    run_both(mod, "minus_first_row", rng.standard_normal((0, 5)))
    x = rng.integers(I32.min, I32.max, (4, 3), dtype=np.int64).astype(np.int32)
    y = rng.integers(I32.min, I32.max, 4, dtype=np.int64).astype(np.int32)
    assert run_both(mod, "wrapped", x, y).variant == "cpu"
    # y's length differs from x's rows: NumPy's broadcasting error, from the original
    assert run_both(mod, "wrapped", x, y[:3]).status == "ValueError"
    run_both(mod, "scalar_of_target", rng.standard_normal((3, 3)))
    # a row read apart from the row written needs no copy
    assert run_both(mod, "rows_from_above", rng.standard_normal((5, 4))).variant == "cpu"
    run_both(mod, "rows_from_above", rng.standard_normal((1, 4)))
    run_both(mod, "rows_from_above", rng.standard_normal((0, 4)))


def test_a_serial_form_reads_ahead_without_a_copy(both, monkeypatch):
    """NPBench's seidel_2d: `A[i, 1:-1] += ... A[i, 2:] ...` reads elements its ascending element loop writes only
    later: the parallel form copies them (its threads may run any part first), the serial form reads A itself
    (a copy per row was 0.16 of its 0.78 ms); a part behind the write is copied in both. Both forms give NumPy's
    bits, at sizes either side of the serial threshold."""
    from pathlib import Path as _Path

    for mode in ("exact", "close"):
        mod, _ = both[mode]
        cpu = cpu_body(mod, "rows_ahead")
        seq = _Path(mod.__file__).read_text().split("def _polyray_seq_rows_ahead")[1].split("_polyray_dispatch_")[0]
        assert "_polyray_snap0 = A[i, 2:].copy()" in cpu and "_polyray_snap1 = A[i, :-2].copy()" in cpu, cpu
        assert "A[i, 2:].copy()" not in seq and "A[i, :-2].copy()" in seq, seq
        assert "A[i, 2 + _polyray_e0]" in seq and "_polyray_snap1[_polyray_e0]" in seq, seq
        assert "serial=_polyray_seq_rows_ahead" in _Path(mod.__file__).read_text()
        rng = np.random.default_rng(5)
        for form in ("serial", "parallel"):
            monkeypatch.setenv("POLYRAY_CPU_FORM", form)
            for shape in ((3, 3), (6, 9), (40, 300)):
                assert run_both(mod, "rows_ahead", rng.standard_normal(shape)).variant == "cpu", (mode, form, shape)
            run_both(mod, "rows_ahead", rng.standard_normal((2, 5)))
            run_both(mod, "rows_ahead", rng.standard_normal((5, 1)))
