"""Loops as scientists write them beyond `for i in range(n)` (issue 17): convergence loops
(`while err > tol`, `while True: ... break`), searches, Newton iterations inside a
parallel loop, iteration over an array's elements and rows, enumerate, zip, and
backward sweeps with reversed(range(...))."""
import numpy as np


def relax(u: np.ndarray, f: np.ndarray, tol: float, max_sweeps: int) -> int:
    """Jacobi sweeps on a 1-d Poisson problem until the update is small."""
    n = u.shape[0]
    new = np.zeros(n)
    sweeps = 0
    change = tol + 1.0
    while change > tol and sweeps < max_sweeps:
        for i in range(1, n - 1):
            new[i] = 0.5 * (u[i - 1] + u[i + 1] - f[i])
        change = 0.0
        for i in range(1, n - 1):
            change = max(change, abs(new[i] - u[i]))
            u[i] = new[i]
        sweeps += 1
    return sweeps


def halvings(x: float, floor: float) -> int:
    count = 0
    while True:
        if x <= floor:
            break
        x = x / 2.0
        count += 1
    return count


def first_above(x: np.ndarray, level: float) -> int:
    i = 0
    n = len(x)
    while i < n and x[i] <= level:
        i += 1
    return i


def newton_sqrt(a: np.ndarray, out: np.ndarray, tol: float) -> None:
    for k in range(a.shape[0]):
        x = a[k] + 1.0
        it = 0
        while abs(x * x - a[k]) > tol * a[k] and it < 60:
            x = 0.5 * (x + a[k] / x)
            it += 1
        out[k] = x


def total(x: np.ndarray) -> float:
    s = 0.0
    for v in x:
        s += v
    return s


def row_peaks(A: np.ndarray, out: np.ndarray) -> None:
    for i, row in enumerate(A):
        best = row[0]
        for v in row:
            if v > best:
                best = v
        out[i] = best


def weighted(x: np.ndarray, w: np.ndarray) -> float:
    s = 0.0
    for xi, wi in zip(x, w):
        s += xi * wi
    return s


def path_length(P: np.ndarray) -> float:
    length = 0.0
    for k, (x, y) in enumerate(P[1:], 1):
        dx = x - P[k - 1, 0]
        dy = y - P[k - 1, 1]
        length += np.sqrt(dx * dx + dy * dy)
    return length


def back_substitute(U: np.ndarray, b: np.ndarray) -> np.ndarray:
    n = U.shape[0]
    x = np.zeros(n)
    for i in reversed(range(n)):
        s = b[i]
        for j in range(i + 1, n):
            s -= U[i, j] * x[j]
        x[i] = s / U[i, i]
    return x


def adler32(data: np.ndarray[tuple[int], np.dtype[np.int64]]):
    a = np.int64(1)
    b = np.int64(0)
    for byte in data:
        a = (a + byte) % 65521
        b = (b + a) % 65521
    return a, b


def countdown_fill(out: np.ndarray) -> None:
    n = out.shape[0]
    for i in range(n - 1, -1, -2):
        out[i] = i
    for i in reversed(range(0, n, 3)):
        out[i] += 0.5


def crc16(data: np.ndarray[tuple[int], np.dtype[np.uint8]], poly: int = 0x8408) -> int:
    """CRC-16-CCITT over bytes, bit by bit: Python ints masked into range meet uint8 elements."""
    crc = 0xFFFF
    for b in data:
        cur_byte = 0xFF & b
        for _ in range(0, 8):
            if (crc & 0x0001) ^ (cur_byte & 0x0001):
                crc = (crc >> 1) ^ poly
            else:
                crc >>= 1
            cur_byte >>= 1
    crc = (~crc & 0xFFFF)
    crc = (crc << 8) | ((crc >> 8) & 0xFF)
    return crc & 0xFFFF


def bit_votes(a: np.ndarray[tuple[int], np.dtype[np.int8]], b: np.ndarray[tuple[int], np.dtype[np.uint16]]) -> int:
    """Conditions on bits of signed and unsigned narrow elements (types/tested-casts.ts: only their truth counts)."""
    n = 0
    for i in range(a.shape[0]):
        x = a[i]
        y = b[i]
        if not (x & 0x41) ^ (y & 0x3):
            n += 1
        n += 2 if (~y & 0x8000) | (x & 1) else 0
        v = y
        while v & 0x00F0:
            v = v >> 1
            n += 1
        if (y << 4) >> 12:
            n += 5
        m = (x & 0x41) ^ (y & 0x3)
        if m > 0x40:
            n += 7
    return n
