#!/usr/bin/env bash
# The Python suites (pytest.ini's testpaths) in several pytest processes instead of one. Every test compiles
# Numba functions, whose machine code and LLVM modules stay in the process until it exits: one process for
# all of them grew past 19 GiB and was killed by the kernel on the 24 GiB CI machine (2026-12-06, with the
# suite at about 2,300 tests). Each chunk starts a fresh process; the exit status is 1 if any chunk failed.
# POLYRAY_TEST_CHUNKS sets how many chunks test/python is cut into (6 by default); arguments are passed to
# every pytest call.
set -uo pipefail
cd "$(dirname "$0")/.."
chunks=${POLYRAY_TEST_CHUNKS:-6}
mapfile -t files < <(ls test/python/test_*.py | sort)
status=0
run() {
  echo "-- pytest $(echo "$@" | cut -c1-160)"
  .venv/bin/python -m pytest -q --durations=10 "$@" || status=1
}
run python-bridge/tests "$@"
n=${#files[@]}
per=$(( (n + chunks - 1) / chunks ))
for ((i = 0; i < n; i += per)); do
  run "${files[@]:i:per}" "$@"
done
exit $status
