// Invalid user settings for polyray:plugin, in a real JupyterLab (issue 9): the
// settings file is written before the lab starts (defaultTarget "tpu", which
// schema/plugin.json refuses). The Jupyter server drops such a file (its log
// names the bad value) and sends the browser a placeholder; the extension
// must say so in a notification, run on the defaults, and its sidebar must
// still work.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { ARTIFACTS, CHROMIUM, ROOT, notebook, startLab, type Lab, openChromium } from './lab-server.js';

const CELL = `%%parallelize
import numpy as np
import numpy.typing as npt

def triple(n: int, x: npt.NDArray[np.float64], y: npt.NDArray[np.float64]) -> None:
    for i in range(n):
        y[i] = 3.0 * x[i]

y = np.zeros(100)
triple(100, np.ones(100), y)
print("sum", y.sum())`;

const skip = existsSync(CHROMIUM) ? (existsSync(join(ROOT, 'python-bridge/polyray/labextension/package.json'))
  ? false : 'the labextension is not built (npm run build:ext)') : `chromium not found at ${CHROMIUM}`;

let lab: Lab;
let chrome: Awaited<ReturnType<typeof openChromium>>;
let page: Page;
let pageErrors: string[] = [];

declare global {
  interface Window {
    jupyterapp: any; // eslint-disable-line @typescript-eslint/no-explicit-any
  }
}

describe('polyray with invalid settings', { skip, timeout: 240_000 }, () => {
  before(async () => {
    lab = await startLab({ 'settings.ipynb': notebook([{ source: CELL }]) },
      { userSettings: { 'polyray:plugin': { defaultTarget: 'tpu', showGeneratedCode: true } } });
    chrome = await openChromium({ width: 1400, height: 900 });
    ({ page, pageErrors } = chrome);
    await page.goto(`${lab.url}/lab?token=${lab.token}`);
    await page.waitForSelector('#polyray-sidebar', { state: 'attached', timeout: 90_000 });
  });

  after(async () => {
    await chrome?.close();
    await lab?.stop();
  });

  test('a notification says the settings file was refused, the defaults apply, and the sidebar still works', { timeout: 180_000 }, async () => {
    const toast = page.locator('.Toastify__toast', { hasText: 'Polyray: your settings file was refused' });
    await toast.first().waitFor({ timeout: 60_000 });
    const text = (await toast.first().textContent()) ?? '';
    console.log(`# notification: ${text}`);
    assert.match(text, /the Jupyter server log names it\); using the defaults/);
    // ... and the server's log does name it
    assert.match(lab.log.join(''), /Failed validating settings \(polyray:plugin\): 'tpu' is not one of \['auto', 'original', 'cpu', 'gpu', 'ray'\]/);
    mkdirSync(ARTIFACTS, { recursive: true });
    await page.screenshot({ path: join(ARTIFACTS, '08-invalid-settings-notification.png') });
    // the defaults, all of them (showGeneratedCode: true was in the same refused file)
    const settings = await page.evaluate(() => (window as unknown as { __polyray: { engine: { settings: unknown } } }).__polyray.engine.settings);
    assert.deepEqual(settings, { clusterAddress: '', defaultTarget: 'auto', numerics: 'close', autoMayTime: true, waitForJit: false, timeOriginalBelowSeconds: 1, compileBudgetSeconds: 0.2, showGeneratedCode: false, compileTimeLimitSeconds: 20 });

    // the sidebar works: a %%parallelize cell runs and its function shows with the variant that ran
    await page.evaluate(() => window.jupyterapp.commands.execute('polyray:open-sidebar'));
    await page.evaluate(async () => { await window.jupyterapp.commands.execute('docmanager:open', { path: 'settings.ipynb' }); });
    await page.waitForFunction(() => window.jupyterapp.shell.currentWidget?.sessionContext?.session?.kernel?.status === 'idle',
      undefined, { timeout: 60_000, polling: 250 });
    await page.evaluate(async () => {
      const nb = window.jupyterapp.shell.currentWidget.content;
      nb.activeCellIndex = 0;
      await window.jupyterapp.commands.execute('notebook:run-cell');
    });
    await page.waitForFunction(() => {
      const r = document.querySelector('#polyray-sidebar [data-polyray-function="triple"]');
      return r && ['cpu', 'original'].includes(r.getAttribute('data-polyray-variant') ?? '');
    }, undefined, { timeout: 90_000, polling: 250 });
    const out = await page.evaluate(() => window.jupyterapp.shell.currentWidget.content.widgets[0].node
      .querySelector('.jp-Cell-outputWrapper')?.textContent ?? '');
    assert.match(out, /sum 300\.0/);
    await page.screenshot({ path: join(ARTIFACTS, '09-invalid-settings-sidebar.png') });
    assert.deepEqual(pageErrors, []);
  });
});
