// What the plugins share: the compile Worker client, the settings, and one
// PolyrayModel + KernelBridge per notebook session.
import type { ISessionContext } from '@jupyterlab/apputils';
import { Signal } from '@lumino/signaling';
import { CompileClient } from './compile-client.js';
import { KernelBridge } from './kernel.js';
import { PolyrayModel } from './model.js';
import { DEFAULT_SETTINGS, type PolyraySettings } from './settings.js';

export interface NotebookState {
  model: PolyrayModel;
  bridge: KernelBridge;
}

export class PolyrayEngine {
  settings: PolyraySettings = { ...DEFAULT_SETTINGS };
  readonly settingsChanged = new Signal<this, PolyraySettings>(this);
  readonly compiler = new CompileClient(() => this.settings.compileTimeLimitSeconds);
  /** Set by "Rerun on cluster" while it re-executes a session's cells: the target to force. */
  readonly forcedTarget = new Map<ISessionContext, string>();
  private readonly states = new Map<ISessionContext, NotebookState>();

  setSettings(s: PolyraySettings): void {
    this.settings = s;
    this.settingsChanged.emit(s);
  }

  /** The state of a notebook session (created on first use, dropped when the session is disposed). */
  forSession(sessionContext: ISessionContext): NotebookState {
    let state = this.states.get(sessionContext);
    if (!state) {
      const model = new PolyrayModel();
      state = { model, bridge: new KernelBridge(sessionContext, model) };
      this.states.set(sessionContext, state);
      sessionContext.disposed.connect(() => {
        state?.bridge.dispose();
        this.states.delete(sessionContext);
      });
    }
    return state;
  }
}
