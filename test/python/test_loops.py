"""Loops beyond `for i in range(n)` (test/kernels/numpy_style/loops.py, issue 17): while loops
(convergence, searches, `while True` with break, inside a parallel loop), loops over an
array's elements and rows, enumerate, zip and reversed ranges. Every function compiles; under
POLYRAY_TARGET=cpu and auto, in both numerics modes, the variant gives the original's results
bit for bit (arrays written included), exceptions too, and the run records show the CPU
variant where it ran. Bad inputs (another rank or dtype, rows of another length) run the
original or raise as it does."""
from __future__ import annotations

import numpy as np
import pytest

from compiled import ROOT, compile_and_import
from compiled import run_both as compare

SOURCE = ROOT / "test/kernels/numpy_style/loops.py"
NAMES = ("relax", "halvings", "first_above", "newton_sqrt", "total", "row_peaks", "weighted", "path_length",
         "back_substitute", "adler32", "countdown_fill", "crc16", "bit_votes")


@pytest.fixture(scope="module")
def mod(tmp_path_factory):
    return compile_and_import(SOURCE, tmp_path_factory.mktemp("loops"), "loops_compiled", "--targets", "cpu")


def run_both(mod, name, *args):
    """The dispatcher's call against the original's on copies (Python and NumPy scalars of one kind count as one
    type here; Numba's bounds check words its IndexError its own way); the outcome and the variant that ran."""
    ran = compare(mod, name, *args, kinds=("float", "int"), loose_messages=("IndexError",))
    return ran.status, ran.variant


def test_every_function_has_a_cpu_variant(mod):
    for name in NAMES:
        assert hasattr(mod, f"_polyray_cpu_{name}"), name


@pytest.fixture(params=[("cpu", "exact"), ("cpu", "close"), ("auto", "exact")])
def target(request, monkeypatch):
    monkeypatch.setenv("POLYRAY_TARGET", request.param[0])
    monkeypatch.setenv("POLYRAY_NUMERICS", request.param[1])
    return request.param[0]


def ran_cpu(target, variant):
    return target != "cpu" or variant == "cpu"


@pytest.mark.parametrize("n,tol,sweeps", [(12, 1e-6, 500), (40, 1e-3, 50), (3, 0.0, 5), (2, 1e-9, 10), (9, float("nan"), 10)])
def test_convergence_loop(mod, target, n, tol, sweeps):
    rng = np.random.default_rng(n)
    status, variant = run_both(mod, "relax", rng.standard_normal(n), rng.standard_normal(n) * 0.1, tol, sweeps)
    assert status == "ok" and ran_cpu(target, variant)


@pytest.mark.parametrize("x,floor", [(1000.0, 1.0), (0.5, 1.0), (3.0, 0.0), (1e300, 1e-300), (float("-inf"), 2.0)])
def test_while_true_with_break(mod, target, x, floor):
    status, variant = run_both(mod, "halvings", x, floor)
    assert status == "ok" and ran_cpu(target, variant)


@pytest.mark.parametrize("level", [-10.0, 0.0, 0.5, 10.0, float("nan")])
def test_search_stops_at_the_first_hit_or_the_end(mod, target, level):
    x = np.sort(np.random.default_rng(3).standard_normal(25))
    status, variant = run_both(mod, "first_above", x, level)
    assert status == "ok" and ran_cpu(target, variant)
    assert run_both(mod, "first_above", np.zeros(0), level)[0] == "ok"


@pytest.mark.parametrize("n", [0, 1, 7, 300])
def test_while_inside_a_parallel_loop(mod, target, n):
    a = np.abs(np.random.default_rng(n).standard_normal(n)) * 100.0
    if n > 1:
        a[0] = 0.0  # converges to its floor within 60 steps; tol * 0 never holds
    status, variant = run_both(mod, "newton_sqrt", a, np.zeros(n), 1e-12)
    assert status == "ok" and ran_cpu(target, variant)


@pytest.mark.parametrize("n", [0, 1, 5, 64])
def test_loops_over_elements_rows_and_pairs(mod, target, n):
    rng = np.random.default_rng(n + 1)
    x, w = rng.standard_normal(n), rng.standard_normal(n)
    for name, args in [("total", (x,)), ("weighted", (x, w)), ("weighted", (x, w[: n // 2])), ("countdown_fill", (np.zeros(n),))]:
        status, variant = run_both(mod, name, *args)
        assert status == "ok" and ran_cpu(target, variant), name


@pytest.mark.parametrize("shape", [(4, 3), (1, 5), (6, 1)])
def test_rows_enumerated(mod, target, shape):
    status, variant = run_both(mod, "row_peaks", np.random.default_rng(4).standard_normal(shape), np.zeros(shape[0]))
    assert status == "ok" and ran_cpu(target, variant)


def test_an_empty_row_raises_indexerror_as_in_python(mod, target):
    assert run_both(mod, "row_peaks", np.zeros((3, 0)), np.zeros(3))[0] == "IndexError"


@pytest.mark.parametrize("shape,status", [((6, 2), "ok"), ((1, 2), "ok"), ((4, 3), "ValueError"), ((3, 1), "ValueError")])
def test_rows_unpacked_from_enumerate_with_start(mod, target, shape, status):
    got, variant = run_both(mod, "path_length", np.random.default_rng(5).standard_normal(shape))
    assert got == status and ran_cpu(target, variant)


@pytest.mark.parametrize("n", [0, 1, 4, 30])
def test_backward_sweep(mod, target, n):
    rng = np.random.default_rng(n)
    U = np.triu(rng.standard_normal((n, n))) + 4.0 * np.eye(n)
    status, variant = run_both(mod, "back_substitute", U, rng.standard_normal(n))
    assert status == "ok" and ran_cpu(target, variant)
    if n:
        U[n - 1, n - 1] = 0.0  # NumPy scalars divide to inf with a warning, as compiled code does
        with np.errstate(divide="ignore", invalid="ignore"):
            assert run_both(mod, "back_substitute", U, np.ones(n))[0] == "ok"


@pytest.mark.parametrize("n", [0, 1, 1000])
def test_integer_loop_over_data(mod, target, n):
    data = np.random.default_rng(n).integers(0, 256, n)
    status, variant = run_both(mod, "adler32", data)
    assert status == "ok" and ran_cpu(target, variant)


@pytest.mark.parametrize("n,poly", [(0, 0x8408), (1, 0x8408), (1600, 0x8408), (64, 0x1021), (64, 0), (64, -7), (64, 2**30)])
def test_bit_manipulation_over_bytes(mod, target, n, poly):
    """Masked Python ints meet uint8 elements: every value fits, so NumPy cannot raise OverflowError."""
    data = np.random.default_rng(n).integers(0, 256, n, dtype=np.uint8)
    status, variant = run_both(mod, "crc16", data, poly)
    assert status == "ok" and ran_cpu(target, variant)
    assert mod.crc16(data, poly) == mod._polyray_original_crc16(data, poly) and type(mod.crc16(data, poly)) is int


def test_conditions_on_bits_of_narrow_elements(mod, target):
    """Casts dropped from conditions (types/tested-casts.ts) change no result: every int8 and uint16 value."""
    a = np.arange(-128, 128, dtype=np.int8).repeat(3)
    b = np.concatenate([np.arange(0, 65536, 257), [0, 1, 0x8000, 0xFFFF, 0x00F0, 0x0F00, 0xF000, 3, 0x41, 0x7FFF]]).astype(np.uint16)
    b = np.resize(b, a.size)
    status, variant = run_both(mod, "bit_votes", a, b)
    assert status == "ok" and ran_cpu(target, variant)
    assert mod.bit_votes(a, b) == mod._polyray_original_bit_votes(a, b)


def test_bad_inputs_run_the_original(mod, target):
    """Another rank or dtype than the variant was compiled for: the guard refuses, the original runs (and raises as it does)."""
    assert run_both(mod, "total", np.ones((2, 2)))[1] == "original"
    assert run_both(mod, "first_above", np.ones((2, 2)), 0.5)[0] in ("ok", "ValueError")
    assert run_both(mod, "weighted", np.ones(3, dtype=np.float32), np.ones(3))[1] == "original"
    assert run_both(mod, "row_peaks", np.ones(4), np.zeros(4))[0] == "IndexError"


def test_gpu_variants_under_the_simulator():
    """A while loop (and divmod) inside a kernel's parallel loop (Numba's CUDA simulator, a fresh process)."""
    import json
    import os
    import subprocess
    import sys

    env = dict(os.environ, NUMBA_ENABLE_CUDASIM="1")
    proc = subprocess.run([sys.executable, str(ROOT / "test/python/gpu_sim_loops.py")], env=env, capture_output=True, text=True, timeout=600)
    assert proc.returncode == 0, proc.stderr[-4000:]
    results = [json.loads(line) for line in proc.stdout.splitlines() if line.startswith("{")]
    assert len(results) == 5, proc.stdout
    for r in results:
        assert r["has_gpu"] and r["variant"] == "gpu" and r["equal"], r


def test_the_fuzzer_generates_every_loop_form():
    """test/fuzz/generate.py writes loops over arrays, enumerate, zip, reversed ranges and while
    loops (its runs compare them against the original, both numerics modes)."""
    import sys

    sys.path.insert(0, str(ROOT / "test/fuzz"))
    import generate  # noqa: E402

    seen: dict[str, int] = {}
    for k in range(800):
        program = generate.generate(906 * 1_000_000 + k)
        compile(program.source, "fuzz", "exec")
        for fn in program.functions:
            for f in fn.features:
                if f.startswith("loop_"):
                    seen[f] = seen.get(f, 0) + 1
    assert set(seen) == {"loop_array", "loop_enumerate", "loop_zip", "loop_reversed", "loop_while"}, seen
