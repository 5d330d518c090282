// Worker threads start here: register tsx's loader, then import the TypeScript worker named
// in workerData. Node 20 does not apply --import loader hooks to a worker's entry module.
import { workerData } from 'node:worker_threads';
import { register } from 'tsx/esm/api';

register();
await import(workerData.entry);
