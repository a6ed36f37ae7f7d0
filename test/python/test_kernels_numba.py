"""Every PolyBench 4.2 kernel in test/kernels/polybench is in the Numba subset.

For each kernel and each size (the edge sizes of specs.edge_sizes, MINI and
SMALL) the pure-Python kernel and ``numba.njit(error_model='numpy')`` of the
same function run on identical copies of the inputs; all written arrays must
agree.  Numba does not reorder floating-point operations without fastmath, so
the comparison is tight (rtol 1e-9, atol 1e-12) and NaN positions must match.

SMALL cases carry the ``small_dataset`` marker but run by default.  Measured
pure-Python times at SMALL are all under 2 s (floyd_warshall ~1.8 s is the
largest, then heat_3d, seidel_2d, nussinov, adi, jacobi_2d at 0.3-0.6 s), so
no kernel's SMALL case is skipped.  MEDIUM/LARGE are not run here: pure
Python would take minutes (e.g. 3mm MEDIUM ~ 3 * 180*190*200 iterations).
"""

import importlib.util
import sys
import warnings
from pathlib import Path

import numpy as np
import pytest

numba = pytest.importorskip("numba")

ROOT = Path(__file__).resolve().parents[2]
KDIR = ROOT / "test" / "kernels" / "polybench"
sys.path.insert(0, str(KDIR))
import specs  # noqa: E402

# No kernel is too slow for pure Python at SMALL (see module docstring).
SKIP_SMALL = {}

_modules = {}
_jitted = {}


def load_kernel(name):
    if name not in _modules:
        spec = importlib.util.spec_from_file_location("polybench_src_" + name, KDIR / (name + ".py"))
        mod = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(mod)
        _modules[name] = mod
    return getattr(_modules[name], "kernel_" + name)


def jitted(name):
    if name not in _jitted:
        _jitted[name] = numba.njit(error_model="numpy")(load_kernel(name))
    return _jitted[name]


def _cases():
    for name in specs.KERNELS:
        for sizes in specs.edge_sizes(name):
            yield pytest.param(name, sizes, id="%s-edge-%s" % (name, specs.size_id(sizes)))
        yield pytest.param(name, specs.SIZES[name]["MINI"], id="%s-MINI" % name)
        marks = [pytest.mark.small_dataset]
        if name in SKIP_SMALL:
            marks.append(pytest.mark.skip(reason=SKIP_SMALL[name]))
        yield pytest.param(name, specs.SIZES[name]["SMALL"], id="%s-SMALL" % name, marks=marks)


def assert_outputs_equal(name, sizes, expected_args, actual_args):
    for idx in specs.OUTPUTS[name]:
        exp = expected_args[idx]
        act = actual_args[idx]
        assert act.shape == exp.shape
        if exp.dtype.kind in "iu":
            np.testing.assert_array_equal(act, exp, err_msg="%s output %d" % (name, idx))
        else:
            np.testing.assert_allclose(act, exp, rtol=1e-9, atol=1e-12, equal_nan=True,
                                       err_msg="%s output %d" % (name, idx))


def test_kernel_list_complete():
    files = sorted(p.stem for p in KDIR.glob("*.py") if p.stem != "specs" and not p.stem.startswith("_"))
    assert files == sorted(specs.KERNELS)
    assert len(files) == 30
    for name in specs.KERNELS:
        assert set(specs.SIZES[name]) == set(specs.DATASETS)


@pytest.mark.parametrize("name,sizes", list(_cases()))
def test_numba_matches_python(name, sizes):
    py_kernel = load_kernel(name)
    nb_kernel = jitted(name)
    args = specs.build_args(name, sizes, np.random.default_rng(1234))
    py_args = specs.copy_args(args)
    nb_args = specs.copy_args(args)
    with warnings.catch_warnings():
        # gramschmidt with n > m divides 0 by 0 in pure Python (NumPy scalars).
        warnings.simplefilter("ignore", RuntimeWarning)
        py_ret = py_kernel(*py_args)
    nb_ret = nb_kernel(*nb_args)
    assert py_ret is None and nb_ret is None
    assert_outputs_equal(name, sizes, py_args, nb_args)
    # Inputs that are not outputs must be left untouched by both.
    for idx, a in enumerate(args):
        if isinstance(a, np.ndarray) and idx not in specs.OUTPUTS[name]:
            np.testing.assert_array_equal(py_args[idx], a)
            np.testing.assert_array_equal(nb_args[idx], a)
