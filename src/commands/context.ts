import path from 'node:path';
import { loadConfig } from '../config/load.js';
import type { ResolvedConfig } from '../config/schema.js';
import { Registry } from '../registry/registry.js';
import { observeRecord } from '../supervisor/index.js';
import { noticeRepair } from '../notify/notice.js';
import { queueStore, trackedIds } from '../queue/store.js';

/** Flags every command takes. */
export interface GlobalArgs {
  config?: string;
  runsDir?: string;
  debug?: boolean;
}

export interface Context {
  config: ResolvedConfig;
  registry: Registry;
}

/** Loads the config (flags > config > defaults) and opens the registry it points at. */
export async function openContext(argv: GlobalArgs, cwd: string = process.cwd()): Promise<Context> {
  const config = await loadConfig({ cwd, ...(argv.config ? { configFile: argv.config } : {}) });
  if (argv.runsDir) config.runsDir = path.resolve(cwd, argv.runsDir);
  const registry = new Registry(config.runsDir, observeRecord, noticeRepair);
  const warning = registry.runsDirWarning();
  if (warning) out.warn(warning);
  await resumeQueue(config.runsDir);
  return { config, registry };
}

/**
 * Queued runs wait for a dispatcher; after `pm2 kill` or a reboot there is none until some rl-run
 * command starts it: any command does (one readdir when nothing is queued).
 */
async function resumeQueue(runsDir: string): Promise<void> {
  if (trackedIds(queueStore(runsDir)).length === 0) return;
  try {
    const { ensureDispatcher } = await import('../queue/dispatcher.js');
    await ensureDispatcher(runsDir);
  } catch (error) {
    out.warn(`queued runs wait: ${(error as Error).message}`);
  }
}

/** Where a command writes what it has to say; tests and the CLI share it. */
export const out = {
  line(text = ''): void {
    process.stdout.write(`${text}\n`);
  },
  json(value: unknown): void {
    process.stdout.write(`${JSON.stringify(value, null, 2)}\n`);
  },
  warn(text: string): void {
    process.stderr.write(`rl-run: warning: ${text}\n`);
  },
  /** Looked at when used, not when loaded: main() may be called in-process with another environment. */
  get colour(): boolean {
    return Boolean(process.stdout.isTTY) && !process.env.NO_COLOR;
  },
};

/** Values of a repeatable flag, also given comma-separated. */
export function listFlag(value: unknown): string[] {
  const values = Array.isArray(value) ? value : value === undefined ? [] : [value];
  return values.flatMap((v) => String(v).split(',')).map((v) => v.trim()).filter(Boolean);
}
