"""NumPy slice statements the CPU variant runs as element loops (poly/lower-slices.ts), and ones it must not."""
import numpy as np
import numpy.typing as npt


def scale_rows(C: npt.NDArray[np.float64], A: npt.NDArray[np.float64], n: int, alpha: float) -> None:
    for i in range(n):
        C[i, :] = C[i, :] * alpha + np.sqrt(np.abs(A[i, :]))


def between(x: npt.NDArray[np.float64], y: npt.NDArray[np.float64], n: int, beta: float) -> None:
    x *= beta
    for i in range(n):
        y[i] = y[i] + x[i]
    x[:] = y * 2.0 + x


def self_element(x: npt.NDArray[np.float64], n: int) -> None:
    # NumPy reads x[0] once, before writing: not lowered
    x[0:n] = x[0:n] * x[0]


def complex_mix(z: npt.NDArray[np.complex128], w: npt.NDArray[np.complex128], n: int) -> None:
    for i in range(n):
        z[i] = z[i] * 0.5 + w[i]
    z[:] = z * 2.0 - w * (1 + 1j)
    w[:] = w * 0.5
