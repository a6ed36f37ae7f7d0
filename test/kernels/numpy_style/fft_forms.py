"""np.fft's n-d transforms, norm= and axes=, as people write them: test/python/test_fft_forms.py
compiles this file in both numerics modes (exact: NumPy's transform through objmode, its bits;
close: rocket-fft within close_bounds.fft_tolerance)."""
import numpy as np


def unitary_spectrum(x: np.ndarray[tuple[int], np.dtype[np.float64]]):
    # Parseval holds with norm='ortho'
    return np.fft.fft(x, norm="ortho")


def mean_normalized(x: np.ndarray[tuple[int], np.dtype[np.complex128]]):
    return np.fft.ifft(x, norm="forward")


def volume_spectrum(V: np.ndarray[tuple[int, int, int], np.dtype[np.float64]]):
    return np.fft.fftn(V)


def volume_back(F: np.ndarray[tuple[int, int, int], np.dtype[np.complex128]]):
    return np.fft.ifftn(F, axes=(0, 1, 2), norm="ortho")


def image_half_spectrum(img: np.ndarray[tuple[int, int], np.dtype[np.float64]]):
    return np.fft.rfft2(img)


def image_back(H: np.ndarray[tuple[int, int], np.dtype[np.complex128]], n: int, m: int):
    return np.fft.irfft2(H, s=(n, m))


def per_slice(V: np.ndarray[tuple[int, int, int], np.dtype[np.float32]]):
    # a 2-d transform of every slice along the first axis
    return np.fft.fft2(V, axes=(1, 2))


def real_volume(V: np.ndarray[tuple[int, int, int], np.dtype[np.float64]]):
    R = np.fft.rfftn(V, axes=(0, 2))
    return np.fft.irfftn(R, s=(V.shape[0], V.shape[2]), axes=(0, 2))
