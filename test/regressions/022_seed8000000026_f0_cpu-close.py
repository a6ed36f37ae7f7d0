"""Fuzzer finding: program seed 8000000026, function f0, POLYRAY_TARGET=cpu-close
(ran: cpu; reason: POLYRAY_TARGET=cpu).

outcome: complex power: NaN/inf positions differ (imag part). NumPy computes `W ** 0.5` of a complex
array (a Python float 0.5) as np.sqrt, glibc's csqrt ((inf + 1j) ** 0.5 is inf + 0j, 1j ** 0.5 has equal
parts); close mode called the general power, cexp(0.5 * clog(W)) (inf + nanj). Now complex_helpers.cpow_fop
takes csqrt for 0.5, bit for bit, in both modes (test/python/test_fast_powers.py).

Written by hand from `python test/fuzz/generate.py 8000000026` (the run found it at seed 8000, program 26);
inputs are POLYRAY_CASES below, complex values as strings NumPy parses.
"""
import math

import numpy as np
import numpy.typing as npt


def f0(Z: np.ndarray[tuple[int,], np.dtype[np.complex128]], W: np.ndarray[tuple[int,], np.dtype[np.complex128]]) -> npt.NDArray[np.complex128]:
    r = W ** 0.5
    return r


POLYRAY_CASES = [
    ('f0', {'Z': {'array': ['1+1j'], 'shape': [1], 'dtype': 'complex128'},
            'W': {'array': ['inf+1j', '-inf+1j', '1j', '-0-0j', '1e308j', 'nan+infj', '5e-324+5e-324j', '-4+0j'], 'shape': [8], 'dtype': 'complex128'}},
     ['cpu', 'cpu-close']),
]
