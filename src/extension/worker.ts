// The compile Worker: the same compiler the CLI uses (src/compiler), with
// web-tree-sitter, tree-sitter-python and isl-wasm loaded from the
// labextension's static assets (webpack emits the three .wasm files from the
// `new URL(..., import.meta.url)` below). Compiling here keeps the page responsive.
import { compileSource, COMPILER_VERSION, createPythonParser, DEFAULT_NUMERICS, type Numerics, type PythonParser } from '../compiler/index.js';
import { loadIsl, type IslContext } from 'isl-wasm';
import { blankIPythonLines, cellBody, handoverSha256, kernelSource } from './magic.js';
import { topLevel } from './top-level.js';
import type { CompileFailed, CompileOk, WorkerReply, WorkerRequest } from './protocol.js';

const RUNTIME_WASM = new URL('../../node_modules/web-tree-sitter/tree-sitter.wasm', import.meta.url);
const PYTHON_WASM = new URL('../../node_modules/tree-sitter-python/tree-sitter-python.wasm', import.meta.url);
const ISL_WASM = new URL('../../isl-wasm/dist/isl.wasm', import.meta.url);

interface Loaded {
  parser: PythonParser;
  isl: IslContext;
}

let loading: Promise<Loaded> | null = null;
let loadMs = 0;

async function bytes(url: URL): Promise<Uint8Array> {
  const res = await fetch(url);
  if (!res.ok) throw new Error(`cannot fetch ${url.pathname}: HTTP ${res.status}`);
  return new Uint8Array(await res.arrayBuffer());
}

function load(): Promise<Loaded> {
  if (!loading) {
    loading = (async () => {
      const t0 = performance.now();
      const [runtimeWasm, pythonWasm, islWasm] = await Promise.all([bytes(RUNTIME_WASM), bytes(PYTHON_WASM), bytes(ISL_WASM)]);
      const [parser, isl] = await Promise.all([createPythonParser({ runtimeWasm, pythonWasm }), loadIsl({ wasmBinary: islWasm })]);
      loadMs = performance.now() - t0;
      return { parser, isl: isl.context() };
    })();
    loading.catch(() => { loading = null; });
  }
  return loading;
}

async function compile(cell: string, hasMagic: boolean, id: number, numerics: Numerics = DEFAULT_NUMERICS): Promise<CompileOk | CompileFailed> {
  const { parser, isl } = await load();
  const body = hasMagic ? cellBody(cell) : (cell.endsWith('\n') ? cell : `${cell}\n`);
  const sha256 = await handoverSha256(COMPILER_VERSION, body);
  const parseable = blankIPythonLines(body);
  const t0 = performance.now();
  const { nodes, hasError } = topLevel(parser, parseable);
  // A body that does not parse: compile it whole (like magic.py's syntax report) for the diagnostics.
  const source = hasError ? `\n${parseable}` : kernelSource(parseable, nodes);
  const result = compileSource(parser, source, { fileName: 'cell.py', isl, numerics });
  const ms = performance.now() - t0;
  const common = { id, sha256, compiler: COMPILER_VERSION, ms, loadMs, inWorker: typeof window === 'undefined', numerics };
  if (!result.ok) {
    const diagnostics = result.diagnostics.map((d) => ({
      line: d.span.from.line, col: d.span.from.col, endLine: d.span.to.line, endCol: d.span.to.col,
      severity: d.severity, message: d.message,
    }));
    return { ...common, ok: false, diagnostics };
  }
  if (hasError) return { ...common, ok: false, diagnostics: result.report.diagnostics };
  return { ...common, ok: true, module: result.module, report: result.report };
}

const scope = self as unknown as {
  onmessage: ((e: MessageEvent<WorkerRequest>) => void) | null;
  postMessage(m: WorkerReply): void;
};

scope.onmessage = (e) => {
  const req = e.data;
  void (async () => {
    try {
      if (req.op === 'warm') {
        await load();
        scope.postMessage({ id: req.id, ok: true, warm: true, compiler: COMPILER_VERSION, loadMs, inWorker: true });
      } else {
        scope.postMessage(await compile(req.cell, req.hasMagic, req.id, req.numerics === 'exact' ? 'exact' : DEFAULT_NUMERICS));
      }
    } catch (err) {
      scope.postMessage({
        id: req.id, ok: false, diagnostics: [], sha256: '', compiler: COMPILER_VERSION,
        error: String((err as Error)?.message ?? err), ms: 0, loadMs, inWorker: true,
      });
    }
  })();
};
