// The classic Notebook UI (nbclassic, no Polyray frontend code at all): a real
// `jupyter nbclassic` from the project's .venv on loopback, driven by
// playwright-core in Debian's Chromium. The cells load the magic themselves,
// the kernel compiles through the Node compile service, and the run report
// shows through its text/html fallback, updated in place by display_id.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { ARTIFACTS, CHROMIUM, ROOT, notebook, startClassic, type Lab, openChromium } from './lab-server.js';
import { ROW_SUM, reference } from './cells.js';



const REFERENCE = reference();

const skip = !existsSync(CHROMIUM) ? `chromium not found at ${CHROMIUM}`
  : !existsSync(join(ROOT, '.venv/bin/jupyter')) ? 'the .venv is not set up (npm test runs scripts/setup.sh)' : false;
if (skip) console.log(`# skipped: ${skip}`);

let server: Lab;
let chrome: Awaited<ReturnType<typeof openChromium>>;
let page: Page;
let pageErrors: string[] = [];

declare global {
  interface Window {
    Jupyter: any; // eslint-disable-line @typescript-eslint/no-explicit-any
  }
}

interface Output { output_type: string; name?: string; text?: string; ename?: string; evalue?: string; data?: Record<string, unknown> }

describe('polyray in the classic Notebook UI (nbclassic)', { skip, timeout: 150_000 }, () => {
  before(async () => {
    server = await startClassic({
      'classic.ipynb': notebook([{ source: '%load_ext polyray' }, { source: ROW_SUM }, { source: REFERENCE }]),
    });
    chrome = await openChromium({ width: 1400, height: 1000 });
    ({ page, pageErrors } = chrome);
  });

  after(async () => {
    await chrome?.close();
    await server?.stop();
  });

  test('Run All runs %%parallelize cells, the result matches plain Python, the report says what ran where', { timeout: 120_000 }, async () => {
    const t0 = Date.now();
    await page.goto(`${server.url}/notebooks/classic.ipynb?token=${server.token}`);
    // the classic UI's own objects: the notebook and its kernel, connected and answering
    await page.waitForFunction(() => {
      const nb = window.Jupyter?.notebook;
      return !!nb?._fully_loaded && !!nb.kernel?.info_reply?.language_info && nb.kernel.is_connected();
    }, undefined, { timeout: 60_000, polling: 250 });
    assert.equal(await page.evaluate(() => document.querySelector('#polyray-sidebar') === null && !('jupyterapp' in window)), true,
      'the classic UI, not JupyterLab');
    console.log(`# classic notebook open, kernel ready in ${Date.now() - t0} ms`);

    const t1 = Date.now();
    await page.evaluate(() => window.Jupyter.notebook.execute_all_cells());
    await page.waitForFunction(() => {
      const cells = window.Jupyter.notebook.get_cells();
      return cells.every((c: { cell_type: string; input_prompt_number: unknown }) => c.cell_type !== 'code' || typeof c.input_prompt_number === 'number')
        && /ran \w+ \w+/.test(cells[2].output_area.element[0].textContent ?? '');
    }, undefined, { timeout: 100_000, polling: 250 });
    console.log(`# Run All: ${Date.now() - t1} ms`);

    const outputs: Output[][] = await page.evaluate(() => window.Jupyter.notebook.get_cells().map(
      (c: { output_area: { outputs: unknown[] } }) => JSON.parse(JSON.stringify(c.output_area.outputs))));
    const texts = outputs.map((o) => o.filter((x) => x.output_type === 'stream').map((x) => x.text).join(''));
    const errors = outputs.flat().filter((x) => x.output_type === 'error').map((x) => `${x.ename}: ${x.evalue}`);
    assert.deepEqual(errors, []);
    const stderr = outputs.flat().filter((x) => x.output_type === 'stream' && x.name === 'stderr').map((x) => x.text).join('');
    assert.doesNotMatch(stderr, /polyray:|Traceback|error/i, 'no compile note (plain Python) and no error');

    // the result of the dispatched function equals the pure-Python one
    const checksum = texts[1]!.match(/checksum (\S+)/)?.[1];
    const reference = texts[2]!.match(/reference (\S+)/)?.[1];
    assert.ok(checksum, texts[1]);
    assert.equal(checksum, reference);
    assert.match(texts[2]!, /rows equal True/);
    assert.match(texts[2]!, /ran row_sum cpu/);

    // the report: one display_data with the Polyray MIME and its fallbacks, updated in place after the call
    const reports = outputs[1]!.filter((x) => x.output_type === 'display_data' && x.data?.['application/vnd.polyray.report+json']);
    assert.equal(reports.length, 1, JSON.stringify(outputs[1]));
    const payload = reports[0]!.data!['application/vnd.polyray.report+json'] as { functions: { name: string; variant: string; calls: number }[] };
    assert.deepEqual(payload.functions.map((f) => [f.name, f.variant, f.calls]), [['row_sum', 'cpu', 1]]);
    assert.match(String(reports[0]!.data!['text/plain']), /row_sum\s+cpu\s+1\s/);
    // what the classic UI shows of it: the text/html table (it has no renderer for the Polyray MIME)
    const shown = await page.evaluate(() => {
      const area = window.Jupyter.notebook.get_cell(1).output_area.element[0] as HTMLElement;
      const row = area.querySelector('.output_html .polyray-report tbody tr');
      return {
        tables: area.querySelectorAll('.output_html .polyray-report').length,
        title: area.querySelector('.output_html .polyray-report b')?.textContent ?? '',
        head: [...area.querySelectorAll('.output_html .polyray-report thead th')].map((th) => th.textContent),
        cells: row ? [...row.querySelectorAll('td')].map((td) => td.textContent) : [],
        attrs: row ? [row.getAttribute('data-polyray-function'), row.getAttribute('data-polyray-variant')] : [],
      };
    });
    console.log(`# report shown: ${JSON.stringify(shown.cells)}`);
    assert.equal(shown.tables, 1, 'one report table, updated in place (not one per update)');
    assert.equal(shown.title, 'polyray run report');
    assert.deepEqual(shown.head.slice(0, 3), ['function', 'variant', 'calls']);
    assert.deepEqual(shown.cells.slice(0, 3), ['row_sum', 'cpu', '1']);
    assert.match(shown.cells[7] ?? '', /variants: original, cpu/); // after the JIT column (issue 19)
    assert.match(shown.cells[8] ?? '', /for i: parallel/);
    assert.deepEqual(shown.attrs, ['row_sum', 'cpu']);

    mkdirSync(ARTIFACTS, { recursive: true });
    await page.evaluate(() => window.Jupyter.notebook.get_cell(1).element[0].scrollIntoView());
    await page.screenshot({ path: join(ARTIFACTS, 'classic-01-run-all-report.png'), fullPage: true });
    assert.deepEqual(pageErrors, []);
  });
});
