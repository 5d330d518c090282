/**
 * Worker-thread entry of the tokenizer pool: each worker builds its own kuromoji tokenizer
 * (once, on the first request) and answers `{ id, sentences }` with `{ id, tokens }`.
 */
import { parentPort } from 'node:worker_threads';
import { toError } from '../schema/index.ts';
import { tokenizeKuromoji } from './kuromoji.ts';

export interface TokenizeRequest {
  id: number;
  sentences: string[];
}

export type TokenizeReply =
  | { id: number; ok: true; tokens: import('./types.ts').Token[][] }
  | { id: number; ok: false; message: string };

const port = parentPort;
if (port) {
  port.on('message', (req: TokenizeRequest) => {
    tokenizeKuromoji(req.sentences).then(
      (tokens) => port.postMessage({ id: req.id, ok: true, tokens } satisfies TokenizeReply),
      (err: unknown) =>
        port.postMessage({ id: req.id, ok: false, message: toError(err).message } satisfies TokenizeReply),
    );
  });
}
