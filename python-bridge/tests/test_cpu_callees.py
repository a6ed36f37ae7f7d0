"""CpuVariant(callees=...): the functions a variant calls (the compiler's specializations of other
functions of the module, issue 17) are jitted once per module and bound to their global names
before the variant compiles; bad arguments are refused at construction, and a callee Numba cannot
compile makes the variant unavailable, so the original runs."""
from __future__ import annotations

import types

import numpy as np
import pytest

import polyray.runtime as rt
from polyray.runtime.cpu import CpuVariant
from polyray.runtime.variants import VariantFailed


def _module(source: str) -> dict:
    """A throwaway module (not in sys.modules: compiled uncached) holding ``source``'s functions."""
    mod = types.ModuleType("callee_test_module")
    exec(compile(source, "<callee-test>", "exec"), mod.__dict__)
    return mod.__dict__


SOURCE = """
import numpy as np

def _polyray_py_twice_0(v):
    return v * 2.0

def _polyray_py_bad_0(v):
    return object()

def caller(x):
    s = 0.0
    for i in range(x.shape[0]):
        s += _polyray_call_twice_0(x[i])
    return s

def bad_caller(x):
    return _polyray_call_bad_0(x)
"""


@pytest.mark.parametrize("callees", [{"not a name": len}, {"f": 3}, [("f", len)], {"f": print}])
def test_bad_callees_are_refused(callees):
    g = _module(SOURCE)
    with pytest.raises(TypeError, match="callees must map global names to Python functions"):
        CpuVariant(g["caller"], callees=callees)


def test_callees_are_bound_jitted_and_shared():
    g = _module(SOURCE)
    one = CpuVariant(g["caller"], callees={"_polyray_call_twice_0": g["_polyray_py_twice_0"]})
    x = np.arange(5.0)
    assert one.run((x,)) == 20.0
    bound = g["_polyray_call_twice_0"]
    assert bound.py_func is g["_polyray_py_twice_0"]
    # a second caller of the same callee reuses the bound dispatcher
    two = CpuVariant(g["caller"], callees={"_polyray_call_twice_0": g["_polyray_py_twice_0"]})
    assert two.run((x,)) == 20.0 and g["_polyray_call_twice_0"] is bound


def test_a_callee_numba_cannot_compile_leaves_the_original(monkeypatch):
    g = _module(SOURCE)
    v = CpuVariant(g["bad_caller"], callees={"_polyray_call_bad_0": g["_polyray_py_bad_0"]})
    with pytest.raises(VariantFailed):
        v.run((np.ones(3),))
    # through a dispatcher: the original runs and the record says why
    d = rt.Dispatcher(name="bad_caller", original=lambda x: "original", params=[rt.Param("x", "array")],
                      variants={"cpu": CpuVariant(g["bad_caller"], callees={"_polyray_call_bad_0": g["_polyray_py_bad_0"]})})
    monkeypatch.setenv("POLYRAY_TARGET", "cpu")
    assert d(np.ones(3)) == "original"
    assert rt.history()[-1]["variant"] == "original"
