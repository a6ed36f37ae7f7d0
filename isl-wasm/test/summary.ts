// What the Node and browser tests compare: per kernel, whether the
// dependences equal the hand-derived ones, the dependences as printed, the
// computed schedule's AST and its loops' coincident flags.
import { forLoops, type IslContext } from '../src/index.js';
import type { Kernel } from './kernels.js';

export interface KernelSummary {
  name: string;
  matchesExpected: boolean;
  flow: string;
  anti: string;
  output: string;
  c: string;
  coincident: (boolean | null)[];
}

export function summarize(ctx: IslContext, k: Kernel): KernelSummary {
  return ctx.scope(() => {
    const deps = ctx.computeDependences({ domain: k.domain, mustWrites: k.mustWrites, reads: k.reads, schedule: k.schedule });
    const matchesExpected = (['flow', 'anti', 'output'] as const).every((n) => deps[n].isEqual(ctx.unionMap(k.expected[n])));
    const schedule = ctx.computeSchedule({ domain: k.domain, validity: deps.all, coincidence: deps.all, proximity: deps.all });
    const ast = ctx.generateAst(schedule);
    return {
      name: k.name,
      matchesExpected,
      flow: deps.flow.toString(),
      anti: deps.anti.toString(),
      output: deps.output.toString(),
      c: ast.c,
      coincident: forLoops(ast.root).map((l) => l.coincident),
    };
  });
}
