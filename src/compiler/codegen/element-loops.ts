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

const OUTER_OPERATORS: Record<string, string> = { add: '+', subtract: '-', multiply: '*' };

/** Counter of the k-th implicit loop of a lowered statement. */
export const element = (k: number): string => `_polyray_e${k}`;

export class ElementScope {
  private refs: ReadonlyMap<Expr, SliceRef> | null = null;
  private conditionals: ReadonlySet<Expr> = new Set();
  private outers: ReadonlyMap<Expr, { ufunc: string; dtype: string }> = new Map();
  private contracted: ReadonlySet<string> = new Set();

  /** Whether a lowered statement is printing (its array expressions are elements: types/casts.ts). */
  readonly numeric = { inElements: (): boolean => this.refs !== null };

  /** A PythonPrinter override: an array reference of the printing statement as its element. */
  print(e: Expr, print: (e: Expr) => string): string | undefined {
    // np.where per element: only the chosen operand is read (no lowered operation raises or writes)
    if (e.kind === 'call' && this.conditionals.has(e)) return `(${print(e.args[1])} if ${print(e.args[0])} else ${print(e.args[2])})`;
    // np.add.outer per element: its operands' elements, the result cast to NumPy's dtype (a narrow int wraps around)
    const outer = e.kind === 'call' ? this.outers.get(e) : undefined;
    if (outer && e.kind === 'call') {
      const [a, b] = e.args.map((x) => `(${print(x)})`);
      const text = OUTER_OPERATORS[outer.ufunc] ? `${a} ${OUTER_OPERATORS[outer.ufunc]} ${b}` : `${NUMPY}.${outer.ufunc}(${a}, ${b})`;
      return `${NUMPY}.${outer.dtype}(${text})`;
    }
    const ref = this.refs?.get(e);
    if (!ref) return undefined;
    if (this.contracted.has(ref.array)) return ref.array;
    const idx = ref.dims.map((d) => ('slice' in d ? (d.lo ? `${print(d.lo)} + ${element(d.slice)}` : element(d.slice)) : print(d.index)));
    return `${ref.array}[${idx.join(', ')}]`;
  }

  /** The temporaries the group makes as arrays (those it does not contract to scalars). */
  madeArrays(low: LoweredSlice): NonNullable<LoweredSlice['defines']>[] {
    return (low.fused ?? [low]).flatMap((m) => (m.defines && !low.contracted?.has(m.defines.array) ? [m.defines] : []));
  }

  /** Their allocation before the group's loops, with `allocate(shape, dtype)` (NumPy's empty, or a device array). */
  allocations(low: LoweredSlice, indent: string, allocate = `${NUMPY}.empty`): string[] {
    return this.madeArrays(low).map((d) => {
      const shape = d.shape.length === 1 ? `${d.shape[0]},` : d.shape.join(', ');
      return `${indent}${d.array} = ${allocate}((${shape}), ${NUMPY}.${d.dtype})`;
    });
  }

  /** Copies of the parts of the target a statement reads at other elements, before its loops (lower-slices.ts). */
  snapshotLines(low: LoweredSlice, printer: PythonPrinter, indent: string): string[] {
    return (low.snapshots ?? []).map((c) => `${indent}${c.name} = ${printer.expr(c.source)}.copy()`);
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
        this.conditionals = member.conditionals ?? new Set();
        this.outers = member.outers ?? new Map();
        const st = member.stmt;
        const op = st.kind === 'augassign' ? `${st.op}=` : '=';
        lines.push(`${indent}${printer.expr(st.target)} ${op} ${printer.expr(st.value)}`);
      }
    } finally {
      this.refs = null;
      this.conditionals = new Set();
      this.outers = new Map();
      this.contracted = new Set();
    }
    return lines;
  }

  /**
   * Plain nested loops over the implicit loops from the `from`-th on (the
   * outer ones are the caller's: a prange loop, a grid of threads), then the
   * group's statements.
   */
  serialLoops(low: LoweredSlice, printer: PythonPrinter, indent: string, from = 0): string[] {
    let ind = indent;
    const lines = this.extents(low, printer).slice(from).map((extent, j) => {
      const line = `${ind}for ${element(from + j)} in range(${extent}):`;
      ind += '    ';
      return line;
    });
    return [...lines, ...this.statements(low, printer, ind)];
  }
}
