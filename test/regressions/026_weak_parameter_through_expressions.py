"""Found by hand (lead, twelfth session) while widening np.where of float32 arrays: a float parameter reaching a
float32 array through an expression or a local (`x * (a * 2.0)`, `b = a * 2.0; x * b`) was cast to np.float32 in
the variant, as NEP 50 computes a Python float there, but the dispatcher let a NumPy float64 argument through:
NumPy 2 then computes in float64 (a strong NumPy scalar), the variant still in float32 (original float64 array vs
variant float32, in both modes). Only a parameter named directly as the operand (`x * a`) was required to come as a
Python number. The types stage now requires it of every Python scalar parameter the weak operand carries
(types/check-operators.ts weakSources: those it names, all of them when it reads a local scalar), so a NumPy
scalar argument runs the original. np.where of a float32 array beside a Python number is now compiled that way
too (the number cast to np.float32), where f27bc81 kept the original.
"""
import numpy as np


def scale(x: np.ndarray[tuple[int, int], np.dtype[np.float32]], a: float):
    return x * (a * 2.0)


def scale_local(x: np.ndarray[tuple[int, int], np.dtype[np.float32]], a: float):
    b = a * 2.0
    return x * b


def leaky(x: np.ndarray[tuple[int, int], np.dtype[np.float32]], a: float):
    return np.where(x > 0, x, a * 2.0)


def relu(x: np.ndarray[tuple[int, int], np.dtype[np.float32]]):
    return np.where(x > 0, x, 0.1)


POLYRAY_CASES = [
    ('scale', {'x': {'array': [[1.5, -2.0, 0.0], [3.0999999046325684, -0.10000000149011612, -0.0]], 'shape': [2, 3], 'dtype': 'float32'}, 'a': 0.1}, ['cpu', 'cpu-close']),
    ('scale', {'x': {'array': [[1.5, -2.0, 0.0], [3.0999999046325684, -0.10000000149011612, -0.0]], 'shape': [2, 3], 'dtype': 'float32'}, 'a': {'scalar': 0.1, 'dtype': 'float64'}}, ['cpu', 'cpu-close']),
    ('scale', {'x': {'array': [[1.5, -2.0, 0.0], [3.0999999046325684, -0.10000000149011612, -0.0]], 'shape': [2, 3], 'dtype': 'float32'}, 'a': {'scalar': 0.1, 'dtype': 'float32'}}, ['cpu', 'cpu-close']),
    ('scale', {'x': {'array': [[1.5, -2.0, 0.0], [3.0999999046325684, -0.10000000149011612, -0.0]], 'shape': [2, 3], 'dtype': 'float32'}, 'a': 1e+300}, ['cpu', 'cpu-close']),
    ('scale_local', {'x': {'array': [[1.5, -2.0, 0.0], [3.0999999046325684, -0.10000000149011612, -0.0]], 'shape': [2, 3], 'dtype': 'float32'}, 'a': 0.1}, ['cpu', 'cpu-close']),
    ('scale_local', {'x': {'array': [[1.5, -2.0, 0.0], [3.0999999046325684, -0.10000000149011612, -0.0]], 'shape': [2, 3], 'dtype': 'float32'}, 'a': {'scalar': 0.1, 'dtype': 'float64'}}, ['cpu', 'cpu-close']),
    ('scale_local', {'x': {'array': [[1.5, -2.0, 0.0], [3.0999999046325684, -0.10000000149011612, -0.0]], 'shape': [2, 3], 'dtype': 'float32'}, 'a': {'scalar': 0.1, 'dtype': 'float32'}}, ['cpu', 'cpu-close']),
    ('scale_local', {'x': {'array': [[1.5, -2.0, 0.0], [3.0999999046325684, -0.10000000149011612, -0.0]], 'shape': [2, 3], 'dtype': 'float32'}, 'a': 1e+300}, ['cpu', 'cpu-close']),
    ('leaky', {'x': {'array': [[1.5, -2.0, 0.0], [3.0999999046325684, -0.10000000149011612, -0.0]], 'shape': [2, 3], 'dtype': 'float32'}, 'a': 0.1}, ['cpu', 'cpu-close']),
    ('leaky', {'x': {'array': [[1.5, -2.0, 0.0], [3.0999999046325684, -0.10000000149011612, -0.0]], 'shape': [2, 3], 'dtype': 'float32'}, 'a': {'scalar': 0.1, 'dtype': 'float64'}}, ['cpu', 'cpu-close']),
    ('leaky', {'x': {'array': [[1.5, -2.0, 0.0], [3.0999999046325684, -0.10000000149011612, -0.0]], 'shape': [2, 3], 'dtype': 'float32'}, 'a': {'scalar': 0.1, 'dtype': 'float32'}}, ['cpu', 'cpu-close']),
    ('leaky', {'x': {'array': [[1.5, -2.0, 0.0], [3.0999999046325684, -0.10000000149011612, -0.0]], 'shape': [2, 3], 'dtype': 'float32'}, 'a': 1e+300}, ['cpu', 'cpu-close']),
    ('relu', {'x': {'array': [[1.5, -2.0, 0.0], [3.0999999046325684, -0.10000000149011612, -0.0]], 'shape': [2, 3], 'dtype': 'float32'}}, ['cpu', 'cpu-close']),
]
