// Lowered NumPy statements (poly/lower-slices.ts, poly/implicit-loops.ts)
// printed element by element, for the CPU variant (loops, the outermost one
// prange) and the GPU variant (a grid of threads, or loops inside a thread).
// While a statement prints, its array references print as the elements the
// implicit loops' counters `_polyray_e0, _polyray_e1, ...` name, and the
// temporaries its group contracts as scalars.
import type { Expr } from '../parse/ast.js';
import type { LoweredSlice, SliceRef } from '../poly/lower-slices.js';
import { NUMPY } from './names.js';
import type { PythonPrinter } from './python-printer.js';

/** Counter of the k-th implicit loop of a lowered statement. */
export const element = (k: number): string => `_polyray_e${k}`;

export class ElementScope {
  private refs: ReadonlyMap<Expr, SliceRef> | null = null;
  private contracted: ReadonlySet<string> = new Set();

  /** A PythonPrinter override: an array reference of the printing statement as its element. */
  print(e: Expr, print: (e: Expr) => string): string | undefined {
    const ref = this.refs?.get(e);
    if (!ref) return undefined;
    if (this.contracted.has(ref.array)) return ref.array;
    const idx = ref.dims.map((d) => ('slice' in d ? (d.lo ? `${print(d.lo)} + ${element(d.slice)}` : element(d.slice)) : print(d.index)));
    return `${ref.array}[${idx.join(', ')}]`;
  }

  /** The group's temporaries that are not contracted, allocated before its loops (CPU variant only). */
  allocations(low: LoweredSlice, indent: string): string[] {
    const contracted = low.contracted ?? new Set();
    return (low.fused ?? [low]).flatMap((m) => {
      if (!m.defines || contracted.has(m.defines.array)) return [];
      const shape = m.defines.shape.length === 1 ? `${m.defines.shape[0]},` : m.defines.shape.join(', ');
      return [`${indent}${m.defines.array} = ${NUMPY}.empty((${shape}), ${NUMPY}.${m.defines.dtype})`];
    });
  }

  /** The trip count of each implicit loop: NumPy clips both (non-negative) bounds to the dimension. */
  extents(low: LoweredSlice, printer: PythonPrinter): string[] {
    return low.loops.map((l) => {
      const hi = l.hi ? `min(${printer.expr(l.hi)}, ${l.length})` : l.length;
      return l.lo ? `max(0, ${hi} - min(${printer.expr(l.lo)}, ${l.length}))` : hi;
    });
  }

  /** The group's statements at one element (the loops or threads around them are the caller's). */
  statements(low: LoweredSlice, printer: PythonPrinter, indent: string): string[] {
    const lines: string[] = [];
    this.contracted = low.contracted ?? new Set();
    try {
      for (const member of low.fused ?? [low]) {
        this.refs = member.refs;
        const st = member.stmt;
        const op = st.kind === 'augassign' ? `${st.op}=` : '=';
        lines.push(`${indent}${printer.expr(st.target)} ${op} ${printer.expr(st.value)}`);
      }
    } finally {
      this.refs = null;
      this.contracted = new Set();
    }
    return lines;
  }

  /** The group as plain nested loops (inside a prange loop, or a GPU thread). */
  serialLoops(low: LoweredSlice, printer: PythonPrinter, indent: string): string[] {
    let ind = indent;
    const lines = this.extents(low, printer).map((extent, k) => {
      const line = `${ind}for ${element(k)} in range(${extent}):`;
      ind += '    ';
      return line;
    });
    return [...lines, ...this.statements(low, printer, ind)];
  }
}
