// Hostile and broken input: the compiler never throws or hangs; what it does
// not handle it reports with a line and column, and the function keeps its
// original version.
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { loadIslNode } from 'isl-wasm/node';
import { compileSource, type CompileResult } from '../../src/compiler/index.js';
import { testParser } from './helpers.js';

const islCtx = loadIslNode().then((isl) => isl.context());
const dir = fileURLToPath(new URL('../kernels/polybench/', import.meta.url));

async function compileTimed(src: string): Promise<{ r: CompileResult; ms: number }> {
  const t0 = performance.now();
  const r = compileSource(await testParser(), src, { fileName: 'hostile.py', isl: await islCtx });
  return { r, ms: performance.now() - t0 };
}

function wellFormed(r: CompileResult): void {
  if (!r.ok) {
    assert.ok(r.diagnostics.length > 0);
    for (const d of r.diagnostics) assert.ok(d.span.from.line >= 1 && d.span.from.col >= 1);
    return;
  }
  for (const f of r.report.functions) {
    if (!f.accelerated) assert.ok(f.diagnostics.length > 0, `${f.name}: not accelerated without a reason`);
    for (const d of f.diagnostics) assert.ok(d.line >= 1 && d.col >= 1);
  }
}

test('truncated and mutated PolyBench sources never crash the compiler', async () => {
  let rng = 12345;
  const rand = (n: number): number => ((rng = (rng * 1103515245 + 12345) % 2 ** 31), rng % n);
  const files = readdirSync(dir).filter((f) => f.endsWith('.py') && f !== 'specs.py');
  const mutations = ['', ')', '(', ':', '[', ']', '    ', '\n', 'for ', ' in range(', '-1', '*', 'j', '"', '#', 'é😀', '\t'];
  let parsed = 0;
  for (const f of files) {
    const src = readFileSync(dir + f, 'utf8');
    for (let k = 0; k < 6; k++) {
      const at = rand(src.length);
      const mutated = k === 0 ? src.slice(0, at) : src.slice(0, at) + mutations[rand(mutations.length)] + src.slice(at + rand(4));
      const { r } = await compileTimed(mutated);
      wellFormed(r);
      if (r.ok) parsed++;
    }
  }
  assert.ok(parsed > 0);
});

test('deep nesting, huge literals, unusual unicode and thousands of statements', async () => {
  const deep = `def f(x: float) -> float:\n    return ${'('.repeat(400)}x${' + 1.0)'.repeat(400)}\n`;
  const huge = `import numpy as np\nimport numpy.typing as npt\ndef g(A: npt.NDArray[np.float64], n: int) -> None:\n    for i in range(n):\n        A[i] = ${'9'.repeat(400)}\n        A[i] += 1e999\n`;
  const unicode = `import numpy as np\nimport numpy.typing as npt\ndef ünïcödé_ƒ(Ä: npt.NDArray[np.float64], ñ: int) -> None:\n    for ī in range(ñ):\n        Ä[ī] = Ä[ī] * 2.0  # 😀 ‮ comment\n`;
  const many = `import numpy as np\nimport numpy.typing as npt\ndef h(A: npt.NDArray[np.float64], n: int) -> None:\n${Array.from({ length: 3000 }, (_, k) => `    A[${k % 7}] = A[${(k + 1) % 7}] + ${k}.0\n`).join('')}`;
  for (const src of [deep, huge, unicode, many]) {
    const { r, ms } = await compileTimed(src);
    wellFormed(r);
    assert.ok(r.ok);
    assert.ok(ms < 20_000, `took ${ms} ms`);
  }
  const u = (await compileTimed(unicode)).r;
  assert.ok(u.ok && u.report.functions[0].accelerated && u.report.functions[0].loops[0].parallel);
});
