/**
 * The run directory: the one owner of every path in it and of every read and write of its files.
 * Outside src/registry/run-dir/, nothing names a run's files or opens them but through here.
 */
export * from './files.js';
export * from './paths.js';
export * from './record-file.js';
export * from './resources-file.js';
export * from './stop-request.js';
export * from './walk.js';
