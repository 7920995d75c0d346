import { describe, expect, it } from 'vitest';
import { main } from '../../src/main.js';
import { VERSION } from '../../src/version.js';

/** main(argv, io): the CLI as a function, its output captured, the process left as it was. */
describe('main in-process', () => {
  async function call(argv: string[]) {
    const out: string[] = [];
    const err: string[] = [];
    const writes = [process.stdout.write, process.stderr.write, console.log, console.error];
    const code = await main(argv, { stdout: (t) => out.push(t), stderr: (t) => err.push(t) });
    expect([process.stdout.write, process.stderr.write, console.log, console.error], 'the streams are given back').toEqual(writes);
    return { code, stdout: out.join(''), stderr: err.join('') };
  }

  it('--version: the version on io.stdout, exit code returned, not set on the process', async () => {
    const before = process.exitCode;
    expect(await call(['--version'])).toEqual({ code: 0, stdout: `${VERSION}\n`, stderr: '' });
    expect(process.exitCode).toBe(before);
  });

  it('a usage error: one line on io.stderr, code 2', async () => {
    const result = await call(['lss']);
    expect(result).toEqual({ code: 2, stdout: '', stderr: expect.stringMatching(/^rl-run: unknown command 'lss': did you mean 'ls'\?[^\n]*\n$/) });
  });

  it('--help (printed by yargs through console.log) is captured too', async () => {
    const result = await call(['--help']);
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/rl-run start/);
  });
});
