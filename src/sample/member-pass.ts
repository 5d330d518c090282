/**
 * Streams members one at a time into `members`, `transactions`, `id_links` and the member truth,
 * keeping only the compact per-member arrays the universe pass needs.
 */
import type { GenContext } from './context.ts';
import { STREAMS } from './context.ts';
import { anyFull, type CsvSink, flushFull } from './csv.ts';
import { makeId } from './ids.ts';
import { drawMember } from './members.ts';
import type { Population } from './population.ts';
import { Rng } from './rng.ts';
import { TransactionWriter } from './transactions.ts';
import { windowCode } from './truth.ts';

export interface MemberSinks {
  members: CsvSink;
  transactions: CsvSink;
  idLinks: CsvSink;
  memberTruth: CsvSink;
}

export type Progress = (stage: string, done: number, total: number) => void;

const LINK_SOURCES = ['login', 'hashed_email', 'cookie_sync'] as const;
const LINK_SOURCE_CUM = [0.4, 0.75, 1];
/** Confidence range per link source: a login is near-certain, a cookie sync much less so. */
const LINK_CONFIDENCE: readonly (readonly [number, number])[] = [
  [0.9, 1],
  [0.85, 1],
  [0.6, 0.85],
];
const PROGRESS_EVERY = 2000;

export async function memberPass(
  ctx: GenContext,
  pop: Population,
  sinks: MemberSinks,
  progress: Progress,
): Promise<{ receipts: number; personaCounts: number[] }> {
  const { seed } = ctx;
  const demo = new Rng(seed, STREAMS.memberDemo);
  const traits = new Rng(seed, STREAMS.memberTraits);
  const tx = new Rng(seed, STREAMS.transactions);
  const anon = new Rng(seed, STREAMS.anonymous);
  const meta = new Rng(seed, STREAMS.linkMeta);
  const writer = new TransactionWriter(ctx, sinks.transactions);
  const all = Object.values(sinks);
  const personaCounts = new Array<number>(ctx.personas.models.length).fill(0);
  for (let i = 0; i < ctx.members; i++) {
    const m = drawMember(ctx, pop, i, demo, traits);
    personaCounts[m.persona.index]!++;
    sinks.members.line(m.row);
    writer.member(m, tx, anon);
    meta.reseed(seed, STREAMS.linkMeta, i);
    for (let k = pop.linkStart[i]!; k < pop.linkStart[i + 1]!; k++) {
      const u = meta.float();
      const s = LINK_SOURCE_CUM.findIndex((c) => u < c);
      const [lo, hi] = LINK_CONFIDENCE[s]!;
      const tp = makeId('tp_', pop.linkTp[k]! + 1, ctx.widths.tp);
      sinks.idLinks.line(`${m.id},${tp},${LINK_SOURCES[s]},${meta.range(lo, hi).toFixed(3)}`);
    }
    sinks.memberTruth.line(`${m.id},${m.persona.id},${windowCode(ctx, m.window)}`);
    if (anyFull(all)) await flushFull(all);
    if ((i + 1) % PROGRESS_EVERY === 0) progress('members', i + 1, ctx.members);
  }
  progress('members', ctx.members, ctx.members);
  return { receipts: writer.receipts, personaCounts };
}
