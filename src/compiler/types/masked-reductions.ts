// Reductions of a boolean selection (issue 18): `x[mask].mean()`, `np.sum(x[(x >= lo) & (x < hi)])`,
// `np.count_nonzero(m)`, `len(x[m])`, `x[m].max()`, where the mask is an elementwise boolean expression of
// 1-d arrays and scalars (comparisons, & | ~, np.logical_and/or/not), written in place or through locals used
// only there. NumPy builds the mask and the selection as arrays (two or more passes and two temporaries per
// reduction, inside a loop per iteration); the fused form is one loop over x with a conditional accumulation:
//
//     _mr0_n = 0; _mr0_s = np.float64(0.0)
//     for _mr0_k in range(x.shape[0]):
//         if (lo <= r[_mr0_k]) & (r[_mr0_k] < hi):
//             _mr0_s += x[_mr0_k]; _mr0_n += 1
//     _mr0_r = _mr0_s / _mr0_n if _mr0_n > 0 else np.float64(np.nan)
//
// which the later stages model like any loop (the enclosing loop stays parallel where its iterations are
// independent). Numerics (docs/reliability.md): a sequential float sum is not NumPy's pairwise one, so sum and
// mean of floats are fused in `close` mode only; counts, integer sums and min/max are the same bits. NumPy's
// shape rule (a mask of another length raises IndexError) is kept by the accesses: each mask operand `a` is
// read at every index of x and x once at `a.shape[0] - 1`, so the dispatcher's bounds guard (or the
// sequential variant's bounds check) sends any other shape, and an empty one, to the original. An empty
// selection: mean is NaN (without NumPy's RuntimeWarning), min/max raise ValueError through `x[0:0].max()`.
// The rewrite is applied to a function that checks as written, and kept only if the result checks too.
import { assignmentCounts, childExprs, stmtExprs, walkStmts, type Expr, type FunctionDef, type Stmt } from '../parse/ast.js';
import type { Span } from '../diagnostics.js';
import { allNames } from '../parse/rebinding.js';
import { maskedReductionNote, type CloseNote } from '../numerics.js';
import type { TypedFunction } from './typed-function.js';

type Kind = 'sum' | 'mean' | 'max' | 'min' | 'size' | 'count_nonzero';

const METHODS: Record<string, Kind> = { sum: 'sum', mean: 'mean', max: 'max', min: 'min' };
const NP_FUNCS: Record<string, Kind> = { sum: 'sum', mean: 'mean', max: 'max', min: 'min', amax: 'max', amin: 'min' };
const INT_DTYPES = new Set(['int8', 'int16', 'int32', 'int64']);

/** A reduction found in a statement: what it computes, of which array, under which mask. */
interface Found {
  expr: Expr;
  kind: Kind;
  /** The array selected from (a name); null for np.count_nonzero(mask). */
  x: string | null;
  /** x's dtype. */
  dtype: string;
  mask: Expr;
  /** Statements of the block the rewrite removes (the mask's and the selection's bindings). */
  drop: Stmt[];
}

export interface MaskFusion {
  fn: FunctionDef;
  notes: string[];
  /** Float sums and means, whose order is no longer NumPy's (close mode only). */
  closeNotes: CloseNote[];
}

const name = (span: Span, id: string): Expr => ({ kind: 'name', span, id });
const num = (span: Span, text: string, numberKind: 'int' | 'float'): Expr => ({ kind: 'number', span, text, numberKind });
const attr = (span: Span, value: Expr, a: string): Expr => ({ kind: 'attribute', span, value, attr: a });
const call = (span: Span, func: Expr, args: Expr[]): Expr => ({ kind: 'call', span, func, args, keywords: [] });
const sub = (span: Span, value: Expr, index: Expr): Expr => ({ kind: 'subscript', span, value, indices: [index] });
const assign = (span: Span, target: string, value: Expr): Stmt => ({ kind: 'assign', span, target: name(span, target), value, annotation: null });

class Fuser {
  private readonly uses = new Map<string, number>();
  private readonly binds: Map<string, number>;
  private readonly params: Set<string>;
  private readonly taken: Set<string>;
  private next = 0;
  readonly notes: string[] = [];
  readonly closeNotes: CloseNote[] = [];

  constructor(private readonly tf: TypedFunction, private readonly exact: boolean, private readonly numpy: string | null) {
    const fn = tf.fn;
    this.binds = assignmentCounts(fn.body);
    this.params = new Set(fn.params.map((p) => p.name));
    this.taken = allNames(fn);
    const count = (e: Expr): void => {
      if (e.kind === 'name') this.uses.set(e.id, (this.uses.get(e.id) ?? 0) + 1);
      for (const c of childExprs(e)) count(c);
    };
    walkStmts(fn.body, (s) => {
      for (const e of stmtExprs(s)) if (!((s.kind === 'assign') && e === s.target && e.kind === 'name')) count(e);
    });
  }

  private isNumpy(e: Expr): boolean {
    const t = this.tf.types.get(e);
    return e.kind === 'name' && t?.kind === 'module' && t.name === 'numpy';
  }

  private npCall(e: Expr): string | null {
    return e.kind === 'call' && e.func.kind === 'attribute' && this.isNumpy(e.func.value) && e.keywords.length === 0 ? e.func.attr : null;
  }

  private array1d(e: Expr): { dtype: string } | null {
    if (e.kind !== 'name') return null;
    const t = this.tf.types.get(e);
    return t?.kind === 'array' && t.ndim === 1 && t.dtype ? { dtype: t.dtype } : null;
  }

  /** Bound once as a local (not a parameter), read exactly once: a temporary the rewrite may drop. */
  private singleUseLocal(id: string): boolean {
    return !this.params.has(id) && this.binds.get(id) === 1 && this.uses.get(id) === 1;
  }

  /** Array names a mask expression reads; null when it is not an elementwise boolean expression of the subset. */
  private maskArrays(e: Expr, out: Set<string>): boolean {
    if (e.kind === 'compare') {
      if (e.ops.length !== 1) return false;
      let arrays = 0;
      for (const o of [e.left, e.comparators[0]]) {
        const a = this.array1d(o);
        if (a) {
          if (a.dtype === 'bool' || a.dtype.startsWith('complex')) return false;
          out.add((o as { id: string }).id);
          arrays++;
        } else if (!this.scalarOperand(o)) return false;
      }
      return arrays > 0;
    }
    if (e.kind === 'binary' && (e.op === '&' || e.op === '|')) return this.maskArrays(e.left, out) && this.maskArrays(e.right, out);
    if (e.kind === 'unary' && e.op === '~') return this.maskArrays(e.operand, out);
    const f = this.npCall(e);
    if (f === 'logical_and' || f === 'logical_or') return (e as { args: Expr[] }).args.length === 2 && (e as { args: Expr[] }).args.every((a) => this.maskArrays(a, out));
    if (f === 'logical_not') return (e as { args: Expr[] }).args.length === 1 && this.maskArrays((e as { args: Expr[] }).args[0], out);
    const a = this.array1d(e);
    if (a && a.dtype === 'bool') {
      out.add((e as { id: string }).id);
      return true;
    }
    return false;
  }

  /** A scalar operand evaluated once per element: names and literals under + - * (nothing that may raise). */
  private scalarOperand(e: Expr): boolean {
    if (e.kind === 'number') return e.numberKind !== 'complex';
    if (e.kind === 'binary' && (e.op === '+' || e.op === '-' || e.op === '*')) {
      const t = this.tf.types.get(e);
      return t?.kind === 'scalar' && t.scalar !== 'complex' && this.scalarOperand(e.left) && this.scalarOperand(e.right);
    }
    if (e.kind === 'unary' && e.op === '-' && e.operand.kind === 'number') return e.operand.numberKind !== 'complex';
    const t = this.tf.types.get(e);
    return e.kind === 'name' && t?.kind === 'scalar' && t.scalar !== 'complex';
  }

  /** The element test of a mask at index k (the mask's arrays read at k). */
  private element(e: Expr, k: Expr): Expr {
    const span = e.span;
    if (e.kind === 'compare') {
      const at = (o: Expr): Expr => (this.array1d(o) ? sub(o.span, o, k) : o);
      return { ...e, left: at(e.left), comparators: [at(e.comparators[0])] };
    }
    if (e.kind === 'binary') return { ...e, left: this.element(e.left, k), right: this.element(e.right, k) };
    if (e.kind === 'unary') return { kind: 'unary', span, op: 'not', operand: this.element(e.operand, k) };
    const f = this.npCall(e);
    if (f && e.kind === 'call') {
      if (f === 'logical_not') return { kind: 'unary', span, op: 'not', operand: this.element(e.args[0], k) };
      return { kind: 'binary', span, op: f === 'logical_and' ? '&' : '|', left: this.element(e.args[0], k), right: this.element(e.args[1], k) };
    }
    return sub(span, e, k);
  }

  /** The reduction e computes, and of what, or null. */
  private reduction(e: Expr): { kind: Kind; of: Expr } | null {
    if (e.kind === 'call' && e.keywords.length === 0) {
      if (e.func.kind === 'attribute' && e.args.length === 0 && METHODS[e.func.attr] && !this.isNumpy(e.func.value)) return { kind: METHODS[e.func.attr], of: e.func.value };
      const f = this.npCall(e);
      if (f && e.args.length === 1 && NP_FUNCS[f]) return { kind: NP_FUNCS[f], of: e.args[0] };
      if (f === 'count_nonzero' && e.args.length === 1) return { kind: 'count_nonzero', of: e.args[0] };
      if (e.func.kind === 'name' && e.func.id === 'len' && e.args.length === 1 && !this.binds.has('len') && !this.params.has('len')) return { kind: 'size', of: e.args[0] };
    }
    if (e.kind === 'attribute' && e.attr === 'size') return { kind: 'size', of: e.value };
    return null;
  }

  /** Whether this kind of reduction of this dtype keeps the mode's numerics when accumulated in order. */
  private allowed(kind: Kind, dtype: string): boolean {
    if (kind === 'size' || kind === 'count_nonzero') return true;
    const int = INT_DTYPES.has(dtype);
    if (kind === 'max' || kind === 'min') return int || dtype === 'float64';
    if (kind === 'sum') return int || dtype === 'float64' && !this.exact;
    return !this.exact && (int || dtype === 'float64');
  }

  /** Binding statements of `id` earlier in the block, with nothing between them and `at` that could change what they read. */
  private binding(block: Stmt[], at: number, id: string): number {
    for (let i = at - 1; i >= 0; i--) {
      const s = block[i];
      if (s.kind === 'assign' && s.target.kind === 'name' && s.target.id === id) return i;
    }
    return -1;
  }

  private find(block: Stmt[], j: number, e: Expr): Found | null {
    const r = this.reduction(e);
    if (!r) return null;
    const drop: Stmt[] = [];
    let of = r.of;
    let maskExpr: Expr;
    let x: string | null = null;
    let bindAt = j;
    if (r.kind === 'count_nonzero') {
      maskExpr = of;
    } else {
      if (of.kind === 'name' && this.singleUseLocal(of.id)) {
        const i = this.binding(block, bindAt, of.id);
        if (i < 0) return null;
        drop.push(block[i]);
        bindAt = i;
        of = (block[i] as { value: Expr }).value;
      }
      if (of.kind !== 'subscript' || of.indices.length !== 1 || of.value.kind !== 'name') return null;
      const xt = this.array1d(of.value);
      if (!xt || !this.allowed(r.kind, xt.dtype)) return null;
      x = of.value.id;
      maskExpr = of.indices[0];
    }
    if (maskExpr.kind === 'name' && this.singleUseLocal(maskExpr.id)) {
      const i = this.binding(block, bindAt, maskExpr.id);
      if (i < 0) return null;
      drop.push(block[i]);
      bindAt = i;
      maskExpr = (block[i] as { value: Expr }).value;
    }
    const arrays = new Set<string>();
    if (!this.maskArrays(maskExpr, arrays)) return null;
    let dtype = 'bool';
    if (x === null) x = [...arrays][0];
    else dtype = this.array1d((of as { value: Expr }).value)!.dtype;
    // what the mask and x read must be what they read where the mask was written: between the first dropped
    // binding and the reduction only the dropped bindings and assignments of other names without calls
    const read = new Set<string>([x]);
    const collect = (v: Expr): void => {
      if (v.kind === 'name') read.add(v.id);
      for (const c of childExprs(v)) collect(c);
    };
    collect(maskExpr);
    for (let i = bindAt; i < j; i++) {
      const s = block[i];
      if (drop.includes(s)) continue;
      if (s.kind !== 'assign' || s.target.kind !== 'name' || read.has(s.target.id) || hasCall(s.value)) return null;
    }
    if (this.numpyName() === null && r.kind !== 'size') return null;
    return { expr: e, kind: r.kind, x, dtype, mask: maskExpr, drop };
  }

  private fresh(base: string): string {
    let n = base;
    while (this.taken.has(n)) n += '_';
    this.taken.add(n);
    return n;
  }

  /** The statements computing a found reduction into a fresh local, which they return the name of. */
  private lower(f: Found): { stmts: Stmt[]; result: string } {
    const span = f.expr.span;
    const id = this.next++;
    const k = this.fresh(`_mr${id}_k`);
    const n = this.fresh(`_mr${id}_n`);
    const acc = this.fresh(`_mr${id}_a`);
    const result = this.fresh(`_mr${id}_r`);
    const x = f.x!;
    const dtype = f.dtype;
    const np = this.numpyName() ?? 'np';
    const xk = sub(span, name(span, x), name(span, k));
    const nName = name(span, n);
    const stmts: Stmt[] = [assign(span, n, num(span, '0', 'int'))];
    const hit: Stmt[] = [];
    const npScalar = (d: string, v: Expr): Expr => call(span, attr(span, name(span, np), d), [v]);
    let value: Expr;
    const nonEmpty: Expr = { kind: 'compare', span, left: nName, ops: ['>'], comparators: [num(span, '0', 'int')] };
    if (f.kind === 'sum' || f.kind === 'mean') {
      const accDtype = f.kind === 'mean' || dtype === 'float64' ? 'float64' : 'int64';
      stmts.push(assign(span, acc, npScalar(accDtype, num(span, accDtype === 'float64' ? '0.0' : '0', accDtype === 'float64' ? 'float' : 'int'))));
      hit.push({ kind: 'augassign', span, target: name(span, acc), op: '+', value: xk });
      value = f.kind === 'sum' ? name(span, acc) : {
        kind: 'ifexp', span, test: nonEmpty,
        body: { kind: 'binary', span, op: '/', left: name(span, acc), right: nName },
        orelse: npScalar('float64', attr(span, name(span, np), 'nan')),
      };
    } else if (f.kind === 'max' || f.kind === 'min') {
      stmts.push(assign(span, acc, npScalar(dtype, num(span, '0', 'int'))));
      // the first selected element, a better one, or NaN, which stays (no element compares better than NaN)
      const better: Expr = { kind: 'compare', span, left: xk, ops: [f.kind === 'max' ? '>' : '<'], comparators: [name(span, acc)] };
      const nan: Expr = { kind: 'compare', span, left: xk, ops: ['!='], comparators: [xk] };
      const first: Expr = { kind: 'compare', span, left: nName, ops: ['=='], comparators: [num(span, '0', 'int')] };
      const test: Expr = { kind: 'boolop', span, op: 'or', left: { kind: 'boolop', span, op: 'or', left: first, right: better }, right: nan };
      hit.push({ kind: 'if', span, test, body: [assign(span, acc, xk)], orelse: [] });
      // an empty selection raises ValueError as NumPy's does: the reduction of an empty slice
      const empty = call(span, attr(span, sub(span, name(span, x), { kind: 'slice', span, lower: num(span, '0', 'int'), upper: num(span, '0', 'int'), step: null }), f.kind), []);
      value = { kind: 'ifexp', span, test: nonEmpty, body: name(span, acc), orelse: empty };
    } else {
      value = f.kind === 'count_nonzero' ? npScalar('int64', nName) : nName;
    }
    hit.push({ kind: 'augassign', span, target: nName, op: '+', value: num(span, '1', 'int') });
    // NumPy's shape rule: every mask operand as long as x (read at each index of x, and x at its last index)
    for (const a of this.maskOperandArrays(f.mask)) {
      if (a === x) continue;
      const last: Expr = { kind: 'binary', span, op: '-', left: sub(span, attr(span, name(span, a), 'shape'), num(span, '0', 'int')), right: num(span, '1', 'int') };
      stmts.push(assign(span, this.fresh(`_mr${id}_len_${a}`), sub(span, name(span, x), last)));
    }
    const loop: Stmt = {
      kind: 'for', span, target: name(span, k) as { kind: 'name'; span: Span; id: string },
      range: { start: null, stop: sub(span, attr(span, name(span, x), 'shape'), num(span, '0', 'int')), step: null },
      body: [{ kind: 'if', span, test: this.element(f.mask, name(span, k)), body: hit, orelse: [] }],
    };
    stmts.push(loop, assign(span, result, value));
    return { stmts, result };
  }

  private maskOperandArrays(mask: Expr): string[] {
    const out = new Set<string>();
    this.maskArrays(mask, out);
    return [...out];
  }

  /** The function's name for numpy (the reduction's scalars are spelled through it), or null where it names none. */
  numpyName(): string | null {
    return this.numpy !== null && !this.binds.has(this.numpy) && !this.params.has(this.numpy) ? this.numpy : null;
  }

  /** Rewrites a block in place (its nested blocks first); whether anything changed. */
  block(block: Stmt[]): boolean {
    let changed = false;
    for (const s of block) {
      if (s.kind === 'for' || s.kind === 'while') changed = this.block(s.body) || changed;
      if (s.kind === 'if') {
        const a = this.block(s.body);
        const b = this.block(s.orelse);
        changed = changed || a || b;
      }
    }
    for (let j = 0; j < block.length; j++) {
      const s = block[j];
      if (s.kind !== 'assign' && s.kind !== 'augassign' && s.kind !== 'return') continue;
      if (!s.value) continue;
      const found: Found[] = [];
      const visit = (e: Expr): void => {
        // under `and`/`or`/`if else` it may not be evaluated at all: not moved before the statement
        if (e.kind === 'boolop' || e.kind === 'ifexp') return;
        const f = this.find(block, j, e);
        if (f && !found.some((g) => g.drop.some((d) => f.drop.includes(d)))) {
          found.push(f);
          return;
        }
        for (const c of childExprs(e)) visit(c);
      };
      visit(s.value);
      if (found.length === 0) continue;
      const before: Stmt[] = [];
      const results = new Map<Expr, Expr>();
      for (const f of found) {
        const { stmts, result } = this.lower(f);
        before.push(...stmts);
        results.set(f.expr, name(f.expr.span, result));
        const what = f.kind === 'count_nonzero' ? 'count_nonzero of a boolean mask' : `${f.kind} of a boolean selection of '${f.x}'`;
        this.notes.push(`fused the ${what} (line ${f.expr.span.from.line}) into one loop with a conditional accumulation (no mask or selection array)`);
      }
      for (const f of found) {
        if ((f.kind === 'sum' || f.kind === 'mean') && !INT_DTYPES.has(f.dtype)) {
          this.closeNotes.push(maskedReductionNote(f.expr.span.from.line, f.expr.span.from.col, `${f.kind} of ${f.x}[mask]`));
        }
      }
      replace(s, results);
      const dropped = new Set(found.flatMap((f) => f.drop));
      const head = block.slice(0, j).filter((t) => !dropped.has(t));
      const tail = block.slice(j);
      block.splice(0, block.length, ...head, ...before, ...tail);
      j = head.length + before.length;
      changed = true;
    }
    return changed;
  }
}

function hasCall(e: Expr): boolean {
  return e.kind === 'call' || childExprs(e).some(hasCall);
}

/** The statement's value with each key of `to` replaced by its value (one pass: the keys are the original's nodes). */
function replace(s: Stmt, to: Map<Expr, Expr>): void {
  const swap = (e: Expr): Expr => {
    const now = to.get(e);
    if (now) return now;
    switch (e.kind) {
      case 'binary': return { ...e, left: swap(e.left), right: swap(e.right) };
      case 'unary': return { ...e, operand: swap(e.operand) };
      case 'compare': return { ...e, left: swap(e.left), comparators: e.comparators.map(swap) };
      case 'call': return { ...e, func: swap(e.func), args: e.args.map(swap), keywords: e.keywords.map((k) => ({ ...k, value: swap(k.value) })) };
      case 'attribute': return { ...e, value: swap(e.value) };
      case 'subscript': return { ...e, value: swap(e.value), indices: e.indices.map(swap) };
      case 'tuple': return { ...e, elts: e.elts.map(swap) };
      default: return e;  // boolop and ifexp are not searched (find's visit), slices hold no reduction of a selection
    }
  };
  if (s.kind === 'assign' || s.kind === 'augassign' || s.kind === 'return') s.value = swap(s.value!);
}

/** The module's name for numpy (`import numpy as np`: np), or null where it imports none. */
export function numpyAlias(imports: Map<string, string>): string | null {
  for (const [local, qualified] of imports) if (qualified === 'numpy') return local;
  return null;
}

/** The function as checked, or its copy with masked reductions fused where that copy checks too (then with its notes). */
export function checkFusingMasks(tf: TypedFunction, check: (fn: FunctionDef) => TypedFunction, numpy: string | null): TypedFunction {
  if (!tf.accelerated) return tf;
  const fused = fuseMaskedReductions(tf, numpy);
  if (!fused) return tf;
  const again = check(fused.fn);
  if (!again.accelerated) return tf;
  again.maskFusions = fused.notes;
  again.closeNotes = [...again.closeNotes, ...fused.closeNotes];
  return again;
}

/** A copy of the checked function with its masked reductions fused, and what was done; null when there is none. */
export function fuseMaskedReductions(tf: TypedFunction, numpy: string | null): MaskFusion | null {
  if (tf.fn.unsupported.length > 0) return null;
  const copy: TypedFunction = { ...tf, fn: structuredClone(tf.fn) };
  // the checker's types are keyed by the original's expression objects: map them onto the copy's
  const types = new Map<Expr, TypedFunction['types'] extends Map<Expr, infer T> ? T : never>();
  pairExprs(tf.fn.body, copy.fn.body, (a, b) => {
    const t = tf.types.get(a);
    if (t) types.set(b, t);
  });
  const fuser = new Fuser({ ...copy, types }, tf.numerics === 'exact', numpy);
  return fuser.block(copy.fn.body) ? { fn: copy.fn, notes: fuser.notes, closeNotes: fuser.closeNotes } : null;
}

function pairExprs(a: Stmt[], b: Stmt[], visit: (x: Expr, y: Expr) => void): void {
  const walk = (x: Expr, y: Expr): void => {
    visit(x, y);
    const cx = childExprs(x);
    const cy = childExprs(y);
    for (let i = 0; i < cx.length; i++) walk(cx[i], cy[i]);
  };
  for (let i = 0; i < a.length; i++) {
    const ex = stmtExprs(a[i]);
    const ey = stmtExprs(b[i]);
    for (let k = 0; k < ex.length; k++) walk(ex[k], ey[k]);
    const sa = a[i];
    const sb = b[i];
    if ((sa.kind === 'for' || sa.kind === 'while') && (sb.kind === 'for' || sb.kind === 'while')) pairExprs(sa.body, sb.body, visit);
    if (sa.kind === 'if' && sb.kind === 'if') {
      pairExprs(sa.body, sb.body, visit);
      pairExprs(sa.orelse, sb.orelse, visit);
    }
  }
}
