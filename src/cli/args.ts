// Command-line parsing for the polyray CLI (small enough not to need a library).
import { parseNumerics, type Numerics, type Target } from '../compiler/index.js';

export type Command =
  | { kind: 'compile'; input: string; output: string; report: string | null; targets: Target[]; numerics: Numerics | null;
      precompile: boolean }
  | { kind: 'explain'; input: string; json: boolean; numerics: Numerics | null }
  | { kind: 'serve' }
  | { kind: 'help' }
  | { kind: 'version' };

export class UsageError extends Error {}

export const USAGE = `usage:
  polyray compile IN.py -o OUT.py [--report R.json] [--targets cpu,gpu,ray] [--numerics exact|close] [--precompile]
  (--precompile: compile the CPU variants' machine code for the hinted signatures into Numba's cache
   beside OUT.py, with $POLYRAY_PYTHON, else python3: a fresh process loads it instead of compiling)
  polyray explain IN.py [--json] [--numerics exact|close]
  (--numerics: default $POLYRAY_NUMERICS, else close)
  polyray serve            (compile service: JSON lines on stdin/stdout)
  polyray --version`;

const TARGETS: Target[] = ['cpu', 'gpu', 'ray'];

export function parseArgs(argv: string[]): Command {
  const [cmd, ...rest] = argv;
  if (!cmd || cmd === '-h' || cmd === '--help' || cmd === 'help') return { kind: 'help' };
  if (cmd === '--version' || cmd === '-V') return { kind: 'version' };
  if (cmd === 'serve') {
    if (rest.length) throw new UsageError('serve takes no arguments');
    return { kind: 'serve' };
  }
  const positional: string[] = [];
  const flags = new Map<string, string | true>();
  for (let k = 0; k < rest.length; k++) {
    const a = rest[k];
    if (a === '-o' || a === '--output' || a === '--report' || a === '--targets' || a === '--numerics') {
      const v = rest[++k];
      if (v === undefined) throw new UsageError(`${a} needs a value`);
      flags.set(a === '--output' ? '-o' : a, v);
    } else if (a.startsWith('--targets=') || a.startsWith('--report=') || a.startsWith('--output=') || a.startsWith('--numerics=')) {
      const [name, v] = a.split(/=(.*)/s);
      flags.set(name === '--output' ? '-o' : name, v);
    } else if (a === '--json' || a === '--precompile') {
      flags.set(a, true);
    } else if (a.startsWith('-') && a !== '-') {
      throw new UsageError(`unknown option ${a}`);
    } else {
      positional.push(a);
    }
  }
  if (positional.length !== 1) throw new UsageError(`${cmd} takes exactly one input file`);
  const input = positional[0];
  const numericsFlag = flags.get('--numerics');
  const numerics = typeof numericsFlag === 'string' ? parseNumerics(numericsFlag) : null;
  if (typeof numericsFlag === 'string' && numerics === null) throw new UsageError(`unknown numerics mode '${numericsFlag}' (expected exact or close)`);
  if (cmd === 'explain') return { kind: 'explain', input, json: flags.has('--json'), numerics };
  if (cmd !== 'compile') throw new UsageError(`unknown command '${cmd}'`);
  const output = flags.get('-o');
  if (typeof output !== 'string') throw new UsageError('compile needs -o OUT.py');
  const report = flags.get('--report');
  const targetsFlag = flags.get('--targets');
  let targets = TARGETS;
  if (typeof targetsFlag === 'string') {
    targets = targetsFlag.split(',').map((t) => t.trim()).filter(Boolean) as Target[];
    const bad = targets.filter((t) => !TARGETS.includes(t));
    if (bad.length) throw new UsageError(`unknown target(s) ${bad.join(', ')} (expected cpu, gpu, ray)`);
  }
  return { kind: 'compile', input, output, report: typeof report === 'string' ? report : null, targets, numerics,
    precompile: flags.has('--precompile') };
}
