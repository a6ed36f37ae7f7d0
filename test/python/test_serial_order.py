"""The serial form of a parallel CPU variant whose parallel order strip-mines a loop
(its tiles in parallel, its points innermost): it runs that loop innermost whole
(poly/locality.ts serialLocalitySchedule), so one thread, which runs only the
serial form, walks contiguous rows instead of columns (doitgen). Results equal the
original's bit for bit in both forms and both numerics modes (close mode's doitgen form: its products through
BLAS per plane, within the product bound); bad inputs go to the original (its exception, its writes)."""
from __future__ import annotations

import re
from pathlib import Path

import numpy as np
import pytest

from compiled import compile_and_import, run_both
from polyray.runtime.close_bounds import product_loop_bound, within

ROOT = Path(__file__).resolve().parents[2]
SOURCE = ROOT / "test/kernels/extra/serial_order.py"


@pytest.fixture(scope="module", params=["exact", "close"])
def mod(request, tmp_path_factory):
    d = tmp_path_factory.mktemp(f"serial_order_{request.param}")
    m = compile_and_import(SOURCE, d, f"serial_order_{request.param}", "--targets", "cpu", "--numerics", request.param)
    m.MODE = request.param
    return m


def serial_text(mod, name: str) -> str:
    text = Path(mod.__file__).read_text()
    return text.split(f"def _polyray_seq_{name}")[1].split("\ndef ")[0]


def innermost_update(text: str) -> tuple[str, str]:
    """The last `+=` line and the `for` line right above it."""
    lines = text.splitlines()
    k = max(i for i, line in enumerate(lines) if "+=" in line)
    loop = next(line for line in reversed(lines[:k]) if line.strip().startswith("for "))
    return loop, lines[k]


@pytest.mark.parametrize("name,row", [("contract_last_axis", "C4"), ("smooth_rows", "W")])
def test_the_serial_form_runs_the_strip_mined_loop_innermost_whole(mod, name, row):
    parallel = Path(mod.__file__).read_text().split(f"def _polyray_cpu_{name}")[1].split("\ndef ")[0]
    if name == "smooth_rows":
        assert "// 32" in parallel, parallel  # the parallel form keeps tiles of 32 in parallel
    elif mod.MODE == "close":
        # close mode: the products through BLAS per plane before the nest (poly/product-loops.ts, a stack), the
        # copies left in the nest serial: one form, no serial order of its own (exact mode's below)
        assert "_polyray_h_blas_dot(A[" in parallel and f"def _polyray_seq_{name}" not in Path(mod.__file__).read_text(), parallel
        return
    else:
        # doitgen's form: its scratch `work` is private to each iteration of r (poly/private-params.ts), so r
        # runs in parallel and nothing is strip-mined; its serial form is the same order
        assert "_polyray_pv_work = work if _polyray_k1 == _polyray_n1 - 1 else _polyray_np.empty_like(work)" in parallel, parallel
        assert "// 32" not in parallel, parallel
    seq = serial_text(mod, name)
    assert "_polyray_prange" not in seq and "32" not in seq, seq
    loop, update = innermost_update(seq)
    it = loop.split()[1]
    # the innermost loop indexes the last dimension of the weights: a contiguous row
    assert re.search(rf"{row}\[\([^]]*\), \({it}\)\]", update), (loop, update)


def forms(mod, name):
    variant = getattr(mod, f"_polyray_dispatch_{name}").variants["cpu"]
    return variant._compile(serial=False), variant._compile(serial=True)


@pytest.mark.parametrize("shape", [(0, 2, 3), (1, 1, 1), (2, 3, 5), (3, 2, 33), (4, 5, 64), (2, 2, 70)])
def test_contract_last_axis_equal_bits_in_both_forms(mod, monkeypatch, shape):
    monkeypatch.setenv("POLYRAY_TARGET", "cpu")
    rng = np.random.default_rng(sum(shape))
    A, C4 = rng.standard_normal(shape), rng.standard_normal((shape[2], shape[2]))
    work = np.full(shape[2], np.nan)
    want_A, want_w = A.copy(), work.copy()
    mod._polyray_original_contract_last_axis(want_A, C4, want_w)
    if mod.MODE == "close":
        # BLAS per plane: every element within the product bound (close_bounds.product_loop_bound), both forms
        bound = product_loop_bound(0.0, 1.0, A, C4, 2)
        for form in forms(mod, "contract_last_axis"):
            got_A, got_w = A.copy(), work.copy()
            form(got_A, C4, got_w)
            assert within(got_A, want_A, bound)
            assert within(got_w, want_w, bound[-1, -1]) if shape[0] and shape[1] else got_w.tobytes() == want_w.tobytes()
        return
    ran = run_both(mod, "contract_last_axis", A, C4, work)
    assert ran.variant == ("cpu" if shape[0] else ran.variant), ran.records
    for form in forms(mod, "contract_last_axis"):
        got_A, got_w = A.copy(), work.copy()
        form(got_A, C4, got_w)
        assert got_A.tobytes() == want_A.tobytes() and got_w.tobytes() == want_w.tobytes()


@pytest.mark.parametrize("n,m", [(1, 3), (2, 1), (5, 31), (4, 33), (9, 70)])
def test_smooth_rows_equal_bits_in_both_forms(mod, monkeypatch, n, m):
    monkeypatch.setenv("POLYRAY_TARGET", "cpu")
    rng = np.random.default_rng(n * 100 + m)
    X, W = rng.standard_normal((n, m)), rng.standard_normal((m, m)) * 0.2
    assert run_both(mod, "smooth_rows", X, W).variant == "cpu"
    want = X.copy()
    mod._polyray_original_smooth_rows(want, W)
    for form in forms(mod, "smooth_rows"):
        got = X.copy()
        form(got, W)
        assert got.tobytes() == want.tobytes()


def test_bad_inputs_run_the_original_with_its_exception_and_writes(mod, monkeypatch):
    monkeypatch.setenv("POLYRAY_TARGET", "cpu")
    rng = np.random.default_rng(3)
    # a buffer shorter than a row: IndexError after the first p of the first row
    ran = run_both(mod, "contract_last_axis", rng.standard_normal((2, 2, 6)), rng.standard_normal((6, 6)), np.zeros(4))
    assert ran.status == "IndexError" and ran.variant == "original", ran
    # weights with too few rows for the inner loop
    ran = run_both(mod, "contract_last_axis", rng.standard_normal((2, 2, 6)), rng.standard_normal((5, 6)), np.zeros(6))
    assert ran.status == "IndexError" and ran.variant == "original", ran
    ran = run_both(mod, "smooth_rows", rng.standard_normal((4, 6)), rng.standard_normal((6, 3)))
    assert ran.status == "IndexError" and ran.variant == "original", ran
