// The extension's ids (the contract of ARCHITECTURE.md "JupyterLab ids").
export const PLUGIN_ID = 'polyray:plugin';
export const EXECUTOR_PLUGIN_ID = 'polyray:cell-executor';
export const SIDEBAR_ID = 'polyray-sidebar';

export namespace CommandIDs {
  export const accelerate = 'polyray:accelerate-notebook';
  export const revert = 'polyray:revert-acceleration';
  export const rerun = 'polyray:rerun-on-cluster';
  export const openSidebar = 'polyray:open-sidebar';
}
