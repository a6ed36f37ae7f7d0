"""runtime/jitting.quiet_performance_advice: Numba's performance advice about a generated module (here "np.dot()
is faster on contiguous arrays" for a product of slices) is not printed to the user, who did not write that code;
the same advice about the user's own @njit code, in the same process, still is. Run in a fresh process (warnings
and Numba's state are per process), with the warnings shown by default."""
from __future__ import annotations

import subprocess
import sys
import textwrap
from pathlib import Path

PRODUCT = textwrap.dedent('''
    import numpy as np

    def {name}(A, B):
        return np.dot(A[:, 0:3], B[0:3, :])
''')

SCRIPT = textwrap.dedent('''
    import importlib.util, sys
    import numpy as np
    import numba
    from polyray.runtime.cpu import CpuVariant

    def load(path, name):
        spec = importlib.util.spec_from_file_location(name, path)
        mod = importlib.util.module_from_spec(spec)
        sys.modules[name] = mod
        spec.loader.exec_module(mod)
        return mod

    generated = load(sys.argv[1], "generated_products")
    users = load(sys.argv[2], "users_products")
    A, B = np.ones((4, 5)), np.ones((5, 4))
    variant = CpuVariant(generated.generated_product, parallel=False, boundscheck=False)
    out = variant.run((A, B), wait=True)
    assert out.tolist() == np.dot(A[:, 0:3], B[0:3, :]).tolist()
    print("generated ran", flush=True)
    assert numba.njit(users.users_product)(A, B).tolist() == out.tolist()
    print("user's ran", flush=True)
''')


def test_advice_on_generated_code_is_quiet_and_on_the_users_code_is_not(tmp_path):
    generated = tmp_path / "generated_products.py"
    generated.write_text(PRODUCT.format(name="generated_product"))
    users = tmp_path / "users_products.py"
    users.write_text(PRODUCT.format(name="users_product"))
    bridge = Path(__file__).resolve().parents[1]
    proc = subprocess.run([sys.executable, "-W", "default", "-c", SCRIPT, str(generated), str(users)],
                          capture_output=True, text=True, timeout=300,
                          env={"PYTHONPATH": str(bridge), "PATH": "/usr/bin:/bin", "POLYRAY_JIT_WAIT": "1"})
    assert proc.returncode == 0, proc.stderr[-3000:]
    assert "generated ran" in proc.stdout and "user's ran" in proc.stdout
    advice = [line for line in proc.stderr.splitlines() if "NumbaPerformanceWarning" in line]
    assert advice, proc.stderr[-3000:]  # the user's own code is still advised
    assert all("users_products.py" in line for line in advice), advice
