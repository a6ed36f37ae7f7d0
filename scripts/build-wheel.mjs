// `npm run wheel`: the Python package that carries the whole product
// (dist/polyray-<version>-py3-none-any.whl and dist/polyray-<version>.tar.gz).
//
//   1. the versions agree (package.json, src/compiler/version.ts, polyray.__version__,
//      the labextension's package.json): one number everywhere;
//   2. the compiler CLI (src/cli/main.ts and all it imports) is bundled by esbuild
//      into ONE ES module, python-bridge/polyray/_compiler/polyray.mjs, with the three
//      WebAssembly files beside it (src/cli/grammar-files.ts looks there first); no
//      source map, so no local path travels;
//   3. hatchling (python-bridge/pyproject.toml) builds the sdist and the wheel from
//      python-bridge, in the .venv (no build isolation: hatchling is pinned there);
//   4. scripts/check_wheel.py refuses test files, source maps naming local paths and
//      anything above 40 MB.
// The prebuilt labextension must exist (npm run build:ext, which the set-up runs).
import { execFileSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, readFileSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const require = createRequire(join(root, 'package.json'));
const bridge = join(root, 'python-bridge');
const outDir = join(bridge, 'polyray', '_compiler');
const dist = join(root, 'dist');
const python = process.env.POLYRAY_PYTHON ?? join(root, '.venv', 'bin', 'python');

function fail(message) {
  process.stderr.write(`wheel: ${message}\n`);
  process.exit(1);
}

// 1. one version number
const versions = {
  'package.json': JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')).version,
  'src/compiler/version.ts': /COMPILER_VERSION\s*=\s*'([^']+)'/.exec(readFileSync(join(root, 'src/compiler/version.ts'), 'utf8'))?.[1],
  'python-bridge/polyray/__init__.py': /__version__\s*=\s*"([^"]+)"/.exec(readFileSync(join(bridge, 'polyray/__init__.py'), 'utf8'))?.[1],
};
const labPackage = join(bridge, 'polyray', 'labextension', 'package.json');
if (!existsSync(labPackage)) fail('the prebuilt labextension is missing: run `npm run build:ext` (or `npm run setup`) first');
versions['polyray/labextension/package.json'] = JSON.parse(readFileSync(labPackage, 'utf8')).version;
if (new Set(Object.values(versions)).size !== 1) {
  fail(`the versions disagree: ${Object.entries(versions).map(([f, v]) => `${f} ${v}`).join(', ')}`);
}
const version = versions['package.json'];

// 2. the CLI in one file, its WebAssembly beside it
rmSync(outDir, { recursive: true, force: true });
mkdirSync(outDir, { recursive: true });
await build({
  stdin: {
    contents: "import { main } from './src/cli/main.ts';\nmain(process.argv.slice(2)).then((code) => { process.exitCode = code; });\n",
    resolveDir: root,
    sourcefile: 'polyray-cli.ts',
    loader: 'ts',
  },
  bundle: true,
  platform: 'node',
  format: 'esm',
  target: 'node20',
  outfile: join(outDir, 'polyray.mjs'),
  sourcemap: false,
  legalComments: 'eof',
  logLevel: 'warning',
  // CommonJS dependencies call require() for Node built-ins; an ES module has none of its own
  banner: { js: "#!/usr/bin/env node\nimport { createRequire as __polyrayCreateRequire } from 'node:module';\nconst require = __polyrayCreateRequire(import.meta.url);" },
});
const assets = {
  'tree-sitter.wasm': 'web-tree-sitter/tree-sitter.wasm',
  'tree-sitter-python.wasm': 'tree-sitter-python/tree-sitter-python.wasm',
  'isl.wasm': 'isl-wasm/dist/isl.wasm',
};
for (const [name, specifier] of Object.entries(assets)) copyFileSync(require.resolve(specifier), join(outDir, name));

// 3. sdist and wheel
mkdirSync(dist, { recursive: true });
for (const old of [`polyray-${version}-py3-none-any.whl`, `polyray-${version}.tar.gz`]) rmSync(join(dist, old), { force: true });
execFileSync(python, ['-c', [
  'import sys, hatchling.build as b',
  'print(b.build_sdist(sys.argv[1]))',
  'print(b.build_wheel(sys.argv[1]))',
].join('\n'), dist], { cwd: bridge, stdio: ['ignore', 'inherit', 'inherit'] });

// 4. what must never ship
const wheel = join(dist, `polyray-${version}-py3-none-any.whl`);
execFileSync(python, [join(root, 'scripts', 'check_wheel.py'), wheel, join(dist, `polyray-${version}.tar.gz`)], { stdio: 'inherit' });
process.stdout.write(`wheel: ${wheel}\n`);
