// The notebook cell executor (INotebookCellExecutor, JupyterLab >= 4.2).
// Every cell that is not `%%parallelize` goes to @jupyterlab/notebook's own
// runCell unchanged. A `%%parallelize` cell is compiled in the Worker first and
// then executed exactly as runCell does it, with the generated module in the
// execute request's metadata (`polyray`, see polyray/magic.py). Requests leave
// in the order the cells were run: a cell queued behind a compiling cell waits
// for that cell's request to be sent.
import { Dialog, showDialog, type ISessionContext } from '@jupyterlab/apputils';
import { CodeCell, type Cell, type ICodeCellModel } from '@jupyterlab/cells';
import { KernelError, runCell, type INotebookCellExecutor } from '@jupyterlab/notebook';
import type { KernelMessage } from '@jupyterlab/services';
import { nullTranslator } from '@jupyterlab/translation';
import type { JSONObject } from '@lumino/coreutils';
import type { PolyrayEngine } from './engine.js';
import { cellBody, handoverSha256, isParallelizeCell, magicFlags } from './magic.js';
import { COMPILER_VERSION } from '../compiler/version.js';
import type { KernelBridge } from './kernel.js';
import { withinBudget, type CompileOutcome } from './compile-client.js';
import type { HandOver } from './protocol.js';
import { parseNumerics } from '../compiler/numerics.js';
import { CellStatus } from './cell-status.js';

type Options = INotebookCellExecutor.IRunCellOptions;

/** How long a cell past its compile budget waits for the kernel's `hello` (whether it waits for the JIT). */
const KERNEL_SAYS_MS = 5000;

export class PolyrayCellExecutor implements INotebookCellExecutor {
  private readonly gates = new Map<object, Promise<void>>();

  constructor(private readonly engine: PolyrayEngine) {}

  runCell(options: Options): Promise<boolean> {
    const source = options.cell.model.sharedModel.getSource();
    const parallel = options.cell.model.type === 'code' && isParallelizeCell(source);
    const key: object = options.sessionContext ?? options.notebook;
    if (!parallel && !this.gates.has(key)) return runCell(options); // exactly the default
    const force = options.sessionContext ? this.engine.forcedTarget.get(options.sessionContext) : undefined;
    return this.queued(key, (sent) => (parallel ? this.runParallelize(options, force, sent) : sendThen(runCell(options), sent)));
  }

  /** Runs `job` after every earlier queued cell of the session has sent its request. */
  private async queued(key: object, job: (sent: () => void) => Promise<boolean>): Promise<boolean> {
    const previous = this.gates.get(key) ?? Promise.resolve();
    let release!: () => void;
    const mine = new Promise<void>((r) => { release = r; });
    this.gates.set(key, mine);
    const done = (): void => {
      release();
      if (this.gates.get(key) === mine) this.gates.delete(key);
    };
    try {
      await previous;
      return await job(done);
    } finally {
      done();
    }
  }

  private async runParallelize(options: Options, forceTarget: string | undefined, sent: () => void): Promise<boolean> {
    const { cell, sessionContext } = options;
    let polyray: HandOver | null = null;
    if (sessionContext?.session?.kernel) {
      const state = this.engine.forSession(sessionContext);
      const loaded = state.bridge.ensureLoaded();
      polyray = await this.compileCell(cell, state.model, forceTarget, state.bridge);
      await loaded;
    }
    const status = CellStatus.of(cell);
    const t0 = performance.now();
    const timer = window.setInterval(() => status.running((performance.now() - t0) / 1000), 1000);
    try {
      return await runCellWithMetadata(options, polyray ? { polyray: polyray as unknown as JSONObject } : {}, sent);
    } finally {
      window.clearInterval(timer);
      status.finishedRun((performance.now() - t0) / 1000);
    }
  }

  /**
   * Compiles the cell in the Worker; shows progress and errors on the cell. Never throws. Issue 19: the cell
   * waits `compileBudgetSeconds` at most (not when it waits for the JIT, by the setting or by POLYRAY_JIT_WAIT in
   * the kernel's environment, or names a target, as the kernel's cell_compiles.py decides); past that the
   * hand-over says `not_ready` and the kernel runs the cell as written, and the module, once compiled, goes to the kernel over the comm for the cell's next run.
   */
  private async compileCell(cell: Cell, model: import('./model.js').PolyrayModel, forceTarget?: string,
    bridge?: KernelBridge): Promise<HandOver | null> {
    const source = cell.model.sharedModel.getSource();
    const status = CellStatus.of(cell);
    status.compiling();
    const s = this.engine.settings;
    const settings = { target: s.defaultTarget, cluster: s.clusterAddress || undefined, auto_may_time: s.autoMayTime, numerics: s.numerics,
      wait_for_jit: s.waitForJit, time_original_below: s.timeOriginalBelowSeconds, compile_budget: s.compileBudgetSeconds };
    const flags = magicFlags(source);
    try {
      // the cell's --numerics, else the setting; the kernel still checks it against POLYRAY_NUMERICS
      const numerics = parseNumerics(flags.numerics) ?? s.numerics;
      const started = performance.now();
      const compiling = this.engine.compiler.compile(source, true, numerics);
      const waits = s.waitForJit || Boolean(flags.target) || Boolean(forceTarget) || s.defaultTarget !== 'auto';
      let out = waits ? await compiling : await withinBudget(compiling, s.compileBudgetSeconds * 1000);
      // a kernel that waits for the JIT (POLYRAY_JIT_WAIT) would compile a not_ready cell with its own Node
      // service: wait for the Worker instead (the kernel says so on the comm; KERNEL_SAYS_MS bounds the wait for that)
      if (out === null && bridge && (await withinBudget(bridge.kernelWaitsForJit(), KERNEL_SAYS_MS))) out = await compiling;
      if (out === null) {
        const seconds = (performance.now() - started) / 1000;
        const note = `compile not ready in the browser: ${seconds.toFixed(1)} s so far; ran the cell as written`;
        status.compiled(note);
        void compiling.then((late) => this.handOverLate(cell, model, late, bridge)).catch(() => undefined);
        const sha256 = await handoverSha256(COMPILER_VERSION, cellBody(source));
        return { sha256, compiler: COMPILER_VERSION, compiled_by: 'browser-worker', compile_ms: seconds * 1000, settings, numerics,
          not_ready: note, ...(forceTarget && !flags.target ? { force_target: forceTarget } : {}) };
      }
      const base = { sha256: out.sha256, compiler: out.compiler, compiled_by: 'browser-worker' as const, compile_ms: out.ms, settings, numerics };
      const handover: HandOver = forceTarget && !flags.target ? { ...base, force_target: forceTarget } : base;
      if (out.ok) {
        model.setCompiled(cell.model.id, out.report.functions, out.module, out.inWorker ? 'browser-worker' : 'browser', out.ms);
        const n = out.report.functions.filter((f) => f.accelerated).length;
        status.compiled(`compiled in the browser (Worker) in ${Math.round(out.ms)} ms: ${n} of ${out.report.functions.length} function(s) accelerated`);
        return { ...handover, module: out.module, report: out.report };
      }
      if (out.error) {
        status.error(`polyray: compile failed (${out.error}); the cell runs with the kernel's compiler or as plain Python`);
        model.setCellError(cell.model.id, out.error);
        return null;
      }
      const text = out.diagnostics.filter((d) => d.severity === 'error').slice(0, 3)
        .map((d) => `cell:${d.line}:${d.col}: error: ${d.message}`).join('\n');
      status.error(text || 'polyray: the cell does not parse', out.diagnostics[0]?.line);
      model.setCellError(cell.model.id, text);
      return { ...handover, diagnostics: out.diagnostics };
    } catch (err) {
      const text = `polyray: ${(err as Error).message}; the cell runs with the kernel's compiler or as plain Python`;
      status.error(text);
      model.setCellError(cell.model.id, text);
      return null;
    }
  }

  /** A compile that finished after its cell ran as written: shown on the cell, and sent to the kernel (comm
   *  `module`, polyray/comm.py), whose magic uses it when the same cell runs again. */
  private handOverLate(cell: Cell, model: import('./model.js').PolyrayModel, out: CompileOutcome, bridge?: KernelBridge): void {
    if (!out.ok) return; // the cell's next run compiles it again and shows why
    model.setCompiled(cell.model.id, out.report.functions, out.module, out.inWorker ? 'browser-worker' : 'browser', out.ms);
    CellStatus.of(cell).compiled(`compiled in the browser (Worker) after the cell ran as written; its next run uses it`);
    bridge?.handOver({ type: 'module', sha256: out.sha256, compiler: out.compiler, module: out.module, report: out.report as unknown as JSONObject,
      numerics: out.numerics, compiled_by: 'browser-worker', compile_ms: out.ms });
  }
}

function sendThen(p: Promise<boolean>, sent: () => void): Promise<boolean> {
  sent();
  return p;
}

/**
 * @jupyterlab/notebook's runCell for a code cell (4.6), with extra execute-request
 * metadata; `sent` is called as soon as the execute request has been sent.
 */
async function runCellWithMetadata(
  { cell, notebook, notebookConfig, onCellExecuted, onCellExecutionScheduled, sessionContext, sessionDialogs, translator }: Options,
  extra: JSONObject,
  sent: () => void,
): Promise<boolean> {
  translator = translator ?? nullTranslator;
  const trans = translator.load('jupyterlab');
  if (!sessionContext) {
    cell.model.sharedModel.transact(() => { (cell.model as ICodeCellModel).clearExecution(); }, false);
    return true;
  }
  if (sessionContext.isTerminating) {
    await showDialog({
      title: trans.__('Kernel Terminating'),
      body: trans.__('The kernel for %1 appears to be terminating. You can not run any cell for now.', sessionContext.session?.path),
      buttons: [Dialog.okButton()],
    });
    return true;
  }
  if (sessionContext.pendingInput) {
    await showDialog({
      title: trans.__('Cell not executed due to pending input'),
      body: trans.__('The cell has not been executed to avoid kernel deadlock as there is another pending input! Type your input in the input box, press Enter and try again.'),
      buttons: [Dialog.okButton()],
    });
    return false;
  }
  if (sessionContext.hasNoKernel) {
    const shouldSelect = await sessionContext.startKernel();
    if (shouldSelect && sessionDialogs) await sessionDialogs.selectKernel(sessionContext);
  }
  if (sessionContext.hasNoKernel) {
    cell.model.sharedModel.transact(() => { (cell.model as ICodeCellModel).clearExecution(); });
    return true;
  }
  const deletedCells = notebook.deletedCells;
  onCellExecutionScheduled({ cell });
  let ran = false;
  try {
    const pending = CodeCell.execute(cell as CodeCell, sessionContext as ISessionContext, {
      deletedCells, recordTiming: notebookConfig.recordTiming, ...extra,
    });
    sent();
    const reply: KernelMessage.IExecuteReplyMsg | void = await pending;
    deletedCells.splice(0, deletedCells.length);
    ran = (() => {
      if (cell.isDisposed) return false;
      if (!reply) return true;
      if (reply.content.status === 'ok') return true; // payloads: the default's handlePayload is not needed by the magic
      throw new KernelError(reply.content);
    })();
  } catch (reason) {
    if (cell.isDisposed || (reason as Error).message.startsWith('Canceled')) {
      ran = false;
    } else {
      onCellExecuted({ cell, success: false, error: reason as KernelError });
      throw reason;
    }
  }
  if (ran) onCellExecuted({ cell, success: true });
  return ran;
}
