// The numerics mode a Node host compiles for: the flag, else POLYRAY_NUMERICS,
// else the default (docs/ARCHITECTURE.md: flag > environment > setting >
// default; a Node host has no setting). A POLYRAY_NUMERICS that names no mode
// is an error, not silently the default: a user who asked for `exact` and
// mistyped it must not get `close`.
import { DEFAULT_NUMERICS, parseNumerics, type Numerics } from '../compiler/index.js';
import { UsageError } from './args.js';

export function hostNumerics(flag: Numerics | null, env: NodeJS.ProcessEnv = process.env): Numerics {
  if (flag) return flag;
  const raw = env.POLYRAY_NUMERICS;
  if (raw === undefined || raw.trim() === '') return DEFAULT_NUMERICS;
  const mode = parseNumerics(raw);
  if (mode === null) throw new UsageError(`POLYRAY_NUMERICS=${raw} names no numerics mode (expected exact or close)`);
  return mode;
}
