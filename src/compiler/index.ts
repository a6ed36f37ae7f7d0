// Public API of the compiler library (no Node or browser specifics).
export { compileSource, ALL_TARGETS, type CompileOptions, type CompileResult, type Target } from './pipeline.js';
export { createPythonParser, type GrammarBinaries, type PythonParser } from './parse/index.js';
export { explainReport } from './report/explain.js';
export type { Report, ReportFunction, ReportLoop, ReportDiagnostic } from './report/report.js';
export { formatDiagnostic, type Diagnostic } from './diagnostics.js';
export { COMPILER_VERSION } from './version.js';
export { DEFAULT_NUMERICS, NUMERICS_MODES, parseNumerics, ULP_BOUNDS, type CloseNote, type Numerics } from './numerics.js';
