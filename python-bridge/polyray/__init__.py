"""Polyray: automatic parallelization of type-hinted NumPy Python.

This package stays light on import: it must not pull in numba, numba.cuda,
cupy or ray. Generated modules import :mod:`polyray.runtime`.
"""

from __future__ import annotations

__version__ = "0.1.0"

__all__ = ["__version__"]

# --- IPython extension entry point -------------------------------------------
# `%load_ext polyray` calls `load_ipython_extension(ipython)` defined here; it
# registers the `%%parallelize` cell magic. It is added by the magic's issue
# (keep the import of the magic module inside that function so that importing
# `polyray` stays light).
