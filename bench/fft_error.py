"""How far rocket-fft's np.fft (in Numba) lies from NumPy's own (pocketfft): issue 17.

Not part of npm test; test/python/test_fft_bound.py checks a subset of the same sizes
against the bound this script's table documents (docs/reliability.md, "FFT-bound table").

For each transform (fft, ifft, rfft, irfft, fft2, ifft2), input dtype (float64, complex128,
float32, complex64) and size, the same random input goes through three transforms:
NumPy's, rocket-fft's compiled by numba.njit, and NumPy's on the input cast to long
double (x86's 64-bit mantissa, 2^11 times finer than float64: the reference). Each
error is taken per element against the classical bound's scale,

    c = max_k |y_k - ref_k| / (eps * L * S),  L = max(1, log2 N),  S = sum|x| (/ N for inverses),

N the transform's length (the product of the lengths in 2-d), eps the dtype's; irfft's
S counts the Hermitian input twice (2 sum|X| / N). The table gives the largest c of
NumPy's error, rocket-fft's, and of their difference, and how many sizes gave NumPy's
bits exactly. ``--json`` writes every row.
"""

from __future__ import annotations

import argparse
import json
import math
import sys
import time
from typing import Any, Callable

import numpy as np

FUNCTIONS = ("fft", "ifft", "rfft", "irfft", "fft2", "ifft2")
DTYPES = ("float64", "complex128", "float32", "complex64")
INVERSE = {"ifft", "irfft", "ifft2"}


def _compiled() -> dict[str, Callable[..., Any]]:
    """rocket-fft's transforms, each compiled once per input type by numba.njit."""
    import numba
    import rocket_fft  # noqa: F401  (registers numpy.fft for Numba; also loaded by Numba's entry point)

    @numba.njit(cache=False)
    def fft(x, n):  # type: ignore[no-untyped-def]
        return np.fft.fft(x, n)

    @numba.njit(cache=False)
    def ifft(x, n):  # type: ignore[no-untyped-def]
        return np.fft.ifft(x, n)

    @numba.njit(cache=False)
    def rfft(x, n):  # type: ignore[no-untyped-def]
        return np.fft.rfft(x, n)

    @numba.njit(cache=False)
    def irfft(x, n):  # type: ignore[no-untyped-def]
        return np.fft.irfft(x, n)

    @numba.njit(cache=False)
    def fft2(x, s):  # type: ignore[no-untyped-def]
        return np.fft.fft2(x, s)

    @numba.njit(cache=False)
    def ifft2(x, s):  # type: ignore[no-untyped-def]
        return np.fft.ifft2(x, s)

    return {"fft": fft, "ifft": ifft, "rfft": rfft, "irfft": irfft, "fft2": fft2, "ifft2": ifft2}


def applies(func: str, dtype: str) -> bool:
    """rfft takes real input; irfft's input is a half spectrum, complex."""
    if func == "rfft":
        return not dtype.startswith("complex")
    if func == "irfft":
        return dtype.startswith("complex")
    return True


def random_input(func: str, dtype: str, size: int | tuple[int, int], rng: np.random.Generator) -> np.ndarray:
    """Uniform in [-1, 1) (both parts for complex), of the transform's input length (irfft: size // 2 + 1)."""
    shape = (size // 2 + 1,) if func == "irfft" else ((size,) if isinstance(size, int) else size)
    x = rng.uniform(-1.0, 1.0, shape)
    if dtype.startswith("complex"):
        x = x + 1j * rng.uniform(-1.0, 1.0, shape)
    return x.astype(dtype)


def scale(func: str, x: np.ndarray, size: int | tuple[int, int]) -> float:
    """S * L of the bound: sum|x| (its Hermitian extension for irfft, / N for the inverses) times max(1, log2 N)."""
    n = size if isinstance(size, int) else size[0] * size[1]
    s = float(np.sum(np.abs(x.astype(np.complex128))))
    if func == "irfft":
        s *= 2.0
    if func in INVERSE:
        s /= n
    return s * max(1.0, math.log2(n)) if n > 0 else 0.0


def eps_of(dtype: str) -> float:
    return float(np.finfo(np.float32 if dtype in ("float32", "complex64") else np.float64).eps)


def measure_one(compiled: dict[str, Callable[..., Any]], func: str, dtype: str, size: int | tuple[int, int], rng: np.random.Generator) -> dict[str, Any]:
    """One input: NumPy's, rocket-fft's and the long-double reference; the three c values and bit equality."""
    x = random_input(func, dtype, size, rng)
    np_f = getattr(np.fft, func)
    ours = np_f(x, size)
    theirs = compiled[func](x, size)
    wide = x.astype(np.clongdouble if dtype.startswith("complex") or func == "irfft" else np.longdouble)
    ref = np_f(wide, size)
    denom = eps_of(dtype) * scale(func, x, size)
    if denom == 0.0:
        denom = 1.0

    def c(y: np.ndarray, r: np.ndarray) -> float:
        return float(np.max(np.abs(y.astype(r.dtype) - r))) / denom if y.size else 0.0

    return {
        "func": func, "dtype": dtype, "size": size,
        "out_dtype_equal": ours.dtype == theirs.dtype and ours.shape == theirs.shape,
        "bits_equal": ours.dtype == theirs.dtype and ours.shape == theirs.shape and ours.tobytes() == theirs.tobytes(),
        "c_numpy": c(ours, ref), "c_rocket": c(theirs, ref), "c_diff": c(theirs, ours),
    }


def sizes_1d(full: bool) -> list[int]:
    """1..4096 (or a sample), the powers of 2 to 2^16, primes and prime products up to 65537."""
    base = list(range(1, 4097)) if full else list(range(1, 130)) + [255, 256, 257, 509, 512, 1000, 1021, 1024, 2048, 4093, 4096]
    more = [2 ** k for k in range(13, 17)] + [8191, 10007, 65521, 65537, 3 ** 9, 5 ** 6, 7 ** 5, 2 * 3 * 5 * 7 * 11 * 13, 1009 * 7]
    return sorted(set(base + more))


def sizes_2d(full: bool) -> list[tuple[int, int]]:
    sides = [1, 2, 3, 5, 7, 8, 16, 17, 31, 64, 100, 127, 128, 256] if full else [1, 2, 3, 8, 17, 64, 127]
    return [(m, n) for m in sides for n in sides]


def measure(full: bool, seed: int = 0, one_d: list[int] | None = None, two_d: list[tuple[int, int]] | None = None) -> list[dict[str, Any]]:
    """Every (transform, dtype, size): the sizes of sizes_1d/sizes_2d, or those given."""
    compiled = _compiled()
    rng = np.random.default_rng(seed)
    rows = []
    for func in FUNCTIONS:
        sizes: list[Any] = (two_d or sizes_2d(full)) if func.endswith("2") else (one_d or sizes_1d(full))
        for dtype in DTYPES:
            if not applies(func, dtype):
                continue
            for size in sizes:
                if func == "irfft" and size < 2:
                    continue  # NumPy's irfft needs n >= 1 output points from n // 2 + 1 inputs: n = 1 is a 1-point inverse
                rows.append(measure_one(compiled, func, dtype, size, rng))
    return rows


def table(rows: list[dict[str, Any]]) -> str:
    """One line per (function, dtype): sizes, max c of each error, the sizes with NumPy's bits."""
    out = ["| transform | input dtype | sizes | max c NumPy vs exact | max c rocket-fft vs exact | max c rocket-fft vs NumPy | NumPy's bits |",
           "| --- | --- | --- | --- | --- | --- | --- |"]
    for func in FUNCTIONS:
        for dtype in DTYPES:
            rs = [r for r in rows if r["func"] == func and r["dtype"] == dtype]
            if not rs:
                continue
            same = sum(r["bits_equal"] for r in rs)
            out.append(f"| {func} | {dtype} | {len(rs)} | {max(r['c_numpy'] for r in rs):.3f} | {max(r['c_rocket'] for r in rs):.3f} "
                       f"| {max(r['c_diff'] for r in rs):.3f} | {same} of {len(rs)} |")
    return "\n".join(out)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--quick", action="store_true", help="a sample of the sizes (about 150 1-d, 49 2-d) instead of every 1-d size to 4096")
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--json", help="write every measured row here")
    args = ap.parse_args(argv)
    t0 = time.perf_counter()
    rows = measure(not args.quick, args.seed)
    print(table(rows))
    wrong = [r for r in rows if not r["out_dtype_equal"]]
    print(f"\n{len(rows)} inputs in {time.perf_counter() - t0:.1f} s; NumPy {np.__version__}; dtype or shape differing from NumPy's: {len(wrong)}")
    if args.json:
        with open(args.json, "w") as f:
            json.dump(rows, f, default=str)
    return 1 if wrong else 0


if __name__ == "__main__":
    sys.exit(main())
