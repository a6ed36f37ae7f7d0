"""bench/first_call.py's --repeat: the medians of interleaved fresh processes (issue 19)."""
from __future__ import annotations

import importlib.util

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
