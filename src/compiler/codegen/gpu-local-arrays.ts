// The GPU form of a private array whose shape is fixed in the source
// (`pair = np.zeros(2)`, `acc = np.full((3, 3), 0.5)` inside a prange loop:
// scop/private-arrays.ts made it private to each iteration): per thread, a
// `cuda.local.array` of that shape, filled as NumPy fills it. cuda.local.array
// needs a shape known when the kernel compiles, so an allocation whose shape
// comes from the arguments (`np.zeros(m)`) has no such form: the kernel would
// need a size bound that the guard checks, and the guard is one for every
// variant (a GPU-only bound would send the CPU variant's calls to the original too).
import { stmtExprs, walkExpr, walkStmts, type Expr, type ForStmt, type Stmt } from '../parse/ast.js';
import type { TypedFunction } from '../types/check.js';
import { numpyFunction } from '../types/numpy-table.js';

/** Element types a thread's local array may have (NumPy's fill values are exact in each). */
const LOCAL_DTYPES: ReadonlySet<string> = new Set(['float64', 'float32', 'int64', 'int32']);

export interface DeviceLocal {
  name: string;
  shape: number[];
  dtype: string;
  /** The fill value's expression (np.full), a literal text (zeros, ones), or null (np.empty: unspecified, as NumPy's). */
  fill: Expr | string | null;
}

/**
 * The bindings inside prange loops that allocate a thread-local array: every
 * binding of the name is such an allocation (one shape and dtype) inside
 * `prangeLoops`, and every other mention of it is an element subscript or
 * lies in a statement `inThread` runs as element loops (a lowered slice).
 */
export function deviceLocalArrays(tf: TypedFunction, prangeLoops: ReadonlySet<number>, inThread: (s: Stmt) => boolean): Map<Stmt, DeviceLocal> {
  const inLoops = new Set<Stmt>();
  walkStmts(tf.fn.body, (s) => {
    if (s.kind === 'for' && prangeLoops.has(s.span.start)) walkStmts((s as ForStmt).body, (x) => { inLoops.add(x); });
  });
  const byName = new Map<string, { stmts: Stmt[]; locals: (DeviceLocal | null)[] }>();
  walkStmts(tf.fn.body, (s) => {
    if ((s.kind === 'assign' || s.kind === 'augassign') && s.target.kind === 'name' && tf.locals.get(s.target.id)?.kind === 'array') {
      const entry = byName.get(s.target.id) ?? { stmts: [], locals: [] };
      entry.stmts.push(s);
      entry.locals.push(s.kind === 'assign' && inLoops.has(s) ? allocation(tf, s.target.id, s.value) : null);
      byName.set(s.target.id, entry);
    }
  });
  const out = new Map<Stmt, DeviceLocal>();
  for (const [name, { stmts, locals }] of byName) {
    const first = locals[0];
    if (!first || locals.some((l) => !l || l.dtype !== first.dtype || l.shape.join() !== first.shape.join())) continue;
    if (!onlyElementUses(tf, name, new Set(stmts), inThread)) continue;
    stmts.forEach((s, k) => out.set(s, locals[k]!));
  }
  return out;
}

/** `np.zeros(2)`, `np.ones((2, 3), dtype=np.int64)`, `np.empty(4)`, `np.full(3, v)`: literal extents only. */
function allocation(tf: TypedFunction, name: string, v: Expr): DeviceLocal | null {
  if (v.kind !== 'call' || v.func.kind !== 'attribute' || tf.types.get(v.func.value)?.kind !== 'module' || v.args.length === 0) return null;
  const fn = v.func.attr;
  const row = numpyFunction(fn);
  if (row?.loop !== 'allocation' || !['zeros', 'ones', 'empty', 'full'].includes(fn)) return null;
  const t = tf.locals.get(name);
  if (t?.kind !== 'array' || !t.dtype || !LOCAL_DTYPES.has(t.dtype)) return null;
  if (v.keywords.some((k) => k.name !== 'dtype')) return null;
  const shapeArg = v.args[0];
  const extents = shapeArg.kind === 'tuple' ? shapeArg.elts : [shapeArg];
  const shape = extents.map((e) => (e.kind === 'number' && e.numberKind === 'int' ? Number(e.text.replace(/_/g, '')) : NaN));
  if (shape.length === 0 || shape.some((d) => !Number.isSafeInteger(d) || d < 0) || shape.length !== t.ndim) return null;
  const float = t.dtype.startsWith('float');
  if (fn === 'full') {
    const value = v.args[1];
    // a number or a scalar name: evaluated once per binding, as NumPy evaluates it
    if (!value || v.args.length > 3 || tf.types.get(value)?.kind !== 'scalar' || (value.kind !== 'number' && value.kind !== 'name')) return null;
    return { name, shape, dtype: t.dtype, fill: value };
  }
  if (v.args.length > 2) return null;
  return { name, shape, dtype: t.dtype, fill: fn === 'empty' ? null : fn === 'zeros' ? (float ? '0.0' : '0') : (float ? '1.0' : '1') };
}

/** Every mention of `name` outside its bindings is `name[...]` (an element), or inside a statement run as element loops. */
function onlyElementUses(tf: TypedFunction, name: string, bindings: ReadonlySet<Stmt>, inThread: (s: Stmt) => boolean): boolean {
  let ok = true;
  walkStmts(tf.fn.body, (s) => {
    if (inThread(s)) return;
    const roots = bindings.has(s) && s.kind === 'assign' ? [s.value] : [...stmtExprs(s), ...(s.kind === 'expr' && s.out ? [s.out] : [])];
    if ((s.kind === 'augassign' || (s.kind === 'assign' && !bindings.has(s))) && s.target.kind === 'name' && s.target.id === name) ok = false;
    if (s.kind === 'for' && s.target.id === name) ok = false;
    for (const root of roots) {
      const elements = new Set<Expr>();
      walkExpr(root, (x) => {
        if (x.kind === 'subscript' && x.value.kind === 'name' && x.value.id === name && x.indices.every((ix) => ix.kind !== 'slice' && tf.types.get(ix)?.kind === 'scalar')) elements.add(x.value);
      });
      walkExpr(root, (x) => { if (x.kind === 'name' && x.id === name && !elements.has(x)) ok = false; });
    }
  });
  return ok;
}

/** The thread's lines for a binding: the local array, then NumPy's fill (element by element). */
export function deviceLocalLines(local: DeviceLocal, print: (e: Expr) => string, cuda: string, numpy: string, indent: string): string[] {
  const shape = local.shape.length === 1 ? `${local.shape[0]}` : `(${local.shape.join(', ')})`;
  const lines = [`${indent}${local.name} = ${cuda}.local.array(${shape}, ${numpy}.${local.dtype})`];
  if (local.fill === null) return lines;
  const value = typeof local.fill === 'string' ? local.fill : print(local.fill);
  const ks = local.shape.map((_, d) => `_polyray_z${d}`);
  const fillName = '_polyray_fill';
  lines.push(`${indent}${fillName} = ${value}`);
  local.shape.forEach((n, d) => lines.push(`${indent}${'    '.repeat(d)}for ${ks[d]} in range(${n}):`));
  lines.push(`${indent}${'    '.repeat(local.shape.length)}${local.name}[${ks.join(', ')}] = ${fillName}`);
  return lines;
}
