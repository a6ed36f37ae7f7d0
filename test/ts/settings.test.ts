// The extension's settings: readSettings (defaults for what is missing or wrong)
// and the messages shown when our settings are refused: by the Jupyter server
// (jupyterlab_server drops a user settings file that fails the schema; the
// test asks the real one, from the .venv) or by JupyterLab's setting registry.
// The errors are those of JupyterLab's validator: SettingRegistry.load() throws
// what DefaultSchemaValidator.validateData returns, which is ajv 8 (options
// { strict: false }) run on the plugin's schema (schema/plugin.json) and the
// user's settings; the same here, so the message is checked against what the
// browser gets. (The registry's module itself needs a DOM and json5's browser
// build, so ajv is used directly.)
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Ajv } from 'ajv';
import { DEFAULT_SETTINGS, readSettings, refusedSettingsMessage, settingsErrorMessage } from '../../src/extension/settings.js';

const schema = JSON.parse(readFileSync(new URL('../../schema/plugin.json', import.meta.url), 'utf8'));
const validate = new Ajv({ strict: false }).compile(schema);

/** What SettingRegistry.load() throws for these user settings (null when they are valid). */
function registryErrors(user: Record<string, unknown>): unknown {
  return validate(user) ? null : validate.errors;
}

test('settings: JupyterLab refuses a bad setting, and the message names it and what it must be', () => {
  const target = settingsErrorMessage(registryErrors({ defaultTarget: 'tpu' }));
  assert.match(target, /^Polyray: invalid setting defaultTarget must be one of "auto", "original", "cpu", "gpu", "ray"; using the defaults/);
  assert.ok(target.indexOf('using the defaults') < 140, 'the toast (140 characters) names the setting and the fallback');
  assert.match(settingsErrorMessage(registryErrors({ compileTimeLimitSeconds: 0 })), /compileTimeLimitSeconds must be >= 1/);
  // the validator stops at the first bad setting (ajv without allErrors): that one is named
  assert.match(settingsErrorMessage(registryErrors({ defaultTarget: 'tpu', compileTimeLimitSeconds: 0 })), /defaultTarget must be one of/);
  // several errors (another validator, or allErrors): each named once
  const both = settingsErrorMessage([
    { instancePath: '/defaultTarget', keyword: 'enum', params: { allowedValues: ['auto'] }, message: 'x' },
    { instancePath: '/compileTimeLimitSeconds', keyword: 'minimum', params: {}, message: 'must be >= 1' },
    { instancePath: '/compileTimeLimitSeconds', keyword: 'minimum', params: {}, message: 'must be >= 1' },
  ]);
  assert.equal(both.split('compileTimeLimitSeconds').length, 2);
  assert.match(both, /defaultTarget must be one of "auto"; compileTimeLimitSeconds must be >= 1/);
  // the plugin's fallback is exactly the defaults
  assert.deepEqual(readSettings({}), DEFAULT_SETTINGS);
});

test('settings: unknown keys, wrong types, valid settings, and errors that are not validation errors', () => {
  assert.match(settingsErrorMessage(registryErrors({ defaultTarget: 'cpu', colour: 'red' })), /colour is not a Polyray setting/);
  assert.match(settingsErrorMessage(registryErrors({ autoMayTime: 'yes' })), /autoMayTime must be boolean/);
  assert.equal(registryErrors({ defaultTarget: 'ray', compileTimeLimitSeconds: 5, clusterAddress: '10.0.0.1:6379' }), null);
  // the numerics mode: close (default) or exact, anything else refused by the schema and replaced by the default
  assert.equal(registryErrors({ numerics: 'exact' }), null);
  assert.match(settingsErrorMessage(registryErrors({ numerics: 'fast' })), /numerics must be one of "close", "exact"/);
  assert.equal(readSettings({ numerics: 'exact' }).numerics, 'exact');
  assert.equal(readSettings({ numerics: 'fast' }).numerics, 'close');
  assert.match(settingsErrorMessage(new Error('Could not fetch settings')), /settings not loaded \(Could not fetch settings\); using the defaults/);
  assert.match(settingsErrorMessage([]), /settings not loaded/);
});

const PY = '.venv/bin/python';
const SCHEMAS = 'python-bridge/polyray/labextension/schemas';

/** What the Jupyter server sends the browser for polyray:plugin given this user settings file (null: no file). */
function served(fileText: string | null): Record<string, unknown> {
  const dir = mkdtempSync(join(tmpdir(), 'polyray-settings-'));
  try {
    if (fileText !== null) {
      mkdirSync(join(dir, 'polyray'));
      writeFileSync(join(dir, 'polyray', 'plugin.jupyterlab-settings'), fileText);
    }
    const code = 'import json, sys\nfrom jupyterlab_server.settings_utils import get_settings\n'
      + 'r, w = get_settings("", sys.argv[1], sys.argv[2], schema_name="polyray:plugin")\n'
      + 'r.pop("schema", None)\nprint(json.dumps({**r, "warnings": w}))';
    return JSON.parse(execFileSync(PY, ['-c', code, SCHEMAS, dir], { encoding: 'utf8' }));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

test('settings: a settings file the Jupyter server refuses is told apart from valid and missing ones',
  { skip: existsSync(PY) && existsSync(join(SCHEMAS, 'polyray/plugin.json')) ? false : 'no .venv or labextension' }, () => {
    const bad = served('{"defaultTarget": "tpu", "showGeneratedCode": true}');
    assert.equal(bad.raw, '{}');  // the server's placeholder: the browser never sees "tpu"
    assert.match(String(bad.warnings), /Failed validating settings \(polyray:plugin\): 'tpu' is not one of/);
    const message = refusedSettingsMessage(bad);
    assert.match(message ?? '', /^Polyray: your settings file was refused .*using the defaults/);
    assert.equal(refusedSettingsMessage(served('{"defaultTarget": "cpu"}')), null);
    assert.equal(refusedSettingsMessage(served('{\n    // Polyray\n}')), null);  // what the registry writes when emptied
    assert.equal(refusedSettingsMessage(served(null)), null);
    assert.equal(refusedSettingsMessage(null), null);
  });
