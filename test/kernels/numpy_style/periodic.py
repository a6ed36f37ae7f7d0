"""Periodic boundaries and other divided subscripts, written as scientists write them
(scop/wrapped-index.ts, poly/negative-indices.ts): `u[(i + 1) % n]`, `u[i - 1]` at i = 0
(Python's own wrap), `w[i % m]` with m another array's length or a parameter, `u[i // 2]`,
2-d stencils wrapping in both dimensions, Game of Life on a torus, a roll written as a loop.
The first group's loops are parallel; the twins at the end update in place through a
wrap-around and must stay sequential."""
import numpy as np
import numpy.typing as npt


def periodic_diff(u: npt.NDArray[np.float64]) -> npt.NDArray[np.float64]:
    n = u.shape[0]
    out = np.empty(n)
    for i in range(n):
        out[i] = u[(i + 1) % n] - u[(i - 1) % n]
    return out


def periodic_laplacian(u: npt.NDArray[np.float64], dx: float) -> npt.NDArray[np.float64]:
    n = len(u)
    lap = np.zeros_like(u)
    for i in range(n):
        lap[i] = (u[i - 1] - 2.0 * u[i] + u[(i + 1) % n]) / (dx * dx)
    return lap


def heat_periodic(u: npt.NDArray[np.float64], alpha: float) -> npt.NDArray[np.float64]:
    n, m = u.shape
    new = np.empty_like(u)
    for i in range(n):
        for j in range(m):
            new[i, j] = u[i, j] + alpha * (u[(i + 1) % n, j] + u[(i - 1) % n, j]
                                           + u[i, (j + 1) % m] + u[i, (j - 1) % m] - 4.0 * u[i, j])
    return new


def heat_periodic_into(u: npt.NDArray[np.float64], out: npt.NDArray[np.float64], alpha: float) -> None:
    n, m = u.shape
    for i in range(n):
        for j in range(m):
            out[i, j] = u[i, j] + alpha * (u[i - 1, j] + u[(i + 1) % n, j] + u[i, j - 1] + u[i, (j + 1) % m] - 4.0 * u[i, j])


def life_step(grid: npt.NDArray[np.int64]) -> npt.NDArray[np.int64]:
    n, m = grid.shape
    new = np.zeros((n, m), dtype=np.int64)
    for i in range(n):
        for j in range(m):
            alive = 0
            for di in range(-1, 2):
                for dj in range(-1, 2):
                    if di != 0 or dj != 0:
                        alive += grid[(i + di) % n, (j + dj) % m]
            if grid[i, j] == 1 and (alive == 2 or alive == 3):
                new[i, j] = 1
            elif grid[i, j] == 0 and alive == 3:
                new[i, j] = 1
    return new


def roll_right(u: npt.NDArray[np.float64], k: int) -> npt.NDArray[np.float64]:
    n = u.shape[0]
    out = np.empty_like(u)
    for i in range(n):
        out[i] = u[(i - k) % n]
    return out


def tile_into(out: npt.NDArray[np.float64], w: npt.NDArray[np.float64]) -> None:
    m = w.shape[0]
    for i in range(out.shape[0]):
        out[i] = w[i % m]


def windowed(x: npt.NDArray[np.float64], w: npt.NDArray[np.float64], period: int) -> npt.NDArray[np.float64]:
    y = np.empty(x.shape[0])
    for i in range(x.shape[0]):
        y[i] = x[i] * w[i % period]
    return y


def three_phase(x: npt.NDArray[np.float64], gains: npt.NDArray[np.float64]) -> npt.NDArray[np.float64]:
    y = np.empty_like(x)
    for i in range(x.shape[0]):
        y[i] = gains[i % 3] * x[i]
    return y


def upsample(coarse: npt.NDArray[np.float64], fine: npt.NDArray[np.float64]) -> None:
    for i in range(fine.shape[0]):
        fine[i] = 0.5 * (coarse[i // 2] + coarse[(i + 1) // 2])


# ---- twins: a wrap-around write or in-place update carries a dependence: sequential


def shift_left_inplace(u: npt.NDArray[np.float64]) -> None:
    n = u.shape[0]
    for i in range(n):
        u[i] = u[(i + 1) % n]


def wrap_write(u: npt.NDArray[np.float64]) -> None:
    n = u.shape[0]
    for i in range(n):
        u[(i + 1) % n] = u[i] + 1.0


def smooth_inplace(u: npt.NDArray[np.float64], k: int) -> None:
    n = u.shape[0]
    for i in range(n):
        u[i] = 0.5 * (u[i] + u[(i + k) % n])


def fold_mod3(u: npt.NDArray[np.float64], acc: npt.NDArray[np.float64]) -> None:
    for i in range(u.shape[0]):
        acc[i % 3] += u[i]


def roll_scatter(u: npt.NDArray[np.float64], k: int) -> npt.NDArray[np.float64]:
    n = u.shape[0]
    out = np.empty_like(u)
    for i in range(n):
        out[(i + k) % n] = u[i]
    return out


def wrap_only_dependence(u: npt.NDArray[np.float64], v: npt.NDArray[np.float64]) -> None:
    n = v.shape[0]
    for i in range(n):
        u[i - n] = v[i]
        v[i] = 2.0 * u[i]
