// Notebook cells shared by the front-end tests that run Polyray without its
// JupyterLab extension (classic Notebook, JupyterLab with the extension disabled).

/** A %%parallelize cell: a hinted row-sum kernel, called, with a checksum printed. */
export const ROW_SUM = `%%parallelize --target cpu
import numpy as np
import numpy.typing as npt

def row_sum(n: int, m: int, A: npt.NDArray[np.float64], out: npt.NDArray[np.float64]) -> None:
    for i in range(n):
        s = 0.0
        for j in range(m):
            s = s + A[i, j]
        out[i] = s

A = np.arange(300 * 40, dtype=np.float64).reshape(300, 40) / 7.0
out = np.zeros(300)
row_sum(300, 40, A, out)
print("checksum", repr(float(out.sum())))`;

/** The same sums in pure Python (same order per row), outside the magic; `extra` is appended. */
export function reference(extra = ''): string {
  return `ref = np.array([sum([float(A[i, j]) for j in range(40)], 0.0) for i in range(300)])
print("reference", repr(float(ref.sum())))
print("rows equal", bool(np.array_equal(out, ref)))
import polyray.runtime as rt, polyray.magic as pm
print("ran", rt.history()[-1]["function"], rt.history()[-1]["variant"]${extra})`;
}
