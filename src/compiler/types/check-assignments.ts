// Assignments: unpacking, stores into arrays and scalars, augmented assignments, local bindings and the aliases and writes they make.
// A layer of the types checker (checker-base.ts describes the chain).
import { diagnostic, type Span } from '../diagnostics.js';
import { walkExpr, type Expr, type Stmt } from '../parse/ast.js';
import { dtypeScalar } from './hints.js';
import { describe, join, sameTy, UNKNOWN, type Ty } from './ty.js';
import { castsSameKind, intRange, isDtype, kindOf, NARROW, promoteTypes, type Dtype } from './promotion.js';
import { within } from './int-ranges.js';
import { indexStoreRefusal, STORE_HELPER, type IndexArrayHelper } from './index-arrays.js';
import { StatementChecker } from './check-statements.js';
import { article, exactScalarType, isIndexHelper, isSelfProduct, viewOperand } from './check-helpers.js';
import { unionMove } from './param-rotations.js';

export abstract class AssignmentChecker extends StatementChecker {
  /** `t[k]` of a tuple (`q, r = f(x)` reads the items so): a constant index, each item its own type. */
  protected tupleItem(e: Expr & { kind: 'subscript' }, base: Ty & { kind: 'tuple' }): Ty {
    const ix = e.indices.length === 1 ? e.indices[0] : null;
    const k = ix && ix.kind === 'number' && ix.numberKind === 'int' && /^\d+$/.test(ix.text) ? Number(ix.text) : null;
    if (k === null || k >= base.elts.length) {
      this.error(e.span, k === null ? 'a tuple is indexed by an integer literal only' : `tuple index ${k} is out of range for ${base.elts.length} items`);
      return UNKNOWN;
    }
    return base.elts[k];
  }

  /**
   * `a, b = E` unpacks E's first dimension (an array of known rank) or E's
   * items (a tuple of that many: a module function's `return q, r`).
   */
  protected checkUnpackedArray(s: Stmt & { kind: 'assign' }): void {
    const t = this.types.get(s.value);
    if (t?.kind === 'array' && t.ndim !== null && t.ndim >= 1) return;
    if (t?.kind === 'tuple' && t.elts.length === s.unpackedLength) return;
    if (t?.kind === 'tuple') {
      this.error(s.span, `unpacking a tuple of ${t.elts.length} items into ${s.unpackedLength} names raises ValueError`);
      if (s.target.kind === 'name') this.untyped.add(s.target.id);
      return;
    }
    // a value refused on its own (`np.mgrid[...]`): its diagnostic says why, the unpacking adds nothing
    const inValue = (d: { span: Span }): boolean => d.span.start >= s.value.span.start && d.span.end <= s.value.span.end;
    if ((!t || t.kind === 'unknown') && this.diagnostics.some(inValue)) {
      if (s.target.kind === 'name') this.untyped.add(s.target.id);
      return;
    }
    const message = `unpacking ${t ? describe(t) : 'a value'} into ${s.unpackedLength} names is not supported (only a written tuple, a shape or an array of known rank)`;
    // one diagnostic: the temporary's uses (`a = t[0]`, and what reads a) are its follow-ons
    if (!this.diagnostics.some((d) => d.span.start === s.span.start && d.message === message)) this.diagnostics.push(diagnostic('error', s.span, message));
    if (s.target.kind === 'name') this.untyped.add(s.target.id);
  }

  /** `n, m = A.shape` binds only when A has exactly that rank (Python raises ValueError otherwise). */
  protected checkUnpackedShape(s: Stmt & { kind: 'assign' }): void {
    const base = s.value.kind === 'subscript' && s.value.value.kind === 'attribute' ? s.value.value.value : null;
    const t = base ? this.types.get(base) : undefined;
    if (t?.kind === 'array' && t.ndim === s.unpackedShape) return;
    const rank = t?.kind === 'array' ? (t.ndim === null ? 'an unknown rank' : `rank ${t.ndim}`) : 'no known rank';
    this.error(s.span, `unpacking a shape of ${rank} into ${s.unpackedShape} names`);
  }

  /**
   * `A[i, :] += X` on an array: Numba's in-place operator on a slice neither
   * broadcasts nor checks shapes as NumPy does, so the variants print it as
   * `A[i, :] = A[i, :] + X`, which is the same for NumPy (it buffers
   * overlapping operands) and makes Numba check the shapes. Only when the
   * casting cannot differ: NumPy casts the operator's result into the array
   * by the 'same_kind' rule (measured on NumPy 2.4: `i8 += i64_array` wraps
   * as the assignment does, `u8 += i64_array` and `int_array += float` raise
   * UFuncTypeError, where an assignment would cast silently).
   */
  protected arrayAugAssign(s: Stmt & { kind: 'augassign' }, target: Ty & { kind: 'array' }, value: Ty, result: Ty): void {
    const targetKind = target.dtype === null ? null : dtypeScalar(target.dtype);
    const valueKind = value.kind === 'scalar' ? value.scalar : value.kind === 'array' ? (value.dtype === null ? null : dtypeScalar(value.dtype)) : null;
    const rank: Record<string, number> = { bool: 0, int: 1, float: 2, complex: 3 };
    if (targetKind === null || valueKind === null || rank[valueKind] > rank[targetKind] || (s.op === '/' && targetKind !== 'float' && targetKind !== 'complex')) {
      this.error(s.span, `'${s.op}=' on an array whose dtype NumPy could refuse to cast in place (${target.dtype ?? 'any dtype'} ${s.op}= ${describe(value)})`);
      return;
    }
    const computed = result.kind === 'array' ? result.dtype : result.kind === 'scalar' && result.origin === 'np' ? result.dtype ?? null : null;
    if (isDtype(target.dtype) && isDtype(computed) && !castsSameKind(computed, target.dtype)) {
      this.error(s.span, `'${s.op}=' on ${article(target.dtype)} array computes ${article(computed)} result, which NumPy refuses to cast in place (UFuncTypeError, casting rule 'same_kind')`);
      return;
    }
    if (s.target.kind === 'name') {
      if (target.ndim === null) {
        this.error(s.span, `'${s.target.id} ${s.op}= ...' on an array of unknown rank`);
        return;
      }
      this.arrayAug.set(s, target.ndim);
    } else {
      this.arrayAug.set(s, null);
    }
  }

  /** `x[mask] = v`, `x[idx] = v`: the target's read helper becomes the statement's store helper. */
  protected indexArrayStore(s: Stmt & { kind: 'assign' }, valueTy: Ty): void {
    if (s.target.kind !== 'subscript') return;
    const h = this.helpers.get(s.target);
    if (!h || !isIndexHelper(h.helper)) return;
    this.helpers.delete(s.target);
    const base = this.types.get(s.target.value);
    if (base?.kind !== 'array') return;
    const read = this.types.get(s.target);
    const refusal = read?.kind === 'array' && read.ndim !== 1 ? 'a store through an index array of several dimensions is not supported' : indexStoreRefusal(base, valueTy);
    if (refusal) {
      this.error(s.value.span, refusal);
      return;
    }
    this.augHelpers.set(s, { helper: STORE_HELPER[h.helper as IndexArrayHelper], args: [s.target.value, h.args![1], s.value] });
  }

  protected assign(target: Expr, valueTy: Ty, value: Expr, span: Span): void {
    if (target.kind === 'name') {
      if (this.params.has(target.id)) {
        const pt = this.params.get(target.id)!;
        if (pt.kind === 'array' || valueTy.kind === 'array') {
          // `A, B = B, A`, `u, un = un, u`: a move of a whole object, another parameter's or a fresh local's (types/param-rotations.ts)
          if (value.kind === 'name' && value.id !== target.id && this.movable(value.id) && this.sameArrays(target.id, value.id)) {
            this.move(target.id, value.id);
            return;
          }
          // once per statement: `A, B = B, A` (parse/unpack.ts) rebinds both
          const already = this.diagnostics.some((d) => d.span.start === span.start && d.message.startsWith('rebinding the array parameter'));
          if (!already) this.error(span, `rebinding the array parameter '${target.id}' is not supported`);
          return;
        }
        if (valueTy.kind === 'scalar' && pt.kind === 'scalar' && valueTy.scalar !== pt.scalar) {
          this.error(span, `parameter '${target.id}' is rebound to a ${valueTy.scalar}`);
        }
        return;
      }
      if (valueTy.kind === 'scalar' && valueTy.scalar === 'int' && valueTy.origin !== 'np' && isSelfProduct(target.id, value)) {
        this.error(span, `'${target.id} = ${target.id} * ...' on a Python int may exceed 64 bits, where Numba would wrap around`);
      }
      if (this.usesFailedCall(value)) this.callUntyped.add(target.id);
      else if (this.usesUntyped(value)) this.untyped.add(target.id);
      // a NumPy call's tuple of arrays (np.histogram) is held whole, aliasing what the call's result may alias
      if (valueTy.kind === 'tuple' && this.tupleCalls.has(value)) {
        this.bindLocal(target.id, valueTy, this.tupleCalls.get(value)!, span, true);
        return;
      }
      // a local array moved to or from a group holding a parameter's object (`un = t1` after `t1 = u`): its root changes
      const move = value.kind === 'name' && valueTy.kind === 'array' && this.locals.get(target.id)?.kind === 'array' && value.id !== target.id
        && this.movable(value.id) && this.movable(target.id) && this.sameArrays(target.id, value.id)
        && (this.paramObject(value.id) !== null || this.paramObject(target.id) !== null);
      this.bindLocal(target.id, valueTy, valueTy.kind === 'array' ? this.arrayRoot(value) : null, span, false, move);
      if (value.kind === 'name' && valueTy.kind === 'array' && this.movable(value.id)) {
        if (this.paramObject(value.id) !== null) {
          this.paramObjects.set(target.id, this.paramObject(value.id)!);
          this.movedOut.add(this.paramObject(value.id)!);
        }
        if (move || this.paramObject(value.id) !== null) unionMove(this.paramMoves, target.id, value.id);
      }
      return;
    }
    if (target.kind === 'subscript') {
      const into = this.expr(target);
      // NumPy 2 raises OverflowError storing a Python int out of the array's range (`u16[i] = -107`)
      const dtype = into.kind === 'array' ? into.dtype : into.kind === 'scalar' ? into.dtype : null;
      if (isDtype(dtype) && valueTy.kind === 'scalar' && valueTy.origin === 'py' && valueTy.scalar === 'int') {
        this.constructorRange(dtype, valueTy, value, span, `storing a Python int into a ${dtype} array`);
      }
      this.scalarStore(into, valueTy, span, value);
      this.markWritten(target, span);
      return;
    }
    this.error(target.span, 'unsupported assignment target');
  }

  /**
   * NumPy 2 stores a scalar into an integer array (an element or a slice)
   * through a Python int, range-checked: `i16[k] = np.int32(70000)` or
   * `i16[k] = 1e9` raise OverflowError and a NaN raises ValueError, where
   * compiled code wraps or converts with undefined results. So no float or
   * complex scalar is stored into an integer array, and a NumPy integer scalar
   * of a dtype that does not cast safely to the array's is stored as NumPy
   * stores it (measured on NumPy 2.4, elements and slices alike): an unsigned
   * array keeps it modulo 2**bits (`u8[k] = np.int64(-1)` is 255), which is
   * compiled code's store too; a signed array takes it only within its range
   * (`i32[k] = np.int64(a[k]) * k` raises OverflowError past int32), so the
   * stored `value` goes through fit_int (types/casts.ts checked), which leaves
   * a value out of range to the original, unless its static range fits. (Python
   * ints are range-checked with the operands: constructorRange.) An augmented
   * element store (`i8[i] += i64[i]`: Python reads the element, computes
   * `np.int8 + np.int64` as an int64 and stores that, measured on NumPy 2.4) is
   * checked the same way, the statement printed `i8[i] = np.int8(fit_int(i8[i]
   * + i64[i], lo, hi))`. A uint64 value is compared as uint64 (fit_int's
   * overload: Numba would compare it with int64 bounds in float64, which rounds
   * near 2**63). Without `value` (np.full) such a store is refused.
   */
  protected scalarStore(into: Ty, value: Ty, span: Span, valueExpr?: Expr | (Stmt & { kind: 'augassign' })): void {
    const target = into.kind === 'array' || into.kind === 'scalar' ? into.dtype : null;
    if (!isDtype(target) || target === 'bool' || kindOf(target) !== 'int' || value.kind !== 'scalar') return;
    if (value.scalar === 'float' || value.scalar === 'complex') {
      this.error(span, `storing a ${value.scalar} into ${article(target)} array: NumPy 2 raises OverflowError (ValueError for NaN) where it does not fit, compiled code's conversion is undefined there`);
      return;
    }
    if (value.origin === 'py') return;
    const from: Dtype = isDtype(value.dtype) ? value.dtype : value.scalar === 'bool' ? 'bool' : 'int64';
    if (promoteTypes(from, target) === target || target.startsWith('u')) return;
    const bounds = intRange(target)!;
    // (an augmented operator computed by a helper, `i8[i] <<= c`, prints as the helper's call: no check there)
    if (valueExpr && value.origin === 'np' && !(valueExpr.kind === 'augassign' && this.augHelpers.has(valueExpr))) {
      const computed: Expr = valueExpr.kind === 'augassign' ? { kind: 'binary', span: valueExpr.span, op: valueExpr.op, left: valueExpr.target, right: valueExpr.value } : valueExpr;
      if (within(this.rangeOf(computed), bounds)) return;
      const prior = this.casts.get(valueExpr);
      // a narrow result's own wrap is replaced by the check of its unwrapped value: within the array's
      // range the two agree, and outside it the original runs (and wraps first, as NumPy does)
      this.casts.set(valueExpr, { dtype: prior && !prior.array ? prior.dtype : target, array: false, checked: bounds });
      return;
    }
    this.error(span, `storing ${article(from)} value into ${article(target)} array: NumPy 2 raises OverflowError where it does not fit, compiled code would wrap around`);
  }

  /** Whether an expression reads a name bound by an unsupported statement. */
  protected usesUntyped(e: Expr): boolean {
    let found = false;
    walkExpr(e, (x) => { if (x.kind === 'name' && this.untyped.has(x.id)) found = true; });
    return found;
  }

  /** Whether an expression holds a refused module call or reads a local bound from one (this pass). */
  protected usesFailedCall(e: Expr): boolean {
    let found = false;
    walkExpr(e, (x) => { if (this.failedCalls.has(x) || (x.kind === 'name' && this.callUntyped.has(x.id))) found = true; });
    return found;
  }

  /** `move`: a whole object moved from another name of its group (types/param-rotations.ts): the root may change. */
  protected bindLocal(name: string, t: Ty, aliasOf: string | null, span: Span, arrayTuple = false, move = false): void {
    // a tuple of scalars (what `q, r = f(x)` unpacks) is a value; one holding arrays could alias the caller's,
    // unless it is a NumPy call's (arrayTuple: aliasOf names what it may alias)
    const scalarTuple = t.kind === 'tuple' && (arrayTuple || t.elts.every((x) => x.kind === 'scalar'));
    if (t.kind === 'tuple' && !scalarTuple) {
      this.error(span, `local '${name}' holds a tuple of ${t.elts.map(describe).join(', ')}: only tuples of scalars are supported`);
    } else if (t.kind === 'module' || t.kind === 'callable' || t.kind === 'shape' || (t.kind === 'dtype' && t.dtype === null)) {
      this.error(span, `local '${name}' holds a ${t.kind}, which is not supported`);
    }
    const prev = this.locals.get(name);
    // `dt = A.dtype` then `np.zeros(n, dt)`: one known dtype per local (types/dtype-args.ts)
    if (t.kind === 'dtype' && prev?.kind === 'dtype' && prev.dtype !== t.dtype) this.error(span, `local '${name}' holds the dtypes ${prev.dtype} and ${t.dtype}`);
    if (scalarTuple && prev && !sameTy(prev, t)) this.error(span, `local '${name}' changes between ${describe(prev)} and ${describe(t)}`);
    const next = scalarTuple ? t : prev ? join(prev, t) : t;
    if (prev?.kind === 'scalar' && t.kind === 'scalar' && exactScalarType(prev) !== exactScalarType(t) && [prev, t].some((x) => NARROW.has(exactScalarType(x) as Dtype) || exactScalarType(x) === 'uint64')) {
      // NumPy 2 keeps each value's own type (a Python float, then a float32 after `s += x[i]`); Numba unifies the local into one
      this.error(span, `local '${name}' is ${describe(prev)} and ${describe(t)} on different paths: NumPy 2 computes with each, compiled code with one type`);
    }
    if (prev && prev.kind !== 'unknown' && t.kind !== 'unknown' && prev.kind !== t.kind) {
      this.error(span, `local '${name}' changes between ${describe(prev)} and ${describe(t)}`);
    }
    this.locals.set(name, next);
    if (arrayTuple) this.aliases.set(name, aliasOf); // (its items, `h = t[0]`, alias what it aliases: arrayRoot)
    if (t.kind === 'array') {
      const prevAlias = this.aliases.get(name);
      // (a name of a group of moved objects may also be bound to a fresh array: `un = np.empty_like(u)` seen again
      // on the checker's next pass, after `un = t1` made it hold the parameter's object)
      const fresh = aliasOf === null && (this.paramMoves.has(name) || [...this.paramMoves.values()].includes(name));
      if (prevAlias !== undefined && prevAlias !== aliasOf && !move && !fresh) this.error(span, `local array '${name}' is rebound to a different array`);
      this.aliases.set(name, aliasOf);
    }
  }

  /** An array parameter whose whole object a name may hold (itself, or a local `t1 = u` moved from one), else null. */
  protected paramObject(name: string): string | null {
    if (this.params.has(name)) return this.params.get(name)!.kind === 'array' ? name : null;
    return this.paramObjects.get(name) ?? null;
  }

  /**
   * A name whose object may move to another name: an array parameter, a local holding a parameter's whole
   * object, or a local of no parameter's memory (a fresh array). Not a view of a parameter (`v = B[1:]`).
   */
  protected movable(name: string): boolean {
    if (this.params.has(name)) return this.params.get(name)!.kind === 'array';
    if (this.locals.get(name)?.kind !== 'array') return false;
    return this.paramObjects.has(name) || this.aliases.get(name) === null;
  }

  /** Two array names of one dtype and one known rank: Numba types a name bound to either alike. */
  protected sameArrays(a: string, b: string): boolean {
    const of = (n: string): { dtype: string | null; ndim: number | null } | null => {
      const t = this.params.get(n) ?? this.locals.get(n);
      if (t?.kind !== 'array') return null;
      return { dtype: t.dtype, ndim: (this.params.has(n) ? this.ndimSeen.get(n) : undefined) ?? t.ndim };
    };
    const [x, y] = [of(a), of(b)];
    return !!x && !!y && x.dtype !== null && x.dtype === y.dtype && x.ndim !== null && x.ndim === y.ndim;
  }

  /** A parameter bound to another name's whole object: one group (a parameter's object moved counts as written). */
  protected move(param: string, from: string): void {
    unionMove(this.paramMoves, param, from);
    const whole = this.paramObject(from);
    if (whole !== null) {
      unionMove(this.paramMoves, param, whole);
      this.movedOut.add(whole);
    }
  }

  /** The array parameter an array-valued expression is a view of, if any. */
  protected arrayRoot(e: Expr): string | null {
    if (e.kind === 'name') {
      if (this.params.has(e.id)) return e.id;
      return this.aliases.get(e.id) ?? null;
    }
    // `x[mask]`, `x[idx]` are copies (types/index-arrays.ts)
    if (e.kind === 'subscript') return isIndexHelper(this.helpers.get(e)?.helper ?? '') ? null : this.arrayRoot(e.value);
    if (e.kind === 'attribute' && (e.attr === 'T' || e.attr === 'real' || e.attr === 'imag')) return this.arrayRoot(e.value);
    if (e.kind === 'call' && e.func.kind === 'attribute' && (e.func.attr === 'transpose' || e.func.attr === 'ravel')) return this.arrayRoot(e.func.value);
    // a view NumPy returns (np.reshape, np.flip, a.reshape(...)): writes through it write its array
    const viewed = viewOperand(e, (x) => this.types.get(x)?.kind === 'module', (x) => { const t = this.types.get(x); return t?.kind === 'array' ? t.ndim : null; });
    if (viewed) return this.arrayRoot(viewed);
    return null;
  }

  protected markWritten(target: Expr, span: Span): void {
    let base: Expr = target;
    while (base.kind === 'subscript' || (base.kind === 'attribute' && (base.attr === 'T' || base.attr === 'real' || base.attr === 'imag'))) base = base.value;
    if (base.kind !== 'name') {
      this.error(span, 'unsupported assignment target');
      return;
    }
    const t = this.params.get(base.id) ?? this.locals.get(base.id);
    if (!t || t.kind !== 'array') {
      this.error(span, `'${base.id}' is assigned by subscript but is not an array`);
      return;
    }
    const root = this.params.has(base.id) ? base.id : this.aliases.get(base.id) ?? null;
    if (root) this.written.add(root);
  }
}

