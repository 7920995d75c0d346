import { describe, expect, it } from 'vitest';
import { flagWithoutValue, usageMessage } from '../../src/commands/usage.js';

const facts = (argv: string[], commandUsage: string | null = null, knownFlags: string[] = [], passthrough: string[] = []) => ({ argv, passthrough, commandUsage, knownFlags });

describe("usageMessage: yargs' complaint → one line naming what was typed and what to type", () => {
  it.each([
    ['Unknown arguments: lr, seed', facts(['start', 'train.py', '--lr', '1e-3', '--seed', '1'], 'start [script]'), 'unknown flag --lr: arguments for the script go after --, as in: rl-run start train.py -- --lr 1e-3 --seed 1'],
    ['Unknown argument: delta', facts(['start', 'train.py', '--delta', '-1'], 'start [script]', [], ['--x']), 'unknown flag --delta: arguments for the script go after --, as in: rl-run start train.py -- --delta -1 --x'],
    ['Unknown argument: note', facts(['start', 'train.py', '--note', 'two words'], 'start [script]'), "unknown flag --note: arguments for the script go after --, as in: rl-run start train.py -- --note 'two words'"],
    ['Unknown arguments: older-thn, olderThn', facts(['clean', '--purge', '--older-thn', '7d'], 'clean', ['older-than', 'purge']), "unknown flag --older-thn: did you mean --older-than? (rl-run clean --help lists the flags)"],
    ['Unknown argument: bogus', facts(['ls', '--no-bogus'], 'ls'), 'unknown flag --no-bogus (rl-run ls --help lists the flags)'],
    ['Unknown arguments: x, y', facts(['ls', '-xy'], 'ls'), 'unknown flag -x (rl-run ls --help lists the flags)'],
    ['Unknown argument: b', facts(['show', 'a', 'b'], 'show <run>'), "unexpected argument 'b': the usage is rl-run show <run> (rl-run show --help)"],
    ['Unknown argument: frobnicate', facts(['--runs-dir', 'r', 'frobnicate']), "unknown command 'frobnicate' (rl-run --help lists the commands)"],
    ['Did you mean ls?', facts(['lss']), "unknown command 'lss': did you mean 'ls'? (rl-run --help lists the commands)"],
    ['Invalid values:\n  Argument: backend, Given: "foo", Choices: "pm2", "slurm"', facts(['start', 'x.py', '--backend', 'foo'], 'start [script]'), '--backend foo: expected one of pm2, slurm'],
    ['Not enough non-option arguments: got 0, need at least 1', facts(['logs'], 'logs <run>'), 'missing <run>: the usage is rl-run logs <run> (rl-run logs --help has examples)'],
    ['Not enough arguments following: name', facts(['start', '--name'], 'start [script]'), '--name needs a value (rl-run start --help)'],
    ["give a command: 'rl-run start train.py'", facts([]), "give a command: 'rl-run start train.py'"],
  ])('%j', (message, given, expected) => {
    expect(usageMessage(message, given)).toBe(expected);
  });
});

describe('flagWithoutValue', () => {
  it.each([
    [['start', 'train.py', '--name'], '--name'],
    [['logs', 'x', '-n', '--follow'], '-n'],
    [['logs', 'x', '-n', '-1'], null],
    [['start', '--name=', 'train.py'], null],
    [['start', '--name', 'ppo', 'train.py'], null],
    [['ls', '--json'], null],
  ])('%j → %s', (argv, expected) => {
    expect(flagWithoutValue(argv, ['name', 'n', 'lines'])).toBe(expected);
  });
});
