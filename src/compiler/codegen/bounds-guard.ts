// The guard of a parallel CPU variant: before it runs, the dispatcher
// evaluates the condition under which some subscript would leave its array
// (computed by isl from the access relations and iteration domains), and runs
// the original instead when it holds.
import type { FunctionDef } from '../parse/ast.js';
import type { ParallelPlan } from '../poly/parallel-plan.js';
import { islExprToPython } from './isl-expr.js';
import { islName } from '../scop/affine.js';

export const guardName = (fn: string): string => `_polyray_guard_${fn}`;

export function emitBoundsGuard(fn: FunctionDef, plan: Pick<ParallelPlan, 'outOfBounds' | 'preconditions' | 'shapeParams'>): string[] | null {
  if (!plan.outOfBounds && plan.preconditions.length === 0) return null;
  const lines = [`def ${guardName(fn.name)}(${fn.params.map((p) => p.name).join(', ')}):`];
  // isl spells non-ASCII names differently (islName); define those spellings.
  for (const p of fn.params) if (islName(p.name) !== p.name) lines.push(`    ${islName(p.name)} = ${p.name}`);
  // Helpers of the parallel loops that only see parameters: they must not raise.
  for (const p of plan.preconditions) {
    lines.push(`    if not (${p.condition}):`, `        return ${JSON.stringify(`${p.why} for these arguments: the original runs and raises as Python does`)}`);
  }
  if (plan.outOfBounds) {
    for (const s of plan.shapeParams) lines.push(`    ${s.name} = ${s.array}.shape[${s.dim}]`);
    lines.push(
      `    if ${islExprToPython(plan.outOfBounds)}:`,
      `        return "a subscript would be out of bounds (or negative) for these sizes: the original runs and raises or wraps as Python does"`,
    );
  }
  lines.push(`    return None`);
  return lines;
}
