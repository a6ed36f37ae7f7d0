#!/usr/bin/env bash
# The Python suites (pytest.ini's testpaths) in several pytest processes instead of one. Every test compiles
# Numba functions, whose machine code and LLVM modules stay in the process until it exits: one process for
# all of them grew past 19 GiB and was killed by the kernel on the 24 GiB CI machine (2026-12-06, with the
# suite at about 2,300 tests). Each chunk starts a fresh process; the exit status is 1 if any chunk failed.
# A chunk of ten files still grew past 22 GiB in the clean-clone run of 2026-12-06: test_nep50's functions of
# 150 output arrays, whose fused hot-path entries were quadratic in the arrays (fixed: runtime/hot_entry.py);
# the default stays one process per file of test/python, so no file's memory depends on the files before it. POLYRAY_TEST_CHUNKS=N cuts test/python into N chunks instead; arguments are
# passed to every pytest call.
set -uo pipefail
cd "$(dirname "$0")/.."
chunks=${POLYRAY_TEST_CHUNKS:-files}
mapfile -t files < <(ls test/python/test_*.py | sort)
status=0
run() {
  echo "-- pytest $(echo "$@" | cut -c1-160)"
  .venv/bin/python -m pytest -q --durations=10 "$@" || status=1
}
run python-bridge/tests "$@"
if [ "$chunks" = files ]; then
  # one process per file: a test's memory cannot depend on what earlier files left in the process
  for f in "${files[@]}"; do run "$f" "$@"; done
else
  n=${#files[@]}
  per=$(( (n + chunks - 1) / chunks ))
  for ((i = 0; i < n; i += per)); do
    run "${files[@]:i:per}" "$@"
  done
fi
exit $status
