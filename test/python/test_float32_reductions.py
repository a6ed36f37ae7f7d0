"""float32 networks and statistics (issue 17, with issue 16's close mode): reductions
that keep float32, axis tuples, np.max/np.min along axes with keepdims, a local
re-bound to another dtype or rank, and shapes written as lists.

Kernels as people write them for small neural networks and data preparation
(softmax over rows, a two-layer perceptron with float32 weights, a convolution
with np.newaxis and a sum over three axes, a 2x2 max-pool, batch normalization,
column standardization). Original against the CPU variant: in `close` mode
within the bound polyray.runtime.close_bounds derives per element (float32's
unit roundoff, since both sides add in float32), with dtype, shape, NaN/inf and
exceptions exact; max/min along axes bit for bit in both modes; in `exact`
mode every float32 sum keeps the original. Repeated calls give the same bits.
No GPU form: np.max/np.min along axes and close mode's reductions have none
(the function gets no GPU variant, which the report says).
"""
from __future__ import annotations

import importlib.util
import sys
import textwrap

import numpy as np
import pytest

from compiled import ROOT, compile_and_import, run_both
from polyray.runtime.close_bounds import U32, gamma, mean_tolerance, numpy_sum_depth, pairwise_depth, std_tolerance, \
    sum_tolerance, within

F2 = "np.ndarray[tuple[int, int], np.dtype[np.float32]]"
F4 = "np.ndarray[tuple[int, int, int, int], np.dtype[np.float32]]"
KERNELS = textwrap.dedent(f'''
    import numpy as np
    import numpy.typing as npt


    def relu(x):
        return np.maximum(x, 0)


    def row_softmax(x: {F2}):
        m = np.max(x, axis=-1, keepdims=True)
        e = np.exp(x - m)
        return e / np.sum(e, axis=-1, keepdims=True)


    def two_layer(x: {F2}, w1: {F2}, b1: np.ndarray[tuple[int], np.dtype[np.float32]], w2: {F2},
                  b2: np.ndarray[tuple[int], np.dtype[np.float32]]):
        h = relu(x @ w1 + b1)
        return relu(h @ w2 + b2)


    def conv2d_bias(image: {F4}, kernel: {F4}, bias: np.ndarray[tuple[int], np.dtype[np.float32]]):
        k = kernel.shape[0]
        n, h, w, c = image.shape
        out = np.empty((n, h - k + 1, w - k + 1, kernel.shape[3]), dtype=np.float32)
        for i in range(h - k + 1):
            for j in range(w - k + 1):
                out[:, i, j, :] = np.sum(image[:, i:i + k, j:j + k, :, np.newaxis] * kernel[np.newaxis, :, :, :],
                                         axis=(1, 2, 3))
        return out + bias


    def maxpool2x2(x: {F4}):
        out = np.empty([x.shape[0], x.shape[1] // 2, x.shape[2] // 2, x.shape[3]], dtype=x.dtype)
        for i in range(x.shape[1] // 2):
            for j in range(x.shape[2] // 2):
                out[:, i, j, :] = np.max(x[:, 2 * i:2 * i + 2, 2 * j:2 * j + 2, :], axis=(1, 2))
        return out


    def batchnorm(x: {F4}, eps: float = 1e-5):
        mean = np.mean(x, axis=0, keepdims=True)
        std = np.std(x, axis=0, keepdims=True)
        return (x - mean) / np.sqrt(std + eps)


    def standardize32(data: {F2}):
        mu = data.mean(axis=0)
        sigma = data.std(axis=0)
        return (data - mu) / sigma


    def channel_range(img: np.ndarray[tuple[int, int, int], np.dtype[np.int32]]):
        return img.max(axis=(0, 1)) - img.min(axis=(0, 1))


    def total32(x: {F2}):
        return np.sum(x)


    def plane_sums(t: np.ndarray[tuple[int, int, int], np.dtype[np.float32]]):
        return np.sum(t, axis=(0, 2)), t.sum(axis=-1, keepdims=True)


    def share_of_total(x: {F2}):
        return x / np.sum(x, keepdims=True), np.max(x, keepdims=True) - x.min(axis=None)


    def peak(x: npt.NDArray[np.float32]):
        return np.amax(x, axis=(0, -1))


    def pooled_features(x: {F4}, w: np.ndarray[tuple[int, int], np.dtype[np.float64]]):
        n = x.shape[0]
        x = x.astype(np.float64)
        x = maxpool2x2(x)
        x = np.reshape(x, (n, x.shape[1] * x.shape[2] * x.shape[3]))
        return x @ w
''')

NAMES = ("row_softmax", "two_layer", "conv2d_bias", "maxpool2x2", "batchnorm", "standardize32", "channel_range",
         "total32", "plane_sums", "peak", "pooled_features")


@pytest.fixture(scope="module")
def modules(tmp_path_factory):
    d = tmp_path_factory.mktemp("float32_reductions")
    src = d / "float32_kernels.py"
    src.write_text(KERNELS)
    spec = importlib.util.spec_from_file_location("float32_kernels", src)
    original = importlib.util.module_from_spec(spec)
    assert spec.loader
    spec.loader.exec_module(original)
    return (original,
            compile_and_import(src, d, "float32_kernels_exact", "--numerics", "exact"),
            compile_and_import(src, d, "float32_kernels_close", "--numerics", "close"))


@pytest.fixture(scope="module")
def exp_ulp():
    spec = importlib.util.spec_from_file_location("measure_ulp", ROOT / "scripts" / "measure_ulp.py")
    m = importlib.util.module_from_spec(spec)
    assert spec.loader
    sys.modules["measure_ulp"] = m
    spec.loader.exec_module(m)
    return m.documented_bounds()["exp"]["float32"]


def f32(rng, *shape, scale=1.0):
    return (rng.standard_normal(shape) * scale).astype(np.float32)


def _call(mod, name, *args, target="cpu"):
    import polyray.runtime as rt

    got = getattr(mod, name)(*args)
    record = rt.history()[-1]
    assert record["variant"] == target, record
    return got


def _sum_with_perturbed_terms(terms, delta, axis, keepdims=False):
    """|S' - S| for sums of terms known within delta each, each side in its own order (float32 sums)."""
    n = terms.shape[axis]
    size = np.abs(terms.astype(np.float64)) + delta
    return (np.sum(delta, axis=axis, keepdims=keepdims)
            + gamma(pairwise_depth(n) + numpy_sum_depth(n, False), U32) * np.sum(size, axis=axis, keepdims=keepdims))


def softmax_tolerance(x, k):
    """exp within k ULP per element, the float32 sums within their bound, each side's division rounded."""
    m = np.max(x, axis=-1, keepdims=True)
    e = np.exp((x - m).astype(np.float32)).astype(np.float64)
    delta = k * (2 * U32 * e + 2.0 ** -149)
    s = np.sum(e, axis=-1, keepdims=True)
    ds = _sum_with_perturbed_terms(e, delta, -1, keepdims=True)
    r = e / s
    return delta / (s - ds) + e * ds / (s * (s - ds)) + 2 * U32 * (r + delta / (s - ds)) * 1.0001


def test_softmax_over_rows_keeps_float32_within_its_bound(modules, monkeypatch, exp_ulp):
    original, exact, close = modules
    monkeypatch.setenv("POLYRAY_TARGET", "cpu")
    rng = np.random.default_rng(1)
    for shape in ((64, 300), (3, 1), (17, 129)):
        x = f32(rng, *shape, scale=4.0)
        want, got = original.row_softmax(x), _call(close, "row_softmax", x)
        assert got.dtype == want.dtype == np.float32 and got.shape == want.shape
        assert within(got, want, softmax_tolerance(x, exp_ulp)), np.max(np.abs(got - want))
        assert np.array_equal(_call(close, "row_softmax", x), got)  # the same bits on every call
    assert not hasattr(exact, "_polyray_dispatch_row_softmax")  # np.exp and the float32 sum: the original in exact mode


def test_a_two_layer_perceptron_with_float32_weights(modules, monkeypatch):
    from polyray.runtime.close_bounds import product_tolerance

    original, _, close = modules
    monkeypatch.setenv("POLYRAY_TARGET", "cpu")
    rng = np.random.default_rng(2)
    x, w1, b1, w2, b2 = f32(rng, 8, 30), f32(rng, 30, 50), f32(rng, 50), f32(rng, 50, 10), f32(rng, 10)
    want, got = original.two_layer(x, w1, b1, w2, b2), _call(close, "two_layer", x, w1, b1, w2, b2)
    assert got.dtype == want.dtype == np.float32 and got.shape == (8, 10)
    # layer by layer: each product within 2*gamma_k*(|A|@|B|) (float32's u), the bias addition rounded on each side,
    # relu 1-Lipschitz; the first layer's error carried through |w2|
    g = lambda a, b: product_tolerance(a.astype(np.float64), b.astype(np.float64)) * (U32 / 2 ** -53)  # noqa: E731
    z1 = x.astype(np.float64) @ w1 + b1
    d1 = g(x, w1) + 2 * U32 * np.abs(z1) * 1.0001
    h = np.maximum(z1, 0)
    z2 = h @ w2 + b2
    d2 = d1 @ np.abs(w2) + g(np.abs(h) + d1, w2) + 2 * U32 * (np.abs(z2) + d1 @ np.abs(w2)) * 1.0001
    assert within(got, want, d2), np.max(np.abs(got - want) - d2)


def test_conv2d_with_newaxis_and_a_sum_over_three_axes(modules, monkeypatch):
    original, exact, close = modules
    monkeypatch.setenv("POLYRAY_TARGET", "cpu")
    rng = np.random.default_rng(3)
    image, kernel, bias = rng.random((4, 12, 11, 3), dtype=np.float32), f32(rng, 3, 3, 3, 5), f32(rng, 5)
    want, got = original.conv2d_bias(image, kernel, bias), _call(close, "conv2d_bias", image, kernel, bias)
    assert got.dtype == want.dtype == np.float32 and got.shape == want.shape == (4, 10, 9, 5)
    tol = np.empty(got.shape)
    for i in range(10):
        for j in range(9):
            # the products are the same bits on both sides; only their sum over (1, 2, 3) differs
            p = image[:, i:i + 3, j:j + 3, :, np.newaxis] * kernel[np.newaxis]
            tol[:, i, j, :] = sum_tolerance(p, (1, 2, 3))
    tol = tol + 2 * U32 * np.abs(want.astype(np.float64)) * 1.0001  # + bias, rounded on each side
    assert within(got, want, tol)
    assert not hasattr(exact, "_polyray_dispatch_conv2d_bias")


def test_max_pool_and_integer_ranges_are_bit_for_bit_in_both_modes(modules, monkeypatch):
    _, exact, close = modules
    monkeypatch.setenv("POLYRAY_TARGET", "cpu")
    rng = np.random.default_rng(4)
    x = f32(rng, 3, 8, 10, 4)
    x[0, 1, 1, 2] = np.nan  # a NaN in a window: that window's maximum is NaN, as NumPy's
    x[1, 2:4, 4:6, 0] = -np.inf
    img = rng.integers(-2 ** 31, 2 ** 31, (5, 7, 3)).astype(np.int32)
    for mod in (exact, close):
        for arg in (x, x[:, ::-1]):  # and a view with a negative stride
            assert run_both(mod, "maxpool2x2", arg).variant == "cpu"
        assert run_both(mod, "channel_range", img).variant == "cpu"
        assert run_both(mod, "maxpool2x2", np.zeros((2, 1, 1, 3), np.float32)).variant == "cpu"  # an empty result
        r = run_both(mod, "peak", f32(rng, 3, 4, 5))
        assert r.variant == "cpu" and r.value.shape == (4,)


def test_batchnorm_and_standardized_columns_in_float32(modules, monkeypatch):
    original, exact, close = modules
    monkeypatch.setenv("POLYRAY_TARGET", "cpu")
    rng = np.random.default_rng(5)
    x = f32(rng, 6, 5, 4, 3, scale=3.0) + np.float32(2.0)
    want, got = original.batchnorm(x), _call(close, "batchnorm", x)
    assert got.dtype == want.dtype == np.float32
    xd = x.astype(np.float64)
    mean, std = np.mean(xd, axis=0, keepdims=True), np.std(xd, axis=0, keepdims=True)
    dm = mean_tolerance(x, 0, keepdims=True)
    ds = np.expand_dims(std_tolerance(x, std[0], std[0], 0), 0)
    d, q = np.abs(xd - mean), np.sqrt(std + 1e-5)
    dd = dm + 2 * U32 * (d + dm)  # x - mean, rounded on each side
    dq = (ds + 2 * U32 * (std + 1e-5 + ds)) / (2 * np.sqrt(std + 1e-5 - ds)) + 2 * U32 * (q + 1)
    tol = dd / (q - dq) + d * dq / (q * (q - dq)) + 2 * U32 * (np.abs(want) + dd / (q - dq))
    assert within(got, want, tol * 1.0001)

    data = f32(rng, 200, 7, scale=5.0) + np.float32(10.0)
    want, got = original.standardize32(data), _call(close, "standardize32", data)
    assert got.dtype == want.dtype == np.float32
    dd64 = data.astype(np.float64)
    mu, sd = dd64.mean(axis=0), dd64.std(axis=0)
    dm, ds = mean_tolerance(data, 0), std_tolerance(data, sd, sd, 0)
    d = np.abs(dd64 - mu)
    dd = dm + 2 * U32 * (d + dm)
    tol = dd / (sd - ds) + d * ds / (sd * (sd - ds)) + 2 * U32 * (np.abs(want) + dd / (sd - ds))
    assert within(got, want, tol * 1.0001)
    for name in ("batchnorm", "standardize32"):
        assert not hasattr(exact, f"_polyray_dispatch_{name}")


def test_whole_and_axis_tuple_sums_keep_float32(modules, monkeypatch):
    original, exact, close = modules
    monkeypatch.setenv("POLYRAY_TARGET", "cpu")
    rng = np.random.default_rng(6)
    x = f32(rng, 300, 170, scale=100.0)
    want, got = original.total32(x), _call(close, "total32", x)
    assert type(got) is type(want) is np.float32
    assert got == want  # NumPy's own pairwise order over a contiguous array, in float32: the very same bits
    assert within(original.total32(x.T), _call(close, "total32", x.T), sum_tolerance(x))
    t = f32(rng, 9, 40, 33)
    t[2, 3, 4] = np.inf
    (w1, w2), (g1, g2) = original.plane_sums(t), _call(close, "plane_sums", t)
    assert g1.dtype == g2.dtype == np.float32 and g1.shape == (40,) and g2.shape == (9, 40, 1)
    with np.errstate(invalid="ignore"):
        assert within(g1, w1, sum_tolerance(t, (0, 2)))
        assert within(g2, w2, sum_tolerance(t, -1, contiguous_line=True, keepdims=True))
    assert not hasattr(exact, "_polyray_dispatch_total32") and not hasattr(exact, "_polyray_dispatch_plane_sums")


def test_whole_array_reductions_with_keywords(modules, monkeypatch):
    original, exact, close = modules
    monkeypatch.setenv("POLYRAY_TARGET", "cpu")
    x = f32(np.random.default_rng(8), 40, 30, scale=3.0) + np.float32(5.0)
    (ws, wp), (gs, gp) = original.share_of_total(x), _call(close, "share_of_total", x)
    assert gs.shape == ws.shape and gp.shape == wp.shape == (1, 1) and gs.dtype == ws.dtype == np.float32
    assert np.array_equal(gp, wp)  # max and min: the same element
    total = np.sum(x.astype(np.float64))
    ds = sum_tolerance(x)
    xa = np.abs(x.astype(np.float64))
    assert within(gs, ws, xa * ds / (total * (total - ds)) + 2 * U32 * np.abs(ws) * 1.0001)
    assert not hasattr(exact, "_polyray_dispatch_share_of_total")  # its float32 sum keeps the original


def test_a_local_rebound_to_another_dtype_and_rank(modules, monkeypatch):
    original, exact, close = modules
    monkeypatch.setenv("POLYRAY_TARGET", "cpu")
    rng = np.random.default_rng(7)
    x, w = f32(rng, 2, 6, 8, 3), rng.standard_normal((36, 5))
    want, got = original.pooled_features(x, w), _call(close, "pooled_features", x, w)
    assert got.dtype == want.dtype == np.float64 and got.shape == want.shape == (2, 5)
    from polyray.runtime.close_bounds import product_tolerance
    pooled = np.max(x.astype(np.float64).reshape(2, 3, 2, 4, 2, 3), axis=(2, 4)).reshape(2, 36)
    assert within(got, want, product_tolerance(pooled, w))  # max-pool exact, the product by BLAS
    assert "x__1" in open(close.__file__).read()  # each binding its own local in the variant


def test_bad_inputs_raise_as_the_original(modules, monkeypatch):
    _, exact, close = modules
    monkeypatch.setenv("POLYRAY_TARGET", "cpu")
    for mod in (exact, close):
        # an empty window axis: NumPy's ValueError (a reduction without identity), before anything is returned
        r = run_both(mod, "maxpool2x2", np.zeros((2, 0, 0, 3), np.float32))
        assert r.status == "ok"  # no window at all: nothing reduced, an empty result
        r = run_both(mod, "channel_range", np.zeros((0, 4, 3), np.int32))
        assert r.status == "ValueError" and r.variant == "cpu"
        # of unknown rank: axes (0, -1) repeat on a vector (ValueError), leave a 2-d array's result 0-d (the original
        # runs: the compiler typed an array), and a 0-d array has no axis 0 (AxisError)
        for arg in (np.ones(3, np.float32), np.ones((2, 2), np.float32), np.float32(1.0) * np.ones((), np.float32)):
            r = run_both(mod, "peak", arg)
            assert r.status in ("ok", "ValueError", "AxisError"), r
    # a wrong rank or dtype for a hinted parameter: the guard runs the original, which raises as NumPy does
    assert run_both(close, "row_softmax", np.ones((2, 2, 2), np.float32)).status == "ok"
    # channels that do not match: the product's broadcast raises ValueError in both (Numba words it its own way)
    r = run_both(close, "conv2d_bias", np.ones((1, 4, 4, 3), np.float32), np.ones((2, 2, 2, 5), np.float32),
                 np.ones(5, np.float32), messages=False)
    assert r.status == "ValueError" and r.variant == "cpu"
