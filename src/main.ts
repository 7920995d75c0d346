import { format } from 'node:util';
import type { CommandModule } from 'yargs';
import { commandName, commandsFor } from './commands/index.js';
import { flagWithoutValue, usageMessage } from './commands/usage.js';
import { RlRunError, UsageError } from './errors.js';
import { VERSION } from './version.js';

/** Where one call of main writes: by default the process's own stdout and stderr. */
export interface Io {
  stdout(text: string): void;
  stderr(text: string): void;
}

/**
 * rl-run's command line: parses argv, runs the one command asked for (src/commands/index.ts, loaded
 * lazily) and returns the exit code. It never exits the process: the bin (src/cli.ts) does. With
 * `io`, everything the call writes goes there instead, so tests run the CLI in-process.
 */
export async function main(argv: string[], io?: Io): Promise<number> {
  if (!io) return run(argv);
  const restore = redirectOutput(io);
  try {
    return await run(argv);
  } finally {
    restore();
  }
}

async function run(argv: string[]): Promise<number> {
  // What follows `--` belongs to the script, untouched: yargs would turn `1e-3` into 0.001.
  const split = argv.indexOf('--');
  const passthrough = split >= 0 ? argv.slice(split + 1) : [];
  const own = split >= 0 ? argv.slice(0, split) : argv;
  const debug = own.includes('--debug');
  // The one call that needs no parser: yargs is half of a bare node start (bench: CLI start rows).
  if (argv.length === 1 && argv[0] === '--version') {
    process.stdout.write(`${VERSION}\n`);
    return 0;
  }
  const [{ default: yargs }, commands] = await Promise.all([import('yargs'), commandsFor(own)]);
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

/**
 * Sends what is written to process.stdout and process.stderr, and through console, to `io` until
 * the returned function is called. Not only `out` (src/commands/context.ts): yargs prints help and
 * completion with console.log, and a few commands write to the streams directly. Console too,
 * because a test runner may replace the global console with one that bypasses the streams.
 */
function redirectOutput(io: Io): () => void {
  const streams = [
    [process.stdout, io.stdout],
    [process.stderr, io.stderr],
  ] as const;
  const consoles = [
    ['log', io.stdout],
    ['info', io.stdout],
    ['error', io.stderr],
    ['warn', io.stderr],
  ] as const;
  const savedStreams = streams.map(([stream]) => stream.write);
  const savedConsole = consoles.map(([method]) => console[method]);
  for (const [stream, sink] of streams) {
    stream.write = ((chunk: string | Uint8Array, ...rest: unknown[]) => {
      sink(typeof chunk === 'string' ? chunk : Buffer.from(chunk).toString('utf8'));
      const callback = rest.find((arg) => typeof arg === 'function') as ((error?: Error | null) => void) | undefined;
      if (callback) queueMicrotask(() => callback(null));
      return true;
    }) as typeof stream.write;
  }
  for (const [method, sink] of consoles) console[method] = (...args: unknown[]) => sink(`${format(...args)}\n`);
  return () => {
    streams.forEach(([stream], i) => {
      stream.write = savedStreams[i]!;
    });
    consoles.forEach(([method], i) => {
      console[method] = savedConsole[i]!;
    });
  };
}
