import yargs, { type Argv, type CommandModule } from 'yargs';
import type { GlobalArgs } from './context.js';

/**
 * A command of its own rather than yargs' built-in `.completion('completion')`: the built-in prints
 * the script before any flag is looked at, so `completion --help` printed the script and
 * `completion --bogus` was not refused. The shell's requests (`--get-yargs-completions`) still go
 * to yargs (src/cli.ts).
 */
export const completionCommand: CommandModule<GlobalArgs, GlobalArgs> = {
  command: 'completion',
  describe: 'Print a shell completion script (rl-run completion >> ~/.bashrc)',
  builder: (argv: Argv<GlobalArgs>) =>
    argv.example('$0 completion >> ~/.bashrc', 'complete commands and flags in bash (zsh: >> ~/.zshrc)'),
  handler: () => {
    yargs([]).scriptName('rl-run').completion('completion', false).showCompletionScript();
  },
};
