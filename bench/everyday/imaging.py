"""Everyday image and grid kernels: fractals with while loops, Game of Life, cellular automata, blurs,
edges, histogram equalization."""
import numpy as np


def mandelbrot(xmin, xmax, ymin, ymax, width, height, maxiter):
    """Escape counts with a while loop per pixel, real arithmetic."""
    out = np.zeros((height, width), dtype=np.int32)
    for j in range(height):
        y = ymin + j * (ymax - ymin) / height
        for i in range(width):
            x = xmin + i * (xmax - xmin) / width
            zr = 0.0
            zi = 0.0
            n = 0
            while zr * zr + zi * zi <= 4.0 and n < maxiter:
                zr, zi = zr * zr - zi * zi + x, 2.0 * zr * zi + y
                n += 1
            out[j, i] = n
    return out


def julia(re: np.ndarray, im: np.ndarray, c: complex, maxiter: int) -> np.ndarray:
    """Julia set with complex numbers."""
    counts = np.empty((im.shape[0], re.shape[0]), dtype=np.int64)
    for j in range(im.shape[0]):
        for i in range(re.shape[0]):
            z = complex(re[i], im[j])
            n = 0
            while abs(z) < 2.0 and n < maxiter:
                z = z * z + c
                n += 1
            counts[j, i] = n
    return counts


def life_step(grid):
    """One Game of Life generation with slices (fixed dead border)."""
    nb = (grid[:-2, :-2] + grid[:-2, 1:-1] + grid[:-2, 2:] +
          grid[1:-1, :-2] + grid[1:-1, 2:] +
          grid[2:, :-2] + grid[2:, 1:-1] + grid[2:, 2:])
    new = np.zeros_like(grid)
    inner = grid[1:-1, 1:-1]
    new[1:-1, 1:-1] = ((nb == 3) | ((inner == 1) & (nb == 2)))
    return new


def life_periodic(grid: np.ndarray, generations: int) -> np.ndarray:
    """Game of Life on a torus with explicit loops and modulo indices."""
    n, m = grid.shape
    cur = grid.copy()
    nxt = np.empty_like(grid)
    for g in range(generations):
        for i in range(n):
            for j in range(m):
                alive = 0
                for di in range(-1, 2):
                    for dj in range(-1, 2):
                        if di != 0 or dj != 0:
                            alive += cur[(i + di) % n, (j + dj) % m]
                if cur[i, j] == 1:
                    nxt[i, j] = 1 if alive == 2 or alive == 3 else 0
                else:
                    nxt[i, j] = 1 if alive == 3 else 0
        cur, nxt = nxt, cur
    return cur


def elementary_automaton(cells, rule, steps):
    """Wolfram's elementary cellular automaton (rule 30, 110...) on a ring; the history of every step."""
    n = cells.shape[0]
    history = np.zeros((steps, n), dtype=np.uint8)
    for t in range(steps):
        history[t] = cells
        new = np.zeros_like(cells)
        for i in range(n):
            idx = 4 * cells[(i - 1) % n] + 2 * cells[i] + cells[(i + 1) % n]
            new[i] = (rule >> idx) & 1
        cells = new
    return history


def box_blur(img: np.ndarray) -> np.ndarray:
    """3x3 mean filter with slices; the border is copied."""
    out = img.copy()
    out[1:-1, 1:-1] = (img[:-2, :-2] + img[:-2, 1:-1] + img[:-2, 2:] +
                       img[1:-1, :-2] + img[1:-1, 1:-1] + img[1:-1, 2:] +
                       img[2:, :-2] + img[2:, 1:-1] + img[2:, 2:]) / 9.0
    return out


def sobel_magnitude(img):
    """Gradient magnitude with Sobel filters written as slices."""
    gx = (img[:-2, 2:] + 2 * img[1:-1, 2:] + img[2:, 2:]) - (img[:-2, :-2] + 2 * img[1:-1, :-2] + img[2:, :-2])
    gy = (img[2:, :-2] + 2 * img[2:, 1:-1] + img[2:, 2:]) - (img[:-2, :-2] + 2 * img[:-2, 1:-1] + img[:-2, 2:])
    return np.hypot(gx, gy)


def equalize(img):
    """Histogram equalization of an 8-bit image through its cumulative histogram."""
    hist = np.bincount(img.ravel(), minlength=256)
    cdf = np.cumsum(hist)
    cdf_min = cdf[cdf > 0][0]
    lut = np.round((cdf - cdf_min) * 255.0 / (cdf[-1] - cdf_min))
    lut = np.clip(lut, 0, 255).astype(np.uint8)
    return lut[img]


def normalize_image(img: np.ndarray) -> np.ndarray:
    """Rescale to [0, 1]."""
    lo = img.min()
    hi = img.max()
    return (img - lo) / (hi - lo)
