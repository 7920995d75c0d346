#!/usr/bin/env node
import yargs, { type CommandModule } from 'yargs';
import { hideBin } from 'yargs/helpers';
import { commandName, commandsFor } from './commands/index.js';
import { flagWithoutValue, usageMessage } from './commands/usage.js';
import { RlRunError, UsageError } from './errors.js';
import { VERSION } from './version.js';

// The one registry of commands (src/commands/index.ts, loaded lazily), and the only place that exits.
export async function main(argv: string[]): Promise<number> {
  // What follows `--` belongs to the script, untouched: yargs would turn `1e-3` into 0.001.
  const split = argv.indexOf('--');
  const passthrough = split >= 0 ? argv.slice(split + 1) : [];
  const own = split >= 0 ? argv.slice(0, split) : argv;
  const debug = own.includes('--debug');
  const commands = await commandsFor(own);
  const parser = yargs(own)
    .scriptName('rl-run')
    .locale('en')
    .middleware((args) => {
      args['--'] = passthrough;
    })
    .option('config', { type: 'string', global: true, describe: 'Config file to use instead of searching for runs.config.ts' })
    .option('runs-dir', { type: 'string', global: true, describe: 'Runs directory (overrides the config)' })
    .option('debug', { type: 'boolean', global: true, describe: 'Print stack traces' })
    .command(commands)
    .check(() => {
      const bare = flagWithoutValue(own, valueFlags(parser));
      if (bare) throw new UsageError(`${bare} needs a value (${['rl-run', commandName(own), '--help'].filter(Boolean).join(' ')})`);
      return true;
    })
    .demandCommand(1, "give a command: 'rl-run start train.py', 'rl-run ls', … (rl-run --help lists them)")
    .recommendCommands()
    .strict()
    .version(VERSION)
    .help()
    .alias('h', 'help')
    .wrap(Math.min(100, process.stdout.columns || 100))
    // Throwing here, not noting the problem for later, is what stops yargs before the handler: a
    // failure handler that returns lets yargs run the command anyway (`clean --purge --older-thn 7d
    // --yes` emptied the trash, then complained of the typo).
    .fail((message, error) => {
      if (error && error.name !== 'YError') throw error;
      throw new UsageError(usageMessage(message ?? error?.message ?? 'bad arguments', usageFacts(parser, own, passthrough, commands)));
    })
    .exitProcess(false);
  // The shell's completion requests only; `rl-run completion` itself is a command (src/commands/completion.ts).
  if (own.includes('--get-yargs-completions')) parser.completion('completion', false);
  skipHelpCache(parser);
  try {
    await parser.parseAsync();
  } catch (error) {
    return report(error, debug);
  }
  return 0;
}

/** yargs' runtime options (getOptions is not in @types/yargs): the keys it knows, those that take a string. */
function yargsOptions(parser: unknown): { key: Record<string, unknown>; string: string[] } {
  const options = (parser as { getOptions?: () => { key?: Record<string, unknown>; string?: string[] } }).getOptions?.();
  return { key: options?.key ?? {}, string: options?.string ?? [] };
}

function valueFlags(parser: unknown): string[] {
  return yargsOptions(parser).string;
}

/** What usageMessage needs: the command's usage line and the flags yargs knows at the moment it failed. */
function usageFacts(parser: unknown, own: string[], passthrough: string[], commands: CommandModule[]) {
  const name = commandName(own);
  const module = name ? commands.find((c) => String(c.command).split(' ')[0] === name) : undefined;
  const knownFlags = Object.keys(yargsOptions(parser).key).filter((key) => !/[A-Z]/.test(key) && key.length > 1);
  return { argv: own, passthrough, commandUsage: module ? String(module.command) : null, knownFlags };
}

/**
 * yargs renders the whole help text before running any command (command.js: cacheHelpMessage),
 * for a failure handler that might show it; ours prints only the message. Measured: ~20 ms of
 * string-width and cliui on every `rl-run logs` (cpu profile, bench: CLI start and logs -n rows).
 * Through yargs' internal methods, so guarded: without them, yargs simply renders it as before.
 */
function skipHelpCache(parser: unknown): void {
  type Internals = { getInternalMethods?: () => { getUsageInstance?: () => { cacheHelpMessage?: () => void } } };
  const usage = (parser as Internals).getInternalMethods?.().getUsageInstance?.();
  if (usage && typeof usage.cacheHelpMessage === 'function') usage.cacheHelpMessage = () => {};
}

function report(error: unknown, debug: boolean): number {
  if (error instanceof RlRunError) {
    process.stderr.write(`rl-run: ${error.message}\n`);
    if (debug && error.stack) process.stderr.write(`${error.stack}\n`);
    return error.exitCode;
  }
  const message = error instanceof Error ? error.message : String(error);
  process.stderr.write(`rl-run: unexpected error: ${message.split('\n')[0]}${debug ? '' : ' (run again with --debug for the stack trace)'}\n`);
  if (debug && error instanceof Error && error.stack) process.stderr.write(`${error.stack}\n`);
  return 1;
}

// `rl-run logs latest | head` closes the pipe early: that is the reader being done, not an error.
process.stdout.on('error', (error: NodeJS.ErrnoException) => {
  if (error.code === 'EPIPE') process.exit(0);
  throw error;
});

let finished = false;
// Node exits with 0 when nothing is left to wait on, even if main() never settled (a config whose
// default export is a promise that never settles did this): that is a failure, said in one line.
process.on('beforeExit', () => {
  if (finished) return;
  finished = true;
  process.stderr.write('rl-run: the command ended before it finished: it waited for something that can never happen (a runs.config.ts whose default export never settles?)\n');
  process.exitCode = 1;
});

main(hideBin(process.argv)).then(
  (code) => {
    finished = true;
    process.exitCode = code;
    // After a failure nothing is left to do; something still holding Node open (a config's timer
    // that outlived its time limit) must not keep the command from exiting.
    if (code !== 0) setTimeout(() => process.exit(), 1_000).unref();
  },
  (error) => {
    finished = true;
    process.stderr.write(`rl-run: ${String(error)}\n`);
    process.exitCode = 1;
  },
);
