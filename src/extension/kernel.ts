// The kernel side of one notebook: loads the magic silently (`%load_ext
// polyray`) whenever a kernel starts or restarts, and opens the `polyray`
// comm on every kernel connection (as sparkmonitor does), routing its
// messages to the notebook's PolyrayModel.
import type { ISessionContext } from '@jupyterlab/apputils';
import type { Kernel } from '@jupyterlab/services';
import type { JSONObject } from '@lumino/coreutils';
import type { PolyrayModel } from './model.js';

export class KernelBridge {
  private comm: Kernel.IComm | null = null;
  private loaded: Promise<boolean> | null = null;
  private loadedFor: Kernel.IKernelConnection | null = null;
  private restarting = false;
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
  }

  /** `%load_ext polyray` (silent) and the comm, once per kernel (re)start; false if not a Python kernel. */
  ensureLoaded(): Promise<boolean> {
    const kernel = this.sessionContext.session?.kernel ?? null;
    if (!kernel || this.disposed) return Promise.resolve(false);
    if (this.loaded && this.loadedFor === kernel) return this.loaded;
    this.loadedFor = kernel;
    this.loaded = (async () => {
      const info = await kernel.info;
      if (info.language_info?.name !== 'python') return false;
      const future = kernel.requestExecute({ code: '%load_ext polyray', silent: true, store_history: false, allow_stdin: false });
      const comm = kernel.createComm('polyray');
      comm.onMsg = (msg) => this.model.onCommMessage(msg.content.data);
      comm.onClose = () => { if (this.comm === comm) this.comm = null; };
      comm.open({});
      this.comm = comm;
      const reply = await future.done;
      const ok = reply.content.status === 'ok';
      if (ok) this.send({ type: 'cluster' });
      return ok;
    })().catch(() => false);
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
