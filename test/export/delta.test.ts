import { describe, expect, it } from 'vitest';
import { encodeSortedChunks, openSortedIds, type SortedIds } from '../../src/audience/index.ts';
import { DeltaMerge, type MergePosition } from '../../src/export/index.ts';
import { MemoryArtifactStore } from '../../src/store/artifacts.ts';

const N = 1_000_000;
const CHANGED = 50_000;
const id = (k: number) => `tp_${String(k).padStart(7, '0')}`;

/** Writes IDs as the sorted chunk files a revision or a release has, and opens them. */
async function sortedFiles(
  store: MemoryArtifactStore,
  prefix: string,
  ids: readonly string[],
): Promise<SortedIds> {
  const enc = new TextEncoder();
  const offsets = new Int32Array(ids.length + 1);
  const parts = ids.map((x) => enc.encode(x));
  for (let i = 0; i < parts.length; i++) offsets[i + 1] = offsets[i]! + parts[i]!.length;
  const bytes = new Uint8Array(offsets[ids.length]!);
  for (const [i, p] of parts.entries()) bytes.set(p, offsets[i]!);
  const { files } = encodeSortedChunks({
    length: ids.length,
    offsets,
    bytes,
    score: (i) => 1 - i / ids.length,
    rank: (i) => i + 1,
  });
  for (const [name, data] of Object.entries(files)) await store.put(`${prefix}/${name}`, data);
  return (await openSortedIds(store, prefix))!;
}

describe('delta of two revisions of 1,000,000 IDs', () => {
  it('streams exactly the set differences, resumes at any page, in flat memory', async () => {
    // Revision 2 drops every 20th ID of revision 1 and adds 50,000 new ones; ranks are shuffled
    // so sorted order is not rank order.
    const before = Array.from({ length: N }, (_, k) => id((k * 7919) % N));
    const after = [
      ...before.filter((_, k) => ((k * 7919) % N) % 20 !== 0),
      ...Array.from({ length: CHANGED }, (_, k) => id(N + k * 3)),
    ];
    const store = new MemoryArtifactStore();
    const a = await sortedFiles(store, 'r1', before);
    const b = await sortedFiles(store, 'r2', after);
    expect(a.chunks.length).toBe(16);

    // The independent answer: plain set differences.
    const inBefore = new Set(before);
    const inAfter = new Set(after);
    const expectedAdds = after.filter((x) => !inBefore.has(x)).sort();
    const expectedRemoves = before.filter((x) => !inAfter.has(x)).sort();
    expect(expectedAdds.length).toBe(CHANGED);
    expect(expectedRemoves.length).toBe(N / 20);
    inBefore.clear();
    inAfter.clear();

    globalThis.gc?.();
    const baseline = process.memoryUsage();
    let peakRss = baseline.rss;
    let peakHeap = baseline.heapUsed;
    const adds: string[] = [];
    const removes: string[] = [];
    let unranked = 0;
    let scored = 0;
    const dec = new TextDecoder();
    const merge = new DeltaMerge(a, b);
    for (let batch = await merge.next(8192); batch; batch = await merge.next(8192)) {
      for (let i = 0; i < batch.length; i++) {
        const x = dec.decode(batch.idBytes(i));
        if (batch.op!(i) === 'add') {
          adds.push(x);
          if (!(batch.rank(i) > 0)) unranked++;
        } else {
          removes.push(x);
          if (!Number.isNaN(batch.score(i))) scored++;
        }
      }
      const m = process.memoryUsage();
      peakRss = Math.max(peakRss, m.rss);
      peakHeap = Math.max(peakHeap, m.heapUsed);
    }
    // Adds carry their rank, removes no score.
    expect([unranked, scored]).toEqual([0, 0]);
    expect(adds.join('\n')).toBe(expectedAdds.join('\n'));
    expect(removes.join('\n')).toBe(expectedRemoves.join('\n'));
    const mb = (v: number) => (v / 2 ** 20).toFixed(1);
    console.log(
      `delta of ${N} -> ${after.length} IDs: ${adds.length} adds, ${removes.length} removes; ` +
        `RSS ${mb(baseline.rss)} MB before, peak ${mb(peakRss)} MB during (+${mb(peakRss - baseline.rss)}); ` +
        `heap peak +${mb(peakHeap - baseline.heapUsed)} MB (of which ${mb((adds.length + removes.length) * 40)} MB the collected result strings)`,
    );
    // The merge holds one chunk per side (~1 MB each) and the batch: growth far below the
    // ~100 MB two Sets of a million strings take.
    expect(peakHeap - baseline.heapUsed).toBeLessThan(64 * 2 ** 20);

    // Pages of 30,000 rows resumed from the merge position give the same rows.
    let at: MergePosition | undefined;
    const paged: string[] = [];
    for (;;) {
      const page = new DeltaMerge(a, b, at);
      let got = 0;
      for (let batch = await page.next(8192); batch && got < 30_000; ) {
        for (let i = 0; i < batch.length; i++) paged.push(dec.decode(batch.idBytes(i)));
        got += batch.length;
        batch = got < 30_000 ? await page.next(Math.min(8192, 30_000 - got)) : null;
      }
      if (got === 0) break;
      at = page.position;
    }
    expect(paged.length).toBe(adds.length + removes.length);
    expect(paged.sort().join('\n')).toBe([...adds, ...removes].sort().join('\n'));
    const counts = await new DeltaMerge(a, b).skip();
    expect(counts).toEqual({ add: CHANGED, remove: N / 20 });
  });
});
