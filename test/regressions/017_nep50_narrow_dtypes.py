"""Issue 15 item 1 (NumPy 2 scalar promotion, NEP 50): a Python int or float beside a
uint8/16/32, int8/16/32 or float32 operand keeps that dtype in NumPy 2. For a uint32 array
`a`, `a - 9 * a` wraps around (4294967288 for a = 1) and `0.1 * x` on float32 stays float32;
the compiled variant computed in int64/float64 (-8, and other float32 bits after the store).
Numba's fused array expressions also computed `(a + b) // 2` on uint16 arrays without
wrapping `a + b`. Now the variant casts Python scalars to the dtype and narrow results back
(np.uint32(9) * a, np.uint8(x + y), .astype(np.uint16)); `uint8 + 300` and a Python int
parameter out of the dtype's range run the original (NumPy raises OverflowError)."""
import numpy as np
import numpy.typing as npt


def wrap_u32(a: npt.NDArray[np.uint32], b: npt.NDArray[np.int64]) -> None:
    b[:] = a - 9 * a


def round_f32(x: npt.NDArray[np.float32], y: npt.NDArray[np.float64]) -> None:
    for i in range(x.shape[0]):
        y[i] = 0.1 * x[i] + x[i] * x[i]


def mean_u16(a: npt.NDArray[np.uint16], b: npt.NDArray[np.int64]) -> None:
    b[1:] = (a[1:] + a[:-1]) // 2


def shift_i8(a: npt.NDArray[np.int8], n: int, out: npt.NDArray[np.int64]) -> None:
    for i in range(a.shape[0]):
        out[i] = (a[i] + n) * 3 - (a[i] << 2)


def overflow_u8(a: npt.NDArray[np.uint8], out: npt.NDArray[np.int64]) -> None:
    out[:] = a + 300


POLYRAY_CASES = [
    ('wrap_u32', {'a': {'array': [1, 4294967295, 7], 'shape': [3], 'dtype': 'uint32'}, 'b': {'array': [0, 0, 0], 'shape': [3], 'dtype': 'int64'}}, ['cpu', 'auto']),
    ('round_f32', {'x': {'array': [0.1, 3.0e38, -2.5, 1e-3], 'shape': [4], 'dtype': 'float32'}, 'y': {'array': [0.0, 0.0, 0.0, 0.0], 'shape': [4]}}, ['cpu', 'auto']),
    ('mean_u16', {'a': {'array': [65535, 65535, 3, 5], 'shape': [4], 'dtype': 'uint16'}, 'b': {'array': [0, 0, 0, 0], 'shape': [4], 'dtype': 'int64'}}, ['cpu', 'auto']),
    ('shift_i8', {'a': {'array': [100, -128, 127, -3], 'shape': [4], 'dtype': 'int8'}, 'n': 100, 'out': {'array': [0, 0, 0, 0], 'shape': [4], 'dtype': 'int64'}}, ['cpu', 'auto']),
    ('shift_i8', {'a': {'array': [100, -128, 127, -3], 'shape': [4], 'dtype': 'int8'}, 'n': 300, 'out': {'array': [0, 0, 0, 0], 'shape': [4], 'dtype': 'int64'}}, ['cpu', 'auto']),
    ('overflow_u8', {'a': {'array': [250, 1], 'shape': [2], 'dtype': 'uint8'}, 'out': {'array': [0, 0], 'shape': [2], 'dtype': 'int64'}}, ['cpu']),
]
