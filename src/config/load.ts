import { statSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { UsageError } from '../errors.js';
import { describeConfigError } from './errors.js';
import { configFileProblem, findConfigCandidates } from './presence.js';
import { DEFAULTS, DEFAULT_MAX_FRUITLESS_ATTEMPTS, QUEUE_DEFAULTS, type ResolvedConfig, type UserConfig } from './schema.js';
import { validateConfig } from './validate.js';
import { resolveNotify, resolveWatchdog } from './watching.js';

const MODULE = 'rl-run';

export const SEARCH_PLACES = [
  'package.json',
  'runs.config.ts',
  'runs.config.mts',
  'runs.config.cts',
  'runs.config.js',
  'runs.config.mjs',
  'runs.config.cjs',
  'runs.config.json',
  `.${MODULE}rc`,
  `.${MODULE}rc.json`,
  `.${MODULE}rc.ts`,
  `.${MODULE}rc.mts`,
  `.${MODULE}rc.js`,
  `.${MODULE}rc.mjs`,
  `.${MODULE}rc.cjs`,
];

export interface LoadOptions {
  cwd: string;
  /** --config: a file to load instead of searching. */
  configFile?: string;
}

/** Finds, loads and validates the config; throws a UsageError naming the file and key when it is bad. */
export async function loadConfig(options: LoadOptions): Promise<ResolvedConfig> {
  const found = await withTimeLimit(findConfig(options));
  if (!found) return resolveConfig({}, null, options.cwd);
  const validation = validateConfig(found.config);
  if (!validation.ok) {
    const [first, ...rest] = validation.errors;
    const more = rest.length ? ` (and ${rest.length} more: ${rest.join('; ')})` : '';
    throw new UsageError(`bad config in ${found.filepath}: ${first}${more}`);
  }
  return resolveConfig(validation.config, found.filepath, options.cwd);
}

export function resolveConfig(user: UserConfig, configFile: string | null, cwd: string): ResolvedConfig {
  const base = configFile ? path.dirname(configFile) : cwd;
  const runsDir = path.resolve(base, user.runsDir ?? DEFAULTS.runsDir);
  assertNotAFile(runsDir, configFile);
  return {
    runsDir,
    interpreters: { ...DEFAULTS.interpreters, ...user.interpreters },
    env: { ...DEFAULTS.env, ...user.env },
    defaults: {
      args: user.defaults?.args ?? DEFAULTS.defaults.args,
      tags: user.defaults?.tags ?? DEFAULTS.defaults.tags,
    },
    name: user.name ?? DEFAULTS.name,
    stop: { timeoutMs: user.stop?.timeoutMs ?? DEFAULTS.stop.timeoutMs },
    restart: {
      maxRestarts: user.restart?.maxRestarts ?? DEFAULTS.restart.maxRestarts,
      delayMs: user.restart?.delayMs ?? DEFAULTS.restart.delayMs,
    },
    backend: user.backend ?? DEFAULTS.backend,
    slurm: { ...DEFAULTS.slurm, ...user.slurm },
    metrics: {
      patterns: user.metrics?.patterns ?? DEFAULTS.metrics.patterns,
      files: user.metrics?.files ?? DEFAULTS.metrics.files,
    },
    resume: user.resume
      ? {
          checkpoint: user.resume.checkpoint,
          args: user.resume.args,
          maxFruitlessAttempts: user.resume.maxFruitlessAttempts ?? DEFAULT_MAX_FRUITLESS_ATTEMPTS,
        }
      : null,
    progress: user.progress?.total !== undefined ? { total: user.progress.total } : { ...DEFAULTS.progress },
    sweeps: { ...DEFAULTS.sweeps, ...user.sweeps },
    watchdog: resolveWatchdog(user.watchdog),
    notify: resolveNotify(user.notify),
    queue: user.queue
      ? {
          maxParallel: user.queue.maxParallel ?? QUEUE_DEFAULTS.maxParallel,
          gpus: user.queue.gpus ?? QUEUE_DEFAULTS.gpus,
          runsPerGpu: user.queue.runsPerGpu ?? QUEUE_DEFAULTS.runsPerGpu,
        }
      : null,
    configFile,
  };
}

function assertNotAFile(runsDir: string, configFile: string | null): void {
  try {
    if (!statSync(runsDir).isDirectory()) {
      const where = configFile ? `bad config in ${configFile}: runsDir` : 'runsDir';
      throw new UsageError(`${where}: expected a directory, but ${runsDir} is a file; point runsDir elsewhere`);
    }
  } catch (error) {
    if (error instanceof UsageError) throw error;
    // Missing is fine: the first start creates it.
  }
}

/** The file being loaded now, for the message when loading never ends. */
let loading: string | null = null;

async function findConfig(options: LoadOptions): Promise<{ config: unknown; filepath: string } | null> {
  // Tests set RL_RUN_NO_USER_CONFIG so that a developer's own ~/.config/rl-run never leaks in.
  const projectOnly = Boolean(process.env.RL_RUN_NO_USER_CONFIG);
  let candidates: string[];
  if (options.configFile) candidates = [path.resolve(options.cwd, options.configFile)];
  else {
    const search = findConfigCandidates(options.cwd, SEARCH_PLACES, MODULE, projectOnly);
    candidates = search.candidates;
    if (candidates.length === 0 && search.stoppedAt && search.stoppedAt.ignored.length > 0) {
      const { dir, reason, ignored } = search.stoppedAt;
      // The one warning config loading gives; it has no `out` of its own, and a bad config is never silent.
      process.stderr.write(`rl-run: warning: ignoring ${ignored[0]}: its folder ${dir} ${reason}, so another user could have written it; running on defaults\n`);
    }
  }
  if (candidates.length === 0) return null;
  const { cosmiconfig } = await import('cosmiconfig');
  const loadTs = typescriptLoader();
  const explorer = cosmiconfig(MODULE, {
    searchPlaces: SEARCH_PLACES,
    loaders: { '.ts': loadTs, '.mts': loadTs, '.cts': loadTs, '.js': loadTs, '.mjs': loadTs, '.cjs': loadTs },
    cache: false,
  });
  for (const filepath of candidates) {
    const problem = options.configFile ? null : configFileProblem(filepath);
    if (problem) throw new UsageError(`refusing to load ${filepath}: it ${problem}, and a config is code that rl-run runs; 'chmod go-w ${filepath}' if it is yours, or pass --config`);
    loading = filepath;
    let result: Awaited<ReturnType<typeof explorer.load>>;
    try {
      result = await explorer.load(filepath);
    } catch (error) {
      throw new UsageError(`cannot load config: ${describeConfigError(error, filepath)}`);
    }
    // An explicit --config that is empty is an empty config; a found one that is empty is skipped, as cosmiconfig's search does.
    if (options.configFile) return { config: result?.config ?? {}, filepath };
    if (result && !result.isEmpty) return { config: result.config, filepath };
  }
  return null;
}

/**
 * A config whose default export never settles (`export default new Promise(() => {})`) left
 * nothing for Node to wait on, and every command exited 0 having done nothing (issue 10, item 2).
 */
function withTimeLimit<T>(work: Promise<T>): Promise<T> {
  const limitMs = Number(process.env.RL_RUN_CONFIG_TIMEOUT_MS) || 10_000;
  let timer: NodeJS.Timeout | undefined;
  const limit = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      reject(
        new UsageError(
          `config ${loading ?? ''} did not finish loading within ${limitMs / 1000} s: does its default export await something that never settles? (RL_RUN_CONFIG_TIMEOUT_MS changes the limit)`,
        ),
      );
    }, limitMs);
    // Unref'd: a config that leaves nothing pending at all is caught at once by cli.ts (beforeExit);
    // this limit is for one that keeps Node busy without ever finishing.
    timer.unref();
  });
  return Promise.race([work, limit]).finally(() => clearTimeout(timer));
}

/**
 * cosmiconfig 9's own TypeScript loader calls typescript's JS API, which typescript 7 no longer has,
 * and it cannot follow imports from the config file. jiti transpiles the file and everything it
 * imports, and `rl-run` is aliased to this package so `import { defineConfig } from 'rl-run'` works
 * even where rl-run is installed globally.
 */
function typescriptLoader() {
  return async (filepath: string): Promise<unknown> => {
    const { createJiti } = await import('jiti');
    const jiti = createJiti(import.meta.url, {
      moduleCache: false,
      // Transpiled configs are cached by content hash (node_modules/.cache/jiti or the temp dir):
      // without it, transpiling runs.config.ts cost ~130 ms on every command.
      alias: { [MODULE]: packageEntry() },
    });
    // Errors go out whole: describeConfigError finds their line and column.
    return await jiti.import(filepath, { default: true });
  };
}

function packageEntry(): string {
  // src/config/load.ts and dist/config/load.js both sit two levels below the package's entry point.
  const here = path.dirname(fileURLToPath(import.meta.url));
  const ext = path.extname(fileURLToPath(import.meta.url));
  return path.resolve(here, '..', `index${ext}`);
}
