import { Command } from 'commander';
import { fail, type GlobalOptions } from './cli-support.ts';
import { registerAudienceCommands } from './commands/audience.ts';
import { registerBacktestCommand } from './commands/backtest.ts';
import { registerCloudCommands } from './commands/cloud.ts';
import { registerDataCommands } from './commands/data.ts';
import { registerKeyCommands } from './commands/keys.ts';
import { registerLadderCommands } from './commands/ladders.ts';
import { registerModelCommands } from './commands/models.ts';
import { registerNeedsCommands } from './commands/needs.ts';
import { registerSegmentCommands } from './commands/segment.ts';
import { registerServeCommand } from './commands/serve.ts';

const program = new Command();
program
  .name('lookalike')
  .description('Lookalike audience and segmentation engine for Japanese retail ID-POS data')
  .option('--home <dir>', 'workspace folder (default: $LOOKALIKE_HOME or ./.lookalike)')
  .option('--json', 'print machine-readable JSON')
  .option('--debug', 'print stack traces on errors')
  .showHelpAfterError('(run with --help for usage)')
  .configureOutput({ outputError: (str, write) => write(str) });

const globals = (): GlobalOptions => program.opts<GlobalOptions>();
registerDataCommands(program, globals);
registerSegmentCommands(program, globals);
registerModelCommands(program, globals);
registerBacktestCommand(program, globals);
registerLadderCommands(program, globals);
registerAudienceCommands(program, globals);
registerNeedsCommands(program, globals);
registerKeyCommands(program, globals);
registerServeCommand(program, globals);
registerCloudCommands(program, globals);

try {
  await program.parseAsync(process.argv);
} catch (err) {
  fail(err, Boolean(globals().debug));
}
