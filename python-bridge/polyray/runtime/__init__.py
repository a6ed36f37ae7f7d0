"""Runtime imported by Polyray-generated modules (``import polyray.runtime as _polyray``).

Importing this package must stay cheap: it never imports numba, numba.cuda,
cupy or ray; variants import their backend when they first run.
"""

from __future__ import annotations

from .choice import TARGETS, Choice, choose
from .cost import CostModel, Decision, size_class
from .cpu import HELPER_NAMES, CpuVariant
from .dispatcher import RETURN_KINDS, Dispatcher
from .gpu import GpuVariant, is_device_array
from .history import MAX_RECORDS, clear_history, history
from .params import Param
from .ray_variant import RayStages, RayVariant
from .variants import Variant, VariantFailed

__all__ = [
    "CpuVariant",
    "Choice",
    "CostModel",
    "Decision",
    "Dispatcher",
    "GpuVariant",
    "HELPER_NAMES",
    "MAX_RECORDS",
    "Param",
    "RETURN_KINDS",
    "RayStages",
    "RayVariant",
    "TARGETS",
    "Variant",
    "VariantFailed",
    "choose",
    "clear_history",
    "history",
    "is_device_array",
    "size_class",
]
