"""CpuVariant._snapshot, shared by the speculative and the undoable runs: the written arrays' copies, or,
where they cannot be made, VariantFailed before anything ran (not remembered for the argument types)."""
from __future__ import annotations

import numpy as np
import pytest

from polyray.runtime import cpu
from polyray.runtime.cpu import CpuVariant
from polyray.runtime.variants import VariantFailed


def test_snapshot_copies_the_named_arrays():
    a, b = np.arange(4.0), np.zeros(3)
    saved = CpuVariant._snapshot((a, b), (1,), "the run")
    b[:] = 7.0
    cpu.restore(saved)
    assert b.tolist() == [0.0, 0.0, 0.0] and a.tolist() == [0.0, 1.0, 2.0, 3.0]
    assert CpuVariant._snapshot((a, b), None, "the run") == []


@pytest.mark.parametrize("before", ["a speculative run", "the run"])
def test_no_memory_for_the_copies_fails_before_the_run(monkeypatch, before):
    def no_memory(args, names):
        raise MemoryError

    monkeypatch.setattr(cpu, "snapshot", no_memory)
    with pytest.raises(VariantFailed) as failed:
        CpuVariant._snapshot((np.zeros(2),), (0,), before)
    assert str(failed.value.reason) == f"the written arrays could not be copied before {before} (MemoryError)"
    assert failed.value.per_signature is False
