import { resolveHome } from '../store/index.ts';
import { startServer } from './serve.ts';

/** `npm start`: serve the API on 127.0.0.1:$PORT over $LOOKALIKE_HOME, building the sample workspace on first start. */
const server = await startServer({
  home: resolveHome(undefined, process.env.LOOKALIKE_HOME),
  port: Number(process.env.PORT ?? 8787),
});

let stopping = false;
const stop = () => {
  if (stopping) process.exit(1); // a second signal does not wait for running jobs
  stopping = true;
  void server.close().then(() => process.exit(0));
};
process.on('SIGINT', stop);
process.on('SIGTERM', stop);
