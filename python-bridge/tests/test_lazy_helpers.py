"""complex_helpers' ufuncs compile on first use, not when numba_helpers is imported (issue 19: that import
starts every process's first CPU variant compile; the seven ufuncs took 8 s of it under load)."""
from __future__ import annotations

import subprocess
import sys
import textwrap


def test_complex_ufuncs_compile_when_first_asked_for():
    code = textwrap.dedent("""
        import numpy as np
        from polyray.runtime import complex_helpers, numba_helpers
        assert not any(n in vars(complex_helpers) for n in complex_helpers.__all__), "compiled at import"
        cmul = numba_helpers.cmul
        assert cmul is numba_helpers.cmul is complex_helpers.cmul  # built once
        assert "cmul" in vars(complex_helpers) and "cpow" not in vars(complex_helpers)
        a = np.array([1 + 2j, 3 - 1j, -0.5 + 4j])
        assert cmul(a, a).tobytes() == (a * a).tobytes()
        try:
            numba_helpers.no_such_helper
        except AttributeError:
            pass
        else:
            raise AssertionError("an unknown name must raise AttributeError")
        print("ok")
    """)
    run = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=300)
    assert run.returncode == 0 and run.stdout.strip() == "ok", run.stderr[-2000:]
