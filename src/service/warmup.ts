// The compile service's warm-up (op "warm"): V8 compiles and optimizes the
// compiler's functions as they first run, so a fresh service's first compile
// took 0.35 to 0.65 s where later ones take 20 to 60 ms (measured on this
// repository's cell of test_notebooks, load 6 to 10). The magic sends "warm"
// at `%load_ext polyray`, so that cost is paid while the user writes the first
// cell, not in it. The program below walks the stages a notebook's cell
// usually does: a hinted loop nest (parallel), a scalar and a row reduction
// (close-mode reassociation), and whole-array NumPy forms with a slice
// recurrence; test/ts/service-warmup.test.ts checks that every function in it
// is still accelerated, so the warm-up does not quietly stop reaching the
// polyhedral and code-generation stages as the compiler changes. A request
// that arrives first is not held back by it (warmUp's `busy`).
import { performance } from 'node:perf_hooks';
import { ALL_TARGETS, compileSource, type Numerics } from '../compiler/index.js';
import { nodeIsl, nodeParser } from '../cli/node-host.js';

export const WARMUP_SOURCE = `import numpy as np
import numpy.typing as npt


def stencil(A: npt.NDArray[np.float64], B: npt.NDArray[np.float64], w: float) -> None:
    n, m = A.shape
    for i in range(1, n - 1):
        for j in range(1, m - 1):
            B[i, j] = w * (A[i - 1, j] + A[i + 1, j] + A[i, j - 1] + A[i, j + 1]) + (1.0 - 4.0 * w) * A[i, j]


def matvec(A: npt.NDArray[np.float64], x: npt.NDArray[np.float64], y: npt.NDArray[np.float64], alpha: float) -> float:
    n, m = A.shape
    s = 0.0
    for i in range(n):
        y[i] = 0.0
        for j in range(m):
            y[i] += alpha * A[i, j] * x[j]
        s += y[i]
    return s


def arrays(A: npt.NDArray[np.float64], b: npt.NDArray[np.float64], k: int) -> npt.NDArray[np.float64]:
    C = np.sqrt(np.abs(A)) + b
    C = np.minimum(C, 1.0)
    for t in range(k):
        C[1:-1] = 0.5 * (C[:-2] + C[2:])
    return np.sum(C, axis=0) / A.shape[0] + np.max(A) + A @ b
`;

let warmed = false;

/**
 * Loads the parser and isl, then compiles WARMUP_SOURCE once per process.
 * Resolves with the milliseconds that compile took, or 0 when it was not run:
 * it ran already, or `busy()` says a request is waiting by the time the parser
 * and isl are loaded (a compile is synchronous, so the warm-up would hold that
 * request back; the request warms the JIT as well as the program would).
 */
export async function warmUp(busy: () => boolean = () => false, numerics: Numerics = 'close'): Promise<number> {
  const [parser, isl] = await Promise.all([nodeParser(), nodeIsl()]);
  if (warmed || busy()) return 0;
  warmed = true;
  const start = performance.now();
  compileSource(parser, WARMUP_SOURCE, { fileName: 'polyray-warmup.py', targets: ALL_TARGETS, isl, numerics });
  return Math.round((performance.now() - start) * 100) / 100;
}
