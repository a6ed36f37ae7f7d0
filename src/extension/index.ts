// Plugin wiring only: the cell executor (replacing
// @jupyterlab/notebook-extension:cell-executor, disabled in package.json) and
// polyray:plugin (settings, sidebar, commands, kernel bridges).
import { ILayoutRestorer, type JupyterFrontEnd, type JupyterFrontEndPlugin } from '@jupyterlab/application';
import { ICommandPalette, Notification } from '@jupyterlab/apputils';
import { INotebookCellExecutor, INotebookTracker, type NotebookPanel } from '@jupyterlab/notebook';
import { ISettingRegistry } from '@jupyterlab/settingregistry';
import { LabIcon } from '@jupyterlab/ui-components';
import { accelerateNotebook, canRevert, rerunOnCluster, revertAcceleration } from './commands.js';
import { PolyrayEngine } from './engine.js';
import { PolyrayCellExecutor } from './executor.js';
import { DEFAULT_SETTINGS, readSettings, refusedSettingsMessage, settingsErrorMessage, type PolyraySettings } from './settings.js';
import { PolyraySidebar } from './sidebar.js';
import { CommandIDs, EXECUTOR_PLUGIN_ID, PLUGIN_ID } from './tokens.js';

const engine = new PolyrayEngine();

const polyrayIcon = new LabIcon({
  name: 'polyray:icon',
  svgstr: '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 24 24"><g class="jp-icon3" fill="#616161"><path d="M3 20h18v1.5H3zM4 17l4-7 3 4 4-8 5 11z"/></g></svg>',
});

const executorPlugin: JupyterFrontEndPlugin<INotebookCellExecutor> = {
  id: EXECUTOR_PLUGIN_ID,
  description: 'Runs %%parallelize cells with a module compiled in the browser; every other cell as JupyterLab does.',
  autoStart: true,
  provides: INotebookCellExecutor,
  activate: (): INotebookCellExecutor => new PolyrayCellExecutor(engine),
};

const plugin: JupyterFrontEndPlugin<void> = {
  id: PLUGIN_ID,
  description: 'Polyray: compile %%parallelize cells in the browser, show what ran where and how fast.',
  autoStart: true,
  requires: [INotebookTracker, ISettingRegistry],
  optional: [ILayoutRestorer, ICommandPalette],
  activate: (
    app: JupyterFrontEnd, tracker: INotebookTracker, registry: ISettingRegistry,
    restorer: ILayoutRestorer | null, palette: ICommandPalette | null,
  ) => {
    const current = (): NotebookPanel | null => tracker.currentWidget;
    const sidebar = new PolyraySidebar({
      execute: (command) => void app.commands.execute(command),
      connect: (address) => { const p = current(); if (p) void engine.forSession(p.sessionContext).bridge.connect(address); },
      refreshCluster: () => { const p = current(); if (p) void engine.forSession(p.sessionContext).bridge.refreshCluster(); },
      jump: (cellId, line, col) => {
        const p = current();
        const index = p?.content.widgets.findIndex((c) => c.model.id === cellId) ?? -1;
        if (!p || index < 0) return;
        p.content.activeCellIndex = index;
        const editor = p.content.activeCell?.editor;
        editor?.setCursorPosition({ line: Math.max(0, line - 1), column: Math.max(0, col - 1) });
        editor?.focus();
      },
      canRevert: () => canRevert(current()),
    });
    sidebar.title.icon = polyrayIcon;
    app.shell.add(sidebar, 'right', { rank: 600 });
    restorer?.add(sidebar, sidebar.id);

    const follow = (): void => {
      const p = current();
      sidebar.setModel(p ? engine.forSession(p.sessionContext).model : null);
    };
    tracker.widgetAdded.connect((_, panel) => { engine.forSession(panel.sessionContext); });
    tracker.currentChanged.connect(follow);
    follow();

    const applySettings = (s: PolyraySettings): void => {
      engine.setSettings(s);
      sidebar.setShowGeneratedCode(s.showGeneratedCode);
      sidebar.setDefaultAddress(s.clusterAddress);
    };
    // Settings that fail the schema (schema/plugin.json, e.g. defaultTarget "tpu") used to
    // be dropped without a word to the user: the Jupyter server refuses such a file (only
    // its log says so) and the plugin ran on the defaults; and when the registry itself
    // refuses them, load() throws and only the console heard of it. Now a notification
    // says so (naming the setting where the registry reports it), the defaults apply, and
    // once the settings are saved valid (pluginChanged) they are loaded again.
    const warn = (message: string, detail?: unknown): void => {
      console.warn(message, detail ?? '');
      Notification.warning(message, { autoClose: false });
    };
    const retryOnChange = (_: ISettingRegistry, id: string): void => { if (id === PLUGIN_ID) loadSettings(); };
    const loadSettings = (): void => {
      registry.load(PLUGIN_ID).then((settings) => {
        registry.pluginChanged.disconnect(retryOnChange);
        const apply = (): void => applySettings(readSettings(settings.composite as Record<string, unknown>));
        apply();
        settings.changed.connect(apply);
        const refused = refusedSettingsMessage(settings.plugin);
        if (refused) warn(refused);
      }).catch((errors: unknown) => {
        applySettings({ ...DEFAULT_SETTINGS });
        warn(settingsErrorMessage(errors), errors);
        registry.pluginChanged.connect(retryOnChange);
      });
    };
    loadSettings();

    const enabled = (): boolean => current() !== null;
    app.commands.addCommand(CommandIDs.accelerate, {
      label: 'Accelerate notebook', caption: 'Add %%parallelize to the cells Polyray can accelerate', isEnabled: enabled,
      execute: async () => { const p = current(); if (p) { await accelerateNotebook(p, engine); sidebar.render(); } },
    });
    app.commands.addCommand(CommandIDs.revert, {
      label: 'Revert acceleration', caption: 'Undo the last "Accelerate notebook" as a whole',
      isEnabled: () => canRevert(current()),
      execute: () => { const p = current(); if (p) { revertAcceleration(p, engine); sidebar.render(); } },
    });
    app.commands.addCommand(CommandIDs.rerun, {
      label: 'Rerun on cluster', caption: 'Re-execute the %%parallelize cells with target ray', isEnabled: enabled,
      execute: async () => { const p = current(); if (p) await rerunOnCluster(p, engine); },
    });
    app.commands.addCommand(CommandIDs.openSidebar, {
      label: 'Show Polyray sidebar', execute: () => app.shell.activateById(sidebar.id),
    });
    for (const command of [CommandIDs.accelerate, CommandIDs.revert, CommandIDs.rerun, CommandIDs.openSidebar]) {
      palette?.addItem({ command, category: 'Polyray' });
    }
    // The e2e tests read how compiles went (in a Worker, how many, how long).
    (window as unknown as { __polyray?: unknown }).__polyray = { stats: engine.compiler.stats, engine };
  },
};

export default [executorPlugin, plugin];
