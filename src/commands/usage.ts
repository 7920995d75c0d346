import { VALUE_OPTIONS } from './index.js';

/**
 * yargs' own failure messages ("Unknown arguments: lr, seed", "Invalid values:\n  Argument: …",
 * "Not enough non-option arguments: got 0, need at least 1") turned into one line that names what
 * was typed and what to type instead. Pure: the message, the words the user typed, and what yargs
 * knows of the command are all it reads. yargs runs with locale 'en', so the patterns hold.
 */
export interface UsageFacts {
  /** The words before `--`, as typed. */
  argv: readonly string[];
  /** The words after `--`. */
  passthrough: readonly string[];
  /** The command's yargs usage (`logs <run>`), when a known command was named. */
  commandUsage: string | null;
  /** The flags the command knows (kebab-case, no dashes), for a "did you mean". */
  knownFlags: readonly string[];
}

export function usageMessage(message: string, facts: UsageFacts): string {
  const command = commandWord(facts.argv);
  const help = command ? `rl-run ${command} --help` : 'rl-run --help';

  const unknown = /^Unknown arguments?: (.*)$/s.exec(message);
  if (unknown) return unknownArguments(unknown[1]!.split(', '), facts, help);

  const suggestion = /^Did you mean (.*)\?$/.exec(message);
  if (suggestion) return `unknown command '${command ?? ''}': did you mean '${suggestion[1]}'? (rl-run --help lists the commands)`;

  const invalid = /Argument: (\S+), Given: (.*), Choices: (.*)$/m.exec(message);
  if (invalid) {
    const given = invalid[2]!.replace(/^"(.*)"$/, '$1');
    const choices = invalid[3]!.split(', ').map((c) => c.replace(/^"(.*)"$/, '$1'));
    return `--${invalid[1]} ${given}: expected one of ${choices.join(', ')}`;
  }

  if (/^Not enough non-option arguments/.test(message) && facts.commandUsage) {
    const missing = /<[^>]+>/.exec(facts.commandUsage)?.[0] ?? 'an argument';
    return `missing ${missing}: the usage is rl-run ${facts.commandUsage} (${help} has examples)`;
  }

  const following = /^Not enough arguments following: (.*)$/.exec(message);
  if (following) return `--${following[1]} needs a value (${help})`;

  const required = /^Missing required arguments?: (.*)$/.exec(message);
  if (required) return `missing ${required[1]!.split(', ').map((name) => `--${name}`).join(', ')} (${help})`;

  return message.split('\n').join(' ');
}

function unknownArguments(names: readonly string[], facts: UsageFacts, help: string): string {
  const command = commandWord(facts.argv);
  for (const [i, word] of facts.argv.entries()) {
    if (!word.startsWith('-') || word === '-') {
      if (!names.includes(word)) continue;
      if (word === command || (command === null && i === firstWordIndex(facts.argv))) {
        return `unknown command '${word}' (rl-run --help lists the commands)`;
      }
      return `unexpected argument '${word}': the usage is rl-run ${facts.commandUsage ?? command} (${help})`;
    }
    const name = flagName(word);
    const short = /^-[A-Za-z]{2,}$/.test(word) ? [...word.slice(1)].find((letter) => names.includes(letter)) : undefined;
    // yargs names `--no-x` as x, and each letter of `-xyz` on its own.
    if (!names.includes(name) && !names.includes(name.replace(/^no-/, '')) && !short) continue;
    const flag = short ? `-${short}` : word.split('=')[0]!;
    // yargs reads a value that starts with a dash as a flag of its own.
    if (facts.argv[i - 1] === '--resume-args') return `--resume-args takes a value that starts with a dash only after '=': --resume-args='${word}'`;
    if (command === 'start') return `unknown flag ${flag}: arguments for the script go after --, as in: ${scriptFlagsAfterDashes(names, facts)}`;
    const near = nearest(name, facts.knownFlags);
    return `unknown flag ${flag}${near ? `: did you mean --${near}?` : ''} (${help} lists the flags)`;
  }
  return `unknown argument ${names[0]} (${help})`;
}

/** `rl-run start train.py --lr 1e-3` → `rl-run start train.py -- --lr 1e-3`: what to type instead. */
function scriptFlagsAfterDashes(unknown: readonly string[], facts: UsageFacts): string {
  const ours: string[] = [];
  const theirs: string[] = [];
  for (let i = 0; i < facts.argv.length; i++) {
    const word = facts.argv[i]!;
    if (!word.startsWith('-') || !unknown.includes(flagName(word))) {
      ours.push(word);
      continue;
    }
    theirs.push(word);
    const next = facts.argv[i + 1];
    // A value follows a flag given without `=`, as the script's argparse would read it (`--lr 1e-3`, `--delta -1`).
    if (!word.includes('=') && next !== undefined && (!next.startsWith('-') || /^-\d/.test(next))) {
      theirs.push(next);
      i++;
    }
  }
  return ['rl-run', ...ours, '--', ...theirs, ...facts.passthrough].map(shellWord).join(' ');
}

function flagName(word: string): string {
  return word.replace(/^-+/, '').split('=')[0]!;
}

function firstWordIndex(argv: readonly string[]): number {
  for (let i = 0; i < argv.length; i++) {
    const word = argv[i]!;
    if (VALUE_OPTIONS.has(word)) i++;
    else if (!word.startsWith('-')) return i;
  }
  return -1;
}

/** The word in the command position, whether or not it names a command. */
export function commandWord(argv: readonly string[]): string | null {
  const i = firstWordIndex(argv);
  return i >= 0 ? argv[i]! : null;
}

/** The known flag within two edits of `name`, if there is one closest. */
function nearest(name: string, known: readonly string[]): string | null {
  let best: string | null = null;
  let bestDistance = 3;
  for (const candidate of known) {
    const d = distance(name, candidate);
    if (d < bestDistance) {
      best = candidate;
      bestDistance = d;
    }
  }
  return best;
}

function distance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    for (let j = 1; j <= b.length; j++) {
      current[j] = Math.min(previous[j]! + 1, current[j - 1]! + 1, previous[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1));
    }
    previous = current;
  }
  return previous[b.length]!;
}

function shellWord(word: string): string {
  return /^[\w@%+=:,./~-]+$/.test(word) ? word : `'${word.replaceAll("'", "'\\''")}'`;
}

/**
 * The first flag that takes a value but was typed without one (`start train.py --name`, `logs x -n`):
 * yargs gives such a flag '' (or its default) and the command would go on with it.
 */
export function flagWithoutValue(argv: readonly string[], valueFlags: readonly string[]): string | null {
  for (const [i, word] of argv.entries()) {
    if (!word.startsWith('-') || word.includes('=') || !valueFlags.includes(flagName(word))) continue;
    const next = argv[i + 1];
    if (next === undefined || (next.startsWith('-') && !/^-\d/.test(next))) return word;
  }
  return null;
}
