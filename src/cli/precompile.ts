// `polyray compile --precompile`: the CPU variants' machine code into Numba's cache beside the
// generated module (issue 19), so that a fresh process loads it instead of compiling on its first call.
// Numba is Python: the work is python-bridge/polyray/precompile.py, run with $POLYRAY_PYTHON (the
// `polyray` console script sets it to its own interpreter), else python3 on PATH.
import { spawnSync } from 'node:child_process';

/** Runs `python -m polyray.precompile OUT.py`; its lines go to stderr. Exit status: 0, or 1 when it failed. */
export function precompile(output: string): number {
  const python = process.env.POLYRAY_PYTHON || 'python3';
  const run = spawnSync(python, ['-m', 'polyray.precompile', output], { stdio: ['ignore', 'inherit', 'inherit'] });
  if (run.error) {
    process.stderr.write(`polyray: --precompile: cannot run ${python} (${run.error.message}); set POLYRAY_PYTHON\n`);
    return 1;
  }
  if (run.status !== 0) {
    process.stderr.write(`polyray: --precompile: ${python} -m polyray.precompile exited with ${run.status ?? run.signal}; ${output} is written, uncached\n`);
    return 1;
  }
  return 0;
}
