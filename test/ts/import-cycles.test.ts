// The modules under src/ import one another one way: no cycle, counting type-only
// imports and dynamic `import()` too (issue 17, "Structure"). A cycle makes the
// stages' order a matter of evaluation order and hides which module owns a type;
// types shared by several stages live in a module of their own (stage-types.ts,
// types/typed-function.ts, poly/slice-refs.ts, cli/node-host.ts).
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';

const SRC = resolve(dirname(fileURLToPath(import.meta.url)), '../../src');

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((d) => {
    const p = join(dir, d.name);
    return d.isDirectory() ? sourceFiles(p) : /\.tsx?$/.test(d.name) && !d.name.endsWith('.d.ts') ? [p] : [];
  });
}

/** The relative imports of each file (static, type-only, re-exports and `import()`), as files of the set. */
function importGraph(files: string[]): Map<string, string[]> {
  const known = new Set(files);
  const graph = new Map<string, string[]>();
  for (const f of files) {
    const info = ts.preProcessFile(readFileSync(f, 'utf8'), true, true);
    const deps = info.importedFiles
      .map((i) => i.fileName)
      .filter((name) => name.startsWith('.'))
      .map((name) => resolve(dirname(f), name).replace(/\.js$/, ''))
      .flatMap((base) => [`${base}.ts`, `${base}.tsx`, join(base, 'index.ts')].filter((c) => known.has(c)).slice(0, 1));
    graph.set(f, [...new Set(deps)]);
  }
  return graph;
}

/** Every cycle's files, as strongly connected components of more than one file or a file importing itself (Tarjan). */
function cycles(graph: Map<string, string[]>): string[][] {
  let next = 0;
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const onStack = new Set<string>();
  const found: string[][] = [];
  const visit = (v: string): void => {
    index.set(v, next);
    low.set(v, next++);
    stack.push(v);
    onStack.add(v);
    for (const w of graph.get(v) ?? []) {
      if (!index.has(w)) {
        visit(w);
        low.set(v, Math.min(low.get(v)!, low.get(w)!));
      } else if (onStack.has(w)) {
        low.set(v, Math.min(low.get(v)!, index.get(w)!));
      }
    }
    if (low.get(v) === index.get(v)) {
      const scc: string[] = [];
      let w: string;
      do {
        w = stack.pop()!;
        onStack.delete(w);
        scc.push(w);
      } while (w !== v);
      if (scc.length > 1 || (graph.get(v) ?? []).includes(v)) found.push(scc.sort());
    }
  };
  for (const v of graph.keys()) if (!index.has(v)) visit(v);
  return found;
}

test('no import cycle among the modules under src/', () => {
  const files = sourceFiles(SRC);
  assert.ok(files.length > 50, `found only ${files.length} files under ${SRC}`);
  const found = cycles(importGraph(files)).map((c) => c.map((f) => relative(SRC, f)).join(' -> '));
  assert.deepEqual(found, [], `import cycles:\n${found.join('\n')}`);
});

test('the cycle finder sees static, type-only, re-export and dynamic imports', () => {
  const g = new Map([
    ['a', ['b']],
    ['b', ['c']],
    ['c', ['a']],
    ['d', ['d']],
    ['e', ['a']],
  ]);
  assert.deepEqual(cycles(g), [['a', 'b', 'c'], ['d']]);
  assert.deepEqual(cycles(new Map([['a', ['b']], ['b', []]])), []);
  // preProcessFile reports each kind of import the graph must count
  const kinds = ts.preProcessFile(
    "import type { A } from './a.js';\nexport { B } from './b.js';\nconst m = await import('./c.js');\nimport './d.js';\n",
    true,
    true,
  ).importedFiles.map((i) => i.fileName);
  assert.deepEqual(kinds, ['./a.js', './b.js', './c.js', './d.js']);
});
