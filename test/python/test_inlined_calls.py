"""Expression helpers called inside loops are inlined (issue 17, src/compiler/parse/inline-calls.ts): the
loop around `y[i] = sigmoid(x[i])` is then modelled like any other and runs as prange, speculatively where
an inlined math call may raise. Compiled once per numerics mode; every call is checked against the original
(bits in exact mode, the close-mode bounds otherwise; exceptions and the writes before them in both), and the
report says what was inlined and what kept its call."""
from __future__ import annotations

import json
import textwrap

import numpy as np
import pytest

import polyray.runtime as rt

from compiled import check_cpu, compile_and_import, cpu_target, run_both  # noqa: F401 (cpu_target: autouse)

F1 = "np.ndarray[tuple[int], np.dtype[np.float64]]"
F2 = "np.ndarray[tuple[int, int], np.dtype[np.float64]]"
I1 = "np.ndarray[tuple[int], np.dtype[np.int64]]"
I32 = "np.ndarray[tuple[int, int], np.dtype[np.int32]]"

SOURCE = textwrap.dedent(f"""\
    import math

    import numpy as np


    def kernel(r):
        return math.exp(-r * r)


    def sigmoid(z):
        return 1.0 / (1.0 + math.exp(-z))


    def clamp(x, lo, hi):
        return min(max(x, lo), hi)


    def relu(x):
        return x if x > 0.0 else 0.0


    def gauss(x, s=2.0):
        z = x / s
        return math.exp(-0.5 * z * z)


    def safe_log(v):
        return math.log(v)


    def pick(a, k):
        return a[k]


    def swapped(p, q):
        return q - p


    def sign(x):
        if x > 0.0:
            return 1.0
        elif x < 0.0:
            return -1.0
        return 0.0


    def match(b1, b2):
        if b1 + b2 == 3:
            return 1
        else:
            return 0


    def signs(x: {F1}, y: {F1}):
        for i in range(x.shape[0]):
            y[i] = sign(x[i]) * 2.0


    def pairing(seq: {I1}, table: {I32}):
        n = seq.shape[0]
        for i in range(n - 1, -1, -1):
            for j in range(i + 1, n):
                table[i, j] = max(table[i, j], table[i + 1, j - 1] + match(seq[i], seq[j]))


    def dot(p, q):
        s = 0.0
        for k in range(p.shape[0]):
            s += p[k] * q[k]
        return s


    def rbf(D: {F2}, K: {F2}):
        for i in range(D.shape[0]):
            for j in range(D.shape[1]):
                K[i, j] = kernel(D[i, j])


    def act(x: {F1}, y: {F1}):
        for i in range(x.shape[0]):
            y[i] = relu(x[i]) + clamp(x[i], -1.0, 1.0) * 0.5


    def smooth(x: {F1}, y: {F1}, s: float):
        for i in range(x.shape[0]):
            y[i] = gauss(x[i], s) + gauss(x[i])


    def logs(x: {F1}, y: {F1}):
        for i in range(x.shape[0]):
            y[i] = safe_log(x[i])


    def probs(x: {F1}, y: {F1}):
        for i in range(x.shape[0]):
            y[i] = sigmoid(x[i])


    def gather(x: {F1}, idx: {I1}, y: {F1}):
        for i in range(y.shape[0]):
            y[i] = pick(x, idx[i]) * 2.0


    def differences(x: {F1}, y: {F1}):
        for i in range(x.shape[0]):
            y[i] = swapped(x[i], math.sqrt(x[i]))


    def gram(X: {F2}, G: {F2}):
        for i in range(X.shape[0]):
            for j in range(X.shape[0]):
                G[i, j] = dot(X[i], X[j])
""")


@pytest.fixture(scope="module", params=["exact", "close"])
def compiled(request, tmp_path_factory):
    folder = tmp_path_factory.mktemp(f"inlined_{request.param}")
    src = folder / "inlined.py"
    src.write_text(SOURCE)
    report = folder / "report.json"
    mod = compile_and_import(src, folder, f"inlined_{request.param}", "--targets", "cpu", "--numerics", request.param,
                             "--report", str(report))
    return mod, {f["name"]: f for f in json.loads(report.read_text())["functions"]}


def test_the_report_says_what_was_inlined_and_the_loops_are_parallel(compiled):
    _, fns = compiled
    for name, helpers in (("rbf", ["kernel"]), ("act", ["relu", "clamp"]), ("smooth", ["gauss"]), ("logs", ["safe_log"]), ("probs", ["sigmoid"]),
                          ("gather", ["pick"]), ("signs", ["sign"]), ("pairing", ["match"])):
        text = "\n".join(fns[name]["transformations"])
        for h in helpers:
            assert f"inlined '{h}'" in text, (name, text)
        assert fns[name]["calls"] == sorted(helpers), name  # compiled into the variant: the decorator's compiled_callees
    assert "runs as prange speculatively" in fns["rbf"]["loops"][0]["reason"]  # math.exp may raise OverflowError
    assert "prange in the CPU variant" in fns["act"]["loops"][0]["reason"]
    assert "speculatively" in fns["logs"]["loops"][0]["reason"]
    # the order of what may raise would change, or the helper has a loop: the call stays, the loop sequential
    assert "kept the call of 'swapped'" in "\n".join(fns["differences"]["transformations"])
    assert "kept the call of 'dot'" in "\n".join(fns["gram"]["transformations"])
    assert fns["gram"]["calls"] == ["dot"]


@pytest.mark.parametrize("n", [0, 1, 7])
def test_results_are_the_originals(compiled, n):
    mod, _ = compiled
    rng = np.random.default_rng(n)
    x = rng.standard_normal(n) * 3.0
    check_cpu(mod, "rbf", rng.standard_normal((n, n + 1)), np.zeros((n, n + 1)))
    check_cpu(mod, "act", x, np.zeros(n))
    check_cpu(mod, "smooth", x, np.zeros(n), 0.7)
    check_cpu(mod, "logs", np.abs(x) + 0.1, np.zeros(n))
    check_cpu(mod, "probs", x, np.zeros(n))
    check_cpu(mod, "gather", x, rng.integers(0, max(n, 1), n) if n else np.zeros(0, np.int64), np.zeros(n))
    check_cpu(mod, "differences", np.abs(x), np.zeros(n))
    check_cpu(mod, "gram", rng.standard_normal((n, 3)), np.zeros((n, n)))
    check_cpu(mod, "signs", np.where(x > 1.0, 0.0, x), np.zeros(n))
    # nussinov's shape: the inlined match's 0 or 1 meets int32 without a range check; the nest is rescheduled
    check_cpu(mod, "pairing", rng.integers(0, 4, n + 40), np.zeros((n + 40, n + 40), np.int32))


def test_exceptions_and_the_writes_before_them_are_the_originals(compiled, monkeypatch):
    mod, _ = compiled
    # math.log of a negative, half-way: the speculative prange's parallel form restores its writes and the original
    # raises; its serial form raises itself, after the same writes (it runs in Python's order)
    x = np.array([2.0, 0.5, 3.0, -1.0, 3.0])
    for form, variant in (("parallel", "original"), ("serial", "cpu")):
        monkeypatch.setenv("POLYRAY_CPU_FORM", form)
        ran = run_both(mod, "logs", x, np.zeros(5))
        assert ran.status == "ValueError" and ran.records[-1]["variant"] == variant, (form, ran.records)
    monkeypatch.delenv("POLYRAY_CPU_FORM")
    # the next call with good data runs the variant again
    check_cpu(mod, "logs", np.abs(x) + 0.5, np.zeros(5))
    # an index from data out of bounds in the inlined a[k]
    assert run_both(mod, "gather", np.ones(3), np.array([0, 2, 5, 1]), np.zeros(4)).status == "IndexError"
    assert run_both(mod, "gather", np.ones(3), np.array([0, -4, 1]), np.zeros(3)).status == "IndexError"
    # a zero scale: x[i] / 0.0 is a NumPy float64 divided by zero (inf, no exception), as in the original
    check_cpu(mod, "smooth", np.array([1.0, 0.0, -2.0]), np.zeros(3), 0.0)
    # math.sqrt of a negative, evaluated before the subtraction as Python does (the call is kept)
    assert run_both(mod, "differences", np.array([1.0, -1.0]), np.zeros(2)).status == "ValueError"
    # math.exp overflows in sigmoid's exp(-z): OverflowError after the same writes
    assert run_both(mod, "probs", np.array([1.0, 2.0, -800.0, 3.0]), np.zeros(4)).status == "OverflowError"
