// The extension's settings (schema/plugin.json), with their defaults.
export interface PolyraySettings {
  clusterAddress: string;
  defaultTarget: 'auto' | 'original' | 'cpu' | 'gpu' | 'ray';
  /** The numerics mode cells compile for, below the magic's --numerics and POLYRAY_NUMERICS (kernel side). */
  numerics: 'close' | 'exact';
  autoMayTime: boolean;
  /** Calls wait for their variant to compile (else they run the original meanwhile; kernel side: runtime/background.py). */
  waitForJit: boolean;
  /** The original is timed on a copy, for the speedup, when predicted under this (kernel side: runtime/speedup.py). */
  timeOriginalBelowSeconds: number;
  /** A %%parallelize cell waits this long for the Worker's compile, then runs as written (issue 19; kernel: cell_compiles.py). */
  compileBudgetSeconds: number;
  showGeneratedCode: boolean;
  compileTimeLimitSeconds: number;
}

export const DEFAULT_SETTINGS: PolyraySettings = {
  clusterAddress: '',
  defaultTarget: 'auto',
  numerics: 'close',
  autoMayTime: true,
  waitForJit: false,
  timeOriginalBelowSeconds: 1,
  compileBudgetSeconds: 0.2,
  showGeneratedCode: false,
  compileTimeLimitSeconds: 20,
};

/** Settings from the registry's composite object, unknown or invalid values replaced by defaults. */
export function readSettings(composite: Record<string, unknown> | null | undefined): PolyraySettings {
  const c = composite ?? {};
  const targets = ['auto', 'original', 'cpu', 'gpu', 'ray'];
  return {
    clusterAddress: typeof c.clusterAddress === 'string' ? c.clusterAddress.trim() : DEFAULT_SETTINGS.clusterAddress,
    defaultTarget: targets.includes(c.defaultTarget as string)
      ? (c.defaultTarget as PolyraySettings['defaultTarget']) : DEFAULT_SETTINGS.defaultTarget,
    numerics: c.numerics === 'exact' || c.numerics === 'close' ? c.numerics : DEFAULT_SETTINGS.numerics,
    autoMayTime: typeof c.autoMayTime === 'boolean' ? c.autoMayTime : DEFAULT_SETTINGS.autoMayTime,
    waitForJit: typeof c.waitForJit === 'boolean' ? c.waitForJit : DEFAULT_SETTINGS.waitForJit,
    timeOriginalBelowSeconds: typeof c.timeOriginalBelowSeconds === 'number' && c.timeOriginalBelowSeconds >= 0
      ? c.timeOriginalBelowSeconds : DEFAULT_SETTINGS.timeOriginalBelowSeconds,
    compileBudgetSeconds: typeof c.compileBudgetSeconds === 'number' && c.compileBudgetSeconds >= 0
      ? c.compileBudgetSeconds : DEFAULT_SETTINGS.compileBudgetSeconds,
    showGeneratedCode: typeof c.showGeneratedCode === 'boolean' ? c.showGeneratedCode : DEFAULT_SETTINGS.showGeneratedCode,
    compileTimeLimitSeconds: typeof c.compileTimeLimitSeconds === 'number' && c.compileTimeLimitSeconds >= 1
      ? c.compileTimeLimitSeconds : DEFAULT_SETTINGS.compileTimeLimitSeconds,
  };
}

/** A validation error as JupyterLab's setting registry reports it (ajv's shape). */
interface SettingError {
  instancePath?: string;
  dataPath?: string;
  keyword?: string;
  message?: string;
  params?: Record<string, unknown>;
}

/**
 * The message shown when the setting registry refuses our settings: it throws
 * the schema's validation errors (schema/plugin.json) from `load()`, and the
 * plugin then runs on the defaults. Names each bad setting the registry reports
 * (its validator stops at the first one) and what it must be.
 */
export function settingsErrorMessage(errors: unknown): string {
  // the most important part first: JupyterLab's toasts show 140 characters (the rest is in the notification list)
  const tail = 'using the defaults (fix in Settings → Settings Editor → Polyray).';
  if (!Array.isArray(errors) || errors.length === 0) {
    const why = errors instanceof Error ? errors.message : String(errors);
    return `Polyray: settings not loaded (${why}); ${tail}`;
  }
  const parts: string[] = [];
  for (const e of errors as SettingError[]) {
    if (typeof e !== 'object' || e === null) continue;
    const path = (e.instancePath ?? e.dataPath ?? '').replace(/^[/.]/, '').replace(/\//g, '.');
    const params = e.params ?? {};
    const name = e.keyword === 'additionalProperties' && typeof params.additionalProperty === 'string'
      ? params.additionalProperty : path || '(settings file)';
    let what = e.message ?? 'is invalid';
    if (e.keyword === 'enum' && Array.isArray(params.allowedValues)) what = `must be one of ${params.allowedValues.map((v) => JSON.stringify(v)).join(', ')}`;
    else if (e.keyword === 'additionalProperties') what = 'is not a Polyray setting';
    const part = `${name} ${what}`;
    if (!parts.includes(part)) parts.push(part);
  }
  return `Polyray: invalid setting ${parts.join('; ') || '(the schema check failed)'}; ${tail}`;
}

/**
 * The message for user settings the server refused, or null. jupyterlab_server
 * validates the user's settings file against the schema before the browser sees
 * it; a file that fails is dropped with a warning in the server's log only, and
 * the browser gets its placeholder raw text "{}" together with the file's
 * times. So a plugin that arrives with raw exactly "{}" and a last_modified
 * time had a settings file that was refused (the registry itself writes
 * annotated text, never a bare "{}", so only a hand-written "{}" looks alike).
 * The server does not pass on which setting failed; its log names it.
 */
export function refusedSettingsMessage(plugin: { raw?: unknown; last_modified?: unknown } | null | undefined): string | null {
  if (!plugin || plugin.raw !== '{}' || typeof plugin.last_modified !== 'string' || !plugin.last_modified) return null;
  return 'Polyray: your settings file was refused (a value does not match the schema; the Jupyter server log names it); '
    + 'using the defaults (fix in Settings → Settings Editor → Polyray).';
}
