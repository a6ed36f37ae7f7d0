#!/usr/bin/env python3
"""Measure, per NumPy function that `close` mode compiles, the largest ULP distance
between NumPy's result and the compiled (Numba: the C library / LLVM) result.

Arguments: random floats spread over the whole exponent range, random floats in
each function's natural range, and edge values (signed zeros, subnormals, the
largest finite, inf, nan, near the poles of tan, near +-1 for arcsin/arccos,
near 0 and 1 for log, huge arguments of sin/cos/tan, powers with integer,
negative and huge exponents). Both forms a variant may use are measured: the
ufunc called on one element inside a loop and on a whole array.

Besides the distance it checks what `close` mode keeps exact: the result's
dtype, where NaN is and where +-inf is. A difference there is reported as
`mismatch` (and fails the test), never folded into a ULP count.

    .venv/bin/python scripts/measure_ulp.py                  # print the table
    .venv/bin/python scripts/measure_ulp.py --write-docs     # and put it into docs/reliability.md
    .venv/bin/python scripts/measure_ulp.py --samples 20000  # fewer random arguments (the test's size)

Documented K comes from the compiler (src/compiler/numerics.ts ULP_BOUNDS,
read from lib/ as built), so the docs, the reports and the test share one table.
"""

from __future__ import annotations

import argparse
import json
import re
import subprocess
import sys
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
DOC = ROOT / "docs" / "reliability.md"
BEGIN = "<!-- ulp-table:begin (scripts/measure_ulp.py --write-docs) -->"
END = "<!-- ulp-table:end -->"

UNARY = ["exp", "log", "log10", "log2", "sin", "cos", "tan", "arcsin", "arccos", "arctan", "sinh", "cosh", "tanh"]
BINARY = ["arctan2", "power"]
DTYPES = [np.float64, np.float32]


def documented_bounds() -> dict[str, dict[str, int]]:
    """ULP_BOUNDS as the built compiler (lib/) has it: function -> {"float64": K, "float32": K}."""
    code = "import('./lib/compiler/numerics.js').then((m) => process.stdout.write(JSON.stringify(m.ULP_BOUNDS)))"
    out = subprocess.run(["node", "-e", code], cwd=ROOT, capture_output=True, text=True, check=True).stdout
    return {k: {d: int(x) for d, x in v.items()} for k, v in json.loads(out).items()}


def _ordered(x: np.ndarray) -> np.ndarray:
    """Floats mapped to integers in the same order, adjacent floats one apart (-0.0 and 0.0 both 0)."""
    bits = x.view(np.int64 if x.dtype == np.float64 else np.int32).astype(np.int64)
    sign_mask = np.int64(-(2 ** 63)) if x.dtype == np.float64 else np.int64(-(2 ** 31))
    return np.where(bits < 0, sign_mask - bits, bits) if x.dtype == np.float64 else np.where(bits < 0, -(bits & 0x7FFFFFFF), bits)


def ulp_distance(a: np.ndarray, b: np.ndarray) -> tuple[int, int]:
    """(largest ULP distance over the finite pairs, number of NaN/inf position or sign mismatches)."""
    nan_a, nan_b = np.isnan(a), np.isnan(b)
    inf_a, inf_b = np.isinf(a), np.isinf(b)
    mismatch = int(np.sum(nan_a != nan_b) + np.sum(inf_a != inf_b) + np.sum(inf_a & inf_b & (np.signbit(a) != np.signbit(b))))
    finite = np.isfinite(a) & np.isfinite(b)
    if not finite.any():
        return 0, mismatch
    oa, ob = _ordered(a[finite]), _ordered(b[finite])
    # the ordered integers fit in int64 with room: differences of float64 patterns stay below 2**64 only as unsigned
    d = np.abs(oa.astype(np.float64) - ob.astype(np.float64)) if a.dtype == np.float64 else np.abs(oa - ob).astype(np.float64)
    if a.dtype == np.float64:
        exact = np.abs(oa[d < 2 ** 52] - ob[d < 2 ** 52])  # exact where small (the case that matters)
        big = d[d >= 2 ** 52]
        m = max(int(exact.max()) if exact.size else 0, int(big.max()) if big.size else 0)
        return m, mismatch
    return int(d.max()), mismatch


def unary_args(name: str, dtype: type, n: int, rng: np.random.Generator) -> np.ndarray:
    f = np.finfo(dtype)
    width = 64 if dtype == np.float64 else 32
    ints = rng.integers(0, 2 ** width, size=n, dtype=np.uint64).astype(np.uint64 if width == 64 else np.uint32)
    anywhere = ints.view(np.float64 if width == 64 else np.float32) if width == 64 else ints.astype(np.uint32).view(np.float32)
    anywhere = anywhere[np.isfinite(anywhere)]
    natural = {
        "exp": (-750, 710), "sinh": (-720, 720), "cosh": (-720, 720), "tanh": (-25, 25),
        "log": (0, 10), "log10": (0, 10), "log2": (0, 10),
        "sin": (-20, 20), "cos": (-20, 20), "tan": (-20, 20),
        "arcsin": (-1, 1), "arccos": (-1, 1), "arctan": (-50, 50),
    }[name]
    lo, hi = natural
    if dtype == np.float32 and name in ("exp", "sinh", "cosh"):
        lo, hi = -110, 90
    ranged = rng.uniform(lo, hi, size=n).astype(dtype)
    tiny = (rng.uniform(-1, 1, size=n // 8) * f.tiny * 4).astype(dtype)  # subnormals and the smallest normals
    edges = [0.0, -0.0, f.tiny, -f.tiny, f.smallest_subnormal, -f.smallest_subnormal, f.max, -f.max, np.inf, -np.inf, np.nan,
             1.0, -1.0, 0.5, 2.0, 1e-300 if dtype == np.float64 else 1e-38, 1e300 if dtype == np.float64 else 1e38,
             np.nextafter(dtype(1), dtype(0)), np.nextafter(dtype(1), dtype(2)), np.nextafter(dtype(-1), dtype(0))]
    # near the poles of tan and the zeros of sin/cos: k * pi / 2 rounded to the dtype, and its neighbours
    k = np.arange(-2000, 2001, dtype=np.float64)
    poles = (k * np.pi / 2).astype(dtype)
    near = np.concatenate([poles, np.nextafter(poles, dtype(np.inf)), np.nextafter(poles, dtype(-np.inf))])
    huge = (10.0 ** rng.uniform(5, 300 if dtype == np.float64 else 38, size=n // 8) * rng.choice([-1, 1], n // 8)).astype(dtype)
    return np.concatenate([anywhere, ranged, tiny, np.array(edges, dtype=dtype), near, huge]).astype(dtype)


def binary_args(name: str, dtype: type, n: int, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    f = np.finfo(dtype)
    if name == "arctan2":
        y = np.concatenate([rng.standard_normal(n) * 10.0 ** rng.uniform(-30, 30, n), rng.uniform(-1, 1, n)]).astype(dtype)
        x = np.concatenate([rng.standard_normal(n) * 10.0 ** rng.uniform(-30, 30, n), rng.uniform(-1, 1, n)]).astype(dtype)
    else:
        base = np.concatenate([rng.uniform(0, 10, n), 10.0 ** rng.uniform(-30, 30, n), -rng.uniform(0, 10, n)]).astype(dtype)
        expo = np.concatenate([rng.uniform(-10, 10, n), rng.uniform(-3, 3, n), rng.integers(-20, 20, n).astype(np.float64)]).astype(dtype)
        y, x = base, expo
    special = np.array([0.0, -0.0, 1.0, -1.0, np.inf, -np.inf, np.nan, f.tiny, f.smallest_subnormal, f.max, 2.0, 0.5, -2.0, 3.0], dtype=dtype)
    sy, sx = np.meshgrid(special, special)
    return np.concatenate([y, sy.ravel()]), np.concatenate([x, sx.ravel()])


def compiled_forms(name: str, nargs: int):
    """Numba functions computing np.<name> per element in a loop and on the whole array."""
    import numba

    ufunc = getattr(np, name)
    if nargs == 1:
        @numba.njit(cache=False)
        def loop(x, out):
            for i in range(x.shape[0]):
                out[i] = ufunc(x[i])

        @numba.njit(cache=False)
        def whole(x):
            return ufunc(x)

        return lambda x, y=None: (lambda o: (loop(x, o), o)[1])(np.empty_like(x)), lambda x, y=None: whole(x)

    if name == "power":
        # `a ** b` on arrays is what close mode also compiles; np.power is the same ufunc
        @numba.njit(cache=False)
        def loop2(x, y, out):
            for i in range(x.shape[0]):
                out[i] = x[i] ** y[i]

        @numba.njit(cache=False)
        def whole2(x, y):
            return x ** y
    else:
        @numba.njit(cache=False)
        def loop2(x, y, out):
            for i in range(x.shape[0]):
                out[i] = ufunc(x[i], y[i])

        @numba.njit(cache=False)
        def whole2(x, y):
            return ufunc(x, y)

    return (lambda x, y: (lambda o: (loop2(x, y, o), o)[1])(np.empty_like(x))), (lambda x, y: whole2(x, y))


def measure(samples: int, seed: int = 20260601, names: list[str] | None = None) -> list[dict]:
    rng = np.random.default_rng(seed)
    rows = []
    for name in names or (UNARY + BINARY):
        worst, mismatches, dtype_ok, count, per_dtype = 0, 0, True, 0, {}
        forms = compiled_forms(name, 1 if name in UNARY else 2)
        for dtype in DTYPES:
            if name in UNARY:
                x, y = unary_args(name, dtype, samples, rng), None
                with np.errstate(all="ignore"):
                    want = getattr(np, name)(x)
            else:
                x, y = binary_args(name, dtype, samples, rng)
                with np.errstate(all="ignore"):
                    want = getattr(np, name)(x, y)
            for form in forms:
                got = form(x, y) if y is not None else form(x)
                dtype_ok &= got.dtype == want.dtype
                if got.dtype != want.dtype:
                    got = got.astype(want.dtype)
                d, m = ulp_distance(want, got)
                worst, mismatches = max(worst, d), mismatches + m
                per_dtype[np.dtype(dtype).name] = max(per_dtype.get(np.dtype(dtype).name, 0), d)
            count += x.size
        rows.append({"function": name, "measured": worst, "mismatches": mismatches, "dtype_ok": bool(dtype_ok), "arguments": count,
                     "float64": per_dtype.get("float64", 0), "float32": per_dtype.get("float32", 0)})
    return rows


def table(rows: list[dict], bounds: dict[str, int], samples: int) -> str:
    import numba

    cpu = ""
    try:
        cpu = next((l.split(":", 1)[1].strip() for l in Path("/proc/cpuinfo").read_text().splitlines() if l.startswith("model name")), "")
    except OSError:
        pass
    head = (f"Measured by `scripts/measure_ulp.py --samples {samples}` with NumPy {np.__version__}, Numba {numba.__version__}"
            f"{f', on {cpu}' if cpu else ''}; float64 and float32 arguments, each function in both compiled forms "
            "(per element in a loop, on a whole array). `power` covers `**` on float arrays.\n\n"
            "| function | arguments | K measured (ULP): float64 / float32 | K documented (ULP): float64 / float32 | NaN/inf positions, dtype |\n"
            "| --- | --- | --- | --- | --- |\n")
    body = "".join(
        f"| np.{r['function']} | {r['arguments']} | {r['float64']} / {r['float32']} | "
        f"{bounds.get(r['function'], {}).get('float64', '-')} / {bounds.get(r['function'], {}).get('float32', '-')} | "
        f"{'same' if r['mismatches'] == 0 and r['dtype_ok'] else 'DIFFER'} |\n" for r in rows)
    return head + body


def over_bound(row: dict, bounds: dict[str, dict[str, int]]) -> bool:
    """Whether a measured distance exceeds the documented K of its dtype (no documented K: always over)."""
    k = bounds.get(row["function"])
    return k is None or any(row[d] > k.get(d, -1) for d in ("float64", "float32"))


def write_docs(text: str) -> None:
    doc = DOC.read_text(encoding="utf-8")
    block = f"{BEGIN}\n{text}{END}"
    if BEGIN in doc and END in doc:
        doc = re.sub(re.escape(BEGIN) + r".*?" + re.escape(END), lambda _m: block, doc, flags=re.S)
    else:
        doc = doc.rstrip("\n") + "\n\n" + block + "\n"
    DOC.write_text(doc, encoding="utf-8")


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--samples", type=int, default=200_000, help="random arguments per function, dtype and kind")
    ap.add_argument("--write-docs", action="store_true", help="replace the table in docs/reliability.md")
    args = ap.parse_args()
    bounds = documented_bounds()
    rows = measure(args.samples)
    text = table(rows, bounds, args.samples)
    print(text)
    if args.write_docs:
        write_docs(text)
    bad = [r for r in rows if over_bound(r, bounds) or r["mismatches"] or not r["dtype_ok"]]
    for r in bad:
        print(f"over the documented bound or not exact where it must be: {r}", file=sys.stderr)
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
