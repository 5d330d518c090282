import { kmeans } from 'ml-kmeans';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeWorkspace, readCsv, type Workspace } from './fixture.ts';

/** Adjusted Rand index between two labelings. */
function adjustedRand(a: readonly number[], b: readonly number[]): number {
  const pairs = (x: number) => (x * (x - 1)) / 2;
  const joint = new Map<string, number>();
  const ra = new Map<number, number>();
  const rb = new Map<number, number>();
  a.forEach((x, i) => {
    const y = b[i]!;
    joint.set(`${x},${y}`, (joint.get(`${x},${y}`) ?? 0) + 1);
    ra.set(x, (ra.get(x) ?? 0) + 1);
    rb.set(y, (rb.get(y) ?? 0) + 1);
  });
  let index = 0;
  let sa = 0;
  let sb = 0;
  for (const v of joint.values()) index += pairs(v);
  for (const v of ra.values()) sa += pairs(v);
  for (const v of rb.values()) sb += pairs(v);
  const expected = (sa * sb) / pairs(a.length);
  return (index - expected) / ((sa + sb) / 2 - expected);
}

describe('personas are recoverable from purchase behaviour', () => {
  let ws: Workspace;
  beforeAll(async () => {
    ws = await makeWorkspace({ seed: 42 });
  });
  afterAll(() => ws?.cleanup());

  it('k-means on standardised log RFM, basket, channel, time and category features finds them (ARI >= 0.7)', () => {
    const products = readCsv(ws.result.tables.products.path);
    const l2 = new Map(products.rows.map((r) => [r[0]!, r[4]!]));
    const codes = [...new Set(l2.values())].sort();
    const l2Index = new Map(codes.map((c, i) => [c, i]));
    const persona = new Map(readCsv(ws.result.truth.member_persona!.path).rows.map((r) => [r[0]!, r[1]!]));
    const end = Date.parse('2026-04-01T00:00:00Z');
    interface Acc {
      receipts: Set<string>;
      amount: number;
      lines: number;
      ec: number;
      weekend: number;
      last: number;
      tod: number[];
      cats: number[];
    }
    const acc = new Map<string, Acc>();
    for (const r of readCsv(ws.result.tables.transactions.path).rows) {
      const m = r[1]!;
      if (!m) continue;
      let a = acc.get(m);
      if (!a) {
        a = {
          receipts: new Set(),
          amount: 0,
          lines: 0,
          ec: 0,
          weekend: 0,
          last: 0,
          tod: [0, 0, 0, 0],
          cats: codes.map(() => 0),
        };
        acc.set(m, a);
      }
      a.amount += Number(r[8]);
      a.lines++;
      a.cats[l2Index.get(l2.get(r[5]!)!)!]!++;
      if (a.receipts.has(r[0]!)) continue;
      a.receipts.add(r[0]!);
      const t = Date.parse(`${r[4]!.replace(' ', 'T')}Z`);
      a.last = Math.max(a.last, t);
      if (r[3] === 'ec') a.ec++;
      const day = new Date(t).getUTCDay();
      if (day === 0 || day === 6) a.weekend++;
      const h = Number(r[4]!.slice(11, 13));
      a.tod[h < 12 ? 0 : h < 17 ? 1 : h < 21 ? 2 : 3]!++;
    }
    const ids = [...acc.keys()];
    const features = ids.map((m) => {
      const a = acc.get(m)!;
      const n = a.receipts.size;
      return [
        Math.log1p(n),
        Math.log1p(Math.max(0, a.amount)),
        Math.log(a.lines / n),
        Math.log1p((end - a.last) / 86_400_000),
        a.ec / n,
        a.weekend / n,
        ...a.tod.map((x) => x / n),
        ...a.cats.map((x) => x / a.lines),
      ];
    });
    const dims = features[0]!.length;
    for (let d = 0; d < dims; d++) {
      const mean = features.reduce((s, f) => s + f[d]!, 0) / features.length;
      const sd = Math.sqrt(features.reduce((s, f) => s + (f[d]! - mean) ** 2, 0) / features.length) || 1;
      for (const f of features) f[d] = (f[d]! - mean) / sd;
    }
    // Several k-means++ starts, keeping the lowest within-cluster error, as any fair user would.
    let best = { sse: Number.POSITIVE_INFINITY, clusters: [] as number[] };
    for (const seed of [1, 2, 3, 4, 5]) {
      const r = kmeans(features, 10, { seed, initialization: 'kmeans++', maxIterations: 100 });
      const sse = r.computeInformation(features).reduce((s, c) => s + c.error, 0);
      if (sse < best.sse) best = { sse, clusters: r.clusters };
    }
    const truth = ids.map((m) => persona.get(m)!);
    const labels = [...new Set(truth)].sort();
    const ari = adjustedRand(
      best.clusters,
      truth.map((p) => labels.indexOf(p)),
    );
    expect(ids.length).toBeGreaterThan(1900);
    expect(ari).toBeGreaterThanOrEqual(0.7);
  });
});
