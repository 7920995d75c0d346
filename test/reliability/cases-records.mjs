// Records and the registry (issue 9, items 4, 5, 6, 8, 9): each case makes its fault for real.
import { createSandbox, oneLine } from './sandbox.mjs';
import { fuzzCommands, writeFuzzRegistry } from './record-fuzz.mjs';

async function withSandbox(action) {
  const sandbox = createSandbox();
  try {
    return await action(sandbox);
  } finally {
    await sandbox.cleanup();
  }
}

/** Commands are called in-process with the sandbox's environment and folder, as the CLI would run them there. */
async function inSandbox(sandbox, action) {
  const saved = { cwd: process.cwd(), env: { ...process.env } };
  process.chdir(sandbox.dir);
  Object.assign(process.env, { PM2_HOME: sandbox.pm2Home, RL_RUN_NO_USER_CONFIG: '1', NO_COLOR: '1' });
  try {
    return await action();
  } finally {
    process.chdir(saved.cwd);
    for (const key of Object.keys(process.env)) if (!(key in saved.env)) delete process.env[key];
    Object.assign(process.env, saved.env);
  }
}

export function recordFuzz() {
  return withSandbox(async (sandbox) => {
    const registry = writeFuzzRegistry(sandbox.runsDir);
    const result = await inSandbox(sandbox, () => fuzzCommands(sandbox.runsDir, registry));
    // The same registry through the real CLI: exit codes and one-line errors.
    const bad = registry.variants.find((v) => v.field === 'tags' && v.type === 'string').id;
    let cliFailures = 0;
    for (const args of [['ls'], ['ls', '--json'], ['du'], ['clean', '--orphaned', '--dry-run'], ['show', bad], ['stop', bad]]) {
      const run = await sandbox.cli(args);
      const expected = args[0] === 'show' || args[0] === 'stop' ? run.code === 1 && oneLine(run.stderr) : run.code === 0 && !/unexpected error|\n\s+at /.test(run.stderr);
      if (!expected) cliFailures++;
    }
    const { fields, types, commands, crashes, goodMissing, calls } = result;
    return {
      ok: crashes.length === 0 && goodMissing === 0 && cliFailures === 0,
      line: `record fuzz: ${fields} fields × ${types} types (+ one nested 200,000 deep) × ${commands} commands, ${crashes.length} crashes in ${calls} calls, the good runs listed ${goodMissing === 0 ? 'every time' : `all but ${goodMissing} times`}; through the CLI ${cliFailures} of 6 commands misbehaved${crashes.length ? `; first: ${crashes.slice(0, 3).join(' | ')}` : ''}`,
    };
  });
}

export const CASES = [['record fuzz', recordFuzz]];
