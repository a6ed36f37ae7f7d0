// The polyray CLI: a thin Node host over the compiler library. Exit status 0
// on success, 1 on usage or I/O errors, 2 when the source does not parse
// (with FILE:LINE:COL: error: ... on stderr), never a stack trace.
import { readFile, rename, writeFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { COMPILER_VERSION, compileSource, explainReport, formatDiagnostic } from '../compiler/index.js';
import { parseArgs, USAGE, UsageError } from './args.js';
import { hostNumerics } from './numerics.js';
import { precompile } from './precompile.js';
import { nodeIsl, nodeParser } from './node-host.js';

/** Writes through a temporary file and a rename, so a failed write never leaves half a file. */
async function writeAtomically(path: string, text: string): Promise<void> {
  const tmp = `${path}.polyray-tmp-${process.pid}`;
  await writeFile(tmp, text, 'utf8');
  await rename(tmp, path);
}

export async function main(argv: string[]): Promise<number> {
  try {
    const cmd = parseArgs(argv);
    if (cmd.kind === 'help') {
      process.stdout.write(`${USAGE}\n`);
      return 0;
    }
    if (cmd.kind === 'version') {
      process.stdout.write(`polyray ${COMPILER_VERSION}\n`);
      return 0;
    }
    if (cmd.kind === 'serve') return await (await import('../service/server.js')).serve();
    let source: string;
    try {
      source = await readFile(cmd.input, 'utf8');
    } catch (e) {
      process.stderr.write(`polyray: cannot read ${cmd.input}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}\n`);
      return 1;
    }
    if (cmd.kind === 'compile' && [cmd.output, cmd.report].some((p) => p !== null && resolve(p) === resolve(cmd.input))) {
      process.stderr.write(`polyray: refusing to overwrite the input file ${cmd.input}\n`);
      return 1;
    }
    const result = compileSource(await nodeParser(), source, {
      fileName: cmd.input,
      targets: cmd.kind === 'compile' ? cmd.targets : undefined,
      isl: await nodeIsl(),
      numerics: hostNumerics(cmd.numerics),
    });
    if (!result.ok) {
      for (const d of result.diagnostics) process.stderr.write(`${formatDiagnostic(cmd.input, d)}\n`);
      return 2;
    }
    if (cmd.kind === 'explain') {
      process.stdout.write(cmd.json ? `${JSON.stringify(result.report, null, 2)}\n` : explainReport(result.report));
      return 0;
    }
    await writeAtomically(cmd.output, result.module);
    if (cmd.report) await writeAtomically(cmd.report, `${JSON.stringify(result.report, null, 2)}\n`);
    if (cmd.precompile) return precompile(cmd.output);
    return 0;
  } catch (e) {
    if (e instanceof UsageError) {
      process.stderr.write(`polyray: ${e.message}\n${USAGE}\n`);
      return 1;
    }
    const err = e as NodeJS.ErrnoException;
    process.stderr.write(`polyray: ${err.code ? `${err.code}: ` : 'internal error: '}${err.message}\n`);
    return err.code ? 1 : 70;
  }
}
