// Drives a JupyterLab that someone else started (the wheel test starts one from
// the installed wheel's environment: python-bridge/tests/test_wheel.py) in
// Debian's Chromium: opens one notebook, runs its cells one by one through
// JupyterLab's own command (so through Polyray's cell executor), and prints ONE
// line of JSON with what it saw. It asserts nothing: the caller does, so the
// same observations serve whichever environment the server runs from.
//
//   node --import tsx test/e2e/drive-notebook.ts URL TOKEN NOTEBOOK [KERNEL_CODE]
//
// KERNEL_CODE (optional) runs silently in the notebook's kernel after the cells;
// its stdout comes back as `kernel`. Exit status 0 with the JSON on stdout;
// anything that times out or throws exits 1 with the reason on stderr (and the
// page's own errors, which say most about a front end that did not load).
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { ARTIFACTS, openChromium } from './lab-server.js';

declare global {
  interface Window {
    jupyterapp: any; // eslint-disable-line @typescript-eslint/no-explicit-any
    __polyray?: { stats: { compiles: number; workerStarts: number; lastMs: number; loadMs: number } };
  }
}

const [url, token, path, kernelCode] = process.argv.slice(2);
if (!url || !token || !path) {
  process.stderr.write('usage: drive-notebook.ts URL TOKEN NOTEBOOK [KERNEL_CODE]\n');
  process.exit(2);
}

const chrome = await openChromium({ width: 1400, height: 900 });
const { page, pageErrors } = chrome;
const consoleErrors: string[] = [];
page.on('console', (m) => { if (m.type() === 'error') consoleErrors.push(m.text().slice(0, 300)); });
const step = (what: string): void => { process.stderr.write(`# ${what}\n`); };

try {
  await page.goto(`${url}/lab?token=${token}`);
  // the sidebar exists only once Polyray's extension has activated
  await page.waitForSelector('#polyray-sidebar', { state: 'attached', timeout: 90_000 });
  await page.evaluate(() => window.jupyterapp.commands.execute('polyray:open-sidebar'));
  step('lab loaded, polyray extension active');
  await page.evaluate(async (p) => { await window.jupyterapp.commands.execute('docmanager:open', { path: p }); }, path);
  await page.waitForFunction(() => {
    const w = window.jupyterapp.shell.currentWidget;
    return !!w?.sessionContext?.session?.kernel && w.sessionContext.session.kernel.status === 'idle';
  }, undefined, { timeout: 90_000, polling: 250 });
  step(`${path} open, kernel idle`);

  const count: number = await page.evaluate(() => window.jupyterapp.shell.currentWidget.content.widgets.length);
  for (let i = 0; i < count; i++) {
    await page.evaluate(async (k) => {
      const nb = window.jupyterapp.shell.currentWidget.content;
      nb.activeCellIndex = k;
      nb.deselectAll();
      await window.jupyterapp.commands.execute('notebook:run-cell');
    }, i);
    // a code cell is done when it has its execution count and the kernel is idle again
    await page.waitForFunction((k) => {
      const w = window.jupyterapp.shell.currentWidget;
      const cell = w.content.widgets[k];
      return (cell.model.type !== 'code' || cell.model.executionCount !== null) && w.sessionContext.session.kernel.status === 'idle';
    }, i, { timeout: 120_000, polling: 250 });
    step(`cell ${i} ran`);
  }
  // the sidebar row is drawn from the run record the kernel sends over the comm, just after the output
  await page.waitForFunction(() => [...document.querySelectorAll('#polyray-sidebar [data-polyray-function]')]
    .some((r) => (r.querySelector('.polyray-time')?.textContent ?? '-') !== '-'), undefined, { timeout: 30_000, polling: 250 })
    .catch(() => step('no sidebar row with a time (reported as seen)'));

  const seen = await page.evaluate(() => {
    const cells = window.jupyterapp.shell.currentWidget.content.widgets as { node: HTMLElement }[];
    return {
      outputs: cells.map((c) => c.node.querySelector('.jp-Cell-outputWrapper')?.textContent ?? ''),
      statuses: cells.map((c) => c.node.querySelector('.polyray-cell-status')?.textContent ?? null),
      rows: [...document.querySelectorAll('#polyray-sidebar [data-polyray-function]')].map((r) => ({
        function: r.getAttribute('data-polyray-function'),
        variant: r.getAttribute('data-polyray-variant'),
        time: r.querySelector('.polyray-time')?.textContent ?? null,
      })),
      stats: window.__polyray?.stats ?? null,
    };
  });
  let kernel: string | null = null;
  if (kernelCode) {
    kernel = await page.evaluate(async (code) => {
      const k = window.jupyterapp.shell.currentWidget.sessionContext.session.kernel;
      const future = k.requestExecute({ code, silent: false, store_history: false });
      let out = '';
      future.onIOPub = (msg: { header: { msg_type: string }; content: { text?: string; evalue?: string } }) => {
        if (msg.header.msg_type === 'stream') out += msg.content.text;
        if (msg.header.msg_type === 'error') out += `ERROR ${msg.content.evalue}`;
      };
      await future.done;
      return out;
    }, kernelCode);
  }
  mkdirSync(ARTIFACTS, { recursive: true });
  await page.screenshot({ path: join(ARTIFACTS, 'wheel-lab.png') });
  process.stdout.write(`${JSON.stringify({ ...seen, kernel, pageErrors, consoleErrors })}\n`);
} catch (e) {
  process.stderr.write(`drive-notebook: ${e instanceof Error ? e.message : String(e)}\n`);
  process.stderr.write(`page errors: ${JSON.stringify(pageErrors)}\nconsole errors: ${JSON.stringify(consoleErrors)}\n`);
  try {
    mkdirSync(ARTIFACTS, { recursive: true });
    await page.screenshot({ path: join(ARTIFACTS, 'wheel-lab-failed.png') });
  } catch { /* the page is gone */ }
  process.exitCode = 1;
} finally {
  await chrome.close();
}
