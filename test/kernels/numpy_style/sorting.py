"""Sorting as scientists write it (issue 17): medians and order statistics, nearest neighbours,
ranks, class labels, histogram bins by binary search, in-place sorts of rows and columns."""
import numpy as np
import numpy.typing as npt


def row_medians(X: np.ndarray[tuple[int, int], np.dtype[np.float64]]) -> npt.NDArray[np.float64]:
    n, m = X.shape
    s = np.sort(X, axis=1)
    return s[:, m // 2]


def sorted_views(X: np.ndarray[tuple[int, int], np.dtype[np.float64]]):
    # every value in order, and each column in order
    return np.sort(X, axis=None), np.sort(X, axis=0), np.sort(X, kind='stable')


def k_nearest(points: npt.NDArray[np.float64], q: float, k: int) -> npt.NDArray[np.int64]:
    d = np.abs(points - q)
    idx = np.argsort(d)
    return idx[:k]


def stable_order(x: npt.NDArray[np.int64]):
    order = np.argsort(x, kind='stable')
    return order, x[order]


def winsor_bounds(x: npt.NDArray[np.float64], keep: int):
    # the bounds of a winsorized sample: sort in place, read the order statistics
    x.sort()
    n = x.shape[0]
    return x[keep], x[n - 1 - keep]


def sort_each_row(X: np.ndarray[tuple[int, int], np.dtype[np.float64]]):
    n = X.shape[0]
    for i in range(n):
        X[i].sort()


def sort_columns(C: np.ndarray[tuple[int, int], np.dtype[np.int64]]):
    C.sort(axis=0)


def class_labels(y: npt.NDArray[np.int64]):
    classes = np.unique(y)
    return classes, classes.shape[0]


def distinct_levels(v: npt.NDArray[np.float64]) -> npt.NDArray[np.float64]:
    return np.unique(v)


def bin_of(edges: npt.NDArray[np.float64], x: npt.NDArray[np.float64]):
    return np.searchsorted(edges, x, side='right') - 1, np.searchsorted(edges, x[0])


def insert_positions(a: npt.NDArray[np.int64], v: int):
    return np.searchsorted(a, v), np.searchsorted(a, v, 'right')


def flags_in_order(b: npt.NDArray[np.bool_], w: npt.NDArray[np.float32]):
    return np.sort(b), np.argsort(b, kind='mergesort'), np.sort(w)


def sort_past_rank(X: np.ndarray[tuple[int, int], np.dtype[np.float64]]):
    return np.sort(X, axis=2)


def heap_order(x: npt.NDArray[np.float64]):
    return np.argsort(x, kind='heapsort')


def unique_counts(y: npt.NDArray[np.int64]):
    return np.unique(y, return_counts=True)
