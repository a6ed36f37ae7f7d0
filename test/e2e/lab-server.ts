// Starts a real `jupyter lab` from the project's .venv on 127.0.0.1 with a
// token, a temporary root dir, settings and workspaces (so the user's own are
// never touched), and Debian's Chromium through playwright-core.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { randomBytes } from 'node:crypto';
import { fileURLToPath } from 'node:url';

export const ROOT = resolve(fileURLToPath(new URL('../..', import.meta.url)));
export const CHROMIUM = process.env.POLYRAY_CHROMIUM ?? '/usr/bin/chromium';
export const ARTIFACTS = join(ROOT, 'test-artifacts');

export interface Lab {
  url: string;
  token: string;
  dir: string;
  proc: ChildProcess;
  log: string[];
  stop(): Promise<void>;
}

function freePort(): Promise<number> {
  return new Promise((res, rej) => {
    const s = createServer();
    s.once('error', rej);
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => res(port));
    });
  });
}

export function notebook(cells: { type?: 'code' | 'markdown'; source: string }[]): string {
  return JSON.stringify({
    nbformat: 4, nbformat_minor: 5,
    metadata: { kernelspec: { name: 'python3', display_name: 'Python 3', language: 'python' } },
    cells: cells.map((c, k) => ({
      id: `cell-${k}`, cell_type: c.type ?? 'code', metadata: {}, source: c.source,
      ...(c.type === 'markdown' ? {} : { outputs: [], execution_count: null }),
    })),
  }, null, 1);
}

export interface ServerOptions {
  /** The front end: `lab` (JupyterLab, the default) or `nbclassic` (the classic Notebook UI). */
  app?: 'lab' | 'nbclassic';
  /**
   * JupyterLab's page config (e.g. `{ disabledExtensions: { polyray: true } }`), written to
   * labconfig/page_config.json of a temporary JUPYTER_CONFIG_DIR.
   */
  pageConfig?: Record<string, unknown>;
  /** More environment variables for the server and its kernels. */
  env?: Record<string, string>;
  /** User settings written before the server starts: plugin id (e.g. `polyray:plugin`) -> its settings. */
  userSettings?: Record<string, Record<string, unknown>>;
}

/** A real `jupyter lab` (the default, as before) with the options above. */
export function startLab(files: Record<string, string>, options: Omit<ServerOptions, 'app'> = {}): Promise<Lab> {
  return startServer(files, { ...options, app: 'lab' });
}

/** A real `jupyter nbclassic` (the classic Notebook UI) on the same terms as startLab. */
export function startClassic(files: Record<string, string>, options: Omit<ServerOptions, 'app' | 'pageConfig'> = {}): Promise<Lab> {
  return startServer(files, { ...options, app: 'nbclassic' });
}

export async function startServer(files: Record<string, string>, options: ServerOptions = {}): Promise<Lab> {
  const app = options.app ?? 'lab';
  const dir = mkdtempSync(join(tmpdir(), 'polyray-e2e-'));
  const root = join(dir, 'root');
  mkdirSync(root);
  for (const [name, text] of Object.entries(files)) writeFileSync(join(root, name), text);
  const settings = join(dir, 'settings', '@jupyterlab', 'apputils-extension');
  mkdirSync(settings, { recursive: true });
  writeFileSync(join(settings, 'notification.jupyterlab-settings'), JSON.stringify({ fetchNews: 'false', checkForUpdates: false }));
  for (const [id, value] of Object.entries(options.userSettings ?? {})) {
    const [pkg, name] = id.split(':') as [string, string];
    mkdirSync(join(dir, 'settings', pkg), { recursive: true });
    writeFileSync(join(dir, 'settings', pkg, `${name}.jupyterlab-settings`), JSON.stringify(value));
  }
  // the classic UI, or a page config: a configuration directory of our own (never the user's ~/.jupyter)
  const configEnv: Record<string, string> = {};
  if (app !== 'lab' || options.pageConfig) {
    const config = join(dir, 'config');
    mkdirSync(join(config, 'labconfig'), { recursive: true });
    if (options.pageConfig) writeFileSync(join(config, 'labconfig', 'page_config.json'), JSON.stringify(options.pageConfig));
    configEnv.JUPYTER_CONFIG_DIR = config;
  }
  const token = randomBytes(16).toString('hex');
  const port = await freePort();
  const log: string[] = [];
  const common = [
    '--no-browser', '--ServerApp.ip=127.0.0.1', `--ServerApp.port=${port}`, '--ServerApp.port_retries=0',
    `--IdentityProvider.token=${token}`, `--ServerApp.root_dir=${root}`,
  ];
  const args = app === 'lab'
    ? ['lab', ...common,
      `--LabApp.user_settings_dir=${join(dir, 'settings')}`, `--LabApp.workspaces_dir=${join(dir, 'workspaces')}`,
      '--LabApp.expose_app_in_browser=True', '--ServerApp.open_browser=False', '--ServerApp.allow_root=True']
    : ['nbclassic', ...common, '--ServerApp.open_browser=False', '--ServerApp.allow_root=True'];
  const proc = spawn(join(ROOT, '.venv/bin/jupyter'), args, {
    cwd: root,
    env: {
      ...process.env,
      PATH: `${join(ROOT, '.venv/bin')}:${process.env.PATH}`,
      POLYRAY_CACHE_DIR: join(dir, 'cache'),
      JUPYTER_RUNTIME_DIR: join(dir, 'runtime'),
      RAY_USAGE_STATS_ENABLED: '0',
      // our own embedded Ray, never a cluster another process started on this machine
      RAY_TMPDIR: join(dir, 'ray'),
      // the tests read the variant a cell's first run used: calls wait for the JIT (issue 19)
      POLYRAY_JIT_WAIT: '1',
      ...configEnv,
      ...options.env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: true,
  });
  proc.stdout?.on('data', (d) => log.push(String(d)));
  proc.stderr?.on('data', (d) => log.push(String(d)));
  const url = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 60_000;
  for (;;) {
    if (proc.exitCode !== null) throw new Error(`jupyter ${app} exited: ${log.join('')}`);
    try {
      const r = await fetch(`${url}/api/status?token=${token}`);
      if (r.ok) break;
    } catch { /* not up yet */ }
    if (Date.now() > deadline) throw new Error(`jupyter ${app} did not start: ${log.join('')}`);
    await new Promise((r) => setTimeout(r, 250));
  }
  return {
    url, token, dir, proc, log,
    async stop() {
      try { process.kill(-proc.pid!, 'SIGTERM'); } catch { /* gone */ }
      await new Promise((r) => setTimeout(r, 1000));
      try { process.kill(-proc.pid!, 'SIGKILL'); } catch { /* gone */ }
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

export const CHROMIUM_ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
  '--disable-background-networking', '--disable-component-update', '--disable-sync'];

/** Debian's Chromium, headless, with a throw-away profile; page errors collected. */
export async function openChromium(viewport: { width: number; height: number }): Promise<{
  context: import('playwright-core').BrowserContext;
  page: import('playwright-core').Page;
  pageErrors: string[];
  close(): Promise<void>;
}> {
  const { chromium } = await import('playwright-core');
  const userDataDir = mkdtempSync(join(tmpdir(), 'polyray-chromium-'));
  const context = await chromium.launchPersistentContext(userDataDir, { executablePath: CHROMIUM, headless: true, args: CHROMIUM_ARGS, viewport });
  const page = context.pages()[0] ?? await context.newPage();
  const pageErrors: string[] = [];
  page.on('pageerror', (e) => pageErrors.push(String(e)));
  return {
    context, page, pageErrors,
    async close() {
      await context.close();
      rmSync(userDataDir, { recursive: true, force: true });
    },
  };
}
