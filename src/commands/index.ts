import type { CommandModule } from 'yargs';

type Loader = () => Promise<CommandModule>;
const as = (command: unknown) => command as CommandModule;

/**
 * Every command, by name, loaded only when it is the one asked for: importing all of them cost
 * ~50 ms of CPU on every invocation, more than yargs itself (bench: the CLI start and logs -n rows).
 */
export const COMMANDS: Record<string, Loader> = {
  start: async () => as((await import('./start.js')).startCommand),
  ls: async () => as((await import('./ls.js')).lsCommand),
  show: async () => as((await import('./show.js')).showCommand),
  logs: async () => as((await import('./logs.js')).logsCommand),
  metrics: async () => as((await import('./metrics.js')).metricsCommand),
  compare: async () => as((await import('./compare.js')).compareCommand),
  stop: async () => as((await import('./stop.js')).stopCommand),
  restart: async () => as((await import('./restart.js')).restartCommand),
  resume: async () => as((await import('./resume.js')).resumeCommand),
  resurrect: async () => as((await import('./resurrect.js')).resurrectCommand),
  startup: async () => as((await import('./startup.js')).startupCommand),
  clean: async () => as((await import('./clean.js')).cleanCommand),
  restore: async () => as((await import('./restore.js')).restoreCommand),
  du: async () => as((await import('./du.js')).duCommand),
  stats: async () => as((await import('./stats.js')).statsCommand),
  sweep: async () => as((await import('./sweep.js')).sweepCommand),
  init: async () => as((await import('./init.js')).initCommand),
  completion: async () => as((await import('./completion.js')).completionCommand),
  top: async () => as((await import('./top.js')).topCommand),
};

const ALIASES: Record<string, string> = { list: 'ls', watch: 'top' };

/** Global options that take a value: the word after them is not the command. */
export const VALUE_OPTIONS = new Set(['--config', '--runs-dir', '--runsDir']);

/** The command argv names (aliases resolved), or null: no command word, or one we do not know. */
export function commandName(argv: readonly string[]): string | null {
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (VALUE_OPTIONS.has(arg)) {
      i++;
      continue;
    }
    if (arg.startsWith('-')) continue;
    const name = ALIASES[arg] ?? arg;
    return Object.hasOwn(COMMANDS, name) ? name : null;
  }
  return null;
}

/**
 * The commands yargs needs for argv: the one named, none for a bare --version, and all of them for
 * help, completion, a typo (so yargs can suggest the right one) or no command at all.
 */
export async function commandsFor(argv: readonly string[]): Promise<CommandModule[]> {
  const help = argv.includes('--help') || argv.includes('-h');
  const name = commandName(argv);
  if (name && !help) return [await COMMANDS[name]!()];
  if (!name && !help && argv.includes('--version') && argv.every((arg) => arg.startsWith('-'))) return [];
  return Promise.all(Object.values(COMMANDS).map((load) => load()));
}
