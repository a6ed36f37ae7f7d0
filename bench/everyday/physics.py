"""Everyday physics kernels, written the way they appear in scientists' scripts (n-body, ODEs, PDE relaxation,
particle deposits, rotations). Some carry hints, some do not (the first call gives their types)."""
import numpy as np


def nbody_accel(pos, mass, G, softening):
    """Accelerations of every body, all pairs at once by broadcasting (the common NumPy n-body script)."""
    x = pos[:, 0:1]
    y = pos[:, 1:2]
    z = pos[:, 2:3]
    dx = x.T - x
    dy = y.T - y
    dz = z.T - z
    inv_r3 = (dx**2 + dy**2 + dz**2 + softening**2) ** (-1.5)
    ax = G * (dx * inv_r3) @ mass
    ay = G * (dy * inv_r3) @ mass
    az = G * (dz * inv_r3) @ mass
    return np.hstack((ax, ay, az))


def nbody_steps(pos: np.ndarray, vel: np.ndarray, mass: np.ndarray, dt: float, steps: int) -> float:
    """Leapfrog steps with explicit pair loops; returns the kinetic energy at the end."""
    n = pos.shape[0]
    acc = np.zeros_like(pos)
    for step in range(steps):
        acc[:] = 0.0
        for i in range(n):
            for j in range(n):
                if i != j:
                    dx = pos[j, 0] - pos[i, 0]
                    dy = pos[j, 1] - pos[i, 1]
                    dz = pos[j, 2] - pos[i, 2]
                    r2 = dx * dx + dy * dy + dz * dz + 0.01
                    inv = mass[j] / (r2 * np.sqrt(r2))
                    acc[i, 0] += dx * inv
                    acc[i, 1] += dy * inv
                    acc[i, 2] += dz * inv
        vel += acc * dt
        pos += vel * dt
    ke = 0.0
    for i in range(n):
        ke += 0.5 * mass[i] * (vel[i, 0] ** 2 + vel[i, 1] ** 2 + vel[i, 2] ** 2)
    return ke


def lorenz(state, sigma, rho, beta):
    x, y, z = state[0], state[1], state[2]
    return np.array([sigma * (y - x), x * (rho - z) - y, x * y - beta * z])


def rk4_lorenz(state, dt, steps, sigma, rho, beta):
    """Classic RK4 with the right-hand side in a helper function."""
    out = np.empty((steps + 1, 3))
    out[0] = state
    for k in range(steps):
        k1 = lorenz(state, sigma, rho, beta)
        k2 = lorenz(state + 0.5 * dt * k1, sigma, rho, beta)
        k3 = lorenz(state + 0.5 * dt * k2, sigma, rho, beta)
        k4 = lorenz(state + dt * k3, sigma, rho, beta)
        state = state + dt / 6.0 * (k1 + 2 * k2 + 2 * k3 + k4)
        out[k + 1] = state
    return out


def laplace_jacobi(u: np.ndarray, tol: float, max_iter: int) -> int:
    """Jacobi relaxation of Laplace's equation in slices until the update is below tol."""
    err = tol + 1.0
    it = 0
    while err > tol and it < max_iter:
        un = u.copy()
        u[1:-1, 1:-1] = 0.25 * (un[2:, 1:-1] + un[:-2, 1:-1] + un[1:-1, 2:] + un[1:-1, :-2])
        err = np.max(np.abs(u - un))
        it += 1
    return it


def gauss_seidel(A, b, x, sweeps):
    """Gauss-Seidel sweeps for A x = b, in place on x."""
    n = len(b)
    for sweep in range(sweeps):
        for i in range(n):
            s = 0.0
            for j in range(n):
                if j != i:
                    s += A[i, j] * x[j]
            x[i] = (b[i] - s) / A[i, i]
    return x


def deposit_charge(x, q, nx, dx):
    """Cloud-in-cell deposit of particle charges on a periodic 1-d grid (a scatter-add)."""
    rho = np.zeros(nx)
    for p in range(x.shape[0]):
        cell = int(x[p] / dx)
        frac = x[p] / dx - cell
        rho[cell % nx] += q[p] * (1.0 - frac)
        rho[(cell + 1) % nx] += q[p] * frac
    return rho / dx


def rotate_points(points: np.ndarray, angle: float) -> np.ndarray:
    """Rotate 2-d points by an angle with a rotation matrix."""
    c, s = np.cos(angle), np.sin(angle)
    R = np.array([[c, -s], [s, c]])
    return points @ R.T


def heat_explicit(T, alpha, dt, dx, steps):
    """Explicit 1-d heat equation with fixed ends, in slices."""
    r = alpha * dt / dx**2
    for n in range(steps):
        T[1:-1] = T[1:-1] + r * (T[2:] - 2 * T[1:-1] + T[:-2])
    return T
