// End to end in a real browser: a real `jupyter lab` (the project's .venv,
// the polyray labextension from python-bridge/polyray/labextension) on
// loopback, driven by playwright-core in Debian's Chromium. Screenshots go to
// test-artifacts/.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, readFileSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { ARTIFACTS, CHROMIUM, ROOT, notebook, startLab, type Lab, openChromium } from './lab-server.js';

const AXPY = `%%parallelize
import numpy as np
import numpy.typing as npt

def axpy(n: int, a: float, x: npt.NDArray[np.float64], y: npt.NDArray[np.float64]) -> None:
    for i in range(n):
        y[i] = y[i] + a * x[i]

y = np.zeros(1000)
axpy(1000, 2.0, np.ones(1000), y)
print("sum", y.sum())`;

const BROKEN = `%%parallelize
def broken(n: int) -> int
    return n
`;

const candidate = (name: string, op: string): string => `import numpy as np
import numpy.typing as npt

def ${name}(n: int, x: npt.NDArray[np.float64], y: npt.NDArray[np.float64]) -> None:
    for i in range(n):
        y[i] = x[i] ${op} 2.0

x = np.arange(64.0)
y = np.zeros(64)
${name}(64, x, y)
print("${name}", y[3])`;

const UNTOUCHED = `def greet(name):
    return "hello " + name

print(greet("polyray"))`;

const scaleCell = (factor: string): string => `%%parallelize
import numpy as np
import numpy.typing as npt

def scale_it(n: int, x: npt.NDArray[np.float64], y: npt.NDArray[np.float64]) -> None:
    for i in range(n):
        y[i] = x[i] * ${factor}

x = np.arange(64.0)
y = np.zeros(64)
scale_it(64, x, y)
print("scaled", y[3])`;

const CALL_AGAIN = `y2 = np.zeros(64)
scale_it(64, x, y2)
print("again", y2[3])`;

const READY = '#polyray-sidebar';
const skip = existsSync(CHROMIUM) ? (existsSync(join(ROOT, 'python-bridge/polyray/labextension/package.json'))
  ? false : 'the labextension is not built (npm run build:ext)') : `chromium not found at ${CHROMIUM}`;

let lab: Lab;
let chrome: Awaited<ReturnType<typeof openChromium>>;
let page: Page;
let pageErrors: string[] = [];

declare global {
  interface Window {
    jupyterapp: any; // eslint-disable-line @typescript-eslint/no-explicit-any
    __polyray?: { stats: { compiles: number; workerStarts: number; lastMs: number; loadMs: number } };
  }
}

async function shot(name: string): Promise<void> {
  mkdirSync(ARTIFACTS, { recursive: true });
  await page.screenshot({ path: join(ARTIFACTS, `${name}.png`) });
}

async function openNotebook(name: string): Promise<void> {
  await page.evaluate(async (path) => {
    await window.jupyterapp.commands.execute('docmanager:open', { path });
  }, name);
  await page.waitForFunction(() => {
    const w = window.jupyterapp.shell.currentWidget;
    return !!w?.sessionContext?.session?.kernel && w.sessionContext.session.kernel.status === 'idle';
  }, undefined, { timeout: 60_000, polling: 250 });
}

/** Runs cell `index` of the current notebook through JupyterLab's own command (so through the cell executor). */
async function runCell(index: number): Promise<void> {
  console.log(`# run cell ${index}`);
  await page.evaluate(async (i) => {
    const nb = window.jupyterapp.shell.currentWidget.content;
    nb.activeCellIndex = i;
    nb.deselectAll();
    await window.jupyterapp.commands.execute('notebook:run-cell');
  }, index);
}

function cellText(index: number): Promise<string> {
  return page.evaluate((i) => {
    const cell = window.jupyterapp.shell.currentWidget.content.widgets[i];
    return cell.node.querySelector('.jp-Cell-outputWrapper')?.textContent ?? '';
  }, index);
}

async function waitForOutput(index: number, pattern: RegExp): Promise<void> {
  await page.waitForFunction(([i, source, flags]) => {
    const cell = window.jupyterapp.shell.currentWidget.content.widgets[i as number];
    return new RegExp(source as string, flags as string).test(cell.node.querySelector('.jp-Cell-outputWrapper')?.textContent ?? '');
  }, [index, pattern.source, pattern.flags], { timeout: 90_000, polling: 250 });
}

/** Waits until the sidebar row of `name` shows `pattern` (e.g. its number of calls). */
async function waitForRow(name: string, pattern: RegExp): Promise<void> {
  await page.waitForFunction(([n, source]) => {
    const row = document.querySelector(`#polyray-sidebar [data-polyray-function="${n}"]`);
    return !!row && new RegExp(source as string).test(row.textContent ?? '');
  }, [name, pattern.source], { timeout: 60_000, polling: 250 });
}

function sources(): Promise<string[]> {
  return page.evaluate(() => window.jupyterapp.shell.currentWidget.content.model.sharedModel.cells.map((c: { getSource(): string }) => c.getSource()));
}

/** Runs Python silently in the current notebook's kernel and returns its stdout. */
function kernelEval(code: string): Promise<string> {
  return page.evaluate(async (c) => {
    const kernel = window.jupyterapp.shell.currentWidget.sessionContext.session.kernel;
    const future = kernel.requestExecute({ code: c, silent: false, store_history: false });
    let out = '';
    future.onIOPub = (msg: { header: { msg_type: string }; content: { text?: string; evalue?: string } }) => {
      if (msg.header.msg_type === 'stream') out += msg.content.text;
      if (msg.header.msg_type === 'error') out += `ERROR ${msg.content.evalue}`;
    };
    await future.done;
    return out;
  }, code);
}

/** Node compile services (`polyray.mjs serve`) among the processes of our jupyter lab (its kernels' children). */
function compileServiceProcesses(): string[] {
  const rows = execFileSync('ps', ['-eo', 'pid=,ppid=,args='], { encoding: 'utf8' }).split('\n')
    .map((l) => l.trim().match(/^(\d+)\s+(\d+)\s+(.*)$/)).filter((m): m is RegExpMatchArray => m !== null)
    .map((m) => ({ pid: Number(m[1]), ppid: Number(m[2]), args: m[3]! }));
  const parent = new Map(rows.map((r) => [r.pid, r.ppid]));
  const underLab = (pid: number): boolean => {
    for (let p: number | undefined = pid, k = 0; p && k < 64; p = parent.get(p), k++) if (p === lab.proc.pid) return true;
    return false;
  };
  return rows.filter((r) => r.args.includes('polyray.mjs') && r.args.includes('serve') && underLab(r.pid)).map((r) => `${r.pid} ${r.args}`);
}

describe('polyray in JupyterLab', { skip, timeout: 240_000 }, () => {
  before(async () => {
    lab = await startLab({
      'basic.ipynb': notebook([{ source: AXPY }, { source: BROKEN }, { source: 'print("still running")' }]),
      'accel.ipynb': notebook([
        { type: 'markdown', source: '# Three candidates and one cell to leave alone' },
        { source: candidate('double_it', '*') },
        { source: candidate('shift_it', '+') },
        { source: candidate('halve_it', '/') },
        { source: UNTOUCHED },
      ]),
      'demo.ipynb': readFileSync(join(ROOT, 'examples/demo.ipynb'), 'utf8'),
      'reload.ipynb': notebook([{ source: scaleCell('3.0') }, { source: CALL_AGAIN }]),
      // cells that would leave a file behind if anything ran them
      'opened.ipynb': notebook([
        { source: 'open("ran_plain_cell", "w").write("x")' },
        { source: `%%parallelize\nopen("ran_parallelize_cell", "w").write("x")\n${AXPY.split('\n').slice(1).join('\n')}` },
      ]),
    });
    chrome = await openChromium({ width: 1400, height: 900 });
    ({ page, pageErrors } = chrome);
    page.on('console', (m) => { if (m.type() === 'error' || m.type() === 'warning') console.log('# browser', m.type(), m.text().slice(0, 200)); });
    await page.goto(`${lab.url}/lab?token=${lab.token}`);
    await page.waitForSelector(READY, { state: 'attached', timeout: 90_000 });
    await page.evaluate(() => window.jupyterapp.commands.execute('polyray:open-sidebar'));
  });

  after(async () => {
    await chrome?.close();
    await lab?.stop();
  });

  test('the extension is installed and enabled, the default cell executor disabled', () => {
    const r = spawnSync(join(ROOT, '.venv/bin/jupyter'), ['labextension', 'list'], { encoding: 'utf8' });
    const out = (r.stdout + r.stderr).replace(/\x1b\[[0-9;]*m/g, '');
    assert.match(out, /polyray v\S+ enabled OK/);
    assert.match(out, /Disabled extensions:\s+@jupyterlab\/notebook-extension:cell-executor/);
  });

  test('a %%parallelize cell is compiled in a Worker and its function shows in the sidebar', { timeout: 120_000 }, async () => {
    await openNotebook('basic.ipynb');
    console.log('# notebook open');
    const t0 = Date.now();
    await runCell(0);
    const row = page.locator('#polyray-sidebar [data-polyray-function="axpy"]');
    await page.waitForFunction(() => {
      const r = document.querySelector('#polyray-sidebar [data-polyray-function="axpy"]');
      return r && ['cpu', 'gpu', 'ray', 'original'].includes(r.getAttribute('data-polyray-variant') ?? '')
        && (r.querySelector('.polyray-time')?.textContent ?? '-') !== '-';
    }, undefined, { timeout: 90_000, polling: 250 });
    const ms = Date.now() - t0;
    assert.match(await cellText(0), /sum 2000\.0/);
    const variant = await row.getAttribute('data-polyray-variant');
    console.log(`# axpy ran as ${variant}; run-to-row ${ms} ms`);
    await row.locator('.polyray-row-head').click();
    await page.waitForSelector('#polyray-sidebar .polyray-details');
    await shot('01-parallelize-cell-sidebar');

    const stats = await page.evaluate(() => window.__polyray!.stats);
    assert.ok(stats.compiles >= 1, 'compiled in the browser');
    assert.equal(stats.workerStarts, 1, 'one compile Worker');
    console.log(`# browser compile ${stats.lastMs.toFixed(1)} ms after loading wasm in ${stats.loadMs.toFixed(0)} ms`);
    const status = await page.locator('.polyray-cell-status').first().textContent();
    assert.match(status ?? '', /compiled in the browser \(Worker\)/);

    // Kernel side: the run record says where the module was compiled; no Node compile service ran.
    const info = JSON.parse(await kernelEval(
      'import json, polyray.magic as m, polyray.compile_service as cs\n'
      + 'from polyray.runtime import history\n'
      + 'print(json.dumps({"last": m.last_compile, "record": history()[-1], "service": cs._service is not None}))'));
    assert.equal(info.last.origin, 'frontend');
    assert.equal(info.last.compiled_by, 'browser-worker');
    assert.equal(info.record.function, 'axpy');
    assert.equal(info.record.compiled_by, 'browser-worker');
    assert.equal(info.service, false, 'the kernel never created a compile service');
    assert.deepEqual(compileServiceProcesses(), []);
  });

  test('a cell with a syntax error shows it on the cell and in the output, and still runs', async () => {
    await runCell(1);
    await page.waitForFunction(() => {
      const cell = window.jupyterapp.shell.currentWidget.content.widgets[1];
      return cell.model.executionCount !== null;
    }, undefined, { timeout: 30_000 });
    const status = page.locator('.jp-Notebook .jp-Cell').nth(1).locator('.polyray-cell-status');
    assert.match((await status.textContent()) ?? '', /cell:3:\d+: error: syntax error/);
    const out = await cellText(1);
    assert.match(out, /cell:3:\d+: error: syntax error/);
    assert.match(out, /SyntaxError/);
    await runCell(2);
    assert.match(await cellText(2), /still running/);
    await shot('02-syntax-error');
    assert.deepEqual(compileServiceProcesses(), [], 'syntax errors come from the browser too');
  });

  test('Accelerate notebook adds %%parallelize to the three candidates only, and reverts as a whole', async () => {
    await openNotebook('accel.ipynb');
    const before = await sources();
    void page.evaluate(() => window.jupyterapp.commands.execute('polyray:accelerate-notebook'));
    await page.waitForSelector('.jp-Dialog .polyray-candidate', { timeout: 60_000 });
    const listed = await page.locator('.jp-Dialog .polyray-candidate').allTextContents();
    assert.equal(listed.length, 3, listed.join('\n'));
    assert.match(listed.join('\n'), /double_it \(parallel: line 5 for i\)/);
    await shot('03-accelerate-dialog');
    await page.locator('.jp-Dialog .jp-mod-accept').click();
    await page.waitForFunction(() => window.jupyterapp.shell.currentWidget.content.model.sharedModel.cells[1].getSource().startsWith('%%parallelize'));
    const accelerated = await sources();
    assert.equal(accelerated[0], before[0]);
    for (const k of [1, 2, 3]) assert.equal(accelerated[k], `%%parallelize\n${before[k]}`);
    assert.equal(accelerated[4], before[4], 'the cell without hints is not touched');

    await page.evaluate(() => window.jupyterapp.commands.execute('polyray:revert-acceleration'));
    assert.deepEqual(await sources(), before);
    // accelerate again for the rerun test
    void page.evaluate(() => window.jupyterapp.commands.execute('polyray:accelerate-notebook'));
    await page.locator('.jp-Dialog .jp-mod-accept').click();
    await page.waitForFunction(() => window.jupyterapp.shell.currentWidget.content.model.sharedModel.cells[3].getSource().startsWith('%%parallelize'));
  });

  test('Rerun on cluster re-executes the %%parallelize cells with target ray on a local Ray cluster', async () => {
    // connect to the embedded local cluster from the sidebar (empty address)
    await page.locator('#polyray-sidebar .polyray-connect').click();
    await page.waitForFunction(() => document.querySelector('#polyray-sidebar .polyray-cluster-status')?.getAttribute('data-polyray-connected') === 'true',
      undefined, { timeout: 90_000, polling: 500 }).catch(async (err: Error) => {
      // say why: the sidebar shows the kernel's error (e.g. Ray's own 30 s raylet start limit on a loaded machine)
      const shown = await page.locator('#polyray-sidebar .polyray-cluster-status').textContent().catch(() => null);
      throw new Error(`${err.message}; the sidebar's cluster status: ${shown}`);
    });
    const cluster = await page.locator('#polyray-sidebar .polyray-cluster-status').textContent();
    assert.match(cluster ?? '', /local · 1 node\(s\) · \d+ CPU/);
    const t0 = Date.now();
    await page.evaluate(() => window.jupyterapp.commands.execute('polyray:rerun-on-cluster'));
    const summary = (await page.locator('#polyray-sidebar .polyray-summary').textContent()) ?? '';
    console.log(`# rerun on cluster: ${Date.now() - t0} ms; ${summary}`);
    assert.match(summary, /Rerun on cluster: 3 cell\(s\)/);
    assert.doesNotMatch(summary, /FAILED/);
    for (const name of ['double_it', 'shift_it', 'halve_it']) {
      assert.match(summary, new RegExp(`${name} → \\w+`));
      const v = await page.locator(`#polyray-sidebar [data-polyray-function="${name}"]`).getAttribute('data-polyray-variant');
      assert.ok(v && v !== 'compiled', `${name} ran (${v})`);
    }
    const targets = JSON.parse(await kernelEval(
      'import json\nfrom polyray.runtime import history\nprint(json.dumps([r.get("target") for r in history()[-3:]]))'));
    assert.deepEqual(targets, ['ray', 'ray', 'ray']);
    assert.match(await cellText(4), /^$/, 'the untouched cell was not run');
    await shot('04-rerun-on-cluster');
    assert.deepEqual(compileServiceProcesses(), []);
    assert.deepEqual(pageErrors, []);
  });

  test('the demo notebook runs, and the sidebar shows what ran where and how fast', { timeout: 240_000 }, async () => {
    await openNotebook('demo.ipynb');
    await page.evaluate(() => window.jupyterapp.commands.execute('notebook:run-all-cells'));
    await page.waitForFunction(() => {
      const cells = window.jupyterapp.shell.currentWidget.content.widgets;
      return cells.every((c: { model: { type: string; executionCount: number | null } }) => c.model.type !== 'code' || c.model.executionCount !== null);
    }, undefined, { timeout: 200_000, polling: 500 });
    for (const fn of ['kernel_gemm', 'kernel_jacobi_1d', 'prefix_sum', 'axpy']) {
      await page.waitForSelector(`#polyray-sidebar [data-polyray-function="${fn}"]`, { timeout: 30_000 });
    }
    const variants = await page.evaluate(() =>
      Object.fromEntries([...document.querySelectorAll('#polyray-sidebar [data-polyray-function]')].map((r) => [r.getAttribute('data-polyray-function'), r.getAttribute('data-polyray-variant')])));
    console.log(`# demo variants ${JSON.stringify(variants)}`);
    assert.equal(variants.kernel_gemm, 'cpu');
    assert.equal(variants.axpy, 'ray');
    // issue 19: every row shows the speedup it came for, measured, or the reason it has none
    const speed = await page.evaluate(() =>
      Object.fromEntries([...document.querySelectorAll('#polyray-sidebar [data-polyray-function]')].map((r) => [r.getAttribute('data-polyray-function'), {
        speedup: r.querySelector('.polyray-speedup')?.textContent ?? '',
        note: r.querySelector('.polyray-speedup-note')?.textContent ?? '',
      }])));
    console.log(`# demo speedups ${JSON.stringify(speed)}`);
    assert.ok(Object.keys(speed).length >= 4, JSON.stringify(speed));
    for (const [fn, s] of Object.entries(speed)) {
      assert.ok(/^\d+(\.\d)?×$/.test(s.speedup) || /\w{3,}/.test(s.note), `${fn}: neither a speedup nor why not: ${JSON.stringify(s)}`);
    }
    await shot('05-demo-notebook-sidebar');
  });

  test('after a kernel restart the kernel side is loaded again without the user typing %load_ext', { timeout: 120_000 }, async () => {
    await page.evaluate(async () => {
      await window.jupyterapp.shell.currentWidget.sessionContext.session.kernel.restart();
    });
    const loaded = async (): Promise<boolean> =>
      (await kernelEval("print('parallelize' in get_ipython().magics_manager.magics['cell'])")).includes('True');
    const t0 = Date.now();
    while (!(await loaded())) {
      assert.ok(Date.now() - t0 < 60_000, '%%parallelize was not registered again after the restart');
      await new Promise((r) => setTimeout(r, 500));
    }
    console.log(`# magic back ${Date.now() - t0} ms after the restart`);
  });

  test('after a browser reload the comm is reopened, new calls show, and an edited cell runs its new code', { timeout: 180_000 }, async () => {
    await openNotebook('reload.ipynb');
    await runCell(0);
    await waitForOutput(0, /scaled 9\.0/);
    await waitForRow('scale_it', /1 call\(s\)/);

    const t0 = Date.now();
    await page.reload();
    await page.waitForSelector(READY, { state: 'attached', timeout: 90_000 });
    await page.waitForFunction(() => !!window.jupyterapp?.shell, undefined, { timeout: 60_000 });
    await page.evaluate(() => window.jupyterapp.commands.execute('polyray:open-sidebar'));
    await openNotebook('reload.ipynb');
    // the reopened comm's hello carries the kernel's records: the row is back, with its call
    await waitForRow('scale_it', /1 call\(s\)/);
    console.log(`# reloaded, comm reopened: ${Date.now() - t0} ms`);

    await runCell(1);
    await waitForOutput(1, /again 9\.0/);
    await waitForRow('scale_it', /2 call\(s\)/);

    // edit the constant and run the cell again: the new code runs, in this cell and in later ones
    await page.evaluate((text) => {
      window.jupyterapp.shell.currentWidget.content.model.sharedModel.cells[0].setSource(text);
    }, scaleCell('5.0'));
    await runCell(0);
    await waitForOutput(0, /scaled 15\.0/);
    await runCell(1);
    await waitForOutput(1, /again 15\.0/);
    const info = JSON.parse(await kernelEval(
      'import json, polyray.magic as m\nfrom polyray.runtime import history\n'
      + 'print(json.dumps({"last": m.last_compile, "record": history()[-1]}))'));
    assert.equal(info.last.origin, 'frontend', 'the edited cell was compiled in the browser after the reload');
    assert.deepEqual(info.last.functions, ['scale_it']);
    assert.equal(info.record.function, 'scale_it');
    await waitForRow('scale_it', /4 call\(s\)/);
    await shot('07-after-reload');
    assert.deepEqual(pageErrors, []);
  });

  test('opening a notebook runs none of its cells (the kernel side is loaded, nothing else)', { timeout: 120_000 }, async () => {
    await openNotebook('opened.ipynb');
    // give any would-be auto-run time to happen, then ask the kernel itself
    await new Promise((r) => setTimeout(r, 3000));
    const out = await kernelEval('import os; print(sorted(f for f in os.listdir(".") if f.startswith("ran_")), "parallelize" in get_ipython().magics_manager.magics["cell"])');
    assert.match(out, /\[\] True/, out);
    assert.equal(existsSync(join(lab.dir, 'root', 'ran_plain_cell')), false);
    assert.equal(existsSync(join(lab.dir, 'root', 'ran_parallelize_cell')), false);
  });
});
