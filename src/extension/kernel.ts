// The kernel side of one notebook: loads the magic silently (`%load_ext
// polyray`) whenever a kernel starts or restarts, and opens the `polyray`
// comm on every kernel connection (as sparkmonitor does), routing its
// messages to the notebook's PolyrayModel. The comm's first message (`hello`)
// says whether the kernel waits for the JIT (POLYRAY_JIT_WAIT in its
// environment); the cell executor then waits for the Worker's compile too.
import type { ISessionContext } from '@jupyterlab/apputils';
import type { Kernel } from '@jupyterlab/services';
import type { JSONObject } from '@lumino/coreutils';
import type { PolyrayModel } from './model.js';

export class KernelBridge {
  private comm: Kernel.IComm | null = null;
  private loaded: Promise<boolean> | null = null;
  private loadedFor: Kernel.IKernelConnection | null = null;
  private restarting = false;
  private jitWait: Deferred<boolean> = new Deferred();
  private disposed = false;

  constructor(readonly sessionContext: ISessionContext, readonly model: PolyrayModel) {
    sessionContext.kernelChanged.connect(this.onKernelChanged, this);
    sessionContext.statusChanged.connect(this.onStatus, this);
    void sessionContext.ready.then(() => this.ensureLoaded());
  }

  private onKernelChanged(): void {
    this.reset();
    void this.ensureLoaded();
  }

  private onStatus(_: ISessionContext, status: Kernel.Status): void {
    if (status === 'restarting' || status === 'autorestarting') {
      this.restarting = true;
      this.reset();
      this.model.resetRuns();
    } else if (status === 'idle' && this.restarting) {
      this.restarting = false;
      void this.ensureLoaded();
    }
  }

  private reset(): void {
    this.loaded = null;
    this.loadedFor = null;
    this.comm = null;
    this.jitWait.resolve(false); // anyone still waiting on the old kernel's answer: it will not come
    this.jitWait = new Deferred();
  }

  /**
   * Whether the kernel waits for the JIT (the `hello` of polyray/comm.py: POLYRAY_JIT_WAIT in its environment);
   * false when the kernel side did not load, the comm closed before saying, or a kernel without `jit_wait`.
   */
  kernelWaitsForJit(): Promise<boolean> {
    return this.jitWait.promise;
  }

  /** `%load_ext polyray` (silent) and the comm, once per kernel (re)start; false if not a Python kernel. */
  ensureLoaded(): Promise<boolean> {
    const kernel = this.sessionContext.session?.kernel ?? null;
    if (!kernel || this.disposed) return Promise.resolve(false);
    if (this.loaded && this.loadedFor === kernel) return this.loaded;
    this.loadedFor = kernel;
    const jitWait = this.jitWait;
    this.loaded = (async () => {
      const info = await kernel.info;
      if (info.language_info?.name !== 'python') return false;
      const future = kernel.requestExecute({ code: '%load_ext polyray', silent: true, store_history: false, allow_stdin: false });
      const comm = kernel.createComm('polyray');
      comm.onMsg = (msg) => {
        const data = msg.content.data as { type?: unknown; jit_wait?: unknown } | null;
        if (data && data.type === 'hello') jitWait.resolve(data.jit_wait === true);
        this.model.onCommMessage(msg.content.data);
      };
      comm.onClose = () => {
        jitWait.resolve(false);
        if (this.comm === comm) this.comm = null;
      };
      comm.open({});
      this.comm = comm;
      const reply = await future.done;
      const ok = reply.content.status === 'ok';
      if (ok) this.send({ type: 'cluster' });
      return ok;
    })().catch(() => false);
    // without the kernel side, no hello comes
    void this.loaded.then((ok) => { if (!ok) jitWait.resolve(false); });
    return this.loaded;
  }

  /** Sends a message on the comm (see polyray/comm.py); false when there is none. */
  send(data: Record<string, string | number | boolean | null>): boolean {
    if (!this.comm || this.comm.isDisposed) return false;
    this.comm.send(data);
    return true;
  }

  /** Hands the kernel a module compiled after its cell ran (comm `module`, polyray/comm.py); false without a comm. */
  handOver(data: JSONObject): boolean {
    if (!this.comm || this.comm.isDisposed) return false;
    this.comm.send(data);
    return true;
  }

  async refreshCluster(): Promise<void> {
    await this.ensureLoaded();
    this.send({ type: 'cluster' });
  }

  async connect(address: string): Promise<void> {
    await this.ensureLoaded();
    this.send({ type: 'connect', address });
  }

  dispose(): void {
    this.disposed = true;
    this.sessionContext.kernelChanged.disconnect(this.onKernelChanged, this);
    this.sessionContext.statusChanged.disconnect(this.onStatus, this);
    this.comm = null;
  }
}

/** A promise with its resolve outside; resolving again changes nothing. */
class Deferred<T> {
  readonly promise: Promise<T>;
  resolve!: (value: T) => void;
  constructor() {
    this.promise = new Promise<T>((r) => { this.resolve = r; });
  }
}
