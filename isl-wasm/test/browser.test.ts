// Bundle a tiny entry that imports isl-wasm's src/index.ts with esbuild,
// load it in headless Debian Chromium (playwright-core, never a downloaded
// browser) from a loopback HTTP server, and check it computes exactly what
// Node computes.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadIslNode } from '../src/node.js';
import { kernels } from './kernels.js';
import { summarize, type KernelSummary } from './summary.js';

const CHROMIUM = process.env.POLYRAY_CHROMIUM ?? '/usr/bin/chromium';
const here = (p: string): string => fileURLToPath(new URL(p, import.meta.url));

test('browser: bundled src/index.ts in headless Chromium gives the Node answers', {
  skip: existsSync(CHROMIUM) ? false : `chromium not found at ${CHROMIUM} (apt-get install -y chromium)`,
  timeout: 120_000,
}, async () => {
  const esbuild = await import('esbuild');
  const { chromium } = await import('playwright-core');

  const bundle = await esbuild.build({
    entryPoints: [here('./browser-entry.ts')],
    bundle: true,
    format: 'esm',
    platform: 'browser',
    target: 'es2022',
    write: false,
    logLevel: 'silent',
  });
  const js = bundle.outputFiles[0]!.contents;
  const wasm = readFileSync(here('../dist/isl.wasm'));
  const html = '<!doctype html><meta charset="utf-8"><script type="module" src="/entry.js"></script>';

  const server: Server = createServer((req, res) => {
    const route: Record<string, [string, Uint8Array | string]> = {
      '/': ['text/html', html],
      '/entry.js': ['text/javascript', js],
      '/isl.wasm': ['application/wasm', wasm],
    };
    const hit = route[(req.url ?? '/').split('?')[0]!];
    if (!hit) { res.writeHead(404).end(); return; }
    res.writeHead(200, { 'content-type': hit[0] }).end(hit[1]);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const port = (server.address() as { port: number }).port;
  const userDataDir = mkdtempSync(join(tmpdir(), 'isl-wasm-chromium-'));
  const browser = await chromium.launchPersistentContext(userDataDir, {
    executablePath: CHROMIUM,
    headless: true,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking',
      '--disable-component-update', '--disable-sync', '--no-first-run'],
  });
  try {
    const page = browser.pages()[0] ?? await browser.newPage();
    const pageErrors: string[] = [];
    page.on('pageerror', (e) => pageErrors.push(String(e)));
    await page.goto(`http://127.0.0.1:${port}/`);
    await page.waitForFunction(() => window.__islResult !== undefined, undefined, { timeout: 60_000 });
    const result = await page.evaluate(() => window.__islResult!);
    assert.deepEqual(pageErrors, []);
    if (!result.ok) assert.fail(result.error);

    const ctx = (await loadIslNode()).context();
    try {
      const node: KernelSummary[] = kernels.map((k) => summarize(ctx, k));
      for (const s of result.summaries) assert.ok(s.matchesExpected, `${s.name}: browser dependences differ from hand-derived`);
      assert.deepEqual(result.summaries, node);
    } finally {
      ctx.free();
    }
  } finally {
    await browser.close();
    server.close();
    rmSync(userDataDir, { recursive: true, force: true });
  }
});
