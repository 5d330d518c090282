// Entry of every pool thread (piscina loads it). Node 20 does not apply --import loader hooks to a
// worker's entry module, so register tsx here, then load the TypeScript task table.
import { register } from 'tsx/esm/api';

register();
const { runTask } = await import('./pool-task.ts');

export default runTask;
