// "Accelerate notebook": analyze every code cell in the Worker as if it were
// a %%parallelize cell, list the functions that would be accelerated and the
// loops that would run in parallel, and on confirmation add `%%parallelize` to
// those cells, in one change that "Revert acceleration" undoes as a whole.
// The planning functions are pure (unit-tested); `AccelerateFlow` touches the notebook.
import type { ReportFunction } from '../compiler/index.js';
import { addMagic, removeMagic } from './magic.js';

export interface CellInput {
  id: string;
  index: number;
  type: string;
  source: string;
}

export interface Candidate {
  id: string;
  index: number;
  functions: ReportFunction[];
}

export interface Acceleration {
  changes: { id: string; index: number; before: string; after: string }[];
}

/** Which cells are worth analyzing: code cells with a def, not already a cell magic. */
export function analyzable(cell: CellInput): boolean {
  if (cell.type !== 'code') return false;
  const first = cell.source.split('\n').find((l) => l.trim() !== '') ?? '';
  if (first.startsWith('%%')) return false;
  return /^(async\s+)?def\s|^@/m.test(cell.source);
}

/** A cell is a candidate when at least one of its functions would be accelerated. */
export function candidateOf(cell: CellInput, functions: ReportFunction[]): Candidate | null {
  const accelerated = functions.filter((f) => f.accelerated);
  return accelerated.length ? { id: cell.id, index: cell.index, functions } : null;
}

/** The edit for the chosen candidates. */
export function planAcceleration(cells: CellInput[], chosen: Candidate[]): Acceleration {
  const byId = new Map(cells.map((c) => [c.id, c]));
  const changes = chosen.flatMap((c) => {
    const cell = byId.get(c.id);
    return cell ? [{ id: c.id, index: cell.index, before: cell.source, after: addMagic(cell.source) }] : [];
  });
  return { changes };
}

/** What reverting does now: cells still as accelerated get their source back; edited ones are left alone. */
export function planRevert(acc: Acceleration, current: Map<string, string>): { restore: { id: string; source: string }[]; skipped: string[] } {
  const restore: { id: string; source: string }[] = [];
  const skipped: string[] = [];
  for (const ch of acc.changes) {
    const now = current.get(ch.id);
    if (now === ch.after) restore.push({ id: ch.id, source: ch.before });
    else if (now !== undefined && removeMagic(now) !== now) restore.push({ id: ch.id, source: removeMagic(now) });
    else skipped.push(ch.id);
  }
  return { restore, skipped };
}

/** A candidate in words: "cell 3: gemm (parallel: line 5 for i), ..." (the dialog and the tests). */
export function describeCandidate(c: Candidate): string {
  const fns = c.functions.filter((f) => f.accelerated).map((f) => {
    const par = f.loops.filter((l) => l.parallel).map((l) => `line ${l.line - 1} for ${l.var}`);
    return `${f.name} (${par.length ? `parallel: ${par.join(', ')}` : 'no parallel loop; compiled variants: ' + f.variants.join(', ')})`;
  });
  return `cell ${c.index + 1}: ${fns.join('; ')}`;
}
