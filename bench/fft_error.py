"""How far rocket-fft's np.fft (in Numba) lies from NumPy's own (pocketfft): issue 17.

Not part of npm test; test/python/test_fft_bound.py checks a subset of the same sizes
against the bound this script's table documents (docs/reliability.md, "FFT-bound table").

For each transform (fft, ifft, rfft, irfft; fft2, ifft2, rfft2, irfft2; fftn, ifftn, rfftn,
irfftn over 2 and 3 axes), input dtype (float64, complex128, float32, complex64), size and
norm= (backward, ortho, forward), the same random input goes through three transforms:
NumPy's, rocket-fft's compiled by numba.njit, and NumPy's on the input cast to long
double (x86's 64-bit mantissa, 2^11 times finer than float64: the reference). Each
error is taken per element against the classical bound's scale,

    c = max_k |y_k - ref_k| / (eps * L * S),  L = max(1, log2 N),  S = sum|x| * f,

N the transform's length (the product of the lengths over its axes), eps the dtype's,
f the norm's factor (backward: 1, 1/N for inverses; ortho: 1/sqrt(N); forward: 1/N, 1 for
inverses); irfft*'s S counts the Hermitian input twice. The table gives the largest c of
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

FUNCTIONS = ("fft", "ifft", "rfft", "irfft", "fft2", "ifft2", "rfft2", "irfft2", "fftn", "ifftn", "rfftn", "irfftn")
DTYPES = ("float64", "complex128", "float32", "complex64")
INVERSE = {"ifft", "irfft", "ifft2", "irfft2", "ifftn", "irfftn"}
NORMS = ("backward", "ortho", "forward")
TWO_D = {"fft2", "ifft2", "rfft2", "irfft2"}
N_D = {"fftn", "ifftn", "rfftn", "irfftn"}


def _compiled() -> dict[str, Callable[..., Any]]:
    """rocket-fft's transforms with NumPy's positional arguments ((x, n, axis, norm) in 1-d, (x, s, axes, norm)
    otherwise, norm a run-time string as the compiled helpers pass it), each compiled once per input type."""
    import numba
    import rocket_fft  # noqa: F401  (registers numpy.fft for Numba; also loaded by Numba's entry point)

    def make(func: str) -> Callable[..., Any]:
        np_func = getattr(np.fft, func)

        @numba.njit(cache=False)
        def transform(x, s, axes, norm):  # type: ignore[no-untyped-def]
            return np_func(x, s, axes, norm)
        return transform
    return {f: make(f) for f in FUNCTIONS}


def applies(func: str, dtype: str) -> bool:
    """rfft* take real input; irfft*'s input is a half spectrum, complex."""
    if func.startswith("rfft"):
        return not dtype.startswith("complex")
    if func.startswith("irfft"):
        return dtype.startswith("complex")
    return True


def _shape_of(size: int | tuple[int, ...]) -> tuple[int, ...]:
    return (size,) if isinstance(size, int) else tuple(size)


def random_input(func: str, dtype: str, size: int | tuple[int, ...], rng: np.random.Generator) -> np.ndarray:
    """Uniform in [-1, 1) (both parts for complex), of the transform's input shape (irfft*: the last length // 2 + 1)."""
    shape = _shape_of(size)
    if func.startswith("irfft"):
        shape = shape[:-1] + (shape[-1] // 2 + 1,)
    x = rng.uniform(-1.0, 1.0, shape)
    if dtype.startswith("complex"):
        x = x + 1j * rng.uniform(-1.0, 1.0, shape)
    return x.astype(dtype)


def norm_scale(func: str, n: int, norm: str | None) -> float:
    """The factor NumPy's norm= puts on the transform's sum: backward 1 (1/N inverse), ortho 1/sqrt(N), forward 1/N (1 inverse)."""
    inverse = func in INVERSE
    if norm == "ortho":
        return 1.0 / math.sqrt(n)
    if norm == "forward":
        return 1.0 if inverse else 1.0 / n
    return 1.0 / n if inverse else 1.0


def scale(func: str, x: np.ndarray, size: int | tuple[int, ...], norm: str | None = "backward") -> float:
    """S * L of the bound: sum|x| (its Hermitian extension for irfft*) times the norm's factor, times max(1, log2 N)."""
    n = math.prod(_shape_of(size))
    s = float(np.sum(np.abs(x.astype(np.complex128))))
    if func.startswith("irfft"):
        s *= 2.0
    return s * norm_scale(func, n, norm) * max(1.0, math.log2(n)) if n > 0 else 0.0


def eps_of(dtype: str) -> float:
    return float(np.finfo(np.float32 if dtype in ("float32", "complex64") else np.float64).eps)


def measure_one(compiled: dict[str, Callable[..., Any]], func: str, dtype: str, size: int | tuple[int, ...], rng: np.random.Generator,
                norm: str = "backward") -> dict[str, Any]:
    """One input: NumPy's, rocket-fft's and the long-double reference; the three c values and bit equality."""
    x = random_input(func, dtype, size, rng)
    np_f = getattr(np.fft, func)
    shape = _shape_of(size)
    # NumPy's positional arguments: (n, axis) in 1-d, (s, axes) over the last len(shape) axes otherwise
    s_arg, axes = (shape[0], -1) if isinstance(size, int) else (shape, tuple(range(-len(shape), 0)))
    ours = np_f(x, s_arg, axes, norm)
    theirs = compiled[func](x, s_arg, axes, norm)
    wide = x.astype(np.clongdouble if dtype.startswith("complex") or func.startswith("irfft") else np.longdouble)
    ref = np_f(wide, s_arg, axes, norm)
    denom = eps_of(dtype) * scale(func, x, size, norm)
    if denom == 0.0:
        denom = 1.0

    def c(y: np.ndarray, r: np.ndarray) -> float:
        return float(np.max(np.abs(y.astype(r.dtype) - r))) / denom if y.size else 0.0

    return {
        "func": func, "dtype": dtype, "size": size, "norm": norm,
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


def sizes_3d(full: bool) -> list[tuple[int, int, int]]:
    """The n-d transforms over three axes."""
    sides = [1, 2, 3, 5, 8, 16, 17, 31] if full else [1, 3, 8, 17]
    return [(a, b, c) for a in sides for b in sides for c in sides]


def measure(full: bool, seed: int = 0, one_d: list[int] | None = None, two_d: list[tuple[int, int]] | None = None,
            three_d: list[tuple[int, int, int]] | None = None, norms: tuple[str, ...] = NORMS) -> list[dict[str, Any]]:
    """Every (transform, dtype, size, norm): the sizes of sizes_1d/2d/3d, or those given (the n-d transforms take
    both the 2-d and the 3-d shapes)."""
    compiled = _compiled()
    rng = np.random.default_rng(seed)
    rows = []
    for func in FUNCTIONS:
        if func in TWO_D:
            sizes: list[Any] = two_d or sizes_2d(full)
        elif func in N_D:
            sizes = (two_d or sizes_2d(full)) + (three_d or sizes_3d(full))
        else:
            sizes = one_d or sizes_1d(full)
        for dtype in DTYPES:
            if not applies(func, dtype):
                continue
            for size in sizes:
                if func.startswith("irfft") and _shape_of(size)[-1] < 2:
                    continue  # NumPy's irfft needs n >= 1 output points from n // 2 + 1 inputs: n = 1 is a 1-point inverse
                for norm in norms:
                    rows.append(measure_one(compiled, func, dtype, size, rng, norm))
    return rows


def table(rows: list[dict[str, Any]]) -> str:
    """One line per (function, dtype): sizes, max c of each error, the sizes with NumPy's bits."""
    out = ["| transform | input dtype | sizes | max c NumPy vs exact | max c rocket-fft vs exact | max c rocket-fft vs NumPy | NumPy's bits |",
           "| --- | --- | --- | --- | --- | --- | --- |"]
    for func in FUNCTIONS:
        for dtype in DTYPES:
            rs = [r for r in rows if r["func"] == func and r["dtype"] == dtype]  # (every norm=)
            if not rs:
                continue
            same = sum(r["bits_equal"] for r in rs)
            out.append(f"| {func} | {dtype} | {len(rs)} | {max(r['c_numpy'] for r in rs):.3f} | {max(r['c_rocket'] for r in rs):.3f} "
                       f"| {max(r['c_diff'] for r in rs):.3f} | {same} of {len(rs)} |")
    return "\n".join(out)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--quick", action="store_true", help="a sample of the sizes (about 150 1-d, 49 2-d, 64 3-d) instead of every 1-d size to 4096")
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
