// Loads web-tree-sitter and the tree-sitter-python grammar from bytes the host
// provides, so the same code runs in Node (bytes read from node_modules) and in
// the browser (bytes fetched from bundled assets). No fs, no fetch here.
import { Language, Parser } from 'web-tree-sitter';

export interface GrammarBinaries {
  /** Contents of web-tree-sitter's tree-sitter.wasm. */
  runtimeWasm: Uint8Array;
  /** Contents of tree-sitter-python's tree-sitter-python.wasm. */
  pythonWasm: Uint8Array;
}

export type PythonParser = Parser;

let ready: Promise<Language> | null = null;

/** Initializes tree-sitter once per process/page and returns a fresh parser. */
export async function createPythonParser(binaries: GrammarBinaries): Promise<PythonParser> {
  if (!ready) {
    ready = (async () => {
      await Parser.init({ wasmBinary: binaries.runtimeWasm });
      return Language.load(binaries.pythonWasm);
    })();
  }
  const language = await ready;
  const parser = new Parser();
  parser.setLanguage(language);
  return parser;
}
