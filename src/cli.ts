#!/usr/bin/env node
import { main } from './main.js';

// The bin: the only place that ends the process or sets its exit code (the command line is src/main.ts).

// `rl-run logs latest | head` closes the pipe early: that is the reader being done, not an error.
process.stdout.on('error', (error: NodeJS.ErrnoException) => {
  if (error.code === 'EPIPE') process.exit(0);
  throw error;
});

let finished = false;
// Node exits with 0 when nothing is left to wait on, even if main() never settled (a config whose
// default export is a promise that never settles did this): that is a failure, said in one line.
process.on('beforeExit', () => {
  if (finished) return;
  finished = true;
  process.stderr.write('rl-run: the command ended before it finished: it waited for something that can never happen (a runs.config.ts whose default export never settles?)\n');
  process.exitCode = 1;
});

// process.argv.slice(2), not yargs' hideBin: importing yargs/helpers loads all of yargs, which a
// bare --version does not need (src/main.ts).
main(process.argv.slice(2)).then(
  (code) => {
    finished = true;
    process.exitCode = code;
    // After a failure nothing is left to do; something still holding Node open (a config's timer
    // that outlived its time limit) must not keep the command from exiting.
    if (code !== 0) setTimeout(() => process.exit(), 1_000).unref();
  },
  (error) => {
    finished = true;
    process.stderr.write(`rl-run: ${String(error)}\n`);
    process.exitCode = 1;
  },
);
