"""Polyray: automatic parallelization of type-hinted NumPy Python.

This package stays light on import: it must not pull in numba, numba.cuda,
cupy or ray. Generated modules import :mod:`polyray.runtime`.
"""

from __future__ import annotations

from . import idle_threads as _idle_threads

__version__ = "0.1.0"

# before NumPy's and Numba's thread pools next run: their idle threads must not spin on the cores the other
# pool needs (GOMP_SPINCOUNT, OPENBLAS_THREAD_TIMEOUT unless the user set them; idle_threads.py says why)
_idle_threads.apply()

__all__ = ["__version__", "load_ipython_extension", "parallelize"]


def __getattr__(name: str):  # noqa: ANN202
    """``polyray.parallelize`` is imported on first use, so ``import polyray`` stays light."""
    if name == "parallelize":
        from .decorator import parallelize

        return parallelize
    raise AttributeError(f"module 'polyray' has no attribute {name!r}")


def load_ipython_extension(ipython):  # noqa: ANN001, ANN201
    """``%load_ext polyray``: registers ``%%parallelize`` and ``%polyray`` (see polyray.magic)."""
    from .magic import load

    load(ipython)


def unload_ipython_extension(ipython):  # noqa: ANN001, ANN201, ARG001
    """Nothing to undo beyond what IPython does; the service stops with the kernel."""


def _jupyter_labextension_paths() -> list[dict[str, str]]:
    """Where the prebuilt JupyterLab extension lives (built into polyray/labextension)."""
    return [{"src": "labextension", "dest": "polyray"}]
