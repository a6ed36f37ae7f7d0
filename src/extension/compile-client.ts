// The page's side of the compile Worker: one Worker per page, requests
// matched by id, a time limit per compile (the Worker is replaced when one
// runs past it, so a pathological cell never blocks later ones).
import type { CompileFailed, CompileOk, WorkerReply, WorkerRequest } from './protocol.js';
import type { Numerics } from '../compiler/index.js';

export type CompileOutcome = CompileOk | CompileFailed;

export class CompileClient {
  private worker: Worker | null = null;
  private nextId = 1;
  private pending = new Map<number, { resolve: (r: WorkerReply) => void; reject: (e: Error) => void }>();
  /** Compiles done by this client (the e2e tests read it through window.__polyray). */
  readonly stats = { compiles: 0, workerStarts: 0, lastMs: 0, loadMs: 0, timeouts: 0 };

  constructor(private timeLimitSeconds: () => number) {}

  private ensure(): Worker {
    if (!this.worker) {
      this.worker = new Worker(new URL('./worker.js', import.meta.url));
      this.stats.workerStarts++;
      this.worker.onmessage = (e: MessageEvent<WorkerReply>) => {
        const p = this.pending.get(e.data.id);
        if (p) {
          this.pending.delete(e.data.id);
          p.resolve(e.data);
        }
      };
      this.worker.onerror = (e) => this.fail(new Error(`compile worker error: ${e.message}`));
    }
    return this.worker;
  }

  private fail(err: Error): void {
    this.worker?.terminate();
    this.worker = null;
    for (const p of this.pending.values()) p.reject(err);
    this.pending.clear();
  }

  private request(req: { op: 'warm' } | { op: 'compile'; cell: string; hasMagic: boolean }, limitMs: number): Promise<WorkerReply> {
    const worker = this.ensure();
    const id = this.nextId++;
    return new Promise<WorkerReply>((resolve, reject) => {
      const timer = setTimeout(() => {
        if (!this.pending.has(id)) return;
        this.stats.timeouts++;
        this.fail(new Error(`compile took longer than ${Math.round(limitMs / 1000)} s (compileTimeLimitSeconds)`));
      }, limitMs);
      this.pending.set(id, {
        resolve: (r) => { clearTimeout(timer); resolve(r); },
        reject: (e) => { clearTimeout(timer); reject(e); },
      });
      worker.postMessage({ ...req, id } as WorkerRequest);
    });
  }

  /** Loads the wasm in the Worker ahead of the first compile. */
  async warm(): Promise<void> {
    await this.request({ op: 'warm' }, 120_000);
  }

  /** Compiles a cell; `hasMagic` false analyzes a plain cell as if it had the magic. */
  async compile(cell: string, hasMagic: boolean, numerics?: Numerics): Promise<CompileOutcome> {
    // The first compile also loads ~2 MB of wasm: give it extra time.
    const first = this.stats.compiles === 0;
    const limit = this.timeLimitSeconds() * 1000 + (first ? 60_000 : 0);
    const reply = (await this.request({ op: 'compile', cell, hasMagic, ...(numerics ? { numerics } : {}) }, limit)) as CompileOutcome;
    this.stats.compiles++;
    this.stats.lastMs = reply.ms;
    this.stats.loadMs = reply.loadMs;
    return reply;
  }

  dispose(): void {
    this.fail(new Error('disposed'));
  }
}

/** The compile's outcome if it arrives within `ms`, else null (it goes on). */
export function withinBudget<T>(compiling: Promise<T>, ms: number): Promise<T | null> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const late = new Promise<null>((resolve) => { timer = setTimeout(() => resolve(null), Math.max(0, ms)); });
  return Promise.race([compiling, late]).finally(() => clearTimeout(timer));
}
