import type { Command } from 'commander';
import { InvalidInputError } from '../../schema/index.ts';
import { type GlobalOptions, homeFrom } from '../cli-support.ts';
import { startServer } from '../serve.ts';

export function registerServeCommand(program: Command, globals: () => GlobalOptions): void {
  program
    .command('serve')
    .description('serve the HTTP API on 127.0.0.1 (builds the sample workspace when the workspace is empty)')
    .option('--port <n>', 'port (0 picks a free one)', process.env.PORT ?? '8787')
    .option('--members <n>', 'sample members when generating', '20000')
    .option('--universe <n>', 'sample third-party universe when generating', '200000')
    .option('--months <n>', 'sample months when generating', '12')
    .option('--no-demo', 'do not build the demo segmentation, lookalike model and audience')
    .action(async (o: { port: string; members: string; universe: string; months: string; demo: boolean }) => {
      const port = Number(o.port);
      if (!Number.isInteger(port) || port < 0 || port > 65535)
        throw new InvalidInputError(`--port must be 0-65535, got "${o.port}"`, 'port');
      const server = await startServer({
        home: homeFrom(globals()),
        port,
        sample: { members: Number(o.members), universe: Number(o.universe), months: Number(o.months) },
        demo: o.demo,
      });
      const stop = () => void server.close().then(() => process.exit(0));
      process.on('SIGINT', stop);
      process.on('SIGTERM', stop);
    });
}
