"""bench/first_call.py's --repeat: the medians of interleaved fresh processes (issue 19)."""
from __future__ import annotations

import importlib.util

import pytest

from compiled import ROOT


def _bench():
    spec = importlib.util.spec_from_file_location("first_call_bench", ROOT / "bench" / "first_call.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_repeat_takes_the_median_of_interleaved_processes():
    bench = _bench()
    order = []
    originals = iter([0.03, 0.40, 0.05])
    polyrays = iter([(0.35, 0.001), (0.04, 0.002), (0.06, 0.0005)])

    def original():
        order.append("original")
        return {"first_s": next(originals), "import_s": 0.0}

    def polyray(whole):
        order.append(f"polyray {'whole' if whole else 'first call'}")
        first, part = next(polyrays)
        return {"first_s": first, "import_s": 0.1, "polyray_part_s": part, "calls": 5 if whole else 1}

    orig, pol = bench.sampled(original, polyray, 3)
    assert order == ["original", "polyray whole", "original", "polyray first call", "original", "polyray first call"]
    assert orig["first_s"] == 0.05 and orig["first_samples"] == [0.03, 0.40, 0.05]
    assert pol["first_s"] == 0.06 and pol["polyray_part_s"] == 0.001 and pol["calls"] == 5  # the whole run's loop
    assert bench.row_for("x", orig, pol)["verdict"] == "ok"  # 0.06 <= 1.1 * 0.05 + 0.1
    # one process each: the samples as they are (no median, no list)
    orig1, pol1 = bench.sampled(lambda: {"first_s": 0.2}, lambda whole: {"first_s": 0.3}, 1)
    assert orig1 == {"first_s": 0.2} and pol1 == {"first_s": 0.3}
    # a failed process is reported, not averaged away
    o, p = bench.sampled(lambda: {"error": "over 300 s"}, lambda whole: {"first_s": 0.3}, 2)
    assert o == {"error": "over 300 s"}


def test_a_run_with_only_keeps_the_rows_it_did_not_measure_under_their_run():
    bench = _bench()
    earlier = ["### npbench (2 of 2 within the limit)", "", "Run: 2026-12-06 10:29 UTC, commit da9c58d.", "",
               "| benchmark | first call | verdict |", "|---|---|---|",
               "| adi | 29.9 ms | ok |", "| stockham_fft | 120.7 ms | slower |"]
    kept = bench.unmeasured(earlier, {"stockham_fft"})
    assert [line for line in kept if line.startswith("| ")] == ["| benchmark | first call | verdict |", "| adi | 29.9 ms | ok |"]
    assert any("Earlier run: 2026-12-06 10:29 UTC, commit da9c58d." in line for line in kept), kept
    assert bench.unmeasured(earlier, {"adi", "stockham_fft"}) == []
    # written again by a later run: the kept table keeps its own run, and a row measured now leaves it
    again = ["### npbench (1 of 1 within the limit)", "", "Run: 2026-12-07 00:01 UTC, commit abc1234.", "",
             "| benchmark | first call | later calls run | verdict |", "|---|---|---|---|",
             "| stockham_fft | 30.1 ms | original (the variant does not beat it) | ok |"] + kept
    twice = bench.unmeasured(again, {"stockham_fft"})
    assert twice == kept, twice
    assert bench.unmeasured(again, {"adi"})[3:] == ["| benchmark | first call | later calls run | verdict |",
                                                    "|---|---|---|---|",
                                                    "| stockham_fft | 30.1 ms | original (the variant does not beat it) | ok |"]


def test_later_calls_say_whether_auto_kept_the_original():
    bench = _bench()
    assert bench.later({}) == "-"
    assert bench.later({"later_variant": "cpu"}) == "cpu"
    kept = {"later_variant": "original", "later_reason": "auto: original kept for size class 2^20 bytes, ..."}
    assert bench.later(kept) == "original (the variant does not beat it)"


def test_chunks_split_the_benchmarks_into_interleaved_parts():
    bench = _bench()
    names = ["a", "b", "c", "d", "e"]
    parts = [bench.selected(names, set(), f"{k}/2") for k in (1, 2)]
    assert parts == [["a", "c", "e"], ["b", "d"]]
    assert bench.selected(names, {"b", "e"}, "") == ["b", "e"]
    assert bench.selected(names, {"b", "d", "e"}, "2/2") == ["d"]
    with pytest.raises(SystemExit):
        bench.selected(names, set(), "3/2")


def test_resume_keeps_the_rows_written_and_a_later_file_wins(tmp_path):
    bench = _bench()
    first, second = tmp_path / "a.json", tmp_path / "b.json"
    bench.save(str(first), {"npbench": [{"name": "adi", "verdict": "ok", "n": 1},
                                        {"name": "crc16", "verdict": "error: over 300 s"}]})
    bench.save(str(second), {"npbench": [{"name": "crc16", "verdict": "ok", "n": 2}],
                             "polybench": [{"name": "lu (jit)", "verdict": "ok"}]})
    assert not list(tmp_path.glob("*.tmp"))
    rows = bench.load_rows([str(first), str(second)])
    assert [(r["name"], r["verdict"]) for r in rows["npbench"]] == [("adi", "ok"), ("crc16", "ok")]
    assert [r["name"] for r in rows["polybench"]] == ["lu (jit)"]


def test_a_row_that_waited_for_the_compile_says_so():
    bench = _bench()
    orig = {"first_s": 0.02, "import_s": 0.0}
    waited = {"first_s": 0.021, "import_s": 0.3, "first_variant_call": 2, "until_variant_s": 5.3, "calls": 4,
              "jit_s": 2.5, "variant_s": 1e-4, "loop": False}
    looped = {**waited, "loop": True, "first_variant_call": 412}
    older = {k: v for k, v in looped.items() if k != "loop"}  # rows of runs before the flag: a user's loop
    lines = bench.markdown([bench.row_for("w", orig, waited), bench.row_for("l", orig, looped),
                            bench.row_for("o", orig, older)], "### x")
    assert "| call 2 (after waiting 5.30 s) |" in lines[-3]
    assert "| call 412 (after 5.30 s) |" in lines[-2] and "| call 412 (after 5.30 s) |" in lines[-1]


def test_later_calls_wait_for_the_background_compile_then_time_the_variant(monkeypatch):
    import time

    import numpy as np

    import polyray
    from polyray.runtime import background

    monkeypatch.delenv("POLYRAY_JIT_WAIT", raising=False)  # the first call runs the original, as a user's does
    bench = _bench()

    @polyray.parallelize
    def first_call_bench_rows(A: np.ndarray, out: np.ndarray) -> None:
        n, m = A.shape
        for i in range(n):
            for j in range(m):
                out[i, j] = 2.0 * A[i, j] + 1.0

    A, out = np.random.default_rng(0).random((40, 30)), np.zeros((40, 30))

    def one_call() -> float:
        t = time.perf_counter()
        first_call_bench_rows(A, out)
        return time.perf_counter() - t

    got = bench.later_calls("first_call_bench_rows", one_call, one_call(), 1000, 300.0, False, False)
    assert got["variants"][0] == "original" and "compiling" in got["first_reason"], got
    assert got["first_variant_call"] == 2 and got["variants"][1] == "cpu", got  # nothing called while it compiled
    assert got["accelerated"] and got["jit_s"] > 0 and got["waited_s"] > 0
    assert 3 <= got["calls"] <= 2 + bench.VARIANT_CALLS and not got["loop"]  # the variant timed again, then done
    np.testing.assert_array_equal(out, 2.0 * A + 1.0)

    @polyray.parallelize
    def first_call_bench_words(words: list) -> str:  # nothing Polyray accelerates: two calls, then done
        return " ".join(sorted(words))

    def plain_call() -> float:
        t = time.perf_counter()
        first_call_bench_words(["b", "a"])
        return time.perf_counter() - t

    assert background.wait_idle(60)
    got = bench.later_calls("first_call_bench_words", plain_call, plain_call(), 1000, 300.0, False, False)
    assert not got["accelerated"] and got["calls"] == 3 and "first_variant_call" not in got, got


def test_a_first_call_over_the_limit_is_measured_again_and_the_medians_decide():
    bench = _bench()
    # one unlucky Polyray process (0.9 s against a 0.1 s original), then two ordinary ones
    polyrays = iter([0.9, 0.12, 0.11])
    calls = []

    def polyray(whole):
        calls.append(whole)
        return {"first_s": next(polyrays), "import_s": 0.05, "calls": 1}

    orig, pol = bench.sampled(lambda: {"first_s": 0.1}, polyray, 1, recheck=3)
    assert calls == [True, False, False] and pol["rechecked"] and pol["first_samples"] == [0.9, 0.12, 0.11]
    row = bench.row_for("x", orig, pol)
    assert row["verdict"] == "ok" and pol["first_s"] == 0.12  # the median: within 1.1 x 0.1 + 0.05
    assert "| ok (3 samples) |" in bench.markdown([row], "### x")[-1]
    # slower every time: still slower after the recheck (the rule is the same, only not left to one sample)
    orig, pol = bench.sampled(lambda: {"first_s": 0.1}, lambda whole: {"first_s": 0.9, "import_s": 0.05}, 1, recheck=3)
    assert pol["rechecked"] and bench.row_for("x", orig, pol)["verdict"] == "slower"
    # within the limit at once: no more processes
    calls.clear()
    polyrays = iter([0.1])
    orig, pol = bench.sampled(lambda: {"first_s": 0.1}, polyray, 1, recheck=3)
    assert calls == [True] and "rechecked" not in pol
