import path from 'node:path';
import type { RunRecord } from '../registry/record.js';

/** A parameter value as compared: `3e-4` and `0.0003` are the same number. */
export type ParamValue = string | number | boolean;
export type Params = Record<string, ParamValue>;

const NUMBER = /^[-+]?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?$/;

export function coerceParam(text: string): ParamValue {
  if (NUMBER.test(text)) return Number(text);
  if (text === 'true' || text === 'True') return true;
  if (text === 'false' || text === 'False') return false;
  return text;
}

function isFlag(arg: string): boolean {
  return arg.startsWith('-') && arg.length > 1 && !NUMBER.test(arg);
}

/**
 * A script's arguments as parameters: `--lr 3e-4`, `--lr=3e-4`, `--no-norm` (norm=false), a bare
 * `--flag` (true), Hydra overrides `key=value` / `+key=value` / `++key=value`, and other
 * positional arguments as `arg1`, `arg2`, … Pure.
 */
export function parseArgParams(args: readonly string[]): Params {
  const params: Params = {};
  let positional = 0;
  for (let i = 0; i < args.length; i++) {
    const arg = args[i]!;
    if (arg === '--') continue;
    if (isFlag(arg)) {
      const body = arg.replace(/^--?/, '');
      const eq = body.indexOf('=');
      if (eq > 0) {
        params[body.slice(0, eq)] = coerceParam(body.slice(eq + 1));
        continue;
      }
      const next = args[i + 1];
      if (next !== undefined && !isFlag(next) && next !== '--') {
        params[body] = coerceParam(next);
        i++;
      } else if (body.startsWith('no-') && body.length > 3) {
        params[body.slice(3)] = false;
      } else {
        params[body] = true;
      }
      continue;
    }
    const hydra = /^\+{0,2}([A-Za-z_][\w./@-]*)=(.*)$/.exec(arg);
    if (hydra) params[hydra[1]!] = coerceParam(hydra[2]!);
    else params[`arg${++positional}`] = coerceParam(arg);
  }
  return params;
}

/** Everything a run was started with that can tell it apart from another run. */
export function paramsOfRecord(record: RunRecord): Params {
  const params: Params = { name: record.name };
  if (record.script) params.script = path.basename(record.script);
  if (record.tags.length > 0) params.tags = [...record.tags].sort().join(',');
  if (record.git) params.git = `${record.git.commit.slice(0, 12)}${record.git.dirty ? '+dirty' : ''}`;
  return { ...params, ...parseArgParams(record.args) };
}

/** Keys whose value is not the same in every run (missing counts as a value), in first-seen order. */
export function differingParams(runs: readonly Params[]): string[] {
  const keys: string[] = [];
  for (const params of runs) for (const key of Object.keys(params)) if (!keys.includes(key)) keys.push(key);
  return keys.filter((key) => new Set(runs.map((params) => formatParam(params[key]))).size > 1 || runs.some((p) => !(key in p)));
}

export function formatParam(value: ParamValue | undefined): string {
  if (value === undefined) return '';
  return String(value);
}
