export { defineConfig } from './config/schema.js';
export type { UserConfig, ResolvedConfig } from './config/schema.js';
export type { RunRecord, RunStatus, RunState } from './registry/record.js';
