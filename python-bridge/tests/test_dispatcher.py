"""The dispatcher of a module that follows the generated-code contract, with real Numba."""

from __future__ import annotations

import importlib.util
import shutil
import sys
import time
import uuid
from pathlib import Path
from types import ModuleType
from typing import Any

import numpy as np
import pytest

import polyray.runtime as rt

SAMPLE = Path(__file__).with_name("generated_sample.py.txt")


def load_sample(directory: Path) -> ModuleType:
    """Import the sample module from a real file (so numba's cache=True has one)."""
    name = f"polyray_sample_{uuid.uuid4().hex[:8]}"
    path = directory / f"{name}.py"
    shutil.copyfile(SAMPLE, path)
    spec = importlib.util.spec_from_file_location(name, path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="session")
def gen(tmp_path_factory: pytest.TempPathFactory) -> ModuleType:
    return load_sample(tmp_path_factory.mktemp("generated"))


def last() -> dict[str, Any]:
    records = rt.history()
    assert records, "no run record"
    return records[-1]


def test_cpu_variant_runs_for_good_arguments(gen: ModuleType) -> None:
    rng = np.random.default_rng(0)
    A, B = rng.random((4, 3)), rng.random((3, 5))
    C = rng.random((4, 5))
    expected = 0.5 * C + A @ B
    assert gen.gemm(0.5, C, A, B) is None
    np.testing.assert_allclose(C, expected)
    rec = last()
    assert rec["function"] == "gemm"
    assert rec["variant"] == "cpu"
    assert rec["nodes"] == []
    assert rec["target"] == "auto"
    assert rec["reason"] == "auto: cpu variant"
    assert isinstance(rec["seconds"], float) and rec["seconds"] >= 0.0
    assert "error" not in rec
    # dtype=None accepts any numeric dtype for A and B
    C2 = np.zeros((4, 5))
    gen.gemm(0.0, C2, A.astype(np.float32), B.astype(np.int64))
    assert last()["variant"] == "cpu"
    # np.float64 is a float
    gen.gemm(np.float64(1.0), C2, A, B)
    assert last()["variant"] == "cpu"


def test_parallel_prange_variant(gen: ModuleType) -> None:
    src = np.arange(1000.0)
    dst = np.zeros(1000)
    gen.shift(dst, src)
    np.testing.assert_array_equal(dst, src + 1.0)
    assert last()["variant"] == "cpu"


def test_list_instead_of_array_runs_original(gen: ModuleType) -> None:
    assert gen.head([1.0, 2.0, 3.0], 2) == 3.0
    rec = last()
    assert rec["variant"] == "original"
    assert "argument 'A' of head" in rec["reason"]
    assert "list" in rec["reason"] and "float64 ndarray" in rec["reason"]


def test_float32_where_float64_required_runs_original(gen: ModuleType) -> None:
    C = np.zeros(3, dtype=np.float32)
    gen.fill(C, 3)
    np.testing.assert_array_equal(C, [0.0, 2.0, 4.0])
    rec = last()
    assert rec["variant"] == "original"
    assert "argument 'C' of fill" in rec["reason"]
    assert "float64" in rec["reason"] and "float32" in rec["reason"]


def test_int_where_float_hinted_runs_original(gen: ModuleType) -> None:
    A, B, C = np.ones((2, 2)), np.ones((2, 2)), np.ones((2, 2))
    gen.gemm(1, C, A, B)
    rec = last()
    assert rec["variant"] == "original"
    assert "argument 'alpha' of gemm: expected float, got int 1" in rec["reason"]
    for bad in (np.float32(1.0), True, np.int64(1)):
        gen.gemm(bad, C, A, B)
        assert last()["variant"] == "original", bad


def test_wrong_ndim_runs_original(gen: ModuleType) -> None:
    C = np.zeros((2, 2))
    gen.fill(C, 2)
    np.testing.assert_array_equal(C, [[0.0, 0.0], [2.0, 2.0]])
    rec = last()
    assert rec["variant"] == "original"
    assert "ndim 1" in rec["reason"] and "ndim 2" in rec["reason"]


def test_read_only_written_array_runs_original(gen: ModuleType) -> None:
    C = np.zeros(3)
    C.flags.writeable = False
    with pytest.raises(ValueError, match="read-only"):
        gen.fill(C, 3)
    rec = last()
    assert rec["variant"] == "original"
    assert rec["error"] == "ValueError"
    assert "read-only" in rec["reason"] and "'C'" in rec["reason"]


def test_read_only_array_that_is_only_read_is_fine(gen: ModuleType) -> None:
    A = np.arange(4.0)
    A.flags.writeable = False
    assert gen.head(A, 4) == 6.0
    assert last()["variant"] == "cpu"


def test_overlapping_views_run_original(gen: ModuleType) -> None:
    A = np.arange(6.0)
    expected = A.copy()
    for i in range(5):  # the original's sequential semantics
        expected[1 + i] = expected[i] + 1.0
    gen.shift(A[1:], A[:-1])
    np.testing.assert_array_equal(A, expected)
    rec = last()
    assert rec["variant"] == "original"
    assert "argument 'dst' of shift is written and shares memory with argument 'src'" in rec["reason"]


def test_same_array_twice_runs_original(gen: ModuleType) -> None:
    A = np.arange(3.0)
    gen.shift(A, A)
    np.testing.assert_array_equal(A, [1.0, 2.0, 3.0])
    rec = last()
    assert rec["variant"] == "original"
    assert "(the same array)" in rec["reason"]


def test_int_guard(gen: ModuleType) -> None:
    assert gen.twice(2**31 - 1) == 2**32 - 2
    assert last()["variant"] == "cpu"
    assert gen.twice(np.int64(-5)) == -10
    assert last()["variant"] == "cpu"
    for huge in (2**31, -(2**31), 2**70, np.int64(2**40)):
        assert gen.twice(huge) == huge * 2
        rec = last()
        assert rec["variant"] == "original", huge
        assert "argument 'x' of twice: expected int with |x| < 2**31" in rec["reason"]
    assert gen.twice(2**70) == 2**71  # exact, as only Python ints are
    for not_int in (True, np.bool_(True), 2.0):
        gen.twice(not_int)
        assert last()["variant"] == "original", not_int


@pytest.mark.parametrize(
    ("target", "variant", "reason"),
    [
        ("original", "original", "POLYRAY_TARGET=original"),
        ("cpu", "cpu", "POLYRAY_TARGET=cpu"),
        ("auto", "cpu", "auto: cpu variant"),
        ("gpu", "cpu", "gpu variant not available: twice has no gpu variant; using cpu"),
        ("ray", "cpu", "ray variant not available: twice has no ray variant; using cpu"),
        ("bogus", "cpu", "unknown POLYRAY_TARGET 'bogus'"),
    ],
)
def test_polyray_target(gen: ModuleType, monkeypatch: pytest.MonkeyPatch, target: str, variant: str, reason: str) -> None:
    monkeypatch.setenv("POLYRAY_TARGET", target)
    assert gen.twice(21) == 42
    rec = last()
    assert rec["variant"] == variant
    assert rec["target"] == target
    assert reason in rec["reason"]


def test_target_is_read_on_each_call(gen: ModuleType, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("POLYRAY_TARGET", "original")
    gen.twice(1)
    monkeypatch.setenv("POLYRAY_TARGET", "cpu")
    gen.twice(1)
    assert [r["variant"] for r in rt.history()] == ["original", "cpu"]


def test_guard_failure_reason_names_requested_variant(gen: ModuleType, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("POLYRAY_TARGET", "gpu")
    gen.twice(2**40)
    rec = last()
    assert rec["variant"] == "original"
    assert "argument 'x' of twice" in rec["reason"]
    assert "gpu variant not available" in rec["reason"]


def test_out_of_bounds_raises_index_error_with_same_partial_writes(gen: ModuleType, monkeypatch: pytest.MonkeyPatch) -> None:
    C_cpu = np.full(5, -1.0)
    with pytest.raises(IndexError):
        gen.fill(C_cpu, 8)
    rec = last()
    assert rec["variant"] == "cpu"
    assert rec["error"] == "IndexError"
    monkeypatch.setenv("POLYRAY_TARGET", "original")
    C_orig = np.full(5, -1.0)
    with pytest.raises(IndexError):
        gen.fill(C_orig, 8)
    assert last()["variant"] == "original"
    assert last()["error"] == "IndexError"
    np.testing.assert_array_equal(C_cpu, C_orig)
    np.testing.assert_array_equal(C_cpu, [0.0, 2.0, 4.0, 6.0, 8.0])


def test_negative_index_wraps_like_python(gen: ModuleType) -> None:
    A = np.arange(5.0) * 10
    assert gen.at(A, -1) == 40.0
    assert last()["variant"] == "cpu"
    assert gen.at(A, -5) == 0.0
    assert last()["variant"] == "cpu"
    with pytest.raises(IndexError):
        gen.at(A, -6)
    assert last()["variant"] == "cpu" and last()["error"] == "IndexError"
    with pytest.raises(IndexError):
        gen.at(A, 5)


def test_zero_division_from_python_float_division(gen: ModuleType, monkeypatch: pytest.MonkeyPatch) -> None:
    C_cpu = np.full(6, -1.0)
    with pytest.raises(ZeroDivisionError, match="^float division by zero$"):
        gen.ratios(C_cpu, 1.0, 3.0)
    assert last()["variant"] == "cpu" and last()["error"] == "ZeroDivisionError"
    monkeypatch.setenv("POLYRAY_TARGET", "original")
    C_orig = np.full(6, -1.0)
    with pytest.raises(ZeroDivisionError, match="^float division by zero$"):
        gen.ratios(C_orig, 1.0, 3.0)
    np.testing.assert_array_equal(C_cpu, C_orig)
    monkeypatch.setenv("POLYRAY_TARGET", "cpu")
    C = np.zeros(3)
    gen.ratios(C, 1.0, 3.5)
    np.testing.assert_array_equal(C, [1.0 / 3.5, 1.0 / 2.5, 1.0 / 1.5])
    assert last()["variant"] == "cpu" and "error" not in last()


def test_numba_typing_failure_runs_original_and_is_remembered(gen: ModuleType) -> None:
    A = np.arange(4.0)
    assert gen.listed(A) == 6.0
    rec = last()
    assert rec["variant"] == "original"
    assert "numba could not compile _polyray_cpu_listed" in rec["reason"]
    assert "auto: cpu variant" in rec["reason"]
    assert "\n" not in rec["reason"]
    variant = gen._polyray_dispatch_listed.variants["cpu"]
    assert len(variant._failed) == 1
    start = time.perf_counter()
    assert gen.listed(A) == 6.0
    assert time.perf_counter() - start < 0.05  # no second compile attempt
    assert last()["variant"] == "original"
    assert last()["reason"] == rec["reason"]


def test_generated_guard_reason(gen: ModuleType) -> None:
    A = np.arange(5.0)
    assert gen.head(A, 3) == 3.0
    assert last()["variant"] == "cpu"
    with pytest.raises(IndexError):
        gen.head(A, 10)
    rec = last()
    assert rec["variant"] == "original"
    assert rec["error"] == "IndexError"
    assert "guard of head: n exceeds A.shape[0]" in rec["reason"]


def test_wrong_argument_count_runs_original(gen: ModuleType) -> None:
    with pytest.raises(TypeError):
        gen._polyray_dispatch_twice(1, 2)
    rec = last()
    assert rec["variant"] == "original"
    assert "twice expects 1 positional arguments (x), got 2" in rec["reason"]


def test_history_records_are_copies(gen: ModuleType) -> None:
    gen.twice(1)
    first = rt.history()
    first[0]["variant"] = "changed"
    first[0]["nodes"].append("node")
    again = rt.history()
    assert again[0]["variant"] == "cpu"
    assert again[0]["nodes"] == []
    rt.clear_history()
    assert rt.history() == []


def test_history_cap(gen: ModuleType, monkeypatch: pytest.MonkeyPatch) -> None:
    assert rt.MAX_RECORDS == 100_000
    gen.at(np.zeros(1), 0)
    monkeypatch.setenv("POLYRAY_TARGET", "original")
    twice = gen.twice
    for i in range(rt.MAX_RECORDS + 10):
        twice(i)
    records = rt.history()
    assert len(records) == rt.MAX_RECORDS
    assert all(r["function"] == "twice" for r in records)  # the oldest ("at") was dropped


def test_dispatch_overhead_is_small(gen: ModuleType) -> None:
    C, A, B = np.zeros((2, 2)), np.ones((2, 2)), np.ones((2, 2))
    gen.gemm(1.0, C, A, B)  # compiled already or now
    n = 2000
    start = time.perf_counter()
    for _ in range(n):
        gen.gemm(1.0, C, A, B)
    per_call = (time.perf_counter() - start) / n
    assert per_call < 50e-6, f"{per_call * 1e6:.1f} us per call"


def test_module_without_a_file_compiles_uncached() -> None:
    # e.g. code exec'd in a notebook kernel: numba cannot cache, the variant still runs
    module = ModuleType("polyray_cell_module")
    exec(compile(SAMPLE.read_text(), "<cell>", "exec"), module.__dict__)  # noqa: S102
    assert module.twice(4) == 8
    assert last()["variant"] == "cpu"
    assert module._polyray_dispatch_twice.variants["cpu"].cached is False
