"""The types @parallelize takes from a first call (issue 17): an array's hint carries its rank and
dtype (np.ndarray[tuple[int, int], np.dtype[np.float64]]), so whole-array code compiles, and a
NumPy scalar argument is hinted with its own type (np.float32, np.int64) and computed with NumPy's
rules. Original against variant, bit for bit, dtypes included, in both numerics modes; another
rank or scalar type is another signature; a NumPy scalar where the CLI-compiled variant expects
another type runs the original."""
from __future__ import annotations

import importlib.util
import sys

import numpy as np
import pytest

import polyray.runtime as rt
from polyray import parallelize
from polyray.profiling import hint_for

from compiled import ROOT, compare_with_original, compile_and_import

SOURCE = ROOT / "test/kernels/everyday/first_call_types.py"


@pytest.fixture(scope="module")
def kernels():
    spec = importlib.util.spec_from_file_location("first_call_types_kernels", SOURCE)
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


@pytest.fixture(autouse=True)
def _own_cache(tmp_path, monkeypatch):
    monkeypatch.setenv("POLYRAY_CACHE_DIR", str(tmp_path / "cache"))


@pytest.fixture(params=["exact", "close"])
def numerics(request):
    return request.param


def both(kernels, name, numerics, *args):
    """Calls @parallelize(kernel) and the kernel on copies: same outcome, same writes; the variant that ran."""
    fn = parallelize(getattr(kernels, name), target="cpu", numerics=numerics)
    return fn, compare_with_original(fn, getattr(kernels, name), *args).variant


def test_hints_carry_rank_and_dtype_and_numpy_scalar_types():
    assert hint_for(np.zeros((2, 3))) == "np.ndarray[tuple[int, int], np.dtype[np.float64]]"
    assert hint_for(np.zeros(4, np.int32)) == "np.ndarray[tuple[int], np.dtype[np.int32]]"
    assert hint_for(np.zeros(2, bool)) == "np.ndarray[tuple[int], np.dtype[np.bool_]]"
    assert hint_for(np.zeros(())) == "npt.NDArray[np.float64]"
    assert hint_for(np.int64(4)) == "np.int64" and hint_for(np.float64(0.5)) == "np.float64"
    assert hint_for(np.float32(1)) == "np.float32" and hint_for(np.bool_(True)) == "np.bool_"
    assert (hint_for(1.5), hint_for(3), hint_for(True)) == ("float", "int", "bool")
    # no hint: non-native byte order, a subclass of ndarray, object arrays, strings
    assert hint_for(np.zeros(3, ">f8")) is None and hint_for(np.zeros(3, object)) is None
    assert hint_for(np.ma.zeros(3)) is None and hint_for(np.str_("a")) is None


@pytest.mark.parametrize("shape", [(7,), (4, 5), (2, 3, 4), (0, 3)])
def test_whole_array_update_compiles_for_the_rank_of_the_first_call(kernels, numerics, shape):
    rng = np.random.default_rng(len(shape))
    fn, variant = both(kernels, "relax", numerics, rng.standard_normal(shape), rng.standard_normal(shape), 0.7)
    assert variant == "cpu"
    ((key, _),) = fn.compiled.items()
    assert dict(key)["u"] == f"np.ndarray[tuple[{', '.join(['int'] * len(shape))}], np.dtype[np.float64]]"


def test_another_rank_is_another_signature(kernels, numerics):
    fn = parallelize(kernels.relax, target="cpu", numerics=numerics)
    for shape in [(6,), (3, 2), (6,)]:
        u, f = np.ones(shape), np.full(shape, 3.0)
        fn(u, f, 0.5)
        assert (u == 2.0).all() and rt.history()[-1]["variant"] == "cpu"
    assert len(fn.compiled) == 2


def test_shape_unpacking_and_broadcasting_with_the_profiled_rank(kernels, numerics):
    rng = np.random.default_rng(3)
    _, variant = both(kernels, "blend", numerics, np.zeros((3, 4)), rng.standard_normal((3, 4)), rng.standard_normal(4), 0.25)
    assert variant == "cpu"
    # a 1-d `out` cannot unpack into n, m: ValueError from both
    fn, variant = both(kernels, "blend", numerics, np.zeros(4), np.ones(4), np.ones(4), 0.25)
    assert variant in ("original", "cpu")


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_numpy_scalar_arguments_keep_numpy_s_dtype(kernels, numerics, dtype):
    x = np.random.default_rng(5).standard_normal(9).astype(dtype)
    fn, variant = both(kernels, "scale_shift", numerics, x, dtype(1.5), dtype(-0.25))
    assert variant == "cpu"
    assert fn(x, dtype(1.5), dtype(-0.25)).dtype == dtype
    assert dict(next(iter(fn.compiled)))["a"] == f"np.{np.dtype(dtype).name}"


def test_a_narrow_numpy_integer_wraps_as_in_numpy(kernels, numerics):
    v = np.array([2**31 - 3, 0, -5], dtype=np.int32)
    _, variant = both(kernels, "bump", numerics, v, np.int32(7))
    assert variant == "cpu"


def test_numpy_scalar_division_by_zero_is_inf_not_an_exception(kernels, numerics):
    _, variant = both(kernels, "ratio", numerics, np.float64(1.0), np.float64(0.0))
    assert variant == "cpu"
    # Python floats: CPython's ZeroDivisionError, another signature
    fn, variant = both(kernels, "ratio", numerics, 1.0, 0.0)
    assert variant == "cpu" and rt.history()[-1]["error"] == "ZeroDivisionError"


def test_a_numpy_int_threshold(kernels, numerics):
    x = np.arange(-5.0, 5.0)
    _, variant = both(kernels, "count_above", numerics, x, np.int64(1))
    assert variant == "cpu"


@pytest.fixture(scope="module")
def hinted(tmp_path_factory):
    """The CLI on a hinted copy: `a: np.float32` compiles NumPy-scalar arithmetic; the guard wants exactly np.float32."""
    src = tmp_path_factory.mktemp("hinted") / "hinted_scalars.py"
    src.write_text(
        "import numpy as np\nimport numpy.typing as npt\n\n\n"
        "def scale_shift(x: np.ndarray[tuple[int], np.dtype[np.float32]], a: np.float32, b: np.float32):\n"
        "    return x * a + b\n"
    )
    return compile_and_import(src, src.parent, "hinted_scalars_compiled", "--targets", "cpu")


def test_the_guard_accepts_only_the_hinted_numpy_scalar_type(hinted, monkeypatch):
    monkeypatch.setenv("POLYRAY_TARGET", "cpu")
    x = np.linspace(-1, 1, 5, dtype=np.float32)
    got = hinted.scale_shift(x, np.float32(3), np.float32(0.5))
    assert rt.history()[-1]["variant"] == "cpu" and got.dtype == np.float32
    assert got.tobytes() == (x * np.float32(3) + np.float32(0.5)).tobytes()
    for a in (3.0, np.float64(3), 3):
        got = hinted.scale_shift(x, a, np.float32(0.5))
        rec = rt.history()[-1]
        assert rec["variant"] == "original" and "'a'" in rec["reason"], rec
        assert got.tobytes() == (x * a + np.float32(0.5)).tobytes() and got.dtype == (x * a).dtype


def test_default_values_and_keyword_arguments(kernels, numerics):
    fn = parallelize(kernels.smooth, target="cpu", numerics=numerics)
    rng = np.random.default_rng(11)
    u, f = rng.standard_normal(12), rng.standard_normal(12)
    calls = [((u, f), {}), ((u,), {"f": f, "steps": 3}), ((), {"f": f, "u": u, "omega": 0.25}), ((u, f, 0.75), {"steps": 0})]
    for args, kwargs in calls:
        mine = {k: v.copy() if isinstance(v, np.ndarray) else v for k, v in kwargs.items()}
        theirs = {k: v.copy() if isinstance(v, np.ndarray) else v for k, v in kwargs.items()}
        got = fn(*[a.copy() if isinstance(a, np.ndarray) else a for a in args], **mine)
        assert rt.history()[-1]["variant"] == "cpu", rt.history()[-1]
        want = kernels.smooth(*[a.copy() if isinstance(a, np.ndarray) else a for a in args], **theirs)
        assert got.tobytes() == want.tobytes()
    # one signature: every call binds (u, f, omega: float, steps: int), defaults included
    assert len(fn.compiled) == 1
    # a default replaced by another type is another signature
    fn(u.copy(), f, 1, 1)
    assert len(fn.compiled) == 2 and rt.history()[-1]["variant"] == "cpu"
    # a missing argument is Python's TypeError, from the original
    with pytest.raises(TypeError):
        fn(u)
