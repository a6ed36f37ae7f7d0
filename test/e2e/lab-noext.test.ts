// JupyterLab WITHOUT the Polyray extension: the labextension is installed but
// disabled by the page config (labconfig/page_config.json in a temporary
// JUPYTER_CONFIG_DIR), so JupyterLab's own cell executor runs the cells, the
// kernel compiles through the Node compile service, and the run report shows
// through its text/html fallback. A real `jupyter lab` on loopback, Debian's
// Chromium through playwright-core.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { ARTIFACTS, CHROMIUM, ROOT, notebook, startLab, type Lab, openChromium } from './lab-server.js';
import { ROW_SUM, reference } from './cells.js';

/** The extension's package name (package.json "name", also that of python-bridge/polyray/labextension). */
const EXTENSION = 'polyray';



const REFERENCE = reference(', "compiled_by", pm.last_compile["compiled_by"]');

const skip = !existsSync(CHROMIUM) ? `chromium not found at ${CHROMIUM}`
  : !existsSync(join(ROOT, '.venv/bin/jupyter')) ? 'the .venv is not set up (npm test runs scripts/setup.sh)' : false;
if (skip) console.log(`# skipped: ${skip}`);

let lab: Lab;
let chrome: Awaited<ReturnType<typeof openChromium>>;
let page: Page;
let pageErrors: string[] = [];

declare global {
  interface Window {
    jupyterapp: any; // eslint-disable-line @typescript-eslint/no-explicit-any
  }
}

interface Output { output_type: string; name?: string; text?: string | string[]; ename?: string; evalue?: string; data?: Record<string, unknown> }
const joined = (t: string | string[] | undefined): string => (Array.isArray(t) ? t.join('') : t ?? '');

describe('polyray in JupyterLab without the Polyray extension', { skip, timeout: 150_000 }, () => {
  before(async () => {
    lab = await startLab({
      'noext.ipynb': notebook([{ source: '%load_ext polyray' }, { source: ROW_SUM }, { source: REFERENCE }]),
    }, { pageConfig: { disabledExtensions: { [EXTENSION]: true } } });
    chrome = await openChromium({ width: 1400, height: 1000 });
    ({ page, pageErrors } = chrome);
    await page.goto(`${lab.url}/lab?token=${lab.token}`);
    await page.waitForFunction(() => !!window.jupyterapp, undefined, { timeout: 90_000, polling: 250 });
    await page.evaluate(() => window.jupyterapp.restored);
  });

  after(async () => {
    await chrome?.close();
    await lab?.stop();
  });

  test('the extension is installed but disabled; JupyterLab\'s own cell executor is back', async () => {
    const state = await page.evaluate(() => {
      const config = JSON.parse(document.getElementById('jupyter-config-data')!.textContent!);
      const app = window.jupyterapp;
      return {
        federated: (config.federated_extensions as { name: string }[]).map((e) => e.name),
        disabled: config.disabledExtensions as string[],
        plugins: (app.listPlugins() as string[]).filter((id) => id.startsWith('polyray')),
        executor: app.hasPlugin('@jupyterlab/notebook-extension:cell-executor'),
        commands: (app.commands.listCommands() as string[]).filter((id) => id.startsWith('polyray')),
      };
    });
    assert.ok(state.federated.includes(EXTENSION), `the labextension is installed: ${state.federated.join(', ')}`);
    assert.ok(state.disabled.includes(EXTENSION), state.disabled.join(', '));
    assert.ok(!state.disabled.includes('@jupyterlab/notebook-extension:cell-executor'),
      'the default cell executor is disabled only while Polyray is enabled');
    assert.deepEqual(state.plugins, []);
    assert.deepEqual(state.commands, []);
    assert.equal(state.executor, true);
  });

  test('%%parallelize runs, the result matches plain Python, the text/html report names function and variant', { timeout: 120_000 }, async () => {
    await page.evaluate(async () => { await window.jupyterapp.commands.execute('docmanager:open', { path: 'noext.ipynb' }); });
    await page.waitForFunction(() => {
      const w = window.jupyterapp.shell.currentWidget;
      return !!w?.sessionContext?.session?.kernel && w.sessionContext.session.kernel.status === 'idle';
    }, undefined, { timeout: 60_000, polling: 250 });
    const t0 = Date.now();
    await page.evaluate(() => window.jupyterapp.commands.execute('notebook:run-all-cells'));
    await page.waitForFunction(() => {
      const cells = window.jupyterapp.shell.currentWidget.content.widgets;
      return cells.every((c: { model: { type: string; executionCount: number | null } }) => c.model.type !== 'code' || c.model.executionCount !== null)
        && /ran \w+ \w+/.test(cells[2].node.querySelector('.jp-Cell-outputWrapper')?.textContent ?? '');
    }, undefined, { timeout: 100_000, polling: 250 });
    console.log(`# Run All: ${Date.now() - t0} ms`);

    const outputs: Output[][] = await page.evaluate(() => window.jupyterapp.shell.currentWidget.content.widgets.map(
      (c: { model: { outputs?: { toJSON(): unknown } } }) => c.model.outputs?.toJSON() ?? []));
    const texts = outputs.map((o) => o.filter((x) => x.output_type === 'stream').map((x) => joined(x.text)).join(''));
    assert.deepEqual(outputs.flat().filter((x) => x.output_type === 'error').map((x) => `${x.ename}: ${x.evalue}`), []);
    const stderr = outputs.flat().filter((x) => x.output_type === 'stream' && x.name === 'stderr').map((x) => joined(x.text)).join('');
    assert.doesNotMatch(stderr, /polyray:|Traceback|error/i, 'no compile note (plain Python) and no error');

    const checksum = texts[1]!.match(/checksum (\S+)/)?.[1];
    assert.ok(checksum, texts[1]);
    assert.equal(checksum, texts[2]!.match(/reference (\S+)/)?.[1]);
    assert.match(texts[2]!, /rows equal True/);
    // compiled by the kernel's Node compile service: nothing came from a browser Worker
    assert.match(texts[2]!, /ran row_sum cpu compiled_by compile-service/);

    const reports = outputs[1]!.filter((x) => x.output_type === 'display_data' && x.data?.['application/vnd.polyray.report+json']);
    assert.equal(reports.length, 1, JSON.stringify(outputs[1]));
    const payload = reports[0]!.data!['application/vnd.polyray.report+json'] as { functions: { name: string; variant: string; calls: number }[] };
    assert.deepEqual(payload.functions.map((f) => [f.name, f.variant, f.calls]), [['row_sum', 'cpu', 1]]);

    // what JupyterLab shows without a renderer for the Polyray MIME: the HTML table, updated in place
    const shown = await page.evaluate(() => {
      const cell = window.jupyterapp.shell.currentWidget.content.widgets[1].node as HTMLElement;
      const row = cell.querySelector('.jp-RenderedHTMLCommon .polyray-report tbody tr');
      return {
        tables: cell.querySelectorAll('.polyray-report').length,
        title: cell.querySelector('.jp-RenderedHTMLCommon .polyray-report b')?.textContent ?? '',
        head: [...cell.querySelectorAll('.jp-RenderedHTMLCommon .polyray-report thead th')].map((th) => th.textContent),
        cells: row ? [...row.querySelectorAll('td')].map((td) => td.textContent) : [],
        sidebar: document.querySelector('#polyray-sidebar') !== null || document.querySelector('.polyray-cell-status') !== null,
      };
    });
    console.log(`# report shown: ${JSON.stringify(shown.cells)}`);
    assert.equal(shown.tables, 1, 'one report table, updated in place (not one per update)');
    assert.equal(shown.title, 'polyray run report');
    assert.deepEqual(shown.head.slice(0, 3), ['function', 'variant', 'calls']);
    assert.deepEqual(shown.cells.slice(0, 3), ['row_sum', 'cpu', '1']);
    assert.match(shown.cells[7] ?? '', /variants: original, cpu/); // after the JIT column (issue 19)
    assert.match(shown.cells[8] ?? '', /for i: parallel/);
    assert.equal(shown.sidebar, false, 'no Polyray sidebar or cell status without the extension');

    mkdirSync(ARTIFACTS, { recursive: true });
    await page.screenshot({ path: join(ARTIFACTS, 'lab-noext-01-run-all-report.png') });
    assert.deepEqual(pageErrors, []);
  });
});
