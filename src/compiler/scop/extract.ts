// SCoP extraction for explicit loops: affine `for ... in range(...)` nests
// (constant steps, negative ones included; bounds affine in int parameters,
// `A.shape[k]` and enclosing iterators; `min`/`max` in bounds), affine
// subscripts (`A[i, j]` and `A[i][j]`), data-dependent `if`s as may-accesses,
// non-affine subscripts as may-accesses of the whole array, scalar locals as
// 0-d arrays.
import { assignmentCounts, childExprs, walkStmts, type Expr, type Stmt } from '../parse/ast.js';
import { isNewAxis, viewOperand, type TypedFunction } from '../types/check.js';
import { arrayMethod, numpyFunction } from '../types/numpy-table.js';
import { affAdd, affConst, affIsConst, affToIsl, affVar, islName, toAff, type Aff } from './affine.js';
import type { CheckedIndex, Scop, ScopAccess, ScopLoop, ScopStatement } from './scop.js';
import { invariantLocals } from './invariant-locals.js';
import { temporaryShape, type Shape } from './temporaries.js';
import { islToPython, paramSources, type ParamSource } from './param-sources.js';
import type { CallSite } from '../types/calls.js';
import { isFreshArray, privateArrays, viewedNames } from './private-arrays.js';
import { freshShape } from './fresh-shapes.js';
import { wrappedIndex } from './wrapped-index.js';
import { rotationGroups, type RotationGroup } from './rotations.js';

interface LoopFrame {
  index: number;
  iterator: string;
  /** The Python loop variable ('' for a while loop, which has none). */
  variable: string;
  whileLoop?: boolean;
}

export function extractScop(tf: TypedFunction, source: string): Scop {
  return new Extractor(tf, source).run();
}

class Extractor {
  private readonly params = new Set<string>();
  private readonly loops: ScopLoop[] = [];
  private readonly statements: ScopStatement[] = [];
  private readonly stack: LoopFrame[] = [];
  private readonly constraints: string[][] = [];
  private readonly positions: number[] = [0];
  private conditional = 0;
  private approximate = 0;
  /** Depth of while loops around: their iterations are unbounded in the model, so writes are may-writes. */
  private unbounded = 0;
  private unanalysable: string | null = null;
  private readonly arrayRank = new Map<string, number | null>();
  private readonly aliasRoot = new Map<string, string>();
  private readonly localShapes = new Map<string, string[]>();
  private readonly conflictingShapes = new Set<string>();
  private readonly sizeLocals: Map<string, Expr>;
  /** How many times each name is bound in the function (a temporary is bound once). */
  private readonly bindings: Map<string, number>;
  private readonly temporaries = new Map<string, Shape>();
  private readonly assumptions: Scop['assumptions'] = [];
  /** Locals freshInLoop modelled. */
  private readonly freshBound = new Set<string>();
  /** Fresh arrays allocated once at the top level (`out = np.empty_like(a)`): slice statements may fill them (lower-slices.ts). */
  private readonly allocatedAtTop = new Set<string>();
  /** Arrays allocated at the top level outside ifs, views of them allowed (their shape is the allocation's where bound once). */
  private readonly allocatedUnconditionally = new Set<string>();
  /** Index expressions read from data into fresh local arrays (Scop.checkedIndices). */
  private readonly checkedIndices = new Map<Expr, CheckedIndex>();
  /** `%` subscripts modelled as a range of their dimension: the bounds guard rules out a zero divisor (Scop.guardedDivisions). */
  private readonly guardedDivisions = new Set<Expr>();
  /** The `for` statement of each loop, by index into `loops`. */
  private readonly forStmts = new Map<number, Stmt & { kind: 'for' }>();
  /** Array locals whose objects are moved between names (rotations.ts), with their group's shape in localShapes. */
  private readonly rotated = new Set<string>();

  constructor(private readonly tf: TypedFunction, private readonly source: string) {
    for (const p of tf.params) if (p.kind === 'array') this.arrayRank.set(p.name, p.ndim);
    this.sizeLocals = invariantLocals(tf);
    this.bindings = assignmentCounts(tf.fn.body);
  }

  run(): Scop {
    for (const [name, t] of this.tf.locals) {
      if (t.kind === 'array') this.arrayRank.set(name, t.ndim);
    }
    for (const g of rotationGroups(this.tf)) {
      const shape = this.groupShape(g);
      if (!shape) continue;
      for (const name of g.names) {
        this.rotated.add(name);
        this.localShapes.set(name, shape);
      }
    }
    // A name that views an array anywhere (`v = A[1:]`, `cur = nxt`) reaches it in the statements before that
    // binding too (inside a loop): names related by views are one array of the model from the start, named by
    // one that views nothing (a cycle of bindings, `a, b = b, a`, by its least name not a temporary's). Rotated buffers are moves.
    const parent = new Map<string, string>();
    const find = (x: string): string => {
      while (parent.has(x) && parent.get(x) !== x) x = parent.get(x)!;
      return x;
    };
    const viewing = new Set<string>();
    walkStmts(this.tf.fn.body, (s) => {
      if (s.kind !== 'assign' || s.target.kind !== 'name' || !this.arrayRank.has(s.target.id) || this.rotated.has(s.target.id)) return;
      const root = this.viewRoot(s.value);
      if (!root || root === s.target.id) return;
      viewing.add(s.target.id);
      const [a, b] = [find(s.target.id), find(root)];
      if (a !== b) parent.set(a, b);
    });
    const members = new Map<string, string[]>();
    for (const x of new Set([...parent.keys(), ...parent.values()])) members.set(find(x), [...(members.get(find(x)) ?? []), x]);
    for (const names of members.values()) {
      const plain = names.filter((x) => !viewing.has(x)).sort();
      const rep = plain.length === 1 ? plain[0] : [...names].sort((x, y) => Number(x.startsWith('__')) - Number(y.startsWith('__')) || x.localeCompare(y))[0];
      for (const x of names) if (x !== rep) this.aliasRoot.set(x, rep);
    }
    this.block(this.tf.fn.body);
    for (const bad of this.conflictingShapes) this.localShapes.delete(bad);
    // arrays private to each iteration of a loop (private-arrays.ts): none that a view reaches
    const aliased = viewedNames(this.tf, (v) => this.viewRoot(v));
    for (const [index, stmt] of this.forStmts) {
      const names = privateArrays(this.tf, stmt, aliased);
      if (names.length > 0) this.loops[index].privateArrays = names;
    }
    return {
      params: [...this.params].sort(),
      loops: this.loops,
      statements: this.statements,
      localShapes: this.localShapes,
      temporaries: this.temporaries,
      freshLocals: this.freshLocalShapes(),
      // (a local whose shapes conflict has none: its accesses stay unchecked, and the function sequential)
      // (a parameter's reads through data: checkableRead)
      checkedIndices: new Map([...this.checkedIndices].filter(([, c]) => this.localShapes.has(c.array) || this.tf.params.some((p) => p.name === c.array))),
      assumptions: this.assumptions,
      guardedDivisions: this.guardedDivisions,
      unanalysable: this.unanalysable,
    };
  }

  private block(body: Stmt[]): void {
    for (const s of body) {
      this.stmt(s);
      this.positions[this.positions.length - 1]++;
    }
  }

  private stmt(s: Stmt): void {
    switch (s.kind) {
      case 'for':
        return this.forLoop(s);
      case 'while':
        return this.whileLoop(s);
      case 'if':
        if (!containsControl(s)) {
          // An if without loops inside is one compound statement (as in PPCG):
          // its test is read, and what its branches write may be written.
          this.statement(s.span, this.compoundAccesses(s), s);
          return;
        }
        this.statement(s.span, this.readsOf(s.test), null);
        this.conditional++;
        this.nested(s.body);
        this.nested(s.orelse);
        this.conditional--;
        return;
      case 'assign':
      case 'augassign': {
        // `a, b = E` of an array raises ValueError on a length mismatch (parse/unpack.ts): the model has no raising statements
        if (s.kind === 'assign' && s.unpackedLength !== undefined && this.tf.types.get(s.value)?.kind !== 'tuple') this.unanalysable ??= `unpacking an array at line ${s.span.from.line} may raise ValueError`;
        // a rotated buffer (`cur = nxt`, `cells = new`, a fresh array): every element of it written, no alias recorded
        if (s.kind === 'assign' && s.target.kind === 'name' && this.rotated.has(s.target.id)) {
          const w = this.fullArray(s.target.id, 'write');
          w.redefines = true;
          this.statement(s.span, [...this.readsOf(s.value), w], s);
          return;
        }
        const allocation = s.kind === 'assign' && s.target.kind === 'name' ? this.allocation(s.target.id, s.value) ?? this.temporary(s.target.id, s.value, s.span.from.line) ?? this.freshInLoop(s.target.id, s.value) : null;
        if (allocation) {
          this.statement(s.span, [...this.readsOf(s.value), allocation], s);
          return;
        }
        const accesses = this.readsOf(s.value);
        if (s.kind === 'augassign') accesses.push(...this.readsOf(s.target));
        else if (s.target.kind === 'subscript') accesses.push(...this.indexReads(s.target));
        accesses.push(this.write(s.target, s.kind === 'assign', s.kind === 'augassign' ? s.op : null));
        // a view NumPy returns (np.reshape(A, s), np.flip(A), A.reshape(s)) aliases its array as a subscript does
        if (s.kind === 'assign' && s.target.kind === 'name' && this.arrayRank.has(s.target.id)) {
          const root = this.viewRoot(s.value);
          if (root) this.aliasRoot.set(s.target.id, this.aliasRoot.get(root) ?? root);
        }
        this.statement(s.span, accesses, s);
        return;
      }
      case 'expr':
        // a ufunc's output argument (types/ufunc-out.ts) is written whole
        if (s.value.kind !== 'string') this.statement(s.span, [...this.readsOf(s.value), ...(s.out ? [this.write(s.out, false, 'out')] : [])], s);
        return;
      case 'return':
        this.statement(s.span, s.value ? this.readsOf(s.value) : [], s);
        if (this.stack.length > 0) this.unanalysable ??= `'return' inside a loop at line ${s.span.from.line} makes the control flow dynamic`;
        return;
      case 'break':
      case 'continue':
        // in a while loop it ends or skips an iteration its model already covers (whileLoop)
        if (this.stack[this.stack.length - 1]?.whileLoop) return;
        this.unanalysable ??= `'${s.kind}' at line ${s.span.from.line} makes the control flow dynamic`;
        return;
      case 'pass':
        return;
    }
  }

  /** The array a value views (a subscript, a name, `.T`, a view NumPy returns: np.reshape(A, s), np.flip(A), A.reshape(s)), or null. */
  private viewRoot(value: Expr): string | null {
    const viewed = viewOperand(value, (x) => this.tf.types.get(x)?.kind === 'module', (x) => { const t = this.tf.types.get(x); return t?.kind === 'array' ? t.ndim : null; });
    return value.kind !== 'call' || viewed ? rootName(viewed ?? value) : null;
  }

  /**
   * `z = np.zeros((n, m))` (also empty, ones) with affine extents: a fresh array
   * whose every element is written, and whose shape the bounds guard can use.
   */
  private allocation(name: string, value: Expr): ScopAccess | null {
    const copied = this.stack.length === 0 ? copySource(this.tf, value) : null;
    const typing = value.kind === 'call' && value.func.kind === 'attribute' ? numpyFunction(value.func.attr)?.typing : undefined;
    if (!copied && (value.kind !== 'call' || value.func.kind !== 'attribute' || (typing !== 'alloc' && typing !== 'full' && typing !== 'alloc_like'))) return null;
    if (value.kind !== 'call' || value.func.kind !== 'attribute') return null;
    const mod = this.tf.types.get(value.func.value);
    if (!copied && (!mod || mod.kind !== 'module' || mod.name !== 'numpy' || value.args.length < 1)) return null;
    if (this.stack.length > 0) return null;
    const isl = copied ? this.protoShape(copied) : typing === 'alloc_like' ? this.likeShape(value) : this.shapeExtents(value.args[0]);
    if (!isl) return null;
    if (this.conditional === 0 && this.freshNames().has(name)) this.allocatedAtTop.add(name);
    if (this.conditional === 0) this.allocatedUnconditionally.add(name);
    const prev = this.localShapes.get(name);
    if (prev && prev.join() !== isl.join()) this.conflictingShapes.add(name);
    this.localShapes.set(name, isl);
    const dims = isl.map((_, d) => `o${d}`);
    const inside = isl.map((x, d) => `0 <= o${d} < ${x}`).join(' and ');
    return {
      kind: 'write',
      must: true,
      array: name,
      element: `${islName(name)}[${dims.join(', ')}]${inside ? ` : ${inside}` : ''}`,
      text: name,
      scalar: false,
      exact: true,
      redefines: true,
      reductionOp: null,
      dims: isl.map((extent) => ({ index: null, extent })),
    };
  }

  /** The extents of a shape argument (`n`, `(n, m)`), each affine in the parameters, or null. */
  private shapeExtents(shape: Expr): string[] | null {
    // `np.zeros(A.shape)`: A's shape, as np.zeros_like(A) has
    if (shape.kind === 'attribute' && shape.attr === 'shape') return this.protoShape(shape.value);
    const extents = (shape.kind === 'tuple' ? shape.elts : [shape]).map((e) => toAff(e, (x) => this.affineName(x)));
    return extents.some((e) => e === null) ? null : (extents as Aff[]).map(affToIsl);
  }

  /**
   * `np.empty_like(u)` / zeros_like / ones_like: the shape of u (an array
   * parameter of known rank, or a local of known shape), unless `shape=` says
   * otherwise. Without it the array's every write was a may-write of the whole
   * array, and a loop filling it read as writing one element again and again.
   */
  private likeShape(value: Expr & { kind: 'call' }): string[] | null {
    return value.keywords.some((k) => k.name === 'shape') ? null : this.protoShape(value.args[0]);
  }

  /** The shape of a prototype or a copied array: a parameter of known rank, or a local of known shape bound once. */
  private protoShape(proto: Expr): string[] | null {
    if (proto.kind !== 'name' || this.aliasRoot.has(proto.id)) return null;
    // (a local bound once: another binding, say in a branch, may give it another shape)
    const local = this.localShapes.get(proto.id);
    if (local) return this.bindings.get(proto.id) === 1 ? [...local] : null;
    const rank = this.arrayRank.get(proto.id);
    if (rank === null || rank === undefined || !this.tf.params.some((p) => p.name === proto.id && p.kind === 'array')) return null;
    const extents = Array.from({ length: rank }, (_, d) => this.extent(proto.id, d));
    return extents.some((x) => x === null) ? null : (extents as string[]);
  }

  /**
   * A fresh array bound inside a loop (`tmp = np.zeros(m)`, `row = np.sort(A[i])`,
   * `w = A[i] * 2.0`): every element of the new object is written, with a shape
   * the same in every iteration (fresh-shapes.ts). Only for names every binding
   * of which is fresh and that no view reaches, so that the name always denotes
   * an object of its own (scop/private-arrays.ts).
   */
  private freshInLoop(name: string, value: Expr): ScopAccess | null {
    if (this.stack.length === 0 || !this.freshNames().has(name)) return null;
    const iterators = new Set(this.stack.map((f) => f.iterator));
    const isl = freshShape(this.tf, value, {
      aff: (e) => toAff(e, (x) => this.affineName(x)),
      extent: (a, d) => (a === name ? null : this.extent(a, d)),
      iterators,
    });
    if (!isl) return null;
    this.freshBound.add(name);
    const prev = this.localShapes.get(name);
    if (prev && prev.join() !== isl.join()) this.conflictingShapes.add(name);
    this.localShapes.set(name, isl);
    return {
      kind: 'write', must: true, array: name, text: name, scalar: false, exact: true, redefines: true, reductionOp: null,
      element: `${islName(name)}[${isl.map((_, d) => `o${d}`).join(', ')}]${isl.length ? ` : ${isl.map((x, d) => `0 <= o${d} < ${x}`).join(' and ')}` : ''}`,
      dims: isl.map((extent) => ({ index: null, extent })),
    };
  }

  private fresh: Set<string> | null = null;

  /**
   * The fresh locals bound once (in a loop, or an allocation or copy at the top
   * level) whose shape is known, with their extents in Python over the
   * arguments (`A.shape[1]`, `n`), for slice statements over them
   * (poly/lower-slices.ts).
   */
  private freshLocalShapes(): Map<string, Shape> {
    const out = new Map<string, Shape>();
    const sources = paramSources(this.tf);
    for (const name of new Set([...this.freshBound, ...this.allocatedAtTop])) {
      const isl = this.localShapes.get(name);
      // (`t += A[i]` updates the array in place: only `=` binds it)
      if (!isl || this.bindings.get(name)! - this.inPlaceUpdates(name) !== 1) continue;
      const asPy = isl.map((x) => islToPython(sources, x));
      if (asPy.every((x) => x !== null)) out.set(name, { py: asPy as string[], isl });
    }
    return out;
  }

  /** How many `name op= e` statements the function holds. */
  private inPlaceUpdates(name: string): number {
    let k = 0;
    walkStmts(this.tf.fn.body, (s) => { if (s.kind === 'augassign' && s.target.kind === 'name' && s.target.id === name) k++; });
    return k;
  }

  /**
   * The shape of a local allocated once at the top level before this statement (`ccol = np.empty((I, J, K))`),
   * over the parameters: a temporary's operand as a parameter array is; null if any extent has no Python form.
   */
  private allocatedShape(name: string): Shape | null {
    const isl = this.localShapes.get(name);
    if (!isl || !this.allocatedUnconditionally.has(name) || this.bindings.get(name) !== 1 || this.rotated.has(name)) return null;
    // (`A.shape[0]` as a parameter array's extent is written, so that equal extents compare equal: temporaries.ts `same`)
    const py = isl.map((x) => this.islToPython(x)?.replace(/^\(([^ ()]*)\)$/, '$1') ?? null);
    if (py.some((x) => x === null)) return null;
    return { py: py as string[], isl, aff: isl.map((x) => (/^[A-Za-z_][A-Za-z0-9_]*$/.test(x) ? affVar(x) : null)) };
  }

  private viewedMemo: Set<string> | null = null;

  /** Names involved in a view (private-arrays.ts viewedNames). */
  private viewed(): Set<string> {
    this.viewedMemo ??= viewedNames(this.tf, (v) => this.viewRoot(v));
    return this.viewedMemo;
  }

  /** Local arrays every binding of which is a fresh array and that no view reaches. */
  private freshNames(): Set<string> {
    if (this.fresh) return this.fresh;
    const viewed = viewedNames(this.tf, (v) => this.viewRoot(v));
    const ok = new Map<string, boolean>();
    walkStmts(this.tf.fn.body, (s) => {
      if ((s.kind === 'assign' || s.kind === 'augassign') && s.target.kind === 'name') {
        const id = s.target.id;
        // `t += A[i]` on an array updates the object in place: no binding (private-arrays.ts)
        if (s.kind === 'augassign' && this.tf.locals.get(id)?.kind === 'array') return;
        ok.set(id, (ok.get(id) ?? true) && s.kind === 'assign' && !viewed.has(id) && isFreshArray(this.tf, s.value));
      }
      if (s.kind === 'for') ok.set(s.target.id, false);
    });
    this.fresh = new Set([...ok].filter(([, v]) => v).map(([n]) => n));
    return this.fresh;
  }

  /**
   * `t = a * b + c`, `D = A @ B`: a fresh local array from a NumPy operator
   * over whole arrays (temporaries.ts), assigned once, outside ifs; in a loop,
   * only where each iteration binds its own (private-arrays.ts).
   * Its shape holds under conditions the guard checks.
   */
  private temporary(name: string, value: Expr, line: number): ScopAccess | null {
    const t = this.tf.locals.get(name);
    if (!t || t.kind !== 'array' || t.ndim === null || t.ndim === 0 || this.conditional > 0 || this.bindings.get(name) !== 1) return null;
    // inside a loop: a new object each iteration that no earlier iteration's value reaches and nothing reads after
    // the loop (private-arrays.ts), so that each iteration fills its own; its extents are over the parameters only
    // (an iterator in a bound has no Python form over the arguments: temporaries.ts gives up)
    const inner = this.stack[this.stack.length - 1];
    if (inner && !privateArrays(this.tf, this.forStmts.get(inner.index)!, this.viewed()).includes(name)) return null;
    const found = temporaryShape(this.tf, value, t.ndim, this.temporaries, {
      extent: (a, d) => this.extent(a, d) as string,
      aff: (e) => toAff(e, (x) => this.affineName(x)),
      toPython: (isl) => this.islToPython(isl),
      local: (a) => this.allocatedShape(a),
    });
    if (!found) return null;
    for (const condition of found.conditions) this.assumptions.push({ condition, why: `the operands at line ${line} would broadcast a dimension of length 1, or not fit` });
    this.temporaries.set(name, found.shape);
    const extents = found.shape.isl;
    this.localShapes.set(name, extents);
    return {
      kind: 'write', must: true, array: name, text: name, scalar: false, exact: true, redefines: true, reductionOp: null,
      element: `${islName(name)}[${extents.map((_, d) => `o${d}`).join(', ')}] : ${extents.map((x, d) => `0 <= o${d} < ${x}`).join(' and ')}`,
      dims: extents.map((extent) => ({ index: null, extent })),
    };
  }

  /**
   * The one shape of a group of rotated buffers: that of each fresh value bound
   * to a member (the same in every iteration, a member's extent being the
   * group's own), or null when one is unknown or they differ.
   */
  private groupShape(g: RotationGroup): string[] | null {
    const ctx = (known: string[] | null): Parameters<typeof freshShape>[2] => ({
      aff: (e) => toAff(e, (x) => this.affineName(x)),
      extent: (a, d) => (g.names.has(a) ? (known?.[d] ?? null) : this.extent(a, d)),
      iterators: new Set<string>(),
    });
    // a moved parameter's shape (`A, B = B, A`: every parameter of the group has it, as the guard checks)
    const paramShape = (name: string): string[] | null => {
      const rank = this.arrayRank.get(name);
      if (rank === null || rank === undefined) return null;
      const extents = Array.from({ length: rank }, (_, d) => this.extent(name, d));
      return extents.every((x) => x !== null) ? extents as string[] : null;
    };
    const first = g.params.length > 0 ? paramShape(g.params[0]) : g.fresh.map((v) => freshShape(this.tf, v, ctx(null))).find((x) => x !== null);
    if (!first) return null;
    const all = [...g.params.map(paramShape), ...g.fresh.map((v) => freshShape(this.tf, v, ctx(first)))];
    if (all.some((x) => x === null)) return null;
    // (`prev = u0.copy(); cur = u1.copy()`: equal shapes the guard checks; the original runs otherwise)
    const conditions: string[] = [];
    for (const x of all as string[][]) {
      for (let d = 0; d < first.length; d++) {
        if (x[d] === first[d]) continue;
        const [a, b] = [this.islToPython(x[d]), this.islToPython(first[d])];
        if (a === null || b === null) return null;
        conditions.push(`${a} == ${b}`);
      }
    }
    // (the unpacking's temporaries, `__unpacked0`, are no names the user wrote)
    const names = [...g.names].filter((n) => !n.startsWith('__')).join("', '");
    for (const condition of new Set(conditions)) this.assumptions.push({ condition, why: `the arrays rotated through '${names}' would have different shapes` });
    return first;
  }

  /** An isl extent over the parameters (`A_shape0`, `n`, `n - 1`) in Python over the arguments (parenthesized), or null. */
  private islToPython(x: string): string | null {
    this.sources ??= paramSources(this.tf);
    const py = islToPython(this.sources, x);
    return py === null ? null : `(${py})`;
  }

  private sources: Map<string, ParamSource> | null = null;

  /** Accesses of a loop-free if: test reads, then the branches' accesses, writes as may-writes. */
  private compoundAccesses(s: Stmt & { kind: 'if' }): ScopAccess[] {
    const out = this.readsOf(s.test);
    const visit = (body: Stmt[]): void => {
      for (const b of body) {
        if (b.kind === 'if') {
          out.push(...this.readsOf(b.test));
          visit(b.body);
          visit(b.orelse);
        } else if (b.kind === 'assign' || b.kind === 'augassign') {
          out.push(...this.readsOf(b.value));
          if (b.kind === 'augassign') out.push(...this.readsOf(b.target));
          else if (b.target.kind === 'subscript') out.push(...this.indexReads(b.target));
          // (`s += t` under a test is still a sum: loop-verdicts.ts requires every write of s to be one)
          const w = this.write(b.target, false, b.kind === 'augassign' ? b.op : null);
          w.must = false;
          out.push(w);
        } else if (b.kind === 'expr' && b.value.kind !== 'string') {
          out.push(...this.readsOf(b.value));
        }
      }
    };
    visit(s.body);
    visit(s.orelse);
    return out;
  }

  /** A nested body (if branches) shares the enclosing level's position. */
  private nested(body: Stmt[]): void {
    this.positions.push(0);
    this.block(body);
    this.positions.pop();
  }

  private forLoop(s: Stmt & { kind: 'for' }): void {
    const index = this.loops.length;
    const iterator = `${islName(s.target.id)}_${index}`;
    const resolve = (e: Expr): string | Aff | null => this.affineName(e);
    const lo = s.range.start ? this.boundAffs(s.range.start, 'max') : [affConst(0)];
    const hi = this.boundAffs(s.range.stop, 'min');
    const stepAff = s.range.step ? toAff(s.range.step, resolve) : affConst(1);
    const step = stepAff && stepAff.terms.size === 0 ? stepAff.constant : null;
    const cs: string[] = [];
    let approximate = false;
    if (!lo || !hi || step === null || step === 0) {
      approximate = true;
    } else if (step > 0) {
      for (const l of lo) cs.push(`${iterator} >= ${affToIsl(l)}`);
      for (const h of hi) cs.push(`${iterator} < ${affToIsl(h)}`);
      if (step > 1 && lo.length === 1) cs.push(`(${iterator} - (${affToIsl(lo[0])})) mod ${step} = 0`);
      else if (step > 1) approximate = true;
    } else {
      // range(start, stop, -k): stop < v <= start.
      for (const l of lo) cs.push(`${iterator} <= ${affToIsl(l)}`);
      for (const h of hi) cs.push(`${iterator} > ${affToIsl(h)}`);
      if (step < -1 && lo.length === 1) cs.push(`(${affToIsl(lo[0])} - ${iterator}) mod ${-step} = 0`);
      else if (step < -1) approximate = true;
      if (s.range.start && lo.length > 1) approximate = true;
    }
    const descending = step !== null && step < 0;
    this.loops.push({ span: s.span, variable: s.target.id, ...(s.label ? { label: s.label } : {}), iterator, depth: this.stack.length, descending, approximate });
    this.forStmts.set(index, s);
    this.stack.push({ index, iterator, variable: s.target.id });
    this.constraints.push(cs);
    if (approximate) this.approximate++;
    this.positions.push(0);
    this.block(s.body);
    this.positions.pop();
    if (approximate) this.approximate--;
    this.constraints.pop();
    this.stack.pop();
  }

  /**
   * `while test: body` as a loop over w = 0, 1, ... without upper bound, whose
   * first statement reads the test: real executions run a prefix of these
   * iterations (and one more test), so every real dependence is in the model.
   * Its writes are may-writes (isl finds no last writer among unbounded
   * iterations); its statements run whenever their iteration does (a scalar
   * they redefine first is private to a loop inside), unless a break or
   * continue of this loop may skip them: then they are conditional.
   * Loops inside keep their own verdicts; the while loop itself is never parallel.
   */
  private whileLoop(s: Stmt & { kind: 'while' }): void {
    const index = this.loops.length;
    const iterator = `while_${index}`;
    this.loops.push({ span: s.span, variable: 'while', iterator, depth: this.stack.length, descending: false, approximate: false, whileLoop: true });
    this.stack.push({ index, iterator, variable: '', whileLoop: true });
    this.constraints.push([`${iterator} >= 0`]);
    this.positions.push(0);
    this.statement(s.span, this.readsOf(s.test), null);
    this.positions[this.positions.length - 1]++;
    const jumps = jumpsOutOf(s.body);
    if (jumps) this.conditional++;
    this.unbounded++;
    this.block(s.body);
    this.unbounded--;
    if (jumps) this.conditional--;
    this.positions.pop();
    this.constraints.pop();
    this.stack.pop();
  }

  /** Bounds as affine pieces: `min(a, b)` as an upper bound is both a and b. */
  private boundAffs(e: Expr, split: 'min' | 'max'): Aff[] | null {
    if (e.kind === 'call' && e.func.kind === 'name' && e.func.id === split && e.keywords.length === 0) {
      const parts = e.args.map((a) => this.boundAffs(a, split));
      return parts.every((p) => p !== null) ? (parts as Aff[][]).flat() : null;
    }
    const a = toAff(e, (x) => this.affineName(x));
    return a ? [a] : null;
  }

  /** isl name of an iterator, int parameter or `A.shape[k]`, a size local's definition; null for anything else. */
  private affineName(e: Expr): string | Aff | null {
    if (e.kind === 'name') {
      for (let k = this.stack.length - 1; k >= 0; k--) if (this.stack[k].variable === e.id) return this.stack[k].iterator;
      const size = this.sizeLocals.get(e.id);
      if (size) return toAff(size, (x) => this.affineName(x));
      const p = this.tf.params.find((q) => q.name === e.id);
      if (p && p.kind === 'int' && !this.reassigned(e.id)) {
        this.params.add(islName(e.id));
        return islName(e.id);
      }
      return null;
    }
    if (e.kind === 'subscript' && e.value.kind === 'attribute' && e.value.attr === 'shape' && e.value.value.kind === 'name' && e.indices.length === 1) {
      const k = e.indices[0];
      const arr = e.value.value.id;
      if (k.kind === 'number' && /^\d+$/.test(k.text) && this.tf.params.some((p) => p.name === arr)) {
        const name = `${islName(arr)}_shape${k.text}`;
        this.params.add(name);
        return name;
      }
    }
    if (e.kind === 'call' && e.func.kind === 'name' && e.func.id === 'len' && e.args.length === 1 && e.args[0].kind === 'name') {
      const arr = e.args[0].id;
      if (this.tf.params.some((p) => p.name === arr)) {
        const name = `${islName(arr)}_shape0`;
        this.params.add(name);
        return name;
      }
    }
    return null;
  }

  private assignedNames: Set<string> | null = null;

  /** Whether a name is assigned anywhere in the function (then it is no parameter of the SCoP). */
  private reassigned(name: string): boolean {
    if (!this.assignedNames) {
      const names = new Set<string>();
      walkStmts(this.tf.fn.body, (s) => {
        if ((s.kind === 'assign' || s.kind === 'augassign') && s.target.kind === 'name') names.add(s.target.id);
      });
      this.assignedNames = names;
    }
    return this.assignedNames.has(name);
  }


  private statement(span: ScopStatement['span'], accesses: ScopAccess[], source: Stmt | null): void {
    const conditional = this.conditional > 0 || this.approximate > 0;
    // (in a while loop too: a must-write in unbounded iterations leaves isl an unbounded last writer)
    if (conditional || this.unbounded > 0) for (const a of accesses) if (a.kind === 'write') a.must = false;
    this.statements.push({
      id: `S${this.statements.length}`,
      span,
      loops: this.stack.map((f) => f.index),
      constraints: this.constraints.flat(),
      positions: [...this.positions],
      accesses,
      conditional,
      source,
    });
  }

  /** Every array element and scalar local an expression reads. */
  private readsOf(e: Expr): ScopAccess[] {
    const out: ScopAccess[] = [];
    const visit = (x: Expr): void => {
      if (x.kind === 'subscript') {
        // an item of a tuple local (`q = t[0]` after `q, r = f(x)`): a read of the whole tuple
        const item = x.value.kind === 'name' && this.tf.locals.get(x.value.id)?.kind === 'tuple' ? this.scalarAccess(x.value.id, 'read', x.span.start) : null;
        if (item) out.push(item);
        const acc = item ? null : this.access(x, 'read');
        if (acc) out.push(acc);
        for (const i of subscriptIndices(x)) visit(i);
        return;
      }
      if (x.kind === 'name') {
        const s = this.scalarAccess(x.id, 'read', x.span.start);
        if (s) out.push(s);
        // a whole array read by name (`np.dot(x, x)`, `y * 2.0`): every element
        else if (this.arrayRank.has(x.id)) out.push(this.fullArray(x.id, 'read'));
        return;
      }
      if (x.kind === 'attribute' && x.attr === 'shape') return;
      if (x.kind === 'call') {
        for (const a of [...x.args, ...x.keywords.map((k) => k.value)]) visit(a);
        if (x.func.kind === 'attribute') visit(x.func.value);
        // a method that writes its receiver (a.sort(), a.fill(v)): a may-write of what the receiver covers
        if (x.func.kind === 'attribute' && this.tf.types.get(x.func.value)?.kind === 'array' && arrayMethod(x.func.attr)?.writesReceiver) {
          const w = this.mayWrite(x.func.value);
          if (w) out.push(w);
        }
        // a call of a module function also writes what its specialization writes (types/calls.ts)
        const site = this.tf.calls.get(x);
        if (site) out.push(...this.callWrites(site));
        return;
      }
      for (const c of childExprs(x)) visit(c);
    };
    visit(e);
    return out;
  }

  /**
   * The arrays a called module function may write: each argument passed to a
   * parameter its body writes, as a may-write of every element the argument
   * covers (the whole array, or the slice passed).
   */
  private callWrites(site: CallSite): ScopAccess[] {
    const out: ScopAccess[] = [];
    site.spec.tf.params.forEach((p, k) => {
      const arg = site.args[k];
      if (p.kind !== 'array' || !p.written || typeof arg === 'string') return;
      const w = this.mayWrite(arg);
      if (w) out.push(w);
    });
    return out;
  }

  /** A may-write of every element an array expression covers (the whole array, or the slice written). */
  private mayWrite(arg: Expr): ScopAccess | null {
    let w: ScopAccess | null = null;
    if (arg.kind === 'name' && this.arrayRank.has(arg.id)) w = this.fullArray(arg.id, 'write');
    else if (arg.kind === 'subscript') w = this.access(arg, 'write') ?? (rootName(arg) ? this.wholeArray(rootName(arg)!, 'write', rootName(arg)!) : null);
    else if (rootName(arg) && this.arrayRank.has(rootName(arg)!)) w = this.wholeArray(rootName(arg)!, 'write', rootName(arg)!);
    return w ? { ...w, must: false } : null;
  }

  private indexReads(target: Expr & { kind: 'subscript' }): ScopAccess[] {
    return subscriptIndices(target).flatMap((i) => this.readsOf(i));
  }

  private write(target: Expr, redefines: boolean, op: string | null): ScopAccess {
    if (target.kind === 'name') {
      // `x *= 2.0` on an array parameter writes every element in place
      // (`t += A[i]` on a local array of known shape, a fresh one per iteration: every element too)
      if (op !== null && (this.tf.params.some((q) => q.name === target.id && q.kind === 'array') || this.localShapes.has(target.id))) return this.fullArray(target.id, 'write');
      const s = this.scalarAccess(target.id, 'write', target.span.start);
      if (s) {
        s.redefines = redefines;
        s.reductionOp = op === '+' || op === '*' ? op : null;
        return s;
      }
      // A whole local array rebound (`T = A @ B`): a write of the whole array.
      return this.wholeArray(target.id, 'write', target.id);
    }
    return this.access(target as Expr & { kind: 'subscript' }, 'write') ?? this.wholeArray('?', 'write', '?');
  }

  private scalarAccess(name: string, kind: 'read' | 'write', _at: number): ScopAccess | null {
    if (this.stack.some((f) => f.variable === name)) return null;
    const t = this.tf.locals.get(name) ?? null;
    const p = this.tf.params.find((q) => q.name === name);
    if (p) {
      if (p.kind === 'array') return kind === 'read' ? null : this.wholeArray(name, 'write', name);
      return null; // scalar parameters are read-only in accelerated code
    }
    // a tuple of scalars (parse/unpack.ts's temporary for `q, r = f(x)`) is one value too
    if (!t || (t.kind !== 'scalar' && t.kind !== 'tuple')) return null;
    return { kind, must: true, array: name, element: `${islName(name)}[]`, text: name, scalar: true, exact: true, redefines: false, reductionOp: null };
  }

  /** Every element of an array named whole: exact when its rank and extents are known. */
  private fullArray(name: string, kind: 'read' | 'write'): ScopAccess {
    const root = this.aliasRoot.get(name) ?? name;
    const rank = this.arrayRank.get(root);
    if (root !== name || rank === null || rank === undefined) return this.wholeArray(root, kind, name);
    const extents = Array.from({ length: rank }, (_, d) => this.extent(root, d));
    if (extents.some((x) => x === null)) return this.wholeArray(root, kind, name);
    const dims = extents.map((_, d) => `o${d}`);
    const constraints = extents.map((x, d) => `0 <= o${d} < ${x}`);
    return {
      kind, must: true, array: root, text: name, scalar: false, exact: true, redefines: false, reductionOp: null,
      element: `${islName(root)}[${dims.join(', ')}]${constraints.length ? ` : ${constraints.join(' and ')}` : ''}`,
      dims: extents.map((x) => ({ index: null, extent: x as string })),
    };
  }

  private wholeArray(array: string, kind: 'read' | 'write', text: string): ScopAccess {
    const root = this.aliasRoot.get(array) ?? array;
    const rank = this.arrayRank.get(root) ?? 1;
    const dims = Array.from({ length: rank ?? 1 }, (_, k) => `o${k}`);
    return { kind, must: false, array: root, element: `${islName(root)}[${dims.join(', ')}]`, text, scalar: false, exact: false, redefines: false, reductionOp: null };
  }

  /** An array access `A[i, j]` / `A[i][j]`, exact when every index is affine and the rank is known. */
  private access(e: Expr & { kind: 'subscript' }, kind: 'read' | 'write'): ScopAccess | null {
    const root = rootName(e);
    if (!root || !this.arrayRank.has(root)) return null;
    const text = this.source.slice(e.span.start, e.span.end);
    const aliased = this.aliasRoot.get(root);
    const indices = subscriptIndices(e);
    const rank = this.arrayRank.get(root);
    // `None` / `np.newaxis` adds a dimension of length 1 and consumes no array dimension.
    const real = indices.filter((ix) => !isNewAxis(ix));
    if (aliased || rank === null || rank === undefined || real.length > rank) return this.wholeArray(root, kind, text);
    // In a chain, a later subscript indexes what an earlier one left (`A[1:][0]` is
    // row 1, `A[None][0]` all of A): only integer indices before the last one line
    // up with the array's dimensions.
    if (e.value.kind === 'subscript' && subscriptIndices(e.value).some((ix) => ix.kind === 'slice' || isNewAxis(ix))) return this.wholeArray(root, kind, text);
    // Each dimension is an affine index, or a unit-step slice (an implicit loop
    // of the NumPy operator: a range of elements); trailing dimensions not
    // indexed are whole. NumPy clips slices to the array, so a slice access is a
    // may-access: the range written is never larger than the one modelled.
    // Negative constants count from the end, as in NumPy (`A[-1]`, `A[1:-1]`:
    // normalizedBound); a bound whose sign depends on the parameters is modelled
    // as non-negative and the guard checks that it is (nonNegative).
    const dims: string[] = [];
    const constraints: string[] = [];
    const nonNegative: string[] = [];
    const checked: NonNullable<ScopAccess['dims']> = [];
    const fromData: number[] = [];
    const ranged: number[] = [];
    const pending: [Expr, CheckedIndex][] = [];
    let sliced = false;
    for (let d = 0; d < rank; d++) {
      const ix = real[d];
      if (ix && ix.kind !== 'slice') {
        const a = toAff(ix, (x) => this.affineName(x));
        const extent = this.extent(root, d);
        // `u[(i + 1) % n]`, `u[i // 2]`: exact, or a range of the dimension (wrapped-index.ts)
        // (into a fresh local array such an index is checked as the variant runs, below, as before)
        const wrapped = !a && extent !== null && !this.checkableIndex(root, ix) ? wrappedIndex(ix, d, extent, (x) => toAff(x, (y) => this.affineName(y)), (x) => this.isIntScalar(x)) : null;
        if (wrapped && extent !== null) {
          if (wrapped.kind === 'exact') {
            dims.push(wrapped.index);
            checked.push({ index: wrapped.index, extent });
          } else {
            dims.push(`o${d}`);
            constraints.push(...wrapped.constraints);
            checked.push({ index: null, extent });
            nonNegative.push(...wrapped.nonNegative);
            ranged.push(d);
            this.guardedDivisions.add(wrapped.division);
          }
          continue;
        }
        if (!a && extent !== null && (this.checkableIndex(root, ix) || this.checkableRead(root, ix, kind))) {
          // an index read from data: any element of the dimension, checked when the variant runs
          dims.push(`o${d}`);
          constraints.push(`0 <= o${d} < ${extent}`);
          checked.push({ index: null, extent });
          fromData.push(d);
          pending.push([ix, { array: root, dim: d }]);
          continue;
        }
        if (!a || extent === null) return this.wholeArray(root, kind, text);
        const index = normalizedBound(a, extent);
        dims.push(index);
        // (a negative constant already counts from the end: no second wrap, poly/negative-indices.ts)
        checked.push(affIsConst(a) && a.constant < 0 ? { index, extent, fromEnd: true } : { index, extent });
        continue;
      }
      sliced = true;
      if (ix && ix.kind === 'slice' && ix.step && !(ix.step.kind === 'number' && ix.step.text === '1')) return this.wholeArray(root, kind, text);
      const extent = this.extent(root, d);
      const lower = ix && ix.kind === 'slice' && ix.lower ? toAff(ix.lower, (x) => this.affineName(x)) : affConst(0);
      const upper = ix && ix.kind === 'slice' && ix.upper ? toAff(ix.upper, (x) => this.affineName(x)) : null;
      if (!lower || (ix && ix.kind === 'slice' && ix.upper && !upper) || extent === null) return this.wholeArray(root, kind, text);
      dims.push(`o${d}`);
      checked.push({ index: null, extent });
      // the clipping to [0, extent] is the last constraint
      constraints.push(`${normalizedBound(lower, extent)} <= o${d}`, `o${d} < ${upper ? normalizedBound(upper, extent) : extent}`, `0 <= o${d} < ${extent}`);
      nonNegative.push(...[lower, ...(upper ? [upper] : [])].filter((b) => !affIsConst(b)).map(affToIsl));
    }
    for (const [ix, c] of pending) this.checkedIndices.set(ix, c);
    return {
      kind,
      must: !sliced && fromData.length === 0 && ranged.length === 0,
      array: root,
      element: `${islName(root)}[${dims.join(', ')}]${constraints.length ? ` : ${constraints.join(' and ')}` : ''}`,
      text,
      scalar: false,
      exact: fromData.length === 0 && ranged.length === 0,
      ...(fromData.length ? { checked: fromData } : {}),
      ...(ranged.length ? { ranged } : {}),
      redefines: false,
      reductionOp: null,
      node: e,
      ...(nonNegative.length ? { nonNegative } : {}),
      dims: checked,
    };
  }

  private isIntScalar(e: Expr): boolean {
    const t = this.tf.types.get(e);
    return t?.kind === 'scalar' && t.scalar === 'int';
  }

  /**
   * An integer index of a fresh local array (private-arrays.ts: every binding a
   * new object, no view of it) of known shape, which the variant can check as
   * Python does: a signed integer, or an unsigned one narrower than 64 bits
   * (runtime/index_checks.py compares it with the length as int64).
   */
  private checkableIndex(array: string, ix: Expr): boolean {
    if (!this.localShapes.has(array) || !this.freshNames().has(array)) return false;
    return this.checkableInt(ix);
  }

  /**
   * A read through an index computed from data or a call (`x[idx[i]]`, `u[abs(i - c)]`) of an array parameter
   * the function never writes, nor any name aliases: a read of any element of the dimension, which no write can
   * conflict with, its index checked as the variant runs as for a fresh local's (Scop.checkedIndices).
   */
  private checkableRead(array: string, ix: Expr, kind: 'read' | 'write'): boolean {
    const p = this.tf.params.find((q) => q.name === array);
    if (kind !== 'read' || p?.kind !== 'array' || p.written || p.ndim === null) return false;
    if ([...this.aliasRoot.values()].includes(array)) return false;
    return this.checkableInt(ix);
  }

  /** A signed integer, or an unsigned one narrower than 64 bits (runtime/index_checks.py compares it as int64). */
  private checkableInt(ix: Expr): boolean {
    const t = this.tf.types.get(ix);
    if (t?.kind !== 'scalar' || t.scalar !== 'int') return false;
    return !t.dtype || /^int(8|16|32|64)$|^uint(8|16|32)$/.test(t.dtype);
  }

  /** Extent of dimension d of an array: a shape parameter, or a local array's affine shape. */
  private extent(array: string, d: number): string | null {
    const local = this.localShapes.get(array);
    if (local) return local[d] ?? null;
    if (!this.tf.params.some((p) => p.name === array && p.kind === 'array')) return null;
    const name = `${islName(array)}_shape${d}`;
    this.params.add(name);
    return name;
  }

}

/**
 * A slice bound or index as NumPy reads it: a negative constant counts from
 * the end of the dimension (`-1` is `extent - 1`). Other bounds are taken as
 * they are; the guard checks that they are not negative (nonNegative, dims).
 */
export function normalizedBound(a: Aff, extent: string): string {
  return affIsConst(a) && a.constant < 0 ? `${extent} - ${-a.constant}` : affToIsl(a);
}

/** A break or continue of this loop's own (not of a loop inside it). */
function jumpsOutOf(body: Stmt[]): boolean {
  return body.some((b) => b.kind === 'break' || b.kind === 'continue' || (b.kind === 'if' && (jumpsOutOf(b.body) || jumpsOutOf(b.orelse))));
}

/** Loops, returns, breaks or continues inside an if: it cannot be one compound statement. */
function containsControl(s: Stmt & { kind: 'if' }): boolean {
  let found = false;
  const visit = (body: Stmt[]): void => {
    for (const b of body) {
      if (b.kind === 'for' || b.kind === 'while' || b.kind === 'return' || b.kind === 'break' || b.kind === 'continue') found = true;
      if (b.kind === 'if') {
        visit(b.body);
        visit(b.orelse);
      }
    }
  };
  visit(s.body);
  visit(s.orelse);
  return found;
}

function rootName(e: Expr): string | null {
  let b: Expr = e;
  while (b.kind === 'subscript' || (b.kind === 'attribute' && b.attr === 'T')) b = b.value;
  return b.kind === 'name' ? b.id : null;
}

/** Indices of a subscript chain from the root outwards: `A[i][j, k]` -> [i, j, k]. */
function subscriptIndices(e: Expr & { kind: 'subscript' }): Expr[] {
  const chain: Expr[][] = [];
  let b: Expr = e;
  while (b.kind === 'subscript') {
    chain.unshift(b.indices);
    b = b.value;
  }
  return chain.flat();
}

export { affAdd };

/**
 * The array a top-level copy reads whole: `np.copy(x)`, `x.copy()`, `x.astype(d)` of a name, or null.
 * (A fresh array of x's shape, every element written: an allocation to the model, read of x besides.)
 */
function copySource(tf: TypedFunction, value: Expr): Expr | null {
  if (value.kind !== 'call' || value.func.kind !== 'attribute') return null;
  const onModule = tf.types.get(value.func.value)?.kind === 'module';
  if (value.keywords.some((k) => k.name !== 'dtype')) return null;
  if (onModule) return value.func.attr === 'copy' && value.args.length === 1 && value.keywords.length === 0 && value.args[0].kind === 'name' ? value.args[0] : null;
  const receiver = value.func.value;
  if (receiver.kind !== 'name' || tf.types.get(value)?.kind !== 'array') return null;
  if (value.func.attr === 'copy' && value.args.length === 0 && value.keywords.length === 0) return receiver;
  if (value.func.attr === 'astype' && value.args.length + value.keywords.length === 1) return receiver;
  return null;
}
