// IslContext and the value objects (sets, maps, union sets, union maps,
// schedules). Every object wraps one shim handle that it owns.
//
// Ownership rules (see README.md):
//  - every method leaves its receiver and arguments alive and returns new
//    objects; nothing is consumed;
//  - an object is freed by `.free()`, or at the end of the `ctx.scope()` it
//    was created in (unless it is the scope's return value or `.keep()` was
//    called), or when its context is freed;
//  - a freed object throws IslError on use.

import { IslError, IslQuotaError } from './errors.js';
import { DimType, IslErrorCode, type DimTypeName, type RawModule } from './raw.js';
import { parseAstJson, type GeneratedAst } from './ast.js';
import { bandsOf, type BandNode, type ScheduleTreeNode, type TreePath } from './schedule-tree.js';

type Kind = 'set' | 'map' | 'union_set' | 'union_map' | 'schedule';

/** Base of all isl value objects: one owned handle. */
export abstract class IslObject {
  protected abstract readonly kind: Kind;
  #ptr: number;
  readonly ctx: IslContext;

  /** @internal Use the IslContext factories. */
  constructor(ctx: IslContext, ptr: number) {
    this.ctx = ctx;
    this.#ptr = ptr;
    ctx._adopt(this);
  }

  /** The raw handle (for the bindings only). */
  get ptr(): number {
    if (this.#ptr === 0) throw new IslError(`isl-wasm: ${this.kind} used after free()`);
    return this.#ptr;
  }

  get isFreed(): boolean {
    return this.#ptr === 0;
  }

  /** Free the isl object now. Idempotent. */
  free(): void {
    if (this.#ptr === 0) return;
    this.ctx._raw(`_shim_${this.kind}_free`)(this.#ptr);
    this.#ptr = 0;
    this.ctx._forget(this);
  }

  /** Exempt this object from the enclosing scope's clean-up. */
  keep(): this {
    this.ctx._keep(this);
    return this;
  }

  toString(): string {
    return this.ctx._takeString(this.ctx._raw(`_shim_${this.kind}_to_str`)(this.ptr));
  }

  /** @internal result = shim_<kind>_<op>(this, ...args) as a new object. */
  protected op<T extends IslObject>(make: Maker<T>, op: string, ...args: (IslObject | number)[]): T {
    const raw = this.ctx._raw(`_shim_${this.kind}_${op}`);
    const ptr = raw(this.ptr, ...args.map((a) => (typeof a === 'number' ? a : a.ptr)));
    return this.ctx._wrap(make, ptr, `${this.kind}_${op}`);
  }

  /** @internal shim predicate: 1 true, 0 false, -1 error. */
  protected pred(op: string, other?: IslObject): boolean {
    const raw = this.ctx._raw(`_shim_${this.kind}_${op}`);
    const r = other ? raw(this.ptr, other.ptr) : raw(this.ptr);
    if (r < 0) this.ctx._throw(`${this.kind}_${op}`);
    return r === 1;
  }
}

type Maker<T extends IslObject> = new (ctx: IslContext, ptr: number) => T;

/** Operations common to sets, maps, union sets and union maps. */
abstract class IslSetLike<Self extends IslSetLike<Self>> extends IslObject {
  protected abstract get self(): Maker<Self>;
  intersect(o: Self): Self { return this.op(this.self, 'intersect', o); }
  union(o: Self): Self { return this.op(this.self, 'union', o); }
  subtract(o: Self): Self { return this.op(this.self, 'subtract', o); }
  gist(context: Self): Self { return this.op(this.self, 'gist', context); }
  lexmin(): Self { return this.op(this.self, 'lexmin'); }
  lexmax(): Self { return this.op(this.self, 'lexmax'); }
  coalesce(): Self { return this.op(this.self, 'coalesce'); }
  detectEqualities(): Self { return this.op(this.self, 'detect_equalities'); }
  /** The parameter constraints (projection onto the parameters). */
  params(): IslSet { return this.op(IslSet, 'params'); }
  intersectParams(p: IslSet): Self { return this.op(this.self, 'intersect_params', p); }
  gistParams(p: IslSet): Self { return this.op(this.self, 'gist_params', p); }
  isEmpty(): boolean { return this.pred('is_empty'); }
  isEqual(o: Self): boolean { return this.pred('is_equal', o); }
  isSubset(o: Self): boolean { return this.pred('is_subset', o); }
}

export class IslSet extends IslSetLike<IslSet> {
  protected readonly kind = 'set';
  protected get self(): Maker<IslSet> { return IslSet; }
  apply(m: IslMap): IslSet { return this.op(IslSet, 'apply', m); }
  identity(): IslMap { return this.op(IslMap, 'identity'); }
  projectOut(type: DimTypeName, first: number, n: number): IslSet {
    return this.op(IslSet, 'project_out', DimType[type], first, n);
  }
  dim(type: DimTypeName): number { return this.ctx._raw('_shim_set_dim')(this.ptr, DimType[type]); }
  toUnion(): IslUnionSet { return this.ctx._wrap(IslUnionSet, this.ctx._raw('_shim_union_set_from_set')(this.ptr), 'union_set_from_set'); }
}

export class IslMap extends IslSetLike<IslMap> {
  protected readonly kind = 'map';
  protected get self(): Maker<IslMap> { return IslMap; }
  reverse(): IslMap { return this.op(IslMap, 'reverse'); }
  domain(): IslSet { return this.op(IslSet, 'domain'); }
  range(): IslSet { return this.op(IslSet, 'range'); }
  deltas(): IslSet { return this.op(IslSet, 'deltas'); }
  wrap(): IslSet { return this.op(IslSet, 'wrap'); }
  applyRange(o: IslMap): IslMap { return this.op(IslMap, 'apply_range', o); }
  applyDomain(o: IslMap): IslMap { return this.op(IslMap, 'apply_domain', o); }
  intersectDomain(s: IslSet): IslMap { return this.op(IslMap, 'intersect_domain', s); }
  intersectRange(s: IslSet): IslMap { return this.op(IslMap, 'intersect_range', s); }
  subtractDomain(s: IslSet): IslMap { return this.op(IslMap, 'subtract_domain', s); }
  subtractRange(s: IslSet): IslMap { return this.op(IslMap, 'subtract_range', s); }
  isSingleValued(): boolean { return this.pred('is_single_valued'); }
  isInjective(): boolean { return this.pred('is_injective'); }
  projectOut(type: DimTypeName, first: number, n: number): IslMap {
    return this.op(IslMap, 'project_out', DimType[type], first, n);
  }
  dim(type: DimTypeName): number { return this.ctx._raw('_shim_map_dim')(this.ptr, DimType[type]); }
  toUnion(): IslUnionMap { return this.ctx._wrap(IslUnionMap, this.ctx._raw('_shim_union_map_from_map')(this.ptr), 'union_map_from_map'); }
}

export class IslUnionSet extends IslSetLike<IslUnionSet> {
  protected readonly kind = 'union_set';
  protected get self(): Maker<IslUnionSet> { return IslUnionSet; }
  apply(m: IslUnionMap): IslUnionSet { return this.op(IslUnionSet, 'apply', m); }
  identity(): IslUnionMap { return this.op(IslUnionMap, 'identity'); }
  /** { a -> b : a in this, b in o, a lexicographically before b } */
  lexLt(o: IslUnionSet): IslUnionMap { return this.op(IslUnionMap, 'lex_lt_union_set', o); }
  projectOutAllParams(): IslUnionSet { return this.op(IslUnionSet, 'project_out_all_params'); }
  /** The single set this union holds (error when it holds several spaces). */
  toSet(): IslSet { return this.ctx._wrap(IslSet, this.ctx._raw('_shim_set_from_union_set')(this.ptr), 'set_from_union_set'); }
}

export class IslUnionMap extends IslSetLike<IslUnionMap> {
  protected readonly kind = 'union_map';
  protected get self(): Maker<IslUnionMap> { return IslUnionMap; }
  reverse(): IslUnionMap { return this.op(IslUnionMap, 'reverse'); }
  domain(): IslUnionSet { return this.op(IslUnionSet, 'domain'); }
  range(): IslUnionSet { return this.op(IslUnionSet, 'range'); }
  deltas(): IslUnionSet { return this.op(IslUnionSet, 'deltas'); }
  wrap(): IslUnionSet { return this.op(IslUnionSet, 'wrap'); }
  applyRange(o: IslUnionMap): IslUnionMap { return this.op(IslUnionMap, 'apply_range', o); }
  applyDomain(o: IslUnionMap): IslUnionMap { return this.op(IslUnionMap, 'apply_domain', o); }
  intersectDomain(s: IslUnionSet): IslUnionMap { return this.op(IslUnionMap, 'intersect_domain', s); }
  intersectRange(s: IslUnionSet): IslUnionMap { return this.op(IslUnionMap, 'intersect_range', s); }
  subtractDomain(s: IslUnionSet): IslUnionMap { return this.op(IslUnionMap, 'subtract_domain', s); }
  subtractRange(s: IslUnionSet): IslUnionMap { return this.op(IslUnionMap, 'subtract_range', s); }
  isSingleValued(): boolean { return this.pred('is_single_valued'); }
  isInjective(): boolean { return this.pred('is_injective'); }
  projectOutAllParams(): IslUnionMap { return this.op(IslUnionMap, 'project_out_all_params'); }
  /** The single map this union holds (error when it holds several spaces). */
  toMap(): IslMap { return this.ctx._wrap(IslMap, this.ctx._raw('_shim_map_from_union_map')(this.ptr), 'map_from_union_map'); }
}

export interface TileOptions {
  /** isl's tile_scale_tile_loops (default: isl's, 1): tile loops step by the tile size. */
  scaleTileLoops?: boolean;
  /** isl's tile_shift_point_loops (default: isl's, 1): point loops start at 0. */
  shiftPointLoops?: boolean;
}

/** A schedule tree (isl_schedule). Transformations return new schedules. */
export class IslSchedule extends IslObject {
  protected readonly kind = 'schedule';

  /** The tree as typed data. */
  tree(): ScheduleTreeNode {
    const json = this.ctx._takeString(this.ctx._raw('_shim_schedule_tree_json')(this.ptr), 'schedule_tree_json');
    return JSON.parse(json) as ScheduleTreeNode;
  }
  /** Every band with its path, outermost first. */
  bands(): { path: number[]; band: BandNode }[] { return bandsOf(this.tree()); }
  /** The schedule as a flat map from statement instances to time. */
  map(): IslUnionMap { return this.op(IslUnionMap, 'get_map'); }
  domain(): IslUnionSet { return this.op(IslUnionSet, 'get_domain'); }

  /** Tile the band at `path` with one size per band member. */
  tile(path: TreePath, sizes: readonly number[], options: TileOptions = {}): IslSchedule {
    const flag = (b: boolean | undefined): number => (b === undefined ? -1 : b ? 1 : 0);
    return this.ctx._withInts([path, sizes], ([p, s]) =>
      this.ctx._wrap(IslSchedule, this.ctx._raw('_shim_schedule_tile')(
        this.ptr, p, path.length, s, sizes.length,
        flag(options.scaleTileLoops), flag(options.shiftPointLoops)), 'schedule_tile'));
  }
  /** Split the band at `path` after its first `pos` members. */
  splitBand(path: TreePath, pos: number): IslSchedule {
    return this.ctx._withInts([path], ([p]) =>
      this.ctx._wrap(IslSchedule, this.ctx._raw('_shim_schedule_band_split')(this.ptr, p, path.length, pos), 'schedule_band_split'));
  }
  /** Set the coincident flag of member `pos` of the band at `path`. */
  setCoincident(path: TreePath, pos: number, coincident: boolean): IslSchedule {
    return this.ctx._withInts([path], ([p]) =>
      this.ctx._wrap(IslSchedule, this.ctx._raw('_shim_schedule_band_set_coincident')(
        this.ptr, p, path.length, pos, coincident ? 1 : 0), 'schedule_band_set_coincident'));
  }
  /** Insert a mark node named `name` above the node at `path`. */
  insertMark(path: TreePath, name: string): IslSchedule {
    return this.ctx._withInts([path], ([p]) =>
      this.ctx._withString(name, (n) =>
        this.ctx._wrap(IslSchedule, this.ctx._raw('_shim_schedule_insert_mark')(this.ptr, p, path.length, n), 'schedule_insert_mark')));
  }
  /** The prefix schedule (enclosing band members) of the node at `path`. */
  prefixAt(path: TreePath): IslUnionMap {
    return this.ctx._withInts([path], ([p]) =>
      this.ctx._wrap(IslUnionMap, this.ctx._raw('_shim_schedule_prefix_at')(this.ptr, p, path.length), 'schedule_prefix_at'));
  }
}

/** Something the context can turn into an object of type T. */
export type Input<T> = T | string;

export interface DependenceInput {
  /** Iteration domain of all statements. */
  domain: Input<IslUnionSet>;
  /** Writes that certainly happen (statement instance -> array element). */
  mustWrites?: Input<IslUnionMap>;
  /** Writes that may happen (need not repeat mustWrites). */
  mayWrites?: Input<IslUnionMap>;
  reads?: Input<IslUnionMap>;
  /** Original execution order: a schedule tree, or a schedule map. */
  schedule: IslSchedule | Input<IslUnionMap>;
}

export interface Dependences {
  /** Read after write (may: every possible last writer). */
  flow: IslUnionMap;
  /** The part of `flow` that certainly holds. */
  flowMust: IslUnionMap;
  /** Write after read. */
  anti: IslUnionMap;
  /** Write after write. */
  output: IslUnionMap;
  /** flow ∪ anti ∪ output: the validity constraints of a reordering. */
  all: IslUnionMap;
}

export interface ScheduleOptions {
  outerCoincidence?: boolean;
  serializeSccs?: boolean;
  maximizeBandDepth?: boolean;
  wholeComponent?: boolean;
  maximizeCoincidence?: boolean;
  /** Bound on schedule coefficients (-1: none). */
  maxCoefficient?: number;
  /** Bound on schedule constant terms (-1: none). */
  maxConstantTerm?: number;
  algorithm?: 'isl' | 'feautrier';
  treatCoalescing?: boolean;
  separateComponents?: boolean;
}

export interface ScheduleInput {
  domain: Input<IslUnionSet>;
  validity?: Input<IslUnionMap>;
  coincidence?: Input<IslUnionMap>;
  proximity?: Input<IslUnionMap>;
  /** Conditional validity: `validity` may be violated only where `condition` is local. */
  conditionalValidity?: { condition: Input<IslUnionMap>; validity: Input<IslUnionMap> };
  /** Constraints on the parameters. */
  context?: Input<IslSet>;
  options?: ScheduleOptions;
  /** isl operation quota for this computation; IslQuotaError when exceeded. */
  maxOperations?: number;
}

export interface AstOptions {
  /** Constraints on the parameters, to simplify the generated bounds. */
  context?: Input<IslSet>;
}

/** An isl_ctx and everything allocated in it. */
export class IslContext {
  readonly #m: RawModule;
  #ctx: number;
  /** Live objects, for freeing them all with the context. */
  readonly #live = new Set<IslObject>();
  /** Objects created in each open scope, innermost last. */
  readonly #scopes: Set<IslObject>[] = [];

  /** @internal Use Isl.context(). */
  constructor(m: RawModule) {
    this.#m = m;
    this.#ctx = m._shim_ctx_alloc();
    if (!this.#ctx) throw new IslError('isl-wasm: isl_ctx_alloc failed');
  }

  // ---------------------------------------------------------------- parse
  set(str: string): IslSet { return this.#read(IslSet, 'set', str); }
  map(str: string): IslMap { return this.#read(IslMap, 'map', str); }
  unionSet(str: string): IslUnionSet { return this.#read(IslUnionSet, 'union_set', str); }
  unionMap(str: string): IslUnionMap { return this.#read(IslUnionMap, 'union_map', str); }
  /** Parse a schedule tree in isl's YAML-like syntax. */
  schedule(str: string): IslSchedule { return this.#read(IslSchedule, 'schedule', str); }
  /** A one-band schedule tree from a schedule map of equal dimension for all statements. */
  scheduleFromMap(domain: Input<IslUnionSet>, map: Input<IslUnionMap>): IslSchedule {
    return this.scope(() => {
      const d = this.#in(domain, IslUnionSet, 'union_set');
      const m = this.#in(map, IslUnionMap, 'union_map');
      return this._wrap(IslSchedule, this.#m._shim_schedule_from_map(d.ptr, m.ptr), 'schedule_from_map');
    });
  }

  // ---------------------------------------------------------------- memory
  /**
   * Run `fn` and free every isl object created during it, except its return
   * value (when that is an isl object) and objects marked with `.keep()`.
   */
  scope<T>(fn: () => T): T {
    const created = new Set<IslObject>();
    this.#scopes.push(created);
    let result: T;
    try {
      result = fn();
    } catch (e) {
      for (const o of created) o.free();
      throw e;
    } finally {
      this.#scopes.pop();
    }
    const outer = this.#scopes[this.#scopes.length - 1];
    const kept = (o: IslObject): boolean => o === (result as unknown) || isKeptResult(result, o);
    for (const o of created) {
      if (o.isFreed) continue;
      if (kept(o)) outer?.add(o);
      else o.free();
    }
    return result!;
  }

  /** Number of isl objects alive in this context (for leak checks). */
  get liveObjects(): number { return this.#live.size; }

  /** Free the context and every object still alive in it. */
  free(): void {
    if (!this.#ctx) return;
    for (const o of [...this.#live]) o.free();
    this.#m._shim_ctx_free(this.#ctx);
    this.#ctx = 0;
  }

  // ---------------------------------------------------------------- quota
  /**
   * Run `fn` with at most `maxOperations` isl operations; IslQuotaError when
   * exceeded. The context stays usable afterwards (the quota is lifted and
   * the error cleared).
   */
  withQuota<T>(maxOperations: number, fn: () => T): T {
    const m = this.#m;
    const previous = m._shim_ctx_get_max_operations(this.ptr) >>> 0;
    m._shim_ctx_set_max_operations(this.ptr, maxOperations);
    try {
      return fn();
    } finally {
      m._shim_ctx_set_max_operations(this.ptr, previous);
      m._shim_ctx_reset_error(this.ptr);
    }
  }

  // ---------------------------------------------------------------- analyses
  /**
   * Exact dependences (PPCG's method): flow from the last writers; anti and
   * output not cut by an intervening must-write. Accesses are intersected
   * with the domain first.
   */
  computeDependences(input: DependenceInput): Dependences {
    const out = this.scope(() => {
      const domain = this.#in(input.domain, IslUnionSet, 'union_set');
      const must = this.#opt(input.mustWrites);
      const may = this.#opt(input.mayWrites);
      const reads = this.#opt(input.reads);
      const sched = input.schedule instanceof IslSchedule ? input.schedule : null;
      const smap = sched ? null : this.#in(input.schedule as Input<IslUnionMap>, IslUnionMap, 'union_map');
      const outPtr = this.#m._malloc(16);
      try {
        const rc = this.#m._shim_compute_dependences(
          this.ptr, domain.ptr, must?.ptr ?? 0, may?.ptr ?? 0, reads?.ptr ?? 0,
          sched?.ptr ?? 0, smap?.ptr ?? 0, outPtr);
        if (rc !== 0) this._throw('compute_dependences');
        const base = outPtr >> 2;
        const h = [0, 1, 2, 3].map((i) => this.#m.HEAP32[base + i]!);
        return h.map((p) => new IslUnionMap(this, p));
      } finally {
        this.#m._free(outPtr);
      }
    });
    const [flow, flowMust, anti, output] = out as [IslUnionMap, IslUnionMap, IslUnionMap, IslUnionMap];
    const all = this.scope(() => flow.union(anti).union(output).coalesce());
    return { flow, flowMust, anti, output, all };
  }

  /** Compute a schedule with isl's scheduler (options hold for this call only). */
  computeSchedule(input: ScheduleInput): IslSchedule {
    const run = (): IslSchedule => this.scope(() => {
      const domain = this.#in(input.domain, IslUnionSet, 'union_set');
      const validity = this.#opt(input.validity);
      const coincidence = this.#opt(input.coincidence);
      const proximity = this.#opt(input.proximity);
      const cond = input.conditionalValidity ? this.#opt(input.conditionalValidity.condition) : undefined;
      const condVal = input.conditionalValidity ? this.#opt(input.conditionalValidity.validity) : undefined;
      const context = input.context === undefined ? undefined : this.#in(input.context, IslSet, 'set');
      const o = input.options ?? {};
      const flag = (b: boolean | undefined): number => (b === undefined ? KEEP : b ? 1 : 0);
      const int = (v: number | undefined): number => (v === undefined ? KEEP : v);
      // Layout of shim_schedule_compute's opts array (schedule.c).
      const opts = [
        flag(o.outerCoincidence), flag(o.serializeSccs), flag(o.maximizeBandDepth),
        flag(o.wholeComponent), flag(o.maximizeCoincidence),
        int(o.maxCoefficient), int(o.maxConstantTerm),
        o.algorithm === undefined ? KEEP : o.algorithm === 'feautrier' ? 1 : 0,
        flag(o.treatCoalescing), flag(o.separateComponents),
      ];
      // The quota covers the scheduler only, not the parsing of its inputs.
      const compute = (): IslSchedule => this._withInts([opts], ([p]) =>
        this._wrap(IslSchedule, this.#m._shim_schedule_compute(
          this.ptr, domain.ptr, validity?.ptr ?? 0, coincidence?.ptr ?? 0, proximity?.ptr ?? 0,
          cond?.ptr ?? 0, condVal?.ptr ?? 0, context?.ptr ?? 0, p, opts.length), 'schedule_compute'));
      return input.maxOperations === undefined ? compute() : this.withQuota(input.maxOperations, compute);
    });
    return run();
  }

  /** Generate an AST from a schedule tree (or a schedule map). */
  generateAst(schedule: IslSchedule | Input<IslUnionMap>, options: AstOptions = {}): GeneratedAst {
    return this.scope(() => {
      const context = options.context === undefined ? undefined : this.#in(options.context, IslSet, 'set');
      let ptr: number;
      if (schedule instanceof IslSchedule) {
        ptr = this.#m._shim_ast_from_schedule(schedule.ptr, context?.ptr ?? 0);
      } else {
        const m = this.#in(schedule, IslUnionMap, 'union_map');
        ptr = this.#m._shim_ast_from_schedule_map(m.ptr, context?.ptr ?? 0);
      }
      return parseAstJson(this._takeString(ptr, 'ast_generate'));
    });
  }

  // ---------------------------------------------------------------- internals
  /** @internal */
  get ptr(): number {
    if (!this.#ctx) throw new IslError('isl-wasm: context used after free()');
    return this.#ctx;
  }
  /** @internal */
  _raw(name: `_shim_${string}`): (...a: number[]) => number {
    const f = this.#m[name];
    if (typeof f !== 'function') throw new IslError(`isl-wasm: ${name} is not exported`);
    return f;
  }
  /** @internal */
  _adopt(o: IslObject): void {
    this.#live.add(o);
    this.#scopes[this.#scopes.length - 1]?.add(o);
  }
  /** @internal */
  _forget(o: IslObject): void {
    this.#live.delete(o);
  }
  /** @internal */
  _keep(o: IslObject): void {
    for (const s of this.#scopes) s.delete(o);
  }
  /** @internal Wrap a returned handle, or throw isl's error when it is 0. */
  _wrap<T extends IslObject>(make: Maker<T>, ptr: number, what: string): T {
    if (!ptr) this._throw(what);
    return new make(this, ptr);
  }
  /** @internal Read and free a malloc'd string, or throw when it is 0. */
  _takeString(ptr: number, what = 'to_str'): string {
    if (!ptr) this._throw(what);
    const s = this.#m.UTF8ToString(ptr);
    this.#m._shim_str_free(ptr);
    return s;
  }
  /** @internal Throw the context's last error (and clear it). */
  _throw(what: string): never {
    const m = this.#m;
    const code = m._shim_ctx_last_error(this.ptr);
    const msgPtr = m._shim_ctx_last_error_msg(this.ptr);
    const filePtr = m._shim_ctx_last_error_file(this.ptr);
    const msg = msgPtr ? m.UTF8ToString(msgPtr) : 'unknown error';
    const file = filePtr ? m.UTF8ToString(filePtr) : undefined;
    const line = filePtr ? m._shim_ctx_last_error_line(this.ptr) : undefined;
    m._shim_ctx_reset_error(this.ptr);
    if (code === IslErrorCode.Quota) throw new IslQuotaError(`isl: ${what}: ${msg}`, file, line);
    throw new IslError(`isl: ${what}: ${msg}`, code, file, line);
  }
  /** @internal Call `fn` with NUL-terminated copies of `s` in wasm memory. */
  _withString<T>(s: string, fn: (p: number) => T): T {
    const n = this.#m.lengthBytesUTF8(s) + 1;
    const p = this.#m._malloc(n);
    try {
      this.#m.stringToUTF8(s, p, n);
      return fn(p);
    } finally {
      this.#m._free(p);
    }
  }
  /** @internal Call `fn` with int32 arrays copied into wasm memory. */
  _withInts<T>(arrays: readonly (readonly number[])[], fn: (ptrs: number[]) => T): T {
    const ptrs = arrays.map((a) => {
      const p = this.#m._malloc(Math.max(4, a.length * 4));
      a.forEach((v, i) => { this.#m.HEAP32[(p >> 2) + i] = v; });
      return p;
    });
    try {
      return fn(ptrs);
    } finally {
      ptrs.forEach((p) => this.#m._free(p));
    }
  }

  #read<T extends IslObject>(make: Maker<T>, kind: Kind, str: string): T {
    return this._withString(str, (p) =>
      this._wrap(make, this.#m[`_shim_${kind}_read`](this.ptr, p), `${kind}_read "${str}"`));
  }
  #in<T extends IslObject>(v: Input<T>, make: Maker<T>, kind: Kind): T {
    return typeof v === 'string' ? this.#read(make, kind, v) : v;
  }
  #opt(v: Input<IslUnionMap> | undefined): IslUnionMap | undefined {
    return v === undefined ? undefined : this.#in(v, IslUnionMap, 'union_map');
  }
}

/** "Keep the context's setting" in shim_schedule_compute's options (INT_MIN). */
const KEEP = -2147483648;

/** Objects held directly by an array or plain-object scope result survive too. */
function isKeptResult(result: unknown, o: IslObject): boolean {
  if (Array.isArray(result)) return result.includes(o);
  if (result && typeof result === 'object' && !(result instanceof IslObject)) {
    return Object.values(result as Record<string, unknown>).includes(o);
  }
  return false;
}
