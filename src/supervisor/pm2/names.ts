import { RUN_NAME_PREFIX } from '../names.js';

export const PM2_NAMESPACE = 'rl-run';
export const PM2_NAME_PREFIX = RUN_NAME_PREFIX;

export function pm2NameFor(id: string): string {
  return `${PM2_NAME_PREFIX}${id}`;
}
