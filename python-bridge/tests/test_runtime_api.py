"""Import weight, constructor validation and the pure parts of the runtime."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

import polyray
import polyray.runtime as rt
from polyray.runtime.choice import choose
from polyray.runtime.params import make_check

BRIDGE = Path(__file__).resolve().parent.parent
HEAVY = ("numba", "numba.cuda", "cupy", "ray", "llvmlite")


def run_python(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join([str(BRIDGE), env.get("PYTHONPATH", "")])
    return subprocess.run([sys.executable, *args], capture_output=True, text=True, cwd=cwd, env=env, check=True)


def test_version() -> None:
    assert polyray.__version__ == "0.1.0"


def test_import_runtime_does_not_import_backends(tmp_path: Path) -> None:
    code = (
        "import sys, polyray, polyray.runtime\n"
        f"print([m for m in {HEAVY!r} if m in sys.modules])\n"
    )
    done = run_python("-X", "importtime", "-c", code, cwd=tmp_path)
    assert done.stdout.strip() == "[]"
    imported = {line.rsplit("|", 1)[-1].strip() for line in done.stderr.splitlines() if "|" in line}
    assert "polyray.runtime" in imported
    assert not {name for name in imported if name.split(".")[0] in ("numba", "cupy", "ray", "llvmlite")}


def test_import_generated_module_does_not_import_numba(tmp_path: Path) -> None:
    sample = Path(__file__).with_name("generated_sample.py.txt")
    (tmp_path / "gen_light.py").write_text(sample.read_text())
    code = "import sys, gen_light\nprint('numba' in sys.modules)\n"
    assert run_python("-c", code, cwd=tmp_path).stdout.strip() == "False"


def test_public_api() -> None:
    for name in ("Dispatcher", "Param", "CpuVariant", "history", "clear_history"):
        assert name in rt.__all__ and hasattr(rt, name)


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"name": "x", "kind": "weird"}, "Param 'x': kind must be one of"),
        ({"name": "x", "kind": "int", "ndim": 1}, "Param 'x': dtype, ndim and written apply to kind 'array' only"),
        ({"name": "A", "kind": "array", "dtype": "object"}, "Param 'A': dtype must be a numeric dtype"),
        ({"name": "A", "kind": "array", "dtype": "nonsense"}, "Param 'A': unknown dtype"),
        ({"name": "A", "kind": "array", "ndim": -1}, "Param 'A': ndim must be"),
        ({"name": "not valid", "kind": "int"}, "Param: name must be an identifier"),
        ({"name": "a", "kind": "int", "scalar_dtype": "float32"}, "Param 'a': scalar_dtype must be a numeric dtype of the scalar kind 'int'"),
        ({"name": "a", "kind": "float", "scalar_dtype": "float32", "exact": True}, "Param 'a': scalar_dtype must be"),
        ({"name": "a", "kind": "float", "scalar_dtype": "float16"}, "Param 'a': scalar_dtype must be"),
        ({"name": "a", "kind": "float", "scalar_dtype": "nonsense"}, "Param 'a': unknown scalar_dtype"),
    ],
)
def test_param_validation(kwargs: dict[str, object], message: str) -> None:
    with pytest.raises(ValueError, match=message.replace("(", r"\(").replace("[", r"\[")):
        rt.Param(**kwargs)  # type: ignore[arg-type]


def _f(a: int) -> int:
    return a


def test_dispatcher_and_variant_validation() -> None:
    with pytest.raises(ValueError, match="Dispatcher 'f': returns must be one of"):
        rt.Dispatcher(name="f", original=_f, params=[rt.Param("a", "int")], returns="str")
    with pytest.raises(ValueError, match="Dispatcher 'f': duplicate parameter names"):
        rt.Dispatcher(name="f", original=_f, params=[rt.Param("a", "int"), rt.Param("a", "int")])
    with pytest.raises(ValueError, match="Dispatcher 'f': variant names must be among"):
        rt.Dispatcher(name="f", original=_f, params=[rt.Param("a", "int")], variants={"tpu": rt.CpuVariant(_f)})
    with pytest.raises(TypeError, match="Dispatcher 'f': variant 'cpu' must have"):
        rt.Dispatcher(name="f", original=_f, params=[rt.Param("a", "int")], variants={"cpu": _f})  # type: ignore[dict-item]
    with pytest.raises(ValueError, match="CpuVariant '_f': unknown helpers \\['nope'\\]"):
        rt.CpuVariant(_f, helpers=("nope",))


def test_original_only_dispatcher() -> None:
    d = rt.Dispatcher(name="f", original=_f, params=[rt.Param("a", "int")], variants={}, guard=None, returns="int")
    assert d(3) == 3
    rec = rt.history()[-1]
    assert rec["variant"] == "original"
    assert rec["reason"] == "auto: f has no compiled variant"


def test_choose_pure() -> None:
    variant = rt.CpuVariant(_f)
    assert choose("auto", "f", {"cpu": variant}) == rt.Choice("cpu", "auto: cpu variant")
    assert choose("gpu", "f", {}).variant == "original"
    assert choose("gpu", "f", {}).reason == "gpu variant not available: f has no gpu variant; using original"
    assert choose("original", "f", {"cpu": variant}).variant == "original"


@pytest.mark.parametrize(
    ("param", "good", "bad"),
    [
        # a NumPy integer narrower than int64 keeps its dtype in NumPy 2's arithmetic (NEP 50)
        (rt.Param("n", "int"), [0, -5, 2**31 - 1, np.int64(3)], [True, np.bool_(False), 1.0, 2**31, "1", None, np.int32(3), np.uint8(7)]),
        (rt.Param("n", "int", exact=True, bounds=(0, 255)), [0, 255, 7], [-1, 256, np.uint8(7), np.int64(7), True]),
        (rt.Param("x", "float"), [1.0, np.float64(2.0), float("nan")], [1, np.float32(1.0), True, 1j, None]),
        (rt.Param("z", "complex"), [1j, np.complex128(1j)], [1.0, 1, np.complex64(1j)]),
        (rt.Param("b", "bool"), [True, False, np.bool_(True)], [0, 1, 1.0, None]),
        # hinted with a NumPy scalar type: exactly that type (its arithmetic is NumPy's), ints within 2**31
        (rt.Param("a", "float", scalar_dtype="float32"), [np.float32(1.5), np.float32("nan")], [1.5, np.float64(1.5), np.int32(1), None]),
        (rt.Param("k", "int", scalar_dtype="int64"), [np.int64(3), np.int64(-(2**31) + 1)], [3, np.int32(3), np.int64(2**31), True]),
        (rt.Param("b", "bool", scalar_dtype="bool"), [np.bool_(True)], [True, 1]),
        (
            rt.Param("A", "array", dtype="float64", ndim=1),
            [np.zeros(2), np.zeros(2)[::2]],
            [np.zeros((2, 2)), np.zeros(2, np.float32), [0.0], np.ma.zeros(2), np.zeros(2).astype(">f8")],
        ),
        (
            rt.Param("A", "array"),
            [np.zeros(()), np.zeros((1, 2, 3), np.complex64), np.zeros(2, bool), np.zeros(2, np.uint64)],
            [np.zeros(2, object), np.zeros(2, "U1"), np.zeros(2, "datetime64[s]"), np.zeros(2, np.float16)],
        ),
        (
            rt.Param("A", "array", wide=True),
            [np.zeros(2), np.zeros(2, np.int64), np.zeros(2, bool), np.zeros(2, np.complex128)],
            [np.zeros(2, np.float32), np.zeros(2, np.uint8), np.zeros(2, np.int32), np.zeros(2, np.uint64)],
        ),
    ],
)
def test_param_checks(param: rt.Param, good: list[object], bad: list[object]) -> None:
    check = make_check(param, "fn")
    for value in good:
        assert check(value) is None, value
    for value in bad:
        reason = check(value)
        assert reason is not None and reason.startswith(f"argument {param.name!r} of fn: expected"), value
