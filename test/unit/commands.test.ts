import { describe, expect, it } from 'vitest';
import { COMMANDS, commandName, commandsFor } from '../../src/commands/index.js';

describe('commandName: which command argv asks for, so only that one is loaded', () => {
  it.each([
    [['ls'], 'ls'],
    [['list', '--limit', '5'], 'ls'],
    [['--runs-dir', 'runs', 'logs', 'latest'], 'logs'],
    [['--runs-dir', 'ls', 'show', 'x'], 'show'],
    [['--config', 'runs.config.ts', 'start', 'train.py'], 'start'],
    [['--runs-dir=runs', 'stop', 'x'], 'stop'],
    [['--debug', 'metrics', 'latest'], 'metrics'],
    [['start', 'train.py', 'ls'], 'start'],
    [['lss'], null],
    [['completion'], 'completion'],
    [['--version'], null],
    [[], null],
  ])('%j → %s', (argv, expected) => {
    expect(commandName(argv)).toBe(expected);
  });
});

describe('commandsFor', () => {
  const names = async (argv: string[]) => (await commandsFor(argv)).map((c) => String(c.command).split(' ')[0]);
  const all = Object.keys(COMMANDS);

  it.each([
    [['ls'], ['ls']],
    [['--runs-dir', 'r', 'list'], ['ls']],
    [['--version'], []],
    [['ls', '--help'], all],
    [['--help'], all],
    [['lss'], all],
    [[], all],
    [['completion'], ['completion']],
    [['--get-yargs-completions', 'rl-run', 'lo'], all],
  ])('%j → %j', async (argv, expected) => {
    expect(await names(argv)).toEqual(expected);
  });
});
