"""Run reports in the notebook: per-function aggregates, shown and sent at a bounded rate.

Every dispatcher call appends a run record (:mod:`polyray.runtime.history`).
The :class:`Aggregator` listens to those records and keeps, per function, the
number of calls and the time spent per variant, the last variant, its time and
reason. It never sends one message per call: at most ``1 / interval`` times a
second (and once more when a cell finishes) it

- updates, in place (``update_display`` with the cell's display_id), the
  display_data of the ``%%parallelize`` cell that defined each changed function
  (MIME ``application/vnd.polyray.report+json`` with text/plain and text/html),
- sends the changed aggregates over the ``polyray`` comm (:mod:`polyray.comm`).
"""

from __future__ import annotations

import html
import threading
import time
import uuid
from dataclasses import dataclass, field
from typing import Any

MIME = "application/vnd.polyray.report+json"

#: Seconds between two updates (at most 4 a second).
DEFAULT_INTERVAL = 0.25


@dataclass
class FunctionStats:
    """Aggregated run records of one function (by name)."""

    name: str
    calls: int = 0
    per_variant: dict[str, list[float]] = field(default_factory=dict)  # variant -> [calls, total seconds]
    variant: str = ""
    seconds: float = 0.0
    reason: str = ""
    nodes: list[str] = field(default_factory=list)
    errors: int = 0
    compiled_by: str = ""
    #: JIT time spent on this function's variants (compiled apart from its runs: issue 19)
    jit_seconds: float = 0.0
    #: the worker's CPU seconds for them, and the Numba compiles they made (issue 18: runtime/jit_meter.py)
    jit_cpu_seconds: float = 0.0
    jit_compiles: int = 0
    #: the speedup over the original measured at the last call's size class (runtime/speedup.py), or why none
    measured_speedup: float | None = None
    speedup_note: str = ""

    def add(self, entry: dict[str, Any]) -> None:
        variant = entry.get("variant", "?")
        seconds = float(entry.get("seconds", 0.0))
        self.calls += 1
        self.jit_seconds += float(entry.get("jit_seconds", 0.0) or 0.0)
        self.jit_cpu_seconds += float(entry.get("jit_cpu_seconds", 0.0) or 0.0)
        self.jit_compiles += int(entry.get("jit_compiles", 0) or 0)
        if "speedup" in entry:
            self.measured_speedup, self.speedup_note = float(entry["speedup"]), ""
        elif "speedup_note" in entry:
            self.measured_speedup, self.speedup_note = None, str(entry["speedup_note"])
        elif entry.get("jit_compiling"):
            self.measured_speedup = None
            self.speedup_note = "variant compiling: " + ", ".join(
                f"{v} {float(t):.1f} s so far" for v, t in entry["jit_compiling"].items())
        if entry.get("compiled_by"):
            self.compiled_by = entry["compiled_by"]
        slot = self.per_variant.get(variant)
        if slot is None:
            self.per_variant[variant] = [1, seconds]
        else:
            slot[0] += 1
            slot[1] += seconds
        self.variant = variant
        self.seconds = seconds
        self.reason = entry.get("reason", "")
        nodes = entry.get("nodes")
        if nodes:
            self.nodes = list(nodes)
        if "error" in entry:
            self.errors += 1

    def mean(self, variant: str) -> float | None:
        slot = self.per_variant.get(variant)
        return slot[1] / slot[0] if slot and slot[0] else None

    def speedup(self) -> float | None:
        """The speedup measured at the last call's size class (the original's time there over the variant's);
        before any such measurement, the mean original time over the mean time of the last variant."""
        if self.variant == "original":
            return None
        if self.measured_speedup is not None:
            return self.measured_speedup
        if self.speedup_note:
            return None
        orig, last = self.mean("original"), self.mean(self.variant)
        if orig is None or not last:
            return None
        return orig / last

    def to_json(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "calls": self.calls,
            "variant": self.variant,
            "seconds": self.seconds,
            "reason": self.reason,
            "nodes": self.nodes,
            "errors": self.errors,
            "compiled_by": self.compiled_by,
            "speedup": self.speedup(),
            # a row's speedup or why it has none (issue 19): the original ran last, for the reason its record gives
            "speedup_note": self.speedup_note or ("none: the original ran (see the reason)" if self.variant == "original" else ""),
            "jit_seconds": self.jit_seconds,
            "jit_cpu_seconds": self.jit_cpu_seconds,
            "jit_compiles": self.jit_compiles,
            "variants": {
                v: {"calls": int(c), "total_seconds": t, "mean_seconds": t / c if c else None}
                for v, (c, t) in self.per_variant.items()
            },
        }


@dataclass
class CellReport:
    """The report display of one ``%%parallelize`` cell."""

    display_id: str
    functions: list[dict[str, Any]]  # one entry per function of the cell (from the compile report)
    compile_info: dict[str, Any]
    shown: bool = False

    def names(self) -> list[str]:
        return [f["name"] for f in self.functions]


def _fmt_seconds(s: float | None) -> str:
    if s is None:
        return "-"
    if s < 1e-3:
        return f"{s * 1e6:.1f} us"
    if s < 1:
        return f"{s * 1e3:.2f} ms"
    return f"{s:.3f} s"


def _loops_text(fn: dict[str, Any]) -> str:
    parts = []
    for loop in fn.get("loops", []):
        reason = loop.get("reason") or ""
        if loop.get("parallel"):
            verdict = "parallel, prange" if "prange" in reason else "parallel"
        else:
            verdict = f"sequential: {reason}" if reason else "sequential"
        parts.append(f"line {loop.get('line')} for {loop.get('var')}: {verdict}")
    return "; ".join(parts)


def _compile_note(fn: dict[str, Any]) -> str:
    if fn.get("not_ready"):  # the cell ran as written while its compile finishes (magic.py, cell_compiles.py)
        return str(fn["not_ready"])
    if fn.get("accelerated"):
        ahead = f"; {fn['ahead']}; compiles on its first call" if fn.get("ahead") else ""
        return "variants: " + ", ".join(fn.get("variants", [])) + ahead
    why = [d.get("message", "") for d in fn.get("diagnostics", []) if d.get("severity") in ("error", "warning")]
    return "original only" + (f": {why[0]}" if why else "")


def rows(cell: CellReport, stats: dict[str, FunctionStats]) -> list[dict[str, Any]]:
    out = []
    for fn in cell.functions:
        st = stats.get(fn["name"])
        # no call yet: the row says why it has no speedup (its cell ran as written: not through Polyray)
        none = "none: the cell ran as written" if fn.get("not_ready") else "none: not called yet"
        data = st.to_json() if st is not None else {"name": fn["name"], "calls": 0, "variant": "", "seconds": None,
                                                     "reason": "", "speedup": None, "speedup_note": none, "jit_seconds": 0.0,
                                                     "variants": {}, "nodes": [], "errors": 0}
        data.update({
            "line": fn.get("line"),
            "accelerated": bool(fn.get("accelerated")),
            "compiled_variants": list(fn.get("variants", [])),
            "compile": _compile_note(fn),
            "loops": fn.get("loops", []),
            "profiled": bool(fn.get("profiled")),
        })
        out.append(data)
    return out


def render(cell: CellReport, stats: dict[str, FunctionStats]) -> dict[str, Any]:
    """The display bundle: report JSON, a text table and an HTML table."""
    table = rows(cell, stats)
    payload = {"version": 1, "display_id": cell.display_id, "compile": cell.compile_info, "functions": table}
    head = ["function", "variant", "calls", "last time", "JIT", "speedup", "reason", "compiled", "loops"]
    lines: list[list[str]] = []
    for r in table:
        sp = r["speedup"]
        lines.append([
            r["name"] + (" (profiled)" if r["profiled"] else ""),
            r["variant"] or "-",
            str(r["calls"]),
            _fmt_seconds(r["seconds"]) if r["calls"] else "-",
            (_fmt_seconds(r["jit_seconds"]) + (f" ({r['jit_compiles']} Numba compile{'s' if r['jit_compiles'] != 1 else ''})"
                                                if r.get("jit_compiles") else "")) if r.get("jit_seconds") else "-",
            f"{sp:.1f}x" if sp else (r.get("speedup_note") or "-"),
            r["reason"] or "-",
            r["compile"],
            _loops_text(r) or "-",
        ])
    widths = [max(len(h), *(len(x[i]) for x in lines)) if lines else len(h) for i, h in enumerate(head)]
    widths[-1] = len(head[-1])  # the last columns are free text: no padding
    widths[-2] = len(head[-2])
    widths[-3] = len(head[-3])

    def fmt(cols: list[str]) -> str:
        return "  ".join(c.ljust(w) for c, w in zip(cols, widths)).rstrip()

    info = cell.compile_info
    title = "polyray run report"
    note = info.get("note")
    text = "\n".join([title + (f" ({note})" if note else ""), fmt(head), *(fmt(x) for x in lines)])
    th = "".join(f"<th style='text-align:left'>{html.escape(h)}</th>" for h in head)
    trs = []
    for r, x in zip(table, lines):
        tds = "".join(f"<td style='text-align:left'>{html.escape(c)}</td>" for c in x)
        trs.append(f"<tr data-polyray-function='{html.escape(r['name'])}' data-polyray-variant='{html.escape(r['variant'])}'>{tds}</tr>")
    html_text = (
        f"<div class='polyray-report'><b>{html.escape(title)}</b>"
        + (f" <i>{html.escape(note)}</i>" if note else "")
        + f"<table><thead><tr>{th}</tr></thead><tbody>{''.join(trs)}</tbody></table></div>"
    )
    return {MIME: payload, "text/plain": text, "text/html": html_text}


class Aggregator:
    """Listens to run records; aggregates per function; flushes at a bounded rate."""

    def __init__(self, interval: float = DEFAULT_INTERVAL) -> None:
        self.interval = interval
        self.stats: dict[str, FunctionStats] = {}
        self.owner: dict[str, CellReport] = {}  # function name -> the cell that defined it last
        self.cells: dict[str, CellReport] = {}
        self._dirty: set[str] = set()
        self._next_flush = 0.0
        self._lock = threading.RLock()
        self.flushes = 0  # how many updates were sent (tests and the overhead benchmark read it)
        self.sinks: list[Any] = []  # objects with send_records(list[dict]) (the comm channel)

    # the listener: keep it cheap, it runs on every call
    def on_record(self, entry: dict[str, Any]) -> None:
        name = entry.get("function", "?")
        owner = self.owner.get(name)
        if owner is not None and "compiled_by" not in entry:
            # where the function's module was compiled ("browser-worker" from JupyterLab),
            # added to the run record itself, so polyray.runtime.history() says it too
            entry["compiled_by"] = owner.compile_info.get("compiled_by", "")
        with self._lock:
            st = self.stats.get(name)
            if st is None:
                st = self.stats[name] = FunctionStats(name)
            st.add(entry)
            self._dirty.add(name)
        if time.monotonic() >= self._next_flush:
            self.flush()

    def new_cell(self, functions: list[dict[str, Any]], compile_info: dict[str, Any]) -> CellReport:
        cell = CellReport(f"polyray-{uuid.uuid4().hex[:12]}", functions, compile_info)
        with self._lock:
            self.cells[cell.display_id] = cell
            for fn in functions:
                self.owner[fn["name"]] = cell
        return cell

    def show(self, cell: CellReport) -> None:
        """Create the cell's display (in the current output area)."""
        from IPython.display import display

        with self._lock:
            bundle = render(cell, self.stats)
        display(bundle, raw=True, display_id=cell.display_id)
        cell.shown = True

    def flush(self) -> None:
        """Send what changed since the last flush (display updates and the comm)."""
        with self._lock:
            self._next_flush = time.monotonic() + self.interval
            if not self._dirty:
                return
            dirty, self._dirty = self._dirty, set()
            cells = {self.owner[n].display_id: self.owner[n] for n in dirty if n in self.owner}
            bundles = [(c, render(c, self.stats)) for c in cells.values() if c.shown]
            records = [self.stats[n].to_json() for n in sorted(dirty)]
            self.flushes += 1
        if bundles:
            from IPython.display import update_display

            for cell, bundle in bundles:
                try:
                    update_display(bundle, raw=True, display_id=cell.display_id)
                except Exception:  # noqa: BLE001 - a report must never break a call
                    pass
        for sink in list(self.sinks):
            try:
                sink.send_records(records)
            except Exception:  # noqa: BLE001
                pass

    def snapshot(self) -> list[dict[str, Any]]:
        with self._lock:
            return [st.to_json() for st in self.stats.values()]

    def table_text(self) -> str:
        """All functions' aggregates as a text table (``%polyray report``)."""
        with self._lock:
            fake = CellReport("all", [{"name": n, "accelerated": None} for n in self.stats], {"note": "all functions"})
            for fn in fake.functions:
                owner = self.owner.get(fn["name"])
                if owner is not None:
                    fn.update(next((f for f in owner.functions if f["name"] == fn["name"]), {}))
            return render(fake, self.stats)["text/plain"]


_aggregator: Aggregator | None = None


def aggregator() -> Aggregator:
    global _aggregator
    if _aggregator is None:
        _aggregator = Aggregator()
    return _aggregator
