import { createHash } from 'node:crypto';
import { lstatSync, readFileSync, readdirSync, readlinkSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { moveToTrash } from '../../src/registry/trash.js';
import { writeEndedRun } from '../clean/records.js';
import { inProcess } from '../helpers/in-process.js';
import { EXAMPLE, type Sandbox, createSandbox, processesWithPm2Home } from '../helpers/sandbox.js';

/** Names, kinds and bytes of everything under dir: any file created, changed or deleted changes it. */
function treeHash(dir: string): string {
  const hash = createHash('sha256');
  const walk = (current: string) => {
    for (const name of readdirSync(current).sort()) {
      const full = path.join(current, name);
      const stat = lstatSync(full);
      const kind = stat.isDirectory() ? 'd' : stat.isSymbolicLink() ? 'l' : stat.isFile() ? 'f' : 'other';
      hash.update(`${path.relative(dir, full)}\0${kind}\0`);
      if (kind === 'd') walk(full);
      else if (kind === 'l') hash.update(readlinkSync(full));
      else if (kind === 'f') hash.update(readFileSync(full));
    }
  };
  walk(dir);
  return hash.digest('hex');
}

const A = 'alpha-20250101-000000-aaaaaa';
const B = 'beta-20250101-000001-bbbbbb';
const GONE = 'gone-20250101-000002-cccccc';

// Every command with arguments it would act on, so that a handler that ran would leave a trace.
const COMMANDS: [string, string[]][] = [
  ['start', ['start', EXAMPLE]],
  ['ls', ['ls']],
  ['show', ['show', A]],
  ['logs', ['logs', A]],
  ['metrics', ['metrics', A]],
  ['compare', ['compare', A, B]],
  ['stop', ['stop', A]],
  ['restart', ['restart', A]],
  ['clean', ['clean', '--purge', '--yes']],
  ['restore', ['restore', GONE]],
  ['du', ['du']],
  ['stats', ['stats', '--scores', 'scores.csv']],
  ['sweep', ['sweep', EXAMPLE, '--grid', 'lr=1,2', '--seeds', '2']],
  ['sweep resume', ['sweep', 'resume', 'latest']],
  ['init', ['init']],
  ['completion', ['completion']],
  ['top', ['top']],
];

// Typed flags given a value they cannot take.
const BAD_VALUES: [string[], RegExp][] = [
  [['ls', '--limit', 'abc'], /--limit abc: expected a whole number/],
  [['ls', '--status', 'done'], /--status done: expected one of/],
  [['logs', A, '--lines', 'abc'], /--lines abc: expected a whole number/],
  [['logs', A, '-n', '1.5'], /--lines 1\.5: expected a whole number/],
  [['compare', A, B, '--last', 'abc'], /--last abc: expected a whole number/],
  [['start', EXAMPLE, '--backend', 'foo'], /--backend foo: expected one of pm2, slurm/],
  [['stop', A, '--timeout', '5x'], /--timeout 5x: expected a duration/],
  [['top', '--interval', '5x'], /--interval 5x: expected a duration/],
  [['watch', '--interval', '10ms'], /--interval 10ms: expected a duration of at least 100ms/],
  [['clean', '--orphaned', '--timeout', '5x', '--yes'], /--timeout 5x: expected a duration/],
  [['clean', '--purge', '--older-than', '7x', '--yes'], /--older-than 7x: expected a duration/],
  [['clean', '--keep-last', 'abc', '--yes'], /--keep-last abc: expected a whole number/],
  [['clean', '--status', 'running', '--yes'], /--status running: expected one of/],
  [['clean', '--larger-than', 'huge', '--yes'], /--larger-than huge: expected a size/],
  [['sweep', EXAMPLE, '--gpus', 'x'], /--gpus x: expected a whole number >= 0/],
  [['sweep', EXAMPLE, '--seeds', '0'], /--seeds 0: expected 1-5/],
  [['sweep', EXAMPLE, '--grid', 'lr=1', '--backend', 'foo'], /--backend foo: expected one of pm2, slurm/],
];

const MISSING: [string[], RegExp][] = [
  [['logs'], /rl-run logs <run>/],
  [['show'], /rl-run show <run>/],
  [['metrics'], /rl-run metrics <run>/],
  [['restart'], /rl-run restart <run>/],
  [['stop'], /give the runs to stop .*--name \/ --tag/],
  [['restore'], /rl-run restore <runs\.\.>/],
  [['logs', A, '--lines'], /--lines/],
  [['start', '--name'], /--name/],
];

// Through main() in this process (test/helpers/in-process.ts): a refusal happens before any process
// boundary matters, and a handler that ran anyway would still leave its trace on disk or a daemon.
describe('every command checks all its flags and arguments before it acts', () => {
  let sandbox: Sandbox;
  let here: Sandbox;
  beforeAll(() => {
    sandbox = createSandbox();
    here = inProcess(sandbox);
    writeEndedRun(sandbox.runsDir, A);
    writeEndedRun(sandbox.runsDir, B);
    writeEndedRun(sandbox.runsDir, GONE);
    moveToTrash(sandbox.runsDir, GONE, 'test', new Date('2025-01-02T00:00:00Z'));
  });
  afterAll(() => sandbox.cleanup());

  /** Runs the CLI and checks: exit 2, one line on stderr matching `message`, nothing on disk changed, no daemon. */
  async function rejects(args: string[], message: RegExp): Promise<void> {
    const before = treeHash(sandbox.dir);
    const trashBefore = treeHash(path.join(sandbox.runsDir, '.trash'));
    const result = await here.cli(args);
    expect(treeHash(path.join(sandbox.runsDir, '.trash')), 'the trash changed').toBe(trashBefore);
    expect(treeHash(sandbox.dir), 'something was created or deleted').toBe(before);
    expect(processesWithPm2Home(sandbox.pm2Home), 'a pm2 daemon was started').toEqual([]);
    expect({ code: result.code, stdout: result.stdout }).toEqual({ code: 2, stdout: '' });
    expect(result.stderr).toMatch(/^rl-run: [^\n]+\n$/);
    expect(result.stderr).toMatch(message);
  }

  it.each(COMMANDS)('%s with an unknown flag: exit 2, one line, nothing done', async (_name, args) => {
    await rejects([...args, '--bogus-flag'], /unknown flag --bogus-flag/);
  });

  it.each(COMMANDS)('%s with an unknown flag given a value: exit 2, one line, nothing done', async (_name, args) => {
    await rejects([...args, '--bogus=1'], /unknown flag --bogus/);
  });

  it.each(BAD_VALUES)('rl-run %j: exit 2, one line, nothing done', async (args, message) => {
    await rejects(args, message);
  });

  it.each(MISSING)('rl-run %j (something missing): exit 2, the usage in one line', async (args, message) => {
    await rejects(args, message);
  });

  it('start with a script flag before --: a hint to put it after --', async () => {
    await rejects(['start', EXAMPLE, '--lr', '1e-3', '--seed', '1'], /unknown flag --lr: arguments for the script go after --, as in: rl-run start .*train\.py -- --lr 1e-3 --seed 1$/m);
  });

  it('the typo that emptied the trash: clean --purge --older-thn 7d --yes', async () => {
    await rejects(['clean', '--purge', '--older-thn', '7d', '--yes'], /unknown flag --older-thn/);
  });

  it('a command typo suggests the command', async () => {
    await rejects(['lss'], /unknown command 'lss': did you mean 'ls'\?/);
  });

  it('an extra argument is named', async () => {
    await rejects(['show', A, B], new RegExp(`unexpected argument '${B}'`));
  });

  it('completion --help prints help, not the script', async () => {
    const result = await here.cli(['completion', '--help']);
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/rl-run completion/);
    expect(result.stdout).not.toMatch(/begin-rl-run-completions/);
  });

  it('completion prints the script', async () => {
    const result = await here.cli(['completion']);
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/begin-rl-run-completions/);
    expect(result.stdout).toMatch(/rl-run completion >> ~\/.bashrc/);
  });
});
