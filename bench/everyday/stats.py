"""Everyday data-analysis kernels: clustering, distances, softmax, moving averages, cleaning with masks,
Monte Carlo, nearest neighbours, standardization."""
import numpy as np


def kmeans_assign(X, centers):
    """Label of the nearest center for every point, with loops."""
    n = X.shape[0]
    k = centers.shape[0]
    labels = np.empty(n, dtype=np.int64)
    for i in range(n):
        best = np.inf
        best_j = 0
        for j in range(k):
            d = np.sum((X[i] - centers[j]) ** 2)
            if d < best:
                best = d
                best_j = j
        labels[i] = best_j
    return labels


def kmeans_update(X: np.ndarray, labels: np.ndarray, k: int) -> np.ndarray:
    """New centers: the mean of each cluster's points, through a mask."""
    centers = np.zeros((k, X.shape[1]))
    for j in range(k):
        members = X[labels == j]
        if members.shape[0] > 0:
            centers[j] = members.mean(axis=0)
    return centers


def pairwise_broadcast(X):
    """All pairwise Euclidean distances by broadcasting."""
    diff = X[:, np.newaxis, :] - X[np.newaxis, :, :]
    return np.sqrt(np.sum(diff ** 2, axis=-1))


def pairwise_loops(X: np.ndarray) -> np.ndarray:
    """All pairwise Euclidean distances with loops, filling both halves."""
    n, d = X.shape
    D = np.zeros((n, n))
    for i in range(n):
        for j in range(i + 1, n):
            s = 0.0
            for k in range(d):
                t = X[i, k] - X[j, k]
                s += t * t
            D[i, j] = np.sqrt(s)
            D[j, i] = D[i, j]
    return D


def softmax_rows(x):
    """Numerically stable softmax of each row."""
    e = np.exp(x - np.max(x, axis=1, keepdims=True))
    return e / np.sum(e, axis=1, keepdims=True)


def logsumexp(x: np.ndarray) -> float:
    m = np.max(x)
    return m + np.log(np.sum(np.exp(x - m)))


def moving_average(x, w):
    """The cumsum trick for a running mean of window w."""
    ret = np.cumsum(x)
    ret[w:] = ret[w:] - ret[:-w]
    return ret[w - 1:] / w


def clean_series(x: np.ndarray, lo: float, hi: float) -> np.ndarray:
    """Replace NaNs by 0 and clamp outliers, with boolean masks on a copy."""
    y = x.copy()
    y[np.isnan(y)] = 0.0
    y[y < lo] = lo
    y[y > hi] = hi
    return y


def monte_carlo_pi(xy):
    """Fraction of random points inside the quarter circle, times 4."""
    inside = xy[:, 0] ** 2 + xy[:, 1] ** 2 <= 1.0
    return 4.0 * np.count_nonzero(inside) / xy.shape[0]


def monte_carlo_pi_loop(xs: np.ndarray, ys: np.ndarray) -> float:
    hits = 0
    for i in range(xs.shape[0]):
        if xs[i] * xs[i] + ys[i] * ys[i] <= 1.0:
            hits += 1
    return 4.0 * hits / xs.shape[0]


def nearest_neighbour(queries, points):
    """Index of the nearest point for every query, one distance row at a time."""
    idx = np.empty(queries.shape[0], dtype=np.int64)
    for i in range(queries.shape[0]):
        d = np.sum((points - queries[i]) ** 2, axis=1)
        idx[i] = np.argmin(d)
    return idx


def standardize(X: np.ndarray) -> np.ndarray:
    """Z-scores of each column."""
    return (X - X.mean(axis=0)) / X.std(axis=0)


def weighted_histogram(values, weights, lo, hi, nbins):
    """Histogram with weights, by computing each bin index."""
    h = np.zeros(nbins)
    width = (hi - lo) / nbins
    for i in range(values.shape[0]):
        b = int((values[i] - lo) / width)
        if 0 <= b < nbins:
            h[b] += weights[i]
    return h
