"""np.fft in compiled code (issue 17; types/fft-calls.ts, runtime/fft_helpers.py).

`exact` mode calls NumPy's own transform from the compiled variant (numba.objmode): the
results are the original's bit for bit. `close` mode computes it with rocket-fft, within
close_bounds.fft_tolerance per element (dtype, shape, exceptions and the writes before
them exactly the original's; input holding inf or NaN goes to NumPy's transform, so its
inf/NaN positions are NumPy's). Written as people write spectra: rfft/irfft filters,
fftfreq and fftshift, fft2 convolution with `img.shape`, a loop over rows, float32 data.
"""
from __future__ import annotations

import importlib.util
import textwrap

import numpy as np
import pytest

from compiled import compile_and_import, compare_with_original, outcome, run_both
from polyray.runtime.close_bounds import fft_tolerance

pytest.importorskip("rocket_fft")

KERNELS = textwrap.dedent('''
    import numpy as np
    import numpy.typing as npt
    from numpy.fft import fft, ifft


    def lowpass(x: npt.NDArray[np.float64], keep: int) -> npt.NDArray[np.float64]:
        n = x.shape[0]
        X = np.fft.rfft(x)
        X[keep:] = 0.0
        return np.fft.irfft(X, n)


    def power_spectrum(signal: npt.NDArray[np.float64], dt: float):
        n = signal.shape[0]
        spec = np.fft.fft(signal)
        p = spec.real * spec.real + spec.imag * spec.imag
        freqs = np.fft.fftfreq(n, d=dt)
        return np.fft.fftshift(freqs), np.fft.fftshift(p)


    def smooth2d(img: np.ndarray[tuple[int, int], np.dtype[np.float64]], kern: np.ndarray[tuple[int, int], np.dtype[np.float64]]):
        F = np.fft.fft2(img)
        K = np.fft.fft2(kern, img.shape)
        return np.fft.ifft2(F * K).real


    def rows_fft(A: np.ndarray[tuple[int, int], np.dtype[np.float64]]):
        m, n = A.shape
        out = np.empty((m, n), dtype=np.complex128)
        for i in range(m):
            out[i, :] = np.fft.fft(A[i, :])
        return out


    def columns(A: np.ndarray[tuple[int, int], np.dtype[np.complex128]], n: int):
        return np.fft.ifft(A, n, axis=0)


    def single(x: npt.NDArray[np.float32]):
        return np.fft.fft(x), np.fft.rfft(x)


    def padded(x: npt.NDArray[np.float64], n: int, out: npt.NDArray[np.float64]):
        out[0] = 1.0
        y = np.fft.fft(x, n)
        out[1] = 2.0
        return y


    def freqs(n: int, d: float):
        return np.fft.ifftshift(np.fft.fftfreq(n, d))


    def roundtrip(x: npt.NDArray[np.float64]):
        return ifft(fft(x)).real


    def bad_axis(x: npt.NDArray[np.float64]):
        return np.fft.fft(x, axis=3)
''')

NAMES = ("lowpass", "power_spectrum", "smooth2d", "rows_fft", "columns", "single", "padded", "freqs", "roundtrip")


@pytest.fixture(scope="module")
def modules(tmp_path_factory):
    d = tmp_path_factory.mktemp("fft")
    src = d / "fft_kernels.py"
    src.write_text(KERNELS)
    return {m: compile_and_import(src, d, f"fft_kernels_{m}", "--numerics", m) for m in ("exact", "close")}


def _cases(rng: np.random.Generator):
    img = rng.standard_normal((24, 20))
    return [
        ("lowpass", (rng.standard_normal(101), 10)),
        ("lowpass", (rng.standard_normal(64), 5)),
        ("power_spectrum", (rng.standard_normal(97), 0.01)),
        ("smooth2d", (img, rng.standard_normal((5, 5)))),
        ("rows_fft", (rng.standard_normal((6, 31)),)),
        ("columns", (rng.standard_normal((12, 5)) + 1j * rng.standard_normal((12, 5)), 16)),
        ("single", (rng.standard_normal(50).astype(np.float32),)),
        ("padded", (rng.standard_normal(30), 45, np.zeros(2))),
        ("padded", (rng.standard_normal(30), 7, np.zeros(2))),
        ("freqs", (9, 0.5)),
        ("freqs", (10, 2.0)),
        ("roundtrip", (rng.standard_normal(60),)),  # imported from numpy.fft by name
    ]


def _flat(value):
    return list(value) if isinstance(value, tuple) else [value]


def test_every_kernel_is_accelerated_in_both_modes(modules):
    for mode, mod in modules.items():
        for name in NAMES:
            assert hasattr(mod, f"_polyray_dispatch_{name}"), (mode, name)
        assert not hasattr(mod, "_polyray_dispatch_bad_axis"), mode  # axis 3 of a vector: NumPy's AxisError, from the original


def test_exact_mode_gives_numpys_bits(modules, monkeypatch):
    monkeypatch.setenv("POLYRAY_TARGET", "cpu")
    for name, args in _cases(np.random.default_rng(1)):
        ran = run_both(modules["exact"], name, *args)
        assert ran.status == "ok" and ran.variant == "cpu", (name, ran.records)


def _close_tolerances(name: str, args: tuple) -> list:
    """Per output of the kernel, |compiled - original| allowed per element: each transform's bound
    (close_bounds.fft_tolerance) carried through the exact arithmetic around it."""
    a = args[0]
    if name == "lowpass":
        n = a.shape[0]
        t1 = fft_tolerance("rfft", a, n)
        X = np.fft.rfft(a)
        # irfft of a spectrum each of whose n//2 + 1 entries moved by t1: at most 2 (n//2 + 1) t1 / n more
        return [fft_tolerance("irfft", X, n) + 2 * (n // 2 + 1) * t1 / n]
    if name == "power_spectrum":
        t = fft_tolerance("fft", a, a.shape[0])
        # re^2 + im^2 moves by at most 2 (2|X| + t) t, plus its own roundings: 2 u |X|^2 on each side
        X = np.abs(np.fft.fftshift(np.fft.fft(a)))
        return [0.0, 2 * t * (2 * X + t) + 4 * 2.0 ** -53 * X * X]
    if name == "smooth2d":
        F, K = np.fft.fft2(a), np.fft.fft2(args[1], a.shape)
        tF, tK = fft_tolerance("fft2", a, a.size), fft_tolerance("fft2", args[1], a.size)
        dFK = np.abs(F) * tK + np.abs(K) * tF + tF * tK
        return [float(np.sum(dFK)) / a.size + fft_tolerance("ifft2", F * K, a.size)]
    if name == "rows_fft":
        return [max(fft_tolerance("fft", row, a.shape[1]) for row in a)]
    if name == "columns":
        return [fft_tolerance("ifft", a, args[1])]  # the whole array's sum: at least each column's
    if name == "single":
        return [fft_tolerance("fft", a, a.shape[0]), fft_tolerance("rfft", a, a.shape[0])]
    if name == "padded":
        return [fft_tolerance("fft", a, args[1])]
    if name == "roundtrip":  # ifft of a spectrum each of whose entries moved by t1: at most t1 more
        n = a.shape[0]
        return [fft_tolerance("fft", a, n) + fft_tolerance("ifft", np.fft.fft(a), n)]
    return [0.0]  # fftfreq and the shifts: exact


def test_close_mode_is_within_the_bound(modules, monkeypatch):
    monkeypatch.setenv("POLYRAY_TARGET", "cpu")
    import polyray.runtime as rt

    mod = modules["close"]
    differ = 0
    for name, args in _cases(np.random.default_rng(2)):
        rt.clear_history()
        got = outcome(getattr(mod, name), *[a.copy() if isinstance(a, np.ndarray) else a for a in args])
        assert rt.history()[-1]["variant"] == "cpu", (name, rt.history())
        want = outcome(getattr(mod, f"_polyray_original_{name}"), *[a.copy() if isinstance(a, np.ndarray) else a for a in args])
        assert got[0] == want[0] == "ok", (name, got, want)
        for g, w, tol in zip(_flat(got[1]), _flat(want[1]), _close_tolerances(name, args)):
            assert g.dtype == w.dtype and g.shape == w.shape, name
            assert np.all(np.abs(g - w) <= tol), (name, float(np.max(np.abs(g - w))), tol)
            differ += not np.array_equal(g, w)
    # the bound is no blanket tolerance: rocket-fft's last bits differ from NumPy's on these sizes
    assert differ >= 3


def test_close_mode_keeps_numpys_inf_and_nan(modules, monkeypatch):
    monkeypatch.setenv("POLYRAY_TARGET", "cpu")
    rng = np.random.default_rng(4)
    for special in (np.inf, -np.inf, np.nan):
        x = rng.standard_normal(40)
        x[[3, 17]] = special
        ran = run_both(modules["close"], "power_spectrum", x, 0.1)
        assert ran.variant == "cpu"
        img = rng.standard_normal((8, 9))
        img[2, 2] = special
        assert run_both(modules["close"], "smooth2d", img, np.ones((2, 2))).variant == "cpu"


@pytest.mark.parametrize("mode", ["exact", "close"])
def test_bad_inputs_raise_as_numpy(modules, mode, monkeypatch):
    monkeypatch.setenv("POLYRAY_TARGET", "cpu")
    mod = modules[mode]
    loose = ("ValueError",) if mode == "close" else ()  # rocket-fft words NumPy's ValueError its own way
    # n = 0 and n < 0: ValueError, and the write before the transform happened in both
    for args in ((np.ones(5), 0, np.zeros(2)), (np.ones(5), -3, np.zeros(2)), (np.zeros(0), 0, np.zeros(2))):
        ran = run_both(mod, "padded", *args, loose_messages=loose)
        assert ran.status == "ValueError", ran
    # an empty signal padded to n points is no error (zeros; in close mode a zero's sign may differ, as any rounding)
    if mode == "exact":
        assert run_both(mod, "padded", np.zeros(0), 4, np.zeros(2)).status == "ok"
    else:
        assert np.array_equal(mod.padded(np.zeros(0), 4, np.zeros(2)), np.zeros(4, dtype=np.complex128))
    # an empty signal without n: ValueError
    ran = run_both(mod, "lowpass", np.zeros(0), 1, loose_messages=loose)
    assert ran.status == "ValueError"
    # fftfreq: n = 0 divides by zero (NumPy's 1.0 / (n * d)), a negative n is a negative dimension
    assert run_both(mod, "freqs", 0, 1.0).status == "ZeroDivisionError"
    assert run_both(mod, "freqs", 4, 0.0).status == "ZeroDivisionError"
    assert run_both(mod, "freqs", -3, 1.0, messages=False).status == "ValueError"
    # a wrong axis: the original only, which raises as NumPy does
    x = np.ones(4)
    got, want = outcome(mod.bad_axis, x), outcome(lambda v: np.fft.fft(v, axis=3), x)
    assert got == want and got[0] != "ok"
    # a wrong dtype of a hinted argument: the guard sends it to the original
    ran = compare_with_original(mod.single, mod._polyray_original_single, np.arange(5.0))
    assert ran.variant != "cpu"


def test_no_gpu_variant_and_the_close_note(tmp_path):
    """np.fft has no device form; close mode's report names the bound at each transform."""
    import json
    import subprocess

    from compiled import ROOT

    src = tmp_path / "k.py"
    src.write_text(KERNELS)
    report = tmp_path / "r.json"
    subprocess.run(["node", str(ROOT / "bin/polyray.mjs"), "compile", str(src), "-o", str(tmp_path / "o.py"), "--report", str(report),
                    "--numerics", "close", "--targets", "cpu,gpu"], check=True, cwd=ROOT)
    fns = {f["name"]: f for f in json.loads(report.read_text())["functions"]}
    assert "gpu" not in fns["rows_fft"]["variants"] and "cpu" in fns["rows_fft"]["variants"]
    notes = [n["operation"] for n in fns["lowpass"]["closeNotes"]]
    assert notes == ["np.fft.rfft", "np.fft.irfft"]
    assert fns["freqs"]["closeNotes"] == []  # fftfreq and the shifts are exact


def test_original_module_runs(tmp_path):
    """The kernels as written run under plain NumPy (the test's own premise)."""
    src = tmp_path / "plain.py"
    src.write_text(KERNELS)
    spec = importlib.util.spec_from_file_location("plain_fft", src)
    assert spec and spec.loader
    plain = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(plain)
    assert plain.lowpass(np.ones(8), 2).shape == (8,)
