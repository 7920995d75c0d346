// Preloaded with `node --import`: at exit, writes the process's peak resident set (kB, all threads)
// to the file named by RL_RUN_TEST_MAX_RSS_FILE, to bound a CLI command's memory in a test.
import { writeFileSync } from 'node:fs';

process.on('exit', () => {
  if (process.env.RL_RUN_TEST_MAX_RSS_FILE) writeFileSync(process.env.RL_RUN_TEST_MAX_RSS_FILE, String(process.resourceUsage().maxRSS));
});
