// The compile service: one long-lived Node process per kernel, so that the
// tree-sitter parser and the isl context are loaded once and every later
// compile costs only the compile itself. It speaks JSON lines over
// stdin/stdout (protocol.ts); stderr carries warnings only. Nothing a client
// sends can crash it: malformed input gets an error reply (id null when the id
// could not be read). It exits when stdin closes.
import { createInterface } from 'node:readline';
import { performance } from 'node:perf_hooks';
import { ALL_TARGETS, COMPILER_VERSION, compileSource, parseNumerics, type Target } from '../compiler/index.js';
import { hostNumerics } from '../cli/numerics.js';
import { nodeIsl, nodeParser } from '../cli/node-host.js';
import { toWire, type Reply, type RequestId } from './protocol.js';
import { warmUp } from './warmup.js';

function isId(v: unknown): v is RequestId {
  return v === null || typeof v === 'number' || typeof v === 'string';
}

/** Requests read but not yet answered, past the one being handled (serve() counts them). */
let waiting = 0;

/** Answers one request line; never throws. */
export async function handleLine(line: string): Promise<Reply> {
  let msg: unknown;
  try {
    msg = JSON.parse(line);
  } catch (e) {
    return { id: null, ok: false, error: `malformed JSON: ${(e as Error).message}` };
  }
  if (typeof msg !== 'object' || msg === null || Array.isArray(msg)) {
    return { id: null, ok: false, error: 'a request must be a JSON object' };
  }
  const req = msg as Record<string, unknown>;
  const id: RequestId = isId(req.id) ? req.id : null;
  try {
    switch (req.op) {
      case 'ping':
        return { id, ok: true, pong: true, pid: process.pid };
      case 'version': {
        const isl = await nodeIsl();
        return { id, ok: true, version: COMPILER_VERSION, isl: isl !== undefined, pid: process.pid };
      }
      case 'warm':
        return { id, ok: true, warm: true, ms: await warmUp(() => waiting > 0), pid: process.pid };
      case 'compile': {
        if (typeof req.source !== 'string') return { id, ok: false, error: 'compile: "source" must be a string' };
        const fileName = typeof req.fileName === 'string' && req.fileName ? req.fileName : 'cell.py';
        let targets: Target[] = ALL_TARGETS;
        if (req.targets !== undefined) {
          if (!Array.isArray(req.targets) || req.targets.some((t) => !ALL_TARGETS.includes(t as Target))) {
            return { id, ok: false, error: `compile: "targets" must be a list of ${ALL_TARGETS.join(', ')}` };
          }
          targets = req.targets as Target[];
        }
        // the kernel sends the mode it resolved; without one, the service's environment decides
        const numerics = req.numerics === undefined ? hostNumerics(null) : parseNumerics(req.numerics);
        if (numerics === null) return { id, ok: false, error: 'compile: "numerics" must be "exact" or "close"' };
        const [parser, isl] = await Promise.all([nodeParser(), nodeIsl()]);
        const start = performance.now();
        const result = compileSource(parser, req.source, { fileName, targets, isl, numerics });
        const ms = Math.round((performance.now() - start) * 100) / 100;
        if (!result.ok) return { id, ok: false, diagnostics: result.diagnostics.map(toWire), ms, compiler: COMPILER_VERSION };
        return { id, ok: true, module: result.module, report: result.report, ms, compiler: COMPILER_VERSION };
      }
      default:
        return { id, ok: false, error: `unknown op ${JSON.stringify(req.op)} (expected compile, warm, ping or version)` };
    }
  } catch (e) {
    const err = e as Error;
    return { id, ok: false, error: `internal error: ${err?.message ?? String(e)}` };
  }
}

/** Serves requests from stdin until it closes; resolves with the exit status. */
export function serve(): Promise<number> {
  // warm up in the background so the first compile does not pay for loading
  void nodeParser().catch(() => undefined);
  void nodeIsl();
  process.stdout.on('error', () => process.exit(0)); // the client went away
  const rl = createInterface({ input: process.stdin, crlfDelay: Infinity });
  let queue: Promise<void> = Promise.resolve();
  rl.on('line', (line) => {
    if (!line.trim()) return;
    waiting += 1;
    // one request at a time, in order: compiles are synchronous anyway
    queue = queue.then(async () => {
      waiting -= 1;
      const reply = await handleLine(line);
      process.stdout.write(`${JSON.stringify(reply)}\n`);
    });
  });
  return new Promise((resolve) => {
    rl.on('close', () => {
      void queue.then(() => resolve(0));
    });
  });
}
