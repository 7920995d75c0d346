import { fileURLToPath } from 'node:url';
import type { Argv, CommandModule } from 'yargs';
import { type HookInput, cronLines, systemdUnit } from '../resume/startup.js';
import { editCron, editUnit, hasSystemd, unitPaths } from '../resume/startup-install.js';
import { type GlobalArgs, openContext, out } from './context.js';

interface StartupArgs extends GlobalArgs {
  install?: boolean;
  uninstall?: boolean;
  systemd?: boolean;
  cron?: boolean;
}

export const startupCommand: CommandModule<GlobalArgs, StartupArgs> = {
  command: 'startup',
  describe: "Print (or --install, --uninstall) a boot hook that runs 'rl-run resurrect' for this runs directory after a reboot",
  builder: (yargs: Argv<GlobalArgs>) =>
    yargs
      .option('install', { type: 'boolean', describe: 'Install it for the current user' })
      .option('uninstall', { type: 'boolean', describe: 'Remove this runs directory from it (the hook goes with the last one)' })
      .option('systemd', { type: 'boolean', describe: 'A systemd user unit (the default where systemd runs)' })
      .option('cron', { type: 'boolean', describe: 'An @reboot crontab line (the default elsewhere)' })
      .conflicts('install', 'uninstall')
      .conflicts('systemd', 'cron')
      .example('$0 startup --install', 'resume this project’s runs after every reboot'),
  handler: async (argv) => {
    const { config } = await openContext(argv);
    const useSystemd = argv.systemd ?? (argv.cron ? false : hasSystemd());
    const input: Omit<HookInput, 'runsDirs'> = {
      node: process.execPath,
      cli: fileURLToPath(new URL('../cli.js', import.meta.url)),
      pathEnv: process.env.PATH ?? '/usr/local/bin:/usr/bin:/bin',
      pm2Home: process.env.PM2_HOME ?? null,
    };
    const runsDir = config.runsDir;
    if (!argv.install && !argv.uninstall) {
      if (useSystemd) {
        out.line(`# ${unitPaths().unit}`);
        out.line(systemdUnit({ ...input, runsDirs: [runsDir] }));
        out.line(`# install: rl-run startup --install; runs at boot without a login only with: loginctl enable-linger ${process.env.USER ?? '$USER'}`);
      } else {
        out.line(cronLines({ ...input, runsDirs: [runsDir] })[0]!);
        out.line('# install: rl-run startup --install --cron (adds it to your crontab)');
      }
      return;
    }
    const install = Boolean(argv.install);
    if (useSystemd) {
      const { unit, runsDirs } = editUnit(input, runsDir, install);
      if (install) {
        out.line(`installed ${unit}: after a reboot it runs 'rl-run resurrect' for ${runsDirs.join(', ')}`);
        out.line(`  so that it runs before you log in: loginctl enable-linger ${process.env.USER ?? '$USER'}`);
      } else out.line(runsDirs.length ? `removed ${runsDir} from ${unit}` : `removed ${unit}`);
      return;
    }
    editCron(input, runsDir, install);
    out.line(install ? `added an @reboot line for ${runsDir} to your crontab` : `removed the @reboot line for ${runsDir} from your crontab`);
  },
};
