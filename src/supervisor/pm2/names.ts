import { RUN_NAME_PREFIX } from '../names.js';

export const PM2_NAMESPACE = 'rl-run';
export const PM2_NAME_PREFIX = RUN_NAME_PREFIX;

export function pm2NameFor(id: string): string {
  return `${PM2_NAME_PREFIX}${id}`;
}

/** Variables whose names pm2 takes for itself travel under this prefix; the runner strips it (runner/env.ts). */
export const PRESERVED_PREFIX = 'RL_RUN_PRESERVE_';
