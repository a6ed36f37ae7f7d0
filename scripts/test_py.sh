#!/usr/bin/env bash
# The Python suites (pytest.ini's testpaths) in several pytest processes, two at a time, longest first, each
# process's output printed as one block when it ends; exit status 1 if any failed. scripts/pytest_files.py says
# why and how: one process per test file, because compiled Numba code stays in a process until it exits and
# one process for everything outgrew the 24 GiB CI machine, except the small files (recorded below 20 s of
# CPU), which share a few processes per suite so that the process start is paid once per batch; two at a time
# for the 2 cores; the files that start Ray clusters, Jupyter kernels or servers run one at a time (beside
# other files), and so do those recorded above 4 GiB; one file that mostly waits (recorded CPU under 55 % of its
# wall) runs as a third process. POLYRAY_TEST_JOBS=N runs N processes at a time (1: one after the other);
# arguments are passed to every pytest call (e.g. -x), those naming test files (FILE or FILE::test) run only
# those; --record rewrites scripts/test_costs.json (the times that order the processes), --record-log LOG updates it
# from an earlier run's printed output (a clean clone's log).
set -uo pipefail
cd "$(dirname "$0")/.."
exec .venv/bin/python scripts/pytest_files.py "$@"
