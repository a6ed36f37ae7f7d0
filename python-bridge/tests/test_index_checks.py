"""runtime/index_checks.py: an index read from data, normalized as NumPy reads it, and what happens
outside the dimension (LeftToOriginal from check_index, the flag from spec_index), in Python and
compiled by Numba (the same code: register_jitable)."""
from __future__ import annotations

import numpy as np
import pytest
from numba import njit

from polyray.runtime.index_checks import check_index, spec_index
from polyray.runtime.variants import LeftToOriginal


@njit
def _compiled_check(i, n):  # type: ignore[no-untyped-def]
    return check_index(i, n)


@njit
def _compiled_spec(i, n, fail):  # type: ignore[no-untyped-def]
    return spec_index(i, n, fail)


@pytest.mark.parametrize("compiled", [False, True])
def test_inside_the_dimension_the_index_numpy_reads(compiled):
    check = _compiled_check if compiled else check_index
    spec = _compiled_spec if compiled else spec_index
    for n in (1, 4):
        x = np.arange(n)
        for i in range(-n, n):
            fail = np.zeros(1, dtype=np.int8)
            assert check(i, n) == x[i] and spec(np.int32(i), n, fail) == x[i], (i, n)
            assert fail[0] == 0


@pytest.mark.parametrize("compiled", [False, True])
def test_outside_it_the_original_raises(compiled):
    check = _compiled_check if compiled else check_index
    spec = _compiled_spec if compiled else spec_index
    for n, i in ((4, 4), (4, -5), (0, 0), (0, -1), (3, 1 << 40), (3, -(1 << 40))):
        with pytest.raises(IndexError):
            np.zeros(n)[i]
        with pytest.raises(LeftToOriginal):
            check(i, n)
        fail = np.zeros(1, dtype=np.int8)
        assert spec(i, n, fail) == 0 and fail[0] == 1, (n, i)
