import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { readLivedoor, resolveTokenizer, WorkerPool } from '../../src/adapters/index.ts';
import { LIVEDOOR_CATEGORIES, trainLivedoor } from '../../src/needs/livedoor/livedoor.ts';
import { TokenizerPool } from '../../src/needs/tokenize/pool.ts';
import { hasSharedData, SHARED_DATA } from '../helpers/workspace.ts';

const present = hasSharedData('livedoor');
const ARCHIVE = join(SHARED_DATA, 'livedoor', 'ldcc_text.tar.gz');

describe.skipIf(!present)('the need pipeline on livedoor news (9 classes, fixed 20% held out)', () => {
  const threads = new WorkerPool({ size: 2 });
  const pool = new TokenizerPool(threads);
  afterAll(() => threads.close());

  it('reads every article with a split fixed by file name', () => {
    const docs = readLivedoor(ARCHIVE);
    expect(docs).toHaveLength(7367);
    const counts = LIVEDOOR_CATEGORIES.map((_, c) => docs.filter((d) => d.category === c).length);
    expect(counts).toEqual([870, 870, 864, 511, 870, 842, 870, 900, 770]);
    const test = docs.filter((d) => d.split === 'test');
    expect(test.length / docs.length).toBeGreaterThan(0.18);
    expect(test.length / docs.length).toBeLessThan(0.22);
    // The split depends on the file name only, not on archive order.
    expect(readLivedoor(ARCHIVE).map((d) => d.split)).toEqual(docs.map((d) => d.split));
    expect(docs[0]!.title).not.toMatch(/^http/);
  });

  // MeCab tokenizes this corpus in ~15 s; without it the kuromoji pool needs a few minutes.
  it('trains to held-out accuracy >= 0.95', { timeout: 900_000 }, async () => {
    const tokenizer = await resolveTokenizer('auto', pool);
    const result = await trainLivedoor(readLivedoor(ARCHIVE), { tokenizer });
    console.log(
      `livedoor: accuracy ${(result.accuracy * 100).toFixed(2)}% on ${result.testDocs} held-out articles, macro-F1 ${(result.macroF1 * 100).toFixed(2)}%, ` +
        `${result.features} features, tokenizer ${result.tokenizer} ${result.seconds.tokenize.toFixed(0)} s, training ${result.seconds.train.toFixed(0)} s`,
    );
    console.table(
      result.perClass.map((c) => ({
        category: c.category,
        precision: c.precision.toFixed(3),
        recall: c.recall.toFixed(3),
        f1: c.f1.toFixed(3),
        support: c.support,
      })),
    );
    expect(result.testDocs + result.trainDocs).toBe(7367);
    expect(result.accuracy).toBeGreaterThanOrEqual(0.95);
  });
});
