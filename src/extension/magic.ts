// Pure helpers shared by the executor, the worker and "Accelerate notebook":
// how a `%%parallelize` cell is recognized, which text the kernel hashes, and
// the "kernel source" the magic compiles (python-bridge/polyray/magic.py).
// No DOM, no JupyterLab: unit-tested in Node (test/ts/extension-magic.test.ts).

export const MAGIC = 'parallelize';

/** Lines split the way Python's str.splitlines(keepends=True) does for \n and \r\n. */
function linesKeepEnds(text: string): string[] {
  const out: string[] = [];
  let start = 0;
  for (let k = 0; k < text.length; k++) {
    if (text[k] === '\n') {
      out.push(text.slice(start, k + 1));
      start = k + 1;
    }
  }
  if (start < text.length) out.push(text.slice(start));
  return out;
}

const isBlank = (line: string): boolean => /^\s*$/.test(line);

/** The `%%parallelize` line (without newline) if the cell is one, else null. */
export function magicLine(source: string): string | null {
  const first = linesKeepEnds(source).find((l) => !isBlank(l));
  if (first === undefined) return null;
  const line = first.replace(/\r?\n$/, '');
  return new RegExp(`^%%${MAGIC}(\\s|$)`).test(line) ? line : null;
}

export function isParallelizeCell(source: string): boolean {
  return magicLine(source) !== null;
}

/** The flags on the magic line, e.g. {target: 'ray'} for `%%parallelize --target ray`. */
export function magicFlags(source: string): { target?: string; cluster?: string; numerics?: string } {
  const line = magicLine(source);
  if (line === null) return {};
  const words = line.trim().split(/\s+/).slice(1);
  const out: { target?: string; cluster?: string; numerics?: string } = {};
  for (let k = 0; k < words.length; k++) {
    const w = words[k]!;
    const [flag, inline] = w.includes('=') ? [w.slice(0, w.indexOf('=')), w.slice(w.indexOf('=') + 1)] : [w, undefined];
    if (flag === '--target' || flag === '--cluster' || flag === '--numerics') {
      const value = inline ?? words[++k];
      if (value !== undefined) out[flag.slice(2) as 'target' | 'cluster' | 'numerics'] = value;
    }
  }
  return out;
}

/**
 * The cell body IPython hands to the magic: the cell with a final newline
 * ensured, leading blank lines dropped, and the magic line removed
 * (IPython's TransformerManager: leading_empty_lines, then cell_magic).
 * The kernel hashes exactly this text.
 */
export function cellBody(source: string): string {
  const text = source.endsWith('\n') ? source : `${source}\n`;
  const lines = linesKeepEnds(text);
  let k = 0;
  while (k < lines.length && isBlank(lines[k]!)) k++;
  return lines.slice(k + 1).join('');
}

/** The text of the SHA-256 the magic checks: COMPILER_VERSION + "\n" + body. */
export function handoverText(compilerVersion: string, body: string): string {
  return `${compilerVersion}\n${body}`;
}

/** The hand-over's SHA-256 (hex) of `handoverText` (crypto.subtle: the page and the Worker alike). */
export async function handoverSha256(compilerVersion: string, body: string): Promise<string> {
  const digest = await crypto.subtle.digest('SHA-256', new TextEncoder().encode(handoverText(compilerVersion, body)));
  return Array.from(new Uint8Array(digest), (b) => b.toString(16).padStart(2, '0')).join('');
}

/** Body with top-level IPython syntax (`%line magic`, `!shell`) blanked, so tree-sitter can parse it. */
export function blankIPythonLines(body: string): string {
  return body
    .split('\n')
    .map((l) => (/^[%!]/.test(l) ? '' : l))
    .join('\n');
}

/** The part of a tree-sitter node the kernel-source computation needs. */
export interface TopLevelNode {
  type: string;
  startRow: number; // 0-based
  endRow: number; // 0-based, inclusive
  /** For decorated_definition: the type of the definition; for function_definition: whether async. */
  definitionType?: string;
  isAsync?: boolean;
}

/** Whether magic.py's kernel_source keeps a top-level statement (Import, ImportFrom, FunctionDef). */
export function keptStatement(node: TopLevelNode): boolean | null {
  switch (node.type) {
    case 'comment':
      return null; // not a statement in Python's ast: neither kept nor dropped
    case 'import_statement':
    case 'import_from_statement':
    case 'future_import_statement':
      return true;
    case 'function_definition':
      return !node.isAsync;
    case 'decorated_definition':
      return node.definitionType === 'function_definition' && !node.isAsync;
    default:
      return false;
  }
}

/**
 * magic.py's kernel_source, from the top-level statements of the body: the
 * lines of imports and (non-async) defs kept, every other line empty, plus one
 * empty line in front for the `%%parallelize` line.
 */
export function kernelSource(body: string, statements: TopLevelNode[]): string {
  const lines = body.split('\n');
  const keep = new Array<boolean>(lines.length).fill(false);
  const drop = new Array<boolean>(lines.length).fill(false);
  for (const node of statements) {
    const kept = keptStatement(node);
    if (kept === null) continue;
    const mark = kept ? keep : drop;
    for (let k = node.startRow; k <= Math.min(node.endRow, lines.length - 1); k++) mark[k] = true;
  }
  const out = lines.map((line, k) => (keep[k] && !drop[k] ? line : ''));
  return ['', ...out].join('\n');
}

/** Prepends the magic line to a cell ("Accelerate notebook"). */
export function addMagic(source: string): string {
  return `%%${MAGIC}\n${source}`;
}

/** Removes a leading `%%parallelize` line that addMagic added (exact inverse). */
export function removeMagic(source: string): string {
  const prefix = `%%${MAGIC}\n`;
  return source.startsWith(prefix) ? source.slice(prefix.length) : source;
}
