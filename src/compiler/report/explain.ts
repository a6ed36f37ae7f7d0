// `polyray explain`: the report, for people.
import type { Report } from './report.js';

export function explainReport(r: Report): string {
  const out: string[] = [];
  if (r.functions.length === 0) out.push(`${r.file}: no top-level functions`);
  for (const f of r.functions) {
    const status = f.accelerated ? `accelerated; variants: ${f.variants.join(', ')}` : 'not accelerated (original only)';
    out.push(`${r.file}:${f.line}: ${f.name}: ${status}`);
    // reports written before the modes existed have no field: they were exact
    const mode = f.numerics ?? 'exact';
    const meaning = !f.accelerated ? 'the original runs'
      : mode === 'close' ? (f.closeNotes?.length ? 'results may differ from the original\'s by floating-point rounding only, within the bounds below' : 'nothing in it is computed differently from the original')
        : 'bit for bit the original\'s results';
    out.push(`    numerics: ${mode} (${meaning})`);
    for (const n of f.closeNotes ?? []) out.push(`    line ${n.line}: ${n.operation}: ${n.bound}`);
    for (const p of f.params) {
      const shape = p.kind === 'array' ? ` ${p.dtype ?? 'any dtype'}, ${p.ndim ?? 'any'}-d${p.written ? ', written' : ''}` : '';
      // a scalar hinted with a NumPy scalar type: `numpy float32`
      out.push(`    param ${p.name}: ${p.kind !== 'array' && p.dtype ? `numpy ${p.dtype}` : p.kind}${shape}`);
    }
    for (const l of f.loops) {
      out.push(`    line ${l.line}: for ${l.var}: ${l.parallel ? 'parallel' : 'sequential'} - ${l.reason}`);
    }
    for (const t of f.transformations) out.push(`    transformation: ${t}`);
    for (const d of f.diagnostics) out.push(`    ${r.file}:${d.line}:${d.col}: ${d.severity}: ${d.message}`);
  }
  return out.join('\n') + '\n';
}
