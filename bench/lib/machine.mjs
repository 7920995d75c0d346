import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { cpus, loadavg, totalmem } from 'node:os';
import path from 'node:path';
import { ROOT } from './sandbox.mjs';

/** What the figures were measured on: they mean little without it. */
export function describeMachine() {
  const cpuinfo = safe(() => readFileSync('/proc/cpuinfo', 'utf8'), '');
  const model = /^model name\s*:\s*(.+)$/m.exec(cpuinfo)?.[1] ?? cpus()[0]?.model ?? 'unknown';
  const python = spawnSync('python3', ['--version'], { encoding: 'utf8' });
  return {
    date: new Date().toISOString().replace(/\.\d+Z$/, 'Z'),
    cores: cpus().length,
    ramGb: totalmem() / 2 ** 30,
    cpu: model.trim(),
    node: process.version,
    pm2: safe(() => JSON.parse(readFileSync(path.join(ROOT, 'node_modules', 'pm2', 'package.json'), 'utf8')).version, 'unknown'),
    python: `${python.stdout || python.stderr}`.trim() || 'not found',
    rlRun: safe(() => JSON.parse(readFileSync(path.join(ROOT, 'package.json'), 'utf8')).version, 'unknown'),
    commit: spawnSync('git', ['-C', ROOT, 'rev-parse', '--short', 'HEAD'], { encoding: 'utf8' }).stdout.trim() || 'unknown',
    load: loadavg().map((l) => l.toFixed(2)).join(' '),
  };
}

function safe(read, fallback) {
  try {
    return read();
  } catch {
    return fallback;
  }
}
