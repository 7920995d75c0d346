import { existsSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { Argv, CommandModule } from 'yargs';
import { configAbove, rlRunResolvesFrom, userConfigFile } from '../config/shadow.js';
import { configTemplate } from '../config/template.js';
import { UsageError } from '../errors.js';
import { type GlobalArgs, out } from './context.js';

interface InitArgs extends GlobalArgs {
  force?: boolean;
}

export const initCommand: CommandModule<GlobalArgs, InitArgs> = {
  command: 'init',
  describe: 'Write a commented runs.config.ts in this folder',
  builder: (yargs: Argv<GlobalArgs>) =>
    yargs.option('force', { type: 'boolean', describe: 'Overwrite an existing runs.config.ts' }).example('$0 init', 'start a project'),
  handler: (argv) => {
    init(process.cwd(), Boolean(argv.force));
  },
};

export function init(dir: string, force: boolean): void {
  const file = path.join(dir, 'runs.config.ts');
  if (existsSync(file) && !force) {
    throw new UsageError(`${file} already exists: edit it, or pass --force to overwrite it`);
  }
  writeFileSync(file, configTemplate(!rlRunResolvesFrom(dir)));
  out.line(`wrote ${file}`);
  const above = configAbove(dir);
  const user = userConfigFile();
  if (above) out.line(`note: it shadows ${above}: commands run in ${dir} or below now use this file and its runsDir, not that one`);
  else if (user) out.line(`note: in ${dir} and below it takes the place of your user config ${user}`);
}
