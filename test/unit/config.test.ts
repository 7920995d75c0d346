import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config/load.js';
import { describeConfigError } from '../../src/config/errors.js';
import { configTemplate } from '../../src/config/template.js';
import { validateConfig } from '../../src/config/validate.js';
import { UsageError } from '../../src/errors.js';

describe('validateConfig', () => {
  it.each([
    [{ runsDir: 5 }, 'runsDir: expected a non-empty string, got number 5'],
    [{ runDir: 'x' }, 'runDir: unknown key'],
    [{ stop: { timeoutMs: -1 } }, 'stop.timeoutMs: expected a whole number >= 0'],
    [{ stop: { timeout: 5 } }, 'stop.timeout: unknown key'],
    [{ interpreters: { '.py': 3 } }, 'interpreters: expected an object of string values'],
    [{ defaults: { args: '--lr 3' } }, 'defaults.args: expected an array of strings'],
    [{ restart: { maxRestarts: 1.5 } }, 'restart.maxRestarts: expected a whole number >= 0'],
    [{ backend: 'k8s' }, "backend: expected one of 'pm2', 'slurm'"],
    [{ metrics: { patterns: ['(unclosed'] } }, 'metrics.patterns[0]: expected a valid regular expression'],
    [{ env: [] }, 'env: expected an object of string values'],
    [{ env: { 'A;B': '1' } }, 'env: "A;B" is not a valid variable name'],
    [{ env: { 'A\nexport B': '1' } }, 'env: "A\\nexport B" is not a valid variable name'],
    [{ env: { '1A': '1' } }, 'env: "1A" is not a valid variable name'],
    [{ name: '{script}-{lr}' }, 'name: unknown placeholder {lr} in "{script}-{lr}" (known: {script}, {date}, {user})'],
    [{ name: '{Script}_{seed}' }, 'name: unknown placeholder {Script}, {seed}'],
    [[], 'the config must export an object'],
  ])('%j → %s', (raw, message) => {
    const result = validateConfig(raw);
    expect(result.ok).toBe(false);
    expect(!result.ok && result.errors[0]).toContain(message);
  });

  it('accepts a full config', () => {
    const result = validateConfig({
      runsDir: 'runs',
      interpreters: { '.py': '.venv/bin/python' },
      env: { A: '1' },
      defaults: { args: ['--seed', '0'], tags: ['x'] },
      name: '{script}-{user}',
      stop: { timeoutMs: 60000 },
      restart: { maxRestarts: 3, delayMs: 0 },
      backend: 'pm2',
      metrics: { patterns: ['reward (?<reward>[-\\d.]+)'], files: ['**/progress.csv'] },
    });
    expect(result.ok).toBe(true);
  });
});

describe('loadConfig', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(path.join(tmpdir(), 'rl-run-config-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('runs on defaults with no config file', async () => {
    const config = await loadConfig({ cwd: dir });
    expect(config.configFile).toBeNull();
    expect(config.runsDir).toBe(path.join(dir, 'runs'));
    expect(config.stop.timeoutMs).toBe(30_000);
    expect(config.interpreters['.py']).toBe('python3');
  });

  it.each([false, true])("init's template (standalone: %s) loads to exactly the defaults", async (standalone) => {
    writeFileSync(path.join(dir, 'runs.config.ts'), configTemplate(standalone));
    const [fromTemplate, fromNothing] = [await loadConfig({ cwd: dir }), await loadConfig({ cwd: mkdtempSync(path.join(dir, 'empty-')) })];
    const { configFile, runsDir, ...rest } = fromTemplate;
    expect(configFile).toBe(path.join(dir, 'runs.config.ts'));
    expect(runsDir).toBe(path.join(dir, 'runs'));
    const { configFile: _none, runsDir: _runs, ...defaults } = fromNothing;
    expect(rest).toEqual(defaults);
  });

  it('loads a runs.config.ts that imports rl-run and a local .ts file, from a subfolder', async () => {
    writeFileSync(path.join(dir, 'shared.ts'), "export const grace: number = 45_000;\nexport const venv = '.venv/bin/python' as const;\n");
    writeFileSync(
      path.join(dir, 'runs.config.ts'),
      "import { defineConfig } from 'rl-run';\nimport { grace, venv } from './shared';\n\nexport default defineConfig({ runsDir: 'experiments', stop: { timeoutMs: grace }, interpreters: { '.py': venv } });\n",
    );
    mkdirSync(path.join(dir, 'sub', 'deeper'), { recursive: true });
    const config = await loadConfig({ cwd: path.join(dir, 'sub', 'deeper') });
    expect(config.configFile).toBe(path.join(dir, 'runs.config.ts'));
    expect(config.runsDir).toBe(path.join(dir, 'experiments'));
    expect(config.stop.timeoutMs).toBe(45_000);
    expect(config.interpreters['.py']).toBe('.venv/bin/python');
  });

  it.each([
    ['runs.config.mjs', "export default { runsDir: 'm' };"],
    ['runs.config.cjs', "module.exports = { runsDir: 'm' };"],
    ['runs.config.json', '{ "runsDir": "m" }'],
    ['.rl-runrc', '{ "runsDir": "m" }'],
    ['.rl-runrc.json', '{ "runsDir": "m" }'],
    ['package.json', '{ "name": "x", "rl-run": { "runsDir": "m" } }'],
  ])('finds %s', async (file, text) => {
    writeFileSync(path.join(dir, file), text);
    const config = await loadConfig({ cwd: dir });
    expect(config.runsDir).toBe(path.join(dir, 'm'));
  });

  it('--config picks a file elsewhere; runsDir is relative to it', async () => {
    mkdirSync(path.join(dir, 'conf'));
    writeFileSync(path.join(dir, 'conf', 'other.ts'), "export default { runsDir: 'r' };\n");
    const config = await loadConfig({ cwd: dir, configFile: 'conf/other.ts' });
    expect(config.runsDir).toBe(path.join(dir, 'conf', 'r'));
  });

  it.each([
    ['runs.config.ts', 'export default { runsDir: ', /cannot load config: .*runs\.config\.ts/],
    ['runs.config.ts', 'export default { stop: { timeoutMs: "30s" } };', /bad config in .*runs\.config\.ts: stop\.timeoutMs: expected a whole number >= 0, got "30s"/],
    ['runs.config.json', '{ "runsdir": "x" }', /bad config in .*runs\.config\.json: runsdir: unknown key/],
  ])('names the file and key of a bad config (%s)', async (file, text, message) => {
    writeFileSync(path.join(dir, file), text);
    const error = await loadConfig({ cwd: dir }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(UsageError);
    expect((error as Error).message).toMatch(message);
    expect((error as Error).message).not.toContain('\n');
  });

  it('refuses a runsDir that is a file', async () => {
    writeFileSync(path.join(dir, 'runs'), 'not a directory');
    await expect(loadConfig({ cwd: dir })).rejects.toThrow(/runsDir: expected a directory, but .*runs is a file/);
  });
});

describe('describeConfigError: one line with file:line:col', () => {
  const file = '/p/runs.config.ts';
  const json = '/p/runs.config.json';
  const withStack = (message: string, stack: string) => Object.assign(new Error(message), { stack });
  it.each([
    ['a jiti parse error (columns from 0)', new Error(`ParseError: Unexpected token  \n ${file}:3:0`), file, `${file}:3:1: ParseError: Unexpected token`],
    [
      'a JSON error with its code frame',
      new Error(`JSON Error in ${json}: \n\n  1 | {\n  2 |   "runsDir": "x",\n> 3 | }\n    | ^\n  4 |\n\nExpected double-quoted property name in JSON at position 20 while parsing '{  "runsDir": "x",}' \n\n> 3 | }\n    | ^\n`),
      json,
      `${json}:3:1: Expected double-quoted property name in JSON at position 20`,
    ],
    ['an error thrown by the config (place from the stack)', withStack('boom', `Error: boom\n    at ${file}:2:7\n    at eval (jiti.cjs:1:1)`), file, `${file}:2:7: boom`],
    ['a missing import', new Error(`Cannot find module './nope.js'\nRequire stack:\n- ${file}`), file, `${file}: Cannot find module './nope.js'`],
  ])('%s', (_what, error, filepath, expected) => {
    expect(describeConfigError(error, filepath)).toBe(expected);
  });
});
