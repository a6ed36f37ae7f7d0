// The extension's settings (schema/plugin.json), with their defaults.
export interface PolyraySettings {
  clusterAddress: string;
  defaultTarget: 'auto' | 'original' | 'cpu' | 'gpu' | 'ray';
  autoMayTime: boolean;
  showGeneratedCode: boolean;
  compileTimeLimitSeconds: number;
}

export const DEFAULT_SETTINGS: PolyraySettings = {
  clusterAddress: '',
  defaultTarget: 'auto',
  autoMayTime: true,
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
    autoMayTime: typeof c.autoMayTime === 'boolean' ? c.autoMayTime : DEFAULT_SETTINGS.autoMayTime,
    showGeneratedCode: typeof c.showGeneratedCode === 'boolean' ? c.showGeneratedCode : DEFAULT_SETTINGS.showGeneratedCode,
    compileTimeLimitSeconds: typeof c.compileTimeLimitSeconds === 'number' && c.compileTimeLimitSeconds >= 1
      ? c.compileTimeLimitSeconds : DEFAULT_SETTINGS.compileTimeLimitSeconds,
  };
}
